/*
 * lib-relay.c: unit tests for lib/relay.c (two-way relay between fds).
 * SPDX-License-Identifier: MIT
 *
 * The relay runs on the main thread's loop; the far ends of its fds are
 * driven by small threads that write a known pattern and check what they
 * read, so lost, duplicated or reordered bytes show up.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "basic.h"
#include "relay.h"

#define MiB (1024 * 1024)

/* The pattern byte at offset i of stream seed. */
static unsigned char
pat(unsigned seed, uint64_t i)
{
	return (unsigned char)((i * 2654435761u + seed) >> 7);
}

struct peer {
	pthread_t tid;
	int fd;
	unsigned seed;
	uint64_t want;		/* writer: bytes to send; reader: expected */
	uint64_t got;		/* reader: bytes read */
	int bad;		/* reader: pattern mismatch seen */
	int shut;		/* writer: 1 shutdown(SHUT_WR), 2 close */
};

static void *
writer_main(void *arg)
{
	struct peer *p = arg;
	unsigned char buf[65536];
	uint64_t off = 0;
	size_t i, n;
	ssize_t w;

	while (off < p->want) {
		n = p->want - off < sizeof(buf) ? (size_t)(p->want - off) : sizeof(buf);
		for (i = 0; i < n; i++)
			buf[i] = pat(p->seed, off + i);
		w = write(p->fd, buf, n);
		if (w <= 0) {
			if (w == -1 && errno == EINTR)
				continue;
			break;
		}
		off += (uint64_t)w;
		if ((size_t)w < n)
			continue;
	}
	if (p->shut == 1)
		shutdown(p->fd, SHUT_WR);
	else if (p->shut == 2)
		close(p->fd);
	return NULL;
}

static void *
reader_main(void *arg)
{
	struct peer *p = arg;
	unsigned char buf[65536];
	ssize_t n, i;

	for (;;) {
		n = read(p->fd, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (i = 0; i < n; i++)
			if (buf[i] != pat(p->seed, p->got + (uint64_t)i))
				p->bad = 1;
		p->got += (uint64_t)n;
	}
	return NULL;
}

static void
peer_start(struct peer *p, void *(*fn)(void *))
{
	if (pthread_create(&p->tid, NULL, fn, p) != 0)
		sysbail("pthread_create");
}

struct done {
	int n;
	struct relay_result res;
};

static void
done_cb(struct relay *r, const struct relay_result *res, void *arg)
{
	struct done *d = arg;

	(void)r;
	d->n++;
	d->res = *res;
}

static void
run_until_done(struct event_base *base, struct done *d)
{
	while (d->n == 0)
		event_base_loop(base, EVLOOP_ONCE);
}

/* Both directions at once over socketpairs, with half-close both ways. */
static void
test_both_ways(struct event_base *base, unsigned flags, const char *mode)
{
	struct relay_opts o = { .flags = flags };
	struct peer aw, ar, bw, br;
	struct done d = { 0 };
	struct relay *r;
	int a[2], b[2];
	uint64_t size = 8 * MiB + 12345;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, a) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, b) == -1)
		sysbail("socketpair");
	r = relay_new(base, a[1], a[1], b[1], b[1], &o, done_cb, &d);
	ok(r != NULL, "%s: relay_new", mode);
	is_int(!(flags & RELAY_F_NO_SPLICE), relay_spliced(r, RELAY_AB),
	    "%s: splice in use as asked", mode);
	aw = (struct peer){ .fd = a[0], .seed = 1, .want = size, .shut = 1 };
	ar = (struct peer){ .fd = a[0], .seed = 2 };
	bw = (struct peer){ .fd = b[0], .seed = 2, .want = size, .shut = 1 };
	br = (struct peer){ .fd = b[0], .seed = 1 };
	peer_start(&aw, writer_main);
	peer_start(&ar, reader_main);
	peer_start(&bw, writer_main);
	peer_start(&br, reader_main);
	run_until_done(base, &d);
	pthread_join(aw.tid, NULL);
	pthread_join(bw.tid, NULL);
	pthread_join(ar.tid, NULL);
	pthread_join(br.tid, NULL);
	is_int(0, d.res.error, "%s: no error", mode);
	ok(br.got == size && !br.bad, "%s: a->b all %llu bytes, in order", mode,
	    (unsigned long long)br.got);
	ok(ar.got == size && !ar.bad, "%s: b->a all %llu bytes, in order", mode,
	    (unsigned long long)ar.got);
	ok(d.res.bytes[RELAY_AB] == size && d.res.bytes[RELAY_BA] == size,
	    "%s: byte counts", mode);
	relay_free(r);
	close(a[0]);
	close(b[0]);
}

