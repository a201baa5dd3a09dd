/*
 * lib-proxy_env.c: unit tests for lib/proxy_env.c (proxy selection from
 * the environment and no_proxy matching).
 * SPDX-License-Identifier: MIT
 *
 * The environment is a table read through a fake getter, so no test
 * touches the real environment.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "basic.h"
#include "proxy_env.h"

struct match_case {
	const char *no_proxy;
	const char *host;
	unsigned port;
	int match;
};

static const struct match_case match_cases[] = {
	/* "*" and empty lists */
	{ "*", "anything", 22, 1 },
	{ "*", "::1", 22, 1 },
	{ "*", "10.1.2.3", 22, 1 },
	{ "foo,*,bar", "x", 22, 1 },
	{ " * ", "x", 22, 1 },
	{ "", "x", 22, 0 },
	{ " , ,", "x", 22, 0 },
	{ "*", "", 22, 0 },
	{ "*", ".", 22, 1 },
	{ ".", ".", 22, 0 },
	{ "[]", "[]", 22, 0 },
	{ "*", "[]", 22, 1 },
	{ "*foo", "xfoo", 22, 0 },
	{ "x*", "x", 22, 0 },
	/* names: exact and domain tails, case-insensitive */
	{ "example.com", "example.com", 22, 1 },
	{ "example.com", "a.example.com", 22, 1 },
	{ "example.com", "a.b.example.com", 22, 1 },
	{ "example.com", "notexample.com", 22, 0 },
	{ "example.com", "example.com.evil", 22, 0 },
	{ "example.com", "example", 22, 0 },
	{ "example.com", "com", 22, 0 },
	{ ".example.com", "example.com", 22, 1 },
	{ ".example.com", "a.example.com", 22, 1 },
	{ ".example.com", "notexample.com", 22, 0 },
	{ "*.example.com", "a.example.com", 22, 1 },
	{ "*.example.com", "example.com", 22, 1 },
	{ "EXAMPLE.com", "a.Example.COM", 22, 1 },
	{ "example.com.", "example.com", 22, 1 },
	{ "example.com", "example.com.", 22, 1 },
	{ "example.com", "a.example.com.", 22, 1 },
	{ ".", "x", 22, 0 },
	{ "*.", "x", 22, 0 },
	{ "..", "x", 22, 0 },
	{ "localhost", "localhost", 22, 1 },
	{ "localhost", "127.0.0.1", 22, 0 },
	{ "127.0.0.1", "localhost", 22, 0 },
	{ "[db]", "db", 22, 0 },
	/* separators: commas and whitespace, repeated */
	{ "foo, bar ,baz", "bar", 22, 1 },
	{ "foo, bar ,baz", "baz", 22, 1 },
	{ "foo bar", "bar", 22, 1 },
	{ "foo\tbar\nqux", "qux", 22, 1 },
	{ ",,,bar,,", "bar", 22, 1 },
	{ "foo,bar", "foo,bar", 22, 0 },
	/* IPv4 addresses and CIDR */
	{ "127.0.0.1", "127.0.0.1", 22, 1 },
	{ "127.0.0.1", "127.0.0.2", 22, 0 },
	{ "0.0.1", "127.0.0.1", 22, 0 },
	{ "0.1", "127.0.0.1", 22, 0 },
	{ "10.0.0.0/8", "10.1.2.3", 22, 1 },
	{ "10.0.0.0/8", "11.0.0.1", 22, 0 },
	{ "10.0.0.0/8", "10.0.0.0", 22, 1 },
	{ "192.168.1.0/24", "192.168.1.255", 22, 1 },
	{ "192.168.1.0/24", "192.168.2.1", 22, 0 },
	{ "192.168.1.128/25", "192.168.1.200", 22, 1 },
	{ "192.168.1.128/25", "192.168.1.100", 22, 0 },
	{ "10.0.0.1/32", "10.0.0.1", 22, 1 },
	{ "10.0.0.1/32", "10.0.0.2", 22, 0 },
	{ "0.0.0.0/0", "1.2.3.4", 22, 1 },
	{ "0.0.0.0/0", "::1", 22, 0 },
	{ "10.0.0.0/33", "10.0.0.1", 22, 0 },
	{ "10.0.0.0/", "10.0.0.0", 22, 0 },
	{ "10.0.0.0/x", "10.0.0.0", 22, 0 },
	{ "10.0.0.0/-1", "10.0.0.0", 22, 0 },
	{ "10.0.0.0/0008", "10.0.0.0", 22, 0 },
	{ "10.0.0.0/8/8", "10.0.0.0", 22, 0 },
	{ "10.0.0.0/8", "ten.example", 22, 0 },
	{ "example.com/8", "example.com", 22, 0 },
	/* IPv6 addresses, brackets, CIDR and zones */
	{ "::1", "::1", 22, 1 },
	{ "[::1]", "::1", 22, 1 },
	{ "::1", "[::1]", 22, 1 },
	{ "[::1]", "[::1]", 22, 1 },
	{ "::1", "0:0:0:0:0:0:0:1", 22, 1 },
	{ "::1", "::2", 22, 0 },
	{ "::1", "localhost", 22, 0 },
	{ "::1", "127.0.0.1", 22, 0 },
	{ "2001:DB8::1", "2001:db8::1", 22, 1 },
	{ "fd00::/8", "fd12:3456::1", 22, 1 },
	{ "fd00::/8", "fe80::1", 22, 0 },
	{ "[fd00::]/8", "fd00::1", 22, 1 },
	{ "[fd00::/8]", "fd00::1", 22, 1 },
	{ "[fd00::]/8", "fc00::1", 22, 0 },
	{ "fd00::/129", "fd00::1", 22, 0 },
	{ "::/0", "2001:db8::1", 22, 1 },
	{ "::/0", "10.0.0.1", 22, 0 },
	{ "2001:db8::/33", "2001:db8:7fff::1", 22, 1 },
	{ "2001:db8::/33", "2001:db8:8000::1", 22, 0 },
	{ "fe80::/10", "fe80::1%eth0", 22, 1 },
	{ "fe80::1%eth0", "fe80::1%eth0", 22, 1 },
	{ "fe80::1%eth0", "fe80::1%eth1", 22, 0 },
	{ "fe80::1%eth0", "fe80::1", 22, 0 },
	{ "fe80::1", "fe80::1%eth0", 22, 1 },
	{ "fe80::/10%eth0", "fe80::1%eth0", 22, 0 },
	{ "fe80::1%", "fe80::1", 22, 0 },
	{ "fe80::1%zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
	  "fe80::1", 22, 0 },
	{ "[fd00::]/8/8", "fd00::1", 22, 0 },
	{ "[fd00::/8]/8", "fd00::1", 22, 0 },
	{ "::ffff:10.0.0.1", "10.0.0.1", 22, 0 },
	{ "[::1", "::1", 22, 0 },
	{ "[::1]x", "::1", 22, 0 },
	/* ports (beyond curl, as Go and Python do) */
	{ "example.com:22", "example.com", 22, 1 },
	{ "example.com:22", "example.com", 443, 0 },
	{ "example.com:22", "a.example.com", 22, 1 },
	{ ".example.com:22", "a.example.com", 22, 1 },
	{ "127.0.0.1:5432", "127.0.0.1", 5432, 1 },
	{ "127.0.0.1:5432", "127.0.0.1", 5433, 0 },
	{ "10.0.0.0/8:22", "10.9.9.9", 22, 1 },
	{ "10.0.0.0/8:22", "10.9.9.9", 23, 0 },
	{ "[::1]:22", "::1", 22, 1 },
	{ "[::1]:22", "::1", 80, 0 },
	{ "[fd00::]/8", "fd00::1", 80, 1 },
	{ "::1:22", "::1:22", 80, 1 },
	{ "::1:22", "::1", 22, 0 },
	{ "example.com:abc", "example.com", 22, 0 },
	{ "example.com:0", "example.com", 0, 0 },
	{ "example.com:65536", "example.com", 0, 0 },
	{ "example.com:", "example.com", 22, 0 },
	{ ":22", "example.com", 22, 0 },
	{ "other:22, example.com:80", "example.com", 80, 1 },
};

