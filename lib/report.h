/*
 * report.h: a monitoring check's result, written for Nagios, as JSON or
 * as Prometheus text exposition.
 * SPDX-License-Identifier: MIT
 *
 * A report is a state, a one-line summary, performance data, facts and
 * long-output lines.  The writers follow the monitoring-plugins
 * guidelines (one line "SERVICE STATE - summary | perfdata", then long
 * output), jansson's JSON (one document), and the Prometheus text format
 * 0.0.4 (each family once, with HELP and TYPE; label values escaped).
 * Text from peers is made printable, and '|' becomes '/' so that it cannot
 * start perfdata.
 */
#ifndef HOPKIT_REPORT_H
#define HOPKIT_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "range.h"

enum report_state {
	REPORT_OK = 0,
	REPORT_WARNING = 1,
	REPORT_CRITICAL = 2,
	REPORT_UNKNOWN = 3,
};

/* "OK", "WARNING", "CRITICAL", "UNKNOWN". */
const char *report_state_name(enum report_state s);

/* "ok", "warning" (or "warn"), "critical" (or "crit"), "unknown", in any
 * case; -1 for anything else. */
int report_state_parse(const char *s, enum report_state *out);

/* The worse of two states, as the plugins' max_state: CRITICAL, then
 * WARNING, then UNKNOWN, then OK. */
enum report_state report_worse(enum report_state a, enum report_state b);

#define REPORT_PERF_MAX 24
#define REPORT_FACTS_MAX 24

struct report_perf {
	char label[32];
	double value;
	const char *uom;	/* "s", "c", or "" */
	char warn[RANGE_TEXT_MAX], crit[RANGE_TEXT_MAX];	/* or "" */
	int has_min, has_max;
	double min, max;
	/* Prometheus: the family, and at most one label of its own. */
	const char *metric;	/* "tunnelcheck_phase_seconds", or NULL */
	const char *type;	/* "gauge" or "counter" */
	const char *help;
	const char *mlabel;	/* "phase", or NULL */
	char mvalue[32];	/* "connect" */
};

struct report_fact {
	const char *key;
	char *value;
};

struct report {
	const char *service;	/* "TUNNEL" */
	enum report_state state;
	char summary[1024];
	struct report_perf perf[REPORT_PERF_MAX];
	size_t nperf;
	struct report_fact facts[REPORT_FACTS_MAX];
	size_t nfacts;
	char **lines;		/* long output */
	size_t nlines;
	const char *target_label;	/* Prometheus and JSON: "target" */
	char *target;			/* "127.0.0.1:22" */
};

void report_init(struct report *r, const char *service,
    const char *target_label, const char *target);
void report_free(struct report *r);

/* Set the state and the summary. */
void report_set(struct report *r, enum report_state s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Add a long-output line (-v). */
void report_line(struct report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Add a fact for JSON ("banner": "SSH-2.0-..."); key must be static. */
void report_fact(struct report *r, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Add performance data; NULL ranges are empty.  Returns the entry (for
 * min, max and the Prometheus fields), or NULL when full. */
struct report_perf *report_perf(struct report *r, const char *label,
    double value, const char *uom, const struct range *warn,
    const struct range *crit);

/* Write "TUNNEL OK - summary | perfdata" and, with verbose, the long
 * output lines. */
void report_write_nagios(const struct report *r, int verbose, FILE *out);

/* One JSON document, on one line. */
void report_write_json(const struct report *r, FILE *out);

/* Prometheus text exposition: <prefix>_up, <prefix>_state, then each
 * metric family of the perfdata. */
void report_write_prometheus(const struct report *r, const char *prefix,
    FILE *out);

#endif