/* Side A made of pipes, as a tool's stdin and stdout: one splice straight
 * across each way (direct mode), or copying. */
static void
test_pipes_both_ways(struct event_base *base, unsigned flags, const char *mode)
{
	struct relay_opts o = { .flags = flags };
	struct peer aw, ar, bw, br;
	struct done d = { 0 };
	struct relay *r;
	int in[2], out[2], b[2];
	uint64_t size = 16 * MiB + 3;

	if (pipe(in) == -1 || pipe(out) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, b) == -1)
		sysbail("pipe");
	r = relay_new(base, in[0], out[1], b[1], b[1], &o, done_cb, &d);
	is_string("copy", relay_mode_name(r, RELAY_AB),
	    "%s pipes: pipe to socket copies (measured faster)", mode);
	is_string(flags & RELAY_F_NO_SPLICE ? "copy" : "direct",
	    relay_mode_name(r, RELAY_BA), "%s pipes: socket to pipe as asked", mode);
	aw = (struct peer){ .fd = in[1], .seed = 4, .want = size, .shut = 2 };
	ar = (struct peer){ .fd = out[0], .seed = 5 };
	bw = (struct peer){ .fd = b[0], .seed = 5, .want = size, .shut = 1 };
	br = (struct peer){ .fd = b[0], .seed = 4 };
	peer_start(&aw, writer_main);
	peer_start(&ar, reader_main);
	peer_start(&bw, writer_main);
	peer_start(&br, reader_main);
	run_until_done(base, &d);
	pthread_join(aw.tid, NULL);
	pthread_join(bw.tid, NULL);
	pthread_join(br.tid, NULL);
	relay_free(r);		/* closes out[1]: the reader sees EOF */
	pthread_join(ar.tid, NULL);
	is_int(0, d.res.error, "%s pipes: no error", mode);
	ok(br.got == size && !br.bad, "%s pipes: stdin-like pipe to B whole", mode);
	ok(ar.got == size && !ar.bad, "%s pipes: B to stdout-like pipe whole", mode);
	close(out[0]);
	close(b[0]);
}

/* Direct mode holds nothing itself: a stalled reader stops the writer.
 * A socket spliced into a pipe nobody reads. */
static void
test_backpressure_direct(struct event_base *base)
{
	struct done d = { 0 };
	struct relay *r;
	struct peer outr;
	char buf[65536];
	uint64_t sent = 0;
	int a[2], in[2], out[2], stalls = 0, rounds;
	ssize_t n;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, a) == -1 || pipe(in) == -1 ||
	    pipe(out) == -1)
		sysbail("pipe");
	fcntl(a[0], F_SETFL, O_NONBLOCK);
	/* A = the socket, B = (pipe in, pipe out): A->B is socket to pipe. */
	r = relay_new(base, a[1], a[1], in[0], out[1], NULL, done_cb, &d);
	is_string("direct", relay_mode_name(r, RELAY_AB),
	    "direct: socket to pipe splices straight across");
	memset(buf, 0, sizeof(buf));
	for (rounds = 0; rounds < 100000 && stalls < 50; rounds++) {
		n = write(a[0], buf, sizeof(buf));
		if (n > 0) {
			sent += (uint64_t)n;
			stalls = 0;
		} else {
			stalls++;
		}
		event_base_loop(base, EVLOOP_NONBLOCK);
		if (relay_buffered(r, RELAY_AB) != 0)
			break;
	}
	ok(stalls >= 50, "direct: the writer was stopped (%llu bytes in)",
	    (unsigned long long)sent);
	is_int(0, (long long)relay_buffered(r, RELAY_AB),
	    "direct: the relay itself held nothing");
	ok(sent < 64 * MiB, "direct: memory did not grow with the input");
	outr = (struct peer){ .fd = out[0], .seed = 0 };
	peer_start(&outr, reader_main);
	fcntl(a[0], F_SETFL, 0);
	shutdown(a[0], SHUT_WR);
	close(in[1]);
	run_until_done(base, &d);
	relay_free(r);		/* closes out[1]: the reader sees EOF */
	pthread_join(outr.tid, NULL);
	ok(outr.got == sent, "direct: all %llu bytes delivered after the stall",
	    (unsigned long long)outr.got);
	close(out[0]);
	close(a[0]);
}

