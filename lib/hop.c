/*
 * hop.c: connect directly or through one proxy; see hop.h.
 * SPDX-License-Identifier: MIT
 *
 * The states, in order: resolve the target locally (socks4://, socks5://
 * only), dial the proxy, then one request/reply exchange per protocol step
 * (HTTP: CONNECT; SOCKS4: request; SOCKS5: greeting, login, CONNECT).  The
 * protocol code is pure (proxy_http.c, proxy_socks.c); this file only moves
 * the bytes.  An HTTP 407 is answered with the strongest scheme the proxy
 * offers (Digest, else Basic): on the same connection when the proxy keeps
 * it (the 407's body, of known length, is skipped first), else on a fresh
 * one; no credentials are sent before the proxy asks for them.
 *
 * Replies are read into in[].  With opts.peek (--fdpass) a read only peeks
 * (MSG_PEEK); once a parser has said how long the reply is, exactly that
 * many bytes are taken from the socket, and while a reply is still
 * incomplete every byte peeked so far is part of it and is taken at once
 * (so the socket never stays readable with bytes already seen, which would
 * spin the loop).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/rand.h>

#include "clock.h"
#include "dial.h"
#include "endpoint.h"
#include "fdio.h"
#include "hop.h"
#include "log.h"
#include "proxy_http.h"
#include "proxy_socks.h"
#include "resolve.h"
#include "xmalloc.h"

#define HOP_IN_MAX (PROXY_HTTP_MAX_HEADERS + 4096)
#define HOP_PROGRESS_SECS 2.0	/* -v: a line this often while waiting */

enum hop_state {
	HOP_RESOLVE,		/* the target's address, for socks4/socks5 */
	HOP_DIAL,		/* connecting to the proxy or the target */
	HOP_TLS,		/* TLS with an https:// proxy */
	HOP_HTTP,		/* CONNECT sent, reading the reply */
	HOP_HTTP_BODY,		/* skipping the body of a 407 on a kept
				   connection */
	HOP_SOCKS4,
	HOP_SOCKS5_METHOD,
	HOP_SOCKS5_AUTH,
	HOP_SOCKS5_CONNECT,
	HOP_DONE,
};

struct hop {
	struct event_base *base;
	char *host;			/* the target, as given */
	uint16_t port;
	char target[ENDPOINT_HOST_MAX];	/* what the proxy is asked for */
	char proxy_name[ENDPOINT_HOST_MAX + 8]; /* "host:port" for messages */
	struct hop_opts opts;
	hop_cb cb;
	void *arg;

	enum hop_state state;
	struct resolve *resolve;
	struct dial *dial;
	int fd;
	struct tls_tunnel *tunnel;	/* https:// proxies */
	struct event *rev, *wev;	/* reading a reply, sending a request */
	struct event *timer;
	struct event *progress;	/* -v: "still waiting for ..." lines */
	double started;
	struct event *finish_ev;

	unsigned char out[2048];
	size_t outlen, outoff;
	unsigned char in[HOP_IN_MAX];
	size_t inlen;
	size_t peeked;			/* the last bytes of in[], still in the
					   socket (opts.peek) */

	int auth_round;			/* 407s answered so far */
	char auth[1536];		/* Proxy-Authorization value; wiped */
	long long skip;			/* HOP_HTTP_BODY: body bytes to go */
	int reused;			/* asking again on a kept connection */

	struct errmsg err;
	enum hop_fail fail;
	int result_fd;
};

static void hop_dial(struct hop *h);
static void hop_begin_handshake(struct hop *h);

static void
hop_free_events(struct hop *h)
{
	if (h->rev != NULL)
		event_free(h->rev);
	if (h->wev != NULL)
		event_free(h->wev);
	h->rev = h->wev = NULL;
}

static void
hop_close_fd(struct hop *h)
{
	hop_free_events(h);
	if (h->fd != -1) {
		close(h->fd);
		h->fd = -1;
	}
}

static void
hop_free(struct hop *h)
{
	resolve_cancel(h->resolve);
	dial_cancel(h->dial);
	hop_close_fd(h);
	tls_tunnel_free(h->tunnel);
	if (h->timer != NULL)
		event_free(h->timer);
	if (h->progress != NULL)
		event_free(h->progress);
	if (h->finish_ev != NULL)
		event_free(h->finish_ev);
	explicit_bzero(h->auth, sizeof(h->auth));
	explicit_bzero(h->out, sizeof(h->out));
	free(h->host);
	free(h);
}

