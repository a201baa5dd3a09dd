/*
 * lib-fwdspec.c: unit tests for lib/fwdspec.c (-L, -R and -D specs).
 * SPDX-License-Identifier: MIT
 *
 * Every form is parsed and printed back in canonical form; every refusal
 * is checked to the byte.  The ssh_cases table holds what OpenSSH 9.2p1's
 * `ssh -F /dev/null -G -L|-R|-D SPEC h` printed for each spec (recorded
 * once, on Debian 12): its localforward/remoteforward/dynamicforward line
 * is read back here and compared field by field with fwdspec's result, and
 * its "Bad ... forwarding specification" must be a refusal here too.  The
 * few places where fwdpipe means to differ are in diff_cases, with ssh's
 * line beside them.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic.h"
#include "fwdspec.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The kind an option letter asks for. */
static enum fwdspec_kind
kind_of(const char *opt)
{
	switch (opt[1]) {
	case 'L':
		return FWDSPEC_LOCAL;
	case 'R':
		return FWDSPEC_REMOTE;
	default:
		return FWDSPEC_DYNAMIC;
	}
}

struct ok_case {
	const char *opt;
	unsigned flags;
	const char *in;
	const char *kind;	/* fwdspec_kind_name of the result */
	const char *canon;	/* fwdspec_format of the result */
	const char *listen_host;
	int any, loopback, dflt;
};

#define G FWDSPEC_GATEWAY_PORTS

