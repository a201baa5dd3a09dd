/*
 * listen.c: loopback listener, port file and write loop for the test
 * helpers; see listen.h.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "listen.h"

int
listen_open(const char *addr, int family, int backlog, char *err,
    size_t errlen)
{
	struct addrinfo hints, *ai;
	int fd, rc, saved;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	if ((rc = getaddrinfo(addr, "0", &hints, &ai)) != 0) {
		snprintf(err, errlen, "bad address %s: %s", addr, gai_strerror(rc));
		errno = EINVAL;
		return -1;
	}
	fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
	if (fd < 0) {
		saved = errno;
		snprintf(err, errlen, "socket: %s", strerror(saved));
	} else if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		saved = errno;
		snprintf(err, errlen, "bind %s: %s", addr, strerror(saved));
	} else if (listen(fd, backlog) < 0) {
		saved = errno;
		snprintf(err, errlen, "listen: %s", strerror(saved));
	} else {
		freeaddrinfo(ai);
		return fd;
	}
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	errno = saved;
	return -1;
}

unsigned
listen_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return 0;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	errno = EAFNOSUPPORT;
	return 0;
}

int
listen_write_portfile(const char *path, unsigned port, char *err,
    size_t errlen)
{
	char tmp[4096];
	FILE *f;
	int saved;

	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	if ((f = fopen(tmp, "w")) == NULL) {
		saved = errno;
		snprintf(err, errlen, "create %s: %s", tmp, strerror(saved));
		errno = saved;
		return -1;
	}
	fprintf(f, "%u\n", port);
	if (fclose(f) != 0) {
		saved = errno;
		snprintf(err, errlen, "write %s: %s", tmp, strerror(saved));
		unlink(tmp);
		errno = saved;
		return -1;
	}
	if (rename(tmp, path) < 0) {
		saved = errno;
		snprintf(err, errlen, "rename %s to %s: %s", tmp, path,
		    strerror(saved));
		unlink(tmp);
		errno = saved;
		return -1;
	}
	return 0;
}

int
listen_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
