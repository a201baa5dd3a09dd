/*
 * fwdspec.c: -L, -R and -D forward specifications; see fwdspec.h.
 * SPDX-License-Identifier: MIT
 *
 * The split into fields follows OpenSSH's readconf.c (parse_fwd_field and
 * parse_forward); which field is which follows the field count, as there:
 * for -L and -R, 3 fields are port:host:hostport and 4 have a bind address
 * first; for -D and remote dynamic forwards, 1 field is the port and 2
 * have a bind address first.  The meaning of the bind address follows
 * channels.c (channel_fwd_bind_addr on the client, channel_rfwd_bind_host
 * for what a remote forward sends).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "endpoint.h"
#include "fwdspec.h"
#include "log.h"

#define FWDSPEC_FIELDS 4

/* The fields of one spec: NUL-separated in buf, brackets and escapes
 * removed; path is set when a field (outside any escape) had a '/'. */
struct fwdspec_fields {
	char buf[FWDSPEC_MAX + 1];
	const char *f[FWDSPEC_FIELDS];
	int n;
	int path;
};

const char *
fwdspec_option(enum fwdspec_kind kind)
{
	switch (kind) {
	case FWDSPEC_LOCAL:
		return "-L";
	case FWDSPEC_DYNAMIC:
		return "-D";
	case FWDSPEC_REMOTE:
	case FWDSPEC_REMOTE_DYNAMIC:
	default:
		return "-R";
	}
}

const char *
fwdspec_kind_name(enum fwdspec_kind kind)
{
	switch (kind) {
	case FWDSPEC_LOCAL:
		return "local";
	case FWDSPEC_REMOTE:
		return "remote";
	case FWDSPEC_DYNAMIC:
		return "dynamic";
	case FWDSPEC_REMOTE_DYNAMIC:
		return "remote-dynamic";
	}
	return "unknown";
}

/*
 * Split s at ':' into at most FWDSPEC_FIELDS fields, as OpenSSH does: a
 * field starting with '[' runs to the first ']', which must end the spec
 * or be followed by ':'; elsewhere a backslash makes the next byte
 * literal.  One trailing ':' ends the spec without adding an empty field.
 * s is at most FWDSPEC_MAX bytes.  Returns 0, or -1 with the reason in e.
 */
static int
fwdspec_split(const char *s, struct fwdspec_fields *ff, struct errmsg *e)
{
	const char *p = s;
	char *out = ff->buf;

	ff->n = 0;
	ff->path = 0;
	while (*p != '\0') {
		if (ff->n == FWDSPEC_FIELDS)
			return errmsg_set(e, EINVAL, "too many ':'-separated "
			    "fields (IPv6 addresses go in [brackets])");
		ff->f[ff->n++] = out;
		if (*p == '[') {
			for (p++; *p != '\0' && *p != ']'; p++) {
				if (*p == '/')
					ff->path = 1;
				*out++ = *p;
			}
			if (*p != ']')
				return errmsg_set(e, EINVAL,
				    "unbalanced brackets");
			p++;
			if (*p != ':' && *p != '\0')
				return errmsg_set(e, EINVAL, "junk after ']'");
		} else {
			for (; *p != '\0' && *p != ':'; p++) {
				if (*p == '\\') {
					if (*++p == '\0')
						return errmsg_set(e, EINVAL,
						    "trailing backslash");
				} else if (*p == '/') {
					ff->path = 1;
				}
				*out++ = *p;
			}
		}
		if (*p == ':')
			p++;
		*out++ = '\0';
	}
	return 0;
}

/* Is s a non-empty string of decimal digits? */
static int
fwdspec_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/*
 * The pre-6.7 '/' syntax: split s at '/' and take it if the field count
 * fits kind and every port field is decimal; see fwdspec.h.  Returns 1 and
 * fills ff, or 0 when s is not in that syntax.
 */
static int
fwdspec_split_slash(const char *s, enum fwdspec_kind kind,
    struct fwdspec_fields *ff)
{
	const char *p;
	char *out = ff->buf;
	int n = 1, i;

