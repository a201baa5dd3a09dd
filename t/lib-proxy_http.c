/*
 * lib-proxy_http.c: unit tests for lib/proxy_http.c (HTTP CONNECT).
 * SPDX-License-Identifier: MIT
 *
 * Every reply is parsed from a malloc'd buffer of exactly the bytes given,
 * so ASan catches a read past them.  Valid replies are also fed one byte at
 * a time (0 until the last byte, then 1) and followed by tunnel bytes that
 * must not count.  The Digest vectors are those of RFC 7616 section 3.9.1
 * with the method and uri of a CONNECT; the expected values were computed
 * independently with openssl(1), as shown next to them.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic.h"
#include "proxy_http.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define UA "User-Agent: jumpcat/" PACKAGE_VERSION "\r\n"

/* Tunnel bytes an SSH server sends right after the proxy's 200. */
#define TUNNEL "SSH-2.0-OpenSSH_9.2\r\n"

/* Parse a copy of p (n bytes) that ends exactly where the input ends. */
static int
parse(const char *p, size_t n, struct proxy_http_reply *r, struct errmsg *e)
{
	char *copy = malloc(n > 0 ? n : 1);
	int rc;

	if (copy == NULL)
		sysbail("malloc");
	memcpy(copy, p, n);
	errmsg_clear(e);
	rc = proxy_http_parse_reply(copy, n, r, e);
	free(copy);
	return rc;
}

/*
 * Feed the header block hdr (n bytes) one byte at a time: every proper
 * prefix must give 0, the whole block 1 with header_len n.  Then parse it
 * with extra bytes after it (a body or tunnel data), which must not count.
 */
static void
check_bytewise(const char *name, const char *hdr, size_t n, const char *extra)
{
	struct proxy_http_reply r;
	struct errmsg e;
	size_t i, bad = 0, xlen = strlen(extra);
	char *all;
	int rc;

	for (i = 0; i < n; i++)
		if (parse(hdr, i, &r, &e) != 0) {
			if (bad++ == 0)
				diag("%s: prefix of %zu bytes: %s", name, i, e.text);
		}
	is_int(0, (long long)bad, "%s: every prefix is incomplete", name);
	rc = parse(hdr, n, &r, &e);
	is_int(1, rc, "%s: complete at the last byte", name);
	is_int((long long)n, (long long)r.header_len, "%s: header_len", name);
	all = malloc(n + xlen);
	if (all == NULL)
		sysbail("malloc");
	memcpy(all, hdr, n);
	memcpy(all + n, extra, xlen);
	rc = parse(all, n + xlen, &r, &e);
	ok(rc == 1 && r.header_len == n, "%s: %zu bytes after it do not count",
	    name, xlen);
	free(all);
}

struct good {
	const char *name, *hdr, *extra;
	int minor, status;
	const char *reason;
	int keep_alive;
	long long content_length;
	int chunked, basic, digest;
	const char *params;	/* expected r.digest */
};

