/*
 * proxyio.h: logging, blocking reads, dialing and the relay of the fake
 * proxy (t/helper/fakeproxy), shared by its HTTP and SOCKS modes.
 * SPDX-License-Identifier: MIT
 *
 * Each connection is served by a forked child with blocking sockets; these
 * helpers wait with bounded polls (PROXYIO_TIMEOUT_MS for the rest of a
 * request), log one line per event on stderr, and relay with half-close.
 */
#ifndef HOPKIT_T_PROXYIO_H
#define HOPKIT_T_PROXYIO_H

#include <stddef.h>

#include "fakeproxy.h"

#define PROXYIO_BUFSZ (64 * 1024)	/* relay buffer per direction */
#define PROXYIO_TIMEOUT_MS 10000	/* waiting for the rest of a request */

/* Print "fakeproxy: MSG" (plus strerror(errno) if syserr) and exit 1. */
void proxyio_die(int syserr, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 2, 3)));

/* Log "fakeproxy[PID]: MSG" on stderr in a single write(2), so lines of
 * concurrent children do not interleave; long messages are truncated. */
void proxyio_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Log label and the n bytes at p as hex (capped at 300 bytes). */
void proxyio_say_hex(const char *label, const unsigned char *p, size_t n);

/* Log one request line of len bytes, with C escapes for unprintable bytes. */
void proxyio_say_line(const char *p, size_t len);

/* Send the string s to fd and log how much went out (or why not). */
void proxyio_send_str(int fd, const char *s);

/* Wait up to ms milliseconds (-1: forever) until fd is readable; 1 if so. */
int proxyio_wait_readable(int fd, int ms);

/* Read exactly n bytes, waiting at most PROXYIO_TIMEOUT_MS for each piece.
 * Returns 0, or -1 on EOF, error or timeout. */
int proxyio_read_full(int fd, void *buf, size_t n);

/* Read a NUL-terminated string of at most cap - 1 bytes into s (SOCKS4's
 * USERID or 4a HOSTNAME).  Returns 0, or -1 on EOF, timeout or overlong. */
int proxyio_read_cstring(int fd, char *s, size_t cap);

/*
 * Close fd politely: half-close at once (the client sees EOF), then read
 * and drop its input for up to 2 s, so that unread bytes do not make the
 * kernel reset the connection before the answer is read.
 */
void proxyio_linger_close(int fd);

/* Say nothing: read and drop the client's input until it closes, then
 * close fd.  What the silent modes do after their last step. */
void proxyio_hold_open(int fd, const char *why);

/*
 * Connect to host:port as the client asked, or with -t to TARGETPORT on
 * the listening address.  Logs the outcome.  Returns the blocking socket,
 * or -1 with errno set.
 */
int proxyio_dial_target(const struct fakeproxy_opts *o, const char *host,
    const char *port);

/*
 * Relay between sockets a and b until both directions have ended: each
 * side's EOF becomes shutdown(SHUT_WR) on the other once its buffered
 * bytes are out.  pre (prelen <= PROXYIO_BUFSZ bytes) was already read from
 * a and goes to b first.  Closes a and b.  Returns 0, or -1 on an I/O
 * error (reset, broken pipe), which ends both directions at once.
 */
int proxyio_relay(int a, int b, const char *pre, size_t prelen);

#endif
