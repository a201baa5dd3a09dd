/*
 * sshopts.h: an SSH session's options (lib/ssh) from one host's ssh_config
 * (lib/sshconf): user, identities, agent, known_hosts files and policy,
 * keepalive.
 * SPDX-License-Identifier: MIT
 */
#ifndef HOPKIT_SSHOPTS_H
#define HOPKIT_SSHOPTS_H

#include "ssh.h"
#include "sshconf.h"

/* The options and the arrays they point into. */
struct sshopts {
	struct ssh_opts o;
	const char **ids, **khs;
};

/*
 * Fill so from c (which must outlive so: its strings are pointed to, not
 * copied).  label names the host in messages; the server is c's HostName
 * and Port.  StrictHostKeyChecking "ask" is "yes": nobody can answer.
 */
void sshopts_from_config(struct sshopts *so, const struct sshconf *c,
    const char *label);

/* Free the arrays; safe on a zeroed struct. */
void sshopts_free(struct sshopts *so);

#endif
