/*
 * ssh_hostkey.c: accept or refuse the server's host key, as ssh does
 * with StrictHostKeyChecking.
 * SPDX-License-Identifier: MIT
 *
 * A known key passes.  A changed key is always refused, with both
 * fingerprints.  An unknown key is refused (yes, the default: nobody can
 * answer a prompt in a ProxyCommand) with its fingerprint and the exact
 * line to add, or recorded (accept-new, and no with a warning).  A key of
 * a new type for a host known with other types is not auto-accepted.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "knownhosts.h"
#include "log.h"
#include "ssh_int.h"
#include "xmalloc.h"

/* The known_hosts files that are not "none". */
static size_t
ssh_hostkey_files(const struct ssh_opts *o, const char **files, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < o->n_known_hosts && n < max; i++)
		if (o->known_hosts[i] != NULL &&
		    strcmp(o->known_hosts[i], "none") != 0)
			files[n++] = o->known_hosts[i];
	return n;
}

/* The host key algorithms to offer: the types known_hosts holds for the
 * host first (so the key we can check is the one we get), then the rest. */
char *
ssh_hostkey_prefs(const struct ssh_opts *o)
{
	static const char rest[] = "ssh-ed25519,ecdsa-sha2-nistp256,"
	    "ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,rsa-sha2-512,"
	    "rsa-sha2-256";
	const char *files[16], *types[KNOWNHOSTS_NTYPES];
	size_t nfiles = ssh_hostkey_files(o, files, 16), ntypes = 0, len;
	struct errmsg e;
	char *out;

	if (knownhosts_types(files, nfiles, o->host, o->port,
	    o->hostkey_alias, types, &ntypes, &e) == -1 || ntypes == 0)
		return NULL;
	len = sizeof(rest) + 1;
	for (size_t i = 0; i < ntypes; i++)
		len += strlen(types[i]) + 40;
	out = xcalloc(1, len);
	for (size_t i = 0; i < ntypes; i++) {
		if (strcmp(types[i], "ssh-rsa") == 0)
			strcat(out, "rsa-sha2-512,rsa-sha2-256,ssh-rsa,");
		else {
			strcat(out, types[i]);
			strcat(out, ",");
		}
	}
	strcat(out, rest);
	return out;
}

/* "file:line" for messages. */
static const char *
ssh_hostkey_where(const struct knownhosts_where *w, char *buf, size_t len)
{
	snprintf(buf, len, "%s:%lu", w->file != NULL ? w->file : "?", w->line);
	return buf;
}

/* The name users know the host by in known_hosts ("[h]:p" or "h"). */
static const char *
ssh_hostkey_name(const struct ssh_opts *o, char *buf, size_t len)
{
	struct errmsg e;

	if (knownhosts_name(o->host, o->port, o->hostkey_alias, buf, len,
	    &e) == -1)
		snprintf(buf, len, "%s", o->host);
	return buf;
}

/* Record a new key in the user's first known_hosts file. */
static int
ssh_hostkey_record(struct ssh_session *s, const uint8_t *blob, size_t len,
    const char *type, const char *fp, struct errmsg *e)
{
	const struct ssh_opts *o = &s->opts;
	char line[KNOWNHOSTS_LINE_MAX], name[KNOWNHOSTS_NAME_MAX];
	const char *file = o->n_user_known_hosts > 0 && o->known_hosts[0] ?
	    o->known_hosts[0] : NULL;

	if (file == NULL || strcmp(file, "none") == 0)
		return errmsg_set(e, 0, "%s: host key for %s is not known (%s "
		    "%s) and there is no user known_hosts file to record it in",
		    o->label, ssh_hostkey_name(o, name, sizeof(name)), type, fp);
	if (knownhosts_format_line(line, sizeof(line), o->host, o->port,
	    o->hostkey_alias, blob, len, o->hash_known_hosts, e) == -1 ||
	    knownhosts_append(file, line, e) == -1)
		return errmsg_set(e, e->code, "%s: cannot record the host key "
		    "of %s: %s", o->label, ssh_hostkey_name(o, name,
		    sizeof(name)), e->text);
	if (o->strict == SSH_STRICT_NO)
		log_warn("%s: StrictHostKeyChecking=no: accepting the "
		    "unverified host key %s %s", o->label, type, fp);
	log_warn("Permanently added '%s' (%s) to the list of known hosts "
	    "(%s).", ssh_hostkey_name(o, name, sizeof(name)), type, file);
	return 0;
}

