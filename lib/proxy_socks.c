/*
 * proxy_socks.c: SOCKS4, SOCKS4a and SOCKS5 messages; see proxy_socks.h.
 * SPDX-License-Identifier: MIT
 *
 * Wire formats: SOCKS4 and its 4a extension (the OpenSSH/Ying-Da Lee
 * documents), SOCKS5 (RFC 1928) and its user name/password login (RFC 1929).
 * Only CONNECT is built.  Where real servers bend the protocol in ways that
 * are harmless (a SOCKS4 reply version of 4, a login reply version of 5, a
 * non-zero reserved byte) the parsers accept it; each place says so.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "endpoint.h"
#include "log.h"
#include "proxy_socks.h"

/* What a host string is on the wire. */
enum proxy_socks_kind {
	PROXY_SOCKS_IPV4,
	PROXY_SOCKS_IPV6,
	PROXY_SOCKS_NAME,
};

/*
 * Classify host as an IPv4 literal, an IPv6 literal (bare or "[v6]") or a
 * name, and fill addr (4 or 16 bytes, network order) for the literals.
 * Refuses an empty host, zone indexes, brackets around anything but IPv6,
 * colons in a name and names over 255 bytes.  Returns the kind or -1.
 */
static int
proxy_socks_classify(const char *host, uint8_t addr[16], struct errmsg *e)
{
	char show[160], inner[INET6_ADDRSTRLEN + 64];
	size_t n;

	if (host == NULL || *host == '\0')
		return errmsg_set(e, EINVAL, "missing host name");
	n = strlen(host);
	if (host[0] == '[') {
		if (n < 3 || host[n - 1] != ']' || n - 2 >= sizeof(inner))
			return errmsg_set(e, EINVAL,
			    "invalid host \"%s\": brackets need an IPv6 address",
			    log_quote(host, show, sizeof(show)));
		memcpy(inner, host + 1, n - 2);
		inner[n - 2] = '\0';
		if (inet_pton(AF_INET6, inner, addr) == 1)
			return PROXY_SOCKS_IPV6;
		if (strchr(inner, '%') == NULL || !endpoint_is_numeric(inner))
			return errmsg_set(e, EINVAL,
			    "invalid host \"%s\": brackets need an IPv6 address",
			    log_quote(host, show, sizeof(show)));
		host = inner;	/* a zoned address: refused below */
	}
	if (inet_pton(AF_INET, host, addr) == 1)
		return PROXY_SOCKS_IPV4;
	if (inet_pton(AF_INET6, host, addr) == 1)
		return PROXY_SOCKS_IPV6;
	if (endpoint_is_numeric(host))	/* IPv6 with a zone, "fe80::1%eth0" */
		return errmsg_set(e, EINVAL,
		    "invalid host \"%s\": an IPv6 zone index means nothing to a proxy",
		    log_quote(host, show, sizeof(show)));
	if (strchr(host, ':') != NULL)
		return errmsg_set(e, EINVAL,
		    "invalid host \"%s\": not an IPv6 address",
		    log_quote(host, show, sizeof(show)));
	if (n > PROXY_SOCKS_FIELD_MAX)
		return errmsg_set(e, ENAMETOOLONG,
		    "host name too long for a SOCKS proxy (%zu bytes, at most %d)",
		    n, PROXY_SOCKS_FIELD_MAX);
	return PROXY_SOCKS_NAME;
}

/* Fail unless need bytes fit in a buffer of len; returns 0 or -1. */
static int
proxy_socks_fits(size_t need, size_t len, const char *what, struct errmsg *e)
{
	if (need > len)
		return errmsg_set(e, ENOBUFS,
		    "%s needs %zu bytes, buffer has %zu", what, need, len);
	return 0;
}

/* Store port in network byte order at p. */
static void
proxy_socks_put_port(uint8_t *p, uint16_t port)
{
	p[0] = (uint8_t)(port >> 8);
	p[1] = (uint8_t)(port & 0xff);
}

