/*
 * fwd_listen.c: the local listening sockets of -L and -D forwards.
 * SPDX-License-Identifier: MIT
 *
 * Where to listen follows ssh: loopback (127.0.0.1 and ::1) unless a bind
 * address is given, or -g / GatewayPorts=yes asks for every interface; a
 * name is resolved and every address bound.  With port 0 the kernel picks
 * one for the first socket and the others take the same.  The sockets are
 * bound at the start and stay bound through outages.
 *
 * Out of descriptors, a forward keeps the connections it has and refuses
 * new ones at once, with a reset, rather than leave them hanging in the
 * backlog.  Two layers do it:
 *  - Headroom: an accepted socket among the top few descriptors of
 *    RLIMIT_NOFILE is refused.  Descriptors are handed out lowest first
 *    (socket N means 0..N-1 are taken), so accepted connections never hold
 *    those, and the status socket, a -D reply, a -R dial or a reconnect
 *    still find one.
 *  - A reserve: each listening forward holds a descriptor on /dev/null.
 *    When accept() fails with EMFILE all the same (something else took the
 *    headroom), the reserve is closed, one connection accepted and reset,
 *    and the reserve opened again, until the backlog is empty.  Left in the
 *    backlog, a connection would wake the listener up forever (libevent
 *    #71), or hang its client while accepting is paused.  Only when that
 *    fails too (the reserve was lost, or ENOMEM) does accepting pause for a
 *    second at a time.
 * A reset (SO_LINGER 0) rather than a FIN: the client cannot take it for
 * an answer, and no TIME_WAIT is left behind per refusal.  The log has one
 * line when refusing starts and one "refused N connections" line once
 * FWD_BURST_QUIET seconds pass without a refusal (and one a minute while
 * it goes on), not a line per connection.
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/listener.h>

#include "clock.h"
#include "dial.h"
#include "fwd_int.h"
#include "log.h"

#define FWD_BACKLOG 4096	/* the kernel caps it at somaxconn */
#define FWD_PAUSE 1.0		/* seconds without accept when refusing fails */
#define FWD_DRAIN_MAX 64	/* refusals per wakeup; then other events */
#define FWD_SPARE_MIN 4		/* descriptors accepted sockets leave free */
#define FWD_SPARE_MAX 32

/* RLIMIT_NOFILE's soft limit, as an int. */
static int
fwd_listen_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur > INT_MAX)
		return INT_MAX;
	return (int)rl.rlim_cur;
}

/* How many of the top descriptors accepted sockets leave free: an eighth
 * of the limit, within FWD_SPARE_MIN..FWD_SPARE_MAX. */
static int
fwd_listen_spare(int limit)
{
	int spare = limit / 8;

	if (spare < FWD_SPARE_MIN)
		return FWD_SPARE_MIN;
	return spare > FWD_SPARE_MAX ? FWD_SPARE_MAX : spare;
}

/* A descriptor to hold in reserve, or -1. */
static int
fwd_listen_reserve_open(void)
{
	return open("/dev/null", O_RDONLY | O_CLOEXEC);
}

/* Log what the burst refused since burst_since (more: it goes on). */
static void
fwd_listen_burst_line(struct fwd_forward *fw, int more)
{
	double secs = clock_now() - fw->burst_since;
	char paused[64] = "";

	if (fw->refused == 0 && fw->pauses == 0)
		return;
	if (fw->pauses > 0)
		snprintf(paused, sizeof(paused), ", accepting paused %u time%s",
		    fw->pauses, fw->pauses == 1 ? "" : "s");
	log_warn("%s %s: refused %llu connection%s in %.1f s%s (%s)%s",
	    fwdspec_option(fw->spec.kind), fw->text,
	    (unsigned long long)fw->refused,
	    fw->refused == 1 ? "" : "s", secs, paused,
	    strerror(fw->burst_err), more ? "; still refusing" : "");
}

/* The burst's timer: end it FWD_BURST_QUIET seconds after the last
 * refusal, or say how it goes every FWD_BURST_REPORT seconds. */
static void
fwd_listen_burst_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fwd_forward *fw = arg;
	double now = clock_now(), left = fw->burst_last + FWD_BURST_QUIET - now;
	struct timeval tv;

	(void)fd;
	(void)what;
	if (left <= 0 && !fw->paused) {
		fwd_listen_burst_line(fw, 0);
		fw->refused = 0;
		fw->pauses = 0;
		return;
	}
	if (now - fw->burst_since >= FWD_BURST_REPORT) {
		fwd_listen_burst_line(fw, 1);
		fw->refused = 0;
		fw->pauses = 0;
		fw->burst_since = now;
	}
	tv = clock_tv(left > 0 ? left : FWD_BURST_QUIET);
	event_add(fw->burst, &tv);
}

