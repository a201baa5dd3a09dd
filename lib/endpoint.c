/*
 * endpoint.c: host, port and [user@]host[:port] parsing; see endpoint.h.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "endpoint.h"
#include "log.h"

int
endpoint_parse_port(const char *s, unsigned flags, uint16_t *port,
    struct errmsg *e)
{
	char show[160];
	unsigned long v = 0;
	const char *p;

	if (s == NULL || *s == '\0')
		return errmsg_set(e, EINVAL, "missing port");
	for (p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return errmsg_set(e, EINVAL, "invalid port \"%s\": not a number",
			    log_quote(s, show, sizeof(show)));
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > 65535)
			return errmsg_set(e, ERANGE,
			    "invalid port \"%s\": out of range 1-65535",
			    log_quote(s, show, sizeof(show)));
	}
	if (v == 0 && !(flags & ENDPOINT_PORT_ZERO_OK))
		return errmsg_set(e, ERANGE, "invalid port \"%s\": out of range 1-65535",
		    log_quote(s, show, sizeof(show)));
	*port = (uint16_t)v;
	return 0;
}

int
endpoint_port_lookup(const char *s, unsigned flags, uint16_t *port,
    struct errmsg *e)
{
	char show[160];
	struct servent *se;
	const char *p;

	if (s != NULL && *s >= '0' && *s <= '9')
		return endpoint_parse_port(s, flags, port, e);
	if (s == NULL || *s == '\0')
		return errmsg_set(e, EINVAL, "missing port");
	for (p = s; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
			return errmsg_set(e, EINVAL,
			    "invalid port \"%s\": not a number or service name",
			    log_quote(s, show, sizeof(show)));
	}
	se = getservbyname(s, "tcp");
	if (se == NULL)
		return errmsg_set(e, EINVAL,
		    "invalid port \"%s\": not a number or known service",
		    log_quote(s, show, sizeof(show)));
	*port = ntohs((uint16_t)se->s_port);
	return 0;
}

int
endpoint_is_numeric(const char *s)
{
	struct in6_addr a6;
	struct in_addr a4;
	char buf[ENDPOINT_HOST_MAX];
	const char *pct;

	if (inet_pton(AF_INET, s, &a4) == 1)
		return 1;
	/* Allow a zone index ("fe80::1%eth0"): check the address part. */
	pct = strchr(s, '%');
	if (pct != NULL) {
		if ((size_t)(pct - s) >= sizeof(buf) || pct[1] == '\0')
			return 0;
		memcpy(buf, s, (size_t)(pct - s));
		buf[pct - s] = '\0';
		s = buf;
	}
	return inet_pton(AF_INET6, s, &a6) == 1;
}

/* Bytes allowed in a host name (and in IPv4/IPv6 literals and zones). */
static int
endpoint_hostchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == ':' || c == '%';
}

int
endpoint_parse_host(const char *s, char *out, size_t outlen, struct errmsg *e)
{
	char show[160], buf[ENDPOINT_HOST_MAX];
	size_t len;
	const char *p;

	if (s == NULL || *s == '\0')
		return errmsg_set(e, EINVAL, "missing host name");
	len = strlen(s);
	if (s[0] == '[') {
		if (len < 3 || s[len - 1] != ']')
			return errmsg_set(e, EINVAL,
			    "invalid host \"%s\": unbalanced brackets",
			    log_quote(s, show, sizeof(show)));
		if (len - 2 >= sizeof(buf))
			return errmsg_set(e, ENAMETOOLONG, "host name too long");
		memcpy(buf, s + 1, len - 2);
		buf[len - 2] = '\0';
		if (!endpoint_is_numeric(buf) || strchr(buf, ':') == NULL)
			return errmsg_set(e, EINVAL,
			    "invalid host \"%s\": brackets need an IPv6 address",
			    log_quote(s, show, sizeof(show)));
		s = buf;
		len -= 2;
	}
	if (len >= outlen || len >= ENDPOINT_HOST_MAX)
		return errmsg_set(e, ENAMETOOLONG, "host name too long (%zu bytes)",
		    len);
	if (s[0] == '-')
		return errmsg_set(e, EINVAL,
		    "invalid host \"%s\": must not start with '-'",
		    log_quote(s, show, sizeof(show)));
	for (p = s; *p != '\0'; p++)
		if (!endpoint_hostchar((unsigned char)*p))
			return errmsg_set(e, EINVAL,
			    "invalid host \"%s\": bad character",
			    log_quote(s, show, sizeof(show)));
	if (strchr(s, ':') != NULL && !endpoint_is_numeric(s))
		return errmsg_set(e, EINVAL,
		    "invalid host \"%s\": not an IPv6 address",
		    log_quote(s, show, sizeof(show)));
	memcpy(out, s, len + 1);
	return 0;
}

