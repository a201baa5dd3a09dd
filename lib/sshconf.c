/*
 * sshconf.c: the resolved settings, the "ssh -G" parser and ssh's path
 * expansion; see sshconf.h.
 * SPDX-License-Identifier: MIT
 *
 * Everything here is pure except the "~user" lookup in the password
 * database.  The expansion follows OpenSSH 9.2's tilde_expand() and
 * percent_dollar_expand(): the tilde first, then ${NAME} and %-tokens in
 * one pass over the result.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <openssl/evp.h>

#include "log.h"
#include "sshconf.h"
#include "xmalloc.h"

/* A growing string for the expanders. */
struct sshconf_buf {
	char *p;
	size_t len, cap;
};

/* One %-token and its value. */
struct sshconf_tok {
	char key;
	const char *value;
};

/* The keys of "ssh -G" output this parser reads. */
enum sshconf_gkey {
	SSHCONF_G_HOST,
	SSHCONF_G_HOSTNAME,
	SSHCONF_G_USER,
	SSHCONF_G_PORT,
	SSHCONF_G_IDENTITYFILE,
	SSHCONF_G_USERKNOWNHOSTSFILE,
	SSHCONF_G_GLOBALKNOWNHOSTSFILE,
	SSHCONF_G_STRICTHOSTKEYCHECKING,
	SSHCONF_G_HOSTKEYALIAS,
	SSHCONF_G_HASHKNOWNHOSTS,
	SSHCONF_G_IDENTITIESONLY,
	SSHCONF_G_IDENTITYAGENT,
	SSHCONF_G_SERVERALIVEINTERVAL,
	SSHCONF_G_SERVERALIVECOUNTMAX,
	SSHCONF_G_CONNECTTIMEOUT,
	SSHCONF_G_PROXYCOMMAND,
	SSHCONF_G_PROXYJUMP,
	SSHCONF_G_PROXYUSEFDPASS,
	SSHCONF_G_BATCHMODE,
	SSHCONF_G_EXITONFORWARDFAILURE,
	SSHCONF_G_GATEWAYPORTS,
	SSHCONF_G_ADDRESSFAMILY,
};

/* Their names as "ssh -G" prints them. */
static const struct {
	const char *name;
	enum sshconf_gkey key;
} sshconf_gkeys[] = {
	{ "host", SSHCONF_G_HOST },
	{ "hostname", SSHCONF_G_HOSTNAME },
	{ "user", SSHCONF_G_USER },
	{ "port", SSHCONF_G_PORT },
	{ "identityfile", SSHCONF_G_IDENTITYFILE },
	{ "userknownhostsfile", SSHCONF_G_USERKNOWNHOSTSFILE },
	{ "globalknownhostsfile", SSHCONF_G_GLOBALKNOWNHOSTSFILE },
	{ "stricthostkeychecking", SSHCONF_G_STRICTHOSTKEYCHECKING },
	{ "hostkeyalias", SSHCONF_G_HOSTKEYALIAS },
	{ "hashknownhosts", SSHCONF_G_HASHKNOWNHOSTS },
	{ "identitiesonly", SSHCONF_G_IDENTITIESONLY },
	{ "identityagent", SSHCONF_G_IDENTITYAGENT },
	{ "serveraliveinterval", SSHCONF_G_SERVERALIVEINTERVAL },
	{ "serveralivecountmax", SSHCONF_G_SERVERALIVECOUNTMAX },
	{ "connecttimeout", SSHCONF_G_CONNECTTIMEOUT },
	{ "proxycommand", SSHCONF_G_PROXYCOMMAND },
	{ "proxyjump", SSHCONF_G_PROXYJUMP },
	{ "proxyusefdpass", SSHCONF_G_PROXYUSEFDPASS },
	{ "batchmode", SSHCONF_G_BATCHMODE },
	{ "exitonforwardfailure", SSHCONF_G_EXITONFORWARDFAILURE },
	{ "gatewayports", SSHCONF_G_GATEWAYPORTS },
	{ "addressfamily", SSHCONF_G_ADDRESSFAMILY },
};

#define SSHCONF_N(a) (sizeof(a) / sizeof((a)[0]))

/* Wipe and free one string; NULL is fine. */
static void
sshconf_str_free(char *s)
{
	if (s != NULL)
		freezero(s, strlen(s) + 1);
}