static const struct ok_case ok_cases[] = {
	/* -L */
	{ "-L", 0, "8080:db:5432", "local", "localhost:8080:db:5432",
	  "localhost", 0, 1, 1 },
	{ "-L", 0, "127.0.0.1:8080:db:5432", "local",
	  "127.0.0.1:8080:db:5432", "127.0.0.1", 0, 0, 0 },
	{ "-L", 0, "*:8080:db:5432", "local", "*:8080:db:5432", "", 1, 0, 0 },
	{ "-L", 0, ":8080:db:5432", "local", "*:8080:db:5432", "", 1, 0, 0 },
	{ "-L", 0, "localhost:8080:db:5432", "local", "localhost:8080:db:5432",
	  "localhost", 0, 1, 0 },
	{ "-L", 0, "[::1]:8080:[fe80::1]:22", "local",
	  "[::1]:8080:[fe80::1]:22", "::1", 0, 0, 0 },
	{ "-L", 0, "[fe80::1%eth0]:8080:[fe80::2%eth0]:22", "local",
	  "[fe80::1%eth0]:8080:[fe80::2%eth0]:22", "fe80::1%eth0", 0, 0, 0 },
	{ "-L", 0, "8080:[2001:db8::5]:443", "local",
	  "localhost:8080:[2001:db8::5]:443", "localhost", 0, 1, 1 },
	{ "-L", 0, "[*]:8080:db:22", "local", "*:8080:db:22", "", 1, 0, 0 },
	{ "-L", 0, "[]:8080:db:22", "local", "*:8080:db:22", "", 1, 0, 0 },
	{ "-L", 0, "[localhost]:8080:[db]:22", "local", "localhost:8080:db:22",
	  "localhost", 0, 1, 0 },
	{ "-L", 0, "gw.example:8080:db.example:22", "local",
	  "gw.example:8080:db.example:22", "gw.example", 0, 0, 0 },
	{ "-L", 0, "0.0.0.0:8080:10.0.0.5:22", "local",
	  "0.0.0.0:8080:10.0.0.5:22", "0.0.0.0", 0, 0, 0 },
	{ "-L", 0, "8080:db:ssh", "local", "localhost:8080:db:22",
	  "localhost", 0, 1, 1 },
	{ "-L", 0, "http:db:https", "local", "localhost:80:db:443",
	  "localhost", 0, 1, 1 },
	{ "-L", 0, "0:db:22", "local", "localhost:0:db:22", "localhost", 0, 1,
	  1 },
	{ "-L", 0, "1:db:65535", "local", "localhost:1:db:65535", "localhost",
	  0, 1, 1 },
	{ "-L", 0, "08080:db:022", "local", "localhost:8080:db:22",
	  "localhost", 0, 1, 1 },
	{ "-L", 0, " \t8080:db:22", "local", "localhost:8080:db:22",
	  "localhost", 0, 1, 1 },
	{ "-L", 0, "8080:db:22:", "local", "localhost:8080:db:22", "localhost",
	  0, 1, 1 },
	{ "-L", 0, "gw:8080:db:22:", "local", "gw:8080:db:22", "gw", 0, 0, 0 },
	{ "-L", 0, "8080:fe80\\:\\:1:22", "local",
	  "localhost:8080:[fe80::1]:22", "localhost", 0, 1, 1 },
	/* The '/' syntax of OpenSSH before 6.7. */
	{ "-L", 0, "8080/fe80::1/22", "local", "localhost:8080:[fe80::1]:22",
	  "localhost", 0, 1, 1 },
	{ "-L", 0, "::1/8080/fe80::1/22", "local",
	  "[::1]:8080:[fe80::1]:22", "::1", 0, 0, 0 },
	{ "-L", 0, "127.0.0.1/8080/db/22", "local", "127.0.0.1:8080:db:22",
	  "127.0.0.1", 0, 0, 0 },
	{ "-L", 0, "*/8080/2001:db8::1/443", "local",
	  "*:8080:[2001:db8::1]:443", "", 1, 0, 0 },

	/* -L with -g */
	{ "-L", G, "8080:db:22", "local", "*:8080:db:22", "", 1, 0, 1 },
	{ "-L", G, "localhost:8080:db:22", "local", "localhost:8080:db:22",
	  "localhost", 0, 1, 0 },
	{ "-L", G, "10.0.0.1:8080:db:22", "local", "10.0.0.1:8080:db:22",
	  "10.0.0.1", 0, 0, 0 },

	/* -R */
	{ "-R", 0, "8080:db:22", "remote", "localhost:8080:db:22",
	  "localhost", 0, 1, 1 },
	{ "-R", G, "8080:db:22", "remote", "localhost:8080:db:22",
	  "localhost", 0, 1, 1 },
	{ "-R", 0, "0:db:22", "remote", "localhost:0:db:22", "localhost", 0,
	  1, 1 },
	{ "-R", 0, "*:0:db:22", "remote", "*:0:db:22", "", 1, 0, 0 },
	{ "-R", 0, ":2222:localhost:22", "remote", "*:2222:localhost:22", "",
	  1, 0, 0 },
	{ "-R", 0, "[::1]:8080:[::2]:22", "remote", "[::1]:8080:[::2]:22",
	  "::1", 0, 0, 0 },
	{ "-R", 0, "8080/db/22", "remote", "localhost:8080:db:22",
	  "localhost", 0, 1, 1 },
	/* -R remote dynamic */
	{ "-R", 0, "8080", "remote-dynamic", "localhost:8080", "localhost", 0,
	  1, 1 },
	{ "-R", G, "8080", "remote-dynamic", "localhost:8080", "localhost", 0,
	  1, 1 },
	{ "-R", 0, "0", "remote-dynamic", "localhost:0", "localhost", 0, 1, 1 },
	{ "-R", 0, "*:8080", "remote-dynamic", "*:8080", "", 1, 0, 0 },
	{ "-R", 0, "[::1]:8080", "remote-dynamic", "[::1]:8080", "::1", 0, 0,
	  0 },
	{ "-R", 0, "fe80::1/8080", "remote-dynamic", "[fe80::1]:8080",
	  "fe80::1", 0, 0, 0 },

	/* -D */
	{ "-D", 0, "1080", "dynamic", "localhost:1080", "localhost", 0, 1, 1 },
	{ "-D", G, "1080", "dynamic", "*:1080", "", 1, 0, 1 },
	{ "-D", 0, "0", "dynamic", "localhost:0", "localhost", 0, 1, 1 },
	{ "-D", 0, "*:1080", "dynamic", "*:1080", "", 1, 0, 0 },
	{ "-D", 0, ":1080", "dynamic", "*:1080", "", 1, 0, 0 },
	{ "-D", 0, "localhost:1080", "dynamic", "localhost:1080", "localhost",
	  0, 1, 0 },
	{ "-D", 0, "[::1]:1080", "dynamic", "[::1]:1080", "::1", 0, 0, 0 },
	{ "-D", 0, "1080:", "dynamic", "localhost:1080", "localhost", 0, 1, 1 },
	{ "-D", 0, "socks", "dynamic", "localhost:1080", "localhost", 0, 1, 1 },
	{ "-D", 0, "127.0.0.1/1080", "dynamic", "127.0.0.1:1080", "127.0.0.1",
	  0, 0, 0 },
	{ "-D", 0, "::1/1080", "dynamic", "[::1]:1080", "::1", 0, 0, 0 },
};

struct bad_case {
	const char *opt;
	const char *in;
	const char *msg;
	int code;
};

