/*
 * lib-notify.c: unit tests for lib/notify.c (the systemd notify protocol).
 * SPDX-License-Identifier: MIT
 *
 * Plays systemd's part: binds a datagram socket in a mkdtemp(3) directory
 * under $TMPDIR (or /tmp), or in the abstract namespace, points
 * $NOTIFY_SOCKET at it and reads back the exact datagrams.  Log output goes
 * to a file there, to count the warnings.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "basic.h"
#include "log.h"
#include "notify.h"

static char tmpdir[256], logpath[300];
static FILE *logr;

/* Bind a datagram socket at path, or in the abstract namespace at name
 * when path starts with '@'. */
static int
listener(const char *path)
{
	struct sockaddr_un sun;
	socklen_t len;
	size_t n = strlen(path);
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (n >= sizeof(sun.sun_path))
		bail("socket path too long: %s", path);
	memcpy(sun.sun_path, path, n);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';
	else
		len++;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1 || bind(fd, (struct sockaddr *)&sun, len) == -1)
		sysbail("bind %s", path);
	return fd;
}

/* The next datagram queued on fd, or "(none)". */
static const char *
next_msg(int fd)
{
	static char buf[8192];
	ssize_t n;

	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	if (n < 0)
		return "(none)";
	buf[n] = '\0';
	return buf;
}

/* Lines logged since the last call. */
static int
log_lines(void)
{
	char line[4096];
	int n = 0;

	while (fgets(line, sizeof(line), logr) != NULL)
		n++;
	clearerr(logr);
	return n;
}

/* Open with $NOTIFY_SOCKET set to s; bails when that fails. */
static struct notify *
open_at(const char *s)
{
	struct notify *n;
	struct errmsg e;

	setenv("NOTIFY_SOCKET", s, 1);
	if (notify_open(&n, &e) == -1 || n == NULL)
		bail("notify_open %s: %s", s, e.text);
	return n;
}

static void
test_no_socket(void)
{
	/* Any non-NULL value, to see notify_open() set it to NULL. */
	struct notify *n = (struct notify *)&n;
	struct errmsg e;

	unsetenv("NOTIFY_SOCKET");
	setenv("WATCHDOG_USEC", "30000000", 1);
	is_int(0, notify_open(&n, &e), "no NOTIFY_SOCKET: open succeeds");
	ok(n == NULL, "and gives no handle");
	is_string("", e.text, "and no message");
	is_int(0, notify_ready(n), "ready is a no-op");
	is_int(0, notify_status(n, "up %d", 1), "status is a no-op");
	is_int(0, notify_watchdog(n), "watchdog is a no-op");
	is_int(0, notify_stopping(n), "stopping is a no-op");
	is_int(0, notify_send(n, "READY=1"), "send is a no-op");
	ok(notify_watchdog_interval(n) == 0, "no watchdog without a socket");
	notify_close(n);
	setenv("NOTIFY_SOCKET", "", 1);
	n = (struct notify *)&n;
	ok(notify_open(&n, &e) == 0 && n == NULL, "empty NOTIFY_SOCKET: no-op");
	unsetenv("WATCHDOG_USEC");
	is_int(0, log_lines(), "nothing logged");
}

