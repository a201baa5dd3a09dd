/*
 * listen.h: the loopback listener, port file and write loop that the test
 * helpers (tcpserv, fakeproxy) share.
 * SPDX-License-Identifier: MIT
 *
 * A helper binds port 0, listens, and then writes the port number to a
 * port file atomically (temp file + rename): the file's appearance is the
 * readiness signal the tests wait for (t/tap/fixtures.sh).  Nothing here
 * exits or prints: failures come back as -1 with errno set, and for
 * listen_open() and listen_write_portfile() a one-line message in err, for
 * the helper's own die().
 */
#ifndef HOPKIT_T_LISTEN_H
#define HOPKIT_T_LISTEN_H

#include <stddef.h>

/*
 * Bind addr (a numeric address) on port 0 and listen with backlog.
 * family is AF_INET, AF_INET6 or AF_UNSPEC (whatever addr is).  Returns the
 * listening socket, or -1 with errno set and err (size errlen) saying
 * which step failed ("bind 127.0.0.1: Address already in use").
 */
int listen_open(const char *addr, int family, int backlog, char *err,
    size_t errlen);

/* The local port of socket fd, or 0 (errno set) if it has none. */
unsigned listen_port(int fd);

/*
 * Write "PORT\n" to path atomically: a temp file next to it ("path.tmp.PID")
 * renamed into place.  Returns 0, or -1 with errno set and err filled.
 */
int listen_write_portfile(const char *path, unsigned port, char *err,
    size_t errlen);

/* Write all len bytes of buf to the blocking fd, retrying on EINTR and
 * short writes.  Returns 0, or -1 with errno set. */
int listen_write_all(int fd, const void *buf, size_t len);

#endif
