/*
 * lib-status.c: unit tests for lib/status.c (fwdpipe's status document).
 * SPDX-License-Identifier: MIT
 *
 * The JSON texts below are written out by hand and kept verbatim, so the
 * format is pinned: a change that breaks tunnelcheck reading an older
 * fwdpipe (or the other way round) fails here.  Variants of them for the
 * error cases are made by editing the parsed text with jansson.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "basic.h"
#include "status.h"
#include "xmalloc.h"

/* What status_to_json() writes for full_doc(). */
static const char full_json[] =
    "{\"version\":\"0.1.0\",\"pid\":4242,\"state\":\"up\","
    "\"host\":\"bastion\",\"uptime\":3723,\"reconnects\":2,"
    "\"last_error\":\"kex: timed out\",\"last_error_time\":1700000000,"
    "\"channels\":3,\"connections\":120,\"bytes_out\":1048576,"
    "\"bytes_in\":4096,\"reconnect_times\":[1699990000,1700000000],"
    "\"forwards\":["
    "{\"kind\":\"local\",\"spec\":\"127.0.0.1:3306:db:3306\","
    "\"state\":\"up\",\"bound\":\"127.0.0.1\",\"port\":3306,"
    "\"error\":null},"
    "{\"kind\":\"remote\",\"spec\":\"0:localhost:22\",\"state\":\"up\","
    "\"bound\":\"localhost\",\"port\":40022,\"error\":null},"
    "{\"kind\":\"dynamic\",\"spec\":\"1080\",\"state\":\"retrying\","
    "\"bound\":null,\"port\":0,\"error\":\"bind: Address already in use\"}]}\n";

/* A document as another writer might send it: other order, spaces,
 * unknown fields, nulls for absent optional ones. */
static const char other_json[] =
    "\n {\n"
    "  \"forwards\": [\n"
    "    {\"state\": \"pending\", \"kind\": \"remote\", \"spec\": \"0:[::1]:22\",\n"
    "     \"bound\": null, \"port\": null, \"error\": null, \"weight\": 3},\n"
    "    {\"kind\": \"local\", \"spec\": \"/run/db.sock:db:5432\",\n"
    "     \"state\": \"failed\", \"bound\": \"/run/db.sock\",\n"
    "     \"error\": \"connect: caf\\u00e9 \\ud83d\\ude00 \\\"x\\\"\\n\"}\n"
    "  ],\n"
    "  \"bytes_in\": 0, \"bytes_out\": 9223372036854775807,\n"
    "  \"connections\": 0, \"channels\": 0,\n"
    "  \"last_error\": null, \"last_error_time\": 5,\n"
    "  \"future\": {\"nested\": [1, 2.5, \"x\", null, true]},\n"
    "  \"reconnects\": 0, \"uptime\": 0, \"host\": \"gpu-gw.example\",\n"
    "  \"state\": \"connecting\", \"pid\": 2147483647, \"version\": \"9.9\"\n"
    "} \n";

/* The document behind full_json. */
static void
full_doc(struct status_doc *d)
{
	struct status_forward *f;

	memset(d, 0, sizeof(*d));
	d->version = xstrdup("0.1.0");
	d->pid = 4242;
	d->state = STATUS_UP;
	d->host = xstrdup("bastion");
	d->uptime = 3723;
	d->reconnects = 2;
	d->last_error = xstrdup("kex: timed out");
	d->last_error_time = 1700000000;
	d->channels = 3;
	d->connections = 120;
	d->bytes_out = 1048576;
	d->bytes_in = 4096;
	d->reconnect_times = xcalloc(2, sizeof(*d->reconnect_times));
	d->reconnect_times[0] = 1699990000;
	d->reconnect_times[1] = 1700000000;
	d->nreconnect_times = 2;
	f = status_add_forward(d);
	f->kind = STATUS_FWD_LOCAL;
	f->spec = xstrdup("127.0.0.1:3306:db:3306");
	f->state = STATUS_FWD_UP;
	f->bound = xstrdup("127.0.0.1");
	f->port = 3306;
	f = status_add_forward(d);
	f->kind = STATUS_FWD_REMOTE;
	f->spec = xstrdup("0:localhost:22");
	f->state = STATUS_FWD_UP;
	f->bound = xstrdup("localhost");
	f->port = 40022;
	f = status_add_forward(d);
	f->kind = STATUS_FWD_DYNAMIC;
	f->spec = xstrdup("1080");
	f->state = STATUS_FWD_RETRYING;
	f->error = xstrdup("bind: Address already in use");
}