static const struct bad_case bad_cases[] = {
	/* Missing parts */
	{ "-L", "", "invalid -L forward \"\": empty specification", EINVAL },
	{ "-L", " ", "invalid -L forward \" \": empty specification", EINVAL },
	{ "-L", "8080", "invalid -L forward \"8080\": "
	  "expected [bind_address:]port:host:hostport", EINVAL },
	{ "-L", "8080:db", "invalid -L forward \"8080:db\": "
	  "expected [bind_address:]port:host:hostport", EINVAL },
	{ "-L", "8080:db:", "invalid -L forward \"8080:db:\": "
	  "expected [bind_address:]port:host:hostport", EINVAL },
	{ "-L", ":db:22", "invalid -L forward \":db:22\": "
	  "missing listen port", EINVAL },
	{ "-L", "8080:db::", "invalid -L forward \"8080:db::\": "
	  "missing connect port", EINVAL },
	{ "-D", "", "invalid -D forward \"\": empty specification", EINVAL },
	{ "-D", ":", "invalid -D forward \":\": missing listen port", EINVAL },
	{ "-R", "", "invalid -R forward \"\": empty specification", EINVAL },
	/* Empty host */
	{ "-L", "8080::22", "invalid -L forward \"8080::22\": empty host",
	  EINVAL },
	{ "-L", "8080:[]:22", "invalid -L forward \"8080:[]:22\": empty host",
	  EINVAL },
	{ "-R", "gw:8080::22", "invalid -R forward \"gw:8080::22\": "
	  "empty host", EINVAL },
	/* Bad ports */
	{ "-L", "8080:db:0", "invalid -L forward \"8080:db:0\": "
	  "bad connect port \"0\": out of range 1-65535", ERANGE },
	{ "-L", "8080:db:65536", "invalid -L forward \"8080:db:65536\": "
	  "bad connect port \"65536\": out of range 1-65535", ERANGE },
	{ "-L", "99999:db:22", "invalid -L forward \"99999:db:22\": "
	  "bad listen port \"99999\": out of range 0-65535", ERANGE },
	{ "-L", "8080:db:99999999999999999999",
	  "invalid -L forward \"8080:db:99999999999999999999\": "
	  "bad connect port \"99999999999999999999\": out of range 1-65535",
	  ERANGE },
	{ "-L", "8080:db:22x", "invalid -L forward \"8080:db:22x\": "
	  "bad connect port \"22x\": not a number or known service", EINVAL },
	{ "-L", "8080:db:-22", "invalid -L forward \"8080:db:-22\": "
	  "bad connect port \"-22\": not a number or known service", EINVAL },
	{ "-L", "8080:db:+22", "invalid -L forward \"8080:db:+22\": "
	  "bad connect port \"+22\": not a number or known service", EINVAL },
	{ "-L", "8080:db:nosuchservice",
	  "invalid -L forward \"8080:db:nosuchservice\": "
	  "bad connect port \"nosuchservice\": not a number or known service",
	  EINVAL },
	{ "-L", "x y:db:22", "invalid -L forward \"x y:db:22\": "
	  "bad listen port \"x y\": not a number or known service", EINVAL },
	{ "-D", "65536", "invalid -D forward \"65536\": "
	  "bad listen port \"65536\": out of range 0-65535", ERANGE },
	{ "-R", "8080:db:0", "invalid -R forward \"8080:db:0\": "
	  "bad connect port \"0\": out of range 1-65535", ERANGE },
	{ "-R", "8080:db", "invalid -R forward \"8080:db\": "
	  "bad listen port \"db\": not a number or known service", EINVAL },
	/* Bad hosts */
	{ "-L", "8080:-oProxyCommand=x:22",
	  "invalid -L forward \"8080:-oProxyCommand=x:22\": "
	  "invalid host \"-oProxyCommand=x\": must not start with '-'", EINVAL },
	{ "-L", "8080:d b:22", "invalid -L forward \"8080:d b:22\": "
	  "invalid host \"d b\": bad character", EINVAL },
	{ "-L", "8080:db\\:x:22", "invalid -L forward \"8080:db\\\\:x:22\": "
	  "invalid host \"db:x\": not an IPv6 address", EINVAL },
	{ "-L", "x y:8080:db:22", "invalid -L forward \"x y:8080:db:22\": "
	  "bind address: invalid host \"x y\": bad character", EINVAL },
	{ "-D", "-x:1080", "invalid -D forward \"-x:1080\": "
	  "bind address: invalid host \"-x\": must not start with '-'", EINVAL },
	/* Brackets */
	{ "-L", "[::1:8080:db:22", "invalid -L forward \"[::1:8080:db:22\": "
	  "unbalanced brackets", EINVAL },
	{ "-L", "8080:[::1:22", "invalid -L forward \"8080:[::1:22\": "
	  "unbalanced brackets", EINVAL },
	{ "-L", "[::1]x:8080:db:22", "invalid -L forward \"[::1]x:8080:db:22\": "
	  "junk after ']'", EINVAL },
	{ "-L", "8080:[::1]22", "invalid -L forward \"8080:[::1]22\": "
	  "junk after ']'", EINVAL },
	{ "-D", "[::1]]:1080", "invalid -D forward \"[::1]]:1080\": "
	  "junk after ']'", EINVAL },
	{ "-L", "8080:db]:22", "invalid -L forward \"8080:db]:22\": "
	  "invalid host \"db]\": bad character", EINVAL },
	/* Too many colons */
	{ "-L", "a:b:c:d:e", "invalid -L forward \"a:b:c:d:e\": "
	  "too many ':'-separated fields (IPv6 addresses go in [brackets])",
	  EINVAL },
	{ "-L", "::1:8080:db:22", "invalid -L forward \"::1:8080:db:22\": "
	  "too many ':'-separated fields (IPv6 addresses go in [brackets])",
	  EINVAL },
	{ "-L", "8080:fe80::1:22", "invalid -L forward \"8080:fe80::1:22\": "
	  "too many ':'-separated fields (IPv6 addresses go in [brackets])",
	  EINVAL },
	{ "-R", "::1:8080", "invalid -R forward \"::1:8080\": "
	  "missing listen port", EINVAL },
	{ "-D", "::1:1080", "invalid -D forward \"::1:1080\": "
	  "too many ':'-separated fields, expected [bind_address:]port "
	  "(IPv6 addresses go in [brackets])", EINVAL },
	{ "-D", "h:1080:x", "invalid -D forward \"h:1080:x\": "
	  "too many ':'-separated fields, expected [bind_address:]port "
	  "(IPv6 addresses go in [brackets])", EINVAL },
	/* Trailing garbage */
	{ "-L", "8080:db:22 ", "invalid -L forward \"8080:db:22 \": "
	  "bad connect port \"22 \": not a number or known service", EINVAL },
	{ "-L", "8080:db:22::", "invalid -L forward \"8080:db:22::\": "
	  "bad listen port \"db\": not a number or known service", EINVAL },
	{ "-L", "8080:db:22\\", "invalid -L forward \"8080:db:22\\\\\": "
	  "trailing backslash", EINVAL },
	{ "-D", "1080x", "invalid -D forward \"1080x\": "
	  "bad listen port \"1080x\": not a number or known service", EINVAL },
	/* Unix-domain sockets */
	{ "-L", "/tmp/s:db:22", "invalid -L forward \"/tmp/s:db:22\": "
	  "Unix-domain socket forwarding is not supported", EAFNOSUPPORT },
	{ "-L", "8080:/run/db.sock", "invalid -L forward \"8080:/run/db.sock\": "
	  "Unix-domain socket forwarding is not supported", EAFNOSUPPORT },
	{ "-L", "[/tmp/s]:db:22", "invalid -L forward \"[/tmp/s]:db:22\": "
	  "Unix-domain socket forwarding is not supported", EAFNOSUPPORT },
	{ "-R", "/run/r.sock:/run/l.sock",
	  "invalid -R forward \"/run/r.sock:/run/l.sock\": "
	  "Unix-domain socket forwarding is not supported", EAFNOSUPPORT },
	{ "-R", "8080:db/x", "invalid -R forward \"8080:db/x\": "
	  "Unix-domain socket forwarding is not supported", EAFNOSUPPORT },
	{ "-D", "/tmp/socks", "invalid -D forward \"/tmp/socks\": "
	  "Unix-domain socket forwarding is not supported", EAFNOSUPPORT },
	{ "-L", "8080//22", "invalid -L forward \"8080//22\": "
	  "Unix-domain socket forwarding is not supported", EAFNOSUPPORT },
	{ "-L", "8080/db/ssh", "invalid -L forward \"8080/db/ssh\": "
	  "Unix-domain socket forwarding is not supported", EAFNOSUPPORT },
	/* The '/' syntax, once recognised, is checked like the other. */
	{ "-L", "8080/db/0", "invalid -L forward \"8080/db/0\": "
	  "bad connect port \"0\": out of range 1-65535", ERANGE },
	/* ${VAR} */
	{ "-L", "${HOME}:8080:db:22", "invalid -L forward \"${HOME}:8080:db:22\": "
	  "${VAR} expansion is not supported", EINVAL },
};

