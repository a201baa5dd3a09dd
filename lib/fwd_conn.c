/*
 * fwd_conn.c: the connections the forwards carry, each bridged to one
 * SSH channel.
 * SPDX-License-Identifier: MIT
 *
 * A -L connection asks for a direct-tcpip channel to the forward's target;
 * a -D connection first says where with SOCKS (lib/socks_server parses it)
 * and is answered once the channel is open or refused.  A destination
 * that --permit-open does not permit is refused at once ("not allowed by
 * ruleset"), and no channel is asked for; a -L target was checked when
 * fwdpipe started (lib/fwd.c).  While the session
 * is down both wait for it, up to the connect timeout.  A -R connection
 * arrives as a channel the server opened; the local target is dialed
 * (Happy Eyeballs, timeout) and a refusal closes that channel only.
 * Channels own the sockets once they have them; memory per connection is
 * this struct, the channel's, and buffers only while bytes are in flight.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "clock.h"
#include "dial.h"
#include "fwd_int.h"
#include "log.h"
#include "permit.h"
#include "socks_server.h"
#include "ssh.h"
#include "xmalloc.h"

static void fwd_conn_open(struct fwd_conn *k);

/* Close and free a connection, whatever its state. */
static void
fwd_conn_free(struct fwd_conn *k)
{
	struct fwd *f = k->f;

	TAILQ_REMOVE(&f->conns, k, entry);
	if (k->c != NULL) {
		f->bytes_out += ssh_channel_bytes(k->c, SSH_DIR_OUT);
		f->bytes_in += ssh_channel_bytes(k->c, SSH_DIR_IN);
		ssh_channel_free(k->c);
	}
	if (k->counted)
		f->channels--;
	dial_cancel(k->dial);
	if (k->ev != NULL)
		event_free(k->ev);
	if (k->timer != NULL)
		event_free(k->timer);
	if (k->fd != -1)
		close(k->fd);
	if (k->reply_fd != -1)
		close(k->reply_fd);
	free(k->socks);
	free(k->socks_host);
	free(k->early);
	free(k);
}

/* A new connection of forward fw. */
static struct fwd_conn *
fwd_conn_new(struct fwd_forward *fw, enum fwd_conn_state state, int fd)
{
	struct fwd_conn *k = xcalloc(1, sizeof(*k));

	k->f = fw->f;
	k->fw = fw;
	k->state = state;
	k->fd = fd;
	k->reply_fd = -1;
	TAILQ_INSERT_TAIL(&fw->f->conns, k, entry);
	fw->f->connections++;
	return k;
}

/* Arm the connection's one timer. */
static void
fwd_conn_deadline(struct fwd_conn *k, double secs,
    void (*cb)(evutil_socket_t, short, void *))
{
	struct timeval tv = clock_tv(secs);

	if (k->timer != NULL)
		event_free(k->timer);
	k->timer = evtimer_new(k->f->base, cb, k);
	event_add(k->timer, &tv);
}

/* Answer a SOCKS client (a few bytes on a fresh socket: they fit). */
static void
fwd_conn_socks_answer(struct fwd_conn *k, int fd, const unsigned char *buf,
    size_t len)
{
	if (len > 0 && send(fd, buf, len, MSG_NOSIGNAL) != (ssize_t)len)
		log_debug("%s: SOCKS reply not sent: %s", k->fw->text,
		    strerror(errno));
}

/* Tell a SOCKS client its request failed (rep: a SOCKS5 code). */
static void
fwd_conn_socks_refuse(struct fwd_conn *k, int fd, uint8_t rep)
{
	unsigned char buf[SOCKS_SERVER_REPLY_MAX];
	struct socks_server st;
	struct errmsg e;
	int n;

	if (fd == -1)
		return;
	memset(&st, 0, sizeof(st));
	st.version = k->socks != NULL ? k->socks->version : k->socks_version;
	if (st.version == 0)
		return;		/* not SOCKS, or nothing said yet */
	n = socks_server_reply(&st, rep, buf, sizeof(buf), &e);
	if (n > 0)
		fwd_conn_socks_answer(k, fd, buf, (size_t)n);
}