/*
 * The first reply byte v was not the version expected of proto ("SOCKS4",
 * "SOCKS5"): say so, with a guess at what answered instead (the callers
 * accept their own versions, so 0 and 4 mean SOCKS4, 5 means SOCKS5, and
 * 'H' is the start of "HTTP/1.1 400").  Returns -1.
 */
static int
proxy_socks_not(struct errmsg *e, const char *proto, uint8_t v)
{
	const char *hint = "";

	if (v == 'H')
		hint = " (an HTTP server?)";
	else if (v == 0 || v == 4)
		hint = " (a SOCKS4 proxy?)";
	else if (v == 5)
		hint = " (a SOCKS5 proxy?)";
	return errmsg_set(e, EPROTO, "not a %s proxy: version byte 0x%02x%s",
	    proto, v, hint);
}

int
proxy_socks4_request(uint8_t *buf, size_t len, int socks4a, const char *host,
    uint16_t port, const char *userid, struct errmsg *e)
{
	char show[160];
	uint8_t addr[16];
	size_t ulen, hlen = 0, need;
	int kind;

	if ((kind = proxy_socks_classify(host, addr, e)) == -1)
		return -1;
	if (kind == PROXY_SOCKS_IPV6)
		return errmsg_set(e, EAFNOSUPPORT,
		    "SOCKS4 cannot carry an IPv6 address (\"%s\"); use socks5",
		    log_quote(host, show, sizeof(show)));
	if (kind == PROXY_SOCKS_NAME && !socks4a)
		return errmsg_set(e, EINVAL,
		    "SOCKS4 needs an IPv4 address, not \"%s\" (socks4a sends names)",
		    log_quote(host, show, sizeof(show)));
	/* 0.0.0.x (x > 0) is SOCKS4a's "a name follows": sent as an address,
	 * a 4a server would take the next bytes as the name.  Send it as a
	 * name to a 4a server; refuse it for plain SOCKS4. */
	if (kind == PROXY_SOCKS_IPV4 && addr[0] == 0 && addr[1] == 0 &&
	    addr[2] == 0 && addr[3] != 0) {
		if (!socks4a)
			return errmsg_set(e, EINVAL,
			    "SOCKS4 cannot ask for %s: 0.0.0.x means SOCKS4a",
			    log_quote(host, show, sizeof(show)));
		kind = PROXY_SOCKS_NAME;
	}
	/* userid is a C string, so it cannot hold the NUL that ends it on the
	 * wire; a decoded "%00" must be refused where it is decoded. */
	ulen = userid != NULL ? strlen(userid) : 0;
	if (ulen > PROXY_SOCKS_FIELD_MAX)
		return errmsg_set(e, ENAMETOOLONG,
		    "SOCKS4 user id too long (%zu bytes, at most %d)", ulen,
		    PROXY_SOCKS_FIELD_MAX);
	if (kind == PROXY_SOCKS_NAME)
		hlen = strlen(host) + 1;
	need = 8 + ulen + 1 + hlen;
	if (proxy_socks_fits(need, len, "SOCKS4 request", e) == -1)
		return -1;

	buf[0] = 4;		/* VN */
	buf[1] = 1;		/* CD: CONNECT */
	proxy_socks_put_port(buf + 2, port);
	if (kind == PROXY_SOCKS_IPV4) {
		memcpy(buf + 4, addr, 4);
	} else {
		/* SOCKS4a: DSTIP 0.0.0.x with x non-zero, name after userid. */
		buf[4] = buf[5] = buf[6] = 0;
		buf[7] = 1;
	}
	if (ulen > 0)
		memcpy(buf + 8, userid, ulen);
	buf[8 + ulen] = '\0';
	if (hlen > 0)
		memcpy(buf + 9 + ulen, host, hlen);	/* with its NUL */
	return (int)need;
}

