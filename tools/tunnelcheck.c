/*
 * tunnelcheck: one Nagios-style check of one tunnel or jump path: TCP,
 * the SSH identification, a pinned host key, a login, or send/expect;
 * directly, through a proxy (-x) or jump hosts (-J); or a running
 * fwdpipe's status (--status).
 * SPDX-License-Identifier: MIT
 *
 * This file parses options and writes the result; lib/probe.c does the
 * check, lib/check.c judges it and lib/report.c writes it.  Everything
 * goes to stdout, as the monitoring-plugins guidelines ask: the library's
 * log is collected and shown as long output with -vv.
 *
 * Exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (a usage error
 * too, and --help and --version, as the monitoring-plugins do).
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "check.h"
#include "cli.h"
#include "endpoint.h"
#include "errmsg.h"
#include "escape.h"
#include "log.h"
#include "probe.h"
#include "proxy_cfg.h"
#include "range.h"
#include "report.h"
#include "sshconf.h"
#include "sshopts.h"
#include "status_client.h"

#define TC_MAX_ARGS 64		/* -o, -i, --hostkey, each */
#define TC_SEND_MAX 4096	/* --send, decoded */
#define TC_EXPECT_LEN 1024	/* one --expect, decoded */
#define TC_DEFAULT_TIMEOUT 10.0
#define TC_DEFAULT_MAXBYTES (64 * 1024)
#define TC_DEFAULT_WINDOW 3600.0

enum {
	OPT_SSH = CLI_LONG_ONLY, OPT_SSH_VERSION, OPT_HOSTKEY, OPT_HOSTKEY_ALG,
	OPT_LOGIN, OPT_SEND, OPT_EXPECT, OPT_EXPECT_ALL, OPT_EXPECT_TIMEOUT,
	OPT_MAXBYTES, OPT_MISMATCH_STATE, OPT_REFUSE_STATE, OPT_TIMEOUT_STATE,
	OPT_STATUS, OPT_RECONNECT_WINDOW, OPT_FORMAT, OPT_PROXY_AUTH_FILE,
	OPT_PROXY_CACERT,
	OPT_WARN_PHASE,		/* + phase, PROBE_RESOLVE..PROBE_EXPECT */
	OPT_CRIT_PHASE = OPT_WARN_PHASE + PROBE_TOTAL,
};

/* The per-phase threshold options, one pair per phase before "total". */
#define TC_PHASE_OPTS(name, ph) \
	{ "warning-" name, required_argument, OPT_WARN_PHASE + (ph), "range", \
	  "warning range for the " name " time" }, \
	{ "critical-" name, required_argument, OPT_CRIT_PHASE + (ph), "range", \
	  "critical range for the " name " time" }