static void
test_path(void)
{
	char path[512], big[NOTIFY_STATUS_MAX + 100], want[NOTIFY_STATUS_MAX + 16];
	struct notify *n;
	int fd, probe, type;
	socklen_t tlen = sizeof(type);

	snprintf(path, sizeof(path), "%s/notify", tmpdir);
	fd = listener(path);
	/* socket(2) takes the lowest free fd: find out which that is. */
	probe = dup(0);
	close(probe);
	n = open_at(path);
	ok(getsockopt(probe, SOL_SOCKET, SO_TYPE, &type, &tlen) == 0 &&
	    type == SOCK_DGRAM, "the socket is a datagram socket");
	ok(fcntl(probe, F_GETFD) & FD_CLOEXEC, "it is close-on-exec");
	ok(fcntl(probe, F_GETFL) & O_NONBLOCK, "it is non-blocking");

	is_int(0, notify_ready(n), "ready sent");
	is_string("READY=1", next_msg(fd), "ready datagram");
	is_int(0, notify_status(n, "up: %d forwards", 3), "status sent");
	is_string("STATUS=up: 3 forwards", next_msg(fd), "status datagram");
	notify_status(n, "lost: %s\r\n", "server said\nREADY=1\rMAINPID=1");
	is_string("STATUS=lost: server said READY=1 MAINPID=1", next_msg(fd),
	    "newlines in a status cannot add assignments");
	notify_status(n, "\n");
	is_string("STATUS=", next_msg(fd), "a status of only a newline");
	is_int(0, notify_watchdog(n), "watchdog sent");
	is_string("WATCHDOG=1", next_msg(fd), "watchdog datagram");
	is_int(0, notify_stopping(n), "stopping sent");
	is_string("STOPPING=1", next_msg(fd), "stopping datagram");
	is_int(0, notify_send(n, "READY=1\nSTATUS=serving"), "send sent");
	is_string("READY=1\nSTATUS=serving", next_msg(fd),
	    "send passes several assignments in one datagram");

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	notify_status(n, "%s", big);
	snprintf(want, sizeof(want), "STATUS=%.*s", NOTIFY_STATUS_MAX, big);
	is_string(want, next_msg(fd), "a long status is cut");
	big[NOTIFY_STATUS_MAX] = '\0';
	notify_status(n, "%s", big);
	is_string(want, next_msg(fd), "a status of the largest size is whole");
	/* A two-byte character across the limit goes whole. */
	big[NOTIFY_STATUS_MAX - 1] = '\xc3';
	big[NOTIFY_STATUS_MAX] = '\xa9';
	big[NOTIFY_STATUS_MAX + 1] = '\0';
	notify_status(n, "%s", big);
	snprintf(want, sizeof(want), "STATUS=%.*s", NOTIFY_STATUS_MAX - 1, big);
	is_string(want, next_msg(fd), "a cut does not split a UTF-8 character");
	is_string("(none)", next_msg(fd), "no stray datagrams");
	is_int(0, log_lines(), "nothing logged");

	notify_close(n);
	close(fd);
	unlink(path);
}

static void
test_abstract(void)
{
	char name[128];
	struct notify *n;
	int fd;

	snprintf(name, sizeof(name), "@hopkit-notify-test-%ld", (long)getpid());
	fd = listener(name);
	n = open_at(name);
	is_int(0, notify_ready(n), "abstract: ready sent");
	is_string("READY=1", next_msg(fd), "abstract: ready datagram");
	notify_status(n, "%s", "héllo");
	is_string("STATUS=héllo", next_msg(fd), "abstract: UTF-8 status");
	notify_close(n);
	close(fd);
}

