/*
 * lib-proxy_cfg.c: unit tests for lib/proxy_cfg.c (which proxy, which
 * credentials, and masking a password in argv).
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic.h"
#include "proxy_cfg.h"

/* A fake environment: NULL-terminated name, value pairs. */
static const char *
fake_get(const char *name, void *arg)
{
	const char **env = arg;

	for (; env[0] != NULL; env += 2)
		if (strcmp(env[0], name) == 0)
			return env[1];
	return NULL;
}

static void
test_mask(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "http://alice:s3cret@proxy:3128", "http://alice:******@proxy:3128" },
		{ "socks5h://bob:p@ss@gw:1080", "socks5h://bob:****@gw:1080" },
		{ "carol:pw@proxy:3128", "carol:**@proxy:3128" },
		{ "http://dave@proxy:3128", "http://dave@proxy:3128" },
		{ "http://proxy:3128", "http://proxy:3128" },
		{ "http://e:pa/ss@proxy", "http://e:*****@proxy" },
		{ "env", "env" },
	};
	char buf[128];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(buf, sizeof(buf), "%s", cases[i].in);
		proxy_cfg_mask_argv(buf);
		is_string(cases[i].out, buf, "mask %s", cases[i].out);
	}
}

int
main(void)
{
	const char *none[] = { NULL };
	const char *envcred[] = { "JUMPCAT_PROXY_USER", "eve",
		"JUMPCAT_PROXY_PASSWORD", "envpw", NULL };
	const char *halfcred[] = { "JUMPCAT_PROXY_USER", "eve", NULL };
	const char *proxyvars[] = { "https_proxy", "http://p.corp:3128",
		"no_proxy", "internal.example", NULL };
	struct proxy_cfg pc;
	struct errmsg e;
	char path[] = "/tmp/lib-proxy_cfg-XXXXXX";
	int fd;

	plan_lazy();
	test_mask();

	/* -x URL without credentials anywhere. */
	is_int(0, proxy_cfg_load(&pc, "socks5h://gw:1080", "db", 22, NULL,
	    fake_get, (void *)none, &e), "plain URL loads");
	ok(pc.use_proxy && !pc.have_cred && !pc.url_has_password,
	    "a proxy, no credentials, no password in argv");
	proxy_cfg_clear(&pc);

	/* The URL's credentials are the last resort, and flagged. */
	is_int(0, proxy_cfg_load(&pc, "http://u:urlpw@p:3128", "db", 22, NULL,
	    fake_get, (void *)none, &e), "URL with a password loads");
	ok(pc.have_cred && strcmp(pc.cred.pass, "urlpw") == 0 && pc.url_has_password,
	    "credentials from the URL, flagged as visible in argv");
	proxy_cfg_clear(&pc);

	/* SOCKS4 has no passwords: one from any source is flagged. */
	is_int(0, proxy_cfg_load(&pc, "socks4a://u:urlpw@p", "db", 22, NULL,
	    fake_get, (void *)none, &e), "socks4a URL with a password loads");
	ok(pc.have_cred && pc.pass_unused, "its password is flagged as unused");
	proxy_cfg_clear(&pc);
	is_int(0, proxy_cfg_load(&pc, "socks4://p", "db", 22, NULL, fake_get,
	    (void *)envcred, &e), "socks4 URL, credentials from the environment");
	ok(pc.have_cred && pc.pass_unused, "the environment's password is flagged");
	proxy_cfg_clear(&pc);
	is_int(0, proxy_cfg_load(&pc, "socks4a://me@p", "db", 22, NULL, fake_get,
	    (void *)none, &e), "socks4a URL with a user id only");
	ok(pc.have_cred && !pc.pass_unused, "nothing flagged without a password");
	proxy_cfg_clear(&pc);
	is_int(0, proxy_cfg_load(&pc, "socks5://p", "db", 22, NULL, fake_get,
	    (void *)envcred, &e), "socks5 URL, credentials from the environment");
	ok(pc.have_cred && !pc.pass_unused, "socks5 sends the password: not flagged");
	proxy_cfg_clear(&pc);

	/* The environment beats the URL. */
	is_int(0, proxy_cfg_load(&pc, "http://u:urlpw@p:3128", "db", 22, NULL,
	    fake_get, (void *)envcred, &e), "URL plus environment loads");
	ok(pc.have_cred && strcmp(pc.cred.user, "eve") == 0 &&
	    strcmp(pc.cred.pass, "envpw") == 0, "the environment wins over the URL");
	proxy_cfg_clear(&pc);

	/* Half the environment is an error, not a silent fallback. */
	is_int(-1, proxy_cfg_load(&pc, "http://p:3128", "db", 22, NULL, fake_get,
	    (void *)halfcred, &e), "only JUMPCAT_PROXY_USER set: refused");
	ok(strstr(e.text, "JUMPCAT_PROXY_PASSWORD") != NULL, "and says which is missing: %s",
	    e.text);

	/* The file beats the environment. */
	fd = mkstemp(path);
	if (fd == -1)
		sysbail("mkstemp");
	fchmod(fd, 0600);
	if (write(fd, "frank:filepw\n", 13) != 13)
		sysbail("write");
	close(fd);
	is_int(0, proxy_cfg_load(&pc, "http://p:3128", "db", 22, path, fake_get,
	    (void *)envcred, &e), "auth file loads");
	ok(pc.have_cred && strcmp(pc.cred.user, "frank") == 0 &&
	    strcmp(pc.cred.pass, "filepw") == 0, "the file wins over the environment");
	proxy_cfg_clear(&pc);
	chmod(path, 0644);
	is_int(-1, proxy_cfg_load(&pc, "http://p:3128", "db", 22, path, fake_get,
	    (void *)envcred, &e), "auth file readable by others: refused");
	unlink(path);

	/* -x env. */
	is_int(0, proxy_cfg_load(&pc, "env", "db", 22, NULL, fake_get,
	    (void *)proxyvars, &e), "-x env loads");
	ok(pc.use_proxy && strcmp(pc.url.host, "p.corp") == 0, "the proxy from https_proxy");
	is_string("from $https_proxy", pc.why, "and says where it came from");
	proxy_cfg_clear(&pc);
	is_int(0, proxy_cfg_load(&pc, "env", "a.internal.example", 22, NULL,
	    fake_get, (void *)proxyvars, &e), "-x env for a no_proxy host loads");
	ok(!pc.use_proxy, "no_proxy: direct");
	is_string("no_proxy matches", pc.why, "and says why");
	is_int(0, proxy_cfg_load(&pc, "env", "db", 22, NULL, fake_get, (void *)none,
	    &e), "-x env with nothing set loads");
	ok(!pc.use_proxy, "no variable: direct");
	is_string("no proxy variable is set", pc.why, "and says why");

	/* A bad URL never echoes its password. */
	is_int(-1, proxy_cfg_load(&pc, "ftp://u:topsecret@p", "db", 22, NULL,
	    fake_get, (void *)none, &e), "unsupported scheme refused");
	ok(strstr(e.text, "topsecret") == NULL, "without the password: %s", e.text);
	return 0;
}
