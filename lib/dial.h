/*
 * dial.h: resolve a host and connect to it, with Happy Eyeballs.
 * SPDX-License-Identifier: MIT
 *
 * RFC 8305: the addresses are ordered with the two families interleaved,
 * starting with the family getaddrinfo put first.  One attempt starts; if it
 * has not connected after the attempt delay (250 ms) the next starts beside
 * it, and a failed attempt starts the next at once.  The first socket to
 * connect wins and the others are closed.  An optional overall timeout
 * bounds the whole dial.
 */
#ifndef HOPKIT_DIAL_H
#define HOPKIT_DIAL_H

#include <stdint.h>
#include <sys/socket.h>

#include "errmsg.h"

struct event_base;
struct dial;

#define DIAL_ATTEMPT_DELAY 0.25	/* seconds, RFC 8305's recommended value */

struct dial_opts {
	int family;		/* AF_UNSPEC, AF_INET or AF_INET6 */
	double timeout;		/* whole dial, seconds; 0 for none */
	double attempt_delay;	/* 0 means DIAL_ATTEMPT_DELAY */
	double *resolved_at;	/* if not NULL: set to clock_now() when the
				   addresses are known */
};

/*
 * Called exactly once.  On success fd is a connected, non-blocking,
 * close-on-exec TCP socket that the callee owns, and addr is the address it
 * reached.  On failure fd is -1 and e says why, as one line
 * ("connect to db port 5432: Connection refused").  The dial is freed when
 * the callback returns.
 */
typedef void (*dial_cb)(int fd, const struct sockaddr *addr,
    const struct errmsg *e, void *arg);

/* Resolve host and connect to port.  The callback always runs later, from
 * the loop, never inside dial_start. */
struct dial *dial_start(struct event_base *base, const char *host,
    uint16_t port, const struct dial_opts *opts, dial_cb cb, void *arg);

/* Connect to an already resolved list (copied); host names it in messages. */
struct dial *dial_start_addrs(struct event_base *base, const char *host,
    uint16_t port, const struct sockaddr_storage *addrs, size_t naddrs,
    const struct dial_opts *opts, dial_cb cb, void *arg);

/* Stop dialing and close every attempt; cb is not called.  Safe on NULL. */
void dial_cancel(struct dial *d);

/*
 * Reorder addrs in place for Happy Eyeballs: families alternate, starting
 * with the family of addrs[0]; within a family the order is kept.
 */
void dial_interleave(struct sockaddr_storage *addrs, size_t n);

/* Format an address as "1.2.3.4" or "::1" into buf. */
const char *dial_ntop(const struct sockaddr *sa, char *buf, size_t len);

#endif