/* Call back from the loop: in[] holds the tunnel bytes read early. */
static void
hop_finish_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hop *h = arg;
	struct tls_tunnel *tunnel = h->tunnel;

	(void)fd;
	(void)what;
	if (h->result_fd == -1) {
		h->cb(-1, NULL, 0, NULL, &h->err, h->fail, h->arg);
	} else {
		h->tunnel = NULL;	/* handed over */
		h->cb(h->result_fd, h->in, h->inlen, tunnel, NULL, 0, h->arg);
	}
	hop_free(h);
}

/* End the hop: with fd (the tunnel) or -1 (h->err and h->fail set). */
static void
hop_finish(struct hop *h, int fd)
{
	h->state = HOP_DONE;
	h->result_fd = fd;
	hop_free_events(h);
	if (fd != -1)
		h->fd = -1;	/* handed over */
	event_del(h->timer);
	if (h->progress != NULL)
		event_del(h->progress);
	event_active(h->finish_ev, 0, 0);
}

static void __attribute__((format(printf, 3, 4)))
hop_fail(struct hop *h, enum hop_fail fail, const char *fmt, ...)
{
	va_list ap;

	h->fail = fail;
	va_start(ap, fmt);
	vsnprintf(h->err.text, sizeof(h->err.text), fmt, ap);
	va_end(ap);
	h->err.code = fail == HOP_FAIL_PROTOCOL ? EPROTO : 0;
	hop_close_fd(h);
	hop_finish(h, -1);
}

/* "db:22" or "[::1]:22" for messages. */
static const char *
hop_hostport(const char *host, uint16_t port, char *buf, size_t len)
{
	snprintf(buf, len, strchr(host, ':') != NULL ? "[%s]:%u" : "%s:%u", host,
	    (unsigned)port);
	return buf;
}

/* Queue bytes to send, then wait to write them. */
static void
hop_send(struct hop *h, const void *buf, size_t len)
{
	memcpy(h->out, buf, len);
	h->outlen = len;
	h->outoff = 0;
	event_del(h->rev);
	event_add(h->wev, NULL);
}

/*
 * Make sure the first n bytes of in[] are out of the socket: those of them
 * that were only peeked at are read now (they are there, so this does not
 * block); bytes after them stay in the socket.  Returns 0, or -1 when the
 * hop has failed.
 */
static int
hop_take(struct hop *h, size_t n)
{
	size_t taken = h->inlen - h->peeked;
	ssize_t r;

	while (taken < n) {
		r = recv(h->fd, h->in + taken, n - taken, 0);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			hop_fail(h, HOP_FAIL_PROTOCOL, "proxy %s: cannot read its "
			    "reply back: %s", h->proxy_name, r == 0 ?
			    "connection closed" : strerror(errno));
			return -1;
		}
		taken += (size_t)r;
		h->peeked -= (size_t)r;
	}
	return 0;
}

/* Take the first n bytes of in[] (a complete reply) out of the socket and
 * drop them.  Returns 0, or -1 when the hop has failed. */
static int
hop_consume(struct hop *h, size_t n)
{
	if (hop_take(h, n) == -1)
		return -1;
	memmove(h->in, h->in + n, h->inlen - n);
	h->inlen -= n;
	return 0;
}

/*
 * The first n bytes of in[] are the final reply: take them, and hand the
 * socket over.  What in[] holds after them are early tunnel bytes, unless
 * they were only peeked at: then they stay in the socket only.
 */
static void
hop_reply_done(struct hop *h, size_t n)
{
	if (hop_consume(h, n) == -1)
		return;
	h->inlen -= h->peeked;
	h->peeked = 0;
	hop_finish(h, h->fd);
}

/* Ask again on a fresh connection; h->auth holds the credentials. */
static void
hop_redial(struct hop *h)
{
	hop_close_fd(h);
	tls_tunnel_free(h->tunnel);
	h->tunnel = NULL;
	h->inlen = h->peeked = 0;
	h->skip = 0;
	h->reused = 0;
	hop_dial(h);
}

