/*
 * fakehttp.h: fakeproxy's HTTP CONNECT modes (the "http-*" modes listed
 * in t/helper/fakeproxy.c).
 * SPDX-License-Identifier: MIT
 */
#ifndef HOPKIT_T_FAKEHTTP_H
#define HOPKIT_T_FAKEHTTP_H

#include "fakeproxy.h"

/* Serve one accepted connection fd in mode o->mode, then close it. */
void fakehttp_serve(int fd, const struct fakeproxy_opts *o);

#endif
