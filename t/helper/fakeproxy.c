/*
 * fakeproxy.c: a minimal or deliberately misbehaving HTTP CONNECT / SOCKS
 * proxy for hopkit's integration tests.
 * SPDX-License-Identifier: MIT
 *
 * fakeproxy -m MODE -P PORTFILE [-6] [-t TARGETPORT]
 *
 * Binds 127.0.0.1 (::1 with -6) on port 0, listens, and then writes the
 * port number to PORTFILE atomically (temp file + rename): the file's
 * appearance is the readiness signal.  Each connection is served by a
 * forked child; children die with the parent (PR_SET_PDEATHSIG).  Every
 * mode first reads the client's request (HTTP modes up to the blank line
 * "\r\n\r\n", SOCKS modes the protocol bytes) and logs it on stderr, one
 * line per request or header line, SOCKS bytes in hex.
 *
 * With -t TARGETPORT the relaying modes ignore the requested destination
 * (it is still logged) and connect to TARGETPORT on the listening address
 * (127.0.0.1, or ::1 with -6) instead.
 *
 * Modes:
 *   http-garbage     answer "SSH-2.0-OpenSSH_9.2\r\n", close
 *   http-cut         answer "HTTP/1.1 200 Connection established\r\n"
 *                    "Proxy-Ag" (cut off mid-headers), close
 *   http-bigheaders  answer "HTTP/1.1 200 OK\r\n" and 20 KiB of
 *                    "X-Filler-N: ...\r\n" lines, never the blank line;
 *                    then hold the connection until the client closes
 *   http-slow        send "HTTP/1.1 200 Connection established\r\n\r\n"
 *                    one byte every 100 ms, then relay to the CONNECT
 *                    target (if it cannot be reached: hold the connection
 *                    until the client closes)
 *   http-407         answer 407 with "Proxy-Authenticate: Basic
 *                    realm="fake"" and "Content-Length: 0", close
 *   http-tunnel      a working CONNECT proxy: connect to the target, wait
 *                    up to 1 s for the target's first bytes, send the 200
 *                    reply and those bytes in ONE write(2), then relay both
 *                    ways with half-close (502 if the target is unreachable)
 *   socks5-badver    read the greeting, answer "\x04\x00", close
 *   socks5-refused   greeting (selects no-auth, else user/password, which
 *                    it accepts), read the request, answer REP=5
 *                    (connection refused), close
 *   socks4           a working SOCKS4/4a server (CONNECT only; 4a names
 *                    resolved with getaddrinfo): reply CD=0x5A, relay both
 *                    ways with half-close; 0x5B if the target fails
 *   socks4-reject    read the request, answer CD=0x5B, close
 *
 * "close" means: shutdown(SHUT_WR) at once, then read and drop what the
 * client still sends for up to 2 s before close(2), so that unread bytes
 * never turn the answer into a reset.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#define BUFSZ (64 * 1024)	/* relay buffer per direction, request cap */
#define FIRST_MAX (16 * 1024)	/* http-tunnel: target bytes sent with reply */
#define IO_TIMEOUT_MS 10000	/* waiting for the rest of a request */

struct opts {
	const char *mode;
	const char *portfile;
	long tport;
	int v6;
};

/* Print "fakeproxy: MSG" (plus strerror(errno) if syserr) and exit 1. */
static void __attribute__((noreturn, format(printf, 2, 3)))
die(int syserr, const char *fmt, ...)
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

/*
 * Log "fakeproxy[PID]: MSG\n" on stderr in a single write(2), so lines of
 * concurrent children do not interleave.  Long messages are truncated.
 */
static void __attribute__((format(printf, 1, 2)))
say(const char *fmt, ...)
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

/* Log label and the n bytes at p as hex (capped at 300 bytes). */
static void
say_hex(const char *label, const unsigned char *p, size_t n)
{
	char hex[3 * 300 + 8];
	size_t i, k = 0;

	for (i = 0; i < n && i < 300; i++)
		k += (size_t)snprintf(hex + k, sizeof hex - k, "%s%02x",
		    i ? " " : "", p[i]);
	if (i < n)
		snprintf(hex + k, sizeof hex - k, " ...");
	say("%s (%zu bytes): %s", label, n, hex);
}

/* Log one request line of len bytes with C escapes for unprintable bytes. */
static void
say_line(const char *p, size_t len)
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
	say("> %s%s", esc, i < len ? "..." : "");
}

