/*
 * socks_server.c: SOCKS4/4a/5 requests as a server reads them; see
 * socks_server.h.
 * SPDX-License-Identifier: MIT
 *
 * Wire formats: SOCKS4 and its 4a extension (the Ying-Da Lee documents),
 * SOCKS5 (RFC 1928).  The parser takes one byte at a time through a small
 * state machine, so a message split anywhere parses as it does whole, and
 * it stops on the byte that completes a message: what follows is the
 * caller's.  It is as strict as ssh's own -D (channels.c): SOCKS5 must
 * have a zero reserved byte; unlike ssh, it says why it closes.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "socks_server.h"

/* Where the parser is: the part of the message it reads next. */
enum {
	SOCKS_SERVER_ST_VERSION,		/* the first byte: 4 or 5 */
	SOCKS_SERVER_ST_S4_HEADER,	/* the rest of VN CD DSTPORT DSTIP */
	SOCKS_SERVER_ST_S4_USERID,		/* up to its NUL */
	SOCKS_SERVER_ST_S4_NAME,		/* SOCKS4a: up to its NUL */
	SOCKS_SERVER_ST_S5_NMETHODS,
	SOCKS_SERVER_ST_S5_METHODS,
	SOCKS_SERVER_ST_S5_HEADER,		/* VER CMD RSV ATYP */
	SOCKS_SERVER_ST_S5_ADDR,		/* 4 or 16 bytes */
	SOCKS_SERVER_ST_S5_NAMELEN,
	SOCKS_SERVER_ST_S5_NAME,
	SOCKS_SERVER_ST_S5_PORT,
	SOCKS_SERVER_ST_DONE,		/* REQUEST returned */
	SOCKS_SERVER_ST_FAILED,		/* ERROR returned */
};

/* Offsets in st->fixed for SOCKS5: address, then port. */
#define SOCKS_SERVER_OFF_ADDR 4
#define SOCKS_SERVER_OFF_PORT 20

void
socks_server_init(struct socks_server *st)
{
	memset(st, 0, sizeof(*st));
	st->state = SOCKS_SERVER_ST_VERSION;
}

/* What command code c is, for messages. */
static const char *
socks_server_cmd_name(unsigned c)
{
	switch (c) {
	case 2:
		return "BIND";
	case 3:
		return "UDP ASSOCIATE";
	default:
		return NULL;
	}
}

/*
 * Fail: fill st->reply with the refusal for st->version (SOCKS4: 00 5B and
 * zeros; SOCKS5: rep and a zero address, or 05 FF for rep 0xff, the method
 * refusal; nothing before the version is known), keep the reason and
 * return SOCKS_SERVER_ERROR.
 */
static enum socks_server_result __attribute__((format(printf, 4, 5)))
socks_server_fail(struct socks_server *st, uint8_t rep, int code,
    const char *fmt, ...)
{
	va_list ap;

	memset(st->reply, 0, sizeof(st->reply));
	if (st->version == 4) {
		st->reply[1] = SOCKS_SERVER_S4_REJECTED;
		st->reply_len = 8;
	} else if (st->version == 5 && rep == 0xff) {
		st->reply[0] = 5;
		st->reply[1] = 0xff;
		st->reply_len = 2;
	} else if (st->version == 5) {
		st->reply[0] = 5;
		st->reply[1] = rep;
		st->reply[3] = 1;	/* ATYP IPv4, 0.0.0.0:0 */
		st->reply_len = 10;
	} else {
		st->reply_len = 0;
	}
	va_start(ap, fmt);
	vsnprintf(st->err.text, sizeof(st->err.text), fmt, ap);
	va_end(ap);
	st->err.code = code;
	st->state = SOCKS_SERVER_ST_FAILED;
	return SOCKS_SERVER_ERROR;
}

/* The first byte, when it is neither 4 nor 5. */
static enum socks_server_result
socks_server_not_socks(struct socks_server *st, unsigned char c)
{
	const char *hint = "";

	if (c == 'C' || c == 'G' || c == 'H' || c == 'P' || c == 'O' ||
	    c == 'D')
		hint = " (an HTTP request?)";
	else if (c == 0x16)
		hint = " (a TLS handshake?)";
	return socks_server_fail(st, 0, EPROTO,
	    "not a SOCKS request: version byte 0x%02x%s", (unsigned)c, hint);
}

