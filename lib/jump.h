/*
 * jump.h: reach HOST PORT through one or more SSH jump hosts, as
 * "ssh -W HOST:PORT -J jump1,jump2" does, in one process.
 * SPDX-License-Identifier: MIT
 *
 * Each jump host's settings come from ssh_config (lib/sshconf: ssh -G).
 * The first one is reached over its ssh_config ProxyCommand, or its own
 * ProxyJump chain, or else directly (or through the caller's proxy hop);
 * every later one over a direct-tcpip channel of the one before.  The
 * caller gets a socket that carries the stream to HOST PORT.
 */
#ifndef HOPKIT_JUMP_H
#define HOPKIT_JUMP_H

#include <stddef.h>
#include <stdint.h>

#include "errmsg.h"
#include "hop.h"

struct event_base;
struct jump;

/* What went wrong, for the tool's exit status. */
enum jump_fail {
	JUMP_FAIL_CONNECT = 1,	/* resolve/connect, lost connection, or a
				   channel the server could not connect */
	JUMP_FAIL_REFUSED,	/* authentication failed, or the server
				   refused the channel */
	JUMP_FAIL_PROTOCOL,	/* SSH protocol, algorithms, or timeout */
	JUMP_FAIL_HOSTKEY,	/* a host key was not accepted */
	JUMP_FAIL_CONFIG,	/* ssh_config could not be read */
};

struct jump_opts {
	const char *spec;	/* "[user@]host[:port][,...]", as ssh -J */
	const char *config;	/* -F file, or NULL */
	const char *const *options;	/* -o Key=Value for ssh_config */
	size_t noptions;
	int family;		/* AF_UNSPEC, AF_INET, AF_INET6 */
	double timeout;		/* the whole setup, seconds; 0: none */
	const struct hop_opts *first;	/* proxy to reach the first jump
					   host, or NULL */
	int proxy_stderr;	/* a ProxyCommand's stderr goes to this fd
				   when > 0 (0: to ours) */
	int no_prompt;		/* never ask for a passphrase (ssh_opts) */
	/* jump_session() only: what the command line says of the
	 * destination alone (ssh's -o, -p, -l, -i, -J apply to it, not to
	 * its jump hosts). */
	const char *const *dest_options;	/* -o Key=Value */
	size_t ndest_options;
	int dest_port;		/* -p, or 0 */
	const char *dest_user;	/* -l, or NULL */
};

/* Called once: fd carries the stream (the callee owns it), or fd is -1
 * and e and fail say what went wrong. */
typedef void (*jump_cb)(int fd, const struct errmsg *e, enum jump_fail fail,
    void *arg);

/* Called at most once after success, when a jump host's session is lost
 * (dead server, keepalive timeout, protocol error). */
typedef void (*jump_lost_cb)(const struct errmsg *e, void *arg);

/* Start; the callback always runs from the loop.  opts and what it
 * points to must stay valid until jump_free(). */
struct jump *jump_start(struct event_base *base, const char *host,
    uint16_t port, const struct jump_opts *opts, jump_cb cb,
    jump_lost_cb lost, void *arg);

/*
 * The owner is done with the stream and closed its socket: call cb once
 * the channel has carried what was left in it to the server (or failed),
 * so that jump_free() loses nothing.  cb runs from the loop.
 */
void jump_drain(struct jump *j, void (*cb)(void *arg), void *arg);

struct ssh_session;
struct sshconf;

/* jump_session's callback: s is the ready session to the destination
 * (owned by the jump: freed by jump_free) and cfg its ssh_config, or s is
 * NULL and e and fail say what went wrong. */
typedef void (*jump_session_cb)(struct ssh_session *s,
    const struct sshconf *cfg, const struct errmsg *e, enum jump_fail fail,
    void *arg);

/*
 * Log in to dest ("[user@]host[:port]") itself, through its ProxyJump
 * chain (opts->dest_options may carry one) or ProxyCommand, and hand over
 * the session.  opts->spec is not used.  lost is called at most once if
 * any session of the chain is lost afterwards.
 */
struct jump *jump_session(struct event_base *base, const char *dest,
    const struct jump_opts *opts, jump_session_cb cb, jump_lost_cb lost,
    void *arg);

/* The destination's ssh_config as jump_session() would read it (cfg
 * initialised by the caller; sshconf_free() it).  Returns 0 or -1. */
int jump_config(const char *dest, const struct jump_opts *opts,
    struct sshconf *cfg, struct errmsg *e);

/* Whether the first host answered: its TCP connection (or proxy) was
 * set up, or its ProxyCommand spoke SSH.  A failure before that is the
 * network's, not the server's. */
int jump_reached(const struct jump *j);

/* Tear everything down (sessions, channels, ProxyCommand children). */
void jump_free(struct jump *j);

/* The algorithms negotiated with the last jump host, for -v. */
const char *jump_algorithms(const struct jump *j);

#endif