static const struct cli_option tc_options[] = {
	{ "hostname", required_argument, 'H', "host", "the host to check" },
	{ "port", required_argument, 'p', "port",
	  "its TCP port (default 22 with --ssh, --hostkey, --login)" },
	{ NULL, no_argument, '4', NULL, "use IPv4 only" },
	{ NULL, no_argument, '6', NULL, "use IPv6 only" },
	{ "proxy", required_argument, 'x', "URL",
	  "through this proxy: http://, https://, socks4://, socks4a://,\n"
	  "                   socks5://, socks5h:// or env" },
	{ "proxy-auth-file", required_argument, OPT_PROXY_AUTH_FILE, "file",
	  "read the proxy's user:password from file (mode 600)" },
	{ "proxy-cacert", required_argument, OPT_PROXY_CACERT, "file",
	  "CA bundle to check an https:// proxy with" },
	{ "jump", required_argument, 'J', "[user@]host[:port][,...]",
	  "through these SSH jump hosts" },
	{ "config", required_argument, 'F', "file",
	  "ssh_config file for -J and --login (default ~/.ssh/config)" },
	{ "option", required_argument, 'o', "Key=Value",
	  "an ssh_config option for -J and --login (repeatable)" },
	{ "user", required_argument, 'l', "user", "--login as this user" },
	{ "identity", required_argument, 'i', "file",
	  "--login with this private key (repeatable)" },
	{ "ssh", no_argument, OPT_SSH, NULL,
	  "read the SSH identification; anything else is CRITICAL" },
	{ "ssh-version", required_argument, OPT_SSH_VERSION, "version",
	  "CRITICAL unless the software version is this (OpenSSH_9.2p1)" },
	{ "hostkey", required_argument, OPT_HOSTKEY, "SHA256:...",
	  "key exchange only: CRITICAL unless the host key has one of\n"
	  "                   these fingerprints (repeatable)" },
	{ "hostkey-alg", required_argument, OPT_HOSTKEY_ALG, "alg",
	  "ask for this type of host key (ssh-ed25519,\n"
	  "                   ecdsa-sha2-nistp256, ...)" },
	{ "login", no_argument, OPT_LOGIN, NULL,
	  "log in with the agent or keys from ssh_config; runs nothing" },
	{ "send", required_argument, OPT_SEND, "string",
	  "send this once connected (\\r \\n \\t \\\\ are escapes)" },
	{ "expect", required_argument, OPT_EXPECT, "string",
	  "read until this is in the answer (repeatable: any of them)" },
	{ "expect-all", no_argument, OPT_EXPECT_ALL, NULL,
	  "every --expect string must be in the answer" },
	{ "expect-timeout", required_argument, OPT_EXPECT_TIMEOUT, "secs",
	  "how long to read for --expect (default: the rest of -t)" },
	{ "maxbytes", required_argument, OPT_MAXBYTES, "n",
	  "stop reading the answer after n bytes (default 65536)" },
	{ "mismatch-state", required_argument, OPT_MISMATCH_STATE, "state",
	  "state when --expect is not met (default warning)" },
	{ "refuse-state", required_argument, OPT_REFUSE_STATE, "state",
	  "state when the connection is refused (default critical)" },
	{ "timeout-state", required_argument, OPT_TIMEOUT_STATE, "state",
	  "state when -t runs out: critical (default) or unknown" },
	{ "warning", required_argument, 'w', "range",
	  "warning range for the total time (with --status: for the\n"
	  "                   reconnects within --reconnect-window)" },
	{ "critical", required_argument, 'c', "range",
	  "critical range, as -w" },
	TC_PHASE_OPTS("resolve", PROBE_RESOLVE),
	TC_PHASE_OPTS("connect", PROBE_CONNECT),
	TC_PHASE_OPTS("hop", PROBE_HOP),
	TC_PHASE_OPTS("banner", PROBE_BANNER),
	TC_PHASE_OPTS("kex", PROBE_KEX),
	TC_PHASE_OPTS("auth", PROBE_AUTH),
	TC_PHASE_OPTS("expect", PROBE_EXPECT),
	{ "timeout", required_argument, 't', "secs",
	  "give up after this long (default 10)" },
	{ "status", required_argument, OPT_STATUS, "path",
	  "check the fwdpipe answering on this status socket instead" },
	{ "reconnect-window", required_argument, OPT_RECONNECT_WINDOW, "secs",
	  "count --status reconnects over this long (default 3600)" },
	{ "format", required_argument, OPT_FORMAT, "format",
	  "nagios (default), json or prometheus" },
	{ "verbose", no_argument, 'v', NULL,
	  "long output; -vv adds the log, -vvv debug messages" },
	{ "help", no_argument, 'h', NULL, "show this help and exit" },
	{ "version", no_argument, 'V', NULL, "show the version and exit" },
};
#define TC_NOPTIONS (sizeof(tc_options) / sizeof(tc_options[0]))

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

static void
tc_usage(FILE *out)
{
	fprintf(out, "Usage: tunnelcheck -H host [-p port] [-46v] [-x URL] "
	    "[-J jump] [-F file] [-o Key=Value]\n"
	    "         [--ssh] [--ssh-version version] [--hostkey SHA256:...] "
	    "[--login]\n"
	    "         [--send string] [--expect string]... [-w range] "
	    "[-c range] [-t secs]\n"
	    "         [--format nagios|json|prometheus]\n"
	    "       tunnelcheck --status path [-w range] [-c range] "
	    "[--reconnect-window secs]\n");
}

