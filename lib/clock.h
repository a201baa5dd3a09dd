/*
 * clock.h: time as the library counts it: seconds in a double.
 * SPDX-License-Identifier: MIT
 */
#ifndef HOPKIT_CLOCK_H
#define HOPKIT_CLOCK_H

#include <sys/time.h>

/* Seconds (>= 0) as the struct timeval libevent's timers take. */
struct timeval clock_tv(double secs);

/* The monotonic clock, in seconds. */
double clock_now(void);

#endif
