/*
 * tls.h: wrap a connected socket in TLS, verified as a browser would.
 * SPDX-License-Identifier: MIT
 *
 * For SSH behind stunnel, sslh or haproxy: the TLS session runs on the
 * event loop (libevent's bufferevent_openssl) and the caller gets a plain
 * socket, one end of a socketpair, that carries the decrypted stream.  The
 * certificate is checked against the system's CAs (plus --cacert) and the
 * host name (or --sni's), with SNI set, unless verification is turned off.
 */
#ifndef HOPKIT_TLS_H
#define HOPKIT_TLS_H

#include "errmsg.h"

struct event_base;
struct tls_tunnel;

struct tls_opts {
	const char *sni;	/* name sent and checked; NULL: the host */
	const char *cafile;	/* an extra CA bundle (PEM), or NULL */
	const char *alpn;	/* comma-separated protocols, or NULL */
	int insecure;		/* do not verify the certificate */
	double timeout;		/* for the handshake, seconds; 0: none */
};

/*
 * Called once.  On success plain_fd is the decrypted stream (the callee
 * owns it) and e is NULL; on failure plain_fd is -1 and e says why.  The
 * tunnel stays alive, pumping, until tls_tunnel_free().
 */
typedef void (*tls_cb)(int plain_fd, const struct errmsg *e, void *arg);

/* Start TLS on the connected socket fd (taken over) to host.  A bad
 * --cacert or --alpn calls cb with the error before this returns. */
struct tls_tunnel *tls_tunnel_start(struct event_base *base, int fd,
    const char *host, const struct tls_opts *opts, tls_cb cb, void *arg);

/* The error that ended an established tunnel (NULL if none). */
const struct errmsg *tls_tunnel_error(const struct tls_tunnel *t);

/* Stop and free; closes the TLS socket.  Safe on NULL. */
void tls_tunnel_free(struct tls_tunnel *t);

#endif
