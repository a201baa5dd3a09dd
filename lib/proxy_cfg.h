/*
 * proxy_cfg.h: settle which proxy a hop uses, and with what credentials.
 * SPDX-License-Identifier: MIT
 *
 * From a tool's -x argument (a URL, or "env" for $https_proxy and friends
 * with $no_proxy), an optional credentials file and the environment.
 * Credentials are taken from, in order: the file; JUMPCAT_PROXY_USER and
 * JUMPCAT_PROXY_PASSWORD; the URL's user:password@ (which other users can
 * read in the process list, so the tool warns and masks it).  SOCKS4 has
 * no passwords: with socks4:// and socks4a:// only the user name is sent,
 * as the user id, and a password from any source is flagged so that the
 * tool can warn that it is not used.
 */
#ifndef HOPKIT_PROXY_CFG_H
#define HOPKIT_PROXY_CFG_H

#include <stdint.h>

#include "cred.h"
#include "errmsg.h"
#include "proxy_env.h"
#include "proxy_url.h"

struct proxy_cfg {
	int use_proxy;		/* 0: connect directly */
	struct proxy_url url;
	int url_has_password;	/* -x carried a password */
	int have_cred;
	struct cred cred;
	int pass_unused;	/* SOCKS4: cred has a password, never sent */
	char why[160];		/* for -v: "-x", "from https_proxy", ... */
};

/* Fill pc; -1 with a one-line message for a bad URL or credentials file. */
int proxy_cfg_load(struct proxy_cfg *pc, const char *xarg, const char *host,
    uint16_t port, const char *authfile, proxy_env_getter get, void *arg,
    struct errmsg *e);

/* Overwrite the password of "scheme://user:password@host" in place. */
void proxy_cfg_mask_argv(char *arg);

/* Wipe the credentials. */
void proxy_cfg_clear(struct proxy_cfg *pc);

#endif
