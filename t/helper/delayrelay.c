/*
 * delayrelay.c: a TCP relay that delays every byte by a fixed time, in both
 * directions, for hopkit's network fault tests (t/netfault-*.t).
 * SPDX-License-Identifier: MIT
 *
 * delayrelay -P PORTFILE -t HOST:PORT [-d MS] [-b ADDR] [-q BYTES]
 *
 * Binds ADDR (default 127.0.0.1) on port 0, listens, and then writes the
 * port number to PORTFILE atomically (temp file + rename): the file's
 * appearance is the readiness signal.  Each accepted connection is served
 * by a forked child (children die with the parent, PR_SET_PDEATHSIG),
 * which connects to HOST:PORT (numeric; "[v6]:port" for IPv6) and relays
 * both ways.  If that connect fails the client's connection is closed.
 *
 * Each direction is a queue of the chunks read, each stamped with the time
 * it was read; a chunk is written no sooner than MS milliseconds (default
 * 100) after that.  Reading goes on while chunks wait, so the delay adds
 * latency without limiting throughput, up to BYTES queued per direction
 * (default 16 MiB, a bandwidth-delay product of 160 MB/s at 100 ms); past
 * that the relay stops reading that side until the queue drains.  An EOF
 * is queued like data and passed on as shutdown(SHUT_WR) when its time
 * comes: half-close is kept, delayed.  An error on either side (a reset)
 * ends both connections at once, with a reset (SO_LINGER 0).
 *
 * On stderr, one line per connection when it ends:
 *   delayrelay: connection N: B1 bytes to target, B2 bytes back[, error]
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "listen.h"

#define CHUNK (64 * 1024)

/* One chunk read from one side; len 0 is the EOF marker. */
struct chunk {
	struct chunk *next;
	int64_t due;		/* monotonic ms when it may be written */
	size_t len;
	size_t off;		/* bytes of it written already */
	char data[];
};

/* One direction: bytes read from src, queued, written to dst. */
struct dir {
	int src, dst;
	struct chunk *head, *tail;
	size_t queued;		/* bytes in the queue, not yet written */
	int eof_read;		/* src said EOF (the marker is queued) */
	int eof_sent;		/* dst got shutdown(SHUT_WR) */
	long long total;	/* bytes written to dst */
};

struct opts {
	const char *portfile;
	const char *bind;
	char *target;		/* a copy of -t, cut in two */
	char *host;
	const char *port;
	int64_t delay;
	size_t qmax;
};

/* Print "delayrelay: MSG" (plus strerror(errno) if syserr) and exit 1. */
static void __attribute__((noreturn, format(printf, 2, 3)))
die(int syserr, const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	fputs("delayrelay: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (syserr)
		fprintf(stderr, ": %s", strerror(e));
	fputc('\n', stderr);
	exit(1);
}

/* Print the usage on stderr and exit 2. */
static void __attribute__((noreturn))
usage(void)
{
	fputs("usage: delayrelay -P PORTFILE -t HOST:PORT [-d MS] [-b ADDR]"
	    " [-q BYTES]\n", stderr);
	exit(2);
}

/* The monotonic clock in milliseconds. */
static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Parse a number in [min, max] from s, or call usage(). */
static long long
number(const char *s, long long min, long long max)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || n < min || n > max)
		usage();
	return n;
}

/* Split "HOST:PORT" or "[HOST]:PORT" (s is modified) into o. */
static void
parse_target(char *s, struct opts *o)
{
	char *colon;

	if (*s == '[') {
		char *close = strchr(s, ']');

		if (close == NULL || close[1] != ':')
			usage();
		*close = '\0';
		o->host = s + 1;
		o->port = close + 2;
	} else {
		if ((colon = strrchr(s, ':')) == NULL)
			usage();
		*colon = '\0';
		o->host = s;
		o->port = colon + 1;
	}
	if (*o->host == '\0')
		usage();
	number(o->port, 1, 65535);
}

