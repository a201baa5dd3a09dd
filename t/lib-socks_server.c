/*
 * lib-socks_server.c: unit tests for lib/socks_server.c (SOCKS for -D).
 * SPDX-License-Identifier: MIT
 *
 * Every request is fed three ways: one byte at a time, all at once, and
 * in pieces of three; each piece is a heap copy of exactly its size, so
 * ASan catches a parser reading ahead.  All three must give the same
 * result at the same byte: the method reply right after the greeting, the
 * request (or the refusal) right after its last byte, and the client's
 * pipelined payload left over.  Refusals are checked to the reply byte and
 * the message byte.  The requests that lib/proxy_socks.c (the client side)
 * builds must parse, and the replies built here must satisfy its parsers.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic.h"
#include "proxy_socks.h"
#include "socks_server.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
/* A byte array and its length, for the tables. */
#define R(...) { __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })

/* What a client might send right after its request. */
static const char payload[] = "GET / HTTP/1.1\r\nHost: db\r\n\r\n";

/* What feeding one input gave. */
struct outcome {
	enum socks_server_result r;
	size_t method_at;	/* offset after the greeting; 0: no method reply */
	unsigned char method[2];
	size_t done_at;		/* offset after the request or bad byte */
	struct socks_server st;
	struct errmsg e;
};

/* Feed in (len bytes) to a fresh parser in pieces of chunk bytes. */
static void
drive(const uint8_t *in, size_t len, size_t chunk, struct outcome *o)
{
	size_t pos = 0, off, used, n;
	unsigned char *p;

	memset(o, 0, sizeof(*o));
	socks_server_init(&o->st);
	o->r = SOCKS_SERVER_NEED_MORE;
	while (pos < len) {
		n = len - pos < chunk ? len - pos : chunk;
		if ((p = malloc(n)) == NULL)
			sysbail("malloc");
		memcpy(p, in + pos, n);
		off = 0;
		for (;;) {
			used = 99999;
			o->r = socks_server_parse(&o->st, p + off, n - off, &used,
			    &o->e);
			if (used > n - off)
				bail("consumed %zu of %zu bytes", used, n - off);
			off += used;
			if (o->r != SOCKS_SERVER_REPLY_METHOD)
				break;
			if (o->method_at != 0 || o->st.reply_len != 2)
				bail("a second method reply");
			o->method_at = pos + off;
			memcpy(o->method, o->st.reply, 2);
		}
		free(p);
		if (o->r == SOCKS_SERVER_REQUEST || o->r == SOCKS_SERVER_ERROR) {
			o->done_at = pos + off;
			return;
		}
		if (off != n)
			bail("NEED_MORE after %zu of %zu bytes", off, n);
		pos += n;
	}
	o->done_at = len;
}

struct req_case {
	const char *name;
	uint8_t bytes[64];
	size_t len;
	int version;
	const char *host;
	unsigned port;
	enum socks_server_atyp atyp;
	const char *userid;
	size_t greeting;	/* SOCKS5 greeting length, 0 for SOCKS4 */
};

