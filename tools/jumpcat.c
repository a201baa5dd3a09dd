/*
 * jumpcat: connect standard input and output to HOST PORT.
 * SPDX-License-Identifier: MIT
 *
 * One hop: connect (directly with Happy Eyeballs, or through an HTTP
 * CONNECT or SOCKS proxy given by -x), then relay stdin->socket and
 * socket->stdout with half-close, until the remote side is done.  Made to
 * be ssh's ProxyCommand ("jumpcat %h %p"), or with --fdpass its
 * ProxyUseFdpass helper.  This file parses options and wires library calls
 * together; the work is done in lib/.
 *
 * Exit status: 0 success, 1 resolve/connect or relay failure, 2 usage
 * error, 3 the proxy refused (or refused the credentials), 4 a proxy
 * protocol error or a proxy that did not answer in time.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "dial.h"
#include "endpoint.h"
#include "cli.h"
#include "clock.h"
#include "hop.h"
#include "jump.h"
#include "proxy_cfg.h"
#include "errmsg.h"
#include "fdio.h"
#include "fdpass.h"
#include "log.h"
#include "relay.h"
#include "tls.h"

#define JUMPCAT_EXIT_OK 0
#define JUMPCAT_EXIT_FAIL 1
#define JUMPCAT_EXIT_USAGE 2
#define JUMPCAT_EXIT_REFUSED 3
#define JUMPCAT_EXIT_PROTOCOL 4
#define JUMPCAT_EXIT_HOSTKEY 5

#define JUMPCAT_MAX_SSH_OPTS 64	/* -o options passed to ssh -G */

enum { OPT_FDPASS = CLI_LONG_ONLY, OPT_PROXY_AUTH_FILE, OPT_PROXY_CACERT, OPT_TLS,
	OPT_SNI, OPT_CACERT, OPT_INSECURE, OPT_ALPN };

/* One table for getopt_long and --help. */
static const struct cli_option jumpcat_options[] = {
	{ NULL, no_argument, '4', NULL, "use IPv4 addresses only" },
	{ NULL, no_argument, '6', NULL, "use IPv6 addresses only" },
	{ NULL, required_argument, 'J', "[user@]host[:port][,...]",
	  "go through these SSH jump hosts (as ssh -J), in process" },
	{ NULL, required_argument, 'F', "file",
	  "-J: read this ssh_config file instead of ~/.ssh/config" },
	{ NULL, required_argument, 'o', "Key=Value",
	  "-J: an ssh_config option, as ssh -o (repeatable)" },
	{ NULL, required_argument, 'w', "secs",
	  "give up if the hop is not set up within secs seconds" },
	{ NULL, required_argument, 'x', "url",
	  "go through this proxy: http://, https://, socks4://, socks4a://,\n"
	  "                   socks5://, socks5h:// [user@]host[:port], or env" },
	{ "proxy-auth-file", required_argument, OPT_PROXY_AUTH_FILE, "file",
	  "read the proxy's user:password from file (mode 600)" },
	{ "proxy-cacert", required_argument, OPT_PROXY_CACERT, "file",
	  "https:// proxies: also trust the CAs in this PEM file" },
	{ "verbose", no_argument, 'v', NULL,
	  "more messages on stderr (repeat for more)" },
	{ "tls", no_argument, OPT_TLS, NULL,
	  "wrap the connection to host port in TLS (stunnel, sslh, haproxy)" },
	{ "sni", required_argument, OPT_SNI, "name",
	  "--tls: send and verify this name instead of host" },
	{ "cacert", required_argument, OPT_CACERT, "file",
	  "--tls: also trust the CAs in this PEM file" },
	{ "insecure", no_argument, OPT_INSECURE, NULL,
	  "--tls: do not verify the certificate (warns)" },
	{ "alpn", required_argument, OPT_ALPN, "list",
	  "--tls: offer these ALPN protocols (comma-separated)" },
	{ "fdpass", no_argument, OPT_FDPASS, NULL,
	  "pass the connected socket to ssh (ProxyUseFdpass yes) and exit" },
	{ "help", no_argument, 'h', NULL, "show this help and exit" },
	{ "version", no_argument, 'V', NULL, "show the version and exit" },
};
#define JUMPCAT_NOPTIONS (sizeof(jumpcat_options) / sizeof(jumpcat_options[0]))

