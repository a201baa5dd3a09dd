/*
 * jump.c: a chain of SSH jump hosts ending in a channel to HOST PORT.
 * SPDX-License-Identifier: MIT
 *
 * The steps, each started from the callback of the one before:
 *   1. ssh_config for every jump host (ssh -G), the first host's own
 *      ProxyJump chain put in front of it;
 *   2. the first host's transport: its ProxyCommand on a socketpair, or a
 *      hop (resolve, Happy Eyeballs, the caller's proxy if any);
 *   3. for each host: an SSH session; when it is ready, a direct-tcpip
 *      channel on a socketpair to the next host (whose session runs on
 *      the other end) or, for the last one, to HOST PORT.
 * One timer bounds the whole setup.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "clock.h"
#include "endpoint.h"
#include "jump.h"
#include "log.h"
#include "proxycmd.h"
#include "ssh.h"
#include "sshconf.h"
#include "sshopts.h"
#include "tls.h"
#include "xmalloc.h"

#define JUMP_MAX_HOPS 8		/* ProxyJump chains longer than this loop */

struct jump;

/* One jump host. */
struct jump_hop {
	struct jump *j;
	size_t index;
	char *label;		/* as the user wrote it */
	struct sshconf cfg;
	struct hop *tcp;	/* reaching the first host */
	struct tls_tunnel *tunnel;	/* an https:// proxy's session */
	pid_t proxy_pid;	/* its ProxyCommand, or -1 */
	struct ssh_session *s;
	struct ssh_channel *next;	/* to the next host or the target */
	int carry_fd;		/* our end of that channel's socketpair */
};

struct jump {
	struct event_base *base;
	char *host;
	uint16_t port;
	const struct jump_opts *opts;
	jump_cb cb;
	jump_session_cb scb;	/* jump_session(): hand over the session */
	jump_lost_cb lost;
	void *arg;
	struct jump_hop *hops;
	size_t nhops;
	struct event *timer;
	struct errmsg setup_err;	/* a config error, reported from the loop */
	enum jump_fail setup_fail;
	int finished;		/* cb called */
	int failed;		/* ... with an error, already shown */
	void (*drained)(void *);	/* jump_drain's callback */
	void *drained_arg;
	struct event *drain_ev;
	int lost_told;
	int reached;		/* the first host answered */
	double started;
};

static void jump_session_start(struct jump_hop *h, int fd,
    const unsigned char *early, size_t early_len);

/* Report the end of the setup, once. */
static void
jump_finish(struct jump *j, int fd, const struct errmsg *e,
    enum jump_fail fail)
{
	if (j->finished) {
		if (fd != -1)
			close(fd);
		return;
	}
	j->finished = 1;
	j->failed = fd == -1;
	event_del(j->timer);
	if (j->scb != NULL) {
		if (fd != -1)
			close(fd);
		j->scb(NULL, NULL, e, fail, j->arg);
		return;
	}
	j->cb(fd, e, fail, j->arg);
}

/* Report a failure with a formatted message. */
static void __attribute__((format(printf, 3, 4)))
jump_fail(struct jump *j, enum jump_fail fail, const char *fmt, ...)
{
	struct errmsg e;
	va_list ap;

	errmsg_clear(&e);
	va_start(ap, fmt);
	vsnprintf(e.text, sizeof(e.text), fmt, ap);
	va_end(ap);
	jump_finish(j, -1, &e, fail);
}

/* Seconds left of the -w budget (0: no limit), at least a millisecond. */
static double
jump_left(const struct jump *j)
{
	double left;

	if (j->opts->timeout <= 0)
		return 0;
	left = j->opts->timeout - (clock_now() - j->started);
	return left > 0.001 ? left : 0.001;
}

/* The timeout for one host's connect and SSH setup: its ConnectTimeout,
 * cut to what is left of -w. */
static double
jump_hop_timeout(const struct jump_hop *h)
{
	double left = jump_left(h->j);
	double ct = h->cfg.connecttimeout > 0 ? h->cfg.connecttimeout : 0;

	if (ct > 0 && (left == 0 || ct < left))
		return ct;
	return left;
}