/* Check fs's fields against c. */
static void
check_ok(const struct ok_case *c)
{
	struct fwdspec fs, again;
	struct errmsg e;
	char buf[FWDSPEC_FORMAT_MAX];
	int rc;

	errmsg_clear(&e);
	rc = fwdspec_parse(c->in, kind_of(c->opt), c->flags, &fs, &e);
	if (!is_int(0, rc, "%s%s \"%s\" accepted", c->opt,
	    c->flags ? " -g" : "", c->in)) {
		diag("%s", e.text);
		return;
	}
	is_string(c->kind, fwdspec_kind_name(fs.kind), "%s \"%s\" kind",
	    c->opt, c->in);
	rc = fwdspec_format(&fs, buf, sizeof(buf));
	is_string(c->canon, rc > 0 ? buf : "(failed)", "%s \"%s\" canonical",
	    c->opt, c->in);
	is_int((long long)strlen(c->canon), rc, "%s \"%s\" format length",
	    c->opt, c->in);
	is_string(c->listen_host, fs.listen_host, "%s \"%s\" listen_host",
	    c->opt, c->in);
	ok(fs.listen_any == c->any && fs.listen_loopback == c->loopback &&
	    fs.listen_default == c->dflt, "%s \"%s\" any %d loopback %d "
	    "default %d", c->opt, c->in, c->any, c->loopback, c->dflt);

	/* The canonical form parses back to the same forward, -g or not. */
	rc = fwdspec_parse(buf, kind_of(c->opt), c->flags ^ G, &again, &e);
	ok(rc == 0 && again.kind == fs.kind && again.listen_any == fs.listen_any &&
	    again.listen_loopback == fs.listen_loopback &&
	    strcmp(again.listen_host, fs.listen_host) == 0 &&
	    again.listen_port == fs.listen_port &&
	    strcmp(again.connect_host, fs.connect_host) == 0 &&
	    again.connect_port == fs.connect_port && !again.listen_default,
	    "%s \"%s\" canonical form parses back", c->opt, c->in);
}

