/*
 * knownhosts.c: known_hosts parsing, matching and checking; see knownhosts.h.
 * SPDX-License-Identifier: MIT
 *
 * The parts follow OpenSSH 9.2's hostfile.c, match.c and sshconnect.c:
 * the line syntax of hostkeys_foreach_file(), match_pattern_list() for
 * host fields, host_hash() for "|1|" entries, sshkey_from_blob()'s checks,
 * and the verdicts of check_host_key(), including its retry without the
 * port; knownhosts.h says where this module is stricter on purpose.
 * Base64, SHA-256 and HMAC-SHA1 come from OpenSSL.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "knownhosts.h"
#include "log.h"
#include "xmalloc.h"

#define KNOWNHOSTS_HASH_MAGIC "|1|"
#define KNOWNHOSTS_PATTERN_MAX 1024	/* match_pattern_list()'s sub[] */
#define KNOWNHOSTS_MPINT_MAX 2049	/* SSHBUF_MAX_BIGNUM + 1: 16384 bits */
#define KNOWNHOSTS_SHOW_MAX 40		/* bytes of a field a message quotes */

enum knownhosts_kind {
	KNOWNHOSTS_ED25519,
	KNOWNHOSTS_ECDSA,
	KNOWNHOSTS_RSA,
	KNOWNHOSTS_DSA,
};

/* The key types handled here, in OpenSSH's order of preference. */
static const struct {
	const char *name;		/* in a blob and on a line */
	enum knownhosts_kind kind;
	const char *curve;		/* ECDSA: the curve name in the blob */
	size_t point_len;		/* ECDSA: uncompressed point size */
} knownhosts_tab[KNOWNHOSTS_NTYPES] = {
	{ "ssh-ed25519", KNOWNHOSTS_ED25519, NULL, 0 },
	{ "ecdsa-sha2-nistp256", KNOWNHOSTS_ECDSA, "nistp256", 65 },
	{ "ecdsa-sha2-nistp384", KNOWNHOSTS_ECDSA, "nistp384", 97 },
	{ "ecdsa-sha2-nistp521", KNOWNHOSTS_ECDSA, "nistp521", 133 },
	{ "ssh-rsa", KNOWNHOSTS_RSA, NULL, 0 },
	{ "ssh-dss", KNOWNHOSTS_DSA, NULL, 0 },
};

/* ASCII lowercase of c, whatever the locale. */
static unsigned char
knownhosts_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Is c a field separator on a known_hosts line (as for OpenSSH)? */
static int
knownhosts_ws(char c)
{
	return c == ' ' || c == '\t';
}

/* The index of the first non-blank byte of buf at or after i (< end). */
static size_t
knownhosts_skip_ws(const char *buf, size_t i, size_t end)
{
	while (i < end && knownhosts_ws(buf[i]))
		i++;
	return i;
}

/* The index just past the field of buf starting at i (< end). */
static size_t
knownhosts_field_end(const char *buf, size_t i, size_t end)
{
	while (i < end && !knownhosts_ws(buf[i]))
		i++;
	return i;
}

/*
 * A printable copy of the n bytes at p for a message, cut at
 * KNOWNHOSTS_SHOW_MAX bytes, into buf (size len); returns buf.
 */
static const char *
knownhosts_show(const char *p, size_t n, char *buf, size_t len)
{
	char tmp[KNOWNHOSTS_SHOW_MAX + 1];
	size_t i;

	if (n > KNOWNHOSTS_SHOW_MAX)
		n = KNOWNHOSTS_SHOW_MAX;
	for (i = 0; i < n; i++)
		tmp[i] = p[i] == '\0' ? '?' : p[i];
	tmp[n] = '\0';
	log_sanitize(buf, len, tmp);
	return buf;
}

/* The value of base64 digit c, or -1. */
static int
knownhosts_b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Decode the n bytes of base64 at in into out (size outsize), as strictly
 * as OpenSSH's b64_pton() does without its whitespace: whole quads, '='
 * padding only at the end, zero bits after the last byte.  Sets *outlen.
 * Returns 0, or -1 for bad base64 or when n / 4 * 3 exceeds outsize.
 */
static int
knownhosts_b64_decode(const char *in, size_t n, uint8_t *out, size_t outsize,
    size_t *outlen)
{
	size_t i, pad = 0;
	int v, got;

	if (n == 0 || n % 4 != 0 || n / 4 * 3 > outsize || n > INT32_MAX)
		return -1;
	if (in[n - 1] == '=')
		pad = in[n - 2] == '=' ? 2 : 1;
	for (i = 0; i < n - pad; i++)
		if (knownhosts_b64val((unsigned char)in[i]) < 0)
			return -1;
	/* The bits of the last digit that fall past the data must be 0. */
	v = knownhosts_b64val((unsigned char)in[n - pad - 1]);
	if ((pad == 1 && (v & 0x03) != 0) || (pad == 2 && (v & 0x0f) != 0))
		return -1;
	got = EVP_DecodeBlock(out, (const unsigned char *)in, (int)n);
	if (got < 0 || (size_t)got != n / 4 * 3)
		return -1;
	*outlen = (size_t)got - pad;
	return 0;
}

