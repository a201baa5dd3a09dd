/*
 * ssh_auth.c: public key authentication, the agent first and then each
 * identity file, as ssh does it; one line saying what was tried when
 * nothing worked.
 * SPDX-License-Identifier: MIT
 *
 * Private keys are read into memory by us (so they can be wiped after
 * use) and given to libssh2_userauth_publickey_frommemory.  As in ssh, a
 * key file of the user's that group or others may access is ignored,
 * with ssh's warning, and the next key is tried.  An encrypted
 * key's passphrase comes from $SSH_ASKPASS.  libssh2 1.10 signs RSA keys
 * only with ssh-rsa (SHA-1), which OpenSSH 8.8 and later refuse by
 * default; when an RSA key is refused the message says so.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "askpass.h"
#include "log.h"
#include "ssh_int.h"
#include "sshkey.h"
#include "xmalloc.h"

#define SSH_AUTH_KEYFILE_MAX (64 * 1024)

enum ssh_auth_state {
	SSH_AUTH_LIST = 0,
	SSH_AUTH_AGENT,
	SSH_AUTH_FILES,
	SSH_AUTH_DONE,
};

struct ssh_auth {
	enum ssh_auth_state state;
	char *methods;
	LIBSSH2_AGENT *agent;
	struct libssh2_agent_publickey *ident;	/* current agent key */
	int ident_busy;			/* its userauth is in progress */
	unsigned agent_tried;
	int agent_note;			/* agent problem already noted */
	size_t file;			/* current identity file */
	char *priv, *pub;		/* its contents, while in use */
	size_t priv_len, pub_len;
	char pass[256];
	struct sshkey_info ki;
	int rsa_refused;
	char tried[400];		/* "agent: 2 keys, ~/.ssh/id_ed25519" */
};