static void
check_bad(const struct bad_case *c)
{
	struct fwdspec fs;
	struct errmsg e;
	int rc;

	memset(&fs, 0xa5, sizeof(fs));
	errmsg_clear(&e);
	rc = fwdspec_parse(c->in, kind_of(c->opt), 0, &fs, &e);
	is_int(-1, rc, "%s \"%s\" refused", c->opt, c->in);
	is_string(c->msg, e.text, "%s \"%s\" message", c->opt, c->in);
	is_int(c->code, e.code, "%s \"%s\" errno", c->opt, c->in);
	ok(fs.listen_host[0] == '\0' && fs.listen_port == 0 &&
	    fs.connect_host[0] == '\0', "%s \"%s\" leaves *fs cleared", c->opt,
	    c->in);
}

struct ssh_case {
	const char *opt;
	const char *in;
	const char *ssh;	/* what `ssh -G` printed */
};

/* Recorded from OpenSSH_9.2p1 Debian-2+deb12u10, `ssh -F /dev/null -G`. */
static const struct ssh_case ssh_cases[] = {
	{ "-L", "8080:db:5432",
	  "localforward 8080 [db]:5432" },
	{ "-L", "127.0.0.1:8080:db:5432",
	  "localforward [127.0.0.1]:8080 [db]:5432" },
	{ "-L", "*:8080:db:5432",
	  "localforward [*]:8080 [db]:5432" },
	{ "-L", ":8080:db:5432",
	  "localforward []:8080 [db]:5432" },
	{ "-L", "localhost:8080:db:5432",
	  "localforward [localhost]:8080 [db]:5432" },
	{ "-L", "[::1]:8080:[fe80::1]:22",
	  "localforward [::1]:8080 [fe80::1]:22" },
	{ "-L", "8080:[2001:db8::5]:443",
	  "localforward 8080 [2001:db8::5]:443" },
	{ "-L", "[*]:8080:db:22",
	  "localforward [*]:8080 [db]:22" },
	{ "-L", "[]:8080:db:22",
	  "localforward []:8080 [db]:22" },
	{ "-L", "[localhost]:8080:[db]:22",
	  "localforward [localhost]:8080 [db]:22" },
	{ "-L", "8080:db:ssh",
	  "localforward 8080 [db]:22" },
	{ "-L", "http:db:22",
	  "localforward 80 [db]:22" },
	{ "-L", " 8080:db:22",
	  "localforward 8080 [db]:22" },
	{ "-L", "8080:db:22:",
	  "localforward 8080 [db]:22" },
	{ "-L", "gw.example:8080:db:22:",
	  "localforward [gw.example]:8080 [db]:22" },
	{ "-L", "8080:fe80\\:\\:1:22",
	  "localforward 8080 [fe80::1]:22" },
	{ "-L", "8080:db:0",
	  "Bad local forwarding specification '8080:db:0'" },
	{ "-L", "8080:db",
	  "Bad local forwarding specification '8080:db'" },
	{ "-L", "8080",
	  "Bad local forwarding specification '8080'" },
	{ "-L", "a:b:c:d:e",
	  "Bad local forwarding specification 'a:b:c:d:e'" },
	{ "-L", "8080:db:22x",
	  "Bad local forwarding specification '8080:db:22x'" },
	{ "-L", "[::1:8080:db:22",
	  "Bad local forwarding specification '[::1:8080:db:22'" },
	{ "-L", "::1:8080:db:22",
	  "Bad local forwarding specification '::1:8080:db:22'" },
	{ "-L", "[::1]x:8080:db:22",
	  "Bad local forwarding specification '[::1]x:8080:db:22'" },
	{ "-L", "8080:db:65536",
	  "Bad local forwarding specification '8080:db:65536'" },
	{ "-L", "8080:db:22\\",
	  "Bad local forwarding specification '8080:db:22\\'" },
	{ "-L", "99999:db:22",
	  "Bad local forwarding specification '99999:db:22'" },
	{ "-L", "8080:db:nosuchservice",
	  "Bad local forwarding specification '8080:db:nosuchservice'" },
	{ "-L", "",
	  "Bad local forwarding specification ''" },
	{ "-R", "8080:db:22",
	  "remoteforward 8080 [db]:22" },
	{ "-R", "0:db:22",
	  "remoteforward 0 [db]:22" },
	{ "-R", "*:0:db:22",
	  "remoteforward [*]:0 [db]:22" },
	{ "-R", ":2222:localhost:22",
	  "remoteforward []:2222 [localhost]:22" },
	{ "-R", "[::1]:8080:[::2]:22",
	  "remoteforward [::1]:8080 [::2]:22" },
	{ "-R", "8080",
	  "remoteforward 8080 [socks]:0" },
	{ "-R", "0",
	  "remoteforward 0 [socks]:0" },
	{ "-R", "*:8080",
	  "remoteforward [*]:8080 [socks]:0" },
	{ "-R", "localhost:8080",
	  "remoteforward [localhost]:8080 [socks]:0" },
	{ "-R", ":8080",
	  "remoteforward []:8080 [socks]:0" },
	{ "-R", "[::1]:8080",
	  "remoteforward [::1]:8080 [socks]:0" },
	{ "-R", "x:8080:db:22:",
	  "remoteforward [x]:8080 [db]:22" },
	{ "-R", "::1:8080",
	  "Bad remote forwarding specification '::1:8080'" },
	{ "-R", "8080:db",
	  "Bad remote forwarding specification '8080:db'" },
	{ "-R", "8080:db:0",
	  "Bad remote forwarding specification '8080:db:0'" },
	{ "-D", "1080",
	  "dynamicforward 1080" },
	{ "-D", "*:1080",
	  "dynamicforward [*]:1080" },
	{ "-D", ":1080",
	  "dynamicforward []:1080" },
	{ "-D", "localhost:1080",
	  "dynamicforward [localhost]:1080" },
	{ "-D", "127.0.0.1:1080",
	  "dynamicforward [127.0.0.1]:1080" },
	{ "-D", "[::1]:1080",
	  "dynamicforward [::1]:1080" },
	{ "-D", "1080:",
	  "dynamicforward 1080" },
	{ "-D", "socks",
	  "dynamicforward 1080" },
	{ "-D", "::1:1080",
	  "Bad dynamic forwarding specification '::1:1080'" },
	{ "-D", "h:1080:x",
	  "Bad dynamic forwarding specification 'h:1080:x'" },
	{ "-D", "65536",
	  "Bad dynamic forwarding specification '65536'" },
	{ "-D", ":",
	  "Bad dynamic forwarding specification ':'" },
	{ "-D", "",
	  "Bad dynamic forwarding specification ''" },
};