static const struct req_case req_cases[] = {
	{ "socks4 IPv4", R(4, 1, 0, 22, 10, 1, 2, 3, 0),
	  4, "10.1.2.3", 22, SOCKS_SERVER_ATYP_IPV4, "", 0 },
	{ "socks4 IPv4 with user id",
	  R(4, 1, 0x15, 0x38, 192, 0, 2, 1, 'a', 'l', 'i', 'c', 'e', 0),
	  4, "192.0.2.1", 5432, SOCKS_SERVER_ATYP_IPV4, "alice", 0 },
	{ "socks4 0.0.0.0 is an address", R(4, 1, 0, 80, 0, 0, 0, 0, 0),
	  4, "0.0.0.0", 80, SOCKS_SERVER_ATYP_IPV4, "", 0 },
	{ "socks4 port 0", R(4, 1, 0, 0, 127, 0, 0, 1, 0),
	  4, "127.0.0.1", 0, SOCKS_SERVER_ATYP_IPV4, "", 0 },
	{ "socks4a name", R(4, 1, 0x15, 0x38, 0, 0, 0, 1, 'u', 0,
	  'd', 'b', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0),
	  4, "db.example", 5432, SOCKS_SERVER_ATYP_NAME, "u", 0 },
	{ "socks4a name, no user id", R(4, 1, 0, 80, 0, 0, 0, 0xff, 0,
	  'w', 'w', 'w', 0),
	  4, "www", 80, SOCKS_SERVER_ATYP_NAME, "", 0 },
	{ "socks5 IPv4", R(5, 1, 0, 5, 1, 0, 1, 10, 0, 0, 5, 0, 80),
	  5, "10.0.0.5", 80, SOCKS_SERVER_ATYP_IPV4, "", 3 },
	{ "socks5 name", R(5, 2, 2, 0, 5, 1, 0, 3, 10, 'd', 'b', '.', 'e',
	  'x', 'a', 'm', 'p', 'l', 'e', 0x15, 0x38),
	  5, "db.example", 5432, SOCKS_SERVER_ATYP_NAME, "", 4 },
	{ "socks5 IPv6", R(5, 1, 0, 5, 1, 0, 4, 0x20, 0x01, 0x0d, 0xb8, 0, 0,
	  0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x01, 0xbb),
	  5, "2001:db8::1", 443, SOCKS_SERVER_ATYP_IPV6, "", 3 },
	{ "socks5 IPv4-mapped IPv6", R(5, 1, 0, 5, 1, 0, 4, 0, 0, 0, 0, 0, 0,
	  0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1, 0, 22),
	  5, "::ffff:10.0.0.1", 22, SOCKS_SERVER_ATYP_IPV6, "", 3 },
	{ "socks5 many methods", R(5, 5, 1, 2, 0x80, 0xfe, 0, 5, 1, 0, 1,
	  127, 0, 0, 1, 0xff, 0xff),
	  5, "127.0.0.1", 65535, SOCKS_SERVER_ATYP_IPV4, "", 7 },
	{ "socks5 method none twice", R(5, 2, 0, 0, 5, 1, 0, 3, 1, 'h', 0, 1),
	  5, "h", 1, SOCKS_SERVER_ATYP_NAME, "", 4 },
	{ "socks5 port 0", R(5, 1, 0, 5, 1, 0, 1, 10, 0, 0, 1, 0, 0),
	  5, "10.0.0.1", 0, SOCKS_SERVER_ATYP_IPV4, "", 3 },
};

/* One request case, three ways, with and without a payload after it. */
static void
check_request(const char *name, const uint8_t *bytes, size_t len,
    int version, const char *host, unsigned port, enum socks_server_atyp atyp,
    const char *userid, size_t greeting)
{
	static const size_t chunks[] = { 1, 3, 100000 };
	uint8_t *buf;
	struct outcome o;
	size_t i, plen = sizeof(payload) - 1;
	int with;

	if ((buf = malloc(len + plen)) == NULL)
		sysbail("malloc");
	memcpy(buf, bytes, len);
	memcpy(buf + len, payload, plen);
	for (with = 0; with < 2; with++) {
		for (i = 0; i < N(chunks); i++) {
			drive(buf, len + (with ? plen : 0), chunks[i], &o);
			if (!ok(o.r == SOCKS_SERVER_REQUEST && o.done_at == len,
			    "%s (pieces of %zu%s): request after byte %zu", name,
			    chunks[i], with ? ", payload" : "", len)) {
				diag("result %d after %zu: %s", (int)o.r, o.done_at,
				    o.e.text);
				continue;
			}
			ok(o.st.version == version && o.st.atyp == atyp &&
			    o.st.port == port && strcmp(o.st.host, host) == 0 &&
			    strcmp(o.st.userid, userid) == 0 &&
			    o.st.socks4a == (version == 4 &&
			    atyp == SOCKS_SERVER_ATYP_NAME),
			    "%s (pieces of %zu%s): %s port %u", name, chunks[i],
			    with ? ", payload" : "", host, port);
			ok(o.method_at == greeting && (greeting == 0 ||
			    (o.method[0] == 5 && o.method[1] == 0)),
			    "%s (pieces of %zu%s): method reply 05 00 after "
			    "byte %zu", name, chunks[i], with ? ", payload" : "",
			    greeting);
		}
	}
	/* Before its last byte, a request is never complete. */
	drive(buf, len - 1, 1, &o);
	ok(o.r == SOCKS_SERVER_NEED_MORE && o.done_at == len - 1,
	    "%s: one byte short needs more", name);
	free(buf);
}

