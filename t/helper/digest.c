/*
 * digest.c: HTTP Digest challenges and answer checks for fakeproxy; see
 * digest.h.
 * SPDX-License-Identifier: MIT
 *
 * The answer is split into auth-params (name=token or name="quoted
 * string", comma-separated, backslash escapes undone) and each one the
 * RFC requires is checked, then response is recomputed:
 *   HA1 = H(user ":" realm ":" pass)
 *   HA2 = H("CONNECT" ":" uri)
 *   response = H(HA1 ":" nonce ":" nc ":" cnonce ":" "auth" ":" HA2)
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "digest.h"

#define DIGEST_PARAMS_MAX 16
#define DIGEST_VALUE_MAX 512

/* One auth-param of the client's answer. */
struct digest_param {
	char name[32];
	char value[DIGEST_VALUE_MAX];
	int quoted;
};

const char *
digest_alg_name(unsigned alg)
{
	return alg == DIGEST_SHA256 ? "SHA-256" : "MD5";
}

int
digest_challenge(char *buf, size_t len, const struct digest_expect *x,
    unsigned alg)
{
	int n;

	n = snprintf(buf, len, "Digest realm=\"%s\", nonce=\"%s\", "
	    "opaque=\"%s\", qop=\"auth\", algorithm=%s", x->realm, x->nonce,
	    x->opaque, digest_alg_name(alg));
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* Set why (size whylen) from fmt; returns 0, digest_verify()'s failure. */
static unsigned __attribute__((format(printf, 3, 4)))
digest_no(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return 0;
}

/*
 * Split the auth-params at p into ps (at most DIGEST_PARAMS_MAX).
 * Returns how many, or -1 on bad syntax, too many, or one too long.
 */
static int
digest_split(const char *p, struct digest_param *ps)
{
	size_t k, o;
	int n = 0;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			return n;
		if (n == DIGEST_PARAMS_MAX)
			return -1;
		for (k = 0; *p != '\0' && *p != '=' && *p != ' ' && *p != ','; p++)
			if (k + 1 < sizeof ps[n].name)
				ps[n].name[k++] = *p;
		ps[n].name[k] = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (k == 0 || *p++ != '=')
			return -1;
		while (*p == ' ' || *p == '\t')
			p++;
		ps[n].quoted = *p == '"';
		o = 0;
		if (ps[n].quoted) {
			for (p++; *p != '"'; p++) {
				if (*p == '\\')
					p++;
				if (*p == '\0' || o + 1 >= DIGEST_VALUE_MAX)
					return -1;
				ps[n].value[o++] = *p;
			}
			p++;
		} else {
			for (; *p != '\0' && *p != ',' && *p != ' ' && *p != '\t'; p++) {
				if (o + 1 >= DIGEST_VALUE_MAX)
					return -1;
				ps[n].value[o++] = *p;
			}
		}
		ps[n].value[o] = '\0';
		n++;
	}
}

/* The parameter called name in ps (n of them), or NULL. */
static const struct digest_param *
digest_find(const struct digest_param *ps, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcasecmp(ps[i].name, name) == 0)
			return &ps[i];
	return NULL;
}

/*
 * The lowercase hex hash of the nparts strings in parts joined by ':'
 * into hex (size 2 * EVP_MAX_MD_SIZE + 1).  Returns 0 or -1.
 */
static int
digest_hash(unsigned alg, const char *const *parts, int nparts, char *hex)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	if (ctx == NULL)
		return -1;
	ok = EVP_DigestInit_ex(ctx, alg == DIGEST_SHA256 ? EVP_sha256() :
	    EVP_md5(), NULL) == 1;
	for (int i = 0; ok && i < nparts; i++)
		ok = (i == 0 || EVP_DigestUpdate(ctx, ":", 1) == 1) &&
		    EVP_DigestUpdate(ctx, parts[i], strlen(parts[i])) == 1;
	ok = ok && EVP_DigestFinal_ex(ctx, md, &mdlen) == 1;
	EVP_MD_CTX_free(ctx);
	for (unsigned i = 0; ok && i < mdlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return ok ? 0 : -1;
}