static void
tc_help(void)
{
	printf("tunnelcheck (hopkit) %s\n", PACKAGE_VERSION);
	printf("Check a TCP, SSH, proxy or jump path, or a running fwdpipe, as "
	    "a Nagios plugin.\n\n");
	tc_usage(stdout);
	printf("\n");
	cli_print_options(stdout, tc_options, TC_NOPTIONS);
	printf("\nRanges: 10 (alert outside 0..10), 10: (below 10), ~:10 "
	    "(above 10), 10:20,\n  @10:20 (alert inside 10..20); ends "
	    "included.  States: ok, warning, critical,\n  unknown.\n");
	printf("Environment: JUMPCAT_PROXY_USER, JUMPCAT_PROXY_PASSWORD (proxy "
	    "credentials);\n  with -x env: https_proxy, HTTPS_PROXY, all_proxy, "
	    "ALL_PROXY, no_proxy, NO_PROXY.\n");
	printf("Exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (also "
	    "usage errors, --help\n  and --version).\n");
}

/* A usage error: one UNKNOWN line and the short usage, on stdout. */
static int __attribute__((format(printf, 1, 2)))
tc_usage_error(const char *fmt, ...)
{
	char msg[600];
	struct report r;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	report_init(&r, "TUNNEL", "target", NULL);
	report_set(&r, REPORT_UNKNOWN, "%s", msg);
	report_write_nagios(&r, 0, stdout);
	report_free(&r);
	tc_usage(stdout);
	return REPORT_UNKNOWN;
}

/* Seconds: a decimal number above 0, at most a year. */
static int
tc_parse_secs(const char *s, double *out)
{
	char *end;
	double v;

	if (*s == '\0' || strspn(s, "0123456789.") != strlen(s))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || v <= 0 ||
	    v > 86400 * 365)
		return -1;
	*out = v;
	return 0;
}

/* A "SHA256:" fingerprint: 43 base64 characters (padding allowed). */
static int
tc_valid_pin(const char *s)
{
	size_t n;

	if (strncmp(s, "SHA256:", 7) != 0)
		return 0;
	s += 7;
	n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789+/");
	return n == 43 && strspn(s + n, "=") == strlen(s + n) &&
	    strlen(s + n) <= 1;
}

/* A threshold option into the check's ranges. */
static int
tc_range(struct tc *t, int phase, int crit, const char *arg, const char *name)
{
	struct errmsg e;

	if (range_parse(arg, crit ? &t->check.crit[phase] :
	    &t->check.warn[phase], &e) == -1)
		return tc_usage_error("%s: %s", name, e.text);
	if (crit)
		t->check.has_crit[phase] = 1;
	else
		t->check.has_warn[phase] = 1;
	return -1;
}

/* A state option (--refuse-state and the like). */
static int
tc_state(const char *arg, const char *name, enum report_state *out)
{
	if (report_state_parse(arg, out) == -1)
		return tc_usage_error("%s: '%s' is not ok, warning, critical or "
		    "unknown", name, arg);
	return -1;
}

