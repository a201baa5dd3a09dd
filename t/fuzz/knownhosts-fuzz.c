/*
 * knownhosts-fuzz.c: libFuzzer harness for lib/knownhosts.c.
 * SPDX-License-Identifier: MIT
 *
 * The input is taken four ways, each from a heap copy that ends where the
 * input does, so ASan sees any read past it:
 *  - as one known_hosts line (and, for small inputs, every prefix of it):
 *    the verdict is 1, 0 or -1 with a printable message; an entry's fields
 *    lie inside the line, its blob is a well-formed key of its type, and
 *    the line rebuilt from the fields parses back to the same entry;
 *  - as a whole known_hosts file scanned for a fixed key: the result is
 *    consistent, and adding a line with that key makes it MATCH (or keeps
 *    it REVOKED);
 *  - split at its first NUL into a pattern list and a name: the match is
 *    1, 0 or -1, ignores ASCII case, and appending the name (or "!name") to
 *    the list makes it match (or not) as OpenSSH's rules say; a valid name
 *    written to a line, plain or hashed, matches that line;
 *  - as a key blob: when it is a key, its line round-trips.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "knownhosts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs up to this size are also parsed at every prefix length. */
#define FUZZ_ALL_PREFIXES 256

/* An ed25519 key made with ssh-keygen, the one the file scan looks for. */
#define FUZZ_KEY "AAAAC3NzaC1lZDI1NTE5AAAAICLgC8Cwr5FHRqqpHZbUOqciK1EnjjrgBvmEog0Yq6JS"
#define FUZZ_FP "SHA256:bIizrzWQzwFgXNP1O6H2ufObwU3NN47t/5eD7ovTQ60"
#define FUZZ_HOST "fuzz.example"
#define FUZZ_PORT 2222

static uint8_t key[64];
static size_t keylen;

/* Decode FUZZ_KEY once. */
static void
fuzz_init(void)
{
	int n;

	if (keylen != 0)
		return;
	n = EVP_DecodeBlock(key, (const unsigned char *)FUZZ_KEY,
	    (int)strlen(FUZZ_KEY));
	if (n != 51)
		abort();
	keylen = 51;
}

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

/* Does s hold a byte outside printable ASCII? */
static int
fuzz_unprintable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return 1;
	return 0;
}

/* Is [p, p+n) inside [buf, buf+len)? */
static int
fuzz_inside(const char *p, size_t n, const char *buf, size_t len)
{
	return p >= buf && p <= buf + len && n <= (size_t)(buf + len - p);
}

/* Rebuild a line from ent's fields and check it parses to the same. */
static void
fuzz_rebuild(const struct knownhosts_entry *ent)
{
	static const char *const markers[] = { "", "@revoked ",
	    "@cert-authority " };
	struct knownhosts_entry *again;
	struct errmsg e;
	char *line, *o;
	size_t n;

	n = 20 + ent->hosts_len + ent->type_len + 4 * (ent->blob_len / 3 + 2) +
	    ent->comment_len;
	if ((line = o = malloc(n)) == NULL || (again = malloc(sizeof(*again))) ==
	    NULL)
		abort();
	o += strlen(strcpy(o, markers[ent->marker]));
	memcpy(o, ent->hosts, ent->hosts_len);
	o += ent->hosts_len;
	*o++ = '\t';
	memcpy(o, ent->type, ent->type_len);
	o += ent->type_len;
	*o++ = ' ';
	o += EVP_EncodeBlock((unsigned char *)o, ent->blob, (int)ent->blob_len);
	*o++ = ' ';
	memcpy(o, ent->comment, ent->comment_len);
	o += ent->comment_len;
	if (knownhosts_parse_line(line, (size_t)(o - line), again, &e) != 1 ||
	    again->marker != ent->marker || again->hashed != ent->hashed ||
	    again->blob_len != ent->blob_len ||
	    memcmp(again->blob, ent->blob, ent->blob_len) != 0 ||
	    again->keytype != ent->keytype ||
	    again->hosts_len != ent->hosts_len ||
	    again->comment_len != ent->comment_len ||
	    (ent->hashed && (memcmp(again->salt, ent->salt, sizeof(ent->salt)) ||
	    memcmp(again->hash, ent->hash, sizeof(ent->hash)))))
		abort();
	free(again);
	free(line);
}

