/*
 * sshopts.c: ssh_config to SSH session options; see sshopts.h.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sshopts.h"
#include "xmalloc.h"

void
sshopts_from_config(struct sshopts *so, const struct sshconf *c,
    const char *label)
{
	struct ssh_opts *o = &so->o;
	size_t nk = 0;

	memset(so, 0, sizeof(*so));
	o->label = label;
	o->host = c->hostname;
	o->port = (uint16_t)c->port;
	o->hostkey_alias = c->hostkeyalias;
	o->user = c->user;
	so->ids = xcalloc(c->identityfile.count + 1, sizeof(*so->ids));
	for (size_t i = 0; i < c->identityfile.count; i++)
		so->ids[i] = c->identityfile.item[i];
	o->identity_files = so->ids;
	o->n_identity_files = c->identityfile.count;
	o->identities_only = c->identitiesonly;
	if (c->agent == SSHCONF_AGENT_PATH)
		o->agent_sock = c->identityagent;
	else if (c->agent == SSHCONF_AGENT_ENV && c->identityagent != NULL)
		o->agent_sock = getenv(c->identityagent);
	if (o->agent_sock != NULL && *o->agent_sock == '\0')
		o->agent_sock = NULL;
	so->khs = xcalloc(c->userknownhostsfile.count +
	    c->globalknownhostsfile.count + 1, sizeof(*so->khs));
	for (size_t i = 0; i < c->userknownhostsfile.count; i++)
		so->khs[nk++] = c->userknownhostsfile.item[i];
	o->n_user_known_hosts = nk;
	for (size_t i = 0; i < c->globalknownhostsfile.count; i++)
		so->khs[nk++] = c->globalknownhostsfile.item[i];
	o->known_hosts = so->khs;
	o->n_known_hosts = nk;
	switch (c->stricthostkeychecking) {
	case SSHCONF_STRICT_ACCEPT_NEW:
		o->strict = SSH_STRICT_ACCEPT_NEW;
		break;
	case SSHCONF_STRICT_NO:
		o->strict = SSH_STRICT_NO;
		break;
	default:
		o->strict = SSH_STRICT_YES;	/* nobody can answer "ask" */
	}
	o->hash_known_hosts = c->hashknownhosts;
	o->alive_interval = c->serveraliveinterval;
	o->alive_count = c->serveralivecountmax;
}

void
sshopts_free(struct sshopts *so)
{
	free(so->ids);
	free(so->khs);
	so->ids = so->khs = NULL;
}
