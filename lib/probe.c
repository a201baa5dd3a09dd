/*
 * probe.c: one timed check of one path; see probe.h.
 * SPDX-License-Identifier: MIT
 *
 * The steps, each started from the callback of the one before:
 *   1. the path: lib/hop (direct or a proxy; its times give the resolve
 *      and connect phases) or lib/jump (-J; all of it is the hop phase);
 *   2. the SSH identification, read here (lib/sshident) so that its time
 *      is its own; the bytes read go on to libssh2 untouched;
 *   3. the key exchange and login (lib/ssh, with no_auth for a key
 *      exchange alone), or --send and reading for --expect.
 * A probe that only reads the identification sends its own before it
 * closes, as check_ssh does, so that sshd logs a closed connection rather
 * than a failed banner exchange.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "clock.h"
#include "endpoint.h"
#include "fdio.h"
#include "log.h"
#include "probe.h"
#include "tls.h"
#include "xmalloc.h"

#define PROBE_IDENT_BUF 8192	/* bytes kept while looking for the ident */
#define PROBE_DRAIN_GRACE 1.0	/* -J: seconds for our ident to get there */
#define PROBE_OWN_IDENT "SSH-2.0-tunnelcheck_" PACKAGE_VERSION "\r\n"

struct probe {
	struct event_base *base;
	const struct probe_opts *o;
	probe_cb cb;
	void *arg;
	struct probe_result r;

	struct hop_opts hopts;
	struct hop_times times;
	struct hop *hop;
	struct jump_opts jopts;
	struct jump *jump;
	struct tls_tunnel *tunnel;	/* an https:// proxy's session */
	struct ssh_session *ssh;
	int fd;

	enum probe_phase phase;	/* the one under way */
	double t0, t_mark;	/* the start, and of the phase under way */
	unsigned char *buf;	/* bytes read: ident, or the answer */
	size_t len, cap;
	size_t sent;
	size_t scanned;		/* bytes already looked at for --expect */
	int eof;
	int draining;		/* -J: waiting for jump_drain() */
	struct event *ev_read, *ev_write, *timer, *read_timer, *done_ev;
	int finished;
};

static const char *const probe_phase_names[PROBE_NPHASES] = {
	"resolve", "connect", "hop", "banner", "kex", "auth", "expect", "total",
};

const char *
probe_phase_name(enum probe_phase p)
{
	return (unsigned)p < PROBE_NPHASES ? probe_phase_names[p] : "?";
}

/* Stop reading and writing, and drop the connection and the path. */
static void
probe_teardown(struct probe *p)
{
	if (p->ev_read != NULL)
		event_del(p->ev_read);
	if (p->ev_write != NULL)
		event_del(p->ev_write);
	if (p->read_timer != NULL)
		event_del(p->read_timer);
	event_del(p->timer);
	hop_cancel(p->hop);
	p->hop = NULL;
	ssh_session_free(p->ssh);
	p->ssh = NULL;
	if (p->fd != -1) {
		close(p->fd);
		p->fd = -1;
	}
	jump_free(p->jump);
	p->jump = NULL;
	tls_tunnel_free(p->tunnel);
	p->tunnel = NULL;
}

/* Hand the result over, from the loop. */
static void
probe_done_cb(evutil_socket_t fd, short what, void *arg)
{
	struct probe *p = arg;

	(void)fd;
	(void)what;
	p->cb(&p->r, p->arg);
}

/* The probe is over: time the total and tell the owner. */
static void
probe_finish(struct probe *p)
{
	if (p->finished)
		return;
	p->finished = 1;
	probe_teardown(p);
	if (!p->draining)
		p->r.phase[PROBE_TOTAL] = clock_now() - p->t0;
	event_active(p->done_ev, EV_TIMEOUT, 1);
}

