/*
 * status_client.h: ask a running fwdpipe for its status document, over
 * its status socket (--status-socket).
 * SPDX-License-Identifier: MIT
 */
#ifndef HOPKIT_STATUS_CLIENT_H
#define HOPKIT_STATUS_CLIENT_H

#include "errmsg.h"
#include "status.h"

#define STATUS_CLIENT_MAX (1024 * 1024)	/* the longest document read */

/*
 * Connect to the Unix socket path, read the document to EOF and parse it
 * (lib/status) into doc.  One deadline of timeout seconds bounds it all.
 * Returns 0, or -1 with e set: e->code is ENOENT or ECONNREFUSED when
 * nothing answers on path (fwdpipe is not running), ETIMEDOUT when it did
 * not answer in time, EBADMSG for a document that does not parse.
 */
int status_fetch(const char *path, double timeout, struct status_doc *doc,
    struct errmsg *e);

#endif
