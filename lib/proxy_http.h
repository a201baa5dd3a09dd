/*
 * proxy_http.h: the HTTP CONNECT proxy protocol, as pure functions.
 * SPDX-License-Identifier: MIT
 *
 * Build the CONNECT request, parse the proxy's reply header block
 * incrementally, and compute Basic and Digest (RFC 7616) credentials for
 * Proxy-Authorization.  Nothing here does I/O or keeps state between calls:
 * the caller owns the buffers and the connection, so unit tests and the
 * fuzzer drive these functions directly.  Errors come back in a struct
 * errmsg as one sanitized line that quotes at most ~60 bytes of what the
 * proxy sent.  Temporary copies of a password or of HA1 are wiped before
 * returning.
 */
#ifndef HOPKIT_PROXY_HTTP_H
#define HOPKIT_PROXY_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "errmsg.h"

#define PROXY_HTTP_MAX_HEADERS (16 * 1024)	/* reply header block limit */

/*
 * Write the request-target "host:port" into buf (size len), with brackets
 * around a host containing ':' (an IPv6 literal; one already in brackets is
 * left alone; brackets around anything else are refused).  A zone index
 * ("fe80::1%eth0") is passed as it is, not as RFC 6874's "%25".  This is
 * also the uri for proxy_http_digest_response().
 * Returns the length, or -1 (e set) if buf is too small, port is 0, or host
 * is empty or has a byte that cannot be in a URI authority (controls,
 * space, DEL, non-ASCII, and "/?#@\"<>\\^`{|}").
 */
int proxy_http_authority(char *buf, size_t len, const char *host,
    uint16_t port, struct errmsg *e);

/*
 * Build the CONNECT request into buf (size len, NUL-terminated):
 *   CONNECT host:port HTTP/1.1\r\n
 *   Host: host:port\r\n
 *   User-Agent: jumpcat/PACKAGE_VERSION\r\n
 *   [Proxy-Authorization: auth\r\n]
 *   \r\n
 * with host:port as proxy_http_authority() writes it.  auth may be NULL; it
 * must not contain control bytes other than HTAB.  Returns the length
 * (without the NUL), or -1 (e set) if buf is too small or host or auth
 * are refused.
 */
int proxy_http_connect_request(char *buf, size_t len, const char *host,
    uint16_t port, const char *auth, struct errmsg *e);

struct proxy_http_reply {
	int minor;		/* HTTP/1.x minor version: 0 or 1 */
	int status;		/* 100..599 */
	char reason[128];	/* reason phrase, log_sanitize'd, may be "" */
	size_t header_len;	/* bytes of the header block including the
				   final CRLFCRLF (or LFLF) */
	int keep_alive;		/* the proxy keeps the connection after this
				   reply and its body: 1.1 without "close" or
				   1.0 with "keep-alive", and (not 2xx) a body
				   whose end is known without a close */
	long long content_length; /* -1 if absent, chunked, or status 2xx */
	int chunked;		/* the body is chunked (never for 2xx) */
	int offers_basic;	/* a Proxy-Authenticate: Basic challenge */
	int offers_digest;	/* a Proxy-Authenticate: Digest challenge */
	char digest[1024];	/* the strongest Digest challenge's parameters
				   (the text after "Digest "): SHA-256 over
				   MD5 over unsupported algorithms; "" if
				   every Digest challenge was too long */
};

/*
 * Parse the proxy's reply from buf (len bytes: everything received so far).
 * Returns 0 when the header block is not complete yet (len is below
 * PROXY_HTTP_MAX_HEADERS and nothing seen so far is malformed), 1 when it
 * is (r filled; bytes from r->header_len on are the tunnel stream or the
 * reply body and are never read), or -1 (e set) on a malformed reply:
 * something other than "HTTP/1.0 " or "HTTP/1.1 " at the start, a status
 * outside 100..599, a NUL byte, a bare CR, a header line without a colon or
 * with a bad name, a folded header line (obs-fold is rejected, not
 * unfolded), a bad or conflicting Content-Length (not checked for 2xx, as
 * RFC 9110 9.3.6 says), or no end of headers within PROXY_HTTP_MAX_HEADERS.
 * Garbage at the start is reported as soon as the first bytes show it, so
 * a caller talking to an SSH server by mistake does not wait for 16 KiB.
 * A 1xx reply is returned as it is: the caller skips header_len bytes and
 * parses again.  r is meaningful only after a return of 1.
 */
int proxy_http_parse_reply(const char *buf, size_t len,
    struct proxy_http_reply *r, struct errmsg *e);

/*
 * Write "Basic <base64(user:pass)>" into out (size outlen, NUL-terminated).
 * Returns 0, or -1 (e set) if it does not fit or user contains ':'.
 */
int proxy_http_basic(char *out, size_t outlen, const char *user,
    const char *pass, struct errmsg *e);

struct proxy_http_digest {
	char realm[256], nonce[256], opaque[256];
	char algorithm[32];	/* "MD5", "MD5-sess", "SHA-256" or
				   "SHA-256-sess" (canonical spelling) */
	int qop_auth;		/* the qop list contains "auth" */
	int stale;		/* stale=true: retry with the new nonce */
	int userhash;		/* userhash=true: supported (RFC 7616 3.4.4) */
};

/*
 * Parse the parameters of a Digest challenge (the text after "Digest ")
 * into d.  Returns 0, or -1 (e set) if the syntax is bad, realm or nonce is
 * missing, a value is too long or holds control bytes, a parameter repeats,
 * the algorithm is not one of the four above, qop is offered without
 * "auth" (auth-int is not supported), or a -sess algorithm comes without
 * qop=auth.
 */
int proxy_http_digest_parse(const char *params, struct proxy_http_digest *d,
    struct errmsg *e);

/*
 * Write the Proxy-Authorization value for challenge d into out (size outlen):
 *   Digest username="..", realm="..", nonce="..", uri="..", algorithm=..,
 *   response="..", qop=auth, nc=0000000N, cnonce=".." [, opaque=".."]
 *   [, userhash=true]
 * (qop, nc and cnonce only when d->qop_auth).  uri is the request-target
 * ("host:port", see proxy_http_authority()); cnonce comes from the caller
 * (random in real use, fixed in tests) and nc is the nonce count.  Quoted
 * values have '"' and '\' escaped; a non-ASCII user name goes as it is
 * (no username*).  Returns 0, or -1 (e set) if out is too small (out is
 * still NUL-terminated), user, uri or cnonce has control bytes, cnonce is
 * NULL or empty with qop, or hashing fails.
 */
int proxy_http_digest_response(const struct proxy_http_digest *d,
    const char *user, const char *pass, const char *uri, const char *cnonce,
    unsigned nc, char *out, size_t outlen, struct errmsg *e);

#endif