/* Parse the n bytes at data as one line and check the invariants. */
static void
fuzz_line(const uint8_t *data, size_t n, int deep)
{
	struct knownhosts_entry *ent;
	char fp[KNOWNHOSTS_FP_MAX], *buf = fuzz_copy(data, n);
	struct errmsg e;
	int rc;

	if ((ent = malloc(sizeof(*ent))) == NULL)
		abort();
	e.text[0] = '\0';
	rc = knownhosts_parse_line(buf, n, ent, &e);
	if (rc == -1 && (e.text[0] == '\0' || fuzz_unprintable(e.text)))
		abort();
	if (rc == 1) {
		if (!fuzz_inside(ent->hosts, ent->hosts_len, buf, n) ||
		    ent->hosts_len == 0 ||
		    !fuzz_inside(ent->type, ent->type_len, buf, n) ||
		    !fuzz_inside(ent->comment, ent->comment_len, buf, n) ||
		    ent->hashed != (ent->hosts[0] == '|') ||
		    ent->keytype == NULL ||
		    knownhosts_type_family(ent->type, ent->type_len) != ent->keytype ||
		    knownhosts_blob_type(ent->blob, ent->blob_len) != ent->keytype ||
		    knownhosts_fingerprint(ent->blob, ent->blob_len, fp,
		    sizeof(fp)) != 0 || strlen(fp) != 50)
			abort();
		if (ent->comment_len > 0 && (ent->comment[0] == ' ' ||
		    ent->comment[0] == '\t' ||
		    ent->comment[ent->comment_len - 1] == ' ' ||
		    ent->comment[ent->comment_len - 1] == '\t'))
			abort();
		if (deep)
			fuzz_rebuild(ent);
	} else if (rc != 0 && rc != -1) {
		abort();
	}
	free(ent);
	free(buf);
}

/* Check r's consistency after a scan of nlines lines for key. */
static void
fuzz_check_result(const struct knownhosts_result *r, size_t nlines)
{
	const struct knownhosts_where *w = knownhosts_verdict(r);
	size_t i;

	if ((r->status == KNOWNHOSTS_NOTFOUND) != (w == NULL))
		abort();
	if (w != NULL && (w->file == NULL || w->line == 0 || w->line > nlines))
		abort();
	if (r->match.file != NULL && strcmp(r->match.fingerprint, FUZZ_FP) != 0)
		abort();
	if (r->revoked.file != NULL && strcmp(r->revoked.fingerprint, FUZZ_FP))
		abort();
	if (r->portless.file != NULL && strcmp(r->portless.fingerprint, FUZZ_FP))
		abort();
	if (r->mismatch.file != NULL &&
	    (strcmp(r->mismatch.fingerprint, FUZZ_FP) == 0 ||
	    strcmp(r->mismatch.keytype, "ssh-ed25519") != 0))
		abort();
	if ((r->match.file != NULL || r->mismatch.file != NULL ||
	    r->nother > 0) && !r->any_for_name)
		abort();
	if (r->via_portless && (r->any_for_name || r->status !=
	    KNOWNHOSTS_MATCH))
		abort();
	if (r->nother > KNOWNHOSTS_NTYPES - 1)
		abort();
	for (i = 0; i < r->nother; i++)
		if (strcmp(r->other[i].keytype, "ssh-ed25519") == 0 ||
		    (i > 0 && r->other[i].keytype == r->other[i - 1].keytype))
			abort();
	if (r->nwarnings > KNOWNHOSTS_WARN_MAX ||
	    (r->warnings_dropped > 0 && r->nwarnings != KNOWNHOSTS_WARN_MAX))
		abort();
	for (i = 0; i < r->nwarnings; i++)
		if (strncmp(r->warnings[i], "fuzz:", 5) != 0 ||
		    fuzz_unprintable(r->warnings[i]))
			abort();
}

/* Scan data as a file, then again with a line for the key added. */
static void
fuzz_file(const uint8_t *data, size_t size)
{
	static const char add[] = "\n[" FUZZ_HOST "]:2222 ssh-ed25519 "
	    FUZZ_KEY "\n";
	struct knownhosts_result r, r2;
	struct knownhosts_query q;
	struct errmsg e;
	size_t i, nlines = 1;
	char *buf;

	if (knownhosts_query_init(&q, "Fuzz.Example", FUZZ_PORT, NULL,
	    "ssh-ed25519", key, keylen, &e) != 0)
		abort();
	for (i = 0; i < size; i++)
		nlines += data[i] == '\n';
	memset(&r, 0, sizeof(r));
	buf = fuzz_copy(data, size);
	knownhosts_scan_buf(&q, "fuzz", buf, size, &r);
	knownhosts_finish(&r);
	fuzz_check_result(&r, nlines);
	free(buf);

	buf = malloc(size + sizeof(add) - 1);
	if (buf == NULL)
		abort();
	memcpy(buf, data, size);
	memcpy(buf + size, add, sizeof(add) - 1);
	memset(&r2, 0, sizeof(r2));
	knownhosts_scan_buf(&q, "fuzz", buf, size + sizeof(add) - 1, &r2);
	knownhosts_finish(&r2);
	fuzz_check_result(&r2, nlines + 2);
	if (r.status == KNOWNHOSTS_REVOKED ? r2.status != KNOWNHOSTS_REVOKED :
	    r2.status != KNOWNHOSTS_MATCH || r2.via_portless)
		abort();
	if (r.nother != r2.nother || r.cert_authority != r2.cert_authority)
		abort();
	free(buf);
	knownhosts_result_clear(&r);
	knownhosts_result_clear(&r2);
}

/* The longest pattern in the list (n bytes), its '!' not counted. */
static size_t
fuzz_longest(const char *list, size_t n)
{
	size_t i, start = 0, most = 0, len;

	for (i = 0; i <= n; i++) {
		if (i < n && list[i] != ',')
			continue;
		len = i - start;
		if (len > 0 && list[start] == '!')
			len--;
		if (len > most)
			most = len;
		start = i + 1;
	}
	return most;
}