/* Replace *dst with a copy of s (NULL for none). */
static void
sshconf_str_set(char **dst, const char *s)
{
	sshconf_str_free(*dst);
	*dst = s != NULL ? xstrdup(s) : NULL;
}

void
sshconf_list_add(struct sshconf_list *l, const char *s)
{
	l->item = xreallocarray(l->item, l->count + 1, sizeof(*l->item));
	l->item[l->count++] = xstrdup(s);
}

void
sshconf_list_free(struct sshconf_list *l)
{
	size_t i;

	for (i = 0; i < l->count; i++)
		sshconf_str_free(l->item[i]);
	free(l->item);
	l->item = NULL;
	l->count = 0;
}

void
sshconf_init(struct sshconf *c)
{
	memset(c, 0, sizeof(*c));
	c->stricthostkeychecking = SSHCONF_STRICT_ASK;
	c->agent = SSHCONF_AGENT_ENV;	/* SSH_AUTH_SOCK, set when done */
	c->serveralivecountmax = 3;
	c->connecttimeout = -1;
	c->addressfamily = AF_UNSPEC;
}

void
sshconf_free(struct sshconf *c)
{
	if (c == NULL)
		return;
	sshconf_str_free(c->host);
	sshconf_str_free(c->hostname);
	sshconf_str_free(c->user);
	sshconf_list_free(&c->identityfile);
	sshconf_list_free(&c->userknownhostsfile);
	sshconf_list_free(&c->globalknownhostsfile);
	sshconf_str_free(c->hostkeyalias);
	sshconf_str_free(c->identityagent);
	sshconf_str_free(c->proxycommand);
	sshconf_str_free(c->proxyjump);
	sshconf_str_free(c->warning);
	explicit_bzero(c, sizeof(*c));
}

int
sshconf_parse_flag(const char *s)
{
	if (strcasecmp(s, "yes") == 0 || strcasecmp(s, "true") == 0)
		return 1;
	if (strcasecmp(s, "no") == 0 || strcasecmp(s, "false") == 0)
		return 0;
	return -1;
}

int
sshconf_parse_strict(const char *s, enum sshconf_strict *out)
{
	if (strcasecmp(s, "yes") == 0 || strcasecmp(s, "true") == 0)
		*out = SSHCONF_STRICT_YES;
	else if (strcasecmp(s, "no") == 0 || strcasecmp(s, "false") == 0 ||
	    strcasecmp(s, "off") == 0)
		*out = SSHCONF_STRICT_NO;
	else if (strcasecmp(s, "ask") == 0)
		*out = SSHCONF_STRICT_ASK;
	else if (strcasecmp(s, "accept-new") == 0)
		*out = SSHCONF_STRICT_ACCEPT_NEW;
	else
		return -1;
	return 0;
}

const char *
sshconf_strict_name(enum sshconf_strict s)
{
	switch (s) {
	case SSHCONF_STRICT_ASK:
		return "ask";
	case SSHCONF_STRICT_YES:
		return "yes";
	case SSHCONF_STRICT_NO:
		return "no";
	case SSHCONF_STRICT_ACCEPT_NEW:
		return "accept-new";
	}
	return "unknown";
}

int
sshconf_parse_family(const char *s)
{
	if (strcasecmp(s, "any") == 0)
		return AF_UNSPEC;
	if (strcasecmp(s, "inet") == 0)
		return AF_INET;
	if (strcasecmp(s, "inet6") == 0)
		return AF_INET6;
	return -1;
}

/*
 * Parse a decimal number of at most max from s (digits only); -1 if s is
 * empty, holds anything else or is too big.
 */
static long
sshconf_parse_num(const char *s, long max)
{
	long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > max)
			return -1;
	}
	return v;
}

int
sshconf_parse_time(const char *s)
{
	long total = 0, v, mult;

	if (*s == '\0')
		return -1;
	while (*s != '\0') {
		if (*s < '0' || *s > '9')
			return -1;
		for (v = 0; *s >= '0' && *s <= '9'; s++) {
			v = v * 10 + (*s - '0');
			if (v > INT_MAX)
				return -1;
		}
		switch (*s) {
		case '\0':
			mult = 1;
			break;
		case 's': case 'S':
			mult = 1;
			break;
		case 'm': case 'M':
			mult = 60;
			break;
		case 'h': case 'H':
			mult = 60 * 60;
			break;
		case 'd': case 'D':
			mult = 24 * 60 * 60;
			break;
		case 'w': case 'W':
			mult = 7 * 24 * 60 * 60;
			break;
		default:
			return -1;
		}
		if (*s != '\0')
			s++;
		if (v > INT_MAX / mult || total > INT_MAX - v * mult)
			return -1;
		total += v * mult;
	}
	return (int)total;
}

