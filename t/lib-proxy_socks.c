/*
 * lib-proxy_socks.c: unit tests for lib/proxy_socks.c (SOCKS4/4a/5 messages).
 * SPDX-License-Identifier: MIT
 *
 * Requests are checked byte for byte against the wire formats.  Every reply
 * is fed one byte more at a time, each time from a heap copy of exactly that
 * many bytes so that ASan catches a parser reading ahead: it must say "more"
 * until the reply is complete (or shows a failure), then give its length
 * (or -1 and the message), also with tunnel bytes after it.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic.h"
#include "proxy_socks.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
/* A byte array and its length, for the tables. */
#define R(...) { __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })

/* What the server sends after its last reply: the start of the tunnel. */
static const char tunnel[] = "SSH-2.0-OpenSSH_9.2p1\r\n";

typedef int (*parse_fn)(const uint8_t *buf, size_t len, struct errmsg *e);

/* proxy_socks5_method_reply with and without user/password offered. */
static int
method_noauth(const uint8_t *buf, size_t len, struct errmsg *e)
{
	int m = -1;

	return proxy_socks5_method_reply(buf, len, 0, &m, e);
}

static int
method_auth(const uint8_t *buf, size_t len, struct errmsg *e)
{
	int m = -1;

	return proxy_socks5_method_reply(buf, len, 1, &m, e);
}

struct reply_case {
	const char *name;
	parse_fn parse;
	uint8_t bytes[64];	/* the reply, up to where it is decided */
	size_t len;
	const char *msg;	/* NULL: a good reply of len bytes */
	int code;		/* errno expected with msg (0: not checked) */
};

