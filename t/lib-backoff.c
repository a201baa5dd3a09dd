/*
 * lib-backoff.c: unit tests for lib/backoff.c (reconnect pacing).
 * SPDX-License-Identifier: MIT
 *
 * The clock is a plain number the test moves, and the random source a
 * script of values, so every wait is known exactly.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "backoff.h"
#include "basic.h"

/* A random source that plays back values, the last one forever. */
struct script {
	const double *v;
	size_t n, i;
};

static double
script_random(void *arg)
{
	struct script *s = arg;
	double r = s->v[s->i];

	if (s->i + 1 < s->n)
		s->i++;
	return r;
}

/* Check a double to a relative tolerance of 1e-9. */
static int __attribute__((format(printf, 3, 4)))
is_near(double want, double got, const char *fmt, ...)
{
	double diff = got > want ? got - want : want - got;
	double tol = (want < 0 ? -want : want) * 1e-9;
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return ok(diff <= tol, "%s: %.9g (want %.9g)", what, got, want);
}

/* A backoff with the default rules but no jitter. */
static void
init_exact(struct backoff *b)
{
	struct backoff_params p;

	memset(&p, 0, sizeof(p));
	p.jitter = 1;
	backoff_init(b, &p);
}

static void
test_doubling(void)
{
	static const double want[] = { 1, 2, 4, 8, 16, 32, 60, 60, 60, 60 };
	struct backoff b;
	double t = 1000, w;
	size_t i;

	init_exact(&b);
	is_near(1, backoff_step(&b), "the first step is 1 s");
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		w = backoff_failure(&b, t, BACKOFF_SSH);
		is_near(want[i], w, "SSH failure %zu waits", i + 1);
		t += w;
	}
	is_near(60, backoff_step(&b), "the step stays at the cap");
	for (i = 0; i < 1000; i++)
		backoff_failure(&b, t, BACKOFF_SSH);
	is_near(60, backoff_failure(&b, t, BACKOFF_SSH),
	    "still at the cap after 1000 more failures");
}

static void
test_jitter_bounds(void)
{
	static const double lo[] = { 0 };
	static const double hi[] = { 1.0 - 1.0 / 9007199254740992.0 };
	static const double mid[] = { 0.5 };
	static const double bad[] = { 1.0, 1.5, -0.25 };
	static const double steps[] = { 1, 2, 4, 8, 16, 32, 60, 60 };
	struct backoff_params p;
	struct script s;
	struct backoff b;
	double w, wmin = 1, wmax = 0, prev[8];
	size_t i, j;
	int inside = 1;

	memset(&p, 0, sizeof(p));
	p.random = script_random;
	p.random_arg = &s;

	s = (struct script){ lo, 1, 0 };
	backoff_init(&b, &p);
	for (i = 0; i < 8; i++)
		is_near(steps[i] / 2, backoff_failure(&b, 0, BACKOFF_SSH),
		    "random 0 waits half of step %g", steps[i]);
	s = (struct script){ hi, 1, 0 };
	backoff_init(&b, &p);
	for (i = 0; i < 8; i++) {
		w = backoff_failure(&b, 0, BACKOFF_SSH);
		ok(w <= steps[i] && w > steps[i] * 0.999999,
		    "random just under 1 waits up to step %g (%.17g)", steps[i],
		    w);
	}
	s = (struct script){ mid, 1, 0 };
	backoff_init(&b, &p);
	is_near(0.75, backoff_failure(&b, 0, BACKOFF_SSH),
	    "random 0.5 waits three quarters of the step");
	s = (struct script){ bad, 3, 0 };
	backoff_init(&b, &p);
	is_near(0.5, backoff_failure(&b, 0, BACKOFF_SSH), "random 1.0 is taken as 0");
	is_near(1, backoff_failure(&b, 0, BACKOFF_SSH), "random 1.5 is taken as 0");
	is_near(2, backoff_failure(&b, 0, BACKOFF_SSH), "random -0.25 is taken as 0");

	p.jitter = 0.2;
	s = (struct script){ lo, 1, 0 };
	backoff_init(&b, &p);
	is_near(0.2, backoff_failure(&b, 0, BACKOFF_SSH),
	    "jitter 0.2: random 0 waits a fifth of the step");

	/* The internal generator: 20000 draws stay inside the bounds and
	 * come near both ends. */
	memset(&p, 0, sizeof(p));
	p.seed = 42;
	backoff_init(&b, &p);
	for (i = 0; i < 20000; i++) {
		b.step = 1;
		w = backoff_failure(&b, 0, BACKOFF_SSH);
		if (w < 0.5 || w > 1)
			inside = 0;
		if (w < wmin)
			wmin = w;
		if (w > wmax)
			wmax = w;
	}
	ok(inside, "internal generator: every wait in 50%%..100%% of the step");
	ok(wmin < 0.501 && wmax > 0.999, "and near both ends (%.4f, %.4f)",
	    wmin, wmax);
	backoff_init(&b, &p);
	for (i = 0; i < 8; i++)
		prev[i] = backoff_failure(&b, 0, BACKOFF_SSH);
	backoff_init(&b, &p);
	for (i = 0, j = 0; i < 8; i++)
		j += backoff_failure(&b, 0, BACKOFF_SSH) == prev[i];
	is_int(8, (long long)j, "the same seed gives the same waits");
	p.seed = 43;
	backoff_init(&b, &p);
	for (i = 0, j = 0; i < 8; i++)
		j += backoff_failure(&b, 0, BACKOFF_SSH) == prev[i];
	is_int(0, (long long)j, "another seed gives other waits");
}

