/*
 * ssh_int.h: what the ssh_*.c files share about a session and its
 * channels.  Not for use outside lib/ssh_*.c.
 * SPDX-License-Identifier: MIT
 *
 * One event handler, ssh_session_pump(), drives everything: libssh2 is
 * called only from there, so its one-call-at-a-time state machines never
 * see two callers.  Outgoing packets go into an evbuffer (the SEND
 * callback never says EAGAIN, so libssh2 never holds a half-sent packet)
 * that the loop flushes; channel writes pause while it is above a high
 * watermark.  Incoming bytes are read by libssh2 itself through a RECV
 * callback that notes when the server was last heard from.
 */
#ifndef HOPKIT_SSH_INT_H
#define HOPKIT_SSH_INT_H

#include <stddef.h>
#include <stdint.h>

#include <libssh2.h>

#include "errmsg.h"
#include "knownhosts.h"
#include "ssh.h"
#include "tailq.h"

struct event;
struct evbuffer;

#define SSH_SENDBUF_HIGH (512 * 1024)	/* pause channel writes above */
#define SSH_CHAN_BUF (64 * 1024)	/* per direction, per channel */

enum ssh_state {
	SSH_ST_HANDSHAKE = 0,
	SSH_ST_AUTH,
	SSH_ST_READY,
	SSH_ST_DEAD,		/* failed or lost; waits to be freed */
};

/* A channel's place in its life. */
enum ssh_chan_state {
	SSH_CH_QUEUED = 0,	/* waiting for its turn to be opened */
	SSH_CH_OPENING,		/* libssh2_channel_open_ex in progress */
	SSH_CH_OPEN,		/* bridging */
	SSH_CH_CLOSING,		/* channel_close/free in progress */
	SSH_CH_GONE,		/* nothing left to do: unlink and free */
};

struct ssh_channel {
	TAILQ_ENTRY(ssh_channel) entry;
	TAILQ_ENTRY(ssh_channel) qentry;	/* in openq while QUEUED */
	int queued;
	struct ssh_session *s;
	enum ssh_chan_state state;
	int ping;		/* a keepalive probe, not a user's channel */
	LIBSSH2_CHANNEL *ch;
	int fd;			/* the bridged socket, or -1 */
	struct event *ev_read, *ev_write;
	char *host, *orig_host;
	uint16_t port, orig_port;
	double deadline;	/* for the open; 0: none */

	/* socket -> channel */
	unsigned char *out;
	size_t out_len, out_off;
	int fd_eof;		/* read 0 from the socket */
	int eof_sent;		/* channel EOF sent */
	/* channel -> socket */
	unsigned char *in;
	size_t in_len, in_off;
	int remote_eof;		/* the server sent EOF (or close) */
	int wr_shut;		/* socket's write side shut down */
	int fd_rready, fd_wready;	/* the socket may be read / written */
	int armed_read, armed_write;	/* its events are pending */

	uint64_t bytes[2];
	int user_gone;		/* ssh_channel_free() was called */
	int reported;		/* done/opened callback delivered */
	ssh_open_cb opened;
	ssh_done_cb done;
	void *arg;
	struct errmsg err;	/* why it ended, when it broke */
};

TAILQ_HEAD(ssh_chanq, ssh_channel);

enum ssh_listener_state {
	SSH_LS_QUEUED = 0,	/* waiting for its turn to be requested */
	SSH_LS_REQUESTING,	/* tcpip-forward sent, no answer yet */
	SSH_LS_UP,		/* the server listens */
	SSH_LS_FAILED,		/* refused; the owner may ask again */
	SSH_LS_DEAD,		/* the session ended */
};

struct ssh_listener {
	TAILQ_ENTRY(ssh_listener) entry;
	struct ssh_session *s;
	enum ssh_listener_state state;
	LIBSSH2_LISTENER *l;
	char *host;
	int port, bound_port;
	int user_gone;
	ssh_listen_cb status;
	ssh_accept_cb accept;
	void *arg;
	struct errmsg err;
};

TAILQ_HEAD(ssh_listenq, ssh_listener);

