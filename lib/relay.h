/*
 * relay.h: move bytes both ways between two endpoints made of fds.
 * SPDX-License-Identifier: MIT
 *
 * Endpoint A reads from a_rfd and writes to a_wfd (for a tool's stdio these
 * are 0 and 1; for a socket both are the same fd); endpoint B likewise.  Each
 * direction has one bounded buffer, so a slow reader stops the relay from
 * reading its writer (backpressure) and memory never grows.  Bytes move
 * with splice(2), straight across when one side is a pipe or through a
 * pipe of the relay's own, or through a user-space buffer; relay.c chooses
 * per direction from what the kernel allows and what measured fastest.
 *
 * Half-close: when one side's input reaches EOF and its buffer has been
 * written out, the other side's output is shut down (shutdown(SHUT_WR) for a
 * socket, close for anything else).  The relay ends when both directions are
 * done, on the first hard error, or (RELAY_F_B_EOF_ENDS) when B's EOF has
 * been delivered to A.  The relay owns the four fds and closes them; fds 0-2
 * are pointed at /dev/null instead of being closed.  Callers must ignore
 * SIGPIPE.
 */
#ifndef HOPKIT_RELAY_H
#define HOPKIT_RELAY_H

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct relay;

#define RELAY_BUFSIZE (256 * 1024)	/* default per direction */

#define RELAY_F_NO_SPLICE 0x01	/* always copy through user space */
#define RELAY_F_B_EOF_ENDS 0x02	/* end once B's EOF reached A */

struct relay_opts {
	size_t bufsize;		/* per direction; 0 means RELAY_BUFSIZE */
	unsigned flags;		/* RELAY_F_* */
	double linger;		/* RELAY_F_B_EOF_ENDS: seconds left to flush
				   A->B after B's EOF; 0 means 2 */
};

enum relay_dir {
	RELAY_AB = 0,		/* A's input to B's output */
	RELAY_BA = 1,		/* B's input to A's output */
};

struct relay_result {
	int error;		/* errno of the first hard error, or 0 */
	enum relay_dir error_dir; /* direction it happened in */
	int error_on_write;	/* 1 if writing (to the output) failed */
	uint64_t bytes[2];	/* bytes written out, by direction */
	int lingered;		/* A->B bytes were dropped: B was gone */
};

/* Called once when the relay ends; the callee may relay_free() in it. */
typedef void (*relay_done_cb)(struct relay *r, const struct relay_result *res,
    void *arg);

/* Start relaying; returns NULL (errno set) on failure, owning no fds then. */
struct relay *relay_new(struct event_base *base, int a_rfd, int a_wfd,
    int b_rfd, int b_wfd, const struct relay_opts *opts, relay_done_cb cb,
    void *arg);

/* Stop, close the fds, free.  Safe on NULL. */
void relay_free(struct relay *r);

/* Bytes written out so far in one direction. */
uint64_t relay_bytes(const struct relay *r, enum relay_dir dir);

/* Bytes read but not yet written in one direction: at most bufsize,
 * rounded up to a pipe's size; 0 when splicing straight across. */
size_t relay_buffered(const struct relay *r, enum relay_dir dir);

/* Is the direction moving bytes with splice(2) right now? */
int relay_spliced(const struct relay *r, enum relay_dir dir);

/* How the direction moves bytes: "direct", "pipe" or "copy". */
const char *relay_mode_name(const struct relay *r, enum relay_dir dir);

#endif
