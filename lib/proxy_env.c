/*
 * proxy_env.c: https_proxy/all_proxy selection and no_proxy matching; see
 * proxy_env.h.
 * SPDX-License-Identifier: MIT
 *
 * no_proxy is matched without resolving anything: the host is classified
 * once as an IPv4 address, an IPv6 address (with an optional zone) or a
 * name, and each entry is compared only with hosts of its own kind.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "endpoint.h"
#include "proxy_env.h"

/* Longer hosts or entries cannot be valid names or addresses. */
#define PROXY_ENV_HOST_MAX 1024
#define PROXY_ENV_ENTRY_MAX 1024
#define PROXY_ENV_ZONE_MAX 64

/* The proxy variables, in the order they are tried. */
static const char *const proxy_env_vars[] = {
	"https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
};

/* An address literal: family, network-order bytes and zone ("" if none). */
struct proxy_env_addr {
	int family;			/* AF_INET or AF_INET6 */
	unsigned char bytes[16];
	char zone[PROXY_ENV_ZONE_MAX];
};

/* The host being checked, classified once. */
struct proxy_env_host {
	int is_addr;
	struct proxy_env_addr addr;	/* when is_addr */
	const char *name;		/* when !is_addr: no trailing '.' */
	size_t namelen;
};

const char *
proxy_env_getenv(const char *name, void *arg)
{
	(void)arg;
	return getenv(name);
}

/*
 * Parse an IPv4 or IPv6 literal ("fe80::1%eth0" keeps its zone; IPv4 takes
 * none) into a.  s is modified (the zone separator is cut).  Returns 0 or
 * -1.
 */
static int
proxy_env_parse_addr(char *s, struct proxy_env_addr *a)
{
	char *pct;

	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->bytes) == 1) {
		a->family = AF_INET;
		return 0;
	}
	pct = strchr(s, '%');
	if (pct != NULL) {
		if (pct[1] == '\0' || strlen(pct + 1) >= sizeof(a->zone))
			return -1;
		memcpy(a->zone, pct + 1, strlen(pct + 1) + 1);
		*pct = '\0';
	}
	if (inet_pton(AF_INET6, s, a->bytes) != 1)
		return -1;
	a->family = AF_INET6;
	return 0;
}

