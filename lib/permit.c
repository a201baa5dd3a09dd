/*
 * permit.c: --permit-open entries, parsed and matched as sshd's PermitOpen
 * and permitopen="" do; see permit.h.
 * SPDX-License-Identifier: MIT
 *
 * An entry is split at its last ':' (after a closing bracket, if it has
 * brackets), so "[::1]:22" and "db:*" both split once.  Names are kept as
 * written and compared ignoring ASCII case; IPv6 literals are kept as
 * their 16 bytes too, so that any spelling of the address matches.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "permit.h"

/* A byte that may appear in a host name or IPv4 literal of an entry. */
static int
permit_name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

/* Fail with a message about text. */
static int
permit_fail(struct errmsg *e, const char *text, const char *why)
{
	char q[80 * 4 + 1];

	return errmsg_set(e, EINVAL, "bad --permit-open \"%s\": %s",
	    log_quote(text, q, sizeof(q)), why);
}

/*
 * Is [s, s+len) an IPv6 literal?  Fills addr and returns 1; with a zone
 * ("fe80::1%eth0") returns 2 and leaves addr alone; 0 if it is not one.
 */
static int
permit_ipv6(const char *s, size_t len, unsigned char *addr)
{
	char buf[INET6_ADDRSTRLEN + 1];
	const char *pct = memchr(s, '%', len);
	size_t alen = pct != NULL ? (size_t)(pct - s) : len;

	if (alen == 0 || alen >= sizeof(buf) || memchr(s, ':', alen) == NULL)
		return 0;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (inet_pton(AF_INET6, buf, addr) != 1)
		return 0;
	if (pct == NULL)
		return 1;
	if (pct + 1 == s + len)
		return 0;	/* "%" and no zone */
	for (const char *z = pct + 1; z < s + len; z++)
		if (!permit_name_char((unsigned char)*z))
			return 0;
	return 2;
}

/* Parse the port: "*" or 1 to 65535, decimal. */
static int
permit_port(const char *s, uint16_t *port)
{
	unsigned long v = 0;
	size_t n;

	if (strcmp(s, "*") == 0) {
		*port = PERMIT_ANY_PORT;
		return 0;
	}
	n = strlen(s);
	if (n == 0 || n > 5 || strspn(s, "0123456789") != n)
		return -1;
	for (; *s != '\0'; s++)
		v = v * 10 + (unsigned long)(*s - '0');
	if (v == 0 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

int
permit_parse(const char *text, struct permit *p, struct errmsg *e)
{
	const char *host, *colon, *close;
	size_t hlen;
	unsigned char addr[16];
	int bracket = 0, v6;

	memset(p, 0, sizeof(*p));
	if (text == NULL || *text == '\0')
		return errmsg_set(e, EINVAL, "bad --permit-open \"\": "
		    "HOST:PORT expected");
	if (strlen(text) > PERMIT_TEXT_MAX)
		return permit_fail(e, text, "too long");
	if (text[0] == '[') {
		close = strchr(text, ']');
		if (close == NULL)
			return permit_fail(e, text, "no closing ']'");
		if (close[1] != ':')
			return permit_fail(e, text, "':PORT' expected after ']'");
		host = text + 1;
		hlen = (size_t)(close - host);
		colon = close + 1;
		bracket = 1;
	} else {
		colon = strrchr(text, ':');
		if (colon == NULL)
			return permit_fail(e, text, "HOST:PORT expected");
		host = text;
		hlen = (size_t)(colon - text);
	}
	if (permit_port(colon + 1, &p->port) == -1)
		return permit_fail(e, text, "the port must be 1 to 65535 or *");
	if (hlen == 0)
		return permit_fail(e, text, "empty host");
	if (hlen >= sizeof(p->host))
		return permit_fail(e, text, "host name too long");
	if (hlen == 1 && host[0] == '*' && !bracket) {
		p->any_host = 1;
		memcpy(p->host, "*", 2);
		return 0;
	}
	v6 = permit_ipv6(host, hlen, addr);
	if (v6 == 0) {
		if (memchr(host, ':', hlen) != NULL)
			return permit_fail(e, text, bracket ? "not an IPv6 "
			    "address" : "an IPv6 address goes in brackets, "
			    "[v6addr]:port");
		if (memchr(host, '*', hlen) != NULL ||
		    memchr(host, '?', hlen) != NULL)
			return permit_fail(e, text, "no patterns: '*' stands "
			    "alone, for any host or any port");
		for (size_t i = 0; i < hlen; i++)
			if (!permit_name_char((unsigned char)host[i]))
				return permit_fail(e, text, "a host is a name "
				    "or an address (letters, digits, '-', '.', "
				    "'_'; IPv6 in brackets)");
	} else if (!bracket) {
		return permit_fail(e, text, "an IPv6 address goes in brackets, "
		    "[v6addr]:port");
	}
	memcpy(p->host, host, hlen);
	p->host[hlen] = '\0';
	if (v6 == 1) {
		p->ipv6 = 1;
		memcpy(p->addr, addr, sizeof(p->addr));
	}
	return 0;
}

/* Equal, ignoring ASCII case (whatever the locale says). */
static int
permit_same_name(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++) {
		unsigned char x = (unsigned char)*a, y = (unsigned char)*b;

		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y - 'A' + 'a');
		if (x != y)
			return 0;
	}
	return *a == *b;
}

int
permit_match_one(const struct permit *p, const char *host, uint16_t port)
{
	unsigned char addr[16];

	if (p->port != PERMIT_ANY_PORT && p->port != port)
		return 0;
	if (p->any_host)
		return 1;
	if (host == NULL)
		return 0;
	if (p->ipv6)
		return permit_ipv6(host, strlen(host), addr) == 1 &&
		    memcmp(addr, p->addr, sizeof(addr)) == 0;
	return permit_same_name(p->host, host);
}

int
permit_match(const struct permit *list, size_t n, const char *host,
    uint16_t port)
{
	if (n == 0)
		return 1;
	for (size_t i = 0; i < n; i++)
		if (permit_match_one(&list[i], host, port))
			return 1;
	return 0;
}

int
permit_format(const struct permit *p, char *buf, size_t len)
{
	char port[8];
	int n;

	if (p->port == PERMIT_ANY_PORT)
		memcpy(port, "*", 2);
	else
		snprintf(port, sizeof(port), "%u", (unsigned)p->port);
	if (strchr(p->host, ':') != NULL)
		n = snprintf(buf, len, "[%s]:%s", p->host, port);
	else
		n = snprintf(buf, len, "%s:%s", p->host, port);
	if (n < 0 || (size_t)n >= len)
		return -1;
	return n;
}
