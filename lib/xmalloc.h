/*
 * xmalloc.h: allocation that cannot return NULL, and wiping of secrets.
 * SPDX-License-Identifier: MIT
 *
 * Out of memory is the one failure the library does not hand back: the
 * x-functions log and abort(), as OpenSSH's do.
 */
#ifndef HOPKIT_XMALLOC_H
#define HOPKIT_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);

/* Overwrite len bytes at ptr (not optimised away), then free it. */
void freezero(void *ptr, size_t len);

#ifndef HAVE_EXPLICIT_BZERO
/* Overwrite len bytes at ptr in a way the compiler may not optimise away
 * (glibc >= 2.25 and the BSDs have their own). */
void explicit_bzero(void *ptr, size_t len);
#endif

#endif
