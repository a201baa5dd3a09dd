/*
 * ssh_session.c: an SSH client session driven by the libevent loop.
 * SPDX-License-Identifier: MIT
 *
 * libssh2 runs non-blocking and is only ever called from
 * ssh_session_pump(), which runs the state machine (key exchange, host
 * key, authentication, then the channels) until nothing moves, flushes
 * what libssh2 queued, and arms the events and the one timer.  See
 * ssh_int.h for how sending and receiving are split between libssh2 and
 * the loop.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "clock.h"
#include "log.h"
#include "ssh_int.h"
#include "xmalloc.h"

#define SSH_CLOSE_FLUSH_SECS 5.0	/* at most, to deliver the last bytes */
#define SSH_PUMP_PASSES 32	/* per event, before yielding to the loop */

static void ssh_session_arm(struct ssh_session *s);
static void ssh_session_destroy(struct ssh_session *s);

/* libssh2_init once per process; returns 0 or -1. */
static int
ssh_lib_init(void)
{
	static int done, rc;

	if (!done) {
		rc = libssh2_init(0) == 0 ? 0 : -1;
		done = 1;
	}
	return rc;
}

/* libssh2's SEND callback: queue the bytes; never "would block", so a
 * packet is never left half-sent inside libssh2. */
static ssize_t
ssh_send_cb(libssh2_socket_t fd, const void *buf, size_t len, int flags,
    void **abstract)
{
	struct ssh_session *s = *abstract;
	ssize_t n;

	if (fd != s->fd) {
		/* libssh2 talks to the agent through this callback too. */
		do
			n = send(fd, buf, len, flags | MSG_NOSIGNAL);
		while (n == -1 && errno == EINTR);
		return n == -1 ? -errno : n;
	}
	if (s->io_error != 0)
		return -s->io_error;
	if (evbuffer_add(s->sendbuf, buf, len) == -1)
		return -ENOMEM;
	return (ssize_t)len;
}

/*
 * Acknowledge what the server sent at once.  sshd leaves Nagle on for
 * sessions without a terminal, so its second small packet (a channel's
 * data after another's open confirmation) waits for our ACK; Linux would
 * delay that ACK up to 40 ms when we have nothing to send.  Quick-ACK mode
 * does not stick, so it is asked for after every read; a socket that is
 * not TCP (a ProxyCommand's) says no once and is not asked again.
 */
static void
ssh_session_quickack(struct ssh_session *s)
{
#ifdef TCP_QUICKACK
	int one = 1;

	if (s->no_quickack)
		return;
	if (setsockopt(s->fd, IPPROTO_TCP, TCP_QUICKACK, &one,
	    sizeof(one)) == -1)
		s->no_quickack = 1;
#else
	(void)s;
#endif
}

/* libssh2's RECV callback: read the socket, noting when the server was
 * last heard from (that is what keepalive judges by). */
static ssize_t
ssh_recv_cb(libssh2_socket_t fd, void *buf, size_t len, int flags,
    void **abstract)
{
	struct ssh_session *s = *abstract;
	ssize_t n;

	if (fd != s->fd) {
		/* The agent's socket, not the server's. */
		do
			n = recv(fd, buf, len, flags);
		while (n == -1 && errno == EINTR);
		return n == -1 ? -errno : n;
	}
	if (s->early != NULL) {
		n = (ssize_t)(s->early_len - s->early_off);
		if ((size_t)n > len)
			n = (ssize_t)len;
		memcpy(buf, s->early + s->early_off, (size_t)n);
		s->early_off += (size_t)n;
		if (s->early_off == s->early_len) {
			free(s->early);
			s->early = NULL;
		}
		s->last_rx = clock_now();
		return n;
	}
	do
		n = recv(fd, buf, len, flags);
	while (n == -1 && errno == EINTR);
	if (n > 0) {
		s->last_rx = clock_now();
		s->probes_unanswered = 0;
		s->rx_bytes += (uint64_t)n;
		ssh_session_quickack(s);
		return n;
	}
	if (n == 0) {
		s->peer_eof = 1;
		return 0;
	}
	if (errno != EAGAIN && errno != EWOULDBLOCK && s->io_error == 0)
		s->io_error = errno;
	return -errno;
}

