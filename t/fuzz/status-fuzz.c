/*
 * status-fuzz.c: libFuzzer harness for lib/status.c's reader.
 * SPDX-License-Identifier: MIT
 *
 * Feeds arbitrary bytes to status_from_json(), whole and cut at a point the
 * first byte chooses, and checks the invariants a caller relies on: -1
 * leaves an empty document and a printable one-line message; 0 leaves a
 * document whose enums and numbers are in range, which status_to_json()
 * writes on one line, which reads back the same and writes the same text
 * again; status_summary() always gives a NUL-terminated line without
 * control bytes, whatever the buffer size.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Does s hold a byte below 0x20 (or DEL, with del set)? */
static int
fuzz_ctl(const char *s, size_t len, int del)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (del && s[i] == 0x7f))
			return 1;
	return 0;
}

/* The invariants of a parsed document. */
static void
fuzz_check_doc(const struct status_doc *d)
{
	size_t i;

	if (d->version == NULL || d->host == NULL ||
	    status_state_name(d->state) == NULL ||
	    d->pid < 1 || d->pid > INT32_MAX ||
	    (d->forwards == NULL) != (d->nforwards == 0) ||
	    d->uptime > (uint64_t)INT64_MAX ||
	    d->bytes_in > (uint64_t)INT64_MAX ||
	    d->last_error_time < 0 ||
	    (d->last_error == NULL && d->last_error_time != 0))
		abort();
	for (i = 0; i < d->nforwards; i++)
		if (d->forwards[i].spec == NULL ||
		    status_fwd_kind_name(d->forwards[i].kind) == NULL ||
		    status_fwd_state_name(d->forwards[i].state) == NULL)
			abort();
}

/* Write d, read it back, write again: all must agree. */
static void
fuzz_round_trip(const struct status_doc *d)
{
	struct status_doc r;
	struct errmsg e;
	char *out, *out2;
	size_t len;

	if (status_to_json(d, &out, &e) != 0)
		abort();
	len = strlen(out);
	if (len == 0 || out[len - 1] != '\n' || fuzz_ctl(out, len - 1, 0))
		abort();
	if (status_from_json(out, len, &r, &e) != 0 || !status_equal(d, &r))
		abort();
	if (status_to_json(&r, &out2, &e) != 0 || strcmp(out, out2) != 0)
		abort();
	free(out2);
	free(out);
	status_free(&r);
}

/* The summary in buffers of several sizes. */
static void
fuzz_summary(const struct status_doc *d, size_t small)
{
	char buf[1024], *p;
	size_t len;

	p = status_summary(d, buf, sizeof(buf));
	len = strlen(p);
	if (p != buf || len >= sizeof(buf) || fuzz_ctl(buf, len, 1))
		abort();
	small = small % (sizeof(buf) - 1) + 1;	/* 1..1023: buf[small] is a guard */
	memset(buf, 'x', sizeof(buf));
	status_summary(d, buf, small);
	if (memchr(buf, '\0', small) == NULL || buf[small] != 'x')
		abort();
}

/* Parse the first n bytes of data, from a buffer that ends where they do
 * (so ASan sees a read past them), and check the result. */
static void
fuzz_parse(const uint8_t *data, size_t n, size_t small)
{
	struct status_doc d;
	struct errmsg e;
	const char *p;
	char *buf;
	int rc;

	buf = malloc(n > 0 ? n : 1);
	if (buf == NULL)
		return;
	memcpy(buf, data, n);
	e.text[0] = '\0';
	memset(&d, 0xa5, sizeof(d));
	rc = status_from_json(buf, n, &d, &e);
	free(buf);
	if (rc == 0) {
		fuzz_check_doc(&d);
		fuzz_round_trip(&d);
		fuzz_summary(&d, small);
		status_free(&d);
		return;
	}
	if (rc != -1 || e.text[0] == '\0' || d.host != NULL || d.version != NULL ||
	    d.forwards != NULL || d.nforwards != 0)
		abort();
	for (p = e.text; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			abort();
	status_free(&d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cut;

	fuzz_parse(data, size, size);
	if (size > 0) {
		cut = (size_t)data[0] * size / 256;
		fuzz_parse(data, cut, cut);
	}
	return 0;
}