	if (strchr(s, '/') == NULL || strpbrk(s, "[\\") != NULL)
		return 0;
	for (p = s; *p != '\0'; p++)
		if (*p == '/' && ++n > FWDSPEC_FIELDS)
			return 0;
	/* -L: 3 or 4 fields; -R: 2 (remote dynamic), 3 or 4; -D: 2. */
	if (kind == FWDSPEC_DYNAMIC ? n != 2 : (kind == FWDSPEC_LOCAL && n < 3))
		return 0;
	ff->n = 0;
	ff->path = 0;
	ff->f[ff->n++] = out;
	for (p = s; *p != '\0'; p++) {
		if (*p == '/') {
			*out++ = '\0';
			ff->f[ff->n++] = out;
		} else {
			*out++ = *p;
		}
	}
	*out = '\0';
	for (i = 0; i < n; i++)
		if (ff->f[i][0] == '\0')
			return 0;
	/* Ports: the last field, and the first of three or the second of
	 * four. */
	if (!fwdspec_digits(ff->f[n - 1]) ||
	    (n == 3 && !fwdspec_digits(ff->f[0])) ||
	    (n == 4 && !fwdspec_digits(ff->f[1])))
		return 0;
	return 1;
}

/*
 * Parse a port field: decimal 0/1-65535 or a TCP service name.  which is
 * "listen" or "connect", for the message.  Returns 0 or -1 with e set.
 */
static int
fwdspec_port(const char *s, int zero_ok, const char *which, uint16_t *port,
    struct errmsg *e)
{
	char show[160];
	struct errmsg tmp;
	unsigned long v = 0;
	const char *p;

	if (*s == '\0')
		return errmsg_set(e, EINVAL, "missing %s port", which);
	if (fwdspec_digits(s)) {
		for (p = s; *p != '\0' && v <= 65535; p++)
			v = v * 10 + (unsigned long)(*p - '0');
		if (v > 65535 || (v == 0 && !zero_ok))
			return errmsg_set(e, ERANGE,
			    "bad %s port \"%s\": out of range %d-65535", which,
			    log_quote(s, show, sizeof(show)), zero_ok ? 0 : 1);
		*port = (uint16_t)v;
		return 0;
	}
	/* endpoint_port_lookup takes a leading digit for a number. */
	if ((*s >= '0' && *s <= '9') ||
	    endpoint_port_lookup(s, 0, port, &tmp) == -1 ||
	    (*port == 0 && !zero_ok))
		return errmsg_set(e, EINVAL,
		    "bad %s port \"%s\": not a number or known service", which,
		    log_quote(s, show, sizeof(show)));
	return 0;
}

/* Set the listen address of fs from the bind field b (NULL: none given). */
static int
fwdspec_bind(struct fwdspec *fs, const char *b, unsigned flags,
    struct errmsg *e)
{
	int any;

	if (b == NULL) {
		/* ssh: -L/-D follow GatewayPorts (-g); -R sends "localhost"
		 * and the server's GatewayPorts decides. */
		any = fs->kind != FWDSPEC_REMOTE &&
		    fs->kind != FWDSPEC_REMOTE_DYNAMIC &&
		    (flags & FWDSPEC_GATEWAY_PORTS);
		fs->listen_default = 1;
		fs->listen_any = any;
		fs->listen_loopback = !any;
		snprintf(fs->listen_host, sizeof(fs->listen_host), "%s",
		    any ? "" : "localhost");
		return 0;
	}
	if (*b == '\0' || strcmp(b, "*") == 0) {
		fs->listen_any = 1;
		fs->listen_host[0] = '\0';
		return 0;
	}
	if (strcmp(b, "localhost") == 0)
		fs->listen_loopback = 1;
	if (endpoint_parse_host(b, fs->listen_host, sizeof(fs->listen_host),
	    e) == -1)
		return errmsg_set(e, e->code, "bind address: %s", e->text);
	return 0;
}

/* Check the connect host field h into fs->connect_host. */
static int
fwdspec_connect_host(struct fwdspec *fs, const char *h, struct errmsg *e)
{
	if (*h == '\0')
		return errmsg_set(e, EINVAL, "empty host");
	return endpoint_parse_host(h, fs->connect_host,
	    sizeof(fs->connect_host), e);
}