/* Print the usage on stderr and exit 2. */
static void __attribute__((noreturn))
usage(void)
{
	fputs("usage: fakeproxy -m MODE -P PORTFILE [-6] [-t TARGETPORT]\n"
	    "modes: http-garbage http-cut http-bigheaders http-slow http-407\n"
	    "       http-tunnel socks5-badver socks5-refused socks4 socks4-reject\n",
	    stderr);
	exit(2);
}

/* Write all len bytes of buf to the blocking fd; return 0 or -1 (errno). */
static int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Send the string s to fd and log how much went out (or why not). */
static void
send_str(int fd, const char *s)
{
	if (write_all(fd, s, strlen(s)) < 0)
		say("write to client: %s", strerror(errno));
	else
		say("sent %zu bytes", strlen(s));
}

/* Wait up to ms milliseconds (-1: forever) until fd is readable; 1 if so. */
static int
wait_readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int rc;

	do
		rc = poll(&p, 1, ms);
	while (rc < 0 && errno == EINTR);
	return rc > 0;
}

/*
 * Read exactly n bytes from fd into buf, waiting at most IO_TIMEOUT_MS
 * for each piece.  Return 0, or -1 on EOF, error or timeout.
 */
static int
read_full(int fd, void *buf, size_t n)
{
	char *p = buf;

	while (n > 0) {
		ssize_t r;

		if (!wait_readable(fd, IO_TIMEOUT_MS))
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

/*
 * Read a NUL-terminated string (SOCKS4 USERID or 4a HOSTNAME) of at most
 * cap - 1 bytes into s.  Return 0, or -1 on EOF, timeout or overlong.
 */
static int
read_cstring(int fd, char *s, size_t cap)
{
	for (size_t i = 0; i < cap; i++) {
		if (read_full(fd, s + i, 1) < 0)
			return -1;
		if (s[i] == '\0')
			return 0;
	}
	return -1;
}

/*
 * Read an HTTP request head (up to and including "\r\n\r\n") into buf
 * (cap bytes).  Set *headlen to the head's length and *total to all bytes
 * read (bytes after the head were sent early by the client and belong to
 * the tunnel).  Log every line.  Return 0, or -1 on EOF, timeout or a head
 * longer than cap.
 */
static int
read_http_head(int fd, char *buf, size_t cap, size_t *headlen, size_t *total)
{
	size_t have = 0;
	char *end = NULL;

	while (end == NULL) {
		ssize_t r;

		if (have == cap) {
			say("request head longer than %zu bytes", cap);
			return -1;
		}
		if (!wait_readable(fd, IO_TIMEOUT_MS)) {
			say("timeout waiting for the request head (%zu bytes so far)", have);
			return -1;
		}
		r = read(fd, buf + have, cap - have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			say("client closed before the end of the request head (%zu bytes)", have);
			if (have > 0)
				say_line(buf, have);
			return -1;
		}
		have += (size_t)r;
		end = memmem(buf, have, "\r\n\r\n", 4);
	}
	*headlen = (size_t)(end - buf) + 4;
	*total = have;
	for (char *p = buf; p < end;) {
		char *eol = memmem(p, (size_t)(end + 2 - p), "\r\n", 2);

		say_line(p, (size_t)(eol - p));
		p = eol + 2;
	}
	if (*total > *headlen)
		say("client sent %zu tunnel bytes with the request", *total - *headlen);
	return 0;
}

/*
 * Close fd politely: half-close at once (the client sees EOF), then read
 * and drop its remaining input for up to 2 s, so that unread bytes do not
 * make the kernel reset the connection before the answer is read.
 */
static void
linger_close(int fd)
{
	char buf[4096];
	struct timespec t0, now;

	shutdown(fd, SHUT_WR);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		long left;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left = 2000 - ((now.tv_sec - t0.tv_sec) * 1000 +
		    (now.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0 || !wait_readable(fd, (int)left) ||
		    read(fd, buf, sizeof buf) <= 0)
			break;
	}
	close(fd);
}

/* Read and drop the client's input until it closes, then close fd. */
static void
hold_open(int fd)
{
	char buf[4096];
	ssize_t r;

	do
		r = wait_readable(fd, -1) ? read(fd, buf, sizeof buf) : -1;
	while (r > 0 || (r < 0 && errno == EINTR));
	say("client closed the connection");
	close(fd);
}

/*
 * Connect to host:port (any address family, each address in turn).
 * Return the connected blocking socket, or -1 with errno set.
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
		say("cannot resolve %s: %s", host, gai_strerror(rc));
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

/*
 * Connect to the requested host:port, or with -t to TARGETPORT on the
 * listening address.  Log the outcome.  Return the socket or -1.
 */
static int
dial_target(const struct opts *o, const char *host, const char *port)
{
	char tp[24];
	int fd;

	if (o->tport > 0) {
		snprintf(tp, sizeof tp, "%ld", o->tport);
		say("target %s port %s replaced by -t %s", host, port, tp);
		host = o->v6 ? "::1" : "127.0.0.1";
		port = tp;
	}
	fd = dial(host, port);
	if (fd < 0)
		say("connect to %s port %s: %s", host, port, strerror(errno));
	else
		say("connected to %s port %s", host, port);
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
	char buf[BUFSZ];
	size_t off, len;
	int eof;	/* from sent EOF */
	int done;	/* ... and everything went out, to shut down for writing */
};

/*
 * Relay between sockets a and b until both directions have ended: each
 * side's EOF becomes shutdown(SHUT_WR) on the other once its buffered
 * bytes are out.  pre (prelen <= BUFSZ bytes) was already read from a and
 * goes to b first.  Closes a and b.  Return 0, or -1 on an I/O error
 * (reset, broken pipe), which ends both directions at once.
 */
static int
relay(int a, int b, const char *pre, size_t prelen)
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
		die(1, "fcntl");
	while (!d[0].done || !d[1].done) {
		/* p[i] polls d[i].from, which is also d[1 - i].to */
		struct pollfd p[2] = { { .fd = a }, { .fd = b } };

		for (int i = 0; i < 2; i++) {
			if (!d[i].eof && d[i].off + d[i].len < BUFSZ)
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
			die(1, "poll");
		}
		for (int i = 0; i < 2 && rc == 0; i++) {
			struct dir *in = &d[i], *out = &d[1 - i];
			ssize_t n;

			if ((p[i].events & POLLIN) &&
			    (p[i].revents & (POLLIN | POLLHUP | POLLERR))) {
				n = read(in->from, in->buf + in->off + in->len,
				    BUFSZ - in->off - in->len);
				if (n > 0)
					in->len += (size_t)n, moved[i] += n;
				else if (n == 0)
					in->eof = 1;
				else if (errno != EAGAIN && errno != EINTR)
					rc = -1;
			}
			if (rc == 0 && (p[i].events & POLLOUT) &&
			    (p[i].revents & (POLLOUT | POLLHUP | POLLERR))) {
				n = write(out->to, out->buf + out->off, out->len);
				if (n > 0) {
					out->off += (size_t)n, out->len -= (size_t)n;
					if (out->len == 0)
						out->off = 0;
				} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
					rc = -1;
				}
			}
		}
		if (rc < 0) {
			say("relay error: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (d[i].eof && d[i].len == 0 && !d[i].done) {
				shutdown(d[i].to, SHUT_WR);
				d[i].done = 1;
				say("%s sent EOF: half-closed towards the %s",
				    i ? "target" : "client", i ? "client" : "target");
			}
			if (d[i].len > 0 && d[i].off > 0 && d[i].off + d[i].len == BUFSZ) {
				memmove(d[i].buf, d[i].buf + d[i].off, d[i].len);
				d[i].off = 0;
			}
		}
	}
	say("relay done: %lld bytes client->target, %lld bytes target->client",
	    moved[0] + (long long)prelen, moved[1]);
	close(a);
	close(b);
	return rc;
}

