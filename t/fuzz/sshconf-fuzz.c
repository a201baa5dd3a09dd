/*
 * sshconf-fuzz.c: libFuzzer harness for the two pure parsers of
 * lib/sshconf*.c.
 * SPDX-License-Identifier: MIT
 *
 * The first byte picks the parser: even feeds the rest to sshconf_parse_g()
 * as "ssh -G" output (whole, and at every prefix length for small inputs),
 * odd to sshconf_parse_config() as an ssh_config file for the host "h".
 * For the config parser, text after the last NUL is also given as one -o
 * option, and Include is answered with the input itself for the first few
 * calls (nesting, Match state across files), then with a fixed file.
 * Checks what a caller relies on: success leaves a host, hostname, user,
 * a port in 1-65535 and a consistent agent, failure a message and nothing
 * allocated; then the result's paths go through sshconf_expand_paths().
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sshconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs up to this size are also parsed at every prefix length. */
#define FUZZ_ALL_PREFIXES 256
/* Include calls answered with the input itself, per run. */
#define FUZZ_SELF_INCLUDES 6

/* The input of the current run, for fuzz_include(). */
static const char *fuzz_text;
static size_t fuzz_len;
static int fuzz_includes;

/* The environment of the fake local side: only HOME is set. */
static const char *
fuzz_getenv(const char *name, void *arg)
{
	(void)arg;
	return strcmp(name, "HOME") == 0 ? "/home/fuzz" : NULL;
}

/* The include callback: the input again, then a small fixed file. */
static int
fuzz_include(const char *pattern, struct sshconf_file **files, size_t *n,
    void *arg, struct errmsg *e)
{
	static const char fixed[] = "Host h*\n  User inc\nMatch all\n  Port 2\n";
	const char *text = fixed;
	size_t len = sizeof(fixed) - 1;

	(void)arg;
	(void)e;
	if (pattern[0] == '\0')
		abort();
	if (fuzz_includes++ < FUZZ_SELF_INCLUDES) {
		text = fuzz_text;
		len = fuzz_len;
	}
	*files = calloc(1, sizeof(**files));
	if (*files == NULL)
		abort();
	(*files)[0].name = strdup("inc");
	(*files)[0].text = malloc(len + 1);
	if ((*files)[0].name == NULL || (*files)[0].text == NULL)
		abort();
	memcpy((*files)[0].text, text, len);
	(*files)[0].len = len;
	*n = 1;
	return 0;
}

/* Does a path start with "~name" (a password database lookup)? */
static int
fuzz_tilde_user(const char *s)
{
	return s != NULL && s[0] == '~' && s[1] != '/' && s[1] != '\0';
}

/* The invariants of a parsed result, then its expansion. */
static void
fuzz_check(struct sshconf *c, const struct sshconf_local *l)
{
	struct errmsg e;
	size_t i;
	int lookups = 0;

	if (c->host == NULL || c->hostname == NULL || c->user == NULL ||
	    *c->hostname == '\0' || *c->user == '\0' || c->port < 1 ||
	    c->port > 65535)
		abort();
	if ((c->agent == SSHCONF_AGENT_NONE) != (c->identityagent == NULL))
		abort();
	if (c->proxycommand != NULL && strcmp(c->proxycommand, "none") == 0)
		abort();
	if (c->addressfamily != AF_UNSPEC && c->addressfamily != AF_INET &&
	    c->addressfamily != AF_INET6)
		abort();
	for (i = 0; i < c->identityfile.count; i++) {
		if (c->identityfile.item[i] == NULL)
			abort();
		lookups |= fuzz_tilde_user(c->identityfile.item[i]);
	}
	for (i = 0; i < c->userknownhostsfile.count; i++) {
		if (c->userknownhostsfile.item[i] == NULL)
			abort();
		lookups |= fuzz_tilde_user(c->userknownhostsfile.item[i]);
	}
	for (i = 0; i < c->globalknownhostsfile.count; i++)
		if (c->globalknownhostsfile.item[i] == NULL)
			abort();
	if (c->agent == SSHCONF_AGENT_PATH)
		lookups |= fuzz_tilde_user(c->identityagent);
	if (lookups)
		return;		/* "~user" would read the password database */
	e.text[0] = '\0';
	if (sshconf_expand_paths(c, l, SSHCONF_EXPAND_ALL, &e) == 0) {
		for (i = 0; i < c->identityfile.count; i++)
			if (c->identityfile.item[i] == NULL ||
			    strcmp(c->identityfile.item[i], "none") == 0)
				abort();
	} else if (e.text[0] == '\0') {
		abort();
	}
}

/* After a failure nothing may be left in c. */
static void
fuzz_check_failed(const struct sshconf *c, const struct errmsg *e)
{
	if (e->text[0] == '\0')
		abort();
	if (c->host != NULL || c->hostname != NULL || c->user != NULL ||
	    c->identityfile.item != NULL || c->proxycommand != NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sshconf_local l;
	struct sshconf_params p;
	struct sshconf c;
	struct errmsg e, w;
	const char *text, *opt[1], *nul;
	char *optbuf = NULL;
	size_t len, i;

	if (size == 0)
		return 0;
	memset(&l, 0, sizeof(l));
	strcpy(l.user, "fuzz");
	strcpy(l.home, "/home/fuzz");
	strcpy(l.hostname, "fuzzhost.example");
	l.uid = 1000;
	l.getenv = fuzz_getenv;
	text = (const char *)data + 1;
	len = size - 1;

	if ((data[0] & 1) == 0) {
		for (i = len <= FUZZ_ALL_PREFIXES ? 0 : len; i <= len; i++) {
			e.text[0] = '\0';
			if (sshconf_parse_g(text, i, &c, &e) == 0) {
				if (c.fallback || c.warning != NULL)
					abort();
				fuzz_check(&c, &l);
				sshconf_free(&c);
			} else {
				fuzz_check_failed(&c, &e);
			}
		}
		return 0;
	}

	memset(&p, 0, sizeof(p));
	p.local = &l;
	p.include = fuzz_include;
	nul = memchr(text, '\0', len);
	if (nul != NULL) {
		const char *last = nul;

		while ((nul = memchr(last + 1, '\0',
		    len - (size_t)(last + 1 - text))) != NULL)
			last = nul;
		optbuf = strndup(last + 1, len - (size_t)(last + 1 - text));
		if (optbuf == NULL)
			return 0;
		opt[0] = optbuf;
		p.options = opt;
		p.noptions = 1;
	}
	fuzz_text = text;
	fuzz_len = len;
	fuzz_includes = 0;
	e.text[0] = '\0';
	w.text[0] = '\0';
	if (sshconf_parse_config(text, len, "h", &p, &c, &w, &e) == 0) {
		if (!c.fallback || (c.warning == NULL) != (w.text[0] == '\0'))
			abort();
		fuzz_check(&c, &l);
		sshconf_free(&c);
	} else {
		fuzz_check_failed(&c, &e);
	}
	free(optbuf);
	return 0;
}
