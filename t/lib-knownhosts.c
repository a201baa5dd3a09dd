/*
 * lib-knownhosts.c: unit tests for lib/knownhosts.c (known_hosts checks).
 * SPDX-License-Identifier: MIT
 *
 * The keys, their fingerprints and the hashed lines below were made once
 * with OpenSSH 9.2's ssh-keygen (-t, -lf and -H) and are kept verbatim, so
 * the code is held to what ssh itself writes and prints.  Files go to a
 * mkdtemp(3) directory under $TMPDIR (or /tmp), removed at the end.
 */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "basic.h"
#include "knownhosts.h"

/* ssh-keygen -t ...; cut -d' ' -f2 KEY.pub; ssh-keygen -lf KEY.pub */
#define ED_A_B64 \
	"AAAAC3NzaC1lZDI1NTE5AAAAICLgC8Cwr5FHRqqpHZbUOqciK1EnjjrgBvmE" \
	"og0Yq6JS"
#define ED_A_FP "SHA256:bIizrzWQzwFgXNP1O6H2ufObwU3NN47t/5eD7ovTQ60"
#define ED_B_B64 \
	"AAAAC3NzaC1lZDI1NTE5AAAAIPuVI6IXlf6K8Vqv4tQW1Wx0Ey0WEUq/qL3B" \
	"M/ovSqlW"
#define ED_B_FP "SHA256:onf7wfKG+zGpnY2RX7SwzoiTEPpYBf/GkrsRwKIB+C8"
#define EC256_B64 \
	"AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBIWv2GWk" \
	"FUcL7Ywxwu/l1owTMKVdSvFnnAkIhQbKyupZ4Hntixkd137GKio/rUUWPgnA" \
	"SXpLgJZlIJLNZ0fc+hA="
#define EC256_FP "SHA256:ZdvSzMgsto/5Ln1phgYH0W2sd6fO/zV43p45YxE6KyQ"
#define EC384_B64 \
	"AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlzdHAzODQAAABhBIfm2Q6m" \
	"wW0zeb1Zwpktv+tQJW1i+hmw7wzQl2HGzQvRWnILS748dZUdHi/lwjQfUfU/" \
	"c+XCOxjGaWnVrg9xaxrWfaE9PELPM/Hd2FLjzCMWN0z6hxMbvITY7mck37Nt" \
	"3w=="
#define EC384_FP "SHA256:FZyzE+FZcCp3oPNeJ/7mPwdNor8e5PoosRIR6++jzw4"
#define EC521_B64 \
	"AAAAE2VjZHNhLXNoYTItbmlzdHA1MjEAAAAIbmlzdHA1MjEAAACFBAG7D128" \
	"KlrAbSsTq0luzMTeChMb8YE7JYYAsk4yY0mJAl+XyOFAYNb5bOKDukdG/65X" \
	"9Xf9S5encT3gvGcNALUXZQGkjVOD7v1gvXRn6zu+52LnRAlD4I1N8m6Y5NgI" \
	"4BE2/Yt+lNkTjPyam02TXtLoNbcCyHYVpyDGT/MG3VkxofUxCg=="
#define EC521_FP "SHA256:x4ogpHTvouZAzQivDv6v+BmnmvmDmBSUW9hIK5nqEX0"
#define RSA1024_B64 \
	"AAAAB3NzaC1yc2EAAAADAQABAAAAgQDcoFEDBNbH+B4MeQED0mGSjNjJbrkK" \
	"XsM+DyHBOF16c/od3GlhAJ/snWwtUcJrqVvyacERtEGA3nkzVaAODvf+E3gQ" \
	"AXc+4/WZLm0NR5Pj6BvfRqP1MV0somwl0IGM/RP8vrbCaBKbAK570FaN2yV0" \
	"fvjBrkKRtuejKAk8zg6vCw=="
#define RSA1024_FP "SHA256:MHTg+J0TY1lvXfAWy1k473mYpPXgY8pVhqFQkMm+qqg"
#define RSA2048_B64 \
	"AAAAB3NzaC1yc2EAAAADAQABAAABAQDRJi/Qlu34xGGxOFxqzqAdHCZTqmSA" \
	"30CPIvAWhjIh86WQHU69DLqOVPeQNdcnnim41rEdVUNoeuJh/QqdP6iqgPhm" \
	"hDLWTxxuMBSqotbxk+ttCIyr7EiWjTC6fiUdSrJDqzeXm0Jk73xxJ5Bx0Sw9" \
	"DkBNaJTGy1/SS4nHnVJvNxNJnDOhdYjuuYnU/quBtBCW3mte8FEiPO39zO5a" \
	"m+IFqgqmEPRcGXpw9JlqOBlWSx8ghscAPqCXF3W7Q7VdeeB4+KwfQaK05jaM" \
	"ByVTA4no6C+OIzuuv7Rn0OWUJcdXEjTUH7Kz96U8e5sgwzJzyRAvcUc39GiR" \
	"1Rtt1OPUGy0R"
#define RSA2048_FP "SHA256:Oaz7ytihs5l7QLg/rhh0q5zko07FVIpEN2ZRoSuaKRw"
#define DSA_B64 \
	"AAAAB3NzaC1kc3MAAACBAONQxr0su8VMrgjDPxWYUgo+AKXiOqjxB1AA6wpR" \
	"VRHvCKF8BQU+soOjnpTH4WnBw7vGhOfWvQ5gJRvZQJMv+wddjMuK53lMRnh3" \
	"X7whfTcW5jsmdvgslN+6PNOw0zOi501jo2TwwUecrRXiNT8NMdPiXWM2u5V+" \
	"uQ5sipCOqfptAAAAFQDH5XzMO10LBLIIUJpMlYKZ6BNxFQAAAIBzUY9pLGxh" \
	"3IfZBWYwtzd8+M0M+EDZbVsqDCBNBOnaTKD3ZUZxhlZS2PO+4Sl2mORMqw7Z" \
	"6pSJ3Bkm13KFxGlO5jPQsOMKIK0UQMrwpqW2M5+zUB9fbJD5rclSDPf7sBd8" \
	"h1oABQO0+q45d4KGI6M4kQErM2mxUrr7t/+pCYHYdgAAAIEA0iVoYaN7Nj3+" \
	"q/n7E/xiVufwJNCdyHTE4k0NMFzA98CUpXgdbp4Bms4ufMi8taSZHHI+0J0t" \
	"PSW58gRePhcSAbEb2x89op95g2bse6BDKSY3UpEqbTh8+9/N4HtpkiKVUSAO" \
	"PcxFVYZ3pBXDYz4DVY0884IFOj1kgd+NABfLyYc="
#define DSA_FP "SHA256:Moc4Wiw6uyDpf9XTeCCQwqNIHa0aQs1+1zVD6aD74rg"

/*
 * printf 'db.example.com ssh-ed25519 ED_A\n[bastion.example.net]:2222
 * ssh-ed25519 ED_A\n' > kh; ssh-keygen -H -f kh
 */
#define HASHED_DB "|1|l3we2SwbP5FoFxttYvvFXhfxpKE=|xZyWaPdGJqaSGASLtEppEUos69U="
#define HASHED_DB_NAME "db.example.com"
#define HASHED_BASTION "|1|dxRfO5F2pMM1TF1JZDnhlzINHd8=|VzY6j8sXoqPfDkJYnyUYO7JfWdk="
#define HASHED_BASTION_NAME "[bastion.example.net]:2222"

enum { K_EDA, K_EDB, K_EC256, K_EC384, K_EC521, K_RSA1024, K_RSA2048, K_DSA,
	K_N };

struct key {
	const char *type;
	const char *b64;
	const char *fp;
	uint8_t blob[1024];
	size_t len;
};

static struct key keys[K_N] = {
	{ "ssh-ed25519", ED_A_B64, ED_A_FP, { 0 }, 0 },
	{ "ssh-ed25519", ED_B_B64, ED_B_FP, { 0 }, 0 },
	{ "ecdsa-sha2-nistp256", EC256_B64, EC256_FP, { 0 }, 0 },
	{ "ecdsa-sha2-nistp384", EC384_B64, EC384_FP, { 0 }, 0 },
	{ "ecdsa-sha2-nistp521", EC521_B64, EC521_FP, { 0 }, 0 },
	{ "ssh-rsa", RSA1024_B64, RSA1024_FP, { 0 }, 0 },
	{ "ssh-rsa", RSA2048_B64, RSA2048_FP, { 0 }, 0 },
	{ "ssh-dss", DSA_B64, DSA_FP, { 0 }, 0 },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static char tmpdir[512];

/* Decode every key's base64 with OpenSSL directly (not the code under test). */
static void
decode_keys(void)
{
	size_t i, n;
	int got;

	for (i = 0; i < K_N; i++) {
		n = strlen(keys[i].b64);
		if (n / 4 * 3 > sizeof(keys[i].blob))
			bail("key %zu too long", i);
		got = EVP_DecodeBlock(keys[i].blob, (const unsigned char *)keys[i].b64,
		    (int)n);
		if (got < 0)
			bail("cannot decode key %zu", i);
		keys[i].len = (size_t)got - (keys[i].b64[n - 1] == '=') -
		    (keys[i].b64[n - 2] == '=');
	}
}

/* A path in the test directory, in a static buffer (one of four in turn). */
static const char *
tpath(const char *name)
{
	static char buf[4][700];
	static int n;
	char *p = buf[n++ % 4];

	snprintf(p, sizeof(buf[0]), "%s/%s", tmpdir, name);
	return p;
}

/* Write text to the file name in the test directory; returns its path. */
static const char *
put_file(const char *name, const char *text)
{
	const char *path = tpath(name);
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) == EOF || fclose(f) == EOF)
		sysbail("write %s", path);
	return path;
}

/* The contents of path, as a string to free, or NULL. */
static char *
get_file(const char *path)
{
	char *buf = NULL;
	size_t cap = 0;
	FILE *f = fopen(path, "r");
	ssize_t n;

	if (f == NULL)
		return NULL;
	n = getdelim(&buf, &cap, '\0', f);
	fclose(f);
	if (n < 0) {
		free(buf);
		return calloc(1, 1);
	}
	return buf;
}

/* nftw callback: remove everything under the test directory. */
static int
remove_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	chmod(path, 0700);
	return remove(path);
}

/* Parse s (its strlen, or len bytes) from an exact-size heap copy. */
static int
parse(const char *s, size_t len, struct knownhosts_entry *ent,
    struct errmsg *e)
{
	static char *copy;

	free(copy);
	copy = malloc(len > 0 ? len : 1);
	if (copy == NULL)
		sysbail("malloc");
	memcpy(copy, s, len);
	errmsg_clear(e);
	return knownhosts_parse_line(copy, len, ent, e);
}

/* The n bytes at p as a string in a static buffer (one of two in turn). */
static const char *
str(const char *p, size_t n)
{
	static char buf[2][4096];
	static int i;
	char *b = buf[i++ % 2];

	if (p == NULL)
		return "(null)";
	snprintf(b, sizeof(buf[0]), "%.*s", (int)n, p);
	return b;
}