/* One more refusal (or pause, if paused) in a burst: the first one logs
 * and starts the burst's timer. */
static void
fwd_listen_count(struct fwd_forward *fw, int err, int paused)
{
	struct timeval tv = clock_tv(FWD_BURST_QUIET);

	if (fw->burst == NULL)
		fw->burst = evtimer_new(fw->f->base, fwd_listen_burst_cb, fw);
	fw->burst_last = clock_now();
	if (!evtimer_pending(fw->burst, NULL)) {
		char limit[48] = "";

		fw->burst_since = fw->burst_last;
		fw->burst_err = err;
		fw->refused = 0;
		fw->pauses = 0;
		if (err == EMFILE)
			snprintf(limit, sizeof(limit), " (descriptor limit %d)",
			    fw->fd_limit);
		log_warn("%s %s: %s%s; %s", fwdspec_option(fw->spec.kind),
		    fw->text, strerror(err), limit, paused ?
		    "not accepting for a while" : "refusing new connections");
		event_add(fw->burst, &tv);
	}
	if (paused)
		fw->pauses++;
	else
		fw->refused++;
}

void
fwd_listen_refused(struct fwd_forward *fw, int err)
{
	fwd_listen_count(fw, err, 0);
}

/* Refuse an accepted connection: reset it and count it. */
static void
fwd_listen_refuse(struct fwd_forward *fw, int fd, int err)
{
	struct linger lg = { 1, 0 };

	(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
	fwd_listen_count(fw, err, 0);
}

/* A connection came in: take it, unless it would eat the headroom. */
static void
fwd_listen_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int socklen, void *arg)
{
	struct fwd_forward *fw = arg;

	(void)l;
	(void)socklen;
	if (fd >= fw->fd_limit - fwd_listen_spare(fw->fd_limit)) {
		/* The limit may have been raised (prlimit) since. */
		fw->fd_limit = fwd_listen_limit();
		if (fd >= fw->fd_limit - fwd_listen_spare(fw->fd_limit)) {
			fwd_listen_refuse(fw, fd, EMFILE);
			return;
		}
	}
	fwd_conn_local(fw, fd, sa);
}

/* Accept again after a pause. */
static void
fwd_listen_resume(evutil_socket_t fd, short what, void *arg)
{
	struct fwd_forward *fw = arg;

	(void)fd;
	(void)what;
	fw->paused = 0;
	if (fw->reserve == -1)
		fw->reserve = fwd_listen_reserve_open();
	for (size_t i = 0; i < fw->nls; i++)
		evconnlistener_enable(fw->ls[i]);
}

/* Stop accepting for FWD_PAUSE seconds. */
static void
fwd_listen_pause(struct fwd_forward *fw, int err)
{
	struct timeval tv = clock_tv(FWD_PAUSE);

	fwd_listen_count(fw, err, 1);
	fw->paused = 1;
	for (size_t i = 0; i < fw->nls; i++)
		evconnlistener_disable(fw->ls[i]);
	if (fw->resume == NULL)
		fw->resume = evtimer_new(fw->f->base, fwd_listen_resume, fw);
	event_add(fw->resume, &tv);
}

/* Out of descriptors with connections waiting: accept each with the
 * reserve's descriptor and reset it, up to FWD_DRAIN_MAX (the listener
 * wakes up again for the rest).  Returns -1 if that does not work. */
static int
fwd_listen_drain(struct fwd_forward *fw, evutil_socket_t lfd, int err)
{
	for (int n = 0; n < FWD_DRAIN_MAX; n++) {
		int fd, aerr;

		if (fw->reserve == -1)
			return -1;
		close(fw->reserve);
		fd = accept(lfd, NULL, NULL);
		aerr = errno;
		if (fd != -1)
			fwd_listen_refuse(fw, fd, err);
		fw->reserve = fwd_listen_reserve_open();
		if (fd != -1)
			continue;
		if (aerr == EAGAIN || aerr == EWOULDBLOCK)
			return 0;	/* the backlog is empty */
		if (aerr != ECONNABORTED && aerr != EINTR && aerr != EPROTO)
			return -1;
	}
	return 0;
}

/* accept() failed: refuse what waits, or pause the forward. */
static void
fwd_listen_error(struct evconnlistener *l, void *arg)
{
	struct fwd_forward *fw = arg;
	int err = EVUTIL_SOCKET_ERROR();

	if (err == ECONNABORTED || err == EINTR || err == EPROTO)
		return;
	if (err == EMFILE)
		fw->fd_limit = fwd_listen_limit();	/* lowered (prlimit)? */
	if ((err == EMFILE || err == ENFILE) &&
	    fwd_listen_drain(fw, evconnlistener_get_fd(l), err) == 0)
		return;
	fwd_listen_pause(fw, err);
}