/*
 * Encode n bytes at in as padded base64 into out (size outsize, NUL
 * included).  Returns the length, or 0 when it does not fit.
 */
static size_t
knownhosts_b64_encode(const uint8_t *in, size_t n, char *out, size_t outsize)
{
	size_t need = (n + 2) / 3 * 4;
	int got;

	if (need >= outsize || n > INT32_MAX / 2)
		return 0;
	got = EVP_EncodeBlock((unsigned char *)out, in, (int)n);
	if (got < 0 || (size_t)got != need)
		return 0;
	return need;
}

/*
 * Read an SSH string (uint32 length, bytes) from *p (*left bytes) into s
 * and slen, and step over it.  Returns 0, or -1 when it does not fit.
 */
static int
knownhosts_get_string(const uint8_t **p, size_t *left, const uint8_t **s,
    size_t *slen)
{
	uint32_t n;

	if (*left < 4)
		return -1;
	n = (uint32_t)(*p)[0] << 24 | (uint32_t)(*p)[1] << 16 |
	    (uint32_t)(*p)[2] << 8 | (uint32_t)(*p)[3];
	if (n > *left - 4)
		return -1;
	*s = *p + 4;
	*slen = n;
	*p += 4 + (size_t)n;
	*left -= 4 + (size_t)n;
	return 0;
}

/*
 * Read a non-negative mpint as OpenSSH accepts it (at most 2049 bytes, a
 * 0x00 prefix only before a high bit) and return its size in bits, or -1.
 */
static long
knownhosts_get_mpint(const uint8_t **p, size_t *left)
{
	const uint8_t *s;
	size_t n;
	long bits;
	uint8_t top;

	if (knownhosts_get_string(p, left, &s, &n) == -1 ||
	    n > KNOWNHOSTS_MPINT_MAX || (n > 0 && (s[0] & 0x80) != 0) ||
	    (n == KNOWNHOSTS_MPINT_MAX && s[0] != 0))
		return -1;
	while (n > 0 && s[0] == 0) {
		s++;
		n--;
	}
	if (n == 0)
		return 0;
	for (bits = (long)(n - 1) * 8, top = s[0]; top != 0; top >>= 1)
		bits++;
	return bits;
}

/*
 * Check the fields after the type string of a key of table entry t in the
 * blob at p (left bytes), and that nothing follows them.  RSA moduli must
 * have 1024 to 16384 bits, as OpenSSH 9.2 requires.  Returns 0 or -1.
 */
static int
knownhosts_check_fields(size_t t, const uint8_t *p, size_t left)
{
	const uint8_t *s;
	size_t n;
	long bits;
	int i;

	switch (knownhosts_tab[t].kind) {
	case KNOWNHOSTS_ED25519:
		if (knownhosts_get_string(&p, &left, &s, &n) == -1 || n != 32)
			return -1;
		break;
	case KNOWNHOSTS_ECDSA:
		if (knownhosts_get_string(&p, &left, &s, &n) == -1 ||
		    n != strlen(knownhosts_tab[t].curve) ||
		    memcmp(s, knownhosts_tab[t].curve, n) != 0)
			return -1;
		if (knownhosts_get_string(&p, &left, &s, &n) == -1 ||
		    n != knownhosts_tab[t].point_len || s[0] != 0x04)
			return -1;
		break;
	case KNOWNHOSTS_RSA:
		if (knownhosts_get_mpint(&p, &left) <= 0)	/* e */
			return -1;
		bits = knownhosts_get_mpint(&p, &left);		/* n */
		if (bits < 1024 || bits > 16384)
			return -1;
		break;
	case KNOWNHOSTS_DSA:
		for (i = 0; i < 4; i++)		/* p, q, g, y */
			if (knownhosts_get_mpint(&p, &left) <= 0)
				return -1;
		break;
	}
	return left == 0 ? 0 : -1;
}

/* The table index of the type named by the n bytes at s, or -1. */
static int
knownhosts_tab_find(const char *s, size_t n)
{
	size_t t;

	for (t = 0; t < KNOWNHOSTS_NTYPES; t++)
		if (strlen(knownhosts_tab[t].name) == n &&
		    memcmp(knownhosts_tab[t].name, s, n) == 0)
			return (int)t;
	return -1;
}

const char *
knownhosts_type_family(const char *name, size_t len)
{
	int t;

	if ((len == 12 && memcmp(name, "rsa-sha2-256", 12) == 0) ||
	    (len == 12 && memcmp(name, "rsa-sha2-512", 12) == 0))
		return "ssh-rsa";
	t = knownhosts_tab_find(name, len);
	return t < 0 ? NULL : knownhosts_tab[t].name;
}

/*
 * Take a key blob apart: *type and *tlen get its type string (or NULL
 * when even that cannot be read).  Returns the table name of a
 * well-formed key of a handled type, else NULL.
 */