/* Append an SSH string (n bytes at s) to b at *o. */
static void
put_string(uint8_t *b, size_t *o, const void *s, size_t n)
{
	b[(*o)++] = (uint8_t)(n >> 24);
	b[(*o)++] = (uint8_t)(n >> 16);
	b[(*o)++] = (uint8_t)(n >> 8);
	b[(*o)++] = (uint8_t)n;
	memcpy(b + *o, s, n);
	*o += n;
}

/* The fingerprints are what ssh-keygen -lf prints. */
static void
test_fingerprints(void)
{
	char fp[KNOWNHOSTS_FP_MAX];
	size_t i;
	int rc;

	for (i = 0; i < K_N; i++) {
		rc = knownhosts_fingerprint(keys[i].blob, keys[i].len, fp,
		    sizeof(fp));
		is_int(0, rc, "fingerprint of key %zu", i);
		is_string(keys[i].fp, fp, "key %zu fingerprint as ssh-keygen -lf", i);
	}
	rc = knownhosts_fingerprint(keys[K_EDA].blob, keys[K_EDA].len, fp, 51);
	ok(rc == 0 && strlen(fp) == 50, "a 51-byte buffer holds a fingerprint");
	memset(fp, 'x', sizeof(fp));
	rc = knownhosts_fingerprint(keys[K_EDA].blob, keys[K_EDA].len, fp, 50);
	ok(rc == -1 && fp[0] == '\0', "a 50-byte buffer is refused, left empty");
	rc = knownhosts_fingerprint((const uint8_t *)"", 0, fp, sizeof(fp));
	is_string("SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU", fp,
	    "fingerprint of nothing is SHA-256 of nothing");
}

struct family_case {
	const char *name;
	size_t len;		/* 0: strlen */
	const char *family;
};

static const struct family_case family_cases[] = {
	{ "ssh-ed25519", 0, "ssh-ed25519" },
	{ "ecdsa-sha2-nistp256", 0, "ecdsa-sha2-nistp256" },
	{ "ecdsa-sha2-nistp384", 0, "ecdsa-sha2-nistp384" },
	{ "ecdsa-sha2-nistp521", 0, "ecdsa-sha2-nistp521" },
	{ "ssh-rsa", 0, "ssh-rsa" },
	{ "rsa-sha2-256", 0, "ssh-rsa" },
	{ "rsa-sha2-512", 0, "ssh-rsa" },
	{ "ssh-dss", 0, "ssh-dss" },
	{ "ssh-rsaX", 7, "ssh-rsa" },
	{ "rsa-sha2-5122", 12, "ssh-rsa" },
	{ "SSH-RSA", 0, NULL },
	{ "ssh-rs", 0, NULL },
	{ "ssh-rsa ", 0, NULL },
	{ "rsa-sha2-384", 0, NULL },
	{ "ecdsa-sha2-nistp224", 0, NULL },
	{ "ssh-ed25519-cert-v01@openssh.com", 0, NULL },
	{ "sk-ssh-ed25519@openssh.com", 0, NULL },
	{ "ssh-ed448", 0, NULL },
	{ "", 0, NULL },
};

/* Type names and blob types. */
static void
test_types(void)
{
	static uint8_t big[KNOWNHOSTS_BLOB_MAX], bigmp[2100];
	uint8_t b[600];
	uint8_t zero32[32] = { 0 }, point[65], mp[300];
	const struct family_case *c;
	size_t i, o;

	for (i = 0; i < N(family_cases); i++) {
		c = &family_cases[i];
		is_string(c->family, knownhosts_type_family(c->name,
		    c->len ? c->len : strlen(c->name)), "type family of \"%s\"/%zu",
		    c->name, c->len);
	}
	for (i = 0; i < K_N; i++) {
		is_string(keys[i].type, knownhosts_blob_type(keys[i].blob,
		    keys[i].len), "blob type of key %zu", i);
		ok(knownhosts_blob_type(keys[i].blob, keys[i].len - 1) == NULL,
		    "key %zu cut by one byte is not a key", i);
		memcpy(b, keys[i].blob, keys[i].len);
		b[keys[i].len] = 0;
		ok(knownhosts_blob_type(b, keys[i].len + 1) == NULL,
		    "key %zu with a byte after it is not a key", i);
	}
	ok(knownhosts_blob_type(NULL, 0) == NULL, "NULL is not a key");
	ok(knownhosts_blob_type(b, 0) == NULL, "nothing is not a key");
	ok(knownhosts_blob_type((const uint8_t *)"\0\0\0\x0bssh-ed255", 13) ==
	    NULL, "a type string running past the end is not a key");

	/* Crafted blobs, one field wrong at a time. */
	o = 0;
	put_string(b, &o, "ssh-ed25519", 11);
	put_string(b, &o, zero32, 32);
	is_string("ssh-ed25519", knownhosts_blob_type(b, o),
	    "crafted ed25519 blob is a key");
	o = 0;
	put_string(b, &o, "ssh-ed25519", 11);
	put_string(b, &o, zero32, 31);
	ok(knownhosts_blob_type(b, o) == NULL, "ed25519 with 31 key bytes");
	o = 0;
	put_string(b, &o, "ssh-foo", 7);
	put_string(b, &o, zero32, 32);
	ok(knownhosts_blob_type(b, o) == NULL, "an unknown type is not a key");
	memset(point, 0x11, sizeof(point));
	point[0] = 0x04;
	o = 0;
	put_string(b, &o, "ecdsa-sha2-nistp256", 19);
	put_string(b, &o, "nistp256", 8);
	put_string(b, &o, point, 65);
	is_string("ecdsa-sha2-nistp256", knownhosts_blob_type(b, o),
	    "crafted nistp256 blob is a key");
	o = 0;
	put_string(b, &o, "ecdsa-sha2-nistp256", 19);
	put_string(b, &o, "nistp384", 8);
	put_string(b, &o, point, 65);
	ok(knownhosts_blob_type(b, o) == NULL, "nistp256 type, nistp384 curve");
	o = 0;
	put_string(b, &o, "ecdsa-sha2-nistp256", 19);
	put_string(b, &o, "nistp256", 8);
	put_string(b, &o, point, 64);
	ok(knownhosts_blob_type(b, o) == NULL, "nistp256 with a 64-byte point");
	point[0] = 0x02;
	o = 0;
	put_string(b, &o, "ecdsa-sha2-nistp256", 19);
	put_string(b, &o, "nistp256", 8);
	put_string(b, &o, point, 65);
	ok(knownhosts_blob_type(b, o) == NULL, "nistp256 with a compressed point");

	/* RSA: e > 0, n of 1024 to 16384 bits, mpints non-negative. */
	memset(mp, 0xff, sizeof(mp));
	mp[0] = 0x00;
	o = 0;
	put_string(b, &o, "ssh-rsa", 7);
	put_string(b, &o, "\x01\x00\x01", 3);
	put_string(b, &o, mp, 129);
	is_string("ssh-rsa", knownhosts_blob_type(b, o),
	    "1024-bit RSA modulus (with its 0x00 prefix) is a key");
	o = 0;
	put_string(b, &o, "ssh-rsa", 7);
	put_string(b, &o, "\x01\x00\x01", 3);
	put_string(b, &o, mp + 1, 127);
	ok(knownhosts_blob_type(b, o) == NULL, "1016-bit RSA is too small");
	mp[1] = 0x7f;
	o = 0;
	put_string(b, &o, "ssh-rsa", 7);
	put_string(b, &o, "\x01\x00\x01", 3);
	put_string(b, &o, mp + 1, 128);
	ok(knownhosts_blob_type(b, o) == NULL, "1023-bit RSA is too small");
	mp[1] = 0xff;
	o = 0;
	put_string(b, &o, "ssh-rsa", 7);
	put_string(b, &o, "\x81", 1);
	put_string(b, &o, mp, 129);
	ok(knownhosts_blob_type(b, o) == NULL, "negative RSA exponent");
	o = 0;
	put_string(b, &o, "ssh-rsa", 7);
	put_string(b, &o, "", 0);
	put_string(b, &o, mp, 129);
	ok(knownhosts_blob_type(b, o) == NULL, "zero RSA exponent");
	o = 0;
	put_string(b, &o, "ssh-rsa", 7);
	put_string(b, &o, "\x01\x00\x01", 3);
	put_string(b, &o, mp + 1, 128);
	ok(knownhosts_blob_type(b, o) == NULL,
	    "RSA modulus with the high bit set and no 0x00 prefix is negative");

	/* 16384 bits is the most: 2049 bytes, the first one 0x00. */
	memset(bigmp, 0xff, sizeof(bigmp));
	bigmp[0] = 0x00;
	o = 0;
	put_string(big, &o, "ssh-rsa", 7);
	put_string(big, &o, "\x01\x00\x01", 3);
	put_string(big, &o, bigmp, 2049);
	is_string("ssh-rsa", knownhosts_blob_type(big, o),
	    "16384-bit RSA is a key");
	bigmp[1] = 0x7f;
	o = 0;
	put_string(big, &o, "ssh-rsa", 7);
	put_string(big, &o, "\x01\x00\x01", 3);
	put_string(big, &o, bigmp + 1, 2048);
	is_string("ssh-rsa", knownhosts_blob_type(big, o),
	    "16383-bit RSA is a key");
	bigmp[0] = 0x01;
	o = 0;
	put_string(big, &o, "ssh-rsa", 7);
	put_string(big, &o, "\x01\x00\x01", 3);
	put_string(big, &o, bigmp, 2049);
	ok(knownhosts_blob_type(big, o) == NULL, "16385-bit RSA is too big");
	o = 0;
	put_string(big, &o, "ssh-rsa", 7);
	put_string(big, &o, bigmp, 2049);
	put_string(big, &o, mp, 129);
	ok(knownhosts_blob_type(big, o) == NULL,
	    "an exponent of 2049 bytes without a 0x00 prefix is too big");
	bigmp[0] = 0x00;
	o = 0;
	put_string(big, &o, "ssh-rsa", 7);
	put_string(big, &o, bigmp, 2049);
	put_string(big, &o, mp, 129);
	is_string("ssh-rsa", knownhosts_blob_type(big, o),
	    "an exponent of 2049 bytes with its 0x00 prefix is taken");
	memset(bigmp, 0, 3);
	bigmp[3] = 0x80;
	o = 0;
	put_string(big, &o, "ssh-rsa", 7);
	put_string(big, &o, "\x01\x00\x01", 3);
	put_string(big, &o, bigmp, 2050);
	ok(knownhosts_blob_type(big, o) == NULL,
	    "an mpint of 2050 bytes is refused even with leading zeros");

	/* DSA: four positive mpints. */
	o = 0;
	put_string(b, &o, "ssh-dss", 7);
	put_string(b, &o, "\x05", 1);
	put_string(b, &o, "\x05", 1);
	put_string(b, &o, "\x05", 1);
	put_string(b, &o, "\x05", 1);
	is_string("ssh-dss", knownhosts_blob_type(b, o), "crafted DSA blob");
	o -= 5;
	put_string(b, &o, "", 0);
	ok(knownhosts_blob_type(b, o) == NULL, "DSA with a zero y");
	o -= 4;
	ok(knownhosts_blob_type(b, o) == NULL, "DSA with three mpints");
}