/* The channel ended (e: it broke). */
static void
fwd_conn_done(struct ssh_channel *c, const struct errmsg *e, void *arg)
{
	struct fwd_conn *k = arg;

	(void)c;
	if (e != NULL)
		log_debug("%s: %s", k->fw->text, e->text);
	fwd_conn_free(k);
}

/* The channel opened, or the server could not open it. */
static void
fwd_conn_opened(struct ssh_channel *c, const struct errmsg *e, void *arg)
{
	struct fwd_conn *k = arg;
	struct fwd *f = k->f;

	(void)c;
	if (e != NULL) {
		log_info("%s: %s", k->fw->text, e->text);
		fwd_set_error(f, "%s: %s", k->fw->text, e->text);
		if (k->reply_fd != -1)
			fwd_conn_socks_refuse(k, k->reply_fd,
			    socks_server_rep5_for(e));
		fwd_conn_free(k);
		return;
	}
	k->state = FWD_CONN_OPEN;
	k->counted = 1;
	f->channels++;
	if (k->reply_fd != -1) {
		/* Before the channel's first bytes reach the socket. */
		fwd_conn_socks_refuse(k, k->reply_fd,
		    SOCKS_SERVER_S5_SUCCEEDED);
		close(k->reply_fd);
		k->reply_fd = -1;
	}
}

/* Open the channel for a connection, now that there is a session. */
static void
fwd_conn_open(struct fwd_conn *k)
{
	struct fwd *f = k->f;
	int fd = k->fd;

	if (k->timer != NULL) {
		event_free(k->timer);
		k->timer = NULL;
	}
	if (k->fw->kind == STATUS_FWD_DYNAMIC) {
		/* The channel takes the socket; a second handle answers
		 * SOCKS while the open takes.  The channel keeps the first:
		 * accepted sockets stay clear of fwd_listen.c's headroom. */
		k->reply_fd = fcntl(k->fd, F_DUPFD_CLOEXEC, 0);
		if (k->reply_fd == -1) {
			int err = errno;

			/* Out of descriptors: one of a burst of refusals. */
			if (err == EMFILE || err == ENFILE)
				fwd_listen_refused(k->fw, err);
			else
				log_warn("%s: %s", k->fw->text, strerror(err));
			fwd_conn_socks_refuse(k, k->fd,
			    SOCKS_SERVER_S5_GENERAL_FAILURE);
			fwd_conn_free(k);
			return;
		}
	}
	k->fd = -1;
	k->state = FWD_CONN_OPENING;
	k->c = ssh_channel_direct(f->s, k->host, k->port, k->orig,
	    k->orig_port, fd, f->connect_timeout, fwd_conn_opened,
	    fwd_conn_done, k);
	if (k->early_len > 0) {
		ssh_channel_preload(k->c, k->early, k->early_len);
		free(k->early);
		k->early = NULL;
		k->early_len = 0;
	}
}

/* Nobody could wait longer for the session. */
static void
fwd_conn_wait_expired(evutil_socket_t fd, short what, void *arg)
{
	struct fwd_conn *k = arg;

	(void)fd;
	(void)what;
	log_info("%s: connection from %s closed: no SSH session within %g s",
	    k->fw->text, k->orig, k->f->connect_timeout);
	fwd_conn_socks_refuse(k, k->fd, SOCKS_SERVER_S5_TTL_EXPIRED);
	fwd_conn_free(k);
}

/* The target is known: open now, or wait for the session. */
static void
fwd_conn_go(struct fwd_conn *k)
{
	if (k->f->s != NULL) {
		fwd_conn_open(k);
		return;
	}
	k->state = FWD_CONN_WAITING;
	fwd_conn_deadline(k, k->f->connect_timeout, fwd_conn_wait_expired);
}

