/*
 * lib-proxycmd.c: unit tests for lib/proxycmd.c (ProxyCommand children).
 * SPDX-License-Identifier: MIT
 *
 * The expansion cases follow what OpenSSH 9.2 accepts (%h %k %n %p %r %%;
 * %C %L %l %d %u %i are "unknown key" there too).  The children are real
 * processes: cat, sh, ls and grep run through $SHELL -c "exec CMD"; the
 * tests wait for their output, never for a fixed time, and check at the
 * end that no child is left.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "basic.h"
#include "proxycmd.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct x_case {
	const char *tmpl;
	const char *host, *user, *orig, *alias;
	unsigned port;
	const char *out;	/* NULL: refused with msg */
	const char *msg;
};

static const struct x_case x_cases[] = {
	{ "nc %h %p", "db.example", "bob", "db", NULL, 22, "nc db.example 22",
	  NULL },
	{ "jumpcat -x p:8080 %h %p", "10.0.0.5", "u", "h", NULL, 2201,
	  "jumpcat -x p:8080 10.0.0.5 2201", NULL },
	{ "ssh -W %h:%p %r@bastion", "db", "bob", "db", NULL, 22,
	  "ssh -W db:22 bob@bastion", NULL },
	{ "%n|%h", "db.internal", "u", "DB", NULL, 22, "DB|db.internal", NULL },
	{ "%k", "db.internal", "u", "DB", NULL, 22, "DB", NULL },
	{ "%k", "db.internal", "u", "DB", "alias", 22, "alias", NULL },
	{ "100%% %%h", "h", "u", "h", NULL, 22, "100% %h", NULL },
	{ "", "h", "u", "h", NULL, 22, "", NULL },
	{ "no tokens ~ ${HOME}", "h", "u", "h", NULL, 22, "no tokens ~ ${HOME}",
	  NULL },
	{ "[%h]:%p", "::1", "u", "::1", NULL, 65535, "[::1]:65535", NULL },
	{ "%r", "h", "a$b", "h", NULL, 22, "a$b", NULL },
	{ "nc %h %p %C", "h", "u", "h", NULL, 22, NULL,
	  "unknown token %C in ProxyCommand \"nc %h %p %C\"" },
	{ "%L", "h", "u", "h", NULL, 22, NULL,
	  "unknown token %L in ProxyCommand \"%L\"" },
	{ "%l", "h", "u", "h", NULL, 22, NULL,
	  "unknown token %l in ProxyCommand \"%l\"" },
	{ "%d", "h", "u", "h", NULL, 22, NULL,
	  "unknown token %d in ProxyCommand \"%d\"" },
	{ "%u", "h", "u", "h", NULL, 22, NULL,
	  "unknown token %u in ProxyCommand \"%u\"" },
	{ "%i", "h", "u", "h", NULL, 22, NULL,
	  "unknown token %i in ProxyCommand \"%i\"" },
	{ "%\x1b", "h", "u", "h", NULL, 22, NULL,
	  "unknown token %\\x1b in ProxyCommand \"%\\x1b\"" },
	{ "nc %h 50%", "h", "u", "h", NULL, 22, NULL,
	  "ProxyCommand \"nc %h 50%\" ends in a lone %" },
	{ "nc %h %p", "h;reboot", "u", "h", NULL, 22, NULL,
	  "refusing host name \"h;reboot\" for %h in ProxyCommand: not a plain "
	  "host name" },
	{ "nc %n", "h", "u", "$(id)", NULL, 22, NULL,
	  "refusing host name \"$(id)\" for %n in ProxyCommand: not a plain "
	  "host name" },
	{ "nc %h", "-oProxyCommand=x", "u", "h", NULL, 22, NULL,
	  "refusing host name \"-oProxyCommand=x\" for %h in ProxyCommand: not "
	  "a plain host name" },
	{ "nc %h", "a b", "u", "h", NULL, 22, NULL,
	  "refusing host name \"a b\" for %h in ProxyCommand: not a plain host "
	  "name" },
	{ "%k", "h", "u", "h", "x`id`", 22, NULL,
	  "refusing host name \"x`id`\" for %k in ProxyCommand: not a plain "
	  "host name" },
	{ "%r", "h", "a;b", "h", NULL, 22, NULL,
	  "refusing user name \"a;b\" for %r in ProxyCommand: shell "
	  "metacharacters" },
	{ "nc %p", "h;reboot", "a;b", "h", NULL, 22, "nc 22", NULL },
};

