/*
 * lib-range.c: unit tests for lib/range.c (Nagios threshold ranges).
 * SPDX-License-Identifier: MIT
 *
 * Every row of the monitoring-plugins guideline table (10, 10:, ~:10,
 * 10:20, @10:20) is checked below, at, inside, at the end of and above
 * its range, since both ends are inclusive; then negative and decimal
 * numbers, the ranges that never or always alert, and the forms that
 * must be refused, each with a one-line message that names the input.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "basic.h"
#include "range.h"

/* A range, a value, and whether it must raise an alert. */
struct alert_case {
	const char *range;
	double v;
	int alert;
};

static const struct alert_case alert_cases[] = {
	/* "10": alert when < 0 or > 10 */
	{ "10", -1, 1 }, { "10", -0.000001, 1 }, { "10", 0, 0 },
	{ "10", 5, 0 }, { "10", 10, 0 }, { "10", 10.000001, 1 },
	{ "10", 11, 1 },
	/* "10:": alert when < 10 */
	{ "10:", -10, 1 }, { "10:", 9.999999, 1 }, { "10:", 10, 0 },
	{ "10:", 11, 0 }, { "10:", 1e300, 0 },
	/* "~:10": alert when > 10 */
	{ "~:10", -1e300, 0 }, { "~:10", -5, 0 }, { "~:10", 0, 0 },
	{ "~:10", 10, 0 }, { "~:10", 10.5, 1 }, { "~:10", 1e300, 1 },
	/* "10:20": alert when < 10 or > 20 */
	{ "10:20", 9, 1 }, { "10:20", 9.999999, 1 }, { "10:20", 10, 0 },
	{ "10:20", 15, 0 }, { "10:20", 20, 0 }, { "10:20", 20.000001, 1 },
	{ "10:20", 21, 1 },
	/* "@10:20": alert when >= 10 and <= 20 */
	{ "@10:20", 9, 0 }, { "@10:20", 9.999999, 0 }, { "@10:20", 10, 1 },
	{ "@10:20", 15, 1 }, { "@10:20", 20, 1 }, { "@10:20", 20.000001, 0 },
	{ "@10:20", 21, 0 },
	/* "@" on the other rows */
	{ "@10", -1, 0 }, { "@10", 0, 1 }, { "@10", 10, 1 }, { "@10", 11, 0 },
	{ "@10:", 9, 0 }, { "@10:", 10, 1 }, { "@10:", 1e300, 1 },
	{ "@~:10", -1e300, 1 }, { "@~:10", 10, 1 }, { "@~:10", 10.5, 0 },
	{ "@0:10", 0, 1 }, { "@0:10", 0.0012, 1 }, { "@0:10", 10.1, 0 },
	/* negative numbers */
	{ "-10:-5", -11, 1 }, { "-10:-5", -10, 0 }, { "-10:-5", -7, 0 },
	{ "-10:-5", -5, 0 }, { "-10:-5", -4.9, 1 }, { "-10:-5", 0, 1 },
	{ "~:-5", -100, 0 }, { "~:-5", -5, 0 }, { "~:-5", -4, 1 },
	{ "-5:", -5.1, 1 }, { "-5:", -5, 0 }, { "-5:", 3, 0 },
	{ "@-3:3", -3, 1 }, { "@-3:3", 0, 1 }, { "@-3:3", 3.01, 0 },
	/* decimal numbers */
	{ "-1.5:2.25", -1.6, 1 }, { "-1.5:2.25", -1.5, 0 },
	{ "-1.5:2.25", 0, 0 }, { "-1.5:2.25", 2.25, 0 },
	{ "-1.5:2.25", 2.26, 1 },
	{ "0.5", -0.01, 1 }, { "0.5", 0, 0 }, { "0.5", 0.5, 0 },
	{ "0.5", 0.51, 1 },
	{ ".5:5.", 0.49, 1 }, { ".5:5.", 0.5, 0 }, { ".5:5.", 5, 0 },
	{ ".5:5.", 5.01, 1 },
	{ "+1e1:2E1", 9, 1 }, { "+1e1:2E1", 10, 0 }, { "+1e1:2E1", 20, 0 },
	{ "+1e1:2E1", 21, 1 },
	{ "0.001", 0.0012, 1 }, { "0.001", 0.001, 0 },
	/* start == end */
	{ "10:10", 9.9, 1 }, { "10:10", 10, 0 }, { "10:10", 10.1, 1 },
	/* "~:" never alerts, "@~:" always does */
	{ "~:", -1e300, 0 }, { "~:", -1, 0 }, { "~:", 0, 0 }, { "~:", 1e300, 0 },
	{ "@~:", -1e300, 1 }, { "@~:", 0, 1 }, { "@~:", 1e300, 1 },
	/* ":10" is "0:10", as the plugins read it */
	{ ":10", -0.1, 1 }, { ":10", 0, 0 }, { ":10", 10, 0 }, { ":10", 10.1, 1 },
};

