/*
 * lib-permit.c: unit tests for lib/permit.c (fwdpipe --permit-open).
 * SPDX-License-Identifier: MIT
 *
 * Every form sshd's PermitOpen takes (host:port, IPv4:port, [IPv6]:port,
 * "*" for the host or the port) parses to the fields expected and formats
 * back to text that parses to the same entry; the forms that must be
 * refused are, each with a one-line EINVAL message that quotes the input;
 * and matching is checked both ways for each entry: exact names (ignoring
 * ASCII case), no lookups (a name does not permit its address, nor an
 * address its name), no patterns, IPv6 by address, ports exact or "*",
 * and a list permits what any of its entries permits, an empty list all.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "basic.h"
#include "permit.h"

/* An entry as parsed: its fields. */
struct parse_case {
	const char *text;
	const char *host;
	int any_host, ipv6;
	int port;		/* PERMIT_ANY_PORT for "*" */
	const char *format;	/* what permit_format writes */
};

static const struct parse_case parse_cases[] = {
	{ "db:5432", "db", 0, 0, 5432, "db:5432" },
	{ "db.example.org:443", "db.example.org", 0, 0, 443,
	  "db.example.org:443" },
	{ "DB.Example.ORG:443", "DB.Example.ORG", 0, 0, 443,
	  "DB.Example.ORG:443" },
	{ "127.0.0.1:22", "127.0.0.1", 0, 0, 22, "127.0.0.1:22" },
	{ "[::1]:22", "::1", 0, 1, 22, "[::1]:22" },
	{ "[2001:db8::10]:8080", "2001:db8::10", 0, 1, 8080,
	  "[2001:db8::10]:8080" },
	{ "[fe80::1%eth0]:22", "fe80::1%eth0", 0, 0, 22, "[fe80::1%eth0]:22" },
	{ "[db]:22", "db", 0, 0, 22, "db:22" },
	{ "*:443", "*", 1, 0, 443, "*:443" },
	{ "db:*", "db", 0, 0, PERMIT_ANY_PORT, "db:*" },
	{ "[::1]:*", "::1", 0, 1, PERMIT_ANY_PORT, "[::1]:*" },
	{ "*:*", "*", 1, 0, PERMIT_ANY_PORT, "*:*" },
	{ "db:1", "db", 0, 0, 1, "db:1" },
	{ "db:65535", "db", 0, 0, 65535, "db:65535" },
	{ "db:022", "db", 0, 0, 22, "db:22" },
	{ "under_score-dash.1:80", "under_score-dash.1", 0, 0, 80,
	  "under_score-dash.1:80" },
};

/* Entries that must be refused. */
static const char *const bad_entries[] = {
	"", "db", "db:", ":22", "db:0", "db:65536", "db:99999", "db:123456",
	"db:-1", "db:+22", "db:ssh", "db:22x", "db: 22", " db:22", "db :22",
	"::1:22", "::1", "2001:db8::1:22", "[::1]", "[::1]22", "[::1:22",
	"[]:22", "[::1]:", "[::1]:0", "[not-v6:x]:22", "a:b:22", "*db:22",
	"db*:22", "d?b:22", "[*]:22", "**:22", "db:**", "db/24:22",
	"user@db:22", "db\n:22", "db:22\n", "d\x1b" "b:22", "[fe80::1%]:22",
	"[fe80::1%e/0]:22", "\xc3\xa9t\xc3\xa9:22", "db::22",
	"http://db:22",
};

/* Matching: an entry, a destination, and whether it is permitted. */
struct match_case {
	const char *entry;
	const char *host;
	unsigned port;
	int want;
};

