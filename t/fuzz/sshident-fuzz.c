/*
 * sshident-fuzz.c: libFuzzer harness for lib/sshident.c (the SSH
 * identification line).
 * SPDX-License-Identifier: MIT
 *
 * Feeds arbitrary bytes to sshident_parse(), with and without the end of
 * the stream, whole and cut at a point the first byte chooses, from a
 * buffer that ends where they do (so ASan sees a read past them).  Checks:
 * the result is -1, 0 or 1 and never 0 at EOF; -1 leaves a printable
 * one-line message; 1 leaves a line of the form "SSH-proto-software[
 * comments]" that ends at id.end on a LF within the input, holds no NUL,
 * comes after at most SSHIDENT_PRELINES_MAX lines, and is found again in
 * just its first id.end bytes; what is found without EOF is found with it.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sshident.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Is text a printable line (empty allowed)? */
static int
fuzz_printable(const char *text, size_t max)
{
	const unsigned char *p = (const unsigned char *)text;

	if (memchr(text, '\0', max) == NULL)
		return 0;
	for (; *p != '\0'; p++)
		if (*p < 0x20 || *p >= 0x7f)
			return 0;
	return 1;
}

/* The invariants of an identification found in buf[0..len). */
static void
fuzz_check_id(const char *buf, size_t len, const struct sshident *id)
{
	char head[SSHIDENT_LINE_MAX * 2 + 8];
	size_t hlen, llen = strlen(id->line);
	const char *nl, *start;
	int cr;

	if (id->end == 0 || id->end > len || buf[id->end - 1] != '\n' ||
	    memchr(buf, '\0', id->end) != NULL ||
	    id->prelines > SSHIDENT_PRELINES_MAX ||
	    llen + 1 > SSHIDENT_LINE_MAX || llen + 1 > id->end ||
	    strncmp(id->line, "SSH-", 4) != 0 ||
	    id->proto[0] == '\0' || strchr(id->proto, '-') != NULL ||
	    id->software[0] == '\0' || strchr(id->software, ' ') != NULL ||
	    !fuzz_printable(id->first, sizeof(id->first)))
		abort();
	/* The line is a whole line of the input, less its LF and a CR. */
	nl = buf + id->end - 1;
	cr = id->end >= llen + 2 && nl[-1] == '\r';
	start = nl - cr - llen;
	if (memcmp(start, id->line, llen) != 0 ||
	    (start != buf && start[-1] != '\n'))
		abort();
	hlen = (size_t)snprintf(head, sizeof(head), "SSH-%s-%s", id->proto,
	    id->software);
	if (strncmp(id->line, head, hlen) != 0)
		abort();
	if (id->line[hlen] == '\0' ? id->comments[0] != '\0' :
	    id->line[hlen] != ' ' || strcmp(id->line + hlen + 1, id->comments) != 0)
		abort();
}

/* Parse n bytes of data from a buffer of exactly that size. */
static int
fuzz_parse(const uint8_t *data, size_t n, int eof, struct sshident *id,
    struct errmsg *e)
{
	char *buf = malloc(n > 0 ? n : 1);
	int rc;

	if (buf == NULL)
		abort();
	memcpy(buf, data, n);
	e->text[0] = '\0';
	e->code = 0;
	memset(id, 0xa5, sizeof(*id));
	rc = sshident_parse(buf, n, eof, id, e);
	if (rc == 1)
		fuzz_check_id(buf, n, id);
	free(buf);
	if (rc == -1 && (!fuzz_printable(e->text, sizeof(e->text)) ||
	    strncmp(e->text, "not an SSH server: ", 19) != 0 ||
	    (e->code != EPROTO && e->code != EPIPE) ||
	    (e->code == EPIPE && !eof)))
		abort();
	if ((rc != -1 && rc != 0 && rc != 1) || (rc == 0 && eof) ||
	    !fuzz_printable(id->first, sizeof(id->first)))
		abort();
	return rc;
}

static void
fuzz_one(const uint8_t *data, size_t n)
{
	struct sshident id, id2;
	struct errmsg e;
	int rc0, rc1;

	rc0 = fuzz_parse(data, n, 0, &id, &e);
	rc1 = fuzz_parse(data, n, 1, &id2, &e);
	if (rc1 == 0)
		abort();
	if (rc0 == 1) {
		/* The same with EOF, and in just the bytes up to its end. */
		if (rc1 != 1 || id2.end != id.end ||
		    strcmp(id2.line, id.line) != 0)
			abort();
		if (fuzz_parse(data, id.end, 0, &id2, &e) != 1 ||
		    id2.end != id.end || id2.prelines != id.prelines)
			abort();
	}
	if (rc0 == -1 && rc1 != -1)
		abort();	/* more data cannot turn a refusal around */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_one(data, size);
	if (size > 0)
		fuzz_one(data, (size_t)data[0] * size / 256);
	return 0;
}
