/*
 * fakesocks.h: fakeproxy's SOCKS modes (the "socks4*" and "socks5-*" modes
 * listed in t/helper/fakeproxy.c).
 * SPDX-License-Identifier: MIT
 */
#ifndef HOPKIT_T_FAKESOCKS_H
#define HOPKIT_T_FAKESOCKS_H

#include "fakeproxy.h"

/* Serve one accepted SOCKS5 connection fd in mode o->mode, then close it. */
void fakesocks_serve5(int fd, const struct fakeproxy_opts *o);

/* Serve one accepted SOCKS4/4a connection fd in mode o->mode, then close
 * it. */
void fakesocks_serve4(int fd, const struct fakeproxy_opts *o);

#endif
