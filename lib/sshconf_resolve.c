/*
 * sshconf_resolve.c: ask "ssh -G" for a host's settings, or read the files
 * ssh would read; see sshconf.h.
 * SPDX-License-Identifier: MIT
 *
 * This is the module's I/O: running ssh (posix_spawnp, no shell, bounded
 * by a timeout, always reaped), reading configuration files with ssh's
 * ownership checks, globbing Include patterns, and finding out who and
 * where the local user is.  The parsing is in sshconf.c and
 * sshconf_parse.c.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "endpoint.h"
#include "log.h"
#include "sshconf.h"
#include "xmalloc.h"

extern char **environ;

#define SSHCONF_FILE_MAX (1024 * 1024)	/* largest config file read */
#define SSHCONF_STDERR_MAX 4096		/* stderr kept for the message */

/* What ssh 9.2 prints on stderr for -G when stdin is not a terminal. */
#define SSHCONF_PTY_NOTE "Pseudo-terminal will not be allocated"

/* The output of one "ssh -G" run. */
struct sshconf_run {
	char *out;		/* stdout, NUL-terminated */
	size_t outlen;
	char err[SSHCONF_STDERR_MAX];	/* start of stderr, NUL-terminated */
	size_t errlen;
	int status;		/* wait status */
};

/* getenv(3) as the struct sshconf_local lookup. */
static const char *
sshconf_getenv(const char *name, void *arg)
{
	(void)arg;
	return getenv(name);
}

/* Copy s into dst (size len); -1 if it does not fit. */
static int
sshconf_copy(char *dst, size_t len, const char *s)
{
	size_t n = strlen(s);

	if (n >= len)
		return -1;
	memcpy(dst, s, n + 1);
	return 0;
}

int
sshconf_local_init(struct sshconf_local *l, struct errmsg *e)
{
	struct passwd pw, *pwp = NULL;
	char buf[16384];
	const char *home, *user;

	memset(l, 0, sizeof(*l));
	l->uid = (unsigned long)getuid();
	l->getenv = sshconf_getenv;
	if (getpwuid_r(getuid(), &pw, buf, sizeof(buf), &pwp) == 0 &&
	    pwp != NULL) {
		if (sshconf_copy(l->user, sizeof(l->user), pwp->pw_name) == -1 ||
		    sshconf_copy(l->home, sizeof(l->home), pwp->pw_dir) == -1)
			return errmsg_set(e, ENAMETOOLONG,
			    "user name or home directory too long");
	} else {
		/* No entry (a container's arbitrary uid): the environment. */
		home = getenv("HOME");
		user = getenv("USER");
		if (user == NULL || *user == '\0')
			user = getenv("LOGNAME");
		if (home == NULL || *home == '\0')
			return errmsg_set(e, ENOENT, "no user exists for uid %lu and "
			    "HOME is not set", l->uid);
		if (user == NULL || *user == '\0')
			snprintf(l->user, sizeof(l->user), "%lu", l->uid);
		else if (sshconf_copy(l->user, sizeof(l->user), user) == -1)
			return errmsg_set(e, ENAMETOOLONG, "USER too long");
		if (sshconf_copy(l->home, sizeof(l->home), home) == -1)
			return errmsg_set(e, ENAMETOOLONG, "HOME too long");
	}
	if (gethostname(l->hostname, sizeof(l->hostname) - 1) == -1)
		return errmsg_sys(e, errno, "gethostname");
	l->hostname[sizeof(l->hostname) - 1] = '\0';
	return 0;
}

/*
 * Read the file at path whole into *text (malloc'd, NUL-terminated) and
 * *len.  With checkperm, refuse a file not owned by us or root or
 * writable by group or others (ssh's rule for ~/.ssh/config and included
 * files).  Returns 0, or -1 with e set and e->code the errno.
 */
static int
sshconf_read_file(const char *path, int checkperm, char **text, size_t *len,
    struct errmsg *e)
{
	char show[512];
	struct stat st;
	size_t cap = 4096, n = 0;
	ssize_t r;
	char *buf;
	int fd, oerrno;