/* stdin/stdout-like pipes on side A: A's EOF half-closes B, and B's EOF
 * closes A's output while B still receives. */
static void
test_half_close(struct event_base *base, unsigned flags, const char *mode)
{
	struct relay_opts o = { .flags = flags };
	struct done d = { 0 };
	struct relay *r;
	int in[2], out[2], b[2];
	char buf[64];
	ssize_t n;

	if (pipe(in) == -1 || pipe(out) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, b) == -1)
		sysbail("pipe");
	r = relay_new(base, in[0], out[1], b[1], b[1], &o, done_cb, &d);
	/* A's input ends first: B must see EOF, and still be able to reply. */
	if (write(in[1], "question", 8) != 8)
		sysbail("write");
	close(in[1]);
	while (relay_bytes(r, RELAY_AB) < 8)
		event_base_loop(base, EVLOOP_ONCE);
	event_base_loop(base, EVLOOP_NONBLOCK);
	n = read(b[0], buf, sizeof(buf));
	ok(n == 8 && memcmp(buf, "question", 8) == 0, "%s: B got A's data", mode);
	n = read(b[0], buf, sizeof(buf));
	is_int(0, n, "%s: then EOF (A's EOF became shutdown(SHUT_WR))", mode);
	is_int(0, d.n, "%s: relay still running after one side's EOF", mode);
	if (write(b[0], "answer", 6) != 6)
		sysbail("write");
	shutdown(b[0], SHUT_WR);
	run_until_done(base, &d);
	n = read(out[0], buf, sizeof(buf));
	ok(n == 6 && memcmp(buf, "answer", 6) == 0, "%s: A got the answer", mode);
	n = read(out[0], buf, sizeof(buf));
	is_int(0, n, "%s: A's output closed after B's EOF", mode);
	is_int(0, d.res.error, "%s: no error", mode);
	relay_free(r);
	close(in[0]);
	close(out[0]);
	close(b[0]);
}

/* RELAY_F_B_EOF_ENDS: B closing ends the relay although A's input is open. */
static void
test_b_eof_ends(struct event_base *base)
{
	struct relay_opts o = { .flags = RELAY_F_B_EOF_ENDS };
	struct done d = { 0 };
	struct relay *r;
	int in[2], out[2], b[2];
	char buf[64];
	double t0;

	if (pipe(in) == -1 || pipe(out) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, b) == -1)
		sysbail("pipe");
	r = relay_new(base, in[0], out[1], b[1], b[1], &o, done_cb, &d);
	if (write(b[0], "bye", 3) != 3)
		sysbail("write");
	close(b[0]);
	t0 = tap_now();
	run_until_done(base, &d);
	ok(tap_now() - t0 < 1.5, "B's EOF ends the relay with A's input still open");
	ok(read(out[0], buf, sizeof(buf)) == 3 && memcmp(buf, "bye", 3) == 0,
	    "the last bytes from B were delivered");
	is_int(0, d.res.error, "no error");
	relay_free(r);
	close(in[1]);
	close(out[0]);
}

/* A reader that stops reading stops the relay reading its writer: the
 * bytes held inside the relay never pass the buffer size. */
static void
test_backpressure(struct event_base *base, unsigned flags, const char *mode)
{
	struct relay_opts o = { .flags = flags, .bufsize = 128 * 1024 };
	struct done d = { 0 };
	struct relay *r;
	struct peer br;
	unsigned char buf[65536];
	uint64_t sent = 0;
	size_t i, maxheld = 0;
	int a[2], b[2], stalls = 0, rounds;
	ssize_t n;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, a) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, b) == -1)
		sysbail("socketpair");
	fcntl(a[0], F_SETFL, O_NONBLOCK);
	r = relay_new(base, a[1], a[1], b[1], b[1], &o, done_cb, &d);
	for (rounds = 0; rounds < 100000 && stalls < 50; rounds++) {
		for (i = 0; i < sizeof(buf); i++)
			buf[i] = pat(7, sent + i);
		n = write(a[0], buf, sizeof(buf));
		if (n > 0) {
			sent += (uint64_t)n;
			stalls = 0;
		} else {
			stalls++;
		}
		event_base_loop(base, EVLOOP_NONBLOCK);
		if (relay_buffered(r, RELAY_AB) > maxheld)
			maxheld = relay_buffered(r, RELAY_AB);
	}
	ok(stalls >= 50, "%s: the writer was stopped (%llu bytes in)", mode,
	    (unsigned long long)sent);
	ok(maxheld <= 2 * o.bufsize, "%s: relay held at most %zu bytes (bound %zu)",
	    mode, maxheld, 2 * o.bufsize);
	ok(sent < 64 * MiB, "%s: memory did not grow with the input", mode);
	/* Now drain: every byte arrives. */
	br = (struct peer){ .fd = b[0], .seed = 7 };
	peer_start(&br, reader_main);
	fcntl(a[0], F_SETFL, 0);
	shutdown(a[0], SHUT_WR);
	shutdown(b[0], SHUT_WR);
	run_until_done(base, &d);
	pthread_join(br.tid, NULL);
	ok(br.got == sent && !br.bad, "%s: all %llu bytes delivered after the stall",
	    mode, (unsigned long long)br.got);
	relay_free(r);
	close(a[0]);
	close(b[0]);
}

