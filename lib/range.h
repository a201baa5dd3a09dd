/*
 * range.h: Nagios threshold ranges, as the monitoring-plugins guidelines
 * define them.
 * SPDX-License-Identifier: MIT
 *
 * "[@]start:end" with both ends inclusive; start may be "~" (minus
 * infinity) and "start:" leaves end infinite; "end" alone means "0:end".
 * An alert is raised when the value is outside the range, or inside it
 * with "@":
 *   10      < 0 or > 10          10:     < 10
 *   ~:10    > 10                 10:20   < 10 or > 20
 *   @10:20  >= 10 and <= 20
 * Parsing is a pure function: no locale, no allocation.
 */
#ifndef HOPKIT_RANGE_H
#define HOPKIT_RANGE_H

#include "errmsg.h"

#define RANGE_TEXT_MAX 64	/* longest range text kept, with its NUL */

struct range {
	double start, end;
	int start_inf;		/* start is "~": no lower bound */
	int end_inf;		/* "start:": no upper bound */
	int inside;		/* "@": alert inside the range */
	char text[RANGE_TEXT_MAX];	/* as given, for perfdata */
};

/* Parse s into r; -1 with a one-line message in e for a bad range
 * (empty, not a number, start above end, longer than RANGE_TEXT_MAX - 1). */
int range_parse(const char *s, struct range *r, struct errmsg *e);

/* Does value v raise an alert under r? */
int range_alert(const struct range *r, double v);

#endif
