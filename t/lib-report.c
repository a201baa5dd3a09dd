/*
 * lib-report.c: unit tests for lib/report.c (a check's result written for
 * Nagios, as JSON and as Prometheus text exposition).
 * SPDX-License-Identifier: MIT
 *
 * States: parsing, names, and which of two is worse.  Nagios: the first
 * line and its perfdata byte for byte, '|' and control characters in
 * peer text, long output only when verbose.  JSON: read back with
 * jansson, field by field.  Prometheus: written to a temporary file, read
 * back by a small parser of the text format (each family once, with HELP
 * then TYPE, its samples together; label values escaped), and checked by
 * `promtool check metrics` when it is installed (its absence fails the
 * test when CI=true).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <jansson.h>

#include "basic.h"
#include "promtool.h"
#include "range.h"
#include "report.h"

/* Everything written to f, as a string to free. */
static char *
slurp(FILE *f)
{
	char *buf;
	long len;

	fflush(f);
	if (fseek(f, 0, SEEK_END) == -1 || (len = ftell(f)) < 0)
		sysbail("tmpfile");
	rewind(f);
	if ((buf = malloc((size_t)len + 1)) == NULL)
		sysbail("malloc");
	if (fread(buf, 1, (size_t)len, f) != (size_t)len)
		sysbail("fread");
	buf[len] = '\0';
	return buf;
}

static FILE *
scratch(void)
{
	FILE *f = tmpfile();

	if (f == NULL)
		sysbail("tmpfile");
	return f;
}

static char *
nagios_text(const struct report *r, int verbose)
{
	FILE *f = scratch();
	char *s;

	report_write_nagios(r, verbose, f);
	s = slurp(f);
	fclose(f);
	return s;
}

static char *
json_text(const struct report *r)
{
	FILE *f = scratch();
	char *s;

	report_write_json(r, f);
	s = slurp(f);
	fclose(f);
	return s;
}

static char *
prom_text(const struct report *r)
{
	FILE *f = scratch();
	char *s;

	report_write_prometheus(r, "tunnelcheck", f);
	s = slurp(f);
	fclose(f);
	return s;
}

static void
parse_range(const char *s, struct range *r)
{
	struct errmsg e;

	if (range_parse(s, r, &e) == -1)
		bail("range %s: %s", s, e.text);
}

/* How many newlines text holds. */
static size_t
count_lines(const char *text)
{
	size_t n = 0;

	for (; *text != '\0'; text++)
		if (*text == '\n')
			n++;
	return n;
}