	log_sanitize(show, sizeof(show), path);
	/* O_NONBLOCK: a FIFO must not hang us; reads then see EOF or EAGAIN. */
	fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1)
		return errmsg_sys(e, errno, "Can't open config file %s", show);
	if (fstat(fd, &st) == -1) {
		oerrno = errno;
		close(fd);
		return errmsg_sys(e, oerrno, "fstat %s", show);
	}
	if (checkperm && ((st.st_uid != 0 && st.st_uid != getuid()) ||
	    (st.st_mode & 022) != 0)) {
		close(fd);
		return errmsg_set(e, EPERM, "Bad owner or permissions on %s", show);
	}
	buf = xmalloc(cap + 1);
	for (;;) {
		if (n == cap) {
			if (cap >= SSHCONF_FILE_MAX) {
				close(fd);
				free(buf);
				return errmsg_set(e, EFBIG, "config file %s is larger "
				    "than %d bytes", show, SSHCONF_FILE_MAX);
			}
			cap *= 2;
			buf = xreallocarray(buf, cap + 1, 1);
		}
		r = read(fd, buf + n, cap - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			oerrno = errno;
			close(fd);
			free(buf);
			return errmsg_sys(e, oerrno, "read %s", show);
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}

int
sshconf_include_files(const char *pattern, struct sshconf_file **files,
    size_t *nfiles, void *arg, struct errmsg *e)
{
	const struct sshconf_local *l = arg;
	char show[512], *path, *text;
	struct sshconf_file *f;
	glob_t gl;
	size_t i, len;
	int r;

	*files = NULL;
	*nfiles = 0;
	if (pattern[0] == '~' && (pattern[1] == '/' || pattern[1] == '\0')) {
		path = xmalloc(strlen(l->home) + strlen(pattern) + 1);
		strcpy(path, l->home);
		strcat(path, pattern + 1);
	} else {
		path = xstrdup(pattern);
	}
	memset(&gl, 0, sizeof(gl));
	r = glob(path, GLOB_TILDE, NULL, &gl);
	log_sanitize(show, sizeof(show), path);
	free(path);
	if (r == GLOB_NOMATCH)
		return 0;
	if (r != 0)
		return errmsg_set(e, EIO, "glob failed for %s", show);
	f = xcalloc(gl.gl_pathc, sizeof(*f));
	for (i = 0; i < gl.gl_pathc; i++) {
		if (sshconf_read_file(gl.gl_pathv[i], 1, &text, &len, e) == -1) {
			if (e->code == ENOENT)
				continue;	/* vanished since the glob */
			sshconf_files_free(f, *nfiles);
			globfree(&gl);
			return -1;
		}
		f[*nfiles].name = xstrdup(gl.gl_pathv[i]);
		f[*nfiles].text = text;
		f[*nfiles].len = len;
		(*nfiles)++;
	}
	globfree(&gl);
	*files = f;
	return 0;
}

/* Append n bytes to a buffer of at most max bytes (the rest dropped). */
static void
sshconf_keep(char *buf, size_t *len, size_t max, const char *s, size_t n)
{
	if (*len + 1 >= max)
		return;
	if (n > max - 1 - *len)
		n = max - 1 - *len;
	memcpy(buf + *len, s, n);
	*len += n;
	buf[*len] = '\0';
}

/*
 * Read the child's stdout and stderr until both end or the deadline, and
 * close both fds whatever happens.  Returns 0, 1 on timeout, or -1 with e
 * set (too much output, poll failed).
 */
static int
sshconf_collect(int outfd, int errfd, double deadline, struct sshconf_run *run,
    struct errmsg *e)
{
	struct pollfd pfd[2];
	char chunk[8192];
	double left;
	ssize_t n;
	int i, rc = 0;

	run->out = xmalloc(1);
	run->out[0] = '\0';
	while (rc == 0 && (outfd != -1 || errfd != -1)) {
		left = deadline - clock_now();
		if (left <= 0) {
			rc = 1;
			break;
		}
		pfd[0].fd = outfd;
		pfd[0].events = POLLIN;
		pfd[1].fd = errfd;
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, (int)(left * 1000) + 1) == -1) {
			if (errno != EINTR)
				rc = errmsg_sys(e, errno, "poll");
			continue;
		}
		for (i = 0; i < 2 && rc == 0; i++) {
			if (pfd[i].fd == -1 || pfd[i].revents == 0)
				continue;
			n = read(pfd[i].fd, chunk, sizeof(chunk));
			if (n == -1 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0) {
				close(pfd[i].fd);
				if (i == 0)
					outfd = -1;
				else
					errfd = -1;
			} else if (i == 1) {
				sshconf_keep(run->err, &run->errlen, sizeof(run->err),
				    chunk, (size_t)n);
			} else if (run->outlen + (size_t)n > SSHCONF_OUTPUT_MAX) {
				rc = errmsg_set(e, EFBIG, "printed more than %d bytes",
				    SSHCONF_OUTPUT_MAX);
			} else {
				run->out = xreallocarray(run->out,
				    run->outlen + (size_t)n + 1, 1);
				memcpy(run->out + run->outlen, chunk, (size_t)n);
				run->outlen += (size_t)n;
				run->out[run->outlen] = '\0';
			}
		}
	}
	if (outfd != -1)
		close(outfd);
	if (errfd != -1)
		close(errfd);
	return rc;
}