/* The whole setup took longer than -w. */
static void
jump_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct jump *j = arg;

	(void)fd;
	(void)what;
	if (j->setup_err.text[0] != '\0') {
		jump_finish(j, -1, &j->setup_err, j->setup_fail);
		return;
	}
	if (j->scb != NULL)
		jump_fail(j, JUMP_FAIL_PROTOCOL, "%s: timed out after %g s "
		    "connecting", j->host, j->opts->timeout);
	else
		jump_fail(j, JUMP_FAIL_PROTOCOL, "timed out after %g s setting "
		    "up the jump through %s", j->opts->timeout, j->opts->spec);
}

/* A session was lost after the setup: tell the owner once. */
static void
jump_session_lost(struct ssh_session *s, const struct errmsg *e, void *arg)
{
	struct jump_hop *h = arg;
	struct jump *j = h->j;

	(void)s;
	if (!j->finished) {
		jump_finish(j, -1, e, JUMP_FAIL_CONNECT);
		return;
	}
	if (!j->lost_told && !j->failed && j->lost != NULL) {
		j->lost_told = 1;
		j->lost(e, j->arg);
	}
}

/* A channel ended.  The far end of its socket sees that for itself; a
 * channel that broke is worth a line at -v. */
static void
jump_channel_done(struct ssh_channel *c, const struct errmsg *e, void *arg)
{
	struct jump_hop *h = arg;

	if (e != NULL)
		log_debug("%s", e->text);
	ssh_channel_free(c);
	h->next = NULL;
	if (h->index + 1 == h->j->nhops && h->j->drained != NULL)
		event_active(h->j->drain_ev, EV_TIMEOUT, 1);
}

/* The last channel is done: tell jump_drain's caller. */
static void
jump_drained_cb(evutil_socket_t fd, short what, void *arg)
{
	struct jump *j = arg;
	void (*cb)(void *) = j->drained;

	(void)fd;
	(void)what;
	j->drained = NULL;
	if (cb != NULL)
		cb(j->drained_arg);
}

void
jump_drain(struct jump *j, void (*cb)(void *arg), void *arg)
{
	j->drained = cb;
	j->drained_arg = arg;
	if (j->nhops == 0 || j->hops[j->nhops - 1].next == NULL)
		event_active(j->drain_ev, EV_TIMEOUT, 1);
}

/* A channel to the next host or the target opened, or failed to. */
static void
jump_channel_opened(struct ssh_channel *c, const struct errmsg *e, void *arg)
{
	struct jump_hop *h = arg;
	struct jump *j = h->j;
	int fd = h->carry_fd;

	if (e != NULL) {
		enum jump_fail fail = strstr(e->text, "prohibited") != NULL ?
		    JUMP_FAIL_REFUSED : JUMP_FAIL_CONNECT;

		ssh_channel_free(c);
		h->next = NULL;
		jump_fail(j, e->code == ETIMEDOUT ? JUMP_FAIL_PROTOCOL : fail,
		    "%s", e->text);
		return;
	}
	h->carry_fd = -1;
	if (h->index + 1 < j->nhops) {
		jump_session_start(&j->hops[h->index + 1], fd, NULL, 0);
		return;
	}
	log_debug("%s: channel to %s:%u open", h->label, j->host, j->port);
	jump_finish(j, fd, NULL, 0);
}

/* A session is ready: open the channel onwards. */
static void
jump_session_ready(struct ssh_session *s, const struct errmsg *e,
    enum ssh_fail fail, void *arg)
{
	static const enum jump_fail map[] = {
		[SSH_FAIL_CONNECT] = JUMP_FAIL_CONNECT,
		[SSH_FAIL_HOSTKEY] = JUMP_FAIL_HOSTKEY,
		[SSH_FAIL_AUTH] = JUMP_FAIL_REFUSED,
		[SSH_FAIL_PROTOCOL] = JUMP_FAIL_PROTOCOL,
	};
	struct jump_hop *h = arg;
	struct jump *j = h->j;
	const char *to_host = j->host;
	uint16_t to_port = j->port;
	int sp[2];