/* Is text one line: no control byte before its final "\n"? */
static int
one_line(const char *text)
{
	size_t len = strlen(text), i;

	if (len == 0 || text[len - 1] != '\n')
		return 0;
	for (i = 0; i + 1 < len; i++)
		if ((unsigned char)text[i] < 0x20)
			return 0;
	return 1;
}

/*
 * full_json with one field changed: path is "key" or "forwards[N].key";
 * value is JSON text, or NULL to delete the field.  Returns what
 * status_from_json() returns; e gets its message.
 */
static int
parse_edited(const char *path, const char *value, struct errmsg *e)
{
	struct status_doc d;
	json_t *root, *obj, *v = NULL;
	json_error_t jerr;
	const char *key = path, *dot;
	char *text;
	unsigned idx;
	int rc;

	root = json_loads(full_json, 0, &jerr);
	if (root == NULL)
		bail("full_json: %s", jerr.text);
	obj = root;
	dot = strchr(path, '.');
	if (dot != NULL && sscanf(path, "forwards[%u]", &idx) == 1) {
		obj = json_array_get(json_object_get(root, "forwards"), idx);
		key = dot + 1;
	}
	if (value != NULL) {
		v = json_loads(value, JSON_DECODE_ANY, &jerr);
		if (v == NULL)
			bail("value %s: %s", value, jerr.text);
		json_object_set_new(obj, key, v);
	} else {
		json_object_del(obj, key);
	}
	text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	rc = status_from_json(text, strlen(text), &d, e);
	if (rc == -1 && (d.host != NULL || d.nforwards != 0))
		diag("a failed parse left fields set");
	status_free(&d);
	free(text);
	return rc;
}

static void
test_write(void)
{
	struct status_doc d;
	struct errmsg e;
	char *out;

	full_doc(&d);
	is_int(0, status_to_json(&d, &out, &e), "write the full document");
	is_string(full_json, out, "as the pinned text");
	ok(one_line(out), "on one line");
	free(out);
	status_free(&d);
	ok(d.host == NULL && d.forwards == NULL && d.nforwards == 0,
	    "status_free zeroes the document");
	status_free(&d);
	status_free(NULL);

	memset(&d, 0, sizeof(d));
	d.version = xstrdup("0.1.0");
	d.host = xstrdup("h");
	d.pid = 1;
	is_int(0, status_to_json(&d, &out, &e), "write a minimal document");
	is_string("{\"version\":\"0.1.0\",\"pid\":1,\"state\":\"connecting\","
	    "\"host\":\"h\",\"uptime\":0,\"reconnects\":0,"
	    "\"last_error\":null,\"last_error_time\":null,\"channels\":0,"
	    "\"connections\":0,\"bytes_out\":0,\"bytes_in\":0,"
	    "\"reconnect_times\":[],\"forwards\":[]}\n",
	    out, "optional fields are written as null");
	free(out);
	status_free(&d);
}