struct parse_case {
	const char *in;
	size_t len;		/* 0: strlen(in) */
	int rc;
	enum knownhosts_marker marker;
	const char *hosts, *type, *keytype;
	int key;		/* index into keys[] */
	const char *comment;
	const char *msg;	/* when rc is -1 */
};

#define ED " " ED_A_B64
#define OK(in, m, h, t, kt, k, c) { in, 0, 1, m, h, t, kt, k, c, NULL }
#define SKIP(in) { in, 0, 0, 0, NULL, NULL, NULL, 0, NULL, NULL }
#define BAD(in, msg) { in, 0, -1, 0, NULL, NULL, NULL, 0, NULL, msg }
#define NONE KNOWNHOSTS_MARKER_NONE

static const struct parse_case parse_cases[] = {
	OK("db ssh-ed25519" ED, NONE, "db", "ssh-ed25519", "ssh-ed25519", K_EDA,
	    ""),
	OK("db ssh-ed25519" ED " db@example", NONE, "db", "ssh-ed25519",
	    "ssh-ed25519", K_EDA, "db@example"),
	OK("db\tssh-ed25519\t\t" ED_A_B64 " \t c  d \t", NONE, "db",
	    "ssh-ed25519", "ssh-ed25519", K_EDA, "c  d"),
	OK("  \t db ssh-ed25519" ED "\r\n", NONE, "db", "ssh-ed25519",
	    "ssh-ed25519", K_EDA, ""),
	OK("db ssh-ed25519" ED " note\r\n", NONE, "db", "ssh-ed25519",
	    "ssh-ed25519", K_EDA, "note"),
	OK("db ssh-ed25519" ED "\n", NONE, "db", "ssh-ed25519", "ssh-ed25519",
	    K_EDA, ""),
	OK("db ssh-ed25519" ED " note \r\r\n", NONE, "db", "ssh-ed25519",
	    "ssh-ed25519", K_EDA, "note"),
	OK("db ssh-ed25519" ED " a\rb", NONE, "db", "ssh-ed25519",
	    "ssh-ed25519", K_EDA, "a\rb"),
	OK("db ssh-ed25519" ED " note\r", NONE, "db", "ssh-ed25519",
	    "ssh-ed25519", K_EDA, "note"),
	OK("db ssh-ed25519" ED " #not a comment", NONE, "db", "ssh-ed25519",
	    "ssh-ed25519", K_EDA, "#not a comment"),
	OK("db,10.0.0.1,[db]:2222 ssh-ed25519" ED, NONE, "db,10.0.0.1,[db]:2222",
	    "ssh-ed25519", "ssh-ed25519", K_EDA, ""),
	OK("a,,b ssh-ed25519" ED, NONE, "a,,b", "ssh-ed25519", "ssh-ed25519",
	    K_EDA, ""),
	OK("!a,b ssh-ed25519" ED, NONE, "!a,b", "ssh-ed25519", "ssh-ed25519",
	    K_EDA, ""),
	OK("@revoked * ssh-ed25519" ED, KNOWNHOSTS_MARKER_REVOKED, "*",
	    "ssh-ed25519", "ssh-ed25519", K_EDA, ""),
	OK("@revoked\t\t* ssh-ed25519" ED, KNOWNHOSTS_MARKER_REVOKED, "*",
	    "ssh-ed25519", "ssh-ed25519", K_EDA, ""),
	OK("  @revoked * ssh-ed25519" ED, KNOWNHOSTS_MARKER_REVOKED, "*",
	    "ssh-ed25519", "ssh-ed25519", K_EDA, ""),
	OK("@cert-authority *.example.com ssh-ed25519" ED " ca",
	    KNOWNHOSTS_MARKER_CA, "*.example.com", "ssh-ed25519", "ssh-ed25519",
	    K_EDA, "ca"),
	OK("db rsa-sha2-512 " RSA2048_B64, NONE, "db", "rsa-sha2-512", "ssh-rsa",
	    K_RSA2048, ""),
	OK("db rsa-sha2-256 " RSA1024_B64 " x", NONE, "db", "rsa-sha2-256",
	    "ssh-rsa", K_RSA1024, "x"),
	OK("db ssh-rsa " RSA1024_B64, NONE, "db", "ssh-rsa", "ssh-rsa",
	    K_RSA1024, ""),
	OK("db ecdsa-sha2-nistp256 " EC256_B64, NONE, "db",
	    "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256", K_EC256, ""),
	OK("db ecdsa-sha2-nistp384 " EC384_B64, NONE, "db",
	    "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384", K_EC384, ""),
	OK("db ecdsa-sha2-nistp521 " EC521_B64, NONE, "db",
	    "ecdsa-sha2-nistp521", "ecdsa-sha2-nistp521", K_EC521, ""),
	OK("db ssh-dss " DSA_B64, NONE, "db", "ssh-dss", "ssh-dss", K_DSA, ""),
	OK(HASHED_DB " ssh-ed25519" ED, NONE, HASHED_DB, "ssh-ed25519",
	    "ssh-ed25519", K_EDA, ""),

	SKIP(""), SKIP(" "), SKIP("\t \t"), SKIP("\n"), SKIP("\r\n"),
	SKIP(" \r\n"), SKIP("#"), SKIP("# x"), SKIP("   # db ssh-ed25519" ED),
	SKIP("\t#\r\n"),

	BAD("@revoked @cert-authority * ssh-ed25519" ED, "more than one marker"),
	BAD("@revoked @revoked * ssh-ed25519" ED, "more than one marker"),
	BAD("@REVOKED * ssh-ed25519" ED, "unknown marker \"@REVOKED\""),
	BAD("@revoked", "missing host names"),
	BAD("@revoked   ", "missing host names"),
	BAD("@revoked\r\n", "missing host names"),
	BAD("@ db ssh-ed25519" ED, "unknown marker \"@\""),
	BAD("@revoked* ssh-ed25519" ED, "unknown marker \"@revoked*\""),
	BAD("@foo\x1b db", "unknown marker \"@foo\\x1b\""),
	BAD("db", "missing key type"),
	BAD("db  ", "missing key type"),
	BAD("db\n", "missing key type"),
	BAD("db #ssh-ed25519" ED, "missing key type"),
	BAD("db ssh-ed25519", "missing key"),
	BAD("db ssh-ed25519 \t", "missing key"),
	BAD("db ssh-ed25519\r\n", "missing key"),
	BAD("db ssh-foo" ED, "unknown key type \"ssh-foo\""),
	BAD("db SSH-ED25519" ED, "unknown key type \"SSH-ED25519\""),
	BAD("db ssh-ed25519-cert-v01@openssh.com" ED,
	    "unknown key type \"ssh-ed25519-cert-v01@openssh.com\""),
	BAD("db ssh-ed25519 AAAA", "malformed key blob"),
	BAD("db ssh-ed25519 AA==", "malformed key blob"),
	BAD("db ssh-ed25519 AAAAC3Nz aC1lZDI1NTE5", "malformed key blob"),
	BAD("db ssh-ed25519" ED "=", "bad base64 in the key"),
	BAD("db ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICLgC8Cwr5FHRqqpHZbUOqciK1"
	    "EnjjrgBvmEog0Yq6J*", "bad base64 in the key"),
	BAD("db ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICLgC8Cwr5FHRqqpHZbUOqciK1"
	    "EnjjrgBvmEog0Yq6J", "bad base64 in the key"),
	BAD("db ssh-ed25519 ====", "bad base64 in the key"),
	BAD("db ssh-ed25519 A===", "bad base64 in the key"),
	BAD("db ssh-ed25519 AB==", "bad base64 in the key"),
	BAD("db ssh-ed25519 AAB=", "bad base64 in the key"),
	BAD("db ssh-ed25519 A=AA", "bad base64 in the key"),
	BAD("db ssh-rsa" ED, "key type \"ssh-rsa\" does not match the key's "
	    "\"ssh-ed25519\""),
	BAD("db ecdsa-sha2-nistp384 " EC256_B64, "key type "
	    "\"ecdsa-sha2-nistp384\" does not match the key's "
	    "\"ecdsa-sha2-nistp256\""),
	BAD("db rsa-sha2-256 " DSA_B64, "key type \"rsa-sha2-256\" does not "
	    "match the key's \"ssh-dss\""),
	BAD(", ssh-ed25519" ED, "empty host pattern list \",\""),
	BAD("! ssh-ed25519" ED, "empty host pattern list \"!\""),
	BAD(",,!, ssh-ed25519" ED, "empty host pattern list \",,!,\""),
	BAD("@revoked , ssh-ed25519" ED, "empty host pattern list \",\""),
	BAD("|1|bad|bad ssh-ed25519" ED, "bad hashed host name \"|1|bad|bad\""),
	BAD("|2|l3we2SwbP5FoFxttYvvFXhfxpKE=|xZyWaPdGJqaSGASLtEppEUos69U= "
	    "ssh-ed25519" ED, "bad hashed host name \"|2|l3we2SwbP5FoFxttYvvFXhf"
	    "xpKE=|xZyWaPdG\""),
	BAD(HASHED_DB "x ssh-ed25519" ED, "bad hashed host name \"|1|l3we2Swb"
	    "P5FoFxttYvvFXhfxpKE=|xZyWaPdG\""),
	BAD("|1|l3we2SwbP5FoFxttYvvFXhfxpKE= ssh-ed25519" ED,
	    "bad hashed host name \"|1|l3we2SwbP5FoFxttYvvFXhfxpKE=\""),
	BAD("|1||xZyWaPdGJqaSGASLtEppEUos69U= ssh-ed25519" ED,
	    "bad hashed host name \"|1||xZyWaPdGJqaSGASLtEppEUos69U=\""),
	BAD("|1|AAAA|xZyWaPdGJqaSGASLtEppEUos69U= ssh-ed25519" ED,
	    "bad hashed host name \"|1|AAAA|xZyWaPdGJqaSGASLtEppEUos69U=\""),
	BAD(HASHED_DB "|x ssh-ed25519" ED, "bad hashed host name \"|1|l3we2Swb"
	    "P5FoFxttYvvFXhfxpKE=|xZyWaPdG\""),
	BAD("| ssh-ed25519" ED, "bad hashed host name \"|\""),
	{ "db ssh-ed25519" ED "\0x", sizeof("db ssh-ed25519" ED "\0x") - 1, -1,
	  0, NULL, NULL, NULL, 0, NULL, "NUL byte in the line" },
	{ "db\0 ssh-ed25519" ED, sizeof("db\0 ssh-ed25519" ED) - 1, -1, 0, NULL,
	  NULL, NULL, 0, NULL, "NUL byte in the line" },
	BAD("db ssh-ed25519" ED "\nx", "newline inside the line"),
	BAD("db ssh-ed25519" ED "\n\n", "newline inside the line"),
};