struct jumpcat {
	struct event_base *base;
	struct hop_opts hop_opts;
	const char *proxy_arg;		/* -x */
	char *proxy_argv;		/* -x's string in argv, to mask */
	const char *auth_file;		/* --proxy-auth-file */
	struct proxy_cfg proxy;
	int fdpass;
	int verbose;
	char host[ENDPOINT_HOST_MAX];
	uint16_t port;
	struct hop *hop;
	struct jump_opts jump_opts;	/* -J, -F, -o */
	const char *ssh_opts[JUMPCAT_MAX_SSH_OPTS];
	struct jump *jump;
	int tls;			/* --tls */
	struct tls_opts tls_opts;
	struct tls_tunnel *tunnel;	/* --tls */
	struct tls_tunnel *proxy_tunnel;	/* an https:// proxy */
	double started;
	struct relay *relay;
	struct event *sigev[3];
	int exit_status;
};

static void jumpcat_connected(struct jumpcat *j, int fd,
    const unsigned char *early, size_t early_len);
static void jumpcat_drained(void *arg);

static void
jumpcat_usage(FILE *out)
{
	fprintf(out, "usage: jumpcat [-46v] [-w secs] [-x url] "
	    "[--proxy-auth-file file] [--proxy-cacert file]\n"
	    "               [--tls [--sni name] [--cacert file] [--insecure] "
	    "[--alpn list]] [--fdpass]\n"
	    "               [-J [user@]host[:port][,...] [-F file] [-o Key=Value]]\n"
	    "               host port\n");
}

static void
jumpcat_help(void)
{
	jumpcat_usage(stdout);
	printf("Connect standard input and output to host port "
	    "(ssh: ProxyCommand jumpcat %%h %%p).\n\n");
	cli_print_options(stdout, jumpcat_options, JUMPCAT_NOPTIONS);
	printf("\nEnvironment: JUMPCAT_PROXY_USER, JUMPCAT_PROXY_PASSWORD (proxy "
	    "credentials);\n  with -x env: https_proxy, HTTPS_PROXY, all_proxy, "
	    "ALL_PROXY, no_proxy, NO_PROXY.\n");
	printf("Exit status: 0 success, 1 resolve/connect failure, 2 usage error, "
	    "3 proxy refused\n  or rejected the credentials (or SSH "
	    "authentication failed), 4 proxy or SSH\n  protocol error or "
	    "timeout, 5 SSH host key not accepted.\n");
}

/* Print a usage error and the short usage; returns the usage exit code. */
static int __attribute__((format(printf, 1, 2)))
jumpcat_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "jumpcat: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	jumpcat_usage(stderr);
	fprintf(stderr, "Try 'jumpcat --help' for more information.\n");
	return JUMPCAT_EXIT_USAGE;
}

static int
jumpcat_parse_secs(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || v <= 0 ||
	    v > 86400 * 365)
		return -1;
	*out = v;
	return 0;
}

/*
 * Parse argv into j.  Returns -1 to go on, or an exit status (0 after
 * --help or --version, 2 after a usage error).
 */
