/*
 * fwdpipe: one SSH connection carrying local, remote and dynamic forwards
 * (-L/-R/-D, as ssh), kept up unattended: keepalive, reconnect, systemd
 * notify and a status socket.  Replaces "ssh -f -N" plus autossh.
 * SPDX-License-Identifier: MIT
 *
 * This file parses options, goes to the background for -f, and turns
 * signals into library calls; lib/fwd*.c does the work.
 *
 * Exit status: 0 stopped by SIGTERM or SIGINT, 1 a forward failed with
 * ExitOnForwardFailure=yes (or the first connection failed, with -f), 2
 * usage or configuration error, 3 authentication failed on the first
 * connection, 5 host key not accepted on the first connection.
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "cli.h"
#include "endpoint.h"
#include "errmsg.h"
#include "fdio.h"
#include "fwd.h"
#include "log.h"
#include "permit.h"

#define FWDPIPE_MAX_ARGS 256	/* -o, -i, -L/-R/-D, --permit-open, each */

enum { OPT_STATUS_SOCKET = CLI_LONG_ONLY, OPT_PERMIT_OPEN };

static const struct cli_option fwdpipe_options[] = {
	{ NULL, no_argument, '4', NULL, "use IPv4 only" },
	{ NULL, no_argument, '6', NULL, "use IPv6 only" },
	{ NULL, required_argument, 'L', "[bind:]port:host:hostport",
	  "local forward: listen here, connect there (repeatable)" },
	{ NULL, required_argument, 'R', "[bind:]port:host:hostport",
	  "remote forward: the server listens, connect here (repeatable;\n"
	  "                   port 0: the server picks one, printed)" },
	{ NULL, required_argument, 'D', "[bind:]port",
	  "dynamic forward: a local SOCKS4/4a/5 server (repeatable)" },
	{ NULL, no_argument, 'g', NULL,
	  "let other hosts connect to -L/-D ports with no bind address" },
	{ NULL, required_argument, 'F', "file",
	  "read this ssh_config file instead of ~/.ssh/config" },
	{ NULL, required_argument, 'o', "Key=Value",
	  "an ssh_config option, as ssh -o (repeatable)" },
	{ NULL, required_argument, 'i', "file",
	  "an identity (private key) file (repeatable)" },
	{ NULL, required_argument, 'J', "[user@]host[:port][,...]",
	  "reach the server through these SSH jump hosts" },
	{ NULL, required_argument, 'p', "port", "the server's port" },
	{ NULL, required_argument, 'l', "user", "the user to log in as" },
	{ NULL, no_argument, 'f', NULL,
	  "go to the background once every forward is set up" },
	{ NULL, no_argument, 'N', NULL, "no command (always so; for ssh's sake)" },
	{ NULL, no_argument, 'n', NULL, "accepted for ssh's sake; no effect" },
	{ NULL, no_argument, 'T', NULL, "accepted for ssh's sake; no effect" },
	{ "permit-open", required_argument, OPT_PERMIT_OPEN, "host:port",
	  "-L and -D may connect only there (repeatable; [v6addr]:port,\n"
	  "                   * for any host or port; as sshd's PermitOpen)" },
	{ "status-socket", required_argument, OPT_STATUS_SOCKET, "path",
	  "answer each connection to this Unix socket with a JSON status" },
	{ NULL, no_argument, 'v', NULL, "more messages (repeat for more)" },
	{ NULL, no_argument, 'y', NULL, "log to syslog instead of stderr" },
	{ "help", no_argument, 'h', NULL, "show this help and exit" },
	{ "version", no_argument, 'V', NULL, "show the version and exit" },
};
#define FWDPIPE_NOPTIONS (sizeof(fwdpipe_options) / sizeof(fwdpipe_options[0]))