/* A range as parsed: its fields. */
struct parse_case {
	const char *range;
	double start, end;
	int start_inf, end_inf, inside;
};

static const struct parse_case parse_cases[] = {
	{ "10", 0, 10, 0, 0, 0 },
	{ "10:", 10, 0, 0, 1, 0 },
	{ "~:10", 0, 10, 1, 0, 0 },
	{ "10:20", 10, 20, 0, 0, 0 },
	{ "@10:20", 10, 20, 0, 0, 1 },
	{ "@10", 0, 10, 0, 0, 1 },
	{ "~:", 0, 0, 1, 1, 0 },
	{ "@~:", 0, 0, 1, 1, 1 },
	{ "-10:-5", -10, -5, 0, 0, 0 },
	{ "-1.5:2.25", -1.5, 2.25, 0, 0, 0 },
	{ "0:0", 0, 0, 0, 0, 0 },
	{ "+1e1:2E1", 10, 20, 0, 0, 0 },
	{ ":10", 0, 10, 0, 0, 0 },
};

/* Inputs that must be refused. */
static const char *const bad_ranges[] = {
	"@", "~", "abc", "10:5", "1e999", "nan", "inf", " 10", "10 ",
	"0x10", "1:2:3", "-inf", "NaN", "infinity", "~:inf", "0:nan",
	"10:~", "@@10", "~10", "~:~", ":", ":10x", "-", "+", ".", "1e",
	"1e+", "e5", "10,5", "10:20 ", "\t10", "1e999:", "-1e999:0",
	"@10:5", "5:-5", "-5", "10::20", "1.2.3", "1..2", "--1", "+-1",
	"1:@2", "10:20@",
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
test_alerts(void)
{
	struct range r;
	struct errmsg e;
	size_t i;

	for (i = 0; i < sizeof(alert_cases) / sizeof(alert_cases[0]); i++) {
		const struct alert_case *c = &alert_cases[i];

		if (!ok(range_parse(c->range, &r, &e) == 0, "'%s' parses",
		    c->range)) {
			diag("%s", e.text);
			continue;
		}
		is_int(c->alert, range_alert(&r, c->v), "'%s' at %.9g: %s",
		    c->range, c->v, c->alert ? "alert" : "no alert");
	}
}

static void
test_fields(void)
{
	struct range r;
	struct errmsg e;
	size_t i;

	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *c = &parse_cases[i];
		int same;

		memset(&r, 0x5a, sizeof(r));
		if (!ok(range_parse(c->range, &r, &e) == 0, "'%s' parses",
		    c->range)) {
			diag("%s", e.text);
			continue;
		}
		same = r.start_inf == c->start_inf && r.end_inf == c->end_inf &&
		    r.inside == c->inside &&
		    (c->start_inf || r.start == c->start) &&
		    (c->end_inf || r.end == c->end);
		ok(same, "'%s': start %g%s end %g%s inside %d", c->range,
		    r.start, r.start_inf ? " (inf)" : "", r.end,
		    r.end_inf ? " (inf)" : "", r.inside);
		is_string(c->range, r.text, "'%s' keeps its text", c->range);
	}
}

/* Refused, with EINVAL and a one-line message naming the input. */
static void
test_bad(void)
{
	struct range r;
	struct errmsg e;
	char want[128];
	size_t i;

	for (i = 0; i < sizeof(bad_ranges) / sizeof(bad_ranges[0]); i++) {
		const char *s = bad_ranges[i];
		int printable = one_line(s);

		errmsg_clear(&e);
		is_int(-1, range_parse(s, &r, &e), "'%s' is refused", s);
		is_int(EINVAL, e.code, "'%s': EINVAL", s);
		ok(one_line(e.text), "'%s': the message is one line: %s", s,
		    e.text);
		if (printable) {
			snprintf(want, sizeof(want), "'%s'", s);
			ok(strstr(e.text, want) != NULL, "'%s': the message "
			    "names it: %s", s, e.text);
		} else {
			ok(strstr(e.text, "range '") != NULL, "'%s': the "
			    "message names it: %s", s, e.text);
		}
	}
}

