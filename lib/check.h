/*
 * check.h: judge what a probe found, or what fwdpipe's status says, as a
 * Nagios state with a summary, perfdata and long output (tunnelcheck).
 * SPDX-License-Identifier: MIT
 *
 * Pure functions: the probe (lib/probe) and the status document
 * (lib/status) come in, a report (lib/report) goes out.  What is judged:
 *   - a failure: CRITICAL, except a refused connection (refuse_state), a
 *     timeout (timeout_state) and an unreadable ssh_config (UNKNOWN);
 *   - the SSH software version against ssh_version: CRITICAL;
 *   - the --expect strings: mismatch_state when they were not seen;
 *   - each phase's time against its own ranges, and the total against
 *     -w/-c: CRITICAL before WARNING;
 *   - fwdpipe's status: CRITICAL when its session is not up or a forward
 *     is not up; the reconnects within reconnect_window against -w/-c.
 */
#ifndef HOPKIT_CHECK_H
#define HOPKIT_CHECK_H

#include <time.h>

#include "probe.h"
#include "range.h"
#include "report.h"
#include "status.h"

struct check_opts {
	struct range warn[PROBE_NPHASES], crit[PROBE_NPHASES];
	int has_warn[PROBE_NPHASES], has_crit[PROBE_NPHASES];
					/* [PROBE_TOTAL]: -w and -c */
	enum report_state timeout_state;	/* CRITICAL or UNKNOWN */
	enum report_state refuse_state;		/* CRITICAL by default */
	enum report_state mismatch_state;	/* WARNING by default */
	const char *ssh_version;	/* the software version, or NULL */
	const char *via;	/* "via proxy http://...", or NULL */
	double reconnect_window;	/* seconds, for check_status */
};

/* Judge a probe's result into rep (initialised by the caller). */
void check_probe(const struct probe_opts *po, const struct probe_result *r,
    const struct check_opts *o, struct report *rep);

/* Judge fwdpipe's status document at time now (epoch seconds). */
void check_status(const struct status_doc *d, time_t now,
    const struct check_opts *o, struct report *rep);

/* "1h02m03s", "5m00s", "42s" into buf. */
const char *check_duration(double secs, char *buf, size_t len);

#endif