static void
test_states(void)
{
	static const struct {
		const char *s;
		int rc;
		enum report_state st;
	} cases[] = {
		{ "ok", 0, REPORT_OK }, { "OK", 0, REPORT_OK },
		{ "Ok", 0, REPORT_OK }, { "warning", 0, REPORT_WARNING },
		{ "WARNING", 0, REPORT_WARNING }, { "warn", 0, REPORT_WARNING },
		{ "Warn", 0, REPORT_WARNING }, { "critical", 0, REPORT_CRITICAL },
		{ "CRITICAL", 0, REPORT_CRITICAL },
		{ "crit", 0, REPORT_CRITICAL }, { "CRIT", 0, REPORT_CRITICAL },
		{ "unknown", 0, REPORT_UNKNOWN }, { "UNKNOWN", 0, REPORT_UNKNOWN },
		{ "", -1, 0 }, { "0", -1, 0 }, { "2", -1, 0 }, { "okay", -1, 0 },
		{ "warnin", -1, 0 }, { "criticals", -1, 0 }, { " ok", -1, 0 },
		{ "ok ", -1, 0 }, { "unk", -1, 0 }, { "err", -1, 0 },
	};
	/* worse[a][b], by CRITICAL > WARNING > UNKNOWN > OK */
	static const enum report_state worse[4][4] = {
		[REPORT_OK] = { REPORT_OK, REPORT_WARNING, REPORT_CRITICAL,
		    REPORT_UNKNOWN },
		[REPORT_WARNING] = { REPORT_WARNING, REPORT_WARNING,
		    REPORT_CRITICAL, REPORT_WARNING },
		[REPORT_CRITICAL] = { REPORT_CRITICAL, REPORT_CRITICAL,
		    REPORT_CRITICAL, REPORT_CRITICAL },
		[REPORT_UNKNOWN] = { REPORT_UNKNOWN, REPORT_WARNING,
		    REPORT_CRITICAL, REPORT_UNKNOWN },
	};
	enum report_state st;
	int a, b;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		st = (enum report_state)42;
		is_int(cases[i].rc, report_state_parse(cases[i].s, &st),
		    "parse '%s': %s", cases[i].s, cases[i].rc == 0 ? "known" :
		    "refused");
		if (cases[i].rc == 0)
			is_int(cases[i].st, st, "parse '%s': state",
			    cases[i].s);
	}
	is_string("OK", report_state_name(REPORT_OK), "name OK");
	is_string("WARNING", report_state_name(REPORT_WARNING),
	    "name WARNING");
	is_string("CRITICAL", report_state_name(REPORT_CRITICAL),
	    "name CRITICAL");
	is_string("UNKNOWN", report_state_name(REPORT_UNKNOWN),
	    "name UNKNOWN");
	is_string("UNKNOWN", report_state_name((enum report_state)7),
	    "name of 7: UNKNOWN");
	is_int(0, REPORT_OK, "OK is exit code 0");
	is_int(1, REPORT_WARNING, "WARNING is exit code 1");
	is_int(2, REPORT_CRITICAL, "CRITICAL is exit code 2");
	is_int(3, REPORT_UNKNOWN, "UNKNOWN is exit code 3");
	for (a = 0; a < 4; a++)
		for (b = 0; b < 4; b++)
			is_int(worse[a][b], report_worse((enum report_state)a,
			    (enum report_state)b), "worse(%s, %s)",
			    report_state_name((enum report_state)a),
			    report_state_name((enum report_state)b));
}

/* The report most tests below write. */
static void
sample_report(struct report *r)
{
	struct range w, c, w2;
	struct report_perf *p;

	parse_range("10", &w);
	parse_range("20", &c);
	parse_range("@0:10", &w2);
	report_init(r, "TUNNEL", "target", "127.0.0.1:22");
	report_set(r, REPORT_OK, "connected to %s port %u in %.3f s",
	    "127.0.0.1", 22u, 0.0123);
	p = report_perf(r, "time_connect", 0.0012, "s", &w, &c);
	p->has_min = p->has_max = 1;
	p->min = 0;
	p->max = 10;
	p->metric = "tunnelcheck_phase_seconds";
	p->help = "Time each phase of the check took.";
	p->mlabel = "phase";
	snprintf(p->mvalue, sizeof(p->mvalue), "connect");
	p = report_perf(r, "time_total", 3, "s", &w2, NULL);
	p->has_min = p->has_max = 1;
	p->min = 0;
	p->max = 2.5;
	p->metric = "tunnelcheck_phase_seconds";
	p->mlabel = "phase";
	snprintf(p->mvalue, sizeof(p->mvalue), "total");
	p = report_perf(r, "reconnects_total", 7, "c", NULL, NULL);
	p->metric = "tunnelcheck_tunnel_reconnects_total";
	p->type = "counter";
	p->help = "Sessions set up after fwdpipe's first.";
	p = report_perf(r, "forwards_up", 2, "", NULL, NULL);
	p->has_min = p->has_max = 1;
	p->min = 0;
	p->max = 3;
	report_perf(r, "ratio", 0.5, NULL, NULL, NULL);
	report_perf(r, "lag", -1.25, "s", NULL, &c);
	report_line(r, "target: 127.0.0.1 port %u", 22u);
	report_line(r, "connect  %.6f s", 0.0012);
	report_fact(r, "banner", "%s", "SSH-2.0-OpenSSH_9.2p1");
}