/* Parse argv into o; exit 2 on a usage error. */
static void
parse_args(int argc, char **argv, struct opts *o)
{
	int c;

	memset(o, 0, sizeof *o);
	o->bind = "127.0.0.1";
	o->delay = 100;
	o->qmax = 16 * 1024 * 1024;
	while ((c = getopt(argc, argv, "b:d:P:q:t:")) != -1) {
		switch (c) {
		case 'b': o->bind = optarg; break;
		case 'd': o->delay = number(optarg, 0, 600000); break;
		case 'P': o->portfile = optarg; break;
		case 'q': o->qmax = (size_t)number(optarg, CHUNK, LLONG_MAX); break;
		case 't':
			if ((o->target = strdup(optarg)) == NULL)
				die(0, "out of memory");
			parse_target(o->target, o);
			break;
		default: usage();
		}
	}
	if (optind != argc || o->portfile == NULL || o->host == NULL)
		usage();
}

/* Connect to the target (blocking); return the socket or -1. */
static int
connect_target(const struct opts *o)
{
	struct addrinfo hints, *ai;
	int fd, rc;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if ((rc = getaddrinfo(o->host, o->port, &hints, &ai)) != 0) {
		fprintf(stderr, "delayrelay: bad target %s: %s\n", o->host,
		    gai_strerror(rc));
		return -1;
	}
	fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
	if (fd < 0)
		fprintf(stderr, "delayrelay: socket: %s\n", strerror(errno));
	else if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		fprintf(stderr, "delayrelay: connect %s port %s: %s\n", o->host,
		    o->port, strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

/* Read once from d->src into a new chunk due at now + delay.  Return 0,
 * or -1 on a read error (errno set). */
static int
dir_read(struct dir *d, int64_t delay)
{
	struct chunk *c;
	ssize_t n;

	if ((c = malloc(sizeof *c + CHUNK)) == NULL)
		die(0, "out of memory");
	do
		n = read(d->src, c->data, CHUNK);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		free(c);
		return errno == EAGAIN ? 0 : -1;
	}
	c->next = NULL;
	c->due = now_ms() + delay;
	c->len = (size_t)n;
	c->off = 0;
	if (n == 0)
		d->eof_read = 1;
	else if ((c = realloc(c, sizeof *c + (size_t)n)) == NULL)
		die(0, "out of memory");
	if (d->tail != NULL)
		d->tail->next = c;
	else
		d->head = c;
	d->tail = c;
	d->queued += (size_t)n;
	return 0;
}

/* Write the chunks that are due to d->dst, as far as it takes them; pass
 * a due EOF on.  Return 0, or -1 on a write error (errno set). */
static int
dir_write(struct dir *d, int64_t now)
{
	struct chunk *c;
	ssize_t n;

	while ((c = d->head) != NULL && c->due <= now) {
		if (c->len == 0) {
			if (shutdown(d->dst, SHUT_WR) < 0 && errno != ENOTCONN)
				return -1;
			d->eof_sent = 1;
		} else {
			n = send(d->dst, c->data + c->off, c->len - c->off,
			    MSG_DONTWAIT | MSG_NOSIGNAL);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				return 0;
			if (n < 0)
				return -1;
			c->off += (size_t)n;
			d->queued -= (size_t)n;
			d->total += n;
			if (c->off < c->len)
				return 0;
		}
		d->head = c->next;
		if (d->head == NULL)
			d->tail = NULL;
		free(c);
	}
	return 0;
}

/* Free d's queue. */
static void
dir_free(struct dir *d)
{
	struct chunk *c;

	while ((c = d->head) != NULL) {
		d->head = c->next;
		free(c);
	}
	d->tail = NULL;
}

/* End fd with a reset rather than a FIN. */
static void
reset_close(int fd)
{
	struct linger l = { 1, 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
	close(fd);
}

/* The pending error of socket fd in errno (ECONNRESET if none is told). */
static void
sock_error(int fd)
{
	socklen_t len = sizeof(int);
	int e = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0 || e == 0)
		e = ECONNRESET;
	errno = e;
}

/*
 * Relay between the client cfd and the target tfd until both directions
 * have passed their EOF on, or one side fails.  d[0] reads the client and
 * writes the target, d[1] the other way; pfd[i] is d[i]'s source.  Return
 * 0, or -1 after an error (errno set).
 */
static int
relay(int cfd, int tfd, const struct opts *o, struct dir *d[2])
{
	struct pollfd pfd[2];
	struct chunk *h;
	int64_t now;
	int fds[2] = { cfd, tfd }, i, timeout;

	d[0]->src = cfd, d[0]->dst = tfd;
	d[1]->src = tfd, d[1]->dst = cfd;
	for (;;) {
		now = now_ms();
		timeout = -1;
		for (i = 0; i < 2; i++) {
			if (dir_write(d[i], now) < 0)
				return -1;
			pfd[i].events = 0;
			pfd[i].revents = 0;
		}
		if (d[0]->eof_sent && d[1]->eof_sent)
			return 0;
		for (i = 0; i < 2; i++) {
			if (!d[i]->eof_read && d[i]->queued < o->qmax)
				pfd[i].events |= POLLIN;
			if ((h = d[i]->head) == NULL)
				continue;
			if (h->due <= now)
				pfd[1 - i].events |= POLLOUT;
			else if (timeout < 0 || h->due - now < timeout)
				timeout = (int)(h->due - now);
		}
		/* A socket with nothing to wait for is left out: a finished
		 * one would report POLLHUP for ever. */
		for (i = 0; i < 2; i++)
			pfd[i].fd = pfd[i].events != 0 ? fds[i] : -1;
		if (poll(pfd, 2, timeout) < 0) {
			if (errno == EINTR)
				continue;
			die(1, "poll");
		}
		for (i = 0; i < 2; i++) {
			if ((pfd[i].events & POLLIN) &&
			    (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))) {
				if (dir_read(d[i], o->delay) < 0)
					return -1;
			} else if (pfd[i].revents & POLLERR) {
				sock_error(fds[i]);
				return -1;
			}
		}
	}
}