/* libssh2's DISCONNECT callback: the server said goodbye, with a reason
 * worth showing ("Too many authentication failures"). */
static void
ssh_disconnect_cb(LIBSSH2_SESSION *ls, int reason, const char *msg,
    int msg_len, const char *lang, int lang_len, void **abstract)
{
	struct ssh_session *s = *abstract;
	char raw[200];

	(void)ls;
	(void)lang;
	(void)lang_len;
	if (msg_len < 0)
		msg_len = 0;
	snprintf(raw, sizeof(raw), "%.*s", msg_len, msg != NULL ? msg : "");
	log_sanitize(s->goodbye, sizeof(s->goodbye), raw);
	s->goodbye_reason = reason;
	s->peer_eof = 1;
}

/* Write out what libssh2 queued, as far as the socket takes it. */
static void
ssh_session_flush(struct ssh_session *s)
{
	while (s->io_error == 0 && evbuffer_get_length(s->sendbuf) > 0) {
		int n = evbuffer_write(s->sendbuf, s->fd);

		if (n > 0)
			continue;
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		s->io_error = n == 0 ? EPIPE : errno;
	}
}

/* Flush the send buffer, waiting for the socket at most secs seconds:
 * the last bytes a channel wrote must not die with the session. */
static void
ssh_session_flush_wait(struct ssh_session *s, double secs)
{
	double end = clock_now() + secs;

	for (;;) {
		struct pollfd p = { .fd = s->fd, .events = POLLOUT };
		double left;

		ssh_session_flush(s);
		left = end - clock_now();
		if (s->io_error != 0 || evbuffer_get_length(s->sendbuf) == 0 ||
		    left <= 0)
			break;
		(void)poll(&p, 1, (int)(left * 1000) + 1);
	}
	if (evbuffer_get_length(s->sendbuf) > 0)
		log_debug("%s: %zu bytes not delivered at close",
		    s->opts.label, evbuffer_get_length(s->sendbuf));
}

/* Run the pump from the loop soon, not from inside the caller. */
void
ssh_session_kick(struct ssh_session *s)
{
	if (!s->busy)
		event_active(s->ev_kick, EV_TIMEOUT, 1);
	else
		s->again = 1;
}

/* Is libssh2's send buffer so full that channels should wait? */
int
ssh_session_want_write(const struct ssh_session *s)
{
	return evbuffer_get_length(s->sendbuf) < SSH_SENDBUF_HIGH;
}

/* libssh2's last error message, for logs. */
const char *
ssh_session_lasterr(struct ssh_session *s)
{
	char *msg = NULL;

	if (s->ls == NULL)
		return "no session";
	libssh2_session_last_error(s->ls, &msg, NULL, 0);
	return msg != NULL && *msg != '\0' ? msg : "unknown error";
}

/*
 * The session is over: record why, stop the channels and tell the owner,
 * through the ready callback if the session never became ready, else
 * through the lost callback.
 */
void
ssh_session_fail(struct ssh_session *s, enum ssh_fail fail,
    const char *fmt, ...)
{
	va_list ap;
	int was_ready = s->state == SSH_ST_READY;

	if (s->state == SSH_ST_DEAD)
		return;
	va_start(ap, fmt);
	vsnprintf(s->err.text, sizeof(s->err.text), fmt, ap);
	va_end(ap);
	s->state = SSH_ST_DEAD;
	if (was_ready && !s->reported) {
		/* The owner hears first, so it can let go of its channels
		 * and listeners in one sweep; those it keeps end below. */
		s->reported = 1;
		if (s->lost != NULL)
			s->lost(s, &s->err, s->arg);
	}
	ssh_channel_kill_all(s, &s->err);
	ssh_forward_kill_all(s, &s->err);
	if (s->reported)
		return;
	s->reported = 1;
	if (s->ready != NULL)
		s->ready(s, &s->err, fail, s->arg);
}

/* Why the transport ended, as the end of a sentence. */
static const char *
ssh_session_why_gone(const struct ssh_session *s)
{
	static char buf[300];

	if (s->io_error != 0) {
		snprintf(buf, sizeof(buf), "connection lost: %s",
		    strerror(s->io_error));
		return buf;
	}
	if (s->goodbye[0] != '\0') {
		snprintf(buf, sizeof(buf), "disconnected by the server: %s",
		    s->goodbye);
		return buf;
	}
	return "connection closed by the server";
}