static const char sample_perf[] =
    " | 'time_connect'=0.001200s;10;20;0;10 'time_total'=3s;@0:10;;0;2.500000"
    " 'reconnects_total'=7c;;;; 'forwards_up'=2;;;0;3 'ratio'=0.5;;;;"
    " 'lag'=-1.250000s;;20;;";

static void
test_nagios(void)
{
	struct report r;
	char want[1024], *s;

	sample_report(&r);
	s = nagios_text(&r, 0);
	snprintf(want, sizeof(want), "TUNNEL OK - connected to 127.0.0.1 "
	    "port 22 in 0.012 s%s\n", sample_perf);
	is_string(want, s, "the first line and its perfdata, not verbose");
	free(s);
	s = nagios_text(&r, 1);
	snprintf(want, sizeof(want), "TUNNEL OK - connected to 127.0.0.1 "
	    "port 22 in 0.012 s%s\ntarget: 127.0.0.1 port 22\n"
	    "connect  0.001200 s\n", sample_perf);
	is_string(want, s, "verbose: the long output follows");
	free(s);
	s = nagios_text(&r, 3);
	is_int(3, count_lines(s), "-vvv: the same three lines");
	free(s);
	report_free(&r);

	/* No perfdata: no '|'. */
	report_init(&r, "TUNNEL", "target", NULL);
	is_int(REPORT_UNKNOWN, r.state, "a new report is UNKNOWN");
	report_set(&r, REPORT_CRITICAL, "connect to %s port %d: %s",
	    "127.0.0.1", 1, "Connection refused");
	s = nagios_text(&r, 1);
	is_string("TUNNEL CRITICAL - connect to 127.0.0.1 port 1: Connection "
	    "refused\n", s, "no perfdata, no long output");
	free(s);
	report_set(&r, REPORT_WARNING, "%s", "changed");
	s = nagios_text(&r, 0);
	is_string("TUNNEL WARNING - changed\n", s, "report_set replaces");
	free(s);
	report_free(&r);
}

/* Peer text: '|' cannot start perfdata, control bytes stay on the line. */
static void
test_clean(void)
{
	struct report r;
	char big[3000], *s, *nl;
	size_t i;

	report_init(&r, "TUNNEL", "target", "h:1");
	report_set(&r, REPORT_CRITICAL, "not an SSH server: it sent '%s'",
	    "a|b\nc\td\\e\x1b[0m\xff|");
	report_line(&r, "received 3 bytes: '%s'", "x|y\r\n");
	report_fact(&r, "banner", "%s", "SSH-2.0-a|b\n");
	is_string("not an SSH server: it sent 'a/b\\x0ac\\x09d\\e\\x1b[0m"
	    "\\xff/'", r.summary, "the summary: '|' is '/', controls escaped");
	is_string("received 3 bytes: 'x/y\\x0d\\x0a'", r.lines[0],
	    "a long-output line is cleaned too");
	is_string("SSH-2.0-a/b\\x0a", r.facts[0].value, "and a fact");
	s = nagios_text(&r, 1);
	is_string("TUNNEL CRITICAL - not an SSH server: it sent 'a/b\\x0ac"
	    "\\x09d\\e\\x1b[0m\\xff/'\nreceived 3 bytes: 'x/y\\x0d\\x0a'\n",
	    s, "written: two lines, no '|'");
	free(s);

	/* A long summary is cut, still on one line. */
	for (i = 0; i + 1 < sizeof(big); i++)
		big[i] = i % 7 == 6 ? '\n' : 'x';
	big[sizeof(big) - 1] = '\0';
	report_set(&r, REPORT_OK, "%s", big);
	ok(strlen(r.summary) < sizeof(r.summary), "a long summary is cut "
	    "(%zu bytes)", strlen(r.summary));
	ok(strchr(r.summary, '\n') == NULL, "and has no newline");
	s = nagios_text(&r, 0);
	nl = strchr(s, '\n');
	ok(nl != NULL && nl[1] == '\0', "written as one line");
	free(s);
	report_free(&r);
}