/* Refuse command c, anything but CONNECT (1). */
static enum socks_server_result
socks_server_bad_cmd(struct socks_server *st, unsigned char c)
{
	const char *name = socks_server_cmd_name(c);

	if (name != NULL && (st->version == 5 || c == 2))
		return socks_server_fail(st,
		    SOCKS_SERVER_S5_COMMAND_UNSUPPORTED, EOPNOTSUPP,
		    "SOCKS%d %s not supported (only CONNECT)",
		    st->version, name);
	return socks_server_fail(st, SOCKS_SERVER_S5_COMMAND_UNSUPPORTED,
	    EOPNOTSUPP, "SOCKS%d command 0x%02x not supported (only CONNECT)",
	    st->version, (unsigned)c);
}

/* The SOCKS4 header is in: take port and address, note SOCKS4a. */
static void
socks_server_s4_header(struct socks_server *st)
{
	const unsigned char *a = st->fixed + 4;

	st->port = (uint16_t)(st->fixed[2] << 8 | st->fixed[3]);
	/* 0.0.0.x, x > 0: SOCKS4a, a name follows the user id. */
	st->socks4a = a[0] == 0 && a[1] == 0 && a[2] == 0 && a[3] != 0;
	if (st->socks4a) {
		st->atyp = SOCKS_SERVER_ATYP_NAME;
	} else {
		st->atyp = SOCKS_SERVER_ATYP_IPV4;
		snprintf(st->host, sizeof(st->host), "%u.%u.%u.%u", a[0], a[1],
		    a[2], a[3]);
	}
}

/* The SOCKS5 port is in: the request is complete. */
static enum socks_server_result
socks_server_s5_done(struct socks_server *st)
{
	const unsigned char *a = st->fixed + SOCKS_SERVER_OFF_ADDR;
	const unsigned char *p = st->fixed + SOCKS_SERVER_OFF_PORT;

	st->port = (uint16_t)(p[0] << 8 | p[1]);
	if (st->atyp == SOCKS_SERVER_ATYP_IPV4)
		snprintf(st->host, sizeof(st->host), "%u.%u.%u.%u", a[0], a[1],
		    a[2], a[3]);
	else if (st->atyp == SOCKS_SERVER_ATYP_IPV6)
		inet_ntop(AF_INET6, a, st->host, sizeof(st->host));
	st->state = SOCKS_SERVER_ST_DONE;
	return SOCKS_SERVER_REQUEST;
}

/* Byte got of the SOCKS5 request header (VER CMD RSV ATYP) is in: check
 * it at once; after ATYP, choose how the address is read. */
static enum socks_server_result
socks_server_s5_header(struct socks_server *st)
{
	unsigned char c = st->fixed[st->got - 1];

	switch (st->got) {
	case 1:
		if (c != 5)
			return socks_server_fail(st,
			    SOCKS_SERVER_S5_GENERAL_FAILURE, EPROTO,
			    "bad SOCKS5 request: version byte 0x%02x",
			    (unsigned)c);
		return SOCKS_SERVER_NEED_MORE;
	case 2:
		if (c != 1)
			return socks_server_bad_cmd(st, c);
		return SOCKS_SERVER_NEED_MORE;
	case 3:
		if (c != 0)
			return socks_server_fail(st,
			    SOCKS_SERVER_S5_GENERAL_FAILURE, EPROTO,
			    "bad SOCKS5 request: reserved byte 0x%02x",
			    (unsigned)c);
		return SOCKS_SERVER_NEED_MORE;
	}
	st->got = 0;
	switch (c) {
	case 1:
		st->atyp = SOCKS_SERVER_ATYP_IPV4;
		st->need = 4;
		st->state = SOCKS_SERVER_ST_S5_ADDR;
		break;
	case 3:
		st->atyp = SOCKS_SERVER_ATYP_NAME;
		st->state = SOCKS_SERVER_ST_S5_NAMELEN;
		break;
	case 4:
		st->atyp = SOCKS_SERVER_ATYP_IPV6;
		st->need = 16;
		st->state = SOCKS_SERVER_ST_S5_ADDR;
		break;
	default:
		return socks_server_fail(st, SOCKS_SERVER_S5_ATYP_UNSUPPORTED,
		    EAFNOSUPPORT, "SOCKS5 address type 0x%02x not supported",
		    (unsigned)c);
	}
	return SOCKS_SERVER_NEED_MORE;
}

/* The SOCKS5 greeting is in: choose "no authentication" or refuse. */
static enum socks_server_result
socks_server_methods(struct socks_server *st)
{
	if (!st->offered_none)
		return socks_server_fail(st, 0xff, EACCES,
		    "SOCKS5 client does not offer \"no authentication\" "
		    "(the only method supported)");
	st->reply[0] = 5;
	st->reply[1] = 0;
	st->reply_len = 2;
	st->got = 0;
	st->state = SOCKS_SERVER_ST_S5_HEADER;
	return SOCKS_SERVER_REPLY_METHOD;
}