static void
test_write_errors(void)
{
	struct status_doc d;
	struct errmsg e;
	char *out = (char *)&out;

	full_doc(&d);
	free(d.host);
	d.host = NULL;
	is_int(-1, status_to_json(&d, &out, &e), "no host: refused");
	is_string("status: no host to write", e.text, "with a message");
	ok(out == NULL, "and no output");
	d.host = xstrdup("bastion");
	d.state = (enum status_state)7;
	is_int(-1, status_to_json(&d, &out, &e), "bad state: refused");
	is_string("status: state 7 out of range", e.text, "with a message");
	d.state = STATUS_UP;
	d.pid = 0;
	is_int(-1, status_to_json(&d, &out, &e), "pid 0: refused");
	is_string("status: pid 0 out of range", e.text, "with a message");
	d.pid = 1;
	d.last_error_time = -1;
	is_int(-1, status_to_json(&d, &out, &e), "negative error time refused");
	d.last_error_time = 0;
	d.forwards[1].kind = (enum status_fwd_kind)-1;
	is_int(-1, status_to_json(&d, &out, &e), "bad forward kind: refused");
	is_string("status: forwards[1]: kind or state out of range", e.text,
	    "with a message");
	d.forwards[1].kind = STATUS_FWD_REMOTE;
	free(d.forwards[2].spec);
	d.forwards[2].spec = NULL;
	is_int(-1, status_to_json(&d, &out, &e), "forward without spec refused");
	is_string("status: forwards[2] has no spec", e.text, "with a message");
	status_free(&d);
}

static void
test_round_trip(void)
{
	struct status_doc d, r;
	struct errmsg e;
	char *out, *out2;

	full_doc(&d);
	status_to_json(&d, &out, &e);
	is_int(0, status_from_json(out, strlen(out), &r, &e),
	    "read back the full document");
	ok(status_equal(&d, &r), "every field survives the round trip");
	status_to_json(&r, &out2, &e);
	is_string(out, out2, "and writes the same text again");
	free(out2);
	status_free(&r);
	free(out);

	/* Every state name and kind, and counters at their limits. */
	d.state = STATUS_BACKOFF;
	d.forwards[0].state = STATUS_FWD_PENDING;
	d.forwards[1].state = STATUS_FWD_FAILED;
	d.forwards[0].port = 65535;
	d.uptime = d.reconnects = d.channels = d.connections =
	    (uint64_t)INT64_MAX;
	d.pid = INT32_MAX;
	d.last_error_time = INT64_MAX;
	status_to_json(&d, &out, &e);
	ok(status_from_json(out, strlen(out), &r, &e) == 0 && status_equal(&d, &r),
	    "backoff, pending, failed and the largest numbers survive");
	status_free(&r);
	free(out);

	/* Counters above 2^63-1 are clamped. */
	d.bytes_out = UINT64_MAX;
	d.bytes_in = (uint64_t)INT64_MAX + 1;
	status_to_json(&d, &out, &e);
	ok(strstr(out, "\"bytes_out\":9223372036854775807,"
	    "\"bytes_in\":9223372036854775807") != NULL,
	    "counters above 2^63-1 are written as 2^63-1");
	ok(status_from_json(out, strlen(out), &r, &e) == 0 &&
	    r.bytes_out == (uint64_t)INT64_MAX, "and read back so");
	status_free(&r);
	free(out);
	status_free(&d);
}