int
endpoint_parse(const char *s, unsigned flags, struct endpoint *ep,
    struct errmsg *e)
{
	char show[160], host[ENDPOINT_HOST_MAX + 2];
	const char *at, *hs, *colon = NULL, *close;
	size_t hlen;

	memset(ep, 0, sizeof(*ep));
	if (s == NULL || *s == '\0')
		return errmsg_set(e, EINVAL, "missing host name");
	hs = s;
	at = strrchr(s, '@');
	if (at != NULL) {
		if (!(flags & ENDPOINT_USER_OK))
			return errmsg_set(e, EINVAL,
			    "invalid host \"%s\": a user name is not allowed here",
			    log_quote(s, show, sizeof(show)));
		if (at == s)
			return errmsg_set(e, EINVAL, "invalid \"%s\": empty user name",
			    log_quote(s, show, sizeof(show)));
		if ((size_t)(at - s) >= sizeof(ep->user))
			return errmsg_set(e, ENAMETOOLONG, "user name too long");
		memcpy(ep->user, s, (size_t)(at - s));
		ep->user[at - s] = '\0';
		hs = at + 1;
	}
	if (hs[0] == '[') {
		close = strchr(hs, ']');
		if (close == NULL)
			return errmsg_set(e, EINVAL,
			    "invalid host \"%s\": unbalanced brackets",
			    log_quote(s, show, sizeof(show)));
		hlen = (size_t)(close - hs) + 1;
		if (close[1] == ':')
			colon = close + 1;
		else if (close[1] != '\0')
			return errmsg_set(e, EINVAL,
			    "invalid \"%s\": junk after ']'",
			    log_quote(s, show, sizeof(show)));
	} else {
		colon = strchr(hs, ':');
		if (colon != NULL && strchr(colon + 1, ':') != NULL) {
			/* Several colons: a bare IPv6 literal, no port. */
			colon = NULL;
		}
		hlen = colon != NULL ? (size_t)(colon - hs) : strlen(hs);
	}
	if (hlen >= sizeof(host))
		return errmsg_set(e, ENAMETOOLONG, "host name too long");
	if (hs[0] == '[' && hlen > 2) {
		/* In an ssh spec brackets may hold any host, as OpenSSH
		 * allows: ssh -G writes "proxyjump [10.0.0.5]:2222". */
		hs++;
		hlen -= 2;
	}
	memcpy(host, hs, hlen);
	host[hlen] = '\0';
	if (endpoint_parse_host(host, ep->host, sizeof(ep->host), e) == -1)
		return -1;
	if (colon != NULL) {
		if (endpoint_parse_port(colon + 1, flags, &ep->port, e) == -1)
			return -1;
		ep->has_port = 1;
	} else if (flags & ENDPOINT_PORT_REQUIRED) {
		return errmsg_set(e, EINVAL, "invalid \"%s\": missing :port",
		    log_quote(s, show, sizeof(show)));
	}
	return 0;
}
