/*
 * ssh.h: an SSH client session (libssh2) driven by the libevent loop, and
 * the direct-tcpip channels it carries.
 * SPDX-License-Identifier: MIT
 *
 * A session runs over one connected socket (a TCP connection, one end of a
 * socketpair to a ProxyCommand, or the local end of another session's
 * channel).  It does the key exchange, checks the host key against the
 * known_hosts files as ssh does, authenticates with the agent and then the
 * identity files, and notices a dead server with ServerAlive-style probes.
 *
 * Each channel is bridged to a socket: bytes from the socket go into the
 * channel while the server's window and the session's send buffer allow,
 * bytes from the channel go to the socket while it takes them.  A slow
 * reader on either side stops the other (backpressure); memory per channel
 * is bounded by the SSH window plus one buffer.  EOF becomes shutdown(SHUT_WR)
 * and the other way round.  Many channels may run at once; opens are queued
 * and made one at a time, as libssh2 requires.
 */
#ifndef HOPKIT_SSH_H
#define HOPKIT_SSH_H

#include <stddef.h>
#include <stdint.h>

#include "errmsg.h"

struct event_base;
struct ssh_session;
struct ssh_channel;

enum ssh_strict {
	SSH_STRICT_YES = 0,	/* unknown keys are refused (the default) */
	SSH_STRICT_ACCEPT_NEW,	/* unknown keys are recorded */
	SSH_STRICT_NO,		/* unknown keys are recorded, with a warning */
};

/* What went wrong before the session was ready, for the tool's exit. */
enum ssh_fail {
	SSH_FAIL_CONNECT = 1,	/* the connection broke or closed */
	SSH_FAIL_HOSTKEY,	/* the host key was refused */
	SSH_FAIL_AUTH,		/* no authentication method worked */
	SSH_FAIL_PROTOCOL,	/* key exchange, algorithms, or a timeout */
};

struct ssh_opts {
	const char *label;	/* the host as the user named it, for messages */
	const char *host;	/* the server's name (HostName), for known_hosts */
	uint16_t port;		/* the server's port, for known_hosts */
	const char *hostkey_alias;	/* HostKeyAlias, or NULL */
	const char *user;
	const char *const *identity_files;	/* expanded paths */
	size_t n_identity_files;
	int identities_only;	/* use only agent keys named by a file */
	const char *agent_sock;	/* NULL: no agent */
	const char *const *known_hosts;	/* user files first, then global */
	size_t n_known_hosts;
	size_t n_user_known_hosts;	/* how many of those are the user's */
	enum ssh_strict strict;
	int hash_known_hosts;	/* record new keys hashed */
	int alive_interval;	/* seconds; 0: no probes */
	int alive_count;	/* unanswered probes before giving up */
	double timeout;		/* key exchange + authentication; 0: none */
	const char *hostkey_algorithms;	/* offer only these ("a,b"), or
					   NULL for the usual list */
	const char *const *hostkey_pins;	/* "SHA256:..." fingerprints: the
					   key must be one of them; known_hosts
					   is then not read (tunnelcheck) */
	size_t n_hostkey_pins;
	int no_auth;		/* ready once the host key is checked: key
				   exchange only, no login (tunnelcheck) */
	int no_prompt;		/* never run SSH_ASKPASS: an encrypted key
				   is skipped (tunnelcheck: nobody answers,
				   and it must keep to its -t) */
	const unsigned char *early;	/* bytes already read from fd (a */
	size_t early_len;		/* proxy's reply came with them) */
};

/*
 * Called once: when the session is ready (e NULL), or when it failed
 * before that (fail says how).  After a failure the session is inert and
 * must be freed.
 */
typedef void (*ssh_ready_cb)(struct ssh_session *s, const struct errmsg *e,
    enum ssh_fail fail, void *arg);

/* Called once if a ready session is lost: the server went away, stopped
 * answering probes, or broke the protocol.  Channels and listeners still
 * held end (their callbacks run) after this returns. */
typedef void (*ssh_lost_cb)(struct ssh_session *s, const struct errmsg *e,
    void *arg);

/* Start a session over the connected socket fd (taken over).  opts and
 * what it points to are copied. */