/* Check one parse case. */
static void
check_parse_case(size_t i, const struct parse_case *c)
{
	struct knownhosts_entry ent;
	struct errmsg e;
	size_t len = c->len ? c->len : strlen(c->in);
	int rc;

	rc = parse(c->in, len, &ent, &e);
	if (!is_int(c->rc, rc, "parse case %zu: rc", i))
		diag("line: %s (%s)", str(c->in, len), e.text);
	if (c->rc == -1) {
		is_string(c->msg, e.text, "parse case %zu: message", i);
		return;
	}
	if (c->rc == 0)
		return;
	is_int(c->marker, ent.marker, "parse case %zu: marker", i);
	is_string(c->hosts, str(ent.hosts, ent.hosts_len), "parse case %zu: hosts",
	    i);
	is_string(c->type, str(ent.type, ent.type_len), "parse case %zu: type", i);
	is_string(c->keytype, ent.keytype, "parse case %zu: key type", i);
	ok(ent.blob_len == keys[c->key].len &&
	    memcmp(ent.blob, keys[c->key].blob, ent.blob_len) == 0,
	    "parse case %zu: the key blob", i);
	is_string(c->comment, str(ent.comment, ent.comment_len),
	    "parse case %zu: comment", i);
	is_int(c->hosts[0] == '|', ent.hashed, "parse case %zu: hashed", i);
}

/* Line parsing: the table, pointers, prefixes and sizes. */
static void
test_parse(void)
{
	static const char line[] = "db ssh-ed25519" ED " c";
	struct knownhosts_entry ent;
	struct errmsg e;
	char *big;
	size_t i, keyend = strlen("db ssh-ed25519" ED), bad = 0;
	int rc;

	for (i = 0; i < N(parse_cases); i++)
		check_parse_case(i, &parse_cases[i]);

	/* The pointers point into the buffer, at the right bytes. */
	rc = knownhosts_parse_line(line, sizeof(line) - 1, &ent, &e);
	ok(rc == 1 && ent.hosts == line && ent.type == line + 3 &&
	    ent.comment == line + sizeof(line) - 2 && ent.comment_len == 1,
	    "fields point into the line");

	/* Every prefix: nothing, refused, or the entry without its comment. */
	for (i = 0; i <= sizeof(line) - 1; i++) {
		rc = parse(line, i, &ent, &e);
		if (i == 0 ? rc != 0 : i < keyend ? rc != -1 || e.text[0] == '\0' :
		    rc != 1 || ent.comment_len != (i == sizeof(line) - 1) ||
		    ent.blob_len != keys[K_EDA].len)
			bad++;
	}
	is_int(0, bad, "every prefix of a line parses as it should");

	/* EC256's key without its padding. */
	big = malloc(20000);
	if (big == NULL)
		sysbail("malloc");
	snprintf(big, 20000, "db ecdsa-sha2-nistp256 %s", EC256_B64);
	big[strlen(big) - 1] = '\0';
	rc = parse(big, strlen(big), &ent, &e);
	is_string("bad base64 in the key", e.text, "unpadded base64 is refused");

	/* A key over KNOWNHOSTS_BLOB_MAX is refused before decoding. */
	memcpy(big, "db ssh-rsa ", 11);
	memset(big + 11, 'A', 12000);
	big[11 + 12000] = '\0';
	rc = parse(big, strlen(big), &ent, &e);
	is_string("key too long (12000 base64 bytes)", e.text,
	    "a 9000-byte key is refused");
	free(big);

	/* A line can also be handed over without a NUL after it. */
	rc = knownhosts_parse_line("db ssh-ed25519" ED " comment", keyend, &ent,
	    &e);
	ok(rc == 1 && ent.comment_len == 0, "len bounds the line");
}

struct match_case {
	const char *pattern, *name;
	int want;
};

