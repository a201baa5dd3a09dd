/*
 * sshident.c: parse the server's SSH identification line; see sshident.h.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "log.h"
#include "sshident.h"

/* Split "SSH-proto-software[ comments]" (no CR LF) into id; -1 if it is
 * not that shape. */
static int
sshident_split(const char *line, struct sshident *id)
{
	const char *proto = line + 4, *dash = strchr(proto, '-'), *sp;
	size_t plen;

	if (dash == NULL)
		return -1;
	plen = (size_t)(dash - proto);
	if (plen == 0 || plen >= sizeof(id->proto))
		return -1;
	memcpy(id->proto, proto, plen);
	id->proto[plen] = '\0';
	sp = strchr(dash + 1, ' ');
	if (sp == NULL) {
		snprintf(id->software, sizeof(id->software), "%s", dash + 1);
		id->comments[0] = '\0';
	} else {
		snprintf(id->software, sizeof(id->software), "%.*s",
		    (int)(sp - dash - 1), dash + 1);
		snprintf(id->comments, sizeof(id->comments), "%s", sp + 1);
	}
	return id->software[0] == '\0' ? -1 : 0;
}

int
sshident_parse(const char *buf, size_t len, int eof, struct sshident *id,
    struct errmsg *e)
{
	char q[100];
	size_t off = 0, n = 0;

	memset(id, 0, sizeof(*id));
	for (;;) {
		const char *nl = off < len ? memchr(buf + off, '\n', len - off) :
		    NULL;
		size_t llen = nl != NULL ? (size_t)(nl - (buf + off)) :
		    len - off;
		char line[SSHIDENT_LINE_MAX + 1];

		if (memchr(buf + off, '\0', llen) != NULL)
			return errmsg_set(e, EPROTO, "not an SSH server: it "
			    "sent binary data");
		if (llen + 1 > SSHIDENT_LINE_MAX) {
			memcpy(line, buf + off, sizeof(line) - 1);
			line[sizeof(line) - 1] = '\0';
			return errmsg_set(e, EPROTO, "not an SSH server: a line "
			    "of more than %d bytes: '%s'", SSHIDENT_LINE_MAX,
			    log_quote(line, q, sizeof(q)));
		}
		memcpy(line, buf + off, llen);
		line[llen] = '\0';
		if (llen > 0 && line[llen - 1] == '\r')
			line[llen - 1] = '\0';
		if (nl == NULL) {
			if (!eof)
				return 0;
			if (id->first[0] == '\0' && llen == 0)
				return errmsg_set(e, EPIPE, "not an SSH server: "
				    "it closed the connection without a word");
			if (id->first[0] == '\0')
				log_quote(line, id->first, sizeof(id->first));
			return errmsg_set(e, EPROTO, "not an SSH server: it "
			    "sent '%s' and closed the connection", id->first);
		}
		if (id->first[0] == '\0')
			log_quote(line, id->first, sizeof(id->first));
		if (strncmp(line, "SSH-", 4) == 0) {
			if (sshident_split(line, id) == -1)
				return errmsg_set(e, EPROTO, "not an SSH server: "
				    "a malformed identification '%s'",
				    log_quote(line, q, sizeof(q)));
			memcpy(id->line, line, strlen(line) + 1);
			id->end = (size_t)(nl - buf) + 1;
			id->prelines = n;
			return 1;
		}
		if (++n > SSHIDENT_PRELINES_MAX)
			return errmsg_set(e, EPROTO, "not an SSH server: %zu "
			    "lines and no identification; the first: '%s'", n,
			    id->first);
		off = (size_t)(nl - buf) + 1;
	}
}