static const struct match_case match_cases[] = {
	{ "db:5432", "db", 5432, 1 },
	{ "db:5432", "db", 5433, 0 },
	{ "db:5432", "db2", 5432, 0 },
	{ "db:5432", "d", 5432, 0 },
	{ "db:5432", "db.", 5432, 0 },
	{ "db:5432", "DB", 5432, 1 },
	{ "DB:5432", "db", 5432, 1 },
	{ "db:5432", "db.example.org", 5432, 0 },
	{ "db:5432", "", 5432, 0 },
	{ "db:5432", "10.0.0.5", 5432, 0 },
	/* no lookups: a name and its address are different destinations */
	{ "localhost:22", "127.0.0.1", 22, 0 },
	{ "127.0.0.1:22", "localhost", 22, 0 },
	{ "127.0.0.1:22", "127.0.0.1", 22, 1 },
	{ "127.0.0.1:22", "127.0.0.2", 22, 0 },
	{ "127.0.0.1:22", "127.1", 22, 0 },
	{ "127.0.0.1:22", "::ffff:127.0.0.1", 22, 0 },
	/* IPv6 by address */
	{ "[::1]:22", "::1", 22, 1 },
	{ "[::1]:22", "0:0:0:0:0:0:0:1", 22, 1 },
	{ "[0:0::1]:22", "::1", 22, 1 },
	{ "[::1]:22", "::2", 22, 0 },
	{ "[::1]:22", "::1", 23, 0 },
	{ "[::1]:22", "localhost", 22, 0 },
	{ "[::1]:22", "127.0.0.1", 22, 0 },
	{ "[2001:DB8::a]:80", "2001:db8::A", 80, 1 },
	{ "[fe80::1%eth0]:22", "fe80::1%eth0", 22, 1 },
	{ "[fe80::1%eth0]:22", "fe80::1%eth1", 22, 0 },
	{ "[fe80::1%eth0]:22", "fe80::1", 22, 0 },
	/* "*" */
	{ "*:443", "anything.example", 443, 1 },
	{ "*:443", "10.1.2.3", 443, 1 },
	{ "*:443", "::1", 443, 1 },
	{ "*:443", "anything.example", 444, 0 },
	{ "db:*", "db", 1, 1 },
	{ "db:*", "db", 65535, 1 },
	{ "db:*", "db2", 22, 0 },
	{ "*:*", "x", 9, 1 },
	/* no patterns: '*' is not a glob inside a name */
	{ "db.example.org:22", "*.example.org", 22, 0 },
};

/* Is text one printable line? */
static int
one_line(const char *text)
{
	const unsigned char *p;

	if (*text == '\0')
		return 0;
	for (p = (const unsigned char *)text; *p != '\0'; p++)
		if (*p < 0x20 || *p >= 0x7f)
			return 0;
	return 1;
}

static void
test_parse(void)
{
	struct permit p, q;
	struct errmsg e;
	char buf[PERMIT_FORMAT_MAX];
	size_t i;

	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *c = &parse_cases[i];

		memset(&p, 0x5a, sizeof(p));
		if (!ok(permit_parse(c->text, &p, &e) == 0, "'%s' parses",
		    c->text)) {
			diag("%s", e.text);
			continue;
		}
		ok(strcmp(p.host, c->host) == 0 && p.any_host == c->any_host &&
		    p.ipv6 == c->ipv6 && p.port == c->port,
		    "'%s': host '%s' any %d ipv6 %d port %u", c->text, p.host,
		    p.any_host, p.ipv6, (unsigned)p.port);
		is_int((long long)strlen(c->format), permit_format(&p, buf,
		    sizeof(buf)), "'%s': format length", c->text);
		is_string(c->format, buf, "'%s' formats as '%s'", c->text,
		    c->format);
		ok(permit_parse(buf, &q, &e) == 0 &&
		    strcmp(q.host, p.host) == 0 && q.any_host == p.any_host &&
		    q.ipv6 == p.ipv6 && q.port == p.port &&
		    memcmp(q.addr, p.addr, sizeof(q.addr)) == 0,
		    "'%s' parses back to the same entry", buf);
	}
	ok(permit_format(&p, buf, 3) == -1, "format into a short buffer: -1");
}

