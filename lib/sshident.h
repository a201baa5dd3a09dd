/*
 * sshident.h: the SSH identification line a server sends first
 * ("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3"), RFC 4253 section 4.2.
 * SPDX-License-Identifier: MIT
 *
 * A pure function over the bytes received so far.  Lines before the
 * identification are allowed, as the RFC allows them, but only a few and
 * only text; a line that is too long or holds a NUL, or the end of the
 * stream before an identification, means the service is not SSH.
 */
#ifndef HOPKIT_SSHIDENT_H
#define HOPKIT_SSHIDENT_H

#include <stddef.h>

#include "errmsg.h"

#define SSHIDENT_LINE_MAX 255	/* RFC 4253: with CR LF */
#define SSHIDENT_PRELINES_MAX 16	/* text lines allowed before it */

struct sshident {
	char line[SSHIDENT_LINE_MAX + 1];	/* without CR LF */
	char proto[16];		/* "2.0" (or "1.99") */
	char software[SSHIDENT_LINE_MAX + 1];	/* "OpenSSH_9.2p1" */
	char comments[SSHIDENT_LINE_MAX + 1];	/* "Debian-2+deb12u3", or "" */
	size_t end;		/* offset just past the line's LF */
	size_t prelines;	/* lines before it */
	char first[80];		/* the first line received, for messages */
};

/*
 * Look for the identification in buf[0..len).  Returns 1 when it is
 * there (id filled), 0 when more bytes are needed (id->first holds the
 * first complete line if any), or -1 when this is not SSH (e says why,
 * quoting what was received).  eof: the stream ended after these bytes.
 */
int sshident_parse(const char *buf, size_t len, int eof, struct sshident *id,
    struct errmsg *e);

#endif
