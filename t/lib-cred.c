/*
 * lib-cred.c: unit tests for lib/cred.c (proxy credentials).
 * SPDX-License-Identifier: MIT
 *
 * Credentials files are made with mkstemp(3) in /tmp with the mode under
 * test.  Every file holds the user "alice" and a password containing
 * "s3cr3t", and every error message is searched for both.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic.h"
#include "cred.h"
#include "proxy_url.h"

/* Files to remove at the end. */
static char made[32][64];
static size_t nmade;

/* Create a file in /tmp holding len bytes of data with the given mode. */
static const char *
make_file(const void *data, size_t len, mode_t mode)
{
	char *path;
	int fd;

	if (nmade >= sizeof(made) / sizeof(made[0]))
		bail("too many test files");
	path = made[nmade++];
	strcpy(path, "/tmp/hopkit-cred-XXXXXX");
	fd = mkstemp(path);
	if (fd == -1)
		sysbail("mkstemp");
	if (write(fd, data, len) != (ssize_t)len)
		sysbail("write %s", path);
	if (fchmod(fd, mode) == -1)
		sysbail("fchmod %s", path);
	close(fd);
	return path;
}

/* Create a file from a C string. */
static const char *
make_text(const char *text, mode_t mode)
{
	return make_file(text, strlen(text), mode);
}

/* Is the whole of p (len bytes) zero? */
static int
all_zero(const void *p, size_t len)
{
	const unsigned char *c = p;

	while (len-- > 0)
		if (*c++ != 0)
			return 0;
	return 1;
}

/* Does the message show any of the credentials? */
static int
leaks(const char *msg)
{
	return strstr(msg, "s3cr3t") != NULL || strstr(msg, "alice") != NULL;
}

/* Copy fmt to out (size len) with every "%s" replaced by path. */
static void
subst(char *out, size_t len, const char *fmt, const char *path)
{
	size_t o = 0, n;

	while (*fmt != '\0' && o + 1 < len) {
		if (fmt[0] == '%' && fmt[1] == 's') {
			n = strlen(path);
			if (n > len - 1 - o)
				n = len - 1 - o;
			memcpy(out + o, path, n);
			o += n;
			fmt += 2;
		} else {
			out[o++] = *fmt++;
		}
	}
	out[o] = '\0';
}

/*
 * Load path, expect a refusal with message fmt (where every %s is the
 * path), no credentials shown and c wiped.
 */
static void
check_refused(const char *path, const char *fmt, const char *label)
{
	char want[ERRMSG_MAX];
	struct cred c;
	struct errmsg e;
	int rc;

	memset(&c, 0xa5, sizeof(c));
	errmsg_clear(&e);
	rc = cred_load_file(path, &c, &e);
	is_int(-1, rc, "%s: refused", label);
	if (fmt != NULL) {
		subst(want, sizeof(want), fmt, path);
		is_string(want, e.text, "%s: message", label);
	}
	ok(!leaks(e.text), "%s: message shows no credentials", label);
	ok(all_zero(c.user, sizeof(c.user)) && all_zero(c.pass, sizeof(c.pass)) &&
	    c.source == NULL, "%s: cred wiped", label);
}

/* Load path and expect user and pass. */
static void
check_loaded(const char *path, const char *user, const char *pass,
    const char *label)
{
	char source[400];
	struct cred c;
	struct errmsg e;
	int rc;

	errmsg_clear(&e);
	rc = cred_load_file(path, &c, &e);
	if (!is_int(0, rc, "%s: loaded", label))
		diag("%s", e.text);
	is_string(user, c.user, "%s: user", label);
	is_string(pass, c.pass, "%s: password", label);
	snprintf(source, sizeof(source), "file %s", path);
	is_string(source, c.source, "%s: source", label);
	cred_clear(&c);
}

/* One environment for cred_from_env: name/value pairs, NULL-terminated. */
struct env {
	const char *vars[8];
};

/* The proxy_env_getter over a struct env. */
static const char *
fake_get(const char *name, void *arg)
{
	const struct env *env = arg;
	size_t i;

	for (i = 0; env->vars[i] != NULL; i += 2)
		if (strcmp(env->vars[i], name) == 0)
			return env->vars[i + 1];
	return NULL;
}