	if (e != NULL) {
		if (fail != SSH_FAIL_CONNECT)
			j->reached = 1;
		jump_finish(j, -1, e, map[fail]);
		return;
	}
	j->reached = 1;
	log_info("%s: connected (%s)", h->label, ssh_session_algorithms(s));
	if (h->index + 1 == j->nhops && j->scb != NULL) {
		/* jump_session(): the destination itself. */
		j->finished = 1;
		event_del(j->timer);
		j->scb(s, &h->cfg, NULL, 0, j->arg);
		return;
	}
	if (h->index + 1 < j->nhops) {
		to_host = j->hops[h->index + 1].cfg.hostname;
		to_port = (uint16_t)j->hops[h->index + 1].cfg.port;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == -1) {
		jump_fail(j, JUMP_FAIL_CONNECT, "socketpair: %s",
		    strerror(errno));
		return;
	}
	h->carry_fd = sp[1];
	h->next = ssh_channel_direct(s, to_host, to_port, "127.0.0.1", 0, sp[0],
	    jump_left(j), jump_channel_opened, jump_channel_done, h);
}

/* Start the SSH session of host h over fd. */
static void
jump_session_start(struct jump_hop *h, int fd, const unsigned char *early,
    size_t early_len)
{
	const struct sshconf *c = &h->cfg;
	struct sshopts so;

	sshopts_from_config(&so, c, h->label);
	so.o.timeout = jump_hop_timeout(h);
	so.o.no_prompt = h->j->opts->no_prompt;
	so.o.early = early;
	so.o.early_len = early_len;
	log_debug("%s: SSH to %s@%s port %d", h->label, c->user, c->hostname,
	    c->port);
	h->s = ssh_session_start(h->j->base, fd, &so.o, jump_session_ready,
	    jump_session_lost, h);
	sshopts_free(&so);	/* ssh_session_start copied what it needs */
}

/* The first host's TCP connection (or proxy hop) is up, or failed. */
static void
jump_tcp_done(int fd, const unsigned char *early, size_t early_len,
    struct tls_tunnel *tunnel, const struct errmsg *e, enum hop_fail fail,
    void *arg)
{
	struct jump_hop *h = arg;

	h->tcp = NULL;
	if (e == NULL || fail == HOP_FAIL_REFUSED || fail == HOP_FAIL_PROTOCOL)
		h->j->reached = 1;	/* a proxy's refusal is an answer */
	if (e != NULL) {
		jump_fail(h->j, fail == HOP_FAIL_REFUSED ? JUMP_FAIL_REFUSED :
		    fail == HOP_FAIL_PROTOCOL ? JUMP_FAIL_PROTOCOL :
		    JUMP_FAIL_CONNECT, "%s: %s", h->label, e->text);
		return;
	}
	h->tunnel = tunnel;
	jump_session_start(h, fd, early, early_len);
}

/* How a setup error counts: out of descriptors, memory or processes
 * (for ssh -G or a ProxyCommand) passes, and is retried like a failed
 * connection; anything else is the configuration's fault. */
static enum jump_fail
jump_setup_fail(const struct errmsg *e)
{
	switch (e->code) {
	case EMFILE:
	case ENFILE:
	case ENOMEM:
	case ENOBUFS:
	case EAGAIN:
		return JUMP_FAIL_CONNECT;
	default:
		return JUMP_FAIL_CONFIG;
	}
}

/* Reach the first host: its ProxyCommand, or a hop. */
static void
jump_connect_first(struct jump *j)
{
	struct jump_hop *h = &j->hops[0];
	struct hop_opts ho;
	struct errmsg e;

	if (h->cfg.proxycommand != NULL) {
		char *cmd = NULL;
		int fd;

		if (proxycmd_expand_alias(h->cfg.proxycommand,
		    h->cfg.hostname, (uint16_t)h->cfg.port, h->cfg.user,
		    h->cfg.host, h->cfg.hostkeyalias, &cmd, &e) == -1 ||
		    proxycmd_spawn_err(cmd, j->opts->proxy_stderr > 0 ?
		    j->opts->proxy_stderr : -1, &fd, &h->proxy_pid, &e) == -1) {
			free(cmd);
			errmsg_set(&j->setup_err, e.code, "%s: ProxyCommand: %.400s",
			    h->label, e.text);
			j->setup_fail = jump_setup_fail(&e);
			event_active(j->timer, EV_TIMEOUT, 1);
			return;
		}
		log_debug("%s: ProxyCommand %s", h->label, cmd);
		free(cmd);
		jump_session_start(h, fd, NULL, 0);
		return;
	}
	if (j->opts->first != NULL)
		ho = *j->opts->first;
	else
		memset(&ho, 0, sizeof(ho));
	ho.family = j->opts->family != 0 ? j->opts->family :
	    h->cfg.addressfamily;
	ho.timeout = jump_hop_timeout(h);
	h->tcp = hop_start(j->base, h->cfg.hostname, (uint16_t)h->cfg.port, &ho,
	    jump_tcp_done, h);
}

