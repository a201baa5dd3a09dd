/*
 * status_client.c: read fwdpipe's status socket; see status_client.h.
 * SPDX-License-Identifier: MIT
 *
 * Blocking, with poll() against one deadline: tunnelcheck does nothing
 * else meanwhile.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "status_client.h"
#include "xmalloc.h"

/* Wait until fd is ready for events or the deadline; 1, 0 (time is up)
 * or -1. */
static int
status_wait(int fd, short events, double deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int rc;

	do {
		double left = deadline - clock_now();

		if (left <= 0)
			return 0;
		rc = poll(&pfd, 1, left > 86400 ? 86400 * 1000 :
		    (int)(left * 1000) + 1);
	} while (rc == -1 && errno == EINTR);
	return rc;
}

int
status_fetch(const char *path, double timeout, struct status_doc *doc,
    struct errmsg *e)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	double deadline = clock_now() + timeout;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int fd, rc = -1;

	memset(doc, 0, sizeof(*doc));
	if (strlen(path) >= sizeof(sun.sun_path))
		return errmsg_set(e, ENAMETOOLONG, "status socket %s: path too "
		    "long", path);
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1)
		return errmsg_sys(e, errno, "status socket %s", path);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 &&
	    errno != EINPROGRESS && errno != EAGAIN) {
		int err = errno;

		close(fd);
		if (err == ENOENT || err == ECONNREFUSED)
			return errmsg_sys(e, err, "status socket %s (is fwdpipe "
			    "running?)", path);
		return errmsg_sys(e, err, "status socket %s", path);
	}
	for (;;) {
		ssize_t n;

		if (len == cap) {
			if (cap >= STATUS_CLIENT_MAX) {
				errmsg_set(e, EMSGSIZE, "status socket %s: more than "
				    "%d bytes", path, STATUS_CLIENT_MAX);
				goto out;
			}
			cap = cap == 0 ? 4096 : cap * 2;
			buf = xreallocarray(buf, cap, 1);
		}
		n = read(fd, buf + len, cap - len);
		if (n > 0) {
			len += (size_t)n;
			continue;
		}
		if (n == 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN) {
			errmsg_sys(e, errno, "status socket %s", path);
			goto out;
		}
		rc = status_wait(fd, POLLIN, deadline);
		if (rc == 0) {
			errmsg_set(e, ETIMEDOUT, "status socket %s: no answer "
			    "within %.3g s", path, timeout);
			rc = -1;
			goto out;
		}
		if (rc == -1) {
			errmsg_sys(e, errno, "status socket %s", path);
			goto out;
		}
		rc = -1;
	}
	if (status_from_json(buf, len, doc, e) == -1)
		errmsg_set(e, EBADMSG, "status socket %s: %.400s", path,
		    e->text);
	else
		rc = 0;
out:
	close(fd);
	free(buf);
	return rc;
}