static const char *
knownhosts_blob_parse(const uint8_t *blob, size_t len, const uint8_t **type,
    size_t *tlen)
{
	const uint8_t *p = blob;
	size_t left = len;
	int t;

	*type = NULL;
	*tlen = 0;
	if (blob == NULL || knownhosts_get_string(&p, &left, type, tlen) == -1) {
		*type = NULL;
		return NULL;
	}
	t = knownhosts_tab_find((const char *)*type, *tlen);
	if (t < 0 || knownhosts_check_fields((size_t)t, p, left) == -1)
		return NULL;
	return knownhosts_tab[t].name;
}

const char *
knownhosts_blob_type(const uint8_t *blob, size_t len)
{
	const uint8_t *type;
	size_t tlen;

	return knownhosts_blob_parse(blob, len, &type, &tlen);
}

int
knownhosts_fingerprint(const uint8_t *blob, size_t len, char *buf,
    size_t size)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	char b64[64];
	unsigned int mdlen = 0;
	size_t n;

	if (size > 0)
		buf[0] = '\0';
	if (EVP_Digest(blob, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    (n = knownhosts_b64_encode(md, mdlen, b64, sizeof(b64))) == 0)
		return -1;
	while (n > 0 && b64[n - 1] == '=')
		n--;
	if (sizeof("SHA256:") - 1 + n >= size)
		return -1;
	memcpy(buf, "SHA256:", sizeof("SHA256:") - 1);
	memcpy(buf + sizeof("SHA256:") - 1, b64, n);
	buf[sizeof("SHA256:") - 1 + n] = '\0';
	return 0;
}

/*
 * Parse a hashed host field "|1|salt|hash" (n bytes at p) into ent: both
 * parts must be the base64 of exactly 20 bytes.  Returns 0 or -1.
 */
static int
knownhosts_parse_hashed(const char *p, size_t n, struct knownhosts_entry *ent)
{
	const size_t magic = sizeof(KNOWNHOSTS_HASH_MAGIC) - 1;
	uint8_t tmp[KNOWNHOSTS_SALT_LEN + 4];
	const char *bar;
	size_t got;

	if (n < magic || memcmp(p, KNOWNHOSTS_HASH_MAGIC, magic) != 0)
		return -1;
	p += magic;
	n -= magic;
	if ((bar = memchr(p, '|', n)) == NULL)
		return -1;
	if (knownhosts_b64_decode(p, (size_t)(bar - p), tmp, sizeof(tmp),
	    &got) == -1 || got != KNOWNHOSTS_SALT_LEN)
		return -1;
	memcpy(ent->salt, tmp, KNOWNHOSTS_SALT_LEN);
	n -= (size_t)(bar - p) + 1;
	if (knownhosts_b64_decode(bar + 1, n, tmp, sizeof(tmp), &got) == -1 ||
	    got != KNOWNHOSTS_SALT_LEN)
		return -1;
	memcpy(ent->hash, tmp, KNOWNHOSTS_SALT_LEN);
	ent->hashed = 1;
	return 0;
}

/* Does the pattern list (n bytes at p) hold a pattern other than ""/"!"? */
static int
knownhosts_has_pattern(const char *p, size_t n)
{
	size_t i, start = 0;

	for (i = 0; i <= n; i++) {
		if (i < n && p[i] != ',')
			continue;
		if (i - start > 1 || (i - start == 1 && p[start] != '!'))
			return 1;
		start = i + 1;
	}
	return 0;
}

/*
 * Parse the marker at buf[*i] (end bytes in all) into ent and step over
 * it and the blanks after it.  Returns 0 or -1 with e set.
 */
static int
knownhosts_parse_marker(const char *buf, size_t *i, size_t end,
    struct knownhosts_entry *ent, struct errmsg *e)
{
	char show[200];
	size_t j = knownhosts_field_end(buf, *i, end), n = j - *i;

	if (ent->marker != KNOWNHOSTS_MARKER_NONE)
		return errmsg_set(e, EINVAL, "more than one marker");
	if (n == sizeof("@revoked") - 1 && memcmp(buf + *i, "@revoked", n) == 0)
		ent->marker = KNOWNHOSTS_MARKER_REVOKED;
	else if (n == sizeof("@cert-authority") - 1 &&
	    memcmp(buf + *i, "@cert-authority", n) == 0)
		ent->marker = KNOWNHOSTS_MARKER_CA;
	else
		return errmsg_set(e, EINVAL, "unknown marker \"%s\"",
		    knownhosts_show(buf + *i, n, show, sizeof(show)));
	*i = knownhosts_skip_ws(buf, j, end);
	return 0;
}

/*
 * Decode and check the key field (n bytes at p) of a line whose key type
 * field (tlen bytes at type) stands for family.  Returns 0 or -1 with e.
 */