/* No line for this host holds a key of this type. */
static int
ssh_hostkey_unknown(struct ssh_session *s, const struct knownhosts_result *r,
    const uint8_t *blob, size_t len, const char *type, const char *fp,
    struct errmsg *e)
{
	const struct ssh_opts *o = &s->opts;
	char name[KNOWNHOSTS_NAME_MAX], line[KNOWNHOSTS_LINE_MAX], at[600];
	const char *file;

	ssh_hostkey_name(o, name, sizeof(name));
	if (r->nother > 0 && o->strict != SSH_STRICT_NO) {
		/* libssh2 before 1.11 knows no rsa-sha2 host keys, and
		 * OpenSSH 8.8 and later offer no ssh-rsa ones. */
		int rsa_only = r->nother == 1 && r->other[0].keytype != NULL &&
		    strcmp(r->other[0].keytype, "ssh-rsa") == 0 &&
		    libssh2_version(0x010b00) == NULL;

		return errmsg_set(e, 0, "%s: the server offered a %s host key "
		    "(%s), but known_hosts holds only other types for %s (%s "
		    "at %s); refusing to connect%s%s%s", o->label, type, fp,
		    name, r->other[0].keytype, ssh_hostkey_where(&r->other[0],
		    at, sizeof(at)), rsa_only ? " (libssh2 " : "",
		    rsa_only ? libssh2_version(0) : "", rsa_only ? " cannot "
		    "check RSA host keys with rsa-sha2: add the server's "
		    "ed25519 or ecdsa key)" : "");
	}
	if (o->strict == SSH_STRICT_ACCEPT_NEW || o->strict == SSH_STRICT_NO) {
		/* The policy accepts the key; not being able to record it
		 * is worth a warning, not a refusal (as in ssh). */
		if (ssh_hostkey_record(s, blob, len, type, fp, e) == -1)
			log_warn("%s; connecting anyway (StrictHostKeyChecking "
			    "%s)", e->text, o->strict == SSH_STRICT_NO ? "no" :
			    "accept-new");
		return 0;
	}
	file = o->n_user_known_hosts > 0 ? o->known_hosts[0] :
	    "~/.ssh/known_hosts";
	if (knownhosts_manual_line(line, sizeof(line), o->host, o->port,
	    o->hostkey_alias, blob, len, e) == -1)
		snprintf(line, sizeof(line), "%s %s ...", name, type);
	return errmsg_set(e, 0, "%s: host key for %s is not known (%s %s)%s; "
	    "refusing to connect (StrictHostKeyChecking yes). If that is the "
	    "right key, add this line to %s: %s", o->label, name, type, fp,
	    r->cert_authority ? " and @cert-authority lines are not supported"
	    : "", file, line);
}

/* Is "SHA256:x" the same fingerprint as pin, which may carry base64's
 * "=" padding (ssh-keygen leaves it off)? */
static int
ssh_hostkey_fp_equal(const char *fp, const char *pin)
{
	size_t n = strlen(pin);

	while (n > 0 && pin[n - 1] == '=')
		n--;
	return strlen(fp) == n && strncmp(fp, pin, n) == 0;
}

/* The key must be one of the pinned fingerprints; known_hosts is not
 * read.  A mismatch names both: what the server has and what was asked. */
