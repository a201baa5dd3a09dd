/*
 * lib-endpoint.c: unit tests for lib/endpoint.c (host, port, spec parsing).
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "basic.h"
#include "endpoint.h"

struct port_case {
	const char *in;
	unsigned flags;
	int ok;
	unsigned port;
	const char *msg;	/* expected error text when !ok */
};

static const struct port_case port_cases[] = {
	{ "22", 0, 1, 22, NULL },
	{ "1", 0, 1, 1, NULL },
	{ "65535", 0, 1, 65535, NULL },
	{ "0", 0, 0, 0, "invalid port \"0\": out of range 1-65535" },
	{ "0", ENDPOINT_PORT_ZERO_OK, 1, 0, NULL },
	{ "65536", 0, 0, 0, "invalid port \"65536\": out of range 1-65535" },
	{ "70000", 0, 0, 0, "invalid port \"70000\": out of range 1-65535" },
	{ "99999999999999999999", 0, 0, 0,
	  "invalid port \"99999999999999999999\": out of range 1-65535" },
	{ "abc", 0, 0, 0, "invalid port \"abc\": not a number" },
	{ "-1", 0, 0, 0, "invalid port \"-1\": not a number" },
	{ "+22", 0, 0, 0, "invalid port \"+22\": not a number" },
	{ "22 ", 0, 0, 0, "invalid port \"22 \": not a number" },
	{ "", 0, 0, 0, "missing port" },
};

struct host_case {
	const char *in;
	int ok;
	const char *out;
	const char *msg;
};

static const struct host_case host_cases[] = {
	{ "localhost", 1, "localhost", NULL },
	{ "db.example.com", 1, "db.example.com", NULL },
	{ "127.0.0.1", 1, "127.0.0.1", NULL },
	{ "::1", 1, "::1", NULL },
	{ "[::1]", 1, "::1", NULL },
	{ "[fe80::1%eth0]", 1, "fe80::1%eth0", NULL },
	{ "[2001:db8::5]", 1, "2001:db8::5", NULL },
	{ "", 0, NULL, "missing host name" },
	{ "[::1", 0, NULL, "invalid host \"[::1\": unbalanced brackets" },
	{ "[]", 0, NULL, "invalid host \"[]\": unbalanced brackets" },
	/* A bare host (a URL's, -H) brackets IPv6 only; an ssh spec
	 * (endpoint_parse) may bracket any host: see spec_cases. */
	{ "[db.example]", 0, NULL,
	  "invalid host \"[db.example]\": brackets need an IPv6 address" },
	{ "[127.0.0.1]", 0, NULL,
	  "invalid host \"[127.0.0.1]\": brackets need an IPv6 address" },
	{ "-oProxyCommand=x", 0, NULL,
	  "invalid host \"-oProxyCommand=x\": must not start with '-'" },
	{ "a b", 0, NULL, "invalid host \"a b\": bad character" },
	{ "a\nb", 0, NULL, "invalid host \"a\\x0ab\": bad character" },
	{ "evil;rm", 0, NULL, "invalid host \"evil;rm\": bad character" },
	{ "host:22", 0, NULL, "invalid host \"host:22\": not an IPv6 address" },
};

struct spec_case {
	const char *in;
	unsigned flags;
	int ok;
	const char *user, *host;
	int has_port;
	unsigned port;
};

