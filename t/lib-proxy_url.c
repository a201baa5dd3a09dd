/*
 * lib-proxy_url.c: unit tests for lib/proxy_url.c (proxy URL parsing).
 * SPDX-License-Identifier: MIT
 *
 * Every refused URL that carries a password uses one containing "secret",
 * and every message is searched for it (raw and percent-decoded forms).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "basic.h"
#include "proxy_url.h"

struct ok_case {
	const char *in;
	enum proxy_scheme scheme;
	const char *host;
	unsigned port;
	int has_userinfo;
	const char *user, *pass;
	const char *display;
};

static const struct ok_case ok_cases[] = {
	{ "http://proxy:3128", PROXY_HTTP, "proxy", 3128, 0, "", "",
	  "http://proxy:3128" },
	{ "http://proxy:3128/", PROXY_HTTP, "proxy", 3128, 0, "", "",
	  "http://proxy:3128" },
	{ "proxy:3128", PROXY_HTTP, "proxy", 3128, 0, "", "", "http://proxy:3128" },
	{ "proxy", PROXY_HTTP, "proxy", 1080, 0, "", "", "http://proxy:1080" },
	{ "proxy/", PROXY_HTTP, "proxy", 1080, 0, "", "", "http://proxy:1080" },
	{ "http://proxy", PROXY_HTTP, "proxy", 1080, 0, "", "",
	  "http://proxy:1080" },
	{ "HTTP://Proxy.Example.COM", PROXY_HTTP, "Proxy.Example.COM", 1080, 0,
	  "", "", "http://Proxy.Example.COM:1080" },
	{ "https://proxy", PROXY_HTTPS, "proxy", 443, 0, "", "",
	  "https://proxy:443" },
	{ "HttpS://proxy:8443/", PROXY_HTTPS, "proxy", 8443, 0, "", "",
	  "https://proxy:8443" },
	{ "socks4://s", PROXY_SOCKS4, "s", 1080, 0, "", "", "socks4://s:1080" },
	{ "socks4a://s", PROXY_SOCKS4A, "s", 1080, 0, "", "", "socks4a://s:1080" },
	{ "socks5://s:1081", PROXY_SOCKS5, "s", 1081, 0, "", "",
	  "socks5://s:1081" },
	{ "SOCKS5H://tor:9050", PROXY_SOCKS5H, "tor", 9050, 0, "", "",
	  "socks5h://tor:9050" },
	{ "http://127.0.0.1:8080", PROXY_HTTP, "127.0.0.1", 8080, 0, "", "",
	  "http://127.0.0.1:8080" },
	{ "http://[::1]", PROXY_HTTP, "::1", 1080, 0, "", "", "http://[::1]:1080" },
	{ "http://[::1]:3128", PROXY_HTTP, "::1", 3128, 0, "", "",
	  "http://[::1]:3128" },
	{ "http://[::1]:3128/", PROXY_HTTP, "::1", 3128, 0, "", "",
	  "http://[::1]:3128" },
	{ "[::1]:3128", PROXY_HTTP, "::1", 3128, 0, "", "", "http://[::1]:3128" },
	{ "https://[2001:db8::5]", PROXY_HTTPS, "2001:db8::5", 443, 0, "", "",
	  "https://[2001:db8::5]:443" },
	{ "socks5h://[fe80::1%25eth0]:1080", PROXY_SOCKS5H, "fe80::1%eth0", 1080,
	  0, "", "", "socks5h://[fe80::1%eth0]:1080" },
	{ "socks5://[fe80::1%eth0]", PROXY_SOCKS5, "fe80::1%eth0", 1080, 0, "", "",
	  "socks5://[fe80::1%eth0]:1080" },
	{ "http://user:pass@proxy:3128", PROXY_HTTP, "proxy", 3128, 1, "user",
	  "pass", "http://proxy:3128" },
	{ "user:pass@proxy", PROXY_HTTP, "proxy", 1080, 1, "user", "pass",
	  "http://proxy:1080" },
	{ "http://user@proxy", PROXY_HTTP, "proxy", 1080, 1, "user", "",
	  "http://proxy:1080" },
	{ "http://user:@proxy", PROXY_HTTP, "proxy", 1080, 1, "user", "",
	  "http://proxy:1080" },
	{ "http://us%40er:p%3Aa%2Fss%25%3f%23@proxy", PROXY_HTTP, "proxy", 1080,
	  1, "us@er", "p:a/ss%?#", "http://proxy:1080" },
	{ "http://user:p@ss@proxy", PROXY_HTTP, "proxy", 1080, 1, "user", "p@ss",
	  "http://proxy:1080" },
	{ "http://user:pa:ss@proxy", PROXY_HTTP, "proxy", 1080, 1, "user",
	  "pa:ss", "http://proxy:1080" },
	{ "http://u:p w\tx@proxy", PROXY_HTTP, "proxy", 1080, 1, "u", "p w\tx",
	  "http://proxy:1080" },
	{ "http://u:%F0%9F%94%91@proxy", PROXY_HTTP, "proxy", 1080, 1, "u",
	  "\xf0\x9f\x94\x91", "http://proxy:1080" },
	{ "socks5h://me:pw@[::1]:1080/", PROXY_SOCKS5H, "::1", 1080, 1, "me", "pw",
	  "socks5h://[::1]:1080" },
	{ "socks4a://me@proxy", PROXY_SOCKS4A, "proxy", 1080, 1, "me", "",
	  "socks4a://proxy:1080" },
	/* SOCKS4 sends no password; proxy_cfg flags it for a warning. */
	{ "socks4://u:pw@proxy", PROXY_SOCKS4, "proxy", 1080, 1, "u", "pw",
	  "socks4://proxy:1080" },
	{ "socks4a://u:@proxy", PROXY_SOCKS4A, "proxy", 1080, 1, "u", "",
	  "socks4a://proxy:1080" },
	{ "user:pa:ss@proxy:8080", PROXY_HTTP, "proxy", 8080, 1, "user", "pa:ss",
	  "http://proxy:8080" },
};