static int
knownhosts_parse_key(const char *p, size_t n, const char *type, size_t tlen,
    const char *family, struct knownhosts_entry *ent, struct errmsg *e)
{
	char show[200], show2[200];
	const uint8_t *btype;
	size_t btlen;

	if (n / 4 * 3 > sizeof(ent->blob))
		return errmsg_set(e, EINVAL, "key too long (%zu base64 bytes)", n);
	if (knownhosts_b64_decode(p, n, ent->blob, sizeof(ent->blob),
	    &ent->blob_len) == -1)
		return errmsg_set(e, EINVAL, "bad base64 in the key");
	if (ent->blob_len > KNOWNHOSTS_BLOB_MAX)
		return errmsg_set(e, EINVAL, "key too long (%zu bytes)",
		    ent->blob_len);
	ent->keytype = knownhosts_blob_parse(ent->blob, ent->blob_len, &btype,
	    &btlen);
	if (btype == NULL)
		return errmsg_set(e, EINVAL, "malformed key blob");
	if (btlen != strlen(family) || memcmp(btype, family, btlen) != 0)
		return errmsg_set(e, EINVAL,
		    "key type \"%s\" does not match the key's \"%s\"",
		    knownhosts_show(type, tlen, show, sizeof(show)),
		    knownhosts_show((const char *)btype, btlen, show2,
		    sizeof(show2)));
	if (ent->keytype == NULL)
		return errmsg_set(e, EINVAL, "malformed %s key", family);
	return 0;
}

int
knownhosts_parse_line(const char *buf, size_t len,
    struct knownhosts_entry *ent, struct errmsg *e)
{
	char show[200];
	const char *family;
	size_t end = len, i, j;

	memset(ent, 0, offsetof(struct knownhosts_entry, blob));
	ent->blob_len = 0;
	ent->comment = "";
	ent->comment_len = 0;
	if (end > 0 && buf[end - 1] == '\n')
		end--;
	if (end > 0 && buf[end - 1] == '\r')
		end--;
	if (memchr(buf, '\0', end) != NULL)
		return errmsg_set(e, EINVAL, "NUL byte in the line");
	if (memchr(buf, '\n', end) != NULL)
		return errmsg_set(e, EINVAL, "newline inside the line");
	i = knownhosts_skip_ws(buf, 0, end);
	if (i == end || buf[i] == '#')
		return 0;
	while (i < end && buf[i] == '@')
		if (knownhosts_parse_marker(buf, &i, end, ent, e) == -1)
			return -1;

	/* The host field: patterns, or a hash. */
	j = knownhosts_field_end(buf, i, end);
	if (i == j)
		return errmsg_set(e, EINVAL, "missing host names");
	ent->hosts = buf + i;
	ent->hosts_len = j - i;
	if (buf[i] == '|') {
		if (knownhosts_parse_hashed(buf + i, j - i, ent) == -1)
			return errmsg_set(e, EINVAL, "bad hashed host name \"%s\"",
			    knownhosts_show(buf + i, j - i, show, sizeof(show)));
	} else if (!knownhosts_has_pattern(buf + i, j - i)) {
		return errmsg_set(e, EINVAL, "empty host pattern list \"%s\"",
		    knownhosts_show(buf + i, j - i, show, sizeof(show)));
	}

	/* The key type, then the key. */
	i = knownhosts_skip_ws(buf, j, end);
	if (i == end || buf[i] == '#')
		return errmsg_set(e, EINVAL, "missing key type");
	j = knownhosts_field_end(buf, i, end);
	ent->type = buf + i;
	ent->type_len = j - i;
	if ((family = knownhosts_type_family(buf + i, j - i)) == NULL)
		return errmsg_set(e, EINVAL, "unknown key type \"%s\"",
		    knownhosts_show(buf + i, j - i, show, sizeof(show)));
	i = knownhosts_skip_ws(buf, j, end);
	if (i == end)
		return errmsg_set(e, EINVAL, "missing key");
	j = knownhosts_field_end(buf, i, end);
	if (knownhosts_parse_key(buf + i, j - i, ent->type, ent->type_len,
	    family, ent, e) == -1)
		return -1;

	/* Whatever follows is the comment. */
	i = knownhosts_skip_ws(buf, j, end);
	while (end > i && (knownhosts_ws(buf[end - 1]) || buf[end - 1] == '\r'))
		end--;
	ent->comment = buf + i;
	ent->comment_len = end - i;
	return 1;
}

int
knownhosts_match_pattern(const char *pat, size_t plen, const char *name,
    size_t nlen)
{
	size_t p = 0, s = 0, star = 0, star_s = 0;
	int have_star = 0;

	/* Greedy with backtracking to the last '*': linear per star. */
	while (s < nlen) {
		if (p < plen && pat[p] == '*') {
			have_star = 1;
			star = ++p;
			star_s = s;
		} else if (p < plen && (pat[p] == '?' ||
		    knownhosts_lower((unsigned char)pat[p]) ==
		    knownhosts_lower((unsigned char)name[s]))) {
			p++;
			s++;
		} else if (have_star) {
			p = star;
			s = ++star_s;
		} else {
			return 0;
		}
	}
	while (p < plen && pat[p] == '*')
		p++;
	return p == plen;
}

