/*
 * proxy_http.c: HTTP CONNECT requests, replies and proxy credentials; see
 * proxy_http.h.
 * SPDX-License-Identifier: MIT
 *
 * The reply parser is stateless: every call re-reads the bytes received so
 * far, line by line, up to the first empty line or PROXY_HTTP_MAX_HEADERS.
 * Complete lines are checked as they arrive, and so is the start of the
 * status line, so garbage fails early instead of after 16 KiB.  Nothing is
 * ever read past the end of the header block: what follows belongs to the
 * tunnel.  Proxy-Authenticate values are split into challenges by the rules
 * of RFC 9110 11.6.1: a list element that starts with "token=" continues
 * the current challenge, any other one starts a new challenge; commas in
 * quoted strings do not split.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "log.h"
#include "proxy_http.h"
#include "xmalloc.h"

#define PROXY_HTTP_SHOW 60		/* bytes of peer input quoted */
#define PROXY_HTTP_SHOWBUF (PROXY_HTTP_SHOW * 4 + 8)
#define PROXY_HTTP_HOST_MAX 1024	/* longest host for CONNECT */

/* proxy_http_digest_parse() reads values into a buffer of this size. */
#define PROXY_HTTP_VALUE_MAX 256
_Static_assert(sizeof(((struct proxy_http_digest *)0)->realm) ==
    PROXY_HTTP_VALUE_MAX && sizeof(((struct proxy_http_digest *)0)->nonce) ==
    PROXY_HTTP_VALUE_MAX && sizeof(((struct proxy_http_digest *)0)->opaque) ==
    PROXY_HTTP_VALUE_MAX, "Digest fields hold any value that was read");

/* What the header lines said, kept until the final decisions. */
struct proxy_http_hdrs {
	int is_2xx;		/* Content-Length and Transfer-Encoding ignored */
	int conn_close;		/* Connection: close */
	int conn_keep_alive;	/* Connection: keep-alive */
	int cl_seen;		/* a Content-Length was seen */
	int te_seen;		/* a Transfer-Encoding was seen */
	int te_chunked;		/* ... and its last coding was chunked */
	int digest_rank;	/* rank of the Digest challenge in r->digest */
};

/*
 * A printable copy of peer bytes p (n bytes) for a message, in out (size
 * outlen, PROXY_HTTP_SHOWBUF is enough): at most PROXY_HTTP_SHOW bytes, cut
 * at a NUL, with "..." when cut short for length.
 */
static const char *
proxy_http_show(const char *p, size_t n, char *out, size_t outlen)
{
	char tmp[PROXY_HTTP_SHOW + 4];
	size_t i;

	for (i = 0; i < n && i < PROXY_HTTP_SHOW && p[i] != '\0'; i++)
		tmp[i] = p[i];
	tmp[i] = '\0';
	log_sanitize(out, outlen, tmp);
	if (i == PROXY_HTTP_SHOW && i < n && p[i] != '\0' &&
	    strlen(out) + 4 <= outlen)
		strcat(out, "...");
	return out;
}

