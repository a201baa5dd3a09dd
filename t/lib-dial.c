/*
 * lib-dial.c: unit tests for lib/dial.c (Happy Eyeballs connect).
 * SPDX-License-Identifier: MIT
 *
 * The "hung" address is a loopback listener with a backlog of 0 whose
 * accept queue is already full, so the kernel drops further SYNs and a
 * connect to it never completes: a local stand-in for a host that does not
 * answer.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "basic.h"
#include "dial.h"

struct result {
	int done;
	int fd;
	char msg[ERRMSG_MAX];
	struct sockaddr_storage addr;
	double at;
};

static void
result_cb(int fd, const struct sockaddr *addr, const struct errmsg *e, void *arg)
{
	struct result *r = arg;

	r->done++;
	r->fd = fd;
	r->at = tap_now();
	if (fd != -1)
		memcpy(&r->addr, addr, addr->sa_family == AF_INET6 ?
		    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
	else
		snprintf(r->msg, sizeof(r->msg), "%s", e->text);
}

/* A listening socket on addr (port 0); fills ss with where it listens. */
static int
listener(int family, const char *addr, int backlog, struct sockaddr_storage *ss)
{
	socklen_t len = sizeof(*ss);
	int fd, one = 1;

	memset(ss, 0, sizeof(*ss));
	ss->ss_family = (sa_family_t)family;
	if (family == AF_INET)
		inet_pton(AF_INET, addr, &((struct sockaddr_in *)ss)->sin_addr);
	else
		inet_pton(AF_INET6, addr, &((struct sockaddr_in6 *)ss)->sin6_addr);
	fd = socket(family, SOCK_STREAM, 0);
	if (fd == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)ss, family == AF_INET ?
	    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)) == -1 ||
	    listen(fd, backlog) == -1 ||
	    getsockname(fd, (struct sockaddr *)ss, &len) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static socklen_t
salen(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) :
	    sizeof(struct sockaddr_in6);
}

static unsigned
port_of(const struct sockaddr_storage *ss)
{
	return ntohs(ss->ss_family == AF_INET ?
	    ((const struct sockaddr_in *)ss)->sin_port :
	    ((const struct sockaddr_in6 *)ss)->sin6_port);
}

/* Does a fresh connect to ss complete within ms milliseconds? */
static int
connects_within(const struct sockaddr_storage *ss, int ms)
{
	struct pollfd pfd;
	int fd, rc, err = 0;
	socklen_t len = sizeof(err);

	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	rc = connect(fd, (const struct sockaddr *)ss, salen(ss));
	if (rc == 0) {
		close(fd);
		return 1;
	}
	pfd.fd = fd;
	pfd.events = POLLOUT;
	rc = poll(&pfd, 1, ms);
	if (rc == 1)
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	close(fd);
	return rc == 1 && err == 0;
}

/*
 * A listener whose accept queue is full: backlog 0 plus one connection that
 * is never accepted.  *filler is that connection, to close later.
 */
static int
hung_listener(int family, const char *addr, struct sockaddr_storage *ss,
    int *filler)
{
	int fd = listener(family, addr, 0, ss);

	if (fd == -1)
		return -1;
	*filler = socket(family, SOCK_STREAM, 0);
	if (connect(*filler, (struct sockaddr *)ss, salen(ss)) == -1)
		return -1;
	return fd;
}

static void
run(struct event_base *base, struct result *r)
{
	while (!r->done)
		event_base_loop(base, EVLOOP_ONCE);
}

static int
same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	return a->ss_family == b->ss_family && port_of(a) == port_of(b);
}