static const struct match_case pattern_cases[] = {
	{ "*", "anything", 1 },
	{ "*", "", 1 },
	{ "", "", 1 },
	{ "", "a", 0 },
	{ "a", "", 0 },
	{ "?", "a", 1 },
	{ "?", "", 0 },
	{ "?", "ab", 0 },
	{ "??", "ab", 1 },
	{ "a?c", "abc", 1 },
	{ "a?c", "ac", 0 },
	{ "*.example.com", "db.example.com", 1 },
	{ "*.example.com", "a.b.example.com", 1 },
	{ "*.example.com", "example.com", 0 },
	{ "*.example.com", "db.example.com.evil", 0 },
	{ "db*", "db", 1 },
	{ "db*", "d", 0 },
	{ "**db", "db", 1 },
	{ "d*b*c", "dxxbyyc", 1 },
	{ "d*b*c", "dxxbyy", 0 },
	{ "*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0 },
	{ "*?", "", 0 },
	{ "*?", "x", 1 },
	{ "DB.Example.COM", "db.example.com", 1 },
	{ "db.example.com", "DB.EXAMPLE.COM", 1 },
	{ "db.example.com", "db.example.co", 0 },
	{ "[db]:2222", "[db]:2222", 1 },
	{ "[db]:*", "[db]:2222", 1 },
	{ "db", "[db]:2222", 0 },
	{ "[db]:22", "[db]:2222", 0 },
	{ "[db]:2222", "db", 0 },
	{ "10.0.0.?", "10.0.0.1", 1 },
	{ "10.0.0.?", "10.0.0.10", 0 },
	{ "\xc3\x84", "\xc3\xa4", 0 },
	{ "\xc3\x84", "\xc3\x84", 1 },
};

static const struct match_case list_cases[] = {
	{ "a,b,c", "b", 1 },
	{ "a,b", "c", 0 },
	{ "a,", "a", 1 },
	{ "a,", "", 0 },
	{ "a,,", "", 1 },
	{ ",a", "a", 1 },
	{ "a,,b", "", 1 },
	{ "*.example.com,!bad.example.com", "bad.example.com", -1 },
	{ "*.example.com,!bad.example.com", "good.example.com", 1 },
	{ "!bad.example.com,*.example.com", "bad.example.com", -1 },
	{ "!bad.example.com,*.example.com", "good.example.com", 1 },
	{ "!bad", "good", 0 },
	{ "!bad", "bad", -1 },
	{ "!*", "anything", -1 },
	{ "a,!a", "a", -1 },
	{ "!A", "a", -1 },
	{ "!", "", -1 },
	{ "[db]:2222,db", "[db]:2222", 1 },
	{ "db,[db]:2222", "db", 1 },
	{ "*,!*:2222", "[db]:2222", -1 },
	{ "*,!*:2222", "[db]:22222", 1 },
};

/* Wildcards, negation and the long-pattern rule. */
static void
test_patterns(void)
{
	const struct match_case *c;
	char *list, *name;
	size_t i;

	for (i = 0; i < N(pattern_cases); i++) {
		c = &pattern_cases[i];
		is_int(c->want, knownhosts_match_pattern(c->pattern,
		    strlen(c->pattern), c->name, strlen(c->name)),
		    "pattern \"%s\" vs \"%s\"", c->pattern, c->name);
	}
	for (i = 0; i < N(list_cases); i++) {
		c = &list_cases[i];
		is_int(c->want, knownhosts_match_list(c->pattern, strlen(c->pattern),
		    c->name, strlen(c->name)), "list \"%s\" vs \"%s\"", c->pattern,
		    c->name);
	}
	ok(knownhosts_match_pattern("db*", 2, "dbx", 3) == 0,
	    "plen bounds the pattern");
	ok(knownhosts_match_pattern("db", 2, "dbx", 2) == 1,
	    "nlen bounds the name");
	ok(knownhosts_match_list("a,b", 1, "b", 1) == 0, "len bounds the list");

	/* A sub-pattern of 1023 bytes or more: the list does not match. */
	list = malloc(1100);
	name = malloc(1100);
	if (list == NULL || name == NULL)
		sysbail("malloc");
	memset(name, 'a', 1100);
	memcpy(list, "a,", 2);
	memset(list + 2, 'a', 1022);
	is_int(1, knownhosts_match_list(list, 1024, name, 1022),
	    "a 1022-byte pattern matches");
	memset(list + 2, 'a', 1023);
	is_int(0, knownhosts_match_list(list, 1025, name, 1023),
	    "a 1023-byte pattern makes the list fail, as in OpenSSH");
	is_int(0, knownhosts_match_list(list, 1025, "a", 1),
	    "even where an earlier pattern matched");
	free(list);
	free(name);
}

struct name_case {
	const char *host;
	unsigned port;
	const char *alias;
	const char *want;	/* NULL: refused with msg */
	const char *msg;
};

static const struct name_case name_cases[] = {
	{ "db.example.com", 22, NULL, "db.example.com", NULL },
	{ "db.example.com", 0, NULL, "db.example.com", NULL },
	{ "db.example.com", 2222, NULL, "[db.example.com]:2222", NULL },
	{ "DB.Example.COM", 2222, NULL, "[db.example.com]:2222", NULL },
	{ "DB.Example.COM", 22, NULL, "db.example.com", NULL },
	{ "::1", 2222, NULL, "[::1]:2222", NULL },
	{ "::1", 22, NULL, "::1", NULL },
	{ "10.0.0.1", 65535, NULL, "[10.0.0.1]:65535", NULL },
	{ "db", 2222, "MyAlias", "myalias", NULL },
	{ "db", 22, "MyAlias", "myalias", NULL },
	{ NULL, 22, "gw", "gw", NULL },
	{ "", 22, NULL, NULL, "missing host name" },
	{ NULL, 22, NULL, NULL, "missing host name" },
	{ "db", 22, "", NULL, "empty HostKeyAlias" },
	{ "a b", 22, NULL, NULL, "cannot look up \"a b\" in known_hosts: it has "
	  "a blank, control byte, ',', '*' or '?', or starts with '!', '|', '@' "
	  "or '#'" },
	{ "a,b", 22, NULL, NULL, NULL },
	{ "a*", 22, NULL, NULL, NULL },
	{ "a?", 22, NULL, NULL, NULL },
	{ "!a", 22, NULL, NULL, NULL },
	{ "|a", 22, NULL, NULL, NULL },
	{ "@a", 22, NULL, NULL, NULL },
	{ "#a", 22, NULL, NULL, NULL },
	{ "a\n", 22, NULL, NULL, "cannot look up \"a\\x0a\" in known_hosts: it "
	  "has a blank, control byte, ',', '*' or '?', or starts with '!', '|', "
	  "'@' or '#'" },
	{ "a\x7f", 22, NULL, NULL, NULL },
	{ "a\tb", 22, NULL, NULL, NULL },
	{ "db", 2222, "my alias", NULL, NULL },
	{ "a!b|c@d#e", 22, NULL, "a!b|c@d#e", NULL },
};

/* The name looked up, and what can be one. */
static void
test_names(void)
{
	const struct name_case *c;
	char buf[KNOWNHOSTS_NAME_MAX + 8], *longname;
	struct errmsg e;
	size_t i;
	int rc;

	for (i = 0; i < N(name_cases); i++) {
		c = &name_cases[i];
		strcpy(buf, "untouched");
		errmsg_clear(&e);
		rc = knownhosts_name(c->host, (uint16_t)c->port, c->alias, buf,
		    sizeof(buf), &e);
		if (c->want != NULL) {
			is_int(0, rc, "name case %zu accepted", i);
			is_string(c->want, buf, "name case %zu", i);
		} else {
			ok(rc == -1 && e.text[0] != '\0', "name case %zu refused", i);
			if (c->msg != NULL)
				is_string(c->msg, e.text, "name case %zu message", i);
		}
	}
	rc = knownhosts_name("abcdef", 2222, NULL, buf, 12, &e);
	is_int(-1, rc, "[abcdef]:2222 does not fit 12 bytes");
	rc = knownhosts_name("abcdef", 2222, NULL, buf, 14, &e);
	ok(rc == 0 && strcmp(buf, "[abcdef]:2222") == 0, "but fits 14");
	longname = malloc(KNOWNHOSTS_NAME_MAX + 1);
	if (longname == NULL)
		sysbail("malloc");
	memset(longname, 'a', KNOWNHOSTS_NAME_MAX);
	longname[KNOWNHOSTS_NAME_MAX - 1] = '\0';
	rc = knownhosts_name(longname, 22, NULL, buf, sizeof(buf), &e);
	ok(rc == 0 && strlen(buf) == KNOWNHOSTS_NAME_MAX - 1,
	    "a name of KNOWNHOSTS_NAME_MAX - 1 bytes is fine");
	longname[KNOWNHOSTS_NAME_MAX - 1] = 'a';
	longname[KNOWNHOSTS_NAME_MAX] = '\0';
	rc = knownhosts_name(longname, 22, NULL, buf, sizeof(buf), &e);
	is_string("host name too long for known_hosts (1025 bytes)", e.text,
	    "a name of KNOWNHOSTS_NAME_MAX bytes is refused");
	longname[KNOWNHOSTS_NAME_MAX - 5] = '\0';	/* "[" 1020 "]:2222" */
	rc = knownhosts_name(longname, 2222, NULL, buf, sizeof(buf), &e);
	is_int(-1, rc, "a name that grows too long with its port is refused");
	free(longname);
}

/* Hashed host fields: ssh-keygen -H's, and our own. */
static void
test_hashed(void)
{
	struct knownhosts_entry ent, ent2;
	struct errmsg e;
	uint8_t salt[KNOWNHOSTS_SALT_LEN];
	char field[128], line[512];
	int rc;

	rc = parse(HASHED_DB " ssh-ed25519" ED, strlen(HASHED_DB " ssh-ed25519"
	    ED), &ent, &e);
	is_int(1, rc, "ssh-keygen -H line parses");
	is_int(1, ent.hashed, "and is hashed");
	is_int(1, knownhosts_entry_matches(&ent, HASHED_DB_NAME),
	    "it matches " HASHED_DB_NAME);
	is_int(0, knownhosts_entry_matches(&ent, "db.example.co"),
	    "not db.example.co");
	is_int(0, knownhosts_entry_matches(&ent, "db.example.com."),
	    "not db.example.com.");
	is_int(0, knownhosts_entry_matches(&ent, "*"), "not * (no wildcards)");
	is_int(0, knownhosts_entry_matches(&ent, HASHED_BASTION_NAME),
	    "not the other line's name");
	rc = knownhosts_hash_name(HASHED_DB_NAME, ent.salt, field, sizeof(field));
	ok(rc == 0, "hash db.example.com with the line's salt");
	is_string(HASHED_DB, field, "same bytes as ssh-keygen -H");

	rc = parse(HASHED_BASTION " ssh-ed25519" ED " c", strlen(HASHED_BASTION
	    " ssh-ed25519" ED " c"), &ent2, &e);
	ok(rc == 1 && knownhosts_entry_matches(&ent2, HASHED_BASTION_NAME),
	    "the [host]:port line matches " HASHED_BASTION_NAME);
	is_int(0, knownhosts_entry_matches(&ent2, "bastion.example.net"),
	    "but not the bare host");
	rc = knownhosts_hash_name(HASHED_BASTION_NAME, ent2.salt, field,
	    sizeof(field));
	is_string(HASHED_BASTION, field, "[host]:port hashes as ssh-keygen -H");

	/* Round trip with a salt of our own. */
	memset(salt, 0x5a, sizeof(salt));
	rc = knownhosts_hash_name("[gw.example.org]:2200", salt, field,
	    sizeof(field));
	is_string("|1|WlpaWlpaWlpaWlpaWlpaWlpaWlo=|", str(field, 32),
	    "our salt is base64 in the field");
	is_int(60, (long long)strlen(field), "a hashed field is 60 bytes");
	snprintf(line, sizeof(line), "%s ssh-ed25519%s", field, ED);
	rc = parse(line, strlen(line), &ent, &e);
	ok(rc == 1 && ent.hashed && memcmp(ent.salt, salt, sizeof(salt)) == 0,
	    "our hashed line parses back with its salt");
	is_int(1, knownhosts_entry_matches(&ent, "[gw.example.org]:2200"),
	    "and matches its name");
	is_int(0, knownhosts_entry_matches(&ent, "[gw.example.org]:2201"),
	    "and not another port");
	is_int(-1, knownhosts_hash_name("x", salt, field, 60),
	    "a 60-byte buffer is too small for a field");
	is_int(0, knownhosts_hash_name("x", salt, field, 61), "61 bytes do");
}

static struct knownhosts_result res;

/* Check keys[key] for host, port, alias against files into res. */
static int
check(const char *const *files, size_t n, const char *host, unsigned port,
    const char *alias, int key)
{
	struct errmsg e;

	knownhosts_result_clear(&res);
	if (knownhosts_check(files, n, host, (uint16_t)port, alias, NULL,
	    keys[key].blob, keys[key].len, &res, &e) == -1) {
		diag("knownhosts_check: %s", e.text);
		return -1;
	}
	return (int)res.status;
}

/* The line "name type base64-of-key\n" in a static buffer (one of 8). */
static const char *
kline(const char *name, const char *type, int key)
{
	static char buf[8][2048];
	static int n;
	char *b = buf[n++ % 8];

	snprintf(b, sizeof(buf[0]), "%s %s %s\n", name,
	    type != NULL ? type : keys[key].type, keys[key].b64);
	return b;
}

/* Concatenate up to eight strings into a static buffer. */
static const char *
cat(const char *a, const char *b, const char *c, const char *d,
    const char *e, const char *f, const char *g, const char *h)
{
	static char buf[2][16384];
	static int n;
	char *o = buf[n++ % 2];
	const char *parts[8] = { a, b, c, d, e, f, g, h };
	size_t i;

	o[0] = '\0';
	for (i = 0; i < 8; i++)
		if (parts[i] != NULL)
			strcat(o, parts[i]);
	return o;
}

#define MATCH KNOWNHOSTS_MATCH
#define MISMATCH KNOWNHOSTS_MISMATCH
#define REVOKED KNOWNHOSTS_REVOKED
#define NOTFOUND KNOWNHOSTS_NOTFOUND

/* Verdicts over one or two files. */
static void
test_check_verdicts(void)
{
	const char *f[2];

	f[0] = put_file("kh-match", kline("db.example.com", NULL, K_EDA));
	is_int(MATCH, check(f, 1, "db.example.com", 22, NULL, K_EDA),
	    "the key on the host's line: match");
	is_string(f[0], res.match.file, "match: file");
	is_int(1, res.match.line, "match: line");
	is_string(ED_A_FP, res.match.fingerprint, "match: fingerprint");
	is_string("ssh-ed25519", res.match.keytype, "match: key type");
	ok(knownhosts_verdict(&res) == &res.match, "match: verdict line");
	ok(res.nother == 0 && res.nwarnings == 0 && !res.via_portless &&
	    !res.cert_authority && res.mismatch.file == NULL &&
	    res.revoked.file == NULL, "match: nothing else");

	is_int(MISMATCH, check(f, 1, "db.example.com", 22, NULL, K_EDB),
	    "another key of the same type: mismatch");
	ok(res.mismatch.file != NULL && strcmp(res.mismatch.file, f[0]) == 0 &&
	    res.mismatch.line == 1, "mismatch: file:line");
	is_string(ED_A_FP, res.mismatch.fingerprint,
	    "mismatch: the stored key's fingerprint");
	ok(knownhosts_verdict(&res) == &res.mismatch && res.match.file == NULL,
	    "mismatch: verdict line");

	f[0] = put_file("kh-both", cat(kline("db.example.com", NULL, K_EDB),
	    kline("db.example.com", NULL, K_EDA), 0, 0, 0, 0, 0, 0));
	is_int(MATCH, check(f, 1, "db.example.com", 22, NULL, K_EDA),
	    "a matching line after a mismatching one: match");
	ok(res.match.line == 2 && res.mismatch.line == 1 &&
	    strcmp(res.mismatch.fingerprint, ED_B_FP) == 0,
	    "both lines are recorded");

	f[0] = put_file("kh-twice", cat(kline("db.example.com", NULL, K_EDB),
	    kline("db.example.com", NULL, K_EDB),
	    kline("db.example.com", NULL, K_EDA),
	    kline("db.example.com", NULL, K_EDA), 0, 0, 0, 0));
	is_int(MATCH, check(f, 1, "db.example.com", 22, NULL, K_EDA),
	    "duplicate lines: match");
	ok(res.match.line == 3 && res.mismatch.line == 1,
	    "the first match and the first mismatch are reported");

	f[0] = put_file("kh-revoked", cat("@revoked otherhost.example.org "
	    "ssh-ed25519 " ED_A_B64 "\n", kline("db.example.com", NULL, K_EDA),
	    0, 0, 0, 0, 0, 0));
	is_int(REVOKED, check(f, 1, "db.example.com", 22, NULL, K_EDA),
	    "a key revoked for another host: revoked");
	ok(res.revoked.line == 1 && res.match.line == 2 &&
	    knownhosts_verdict(&res) == &res.revoked, "revoked: line 1");
	is_string(ED_A_FP, res.revoked.fingerprint, "revoked: fingerprint");
	is_int(MISMATCH, check(f, 1, "db.example.com", 22, NULL, K_EDB),
	    "another key is not revoked by it");

	f[0] = put_file("kh-user", kline("db.example.com", NULL, K_EDA));
	f[1] = put_file("kh-global", "@revoked * ssh-ed25519 " ED_A_B64 "\n");
	is_int(REVOKED, check(f, 2, "db.example.com", 22, NULL, K_EDA),
	    "revoked in the global file");
	is_string(f[1], res.revoked.file, "revoked: the global file");

	f[0] = put_file("kh-user", kline("db.example.com", NULL, K_EDB));
	f[1] = put_file("kh-global", kline("db.example.com", NULL, K_EDA));
	is_int(MATCH, check(f, 2, "db.example.com", 22, NULL, K_EDA),
	    "mismatch in the user file, match in the global one: match");
	ok(strcmp(res.match.file, f[1]) == 0 &&
	    strcmp(res.mismatch.file, f[0]) == 0, "each in its file");

	f[0] = put_file("kh-rsa-rev", "@revoked * rsa-sha2-512 " RSA1024_B64
	    "\n");
	is_int(REVOKED, check(f, 1, "db.example.com", 22, NULL, K_RSA1024),
	    "an RSA key revoked as rsa-sha2-512");
}

/* Other key types, certificate authorities, RSA and ECDSA families. */
static void
test_check_types(void)
{
	const char *f[1];
	struct errmsg e;
	int rc;

	f[0] = put_file("kh-types", cat(
	    kline("db.example.com", NULL, K_RSA2048),
	    kline("db.example.com", NULL, K_EC256),
	    kline("db.example.com", "rsa-sha2-512", K_RSA1024),
	    kline("other.example.com", NULL, K_DSA),
	    kline("@revoked db.example.com", NULL, K_EC521),
	    kline("@cert-authority db.example.com", NULL, K_EC384), 0, 0));
	is_int(NOTFOUND, check(f, 1, "db.example.com", 22, NULL, K_EDA),
	    "a new key type for a known host: not found");
	is_int(2, (long long)res.nother, "two other types");
	is_string("ecdsa-sha2-nistp256", res.other[0].keytype,
	    "other types in OpenSSH's order: ecdsa first");
	is_int(2, (long long)res.other[0].line, "its line");
	is_string(EC256_FP, res.other[0].fingerprint, "its fingerprint");
	is_string("ssh-rsa", res.other[1].keytype, "then ssh-rsa");
	is_int(1, (long long)res.other[1].line, "the first ssh-rsa line");
	is_string(RSA2048_FP, res.other[1].fingerprint, "its fingerprint");
	ok(res.cert_authority && res.any_for_name &&
	    knownhosts_verdict(&res) == NULL, "CA noted, no verdict line");

	is_int(MATCH, check(f, 1, "db.example.com", 22, NULL, K_EC256),
	    "the ecdsa key matches");
	ok(res.nother == 1 && strcmp(res.other[0].keytype, "ssh-rsa") == 0,
	    "and ssh-rsa is the other type");
	is_int(MATCH, check(f, 1, "db.example.com", 22, NULL, K_RSA1024),
	    "an RSA key on an rsa-sha2-512 line matches");
	ok(res.match.line == 3 && res.mismatch.line == 1,
	    "line 3, after the other RSA key on line 1");
	is_int(NOTFOUND, check(f, 1, "db.example.com", 22, NULL, K_EC384),
	    "a key on an @cert-authority line is not a host key");
	is_int(REVOKED, check(f, 1, "db.example.com", 22, NULL, K_EC521),
	    "the @revoked ecdsa-sha2-nistp521 key");
	is_int(5, (long long)res.revoked.line, "on line 5");
	is_int(NOTFOUND, check(f, 1, "other.example.com", 22, NULL, K_EDA),
	    "other.example.com has only ssh-dss");
	ok(res.nother == 1 && strcmp(res.other[0].keytype, "ssh-dss") == 0 &&
	    !res.cert_authority, "listed, and no CA for it");

	f[0] = put_file("kh-ec384", kline("db.example.com", NULL, K_EC384));
	is_int(NOTFOUND, check(f, 1, "db.example.com", 22, NULL, K_EC256),
	    "nistp256 and nistp384 are different types");
	ok(res.nother == 1 &&
	    strcmp(res.other[0].keytype, "ecdsa-sha2-nistp384") == 0,
	    "nistp384 is listed");

	/* The announced algorithm must agree with the blob. */
	f[0] = put_file("kh-rsa", kline("db.example.com", NULL, K_RSA2048));
	knownhosts_result_clear(&res);
	rc = knownhosts_check(f, 1, "db.example.com", 22, NULL, "rsa-sha2-512",
	    keys[K_RSA2048].blob, keys[K_RSA2048].len, &res, &e);
	ok(rc == 0 && res.status == MATCH, "rsa-sha2-512 for an RSA key");
	knownhosts_result_clear(&res);
	rc = knownhosts_check(f, 1, "db.example.com", 22, NULL, "ssh-ed25519",
	    keys[K_RSA2048].blob, keys[K_RSA2048].len, &res, &e);
	is_string("server host key: announced as \"ssh-ed25519\" but the key is "
	    "ssh-rsa", e.text, "announced type and blob disagree");
	rc = knownhosts_check(f, 1, "db.example.com", 22, NULL, "x\x1b",
	    keys[K_RSA2048].blob, keys[K_RSA2048].len, &res, &e);
	is_string("server host key: announced as \"x\\x1b\" but the key is "
	    "ssh-rsa", e.text, "an unknown announced type");
	rc = knownhosts_check(f, 1, "db.example.com", 22, NULL, NULL,
	    keys[K_EDA].blob, keys[K_EDA].len - 1, &res, &e);
	is_string("server host key: malformed or unsupported \"ssh-ed25519\" key",
	    e.text, "a cut key blob");
	rc = knownhosts_check(f, 1, "db.example.com", 22, NULL, NULL,
	    (const uint8_t *)"\0\0", 2, &res, &e);
	is_string("server host key: malformed key blob", e.text,
	    "not even a type");
	rc = knownhosts_check(f, 1, "db.example.com", 22, NULL, NULL, NULL, 0,
	    &res, &e);
	ok(rc == -1 && strcmp(e.text, "no server host key to check") == 0,
	    "no key");
	rc = knownhosts_check(f, 1, "db example", 22, NULL, NULL,
	    keys[K_EDA].blob, keys[K_EDA].len, &res, &e);
	ok(rc == -1 && strncmp(e.text, "cannot look up \"db example\"", 27) == 0,
	    "a host with a blank is refused");
}

/* [host]:port, the port-less retry, HostKeyAlias, case and negation. */
static void
test_check_names(void)
{
	const char *f[1];

	f[0] = put_file("kh-port", kline("[db.example.com]:2222", NULL, K_EDA));
	is_int(MATCH, check(f, 1, "db.example.com", 2222, NULL, K_EDA),
	    "[host]:port line, same port: match");
	is_int(NOTFOUND, check(f, 1, "db.example.com", 22, NULL, K_EDA),
	    "[host]:port line, port 22: not found");
	is_int(NOTFOUND, check(f, 1, "db.example.com", 2200, NULL, K_EDA),
	    "[host]:port line, another port: not found");

	f[0] = put_file("kh-plain", kline("db.example.com", NULL, K_EDA));
	is_int(MATCH, check(f, 1, "db.example.com", 2222, NULL, K_EDA),
	    "plain line, port 2222, same key: match (ssh's port-less retry)");
	ok(res.via_portless && knownhosts_verdict(&res) == &res.portless &&
	    res.portless.line == 1 && res.match.file == NULL,
	    "through the port-less retry");
	is_int(MATCH, check(f, 1, "db.example.com", 0, NULL, K_EDA),
	    "port 0 is port 22");
	ok(!res.via_portless && res.match.line == 1, "a direct match");
	is_int(NOTFOUND, check(f, 1, "db.example.com", 2222, NULL, K_EDB),
	    "plain line, port 2222, other key: not found, not mismatch");
	ok(res.mismatch.file == NULL && res.portless.file == NULL &&
	    res.nother == 0, "nothing recorded");
	is_int(NOTFOUND, check(f, 1, "db.example.com", 2222, "gw", K_EDA),
	    "no port-less retry with a HostKeyAlias");

	f[0] = put_file("kh-port-other", cat(
	    kline("[db.example.com]:2222", NULL, K_EDB),
	    kline("db.example.com", NULL, K_EDA), 0, 0, 0, 0, 0, 0));
	is_int(MISMATCH, check(f, 1, "db.example.com", 2222, NULL, K_EDA),
	    "[host]:port mismatch wins over a port-less match");
	f[0] = put_file("kh-port-type", cat(
	    kline("[db.example.com]:2222", NULL, K_RSA2048),
	    kline("db.example.com", NULL, K_EDA), 0, 0, 0, 0, 0, 0));
	is_int(NOTFOUND, check(f, 1, "db.example.com", 2222, NULL, K_EDA),
	    "no port-less retry when [host]:port has another key type");
	is_int(1, (long long)res.nother, "which is listed");

	f[0] = put_file("kh-alias", kline("myalias", NULL, K_EDA));
	is_int(MATCH, check(f, 1, "db.example.com", 2222, "MyAlias", K_EDA),
	    "HostKeyAlias, lowercased, without the port");
	is_int(MATCH, check(f, 1, "myalias", 2222, NULL, K_EDA),
	    "the alias as a host name on port 2222");
	is_int(1, res.via_portless, "matches only through the port-less retry");
	f[0] = put_file("kh-alias-port", kline("[myalias]:2222", NULL, K_EDA));
	is_int(NOTFOUND, check(f, 1, "db.example.com", 2222, "myalias", K_EDA),
	    "a HostKeyAlias never gets the port");
	f[0] = put_file("kh-star-port", kline("[db.example.com]:*", NULL, K_EDA));
	is_int(MATCH, check(f, 1, "db.example.com", 2222, NULL, K_EDA),
	    "[host]:* matches any port");

	f[0] = put_file("kh-case", kline("DB.Example.COM", NULL, K_EDA));
	is_int(MATCH, check(f, 1, "db.EXAMPLE.com", 22, NULL, K_EDA),
	    "names compare without case");
	f[0] = put_file("kh-hashed", cat(HASHED_DB " ssh-ed25519 " ED_A_B64 "\n",
	    HASHED_BASTION " ssh-ed25519 " ED_A_B64 "\n", 0, 0, 0, 0, 0, 0));
	is_int(MATCH, check(f, 1, "DB.EXAMPLE.COM", 22, NULL, K_EDA),
	    "hashed line, host in capitals");
	is_int(1, (long long)res.match.line, "line 1");
	is_int(MATCH, check(f, 1, "Bastion.Example.Net", 2222, NULL, K_EDA),
	    "hashed [host]:port line");
	is_int(2, (long long)res.match.line, "line 2");
	is_int(NOTFOUND, check(f, 1, "bastion.example.net", 22, NULL, K_EDA),
	    "not on port 22");
	is_int(MISMATCH, check(f, 1, "db.example.com", 22, NULL, K_EDB),
	    "hashed line, other key: mismatch");

	f[0] = put_file("kh-neg", kline("*.example.com,!db.example.com", NULL,
	    K_EDA));
	is_int(NOTFOUND, check(f, 1, "db.example.com", 22, NULL, K_EDA),
	    "a negated pattern excludes the host");
	ok(!res.any_for_name, "the line does not name it");
	is_int(MATCH, check(f, 1, "www.example.com", 22, NULL, K_EDA),
	    "the wildcard takes the others");
	is_int(NOTFOUND, check(f, 1, "db.example.com", 2222, NULL, K_EDA),
	    "nor through the port-less retry");
	f[0] = put_file("kh-neg-ca", "@cert-authority *,!db.example.com "
	    "ssh-ed25519 " ED_A_B64 "\n");
	is_int(NOTFOUND, check(f, 1, "db.example.com", 22, NULL, K_EDA),
	    "a CA line is not a host key");
	is_int(0, res.cert_authority, "negated for db.example.com");
	check(f, 1, "www.example.com", 22, NULL, K_EDA);
	is_int(1, res.cert_authority, "but names www.example.com");
}

/* Bad lines, unreadable files, and the odd files ssh users point at. */
static void
test_check_files(void)
{
	const char *f[9];
	char fifo[700], notdir[700], *many;
	size_t i;

	f[0] = put_file("kh-bad", cat("garbage\n",
	    "db.example.com ssh-ed25519 AAAA\n", "\n", "# comment\n",
	    kline("db.example.com", NULL, K_EDA), 0, 0, 0));
	is_int(MATCH, check(f, 1, "db.example.com", 22, NULL, K_EDA),
	    "bad lines before the match do not stop the reading");
	is_int(5, (long long)res.match.line, "match on line 5");
	is_int(2, (long long)res.nwarnings, "two warnings");
	if (res.nwarnings == 2) {
		is_string(cat(f[0], ":1: missing key type", 0, 0, 0, 0, 0, 0),
		    res.warnings[0], "warning for line 1");
		is_string(cat(f[0], ":2: malformed key blob", 0, 0, 0, 0, 0, 0),
		    res.warnings[1], "warning for line 2");
	}

	f[0] = put_file("kh-crlf", "# made on Windows\r\ndb.example.com "
	    "ssh-ed25519 " ED_A_B64 " me@pc\r\n");
	is_int(MATCH, check(f, 1, "db.example.com", 22, NULL, K_EDA),
	    "CRLF line ends");
	f[0] = put_file("kh-nonl", "x\ndb.example.com ssh-ed25519 " ED_A_B64);
	is_int(MATCH, check(f, 1, "db.example.com", 22, NULL, K_EDA),
	    "no newline at the end");
	is_int(2, (long long)res.match.line, "line 2");

	snprintf(fifo, sizeof(fifo), "%s/fifo", tmpdir);
	if (mkfifo(fifo, 0600) == -1)
		sysbail("mkfifo");
	snprintf(notdir, sizeof(notdir), "%s/kh-match/x", tmpdir);
	f[0] = tpath("missing");
	f[1] = tmpdir;
	f[2] = notdir;
	f[3] = "none";
	f[4] = "";
	f[5] = NULL;
	f[6] = "/dev/null";
	f[7] = fifo;
	f[8] = put_file("kh-match", kline("db.example.com", NULL, K_EDA));
	is_int(MATCH, check(f, 9, "db.example.com", 22, NULL, K_EDA),
	    "missing and odd files do not stop the check (nor a FIFO hang it)");
	is_int(3, (long long)res.nwarnings, "three warnings");
	if (res.nwarnings == 3) {
		is_string(cat("cannot read ", tmpdir, ": it is a directory", 0, 0,
		    0, 0, 0), res.warnings[0], "a directory");
		is_string(cat("cannot open ", notdir, ": Not a directory", 0, 0, 0,
		    0, 0), res.warnings[1], "a path through a file");
		is_string(cat("cannot read ", fifo, ": not a regular file", 0, 0,
		    0, 0, 0), res.warnings[2], "a FIFO");
	}

	/* At most KNOWNHOSTS_WARN_MAX warnings are kept; the rest counted. */
	many = malloc(KNOWNHOSTS_WARN_MAX * 8 + 2048);
	if (many == NULL)
		sysbail("malloc");
	many[0] = '\0';
	for (i = 0; i < KNOWNHOSTS_WARN_MAX + 8; i++)
		strcat(many, "bad\n");
	strcat(many, kline("db.example.com", NULL, K_EDA));
	f[0] = put_file("kh-many", many);
	free(many);
	is_int(MATCH, check(f, 1, "db.example.com", 22, NULL, K_EDA),
	    "a match after 40 bad lines");
	ok(res.nwarnings == KNOWNHOSTS_WARN_MAX && res.warnings_dropped == 8 &&
	    res.match.line == KNOWNHOSTS_WARN_MAX + 9, "32 warnings, 8 dropped");
}

/* The types known for a host, for the host key method preference. */
static void
test_types_list(void)
{
	const char *f[2], *types[KNOWNHOSTS_NTYPES];
	struct errmsg e;
	size_t n = 99;
	int rc;

	f[0] = put_file("kh-tl", cat(
	    kline("db.example.com", NULL, K_RSA2048),
	    kline("db.example.com", NULL, K_EDA),
	    kline("other,db.example.com", NULL, K_EC521),
	    kline("db.example.com", "rsa-sha2-512", K_RSA1024),
	    kline("@revoked db.example.com", NULL, K_EC256),
	    kline("@cert-authority db.example.com", NULL, K_EC384),
	    kline("[db.example.com]:2222", NULL, K_DSA), "bad line\n"));
	f[1] = put_file("kh-tl2", HASHED_BASTION " ecdsa-sha2-nistp256 "
	    EC256_B64 "\n");
	rc = knownhosts_types(f, 2, "db.example.com", 22, NULL, types, &n, &e);
	ok(rc == 0 && n == 3, "three types for db.example.com");
	if (n == 3) {
		is_string("ssh-ed25519", types[0], "ssh-ed25519 first");
		is_string("ecdsa-sha2-nistp521", types[1], "then nistp521");
		is_string("ssh-rsa", types[2], "then ssh-rsa, once");
	}
	rc = knownhosts_types(f, 2, "db.example.com", 2222, NULL, types, &n, &e);
	ok(rc == 0 && n == 1 && strcmp(types[0], "ssh-dss") == 0,
	    "ssh-dss for [db.example.com]:2222");
	rc = knownhosts_types(f, 2, "bastion.example.net", 2222, NULL, types, &n,
	    &e);
	ok(rc == 0 && n == 1 && strcmp(types[0], "ecdsa-sha2-nistp256") == 0,
	    "a type from a hashed line");
	rc = knownhosts_types(f, 2, "new.example.com", 22, NULL, types, &n, &e);
	ok(rc == 0 && n == 0, "none for an unknown host");
	n = 99;
	rc = knownhosts_types(f, 2, "a,b", 22, NULL, types, &n, &e);
	ok(rc == -1 && n == 0 && e.text[0] != '\0', "a bad name is refused");
}

/* knownhosts_scan_buf and friends, without files. */
static void
test_scan_buf(void)
{
	static const char buf[] = "x\n\ndb.example.com ssh-ed25519 " ED_A_B64;
	struct knownhosts_result r;
	struct knownhosts_query q;
	struct errmsg e;
	int rc;

	memset(&r, 0, sizeof(r));
	rc = knownhosts_query_init(&q, "DB.example.com", 22, NULL, "ssh-ed25519",
	    keys[K_EDA].blob, keys[K_EDA].len, &e);
	ok(rc == 0 && strcmp(q.name, "db.example.com") == 0 && q.plain[0] == '\0'
	    && strcmp(q.keytype, "ssh-ed25519") == 0, "query for port 22");
	knownhosts_scan_buf(&q, "mem", buf, sizeof(buf) - 1, &r);
	knownhosts_finish(&r);
	ok(r.status == MATCH && r.match.line == 3 &&
	    strcmp(r.match.file, "mem") == 0, "match on line 3 of the buffer");
	ok(r.nwarnings == 1 && strcmp(r.warnings[0], "mem:1: missing key type")
	    == 0, "a warning for line 1");
	knownhosts_result_clear(&r);
	ok(r.warnings == NULL && r.match.file == NULL && r.nwarnings == 0,
	    "cleared");
	knownhosts_result_clear(&r);
	knownhosts_result_clear(NULL);
	ok(1, "clearing twice, and NULL, is safe");
	rc = knownhosts_query_init(&q, "db", 2222, NULL, NULL, NULL, 0, &e);
	ok(rc == 0 && strcmp(q.name, "[db]:2222") == 0 &&
	    strcmp(q.plain, "db") == 0 && q.keytype == NULL,
	    "query for port 2222 without a key");

	is_string("match", knownhosts_status_name(MATCH), "status name match");
	is_string("mismatch", knownhosts_status_name(MISMATCH),
	    "status name mismatch");
	is_string("revoked", knownhosts_status_name(REVOKED),
	    "status name revoked");
	is_string("not found", knownhosts_status_name(NOTFOUND),
	    "status name not found");
	is_string("unknown", knownhosts_status_name((enum knownhosts_status)9),
	    "status name out of range");
}

/* Lines to add: plain, [host]:port, alias, hashed; they parse and match. */
static void
test_format(void)
{
	char buf[KNOWNHOSTS_LINE_MAX], buf2[KNOWNHOSTS_LINE_MAX], name[128];
	struct knownhosts_entry ent;
	uint8_t *big, *mp, yb[2049];
	const char *f[1];
	struct errmsg e;
	size_t i, n;
	int rc;

	rc = knownhosts_format_line(buf, sizeof(buf), "DB.Example.com", 22, NULL,
	    keys[K_EDA].blob, keys[K_EDA].len, 0, &e);
	ok(rc == 0, "format a plain line");
	is_string("db.example.com ssh-ed25519 " ED_A_B64, buf,
	    "host lowercased, key as ssh-keygen writes it");
	rc = knownhosts_format_line(buf, sizeof(buf), "db.example.com", 2222,
	    NULL, keys[K_RSA2048].blob, keys[K_RSA2048].len, 0, &e);
	is_string("[db.example.com]:2222 ssh-rsa " RSA2048_B64, buf,
	    "[host]:port line for an RSA key");
	rc = knownhosts_format_line(buf, sizeof(buf), "db.example.com", 2222,
	    "GW", keys[K_EC521].blob, keys[K_EC521].len, 0, &e);
	is_string("gw ecdsa-sha2-nistp521 " EC521_B64, buf, "alias line");
	rc = knownhosts_manual_line(buf2, sizeof(buf2), "db.example.com", 2222,
	    "GW", keys[K_EC521].blob, keys[K_EC521].len, &e);
	ok(rc == 0 && strcmp(buf, buf2) == 0, "the manual line is the plain one");

	/* Every key type, port 22 and 2222, plain and hashed, parses back. */
	for (i = 0; i < K_N; i++) {
		rc = knownhosts_format_line(buf, sizeof(buf), "Host.Example",
		    i % 2 ? 22 : 2222, NULL, keys[i].blob, keys[i].len, 1, &e);
		ok(rc == 0 && strncmp(buf, "|1|", 3) == 0 && buf[60] == ' ',
		    "hashed line for key %zu", i);
		ok(parse(buf, strlen(buf), &ent, &e) == 1 && ent.hashed &&
		    strcmp(ent.keytype, keys[i].type) == 0 &&
		    ent.blob_len == keys[i].len &&
		    memcmp(ent.blob, keys[i].blob, ent.blob_len) == 0,
		    "it parses back to key %zu", i);
		snprintf(name, sizeof(name), i % 2 ? "host.example" :
		    "[host.example]:2222");
		is_int(1, knownhosts_entry_matches(&ent, name),
		    "and matches %s", name);
		rc = knownhosts_format_line(buf2, sizeof(buf2), "Host.Example",
		    i % 2 ? 22 : 2222, NULL, keys[i].blob, keys[i].len, 1, &e);
		ok(rc == 0 && strncmp(buf, buf2, 31) != 0,
		    "a new salt every time");
	}
	f[0] = tpath("kh-formatted");
	n = 0;
	buf2[0] = '\0';
	for (i = 0; i < 2; i++) {
		rc = knownhosts_format_line(buf, sizeof(buf), "fmt.example", 2022,
		    NULL, keys[K_EC384].blob, keys[K_EC384].len, (int)i, &e);
		n += strlen(buf) + 1;
		strcat(strcat(buf2, buf), "\n");
	}
	put_file("kh-formatted", buf2);
	is_int(MATCH, check(f, 1, "FMT.example", 2022, NULL, K_EC384),
	    "formatted lines check as a match");
	is_int(0, (long long)res.nwarnings, "without warnings");

	/* The biggest blob: a DSA key of KNOWNHOSTS_BLOB_MAX bytes. */
	big = malloc(KNOWNHOSTS_BLOB_MAX + 16);
	mp = malloc(2049);
	if (big == NULL || mp == NULL)
		sysbail("malloc");
	memset(mp, 0xff, 2049);
	mp[0] = 0;
	memset(yb, 0x7f, sizeof(yb));
	n = 0;
	put_string(big, &n, "ssh-dss", 7);
	put_string(big, &n, mp, 2049);
	put_string(big, &n, mp, 2049);
	put_string(big, &n, mp, 2049);
	put_string(big, &n, yb, KNOWNHOSTS_BLOB_MAX - n - 4);
	is_int(KNOWNHOSTS_BLOB_MAX, (long long)n, "crafted a blob of the most size");
	rc = knownhosts_format_line(buf, sizeof(buf), "db.example.com", 2222,
	    NULL, big, n, 1, &e);
	ok(rc == 0 && parse(buf, strlen(buf), &ent, &e) == 1 &&
	    ent.blob_len == n && memcmp(ent.blob, big, n) == 0,
	    "a KNOWNHOSTS_BLOB_MAX blob formats (KNOWNHOSTS_LINE_MAX) and parses");
	n = 0;
	put_string(big, &n, "ssh-dss", 7);
	put_string(big, &n, mp, 2049);
	put_string(big, &n, mp, 2049);
	put_string(big, &n, mp, 2049);
	put_string(big, &n, yb, KNOWNHOSTS_BLOB_MAX - n - 3);
	rc = knownhosts_format_line(buf, sizeof(buf), "db.example.com", 2222,
	    NULL, big, n, 0, &e);
	ok(rc == -1 && n == KNOWNHOSTS_BLOB_MAX + 1 &&
	    strcmp(e.text, "not a host key that can be saved") == 0,
	    "one byte more is refused");
	free(big);
	free(mp);

	/* Refusals. */
	rc = knownhosts_format_line(buf, 30, "db.example.com", 22, NULL,
	    keys[K_EDA].blob, keys[K_EDA].len, 0, &e);
	ok(rc == -1 && buf[0] == '\0' &&
	    strcmp(e.text, "known_hosts line too long") == 0,
	    "a buffer too small for the key");
	n = strlen("db.example.com ssh-ed25519 " ED_A_B64);
	rc = knownhosts_format_line(buf, n, "db.example.com", 22, NULL,
	    keys[K_EDA].blob, keys[K_EDA].len, 0, &e);
	is_int(-1, rc, "a buffer one byte short");
	rc = knownhosts_format_line(buf, n + 1, "db.example.com", 22, NULL,
	    keys[K_EDA].blob, keys[K_EDA].len, 0, &e);
	is_int(0, rc, "an exact buffer");
	rc = knownhosts_format_line(buf, 10, "db.example.com", 22, NULL,
	    keys[K_EDA].blob, keys[K_EDA].len, 0, &e);
	ok(rc == -1 && buf[0] == '\0', "a buffer too small for the name");
	rc = knownhosts_format_line(buf, sizeof(buf), "db.example.com", 22, NULL,
	    keys[K_EDA].blob, keys[K_EDA].len - 1, 0, &e);
	is_string("not a host key that can be saved", e.text, "a bad blob");
	rc = knownhosts_format_line(buf, sizeof(buf), "db,x", 22, NULL,
	    keys[K_EDA].blob, keys[K_EDA].len, 0, &e);
	ok(rc == -1 && strncmp(e.text, "cannot look up \"db,x\"", 21) == 0,
	    "a name that is not a literal pattern");
}

/* The octal mode bits of path, or -1. */
static int
mode_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == -1 ? -1 : (int)(st.st_mode & 07777);
}