struct bad_case {
	const char *name;
	uint8_t bytes[64];
	size_t len;		/* the error comes at the last byte */
	uint8_t reply[SOCKS_SERVER_REPLY_MAX];
	size_t reply_len;
	const char *msg;
	int code;
};

#define S4_REJECT { 0, 0x5b, 0, 0, 0, 0, 0, 0 }, 8
#define S5_REPLY(rep) { 5, rep, 0, 1, 0, 0, 0, 0, 0, 0 }, 10

static const struct bad_case bad_cases[] = {
	{ "HTTP", R('G'), { 0 }, 0,
	  "not a SOCKS request: version byte 0x47 (an HTTP request?)", EPROTO },
	{ "HTTP CONNECT", R('C'), { 0 }, 0,
	  "not a SOCKS request: version byte 0x43 (an HTTP request?)", EPROTO },
	{ "TLS", R(0x16), { 0 }, 0,
	  "not a SOCKS request: version byte 0x16 (a TLS handshake?)", EPROTO },
	{ "version 0", R(0), { 0 }, 0,
	  "not a SOCKS request: version byte 0x00", EPROTO },
	{ "version 6", R(6), { 0 }, 0,
	  "not a SOCKS request: version byte 0x06", EPROTO },
	{ "socks4 BIND", R(4, 2), S4_REJECT,
	  "SOCKS4 BIND not supported (only CONNECT)", EOPNOTSUPP },
	{ "socks4 command 3", R(4, 3), S4_REJECT,
	  "SOCKS4 command 0x03 not supported (only CONNECT)", EOPNOTSUPP },
	{ "socks4 command 0", R(4, 0), S4_REJECT,
	  "SOCKS4 command 0x00 not supported (only CONNECT)", EOPNOTSUPP },
	{ "socks4a empty name", R(4, 1, 0, 80, 0, 0, 0, 1, 'u', 0, 0),
	  S4_REJECT, "SOCKS4a request with an empty host name", EPROTO },
	{ "socks5 no methods", R(5, 0), { 5, 0xff }, 2,
	  "SOCKS5 client does not offer \"no authentication\" "
	  "(the only method supported)", EACCES },
	{ "socks5 user/password only", R(5, 1, 2), { 5, 0xff }, 2,
	  "SOCKS5 client does not offer \"no authentication\" "
	  "(the only method supported)", EACCES },
	{ "socks5 GSSAPI and user/password", R(5, 2, 1, 2), { 5, 0xff }, 2,
	  "SOCKS5 client does not offer \"no authentication\" "
	  "(the only method supported)", EACCES },
	{ "socks5 request version 4", R(5, 1, 0, 4), S5_REPLY(1),
	  "bad SOCKS5 request: version byte 0x04", EPROTO },
	{ "socks5 BIND", R(5, 1, 0, 5, 2), S5_REPLY(7),
	  "SOCKS5 BIND not supported (only CONNECT)", EOPNOTSUPP },
	{ "socks5 UDP ASSOCIATE", R(5, 1, 0, 5, 3), S5_REPLY(7),
	  "SOCKS5 UDP ASSOCIATE not supported (only CONNECT)", EOPNOTSUPP },
	{ "socks5 command 9", R(5, 1, 0, 5, 9), S5_REPLY(7),
	  "SOCKS5 command 0x09 not supported (only CONNECT)", EOPNOTSUPP },
	{ "socks5 command 0", R(5, 1, 0, 5, 0), S5_REPLY(7),
	  "SOCKS5 command 0x00 not supported (only CONNECT)", EOPNOTSUPP },
	{ "socks5 reserved 1", R(5, 1, 0, 5, 1, 1), S5_REPLY(1),
	  "bad SOCKS5 request: reserved byte 0x01", EPROTO },
	{ "socks5 ATYP 0", R(5, 1, 0, 5, 1, 0, 0), S5_REPLY(8),
	  "SOCKS5 address type 0x00 not supported", EAFNOSUPPORT },
	{ "socks5 ATYP 2", R(5, 1, 0, 5, 1, 0, 2), S5_REPLY(8),
	  "SOCKS5 address type 0x02 not supported", EAFNOSUPPORT },
	{ "socks5 ATYP 5", R(5, 1, 0, 5, 1, 0, 5), S5_REPLY(8),
	  "SOCKS5 address type 0x05 not supported", EAFNOSUPPORT },
	{ "socks5 empty name", R(5, 1, 0, 5, 1, 0, 3, 0), S5_REPLY(1),
	  "bad SOCKS5 request: empty host name", EPROTO },
	{ "socks5 NUL in name", R(5, 1, 0, 5, 1, 0, 3, 3, 'a', 0), S5_REPLY(1),
	  "bad SOCKS5 request: NUL byte in host name", EPROTO },
	{ "socks5 NUL first in name", R(5, 1, 0, 5, 1, 0, 3, 3, 0),
	  S5_REPLY(1), "bad SOCKS5 request: NUL byte in host name", EPROTO },
};

