/*
 * sshconf.h: resolve a host's SSH settings the way ssh(1) does.
 * SPDX-License-Identifier: MIT
 *
 * The answer comes from ssh itself: sshconf_resolve() runs "ssh -G" and
 * parses what it prints.  Where ssh is not installed it falls back to a
 * small ssh_config reader (Host, Match, Include, first value wins, ssh's
 * defaults) that knows the keys listed in struct sshconf and ignores the
 * others.  Both parsers are pure functions over a byte buffer; the reading
 * of files and the running of ssh live in sshconf_resolve.c.
 *
 * The module is three files: sshconf.c (the result, the "ssh -G" parser and
 * the %-token expansion), sshconf_parse.c (the ssh_config grammar) and
 * sshconf_resolve.c (running ssh, reading files).  All share this header.
 */
#ifndef HOPKIT_SSHCONF_H
#define HOPKIT_SSHCONF_H

#include <stddef.h>

#include "errmsg.h"

#define SSHCONF_NAME_MAX 256		/* local user and host names */
#define SSHCONF_PATH_MAX 4096		/* the home directory */
#define SSHCONF_TIMEOUT 10.0		/* default bound on "ssh -G", seconds */
#define SSHCONF_OUTPUT_MAX (1024 * 1024)	/* most "ssh -G" output read */
#define SSHCONF_INCLUDE_DEPTH 16	/* nested Include files, as ssh */

/* StrictHostKeyChecking.  "ssh -G" prints true, false, ask, accept-new. */
enum sshconf_strict {
	SSHCONF_STRICT_ASK = 0,		/* ssh's default */
	SSHCONF_STRICT_YES,		/* yes, true */
	SSHCONF_STRICT_NO,		/* no, false, off */
	SSHCONF_STRICT_ACCEPT_NEW,	/* accept-new */
};

/* Where the agent socket comes from (IdentityAgent). */
enum sshconf_agent {
	SSHCONF_AGENT_ENV = 0,	/* the environment variable named by
				 * identityagent: SSH_AUTH_SOCK by default,
				 * or NAME for "IdentityAgent $NAME" */
	SSHCONF_AGENT_NONE,	/* "none": no agent */
	SSHCONF_AGENT_PATH,	/* identityagent is the socket's path */
};

/* A list of strings, in the order ssh would use them. */
struct sshconf_list {
	char **item;
	size_t count;
};

/*
 * A host's resolved settings.  Strings are malloc'd and owned by the
 * struct; release them with sshconf_free().  After sshconf_resolve() the
 * paths are expanded (~, ${VAR} and %-tokens, as ssh expands them); after
 * the pure parsers they are as the text held them (see each parser).
 */
struct sshconf {
	char *host;			/* the host as given (%n) */
	char *hostname;			/* where to connect: HostName with %h
					 * expanded, lowercased unless an
					 * address literal (%h) */
	char *user;			/* remote user (%r) */
	int port;			/* 1-65535 (%p) */
	struct sshconf_list identityfile;	/* "none" entries dropped */
	struct sshconf_list userknownhostsfile;	/* empty for "none" */
	struct sshconf_list globalknownhostsfile;	/* empty for "none" */
	enum sshconf_strict stricthostkeychecking;
	char *hostkeyalias;		/* NULL when unset (%k is then %n) */
	int hashknownhosts;		/* 0 or 1 */
	int identitiesonly;
	enum sshconf_agent agent;
	char *identityagent;		/* variable name (SSHCONF_AGENT_ENV),
					 * path (SSHCONF_AGENT_PATH), or NULL
					 * (SSHCONF_AGENT_NONE) */
	int serveraliveinterval;	/* seconds; 0: off */
	int serveralivecountmax;
	int connecttimeout;		/* seconds; -1 for "none" (ssh also
					 * takes 0 as no timeout) */
	char *proxycommand;		/* NULL for none; the %-tokens are NOT
					 * expanded (see proxycmd_expand());
					 * "-" means ssh's stdio mode */
	char *proxyjump;		/* NULL for none; as "ssh -G" prints it */
	int proxyusefdpass;
	int batchmode;
	int exitonforwardfailure;	/* 0 or 1 */
	int gatewayports;		/* 0 or 1: the client's -g */
	int addressfamily;		/* AF_UNSPEC, AF_INET or AF_INET6 */
	int fallback;			/* 1: from the fallback parser, not ssh */
	char *warning;			/* first warning of the fallback parser
					 * (a skipped Match block), or NULL */
};

/*
 * The local side, for %u %d %i %l %L, ~, ${VAR}, "Match localuser" and the
 * default User.  sshconf_local_init() fills it for the calling process;
 * tests fill it by hand.
 */
struct sshconf_local {
	char user[SSHCONF_NAME_MAX];		/* %u */
	char home[SSHCONF_PATH_MAX];		/* ~ and %d */
	char hostname[SSHCONF_NAME_MAX];	/* %l; %L is its first label */
	unsigned long uid;			/* %i */
	/* Environment lookups for ${NAME}; NULL: every variable is unset. */
	const char *(*getenv)(const char *name, void *arg);
	void *getenv_arg;
};