/* Pattern list a (alen bytes) against name b (blen bytes). */
static void
fuzz_patterns(const char *a, size_t alen, const char *b, size_t blen)
{
	char *la = fuzz_copy(a, alen), *ub = fuzz_copy(b, blen), *list;
	size_t i;
	int r, r2;

	r = knownhosts_match_list(la, alen, b, blen);
	if (r < -1 || r > 1)
		abort();
	for (i = 0; i < blen; i++)
		if (ub[i] >= 'a' && ub[i] <= 'z')
			ub[i] = (char)(ub[i] - 'a' + 'A');
	for (i = 0; i < alen; i++)
		if (la[i] >= 'A' && la[i] <= 'Z')
			la[i] = (char)(la[i] - 'A' + 'a');
	if (knownhosts_match_list(la, alen, ub, blen) != r)
		abort();
	if (!knownhosts_match_pattern(b, blen, ub, blen))
		abort();
	free(la);
	free(ub);

	/*
	 * ",name" matches unless a negation did; ",!name" negates.  (An empty
	 * name after a final comma is never tried, as in OpenSSH.)
	 */
	if (blen == 0 || memchr(b, ',', blen) != NULL || blen >= 1022 ||
	    fuzz_longest(a, alen) >= 1023)
		return;
	if ((list = malloc(alen + blen + 2)) == NULL)
		abort();
	memcpy(list, a, alen);
	list[alen] = ',';
	memcpy(list + alen + 1, b, blen);
	r2 = knownhosts_match_list(list, alen + 1 + blen, b, blen);
	if (b[0] != '!' && r2 != (r == -1 ? -1 : 1))
		abort();
	list[alen + 1] = '!';
	memcpy(list + alen + 2, b, blen);
	if (knownhosts_match_list(list, alen + 2 + blen, b, blen) != -1)
		abort();
	free(list);
}

/* A valid name, written to a line plain and hashed, matches that line. */
static void
fuzz_name(const char *host, uint16_t port, int hashed)
{
	char name[KNOWNHOSTS_NAME_MAX], line[KNOWNHOSTS_LINE_MAX];
	struct knownhosts_entry *ent;
	struct errmsg e;
	size_t i;

	if (knownhosts_name(host, port, NULL, name, sizeof(name), &e) == -1) {
		if (e.text[0] == '\0' || fuzz_unprintable(e.text))
			abort();
		return;
	}
	for (i = 0; name[i] != '\0'; i++)
		if (name[i] >= 'A' && name[i] <= 'Z')
			abort();
	if (knownhosts_format_line(line, sizeof(line), host, port, NULL, key,
	    keylen, hashed, &e) == -1)
		abort();
	if ((ent = malloc(sizeof(*ent))) == NULL)
		abort();
	if (knownhosts_parse_line(line, strlen(line), ent, &e) != 1 ||
	    knownhosts_entry_matches(ent, name) != 1 ||
	    ent->blob_len != keylen || memcmp(ent->blob, key, keylen) != 0)
		abort();
	free(ent);
}

/* The input as a key blob. */
static void
fuzz_blob(const uint8_t *data, size_t size)
{
	char line[KNOWNHOSTS_LINE_MAX];
	struct knownhosts_entry *ent;
	uint8_t *blob = (uint8_t *)fuzz_copy(data, size);
	const char *type = knownhosts_blob_type(blob, size);
	struct errmsg e;

	if (type == NULL || size > KNOWNHOSTS_BLOB_MAX) {
		free(blob);
		return;
	}
	if (knownhosts_format_line(line, sizeof(line), "h", 22, NULL, blob, size,
	    0, &e) == -1 || (ent = malloc(sizeof(*ent))) == NULL)
		abort();
	if (knownhosts_parse_line(line, strlen(line), ent, &e) != 1 ||
	    ent->keytype != type || ent->blob_len != size ||
	    memcmp(ent->blob, blob, size) != 0)
		abort();
	free(ent);
	free(blob);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size), *b;
	size_t alen = nul != NULL ? (size_t)(nul - data) : size, blen, i;
	char *host;

	fuzz_init();
	fuzz_line(data, size, 1);
	if (size <= FUZZ_ALL_PREFIXES)
		for (i = 0; i < size; i++)
			fuzz_line(data, i, 0);
	fuzz_file(data, size);

	b = nul != NULL ? nul + 1 : data + size;
	blen = (size_t)(data + size - b);
	if (memchr(b, '\0', blen) != NULL)
		blen = (size_t)((const uint8_t *)memchr(b, '\0', blen) - b);
	fuzz_patterns((const char *)data, alen, (const char *)b, blen);
	if ((host = malloc(blen + 1)) == NULL)
		abort();
	memcpy(host, b, blen);
	host[blen] = '\0';
	fuzz_name(host, size > 0 ? (uint16_t)(data[0] * 131u) : 22,
	    size > 1 && (data[1] & 1));
	free(host);
	fuzz_blob(data, size);
	return 0;
}
