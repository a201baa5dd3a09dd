/*
 * ssh_channel.c: direct-tcpip channels bridged to sockets, with
 * backpressure both ways.
 * SPDX-License-Identifier: MIT
 *
 * Opens are queued and made one at a time (libssh2 has one open in flight
 * per session).  An open channel moves bytes in two directions:
 *   socket -> out buffer -> libssh2_channel_write, while the server's
 *     window is open and the session's send buffer is below its mark;
 *   libssh2_channel_read -> in buffer -> socket, while the socket takes
 *     them.  Not reading the channel means no window adjust, so the
 *     server stops sending: libssh2 keeps at most one window per channel.
 * EOF on the socket becomes channel EOF once the out buffer is written;
 * channel EOF becomes shutdown(SHUT_WR) once the in buffer is written.
 * Keepalive probes are opens of a channel type no server knows: the
 * refusal is the answer, and libssh2 consumes it cleanly (a global request
 * with want_reply would leave its answer queued forever in 1.10).
 *
 * Channel structs live in the session's list until both the user has let
 * go (ssh_channel_free) and libssh2 is done with the channel; they are
 * freed at the end of a pump pass, never in the middle of one.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "clock.h"
#include "log.h"
#include "ssh_int.h"
#include "xmalloc.h"

/* The channel type keepalive probes ask for: refused by every server. */
#define SSH_PROBE_TYPE "keepalive-probe@hopkit.invalid"

static void ssh_channel_close_fd(struct ssh_channel *c);

/* Socket events only record readiness and run the pump. */
static void
ssh_channel_fd_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ssh_channel *c = arg;

	(void)fd;
	if (what & EV_READ)
		c->fd_rready = 1;
	if (what & EV_WRITE)
		c->fd_wready = 1;
	ssh_session_pump(c->s);
}


/* Tell the user, once, that the open failed or the channel ended. */
static void
ssh_channel_report(struct ssh_channel *c, const struct errmsg *e)
{
	int opened = c->state >= SSH_CH_OPEN && c->ch != NULL;

	if (c->reported || c->user_gone || c->ping)
		return;
	c->reported = 1;
	if (!opened && c->opened != NULL)
		c->opened(c, e, c->arg);
	else if (opened && c->done != NULL)
		c->done(c, e, c->arg);
}

/* The channel is finished: tell the user, close the socket, and let
 * libssh2 close it in the background. */
static void
ssh_channel_finish(struct ssh_channel *c, const struct errmsg *e)
{
	if (e != NULL)
		c->err = *e;
	ssh_channel_close_fd(c);
	ssh_channel_report(c, e);
	c->state = c->ch != NULL ? SSH_CH_CLOSING : SSH_CH_GONE;
}

/* Finish with a formatted error. */
static void __attribute__((format(printf, 2, 3)))
ssh_channel_fail(struct ssh_channel *c, const char *fmt, ...)
{
	struct errmsg e;
	va_list ap;

	errmsg_clear(&e);
	va_start(ap, fmt);
	vsnprintf(e.text, sizeof(e.text), fmt, ap);
	va_end(ap);
	ssh_channel_finish(c, &e);
}

/* libssh2's reason for a refused open, without its "Channel open
 * failure" prefix: "connect failed", "administratively prohibited". */
static const char *
ssh_channel_open_reason(struct ssh_session *s, char *buf, size_t len)
{
	const char *msg = ssh_session_lasterr(s);
	const char *lp = strchr(msg, '(');
	const char *rp = lp != NULL ? strchr(lp, ')') : NULL;

	if (lp != NULL && rp != NULL) {
		snprintf(buf, len, "%.*s", (int)(rp - lp - 1), lp + 1);
		return buf;
	}
	snprintf(buf, len, "%s", msg);
	return buf;
}

