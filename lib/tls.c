/*
 * tls.c: a TLS client session on the loop, bridged to a plain socketpair;
 * see tls.h.
 * SPDX-License-Identifier: MIT
 *
 * Two bufferevents cross-wired as in libevent's sample/le-proxy.c: the TLS
 * one on the server's socket, and a plain one on our end of a socketpair.
 * Each stops reading while the other's output holds more than TLS_HIGH
 * bytes (backpressure); when the TLS side ends, what is buffered is
 * flushed and the plain side is shut down for writing, so the relay on the
 * other end of the pair sees EOF.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "clock.h"
#include "endpoint.h"
#include "log.h"
#include "tls.h"
#include "xmalloc.h"

#define TLS_HIGH (256 * 1024)	/* most bytes buffered one way */

struct tls_tunnel {
	struct event_base *base;
	SSL_CTX *ctx;
	struct bufferevent *tls;	/* the server's socket */
	struct bufferevent *plain;	/* our end of the socketpair */
	struct event *timer;		/* handshake deadline */
	char *host;
	tls_cb cb;
	void *arg;
	int connected;
	int tls_done;			/* the TLS side has ended */
	int plain_eof;			/* our side is done sending */
	int notified;			/* close_notify sent */
	struct errmsg err;
	int have_err;
};

/* The most telling reason for a failed handshake or session. */
static void
tls_explain(struct tls_tunnel *t, const char *what)
{
	char ebuf[256];
	unsigned long e;
	SSL *ssl = bufferevent_openssl_get_ssl(t->tls);
	long vr = ssl != NULL ? SSL_get_verify_result(ssl) : X509_V_OK;

	if (!t->connected && vr != X509_V_OK) {
		errmsg_set(&t->err, EPROTO, "%s %s: certificate verify failed: %s%s",
		    what, t->host, X509_verify_cert_error_string(vr),
		    " (--cacert FILE adds a CA; --insecure skips the check)");
		t->have_err = 1;
		return;
	}
	e = bufferevent_get_openssl_error(t->tls);
	if (e != 0) {
		ERR_error_string_n(e, ebuf, sizeof(ebuf));
		errmsg_set(&t->err, EPROTO, "%s %s: %s", what, t->host, ebuf);
	} else if (errno != 0 && !t->connected) {
		errmsg_sys(&t->err, errno, "%s %s", what, t->host);
	} else {
		errmsg_set(&t->err, EPROTO, "%s %s: connection closed", what,
		    t->host);
	}
	t->have_err = 1;
}

/* Move what src read into dst's output; stop src while dst is full. */
static void
tls_pass(struct bufferevent *src, struct bufferevent *dst)
{
	struct evbuffer *out = bufferevent_get_output(dst);

	evbuffer_add_buffer(out, bufferevent_get_input(src));
	if (evbuffer_get_length(out) >= TLS_HIGH) {
		bufferevent_disable(src, EV_READ);
		bufferevent_setwatermark(dst, EV_WRITE, TLS_HIGH / 2, 0);
	}
}

static void
tls_read_cb(struct bufferevent *bev, void *arg)
{
	struct tls_tunnel *t = arg;

	if (bev == t->tls)
		tls_pass(t->tls, t->plain);
	else if (!t->tls_done)
		tls_pass(t->plain, t->tls);
	else
		evbuffer_drain(bufferevent_get_input(bev), (size_t)-1);
}

/*
 * Our side is done sending and everything before it went out: send TLS's
 * close_notify, which the server takes as end of input, as it would take
 * a TCP half-close.  Reading goes on until the server ends too.
 */
static void
tls_maybe_notify(struct tls_tunnel *t)
{
	SSL *ssl = bufferevent_openssl_get_ssl(t->tls);

	if (!t->plain_eof || t->notified || t->tls_done ||
	    evbuffer_get_length(bufferevent_get_output(t->tls)) > 0)
		return;
	t->notified = 1;
	(void)SSL_shutdown(ssl);
	log_debug("TLS with %s: sent close_notify", t->host);
}

/* dst drained below its watermark: let its source read again; once the
 * TLS side has ended and the plain side is flushed, pass the EOF on. */
static void
tls_write_cb(struct bufferevent *bev, void *arg)
{
	struct tls_tunnel *t = arg;
	struct bufferevent *src = bev == t->plain ? t->tls : t->plain;

	bufferevent_setwatermark(bev, EV_WRITE, 0, 0);
	if (bev == t->tls)
		tls_maybe_notify(t);
	if (bev == t->plain && t->tls_done) {
		if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
			shutdown(bufferevent_getfd(bev), SHUT_WR);
		return;
	}
	if (!(bev == t->tls && t->tls_done))
		bufferevent_enable(src, EV_READ);
}