/* One environment: name/value pairs, NULL-terminated. */
struct env {
	const char *vars[16];
};

/* The proxy_env_getter over a struct env. */
static const char *
fake_get(const char *name, void *arg)
{
	const struct env *env = arg;
	size_t i;

	for (i = 0; env->vars[i] != NULL; i += 2)
		if (strcmp(env->vars[i], name) == 0)
			return env->vars[i + 1];
	return NULL;
}

struct select_case {
	const char *label;
	struct env env;
	const char *host;
	unsigned port;
	const char *url;	/* NULL: direct */
	const char *var;
};

static const struct select_case select_cases[] = {
	{ "empty environment", { { NULL } }, "db", 22, NULL, NULL },
	{ "https_proxy", { { "https_proxy", "http://a", NULL } }, "db", 22,
	  "http://a", "https_proxy" },
	{ "HTTPS_PROXY", { { "HTTPS_PROXY", "http://b", NULL } }, "db", 22,
	  "http://b", "HTTPS_PROXY" },
	{ "lowercase first", { { "HTTPS_PROXY", "http://b", "https_proxy",
	  "http://a", NULL } }, "db", 22, "http://a", "https_proxy" },
	{ "empty https_proxy skipped", { { "https_proxy", "", "HTTPS_PROXY",
	  "http://b", NULL } }, "db", 22, "http://b", "HTTPS_PROXY" },
	{ "https before all", { { "all_proxy", "socks5h://c", "https_proxy",
	  "http://a", NULL } }, "db", 22, "http://a", "https_proxy" },
	{ "all_proxy", { { "all_proxy", "socks5h://c", NULL } }, "db", 22,
	  "socks5h://c", "all_proxy" },
	{ "ALL_PROXY", { { "ALL_PROXY", "socks5://d", NULL } }, "db", 22,
	  "socks5://d", "ALL_PROXY" },
	{ "all_proxy before ALL_PROXY", { { "ALL_PROXY", "socks5://d",
	  "all_proxy", "socks5h://c", NULL } }, "db", 22, "socks5h://c",
	  "all_proxy" },
	{ "all empty", { { "https_proxy", "", "HTTPS_PROXY", "", "all_proxy", "",
	  "ALL_PROXY", "", NULL } }, "db", 22, NULL, NULL },
	{ "http_proxy not used", { { "http_proxy", "http://e", "HTTP_PROXY",
	  "http://e", NULL } }, "db", 22, NULL, NULL },
	{ "no_proxy matches", { { "https_proxy", "http://a", "no_proxy",
	  "example.com", NULL } }, "db.example.com", 22, NULL, "no_proxy" },
	{ "no_proxy misses", { { "https_proxy", "http://a", "no_proxy",
	  "example.com", NULL } }, "db.example.org", 22, "http://a",
	  "https_proxy" },
	{ "NO_PROXY matches", { { "https_proxy", "http://a", "NO_PROXY", "*",
	  NULL } }, "db", 22, NULL, "NO_PROXY" },
	{ "set empty no_proxy wins", { { "https_proxy", "http://a", "no_proxy",
	  "", "NO_PROXY", "*", NULL } }, "db", 22, "http://a", "https_proxy" },
	{ "lowercase no_proxy wins", { { "https_proxy", "http://a", "NO_PROXY",
	  "*", "no_proxy", "other", NULL } }, "db", 22, "http://a",
	  "https_proxy" },
	{ "no_proxy without a proxy", { { "no_proxy", "*", NULL } }, "db", 22,
	  NULL, NULL },
	{ "no_proxy ::1", { { "all_proxy", "socks5h://c", "no_proxy",
	  "localhost,::1", NULL } }, "::1", 22, NULL, "no_proxy" },
	{ "no_proxy [::1]", { { "all_proxy", "socks5h://c", "no_proxy",
	  "[::1]", NULL } }, "::1", 22, NULL, "no_proxy" },
	{ "no_proxy fd00::/8", { { "all_proxy", "socks5h://c", "no_proxy",
	  "fd00::/8", NULL } }, "fd00::5", 22, NULL, "no_proxy" },
	{ "no_proxy fd00::/8 misses", { { "all_proxy", "socks5h://c", "no_proxy",
	  "fd00::/8", NULL } }, "2001:db8::5", 22, "socks5h://c", "all_proxy" },
	{ "no_proxy port matches", { { "https_proxy", "http://a", "no_proxy",
	  "db:5432", NULL } }, "db", 5432, NULL, "no_proxy" },
	{ "no_proxy port misses", { { "https_proxy", "http://a", "no_proxy",
	  "db:5432", NULL } }, "db", 22, "http://a", "https_proxy" },
	{ "no_proxy CIDR", { { "https_proxy", "http://a", "NO_PROXY",
	  "10.0.0.0/8", NULL } }, "10.20.30.40", 22, NULL, "NO_PROXY" },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* is_string() that tolerates NULL on either side. */
static void
is_nstring(const char *want, const char *seen, const char *label,
    const char *what)
{
	if (want == NULL || seen == NULL)
		ok(want == seen, "%s: %s is %s", label, what,
		    want == NULL ? "NULL" : want);
	else
		is_string(want, seen, "%s: %s", label, what);
}

int
main(void)
{
	struct env env = { { "https_proxy", "http://a", "no_proxy", "x", NULL } };
	char longlist[3000];
	const char *url, *var;
	size_t i;
	int m;

	plan_lazy();

	for (i = 0; i < N(match_cases); i++) {
		const struct match_case *c = &match_cases[i];
		m = proxy_env_no_proxy_match(c->no_proxy, c->host, (uint16_t)c->port);
		is_int(c->match, m, "no_proxy \"%s\" %s \"%s\" port %u", c->no_proxy,
		    c->match ? "matches" : "does not match", c->host, c->port);
	}
	ok(!proxy_env_no_proxy_match(NULL, "db", 22), "NULL list matches nothing");
	ok(!proxy_env_no_proxy_match("*", NULL, 22), "NULL host matches nothing");

	/* Over-long entries and hosts are ignored, not truncated. */
	memset(longlist, 'a', sizeof(longlist) - 1);
	longlist[sizeof(longlist) - 1] = '\0';
	ok(!proxy_env_no_proxy_match(longlist, longlist, 22),
	    "3 KB entry and host do not match");
	ok(proxy_env_no_proxy_match("x, *", longlist, 22),
	    "but \"*\" matches even a 3 KB host");
	ok(!proxy_env_no_proxy_match(",", longlist, 22),
	    "and an empty entry does not");
	memcpy(longlist + 1500, ",db,", 4);
	ok(proxy_env_no_proxy_match(longlist, "db", 22),
	    "an entry after a 1.5 KB one still matches");

	for (i = 0; i < N(select_cases); i++) {
		const struct select_case *c = &select_cases[i];
		var = "unset";
		url = proxy_env_select(c->host, (uint16_t)c->port, fake_get,
		    (void *)&c->env, &var);
		is_nstring(c->url, url, c->label, "URL");
		is_nstring(c->var, var, c->label, "variable");
	}
	url = proxy_env_select("db", 22, fake_get, &env, NULL);
	is_string("http://a", url, "var may be NULL");
	url = proxy_env_select("x", 22, fake_get, &env, NULL);
	ok(url == NULL, "var may be NULL when no_proxy matches");

	/* The real-environment getter. */
	setenv("HOPKIT_TEST_PROXY_VAR", "v", 1);
	is_string("v", proxy_env_getenv("HOPKIT_TEST_PROXY_VAR", NULL),
	    "proxy_env_getenv reads the environment");
	unsetenv("HOPKIT_TEST_PROXY_VAR");
	ok(proxy_env_getenv("HOPKIT_TEST_PROXY_VAR", NULL) == NULL,
	    "proxy_env_getenv returns NULL when unset");
	return 0;
}
