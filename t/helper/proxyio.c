/*
 * proxyio.c: logging, blocking I/O, dialing and relaying for fakeproxy;
 * see proxyio.h.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "listen.h"
#include "proxyio.h"

void
proxyio_die(int syserr, const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	fputs("fakeproxy: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (syserr)
		fprintf(stderr, ": %s", strerror(e));
	fputc('\n', stderr);
	exit(1);
}

void
proxyio_say(const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	int n;

	n = snprintf(line, sizeof line, "fakeproxy[%ld]: ", (long)getpid());
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	va_end(ap);
	n = (int)strlen(line);
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}

void
proxyio_say_hex(const char *label, const unsigned char *p, size_t n)
{
	char hex[3 * 300 + 8];
	size_t i, k = 0;

	for (i = 0; i < n && i < 300; i++)
		k += (size_t)snprintf(hex + k, sizeof hex - k, "%s%02x",
		    i ? " " : "", p[i]);
	if (i < n)
		snprintf(hex + k, sizeof hex - k, " ...");
	proxyio_say("%s (%zu bytes): %s", label, n, hex);
}

void
proxyio_say_line(const char *p, size_t len)
{
	char esc[1024];
	size_t i, k = 0;

	for (i = 0; i < len && k + 5 < sizeof esc; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			esc[k++] = (char)c;
		else
			k += (size_t)snprintf(esc + k, sizeof esc - k, "\\x%02x", c);
	}
	esc[k] = '\0';
	proxyio_say("> %s%s", esc, i < len ? "..." : "");
}

void
proxyio_send_str(int fd, const char *s)
{
	if (listen_write_all(fd, s, strlen(s)) < 0)
		proxyio_say("write to client: %s", strerror(errno));
	else
		proxyio_say("sent %zu bytes", strlen(s));
}

int
proxyio_wait_readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int rc;

	do
		rc = poll(&p, 1, ms);
	while (rc < 0 && errno == EINTR);
	return rc > 0;
}

int
proxyio_read_full(int fd, void *buf, size_t n)
{
	char *p = buf;
	ssize_t r;

	while (n > 0) {
		if (!proxyio_wait_readable(fd, PROXYIO_TIMEOUT_MS))
			return -1;
		r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int
proxyio_read_cstring(int fd, char *s, size_t cap)
{
	for (size_t i = 0; i < cap; i++) {
		if (proxyio_read_full(fd, s + i, 1) < 0)
			return -1;
		if (s[i] == '\0')
			return 0;
	}
	return -1;
}

void
proxyio_linger_close(int fd)
{
	char buf[4096];
	struct timespec t0, now;
	long left;

	shutdown(fd, SHUT_WR);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = 2000 - ((now.tv_sec - t0.tv_sec) * 1000 +
		    (now.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0 || !proxyio_wait_readable(fd, (int)left) ||
		    read(fd, buf, sizeof buf) <= 0)
			break;
	}
	close(fd);
}

void
proxyio_hold_open(int fd, const char *why)
{
	char buf[4096];
	ssize_t r;

	if (why != NULL)
		proxyio_say("%s: saying nothing until the client closes", why);
	do
		r = proxyio_wait_readable(fd, -1) ? read(fd, buf, sizeof buf) : -1;
	while (r > 0 || (r < 0 && errno == EINTR));
	proxyio_say("client closed the connection");
	close(fd);
}

/*
 * Connect to host:port (any address family, each address in turn).
 * Returns the connected blocking socket, or -1 with errno set.
 */
static int
dial(const char *host, const char *port)
{
	struct addrinfo hints, *res, *ai;
	int fd = -1, rc, e = ECONNREFUSED;

	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
		proxyio_say("cannot resolve %s: %s", host, gai_strerror(rc));
		errno = EHOSTUNREACH;
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol)) < 0) {
			e = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		e = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		errno = e;
	return fd;
}