/* Do the first bits bits of a and b agree? */
static int
proxy_env_prefix_eq(const unsigned char *a, const unsigned char *b,
    unsigned bits)
{
	unsigned bytes = bits / 8, rest = bits % 8;
	unsigned char mask;

	if (bytes > 0 && memcmp(a, b, bytes) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (unsigned char)(0xff << (8 - rest));
	return ((a[bytes] ^ b[bytes]) & mask) == 0;
}

/* Parse a CIDR prefix length (decimal, at most max); -1 if bad. */
static int
proxy_env_prefixlen(const char *s, unsigned max)
{
	unsigned v = 0;
	const char *p;

	if (*s == '\0' || strlen(s) > 3)
		return -1;
	for (p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (unsigned)(*p - '0');
	}
	return v <= max ? (int)v : -1;
}

/* Does the name entry e (NUL-terminated, modifiable) match the host name? */
static int
proxy_env_name_match(char *e, const struct proxy_env_host *h)
{
	size_t elen;

	if (e[0] == '*' && e[1] == '.')
		e++;
	if (e[0] == '.')
		e++;
	elen = strlen(e);
	if (elen > 0 && e[elen - 1] == '.')
		e[--elen] = '\0';
	if (elen == 0 || elen > h->namelen)
		return 0;
	if (elen == h->namelen)
		return strncasecmp(e, h->name, elen) == 0;
	return h->name[h->namelen - elen - 1] == '.' &&
	    strncasecmp(e, h->name + h->namelen - elen, elen) == 0;
}

/*
 * Does the address entry a (with prefix length bits, or -1 for an exact
 * address) match the host?  An entry without a zone matches any zone.
 */
static int
proxy_env_addr_match(const struct proxy_env_addr *a, int bits,
    const struct proxy_env_host *h)
{
	if (!h->is_addr || h->addr.family != a->family)
		return 0;
	if (bits >= 0)
		return proxy_env_prefix_eq(a->bytes, h->addr.bytes, (unsigned)bits);
	if (!proxy_env_prefix_eq(a->bytes, h->addr.bytes,
	    a->family == AF_INET ? 32 : 128))
		return 0;
	return a->zone[0] == '\0' || strcmp(a->zone, h->addr.zone) == 0;
}

/*
 * Does the entry [tok, tok+len) match host h and port?  Forms: "*", name,
 * addr, addr/len, [v6], [v6]/len, [v6/len], and any of these except "*"
 * followed by ":port" (a bare IPv6 address takes no port: brackets).
 */
static int
proxy_env_entry_match(const char *tok, size_t len,
    const struct proxy_env_host *h, uint16_t port)
{
	char buf[PROXY_ENV_ENTRY_MAX + 1];
	char *hp = buf, *portstr = NULL, *prefix = NULL, *close, *colon, *slash;
	struct proxy_env_addr a;
	struct errmsg e;
	uint16_t eport;
	int bits = -1;

	if (len == 1 && tok[0] == '*')
		return 1;
	if (len > PROXY_ENV_ENTRY_MAX)
		return 0;
	memcpy(buf, tok, len);
	buf[len] = '\0';

	if (buf[0] == '[') {
		close = strchr(buf, ']');
		if (close == NULL)
			return 0;
		*close = '\0';
		hp = buf + 1;
		if (close[1] == ':')
			portstr = close + 2;
		else if (close[1] == '/')
			prefix = close + 2;
		else if (close[1] != '\0')
			return 0;
	} else {
		colon = strchr(buf, ':');
		if (colon != NULL && strchr(colon + 1, ':') == NULL) {
			*colon = '\0';
			portstr = colon + 1;
		}
	}
	if (portstr != NULL) {
		if (endpoint_parse_port(portstr, 0, &eport, &e) == -1)
			return 0;
		if (eport != port)
			return 0;
	}
	slash = strchr(hp, '/');
	if (slash != NULL) {
		if (prefix != NULL)
			return 0;
		*slash = '\0';
		prefix = slash + 1;
	}
	if (prefix != NULL) {
		if (proxy_env_parse_addr(hp, &a) == -1 || a.zone[0] != '\0')
			return 0;
		bits = proxy_env_prefixlen(prefix, a.family == AF_INET ? 32 : 128);
		if (bits < 0)
			return 0;
		return proxy_env_addr_match(&a, bits, h);
	}
	if (proxy_env_parse_addr(hp, &a) == 0)
		return proxy_env_addr_match(&a, -1, h);
	if (h->is_addr || hp != buf)
		return 0;	/* names match names; "[name]" is nothing */
	return proxy_env_name_match(hp, h);
}

/* Separators between no_proxy entries: commas and whitespace. */
static int
proxy_env_sep(char c)
{
	return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\v' || c == '\f';
}

int
proxy_env_no_proxy_match(const char *no_proxy, const char *host,
    uint16_t port)
{
	char hbuf[PROXY_ENV_HOST_MAX + 1];
	struct proxy_env_host h;
	const char *p, *tok;
	size_t len;

	if (no_proxy == NULL || host == NULL || *host == '\0')
		return 0;
	len = strlen(host);
	if (len > PROXY_ENV_HOST_MAX) {
		/* No valid name is this long: only "*" can match it. */
		host = "";
		len = 0;
	}
	if (host[0] == '[' && len >= 2 && host[len - 1] == ']') {
		host++;
		len -= 2;
	}
	memcpy(hbuf, host, len);
	hbuf[len] = '\0';
	memset(&h, 0, sizeof(h));
	if (proxy_env_parse_addr(hbuf, &h.addr) == 0) {
		h.is_addr = 1;
	} else {
		/* Reparse: proxy_env_parse_addr may have cut at a '%'. */
		memcpy(hbuf, host, len);
		hbuf[len] = '\0';
		/* "." becomes "": it can still match "*", but no name. */
		if (len > 0 && hbuf[len - 1] == '.')
			hbuf[--len] = '\0';
		h.name = hbuf;
		h.namelen = len;
	}

	for (p = no_proxy; *p != '\0';) {
		while (*p != '\0' && proxy_env_sep(*p))
			p++;
		tok = p;
		while (*p != '\0' && !proxy_env_sep(*p))
			p++;
		if (p > tok && proxy_env_entry_match(tok, (size_t)(p - tok), &h, port))
			return 1;
	}
	return 0;
}

const char *
proxy_env_select(const char *host, uint16_t port, proxy_env_getter get,
    void *arg, const char **var)
{
	const char *url = NULL, *name = NULL, *np, *npname = "no_proxy";
	size_t i;

	if (var != NULL)
		*var = NULL;
	for (i = 0; i < sizeof(proxy_env_vars) / sizeof(proxy_env_vars[0]); i++) {
		url = get(proxy_env_vars[i], arg);
		if (url != NULL && *url != '\0') {
			name = proxy_env_vars[i];
			break;
		}
	}
	if (name == NULL)
		return NULL;
	np = get("no_proxy", arg);
	if (np == NULL) {
		np = get("NO_PROXY", arg);
		npname = "NO_PROXY";
	}
	if (np != NULL && proxy_env_no_proxy_match(np, host, port)) {
		if (var != NULL)
			*var = npname;
		return NULL;
	}
	if (var != NULL)
		*var = name;
	return url;
}