static int
jumpcat_parse(struct jumpcat *j, int argc, char **argv)
{
	struct option longopts[JUMPCAT_NOPTIONS + 1];
	char shortopts[2 * JUMPCAT_NOPTIONS + 2];
	struct errmsg e;
	char errbuf[128];
	int c;

	cli_tables(jumpcat_options, JUMPCAT_NOPTIONS, longopts, shortopts);

	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case '4':
			j->hop_opts.family = AF_INET;
			break;
		case '6':
			j->hop_opts.family = AF_INET6;
			break;
		case 'x':
			if (j->proxy_arg != NULL)
				return jumpcat_usage_error("-x given twice: one hop "
				    "takes one proxy");
			j->proxy_arg = optarg;
			j->proxy_argv = optarg;
			break;
		case OPT_PROXY_AUTH_FILE:
			j->auth_file = optarg;
			break;
		case OPT_PROXY_CACERT:
			j->hop_opts.proxy_tls.cafile = optarg;
			break;
		case OPT_TLS:
			j->tls = 1;
			break;
		case OPT_SNI:
			j->tls_opts.sni = optarg;
			break;
		case OPT_CACERT:
			j->tls_opts.cafile = optarg;
			break;
		case OPT_INSECURE:
			j->tls_opts.insecure = 1;
			break;
		case OPT_ALPN:
			j->tls_opts.alpn = optarg;
			break;
		case 'w':
			if (jumpcat_parse_secs(optarg, &j->hop_opts.timeout) == -1)
				return jumpcat_usage_error(
				    "invalid -w \"%s\": expected seconds, more than 0 and at most 31536000",
				    optarg);
			break;
		case 'v':
			j->verbose++;
			break;
		case 'J':
			if (j->jump_opts.spec != NULL)
				return jumpcat_usage_error("-J given twice: list the "
				    "jump hosts in one -J, separated by commas");
			j->jump_opts.spec = optarg;
			break;
		case 'F':
			j->jump_opts.config = optarg;
			break;
		case 'o':
			if (j->jump_opts.noptions == JUMPCAT_MAX_SSH_OPTS)
				return jumpcat_usage_error("more than %d -o options",
				    JUMPCAT_MAX_SSH_OPTS);
			if (strchr(optarg, '=') == NULL && strchr(optarg, ' ') == NULL)
				return jumpcat_usage_error("invalid -o \"%s\": "
				    "expected Key=Value", optarg);
			j->ssh_opts[j->jump_opts.noptions++] = optarg;
			break;
		case OPT_FDPASS:
			j->fdpass = 1;
			break;
		case 'h':
			jumpcat_help();
			return JUMPCAT_EXIT_OK;
		case 'V':
			printf("jumpcat (hopkit) %s\n", PACKAGE_VERSION);
			return JUMPCAT_EXIT_OK;
		case ':':
			return jumpcat_usage_error("option %s needs an argument",
			    argv[optind - 1]);
		default:
			return jumpcat_usage_error("%s", cli_bad_option(
			    argv[optind - 1], optopt, longopts, errbuf, sizeof(errbuf)));
		}
	}
	if (argc - optind < 2)
		return jumpcat_usage_error(argc - optind == 0 ?
		    "missing host and port" : "missing port");
	if (argc - optind > 2)
		return jumpcat_usage_error("too many arguments");
	if (!j->tls && (j->tls_opts.sni != NULL || j->tls_opts.cafile != NULL ||
	    j->tls_opts.insecure || j->tls_opts.alpn != NULL))
		return jumpcat_usage_error("--sni, --cacert, --insecure and --alpn "
		    "need --tls");
	if (j->tls && j->fdpass)
		return jumpcat_usage_error("--fdpass cannot pass a TLS session to ssh");
	if (j->jump_opts.spec == NULL && (j->jump_opts.config != NULL ||
	    j->jump_opts.noptions > 0))
		return jumpcat_usage_error("-F and -o need -J");
	if (j->jump_opts.spec != NULL && j->fdpass)
		return jumpcat_usage_error("--fdpass cannot pass an SSH channel to "
		    "ssh; use ProxyJump instead");
	j->jump_opts.options = j->ssh_opts;
	if (endpoint_parse_host(argv[optind], j->host, sizeof(j->host), &e) == -1)
		return jumpcat_usage_error("%s", e.text);
	if (endpoint_port_lookup(argv[optind + 1], 0, &j->port, &e) == -1)
		return jumpcat_usage_error("%s", e.text);
	return -1;
}

/*
 * Settle the proxy and its credentials (lib/proxy_cfg.c decides; this only
 * reports).  Returns -1 to go on, or an exit status.  A password given in
 * -x's URL is masked in our argv at once, so that ps shows it no longer.
 */
static int
jumpcat_proxy_setup(struct jumpcat *j)
{
	struct errmsg e;
	char shown[ENDPOINT_HOST_MAX + 32];

	if (j->proxy_arg == NULL) {
		if (j->auth_file != NULL)
			log_warn("--proxy-auth-file without -x: no proxy to log in to");
		return -1;
	}
	if (proxy_cfg_load(&j->proxy, j->proxy_arg, j->host, j->port,
	    j->auth_file, proxy_env_getenv, NULL, &e) == -1) {
		log_error("%s", e.text);
		return JUMPCAT_EXIT_USAGE;
	}
	if (j->proxy.url_has_password && j->proxy_argv != NULL) {
		proxy_cfg_mask_argv(j->proxy_argv);
		log_warn("a password in -x is visible to other users in the process "
		    "list; use --proxy-auth-file or JUMPCAT_PROXY_PASSWORD");
	}
	if (j->proxy.use_proxy && j->proxy.pass_unused)
		log_warn("SOCKS4 has no passwords: only the user id is sent, and "
		    "the password from the %s is not used", j->proxy.cred.source);
	if (!j->proxy.use_proxy) {
		log_info("no proxy for %s (%s); connecting directly", j->host,
		    j->proxy.why);
		return -1;
	}
	if (j->proxy.url.scheme == PROXY_HTTPS && j->fdpass) {
		log_error("--fdpass cannot hand ssh a connection that runs inside "
		    "TLS to an https:// proxy");
		return JUMPCAT_EXIT_USAGE;
	}
	j->hop_opts.proxy = &j->proxy.url;
	/* With --fdpass, ssh reads the socket: tunnel bytes must stay in it. */
	j->hop_opts.peek = j->fdpass;
	if (j->proxy.have_cred) {
		j->hop_opts.user = j->proxy.cred.user;
		j->hop_opts.pass = j->proxy.cred.pass;
	}
	log_info("proxy %s (%s)%s%s", proxy_url_display(&j->proxy.url, shown,
	    sizeof(shown)), j->proxy.why, j->proxy.have_cred ? ", credentials from " : "",
	    j->proxy.have_cred ? j->proxy.cred.source : "");
	return -1;
}