/* Fds epoll cannot watch: a regular file as input, /dev/null as output. */
static void
test_files(struct event_base *base, unsigned flags, const char *mode)
{
	struct relay_opts o = { .flags = flags };
	struct done d = { 0 };
	struct relay *r;
	struct peer br, bw;
	char path[] = "/tmp/lib-relay-XXXXXX";
	unsigned char buf[65536];
	uint64_t size = 3 * MiB + 7, off;
	size_t i;
	int fd, nul, b[2];

	fd = mkstemp(path);
	if (fd == -1)
		sysbail("mkstemp");
	unlink(path);
	for (off = 0; off < size; off += sizeof(buf)) {
		size_t n = size - off < sizeof(buf) ? (size_t)(size - off) : sizeof(buf);
		for (i = 0; i < n; i++)
			buf[i] = pat(9, off + i);
		if (write(fd, buf, n) != (ssize_t)n)
			sysbail("write");
	}
	lseek(fd, 0, SEEK_SET);
	nul = open("/dev/null", O_WRONLY);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, b) == -1)
		sysbail("socketpair");
	r = relay_new(base, fd, nul, b[1], b[1], &o, done_cb, &d);
	br = (struct peer){ .fd = b[0], .seed = 9 };
	bw = (struct peer){ .fd = b[0], .seed = 3, .want = 2 * MiB, .shut = 1 };
	peer_start(&br, reader_main);
	peer_start(&bw, writer_main);
	run_until_done(base, &d);
	pthread_join(br.tid, NULL);
	pthread_join(bw.tid, NULL);
	ok(br.got == size && !br.bad, "%s: a file as input arrives whole", mode);
	ok(d.res.bytes[RELAY_BA] == 2 * MiB, "%s: /dev/null as output takes all",
	    mode);
	is_int(0, d.res.error, "%s: no error", mode);
	relay_free(r);
	close(b[0]);
}

/* stdin and stdout sharing one open socket (inetd, socat EXEC): its flags
 * are restored once, to what they were, and not while still in use. */
static void
test_shared_flags(struct event_base *base)
{
	struct done d = { 0 };
	struct relay *r;
	int s[2], b[2], in, out, keep;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, s) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, b) == -1)
		sysbail("socketpair");
	in = dup(s[1]);
	out = dup(s[1]);
	keep = s[1];
	r = relay_new(base, in, out, b[1], b[1], NULL, done_cb, &d);
	ok(fcntl(keep, F_GETFL) & O_NONBLOCK, "shared socket made non-blocking");
	shutdown(s[0], SHUT_WR);
	shutdown(b[0], SHUT_WR);
	run_until_done(base, &d);
	relay_free(r);
	ok(!(fcntl(keep, F_GETFL) & O_NONBLOCK),
	    "its original (blocking) flags are back after the relay");
	close(keep);
	close(s[0]);
	close(b[0]);
}

/* B closes while A->B still holds bytes: they are dropped (B is gone), the
 * relay ends without an error and says so. */
