/*
 * proxy_cfg.c: choose the proxy and its credentials; see proxy_cfg.h.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "proxy_cfg.h"

/* Flag a password that the proxy's protocol cannot carry (SOCKS4). */
static void
proxy_cfg_check_pass(struct proxy_cfg *pc)
{
	pc->pass_unused = pc->have_cred && pc->cred.pass[0] != '\0' &&
	    (pc->url.scheme == PROXY_SOCKS4 || pc->url.scheme == PROXY_SOCKS4A);
}

int
proxy_cfg_load(struct proxy_cfg *pc, const char *xarg, const char *host,
    uint16_t port, const char *authfile, proxy_env_getter get, void *arg,
    struct errmsg *e)
{
	const char *url = xarg, *var = NULL;
	int rc;

	memset(pc, 0, sizeof(*pc));
	if (strcmp(xarg, "env") == 0) {
		url = proxy_env_select(host, port, get, arg, &var);
		if (url == NULL) {
			snprintf(pc->why, sizeof(pc->why), "%s",
			    var != NULL ? "no_proxy matches" :
			    "no proxy variable is set");
			return 0;
		}
		snprintf(pc->why, sizeof(pc->why), "from $%s", var);
	} else {
		snprintf(pc->why, sizeof(pc->why), "from -x");
	}
	if (proxy_url_parse(url, &pc->url, e) == -1)
		return -1;
	pc->use_proxy = 1;
	pc->url_has_password = pc->url.has_userinfo && pc->url.pass[0] != '\0' &&
	    var == NULL;

	if (authfile != NULL) {
		if (cred_load_file(authfile, &pc->cred, e) == -1)
			return -1;
		pc->have_cred = 1;
	} else if ((rc = cred_from_env(get, arg, &pc->cred, e)) == -1) {
		return -1;
	} else if (rc == 1) {
		pc->have_cred = 1;
	} else {
		pc->have_cred = cred_from_url(&pc->url, &pc->cred) == 1;
	}
	proxy_cfg_check_pass(pc);
	return 0;
}

void
proxy_cfg_mask_argv(char *arg)
{
	char *start, *at, *colon;

	/* As proxy_url_parse reads it: the userinfo ends at the last '@'. */
	start = strstr(arg, "://");
	start = start != NULL ? start + 3 : arg;
	at = strrchr(start, '@');
	if (at == NULL)
		return;
	colon = memchr(start, ':', (size_t)(at - start));
	if (colon == NULL)
		return;
	for (colon++; colon < at; colon++)
		*colon = '*';
}

void
proxy_cfg_clear(struct proxy_cfg *pc)
{
	proxy_url_clear(&pc->url);
	cred_clear(&pc->cred);
}