/* The session is ready: tell the owner. */
static void
ssh_session_ready_now(struct ssh_session *s)
{
	s->state = SSH_ST_READY;
	s->deadline = 0;
	s->last_rx = clock_now();
	s->again = 1;
	if (s->ready != NULL)
		s->ready(s, NULL, 0, s->arg);
}

/* Key exchange and the host key check. */
static void
ssh_session_handshake(struct ssh_session *s)
{
	struct errmsg e;
	int rc = libssh2_session_handshake(s->ls, s->fd);

	if (rc == LIBSSH2_ERROR_EAGAIN)
		return;
	if (rc != 0) {
		if (s->peer_eof || s->io_error) {
			ssh_session_fail(s, SSH_FAIL_CONNECT, "%s: %s during key "
			    "exchange", s->opts.label, ssh_session_why_gone(s));
			return;
		}
		ssh_algo_explain(s->ls, rc, s->opts.label, &e);
		ssh_session_fail(s, SSH_FAIL_PROTOCOL, "%s", e.text);
		return;
	}
	ssh_algo_describe(s->ls, s->algos, sizeof(s->algos));
	log_debug("%s: %s", s->opts.label, s->algos);
	if (ssh_hostkey_verify(s, &e) == -1) {
		ssh_session_fail(s, SSH_FAIL_HOSTKEY, "%s", e.text);
		return;
	}
	s->kex_done = clock_now();
	s->again = 1;
	if (s->opts.no_auth) {
		ssh_session_ready_now(s);
		return;
	}
	s->state = SSH_ST_AUTH;
}

/* Authentication; on success the owner hears that the session is ready. */
static void
ssh_session_auth(struct ssh_session *s)
{
	int rc = ssh_auth_step(s);

	if (rc == 0) {
		if (s->peer_eof || s->io_error)
			ssh_session_fail(s, SSH_FAIL_CONNECT, "%s: %s during "
			    "authentication", s->opts.label,
			    ssh_session_why_gone(s));
		return;
	}
	if (rc == -1) {
		char why[sizeof(s->err.text)];

		/* ssh_session_fail formats into s->err: copy it out first. */
		snprintf(why, sizeof(why), "%s", s->err.text);
		ssh_session_fail(s, s->peer_eof || s->io_error ?
		    SSH_FAIL_CONNECT : SSH_FAIL_AUTH, "%s", why);
		return;
	}
	ssh_auth_free(s->auth);
	s->auth = NULL;
	log_debug("%s: authenticated as %s", s->opts.label, s->opts.user);
	ssh_session_ready_now(s);
}

/* One pass of the state machine. */
static void
ssh_session_step(struct ssh_session *s)
{
	switch (s->state) {
	case SSH_ST_HANDSHAKE:
		ssh_session_handshake(s);
		break;
	case SSH_ST_AUTH:
		ssh_session_auth(s);
		break;
	case SSH_ST_READY:
		if (ssh_channel_pump_all(s))
			s->again = 1;
		if (s->state == SSH_ST_READY && (s->peer_eof || s->io_error))
			ssh_session_fail(s, SSH_FAIL_CONNECT, "%s: %s",
			    s->opts.label, ssh_session_why_gone(s));
		break;
	case SSH_ST_DEAD:
		/* Channels started after the end hear about it now. */
		ssh_channel_kill_all(s, &s->err);
		ssh_forward_kill_all(s, &s->err);
		ssh_channel_reap(s);
		break;
	}
}

/* Run the session until nothing moves.  Re-entry (a callback starting a
 * channel, say) only asks for one more round. */
void
ssh_session_pump(struct ssh_session *s)
{
	int passes = 0;

	if (s->busy) {
		s->again = 1;
		return;
	}
	s->busy = 1;
	do {
		uint64_t rx = s->rx_bytes;

		s->again = 0;
		ssh_session_step(s);
		ssh_session_flush(s);
		/* A later libssh2 call in the pass may have read packets for
		 * a channel that had its turn already: one more pass. */
		if (s->rx_bytes != rx)
			s->again = 1;
		if (s->again && ++passes == SSH_PUMP_PASSES) {
			/* Let the loop see other events; go on from there. */
			event_active(s->ev_kick, EV_TIMEOUT, 1);
			s->again = 0;
		}
	} while (s->again && !s->freed && s->state != SSH_ST_DEAD);
	if (s->again && s->state == SSH_ST_DEAD && !s->freed)
		event_active(s->ev_kick, EV_TIMEOUT, 1);	/* late starters */
	s->busy = 0;
	if (s->freed) {
		ssh_session_destroy(s);
		return;
	}
	ssh_session_arm(s);
}