int
knownhosts_match_list(const char *list, size_t len, const char *name,
    size_t nlen)
{
	size_t i = 0, start;
	int negated, positive = 0;

	while (i < len) {
		negated = list[i] == '!';
		if (negated)
			i++;
		for (start = i; i < len && list[i] != ','; i++)
			;
		if (i - start >= KNOWNHOSTS_PATTERN_MAX - 1)
			return 0;
		if (knownhosts_match_pattern(list + start, i - start, name, nlen)) {
			if (negated)
				return -1;
			positive = 1;
		}
		if (i < len)
			i++;	/* the comma */
	}
	return positive;
}

/* HMAC-SHA1 of name keyed with salt into md (20 bytes); 0 or -1. */
static int
knownhosts_hmac(const char *name, const uint8_t *salt, uint8_t *md)
{
	unsigned int mdlen = 0;

	if (HMAC(EVP_sha1(), salt, KNOWNHOSTS_SALT_LEN, (const uint8_t *)name,
	    strlen(name), md, &mdlen) == NULL || mdlen != KNOWNHOSTS_SALT_LEN)
		return -1;
	return 0;
}

int
knownhosts_entry_matches(const struct knownhosts_entry *ent, const char *name)
{
	uint8_t md[EVP_MAX_MD_SIZE];

	if (ent->hashed)
		return knownhosts_hmac(name, ent->salt, md) == 0 &&
		    memcmp(md, ent->hash, KNOWNHOSTS_SALT_LEN) == 0;
	return knownhosts_match_list(ent->hosts, ent->hosts_len, name,
	    strlen(name)) == 1;
}

int
knownhosts_hash_name(const char *name,
    const uint8_t salt[KNOWNHOSTS_SALT_LEN], char *buf, size_t len)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	char s64[64], h64[64];
	int n;

	if (knownhosts_hmac(name, salt, md) == -1 ||
	    knownhosts_b64_encode(salt, KNOWNHOSTS_SALT_LEN, s64,
	    sizeof(s64)) == 0 ||
	    knownhosts_b64_encode(md, KNOWNHOSTS_SALT_LEN, h64, sizeof(h64)) == 0)
		return -1;
	n = snprintf(buf, len, KNOWNHOSTS_HASH_MAGIC "%s|%s", s64, h64);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/*
 * Can the n bytes at s be written as one literal host pattern that
 * matches only itself?  See knownhosts_name().
 */
static int
knownhosts_literal(const char *s, size_t n)
{
	size_t i;
	unsigned char c;

	if (n == 0 || s[0] == '!' || s[0] == '|' || s[0] == '@' || s[0] == '#')
		return 0;
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c <= ' ' || c == 0x7f || c == ',' || c == '*' || c == '?')
			return 0;
	}
	return 1;
}

int
knownhosts_name(const char *host, uint16_t port, const char *alias,
    char *buf, size_t len, struct errmsg *e)
{
	char show[200];
	const char *s = alias != NULL ? alias : host;
	size_t i;
	int n;

	if (s == NULL || *s == '\0')
		return errmsg_set(e, EINVAL, alias != NULL ?
		    "empty HostKeyAlias" : "missing host name");
	if (!knownhosts_literal(s, strlen(s)))
		return errmsg_set(e, EINVAL, "cannot look up \"%s\" in "
		    "known_hosts: it has a blank, control byte, ',', '*' or '?', "
		    "or starts with '!', '|', '@' or '#'",
		    knownhosts_show(s, strlen(s), show, sizeof(show)));
	if (alias != NULL || port == 0 || port == 22)
		n = snprintf(buf, len, "%s", s);
	else
		n = snprintf(buf, len, "[%s]:%u", s, (unsigned)port);
	if (n < 0 || (size_t)n >= len || (size_t)n >= KNOWNHOSTS_NAME_MAX)
		return errmsg_set(e, ENAMETOOLONG,
		    "host name too long for known_hosts (%zu bytes)", strlen(s));
	for (i = 0; buf[i] != '\0'; i++)
		buf[i] = (char)knownhosts_lower((unsigned char)buf[i]);
	return 0;
}

int
knownhosts_query_init(struct knownhosts_query *q, const char *host,
    uint16_t port, const char *alias, const char *keytype,
    const uint8_t *blob, size_t len, struct errmsg *e)
{
	char show[200];
	const uint8_t *btype;
	const char *family;
	size_t btlen;

	memset(q, 0, sizeof(*q));
	if (knownhosts_name(host, port, alias, q->name, sizeof(q->name), e) == -1)
		return -1;
	if (alias == NULL && port != 0 && port != 22 &&
	    knownhosts_name(host, 22, NULL, q->plain, sizeof(q->plain), e) == -1)
		return -1;
	if (blob == NULL)
		return 0;
	q->keytype = knownhosts_blob_parse(blob, len, &btype, &btlen);
	if (q->keytype == NULL)
		return errmsg_set(e, EINVAL, btype == NULL ?
		    "server host key: malformed key blob" :
		    "server host key: malformed or unsupported \"%s\" key",
		    knownhosts_show((const char *)btype, btlen, show,
		    sizeof(show)));
	if (keytype != NULL &&
	    ((family = knownhosts_type_family(keytype, strlen(keytype))) == NULL ||
	    strcmp(family, q->keytype) != 0))
		return errmsg_set(e, EINVAL,
		    "server host key: announced as \"%s\" but the key is %s",
		    knownhosts_show(keytype, strlen(keytype), show, sizeof(show)),
		    q->keytype);
	q->blob = blob;
	q->blob_len = len;
	return 0;
}