/* Push the open at the head of the queue one step. */
static int
ssh_channel_open_step(struct ssh_session *s, struct ssh_channel *c)
{
	LIBSSH2_CHANNEL *ch;
	char why[160];
	int rc;

	if (c->ping)
		ch = libssh2_channel_open_ex(s->ls, SSH_PROBE_TYPE,
		    sizeof(SSH_PROBE_TYPE) - 1, LIBSSH2_CHANNEL_WINDOW_DEFAULT,
		    LIBSSH2_CHANNEL_PACKET_DEFAULT, NULL, 0);
	else
		ch = libssh2_channel_direct_tcpip_ex(s->ls, c->host, c->port,
		    c->orig_host, c->orig_port);
	if (ch == NULL) {
		rc = libssh2_session_last_errno(s->ls);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return 0;
		s->opening = NULL;
		if (c->ping) {
			c->state = SSH_CH_GONE;	/* refused: the answer */
			return 1;
		}
		ssh_channel_fail(c, "%s: cannot open a channel to %s:%u: %s",
		    s->opts.label, c->host, c->port,
		    ssh_channel_open_reason(s, why, sizeof(why)));
		return 1;
	}
	s->opening = NULL;
	c->ch = ch;
	c->state = SSH_CH_OPEN;
	/* direct-tcpip has no stderr: stray extended data must not pile up
	 * in the window and hide the EOF. */
	libssh2_channel_handle_extended_data2(ch,
	    LIBSSH2_CHANNEL_EXTENDED_DATA_IGNORE);
	if (c->ping || c->user_gone || c->reported) {
		/* A probe, or an open its user stopped waiting for. */
		ssh_channel_finish(c, NULL);
		return 1;
	}
	c->reported = 1;
	if (c->opened != NULL)
		c->opened(c, NULL, c->arg);
	c->reported = 0;	/* the done callback is still owed */
	return 1;
}

/*
 * libssh2 waits for an open's answer packet by packet and stops there:
 * packets that came in the same read (the target's first bytes, say an
 * SSH banner right behind the confirmation, as a proxy or an outer channel
 * delivers them) stay in its buffer, unparsed, where no socket event will
 * ever bring them out.  A zero-length read of an open channel makes it
 * parse everything it holds, before this pass looks at the channels.
 */
static void
ssh_channel_parse_buffered(struct ssh_session *s, struct ssh_channel *opened)
{
	struct ssh_channel *c;
	char byte;

	/* Best the channel just opened: its window is whole, so the read
	 * cannot send a window adjust. */
	if (opened->state == SSH_CH_OPEN && opened->ch != NULL) {
		(void)libssh2_channel_read(opened->ch, &byte, 0);
		return;
	}
	TAILQ_FOREACH(c, &s->chans, entry)
		if (c->state == SSH_CH_OPEN && c->ch != NULL) {
			(void)libssh2_channel_read(c->ch, &byte, 0);
			return;
		}
}

/* Start the next queued open, or move the current one on.  An open
 * whose deadline passed is reported to its user now; libssh2 still has
 * to see it through before the next one can start. */
static int
ssh_channel_opens(struct ssh_session *s, double now)
{
	struct ssh_channel *c, *next;

	/* Queued opens whose time ran out while they waited their turn. */
	TAILQ_FOREACH_SAFE(c, &s->openq, qentry, next) {
		if (c->deadline <= 0 || now < c->deadline)
			continue;
		c->deadline = 0;
		ssh_channel_unqueue(c);
		if (!c->user_gone && !c->reported && !c->ping) {
			struct errmsg e;

			errmsg_set(&e, ETIMEDOUT, "%s: timed out waiting to open "
			    "a channel to %s:%u (another open is still pending)",
			    s->opts.label, c->host, c->port);
			ssh_channel_close_fd(c);
			ssh_channel_report(c, &e);
		}
		c->state = SSH_CH_GONE;
	}
	if (s->opening == NULL) {
		c = TAILQ_FIRST(&s->openq);
		if (c == NULL)
			return 0;
		ssh_channel_unqueue(c);
		if (c->user_gone) {
			c->state = SSH_CH_GONE;
			return 1;
		}
		c->state = SSH_CH_OPENING;
		s->opening = c;
	}
	c = s->opening;
	if (c->user_gone || c->reported)
		c->deadline = 0;	/* nobody waits for the answer */
	if (c->deadline > 0 && now >= c->deadline) {
		struct errmsg e;

		errmsg_set(&e, ETIMEDOUT, "%s: timed out opening a channel "
		    "to %s:%u", s->opts.label, c->host, c->port);
		c->deadline = 0;	/* told once; the timer may rest */
		ssh_channel_close_fd(c);
		ssh_channel_report(c, &e);
	}
	s->did_read = 1;
	if (ssh_channel_open_step(s, c) == 0)
		return 0;
	ssh_channel_parse_buffered(s, c);
	return 1;
}

