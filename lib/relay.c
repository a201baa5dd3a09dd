/*
 * relay.c: two-way byte relay between fds; see relay.h.
 * SPDX-License-Identifier: MIT
 *
 * Each direction ("half") moves bytes from src to dst in one of three ways
 * (relay_choose_mode says which, and why):
 *  - direct: one of them is a pipe, so one splice(2) moves the bytes; the
 *    only buffers are the kernel's (the pipe and the socket);
 *  - pipe: neither is a pipe, so the bytes go through a pipe of our own,
 *    filled and drained with splice(2);
 *  - copy: a user-space buffer filled with read(2), drained with write(2),
 *    where the kernel cannot splice (terminals, some devices) or where
 *    copying measured faster (a pipe into a socket).
 * Either way the bytes held per direction are bounded.  A half wakes on
 * its src becoming readable, its dst becoming writable, or a "kick" (for
 * fds epoll cannot watch, such as regular files and /dev/null, and to
 * yield after a burst of work), then pumps until it would block.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "clock.h"
#include "fdio.h"
#include "log.h"
#include "relay.h"
#include "xmalloc.h"

#define RELAY_OPS_PER_WAKE 16	/* fill/flush rounds before yielding */
/*
 * Most bytes to splice from a TCP socket into our own pipe at once.  A long
 * splice holds the socket lock while the sender's packets pile up in the
 * backlog, which stalls the sender on loopback.  Download into /dev/null,
 * 1 GiB, median of 11: 8 KiB 244 ms, 16 KiB 246 ms, 64 KiB 334 ms, 1 MiB
 * 387 ms (nc: 263 ms).
 */
#define RELAY_SOCKET_CHUNK (16 * 1024)
#define RELAY_BLOCKING_CHUNK 4096	/* most to write to a terminal at once */

struct relay_fd {
	int fd;
	enum fdio_kind kind;
	int saved_flags;	/* to restore before close; -1 if untouched */
	int file;		/* entries with the same open file share it */
	int blocking;		/* reads or writes may block: one per wake */
	int pollable;
	int closed;
};

enum relay_mode {
	RELAY_MODE_COPY,
	RELAY_MODE_PIPE,
	RELAY_MODE_DIRECT,
};

static const char *const relay_mode_names[] = { "copy", "pipe", "direct" };

struct relay_half {
	struct relay *r;
	enum relay_dir dir;
	struct relay_fd *src, *dst;

	enum relay_mode mode;
	int pfd[2];		/* RELAY_MODE_PIPE's buffer */
	size_t inpipe;		/* bytes in it */
	size_t pipecap;
	int pipe_full;		/* a splice in found no free pipe slot */

	char *buf;		/* copy buffer: data at [off, off + len) */
	size_t cap, off, len;

	int eof;		/* src reached end of file */
	int stopped;		/* reading stopped (linger) */
	int dst_again;		/* last write would have blocked */
	int done;
	uint64_t bytes;

	struct event *rev, *wev, *kick;
	int rev_on, wev_on;
};

struct relay {
	struct event_base *base;
	struct relay_opts opts;
	struct relay_fd fds[4];
	size_t nfds;
	struct relay_half half[2];
	relay_done_cb cb;
	void *arg;
	struct relay_result res;
	int ended;
	struct event *done_ev;
	struct event *linger_ev;
};

static void relay_pump(struct relay_half *h);
static void relay_end(struct relay *r);

/* Find or add the bookkeeping entry for fd. */
static struct relay_fd *
relay_fd_get(struct relay *r, int fd)
{
	struct relay_fd *f;
	size_t i;
	int fl;

	for (i = 0; i < r->nfds; i++)
		if (r->fds[i].fd == fd)
			return &r->fds[i];
	f = &r->fds[r->nfds];
	f->fd = fd;
	f->file = (int)r->nfds;
	f->kind = fdio_kind(fd);
	f->saved_flags = -1;
	/* Flags belong to the open file, which stdin and stdout may share
	 * (inetd, socat EXEC): save them once, from the first fd. */
	for (i = 0; i < r->nfds; i++)
		if (fdio_same_file(r->fds[i].fd, fd)) {
			f->file = r->fds[i].file;
			f->saved_flags = r->fds[i].saved_flags;
			break;
		}
	r->nfds++;
	if (f->file == (int)(r->nfds - 1) &&
	    (f->kind == FDIO_SOCKET || f->kind == FDIO_PIPE))
		f->saved_flags = fdio_set_nonblock(fd, 1);
	fl = fcntl(fd, F_GETFL);
	f->blocking = f->kind != FDIO_FILE && (fl == -1 || !(fl & O_NONBLOCK));
	f->pollable = fdio_pollable(fd);
	return f;
}

