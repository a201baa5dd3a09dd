/*
 * proxy_socks-fuzz.c: libFuzzer harness for lib/proxy_socks.c.
 * SPDX-License-Identifier: MIT
 *
 * Feeds the input, as bytes from a proxy, to every reply parser, once per
 * prefix length, and checks the contract the hop state machine relies on:
 * success is 0 < N <= len, failure leaves a message, a verdict once given
 * never changes as more bytes arrive (so nothing after a reply is looked
 * at), and no reply needs more than PROXY_SOCKS_REPLY_MAX bytes.  The input
 * is also split at NULs into host, user and password for the builders, which
 * must stay within the buffer, leave it untouched on failure and produce
 * messages that parse back to their own length.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proxy_socks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef int (*parse_fn)(const uint8_t *buf, size_t len, struct errmsg *e);

static int
method_noauth(const uint8_t *buf, size_t len, struct errmsg *e)
{
	int m = -1, rc;

	rc = proxy_socks5_method_reply(buf, len, 0, &m, e);
	if (rc > 0 && m != PROXY_SOCKS5_METHOD_NONE)
		abort();
	if (rc <= 0 && m != -1)
		abort();
	return rc;
}

static int
method_auth(const uint8_t *buf, size_t len, struct errmsg *e)
{
	int m = -1, rc;

	rc = proxy_socks5_method_reply(buf, len, 1, &m, e);
	if (rc > 0 && m != PROXY_SOCKS5_METHOD_NONE &&
	    m != PROXY_SOCKS5_METHOD_USERPASS)
		abort();
	return rc;
}

static const parse_fn parsers[] = {
	proxy_socks4_reply,
	method_noauth,
	method_auth,
	proxy_socks5_auth_reply,
	proxy_socks5_connect_reply,
};

/*
 * One parser over every prefix of data (and all of it): see above.  Each
 * prefix is copied to the end of a heap block so that ASan catches a read
 * past it.
 */
static void
fuzz_reply(parse_fn parse, const uint8_t *data, size_t size)
{
	struct errmsg e;
	const uint8_t *p;
	uint8_t *tail;
	size_t k, last = size < PROXY_SOCKS_REPLY_MAX ? size :
	    PROXY_SOCKS_REPLY_MAX;
	int rc, verdict = 0;

	if ((tail = malloc(last > 0 ? last : 1)) == NULL)
		return;
	for (k = 0; k <= last + 1; k++) {
		if (k <= last) {
			memcpy(tail + last - k, data, k);
			p = tail + last - k;
		} else {
			k = size;	/* and once with everything */
			p = data;
		}
		e.text[0] = '\0';
		rc = parse(p, k, &e);
		if (rc < -1 || (rc > 0 && (size_t)rc > k))
			abort();
		if (rc == -1 && e.text[0] == '\0')
			abort();
		if (rc > 0 && verdict == 0 && (size_t)rc != k)
			abort();	/* complete exactly when the last byte came */
		if (verdict != 0 && rc != verdict)
			abort();	/* a verdict never changes */
		if (rc == 0 && k >= PROXY_SOCKS_REPLY_MAX)
			abort();
		verdict = rc;
		if (k == size)
			break;
	}
	free(tail);
}

/* The n-th NUL-separated piece of data, or NULL; into buf (size+1). */
static const char *
piece(const uint8_t *data, size_t size, int n, char *buf)
{
	size_t i, start = 0;

	for (i = 0; i <= size; i++) {
		if (i == size || data[i] == 0) {
			if (n-- == 0) {
				memcpy(buf, data + start, i - start);
				buf[i - start] = '\0';
				return buf;
			}
			start = i + 1;
		}
	}
	return NULL;
}

/* Check a builder's result in buf (size len, canary bytes beyond). */
static void
check_built(int rc, const uint8_t *buf, size_t len, size_t cap,
    const struct errmsg *e)
{
	size_t i;

	if (rc < -1 || (rc > 0 && (size_t)rc > len) || rc == 0)
		abort();
	if (rc == -1 && e->text[0] == '\0')
		abort();
	for (i = rc == -1 ? 0 : (size_t)rc; i < cap; i++)
		if (buf[i] != 0xa5)
			abort();
}

static void
fuzz_builders(const uint8_t *data, size_t size)
{
	uint8_t buf[PROXY_SOCKS_REQUEST_MAX + 16];
	char *host, *user, *pass;
	const char *h, *u, *p;
	struct errmsg e;
	size_t lens[3], i;
	uint16_t port;
	int rc;

	host = malloc(size + 1);
	user = malloc(size + 1);
	pass = malloc(size + 1);
	if (host == NULL || user == NULL || pass == NULL)
		goto out;
	h = piece(data, size, 0, host);
	u = piece(data, size, 1, user);
	p = piece(data, size, 2, pass);
	port = size >= 2 ? (uint16_t)(data[size - 2] << 8 | data[size - 1]) : 0;
	lens[0] = size % 24;
	lens[1] = PROXY_SOCKS_REQUEST_MAX;
	lens[2] = sizeof(buf);

	for (i = 0; i < 3; i++) {
		memset(buf, 0xa5, sizeof(buf));
		e.text[0] = '\0';
		rc = proxy_socks4_request(buf, lens[i], (int)(size & 1), h, port, u,
		    &e);
		check_built(rc, buf, lens[i], sizeof(buf), &e);
		if (rc > 0 && (rc < 9 || buf[0] != 4 || buf[1] != 1 ||
		    buf[rc - 1] != 0 || (size_t)rc > PROXY_SOCKS4_REQUEST_MAX))
			abort();
		if (rc > 0) {
			/* A name follows the userid exactly when DSTIP is 0.0.0.x,
			 * x > 0: one NUL after byte 8, or two. */
			int marker = buf[4] == 0 && buf[5] == 0 && buf[6] == 0 &&
			    buf[7] != 0;
			size_t nuls = 0, j;

			for (j = 8; j < (size_t)rc; j++)
				nuls += buf[j] == 0;
			if (nuls != (marker ? 2u : 1u) || (marker && !(size & 1)))
				abort();
		}

		memset(buf, 0xa5, sizeof(buf));
		e.text[0] = '\0';
		rc = proxy_socks5_connect_request(buf, lens[i], h, port, &e);
		check_built(rc, buf, lens[i], sizeof(buf), &e);
		if (rc > 0) {
			/* With REP 0 in CMD's place it is a reply of its size. */
			if (buf[0] != 5 || buf[1] != 1 || buf[2] != 0 ||
			    (size_t)rc > PROXY_SOCKS5_CONNECT_MAX)
				abort();
			buf[1] = 0;
			if (proxy_socks5_connect_reply(buf, (size_t)rc, &e) != rc)
				abort();
		}

		memset(buf, 0xa5, sizeof(buf));
		e.text[0] = '\0';
		rc = proxy_socks5_auth_request(buf, lens[i], u, p, &e);
		check_built(rc, buf, lens[i], sizeof(buf), &e);
		if (rc > 0 && (buf[0] != 1 ||
		    3 + (size_t)buf[1] + buf[2 + buf[1]] != (size_t)rc))
			abort();

		memset(buf, 0xa5, sizeof(buf));
		rc = proxy_socks5_greeting(buf, lens[i], (int)(size & 2));
		if (rc != -1 && (rc < 3 || (size_t)rc > lens[i]))
			abort();
	}
out:
	free(host);
	free(user);
	free(pass);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t i;

	for (i = 0; i < sizeof(parsers) / sizeof(parsers[0]); i++)
		fuzz_reply(parsers[i], data, size);
	fuzz_builders(data, size);
	return 0;
}