static void
test_read_fixed(void)
{
	struct status_doc d;
	struct status_forward *f;
	struct errmsg e;

	is_int(0, status_from_json(other_json, strlen(other_json), &d, &e),
	    "read a document written by hand: %s", e.text);
	is_string("9.9", d.version, "version");
	is_int(2147483647, d.pid, "pid");
	is_int(STATUS_CONNECTING, d.state, "state");
	is_string("gpu-gw.example", d.host, "host");
	is_int(0, (long long)d.uptime, "uptime");
	is_int(0, (long long)d.reconnects, "reconnects");
	ok(d.last_error == NULL, "last_error null: none");
	is_int(0, d.last_error_time, "last_error_time means nothing without it");
	is_int(0, (long long)d.channels, "channels");
	is_int(0, (long long)d.connections, "connections");
	ok(d.bytes_out == (uint64_t)INT64_MAX, "bytes_out 2^63-1");
	is_int(0, (long long)d.bytes_in, "bytes_in");
	is_int(2, (long long)d.nforwards, "two forwards");
	f = &d.forwards[0];
	is_int(STATUS_FWD_REMOTE, f->kind, "forwards[0].kind");
	is_string("0:[::1]:22", f->spec, "forwards[0].spec");
	is_int(STATUS_FWD_PENDING, f->state, "forwards[0].state");
	ok(f->bound == NULL && f->port == 0 && f->error == NULL,
	    "forwards[0]: null bound, port and error are none");
	f = &d.forwards[1];
	is_int(STATUS_FWD_LOCAL, f->kind, "forwards[1].kind");
	is_string("/run/db.sock:db:5432", f->spec, "forwards[1].spec");
	is_int(STATUS_FWD_FAILED, f->state, "forwards[1].state");
	is_string("/run/db.sock", f->bound, "forwards[1].bound");
	is_int(0, f->port, "forwards[1].port absent");
	is_string("connect: caf\xc3\xa9 \xf0\x9f\x98\x80 \"x\"\n", f->error,
	    "forwards[1].error: escapes and a surrogate pair decoded");
	status_free(&d);

	/* The length bounds the text; what follows is not read. */
	is_int(0, status_from_json(full_json, strlen(full_json) - 1, &d, &e),
	    "read without the final newline");
	status_free(&d);
	{
		char buf[sizeof(full_json) + 8];

		memcpy(buf, full_json, sizeof(full_json) - 1);
		memcpy(buf + sizeof(full_json) - 1, "garbage", 8);
		is_int(0, status_from_json(buf, sizeof(full_json) - 1, &d, &e),
		    "bytes past len are not read");
		status_free(&d);
		is_int(-1, status_from_json(buf, strlen(buf), &d, &e),
		    "but garbage within len is an error");
	}
}

struct edit_case {
	const char *path;	/* field to change */
	const char *value;	/* its new JSON value; NULL deletes it */
	const char *msg;	/* expected message; NULL: accepted */
};