static void
test_bad_socket(void)
{
	struct notify *n = (struct notify *)&n;
	struct errmsg e;
	char path[200];

	setenv("NOTIFY_SOCKET", "run/notify", 1);
	is_int(-1, notify_open(&n, &e), "relative path refused");
	is_string("NOTIFY_SOCKET \"run/notify\": not an absolute path or @name",
	    e.text, "with a message");
	ok(n == NULL, "and no handle");
	setenv("NOTIFY_SOCKET", "vsock:2:1234", 1);
	is_int(-1, notify_open(&n, &e), "vsock address refused");
	setenv("NOTIFY_SOCKET", "@", 1);
	is_int(-1, notify_open(&n, &e), "empty abstract name refused");
	is_string("NOTIFY_SOCKET \"@\": empty abstract socket name", e.text,
	    "with a message");
	memset(path, 'x', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	setenv("NOTIFY_SOCKET", path, 1);
	is_int(-1, notify_open(&n, &e), "long path refused");
	ok(strstr(e.text, "path too long") != NULL, "because: %s", e.text);
	path[0] = '@';
	setenv("NOTIFY_SOCKET", path, 1);
	is_int(-1, notify_open(&n, &e), "long abstract name refused");
	is_int(0, notify_ready(n), "calls stay no-ops after a refusal");
	is_int(0, log_lines(), "nothing logged");
}

static void
test_failures(void)
{
	char path[512], big[NOTIFY_MSG_MAX + 2];
	struct notify *n;
	int fd, i, rc = 0;

	snprintf(path, sizeof(path), "%s/nobody", tmpdir);
	n = open_at(path);
	errno = 0;
	is_int(-1, notify_ready(n), "no listener: send fails");
	is_int(ENOENT, errno, "with errno ENOENT");
	is_int(-1, notify_watchdog(n), "and fails again");
	is_int(1, log_lines(), "logged once");
	notify_close(n);

	/* A listener that stopped reading: the send must not block. */
	snprintf(path, sizeof(path), "%s/full", tmpdir);
	fd = listener(path);
	n = open_at(path);
	alarm(30);
	for (i = 0; i < 100000 && rc == 0; i++)
		rc = notify_watchdog(n);
	alarm(0);
	ok(rc == -1 && errno == EAGAIN, "a full queue fails at once (after %d)",
	    i);
	is_int(1, log_lines(), "logged once");
	next_msg(fd);
	is_int(0, notify_watchdog(n), "sends work again once there is room");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	errno = 0;
	is_int(-1, notify_send(n, big), "a message over NOTIFY_MSG_MAX fails");
	is_int(EMSGSIZE, errno, "with EMSGSIZE");
	is_int(0, log_lines(), "later failures are not warned about");
	notify_close(n);
	close(fd);
	unlink(path);

	/* A socket whose listener has gone. */
	fd = listener(path);
	n = open_at(path);
	close(fd);
	is_int(-1, notify_ready(n), "closed listener: send fails");
	is_int(1, log_lines(), "logged once (new handle)");
	notify_close(n);
	unlink(path);
}

struct wd_case {
	const char *usec;	/* NULL: unset */
	int pid;		/* 0 unset, 1 ours, 2 another, 3 "abc", 4 "" */
	double want;
};

static const struct wd_case wd_cases[] = {
	{ "30000000", 0, 15.0 },
	{ "30000000", 1, 15.0 },
	{ "30000000", 2, 0 },
	{ "30000000", 3, 0 },
	{ "30000000", 4, 0 },
	{ "1000", 0, 0.0005 },
	{ "1", 0, 0.0000005 },
	{ "18446744073709551614", 0, 18446744073709551614.0 / 2e6 },
	{ NULL, 0, 0 },
	{ NULL, 1, 0 },
	{ "0", 0, 0 },
	{ "", 0, 0 },
	{ "abc", 0, 0 },
	{ "-5", 0, 0 },
	{ "+5", 0, 0 },
	{ " 5", 0, 0 },
	{ "5 ", 0, 0 },
	{ "12x", 0, 0 },
	{ "1.5", 0, 0 },
	{ "18446744073709551615", 0, 0 },	/* systemd's infinity */
	{ "18446744073709551616", 0, 0 },	/* overflow */
	{ "99999999999999999999999", 0, 0 },
};

static void
test_watchdog(void)
{
	char path[512], pid[32];
	struct notify *n;
	double got, diff;
	size_t i;
	int fd;

	snprintf(path, sizeof(path), "%s/wd", tmpdir);
	fd = listener(path);
	for (i = 0; i < sizeof(wd_cases) / sizeof(wd_cases[0]); i++) {
		const struct wd_case *c = &wd_cases[i];

		if (c->usec != NULL)
			setenv("WATCHDOG_USEC", c->usec, 1);
		else
			unsetenv("WATCHDOG_USEC");
		if (c->pid == 0)
			unsetenv("WATCHDOG_PID");
		snprintf(pid, sizeof(pid), "%ld", (long)getpid() +
		    (c->pid == 2 ? 1 : 0));
		if (c->pid == 1 || c->pid == 2)
			setenv("WATCHDOG_PID", pid, 1);
		else if (c->pid == 3)
			setenv("WATCHDOG_PID", "abc", 1);
		else if (c->pid == 4)
			setenv("WATCHDOG_PID", "", 1);
		n = open_at(path);
		got = notify_watchdog_interval(n);
		diff = got > c->want ? got - c->want : c->want - got;
		ok(diff <= c->want * 1e-12,
		    "WATCHDOG_USEC=%s, pid case %d: interval %g (want %g)",
		    c->usec ? c->usec : "(unset)", c->pid, got, c->want);
		notify_close(n);
	}
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	close(fd);
	unlink(path);
	is_int(0, log_lines(), "nothing logged");
}

int
main(void)
{
	const char *base = getenv("TMPDIR");
	FILE *logw;

	plan_lazy();
	if (base == NULL || *base == '\0')
		base = "/tmp";
	snprintf(tmpdir, sizeof(tmpdir), "%s/hopkit-notify-XXXXXX", base);
	if (mkdtemp(tmpdir) == NULL)
		sysbail("mkdtemp %s", tmpdir);
	snprintf(logpath, sizeof(logpath), "%s/log", tmpdir);
	logw = fopen(logpath, "w");
	logr = fopen(logpath, "r");
	if (logw == NULL || logr == NULL)
		sysbail("open %s", logpath);
	log_init("lib-notify", 0, 0);
	log_set_stream(logw);
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");

	test_no_socket();
	test_path();
	test_abstract();
	test_bad_socket();
	test_failures();
	test_watchdog();

	log_set_stream(NULL);
	fclose(logw);
	fclose(logr);
	unlink(logpath);
	rmdir(tmpdir);
	return 0;
}
