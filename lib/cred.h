/*
 * cred.h: proxy credentials from a file, the environment or a proxy URL.
 * SPDX-License-Identifier: MIT
 *
 * A credential is a user name and a password for the proxy, and where they
 * came from (for -v messages, which must never show the password).  The
 * tool decides the precedence between the sources; this module only loads
 * them.  Nothing here puts a password, or any byte of a credentials file,
 * into a message.  Wipe a struct cred with cred_clear() when done.
 */
#ifndef HOPKIT_CRED_H
#define HOPKIT_CRED_H

#include "errmsg.h"
#include "proxy_env.h"		/* proxy_env_getter */

#define CRED_USER_MAX 256
#define CRED_PASS_MAX 256

/* The environment variables cred_from_env() reads. */
#define CRED_ENV_USER "JUMPCAT_PROXY_USER"
#define CRED_ENV_PASS "JUMPCAT_PROXY_PASSWORD"

struct proxy_url;

struct cred {
	char user[CRED_USER_MAX];	/* never empty once loaded */
	char pass[CRED_PASS_MAX];	/* may be empty */
	/*
	 * "file FILE", "environment" or "URL"; NULL when nothing is loaded.
	 * May point into source_buf, so a copied struct cred must have its
	 * source re-pointed (or be loaded in place).
	 */
	const char *source;
	char source_buf[300];
};

/*
 * Load "user:password" from the one line of the file at path (a trailing
 * LF, CR LF or CR is stripped; the password may contain ':'; the user name
 * may not be empty).  The file must be a regular file owned by the
 * effective user (or root), neither readable nor writable by group or
 * others -- the check is done with fstat(2) on the opened descriptor, so
 * it cannot race.  Symbolic links are followed (no O_NOFOLLOW): the checks
 * apply to the file actually read, and a link into a dotfiles directory is
 * common; a link planted by someone else leads to a file they own, which
 * the owner check refuses.  Returns 0, or -1 with e set and c wiped.
 */
int cred_load_file(const char *path, struct cred *c, struct errmsg *e);

/*
 * Take the credential from JUMPCAT_PROXY_USER and JUMPCAT_PROXY_PASSWORD,
 * read through get.  Returns 1 if both are set (the password may be empty,
 * the user name not), 0 if neither is (c wiped), -1 with e set if only one
 * is, or a value is empty, too long or holds CR or LF.
 */
int cred_from_env(proxy_env_getter get, void *arg, struct cred *c,
    struct errmsg *e);

/*
 * Take the credential from a parsed proxy URL's user information.  Returns
 * 1 if the URL had one, 0 if not (c wiped).
 */
int cred_from_url(const struct proxy_url *u, struct cred *c);

/* Wipe the user name and password (explicit_bzero); NULL is fine. */
void cred_clear(struct cred *c);

#endif
