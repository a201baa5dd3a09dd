/*
 * dial.c: Happy Eyeballs connect (RFC 8305); see dial.h.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "clock.h"
#include "dial.h"
#include "fdio.h"
#include "log.h"
#include "resolve.h"
#include "xmalloc.h"

#define DIAL_MAX_ADDRS 64

struct dial_attempt {
	int fd;
	size_t index;		/* into d->addrs */
	struct event *ev;
	struct dial *d;
};

struct dial {
	struct event_base *base;
	char *host;
	uint16_t port;
	struct dial_opts opts;
	dial_cb cb;
	void *arg;

	struct resolve *resolve;
	struct sockaddr_storage *addrs;
	size_t naddrs;
	size_t next;			/* next address to try */
	struct dial_attempt *attempts;	/* one slot per address */
	size_t active;			/* attempts in progress */

	struct event *delay_ev;		/* attempt delay timer */
	struct event *timeout_ev;	/* whole-dial timer */
	struct event *finish_ev;	/* deferred completion */
	int result_fd;
	struct sockaddr_storage result_addr;
	struct errmsg err;		/* last failure */
	int have_err;
};

const char *
dial_ntop(const struct sockaddr *sa, char *buf, size_t len)
{
	const void *a = sa->sa_family == AF_INET6 ?
	    (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr :
	    (const void *)&((const struct sockaddr_in *)sa)->sin_addr;

	if (inet_ntop(sa->sa_family, a, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

void
dial_interleave(struct sockaddr_storage *addrs, size_t n)
{
	struct sockaddr_storage *tmp;
	size_t o = 0, pf = 0, po = 0;
	int first;

	if (n < 3)
		return;		/* zero to two addresses are interleaved already */
	tmp = xcalloc(n, sizeof(*tmp));
	first = addrs[0].ss_family;
	/* pf walks the first family, po the others; take turns. */
	while (o < n) {
		while (pf < n && addrs[pf].ss_family != first)
			pf++;
		if (pf < n)
			tmp[o++] = addrs[pf++];
		while (po < n && addrs[po].ss_family == first)
			po++;
		if (po < n && o < n)
			tmp[o++] = addrs[po++];
	}
	memcpy(addrs, tmp, n * sizeof(*tmp));
	free(tmp);
}

static socklen_t
dial_salen(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);
}

static void
dial_close_attempt(struct dial_attempt *a)
{
	if (a->ev != NULL) {
		event_free(a->ev);
		a->ev = NULL;
	}
	if (a->fd != -1) {
		close(a->fd);
		a->fd = -1;
		a->d->active--;
	}
}

/* Free everything but the result fd. */
static void
dial_free(struct dial *d)
{
	size_t i;

	resolve_cancel(d->resolve);
	for (i = 0; i < d->naddrs; i++)
		dial_close_attempt(&d->attempts[i]);
	if (d->delay_ev != NULL)
		event_free(d->delay_ev);
	if (d->timeout_ev != NULL)
		event_free(d->timeout_ev);
	if (d->finish_ev != NULL)
		event_free(d->finish_ev);
	free(d->attempts);
	free(d->addrs);
	free(d->host);
	free(d);
}

/* Run the callback from the loop, then free the dial. */
static void
dial_finish_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dial *d = arg;

	(void)fd;
	(void)what;
	d->cb(d->result_fd, d->result_fd == -1 ? NULL :
	    (struct sockaddr *)&d->result_addr,
	    d->result_fd == -1 ? &d->err : NULL, d->arg);
	dial_free(d);
}

/* End the dial with fd (or -1 and d->err); stop all timers and attempts. */
static void
dial_finish(struct dial *d, int fd)
{
	size_t i;

	d->result_fd = fd;
	resolve_cancel(d->resolve);
	d->resolve = NULL;
	for (i = 0; i < d->naddrs; i++)
		dial_close_attempt(&d->attempts[i]);
	if (d->delay_ev != NULL)
		event_del(d->delay_ev);
	if (d->timeout_ev != NULL)
		event_del(d->timeout_ev);
	event_active(d->finish_ev, 0, 0);
}

static void
dial_fail(struct dial *d)
{
	if (!d->have_err)
		errmsg_set(&d->err, EHOSTUNREACH,
		    "connect to %s port %u: no address to connect to", d->host,
		    (unsigned)d->port);
	dial_finish(d, -1);
}

static void dial_next(struct dial *d);

/*
 * How much a failure says about the host: a refusal or a timeout means it
 * was reached or tried, "unreachable" may only mean this machine has no
 * route for that family.  The most telling failure is reported.
 */
static int
dial_err_rank(int err)
{
	switch (err) {
	case ECONNREFUSED:
		return 3;
	case ENETUNREACH:
	case EHOSTUNREACH:
	case EAFNOSUPPORT:
	case EADDRNOTAVAIL:
		return 1;
	default:
		return 2;
	}
}

/* Record why one attempt failed, keeping the most telling failure. */
static void
dial_attempt_failed(struct dial *d, struct dial_attempt *a, int err)
{
	char abuf[INET6_ADDRSTRLEN];

	log_debug("connect to %s [%s] port %u: %s", d->host,
	    dial_ntop((struct sockaddr *)&d->addrs[a->index], abuf, sizeof(abuf)),
	    (unsigned)d->port, strerror(err));
	if (!d->have_err || dial_err_rank(err) >= dial_err_rank(d->err.code)) {
		errmsg_sys(&d->err, err, "connect to %s port %u", d->host,
		    (unsigned)d->port);
		d->have_err = 1;
	}
	dial_close_attempt(a);
}

static void
dial_won(struct dial *d, struct dial_attempt *a)
{
	char abuf[INET6_ADDRSTRLEN];
	int fd = a->fd;

	d->result_addr = d->addrs[a->index];
	log_trace("connected to %s [%s] port %u", d->host,
	    dial_ntop((struct sockaddr *)&d->result_addr, abuf, sizeof(abuf)),
	    (unsigned)d->port);
	/* Keep the winner out of the general close. */
	if (a->ev != NULL)
		event_free(a->ev);
	a->ev = NULL;
	a->fd = -1;
	d->active--;
	dial_finish(d, fd);
}

/* The attempt's socket became writable: connected, or failed. */
static void
dial_attempt_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dial_attempt *a = arg;
	struct dial *d = a->d;
	socklen_t len = sizeof(int);
	int err = 0;

	(void)what;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err == 0) {
		dial_won(d, a);
		return;
	}
	dial_attempt_failed(d, a, err);
	/* A failure starts the next attempt at once. */
	dial_next(d);
}