/* Add a warning to r (printf-style), or count it when r is full. */
static void __attribute__((format(printf, 2, 3)))
knownhosts_warn(struct knownhosts_result *r, const char *fmt, ...)
{
	char buf[ERRMSG_MAX + 512];
	va_list ap;

	if (r->nwarnings >= KNOWNHOSTS_WARN_MAX) {
		r->warnings_dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	r->warnings = xreallocarray(r->warnings, r->nwarnings + 1,
	    sizeof(*r->warnings));
	r->warnings[r->nwarnings++] = xstrdup(buf);
}

/* Record file:lineno and ent's key in w, unless w already holds a line. */
static void
knownhosts_record(struct knownhosts_where *w, const char *file,
    unsigned long lineno, const struct knownhosts_entry *ent)
{
	if (w->file != NULL)
		return;
	w->file = xstrdup(file);
	w->line = lineno;
	w->keytype = ent->keytype;
	if (knownhosts_fingerprint(ent->blob, ent->blob_len, w->fingerprint,
	    sizeof(w->fingerprint)) == -1)
		w->fingerprint[0] = '\0';
}

/* The table index of a table type name (a knownhosts_tab[].name). */
static size_t
knownhosts_tab_index(const char *type)
{
	size_t t;

	for (t = 0; t < KNOWNHOSTS_NTYPES - 1; t++)
		if (knownhosts_tab[t].name == type)
			break;
	return t;
}

/* Note a line for the name with a key of another type, in table order. */
static void
knownhosts_record_other(struct knownhosts_result *r, const char *file,
    unsigned long lineno, const struct knownhosts_entry *ent)
{
	size_t i, t = knownhosts_tab_index(ent->keytype);

	for (i = 0; i < r->nother; i++) {
		if (r->other[i].keytype == ent->keytype)
			return;
		if (knownhosts_tab_index(r->other[i].keytype) > t)
			break;
	}
	if (r->nother >= KNOWNHOSTS_NTYPES)
		return;
	memmove(&r->other[i + 1], &r->other[i],
	    (r->nother - i) * sizeof(r->other[0]));
	memset(&r->other[i], 0, sizeof(r->other[i]));
	knownhosts_record(&r->other[i], file, lineno, ent);
	r->nother++;
}

/* Is ent's key the one q looks for? */
static int
knownhosts_same_key(const struct knownhosts_query *q,
    const struct knownhosts_entry *ent)
{
	return q->blob != NULL && ent->blob_len == q->blob_len &&
	    memcmp(ent->blob, q->blob, q->blob_len) == 0;
}

void
knownhosts_scan_line(const struct knownhosts_query *q, const char *file,
    unsigned long lineno, const char *buf, size_t len,
    struct knownhosts_result *r)
{
	struct knownhosts_entry *ent = xmalloc(sizeof(*ent));
	struct errmsg e;
	int rc;

	if (file == NULL)
		file = "-";
	errmsg_clear(&e);
	rc = knownhosts_parse_line(buf, len, ent, &e);
	if (rc == -1)
		knownhosts_warn(r, "%s:%lu: %s", file, lineno, e.text);
	if (rc != 1)
		goto out;
	switch (ent->marker) {
	case KNOWNHOSTS_MARKER_REVOKED:
		/* Revoked for any host: stricter than ssh (see the .h). */
		if (knownhosts_same_key(q, ent))
			knownhosts_record(&r->revoked, file, lineno, ent);
		break;
	case KNOWNHOSTS_MARKER_CA:
		if (knownhosts_entry_matches(ent, q->name))
			r->cert_authority = 1;
		break;
	case KNOWNHOSTS_MARKER_NONE:
		if (knownhosts_entry_matches(ent, q->name)) {
			r->any_for_name = 1;
			if (ent->keytype != q->keytype)
				knownhosts_record_other(r, file, lineno, ent);
			else if (knownhosts_same_key(q, ent))
				knownhosts_record(&r->match, file, lineno, ent);
			else
				knownhosts_record(&r->mismatch, file, lineno, ent);
		} else if (q->plain[0] != '\0' && knownhosts_same_key(q, ent) &&
		    knownhosts_entry_matches(ent, q->plain)) {
			knownhosts_record(&r->portless, file, lineno, ent);
		}
		break;
	}
out:
	free(ent);
}

void
knownhosts_scan_buf(const struct knownhosts_query *q, const char *file,
    const char *buf, size_t len, struct knownhosts_result *r)
{
	const char *nl;
	unsigned long lineno = 0;
	size_t n;

	while (len > 0) {
		nl = memchr(buf, '\n', len);
		n = nl != NULL ? (size_t)(nl - buf) + 1 : len;
		knownhosts_scan_line(q, file, ++lineno, buf, n, r);
		buf += n;
		len -= n;
	}
}

void
knownhosts_finish(struct knownhosts_result *r)
{
	r->via_portless = 0;
	if (r->revoked.file != NULL)
		r->status = KNOWNHOSTS_REVOKED;
	else if (r->match.file != NULL)
		r->status = KNOWNHOSTS_MATCH;
	else if (r->mismatch.file != NULL)
		r->status = KNOWNHOSTS_MISMATCH;
	else if (!r->any_for_name && r->portless.file != NULL) {
		r->status = KNOWNHOSTS_MATCH;
		r->via_portless = 1;
	} else
		r->status = KNOWNHOSTS_NOTFOUND;
}

const struct knownhosts_where *
knownhosts_verdict(const struct knownhosts_result *r)
{
	switch (r->status) {
	case KNOWNHOSTS_MATCH:
		return r->via_portless ? &r->portless : &r->match;
	case KNOWNHOSTS_MISMATCH:
		return &r->mismatch;
	case KNOWNHOSTS_REVOKED:
		return &r->revoked;
	default:
		return NULL;
	}
}

/*
 * Read the file at path line by line into r; see knownhosts_check.  A
 * character device (UserKnownHostsFile /dev/null) reads as empty; other
 * files that are not regular (a FIFO would block) are warned about.
 */
static void
knownhosts_scan_file(const struct knownhosts_query *q, const char *path,
    struct knownhosts_result *r)
{
	unsigned long lineno = 0;
	struct stat st;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int fd;

	/* ssh_config's "none" (and an empty name) mean no file. */
	if (path == NULL || path[0] == '\0' || strcmp(path, "none") == 0)
		return;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		if (errno != ENOENT)
			knownhosts_warn(r, "cannot open %s: %s", path,
			    strerror(errno));
		return;
	}
	if (fstat(fd, &st) == -1) {
		knownhosts_warn(r, "cannot stat %s: %s", path, strerror(errno));
		close(fd);
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		if (!S_ISCHR(st.st_mode))
			knownhosts_warn(r, "cannot read %s: %s", path,
			    S_ISDIR(st.st_mode) ? "it is a directory" :
			    "not a regular file");
		close(fd);
		return;
	}
	if ((f = fdopen(fd, "r")) == NULL) {
		knownhosts_warn(r, "cannot read %s: %s", path, strerror(errno));
		close(fd);
		return;
	}
	while ((n = getline(&line, &cap, f)) != -1)
		knownhosts_scan_line(q, path, ++lineno, line, (size_t)n, r);
	if (ferror(f))
		knownhosts_warn(r, "cannot read %s: %s", path, strerror(errno));
	free(line);
	fclose(f);
}