static const struct spec_case spec_cases[] = {
	{ "bastion", ENDPOINT_USER_OK, 1, "", "bastion", 0, 0 },
	{ "bastion:2222", ENDPOINT_USER_OK, 1, "", "bastion", 1, 2222 },
	{ "me@bastion:2222", ENDPOINT_USER_OK, 1, "me", "bastion", 1, 2222 },
	{ "me@[::1]:22", ENDPOINT_USER_OK, 1, "me", "::1", 1, 22 },
	{ "[::1]", 0, 1, "", "::1", 0, 0 },
	{ "::1", 0, 1, "", "::1", 0, 0 },
	/* ssh -G brackets any ProxyJump host: "root@[127.0.0.1]:52477" */
	{ "root@[127.0.0.1]:52477", ENDPOINT_USER_OK, 1, "root", "127.0.0.1",
	  1, 52477 },
	{ "[db.example]:2222", 0, 1, "", "db.example", 1, 2222 },
	{ "[-oProxyCommand=x]:22", 0, 0, NULL, NULL, 0, 0 },
	{ "[a b]:22", 0, 0, NULL, NULL, 0, 0 },
	{ "a@b@host", ENDPOINT_USER_OK, 1, "a@b", "host", 0, 0 },
	{ "me@bastion", 0, 0, NULL, NULL, 0, 0 },
	{ "@bastion", ENDPOINT_USER_OK, 0, NULL, NULL, 0, 0 },
	{ "bastion", ENDPOINT_PORT_REQUIRED, 0, NULL, NULL, 0, 0 },
	{ "bastion:0", 0, 0, NULL, NULL, 0, 0 },
	{ "bastion:0", ENDPOINT_PORT_ZERO_OK, 1, "", "bastion", 1, 0 },
	{ "bastion:", 0, 0, NULL, NULL, 0, 0 },
	{ "[::1]x", 0, 0, NULL, NULL, 0, 0 },
	{ "[::1:22", 0, 0, NULL, NULL, 0, 0 },
	{ "", 0, 0, NULL, NULL, 0, 0 },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

int
main(void)
{
	struct endpoint ep;
	struct errmsg e;
	char host[ENDPOINT_HOST_MAX], longname[400];
	uint16_t port;
	size_t i;
	int rc;

	plan_lazy();

	for (i = 0; i < N(port_cases); i++) {
		const struct port_case *c = &port_cases[i];
		port = 12345;
		errmsg_clear(&e);
		rc = endpoint_parse_port(c->in, c->flags, &port, &e);
		if (c->ok) {
			is_int(0, rc, "port \"%s\" accepted", c->in);
			is_int(c->port, port, "port \"%s\" value", c->in);
		} else {
			is_int(-1, rc, "port \"%s\" refused", c->in);
			is_string(c->msg, e.text, "port \"%s\" message", c->in);
			is_int(12345, port, "port \"%s\" left output alone", c->in);
		}
	}

	/* Service names go through the services database. */
	rc = endpoint_port_lookup("ssh", 0, &port, &e);
	ok(rc == 0 && port == 22, "service name ssh is port 22");
	rc = endpoint_port_lookup("8080", 0, &port, &e);
	ok(rc == 0 && port == 8080, "lookup takes numbers too");
	rc = endpoint_port_lookup("no-such-service-x", 0, &port, &e);
	is_string("invalid port \"no-such-service-x\": not a number or known service",
	    e.text, "unknown service refused");
	rc = endpoint_port_lookup("70000", 0, &port, &e);
	is_string("invalid port \"70000\": out of range 1-65535", e.text,
	    "lookup range-checks numbers");
	rc = endpoint_port_lookup("ss h", 0, &port, &e);
	is_int(-1, rc, "service with a space refused");

	for (i = 0; i < N(host_cases); i++) {
		const struct host_case *c = &host_cases[i];
		errmsg_clear(&e);
		rc = endpoint_parse_host(c->in, host, sizeof(host), &e);
		if (c->ok) {
			is_int(0, rc, "host \"%s\" accepted", c->in);
			is_string(c->out, host, "host \"%s\" value", c->in);
		} else {
			is_int(-1, rc, "host \"%s\" refused", c->in);
			is_string(c->msg, e.text, "host refused with message %d", (int)i);
		}
	}
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	rc = endpoint_parse_host(longname, host, sizeof(host), &e);
	is_int(-1, rc, "399-byte host refused");
	rc = endpoint_parse_host("abc", host, 3, &e);
	is_int(-1, rc, "host longer than the output buffer refused");

	for (i = 0; i < N(spec_cases); i++) {
		const struct spec_case *c = &spec_cases[i];
		rc = endpoint_parse(c->in, c->flags, &ep, &e);
		if (c->ok) {
			is_int(0, rc, "spec \"%s\" accepted", c->in);
			is_string(c->user, ep.user, "spec \"%s\" user", c->in);
			is_string(c->host, ep.host, "spec \"%s\" host", c->in);
			is_int(c->has_port, ep.has_port, "spec \"%s\" has port", c->in);
			is_int(c->port, ep.port, "spec \"%s\" port", c->in);
		} else {
			is_int(-1, rc, "spec \"%s\" refused (%s)", c->in, e.text);
		}
	}

	ok(endpoint_is_numeric("10.0.0.1"), "10.0.0.1 is numeric");
	ok(endpoint_is_numeric("fe80::1%lo"), "fe80::1%%lo is numeric");
	ok(!endpoint_is_numeric("fe80::1%"), "empty zone is not numeric");
	ok(!endpoint_is_numeric("example.com"), "a name is not numeric");
	return 0;
}