/*
 * Is a read of the channel worth making: has libssh2 queued data for it,
 * or has its receive window shrunk so far that a read (which grows it
 * back first) is due?  Asking costs no system call, unlike the read, so
 * thousands of idle channels stay cheap.
 */
static int
ssh_channel_readable(struct ssh_channel *c)
{
	unsigned long initial = 0;
	uint32_t window;

	if (libssh2_poll_channel_read(c->ch, 0) != 0)
		return 1;	/* data, or an odd queue: let the read say */
	window = (uint32_t)libssh2_channel_window_read_ex(c->ch, NULL,
	    &initial);
	return window < initial / 4 * 3;
}

/* Release a buffer that has been emptied: an idle channel holds none. */
static void
ssh_channel_trim(unsigned char **buf, size_t *len, size_t *off)
{
	if (*off < *len || *buf == NULL)
		return;
	free(*buf);
	*buf = NULL;
	*len = *off = 0;
}

/* Channel -> socket: read the channel while the in buffer has room,
 * write the buffer to the socket while it takes it. */
static int
ssh_channel_inbound(struct ssh_session *s, struct ssh_channel *c)
{
	int moved = 0;

	while (!c->remote_eof && c->in_len < SSH_CHAN_BUF) {
		ssize_t n;

		if (!ssh_channel_readable(c)) {
			if (libssh2_channel_eof(c->ch)) {
				c->remote_eof = 1;
				moved = 1;
			}
			break;
		}
		if (c->in == NULL)
			c->in = xmalloc(SSH_CHAN_BUF);
		n = libssh2_channel_read(c->ch, (char *)c->in + c->in_len,
		    SSH_CHAN_BUF - c->in_len);

		s->did_read = 1;
		if (n > 0) {
			c->in_len += (size_t)n;
			moved = 1;
			continue;
		}
		if (n == 0 && libssh2_channel_eof(c->ch)) {
			log_trace_f("%s:%u: EOF from the server after %llu bytes",
			    c->host, c->port,
			    (unsigned long long)c->bytes[SSH_DIR_IN] + c->in_len);
			c->remote_eof = 1;
			moved = 1;
		} else if (n < 0 && n != LIBSSH2_ERROR_EAGAIN &&
		    !s->peer_eof && !s->io_error) {
			ssh_channel_fail(c, "%s: channel to %s:%u: %s",
			    s->opts.label, c->host, c->port,
			    ssh_session_lasterr(s));
			return 1;
		}
		break;
	}
	while (c->in_off < c->in_len && c->fd_wready) {
		ssize_t n = send(c->fd, c->in + c->in_off,
		    c->in_len - c->in_off, MSG_NOSIGNAL);

		if (n > 0) {
			c->in_off += (size_t)n;
			c->bytes[SSH_DIR_IN] += (uint64_t)n;
			moved = 1;
		} else if (n == -1 && errno == EINTR) {
			continue;
		} else if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			c->fd_wready = 0;
		} else {
			ssh_channel_fail(c, "%s: channel to %s:%u: writing to the "
			    "local socket: %s", s->opts.label, c->host, c->port,
			    strerror(n == 0 ? EPIPE : errno));
			return 1;
		}
	}
	ssh_channel_trim(&c->in, &c->in_len, &c->in_off);
	if (c->remote_eof && c->in_len == 0 && !c->wr_shut) {
		(void)shutdown(c->fd, SHUT_WR);
		c->wr_shut = 1;
		moved = 1;
	}
	return moved;
}

/* Socket -> channel: write the out buffer into the channel while the
 * window and the session's send buffer allow; refill it from the socket
 * when it is empty; send EOF after the socket's EOF. */
