/*
 * basic.c: a small TAP producer for the C unit tests of lib/.
 * SPDX-License-Identifier: MIT
 *
 * Keeps the count of tests run and failed; an atexit hook prints the lazy
 * plan and turns a short or failed run into a non-zero exit status.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "basic.h"

static unsigned long tap_planned;
static unsigned long tap_run;
static unsigned long tap_failed;
static int tap_lazy;
static pid_t tap_pid;

/* At exit: print a lazy plan, complain about a short run, set the status. */
static void
tap_finish(void)
{
	if (getpid() != tap_pid)
		return;
	fflush(stderr);
	if (tap_lazy)
		printf("1..%lu\n", tap_run);
	else if (tap_planned != tap_run)
		printf("# planned %lu tests but ran %lu\n", tap_planned, tap_run);
	if (tap_failed > 0)
		printf("# failed %lu of %lu tests\n", tap_failed, tap_run);
	fflush(stdout);
	if (tap_failed > 0 || (!tap_lazy && tap_planned != tap_run))
		_exit(1);
}

static void
tap_start(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	tap_pid = getpid();
	atexit(tap_finish);
}

void
plan(unsigned long n)
{
	tap_start();
	tap_planned = n;
	printf("1..%lu\n", n);
}

void
plan_lazy(void)
{
	tap_start();
	tap_lazy = 1;
}

void
skip_all(const char *fmt, ...)
{
	va_list ap;

	printf("1..0 # skip ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	_exit(0);
}

/* Print "ok N - description" or "not ok N - description". */
static int
tap_report(int success, const char *fmt, va_list ap)
{
	tap_run++;
	if (!success)
		tap_failed++;
	char desc[1024], *p;

	printf("%sok %lu", success ? "" : "not ", tap_run);
	if (fmt != NULL && *fmt != '\0') {
		/* A description is one line, and '#' would start a directive. */
		vsnprintf(desc, sizeof(desc), fmt, ap);
		for (p = desc; *p != '\0'; p++)
			if (*p == '\n' || *p == '\r' || *p == '#')
				*p = '_';
		printf(" - %s", desc);
	}
	printf("\n");
	return success;
}

int
ok(int success, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_report(success, fmt, ap);
	va_end(ap);
	return success;
}

int
is_int(long long wanted, long long seen, const char *fmt, ...)
{
	va_list ap;
	int success = wanted == seen;

	va_start(ap, fmt);
	tap_report(success, fmt, ap);
	va_end(ap);
	if (!success)
		printf("#   wanted: %lld\n#     seen: %lld\n", wanted, seen);
	return success;
}

int
is_string(const char *wanted, const char *seen, const char *fmt, ...)
{
	va_list ap;
	int success;

	if (wanted == NULL || seen == NULL)
		success = wanted == seen;
	else
		success = strcmp(wanted, seen) == 0;
	va_start(ap, fmt);
	tap_report(success, fmt, ap);
	va_end(ap);
	if (!success)
		printf("#   wanted: %s\n#     seen: %s\n",
		    wanted ? wanted : "(null)", seen ? seen : "(null)");
	return success;
}

void
skip(const char *reason, ...)
{
	va_list ap;

	tap_run++;
	printf("ok %lu # skip ", tap_run);
	va_start(ap, reason);
	vprintf(reason, ap);
	va_end(ap);
	printf("\n");
}

void
diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

void
bail(const char *fmt, ...)
{
	va_list ap;

	fflush(stderr);
	printf("Bail out! ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	_exit(255);
}

void
sysbail(const char *fmt, ...)
{
	va_list ap;
	int oerrno = errno;

	fflush(stderr);
	printf("Bail out! ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(": %s\n", strerror(oerrno));
	fflush(stdout);
	_exit(255);
}

double
tap_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}
