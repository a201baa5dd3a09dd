/*
 * notify.c: the systemd notify protocol over a datagram socket; see notify.h.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"
#include "xmalloc.h"

struct notify {
	int fd;
	struct sockaddr_un addr;	/* where messages go */
	socklen_t addrlen;
	char name[sizeof(((struct sockaddr_un *)NULL)->sun_path) + 1];
					/* $NOTIFY_SOCKET, for messages */
	double watchdog;		/* seconds between pings, 0 for none */
	int warned;			/* a failure has been logged */
};

/* Parse a whole decimal number with no sign, space or junk; 0 or -1. */
static int
notify_parse_u64(const char *s, uint64_t *v)
{
	uint64_t n = 0;

	if (s == NULL || *s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (n > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -1;
		n = n * 10 + (uint64_t)(*s - '0');
	}
	*v = n;
	return 0;
}

/* The watchdog interval from the environment, as sd_watchdog_enabled(3)
 * reads it: 0 unless $WATCHDOG_USEC is in 1..UINT64_MAX-1 (UINT64_MAX is
 * systemd's "infinity") and $WATCHDOG_PID is unset or our pid. */
static double
notify_watchdog_env(void)
{
	const char *pid = getenv("WATCHDOG_PID");
	uint64_t usec, p;

	if (notify_parse_u64(getenv("WATCHDOG_USEC"), &usec) == -1 ||
	    usec == 0 || usec == UINT64_MAX)
		return 0;
	if (pid != NULL && (notify_parse_u64(pid, &p) == -1 ||
	    p != (uint64_t)getpid()))
		return 0;
	return (double)usec / 2e6;
}

/* Fill n->addr from $NOTIFY_SOCKET's value s (non-empty); 0 or -1. */
static int
notify_address(struct notify *n, const char *s, struct errmsg *e)
{
	char show[160];
	size_t len = strlen(s);

	n->addr.sun_family = AF_UNIX;
	if (s[0] == '@') {
		/* Abstract: a NUL, then the name; the length says where it
		 * ends. */
		if (len < 2)
			return errmsg_set(e, EINVAL,
			    "NOTIFY_SOCKET \"@\": empty abstract socket name");
		if (len > sizeof(n->addr.sun_path))
			return errmsg_set(e, ENAMETOOLONG,
			    "NOTIFY_SOCKET \"%s\": name too long",
			    log_quote(s, show, sizeof(show)));
		n->addr.sun_path[0] = '\0';
		memcpy(n->addr.sun_path + 1, s + 1, len - 1);
		n->addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
		    len);
	} else if (s[0] == '/') {
		if (len >= sizeof(n->addr.sun_path))
			return errmsg_set(e, ENAMETOOLONG,
			    "NOTIFY_SOCKET \"%s\": path too long",
			    log_quote(s, show, sizeof(show)));
		memcpy(n->addr.sun_path, s, len + 1);
		n->addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
		    len + 1);
	} else {
		return errmsg_set(e, EAFNOSUPPORT,
		    "NOTIFY_SOCKET \"%s\": not an absolute path or @name",
		    log_quote(s, show, sizeof(show)));
	}
	memcpy(n->name, s, len + 1);
	return 0;
}

int
notify_open(struct notify **np, struct errmsg *e)
{
	const char *s = getenv("NOTIFY_SOCKET");
	struct notify *n;

	*np = NULL;
	errmsg_clear(e);
	if (s == NULL || *s == '\0')
		return 0;
	n = xcalloc(1, sizeof(*n));
	n->fd = -1;
	if (notify_address(n, s, e) == -1) {
		free(n);
		return -1;
	}
	n->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (n->fd == -1) {
		errmsg_sys(e, errno, "NOTIFY_SOCKET: socket");
		free(n);
		return -1;
	}
	n->watchdog = notify_watchdog_env();
	log_debug_f("sending to %s%s", n->name,
	    n->watchdog > 0 ? ", with a watchdog" : "");
	*np = n;
	return 0;
}

/* Log a failed send: a warning the first time, debug after that. */
static void
notify_failed(struct notify *n, int err)
{
	if (!n->warned)
		log_warn("systemd notify to %s: %s (further failures are "
		    "logged at debug level)", n->name, strerror(err));
	else
		log_debug_f("to %s: %s", n->name, strerror(err));
	n->warned = 1;
	errno = err;
}

int
notify_send(struct notify *n, const char *msg)
{
	size_t len;
	ssize_t r;

	if (n == NULL)
		return 0;
	len = strlen(msg);
	if (len > NOTIFY_MSG_MAX) {
		notify_failed(n, EMSGSIZE);
		return -1;
	}
	do {
		r = sendto(n->fd, msg, len, MSG_NOSIGNAL | MSG_DONTWAIT,
		    (const struct sockaddr *)&n->addr, n->addrlen);
	} while (r == -1 && errno == EINTR);
	if (r == -1) {
		notify_failed(n, errno);
		return -1;
	}
	return 0;
}

int
notify_ready(struct notify *n)
{
	return notify_send(n, "READY=1");
}

/* Make s one line in place: drop trailing CR/LF, others become spaces. */
static void
notify_one_line(char *s)
{
	size_t len = strlen(s);

	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r'))
		s[--len] = '\0';
	for (; *s != '\0'; s++)
		if (*s == '\n' || *s == '\r')
			*s = ' ';
}

int
notify_status(struct notify *n, const char *fmt, ...)
{
	char msg[sizeof("STATUS=") + NOTIFY_STATUS_MAX + 1];
	char *text = msg + sizeof("STATUS=") - 1;
	size_t cut;
	va_list ap;
	int len;

	if (n == NULL)
		return 0;
	memcpy(msg, "STATUS=", sizeof("STATUS=") - 1);
	va_start(ap, fmt);
	/* Room for one byte past the limit, to see what a cut splits. */
	len = vsnprintf(text, NOTIFY_STATUS_MAX + 2, fmt, ap);
	va_end(ap);
	if (len < 0)
		text[0] = '\0';
	if (len > NOTIFY_STATUS_MAX) {
		/* Do not leave half a UTF-8 sequence at the end: if the
		 * first byte cut is a continuation byte, back up to the lead
		 * byte of its sequence and cut there. */
		cut = NOTIFY_STATUS_MAX;
		while (cut > 0 && ((unsigned char)text[cut] & 0xc0) == 0x80)
			cut--;
		text[cut] = '\0';
	}
	notify_one_line(text);
	return notify_send(n, msg);
}

int
notify_watchdog(struct notify *n)
{
	return notify_send(n, "WATCHDOG=1");
}

double
notify_watchdog_interval(const struct notify *n)
{
	return n == NULL ? 0 : n->watchdog;
}

int
notify_stopping(struct notify *n)
{
	return notify_send(n, "STOPPING=1");
}

void
notify_close(struct notify *n)
{
	if (n == NULL)
		return;
	if (n->fd != -1)
		close(n->fd);
	free(n);
}