/* The number in a JSON value, or NAN. */
static double
jnum(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *
jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : "(not a string)";
}

static void
test_json(void)
{
	static const char *const names[] = { "OK", "WARNING", "CRITICAL",
	    "UNKNOWN" };
	struct report r;
	json_t *doc, *perf, *p, *lines, *facts, *phases;
	json_error_t jerr;
	char *s;
	int st;

	sample_report(&r);
	s = json_text(&r);
	is_int(1, count_lines(s), "JSON: one line");
	ok(s[strlen(s) - 1] == '\n', "ending in a newline");
	doc = json_loads(s, 0, &jerr);
	if (!ok(json_is_object(doc), "it parses as an object"))
		bail("JSON: %s: %s", jerr.text, s);
	free(s);
	is_string("OK", jstr(doc, "state"), "state");
	ok(json_is_integer(json_object_get(doc, "exit_code")) &&
	    json_integer_value(json_object_get(doc, "exit_code")) == 0,
	    "exit_code 0");
	is_string("connected to 127.0.0.1 port 22 in 0.012 s",
	    jstr(doc, "summary"), "summary");
	is_string("127.0.0.1:22", jstr(doc, "target"), "target");

	perf = json_object_get(doc, "perfdata");
	ok(json_is_array(perf) && json_array_size(perf) == 6,
	    "perfdata: 6 entries");
	p = json_array_get(perf, 0);
	is_string("time_connect", jstr(p, "label"), "[0] label");
	ok(jnum(p, "value") == 0.0012, "[0] value %g", jnum(p, "value"));
	is_string("s", jstr(p, "uom"), "[0] uom");
	is_string("10", jstr(p, "warn"), "[0] warn");
	is_string("20", jstr(p, "crit"), "[0] crit");
	ok(jnum(p, "min") == 0 && jnum(p, "max") == 10, "[0] min 0, max 10");
	p = json_array_get(perf, 2);
	is_string("reconnects_total", jstr(p, "label"), "[2] label");
	ok(jnum(p, "value") == 7, "[2] value 7");
	is_string("c", jstr(p, "uom"), "[2] uom");
	ok(json_is_null(json_object_get(p, "warn")) &&
	    json_is_null(json_object_get(p, "crit")) &&
	    json_is_null(json_object_get(p, "min")) &&
	    json_is_null(json_object_get(p, "max")),
	    "[2] no ranges, min or max: null");
	p = json_array_get(perf, 4);
	is_string("", jstr(p, "uom"), "[4] no uom: \"\"");
	p = json_array_get(perf, 5);
	ok(jnum(p, "value") == -1.25, "[5] negative value");

	phases = json_object_get(doc, "phases");
	ok(json_is_object(phases) && json_object_size(phases) == 2 &&
	    jnum(phases, "connect") == 0.0012 && jnum(phases, "total") == 3,
	    "phases: connect and total");
	facts = json_object_get(doc, "facts");
	ok(json_is_object(facts) && json_object_size(facts) == 1,
	    "facts: one");
	is_string("SSH-2.0-OpenSSH_9.2p1", jstr(facts, "banner"),
	    "facts.banner");
	lines = json_object_get(doc, "long_output");
	ok(json_is_array(lines) && json_array_size(lines) == 2 &&
	    strcmp(json_string_value(json_array_get(lines, 1)),
	    "connect  0.001200 s") == 0, "long_output: the two lines");
	json_decref(doc);
	report_free(&r);

	/* Each state; another target label; text that needs escaping. */
	for (st = 0; st < 4; st++) {
		report_init(&r, "TUNNEL", "status_socket", "/run/fwd\"pipe.sock");
		report_set(&r, (enum report_state)st, "say \"%s\" \\ %s", "hi",
		    "caf\xc3\xa9 \xff\x01");
		s = json_text(&r);
		doc = json_loads(s, 0, NULL);
		free(s);
		ok(json_is_object(doc), "%s: parses", names[st]);
		is_string(names[st], jstr(doc, "state"), "%s: state",
		    names[st]);
		ok(json_integer_value(json_object_get(doc, "exit_code")) == st,
		    "%s: exit_code %d", names[st], st);
		is_string("/run/fwd\"pipe.sock", jstr(doc, "status_socket"),
		    "%s: status_socket", names[st]);
		ok(json_object_get(doc, "target") == NULL, "%s: no target",
		    names[st]);
		is_string("say \"hi\" \\ caf\\xc3\\xa9 \\xff\\x01",
		    jstr(doc, "summary"), "%s: summary", names[st]);
		ok(json_is_array(json_object_get(doc, "perfdata")) &&
		    json_array_size(json_object_get(doc, "perfdata")) == 0,
		    "%s: perfdata empty", names[st]);
		ok(json_is_object(json_object_get(doc, "facts")) &&
		    json_is_object(json_object_get(doc, "phases")) &&
		    json_is_array(json_object_get(doc, "long_output")),
		    "%s: facts, phases and long_output there", names[st]);
		json_decref(doc);
		report_free(&r);
	}

	/* A target that is not UTF-8 (a socket path may be any bytes). */
	report_init(&r, "TUNNEL", "status_socket", "/tmp/caf\xe9.sock");
	report_set(&r, REPORT_OK, "fine");
	s = json_text(&r);
	doc = json_loads(s, 0, NULL);
	free(s);
	ok(json_is_object(doc), "a non-UTF-8 target: parses");
	ok(json_is_string(json_object_get(doc, "status_socket")),
	    "a non-UTF-8 target: status_socket is still there");
	json_decref(doc);
	report_free(&r);
}