static void
test_reset(void)
{
	struct backoff b;
	int i;

	init_exact(&b);
	for (i = 0; i < 3; i++)
		backoff_failure(&b, 10, BACKOFF_SSH);
	is_near(8, backoff_step(&b), "three failures: step 8");
	backoff_connected(&b, 100);
	is_near(0, backoff_lost(&b, 160), "lost after 60 s up: reconnect at once");
	is_near(1, backoff_step(&b), "and the step is back to 1");
	is_near(1, backoff_failure(&b, 160.5, BACKOFF_SSH),
	    "the next failure waits 1 s");

	init_exact(&b);
	for (i = 0; i < 3; i++)
		backoff_failure(&b, 10, BACKOFF_SSH);
	backoff_connected(&b, 100);
	is_near(8, backoff_lost(&b, 159.9), "lost after 59.9 s up: wait the step");
	is_near(16, backoff_step(&b), "and the step goes on doubling");
	backoff_connected(&b, 200);
	is_near(16, backoff_lost(&b, 201), "lost after 1 s up: wait the step");
	is_near(32, backoff_failure(&b, 217, BACKOFF_SSH),
	    "then a failure waits the next step");

	/* A failure while up ends the session, as a loss would. */
	init_exact(&b);
	for (i = 0; i < 4; i++)
		backoff_failure(&b, 10, BACKOFF_SSH);
	backoff_connected(&b, 100);
	is_near(1, backoff_failure(&b, 400, BACKOFF_SSH),
	    "a failure after 300 s up resets first");
	backoff_connected(&b, 500);
	is_near(2, backoff_failure(&b, 530, BACKOFF_SSH),
	    "a failure after 30 s up does not");
	backoff_connected(&b, 600);
	is_near(0, backoff_lost(&b, 9600), "lost after hours up: at once");
	is_near(1, backoff_lost(&b, 9601), "lost while not up: counts as a failure");
	is_near(2, backoff_step(&b), "and moves the step");
	backoff_connected(&b, 10000);
	ok(backoff_failure(&b, 10060, BACKOFF_TCP) == 2 &&
	    backoff_step(&b) == 1, "a TCP failure after 60 s up resets too");
}