/* Is c a tchar, a byte of an RFC 9110 token? */
static int
proxy_http_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Is c optional white space (SP or HTAB)? */
static int
proxy_http_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* Is c a control byte that must not reach a header (HTAB is allowed)? */
static int
proxy_http_ctl(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

/* Does s contain a control byte (see proxy_http_ctl)? */
static int
proxy_http_has_ctl(const char *s)
{
	for (; *s != '\0'; s++)
		if (proxy_http_ctl((unsigned char)*s))
			return 1;
	return 0;
}

/* Do the n bytes at p equal lit, ignoring ASCII case? */
static int
proxy_http_ieq(const char *p, size_t n, const char *lit)
{
	size_t i;
	unsigned char a, b;

	if (n != strlen(lit))
		return 0;
	for (i = 0; i < n; i++) {
		a = (unsigned char)p[i];
		b = (unsigned char)lit[i];
		if (a >= 'A' && a <= 'Z')
			a = (unsigned char)(a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z')
			b = (unsigned char)(b - 'A' + 'a');
		if (a != b)
			return 0;
	}
	return 1;
}

/*
 * Step through a comma-separated list p (n bytes).  From *pos, skip white
 * space and empty elements, point *el at the next element and set *elen to
 * its length without surrounding white space; commas inside quoted strings
 * (with backslash escapes) do not split.  Returns 0 at the end of the list.
 */
static int
proxy_http_next_elem(const char *p, size_t n, size_t *pos, const char **el,
    size_t *elen)
{
	size_t i = *pos, start, end;
	int quoted = 0;

	while (i < n && (proxy_http_ows(p[i]) || p[i] == ','))
		i++;
	if (i >= n) {
		*pos = n;
		return 0;
	}
	for (start = i; i < n; i++) {
		if (quoted) {
			if (p[i] == '\\' && i + 1 < n)
				i++;
			else if (p[i] == '"')
				quoted = 0;
		} else if (p[i] == '"') {
			quoted = 1;
		} else if (p[i] == ',') {
			break;
		}
	}
	for (end = i; end > start && proxy_http_ows(p[end - 1]); end--)
		;
	*el = p + start;
	*elen = end - start;
	*pos = i;
	return 1;
}

int
proxy_http_authority(char *buf, size_t len, const char *host, uint16_t port,
    struct errmsg *e)
{
	char show[PROXY_HTTP_SHOWBUF];
	const char *h = host;
	size_t hlen, i;
	int n, bracket;

	if (host == NULL || *host == '\0')
		return errmsg_set(e, EINVAL, "missing host name for CONNECT");
	if (port == 0)
		return errmsg_set(e, EINVAL, "port 0 for CONNECT");
	hlen = strlen(host);
	if (hlen > PROXY_HTTP_HOST_MAX)
		return errmsg_set(e, ENAMETOOLONG,
		    "host name for CONNECT too long (%zu bytes)", hlen);
	bracket = memchr(host, ':', hlen) != NULL;
	if (host[0] == '[') {
		if (hlen < 3 || host[hlen - 1] != ']')
			return errmsg_set(e, EINVAL,
			    "invalid host \"%s\" for CONNECT: unbalanced brackets",
			    proxy_http_show(host, hlen, show, sizeof(show)));
		h = host + 1;
		hlen -= 2;
		if (memchr(h, ':', hlen) == NULL)
			return errmsg_set(e, EINVAL,
			    "invalid host \"%s\" for CONNECT: brackets need an IPv6 address",
			    proxy_http_show(host, strlen(host), show,
			    sizeof(show)));
		bracket = 1;
	}
	for (i = 0; i < hlen; i++) {
		unsigned char c = (unsigned char)h[i];

		if (c <= 0x20 || c >= 0x7f || strchr("/?#@\"<>\\^`{|}[]", c))
			return errmsg_set(e, EINVAL,
			    "invalid host \"%s\" for CONNECT: bad character",
			    proxy_http_show(host, strlen(host), show,
			    sizeof(show)));
	}
	if (bracket)
		n = snprintf(buf, len, "[%.*s]:%u", (int)hlen, h, (unsigned)port);
	else
		n = snprintf(buf, len, "%.*s:%u", (int)hlen, h, (unsigned)port);
	if (n < 0 || (size_t)n >= len)
		return errmsg_set(e, ENOBUFS,
		    "CONNECT target does not fit in %zu bytes", len);
	return n;
}

int
proxy_http_connect_request(char *buf, size_t len, const char *host,
    uint16_t port, const char *auth, struct errmsg *e)
{
	char target[PROXY_HTTP_HOST_MAX + 16];
	int n;

	if (proxy_http_authority(target, sizeof(target), host, port, e) == -1)
		return -1;
	if (auth != NULL && proxy_http_has_ctl(auth))
		return errmsg_set(e, EINVAL,
		    "Proxy-Authorization value contains a control character");
	n = snprintf(buf, len,
	    "CONNECT %s HTTP/1.1\r\n"
	    "Host: %s\r\n"
	    "User-Agent: jumpcat/" PACKAGE_VERSION "\r\n"
	    "%s%s%s"
	    "\r\n",
	    target, target,
	    auth != NULL ? "Proxy-Authorization: " : "",
	    auth != NULL ? auth : "",
	    auth != NULL ? "\r\n" : "");
	if (n < 0 || (size_t)n >= len)
		return errmsg_set(e, ENOBUFS,
		    "CONNECT request does not fit in %zu bytes", len);
	return n;
}

/*
 * Check the status line p (n bytes, without its line end; complete says
 * whether the line end was seen) and fill r's minor, status and reason.
 * Returns 1 when it is good, 0 when more bytes are needed to tell, -1 (e
 * set) when it is bad.  An incomplete line is checked as far as it goes.
 */
static int
proxy_http_status_line(const char *p, size_t n, int complete,
    struct proxy_http_reply *r, struct errmsg *e)
{
	static const char proto[] = "HTTP/1.";
	char show[PROXY_HTTP_SHOWBUF], tmp[sizeof(r->reason)];
	size_t i, rlen;
	int status = 0;

	for (i = 0; i < 5; i++) {
		if (i == n && !complete)
			return 0;
		if (i == n || p[i] != proto[i])
			return errmsg_set(e, EPROTO, "not an HTTP reply: \"%s\"",
			    proxy_http_show(p, n, show, sizeof(show)));
	}
	for (; i < 8; i++) {
		if (i == n && !complete)
			return 0;
		if (i == n || (i < 7 && p[i] != proto[i]) ||
		    (i == 7 && p[i] != '0' && p[i] != '1'))
			return errmsg_set(e, EPROTO,
			    "unsupported HTTP version in proxy reply: \"%s\"",
			    proxy_http_show(p, n, show, sizeof(show)));
	}
	if (n == 8 && !complete)
		return 0;
	if (n == 8 || p[8] != ' ')
		return errmsg_set(e, EPROTO,
		    "malformed status line in proxy reply: \"%s\"",
		    proxy_http_show(p, n, show, sizeof(show)));
	for (i = 9; i < 12; i++) {
		if (i == n && !complete)
			return 0;
		if (i == n || p[i] < '0' || p[i] > '9')
			return errmsg_set(e, EPROTO,
			    "bad status code in proxy reply: \"%s\"",
			    proxy_http_show(p, n, show, sizeof(show)));
		status = status * 10 + (p[i] - '0');
	}
	if (status < 100 || status > 599 || (n > 12 && p[12] != ' '))
		return errmsg_set(e, EPROTO,
		    "bad status code in proxy reply: \"%s\"",
		    proxy_http_show(p, n, show, sizeof(show)));
	if (!complete)
		return 0;
	r->minor = p[7] - '0';
	r->status = status;
	rlen = n > 13 ? n - 13 : 0;
	if (rlen >= sizeof(tmp))
		rlen = sizeof(tmp) - 1;
	if (rlen > 0)
		memcpy(tmp, p + 13, rlen);
	tmp[rlen] = '\0';
	log_sanitize(r->reason, sizeof(r->reason), tmp);
	return 1;
}

/*
 * Offer one Digest challenge, whose parameters are p (n bytes), for
 * r->digest: it replaces the one there if its rank is higher.  Ranks:
 * SHA-256 3, MD5 2, unparseable or unsupported 1 (kept so that
 * proxy_http_digest_parse() can say what is wrong with it).  Challenges too
 * long for r->digest are dropped.
 */
static void
proxy_http_digest_offer(const char *p, size_t n, struct proxy_http_reply *r,
    struct proxy_http_hdrs *h)
{
	struct proxy_http_digest d;
	char params[sizeof(r->digest)];
	int rank = 1;

	if (n >= sizeof(params))
		return;
	memcpy(params, p, n);
	params[n] = '\0';
	if (proxy_http_digest_parse(params, &d, NULL) == 0)
		rank = strncmp(d.algorithm, "SHA-256", 7) == 0 ? 3 : 2;
	if (rank > h->digest_rank) {
		memcpy(r->digest, params, n + 1);
		h->digest_rank = rank;
	}
}

/* Take the challenges of one Proxy-Authenticate value v (n bytes). */
static void
proxy_http_challenges(const char *v, size_t n, struct proxy_http_reply *r,
    struct proxy_http_hdrs *h)
{
	const char *el, *params = NULL;
	size_t pos = 0, elen, tl, j, plen = 0;
	int digest = 0;

	while (proxy_http_next_elem(v, n, &pos, &el, &elen)) {
		for (tl = 0; tl < elen && proxy_http_tchar((unsigned char)el[tl]);
		    tl++)
			;
		for (j = tl; j < elen && proxy_http_ows(el[j]); j++)
			;
		if (tl > 0 && j < elen && el[j] == '=') {
			/* An auth-param of the current challenge. */
			if (digest)
				plen = (size_t)(el + elen - params);
			continue;
		}
		/* A new challenge: "scheme", "scheme param" or "scheme t68". */
		if (digest)
			proxy_http_digest_offer(params, plen, r, h);
		digest = 0;
		if (proxy_http_ieq(el, tl, "Basic")) {
			r->offers_basic = 1;
		} else if (proxy_http_ieq(el, tl, "Digest")) {
			r->offers_digest = 1;
			digest = 1;
			params = el + j;
			plen = elen - j;
		}
	}
	if (digest)
		proxy_http_digest_offer(params, plen, r, h);
}

/* Take one Content-Length value v (n bytes), a list of equal numbers. */
static int
proxy_http_content_length(const char *v, size_t n, struct proxy_http_reply *r,
    struct proxy_http_hdrs *h, struct errmsg *e)
{
	char show[PROXY_HTTP_SHOWBUF];
	const char *el;
	size_t pos = 0, elen, i;
	long long cl;

	for (i = 0; i < n && (v[i] == ',' || proxy_http_ows(v[i])); i++)
		;
	if (i == n)
		return errmsg_set(e, EPROTO, "empty Content-Length in proxy reply");
	while (proxy_http_next_elem(v, n, &pos, &el, &elen)) {
		cl = 0;
		for (i = 0; i < elen; i++) {
			if (el[i] < '0' || el[i] > '9' ||
			    cl > (0x7fffffffffffffffLL - 9) / 10)
				return errmsg_set(e, EPROTO,
				    "bad Content-Length in proxy reply: \"%s\"",
				    proxy_http_show(v, n, show, sizeof(show)));
			cl = cl * 10 + (el[i] - '0');
		}
		if (h->cl_seen && cl != r->content_length)
			return errmsg_set(e, EPROTO,
			    "conflicting Content-Length in proxy reply: %lld and %lld",
			    r->content_length, cl);
		r->content_length = cl;
		h->cl_seen = 1;
	}
	return 0;
}

/*
 * Check one header line p (n bytes, no line end, not empty) and take what
 * it says into r and h.  Returns 0, or -1 (e set) if it is malformed.
 */
static int
proxy_http_header(const char *p, size_t n, struct proxy_http_reply *r,
    struct proxy_http_hdrs *h, struct errmsg *e)
{
	char show[PROXY_HTTP_SHOWBUF];
	const char *colon, *v, *el;
	size_t nlen, vlen, pos = 0, elen, tl;

	if (proxy_http_ows(p[0]))
		return errmsg_set(e, EPROTO,
		    "folded header line in proxy reply (not supported): \"%s\"",
		    proxy_http_show(p, n, show, sizeof(show)));
	colon = memchr(p, ':', n);
	nlen = colon != NULL ? (size_t)(colon - p) : 0;
	for (tl = 0; tl < nlen && proxy_http_tchar((unsigned char)p[tl]); tl++)
		;
	if (colon == NULL || nlen == 0 || tl != nlen)
		return errmsg_set(e, EPROTO,
		    "malformed header line in proxy reply: \"%s\"",
		    proxy_http_show(p, n, show, sizeof(show)));
	v = colon + 1;
	vlen = n - nlen - 1;
	while (vlen > 0 && proxy_http_ows(v[0])) {
		v++;
		vlen--;
	}
	while (vlen > 0 && proxy_http_ows(v[vlen - 1]))
		vlen--;

	if (proxy_http_ieq(p, nlen, "Connection") ||
	    proxy_http_ieq(p, nlen, "Proxy-Connection")) {
		while (proxy_http_next_elem(v, vlen, &pos, &el, &elen)) {
			if (proxy_http_ieq(el, elen, "close"))
				h->conn_close = 1;
			else if (proxy_http_ieq(el, elen, "keep-alive"))
				h->conn_keep_alive = 1;
		}
	} else if (proxy_http_ieq(p, nlen, "Content-Length")) {
		if (!h->is_2xx)
			return proxy_http_content_length(v, vlen, r, h, e);
	} else if (proxy_http_ieq(p, nlen, "Transfer-Encoding")) {
		while (!h->is_2xx &&
		    proxy_http_next_elem(v, vlen, &pos, &el, &elen)) {
			for (tl = 0; tl < elen &&
			    proxy_http_tchar((unsigned char)el[tl]); tl++)
				;
			h->te_seen = 1;
			h->te_chunked = proxy_http_ieq(el, tl, "chunked");
		}
	} else if (proxy_http_ieq(p, nlen, "Proxy-Authenticate")) {
		proxy_http_challenges(v, vlen, r, h);
	}
	return 0;
}

/* The decisions that need all header lines: body framing, keep-alive. */
static void
proxy_http_finish(struct proxy_http_reply *r, const struct proxy_http_hdrs *h)
{
	int bodyless;

	if (h->te_seen) {
		/* Transfer-Encoding overrides Content-Length (RFC 9112 6.3). */
		r->chunked = h->te_chunked;
		r->content_length = -1;
	}
	if (r->minor == 1)
		r->keep_alive = !h->conn_close;
	else
		r->keep_alive = h->conn_keep_alive && !h->conn_close &&
		    !h->te_seen;
	/* A body that ends only at close leaves nothing to keep. */
	bodyless = h->is_2xx || r->status < 200 || r->status == 204 ||
	    r->status == 304;
	if (!bodyless && !r->chunked && r->content_length < 0)
		r->keep_alive = 0;
	if (h->te_seen && !h->te_chunked)
		r->keep_alive = 0;
}

int
proxy_http_parse_reply(const char *buf, size_t len,
    struct proxy_http_reply *r, struct errmsg *e)
{
	struct proxy_http_hdrs h;
	const char *nl;
	size_t win, pos = 0, end, lend, i;

	memset(r, 0, sizeof(*r));
	r->content_length = -1;
	memset(&h, 0, sizeof(h));
	win = len < PROXY_HTTP_MAX_HEADERS ? len : PROXY_HTTP_MAX_HEADERS;
	for (;;) {
		nl = pos < win ? memchr(buf + pos, '\n', win - pos) : NULL;
		end = nl != NULL ? (size_t)(nl - buf) : win;
		for (i = pos; i < end; i++) {
			if (buf[i] == '\0')
				return errmsg_set(e, EPROTO,
				    "NUL byte in proxy reply headers");
			/* A CR at the end may be waiting for its LF. */
			if (buf[i] == '\r' && i + 1 < end)
				return errmsg_set(e, EPROTO,
				    "bare CR in proxy reply headers");
		}
		lend = end > pos && buf[end - 1] == '\r' ? end - 1 : end;
		if (nl == NULL) {
			if (pos == 0 &&
			    proxy_http_status_line(buf, lend, 0, r, e) == -1)
				return -1;
			if (len >= PROXY_HTTP_MAX_HEADERS)
				return errmsg_set(e, EMSGSIZE,
				    "proxy reply headers exceed 16 KiB");
			return 0;
		}
		if (pos == 0) {
			if (proxy_http_status_line(buf, lend, 1, r, e) == -1)
				return -1;
			h.is_2xx = r->status >= 200 && r->status <= 299;
		} else if (lend == pos) {
			r->header_len = end + 1;
			break;
		} else if (proxy_http_header(buf + pos, lend - pos, r, &h,
		    e) == -1) {
			return -1;
		}
		pos = end + 1;
	}
	proxy_http_finish(r, &h);
	return 1;
}

int
proxy_http_basic(char *out, size_t outlen, const char *user, const char *pass,
    struct errmsg *e)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char g[3];
	size_t ulen, plen, n, i, o = 6, gl = 0;

	if (strchr(user, ':') != NULL)
		return errmsg_set(e, EINVAL,
		    "user name for Basic proxy authentication contains ':'");
	ulen = strlen(user);
	plen = strlen(pass);
	n = ulen + 1 + plen;
	if (outlen < 6 || (outlen - 6 - 1) / 4 < (n + 2) / 3)
		return errmsg_set(e, ENOBUFS,
		    "Basic credentials do not fit in %zu bytes", outlen);
	memcpy(out, "Basic ", 6);
	/* Encode user ":" pass without building it in memory. */
	for (i = 0; i <= n; i++) {
		if (i < n)
			g[gl++] = (unsigned char)(i < ulen ? user[i] :
			    i == ulen ? ':' : pass[i - ulen - 1]);
		if (gl == 3 || (i == n && gl > 0)) {
			if (gl < 3)
				memset(g + gl, 0, 3 - gl);
			out[o++] = b64[g[0] >> 2];
			out[o++] = b64[((g[0] & 0x03) << 4) | (g[1] >> 4)];
			out[o++] = gl > 1 ? b64[((g[1] & 0x0f) << 2) | (g[2] >> 6)] :
			    '=';
			out[o++] = gl > 2 ? b64[g[2] & 0x3f] : '=';
			gl = 0;
		}
	}
	out[o] = '\0';
	explicit_bzero(g, sizeof(g));
	return 0;
}

/* The canonical spelling of a supported Digest algorithm, or NULL. */
static const char *
proxy_http_digest_algorithm(const char *s)
{
	static const char *const algs[] = {
		"MD5", "MD5-sess", "SHA-256", "SHA-256-sess",
	};
	size_t i;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (proxy_http_ieq(s, strlen(s), algs[i]))
			return algs[i];
	return NULL;
}

/*
 * Read one auth-param value at *pp (a token or a quoted-string, unescaped)
 * into val (size vlen), advancing *pp.  Returns 0, 1 if it was too long
 * (the rest is skipped), or -1 on bad syntax.
 */
static int
proxy_http_param_value(const char **pp, char *val, size_t vlen)
{
	const char *p = *pp;
	size_t o = 0;
	int cut = 0;

	if (*p == '"') {
		for (p++; *p != '"'; p++) {
			if (*p == '\\')
				p++;
			if (*p == '\0')
				return -1;
			if (o + 1 < vlen)
				val[o++] = *p;
			else
				cut = 1;
		}
		p++;
	} else {
		for (; proxy_http_tchar((unsigned char)*p); p++) {
			if (o + 1 < vlen)
				val[o++] = *p;
			else
				cut = 1;
		}
		if (p == *pp)
			return -1;
	}
	val[o] = '\0';
	*pp = p;
	return cut;
}

int
proxy_http_digest_parse(const char *params, struct proxy_http_digest *d,
    struct errmsg *e)
{
	static const char *const known[] = {
		"realm", "nonce", "opaque", "algorithm", "qop", "stale",
		"userhash",
	};
	char show[PROXY_HTTP_SHOWBUF], val[PROXY_HTTP_VALUE_MAX];
	const char *p = params, *name, *alg, *el;
	size_t nlen, k, pos, elen;
	unsigned seen = 0;
	int cut;

	memset(d, 0, sizeof(*d));
	if (*params == '\0')
		return errmsg_set(e, EPROTO, "empty Digest challenge");
	for (;;) {
		while (proxy_http_ows(*p) || *p == ',')
			p++;
		if (*p == '\0')
			break;
		for (name = p; proxy_http_tchar((unsigned char)*p); p++)
			;
		nlen = (size_t)(p - name);
		while (proxy_http_ows(*p))
			p++;
		if (nlen == 0 || *p != '=')
			return errmsg_set(e, EPROTO,
			    "malformed Digest challenge: \"%s\"",
			    proxy_http_show(params, strlen(params), show,
			    sizeof(show)));
		for (p++; proxy_http_ows(*p); p++)
			;
		cut = proxy_http_param_value(&p, val, sizeof(val));
		while (proxy_http_ows(*p))
			p++;
		if (cut == -1 || (*p != ',' && *p != '\0'))
			return errmsg_set(e, EPROTO,
			    "malformed Digest challenge: \"%s\"",
			    proxy_http_show(params, strlen(params), show,
			    sizeof(show)));
		for (k = 0; k < sizeof(known) / sizeof(known[0]); k++)
			if (proxy_http_ieq(name, nlen, known[k]))
				break;
		if (k == sizeof(known) / sizeof(known[0]))
			continue;	/* domain, charset, extensions */
		if (seen & (1u << k))
			return errmsg_set(e, EPROTO,
			    "duplicate Digest parameter \"%s\"", known[k]);
		seen |= 1u << k;
		if (cut)
			return errmsg_set(e, EPROTO, "Digest %s too long",
			    known[k]);
		if (proxy_http_has_ctl(val))
			return errmsg_set(e, EPROTO,
			    "control character in Digest %s", known[k]);
		switch (k) {
		case 0:
			memcpy(d->realm, val, strlen(val) + 1);
			break;
		case 1:
			memcpy(d->nonce, val, strlen(val) + 1);
			break;
		case 2:
			memcpy(d->opaque, val, strlen(val) + 1);
			break;
		case 3:
			alg = proxy_http_digest_algorithm(val);
			if (alg == NULL)
				return errmsg_set(e, ENOTSUP,
				    "unsupported Digest algorithm \"%s\"",
				    proxy_http_show(val, strlen(val), show,
				    sizeof(show)));
			memcpy(d->algorithm, alg, strlen(alg) + 1);
			break;
		case 4:
			pos = 0;
			while (proxy_http_next_elem(val, strlen(val), &pos, &el,
			    &elen))
				if (proxy_http_ieq(el, elen, "auth"))
					d->qop_auth = 1;
			if (!d->qop_auth)
				return errmsg_set(e, ENOTSUP,
				    "unsupported Digest qop \"%s\" (only auth)",
				    proxy_http_show(val, strlen(val), show,
				    sizeof(show)));
			break;
		case 5:
			d->stale = proxy_http_ieq(val, strlen(val), "true");
			break;
		case 6:
			d->userhash = proxy_http_ieq(val, strlen(val), "true");
			break;
		}
	}
	if (!(seen & 1u))
		return errmsg_set(e, EPROTO, "Digest challenge without realm");
	if (!(seen & 2u))
		return errmsg_set(e, EPROTO, "Digest challenge without nonce");
	if (d->algorithm[0] == '\0')
		memcpy(d->algorithm, "MD5", 4);
	if (strstr(d->algorithm, "-sess") != NULL && !d->qop_auth)
		return errmsg_set(e, ENOTSUP, "Digest %s without qop=auth",
		    d->algorithm);
	return 0;
}

/*
 * The lowercase hex digest of the nparts strings in parts joined with ':',
 * into hex (size 2 * EVP_MAX_MD_SIZE + 1).  Returns 0, or -1 if OpenSSL
 * fails (an algorithm disabled by policy, say).
 */
static int
proxy_http_hash(const EVP_MD *md, const char *const *parts, size_t nparts,
    char *hex)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char dg[EVP_MAX_MD_SIZE];
	unsigned dlen = 0, i;
	EVP_MD_CTX *ctx;
	int ok;

	hex[0] = '\0';
	if (md == NULL || (ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	ok = EVP_DigestInit_ex(ctx, md, NULL) == 1;
	for (i = 0; ok && i < nparts; i++) {
		if (i > 0)
			ok = EVP_DigestUpdate(ctx, ":", 1) == 1;
		if (ok)
			ok = EVP_DigestUpdate(ctx, parts[i], strlen(parts[i])) == 1;
	}
	if (ok)
		ok = EVP_DigestFinal_ex(ctx, dg, &dlen) == 1;
	EVP_MD_CTX_free(ctx);	/* clears its state, which saw parts */
	for (i = 0; ok && i < dlen; i++) {
		hex[2 * i] = digits[dg[i] >> 4];
		hex[2 * i + 1] = digits[dg[i] & 0xf];
	}
	hex[ok ? 2 * dlen : 0] = '\0';
	explicit_bzero(dg, sizeof(dg));
	return ok ? 0 : -1;
}

/* An output buffer that remembers whether anything did not fit. */
struct proxy_http_out {
	char *p;
	size_t len, off;
	int full;
};

/* Append the byte c to o, or note that it did not fit. */
static void
proxy_http_putc(struct proxy_http_out *o, char c)
{
	if (o->off + 1 < o->len)
		o->p[o->off++] = c;
	else
		o->full = 1;
}

/* Append s to o; with quote, as a quoted-string with '"' and '\' escaped. */
static void
proxy_http_put(struct proxy_http_out *o, const char *s, int quote)
{
	if (quote)
		proxy_http_putc(o, '"');
	for (; *s != '\0'; s++) {
		if (quote && (*s == '"' || *s == '\\'))
			proxy_http_putc(o, '\\');
		proxy_http_putc(o, *s);
	}
	if (quote)
		proxy_http_putc(o, '"');
}

int
proxy_http_digest_response(const struct proxy_http_digest *d,
    const char *user, const char *pass, const char *uri, const char *cnonce,
    unsigned nc, char *out, size_t outlen, struct errmsg *e)
{
	char ha1[2 * EVP_MAX_MD_SIZE + 1], sess[sizeof(ha1)];
	char ha2[sizeof(ha1)], resp[sizeof(ha1)], uhash[sizeof(ha1)];
	char ncs[16];
	const char *parts[6];
	struct proxy_http_out o = { out, outlen, 0, 0 };
	const EVP_MD *md;
	int rc;

	if (strncmp(d->algorithm, "SHA-256", 7) == 0)
		md = EVP_sha256();
	else if (strncmp(d->algorithm, "MD5", 3) == 0)
		md = EVP_md5();
	else
		return errmsg_set(e, ENOTSUP,
		    "unsupported Digest algorithm \"%s\"", d->algorithm);
	if (proxy_http_has_ctl(user))
		return errmsg_set(e, EINVAL,
		    "user name for Digest proxy authentication contains a control character");
	if (d->qop_auth && (cnonce == NULL || *cnonce == '\0'))
		return errmsg_set(e, EINVAL, "empty Digest cnonce");
	if (proxy_http_has_ctl(uri) || (d->qop_auth && proxy_http_has_ctl(cnonce)))
		return errmsg_set(e, EINVAL,
		    "control character in Digest uri or cnonce");
	if (strstr(d->algorithm, "-sess") != NULL && !d->qop_auth)
		return errmsg_set(e, ENOTSUP, "Digest %s without qop=auth",
		    d->algorithm);
	snprintf(ncs, sizeof(ncs), "%08x", nc);

	/* HA1 = H(user:realm:pass), or for -sess H(that:nonce:cnonce). */
	parts[0] = user;
	parts[1] = d->realm;
	parts[2] = pass;
	rc = proxy_http_hash(md, parts, 3, ha1);
	if (rc == 0 && strstr(d->algorithm, "-sess") != NULL) {
		parts[0] = ha1;
		parts[1] = d->nonce;
		parts[2] = cnonce;
		rc = proxy_http_hash(md, parts, 3, sess);
		memcpy(ha1, sess, sizeof(ha1));
		explicit_bzero(sess, sizeof(sess));
	}
	/* HA2 = H("CONNECT":uri). */
	parts[0] = "CONNECT";
	parts[1] = uri;
	if (rc == 0)
		rc = proxy_http_hash(md, parts, 2, ha2);
	parts[0] = ha1;
	parts[1] = d->nonce;
	if (d->qop_auth) {
		parts[2] = ncs;
		parts[3] = cnonce;
		parts[4] = "auth";
		parts[5] = ha2;
		if (rc == 0)
			rc = proxy_http_hash(md, parts, 6, resp);
	} else {
		parts[2] = ha2;
		if (rc == 0)
			rc = proxy_http_hash(md, parts, 3, resp);
	}
	explicit_bzero(ha1, sizeof(ha1));
	/* With userhash the user name goes as H(user:realm) (RFC 7616 3.4.4). */
	parts[0] = user;
	parts[1] = d->realm;
	if (rc == 0 && d->userhash)
		rc = proxy_http_hash(md, parts, 2, uhash);
	if (rc == -1)
		return errmsg_set(e, EIO, "cannot compute %s digest with OpenSSL",
		    d->algorithm);

	proxy_http_put(&o, "Digest username=", 0);
	proxy_http_put(&o, d->userhash ? uhash : user, 1);
	proxy_http_put(&o, ", realm=", 0);
	proxy_http_put(&o, d->realm, 1);
	proxy_http_put(&o, ", nonce=", 0);
	proxy_http_put(&o, d->nonce, 1);
	proxy_http_put(&o, ", uri=", 0);
	proxy_http_put(&o, uri, 1);
	proxy_http_put(&o, ", algorithm=", 0);
	proxy_http_put(&o, d->algorithm, 0);
	proxy_http_put(&o, ", response=", 0);
	proxy_http_put(&o, resp, 1);
	if (d->qop_auth) {
		proxy_http_put(&o, ", qop=auth, nc=", 0);
		proxy_http_put(&o, ncs, 0);
		proxy_http_put(&o, ", cnonce=", 0);
		proxy_http_put(&o, cnonce, 1);
	}
	if (d->opaque[0] != '\0') {
		proxy_http_put(&o, ", opaque=", 0);
		proxy_http_put(&o, d->opaque, 1);
	}
	if (d->userhash)
		proxy_http_put(&o, ", userhash=true", 0);
	if (outlen > 0)
		out[o.off] = '\0';
	if (o.full)
		return errmsg_set(e, ENOBUFS,
		    "Digest credentials do not fit in %zu bytes", outlen);
	return 0;
}