/* A SOCKS client took too long to say what it wants. */
static void
fwd_conn_socks_expired(evutil_socket_t fd, short what, void *arg)
{
	struct fwd_conn *k = arg;

	(void)fd;
	(void)what;
	log_info("%s: SOCKS client %s sent no request within %g s",
	    k->fw->text, k->orig, FWD_SOCKS_TIMEOUT);
	fwd_conn_free(k);
}

/*
 * A SOCKS client asked for a destination --permit-open does not permit:
 * answer "connection not allowed by ruleset" (SOCKS5 REP 02; SOCKS4 has
 * only "rejected", 5B), log it as sshd logs a refused permitopen, and
 * close without asking for a channel.
 */
static void
fwd_conn_not_permitted(struct fwd_conn *k, int fd)
{
	log_notice("%s: SOCKS%d connection from %s to %s port %u refused: "
	    "not permitted by --permit-open", k->fw->text, k->socks_version,
	    k->orig, k->host, (unsigned)k->port);
	fwd_conn_socks_refuse(k, fd, SOCKS_SERVER_S5_NOT_ALLOWED);
	fwd_conn_free(k);
}

/* Bytes from a SOCKS client during its handshake. */
static void
fwd_conn_socks_read(evutil_socket_t fd, short what, void *arg)
{
	struct fwd_conn *k = arg;
	unsigned char buf[SSH_PRELOAD_MAX];
	size_t off = 0;
	ssize_t n;

	(void)what;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR))
		return;
	if (n <= 0) {
		log_debug("%s: SOCKS client %s left during the handshake",
		    k->fw->text, k->orig);
		fwd_conn_free(k);
		return;
	}
	while (off < (size_t)n) {
		struct errmsg e;
		size_t used = 0;
		enum socks_server_result r = socks_server_parse(k->socks,
		    buf + off, (size_t)n - off, &used, &e);

		off += used;
		switch (r) {
		case SOCKS_SERVER_NEED_MORE:
			if (used == 0)
				off = (size_t)n;	/* cannot happen */
			break;
		case SOCKS_SERVER_REPLY_METHOD:
			fwd_conn_socks_answer(k, fd, k->socks->reply,
			    k->socks->reply_len);
			break;
		case SOCKS_SERVER_ERROR:
			log_info("%s: SOCKS client %s: %s", k->fw->text,
			    k->orig, e.text);
			fwd_conn_socks_answer(k, fd, k->socks->reply,
			    k->socks->reply_len);
			fwd_conn_free(k);
			return;
		case SOCKS_SERVER_REQUEST:
			k->socks_host = xstrdup(k->socks->host);
			k->host = k->socks_host;
			k->port = k->socks->port;
			k->socks_version = k->socks->version;
			log_debug("%s: SOCKS%d%s CONNECT %s port %u from %s",
			    k->fw->text, k->socks->version,
			    k->socks->socks4a ? "a" : "", k->host, k->port,
			    k->orig);
			if (off < (size_t)n) {
				/* Sent right behind the request. */
				k->early_len = (size_t)n - off;
				k->early = xmalloc(k->early_len);
				memcpy(k->early, buf + off, k->early_len);
			}
			if (!permit_match(k->f->o->permits, k->f->o->npermits,
			    k->host, k->port)) {
				fwd_conn_not_permitted(k, fd);
				return;
			}
			event_free(k->ev);
			k->ev = NULL;
			free(k->socks);
			k->socks = NULL;
			fwd_conn_go(k);
			return;
		}
	}
}

