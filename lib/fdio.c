/*
 * fdio.c: fd classification and flag helpers; see fdio.h.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifdef HAVE_SYS_EPOLL_H
#include <sys/epoll.h>
#endif

#include "fdio.h"

enum fdio_kind
fdio_kind(int fd)
{
	struct stat st;

	if (fstat(fd, &st) == -1)
		return FDIO_BAD;
	if (S_ISSOCK(st.st_mode))
		return FDIO_SOCKET;
	if (S_ISFIFO(st.st_mode))
		return FDIO_PIPE;
	if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))
		return FDIO_FILE;
	if (S_ISCHR(st.st_mode))
		return isatty(fd) ? FDIO_TTY : FDIO_CHAR;
	return FDIO_OTHER;
}

const char *
fdio_kind_name(enum fdio_kind kind)
{
	switch (kind) {
	case FDIO_SOCKET:
		return "socket";
	case FDIO_PIPE:
		return "pipe";
	case FDIO_FILE:
		return "file";
	case FDIO_TTY:
		return "tty";
	case FDIO_CHAR:
		return "char device";
	case FDIO_OTHER:
		return "other";
	default:
		return "bad fd";
	}
}

int
fdio_pollable(int fd)
{
#ifdef HAVE_SYS_EPOLL_H
	struct epoll_event ev = { .events = EPOLLIN };
	int ep, rc;

	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep == -1)
		return fdio_kind(fd) != FDIO_FILE;
	rc = epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	close(ep);
	return rc == 0;
#else
	enum fdio_kind k = fdio_kind(fd);

	return k != FDIO_FILE && k != FDIO_BAD;
#endif
}

int
fdio_same_file(int a, int b)
{
	struct stat sa, sb;
#ifdef SYS_kcmp
	long rc;

	rc = syscall(SYS_kcmp, (long)getpid(), (long)getpid(), 0 /* KCMP_FILE */,
	    (long)a, (long)b);
	if (rc == 0)
		return 1;
	if (rc > 0)
		return 0;
#endif
	if (fstat(a, &sa) == -1 || fstat(b, &sb) == -1)
		return 0;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int
fdio_ready(int fd, short events, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int rc;

	do {
		rc = poll(&pfd, 1, ms);
	} while (rc == -1 && errno == EINTR);
	return rc == 1 && (pfd.revents & (events | POLLHUP | POLLERR)) != 0;
}

int
fdio_set_nonblock(int fd, int on)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags == -1)
		return -1;
	if (fcntl(fd, F_SETFL, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK) == -1)
		return -1;
	return flags;
}

void
fdio_restore_flags(int fd, int flags)
{
	if (flags != -1)
		(void)fcntl(fd, F_SETFL, flags);
}

int
fdio_set_cloexec(int fd)
{
	int flags = fcntl(fd, F_GETFD);

	if (flags == -1)
		return -1;
	return fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

int
fdio_sanitize_stdfds(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR)) != -1 && fd <= 2)
		;
	if (fd == -1)
		return -1;
	close(fd);
	return 0;
}

void
fdio_set_nodelay(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int one = 1;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return;
	if (ss.ss_family != AF_INET && ss.ss_family != AF_INET6)
		return;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}
