/*
 * escape.h: the backslash escapes of tunnelcheck's --send and --expect,
 * as check_tcp's -E knows them: \r \n \t and \\.
 * SPDX-License-Identifier: MIT
 */
#ifndef HOPKIT_ESCAPE_H
#define HOPKIT_ESCAPE_H

#include <stddef.h>

#include "errmsg.h"

/*
 * Decode in into out (at most outlen bytes with the NUL; the result is
 * never longer than in).  Returns the decoded length, or -1 with e set for
 * an unknown escape or a lone backslash at the end.  The result holds no
 * NUL bytes, as no escape makes one.
 */
long escape_decode(const char *in, char *out, size_t outlen,
    struct errmsg *e);

#endif