/*
 * Where fwdpipe means to differ from ssh 9.2 (see fwdspec.h): ssh's line,
 * and fwdspec's canonical form, or NULL for a refusal.
 */
static const struct diff_case {
	const char *opt;
	const char *in;
	const char *ssh;
	const char *ours;
} diff_cases[] = {
	{ "-L", "0:db:22",
	  "Bad local forwarding specification '0:db:22'", "localhost:0:db:22" },
	{ "-D", "0",
	  "Bad dynamic forwarding specification '0'", "localhost:0" },
	{ "-L", "8080::22",
	  "localforward 8080 []:22", NULL },
	{ "-L", "8080:-x:22",
	  "localforward 8080 [-x]:22", NULL },
	{ "-L", "8080:d b:22",
	  "localforward 8080 [d b]:22", NULL },
	{ "-L", "/tmp/s:db:22",
	  "localforward /tmp/s [db]:22", NULL },
	{ "-L", "8080:/run/db.sock",
	  "localforward 8080 /run/db.sock", NULL },
	{ "-L", "8080/fe80::1/22",
	  "Bad local forwarding specification '8080/fe80::1/22'",
	  "localhost:8080:[fe80::1]:22" },
	{ "-R", "8080/db/22",
	  "remoteforward 8080/db/22 [socks]:0", "localhost:8080:db:22" },
	{ "-D", "127.0.0.1/1080",
	  "dynamicforward 127.0.0.1/1080", "127.0.0.1:1080" },
	{ "-L", "${HOME}:8080:db:22",
	  "localforward [/root]:8080 [db]:22", NULL },
};

