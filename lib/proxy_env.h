/*
 * proxy_env.h: pick the proxy for a connection from the environment.
 * SPDX-License-Identifier: MIT
 *
 * jumpcat -x env follows the conventions curl and most tools share:
 * https_proxy (jumpcat tunnels arbitrary TCP, as curl does for https://
 * URLs), then all_proxy, each in lower then upper case, with no_proxy
 * listing the hosts to reach directly.  The environment is read through a
 * getter, so the selection is a pure function that tests can drive with a
 * table instead of setenv().
 */
#ifndef HOPKIT_PROXY_ENV_H
#define HOPKIT_PROXY_ENV_H

#include <stdint.h>

/* Return the value of variable name, or NULL if unset (getenv-like). */
typedef const char *(*proxy_env_getter)(const char *name, void *arg);

/* A proxy_env_getter over the real environment (arg unused). */
const char *proxy_env_getenv(const char *name, void *arg);

/*
 * The proxy URL (not yet parsed: see proxy_url_parse) for a connection to
 * host (a name or address literal; brackets are tolerated) and port: the
 * first non-empty of https_proxy, HTTPS_PROXY, all_proxy, ALL_PROXY.
 * Returns NULL (go direct) when none is set, or when no_proxy -- or
 * NO_PROXY if no_proxy is unset; a set but empty no_proxy wins and
 * excludes nothing -- matches host and port.  If var is not NULL, *var is
 * set to the name of the variable that decided: the proxy variable when a
 * URL is returned, the no_proxy variable when it excluded the host, NULL
 * when no proxy variable is set.  The result points into the environment.
 */
const char *proxy_env_select(const char *host, uint16_t port,
    proxy_env_getter get, void *arg, const char **var);

/*
 * Does the no_proxy list match host and port?  Returns 1 or 0.  curl's
 * rules: entries are separated by commas and/or whitespace; "*" matches
 * everything; a name entry matches a host equal to it or ending in "." and
 * the entry, case-insensitively, ignoring a leading "." (or "*.") in the
 * entry and a trailing "." on either side; an IPv4 or IPv6 entry
 * (brackets allowed) matches that address literal only, and "addr/len"
 * matches the addresses in that CIDR block.  Names never match addresses:
 * nothing is resolved.  Beyond curl, as Go and Python do: an entry
 * "host:port" or "[v6]:port" matches only that port.  Entries that cannot
 * match (a bad port or prefix length, over-long) are ignored.
 */
int proxy_env_no_proxy_match(const char *no_proxy, const char *host,
    uint16_t port);

#endif
