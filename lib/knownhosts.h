/*
 * knownhosts.h: check an SSH server's host key against known_hosts files.
 * SPDX-License-Identifier: MIT
 *
 * OpenSSH's semantics, not libssh2's (libssh2_knownhost is not used): the
 * name looked up is "host" on port 22 and "[host]:port" otherwise, or the
 * HostKeyAlias as it is, always lowercased; host fields are comma-separated
 * patterns with '*', '?' and '!' negation, or "|1|salt|hash" with hash =
 * HMAC-SHA1(salt, name); markers are @revoked and @cert-authority.  A line
 * that cannot be parsed is reported and skipped, and the rest of the file
 * is still read.  Keys are compared as SSH wire-format blobs (what
 * libssh2_session_hostkey() returns); the key type inside the blob is the
 * one that counts, and a line's key type must agree with it.
 *
 * Parsing, matching and scanning are pure functions over bytes, for the
 * unit tests and the fuzzer; knownhosts_check(), knownhosts_types() and
 * knownhosts_append() do the file I/O.
 */
#ifndef HOPKIT_KNOWNHOSTS_H
#define HOPKIT_KNOWNHOSTS_H

#include <stddef.h>
#include <stdint.h>

#include "errmsg.h"

#define KNOWNHOSTS_BLOB_MAX 8192	/* largest key blob read from a line */
#define KNOWNHOSTS_NAME_MAX 1025	/* longest lookup name, with the NUL */
#define KNOWNHOSTS_FP_MAX 64		/* "SHA256:" + 43 + NUL fits */
#define KNOWNHOSTS_SALT_LEN 20		/* HMAC-SHA1 salt and hash size */
#define KNOWNHOSTS_NTYPES 6		/* key types known here (see below) */
#define KNOWNHOSTS_WARN_MAX 32		/* warnings kept per check */
/* Big enough for any line knownhosts_format_line() writes. */
#define KNOWNHOSTS_LINE_MAX (KNOWNHOSTS_NAME_MAX + 64 + \
	4 * (KNOWNHOSTS_BLOB_MAX / 3 + 1))

enum knownhosts_marker {
	KNOWNHOSTS_MARKER_NONE = 0,
	KNOWNHOSTS_MARKER_REVOKED,	/* "@revoked" */
	KNOWNHOSTS_MARKER_CA,		/* "@cert-authority" */
};

/*
 * One parsed known_hosts line (about 8 KiB, for the blob).  The pointers
 * point into the parsed buffer.
 */
struct knownhosts_entry {
	enum knownhosts_marker marker;
	const char *hosts;		/* the host field (patterns or hash) */
	size_t hosts_len;
	int hashed;			/* hosts is "|1|salt|hash" */
	uint8_t salt[KNOWNHOSTS_SALT_LEN];	/* when hashed */
	uint8_t hash[KNOWNHOSTS_SALT_LEN];	/* when hashed */
	const char *type;		/* the key type as written */
	size_t type_len;
	const char *keytype;		/* blob type ("ssh-rsa"), static */
	uint8_t blob[KNOWNHOSTS_BLOB_MAX + 2];	/* + base64 padding room */
	size_t blob_len;		/* at most KNOWNHOSTS_BLOB_MAX */
	const char *comment;		/* rest of the line, trimmed of blanks
					 * and CRs; may be "" */
	size_t comment_len;
};

enum knownhosts_status {
	KNOWNHOSTS_NOTFOUND = 0,	/* no line for the name with this type */
	KNOWNHOSTS_MATCH,		/* a line for the name has this key */
	KNOWNHOSTS_MISMATCH,		/* same type for the name, other key */
	KNOWNHOSTS_REVOKED,		/* the key is on an @revoked line */
};

/* A line in a known_hosts file and the key on it. */
struct knownhosts_where {
	char *file;			/* NULL when there is no such line */
	unsigned long line;		/* 1-based */
	const char *keytype;		/* the key's type, static */
	char fingerprint[KNOWNHOSTS_FP_MAX];	/* of the key on that line */
};

/*
 * What a check found.  Start from all zeroes (knownhosts_check() does
 * that); free with knownhosts_result_clear().  knownhosts_verdict() says
 * which line the status stands on.
 */
struct knownhosts_result {
	enum knownhosts_status status;	/* set by knownhosts_finish() */
	struct knownhosts_where match;	/* first line for the name with the key */
	struct knownhosts_where mismatch; /* first same-type line, other key */
	struct knownhosts_where revoked; /* first @revoked line with the key */
	struct knownhosts_where portless; /* first plain "host" line with the
					   * key, looked at for port != 22 */
	int via_portless;		/* MATCH stands on portless (see check) */
	int cert_authority;		/* an @cert-authority line names the host */
	int any_for_name;		/* some plain line names the host */
	size_t nother;			/* key types other than the server's */
	struct knownhosts_where other[KNOWNHOSTS_NTYPES]; /* first line of each */
	char **warnings;		/* "file:line: why" and unreadable files */
	size_t nwarnings;
	size_t warnings_dropped;	/* beyond KNOWNHOSTS_WARN_MAX */
};