static void
jumpcat_relay_done(struct relay *r, const struct relay_result *res, void *arg)
{
	struct jumpcat *j = arg;

	(void)r;
	log_debug("sent %llu bytes, received %llu bytes",
	    (unsigned long long)res->bytes[RELAY_AB],
	    (unsigned long long)res->bytes[RELAY_BA]);
	if (res->lingered)
		log_info("%s closed the connection; input not yet sent was dropped",
		    j->host);
	if (res->error != 0) {
		if (res->error_dir == RELAY_BA && res->error_on_write &&
		    res->error == EPIPE) {
			/* Our reader (ssh) went away: nothing left to do. */
			log_debug("stdout closed by reader");
		} else if ((res->error_dir == RELAY_AB && !res->error_on_write) ||
		    (res->error_dir == RELAY_BA && res->error_on_write)) {
			log_error("%s %s: %s", res->error_on_write ? "write to" :
			    "read from", res->error_on_write ? "stdout" : "stdin",
			    strerror(res->error));
			j->exit_status = JUMPCAT_EXIT_FAIL;
		} else {
			log_error("%s %s port %u: %s", res->error_on_write ?
			    "write to" : "read from", j->host, (unsigned)j->port,
			    strerror(res->error));
			j->exit_status = JUMPCAT_EXIT_FAIL;
		}
	}
	if (j->jump != NULL) {
		/* Our end of the channel's socket closes now; what is still
		 * in it must reach the server before the session goes. */
		relay_free(j->relay);
		j->relay = NULL;
		if (j->exit_status == 0 && tls_tunnel_error(j->tunnel) != NULL) {
			log_error("%s", tls_tunnel_error(j->tunnel)->text);
			j->exit_status = JUMPCAT_EXIT_PROTOCOL;
		}
		tls_tunnel_free(j->tunnel);	/* --tls: its socket is the
						   channel's */
		j->tunnel = NULL;
		jump_drain(j->jump, jumpcat_drained, j);
		return;
	}
	event_base_loopbreak(j->base);
}

/* -J: the channel delivered everything: done. */
static void
jumpcat_drained(void *arg)
{
	struct jumpcat *j = arg;

	event_base_loopbreak(j->base);
}

/* Write the tunnel bytes that came with the proxy's reply, before the relay
 * starts: they are the first bytes of the stream (an SSH banner, say). */