/* End the probe with a failure at the phase under way. */
static void __attribute__((format(printf, 3, 4)))
probe_fail(struct probe *p, enum probe_fail fail, const char *fmt, ...)
{
	va_list ap;

	if (p->finished)
		return;
	p->r.fail = fail;
	p->r.at = p->phase;
	va_start(ap, fmt);
	vsnprintf(p->r.err.text, sizeof(p->r.err.text), fmt, ap);
	va_end(ap);
	probe_finish(p);
}

/* The phase under way ended now; the next one starts. */
static void
probe_next_phase(struct probe *p, enum probe_phase next)
{
	double now = clock_now();

	p->r.phase[p->phase] = now - p->t_mark;
	p->phase = next;
	p->t_mark = now;
}

/* Keep n more bytes read; the buffer grows up to max. */
static int
probe_read_some(struct probe *p, size_t max)
{
	ssize_t n;

	if (p->cap < max) {
		p->cap = max;
		p->buf = xreallocarray(p->buf, p->cap, 1);
	}
	if (p->len >= max)
		return 0;
	n = read(p->fd, p->buf + p->len, max - p->len);
	if (n > 0) {
		p->len += (size_t)n;
		return 1;
	}
	if (n == 0) {
		p->eof = 1;
		return 1;
	}
	if (errno == EAGAIN || errno == EINTR)
		return 0;
	return -1;
}

/* -J: the channel carried our identification to the target. */
static void
probe_drained(void *arg)
{
	probe_finish(arg);
}

/*
 * Done with the identification alone: send ours, best effort, and go.
 * Through jump hosts the channel first carries it to the target, so that
 * sshd sees a client that closed, not one that never spoke.
 */
static void
probe_banner_only_done(struct probe *p)
{
	ssize_t n = write(p->fd, PROBE_OWN_IDENT, sizeof(PROBE_OWN_IDENT) - 1);

	(void)n;
	shutdown(p->fd, SHUT_WR);
	if (p->jump != NULL) {
		struct timeval tv = clock_tv(PROBE_DRAIN_GRACE);

		/* The check is done: its time stops here, and the drain
		 * gets a short grace, not the rest of -t. */
		p->r.phase[PROBE_TOTAL] = clock_now() - p->t0;
		close(p->fd);
		p->fd = -1;
		p->draining = 1;
		evtimer_add(p->read_timer, &tv);
		jump_drain(p->jump, probe_drained, p);
		return;
	}
	probe_finish(p);
}

static void probe_start_ssh(struct probe *p);
static void probe_start_expect(struct probe *p);

/* Look for the identification in what was read so far. */
static void
probe_banner_check(struct probe *p)
{
	struct errmsg e;
	int rc = sshident_parse((const char *)p->buf, p->len, p->eof,
	    &p->r.ident, &e);

	if (rc == 0)
		return;
	if (rc == -1) {
		probe_fail(p, e.code == EPIPE ? PROBE_FAIL_CONNECT :
		    PROBE_FAIL_NOT_SSH, "%s", e.text);
		return;
	}
	event_del(p->ev_read);
	probe_next_phase(p, PROBE_KEX);
	log_debug("%s: %s", p->o->host, p->r.ident.line);
	if (p->o->kex || p->o->login)
		probe_start_ssh(p);
	else
		probe_banner_only_done(p);
}

static void
probe_banner_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct probe *p = arg;
	int rc = probe_read_some(p, PROBE_IDENT_BUF);

	(void)fd;
	(void)what;
	if (rc == -1) {
		probe_fail(p, PROBE_FAIL_CONNECT, "reading the SSH "
		    "identification: %s", strerror(errno));
		return;
	}
	/* Also with nothing new (rc 0): the first call may come for bytes
	 * that arrived with the proxy's reply, already in the buffer. */
	if (p->len > 0 || p->eof)
		probe_banner_check(p);
}

