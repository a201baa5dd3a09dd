/*
 * sshmux.c: drive lib/ssh directly: many direct-tcpip channels on one
 * session at once, each checked byte for byte.  The library test for the
 * SSH module (t/lib-ssh.t).
 * SPDX-License-Identifier: MIT
 *
 * sshmux -p SSHPORT -i KEY -k KNOWN_HOSTS -t TARGETPORT [-u USER]
 *        [-n CHANNELS] [-b BYTES] [-s SLOWMS] [-a SECS] [-H]
 * sshmux -R ... [-n CONNECTIONS]
 *
 * Connects to the sshd on 127.0.0.1:SSHPORT, then opens CHANNELS channels
 * to 127.0.0.1:TARGETPORT (an echo server) at once.  Each channel sends
 * BYTES bytes of its own pseudo-random stream, half-closes, and must read
 * the same stream back, then EOF.  With -s, every read of the echo waits
 * SLOWMS ms first (a slow reader): the test then checks that the process
 * stays small.  -a sets ServerAliveInterval (count 2).  -H holds the
 * channels open without sending (for keepalive tests).  Prints one summary
 * line; exits 0 when every channel came back intact, 1 otherwise.
 *
 * With -R it asks the server to listen on 127.0.0.1 port 0 instead, prints
 * "listening on PORT" (and "refused: WHY" for a second request of the same
 * port, which must fail), connects each forwarded connection to
 * TARGETPORT and exits 0 after CONNECTIONS of them have ended.
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "ssh.h"
#include "xmalloc.h"

struct mux;

struct mux_chan {
	struct mux *m;
	int id;
	int fd;			/* our end of the socketpair */
	struct ssh_channel *c;
	struct event *ev;
	uint64_t sent, got;
	uint64_t wstate, rstate;	/* the two copies of the stream */
	int wr_done, rd_done, bad;
};

struct mux {
	struct event_base *base;
	struct ssh_session *s;
	struct mux_chan *ch;
	int n, finished, failed;
	uint64_t bytes;
	int target_port, slow_ms, hold;
	int remote, forwarded, ended;	/* -R */
	struct ssh_listener *lst, *dup;
	long maxrss_kb;
};

/* xorshift64: the stream of one channel, reproducible on both sides. */
static uint8_t
mux_next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return (uint8_t)(*x >> 24);
}

static void
mux_check_done(struct mux *m)
{
	if (m->finished == m->n)
		event_base_loopbreak(m->base);
}

static void
mux_chan_finish(struct mux_chan *c, int bad)
{
	if (c->rd_done)
		return;
	c->rd_done = 1;
	c->bad = bad;
	if (bad)
		c->m->failed++;
	c->m->finished++;
	event_del(c->ev);
	mux_check_done(c->m);
}

/* Write our stream, read the echo and compare. */
static void
mux_chan_io(evutil_socket_t fd, short what, void *arg)
{
	struct mux_chan *c = arg;
	uint8_t buf[16384];

	(void)what;
	while (!c->wr_done && !c->m->hold) {
		size_t n = sizeof(buf);
		uint64_t save = c->wstate;
		ssize_t w;

		if (c->m->bytes - c->sent < n)
			n = (size_t)(c->m->bytes - c->sent);
		for (size_t i = 0; i < n; i++)
			buf[i] = mux_next(&c->wstate);
		w = n > 0 ? send(fd, buf, n, MSG_NOSIGNAL) : 0;
		if (w < 0) {
			c->wstate = save;
			if (errno != EAGAIN)
				mux_chan_finish(c, 1);
			break;
		}
		/* Rewind the generator past what was not taken. */
		c->wstate = save;
		for (ssize_t i = 0; i < w; i++)
			(void)mux_next(&c->wstate);
		c->sent += (uint64_t)w;
		if (c->sent == c->m->bytes) {
			shutdown(fd, SHUT_WR);
			c->wr_done = 1;
		}
		if ((size_t)w < n)
			break;
	}
	if (c->m->slow_ms > 0)
		usleep((useconds_t)c->m->slow_ms * 1000);
	for (;;) {
		ssize_t r = recv(fd, buf, sizeof(buf), 0);

		if (r > 0) {
			for (ssize_t i = 0; i < r; i++)
				if (buf[i] != mux_next(&c->rstate)) {
					fprintf(stderr, "channel %d: byte %llu "
					    "differs\n", c->id,
					    (unsigned long long)(c->got + i));
					mux_chan_finish(c, 1);
					return;
				}
			c->got += (uint64_t)r;
			if (c->m->slow_ms > 0)
				break;
			continue;
		}
		if (r == 0) {
			if (c->got != c->m->bytes)
				fprintf(stderr, "channel %d: EOF after %llu of "
				    "%llu bytes\n", c->id,
				    (unsigned long long)c->got,
				    (unsigned long long)c->m->bytes);
			mux_chan_finish(c, c->got != c->m->bytes);
		} else if (errno != EAGAIN) {
			fprintf(stderr, "channel %d: %s\n", c->id,
			    strerror(errno));
			mux_chan_finish(c, 1);
		}
		break;
	}
	if (!c->rd_done) {
		event_del(c->ev);
		event_assign(c->ev, c->m->base, fd, EV_READ |
		    (c->wr_done || c->m->hold ? 0 : EV_WRITE), mux_chan_io, c);
		event_add(c->ev, NULL);
	}
}