int
knownhosts_check(const char *const *files, size_t nfiles,
    const char *host, uint16_t port, const char *alias, const char *keytype,
    const uint8_t *blob, size_t len, struct knownhosts_result *r,
    struct errmsg *e)
{
	struct knownhosts_query q;
	size_t i;

	memset(r, 0, sizeof(*r));
	if (knownhosts_query_init(&q, host, port, alias, keytype, blob, len,
	    e) == -1)
		return -1;
	if (blob == NULL)
		return errmsg_set(e, EINVAL, "no server host key to check");
	for (i = 0; i < nfiles; i++)
		knownhosts_scan_file(&q, files[i], r);
	knownhosts_finish(r);
	return 0;
}

int
knownhosts_types(const char *const *files, size_t nfiles,
    const char *host, uint16_t port, const char *alias,
    const char *types[KNOWNHOSTS_NTYPES], size_t *ntypes, struct errmsg *e)
{
	struct knownhosts_result r;
	struct knownhosts_query q;
	size_t i;

	*ntypes = 0;
	memset(&r, 0, sizeof(r));
	if (knownhosts_query_init(&q, host, port, alias, NULL, NULL, 0, e) == -1)
		return -1;
	for (i = 0; i < nfiles; i++)
		knownhosts_scan_file(&q, files[i], &r);
	for (i = 0; i < r.nother; i++)
		types[i] = r.other[i].keytype;
	*ntypes = r.nother;
	knownhosts_result_clear(&r);
	return 0;
}

