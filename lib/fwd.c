/*
 * fwd.c: the life of fwdpipe's one SSH connection: configure, connect,
 * notice the loss, back off, connect again; tell systemd and the status
 * socket how it goes.
 * SPDX-License-Identifier: MIT
 *
 * States (status_state): CONNECTING while an attempt runs, UP while a
 * session is ready, BACKOFF while waiting for the next attempt.  An attempt
 * that failed before the server answered (lib/jump's jump_reached) is a
 * network failure: the next one starts at the next probe slot, at most
 * every 2 s, however long the outage.  One that failed later (key
 * exchange, host key, authentication) backs off exponentially.  A lost
 * session reconnects at once if it had been up a minute, else backs off.
 * Forwards and their connections live in fwd_listen.c, fwd_conn.c and
 * fwd_remote.c; this file only tells them when the session comes and goes.
 */
#include "config.h"

#include <sys/time.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/event.h>

#include "clock.h"
#include "fwd_int.h"
#include "jump.h"
#include "log.h"
#include "notify.h"
#include "permit.h"
#include "ssh.h"
#include "xmalloc.h"

static void fwd_attempt(struct fwd *f);

/* Remember the latest error for the status document. */
void
fwd_set_error(struct fwd *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->last_error, sizeof(f->last_error), fmt, ap);
	va_end(ap);
	f->last_error_time = time(NULL);
}

/* Log a fatal error and ask the owner to end with status. */
void
fwd_fatal(struct fwd *f, int status, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (f->exiting)
		return;
	f->exiting = 1;
	log_error("%s", msg);
	fwd_set_error(f, "%s", msg);
	notify_status(f->notify, "failed: %s", msg);
	f->cb(FWD_EV_EXIT, status, f->arg);
}

/* Tell systemd the state in one line. */
void
fwd_state_changed(struct fwd *f)
{
	struct status_doc doc;
	char line[NOTIFY_STATUS_MAX];

	if (f->notify == NULL)
		return;
	fwd_status(f, &doc);
	notify_status(f->notify, "%s", status_summary(&doc, line,
	    sizeof(line)));
	status_free(&doc);
}

/* Every forward has been set up, or has failed and been logged: tell
 * systemd (READY=1) and the owner (-f goes to the background), once. */
void
fwd_check_ready(struct fwd *f)
{
	if (f->ready_told || f->exiting || f->state != STATUS_UP)
		return;
	for (size_t i = 0; i < f->nfws; i++)
		if (f->fws[i].kind == STATUS_FWD_REMOTE && !f->fws[i].answered)
			return;
	f->ready_told = 1;
	notify_ready(f->notify);	/* callers sent STATUS= just before */
	f->cb(FWD_EV_READY, 0, f->arg);
}

/* WATCHDOG=1, only while the session is up: a long outage lets
 * systemd's watchdog restart us. */
static void
fwd_watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fwd *f = arg;

	(void)fd;
	(void)what;
	if (f->state == STATUS_UP)
		notify_watchdog(f->notify);
}

/* Wait delay seconds, then attempt again. */
static void
fwd_schedule(struct fwd *f, double delay)
{
	struct timeval tv = clock_tv(delay);

	f->state = delay > 0 ? STATUS_BACKOFF : STATUS_CONNECTING;
	event_add(f->retry_ev, &tv);
	fwd_state_changed(f);
}

/* Free the attempt or the lost session, from the loop. */
static void
fwd_drop_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fwd *f = arg;

	(void)fd;
	(void)what;
	if (f->s == NULL && f->jump != NULL && f->state != STATUS_CONNECTING) {
		jump_free(f->jump);
		f->jump = NULL;
	}
}

/* Let go of everything that belongs to the session now ending. */
static void
fwd_session_gone(struct fwd *f, const struct errmsg *e)
{
	f->s = NULL;
	fwd_conn_session_down(f, e);
	fwd_remote_session_down(f);
	event_active(f->drop_ev, EV_TIMEOUT, 1);
}

