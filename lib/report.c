/*
 * report.c: write a check's result for Nagios, as JSON or for Prometheus;
 * see report.h.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "errmsg.h"
#include "report.h"
#include "xmalloc.h"

static const char *const report_names[] = {
	"OK", "WARNING", "CRITICAL", "UNKNOWN",
};

const char *
report_state_name(enum report_state s)
{
	return (unsigned)s <= REPORT_UNKNOWN ? report_names[s] : "UNKNOWN";
}

int
report_state_parse(const char *s, enum report_state *out)
{
	static const struct {
		const char *name;
		enum report_state state;
	} names[] = {
		{ "ok", REPORT_OK }, { "warning", REPORT_WARNING },
		{ "warn", REPORT_WARNING }, { "critical", REPORT_CRITICAL },
		{ "crit", REPORT_CRITICAL }, { "unknown", REPORT_UNKNOWN },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(s, names[i].name) == 0) {
			*out = names[i].state;
			return 0;
		}
	return -1;
}

enum report_state
report_worse(enum report_state a, enum report_state b)
{
	static const int rank[] = { 0, 2, 3, 1 };	/* OK, W, C, U */

	return rank[a] >= rank[b] ? a : b;
}

/*
 * Printable ASCII on one line, with no '|' (it would start perfdata): other
 * bytes become "\xNN".  Unlike log_sanitize() a backslash stays as it is,
 * so that text the library already escaped is not escaped twice.
 */
static void
report_clean(char *dst, size_t len, const char *src)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)src; *p != '\0';
	    p++) {
		if (*p >= 0x20 && *p < 0x7f) {
			if (o + 1 >= len)
				break;
			dst[o++] = *p == '|' ? '/' : (char)*p;
		} else {
			if (o + 4 >= len)
				break;
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[*p >> 4];
			dst[o++] = hex[*p & 0xf];
		}
	}
	dst[o] = '\0';
}

/* vasprintf into a cleaned, allocated string. */
static char *
report_vformat(const char *fmt, va_list ap)
{
	char raw[1024], *out = xmalloc(sizeof(raw) * 4);

	vsnprintf(raw, sizeof(raw), fmt, ap);
	report_clean(out, sizeof(raw) * 4, raw);
	return out;
}

void
report_init(struct report *r, const char *service, const char *target_label,
    const char *target)
{
	memset(r, 0, sizeof(*r));
	r->service = service;
	r->state = REPORT_UNKNOWN;
	r->target_label = target_label;
	r->target = xmalloc(ERRMSG_MAX);
	report_clean(r->target, ERRMSG_MAX, target != NULL ? target : "");
}

void
report_free(struct report *r)
{
	for (size_t i = 0; i < r->nlines; i++)
		free(r->lines[i]);
	free(r->lines);
	for (size_t i = 0; i < r->nfacts; i++)
		free(r->facts[i].value);
	free(r->target);
	memset(r, 0, sizeof(*r));
}

void
report_set(struct report *r, enum report_state s, const char *fmt, ...)
{
	char *text;
	va_list ap;

	va_start(ap, fmt);
	text = report_vformat(fmt, ap);
	va_end(ap);
	r->state = s;
	snprintf(r->summary, sizeof(r->summary), "%s", text);
	free(text);
}

void
report_line(struct report *r, const char *fmt, ...)
{
	va_list ap;

	r->lines = xreallocarray(r->lines, r->nlines + 1, sizeof(*r->lines));
	va_start(ap, fmt);
	r->lines[r->nlines++] = report_vformat(fmt, ap);
	va_end(ap);
}

void
report_fact(struct report *r, const char *key, const char *fmt, ...)
{
	va_list ap;

	if (r->nfacts >= REPORT_FACTS_MAX)
		return;
	r->facts[r->nfacts].key = key;
	va_start(ap, fmt);
	r->facts[r->nfacts++].value = report_vformat(fmt, ap);
	va_end(ap);
}

struct report_perf *
report_perf(struct report *r, const char *label, double value,
    const char *uom, const struct range *warn, const struct range *crit)
{
	struct report_perf *p;

	if (r->nperf >= REPORT_PERF_MAX)
		return NULL;
	p = &r->perf[r->nperf++];
	memset(p, 0, sizeof(*p));
	snprintf(p->label, sizeof(p->label), "%s", label);
	p->value = value;
	p->uom = uom != NULL ? uom : "";
	if (warn != NULL)
		snprintf(p->warn, sizeof(p->warn), "%s", warn->text);
	if (crit != NULL)
		snprintf(p->crit, sizeof(p->crit), "%s", crit->text);
	p->type = "gauge";
	return p;
}

/* A number for perfdata: seconds with microseconds, counts whole. */
static void
report_num(char *buf, size_t len, double v, const char *uom)
{
	if (strcmp(uom, "s") == 0 && v != floor(v))
		snprintf(buf, len, "%.6f", v);
	else if (v == floor(v) && fabs(v) < 1e19)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%g", v);
}