int
proxyio_dial_target(const struct fakeproxy_opts *o, const char *host,
    const char *port)
{
	char tp[24];
	int fd;

	if (o->tport > 0) {
		snprintf(tp, sizeof tp, "%ld", o->tport);
		proxyio_say("target %s port %s replaced by -t %s", host, port, tp);
		host = o->v6 ? "::1" : "127.0.0.1";
		port = tp;
	}
	fd = dial(host, port);
	if (fd < 0)
		proxyio_say("connect to %s port %s: %s", host, port, strerror(errno));
	else
		proxyio_say("connected to %s port %s", host, port);
	return fd;
}

/* Set O_NONBLOCK on fd; return 0 or -1. */
static int
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* One direction of a relay: bytes read from `from` waiting for `to`. */
struct dir {
	int from, to;
	char buf[PROXYIO_BUFSZ];
	size_t off, len;
	int eof;	/* from sent EOF */
	int done;	/* ... and everything went out, to shut down for writing */
};

/* Move what poll said is ready in both directions; returns 0 or -1. */
static int
relay_step(struct dir *d, const struct pollfd *p, long long *moved)
{
	struct dir *in, *out;
	ssize_t n;

	for (int i = 0; i < 2; i++) {
		in = &d[i];
		out = &d[1 - i];
		if ((p[i].events & POLLIN) &&
		    (p[i].revents & (POLLIN | POLLHUP | POLLERR))) {
			n = read(in->from, in->buf + in->off + in->len,
			    PROXYIO_BUFSZ - in->off - in->len);
			if (n > 0)
				in->len += (size_t)n, moved[i] += n;
			else if (n == 0)
				in->eof = 1;
			else if (errno != EAGAIN && errno != EINTR)
				return -1;
		}
		if ((p[i].events & POLLOUT) &&
		    (p[i].revents & (POLLOUT | POLLHUP | POLLERR))) {
			n = write(out->to, out->buf + out->off, out->len);
			if (n > 0) {
				out->off += (size_t)n, out->len -= (size_t)n;
				if (out->len == 0)
					out->off = 0;
			} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
				return -1;
			}
		}
	}
	return 0;
}

int
proxyio_relay(int a, int b, const char *pre, size_t prelen)
{
	static struct dir d[2];
	long long moved[2] = { 0, 0 };
	int rc = 0;

	memset(d, 0, sizeof d);
	d[0].from = a, d[0].to = b;
	d[1].from = b, d[1].to = a;
	memcpy(d[0].buf, pre, prelen);
	d[0].len = prelen;
	if (set_nonblock(a) < 0 || set_nonblock(b) < 0)
		proxyio_die(1, "fcntl");
	while (!d[0].done || !d[1].done) {
		/* p[i] polls d[i].from, which is also d[1 - i].to */
		struct pollfd p[2] = { { .fd = a }, { .fd = b } };

		for (int i = 0; i < 2; i++) {
			if (!d[i].eof && d[i].off + d[i].len < PROXYIO_BUFSZ)
				p[i].events |= POLLIN;
			if (d[1 - i].len > 0)
				p[i].events |= POLLOUT;
		}
		for (int i = 0; i < 2; i++)
			if (p[i].events == 0)
				p[i].fd = -1;
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			proxyio_die(1, "poll");
		}
		if ((rc = relay_step(d, p, moved)) < 0) {
			proxyio_say("relay error: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (d[i].eof && d[i].len == 0 && !d[i].done) {
				shutdown(d[i].to, SHUT_WR);
				d[i].done = 1;
				proxyio_say("%s sent EOF: half-closed towards the %s",
				    i ? "target" : "client", i ? "client" : "target");
			}
			if (d[i].len > 0 && d[i].off > 0 &&
			    d[i].off + d[i].len == PROXYIO_BUFSZ) {
				memmove(d[i].buf, d[i].buf + d[i].off, d[i].len);
				d[i].off = 0;
			}
		}
	}
	proxyio_say("relay done: %lld bytes client->target, %lld bytes target->client",
	    moved[0] + (long long)prelen, moved[1]);
	close(a);
	close(b);
	return rc;
}