/*
 * Split "[host]:port" (or "port") from ssh -G into host (NULL when there
 * was none) and port; returns 0 or -1.
 */
static int
ssh_endpoint(const char *tok, char *host, size_t hlen, const char **hp,
    unsigned *port)
{
	const char *close;

	*hp = NULL;
	if (tok[0] == '[') {
		close = strstr(tok, "]:");
		if (close == NULL || (size_t)(close - tok) > hlen)
			return -1;
		memcpy(host, tok + 1, (size_t)(close - tok - 1));
		host[close - tok - 1] = '\0';
		*hp = host;
		tok = close + 2;
	}
	*port = (unsigned)strtoul(tok, NULL, 10);
	return 0;
}

/* Compare fwdspec's reading of one spec with ssh's line. */
static void
check_ssh(const struct ssh_case *c)
{
	char line[300], lhost[300], chost[300];
	const char *lh, *ch, *kw, *ltok, *ctok;
	unsigned lport, cport;
	struct fwdspec fs;
	struct errmsg e;
	int rc, remote_dyn;

	rc = fwdspec_parse(c->in, kind_of(c->opt), 0, &fs, &e);
	if (strncmp(c->ssh, "Bad ", 4) == 0) {
		is_int(-1, rc, "ssh %s \"%s\": refused by both", c->opt, c->in);
		return;
	}
	if (!is_int(0, rc, "ssh %s \"%s\": accepted by both", c->opt, c->in)) {
		diag("%s", e.text);
		return;
	}
	snprintf(line, sizeof(line), "%s", c->ssh);
	kw = strtok(line, " ");
	ltok = strtok(NULL, " ");
	ctok = strtok(NULL, " ");
	if (kw == NULL || ltok == NULL ||
	    ssh_endpoint(ltok, lhost, sizeof(lhost), &lh, &lport) == -1)
		bail("bad ssh line %s", c->ssh);
	ch = NULL;
	cport = 0;
	if (ctok != NULL &&
	    ssh_endpoint(ctok, chost, sizeof(chost), &ch, &cport) == -1)
		bail("bad ssh line %s", c->ssh);
	remote_dyn = ch != NULL && strcmp(ch, "socks") == 0 && cport == 0;

	if (strcmp(kw, "localforward") == 0)
		is_string("local", fwdspec_kind_name(fs.kind), "ssh %s \"%s\": "
		    "kind", c->opt, c->in);
	else if (strcmp(kw, "dynamicforward") == 0)
		is_string("dynamic", fwdspec_kind_name(fs.kind), "ssh %s \"%s\": "
		    "kind", c->opt, c->in);
	else
		is_string(remote_dyn ? "remote-dynamic" : "remote",
		    fwdspec_kind_name(fs.kind), "ssh %s \"%s\": kind", c->opt,
		    c->in);
	is_int(lport, fs.listen_port, "ssh %s \"%s\": listen port", c->opt,
	    c->in);
	if (lh == NULL)
		ok(fs.listen_default, "ssh %s \"%s\": default bind address",
		    c->opt, c->in);
	else if (*lh == '\0' || strcmp(lh, "*") == 0)
		ok(fs.listen_any && !fs.listen_default &&
		    fs.listen_host[0] == '\0', "ssh %s \"%s\": all interfaces",
		    c->opt, c->in);
	else
		ok(strcmp(fs.listen_host, lh) == 0 && !fs.listen_default &&
		    fs.listen_loopback == (strcmp(lh, "localhost") == 0),
		    "ssh %s \"%s\": bind address %s", c->opt, c->in, lh);
	if (ch != NULL && !remote_dyn) {
		is_string(ch, fs.connect_host, "ssh %s \"%s\": connect host",
		    c->opt, c->in);
		is_int(cport, fs.connect_port, "ssh %s \"%s\": connect port",
		    c->opt, c->in);
	} else {
		ok(fs.connect_host[0] == '\0' && fs.connect_port == 0,
		    "ssh %s \"%s\": no connect part", c->opt, c->in);
	}
}

static void
check_diff(const struct diff_case *c)
{
	struct fwdspec fs;
	struct errmsg e;
	char buf[FWDSPEC_FORMAT_MAX];
	int rc;

	rc = fwdspec_parse(c->in, kind_of(c->opt), 0, &fs, &e);
	if (c->ours == NULL) {
		is_int(-1, rc, "differs from ssh (\"%s\"): %s \"%s\" refused",
		    c->ssh, c->opt, c->in);
		return;
	}
	if (rc == 0)
		fwdspec_format(&fs, buf, sizeof(buf));
	is_string(c->ours, rc == 0 ? buf : e.text, "differs from ssh "
	    "(\"%s\"): %s \"%s\"", c->ssh, c->opt, c->in);
}

