/*
 * askpass.h: a passphrase from $SSH_ASKPASS.
 * SPDX-License-Identifier: MIT
 */
#ifndef HOPKIT_ASKPASS_H
#define HOPKIT_ASKPASS_H

#include <stddef.h>

#include "errmsg.h"

/*
 * Run $SSH_ASKPASS with prompt as its argument and put its first line in
 * buf (NUL-terminated).  Fails with ENOENT when SSH_ASKPASS is unset (or
 * SSH_ASKPASS_REQUIRE=never).  The caller wipes buf after use.
 */
int askpass_read(const char *prompt, char *buf, size_t size,
    struct errmsg *e);

#endif