static const struct good goods[] = {
	{ "1.1 200", "HTTP/1.1 200 Connection established\r\n\r\n", TUNNEL,
	  1, 200, "Connection established", 1, -1, 0, 0, 0, "" },
	{ "1.0 200 + header", "HTTP/1.0 200 Connection established\r\n"
	  "Proxy-agent: Apache/2.4.57\r\n\r\n", TUNNEL,
	  0, 200, "Connection established", 0, -1, 0, 0, 0, "" },
	{ "bare LF", "HTTP/1.1 200 OK\nVia: 1.1 squid\n\n", TUNNEL,
	  1, 200, "OK", 1, -1, 0, 0, 0, "" },
	{ "mixed line ends", "HTTP/1.1 200 OK\r\nVia: x\n\r\n", TUNNEL,
	  1, 200, "OK", 1, -1, 0, 0, 0, "" },
	{ "no reason", "HTTP/1.1 200\r\n\r\n", TUNNEL,
	  1, 200, "", 1, -1, 0, 0, 0, "" },
	{ "empty reason", "HTTP/1.1 200 \r\n\r\n", TUNNEL,
	  1, 200, "", 1, -1, 0, 0, 0, "" },
	{ "2xx ignores framing", "HTTP/1.1 200 OK\r\nContent-Length: x\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n", TUNNEL,
	  1, 200, "OK", 1, -1, 0, 0, 0, "" },
	{ "407 Basic", "HTTP/1.1 407 Proxy Authentication Required\r\n"
	  "Server: squid/5.7\r\n"
	  "Proxy-Authenticate: Basic realm=\"Squid proxy\"\r\n"
	  "Content-Type: text/html\r\nContent-Length: 10\r\n\r\n", "0123456789",
	  1, 407, "Proxy Authentication Required", 1, 10, 0, 1, 0, "" },
	{ "407 Digest MD5", "HTTP/1.1 407 Proxy Authentication Required\r\n"
	  "Proxy-Authenticate: Digest realm=\"proxy\", nonce=\"abc123\", "
	  "qop=\"auth\", algorithm=MD5, stale=false\r\n"
	  "Content-Length: 0\r\n\r\n", TUNNEL,
	  1, 407, "Proxy Authentication Required", 1, 0, 0, 0, 1,
	  "realm=\"proxy\", nonce=\"abc123\", qop=\"auth\", algorithm=MD5, "
	  "stale=false" },
	{ "407 SHA-256 after MD5", "HTTP/1.1 407 Auth\r\n"
	  "Proxy-Authenticate: Digest realm=\"p\", nonce=\"n1\", algorithm=MD5\r\n"
	  "Proxy-Authenticate: Digest realm=\"p\", nonce=\"n2\", "
	  "algorithm=SHA-256, qop=\"auth\"\r\n"
	  "Proxy-Authenticate: Basic realm=\"p\"\r\n"
	  "Content-Length: 0\r\n\r\n", "",
	  1, 407, "Auth", 1, 0, 0, 1, 1,
	  "realm=\"p\", nonce=\"n2\", algorithm=SHA-256, qop=\"auth\"" },
	{ "407 SHA-256 before MD5", "HTTP/1.1 407 Auth\r\n"
	  "Proxy-Authenticate: Digest realm=\"p\", nonce=\"n2\", "
	  "algorithm=SHA-256, qop=\"auth\"\r\n"
	  "Proxy-Authenticate: Digest realm=\"p\", nonce=\"n1\"\r\n"
	  "Content-Length: 0\r\n\r\n", "",
	  1, 407, "Auth", 1, 0, 0, 0, 1,
	  "realm=\"p\", nonce=\"n2\", algorithm=SHA-256, qop=\"auth\"" },
	{ "several challenges in one header", "HTTP/1.1 407 Auth\r\n"
	  "Proxy-Authenticate: Negotiate, Basic realm=\"a, b\", "
	  "Digest realm=\"x,y\", nonce=\"abc\", algorithm=MD5, "
	  "Digest realm=\"x,y\" , nonce = \"d\\\"e,f\", algorithm=SHA-256, "
	  "qop=\"auth,auth-int\", NTLM, Bearer abc==\r\n"
	  "Content-Length: 0\r\n\r\n", "",
	  1, 407, "Auth", 1, 0, 0, 1, 1,
	  "realm=\"x,y\" , nonce = \"d\\\"e,f\", algorithm=SHA-256, "
	  "qop=\"auth,auth-int\"" },
	{ "unsupported Digest kept", "HTTP/1.1 407 Auth\r\n"
	  "Proxy-Authenticate: Digest realm=\"p\", nonce=\"n\", "
	  "algorithm=SHA-512-256\r\nContent-Length: 0\r\n\r\n", "",
	  1, 407, "Auth", 1, 0, 0, 0, 1,
	  "realm=\"p\", nonce=\"n\", algorithm=SHA-512-256" },
	{ "names ignore case", "HTTP/1.1 407 x\r\n"
	  "proxy-authenticate: basic realm=x\r\nCONTENT-LENGTH: 5, 5\r\n"
	  "connection: Keep-Alive\r\n\r\n", "hello",
	  1, 407, "x", 1, 5, 0, 1, 0, "" },
	{ "1.0 407 keep-alive", "HTTP/1.0 407 x\r\n"
	  "Connection: keep-alive\r\nContent-Length: 0\r\n\r\n", "",
	  0, 407, "x", 1, 0, 0, 0, 0, "" },
	{ "1.0 407 plain", "HTTP/1.0 407 x\r\nContent-Length: 0\r\n\r\n", "",
	  0, 407, "x", 0, 0, 0, 0, 0, "" },
	{ "1.1 407 close", "HTTP/1.1 407 x\r\n"
	  "Connection: foo, close\r\nContent-Length: 0\r\n\r\n", "",
	  1, 407, "x", 0, 0, 0, 0, 0, "" },
	{ "1.1 407 Proxy-Connection close", "HTTP/1.1 407 x\r\n"
	  "Proxy-Connection: close\r\nContent-Length: 0\r\n\r\n", "",
	  1, 407, "x", 0, 0, 0, 0, 0, "" },
	{ "407 body until close", "HTTP/1.1 407 x\r\n\r\n", "<html>",
	  1, 407, "x", 0, -1, 0, 0, 0, "" },
	{ "407 chunked", "HTTP/1.1 407 x\r\nContent-Length: 3\r\n"
	  "Transfer-Encoding: gzip, chunked\r\n\r\n", "0\r\n\r\n",
	  1, 407, "x", 1, -1, 1, 0, 0, "" },
	{ "407 gzip to close", "HTTP/1.1 407 x\r\n"
	  "Transfer-Encoding: gzip\r\n\r\n", "",
	  1, 407, "x", 0, -1, 0, 0, 0, "" },
	{ "100 Continue", "HTTP/1.1 100 Continue\r\n\r\n",
	  "HTTP/1.1 200 OK\r\n\r\n", 1, 100, "Continue", 1, -1, 0, 0, 0, "" },
	{ "hostile reason", "HTTP/1.1 403 \x1b[2J\tno\xff\r\n"
	  "Content-Length: 0\r\n\r\n", "",
	  1, 403, "\\x1b[2J\\x09no\\xff", 1, 0, 0, 0, 0, "" },
	{ "503 with header value controls", "HTTP/1.1 503 Down\r\n"
	  "X-Odd: a\x01" "b\x7f\xc3\xa9\r\nContent-Length: 2\r\n\r\n", "ok",
	  1, 503, "Down", 1, 2, 0, 0, 0, "" },
};