/* Ask again on this connection, once the 407's body has been skipped. */
static void
hop_reask(struct hop *h)
{
	log_debug("proxy %s keeps the connection: asking again on it",
	    h->proxy_name);
	h->reused = 1;
	hop_begin_handshake(h);
}

/* A SOCKS parser's message without its "SOCKS5 proxy: " prefix. */
static const char *
hop_socks_reason(const char *msg)
{
	if (strncmp(msg, "SOCKS4 proxy: ", 14) == 0 ||
	    strncmp(msg, "SOCKS5 proxy: ", 14) == 0)
		return msg + 14;
	return msg;
}

/*
 * A SOCKS reply parser said no.  A well-formed "no" is a refusal; a reply
 * that is not SOCKS at all (EPROTO) is a protocol error.  For the answer
 * to CONNECT, hp names the target ("refused CONNECT to db:22: ...");
 * for the greeting and the login it is NULL.
 */
static void
hop_socks_fail(struct hop *h, const struct errmsg *e, const char *hp)
{
	enum hop_fail fail = e->code == EPROTO ? HOP_FAIL_PROTOCOL :
	    HOP_FAIL_REFUSED;

	if (hp != NULL) {
		hop_fail(h, fail, "proxy %s refused CONNECT to %s: %s",
		    h->proxy_name, hp, hop_socks_reason(e->text));
		/* The target itself refused: keep that apart (tunnelcheck's
		 * --refuse-state).  The callback runs later, from the loop. */
		if (e->code == ECONNREFUSED)
			h->err.code = ECONNREFUSED;
	} else if (h->state == HOP_SOCKS5_METHOD && e->code == EACCES &&
	    h->opts.user == NULL)
		/* It wants a login, and none was given: say how to give one. */
		hop_fail(h, fail, "proxy %s: %s; use --proxy-auth-file or "
		    "JUMPCAT_PROXY_USER and JUMPCAT_PROXY_PASSWORD",
		    h->proxy_name, e->text);
	else
		hop_fail(h, fail, "proxy %s: %s", h->proxy_name, e->text);
}

/* Send the first message of the proxy's protocol. */
static void
hop_begin_handshake(struct hop *h)
{
	unsigned char buf[sizeof(h->out)];
	struct errmsg e;
	int n = -1;

	switch (h->opts.proxy->scheme) {
	case PROXY_HTTP:
	case PROXY_HTTPS:
		h->state = HOP_HTTP;
		n = proxy_http_connect_request((char *)buf, sizeof(buf), h->target,
		    h->port, h->auth[0] != '\0' ? h->auth : NULL, &e);
		break;
	case PROXY_SOCKS4:
	case PROXY_SOCKS4A:
		h->state = HOP_SOCKS4;
		n = proxy_socks4_request(buf, sizeof(buf),
		    h->opts.proxy->scheme == PROXY_SOCKS4A, h->target, h->port,
		    h->opts.user, &e);
		break;
	case PROXY_SOCKS5:
	case PROXY_SOCKS5H:
		h->state = HOP_SOCKS5_METHOD;
		n = proxy_socks5_greeting(buf, sizeof(buf), h->opts.user != NULL);
		if (n < 0)
			errmsg_set(&e, EINVAL, "cannot build the SOCKS5 greeting");
		break;
	default:
		errmsg_set(&e, EINVAL, "proxy scheme %s is not supported here",
		    proxy_scheme_name(h->opts.proxy->scheme));
		break;
	}
	if (n < 0) {
		hop_fail(h, HOP_FAIL_PROTOCOL, "proxy %s: %s", h->proxy_name, e.text);
		return;
	}
	hop_send(h, buf, (size_t)n);
	explicit_bzero(buf, sizeof(buf));
}

/*
 * After a 407 whose header block has been taken from in[]: skip its body
 * and ask again on this connection when the proxy keeps it and the body's
 * length is known; else, or when more than the body came, on a new one.
 */
static void
hop_http_again(struct hop *h, const struct proxy_http_reply *rep)
{
	size_t n;

	if (rep->keep_alive && !rep->chunked && rep->content_length >= 0) {
		n = (unsigned long long)rep->content_length < h->inlen ?
		    (size_t)rep->content_length : h->inlen;
		if (hop_consume(h, n) == -1)
			return;
		h->skip = rep->content_length - (long long)n;
		if (h->inlen == 0 && h->skip > 0) {
			h->state = HOP_HTTP_BODY;
			return;
		}
		if (h->inlen == 0) {
			hop_reask(h);
			return;
		}
	}
	hop_redial(h);
}