/*
 * A small reader of the Prometheus text format 0.0.4, enough to check
 * what report_write_prometheus() writes: each family's "# HELP" and
 * "# TYPE" once, in that order, then its samples, all together.
 */
struct prom_sample {
	char name[96];
	char labels[512];	/* as written, escapes kept */
	double value;
};

struct prom {
	struct prom_sample s[64];
	size_t n;
	char families[32][96];
	size_t nfamilies;
	char err[256];
};

static int
prom_fail(struct prom *p, const char *line, const char *why)
{
	snprintf(p->err, sizeof(p->err), "%s: '%.100s'", why, line);
	return -1;
}

static int
prom_name_char(char c, int first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    c == ':' || (!first && c >= '0' && c <= '9');
}

/* One sample line "name{l="v",...} value". */
static int
prom_sample_line(struct prom *p, const char *line, const char *family)
{
	struct prom_sample *s = &p->s[p->n];
	const char *q = line, *start;
	char *end;

	if (p->n >= sizeof(p->s) / sizeof(p->s[0]))
		return prom_fail(p, line, "too many samples");
	while (prom_name_char(*q, q == line))
		q++;
	if (q == line || (size_t)(q - line) >= sizeof(s->name))
		return prom_fail(p, line, "bad metric name");
	memcpy(s->name, line, (size_t)(q - line));
	s->name[q - line] = '\0';
	if (family == NULL || strcmp(s->name, family) != 0)
		return prom_fail(p, line, "a sample outside its family");
	s->labels[0] = '\0';
	if (*q == '{') {
		start = ++q;
		for (;;) {
			const char *ln = q;

			while (prom_name_char(*q, q == ln))
				q++;
			if (q == ln || q[0] != '=' || q[1] != '"')
				return prom_fail(p, line, "bad label");
			for (q += 2; *q != '"'; q++) {
				if (*q == '\0' || *q == '\n')
					return prom_fail(p, line,
					    "unterminated label value");
				if (*q == '\\') {
					q++;
					if (*q != '\\' && *q != '"' && *q != 'n')
						return prom_fail(p, line,
						    "bad escape in a label value");
				}
			}
			q++;
			if (*q == '}')
				break;
			if (*q++ != ',')
				return prom_fail(p, line, "bad label list");
		}
		if ((size_t)(q - start) >= sizeof(s->labels))
			return prom_fail(p, line, "labels too long");
		memcpy(s->labels, start, (size_t)(q - start));
		s->labels[q - start] = '\0';
		q++;
	}
	if (*q++ != ' ')
		return prom_fail(p, line, "no space before the value");
	s->value = strtod(q, &end);
	if (end == q || *end != '\0')
		return prom_fail(p, line, "bad value");
	p->n++;
	return 0;
}