/* Serve one accepted connection in a child process, then exit. */
static void __attribute__((noreturn))
serve(int cfd, long id, const struct opts *o)
{
	struct dir up, down, *d[2] = { &up, &down };
	int tfd, rc, e, one = 1;

	memset(&up, 0, sizeof up);
	memset(&down, 0, sizeof down);
	if ((tfd = connect_target(o)) < 0) {
		reset_close(cfd);
		_exit(1);
	}
	if (fcntl(cfd, F_SETFL, fcntl(cfd, F_GETFL) | O_NONBLOCK) < 0 ||
	    fcntl(tfd, F_SETFL, fcntl(tfd, F_GETFL) | O_NONBLOCK) < 0)
		die(1, "fcntl");
	/* A chunk goes out when it is due, not when Nagle lets it. */
	setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	setsockopt(tfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	rc = relay(cfd, tfd, o, d);
	e = errno;
	fprintf(stderr, "delayrelay: connection %ld: %lld bytes to target, "
	    "%lld bytes back%s%s\n", id, up.total, down.total,
	    rc < 0 ? ", " : "", rc < 0 ? strerror(e) : "");
	if (rc < 0) {
		reset_close(cfd);
		reset_close(tfd);
	} else {
		close(cfd);
		close(tfd);
	}
	dir_free(&up);
	dir_free(&down);
	_exit(rc < 0 ? 1 : 0);
}

/* Accept connections and relay each in a child until killed. */
int
main(int argc, char **argv)
{
	struct opts o;
	pid_t parent = getpid();
	char err[8192];
	long served = 0;
	int lfd;

	parse_args(argc, argv, &o);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_IGN);	/* no zombies */
	if ((lfd = listen_open(o.bind, AF_UNSPEC, 128, err, sizeof err)) < 0)
		die(0, "%s", err);
	if (listen_port(lfd) == 0)
		die(1, "getsockname");
	if (listen_write_portfile(o.portfile, listen_port(lfd), err,
	    sizeof err) < 0)
		die(0, "%s", err);
	for (;;) {
		int fd = accept(lfd, NULL, NULL);
		pid_t pid;

		if (fd < 0 && (errno == EINTR || errno == ECONNABORTED))
			continue;
		if (fd < 0)
			die(1, "accept");
		served++;
		if ((pid = fork()) < 0)
			die(1, "fork");
		if (pid == 0) {
#ifdef __linux__
			prctl(PR_SET_PDEATHSIG, SIGTERM);
			if (getppid() != parent)
				_exit(1);
#endif
			close(lfd);
			serve(fd, served, &o);
		}
		close(fd);
	}
}