struct fwdpipe {
	struct fwd_opts o;
	const char *options[FWDPIPE_MAX_ARGS];
	const char *identities[FWDPIPE_MAX_ARGS];
	struct fwd_arg args[FWDPIPE_MAX_ARGS];
	struct permit permits[FWDPIPE_MAX_ARGS];
	int verbose;
	int background;		/* -f */
	int syslog;		/* -y */
	int ready_fd;		/* -f: tells the waiting parent, or -1 */
	struct event_base *base;
	struct fwd *fwd;
	int exit_status;
};

static void
fwdpipe_usage(FILE *out)
{
	fprintf(out, "usage: fwdpipe [-46fgNnTvy] [-F file] [-o Key=Value] "
	    "[-i file] [-J jump] [-p port]\n"
	    "               [-l user] [-L spec]... [-R spec]... [-D spec]...\n"
	    "               [--permit-open host:port]... "
	    "[--status-socket path] [user@]host[:port]\n");
}

static void
fwdpipe_help(void)
{
	fwdpipe_usage(stdout);
	printf("Keep SSH forwards up: one connection, keepalive, reconnect, "
	    "systemd notify.\n\n");
	cli_print_options(stdout, fwdpipe_options, FWDPIPE_NOPTIONS);
	printf("\nSignals: TERM/INT stop (exit 0), HUP reconnects now, USR1 logs "
	    "the status.\n");
	printf("Exit status: 0 stopped, 1 a forward failed "
	    "(ExitOnForwardFailure) or -f's first\n  connection failed, 2 usage "
	    "or configuration error, 3 authentication failed,\n  5 host key not "
	    "accepted (3 and 5: on the first connection only).\n");
}

/* Print a usage error and the short usage; returns the usage status. */
static int __attribute__((format(printf, 1, 2)))
fwdpipe_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fwdpipe: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	fwdpipe_usage(stderr);
	fprintf(stderr, "Try 'fwdpipe --help' for more information.\n");
	return FWD_EXIT_USAGE;
}

/* Add a forward of kind from optarg. */
static int
fwdpipe_add_forward(struct fwdpipe *p, enum fwdspec_kind kind,
    const char *spec)
{
	struct fwdspec fs;
	struct errmsg e;

	if (p->o.nargs == FWDPIPE_MAX_ARGS)
		return fwdpipe_usage_error("more than %d forwards",
		    FWDPIPE_MAX_ARGS);
	/* Syntax now, so a typo is a usage error; fwd_start parses again
	 * once GatewayPorts is known. */
	if (fwdspec_parse(spec, kind, 0, &fs, &e) == -1)
		return fwdpipe_usage_error("%s %s: %s", fwdspec_option(kind),
		    spec, e.text);
	if (fs.kind == FWDSPEC_REMOTE_DYNAMIC)
		return fwdpipe_usage_error("-R %s: remote dynamic forwarding "
		    "is not supported", spec);
	p->args[p->o.nargs].kind = kind;
	p->args[p->o.nargs].spec = spec;
	p->o.nargs++;
	return -1;
}