void
sshconf_set_agent(struct sshconf *c, const char *s)
{
	if (strcmp(s, "none") == 0) {
		c->agent = SSHCONF_AGENT_NONE;
		sshconf_str_set(&c->identityagent, NULL);
	} else if (strcmp(s, "SSH_AUTH_SOCK") == 0) {
		c->agent = SSHCONF_AGENT_ENV;
		sshconf_str_set(&c->identityagent, s);
	} else if (s[0] == '$' && s[1] != '{' && s[1] != '\0') {
		c->agent = SSHCONF_AGENT_ENV;
		sshconf_str_set(&c->identityagent, s + 1);
	} else {
		c->agent = SSHCONF_AGENT_PATH;
		sshconf_str_set(&c->identityagent, s);
	}
}

void
sshconf_agent_default(struct sshconf *c)
{
	if (c->agent == SSHCONF_AGENT_ENV && c->identityagent == NULL)
		c->identityagent = xstrdup("SSH_AUTH_SOCK");
}

/* Replace l with the space-separated words of s; "none" empties it. */
static void
sshconf_list_words(struct sshconf_list *l, const char *s)
{
	const char *p, *w;
	char *word;

	sshconf_list_free(l);
	if (strcasecmp(s, "none") == 0)
		return;
	for (p = s; *p != '\0';) {
		while (*p == ' ')
			p++;
		w = p;
		while (*p != '\0' && *p != ' ')
			p++;
		if (p == w)
			continue;
		word = xmalloc((size_t)(p - w) + 1);
		memcpy(word, w, (size_t)(p - w));
		word[p - w] = '\0';
		l->item = xreallocarray(l->item, l->count + 1, sizeof(*l->item));
		l->item[l->count++] = word;
	}
}

/* Set one known "ssh -G" key from its value v; -1 if v is bad for it. */
static int
sshconf_g_set(struct sshconf *c, enum sshconf_gkey key, const char *v)
{
	long n;
	int f;

	switch (key) {
	case SSHCONF_G_HOST:
		sshconf_str_set(&c->host, v);
		return 0;
	case SSHCONF_G_HOSTNAME:
		sshconf_str_set(&c->hostname, v);
		return 0;
	case SSHCONF_G_USER:
		sshconf_str_set(&c->user, v);
		return 0;
	case SSHCONF_G_PORT:
		if ((n = sshconf_parse_num(v, 65535)) <= 0)
			return -1;
		c->port = (int)n;
		return 0;
	case SSHCONF_G_IDENTITYFILE:
		if (*v == '\0')
			return -1;
		sshconf_list_add(&c->identityfile, v);
		return 0;
	case SSHCONF_G_USERKNOWNHOSTSFILE:
		sshconf_list_words(&c->userknownhostsfile, v);
		return 0;
	case SSHCONF_G_GLOBALKNOWNHOSTSFILE:
		sshconf_list_words(&c->globalknownhostsfile, v);
		return 0;
	case SSHCONF_G_STRICTHOSTKEYCHECKING:
		return sshconf_parse_strict(v, &c->stricthostkeychecking);
	case SSHCONF_G_HOSTKEYALIAS:
		sshconf_str_set(&c->hostkeyalias, *v != '\0' ? v : NULL);
		return 0;
	case SSHCONF_G_IDENTITYAGENT:
		if (*v == '\0')
			return -1;
		sshconf_set_agent(c, v);
		return 0;
	case SSHCONF_G_SERVERALIVEINTERVAL:
		if ((n = sshconf_parse_num(v, INT_MAX)) < 0)
			return -1;
		c->serveraliveinterval = (int)n;
		return 0;
	case SSHCONF_G_SERVERALIVECOUNTMAX:
		if ((n = sshconf_parse_num(v, INT_MAX)) < 0)
			return -1;
		c->serveralivecountmax = (int)n;
		return 0;
	case SSHCONF_G_CONNECTTIMEOUT:
		if (strcmp(v, "none") == 0) {
			c->connecttimeout = -1;
			return 0;
		}
		if ((n = sshconf_parse_num(v, INT_MAX)) < 0)
			return -1;
		c->connecttimeout = (int)n;
		return 0;
	case SSHCONF_G_PROXYCOMMAND:
		sshconf_str_set(&c->proxycommand,
		    *v != '\0' && strcmp(v, "none") != 0 ? v : NULL);
		return 0;
	case SSHCONF_G_PROXYJUMP:
		sshconf_str_set(&c->proxyjump,
		    *v != '\0' && strcasecmp(v, "none") != 0 ? v : NULL);
		return 0;
	case SSHCONF_G_ADDRESSFAMILY:
		if ((f = sshconf_parse_family(v)) == -1)
			return -1;
		c->addressfamily = f;
		return 0;
	case SSHCONF_G_HASHKNOWNHOSTS:
	case SSHCONF_G_IDENTITIESONLY:
	case SSHCONF_G_PROXYUSEFDPASS:
	case SSHCONF_G_BATCHMODE:
	case SSHCONF_G_EXITONFORWARDFAILURE:
	case SSHCONF_G_GATEWAYPORTS:
		if ((f = sshconf_parse_flag(v)) == -1)
			return -1;
		if (key == SSHCONF_G_HASHKNOWNHOSTS)
			c->hashknownhosts = f;
		else if (key == SSHCONF_G_IDENTITIESONLY)
			c->identitiesonly = f;
		else if (key == SSHCONF_G_PROXYUSEFDPASS)
			c->proxyusefdpass = f;
		else if (key == SSHCONF_G_BATCHMODE)
			c->batchmode = f;
		else if (key == SSHCONF_G_EXITONFORWARDFAILURE)
			c->exitonforwardfailure = f;
		else
			c->gatewayports = f;
		return 0;
	}
	return 0;
}

