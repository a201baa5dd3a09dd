/*
 * cred.c: proxy credentials from a file, the environment or a URL; see
 * cred.h.
 * SPDX-License-Identifier: MIT
 *
 * Every buffer that held a password is wiped before it goes out of scope,
 * and messages name the file or the variable, never what was in it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cred.h"
#include "xmalloc.h"
#include "log.h"
#include "proxy_url.h"

/* The largest credentials file we read: a user, a password and slack. */
#define CRED_FILE_MAX 1024

void
cred_clear(struct cred *c)
{
	if (c == NULL)
		return;
	explicit_bzero(c, sizeof(*c));
	c->source = NULL;
}

/*
 * Check the opened credentials file: a regular file, ours (or root's), not
 * readable or writable by group or others.  show is the printable path.
 * A file others may read is refused in ssh's words for such a key file
 * ("Permissions 0644 for 'FILE' are too open"), with the fix.
 */
static int
cred_check_file(int fd, const char *show, struct errmsg *e)
{
	struct stat st;
	const char *what = NULL;

	if (fstat(fd, &st) == -1)
		return errmsg_sys(e, errno, "proxy auth file %s", show);
	if (!S_ISREG(st.st_mode))
		return errmsg_set(e, EINVAL, "proxy auth file %s is not a regular file",
		    show);
	if (st.st_uid != geteuid() && st.st_uid != 0)
		return errmsg_set(e, EPERM, "proxy auth file %s is owned by uid %lu, "
		    "not by you (uid %lu) or root", show, (unsigned long)st.st_uid,
		    (unsigned long)geteuid());
	if (st.st_mode & S_IROTH)
		what = "readable by others";
	else if (st.st_mode & S_IRGRP)
		what = "readable by its group";
	else if (st.st_mode & S_IWOTH)
		what = "writable by others";
	else if (st.st_mode & S_IWGRP)
		what = "writable by its group";
	/* ssh's words for a key file that others can read, one line. */
	if (what != NULL)
		return errmsg_set(e, EPERM, "Permissions 0%3.3o for '%s' are "
		    "too open: a proxy auth file must not be %s (chmod 600 %s)",
		    (unsigned)(st.st_mode & 0777), show, what, show);
	return 0;
}

/*
 * Read at most max bytes of fd into buf; *len gets the count.  Returns 0,
 * 1 if the file is longer than max, or -1 with errno set.
 */
static int
cred_read(int fd, char *buf, size_t max, size_t *len)
{
	char extra;
	ssize_t n;

	*len = 0;
	while (*len < max) {
		n = read(fd, buf + *len, max - *len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			return 0;
		*len += (size_t)n;
	}
	do
		n = read(fd, &extra, 1);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	return n > 0 ? 1 : 0;
}

/*
 * Split the line [buf, buf+len) into c->user and c->pass.  show is the
 * printable path; the line never reaches a message.
 */
static int
cred_parse_line(const char *buf, size_t len, struct cred *c, const char *show,
    struct errmsg *e)
{
	const char *colon;
	size_t ulen, plen;

	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	if (memchr(buf, '\n', len) != NULL || memchr(buf, '\r', len) != NULL ||
	    memchr(buf, '\0', len) != NULL)
		return errmsg_set(e, EINVAL,
		    "proxy auth file %s must hold one line, user:password", show);
	colon = memchr(buf, ':', len);
	if (colon == NULL)
		return errmsg_set(e, EINVAL,
		    "proxy auth file %s has no ':' (expected user:password)", show);
	ulen = (size_t)(colon - buf);
	plen = len - ulen - 1;
	if (ulen == 0)
		return errmsg_set(e, EINVAL,
		    "proxy auth file %s has an empty user name", show);
	if (ulen >= sizeof(c->user))
		return errmsg_set(e, ENAMETOOLONG,
		    "proxy auth file %s: user name too long (at most %zu bytes)",
		    show, sizeof(c->user) - 1);
	if (plen >= sizeof(c->pass))
		return errmsg_set(e, ENAMETOOLONG,
		    "proxy auth file %s: password too long (at most %zu bytes)",
		    show, sizeof(c->pass) - 1);
	memcpy(c->user, buf, ulen);
	c->user[ulen] = '\0';
	memcpy(c->pass, colon + 1, plen);
	c->pass[plen] = '\0';
	return 0;
}

int
cred_load_file(const char *path, struct cred *c, struct errmsg *e)
{
	char show[512], buf[CRED_FILE_MAX];
	size_t len;
	int fd, rc, oerrno;

	cred_clear(c);
	if (path == NULL || *path == '\0')
		return errmsg_set(e, EINVAL, "missing proxy auth file name");
	log_sanitize(show, sizeof(show), path);
	/* O_NONBLOCK: opening a FIFO must not hang; it is refused below. */
	fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1)
		return errmsg_sys(e, errno, "proxy auth file %s", show);
	if (cred_check_file(fd, show, e) == -1) {
		close(fd);
		return -1;
	}
	rc = cred_read(fd, buf, sizeof(buf), &len);
	oerrno = errno;
	close(fd);
	if (rc == -1) {
		rc = errmsg_sys(e, oerrno, "proxy auth file %s", show);
	} else if (rc == 1) {
		rc = errmsg_set(e, EFBIG, "proxy auth file %s is too long "
		    "(one line user:password expected)", show);
	} else {
		rc = cred_parse_line(buf, len, c, show, e);
	}
	explicit_bzero(buf, sizeof(buf));
	if (rc == -1) {
		cred_clear(c);
		return -1;
	}
	memcpy(c->source_buf, "file ", 5);
	log_sanitize(c->source_buf + 5, sizeof(c->source_buf) - 5, path);
	c->source = c->source_buf;
	return 0;
}

