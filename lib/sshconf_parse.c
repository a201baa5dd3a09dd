/*
 * sshconf_parse.c: the ssh_config reader that stands in for "ssh -G" where
 * ssh is missing; see sshconf.h.
 * SPDX-License-Identifier: MIT
 *
 * It follows OpenSSH 9.2's readconf.c for the keys struct sshconf holds:
 * the same line splitting (strdelim() for the keyword, argv_split() for the
 * arguments, ProxyCommand and ProxyJump take the raw rest of the line), the
 * same Host and Match matching, Include with ssh's anchoring and depth, the
 * first value obtained wins, and the same defaults.  Unknown keys are
 * ignored (ssh would refuse them), as the reader knows only a subset.
 * Reading files is the include callback's business; this file does no I/O.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "endpoint.h"
#include "log.h"
#include "sshconf.h"
#include "xmalloc.h"

#define SSHCONF_WS " \t\r\n"
#define SSHCONF_MAX_FILES 32	/* known hosts files per key, as ssh */
#define SSHCONF_MAX_IDENTITY 100	/* identity files, as ssh */
#define SSHCONF_PATTERN_MAX 1024	/* longest sub-pattern ssh matches */

/* The keys this reader knows. */
enum sshconf_ckey {
	SSHCONF_K_HOST,
	SSHCONF_K_MATCH,
	SSHCONF_K_INCLUDE,
	SSHCONF_K_HOSTNAME,
	SSHCONF_K_USER,
	SSHCONF_K_PORT,
	SSHCONF_K_IDENTITYFILE,
	SSHCONF_K_USERKNOWNHOSTSFILE,
	SSHCONF_K_GLOBALKNOWNHOSTSFILE,
	SSHCONF_K_STRICTHOSTKEYCHECKING,
	SSHCONF_K_HOSTKEYALIAS,
	SSHCONF_K_HASHKNOWNHOSTS,
	SSHCONF_K_IDENTITIESONLY,
	SSHCONF_K_IDENTITYAGENT,
	SSHCONF_K_SERVERALIVEINTERVAL,
	SSHCONF_K_SERVERALIVECOUNTMAX,
	SSHCONF_K_CONNECTTIMEOUT,
	SSHCONF_K_PROXYCOMMAND,
	SSHCONF_K_PROXYJUMP,
	SSHCONF_K_PROXYUSEFDPASS,
	SSHCONF_K_BATCHMODE,
	SSHCONF_K_EXITONFORWARDFAILURE,
	SSHCONF_K_GATEWAYPORTS,
	SSHCONF_K_ADDRESSFAMILY,
	SSHCONF_K_NKEYS,
};

static const char *const sshconf_cnames[SSHCONF_K_NKEYS] = {
	"host", "match", "include", "hostname", "user", "port", "identityfile",
	"userknownhostsfile", "globalknownhostsfile", "stricthostkeychecking",
	"hostkeyalias", "hashknownhosts", "identitiesonly", "identityagent",
	"serveraliveinterval", "serveralivecountmax", "connecttimeout",
	"proxycommand", "proxyjump", "proxyusefdpass", "batchmode",
	"exitonforwardfailure", "gatewayports", "addressfamily",
};

/* Where a line comes from and how to treat it. */
struct sshconf_where {
	const char *name;	/* file name for messages, or "command-line" */
	unsigned line;
	int user;		/* a user configuration (Include under ~/.ssh) */
	int cmdline;		/* an -o option: no Host, Match or Include */
	int nevermatch;		/* inside an Include from an inactive block */
	int depth;		/* Include nesting */
};

struct sshconf_parser {
	const struct sshconf_params *p;
	char *host;			/* as given */
	struct sshconf c;		/* values so far */
	unsigned char set[SSHCONF_K_NKEYS];	/* has the key a value yet? */
	struct errmsg warn;		/* first warning; code 0 if none */
	int warned;
};

static int sshconf_feed_depth(struct sshconf_parser *sp,
    const struct sshconf_where *w, const char *text, size_t len, int *active,
    struct errmsg *e);

/* Record the first warning. */
static void __attribute__((format(printf, 2, 3)))
sshconf_warn(struct sshconf_parser *sp, const char *fmt, ...)
{
	va_list ap;

	if (sp->warned)
		return;
	sp->warned = 1;
	va_start(ap, fmt);
	vsnprintf(sp->warn.text, sizeof(sp->warn.text), fmt, ap);
	va_end(ap);
}

/*
 * ssh's strdelim(): cut the next word off *s, at whitespace or one '='
 * (with whitespace around it); a word starting with '"' runs to the next
 * '"'.  Returns the word, or NULL for an unbalanced quote.
 */