/* The HTTP proxy asked for credentials (407): compute them, ask again. */
static void
hop_http_auth(struct hop *h, const struct proxy_http_reply *rep)
{
	struct proxy_http_digest dg;
	struct errmsg e;
	unsigned char raw[8];
	char cnonce[17], uri[ENDPOINT_HOST_MAX + 10], hp[ENDPOINT_HOST_MAX + 10];
	size_t i;
	int rc;

	hop_hostport(h->target, h->port, hp, sizeof(hp));
	if (h->opts.user == NULL) {
		hop_fail(h, HOP_FAIL_REFUSED, "proxy %s refused CONNECT to %s: %d %s "
		    "(it wants a user name and password: use --proxy-auth-file or "
		    "JUMPCAT_PROXY_USER and JUMPCAT_PROXY_PASSWORD)", h->proxy_name,
		    hp, rep->status, rep->reason);
		return;
	}
	if (h->auth_round > 0) {
		hop_fail(h, HOP_FAIL_REFUSED, "proxy %s refused CONNECT to %s: %d %s "
		    "(user name or password rejected)", h->proxy_name, hp,
		    rep->status, rep->reason);
		return;
	}
	h->auth_round++;
	if (rep->offers_digest) {
		if (proxy_http_digest_parse(rep->digest, &dg, &e) == -1) {
			hop_fail(h, HOP_FAIL_PROTOCOL, "proxy %s: %s", h->proxy_name,
			    e.text);
			return;
		}
		if (RAND_bytes(raw, sizeof(raw)) != 1) {
			hop_fail(h, HOP_FAIL_PROTOCOL, "no random bytes for Digest");
			return;
		}
		for (i = 0; i < sizeof(raw); i++)
			snprintf(cnonce + 2 * i, 3, "%02x", raw[i]);
		if (proxy_http_authority(uri, sizeof(uri), h->target, h->port, &e) == -1) {
			hop_fail(h, HOP_FAIL_PROTOCOL, "proxy %s: %s", h->proxy_name,
			    e.text);
			return;
		}
		rc = proxy_http_digest_response(&dg, h->opts.user,
		    h->opts.pass != NULL ? h->opts.pass : "", uri, cnonce, 1,
		    h->auth, sizeof(h->auth), &e);
		log_debug("proxy %s wants Digest (%s); answering", h->proxy_name,
		    dg.algorithm);
	} else {
		rc = proxy_http_basic(h->auth, sizeof(h->auth), h->opts.user,
		    h->opts.pass != NULL ? h->opts.pass : "", &e);
		log_debug("proxy %s wants Basic; answering", h->proxy_name);
	}
	if (rc == -1) {
		hop_fail(h, HOP_FAIL_PROTOCOL, "proxy %s: %s", h->proxy_name, e.text);
		return;
	}
	hop_http_again(h, rep);
}

/*
 * The HTTP proxy's reply to CONNECT.  Returns 1 when in[] holds only part
 * of it, else 0 (the hop went on, ended or failed).
 */
static int
hop_parse_http(struct hop *h, const char *hp)
{
	struct proxy_http_reply rep;
	struct errmsg e;
	int n;

	n = proxy_http_parse_reply((const char *)h->in, h->inlen, &rep, &e);
	if (n == 0)
		return 1;
	if (n < 0) {
		hop_fail(h, HOP_FAIL_PROTOCOL, "proxy %s: %s", h->proxy_name, e.text);
		return 0;
	}
	if (rep.status == 407) {
		if (hop_consume(h, rep.header_len) == 0)
			hop_http_auth(h, &rep);
		return 0;
	}
	if (rep.status == 401 && h->auth_round > 0) {
		/* tinyproxy's answer to a wrong password */
		hop_fail(h, HOP_FAIL_REFUSED, "proxy %s refused CONNECT to %s: "
		    "%d %s (user name or password rejected)", h->proxy_name, hp,
		    rep.status, rep.reason);
		return 0;
	}
	if (rep.status < 200 || rep.status > 299) {
		hop_fail(h, HOP_FAIL_REFUSED, "proxy %s refused CONNECT to %s: %d %s",
		    h->proxy_name, hp, rep.status, rep.reason);
		return 0;
	}
	log_debug("proxy %s: %d %s", h->proxy_name, rep.status, rep.reason);
	hop_reply_done(h, rep.header_len);
	return 0;
}

