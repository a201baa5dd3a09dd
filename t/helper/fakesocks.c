/*
 * fakesocks.c: fakeproxy's SOCKS4/4a and SOCKS5 modes; see fakesocks.h and
 * the mode list in fakeproxy.c.
 * SPDX-License-Identifier: MIT
 *
 * Every message the client sends is read in full and logged in hex.  The
 * "-silent-" modes then say nothing at a chosen step, which is what the
 * tests of jumpcat -w need.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fakesocks.h"
#include "listen.h"
#include "proxyio.h"

/*
 * Read a SOCKS5 request's address (ATYP already in req[3]) and port into
 * req after the 4 header bytes; set *len to the request's total length.
 * Returns 0 or -1.
 */
static int
read_socks5_addr(int fd, unsigned char *req, size_t *len)
{
	size_t alen;

	switch (req[3]) {
	case 1: alen = 4; break;
	case 4: alen = 16; break;
	case 3:
		if (proxyio_read_full(fd, req + 4, 1) < 0)
			return -1;
		if (proxyio_read_full(fd, req + 5, (size_t)req[4] + 2) < 0)
			return -1;
		*len = 5 + (size_t)req[4] + 2;
		return 0;
	default:
		proxyio_say("unknown ATYP %u", req[3]);
		return -1;
	}
	if (proxyio_read_full(fd, req + 4, alen + 2) < 0)
		return -1;
	*len = 4 + alen + 2;
	return 0;
}

/*
 * The method to select for greeting g (2 + g[1] bytes): no-auth if
 * offered, else user/password if offered, else 0xff; socks5-silent-login
 * wants a login even if none was offered.
 */
static unsigned char
select_method(const unsigned char *g, const char *mode)
{
	if (g[0] != 5)
		return 0xff;
	if (strcmp(mode, "socks5-silent-login") == 0)
		return 0x02;
	if (memchr(g + 2, 0x00, g[1]) != NULL)
		return 0x00;
	if (memchr(g + 2, 0x02, g[1]) != NULL)
		return 0x02;
	return 0xff;
}

/* Read the RFC 1929 login and log it (it is a test); returns 0 or -1. */
static int
read_login(int fd)
{
	unsigned char a[1 + 1 + 255 + 1 + 255];
	size_t ul, pl;

	if (proxyio_read_full(fd, a, 2) < 0 ||
	    proxyio_read_full(fd, a + 2, (ul = a[1]) + 1) < 0 ||
	    proxyio_read_full(fd, a + 3 + ul, (pl = a[2 + ul])) < 0)
		return -1;
	proxyio_say("socks5 user/password login: user \"%.*s\", %zu-byte password",
	    (int)ul, (const char *)a + 2, pl);
	return 0;
}

void
fakesocks_serve5(int fd, const struct fakeproxy_opts *o)
{
	static const unsigned char refused[10] = { 5, 5, 0, 1 };
	unsigned char g[2 + 255], req[4 + 1 + 255 + 2], sel[2] = { 5, 0xff };
	const char *m = o->mode;
	size_t len;

	if (proxyio_read_full(fd, g, 2) < 0 || proxyio_read_full(fd, g + 2, g[1]) < 0) {
		proxyio_say("client closed or stalled during the greeting");
		close(fd);
		return;
	}
	proxyio_say_hex("socks5 greeting", g, 2 + (size_t)g[1]);
	if (strcmp(m, "socks5-silent-greeting") == 0) {
		proxyio_hold_open(fd, m);
		return;
	}
	if (strcmp(m, "socks5-badver") == 0) {
		listen_write_all(fd, "\x04\x00", 2);
		proxyio_say("answered 04 00 (wrong version), closing");
		proxyio_linger_close(fd);
		return;
	}
	sel[1] = select_method(g, m);
	if (listen_write_all(fd, sel, 2) < 0 || sel[1] == 0xff) {
		proxyio_say("no acceptable method (or not version 5): answered 05 ff");
		proxyio_linger_close(fd);
		return;
	}
	proxyio_say("selected method 0x%02x", sel[1]);
	if (sel[1] == 0x02) {
		if (read_login(fd) < 0) {
			proxyio_say("client closed or stalled during user/password auth");
			close(fd);
			return;
		}
		if (strcmp(m, "socks5-silent-login") == 0) {
			proxyio_hold_open(fd, m);
			return;
		}
		listen_write_all(fd, "\x01\x00", 2);
	}
	if (proxyio_read_full(fd, req, 4) < 0 || read_socks5_addr(fd, req, &len) < 0) {
		proxyio_say("client closed or stalled during the request");
		close(fd);
		return;
	}
	proxyio_say_hex("socks5 request", req, len);
	if (strcmp(m, "socks5-silent-connect") == 0) {
		proxyio_hold_open(fd, m);
		return;
	}
	listen_write_all(fd, refused, sizeof refused);
	proxyio_say("answered REP=5 (connection refused), closing");
	proxyio_linger_close(fd);
}

void
fakesocks_serve4(int fd, const struct fakeproxy_opts *o)
{
	unsigned char h[8], reply[8] = { 0, 0x5b };
	char user[256], name[256] = "", host[256], port[8];
	int tfd = -1;

	if (proxyio_read_full(fd, h, 8) < 0 ||
	    proxyio_read_cstring(fd, user, sizeof user) < 0 ||
	    (h[4] == 0 && h[5] == 0 && h[6] == 0 && h[7] != 0 &&
	    proxyio_read_cstring(fd, name, sizeof name) < 0)) {
		proxyio_say("client closed or stalled during the SOCKS4 request");
		close(fd);
		return;
	}
	proxyio_say_hex("socks4 request header", h, 8);
	snprintf(port, sizeof port, "%u", (unsigned)(h[2] << 8 | h[3]));
	if (*name != '\0')
		snprintf(host, sizeof host, "%s", name);
	else
		snprintf(host, sizeof host, "%u.%u.%u.%u", h[4], h[5], h[6], h[7]);
	proxyio_say("socks4%s VN=%u CD=%u user \"%s\" target %s port %s",
	    *name ? "a" : "", h[0], h[1], user, host, port);
	if (strcmp(o->mode, "socks4-silent") == 0) {
		proxyio_hold_open(fd, o->mode);
		return;
	}
	memcpy(reply + 2, h + 2, 6);
	if (strcmp(o->mode, "socks4") == 0 && h[0] == 4 && h[1] == 1 &&
	    (tfd = proxyio_dial_target(o, host, port)) >= 0)
		reply[1] = 0x5a;
	if (listen_write_all(fd, reply, sizeof reply) < 0 || tfd < 0) {
		proxyio_say("answered CD=0x%02x, closing", reply[1]);
		if (tfd >= 0)
			close(tfd);
		proxyio_linger_close(fd);
		return;
	}
	proxyio_say("answered CD=0x5a, relaying");
	proxyio_relay(fd, tfd, "", 0);
}
