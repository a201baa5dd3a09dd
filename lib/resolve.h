/*
 * resolve.h: name resolution off the event loop.
 * SPDX-License-Identifier: MIT
 *
 * getaddrinfo(3) runs on a short-lived thread so the loop never blocks and
 * names resolve exactly as ssh resolves them (nsswitch, /etc/hosts, DNS).
 * Address literals are converted at once, without a thread.  The result
 * arrives on the loop through an eventfd.
 */
#ifndef HOPKIT_RESOLVE_H
#define HOPKIT_RESOLVE_H

#include <stdint.h>
#include <netdb.h>

struct event_base;
struct resolve;

/*
 * Called once on the loop.  On success ai is the list (the callee owns it
 * and frees it with freeaddrinfo) and gai_err is 0; on failure ai is NULL
 * and gai_err is a getaddrinfo error (sys_errno is set for EAI_SYSTEM).
 */
typedef void (*resolve_cb)(struct addrinfo *ai, int gai_err, int sys_errno,
    void *arg);

/* Start resolving host for a TCP connect to port; family is AF_UNSPEC,
 * AF_INET or AF_INET6.  Returns NULL (errno set) if it cannot start. */
struct resolve *resolve_start(struct event_base *base, const char *host,
    uint16_t port, int family, resolve_cb cb, void *arg);

/* Stop waiting: cb will not be called.  Safe on NULL; not after cb ran. */
void resolve_cancel(struct resolve *r);

#endif