void
knownhosts_result_clear(struct knownhosts_result *r)
{
	size_t i;

	if (r == NULL)
		return;
	free(r->match.file);
	free(r->mismatch.file);
	free(r->revoked.file);
	free(r->portless.file);
	for (i = 0; i < r->nother && i < KNOWNHOSTS_NTYPES; i++)
		free(r->other[i].file);
	for (i = 0; i < r->nwarnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
	memset(r, 0, sizeof(*r));
}

const char *
knownhosts_status_name(enum knownhosts_status s)
{
	switch (s) {
	case KNOWNHOSTS_MATCH:
		return "match";
	case KNOWNHOSTS_MISMATCH:
		return "mismatch";
	case KNOWNHOSTS_REVOKED:
		return "revoked";
	case KNOWNHOSTS_NOTFOUND:
		return "not found";
	}
	return "unknown";
}

int
knownhosts_format_line(char *buf, size_t size, const char *host,
    uint16_t port, const char *alias, const uint8_t *blob, size_t len,
    int hashed, struct errmsg *e)
{
	char name[KNOWNHOSTS_NAME_MAX], field[128];
	uint8_t salt[KNOWNHOSTS_SALT_LEN];
	const char *type;
	size_t o, n;

	if (size > 0)
		buf[0] = '\0';
	if (knownhosts_name(host, port, alias, name, sizeof(name), e) == -1)
		return -1;
	if (len > KNOWNHOSTS_BLOB_MAX ||
	    (type = knownhosts_blob_type(blob, len)) == NULL)
		return errmsg_set(e, EINVAL, "not a host key that can be saved");
	if (hashed) {
		if (RAND_bytes(salt, sizeof(salt)) != 1 ||
		    knownhosts_hash_name(name, salt, field, sizeof(field)) == -1)
			return errmsg_set(e, EIO, "cannot hash the host name");
		snprintf(name, sizeof(name), "%s", field);
	}
	o = strlen(name) + 1 + strlen(type) + 1;
	if (o >= size)
		return errmsg_set(e, ENOSPC, "known_hosts line too long");
	snprintf(buf, size, "%s %s ", name, type);
	if ((n = knownhosts_b64_encode(blob, len, buf + o, size - o)) == 0) {
		buf[0] = '\0';
		return errmsg_set(e, ENOSPC, "known_hosts line too long");
	}
	return 0;
}

int
knownhosts_manual_line(char *buf, size_t size, const char *host,
    uint16_t port, const char *alias, const uint8_t *blob, size_t len,
    struct errmsg *e)
{
	return knownhosts_format_line(buf, size, host, port, alias, blob, len,
	    0, e);
}

/*
 * Create the directory that holds path (mode 0700) if it is missing; only
 * the last component, as ssh creates ~/.ssh.  Returns 0 or -1 with e set.
 */
static int
knownhosts_mkdir_parent(const char *path, struct errmsg *e)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int rc = 0;

	if (slash == NULL || slash == path)
		return 0;
	dir = xmalloc((size_t)(slash - path) + 1);
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		rc = errmsg_sys(e, errno, "cannot create directory %s", dir);
	free(dir);
	return rc;
}

/*
 * Write the n bytes at buf to fd (O_APPEND, file size0 bytes before) with
 * one write(2).  A short write is truncated away when the file has grown
 * by just that much.  Returns 0 or -1 with e set.
 */
static int
knownhosts_write_all(int fd, const char *path, const char *buf, size_t n,
    off_t size0, struct errmsg *e)
{
	struct stat st;
	ssize_t w;

	do {
		w = write(fd, buf, n);
	} while (w == -1 && errno == EINTR);
	if (w == -1)
		return errmsg_sys(e, errno, "cannot write to %s", path);
	if ((size_t)w == n)
		return 0;
	if (fstat(fd, &st) == 0 && st.st_size == size0 + (off_t)w &&
	    ftruncate(fd, size0) == 0)
		return errmsg_set(e, EIO, "short write to %s (%zd of %zu bytes), "
		    "undone", path, w, n);
	return errmsg_set(e, EIO, "short write to %s (%zd of %zu bytes): "
	    "check the end of the file", path, w, n);
}

int
knownhosts_append(const char *path, const char *line, struct errmsg *e)
{
	struct knownhosts_entry *ent;
	struct errmsg pe;
	struct stat st;
	char *buf, last = '\n';
	size_t len, o = 0;
	int fd, rc;

	len = strlen(line);
	if (strpbrk(line, "\r\n") != NULL)
		return errmsg_set(e, EINVAL, "refusing to add a known_hosts line "
		    "with a line break in it");
	ent = xmalloc(sizeof(*ent));
	rc = knownhosts_parse_line(line, len, ent, &pe);
	free(ent);
	if (rc != 1)
		return errmsg_set(e, EINVAL, "refusing to add an invalid "
		    "known_hosts line: %s", rc == 0 ? "no entry" : pe.text);
	if (knownhosts_mkdir_parent(path, e) == -1)
		return -1;
	fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1)
		return errmsg_sys(e, errno, "cannot open %s", path);
	if (fstat(fd, &st) == -1) {
		rc = errmsg_sys(e, errno, "cannot stat %s", path);
		goto out;
	}
	/* Do not glue the entry onto a last line without its newline. */
	if (st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) != 1) {
		rc = errmsg_sys(e, errno != 0 ? errno : EIO, "cannot read %s",
		    path);
		goto out;
	}
	buf = xmalloc(len + 2);
	if (last != '\n')
		buf[o++] = '\n';
	memcpy(buf + o, line, len);
	o += len;
	buf[o++] = '\n';
	rc = knownhosts_write_all(fd, path, buf, o, st.st_size, e);
	free(buf);
	/* EINVAL: a file that cannot be synced (/dev/null, as a
	 * UserKnownHostsFile that keeps nothing). */
	if (rc == 0 && fsync(fd) == -1 && errno != EINVAL)
		rc = errmsg_sys(e, errno, "cannot sync %s", path);
out:
	if (close(fd) == -1 && rc == 0)
		rc = errmsg_sys(e, errno, "cannot close %s", path);
	return rc;
}