static const struct reply_case reply_cases[] = {
	/* SOCKS4 */
	{ "socks4 granted", proxy_socks4_reply,
	  R(0, 90, 0x01, 0xbb, 10, 1, 2, 3), NULL, 0 },
	{ "socks4 granted, VN 4", proxy_socks4_reply,
	  R(4, 90, 0, 0, 0, 0, 0, 0), NULL, 0 },
	{ "socks4 91", proxy_socks4_reply, R(0, 91),
	  "SOCKS4 proxy: request rejected or failed", ECONNREFUSED },
	{ "socks4 92", proxy_socks4_reply, R(0, 92),
	  "SOCKS4 proxy: cannot connect to identd on the client", EACCES },
	{ "socks4 93", proxy_socks4_reply, R(0, 93),
	  "SOCKS4 proxy: identd reports a different user id", EACCES },
	{ "socks4 94", proxy_socks4_reply, R(0, 94),
	  "SOCKS4 proxy: unknown reply code 94", EPROTO },
	{ "socks4 code 0", proxy_socks4_reply, R(4, 0),
	  "SOCKS4 proxy: unknown reply code 0", EPROTO },
	{ "socks4 VN 1", proxy_socks4_reply, R(1),
	  "not a SOCKS4 proxy: version byte 0x01", EPROTO },
	{ "socks4 VN 5", proxy_socks4_reply, R(5),
	  "not a SOCKS4 proxy: version byte 0x05 (a SOCKS5 proxy?)", EPROTO },
	{ "socks4 HTTP", proxy_socks4_reply, R('H'),
	  "not a SOCKS4 proxy: version byte 0x48 (an HTTP server?)", EPROTO },

	/* SOCKS5 method reply */
	{ "method none", method_noauth, R(5, 0), NULL, 0 },
	{ "method none, auth offered", method_auth, R(5, 0), NULL, 0 },
	{ "method userpass", method_auth, R(5, 2), NULL, 0 },
	{ "method userpass unoffered", method_noauth, R(5, 2),
	  "SOCKS5 proxy: wants a user name and password, but none was given",
	  EACCES },
	{ "method 0xff", method_noauth, R(5, 0xff),
	  "SOCKS5 proxy: no acceptable authentication method "
	  "(it may want a user name and password)", EACCES },
	{ "method 0xff, auth offered", method_auth, R(5, 0xff),
	  "SOCKS5 proxy: no acceptable authentication method "
	  "(offered none and user name/password)", EACCES },
	{ "method GSSAPI", method_auth, R(5, 1),
	  "SOCKS5 proxy: chose authentication method 0x01, which was not offered",
	  EPROTO },
	{ "method 0x80", method_noauth, R(5, 0x80),
	  "SOCKS5 proxy: chose authentication method 0x80, which was not offered",
	  EPROTO },
	{ "method VER 4", method_noauth, R(4),
	  "not a SOCKS5 proxy: version byte 0x04 (a SOCKS4 proxy?)", EPROTO },
	{ "method VER 1", method_noauth, R(1),
	  "not a SOCKS5 proxy: version byte 0x01", EPROTO },
	{ "method from SOCKS4", method_noauth, R(0),
	  "not a SOCKS5 proxy: version byte 0x00 (a SOCKS4 proxy?)", EPROTO },
	{ "method from HTTP", method_auth, R('H'),
	  "not a SOCKS5 proxy: version byte 0x48 (an HTTP server?)", EPROTO },

	/* SOCKS5 login reply */
	{ "login ok", proxy_socks5_auth_reply, R(1, 0), NULL, 0 },
	{ "login ok, VER 5", proxy_socks5_auth_reply, R(5, 0), NULL, 0 },
	{ "login refused", proxy_socks5_auth_reply, R(1, 1),
	  "SOCKS5 proxy: user name or password rejected", EACCES },
	{ "login refused 0xff", proxy_socks5_auth_reply, R(5, 0xff),
	  "SOCKS5 proxy: user name or password rejected", EACCES },
	{ "login VER 2", proxy_socks5_auth_reply, R(2),
	  "SOCKS5 proxy: bad version byte 0x02 in login reply", EPROTO },
	{ "login VER 0", proxy_socks5_auth_reply, R(0),
	  "SOCKS5 proxy: bad version byte 0x00 in login reply", EPROTO },

	/* SOCKS5 CONNECT reply */
	{ "connect IPv4", proxy_socks5_connect_reply,
	  R(5, 0, 0, 1, 10, 0, 0, 7, 0xc3, 0x50), NULL, 0 },
	{ "connect IPv6", proxy_socks5_connect_reply,
	  R(5, 0, 0, 4, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 5, 0x04, 0x00), NULL, 0 },
	{ "connect name", proxy_socks5_connect_reply,
	  R(5, 0, 0, 3, 13, 'p', 'r', 'o', 'x', 'y', '.', 'e', 'x', 'a', 'm',
	    'p', 'l', 'e', 0, 80), NULL, 0 },
	{ "connect empty name", proxy_socks5_connect_reply,
	  R(5, 0, 0, 3, 0, 0, 0), NULL, 0 },
	{ "connect RSV tolerated", proxy_socks5_connect_reply,
	  R(5, 0, 0x7f, 1, 0, 0, 0, 0, 0, 0), NULL, 0 },
	{ "connect REP 1", proxy_socks5_connect_reply, R(5, 1),
	  "SOCKS5 proxy: general failure", EIO },
	{ "connect REP 2", proxy_socks5_connect_reply, R(5, 2),
	  "SOCKS5 proxy: connection not allowed by ruleset", EACCES },
	{ "connect REP 3", proxy_socks5_connect_reply, R(5, 3),
	  "SOCKS5 proxy: network unreachable", ENETUNREACH },
	{ "connect REP 4", proxy_socks5_connect_reply, R(5, 4),
	  "SOCKS5 proxy: host unreachable", EHOSTUNREACH },
	{ "connect REP 5", proxy_socks5_connect_reply, R(5, 5),
	  "SOCKS5 proxy: connection refused by destination host", ECONNREFUSED },
	{ "connect REP 6", proxy_socks5_connect_reply, R(5, 6),
	  "SOCKS5 proxy: TTL expired", ETIMEDOUT },
	{ "connect REP 7", proxy_socks5_connect_reply, R(5, 7),
	  "SOCKS5 proxy: command not supported", EOPNOTSUPP },
	{ "connect REP 8", proxy_socks5_connect_reply, R(5, 8),
	  "SOCKS5 proxy: address type not supported", EAFNOSUPPORT },
	{ "connect REP 9", proxy_socks5_connect_reply, R(5, 9),
	  "SOCKS5 proxy: unknown reply code 9", EPROTO },
	{ "connect REP 255", proxy_socks5_connect_reply, R(5, 255),
	  "SOCKS5 proxy: unknown reply code 255", EPROTO },
	{ "connect VER 4", proxy_socks5_connect_reply, R(4),
	  "SOCKS5 proxy: bad version byte 0x04 in CONNECT reply", EPROTO },
	{ "connect VER 0", proxy_socks5_connect_reply, R(0),
	  "SOCKS5 proxy: bad version byte 0x00 in CONNECT reply", EPROTO },
	{ "connect ATYP 0", proxy_socks5_connect_reply, R(5, 0, 0, 0),
	  "SOCKS5 proxy: bad address type 0x00 in CONNECT reply", EPROTO },
	{ "connect ATYP 2", proxy_socks5_connect_reply, R(5, 0, 0, 2),
	  "SOCKS5 proxy: bad address type 0x02 in CONNECT reply", EPROTO },
	{ "connect ATYP 5", proxy_socks5_connect_reply, R(5, 0, 0, 5),
	  "SOCKS5 proxy: bad address type 0x05 in CONNECT reply", EPROTO },
};