/* Parse one option c (argument optarg); -1 to go on, else an exit status. */
static int
tc_option(struct tc *t, int c, const char *arg)
{
	struct errmsg e;
	char *end;
	char buf[TC_EXPECT_LEN];
	long n;

	if (c >= OPT_WARN_PHASE && c < OPT_CRIT_PHASE)
		return tc_range(t, c - OPT_WARN_PHASE, 0, arg, "--warning-*");
	if (c >= OPT_CRIT_PHASE && c < OPT_CRIT_PHASE + PROBE_TOTAL)
		return tc_range(t, c - OPT_CRIT_PHASE, 1, arg, "--critical-*");
	switch (c) {
	case 'H':
		if (endpoint_parse_host(arg, t->host, sizeof(t->host), &e) == -1)
			return tc_usage_error("-H: %s", e.text);
		t->have_host = 1;
		break;
	case 'p':
		if (endpoint_port_lookup(arg, 0, &t->port, &e) == -1)
			return tc_usage_error("-p: %s", e.text);
		t->have_port = 1;
		break;
	case '4':
		t->hop.family = AF_INET;
		break;
	case '6':
		t->hop.family = AF_INET6;
		break;
	case 'x':
		if (t->proxy_arg != NULL)
			return tc_usage_error("-x given twice");
		t->proxy_arg = arg;
		t->proxy_argv = (char *)arg;	/* points into argv */
		break;
	case OPT_PROXY_AUTH_FILE:
		t->auth_file = arg;
		break;
	case OPT_PROXY_CACERT:
		t->hop.proxy_tls.cafile = arg;
		break;
	case 'J':
		if (t->jump_spec != NULL)
			return tc_usage_error("-J given twice: list the jump "
			    "hosts in one -J, separated by commas");
		t->jump_spec = arg;
		break;
	case 'F':
		t->jump.config = arg;
		break;
	case 'o':
		if (t->noptions == TC_MAX_ARGS)
			return tc_usage_error("more than %d -o", TC_MAX_ARGS);
		if (strchr(arg, '=') == NULL && strchr(arg, ' ') == NULL)
			return tc_usage_error("-o '%s': expected Key=Value", arg);
		t->options[t->noptions++] = arg;
		break;
	case 'l':
		t->user = arg;
		break;
	case 'i':
		if (t->nidentities == TC_MAX_ARGS)
			return tc_usage_error("more than %d -i", TC_MAX_ARGS);
		if (asprintf(&t->identity_opts[t->nidentities], "IdentityFile=%s",
		    arg) == -1)
			abort();
		t->nidentities++;
		break;
	case OPT_SSH:
		t->ssh = 1;
		break;
	case OPT_SSH_VERSION:
		if (*arg == '\0')
			return tc_usage_error("--ssh-version: empty version");
		t->ssh = 1;
		t->ssh_version = arg;
		break;
	case OPT_HOSTKEY:
		if (!tc_valid_pin(arg))
			return tc_usage_error("--hostkey '%s': expected SHA256: "
			    "and 43 base64 characters, as ssh-keygen -l "
			    "prints", arg);
		if (t->npins == TC_MAX_ARGS)
			return tc_usage_error("more than %d --hostkey",
			    TC_MAX_ARGS);
		t->pins[t->npins++] = arg;
		break;
	case OPT_HOSTKEY_ALG:
		if (strspn(arg, "abcdefghijklmnopqrstuvwxyz0123456789-@.,") !=
		    strlen(arg) || *arg == '\0')
			return tc_usage_error("--hostkey-alg '%s': not an "
			    "algorithm name", arg);
		t->hostkey_alg = arg;
		break;
	case OPT_LOGIN:
		t->login = 1;
		break;
	case OPT_SEND:
		if (t->have_send)
			return tc_usage_error("--send given twice");
		t->send_len = escape_decode(arg, t->send, sizeof(t->send), &e);
		if (t->send_len == -1)
			return tc_usage_error("--send: %s", e.text);
		t->have_send = 1;
		break;
	case OPT_EXPECT:
		if (t->nexpect == PROBE_EXPECT_MAX)
			return tc_usage_error("more than %d --expect",
			    PROBE_EXPECT_MAX);
		n = escape_decode(arg, buf, sizeof(buf), &e);
		if (n == -1)
			return tc_usage_error("--expect: %s", e.text);
		if (n == 0)
			return tc_usage_error("--expect: empty string");
		t->expect[t->nexpect++] = strdup(buf);
		break;
	case OPT_EXPECT_ALL:
		t->expect_all = 1;
		break;
	case OPT_EXPECT_TIMEOUT:
		if (tc_parse_secs(arg, &t->expect_timeout) == -1)
			return tc_usage_error("--expect-timeout '%s': expected "
			    "seconds above 0", arg);
		break;
	case OPT_MAXBYTES:
		errno = 0;
		n = strtol(arg, &end, 10);
		if (errno != 0 || end == arg || *end != '\0' || n < 1 ||
		    n > 16 * 1024 * 1024)
			return tc_usage_error("--maxbytes '%s': expected 1 to "
			    "16777216", arg);
		t->maxbytes = (size_t)n;
		break;
	case OPT_MISMATCH_STATE:
		return tc_state(arg, "--mismatch-state",
		    &t->check.mismatch_state);
	case OPT_REFUSE_STATE:
		return tc_state(arg, "--refuse-state", &t->check.refuse_state);
	case OPT_TIMEOUT_STATE:
		if (tc_state(arg, "--timeout-state", &t->check.timeout_state) !=
		    -1)
			return REPORT_UNKNOWN;
		if (t->check.timeout_state != REPORT_CRITICAL &&
		    t->check.timeout_state != REPORT_UNKNOWN)
			return tc_usage_error("--timeout-state: critical or "
			    "unknown, as the guidelines ask");
		break;
	case 'w':
		return tc_range(t, PROBE_TOTAL, 0, arg, "-w");
	case 'c':
		return tc_range(t, PROBE_TOTAL, 1, arg, "-c");
	case 't':
		if (tc_parse_secs(arg, &t->timeout) == -1)
			return tc_usage_error("-t '%s': expected seconds above 0",
			    arg);
		break;
	case OPT_STATUS:
		t->status_path = arg;
		break;
	case OPT_RECONNECT_WINDOW:
		if (tc_parse_secs(arg, &t->check.reconnect_window) == -1)
			return tc_usage_error("--reconnect-window '%s': expected "
			    "seconds above 0", arg);
		break;
	case OPT_FORMAT:
		if (strcmp(arg, "nagios") == 0)
			t->format = TC_NAGIOS;
		else if (strcmp(arg, "json") == 0)
			t->format = TC_JSON;
		else if (strcmp(arg, "prometheus") == 0)
			t->format = TC_PROMETHEUS;
		else
			return tc_usage_error("--format '%s': nagios, json or "
			    "prometheus", arg);
		break;
	case 'v':
		t->verbose++;
		break;
	case 'h':
		tc_help();
		return REPORT_UNKNOWN;
	case 'V':
		printf("tunnelcheck (hopkit) %s\n", PACKAGE_VERSION);
		return REPORT_UNKNOWN;
	default:
		return tc_usage_error("unhandled option");
	}
	return -1;
}