void
fwd_conn_local(struct fwd_forward *fw, int fd, const struct sockaddr *peer)
{
	struct fwd_conn *k;

	k = fwd_conn_new(fw, FWD_CONN_WAITING, fd);
	if (peer != NULL)
		dial_ntop(peer, k->orig, sizeof(k->orig));
	else
		snprintf(k->orig, sizeof(k->orig), "127.0.0.1");
	if (peer != NULL && peer->sa_family == AF_INET)
		k->orig_port = ntohs(((const struct sockaddr_in *)(const void *)
		    peer)->sin_port);
	else if (peer != NULL && peer->sa_family == AF_INET6)
		k->orig_port = ntohs(((const struct sockaddr_in6 *)(const void *)
		    peer)->sin6_port);
	if (fw->kind == STATUS_FWD_LOCAL) {
		k->host = fw->spec.connect_host;
		k->port = fw->spec.connect_port;
		fwd_conn_go(k);
		return;
	}
	k->state = FWD_CONN_SOCKS;
	k->socks = xcalloc(1, sizeof(*k->socks));
	socks_server_init(k->socks);
	k->ev = event_new(fw->f->base, fd, EV_READ | EV_PERSIST,
	    fwd_conn_socks_read, k);
	event_add(k->ev, NULL);
	fwd_conn_deadline(k, FWD_SOCKS_TIMEOUT, fwd_conn_socks_expired);
}

void
fwd_conn_session_up(struct fwd *f)
{
	struct fwd_conn *k, *next;

	TAILQ_FOREACH_SAFE(k, &f->conns, entry, next)
		if (k->state == FWD_CONN_WAITING)
			fwd_conn_open(k);
}

void
fwd_conn_session_down(struct fwd *f, const struct errmsg *e)
{
	struct fwd_conn *k, *next;

	(void)e;
	TAILQ_FOREACH_SAFE(k, &f->conns, entry, next) {
		if (k->state == FWD_CONN_SOCKS || k->state == FWD_CONN_WAITING)
			continue;	/* they wait for the next session */
		if (k->reply_fd != -1)
			fwd_conn_socks_refuse(k, k->reply_fd,
			    SOCKS_SERVER_S5_GENERAL_FAILURE);
		fwd_conn_free(k);
	}
}

/* The local target of a -R connection answered, or not. */
static void
fwd_conn_dialed(int fd, const struct sockaddr *addr, const struct errmsg *e,
    void *arg)
{
	struct fwd_conn *k = arg;
	struct ssh_channel *c = k->c;

	(void)addr;
	k->dial = NULL;
	if (fd == -1) {
		log_warn("%s: %s", k->fw->text, e->text);
		fwd_set_error(k->f, "%s: %s", k->fw->text, e->text);
		fwd_conn_free(k);	/* closes the channel */
		return;
	}
	k->state = FWD_CONN_OPEN;
	k->counted = 1;
	k->f->channels++;
	ssh_channel_attach(c, fd, fwd_conn_done, k);
}

void
fwd_conn_remote(struct fwd_forward *fw, struct ssh_channel *c)
{
	struct fwd_conn *k = fwd_conn_new(fw, FWD_CONN_DIALING, -1);
	struct dial_opts o;

	k->c = c;
	k->host = fw->spec.connect_host;
	k->port = fw->spec.connect_port;
	memset(&o, 0, sizeof(o));
	o.timeout = fw->f->connect_timeout;
	k->dial = dial_start(fw->f->base, k->host, k->port, &o,
	    fwd_conn_dialed, k);
}

void
fwd_conn_free_all(struct fwd *f)
{
	struct fwd_conn *k;

	while ((k = TAILQ_FIRST(&f->conns)) != NULL)
		fwd_conn_free(k);
}

void
fwd_conn_totals(struct fwd *f, uint64_t *out, uint64_t *in)
{
	const struct fwd_conn *k;

	*out = *in = 0;
	TAILQ_FOREACH(k, &f->conns, entry) {
		if (k->c == NULL)
			continue;
		*out += ssh_channel_bytes(k->c, SSH_DIR_OUT);
		*in += ssh_channel_bytes(k->c, SSH_DIR_IN);
	}
}
