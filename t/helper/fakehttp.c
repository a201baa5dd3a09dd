/*
 * fakehttp.c: fakeproxy's HTTP CONNECT modes; see fakehttp.h and the mode
 * list in fakeproxy.c.
 * SPDX-License-Identifier: MIT
 *
 * Every mode first reads the request head (up to "\r\n\r\n") and logs its
 * lines.  The Digest modes then loop over requests on the connection: a
 * request without credentials, or with wrong ones, gets a 407 (and the
 * connection closed or kept, by mode); one with the right Digest answer
 * gets "200" and is relayed.  Each decision is one log line naming the
 * request's number on its connection, which the tests look for.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "digest.h"
#include "fakehttp.h"
#include "listen.h"
#include "proxyio.h"

#define HEAD_MAX (64 * 1024)	/* request head cap */
#define FIRST_MAX (16 * 1024)	/* http-tunnel: target bytes sent with reply */
#define DIGEST_REALM "fakeproxy"

static const char reply200[] = "HTTP/1.1 200 Connection established\r\n\r\n";

/*
 * Read an HTTP request head (up to and including "\r\n\r\n") into buf
 * (cap bytes), of which the first have bytes are already there (left over
 * from the previous request on the connection).  Set *headlen to the
 * head's length and *total to all bytes in buf (bytes after the head were
 * sent early by the client).  Log every line.  Returns 0, or -1 on EOF,
 * timeout or a head longer than cap.
 */
static int
read_http_head(int fd, char *buf, size_t cap, size_t have, size_t *headlen,
    size_t *total)
{
	char *end = memmem(buf, have, "\r\n\r\n", 4), *p, *eol;
	ssize_t r;

	while (end == NULL) {
		if (have == cap) {
			proxyio_say("request head longer than %zu bytes", cap);
			return -1;
		}
		if (!proxyio_wait_readable(fd, PROXYIO_TIMEOUT_MS)) {
			proxyio_say("timeout waiting for the request head (%zu bytes so far)", have);
			return -1;
		}
		r = read(fd, buf + have, cap - have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			proxyio_say("client closed before the end of the request head (%zu bytes)", have);
			if (have > 0)
				proxyio_say_line(buf, have);
			return -1;
		}
		have += (size_t)r;
		end = memmem(buf, have, "\r\n\r\n", 4);
	}
	*headlen = (size_t)(end - buf) + 4;
	*total = have;
	for (p = buf; p < end; p = eol + 2) {
		eol = memmem(p, (size_t)(end + 2 - p), "\r\n", 2);
		proxyio_say_line(p, (size_t)(eol - p));
	}
	if (*total > *headlen)
		proxyio_say("client sent %zu tunnel bytes with the request", *total - *headlen);
	return 0;
}

/*
 * Split the request line "CONNECT host:port HTTP/1.x" (the first line of
 * head) into the request-target as sent (target, targetsz bytes), host
 * (brackets of "[v6]" removed, hostsz bytes) and port (portsz bytes).
 * Returns 0, or -1 if it is no CONNECT line.
 */
static int
parse_connect(const char *head, char *target, size_t targetsz, char *host,
    size_t hostsz, char *port, size_t portsz)
{
	const char *t = head + 8, *eol, *sp, *colon;
	size_t hl, pl;

	if (strncmp(head, "CONNECT ", 8) != 0 || (eol = strstr(t, "\r\n")) == NULL ||
	    (sp = memchr(t, ' ', (size_t)(eol - t))) == NULL ||
	    (colon = memrchr(t, ':', (size_t)(sp - t))) == NULL ||
	    (size_t)(sp - t) >= targetsz)
		return -1;
	memcpy(target, t, (size_t)(sp - t));
	target[sp - t] = '\0';
	hl = (size_t)(colon - t);
	pl = (size_t)(sp - colon - 1);
	if (hl >= 2 && t[0] == '[' && t[hl - 1] == ']')
		t++, hl -= 2;
	if (hl == 0 || hl >= hostsz || pl == 0 || pl >= portsz)
		return -1;
	memcpy(host, t, hl);
	host[hl] = '\0';
	memcpy(port, colon + 1, pl);
	port[pl] = '\0';
	return 0;
}