/* Skip the 407's body (reads are capped at what is left of it). */
static void
hop_skip_body(struct hop *h)
{
	size_t n = (unsigned long long)h->skip < h->inlen ? (size_t)h->skip :
	    h->inlen;

	if (hop_consume(h, n) == -1)
		return;
	h->skip -= (long long)n;
	if (h->skip == 0)
		hop_reask(h);
}

/* The SOCKS4 or SOCKS5 reply to CONNECT; returns as hop_parse_http(). */
static int
hop_parse_socks_final(struct hop *h, const char *hp)
{
	struct errmsg e;
	int n;

	if (h->state == HOP_SOCKS4)
		n = proxy_socks4_reply(h->in, h->inlen, &e);
	else
		n = proxy_socks5_connect_reply(h->in, h->inlen, &e);
	if (n == 0)
		return 1;
	if (n < 0)
		hop_socks_fail(h, &e, hp);
	else
		hop_reply_done(h, (size_t)n);
	return 0;
}

/*
 * The SOCKS5 method or login reply: on success send the next request
 * (login or CONNECT).  Returns as hop_parse_http().
 */
static int
hop_parse_socks5_step(struct hop *h)
{
	unsigned char buf[sizeof(h->out)];
	struct errmsg e;
	int n, method = PROXY_SOCKS5_METHOD_NONE;

	if (h->state == HOP_SOCKS5_METHOD)
		n = proxy_socks5_method_reply(h->in, h->inlen,
		    h->opts.user != NULL, &method, &e);
	else
		n = proxy_socks5_auth_reply(h->in, h->inlen, &e);
	if (n == 0)
		return 1;
	if (n < 0) {
		hop_socks_fail(h, &e, NULL);
		return 0;
	}
	if (hop_consume(h, (size_t)n) == -1)
		return 0;
	/* A proxy cannot answer a request it has not seen yet. */
	if (h->inlen > 0) {
		hop_fail(h, HOP_FAIL_PROTOCOL, "proxy %s sent %zu bytes before our "
		    "request", h->proxy_name, h->inlen);
		return 0;
	}
	if (method == PROXY_SOCKS5_METHOD_USERPASS) {
		h->state = HOP_SOCKS5_AUTH;
		n = proxy_socks5_auth_request(buf, sizeof(buf), h->opts.user,
		    h->opts.pass != NULL ? h->opts.pass : "", &e);
	} else {
		h->state = HOP_SOCKS5_CONNECT;
		n = proxy_socks5_connect_request(buf, sizeof(buf), h->target,
		    h->port, &e);
	}
	if (n < 0)
		hop_fail(h, HOP_FAIL_PROTOCOL, "proxy %s: %s", h->proxy_name, e.text);
	else
		hop_send(h, buf, (size_t)n);
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

/*
 * Try the bytes read so far against the current step's parser.  Returns 1
 * when they are all part of a reply that is not complete yet, else 0.
 */
static int
hop_parse(struct hop *h)
{
	char hp[ENDPOINT_HOST_MAX + 10];

	hop_hostport(h->target, h->port, hp, sizeof(hp));
	switch (h->state) {
	case HOP_HTTP:
		return hop_parse_http(h, hp);
	case HOP_HTTP_BODY:
		hop_skip_body(h);
		return 0;
	case HOP_SOCKS4:
	case HOP_SOCKS5_CONNECT:
		return hop_parse_socks_final(h, hp);
	case HOP_SOCKS5_METHOD:
	case HOP_SOCKS5_AUTH:
		return hop_parse_socks5_step(h);
	default:
		return 0;
	}
}

static void
hop_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hop *h = arg;
	ssize_t n;

	(void)what;
	n = send(fd, h->out + h->outoff, h->outlen - h->outoff, MSG_NOSIGNAL);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n == -1 && h->reused && (errno == EPIPE || errno == ECONNRESET)) {
		log_debug("proxy %s closed the connection it kept: asking on a "
		    "new one", h->proxy_name);
		hop_redial(h);
		return;
	}
	if (n == -1) {
		hop_fail(h, HOP_FAIL_PROTOCOL, "proxy %s: send: %s", h->proxy_name,
		    strerror(errno));
		return;
	}
	h->outoff += (size_t)n;
	if (h->outoff < h->outlen)
		return;
	explicit_bzero(h->out, h->outlen);
	event_del(h->wev);
	event_add(h->rev, NULL);
}