/* What must go together, and what cannot. */
static int
tc_check_args(struct tc *t)
{
	int sshish = t->ssh || t->login || t->npins > 0;

	if (t->status_path != NULL) {
		if (t->have_host || t->have_port || sshish || t->have_send ||
		    t->nexpect > 0 || t->proxy_arg != NULL ||
		    t->jump_spec != NULL || t->user != NULL ||
		    t->nidentities > 0 || t->jump.config != NULL ||
		    t->noptions > 0 || t->hop.family != 0)
			return tc_usage_error("--status checks a running "
			    "fwdpipe: it takes no -H, -p, -4, -6, -x, -J, -F, "
			    "-o, -l, -i or probes");
		return -1;
	}
	if (!t->have_host)
		return tc_usage_error("no host: -H is required");
	if (!t->have_port && !sshish)
		return tc_usage_error("no port: -p is required (22 is the "
		    "default only with --ssh, --hostkey or --login)");
	if (!t->have_port)
		t->port = 22;
	if (sshish && (t->have_send || t->nexpect > 0))
		return tc_usage_error("--send and --expect check a plain TCP "
		    "service; they cannot go with --ssh, --hostkey or --login");
	if (t->hostkey_alg != NULL && t->npins == 0)
		return tc_usage_error("--hostkey-alg needs --hostkey");
	if (!t->login && (t->user != NULL || t->nidentities > 0))
		return tc_usage_error("-l and -i need --login");
	if (t->jump_spec == NULL && !t->login &&
	    (t->jump.config != NULL || t->noptions > 0))
		return tc_usage_error("-F and -o need -J or --login");
	if (t->expect_all && t->nexpect == 0)
		return tc_usage_error("--expect-all needs --expect");
	if ((t->expect_timeout > 0 || t->maxbytes > 0) && t->nexpect == 0)
		return tc_usage_error("--expect-timeout and --maxbytes need "
		    "--expect");
	if (t->proxy_arg == NULL && (t->auth_file != NULL ||
	    t->hop.proxy_tls.cafile != NULL))
		return tc_usage_error("--proxy-auth-file and --proxy-cacert "
		    "need -x");
	return -1;
}