/* Probe a silent server, ServerAliveInterval style; give up after
 * alive_count unanswered probes. */
static void
ssh_session_keepalive(struct ssh_session *s, double now)
{
	double quiet = now - s->last_rx;
	double interval = s->opts.alive_interval;

	if (s->state != SSH_ST_READY || interval <= 0)
		return;
	if (quiet < interval * (s->probes_unanswered + 1))
		return;
	if (s->probes_unanswered >= s->opts.alive_count) {
		/* ETIMEDOUT tells the owner the path went silent, rather
		 * than the server ending the session. */
		s->err.code = ETIMEDOUT;
		ssh_session_fail(s, SSH_FAIL_CONNECT, "%s: timeout, server not "
		    "responding (%d probes over %.0f s unanswered)",
		    s->opts.label, s->probes_unanswered, quiet);
		return;
	}
	if (s->opening != NULL && !s->opening->ping) {
		/* A probe would wait behind this open; the open's own answer
		 * (or libssh2's 60 s wait for it) settles whether the server
		 * lives.  Look again one interval later. */
		s->last_rx = now - interval * s->probes_unanswered;
		return;
	}
	s->probes_unanswered++;
	log_debug("%s: silent for %.1f s, probe %d of %d", s->opts.label,
	    quiet, s->probes_unanswered, s->opts.alive_count);
	ssh_channel_probe(s);
}

/* The one timer: setup deadline, keepalive, channel open deadlines. */
static void
ssh_session_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ssh_session *s = arg;
	double now = clock_now();

	(void)fd;
	(void)what;
	s->busy = 1;
	if (s->setup_failed) {
		s->setup_failed = 0;
		ssh_session_fail(s, SSH_FAIL_PROTOCOL, "%s: %s", s->opts.label,
		    s->setup_err.text);
	} else if (s->state < SSH_ST_READY && s->deadline > 0 &&
	    now >= s->deadline) {
		ssh_session_fail(s, SSH_FAIL_PROTOCOL, "%s: timed out after "
		    "%g s during %s", s->opts.label, s->opts.timeout,
		    s->state == SSH_ST_HANDSHAKE ? "key exchange" :
		    "authentication");
	} else {
		ssh_session_keepalive(s, now);
	}
	s->busy = 0;
	if (s->freed) {
		ssh_session_destroy(s);
		return;
	}
	ssh_session_pump(s);
}

/* Socket events (and kicks) just run the pump. */
static void
ssh_session_io_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ssh_session *s = arg;

	(void)fd;
	if (what & EV_READ)
		s->rx_pending = 1;
	ssh_session_pump(s);
}

/* The earliest moment the timer has to look at something, or 0. */
static double
ssh_session_next_wake(struct ssh_session *s)
{
	struct ssh_channel *c;
	double t = 0;

	if (s->state < SSH_ST_READY && s->deadline > 0)
		t = s->deadline;
	if (s->state == SSH_ST_READY && s->opts.alive_interval > 0)
		t = s->last_rx + s->opts.alive_interval *
		    (s->probes_unanswered + 1);
	TAILQ_FOREACH(c, &s->openq, qentry)
		if (c->deadline > 0 && (t == 0 || c->deadline < t))
			t = c->deadline;
	c = s->opening;
	if (c != NULL && c->deadline > 0 && (t == 0 || c->deadline < t))
		t = c->deadline;
	return t;
}

/* Wait for the socket and the clock as the state asks. */
static void
ssh_session_arm(struct ssh_session *s)
{
	double wake;

	if (s->state == SSH_ST_DEAD) {
		event_del(s->ev_read);
		event_del(s->ev_write);
		event_del(s->timer);
		return;
	}
	event_add(s->ev_read, NULL);
	if (evbuffer_get_length(s->sendbuf) > 0)
		event_add(s->ev_write, NULL);
	else
		event_del(s->ev_write);
	wake = ssh_session_next_wake(s);
	if (wake > 0) {
		double d = wake - clock_now();
		struct timeval tv = clock_tv(d > 0 ? d + 0.001 : 0);

		event_add(s->timer, &tv);
	} else {
		event_del(s->timer);
	}
}

