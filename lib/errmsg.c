/*
 * errmsg.c: fill a struct errmsg; see errmsg.h.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "errmsg.h"

/* Format through a scratch buffer, so that e->text may be one of the
 * arguments ("%s: %s", prefix, e->text) when a message is wrapped. */
static void __attribute__((format(printf, 3, 0)))
errmsg_vset(struct errmsg *e, int code, const char *fmt, va_list ap)
{
	char buf[sizeof(e->text)];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	memcpy(e->text, buf, sizeof(buf));
	e->code = code;
}

int
errmsg_set(struct errmsg *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return -1;
	va_start(ap, fmt);
	errmsg_vset(e, code, fmt, ap);
	va_end(ap);
	return -1;
}

int
errmsg_sys(struct errmsg *e, int code, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	if (e == NULL)
		return -1;
	va_start(ap, fmt);
	errmsg_vset(e, code, fmt, ap);
	va_end(ap);
	len = strlen(e->text);
	snprintf(e->text + len, sizeof(e->text) - len, ": %s", strerror(code));
	return -1;
}

void
errmsg_clear(struct errmsg *e)
{
	if (e == NULL)
		return;
	e->code = 0;
	e->text[0] = '\0';
}
