/*
 * probe.h: one check of one path, timed phase by phase (tunnelcheck).
 * SPDX-License-Identifier: MIT
 *
 * The path is a TCP connection to HOST PORT, directly, through a proxy
 * (lib/hop) or through SSH jump hosts (lib/jump).  Over it the probe
 * optionally reads the SSH identification, does the key exchange (with
 * the host key pinned, or checked against known_hosts), logs in, or sends
 * a string and reads the answer.  Every phase is timed on the monotonic
 * clock.  The probe reports what happened; whether that is OK, WARNING or
 * CRITICAL is for lib/check.c to judge.  One timer bounds the whole
 * probe: whatever phase it cuts short is the one that timed out.
 */
#ifndef HOPKIT_PROBE_H
#define HOPKIT_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "errmsg.h"
#include "hop.h"
#include "jump.h"
#include "ssh.h"
#include "sshident.h"

struct event_base;
struct probe;

enum probe_phase {
	PROBE_RESOLVE = 0,	/* the host's (or the proxy's) addresses */
	PROBE_CONNECT,		/* TCP connect to it */
	PROBE_HOP,		/* the proxy's handshake, or the jump hosts */
	PROBE_BANNER,		/* the SSH identification line */
	PROBE_KEX,		/* key exchange and host key check */
	PROBE_AUTH,		/* authentication */
	PROBE_EXPECT,		/* --send, and reading for --expect */
	PROBE_TOTAL,		/* all of it */
	PROBE_NPHASES
};

/* "resolve", "connect", ... "total". */
const char *probe_phase_name(enum probe_phase p);

enum probe_fail {
	PROBE_OK = 0,
	PROBE_FAIL_CONNECT,	/* unreachable, reset, closed early; a proxy
				   or jump host that could not connect */
	PROBE_FAIL_REFUSED,	/* the host refused the TCP connection */
	PROBE_FAIL_TIMEOUT,	/* the timer ran out (see at) */
	PROBE_FAIL_PROXY,	/* a proxy or jump host said no, or broke
				   its protocol */
	PROBE_FAIL_NOT_SSH,	/* no SSH identification */
	PROBE_FAIL_PROTOCOL,	/* the SSH key exchange failed */
	PROBE_FAIL_HOSTKEY,	/* the host key was not accepted */
	PROBE_FAIL_AUTH,	/* no authentication method worked */
	PROBE_FAIL_CONFIG,	/* ssh_config could not be read */
};

#define PROBE_EXPECT_MAX 32	/* --expect strings */

struct probe_opts {
	const char *host;
	uint16_t port;
	double timeout;		/* the whole probe, seconds (> 0) */
	const struct hop_opts *hop;	/* family and proxy; not NULL */
	const struct jump_opts *jump;	/* -J, or NULL */
	int banner;		/* read the SSH identification */
	int kex;		/* and do the key exchange (implies banner) */
	int login;		/* and log in (implies kex) */
	const struct ssh_opts *ssh;	/* for kex and login: host key and
					   authentication settings */
	const char *send;	/* sent once the path is up, or NULL */
	size_t send_len;
	const char *const *expect;	/* read until these are seen */
	size_t nexpect;
	int expect_all;		/* every one, not just one of them */
	size_t maxbytes;	/* stop reading after this many (> 0) */
	double expect_timeout;	/* reading; 0: until the timer */
};

/* How reading for --expect ended. */
enum probe_read_end {
	PROBE_READ_MATCHED = 0,	/* what was expected was seen */
	PROBE_READ_EOF,		/* the server closed the connection */
	PROBE_READ_FULL,	/* maxbytes read */
	PROBE_READ_TIMEOUT,	/* the time for it ran out */
};

struct probe_result {
	enum probe_fail fail;
	struct errmsg err;	/* with fail */
	enum probe_phase at;	/* the phase that failed */
	double phase[PROBE_NPHASES];	/* seconds; < 0: not run */
	struct sshident ident;	/* with banner */
	char hostkey[128];	/* "TYPE SHA256:...", with kex */
	char algorithms[256];	/* with kex */
	const char *user;	/* logged in as, with login */
	size_t received;	/* bytes read for --expect */
	char excerpt[80];	/* their start, printable */
	uint32_t matched;	/* bit i: expect[i] was seen */
	enum probe_read_end read_end;
};

/* Called once, from the loop, with the result; then free the probe. */
typedef void (*probe_cb)(const struct probe_result *r, void *arg);

/* Start; opts and what it points to must stay valid until probe_free(). */
struct probe *probe_start(struct event_base *base,
    const struct probe_opts *opts, probe_cb cb, void *arg);

/* Stop and free everything.  Safe on NULL. */
void probe_free(struct probe *p);

#endif
