/*
 * proxy_url-fuzz.c: libFuzzer harness for lib/proxy_url.c and the no_proxy
 * matcher of lib/proxy_env.c.
 * SPDX-License-Identifier: MIT
 *
 * The input is split in two at its first NUL byte.  Each half, with every
 * '$' expanded to a password marker, is parsed as a proxy URL: a marker
 * that lies wholly before the last '@' is in the user information and must
 * never reach an error message or the display.  Success must leave a
 * bounded, valid result that survives a round trip through the display.
 * Then the first half is a no_proxy list and the second a host: the match
 * must be case-insensitive for names, "*" must match everything, and
 * appending the host itself (or host:port) to the list must match.
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint.h"
#include "proxy_env.h"
#include "proxy_url.h"

/* '$' in the input becomes MARK; MARK_CORE must never be shown. */
#define MARK "!pW5ecr3t!"
#define MARK_CORE "pW5ecr3t"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Copy [p, p+n) into a new string with every '$' expanded to MARK. */
static char *
expand(const uint8_t *p, size_t n)
{
	char *s = malloc(n * (sizeof(MARK) - 1) + 1), *o = s;
	size_t i;

	if (s == NULL)
		abort();
	for (i = 0; i < n; i++) {
		if (p[i] == '$') {
			memcpy(o, MARK, sizeof(MARK) - 1);
			o += sizeof(MARK) - 1;
		} else {
			*o++ = (char)p[i];
		}
	}
	*o = '\0';
	return s;
}

/* How many times does needle occur in s? */
static size_t
count(const char *s, const char *needle)
{
	size_t n = 0;

	for (s = strstr(s, needle); s != NULL; s = strstr(s + 1, needle))
		n++;
	return n;
}

/*
 * Does s hold a MARK, does every MARK end before the last '@', and is
 * every MARK_CORE part of a MARK (not spelled out by the input itself)?
 */
static int
marks_secret(const char *s)
{
	const char *at = strrchr(s, '@'), *m = strstr(s, MARK);

	if (m == NULL || at == NULL || count(s, MARK) != count(s, MARK_CORE))
		return 0;
	for (; m != NULL; m = strstr(m + 1, MARK))
		if (m + sizeof(MARK) - 1 > at)
			return 0;
	return 1;
}

/* Parse s as a proxy URL and check every invariant. */
static void
check_url(const char *s)
{
	char disp[PROXY_URL_DISPLAY_MAX];
	struct proxy_url u, v;
	struct errmsg e;
	int secret = marks_secret(s);

	e.text[0] = '\0';
	if (proxy_url_parse(s, &u, &e) == -1) {
		if (e.text[0] == '\0')
			abort();
		if (secret && strstr(e.text, MARK_CORE) != NULL)
			abort();
		if (u.host[0] != '\0' || u.pass[0] != '\0' || u.user[0] != '\0')
			abort();	/* failure must wipe u */
		return;
	}
	if (strcmp(proxy_scheme_name(u.scheme), "unknown") == 0)
		abort();
	if (u.host[0] == '\0' || strlen(u.host) >= sizeof(u.host) ||
	    u.port == 0 || u.host[0] == '-')
		abort();
	if (strlen(u.user) >= sizeof(u.user) || strlen(u.pass) >= sizeof(u.pass))
		abort();
	if (strpbrk(u.user, "\r\n") != NULL || strpbrk(u.pass, "\r\n") != NULL)
		abort();
	if (u.has_userinfo ? u.user[0] == '\0' :
	    u.user[0] != '\0' || u.pass[0] != '\0')
		abort();
	if (secret && !u.has_userinfo)
		abort();
	proxy_url_display(&u, disp, sizeof(disp));
	if (strchr(disp, '@') != NULL || (secret && strstr(disp, MARK_CORE)))
		abort();
	if (strstr(u.host, MARK_CORE) != NULL && secret)
		abort();
	/* The display parses back to the same proxy (raw zones aside). */
	if (strchr(u.host, '%') == NULL) {
		if (proxy_url_parse(disp, &v, &e) == -1)
			abort();
		if (v.scheme != u.scheme || v.port != u.port ||
		    strcmp(v.host, u.host) != 0 || v.has_userinfo)
			abort();
	}
	proxy_url_clear(&u);
	if (u.pass[0] != '\0')
		abort();
}

/* Check the no_proxy matcher with list np and host h. */
static void
check_no_proxy(const char *np, const char *h, uint16_t port)
{
	char hostbuf[ENDPOINT_HOST_MAX], *upper, *list;
	struct errmsg e;
	size_t i, n;
	int m;

	m = proxy_env_no_proxy_match(np, h, port);
	if (m != 0 && m != 1)
		abort();
	if (strcmp(np, "*") == 0 && h[0] != '\0' && !m)
		abort();
	if (strchr(h, '%') == NULL) {
		upper = strdup(h);
		if (upper == NULL)
			abort();
		for (i = 0; upper[i] != '\0'; i++)
			upper[i] = (char)toupper((unsigned char)upper[i]);
		if (proxy_env_no_proxy_match(np, upper, port) != m)
			abort();
		free(upper);
	}

	/* A valid host (not all dots, no zone) matches an entry of itself. */
	if (endpoint_parse_host(h, hostbuf, sizeof(hostbuf), &e) == -1 ||
	    strcmp(hostbuf, h) != 0 || strchr(h, '%') != NULL ||
	    strspn(h, ".") == strlen(h))
		return;
	n = strlen(np) + strlen(h) + 16;
	list = malloc(n);
	if (list == NULL)
		abort();
	snprintf(list, n, "%s,%s", np, h);
	if (!proxy_env_no_proxy_match(list, h, port))
		abort();
	if (port != 0) {
		snprintf(list, n, strchr(h, ':') != NULL ? "%s,[%s]:%u" :
		    "%s,%s:%u", np, h, (unsigned)port);
		if (!proxy_env_no_proxy_match(list, h, port))
			abort();
		snprintf(list, n, strchr(h, ':') != NULL ? "%s [%s]:%u" :
		    "%s %s:%u", np, h, (unsigned)(port == 65535 ? 1 : port + 1));
		if (proxy_env_no_proxy_match(list, h, port) != m)
			abort();
	}
	free(list);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t alen = nul != NULL ? (size_t)(nul - data) : size;
	const uint8_t *b = nul != NULL ? nul + 1 : data + size;
	size_t blen = (size_t)(data + size - b);
	char *a_url, *b_url, *np, *host;
	uint16_t port;

	a_url = expand(data, alen);
	b_url = expand(b, memchr(b, '\0', blen) != NULL ?
	    (size_t)((const uint8_t *)memchr(b, '\0', blen) - b) : blen);
	check_url(a_url);
	check_url(b_url);
	free(a_url);
	free(b_url);

	np = strndup((const char *)data, alen);
	host = strndup((const char *)b, blen);
	if (np == NULL || host == NULL)
		abort();
	port = (uint16_t)(size * 131u + (size > 0 ? data[size - 1] : 0));
	check_no_proxy(np, host, port);
	check_no_proxy(np, host, 22);
	free(np);
	free(host);
	return 0;
}