static int
prom_parse(const char *text, struct prom *p)
{
	char line[1024], help[96] = "", *family = NULL, type[16];
	const char *nl;
	size_t len, i;

	memset(p, 0, sizeof(*p));
	if (*text == '\0' || text[strlen(text) - 1] != '\n')
		return prom_fail(p, text, "not ending in a newline");
	for (; *text != '\0'; text = nl + 1) {
		nl = strchr(text, '\n');
		len = (size_t)(nl - text);
		if (len >= sizeof(line))
			return prom_fail(p, text, "line too long");
		memcpy(line, text, len);
		line[len] = '\0';
		if (strncmp(line, "# HELP ", 7) == 0) {
			if (sscanf(line + 7, "%95s", help) != 1 ||
			    strchr(line + 7, ' ') == NULL)
				return prom_fail(p, line, "bad HELP");
			for (i = 0; i < p->nfamilies; i++)
				if (strcmp(p->families[i], help) == 0)
					return prom_fail(p, line,
					    "a family written twice");
			if (p->nfamilies >= 32)
				return prom_fail(p, line, "too many families");
			snprintf(p->families[p->nfamilies], sizeof(p->families[0]),
			    "%s", help);
			family = NULL;
			continue;
		}
		if (strncmp(line, "# TYPE ", 7) == 0) {
			char name[96];

			if (sscanf(line + 7, "%95s %15s", name, type) != 2 ||
			    strcmp(name, help) != 0 ||
			    (strcmp(type, "gauge") != 0 &&
			    strcmp(type, "counter") != 0))
				return prom_fail(p, line, "bad TYPE, or not "
				    "right after its HELP");
			family = p->families[p->nfamilies++];
			help[0] = '\0';
			continue;
		}
		if (line[0] == '#')
			return prom_fail(p, line, "an unknown comment");
		if (prom_sample_line(p, line, family) == -1)
			return -1;
	}
	return 0;
}

/* The value of the sample with this name and labels, or NAN. */
static double
prom_get(const struct prom *p, const char *name, const char *labels)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->s[i].name, name) == 0 &&
		    strcmp(p->s[i].labels, labels) == 0)
			return p->s[i].value;
	return NAN;
}