struct ssh_session *ssh_session_start(struct event_base *base, int fd,
    const struct ssh_opts *opts, ssh_ready_cb ready, ssh_lost_cb lost,
    void *arg);

/* Close channels, disconnect and free; safe on NULL and from callbacks. */
void ssh_session_free(struct ssh_session *s);

/* The negotiated algorithms, "kex K, host key H, cipher C, mac M". */
const char *ssh_session_algorithms(const struct ssh_session *s);

/* The server's host key as "TYPE SHA256:...", once the key exchange is
 * done ("" before). */
const char *ssh_session_hostkey(const struct ssh_session *s);

/* When (clock_now()) the key exchange and host key check were done; 0
 * before. */
double ssh_session_kex_done(const struct ssh_session *s);

/* How many channels are open or being opened. */
size_t ssh_session_channels(const struct ssh_session *s);

/* Byte counts of one channel direction. */
enum ssh_dir {
	SSH_DIR_OUT = 0,	/* socket -> server */
	SSH_DIR_IN = 1,		/* server -> socket */
};

/* Called once when the open succeeded (e NULL) or failed.  On failure
 * the socket has been closed and the channel must be freed. */
typedef void (*ssh_open_cb)(struct ssh_channel *c, const struct errmsg *e,
    void *arg);

/* Called once when both directions are done or the channel broke (e
 * non-NULL); the socket has been closed. */
typedef void (*ssh_done_cb)(struct ssh_channel *c, const struct errmsg *e,
    void *arg);

/*
 * Open a direct-tcpip channel to host:port and bridge it to the socket fd
 * (taken over; non-blocking is set).  orig_host/orig_port name the
 * originator, as ssh sends them.  timeout bounds the open (0: none).
 */
struct ssh_channel *ssh_channel_direct(struct ssh_session *s,
    const char *host, uint16_t port, const char *orig_host,
    uint16_t orig_port, int fd, double timeout, ssh_open_cb opened,
    ssh_done_cb done, void *arg);

/* Bytes already read from the socket (a SOCKS client's data sent right
 * behind its request) go into the channel before anything else; at most
 * SSH_PRELOAD_MAX of them.  Call right after ssh_channel_direct(). */
#define SSH_PRELOAD_MAX 4096
void ssh_channel_preload(struct ssh_channel *c, const void *buf, size_t len);

/* Stop caring about the channel: the callbacks are not called any more,
 * the socket is closed, the channel is closed in the background.  Safe
 * on NULL and from callbacks. */
void ssh_channel_free(struct ssh_channel *c);

/* Bytes moved so far in one direction. */
uint64_t ssh_channel_bytes(const struct ssh_channel *c, enum ssh_dir dir);

/* Attach the socket fd (taken over) to a channel the server opened (a
 * forwarded connection, see ssh_forward_listen) and start bridging; done
 * is called when the channel ends, as for ssh_channel_direct. */
void ssh_channel_attach(struct ssh_channel *c, int fd, ssh_done_cb done,
    void *arg);

/* Remote forwards (ssh -R). */
struct ssh_listener;

/* The server listens (e NULL; ssh_listener_port says where), refused
 * (e says why: EADDRINUSE when the port is taken), or the session ended. */
typedef void (*ssh_listen_cb)(struct ssh_listener *l, const struct errmsg *e,
    void *arg);

/* A connection to the server's port: the callee attaches a socket to c or
 * frees it (which closes the channel). */
typedef void (*ssh_accept_cb)(struct ssh_listener *l, struct ssh_channel *c,
    void *arg);

/* Ask the server to listen on host:port ("" for its default address;
 * port 0: the server picks) and forward connections to us. */
struct ssh_listener *ssh_forward_listen(struct ssh_session *s,
    const char *host, uint16_t port, ssh_listen_cb status,
    ssh_accept_cb accept, void *arg);

/* Cancel the forward; callbacks stop.  Safe on NULL and from callbacks,
 * but not after the session was freed (it frees its listeners). */
void ssh_listener_free(struct ssh_listener *l);

/* The port the server listens on (the allocated one for port 0), or 0
 * while it does not. */
int ssh_listener_port(const struct ssh_listener *l);

#endif