/* Append a part to the "tried" list. */
static void
ssh_auth_tried(struct ssh_auth *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
ssh_auth_tried(struct ssh_auth *a, const char *fmt, ...)
{
	size_t used = strlen(a->tried);
	va_list ap;

	if (used > 0 && used + 2 < sizeof(a->tried)) {
		strcat(a->tried, ", ");
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(a->tried + used, sizeof(a->tried) - used, fmt, ap);
	va_end(ap);
}

/* A path with $HOME shown as ~, as users write it. */
static const char *
ssh_auth_short(const char *path, char *buf, size_t len)
{
	const char *home = getenv("HOME");
	size_t n = home != NULL ? strlen(home) : 0;

	if (n > 1 && strncmp(path, home, n) == 0 && path[n] == '/') {
		snprintf(buf, len, "~%s", path + n);
		return buf;
	}
	return path;
}

/*
 * ssh's rule for a private key file (sshkey_perm_ok): one the user owns
 * must give group and others no access at all.  If it does, say so as ssh
 * does, at any verbosity, and return 0: the key is to be ignored.
 */
static int
ssh_auth_perm_ok(const char *path, const struct stat *st)
{
	if (st->st_uid != getuid() || (st->st_mode & 077) == 0)
		return 1;
	log_error("@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@");
	log_error("@         WARNING: UNPROTECTED PRIVATE KEY FILE!          @");
	log_error("@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@");
	log_error("Permissions 0%3.3o for '%s' are too open.",
	    (unsigned)(st->st_mode & 0777), path);
	log_error("It is required that your private key files are NOT "
	    "accessible by others.");
	log_error("This private key will be ignored.");
	return 0;
}

/*
 * Read a whole small file into a new buffer; -1 with errno.  With
 * keyfile set, a private key file, ssh's permission rule is checked
 * before a byte is read: -2 if the key is to be ignored (*mode gets its
 * permission bits).
 */
static int
ssh_auth_slurp(const char *path, char **out, size_t *len, int keyfile,
    unsigned *mode)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	char *buf;
	size_t got = 0;

	if (fd == -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > SSH_AUTH_KEYFILE_MAX) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	if (keyfile && !ssh_auth_perm_ok(path, &st)) {
		close(fd);
		*mode = (unsigned)(st.st_mode & 0777);
		return -2;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	*out = buf;
	*len = got;
	return 0;
}

/* Forget the current key file's contents, wiping the secrets. */
static void
ssh_auth_drop_key(struct ssh_auth *a)
{
	if (a->priv != NULL)
		freezero(a->priv, a->priv_len);
	free(a->pub);
	a->priv = a->pub = NULL;
	a->priv_len = a->pub_len = 0;
	explicit_bzero(a->pass, sizeof(a->pass));
}

void
ssh_auth_free(struct ssh_auth *a)
{
	if (a == NULL)
		return;
	ssh_auth_drop_key(a);
	if (a->agent != NULL) {
		libssh2_agent_disconnect(a->agent);
		libssh2_agent_free(a->agent);
	}
	free(a->methods);
	free(a);
}

/* Does the .pub text ("type base64 comment") hold this key blob? */
static int
ssh_auth_pub_is(const char *pub, const unsigned char *blob, size_t len)
{
	const char *b64 = strchr(pub, ' ');
	unsigned char enc[8192];
	int n;

	if (b64 == NULL || len * 4 / 3 + 4 >= sizeof(enc))
		return 0;
	b64++;
	n = EVP_EncodeBlock(enc, blob, (int)len);
	return n > 0 && strncmp(b64, (char *)enc, (size_t)n) == 0 &&
	    (b64[n] == ' ' || b64[n] == '\n' || b64[n] == '\r' ||
	    b64[n] == '\0');
}

/* Does the user's .pub for some identity file hold this agent key?
 * (IdentitiesOnly: only those agent keys are offered.) */
static int
ssh_auth_agent_key_named(struct ssh_session *s,
    const struct libssh2_agent_publickey *id)
{
	for (size_t i = 0; i < s->opts.n_identity_files; i++) {
		char path[PATH_MAX], *pub;
		size_t len;
		int match;

		snprintf(path, sizeof(path), "%s.pub", s->opts.identity_files[i]);
		if (ssh_auth_slurp(path, &pub, &len, 0, NULL) == -1)
			continue;
		match = ssh_auth_pub_is(pub, id->blob, id->blob_len);
		free(pub);
		if (match)
			return 1;
	}
	return 0;
}

/* Was the key of this .pub text already offered from the agent?  (Each
 * offer counts against the server's MaxAuthTries.) */
static int
ssh_auth_offered_by_agent(struct ssh_auth *a, const char *pub)
{
	struct libssh2_agent_publickey *id = NULL;

	if (a->agent == NULL || pub == NULL || a->agent_tried == 0)
		return 0;
	while (libssh2_agent_get_identity(a->agent, &id, id) == 0)
		if (ssh_auth_pub_is(pub, id->blob, id->blob_len))
			return 1;
	return 0;
}

/* The type name inside an SSH public key blob ("ssh-ed25519"). */
static void
ssh_auth_blob_type(const unsigned char *b, size_t len, char *type,
    size_t size)
{
	uint32_t n;

	type[0] = '\0';
	if (len < 4)
		return;
	n = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
	if (n > len - 4 || n >= size)
		return;
	memcpy(type, b + 4, n);
	type[n] = '\0';
}

/* Try the agent's keys in turn.  1 done, 0 wait, -1 none worked. */
static int
ssh_auth_agent(struct ssh_session *s, struct ssh_auth *a)
{
	const char *user = s->opts.user;
	int rc;

	if (a->agent == NULL) {
		a->agent = libssh2_agent_init(s->ls);
		if (a->agent == NULL)
			return -1;
		libssh2_agent_set_identity_path(a->agent, s->opts.agent_sock);
		if (libssh2_agent_connect(a->agent) != 0) {
			log_debug("%s: cannot reach the agent at %s",
			    s->opts.label, s->opts.agent_sock);
			ssh_auth_tried(a, "agent: not reachable");
			return -1;
		}
		if (libssh2_agent_list_identities(a->agent) != 0) {
			ssh_auth_tried(a, "agent: cannot list keys");
			return -1;
		}
	}
	for (;;) {
		char type[64];

		if (!a->ident_busy) {
			rc = libssh2_agent_get_identity(a->agent, &a->ident,
			    a->ident);
			if (rc != 0) {
				ssh_auth_tried(a, "agent: %u key%s",
				    a->agent_tried, a->agent_tried == 1 ? "" :
				    "s");
				return -1;
			}
			if (s->opts.identities_only &&
			    !ssh_auth_agent_key_named(s, a->ident))
				continue;
			a->ident_busy = 1;
			a->agent_tried++;
			log_debug("%s: offering agent key %s", s->opts.label,
			    a->ident->comment != NULL ? a->ident->comment : "");
		}
		rc = libssh2_agent_userauth(a->agent, user, a->ident);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return 0;
		a->ident_busy = 0;
		if (rc == 0)
			return 1;
		if (s->peer_eof || s->io_error)
			return -1;
		ssh_auth_blob_type(a->ident->blob, a->ident->blob_len, type,
		    sizeof(type));
		if (sshkey_is_rsa(type))
			a->rsa_refused = 1;
	}
}

/* Load identity file a->file: its key, .pub and passphrase.  0 ready,
 * -1 skip it (noted in "tried" where the user would want to know). */
static int
ssh_auth_load(struct ssh_session *s, struct ssh_auth *a)
{
	const char *path = s->opts.identity_files[a->file];
	char pubpath[PATH_MAX], shortp[PATH_MAX], prompt[PATH_MAX + 64];
	struct errmsg e;
	unsigned mode = 0;
	int rc;

	rc = ssh_auth_slurp(path, &a->priv, &a->priv_len, 1, &mode);
	if (rc == -2) {
		ssh_auth_tried(a, "%s (permissions 0%3.3o are too open: "
		    "ignored)", ssh_auth_short(path, shortp, sizeof(shortp)),
		    mode);
		return -1;
	}
	if (rc == -1) {
		if (errno != ENOENT)
			ssh_auth_tried(a, "%s (unreadable: %s)",
			    ssh_auth_short(path, shortp, sizeof(shortp)),
			    strerror(errno));
		return -1;
	}
	if (sshkey_inspect(a->priv, a->priv_len, &a->ki) == -1) {
		ssh_auth_tried(a, "%s (not a private key)",
		    ssh_auth_short(path, shortp, sizeof(shortp)));
		ssh_auth_drop_key(a);
		return -1;
	}
	snprintf(pubpath, sizeof(pubpath), "%s.pub", path);
	if (ssh_auth_slurp(pubpath, &a->pub, &a->pub_len, 0, NULL) == 0 &&
	    a->ki.type[0] == '\0')
		(void)sshkey_pub_type(a->pub, a->pub_len, a->ki.type,
		    sizeof(a->ki.type));
	if (a->ki.encrypted && s->opts.no_prompt) {
		ssh_auth_tried(a, "%s (encrypted; no passphrase is asked for "
		    "here: use the agent)", ssh_auth_short(path, shortp,
		    sizeof(shortp)));
		ssh_auth_drop_key(a);
		return -1;
	}
	if (a->ki.encrypted) {
		snprintf(prompt, sizeof(prompt), "Enter passphrase for key "
		    "'%s': ", path);
		if (askpass_read(prompt, a->pass, sizeof(a->pass), &e) == -1) {
			ssh_auth_tried(a, "%s (encrypted; %s)",
			    ssh_auth_short(path, shortp, sizeof(shortp)),
			    e.code == ENOENT ? "set SSH_ASKPASS to be asked "
			    "for the passphrase" : e.text);
			ssh_auth_drop_key(a);
			return -1;
		}
	}
	return 0;
}

/* Try the identity files in turn.  1 done, 0 wait, -1 none worked. */
static int
ssh_auth_files(struct ssh_session *s, struct ssh_auth *a)
{
	char shortp[PATH_MAX];

	for (; a->file < s->opts.n_identity_files; a->file++) {
		const char *path = s->opts.identity_files[a->file];
		int rc;

		if (a->priv == NULL) {
			if (ssh_auth_load(s, a) == -1)
				continue;
			if (ssh_auth_offered_by_agent(a, a->pub)) {
				log_debug("%s: %s: already offered by the agent",
				    s->opts.label, path);
				ssh_auth_drop_key(a);
				continue;
			}
			log_debug("%s: offering %s key %s", s->opts.label,
			    a->ki.type[0] ? a->ki.type : "a", path);
		}
		rc = libssh2_userauth_publickey_frommemory(s->ls, s->opts.user,
		    strlen(s->opts.user), a->pub, a->pub_len, a->priv,
		    a->priv_len, a->pass);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return 0;
		ssh_auth_drop_key(a);
		if (rc == 0)
			return 1;
		if (s->peer_eof || s->io_error)
			return -1;
		/* A wrong passphrase shows as a failed signature (PUBLICKEY_
		 * UNVERIFIED, with a .pub) or an unpack error (without). */
		if (rc == LIBSSH2_ERROR_FILE || (a->ki.encrypted &&
		    rc != LIBSSH2_ERROR_AUTHENTICATION_FAILED))
			ssh_auth_tried(a, "%s (%s: %s)",
			    ssh_auth_short(path, shortp, sizeof(shortp)),
			    a->ki.encrypted ? "wrong passphrase or unusable" :
			    "libssh2 cannot use it", ssh_session_lasterr(s));
		else if (rc == LIBSSH2_ERROR_AUTHENTICATION_FAILED)
			/* the same code as PUBLICKEY_UNRECOGNIZED in 1.10 */
			ssh_auth_tried(a, "%s (refused by the server)",
			    ssh_auth_short(path, shortp, sizeof(shortp)));
		else
			ssh_auth_tried(a, "%s", ssh_auth_short(path, shortp,
			    sizeof(shortp)));
		if (sshkey_is_rsa(a->ki.type))
			a->rsa_refused = 1;
	}
	return -1;
}

/* Ask which methods the server allows; 1 ready, 0 wait, -1 failed,
 * 2 the server let us in without any ("none"). */
static int
ssh_auth_list(struct ssh_session *s, struct ssh_auth *a)
{
	char *m = libssh2_userauth_list(s->ls, s->opts.user,
	    (unsigned)strlen(s->opts.user));

	if (m == NULL) {
		if (libssh2_userauth_authenticated(s->ls))
			return 2;
		if (libssh2_session_last_errno(s->ls) == LIBSSH2_ERROR_EAGAIN)
			return 0;
		errmsg_set(&s->err, 0, "%s: cannot start authentication: %s",
		    s->opts.label, ssh_session_lasterr(s));
		return -1;
	}
	a->methods = xstrdup(m);
	log_debug("%s: the server allows %s", s->opts.label, a->methods);
	if (strstr(a->methods, "publickey") == NULL) {
		errmsg_set(&s->err, 0, "%s: authentication failed: the server "
		    "allows only %s, and hopkit authenticates with keys (agent "
		    "or IdentityFile)", s->opts.label, a->methods);
		return -1;
	}
	return 1;
}

/* The "nothing worked" line. */
static void
ssh_auth_failed(struct ssh_session *s, struct ssh_auth *a)
{
	/* libssh2 before 1.11 makes only SHA-1 ssh-rsa signatures. */
	int old_rsa = a->rsa_refused && libssh2_version(0x010b00) == NULL;

	errmsg_set(&s->err, 0, "%s: authentication failed for %s (tried %s)%s%s%s",
	    s->opts.label, s->opts.user, a->tried[0] ? a->tried : "nothing: "
	    "no agent and no identity file", old_rsa ? "; RSA keys were "
	    "refused: libssh2 " : "", old_rsa ? libssh2_version(0) : "",
	    old_rsa ? " signs only with ssh-rsa (SHA-1), which OpenSSH 8.8 and "
	    "later refuse by default; use an ed25519 or ecdsa key" : "");
}

int
ssh_auth_step(struct ssh_session *s)
{
	struct ssh_auth *a = s->auth;
	int rc;

	if (a == NULL)
		a = s->auth = xcalloc(1, sizeof(*a));
	switch (a->state) {
	case SSH_AUTH_LIST:
		rc = ssh_auth_list(s, a);
		if (rc <= 0)
			return rc;
		if (rc == 2)
			return 1;
		a->state = s->opts.agent_sock != NULL ? SSH_AUTH_AGENT :
		    SSH_AUTH_FILES;
		/* FALLTHROUGH */
	case SSH_AUTH_AGENT:
		if (a->state == SSH_AUTH_AGENT) {
			rc = ssh_auth_agent(s, a);
			if (rc >= 0)
				return rc;
			a->state = SSH_AUTH_FILES;
		}
		/* FALLTHROUGH */
	case SSH_AUTH_FILES:
		rc = ssh_auth_files(s, a);
		if (rc >= 0)
			return rc;
		a->state = SSH_AUTH_DONE;
		/* FALLTHROUGH */
	case SSH_AUTH_DONE:
		break;
	}
	if (s->peer_eof || s->io_error)
		errmsg_set(&s->err, 0, "%s: connection closed during "
		    "authentication%s%s (tried %s)", s->opts.label,
		    s->goodbye[0] ? ": " : "", s->goodbye,
		    a->tried[0] ? a->tried : "nothing");
	else
		ssh_auth_failed(s, a);
	return -1;
}
