/*
 * fakeproxy.c: a minimal or deliberately misbehaving HTTP CONNECT / SOCKS
 * proxy for hopkit's integration tests.
 * SPDX-License-Identifier: MIT
 *
 * fakeproxy -m MODE -P PORTFILE [-6] [-t TARGETPORT] [-a USER:PASS]
 *
 * Binds 127.0.0.1 (::1 with -6) on port 0, listens, and then writes the
 * port number to PORTFILE atomically (temp file + rename): the file's
 * appearance is the readiness signal.  Each connection is served by a
 * forked child; children die with the parent (PR_SET_PDEATHSIG).  Every
 * mode first reads the client's request (HTTP modes up to the blank line
 * "\r\n\r\n", SOCKS modes the protocol bytes) and logs it on stderr, one
 * line per request or header line, SOCKS bytes in hex.
 *
 * With -t TARGETPORT the relaying modes ignore the requested destination
 * (it is still logged) and connect to TARGETPORT on the listening address
 * (127.0.0.1, or ::1 with -6) instead.  -a USER:PASS are the credentials
 * the Digest modes accept (required by them).
 *
 * Modes (HTTP in fakehttp.c, SOCKS in fakesocks.c):
 *   http-garbage     answer "SSH-2.0-OpenSSH_9.2\r\n", close
 *   http-cut         answer "HTTP/1.1 200 Connection established\r\n"
 *                    "Proxy-Ag" (cut off mid-headers), close
 *   http-bigheaders  answer "HTTP/1.1 200 OK\r\n" and 20 KiB of
 *                    "X-Filler-N: ...\r\n" lines, never the blank line;
 *                    then hold the connection until the client closes
 *   http-slow        send "HTTP/1.1 200 Connection established\r\n\r\n"
 *                    one byte every 100 ms, then relay to the CONNECT
 *                    target (if it cannot be reached: hold the connection
 *                    until the client closes)
 *   http-stall       send "HTTP/1.1 200 Connection established\r\n" (no
 *                    blank line), then say nothing
 *   http-silent      read the request, then say nothing
 *   http-407         answer 407 with "Proxy-Authenticate: Basic
 *                    realm="fake"" and "Content-Length: 0", close
 *   http-407-silent  like http-407 for a request without
 *                    Proxy-Authorization; say nothing to one with it
 *   http-tunnel      a working CONNECT proxy: connect to the target, wait
 *                    up to 1 s for the target's first bytes, send the 200
 *                    reply and those bytes in ONE write(2), then relay both
 *                    ways with half-close (502 if the target is unreachable)
 *   http-digest-md5  Digest (RFC 7616) with qop="auth", algorithm=MD5: 407
 *                    with "Connection: close" and close, until a request
 *                    carries the right answer for -a (checked for real);
 *                    then 200 and relay
 *   http-digest-sha256  the same with algorithm=SHA-256, but the 407 keeps
 *                    the connection (a Content-Length body in two writes)
 *                    and the next request is read on it
 *   http-digest-both like http-digest-sha256, offering Basic, Digest MD5
 *                    and Digest SHA-256 (in that order); Basic is refused
 *   socks5-badver    read the greeting, answer "\x04\x00", close
 *   socks5-refused   greeting (selects no-auth, else user/password, which
 *                    it accepts), read the request, answer REP=5
 *                    (connection refused), close
 *   socks5-silent-greeting  read the greeting, then say nothing
 *   socks5-silent-login  select user/password (offered or not), read the
 *                    login, then say nothing
 *   socks5-silent-connect  as socks5-refused up to the request, then say
 *                    nothing
 *   socks4           a working SOCKS4/4a server (CONNECT only; 4a names
 *                    resolved with getaddrinfo): reply CD=0x5A, relay both
 *                    ways with half-close; 0x5B if the target fails
 *   socks4-reject    read the request, answer CD=0x5B, close
 *   socks4-silent    read the request, then say nothing
 *
 * "close" means: shutdown(SHUT_WR) at once, then read and drop what the
 * client still sends for up to 2 s before close(2), so that unread bytes
 * never turn the answer into a reset.  "say nothing" means: read and drop
 * what the client sends until it closes, never answering.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <openssl/rand.h>

#include "fakehttp.h"
#include "fakeproxy.h"
#include "fakesocks.h"
#include "listen.h"
#include "proxyio.h"

static const char *const modes[] = {
	"http-garbage", "http-cut", "http-bigheaders", "http-slow", "http-stall",
	"http-silent", "http-407", "http-407-silent", "http-tunnel",
	"http-digest-md5", "http-digest-sha256", "http-digest-both",
	"socks5-badver", "socks5-refused", "socks5-silent-greeting",
	"socks5-silent-login", "socks5-silent-connect",
	"socks4", "socks4-reject", "socks4-silent",
};

/* Print the usage on stderr and exit 2. */
static void __attribute__((noreturn))
usage(void)
{
	fputs("usage: fakeproxy -m MODE -P PORTFILE [-6] [-t TARGETPORT] [-a USER:PASS]\n"
	    "modes:", stderr);
	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
		fprintf(stderr, "%s%s", i % 5 == 0 ? "\n  " : " ", modes[i]);
	fputc('\n', stderr);
	exit(2);
}