struct env_case {
	const char *label;
	struct env env;
	int rc;
	const char *user, *pass;	/* when rc == 1 */
	const char *msg;		/* when rc == -1 */
};

static char long_value[300];

static const struct env_case env_cases[] = {
	{ "neither", { { NULL } }, 0, NULL, NULL, NULL },
	{ "both", { { CRED_ENV_USER, "alice", CRED_ENV_PASS, "s3cr3t", NULL } },
	  1, "alice", "s3cr3t", NULL },
	{ "password with colons", { { CRED_ENV_USER, "alice", CRED_ENV_PASS,
	  "s3:cr:3t", NULL } }, 1, "alice", "s3:cr:3t", NULL },
	{ "empty password", { { CRED_ENV_USER, "alice", CRED_ENV_PASS, "",
	  NULL } }, 1, "alice", "", NULL },
	{ "user only", { { CRED_ENV_USER, "alice", NULL } }, -1, NULL, NULL,
	  "JUMPCAT_PROXY_USER is set but JUMPCAT_PROXY_PASSWORD is not: set both or neither" },
	{ "password only", { { CRED_ENV_PASS, "s3cr3t", NULL } }, -1, NULL, NULL,
	  "JUMPCAT_PROXY_PASSWORD is set but JUMPCAT_PROXY_USER is not: set both or neither" },
	{ "empty user", { { CRED_ENV_USER, "", CRED_ENV_PASS, "s3cr3t", NULL } },
	  -1, NULL, NULL, "JUMPCAT_PROXY_USER is empty" },
	{ "LF in password", { { CRED_ENV_USER, "alice", CRED_ENV_PASS,
	  "s3cr3t\n", NULL } }, -1, NULL, NULL,
	  "JUMPCAT_PROXY_PASSWORD contains CR or LF" },
	{ "CR in user", { { CRED_ENV_USER, "al\rice", CRED_ENV_PASS, "s3cr3t",
	  NULL } }, -1, NULL, NULL, "JUMPCAT_PROXY_USER contains CR or LF" },
	{ "long user", { { CRED_ENV_USER, long_value, CRED_ENV_PASS, "s3cr3t",
	  NULL } }, -1, NULL, NULL,
	  "JUMPCAT_PROXY_USER is too long (at most 255 bytes)" },
	{ "long password", { { CRED_ENV_USER, "alice", CRED_ENV_PASS, long_value,
	  NULL } }, -1, NULL, NULL,
	  "JUMPCAT_PROXY_PASSWORD is too long (at most 255 bytes)" },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

int
main(void)
{
	char buf[2100], dir[64], link1[80], link2[80], fifo[80], missing[80];
	const char *p600, *p644;
	struct proxy_url u;
	struct cred c;
	struct errmsg e;
	size_t i;
	int rc;

	plan_lazy();

	/* Files that load. */
	check_loaded(make_text("alice:s3cr3t-PW\n", 0600), "alice", "s3cr3t-PW",
	    "LF-terminated line");
	check_loaded(make_text("alice:s3cr3t-PW", 0600), "alice", "s3cr3t-PW",
	    "no final newline");
	check_loaded(make_text("alice:s3cr3t-PW\r\n", 0600), "alice", "s3cr3t-PW",
	    "CR LF");
	check_loaded(make_text("alice:s3cr3t-PW\n\n", 0600), "alice", "s3cr3t-PW",
	    "trailing blank line");
	check_loaded(make_text("alice:pa:ss:wd\n", 0600), "alice", "pa:ss:wd",
	    "password with colons");
	check_loaded(make_text("alice: s3cr3t \n", 0600), "alice", " s3cr3t ",
	    "spaces kept");
	check_loaded(make_text("alice:\n", 0600), "alice", "", "empty password");
	check_loaded(make_text("alice:s3cr3t-PW\n", 0400), "alice", "s3cr3t-PW",
	    "mode 0400");
	check_loaded(make_text("alice:s3cr3t-PW\n", 0700), "alice", "s3cr3t-PW",
	    "mode 0700 (execute bits ignored)");
	memset(buf, 'u', 255);
	buf[255] = ':';
	memset(buf + 256, 'p', 255);
	buf[511] = '\n';
	buf[512] = '\0';
	rc = cred_load_file(make_text(buf, 0600), &c, &e);
	ok(rc == 0 && strlen(c.user) == 255 && strlen(c.pass) == 255,
	    "255-byte user and password load");

	/* Files refused for their modes or type. */
	check_refused(make_text("alice:s3cr3t-PW\n", 0644),
	    "Permissions 0644 for '%s' are too open: a proxy auth file "
	    "must not be readable by others (chmod 600 %s)", "mode 0644");
	check_refused(make_text("alice:s3cr3t-PW\n", 0604),
	    "Permissions 0604 for '%s' are too open: a proxy auth file "
	    "must not be readable by others (chmod 600 %s)", "mode 0604");
	check_refused(make_text("alice:s3cr3t-PW\n", 0640),
	    "Permissions 0640 for '%s' are too open: a proxy auth file "
	    "must not be readable by its group (chmod 600 %s)", "mode 0640");
	check_refused(make_text("alice:s3cr3t-PW\n", 0602),
	    "Permissions 0602 for '%s' are too open: a proxy auth file "
	    "must not be writable by others (chmod 600 %s)", "mode 0602");
	check_refused(make_text("alice:s3cr3t-PW\n", 0620),
	    "Permissions 0620 for '%s' are too open: a proxy auth file "
	    "must not be writable by its group (chmod 600 %s)", "mode 0620");
	check_refused(make_text("alice:s3cr3t-PW\n", 0666),
	    "Permissions 0666 for '%s' are too open: a proxy auth file "
	    "must not be readable by others (chmod 600 %s)", "mode 0666");

	strcpy(dir, "/tmp/hopkit-cred-dir-XXXXXX");
	if (mkdtemp(dir) == NULL)
		sysbail("mkdtemp");
	check_refused(dir, "proxy auth file %s is not a regular file",
	    "a directory");
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	if (mkfifo(fifo, 0600) == -1)
		sysbail("mkfifo");
	check_refused(fifo, "proxy auth file %s is not a regular file",
	    "a FIFO (and opening it did not hang)");
	check_refused("/dev/null", "proxy auth file %s is not a regular file",
	    "/dev/null");
	snprintf(missing, sizeof(missing), "%s/missing", dir);
	check_refused(missing, "proxy auth file %s: No such file or directory",
	    "a missing file");
	check_refused("", "missing proxy auth file name", "an empty path");
	check_refused(NULL, "missing proxy auth file name", "a NULL path");
	rc = cred_load_file("/tmp/no\nsuch\x1b", &c, &e);
	is_string("proxy auth file /tmp/no\\x0asuch\\x1b: No such file or directory",
	    e.text, "control characters in the path are escaped");

	/* Symbolic links are followed; the target's mode is what counts. */
	p600 = make_text("alice:s3cr3t-PW\n", 0600);
	p644 = make_text("alice:s3cr3t-PW\n", 0644);
	snprintf(link1, sizeof(link1), "%s/link600", dir);
	snprintf(link2, sizeof(link2), "%s/link644", dir);
	if (symlink(p600, link1) == -1 || symlink(p644, link2) == -1)
		sysbail("symlink");
	rc = cred_load_file(link1, &c, &e);
	ok(rc == 0 && strcmp(c.pass, "s3cr3t-PW") == 0,
	    "a link to a 0600 file loads");
	check_refused(link2,
	    "Permissions 0644 for '%s' are too open: a proxy auth file "
	    "must not be readable by others (chmod 600 %s)",
	    "a link to a 0644 file");

	/* Owner: only root can give a file away. */
	if (geteuid() == 0) {
		const char *theirs = make_text("alice:s3cr3t-PW\n", 0600);
		if (chown(theirs, 4242, 4242) == -1)
			sysbail("chown");
		check_refused(theirs, "proxy auth file %s is owned by uid 4242, "
		    "not by you (uid 0) or root", "a file owned by someone else");
	} else {
		const char *unreadable = make_text("alice:s3cr3t-PW\n", 0200);
		check_refused(unreadable, "proxy auth file %s: Permission denied",
		    "an unreadable file");
		skip("not root: cannot make a file owned by someone else");
		skip("not root");
		skip("not root");
	}

	/* Contents refused. */
	check_refused(make_text("alices3cr3t-PW\n", 0600),
	    "proxy auth file %s has no ':' (expected user:password)", "no colon");
	check_refused(make_text("", 0600),
	    "proxy auth file %s has no ':' (expected user:password)",
	    "an empty file");
	check_refused(make_text(":s3cr3t-PW\n", 0600),
	    "proxy auth file %s has an empty user name", "empty user");
	check_refused(make_text("alice:s3cr3t-PW\nalice:s3cr3t-2\n", 0600),
	    "proxy auth file %s must hold one line, user:password", "two lines");
	check_refused(make_text("alice:s3cr3t\r-PW\n", 0600),
	    "proxy auth file %s must hold one line, user:password", "a bare CR");
	check_refused(make_file("alice:s3cr3t\0-PW\n", 17, 0600),
	    "proxy auth file %s must hold one line, user:password", "a NUL byte");
	memset(buf, 'a', 256);
	memcpy(buf + 256, ":s3cr3t\n", 9);
	check_refused(make_text(buf, 0600),
	    "proxy auth file %s: user name too long (at most 255 bytes)",
	    "256-byte user");
	memcpy(buf, "alice:s3cr3t", 12);
	memset(buf + 12, 'p', 250);
	buf[262] = '\0';
	check_refused(make_text(buf, 0600),
	    "proxy auth file %s: password too long (at most 255 bytes)",
	    "256-byte password");
	memset(buf, 'x', 2000);
	memcpy(buf, "alice:s3cr3t", 12);
	buf[2000] = '\0';
	check_refused(make_text(buf, 0600),
	    "proxy auth file %s is too long (one line user:password expected)",
	    "a 2000-byte file");
	memset(buf, 'x', 1024);
	memcpy(buf, "alice:s3cr3t", 12);
	buf[1024] = '\0';
	check_refused(make_text(buf, 0600),
	    "proxy auth file %s: password too long (at most 255 bytes)",
	    "a 1024-byte file is read whole");

	/* The environment. */
	memset(long_value, 'v', 256);
	for (i = 0; i < N(env_cases); i++) {
		const struct env_case *ec = &env_cases[i];
		memset(&c, 0xa5, sizeof(c));
		errmsg_clear(&e);
		rc = cred_from_env(fake_get, (void *)&ec->env, &c, &e);
		is_int(ec->rc, rc, "env %s: result", ec->label);
		if (ec->rc == 1) {
			is_string(ec->user, c.user, "env %s: user", ec->label);
			is_string(ec->pass, c.pass, "env %s: password", ec->label);
			is_string("environment", c.source, "env %s: source", ec->label);
		} else {
			ok(all_zero(c.user, sizeof(c.user)) &&
			    all_zero(c.pass, sizeof(c.pass)) && c.source == NULL,
			    "env %s: cred wiped", ec->label);
		}
		if (ec->rc == -1) {
			is_string(ec->msg, e.text, "env %s: message", ec->label);
			ok(!leaks(e.text) && strstr(e.text, "vvvv") == NULL,
			    "env %s: message shows no value", ec->label);
		}
	}

	/* A URL's user information. */
	rc = proxy_url_parse("socks5h://alice:s3cr3t@proxy", &u, &e);
	is_int(0, rc, "URL parsed");
	rc = cred_from_url(&u, &c);
	is_int(1, rc, "URL with user information gives a cred");
	is_string("alice", c.user, "URL user");
	is_string("s3cr3t", c.pass, "URL password");
	is_string("URL", c.source, "URL source");
	proxy_url_clear(&u);
	rc = proxy_url_parse("socks5h://proxy", &u, &e);
	memset(&c, 0xa5, sizeof(c));
	rc = cred_from_url(&u, &c);
	is_int(0, rc, "URL without user information gives none");
	ok(c.source == NULL && all_zero(c.pass, sizeof(c.pass)), "and a wiped cred");

	/* Clearing. */
	rc = cred_load_file(p600, &c, &e);
	cred_clear(&c);
	ok(rc == 0 && all_zero(c.user, sizeof(c.user)) &&
	    all_zero(c.pass, sizeof(c.pass)) && c.source == NULL,
	    "cred_clear wipes user and password");
	cred_clear(NULL);
	ok(1, "cred_clear takes NULL");

	for (i = 0; i < nmade; i++)
		unlink(made[i]);
	unlink(link1);
	unlink(link2);
	unlink(fifo);
	rmdir(dir);
	return 0;
}
