/*
 * check.c: judge a probe or a status document as a Nagios state; see
 * check.h.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "check.h"

const char *
check_duration(double secs, char *buf, size_t len)
{
	unsigned long s = secs > 0 ? (unsigned long)secs : 0;

	if (s >= 86400)
		snprintf(buf, len, "%lud%02luh%02lum", s / 86400,
		    s % 86400 / 3600, s % 3600 / 60);
	else if (s >= 3600)
		snprintf(buf, len, "%luh%02lum%02lus", s / 3600, s % 3600 / 60,
		    s % 60);
	else if (s >= 60)
		snprintf(buf, len, "%lum%02lus", s / 60, s % 60);
	else
		snprintf(buf, len, "%lus", s);
	return buf;
}

/* The state a failure maps to. */
static enum report_state
check_fail_state(const struct probe_result *r, const struct check_opts *o)
{
	switch (r->fail) {
	case PROBE_OK:
		return REPORT_OK;
	case PROBE_FAIL_TIMEOUT:
		return o->timeout_state;
	case PROBE_FAIL_REFUSED:
		return o->refuse_state;
	case PROBE_FAIL_CONFIG:
		return REPORT_UNKNOWN;
	default:
		return REPORT_CRITICAL;
	}
}

/* "'a' or 'b'" (or "and") of the expect strings, escaped, into buf. */
static const char *
check_expect_list(const struct probe_opts *po, int all, int missing_only,
    uint32_t matched, char *buf, size_t len)
{
	size_t off = 0;
	int n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < po->nexpect && off < len; i++) {
		if (missing_only && (matched & (1u << i)))
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%s'%s'",
		    n++ == 0 ? "" : all ? " and " : " or ", po->expect[i]);
	}
	return buf;
}

/* The phases' perfdata, and the worst state their ranges give; the
 * phase that set it goes to *which. */
static enum report_state
check_phases(const struct probe_result *r, const struct probe_opts *po,
    const struct check_opts *o, struct report *rep, int *which)
{
	enum report_state st = REPORT_OK;

	*which = -1;
	for (int i = 0; i < PROBE_NPHASES; i++) {
		const struct range *w = o->has_warn[i] ? &o->warn[i] : NULL;
		const struct range *c = o->has_crit[i] ? &o->crit[i] : NULL;
		struct report_perf *p;
		char label[32];

		if (r->phase[i] < 0)
			continue;
		snprintf(label, sizeof(label), "time_%s",
		    probe_phase_name((enum probe_phase)i));
		p = report_perf(rep, label, r->phase[i], "s", w, c);
		if (p != NULL) {
			p->has_min = p->has_max = 1;
			p->min = 0;
			p->max = po->timeout;
			p->metric = "tunnelcheck_phase_seconds";
			p->help = "Time each phase of the check took.";
			p->mlabel = "phase";
			snprintf(p->mvalue, sizeof(p->mvalue), "%s",
			    probe_phase_name((enum probe_phase)i));
		}
		if (r->fail != PROBE_OK)
			continue;
		if (c != NULL && range_alert(c, r->phase[i])) {
			if (st != REPORT_CRITICAL)
				*which = i;
			st = REPORT_CRITICAL;
		} else if (w != NULL && range_alert(w, r->phase[i]) &&
		    st == REPORT_OK) {
			st = REPORT_WARNING;
			*which = i;
		}
	}
	return st;
}

/* The long output (-v): the path, each phase, what the server said. */
static void
check_probe_lines(const struct probe_opts *po, const struct probe_result *r,
    const struct check_opts *o, struct report *rep)
{
	report_line(rep, "target: %s port %u%s%s", po->host,
	    (unsigned)po->port, o->via != NULL ? " " : "",
	    o->via != NULL ? o->via : "");
	for (int i = 0; i < PROBE_NPHASES; i++)
		if (r->phase[i] >= 0)
			report_line(rep, "%-8s %.6f s",
			    probe_phase_name((enum probe_phase)i), r->phase[i]);
	if (r->ident.line[0] != '\0') {
		report_line(rep, "identification: %s", r->ident.line);
		report_fact(rep, "banner", "%s", r->ident.line);
		report_fact(rep, "ssh_software", "%s", r->ident.software);
	}
	if (r->hostkey[0] != '\0') {
		report_line(rep, "host key: %s", r->hostkey);
		report_fact(rep, "hostkey", "%s", r->hostkey);
	}
	if (r->algorithms[0] != '\0')
		report_line(rep, "algorithms: %s", r->algorithms);
	if (r->user != NULL && r->fail == PROBE_OK) {
		report_line(rep, "logged in as: %s", r->user);
		report_fact(rep, "user", "%s", r->user);
	}
	if (r->fail != PROBE_OK)
		report_line(rep, "failed in %s: %s", probe_phase_name(r->at),
		    r->err.text);
	else if (po->nexpect > 0 || po->send_len > 0)
		report_line(rep, "received %zu bytes: '%s'", r->received,
		    r->excerpt);
}

