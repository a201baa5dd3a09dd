/*
 * lib-fdpass.c: unit tests for lib/fdpass.c (SCM_RIGHTS).
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "basic.h"
#include "fdpass.h"

int
main(void)
{
	struct errmsg e;
	int sv[2], p[2], got, rc;
	char buf[8];

	plan(6);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1 || pipe(p) == -1)
		sysbail("socketpair");
	rc = fdpass_send(sv[0], p[1], &e);
	is_int(0, rc, "send a pipe's write end");
	got = fdpass_recv(sv[1], &e);
	ok(got >= 0 && got != p[1], "received it as a new fd");
	ok(write(got, "hi", 2) == 2 && read(p[0], buf, 2) == 2 &&
	    memcmp(buf, "hi", 2) == 0, "the received fd is the same pipe");
	close(got);

	/* ssh's ProxyUseFdpass needs a Unix socket on stdout; a pipe is not. */
	rc = fdpass_send(p[1], p[0], &e);
	is_int(-1, rc, "sending over a pipe fails");
	ok(strstr(e.text, "stdout is not a Unix socket") != NULL,
	    "with a message that says why: %s", e.text);

	close(sv[0]);
	got = fdpass_recv(sv[1], &e);
	is_int(-1, got, "receive from a closed peer fails");
	return 0;
}