static void
test_messages(void)
{
	struct range r;
	struct errmsg e;
	char s[128];

	errmsg_clear(&e);
	is_int(-1, range_parse("", &r, &e), "'' is refused");
	is_int(EINVAL, e.code, "'': EINVAL");
	is_string("empty range", e.text, "'': message");

	range_parse("abc", &r, &e);
	is_string("range 'abc' is not a range of decimal numbers (10, 10:, "
	    "~:10, 10:20, @10:20)", e.text, "'abc': message");
	range_parse("10:5", &r, &e);
	is_string("range '10:5': start is above end", e.text,
	    "'10:5': message");
	range_parse("1e999", &r, &e);
	is_string("range '1e999' is not a range of decimal numbers (10, 10:, "
	    "~:10, 10:20, @10:20)", e.text, "'1e999': message");
	range_parse("@", &r, &e);
	is_string("range '@' is not a range of decimal numbers (10, 10:, "
	    "~:10, 10:20, @10:20)", e.text, "'@': message");

	/* Control characters are quoted, so the message stays one line. */
	errmsg_clear(&e);
	is_int(-1, range_parse("1\n2", &r, &e), "a newline is refused");
	ok(one_line(e.text) && strstr(e.text, "'1\\x0a2'") != NULL,
	    "it is quoted on one line: %s", e.text);
	errmsg_clear(&e);
	is_int(-1, range_parse("10\r", &r, &e), "a CR is refused");
	ok(one_line(e.text) && strstr(e.text, "'10\\x0d'") != NULL,
	    "it is quoted on one line: %s", e.text);
	errmsg_clear(&e);
	is_int(-1, range_parse("\xff", &r, &e), "a high byte is refused");
	ok(one_line(e.text) && strstr(e.text, "'\\xff'") != NULL,
	    "it is quoted on one line: %s", e.text);

	/* RANGE_TEXT_MAX - 1 characters are kept; one more is too long. */
	memset(s, '0', sizeof(s));
	memcpy(s, "1:1", 3);
	s[RANGE_TEXT_MAX - 1] = '\0';
	is_int(63, (long long)strlen(s), "a range of 63 characters");
	if (ok(range_parse(s, &r, &e) == 0, "63 characters parse"))
		is_string(s, r.text, "and its text is kept");
	else
		diag("%s", e.text);
	ok(r.start == 1 && r.end == 1e60, "it is 1:1e60 (%g:%g)", r.start,
	    r.end);
	memset(s, '0', sizeof(s));
	memcpy(s, "1:1", 3);
	s[RANGE_TEXT_MAX] = '\0';
	errmsg_clear(&e);
	is_int(-1, range_parse(s, &r, &e), "64 characters are too long");
	is_int(EINVAL, e.code, "too long: EINVAL");
	ok(one_line(e.text) && strstr(e.text, "too long") != NULL &&
	    strstr(e.text, "'1:1000") != NULL, "too long: one line naming it: "
	    "%s", e.text);
	memset(s, '9', sizeof(s));
	s[sizeof(s) - 1] = '\0';
	errmsg_clear(&e);
	is_int(-1, range_parse(s, &r, &e), "127 characters are too long");
	ok(one_line(e.text) && strstr(e.text, "'9999") != NULL,
	    "too long: one line naming it: %s", e.text);
	ok(strlen(e.text) < 200, "the message is cut short (%zu bytes)",
	    strlen(e.text));
}

/* The largest finite numbers work; NaN never alerts outside "@". */
static void
test_extremes(void)
{
	struct range r;
	struct errmsg e;

	ok(range_parse("-1.7976931348623157e308:1.7976931348623157e308", &r,
	    &e) == 0, "DBL_MAX bounds parse");
	is_int(0, range_alert(&r, 0), "0 is inside them");
	ok(range_parse("~:1e308", &r, &e) == 0, "~:1e308 parses");
	is_int(1, range_alert(&r, INFINITY), "+inf is above 1e308");
	is_int(0, range_alert(&r, -INFINITY), "-inf is not");
	ok(range_parse("0", &r, &e) == 0, "'0' parses");
	is_int(0, range_alert(&r, 0), "'0' at 0: no alert");
	is_int(1, range_alert(&r, 0.000001), "'0' at 0.000001: alert");
	ok(range_parse("-0:+0", &r, &e) == 0, "'-0:+0' parses");
	is_int(0, range_alert(&r, 0), "'-0:+0' at 0: no alert");
}

int
main(void)
{
	plan_lazy();
	test_alerts();
	test_fields();
	test_bad();
	test_messages();
	test_extremes();
	return 0;
}
