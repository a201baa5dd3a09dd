/*
 * askpass.c: ask for a passphrase through $SSH_ASKPASS, as ssh does when
 * it has no terminal (and a ProxyCommand never has one).
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "askpass.h"
#include "xmalloc.h"

extern char **environ;

#define ASKPASS_TIMEOUT_MS (5 * 60 * 1000)	/* a person is typing */

/* Read the child's answer into buf; returns bytes read or -1. */
static ssize_t
askpass_collect(int fd, char *buf, size_t size)
{
	size_t len = 0;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;
		int rc = poll(&p, 1, ASKPASS_TIMEOUT_MS);

		if (rc == -1 && errno == EINTR)
			continue;
		if (rc <= 0)
			return -1;
		n = read(fd, buf + len, size - 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == size - 1)
			return -1;	/* longer than any passphrase we take */
	}
	buf[len] = '\0';
	return (ssize_t)len;
}

int
askpass_read(const char *prompt, char *buf, size_t size, struct errmsg *e)
{
	const char *prog = getenv("SSH_ASKPASS");
	const char *require = getenv("SSH_ASKPASS_REQUIRE");
	posix_spawn_file_actions_t fa;
	char *argv[3];
	int pfd[2], status;
	pid_t pid;
	ssize_t n;

	if (prog == NULL || *prog == '\0' ||
	    (require != NULL && strcmp(require, "never") == 0))
		return errmsg_set(e, ENOENT, "no SSH_ASKPASS to ask with");
	if (pipe2(pfd, O_CLOEXEC) == -1)
		return errmsg_sys(e, errno, "pipe");
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], STDOUT_FILENO);
	argv[0] = (char *)prog;
	argv[1] = (char *)prompt;
	argv[2] = NULL;
	errno = posix_spawnp(&pid, prog, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	if (errno != 0) {
		int err = errno;

		close(pfd[0]);
		return errmsg_sys(e, err, "cannot run SSH_ASKPASS %s", prog);
	}
	n = askpass_collect(pfd[0], buf, size);
	close(pfd[0]);
	if (n == -1)
		kill(pid, SIGTERM);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (n == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		explicit_bzero(buf, size);
		return errmsg_set(e, ECANCELED, "SSH_ASKPASS %s gave no "
		    "passphrase", prog);
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return 0;
}