/* Take one byte c; NEED_MORE to go on, else the result to return. */
static enum socks_server_result
socks_server_byte(struct socks_server *st, unsigned char c)
{
	switch (st->state) {
	case SOCKS_SERVER_ST_VERSION:
		if (c != 4 && c != 5)
			return socks_server_not_socks(st, c);
		st->version = c;
		st->fixed[0] = c;
		st->got = 1;
		st->state = c == 4 ? SOCKS_SERVER_ST_S4_HEADER :
		    SOCKS_SERVER_ST_S5_NMETHODS;
		break;
	case SOCKS_SERVER_ST_S4_HEADER:
		st->fixed[st->got++] = c;
		if (st->got == 2 && c != 1)
			return socks_server_bad_cmd(st, c);
		if (st->got == 8) {
			socks_server_s4_header(st);
			st->got = 0;
			st->state = SOCKS_SERVER_ST_S4_USERID;
		}
		break;
	case SOCKS_SERVER_ST_S4_USERID:
		if (c == 0) {
			st->userid[st->got] = '\0';
			st->got = 0;
			if (st->socks4a) {
				st->state = SOCKS_SERVER_ST_S4_NAME;
				break;
			}
			st->state = SOCKS_SERVER_ST_DONE;
			return SOCKS_SERVER_REQUEST;
		}
		if (st->got == SOCKS_SERVER_FIELD_MAX)
			return socks_server_fail(st, 0, EPROTO,
			    "SOCKS4 user id longer than %d bytes",
			    SOCKS_SERVER_FIELD_MAX);
		st->userid[st->got++] = (char)c;
		break;
	case SOCKS_SERVER_ST_S4_NAME:
		if (c == 0) {
			if (st->got == 0)
				return socks_server_fail(st, 0, EPROTO,
				    "SOCKS4a request with an empty host name");
			st->host[st->got] = '\0';
			st->state = SOCKS_SERVER_ST_DONE;
			return SOCKS_SERVER_REQUEST;
		}
		if (st->got == SOCKS_SERVER_FIELD_MAX)
			return socks_server_fail(st, 0, EPROTO,
			    "SOCKS4a host name longer than %d bytes",
			    SOCKS_SERVER_FIELD_MAX);
		st->host[st->got++] = (char)c;
		break;
	case SOCKS_SERVER_ST_S5_NMETHODS:
		st->need = c;
		st->got = 0;
		st->state = SOCKS_SERVER_ST_S5_METHODS;
		if (c == 0)
			return socks_server_methods(st);
		break;
	case SOCKS_SERVER_ST_S5_METHODS:
		if (c == 0)
			st->offered_none = 1;
		if (++st->got == st->need)
			return socks_server_methods(st);
		break;
	case SOCKS_SERVER_ST_S5_HEADER:
		st->fixed[st->got++] = c;
		return socks_server_s5_header(st);
	case SOCKS_SERVER_ST_S5_ADDR:
		st->fixed[SOCKS_SERVER_OFF_ADDR + st->got++] = c;
		if (st->got == st->need) {
			st->got = 0;
			st->state = SOCKS_SERVER_ST_S5_PORT;
		}
		break;
	case SOCKS_SERVER_ST_S5_NAMELEN:
		if (c == 0)
			return socks_server_fail(st,
			    SOCKS_SERVER_S5_GENERAL_FAILURE, EPROTO,
			    "bad SOCKS5 request: empty host name");
		st->need = c;
		st->got = 0;
		st->state = SOCKS_SERVER_ST_S5_NAME;
		break;
	case SOCKS_SERVER_ST_S5_NAME:
		if (c == 0)
			return socks_server_fail(st,
			    SOCKS_SERVER_S5_GENERAL_FAILURE, EPROTO,
			    "bad SOCKS5 request: NUL byte in host name");
		st->host[st->got++] = (char)c;
		if (st->got == st->need) {
			st->host[st->got] = '\0';
			st->got = 0;
			st->state = SOCKS_SERVER_ST_S5_PORT;
		}
		break;
	case SOCKS_SERVER_ST_S5_PORT:
		st->fixed[SOCKS_SERVER_OFF_PORT + st->got++] = c;
		if (st->got == 2)
			return socks_server_s5_done(st);
		break;
	}
	return SOCKS_SERVER_NEED_MORE;
}