/* ssh_config for one "[user@]host[:port]": a jump host, or (dest) the
 * destination of jump_session(), which also gets opts' dest_* fields. */
static int
jump_query(const struct jump_opts *o, const char *spec, int dest,
    struct sshconf *cfg, struct errmsg *e)
{
	struct sshconf_query q;
	struct endpoint ep;
	char name[ENDPOINT_USER_MAX + ENDPOINT_HOST_MAX + 2];
	const char **opts = NULL;
	int rc;

	if (strncmp(spec, "ssh://", 6) == 0)
		spec += 6;
	if (endpoint_parse(spec, ENDPOINT_USER_OK, &ep, e) == -1)
		return errmsg_set(e, e->code, "bad %s \"%s\": %s",
		    dest ? "destination" : "jump host", spec, e->text);
	snprintf(name, sizeof(name), "%s%s%s", ep.user, ep.user[0] ? "@" : "",
	    ep.host);
	memset(&q, 0, sizeof(q));
	q.destination = name;
	q.port = ep.has_port ? ep.port : 0;
	q.config = o->config;
	q.options = o->options;
	q.noptions = o->noptions;
	if (dest) {
		/* The destination's own options first: ssh -G keeps the
		 * first value it sees. */
		size_t n = o->ndest_options + o->noptions;

		opts = xcalloc(n + 1, sizeof(*opts));
		for (size_t i = 0; i < o->ndest_options; i++)
			opts[i] = o->dest_options[i];
		for (size_t i = 0; i < o->noptions; i++)
			opts[o->ndest_options + i] = o->options[i];
		q.options = opts;
		q.noptions = n;
		if (q.port == 0)
			q.port = o->dest_port;
		q.user = o->dest_user;
	}
	rc = sshconf_resolve(&q, cfg, e);
	free(opts);
	if (rc == -1)
		return errmsg_set(e, e->code, "%s: ssh_config: %s", spec,
		    e->text);
	if (cfg->warning != NULL)
		log_warn("%s: ssh_config: %s", spec, cfg->warning);
	return 0;
}

int
jump_config(const char *dest, const struct jump_opts *opts,
    struct sshconf *cfg, struct errmsg *e)
{
	return jump_query(opts, dest, 1, cfg, e);
}

/* Fill in one host of the chain. */
static int
jump_resolve(struct jump *j, struct jump_hop *h, const char *spec, int dest,
    struct errmsg *e)
{
	h->label = xstrdup(strncmp(spec, "ssh://", 6) == 0 ? spec + 6 : spec);
	return jump_query(j->opts, spec, dest, &h->cfg, e);
}

/* Put the hosts of a comma-separated list in front of the chain. */
static int
jump_prepend(struct jump *j, const char *list, int dest, struct errmsg *e)
{
	char *copy = xstrdup(list), *p, *save = NULL;
	size_t n = 0;
	struct jump_hop *hops;
	int rc = 0;

	for (p = copy; *p; p++)
		if (*p == ',')
			n++;
	n++;
	if (*copy == '\0' || *copy == ',' || copy[strlen(copy) - 1] == ',' ||
	    strstr(copy, ",,") != NULL) {
		free(copy);
		return errmsg_set(e, EINVAL, "invalid jump host list \"%s\": "
		    "an empty entry", list);
	}
	if (j->nhops + n > JUMP_MAX_HOPS) {
		free(copy);
		return errmsg_set(e, ELOOP, "more than %d jump hosts (a "
		    "ProxyJump loop?)", JUMP_MAX_HOPS);
	}
	hops = xcalloc(j->nhops + n, sizeof(*hops));
	for (size_t i = 0; i < n; i++) {	/* the new ones, empty */
		hops[i].j = j;
		hops[i].proxy_pid = -1;
		hops[i].carry_fd = -1;
		sshconf_init(&hops[i].cfg);
	}
	if (j->nhops > 0)
		memcpy(hops + n, j->hops, j->nhops * sizeof(*hops));
	free(j->hops);
	j->hops = hops;
	j->nhops += n;
	n = 0;
	for (p = strtok_r(copy, ",", &save); p != NULL && rc == 0;
	    p = strtok_r(NULL, ",", &save))
		rc = jump_resolve(j, &j->hops[n++], p, dest, e);
	for (size_t i = 0; i < j->nhops; i++)
		j->hops[i].index = i;
	free(copy);
	return rc;
}

