/*
 * fwd_listen.c: the local listening sockets of -L and -D forwards.
 * SPDX-License-Identifier: MIT
 *
 * Where to listen follows ssh: loopback (127.0.0.1 and ::1) unless a bind
 * address is given, or -g / GatewayPorts=yes asks for every interface; a
 * name is resolved and every address bound.  With port 0 the kernel picks
 * one for the first socket and the others take the same.  The sockets are
 * bound at the start and stay bound through outages.  When accept runs out
 * of descriptors the forward stops accepting for a second rather than
 * spin on a connection it cannot take.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
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
#define FWD_PAUSE 1.0		/* seconds without accept after EMFILE */

/* A connection came in. */
static void
fwd_listen_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int socklen, void *arg)
{
	struct fwd_forward *fw = arg;

	(void)l;
	(void)socklen;
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
	for (size_t i = 0; i < fw->nls; i++)
		evconnlistener_enable(fw->ls[i]);
}

/* accept() failed: out of descriptors or memory pauses the forward. */
static void
fwd_listen_error(struct evconnlistener *l, void *arg)
{
	struct fwd_forward *fw = arg;
	int err = EVUTIL_SOCKET_ERROR();
	struct timeval tv = clock_tv(FWD_PAUSE);

	(void)l;
	if (err == ECONNABORTED || err == EINTR || err == EPROTO)
		return;
	if (!fw->paused)
		log_warn("%s %s: accept: %s; not accepting for %g s",
		    fwdspec_option(fw->spec.kind), fw->text, strerror(err),
		    FWD_PAUSE);
	fw->paused = 1;
	for (size_t i = 0; i < fw->nls; i++)
		evconnlistener_disable(fw->ls[i]);
	if (fw->resume == NULL)
		fw->resume = evtimer_new(fw->f->base, fwd_listen_resume, fw);
	event_add(fw->resume, &tv);
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
	for (size_t i = 0; i < fw->nls; i++)
		evconnlistener_free(fw->ls[i]);
	fw->nls = 0;
	if (fw->resume != NULL) {
		event_free(fw->resume);
		fw->resume = NULL;
	}
}