/* The key exchange (and login) ended. */
static void
probe_ssh_ready(struct ssh_session *s, const struct errmsg *e,
    enum ssh_fail fail, void *arg)
{
	static const enum probe_fail map[] = {
		[SSH_FAIL_CONNECT] = PROBE_FAIL_CONNECT,
		[SSH_FAIL_HOSTKEY] = PROBE_FAIL_HOSTKEY,
		[SSH_FAIL_AUTH] = PROBE_FAIL_AUTH,
		[SSH_FAIL_PROTOCOL] = PROBE_FAIL_PROTOCOL,
	};
	struct probe *p = arg;
	double kex_done = ssh_session_kex_done(s);

	snprintf(p->r.hostkey, sizeof(p->r.hostkey), "%s",
	    ssh_session_hostkey(s));
	if (kex_done > 0) {
		/* The host key was accepted; authentication came next. */
		p->r.phase[PROBE_KEX] = kex_done - p->t_mark;
		snprintf(p->r.algorithms, sizeof(p->r.algorithms), "%s",
		    ssh_session_algorithms(s));
		p->phase = PROBE_AUTH;
		p->t_mark = kex_done;
	}
	if (e != NULL) {
		probe_fail(p, map[fail], "%s", e->text);
		return;
	}
	if (p->o->login) {
		p->r.phase[PROBE_AUTH] = clock_now() - kex_done;
		p->r.user = p->o->ssh->user;
	}
	probe_finish(p);
}

/* Not called: the session is freed as soon as it is ready. */
static void
probe_ssh_lost(struct ssh_session *s, const struct errmsg *e, void *arg)
{
	(void)s;
	(void)e;
	(void)arg;
}

/* Key exchange over the connection, with the bytes already read. */
static void
probe_start_ssh(struct probe *p)
{
	struct ssh_opts so = *p->o->ssh;

	so.early = p->buf;
	so.early_len = p->len;
	so.no_auth = !p->o->login;
	so.timeout = 0;		/* the probe's timer bounds it */
	p->ssh = ssh_session_start(p->base, p->fd, &so, probe_ssh_ready,
	    probe_ssh_lost, p);
	p->fd = -1;		/* the session has it */
}

/* Is what was read a match?  Each string is looked for only where it
 * could end in the bytes read since the last look (from p->scanned). */
static int
probe_matched(struct probe *p)
{
	const struct probe_opts *o = p->o;
	size_t seen = 0;

	for (size_t i = 0; i < o->nexpect; i++) {
		size_t n = strlen(o->expect[i]);
		size_t from = p->scanned >= n ? p->scanned - n + 1 : 0;

		if (!(p->r.matched & (1u << i)) && n <= p->len - from &&
		    memmem(p->buf + from, p->len - from, o->expect[i], n) != NULL)
			p->r.matched |= 1u << i;
		if (p->r.matched & (1u << i))
			seen++;
	}
	p->scanned = p->len;
	return o->expect_all ? seen == o->nexpect : seen > 0;
}

/* Reading for --expect ended. */
static void
probe_read_done(struct probe *p, enum probe_read_end how)
{
	char tmp[80];
	size_t n = p->len < sizeof(tmp) - 1 ? p->len : sizeof(tmp) - 1;

	/* Line ends and other control bytes read best as spaces here; the
	 * report makes the rest printable. */
	if (n > 0)
		memcpy(tmp, p->buf, n);
	tmp[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)tmp[i] < 0x20 || tmp[i] == 0x7f)
			tmp[i] = ' ';
	memcpy(p->r.excerpt, tmp, n + 1);
	p->r.received = p->len;
	p->r.read_end = how;
	probe_next_phase(p, PROBE_EXPECT);
	probe_finish(p);
}

static void
probe_expect_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct probe *p = arg;
	int rc = probe_read_some(p, p->o->maxbytes);

	(void)fd;
	(void)what;
	if (rc == -1) {
		probe_fail(p, PROBE_FAIL_CONNECT, "reading the answer: %s",
		    strerror(errno));
		return;
	}
	if (probe_matched(p))
		probe_read_done(p, PROBE_READ_MATCHED);
	else if (p->eof)
		probe_read_done(p, PROBE_READ_EOF);
	else if (p->len >= p->o->maxbytes)
		probe_read_done(p, PROBE_READ_FULL);
}