/* What to look for: built by knownhosts_query_init(). */
struct knownhosts_query {
	char name[KNOWNHOSTS_NAME_MAX];	/* lowercased lookup name */
	char plain[KNOWNHOSTS_NAME_MAX]; /* lowercased host for the port-less
					  * retry; "" when none applies */
	const char *keytype;		/* the server key's type; NULL: no key */
	const uint8_t *blob;		/* the caller's; must outlive the query */
	size_t blob_len;
};

/*
 * The name known_hosts lists for a server, into buf (size len): alias when
 * it is not NULL, else host for port 0 or 22, else "[host]:port"; always
 * lowercased, as ssh does.  Refuses names empty, longer than
 * KNOWNHOSTS_NAME_MAX - 1 or with bytes that cannot be written to a line
 * as one literal pattern (space, control bytes, ',', '*', '?', a leading
 * '!', '|', '@' or '#').  Returns 0 or -1 with e set.
 */
int knownhosts_name(const char *host, uint16_t port, const char *alias,
    char *buf, size_t len, struct errmsg *e);

/*
 * The key type a key type name stands for, as the blob spells it
 * ("rsa-sha2-512" and "ssh-rsa" are both "ssh-rsa"), or NULL for a name not
 * handled here.  The types are, in OpenSSH's order of preference:
 * ssh-ed25519, ecdsa-sha2-nistp256, -nistp384, -nistp521, ssh-rsa, ssh-dss.
 */
const char *knownhosts_type_family(const char *name, size_t len);

/* The type of a well-formed key blob of a handled type, or NULL. */
const char *knownhosts_blob_type(const uint8_t *blob, size_t len);

/*
 * Write "SHA256:" and the unpadded base64 of SHA-256(blob) to buf (size
 * bytes; 51 will do), as ssh-keygen -l shows it.  Returns 0, or -1 (buf
 * set to "") when it does not fit.
 */
int knownhosts_fingerprint(const uint8_t *blob, size_t len, char *buf,
    size_t size);

/*
 * Parse the known_hosts line in buf (len bytes; a final "\n" or "\r\n" is
 * allowed) into ent.  Returns 1 for an entry, 0 for a blank or comment
 * line, -1 with e set (one line, no file name) for a line that cannot be
 * used; ent is meaningful only after 1.  Never reads past len.  Stricter
 * than ssh in two ways that only turn lines into warnings: a host field
 * without any non-empty pattern is refused, and so are key types this
 * module does not handle (certificates, sk-*).
 */
int knownhosts_parse_line(const char *buf, size_t len,
    struct knownhosts_entry *ent, struct errmsg *e);

/*
 * Does name (nlen bytes) match the pattern pat (plen bytes), where '*'
 * matches any run of bytes and '?' any one byte?  ASCII letters compare
 * case-insensitively.  Returns 1 or 0.
 */
int knownhosts_match_pattern(const char *pat, size_t plen, const char *name,
    size_t nlen);

/*
 * Match name against a comma-separated pattern list (len bytes), as
 * OpenSSH's match_pattern_list: 1 if a pattern matches, -1 if a negated
 * pattern ("!pat") matches (whatever else does), 0 otherwise.  As in
 * OpenSSH, a pattern of 1023 bytes or more makes the whole list not match,
 * and the empty pattern after a final comma is not tried.
 */
int knownhosts_match_list(const char *list, size_t len, const char *name,
    size_t nlen);

/* Does ent's host field (patterns or hash) name the lowercased name? */
int knownhosts_entry_matches(const struct knownhosts_entry *ent,
    const char *name);

/*
 * Write the hashed host field "|1|base64(salt)|base64(HMAC-SHA1(salt,
 * name))" for name with the given salt to buf (size len).  Returns 0, or -1
 * when it does not fit or the HMAC fails.
 */
int knownhosts_hash_name(const char *name,
    const uint8_t salt[KNOWNHOSTS_SALT_LEN], char *buf, size_t len);

/*
 * Prepare a lookup of the server key blob (len bytes, kept by reference)
 * under knownhosts_name(host, port, alias).  keytype, the algorithm the
 * server announced, may be NULL; otherwise it must be of the blob's type
 * ("rsa-sha2-256" for an ssh-rsa blob is fine).  A NULL blob looks up no
 * key: only the types known for the name are collected.  Returns 0 or -1.
 */
int knownhosts_query_init(struct knownhosts_query *q, const char *host,
    uint16_t port, const char *alias, const char *keytype,
    const uint8_t *blob, size_t len, struct errmsg *e);

