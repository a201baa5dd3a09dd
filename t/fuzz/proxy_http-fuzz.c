/*
 * proxy_http-fuzz.c: libFuzzer harness for lib/proxy_http.c.
 * SPDX-License-Identifier: MIT
 *
 * Feeds arbitrary bytes to proxy_http_parse_reply() as a proxy's reply:
 * whole, cut at a point the first byte chooses and (for small inputs) cut
 * at every length, each time from a buffer that ends exactly where the
 * input does, so ASan sees any read past it.  Checks the invariants a
 * caller relies on: 1 means a header block of at most 16 KiB ending in LF
 * with no NUL in it and a printable reason; a prefix never contradicts the
 * whole input (its 1 is the same reply, its -1 stays -1); 0 never at 16
 * KiB; -1 always with a printable message.  The input as a string also
 * goes to proxy_http_digest_parse(), proxy_http_digest_response(),
 * proxy_http_connect_request() and proxy_http_basic(), whose output must
 * never hold a control byte that could split a header.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proxy_http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs up to this size are also parsed at every prefix length. */
#define FUZZ_ALL_PREFIXES 512

/* Does s hold a byte outside printable ASCII? */
static int
fuzz_unprintable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return 1;
	return 0;
}

/* Does s hold CR, LF or another control byte (HTAB allowed)? */
static int
fuzz_ctl(const char *s)
{
	for (; *s != '\0'; s++)
		if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
			return 1;
	return 0;
}

/* The invariants of one proxy_http_parse_reply() result on buf (len). */
static void
fuzz_check_reply(int rc, const struct proxy_http_reply *r,
    const struct errmsg *e, const char *buf, size_t len)
{
	switch (rc) {
	case 1:
		if (r->header_len == 0 || r->header_len > len ||
		    r->header_len > PROXY_HTTP_MAX_HEADERS ||
		    buf[r->header_len - 1] != '\n' ||
		    memchr(buf, '\0', r->header_len) != NULL)
			abort();
		if (r->status < 100 || r->status > 599 ||
		    (r->minor != 0 && r->minor != 1))
			abort();
		if (memchr(r->reason, '\0', sizeof(r->reason)) == NULL ||
		    fuzz_unprintable(r->reason))
			abort();
		if (memchr(r->digest, '\0', sizeof(r->digest)) == NULL ||
		    (r->digest[0] != '\0' && !r->offers_digest))
			abort();
		if (r->content_length < -1 || (r->chunked &&
		    r->content_length != -1))
			abort();
		break;
	case 0:
		if (len >= PROXY_HTTP_MAX_HEADERS)
			abort();
		break;
	case -1:
		if (e->text[0] == '\0' || fuzz_unprintable(e->text))
			abort();
		break;
	default:
		abort();
	}
}

/*
 * Parse the first n bytes of data from the end of scratch (size cap >= n),
 * so that a read past them hits ASan's redzone, and check the result.
 */
static int
fuzz_parse_prefix(const uint8_t *data, size_t n, char *scratch, size_t cap,
    struct proxy_http_reply *r)
{
	struct errmsg e;
	char *buf = scratch + cap - n;
	int rc;

	memmove(buf, data, n);
	e.text[0] = '\0';
	rc = proxy_http_parse_reply(buf, n, r, &e);
	fuzz_check_reply(rc, r, &e, buf, n);
	return rc;
}

/* A prefix's answer must agree with the whole input's. */
static void
fuzz_agree(int rc_prefix, const struct proxy_http_reply *rp, int rc_whole,
    const struct proxy_http_reply *rw)
{
	if (rc_prefix == 1 && (rc_whole != 1 || rp->header_len != rw->header_len ||
	    rp->minor != rw->minor || rp->status != rw->status ||
	    rp->keep_alive != rw->keep_alive || rp->chunked != rw->chunked ||
	    rp->content_length != rw->content_length ||
	    rp->offers_basic != rw->offers_basic ||
	    rp->offers_digest != rw->offers_digest ||
	    strcmp(rp->reason, rw->reason) != 0 ||
	    strcmp(rp->digest, rw->digest) != 0))
		abort();
	if (rc_prefix == -1 && rc_whole != -1)
		abort();
}

/* Take a Digest challenge as far as it goes: parse it, answer it. */
static void
fuzz_digest(const char *params)
{
	struct proxy_http_digest d;
	struct errmsg e;
	char out[4096];

	e.text[0] = '\0';
	if (proxy_http_digest_parse(params, &d, &e) == -1) {
		if (e.text[0] == '\0' || fuzz_unprintable(e.text))
			abort();
		return;
	}
	if (fuzz_ctl(d.realm) || fuzz_ctl(d.nonce) || fuzz_ctl(d.opaque))
		abort();
	if (proxy_http_digest_response(&d, "user\"\\", "secret", "[::1]:22",
	    "cnonce", 1, out, sizeof(out), &e) != 0 || fuzz_ctl(out))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proxy_http_reply whole, part;
	struct errmsg e;
	char *scratch, *s, out[2048];
	size_t cut, i;
	int rc, rc2, n;

	scratch = malloc(size > 0 ? size : 1);
	if (scratch == NULL)
		return 0;
	rc = fuzz_parse_prefix(data, size, scratch, size, &whole);
	if (size > 0) {
		cut = (size_t)data[0] * size / 256;
		rc2 = fuzz_parse_prefix(data, cut, scratch, size, &part);
		fuzz_agree(rc2, &part, rc, &whole);
	}
	if (size <= FUZZ_ALL_PREFIXES) {
		for (i = 0; i < size; i++) {
			rc2 = fuzz_parse_prefix(data, i, scratch, size, &part);
			fuzz_agree(rc2, &part, rc, &whole);
		}
	}
	free(scratch);
	if (rc == 1 && whole.digest[0] != '\0')
		fuzz_digest(whole.digest);

	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	fuzz_digest(s);
	n = proxy_http_connect_request(out, sizeof(out), s, 22, s, &e);
	if (n != -1) {
		/* Four header lines and the empty one, nothing injected. */
		for (i = 0, rc2 = 0; i < (size_t)n; i++)
			if (out[i] == '\n')
				rc2++;
		if ((size_t)n != strlen(out) || rc2 != 5 ||
		    strncmp(out, "CONNECT ", 8) != 0)
			abort();
	}
	if (proxy_http_basic(out, sizeof(out), s, s, &e) == 0 &&
	    (strncmp(out, "Basic ", 6) != 0 || fuzz_unprintable(out)))
		abort();
	free(s);
	return 0;
}