/* One refusal, three ways: the error at the last byte, with its reply. */
static void
check_bad(const char *name, const uint8_t *bytes, size_t len,
    const uint8_t *reply, size_t reply_len, const char *msg, int code)
{
	static const size_t chunks[] = { 1, 3, 100000 };
	struct outcome o;
	struct errmsg e2;
	size_t i, used;
	uint8_t *buf;

	if ((buf = malloc(len + sizeof(payload))) == NULL)
		sysbail("malloc");
	memcpy(buf, bytes, len);
	memcpy(buf + len, payload, sizeof(payload));	/* bytes after it */
	for (i = 0; i < N(chunks); i++) {
		drive(buf, len + sizeof(payload), chunks[i], &o);
		is_int(SOCKS_SERVER_ERROR, o.r, "%s (pieces of %zu): error", name,
		    chunks[i]);
		is_int(len, o.done_at, "%s (pieces of %zu): at byte %zu", name,
		    chunks[i], len);
		is_string(msg, o.e.text, "%s (pieces of %zu): message", name,
		    chunks[i]);
		is_int(code, o.e.code, "%s (pieces of %zu): errno", name,
		    chunks[i]);
		ok(o.st.reply_len == reply_len && (reply_len == 0 ||
		    memcmp(o.st.reply, reply, reply_len) == 0),
		    "%s (pieces of %zu): reply bytes", name, chunks[i]);
	}
	/* It stays an error, and says so again. */
	errmsg_clear(&e2);
	used = 1;
	is_int(SOCKS_SERVER_ERROR, socks_server_parse(&o.st,
	    (const unsigned char *)"x", 1, &used, &e2), "%s: sticky", name);
	ok(used == 0 && strcmp(e2.text, msg) == 0,
	    "%s: nothing consumed, same message", name);
	free(buf);
}

/* Fields at their limits: 255 bytes pass, 256 are refused. */
static void
test_limits(void)
{
	uint8_t buf[600];
	char name[256], user[256];
	struct outcome o;

	memset(buf, 'p', sizeof(buf));
	memset(name, 'n', 255);
	name[255] = '\0';

	/* SOCKS5 name of 255 bytes. */
	memcpy(buf, (const uint8_t[]){ 5, 1, 0, 5, 1, 0, 3, 255 }, 8);
	memset(buf + 8, 'n', 255);
	buf[263] = 0;
	buf[264] = 80;
	check_request("socks5 255-byte name", buf, 265, 5, name, 80,
	    SOCKS_SERVER_ATYP_NAME, "", 3);

	/* SOCKS4a user id and name of 255 bytes each. */
	memcpy(buf, (const uint8_t[]){ 4, 1, 0, 80, 0, 0, 0, 1 }, 8);
	memset(buf + 8, 'u', 255);
	buf[263] = 0;
	memset(buf + 264, 'n', 255);
	buf[519] = 0;
	memset(user, 'u', 255);
	user[255] = '\0';
	check_request("socks4a 255-byte user id and name", buf, 520, 4, name,
	    80, SOCKS_SERVER_ATYP_NAME, user, 0);

	/* 256 bytes: refused at the 256th, not written past the field. */
	memset(buf + 8, 'u', 256);
	check_bad("socks4 256-byte user id", buf, 8 + 256,
	    (const uint8_t[]){ 0, 0x5b, 0, 0, 0, 0, 0, 0 }, 8,
	    "SOCKS4 user id longer than 255 bytes", EPROTO);
	memset(buf + 8, 'u', 255);
	buf[263] = 0;
	memset(buf + 264, 'n', 256);
	check_bad("socks4a 256-byte name", buf, 264 + 256,
	    (const uint8_t[]){ 0, 0x5b, 0, 0, 0, 0, 0, 0 }, 8,
	    "SOCKS4a host name longer than 255 bytes", EPROTO);
	/* A plain SOCKS4 request has no name: the bytes after its user id's
	 * NUL are payload, whatever they are. */
	buf[7] = 0;
	drive(buf, sizeof(buf), 7, &o);
	ok(o.r == SOCKS_SERVER_REQUEST && o.done_at == 264 &&
	    strcmp(o.st.host, "0.0.0.0") == 0,
	    "socks4 to 0.0.0.0: the name-like bytes after it are payload");
}

