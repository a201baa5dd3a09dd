/*
 * fwdspec.h: parse -L, -R and -D forward specifications as ssh(1) does.
 * SPDX-License-Identifier: MIT
 *
 * fwdpipe takes its forwards in OpenSSH's syntax, so a spec that works with
 * ssh works here and means the same thing:
 *
 *   -L [bind_address:]port:host:hostport
 *   -R [bind_address:]port:host:hostport
 *   -R [bind_address:]port			(remote dynamic, OpenSSH >= 7.6)
 *   -D [bind_address:]port
 *
 * Fields are split at ':' the way OpenSSH's parse_fwd_field() splits them:
 * a field in [brackets] is taken literally (so "[::1]:8080:[fe80::1]:22"
 * works, and so does "[db]"), a backslash outside brackets makes the next
 * byte literal, leading white space is skipped and one trailing ':' is
 * ignored.  Ports are numbers or TCP service names.  A bind address of ""
 * or "*" means all interfaces and "localhost" the loopback addresses of
 * both families.
 *
 * Where fwdpipe differs from ssh 9.2 (checked against `ssh -G`):
 *  - Listen port 0 is accepted for -L and -D too (the kernel picks a port;
 *    the caller reports it).  ssh refuses it; it allows 0 only for -R.
 *  - An empty connect host ("8080::22") and a host starting with '-' are
 *    refused; ssh passes them on to fail later.
 *  - A field containing '/' is a Unix-domain socket path to ssh; fwdpipe
 *    has no Unix socket forwarding and says so.  The exception is the old
 *    '/'-separated syntax for IPv6 without brackets, "[bind/]port/host/
 *    hostport" and "bind/port" (OpenSSH before 6.7): it is recognised when
 *    the whole spec splits at '/' into the right number of non-empty
 *    fields, with decimal ports where the ports go.  ssh 6.7 and later
 *    read such a spec as a socket path (or refuse it).
 *  - ${VAR} is expanded by ssh (from its environment); fwdpipe refuses it.
 *
 * The parser is pure: no I/O, no allocation, except that a port given as
 * a service name is looked up in the services database.
 */
#ifndef HOPKIT_FWDSPEC_H
#define HOPKIT_FWDSPEC_H

#include <stddef.h>
#include <stdint.h>

#include "endpoint.h"
#include "errmsg.h"

/* Longest spec accepted (after leading white space). */
#define FWDSPEC_MAX 1024

/* A buffer this size always holds fwdspec_format's output. */
#define FWDSPEC_FORMAT_MAX (2 * (ENDPOINT_HOST_MAX + 2) + 2 * 6 + 2)

/* Flags for fwdspec_parse. */
#define FWDSPEC_GATEWAY_PORTS 0x01	/* -g: -L/-D with no bind address
					 * listen on all interfaces (no
					 * effect on -R, as in ssh) */

enum fwdspec_kind {
	FWDSPEC_LOCAL,		/* -L: listen here, connect there */
	FWDSPEC_REMOTE,		/* -R: listen there, connect here */
	FWDSPEC_DYNAMIC,	/* -D: listen here, SOCKS picks the target */
	FWDSPEC_REMOTE_DYNAMIC,	/* -R port: listen there, SOCKS here */
};

struct fwdspec {
	enum fwdspec_kind kind;
	/*
	 * The address to listen on, as ssh treats it: "" for all
	 * interfaces, "localhost" for loopback, else a name or an address
	 * literal (no brackets).  For -R it is exactly the address to send
	 * in the tcpip-forward request, as ssh sends it: "localhost" when
	 * none was given (the server's GatewayPorts may still widen it), ""
	 * for "" or "*".
	 */
	char listen_host[ENDPOINT_HOST_MAX];
	int listen_any;		/* all interfaces ("" / "*", or -g) */
	int listen_loopback;	/* 127.0.0.1 and ::1 ("localhost", default) */
	int listen_default;	/* no bind address was given */
	uint16_t listen_port;	/* 0: the kernel or the server picks one */
	char connect_host[ENDPOINT_HOST_MAX];	/* "" for dynamic kinds */
	uint16_t connect_port;	/* 0 for dynamic kinds */
};

/*
 * Parse spec, the argument of -L (kind FWDSPEC_LOCAL), -R (FWDSPEC_REMOTE,
 * which becomes FWDSPEC_REMOTE_DYNAMIC for "[bind_address:]port") or -D
 * (FWDSPEC_DYNAMIC), with FWDSPEC_* flags.  Returns 0 and fills *fs, or
 * -1 with a one-line message naming the spec ("invalid -L forward
 * \"...\": ...") in e.
 */
int fwdspec_parse(const char *spec, enum fwdspec_kind kind, unsigned flags,
    struct fwdspec *fs, struct errmsg *e);

/* The option that gives a kind: "-L", "-R" (also remote dynamic), "-D". */
const char *fwdspec_option(enum fwdspec_kind kind);

/* A name for logs and status: "local", "remote", "dynamic",
 * "remote-dynamic". */
const char *fwdspec_kind_name(enum fwdspec_kind kind);

/*
 * Write fs in canonical form to buf (size len): the bind address always
 * given ("*" for all interfaces, "localhost" for loopback), IPv6 in
 * brackets, ports as numbers: "localhost:8080:db:5432", "*:1080",
 * "[::1]:0:[fe80::1%eth0]:22".  It parses back (same kind, any flags) to
 * the same forward.  Returns the length, or -1 (errno ENOBUFS) when it
 * does not fit; FWDSPEC_FORMAT_MAX always suffices.
 */
int fwdspec_format(const struct fwdspec *fs, char *buf, size_t len);

#endif