static char *
sshconf_strdelim(char **s)
{
	char *old;
	int wspace = 0;

	if (*s == NULL)
		return NULL;
	old = *s;
	*s = strpbrk(*s, SSHCONF_WS "\"=");
	if (*s == NULL)
		return old;
	if (**s == '"') {
		memmove(*s, *s + 1, strlen(*s));
		if ((*s = strchr(*s, '"')) == NULL)
			return NULL;
		**s = '\0';
		*s += strspn(*s + 1, SSHCONF_WS) + 1;
		return old;
	}
	if (**s == '=')
		wspace = 1;
	**s = '\0';
	*s += strspn(*s + 1, SSHCONF_WS) + 1;
	if (**s == '=' && !wspace)
		*s += strspn(*s + 1, SSHCONF_WS) + 1;
	return old;
}

/* Free an argument vector from sshconf_split(). */
static void
sshconf_argv_free(char **av, int ac)
{
	int i;

	for (i = 0; i < ac; i++)
		free(av[i]);
	free(av);
}

/*
 * ssh's argv_split(): words separated by spaces and tabs, '"' and '\''
 * quote (anywhere in a word), a backslash escapes a quote, a backslash or
 * (outside quotes) a space, and a '#' at the start of a word ends the line.
 * Returns 0 with *avp, *acp set, or -1 for an unbalanced quote.
 */
static int
sshconf_split(const char *s, char ***avp, int *acp)
{
	char **av = NULL, *arg, quote;
	int ac = 0;
	size_t i = 0, j;

	while (s[i] != '\0') {
		if (s[i] == ' ' || s[i] == '\t') {
			i++;
			continue;
		}
		if (s[i] == '#')
			break;
		av = xreallocarray(av, (size_t)ac + 1, sizeof(*av));
		arg = av[ac++] = xmalloc(strlen(s + i) + 1);
		quote = 0;
		for (j = 0; s[i] != '\0'; i++) {
			if (s[i] == '\\' && (s[i + 1] == '\'' || s[i + 1] == '"' ||
			    s[i + 1] == '\\' || (quote == 0 && s[i + 1] == ' '))) {
				arg[j++] = s[++i];
			} else if (quote == 0 && (s[i] == ' ' || s[i] == '\t')) {
				break;
			} else if (quote == 0 && (s[i] == '"' || s[i] == '\'')) {
				quote = s[i];
			} else if (quote != 0 && s[i] == quote) {
				quote = 0;
			} else {
				arg[j++] = s[i];
			}
		}
		arg[j] = '\0';
		if (quote != 0) {
			sshconf_argv_free(av, ac);
			return -1;
		}
	}
	*avp = av;
	*acp = ac;
	return 0;
}

/* Do two bytes agree (ignoring ASCII case if fold)? */
static int
sshconf_eq(char a, char b, int fold)
{
	if (fold)
		return tolower((unsigned char)a) == tolower((unsigned char)b);
	return a == b;
}

/*
 * Does s match the wildcard pattern [p, p+plen) ('*' any run, '?' any
 * byte)?  Iterative, so no pattern can make it slow.
 */
static int
sshconf_wild(const char *s, const char *p, size_t plen, int fold)
{
	const char *pend = p + plen, *star = NULL, *ss = NULL;

	while (*s != '\0') {
		if (p < pend && *p == '*') {
			star = p++;
			ss = s;
		} else if (p < pend && (*p == '?' || sshconf_eq(*p, *s, fold))) {
			p++;
			s++;
		} else if (star != NULL) {
			p = star + 1;
			s = ++ss;
		} else {
			return 0;
		}
	}
	while (p < pend && *p == '*')
		p++;
	return p == pend;
}

/*
 * ssh's match_pattern_list(): pattern is a comma-separated list, each
 * entry optionally negated with '!'.  Returns 1 if an entry matches and no
 * negated one does, -1 if a negated one does, else 0.
 */
static int
sshconf_match_list(const char *s, const char *pattern, int fold)
{
	const char *p = pattern, *sub;
	int neg, positive = 0;
	size_t n;

	while (*p != '\0') {
		neg = *p == '!';
		if (neg)
			p++;
		sub = p;
		n = strcspn(p, ",");
		if (n >= SSHCONF_PATTERN_MAX - 1)
			return 0;
		p += n;
		if (*p == ',')
			p++;
		if (sshconf_wild(s, sub, n, fold)) {
			if (neg)
				return -1;
			positive = 1;
		}
	}
	return positive;
}