/* Nothing (more) to send: read for --expect, or stop. */
static void
probe_sent(struct probe *p)
{
	const struct probe_opts *o = p->o;

	if (o->nexpect == 0) {
		probe_read_done(p, PROBE_READ_MATCHED);
		return;
	}
	if (o->expect_timeout > 0) {
		struct timeval tv = clock_tv(o->expect_timeout);

		evtimer_add(p->read_timer, &tv);
	}
	event_add(p->ev_read, NULL);
	if (p->len > 0 || p->eof)
		event_active(p->ev_read, EV_READ, 1);
}

static void
probe_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct probe *p = arg;
	const struct probe_opts *o = p->o;
	ssize_t n;

	(void)what;
	while (p->sent < o->send_len) {
		n = write(fd, o->send + p->sent, o->send_len - p->sent);
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			event_add(p->ev_write, NULL);
			return;
		}
		if (n < 0) {
			probe_fail(p, PROBE_FAIL_CONNECT, "sending --send: %s",
			    strerror(errno));
			return;
		}
		p->sent += (size_t)n;
	}
	probe_sent(p);
}

/* The time for reading ran out: secs of --expect-timeout, or of -t. */
static void
probe_read_timeout(struct probe *p, double secs)
{
	if (p->len == 0) {
		probe_fail(p, PROBE_FAIL_TIMEOUT, "timed out after %.3g s "
		    "waiting for an answer", secs);
		return;
	}
	probe_read_done(p, PROBE_READ_TIMEOUT);
}

static void
probe_read_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct probe *p = arg;

	(void)fd;
	(void)what;
	if (p->draining) {
		probe_finish(p);	/* the grace is over */
		return;
	}
	probe_read_timeout(p, p->o->expect_timeout);
}

/* --send and --expect over the raw connection. */
static void
probe_start_expect(struct probe *p)
{
	if (p->ev_read != NULL)
		event_free(p->ev_read);
	p->ev_read = event_new(p->base, p->fd, EV_READ | EV_PERSIST,
	    probe_expect_read_cb, p);
	if (p->ev_read == NULL)
		abort();
	if (p->o->send_len > 0)
		probe_write_cb(p->fd, EV_WRITE, p);
	else
		probe_sent(p);
}

/* The path is up: fd is the stream to HOST PORT. */
static void
probe_path_up(struct probe *p, int fd, const unsigned char *early,
    size_t early_len)
{
	const struct probe_opts *o = p->o;
	double now = clock_now();

	p->fd = fd;
	(void)fdio_set_nonblock(fd, 1);
	if (p->jump != NULL || p->times.connected == 0) {
		p->r.phase[PROBE_HOP] = now - p->t0;
	} else {
		p->r.phase[PROBE_RESOLVE] = p->times.resolved - p->t0;
		p->r.phase[PROBE_CONNECT] = p->times.connected -
		    p->times.resolved;
		if (o->hop->proxy != NULL)
			p->r.phase[PROBE_HOP] = now - p->times.connected;
	}
	p->t_mark = now;
	if (early_len > 0) {
		p->cap = early_len > PROBE_IDENT_BUF ? early_len :
		    PROBE_IDENT_BUF;
		p->buf = xmalloc(p->cap);
		memcpy(p->buf, early, early_len);
		p->len = early_len;
	}
	p->ev_write = event_new(p->base, fd, EV_WRITE, probe_write_cb, p);
	if (p->ev_write == NULL)
		abort();
	if (o->banner || o->kex || o->login) {
		p->phase = PROBE_BANNER;
		p->ev_read = event_new(p->base, fd, EV_READ | EV_PERSIST,
		    probe_banner_read_cb, p);
		if (p->ev_read == NULL)
			abort();
		event_add(p->ev_read, NULL);
		if (p->len > 0)
			event_active(p->ev_read, EV_READ, 1);
		return;
	}
	if (o->send_len > 0 || o->nexpect > 0) {
		p->phase = PROBE_EXPECT;
		probe_start_expect(p);
		return;
	}
	probe_finish(p);
}