static void
test_interleave(void)
{
	struct sockaddr_storage a[6];
	const int in[6] = { 6, 6, 6, 4, 4, 6 };
	const int want[6] = { 6, 4, 6, 4, 6, 6 };
	size_t i;
	int good = 1;

	for (i = 0; i < 6; i++) {
		memset(&a[i], 0, sizeof(a[i]));
		a[i].ss_family = in[i] == 6 ? AF_INET6 : AF_INET;
		((struct sockaddr_in *)&a[i])->sin_port = htons((uint16_t)(i + 1));
	}
	dial_interleave(a, 6);
	for (i = 0; i < 6; i++)
		if (a[i].ss_family != (want[i] == 6 ? AF_INET6 : AF_INET))
			good = 0;
	ok(good, "families interleave, starting with the first family");
	ok(port_of(&a[0]) == 1 && port_of(&a[1]) == 4 && port_of(&a[2]) == 2 &&
	    port_of(&a[3]) == 5 && port_of(&a[4]) == 3 && port_of(&a[5]) == 6,
	    "order within a family is kept");
}

/* A dial that never ends is a failure, not a stuck test run. */
static void
on_alarm(int sig)
{
	(void)sig;
	bail("timed out: a dial never called back");
}

int
main(void)
{
	struct event_base *base = event_base_new();
	struct sockaddr_storage good, hung, closed, hung6, addrs[3];
	struct dial_opts opts;
	struct result r;
	double t0, el;
	int gfd, hfd, filler, h6fd = -1, filler6 = -1, cfd;
	char want[128];

	plan_lazy();
	signal(SIGALRM, on_alarm);
	alarm(60);
	test_interleave();

	gfd = listener(AF_INET, "127.0.0.1", 16, &good);
	hfd = hung_listener(AF_INET, "127.0.0.1", &hung, &filler);
	if (gfd == -1 || hfd == -1)
		sysbail("cannot set up loopback listeners");
	/* Find a port with no listener: bind, note it, close. */
	cfd = listener(AF_INET, "127.0.0.1", 1, &closed);
	close(cfd);

	ok(!connects_within(&hung, 500), "the hung address really does not answer");
	ok(connects_within(&good, 2000), "the good address answers");

	/* A first address that never answers delays the second by only the
	 * attempt delay. */
	memset(&opts, 0, sizeof(opts));
	opts.attempt_delay = 0.25;
	addrs[0] = hung;
	addrs[1] = good;
	memset(&r, 0, sizeof(r));
	t0 = tap_now();
	dial_start_addrs(base, "test", 0, addrs, 2, &opts, result_cb, &r);
	run(base, &r);
	el = r.at - t0;
	ok(r.fd != -1 && same_addr(&r.addr, &good), "second address wins");
	ok(el >= 0.24, "it waited the attempt delay first (%.3f s)", el);
	ok(el < 3.0, "and not much longer (%.3f s; without the delay it hangs)", el);
	close(r.fd);

	/* The delay is what drives it: a longer delay, a later connect. */
	opts.attempt_delay = 0.7;
	memset(&r, 0, sizeof(r));
	t0 = tap_now();
	dial_start_addrs(base, "test", 0, addrs, 2, &opts, result_cb, &r);
	run(base, &r);
	el = r.at - t0;
	ok(r.fd != -1 && el >= 0.69, "attempt delay 0.7 s is honoured (%.3f s)", el);
	close(r.fd);

	/* The same across families, when IPv6 loopback exists. */
	h6fd = hung_listener(AF_INET6, "::1", &hung6, &filler6);
	if (h6fd != -1) {
		opts.attempt_delay = 0.25;
		addrs[0] = hung6;
		addrs[1] = good;
		memset(&r, 0, sizeof(r));
		t0 = tap_now();
		dial_start_addrs(base, "test", 0, addrs, 2, &opts, result_cb, &r);
		run(base, &r);
		el = r.at - t0;
		ok(r.fd != -1 && r.addr.ss_family == AF_INET && el >= 0.24 && el < 3.0,
		    "hung IPv6 first, IPv4 wins after the delay (%.3f s)", el);
		close(r.fd);
	} else if (getenv("CI") != NULL && strcmp(getenv("CI"), "true") == 0) {
		ok(0, "IPv6 loopback (::1) is needed in CI");
	} else {
		skip("no IPv6 loopback");
	}

	/* A refused first address starts the next at once. */
	opts.attempt_delay = 5.0;
	addrs[0] = closed;
	addrs[1] = good;
	memset(&r, 0, sizeof(r));
	t0 = tap_now();
	dial_start_addrs(base, "test", 0, addrs, 2, &opts, result_cb, &r);
	run(base, &r);
	el = r.at - t0;
	ok(r.fd != -1 && same_addr(&r.addr, &good) && el < 4.0,
	    "a refused attempt moves on without the delay (%.3f s)", el);
	close(r.fd);

	/* Refused everywhere: the error names host, port and reason. */
	memset(&r, 0, sizeof(r));
	dial_start_addrs(base, "db.example", 5432, &closed, 1, &opts, result_cb, &r);
	run(base, &r);
	is_int(-1, r.fd, "refused gives no fd");
	is_string("connect to db.example port 5432: Connection refused", r.msg,
	    "refused message");
	is_int(1, r.done, "callback ran once");

	/* An overall timeout bounds a dial that cannot finish. */
	opts.timeout = 0.5;
	opts.attempt_delay = 0.25;
	memset(&r, 0, sizeof(r));
	t0 = tap_now();
	dial_start_addrs(base, "slow.example", 22, &hung, 1, &opts, result_cb, &r);
	run(base, &r);
	el = r.at - t0;
	is_string("connect to slow.example port 22: Connection timed out", r.msg,
	    "timeout message");
	ok(el >= 0.49 && el < 5.0, "timed out after about 0.5 s (%.3f s)", el);
	opts.timeout = 0;

	/* The family filter. */
	opts.family = AF_INET6;
	memset(&r, 0, sizeof(r));
	dial_start_addrs(base, "v4only", 80, &good, 1, &opts, result_cb, &r);
	run(base, &r);
	is_string("connect to v4only port 80: no IPv6 address for that host", r.msg,
	    "-6 with only IPv4 addresses");
	opts.family = AF_UNSPEC;

	/* Names go through getaddrinfo; literals too.  The callback is never
	 * called from inside dial_start. */
	memset(&r, 0, sizeof(r));
	dial_start(base, "127.0.0.1", (uint16_t)port_of(&good), &opts, result_cb, &r);
	is_int(0, r.done, "no callback inside dial_start");
	run(base, &r);
	ok(r.fd != -1, "literal 127.0.0.1 connects");
	close(r.fd);
	memset(&r, 0, sizeof(r));
	dial_start(base, "localhost", (uint16_t)port_of(&good), &opts, result_cb, &r);
	run(base, &r);
	ok(r.fd != -1, "localhost resolves and connects");
	close(r.fd);
	memset(&r, 0, sizeof(r));
	dial_start(base, "127.0.0.1", (uint16_t)port_of(&closed), &opts,
	    result_cb, &r);
	run(base, &r);
	snprintf(want, sizeof(want), "connect to 127.0.0.1 port %u: Connection refused",
	    port_of(&closed));
	is_string(want, r.msg, "refused through dial_start");

	/* Cancel in the middle: no callback, nothing leaks (ASan checks). */
	memset(&r, 0, sizeof(r));
	{
		struct dial *d = dial_start_addrs(base, "x", 1, &hung, 1, &opts,
		    result_cb, &r);
		event_base_loop(base, EVLOOP_NONBLOCK);
		dial_cancel(d);
		d = dial_start(base, "localhost", 1, &opts, result_cb, &r);
		dial_cancel(d);
		/* Give a stray callback (a resolver thread, a timer) time to
		 * show itself. */
		{
			struct timeval tv = { 0, 300000 };
			event_base_loopexit(base, &tv);
			event_base_dispatch(base);
		}
	}
	is_int(0, r.done, "cancelled dials never call back");

	close(gfd);
	close(hfd);
	close(filler);
	if (h6fd != -1) {
		close(h6fd);
		close(filler6);
	}
	event_base_free(base);
	return 0;
}