static void
test_sticky_request(void)
{
	static const uint8_t req[] = { 4, 1, 0, 22, 10, 0, 0, 1, 0 };
	struct socks_server st;
	struct errmsg e;
	size_t used;

	socks_server_init(&st);
	is_int(SOCKS_SERVER_REQUEST, socks_server_parse(&st, req, sizeof(req),
	    &used, &e), "request");
	used = 5;
	is_int(SOCKS_SERVER_REQUEST, socks_server_parse(&st, req, sizeof(req),
	    &used, &e), "request again");
	is_int(0, used, "nothing consumed after the request");
	socks_server_init(&st);
	used = 5;
	is_int(SOCKS_SERVER_NEED_MORE, socks_server_parse(&st, req, 0, &used,
	    NULL), "no bytes: more needed (e may be NULL)");
	is_int(0, used, "no bytes consumed");
	is_int(SOCKS_SERVER_ERROR, socks_server_parse(&st,
	    (const unsigned char *)"G", 1, &used, NULL), "error with e NULL");
}

/* Compare a built reply with the wanted bytes. */
static void
check_bytes(const char *name, int rc, const uint8_t *got, const uint8_t *want,
    size_t wlen)
{
	if (!is_int((long long)wlen, rc, "%s: length", name))
		return;
	ok(memcmp(got, want, wlen) == 0, "%s: bytes", name);
}