/* Parse argv; -1 to go on, or an exit status. */
static int
tc_parse(struct tc *t, int argc, char **argv)
{
	struct option longopts[TC_NOPTIONS + 1];
	char shortopts[2 * TC_NOPTIONS + 2];
	char errbuf[128];
	int c, rc;

	cli_tables(tc_options, TC_NOPTIONS, longopts, shortopts);
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (c == ':')
			return tc_usage_error("option %s needs an argument",
			    argv[optind - 1]);
		if (c == '?')
			return tc_usage_error("%s", cli_bad_option(
			    argv[optind - 1], optopt, longopts, errbuf,
			    sizeof(errbuf)));
		if ((rc = tc_option(t, c, optarg)) != -1)
			return rc;
	}
	if (optind < argc)
		return tc_usage_error("unexpected argument '%s' (the host goes "
		    "after -H)", argv[optind]);
	return tc_check_args(t);
}

static void tc_write(struct tc *t);

/* The proxy, as jumpcat settles it; -1 to go on, or an exit status. */
static int
tc_proxy_setup(struct tc *t)
{
	struct errmsg e;
	char shown[ENDPOINT_HOST_MAX + 32];

	if (t->proxy_arg == NULL)
		return -1;
	if (proxy_cfg_load(&t->proxy, t->proxy_arg, t->host, t->port,
	    t->auth_file, proxy_env_getenv, NULL, &e) == -1) {
		report_set(&t->rep, REPORT_UNKNOWN, "%s", e.text);
		tc_write(t);
		return REPORT_UNKNOWN;
	}
	if (t->proxy.url_has_password && t->proxy_argv != NULL) {
		proxy_cfg_mask_argv(t->proxy_argv);
		log_warn("a password in -x is visible to other users in the "
		    "process list; use --proxy-auth-file or "
		    "JUMPCAT_PROXY_PASSWORD");
	}
	if (!t->proxy.use_proxy)
		return -1;
	t->hop.proxy = &t->proxy.url;
	if (t->proxy.have_cred) {
		t->hop.user = t->proxy.cred.user;
		t->hop.pass = t->proxy.cred.pass;
	}
	snprintf(t->via, sizeof(t->via), "via proxy %s",
	    proxy_url_display(&t->proxy.url, shown, sizeof(shown)));
	return -1;
}

/*
 * The SSH session's options for --hostkey and --login.  --login reads the
 * host's ssh_config (user, keys, agent, known_hosts); -H and -p stay what
 * is connected to.  A pinned key replaces known_hosts.  Returns -1 to go
 * on, or an exit status (UNKNOWN for an ssh_config that cannot be read).
 */