/* The formatter's limits, and names. */
static void
test_format(void)
{
	struct fwdspec fs;
	struct errmsg e;
	char spec[FWDSPEC_MAX + 64], buf[FWDSPEC_FORMAT_MAX + 8], host[300];
	char want[ERRMSG_MAX];
	int rc;

	/* The longest canonical form fits FWDSPEC_FORMAT_MAX. */
	memset(host, 'a', 255);
	host[255] = '\0';
	snprintf(spec, sizeof(spec), "%s:65535:%s:65535", host, host);
	rc = fwdspec_parse(spec, FWDSPEC_LOCAL, 0, &fs, &e);
	is_int(0, rc, "255-byte bind and connect hosts accepted");
	rc = fwdspec_format(&fs, buf, FWDSPEC_FORMAT_MAX);
	is_int((long long)strlen(spec), rc, "longest form fits");
	ok(rc < FWDSPEC_FORMAT_MAX, "with its NUL");
	errno = 0;
	rc = fwdspec_format(&fs, buf, strlen(spec));
	is_int(-1, rc, "one byte short: refused");
	is_int(ENOBUFS, errno, "one byte short: ENOBUFS");
	rc = fwdspec_format(&fs, buf, 0);
	is_int(-1, rc, "no buffer: refused");
	rc = fwdspec_format(&fs, buf, strlen(spec) + 1);
	is_string(spec, buf, "exact buffer: written");

	memset(host, 'a', 256);
	host[256] = '\0';
	snprintf(spec, sizeof(spec), "8080:%s:22", host);
	rc = fwdspec_parse(spec, FWDSPEC_LOCAL, 0, &fs, &e);
	is_int(-1, rc, "256-byte host refused");
	snprintf(want, sizeof(want), "invalid -L forward \"8080:%.74s\": "
	    "host name too long (256 bytes)", host);
	is_string(want, e.text, "256-byte host message (spec cut at 79)");

	memset(spec, '1', FWDSPEC_MAX + 1);
	spec[FWDSPEC_MAX + 1] = '\0';
	rc = fwdspec_parse(spec, FWDSPEC_DYNAMIC, 0, &fs, &e);
	is_int(-1, rc, "spec over FWDSPEC_MAX refused");
	ok(strstr(e.text, ": specification too long (1025 bytes, at most "
	    "1024)") != NULL, "too long message");
	is_int(ENAMETOOLONG, e.code, "too long errno");

	rc = fwdspec_parse(NULL, FWDSPEC_DYNAMIC, 0, &fs, &e);
	is_string("invalid -D forward \"\": empty specification", e.text,
	    "NULL spec refused");
	rc = fwdspec_parse("1080", FWDSPEC_DYNAMIC, 0, &fs, NULL);
	is_int(0, rc, "e may be NULL on success");
	rc = fwdspec_parse("x", FWDSPEC_DYNAMIC, 0, &fs, NULL);
	is_int(-1, rc, "e may be NULL on failure");
	rc = fwdspec_parse("8080", FWDSPEC_REMOTE_DYNAMIC, 0, &fs, &e);
	ok(rc == 0 && fs.kind == FWDSPEC_REMOTE_DYNAMIC,
	    "FWDSPEC_REMOTE_DYNAMIC is taken as -R");
	rc = fwdspec_parse("8080:db:22", FWDSPEC_REMOTE_DYNAMIC, 0, &fs, &e);
	ok(rc == 0 && fs.kind == FWDSPEC_REMOTE, "and gives a remote forward");

	is_string("-L", fwdspec_option(FWDSPEC_LOCAL), "option -L");
	is_string("-R", fwdspec_option(FWDSPEC_REMOTE), "option -R");
	is_string("-R", fwdspec_option(FWDSPEC_REMOTE_DYNAMIC),
	    "option -R (dynamic)");
	is_string("-D", fwdspec_option(FWDSPEC_DYNAMIC), "option -D");
	is_string("remote-dynamic", fwdspec_kind_name(FWDSPEC_REMOTE_DYNAMIC),
	    "kind name remote-dynamic");
}

int
main(void)
{
	size_t i;

	plan_lazy();
	for (i = 0; i < N(ok_cases); i++)
		check_ok(&ok_cases[i]);
	for (i = 0; i < N(bad_cases); i++)
		check_bad(&bad_cases[i]);
	for (i = 0; i < N(ssh_cases); i++)
		check_ssh(&ssh_cases[i]);
	for (i = 0; i < N(diff_cases); i++)
		check_diff(&diff_cases[i]);
	test_format();
	return 0;
}