/* Is there no child left, zombie or not? */
static int
no_children(void)
{
	int st;

	return waitpid(-1, &st, WNOHANG) == -1 && errno == ECHILD;
}

/* Read from fd until EOF or max bytes, waiting at most 10 s in all. */
static size_t
read_all(int fd, char *buf, size_t max)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	double end = tap_now() + 10;
	size_t n = 0;
	ssize_t r;

	while (n < max && tap_now() < end) {
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		r = read(fd, buf + n, max - n);
		if (r == -1 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	return n;
}

/* Write all of buf to the non-blocking fd. */
static int
write_all(int fd, const char *buf, size_t len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	size_t off = 0;
	ssize_t r;

	while (off < len) {
		r = write(fd, buf + off, len - off);
		if (r == -1 && (errno == EAGAIN || errno == EINTR)) {
			poll(&pfd, 1, 1000);
			continue;
		}
		if (r <= 0)
			return -1;
		off += (size_t)r;
	}
	return 0;
}

/* The expansion table, with and without an alias. */
static void
test_expand(void)
{
	struct errmsg e;
	char *out;
	size_t i;
	int rc;

	for (i = 0; i < N(x_cases); i++) {
		const struct x_case *xc = &x_cases[i];

		out = NULL;
		errmsg_clear(&e);
		if (xc->alias == NULL)
			rc = proxycmd_expand(xc->tmpl, xc->host, (uint16_t)xc->port,
			    xc->user, xc->orig, &out, &e);
		else
			rc = proxycmd_expand_alias(xc->tmpl, xc->host,
			    (uint16_t)xc->port, xc->user, xc->orig, xc->alias, &out, &e);
		if (xc->out != NULL) {
			if (!is_int(0, rc, "expand \"%s\"", xc->tmpl))
				diag("%s", e.text);
			is_string(xc->out, out, "expand \"%s\": value", xc->tmpl);
		} else {
			is_int(-1, rc, "expand \"%s\" (case %zu): refused", xc->tmpl, i);
			is_string(xc->msg, e.text, "expand case %zu: message", i);
		}
		free(out);
	}
}

/* A spawned cat echoes bytes, including NULs, both ways; EOF ends it. */
static void
test_cat(void)
{
	char *out, *back, how[128];
	struct errmsg e;
	size_t i, len = 256 * 1024, n;
	pid_t pid;
	int fd, st, flags;

	out = malloc(len);
	back = malloc(len);
	if (out == NULL || back == NULL)
		sysbail("malloc");
	for (i = 0; i < len; i++)
		out[i] = (char)(i * 7 + i / 251);
	if (!is_int(0, proxycmd_spawn("cat", &fd, &pid, &e), "spawn cat"))
		diag("%s", e.text);
	flags = fcntl(fd, F_GETFL);
	ok(flags != -1 && (flags & O_NONBLOCK), "our end is non-blocking");
	flags = fcntl(fd, F_GETFD);
	ok(flags != -1 && (flags & FD_CLOEXEC), "our end is close-on-exec");
	is_int(0, proxycmd_wait(pid, 0, &st, &e), "cat is running");
	/* Write in chunks and read back as we go, so neither side blocks. */
	for (i = n = 0; i < len; i += 16384) {
		if (write_all(fd, out + i, 16384) == -1)
			break;
		n += read_all(fd, back + n, i + 16384 - n);
	}
	ok(n == len && memcmp(out, back, len) == 0, "cat echoed %zu of %zu bytes",
	    n, len);
	shutdown(fd, SHUT_WR);
	ok(read_all(fd, back, 1) == 0, "EOF after our shutdown");
	close(fd);
	is_int(1, proxycmd_wait(pid, 10, &st, &e), "cat ended");
	is_string("exited with status 0", proxycmd_status_text(st, how,
	    sizeof(how)), "cat exited 0");
	free(out);
	free(back);
}

/* A command that exits 3 before any handshake: the caller can say so. */
static void
test_exit3(void)
{
	char how[128], buf[16];
	struct errmsg e;
	pid_t pid;
	int fd, st = 0;

	if (!is_int(0, proxycmd_spawn("sh -c 'exit 3'", &fd, &pid, &e),
	    "spawn exit 3"))
		diag("%s", e.text);
	is_int(0, (long long)read_all(fd, buf, sizeof(buf)), "exit 3: EOF at once");
	is_int(1, proxycmd_wait(pid, 10, &st, &e), "exit 3: ended");
	is_string("exited with status 3", proxycmd_status_text(st, how,
	    sizeof(how)), "exit 3: described");
	close(fd);
}

/* proxycmd_stop: SIGHUP reaps a normal command at once; one that ignores
 * SIGHUP is killed after PROXYCMD_STOP_WAIT. */
static void
test_stop(void)
{
	char how[128], buf[16];
	struct errmsg e;
	double t0;
	pid_t pid;
	int fd;

	if (!is_int(0, proxycmd_spawn("sleep 60", &fd, &pid, &e), "spawn sleep"))
		diag("%s", e.text);
	close(fd);
	t0 = tap_now();
	proxycmd_stop(pid, how, sizeof(how));
	is_string("killed by signal 1 (Hangup)", how, "stop: SIGHUP");
	ok(tap_now() - t0 < 1.5, "stop: prompt (%.2f s)", tap_now() - t0);

	if (!is_int(0, proxycmd_spawn("sh -c 'trap \"\" HUP; echo ready; "
	    "exec sleep 60'", &fd, &pid, &e), "spawn a SIGHUP-ignoring command"))
		diag("%s", e.text);
	is_int(6, (long long)read_all(fd, buf, 6), "it says it is ready");
	close(fd);
	t0 = tap_now();
	proxycmd_stop(pid, how, sizeof(how));
	is_string("killed by signal 9 (Killed)", how, "stop: escalated to SIGKILL");
	ok(tap_now() - t0 >= PROXYCMD_STOP_WAIT - 0.1 &&
	    tap_now() - t0 < PROXYCMD_STOP_WAIT + 2,
	    "stop: bounded (%.2f s)", tap_now() - t0);
	ok(no_children(), "stop: nothing left");
	proxycmd_stop(0, how, sizeof(how));
	is_string("no proxy command to stop", how, "stop: pid 0 refused");
	proxycmd_stop(-1, NULL, 0);
	ok(no_children(), "stop: pid -1 and a NULL buffer are fine");
}

/* In the child: only 0-2 open, 0 and 1 one socket, 2 our stderr; no
 * signal blocked or ignored. */
static void
test_child_state(void)
{
	char out[8192], mine[256], want[300], path[64], *line, *save = NULL;
	struct errmsg e;
	sigset_t block, old;
	pid_t pid;
	int fd, leak1, leak2[2], st, good = 1, fds = 0;
	size_t n;
	ssize_t r;

	/* Leak bait: fds without close-on-exec, a blocked and an ignored
	 * signal. */
	leak1 = open("/dev/null", O_RDONLY);
	if (leak1 == -1 || pipe(leak2) == -1)
		sysbail("open");
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &old);
	signal(SIGUSR2, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);

	if (!is_int(0, proxycmd_spawn("ls -l /proc/self/fd/", &fd, &pid, &e),
	    "spawn ls /proc/self/fd"))
		diag("%s", e.text);
	n = read_all(fd, out, sizeof(out) - 1);
	out[n] = '\0';
	close(fd);
	proxycmd_wait(pid, 10, &st, &e);
	r = readlink("/proc/self/fd/2", mine, sizeof(mine) - 1);
	mine[r > 0 ? r : 0] = '\0';
	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *arrow = strstr(line, " -> "), *num;
		int k;

		if (arrow == NULL)
			continue;	/* "total 0" */
		*arrow = '\0';
		num = strrchr(line, ' ');
		k = atoi(num + 1);
		fds++;
		if (k == 0 || k == 1) {
			good &= strncmp(arrow + 4, "socket:[", 8) == 0;
			if (k == 0)
				snprintf(want, sizeof(want), "%s", arrow + 4);
			else
				good &= strcmp(want, arrow + 4) == 0;
		} else if (k == 2) {
			good &= strcmp(mine, arrow + 4) == 0;
		} else {
			/* Only ls's own directory may be open. */
			snprintf(path, sizeof(path), "/proc/%ld/fd", (long)pid);
			if (strcmp(arrow + 4, path) != 0) {
				diag("leaked fd %d -> %s", k, arrow + 4);
				good = 0;
			}
		}
	}
	ok(good && fds >= 3 && fds <= 4, "child fds: 0/1 the socket, 2 stderr, "
	    "nothing leaked (%d entries)", fds);

	if (!is_int(0, proxycmd_spawn("grep -E '^Sig(Blk|Ign)' /proc/self/status",
	    &fd, &pid, &e), "spawn grep /proc/self/status"))
		diag("%s", e.text);
	n = read_all(fd, out, sizeof(out) - 1);
	out[n] = '\0';
	close(fd);
	proxycmd_wait(pid, 10, &st, &e);
	{
		/* Signals 32 and 33 are glibc's own (NPTL): posix_spawn in
		 * make(1) can leave them ignored in the test's environment,
		 * and no libc call can reset them.  Every other one must be
		 * default. */
		unsigned long long blk = ~0ULL, ign = ~0ULL;
		const char *b = strstr(out, "SigBlk:"), *i = strstr(out, "SigIgn:");

		if (b != NULL)
			blk = strtoull(b + 7, NULL, 16);
		if (i != NULL)
			ign = strtoull(i + 7, NULL, 16);
		ign &= ~(3ULL << 31);
		if (!ok(blk == 0 && ign == 0, "child: no signal blocked or "
		    "ignored"))
			diag("%s", out);
	}

	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGUSR2, SIG_DFL);
	close(leak1);
	close(leak2[0]);
	close(leak2[1]);
}

