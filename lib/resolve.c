/*
 * resolve.c: getaddrinfo on a helper thread; see resolve.h.
 * SPDX-License-Identifier: MIT
 *
 * The job is shared by the loop and the thread and freed by whichever drops
 * the last reference, so cancelling never waits for a slow lookup.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "resolve.h"
#include "xmalloc.h"

struct resolve {
	pthread_mutex_t lock;
	int refs;		/* loop + thread */
	int efd;		/* eventfd the thread signals */
	struct event *ev;
	char *host;
	char service[8];
	int family;
	struct addrinfo *ai;
	int gai_err;
	int sys_errno;
	resolve_cb cb;
	void *arg;
};

/* Drop one reference; the last one frees the job. */
static void
resolve_unref(struct resolve *r)
{
	int left;

	pthread_mutex_lock(&r->lock);
	left = --r->refs;
	pthread_mutex_unlock(&r->lock);
	if (left > 0)
		return;
	if (r->ai != NULL)
		freeaddrinfo(r->ai);
	close(r->efd);
	free(r->host);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

static void
resolve_hints(struct addrinfo *hints, int family, int numeric)
{
	memset(hints, 0, sizeof(*hints));
	hints->ai_family = family;
	hints->ai_socktype = SOCK_STREAM;
	hints->ai_protocol = IPPROTO_TCP;
	hints->ai_flags = AI_NUMERICSERV | (numeric ? AI_NUMERICHOST : 0);
}

/* Do the lookup and store its result; called on the thread or inline. */
static void
resolve_run(struct resolve *r, int numeric)
{
	struct addrinfo hints, *ai = NULL;
	uint64_t one = 1;
	int rc;

	int probe, err = 0;

	resolve_hints(&hints, r->family, numeric);
	rc = getaddrinfo(r->host, r->service, &hints, &ai);
	if (rc != 0 && rc != EAI_SYSTEM) {
		/* glibc says "Name or service not known" when it could not even
		 * open /etc/hosts or a DNS socket; tell the real reason. */
		probe = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (probe == -1 && (errno == EMFILE || errno == ENFILE)) {
			err = errno;
			rc = EAI_SYSTEM;
		}
		if (probe != -1)
			close(probe);
	} else if (rc == EAI_SYSTEM) {
		err = errno != 0 ? errno : EIO;
	}
	pthread_mutex_lock(&r->lock);
	r->gai_err = rc;
	r->sys_errno = err;
	r->ai = rc == 0 ? ai : NULL;
	pthread_mutex_unlock(&r->lock);
	while (write(r->efd, &one, sizeof(one)) == -1 && errno == EINTR)
		;
}

static void *
resolve_thread(void *arg)
{
	struct resolve *r = arg;

	resolve_run(r, 0);
	resolve_unref(r);
	return NULL;
}

/* The loop side: the thread has finished; hand the result over. */
static void
resolve_done_cb(evutil_socket_t fd, short what, void *arg)
{
	struct resolve *r = arg;
	struct addrinfo *ai;
	uint64_t v;
	int gai_err, sys_errno;

	(void)what;
	if (read(fd, &v, sizeof(v)) == -1 && errno == EAGAIN)
		return;
	pthread_mutex_lock(&r->lock);
	ai = r->ai;
	r->ai = NULL;
	gai_err = r->gai_err;
	sys_errno = r->sys_errno;
	pthread_mutex_unlock(&r->lock);
	event_free(r->ev);
	r->ev = NULL;
	r->cb(ai, gai_err, sys_errno, r->arg);
	resolve_unref(r);
}

struct resolve *
resolve_start(struct event_base *base, const char *host, uint16_t port,
    int family, resolve_cb cb, void *arg)
{
	struct addrinfo hints, *probe = NULL;
	struct resolve *r;
	pthread_attr_t attr;
	pthread_t tid;
	sigset_t all, old;
	int rc;

	r = xcalloc(1, sizeof(*r));
	r->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (r->efd == -1) {
		free(r);
		return NULL;
	}
	pthread_mutex_init(&r->lock, NULL);
	r->refs = 1;
	r->host = xstrdup(host);
	snprintf(r->service, sizeof(r->service), "%u", (unsigned)port);
	r->family = family;
	r->cb = cb;
	r->arg = arg;
	r->ev = event_new(base, r->efd, EV_READ | EV_PERSIST, resolve_done_cb, r);
	if (r->ev == NULL || event_add(r->ev, NULL) == -1) {
		if (r->ev != NULL)
			event_free(r->ev);
		r->ev = NULL;
		resolve_unref(r);
		errno = ENOMEM;
		return NULL;
	}

	/* An address literal needs no thread. */
	resolve_hints(&hints, AF_UNSPEC, 1);
	if (getaddrinfo(host, NULL, &hints, &probe) == 0) {
		freeaddrinfo(probe);
		resolve_run(r, 1);
		return r;
	}

	r->refs = 2;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	/* The thread must not take the process's signals. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&tid, &attr, resolve_thread, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		log_debug_f("pthread_create: %s; resolving inline", strerror(rc));
		r->refs = 1;
		resolve_run(r, 0);
	}
	return r;
}

void
resolve_cancel(struct resolve *r)
{
	if (r == NULL)
		return;
	if (r->ev != NULL) {
		event_free(r->ev);
		r->ev = NULL;
	}
	resolve_unref(r);
}
