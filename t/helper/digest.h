/*
 * digest.h: the server side of HTTP Digest (RFC 7616) for fakeproxy's
 * Digest modes: write a challenge, check a client's answer for real.
 * SPDX-License-Identifier: MIT
 *
 * Written apart from lib/proxy_http.c on purpose, so that the integration
 * tests check jumpcat's Digest against a second implementation.  Only
 * qop=auth is offered, for method CONNECT; the hashes are OpenSSL EVP's.
 * Pure functions over strings: no I/O.
 */
#ifndef HOPKIT_T_DIGEST_H
#define HOPKIT_T_DIGEST_H

#include <stddef.h>

#define DIGEST_MD5 0x01
#define DIGEST_SHA256 0x02

/* What the client's answer must match. */
struct digest_expect {
	const char *user, *pass;	/* -a user:pass */
	const char *realm, *nonce, *opaque;	/* as in the challenge */
	const char *uri;		/* the CONNECT request-target */
	unsigned algs;			/* DIGEST_* offered, ORed */
};

/* The name of a DIGEST_* algorithm in the protocol ("MD5", "SHA-256"). */
const char *digest_alg_name(unsigned alg);

/*
 * Write the challenge "Digest realm=\"..\", nonce=\"..\", opaque=\"..\",
 * qop=\"auth\", algorithm=ALG" for x and the one algorithm alg into buf
 * (size len).  Returns 0, or -1 if it does not fit.
 */
int digest_challenge(char *buf, size_t len, const struct digest_expect *x,
    unsigned alg);

/*
 * Check the Proxy-Authorization value v (everything after the colon, white
 * space trimmed) against x: scheme Digest, username, realm, nonce, uri,
 * opaque echoed, an offered algorithm, qop=auth, nc 00000001 (8 hex
 * digits, first use of the nonce), a cnonce, the right quoting of each
 * parameter (RFC 7616 3.4: qop, nc and algorithm are tokens, the rest
 * quoted strings), no repeated parameter, and the response computed from
 * x->pass.  Returns the DIGEST_* algorithm used, or 0 with why (size
 * whylen) saying the first thing that was wrong.
 */
unsigned digest_verify(const char *v, const struct digest_expect *x,
    char *why, size_t whylen);

#endif
