/*
 * sshkey.h: the type of a private key file, and whether it needs a
 * passphrase, read without decrypting it.  Pure functions over bytes.
 * SPDX-License-Identifier: MIT
 */
#ifndef HOPKIT_SSHKEY_H
#define HOPKIT_SSHKEY_H

#include <stddef.h>

enum sshkey_format {
	SSHKEY_OPENSSH = 1,	/* -----BEGIN OPENSSH PRIVATE KEY----- */
	SSHKEY_PEM,		/* the older PEM / PKCS#8 files */
};

struct sshkey_info {
	enum sshkey_format format;
	char type[64];		/* "ssh-ed25519", "ssh-rsa", ...; "" if unknown */
	int encrypted;		/* a passphrase is needed */
};

/* Inspect a private key file's text; 0, or -1 if it is not one. */
int sshkey_inspect(const char *text, size_t len, struct sshkey_info *ki);

/* Is this an RSA key type name? */
int sshkey_is_rsa(const char *type);

/* The type word at the start of a .pub line; 0 or -1. */
int sshkey_pub_type(const char *text, size_t len, char *type, size_t size);

#endif