/* Find the known key named by [k, k+klen), any case; -1 if unknown. */
static int
sshconf_g_lookup(const char *k, size_t klen)
{
	size_t i;

	for (i = 0; i < SSHCONF_N(sshconf_gkeys); i++)
		if (strlen(sshconf_gkeys[i].name) == klen &&
		    strncasecmp(sshconf_gkeys[i].name, k, klen) == 0)
			return (int)i;
	return -1;
}

int
sshconf_parse_g(const char *text, size_t len, struct sshconf *out,
    struct errmsg *e)
{
	char show[160];
	const char *p = text, *end = text + len, *eol, *sp;
	size_t llen, klen, lineno = 0;
	char *value;
	int i;

	sshconf_init(out);
	while (p < end) {
		lineno++;
		eol = memchr(p, '\n', (size_t)(end - p));
		llen = (eol != NULL ? eol : end) - p;
		if (llen > 0 && p[llen - 1] == '\r')
			llen--;
		if (memchr(p, '\0', llen) != NULL) {
			sshconf_free(out);
			return errmsg_set(e, EINVAL,
			    "ssh -G output line %zu holds a NUL byte", lineno);
		}
		sp = memchr(p, ' ', llen);
		klen = sp != NULL ? (size_t)(sp - p) : llen;
		if (klen > 0 && (i = sshconf_g_lookup(p, klen)) != -1) {
			if (sp != NULL) {
				value = xmalloc(llen - klen);
				memcpy(value, sp + 1, llen - klen - 1);
				value[llen - klen - 1] = '\0';
			} else {
				value = xstrdup("");
			}
			if (sshconf_g_set(out, sshconf_gkeys[i].key, value) == -1) {
				errmsg_set(e, EINVAL,
				    "ssh -G output line %zu: bad %s \"%s\"", lineno,
				    sshconf_gkeys[i].name,
				    log_quote(value, show, sizeof(show)));
				free(value);
				sshconf_free(out);
				return -1;
			}
			free(value);
		}
		p = eol != NULL ? eol + 1 : end;
	}
	if (out->host == NULL || out->hostname == NULL || out->user == NULL ||
	    out->port == 0 || *out->hostname == '\0' || *out->user == '\0') {
		const char *what = out->host == NULL ? "host" :
		    out->hostname == NULL || *out->hostname == '\0' ? "hostname" :
		    out->user == NULL || *out->user == '\0' ? "user" : "port";
		sshconf_free(out);
		return errmsg_set(e, EINVAL, "ssh -G output has no %s", what);
	}
	sshconf_agent_default(out);
	return 0;
}