static void
test_linger_drop(struct event_base *base)
{
	struct relay_opts o = { .flags = RELAY_F_B_EOF_ENDS, .linger = 5 };
	struct done d = { 0 };
	struct relay *r;
	char path[] = "/tmp/lib-relay-XXXXXX";
	static char junk[4 * 1024 * 1024];
	int fd, out[2], b[2], i;
	double t0;

	fd = mkstemp(path);
	if (fd == -1)
		sysbail("mkstemp");
	unlink(path);
	memset(junk, 'j', sizeof(junk));
	if (write(fd, junk, sizeof(junk)) != (ssize_t)sizeof(junk))
		sysbail("write");
	lseek(fd, 0, SEEK_SET);
	if (pipe(out) == -1 || socketpair(AF_UNIX, SOCK_STREAM, 0, b) == -1)
		sysbail("pipe");
	/* A file as input goes through our own pipe: bytes are held. */
	r = relay_new(base, fd, out[1], b[1], b[1], &o, done_cb, &d);
	is_string("pipe", relay_mode_name(r, RELAY_AB), "file to socket: own pipe");
	while (relay_buffered(r, RELAY_AB) == 0 && d.n == 0)
		event_base_loop(base, EVLOOP_ONCE);
	/* B says it is done, then goes away without reading the rest, as a
	 * server that answers "too big" and closes. */
	shutdown(b[0], SHUT_WR);
	for (i = 0; i < 20; i++)
		event_base_loop(base, EVLOOP_NONBLOCK);
	is_int(0, d.n, "B's EOF alone: the relay lingers to flush A->B");
	close(b[0]);
	t0 = tap_now();
	run_until_done(base, &d);
	is_int(0, d.res.error, "B gone while A->B held bytes: no error");
	ok(d.res.lingered, "and the dropped bytes are reported");
	ok(tap_now() - t0 < 4.0, "without waiting out the linger");
	relay_free(r);
	close(out[0]);
}

/* Direct mode into a sink epoll cannot watch (/dev/null): the writer
 * trickles in, so many splices find the pipe empty; it must finish. */
static void
test_direct_to_devnull(struct event_base *base)
{
	struct done d = { 0 };
	struct relay *r;
	struct peer aw;
	int in[2], nul, x[2], y[2];

	if (pipe(in) == -1 || socketpair(AF_UNIX, SOCK_STREAM, 0, x) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, y) == -1)
		sysbail("pipe");
	nul = open("/dev/null", O_WRONLY);
	/* A = (pipe, x), B = (y, /dev/null): A->B is pipe to /dev/null. */
	r = relay_new(base, in[0], x[1], y[1], nul, NULL, done_cb, &d);
	is_string("direct", relay_mode_name(r, RELAY_AB), "pipe to /dev/null: direct");
	aw = (struct peer){ .fd = in[1], .seed = 1, .want = 4 * MiB + 1, .shut = 2 };
	peer_start(&aw, writer_main);
	shutdown(y[0], SHUT_WR);
	run_until_done(base, &d);
	pthread_join(aw.tid, NULL);
	ok(d.res.bytes[RELAY_AB] == 4 * MiB + 1, "every byte reached /dev/null");
	relay_free(r);
	close(x[0]);
	close(y[0]);
}

/* A peer that resets: the relay ends with the error, it does not hang. */
static void
test_reset(struct event_base *base)
{
	struct linger lg = { 1, 0 };
	struct done d = { 0 };
	struct relay *r;
	int in[2], out[2], b[2];
	char junk[4096];

	memset(junk, 'x', sizeof(junk));
	if (pipe(in) == -1 || pipe(out) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, b) == -1)
		sysbail("pipe");
	r = relay_new(base, in[0], out[1], b[1], b[1], NULL, done_cb, &d);
	setsockopt(b[0], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(b[0]);
	(void)!write(in[1], junk, sizeof(junk));
	run_until_done(base, &d);
	ok(d.res.error == EPIPE || d.res.error == ECONNRESET,
	    "a reset peer ends the relay with its error (%s)", strerror(d.res.error));

	relay_free(r);
	close(in[1]);
	close(out[0]);
}

/* A relay that hangs is a failure, not a stuck test run. */
static void
on_alarm(int sig)
{
	(void)sig;
	bail("timed out: a relay did not finish");
}

int
main(void)
{
	struct event_base *base;

	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, on_alarm);
	alarm(120);
	base = event_base_new();
	plan_lazy();
	test_both_ways(base, 0, "splice");
	test_both_ways(base, RELAY_F_NO_SPLICE, "copy");
	test_pipes_both_ways(base, 0, "splice");
	test_pipes_both_ways(base, RELAY_F_NO_SPLICE, "copy");
	test_backpressure_direct(base);
	test_half_close(base, 0, "splice");
	test_half_close(base, RELAY_F_NO_SPLICE, "copy");
	test_b_eof_ends(base);
	test_backpressure(base, 0, "splice");
	test_backpressure(base, RELAY_F_NO_SPLICE, "copy");
	test_files(base, 0, "splice");
	test_files(base, RELAY_F_NO_SPLICE, "copy");
	test_shared_flags(base);
	test_linger_drop(base);
	test_direct_to_devnull(base);
	test_reset(base);
	event_base_free(base);
	return 0;
}