/* Close one fd for good: restore its file's flags if no other fd of ours
 * still uses that file; point 0-2 at /dev/null rather than closing them. */
static void
relay_fd_close(struct relay *r, struct relay_fd *f)
{
	size_t i;
	int null, shared = 0;

	if (f->closed)
		return;
	f->closed = 1;
	for (i = 0; i < r->nfds; i++)
		if (!r->fds[i].closed && r->fds[i].file == f->file)
			shared = 1;
	if (!shared)
		fdio_restore_flags(f->fd, f->saved_flags);
	if (f->fd <= 2) {
		null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null != -1 && null != f->fd) {
			dup2(null, f->fd);
			close(null);
		} else if (null == -1) {
			close(f->fd);
		}
	} else {
		close(f->fd);
	}
}

static size_t
relay_pending(const struct relay_half *h)
{
	switch (h->mode) {
	case RELAY_MODE_PIPE:
		return h->inpipe;
	case RELAY_MODE_COPY:
		return h->len;
	default:
		return 0;	/* the kernel holds it */
	}
}

static int
relay_can_read(const struct relay_half *h)
{
	if (h->eof || h->stopped || h->done)
		return 0;
	switch (h->mode) {
	case RELAY_MODE_PIPE:
		return h->inpipe < h->pipecap && !h->pipe_full;
	case RELAY_MODE_COPY:
		return h->len < h->cap;
	default:
		return !h->dst_again;	/* dst full: wait for it first */
	}
}

/* Leave splicing: move what the pipe holds into the copy buffer. */
static int
relay_to_copy(struct relay_half *h)
{
	ssize_t n;

	log_debug_f("%s: splice not supported, copying", h->dir == RELAY_AB ?
	    "a->b" : "b->a");
	h->cap = h->pipecap > h->r->opts.bufsize ? h->pipecap : h->r->opts.bufsize;
	h->buf = xmalloc(h->cap);
	h->off = h->len = 0;
	h->mode = RELAY_MODE_COPY;
	if (h->pfd[0] == -1)
		return 0;
	while (h->inpipe > 0) {
		n = read(h->pfd[0], h->buf + h->len, h->inpipe);
		if (n <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			return -1;
		}
		h->len += (size_t)n;
		h->inpipe -= (size_t)n;
	}
	close(h->pfd[0]);
	close(h->pfd[1]);
	h->pfd[0] = h->pfd[1] = -1;
	return 0;
}

static int
relay_splice_unsupported(int err)
{
	return err == EINVAL || err == ENOSYS || err == EOPNOTSUPP;
}