static int
ssh_channel_outbound(struct ssh_session *s, struct ssh_channel *c)
{
	int moved = 0;

	for (;;) {
		if (c->out_off < c->out_len) {
			ssize_t n;

			if (!ssh_session_want_write(s))
				break;
			n = libssh2_channel_write(c->ch,
			    (char *)c->out + c->out_off,
			    c->out_len - c->out_off);
			s->did_read = 1;
			if (n > 0) {
				c->out_off += (size_t)n;
				c->bytes[SSH_DIR_OUT] += (uint64_t)n;
				moved = 1;
				continue;
			}
			if (n == 0 || n == LIBSSH2_ERROR_EAGAIN ||
			    s->peer_eof || s->io_error)
				break;	/* window closed: wait for an adjust */
			ssh_channel_fail(c, "%s: channel to %s:%u: %s",
			    s->opts.label, c->host, c->port,
			    ssh_session_lasterr(s));
			return 1;
		}
		ssh_channel_trim(&c->out, &c->out_len, &c->out_off);
		if (c->fd_eof || !c->fd_rready)
			break;
		if (c->out == NULL)
			c->out = xmalloc(SSH_CHAN_BUF);
		ssize_t n = recv(c->fd, c->out, SSH_CHAN_BUF, 0);

		if (n > 0) {
			c->out_len = (size_t)n;
			moved = 1;
		} else if (n == 0) {
			log_trace_f("%s:%u: EOF from the socket after %llu bytes",
			    c->host, c->port,
			    (unsigned long long)c->bytes[SSH_DIR_OUT]);
			c->fd_eof = 1;
			moved = 1;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			c->fd_rready = 0;
			ssh_channel_trim(&c->out, &c->out_len, &c->out_off);
		} else if (errno != EINTR) {
			ssh_channel_fail(c, "%s: channel to %s:%u: reading the "
			    "local socket: %s", s->opts.label, c->host, c->port,
			    strerror(errno));
			return 1;
		}
	}
	if (c->fd_eof && c->out_off == c->out_len && !c->eof_sent) {
		int rc = libssh2_channel_send_eof(c->ch);

		if (rc == 0) {
			c->eof_sent = 1;
			moved = 1;
		} else if (rc != LIBSSH2_ERROR_EAGAIN && !s->peer_eof &&
		    !s->io_error) {
			ssh_channel_fail(c, "%s: channel to %s:%u: sending EOF: %s",
			    s->opts.label, c->host, c->port, ssh_session_lasterr(s));
			return 1;
		}
	}
	return moved;
}

/* Wait on the socket for what the channel needs next. */
static void
ssh_channel_arm(struct ssh_channel *c)
{
	int want_read = c->state == SSH_CH_OPEN && !c->fd_eof &&
	    !c->fd_rready && c->out_off == c->out_len;
	int want_write = c->state == SSH_CH_OPEN && !c->fd_wready &&
	    c->in_off < c->in_len;

	if (c->fd == -1)
		return;
	if (want_read != c->armed_read) {
		if (want_read)
			event_add(c->ev_read, NULL);
		else
			event_del(c->ev_read);
		c->armed_read = want_read;
	}
	if (want_write != c->armed_write) {
		if (want_write)
			event_add(c->ev_write, NULL);
		else
			event_del(c->ev_write);
		c->armed_write = want_write;
	}
}

/* One open channel: both directions, then see whether it is done. */
static int
ssh_channel_move(struct ssh_session *s, struct ssh_channel *c)
{
	int moved;

	if (c->fd == -1)
		return 0;	/* adopted, not attached yet */
	moved = ssh_channel_inbound(s, c);

	if (c->state == SSH_CH_OPEN)
		moved |= ssh_channel_outbound(s, c);
	if (c->state != SSH_CH_OPEN)
		return 1;
	if (c->remote_eof && !c->eof_sent) {
		/* After its EOF the server may close outright (the target
		 * reset the connection): stop feeding a closed channel, but
		 * still deliver what it sent before. */
		int rc = libssh2_channel_wait_closed(c->ch);

		s->did_read = 1;
		if (rc == 0) {
			log_trace_f("%s:%u: closed by the server (%zu bytes "
			    "unsent, socket EOF %d)", c->host, c->port,
			    c->out_len - c->out_off, c->fd_eof);
			if (c->out_len > c->out_off || !c->fd_eof)
				log_debug("channel to %s:%u: closed by the "
				    "server; local input not sent is dropped",
				    c->host, c->port);
			c->out_off = c->out_len = 0;
			c->fd_eof = c->eof_sent = 1;
			moved = 1;
		}
	}
	if (c->eof_sent && c->wr_shut) {
		/* Both ways done: wait for the server's close, which comes
		 * once it has delivered everything to the far socket (a
		 * session closed before that can lose the last bytes). */
		int rc = libssh2_channel_wait_closed(c->ch);

		s->did_read = 1;
		if (rc == 0) {
			ssh_channel_finish(c, NULL);
			return 1;
		}
		if (rc != LIBSSH2_ERROR_EAGAIN) {
			ssh_channel_fail(c, "%s: channel to %s:%u: waiting for "
			    "the server to close it: %s", s->opts.label, c->host,
			    c->port, ssh_session_lasterr(s));
			return 1;
		}
	}
	ssh_channel_arm(c);
	return moved;
}