/* SHELL decides the shell, as in ssh; fd 0 closed in the parent is fine. */
static void
test_shell(void)
{
	char buf[64], how[128];
	const char *old = getenv("SHELL");
	char *saved = old != NULL ? strdup(old) : NULL;
	struct errmsg e;
	pid_t pid;
	int fd, st, null;
	size_t n;

	setenv("SHELL", "/nonexistent/shell", 1);
	is_int(-1, proxycmd_spawn("cat", &fd, &pid, &e), "bad SHELL: refused");
	is_string("cannot run ProxyCommand with /nonexistent/shell: No such file "
	    "or directory", e.text, "bad SHELL: message");
	setenv("SHELL", "", 1);
	is_int(0, proxycmd_spawn("echo $0", &fd, &pid, &e), "empty SHELL: /bin/sh");
	n = read_all(fd, buf, sizeof(buf) - 1);
	buf[n] = '\0';
	is_string("/bin/sh\n", buf, "empty SHELL: ran /bin/sh");
	close(fd);
	proxycmd_wait(pid, 10, &st, &e);

	/* With fd 0 closed, the socketpair may land on 0: still works. */
	unsetenv("SHELL");
	close(STDIN_FILENO);
	if (proxycmd_spawn("cat", &fd, &pid, &e) == -1)
		bail("spawn with fd 0 closed: %s", e.text);
	ok(fd > 2, "fd 0 closed: our end is above 2 (%d)", fd);
	ok(write_all(fd, "ping", 4) == 0 && read_all(fd, buf, 4) == 4 &&
	    memcmp(buf, "ping", 4) == 0, "fd 0 closed: cat still echoes");
	close(fd);
	proxycmd_stop(pid, how, sizeof(how));
	ok(strcmp(how, "exited with status 0") == 0 ||
	    strcmp(how, "killed by signal 1 (Hangup)") == 0,
	    "fd 0 closed: stopped (%s)", how);
	null = open("/dev/null", O_RDONLY);
	if (null != STDIN_FILENO)
		bail("could not restore fd 0");
	if (saved != NULL) {
		setenv("SHELL", saved, 1);
		free(saved);
	}
}

int
main(void)
{
	plan_lazy();
	test_expand();
	test_cat();
	test_exit3();
	test_stop();
	test_child_state();
	test_shell();
	ok(no_children(), "no child left at the end");
	return 0;
}