/* Keep a copy of str for the session's lifetime. */
static const char *
ssh_session_keep(struct ssh_session *s, const char *str)
{
	char *dup;

	if (str == NULL)
		return NULL;
	dup = xstrdup(str);
	s->owned = xreallocarray(s->owned, s->n_owned + 1, sizeof(*s->owned));
	s->owned[s->n_owned++] = dup;
	return dup;
}

/* Deep-copy a list of strings. */
static const char *const *
ssh_session_keep_list(struct ssh_session *s, const char *const *v, size_t n)
{
	const char **copy;

	if (n == 0)
		return NULL;
	copy = xcalloc(n, sizeof(*copy));
	for (size_t i = 0; i < n; i++)
		copy[i] = ssh_session_keep(s, v[i]);
	s->owned = xreallocarray(s->owned, s->n_owned + 1, sizeof(*s->owned));
	s->owned[s->n_owned++] = (char *)copy;
	return copy;
}

/* Copy the options, strings and all. */
static void
ssh_session_copy_opts(struct ssh_session *s, const struct ssh_opts *o)
{
	s->opts = *o;
	s->opts.label = ssh_session_keep(s, o->label != NULL ? o->label :
	    o->host);
	s->opts.host = ssh_session_keep(s, o->host);
	s->opts.hostkey_alias = ssh_session_keep(s, o->hostkey_alias);
	s->opts.user = ssh_session_keep(s, o->user);
	s->opts.agent_sock = ssh_session_keep(s, o->agent_sock);
	s->opts.identity_files = ssh_session_keep_list(s, o->identity_files,
	    o->n_identity_files);
	s->opts.known_hosts = ssh_session_keep_list(s, o->known_hosts,
	    o->n_known_hosts);
	s->opts.hostkey_algorithms = ssh_session_keep(s,
	    o->hostkey_algorithms);
	s->opts.hostkey_pins = ssh_session_keep_list(s, o->hostkey_pins,
	    o->n_hostkey_pins);
	if (s->opts.alive_count < 0)
		s->opts.alive_count = 3;
	if (o->early_len > 0) {
		s->early = xmalloc(o->early_len);
		memcpy(s->early, o->early, o->early_len);
		s->early_len = o->early_len;
	}
	s->opts.early = NULL;
	s->opts.early_len = 0;
}

/* Set up libssh2: callbacks, non-blocking, algorithm preferences. */
static int
ssh_session_setup(struct ssh_session *s, struct errmsg *e)
{
	char *hostkeys;
	int rc;

	if (ssh_lib_init() == -1)
		return errmsg_set(e, 0, "libssh2 failed to initialize");
	s->ls = libssh2_session_init_ex(NULL, NULL, NULL, s);
	if (s->ls == NULL)
		return errmsg_set(e, ENOMEM, "cannot create an SSH session");
	libssh2_session_callback_set(s->ls, LIBSSH2_CALLBACK_SEND,
	    (void *)ssh_send_cb);
	libssh2_session_callback_set(s->ls, LIBSSH2_CALLBACK_RECV,
	    (void *)ssh_recv_cb);
	libssh2_session_callback_set(s->ls, LIBSSH2_CALLBACK_DISCONNECT,
	    (void *)ssh_disconnect_cb);
	libssh2_session_set_blocking(s->ls, 0);
	libssh2_session_banner_set(s->ls, "SSH-2.0-hopkit_" PACKAGE_VERSION
	    " libssh2_" LIBSSH2_VERSION);
	hostkeys = s->opts.hostkey_algorithms != NULL ?
	    xstrdup(s->opts.hostkey_algorithms) : ssh_hostkey_prefs(&s->opts);
	rc = ssh_algo_set_prefs(s->ls, hostkeys, e);
	free(hostkeys);
	return rc;
}