static void
test_prometheus(void)
{
	struct report r;
	struct report_perf *p;
	struct prom pr;
	char *s;

	sample_report(&r);
	r.state = REPORT_WARNING;
	/* A second phase after other families: it joins its own. */
	p = report_perf(&r, "time_kex", 0.25, "s", NULL, NULL);
	p->metric = "tunnelcheck_phase_seconds";
	p->help = "another help text, not used";
	p->mlabel = "phase";
	snprintf(p->mvalue, sizeof(p->mvalue), "kex");
	p = report_perf(&r, "bytes_out", 1048576, "c", NULL, NULL);
	p->metric = "tunnelcheck_tunnel_bytes_total";
	p->type = "counter";
	p->help = "Bytes forwarded, by direction.";
	p->mlabel = "direction";
	snprintf(p->mvalue, sizeof(p->mvalue), "out");
	p = report_perf(&r, "channels", 3, "", NULL, NULL);
	p->metric = "tunnelcheck_tunnel_channels";	/* help: the label */
	p = report_perf(&r, "bytes_in", 4096, "c", NULL, NULL);
	p->metric = "tunnelcheck_tunnel_bytes_total";
	p->type = "counter";
	p->help = "Bytes forwarded, by direction.";
	p->mlabel = "direction";
	snprintf(p->mvalue, sizeof(p->mvalue), "in");

	s = prom_text(&r);
	if (!ok(prom_parse(s, &pr) == 0, "Prometheus text parses"))
		diag("%s", pr.err);
	is_int(6, pr.nfamilies, "6 families");
	is_string("tunnelcheck_up", pr.families[0], "first tunnelcheck_up");
	is_string("tunnelcheck_state", pr.families[1],
	    "then tunnelcheck_state");
	is_string("tunnelcheck_phase_seconds", pr.families[2],
	    "then the phases");
	is_string("tunnelcheck_tunnel_reconnects_total", pr.families[3],
	    "then the reconnects");
	is_string("tunnelcheck_tunnel_bytes_total", pr.families[4],
	    "then the bytes");
	is_string("tunnelcheck_tunnel_channels", pr.families[5],
	    "then the channels");
	is_int(9, pr.n, "9 samples");
	ok(prom_get(&pr, "tunnelcheck_up", "target=\"127.0.0.1:22\"") == 0,
	    "up 0 when WARNING");
	ok(prom_get(&pr, "tunnelcheck_state", "target=\"127.0.0.1:22\"") == 1,
	    "state 1");
	ok(prom_get(&pr, "tunnelcheck_phase_seconds",
	    "target=\"127.0.0.1:22\",phase=\"connect\"") == 0.0012,
	    "phase connect 0.0012, exactly");
	ok(prom_get(&pr, "tunnelcheck_phase_seconds",
	    "target=\"127.0.0.1:22\",phase=\"total\"") == 3, "phase total 3");
	ok(prom_get(&pr, "tunnelcheck_phase_seconds",
	    "target=\"127.0.0.1:22\",phase=\"kex\"") == 0.25, "phase kex");
	ok(prom_get(&pr, "tunnelcheck_tunnel_reconnects_total",
	    "target=\"127.0.0.1:22\"") == 7, "reconnects_total 7");
	ok(prom_get(&pr, "tunnelcheck_tunnel_bytes_total",
	    "target=\"127.0.0.1:22\",direction=\"out\"") == 1048576,
	    "bytes out");
	ok(prom_get(&pr, "tunnelcheck_tunnel_bytes_total",
	    "target=\"127.0.0.1:22\",direction=\"in\"") == 4096, "bytes in");
	ok(strstr(s, "# HELP tunnelcheck_phase_seconds Time each phase of "
	    "the check took.\n# TYPE tunnelcheck_phase_seconds gauge\n") !=
	    NULL, "the phases' HELP is the first entry's, TYPE gauge");
	ok(strstr(s, "# TYPE tunnelcheck_tunnel_bytes_total counter\n") !=
	    NULL, "bytes: TYPE counter");
	ok(strstr(s, "# HELP tunnelcheck_tunnel_channels channels\n") != NULL,
	    "no help: the label");
	ok(strstr(s, "forwards_up") == NULL && strstr(s, "ratio") == NULL,
	    "entries without a family are not written");
	ok(strstr(s, "# HELP tunnelcheck_up 1 if the check's state is OK, "
	    "else 0.\n# TYPE tunnelcheck_up gauge\n"
	    "tunnelcheck_up{target=\"127.0.0.1:22\"} 0\n") == s,
	    "it starts with tunnelcheck_up");
	promtool_check(s, "a probe's report");
	free(s);

	r.state = REPORT_OK;
	s = prom_text(&r);
	prom_parse(s, &pr);
	ok(prom_get(&pr, "tunnelcheck_up", "target=\"127.0.0.1:22\"") == 1 &&
	    prom_get(&pr, "tunnelcheck_state", "target=\"127.0.0.1:22\"") == 0,
	    "OK: up 1, state 0");
	free(s);
	report_free(&r);

	/* Label values: backslash, double quote and newline escaped. */
	report_init(&r, "TUNNEL", "status_socket", "/run/a\\b\"c\nd.sock");
	report_set(&r, REPORT_CRITICAL, "down");
	p = report_perf(&r, "time_x", 1.5, "s", NULL, NULL);
	p->metric = "tunnelcheck_phase_seconds";
	p->mlabel = "phase";
	snprintf(p->mvalue, sizeof(p->mvalue), "q\"\\\n");
	s = prom_text(&r);
	if (!ok(prom_parse(s, &pr) == 0, "escaped labels parse"))
		diag("%s", pr.err);
	ok(prom_get(&pr, "tunnelcheck_state",
	    "status_socket=\"/run/a\\\\b\\\"c\\\\x0ad.sock\"") == 2,
	    "status_socket made printable, then escaped; state 2");
	ok(prom_get(&pr, "tunnelcheck_phase_seconds",
	    "status_socket=\"/run/a\\\\b\\\"c\\\\x0ad.sock\","
	    "phase=\"q\\\"\\\\\\n\"") == 1.5, "label value escaped");
	is_int(9, count_lines(s), "9 lines: no raw newline in a label");
	promtool_check(s, "escaped label values");
	free(s);
	report_free(&r);

	/* A target that is not UTF-8: the exposition must stay UTF-8. */
	report_init(&r, "TUNNEL", "status_socket", "/tmp/caf\xe9.sock");
	report_set(&r, REPORT_OK, "fine");
	s = prom_text(&r);
	ok(strchr(s, '\xe9') == NULL, "a non-UTF-8 target is not written "
	    "raw");
	promtool_check(s, "a non-UTF-8 target");
	free(s);
	report_free(&r);
}