/* What sshconf_resolve() asks about: the pieces of an ssh command line. */
struct sshconf_query {
	const char *destination;	/* "[user@]host", as given to ssh */
	int port;			/* -p; 0 when not given */
	const char *user;		/* -l; NULL when not given */
	const char *config;		/* -F; NULL: ~/.ssh/config, then
					 * /etc/ssh/ssh_config; "none": none */
	const char *const *options;	/* -o "Key=Value" strings */
	size_t noptions;
	double timeout;			/* bound on "ssh -G" in seconds;
					 * 0: SSHCONF_TIMEOUT */
};

/* One file named by an Include, as an include callback hands it back. */
struct sshconf_file {
	char *name;		/* for messages */
	char *text;		/* malloc'd; need not end in NUL */
	size_t len;
};

/*
 * Read the files an Include line names.  pattern is the glob pattern ssh
 * would use (relative paths already anchored at "~/.ssh/" or "/etc/ssh/").
 * Set *files to a malloc'd array of *nfiles files in glob order (both
 * freed by the parser with sshconf_files_free); a pattern that matches
 * nothing gives none.  Return 0, or -1 with e set.
 */
typedef int (*sshconf_include_fn)(const char *pattern,
    struct sshconf_file **files, size_t *nfiles, void *arg, struct errmsg *e);

/* What the ssh_config parser needs besides the text and the host. */
struct sshconf_params {
	const struct sshconf_local *local;	/* required */
	const char *user;		/* -l, else the destination's user@;
					 * NULL when neither */
	int port;			/* -p; 0 when not given */
	const char *const *options;	/* -o "Key=Value", applied first */
	size_t noptions;
	sshconf_include_fn include;	/* NULL: an Include is an error */
	void *include_arg;
};

/* The incremental ssh_config parser (one ssh invocation's worth). */
struct sshconf_parser;

/* Which paths sshconf_expand_paths() expands. */
#define SSHCONF_EXPAND_IDENTITY 0x01	/* identityfile */
#define SSHCONF_EXPAND_KNOWNHOSTS 0x02	/* userknownhostsfile */
#define SSHCONF_EXPAND_AGENT 0x04	/* identityagent, when a path */
#define SSHCONF_EXPAND_ALL 0x07

/* Release what c holds and wipe it (the struct itself is the caller's);
 * NULL and an already freed struct are fine. */
void sshconf_free(struct sshconf *c);

/* Empty c and set ssh's defaults for the keys that have one.  Allocates
 * nothing, so c may then be overwritten by a parser without a leak. */
void sshconf_init(struct sshconf *c);

/* Append a copy of s to l; sshconf_list_free() empties it. */
void sshconf_list_add(struct sshconf_list *l, const char *s);
void sshconf_list_free(struct sshconf_list *l);

/* A yes/true (1) or no/false (0) value, any case; -1 if neither. */
int sshconf_parse_flag(const char *s);

/* A StrictHostKeyChecking value (yes/true, no/false/off, ask,
 * accept-new; any case); 0, or -1 if it is none of these. */
int sshconf_parse_strict(const char *s, enum sshconf_strict *out);

/* The name ssh uses for a StrictHostKeyChecking value ("accept-new"). */
const char *sshconf_strict_name(enum sshconf_strict s);

/* If no IdentityAgent was set, make it SSH_AUTH_SOCK (the parsers do this
 * when they finish). */
void sshconf_agent_default(struct sshconf *c);

/* An AddressFamily value (any, inet, inet6): AF_*, or -1. */
int sshconf_parse_family(const char *s);

/* An ssh time value ("90", "1m30s", "2h"): seconds, or -1 if bad. */
int sshconf_parse_time(const char *s);

/* Set c's agent from an IdentityAgent value (none, SSH_AUTH_SOCK, $NAME
 * or a path, kept unexpanded). */
void sshconf_set_agent(struct sshconf *c, const char *s);

/*
 * Parse the output of "ssh -G" (len bytes at text, need not end in NUL)
 * into out: one "key value" per line, LF or CR LF, keys matched in any
 * case, unknown keys ignored, identityfile repeated.  The values are kept
 * as printed: ssh 9.2 prints identityfile unexpanded (~ and %-tokens) but
 * userknownhostsfile and identityagent expanded, so the caller follows
 * with sshconf_expand_paths(SSHCONF_EXPAND_IDENTITY).  userknownhostsfile
 * and globalknownhostsfile are split at spaces, as ssh prints them joined
 * by spaces (a path with a space in it cannot be told apart).  A missing
 * proxycommand, proxyjump, hostkeyalias or identityagent line, or the value
 * "none", means unset.  Fails on a NUL byte, a bad value of a known key, or
 * a missing host, hostname, user or port line.  Returns 0, or -1 with e
 * set and out emptied.
 */
int sshconf_parse_g(const char *text, size_t len, struct sshconf *out,
    struct errmsg *e);