/*
 * Reap pid, waiting until the deadline; after it (or at once if kill_now),
 * SIGKILL it and reap.  Returns 1 if it had to be killed.
 */
static int
sshconf_reap(pid_t pid, double deadline, int kill_now, int *status)
{
	struct timespec ts = { 0, 5 * 1000 * 1000 };
	pid_t r;

	while (!kill_now) {
		r = waitpid(pid, status, WNOHANG);
		if (r == pid || (r == -1 && errno != EINTR))
			return 0;
		if (clock_now() >= deadline)
			break;
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, status, 0) == -1 && errno == EINTR)
		;
	return 1;
}

/*
 * Run argv (argv[0] looked up in PATH) with stdin /dev/null, stdout and
 * stderr into run, default signal handling, no other fds, for at most
 * timeout seconds.  Returns 1 if it ran to its end (run->status set), 0
 * if argv[0] does not exist, or -1 with e set.
 */
static int
sshconf_run(char *const argv[], double timeout, struct sshconf_run *run,
    struct errmsg *e)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	int outp[2], errp[2], rc, timedout;
	double deadline;
	pid_t pid;

	memset(run, 0, sizeof(*run));
	if (pipe2(outp, O_CLOEXEC) == -1)
		return errmsg_sys(e, errno, "pipe");
	if (pipe2(errp, O_CLOEXEC) == -1) {
		rc = errno;
		close(outp[0]);
		close(outp[1]);
		return errmsg_sys(e, rc, "pipe");
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY,
	    0);
	posix_spawn_file_actions_adddup2(&fa, outp[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, errp[1], STDERR_FILENO);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 34)
	posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
#endif
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawnp(&pid, argv[0], &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(outp[1]);
	close(errp[1]);
	if (rc != 0) {
		close(outp[0]);
		close(errp[0]);
		if (rc == ENOENT)
			return 0;
		return errmsg_sys(e, rc, "cannot run %s", argv[0]);
	}
	deadline = clock_now() + timeout;
	rc = sshconf_collect(outp[0], errp[0], deadline, run, e);
	timedout = sshconf_reap(pid, deadline, rc != 0, &run->status);
	if (rc == 1 || (rc == 0 && timedout))
		return errmsg_set(e, ETIMEDOUT, "did not finish within %g s "
		    "(killed)", timeout);
	return rc == -1 ? -1 : 1;
}

/* The first line of ssh's stderr that is not the pseudo-terminal note,
 * sanitized into buf; "" if none. */
static const char *
sshconf_first_line(const char *err, char *buf, size_t len)
{
	char line[512];
	const char *p = err, *eol;
	size_t n;

	buf[0] = '\0';
	for (; *p != '\0'; p = *eol != '\0' ? eol + 1 : eol) {
		eol = p + strcspn(p, "\n");
		n = (size_t)(eol - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n == 0 || strncmp(p, SSHCONF_PTY_NOTE,
		    sizeof(SSHCONF_PTY_NOTE) - 1) == 0)
			continue;
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		log_sanitize(buf, len, line);
		break;
	}
	return buf;
}

