/*
 * permit.h: fwdpipe's --permit-open HOST:PORT, the destinations that -L
 * and -D connections may be forwarded to.
 * SPDX-License-Identifier: MIT
 *
 * The syntax and the rule are sshd's PermitOpen (sshd_config) and the
 * permitopen="" option of authorized_keys, seen from the client side:
 *
 *   host:port		a name, or an IPv4 address literal
 *   [v6addr]:port	an IPv6 address literal, in brackets
 *   *:port		any host, this port
 *   host:*		this host, any port
 *   *:*		anything (the same as giving no --permit-open)
 *
 * A destination is permitted when any entry matches it.  No pattern
 * matching and no name lookups: a host matches an entry only as the
 * client wrote it (a SOCKS4a or SOCKS5 name, or the address a SOCKS4 or
 * SOCKS5 client sent, or the -L target), so "db" does not permit db's
 * address, nor "127.0.0.1" the name "localhost".  Where hopkit differs
 * from sshd (whose comparison is strcmp):
 *  - names compare without regard to ASCII case, as DNS does ("DB.lan"
 *    reaches the same host as "db.lan");
 *  - IPv6 literals compare as addresses ("::1" is "0:0::1"); an IPv6
 *    literal needs its brackets in an entry, as in sshd;
 *  - a port is a decimal number (1 to 65535) or "*", never a service
 *    name: the parser is pure and does no lookups.
 * The words "any" and "none" of sshd's PermitOpen are not taken: no
 * --permit-open at all permits everything, and "*:*" says so explicitly.
 *
 * Nothing here does I/O or allocates.
 */
#ifndef HOPKIT_PERMIT_H
#define HOPKIT_PERMIT_H

#include <stddef.h>
#include <stdint.h>

#include "errmsg.h"

/* Longest host in an entry (as ENDPOINT_HOST_MAX), with its NUL. */
#define PERMIT_HOST_MAX 256

/* The longest entry text accepted. */
#define PERMIT_TEXT_MAX (PERMIT_HOST_MAX + 2 + 1 + 5)

/* A buffer this size always holds permit_format's output. */
#define PERMIT_FORMAT_MAX (PERMIT_HOST_MAX + 2 + 1 + 5 + 1)

/* The port of an entry that permits any port. */
#define PERMIT_ANY_PORT 0

struct permit {
	char host[PERMIT_HOST_MAX];	/* "*" for any host; IPv6 without
					   brackets */
	int any_host;			/* host "*" */
	int ipv6;			/* host is an IPv6 literal: addr holds it */
	unsigned char addr[16];
	uint16_t port;			/* or PERMIT_ANY_PORT */
};

/*
 * Parse one entry, the argument of --permit-open.  Returns 0 and fills
 * *p, or -1 with a one-line message quoting the text in e (code EINVAL).
 */
int permit_parse(const char *text, struct permit *p, struct errmsg *e);

/*
 * Is a connection to host:port permitted by the n entries of list?  An
 * empty list (n 0) permits everything.  host is as the client gave it
 * (IPv6 without brackets).  Returns 1 or 0.
 */
int permit_match(const struct permit *list, size_t n, const char *host,
    uint16_t port);

/* Does the one entry p match host:port? */
int permit_match_one(const struct permit *p, const char *host, uint16_t port);

/*
 * Write p as an entry to buf (size len): "db:5432", "[::1]:22", "*:443",
 * "db:*".  It parses back to the same entry.  Returns the length, or -1
 * when it does not fit; PERMIT_FORMAT_MAX always suffices.
 */
int permit_format(const struct permit *p, char *buf, size_t len);

#endif