/* Parse the first len bytes of buf from a heap copy of exactly len bytes. */
static int
feed(parse_fn parse, const uint8_t *buf, size_t len, struct errmsg *e)
{
	uint8_t *p;
	int rc;

	p = malloc(len > 0 ? len : 1);
	if (p == NULL)
		sysbail("malloc");
	if (len > 0)
		memcpy(p, buf, len);
	rc = parse(p, len, e);
	free(p);
	return rc;
}

/* Run one reply case: 0 before its last byte, then its verdict, twice. */
static void
check_reply(const struct reply_case *c)
{
	uint8_t buf[sizeof(c->bytes) + sizeof(tunnel)];
	struct errmsg e;
	int want = c->msg == NULL ? (int)c->len : -1;
	size_t k;
	int rc = 0;

	for (k = 0; k < c->len; k++) {
		errmsg_clear(&e);
		if ((rc = feed(c->parse, c->bytes, k, &e)) != 0)
			break;
	}
	if (!is_int(c->len, k, "%s: 0 until all %zu bytes are in", c->name,
	    c->len))
		diag("returned %d at %zu bytes", rc, k);

	memcpy(buf, c->bytes, c->len);
	memcpy(buf + c->len, tunnel, sizeof(tunnel) - 1);
	errmsg_clear(&e);
	rc = feed(c->parse, buf, c->len, &e);
	is_int(want, rc, "%s: verdict at %zu bytes", c->name, c->len);
	if (c->msg != NULL) {
		is_string(c->msg, e.text, "%s: message", c->name);
		if (c->code != 0)
			is_int(c->code, e.code, "%s: errno", c->name);
	} else {
		is_string("", e.text, "%s: no message", c->name);
	}
	errmsg_clear(&e);
	rc = feed(c->parse, buf, c->len + sizeof(tunnel) - 1, &e);
	is_int(want, rc, "%s: same with tunnel bytes after it", c->name);
	if (c->msg != NULL)
		is_string(c->msg, e.text, "%s: same message", c->name);
}

/* Compare n bytes built (rc) with the wanted ones; diag both on mismatch. */
static void
check_bytes(const char *name, int rc, const uint8_t *got, const uint8_t *want,
    size_t wlen)
{
	char hex[3 * 600];
	size_t i, o;

	if (!is_int((long long)wlen, rc, "%s: length", name))
		return;
	if (ok(memcmp(got, want, wlen) == 0, "%s: bytes", name))
		return;
	for (i = 0, o = 0; i < wlen && o + 4 < sizeof(hex); i++)
		o += (size_t)snprintf(hex + o, sizeof(hex) - o, " %02x", got[i]);
	diag("got%s", hex);
	for (i = 0, o = 0; i < wlen && o + 4 < sizeof(hex); i++)
		o += (size_t)snprintf(hex + o, sizeof(hex) - o, " %02x", want[i]);
	diag("want%s", hex);
}