static void
mux_opened(struct ssh_channel *sc, const struct errmsg *e, void *arg)
{
	struct mux_chan *c = arg;

	(void)sc;
	if (e != NULL) {
		fprintf(stderr, "channel %d: %s\n", c->id, e->text);
		mux_chan_finish(c, 1);
	}
}

static void
mux_done(struct ssh_channel *sc, const struct errmsg *e, void *arg)
{
	struct mux_chan *c = arg;

	(void)sc;
	if (e != NULL)
		fprintf(stderr, "channel %d ended: %s\n", c->id, e->text);
}

/* -R: a forwarded connection ended. */
static void
mux_fwd_done(struct ssh_channel *c, const struct errmsg *e, void *arg)
{
	struct mux *m = arg;

	if (e != NULL)
		fprintf(stderr, "forwarded channel: %s\n", e->text);
	ssh_channel_free(c);
	if (++m->ended == m->n)
		event_base_loopbreak(m->base);
}

/* -R: connect a forwarded connection to the target and attach it. */
static void
mux_fwd_accept(struct ssh_listener *l, struct ssh_channel *c, void *arg)
{
	struct mux *m = arg;
	struct sockaddr_in sin;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	(void)l;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)m->target_port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	m->forwarded++;
	if (fd == -1 || connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		fprintf(stderr, "connect to the target: %s\n", strerror(errno));
		if (fd != -1)
			close(fd);
		ssh_channel_free(c);	/* closes that channel only */
		if (++m->ended == m->n)
			event_base_loopbreak(m->base);
		return;
	}
	ssh_channel_attach(c, fd, mux_fwd_done, m);
}

/* -R: the second request for the same port must be refused. */
static void
mux_dup_status(struct ssh_listener *l, const struct errmsg *e, void *arg)
{
	(void)arg;
	if (e != NULL)
		printf("refused: %s\n", e->text);
	else
		printf("duplicate listener unexpectedly up on %d\n",
		    ssh_listener_port(l));
	fflush(stdout);
}

/* -R: the server listens (print the port), or refused. */
static void
mux_fwd_status(struct ssh_listener *l, const struct errmsg *e, void *arg)
{
	struct mux *m = arg;

	if (e != NULL) {
		fprintf(stderr, "listen: %s\n", e->text);
		m->failed = 1;
		event_base_loopbreak(m->base);
		return;
	}
	printf("listening on %d\n", ssh_listener_port(l));
	fflush(stdout);
	m->dup = ssh_forward_listen(m->s, "127.0.0.1",
	    (uint16_t)ssh_listener_port(l), mux_dup_status, NULL, m);
}

static void
mux_ready(struct ssh_session *s, const struct errmsg *e, enum ssh_fail fail,
    void *arg)
{
	struct mux *m = arg;

	if (e != NULL) {
		fprintf(stderr, "session (fail %d): %s\n", (int)fail, e->text);
		m->failed = m->n;
		event_base_loopbreak(m->base);
		return;
	}
	fprintf(stderr, "session ready: %s\n", ssh_session_algorithms(s));
	if (m->remote) {
		m->lst = ssh_forward_listen(s, "127.0.0.1", 0, mux_fwd_status,
		    mux_fwd_accept, m);
		return;
	}
	for (int i = 0; i < m->n; i++) {
		struct mux_chan *c = &m->ch[i];
		int sp[2];

		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == -1) {
			perror("socketpair");
			exit(1);
		}
		c->m = m;
		c->id = i;
		c->fd = sp[1];
		c->wstate = c->rstate = 0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1);
		fcntl(c->fd, F_SETFL, O_NONBLOCK);
		c->ev = event_new(m->base, c->fd, EV_READ | EV_WRITE, mux_chan_io,
		    c);
		event_add(c->ev, NULL);
		c->c = ssh_channel_direct(s, "127.0.0.1",
		    (uint16_t)m->target_port, "127.0.0.1", 0, sp[0], 30,
		    mux_opened, mux_done, c);
	}
}

