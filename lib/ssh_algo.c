/*
 * ssh_algo.c: which SSH algorithms to offer, and what to say when the
 * server and this libssh2 have none in common.
 * SPDX-License-Identifier: MIT
 *
 * The preference lists put fast and sound first (curve25519, AES-CTR on
 * the hardware AES path, SHA-2 MACs; GCM and EtM first where a newer
 * libssh2 has them) and leave out what OpenSSH no longer offers by
 * default (SHA-1 key exchange, CBC, ssh-rsa host keys unless known_hosts
 * pins one).  Each list is cut to what the linked libssh2 supports, so the
 * same binary does the right thing with 1.10 and 1.11.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ssh_int.h"
#include "xmalloc.h"

/* One libssh2 method type and what we prefer for it, best first. */
struct ssh_algo_pref {
	int type;
	const char *name;	/* for messages */
	const char *pref;
};

static const struct ssh_algo_pref ssh_algo_prefs[] = {
	{ LIBSSH2_METHOD_KEX, "kex",
	  "curve25519-sha256,curve25519-sha256@libssh.org,"
	  "ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,"
	  "diffie-hellman-group-exchange-sha256,"
	  "diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,"
	  "diffie-hellman-group14-sha256" },
	{ LIBSSH2_METHOD_CRYPT_CS, "ciphers",
	  "aes128-gcm@openssh.com,aes256-gcm@openssh.com,"
	  "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr" },
	{ LIBSSH2_METHOD_CRYPT_SC, NULL,
	  "aes128-gcm@openssh.com,aes256-gcm@openssh.com,"
	  "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr" },
	{ LIBSSH2_METHOD_MAC_CS, "MACs",
	  "hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,"
	  "hmac-sha2-256,hmac-sha2-512,hmac-sha1" },
	{ LIBSSH2_METHOD_MAC_SC, NULL,
	  "hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,"
	  "hmac-sha2-256,hmac-sha2-512,hmac-sha1" },
	{ LIBSSH2_METHOD_COMP_CS, NULL, "none" },
	{ LIBSSH2_METHOD_COMP_SC, NULL, "none" },
};

/* Host key algorithms when known_hosts pins none for the host. */
static const char ssh_algo_hostkeys[] =
    "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,"
    "ecdsa-sha2-nistp521,rsa-sha2-512,rsa-sha2-256";

/* Is name in libssh2's list of supported algorithms? */
static int
ssh_algo_in(const char **algs, int n, const char *name, size_t len)
{
	for (int i = 0; i < n; i++)
		if (strlen(algs[i]) == len && strncmp(algs[i], name, len) == 0)
			return 1;
	return 0;
}

/*
 * The entries of the comma-separated pref that libssh2 supports for
 * method type, in pref's order, as a new string ("" when none).
 */
static char *
ssh_algo_filter(LIBSSH2_SESSION *ls, int type, const char *pref)
{
	const char **algs = NULL;
	int n = libssh2_session_supported_algs(ls, type, &algs);
	char *out = xcalloc(1, strlen(pref) + 1);
	const char *p = pref;

	while (*p != '\0') {
		size_t len = strcspn(p, ",");

		if (n > 0 && ssh_algo_in(algs, n, p, len)) {
			if (*out != '\0')
				strcat(out, ",");
			strncat(out, p, len);
		}
		p += len;
		if (*p == ',')
			p++;
	}
	if (n > 0)
		libssh2_free(ls, algs);
	return out;
}

/* Set one preference list, cut to what libssh2 supports. */
static int
ssh_algo_set_one(LIBSSH2_SESSION *ls, int type, const char *name,
    const char *pref, struct errmsg *e)
{
	char *list = ssh_algo_filter(ls, type, pref);
	int rc = 0;

	if (*list == '\0')
		rc = errmsg_set(e, 0, "this libssh2 supports none of the %s "
		    "%s", name != NULL ? name : "algorithms", pref);
	else if (libssh2_session_method_pref(ls, type, list) != 0)
		rc = errmsg_set(e, 0, "libssh2 refused the %s list %s",
		    name != NULL ? name : "algorithm", list);
	free(list);
	return rc;
}