static const struct edit_case edit_cases[] = {
	{ "version", NULL, "status: missing field \"version\"" },
	{ "pid", NULL, "status: missing field \"pid\"" },
	{ "state", NULL, "status: missing field \"state\"" },
	{ "host", NULL, "status: missing field \"host\"" },
	{ "uptime", NULL, "status: missing field \"uptime\"" },
	{ "reconnects", NULL, "status: missing field \"reconnects\"" },
	{ "last_error", NULL, NULL },
	{ "last_error_time", NULL, "status: missing field \"last_error_time\"" },
	{ "channels", NULL, "status: missing field \"channels\"" },
	{ "connections", NULL, "status: missing field \"connections\"" },
	{ "bytes_out", NULL, "status: missing field \"bytes_out\"" },
	{ "bytes_in", NULL, "status: missing field \"bytes_in\"" },
	{ "forwards", NULL, "status: missing field \"forwards\"" },
	{ "forwards[1].kind", NULL, "status: missing field \"forwards[1].kind\"" },
	{ "forwards[1].spec", NULL, "status: missing field \"forwards[1].spec\"" },
	{ "forwards[2].state", NULL,
	  "status: missing field \"forwards[2].state\"" },
	{ "forwards[0].bound", NULL, NULL },
	{ "forwards[0].port", NULL, NULL },
	{ "forwards[2].error", NULL, NULL },

	{ "version", "1", "status: field \"version\" is not a string" },
	{ "version", "null", "status: field \"version\" is not a string" },
	{ "pid", "\"4242\"", "status: field \"pid\" is not an integer" },
	{ "pid", "0", "status: field \"pid\" is out of range 1-2147483647" },
	{ "pid", "-1", "status: field \"pid\" is out of range 1-2147483647" },
	{ "pid", "2147483648",
	  "status: field \"pid\" is out of range 1-2147483647" },
	{ "state", "1", "status: field \"state\" is not a string" },
	{ "state", "\"down\"", "status: field \"state\" has unknown value \"down\"" },
	{ "state", "\"UP\"", "status: field \"state\" has unknown value \"UP\"" },
	{ "state", "\"up\\n\"",
	  "status: field \"state\" has unknown value \"up\\x0a\"" },
	{ "host", "[]", "status: field \"host\" is not a string" },
	{ "host", "null", "status: field \"host\" is not a string" },
	{ "host", "\"\"", NULL },
	{ "uptime", "1.5", "status: field \"uptime\" is not an integer" },
	{ "uptime", "1e3", "status: field \"uptime\" is not an integer" },
	{ "uptime", "true", "status: field \"uptime\" is not an integer" },
	{ "uptime", "null", "status: field \"uptime\" is not an integer" },
	{ "reconnects", "{}", "status: field \"reconnects\" is not an integer" },
	{ "bytes_in", "-1",
	  "status: field \"bytes_in\" is out of range 0-9223372036854775807" },
	{ "bytes_out", "-9223372036854775808",
	  "status: field \"bytes_out\" is out of range 0-9223372036854775807" },
	{ "channels", "9223372036854775807", NULL },
	{ "last_error", "7", "status: field \"last_error\" is not a string" },
	{ "last_error", "null", NULL },
	{ "last_error_time", "\"now\"",
	  "status: field \"last_error_time\" is not an integer" },
	{ "last_error_time", "-5",
	  "status: field \"last_error_time\" is out of range "
	  "0-9223372036854775807" },
	{ "last_error_time", "null",
	  "status: field \"last_error_time\" is not an integer" },
	{ "forwards", "{}", "status: field \"forwards\" is not an array" },
	{ "forwards", "null", "status: field \"forwards\" is not an array" },
	{ "forwards", "[]", NULL },
	{ "forwards[1]", "[]", NULL },	/* a top-level key "forwards[1]" */
	{ "forwards[0].kind", "\"tunnel\"",
	  "status: field \"forwards[0].kind\" has unknown value \"tunnel\"" },
	{ "forwards[0].kind", "0",
	  "status: field \"forwards[0].kind\" is not a string" },
	{ "forwards[0].state", "\"down\"",
	  "status: field \"forwards[0].state\" has unknown value \"down\"" },
	{ "forwards[0].spec", "[\"x\"]",
	  "status: field \"forwards[0].spec\" is not a string" },
	{ "forwards[0].bound", "5",
	  "status: field \"forwards[0].bound\" is not a string" },
	{ "forwards[0].port", "65536",
	  "status: field \"forwards[0].port\" is out of range 0-65535" },
	{ "forwards[0].port", "-1",
	  "status: field \"forwards[0].port\" is out of range 0-65535" },
	{ "forwards[0].port", "\"22\"",
	  "status: field \"forwards[0].port\" is not an integer" },
	{ "forwards[0].port", "0", NULL },
	{ "forwards[2].error", "false",
	  "status: field \"forwards[2].error\" is not a string" },
	{ "forwards[2].extra", "{\"a\":[[[]]]}", NULL },
	{ "extra", "\"unknown fields are ignored\"", NULL },
};

static void
test_edits(void)
{
	struct errmsg e;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(edit_cases) / sizeof(edit_cases[0]); i++) {
		const struct edit_case *c = &edit_cases[i];

		errmsg_clear(&e);
		rc = parse_edited(c->path, c->value, &e);
		if (c->msg == NULL)
			ok(rc == 0, "%s %s%s: accepted (%s)", c->path,
			    c->value ? "= " : "deleted", c->value ? c->value : "",
			    e.text);
		else
			ok(rc == -1 && strcmp(e.text, c->msg) == 0,
			    "%s %s%s: %s", c->path, c->value ? "= " : "deleted",
			    c->value ? c->value : "", e.text);
	}

	/* A forward that is not an object. */
	is_int(-1, parse_edited("forwards", "[1]", &e), "forwards [1] refused");
	is_string("status: field \"forwards[0]\" is not an object", e.text,
	    "naming the element");
}

struct bad_case {
	const char *text;
	size_t len;		/* 0: strlen(text) */
	const char *msg;	/* expected start of the message */
};

