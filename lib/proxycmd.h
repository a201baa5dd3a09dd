/*
 * proxycmd.h: run an ssh_config ProxyCommand as a child on a socketpair.
 * SPDX-License-Identifier: MIT
 *
 * This is what ssh does with ProxyCommand: expand the command's %-tokens,
 * run it as "$SHELL -c 'exec CMD'" (/bin/sh when SHELL is unset or empty)
 * with its stdin and stdout on one end of a socketpair and its stderr
 * inherited, talk SSH over the other end, and send it SIGHUP at the end.
 * Unlike ssh, proxycmd_stop() does not leave the child behind: after a
 * bounded wait it escalates to SIGKILL and always reaps it.
 *
 * The child is reaped with waitpid() on its pid, so the caller must not
 * set SIGCHLD to SIG_IGN or reap with waitpid(-1, ...) elsewhere.
 */
#ifndef HOPKIT_PROXYCMD_H
#define HOPKIT_PROXYCMD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "errmsg.h"

/* Seconds proxycmd_stop() waits after SIGHUP before it sends SIGKILL. */
#define PROXYCMD_STOP_WAIT 2.0

/*
 * Expand a ProxyCommand template into *out (malloc'd), with OpenSSH 9.2's
 * tokens: %h host (after HostName), %p port, %r remote user, %n the host
 * as given (orighost), %k the host key alias, %%.  This form has no alias,
 * so %k is orighost, as in ssh without HostKeyAlias; use
 * proxycmd_expand_alias() when there is one.  Nothing else is expanded (no
 * ~, no ${VAR}), and "exec " is not prepended (proxycmd_spawn() does
 * that).  An unknown token or a lone trailing '%' is an error naming it.
 * The values go into a shell command unquoted, so, as OpenSSH 9.6 does for
 * names from the command line, a host (%h %n %k) holding shell
 * metacharacters, whitespace or control bytes or starting with '-', and a
 * user (%r) holding quotes or shell metacharacters, are refused when the
 * template uses them.  Returns 0, or -1 with e set.
 */
int proxycmd_expand(const char *tmpl, const char *host, uint16_t port,
    const char *user, const char *orighost, char **out, struct errmsg *e);

/* The same with %k from alias (ssh_config HostKeyAlias; NULL: orighost). */
int proxycmd_expand_alias(const char *tmpl, const char *host, uint16_t port,
    const char *user, const char *orighost, const char *alias, char **out,
    struct errmsg *e);

/*
 * Start cmd (already expanded) as the proxy command.  *fd gets our end of
 * the socketpair (AF_UNIX stream, non-blocking, close-on-exec) and *pid
 * the child.  In the child, stdin and stdout are the other end, stderr is
 * ours, every other fd is closed, all signals have their default action
 * and none is blocked.  Returns 0, or -1 with e set.
 */
int proxycmd_spawn(const char *cmd, int *fd, pid_t *pid, struct errmsg *e);

/* The same with the child's stderr on errfd instead (-1: ours), for a tool
 * that must keep its own stderr quiet (tunnelcheck). */
int proxycmd_spawn_err(const char *cmd, int errfd, int *fd, pid_t *pid,
    struct errmsg *e);

/*
 * Wait up to timeout seconds (0: just look) for the child to end.  Returns
 * 1 with *status set once it has ended (it is then reaped: do not stop or
 * wait for it again), 0 if it is still running, -1 with e set on error.
 */
int proxycmd_wait(pid_t pid, double timeout, int *status, struct errmsg *e);

/*
 * End the child as ssh does, with SIGHUP, then wait up to
 * PROXYCMD_STOP_WAIT seconds; if it is still there, SIGKILL it.  Always
 * reaps it.  Writes how it ended into buf (size len; NULL is fine), as
 * proxycmd_status_text() does, or why it could not be reaped (a pid
 * already reaped: ECHILD).  Close the fd first, so that a well-behaved
 * command sees EOF.
 */
void proxycmd_stop(pid_t pid, char *buf, size_t len);

/* How a child ended, for messages: "exited with status 3", "killed by
 * signal 9 (Killed)".  Writes into buf (size len) and returns it. */
const char *proxycmd_status_text(int status, char *buf, size_t len);

#endif