/* The hop's phases that did finish, timed, for a hop that failed or
 * timed out (as on success). */
static void
probe_hop_times(struct probe *p)
{
	if (p->times.resolved > 0)
		p->r.phase[PROBE_RESOLVE] = p->times.resolved - p->t0;
	if (p->times.connected > 0)
		p->r.phase[PROBE_CONNECT] = p->times.connected -
		    p->times.resolved;
}

static void
probe_hop_cb(int fd, const unsigned char *early, size_t early_len,
    struct tls_tunnel *tunnel, const struct errmsg *e, enum hop_fail fail,
    void *arg)
{
	struct probe *p = arg;
	int direct = p->o->hop->proxy == NULL;

	p->hop = NULL;
	if (e == NULL) {
		p->tunnel = tunnel;
		probe_path_up(p, fd, early, early_len);
		return;
	}
	p->phase = p->times.resolved == 0 ? PROBE_RESOLVE :
	    p->times.connected == 0 ? PROBE_CONNECT : PROBE_HOP;
	probe_hop_times(p);
	if (e->code == ECONNREFUSED &&
	    (direct ? fail == HOP_FAIL_CONNECT : fail == HOP_FAIL_REFUSED))
		probe_fail(p, PROBE_FAIL_REFUSED, "%s", e->text);
	else
		probe_fail(p, fail == HOP_FAIL_CONNECT ? PROBE_FAIL_CONNECT :
		    PROBE_FAIL_PROXY, "%s", e->text);
}

static void
probe_jump_cb(int fd, const struct errmsg *e, enum jump_fail fail, void *arg)
{
	struct probe *p = arg;

	if (e == NULL) {
		probe_path_up(p, fd, NULL, 0);
		return;
	}
	probe_fail(p, fail == JUMP_FAIL_CONNECT ? PROBE_FAIL_CONNECT :
	    fail == JUMP_FAIL_CONFIG ? PROBE_FAIL_CONFIG : PROBE_FAIL_PROXY,
	    "%s", e->text);
}

static void
probe_jump_lost(const struct errmsg *e, void *arg)
{
	(void)e;
	(void)arg;	/* a lost jump session shows as EOF on the stream */
}

/* What the timer cut short, for its message. */
static const char *
probe_waiting_for(const struct probe *p, char *buf, size_t len)
{
	const struct probe_opts *o = p->o;

	switch (p->phase) {
	case PROBE_RESOLVE:
		snprintf(buf, len, "resolving %s", o->hop->proxy != NULL ?
		    o->hop->proxy->host : o->host);
		break;
	case PROBE_CONNECT:
		if (o->hop->proxy != NULL)
			snprintf(buf, len, "connecting to proxy %s port %u",
			    o->hop->proxy->host, (unsigned)o->hop->proxy->port);
		else
			snprintf(buf, len, "connecting to %s port %u", o->host,
			    (unsigned)o->port);
		break;
	case PROBE_HOP:
		snprintf(buf, len, "%s", p->jump != NULL ? "the jump hosts" :
		    "the proxy's answer");
		break;
	case PROBE_BANNER:
		if (p->r.ident.first[0] != '\0')
			snprintf(buf, len, "the SSH identification (it sent "
			    "'%s')", p->r.ident.first);
		else
			snprintf(buf, len, "the SSH identification");
		break;
	case PROBE_KEX:
		snprintf(buf, len, "the key exchange");
		break;
	case PROBE_AUTH:
		snprintf(buf, len, "authentication");
		break;
	default:
		snprintf(buf, len, "%s", p->sent < o->send_len ?
		    "room to send --send" : "an answer");
	}
	return buf;
}