/* Appending: directory and file made with the right modes, all or nothing. */
static void
test_append(void)
{
	static char line[KNOWNHOSTS_LINE_MAX], line2[KNOWNHOSTS_LINE_MAX];
	static char want[2 * KNOWNHOSTS_LINE_MAX + 128];
	const char *path, *f[1];
	struct rlimit old, lim;
	struct errmsg e, e2;
	char *got;
	size_t n;
	int rc, rc2;

	umask(022);
	knownhosts_format_line(line, sizeof(line), "db.example.com", 2222, NULL,
	    keys[K_EDA].blob, keys[K_EDA].len, 0, &e);
	knownhosts_format_line(line2, sizeof(line2), "db.example.com", 22, NULL,
	    keys[K_RSA2048].blob, keys[K_RSA2048].len, 1, &e);
	path = tpath("dot-ssh/known_hosts");
	rc = knownhosts_append(path, line, &e);
	ok(rc == 0, "append to a file in a missing directory");
	is_int(0700, mode_of(tpath("dot-ssh")), "the directory is made 0700");
	is_int(0600, mode_of(path), "the file is made 0600");
	got = get_file(path);
	snprintf(want, sizeof(want), "%s\n", line);
	is_string(want, got, "the file holds the line and a newline");
	free(got);
	rc = knownhosts_append(path, line2, &e);
	got = get_file(path);
	snprintf(want, sizeof(want), "%s\n%s\n", line, line2);
	ok(rc == 0 && got != NULL && strcmp(got, want) == 0,
	    "a second line goes after the first");
	free(got);
	f[0] = path;
	is_int(MATCH, check(f, 1, "db.example.com", 2222, NULL, K_EDA),
	    "the appended line matches");
	is_int(MATCH, check(f, 1, "db.example.com", 22, NULL, K_RSA2048),
	    "so does the hashed one");

	/* A last line without its newline gets one first. */
	path = put_file("kh-append-nonl", "x.example ssh-ed25519 " ED_B_B64);
	chmod(path, 0644);
	rc = knownhosts_append(path, line, &e);
	got = get_file(path);
	snprintf(want, sizeof(want), "x.example ssh-ed25519 %s\n%s\n", ED_B_B64,
	    line);
	ok(rc == 0 && got != NULL && strcmp(got, want) == 0,
	    "a newline is put before the line when the file lacks one");
	free(got);
	is_int(0644, mode_of(path), "an existing file keeps its mode");

	/* A write cut short by RLIMIT_FSIZE is undone; one refused is reported. */
	path = put_file("kh-append-short", "keep\n");
	signal(SIGXFSZ, SIG_IGN);
	if (getrlimit(RLIMIT_FSIZE, &old) == -1)
		sysbail("getrlimit");
	lim = old;
	lim.rlim_cur = 15;
	if (setrlimit(RLIMIT_FSIZE, &lim) == -1)
		sysbail("setrlimit");
	rc = knownhosts_append(path, line, &e);
	n = strlen(line) + 1;
	lim.rlim_cur = 5;
	setrlimit(RLIMIT_FSIZE, &lim);
	rc2 = knownhosts_append(path, line, &e2);
	if (setrlimit(RLIMIT_FSIZE, &old) == -1)
		sysbail("setrlimit");
	snprintf(want, sizeof(want), "short write to %s (10 of %zu bytes), "
	    "undone", path, n);
	ok(rc == -1, "a short write is an error");
	is_string(want, e.text, "and says so");
	snprintf(want, sizeof(want), "cannot write to %s: File too large", path);
	ok(rc2 == -1, "a refused write is an error");
	is_string(want, e2.text, "and says why");
	got = get_file(path);
	is_string("keep\n", got, "the short write was truncated away");
	free(got);

	/* Refused: nothing is written. */
	path = put_file("kh-append-refuse", "keep\n");
	rc = knownhosts_append(path, "db ssh-ed25519 AAAA\nevil", &e);
	is_string("refusing to add a known_hosts line with a line break in it",
	    e.text, "a line with a newline");
	rc = knownhosts_append(path, "db ssh-ed25519 AAAA\r", &e);
	is_int(-1, rc, "a line with a CR");
	rc = knownhosts_append(path, "garbage", &e);
	is_string("refusing to add an invalid known_hosts line: missing key type",
	    e.text, "an invalid line");
	rc = knownhosts_append(path, "# just a comment", &e);
	is_string("refusing to add an invalid known_hosts line: no entry",
	    e.text, "a comment");
	rc = knownhosts_append(path, "", &e);
	is_int(-1, rc, "an empty line");
	got = get_file(path);
	is_string("keep\n", got, "the file is untouched by refusals");
	free(got);
	rc = knownhosts_append(tpath("no/such/known_hosts"), line, &e);
	is_string(cat("cannot create directory ", tpath("no/such"),
	    ": No such file or directory", 0, 0, 0, 0, 0), e.text,
	    "only the last directory is made");
	ok(mode_of(tpath("no")) == -1, "and nothing above it");
	rc = knownhosts_append(tpath("dot-ssh"), line, &e);
	is_string(cat("cannot open ", tpath("dot-ssh"), ": Is a directory", 0, 0,
	    0, 0, 0), e.text, "a directory is not a file");
	rc = knownhosts_append("known_hosts-relative-never-made", "db x y", &e);
	ok(rc == -1 && access("known_hosts-relative-never-made", F_OK) == -1,
	    "a bad line is refused before any file is made");
}

int
main(void)
{
	const char *base = getenv("TMPDIR");

	plan_lazy();
	if (base == NULL || *base == '\0')
		base = "/tmp";
	snprintf(tmpdir, sizeof(tmpdir), "%s/hopkit-knownhosts-XXXXXX", base);
	if (mkdtemp(tmpdir) == NULL)
		sysbail("mkdtemp %s", tmpdir);
	decode_keys();

	test_fingerprints();
	test_types();
	test_parse();
	test_patterns();
	test_names();
	test_hashed();
	test_check_verdicts();
	test_check_types();
	test_check_names();
	test_check_files();
	test_types_list();
	test_scan_buf();
	test_format();
	test_append();

	knownhosts_result_clear(&res);
	if (nftw(tmpdir, remove_cb, 16, FTW_DEPTH | FTW_PHYS) == -1)
		diag("cannot remove %s", tmpdir);
	return 0;
}