/*
 * The value of header name in the request head (headlen bytes), white
 * space trimmed, copied into out (size outlen).  Returns 1 if found.
 */
static int
find_header(const char *head, size_t headlen, const char *name, char *out,
    size_t outlen)
{
	const char *p = memmem(head, headlen, "\r\n", 2), *end = head + headlen;
	const char *eol, *v;
	size_t nlen = strlen(name), vlen;

	for (; p != NULL && p + 2 < end; p = eol) {
		p += 2;
		eol = memmem(p, (size_t)(end - p), "\r\n", 2);
		if (eol == NULL || (size_t)(eol - p) <= nlen || p[nlen] != ':' ||
		    strncasecmp(p, name, nlen) != 0)
			continue;
		for (v = p + nlen + 1; v < eol && (*v == ' ' || *v == '\t'); v++)
			;
		vlen = (size_t)(eol - v);
		while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
			vlen--;
		if (vlen >= outlen)
			vlen = outlen - 1;
		memcpy(out, v, vlen);
		out[vlen] = '\0';
		return 1;
	}
	return 0;
}

/* http-bigheaders: a 200 status line, then 20 KiB of header lines. */
static void
serve_bigheaders(int fd)
{
	static char big[24 * 1024];
	size_t k = 0;

	k += (size_t)snprintf(big, sizeof big, "HTTP/1.1 200 OK\r\n");
	for (int n = 1; k < 17 + 20 * 1024; n++)
		k += (size_t)snprintf(big + k, sizeof big - k, "X-Filler-%d: %s\r\n", n,
		    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
	if (listen_write_all(fd, big, k) < 0)
		proxyio_say("write: %s", strerror(errno));
	else
		proxyio_say("sent a 200 status line and %zu bytes of header lines, no blank line", k - 17);
	proxyio_hold_open(fd, NULL);
}

/* Connect to the target of head's CONNECT line; -1 if it has none. */
static int
dial_connect(const struct fakeproxy_opts *o, const char *head)
{
	char target[300], host[256], port[16];

	if (parse_connect(head, target, sizeof target, host, sizeof host, port,
	    sizeof port) < 0)
		return -1;
	return proxyio_dial_target(o, host, port);
}

/* http-slow: the reply one byte per 100 ms, then relay (or hold). */
static void
serve_slow(int fd, const struct fakeproxy_opts *o, const char *head,
    size_t headlen, size_t total)
{
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	int tfd;

	for (size_t i = 0; i < sizeof reply200 - 1; i++) {
		if (listen_write_all(fd, reply200 + i, 1) < 0) {
			proxyio_say("client went away after %zu reply bytes: %s", i, strerror(errno));
			close(fd);
			return;
		}
		nanosleep(&ts, NULL);
	}
	proxyio_say("sent the reply slowly (%zu bytes)", sizeof reply200 - 1);
	if ((tfd = dial_connect(o, head)) < 0) {
		proxyio_hold_open(fd, "no target");
		return;
	}
	proxyio_relay(fd, tfd, head + headlen, total - headlen);
}

/*
 * http-tunnel: connect to the target, send the 200 reply together with
 * the target's first bytes in one write(2), then relay.
 */
static void
serve_tunnel(int fd, const struct fakeproxy_opts *o, const char *head,
    size_t headlen, size_t total)
{
	static char out[sizeof reply200 + FIRST_MAX];
	char target[300], host[256], port[16];
	ssize_t n = 0;
	int tfd;

	if (parse_connect(head, target, sizeof target, host, sizeof host, port,
	    sizeof port) < 0) {
		proxyio_say("not a CONNECT request: 400");
		proxyio_send_str(fd, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
		proxyio_linger_close(fd);
		return;
	}
	if ((tfd = proxyio_dial_target(o, host, port)) < 0) {
		proxyio_send_str(fd, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
		proxyio_linger_close(fd);
		return;
	}
	if (total > headlen && listen_write_all(tfd, head + headlen, total - headlen) < 0)
		proxyio_say("write to target: %s", strerror(errno));
	memcpy(out, reply200, sizeof reply200 - 1);
	if (proxyio_wait_readable(tfd, 1000)) {
		do
			n = read(tfd, out + sizeof reply200 - 1, FIRST_MAX);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			n = 0;
	}
	if (write(fd, out, sizeof reply200 - 1 + (size_t)n) !=
	    (ssize_t)(sizeof reply200 - 1 + (size_t)n)) {
		proxyio_say("reply write short or failed: %s", strerror(errno));
		close(fd);
		close(tfd);
		return;
	}
	proxyio_say("sent the 200 reply and %zd tunnel bytes in one write", n);
	proxyio_relay(fd, tfd, "", 0);
}

/* Which Digest algorithms mode offers (0: not a Digest mode). */
static unsigned
digest_algs(const char *mode)
{
	if (strcmp(mode, "http-digest-md5") == 0)
		return DIGEST_MD5;
	if (strcmp(mode, "http-digest-sha256") == 0)
		return DIGEST_SHA256;
	if (strcmp(mode, "http-digest-both") == 0)
		return DIGEST_MD5 | DIGEST_SHA256;
	return 0;
}

/*
 * Send the Digest modes' 407: http-digest-md5 says "Connection: close";
 * the others keep the connection and send a body, its second half in a
 * second write 50 ms later, so the client has to wait for the rest of it.
 * http-digest-both offers Basic first, then MD5, then SHA-256.
 */
static int
send_digest_407(int fd, const struct digest_expect *x, const char *mode)
{
	static const char body[] = "<html><head><title>407 Proxy Authentication "
	    "Required</title></head><body><p>fakeproxy wants a Digest "
	    "answer.</p></body></html>\n";
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	char head[2048], ch[2][600];
	size_t half = (sizeof body - 1) / 2;
	int close_after = x->algs == DIGEST_MD5, n;

	if (digest_challenge(ch[0], sizeof ch[0], x, DIGEST_MD5) < 0 ||
	    digest_challenge(ch[1], sizeof ch[1], x, DIGEST_SHA256) < 0)
		proxyio_die(0, "Digest challenge too long");
	n = snprintf(head, sizeof head,
	    "HTTP/1.1 407 Proxy Authentication Required\r\n"
	    "%s%s%s%s%s%s%s"
	    "Content-Type: text/html\r\n"
	    "%s"
	    "Content-Length: %zu\r\n\r\n%.*s",
	    x->algs == (DIGEST_MD5 | DIGEST_SHA256) ?
	    "Proxy-Authenticate: Basic realm=\"" DIGEST_REALM "\"\r\n" : "",
	    x->algs & DIGEST_MD5 ? "Proxy-Authenticate: " : "",
	    x->algs & DIGEST_MD5 ? ch[0] : "", x->algs & DIGEST_MD5 ? "\r\n" : "",
	    x->algs & DIGEST_SHA256 ? "Proxy-Authenticate: " : "",
	    x->algs & DIGEST_SHA256 ? ch[1] : "",
	    x->algs & DIGEST_SHA256 ? "\r\n" : "",
	    close_after ? "Connection: close\r\n" : "", sizeof body - 1,
	    close_after ? (int)(sizeof body - 1) : (int)half, body);
	if (n < 0 || (size_t)n >= sizeof head)
		proxyio_die(0, "407 too long");
	if (listen_write_all(fd, head, (size_t)n) < 0)
		return -1;
	if (close_after) {
		proxyio_say("%s: sent 407 with Connection: close, closing", mode);
		return 0;
	}
	nanosleep(&ts, NULL);
	if (listen_write_all(fd, body + half, sizeof body - 1 - half) < 0)
		return -1;
	proxyio_say("%s: sent 407 (keep-alive, %zu-byte body in two writes)", mode,
	    sizeof body - 1);
	return 0;
}

/*
 * Judge one request's credentials in a Digest mode and log the verdict.
 * Returns 1 if the Digest answer is right.
 */
static int
judge_digest(const char *head, size_t headlen, struct digest_expect *x,
    int req)
{
	char auth[2048], why[200];
	unsigned alg;

	if (!find_header(head, headlen, "Proxy-Authorization", auth, sizeof auth)) {
		proxyio_say("request %d on this connection: no credentials", req);
		return 0;
	}
	if (strncasecmp(auth, "Basic ", 6) == 0) {
		proxyio_say("request %d on this connection: Basic, not Digest: refused", req);
		return 0;
	}
	if ((alg = digest_verify(auth, x, why, sizeof why)) == 0) {
		proxyio_say("request %d on this connection: Digest refused: %s", req, why);
		return 0;
	}
	proxyio_say("request %d on this connection: Digest %s ok for user %s", req,
	    digest_alg_name(alg), x->user);
	return 1;
}

/*
 * The Digest modes: 407 until a request carries the right Digest answer,
 * then 200 and relay.  http-digest-md5 closes after each 407; the others
 * read the next request on the same connection.
 */
static void
serve_digest(int fd, const struct fakeproxy_opts *o, char *head)
{
	struct digest_expect x = { o->user, o->pass, DIGEST_REALM, o->nonce,
	    o->opaque, NULL, digest_algs(o->mode) };
	char target[300], host[256], port[16];
	size_t have = 0, headlen, total;
	int tfd, req;

	for (req = 1;; req++) {
		if (read_http_head(fd, head, HEAD_MAX - 1, have, &headlen, &total) < 0) {
			close(fd);
			return;
		}
		head[total] = '\0';
		if (parse_connect(head, target, sizeof target, host, sizeof host,
		    port, sizeof port) < 0) {
			proxyio_say("request %d on this connection: not a CONNECT: 400", req);
			proxyio_send_str(fd, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
			proxyio_linger_close(fd);
			return;
		}
		x.uri = target;
		if (judge_digest(head, headlen, &x, req))
			break;
		if (send_digest_407(fd, &x, o->mode) < 0) {
			proxyio_say("write to client: %s", strerror(errno));
			close(fd);
			return;
		}
		if (x.algs == DIGEST_MD5) {
			proxyio_linger_close(fd);
			return;
		}
		have = total - headlen;
		memmove(head, head + headlen, have);
	}
	if ((tfd = proxyio_dial_target(o, host, port)) < 0) {
		proxyio_send_str(fd, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
		proxyio_linger_close(fd);
		return;
	}
	if (listen_write_all(fd, reply200, sizeof reply200 - 1) < 0) {
		close(fd);
		close(tfd);
		return;
	}
	proxyio_relay(fd, tfd, head + headlen, total - headlen);
}

void
fakehttp_serve(int fd, const struct fakeproxy_opts *o)
{
	static char head[HEAD_MAX];
	static const char r407[] = "HTTP/1.1 407 Proxy Authentication Required\r\n"
	    "Proxy-Authenticate: Basic realm=\"fake\"\r\nContent-Length: 0\r\n\r\n";
	static const char cut[] = "HTTP/1.1 200 Connection established\r\nProxy-Ag";
	static const char stall[] = "HTTP/1.1 200 Connection established\r\n";
	static const char garbage[] = "SSH-2.0-OpenSSH_9.2\r\n";
	const char *m = o->mode;
	size_t headlen, total;
	char auth[16];

	if (digest_algs(m) != 0) {
		serve_digest(fd, o, head);
		return;
	}
	if (read_http_head(fd, head, sizeof head - 1, 0, &headlen, &total) < 0) {
		close(fd);
		return;
	}
	head[total] = '\0';
	if (strcmp(m, "http-tunnel") == 0) {
		serve_tunnel(fd, o, head, headlen, total);
	} else if (strcmp(m, "http-slow") == 0) {
		serve_slow(fd, o, head, headlen, total);
	} else if (strcmp(m, "http-bigheaders") == 0) {
		serve_bigheaders(fd);
	} else if (strcmp(m, "http-silent") == 0) {
		proxyio_hold_open(fd, "http-silent: request read");
	} else if (strcmp(m, "http-stall") == 0) {
		proxyio_send_str(fd, stall);
		proxyio_hold_open(fd, "http-stall: status line sent");
	} else if (strcmp(m, "http-407-silent") == 0 &&
	    find_header(head, headlen, "Proxy-Authorization", auth, sizeof auth)) {
		proxyio_hold_open(fd, "http-407-silent: request with credentials read");
	} else {
		proxyio_send_str(fd, strncmp(m, "http-407", 8) == 0 ? r407 :
		    strcmp(m, "http-cut") == 0 ? cut : garbage);
		proxyio_linger_close(fd);
	}
}
