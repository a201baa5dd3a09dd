/*
 * fwdspec-fuzz.c: libFuzzer harness for lib/fwdspec.c.
 * SPDX-License-Identifier: MIT
 *
 * The input up to its first NUL is an argv string: it is copied into a
 * heap block of exactly its length plus the NUL, so ASan catches a read
 * past the terminator.  It is parsed as -L, -R and -D, with and without
 * -g, and the contract the tool relies on is checked: a refusal leaves a
 * one-line message naming the option and a cleared struct; an acceptance
 * leaves consistent fields (all interfaces means listen_host "", loopback
 * means "localhost", a connect part exactly for -L and -R), and its
 * canonical form fits FWDSPEC_FORMAT_MAX, fails cleanly in a smaller
 * buffer, and parses back to the same forward.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwdspec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Do a and b describe the same forward (listen_default aside)? */
static int
same(const struct fwdspec *a, const struct fwdspec *b)
{
	return a->kind == b->kind && a->listen_any == b->listen_any &&
	    a->listen_loopback == b->listen_loopback &&
	    strcmp(a->listen_host, b->listen_host) == 0 &&
	    a->listen_port == b->listen_port &&
	    strcmp(a->connect_host, b->connect_host) == 0 &&
	    a->connect_port == b->connect_port;
}

/* Check an accepted forward parsed from a spec given as kind. */
static void
check_ok(const struct fwdspec *fs, enum fwdspec_kind kind, unsigned flags)
{
	struct fwdspec again;
	struct errmsg e;
	char buf[FWDSPEC_FORMAT_MAX], *small;
	int n, dyn, rc;
	size_t k;

	if (memchr(fs->listen_host, '\0', sizeof(fs->listen_host)) == NULL ||
	    memchr(fs->connect_host, '\0', sizeof(fs->connect_host)) == NULL)
		abort();
	if (fs->kind != kind && !(kind == FWDSPEC_REMOTE &&
	    fs->kind == FWDSPEC_REMOTE_DYNAMIC))
		abort();
	dyn = fs->kind == FWDSPEC_DYNAMIC || fs->kind == FWDSPEC_REMOTE_DYNAMIC;
	if (dyn != (fs->connect_host[0] == '\0') ||
	    dyn != (fs->connect_port == 0))
		abort();
	if (fs->listen_any && (fs->listen_loopback || fs->listen_host[0]))
		abort();
	if (fs->listen_loopback && strcmp(fs->listen_host, "localhost") != 0)
		abort();
	if (!fs->listen_any && !fs->listen_loopback && fs->listen_host[0] == '\0')
		abort();
	if (fs->listen_default && fs->listen_any != (!(kind ==
	    FWDSPEC_REMOTE) && (flags & FWDSPEC_GATEWAY_PORTS)))
		abort();
	if (fs->listen_host[0] == '-' || fs->connect_host[0] == '-')
		abort();

	n = fwdspec_format(fs, buf, sizeof(buf));
	if (n <= 0 || (size_t)n >= sizeof(buf) || strlen(buf) != (size_t)n)
		abort();
	/* Exactly n + 1 bytes suffice, n do not; ASan watches the edges. */
	for (k = (size_t)n; k <= (size_t)n + 1; k++) {
		if ((small = malloc(k)) == NULL)
			return;
		rc = fwdspec_format(fs, small, k);
		if (k == (size_t)n ? rc != -1 : (rc != n ||
		    strcmp(small, buf) != 0))
			abort();
		free(small);
	}
	if (fwdspec_parse(buf, kind, flags ^ FWDSPEC_GATEWAY_PORTS, &again,
	    &e) != 0 || !same(fs, &again) || again.listen_default)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum fwdspec_kind kinds[] = {
		FWDSPEC_LOCAL, FWDSPEC_REMOTE, FWDSPEC_DYNAMIC,
	};
	static const char *const opts[] = { "-L", "-R", "-D" };
	char prefix[40];
	struct fwdspec fs;
	struct errmsg e;
	size_t len, i;
	unsigned flags;
	char *s;

	len = strnlen((const char *)data, size);
	if ((s = malloc(len + 1)) == NULL)
		return 0;
	memcpy(s, data, len);
	s[len] = '\0';
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		for (flags = 0; flags <= FWDSPEC_GATEWAY_PORTS; flags++) {
			e.text[0] = '\0';
			if (fwdspec_parse(s, kinds[i], flags, &fs, &e) == 0) {
				check_ok(&fs, kinds[i], flags);
				continue;
			}
			snprintf(prefix, sizeof(prefix), "invalid %s forward \"",
			    opts[i]);
			if (strncmp(e.text, prefix, strlen(prefix)) != 0 ||
			    strchr(e.text, '\n') != NULL ||
			    fs.listen_host[0] != '\0' ||
			    fs.connect_host[0] != '\0' || fs.listen_port != 0 ||
			    fs.connect_port != 0 || fs.listen_any ||
			    fs.listen_loopback || fs.listen_default)
				abort();
		}
	}
	free(s);
	return 0;
}
