/*
 * sshkey-fuzz.c: libFuzzer harness for lib/sshkey.c.
 * SPDX-License-Identifier: MIT
 *
 * The input is taken three ways, each from a heap copy that ends where the
 * input does (no NUL after it), so ASan sees any read past it:
 *  - as a key file (and, for small inputs, every prefix of it): the result
 *    is 0 or -1; a key read has a known format, a NUL-terminated type and
 *    an encrypted flag of 0 or 1, all backed by armour found in the input;
 *    the same text with CRLF line ends, or after a line of other text,
 *    reads the same;
 *  - as the decoded body of an OpenSSH key file: armoured here with
 *    OpenSSL, it reads exactly as a separate parse of the openssh-key-v1
 *    container below says;
 *  - as a .pub line: the type word is read exactly when it should be, and
 *    is the input's start, with nothing written on failure.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "sshkey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs up to this size are also inspected at every prefix length. */
#define FUZZ_ALL_PREFIXES 256

#define FUZZ_V1_BEGIN "-----BEGIN OPENSSH PRIVATE KEY-----"
#define FUZZ_V1_END "-----END OPENSSH PRIVATE KEY-----"
#define FUZZ_V1_MAGIC "openssh-key-v1"	/* and its NUL: 15 bytes */

/* A heap copy of the n bytes at p, with nothing after them. */
static char *
fuzz_copy(const void *p, size_t n)
{
	char *c = malloc(n > 0 ? n : 1);

	if (c == NULL)
		abort();
	memcpy(c, p, n);
	return c;
}

/* Is the string s in the n bytes at p? */
static int
fuzz_has(const char *p, size_t n, const char *s)
{
	return memmem(p, n, s, strlen(s)) != NULL;
}

/* Are two results the same: rc, and for a key read, every field? */
static int
fuzz_same(int rc, const struct sshkey_info *a, int rc2,
    const struct sshkey_info *b)
{
	if (rc != rc2)
		return 0;
	return rc == -1 || (a->format == b->format && a->encrypted ==
	    b->encrypted && strcmp(a->type, b->type) == 0);
}

/* Check one result of sshkey_inspect on the n bytes at p. */
static void
fuzz_check(const char *p, size_t n, int rc, const struct sshkey_info *ki)
{
	const char *b;

	if (rc == -1) {
		/* Refused: it was a broken OpenSSH key, or no PEM armour. */
		if (!fuzz_has(p, n, FUZZ_V1_BEGIN) &&
		    (fuzz_has(p, n, "-----BEGIN RSA PRIVATE KEY-----") ||
		    fuzz_has(p, n, "-----BEGIN EC PRIVATE KEY-----") ||
		    fuzz_has(p, n, "-----BEGIN DSA PRIVATE KEY-----") ||
		    fuzz_has(p, n, "-----BEGIN PRIVATE KEY-----") ||
		    fuzz_has(p, n, "-----BEGIN ENCRYPTED PRIVATE KEY-----")))
			abort();
		return;
	}
	if (rc != 0 || (ki->encrypted != 0 && ki->encrypted != 1) ||
	    memchr(ki->type, '\0', sizeof(ki->type)) == NULL)
		abort();
	if (sshkey_is_rsa(ki->type) && strcmp(ki->type, "ssh-rsa") != 0 &&
	    strncmp(ki->type, "rsa-sha2-", 9) != 0)
		abort();
	switch (ki->format) {
	case SSHKEY_OPENSSH:
		b = memmem(p, n, FUZZ_V1_BEGIN, strlen(FUZZ_V1_BEGIN));
		if (b == NULL || !fuzz_has(b, n - (size_t)(b - p), FUZZ_V1_END))
			abort();
		break;
	case SSHKEY_PEM:
		if (fuzz_has(p, n, FUZZ_V1_BEGIN))
			abort();
		if (strcmp(ki->type, "ssh-rsa") == 0 ?
		    !fuzz_has(p, n, "-----BEGIN RSA PRIVATE KEY-----") :
		    strcmp(ki->type, "ecdsa") == 0 ?
		    !fuzz_has(p, n, "-----BEGIN EC PRIVATE KEY-----") :
		    strcmp(ki->type, "ssh-dss") == 0 ?
		    !fuzz_has(p, n, "-----BEGIN DSA PRIVATE KEY-----") :
		    ki->type[0] != '\0' ||
		    (!fuzz_has(p, n, "-----BEGIN PRIVATE KEY-----") &&
		    !fuzz_has(p, n, "-----BEGIN ENCRYPTED PRIVATE KEY-----")))
			abort();
		if (ki->encrypted != (fuzz_has(p, n, "Proc-Type: 4,ENCRYPTED") ||
		    (ki->type[0] == '\0' &&
		    fuzz_has(p, n, "-----BEGIN ENCRYPTED PRIVATE KEY-----"))))
			abort();
		break;
	default:
		abort();
	}
}