static int
tc_ssh_setup(struct tc *t)
{
	struct errmsg e;
	struct ssh_opts *o = &t->so.o;

	if (t->login) {
		struct jump_opts jo = t->jump;

		for (size_t i = 0; i < t->noptions; i++)
			t->dest_options[t->ndest_options++] = t->options[i];
		for (size_t i = 0; i < t->nidentities; i++)
			t->dest_options[t->ndest_options++] =
			    t->identity_opts[i];
		jo.spec = NULL;
		jo.options = NULL;
		jo.noptions = 0;
		jo.dest_options = t->dest_options;
		jo.ndest_options = t->ndest_options;
		jo.dest_port = t->port;
		jo.dest_user = t->user;
		sshconf_init(&t->cfg);
		t->have_cfg = 1;
		if (jump_config(t->host, &jo, &t->cfg, &e) == -1) {
			report_set(&t->rep, REPORT_UNKNOWN, "%s", e.text);
			tc_write(t);
			return REPORT_UNKNOWN;
		}
		sshopts_from_config(&t->so, &t->cfg, t->host);
	} else {
		memset(&t->so, 0, sizeof(t->so));
		o->label = t->host;
		o->strict = SSH_STRICT_YES;
	}
	o->host = t->host;
	o->port = t->port;
	o->alive_interval = 0;
	o->no_prompt = 1;	/* a check never asks for a passphrase */
	if (t->npins > 0) {
		o->hostkey_pins = t->pins;
		o->n_hostkey_pins = t->npins;
		o->n_known_hosts = 0;
		o->n_user_known_hosts = 0;
		o->hostkey_algorithms = t->hostkey_alg;
	}
	return -1;
}

/* The library's log goes into a buffer: nothing reaches stderr. */
static void
tc_log_setup(struct tc *t)
{
	t->log = open_memstream(&t->logbuf, &t->loglen);
	if (t->log == NULL)
		abort();
	log_init("tunnelcheck", t->verbose > 1 ? t->verbose - 1 : 0, 0);
	log_set_stream(t->log);
	/* A jump host's ProxyCommand writes to a file of ours, not to the
	 * plugin's stderr. */
	t->childerr = tmpfile();
	if (t->childerr != NULL)
		t->jump.proxy_stderr = fileno(t->childerr);
	t->jump.no_prompt = 1;
}

/* With -vv, the log's lines join the long output. */
static void
tc_log_collect(struct tc *t)
{
	char *line, *save = NULL;

	fflush(t->log);
	if (t->verbose < 2)
		return;
	for (line = t->logbuf != NULL ? strtok_r(t->logbuf, "\n", &save) :
	    NULL; line != NULL; line = strtok_r(NULL, "\n", &save))
		report_line(&t->rep, "log: %s", line);
	if (t->childerr != NULL) {
		char buf[1024];

		rewind(t->childerr);
		while (fgets(buf, sizeof(buf), t->childerr) != NULL) {
			buf[strcspn(buf, "\n")] = '\0';
			report_line(&t->rep, "log: ProxyCommand: %s", buf);
		}
	}
}

/* Write the report in the chosen format. */
static void
tc_write(struct tc *t)
{
	tc_log_collect(t);
	switch (t->format) {
	case TC_JSON:
		report_write_json(&t->rep, stdout);
		break;
	case TC_PROMETHEUS:
		report_write_prometheus(&t->rep, "tunnelcheck", stdout);
		break;
	default:
		report_write_nagios(&t->rep, t->verbose, stdout);
	}
	fflush(stdout);
}

static void
tc_probe_done(const struct probe_result *r, void *arg)
{
	struct tc *t = arg;

	check_probe(&t->po, r, &t->check, &t->rep);
	t->done = 1;
	event_base_loopbreak(t->base);
}

/* --status: ask fwdpipe and judge its answer. */
static int
tc_run_status(struct tc *t)
{
	struct status_doc d;
	struct errmsg e;

	report_init(&t->rep, "TUNNEL", "status_socket", t->status_path);
	if (status_fetch(t->status_path, t->timeout, &d, &e) == -1) {
		/* Nothing answers: fwdpipe is not running, the tunnel is
		 * down.  An answer that does not parse, or a socket that
		 * cannot be asked: the check cannot tell. */
		report_set(&t->rep, e.code == ETIMEDOUT ?
		    t->check.timeout_state : e.code == ENOENT ||
		    e.code == ECONNREFUSED || e.code == ECONNRESET ||
		    e.code == EPIPE ? REPORT_CRITICAL : REPORT_UNKNOWN, "%s",
		    e.text);
	} else {
		check_status(&d, time(NULL), &t->check, &t->rep);
		status_free(&d);
	}
	tc_write(t);
	return t->rep.state;
}