struct ssh_auth;

struct ssh_session {
	struct event_base *base;
	LIBSSH2_SESSION *ls;
	int fd;
	enum ssh_state state;
	struct ssh_opts opts;	/* deep copy; strings owned */
	char **owned;		/* strings to free */
	size_t n_owned;

	struct evbuffer *sendbuf;
	unsigned char *early;	/* read before the socket, then freed */
	size_t early_len, early_off;
	struct event *ev_read, *ev_write, *timer;
	struct event *ev_kick;	/* run the pump from the loop */
	int rx_pending;		/* the socket was readable this round */
	int did_read;		/* a libssh2 call read the transport */
	int io_error;		/* errno of the first socket error */
	int peer_eof;		/* the server closed the connection */
	int no_quickack;	/* the socket is not TCP */
	char goodbye[200];	/* its DISCONNECT message, sanitized */
	int goodbye_reason;
	uint64_t rx_bytes;	/* received so far */

	double started, last_rx, next_probe;
	int probes_unanswered;
	double deadline;	/* handshake + auth; 0: none */

	struct ssh_auth *auth;
	struct ssh_chanq chans;	/* all channels, in open order */
	struct ssh_chanq openq;	/* those waiting for their open: the pump
				   and the timer look only here for them */
	struct ssh_channel *opening;	/* the one being opened, if any */
	struct ssh_listenq listeners;	/* remote forwards */
	struct ssh_listener *requesting;	/* the one being requested */

	int busy;		/* inside ssh_session_pump */
	int again;		/* pump once more when done */
	int freed;		/* ssh_session_free() called while busy */
	int reported;		/* ready/lost callback delivered */
	int setup_failed;	/* libssh2 setup failed: report from the loop */
	struct errmsg setup_err;
	ssh_ready_cb ready;
	ssh_lost_cb lost;
	void *arg;
	char algos[256];
	char hostkey[KNOWNHOSTS_FP_MAX + 48];	/* "TYPE SHA256:..." */
	double kex_done;
	struct errmsg err;
};

/* ssh_session.c */
void ssh_session_pump(struct ssh_session *s);
void ssh_session_fail(struct ssh_session *s, enum ssh_fail fail,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
const char *ssh_session_lasterr(struct ssh_session *s);
int ssh_session_want_write(const struct ssh_session *s);
void ssh_session_kick(struct ssh_session *s);

/* ssh_auth.c: 1 done, 0 wait, -1 failed (s->err set). */
int ssh_auth_step(struct ssh_session *s);
void ssh_auth_free(struct ssh_auth *a);

/* ssh_hostkey.c: 0 accepted, -1 refused (e set). */
int ssh_hostkey_verify(struct ssh_session *s, struct errmsg *e);
/* The host key preference list for what known_hosts holds, or NULL. */
char *ssh_hostkey_prefs(const struct ssh_opts *o);

/* ssh_algo.c */
int ssh_algo_set_prefs(LIBSSH2_SESSION *ls, const char *hostkey_pref,
    struct errmsg *e);
void ssh_algo_describe(LIBSSH2_SESSION *ls, char *buf, size_t len);
void ssh_algo_explain(LIBSSH2_SESSION *ls, int rc, const char *label,
    struct errmsg *e);

/* ssh_channel.c: one pass over the channels; returns 1 if anything moved. */
int ssh_channel_pump_all(struct ssh_session *s);
void ssh_channel_kill_all(struct ssh_session *s, const struct errmsg *e);
void ssh_channel_destroy(struct ssh_channel *c);
void ssh_channel_reap(struct ssh_session *s);
void ssh_channel_unqueue(struct ssh_channel *c);
int ssh_channel_probe(struct ssh_session *s);
struct ssh_channel *ssh_channel_adopt(struct ssh_session *s,
    LIBSSH2_CHANNEL *ch);

/* ssh_forward.c */
int ssh_forward_pump(struct ssh_session *s);
void ssh_forward_kill_all(struct ssh_session *s, const struct errmsg *e);
void ssh_forward_destroy_all(struct ssh_session *s);

#endif