static int
jumpcat_write_early(const unsigned char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(STDOUT_FILENO, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			(void)fdio_ready(STDOUT_FILENO, POLLOUT, -1);
			continue;
		}
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Relay stdin and stdout to fd until the far side is done. */
static void
jumpcat_relay_start(struct jumpcat *j, int fd)
{
	struct relay_opts ro = { .flags = RELAY_F_B_EOF_ENDS };

	j->relay = relay_new(j->base, STDIN_FILENO, STDOUT_FILENO, fd, fd, &ro,
	    jumpcat_relay_done, j);
	if (j->relay == NULL) {
		log_error("cannot relay: %s", strerror(errno));
		close(fd);
		j->exit_status = JUMPCAT_EXIT_FAIL;
		event_base_loopbreak(j->base);
	}
}

static void
jumpcat_tls_done(int plain_fd, const struct errmsg *e, void *arg)
{
	struct jumpcat *j = arg;

	if (plain_fd == -1) {
		log_error("%s", e->text);
		j->exit_status = JUMPCAT_EXIT_PROTOCOL;
		event_base_loopbreak(j->base);
		return;
	}
	jumpcat_relay_start(j, plain_fd);
}

static void
jumpcat_hop_done(int fd, const unsigned char *early, size_t early_len,
    struct tls_tunnel *tunnel, const struct errmsg *e, enum hop_fail fail,
    void *arg)
{
	struct jumpcat *j = arg;

	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	char abuf[64];

	j->proxy_tunnel = tunnel;
	j->hop = NULL;
	if (fd == -1) {
		log_error("%s", e->text);
		j->exit_status = fail == HOP_FAIL_REFUSED ? JUMPCAT_EXIT_REFUSED :
		    fail == HOP_FAIL_PROTOCOL ? JUMPCAT_EXIT_PROTOCOL :
		    JUMPCAT_EXIT_FAIL;
		event_base_loopbreak(j->base);
		return;
	}
	if (getpeername(fd, (struct sockaddr *)&ss, &sslen) == -1)
		snprintf(abuf, sizeof(abuf), "?");
	else
		dial_ntop((struct sockaddr *)&ss, abuf, sizeof(abuf));
	if (j->hop_opts.proxy != NULL)
		log_info("connected to %s port %u through proxy %s [%s]", j->host,
		    (unsigned)j->port, j->hop_opts.proxy->host, abuf);
	else
		log_info("connected to %s [%s] port %u", j->host, abuf,
		    (unsigned)j->port);
	jumpcat_connected(j, fd, early, early_len);
}

/* The hop is up: hand the socket to ssh, start TLS, or relay. */
static void
jumpcat_connected(struct jumpcat *j, int fd, const unsigned char *early,
    size_t early_len)
{
	struct errmsg pe;

	if (early_len > 0)
		log_debug("%zu tunnel bytes came with the proxy's reply", early_len);
	if (j->fdpass) {
		/* ssh reads the socket itself: bytes already read from it
		 * cannot be handed over with it.  hop_opts.peek leaves them in
		 * the socket, so this is only a safety net. */
		if (early_len > 0) {
			log_error("--fdpass: the proxy sent %zu tunnel bytes with its "
			    "reply, which ssh would never see; run without --fdpass",
			    early_len);
			j->exit_status = JUMPCAT_EXIT_PROTOCOL;
		} else if (fdpass_send(STDOUT_FILENO, fd, &pe) == -1) {
			log_error("%s", pe.text);
			j->exit_status = JUMPCAT_EXIT_FAIL;
		}
		close(fd);
		event_base_loopbreak(j->base);
		return;
	}
	if (j->tls) {
		if (early_len > 0) {
			log_error("%s sent %zu bytes before TLS started", j->host,
			    early_len);
			close(fd);
			j->exit_status = JUMPCAT_EXIT_PROTOCOL;
			event_base_loopbreak(j->base);
			return;
		}
		if (j->tls_opts.insecure)
			log_warn("--insecure: the certificate of %s is not checked",
			    j->host);
		if (j->hop_opts.timeout > 0) {
			j->tls_opts.timeout = j->hop_opts.timeout -
			    (clock_now() - j->started);
			if (j->tls_opts.timeout <= 0)
				j->tls_opts.timeout = 0.001;
		}
		j->tunnel = tls_tunnel_start(j->base, fd, j->host, &j->tls_opts,
		    jumpcat_tls_done, j);
		return;
	}
	if (early_len > 0 && jumpcat_write_early(early, early_len) == -1) {
		log_debug("stdout closed by reader");
		close(fd);
		event_base_loopbreak(j->base);
		return;
	}
	jumpcat_relay_start(j, fd);
}

/* The SSH jump chain is up (fd carries the channel to host port), or
 * failed. */
static void
jumpcat_jump_done(int fd, const struct errmsg *e, enum jump_fail fail,
    void *arg)
{
	static const int exits[] = {
		[JUMP_FAIL_CONNECT] = JUMPCAT_EXIT_FAIL,
		[JUMP_FAIL_REFUSED] = JUMPCAT_EXIT_REFUSED,
		[JUMP_FAIL_PROTOCOL] = JUMPCAT_EXIT_PROTOCOL,
		[JUMP_FAIL_HOSTKEY] = JUMPCAT_EXIT_HOSTKEY,
		[JUMP_FAIL_CONFIG] = JUMPCAT_EXIT_USAGE,
	};
	struct jumpcat *j = arg;

	if (fd == -1) {
		log_error("%s", e->text);
		j->exit_status = exits[fail];
		event_base_loopbreak(j->base);
		return;
	}
	log_info("connected to %s port %u through %s (%s)", j->host,
	    (unsigned)j->port, j->jump_opts.spec, jump_algorithms(j->jump));
	jumpcat_connected(j, fd, NULL, 0);
}

/* A jump host's session died under an established relay. */
static void
jumpcat_jump_lost(const struct errmsg *e, void *arg)
{
	struct jumpcat *j = arg;

	log_error("%s", e->text);
	j->exit_status = JUMPCAT_EXIT_FAIL;
	event_base_loopbreak(j->base);
}

/* Start the hop from inside the loop, once the signal events are in place. */
static void
jumpcat_start(evutil_socket_t fd, short what, void *arg)
{
	struct jumpcat *j = arg;

	(void)fd;
	(void)what;
	j->started = clock_now();
	if (j->jump_opts.spec != NULL) {
		j->jump_opts.family = j->hop_opts.family;
		j->jump_opts.timeout = j->hop_opts.timeout;
		j->jump_opts.first = j->hop_opts.proxy != NULL ? &j->hop_opts :
		    NULL;
		j->jump = jump_start(j->base, j->host, j->port, &j->jump_opts,
		    jumpcat_jump_done, jumpcat_jump_lost, j);
		return;
	}
	j->hop = hop_start(j->base, j->host, j->port, &j->hop_opts,
	    jumpcat_hop_done, j);
}

/* SIGHUP (ssh's goodbye to its ProxyCommand), SIGINT, SIGTERM: clean up,
 * then die of the same signal so the parent sees why. */
static void
jumpcat_signal(evutil_socket_t sig, short what, void *arg)
{
	struct jumpcat *j = arg;

	(void)what;
	log_debug("caught signal %d", (int)sig);
	relay_free(j->relay);
	j->relay = NULL;
	signal((int)sig, SIG_DFL);
	raise((int)sig);
	_exit(128 + (int)sig);
}

int
main(int argc, char **argv)
{
	static const int sigs[3] = { SIGHUP, SIGINT, SIGTERM };
	struct jumpcat j;
	int rc, i;

	memset(&j, 0, sizeof(j));
	j.hop_opts.family = AF_UNSPEC;
	log_init(argv[0], 0, 0);
	if (fdio_sanitize_stdfds() == -1) {
		log_error("cannot open /dev/null: %s", strerror(errno));
		return JUMPCAT_EXIT_FAIL;
	}
	rc = jumpcat_parse(&j, argc, argv);
	if (rc >= 0)
		return rc;
	log_set_verbosity(j.verbose);
	if (j.jump_opts.spec != NULL) {
		/* The SSH send buffer allocates and frees ~200 KiB at the top
		 * of the heap all the time; glibc would give it back to the
		 * kernel (brk) thousands of times per GiB.  Keeping 4 MiB
		 * measured 15-20% faster through -J (512 MiB upload, 3 runs;
		 * bench/jumpcat-jump-throughput shows the CPU per GiB). */
		mallopt(M_TRIM_THRESHOLD, 4 * 1024 * 1024);
		mallopt(M_TOP_PAD, 1024 * 1024);
	}
	rc = jumpcat_proxy_setup(&j);
	if (rc >= 0)
		return rc;
	signal(SIGPIPE, SIG_IGN);

	j.base = event_base_new();
	if (j.base == NULL) {
		log_error("cannot start the event loop");
		return JUMPCAT_EXIT_FAIL;
	}
	for (i = 0; i < 3; i++) {
		j.sigev[i] = evsignal_new(j.base, sigs[i], jumpcat_signal, &j);
		if (j.sigev[i] == NULL || event_add(j.sigev[i], NULL) == -1) {
			log_error("cannot handle signals");
			return JUMPCAT_EXIT_FAIL;
		}
	}
	if (event_base_once(j.base, -1, EV_TIMEOUT, jumpcat_start, &j, NULL) == -1) {
		log_error("cannot start the event loop");
		return JUMPCAT_EXIT_FAIL;
	}
	event_base_dispatch(j.base);

	hop_cancel(j.hop);
	relay_free(j.relay);
	jump_free(j.jump);
	if (j.exit_status == 0 && tls_tunnel_error(j.tunnel) != NULL) {
		log_error("%s", tls_tunnel_error(j.tunnel)->text);
		j.exit_status = JUMPCAT_EXIT_PROTOCOL;
	}
	tls_tunnel_free(j.tunnel);
	tls_tunnel_free(j.proxy_tunnel);
	proxy_cfg_clear(&j.proxy);
	for (i = 0; i < 3; i++)
		event_free(j.sigev[i]);
	event_base_free(j.base);
	return j.exit_status;
}