/*
 * Read what the proxy sent (with opts.peek: peek at it) and parse it.  An
 * incomplete reply's bytes are taken from the socket at once.
 */
static void
hop_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hop *h = arg;
	size_t room;
	ssize_t n;

	(void)what;
	h->inlen -= h->peeked;	/* still first in the socket: peeked again */
	h->peeked = 0;
	room = sizeof(h->in) - h->inlen;
	if (h->state == HOP_HTTP_BODY && (unsigned long long)h->skip < room)
		room = (size_t)h->skip;
	if (room == 0) {
		hop_fail(h, HOP_FAIL_PROTOCOL, "proxy %s: reply too long",
		    h->proxy_name);
		return;
	}
	n = recv(fd, h->in + h->inlen, room, h->opts.peek ? MSG_PEEK : 0);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if ((n == 0 || (n == -1 && errno == ECONNRESET)) &&
	    (h->state == HOP_HTTP_BODY || (h->reused && h->inlen == 0))) {
		log_debug("proxy %s closed the connection it kept: asking on a "
		    "new one", h->proxy_name);
		hop_redial(h);
		return;
	}
	if (n == -1) {
		hop_fail(h, HOP_FAIL_PROTOCOL, "proxy %s: %s", h->proxy_name,
		    strerror(errno));
		return;
	}
	if (n == 0) {
		hop_fail(h, HOP_FAIL_PROTOCOL, "proxy %s closed the connection %s",
		    h->proxy_name, h->inlen == 0 ? "without a reply" :
		    "in the middle of its reply");
		return;
	}
	h->inlen += (size_t)n;
	h->peeked = h->opts.peek ? (size_t)n : 0;
	if (hop_parse(h) == 1)
		(void)hop_take(h, h->inlen);
}

static void hop_talk(struct hop *h, int fd);

/* TLS with an https:// proxy is up (or failed). */
static void
hop_tls_cb(int plain_fd, const struct errmsg *e, void *arg)
{
	struct hop *h = arg;

	if (plain_fd == -1) {
		hop_fail(h, HOP_FAIL_PROTOCOL, "proxy %s: %s", h->proxy_name, e->text);
		return;
	}
	hop_talk(h, plain_fd);
}

static void
hop_dialed_cb(int fd, const struct sockaddr *addr, const struct errmsg *e,
    void *arg)
{
	struct hop *h = arg;

	(void)addr;
	h->dial = NULL;
	if (fd == -1) {
		h->err = *e;
		h->fail = HOP_FAIL_CONNECT;
		/* "connect to X port N: ..." becomes "connect to proxy X ...". */
		if (h->opts.proxy != NULL && strncmp(e->text, "connect to ", 11) == 0)
			snprintf(h->err.text, sizeof(h->err.text), "connect to proxy %s",
			    e->text + 11);
		hop_finish(h, -1);
		return;
	}
	fdio_set_nodelay(fd);
	if (h->opts.times != NULL)
		h->opts.times->connected = clock_now();
	if (h->opts.proxy == NULL) {
		hop_finish(h, fd);
		return;
	}
	if (h->opts.proxy->scheme == PROXY_HTTPS) {
		h->state = HOP_TLS;
		h->tunnel = tls_tunnel_start(h->base, fd, h->opts.proxy->host,
		    &h->opts.proxy_tls, hop_tls_cb, h);
		return;
	}
	hop_talk(h, fd);
}

/* Speak the proxy's protocol over fd (the socket, or TLS's plain end). */
static void
hop_talk(struct hop *h, int fd)
{
	h->fd = fd;
	h->rev = event_new(h->base, fd, EV_READ | EV_PERSIST, hop_read_cb, h);
	h->wev = event_new(h->base, fd, EV_WRITE | EV_PERSIST, hop_write_cb, h);
	if (h->rev == NULL || h->wev == NULL)
		abort();
	hop_begin_handshake(h);
}

