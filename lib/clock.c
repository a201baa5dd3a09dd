/*
 * clock.c: seconds to timeval, and the monotonic clock; see clock.h.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <time.h>

#include "clock.h"

struct timeval
clock_tv(double secs)
{
	struct timeval tv;

	if (secs < 0)
		secs = 0;
	tv.tv_sec = (time_t)secs;
	tv.tv_usec = (suseconds_t)((secs - (double)tv.tv_sec) * 1e6);
	return tv;
}

double
clock_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
