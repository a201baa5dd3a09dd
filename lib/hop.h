/*
 * hop.h: one hop to HOST PORT: direct, or through an HTTP CONNECT or SOCKS
 * proxy.
 * SPDX-License-Identifier: MIT
 *
 * A hop resolves and connects (lib/dial), then speaks the proxy's
 * handshake over the socket without blocking, and hands the caller a
 * socket that is a clean byte stream to HOST PORT.  Bytes the proxy sent
 * after its reply (the start of the tunnel stream, such as an SSH banner in
 * the same packet as "200 Connection established") come with it: none are
 * lost.  With opts.peek they are not even read: replies are read with
 * MSG_PEEK and only their own bytes are taken from the socket, so that a
 * process the socket is passed to (ssh, with --fdpass) finds the tunnel's
 * first bytes in it.  One timeout bounds the whole setup.
 */
#ifndef HOPKIT_HOP_H
#define HOPKIT_HOP_H

#include <stddef.h>
#include <stdint.h>

#include "errmsg.h"
#include "proxy_url.h"
#include "tls.h"

struct event_base;
struct hop;

/* What went wrong, for the tool's exit status. */
enum hop_fail {
	HOP_FAIL_CONNECT = 1,	/* resolve or connect (to the proxy or the host) */
	HOP_FAIL_REFUSED,	/* the proxy said no, or refused the credentials */
	HOP_FAIL_PROTOCOL,	/* the proxy broke the protocol, or timed out */
};

/* When the hop reached each step (clock_now()); 0 if it did not. */
struct hop_times {
	double resolved;	/* the proxy's (or the host's) addresses known */
	double connected;	/* TCP connected to the proxy (or the host) */
};

struct hop_opts {
	int family;			/* AF_UNSPEC, AF_INET, AF_INET6 */
	double timeout;			/* the whole setup, seconds; 0: none */
	const struct proxy_url *proxy;	/* NULL: direct */
	const char *user, *pass;	/* proxy credentials, or NULL */
	struct tls_opts proxy_tls;	/* https:// proxies: how to check it */
	int peek;			/* leave the tunnel's first bytes in the
					   socket (early_len is then always 0) */
	struct hop_times *times;	/* filled in as the hop goes, if not
					   NULL */
};

/*
 * Called once.  On success fd is the connected socket (the callee owns it)
 * and early/early_len are tunnel bytes already read from it, to be passed
 * on before anything else.  Through an https:// proxy, fd is the plain end
 * of the TLS session to the proxy, and tunnel (else NULL) is that session,
 * which the callee owns and must keep until it is done with fd.  On
 * failure fd is -1, e says why in one line and fail says which kind of
 * failure it was.  The hop is freed afterwards.
 */
typedef void (*hop_cb)(int fd, const unsigned char *early, size_t early_len,
    struct tls_tunnel *tunnel, const struct errmsg *e, enum hop_fail fail,
    void *arg);

/* Start the hop; the callback always runs later, from the loop.  opts and
 * what it points to must stay valid until then. */
struct hop *hop_start(struct event_base *base, const char *host, uint16_t port,
    const struct hop_opts *opts, hop_cb cb, void *arg);

/* Stop; the callback is not called.  Safe on NULL. */
void hop_cancel(struct hop *h);

#endif