/* Connect to the proxy, or to the target when there is none. */
static void
hop_dial(struct hop *h)
{
	struct dial_opts o = { .family = h->opts.family };

	if (h->opts.times != NULL)
		o.resolved_at = &h->opts.times->resolved;

	h->state = HOP_DIAL;
	if (h->opts.proxy != NULL)
		h->dial = dial_start(h->base, h->opts.proxy->host,
		    h->opts.proxy->port, &o, hop_dialed_cb, h);
	else
		h->dial = dial_start(h->base, h->host, h->port, &o, hop_dialed_cb, h);
}

/* socks4:// and socks5:// resolve the target here; socks4 needs IPv4. */
static void
hop_resolved_cb(struct addrinfo *ai, int gai_err, int sys_errno, void *arg)
{
	struct hop *h = arg;
	const struct addrinfo *p;

	h->resolve = NULL;
	if (gai_err != 0) {
		h->fail = HOP_FAIL_CONNECT;
		if (gai_err == EAI_SYSTEM)
			errmsg_sys(&h->err, sys_errno, "could not resolve hostname %s",
			    h->host);
		else
			errmsg_set(&h->err, EHOSTUNREACH,
			    "could not resolve hostname %s: %s", h->host,
			    gai_strerror(gai_err));
		hop_finish(h, -1);
		return;
	}
	for (p = ai; p != NULL; p = p->ai_next)
		if (p->ai_family == AF_INET || (p->ai_family == AF_INET6 &&
		    h->opts.proxy->scheme != PROXY_SOCKS4))
			break;
	if (p == NULL) {
		freeaddrinfo(ai);
		hop_fail(h, HOP_FAIL_CONNECT, "%s has no %saddress for %s",
		    h->host, h->opts.proxy->scheme == PROXY_SOCKS4 ? "IPv4 " : "",
		    proxy_scheme_name(h->opts.proxy->scheme));
		return;
	}
	dial_ntop(p->ai_addr, h->target, sizeof(h->target));
	freeaddrinfo(ai);
	log_debug("%s is %s; asking the proxy for that", h->host, h->target);
	hop_dial(h);
}

/* What the hop waits for from the proxy, for the timeout's message. */
static const char *
hop_waiting_for(struct hop *h, char *buf, size_t len)
{
	char hp[ENDPOINT_HOST_MAX + 10];

	hop_hostport(h->target, h->port, hp, sizeof(hp));
	switch (h->state) {
	case HOP_HTTP_BODY:
		return "end of the body of its 407 reply";
	case HOP_SOCKS4:
		snprintf(buf, len, "complete answer to SOCKS4 CONNECT to %s", hp);
		return buf;
	case HOP_SOCKS5_METHOD:
		return "answer to the SOCKS5 greeting";
	case HOP_SOCKS5_AUTH:
		return "answer to the SOCKS5 login";
	case HOP_SOCKS5_CONNECT:
		snprintf(buf, len, "complete answer to SOCKS5 CONNECT to %s", hp);
		return buf;
	default:
		snprintf(buf, len, "complete answer to CONNECT to %s%s", hp,
		    h->auth_round > 0 ? " (sent with credentials)" : "");
		return buf;
	}
}

/* With -v, every HOP_PROGRESS_SECS of a slow setup: what the hop is
 * still waiting for, and for how long (a slow proxy looks like a hang). */
static void
hop_progress_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hop *h = arg;
	char buf[ENDPOINT_HOST_MAX + 80];
	double secs = clock_now() - h->started;

	(void)fd;
	(void)what;
	switch (h->state) {
	case HOP_RESOLVE:
		log_info("still resolving %s after %.0f s", h->host, secs);
		break;
	case HOP_DIAL:
		log_info("still connecting to %s%s after %.0f s",
		    h->opts.proxy != NULL ? "proxy " : "",
		    h->opts.proxy != NULL ? h->proxy_name : h->host, secs);
		break;
	case HOP_TLS:
		log_info("still in the TLS handshake with proxy %s after %.0f s",
		    h->proxy_name, secs);
		break;
	case HOP_DONE:
		break;
	default:
		log_info("proxy %s: still waiting for its %s after %.0f s",
		    h->proxy_name, hop_waiting_for(h, buf, sizeof(buf)), secs);
	}
}