static int
ssh_hostkey_pinned(struct ssh_session *s, const char *type, const char *fp,
    struct errmsg *e)
{
	const struct ssh_opts *o = &s->opts;
	char want[ERRMSG_MAX / 2];
	size_t off = 0;

	for (size_t i = 0; i < o->n_hostkey_pins; i++)
		if (ssh_hostkey_fp_equal(fp, o->hostkey_pins[i])) {
			log_debug("%s: host key %s %s is pinned", o->label, type,
			    fp);
			return 0;
		}
	want[0] = '\0';
	for (size_t i = 0; i < o->n_hostkey_pins && off < sizeof(want); i++)
		off += (size_t)snprintf(want + off, sizeof(want) - off, "%s%s",
		    i > 0 ? " or " : "", o->hostkey_pins[i]);
	return errmsg_set(e, 0, "%s: host key %s %s does not match the "
	    "pinned %s", o->label, type, fp, want);
}

int
ssh_hostkey_verify(struct ssh_session *s, struct errmsg *e)
{
	const struct ssh_opts *o = &s->opts;
	const char *files[16], *type;
	char fp[KNOWNHOSTS_FP_MAX], name[KNOWNHOSTS_NAME_MAX], at[600];
	struct knownhosts_result r;
	size_t len = 0, nfiles = ssh_hostkey_files(o, files, 16);
	int ktype, rc = -1;
	const uint8_t *blob = (const uint8_t *)libssh2_session_hostkey(s->ls,
	    &len, &ktype);

	if (blob == NULL || len == 0)
		return errmsg_set(e, 0, "%s: the server sent no host key",
		    o->label);
	type = knownhosts_blob_type(blob, len);
	if (type == NULL)
		type = "unknown-type";
	if (knownhosts_fingerprint(blob, len, fp, sizeof(fp)) == -1)
		snprintf(fp, sizeof(fp), "(no fingerprint)");
	snprintf(s->hostkey, sizeof(s->hostkey), "%s %s", type, fp);
	if (o->n_hostkey_pins > 0)
		return ssh_hostkey_pinned(s, type, fp, e);
	memset(&r, 0, sizeof(r));
	if (knownhosts_check(files, nfiles, o->host, o->port, o->hostkey_alias,
	    NULL, blob, len, &r, e) == -1) {
		errmsg_set(e, e->code, "%s: checking the host key: %s",
		    o->label, e->text);
		goto out;
	}
	for (size_t i = 0; i < r.nwarnings; i++)
		log_warn("known_hosts: %s", r.warnings[i]);
	ssh_hostkey_name(o, name, sizeof(name));
	switch (r.status) {
	case KNOWNHOSTS_MATCH:
		log_debug("%s: host key %s %s found at %s", o->label, type, fp,
		    ssh_hostkey_where(knownhosts_verdict(&r), at, sizeof(at)));
		rc = 0;
		break;
	case KNOWNHOSTS_REVOKED:
		errmsg_set(e, 0, "%s: the host key of %s (%s %s) is REVOKED "
		    "(%s); refusing to connect", o->label, name, type, fp,
		    ssh_hostkey_where(&r.revoked, at, sizeof(at)));
		break;
	case KNOWNHOSTS_MISMATCH:
		errmsg_set(e, 0, "%s: REMOTE HOST IDENTIFICATION HAS CHANGED: "
		    "the %s host key of %s is now %s, but %s holds %s; someone "
		    "could be eavesdropping, or the key was replaced. Refusing "
		    "to connect (if the change is expected: ssh-keygen -R '%s')",
		    o->label, type, name, fp, ssh_hostkey_where(&r.mismatch,
		    at, sizeof(at)), r.mismatch.fingerprint, name);
		break;
	case KNOWNHOSTS_NOTFOUND:
		rc = ssh_hostkey_unknown(s, &r, blob, len, type, fp, e);
		break;
	}
out:
	knownhosts_result_clear(&r);
	return rc;
}