/*
 * Split the request line "CONNECT host:port HTTP/1.x" (the first line of
 * head) into host (brackets of "[v6]" removed, hostsz bytes) and port
 * (portsz bytes).  Return 0, or -1 if it is no CONNECT line.
 */
static int
parse_connect(const char *head, char *host, size_t hostsz, char *port, size_t portsz)
{
	const char *t = head + 8, *eol, *sp, *colon;
	size_t hl, pl;

	if (strncmp(head, "CONNECT ", 8) != 0 || (eol = strstr(t, "\r\n")) == NULL ||
	    (sp = memchr(t, ' ', (size_t)(eol - t))) == NULL ||
	    (colon = memrchr(t, ':', (size_t)(sp - t))) == NULL)
		return -1;
	hl = (size_t)(colon - t);
	pl = (size_t)(sp - colon - 1);
	if (hl >= 2 && t[0] == '[' && t[hl - 1] == ']')
		t++, hl -= 2;
	if (hl == 0 || hl >= hostsz || pl == 0 || pl >= portsz)
		return -1;
	memcpy(host, t, hl);
	host[hl] = '\0';
	memcpy(port, colon + 1, pl);
	port[pl] = '\0';
	return 0;
}

/* http-bigheaders: a 200 status line, then 20 KiB of header lines. */
static void
serve_bigheaders(int fd)
{
	static char big[24 * 1024];
	size_t k = 0;

	k += (size_t)snprintf(big, sizeof big, "HTTP/1.1 200 OK\r\n");
	for (int n = 1; k < 17 + 20 * 1024; n++)
		k += (size_t)snprintf(big + k, sizeof big - k, "X-Filler-%d: %s\r\n", n,
		    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
	if (write_all(fd, big, k) < 0)
		say("write: %s", strerror(errno));
	else
		say("sent a 200 status line and %zu bytes of header lines, no blank line", k - 17);
	hold_open(fd);
}

/* http-slow: the reply one byte per 100 ms, then relay (or hold). */
static void
serve_slow(int fd, const struct opts *o, const char *head, size_t headlen, size_t total)
{
	static const char reply[] = "HTTP/1.1 200 Connection established\r\n\r\n";
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	char host[256], port[16];
	int tfd;

	for (size_t i = 0; i < sizeof reply - 1; i++) {
		if (write_all(fd, reply + i, 1) < 0) {
			say("client went away after %zu reply bytes: %s", i, strerror(errno));
			close(fd);
			return;
		}
		nanosleep(&ts, NULL);
	}
	say("sent the reply slowly (%zu bytes)", sizeof reply - 1);
	if (parse_connect(head, host, sizeof host, port, sizeof port) < 0 ||
	    (tfd = dial_target(o, host, port)) < 0) {
		say("no target: holding the connection until the client closes");
		hold_open(fd);
		return;
	}
	relay(fd, tfd, head + headlen, total - headlen);
}

/*
 * http-tunnel: connect to the target, send the 200 reply together with
 * the target's first bytes in one write(2), then relay.
 */
static void
serve_tunnel(int fd, const struct opts *o, const char *head, size_t headlen, size_t total)
{
	static const char reply[] = "HTTP/1.1 200 Connection established\r\n\r\n";
	static char out[sizeof reply + FIRST_MAX];
	char host[256], port[16];
	ssize_t n = 0;
	int tfd;

	if (parse_connect(head, host, sizeof host, port, sizeof port) < 0) {
		say("not a CONNECT request: 400");
		send_str(fd, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
		linger_close(fd);
		return;
	}
	if ((tfd = dial_target(o, host, port)) < 0) {
		send_str(fd, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
		linger_close(fd);
		return;
	}
	if (total > headlen && write_all(tfd, head + headlen, total - headlen) < 0)
		say("write to target: %s", strerror(errno));
	memcpy(out, reply, sizeof reply - 1);
	if (wait_readable(tfd, 1000)) {
		do
			n = read(tfd, out + sizeof reply - 1, FIRST_MAX);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			n = 0;
	}
	if (write(fd, out, sizeof reply - 1 + (size_t)n) != (ssize_t)(sizeof reply - 1 + (size_t)n)) {
		say("reply write short or failed: %s", strerror(errno));
		close(fd);
		close(tfd);
		return;
	}
	say("sent the 200 reply and %zd tunnel bytes in one write", n);
	relay(fd, tfd, "", 0);
}

/* Serve one HTTP-mode connection. */
static void
serve_http(int fd, const struct opts *o)
{
	static char head[BUFSZ];
	static const char r407[] = "HTTP/1.1 407 Proxy Authentication Required\r\n"
	    "Proxy-Authenticate: Basic realm=\"fake\"\r\nContent-Length: 0\r\n\r\n";
	static const char cut[] = "HTTP/1.1 200 Connection established\r\nProxy-Ag";
	static const char garbage[] = "SSH-2.0-OpenSSH_9.2\r\n";
	const char *m = o->mode;
	size_t headlen, total;

	if (read_http_head(fd, head, sizeof head - 1, &headlen, &total) < 0) {
		close(fd);
		return;
	}
	head[total] = '\0';
	if (strcmp(m, "http-tunnel") == 0) {
		serve_tunnel(fd, o, head, headlen, total);
	} else if (strcmp(m, "http-slow") == 0) {
		serve_slow(fd, o, head, headlen, total);
	} else if (strcmp(m, "http-bigheaders") == 0) {
		serve_bigheaders(fd);
	} else {
		send_str(fd, strcmp(m, "http-407") == 0 ? r407 :
		    strcmp(m, "http-cut") == 0 ? cut : garbage);
		linger_close(fd);
	}
}

/*
 * Read a SOCKS5 request's address (ATYP already in req[3]) and port into
 * req after the 4 header bytes; set *len to the request's total length.
 * Return 0 or -1.
 */
static int
read_socks5_addr(int fd, unsigned char *req, size_t *len)
{
	size_t alen;

	switch (req[3]) {
	case 1: alen = 4; break;
	case 4: alen = 16; break;
	case 3:
		if (read_full(fd, req + 4, 1) < 0)
			return -1;
		if (read_full(fd, req + 5, (size_t)req[4] + 2) < 0)
			return -1;
		*len = 5 + (size_t)req[4] + 2;
		return 0;
	default:
		say("unknown ATYP %u", req[3]);
		return -1;
	}
	if (read_full(fd, req + 4, alen + 2) < 0)
		return -1;
	*len = 4 + alen + 2;
	return 0;
}

/* Serve one SOCKS5-mode connection (socks5-badver, socks5-refused). */
static void
serve_socks5(int fd, const struct opts *o)
{
	static const unsigned char refused[10] = { 5, 5, 0, 1 };
	unsigned char g[2 + 255], req[4 + 1 + 255 + 2], sel[2] = { 5, 0xff };
	size_t len;

	if (read_full(fd, g, 2) < 0 || read_full(fd, g + 2, g[1]) < 0) {
		say("client closed or stalled during the greeting");
		close(fd);
		return;
	}
	say_hex("socks5 greeting", g, 2 + (size_t)g[1]);
	if (strcmp(o->mode, "socks5-badver") == 0) {
		write_all(fd, "\x04\x00", 2);
		say("answered 04 00 (wrong version), closing");
		linger_close(fd);
		return;
	}
	if (g[0] == 5) {
		if (memchr(g + 2, 0x00, g[1]) != NULL)
			sel[1] = 0x00;
		else if (memchr(g + 2, 0x02, g[1]) != NULL)
			sel[1] = 0x02;
	}
	if (write_all(fd, sel, 2) < 0 || sel[1] == 0xff) {
		say("no acceptable method (or not version 5): answered 05 ff");
		linger_close(fd);
		return;
	}
	if (sel[1] == 0x02) {
		unsigned char a[1 + 1 + 255 + 1 + 255];
		size_t ul, pl;

		if (read_full(fd, a, 2) < 0 || read_full(fd, a + 2, (ul = a[1]) + 1) < 0 ||
		    read_full(fd, a + 3 + ul, (pl = a[2 + ul])) < 0) {
			say("client closed or stalled during user/password auth");
			close(fd);
			return;
		}
		say_hex("socks5 user/password auth", a, 3 + ul + pl);
		write_all(fd, "\x01\x00", 2);
	}
	if (read_full(fd, req, 4) < 0 || read_socks5_addr(fd, req, &len) < 0) {
		say("client closed or stalled during the request");
		close(fd);
		return;
	}
	say_hex("socks5 request", req, len);
	write_all(fd, refused, sizeof refused);
	say("answered REP=5 (connection refused), closing");
	linger_close(fd);
}

/* Serve one SOCKS4/4a connection (socks4, socks4-reject). */
static void
serve_socks4(int fd, const struct opts *o)
{
	unsigned char h[8], reply[8] = { 0, 0x5b };
	char user[256], name[256] = "", host[256], port[8];
	int tfd = -1;

	if (read_full(fd, h, 8) < 0 || read_cstring(fd, user, sizeof user) < 0 ||
	    (h[4] == 0 && h[5] == 0 && h[6] == 0 && h[7] != 0 &&
	    read_cstring(fd, name, sizeof name) < 0)) {
		say("client closed or stalled during the SOCKS4 request");
		close(fd);
		return;
	}
	say_hex("socks4 request header", h, 8);
	snprintf(port, sizeof port, "%u", (unsigned)(h[2] << 8 | h[3]));
	if (*name != '\0')
		snprintf(host, sizeof host, "%s", name);
	else
		snprintf(host, sizeof host, "%u.%u.%u.%u", h[4], h[5], h[6], h[7]);
	say("socks4%s VN=%u CD=%u user \"%s\" target %s port %s", *name ? "a" : "",
	    h[0], h[1], user, host, port);
	memcpy(reply + 2, h + 2, 6);
	if (strcmp(o->mode, "socks4") == 0 && h[0] == 4 && h[1] == 1 &&
	    (tfd = dial_target(o, host, port)) >= 0)
		reply[1] = 0x5a;
	if (write_all(fd, reply, sizeof reply) < 0 || tfd < 0) {
		say("answered CD=0x%02x, closing", reply[1]);
		if (tfd >= 0)
			close(tfd);
		linger_close(fd);
		return;
	}
	say("answered CD=0x5a, relaying");
	relay(fd, tfd, "", 0);
}

/* Serve one accepted connection in a child process, then exit. */
static void __attribute__((noreturn))
serve(int fd, const struct opts *o)
{
	say("%s: connection accepted", o->mode);
	if (strncmp(o->mode, "http-", 5) == 0)
		serve_http(fd, o);
	else if (strncmp(o->mode, "socks5-", 7) == 0)
		serve_socks5(fd, o);
	else
		serve_socks4(fd, o);
	_exit(0);
}

/* Create the listening socket on 127.0.0.1 (::1 with v6) port 0. */
static int
listen_on(int v6)
{
	struct addrinfo hints, *ai;
	const char *addr = v6 ? "::1" : "127.0.0.1";
	int fd, rc;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = v6 ? AF_INET6 : AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	if ((rc = getaddrinfo(addr, "0", &hints, &ai)) != 0)
		die(0, "bad address %s: %s", addr, gai_strerror(rc));
	if ((fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol)) < 0)
		die(1, "socket");
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0)
		die(1, "bind %s", addr);
	if (listen(fd, 128) < 0)
		die(1, "listen");
	freeaddrinfo(ai);
	return fd;
}

/* Return the local port of socket fd. */
static unsigned
local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		die(1, "getsockname");
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

/* Write "PORT\n" to path atomically: a temp file renamed into place. */
static void
write_portfile(const char *path, unsigned port)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	if ((f = fopen(tmp, "w")) == NULL)
		die(1, "create %s", tmp);
	fprintf(f, "%u\n", port);
	if (fclose(f) != 0)
		die(1, "write %s", tmp);
	if (rename(tmp, path) < 0)
		die(1, "rename %s to %s", tmp, path);
}