/* Check one credential variable's value; name is the variable. */
static int
cred_env_check(const char *name, const char *v, int empty_ok, size_t max,
    struct errmsg *e)
{
	if (!empty_ok && *v == '\0')
		return errmsg_set(e, EINVAL, "%s is empty", name);
	if (strlen(v) >= max)
		return errmsg_set(e, ENAMETOOLONG, "%s is too long (at most %zu bytes)",
		    name, max - 1);
	if (strpbrk(v, "\r\n") != NULL)
		return errmsg_set(e, EINVAL, "%s contains CR or LF", name);
	return 0;
}

int
cred_from_env(proxy_env_getter get, void *arg, struct cred *c,
    struct errmsg *e)
{
	const char *user, *pass;

	cred_clear(c);
	user = get(CRED_ENV_USER, arg);
	pass = get(CRED_ENV_PASS, arg);
	if (user == NULL && pass == NULL)
		return 0;
	if (user == NULL)
		return errmsg_set(e, EINVAL, "%s is set but %s is not: set both "
		    "or neither", CRED_ENV_PASS, CRED_ENV_USER);
	if (pass == NULL)
		return errmsg_set(e, EINVAL, "%s is set but %s is not: set both "
		    "or neither", CRED_ENV_USER, CRED_ENV_PASS);
	if (cred_env_check(CRED_ENV_USER, user, 0, sizeof(c->user), e) == -1 ||
	    cred_env_check(CRED_ENV_PASS, pass, 1, sizeof(c->pass), e) == -1)
		return -1;
	memcpy(c->user, user, strlen(user) + 1);
	memcpy(c->pass, pass, strlen(pass) + 1);
	c->source = "environment";
	return 1;
}

int
cred_from_url(const struct proxy_url *u, struct cred *c)
{
	cred_clear(c);
	if (!u->has_userinfo)
		return 0;
	/* Same sizes (static-asserted below), so these copies fit. */
	memcpy(c->user, u->user, sizeof(c->user));
	memcpy(c->pass, u->pass, sizeof(c->pass));
	c->source = "URL";
	return 1;
}

_Static_assert(sizeof(((struct cred *)0)->user) ==
    sizeof(((struct proxy_url *)0)->user), "cred and proxy_url user sizes");
_Static_assert(sizeof(((struct cred *)0)->pass) ==
    sizeof(((struct proxy_url *)0)->pass), "cred and proxy_url pass sizes");