/* A string of n copies of c, in buf (n + 1 bytes). */
static const char *
repeat(char c, size_t n, char *buf)
{
	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

static void
test_socks4_request(void)
{
	static const uint8_t v4[] = { 4, 1, 0, 22, 10, 1, 2, 3, 0 };
	static const uint8_t v4_user[] = { 4, 1, 0x15, 0x38, 192, 0, 2, 1,
	    'a', 'l', 'i', 'c', 'e', 0 };
	static const uint8_t name[] = { 4, 1, 0x15, 0x38, 0, 0, 0, 1, 'u', 0,
	    'd', 'b', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0 };
	static const uint8_t name_nouser[] = { 4, 1, 0, 80, 0, 0, 0, 1, 0,
	    'w', 'w', 'w', 0 };
	uint8_t buf[PROXY_SOCKS_REQUEST_MAX + 16], want[PROXY_SOCKS_REQUEST_MAX];
	char big[300], big2[300];
	struct errmsg e;
	size_t i;
	int rc;

	rc = proxy_socks4_request(buf, sizeof(buf), 0, "10.1.2.3", 22, NULL, &e);
	check_bytes("socks4 IPv4, no userid", rc, buf, v4, sizeof(v4));
	rc = proxy_socks4_request(buf, sizeof(buf), 0, "10.1.2.3", 22, "", &e);
	check_bytes("socks4 IPv4, empty userid", rc, buf, v4, sizeof(v4));
	rc = proxy_socks4_request(buf, sizeof(buf), 0, "192.0.2.1", 5432, "alice",
	    &e);
	check_bytes("socks4 IPv4, userid", rc, buf, v4_user, sizeof(v4_user));
	rc = proxy_socks4_request(buf, sizeof(buf), 1, "192.0.2.1", 5432, "alice",
	    &e);
	check_bytes("socks4a IPv4 goes as socks4", rc, buf, v4_user,
	    sizeof(v4_user));
	rc = proxy_socks4_request(buf, sizeof(buf), 1, "db.example", 5432, "u",
	    &e);
	check_bytes("socks4a name", rc, buf, name, sizeof(name));
	rc = proxy_socks4_request(buf, sizeof(buf), 1, "www", 80, NULL, &e);
	check_bytes("socks4a name, no userid", rc, buf, name_nouser,
	    sizeof(name_nouser));

	/* The longest request fits PROXY_SOCKS4_REQUEST_MAX exactly. */
	rc = proxy_socks4_request(buf, PROXY_SOCKS4_REQUEST_MAX, 1,
	    repeat('h', 255, big), 1, repeat('u', 255, big2), &e);
	memcpy(want, (const uint8_t[]){ 4, 1, 0, 1, 0, 0, 0, 1 }, 8);
	memset(want + 8, 'u', 255);
	want[263] = 0;
	memset(want + 264, 'h', 255);
	want[519] = 0;
	check_bytes("socks4a 255-byte name and userid", rc, buf, want,
	    PROXY_SOCKS4_REQUEST_MAX);

	/* Too small a buffer: -1, and nothing written. */
	memset(buf, 0xaa, sizeof(buf));
	rc = proxy_socks4_request(buf, sizeof(name) - 1, 1, "db.example", 5432,
	    "u", &e);
	is_int(-1, rc, "socks4a one byte short refused");
	is_string("SOCKS4 request needs 21 bytes, buffer has 20", e.text,
	    "socks4a short buffer message");
	is_int(ENOBUFS, e.code, "socks4a short buffer errno");
	for (i = 0; i < sizeof(buf) && buf[i] == 0xaa; i++)
		;
	is_int(sizeof(buf), i, "socks4a short buffer left untouched");
	rc = proxy_socks4_request(buf, sizeof(v4), 0, "10.1.2.3", 22, NULL, &e);
	is_int(sizeof(v4), rc, "socks4 exact buffer is enough");

	errmsg_clear(&e);
	rc = proxy_socks4_request(buf, sizeof(buf), 0, "db.example", 22, NULL,
	    &e);
	is_int(-1, rc, "socks4 name refused");
	is_string("SOCKS4 needs an IPv4 address, not \"db.example\" "
	    "(socks4a sends names)", e.text, "socks4 name message");
	rc = proxy_socks4_request(buf, sizeof(buf), 0, "::1", 22, NULL, &e);
	is_int(-1, rc, "socks4 IPv6 refused");
	is_string("SOCKS4 cannot carry an IPv6 address (\"::1\"); use socks5",
	    e.text, "socks4 IPv6 message");
	is_int(EAFNOSUPPORT, e.code, "socks4 IPv6 errno");
	rc = proxy_socks4_request(buf, sizeof(buf), 1, "[2001:db8::1]", 22, NULL,
	    &e);
	is_int(-1, rc, "socks4a bracketed IPv6 refused");
	is_string("SOCKS4 cannot carry an IPv6 address (\"[2001:db8::1]\"); "
	    "use socks5", e.text, "socks4a IPv6 message");
	rc = proxy_socks4_request(buf, sizeof(buf), 1, repeat('h', 256, big), 22,
	    NULL, &e);
	is_int(-1, rc, "socks4a 256-byte name refused");
	is_string("host name too long for a SOCKS proxy (256 bytes, at most 255)",
	    e.text, "socks4a long name message");
	is_int(ENAMETOOLONG, e.code, "socks4a long name errno");
	rc = proxy_socks4_request(buf, sizeof(buf), 0, "10.0.0.1", 22,
	    repeat('u', 256, big), &e);
	is_int(-1, rc, "socks4 256-byte userid refused");
	is_string("SOCKS4 user id too long (256 bytes, at most 255)", e.text,
	    "socks4 long userid message");
	rc = proxy_socks4_request(buf, sizeof(buf), 0, repeat('n', 100, big), 22,
	    NULL, &e);
	is_string("SOCKS4 needs an IPv4 address, not \"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
	    "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn\" (socks4a sends names)",
	    e.text, "socks4: a long host is cut to 79 bytes in messages");
	rc = proxy_socks4_request(buf, sizeof(buf), 1, "", 22, NULL, &e);
	is_int(-1, rc, "socks4a empty host refused");
	is_string("missing host name", e.text, "socks4a empty host message");
	rc = proxy_socks4_request(buf, sizeof(buf), 1, NULL, 22, NULL, &e);
	is_int(-1, rc, "socks4a NULL host refused");
	rc = proxy_socks4_request(buf, sizeof(buf), 0, "0.0.0.7", 80, NULL, &e);
	is_int(-1, rc, "socks4 0.0.0.7 refused (the SOCKS4a marker)");
	is_string("SOCKS4 cannot ask for 0.0.0.7: 0.0.0.x means SOCKS4a", e.text,
	    "socks4 0.0.0.7 message");
	rc = proxy_socks4_request(buf, sizeof(buf), 1, "0.0.0.7", 80, NULL, &e);
	check_bytes("socks4a sends 0.0.0.7 as a name", rc, buf,
	    (const uint8_t[]){ 4, 1, 0, 80, 0, 0, 0, 1, 0, '0', '.', '0', '.',
	    '0', '.', '7', 0 }, 17);
	rc = proxy_socks4_request(buf, sizeof(buf), 0, "0.0.0.0", 80, NULL, &e);
	check_bytes("socks4 0.0.0.0 is an address", rc, buf,
	    (const uint8_t[]){ 4, 1, 0, 80, 0, 0, 0, 0, 0 }, 9);
	rc = proxy_socks4_request(buf, sizeof(buf), 1, "1.2.3.4.5", 22, NULL, &e);
	is_int(8 + 1 + 10, rc, "socks4a: 1.2.3.4.5 is a name, not an address");
}

static void
test_socks5_greeting(void)
{
	uint8_t buf[8];
	int rc;

	rc = proxy_socks5_greeting(buf, sizeof(buf), 0);
	check_bytes("greeting, no auth", rc, buf, (const uint8_t[]){ 5, 1, 0 }, 3);
	rc = proxy_socks5_greeting(buf, sizeof(buf), 1);
	check_bytes("greeting, auth", rc, buf, (const uint8_t[]){ 5, 2, 0, 2 },
	    4);
	rc = proxy_socks5_greeting(buf, PROXY_SOCKS5_GREETING_MAX, 1);
	is_int(4, rc, "greeting fits PROXY_SOCKS5_GREETING_MAX");
	errno = 0;
	rc = proxy_socks5_greeting(buf, 3, 1);
	is_int(-1, rc, "greeting with auth needs 4 bytes");
	is_int(ENOBUFS, errno, "greeting short buffer errno");
	rc = proxy_socks5_greeting(buf, 2, 0);
	is_int(-1, rc, "greeting needs 3 bytes");
}

static void
test_socks5_method(void)
{
	struct errmsg e;
	int m, rc;

	m = -1;
	rc = proxy_socks5_method_reply((const uint8_t[]){ 5, 0 }, 2, 1, &m, &e);
	ok(rc == 2 && m == PROXY_SOCKS5_METHOD_NONE, "method none reported");
	m = -1;
	rc = proxy_socks5_method_reply((const uint8_t[]){ 5, 2, 5 }, 3, 1, &m, &e);
	ok(rc == 2 && m == PROXY_SOCKS5_METHOD_USERPASS,
	    "method userpass reported");
	m = -1;
	rc = proxy_socks5_method_reply((const uint8_t[]){ 5, 0xff }, 2, 1, &m, &e);
	ok(rc == -1 && m == -1, "refusal leaves *method alone");
	rc = proxy_socks5_method_reply((const uint8_t[]){ 5, 0 }, 2, 0, NULL, &e);
	is_int(2, rc, "method may be NULL");
}

static void
test_socks5_auth_request(void)
{
	static const uint8_t login[] = { 1, 5, 'a', 'l', 'i', 'c', 'e', 6,
	    's', '3', 'c', 'r', 'e', 't' };
	static const uint8_t nopass[] = { 1, 3, 'b', 'o', 'b', 0 };
	uint8_t buf[PROXY_SOCKS5_AUTH_MAX + 16], want[PROXY_SOCKS5_AUTH_MAX];
	char big[300], big2[300];
	struct errmsg e;
	size_t i;
	int rc;

	rc = proxy_socks5_auth_request(buf, sizeof(buf), "alice", "s3cret", &e);
	check_bytes("login", rc, buf, login, sizeof(login));
	rc = proxy_socks5_auth_request(buf, sizeof(buf), "bob", "", &e);
	check_bytes("login, empty password", rc, buf, nopass, sizeof(nopass));
	rc = proxy_socks5_auth_request(buf, sizeof(buf), "bob", NULL, &e);
	check_bytes("login, NULL password", rc, buf, nopass, sizeof(nopass));
	rc = proxy_socks5_auth_request(buf, sizeof(buf), NULL, "", &e);
	check_bytes("login, NULL user", rc, buf, (const uint8_t[]){ 1, 0, 0 }, 3);
	rc = proxy_socks5_auth_request(buf, sizeof(buf), "", "pw", &e);
	check_bytes("login, empty user", rc, buf,
	    (const uint8_t[]){ 1, 0, 2, 'p', 'w' }, 5);

	rc = proxy_socks5_auth_request(buf, PROXY_SOCKS5_AUTH_MAX,
	    repeat('u', 255, big), repeat('p', 255, big2), &e);
	want[0] = 1;
	want[1] = 255;
	memset(want + 2, 'u', 255);
	want[257] = 255;
	memset(want + 258, 'p', 255);
	check_bytes("login, 255-byte user and password", rc, buf, want,
	    PROXY_SOCKS5_AUTH_MAX);
	explicit_bzero(buf, sizeof(buf));

	rc = proxy_socks5_auth_request(buf, sizeof(buf), repeat('u', 256, big),
	    "x", &e);
	is_int(-1, rc, "256-byte user refused");
	is_string("SOCKS5 user name too long (256 bytes, at most 255)", e.text,
	    "long user message");
	rc = proxy_socks5_auth_request(buf, sizeof(buf), "x",
	    repeat('p', 256, big), &e);
	is_int(-1, rc, "256-byte password refused");
	is_string("SOCKS5 password too long (256 bytes, at most 255)", e.text,
	    "long password message");
	is_int(ENAMETOOLONG, e.code, "long password errno");

	memset(buf, 0xaa, sizeof(buf));
	rc = proxy_socks5_auth_request(buf, sizeof(login) - 1, "alice", "s3cret",
	    &e);
	is_int(-1, rc, "login one byte short refused");
	is_string("SOCKS5 login needs 14 bytes, buffer has 13", e.text,
	    "login short buffer message");
	for (i = 0; i < sizeof(buf) && buf[i] == 0xaa; i++)
		;
	is_int(sizeof(buf), i, "login short buffer: no password bytes written");
}

static void
test_socks5_connect_request(void)
{
	static const uint8_t v4[] = { 5, 1, 0, 1, 10, 1, 2, 3, 0x01, 0xbb };
	static const uint8_t v6[] = { 5, 1, 0, 4, 0x20, 0x01, 0x0d, 0xb8, 0, 0,
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 22 };
	static const uint8_t loop6[] = { 5, 1, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0xff };
	static const uint8_t name[] = { 5, 1, 0, 3, 10, 'd', 'b', '.', 'e', 'x',
	    'a', 'm', 'p', 'l', 'e', 0x15, 0x38 };
	static const struct {
		const char *host;
		const char *msg;
	} bad[] = {
		{ "", "missing host name" },
		{ "fe80::1%eth0", "invalid host \"fe80::1%eth0\": an IPv6 zone "
		  "index means nothing to a proxy" },
		{ "[fe80::1%eth0]", "invalid host \"fe80::1%eth0\": an IPv6 zone "
		  "index means nothing to a proxy" },
		{ "[db.example]", "invalid host \"[db.example]\": brackets need "
		  "an IPv6 address" },
		{ "[10.0.0.1]", "invalid host \"[10.0.0.1]\": brackets need "
		  "an IPv6 address" },
		{ "[::1", "invalid host \"[::1\": brackets need an IPv6 address" },
		{ "[]", "invalid host \"[]\": brackets need an IPv6 address" },
		{ "[a%b]", "invalid host \"[a%b]\": brackets need an IPv6 address" },
		{ "[::1]:22", "invalid host \"[::1]:22\": brackets need an IPv6 "
		  "address" },
		{ "[0000000000000000000000000000000000000000000000000000000000000"
		  "00000000000000000000000000000000000000000000000000000000000000"
		  "::1]", "invalid host \"[0000000000000000000000000000000000000000"
		  "00000000000000000000000000000000000000\": brackets need an "
		  "IPv6 address" },
		{ "host:22", "invalid host \"host:22\": not an IPv6 address" },
		{ "a\nb:", "invalid host \"a\\x0ab:\": not an IPv6 address" },
	};
	uint8_t buf[PROXY_SOCKS5_CONNECT_MAX + 16], want[PROXY_SOCKS5_CONNECT_MAX];
	char big[300];
	struct errmsg e;
	size_t i;
	int rc;

	rc = proxy_socks5_connect_request(buf, sizeof(buf), "10.1.2.3", 443, &e);
	check_bytes("connect IPv4", rc, buf, v4, sizeof(v4));
	rc = proxy_socks5_connect_request(buf, sizeof(buf), "2001:db8::5", 22,
	    &e);
	check_bytes("connect bare IPv6", rc, buf, v6, sizeof(v6));
	rc = proxy_socks5_connect_request(buf, sizeof(buf), "[2001:db8::5]", 22,
	    &e);
	check_bytes("connect bracketed IPv6", rc, buf, v6, sizeof(v6));
	rc = proxy_socks5_connect_request(buf, sizeof(buf), "[::1]", 65535, &e);
	check_bytes("connect [::1]", rc, buf, loop6, sizeof(loop6));
	rc = proxy_socks5_connect_request(buf, sizeof(buf), "db.example", 5432,
	    &e);
	check_bytes("connect name", rc, buf, name, sizeof(name));

	rc = proxy_socks5_connect_request(buf, PROXY_SOCKS5_CONNECT_MAX,
	    repeat('h', 255, big), 258, &e);
	memcpy(want, (const uint8_t[]){ 5, 1, 0, 3, 255 }, 5);
	memset(want + 5, 'h', 255);
	want[260] = 1;
	want[261] = 2;
	check_bytes("connect 255-byte name", rc, buf, want,
	    PROXY_SOCKS5_CONNECT_MAX);

	rc = proxy_socks5_connect_request(buf, sizeof(buf), repeat('h', 256, big),
	    22, &e);
	is_int(-1, rc, "connect 256-byte name refused");
	is_string("host name too long for a SOCKS proxy (256 bytes, at most 255)",
	    e.text, "connect long name message");
	for (i = 0; i < N(bad); i++) {
		errmsg_clear(&e);
		rc = proxy_socks5_connect_request(buf, sizeof(buf), bad[i].host, 22,
		    &e);
		is_int(-1, rc, "connect to bad host %zu refused", i);
		is_string(bad[i].msg, e.text, "connect to bad host %zu message", i);
	}
	rc = proxy_socks5_connect_request(buf, sizeof(buf), NULL, 22, &e);
	is_int(-1, rc, "connect to NULL host refused");

	memset(buf, 0xaa, sizeof(buf));
	rc = proxy_socks5_connect_request(buf, sizeof(v6) - 1, "[2001:db8::5]", 22,
	    &e);
	is_int(-1, rc, "connect one byte short refused");
	is_string("SOCKS5 CONNECT request needs 22 bytes, buffer has 21", e.text,
	    "connect short buffer message");
	for (i = 0; i < sizeof(buf) && buf[i] == 0xaa; i++)
		;
	is_int(sizeof(buf), i, "connect short buffer left untouched");
	rc = proxy_socks5_connect_request(buf, 0, "10.0.0.1", 22, &e);
	is_int(-1, rc, "connect into no buffer refused");
}

/*
 * One server's whole side of a SOCKS5 login and CONNECT arriving in one
 * read: each parser takes its reply and leaves the rest to the next.
 */
static void
test_socks5_stream(void)
{
	static const uint8_t in[] = { 5, 2, 1, 0, 5, 0, 0, 3, 2, 'g', 'w', 0, 1,
	    'S', 'S', 'H', '-' };
	struct errmsg e;
	size_t off = 0;
	int m = -1, rc;

	rc = proxy_socks5_method_reply(in + off, sizeof(in) - off, 1, &m, &e);
	ok(rc == 2 && m == PROXY_SOCKS5_METHOD_USERPASS, "stream: method");
	off += (size_t)rc;
	rc = proxy_socks5_auth_reply(in + off, sizeof(in) - off, &e);
	is_int(2, rc, "stream: login");
	off += (size_t)rc;
	rc = proxy_socks5_connect_reply(in + off, sizeof(in) - off, &e);
	is_int(9, rc, "stream: connect");
	off += (size_t)rc;
	ok(sizeof(in) - off == 4 && memcmp(in + off, "SSH-", 4) == 0,
	    "stream: the tunnel's first bytes are left");
}

/* The longest reply is PROXY_SOCKS_REPLY_MAX bytes. */
static void
test_reply_max(void)
{
	uint8_t buf[PROXY_SOCKS_REPLY_MAX + 8];
	struct errmsg e;
	int rc;

	memset(buf, 'x', sizeof(buf));
	memcpy(buf, (const uint8_t[]){ 5, 0, 0, 3, 255 }, 5);
	rc = proxy_socks5_connect_reply(buf, PROXY_SOCKS_REPLY_MAX - 1, &e);
	is_int(0, rc, "255-byte name reply: one byte short");
	rc = feed(proxy_socks5_connect_reply, buf, PROXY_SOCKS_REPLY_MAX, &e);
	is_int(PROXY_SOCKS_REPLY_MAX, rc, "255-byte name reply is the longest");
}

int
main(void)
{
	size_t i;

	plan_lazy();
	for (i = 0; i < N(reply_cases); i++)
		check_reply(&reply_cases[i]);
	test_socks4_request();
	test_socks5_greeting();
	test_socks5_method();
	test_socks5_auth_request();
	test_socks5_connect_request();
	test_socks5_stream();
	test_reply_max();
	return 0;
}