/* Fill buf with n random bytes as 2n hex digits (NUL-terminated). */
static void
random_hex(char *buf, size_t n)
{
	unsigned char raw[32];

	if (n > sizeof raw || RAND_bytes(raw, (int)n) != 1)
		proxyio_die(0, "no random bytes");
	for (size_t i = 0; i < n; i++)
		snprintf(buf + 2 * i, 3, "%02x", raw[i]);
}

/* Parse argv into o; exit 2 on a usage error or an unknown mode. */
static void
parse_args(int argc, char **argv, struct fakeproxy_opts *o)
{
	char *end, *colon;
	size_t i;
	int c;

	memset(o, 0, sizeof *o);
	while ((c = getopt(argc, argv, "6a:m:P:t:")) != -1) {
		switch (c) {
		case '6': o->v6 = 1; break;
		case 'a':
			if ((colon = strchr(optarg, ':')) == NULL || colon == optarg)
				usage();
			*colon = '\0';
			o->user = optarg;
			o->pass = colon + 1;
			break;
		case 'm': o->mode = optarg; break;
		case 'P': o->portfile = optarg; break;
		case 't':
			o->tport = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || o->tport < 1 || o->tport > 65535)
				usage();
			break;
		default: usage();
		}
	}
	if (optind != argc || o->mode == NULL || o->portfile == NULL)
		usage();
	for (i = 0; i < sizeof modes / sizeof modes[0]; i++)
		if (strcmp(o->mode, modes[i]) == 0)
			break;
	if (i == sizeof modes / sizeof modes[0])
		usage();
	if (strncmp(o->mode, "http-digest-", 12) == 0 && o->user == NULL) {
		fputs("fakeproxy: the Digest modes need -a USER:PASS\n", stderr);
		usage();
	}
	/* One nonce for the whole run: a client that redials after the 407
	 * answers it on a new connection, served by another child. */
	random_hex(o->nonce, 16);
	random_hex(o->opaque, 8);
}

/* Serve one accepted connection in a child process, then exit. */
static void __attribute__((noreturn))
serve(int fd, const struct fakeproxy_opts *o)
{
	proxyio_say("%s: connection accepted", o->mode);
	if (strncmp(o->mode, "http-", 5) == 0)
		fakehttp_serve(fd, o);
	else if (strncmp(o->mode, "socks5-", 7) == 0)
		fakesocks_serve5(fd, o);
	else
		fakesocks_serve4(fd, o);
	_exit(0);
}

/* Listen on 127.0.0.1 (::1 with -6) and write the port file, or die. */
static int
start_listening(const struct fakeproxy_opts *o)
{
	const char *addr = o->v6 ? "::1" : "127.0.0.1";
	char err[8192];
	unsigned port;
	int lfd;

	lfd = listen_open(addr, o->v6 ? AF_INET6 : AF_INET, 128, err, sizeof err);
	if (lfd < 0)
		proxyio_die(0, "%s", err);
	if ((port = listen_port(lfd)) == 0)
		proxyio_die(1, "getsockname");
	if (listen_write_portfile(o->portfile, port, err, sizeof err) < 0)
		proxyio_die(0, "%s", err);
	proxyio_say("%s: listening on %s port %u", o->mode, addr, port);
	return lfd;
}

/* Accept connections and serve each in a child until killed. */
int
main(int argc, char **argv)
{
	struct fakeproxy_opts o;
	pid_t parent = getpid(), pid;
	int lfd, fd;

	parse_args(argc, argv, &o);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_IGN);	/* no zombies */
	lfd = start_listening(&o);
	for (;;) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0 && (errno == EINTR || errno == ECONNABORTED))
			continue;
		if (fd < 0)
			proxyio_die(1, "accept");
		if ((pid = fork()) < 0)
			proxyio_die(1, "fork");
		if (pid == 0) {
#ifdef __linux__
			prctl(PR_SET_PDEATHSIG, SIGTERM);
			if (getppid() != parent)
				_exit(1);
#endif
			close(lfd);
			serve(fd, &o);
		}
		close(fd);
	}
}
