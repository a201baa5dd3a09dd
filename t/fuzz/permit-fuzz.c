/*
 * permit-fuzz.c: libFuzzer harness for lib/permit.c (fwdpipe's
 * --permit-open entries).
 * SPDX-License-Identifier: MIT
 *
 * The input is split at its first NUL (or newline, for a readable
 * corpus): the part before is an entry for permit_parse(), the part after
 * a destination "host port" for permit_match_one().  Invariants checked: a
 * refusal leaves a printable one-line EINVAL message; an accepted entry
 * has a host of name bytes (or an IPv6 literal in brackets) and formats to
 * text that parses back to the same entry; the entry matches its own host
 * at its own port (any port for "*"); "*" hosts match every host; a list
 * of one entry matches exactly as the entry does, and an empty list
 * matches everything.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "permit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Is text a non-empty printable line? */
static int
fuzz_line(const char *text)
{
	const unsigned char *p = (const unsigned char *)text;

	if (*p == '\0')
		return 0;
	for (; *p != '\0'; p++)
		if (*p < 0x20 || *p >= 0x7f)
			return 0;
	return 1;
}

/* Check the matching invariants of an accepted entry. */
static void
fuzz_match(const struct permit *p, const char *host, uint16_t port)
{
	int m = permit_match_one(p, host, port);

	if ((m != 0 && m != 1) || permit_match(p, 1, host, port) != m ||
	    permit_match(p, 0, host, port) != 1)
		abort();
	if (p->any_host && m != (p->port == PERMIT_ANY_PORT || p->port == port))
		abort();
	if (p->port != PERMIT_ANY_PORT && p->port != port && m)
		abort();
	/* Its own host, at its own port, always matches. */
	if (!permit_match_one(p, p->host, p->port == PERMIT_ANY_PORT ? port :
	    p->port))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct permit p, q;
	struct errmsg e;
	char buf[PERMIT_FORMAT_MAX], *s, *dest, *sep;
	unsigned long port = 0;
	int rc, n;

	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	dest = "";
	if ((sep = strchr(s, '\n')) != NULL) {
		*sep = '\0';
		dest = sep + 1;
	} else if (strlen(s) < size) {
		dest = s + strlen(s) + 1;
	}
	/* The destination: "host port" (the port may be missing). */
	if ((sep = strrchr(dest, ' ')) != NULL) {
		*sep = '\0';
		port = strtoul(sep + 1, NULL, 10) & 0xffff;
	}
	e.code = 0;
	e.text[0] = '\0';
	memset(&p, 0xa5, sizeof(p));
	rc = permit_parse(s, &p, &e);
	if (rc == -1) {
		if (!fuzz_line(e.text) || e.code != EINVAL)
			abort();
		free(s);
		return 0;
	}
	if (rc != 0 || p.host[0] == '\0' || strlen(p.host) >= PERMIT_HOST_MAX ||
	    (p.any_host != 0 && p.any_host != 1) || (p.ipv6 != 0 && p.ipv6 != 1) ||
	    (p.any_host && strcmp(p.host, "*") != 0) ||
	    (!p.any_host && strchr(p.host, '*') != NULL) ||
	    (p.ipv6 && strchr(p.host, ':') == NULL))
		abort();
	for (const char *h = p.host; *h != '\0'; h++)
		if ((unsigned char)*h <= 0x20 || (unsigned char)*h >= 0x7f ||
		    *h == '[' || *h == ']' || *h == '/' || *h == '@')
			abort();
	n = permit_format(&p, buf, sizeof(buf));
	if (n < 0 || (size_t)n != strlen(buf) ||
	    permit_parse(buf, &q, &e) != 0 || strcmp(q.host, p.host) != 0 ||
	    q.any_host != p.any_host || q.ipv6 != p.ipv6 || q.port != p.port ||
	    (p.ipv6 && memcmp(q.addr, p.addr, sizeof(p.addr)) != 0))
		abort();
	if (permit_format(&p, buf, (size_t)n) != -1)
		abort();	/* one byte short for the NUL */
	fuzz_match(&p, dest, (uint16_t)port);
	fuzz_match(&p, p.host, (uint16_t)port);
	free(s);
	return 0;
}
