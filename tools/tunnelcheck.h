/*
 * tunnelcheck.h: what the two halves of tunnelcheck share: the parsed
 * command line (tunnelcheck_args.c) that the check runs on
 * (tunnelcheck.c).
 * SPDX-License-Identifier: MIT
 */
#ifndef HOPKIT_TUNNELCHECK_H
#define HOPKIT_TUNNELCHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "check.h"
#include "endpoint.h"
#include "hop.h"
#include "jump.h"
#include "probe.h"
#include "proxy_cfg.h"
#include "report.h"
#include "sshconf.h"
#include "sshopts.h"

#define TC_MAX_ARGS 64		/* -o, -i, --hostkey, each */
#define TC_SEND_MAX 4096	/* --send, decoded */
#define TC_EXPECT_LEN 1024	/* one --expect, decoded */
#define TC_DEFAULT_TIMEOUT 10.0
#define TC_DEFAULT_MAXBYTES (64 * 1024)
#define TC_DEFAULT_WINDOW 3600.0

enum tc_format { TC_NAGIOS = 0, TC_JSON, TC_PROMETHEUS };

struct tc {
	char host[ENDPOINT_HOST_MAX];
	int have_host;
	uint16_t port;
	int have_port;
	const char *proxy_arg;
	char *proxy_argv;	/* -x's string in argv, to mask */
	const char *auth_file;
	struct proxy_cfg proxy;
	struct hop_opts hop;
	struct jump_opts jump;
	const char *jump_spec;
	const char *options[TC_MAX_ARGS];	/* -o */
	size_t noptions;
	const char *dest_options[2 * TC_MAX_ARGS];	/* -o and -i, for
							   --login */
	size_t ndest_options;
	char *identity_opts[TC_MAX_ARGS];	/* "IdentityFile=..." */
	size_t nidentities;
	const char *user;
	int ssh, login;
	const char *ssh_version;
	const char *pins[TC_MAX_ARGS];
	size_t npins;
	const char *hostkey_alg;
	char send[TC_SEND_MAX];
	long send_len;
	int have_send;
	char *expect[PROBE_EXPECT_MAX];
	size_t nexpect;
	int expect_all;
	double expect_timeout;
	size_t maxbytes;
	double timeout;
	const char *status_path;
	enum tc_format format;
	int verbose;
	struct check_opts check;

	struct sshconf cfg;
	int have_cfg;
	struct sshopts so;
	struct probe_opts po;
	char via[200];
	struct event_base *base;
	struct probe *probe;
	struct report rep;
	int done;
	char *logbuf;		/* the library's log, collected */
	size_t loglen;
	FILE *log;
	FILE *childerr;		/* ProxyCommands' stderr, collected */
};

/*
 * Parse argv into t (zeroed, with the defaults set).  Returns -1 to go on,
 * or an exit status after --help, --version or a usage error (which it
 * has printed).
 */
int tc_parse(struct tc *t, int argc, char **argv);

#endif