/* Fill fs from the fields; the reason for a failure goes to e. */
static int
fwdspec_fill(struct fwdspec *fs, const struct fwdspec_fields *ff,
    unsigned flags, struct errmsg *e)
{
	const char *bind = NULL, *lport, *chost = NULL, *cport = NULL;
	int n = ff->n;

	if (n == 0)
		return errmsg_set(e, EINVAL, "empty specification");
	if (fs->kind == FWDSPEC_DYNAMIC && n > 2)
		return errmsg_set(e, EINVAL, "too many ':'-separated fields, "
		    "expected [bind_address:]port (IPv6 addresses go in "
		    "[brackets])");
	if (fs->kind == FWDSPEC_LOCAL && n < 3)
		return errmsg_set(e, EINVAL,
		    "expected [bind_address:]port:host:hostport");
	if (fs->kind == FWDSPEC_REMOTE && n < 3)
		fs->kind = FWDSPEC_REMOTE_DYNAMIC;	/* ssh's second try */

	if (n == 2 || n == 4)
		bind = ff->f[0];
	lport = ff->f[n == 2 || n == 4 ? 1 : 0];
	if (n >= 3) {
		chost = ff->f[n - 2];
		cport = ff->f[n - 1];
	}
	if (fwdspec_bind(fs, bind, flags, e) == -1)
		return -1;
	if (fwdspec_port(lport, 1, "listen", &fs->listen_port, e) == -1)
		return -1;
	if (chost != NULL) {
		if (fwdspec_connect_host(fs, chost, e) == -1)
			return -1;
		if (fwdspec_port(cport, 0, "connect", &fs->connect_port,
		    e) == -1)
			return -1;
	}
	return 0;
}

int
fwdspec_parse(const char *spec, enum fwdspec_kind kind, unsigned flags,
    struct fwdspec *fs, struct errmsg *e)
{
	struct fwdspec_fields ff;
	struct errmsg why;
	char show[160];
	const char *s;
	size_t len;
	int rc;

	memset(fs, 0, sizeof(*fs));
	if (kind == FWDSPEC_REMOTE_DYNAMIC)
		kind = FWDSPEC_REMOTE;
	fs->kind = kind;
	if (spec == NULL)
		spec = "";
	for (s = spec; isspace((unsigned char)*s); s++)
		;
	len = strlen(s);
	if (len > FWDSPEC_MAX)
		rc = errmsg_set(&why, ENAMETOOLONG,
		    "specification too long (%zu bytes, at most %d)", len,
		    FWDSPEC_MAX);
	else if (strstr(s, "${") != NULL)
		rc = errmsg_set(&why, EINVAL,
		    "${VAR} expansion is not supported");
	else if (!fwdspec_split_slash(s, kind, &ff) &&
	    fwdspec_split(s, &ff, &why) == -1)
		rc = -1;
	else if (ff.path)
		rc = errmsg_set(&why, EAFNOSUPPORT,
		    "Unix-domain socket forwarding is not supported");
	else
		rc = fwdspec_fill(fs, &ff, flags, &why);
	if (rc == 0)
		return 0;
	memset(fs, 0, sizeof(*fs));
	fs->kind = kind;
	return errmsg_set(e, why.code, "invalid %s forward \"%s\": %s",
	    fwdspec_option(kind), log_quote(spec, show, sizeof(show)),
	    why.text);
}

/* Append sep, host (in brackets when it has a ':') and ":port" to buf
 * (size len) at *off; returns 0, or -1 when it does not fit. */
static int
fwdspec_put(char *buf, size_t len, size_t *off, const char *sep,
    const char *host, unsigned port)
{
	int v6 = strchr(host, ':') != NULL, n;

	n = snprintf(buf + *off, len - *off, "%s%s%s%s:%u", sep, v6 ? "[" : "",
	    host, v6 ? "]" : "", port);
	if (n < 0 || (size_t)n >= len - *off)
		return -1;
	*off += (size_t)n;
	return 0;
}

int
fwdspec_format(const struct fwdspec *fs, char *buf, size_t len)
{
	const char *bind;
	size_t off = 0;
	int dyn;

	dyn = fs->kind == FWDSPEC_DYNAMIC || fs->kind == FWDSPEC_REMOTE_DYNAMIC;
	if (fs->listen_any)
		bind = "*";
	else if (fs->listen_loopback)
		bind = "localhost";
	else
		bind = fs->listen_host;
	if (len == 0 ||
	    fwdspec_put(buf, len, &off, "", bind, fs->listen_port) == -1 ||
	    (!dyn && fwdspec_put(buf, len, &off, ":", fs->connect_host,
	    fs->connect_port) == -1)) {
		errno = ENOBUFS;
		return -1;
	}
	return (int)off;
}