/*
 * Take one line (line number lineno of file) into r: see knownhosts_check
 * for what is recorded.  A line that cannot be parsed adds a warning.
 */
void knownhosts_scan_line(const struct knownhosts_query *q, const char *file,
    unsigned long lineno, const char *buf, size_t len,
    struct knownhosts_result *r);

/* knownhosts_scan_line() for each line of buf (len bytes), from line 1. */
void knownhosts_scan_buf(const struct knownhosts_query *q, const char *file,
    const char *buf, size_t len, struct knownhosts_result *r);

/* Set r->status from what the scans recorded; see knownhosts_check. */
void knownhosts_finish(struct knownhosts_result *r);

/*
 * The line r->status stands on: r->match (r->portless when via_portless),
 * r->mismatch or r->revoked; NULL for NOTFOUND.
 */
const struct knownhosts_where *knownhosts_verdict(
    const struct knownhosts_result *r);

/*
 * Check the server key blob (len bytes, of type keytype or NULL) for host,
 * port and alias against files (nfiles paths: the user's files first, then
 * the global ones, as ssh -G lists them; NULL, "" and "none" are no file).
 * A missing file is skipped, and so is a character device (/dev/null); one
 * that cannot be read, or is a directory, FIFO or socket, adds a warning.
 * r is overwritten (clear it first if it was used), then gets the verdict:
 *  - REVOKED when the key is on an @revoked line, whatever its hosts
 *    (stricter than ssh, which heeds only @revoked lines naming the host);
 *  - else MATCH when a plain line for the name holds the key;
 *  - else MISMATCH when a plain line for the name holds another key of the
 *    same type (r->mismatch has the stored key's fingerprint);
 *  - else MATCH with via_portless when no plain line names "[host]:port"
 *    at all, port is not 22, there is no alias, and a plain line for
 *    "host" holds the key (ssh retries without the port this way);
 *  - else NOTFOUND.
 * In every case r->other lists the first line of each other key type known
 * for the name: do not accept a new key type for a known host (ssh calls
 * that case CHANGED and refuses it; here it is NOTFOUND with r->other), and
 * r->cert_authority says an @cert-authority line (not supported, skipped)
 * names the host.  Returns 0, or -1 with e set for a bad argument.
 */
int knownhosts_check(const char *const *files, size_t nfiles,
    const char *host, uint16_t port, const char *alias, const char *keytype,
    const uint8_t *blob, size_t len, struct knownhosts_result *r,
    struct errmsg *e);

/*
 * Fill types (room for KNOWNHOSTS_NTYPES) with the key types that plain
 * lines of files hold for host, port and alias, in OpenSSH's order of
 * preference, and *ntypes with their count (0 when none).  For the
 * LIBSSH2_METHOD_HOSTKEY preference; the caller maps names to methods.
 * Returns 0 or -1.
 */
int knownhosts_types(const char *const *files, size_t nfiles,
    const char *host, uint16_t port, const char *alias,
    const char *types[KNOWNHOSTS_NTYPES], size_t *ntypes, struct errmsg *e);

/* Free what r holds and zero it; safe on a zeroed or cleared r. */
void knownhosts_result_clear(struct knownhosts_result *r);

/* "match", "mismatch", "revoked" or "not found". */
const char *knownhosts_status_name(enum knownhosts_status s);

/*
 * Write the known_hosts line for the key blob (len bytes) under
 * knownhosts_name(host, port, alias) to buf (size bytes; KNOWNHOSTS_LINE_MAX
 * always fits), without a newline, with the name lowercased:
 * "name keytype base64", or with hashed set "|1|salt|hash keytype base64"
 * with a random salt (RAND_bytes).  Returns 0 or -1 with e set.
 */
int knownhosts_format_line(char *buf, size_t size, const char *host,
    uint16_t port, const char *alias, const uint8_t *blob, size_t len,
    int hashed, struct errmsg *e);

/*
 * The line to tell a user to add by hand when an unknown key is refused:
 * always the readable (unhashed) form of knownhosts_format_line().
 */
int knownhosts_manual_line(char *buf, size_t size, const char *host,
    uint16_t port, const char *alias, const uint8_t *blob, size_t len,
    struct errmsg *e);

/*
 * Append line (one known_hosts entry, without the newline) to the file
 * path, creating its directory (0700, the last component only) and the
 * file (0600) when missing.  The line must parse as an entry; it is written
 * with one write(2) on an O_APPEND descriptor, after a newline if the file
 * does not end in one, then fsync(2)ed.  A short write is rolled back when
 * nothing else was appended meanwhile, and is an error.  Returns 0 or -1.
 */
int knownhosts_append(const char *path, const char *line, struct errmsg *e);

#endif
