/*
 * log.c: one-line messages on stderr and syslog; see log.h.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"

static const char *log_progname = "hopkit";
static int log_level_max;
static int log_flags;
static FILE *log_stream;

/* Route libevent's messages into ours: its warnings are ours at debug
 * level, since the library reports what matters through return codes; its
 * errors, which come just before it gives up, always show. */
static void
log_event_cb(int severity, const char *msg)
{
	int level = severity >= EVENT_LOG_ERR ? -1 :
	    severity >= EVENT_LOG_WARN ? LOG_LEVEL_DEBUG : LOG_LEVEL_TRACE;

	log_emit(level, "libevent", "%s", msg);
}

/*
 * libevent cannot go on and is about to exit(3) on its own, without a word
 * (seen with no fds left for its signal socketpair).  Say why in one line
 * and leave with status 1.  This is the one exit in lib/, and it is
 * libevent's, not ours.
 */
static void
log_event_fatal_cb(int err)
{
	(void)err;
	log_error("libevent failed (see the line above); giving up");
	_exit(1);
}

void
log_init(const char *progname, int verbosity, int flags)
{
	const char *slash;

	if (progname != NULL) {
		slash = strrchr(progname, '/');
		log_progname = slash != NULL ? slash + 1 : progname;
	}
	log_level_max = verbosity;
	log_flags = flags;
	if (flags & LOG_F_SYSLOG)
		openlog(log_progname, LOG_PID, LOG_DAEMON);
	event_set_log_callback(log_event_cb);
	event_set_fatal_callback(log_event_fatal_cb);
}

void
log_set_verbosity(int verbosity)
{
	log_level_max = verbosity;
}

int
log_verbosity(void)
{
	return log_level_max;
}

void
log_set_stream(FILE *stream)
{
	log_stream = stream;
}

void
log_sanitize(char *dst, size_t dsize, const char *src)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	unsigned char c;

	if (dsize == 0)
		return;
	for (; (c = (unsigned char)*src) != '\0'; src++) {
		/* Printable ASCII only: bytes >= 0x80 may be C1 controls
		 * (0x9b is CSI on some terminals). */
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			if (o + 1 >= dsize)
				break;
			dst[o++] = (char)c;
		} else {
			if (o + 4 >= dsize)
				break;
			dst[o++] = '\\';
			if (c == '\\') {
				dst[o++] = '\\';
			} else {
				dst[o++] = 'x';
				dst[o++] = hex[c >> 4];
				dst[o++] = hex[c & 0xf];
			}
		}
	}
	dst[o] = '\0';
}

const char *
log_quote(const char *s, char *buf, size_t len)
{
	char tmp[80];
	size_t n = strlen(s);

	if (n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	log_sanitize(buf, len, tmp);
	return buf;
}

/*
 * Write a line to fd 2 whole.  stderr may share its open file with a
 * stdout the relay made non-blocking (2>&1), so EAGAIN waits for room, for
 * a second at most, instead of losing the line.
 */
static void
log_write_stderr(const char *line)
{
	size_t len = strlen(line), off = 0;
	struct pollfd pfd = { .fd = STDERR_FILENO, .events = POLLOUT };
	ssize_t n;

	while (off < len) {
		n = write(STDERR_FILENO, line + off, len - off);
		if (n > 0) {
			off += (size_t)n;
		} else if (n == -1 && errno == EINTR) {
			continue;
		} else if (n == -1 && errno == EAGAIN) {
			if (poll(&pfd, 1, 1000) <= 0)
				return;
		} else {
			return;
		}
	}
}

/*
 * Format one message.  level -1 is an error, -2 a warning; both always show.
 * Other levels show when the verbosity reaches them.
 */
void
log_vemit(int level, const char *func, const char *fmt, va_list ap)
{
	char raw[1024], clean[2048], line[2200];
	const char *tag = "";
	int prio = LOG_INFO;
	int oerrno = errno;

	if (level >= 0 && level > log_level_max)
		return;
	switch (level) {
	case -1:
		prio = LOG_ERR;
		break;
	case -2:
		prio = LOG_WARNING;
		tag = "warning: ";
		break;
	case -3:
		prio = LOG_NOTICE;
		break;
	case LOG_LEVEL_INFO:
		prio = LOG_INFO;
		break;
	case LOG_LEVEL_DEBUG:
		prio = LOG_DEBUG;
		tag = "debug: ";
		break;
	default:
		prio = LOG_DEBUG;
		tag = "trace: ";
		break;
	}
	vsnprintf(raw, sizeof(raw), fmt, ap);
	log_sanitize(clean, sizeof(clean), raw);
	if (!(log_flags & LOG_F_QUIET)) {
		if (func != NULL)
			snprintf(line, sizeof(line), "%s: %s%s: %s\n", log_progname,
			    tag, func, clean);
		else
			snprintf(line, sizeof(line), "%s: %s%s\n", log_progname,
			    tag, clean);
		if (log_stream != NULL) {
			fputs(line, log_stream);
			fflush(log_stream);
		} else {
			log_write_stderr(line);
		}
	}
	if (log_flags & LOG_F_SYSLOG)
		syslog(prio, "%s%s%s%s", tag, func ? func : "", func ? ": " : "", clean);
	errno = oerrno;
}

void
log_emit(int level, const char *func, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(level, func, fmt, ap);
	va_end(ap);
}
