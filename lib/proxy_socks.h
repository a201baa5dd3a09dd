/*
 * proxy_socks.h: build SOCKS4, SOCKS4a and SOCKS5 requests, parse replies.
 * SPDX-License-Identifier: MIT
 *
 * Pure functions over byte buffers: no I/O, no allocation, no globals, so
 * the hop state machine (hop.c), the unit tests and the fuzzer all drive
 * them directly.  A SOCKS4 exchange is one request and one reply; SOCKS5
 * (RFC 1928) is greeting and method reply, then optionally a user name and
 * password login (RFC 1929), then CONNECT and its reply.
 *
 * Builders write one message into the caller's buffer and return its length,
 * or -1 with e set (buffer too small, host or credentials too long, a host
 * the protocol cannot carry).  Nothing is written on failure.  The buffer is
 * the caller's: one that held a password is the caller's to wipe.
 *
 * Reply parsers are incremental.  Given every byte received so far, they
 * return 0 when more are needed, N > 0 when the first N bytes are one
 * complete reply (bytes after it belong to the next step or the tunnel and
 * are not looked at), or -1 with a one-line message in e.  A failure is
 * reported as soon as the bytes that show it have arrived; e->code is then
 * the nearest errno (ECONNREFUSED, EHOSTUNREACH, ... for the proxy's own
 * verdicts, EACCES for refused credentials, EPROTO when the bytes break the
 * protocol).  No parser looks at more than PROXY_SOCKS_REPLY_MAX bytes, so
 * a caller may pass at most that much of a longer input.
 */
#ifndef HOPKIT_PROXY_SOCKS_H
#define HOPKIT_PROXY_SOCKS_H

#include <stddef.h>
#include <stdint.h>

#include "errmsg.h"

/* Longest host name, SOCKS4 user id, SOCKS5 user name or password. */
#define PROXY_SOCKS_FIELD_MAX 255

/* Buffer sizes that always suffice for one request of each kind. */
#define PROXY_SOCKS4_REQUEST_MAX (8 + 255 + 1 + 255 + 1)	/* 4a, longest */
#define PROXY_SOCKS5_GREETING_MAX 4
#define PROXY_SOCKS5_AUTH_MAX (3 + 255 + 255)
#define PROXY_SOCKS5_CONNECT_MAX (5 + 255 + 2)
#define PROXY_SOCKS_REQUEST_MAX PROXY_SOCKS4_REQUEST_MAX	/* any of them */

/* Longest reply (SOCKS5 CONNECT reply with a 255-byte name). */
#define PROXY_SOCKS_REPLY_MAX (5 + 255 + 2)

/* SOCKS5 authentication methods. */
#define PROXY_SOCKS5_METHOD_NONE 0x00
#define PROXY_SOCKS5_METHOD_USERPASS 0x02
#define PROXY_SOCKS5_METHOD_REFUSED 0xff

/*
 * SOCKS4 CONNECT to host:port.  Plain SOCKS4 (socks4a == 0) needs an IPv4
 * literal; SOCKS4a sends a name for the proxy to resolve, and an IPv4
 * literal as plain SOCKS4 (except 0.0.0.x, x > 0, SOCKS4a's own marker:
 * sent as a name by 4a, refused by plain SOCKS4).  Neither carries IPv6.
 * userid may be NULL or "" (none); at most 255 bytes.  Returns the length
 * written (at most PROXY_SOCKS4_REQUEST_MAX) or -1.
 */
int proxy_socks4_request(uint8_t *buf, size_t len, int socks4a,
    const char *host, uint16_t port, const char *userid, struct errmsg *e);

/* The 8-byte SOCKS4 reply: 8 when granted, 0 for more, -1 on refusal. */
int proxy_socks4_reply(const uint8_t *buf, size_t len, struct errmsg *e);

/*
 * The SOCKS5 greeting: offers "no authentication" and, when have_auth, also
 * user name and password.  Returns 3 or 4, or -1 (errno ENOBUFS, no message:
 * nothing else can fail) when len is too small; PROXY_SOCKS5_GREETING_MAX
 * always suffices.
 */
int proxy_socks5_greeting(uint8_t *buf, size_t len, int have_auth);

/*
 * The 2-byte method reply.  offered_auth is the have_auth given to the
 * greeting: a method that was not offered is refused.  On success *method
 * (if not NULL) is PROXY_SOCKS5_METHOD_NONE or PROXY_SOCKS5_METHOD_USERPASS
 * and 2 is returned.
 */
int proxy_socks5_method_reply(const uint8_t *buf, size_t len, int offered_auth,
    int *method, struct errmsg *e);

/* The RFC 1929 login; user and pass at most 255 bytes each (may be ""). */
int proxy_socks5_auth_request(uint8_t *buf, size_t len, const char *user,
    const char *pass, struct errmsg *e);

/* The 2-byte login reply: 2 when accepted, 0 for more, -1 when refused. */
int proxy_socks5_auth_reply(const uint8_t *buf, size_t len, struct errmsg *e);

/*
 * SOCKS5 CONNECT to host:port: an IPv4 literal goes as such (ATYP 1), an
 * IPv6 literal bare or in brackets as ATYP 4, anything else as a name for
 * the proxy to resolve (ATYP 3, at most 255 bytes).  IPv6 zone indexes
 * ("fe80::1%eth0") are refused: they mean nothing to the proxy.
 */
int proxy_socks5_connect_request(uint8_t *buf, size_t len, const char *host,
    uint16_t port, struct errmsg *e);

/* The CONNECT reply, 7 to 262 bytes by its address type. */
int proxy_socks5_connect_reply(const uint8_t *buf, size_t len,
    struct errmsg *e);

#endif