/* Close and free the libssh2 side of a finished channel. */
static int
ssh_channel_close_step(struct ssh_session *s, struct ssh_channel *c)
{
	int rc = libssh2_channel_close(c->ch);

	s->did_read = 1;
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return 0;
	rc = libssh2_channel_free(c->ch);
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return 0;
	c->ch = NULL;
	c->state = SSH_CH_GONE;
	return 1;
}

/*
 * Nothing read the transport this pass: read it anyway, so that the
 * server's keepalives and rekeying are answered even when every channel
 * waits on a slow local reader, or there are no channels at all.
 */
static void
ssh_channel_drain(struct ssh_session *s)
{
	struct ssh_channel *c;
	char byte;

	TAILQ_FOREACH(c, &s->chans, entry) {
		if (c->state == SSH_CH_OPEN && c->ch != NULL && c->fd != -1) {
			/* A zero-length read takes no data and lets the
			 * window grow back at most to its initial size. */
			(void)libssh2_channel_read(c->ch, &byte, 0);
			return;
		}
	}
	if (s->opening == NULL)
		(void)ssh_channel_probe(s);
}

int
ssh_channel_pump_all(struct ssh_session *s)
{
	struct ssh_channel *c, *next;
	double now = clock_now();
	int moved = 0;

	s->did_read = 0;
	moved |= ssh_channel_opens(s, now);
	TAILQ_FOREACH_SAFE(c, &s->chans, entry, next) {
		if (s->state != SSH_ST_READY)
			break;
		if (c->state == SSH_CH_OPEN && c->ch != NULL)
			moved |= ssh_channel_move(s, c);
		if (c->state == SSH_CH_CLOSING)
			moved |= ssh_channel_close_step(s, c);
	}
	if (s->state == SSH_ST_READY)
		moved |= ssh_forward_pump(s);
	if (s->state == SSH_ST_READY && !s->did_read && s->rx_pending)
		ssh_channel_drain(s);
	s->rx_pending = 0;
	ssh_channel_reap(s);
	return moved;
}

/* Free the channels that nobody needs any more. */
void
ssh_channel_reap(struct ssh_session *s)
{
	struct ssh_channel *c, *next;

	TAILQ_FOREACH_SAFE(c, &s->chans, entry, next)
		if (c->state == SSH_CH_GONE && (c->user_gone || c->ping))
			ssh_channel_destroy(c);
}

/* The session is gone: every channel ends with its error. */
void
ssh_channel_kill_all(struct ssh_session *s, const struct errmsg *e)
{
	struct ssh_channel *c, *next;

	s->opening = NULL;
	TAILQ_FOREACH_SAFE(c, &s->chans, entry, next) {
		ssh_channel_unqueue(c);
		ssh_channel_close_fd(c);
		ssh_channel_report(c, e);
		c->state = SSH_CH_GONE;
	}
}

/* Queue a keepalive probe unless one is already on its way. */
int
ssh_channel_probe(struct ssh_session *s)
{
	struct ssh_channel *c;

	if (s->opening != NULL && s->opening->ping)
		return 0;
	TAILQ_FOREACH(c, &s->openq, qentry)
		if (c->ping)
			return 0;
	c = xcalloc(1, sizeof(*c));
	c->s = s;
	c->fd = -1;
	c->ping = 1;
	c->host = xstrdup(SSH_PROBE_TYPE);
	c->state = SSH_CH_QUEUED;
	TAILQ_INSERT_TAIL(&s->chans, c, entry);
	TAILQ_INSERT_TAIL(&s->openq, c, qentry);
	c->queued = 1;
	ssh_session_kick(s);
	return 1;
}

/* Take c off the queue of opens, if it is there. */
void
ssh_channel_unqueue(struct ssh_channel *c)
{
	if (!c->queued)
		return;
	TAILQ_REMOVE(&c->s->openq, c, qentry);
	c->queued = 0;
}

