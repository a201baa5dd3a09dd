/*
 * status.h: fwdpipe's status document, one line of JSON.
 * SPDX-License-Identifier: MIT
 *
 * fwdpipe answers on its status socket with this document and tunnelcheck
 * reads it; both go through jansson.  The text is compact JSON on one line,
 * ending in "\n" (control characters in strings are escaped; other text is
 * UTF-8, with invalid bytes written as U+FFFD).  Reading is a pure function
 * over a buffer, strict about what it knows: a required field missing, a
 * wrong type, a number out of range, a duplicate key or an unknown state
 * name is an error naming the field ("forwards[1].state").  Fields it does
 * not know are ignored, so a later version may add some.  Optional fields
 * may be absent or null; the writer always writes them, null (a port 0)
 * when there is none.  JSON integers are signed 64-bit here: counters
 * are written clamped to 2^63-1, and the reader refuses negative ones.
 *
 * Every field (? = optional):
 *   {"version":"0.1.0","pid":4242,"state":"up","host":"bastion",
 *    "uptime":3600,"reconnects":2,"last_error":?"kex: timed out",
 *    "last_error_time":?1700000000,"channels":3,"connections":120,
 *    "bytes_out":1048576,"bytes_in":4096,
 *    "reconnect_times":?[1700000000,1700003600],
 *    "forwards":[{"kind":"remote","spec":"0:localhost:22","state":"up",
 *                 "bound":?"localhost","port":?40022,"error":?"..."}]}
 * "last_error_time" is required when "last_error" is there.
 * "reconnect_times" holds the epoch seconds of the latest reconnects,
 * oldest first: fwdpipe writes the latest STATUS_RECONNECT_TIMES_MAX, and
 * the reader keeps the latest that many of a longer list (an earlier
 * fwdpipe did not write it).
 */
#ifndef HOPKIT_STATUS_H
#define HOPKIT_STATUS_H

#include <stddef.h>
#include <stdint.h>

#include "errmsg.h"

#define STATUS_RECONNECT_TIMES_MAX 256

enum status_state {
	STATUS_CONNECTING,	/* "connecting": an attempt is under way */
	STATUS_UP,		/* "up": the session is up */
	STATUS_BACKOFF,		/* "backoff": waiting to try again */
};

enum status_fwd_kind {
	STATUS_FWD_LOCAL,	/* "local": -L */
	STATUS_FWD_REMOTE,	/* "remote": -R */
	STATUS_FWD_DYNAMIC,	/* "dynamic": -D */
};

enum status_fwd_state {
	STATUS_FWD_UP,		/* "up": listening */
	STATUS_FWD_PENDING,	/* "pending": waiting for the session */
	STATUS_FWD_FAILED,	/* "failed": refused, given up */
	STATUS_FWD_RETRYING,	/* "retrying": refused, will ask again */
};

/* One forward.  Strings are owned by the document; NULL means absent. */
struct status_forward {
	enum status_fwd_kind kind;
	char *spec;		/* canonical text, "127.0.0.1:3306:db:3306" */
	enum status_fwd_state state;
	char *bound;		/* address listened on: an IP address, the
				   name sent to the server for -R, or a Unix
				   socket path; NULL until bound */
	uint16_t port;		/* port listened on (for -R 0, the one the
				   server allocated); 0 for none */
	char *error;		/* the latest error, NULL for none */
};

/* The document.  Strings are owned by it; free it with status_free(). */
struct status_doc {
	char *version;		/* hopkit's version */
	int64_t pid;		/* fwdpipe's pid, 1..2^31-1 */
	enum status_state state;
	char *host;		/* the SSH server, as given */
	uint64_t uptime;	/* seconds the session has been up, 0 if not */
	uint64_t reconnects;	/* sessions set up after the first */
	char *last_error;	/* NULL for none */
	int64_t last_error_time; /* epoch seconds, >= 0, with last_error */
	uint64_t channels;	/* channels open now */
	uint64_t connections;	/* connections forwarded in total */
	uint64_t bytes_out;	/* bytes sent to the server's side */
	uint64_t bytes_in;	/* bytes received from it */
	int64_t *reconnect_times;	/* epoch seconds, oldest first */
	size_t nreconnect_times;
	int has_reconnect_times;	/* the field was there (reading) */
	struct status_forward *forwards;
	size_t nforwards;
};

/* Names of the enum values as in the document ("up", "remote", ...). */
const char *status_state_name(enum status_state s);
const char *status_fwd_kind_name(enum status_fwd_kind k);
const char *status_fwd_state_name(enum status_fwd_state s);

/* Append a zeroed forward to doc and return it.  The pointer (and the
 * others in doc->forwards) stays valid until the next call. */
struct status_forward *status_add_forward(struct status_doc *doc);

/*
 * Write doc as compact JSON on one line ending in "\n".  Returns 0 with
 * *out a NUL-terminated string the caller frees with free(), or -1 (e set)
 * for a document that cannot be written (no host or version, an enum
 * value out of range) or when jansson runs out of memory.
 */
int status_to_json(const struct status_doc *doc, char **out, struct errmsg *e);

/*
 * Parse len bytes of text into doc, which is overwritten (give it a zeroed
 * or freed one).  Whitespace may surround the object; anything else after
 * it is an error.  Returns 0, or -1 with e set and doc left empty; either
 * way status_free(doc) is safe.
 */
int status_from_json(const char *text, size_t len, struct status_doc *doc,
    struct errmsg *e);

/*
 * The one-line human summary fwdpipe logs on SIGUSR1, into buf (len bytes,
 * cut to fit); returns buf.  Control characters in strings become spaces.
 * For example: "bastion: up 1h02m03s; forwards 2/3 up, 1 retrying;
 * channels 3 open, 120 total; 1.0 MiB out, 4.0 KiB in; 2 reconnects;
 * last error: kex: timed out".
 */
char *status_summary(const struct status_doc *doc, char *buf, size_t len);

/* Free the strings and forwards and zero doc.  Safe on NULL. */
void status_free(struct status_doc *doc);

/* Are two documents the same, field by field (NULL strings equal only
 * NULL)?  For round-trip checks. */
int status_equal(const struct status_doc *a, const struct status_doc *b);

#endif