/* Format "NAME line N: " + fmt into e (code EINVAL); returns -1. */
static int __attribute__((format(printf, 3, 4)))
sshconf_bad(struct errmsg *e, const struct sshconf_where *w,
    const char *fmt, ...)
{
	char show[160], msg[ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_sanitize(show, sizeof(show), w->name);
	return errmsg_set(e, EINVAL, "%s line %u: %s", show, w->line, msg);
}

/* The host "Match host" compares: HostName so far (%h expanded), or the
 * host as given.  Returns a malloc'd string, or NULL with e set. */
static char *
sshconf_match_target(struct sshconf_parser *sp, const struct sshconf_where *w,
    struct errmsg *e)
{
	struct errmsg xe;
	char *x;

	if (!sp->set[SSHCONF_K_HOSTNAME])
		return xstrdup(sp->host);
	if (sshconf_expand_hostname(sp->c.hostname, sp->host, &x, &xe) == -1) {
		sshconf_bad(e, w, "HostName: %s", xe.text);
		return NULL;
	}
	return x;
}

/*
 * Evaluate a Match line's criteria (ac words at av) as ssh's
 * match_cfg_line().  Returns 1 or 0, or -1 with e set.
 */
static int
sshconf_match(struct sshconf_parser *sp, const struct sshconf_where *w,
    char **av, int ac, struct errmsg *e)
{
	char show[160];
	const char *attr, *arg, *skip = NULL;
	char *target = NULL;
	int i = 0, attributes = 0, result = 1, neg, r;

	while (i < ac) {
		attr = av[i++];
		neg = attr[0] == '!';
		if (neg)
			attr++;
		if (strcasecmp(attr, "all") == 0) {
			if (attributes > 1 || i < ac) {
				free(target);
				return sshconf_bad(e, w, "'all' cannot be combined with "
				    "other Match attributes");
			}
			if (result)
				result = !neg;
			attributes = 1;
			break;
		}
		attributes++;
		if (strcasecmp(attr, "canonical") == 0 ||
		    strcasecmp(attr, "final") == 0) {
			skip = strcasecmp(attr, "final") == 0 ? "final" : "canonical";
			continue;
		}
		if (i >= ac || av[i][0] == '\0') {
			free(target);
			return sshconf_bad(e, w, "Missing Match criteria for %s",
			    log_quote(attr, show, sizeof(show)));
		}
		arg = av[i++];
		if (strcasecmp(attr, "exec") == 0) {
			skip = "exec";
			continue;
		}
		if (strcasecmp(attr, "localnetwork") == 0 ||
		    strcasecmp(attr, "tagged") == 0) {
			skip = strcasecmp(attr, "tagged") == 0 ? "tagged" :
			    "localnetwork";
			continue;
		}
		if (strcasecmp(attr, "host") == 0) {
			if (target == NULL &&
			    (target = sshconf_match_target(sp, w, e)) == NULL)
				return -1;
			r = sshconf_match_list(target, arg, 1) == 1;
		} else if (strcasecmp(attr, "originalhost") == 0) {
			r = sshconf_match_list(sp->host, arg, 1) == 1;
		} else if (strcasecmp(attr, "user") == 0) {
			r = sshconf_match_list(sp->set[SSHCONF_K_USER] ?
			    sp->c.user : sp->p->local->user, arg, 0) == 1;
		} else if (strcasecmp(attr, "localuser") == 0) {
			r = sshconf_match_list(sp->p->local->user, arg, 0) == 1;
		} else {
			free(target);
			return sshconf_bad(e, w, "Unsupported Match attribute %s",
			    log_quote(attr, show, sizeof(show)));
		}
		if (r == neg)
			result = 0;
	}
	free(target);
	if (attributes == 0)
		return sshconf_bad(e, w, "One or more attributes required for Match");
	if (skip == NULL)
		return result;
	/* Warn only where the skipped criterion decides: the rest matched. */
	if (result && !w->nevermatch) {
		log_sanitize(show, sizeof(show), w->name);
		sshconf_warn(sp, "%s line %u: Match %s is not supported here; "
		    "block skipped", show, w->line, skip);
	}
	return 0;
}

/* Does host match a Host line's patterns (ssh: the first negated match
 * wins, else any positive one)? */
static int
sshconf_host_line(const char *host, char **av, int ac)
{
	const char *pat;
	int i, active = 0, neg;

	for (i = 0; i < ac; i++) {
		pat = av[i];
		neg = pat[0] == '!';
		if (neg)
			pat++;
		if (sshconf_wild(host, pat, strlen(pat), 0)) {
			if (neg)
				return 0;
			active = 1;
		}
	}
	return active;
}

/*
 * Check a ProxyJump value and rewrite it as "ssh -G" prints it: the hops
 * before the last as given, then the last as [user@]host[:port] with a
 * numeric host in brackets.  Returns 0 with *out malloc'd, or -1.
 */
static int
sshconf_jump_norm(const char *s, char **out)
{
	char *dup, *hop, *last, *user = NULL, *host = NULL, *portstr, *cp;
	char portbuf[8];
	struct errmsg pe;
	uint16_t port = 0;
	size_t n;
	int brackets, rc = -1;

	dup = last = xstrdup(s);
	for (hop = dup; hop != NULL; hop = cp) {
		cp = strchr(hop, ',');
		if (cp != NULL)
			*cp++ = '\0';
		last = hop;
		user = NULL;
		portstr = NULL;
		port = 0;
		if (strncmp(hop, "ssh://", 6) == 0) {
			hop += 6;
			hop[strcspn(hop, "/")] = '\0';
			if ((host = strchr(hop, '@')) != NULL) {
				*host++ = '\0';
				hop[strcspn(hop, ";")] = '\0';
				user = hop;
			} else {
				host = hop;
			}
		} else if ((host = strrchr(hop, '@')) != NULL) {
			*host++ = '\0';
			user = hop;
		} else {
			host = hop;
		}
		if (user != NULL && *user == '\0')
			goto out;
		if (*host == '[') {
			if ((portstr = strchr(host, ']')) == NULL || portstr == host + 1)
				goto out;
			*portstr++ = '\0';
			host++;
			if (*portstr == ':')
				portstr++;
			else if (*portstr != '\0')
				goto out;
		} else if ((portstr = strchr(host, ':')) != NULL) {
			*portstr++ = '\0';
		}
		if (*host == '\0')
			goto out;
		if (portstr != NULL && *portstr != '\0' &&
		    endpoint_port_lookup(portstr, 0, &port, &pe) == -1)
			goto out;
		if (cp == NULL)
			break;
	}
	n = strlen(host);
	brackets = strchr(host, ':') != NULL || strspn(host, "0123456789.") == n;
	snprintf(portbuf, sizeof(portbuf), "%u", (unsigned)port);
	n = strlen(s) + n + 16;
	*out = xmalloc(n);
	snprintf(*out, n, "%.*s%s%s%s%s%s%s%s", (int)(last - dup), s,
	    user != NULL ? user : "", user != NULL ? "@" : "",
	    brackets ? "[" : "", host, brackets ? "]" : "",
	    port > 0 ? ":" : "", port > 0 ? portbuf : "");
	rc = 0;
 out:
	free(dup);
	return rc;
}

/* The value of a single-argument key; refuses none or several. */
static int
sshconf_one(const struct sshconf_where *w, const char *key, char **av, int ac,
    struct errmsg *e)
{
	if (ac < 1 || av[0][0] == '\0')
		return sshconf_bad(e, w, "Missing argument for %s.", key);
	if (ac > 1)
		return sshconf_bad(e, w, "keyword %s extra arguments at end of line",
		    key);
	return 0;
}

/* Read a known hosts list (1-32 paths, "none" alone) into l if active and
 * not set yet. */
static int
sshconf_files_key(struct sshconf_parser *sp, const struct sshconf_where *w,
    enum sshconf_ckey k, struct sshconf_list *l, char **av, int ac,
    int active, struct errmsg *e)
{
	int i;

	if (ac < 1)
		return sshconf_bad(e, w, "Missing argument for %s.", sshconf_cnames[k]);
	if (ac > SSHCONF_MAX_FILES)
		return sshconf_bad(e, w, "too many %s entries.", sshconf_cnames[k]);
	for (i = 0; i < ac; i++) {
		if (av[i][0] == '\0')
			return sshconf_bad(e, w, "keyword %s empty argument",
			    sshconf_cnames[k]);
		if (strcasecmp(av[i], "none") == 0 && ac > 1)
			return sshconf_bad(e, w, "keyword %s \"none\" argument must "
			    "appear alone.", sshconf_cnames[k]);
	}
	if (!active || sp->set[k])
		return 0;
	sp->set[k] = 1;
	for (i = 0; i < ac; i++)
		sshconf_list_add(l, av[i]);
	return 0;
}

/* Handle an Include line (av: the patterns). */
static int
sshconf_include(struct sshconf_parser *sp, const struct sshconf_where *w,
    char **av, int ac, int *active, struct errmsg *e)
{
	char show[160], *pattern;
	struct sshconf_file *files;
	struct sshconf_where sub;
	size_t nfiles, j;
	int i, oactive, rc = 0;

	if (w->cmdline)
		return sshconf_bad(e, w,
		    "Include directive not supported as a command-line option");
	for (i = 0; i < ac && rc == 0; i++) {
		if (av[i][0] == '\0')
			return sshconf_bad(e, w, "keyword include empty argument");
		if (av[i][0] == '~' && !w->user)
			return sshconf_bad(e, w, "bad include path %s.",
			    log_quote(av[i], show, sizeof(show)));
		if (sp->p->include == NULL)
			return sshconf_bad(e, w, "Include is not supported here");
		if (w->depth + 1 > SSHCONF_INCLUDE_DEPTH)
			return sshconf_bad(e, w,
			    "Too many recursive configuration includes");
		if (av[i][0] != '/' && av[i][0] != '~') {
			pattern = xmalloc(strlen(av[i]) + sizeof("/etc/ssh/"));
			strcpy(pattern, w->user ? "~/.ssh/" : "/etc/ssh/");
			strcat(pattern, av[i]);
		} else {
			pattern = xstrdup(av[i]);
		}
		files = NULL;
		nfiles = 0;
		rc = sp->p->include(pattern, &files, &nfiles, sp->p->include_arg, e);
		free(pattern);
		oactive = *active;
		for (j = 0; j < nfiles && rc == 0; j++) {
			sub = *w;
			sub.name = files[j].name;
			sub.line = 0;
			sub.depth = w->depth + 1;
			sub.nevermatch = w->nevermatch || !oactive;
			rc = sshconf_feed_depth(sp, &sub, files[j].text, files[j].len,
			    active, e);
			/* An included Match must not change the includer's state. */
			*active = oactive;
		}
		sshconf_files_free(files, nfiles);
	}
	return rc;
}

/* Handle a Host or Match line. */
static int
sshconf_block(struct sshconf_parser *sp, const struct sshconf_where *w,
    enum sshconf_ckey k, char **av, int ac, int *active, struct errmsg *e)
{
	int i, r;

	if (w->cmdline)
		return sshconf_bad(e, w, "%s directive not supported as a "
		    "command-line option", k == SSHCONF_K_HOST ? "Host" : "Match");
	if (k == SSHCONF_K_MATCH) {
		if ((r = sshconf_match(sp, w, av, ac, e)) == -1)
			return -1;
		*active = w->nevermatch ? 0 : r;
		return 0;
	}
	for (i = 0; i < ac; i++)
		if (av[i][0] == '\0')
			return sshconf_bad(e, w, "keyword host empty argument");
	*active = w->nevermatch ? 0 : sshconf_host_line(sp->host, av, ac);
	return 0;
}

/* Set a single-valued key from its one argument v (checked even when the
 * block is inactive, as ssh does). */
static int
sshconf_value(struct sshconf_parser *sp, const struct sshconf_where *w,
    enum sshconf_ckey k, const char *v, int active, struct errmsg *e)
{
	char show[160];
	struct sshconf *c = &sp->c;
	struct errmsg pe;
	enum sshconf_strict strict = SSHCONF_STRICT_ASK;
	uint16_t port = 0;
	int n = 0;
	long l;
	char *end;

	switch (k) {
	case SSHCONF_K_PORT:
		if (endpoint_port_lookup(v, 0, &port, &pe) == -1)
			return sshconf_bad(e, w, "Bad port '%s'.",
			    log_quote(v, show, sizeof(show)));
		n = port;
		break;
	case SSHCONF_K_STRICTHOSTKEYCHECKING:
		if (sshconf_parse_strict(v, &strict) == -1)
			return sshconf_bad(e, w, "unsupported option \"%s\".",
			    log_quote(v, show, sizeof(show)));
		break;
	case SSHCONF_K_HASHKNOWNHOSTS:
	case SSHCONF_K_IDENTITIESONLY:
	case SSHCONF_K_PROXYUSEFDPASS:
	case SSHCONF_K_BATCHMODE:
	case SSHCONF_K_EXITONFORWARDFAILURE:
	case SSHCONF_K_GATEWAYPORTS:
		if ((n = sshconf_parse_flag(v)) == -1)
			return sshconf_bad(e, w, "unsupported option \"%s\".",
			    log_quote(v, show, sizeof(show)));
		break;
	case SSHCONF_K_ADDRESSFAMILY:
		if ((n = sshconf_parse_family(v)) == -1)
			return sshconf_bad(e, w, "unsupported option \"%s\".",
			    log_quote(v, show, sizeof(show)));
		break;
	case SSHCONF_K_SERVERALIVEINTERVAL:
	case SSHCONF_K_CONNECTTIMEOUT:
		if ((n = sshconf_parse_time(v)) == -1)
			return sshconf_bad(e, w, "invalid time value.");
		break;
	case SSHCONF_K_SERVERALIVECOUNTMAX:
		errno = 0;
		l = strtol(v, &end, 10);
		if (*v < '0' || *v > '9' || *end != '\0' || errno != 0 ||
		    l > INT_MAX)
			return sshconf_bad(e, w, "integer value %s.",
			    log_quote(v, show, sizeof(show)));
		n = (int)l;
		break;
	case SSHCONF_K_IDENTITYAGENT:
		if (v[0] == '$' && v[1] != '{' &&
		    strspn(v + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789_") != strlen(v + 1))
			return sshconf_bad(e, w, "Invalid environment name %s.",
			    log_quote(v, show, sizeof(show)));
		break;
	default:
		break;
	}
	if (!active)
		return 0;
	if (k == SSHCONF_K_IDENTITYFILE) {
		for (n = 0; (size_t)n < c->identityfile.count; n++)
			if (strcmp(c->identityfile.item[n], v) == 0)
				return 0;
		if (c->identityfile.count >= SSHCONF_MAX_IDENTITY)
			return sshconf_bad(e, w, "Too many identity files specified "
			    "(max %d).", SSHCONF_MAX_IDENTITY);
		sshconf_list_add(&c->identityfile, v);
		return 0;
	}
	if (sp->set[k])
		return 0;
	sp->set[k] = 1;
	switch (k) {
	case SSHCONF_K_HOSTNAME:
		c->hostname = xstrdup(v);
		break;
	case SSHCONF_K_USER:
		c->user = xstrdup(v);
		break;
	case SSHCONF_K_HOSTKEYALIAS:
		c->hostkeyalias = xstrdup(v);
		break;
	case SSHCONF_K_PORT:
		c->port = n;
		break;
	case SSHCONF_K_STRICTHOSTKEYCHECKING:
		c->stricthostkeychecking = strict;
		break;
	case SSHCONF_K_HASHKNOWNHOSTS:
		c->hashknownhosts = n;
		break;
	case SSHCONF_K_IDENTITIESONLY:
		c->identitiesonly = n;
		break;
	case SSHCONF_K_PROXYUSEFDPASS:
		c->proxyusefdpass = n;
		break;
	case SSHCONF_K_BATCHMODE:
		c->batchmode = n;
		break;
	case SSHCONF_K_EXITONFORWARDFAILURE:
		c->exitonforwardfailure = n;
		break;
	case SSHCONF_K_GATEWAYPORTS:
		c->gatewayports = n;
		break;
	case SSHCONF_K_ADDRESSFAMILY:
		c->addressfamily = n;
		break;
	case SSHCONF_K_SERVERALIVEINTERVAL:
		c->serveraliveinterval = n;
		break;
	case SSHCONF_K_CONNECTTIMEOUT:
		c->connecttimeout = n;
		break;
	case SSHCONF_K_SERVERALIVECOUNTMAX:
		c->serveralivecountmax = n;
		break;
	case SSHCONF_K_IDENTITYAGENT:
		sshconf_set_agent(c, v);
		break;
	default:
		break;
	}
	return 0;
}

/*
 * ProxyCommand and ProxyJump: the raw rest of the line.  Whichever of the
 * two comes first wins and disables the other, as in ssh.
 */
static int
sshconf_proxy(struct sshconf_parser *sp, const struct sshconf_where *w,
    enum sshconf_ckey k, const char *raw, int active, struct errmsg *e)
{
	char show[160], *norm = NULL;
	struct sshconf *c = &sp->c;

	raw += strspn(raw, SSHCONF_WS "=");
	if (k == SSHCONF_K_PROXYCOMMAND) {
		if (active && c->proxycommand == NULL && c->proxyjump == NULL)
			c->proxycommand = xstrdup(raw);
		return 0;
	}
	if (strcasecmp(raw, "none") == 0) {
		if (active && c->proxyjump == NULL)
			c->proxyjump = xstrdup("none");
		return 0;
	}
	if (sshconf_jump_norm(raw, &norm) == -1)
		return sshconf_bad(e, w, "Invalid ProxyJump \"%s\"",
		    log_quote(raw, show, sizeof(show)));
	if (active && c->proxycommand == NULL && c->proxyjump == NULL) {
		c->proxyjump = norm;
		c->proxycommand = xstrdup("none");
	} else {
		free(norm);
	}
	return 0;
}

/* Look up a lowercased keyword; -1 if this reader does not know it. */
static int
sshconf_ckey_lookup(const char *k)
{
	int i;

	for (i = 0; i < SSHCONF_K_NKEYS; i++)
		if (strcmp(sshconf_cnames[i], k) == 0)
			return i;
	return -1;
}

/* Process one line (NUL-terminated, modifiable), as ssh's
 * process_config_line_depth(). */
static int
sshconf_line(struct sshconf_parser *sp, const struct sshconf_where *w,
    char *line, int *active, struct errmsg *e)
{
	char show[160], *str = line, *keyword, *raw, **av = NULL, *p;
	size_t len;
	int ac = 0, k, rc = 0;

	len = strlen(line);
	while (len > 0 && strchr(SSHCONF_WS "\f", line[len - 1]) != NULL)
		line[--len] = '\0';
	if ((keyword = sshconf_strdelim(&str)) == NULL)
		return 0;
	if (*keyword == '\0')
		keyword = sshconf_strdelim(&str);
	if (keyword == NULL || *keyword == '\0' || *keyword == '#')
		return 0;
	for (p = keyword; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	if (str != NULL)
		str += strspn(str, SSHCONF_WS);
	if (str == NULL || *str == '\0')
		return sshconf_bad(e, w, "no argument after keyword \"%s\"",
		    log_quote(keyword, show, sizeof(show)));
	raw = str;
	if (sshconf_split(str, &av, &ac) == -1)
		return sshconf_bad(e, w, "invalid quotes");
	k = sshconf_ckey_lookup(keyword);
	switch (k) {
	case -1:
		break;		/* not a key this reader needs */
	case SSHCONF_K_HOST:
	case SSHCONF_K_MATCH:
		rc = sshconf_block(sp, w, (enum sshconf_ckey)k, av, ac, active, e);
		break;
	case SSHCONF_K_INCLUDE:
		rc = sshconf_include(sp, w, av, ac, active, e);
		break;
	case SSHCONF_K_USERKNOWNHOSTSFILE:
		rc = sshconf_files_key(sp, w, (enum sshconf_ckey)k,
		    &sp->c.userknownhostsfile, av, ac, *active, e);
		break;
	case SSHCONF_K_GLOBALKNOWNHOSTSFILE:
		rc = sshconf_files_key(sp, w, (enum sshconf_ckey)k,
		    &sp->c.globalknownhostsfile, av, ac, *active, e);
		break;
	case SSHCONF_K_PROXYCOMMAND:
	case SSHCONF_K_PROXYJUMP:
		rc = sshconf_proxy(sp, w, (enum sshconf_ckey)k, raw, *active, e);
		break;
	default:
		rc = sshconf_one(w, sshconf_cnames[k], av, ac, e);
		if (rc == 0)
			rc = sshconf_value(sp, w, (enum sshconf_ckey)k, av[0],
			    *active, e);
		break;
	}
	sshconf_argv_free(av, ac);
	return rc;
}

/* Feed one file's text, line by line; *active is the Host/Match state. */
static int
sshconf_feed_depth(struct sshconf_parser *sp, const struct sshconf_where *w,
    const char *text, size_t len, int *active, struct errmsg *e)
{
	struct sshconf_where lw = *w;
	const char *p = text, *end = text + len, *eol;
	size_t llen;
	char *line;
	int rc;

	while (p < end) {
		lw.line++;
		eol = memchr(p, '\n', (size_t)(end - p));
		llen = (size_t)((eol != NULL ? eol : end) - p);
		line = xmalloc(llen + 1);
		memcpy(line, p, llen);
		line[llen] = '\0';
		rc = sshconf_line(sp, &lw, line, active, e);
		free(line);
		if (rc == -1)
			return -1;
		p = eol != NULL ? eol + 1 : end;
	}
	return 0;
}

struct sshconf_parser *
sshconf_parser_new(const char *host, const struct sshconf_params *p,
    struct errmsg *e)
{
	struct sshconf_parser *sp;
	struct sshconf_where w = { "command-line", 0, 1, 1, 0, 0 };
	size_t i;
	char *line;
	int active = 1, rc;

	sp = xcalloc(1, sizeof(*sp));
	sp->p = p;
	sp->host = xstrdup(host);
	memset(&sp->c, 0, sizeof(sp->c));
	sshconf_init(&sp->c);
	for (i = 0; i < p->noptions; i++) {
		line = xstrdup(p->options[i]);
		rc = sshconf_line(sp, &w, line, &active, e);
		free(line);
		if (rc == -1) {
			sshconf_parser_free(sp);
			return NULL;
		}
	}
	if (p->port > 0 && !sp->set[SSHCONF_K_PORT]) {
		sp->set[SSHCONF_K_PORT] = 1;
		sp->c.port = p->port;
	}
	if (p->user != NULL && !sp->set[SSHCONF_K_USER]) {
		sp->set[SSHCONF_K_USER] = 1;
		sp->c.user = xstrdup(p->user);
	}
	return sp;
}

int
sshconf_parser_feed(struct sshconf_parser *sp, const char *name,
    const char *text, size_t len, int user, struct errmsg *e)
{
	struct sshconf_where w = { name, 0, user, 0, 0, 0 };
	int active = 1;

	return sshconf_feed_depth(sp, &w, text, len, &active, e);
}

/* ssh's default identity files, in its order. */
static const char *const sshconf_default_ids[] = {
	"~/.ssh/id_rsa", "~/.ssh/id_ecdsa", "~/.ssh/id_ecdsa_sk",
	"~/.ssh/id_ed25519", "~/.ssh/id_ed25519_sk", "~/.ssh/id_xmss",
	"~/.ssh/id_dsa",
};

/* Empty l if it is just "none". */
static void
sshconf_none_list(struct sshconf_list *l)
{
	if (l->count == 1 && strcasecmp(l->item[0], "none") == 0)
		sshconf_list_free(l);
}

int
sshconf_parser_finish(struct sshconf_parser *sp, struct sshconf *out,
    struct errmsg *warn, struct errmsg *e)
{
	struct sshconf *c = &sp->c;
	struct errmsg xe;
	char *x, *p;
	size_t i;

	if (sshconf_expand_hostname(c->hostname != NULL ? c->hostname : "%h",
	    sp->host, &x, &xe) == -1)
		return errmsg_set(e, EINVAL, "HostName: %s", xe.text);
	if (!endpoint_is_numeric(x))
		for (p = x; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
	free(c->hostname);
	c->hostname = x;
	free(c->host);
	c->host = xstrdup(sp->host);
	if (c->user == NULL)
		c->user = xstrdup(sp->p->local->user);
	if (c->port == 0)
		c->port = 22;
	if (c->identityfile.count == 0)
		for (i = 0; i < sizeof(sshconf_default_ids) /
		    sizeof(sshconf_default_ids[0]); i++)
			sshconf_list_add(&c->identityfile, sshconf_default_ids[i]);
	if (!sp->set[SSHCONF_K_USERKNOWNHOSTSFILE]) {
		sshconf_list_add(&c->userknownhostsfile, "~/.ssh/known_hosts");
		sshconf_list_add(&c->userknownhostsfile, "~/.ssh/known_hosts2");
	}
	if (!sp->set[SSHCONF_K_GLOBALKNOWNHOSTSFILE]) {
		sshconf_list_add(&c->globalknownhostsfile,
		    "/etc/ssh/ssh_known_hosts");
		sshconf_list_add(&c->globalknownhostsfile,
		    "/etc/ssh/ssh_known_hosts2");
	}
	sshconf_none_list(&c->userknownhostsfile);
	sshconf_none_list(&c->globalknownhostsfile);
	if (c->proxycommand != NULL && strcmp(c->proxycommand, "none") == 0) {
		free(c->proxycommand);
		c->proxycommand = NULL;
	}
	if (c->proxyjump != NULL && strcasecmp(c->proxyjump, "none") == 0) {
		free(c->proxyjump);
		c->proxyjump = NULL;
	}
	sshconf_agent_default(c);
	c->fallback = 1;
	if (sp->warned) {
		c->warning = xstrdup(sp->warn.text);
		if (warn != NULL)
			*warn = sp->warn;
	} else if (warn != NULL) {
		errmsg_clear(warn);
	}
	*out = *c;
	memset(c, 0, sizeof(*c));
	return 0;
}

void
sshconf_parser_free(struct sshconf_parser *sp)
{
	if (sp == NULL)
		return;
	sshconf_free(&sp->c);
	free(sp->host);
	free(sp);
}

int
sshconf_parse_config(const char *text, size_t len, const char *host,
    const struct sshconf_params *p, struct sshconf *out, struct errmsg *warn,
    struct errmsg *e)
{
	struct sshconf_parser *sp;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((sp = sshconf_parser_new(host, p, e)) == NULL)
		return -1;
	rc = sshconf_parser_feed(sp, "config", text, len, 1, e);
	if (rc == 0)
		rc = sshconf_parser_finish(sp, out, warn, e);
	sshconf_parser_free(sp);
	return rc;
}

void
sshconf_files_free(struct sshconf_file *files, size_t n)
{
	size_t i;

	if (files == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(files[i].name);
		free(files[i].text);
	}
	free(files);
}
