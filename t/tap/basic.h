/*
 * basic.h: a small TAP producer for the C unit tests of lib/.
 * SPDX-License-Identifier: MIT
 *
 * A test calls plan() (or plan_lazy()), then ok()/is_int()/is_string() for
 * each check.  Output goes to stdout in TAP version 12, which Automake's
 * tap-driver.sh reads.  The exit status is 0 only if every planned test ran
 * and passed.
 */
#ifndef TAP_BASIC_H
#define TAP_BASIC_H

#include <stdarg.h>

#define TAP_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define TAP_NORETURN __attribute__((noreturn))

/* Announce N tests, or print the plan at exit from the count that ran. */
void plan(unsigned long n);
void plan_lazy(void);

/* Skip the whole file with a reason (plan 1..0). */
void skip_all(const char *fmt, ...) TAP_PRINTF(1, 2) TAP_NORETURN;

/* Report one test; each returns its success so callers can diag more. */
int ok(int success, const char *fmt, ...) TAP_PRINTF(2, 3);
int is_int(long long wanted, long long seen, const char *fmt, ...) TAP_PRINTF(3, 4);
int is_string(const char *wanted, const char *seen, const char *fmt, ...) TAP_PRINTF(3, 4);

/* Report one test as skipped. */
void skip(const char *reason, ...) TAP_PRINTF(1, 2);

/* A comment line ("# ...") on stdout. */
void diag(const char *fmt, ...) TAP_PRINTF(1, 2);

/* Stop the whole run ("Bail out!") and exit 255; sysbail adds strerror(errno). */
void bail(const char *fmt, ...) TAP_PRINTF(1, 2) TAP_NORETURN;
void sysbail(const char *fmt, ...) TAP_PRINTF(1, 2) TAP_NORETURN;

/* Monotonic clock in seconds, for tests that bound how long something took. */
double tap_now(void);

#endif