/* Parse argv.  Returns -1 to go on, or an exit status. */
static int
fwdpipe_parse(struct fwdpipe *p, int argc, char **argv)
{
	struct option longopts[FWDPIPE_NOPTIONS + 1];
	char shortopts[2 * FWDPIPE_NOPTIONS + 2];
	char errbuf[128];
	struct errmsg e;
	uint16_t port;
	int c, rc;

	cli_tables(fwdpipe_options, FWDPIPE_NOPTIONS, longopts, shortopts);
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case '4':
			p->o.family = AF_INET;
			break;
		case '6':
			p->o.family = AF_INET6;
			break;
		case 'L':
		case 'R':
		case 'D':
			rc = fwdpipe_add_forward(p, c == 'L' ? FWDSPEC_LOCAL :
			    c == 'R' ? FWDSPEC_REMOTE : FWDSPEC_DYNAMIC, optarg);
			if (rc >= 0)
				return rc;
			break;
		case 'g':
			p->o.gateway_ports = 1;
			break;
		case 'F':
			p->o.config = optarg;
			break;
		case 'o':
			if (p->o.noptions == FWDPIPE_MAX_ARGS)
				return fwdpipe_usage_error("too many -o");
			p->options[p->o.noptions++] = optarg;
			break;
		case 'i':
			if (p->o.nidentities == FWDPIPE_MAX_ARGS)
				return fwdpipe_usage_error("too many -i");
			p->identities[p->o.nidentities++] = optarg;
			break;
		case 'J':
			p->o.jump = optarg;
			break;
		case 'p':
			if (endpoint_port_lookup(optarg, 0, &port, &e) == -1 ||
			    port == 0)
				return fwdpipe_usage_error("-p %s: not a port",
				    optarg);
			p->o.port = port;
			break;
		case 'l':
			if (*optarg == '\0')
				return fwdpipe_usage_error("-l: empty user");
			p->o.user = optarg;
			break;
		case 'f':
			p->background = 1;
			break;
		case 'N':
		case 'n':
		case 'T':
			break;
		case OPT_PERMIT_OPEN:
			if (p->o.npermits == FWDPIPE_MAX_ARGS)
				return fwdpipe_usage_error("more than %d "
				    "--permit-open", FWDPIPE_MAX_ARGS);
			if (permit_parse(optarg, &p->permits[p->o.npermits],
			    &e) == -1)
				return fwdpipe_usage_error("%s", e.text);
			p->o.npermits++;
			break;
		case OPT_STATUS_SOCKET:
			p->o.status_path = optarg;
			break;
		case 'v':
			p->verbose++;
			break;
		case 'y':
			p->syslog = 1;
			break;
		case 'h':
			fwdpipe_help();
			return FWD_EXIT_OK;
		case 'V':
			printf("fwdpipe (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
			return FWD_EXIT_OK;
		case ':':
			return fwdpipe_usage_error("option %s needs an argument",
			    argv[optind - 1]);
		default:
			return fwdpipe_usage_error("%s", cli_bad_option(
			    argv[optind - 1], optopt, longopts, errbuf,
			    sizeof(errbuf)));
		}
	}
	if (optind == argc)
		return fwdpipe_usage_error("no destination given");
	if (optind + 1 < argc)
		return fwdpipe_usage_error("one destination, and no command: "
		    "\"%s\" is one too many", argv[optind + 1]);
	if (p->o.nargs == 0)
		return fwdpipe_usage_error("no forwards given (-L, -R or -D)");
	p->o.dest = argv[optind];
	if (*p->o.dest == '\0' || *p->o.dest == '-')
		return fwdpipe_usage_error("bad destination \"%s\"", p->o.dest);
	p->o.options = p->options;
	p->o.identities = p->identities;
	p->o.permits = p->permits;
	p->o.args = p->args;
	p->o.first_fatal = p->background;
	return -1;
}

/*
 * -f: fork; the parent waits until the child says the forwards are up
 * (one byte 0) or that it must exit (one byte: its status), and exits
 * with that.  The child goes on in a new session.
 */
static int
fwdpipe_background(struct fwdpipe *p)
{
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) == -1) {
		log_error("pipe: %s", strerror(errno));
		return FWD_EXIT_FAIL;
	}
	pid = fork();
	if (pid == -1) {
		log_error("fork: %s", strerror(errno));
		return FWD_EXIT_FAIL;
	}
	if (pid > 0) {
		unsigned char st;
		ssize_t n;

		close(fds[1]);
		do
			n = read(fds[0], &st, 1);
		while (n == -1 && errno == EINTR);
		_exit(n == 1 ? st : FWD_EXIT_FAIL);
	}
	close(fds[0]);
	p->ready_fd = fds[1];
	(void)setsid();
	return -1;
}

