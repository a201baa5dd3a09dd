/*
 * ssh_forward.c: remote forwards (ssh -R): ask the server to listen, and
 * hand each connection it forwards to the owner as a channel.
 * SPDX-License-Identifier: MIT
 *
 * tcpip-forward requests go out one at a time (libssh2 keeps one in
 * flight per session).  A refused request (the port is taken, often by
 * the server's listener for our own previous session) is reported to the
 * owner, who decides when to ask again.  Each forwarded-tcpip channel
 * libssh2 accepted is passed to the owner unattached: the owner connects
 * its local target and attaches the socket (ssh_channel_attach), or frees
 * the channel, which closes it.  Until attached the channel is not read,
 * so its window holds the server back.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "log.h"
#include "ssh_int.h"
#include "xmalloc.h"

#define SSH_FORWARD_QUEUE 64	/* forwarded connections waiting in libssh2 */

/* Ask the server for the listener at the head of the queue. */
static int
ssh_forward_request(struct ssh_session *s, struct ssh_listener *l)
{
	int bound = 0, rc;

	l->l = libssh2_channel_forward_listen_ex(s->ls, l->host, l->port,
	    &bound, SSH_FORWARD_QUEUE);
	s->did_read = 1;
	if (l->l == NULL) {
		rc = libssh2_session_last_errno(s->ls);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return 0;
		s->requesting = NULL;
		if (s->peer_eof || s->io_error) {
			l->state = SSH_LS_QUEUED;	/* the session's end tells */
			return 1;
		}
		l->state = SSH_LS_FAILED;
		errmsg_set(&l->err, rc == LIBSSH2_ERROR_REQUEST_DENIED ?
		    EADDRINUSE : EPROTO, "the server refused to listen on "
		    "%s:%d%s", *l->host ? l->host : "*", l->port,
		    rc == LIBSSH2_ERROR_REQUEST_DENIED ? " (the port is in "
		    "use, or remote forwarding is not allowed)" : "");
		if (!l->user_gone && l->status != NULL)
			l->status(l, &l->err, l->arg);
		return 1;
	}
	s->requesting = NULL;
	l->bound_port = bound > 0 ? bound : l->port;
	l->state = SSH_LS_UP;
	log_debug("%s: the server listens on %s:%d", s->opts.label,
	    *l->host ? l->host : "*", l->bound_port);
	if (!l->user_gone && l->status != NULL)
		l->status(l, NULL, l->arg);
	return 1;
}

/* Take the connections libssh2 accepted for listener l. */
static int
ssh_forward_accept(struct ssh_session *s, struct ssh_listener *l)
{
	LIBSSH2_CHANNEL *ch;
	int moved = 0;

	while (l->state == SSH_LS_UP && !l->user_gone &&
	    (ch = libssh2_channel_forward_accept(l->l)) != NULL) {
		struct ssh_channel *c = ssh_channel_adopt(s, ch);

		moved = 1;
		log_debug("%s: connection forwarded from %s:%d", s->opts.label,
		    *l->host ? l->host : "*", l->bound_port);
		if (l->accept != NULL)
			l->accept(l, c, l->arg);
		else
			ssh_channel_free(c);
	}
	s->did_read = 1;
	return moved;
}

/* Cancel a listener the owner let go of; 1 when it is gone. */
static int
ssh_forward_cancel(struct ssh_session *s, struct ssh_listener *l)
{
	if (l->l != NULL) {
		int rc = libssh2_channel_forward_cancel(l->l);

		s->did_read = 1;
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return 0;
		l->l = NULL;
	}
	return 1;
}

int
ssh_forward_pump(struct ssh_session *s)
{
	struct ssh_listener *l, *next;
	int moved = 0;

	if (s->requesting == NULL) {
		TAILQ_FOREACH(l, &s->listeners, entry)
			if (l->state == SSH_LS_QUEUED && !l->user_gone)
				break;
		if (l != NULL) {
			l->state = SSH_LS_REQUESTING;
			s->requesting = l;
		}
	}
	if (s->requesting != NULL)
		moved |= ssh_forward_request(s, s->requesting);
	TAILQ_FOREACH_SAFE(l, &s->listeners, entry, next) {
		if (l->state == SSH_LS_UP && !l->user_gone)
			moved |= ssh_forward_accept(s, l);
		if (l->user_gone && l != s->requesting &&
		    ssh_forward_cancel(s, l)) {
			TAILQ_REMOVE(&s->listeners, l, entry);
			free(l->host);
			free(l);
			moved = 1;
		}
	}
	return moved;
}

/* The session is gone: every listener fails with its error. */
void
ssh_forward_kill_all(struct ssh_session *s, const struct errmsg *e)
{
	struct ssh_listener *l;

	s->requesting = NULL;
	TAILQ_FOREACH(l, &s->listeners, entry) {
		l->l = NULL;	/* freed with the session */
		if (l->state == SSH_LS_DEAD || l->state == SSH_LS_FAILED)
			continue;
		l->state = SSH_LS_DEAD;
		l->err = *e;
		if (!l->user_gone && l->status != NULL)
			l->status(l, e, l->arg);
	}
}

/* Free every listener struct (the session is being destroyed). */
void
ssh_forward_destroy_all(struct ssh_session *s)
{
	struct ssh_listener *l;

	while ((l = TAILQ_FIRST(&s->listeners)) != NULL) {
		TAILQ_REMOVE(&s->listeners, l, entry);
		free(l->host);
		free(l);
	}
}

struct ssh_listener *
ssh_forward_listen(struct ssh_session *s, const char *host, uint16_t port,
    ssh_listen_cb status, ssh_accept_cb accept, void *arg)
{
	struct ssh_listener *l = xcalloc(1, sizeof(*l));

	l->s = s;
	l->host = xstrdup(host != NULL ? host : "");
	l->port = port;
	l->status = status;
	l->accept = accept;
	l->arg = arg;
	l->state = SSH_LS_QUEUED;
	TAILQ_INSERT_TAIL(&s->listeners, l, entry);
	ssh_session_kick(s);
	return l;
}

void
ssh_listener_free(struct ssh_listener *l)
{
	if (l == NULL)
		return;
	l->user_gone = 1;
	ssh_session_kick(l->s);
}

int
ssh_listener_port(const struct ssh_listener *l)
{
	return l->state == SSH_LS_UP ? l->bound_port : 0;
}
