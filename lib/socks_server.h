/*
 * socks_server.h: the server side of SOCKS4, SOCKS4a and SOCKS5 for -D.
 * SPDX-License-Identifier: MIT
 *
 * A SOCKS client connected to a dynamic forward says where it wants to go;
 * this module reads that and builds the answers.  It speaks what ssh -D
 * speaks: SOCKS4 CONNECT, SOCKS4a (address 0.0.0.x, x > 0, and a name after
 * the user id) and SOCKS5 (RFC 1928) CONNECT with "no authentication" only,
 * to an IPv4 address, a name or an IPv6 address.
 *
 * socks_server_parse() is an incremental parser: feed it bytes as they
 * arrive, in pieces of any size; it keeps what it needs in the struct.
 * Each call reports how many of the bytes given it used (*consumed); the
 * caller drops those and keeps the rest for the next call or, once the
 * request is complete, for the tunnel: a client that pipelines its first
 * payload after the request gets it forwarded.  Results:
 *
 *   SOCKS_SERVER_NEED_MORE	all bytes used, the message is not complete
 *   SOCKS_SERVER_REPLY_METHOD	a SOCKS5 greeting offered "no
 *				authentication": send st->reply (05 00),
 *				then go on with the rest of the bytes
 *   SOCKS_SERVER_REQUEST	a CONNECT to st->host, st->port is complete;
 *				open the channel, then answer with
 *				socks_server_reply()
 *   SOCKS_SERVER_ERROR		the client broke the protocol or asked for
 *				something unsupported: send st->reply
 *				(st->reply_len bytes, maybe none), then close.
 *				e has a one-line reason.
 *
 * A SOCKS5 client that does not offer "no authentication" gets ERROR with
 * the reply 05 FF, as RFC 1928 has the server refuse and the client close.
 * Once REQUEST or ERROR has been returned, later calls return the same
 * with *consumed 0.
 *
 * The builders write one reply into the caller's buffer and return its
 * length, or -1 with e set (buffer too small, a bound address the version
 * cannot carry).  Nothing here does I/O or allocates.
 */
#ifndef HOPKIT_SOCKS_SERVER_H
#define HOPKIT_SOCKS_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "errmsg.h"

/* Longest SOCKS4 user id, SOCKS4a name, SOCKS5 name. */
#define SOCKS_SERVER_FIELD_MAX 255

/* Longest reply: SOCKS5 with an IPv6 bound address. */
#define SOCKS_SERVER_REPLY_MAX 22

/* SOCKS4 reply codes (CD). */
#define SOCKS_SERVER_S4_GRANTED 0x5a
#define SOCKS_SERVER_S4_REJECTED 0x5b

/* SOCKS5 reply codes (REP, RFC 1928 section 6). */
#define SOCKS_SERVER_S5_SUCCEEDED 0x00
#define SOCKS_SERVER_S5_GENERAL_FAILURE 0x01
#define SOCKS_SERVER_S5_NOT_ALLOWED 0x02
#define SOCKS_SERVER_S5_NET_UNREACHABLE 0x03
#define SOCKS_SERVER_S5_HOST_UNREACHABLE 0x04
#define SOCKS_SERVER_S5_REFUSED 0x05
#define SOCKS_SERVER_S5_TTL_EXPIRED 0x06
#define SOCKS_SERVER_S5_COMMAND_UNSUPPORTED 0x07
#define SOCKS_SERVER_S5_ATYP_UNSUPPORTED 0x08

enum socks_server_result {
	SOCKS_SERVER_NEED_MORE,
	SOCKS_SERVER_REPLY_METHOD,
	SOCKS_SERVER_REQUEST,
	SOCKS_SERVER_ERROR,
};

/* How the client gave the destination. */
enum socks_server_atyp {
	SOCKS_SERVER_ATYP_NONE,
	SOCKS_SERVER_ATYP_IPV4,		/* SOCKS4, or SOCKS5 ATYP 1 */
	SOCKS_SERVER_ATYP_NAME,		/* SOCKS4a, or SOCKS5 ATYP 3 */
	SOCKS_SERVER_ATYP_IPV6,		/* SOCKS5 ATYP 4 */
};

/* Parser state and its results; zero it (or socks_server_init) per
 * connection.  Fields other than the results are the parser's own. */
struct socks_server {
	int version;		/* 4 or 5 once the first byte is in, else 0 */
	int socks4a;		/* a SOCKS4a request (a name) */
	enum socks_server_atyp atyp;
	char host[SOCKS_SERVER_FIELD_MAX + 1];	/* IPv6 without brackets */
	uint16_t port;
	char userid[SOCKS_SERVER_FIELD_MAX + 1];	/* SOCKS4 only */
	unsigned char reply[SOCKS_SERVER_REPLY_MAX];	/* to send */
	size_t reply_len;

	/* Parser state. */
	int state;
	size_t got;		/* bytes of the current part so far */
	size_t need;		/* bytes in the current part */
	int offered_none;	/* the greeting offered method 0 */
	unsigned char fixed[22];	/* fixed-size parts: SOCKS4 header;
					 * SOCKS5 header, address, port */
	struct errmsg err;	/* a sticky ERROR's reason */
};

/* Reset st for a new connection. */
void socks_server_init(struct socks_server *st);

/* Feed len bytes (see above); *consumed is how many were used. */
enum socks_server_result socks_server_parse(struct socks_server *st,
    const unsigned char *buf, size_t len, size_t *consumed, struct errmsg *e);

/*
 * The SOCKS4 reply: code SOCKS_SERVER_S4_GRANTED or _REJECTED, with the
 * bound IPv4 address and port, or 0.0.0.0:0 when bound is NULL.  bound
 * must be an IPv4 literal.  Returns 8 or -1.
 */
int socks_server_reply4(unsigned char *buf, size_t len, uint8_t code,
    const char *bound, uint16_t bound_port, struct errmsg *e);

/*
 * The SOCKS5 reply to a request: rep (SOCKS_SERVER_S5_*), with the bound
 * address (IPv4 or IPv6 literal, without brackets) and port, or
 * 0.0.0.0:0 when bound is NULL.  Returns 10 or 22, or -1.
 */
int socks_server_reply5(unsigned char *buf, size_t len, uint8_t rep,
    const char *bound, uint16_t bound_port, struct errmsg *e);

/*
 * The reply to the request parsed in st, in its version, with a zero
 * bound address (the channel's far end is not known here, and ssh -D
 * sends zeros too): rep SOCKS_SERVER_S5_SUCCEEDED for success, another
 * SOCKS5 code for a failure (SOCKS4 has only "rejected" for all of them).
 * Returns the length or -1.
 */
int socks_server_reply(const struct socks_server *st, uint8_t rep,
    unsigned char *buf, size_t len, struct errmsg *e);

/*
 * The SOCKS5 code for why a channel could not be opened, from the error
 * the SSH layer gave: an errno in e->code (ETIMEDOUT -> TTL expired,
 * ECONNREFUSED -> refused, EHOSTUNREACH, ENETUNREACH, EACCES/EPERM -> not
 * allowed), else the server's reason in e->text ("administratively
 * prohibited" -> not allowed, "connect failed" -> refused, "timed out" ->
 * TTL expired), else general failure.  NULL (no error) is success.
 */
uint8_t socks_server_rep5_for(const struct errmsg *e);

#endif
