/*
 * proxy_url.c: proxy URL parsing and display; see proxy_url.h.
 * SPDX-License-Identifier: MIT
 *
 * The user information of a URL is secret (it may hold a password), so
 * every message is built from proxy_url_show()'s copy of the input, in
 * which everything before the last '@' after the scheme is replaced by
 * "***@".  Only the scheme, host and port are ever quoted.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "endpoint.h"
#include "log.h"
#include "proxy_url.h"
#include "xmalloc.h"

/* How much of the input a message quotes (after redaction). */
#define PROXY_URL_SHOW_MAX 100

/* How long a scheme we try to recognise or quote. */
#define PROXY_URL_SCHEME_MAX 32

static const struct {
	const char *name;
	enum proxy_scheme scheme;
	uint16_t port;
} proxy_url_schemes[] = {
	{ "http", PROXY_HTTP, 1080 },
	{ "https", PROXY_HTTPS, 443 },
	{ "socks4", PROXY_SOCKS4, 1080 },
	{ "socks4a", PROXY_SOCKS4A, 1080 },
	{ "socks5", PROXY_SOCKS5, 1080 },
	{ "socks5h", PROXY_SOCKS5H, 1080 },
};

#define PROXY_URL_NSCHEMES (sizeof(proxy_url_schemes) / sizeof(proxy_url_schemes[0]))

/* Can c be in a URL scheme (RFC 3986: ALPHA *( ALPHA / DIGIT / + - . ))? */
static int
proxy_url_schemechar(unsigned char c, int first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return 1;
	if (first)
		return 0;
	return (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

/* Is [s, end) a syntactically valid, non-empty scheme? */
static int
proxy_url_scheme_syntax(const char *s, const char *end)
{
	const char *p;

	if (s == end)
		return 0;
	for (p = s; p < end; p++)
		if (!proxy_url_schemechar((unsigned char)*p, p == s))
			return 0;
	return 1;
}

/*
 * The input as messages quote it: s up to rest (the scheme and "://", if
 * any), then "***@" in place of everything up to the last '@' of rest,
 * then the rest; shortened and with unprintable bytes escaped.  Writes to
 * buf (size len) and returns it.
 */
static const char *
proxy_url_show(const char *s, const char *rest, char *buf, size_t len)
{
	char tmp[PROXY_URL_SHOW_MAX + 1];
	const char *at = strrchr(rest, '@');
	size_t o = 0, n;

	n = (size_t)(rest - s);
	if (n > PROXY_URL_SCHEME_MAX + 3)
		n = PROXY_URL_SCHEME_MAX + 3;
	memcpy(tmp, s, n);
	o = n;
	if (at != NULL) {
		memcpy(tmp + o, "***@", 4);
		o += 4;
		rest = at + 1;
	}
	n = strlen(rest);
	if (n > sizeof(tmp) - 1 - o)
		n = sizeof(tmp) - 1 - o;
	memcpy(tmp + o, rest, n);
	tmp[o + n] = '\0';
	log_sanitize(buf, len, tmp);
	return buf;
}

/* The value of hex digit c, or -1. */
static int
proxy_url_hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Percent-decode the n bytes at p into out (size outlen, NUL-terminated).
 * Returns 0, or a reason for messages (which never quote the input): a bad
 * escape, a NUL, CR or LF after decoding, or too long.  On failure out is
 * wiped.
 */
static const char *
proxy_url_decode(const char *p, size_t n, char *out, size_t outlen)
{
	const char *why = NULL;
	size_t i, o = 0;
	int hi, lo;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)p[i];
		if (c == '%') {
			hi = lo = -1;
			if (i + 2 < n) {
				hi = proxy_url_hexval((unsigned char)p[i + 1]);
				lo = proxy_url_hexval((unsigned char)p[i + 2]);
			}
			if (hi < 0 || lo < 0) {
				why = "bad percent escape";
				break;
			}
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		}
		if (c == '\0' || c == '\r' || c == '\n') {
			why = "NUL, CR or LF";
			break;
		}
		if (o + 1 >= outlen) {
			why = "too long";
			break;
		}
		out[o++] = (char)c;
	}
	if (why != NULL) {
		explicit_bzero(out, outlen);
		return why;
	}
	out[o] = '\0';
	return NULL;
}

