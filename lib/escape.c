/*
 * escape.c: decode --send/--expect backslash escapes; see escape.h.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "escape.h"

long
escape_decode(const char *in, char *out, size_t outlen, struct errmsg *e)
{
	size_t n = 0;

	if (strlen(in) >= outlen)
		return errmsg_set(e, ENAMETOOLONG, "longer than %zu bytes",
		    outlen - 1);
	for (const char *p = in; *p != '\0'; p++) {
		char c = *p;

		if (c == '\\') {
			switch (*++p) {
			case 'r': c = '\r'; break;
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case '\\': c = '\\'; break;
			case '\0':
				return errmsg_set(e, EINVAL, "a lone '\\' at the "
				    "end (write \\\\ for a backslash)");
			default:
				return errmsg_set(e, EINVAL, "unknown escape "
				    "'\\%c' (known: \\r \\n \\t \\\\)",
				    (*p >= 0x20 && *p < 0x7f) ? *p : '?');
			}
		}
		out[n++] = c;
	}
	out[n] = '\0';
	return (long)n;
}