/* The OK summary: what the path showed. */
static void
check_ok_text(const struct probe_opts *po, const struct probe_result *r,
    const struct check_opts *o, char *buf, size_t len)
{
	size_t off;

	off = (size_t)snprintf(buf, len, "%s%s port %u%s%s",
	    r->ident.line[0] == '\0' ? "connected to " : "", po->host,
	    (unsigned)po->port, o->via != NULL ? " " : "",
	    o->via != NULL ? o->via : "");
	if (off < len && r->ident.line[0] != '\0')
		off += (size_t)snprintf(buf + off, len - off, ": %s",
		    r->ident.line);
	if (off < len && r->hostkey[0] != '\0' && po->ssh != NULL &&
	    po->ssh->n_hostkey_pins > 0)
		off += (size_t)snprintf(buf + off, len - off, ", host key %s "
		    "pinned", strchr(r->hostkey, ' ') != NULL ?
		    strchr(r->hostkey, ' ') + 1 : r->hostkey);
	if (off < len && r->user != NULL)
		off += (size_t)snprintf(buf + off, len - off, ", logged in as %s",
		    r->user);
	if (off < len && po->nexpect > 0)
		off += (size_t)snprintf(buf + off, len - off, ", answer matched");
	if (off < len)
		snprintf(buf + off, len - off, " in %.3f s",
		    r->phase[PROBE_TOTAL]);
}

void
check_probe(const struct probe_opts *po, const struct probe_result *r,
    const struct check_opts *o, struct report *rep)
{
	char text[700], list[400], slow[160] = "";
	enum report_state st;
	int which;

	st = check_phases(r, po, o, rep, &which);
	check_probe_lines(po, r, o, rep);
	if (r->fail != PROBE_OK) {
		report_set(rep, check_fail_state(r, o), "%s%s%s", r->err.text,
		    o->via != NULL ? " " : "", o->via != NULL ? o->via : "");
		return;
	}
	check_ok_text(po, r, o, text, sizeof(text));
	if (o->ssh_version != NULL &&
	    strcmp(r->ident.software, o->ssh_version) != 0) {
		report_set(rep, REPORT_CRITICAL, "%s: software version '%s', "
		    "expected '%s'", text, r->ident.software, o->ssh_version);
		return;
	}
	if (st != REPORT_OK) {
		const struct range *rg = st == REPORT_CRITICAL ?
		    &o->crit[which] : &o->warn[which];

		snprintf(slow, sizeof(slow), "%s %.3f s is %s the %s range %s",
		    probe_phase_name((enum probe_phase)which), r->phase[which],
		    rg->inside ? "inside" : "outside",
		    st == REPORT_CRITICAL ? "critical" : "warning", rg->text);
	}
	if (po->nexpect > 0 && r->read_end != PROBE_READ_MATCHED) {
		static const char *const how[] = {
			[PROBE_READ_EOF] = "then the server closed the connection",
			[PROBE_READ_FULL] = "then stopped reading (--maxbytes)",
			[PROBE_READ_TIMEOUT] = "then nothing more in time",
		};

		/* The worse of the two: a critical time is not hidden by a
		 * mismatch that only warns. */
		report_set(rep, report_worse(o->mismatch_state, st), "%s port "
		    "%u: no %s in the answer: %zu bytes '%s', %s%s%s", po->host,
		    (unsigned)po->port, check_expect_list(po, po->expect_all, 1,
		    r->matched, list, sizeof(list)), r->received, r->excerpt,
		    how[r->read_end], st != REPORT_OK ? "; " : "", slow);
		return;
	}
	if (st != REPORT_OK) {
		report_set(rep, st, "%s; %s", text, slow);
		return;
	}
	report_set(rep, REPORT_OK, "%s", text);
}

/* One status perfdata entry with its Prometheus family. */
static struct report_perf *
check_status_perf(struct report *rep, const char *label, double v,
    const char *uom, const char *metric, const char *type, const char *help)
{
	struct report_perf *p = report_perf(rep, label, v, uom, NULL, NULL);

	if (p != NULL) {
		p->metric = metric;
		p->type = type;
		p->help = help;
		if (strcmp(uom, "c") != 0) {
			p->has_min = 1;
			p->min = 0;
		}
	}
	return p;
}

