/*
 * fdpass.c: SCM_RIGHTS send and receive; see fdpass.h.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fdpass.h"

int
fdpass_send(int sock, int fd, struct errmsg *e)
{
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(int))];
	} cmsgbuf;
	struct msghdr msg;
	struct cmsghdr *cmsg;
	struct iovec iov;
	char c = '\0';
	ssize_t n;

	memset(&msg, 0, sizeof(msg));
	memset(&cmsgbuf, 0, sizeof(cmsgbuf));
	msg.msg_control = cmsgbuf.buf;
	msg.msg_controllen = sizeof(cmsgbuf.buf);
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	iov.iov_base = &c;
	iov.iov_len = 1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;

	for (;;) {
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
		if (n == 1)
			return 0;
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			struct pollfd pfd = { .fd = sock, .events = POLLOUT };
			(void)poll(&pfd, 1, -1);
			continue;
		}
		if (n == -1 && errno == ENOTSOCK)
			return errmsg_set(e, errno,
			    "cannot pass the connection: stdout is not a Unix socket "
			    "(--fdpass is for ssh's ProxyUseFdpass yes)");
		return errmsg_sys(e, n == -1 ? errno : EIO,
		    "cannot pass the connection to ssh");
	}
}

int
fdpass_recv(int sock, struct errmsg *e)
{
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(int))];
	} cmsgbuf;
	struct msghdr msg;
	struct cmsghdr *cmsg;
	struct iovec iov;
	char c;
	ssize_t n;
	int fd;

	memset(&msg, 0, sizeof(msg));
	msg.msg_control = cmsgbuf.buf;
	msg.msg_controllen = sizeof(cmsgbuf.buf);
	iov.iov_base = &c;
	iov.iov_len = 1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	do {
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	} while (n == -1 && errno == EINTR);
	if (n == -1)
		return errmsg_sys(e, errno, "receive fd");
	if (n == 0)
		return errmsg_set(e, ECONNRESET, "receive fd: peer closed");
	cmsg = CMSG_FIRSTHDR(&msg);
	if (cmsg == NULL || cmsg->cmsg_level != SOL_SOCKET ||
	    cmsg->cmsg_type != SCM_RIGHTS ||
	    cmsg->cmsg_len < CMSG_LEN(sizeof(int)))
		return errmsg_set(e, EPROTO, "receive fd: no descriptor in message");
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	if ((msg.msg_flags & MSG_CTRUNC) || cmsg->cmsg_len != CMSG_LEN(sizeof(int))) {
		/* More than one fd was sent: the kernel dropped those that did
		 * not fit; refuse the one that did. */
		close(fd);
		return errmsg_set(e, EPROTO, "receive fd: expected exactly one descriptor");
	}
	return fd;
}
