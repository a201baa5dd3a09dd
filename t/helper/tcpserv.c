/*
 * tcpserv.c: a small loopback TCP server for hopkit's integration tests and
 * benchmarks.
 * SPDX-License-Identifier: MIT
 *
 * tcpserv -m MODE -P PORTFILE [-6] [-b ADDR] [-f FILE] [-z BYTES]
 *         [-s STRING] [-n CONNS]
 *
 * Binds ADDR (127.0.0.1, or ::1 with -6) on port 0, listens, and then
 * writes the port number to PORTFILE atomically (temp file + rename): the
 * file's appearance is the readiness signal.  Each connection is served by
 * a forked child, so connections run concurrently.  The server runs until
 * SIGTERM, or until it has accepted CONNS connections and served them all.
 *
 * Modes:
 *   echo    echo bytes back; on client EOF flush, shutdown(SHUT_WR), close
 *   sink    read to EOF, write the bytes to FILE (default /dev/null), close
 *   source  send FILE, or BYTES zero bytes (-z), as fast as possible, close
 *   reply   read to EOF, send STRING (default: the byte count and "\n"),
 *           close
 *   close   send STRING if given, close at once
 *   early   read once (the first bytes only), send STRING, shutdown(SHUT_WR),
 *           and 200 ms later close without reading the rest (which makes
 *           the kernel reset the connection): a server that answers
 *           "too big" early and hangs up
 *   hang    never accept: the accept queue (backlog 0) is filled by one
 *           self-connection, so further connects get no SYN-ACK and hang
 *   port    write the port to PORTFILE and exit: a free-port finder for
 *           servers that need a port number up front (the port is free
 *           again once tcpserv has exited)
 *
 * Children die with the parent (PR_SET_PDEATHSIG), so killing the server
 * process (or its process group) stops every connection too.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
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

#define BUFSZ (256 * 1024)

struct opts {
	const char *mode;
	const char *portfile;
	const char *addr;
	const char *file;
	const char *string;
	long long zbytes;
	long conns;
	int v6;
};

/* Print "tcpserv: MSG" (plus strerror(errno) if syserr) and exit 1. */
static void __attribute__((noreturn, format(printf, 2, 3)))
die(int syserr, const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	fputs("tcpserv: ", stderr);
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
	fputs("usage: tcpserv -m echo|sink|source|reply|close|hang|port -P PORTFILE\n"
	    "               [-6] [-b ADDR] [-f FILE] [-z BYTES] [-s STRING] [-n CONNS]\n",
	    stderr);
	exit(2);
}