/* The session was lost: the server went away or stopped answering. */
static void
fwd_lost_cb(const struct errmsg *e, void *arg)
{
	struct fwd *f = arg;
	uint64_t open = f->channels;
	double delay, up = clock_now() - f->up_since;
	char when[32];

	if (f->s == NULL)
		return;
	fwd_session_gone(f, e);
	fwd_set_error(f, "%s", e->text);
	if (e->code == ETIMEDOUT) {
		/* The path went silent (keepalive): no step of back-off, as
		 * for a server that cannot be reached; the attempt starts now
		 * and is started afresh while it gets no answer. */
		(void)backoff_failure(&f->bo, clock_now(), BACKOFF_TCP);
		delay = 0;
	} else
		delay = backoff_lost(&f->bo, clock_now());
	if (delay > 0)
		snprintf(when, sizeof(when), "in %.1f s", delay);
	else
		snprintf(when, sizeof(when), "now");
	log_warn("%s; up %.0f s, %llu connection%s closed; reconnecting %s",
	    e->text, up, (unsigned long long)open, open == 1 ? "" : "s", when);
	fwd_schedule(f, delay);
}

/* An attempt failed before the session was ready. */
static void
fwd_attempt_failed(struct fwd *f, const struct errmsg *e,
    enum jump_fail fail)
{
	int reached = jump_reached(f->jump);
	double delay;

	fwd_set_error(f, "%s", e->text);
	event_active(f->drop_ev, EV_TIMEOUT, 1);
	if (fail == JUMP_FAIL_CONFIG) {
		fwd_fatal(f, FWD_EXIT_USAGE, "%s", e->text);
		return;
	}
	if (!f->ever_up && fail == JUMP_FAIL_HOSTKEY) {
		fwd_fatal(f, FWD_EXIT_HOSTKEY, "%s", e->text);
		return;
	}
	if (!f->ever_up && fail == JUMP_FAIL_REFUSED) {
		fwd_fatal(f, FWD_EXIT_AUTH, "%s", e->text);
		return;
	}
	if (!f->ever_up && f->o->first_fatal) {
		fwd_fatal(f, FWD_EXIT_FAIL, "%s", e->text);
		return;
	}
	if (!reached) {
		delay = backoff_failure(&f->bo, clock_now(), BACKOFF_TCP);
		/* One line when the server becomes unreachable, not one
		 * per probe. */
		if (!f->probing)
			log_warn("%s; probing every %.0f s", e->text,
			    f->bo.p.probe_interval);
		else
			log_debug("%s; next probe in %.1f s", e->text, delay);
		f->probing = 1;
	} else {
		delay = backoff_failure(&f->bo, clock_now(), BACKOFF_SSH);
		f->probing = 0;
		log_warn("%s; retrying in %.1f s", e->text, delay);
	}
	fwd_schedule(f, delay);
}

/* Remember when this reconnect happened: the latest ones, for the status
 * document (tunnelcheck counts those in its --reconnect-window). */
static void
fwd_note_reconnect(struct fwd *f)
{
	if (f->nreconnect_times == STATUS_RECONNECT_TIMES_MAX) {
		memmove(f->reconnect_times, f->reconnect_times + 1,
		    (STATUS_RECONNECT_TIMES_MAX - 1) *
		    sizeof(f->reconnect_times[0]));
		f->nreconnect_times--;
	}
	f->reconnect_times[f->nreconnect_times++] = (int64_t)time(NULL);
}

/* The attempt ended: a ready session, or a failure. */
static void
fwd_session_cb(struct ssh_session *s, const struct sshconf *cfg,
    const struct errmsg *e, enum jump_fail fail, void *arg)
{
	struct fwd *f = arg;

	(void)cfg;
	event_del(f->probe_ev);
	if (s == NULL) {
		fwd_attempt_failed(f, e, fail);
		return;
	}
	f->s = s;
	f->state = STATUS_UP;
	f->up_since = clock_now();
	f->probing = 0;
	backoff_connected(&f->bo, f->up_since);
	if (f->ever_up) {
		f->reconnects++;
		fwd_note_reconnect(f);
		log_notice("reconnected to %s (reconnect %llu)", f->o->dest,
		    (unsigned long long)f->reconnects);
	} else {
		log_notice("connected to %s", f->o->dest);
	}
	f->first_session = !f->ever_up;
	f->ever_up = 1;
	if (notify_watchdog_interval(f->notify) > 0)
		notify_watchdog(f->notify);
	fwd_conn_session_up(f);
	fwd_remote_session_up(f);
	fwd_state_changed(f);
	fwd_check_ready(f);
}

/* Start an attempt: the whole jump chain, then the session.  A reconnect
 * (or a probe) whose first host has not answered within the probe interval
 * is started afresh then (fwd_probe_cb), rather than waiting out TCP's own
 * SYN retries, which space out to 8 s and more, up to ConnectTimeout. */
