/*
 * proxycmd.c: ProxyCommand expansion and the child on a socketpair; see
 * proxycmd.h.
 * SPDX-License-Identifier: MIT
 *
 * The child is started with fork() and execv(), as ssh does, not with
 * posix_spawn(3): glibc 2.36's posix_spawn leaves its two internal signals
 * (32 and 33) ignored in the child, and the child is promised default
 * dispositions for every signal.  Between fork and exec the child makes
 * only async-signal-safe calls, with all signals blocked until their
 * dispositions are reset, so no handler of the parent runs in it.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "proxycmd.h"
#include "xmalloc.h"

/* Could s go into a shell command unquoted as a host name (OpenSSH 9.6's
 * valid_hostname())? */
static int
proxycmd_safe_host(const char *s)
{
	if (*s == '-' || *s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (strchr("'`\"$\\;&<>|(){}", *s) != NULL ||
		    isspace((unsigned char)*s) || iscntrl((unsigned char)*s))
			return 0;
	return 1;
}

/* The same for a user name (OpenSSH 9.6's valid_ruser()). */
static int
proxycmd_safe_user(const char *s)
{
	if (*s == '-')
		return 0;
	for (; *s != '\0'; s++) {
		if (strchr("'`\";&<>|(){}", *s) != NULL ||
		    iscntrl((unsigned char)*s))
			return 0;
		if (isspace((unsigned char)*s) && s[1] == '-')
			return 0;
		if (*s == '\\' && s[1] == '\0')
			return 0;
	}
	return 1;
}

/* Close the fds of sv and ep that are open. */
static void
proxycmd_close4(const int sv[2], const int ep[2])
{
	int i;

	for (i = 0; i < 2; i++) {
		if (sv[i] != -1)
			close(sv[i]);
		if (ep[i] != -1)
			close(ep[i]);
	}
}

/* Append n bytes at s to the string *buf of length *len. */
static void
proxycmd_add(char **buf, size_t *len, const char *s, size_t n)
{
	*buf = xreallocarray(*buf, *len + n + 1, 1);
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
}

int
proxycmd_expand(const char *tmpl, const char *host, uint16_t port,
    const char *user, const char *orighost, char **out, struct errmsg *e)
{
	return proxycmd_expand_alias(tmpl, host, port, user, orighost, NULL, out,
	    e);
}

int
proxycmd_expand_alias(const char *tmpl, const char *host, uint16_t port,
    const char *user, const char *orighost, const char *alias, char **out,
    struct errmsg *e)
{
	char show[160], portbuf[8];
	const char *p, *v;
	char *buf = NULL;
	size_t len = 0;

	snprintf(portbuf, sizeof(portbuf), "%u", (unsigned)port);
	proxycmd_add(&buf, &len, "", 0);
	for (p = tmpl; *p != '\0'; p++) {
		if (*p != '%') {
			proxycmd_add(&buf, &len, p, 1);
			continue;
		}
		switch (*++p) {
		case '%':
			v = "%";
			break;
		case 'h':
			v = host;
			break;
		case 'n':
			v = orighost;
			break;
		case 'k':
			v = alias != NULL ? alias : orighost;
			break;
		case 'p':
			v = portbuf;
			break;
		case 'r':
			v = user;
			break;
		case '\0':
			free(buf);
			return errmsg_set(e, EINVAL,
			    "ProxyCommand \"%s\" ends in a lone %%",
			    log_quote(tmpl, show, sizeof(show)));
		default:
			free(buf);
			if (!isprint((unsigned char)*p))
				return errmsg_set(e, EINVAL, "unknown token %%\\x%02x in "
				    "ProxyCommand \"%s\"", (unsigned char)*p,
				    log_quote(tmpl, show, sizeof(show)));
			return errmsg_set(e, EINVAL,
			    "unknown token %%%c in ProxyCommand \"%s\"", *p,
			    log_quote(tmpl, show, sizeof(show)));
		}
		if (v == NULL)
			v = "";
		if ((*p == 'h' || *p == 'n' || *p == 'k') && !proxycmd_safe_host(v)) {
			free(buf);
			return errmsg_set(e, EINVAL, "refusing host name \"%s\" for "
			    "%%%c in ProxyCommand: not a plain host name",
			    log_quote(v, show, sizeof(show)), *p);
		}
		if (*p == 'r' && !proxycmd_safe_user(v)) {
			free(buf);
			return errmsg_set(e, EINVAL, "refusing user name \"%s\" for "
			    "%%r in ProxyCommand: shell metacharacters",
			    log_quote(v, show, sizeof(show)));
		}
		proxycmd_add(&buf, &len, v, strlen(v));
	}
	*out = buf;
	return 0;
}

/* Move fd off 0-2 (so that dup2 onto 0 and 1 really moves it); returns
 * the new fd (close-on-exec), or -1. */
static int
proxycmd_high(int fd)
{
	int nfd;

	if (fd < 0 || fd > STDERR_FILENO)
		return fd;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
	close(fd);
	return nfd;
}

/* Close every fd from 3 up except keep (> 2); maxfd bounds the slow way. */
static void
proxycmd_closefrom(int keep, int maxfd)
{
	int fd;

#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 34)
	if ((keep == STDERR_FILENO + 1 ||
	    close_range(STDERR_FILENO + 1, (unsigned)keep - 1, 0) == 0) &&
	    close_range((unsigned)keep + 1, ~0U, 0) == 0)
		return;
#endif
	for (fd = STDERR_FILENO + 1; fd < maxfd; fd++)
		if (fd != keep)
			close(fd);
}

/*
 * The child, between fork and exec: only async-signal-safe calls.  All
 * signals are blocked on entry (the parent's handlers must not run here);
 * reset every disposition, move the socket to 0 and 1, close the rest,
 * unblock, exec.  An exec failure goes to the parent as an errno on errfd.
 */
static void __attribute__((noreturn))
proxycmd_child(const char *shell, char *const argv[], int sock, int errfd,
    int stderr_fd, int maxfd)
{
	struct sigaction sa;
	sigset_t none;
	int sig, err;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &sa, NULL);	/* EINVAL for KILL, STOP */
	if (dup2(sock, STDIN_FILENO) == -1 || dup2(sock, STDOUT_FILENO) == -1)
		goto fail;
	if (stderr_fd != -1 && dup2(stderr_fd, STDERR_FILENO) == -1)
		goto fail;
	proxycmd_closefrom(errfd, maxfd);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execv(shell, argv);
 fail:
	err = errno;
	if (write(errfd, &err, sizeof(err)) == -1)
		_exit(126);
	_exit(127);
}

