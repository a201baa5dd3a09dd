/*
 * range.c: Nagios threshold ranges; see range.h.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "range.h"

/*
 * One end of a range: a decimal number (sign, digits, one dot, optional
 * exponent), parsed whole.  strtod alone would also take "inf", "nan",
 * hex floats and leading spaces, none of which a threshold means.
 */
static int
range_number(const char *s, size_t len, double *out)
{
	char buf[RANGE_TEXT_MAX], *end;
	size_t i = 0, digits = 0;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	if (s[i] == '+' || s[i] == '-')
		i++;
	while (i < len && s[i] >= '0' && s[i] <= '9') {
		i++;
		digits++;
	}
	if (i < len && s[i] == '.') {
		i++;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			i++;
			digits++;
		}
	}
	if (digits == 0)
		return -1;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		size_t exp = 0;

		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			i++;
			exp++;
		}
		if (exp == 0)
			return -1;
	}
	if (i != len)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	*out = strtod(buf, &end);
	if (*end != '\0' || errno == ERANGE || !isfinite(*out))
		return -1;
	return 0;
}

int
range_parse(const char *s, struct range *r, struct errmsg *e)
{
	char q[96];
	const char *p = s, *colon;
	size_t len = strlen(s);

	memset(r, 0, sizeof(*r));
	if (len == 0)
		return errmsg_set(e, EINVAL, "empty range");
	if (len >= sizeof(r->text))
		return errmsg_set(e, EINVAL, "range '%s' is too long",
		    log_quote(s, q, sizeof(q)));
	memcpy(r->text, s, len + 1);
	if (*p == '@') {
		r->inside = 1;
		p++;
	}
	colon = strchr(p, ':');
	if (colon == NULL) {
		/* "end": 0..end */
		if (range_number(p, strlen(p), &r->end) == -1)
			goto bad;
	} else {
		const char *endp = colon + 1;

		if (colon - p == 1 && *p == '~')
			r->start_inf = 1;
		else if (colon == p && colon[1] != '\0')
			r->start = 0;	/* ":10", as the plugins read it */
		else if (range_number(p, (size_t)(colon - p), &r->start) == -1)
			goto bad;
		if (*endp == '\0')
			r->end_inf = 1;
		else if (range_number(endp, strlen(endp), &r->end) == -1)
			goto bad;
	}
	if (!r->start_inf && !r->end_inf && r->start > r->end)
		return errmsg_set(e, EINVAL, "range '%s': start is above end",
		    log_quote(s, q, sizeof(q)));
	return 0;
bad:
	return errmsg_set(e, EINVAL, "range '%s' is not a range of decimal "
	    "numbers (10, 10:, ~:10, 10:20, @10:20)", log_quote(s, q,
	    sizeof(q)));
}

int
range_alert(const struct range *r, double v)
{
	int in = (r->start_inf || v >= r->start) && (r->end_inf || v <= r->end);

	return r->inside ? in : !in;
}