/* report_perf: full, NULL ranges, long labels. */
static void
test_perf_limits(void)
{
	struct report r;
	struct report_perf *p;
	char label[64];
	int i, full = 0;

	report_init(&r, "TUNNEL", "target", "x");
	for (i = 0; i < REPORT_PERF_MAX; i++) {
		snprintf(label, sizeof(label), "p%d", i);
		if (report_perf(&r, label, i, "", NULL, NULL) == NULL)
			full++;
	}
	is_int(0, full, "%d entries fit", REPORT_PERF_MAX);
	ok(report_perf(&r, "one_more", 1, "", NULL, NULL) == NULL,
	    "one more: NULL");
	is_int(REPORT_PERF_MAX, r.nperf, "nperf stays at the maximum");
	report_free(&r);
	report_init(&r, "TUNNEL", "target", "x");
	p = report_perf(&r, "a_label_of_more_than_thirty_one_characters", 1,
	    "", NULL, NULL);
	ok(p != NULL && strlen(p->label) == sizeof(p->label) - 1,
	    "a long label is cut to %zu", sizeof(p->label) - 1);
	is_string("", p->warn, "no warn");
	is_string("", p->uom, "NULL uom: \"\"");
	is_string("gauge", p->type, "type gauge by default");
	for (i = 0; i < REPORT_FACTS_MAX + 2; i++)
		report_fact(&r, "k", "%d", i);
	is_int(REPORT_FACTS_MAX, r.nfacts, "facts stop at the maximum");
	report_free(&r);
}

int
main(void)
{
	plan_lazy();
	test_states();
	test_nagios();
	test_clean();
	test_json();
	test_prometheus();
	test_perf_limits();
	return 0;
}