/* The addresses to bind, into ai (freeaddrinfo it). */
static int
fwd_listen_addrs(struct fwd_forward *fw, int family, struct addrinfo **ai,
    struct errmsg *e)
{
	struct addrinfo hints;
	const char *host = fw->spec.listen_host;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if (fw->spec.listen_any)
		host = NULL;
	else if (fw->spec.listen_loopback)
		host = family == AF_INET ? "127.0.0.1" : family == AF_INET6 ?
		    "::1" : NULL;
	if (fw->spec.listen_loopback && host == NULL) {
		/* Both loopbacks, whether or not names resolve. */
		hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
		if ((rc = getaddrinfo("127.0.0.1", "0", &hints, ai)) != 0)
			return errmsg_set(e, 0, "%s", gai_strerror(rc));
		struct addrinfo *v6 = NULL;
		if (getaddrinfo("::1", "0", &hints, &v6) == 0)
			(*ai)->ai_next = v6;
		return 0;
	}
	if ((rc = getaddrinfo(host, "0", &hints, ai)) != 0)
		return errmsg_set(e, 0, "cannot listen on %s: %s",
		    host != NULL ? host : "*", gai_strerror(rc));
	return 0;
}

/* Set the port in a socket address. */
static void
fwd_listen_setport(struct sockaddr *sa, uint16_t port)
{
	if (sa->sa_family == AF_INET)
		((struct sockaddr_in *)(void *)sa)->sin_port = htons(port);
	else if (sa->sa_family == AF_INET6)
		((struct sockaddr_in6 *)(void *)sa)->sin6_port = htons(port);
}

/* The port a bound socket got. */
static uint16_t
fwd_listen_getport(evutil_socket_t fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return 0;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)(void *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)(void *)&ss)->sin6_port);
	return 0;
}

int
fwd_listen_open(struct fwd_forward *fw, int family, struct errmsg *e)
{
	struct addrinfo *ai = NULL, *a;
	uint16_t port = fw->spec.listen_port;
	int first_err = 0;
	char addr[64] = "";

	fw->reserve = -1;
	if (fwd_listen_addrs(fw, family, &ai, e) == -1)
		return -1;
	for (a = ai; a != NULL && fw->nls < FWD_MAX_LISTENERS; a = a->ai_next) {
		unsigned flags = LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC |
		    LEV_OPT_REUSEABLE;
		struct evconnlistener *l;

		if (a->ai_family == AF_INET6)
			flags |= LEV_OPT_BIND_IPV6ONLY;
		fwd_listen_setport(a->ai_addr, port);
		l = evconnlistener_new_bind(fw->f->base, fwd_listen_accept, fw,
		    flags, FWD_BACKLOG, a->ai_addr, (int)a->ai_addrlen);
		if (l == NULL) {
			int err = errno;

			/* A family the machine lacks is not an error. */
			if (err != EAFNOSUPPORT && err != EADDRNOTAVAIL &&
			    first_err == 0)
				first_err = err;
			continue;
		}
		evconnlistener_set_error_cb(l, fwd_listen_error);
		fw->ls[fw->nls++] = l;
		if (port == 0)
			port = fwd_listen_getport(evconnlistener_get_fd(l));
		if (addr[0] == '\0')
			dial_ntop(a->ai_addr, addr, sizeof(addr));
	}
	freeaddrinfo(ai);
	if (fw->nls == 0 || first_err != 0) {
		int err = first_err != 0 ? first_err : EADDRNOTAVAIL;

		fwd_listen_close(fw);
		return errmsg_set(e, err, "cannot listen on port %u: %s",
		    fw->spec.listen_port, strerror(err));
	}
	fw->port = port;
	fw->state = STATUS_FWD_UP;
	fw->fd_limit = fwd_listen_limit();
	fw->reserve = fwd_listen_reserve_open();
	snprintf(fw->bound, sizeof(fw->bound), "%s",
	    fw->spec.listen_any ? "*" : addr);
	if (fw->spec.kind == FWDSPEC_LOCAL)
		log_notice("-L %s: listening on %s port %u", fw->text,
		    fw->bound, port);
	else
		log_notice("-D %s: SOCKS on %s port %u", fw->text, fw->bound,
		    port);
	return 0;
}

void
fwd_listen_close(struct fwd_forward *fw)
{
	if (fw->nls > 0 && fw->reserve != -1)
		close(fw->reserve);
	fw->reserve = -1;
	for (size_t i = 0; i < fw->nls; i++)
		evconnlistener_free(fw->ls[i]);
	fw->nls = 0;
	if (fw->resume != NULL) {
		event_free(fw->resume);
		fw->resume = NULL;
	}
	if (fw->burst != NULL) {
		if (evtimer_pending(fw->burst, NULL))
			fwd_listen_burst_line(fw, 0);
		event_free(fw->burst);
		fw->burst = NULL;
	}
}