static void
fwd_attempt(struct fwd *f)
{
	struct timeval tv;

	if (f->exiting)
		return;
	if (f->jump != NULL) {
		jump_free(f->jump);
		f->jump = NULL;
	}
	f->state = STATUS_CONNECTING;
	log_debug("connecting to %s", f->o->dest);
	f->jump = jump_session(f->base, f->o->dest, f->jo, fwd_session_cb,
	    fwd_lost_cb, f);
	if (f->ever_up || f->probing) {
		tv.tv_sec = (time_t)f->bo.p.probe_interval;
		tv.tv_usec = (suseconds_t)((f->bo.p.probe_interval -
		    (double)tv.tv_sec) * 1e6);
		event_add(f->probe_ev, &tv);
	}
	fwd_state_changed(f);
}

/* A reconnect attempt's first host has had the probe interval to answer. */
static void
fwd_probe_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fwd *f = arg;

	(void)fd;
	(void)what;
	if (f->jump == NULL || f->s != NULL || jump_reached(f->jump) ||
	    f->exiting)
		return;
	if (!f->probing)
		log_warn("%s: no answer in %.0f s; probing every %.0f s",
		    f->o->dest, f->bo.p.probe_interval,
		    f->bo.p.probe_interval);
	else
		log_debug("%s: no answer in %.0f s; probing again",
		    f->o->dest, f->bo.p.probe_interval);
	f->probing = 1;
	(void)backoff_failure(&f->bo, clock_now(), BACKOFF_TCP);
	event_del(f->retry_ev);
	fwd_attempt(f);
}

static void
fwd_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	fwd_attempt(arg);
}

void
fwd_reconnect(struct fwd *f)
{
	struct errmsg e;

	if (f->exiting)
		return;
	event_del(f->retry_ev);
	if (f->s != NULL) {
		errmsg_set(&e, 0, "%s: reconnecting on SIGHUP", f->o->dest);
		log_warn("%s (%llu connection%s closed)", e.text,
		    (unsigned long long)f->channels, f->channels == 1 ? "" : "s");
		fwd_session_gone(f, &e);
		jump_free(f->jump);	/* not inside any of its callbacks */
		f->jump = NULL;
	} else {
		log_warn("%s: connecting now (SIGHUP)", f->o->dest);
	}
	f->probing = 0;
	fwd_attempt(f);
}

/* Is Key given among the -o options (as "Key=..." or "Key ...")? */
static int
fwd_option_given(const struct fwd_opts *o, const char *key)
{
	size_t n = strlen(key);

	for (size_t i = 0; i < o->noptions; i++) {
		const char *p = o->options[i];

		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, key, n) == 0 &&
		    (p[n] == '=' || p[n] == ' ' || p[n] == '\t'))
			return 1;
	}
	return 0;
}

/* Add one destination option ("Key=Value") that we own. */
static void
fwd_add_dopt(struct fwd *f, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1) {
		log_error("out of memory");
		abort();
	}
	va_end(ap);
	f->dopts = xreallocarray(f->dopts, f->ndopts + 1, sizeof(*f->dopts));
	f->dopts[f->ndopts++] = s;
	f->jo->dest_options = (const char *const *)f->dopts;
	f->jo->ndest_options = f->ndopts;
}

/* Read the destination's ssh_config and settle what it decides. */
static int
fwd_configure(struct fwd *f, struct errmsg *e)
{
	const struct fwd_opts *o = f->o;
	struct jump_opts *jo = f->jo;

	jo->config = o->config;
	jo->options = o->options;
	jo->noptions = o->noptions;
	jo->family = o->family;
	jo->dest_port = o->port;
	jo->dest_user = o->user;
	for (size_t i = 0; i < o->nidentities; i++)
		fwd_add_dopt(f, "IdentityFile=%s", o->identities[i]);
	if (o->jump != NULL)
		fwd_add_dopt(f, "ProxyJump=%s", o->jump);
	sshconf_init(&f->cfg);
	if (jump_config(o->dest, jo, &f->cfg, e) == -1)
		return -1;
	if (f->cfg.serveraliveinterval == 0 &&
	    !fwd_option_given(o, "ServerAliveInterval"))
		fwd_add_dopt(f, "ServerAliveInterval=%d", FWD_ALIVE_INTERVAL);
	f->connect_timeout = f->cfg.connecttimeout > 0 ?
	    f->cfg.connecttimeout : FWD_CONNECT_TIMEOUT;
	if (f->cfg.connecttimeout <= 0)
		fwd_add_dopt(f, "ConnectTimeout=%d", FWD_CONNECT_TIMEOUT);
	/* Each host's connect and login is bounded by its ConnectTimeout;
	 * this bounds a whole jump chain. */
	jo->timeout = 4 * f->connect_timeout;
	f->exit_on_failure = f->cfg.exitonforwardfailure;
	if (jo->family == 0)
		jo->family = f->cfg.addressfamily;
	return 0;
}

