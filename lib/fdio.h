/*
 * fdio.h: small facts and settings of file descriptors.
 * SPDX-License-Identifier: MIT
 *
 * What kind of file an fd is decides how the relay moves its bytes: epoll
 * cannot watch regular files or /dev/null, splice(2) needs a pipe on one
 * side, and a terminal shared with a shell must not be made non-blocking.
 */
#ifndef HOPKIT_FDIO_H
#define HOPKIT_FDIO_H

enum fdio_kind {
	FDIO_SOCKET,
	FDIO_PIPE,	/* pipe or FIFO */
	FDIO_FILE,	/* regular file or block device */
	FDIO_TTY,
	FDIO_CHAR,	/* other character device, e.g. /dev/null */
	FDIO_OTHER,
	FDIO_BAD,	/* not an open fd */
};

enum fdio_kind fdio_kind(int fd);
const char *fdio_kind_name(enum fdio_kind kind);

/* Can the event loop wait on this fd?  (epoll refuses files and /dev/null.) */
int fdio_pollable(int fd);

/* Do fds a and b share one open file description (and so its flags)?
 * Uses kcmp(2); where that is missing, the same inode counts. */
int fdio_same_file(int a, int b);

/* Wait up to ms milliseconds for fd to be ready for events (POLLIN,
 * POLLOUT); 1 if it is, 0 if not. */
int fdio_ready(int fd, short events, int ms);

/* Set O_NONBLOCK on or off; returns the previous flags, or -1. */
int fdio_set_nonblock(int fd, int on);

/* Restore flags returned by fdio_set_nonblock (ignored when -1). */
void fdio_restore_flags(int fd, int flags);

int fdio_set_cloexec(int fd);

/* Open /dev/null on any of fds 0-2 that is closed, so that no socket can
 * land there by accident (as OpenSSH's sanitise_stdfd).  -1 on failure. */
int fdio_sanitize_stdfds(void);

/* TCP_NODELAY on a TCP socket; a no-op on other fds. */
void fdio_set_nodelay(int fd);

#endif