/* Refused, with EINVAL and a one-line message naming the input. */
static void
test_bad(void)
{
	struct permit p;
	struct errmsg e;
	char want[128];
	size_t i;

	for (i = 0; i < sizeof(bad_entries) / sizeof(bad_entries[0]); i++) {
		const char *s = bad_entries[i];

		errmsg_clear(&e);
		if (!is_int(-1, permit_parse(s, &p, &e), "'%s' is refused", s))
			diag("host '%s' port %u", p.host, (unsigned)p.port);
		is_int(EINVAL, e.code, "'%s': EINVAL", s);
		ok(one_line(e.text), "'%s': the message is one line: %s", s,
		    e.text);
		if (one_line(s)) {
			snprintf(want, sizeof(want), "\"%s\"", s);
			ok(strstr(e.text, want) != NULL, "'%s': the message "
			    "names it: %s", s, e.text);
		} else {
			ok(strstr(e.text, "bad --permit-open \"") == e.text,
			    "'%s': the message says what: %s", s, e.text);
		}
	}
	errmsg_clear(&e);
	is_int(-1, permit_parse(NULL, &p, &e), "NULL is refused");
	is_int(EINVAL, e.code, "NULL: EINVAL");
	{
		char longname[400];

		memset(longname, 'a', 300);
		memcpy(longname + 300, ":22", 4);
		is_int(-1, permit_parse(longname, &p, &e),
		    "a 300-byte host is refused");
		ok(one_line(e.text) && strlen(e.text) < 200,
		    "... with a short one-line message: %s", e.text);
		memset(longname, 'a', 255);
		memcpy(longname + 255, ":22", 4);
		ok(permit_parse(longname, &p, &e) == 0 &&
		    strlen(p.host) == 255, "a 255-byte host parses");
	}
}

static void
test_match(void)
{
	struct permit p;
	struct errmsg e;
	size_t i;

	for (i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]); i++) {
		const struct match_case *c = &match_cases[i];

		if (permit_parse(c->entry, &p, &e) != 0) {
			ok(0, "'%s' parses: %s", c->entry, e.text);
			continue;
		}
		is_int(c->want, permit_match_one(&p, c->host,
		    (uint16_t)c->port), "'%s' %s %s port %u", c->entry,
		    c->want ? "permits" : "refuses", c->host, c->port);
		is_int(c->want, permit_match(&p, 1, c->host, (uint16_t)c->port),
		    "a list of '%s' alone: the same", c->entry);
	}
	ok(permit_parse("db:5432", &p, &e) == 0 &&
	    permit_match_one(&p, NULL, 5432) == 0, "a NULL host is refused");
}

static void
test_list(void)
{
	struct permit l[3];
	struct errmsg e;

	is_int(1, permit_match(NULL, 0, "anything", 1),
	    "no entries: everything is permitted");
	if (permit_parse("db:5432", &l[0], &e) != 0 ||
	    permit_parse("[::1]:8080", &l[1], &e) != 0 ||
	    permit_parse("*:443", &l[2], &e) != 0)
		bail("list entries: %s", e.text);
	is_int(1, permit_match(l, 3, "db", 5432), "list: db:5432 (first)");
	is_int(1, permit_match(l, 3, "::1", 8080), "list: [::1]:8080 (second)");
	is_int(1, permit_match(l, 3, "web", 443), "list: web:443 (third)");
	is_int(0, permit_match(l, 3, "db", 443 + 1), "list: db:444 refused");
	is_int(0, permit_match(l, 3, "::1", 5432), "list: [::1]:5432 refused");
	is_int(0, permit_match(l, 3, "db", 8080), "list: db:8080 refused");
	is_int(0, permit_match(l, 1, "web", 443),
	    "only the first n entries count");
}

int
main(void)
{
	plan_lazy();
	test_parse();
	test_bad();
	test_match();
	test_list();
	return 0;
}