/* Describe a wait status that is not a clean exit 0 into buf. */
static const char *
sshconf_status(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, len, "ended with wait status %d", status);
	return buf;
}

/*
 * Run "ssh -G" for q.  Returns 1 with out filled, 0 if the program is not
 * installed, or -1 with e set.
 */
static int
sshconf_resolve_g(const char *ssh, const struct sshconf_query *q,
    const struct sshconf_local *l, struct sshconf *out, struct errmsg *e)
{
	char portbuf[16], line[400], what[64], show[160];
	const char **argv;
	struct sshconf_run run;
	struct errmsg pe;
	size_t n = 0, i;
	int rc;

	argv = xcalloc(q->noptions * 2 + 12, sizeof(*argv));
	argv[n++] = ssh;
	argv[n++] = "-G";
	if (q->config != NULL) {
		argv[n++] = "-F";
		argv[n++] = q->config;
	}
	for (i = 0; i < q->noptions; i++) {
		argv[n++] = "-o";
		argv[n++] = q->options[i];
	}
	if (q->port > 0) {
		snprintf(portbuf, sizeof(portbuf), "%d", q->port);
		argv[n++] = "-p";
		argv[n++] = portbuf;
	}
	if (q->user != NULL) {
		argv[n++] = "-l";
		argv[n++] = q->user;
	}
	argv[n++] = "--";
	argv[n++] = q->destination;
	argv[n] = NULL;
	rc = sshconf_run((char *const *)argv, q->timeout > 0 ? q->timeout :
	    SSHCONF_TIMEOUT, &run, &pe);
	free(argv);
	log_sanitize(show, sizeof(show), ssh);
	if (rc == 0) {
		free(run.out);
		return 0;
	}
	if (rc == -1) {
		free(run.out);
		return errmsg_set(e, pe.code, "%s -G: %s", show, pe.text);
	}
	if (!WIFEXITED(run.status) || WEXITSTATUS(run.status) != 0) {
		free(run.out);
		if (*sshconf_first_line(run.err, line, sizeof(line)) != '\0')
			return errmsg_set(e, EINVAL, "%s -G: %s", show, line);
		return errmsg_set(e, EINVAL, "%s -G %s",
		    show, sshconf_status(run.status, what, sizeof(what)));
	}
	rc = sshconf_parse_g(run.out, run.outlen, out, &pe);
	free(run.out);
	if (rc == -1)
		return errmsg_set(e, pe.code, "%s -G: %s", show, pe.text);
	if (*sshconf_first_line(run.err, line, sizeof(line)) != '\0') {
		out->warning = xmalloc(strlen(show) + strlen(line) + 3);
		sprintf(out->warning, "%s: %s", show, line);
	}
	if (sshconf_expand_paths(out, l, SSHCONF_EXPAND_IDENTITY, e) == -1) {
		sshconf_free(out);
		return -1;
	}
	return 1;
}

/*
 * Read one configuration file into the parser.  missing_ok: a file that
 * cannot be opened is skipped (ssh's ~/.ssh/config and
 * /etc/ssh/ssh_config); otherwise it is an error (the -F file).
 */
static int
sshconf_feed_file(struct sshconf_parser *sp, const char *path, int user,
    int checkperm, int missing_ok, struct errmsg *e)
{
	char show[512];
	struct errmsg re;
	char *text;
	size_t len;
	int rc;

	if (sshconf_read_file(path, checkperm, &text, &len, &re) == -1) {
		if (re.code == EPERM || re.code == EFBIG)
			return errmsg_set(e, re.code, "%s", re.text);
		if (missing_ok)
			return 0;
		log_sanitize(show, sizeof(show), path);
		return errmsg_set(e, re.code, "Can't open user config file %s: %s",
		    show, strerror(re.code));
	}
	rc = sshconf_parser_feed(sp, path, text, len, user, e);
	free(text);
	return rc;
}

/* The fallback: read the files ssh would read for q, as ssh would. */
static int
sshconf_resolve_files(const struct sshconf_query *q, const char *host,
    const char *user, int port, const struct sshconf_local *l,
    struct sshconf *out, struct errmsg *e)
{
	struct sshconf_params p;
	struct sshconf_parser *sp;
	char *path;
	int rc = 0;