/* Parse argv into o; exit 2 on a usage error or an unknown mode. */
static void
parse_args(int argc, char **argv, struct opts *o)
{
	static const char *const modes[] = {
		"http-garbage", "http-cut", "http-bigheaders", "http-slow",
		"http-407", "http-tunnel", "socks5-badver", "socks5-refused",
		"socks4", "socks4-reject",
	};
	char *end;
	int c;

	memset(o, 0, sizeof *o);
	while ((c = getopt(argc, argv, "6m:P:t:")) != -1) {
		switch (c) {
		case '6': o->v6 = 1; break;
		case 'm': o->mode = optarg; break;
		case 'P': o->portfile = optarg; break;
		case 't':
			o->tport = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || o->tport < 1 || o->tport > 65535)
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

/* Accept connections and serve each in a child until killed. */
int
main(int argc, char **argv)
{
	struct opts o;
	pid_t parent = getpid();
	int lfd;

	parse_args(argc, argv, &o);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_IGN);	/* no zombies */
	lfd = listen_on(o.v6);
	write_portfile(o.portfile, local_port(lfd));
	say("%s: listening on %s port %u", o.mode, o.v6 ? "::1" : "127.0.0.1",
	    local_port(lfd));
	for (;;) {
		int fd = accept(lfd, NULL, NULL);
		pid_t pid;

		if (fd < 0 && (errno == EINTR || errno == ECONNABORTED))
			continue;
		if (fd < 0)
			die(1, "accept");
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
}
