/*
 * ptyrun: run a command on a fresh pseudo-terminal, as if typed at one.
 * SPDX-License-Identifier: MIT
 *
 * Usage: ptyrun [-i INFILE] [-p PIDFILE] OUTFILE CMD [ARG...]
 *
 * CMD gets the pty as its controlling terminal and as stdin, stdout and
 * stderr.  Everything it writes there is copied to OUTFILE.  With -i, the
 * bytes of INFILE are typed into the terminal once CMD has started (a ^D
 * byte at the start of a line is end of file, as at a shell).  With -p,
 * CMD's pid is written to PIDFILE.  ptyrun exits with CMD's exit status,
 * or 128 + the signal that killed it.  Nothing else is ever typed, so a
 * command that waits for terminal input waits for good.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static void __attribute__((noreturn))
die(const char *what)
{
	fprintf(stderr, "ptyrun: %s: %s\n", what, strerror(errno));
	exit(125);
}

/* Read all of path into a new buffer; *len gets its size. */
static char *
slurp(const char *path, size_t *len)
{
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY);

	*len = 0;
	if (fd == -1)
		die(path);
	for (;;) {
		if (*len == cap) {
			cap = cap ? cap * 2 : 4096;
			buf = realloc(buf, cap);
			if (buf == NULL)
				die("realloc");
		}
		n = read(fd, buf + *len, cap - *len);
		if (n <= 0)
			break;
		*len += (size_t)n;
	}
	close(fd);
	return buf;
}

/* In the child: make the pty slave the controlling terminal and stdio. */
static void __attribute__((noreturn))
child(const char *slave, char **argv)
{
	int fd;

	if (setsid() == -1)
		die("setsid");
	fd = open(slave, O_RDWR);
	if (fd == -1)
		die(slave);
	if (ioctl(fd, TIOCSCTTY, 0) == -1)
		die("TIOCSCTTY");
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	execvp(argv[0], argv);
	die(argv[0]);
}

int
main(int argc, char **argv)
{
	const char *infile = NULL, *pidfile = NULL;
	char buf[4096], *input = NULL, *slave;
	size_t inlen = 0;
	int c, master, out, status;
	pid_t pid;
	ssize_t n;
	FILE *pf;

	while ((c = getopt(argc, argv, "+i:p:")) != -1) {
		switch (c) {
		case 'i':
			infile = optarg;
			break;
		case 'p':
			pidfile = optarg;
			break;
		default:
			fprintf(stderr, "usage: ptyrun [-i INFILE] [-p PIDFILE] OUTFILE CMD [ARG...]\n");
			return 125;
		}
	}
	if (argc - optind < 2) {
		fprintf(stderr, "usage: ptyrun [-i INFILE] [-p PIDFILE] OUTFILE CMD [ARG...]\n");
		return 125;
	}
	if (infile != NULL)
		input = slurp(infile, &inlen);
	out = open(argv[optind], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out == -1)
		die(argv[optind]);
	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master == -1 || grantpt(master) == -1 || unlockpt(master) == -1)
		die("posix_openpt");
	slave = ptsname(master);
	if (slave == NULL)
		die("ptsname");
	pid = fork();
	if (pid == -1)
		die("fork");
	if (pid == 0) {
		close(master);
		child(slave, argv + optind + 1);
	}
	if (pidfile != NULL) {
		pf = fopen(pidfile, "w");
		if (pf == NULL)
			die(pidfile);
		fprintf(pf, "%ld\n", (long)pid);
		fclose(pf);
	}
	if (inlen > 0 && write(master, input, inlen) != (ssize_t)inlen)
		die("write to the terminal");
	free(input);
	/* Copy the terminal's output until the slave side is gone (EIO). */
	for (;;) {
		n = read(master, buf, sizeof(buf));
		if (n > 0) {
			if (write(out, buf, (size_t)n) != n)
				die("write");
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		break;
	}
	if (waitpid(pid, &status, 0) == -1)
		die("waitpid");
	close(out);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
