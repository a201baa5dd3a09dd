/*
 * lib-sshident.c: unit tests for lib/sshident.c (the SSH identification
 * line, RFC 4253 section 4.2).
 * SPDX-License-Identifier: MIT
 *
 * Each input is copied into a buffer of exactly its length, so a build
 * with AddressSanitizer catches a read past what was received.  Covered:
 * OpenSSH's line with CR LF and with LF only, without comments, protocol
 * "1.99", lines before the identification (16 allowed, the 17th refused),
 * partial input (need more), the end of the stream with and without text,
 * NUL bytes, lines over 255 bytes, malformed identifications, the offset
 * just past the line, and the first line kept for messages.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic.h"
#include "sshident.h"

#define OPENSSH "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3"

/* sshident_parse over a copy of len bytes of s in a buffer of that size. */
static int
parse(const char *s, size_t len, int eof, struct sshident *id,
    struct errmsg *e)
{
	char *buf = malloc(len > 0 ? len : 1);
	int rc;

	if (buf == NULL)
		sysbail("malloc");
	memcpy(buf, s, len);
	errmsg_clear(e);
	memset(id, 0x5a, sizeof(*id));
	rc = sshident_parse(buf, len, eof, id, e);
	free(buf);
	return rc;
}

/* The same for a string. */
static int
parse_str(const char *s, int eof, struct sshident *id, struct errmsg *e)
{
	return parse(s, strlen(s), eof, id, e);
}

/* Is text one printable line? */
static int
one_line(const char *text)
{
	const unsigned char *p;

	for (p = (const unsigned char *)text; *p != '\0'; p++)
		if (*p < 0x20 || *p >= 0x7f)
			return 0;
	return 1;
}

static void
test_openssh(void)
{
	static const char crlf[] = OPENSSH "\r\n";
	static const char more[] = OPENSSH "\r\n\0\0\x01\x2c\x0a\x14kexinit";
	struct sshident id;
	struct errmsg e;
	int eof;

	for (eof = 0; eof <= 1; eof++) {
		is_int(1, parse_str(crlf, eof, &id, &e), "OpenSSH, CR LF, "
		    "eof %d: found", eof);
		is_string(OPENSSH, id.line, "the line, without CR LF");
		is_string("2.0", id.proto, "proto");
		is_string("OpenSSH_9.2p1", id.software, "software");
		is_string("Debian-2+deb12u3", id.comments, "comments");
		is_int(sizeof(crlf) - 1, id.end, "end is just past the LF");
		is_int(0, id.prelines, "no lines before it");
		is_string(OPENSSH, id.first, "first is the line");
	}

	/* The server's next packet follows in the same read. */
	is_int(1, parse(more, sizeof(more) - 1, 0, &id, &e),
	    "with the KEXINIT behind it: found");
	is_int(strlen(OPENSSH) + 2, id.end, "end stops at the line's LF");
	is_string("OpenSSH_9.2p1", id.software, "software");

	is_int(1, parse_str(OPENSSH "\n", 0, &id, &e), "LF only: found");
	is_string(OPENSSH, id.line, "the line, without LF");
	is_string("Debian-2+deb12u3", id.comments, "comments");
	is_int(strlen(OPENSSH) + 1, id.end, "end is just past the LF");

	is_int(1, parse_str("SSH-2.0-dropbear_2022.83\r\n", 0, &id, &e),
	    "no comments: found");
	is_string("dropbear_2022.83", id.software, "software");
	is_string("", id.comments, "comments are empty");
	is_string("SSH-2.0-dropbear_2022.83", id.line, "line");

	is_int(1, parse_str("SSH-1.99-OpenSSH_3.9p1\r\n", 0, &id, &e),
	    "proto 1.99: found");
	is_string("1.99", id.proto, "proto 1.99");
	is_string("OpenSSH_3.9p1", id.software, "software");

	is_int(1, parse_str("SSH-2.0-X a b  c\r\n", 0, &id, &e),
	    "spaces in the comments: found");
	is_string("X", id.software, "software stops at the first space");
	is_string("a b  c", id.comments, "the comments keep the rest");

	is_int(1, parse_str("SSH-2.0-a-b-c\r\n", 0, &id, &e),
	    "dashes in the software: found");
	is_string("a-b-c", id.software, "software keeps its dashes");
}