static void
test_replies(void)
{
	uint8_t buf[SOCKS_SERVER_REPLY_MAX + 8];
	struct socks_server st;
	struct errmsg e;
	int rc;

	rc = socks_server_reply4(buf, sizeof(buf), SOCKS_SERVER_S4_GRANTED,
	    NULL, 0, &e);
	check_bytes("socks4 granted, zeros", rc, buf,
	    (const uint8_t[]){ 0, 0x5a, 0, 0, 0, 0, 0, 0 }, 8);
	rc = socks_server_reply4(buf, sizeof(buf), SOCKS_SERVER_S4_REJECTED,
	    "192.0.2.1", 1080, &e);
	check_bytes("socks4 rejected, bound address", rc, buf,
	    (const uint8_t[]){ 0, 0x5b, 0x04, 0x38, 192, 0, 2, 1 }, 8);
	rc = socks_server_reply4(buf, 8, SOCKS_SERVER_S4_GRANTED, NULL, 0, &e);
	is_int(8, rc, "socks4 reply fits 8 bytes");
	rc = socks_server_reply4(buf, 7, SOCKS_SERVER_S4_GRANTED, NULL, 0, &e);
	is_int(-1, rc, "socks4 reply in 7 bytes refused");
	is_string("SOCKS4 reply needs 8 bytes, buffer has 7", e.text,
	    "socks4 short buffer message");
	is_int(ENOBUFS, e.code, "socks4 short buffer errno");
	rc = socks_server_reply4(buf, sizeof(buf), SOCKS_SERVER_S4_GRANTED,
	    "::1", 0, &e);
	is_int(-1, rc, "socks4 reply with IPv6 refused");
	is_string("a SOCKS4 reply needs an IPv4 bound address, not \"::1\"",
	    e.text, "socks4 IPv6 message");
	is_int(EAFNOSUPPORT, e.code, "socks4 IPv6 errno");

	rc = socks_server_reply5(buf, sizeof(buf), SOCKS_SERVER_S5_SUCCEEDED,
	    NULL, 0, &e);
	check_bytes("socks5 success, zeros (as ssh -D)", rc, buf,
	    (const uint8_t[]){ 5, 0, 0, 1, 0, 0, 0, 0, 0, 0 }, 10);
	rc = socks_server_reply5(buf, sizeof(buf), SOCKS_SERVER_S5_REFUSED,
	    "10.0.0.1", 8080, &e);
	check_bytes("socks5 refused, IPv4", rc, buf,
	    (const uint8_t[]){ 5, 5, 0, 1, 10, 0, 0, 1, 0x1f, 0x90 }, 10);
	rc = socks_server_reply5(buf, sizeof(buf), SOCKS_SERVER_S5_SUCCEEDED,
	    "2001:db8::1", 443, &e);
	check_bytes("socks5 success, IPv6", rc, buf,
	    (const uint8_t[]){ 5, 0, 0, 4, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
	    0, 0, 0, 0, 0, 0, 0, 1, 0x01, 0xbb }, 22);
	rc = socks_server_reply5(buf, SOCKS_SERVER_REPLY_MAX,
	    SOCKS_SERVER_S5_SUCCEEDED, "::1", 1, &e);
	is_int(22, rc, "IPv6 reply fits SOCKS_SERVER_REPLY_MAX");
	rc = socks_server_reply5(buf, 21, SOCKS_SERVER_S5_SUCCEEDED, "::1", 1,
	    &e);
	is_int(-1, rc, "IPv6 reply in 21 bytes refused");
	is_string("SOCKS5 reply needs 22 bytes, buffer has 21", e.text,
	    "socks5 short buffer message");
	rc = socks_server_reply5(buf, sizeof(buf), 0, "db.example", 1, &e);
	is_int(-1, rc, "socks5 reply with a name refused");
	is_string("a SOCKS5 reply needs an IPv4 or IPv6 bound address, not "
	    "\"db.example\"", e.text, "socks5 name message");

	/* socks_server_reply answers in the request's version. */
	socks_server_init(&st);
	st.version = 4;
	rc = socks_server_reply(&st, SOCKS_SERVER_S5_SUCCEEDED, buf,
	    sizeof(buf), &e);
	check_bytes("reply to socks4: granted", rc, buf,
	    (const uint8_t[]){ 0, 0x5a, 0, 0, 0, 0, 0, 0 }, 8);
	rc = socks_server_reply(&st, SOCKS_SERVER_S5_REFUSED, buf, sizeof(buf),
	    &e);
	check_bytes("reply to socks4: any failure is 0x5b", rc, buf,
	    (const uint8_t[]){ 0, 0x5b, 0, 0, 0, 0, 0, 0 }, 8);
	st.version = 5;
	rc = socks_server_reply(&st, SOCKS_SERVER_S5_NOT_ALLOWED, buf,
	    sizeof(buf), &e);
	check_bytes("reply to socks5: not allowed", rc, buf,
	    (const uint8_t[]){ 5, 2, 0, 1, 0, 0, 0, 0, 0, 0 }, 10);
	st.version = 0;
	rc = socks_server_reply(&st, 0, buf, sizeof(buf), &e);
	is_int(-1, rc, "no request, no reply");
	is_string("no SOCKS request to reply to", e.text, "no request message");
}

