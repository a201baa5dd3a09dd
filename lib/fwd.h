/*
 * fwd.h: one SSH connection carrying local, remote and dynamic forwards
 * (ssh -L/-R/-D), kept up unattended: keepalive, reconnect with backoff,
 * systemd notify, and a status socket.  fwdpipe is a thin tool over this.
 * SPDX-License-Identifier: MIT
 *
 * The destination's ssh_config is read once at the start (it says how to
 * bind, whether a failed forward is fatal, the keepalive); every attempt
 * then logs in afresh through lib/jump (ProxyJump, ProxyCommand).  Local
 * listeners (-L, -D) are bound at the start and stay bound through
 * outages; remote ones (-R) are asked for on every new session, and asked
 * again every few seconds while the server refuses them.
 */
#ifndef HOPKIT_FWD_H
#define HOPKIT_FWD_H

#include <stddef.h>

#include "fwdspec.h"
#include "status.h"

struct event_base;
struct fwd;
struct permit;

/* Exit statuses, as fwdpipe(1) documents them. */
#define FWD_EXIT_OK 0		/* stopped on request */
#define FWD_EXIT_FAIL 1		/* a forward failed (ExitOnForwardFailure),
				   the first connection failed (-f), fatal */
#define FWD_EXIT_USAGE 2	/* bad options or configuration */
#define FWD_EXIT_AUTH 3		/* authentication failed, first connection */
#define FWD_EXIT_HOSTKEY 5	/* host key not accepted, first connection */

/* One forward as given on the command line. */
struct fwd_arg {
	enum fwdspec_kind kind;
	const char *spec;
};

struct fwd_opts {
	const char *dest;		/* "[user@]host[:port]" */
	const char *config;		/* -F, or NULL */
	const char *const *options;	/* -o Key=Value */
	size_t noptions;
	const char *const *identities;	/* -i */
	size_t nidentities;
	const char *jump;		/* -J, or NULL */
	int port;			/* -p, or 0 */
	const char *user;		/* -l, or NULL */
	int family;			/* -4/-6: AF_INET/AF_INET6, or 0 */
	int gateway_ports;		/* -g */
	const struct fwd_arg *args;
	size_t nargs;
	const char *status_path;	/* --status-socket, or NULL */
	int first_fatal;		/* -f: the first attempt must work */
	const struct permit *permits;	/* --permit-open: where -L and -D
					   connections may go (lib/permit);
					   none: anywhere */
	size_t npermits;
};

/* What the owner hears: the forwards are set up (once), or fwdpipe must
 * end with an exit status (once; the owner stops the loop). */
enum fwd_event {
	FWD_EV_READY,
	FWD_EV_EXIT,
};
typedef void (*fwd_cb)(enum fwd_event ev, int status, void *arg);

/*
 * Read the configuration, bind the local listeners, open the status
 * socket and start connecting.  Returns NULL with a one-line reason in e
 * and the exit status in *status when it cannot start: FWD_EXIT_USAGE
 * also for a -L whose target --permit-open does not permit (a -D
 * connection to such a target is refused when it asks).  opts must stay
 * valid until fwd_free().
 */
struct fwd *fwd_start(struct event_base *base, const struct fwd_opts *opts,
    fwd_cb cb, void *arg, struct errmsg *e, int *status);

/* SIGHUP: drop the session and connect again now. */
void fwd_reconnect(struct fwd *f);

/* SIGUSR1: log the one-line summary. */
void fwd_log_summary(struct fwd *f);

/* Fill doc (status_free() it) with the current state. */
void fwd_status(struct fwd *f, struct status_doc *doc);

/* SIGTERM: stop accepting, close channels, disconnect (delivering what
 * is in flight, bounded), tell systemd, and free. */
void fwd_free(struct fwd *f);

#endif
