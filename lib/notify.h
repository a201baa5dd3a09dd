/*
 * notify.h: tell systemd how the service is doing, without libsystemd.
 * SPDX-License-Identifier: MIT
 *
 * Under Type=notify, systemd passes $NOTIFY_SOCKET: the path of a datagram
 * socket, or "@name" for one in the abstract namespace.  The service sends
 * it newline-separated assignments ("READY=1", "STATUS=...", "WATCHDOG=1",
 * "STOPPING=1"), one datagram per message.  With WatchdogSec= systemd also
 * passes $WATCHDOG_USEC, and $WATCHDOG_PID for the process it is meant
 * for, and restarts the service when no "WATCHDOG=1" comes in that time.
 *
 * Without $NOTIFY_SOCKET the handle is NULL and every call is a no-op, so a
 * tool makes them unconditionally.  Sending never blocks and is never
 * fatal: the first failure is logged as a warning, later ones at debug
 * level, and the call returns -1 for callers that care.
 */
#ifndef HOPKIT_NOTIFY_H
#define HOPKIT_NOTIFY_H

#include "errmsg.h"

/* systemd reads at most this many bytes of a message (PIPE_BUF). */
#define NOTIFY_MSG_MAX 4096
/* notify_status() cuts its text to this many bytes (at a UTF-8 boundary). */
#define NOTIFY_STATUS_MAX 1024

struct notify;

/*
 * Read $NOTIFY_SOCKET, $WATCHDOG_USEC and $WATCHDOG_PID and open the
 * socket (AF_UNIX, SOCK_DGRAM, close-on-exec, non-blocking).  Returns 0
 * with *np set, or with *np NULL when $NOTIFY_SOCKET is unset or empty.
 * Returns -1 (e set, *np NULL) when it is set but unusable: not an absolute
 * path or "@name", too long, or no socket.  The watchdog applies only when
 * $WATCHDOG_USEC is a whole number above 0 and $WATCHDOG_PID is unset or
 * this process's pid; other values are ignored.  The environment is left
 * as it is.
 */
int notify_open(struct notify **np, struct errmsg *e);

/* Send msg (newline-separated assignments) as one datagram.  Returns 0, or
 * -1 with errno set (EMSGSIZE above NOTIFY_MSG_MAX bytes). */
int notify_send(struct notify *n, const char *msg);

/* "READY=1": start-up is done. */
int notify_ready(struct notify *n);

/* "STATUS=<text>": the one line systemctl status shows.  CR and LF at the
 * end are dropped and others become spaces, so text from a peer cannot add
 * assignments; the text is cut at NOTIFY_STATUS_MAX bytes. */
int notify_status(struct notify *n, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* "WATCHDOG=1": still alive. */
int notify_watchdog(struct notify *n);

/* Seconds between notify_watchdog() calls: half of $WATCHDOG_USEC, as
 * sd_watchdog_enabled(3) advises; 0 when there is no watchdog. */
double notify_watchdog_interval(const struct notify *n);

/* "STOPPING=1": shutting down. */
int notify_stopping(struct notify *n);

/* Close the socket and free.  Safe on NULL. */
void notify_close(struct notify *n);

#endif