void
check_status(const struct status_doc *d, time_t now,
    const struct check_opts *o, struct report *rep)
{
	const struct range *w = o->has_warn[PROBE_TOTAL] ?
	    &o->warn[PROBE_TOTAL] : NULL;
	const struct range *c = o->has_crit[PROBE_TOTAL] ?
	    &o->crit[PROBE_TOTAL] : NULL;
	const struct status_forward *down = NULL;
	size_t up = 0;
	uint64_t recent = 0;
	int full;
	char dur[32], win[32], base[300];
	struct report_perf *p;

	for (size_t i = 0; i < d->nforwards; i++) {
		if (d->forwards[i].state == STATUS_FWD_UP)
			up++;
		else if (down == NULL)
			down = &d->forwards[i];
	}
	if (d->has_reconnect_times) {
		for (size_t i = 0; i < d->nreconnect_times; i++)
			if ((double)d->reconnect_times[i] >=
			    (double)now - o->reconnect_window)
				recent++;
	} else {
		recent = d->reconnects;	/* an older fwdpipe: all of them */
	}
	check_duration(o->reconnect_window, win, sizeof(win));
	check_status_perf(rep, "uptime", (double)d->uptime, "s",
	    "tunnelcheck_tunnel_uptime_seconds", "gauge",
	    "How long fwdpipe's session has been up.");
	p = report_perf(rep, "reconnects", (double)recent, "", w, c);
	if (p != NULL) {
		p->has_min = 1;
		p->metric = "tunnelcheck_tunnel_recent_reconnects";
		p->help = "Reconnects within the reconnect window.";
	}
	check_status_perf(rep, "reconnects_total", (double)d->reconnects, "c",
	    "tunnelcheck_tunnel_reconnects_total", "counter",
	    "Sessions set up after fwdpipe's first.");
	p = check_status_perf(rep, "forwards_up", (double)up, "",
	    "tunnelcheck_tunnel_forwards_up", "gauge", "Forwards that are up.");
	if (p != NULL) {
		p->has_max = 1;
		p->max = (double)d->nforwards;
	}
	check_status_perf(rep, "channels", (double)d->channels, "",
	    "tunnelcheck_tunnel_channels", "gauge", "Channels open now.");
	check_status_perf(rep, "connections", (double)d->connections, "c",
	    "tunnelcheck_tunnel_connections_total", "counter",
	    "Connections forwarded in total.");
	p = check_status_perf(rep, "bytes_out", (double)d->bytes_out, "c",
	    "tunnelcheck_tunnel_bytes_total", "counter",
	    "Bytes forwarded, by direction.");
	if (p != NULL) {
		p->mlabel = "direction";
		snprintf(p->mvalue, sizeof(p->mvalue), "out");
	}
	p = check_status_perf(rep, "bytes_in", (double)d->bytes_in, "c",
	    "tunnelcheck_tunnel_bytes_total", "counter",
	    "Bytes forwarded, by direction.");
	if (p != NULL) {
		p->mlabel = "direction";
		snprintf(p->mvalue, sizeof(p->mvalue), "in");
	}
	report_fact(rep, "host", "%s", d->host);
	report_fact(rep, "state", "%s", status_state_name(d->state));
	report_line(rep, "fwdpipe %s (pid %lld) to %s: %s", d->version,
	    (long long)d->pid, d->host, status_state_name(d->state));
	for (size_t i = 0; i < d->nforwards; i++) {
		const struct status_forward *f = &d->forwards[i];

		report_line(rep, "forward %s %s: %s%s%s", status_fwd_kind_name(
		    f->kind), f->spec, status_fwd_state_name(f->state),
		    f->error != NULL ? ": " : "", f->error != NULL ? f->error : "");
	}
	if (d->last_error != NULL)
		report_line(rep, "last error (%s ago): %s", check_duration(
		    (double)now - (double)d->last_error_time, dur, sizeof(dur)),
		    d->last_error);

	if (d->state != STATUS_UP) {
		report_set(rep, REPORT_CRITICAL, "fwdpipe to %s is %s%s%s",
		    d->host, d->state == STATUS_BACKOFF ? "down, retrying" :
		    "connecting", d->last_error != NULL ? ": " : "",
		    d->last_error != NULL ? d->last_error : "");
		return;
	}
	/* A full list that reaches into the window may have lost older
	 * ones that were in it too: the count is a lower bound. */
	full = d->has_reconnect_times &&
	    d->nreconnect_times == STATUS_RECONNECT_TIMES_MAX &&
	    (double)d->reconnect_times[0] >= (double)now - o->reconnect_window;
	snprintf(base, sizeof(base), "fwdpipe to %s up %s, %zu/%zu forwards up, "
	    "%s%llu reconnect%s %s%s", d->host, check_duration((double)d->uptime,
	    dur, sizeof(dur)), up, d->nforwards, full ? "at least " : "",
	    (unsigned long long)recent,
	    recent == 1 ? "" : "s", d->has_reconnect_times ? "in the last " :
	    "since it started", d->has_reconnect_times ? win : "");
	if (down != NULL) {
		report_set(rep, REPORT_CRITICAL, "%s; forward %s %s is %s%s%s",
		    base, status_fwd_kind_name(down->kind), down->spec,
		    status_fwd_state_name(down->state),
		    down->error != NULL ? ": " : "",
		    down->error != NULL ? down->error : "");
		return;
	}
	if (c != NULL && range_alert(c, (double)recent)) {
		report_set(rep, REPORT_CRITICAL, "%s (critical range %s)", base,
		    c->text);
		return;
	}
	if (w != NULL && range_alert(w, (double)recent)) {
		report_set(rep, REPORT_WARNING, "%s (warning range %s)", base,
		    w->text);
		return;
	}
	report_set(rep, REPORT_OK, "%s", base);
}