/*
 * A -L goes to one fixed target: one --permit-open does not permit is a
 * configuration error, refused before anything listens (e names the
 * forward, the target and what is permitted).
 */
static int
fwd_permit_local(struct fwd *f, const struct fwd_forward *fw,
    struct errmsg *e)
{
	const struct fwd_opts *o = f->o;
	char list[300], one[PERMIT_FORMAT_MAX];
	size_t off = 0;

	if (permit_match(o->permits, o->npermits, fw->spec.connect_host,
	    fw->spec.connect_port))
		return 0;
	list[0] = '\0';
	for (size_t i = 0; i < o->npermits && off < sizeof(list); i++) {
		if (permit_format(&o->permits[i], one, sizeof(one)) == -1)
			continue;
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s",
		    i > 0 ? " " : "", one);
	}
	return errmsg_set(e, EPERM, "-L %s: %s port %u is not permitted by "
	    "--permit-open (%s)", fw->text, fw->spec.connect_host,
	    (unsigned)fw->spec.connect_port, list);
}

/* Parse the forwards with the final GatewayPorts setting. */
static int
fwd_parse_forwards(struct fwd *f, struct errmsg *e)
{
	unsigned flags = f->o->gateway_ports || f->cfg.gatewayports ?
	    FWDSPEC_GATEWAY_PORTS : 0;

	f->fws = xcalloc(f->o->nargs + 1, sizeof(*f->fws));
	for (size_t i = 0; i < f->o->nargs; i++) {
		struct fwd_forward *fw = &f->fws[i];
		const struct fwd_arg *a = &f->o->args[i];

		fw->f = f;
		if (fwdspec_parse(a->spec, a->kind, flags, &fw->spec, e) == -1)
			return errmsg_set(e, e->code, "%s %s: %s",
			    fwdspec_option(a->kind), a->spec, e->text);
		switch (fw->spec.kind) {
		case FWDSPEC_LOCAL:
			fw->kind = STATUS_FWD_LOCAL;
			break;
		case FWDSPEC_DYNAMIC:
			fw->kind = STATUS_FWD_DYNAMIC;
			break;
		case FWDSPEC_REMOTE:
			fw->kind = STATUS_FWD_REMOTE;
			break;
		case FWDSPEC_REMOTE_DYNAMIC:
			return errmsg_set(e, ENOTSUP, "-R %s: remote dynamic "
			    "forwarding is not supported", a->spec);
		}
		fwdspec_format(&fw->spec, fw->text, sizeof(fw->text));
		if (fw->kind == STATUS_FWD_LOCAL &&
		    fwd_permit_local(f, fw, e) == -1)
			return -1;
		fw->state = STATUS_FWD_PENDING;
		f->nfws++;
	}
	return 0;
}

/* Bind every -L and -D listener; a failure is fatal only with
 * ExitOnForwardFailure. */
static int
fwd_bind_all(struct fwd *f, struct errmsg *e)
{
	for (size_t i = 0; i < f->nfws; i++) {
		struct fwd_forward *fw = &f->fws[i];
		struct errmsg le;

		if (fw->kind == STATUS_FWD_REMOTE)
			continue;
		if (fwd_listen_open(fw, f->jo->family, &le) == 0)
			continue;
		fw->state = STATUS_FWD_FAILED;
		snprintf(fw->error, sizeof(fw->error), "%s", le.text);
		if (f->exit_on_failure)
			return errmsg_set(e, le.code, "%s %s: %s",
			    fwdspec_option(fw->spec.kind), fw->text, le.text);
		log_warn("%s %s: %s", fwdspec_option(fw->spec.kind), fw->text,
		    le.text);
		fwd_set_error(f, "%s %s: %s", fwdspec_option(fw->spec.kind),
		    fw->text, le.text);
	}
	return 0;
}