static void
dial_delay_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	dial_next(arg);
}

static void
dial_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dial *d = arg;

	(void)fd;
	(void)what;
	errmsg_sys(&d->err, ETIMEDOUT, "connect to %s port %u", d->host,
	    (unsigned)d->port);
	d->have_err = 1;
	dial_finish(d, -1);
}

/*
 * Start attempts until one is in progress (and arm the attempt delay), or
 * the list is exhausted.  With nothing left in flight, the dial fails.
 */
static void
dial_next(struct dial *d)
{
	struct dial_attempt *a;
	struct timeval tv;
	int fd, rc;

	while (d->next < d->naddrs) {
		a = &d->attempts[d->next];
		a->index = d->next++;
		fd = socket(d->addrs[a->index].ss_family,
		    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
		if (fd == -1) {
			a->fd = -1;
			errmsg_sys(&d->err, errno, "connect to %s port %u: socket",
			    d->host, (unsigned)d->port);
			d->have_err = 1;
			continue;
		}
		a->fd = fd;
		d->active++;
		rc = connect(fd, (struct sockaddr *)&d->addrs[a->index],
		    dial_salen(&d->addrs[a->index]));
		/* An interrupted non-blocking connect goes on by itself. */
		if (rc == -1 && errno == EINTR)
			errno = EINPROGRESS;
		if (rc == 0) {
			dial_won(d, a);
			return;
		}
		if (errno != EINPROGRESS) {
			dial_attempt_failed(d, a, errno);
			continue;
		}
		a->ev = event_new(d->base, fd, EV_WRITE, dial_attempt_cb, a);
		if (a->ev == NULL || event_add(a->ev, NULL) == -1) {
			dial_attempt_failed(d, a, ENOMEM);
			continue;
		}
		if (d->next < d->naddrs) {
			tv = clock_tv(d->opts.attempt_delay);
			event_add(d->delay_ev, &tv);
		}
		return;
	}
	if (d->active == 0)
		dial_fail(d);
}

static struct dial *
dial_new(struct event_base *base, const char *host, uint16_t port,
    const struct dial_opts *opts, dial_cb cb, void *arg)
{
	struct dial *d = xcalloc(1, sizeof(*d));
	struct timeval tv;

	d->base = base;
	d->host = xstrdup(host);
	d->port = port;
	if (opts != NULL)
		d->opts = *opts;
	if (d->opts.attempt_delay <= 0)
		d->opts.attempt_delay = DIAL_ATTEMPT_DELAY;
	d->cb = cb;
	d->arg = arg;
	d->result_fd = -1;
	d->delay_ev = evtimer_new(base, dial_delay_cb, d);
	d->timeout_ev = evtimer_new(base, dial_timeout_cb, d);
	d->finish_ev = event_new(base, -1, 0, dial_finish_cb, d);
	if (d->delay_ev == NULL || d->timeout_ev == NULL || d->finish_ev == NULL)
		abort();
	if (d->opts.timeout > 0) {
		tv = clock_tv(d->opts.timeout);
		event_add(d->timeout_ev, &tv);
	}
	return d;
}

/* Take the address list (copied, filtered to the wanted family) and go. */
static void
dial_use_addrs(struct dial *d, const struct sockaddr_storage *addrs, size_t n)
{
	size_t i;

	d->addrs = xcalloc(n > 0 ? n : 1, sizeof(*d->addrs));
	for (i = 0; i < n && d->naddrs < DIAL_MAX_ADDRS; i++) {
		if (addrs[i].ss_family != AF_INET && addrs[i].ss_family != AF_INET6)
			continue;
		if (d->opts.family != AF_UNSPEC &&
		    addrs[i].ss_family != d->opts.family)
			continue;
		d->addrs[d->naddrs++] = addrs[i];
	}
	d->attempts = xcalloc(d->naddrs > 0 ? d->naddrs : 1, sizeof(*d->attempts));
	for (i = 0; i < d->naddrs; i++) {
		d->attempts[i].fd = -1;
		d->attempts[i].d = d;
	}
	dial_interleave(d->addrs, d->naddrs);
	if (d->naddrs == 0) {
		errmsg_set(&d->err, EAFNOSUPPORT,
		    "connect to %s port %u: no %saddress for that host", d->host,
		    (unsigned)d->port, d->opts.family == AF_INET ? "IPv4 " :
		    d->opts.family == AF_INET6 ? "IPv6 " : "");
		d->have_err = 1;
		dial_fail(d);
		return;
	}
	dial_next(d);
}

static void
dial_resolved_cb(struct addrinfo *ai, int gai_err, int sys_errno, void *arg)
{
	struct dial *d = arg;
	struct sockaddr_storage *list;
	struct addrinfo *p;
	size_t n = 0;

	d->resolve = NULL;
	if (gai_err == 0 && d->opts.resolved_at != NULL)
		*d->opts.resolved_at = clock_now();
	if (gai_err != 0) {
		if (gai_err == EAI_SYSTEM)
			errmsg_sys(&d->err, sys_errno,
			    "could not resolve hostname %s", d->host);
		else
			errmsg_set(&d->err, EHOSTUNREACH,
			    "could not resolve hostname %s: %s", d->host,
			    gai_strerror(gai_err));
		d->have_err = 1;
		dial_fail(d);
		return;
	}
	for (p = ai; p != NULL; p = p->ai_next)
		n++;
	list = xcalloc(n > 0 ? n : 1, sizeof(*list));
	n = 0;
	for (p = ai; p != NULL; p = p->ai_next) {
		if (p->ai_addrlen > sizeof(*list))
			continue;
		memcpy(&list[n++], p->ai_addr, p->ai_addrlen);
	}
	freeaddrinfo(ai);
	dial_use_addrs(d, list, n);
	free(list);
}

struct dial *
dial_start(struct event_base *base, const char *host, uint16_t port,
    const struct dial_opts *opts, dial_cb cb, void *arg)
{
	struct dial *d = dial_new(base, host, port, opts, cb, arg);

	d->resolve = resolve_start(base, host, port, d->opts.family,
	    dial_resolved_cb, d);
	if (d->resolve == NULL) {
		errmsg_sys(&d->err, errno, "could not resolve hostname %s", host);
		d->have_err = 1;
		dial_fail(d);
	}
	return d;
}

struct dial *
dial_start_addrs(struct event_base *base, const char *host, uint16_t port,
    const struct sockaddr_storage *addrs, size_t naddrs,
    const struct dial_opts *opts, dial_cb cb, void *arg)
{
	struct dial *d = dial_new(base, host, port, opts, cb, arg);

	if (d->opts.resolved_at != NULL)
		*d->opts.resolved_at = clock_now();
	dial_use_addrs(d, addrs, naddrs);
	return d;
}

void
dial_cancel(struct dial *d)
{
	if (d == NULL)
		return;
	if (d->result_fd != -1)
		close(d->result_fd);
	dial_free(d);
}