static void
mux_lost(struct ssh_session *s, const struct errmsg *e, void *arg)
{
	struct mux *m = arg;

	(void)s;
	fprintf(stderr, "session lost: %s\n", e->text);
	m->failed = m->n;
	event_base_loopbreak(m->base);
}

int
main(int argc, char **argv)
{
	struct mux m;
	struct ssh_opts o;
	struct sockaddr_in sin;
	struct rusage ru;
	const char *key = NULL, *kh = NULL;
	struct passwd *pw = getpwuid(getuid());
	int c, fd, port = 0, ok = 0, alive = 0;

	memset(&m, 0, sizeof(m));
	memset(&o, 0, sizeof(o));
	m.n = 100;
	m.bytes = 1024 * 1024;
	o.user = pw != NULL ? pw->pw_name : "root";
	while ((c = getopt(argc, argv, "p:i:k:t:u:n:b:s:a:HRv")) != -1) {
		switch (c) {
		case 'p': port = atoi(optarg); break;
		case 'i': key = optarg; break;
		case 'k': kh = optarg; break;
		case 't': m.target_port = atoi(optarg); break;
		case 'u': o.user = optarg; break;
		case 'n': m.n = atoi(optarg); break;
		case 'b': m.bytes = strtoull(optarg, NULL, 10); break;
		case 's': m.slow_ms = atoi(optarg); break;
		case 'a': alive = atoi(optarg); break;
		case 'H': m.hold = 1; break;
		case 'R': m.remote = 1; break;
		case 'v': log_init("sshmux", 3, 0); break;
		default:
			fprintf(stderr, "usage: sshmux -p port -i key -k known_hosts "
			    "-t targetport [-u user] [-n chans] [-b bytes] [-s ms] "
			    "[-a secs] [-H] [-R]\n");
			return 2;
		}
	}
	if (port <= 0 || key == NULL || kh == NULL || m.target_port <= 0 ||
	    m.n <= 0) {
		fprintf(stderr, "sshmux: -p, -i, -k and -t are required\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	m.ch = xcalloc((size_t)m.n, sizeof(*m.ch));
	m.base = event_base_new();
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		perror("connect");
		return 1;
	}
	o.label = "sshmux";
	o.host = "127.0.0.1";
	o.port = (uint16_t)port;
	o.identity_files = &key;
	o.n_identity_files = 1;
	o.known_hosts = &kh;
	o.n_known_hosts = o.n_user_known_hosts = 1;
	o.strict = SSH_STRICT_YES;
	o.timeout = 30;
	o.alive_interval = alive;
	o.alive_count = 2;
	m.s = ssh_session_start(m.base, fd, &o, mux_ready, mux_lost, &m);
	event_base_dispatch(m.base);
	if (m.remote) {
		printf("%d forwarded connections, %d ended\n", m.forwarded,
		    m.ended);
		ssh_listener_free(m.lst);
		ssh_listener_free(m.dup);
		ssh_session_free(m.s);
		event_base_free(m.base);
		free(m.ch);
		return m.failed || m.ended < m.n ? 1 : 0;
	}
	getrusage(RUSAGE_SELF, &ru);
	for (int i = 0; i < m.n; i++)
		if (m.ch[i].rd_done && !m.ch[i].bad && m.ch[i].got == m.bytes)
			ok++;
	printf("%d of %d channels intact, %llu bytes each, max RSS %ld KiB\n",
	    ok, m.n, (unsigned long long)m.bytes, ru.ru_maxrss);
	for (int i = 0; i < m.n; i++) {
		ssh_channel_free(m.ch[i].c);
		if (m.ch[i].ev != NULL)
			event_free(m.ch[i].ev);
		if (m.ch[i].fd > 0)
			close(m.ch[i].fd);
	}
	ssh_session_free(m.s);
	event_base_free(m.base);
	free(m.ch);
	return ok == m.n && m.failed == 0 ? 0 : 1;
}