/* Inspect the n bytes at data as a key file; deep: its variants too. */
static void
fuzz_text(const uint8_t *data, size_t n, int deep)
{
	static const char before[] = "Comment: no armour here\n";
	struct sshkey_info ki, ki2;
	char *buf = fuzz_copy(data, n), *o;
	size_t i, nl = 0;
	int rc, rc2;

	rc = sshkey_inspect(buf, n, &ki);
	fuzz_check(buf, n, rc, &ki);
	free(buf);
	if (!deep)
		return;

	/* CRLF line ends: no armour has a CR or LF in it, base64 skips both. */
	for (i = 0; i < n; i++)
		nl += data[i] == '\n';
	if ((buf = o = malloc(n + nl + 1)) == NULL)
		abort();
	for (i = 0; i < n; i++) {
		if (data[i] == '\n')
			*o++ = '\r';
		*o++ = (char)data[i];
	}
	rc2 = sshkey_inspect(buf, n + nl, &ki2);
	if (!fuzz_same(rc, &ki, rc2, &ki2))
		abort();
	free(buf);

	/* A line before it: no marker can start in it. */
	if ((buf = malloc(sizeof(before) - 1 + n + 1)) == NULL)
		abort();
	memcpy(buf, before, sizeof(before) - 1);
	memcpy(buf + sizeof(before) - 1, data, n);
	rc2 = sshkey_inspect(buf, sizeof(before) - 1 + n, &ki2);
	if (!fuzz_same(rc, &ki, rc2, &ki2))
		abort();
	free(buf);
}

/* The big-endian u32 at p. */
static uint32_t
fuzz_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/*
 * The openssh-key-v1 container in the n bytes at b, parsed here on its
 * own: magic; cipher, kdf, kdf options as strings; a u32 key count; the
 * public key as a string, which opens with its type as a string.  Fills
 * in what sshkey_inspect should; 0 or -1.
 */
static int
fuzz_ref_v1(const uint8_t *b, size_t n, struct sshkey_info *ki)
{
	size_t o = sizeof(FUZZ_V1_MAGIC), len, i;

	memset(ki, 0, sizeof(*ki));
	ki->format = SSHKEY_OPENSSH;
	if (n < o || memcmp(b, FUZZ_V1_MAGIC, o) != 0)
		return -1;
	for (i = 0; i < 3; i++) {
		if (n - o < 4 || (len = fuzz_u32(b + o)) > n - o - 4)
			return -1;
		if (i == 0)
			ki->encrypted = len != 4 || memcmp(b + o + 4, "none", 4);
		o += 4 + len;
	}
	if (n - o < 8 || (len = fuzz_u32(b + o + 4)) > n - o - 8)
		return -1;
	o += 8;				/* key count, public key length */
	if (len < 4 || fuzz_u32(b + o) > len - 4)
		return -1;
	len = fuzz_u32(b + o);
	memcpy(ki->type, b + o + 4, len < sizeof(ki->type) ? len :
	    sizeof(ki->type) - 1);
	return 0;
}

/* Armour the n bytes at data as an OpenSSH key file and inspect it. */
static void
fuzz_raw(const uint8_t *data, size_t n)
{
	struct sshkey_info ki, ref;
	unsigned char *b64;
	size_t len, i, total;
	char *buf, *o;
	int rc, rc2;

	if (n > 1 << 20 || (b64 = malloc(n / 3 * 4 + 5)) == NULL)
		return;
	len = (size_t)EVP_EncodeBlock(b64, data, (int)n);
	total = strlen(FUZZ_V1_BEGIN) + 1 + len + len / 70 + 1 +
	    strlen(FUZZ_V1_END) + 1;
	if ((buf = o = malloc(total)) == NULL)
		abort();
	o = stpcpy(o, FUZZ_V1_BEGIN "\n");
	for (i = 0; i < len; i += 70) {
		memcpy(o, b64 + i, len - i < 70 ? len - i : 70);
		o += len - i < 70 ? len - i : 70;
		*o++ = '\n';
	}
	memcpy(o, FUZZ_V1_END "\n", strlen(FUZZ_V1_END) + 1);
	o += strlen(FUZZ_V1_END) + 1;
	if ((size_t)(o - buf) > total)
		abort();
	rc = sshkey_inspect(buf, (size_t)(o - buf), &ki);
	fuzz_check(buf, (size_t)(o - buf), rc, &ki);
	rc2 = fuzz_ref_v1(data, n, &ref);
	if (rc != rc2 || (rc == 0 && (ki.format != ref.format ||
	    ki.encrypted != ref.encrypted ||
	    memcmp(ki.type, ref.type, sizeof(ki.type)) != 0)))
		abort();
	free(buf);
	free(b64);
}

/* The n bytes at data as a .pub line, into a buffer of size bytes. */
static void
fuzz_pub(const uint8_t *data, size_t n, size_t size)
{
	char type[128], *buf = fuzz_copy(data, n);
	size_t k;
	int rc, want;

	memset(type, 'x', sizeof(type));
	rc = sshkey_pub_type(buf, n, type, size);
	for (k = 0; k < n && buf[k] != ' ' && buf[k] != '\t' &&
	    buf[k] != '\n' && buf[k] != '\0'; k++)
		;
	want = k > 0 && k < n && (buf[k] == ' ' || buf[k] == '\t') &&
	    k < size ? 0 : -1;
	if (rc != want)
		abort();
	if (rc == 0 && (memcmp(type, buf, k) != 0 || type[k] != '\0'))
		abort();
	for (k = rc == 0 ? k + 1 : 0; k < sizeof(type); k++)
		if (type[k] != 'x')
			abort();
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t i;

	fuzz_text(data, size, 1);
	if (size <= FUZZ_ALL_PREFIXES)
		for (i = 0; i < size; i++)
			fuzz_text(data, i, 0);
	fuzz_raw(data, size);
	fuzz_pub(data, size, 64);
	fuzz_pub(data, size, size > 0 ? data[0] % 100 : 0);
	return 0;
}
