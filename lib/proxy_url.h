/*
 * proxy_url.h: parse and show proxy URLs (http://, https://, socks5h://...).
 * SPDX-License-Identifier: MIT
 *
 * A proxy URL is scheme://[user[:password]@]host[:port][/], as curl takes
 * it for --proxy and https_proxy.  The parser is a pure function over a
 * string.  A proxy URL may carry a password, so nothing here ever puts the
 * user name or password into a message: failures quote the URL with its
 * user information replaced by "***@", and proxy_url_display() shows only
 * scheme://host:port.
 */
#ifndef HOPKIT_PROXY_URL_H
#define HOPKIT_PROXY_URL_H

#include <stddef.h>
#include <stdint.h>

#include "errmsg.h"

#define PROXY_URL_HOST_MAX 256
#define PROXY_URL_USER_MAX 256
#define PROXY_URL_PASS_MAX 256

/* Big enough for any proxy_url_display() result. */
#define PROXY_URL_DISPLAY_MAX (sizeof("socks5h://[]:65535") + PROXY_URL_HOST_MAX)

enum proxy_scheme {
	PROXY_HTTP = 1,		/* HTTP CONNECT over plain TCP */
	PROXY_HTTPS,		/* HTTP CONNECT over TLS to the proxy */
	PROXY_SOCKS4,		/* SOCKS4, the client resolves the target */
	PROXY_SOCKS4A,		/* SOCKS4a, the proxy resolves names */
	PROXY_SOCKS5,		/* SOCKS5, the client resolves the target */
	PROXY_SOCKS5H,		/* SOCKS5, the proxy resolves names */
};

struct proxy_url {
	enum proxy_scheme scheme;
	char host[PROXY_URL_HOST_MAX];	/* brackets of [v6] removed */
	uint16_t port;			/* the scheme's default when absent */
	int has_userinfo;		/* the URL had "user[:password]@" */
	char user[PROXY_URL_USER_MAX];	/* percent-decoded, never empty */
	char pass[PROXY_URL_PASS_MAX];	/* percent-decoded; "" when absent */
};

/*
 * Parse s into u.  The scheme is case-insensitive; a string without
 * "scheme://" is taken as http://, as curl does.  The port defaults to 1080
 * for http:// and socks*://, 443 for https:// (curl's defaults).  Refused:
 * unknown schemes, a path other than "/", a query or fragment, an empty or
 * invalid host, a bare (unbracketed) IPv6 address, a bad port, a bad
 * percent escape, NUL, CR or LF in the decoded user name or password, and
 * an empty user name.  A password with socks4:// or socks4a:// is
 * accepted, although SOCKS4 has no field for it (proxy_cfg.h says what
 * becomes of it).  The user information ends at the last '@' (as in
 * the WHATWG URL standard), so a raw '@' in the password works; raw '/',
 * '?' and '#' in it must be percent-encoded.  Returns 0, or -1 with e set;
 * on failure u holds no part of the password.
 */
int proxy_url_parse(const char *s, struct proxy_url *u, struct errmsg *e);

/* The scheme's name as in a URL ("http", "socks5h"); "unknown" if invalid. */
const char *proxy_scheme_name(enum proxy_scheme s);

/* Wipe the password (explicit_bzero); the rest of u stays usable. */
void proxy_url_clear(struct proxy_url *u);

/*
 * Write "scheme://host:port" for messages into buf (size len) and return
 * buf; an IPv6 host is bracketed.  Never includes the user name or
 * password.  Truncated to fit; PROXY_URL_DISPLAY_MAX always fits.
 */
const char *proxy_url_display(const struct proxy_url *u, char *buf,
    size_t len);

#endif
