/*
 * errmsg.h: the error a library call hands back to its caller.
 * SPDX-License-Identifier: MIT
 *
 * Library code never prints or exits on failure: it fills a struct errmsg
 * with an errno-style code and a one-line message, and returns -1.  The tool
 * decides whether that is fatal and how to show it.
 */
#ifndef HOPKIT_ERRMSG_H
#define HOPKIT_ERRMSG_H

#include <stddef.h>

#define ERRMSG_MAX 512

struct errmsg {
	int code;		/* errno value, or 0 when none applies */
	char text[ERRMSG_MAX];	/* one line, no trailing newline */
};

/* Set the code and a printf-formatted message; returns -1 for tail calls.
 * e->text may itself be an argument, to wrap a message with a prefix. */
int errmsg_set(struct errmsg *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like errmsg_set, with ": strerror(code)" appended. */
int errmsg_sys(struct errmsg *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reset to "no error". */
void errmsg_clear(struct errmsg *e);

#endif
