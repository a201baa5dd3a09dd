/*
 * backoff.h: when to try again after an SSH connection fails or drops.
 * SPDX-License-Identifier: MIT
 *
 * A pure state machine: the caller passes in the time (clock_now()'s
 * monotonic seconds) with each event and gets back how long to wait; it
 * owns the timers.  Randomness comes from a function in the parameters, or
 * from a small generator seeded from them, so tests can fix it.
 *
 * The rules, with the default parameters:
 *  - A failure after TCP connected (banner, key exchange, host key,
 *    authentication, forwards refused), or a session lost before it had
 *    been up for a minute, waits one step.  Steps start at 1 s and double
 *    up to 60 s: 1, 2, 4, 8, 16, 32, 60, 60, ...  The wait is jittered,
 *    uniformly from 50% to 100% of the step, so that many clients of one
 *    server do not come back in lock-step.
 *  - A session that stayed up for 60 s resets the step to 1 s; the first
 *    reconnect after it is at once.
 *  - While the server is unreachable at the TCP level (connect refused,
 *    timed out, no route), the caller runs plain TCP connect probes, which
 *    start at least 2 s apart; a probe that connects ends the wait at once
 *    and the caller starts a full SSH attempt.  TCP failures do not move
 *    the step, so a server that accepts TCP but fails SSH still backs off.
 */
#ifndef HOPKIT_BACKOFF_H
#define HOPKIT_BACKOFF_H

#include <stdint.h>

enum backoff_kind {
	BACKOFF_TCP,	/* TCP connect failed: refused, timed out, no route */
	BACKOFF_SSH,	/* failed after TCP connected: banner, key exchange,
			   host key, authentication, forwards refused */
};

/* Parameters; a field of 0 (or out of range) takes the default. */
struct backoff_params {
	double base;		/* first step, seconds; default 1 */
	double cap;		/* largest step; default 60 (at least base) */
	double reset_after;	/* uptime that resets the step; default 60 */
	double probe_interval;	/* least time between probe starts; default 2 */
	double jitter;		/* shortest wait as a fraction of the step,
				   in (0, 1]; default 0.5; 1 for none */
	double (*random)(void *arg);	/* uniform in [0, 1); NULL: the
					   internal generator */
	void *random_arg;
	uint64_t seed;		/* seeds the internal generator */
};

/* The state; read it through the functions below. */
struct backoff {
	struct backoff_params p;
	double step;		/* the next SSH-level wait, before jitter */
	double up_since;	/* when the session came up, if up */
	double last_probe;	/* when the latest probe started */
	uint64_t rng;		/* the internal generator's state */
	int up;			/* a session is up */
};

/* Start with the first step; params may be NULL for the defaults. */
void backoff_init(struct backoff *b, const struct backoff_params *params);

/*
 * An attempt failed at now.  Returns the seconds to wait: for BACKOFF_SSH
 * the jittered step (and the step doubles); for BACKOFF_TCP the time until
 * the first probe may start (the failed attempt counts as a probe started
 * now).  A failure while a session is up ends it, as backoff_lost() would.
 */
double backoff_failure(struct backoff *b, double now, enum backoff_kind kind);

/* The session is up at now: authenticated, forwards set up. */
void backoff_connected(struct backoff *b, double now);

/*
 * The session was lost at now.  If it had been up for reset_after, the
 * step goes back to base and this returns 0: reconnect at once.  Otherwise
 * it counts as a BACKOFF_SSH failure and returns the jittered step.
 */
double backoff_lost(struct backoff *b, double now);

/*
 * A probe failed (or the caller is about to probe) at now: returns the
 * seconds to wait before starting the next one, 0 if it may start now,
 * and takes that moment as its start.  Each call books one probe.
 */
double backoff_next_probe(struct backoff *b, double now);

/* The step the next SSH-level failure waits (before jitter), for logs. */
double backoff_step(const struct backoff *b);

#endif