/* The response jumpcat should have sent for x, alg, nc and cnonce. */
static int
digest_expected(const struct digest_expect *x, unsigned alg, const char *nc,
    const char *cnonce, char *hex)
{
	char ha1[2 * EVP_MAX_MD_SIZE + 1], ha2[sizeof ha1];
	const char *parts[6];

	parts[0] = x->user;
	parts[1] = x->realm;
	parts[2] = x->pass;
	if (digest_hash(alg, parts, 3, ha1) < 0)
		return -1;
	parts[0] = "CONNECT";
	parts[1] = x->uri;
	if (digest_hash(alg, parts, 2, ha2) < 0)
		return -1;
	parts[0] = ha1;
	parts[1] = x->nonce;
	parts[2] = nc;
	parts[3] = cnonce;
	parts[4] = "auth";
	parts[5] = ha2;
	return digest_hash(alg, parts, 6, hex);
}

/*
 * Check that ps (n of them) has no parameter twice and that each one the
 * answer needs is there, quoted as RFC 7616 3.4 says.  Returns 1 or 0 (why
 * set).
 */
static int
digest_shape(const struct digest_param *ps, int n, char *why, size_t whylen)
{
	static const struct {
		const char *name;
		int quoted;
	} need[] = {
		{ "username", 1 }, { "realm", 1 }, { "nonce", 1 }, { "uri", 1 },
		{ "response", 1 }, { "cnonce", 1 }, { "opaque", 1 },
		{ "qop", 0 }, { "nc", 0 }, { "algorithm", 0 },
	};
	const struct digest_param *p;

	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (strcasecmp(ps[i].name, ps[j].name) == 0)
				return digest_no(why, whylen, "parameter %s twice",
				    ps[i].name);
	for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
		if ((p = digest_find(ps, n, need[i].name)) == NULL)
			return digest_no(why, whylen, "no %s", need[i].name);
		if (p->quoted != need[i].quoted)
			return digest_no(why, whylen, "%s %s", need[i].name,
			    need[i].quoted ? "not a quoted string" :
			    "quoted, but RFC 7616 makes it a token");
	}
	return 1;
}

/* Does the value of parameter name equal want?  Sets why if not. */
static int
digest_is(const struct digest_param *ps, int n, const char *name,
    const char *want, char *why, size_t whylen)
{
	const struct digest_param *p = digest_find(ps, n, name);

	if (strcmp(p->value, want) == 0)
		return 1;
	return digest_no(why, whylen, "%s \"%.60s\", wanted \"%.60s\"", name,
	    p->value, want);
}

unsigned
digest_verify(const char *v, const struct digest_expect *x, char *why,
    size_t whylen)
{
	struct digest_param ps[DIGEST_PARAMS_MAX];
	char want[2 * EVP_MAX_MD_SIZE + 1];
	const char *alg, *nc, *cnonce;
	unsigned a;
	int n;

	if (strncasecmp(v, "Digest ", 7) != 0)
		return digest_no(why, whylen, "scheme is not Digest");
	if ((n = digest_split(v + 7, ps)) < 0)
		return digest_no(why, whylen, "malformed parameters");
	if (!digest_shape(ps, n, why, whylen) ||
	    !digest_is(ps, n, "username", x->user, why, whylen) ||
	    !digest_is(ps, n, "realm", x->realm, why, whylen) ||
	    !digest_is(ps, n, "nonce", x->nonce, why, whylen) ||
	    !digest_is(ps, n, "opaque", x->opaque, why, whylen) ||
	    !digest_is(ps, n, "uri", x->uri, why, whylen) ||
	    !digest_is(ps, n, "qop", "auth", why, whylen) ||
	    !digest_is(ps, n, "nc", "00000001", why, whylen))
		return 0;
	alg = digest_find(ps, n, "algorithm")->value;
	a = strcmp(alg, "MD5") == 0 ? DIGEST_MD5 :
	    strcmp(alg, "SHA-256") == 0 ? DIGEST_SHA256 : 0;
	if ((a & x->algs) == 0)
		return digest_no(why, whylen, "algorithm %.40s was not offered", alg);
	nc = digest_find(ps, n, "nc")->value;
	cnonce = digest_find(ps, n, "cnonce")->value;
	if (*cnonce == '\0')
		return digest_no(why, whylen, "empty cnonce");
	if (digest_expected(x, a, nc, cnonce, want) < 0)
		return digest_no(why, whylen, "OpenSSL cannot hash %s", alg);
	if (!digest_is(ps, n, "response", want, why, whylen)) {
		/* Never show what the right answer would have been. */
		snprintf(why, whylen, "wrong response (wrong password?)");
		return 0;
	}
	return a;
}
