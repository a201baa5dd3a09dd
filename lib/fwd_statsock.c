/*
 * fwd_statsock.c: --status-socket: a Unix stream socket that answers every
 * connection with the status document (JSON, lib/status) and closes.
 * SPDX-License-Identifier: MIT
 *
 * The socket is created mode 0600.  A stale socket left by a dead process
 * is replaced; one that a live process still answers on is not (two
 * tunnels must not share a status path).  Clients that do not read are
 * dropped after a few seconds; the file is removed at exit.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "clock.h"
#include "fwd_int.h"
#include "log.h"
#include "xmalloc.h"

#define FWD_STATUS_CLIENT_SECS 5.0
#define FWD_STATUS_PAUSE 1.0	/* s without accept, out of descriptors */

/* One reader being sent the document. */
struct fwd_statclient {
	TAILQ_ENTRY(fwd_statclient) entry;
	struct fwd_statsock *ss;
	int fd;
	struct evbuffer *buf;
	struct event *ev;
};

struct fwd_statsock {
	struct fwd *f;
	int fd;
	char *path;
	struct event *ev;
	struct event *resume;	/* accept again after EMFILE */
	TAILQ_HEAD(, fwd_statclient) clients;
};

static void
fwd_statclient_free(struct fwd_statclient *c)
{
	TAILQ_REMOVE(&c->ss->clients, c, entry);
	event_free(c->ev);
	evbuffer_free(c->buf);
	close(c->fd);
	free(c);
}

/* Write what is left of the document; close when sent or too slow. */
static void
fwd_statclient_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fwd_statclient *c = arg;
	struct timeval tv = clock_tv(FWD_STATUS_CLIENT_SECS);

	if (what & EV_TIMEOUT) {
		fwd_statclient_free(c);
		return;
	}
	while (evbuffer_get_length(c->buf) > 0) {
		int n = evbuffer_write(c->buf, fd);

		if (n > 0)
			continue;
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			event_add(c->ev, &tv);
			return;
		}
		break;
	}
	fwd_statclient_free(c);
}

/* Accept again after running out of descriptors. */
static void
fwd_statsock_resume(evutil_socket_t fd, short what, void *arg)
{
	struct fwd_statsock *ss = arg;

	(void)fd;
	(void)what;
	event_add(ss->ev, NULL);
}

/* A reader connected: build the document now and send it. */
static void
fwd_statsock_accept(evutil_socket_t lfd, short what, void *arg)
{
	struct fwd_statsock *ss = arg;
	struct status_doc doc;
	struct errmsg e;
	char *json = NULL;

	(void)what;
	for (;;) {
		struct fwd_statclient *c;
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd == -1) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				/* Level-triggered: it would wake up at once,
				 * again and again. */
				struct timeval tv = clock_tv(FWD_STATUS_PAUSE);

				log_debug("status socket: accept: %s",
				    strerror(errno));
				event_del(ss->ev);
				event_add(ss->resume, &tv);
			} else if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR && errno != ECONNABORTED)
				log_debug("status socket: accept: %s",
				    strerror(errno));
			break;
		}
		if (json == NULL) {
			fwd_status(ss->f, &doc);
			if (status_to_json(&doc, &json, &e) == -1) {
				log_warn("status socket: %s", e.text);
				status_free(&doc);
				close(fd);
				break;
			}
			status_free(&doc);
		}
		c = xcalloc(1, sizeof(*c));
		c->ss = ss;
		c->fd = fd;
		c->buf = evbuffer_new();
		c->ev = event_new(ss->f->base, fd, EV_WRITE, fwd_statclient_cb, c);
		if (c->buf == NULL || c->ev == NULL) {
			log_error("out of memory");
			abort();
		}
		evbuffer_add(c->buf, json, strlen(json));
		evbuffer_add(c->buf, "\n", 1);
		TAILQ_INSERT_TAIL(&ss->clients, c, entry);
		fwd_statclient_cb(fd, EV_WRITE, c);
	}
	free(json);
}

/* Is a live process answering on path? */
static int
fwd_statsock_in_use(const struct sockaddr_un *sun)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int rc;

	if (fd == -1)
		return 0;
	rc = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	close(fd);
	return rc == 0;
}

int
fwd_statsock_open(struct fwd *f, const char *path, struct errmsg *e)
{
	struct fwd_statsock *ss;
	struct sockaddr_un sun;
	struct stat st;
	mode_t old;
	int fd, rc;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (*path == '\0' || strlen(path) >= sizeof(sun.sun_path))
		return errmsg_set(e, ENAMETOOLONG, "--status-socket %s: the "
		    "path is empty or longer than %zu bytes", path,
		    sizeof(sun.sun_path) - 1);
	memcpy(sun.sun_path, path, strlen(path));
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return errmsg_set(e, EEXIST, "--status-socket %s: "
			    "exists and is not a socket", path);
		if (fwd_statsock_in_use(&sun))
			return errmsg_set(e, EADDRINUSE, "--status-socket %s: "
			    "another process answers on it", path);
		(void)unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return errmsg_set(e, errno, "--status-socket: socket: %s",
		    strerror(errno));
	old = umask(0177);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc == -1 || listen(fd, 16) == -1) {
		int err = errno;

		close(fd);
		return errmsg_set(e, err, "--status-socket %s: %s", path,
		    strerror(err));
	}
	ss = xcalloc(1, sizeof(*ss));
	ss->f = f;
	ss->fd = fd;
	ss->path = xstrdup(path);
	TAILQ_INIT(&ss->clients);
	ss->ev = event_new(f->base, fd, EV_READ | EV_PERSIST,
	    fwd_statsock_accept, ss);
	ss->resume = evtimer_new(f->base, fwd_statsock_resume, ss);
	event_add(ss->ev, NULL);
	f->ss = ss;
	return 0;
}

void
fwd_statsock_close(struct fwd *f)
{
	struct fwd_statsock *ss = f->ss;

	if (ss == NULL)
		return;
	while (!TAILQ_EMPTY(&ss->clients))
		fwd_statclient_free(TAILQ_FIRST(&ss->clients));
	event_free(ss->ev);
	event_free(ss->resume);
	close(ss->fd);
	(void)unlink(ss->path);
	free(ss->path);
	free(ss);
	f->ss = NULL;
}
