/*
 * fakeproxy.h: the options of one fakeproxy run (t/helper/fakeproxy.c),
 * shared by its HTTP and SOCKS modules.
 * SPDX-License-Identifier: MIT
 */
#ifndef HOPKIT_T_FAKEPROXY_H
#define HOPKIT_T_FAKEPROXY_H

struct fakeproxy_opts {
	const char *mode;	/* -m */
	const char *portfile;	/* -P */
	long tport;		/* -t, or 0 */
	int v6;			/* -6 */
	const char *user;	/* -a user:pass, split; NULL without -a */
	const char *pass;
	char nonce[33];		/* Digest modes: this run's nonce (hex) */
	char opaque[17];	/* ... and opaque */
};

#endif