static void
test_prelines(void)
{
	char buf[2048];
	struct sshident id;
	struct errmsg e;
	size_t off = 0;
	int i;

	is_int(1, parse_str("Welcome\r\n\r\nhello there\n" OPENSSH "\r\n", 0,
	    &id, &e), "three lines before it: found");
	is_int(3, id.prelines, "prelines 3");
	is_string("Welcome", id.first, "first is the first line, no CR");
	is_string(OPENSSH, id.line, "line");
	is_int(strlen("Welcome\r\n\r\nhello there\n" OPENSSH "\r\n"), id.end,
	    "end is past the identification");

	for (i = 1; i <= SSHIDENT_PRELINES_MAX; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off,
		    "line %d\r\n", i);
	memcpy(buf + off, OPENSSH "\r\n", strlen(OPENSSH) + 3);
	is_int(1, parse_str(buf, 0, &id, &e), "16 lines before it: found");
	is_int(16, id.prelines, "prelines 16");
	is_string("line 1", id.first, "first");

	off += (size_t)snprintf(buf + off, sizeof(buf) - off, "line 17\r\n");
	memcpy(buf + off, OPENSSH "\r\n", strlen(OPENSSH) + 3);
	is_int(-1, parse_str(buf, 0, &id, &e), "17 lines before it: refused");
	is_int(EPROTO, e.code, "EPROTO");
	is_string("not an SSH server: 17 lines and no identification; the "
	    "first: 'line 1'", e.text, "message");
	buf[off] = '\0';
	is_int(-1, parse_str(buf, 0, &id, &e), "17 lines and no more: "
	    "refused without waiting");
	/* 16 lines and a partial 17th: more is needed. */
	buf[off - 2] = '\0';
	is_int(0, parse_str(buf, 0, &id, &e), "16 lines and a partial one: "
	    "need more");
	is_string("line 1", id.first, "first");

	is_int(1, parse_str("\x1b[31mred\x1b[0m\r\n" OPENSSH "\r\n", 0, &id,
	    &e), "escape sequences before it: found");
	is_string("\\x1b[31mred\\x1b[0m", id.first,
	    "first is made printable");
}

static void
test_partial(void)
{
	static const char crlf[] = OPENSSH "\r\n";
	struct sshident id;
	struct errmsg e;
	size_t n;
	int bad = 0;

	is_int(0, parse("", 0, 0, &id, &e), "nothing yet: need more");
	is_string("", id.first, "first is empty");
	for (n = 1; n < sizeof(crlf) - 1; n++)
		if (parse(crlf, n, 0, &id, &e) != 0 || id.first[0] != '\0')
			bad++;
	is_int(0, bad, "every cut of the line before its LF: need more");
	is_int(0, parse_str("SSH-2.0-OpenSSH_9.2p1\r", 0, &id, &e),
	    "up to the CR: need more");
	is_int(0, parse_str("banner line\r\nSSH-2.0-Op", 0, &id, &e),
	    "a line, then part of one: need more");
	is_string("banner line", id.first, "first is the complete line");
	is_int(0, parse_str("banner line\r\n", 0, &id, &e),
	    "one text line: need more");
	is_string("banner line", id.first, "first");
}

static void
test_eof(void)
{
	struct sshident id;
	struct errmsg e;

	is_int(-1, parse("", 0, 1, &id, &e), "closed at once: not SSH");
	is_int(EPIPE, e.code, "code EPIPE");
	is_string("not an SSH server: it closed the connection without a "
	    "word", e.text, "message");

	is_int(-1, parse_str("hello", 1, &id, &e), "text, then EOF: not SSH");
	is_int(EPROTO, e.code, "code EPROTO");
	is_string("not an SSH server: it sent 'hello' and closed the "
	    "connection", e.text, "message");
	is_string("hello", id.first, "first is the text");

	is_int(-1, parse_str("220 mail ESMTP\r\n", 1, &id, &e),
	    "a line, then EOF: not SSH");
	is_int(EPROTO, e.code, "code EPROTO");
	is_string("not an SSH server: it sent '220 mail ESMTP' and closed the "
	    "connection", e.text, "message names the first line");

	is_int(-1, parse_str("one\r\ntwo", 1, &id, &e),
	    "a line and part of one, then EOF: not SSH");
	is_string("not an SSH server: it sent 'one' and closed the "
	    "connection", e.text, "message names the first line");

	is_int(-1, parse_str("SSH-2.0-OpenSSH_9.2p1", 1, &id, &e),
	    "an identification without its LF, then EOF: not SSH");
	is_int(EPROTO, e.code, "code EPROTO");

	is_int(-1, parse_str("\r\n", 1, &id, &e), "an empty line, then EOF");
	ok(e.code == EPROTO || e.code == EPIPE, "code %d", e.code);
	ok(one_line(e.text) && strncmp(e.text, "not an SSH server: ", 19) == 0,
	    "message: %s", e.text);

	is_int(-1, parse_str("bell\a\x7f\r\n", 1, &id, &e),
	    "control characters, then EOF");
	ok(one_line(e.text), "the message is one printable line: %s", e.text);
	ok(one_line(id.first) && strstr(id.first, "bell") == id.first,
	    "first is printable: %s", id.first);
}