struct fwd *
fwd_start(struct event_base *base, const struct fwd_opts *o, fwd_cb cb,
    void *arg, struct errmsg *e, int *status)
{
	struct fwd *f = xcalloc(1, sizeof(*f));
	struct backoff_params bp;
	double wd;

	f->base = base;
	f->o = o;
	f->cb = cb;
	f->arg = arg;
	f->jo = xcalloc(1, sizeof(*f->jo));
	TAILQ_INIT(&f->conns);
	f->retry_ev = evtimer_new(base, fwd_retry_cb, f);
	f->drop_ev = event_new(base, -1, 0, fwd_drop_cb, f);
	f->probe_ev = evtimer_new(base, fwd_probe_cb, f);
	f->watchdog_ev = event_new(base, -1, EV_PERSIST, fwd_watchdog_cb, f);
	f->state = STATUS_CONNECTING;
	memset(&bp, 0, sizeof(bp));
	bp.seed = (uint64_t)getpid() ^ (uint64_t)time(NULL);
	backoff_init(&f->bo, &bp);
	*status = FWD_EXIT_USAGE;
	if (fwd_configure(f, e) == -1 || fwd_parse_forwards(f, e) == -1)
		goto fail;
	if (notify_open(&f->notify, e) == -1) {
		log_warn("%s", e->text);
		f->notify = NULL;
	}
	if (o->status_path != NULL &&
	    fwd_statsock_open(f, o->status_path, e) == -1)
		goto fail;
	*status = FWD_EXIT_FAIL;
	if (fwd_bind_all(f, e) == -1)
		goto fail;
	if ((wd = notify_watchdog_interval(f->notify)) > 0) {
		struct timeval tv = clock_tv(wd);

		event_add(f->watchdog_ev, &tv);
	}
	event_active(f->retry_ev, EV_TIMEOUT, 1);
	return f;
fail:
	f->exiting = 1;
	fwd_free(f);
	return NULL;
}

void
fwd_log_summary(struct fwd *f)
{
	struct status_doc doc;
	char line[1024];

	fwd_status(f, &doc);
	log_notice("%s", status_summary(&doc, line, sizeof(line)));
	status_free(&doc);
}

void
fwd_status(struct fwd *f, struct status_doc *doc)
{
	uint64_t out, in;

	memset(doc, 0, sizeof(*doc));
	doc->version = xstrdup(PACKAGE_VERSION);
	doc->pid = getpid();
	doc->state = f->state;
	doc->host = xstrdup(f->o->dest);
	doc->uptime = f->state == STATUS_UP ?
	    (uint64_t)(clock_now() - f->up_since) : 0;
	doc->reconnects = f->reconnects;
	if (f->last_error[0] != '\0') {
		doc->last_error = xstrdup(f->last_error);
		doc->last_error_time = f->last_error_time;
	}
	doc->channels = f->channels;
	doc->connections = f->connections;
	fwd_conn_totals(f, &out, &in);
	doc->bytes_out = f->bytes_out + out;
	doc->bytes_in = f->bytes_in + in;
	if (f->nreconnect_times > 0) {
		doc->reconnect_times = xcalloc(f->nreconnect_times,
		    sizeof(*doc->reconnect_times));
		memcpy(doc->reconnect_times, f->reconnect_times,
		    f->nreconnect_times * sizeof(*doc->reconnect_times));
		doc->nreconnect_times = f->nreconnect_times;
	}
	for (size_t i = 0; i < f->nfws; i++) {
		const struct fwd_forward *fw = &f->fws[i];
		struct status_forward *sf = status_add_forward(doc);

		sf->kind = fw->kind;
		sf->spec = xstrdup(fw->text);
		sf->state = fw->state;
		if (fw->bound[0] != '\0')
			sf->bound = xstrdup(fw->bound);
		sf->port = fw->port;
		if (fw->error[0] != '\0')
			sf->error = xstrdup(fw->error);
	}
}

void
fwd_free(struct fwd *f)
{
	if (f == NULL)
		return;
	f->exiting = 1;
	notify_stopping(f->notify);
	for (size_t i = 0; i < f->nfws; i++) {
		fwd_listen_close(&f->fws[i]);
		fwd_remote_free(&f->fws[i]);
	}
	fwd_conn_free_all(f);
	f->s = NULL;
	jump_free(f->jump);	/* delivers what is in flight, bounded */
	fwd_statsock_close(f);
	notify_close(f->notify);
	if (f->retry_ev != NULL)
		event_free(f->retry_ev);
	if (f->drop_ev != NULL)
		event_free(f->drop_ev);
	if (f->probe_ev != NULL)
		event_free(f->probe_ev);
	if (f->watchdog_ev != NULL)
		event_free(f->watchdog_ev);
	sshconf_free(&f->cfg);
	for (size_t i = 0; i < f->ndopts; i++)
		free(f->dopts[i]);
	free(f->dopts);
	free(f->jo);
	free(f->fws);
	free(f);
}
