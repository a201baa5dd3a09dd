/*
 * fdpass.h: hand an open fd to another process over a Unix socket.
 * SPDX-License-Identifier: MIT
 *
 * This is how ssh's ProxyUseFdpass works: the ProxyCommand connects, sends
 * the connected socket over its stdout with SCM_RIGHTS, and exits.
 */
#ifndef HOPKIT_FDPASS_H
#define HOPKIT_FDPASS_H

#include "errmsg.h"

/* Send fd over the Unix socket sock, with one byte of data as ssh expects. */
int fdpass_send(int sock, int fd, struct errmsg *e);

/* Receive one fd from sock; returns the fd or -1. */
int fdpass_recv(int sock, struct errmsg *e);

#endif