/*
 * Expand one path as ssh expands IdentityFile, UserKnownHostsFile and
 * IdentityAgent: a leading "~" or "~/" (l->home) or "~user/", then ${NAME}
 * (through l->getenv) and the tokens %% %C %d %h %i %k %L %l %n %p %r %u,
 * in one pass (values are not expanded again).  The remote values come
 * from c (hostname, host, user, port, hostkeyalias).  An unknown token, a
 * lone trailing '%', an unset variable or an unknown user is an error
 * naming it.  Returns 0 with *out malloc'd, or -1 with e set.
 */
int sshconf_expand(const char *in, const struct sshconf_local *l,
    const struct sshconf *c, char **out, struct errmsg *e);

/* Expand HostName's tokens as ssh does: %h (the host as given) and %%;
 * no tilde, no ${NAME}.  Returns 0 with *out malloc'd, or -1 with e set. */
int sshconf_expand_hostname(const char *tmpl, const char *host, char **out,
    struct errmsg *e);

/*
 * Expand the paths selected by what (SSHCONF_EXPAND_*) in place, and drop
 * "none" entries from identityfile (ssh skips them).  Returns 0, or -1
 * with e set (c is then partly expanded; free it).
 */
int sshconf_expand_paths(struct sshconf *c, const struct sshconf_local *l,
    unsigned what, struct errmsg *e);

/*
 * Parse one ssh_config text for host, as ssh reads its -F file: p's -o
 * options first, then the text (a user configuration: a relative Include
 * is under ~/.ssh), then ssh's defaults.  Keys are case-insensitive,
 * "Key Value" and "Key=Value" both work, values may be quoted, "#" starts
 * a comment, and for each key the first value obtained wins (identityfile
 * accumulates).  Host takes several patterns (* ? and !negation); Match
 * takes all, host, originalhost, user and localuser (with !negation and
 * comma lists); a Match with exec, canonical, final, localnetwork or tagged
 * is skipped, and where its other criteria matched, *warn (if not NULL)
 * and out->warning get a message saying so.  Paths are
 * left unexpanded (follow with sshconf_expand_paths(SSHCONF_EXPAND_ALL)).
 * Returns 0, or -1 with e set ("NAME line N: ...").
 */
int sshconf_parse_config(const char *text, size_t len, const char *host,
    const struct sshconf_params *p, struct sshconf *out, struct errmsg *warn,
    struct errmsg *e);

/*
 * The same in steps, for several files: start for host (applies the -o
 * options, -p and -l of p, which must outlive the parser; NULL with e set
 * if an option is bad), feed each file in ssh's order (user: 1 for the -F
 * file or ~/.ssh/config, 0 for /etc/ssh/ssh_config; name for messages),
 * then finish (defaults, HostName's %h, lowercasing) into out.
 */
struct sshconf_parser *sshconf_parser_new(const char *host,
    const struct sshconf_params *p, struct errmsg *e);
int sshconf_parser_feed(struct sshconf_parser *sp, const char *name,
    const char *text, size_t len, int user, struct errmsg *e);
int sshconf_parser_finish(struct sshconf_parser *sp, struct sshconf *out,
    struct errmsg *warn, struct errmsg *e);
void sshconf_parser_free(struct sshconf_parser *sp);

/* Free n files and the array (from an include callback); NULL is fine. */
void sshconf_files_free(struct sshconf_file *files, size_t n);

/*
 * The include callback that reads real files: expands a leading "~/" with
 * the struct sshconf_local passed as arg, globs, and reads each match
 * (which must be owned by the user or root and not writable by group or
 * others, as ssh demands).  A match that vanished is skipped.
 */
int sshconf_include_files(const char *pattern, struct sshconf_file **files,
    size_t *nfiles, void *arg, struct errmsg *e);

/* Fill l for this process: user and home from the password database
 * (HOME only when there is no entry: ssh ignores HOME), gethostname(),
 * getuid(), getenv(). */
int sshconf_local_init(struct sshconf_local *l, struct errmsg *e);

/*
 * Resolve q's host as ssh would.  Runs "$HOPKIT_SSH -G" (default "ssh",
 * found in PATH) without a shell: argv is -G, then -F, each -o, -p, -l,
 * "--" and the destination; stdin is /dev/null, stdout is read (at most
 * SSHCONF_OUTPUT_MAX bytes), stderr is kept for the error message.  The
 * child is killed and reaped after q->timeout.  If the program does not
 * exist (ENOENT), the fallback parser reads the same files ssh would
 * (out->fallback is then 1).  If ssh fails, the error is its first line of
 * stderr, skipping the "Pseudo-terminal will not be allocated" note ssh
 * 9.2 prints even for -G; if it succeeds, that line (if any) becomes
 * out->warning.  A destination starting with '-' is refused.  On success
 * every path in out is expanded.  ssh is reaped by its pid: SIGCHLD must
 * not be SIG_IGN.  Returns 0, or -1 with e set.
 */
int sshconf_resolve(const struct sshconf_query *q, struct sshconf *out,
    struct errmsg *e);

#endif
