/*
 * endpoint.h: parse hosts, ports and [user@]host[:port] strings.
 * SPDX-License-Identifier: MIT
 *
 * The parsers are pure functions over a string: they do no I/O, except
 * endpoint_port_lookup(), which may consult the services database.  Errors
 * come back as a one-line message naming the bad input.
 */
#ifndef HOPKIT_ENDPOINT_H
#define HOPKIT_ENDPOINT_H

#include <stdint.h>

#include "errmsg.h"

#define ENDPOINT_HOST_MAX 256
#define ENDPOINT_USER_MAX 256

/* Flags for endpoint_parse and endpoint_parse_port. */
#define ENDPOINT_PORT_ZERO_OK 0x01	/* accept port 0 (ask the kernel) */
#define ENDPOINT_USER_OK 0x02		/* accept a user@ prefix */
#define ENDPOINT_PORT_REQUIRED 0x04	/* the :port part is mandatory */

struct endpoint {
	char user[ENDPOINT_USER_MAX];	/* "" when none was given */
	char host[ENDPOINT_HOST_MAX];	/* brackets removed from [v6] */
	uint16_t port;			/* 0 when none was given */
	int has_port;
};

/* Parse a decimal port number; 1-65535 (0 too with ENDPOINT_PORT_ZERO_OK). */
int endpoint_parse_port(const char *s, unsigned flags, uint16_t *port,
    struct errmsg *e);

/* Like endpoint_parse_port, but also accept a TCP service name ("ssh"). */
int endpoint_port_lookup(const char *s, unsigned flags, uint16_t *port,
    struct errmsg *e);

/*
 * Check a host name or address literal and copy it to out (size outlen),
 * removing the brackets of "[v6addr]".  A bare IPv6 literal is accepted.
 * Refuses empty names, names starting with '-', and bytes that cannot be
 * in a host name or address.
 */
int endpoint_parse_host(const char *s, char *out, size_t outlen,
    struct errmsg *e);

/*
 * Parse "[user@]host[:port]", where host may be "[v6addr]".  A bare IPv6
 * literal ("::1") is taken as a host without a port.
 */
int endpoint_parse(const char *s, unsigned flags, struct endpoint *ep,
    struct errmsg *e);

/* Is s an IPv4 or IPv6 address literal (no brackets)? */
int endpoint_is_numeric(const char *s);

#endif
