/*
 * socks_server-fuzz.c: libFuzzer harness for lib/socks_server.c.
 * SPDX-License-Identifier: MIT
 *
 * The input is what a SOCKS client sends.  It is fed to the parser three
 * ways (all at once, one byte at a time, and in pieces of a size taken from
 * the first byte), each piece copied to a heap block of exactly its size
 * and no terminator, so ASan catches a read past it.  The contract the -D
 * listener relies on is checked: *consumed never exceeds what was given,
 * NEED_MORE uses everything, every way of feeding gives the same result at
 * the same byte with the same fields, reply bytes and message; a request
 * has a terminated host that fits and is a real address for the address
 * types; a refusal's reply is one of the shapes the protocol allows.  The
 * reply builders and the error mapping get the input too.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "socks_server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct run {
	enum socks_server_result r;
	size_t method_at;	/* offset after the method reply, or 0 */
	size_t done_at;		/* offset after the request or the bad byte */
	struct socks_server st;
	struct errmsg e;
};

/* Feed data to a fresh parser in pieces of chunk bytes. */
static void
run_parser(const uint8_t *data, size_t size, size_t chunk, struct run *o)
{
	size_t pos = 0, off, used, n;
	unsigned char *p;

	memset(o, 0, sizeof(*o));
	socks_server_init(&o->st);
	o->r = SOCKS_SERVER_NEED_MORE;
	while (pos < size) {
		n = size - pos < chunk ? size - pos : chunk;
		if ((p = malloc(n)) == NULL)
			abort();
		memcpy(p, data + pos, n);
		off = 0;
		for (;;) {
			o->r = socks_server_parse(&o->st, p + off, n - off, &used,
			    &o->e);
			if (used > n - off)
				abort();
			off += used;
			if (o->r != SOCKS_SERVER_REPLY_METHOD)
				break;
			if (o->method_at != 0 || o->st.reply_len != 2 ||
			    o->st.reply[0] != 5 || o->st.reply[1] != 0)
				abort();
			o->method_at = pos + off;
		}
		free(p);
		if (o->r == SOCKS_SERVER_REQUEST || o->r == SOCKS_SERVER_ERROR) {
			o->done_at = pos + off;
			return;
		}
		if (o->r != SOCKS_SERVER_NEED_MORE || off != n)
			abort();
		pos += n;
	}
	o->done_at = size;
}

/* Check one run on its own. */
static void
check_run(const struct run *o)
{
	const struct socks_server *st = &o->st;
	unsigned char a[16];
	size_t hlen;

	if (o->r == SOCKS_SERVER_ERROR) {
		if (o->e.text[0] == '\0' || strchr(o->e.text, '\n') != NULL)
			abort();
		switch (st->reply_len) {
		case 0:
			if (st->version != 0)
				abort();
			break;
		case 2:
			if (st->reply[0] != 5 || st->reply[1] != 0xff)
				abort();
			break;
		case 8:
			if (st->version != 4 || st->reply[0] != 0 ||
			    st->reply[1] != SOCKS_SERVER_S4_REJECTED)
				abort();
			break;
		case 10:
			if (st->version != 5 || st->reply[0] != 5 ||
			    st->reply[1] == 0 || st->reply[3] != 1)
				abort();
			break;
		default:
			abort();
		}
		return;
	}
	if (o->r != SOCKS_SERVER_REQUEST)
		return;
	hlen = strnlen(st->host, sizeof(st->host));
	if (hlen == 0 || hlen > SOCKS_SERVER_FIELD_MAX ||
	    strnlen(st->userid, sizeof(st->userid)) > SOCKS_SERVER_FIELD_MAX)
		abort();
	if ((st->version == 4) != (o->method_at == 0) ||
	    (st->version != 4 && st->version != 5))
		abort();
	switch (st->atyp) {
	case SOCKS_SERVER_ATYP_IPV4:
		if (inet_pton(AF_INET, st->host, a) != 1 || st->socks4a)
			abort();
		break;
	case SOCKS_SERVER_ATYP_IPV6:
		if (inet_pton(AF_INET6, st->host, a) != 1 || st->version != 5)
			abort();
		break;
	case SOCKS_SERVER_ATYP_NAME:
		if (st->socks4a != (st->version == 4))
			abort();
		break;
	default:
		abort();
	}
}

/* Do two runs agree on everything the caller sees? */
static void
check_same(const struct run *a, const struct run *b)
{
	if (a->r != b->r || a->method_at != b->method_at ||
	    a->done_at != b->done_at)
		abort();
	if (a->r == SOCKS_SERVER_ERROR &&
	    (strcmp(a->e.text, b->e.text) != 0 || a->e.code != b->e.code ||
	    a->st.reply_len != b->st.reply_len ||
	    memcmp(a->st.reply, b->st.reply, a->st.reply_len) != 0))
		abort();
	if (a->r == SOCKS_SERVER_REQUEST &&
	    (strcmp(a->st.host, b->st.host) != 0 || a->st.port != b->st.port ||
	    a->st.atyp != b->st.atyp || a->st.version != b->st.version ||
	    strcmp(a->st.userid, b->st.userid) != 0))
		abort();
}

/* The builders, with a bound address and a code taken from the input. */
static void
fuzz_replies(const struct run *o, const uint8_t *data, size_t size)
{
	unsigned char buf[SOCKS_SERVER_REPLY_MAX + 4], *small;
	struct errmsg e;
	char *s;
	size_t len;
	int rc;
	uint8_t rep = size > 0 ? data[size - 1] : 0;

	if (o->r == SOCKS_SERVER_REQUEST) {
		rc = socks_server_reply(&o->st, rep, buf, sizeof(buf), &e);
		if (rc != (o->st.version == 4 ? 8 : 10) ||
		    (o->st.version == 4 && buf[1] != (rep == 0 ?
		    SOCKS_SERVER_S4_GRANTED : SOCKS_SERVER_S4_REJECTED)) ||
		    (o->st.version == 5 && buf[1] != rep))
			abort();
	}
	len = strnlen((const char *)data, size);
	if ((s = malloc(len + 1)) == NULL)
		return;
	memcpy(s, data, len);
	s[len] = '\0';
	for (len = 0; len <= SOCKS_SERVER_REPLY_MAX; len++) {
		if ((small = malloc(len > 0 ? len : 1)) == NULL)
			break;
		e.text[0] = '\0';
		rc = socks_server_reply4(small, len, rep, s, 1080, &e);
		if ((rc != -1 && rc != 8) || (rc == -1 && e.text[0] == '\0'))
			abort();
		e.text[0] = '\0';
		rc = socks_server_reply5(small, len, rep, s, 1080, &e);
		if ((rc != -1 && rc != 10 && rc != 22) ||
		    (rc == -1 && e.text[0] == '\0') ||
		    (rc > 0 && (small[0] != 5 || small[1] != rep)))
			abort();
		free(small);
	}
	e.code = size > 1 ? data[0] : 0;
	snprintf(e.text, sizeof(e.text), "%s", s);
	if (socks_server_rep5_for(&e) > SOCKS_SERVER_S5_ATYP_UNSUPPORTED)
		abort();
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct run whole, bytes, pieces;
	size_t chunk = size > 0 ? (size_t)(data[0] % 7) + 2 : 1;

	run_parser(data, size, size > 0 ? size : 1, &whole);
	run_parser(data, size, 1, &bytes);
	run_parser(data, size, chunk, &pieces);
	check_run(&whole);
	check_same(&whole, &bytes);
	check_same(&whole, &pieces);
	fuzz_replies(&whole, data, size);
	return 0;
}