/*
 * Split the user information [p, end) at its first ':' and decode the
 * user name and password into u.  show is the redacted URL for messages.
 */
static int
proxy_url_userinfo(const char *p, const char *end, struct proxy_url *u,
    const char *show, struct errmsg *e)
{
	const char *colon, *why;
	size_t n = (size_t)(end - p);

	if (memchr(p, '/', n) != NULL || memchr(p, '?', n) != NULL ||
	    memchr(p, '#', n) != NULL)
		return errmsg_set(e, EINVAL, "invalid proxy URL \"%s\": the user "
		    "name and password must percent-encode '/', '?' and '#'", show);
	colon = memchr(p, ':', n);
	if (colon == NULL)
		colon = end;
	if (colon == p)
		return errmsg_set(e, EINVAL,
		    "invalid proxy URL \"%s\": empty user name", show);
	why = proxy_url_decode(p, (size_t)(colon - p), u->user, sizeof(u->user));
	if (why != NULL)
		return errmsg_set(e, EINVAL,
		    "invalid proxy URL \"%s\": user name: %s", show, why);
	if (colon != end) {
		why = proxy_url_decode(colon + 1, (size_t)(end - colon - 1),
		    u->pass, sizeof(u->pass));
		if (why != NULL)
			return errmsg_set(e, EINVAL,
			    "invalid proxy URL \"%s\": password: %s", show, why);
	}
	u->has_userinfo = 1;
	return 0;
}

/*
 * Copy the bracketed host [p, end) (brackets included) to out (size
 * outlen), turning RFC 6874's "%25" zone separator into '%'.  Returns 0, or
 * -1 if it does not fit.
 */
static int
proxy_url_unzone(const char *p, const char *end, char *out, size_t outlen)
{
	size_t o = 0;

	while (p < end) {
		if (o + 1 >= outlen)
			return -1;
		if (p[0] == '%' && end - p >= 3 && p[1] == '2' && p[2] == '5') {
			out[o++] = '%';
			p += 3;
		} else {
			out[o++] = *p++;
		}
	}
	out[o] = '\0';
	return 0;
}

/*
 * Parse "host[:port][/]" (host may be "[v6]") into u.  The port stays 0
 * when absent.  show is the redacted URL for messages.
 */
static int
proxy_url_hostport(const char *hp, struct proxy_url *u, const char *show,
    struct errmsg *e)
{
	char buf[PROXY_URL_HOST_MAX + 16], unzoned[PROXY_URL_HOST_MAX + 16];
	const char *q, *f, *close, *port = NULL, *host = buf;
	struct errmsg sub;
	size_t hlen = strlen(hp);
	char *colon;

	q = strpbrk(hp, "/?#");
	if (q != NULL) {
		if (q[0] == '/' && q[1] == '\0') {
			hlen = (size_t)(q - hp);
		} else {
			f = strpbrk(q, "?#");
			return errmsg_set(e, EINVAL, "invalid proxy URL \"%s\": %s",
			    show, f == NULL ? "a path other than \"/\" is not allowed" :
			    *f == '?' ? "a query is not allowed" :
			    "a fragment is not allowed");
		}
	}
	if (hlen >= sizeof(buf))
		return errmsg_set(e, ENAMETOOLONG,
		    "invalid proxy URL \"%s\": host name too long", show);
	memcpy(buf, hp, hlen);
	buf[hlen] = '\0';