int
proxycmd_spawn(const char *cmd, int *fd, pid_t *pid, struct errmsg *e)
{
	return proxycmd_spawn_err(cmd, -1, fd, pid, e);
}

int
proxycmd_spawn_err(const char *cmd, int errfd, int *fd, pid_t *pid,
    struct errmsg *e)
{
	const char *shell = getenv("SHELL");
	char *argv[4], *full, show[160];
	struct rlimit rl;
	sigset_t all, old;
	int sv[2], ep[2], rc, err = 0, flags, maxfd = 1024;
	ssize_t n;
	pid_t p;

	if (shell == NULL || *shell == '\0')
		shell = "/bin/sh";
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < 1024 * 1024)
		maxfd = (int)rl.rlim_cur;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		return errmsg_sys(e, errno, "socketpair for ProxyCommand");
	if (pipe2(ep, O_CLOEXEC) == -1) {
		rc = errno;
		close(sv[0]);
		close(sv[1]);
		return errmsg_sys(e, rc, "pipe for ProxyCommand");
	}
	sv[0] = proxycmd_high(sv[0]);
	sv[1] = proxycmd_high(sv[1]);
	ep[0] = proxycmd_high(ep[0]);
	ep[1] = proxycmd_high(ep[1]);
	if (sv[0] == -1 || sv[1] == -1 || ep[0] == -1 || ep[1] == -1) {
		rc = errno;
		proxycmd_close4(sv, ep);
		return errmsg_sys(e, rc, "fcntl for ProxyCommand");
	}
	full = xmalloc(strlen(cmd) + sizeof("exec "));
	strcpy(full, "exec ");
	strcat(full, cmd);
	argv[0] = (char *)shell;
	argv[1] = (char *)"-c";
	argv[2] = full;
	argv[3] = NULL;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	p = fork();
	if (p == 0)
		proxycmd_child(shell, argv, sv[1], ep[1], errfd, maxfd);
	rc = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	free(full);
	close(sv[1]);
	close(ep[1]);
	if (p == -1) {
		close(sv[0]);
		close(ep[0]);
		return errmsg_sys(e, rc, "fork for ProxyCommand");
	}
	/* The exec closes ep's write end: EOF means it worked. */
	do
		n = read(ep[0], &err, sizeof(err));
	while (n == -1 && errno == EINTR);
	close(ep[0]);
	if (n == (ssize_t)sizeof(err)) {
		close(sv[0]);
		while (waitpid(p, NULL, 0) == -1 && errno == EINTR)
			;
		return errmsg_sys(e, err, "cannot run ProxyCommand with %s",
		    log_quote(shell, show, sizeof(show)));
	}
	flags = fcntl(sv[0], F_GETFL);
	if (flags == -1 || fcntl(sv[0], F_SETFL, flags | O_NONBLOCK) == -1) {
		rc = errno;
		close(sv[0]);
		proxycmd_stop(p, NULL, 0);
		return errmsg_sys(e, rc, "fcntl for ProxyCommand");
	}
	*fd = sv[0];
	*pid = p;
	return 0;
}

