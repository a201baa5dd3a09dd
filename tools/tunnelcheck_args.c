/*
 * tunnelcheck_args.c: tunnelcheck's command line: the option table (also
 * --help), each option's value, and what must go together.  A usage error
 * is one UNKNOWN line and the short usage, on stdout, as a plugin's.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "escape.h"
#include "range.h"
#include "tunnelcheck.h"

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
int
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