	if (buf[0] == '[') {
		close = strchr(buf, ']');
		if (close == NULL)
			return errmsg_set(e, EINVAL,
			    "invalid proxy URL \"%s\": unbalanced brackets", show);
		if (close[1] == ':')
			port = close + 2;
		else if (close[1] != '\0')
			return errmsg_set(e, EINVAL,
			    "invalid proxy URL \"%s\": junk after ']'", show);
		if (proxy_url_unzone(buf, close + 1, unzoned, sizeof(unzoned)) == -1)
			return errmsg_set(e, ENAMETOOLONG,
			    "invalid proxy URL \"%s\": host name too long", show);
		host = unzoned;
	} else {
		if (strchr(buf, '%') != NULL)
			return errmsg_set(e, EINVAL, "invalid proxy URL \"%s\": "
			    "percent escapes in host names are not supported", show);
		colon = strchr(buf, ':');
		if (colon != NULL && strchr(colon + 1, ':') != NULL)
			return errmsg_set(e, EINVAL, "invalid proxy URL \"%s\": an "
			    "IPv6 address needs brackets: [addr]:port", show);
		if (colon != NULL) {
			*colon = '\0';
			port = colon + 1;
		}
	}
	errmsg_clear(&sub);
	if (endpoint_parse_host(host, u->host, sizeof(u->host), &sub) == -1)
		return errmsg_set(e, sub.code, "invalid proxy URL \"%s\": %s", show,
		    sub.text);
	if (port != NULL &&
	    endpoint_parse_port(port, 0, &u->port, &sub) == -1)
		return errmsg_set(e, sub.code, "invalid proxy URL \"%s\": %s", show,
		    sub.text);
	return 0;
}

int
proxy_url_parse(const char *s, struct proxy_url *u, struct errmsg *e)
{
	char show[4 * PROXY_URL_SHOW_MAX + 1], name[PROXY_URL_SCHEME_MAX + 1];
	const char *sep, *rest = s, *at;
	size_t i, n;
	int found = -1;

	memset(u, 0, sizeof(*u));
	if (s == NULL || *s == '\0')
		return errmsg_set(e, EINVAL, "missing proxy URL");

	sep = strstr(s, "://");
	if (sep != NULL && proxy_url_scheme_syntax(s, sep)) {
		/* A scheme too long to be ours is quoted cut short. */
		n = (size_t)(sep - s);
		if (n > PROXY_URL_SCHEME_MAX)
			n = PROXY_URL_SCHEME_MAX;
		memcpy(name, s, n);
		name[n] = '\0';
		for (i = 0; i < PROXY_URL_NSCHEMES; i++)
			if (n == (size_t)(sep - s) &&
			    strcasecmp(name, proxy_url_schemes[i].name) == 0)
				found = (int)i;
		if (found < 0)
			return errmsg_set(e, EINVAL, "unsupported proxy scheme \"%s\" "
			    "(use http, https, socks4, socks4a, socks5 or socks5h)",
			    name);
		rest = sep + 3;
	} else if (sep != NULL && strpbrk(s, ":@") == sep) {
		/* "h_ttp://host": meant as a scheme, but not one. */
		return errmsg_set(e, EINVAL, "invalid proxy URL \"%s\": bad scheme",
		    proxy_url_show(s, s, show, sizeof(show)));
	} else {
		/* No scheme (or "://" inside the user information): http. */
		found = 0;
	}
	u->scheme = proxy_url_schemes[found].scheme;
	proxy_url_show(s, rest, show, sizeof(show));

	at = strrchr(rest, '@');
	if (at != NULL && proxy_url_userinfo(rest, at, u, show, e) == -1)
		goto fail;
	if (proxy_url_hostport(at != NULL ? at + 1 : rest, u, show, e) == -1)
		goto fail;
	if (u->port == 0)
		u->port = proxy_url_schemes[found].port;
	/* A password with socks4:// is accepted: SOCKS4 has no field for it,
	 * so it is never sent, and proxy_cfg flags it for a warning. */
	return 0;

fail:
	explicit_bzero(u, sizeof(*u));
	return -1;
}

const char *
proxy_scheme_name(enum proxy_scheme s)
{
	size_t i;

	for (i = 0; i < PROXY_URL_NSCHEMES; i++)
		if (proxy_url_schemes[i].scheme == s)
			return proxy_url_schemes[i].name;
	return "unknown";
}

void
proxy_url_clear(struct proxy_url *u)
{
	if (u == NULL)
		return;
	explicit_bzero(u->pass, sizeof(u->pass));
}

const char *
proxy_url_display(const struct proxy_url *u, char *buf, size_t len)
{
	const char *name = proxy_scheme_name(u->scheme);

	if (len == 0)
		return buf;
	if (strchr(u->host, ':') != NULL)
		snprintf(buf, len, "%s://[%s]:%u", name, u->host, (unsigned)u->port);
	else
		snprintf(buf, len, "%s://%s:%u", name, u->host, (unsigned)u->port);
	return buf;
}
