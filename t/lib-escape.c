/*
 * lib-escape.c: unit tests for lib/escape.c (the backslash escapes of
 * tunnelcheck's --send and --expect: \r \n \t \\).
 * SPDX-License-Identifier: MIT
 *
 * Each escape alone and mixed with text, the unknown ones, a lone
 * backslash at the end, and inputs at and over the output buffer's size
 * (which must never be written past: a guard byte is checked).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "basic.h"
#include "escape.h"

/* Decode in into a buffer of outlen bytes followed by guard bytes. */
static long
decode(const char *in, char *out, size_t outlen, struct errmsg *e,
    int *guard_ok)
{
	char buf[256];
	long n;

	memset(buf, '#', sizeof(buf));
	errmsg_clear(e);
	n = escape_decode(in, buf, outlen, e);
	*guard_ok = 1;
	for (size_t i = outlen; i < sizeof(buf); i++)
		if (buf[i] != '#')
			*guard_ok = 0;
	if (n >= 0)
		memcpy(out, buf, (size_t)n + 1);
	return n;
}

static void
test_escapes(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "", "" },
		{ "plain text", "plain text" },
		{ "\\r", "\r" },
		{ "\\n", "\n" },
		{ "\\t", "\t" },
		{ "\\\\", "\\" },
		{ "HEAD / HTTP/1.0\\r\\n\\r\\n", "HEAD / HTTP/1.0\r\n\r\n" },
		{ "a\\tb\\\\c", "a\tb\\c" },
		{ "\\\\n", "\\n" },
		{ "\\\\\\\\", "\\\\" },
		{ "\\\\\\n", "\\\n" },
		{ "220 \\r", "220 \r" },
		{ "caf\xc3\xa9", "caf\xc3\xa9" },
	};
	char out[256];
	struct errmsg e;
	int guard;
	long n;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = decode(cases[i].in, out, 64, &e, &guard);
		is_int((long long)strlen(cases[i].out), n, "'%s': length",
		    cases[i].in);
		if (n >= 0)
			ok(memcmp(out, cases[i].out, strlen(cases[i].out) + 1)
			    == 0, "'%s': decoded", cases[i].in);
		else
			ok(0, "'%s': decoded (%s)", cases[i].in, e.text);
		ok(guard, "'%s': nothing written past the buffer",
		    cases[i].in);
	}
}

static void
test_errors(void)
{
	static const char *const unknown[] = {
		"\\0", "\\x41", "\\e", "\\a", "a\\b", "\\R", "\\N", "\\ ",
		"\\\"", "\\'", "ok\\r\\q",
	};
	char out[256], want[128];
	struct errmsg e;
	int guard;

	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		const char *bs = strchr(unknown[i], '\\');

		while (bs[1] == 'r')	/* "ok\\r\\q": the second one */
			bs = strchr(bs + 1, '\\');
		snprintf(want, sizeof(want), "unknown escape '\\%c' (known: "
		    "\\r \\n \\t \\\\)", bs[1]);
		is_int(-1, decode(unknown[i], out, 64, &e, &guard),
		    "'%s' is refused", unknown[i]);
		is_int(EINVAL, e.code, "'%s': EINVAL", unknown[i]);
		is_string(want, e.text, "'%s': message", unknown[i]);
		ok(guard, "'%s': nothing written past the buffer",
		    unknown[i]);
	}

	is_int(-1, decode("\\\x01", out, 64, &e, &guard),
	    "an escaped control byte is refused");
	is_string("unknown escape '\\?' (known: \\r \\n \\t \\\\)", e.text,
	    "it is shown as '?'");
	is_int(-1, decode("\\\xc3\xa9", out, 64, &e, &guard),
	    "an escaped high byte is refused");
	is_string("unknown escape '\\?' (known: \\r \\n \\t \\\\)", e.text,
	    "it is shown as '?'");

	is_int(-1, decode("abc\\", out, 64, &e, &guard),
	    "a trailing backslash is refused");
	is_int(EINVAL, e.code, "EINVAL");
	is_string("a lone '\\' at the end (write \\\\ for a backslash)",
	    e.text, "message");
	is_int(-1, decode("\\", out, 64, &e, &guard),
	    "a backslash alone is refused");
	is_int(-1, decode("\\\\\\", out, 64, &e, &guard),
	    "an escaped backslash and a lone one are refused");
	is_string("a lone '\\' at the end (write \\\\ for a backslash)",
	    e.text, "message");
	is_int(2, decode("\\\\\\\\", out, 64, &e, &guard),
	    "two escaped backslashes are fine");
}

static void
test_length(void)
{
	char in[300], out[300];
	struct errmsg e;
	int guard;

	/* outlen - 1 characters fit, with the NUL. */
	memset(in, 'a', sizeof(in));
	in[15] = '\0';
	is_int(15, decode(in, out, 16, &e, &guard), "15 bytes into 16: ok");
	ok(guard, "nothing written past the buffer");
	is_string(in, out, "decoded");
	in[15] = 'a';
	in[16] = '\0';
	is_int(-1, decode(in, out, 16, &e, &guard), "16 bytes into 16: "
	    "too long");
	is_int(ENAMETOOLONG, e.code, "ENAMETOOLONG");
	is_string("longer than 15 bytes", e.text, "message");
	ok(guard, "nothing written past the buffer");
	in[200] = '\0';
	is_int(-1, decode(in, out, 16, &e, &guard), "200 bytes into 16: "
	    "too long");
	ok(guard, "nothing written past the buffer");
	is_int(-1, decode("x", out, 1, &e, &guard), "1 byte into 1: too long");
	is_string("longer than 0 bytes", e.text, "message");
	is_int(0, decode("", out, 1, &e, &guard), "nothing into 1: ok");
	ok(guard, "nothing written past the buffer");

	/* Escapes at the edge: the decoded text is shorter than the input. */
	is_int(3, decode("\\r\\n\\t", out, 7, &e, &guard),
	    "6 input bytes into 7: ok");
	ok(memcmp(out, "\r\n\t", 4) == 0, "decoded");
	ok(guard, "nothing written past the buffer");
}

int
main(void)
{
	plan_lazy();
	test_escapes();
	test_errors();
	test_length();
	return 0;
}