/* Close the socket and its events. */
static void
ssh_channel_close_fd(struct ssh_channel *c)
{
	if (c->ev_read != NULL) {
		event_free(c->ev_read);
		c->ev_read = NULL;
	}
	if (c->ev_write != NULL) {
		event_free(c->ev_write);
		c->ev_write = NULL;
	}
	c->armed_read = c->armed_write = 0;
	if (c->fd != -1) {
		close(c->fd);
		c->fd = -1;
	}
}

/* Take over the socket fd: non-blocking, with its two events (armed by
 * ssh_channel_arm as the channel needs them). */
static void
ssh_channel_watch(struct ssh_channel *c, int fd)
{
	c->fd = fd;
	c->fd_rready = c->fd_wready = 1;
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	c->ev_read = event_new(c->s->base, fd, EV_READ | EV_PERSIST,
	    ssh_channel_fd_cb, c);
	c->ev_write = event_new(c->s->base, fd, EV_WRITE, ssh_channel_fd_cb, c);
	if (c->ev_read == NULL || c->ev_write == NULL) {
		log_error("out of memory");
		abort();
	}
}

/* Unlink and free; libssh2's channel, if any, goes with the session. */
void
ssh_channel_destroy(struct ssh_channel *c)
{
	struct ssh_session *s = c->s;

	if (s->opening == c)
		s->opening = NULL;
	ssh_channel_unqueue(c);
	TAILQ_REMOVE(&s->chans, c, entry);
	ssh_channel_close_fd(c);
	free(c->in);
	free(c->out);
	free(c->host);
	free(c->orig_host);
	free(c);
}

struct ssh_channel *
ssh_channel_direct(struct ssh_session *s, const char *host, uint16_t port,
    const char *orig_host, uint16_t orig_port, int fd, double timeout,
    ssh_open_cb opened, ssh_done_cb done, void *arg)
{
	struct ssh_channel *c = xcalloc(1, sizeof(*c));

	c->s = s;
	c->host = xstrdup(host);
	c->port = port;
	c->orig_host = xstrdup(orig_host != NULL ? orig_host : "127.0.0.1");
	c->orig_port = orig_port;
	c->opened = opened;
	c->done = done;
	c->arg = arg;
	if (timeout > 0)
		c->deadline = clock_now() + timeout;
	ssh_channel_watch(c, fd);
	c->state = SSH_CH_QUEUED;
	TAILQ_INSERT_TAIL(&s->chans, c, entry);
	TAILQ_INSERT_TAIL(&s->openq, c, qentry);
	c->queued = 1;
	ssh_session_kick(s);
	return c;
}

void
ssh_channel_preload(struct ssh_channel *c, const void *buf, size_t len)
{
	if (len == 0)
		return;
	if (len > SSH_PRELOAD_MAX || c->out_len > 0) {
		log_error("ssh_channel_preload: %zu bytes refused", len);
		abort();
	}
	c->out = xmalloc(SSH_CHAN_BUF);
	memcpy(c->out, buf, len);
	c->out_len = len;
	c->out_off = 0;
}

/* A channel the server opened (a forwarded connection), not yet
 * attached to a socket. */
struct ssh_channel *
ssh_channel_adopt(struct ssh_session *s, LIBSSH2_CHANNEL *ch)
{
	struct ssh_channel *c = xcalloc(1, sizeof(*c));

	c->s = s;
	c->ch = ch;
	c->fd = -1;
	c->host = xstrdup("forwarded");
	libssh2_channel_handle_extended_data2(ch,
	    LIBSSH2_CHANNEL_EXTENDED_DATA_IGNORE);
	c->state = SSH_CH_OPEN;
	c->reported = 1;	/* no open callback: it is open */
	TAILQ_INSERT_TAIL(&s->chans, c, entry);
	return c;
}

void
ssh_channel_attach(struct ssh_channel *c, int fd, ssh_done_cb done,
    void *arg)
{
	c->done = done;
	c->arg = arg;
	c->reported = 0;
	ssh_channel_watch(c, fd);
	ssh_session_kick(c->s);
}

void
ssh_channel_free(struct ssh_channel *c)
{
	if (c == NULL)
		return;
	c->user_gone = 1;
	ssh_channel_close_fd(c);
	if (c->state == SSH_CH_OPEN)
		c->state = c->ch != NULL ? SSH_CH_CLOSING : SSH_CH_GONE;
	ssh_session_kick(c->s);
}

uint64_t
ssh_channel_bytes(const struct ssh_channel *c, enum ssh_dir dir)
{
	return c->bytes[dir];
}