/* Append n bytes at s to b. */
static void
sshconf_buf_add(struct sshconf_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = xreallocarray(b->p, b->cap, 1);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/*
 * Expand a leading "~" in s as ssh's tilde_expand(): "~" and "~/path" take
 * home, "~user/path" that user's home; the directory gets a '/' after it.
 * Returns 0 with *out malloc'd, or -1 with e set.
 */
static int
sshconf_tilde(const char *s, const char *home, char **out, struct errmsg *e)
{
	char show[160], show2[160], name[SSHCONF_NAME_MAX], pwbuf[4096];
	struct passwd pw, *pwp = NULL;
	struct sshconf_buf b = { NULL, 0, 0 };
	const char *path = NULL, *dir = home, *slash;
	size_t n;

	if (s[0] != '~') {
		*out = xstrdup(s);
		return 0;
	}
	if (s[1] == '\0' || s[1] == '/') {
		path = s + 1 + strspn(s + 1, "/");
	} else {
		slash = strchr(s + 1, '/');
		n = slash != NULL ? (size_t)(slash - s - 1) : strlen(s + 1);
		if (n >= sizeof(name))
			return errmsg_set(e, ENAMETOOLONG, "user name too long in \"%s\"",
			    log_quote(s, show, sizeof(show)));
		memcpy(name, s + 1, n);
		name[n] = '\0';
		if (getpwnam_r(name, &pw, pwbuf, sizeof(pwbuf), &pwp) != 0 ||
		    pwp == NULL)
			return errmsg_set(e, ENOENT, "no such user \"%s\" in \"%s\"",
			    log_quote(name, show, sizeof(show)),
			    log_quote(s, show2, sizeof(show2)));
		dir = pwp->pw_dir;
		path = slash != NULL ? slash + strspn(slash, "/") : "";
	}
	n = strlen(dir);
	sshconf_buf_add(&b, dir, n);
	if (n == 0 || dir[n - 1] != '/')
		sshconf_buf_add(&b, "/", 1);
	sshconf_buf_add(&b, path, strlen(path));
	*out = b.p;
	return 0;
}

/*
 * Expand ${NAME} (when l is not NULL) and the %-tokens in t (nt of them)
 * in one pass over s, as ssh's percent_dollar_expand().  Returns 0 with
 * *out malloc'd, or -1 with e set.
 */
static int
sshconf_percent(const char *s, const struct sshconf_tok *t, size_t nt,
    const struct sshconf_local *l, char **out, struct errmsg *e)
{
	char show[160], show2[160], name[SSHCONF_NAME_MAX];
	struct sshconf_buf b = { NULL, 0, 0 };
	const char *p, *close, *val;
	size_t i, n;

	sshconf_buf_add(&b, "", 0);
	for (p = s; *p != '\0'; p++) {
		if (l != NULL && p[0] == '$' && p[1] == '{') {
			close = strchr(p + 2, '}');
			n = close != NULL ? (size_t)(close - p - 2) : 0;
			if (close == NULL || n == 0 || n >= sizeof(name)) {
				free(b.p);
				return errmsg_set(e, EINVAL,
				    "bad ${...} variable in \"%s\"",
				    log_quote(s, show, sizeof(show)));
			}
			memcpy(name, p + 2, n);
			name[n] = '\0';
			val = l->getenv != NULL ? l->getenv(name, l->getenv_arg) : NULL;
			if (val == NULL) {
				free(b.p);
				return errmsg_set(e, ENOENT,
				    "environment variable %s in \"%s\" is not set",
				    log_quote(name, show, sizeof(show)),
				    log_quote(s, show2, sizeof(show2)));
			}
			sshconf_buf_add(&b, val, strlen(val));
			p = close;
			continue;
		}
		if (*p != '%') {
			sshconf_buf_add(&b, p, 1);
			continue;
		}
		p++;
		if (*p == '%') {
			sshconf_buf_add(&b, "%", 1);
			continue;
		}
		if (*p == '\0') {
			free(b.p);
			return errmsg_set(e, EINVAL, "\"%s\" ends in a lone %%",
			    log_quote(s, show, sizeof(show)));
		}
		for (i = 0; i < nt; i++)
			if (t[i].key == *p)
				break;
		if (i == nt) {
			free(b.p);
			if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
				return errmsg_set(e, EINVAL,
				    "unknown token %%\\x%02x in \"%s\"",
				    (unsigned char)*p, log_quote(s, show, sizeof(show)));
			return errmsg_set(e, EINVAL, "unknown token %%%c in \"%s\"",
			    *p, log_quote(s, show, sizeof(show)));
		}
		sshconf_buf_add(&b, t[i].value, strlen(t[i].value));
	}
	*out = b.p;
	return 0;
}

/*
 * ssh's %C: the SHA-1 of local host, remote host, port and remote user,
 * in hex, into hex (41 bytes).
 */
static void
sshconf_conn_hash(const char *lhost, const char *rhost, const char *port,
    const char *ruser, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, lhost, strlen(lhost)) != 1 ||
	    EVP_DigestUpdate(ctx, rhost, strlen(rhost)) != 1 ||
	    EVP_DigestUpdate(ctx, port, strlen(port)) != 1 ||
	    EVP_DigestUpdate(ctx, ruser, strlen(ruser)) != 1 ||
	    EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 20) {
		/* Only out of memory gets here. */
		log_error("SHA-1 digest failed");
		abort();
	}
	EVP_MD_CTX_free(ctx);
	for (i = 0; i < mdlen; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 0xf];
	}
	hex[2 * mdlen] = '\0';
}