enum socks_server_result
socks_server_parse(struct socks_server *st, const unsigned char *buf,
    size_t len, size_t *consumed, struct errmsg *e)
{
	enum socks_server_result r = SOCKS_SERVER_NEED_MORE;
	size_t i = 0;

	if (st->state == SOCKS_SERVER_ST_DONE) {
		r = SOCKS_SERVER_REQUEST;
	} else if (st->state != SOCKS_SERVER_ST_FAILED) {
		while (i < len && r == SOCKS_SERVER_NEED_MORE)
			r = socks_server_byte(st, buf[i++]);
	}
	if (st->state == SOCKS_SERVER_ST_FAILED) {
		r = SOCKS_SERVER_ERROR;
		if (e != NULL)
			*e = st->err;
	}
	*consumed = i;
	return r;
}

/* Fail unless need bytes fit in a buffer of len; returns 0 or -1. */
static int
socks_server_fits(size_t need, size_t len, const char *what,
    struct errmsg *e)
{
	if (need > len)
		return errmsg_set(e, ENOBUFS,
		    "%s needs %zu bytes, buffer has %zu", what, need, len);
	return 0;
}

int
socks_server_reply4(unsigned char *buf, size_t len, uint8_t code,
    const char *bound, uint16_t bound_port, struct errmsg *e)
{
	unsigned char addr[4] = { 0, 0, 0, 0 };

	if (bound != NULL && inet_pton(AF_INET, bound, addr) != 1)
		return errmsg_set(e, EAFNOSUPPORT,
		    "a SOCKS4 reply needs an IPv4 bound address, not \"%.80s\"",
		    bound);
	if (socks_server_fits(8, len, "SOCKS4 reply", e) == -1)
		return -1;
	buf[0] = 0;		/* VN of a reply */
	buf[1] = code;
	buf[2] = (unsigned char)(bound_port >> 8);
	buf[3] = (unsigned char)(bound_port & 0xff);
	memcpy(buf + 4, addr, 4);
	return 8;
}

int
socks_server_reply5(unsigned char *buf, size_t len, uint8_t rep,
    const char *bound, uint16_t bound_port, struct errmsg *e)
{
	unsigned char addr[16];
	size_t alen = 4;

	memset(addr, 0, sizeof(addr));
	if (bound != NULL && inet_pton(AF_INET, bound, addr) != 1) {
		if (inet_pton(AF_INET6, bound, addr) != 1)
			return errmsg_set(e, EINVAL, "a SOCKS5 reply needs an "
			    "IPv4 or IPv6 bound address, not \"%.80s\"", bound);
		alen = 16;
	}
	if (socks_server_fits(4 + alen + 2, len, "SOCKS5 reply", e) == -1)
		return -1;
	buf[0] = 5;
	buf[1] = rep;
	buf[2] = 0;		/* RSV */
	buf[3] = alen == 4 ? 1 : 4;
	memcpy(buf + 4, addr, alen);
	buf[4 + alen] = (unsigned char)(bound_port >> 8);
	buf[5 + alen] = (unsigned char)(bound_port & 0xff);
	return (int)(4 + alen + 2);
}

int
socks_server_reply(const struct socks_server *st, uint8_t rep,
    unsigned char *buf, size_t len, struct errmsg *e)
{
	if (st->version == 4)
		return socks_server_reply4(buf, len,
		    rep == SOCKS_SERVER_S5_SUCCEEDED ? SOCKS_SERVER_S4_GRANTED :
		    SOCKS_SERVER_S4_REJECTED, NULL, 0, e);
	if (st->version == 5)
		return socks_server_reply5(buf, len, rep, NULL, 0, e);
	return errmsg_set(e, EINVAL, "no SOCKS request to reply to");
}

uint8_t
socks_server_rep5_for(const struct errmsg *e)
{
	if (e == NULL)
		return SOCKS_SERVER_S5_SUCCEEDED;
	switch (e->code) {
	case ETIMEDOUT:
		return SOCKS_SERVER_S5_TTL_EXPIRED;
	case ECONNREFUSED:
		return SOCKS_SERVER_S5_REFUSED;
	case EHOSTUNREACH:
		return SOCKS_SERVER_S5_HOST_UNREACHABLE;
	case ENETUNREACH:
		return SOCKS_SERVER_S5_NET_UNREACHABLE;
	case EACCES:
	case EPERM:
		return SOCKS_SERVER_S5_NOT_ALLOWED;
	}
	/* RFC 4254's reasons, as libssh2 words them. */
	if (strstr(e->text, "administratively prohibited") != NULL)
		return SOCKS_SERVER_S5_NOT_ALLOWED;
	if (strstr(e->text, "connect failed") != NULL)
		return SOCKS_SERVER_S5_REFUSED;
	if (strstr(e->text, "timed out") != NULL)
		return SOCKS_SERVER_S5_TTL_EXPIRED;
	return SOCKS_SERVER_S5_GENERAL_FAILURE;
}
