/*
 * fwd_remote.c: remote forwards (-R), asked for on every new session.
 * SPDX-License-Identifier: MIT
 *
 * After a network drop the server often still holds the listener of the
 * session it has not noticed is dead, and refuses the new request ("port
 * in use").  ssh gives up there; fwdpipe asks again every few seconds on
 * the same session, logging each refusal, until the server lets go.  The
 * session and the other forwards are not touched meanwhile.  Only on the
 * first session with ExitOnForwardFailure=yes is a refusal fatal.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <event2/event.h>

#include "clock.h"
#include "fwd_int.h"
#include "log.h"
#include "ssh.h"

static void fwd_remote_ask(struct fwd_forward *fw);

/* Ask again, if the session is still there. */
static void
fwd_remote_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fwd_forward *fw = arg;

	(void)fd;
	(void)what;
	if (fw->f->s != NULL)
		fwd_remote_ask(fw);
}

/* The server's answer to tcpip-forward. */
static void
fwd_remote_status(struct ssh_listener *l, const struct errmsg *e, void *arg)
{
	struct fwd_forward *fw = arg;
	struct fwd *f = fw->f;
	struct timeval tv;

	if (f->s == NULL || l != fw->rl)
		return;		/* the session is going; it says why */
	if (e == NULL) {
		fw->state = STATUS_FWD_UP;
		fw->port = (uint16_t)ssh_listener_port(l);
		fw->error[0] = '\0';
		if (fw->spec.listen_port == 0)
			log_notice("Allocated port %u for remote forward to %s:%u",
			    fw->port, fw->spec.connect_host,
			    fw->spec.connect_port);
		log_notice("-R %s: up (server port %u)", fw->text,
		    fw->port);
		fw->refusals = 0;
		fw->answered = 1;
		fwd_state_changed(f);
		fwd_check_ready(f);
		return;
	}
	snprintf(fw->error, sizeof(fw->error), "%s", e->text);
	fwd_set_error(f, "-R %s: %s", fw->text, e->text);
	if (f->first_session && f->exit_on_failure) {
		fw->state = STATUS_FWD_FAILED;
		fwd_fatal(f, FWD_EXIT_FAIL, "-R %s: %s (ExitOnForwardFailure)",
		    fw->text, e->text);
		return;
	}
	fw->state = STATUS_FWD_RETRYING;
	fw->refusals++;
	log_warn("-R %s: %s; asking again in %.0f s (refusal %u)", fw->text,
	    e->text, FWD_RETRY_REMOTE, fw->refusals);
	tv = clock_tv(FWD_RETRY_REMOTE);
	event_add(fw->retry, &tv);
	fw->answered = 1;
	fwd_state_changed(f);
	fwd_check_ready(f);
}

/* The server forwarded a connection. */
static void
fwd_remote_accept(struct ssh_listener *l, struct ssh_channel *c, void *arg)
{
	struct fwd_forward *fw = arg;

	(void)l;
	fwd_conn_remote(fw, c);
}

/* Ask the server to listen (again). */
static void
fwd_remote_ask(struct fwd_forward *fw)
{
	if (fw->rl != NULL)
		ssh_listener_free(fw->rl);
	if (fw->state != STATUS_FWD_RETRYING)
		fw->state = STATUS_FWD_PENDING;
	fw->port = 0;
	snprintf(fw->bound, sizeof(fw->bound), "%s", fw->spec.listen_host);
	fw->rl = ssh_forward_listen(fw->f->s, fw->spec.listen_host,
	    fw->spec.listen_port, fwd_remote_status, fwd_remote_accept, fw);
}

void
fwd_remote_session_up(struct fwd *f)
{
	for (size_t i = 0; i < f->nfws; i++) {
		struct fwd_forward *fw = &f->fws[i];

		if (fw->kind != STATUS_FWD_REMOTE)
			continue;
		if (fw->retry == NULL)
			fw->retry = evtimer_new(f->base, fwd_remote_retry_cb,
			    fw);
		fw->rl = NULL;
		fwd_remote_ask(fw);
	}
}

void
fwd_remote_session_down(struct fwd *f)
{
	for (size_t i = 0; i < f->nfws; i++) {
		struct fwd_forward *fw = &f->fws[i];

		if (fw->kind != STATUS_FWD_REMOTE)
			continue;
		if (fw->retry != NULL)
			event_del(fw->retry);
		if (fw->rl != NULL)
			ssh_listener_free(fw->rl);
		fw->rl = NULL;
		fw->port = 0;
		if (fw->state != STATUS_FWD_FAILED)
			fw->state = STATUS_FWD_PENDING;
	}
}

void
fwd_remote_free(struct fwd_forward *fw)
{
	if (fw->retry != NULL) {
		event_free(fw->retry);
		fw->retry = NULL;
	}
	if (fw->rl != NULL && fw->f->s != NULL)
		ssh_listener_free(fw->rl);
	fw->rl = NULL;
}