static void
test_probes(void)
{
	struct backoff b;
	double t, w, start, prev;
	int i, spaced = 1, prompt = 1;

	init_exact(&b);
	for (i = 0; i < 2; i++)
		backoff_failure(&b, 0, BACKOFF_SSH);
	is_near(2, backoff_failure(&b, 10, BACKOFF_TCP),
	    "TCP failure: first probe in 2 s");
	is_near(4, backoff_step(&b), "a TCP failure leaves the step alone");
	is_near(1.99, backoff_next_probe(&b, 12.01),
	    "a probe refused at once: the next starts 2 s after it");
	is_near(0, backoff_next_probe(&b, 17),
	    "a probe that timed out after 3 s: the next starts now");
	is_near(1.5, backoff_next_probe(&b, 17.5), "then 2 s after that one");
	is_near(4, backoff_failure(&b, 20, BACKOFF_SSH),
	    "a probe connected, SSH failed: wait the step, no probes");
	is_near(2, backoff_failure(&b, 30, BACKOFF_TCP),
	    "unreachable again: probe in 2 s");

	/* Many probes that fail after varying times: starts are never
	 * closer than 2 s, and never later than needed. */
	init_exact(&b);
	t = 1000;
	w = backoff_failure(&b, t, BACKOFF_TCP);
	start = prev = t + w;
	for (i = 0; i < 1000; i++) {
		t = start + (double)(i % 7) * 0.5;	/* the probe's duration */
		w = backoff_next_probe(&b, t);
		prev = start;
		start = t + w;
		if (start - prev < 2 - 1e-9)
			spaced = 0;
		if (start > (prev + 2 > t ? prev + 2 : t) + 1e-9)
			prompt = 0;
	}
	ok(spaced, "1000 probes start at least 2 s apart");
	ok(prompt, "and each as soon as allowed");

	init_exact(&b);
	is_near(0, backoff_next_probe(&b, 0), "a first probe may start at once");
	is_near(2, backoff_next_probe(&b, 0), "each call books one probe");
	is_near(4, backoff_next_probe(&b, 0), "so a second call waits longer");
}

static void
test_params(void)
{
	static const double steps[] = { 0.5, 1, 2, 4, 5, 5 };
	struct backoff_params p;
	struct backoff b;
	size_t i;

	memset(&p, 0, sizeof(p));
	p.base = 0.5;
	p.cap = 5;
	p.jitter = 1;
	p.reset_after = 10;
	p.probe_interval = 0.25;
	backoff_init(&b, &p);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		is_near(steps[i], backoff_failure(&b, 0, BACKOFF_SSH),
		    "base 0.5, cap 5: failure %zu waits", i + 1);
	backoff_connected(&b, 100);
	is_near(0, backoff_lost(&b, 110), "reset_after 10: reset after 10 s up");
	is_near(0.25, backoff_failure(&b, 110, BACKOFF_TCP),
	    "probe_interval 0.25");

	p.cap = 0.1;
	backoff_init(&b, &p);
	backoff_failure(&b, 0, BACKOFF_SSH);
	is_near(0.5, backoff_failure(&b, 0, BACKOFF_SSH),
	    "a cap below the base is raised to it");

	p.base = -1;
	p.cap = NAN;
	p.reset_after = -5;
	p.probe_interval = 0;
	p.jitter = 7;
	backoff_init(&b, &p);
	is_near(1, backoff_step(&b), "a negative base takes the default");
	for (i = 0; i < 10; i++)
		backoff_failure(&b, 0, BACKOFF_SSH);
	is_near(60, backoff_step(&b), "a NaN cap takes the default");
	is_near(2, backoff_failure(&b, 0, BACKOFF_TCP),
	    "a zero probe_interval takes the default");
	is_near(60, backoff_failure(&b, 0, BACKOFF_SSH),
	    "a jitter above 1 means none");
	backoff_connected(&b, 0);
	ok(backoff_lost(&b, 59) > 0, "a negative reset_after takes the default");
}

int
main(void)
{
	plan_lazy();
	test_doubling();
	test_jitter_bounds();
	test_reset();
	test_probes();
	test_params();
	return 0;
}