struct bad {
	const char *name, *text;
	size_t len;		/* 0: strlen(text) */
	size_t fail_at;		/* shortest prefix that already fails */
	const char *msg;
};

static const struct bad bads[] = {
	{ "ssh banner", "SSH-2.0-OpenSSH_9.2\r\n", 0, 1,
	  "not an HTTP reply: \"SSH-2.0-OpenSSH_9.2\"" },
	{ "lowercase", "http/1.1 200 OK\r\n\r\n", 0, 1,
	  "not an HTTP reply: \"http/1.1 200 OK\"" },
	{ "empty first line", "\r\n\r\n", 0, 2, "not an HTTP reply: \"\"" },
	{ "HTTP/2", "HTTP/2 200\r\n\r\n", 0, 6,
	  "unsupported HTTP version in proxy reply: \"HTTP/2 200\"" },
	{ "HTTP/1.2", "HTTP/1.2 200 OK\r\n\r\n", 0, 8,
	  "unsupported HTTP version in proxy reply: \"HTTP/1.2 200 OK\"" },
	{ "HTTP/1.10", "HTTP/1.10 200 OK\r\n\r\n", 0, 9,
	  "malformed status line in proxy reply: \"HTTP/1.10 200 OK\"" },
	{ "no status", "HTTP/1.1\r\n\r\n", 0, 10,
	  "malformed status line in proxy reply: \"HTTP/1.1\"" },
	{ "status 99", "HTTP/1.1 99\r\n\r\n", 0, 13,
	  "bad status code in proxy reply: \"HTTP/1.1 99\"" },
	{ "status 99 reason", "HTTP/1.1 99 Low\r\n\r\n", 0, 12,
	  "bad status code in proxy reply: \"HTTP/1.1 99 Low\"" },
	{ "status abc", "HTTP/1.1 abc OK\r\n\r\n", 0, 10,
	  "bad status code in proxy reply: \"HTTP/1.1 abc OK\"" },
	{ "status 600", "HTTP/1.1 600 X\r\n\r\n", 0, 12,
	  "bad status code in proxy reply: \"HTTP/1.1 600 X\"" },
	{ "status 2000", "HTTP/1.1 2000 X\r\n\r\n", 0, 13,
	  "bad status code in proxy reply: \"HTTP/1.1 2000 X\"" },
	{ "status 099", "HTTP/1.1 099 X\r\n\r\n", 0, 12,
	  "bad status code in proxy reply: \"HTTP/1.1 099 X\"" },
	{ "two spaces", "HTTP/1.1  200 OK\r\n\r\n", 0, 10,
	  "bad status code in proxy reply: \"HTTP/1.1  200 OK\"" },
	{ "NUL in status line", "HTTP/1.1 200 O\0K\r\n\r\n", 20, 15,
	  "NUL byte in proxy reply headers" },
	{ "NUL in header", "HTTP/1.1 200 OK\r\nVia: a\0b\r\n\r\n", 29, 24,
	  "NUL byte in proxy reply headers" },
	{ "NUL at start", "\0HTTP/1.1 200 OK\r\n\r\n", 20, 1,
	  "NUL byte in proxy reply headers" },
	{ "bare CR", "HTTP/1.1 200 OK\r\nVia: a\rb\r\n\r\n", 0, 25,
	  "bare CR in proxy reply headers" },
	{ "header without colon", "HTTP/1.1 200 OK\r\nbad header\r\n\r\n", 0, 29,
	  "malformed header line in proxy reply: \"bad header\"" },
	{ "space before colon", "HTTP/1.1 200 OK\r\nVia : x\r\n\r\n", 0, 26,
	  "malformed header line in proxy reply: \"Via : x\"" },
	{ "empty name", "HTTP/1.1 200 OK\r\n: x\r\n\r\n", 0, 22,
	  "malformed header line in proxy reply: \": x\"" },
	{ "folded header", "HTTP/1.1 407 x\r\nProxy-Authenticate: Basic\r\n"
	  " realm=x\r\n\r\n", 0, 53,
	  "folded header line in proxy reply (not supported): \" realm=x\"" },
	{ "bad Content-Length", "HTTP/1.1 407 x\r\nContent-Length: 1x\r\n\r\n",
	  0, 36, "bad Content-Length in proxy reply: \"1x\"" },
	{ "negative Content-Length",
	  "HTTP/1.1 407 x\r\nContent-Length: -1\r\n\r\n", 0, 36,
	  "bad Content-Length in proxy reply: \"-1\"" },
	{ "huge Content-Length",
	  "HTTP/1.1 407 x\r\nContent-Length: 99999999999999999999\r\n\r\n",
	  0, 54, "bad Content-Length in proxy reply: \"99999999999999999999\"" },
	{ "empty Content-Length", "HTTP/1.1 407 x\r\nContent-Length:\r\n\r\n",
	  0, 33, "empty Content-Length in proxy reply" },
	{ "Content-Length of commas", "HTTP/1.1 407 x\r\nContent-Length: , ,\r\n\r\n",
	  0, 37, "empty Content-Length in proxy reply" },
	{ "conflicting Content-Length in one header",
	  "HTTP/1.1 407 x\r\nContent-Length: 5, 6\r\n\r\n", 0, 38,
	  "conflicting Content-Length in proxy reply: 5 and 6" },
	{ "conflicting Content-Length", "HTTP/1.1 407 x\r\n"
	  "Content-Length: 5\r\nContent-Length: 6\r\n\r\n", 0, 54,
	  "conflicting Content-Length in proxy reply: 5 and 6" },
	{ "long garbage", "<!DOCTYPE html><html><head><title>Welcome to nginx!"
	  "</title><style>html { color-scheme: light dark; }</style>", 0, 1,
	  "not an HTTP reply: \"<!DOCTYPE html><html><head><title>Welcome to "
	  "nginx!</title><...\"" },
	{ "terminal escapes", "\x1b[2J\x1b]0;pwned\x07", 0, 1,
	  "not an HTTP reply: \"\\x1b[2J\\x1b]0;pwned\\x07\"" },
};