/* Read once from src.  Returns >0 bytes, 0 EOF, -1 would block, -2 error. */
static ssize_t
relay_fill(struct relay_half *h)
{
	ssize_t n;
	size_t want;

	if (h->mode == RELAY_MODE_PIPE) {
		want = h->pipecap - h->inpipe;
		if (h->src->kind == FDIO_SOCKET && want > RELAY_SOCKET_CHUNK)
			want = RELAY_SOCKET_CHUNK;
		do {
			n = splice(h->src->fd, NULL, h->pfd[1], NULL, want,
			    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		} while (n == -1 && errno == EINTR);
		if (n > 0) {
			h->inpipe += (size_t)n;
			return n;
		}
		if (n == 0)
			return 0;
		if (errno == EAGAIN) {
			/* With bytes already in the pipe, it is the pipe
			 * (out of slots) that is full, not src that is empty. */
			if (h->inpipe > 0)
				h->pipe_full = 1;
			return -1;
		}
		if (!relay_splice_unsupported(errno) || relay_to_copy(h) == -1)
			return -2;
	}
	/* A blocking fd (a terminal) is read only when poll says a read will
	 * not block: the loop must never wait inside read(2). */
	if (h->src->blocking && !fdio_ready(h->src->fd, POLLIN, 0))
		return -1;
	if (h->off > 0 && h->off + h->len == h->cap) {
		memmove(h->buf, h->buf + h->off, h->len);
		h->off = 0;
	}
	do {
		n = read(h->src->fd, h->buf + h->off + h->len,
		    h->cap - h->off - h->len);
	} while (n == -1 && errno == EINTR);
	if (n > 0) {
		h->len += (size_t)n;
		return n;
	}
	if (n == 0)
		return 0;
	return errno == EAGAIN || errno == EWOULDBLOCK ? -1 : -2;
}

/* Write once to dst.  Returns >0 bytes, -1 would block, -2 error. */
static ssize_t
relay_flush(struct relay_half *h)
{
	ssize_t n;
	size_t want;

	if (h->mode == RELAY_MODE_PIPE) {
		do {
			n = splice(h->pfd[0], NULL, h->dst->fd, NULL, h->inpipe,
			    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		} while (n == -1 && errno == EINTR);
		if (n > 0) {
			h->inpipe -= (size_t)n;
			h->pipe_full = 0;
			h->bytes += (uint64_t)n;
			return n;
		}
		if (n == -1 && errno == EAGAIN)
			return -1;
		if (n == 0)
			errno = EIO;
		if (n == 0 || !relay_splice_unsupported(errno) ||
		    relay_to_copy(h) == -1)
			return -2;
	}
	want = h->len;
	if (h->dst->blocking) {
		/* Likewise for writing, in small pieces: a terminal that has
		 * room for some may not have room for all. */
		if (!fdio_ready(h->dst->fd, POLLOUT, 0))
			return -1;
		if (want > RELAY_BLOCKING_CHUNK)
			want = RELAY_BLOCKING_CHUNK;
	}
	do {
		n = write(h->dst->fd, h->buf + h->off, want);
	} while (n == -1 && errno == EINTR);
	if (n > 0) {
		h->off += (size_t)n;
		h->len -= (size_t)n;
		if (h->len == 0)
			h->off = 0;
		h->bytes += (uint64_t)n;
		return n;
	}
	if (n == 0)
		errno = EIO;
	return n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK) ? -1 : -2;
}

/* Bytes waiting to be read from fd (pipe, socket or file), or -1. */
static int
relay_readable_bytes(int fd)
{
	int n;

	if (ioctl(fd, FIONREAD, &n) == -1)
		return -1;
	return n;
}

/*
 * RELAY_MODE_DIRECT: one splice from src to dst.  Returns >0 bytes, 0 EOF,
 * -1 would block (with h->dst_again set if it is dst that is full), -2
 * error (with *on_write set if it was dst that failed).  A splice that
 * would block does not say which side is the cause; whether src still has
 * bytes to read does.
 */
static ssize_t
relay_direct(struct relay_half *h, int *on_write)
{
	ssize_t n;

	do {
		n = splice(h->src->fd, NULL, h->dst->fd, NULL, h->r->opts.bufsize,
		    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	} while (n == -1 && errno == EINTR);
	if (n > 0) {
		h->bytes += (uint64_t)n;
		return n;
	}
	if (n == 0)
		return 0;
	if (errno == EAGAIN) {
		int avail;

		/* Only a side that can block can be the cause. */
		if (!h->dst->pollable) {
			h->dst_again = 0;
			return -1;
		}
		if (!h->src->pollable) {
			h->dst_again = 1;
			return -1;
		}
		avail = relay_readable_bytes(h->src->fd);
		if (avail < 0) {
			/* Cannot tell which side blocks: copying can. */
			relay_to_copy(h);
			return -1;
		}
		h->dst_again = avail > 0;
		return -1;
	}
	if (relay_splice_unsupported(errno) && relay_to_copy(h) == 0)
		return -1;
	*on_write = errno == EPIPE || h->src->kind != FDIO_SOCKET;
	return -2;
}

static void
relay_event_set(struct event *ev, int *on, int want)
{
	if (ev == NULL || *on == want)
		return;
	if (want)
		event_add(ev, NULL);
	else
		event_del(ev);
	*on = want;
}

/* Ask for exactly the wake-ups the half's state needs. */
static void
relay_arm(struct relay_half *h, int busy)
{
	int want_r = relay_can_read(h) && h->src->pollable;
	int want_w = h->dst_again && h->dst->pollable &&
	    (relay_pending(h) > 0 || h->mode == RELAY_MODE_DIRECT);

	relay_event_set(h->rev, &h->rev_on, want_r);
	relay_event_set(h->wev, &h->wev_on, want_w);
	if (busy || (relay_can_read(h) && !h->src->pollable) ||
	    (relay_pending(h) > 0 && !h->dst->pollable) ||
	    (h->dst_again && !h->dst->pollable))
		event_active(h->kick, 0, 0);
}

static void
relay_disarm(struct relay_half *h)
{
	relay_event_set(h->rev, &h->rev_on, 0);
	relay_event_set(h->wev, &h->wev_on, 0);
	if (h->kick != NULL)
		event_del(h->kick);
}

static void
relay_fail(struct relay_half *h, int err, int on_write)
{
	struct relay *r = h->r;
	const char *dir = h->dir == RELAY_AB ? "a->b" : "b->a";

	log_debug_f("%s: %s: %s", dir, on_write ? "write" : "read", strerror(err));
	if (h->stopped) {
		/* Lingering after B's EOF: B is gone, and so are these bytes. */
		r->res.lingered = 1;
		relay_end(r);
		return;
	}
	if (r->res.error == 0) {
		r->res.error = err;
		r->res.error_dir = h->dir;
		r->res.error_on_write = on_write;
	}
	relay_end(r);
}

/* This half's input is at EOF and its buffer is empty: pass the EOF on. */
static void
relay_half_done(struct relay_half *h)
{
	struct relay *r = h->r;
	struct relay_half *other = &r->half[1 - h->dir];

	h->done = 1;
	relay_disarm(h);
	log_debug_f("%s done after %llu bytes", h->dir == RELAY_AB ? "a->b" : "b->a",
	    (unsigned long long)h->bytes);
	if (h->dst->kind == FDIO_SOCKET)
		(void)shutdown(h->dst->fd, SHUT_WR);
	else if (h->dst != other->src)
		relay_fd_close(r, h->dst);
	if (other->done) {
		relay_end(r);
		return;
	}
	if (h->dir == RELAY_BA && (r->opts.flags & RELAY_F_B_EOF_ENDS) &&
	    !other->stopped) {
		struct timeval tv = clock_tv(r->opts.linger);

		other->stopped = 1;
		event_add(r->linger_ev, &tv);
		relay_pump(other);
	}
}

/* Pump a direct half: splice until it would block, EOF, or the burst ends. */
static void
relay_pump_direct(struct relay_half *h)
{
	ssize_t n = -1;
	int ops, on_write = 0;

	h->dst_again = 0;	/* woken up: try both sides again */
	for (ops = 0; ops < RELAY_OPS_PER_WAKE; ops++) {
		if (h->stopped)
			break;
		n = relay_direct(h, &on_write);
		if (n == 0)
			h->eof = 1;
		if (n == -2) {
			relay_fail(h, errno, on_write);
			return;
		}
		if (n <= 0 || h->mode != RELAY_MODE_DIRECT)
			break;
	}
	if (h->eof || h->stopped) {
		relay_half_done(h);
		return;
	}
	if (h->mode != RELAY_MODE_DIRECT) {
		relay_pump(h);		/* fell back to copying */
		return;
	}
	relay_arm(h, ops == RELAY_OPS_PER_WAKE);
}

static void
relay_pump(struct relay_half *h)
{
	ssize_t n;
	int ops, progress = 0;

	if (h->done || h->r->ended)
		return;
	if (h->mode == RELAY_MODE_DIRECT) {
		relay_pump_direct(h);
		return;
	}
	for (ops = 0; ops < RELAY_OPS_PER_WAKE; ops++) {
		progress = 0;
		if (relay_can_read(h)) {
			n = relay_fill(h);
			if (n > 0)
				progress = 1;
			else if (n == 0)
				h->eof = 1;
			else if (n == -2) {
				relay_fail(h, errno, 0);
				return;
			}
		}
		if (relay_pending(h) > 0) {
			n = relay_flush(h);
			h->dst_again = n == -1;
			if (n > 0)
				progress = 1;
			else if (n == -2) {
				relay_fail(h, errno, 1);
				return;
			}
		}
		if (!progress)
			break;
	}
	if ((h->eof || h->stopped) && relay_pending(h) == 0) {
		relay_half_done(h);
		return;
	}
	/* Yield with a kick after a full burst, or when bytes wait for a
	 * write that was not tried (the burst ended on a read). */
	relay_arm(h, ops == RELAY_OPS_PER_WAKE ||
	    (relay_pending(h) > 0 && !h->dst_again));
}

static void
relay_io_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	relay_pump(arg);
}

static void
relay_done_cb_(evutil_socket_t fd, short what, void *arg)
{
	struct relay *r = arg;

	(void)fd;
	(void)what;
	r->res.bytes[RELAY_AB] = r->half[RELAY_AB].bytes;
	r->res.bytes[RELAY_BA] = r->half[RELAY_BA].bytes;
	r->cb(r, &r->res, r->arg);
}

static void
relay_linger_cb(evutil_socket_t fd, short what, void *arg)
{
	struct relay *r = arg;

	(void)fd;
	(void)what;
	if (relay_pending(&r->half[RELAY_AB]) > 0) {
		log_debug_f("a->b: dropping %zu unsent bytes after the linger",
		    relay_pending(&r->half[RELAY_AB]));
		r->res.lingered = 1;
	}
	relay_end(r);
}

static void
relay_end(struct relay *r)
{
	if (r->ended)
		return;
	r->ended = 1;
	relay_disarm(&r->half[0]);
	relay_disarm(&r->half[1]);
	event_del(r->linger_ev);
	event_active(r->done_ev, 0, 0);
}

/* Can fds of this kind be the src / dst of a splice to or from a pipe? */
static int
relay_splice_src_ok(enum fdio_kind k)
{
	return k == FDIO_SOCKET || k == FDIO_PIPE || k == FDIO_FILE;
}

static int
relay_splice_dst_ok(enum fdio_kind k)
{
	return k == FDIO_SOCKET || k == FDIO_PIPE || k == FDIO_FILE ||
	    k == FDIO_CHAR;
}

/*
 * Choose how a direction moves its bytes.  Measured with
 * bench/jumpcat-throughput (1 GiB on loopback, medians):
 *  - socket to pipe (a download into ssh): direct splice, 3.6x nc;
 *  - pipe to socket (an upload from ssh): copying, 746 ms against 1012 ms
 *    for a direct splice (nc 958 ms).  Splicing hands the writer's pipe
 *    pages to the socket, so the writer allocates fresh pages for every
 *    write and the receiver frees them;
 *  - socket to /dev/null or a file: through our own pipe (1.16x nc).
 */
static enum relay_mode
relay_choose_mode(enum fdio_kind src, enum fdio_kind dst, unsigned flags)
{
	if ((flags & RELAY_F_NO_SPLICE) || !relay_splice_src_ok(src) ||
	    !relay_splice_dst_ok(dst))
		return RELAY_MODE_COPY;
	if (src == FDIO_PIPE && dst == FDIO_SOCKET)
		return RELAY_MODE_COPY;
	if (src == FDIO_PIPE || dst == FDIO_PIPE)
		return RELAY_MODE_DIRECT;
	return RELAY_MODE_PIPE;
}

static void
relay_half_init(struct relay *r, enum relay_dir dir, int src, int dst)
{
	struct relay_half *h = &r->half[dir];
	int sz;

	h->r = r;
	h->dir = dir;
	h->src = relay_fd_get(r, src);
	h->dst = relay_fd_get(r, dst);
	h->pfd[0] = h->pfd[1] = -1;
	h->mode = relay_choose_mode(h->src->kind, h->dst->kind, r->opts.flags);
	if (h->mode == RELAY_MODE_PIPE) {
		if (pipe2(h->pfd, O_CLOEXEC | O_NONBLOCK) == 0) {
			(void)fcntl(h->pfd[1], F_SETPIPE_SZ, (int)r->opts.bufsize);
			sz = fcntl(h->pfd[1], F_GETPIPE_SZ);
			h->pipecap = sz > 0 ? (size_t)sz : 65536;
		} else {
			/* No fd left for a pipe: copy instead. */
			h->mode = RELAY_MODE_COPY;
		}
	}
	if (h->mode == RELAY_MODE_COPY) {
		h->cap = r->opts.bufsize;
		h->buf = xmalloc(h->cap);
	}
	if (h->src->pollable)
		h->rev = event_new(r->base, src, EV_READ | EV_PERSIST, relay_io_cb, h);
	if (h->dst->pollable)
		h->wev = event_new(r->base, dst, EV_WRITE | EV_PERSIST, relay_io_cb, h);
	h->kick = event_new(r->base, -1, 0, relay_io_cb, h);
	if ((h->src->pollable && h->rev == NULL) ||
	    (h->dst->pollable && h->wev == NULL) || h->kick == NULL)
		abort();
}

struct relay *
relay_new(struct event_base *base, int a_rfd, int a_wfd, int b_rfd, int b_wfd,
    const struct relay_opts *opts, relay_done_cb cb, void *arg)
{
	struct relay *r;

	if (fdio_kind(a_rfd) == FDIO_BAD || fdio_kind(a_wfd) == FDIO_BAD ||
	    fdio_kind(b_rfd) == FDIO_BAD || fdio_kind(b_wfd) == FDIO_BAD) {
		errno = EBADF;
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	r->base = base;
	if (opts != NULL)
		r->opts = *opts;
	if (r->opts.bufsize == 0)
		r->opts.bufsize = RELAY_BUFSIZE;
	if (r->opts.linger <= 0)
		r->opts.linger = 2;
	r->cb = cb;
	r->arg = arg;
	r->done_ev = event_new(base, -1, 0, relay_done_cb_, r);
	r->linger_ev = evtimer_new(base, relay_linger_cb, r);
	if (r->done_ev == NULL || r->linger_ev == NULL)
		abort();
	relay_half_init(r, RELAY_AB, a_rfd, b_wfd);
	relay_half_init(r, RELAY_BA, b_rfd, a_wfd);
	log_debug_f("a: %s/%s, b: %s/%s, a->b %s, b->a %s",
	    fdio_kind_name(r->half[RELAY_AB].src->kind),
	    fdio_kind_name(r->half[RELAY_BA].dst->kind),
	    fdio_kind_name(r->half[RELAY_BA].src->kind),
	    fdio_kind_name(r->half[RELAY_AB].dst->kind),
	    relay_mode_names[r->half[RELAY_AB].mode],
	    relay_mode_names[r->half[RELAY_BA].mode]);
	event_active(r->half[RELAY_AB].kick, 0, 0);
	event_active(r->half[RELAY_BA].kick, 0, 0);
	return r;
}

void
relay_free(struct relay *r)
{
	struct relay_half *h;
	size_t i;
	int d;

	if (r == NULL)
		return;
	for (d = 0; d < 2; d++) {
		h = &r->half[d];
		if (h->rev != NULL)
			event_free(h->rev);
		if (h->wev != NULL)
			event_free(h->wev);
		if (h->kick != NULL)
			event_free(h->kick);
		if (h->pfd[0] != -1)
			close(h->pfd[0]);
		if (h->pfd[1] != -1)
			close(h->pfd[1]);
		free(h->buf);
	}
	for (i = 0; i < r->nfds; i++)
		relay_fd_close(r, &r->fds[i]);
	event_free(r->done_ev);
	event_free(r->linger_ev);
	free(r);
}

uint64_t
relay_bytes(const struct relay *r, enum relay_dir dir)
{
	return r->half[dir].bytes;
}

size_t
relay_buffered(const struct relay *r, enum relay_dir dir)
{
	return relay_pending(&r->half[dir]);
}

const char *
relay_mode_name(const struct relay *r, enum relay_dir dir)
{
	return relay_mode_names[r->half[dir].mode];
}

int
relay_spliced(const struct relay *r, enum relay_dir dir)
{
	return r->half[dir].mode != RELAY_MODE_COPY;
}