static void
test_rep5_for(void)
{
	static const struct {
		int code;
		const char *text;
		uint8_t rep;
	} cases[] = {
		{ 0, "cannot open a channel to db:22: connect failed", 5 },
		{ 0, "cannot open a channel to db:22: administratively "
		  "prohibited", 2 },
		{ ETIMEDOUT, "timed out opening a channel to db:22", 6 },
		{ 0, "timed out opening a channel to db:22", 6 },
		{ ECONNREFUSED, "x", 5 },
		{ EHOSTUNREACH, "x", 4 },
		{ ENETUNREACH, "x", 3 },
		{ EACCES, "x", 2 },
		{ EPERM, "x", 2 },
		{ 0, "cannot open a channel to db:22: resource shortage", 1 },
		{ 0, "cannot open a channel to db:22: unknown channel type", 1 },
		{ EIO, "session closed", 1 },
	};
	struct errmsg e;
	size_t i;

	is_int(0, socks_server_rep5_for(NULL), "no error: succeeded");
	for (i = 0; i < N(cases); i++) {
		e.code = cases[i].code;
		snprintf(e.text, sizeof(e.text), "%s", cases[i].text);
		is_int(cases[i].rep, socks_server_rep5_for(&e), "%s (%d): rep %u",
		    cases[i].text, cases[i].code, (unsigned)cases[i].rep);
	}
}

/* What the client side (proxy_socks) builds parses here, and what is built
 * here satisfies the client side's parsers. */
static void
test_with_client(void)
{
	static const struct {
		int version;
		const char *host;
		const char *want;
	} cases[] = {
		{ 4, "10.1.2.3", "10.1.2.3" },
		{ 40, "db.example", "db.example" },
		{ 5, "10.1.2.3", "10.1.2.3" },
		{ 5, "db.example", "db.example" },
		{ 5, "[2001:db8::7]", "2001:db8::7" },
	};
	uint8_t buf[PROXY_SOCKS_REQUEST_MAX + 8];
	uint8_t reply[SOCKS_SERVER_REPLY_MAX];
	struct outcome o;
	struct errmsg e;
	size_t i;
	int n, g, rc;

	for (i = 0; i < N(cases); i++) {
		if (cases[i].version == 5) {
			g = proxy_socks5_greeting(buf, sizeof(buf), 0);
			n = proxy_socks5_connect_request(buf + g, sizeof(buf) - g,
			    cases[i].host, 8443, &e);
			n += g;
		} else {
			n = proxy_socks4_request(buf, sizeof(buf),
			    cases[i].version == 40, cases[i].host, 8443, "me", &e);
		}
		if (n <= 0)
			bail("client request: %s", e.text);
		drive(buf, (size_t)n, 1, &o);
		ok(o.r == SOCKS_SERVER_REQUEST && o.done_at == (size_t)n &&
		    strcmp(o.st.host, cases[i].want) == 0 && o.st.port == 8443,
		    "client's request for %s (SOCKS%d) parses", cases[i].host,
		    cases[i].version == 40 ? 4 : cases[i].version);
		if (o.method_at != 0)
			is_int(2, proxy_socks5_method_reply(o.method, 2, 0, NULL,
			    &e), "client takes the method reply");
		rc = socks_server_reply(&o.st, 0, reply, sizeof(reply), &e);
		if (o.st.version == 4)
			is_int(8, proxy_socks4_reply(reply, (size_t)rc, &e),
			    "client takes the SOCKS4 success reply");
		else
			is_int(10, proxy_socks5_connect_reply(reply, (size_t)rc,
			    &e), "client takes the SOCKS5 success reply");
		rc = socks_server_reply(&o.st, SOCKS_SERVER_S5_REFUSED, reply,
		    sizeof(reply), &e);
		if (o.st.version == 4)
			rc = proxy_socks4_reply(reply, (size_t)rc, &e);
		else
			rc = proxy_socks5_connect_reply(reply, (size_t)rc, &e);
		ok(rc == -1 && e.code == ECONNREFUSED,
		    "client reads the refusal as ECONNREFUSED");
	}
}

int
main(void)
{
	size_t i;

	plan_lazy();
	for (i = 0; i < N(req_cases); i++) {
		const struct req_case *c = &req_cases[i];

		check_request(c->name, c->bytes, c->len, c->version, c->host,
		    c->port, c->atyp, c->userid, c->greeting);
	}
	for (i = 0; i < N(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];

		check_bad(c->name, c->bytes, c->len, c->reply, c->reply_len,
		    c->msg, c->code);
	}
	test_limits();
	test_sticky_request();
	test_replies();
	test_rep5_for();
	test_with_client();
	return 0;
}
