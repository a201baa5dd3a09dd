/*
 * log.h: the toolkit's one log, on stderr and optionally syslog.
 * SPDX-License-Identifier: MIT
 *
 * Messages are one line each, prefixed with the program name, as ssh's are
 * ("jumpcat: connect to db port 5432: Connection refused").  The verbosity
 * is the count of -v flags: 0 shows errors and warnings, 1 adds info, 2 adds
 * debug, 3 adds trace.  Control characters from peers are escaped, so a
 * hostile server cannot write to the terminal through the log.  libevent's
 * own messages are routed here.  These settings are the only globals in lib/.
 */
#ifndef HOPKIT_LOG_H
#define HOPKIT_LOG_H

#include <stdarg.h>
#include <stdio.h>

enum log_level {
	LOG_LEVEL_ERROR = 0,
	LOG_LEVEL_WARN = 0,	/* warnings show at the default verbosity */
	LOG_LEVEL_INFO = 1,
	LOG_LEVEL_DEBUG = 2,
	LOG_LEVEL_TRACE = 3,
};

#define LOG_F_SYSLOG 0x01	/* also send messages to syslog(3) */
#define LOG_F_QUIET 0x02	/* nothing on stderr (syslog still gets them) */

/* Set the program name, verbosity (count of -v) and LOG_F_* flags. */
void log_init(const char *progname, int verbosity, int flags);
void log_set_verbosity(int verbosity);
int log_verbosity(void);

/* Send stderr output to another stream instead (tests). */
void log_set_stream(FILE *stream);

void log_emit(int level, const char *func, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void log_vemit(int level, const char *func, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

#define log_error(...) log_emit(-1, NULL, __VA_ARGS__)
#define log_warn(...) log_emit(-2, NULL, __VA_ARGS__)
/* An event worth a line at the default verbosity, not a problem. */
#define log_notice(...) log_emit(-3, NULL, __VA_ARGS__)
#define log_info(...) log_emit(LOG_LEVEL_INFO, NULL, __VA_ARGS__)
#define log_debug(...) log_emit(LOG_LEVEL_DEBUG, NULL, __VA_ARGS__)
#define log_trace(...) log_emit(LOG_LEVEL_TRACE, NULL, __VA_ARGS__)
/* The _f forms carry the calling function's name, as OpenSSH's debug_f. */
#define log_debug_f(...) log_emit(LOG_LEVEL_DEBUG, __func__, __VA_ARGS__)
#define log_trace_f(...) log_emit(LOG_LEVEL_TRACE, __func__, __VA_ARGS__)

/* Copy src into dst (size dsize), escaping bytes that are not printable. */
void log_sanitize(char *dst, size_t dsize, const char *src);

/* A printable copy of untrusted input for a message, cut at 79 bytes
 * (enough to recognise it); returns buf. */
const char *log_quote(const char *s, char *buf, size_t len);

#endif