static void
probe_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct probe *p = arg;
	char why[ENDPOINT_HOST_MAX + 64];

	(void)fd;
	(void)what;
	if (p->hop != NULL) {
		p->phase = p->times.resolved == 0 ? PROBE_RESOLVE :
		    p->times.connected == 0 ? PROBE_CONNECT : PROBE_HOP;
		probe_hop_times(p);
	}
	if (p->ssh != NULL && ssh_session_kex_done(p->ssh) > 0 &&
	    p->phase == PROBE_KEX) {
		/* The key exchange was done: it was authentication that
		 * took too long. */
		p->r.phase[PROBE_KEX] = ssh_session_kex_done(p->ssh) - p->t_mark;
		p->phase = PROBE_AUTH;
		p->t_mark = ssh_session_kex_done(p->ssh);
	}
	if (p->phase == PROBE_BANNER && p->len > 0 &&
	    (p->len < 4 || memcmp(p->buf, "SSH-", 4) != 0)) {
		/* Text that is not an identification, and then nothing: not
		 * SSH, rather than slow.  (A server that began "SSH-" and
		 * stalled is slow: that is a timeout.) */
		struct errmsg e;

		if (sshident_parse((const char *)p->buf, p->len, 0, &p->r.ident,
		    &e) == 0 && p->r.ident.first[0] != '\0')
			probe_fail(p, PROBE_FAIL_NOT_SSH, "not an SSH server: it "
			    "sent '%s' and no SSH identification within %.3g s",
			    p->r.ident.first, p->o->timeout);
		else
			probe_fail(p, PROBE_FAIL_NOT_SSH, "not an SSH server: it "
			    "sent %zu bytes and no SSH identification within "
			    "%.3g s", p->len, p->o->timeout);
		return;
	}
	if (p->draining) {
		probe_finish(p);	/* our identification was sent or not:
					   the check's answer is in */
		return;
	}
	if (p->phase == PROBE_EXPECT && p->sent >= p->o->send_len) {
		probe_read_timeout(p, p->o->timeout);
		return;
	}
	probe_fail(p, PROBE_FAIL_TIMEOUT, "timed out after %.3g s waiting for "
	    "%s", p->o->timeout, probe_waiting_for(p, why, sizeof(why)));
}

struct probe *
probe_start(struct event_base *base, const struct probe_opts *o,
    probe_cb cb, void *arg)
{
	struct probe *p = xcalloc(1, sizeof(*p));
	struct timeval tv = clock_tv(o->timeout);

	p->base = base;
	p->o = o;
	p->cb = cb;
	p->arg = arg;
	p->fd = -1;
	for (size_t i = 0; i < PROBE_NPHASES; i++)
		p->r.phase[i] = -1;
	p->timer = evtimer_new(base, probe_timer_cb, p);
	p->read_timer = evtimer_new(base, probe_read_timer_cb, p);
	p->done_ev = event_new(base, -1, 0, probe_done_cb, p);
	if (p->timer == NULL || p->read_timer == NULL || p->done_ev == NULL)
		abort();
	p->t0 = p->t_mark = clock_now();
	evtimer_add(p->timer, &tv);
	p->hopts = *o->hop;
	p->hopts.timeout = 0;	/* the probe's timer bounds it */
	if (o->jump != NULL) {
		p->phase = PROBE_HOP;
		p->jopts = *o->jump;
		p->jopts.first = &p->hopts;
		p->jopts.timeout = 0;
		p->jump = jump_start(base, o->host, o->port, &p->jopts,
		    probe_jump_cb, probe_jump_lost, p);
		return p;
	}
	p->phase = PROBE_RESOLVE;
	p->hopts.times = &p->times;
	p->hop = hop_start(base, o->host, o->port, &p->hopts, probe_hop_cb, p);
	return p;
}

void
probe_free(struct probe *p)
{
	if (p == NULL)
		return;
	probe_teardown(p);
	event_free(p->timer);
	event_free(p->read_timer);
	event_free(p->done_ev);
	if (p->ev_read != NULL)
		event_free(p->ev_read);
	if (p->ev_write != NULL)
		event_free(p->ev_write);
	free(p->buf);
	free(p);
}