struct bad_case {
	const char *in;
	const char *msg;
};

#define SCHEMES "(use http, https, socks4, socks4a, socks5 or socks5h)"

static const struct bad_case bad_cases[] = {
	{ "", "missing proxy URL" },
	{ "ftp://proxy", "unsupported proxy scheme \"ftp\" " SCHEMES },
	{ "FTP://u:secret@proxy", "unsupported proxy scheme \"FTP\" " SCHEMES },
	{ "socks://proxy", "unsupported proxy scheme \"socks\" " SCHEMES },
	{ "https+x://proxy", "unsupported proxy scheme \"https+x\" " SCHEMES },
	{ "httpsx://proxy", "unsupported proxy scheme \"httpsx\" " SCHEMES },
	{ "://proxy", "invalid proxy URL \"://proxy\": bad scheme" },
	{ "ht tp://proxy", "invalid proxy URL \"ht tp://proxy\": bad scheme" },
	{ "1http://proxy", "invalid proxy URL \"1http://proxy\": bad scheme" },
	{ "ht_tp://u:secret@proxy", "invalid proxy URL \"***@proxy\": bad scheme" },
	{ "http://proxy/path",
	  "invalid proxy URL \"http://proxy/path\": a path other than \"/\" is not allowed" },
	{ "http://proxy//",
	  "invalid proxy URL \"http://proxy//\": a path other than \"/\" is not allowed" },
	{ "http://proxy/?x",
	  "invalid proxy URL \"http://proxy/?x\": a query is not allowed" },
	{ "http://proxy?x",
	  "invalid proxy URL \"http://proxy?x\": a query is not allowed" },
	{ "http://proxy#frag",
	  "invalid proxy URL \"http://proxy#frag\": a fragment is not allowed" },
	{ "http://proxy:3128/#",
	  "invalid proxy URL \"http://proxy:3128/#\": a fragment is not allowed" },
	{ "http://u:secret@proxy/x",
	  "invalid proxy URL \"http://***@proxy/x\": a path other than \"/\" is not allowed" },
	{ "http://", "invalid proxy URL \"http://\": missing host name" },
	{ "http:///", "invalid proxy URL \"http:///\": missing host name" },
	{ "http://:3128", "invalid proxy URL \"http://:3128\": missing host name" },
	{ "http://u:secret@", "invalid proxy URL \"http://***@\": missing host name" },
	{ "http://u:secret@:80",
	  "invalid proxy URL \"http://***@:80\": missing host name" },
	{ "http://proxy:", "invalid proxy URL \"http://proxy:\": missing port" },
	{ "http://proxy:0",
	  "invalid proxy URL \"http://proxy:0\": invalid port \"0\": out of range 1-65535" },
	{ "http://proxy:65536",
	  "invalid proxy URL \"http://proxy:65536\": invalid port \"65536\": out of range 1-65535" },
	{ "http://proxy:abc",
	  "invalid proxy URL \"http://proxy:abc\": invalid port \"abc\": not a number" },
	{ "http://u:secret@proxy:-1",
	  "invalid proxy URL \"http://***@proxy:-1\": invalid port \"-1\": not a number" },
	{ "http://proxy:80:80",
	  "invalid proxy URL \"http://proxy:80:80\": an IPv6 address needs brackets: [addr]:port" },
	{ "http://::1",
	  "invalid proxy URL \"http://::1\": an IPv6 address needs brackets: [addr]:port" },
	{ "::1:3128",
	  "invalid proxy URL \"::1:3128\": an IPv6 address needs brackets: [addr]:port" },
	{ "http://[::1",
	  "invalid proxy URL \"http://[::1\": unbalanced brackets" },
	{ "http://[::1]x", "invalid proxy URL \"http://[::1]x\": junk after ']'" },
	{ "http://[::1]:", "invalid proxy URL \"http://[::1]:\": missing port" },
	{ "http://[]:80",
	  "invalid proxy URL \"http://[]:80\": invalid host \"[]\": unbalanced brackets" },
	{ "http://[proxy]",
	  "invalid proxy URL \"http://[proxy]\": invalid host \"[proxy]\": brackets need an IPv6 address" },
	{ "http://[127.0.0.1]:80",
	  "invalid proxy URL \"http://[127.0.0.1]:80\": invalid host \"[127.0.0.1]\": brackets need an IPv6 address" },
	{ "http://[fe80::1%25]",
	  "invalid proxy URL \"http://[fe80::1%25]\": invalid host \"[fe80::1%]\": brackets need an IPv6 address" },
	{ "http://pro%78y",
	  "invalid proxy URL \"http://pro%78y\": percent escapes in host names are not supported" },
	{ "http://pro xy",
	  "invalid proxy URL \"http://pro xy\": invalid host \"pro xy\": bad character" },
	{ "http://pro\x1bxy",
	  "invalid proxy URL \"http://pro\\x1bxy\": invalid host \"pro\\x1bxy\": bad character" },
	{ "http://-oProxy",
	  "invalid proxy URL \"http://-oProxy\": invalid host \"-oProxy\": must not start with '-'" },
	{ "http://u:secret%zz@proxy",
	  "invalid proxy URL \"http://***@proxy\": password: bad percent escape" },
	{ "http://u:secret%2@proxy",
	  "invalid proxy URL \"http://***@proxy\": password: bad percent escape" },
	{ "http://u:secret%@proxy",
	  "invalid proxy URL \"http://***@proxy\": password: bad percent escape" },
	{ "http://u%4:secret@proxy",
	  "invalid proxy URL \"http://***@proxy\": user name: bad percent escape" },
	{ "http://u:sec%00ret@proxy",
	  "invalid proxy URL \"http://***@proxy\": password: NUL, CR or LF" },
	{ "http://u:sec%0dret@proxy",
	  "invalid proxy URL \"http://***@proxy\": password: NUL, CR or LF" },
	{ "http://u:sec%0Aret@proxy",
	  "invalid proxy URL \"http://***@proxy\": password: NUL, CR or LF" },
	{ "http://u:sec\nret@proxy",
	  "invalid proxy URL \"http://***@proxy\": password: NUL, CR or LF" },
	{ "http://u%0a:secret@proxy",
	  "invalid proxy URL \"http://***@proxy\": user name: NUL, CR or LF" },
	{ "http://:secret@proxy",
	  "invalid proxy URL \"http://***@proxy\": empty user name" },
	{ "http://@proxy", "invalid proxy URL \"http://***@proxy\": empty user name" },
	{ "http://u:sec/ret@proxy",
	  "invalid proxy URL \"http://***@proxy\": the user name and password must percent-encode '/', '?' and '#'" },
	{ "http://u:sec?ret@proxy",
	  "invalid proxy URL \"http://***@proxy\": the user name and password must percent-encode '/', '?' and '#'" },
	{ "http://u:sec#ret@proxy",
	  "invalid proxy URL \"http://***@proxy\": the user name and password must percent-encode '/', '?' and '#'" },
	{ "u:pa://secret@proxy",
	  "invalid proxy URL \"***@proxy\": the user name and password must percent-encode '/', '?' and '#'" },
	{ "http://proxy/x@evil",
	  "invalid proxy URL \"http://***@evil\": the user name and password must percent-encode '/', '?' and '#'" },
	{ "http://u:s%65cret@-proxy",
	  "invalid proxy URL \"http://***@-proxy\": invalid host \"-proxy\": must not start with '-'" },
	{ "http://u:secret@[::1]:99999",
	  "invalid proxy URL \"http://***@[::1]:99999\": invalid port \"99999\": out of range 1-65535" },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The message of the last check_refused(). */
static char last_msg[ERRMSG_MAX];

/* Is the whole of p (len bytes) zero? */
static int
all_zero(const void *p, size_t len)
{
	const unsigned char *c = p;

	while (len-- > 0)
		if (*c++ != 0)
			return 0;
	return 1;
}

/* Refuse s and check that nothing of the password reached the message. */
static void
check_refused(const char *s, const char *msg, const char *label)
{
	struct proxy_url u;
	struct errmsg e;
	int rc;

	errmsg_clear(&e);
	memset(&u, 0xa5, sizeof(u));
	rc = proxy_url_parse(s, &u, &e);
	is_int(-1, rc, "%s refused", label);
	if (msg != NULL)
		is_string(msg, e.text, "%s message", label);
	else
		ok(e.text[0] != '\0', "%s has a message", label);
	ok(strstr(e.text, "secret") == NULL && strstr(e.text, "ecre") == NULL &&
	    strstr(e.text, "s%65cret") == NULL, "%s message hides the password",
	    label);
	ok(all_zero(&u, sizeof(u)), "%s left no part of the URL behind", label);
	memcpy(last_msg, e.text, sizeof(last_msg));
}

int
main(void)
{
	char buf[PROXY_URL_DISPLAY_MAX], label[64], big[1200], user[300], host[300];
	struct proxy_url u;
	struct errmsg e;
	size_t i;
	int rc;

	plan_lazy();

	for (i = 0; i < N(ok_cases); i++) {
		const struct ok_case *c = &ok_cases[i];
		errmsg_clear(&e);
		rc = proxy_url_parse(c->in, &u, &e);
		if (!is_int(0, rc, "ok case %zu accepted", i))
			diag("%s", e.text);
		is_int(c->scheme, u.scheme, "ok case %zu scheme", i);
		is_string(c->host, u.host, "ok case %zu host", i);
		is_int(c->port, u.port, "ok case %zu port", i);
		is_int(c->has_userinfo, u.has_userinfo, "ok case %zu has userinfo", i);
		is_string(c->user, u.user, "ok case %zu user", i);
		is_string(c->pass, u.pass, "ok case %zu password", i);
		is_string(c->display, proxy_url_display(&u, buf, sizeof(buf)),
		    "ok case %zu display", i);
	}

	for (i = 0; i < N(bad_cases); i++) {
		snprintf(label, sizeof(label), "bad case %zu", i);
		check_refused(bad_cases[i].in, bad_cases[i].msg, label);
	}

	/* Lengths: 255 bytes fit each field, 256 do not. */
	memset(user, 'u', 255);
	user[255] = '\0';
	snprintf(big, sizeof(big), "http://%s:%s@proxy", user, user);
	rc = proxy_url_parse(big, &u, &e);
	ok(rc == 0 && strlen(u.user) == 255 && strlen(u.pass) == 255,
	    "255-byte user and password accepted");
	snprintf(big, sizeof(big), "http://%su:secret@proxy", user);
	check_refused(big, "invalid proxy URL \"http://***@proxy\": user name: too long",
	    "256-byte user");
	snprintf(big, sizeof(big), "http://u:secret%s@proxy", user);
	check_refused(big, "invalid proxy URL \"http://***@proxy\": password: too long",
	    "password over 255 bytes");
	/* %41 decodes to one byte: 255 escapes fit. */
	big[0] = '\0';
	strcat(big, "http://u:");
	for (i = 0; i < 255; i++)
		strcat(big, "%41");
	strcat(big, "@proxy");
	rc = proxy_url_parse(big, &u, &e);
	ok(rc == 0 && strlen(u.pass) == 255, "255 escapes decode into 255 bytes");
	memset(host, 'h', 255);
	host[255] = '\0';
	snprintf(big, sizeof(big), "http://%s:80", host);
	rc = proxy_url_parse(big, &u, &e);
	ok(rc == 0 && strlen(u.host) == 255, "255-byte host accepted");
	snprintf(big, sizeof(big), "http://u:secret@%sh:80", host);
	check_refused(big, NULL, "256-byte host");
	ok(strstr(last_msg, "host name too long (256 bytes)") != NULL,
	    "256-byte host message (%s)", last_msg);
	/* Every length around the internal buffers, with and without a port. */
	for (i = 250; i < 300; i++) {
		memset(host, 'h', i);
		host[i] = '\0';
		snprintf(big, sizeof(big), "http://u:secret@%s", host);
		snprintf(label, sizeof(label), "%zu-byte host", i);
		if (i < 256) {
			ok(proxy_url_parse(big, &u, &e) == 0, "%s accepted", label);
			continue;
		}
		check_refused(big, NULL, label);
		snprintf(big, sizeof(big), "http://u:secret@%s:80/", host);
		check_refused(big, NULL, label);
		snprintf(big, sizeof(big), "http://u:secret@[%s]", host);
		check_refused(big, NULL, label);
	}
	memset(big, 'a', 1100);
	memcpy(big, "http://", 7);
	big[1100] = '\0';
	check_refused(big, NULL, "1100-byte host");
	memset(big, 'x', 40);
	memcpy(big + 40, "://proxy", 9);
	check_refused(big, "unsupported proxy scheme "
	    "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\" " SCHEMES, "40-byte scheme");
	/* A long password does not stretch the message. */
	memset(big, 'p', 1100);
	memcpy(big, "http://u:secret", 15);
	memcpy(big + 1090, "@[::1]:x", 9);
	check_refused(big, "invalid proxy URL \"http://***@[::1]:x\": "
	    "password: too long", "1 KB password");
	ok(proxy_url_parse(NULL, &u, &e) == -1, "NULL refused");
	ok(proxy_url_parse("http://u:secret@proxy:1", &u, NULL) == 0,
	    "a NULL errmsg is fine on success");
	ok(proxy_url_parse("http://u:secret@proxy:0", &u, NULL) == -1,
	    "and on failure");

	/* Names, display and clearing. */
	is_string("http", proxy_scheme_name(PROXY_HTTP), "name http");
	is_string("https", proxy_scheme_name(PROXY_HTTPS), "name https");
	is_string("socks4", proxy_scheme_name(PROXY_SOCKS4), "name socks4");
	is_string("socks4a", proxy_scheme_name(PROXY_SOCKS4A), "name socks4a");
	is_string("socks5", proxy_scheme_name(PROXY_SOCKS5), "name socks5");
	is_string("socks5h", proxy_scheme_name(PROXY_SOCKS5H), "name socks5h");
	is_string("unknown", proxy_scheme_name((enum proxy_scheme)0), "name 0");
	is_string("unknown", proxy_scheme_name((enum proxy_scheme)99), "name 99");

	rc = proxy_url_parse("socks5h://alice:secret@[2001:db8::1]:1080", &u, &e);
	is_int(0, rc, "URL with a password accepted");
	proxy_url_display(&u, buf, sizeof(buf));
	is_string("socks5h://[2001:db8::1]:1080", buf, "display has no userinfo");
	ok(strstr(buf, "alice") == NULL && strstr(buf, "secret") == NULL,
	    "display shows neither user nor password");
	is_string("socks5h://[2001", proxy_url_display(&u, buf, 16),
	    "display truncates to the buffer");
	buf[0] = 'X';
	proxy_url_display(&u, buf, 0);
	is_int('X', buf[0], "display with len 0 writes nothing");
	memset(host, 'h', 255);
	host[255] = '\0';
	snprintf(big, sizeof(big), "socks5h://%s:65535", host);
	rc = proxy_url_parse(big, &u, &e);
	proxy_url_display(&u, buf, sizeof(buf));
	ok(rc == 0 && strlen(buf) == strlen(big), "the longest display fits");
	rc = proxy_url_parse("http://alice:secret@proxy:3128", &u, &e);
	proxy_url_clear(&u);
	ok(all_zero(u.pass, sizeof(u.pass)), "clear wipes the password");
	is_string("proxy", u.host, "clear keeps the host");
	is_int(3128, u.port, "clear keeps the port");
	proxy_url_clear(NULL);
	ok(1, "clear takes NULL");
	return 0;
}