int
proxycmd_wait(pid_t pid, double timeout, int *status, struct errmsg *e)
{
	struct timespec ts;
	double deadline = clock_now() + timeout, left, step = 0.002;
	pid_t r;
	int st;

	for (;;) {
		r = waitpid(pid, &st, WNOHANG);
		if (r == pid) {
			if (status != NULL)
				*status = st;
			return 1;
		}
		if (r == -1 && errno != EINTR)
			return errmsg_sys(e, errno, "waitpid %ld", (long)pid);
		left = deadline - clock_now();
		if (left <= 0)
			return 0;
		if (step > left)
			step = left;
		ts.tv_sec = (time_t)step;
		ts.tv_nsec = (long)((step - (double)ts.tv_sec) * 1e9);
		nanosleep(&ts, NULL);
		if (step < 0.05)
			step *= 2;
	}
}

void
proxycmd_stop(pid_t pid, char *buf, size_t len)
{
	struct errmsg e;
	int st = 0, rc;

	if (pid <= 0) {
		if (buf != NULL && len > 0)
			snprintf(buf, len, "no proxy command to stop");
		return;
	}
	kill(pid, SIGHUP);
	rc = proxycmd_wait(pid, PROXYCMD_STOP_WAIT, &st, &e);
	if (rc == 0) {
		kill(pid, SIGKILL);
		while ((rc = (int)waitpid(pid, &st, 0)) == -1 && errno == EINTR)
			;
		if (rc == -1)
			errmsg_sys(&e, errno, "waitpid %ld", (long)pid);
		else
			rc = 1;
	}
	if (buf == NULL || len == 0)
		return;
	if (rc == 1)
		proxycmd_status_text(st, buf, len);
	else
		snprintf(buf, len, "%s", e.text);
}

const char *
proxycmd_status_text(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status),
		    strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "ended with wait status 0x%x", (unsigned)status);
	return buf;
}