static const struct bad_case bad_cases[] = {
	{ "", 0, "status: invalid JSON at line 1, column 0: " },
	{ "   \n", 0, "status: invalid JSON at line 2, column 0: " },
	{ "{", 0, "status: invalid JSON at line 1, column 1: " },
	{ "{\"version\":", 0, "status: invalid JSON" },
	{ "[]", 0, "status: not a JSON object" },
	{ "[{}]", 0, "status: not a JSON object" },
	{ "\"up\"", 0, "status: invalid JSON" },
	{ "42", 0, "status: invalid JSON" },
	{ "null", 0, "status: invalid JSON" },
	{ "{}", 0, "status: missing field \"version\"" },
	{ "{} {}", 0, "status: invalid JSON at line 1, column 4: "
	  "end of file expected" },
	{ "{\"version\":\"1\",\"version\":\"2\"}", 0,
	  "status: invalid JSON at line 1, column 24: duplicate object key" },
	{ "{\"version\":\"a\\u0000b\"}", 0, "status: invalid JSON" },
	{ "{\"version\":\"a\0b\"}", 18, "status: invalid JSON" },
	{ "{\"version\":\"a\nb\"}", 0, "status: invalid JSON" },
	{ "{\"version\":\"\xff\"}", 0, "status: invalid JSON" },
	{ "{\"version\":\"\xc0\xaf\"}", 0, "status: invalid JSON" },
	{ "{\"version\":\"\\ud800\"}", 0, "status: invalid JSON" },
	{ "{\"version\":'x'}", 0, "status: invalid JSON" },
	{ "{version:\"x\"}", 0, "status: invalid JSON" },
	{ "{\"version\":\"x\",}", 0, "status: invalid JSON" },
	{ "{\"pid\":9223372036854775808}", 0,
	  "status: invalid JSON at line 1, column 26: too big integer" },
	{ "{\"pid\":-9223372036854775809}", 0,
	  "status: invalid JSON at line 1, column 27: too big negative integer" },
	{ "{\"pid\":1e999}", 0, "status: invalid JSON" },
	{ "{\"pid\":NaN}", 0, "status: invalid JSON" },
	{ "{\"pid\":0x10}", 0, "status: invalid JSON" },
	{ "{\"pid\":012}", 0, "status: invalid JSON" },
	{ "\xef\xbb\xbf{}", 0, "status: invalid JSON" },
};

static void
test_malformed(void)
{
	struct status_doc d;
	struct errmsg e;
	char *deep;
	size_t i, len;
	int rc, printable;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		const char *p;

		len = c->len ? c->len : strlen(c->text);
		errmsg_clear(&e);
		rc = status_from_json(c->text, len, &d, &e);
		for (printable = 1, p = e.text; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
				printable = 0;
		ok(rc == -1 && strncmp(e.text, c->msg, strlen(c->msg)) == 0 &&
		    printable && d.host == NULL && d.forwards == NULL,
		    "malformed %zu refused: %s", i, e.text);
		status_free(&d);
	}

	/* Deep nesting in an unknown field: jansson's depth limit. */
	len = 100000;
	deep = xmalloc(2 * len + 64);
	memcpy(deep, "{\"x\":", 5);
	memset(deep + 5, '[', len);
	memset(deep + 5 + len, ']', len);
	memcpy(deep + 5 + 2 * len, "}", 2);
	rc = status_from_json(deep, strlen(deep), &d, &e);
	ok(rc == -1 && strstr(e.text, "maximum parsing depth") != NULL,
	    "100000 nested arrays refused: %s", e.text);
	free(deep);
}