struct ssh_session *
ssh_session_start(struct event_base *base, int fd, const struct ssh_opts *o,
    ssh_ready_cb ready, ssh_lost_cb lost, void *arg)
{
	struct ssh_session *s = xcalloc(1, sizeof(*s));
	int one = 1;

	s->base = base;
	s->fd = fd;
	s->ready = ready;
	s->lost = lost;
	s->arg = arg;
	TAILQ_INIT(&s->chans);
	TAILQ_INIT(&s->openq);
	TAILQ_INIT(&s->listeners);
	ssh_session_copy_opts(s, o);
	s->started = s->last_rx = clock_now();
	if (o->timeout > 0)
		s->deadline = s->started + o->timeout;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	s->sendbuf = evbuffer_new();
	s->ev_read = event_new(base, fd, EV_READ | EV_PERSIST,
	    ssh_session_io_cb, s);
	s->ev_write = event_new(base, fd, EV_WRITE, ssh_session_io_cb, s);
	s->timer = evtimer_new(base, ssh_session_timer_cb, s);
	s->ev_kick = event_new(base, -1, 0, ssh_session_io_cb, s);
	if (s->sendbuf == NULL || s->ev_read == NULL || s->ev_write == NULL ||
	    s->timer == NULL || s->ev_kick == NULL) {
		log_error("out of memory");
		abort();
	}
	if (ssh_session_setup(s, &s->setup_err) == -1) {
		/* Reported from the loop, as every other failure is. */
		s->setup_failed = 1;
		event_active(s->timer, EV_TIMEOUT, 0);
		return s;
	}
	event_active(s->ev_kick, EV_TIMEOUT, 1);	/* start from the loop */
	return s;
}

/* Free everything; the caller made sure nothing of ours is on the stack. */
static void
ssh_session_destroy(struct ssh_session *s)
{
	struct ssh_channel *c;

	while ((c = TAILQ_FIRST(&s->chans)) != NULL)
		ssh_channel_destroy(c);
	ssh_forward_destroy_all(s);
	ssh_auth_free(s->auth);
	if (s->ls != NULL) {
		/* What channels wrote is in sendbuf: deliver it (bounded),
		 * then say goodbye. */
		if (s->state == SSH_ST_READY && s->io_error == 0 &&
		    !s->peer_eof) {
			(void)libssh2_session_disconnect(s->ls,
			    "hopkit: closing");
			ssh_session_flush_wait(s, SSH_CLOSE_FLUSH_SECS);
		}
		/* Freeing can want to send (close channels, cancel
		 * forwards); with the socket shut down it cannot block. */
		shutdown(s->fd, SHUT_RDWR);
		s->io_error = s->io_error ? s->io_error : EPIPE;
		while (libssh2_session_free(s->ls) == LIBSSH2_ERROR_EAGAIN)
			;
	}
	if (s->ev_read != NULL)
		event_free(s->ev_read);
	if (s->ev_write != NULL)
		event_free(s->ev_write);
	if (s->timer != NULL)
		event_free(s->timer);
	if (s->ev_kick != NULL)
		event_free(s->ev_kick);
	if (s->sendbuf != NULL)
		evbuffer_free(s->sendbuf);
	free(s->early);
	if (s->fd != -1)
		close(s->fd);
	for (size_t i = 0; i < s->n_owned; i++)
		free(s->owned[i]);
	free(s->owned);
	free(s);
}

void
ssh_session_free(struct ssh_session *s)
{
	struct ssh_channel *c;
	struct ssh_listener *l;

	if (s == NULL)
		return;
	s->ready = NULL;
	s->lost = NULL;
	TAILQ_FOREACH(c, &s->chans, entry)
		c->user_gone = 1;
	TAILQ_FOREACH(l, &s->listeners, entry)
		l->user_gone = 1;
	if (s->busy) {
		s->freed = 1;
		return;
	}
	ssh_session_destroy(s);
}

const char *
ssh_session_hostkey(const struct ssh_session *s)
{
	return s->hostkey;
}

double
ssh_session_kex_done(const struct ssh_session *s)
{
	return s->kex_done;
}

const char *
ssh_session_algorithms(const struct ssh_session *s)
{
	return s->algos[0] != '\0' ? s->algos : "not negotiated";
}

size_t
ssh_session_channels(const struct ssh_session *s)
{
	const struct ssh_channel *c;
	size_t n = 0;

	TAILQ_FOREACH(c, &s->chans, entry)
		if (!c->ping && !c->user_gone)
			n++;
	return n;
}