	memset(&p, 0, sizeof(p));
	p.local = l;
	p.user = user;
	p.port = port;
	p.options = q->options;
	p.noptions = q->noptions;
	p.include = sshconf_include_files;
	p.include_arg = (void *)l;
	if ((sp = sshconf_parser_new(host, &p, e)) == NULL)
		return -1;
	if (q->config != NULL) {
		if (strcasecmp(q->config, "none") != 0)
			rc = sshconf_feed_file(sp, q->config, 1, 0, 0, e);
	} else {
		path = xmalloc(strlen(l->home) + sizeof("/.ssh/config"));
		strcpy(path, l->home);
		strcat(path, "/.ssh/config");
		rc = sshconf_feed_file(sp, path, 1, 1, 1, e);
		free(path);
		if (rc == 0)
			rc = sshconf_feed_file(sp, "/etc/ssh/ssh_config", 0, 0, 1, e);
	}
	if (rc == 0)
		rc = sshconf_parser_finish(sp, out, NULL, e);
	sshconf_parser_free(sp);
	if (rc == 0 &&
	    sshconf_expand_paths(out, l, SSHCONF_EXPAND_ALL, e) == -1) {
		sshconf_free(out);
		rc = -1;
	}
	return rc;
}

/*
 * Split a destination as ssh does: "[user@]host" at the last '@', or an
 * "ssh://[user@]host[:port][/]" URI.  *user is NULL when there is none.
 */
static int
sshconf_destination(const char *dest, char **user, char **host, int *port,
    struct errmsg *e)
{
	char show[160], *uri;
	struct endpoint ep;
	const char *at, *orig = dest;
	int rc;

	*user = NULL;
	*port = 0;
	if (strncmp(dest, "ssh://", 6) == 0) {
		uri = xstrdup(dest + 6);
		uri[strcspn(uri, "/")] = '\0';
		rc = endpoint_parse(uri, ENDPOINT_USER_OK, &ep, e);
		free(uri);
		if (rc == -1)
			return errmsg_set(e, e->code, "invalid destination \"%s\": %s",
			    log_quote(dest, show, sizeof(show)), e->text);
		if (ep.user[0] != '\0')
			*user = xstrdup(ep.user);
		*host = xstrdup(ep.host);
		*port = ep.has_port ? ep.port : 0;
		return 0;
	}
	at = strrchr(dest, '@');
	if (at != NULL && at != dest) {
		*user = xstrdup(dest);
		(*user)[at - dest] = '\0';
		dest = at + 1;
	}
	if (*dest == '\0') {
		free(*user);
		*user = NULL;
		return errmsg_set(e, EINVAL, "invalid destination \"%s\": no host",
		    log_quote(orig, show, sizeof(show)));
	}
	*host = xstrdup(dest);
	return 0;
}

int
sshconf_resolve(const struct sshconf_query *q, struct sshconf *out,
    struct errmsg *e)
{
	char show[160], *user = NULL, *host = NULL;
	struct sshconf_local l;
	const char *ssh;
	int rc, port = 0;

	memset(out, 0, sizeof(*out));
	if (q->destination == NULL || *q->destination == '\0')
		return errmsg_set(e, EINVAL, "missing destination");
	if (q->destination[0] == '-')
		return errmsg_set(e, EINVAL,
		    "invalid destination \"%s\": must not start with '-'",
		    log_quote(q->destination, show, sizeof(show)));
	if (q->port < 0 || q->port > 65535)
		return errmsg_set(e, ERANGE, "invalid port %d", q->port);
	if (sshconf_local_init(&l, e) == -1)
		return -1;
	ssh = getenv("HOPKIT_SSH");
	if (ssh == NULL || *ssh == '\0')
		ssh = "ssh";
	rc = sshconf_resolve_g(ssh, q, &l, out, e);
	if (rc != 0)
		return rc == 1 ? 0 : -1;

	if (sshconf_destination(q->destination, &user, &host, &port, e) == -1)
		return -1;
	rc = sshconf_resolve_files(q, host, q->user != NULL ? q->user : user,
	    q->port > 0 ? q->port : port, &l, out, e);
	free(user);
	free(host);
	return rc;
}
