/*
 * fwd_int.h: what lib/fwd*.c share.  Not for use outside them.
 * SPDX-License-Identifier: MIT
 *
 * struct fwd owns the forwards (struct fwd_forward, one per -L/-R/-D) and
 * the connections they carry (struct fwd_conn).  The session comes and
 * goes; forwards and listeners stay.  A connection's life:
 *   -L: accepted -> WAITING (no session yet) -> OPENING -> OPEN -> freed;
 *   -D: accepted -> SOCKS (handshake) -> WAITING -> OPENING -> OPEN;
 *   -R: the server forwards a channel -> DIALING the target -> OPEN.
 */
#ifndef HOPKIT_FWD_INT_H
#define HOPKIT_FWD_INT_H

#include <stdint.h>
#include <time.h>

#include "backoff.h"
#include "fwd.h"
#include "sshconf.h"
#include "status.h"
#include "tailq.h"

struct evconnlistener;
struct event;
struct dial;
struct jump;
struct jump_opts;
struct sockaddr;
struct notify;
struct socks_server;
struct ssh_channel;
struct ssh_listener;
struct ssh_session;

#define FWD_RETRY_REMOTE 5.0	/* seconds between asks for a refused -R */
#define FWD_SOCKS_TIMEOUT 10.0	/* for a SOCKS client's request */
#define FWD_CONNECT_TIMEOUT 15	/* seconds, when ConnectTimeout is unset */
#define FWD_ALIVE_INTERVAL 15	/* ServerAliveInterval when unset */
#define FWD_MAX_LISTENERS 8	/* sockets per local forward */
#define FWD_BURST_QUIET 2.0	/* s without a refusal ends a burst */
#define FWD_BURST_REPORT 60.0	/* s between lines in a long burst */

struct fwd;

struct fwd_forward {
	struct fwd *f;
	struct fwdspec spec;
	char text[FWDSPEC_FORMAT_MAX];	/* canonical, for logs and status */
	enum status_fwd_kind kind;
	enum status_fwd_state state;
	char error[sizeof(((struct errmsg *)0)->text)];	/* latest, "" for none */
	char bound[ENDPOINT_HOST_MAX];	/* address listened on, "" if none */
	uint16_t port;			/* port listened on */
	/* -L, -D */
	struct evconnlistener *ls[FWD_MAX_LISTENERS];
	size_t nls;
	struct event *resume;		/* accept again after EMFILE */
	int paused;			/* accept stopped after EMFILE */
	int reserve;			/* spare descriptor for refusing, or -1 */
	int fd_limit;			/* RLIMIT_NOFILE, as last read */
	struct event *burst;		/* out of descriptors: ends the burst */
	double burst_since;		/* clock_now() at its start or last line */
	double burst_last;		/* ... at its latest refusal */
	int burst_err;			/* ... the errno that started it */
	uint64_t refused;		/* connections refused since burst_since */
	unsigned pauses;		/* ... times accepting was paused */
	/* -R */
	struct ssh_listener *rl;
	struct event *retry;		/* ask the server again */
	int answered;			/* the server said yes or no once */
	unsigned refusals;		/* in a row */
};

enum fwd_conn_state {
	FWD_CONN_SOCKS,		/* -D: reading the client's request */
	FWD_CONN_WAITING,	/* waiting for a session */
	FWD_CONN_OPENING,	/* channel open sent */
	FWD_CONN_DIALING,	/* -R: connecting the local target */
	FWD_CONN_OPEN,		/* bridged */
};

struct fwd_conn {
	TAILQ_ENTRY(fwd_conn) entry;
	struct fwd *f;
	struct fwd_forward *fw;
	enum fwd_conn_state state;
	int fd;			/* the local socket, until the channel has it */
	int reply_fd;		/* -D: a second handle to answer the client */
	struct ssh_channel *c;
	struct dial *dial;
	struct event *ev;	/* -D: the client's request arriving */
	struct event *timer;	/* handshake or waiting deadline */
	struct socks_server *socks;	/* -D, during the handshake */
	unsigned char *early;	/* -D: bytes the client sent after it */
	size_t early_len;
	const char *host;	/* where the channel goes: the forward's
				   target, or socks_host */
	char *socks_host;	/* -D: the name the client asked for */
	uint16_t port;
	char orig[46];		/* who connected (INET6_ADDRSTRLEN) */
	uint16_t orig_port;
	int socks_version;	/* -D: 4 or 5, once the request is in */
	int counted;		/* added to the open channels */
};

TAILQ_HEAD(fwd_connq, fwd_conn);

struct fwd_statsock;

struct fwd {
	struct event_base *base;
	const struct fwd_opts *o;
	fwd_cb cb;
	void *arg;

	struct sshconf cfg;		/* the destination's, at the start */
	struct jump_opts *jo;
	char **dopts;			/* destination options we add */
	size_t ndopts;
	double connect_timeout;
	int exit_on_failure;

	struct fwd_forward *fws;
	size_t nfws;

	struct jump *jump;		/* the attempt, or the live session's */
	struct ssh_session *s;		/* when up */
	enum status_state state;
	struct backoff bo;
	struct event *retry_ev;		/* next attempt */
	struct event *drop_ev;		/* tear the lost session down */
	struct event *probe_ev;		/* a reconnect attempt's TCP connect
					   unanswered: start afresh */
	double up_since;		/* clock_now() when the session came up */
	int ever_up;
	uint64_t reconnects;
	int64_t reconnect_times[STATUS_RECONNECT_TIMES_MAX];	/* epoch s,
						   oldest first: the latest */
	size_t nreconnect_times;
	char last_error[512];
	time_t last_error_time;
	int probing;			/* the server is unreachable */
	int first_session;		/* the first session is the one up */

	uint64_t connections;		/* total forwarded */
	uint64_t bytes_out, bytes_in;	/* of finished connections */
	uint64_t channels;		/* open now */
	struct fwd_connq conns;

	struct notify *notify;
	struct event *watchdog_ev;
	int ready_told;
	struct fwd_statsock *ss;
	int exiting;
};

/* fwd.c */
void fwd_set_error(struct fwd *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void fwd_fatal(struct fwd *f, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void fwd_check_ready(struct fwd *f);
void fwd_state_changed(struct fwd *f);

/* fwd_listen.c: -L and -D sockets. */
int fwd_listen_open(struct fwd_forward *fw, int family, struct errmsg *e);
void fwd_listen_close(struct fwd_forward *fw);
/* A connection of fw refused for want of descriptors after accept (err:
 * EMFILE, ENFILE): counted and logged with the listener's own refusals,
 * once per burst.  The caller closes it. */
void fwd_listen_refused(struct fwd_forward *fw, int err);

/* fwd_conn.c */
void fwd_conn_local(struct fwd_forward *fw, int fd,
    const struct sockaddr *peer);
void fwd_conn_session_up(struct fwd *f);
void fwd_conn_session_down(struct fwd *f, const struct errmsg *e);
void fwd_conn_remote(struct fwd_forward *fw, struct ssh_channel *c);
void fwd_conn_free_all(struct fwd *f);
void fwd_conn_totals(struct fwd *f, uint64_t *out, uint64_t *in);

/* fwd_remote.c: -R */
void fwd_remote_session_up(struct fwd *f);
void fwd_remote_session_down(struct fwd *f);
void fwd_remote_free(struct fwd_forward *fw);

/* fwd_statsock.c */
int fwd_statsock_open(struct fwd *f, const char *path, struct errmsg *e);
void fwd_statsock_close(struct fwd *f);

#endif