int
proxy_socks4_reply(const uint8_t *buf, size_t len, struct errmsg *e)
{
	if (len < 1)
		return 0;
	/* VN is 0 by the protocol; some servers echo the request's 4. */
	if (buf[0] != 0 && buf[0] != 4)
		return proxy_socks_not(e, "SOCKS4", buf[0]);
	if (len < 2)
		return 0;
	switch (buf[1]) {
	case 90:
		return len < 8 ? 0 : 8;
	case 91:
		return errmsg_set(e, ECONNREFUSED,
		    "SOCKS4 proxy: request rejected or failed");
	case 92:
		return errmsg_set(e, EACCES,
		    "SOCKS4 proxy: cannot connect to identd on the client");
	case 93:
		return errmsg_set(e, EACCES,
		    "SOCKS4 proxy: identd reports a different user id");
	default:
		return errmsg_set(e, EPROTO, "SOCKS4 proxy: unknown reply code %u",
		    (unsigned)buf[1]);
	}
}

int
proxy_socks5_greeting(uint8_t *buf, size_t len, int have_auth)
{
	size_t need = have_auth ? 4 : 3;

	if (len < need) {
		errno = ENOBUFS;
		return -1;
	}
	buf[0] = 5;		/* VER */
	buf[1] = have_auth ? 2 : 1;	/* NMETHODS */
	buf[2] = PROXY_SOCKS5_METHOD_NONE;
	if (have_auth)
		buf[3] = PROXY_SOCKS5_METHOD_USERPASS;
	return (int)need;
}

int
proxy_socks5_method_reply(const uint8_t *buf, size_t len, int offered_auth,
    int *method, struct errmsg *e)
{
	if (len < 1)
		return 0;
	if (buf[0] != 5)
		return proxy_socks_not(e, "SOCKS5", buf[0]);
	if (len < 2)
		return 0;
	switch (buf[1]) {
	case PROXY_SOCKS5_METHOD_NONE:
		break;
	case PROXY_SOCKS5_METHOD_USERPASS:
		if (!offered_auth)
			return errmsg_set(e, EACCES,
			    "SOCKS5 proxy: wants a user name and password, "
			    "but none was given");
		break;
	case PROXY_SOCKS5_METHOD_REFUSED:
		if (!offered_auth)
			return errmsg_set(e, EACCES,
			    "SOCKS5 proxy: no acceptable authentication method "
			    "(it may want a user name and password)");
		return errmsg_set(e, EACCES,
		    "SOCKS5 proxy: no acceptable authentication method "
		    "(offered none and user name/password)");
	default:
		return errmsg_set(e, EPROTO,
		    "SOCKS5 proxy: chose authentication method 0x%02x, "
		    "which was not offered", (unsigned)buf[1]);
	}
	if (method != NULL)
		*method = buf[1];
	return 2;
}

int
proxy_socks5_auth_request(uint8_t *buf, size_t len, const char *user,
    const char *pass, struct errmsg *e)
{
	size_t ulen, plen, need;

	/* RFC 1929 wants 1-255 bytes each; empty ones are sent as they are
	 * (some proxies take a user with an empty password) for the proxy to
	 * judge. */
	ulen = user != NULL ? strlen(user) : 0;
	plen = pass != NULL ? strlen(pass) : 0;
	if (ulen > PROXY_SOCKS_FIELD_MAX)
		return errmsg_set(e, ENAMETOOLONG,
		    "SOCKS5 user name too long (%zu bytes, at most %d)", ulen,
		    PROXY_SOCKS_FIELD_MAX);
	if (plen > PROXY_SOCKS_FIELD_MAX)
		return errmsg_set(e, ENAMETOOLONG,
		    "SOCKS5 password too long (%zu bytes, at most %d)", plen,
		    PROXY_SOCKS_FIELD_MAX);
	need = 3 + ulen + plen;
	if (proxy_socks_fits(need, len, "SOCKS5 login", e) == -1)
		return -1;

	/* Straight into the caller's buffer: no copy of the password is left
	 * anywhere else to wipe. */
	buf[0] = 1;		/* VER of the subnegotiation */
	buf[1] = (uint8_t)ulen;
	if (ulen > 0)
		memcpy(buf + 2, user, ulen);
	buf[2 + ulen] = (uint8_t)plen;
	if (plen > 0)
		memcpy(buf + 3 + ulen, pass, plen);
	return (int)need;
}