/* Replies that never end must stay at 0, or fail at 16 KiB. */
static void
test_incomplete(void)
{
	static const char *const cut[] = {
		"",
		"H",
		"HTTP/1.1 2",
		"HTTP/1.1 200 Connection established\r\n",
		"HTTP/1.1 200 Connection established\r\n\r",
		"HTTP/1.1 407 x\r\nProxy-Authenticate: Basic\r\n realm",
		"HTTP/1.1 407 x\r\nbad header, not finished",
		"HTTP/1.1 200 OK\n\r",
	};
	struct proxy_http_reply r;
	struct errmsg e;
	size_t i, hdrlen = 0;
	char *big;
	int rc;

	for (i = 0; i < N(cut); i++)
		is_int(0, parse(cut[i], strlen(cut[i]), &r, &e),
		    "cut-off reply %zu is incomplete", i);

	/* 20 KiB of headers: 0 below 16 KiB, -1 from 16 KiB on. */
	big = malloc(20 * 1024);
	if (big == NULL)
		sysbail("malloc");
	strcpy(big, "HTTP/1.1 200 OK\r\n");
	while (strlen(big) < 20 * 1024 - 64)
		strcat(big, "X-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
	is_int(0, parse(big, PROXY_HTTP_MAX_HEADERS - 1, &r, &e),
	    "16 KiB - 1 of headers: still incomplete");
	rc = parse(big, PROXY_HTTP_MAX_HEADERS, &r, &e);
	is_int(-1, rc, "16 KiB of headers without an end refused");
	is_string("proxy reply headers exceed 16 KiB", e.text, "16 KiB message");
	rc = parse(big, strlen(big), &r, &e);
	is_int(-1, rc, "20 KiB of headers refused");
	is_string("proxy reply headers exceed 16 KiB", e.text,
	    "20 KiB message");

	/* A status line that never ends. */
	memset(big, 'a', 20 * 1024);
	memcpy(big, "HTTP/1.1 200 ", 13);
	rc = parse(big, 20 * 1024, &r, &e);
	ok(rc == -1 && strcmp(e.text, "proxy reply headers exceed 16 KiB") == 0,
	    "20 KiB status line refused");

	/* A header block of exactly 16 KiB is accepted, one more byte not. */
	strcpy(big, "HTTP/1.1 200 OK\r\nX-Padding: ");
	hdrlen = strlen(big);
	memset(big + hdrlen, 'b', PROXY_HTTP_MAX_HEADERS - hdrlen - 4);
	memcpy(big + PROXY_HTTP_MAX_HEADERS - 4, "\r\n\r\nSSH-", 8);
	rc = parse(big, PROXY_HTTP_MAX_HEADERS + 4, &r, &e);
	ok(rc == 1 && r.header_len == PROXY_HTTP_MAX_HEADERS,
	    "a header block of exactly 16 KiB is accepted");
	memcpy(big + PROXY_HTTP_MAX_HEADERS - 4, "b\r\n\r\n", 5);
	rc = parse(big, PROXY_HTTP_MAX_HEADERS + 1, &r, &e);
	is_int(-1, rc, "a header block of 16 KiB + 1 is refused");
	free(big);
}

static void
test_replies(void)
{
	struct proxy_http_reply r;
	struct errmsg e;
	size_t i, j, len;
	int rc;

	for (i = 0; i < N(goods); i++) {
		const struct good *g = &goods[i];
		size_t n = strlen(g->hdr);

		check_bytewise(g->name, g->hdr, n, g->extra);
		rc = parse(g->hdr, n, &r, &e);
		is_int(1, rc, "%s: parsed", g->name);
		is_int(g->minor, r.minor, "%s: minor", g->name);
		is_int(g->status, r.status, "%s: status", g->name);
		is_string(g->reason, r.reason, "%s: reason", g->name);
		is_int(g->keep_alive, r.keep_alive, "%s: keep_alive", g->name);
		is_int(g->content_length, r.content_length,
		    "%s: content_length", g->name);
		is_int(g->chunked, r.chunked, "%s: chunked", g->name);
		is_int(g->basic, r.offers_basic, "%s: offers_basic", g->name);
		is_int(g->digest, r.offers_digest, "%s: offers_digest", g->name);
		is_string(g->params, r.digest, "%s: digest params", g->name);
	}

	for (i = 0; i < N(bads); i++) {
		const struct bad *b = &bads[i];

		len = b->len != 0 ? b->len : strlen(b->text);
		rc = parse(b->text, len, &r, &e);
		is_int(-1, rc, "%s: refused", b->name);
		is_string(b->msg, e.text, "%s: message", b->name);
		/* Fails as soon as the bytes show it, not before. */
		for (j = 0; j < len; j++)
			if (parse(b->text, j, &r, &e) != 0)
				break;
		is_int((long long)b->fail_at, (long long)j,
		    "%s: refused from byte %zu on", b->name, b->fail_at);
	}

	/* Tunnel bytes are never looked at, not even a NUL or a bare CR. */
	{
		static const char nul[] = "HTTP/1.1 200 OK\r\n\r\n\0\x01\rX\n";

		rc = parse(nul, sizeof(nul) - 1, &r, &e);
		ok(rc == 1 && r.header_len == 19, "NUL and CR in tunnel bytes");
	}

	/* After a 100 Continue, the caller parses again from header_len. */
	{
		static const char two[] =
		    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n" TUNNEL;
		rc = parse(two, sizeof(two) - 1, &r, &e);
		ok(rc == 1 && r.status == 100, "100 Continue comes first");
		len = r.header_len;
		rc = parse(two + len, sizeof(two) - 1 - len, &r, &e);
		ok(rc == 1 && r.status == 200 && r.header_len == 19,
		    "then the 200 after it");
	}

	/* A Digest challenge too long for r.digest is dropped. */
	{
		char *big = malloc(4096);

		if (big == NULL)
			sysbail("malloc");
		strcpy(big, "HTTP/1.1 407 x\r\nProxy-Authenticate: Digest realm=\"");
		memset(big + strlen(big), 'r', 1100);
		strcpy(big + 50 + 1100, "\", nonce=\"n\"\r\n"
		    "Proxy-Authenticate: Basic realm=b\r\n\r\n");
		rc = parse(big, strlen(big), &r, &e);
		ok(rc == 1 && r.offers_digest && r.offers_basic &&
		    r.digest[0] == '\0', "an over-long Digest challenge is dropped");
		free(big);
	}
}

static void
test_requests(void)
{
	struct errmsg e;
	char buf[512], auth[128];
	int n;

	n = proxy_http_connect_request(buf, sizeof(buf), "db.example.com", 22,
	    NULL, &e);
	is_string("CONNECT db.example.com:22 HTTP/1.1\r\n"
	    "Host: db.example.com:22\r\n" UA "\r\n", buf, "request for a name");
	is_int((long long)strlen(buf), n, "returns the length");

	n = proxy_http_connect_request(buf, sizeof(buf), "192.0.2.7", 443, NULL,
	    &e);
	is_string("CONNECT 192.0.2.7:443 HTTP/1.1\r\nHost: 192.0.2.7:443\r\n"
	    UA "\r\n", buf, "request for IPv4");

	n = proxy_http_connect_request(buf, sizeof(buf), "::1", 22, NULL, &e);
	is_string("CONNECT [::1]:22 HTTP/1.1\r\nHost: [::1]:22\r\n" UA "\r\n",
	    buf, "request for IPv6 gets brackets");
	n = proxy_http_connect_request(buf, sizeof(buf), "[2001:db8::5]", 65535,
	    NULL, &e);
	is_string("CONNECT [2001:db8::5]:65535 HTTP/1.1\r\n"
	    "Host: [2001:db8::5]:65535\r\n" UA "\r\n", buf,
	    "bracketed IPv6 keeps one pair of brackets");

	proxy_http_basic(auth, sizeof(auth), "Aladdin", "open sesame", &e);
	n = proxy_http_connect_request(buf, sizeof(buf), "db", 5432, auth, &e);
	is_string("CONNECT db:5432 HTTP/1.1\r\nHost: db:5432\r\n" UA
	    "Proxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n\r\n",
	    buf, "request with Basic auth");

	/* Exactly enough room, and one byte less. */
	n = proxy_http_connect_request(buf, sizeof(buf), "db", 5432, NULL, &e);
	ok(n > 0 && proxy_http_connect_request(buf, (size_t)n + 1, "db", 5432,
	    NULL, &e) == n, "request fits in length + 1");
	is_int(-1, proxy_http_connect_request(buf, (size_t)n, "db", 5432, NULL,
	    &e), "request refused without room for the NUL");
	snprintf(auth, sizeof(auth), "CONNECT request does not fit in %d bytes",
	    n);
	is_string(auth, e.text, "too small message");

	is_int(-1, proxy_http_connect_request(buf, sizeof(buf),
	    "a\r\nX-Evil: 1", 22, NULL, &e), "CRLF in host refused");
	is_string("invalid host \"a\\x0d\\x0aX-Evil: 1\" for CONNECT: bad character",
	    e.text, "CRLF in host message");
	is_int(-1, proxy_http_connect_request(buf, sizeof(buf), "a b", 22, NULL,
	    &e), "space in host refused");
	is_int(-1, proxy_http_connect_request(buf, sizeof(buf), "a/b", 22, NULL,
	    &e), "slash in host refused");
	is_int(-1, proxy_http_connect_request(buf, sizeof(buf), "u@b", 22, NULL,
	    &e), "@ in host refused");
	is_int(-1, proxy_http_connect_request(buf, sizeof(buf), "h\xc3\xa9", 22,
	    NULL, &e), "non-ASCII host refused");
	is_int(-1, proxy_http_connect_request(buf, sizeof(buf), "[::1", 22, NULL,
	    &e), "unbalanced bracket refused");
	is_string("invalid host \"[::1\" for CONNECT: unbalanced brackets", e.text,
	    "unbalanced bracket message");
	is_int(-1, proxy_http_connect_request(buf, sizeof(buf), "[[::1]]", 22,
	    NULL, &e), "double brackets refused");
	is_int(-1, proxy_http_connect_request(buf, sizeof(buf), "[db]", 22,
	    NULL, &e), "brackets around a name refused");
	is_string("invalid host \"[db]\" for CONNECT: brackets need an IPv6 "
	    "address", e.text, "brackets around a name message");
	is_int(-1, proxy_http_connect_request(buf, sizeof(buf), "", 22, NULL,
	    &e), "empty host refused");
	is_string("missing host name for CONNECT", e.text, "empty host message");
	is_int(-1, proxy_http_connect_request(buf, sizeof(buf), "db", 0, NULL,
	    &e), "port 0 refused");
	is_int(-1, proxy_http_connect_request(buf, sizeof(buf), "db", 22,
	    "Basic x\r\nX-Evil: 1", &e), "CRLF in auth refused");
	is_string("Proxy-Authorization value contains a control character",
	    e.text, "CRLF in auth message");

	n = proxy_http_authority(buf, sizeof(buf), "fe80::1%eth0", 22, &e);
	is_string("[fe80::1%eth0]:22", buf, "authority with a zone");
	is_int(-1, proxy_http_authority(buf, 8, "[::1]", 2222, &e),
	    "authority too long for its buffer");
}

static void
test_basic(void)
{
	static const struct {
		const char *user, *pass, *want;
	} cases[] = {
		/* printf '%s' 'Aladdin:open sesame' | base64, and so on */
		{ "Aladdin", "open sesame", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==" },
		{ "a", "", "Basic YTo=" },
		{ "ab", "c", "Basic YWI6Yw==" },
		{ "", "", "Basic Og==" },
		{ "abc", "d", "Basic YWJjOmQ=" },
	};
	struct errmsg e;
	char out[64];
	size_t i;

	for (i = 0; i < N(cases); i++) {
		is_int(0, proxy_http_basic(out, sizeof(out), cases[i].user,
		    cases[i].pass, &e), "Basic %s", cases[i].want);
		is_string(cases[i].want, out, "Basic value %zu", i);
	}
	ok(proxy_http_basic(out, 35, "Aladdin", "open sesame", &e) == 0 &&
	    strlen(out) == 34, "Basic fits in exactly length + 1");
	is_int(-1, proxy_http_basic(out, 34, "Aladdin", "open sesame", &e),
	    "Basic refused one byte short");
	is_string("Basic credentials do not fit in 34 bytes", e.text,
	    "Basic too small message");
	is_int(-1, proxy_http_basic(out, 3, "a", "b", &e),
	    "Basic refused in 3 bytes");
	is_int(-1, proxy_http_basic(out, sizeof(out), "a:b", "c", &e),
	    "Basic user with ':' refused");
	is_string("user name for Basic proxy authentication contains ':'", e.text,
	    "Basic ':' message");
}

/* The RFC 7616 section 3.9.1 challenge, as a proxy would send it. */
#define RFC_REALM "http-auth@example.org"
#define RFC_NONCE "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
#define RFC_OPAQUE "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"
#define RFC_CNONCE "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
#define RFC_PARAMS(alg) "realm=\"" RFC_REALM "\", qop=\"auth, auth-int\", " \
	"algorithm=" alg ", nonce=\"" RFC_NONCE "\", opaque=\"" RFC_OPAQUE "\""

static void
test_digest_parse(void)
{
	static const struct {
		const char *params, *msg;
	} bad[] = {
		{ "", "empty Digest challenge" },
		{ "nonce=\"n\"", "Digest challenge without realm" },
		{ "realm=\"r\"", "Digest challenge without nonce" },
		{ "realm=r, nonce=n, algorithm=SHA-512-256",
		  "unsupported Digest algorithm \"SHA-512-256\"" },
		{ "realm=r, nonce=n, algorithm=\"\"",
		  "unsupported Digest algorithm \"\"" },
		{ "realm=r, nonce=n, qop=\"auth-int\"",
		  "unsupported Digest qop \"auth-int\" (only auth)" },
		{ "realm=r, nonce=n, algorithm=MD5-sess",
		  "Digest MD5-sess without qop=auth" },
		{ "realm=r, nonce=n, nonce=m", "duplicate Digest parameter \"nonce\"" },
		{ "realm=\"r, nonce=n", "malformed Digest challenge: \"realm=\"r, nonce=n\"" },
		{ "abc==", "malformed Digest challenge: \"abc==\"" },
		{ "realm=r nonce=n", "malformed Digest challenge: \"realm=r nonce=n\"" },
		{ "realm=, nonce=n", "malformed Digest challenge: \"realm=, nonce=n\"" },
		{ "realm=\"a\x01\", nonce=n", "control character in Digest realm" },
	};
	struct proxy_http_digest d;
	struct errmsg e;
	char big[400];
	size_t i;

	is_int(0, proxy_http_digest_parse(RFC_PARAMS("SHA-256"), &d, &e),
	    "RFC 7616 challenge parsed");
	is_string(RFC_REALM, d.realm, "realm");
	is_string(RFC_NONCE, d.nonce, "nonce");
	is_string(RFC_OPAQUE, d.opaque, "opaque");
	is_string("SHA-256", d.algorithm, "algorithm");
	ok(d.qop_auth && !d.stale && !d.userhash, "qop auth, not stale");

	is_int(0, proxy_http_digest_parse("realm=r,nonce=n", &d, &e),
	    "minimal challenge parsed");
	ok(strcmp(d.algorithm, "MD5") == 0 && !d.qop_auth && d.opaque[0] == '\0',
	    "algorithm defaults to MD5, no qop");
	is_int(0, proxy_http_digest_parse(" realm = \"a\\\"b\\\\c, d\" , nonce=n,"
	    " algorithm=sha-256-SESS, qop=\"auth-int,auth\", stale=TRUE,"
	    " userhash=true, domain=\"/ http://x/\", charset=UTF-8, x=y",
	    &d, &e), "escapes, case and unknown parameters");
	is_string("a\"b\\c, d", d.realm, "quoted-pair unescaped");
	is_string("SHA-256-sess", d.algorithm, "algorithm canonical");
	ok(d.qop_auth && d.stale && d.userhash, "qop, stale and userhash");

	for (i = 0; i < N(bad); i++) {
		is_int(-1, proxy_http_digest_parse(bad[i].params, &d, &e),
		    "bad challenge %zu refused", i);
		is_string(bad[i].msg, e.text, "bad challenge %zu message", i);
	}
	strcpy(big, "realm=r, nonce=\"");
	memset(big + strlen(big), 'n', 300);
	strcpy(big + 16 + 300, "\"");
	is_int(-1, proxy_http_digest_parse(big, &d, &e), "long nonce refused");
	is_string("Digest nonce too long", e.text, "long nonce message");
	big[16 + 255] = '"';
	big[16 + 256] = '\0';
	is_int(0, proxy_http_digest_parse(big, &d, &e), "255-byte nonce fits");
	memcpy(big, "domain=\"", 8);
	memset(big + 8, 'd', 300);
	strcpy(big + 308, "\", realm=r, nonce=n");
	is_int(0, proxy_http_digest_parse(big, &d, &e),
	    "long unknown parameter ignored");
}

static void
test_digest_response(void)
{
	struct proxy_http_digest d;
	struct errmsg e;
	char out[1024];
	const char *p;

	/*
	 * Derived with openssl(1), RFC 7616 3.9.1 inputs, CONNECT as method:
	 *   h() { printf '%s' "$2" | openssl dgst -$1 -r | cut -d' ' -f1; }
	 *   R=http-auth@example.org N=7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v
	 *   C=f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ
	 *   HA1=$(h md5 "Mufasa:$R:Circle of Life")
	 *   HA2=$(h md5 CONNECT:www.example.org:443)
	 *   h md5 "$HA1:$N:00000001:$C:auth:$HA2"
	 *     -> 9813a1d1a1c5b560d5d567d6217afda7
	 * and the same with sha256 -> 6aa3bee0...e1e0f7.  The same pipeline
	 * with "GET:/dir/index.html" as HA2 input gives the RFC's own values
	 * (8ca523f5e9506fed4657c9700eebdbec and 753927fa...cb6c1), which
	 * checks the derivation.  Without qop: h md5 "$HA1:$N:$HA2".  For
	 * -sess, HA1 is h md5 "$HA1:$N:$C".  userhash: h md5 "Mufasa:$R".
	 */
	proxy_http_digest_parse(RFC_PARAMS("MD5"), &d, &e);
	is_int(0, proxy_http_digest_response(&d, "Mufasa", "Circle of Life",
	    "www.example.org:443", RFC_CNONCE, 1, out, sizeof(out), &e),
	    "MD5 response computed");
	is_string("Digest username=\"Mufasa\", realm=\"" RFC_REALM "\", "
	    "nonce=\"" RFC_NONCE "\", uri=\"www.example.org:443\", "
	    "algorithm=MD5, response=\"9813a1d1a1c5b560d5d567d6217afda7\", "
	    "qop=auth, nc=00000001, cnonce=\"" RFC_CNONCE "\", "
	    "opaque=\"" RFC_OPAQUE "\"", out, "MD5 response (RFC 7616 inputs)");

	proxy_http_digest_parse(RFC_PARAMS("SHA-256"), &d, &e);
	is_int(0, proxy_http_digest_response(&d, "Mufasa", "Circle of Life",
	    "www.example.org:443", RFC_CNONCE, 1, out, sizeof(out), &e),
	    "SHA-256 response computed");
	is_string("Digest username=\"Mufasa\", realm=\"" RFC_REALM "\", "
	    "nonce=\"" RFC_NONCE "\", uri=\"www.example.org:443\", "
	    "algorithm=SHA-256, response=\"6aa3bee06522ed8a9b69cf875dd5f489"
	    "d88eab8cd23fd317066e7ee334e1e0f7\", qop=auth, nc=00000001, "
	    "cnonce=\"" RFC_CNONCE "\", opaque=\"" RFC_OPAQUE "\"", out,
	    "SHA-256 response (RFC 7616 inputs)");

	proxy_http_digest_parse("realm=\"" RFC_REALM "\", nonce=\"" RFC_NONCE
	    "\"", &d, &e);
	proxy_http_digest_response(&d, "Mufasa", "Circle of Life",
	    "www.example.org:443", NULL, 1, out, sizeof(out), &e);
	is_string("Digest username=\"Mufasa\", realm=\"" RFC_REALM "\", "
	    "nonce=\"" RFC_NONCE "\", uri=\"www.example.org:443\", "
	    "algorithm=MD5, response=\"b7584b6acc30c4a28bd33a9b39647e8e\"", out,
	    "MD5 response without qop");

	proxy_http_digest_parse(RFC_PARAMS("MD5-sess"), &d, &e);
	proxy_http_digest_response(&d, "Mufasa", "Circle of Life",
	    "www.example.org:443", RFC_CNONCE, 1, out, sizeof(out), &e);
	ok(strstr(out, "algorithm=MD5-sess, response=\""
	    "9a2578800c95a8acb16eee6512e37060\"") != NULL, "MD5-sess response");
	proxy_http_digest_parse(RFC_PARAMS("SHA-256-sess"), &d, &e);
	proxy_http_digest_response(&d, "Mufasa", "Circle of Life",
	    "www.example.org:443", RFC_CNONCE, 1, out, sizeof(out), &e);
	ok(strstr(out, "algorithm=SHA-256-sess, response=\"f9ef8a9b74ed0b82e67e"
	    "f1f0f9424f984a955533a3471601c4a09d6533609056\"") != NULL,
	    "SHA-256-sess response");

	proxy_http_digest_parse(RFC_PARAMS("SHA-256") ", userhash=true", &d, &e);
	proxy_http_digest_response(&d, "Mufasa", "Circle of Life",
	    "www.example.org:443", RFC_CNONCE, 1, out, sizeof(out), &e);
	p = "Digest username=\"a947aad205e80e429958a387394944c6b496301e79f89d3"
	    "5a4cc23b6ee12b5b6\", realm=";
	ok(strncmp(out, p, strlen(p)) == 0 &&
	    strstr(out, "response=\"6aa3bee06522ed8a9b69cf875dd5f489d88eab8cd23fd"
	    "317066e7ee334e1e0f7\"") != NULL &&
	    strcmp(out + strlen(out) - 15, ", userhash=true") == 0,
	    "userhash sends H(user:realm) as the user name");

	/* Escaping, nonce count, refusals. */
	proxy_http_digest_parse("realm=\"a\\\"b\", nonce=n, qop=auth", &d, &e);
	proxy_http_digest_response(&d, "Mu\"fa\\sa", "pw", "[::1]:22", "c\"n",
	    0x1a, out, sizeof(out), &e);
	p = "Digest username=\"Mu\\\"fa\\\\sa\", realm=\"a\\\"b\", "
	    "nonce=\"n\", uri=\"[::1]:22\", algorithm=MD5, response=\"";
	ok(strncmp(out, p, strlen(p)) == 0,
	    "quoted values escaped: %s", out);
	ok(strstr(out, ", qop=auth, nc=0000001a, cnonce=\"c\\\"n\"") != NULL,
	    "nc in hex, cnonce escaped");
	is_int(-1, proxy_http_digest_response(&d, "a\r\nX: y", "pw", "h:1", "c",
	    1, out, sizeof(out), &e), "CRLF in user refused");
	is_string("user name for Digest proxy authentication contains a control "
	    "character", e.text, "CRLF in user message");
	is_int(-1, proxy_http_digest_response(&d, "a", "pw", "h:1", "", 1, out,
	    sizeof(out), &e), "empty cnonce refused with qop");
	is_int(-1, proxy_http_digest_response(&d, "a", "pw", "h:1", "c", 1, out,
	    100, &e), "response too long for its buffer");
	is_string("Digest credentials do not fit in 100 bytes", e.text,
	    "too small message");
	p = "Digest username=\"a\"";
	ok(strncmp(out, p, strlen(p)) == 0 && strlen(out) == 99,
	    "a cut-off response is still NUL-terminated");
	memcpy(d.algorithm, "SHA-512", 8);
	is_int(-1, proxy_http_digest_response(&d, "a", "pw", "h:1", "c", 1, out,
	    sizeof(out), &e), "unsupported algorithm refused");
}

int
main(void)
{
	plan_lazy();
	test_replies();
	test_incomplete();
	test_requests();
	test_basic();
	test_digest_parse();
	test_digest_response();
	return 0;
}
