/*
 * range-fuzz.c: libFuzzer harness for lib/range.c (Nagios ranges).
 * SPDX-License-Identifier: MIT
 *
 * Feeds arbitrary bytes, as a C string, to range_parse() and checks the
 * invariants a caller relies on: -1 leaves a printable one-line message;
 * 0 leaves the text as given, finite bounds in order, and '@' exactly when
 * the text starts with it.  range_alert() is then checked at and just
 * past both ends (which are inclusive), at extremes and NaN, and against
 * the same range without '@', which must alert exactly the other way.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "range.h"

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

/* Alert as the guidelines define it, from the fields. */
static int
fuzz_want(const struct range *r, double v)
{
	int in = (r->start_inf || v >= r->start) && (r->end_inf || v <= r->end);

	return r->inside ? in : !in;
}

static void
fuzz_values(const struct range *r, const struct range *plain)
{
	double v[12];
	size_t n = 0, i;
	int a;

	v[n++] = 0;
	v[n++] = -INFINITY;
	v[n++] = INFINITY;
	v[n++] = -1.7976931348623157e308;
	v[n++] = 1.7976931348623157e308;
	v[n++] = NAN;
	if (!r->start_inf) {
		v[n++] = r->start;
		v[n++] = nextafter(r->start, -INFINITY);
		if (range_alert(r, r->start) != r->inside ||
		    range_alert(r, nextafter(r->start, -INFINITY)) == r->inside)
			abort();	/* start is inclusive, below is out */
	}
	if (!r->end_inf) {
		v[n++] = r->end;
		v[n++] = nextafter(r->end, INFINITY);
		if (range_alert(r, r->end) != r->inside ||
		    range_alert(r, nextafter(r->end, INFINITY)) == r->inside)
			abort();	/* end is inclusive, above is out */
	}
	for (i = 0; i < n; i++) {
		a = range_alert(r, v[i]);
		if ((a != 0 && a != 1) || a != fuzz_want(r, v[i]))
			abort();
		if (plain != NULL && range_alert(plain, v[i]) == a)
			abort();
	}
	if (r->start_inf && r->end_inf && range_alert(r, 0) != r->inside)
		abort();	/* "~:" never alerts, "@~:" always */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct range r, plain;
	struct errmsg e;
	char *s;
	int rc;

	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	e.text[0] = '\0';
	e.code = 0;
	memset(&r, 0xa5, sizeof(r));
	rc = range_parse(s, &r, &e);
	if (rc == -1) {
		if (!fuzz_line(e.text) || e.code != EINVAL)
			abort();
		free(s);
		return 0;
	}
	if (rc != 0 || strlen(s) >= RANGE_TEXT_MAX || strcmp(r.text, s) != 0 ||
	    (r.inside != 0 && r.inside != 1) || r.inside != (s[0] == '@') ||
	    (!r.start_inf && !isfinite(r.start)) ||
	    (!r.end_inf && !isfinite(r.end)) ||
	    (!r.start_inf && !r.end_inf && r.start > r.end))
		abort();
	if (r.inside) {
		/* The same range without '@' parses and alerts the other way. */
		if (range_parse(s + 1, &plain, &e) != 0 || plain.inside ||
		    plain.start_inf != r.start_inf || plain.end_inf != r.end_inf ||
		    (!r.start_inf && plain.start != r.start) ||
		    (!r.end_inf && plain.end != r.end))
			abort();
		fuzz_values(&r, &plain);
	} else {
		fuzz_values(&r, NULL);
	}
	free(s);
	return 0;
}