static void
tls_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct tls_tunnel *t = arg;
	int sp[2];

	if (bev == t->tls && (what & BEV_EVENT_CONNECTED)) {
		t->connected = 1;
		event_del(t->timer);
		log_debug("TLS with %s: %s, %s", t->host,
		    SSL_get_version(bufferevent_openssl_get_ssl(bev)),
		    SSL_get_cipher(bufferevent_openssl_get_ssl(bev)));
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    0, sp) == -1) {
			errmsg_sys(&t->err, errno, "TLS to %s: socketpair", t->host);
			t->cb(-1, &t->err, t->arg);
			return;
		}
		t->plain = bufferevent_socket_new(t->base, sp[1], BEV_OPT_CLOSE_ON_FREE);
		if (t->plain == NULL)
			abort();
		bufferevent_setcb(t->plain, tls_read_cb, tls_write_cb, tls_event_cb, t);
		bufferevent_enable(t->plain, EV_READ | EV_WRITE);
		bufferevent_enable(t->tls, EV_READ | EV_WRITE);
		t->cb(sp[0], NULL, t->arg);
		return;
	}
	if (!(what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)))
		return;
	if (bev == t->tls) {
		if (!t->connected) {
			tls_explain(t, "TLS handshake with");
			t->cb(-1, &t->err, t->arg);
			return;
		}
		if (what & BEV_EVENT_ERROR)
			tls_explain(t, "TLS session with");
		t->tls_done = 1;
		bufferevent_disable(t->tls, EV_READ | EV_WRITE);
		/* Flush what came before the end, then pass the EOF on. */
		tls_pass(t->tls, t->plain);
		if (evbuffer_get_length(bufferevent_get_output(t->plain)) == 0)
			shutdown(bufferevent_getfd(t->plain), SHUT_WR);
		return;
	}
	/* The plain side ended (our stdin is done): pass it on as
	 * close_notify once the rest is sent, and keep reading. */
	bufferevent_disable(t->plain, EV_READ);
	t->plain_eof = 1;
	tls_pass(t->plain, t->tls);
	tls_maybe_notify(t);
}

static void
tls_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct tls_tunnel *t = arg;

	(void)fd;
	(void)what;
	bufferevent_disable(t->tls, EV_READ | EV_WRITE);
	errmsg_set(&t->err, ETIMEDOUT, "TLS handshake with %s: no answer in time",
	    t->host);
	t->have_err = 1;
	t->cb(-1, &t->err, t->arg);
}

/* "h2,http/1.1" in ALPN's wire format (length-prefixed). */
static int
tls_alpn_wire(const char *list, unsigned char *out, size_t outlen, size_t *len)
{
	const char *p = list, *comma;
	size_t n, o = 0;

	while (*p != '\0') {
		comma = strchr(p, ',');
		n = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (n == 0 || n > 255 || o + 1 + n > outlen)
			return -1;
		out[o++] = (unsigned char)n;
		memcpy(out + o, p, n);
		o += n;
		p += n + (comma != NULL);
	}
	*len = o;
	return o > 0 ? 0 : -1;
}

struct tls_tunnel *
tls_tunnel_start(struct event_base *base, int fd, const char *host,
    const struct tls_opts *opts, tls_cb cb, void *arg)
{
	struct tls_tunnel *t = xcalloc(1, sizeof(*t));
	const char *name = opts->sni != NULL ? opts->sni : host;
	unsigned char alpn[512];
	size_t alpnlen;
	SSL *ssl;

	t->base = base;
	t->host = xstrdup(name);
	t->cb = cb;
	t->arg = arg;
	t->ctx = SSL_CTX_new(TLS_client_method());
	if (t->ctx == NULL)
		abort();
	SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION);
	/* SSH has its own integrity: a missing close_notify is only EOF. */
	SSL_CTX_set_options(t->ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
	if (!opts->insecure) {
		SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER, NULL);
		SSL_CTX_set_default_verify_paths(t->ctx);
		if (opts->cafile != NULL &&
		    SSL_CTX_load_verify_locations(t->ctx, opts->cafile, NULL) != 1) {
			errmsg_set(&t->err, EINVAL, "--cacert %s: not a readable PEM "
			    "certificate file", opts->cafile);
			goto fail;
		}
	}
	ssl = SSL_new(t->ctx);
	if (ssl == NULL)
		abort();
	if (!endpoint_is_numeric(name))
		SSL_set_tlsext_host_name(ssl, name);
	if (!opts->insecure) {
		if (endpoint_is_numeric(name))
			X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name);
		else
			SSL_set1_host(ssl, name);
	}
	if (opts->alpn != NULL) {
		if (tls_alpn_wire(opts->alpn, alpn, sizeof(alpn), &alpnlen) == -1) {
			SSL_free(ssl);
			errmsg_set(&t->err, EINVAL, "--alpn \"%s\": expected "
			    "comma-separated protocol names", opts->alpn);
			goto fail;
		}
		SSL_set_alpn_protos(ssl, alpn, (unsigned int)alpnlen);
	}
	/* libevent wants it non-blocking; a socketpair end from an inner
	 * tunnel (TLS in TLS) may not be. */
	evutil_make_socket_nonblocking(fd);
	t->tls = bufferevent_openssl_socket_new(base, fd, ssl,
	    BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
	if (t->tls == NULL)
		abort();
	bufferevent_openssl_set_allow_dirty_shutdown(t->tls, 1);
	bufferevent_setcb(t->tls, tls_read_cb, tls_write_cb, tls_event_cb, t);
	bufferevent_enable(t->tls, EV_READ | EV_WRITE);
	t->timer = evtimer_new(base, tls_timeout_cb, t);
	if (t->timer == NULL)
		abort();
	if (opts->timeout > 0) {
		struct timeval tv = clock_tv(opts->timeout);

		event_add(t->timer, &tv);
	}
	return t;
fail:
	close(fd);
	t->have_err = 1;
	cb(-1, &t->err, arg);
	return t;
}

const struct errmsg *
tls_tunnel_error(const struct tls_tunnel *t)
{
	return t != NULL && t->connected && t->have_err ? &t->err : NULL;
}

void
tls_tunnel_free(struct tls_tunnel *t)
{
	if (t == NULL)
		return;
	if (t->timer != NULL)
		event_free(t->timer);
	if (t->plain != NULL)
		bufferevent_free(t->plain);
	if (t->tls != NULL)
		bufferevent_free(t->tls);
	SSL_CTX_free(t->ctx);
	free(t->host);
	free(t);
}
