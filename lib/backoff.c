/*
 * backoff.c: reconnect pacing as a state machine; see backoff.h.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "backoff.h"

#define BACKOFF_BASE 1.0
#define BACKOFF_CAP 60.0
#define BACKOFF_RESET_AFTER 60.0
#define BACKOFF_PROBE_INTERVAL 2.0
#define BACKOFF_JITTER 0.5

/* v if it is a positive number (not NaN), else def. */
static double
backoff_positive(double v, double def)
{
	return v > 0 ? v : def;
}

void
backoff_init(struct backoff *b, const struct backoff_params *params)
{
	memset(b, 0, sizeof(*b));
	if (params != NULL)
		b->p = *params;
	b->p.base = backoff_positive(b->p.base, BACKOFF_BASE);
	b->p.cap = backoff_positive(b->p.cap, BACKOFF_CAP);
	if (b->p.cap < b->p.base)
		b->p.cap = b->p.base;
	b->p.reset_after = backoff_positive(b->p.reset_after,
	    BACKOFF_RESET_AFTER);
	b->p.probe_interval = backoff_positive(b->p.probe_interval,
	    BACKOFF_PROBE_INTERVAL);
	b->p.jitter = backoff_positive(b->p.jitter, BACKOFF_JITTER);
	if (b->p.jitter > 1)
		b->p.jitter = 1;
	b->rng = b->p.seed;
	b->step = b->p.base;
	b->last_probe = -b->p.probe_interval;	/* a first probe may go now */
}

/* A uniform number in [0, 1): the caller's, or splitmix64's. */
static double
backoff_random(struct backoff *b)
{
	uint64_t z;
	double r;

	if (b->p.random != NULL) {
		r = b->p.random(b->p.random_arg);
		/* A source out of range must not stretch the bounds. */
		return r >= 0 && r < 1 ? r : 0;
	}
	z = (b->rng += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	z ^= z >> 31;
	return (double)(z >> 11) / 9007199254740992.0;	/* 2^53 */
}

/* Wait one jittered step and double the next one, up to the cap. */
static double
backoff_take_step(struct backoff *b)
{
	double wait, f = b->p.jitter;

	wait = b->step * (f + (1 - f) * backoff_random(b));
	b->step *= 2;
	if (b->step > b->p.cap)
		b->step = b->p.cap;
	return wait;
}

/* End an up period at now; returns 1 if it lasted long enough to reset. */
static int
backoff_settle(struct backoff *b, double now)
{
	if (!b->up)
		return 0;
	b->up = 0;
	if (now - b->up_since < b->p.reset_after)
		return 0;
	b->step = b->p.base;
	return 1;
}

double
backoff_failure(struct backoff *b, double now, enum backoff_kind kind)
{
	backoff_settle(b, now);
	if (kind == BACKOFF_TCP) {
		b->last_probe = now;
		return backoff_next_probe(b, now);
	}
	return backoff_take_step(b);
}

void
backoff_connected(struct backoff *b, double now)
{
	b->up = 1;
	b->up_since = now;
}

double
backoff_lost(struct backoff *b, double now)
{
	if (backoff_settle(b, now))
		return 0;
	return backoff_take_step(b);
}

double
backoff_next_probe(struct backoff *b, double now)
{
	double start = b->last_probe + b->p.probe_interval;

	if (start < now)
		start = now;
	b->last_probe = start;
	return start - now;
}

double
backoff_step(const struct backoff *b)
{
	return b->step;
}