int
proxy_socks5_auth_reply(const uint8_t *buf, size_t len, struct errmsg *e)
{
	if (len < 1)
		return 0;
	/* VER is 1 by RFC 1929; some servers send SOCKS's own 5. */
	if (buf[0] != 1 && buf[0] != 5)
		return errmsg_set(e, EPROTO,
		    "SOCKS5 proxy: bad version byte 0x%02x in login reply",
		    (unsigned)buf[0]);
	if (len < 2)
		return 0;
	if (buf[1] != 0)
		return errmsg_set(e, EACCES,
		    "SOCKS5 proxy: user name or password rejected");
	return 2;
}

int
proxy_socks5_connect_request(uint8_t *buf, size_t len, const char *host,
    uint16_t port, struct errmsg *e)
{
	uint8_t addr[16];
	size_t alen, need;
	int kind;

	if ((kind = proxy_socks_classify(host, addr, e)) == -1)
		return -1;
	if (kind == PROXY_SOCKS_IPV4)
		alen = 4;
	else if (kind == PROXY_SOCKS_IPV6)
		alen = 16;
	else
		alen = 1 + strlen(host);
	need = 4 + alen + 2;
	if (proxy_socks_fits(need, len, "SOCKS5 CONNECT request", e) == -1)
		return -1;

	buf[0] = 5;		/* VER */
	buf[1] = 1;		/* CMD: CONNECT */
	buf[2] = 0;		/* RSV */
	if (kind == PROXY_SOCKS_IPV4) {
		buf[3] = 1;
		memcpy(buf + 4, addr, 4);
	} else if (kind == PROXY_SOCKS_IPV6) {
		buf[3] = 4;
		memcpy(buf + 4, addr, 16);
	} else {
		buf[3] = 3;
		buf[4] = (uint8_t)(alen - 1);
		memcpy(buf + 5, host, alen - 1);
	}
	proxy_socks_put_port(buf + 4 + alen, port);
	return (int)need;
}

/* RFC 1928's REP codes 1-8, with the errno closest to each. */
static const struct {
	int code;
	const char *text;
} proxy_socks5_reps[] = {
	{ 0, NULL },
	{ EIO, "general failure" },
	{ EACCES, "connection not allowed by ruleset" },
	{ ENETUNREACH, "network unreachable" },
	{ EHOSTUNREACH, "host unreachable" },
	{ ECONNREFUSED, "connection refused by destination host" },
	{ ETIMEDOUT, "TTL expired" },
	{ EOPNOTSUPP, "command not supported" },
	{ EAFNOSUPPORT, "address type not supported" },
};

int
proxy_socks5_connect_reply(const uint8_t *buf, size_t len, struct errmsg *e)
{
	size_t need;
	uint8_t rep;

	if (len < 1)
		return 0;
	if (buf[0] != 5)
		return errmsg_set(e, EPROTO,
		    "SOCKS5 proxy: bad version byte 0x%02x in CONNECT reply",
		    (unsigned)buf[0]);
	if (len < 2)
		return 0;
	/* A refusal is final whatever follows (many servers send a short
	 * reply and close), so report it now. */
	rep = buf[1];
	if (rep != 0 && rep < sizeof(proxy_socks5_reps) /
	    sizeof(proxy_socks5_reps[0]))
		return errmsg_set(e, proxy_socks5_reps[rep].code,
		    "SOCKS5 proxy: %s", proxy_socks5_reps[rep].text);
	if (rep != 0)
		return errmsg_set(e, EPROTO, "SOCKS5 proxy: unknown reply code %u",
		    (unsigned)rep);
	/* buf[2] is RSV, 0 by the RFC; tolerated if not, as nothing hangs on
	 * it and the version byte has already shown a SOCKS5 server. */
	if (len < 4)
		return 0;
	switch (buf[3]) {
	case 1:
		need = 4 + 4 + 2;
		break;
	case 3:
		if (len < 5)
			return 0;
		need = 4 + 1 + (size_t)buf[4] + 2;
		break;
	case 4:
		need = 4 + 16 + 2;
		break;
	default:
		return errmsg_set(e, EPROTO,
		    "SOCKS5 proxy: bad address type 0x%02x in CONNECT reply",
		    (unsigned)buf[3]);
	}
	return len < need ? 0 : (int)need;
}
