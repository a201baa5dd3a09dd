/*
 * sshkey.c: what kind of private key a key file holds, read without
 * decrypting it.
 * SPDX-License-Identifier: MIT
 *
 * OpenSSH's own format ("openssh-key-v1") keeps the cipher name and the
 * public key in clear, so the type and whether a passphrase is needed can
 * be read before asking for one.  PEM files say so in their armour.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "sshkey.h"
#include "xmalloc.h"

#define SSHKEY_V1_BEGIN "-----BEGIN OPENSSH PRIVATE KEY-----"
#define SSHKEY_V1_END "-----END OPENSSH PRIVATE KEY-----"
#define SSHKEY_V1_MAGIC "openssh-key-v1"	/* followed by a NUL */

/* Find needle in the first len bytes of hay; NULL if absent. */
static const char *
sshkey_find(const char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; n <= len && i <= len - n; i++)
		if (memcmp(hay + i, needle, n) == 0)
			return hay + i;
	return NULL;
}

/* Decode base64 from [p, end), skipping white space, into a new buffer;
 * returns its length, or -1 on bad input. */
static long
sshkey_unbase64(const char *p, const char *end, unsigned char **out)
{
	size_t cap = (size_t)(end - p);
	char *clean = xmalloc(cap + 1);
	unsigned char *buf;
	size_t n = 0;
	int len, pad = 0;

	for (; p < end; p++)
		if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			clean[n++] = *p;
	if (n == 0 || n % 4 != 0) {
		free(clean);
		return -1;
	}
	if (clean[n - 1] == '=')
		pad++;
	if (clean[n - 2] == '=')
		pad++;
	buf = xmalloc(n / 4 * 3 + 1);
	len = EVP_DecodeBlock(buf, (unsigned char *)clean, (int)n);
	free(clean);
	if (len < 0 || len < pad) {
		free(buf);
		return -1;
	}
	*out = buf;
	return len - pad;
}

/* Read an SSH string (u32 length, bytes) at *off; 0 or -1. */
static int
sshkey_string(const unsigned char *b, size_t len, size_t *off,
    const unsigned char **s, size_t *slen)
{
	uint32_t n;

	if (len - *off < 4)
		return -1;
	n = (uint32_t)b[*off] << 24 | (uint32_t)b[*off + 1] << 16 |
	    (uint32_t)b[*off + 2] << 8 | b[*off + 3];
	*off += 4;
	if (n > len - *off)
		return -1;
	*s = b + *off;
	*slen = n;
	*off += n;
	return 0;
}

/* Copy an SSH string into a NUL-terminated buffer, cut to size. */
static void
sshkey_copy(char *dst, size_t size, const unsigned char *s, size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(dst, s, len);
	dst[len] = '\0';
}

/* The openssh-key-v1 container: cipher, kdf, key count, public key. */
static int
sshkey_parse_v1(const unsigned char *b, size_t len, struct sshkey_info *ki)
{
	const unsigned char *s, *blob;
	size_t off = sizeof(SSHKEY_V1_MAGIC), slen, blen, boff = 0;

	if (len < off || memcmp(b, SSHKEY_V1_MAGIC, off) != 0)
		return -1;
	if (sshkey_string(b, len, &off, &s, &slen) == -1)	/* cipher */
		return -1;
	ki->encrypted = !(slen == 4 && memcmp(s, "none", 4) == 0);
	if (sshkey_string(b, len, &off, &s, &slen) == -1 ||	/* kdf */
	    sshkey_string(b, len, &off, &s, &slen) == -1 ||	/* kdf opts */
	    len - off < 4)
		return -1;
	off += 4;						/* nkeys */
	if (sshkey_string(b, len, &off, &blob, &blen) == -1 ||
	    sshkey_string(blob, blen, &boff, &s, &slen) == -1)
		return -1;
	sshkey_copy(ki->type, sizeof(ki->type), s, slen);
	return 0;
}

int
sshkey_inspect(const char *text, size_t len, struct sshkey_info *ki)
{
	const char *b, *e;

	memset(ki, 0, sizeof(*ki));
	if ((b = sshkey_find(text, len, SSHKEY_V1_BEGIN)) != NULL) {
		unsigned char *raw;
		long n;
		int rc;

		b += strlen(SSHKEY_V1_BEGIN);
		e = sshkey_find(b, len - (size_t)(b - text), SSHKEY_V1_END);
		if (e == NULL || (n = sshkey_unbase64(b, e, &raw)) < 0)
			return -1;
		rc = sshkey_parse_v1(raw, (size_t)n, ki);
		free(raw);
		ki->format = SSHKEY_OPENSSH;
		return rc;
	}
	ki->format = SSHKEY_PEM;
	if (sshkey_find(text, len, "-----BEGIN RSA PRIVATE KEY-----"))
		strcpy(ki->type, "ssh-rsa");
	else if (sshkey_find(text, len, "-----BEGIN EC PRIVATE KEY-----"))
		strcpy(ki->type, "ecdsa");
	else if (sshkey_find(text, len, "-----BEGIN DSA PRIVATE KEY-----"))
		strcpy(ki->type, "ssh-dss");
	else if (sshkey_find(text, len, "-----BEGIN ENCRYPTED PRIVATE KEY-----"))
		ki->encrypted = 1;
	else if (!sshkey_find(text, len, "-----BEGIN PRIVATE KEY-----"))
		return -1;
	if (sshkey_find(text, len, "Proc-Type: 4,ENCRYPTED"))
		ki->encrypted = 1;
	return 0;
}

int
sshkey_is_rsa(const char *type)
{
	return strcmp(type, "ssh-rsa") == 0 ||
	    strncmp(type, "rsa-sha2-", 9) == 0;
}

int
sshkey_pub_type(const char *text, size_t len, char *type, size_t size)
{
	size_t n = 0;

	while (n < len && n + 1 < size && text[n] != ' ' && text[n] != '\t' &&
	    text[n] != '\n' && text[n] != '\0')
		n++;
	if (n == 0 || n >= len || (text[n] != ' ' && text[n] != '\t'))
		return -1;
	memcpy(type, text, n);
	type[n] = '\0';
	return 0;
}