int
sshconf_expand(const char *in, const struct sshconf_local *l,
    const struct sshconf *c, char **out, struct errmsg *e)
{
	char port[16], uid[32], shost[SSHCONF_NAME_MAX], hash[41];
	const char *host = c->host != NULL ? c->host : "";
	const char *rhost = c->hostname != NULL ? c->hostname : host;
	const char *ruser = c->user != NULL ? c->user : l->user;
	char *tilded = NULL;
	int rc;

	snprintf(port, sizeof(port), "%d", c->port > 0 ? c->port : 22);
	snprintf(uid, sizeof(uid), "%lu", l->uid);
	snprintf(shost, sizeof(shost), "%.*s", (int)strcspn(l->hostname, "."),
	    l->hostname);
	sshconf_conn_hash(l->hostname, rhost, port, ruser, hash);
	{
		const struct sshconf_tok t[] = {
			{ 'C', hash }, { 'd', l->home }, { 'h', rhost },
			{ 'i', uid }, { 'k', c->hostkeyalias != NULL ?
			    c->hostkeyalias : host },
			{ 'L', shost }, { 'l', l->hostname }, { 'n', host },
			{ 'p', port }, { 'r', ruser }, { 'u', l->user },
		};

		if (sshconf_tilde(in, l->home, &tilded, e) == -1)
			return -1;
		rc = sshconf_percent(tilded, t, SSHCONF_N(t), l, out, e);
		free(tilded);
	}
	return rc;
}

/* Expand every item of list in place. */
static int
sshconf_expand_list(struct sshconf_list *list, const struct sshconf_local *l,
    const struct sshconf *c, struct errmsg *e)
{
	char *x;
	size_t i;

	for (i = 0; i < list->count; i++) {
		if (sshconf_expand(list->item[i], l, c, &x, e) == -1)
			return -1;
		sshconf_str_free(list->item[i]);
		list->item[i] = x;
	}
	return 0;
}

int
sshconf_expand_paths(struct sshconf *c, const struct sshconf_local *l,
    unsigned what, struct errmsg *e)
{
	size_t i, o;
	char *x;

	if (what & SSHCONF_EXPAND_IDENTITY) {
		for (i = o = 0; i < c->identityfile.count; i++) {
			if (strcasecmp(c->identityfile.item[i], "none") == 0)
				sshconf_str_free(c->identityfile.item[i]);
			else
				c->identityfile.item[o++] = c->identityfile.item[i];
		}
		c->identityfile.count = o;
		if (sshconf_expand_list(&c->identityfile, l, c, e) == -1)
			return -1;
	}
	if ((what & SSHCONF_EXPAND_KNOWNHOSTS) &&
	    sshconf_expand_list(&c->userknownhostsfile, l, c, e) == -1)
		return -1;
	if ((what & SSHCONF_EXPAND_AGENT) && c->agent == SSHCONF_AGENT_PATH) {
		if (sshconf_expand(c->identityagent, l, c, &x, e) == -1)
			return -1;
		sshconf_str_free(c->identityagent);
		c->identityagent = x;
	}
	return 0;
}

int
sshconf_expand_hostname(const char *tmpl, const char *host, char **out,
    struct errmsg *e)
{
	const struct sshconf_tok t[] = { { 'h', host } };

	return sshconf_percent(tmpl, t, SSHCONF_N(t), NULL, out, e);
}