static void
test_binary(void)
{
	static const char nul1[] = "SSH-2.0-Open\0SSH\r\n";
	static const char nul2[] = "\0\0\0\x1c";
	static const char nul3[] = "hi\r\n\0";
	struct sshident id;
	struct errmsg e;

	is_int(-1, parse(nul1, sizeof(nul1) - 1, 0, &id, &e),
	    "a NUL in the line: not SSH");
	is_int(EPROTO, e.code, "EPROTO");
	is_string("not an SSH server: it sent binary data", e.text, "message");
	is_int(-1, parse(nul2, sizeof(nul2) - 1, 0, &id, &e),
	    "binary without a LF: not SSH, without waiting");
	is_string("not an SSH server: it sent binary data", e.text, "message");
	is_int(-1, parse(nul3, sizeof(nul3) - 1, 0, &id, &e),
	    "a NUL after a text line: not SSH");
	is_string("not an SSH server: it sent binary data", e.text, "message");
	is_int(-1, parse(nul3, sizeof(nul3) - 1, 1, &id, &e),
	    "the same at EOF: not SSH");
	is_string("not an SSH server: it sent binary data", e.text, "message");
}

static void
test_long(void)
{
	char buf[1024], want[512];
	struct sshident id;
	struct errmsg e;

	/* 253 characters and CR LF: 255 bytes, the most there may be. */
	memset(buf, 'x', sizeof(buf));
	memcpy(buf, "SSH-2.0-", 8);
	memcpy(buf + 253, "\r\n", 3);
	is_int(1, parse_str(buf, 0, &id, &e), "255 bytes with CR LF: found");
	is_int(253, strlen(id.line), "the line has 253 characters");
	is_int(245, strlen(id.software), "software has 245");
	is_int(255, id.end, "end 255");
	/* 254 characters and LF: 255 bytes too. */
	memcpy(buf + 253, "x\n", 3);
	is_int(1, parse_str(buf, 0, &id, &e), "255 bytes with LF: found");
	is_int(254, strlen(id.line), "the line has 254 characters");
	/* One more: 256 bytes. */
	memcpy(buf + 253, "xx\n", 4);
	is_int(-1, parse_str(buf, 0, &id, &e), "256 bytes: not SSH");
	is_int(EPROTO, e.code, "EPROTO");
	ok(one_line(e.text) && strncmp(e.text, "not an SSH server: a line of "
	    "more than 255 bytes: 'SSH-2.0-xxx", 50) == 0,
	    "message: %s", e.text);
	ok(strlen(e.text) < 200, "the message quotes only its start (%zu)",
	    strlen(e.text));

	/* 300 bytes before the LF, in a text line. */
	memset(buf, 'a', 300);
	memcpy(buf + 300, "\r\n", 3);
	is_int(-1, parse_str(buf, 0, &id, &e), "a 302-byte text line: not SSH");
	snprintf(want, sizeof(want), "not an SSH server: a line of more than "
	    "255 bytes: '%.79s'", buf);
	is_string(want, e.text, "message");

	/* Without a LF yet: 254 bytes may still end well, 255 cannot. */
	memset(buf, 'a', sizeof(buf));
	is_int(0, parse(buf, 254, 0, &id, &e), "254 bytes, no LF: need more");
	is_int(-1, parse(buf, 255, 0, &id, &e),
	    "255 bytes, no LF: not SSH without waiting");
	is_int(-1, parse(buf, sizeof(buf), 0, &id, &e),
	    "1024 bytes, no LF: not SSH");
	/* After a text line, the same. */
	memcpy(buf, "hello\r\n", 7);
	is_int(0, parse(buf, 7 + 254, 0, &id, &e), "a line, 254 bytes: more");
	is_int(-1, parse(buf, 7 + 255, 0, &id, &e), "a line, 255 bytes: not SSH");
	is_int(-1, parse(buf, 7 + 255, 1, &id, &e), "and at EOF");
}

static void
test_malformed(void)
{
	static const char *const bad[] = {
		"SSH-2.0\r\n", "SSH-2.0-\r\n", "SSH-2.0- comment\r\n",
		"SSH--OpenSSH\r\n", "SSH-\r\n", "SSH-12345678901234567-X\r\n",
	};
	struct sshident id;
	struct errmsg e;
	char want[256];
	size_t i, len;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		len = strlen(bad[i]) - 2;
		snprintf(want, sizeof(want), "not an SSH server: a malformed "
		    "identification '%.*s'", (int)len, bad[i]);
		is_int(-1, parse_str(bad[i], 0, &id, &e), "'%.*s': not SSH",
		    (int)len, bad[i]);
		is_int(EPROTO, e.code, "EPROTO");
		is_string(want, e.text, "message");
	}
	is_int(-1, parse_str("hello\r\nSSH-2.0\r\n", 0, &id, &e),
	    "malformed after a line: not SSH");
	is_string("not an SSH server: a malformed identification 'SSH-2.0'",
	    e.text, "message");
	/* "ssh-" is not "SSH-": a text line. */
	is_int(0, parse_str("ssh-2.0-x\r\n", 0, &id, &e),
	    "lower-case ssh- is a text line");
	is_int(1, parse_str("SSH-123456789012345-X\r\n", 0, &id, &e),
	    "proto of 15 characters: found");
	is_string("123456789012345", id.proto, "proto");
}

int
main(void)
{
	plan_lazy();
	test_openssh();
	test_prelines();
	test_partial();
	test_eof();
	test_binary();
	test_long();
	test_malformed();
	return 0;
}