int
ssh_algo_set_prefs(LIBSSH2_SESSION *ls, const char *hostkey_pref,
    struct errmsg *e)
{
	for (size_t i = 0; i < sizeof(ssh_algo_prefs) / sizeof(ssh_algo_prefs[0]);
	    i++) {
		const struct ssh_algo_pref *a = &ssh_algo_prefs[i];

		if (ssh_algo_set_one(ls, a->type, a->name, a->pref, e) == -1)
			return -1;
	}
	return ssh_algo_set_one(ls, LIBSSH2_METHOD_HOSTKEY, "host key types",
	    hostkey_pref != NULL ? hostkey_pref : ssh_algo_hostkeys, e);
}

/* "kex K, host key H, cipher C, mac M" for -v and the benchmark. */
void
ssh_algo_describe(LIBSSH2_SESSION *ls, char *buf, size_t len)
{
	const char *kex = libssh2_session_methods(ls, LIBSSH2_METHOD_KEX);
	const char *hk = libssh2_session_methods(ls, LIBSSH2_METHOD_HOSTKEY);
	const char *c = libssh2_session_methods(ls, LIBSSH2_METHOD_CRYPT_CS);
	const char *m = libssh2_session_methods(ls, LIBSSH2_METHOD_MAC_CS);

	snprintf(buf, len, "kex %s, host key %s, cipher %s, mac %s",
	    kex ? kex : "?", hk ? hk : "?", c ? c : "?", m ? m : "?");
}

/* Append "name: list" for one method type to buf. */
static void
ssh_algo_append(LIBSSH2_SESSION *ls, int type, const char *name,
    const char *pref, char *buf, size_t len)
{
	char *list = ssh_algo_filter(ls, type, pref);
	size_t used = strlen(buf);

	snprintf(buf + used, len - used, "%s%s %s", used > 0 ? "; " : "",
	    name, list);
	free(list);
}

/* What we offer, "kex ...; host keys ...; ciphers ...; MACs ...": the
 * named lists of the table, cut to what libssh2 supports. */
static void
ssh_algo_offered(LIBSSH2_SESSION *ls, char *buf, size_t len)
{
	for (size_t i = 0; i < sizeof(ssh_algo_prefs) / sizeof(ssh_algo_prefs[0]);
	    i++) {
		const struct ssh_algo_pref *a = &ssh_algo_prefs[i];

		if (a->name == NULL)
			continue;
		ssh_algo_append(ls, a->type, a->name, a->pref, buf, len);
		if (a->type == LIBSSH2_METHOD_KEX)
			ssh_algo_append(ls, LIBSSH2_METHOD_HOSTKEY, "host keys",
			    ssh_algo_hostkeys, buf, len);
	}
}

/*
 * Turn a failed handshake into one sentence.  When no algorithm was
 * agreed, name what this libssh2 offers, so the user can compare it with
 * the server's lists (ssh -vv shows those).
 */
void
ssh_algo_explain(LIBSSH2_SESSION *ls, int rc, const char *label,
    struct errmsg *e)
{
	char *msg = NULL;
	char offered[400] = "";

	libssh2_session_last_error(ls, &msg, NULL, 0);
	if (msg == NULL)
		msg = "unknown error";
	switch (rc) {
	case LIBSSH2_ERROR_BANNER_RECV:
		errmsg_set(e, 0, "%s: no SSH banner from the server (is it an "
		    "SSH server?): %s", label, msg);
		return;
	case LIBSSH2_ERROR_KEX_FAILURE:
	case LIBSSH2_ERROR_METHOD_NONE:
	case LIBSSH2_ERROR_KEY_EXCHANGE_FAILURE:
		ssh_algo_offered(ls, offered, sizeof(offered));
		errmsg_set(e, 0, "%s: key exchange failed (%s); the server "
		    "may allow none of what libssh2 %s offers: %s", label, msg,
		    libssh2_version(0), offered);
		return;
	default:
		errmsg_set(e, 0, "%s: SSH handshake failed: %s (libssh2 error "
		    "%d)", label, msg, rc);
	}
}