/* Probe the path and judge it. */
static int
tc_run_probe(struct tc *t)
{
	struct probe_opts *po = &t->po;

	po->host = t->host;
	po->port = t->port;
	po->timeout = t->timeout;
	po->hop = &t->hop;
	if (t->jump_spec != NULL) {
		t->jump.spec = t->jump_spec;
		t->jump.options = t->options;
		t->jump.noptions = t->noptions;
		t->jump.family = t->hop.family;
		po->jump = &t->jump;
		size_t off = strlen(t->via);

		snprintf(t->via + off, sizeof(t->via) - off, "%svia jump %s",
		    off > 0 ? ", " : "", t->jump_spec);
	}
	po->banner = t->ssh;
	po->kex = t->npins > 0;
	po->login = t->login;
	po->ssh = &t->so.o;
	po->send = t->have_send ? t->send : NULL;
	po->send_len = t->have_send ? (size_t)t->send_len : 0;
	po->expect = (const char *const *)t->expect;
	po->nexpect = t->nexpect;
	po->expect_all = t->expect_all;
	po->maxbytes = t->maxbytes > 0 ? t->maxbytes : TC_DEFAULT_MAXBYTES;
	po->expect_timeout = t->expect_timeout;
	t->check.via = t->via[0] != '\0' ? t->via : NULL;
	t->check.ssh_version = t->ssh_version;
	t->base = event_base_new();
	if (t->base == NULL) {
		report_set(&t->rep, REPORT_UNKNOWN, "cannot create an event "
		    "loop: %s", strerror(errno));
		tc_write(t);
		return REPORT_UNKNOWN;
	}
	t->probe = probe_start(t->base, po, tc_probe_done, t);
	event_base_dispatch(t->base);
	if (!t->done)
		report_set(&t->rep, REPORT_UNKNOWN, "the check ended without a "
		    "result");
	probe_free(t->probe);
	event_base_free(t->base);
	tc_write(t);
	return t->rep.state;
}

int
main(int argc, char **argv)
{
	static struct tc t;
	int rc;

	signal(SIGPIPE, SIG_IGN);
	t.timeout = TC_DEFAULT_TIMEOUT;
	t.check.timeout_state = REPORT_CRITICAL;
	t.check.refuse_state = REPORT_CRITICAL;
	t.check.mismatch_state = REPORT_WARNING;
	t.check.reconnect_window = TC_DEFAULT_WINDOW;
	if ((rc = tc_parse(&t, argc, argv)) != -1)
		return rc;
	tc_log_setup(&t);
	if (t.status_path != NULL) {
		rc = tc_run_status(&t);
	} else {
		char target[ENDPOINT_HOST_MAX + 16];

		snprintf(target, sizeof(target), strchr(t.host, ':') != NULL ?
		    "[%s]:%u" : "%s:%u", t.host, (unsigned)t.port);
		report_init(&t.rep, "TUNNEL", "target", target);
		if ((rc = tc_proxy_setup(&t)) == -1 && (!(t.login ||
		    t.npins > 0) || (rc = tc_ssh_setup(&t)) == -1))
			rc = tc_run_probe(&t);
	}
	report_free(&t.rep);
	sshopts_free(&t.so);
	if (t.have_cfg)
		sshconf_free(&t.cfg);
	proxy_cfg_clear(&t.proxy);
	for (size_t i = 0; i < t.nexpect; i++)
		free(t.expect[i]);
	for (size_t i = 0; i < t.nidentities; i++)
		free(t.identity_opts[i]);
	if (t.log != NULL)
		fclose(t.log);
	if (t.childerr != NULL)
		fclose(t.childerr);
	free(t.logbuf);
	return rc;
}