/* The chain: -J's hosts, behind the first one's own ProxyJump, if any. */
static int
jump_build(struct jump *j, struct errmsg *e)
{
	if (j->scb != NULL) {
		/* One destination; a comma is not a list here. */
		if (strchr(j->host, ',') != NULL)
			return errmsg_set(e, EINVAL, "bad destination \"%s\"",
			    j->host);
		if (jump_prepend(j, j->host, 1, e) == -1)
			return -1;
	} else if (jump_prepend(j, j->opts->spec, 0, e) == -1) {
		return -1;
	}
	while (j->hops[0].cfg.proxyjump != NULL &&
	    j->hops[0].cfg.proxycommand == NULL) {
		char *pj = xstrdup(j->hops[0].cfg.proxyjump);
		int rc = jump_prepend(j, pj, 0, e);

		free(pj);
		if (rc == -1)
			return -1;
	}
	return 0;
}

/* Set up and start either kind of jump. */
static struct jump *
jump_new(struct event_base *base, const char *host, uint16_t port,
    const struct jump_opts *opts, jump_cb cb, jump_session_cb scb,
    jump_lost_cb lost, void *arg)
{
	struct jump *j = xcalloc(1, sizeof(*j));
	struct timeval tv;

	j->base = base;
	j->host = xstrdup(host);
	j->port = port;
	j->opts = opts;
	j->cb = cb;
	j->scb = scb;
	j->lost = lost;
	j->arg = arg;
	j->started = clock_now();
	j->timer = evtimer_new(base, jump_timeout_cb, j);
	j->drain_ev = event_new(base, -1, 0, jump_drained_cb, j);
	if (opts->timeout > 0) {
		tv = clock_tv(opts->timeout);
		event_add(j->timer, &tv);
	}
	if (jump_build(j, &j->setup_err) == -1) {
		j->setup_fail = jump_setup_fail(&j->setup_err);
		event_active(j->timer, EV_TIMEOUT, 1);
		return j;
	}
	jump_connect_first(j);
	return j;
}

struct jump *
jump_start(struct event_base *base, const char *host, uint16_t port,
    const struct jump_opts *opts, jump_cb cb, jump_lost_cb lost, void *arg)
{
	return jump_new(base, host, port, opts, cb, NULL, lost, arg);
}

struct jump *
jump_session(struct event_base *base, const char *dest,
    const struct jump_opts *opts, jump_session_cb cb, jump_lost_cb lost,
    void *arg)
{
	return jump_new(base, dest, 0, opts, NULL, cb, lost, arg);
}

int
jump_reached(const struct jump *j)
{
	return j->reached;
}

void
jump_free(struct jump *j)
{
	if (j == NULL)
		return;
	for (size_t i = j->nhops; i-- > 0;) {
		struct jump_hop *h = &j->hops[i];

		ssh_channel_free(h->next);
		ssh_session_free(h->s);
		hop_cancel(h->tcp);
		tls_tunnel_free(h->tunnel);
		if (h->carry_fd != -1)
			close(h->carry_fd);
		if (h->proxy_pid > 0)
			proxycmd_stop(h->proxy_pid, NULL, 0);
		sshconf_free(&h->cfg);
		free(h->label);
	}
	free(j->hops);
	if (j->timer != NULL)
		event_free(j->timer);
	if (j->drain_ev != NULL)
		event_free(j->drain_ev);
	free(j->host);
	free(j);
}

const char *
jump_algorithms(const struct jump *j)
{
	if (j->nhops == 0 || j->hops[j->nhops - 1].s == NULL)
		return "not negotiated";
	return ssh_session_algorithms(j->hops[j->nhops - 1].s);
}