static void
test_strings(void)
{
	static const char ctl[] = "a\nb\rc\td\x01" "e\x1f" "f\x7f" "g\"h\\i/j";
	static const char utf8[] = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";
	struct status_doc d, r;
	struct errmsg e;
	char *out;

	full_doc(&d);
	free(d.last_error);
	d.last_error = xstrdup(ctl);
	free(d.host);
	d.host = xstrdup(utf8);
	free(d.forwards[2].error);
	d.forwards[2].error = xstrdup("bad \xff\xfe, overlong \xc0\xaf, "
	    "surrogate \xed\xa0\x80, cut \xe2\x82");
	is_int(0, status_to_json(&d, &out, &e), "write control bytes and UTF-8");
	ok(one_line(out), "the output is still one line");
	ok(strstr(out, "\"last_error\":\"a\\nb\\rc\\td\\u0001e\\u001Ff\x7fg"
	    "\\\"h\\\\i/j\"") != NULL, "control bytes are escaped: %s", out);
	ok(strstr(out, "\"host\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"")
	    != NULL, "UTF-8 is written as it is");
	is_int(0, status_from_json(out, strlen(out), &r, &e), "read it back");
	is_string(ctl, r.last_error, "control bytes survive the round trip");
	is_string(utf8, r.host, "UTF-8 survives the round trip");
	is_string("bad \xef\xbf\xbd\xef\xbf\xbd, overlong \xef\xbf\xbd\xef\xbf\xbd"
	    ", surrogate \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd, cut "
	    "\xef\xbf\xbd\xef\xbf\xbd", r.forwards[2].error,
	    "each byte of bad UTF-8 became U+FFFD");
	status_free(&r);
	free(out);
	status_free(&d);
}

static void
test_summary(void)
{
	struct status_doc d;
	char buf[512], small[12];
	char *p;

	full_doc(&d);
	p = status_summary(&d, buf, sizeof(buf));
	ok(p == buf, "status_summary returns buf");
	is_string("bastion: up 1h02m03s; forwards 2/3 up, 1 retrying; "
	    "channels 3 open, 120 total; 1.0 MiB out, 4.0 KiB in; 2 reconnects; "
	    "last error: kex: timed out", buf, "summary of the full document");

	d.state = STATUS_CONNECTING;
	d.forwards[0].state = STATUS_FWD_PENDING;
	d.forwards[1].state = STATUS_FWD_FAILED;
	d.reconnects = 1;
	d.bytes_out = 0;
	d.bytes_in = 1023;
	free(d.last_error);
	d.last_error = xstrdup("line1\nline2\x1b[2J");
	is_string("bastion: connecting; forwards 0/3 up, 1 pending, 1 failed, "
	    "1 retrying; channels 3 open, 120 total; 0 B out, 1023 B in; "
	    "1 reconnect; last error: line1 line2 [2J",
	    status_summary(&d, buf, sizeof(buf)),
	    "connecting, control characters become spaces");

	d.state = STATUS_BACKOFF;
	d.nforwards = 0;
	d.bytes_out = UINT64_MAX;
	d.bytes_in = 1536 * 1024;
	free(d.last_error);
	d.last_error = NULL;
	is_string("bastion: waiting to reconnect; no forwards; channels 3 open, "
	    "120 total; 16.0 EiB out, 1.5 MiB in; 1 reconnect",
	    status_summary(&d, buf, sizeof(buf)), "backoff, no forwards");
	d.nforwards = 3;

	d.state = STATUS_UP;
	d.uptime = 59;
	status_summary(&d, buf, sizeof(buf));
	ok(strncmp(buf, "bastion: up 59s;", 16) == 0, "uptime 59s");
	d.uptime = 125;
	status_summary(&d, buf, sizeof(buf));
	ok(strncmp(buf, "bastion: up 2m05s;", 18) == 0, "uptime 2m05s");
	d.uptime = 3 * 86400 + 4 * 3600 + 5 * 60 + 6;
	status_summary(&d, buf, sizeof(buf));
	ok(strncmp(buf, "bastion: up 3d04h05m;", 21) == 0, "uptime 3d04h05m");

	is_string("bastion: u", status_summary(&d, small, 11),
	    "cut to a small buffer");
	memset(small, 'x', sizeof(small));
	status_summary(&d, small, 1);
	is_int(0, small[0], "a 1-byte buffer gets an empty string");
	small[0] = 'x';
	status_summary(&d, small, 0);
	is_int('x', small[0], "a 0-byte buffer is not touched");
	status_free(&d);
}

/* "reconnect_times": optional (an earlier fwdpipe did not write it),
 * else epoch seconds, at most STATUS_RECONNECT_TIMES_MAX of them. */
static void
test_reconnect_times(void)
{
	static const char head[] = "{\"version\":\"1\",\"pid\":1,"
	    "\"state\":\"up\",\"host\":\"h\",\"uptime\":0,\"reconnects\":0,"
	    "\"channels\":0,\"connections\":0,\"bytes_out\":0,"
	    "\"bytes_in\":0,\"forwards\":[]";
	struct status_doc d;
	struct errmsg e;
	char buf[8192];
	size_t off;

	snprintf(buf, sizeof(buf), "%s}", head);
	ok(status_from_json(buf, strlen(buf), &d, &e) == 0 &&
	    !d.has_reconnect_times && d.nreconnect_times == 0,
	    "reconnect_times absent: read, and said to be absent");
	status_free(&d);
	snprintf(buf, sizeof(buf), "%s,\"reconnect_times\":null}", head);
	ok(status_from_json(buf, strlen(buf), &d, &e) == 0 &&
	    !d.has_reconnect_times, "reconnect_times null: absent");
	status_free(&d);
	snprintf(buf, sizeof(buf), "%s,\"reconnect_times\":[]}", head);
	ok(status_from_json(buf, strlen(buf), &d, &e) == 0 &&
	    d.has_reconnect_times && d.nreconnect_times == 0,
	    "reconnect_times []: there, and empty");
	status_free(&d);
	snprintf(buf, sizeof(buf), "%s,\"reconnect_times\":[5,7]}", head);
	ok(status_from_json(buf, strlen(buf), &d, &e) == 0 &&
	    d.nreconnect_times == 2 && d.reconnect_times[0] == 5 &&
	    d.reconnect_times[1] == 7, "reconnect_times [5,7] read in order");
	status_free(&d);
	snprintf(buf, sizeof(buf), "%s,\"reconnect_times\":[5,-1]}", head);
	is_int(-1, status_from_json(buf, strlen(buf), &d, &e),
	    "a negative time is refused");
	is_string("status: field \"reconnect_times[1]\" is not a time",
	    e.text, "naming the entry");
	snprintf(buf, sizeof(buf), "%s,\"reconnect_times\":[\"x\"]}", head);
	is_int(-1, status_from_json(buf, strlen(buf), &d, &e),
	    "a string is refused");
	snprintf(buf, sizeof(buf), "%s,\"reconnect_times\":5}", head);
	is_int(-1, status_from_json(buf, strlen(buf), &d, &e),
	    "a number instead of an array is refused");
	off = (size_t)snprintf(buf, sizeof(buf), "%s,\"reconnect_times\":[",
	    head);
	for (int i = 0; i <= STATUS_RECONNECT_TIMES_MAX; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%d",
		    i > 0 ? "," : "", i);
	snprintf(buf + off, sizeof(buf) - off, "]}");
	ok(status_from_json(buf, strlen(buf), &d, &e) == 0 &&
	    d.nreconnect_times == STATUS_RECONNECT_TIMES_MAX &&
	    d.reconnect_times[0] == 1 &&
	    d.reconnect_times[STATUS_RECONNECT_TIMES_MAX - 1] ==
	    STATUS_RECONNECT_TIMES_MAX,
	    "more than STATUS_RECONNECT_TIMES_MAX times: the latest are kept");
	status_free(&d);
}

static void
test_names(void)
{
	is_string("connecting", status_state_name(STATUS_CONNECTING), "state 0");
	is_string("backoff", status_state_name(STATUS_BACKOFF), "state 2");
	ok(status_state_name((enum status_state)3) == NULL, "state 3: NULL");
	is_string("dynamic", status_fwd_kind_name(STATUS_FWD_DYNAMIC), "kind");
	ok(status_fwd_kind_name((enum status_fwd_kind)-1) == NULL,
	    "kind -1: NULL");
	is_string("retrying", status_fwd_state_name(STATUS_FWD_RETRYING),
	    "forward state");
	ok(status_fwd_state_name((enum status_fwd_state)4) == NULL,
	    "forward state 4: NULL");
}

int
main(void)
{
	plan_lazy();
	test_write();
	test_write_errors();
	test_round_trip();
	test_read_fixed();
	test_edits();
	test_malformed();
	test_strings();
	test_summary();
	test_reconnect_times();
	test_names();
	return 0;
}