/* read(2) that retries on EINTR. */
static ssize_t
read_retry(int fd, char *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

/*
 * Read from fd until EOF.  If out >= 0 copy every byte there; return the
 * number of bytes read, or -1 on a read or write error.
 */
static long long
drain(int fd, int out, char *buf)
{
	long long total = 0;
	ssize_t n;

	while ((n = read_retry(fd, buf, BUFSZ)) > 0) {
		if (out >= 0 && listen_write_all(out, buf, (size_t)n) < 0)
			return -1;
		total += n;
	}
	return n < 0 ? -1 : total;
}

/* Echo mode: copy fd to itself until EOF, then half-close. */
static int
serve_echo(int fd, char *buf)
{
	if (drain(fd, fd, buf) < 0)
		return -1;
	return shutdown(fd, SHUT_WR);
}

/* Sink mode: copy fd to FILE (truncated first) until EOF. */
static int
serve_sink(int fd, const struct opts *o, char *buf)
{
	const char *path = o->file ? o->file : "/dev/null";
	int out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	long long n;

	if (out < 0)
		die(1, "open %s", path);
	n = drain(fd, out, buf);
	if (close(out) < 0)
		return -1;
	return n < 0 ? -1 : 0;
}

/* Source mode: send FILE, or zbytes zero bytes. */
static int
serve_source(int fd, const struct opts *o, char *buf)
{
	if (o->file != NULL) {
		int in = open(o->file, O_RDONLY);
		ssize_t n;

		if (in < 0)
			die(1, "open %s", o->file);
		while ((n = read_retry(in, buf, BUFSZ)) > 0)
			if (listen_write_all(fd, buf, (size_t)n) < 0)
				break;
		close(in);
		return n == 0 ? 0 : -1;
	}
	memset(buf, 0, BUFSZ);
	for (long long left = o->zbytes; left > 0;) {
		size_t chunk = left < BUFSZ ? (size_t)left : BUFSZ;

		if (listen_write_all(fd, buf, chunk) < 0)
			return -1;
		left -= (long long)chunk;
	}
	return 0;
}

/* Reply mode: read to EOF, then send STRING or the byte count. */
static int
serve_reply(int fd, const struct opts *o, char *buf)
{
	long long n = drain(fd, -1, buf);
	char count[32];

	if (n < 0)
		return -1;
	if (o->string != NULL)
		return listen_write_all(fd, o->string, strlen(o->string));
	snprintf(count, sizeof count, "%lld\n", n);
	return listen_write_all(fd, count, strlen(count));
}

/* Early mode: answer after the first bytes, hang up on the rest. */
static int
serve_early(int fd, const struct opts *o, char *buf)
{
	const char *msg = o->string != NULL ? o->string : "413 too big\n";
	struct timespec ts = { 0, 200 * 1000 * 1000 };

	if (read_retry(fd, buf, 16) < 0 || listen_write_all(fd, msg, strlen(msg)) < 0)
		return -1;
	shutdown(fd, SHUT_WR);
	nanosleep(&ts, NULL);
	return 0;
}

/* Serve one accepted connection in a child process, then exit. */
static void __attribute__((noreturn))
serve(int fd, const struct opts *o)
{
	char *buf = malloc(BUFSZ);
	int rc = 0;

	if (buf == NULL)
		die(0, "out of memory");
	if (strcmp(o->mode, "echo") == 0)
		rc = serve_echo(fd, buf);
	else if (strcmp(o->mode, "sink") == 0)
		rc = serve_sink(fd, o, buf);
	else if (strcmp(o->mode, "source") == 0)
		rc = serve_source(fd, o, buf);
	else if (strcmp(o->mode, "reply") == 0)
		rc = serve_reply(fd, o, buf);
	else if (strcmp(o->mode, "early") == 0)
		rc = serve_early(fd, o, buf);
	else if (strcmp(o->mode, "close") == 0 && o->string != NULL)
		rc = listen_write_all(fd, o->string, strlen(o->string));
	if (rc < 0 && errno != EPIPE && errno != ECONNRESET)
		fprintf(stderr, "tcpserv: %s: %s\n", o->mode, strerror(errno));
	close(fd);
	free(buf);
	_exit(rc < 0 ? 1 : 0);
}

/* Create the listening socket on o->addr port 0 with the given backlog. */
static int
listen_on(const struct opts *o, int backlog)
{
	const char *addr = o->addr ? o->addr : o->v6 ? "::1" : "127.0.0.1";
	char err[512];
	int fd;

	fd = listen_open(addr, o->v6 ? AF_INET6 : AF_UNSPEC, backlog, err,
	    sizeof err);
	if (fd < 0)
		die(0, "%s", err);
	return fd;
}

/* Return the local port of socket fd. */
static unsigned
local_port(int fd)
{
	unsigned port = listen_port(fd);

	if (port == 0)
		die(1, "getsockname");
	return port;
}

/* Write "PORT\n" to path atomically, or die. */
static void
write_portfile(const char *path, unsigned port)
{
	char err[8192];

	if (listen_write_portfile(path, port, err, sizeof err) < 0)
		die(0, "%s", err);
}

/*
 * Hang mode: fill the accept queue of listener lfd (backlog 0) with one
 * connection that is never accepted, so the kernel drops later SYNs.
 * Return the client end, which must stay open.
 */
static int
fill_queue(int lfd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	int fd;

	if (getsockname(lfd, (struct sockaddr *)&ss, &len) < 0)
		die(1, "getsockname");
	if ((fd = socket(ss.ss_family, SOCK_STREAM, 0)) < 0)
		die(1, "socket");
	if (connect(fd, (struct sockaddr *)&ss, len) < 0)
		die(1, "connect to own listener");
	return fd;
}

/* Parse argv into o; exit 2 on a usage error. */
static void
parse_args(int argc, char **argv, struct opts *o)
{
	static const char *const modes[] = {
		"echo", "sink", "source", "reply", "close", "early", "hang", "port",
	};
	char *end;
	int c;

	memset(o, 0, sizeof *o);
	o->conns = -1;
	while ((c = getopt(argc, argv, "6b:f:m:n:P:s:z:")) != -1) {
		switch (c) {
		case '6': o->v6 = 1; break;
		case 'b': o->addr = optarg; break;
		case 'f': o->file = optarg; break;
		case 'm': o->mode = optarg; break;
		case 'P': o->portfile = optarg; break;
		case 's': o->string = optarg; break;
		case 'n':
			o->conns = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || o->conns < 1)
				usage();
			break;
		case 'z':
			o->zbytes = strtoll(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || o->zbytes < 0)
				usage();
			break;
		default: usage();
		}
	}
	if (optind != argc || o->mode == NULL || o->portfile == NULL)
		usage();
	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
		if (strcmp(o->mode, modes[i]) == 0)
			return;
	usage();
}

/* Accept and serve connections until killed or o->conns were served. */
int
main(int argc, char **argv)
{
	struct opts o;
	pid_t parent = getpid();
	long served = 0;
	int lfd;

	parse_args(argc, argv, &o);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_IGN);	/* no zombies; wait() returns at the end */
	lfd = listen_on(&o, strcmp(o.mode, "hang") == 0 ? 0 : 128);
	if (strcmp(o.mode, "port") == 0) {
		write_portfile(o.portfile, local_port(lfd));
		return 0;
	}
	if (strcmp(o.mode, "hang") == 0) {
		int keep = fill_queue(lfd);

		write_portfile(o.portfile, local_port(lfd));
		for (;;)
			pause();
		close(keep);
	}
	write_portfile(o.portfile, local_port(lfd));
	while (o.conns < 0 || served < o.conns) {
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
			serve(fd, &o);
		}
		close(fd);
	}
	close(lfd);
	while (wait(NULL) > 0 || errno == EINTR)
		continue;
	return 0;
}