void
report_write_nagios(const struct report *r, int verbose, FILE *out)
{
	char num[64];

	fprintf(out, "%s %s - %s", r->service, report_state_name(r->state),
	    r->summary);
	if (r->nperf > 0)
		fputs(" |", out);
	for (size_t i = 0; i < r->nperf; i++) {
		const struct report_perf *p = &r->perf[i];

		report_num(num, sizeof(num), p->value, p->uom);
		fprintf(out, " '%s'=%s%s;%s;%s;", p->label, num, p->uom, p->warn,
		    p->crit);
		if (p->has_min) {
			report_num(num, sizeof(num), p->min, p->uom);
			fputs(num, out);
		}
		fputc(';', out);
		if (p->has_max) {
			report_num(num, sizeof(num), p->max, p->uom);
			fputs(num, out);
		}
	}
	fputc('\n', out);
	for (size_t i = 0; verbose > 0 && i < r->nlines; i++)
		fprintf(out, "%s\n", r->lines[i]);
}

/* A JSON string, or null for "". */
static json_t *
report_json_str(const char *s)
{
	return s != NULL && *s != '\0' ? json_string(s) : json_null();
}

void
report_write_json(const struct report *r, FILE *out)
{
	json_t *doc = json_object(), *perf = json_array(), *facts = json_object();
	json_t *phases = json_object(), *lines = json_array();
	char *text;

	json_object_set_new(doc, "state", json_string(report_state_name(r->state)));
	json_object_set_new(doc, "exit_code", json_integer(r->state));
	json_object_set_new(doc, "summary", json_string(r->summary));
	json_object_set_new(doc, r->target_label, json_string(r->target));
	for (size_t i = 0; i < r->nperf; i++) {
		const struct report_perf *p = &r->perf[i];
		json_t *o = json_object();

		json_object_set_new(o, "label", json_string(p->label));
		json_object_set_new(o, "value", json_real(p->value));
		json_object_set_new(o, "uom", json_string(p->uom));
		json_object_set_new(o, "warn", report_json_str(p->warn));
		json_object_set_new(o, "crit", report_json_str(p->crit));
		json_object_set_new(o, "min", p->has_min ? json_real(p->min) :
		    json_null());
		json_object_set_new(o, "max", p->has_max ? json_real(p->max) :
		    json_null());
		json_array_append_new(perf, o);
		if (p->mlabel != NULL && strcmp(p->mlabel, "phase") == 0)
			json_object_set_new(phases, p->mvalue,
			    json_real(p->value));
	}
	for (size_t i = 0; i < r->nfacts; i++)
		json_object_set_new(facts, r->facts[i].key,
		    json_string(r->facts[i].value));
	for (size_t i = 0; i < r->nlines; i++)
		json_array_append_new(lines, json_string(r->lines[i]));
	json_object_set_new(doc, "phases", phases);
	json_object_set_new(doc, "facts", facts);
	json_object_set_new(doc, "perfdata", perf);
	json_object_set_new(doc, "long_output", lines);
	text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (text != NULL) {
		fprintf(out, "%s\n", text);
		free(text);
	}
	json_decref(doc);
}

/* A label value in the exposition format: \ " and newline escaped. */
static void
report_prom_value(FILE *out, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', out);
		if (*s == '\n') {
			fputs("\\n", out);
			continue;
		}
		fputc(*s, out);
	}
}

/* One sample line: name{target="...",label="..."} value. */
static void
report_prom_sample(FILE *out, const struct report *r, const char *name,
    const char *label, const char *value, double v)
{
	fprintf(out, "%s{%s=\"", name, r->target_label);
	report_prom_value(out, r->target);
	fputc('"', out);
	if (label != NULL) {
		fprintf(out, ",%s=\"", label);
		report_prom_value(out, value);
		fputc('"', out);
	}
	fprintf(out, "} %.17g\n", v);
}

void
report_write_prometheus(const struct report *r, const char *prefix,
    FILE *out)
{
	char name[96];
	int done[REPORT_PERF_MAX] = { 0 };

	snprintf(name, sizeof(name), "%s_up", prefix);
	fprintf(out, "# HELP %s 1 if the check's state is OK, else 0.\n"
	    "# TYPE %s gauge\n", name, name);
	report_prom_sample(out, r, name, NULL, NULL, r->state == REPORT_OK);
	snprintf(name, sizeof(name), "%s_state", prefix);
	fprintf(out, "# HELP %s The check's state: 0 OK, 1 WARNING, "
	    "2 CRITICAL, 3 UNKNOWN.\n# TYPE %s gauge\n", name, name);
	report_prom_sample(out, r, name, NULL, NULL, r->state);
	/* Each family once, its samples together, in first-seen order. */
	for (size_t i = 0; i < r->nperf; i++) {
		const struct report_perf *p = &r->perf[i];

		if (done[i] || p->metric == NULL)
			continue;
		fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", p->metric,
		    p->help != NULL ? p->help : p->label, p->metric, p->type);
		for (size_t j = i; j < r->nperf; j++) {
			const struct report_perf *q = &r->perf[j];

			if (q->metric == NULL || strcmp(q->metric, p->metric) != 0)
				continue;
			done[j] = 1;
			report_prom_sample(out, r, q->metric, q->mlabel,
			    q->mvalue, q->value);
		}
	}
}