/* Tell the waiting parent (-f) how the start went, once. */
static void
fwdpipe_tell_parent(struct fwdpipe *p, int status)
{
	unsigned char st = (unsigned char)status;
	int null;

	if (p->ready_fd == -1)
		return;
	(void)write(p->ready_fd, &st, 1);
	close(p->ready_fd);
	p->ready_fd = -1;
	/* Let go of the terminal's stdin and stdout, as ssh -f does. */
	if (status == 0 && (null = open("/dev/null", O_RDWR)) != -1) {
		(void)dup2(null, STDIN_FILENO);
		(void)dup2(null, STDOUT_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
}

/* The library's news: ready (-f may go), or time to exit. */
static void
fwdpipe_event(enum fwd_event ev, int status, void *arg)
{
	struct fwdpipe *p = arg;

	if (ev == FWD_EV_READY) {
		fwdpipe_tell_parent(p, 0);
		return;
	}
	p->exit_status = status;
	fwdpipe_tell_parent(p, status);
	event_base_loopbreak(p->base);
}

static void
fwdpipe_signal(evutil_socket_t sig, short what, void *arg)
{
	struct fwdpipe *p = arg;

	(void)what;
	switch (sig) {
	case SIGHUP:
		fwd_reconnect(p->fwd);
		break;
	case SIGUSR1:
		fwd_log_summary(p->fwd);
		break;
	default:
		log_info("stopping on signal %d", (int)sig);
		p->exit_status = FWD_EXIT_OK;
		event_base_loopbreak(p->base);
	}
}

/* Thousands of forwarded connections need as many descriptors. */
static void
fwdpipe_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int
main(int argc, char **argv)
{
	static const int sigs[] = { SIGHUP, SIGINT, SIGTERM, SIGUSR1 };
	struct event *sigev[sizeof(sigs) / sizeof(sigs[0])];
	struct fwdpipe p;
	struct errmsg e;
	int rc;

	memset(&p, 0, sizeof(p));
	p.ready_fd = -1;
	log_init(argv[0], 0, 0);
	if (fdio_sanitize_stdfds() == -1) {
		log_error("cannot open /dev/null: %s", strerror(errno));
		return FWD_EXIT_FAIL;
	}
	rc = fwdpipe_parse(&p, argc, argv);
	if (rc >= 0)
		return rc;
	log_init(argv[0], p.verbose, p.syslog ? LOG_F_SYSLOG | LOG_F_QUIET : 0);
	signal(SIGPIPE, SIG_IGN);
	fwdpipe_raise_nofile();
	/* As jumpcat -J: the SSH send buffer churns at the top of the heap. */
	mallopt(M_TRIM_THRESHOLD, 4 * 1024 * 1024);
	mallopt(M_TOP_PAD, 1024 * 1024);
	if (p.background && (rc = fwdpipe_background(&p)) >= 0)
		return rc;

	p.base = event_base_new();
	if (p.base == NULL) {
		log_error("cannot start the event loop");
		fwdpipe_tell_parent(&p, FWD_EXIT_FAIL);
		return FWD_EXIT_FAIL;
	}
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		sigev[i] = evsignal_new(p.base, sigs[i], fwdpipe_signal, &p);
		if (sigev[i] == NULL || event_add(sigev[i], NULL) == -1) {
			log_error("cannot handle signals");
			fwdpipe_tell_parent(&p, FWD_EXIT_FAIL);
			return FWD_EXIT_FAIL;
		}
	}
	p.fwd = fwd_start(p.base, &p.o, fwdpipe_event, &p, &e, &rc);
	if (p.fwd == NULL) {
		log_error("%s", e.text);
		fwdpipe_tell_parent(&p, rc);
		return rc;
	}
	event_base_dispatch(p.base);
	fwd_free(p.fwd);
	fwdpipe_tell_parent(&p, p.exit_status != 0 ? p.exit_status :
	    FWD_EXIT_FAIL);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		event_free(sigev[i]);
	event_base_free(p.base);
	return p.exit_status;
}