/* -w ran out: say in which step. */
static void
hop_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hop *h = arg;
	char what_buf[ENDPOINT_HOST_MAX + 80];

	(void)fd;
	(void)what;
	if (h->state == HOP_RESOLVE) {
		h->fail = HOP_FAIL_CONNECT;
		errmsg_set(&h->err, ETIMEDOUT, "could not resolve hostname %s: "
		    "timed out", h->host);
		resolve_cancel(h->resolve);
		h->resolve = NULL;
		hop_finish(h, -1);
		return;
	}
	if (h->state == HOP_DIAL) {
		h->fail = HOP_FAIL_CONNECT;
		errmsg_sys(&h->err, ETIMEDOUT, "connect to %s%s port %u",
		    h->opts.proxy != NULL ? "proxy " : "",
		    h->opts.proxy != NULL ? h->opts.proxy->host : h->host,
		    (unsigned)(h->opts.proxy != NULL ? h->opts.proxy->port : h->port));
		resolve_cancel(h->resolve);
		h->resolve = NULL;
		dial_cancel(h->dial);
		h->dial = NULL;
		hop_finish(h, -1);
		return;
	}
	if (h->state == HOP_TLS) {
		hop_fail(h, HOP_FAIL_PROTOCOL, "proxy %s: TLS handshake not "
		    "finished within %g s", h->proxy_name, h->opts.timeout);
		return;
	}
	hop_fail(h, HOP_FAIL_PROTOCOL, "proxy %s: no %s within %g s",
	    h->proxy_name, hop_waiting_for(h, what_buf, sizeof(what_buf)),
	    h->opts.timeout);
}

struct hop *
hop_start(struct event_base *base, const char *host, uint16_t port,
    const struct hop_opts *opts, hop_cb cb, void *arg)
{
	struct hop *h = xcalloc(1, sizeof(*h));
	struct timeval tv;
	enum proxy_scheme sch;

	h->base = base;
	h->host = xstrdup(host);
	h->port = port;
	h->opts = *opts;
	h->cb = cb;
	h->arg = arg;
	h->fd = -1;
	h->result_fd = -1;
	snprintf(h->target, sizeof(h->target), "%s", host);
	h->timer = evtimer_new(base, hop_timeout_cb, h);
	h->finish_ev = event_new(base, -1, 0, hop_finish_cb, h);
	if (h->timer == NULL || h->finish_ev == NULL)
		abort();
	if (opts->timeout > 0) {
		tv = clock_tv(opts->timeout);
		event_add(h->timer, &tv);
	}
	h->started = clock_now();
	if (log_verbosity() >= LOG_LEVEL_INFO) {
		h->progress = event_new(base, -1, EV_PERSIST, hop_progress_cb, h);
		if (h->progress == NULL)
			abort();
		tv = clock_tv(HOP_PROGRESS_SECS);
		event_add(h->progress, &tv);
	}
	if (opts->proxy == NULL) {
		hop_dial(h);
		return h;
	}
	hop_hostport(opts->proxy->host, opts->proxy->port, h->proxy_name,
	    sizeof(h->proxy_name));
	sch = opts->proxy->scheme;
	if ((sch == PROXY_SOCKS4 || sch == PROXY_SOCKS4A) &&
	    strchr(host, ':') != NULL) {
		h->fail = HOP_FAIL_CONNECT;
		errmsg_set(&h->err, EAFNOSUPPORT, "%s:// reaches IPv4 addresses "
		    "only, and %s is IPv6: use socks5:// or socks5h://",
		    proxy_scheme_name(sch), host);
		hop_finish(h, -1);
		return h;
	}
	if ((sch == PROXY_SOCKS4 || sch == PROXY_SOCKS5) &&
	    !endpoint_is_numeric(host)) {
		h->state = HOP_RESOLVE;
		h->resolve = resolve_start(base, host, port,
		    sch == PROXY_SOCKS4 ? AF_INET : opts->family, hop_resolved_cb, h);
		if (h->resolve == NULL) {
			h->fail = HOP_FAIL_CONNECT;
			errmsg_sys(&h->err, errno, "could not resolve hostname %s", host);
			hop_finish(h, -1);
		}
		return h;
	}
	hop_dial(h);
	return h;
}

void
hop_cancel(struct hop *h)
{
	if (h == NULL)
		return;
	if (h->result_fd != -1)
		close(h->result_fd);
	hop_free(h);
}
