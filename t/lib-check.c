/*
 * lib-check.c: unit tests for lib/check.c (judging a probe's result or
 * fwdpipe's status document as a Nagios state).
 * SPDX-License-Identifier: MIT
 *
 * The probe results and status documents are built by hand, so each rule
 * is checked alone: the OK summaries, how each failure maps to a state
 * (refused: --refuse-state, timeout: --timeout-state, ssh_config: UNKNOWN,
 * the rest CRITICAL), --ssh-version, --expect and --mismatch-state, the
 * per-phase and total thresholds (CRITICAL before WARNING), and for
 * --status: a session or forward not up, and the reconnects counted in
 * --reconnect-window against -w/-c (or all of them from an older fwdpipe
 * without "reconnect_times").  The Prometheus text of both kinds of report
 * goes through `promtool check metrics` when it is installed (its absence
 * fails the test when CI=true).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "basic.h"
#include "promtool.h"
#include "check.h"
#include "sshident.h"
#include "xmalloc.h"

#define OPENSSH "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3"
#define NOW ((time_t)1700000000)

/* The defaults tunnelcheck starts from. */
static void
opts_init(struct check_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->timeout_state = REPORT_CRITICAL;
	o->refuse_state = REPORT_CRITICAL;
	o->mismatch_state = REPORT_WARNING;
	o->reconnect_window = 3600;
}

/* A threshold: which is PROBE_TOTAL for -w/-c. */
static void
set_range(struct check_opts *o, int crit, enum probe_phase which,
    const char *text)
{
	struct errmsg e;

	if (range_parse(text, crit ? &o->crit[which] : &o->warn[which],
	    &e) == -1)
		bail("range %s: %s", text, e.text);
	if (crit)
		o->has_crit[which] = 1;
	else
		o->has_warn[which] = 1;
}

static void
popts_init(struct probe_opts *po)
{
	memset(po, 0, sizeof(*po));
	po->host = "127.0.0.1";
	po->port = 22;
	po->timeout = 10;
	po->maxbytes = 65536;
}

/* A TCP connect that worked: resolve, connect, total. */
static void
result_init(struct probe_result *r)
{
	memset(r, 0, sizeof(*r));
	for (int i = 0; i < PROBE_NPHASES; i++)
		r->phase[i] = -1;
	r->phase[PROBE_RESOLVE] = 0.0001;
	r->phase[PROBE_CONNECT] = 0.0012;
	r->phase[PROBE_TOTAL] = 0.0123;
}

/* And the SSH identification read. */
static void
result_ssh(struct probe_result *r)
{
	static const char line[] = OPENSSH "\r\n";
	struct errmsg e;

	if (sshident_parse(line, sizeof(line) - 1, 0, &r->ident, &e) != 1)
		bail("sshident_parse: %s", e.text);
	r->phase[PROBE_BANNER] = 0.0021;
}

static void
result_fail(struct probe_result *r, enum probe_fail f, enum probe_phase at,
    const char *text)
{
	r->fail = f;
	r->at = at;
	snprintf(r->err.text, sizeof(r->err.text), "%s", text);
}

/* Everything written to f, as a string to free. */
static char *
slurp(FILE *f)
{
	char *buf;
	long len;

	fflush(f);
	if (fseek(f, 0, SEEK_END) == -1 || (len = ftell(f)) < 0)
		sysbail("tmpfile");
	rewind(f);
	buf = xmalloc((size_t)len + 1);
	if (fread(buf, 1, (size_t)len, f) != (size_t)len)
		sysbail("fread");
	buf[len] = '\0';
	return buf;
}

/* The report written as format 'n' (Nagios, -v), or 'p' (Prometheus). */
static char *
written(const struct report *rep, int format)
{
	FILE *f = tmpfile();
	char *s;

	if (f == NULL)
		sysbail("tmpfile");
	if (format == 'p')
		report_write_prometheus(rep, "tunnelcheck", f);
	else
		report_write_nagios(rep, 1, f);
	s = slurp(f);
	fclose(f);
	return s;
}

/* The first line of the Nagios output. */
static char *
first_line(const struct report *rep)
{
	char *s = written(rep, 'n'), *nl = strchr(s, '\n');

	if (nl != NULL)
		*nl = '\0';
	return s;
}

/* Is there a long-output line equal to want? */
static int
has_line(const struct report *rep, const char *want)
{
	for (size_t i = 0; i < rep->nlines; i++)
		if (strcmp(rep->lines[i], want) == 0)
			return 1;
	return 0;
}

static const char *
fact(const struct report *rep, const char *key)
{
	for (size_t i = 0; i < rep->nfacts; i++)
		if (strcmp(rep->facts[i].key, key) == 0)
			return rep->facts[i].value;
	return "(none)";
}

/* Judge and check the state and the summary. */
static void
judge(const struct probe_opts *po, const struct probe_result *r,
    const struct check_opts *o, enum report_state st, const char *summary,
    const char *what)
{
	struct report rep;

	report_init(&rep, "TUNNEL", "target", "127.0.0.1:22");
	check_probe(po, r, o, &rep);
	is_string(report_state_name(st), report_state_name(rep.state),
	    "%s: state", what);
	if (summary != NULL)
		is_string(summary, rep.summary, "%s: summary", what);
	report_free(&rep);
}

static void
test_duration(void)
{
	static const struct {
		double secs;
		const char *want;
	} cases[] = {
		{ -5, "0s" }, { 0, "0s" }, { 42, "42s" }, { 59.9, "59s" },
		{ 60, "1m00s" }, { 303, "5m03s" }, { 3599, "59m59s" },
		{ 3600, "1h00m00s" }, { 3723, "1h02m03s" },
		{ 86399, "23h59m59s" }, { 86400, "1d00h00m" },
		{ 90061, "1d01h01m" }, { 864000 * 4, "40d00h00m" },
	};
	char buf[32];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_string(cases[i].want, check_duration(cases[i].secs, buf,
		    sizeof(buf)), "duration %g", cases[i].secs);
}

static void
test_probe_ok(void)
{
	struct probe_opts po;
	struct probe_result r;
	struct check_opts o;
	struct ssh_opts so;
	struct report rep;
	const char *exp[] = { "220" };
	char *s;

	popts_init(&po);
	opts_init(&o);
	result_init(&r);
	report_init(&rep, "TUNNEL", "target", "127.0.0.1:22");
	check_probe(&po, &r, &o, &rep);
	is_int(REPORT_OK, rep.state, "TCP: OK");
	s = written(&rep, 'n');
	is_string("TUNNEL OK - connected to 127.0.0.1 port 22 in 0.012 s | "
	    "'time_resolve'=0.000100s;;;0;10 'time_connect'=0.001200s;;;0;10 "
	    "'time_total'=0.012300s;;;0;10\n"
	    "target: 127.0.0.1 port 22\n"
	    "resolve  0.000100 s\n"
	    "connect  0.001200 s\n"
	    "total    0.012300 s\n", s, "TCP: the whole -v output");
	free(s);
	s = written(&rep, 'p');
	ok(strstr(s, "tunnelcheck_phase_seconds{target=\"127.0.0.1:22\","
	    "phase=\"connect\"} ") != NULL, "TCP: Prometheus phase connect");
	promtool_check(s, "a probe's report");
	free(s);
	report_free(&rep);

	o.via = "via proxy http://127.0.0.1:3128";
	report_init(&rep, "TUNNEL", "target", "127.0.0.1:22");
	check_probe(&po, &r, &o, &rep);
	is_string("connected to 127.0.0.1 port 22 via proxy "
	    "http://127.0.0.1:3128 in 0.012 s", rep.summary, "via a proxy");
	ok(has_line(&rep, "target: 127.0.0.1 port 22 via proxy "
	    "http://127.0.0.1:3128"), "via a proxy: the target line");
	report_free(&rep);

	/* --ssh */
	o.via = NULL;
	result_ssh(&r);
	report_init(&rep, "TUNNEL", "target", "127.0.0.1:22");
	check_probe(&po, &r, &o, &rep);
	is_int(REPORT_OK, rep.state, "--ssh: OK");
	is_string("127.0.0.1 port 22: " OPENSSH " in 0.012 s", rep.summary,
	    "--ssh: summary");
	ok(has_line(&rep, "identification: " OPENSSH),
	    "--ssh: identification line");
	ok(has_line(&rep, "banner   0.002100 s"), "--ssh: banner time");
	is_string(OPENSSH, fact(&rep, "banner"), "--ssh: fact banner");
	is_string("OpenSSH_9.2p1", fact(&rep, "ssh_software"),
	    "--ssh: fact ssh_software");
	s = first_line(&rep);
	ok(strstr(s, " 'time_banner'=0.002100s;;;0;10 ") != NULL,
	    "--ssh: banner perfdata");
	free(s);
	report_free(&rep);

	o.via = "via jump me@bastion:2222";
	judge(&po, &r, &o, REPORT_OK, "127.0.0.1 port 22 via jump "
	    "me@bastion:2222: " OPENSSH " in 0.012 s", "--ssh via a jump");
	o.via = NULL;

	/* --hostkey: pinned */
	memset(&so, 0, sizeof(so));
	so.n_hostkey_pins = 2;
	po.ssh = &so;
	po.banner = po.kex = 1;
	r.phase[PROBE_KEX] = 0.004;
	snprintf(r.hostkey, sizeof(r.hostkey), "ssh-ed25519 SHA256:"
	    "uDX0Fpv2wEg4uQP5B1kaLIEhmtC0mKxgyj6Gw4Ao5lo");
	snprintf(r.algorithms, sizeof(r.algorithms), "curve25519-sha256 "
	    "ssh-ed25519 aes128-ctr");
	report_init(&rep, "TUNNEL", "target", "127.0.0.1:22");
	check_probe(&po, &r, &o, &rep);
	is_int(REPORT_OK, rep.state, "--hostkey: OK");
	is_string("127.0.0.1 port 22: " OPENSSH ", host key SHA256:"
	    "uDX0Fpv2wEg4uQP5B1kaLIEhmtC0mKxgyj6Gw4Ao5lo pinned in 0.012 s",
	    rep.summary, "--hostkey: summary");
	is_string("ssh-ed25519 SHA256:uDX0Fpv2wEg4uQP5B1kaLIEhmtC0mKxgyj6Gw4"
	    "Ao5lo", fact(&rep, "hostkey"), "--hostkey: fact");
	ok(has_line(&rep, "algorithms: curve25519-sha256 ssh-ed25519 "
	    "aes128-ctr"), "--hostkey: algorithms line");
	report_free(&rep);

	/* --login, with known_hosts (no pin) */
	so.n_hostkey_pins = 0;
	po.login = 1;
	r.phase[PROBE_AUTH] = 0.006;
	r.user = "alice";
	report_init(&rep, "TUNNEL", "target", "127.0.0.1:22");
	check_probe(&po, &r, &o, &rep);
	is_int(REPORT_OK, rep.state, "--login: OK");
	is_string("127.0.0.1 port 22: " OPENSSH ", logged in as alice in "
	    "0.012 s", rep.summary, "--login: summary, no host key pinned");
	is_string("alice", fact(&rep, "user"), "--login: fact user");
	ok(has_line(&rep, "logged in as: alice"), "--login: line");
	s = first_line(&rep);
	ok(strstr(s, " 'time_kex'=0.004000s;;;0;10 'time_auth'=0.006000s;;;0;"
	    "10 'time_total'=") != NULL, "--login: kex and auth perfdata");
	free(s);
	report_free(&rep);

	/* --send/--expect, matched */
	popts_init(&po);
	po.port = 25;
	po.send = "QUIT\r\n";
	po.send_len = 6;
	po.expect = exp;
	po.nexpect = 1;
	result_init(&r);
	r.phase[PROBE_EXPECT] = 0.003;
	r.received = 16;
	snprintf(r.excerpt, sizeof(r.excerpt), "220 mail ESMTP  ");
	r.matched = 1;
	r.read_end = PROBE_READ_MATCHED;
	report_init(&rep, "TUNNEL", "target", "127.0.0.1:25");
	check_probe(&po, &r, &o, &rep);
	is_int(REPORT_OK, rep.state, "--expect matched: OK");
	is_string("connected to 127.0.0.1 port 25, answer matched in 0.012 s",
	    rep.summary, "--expect matched: summary");
	ok(has_line(&rep, "received 16 bytes: '220 mail ESMTP  '"),
	    "--expect: the received line");
	report_free(&rep);
}

static void
test_probe_fail(void)
{
	static const struct {
		enum probe_fail fail;
		enum probe_phase at;
		const char *text;
		enum report_state dflt, mapped;
	} cases[] = {
		{ PROBE_FAIL_CONNECT, PROBE_CONNECT, "connect to 127.0.0.1 "
		    "port 22: No route to host", REPORT_CRITICAL,
		    REPORT_CRITICAL },
		{ PROBE_FAIL_REFUSED, PROBE_CONNECT, "connect to 127.0.0.1 "
		    "port 1: Connection refused", REPORT_CRITICAL,
		    REPORT_WARNING },
		{ PROBE_FAIL_TIMEOUT, PROBE_CONNECT, "timed out after 1 s "
		    "waiting for connecting to 127.0.0.1 port 22",
		    REPORT_CRITICAL, REPORT_UNKNOWN },
		{ PROBE_FAIL_PROXY, PROBE_HOP, "proxy 127.0.0.1 port 3128: "
		    "HTTP/1.1 403 Forbidden", REPORT_CRITICAL,
		    REPORT_CRITICAL },
		{ PROBE_FAIL_NOT_SSH, PROBE_BANNER, "not an SSH server: it "
		    "sent 'hello' and closed the connection", REPORT_CRITICAL,
		    REPORT_CRITICAL },
		{ PROBE_FAIL_PROTOCOL, PROBE_KEX, "127.0.0.1: key exchange "
		    "failed", REPORT_CRITICAL, REPORT_CRITICAL },
		{ PROBE_FAIL_HOSTKEY, PROBE_KEX, "127.0.0.1: host key "
		    "ssh-ed25519 SHA256:a does not match the pinned SHA256:b",
		    REPORT_CRITICAL, REPORT_CRITICAL },
		{ PROBE_FAIL_AUTH, PROBE_AUTH, "127.0.0.1: authentication "
		    "failed for alice (publickey)", REPORT_CRITICAL,
		    REPORT_CRITICAL },
		{ PROBE_FAIL_CONFIG, PROBE_RESOLVE, "ssh_config /nonexistent: "
		    "No such file or directory", REPORT_UNKNOWN,
		    REPORT_UNKNOWN },
	};
	struct probe_opts po;
	struct probe_result r;
	struct check_opts o, mapped;
	struct report rep;
	char want[600], line[600];
	char *s;

	popts_init(&po);
	opts_init(&o);
	opts_init(&mapped);
	mapped.refuse_state = REPORT_WARNING;
	mapped.timeout_state = REPORT_UNKNOWN;
	mapped.mismatch_state = REPORT_CRITICAL;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		result_init(&r);
		r.phase[PROBE_CONNECT] = -1;
		r.phase[PROBE_TOTAL] = 1.0;
		result_fail(&r, cases[i].fail, cases[i].at, cases[i].text);
		judge(&po, &r, &o, cases[i].dflt, cases[i].text,
		    cases[i].text);
		judge(&po, &r, &mapped, cases[i].mapped, cases[i].text,
		    "mapped states");

		report_init(&rep, "TUNNEL", "target", "127.0.0.1:22");
		check_probe(&po, &r, &o, &rep);
		snprintf(line, sizeof(line), "failed in %s: %s",
		    probe_phase_name(cases[i].at), cases[i].text);
		ok(has_line(&rep, line), "the long output says where: %s",
		    line);
		s = first_line(&rep);
		snprintf(want, sizeof(want), "TUNNEL %s - %s | "
		    "'time_resolve'=0.000100s;;;0;10 'time_total'=1s;;;0;10",
		    report_state_name(cases[i].dflt), cases[i].text);
		is_string(want, s, "the first line, with the phases that ran");
		free(s);
		report_free(&rep);
	}

	/* --refuse-state ok */
	result_init(&r);
	result_fail(&r, PROBE_FAIL_REFUSED, PROBE_CONNECT, "connect to "
	    "127.0.0.1 port 1: Connection refused");
	mapped.refuse_state = REPORT_OK;
	judge(&po, &r, &mapped, REPORT_OK, "connect to 127.0.0.1 port 1: "
	    "Connection refused", "--refuse-state ok");

	/* With a path: the failure names it. */
	o.via = "via proxy socks5h://127.0.0.1:1080";
	judge(&po, &r, &o, REPORT_CRITICAL, "connect to 127.0.0.1 port 1: "
	    "Connection refused via proxy socks5h://127.0.0.1:1080",
	    "refused via a proxy");
	o.via = NULL;

	/* A failure is not judged against thresholds or the version. */
	result_init(&r);
	r.phase[PROBE_TOTAL] = 1.0;
	result_fail(&r, PROBE_FAIL_TIMEOUT, PROBE_CONNECT, "timed out after "
	    "1 s waiting for connecting to 127.0.0.1 port 22");
	opts_init(&mapped);
	mapped.timeout_state = REPORT_UNKNOWN;
	set_range(&mapped, 1, PROBE_TOTAL, "0.5");
	set_range(&mapped, 1, PROBE_RESOLVE, "0.00001");
	judge(&po, &r, &mapped, REPORT_UNKNOWN, "timed out after 1 s waiting "
	    "for connecting to 127.0.0.1 port 22",
	    "a timeout past -c: still --timeout-state");
	mapped.timeout_state = REPORT_CRITICAL;
	set_range(&mapped, 0, PROBE_TOTAL, "0.5");
	judge(&po, &r, &mapped, REPORT_CRITICAL, NULL,
	    "a timeout past -w: CRITICAL");
	result_fail(&r, PROBE_FAIL_NOT_SSH, PROBE_BANNER, "not an SSH server: "
	    "it closed the connection without a word");
	mapped.ssh_version = "OpenSSH_9.2p1";
	judge(&po, &r, &mapped, REPORT_CRITICAL, "not an SSH server: it "
	    "closed the connection without a word",
	    "not SSH with --ssh-version: the failure");

	/* A failed login names no user. */
	result_init(&r);
	result_ssh(&r);
	r.user = "alice";
	result_fail(&r, PROBE_FAIL_AUTH, PROBE_AUTH, "127.0.0.1: "
	    "authentication failed for alice (publickey)");
	report_init(&rep, "TUNNEL", "target", "127.0.0.1:22");
	check_probe(&po, &r, &o, &rep);
	ok(!has_line(&rep, "logged in as: alice"), "auth failed: no "
	    "'logged in as'");
	is_string("(none)", fact(&rep, "user"), "auth failed: no user fact");
	report_free(&rep);
}

static void
test_ssh_version(void)
{
	struct probe_opts po;
	struct probe_result r;
	struct check_opts o;

	popts_init(&po);
	po.banner = 1;
	opts_init(&o);
	result_init(&r);
	result_ssh(&r);
	o.ssh_version = "OpenSSH_9.2p1";
	judge(&po, &r, &o, REPORT_OK, "127.0.0.1 port 22: " OPENSSH " in "
	    "0.012 s", "--ssh-version matches");
	o.ssh_version = "OpenSSH_9.9";
	judge(&po, &r, &o, REPORT_CRITICAL, "127.0.0.1 port 22: " OPENSSH
	    " in 0.012 s: software version 'OpenSSH_9.2p1', expected "
	    "'OpenSSH_9.9'", "--ssh-version differs");
	o.ssh_version = "OpenSSH_9.2";
	judge(&po, &r, &o, REPORT_CRITICAL, NULL, "--ssh-version: a prefix "
	    "is not enough");
	o.ssh_version = "openssh_9.2p1";
	judge(&po, &r, &o, REPORT_CRITICAL, NULL, "--ssh-version: case "
	    "matters");
	o.ssh_version = "OpenSSH_9.2p1 Debian-2+deb12u3";
	judge(&po, &r, &o, REPORT_CRITICAL, NULL, "--ssh-version: the "
	    "comments are not part of it");
	/* A mismatch beats a warning threshold. */
	o.ssh_version = "OpenSSH_9.9";
	set_range(&o, 0, PROBE_TOTAL, "0.001");
	judge(&po, &r, &o, REPORT_CRITICAL, NULL, "--ssh-version differs, "
	    "-w exceeded: CRITICAL");
}

static void
test_expect(void)
{
	static const char *const exp[] = { "220", "ESMTP" };
	static const char *const crlf[] = { "\r\n" };
	struct probe_opts po;
	struct probe_result r;
	struct check_opts o;
	struct report rep;

	popts_init(&po);
	po.port = 25;
	po.send = "EHLO x\r\n";
	po.send_len = 8;
	po.expect = exp;
	po.nexpect = 2;
	opts_init(&o);
	result_init(&r);
	r.phase[PROBE_EXPECT] = 0.003;
	r.received = 5;
	snprintf(r.excerpt, sizeof(r.excerpt), "hello");
	r.read_end = PROBE_READ_EOF;
	judge(&po, &r, &o, REPORT_WARNING, "127.0.0.1 port 25: no '220' or "
	    "'ESMTP' in the answer: 5 bytes 'hello', then the server closed "
	    "the connection", "mismatch, EOF: WARNING by default");
	r.read_end = PROBE_READ_FULL;
	judge(&po, &r, &o, REPORT_WARNING, "127.0.0.1 port 25: no '220' or "
	    "'ESMTP' in the answer: 5 bytes 'hello', then stopped reading "
	    "(--maxbytes)", "mismatch, maxbytes");
	r.read_end = PROBE_READ_TIMEOUT;
	judge(&po, &r, &o, REPORT_WARNING, "127.0.0.1 port 25: no '220' or "
	    "'ESMTP' in the answer: 5 bytes 'hello', then nothing more in "
	    "time", "mismatch, time out");
	o.mismatch_state = REPORT_CRITICAL;
	judge(&po, &r, &o, REPORT_CRITICAL, NULL, "--mismatch-state critical");
	o.mismatch_state = REPORT_UNKNOWN;
	judge(&po, &r, &o, REPORT_UNKNOWN, NULL, "--mismatch-state unknown");
	o.mismatch_state = REPORT_OK;
	judge(&po, &r, &o, REPORT_OK, NULL, "--mismatch-state ok");
	o.mismatch_state = REPORT_WARNING;

	/* --expect-all: the missing ones are named. */
	po.expect_all = 1;
	r.matched = 1;
	r.read_end = PROBE_READ_EOF;
	judge(&po, &r, &o, REPORT_WARNING, "127.0.0.1 port 25: no 'ESMTP' in "
	    "the answer: 5 bytes 'hello', then the server closed the "
	    "connection", "--expect-all, one missing");
	r.matched = 0;
	judge(&po, &r, &o, REPORT_WARNING, "127.0.0.1 port 25: no '220' and "
	    "'ESMTP' in the answer: 5 bytes 'hello', then the server closed "
	    "the connection", "--expect-all, both missing");
	r.matched = 3;
	r.read_end = PROBE_READ_MATCHED;
	judge(&po, &r, &o, REPORT_OK, "connected to 127.0.0.1 port 25, "
	    "answer matched in 0.012 s", "--expect-all, both there");

	/* Control characters in what was expected stay on the line. */
	po.expect_all = 0;
	po.expect = crlf;
	po.nexpect = 1;
	r.matched = 0;
	r.read_end = PROBE_READ_TIMEOUT;
	r.received = 0;
	r.excerpt[0] = '\0';
	judge(&po, &r, &o, REPORT_WARNING, "127.0.0.1 port 25: no '\\x0d\\x0a' "
	    "in the answer: 0 bytes '', then nothing more in time",
	    "--expect '\\r\\n': escaped in the summary");

	/* The long output shows what was received on a mismatch too. */
	report_init(&rep, "TUNNEL", "target", "127.0.0.1:25");
	check_probe(&po, &r, &o, &rep);
	ok(has_line(&rep, "received 0 bytes: ''"), "the received line");
	report_free(&rep);

	/*
	 * A mismatch does not hide a critical time: check_tcp's rule (the
	 * mismatch state applies unless the time was already CRITICAL),
	 * and the worst state wins.
	 */
	po.expect = exp;
	po.nexpect = 2;
	r.read_end = PROBE_READ_EOF;
	set_range(&o, 1, PROBE_TOTAL, "0.01");
	judge(&po, &r, &o, REPORT_CRITICAL, NULL, "mismatch (WARNING) and "
	    "-c exceeded: CRITICAL");
	opts_init(&o);
	set_range(&o, 1, PROBE_EXPECT, "0.001");
	judge(&po, &r, &o, REPORT_CRITICAL, NULL, "mismatch (WARNING) and "
	    "--critical-expect exceeded: CRITICAL");
	opts_init(&o);
	set_range(&o, 0, PROBE_TOTAL, "0.01");
	judge(&po, &r, &o, REPORT_WARNING, NULL, "mismatch and -w exceeded: "
	    "WARNING");
}

static void
test_thresholds(void)
{
	struct probe_opts po;
	struct probe_result r;
	struct check_opts o;
	struct report rep;
	char *s;

	popts_init(&po);
	result_init(&r);
#define BASE "connected to 127.0.0.1 port 22 in 0.012 s"
	opts_init(&o);
	set_range(&o, 0, PROBE_TOTAL, "0.01");
	judge(&po, &r, &o, REPORT_WARNING, BASE "; total 0.012 s is outside "
	    "the warning range 0.01", "-w 0.01");
	opts_init(&o);
	set_range(&o, 0, PROBE_TOTAL, "@0:10");
	judge(&po, &r, &o, REPORT_WARNING, BASE "; total 0.012 s is inside "
	    "the warning range @0:10", "-w @0:10");
	opts_init(&o);
	set_range(&o, 1, PROBE_TOTAL, "0.01");
	judge(&po, &r, &o, REPORT_CRITICAL, BASE "; total 0.012 s is outside "
	    "the critical range 0.01", "-c 0.01");
	opts_init(&o);
	set_range(&o, 0, PROBE_TOTAL, "0.01");
	set_range(&o, 1, PROBE_TOTAL, "0.02");
	judge(&po, &r, &o, REPORT_WARNING, NULL, "-w 0.01 -c 0.02: WARNING");
	opts_init(&o);
	set_range(&o, 0, PROBE_TOTAL, "0.01");
	set_range(&o, 1, PROBE_TOTAL, "0.011");
	judge(&po, &r, &o, REPORT_CRITICAL, BASE "; total 0.012 s is outside "
	    "the critical range 0.011", "-w 0.01 -c 0.011: CRITICAL");
	opts_init(&o);
	set_range(&o, 0, PROBE_TOTAL, "0.0123");
	set_range(&o, 1, PROBE_TOTAL, "0.0123");
	judge(&po, &r, &o, REPORT_OK, BASE, "-w/-c at the value: inclusive, "
	    "OK");
	opts_init(&o);
	set_range(&o, 0, PROBE_TOTAL, "0.0124:");
	judge(&po, &r, &o, REPORT_WARNING, BASE "; total 0.012 s is outside "
	    "the warning range 0.0124:", "-w 0.0124: (too fast)");

	/* One phase. */
	opts_init(&o);
	set_range(&o, 0, PROBE_CONNECT, "0.001");
	judge(&po, &r, &o, REPORT_WARNING, BASE "; connect 0.001 s is outside "
	    "the warning range 0.001", "--warning-connect 0.001");
	opts_init(&o);
	set_range(&o, 1, PROBE_RESOLVE, "@0:1");
	judge(&po, &r, &o, REPORT_CRITICAL, BASE "; resolve 0.000 s is inside "
	    "the critical range @0:1", "--critical-resolve @0:1");

	/* CRITICAL before WARNING, wherever they are. */
	opts_init(&o);
	set_range(&o, 0, PROBE_RESOLVE, "@0:1");
	set_range(&o, 1, PROBE_CONNECT, "0.001");
	judge(&po, &r, &o, REPORT_CRITICAL, BASE "; connect 0.001 s is outside "
	    "the critical range 0.001", "a warning phase before a critical "
	    "one");
	opts_init(&o);
	set_range(&o, 1, PROBE_CONNECT, "0.001");
	set_range(&o, 0, PROBE_TOTAL, "0.01");
	judge(&po, &r, &o, REPORT_CRITICAL, BASE "; connect 0.001 s is outside "
	    "the critical range 0.001", "a critical phase before -w");
	opts_init(&o);
	set_range(&o, 0, PROBE_CONNECT, "0.001");
	set_range(&o, 1, PROBE_TOTAL, "0.01");
	judge(&po, &r, &o, REPORT_CRITICAL, BASE "; total 0.012 s is outside "
	    "the critical range 0.01", "--warning-connect and -c: -c");
	opts_init(&o);
	set_range(&o, 1, PROBE_RESOLVE, "@0:1");
	set_range(&o, 1, PROBE_TOTAL, "0.01");
	judge(&po, &r, &o, REPORT_CRITICAL, BASE "; resolve 0.000 s is inside "
	    "the critical range @0:1", "two critical: the first phase");
	opts_init(&o);
	set_range(&o, 0, PROBE_RESOLVE, "@0:1");
	set_range(&o, 0, PROBE_TOTAL, "0.01");
	judge(&po, &r, &o, REPORT_WARNING, BASE "; resolve 0.000 s is inside "
	    "the warning range @0:1", "two warnings: the first phase");
	opts_init(&o);
	set_range(&o, 0, PROBE_CONNECT, "0.002");
	set_range(&o, 1, PROBE_CONNECT, "0.001");
	judge(&po, &r, &o, REPORT_CRITICAL, BASE "; connect 0.001 s is outside "
	    "the critical range 0.001", "one phase, both: CRITICAL");

	/* A phase that did not run is not judged, nor written. */
	opts_init(&o);
	set_range(&o, 1, PROBE_KEX, "~:0");
	set_range(&o, 0, PROBE_HOP, "~:0");
	report_init(&rep, "TUNNEL", "target", "127.0.0.1:22");
	check_probe(&po, &r, &o, &rep);
	is_int(REPORT_OK, rep.state, "--critical-kex without kex: OK");
	s = first_line(&rep);
	ok(strstr(s, "time_kex") == NULL && strstr(s, "time_hop") == NULL,
	    "and no time_kex or time_hop perfdata");
	free(s);
	report_free(&rep);

	/* The ranges go into the perfdata as given. */
	opts_init(&o);
	set_range(&o, 0, PROBE_CONNECT, "~:0.5");
	set_range(&o, 1, PROBE_CONNECT, "@1:2");
	set_range(&o, 0, PROBE_TOTAL, "10");
	set_range(&o, 1, PROBE_TOTAL, "20");
	po.timeout = 2.5;
	report_init(&rep, "TUNNEL", "target", "127.0.0.1:22");
	check_probe(&po, &r, &o, &rep);
	s = first_line(&rep);
	is_string("TUNNEL OK - " BASE " | 'time_resolve'=0.000100s;;;0;"
	    "2.500000 'time_connect'=0.001200s;~:0.5;@1:2;0;2.500000 "
	    "'time_total'=0.012300s;10;20;0;2.500000", s,
	    "ranges and the timeout in the perfdata");
	free(s);
	report_free(&rep);
#undef BASE
}

/* fwdpipe's document: up 5m03s, two forwards up, four reconnects. */
static void
doc_init(struct status_doc *d)
{
	static const int64_t ago[] = { 7200, 3601, 3600, 100 };
	struct status_forward *f;

	memset(d, 0, sizeof(*d));
	d->version = xstrdup("0.1.0");
	d->pid = 4242;
	d->state = STATUS_UP;
	d->host = xstrdup("bastion");
	d->uptime = 303;
	d->reconnects = 9;
	d->channels = 3;
	d->connections = 120;
	d->bytes_out = 1048576;
	d->bytes_in = 4096;
	d->has_reconnect_times = 1;
	d->nreconnect_times = 4;
	d->reconnect_times = xcalloc(4, sizeof(int64_t));
	for (size_t i = 0; i < 4; i++)
		d->reconnect_times[i] = (int64_t)NOW - ago[i];
	f = status_add_forward(d);
	f->kind = STATUS_FWD_LOCAL;
	f->spec = xstrdup("127.0.0.1:3306:db:3306");
	f->state = STATUS_FWD_UP;
	f->bound = xstrdup("127.0.0.1");
	f->port = 3306;
	f = status_add_forward(d);
	f->kind = STATUS_FWD_REMOTE;
	f->spec = xstrdup("0:localhost:22");
	f->state = STATUS_FWD_UP;
	f->bound = xstrdup("localhost");
	f->port = 40022;
}

static void
judge_status(const struct status_doc *d, const struct check_opts *o,
    enum report_state st, const char *summary, const char *what)
{
	struct report rep;

	report_init(&rep, "TUNNEL", "status_socket", "/run/fwdpipe.sock");
	check_status(d, NOW, o, &rep);
	is_string(report_state_name(st), report_state_name(rep.state),
	    "%s: state", what);
	if (summary != NULL)
		is_string(summary, rep.summary, "%s: summary", what);
	report_free(&rep);
}

static void
test_status(void)
{
	struct status_doc d;
	struct status_forward *f;
	struct check_opts o;
	struct report rep;
	char *s;

#define UP "fwdpipe to bastion up 5m03s, 2/2 forwards up, "
	doc_init(&d);
	opts_init(&o);
	report_init(&rep, "TUNNEL", "status_socket", "/run/fwdpipe.sock");
	check_status(&d, NOW, &o, &rep);
	is_int(REPORT_OK, rep.state, "status: OK");
	s = first_line(&rep);
	is_string("TUNNEL OK - " UP "2 reconnects in the last 1h00m00s | "
	    "'uptime'=303s;;;0; 'reconnects'=2;;;0; 'reconnects_total'=9c;;;; "
	    "'forwards_up'=2;;;0;2 'channels'=3;;;0; 'connections'=120c;;;; "
	    "'bytes_out'=1048576c;;;; 'bytes_in'=4096c;;;;", s,
	    "status: the first line");
	free(s);
	ok(has_line(&rep, "fwdpipe 0.1.0 (pid 4242) to bastion: up"),
	    "status: the fwdpipe line");
	ok(has_line(&rep, "forward remote 0:localhost:22: up"),
	    "status: a forward line");
	is_string("bastion", fact(&rep, "host"), "status: fact host");
	is_string("up", fact(&rep, "state"), "status: fact state");
	s = written(&rep, 'p');
	ok(strstr(s, "tunnelcheck_tunnel_recent_reconnects{status_socket="
	    "\"/run/fwdpipe.sock\"} 2\n") != NULL,
	    "status: Prometheus recent reconnects");
	ok(strstr(s, "tunnelcheck_tunnel_bytes_total{status_socket="
	    "\"/run/fwdpipe.sock\",direction=\"out\"} 1048576\n"
	    "tunnelcheck_tunnel_bytes_total{status_socket="
	    "\"/run/fwdpipe.sock\",direction=\"in\"} 4096\n") != NULL,
	    "status: Prometheus bytes, grouped");
	ok(strstr(s, "tunnelcheck_up{status_socket=\"/run/fwdpipe.sock\"} 1\n")
	    != NULL, "status: Prometheus up 1");
	promtool_check(s, "a status report");
	free(s);
	report_free(&rep);

	/* -w/-c on the reconnects in the window (2). */
	opts_init(&o);
	set_range(&o, 0, PROBE_TOTAL, "1");
	judge_status(&d, &o, REPORT_WARNING, UP "2 reconnects in the last "
	    "1h00m00s (warning range 1)", "-w 1");
	opts_init(&o);
	set_range(&o, 1, PROBE_TOTAL, "1");
	judge_status(&d, &o, REPORT_CRITICAL, UP "2 reconnects in the last "
	    "1h00m00s (critical range 1)", "-c 1");
	opts_init(&o);
	set_range(&o, 0, PROBE_TOTAL, "1");
	set_range(&o, 1, PROBE_TOTAL, "5");
	judge_status(&d, &o, REPORT_WARNING, NULL, "-w 1 -c 5");
	opts_init(&o);
	set_range(&o, 0, PROBE_TOTAL, "1");
	set_range(&o, 1, PROBE_TOTAL, "1");
	judge_status(&d, &o, REPORT_CRITICAL, NULL, "-w 1 -c 1");
	opts_init(&o);
	set_range(&o, 0, PROBE_TOTAL, "2");
	set_range(&o, 1, PROBE_TOTAL, "3");
	judge_status(&d, &o, REPORT_OK, UP "2 reconnects in the last "
	    "1h00m00s", "-w 2 -c 3: 2 is inside, OK");
	report_init(&rep, "TUNNEL", "status_socket", "/run/fwdpipe.sock");
	check_status(&d, NOW, &o, &rep);
	s = first_line(&rep);
	ok(strstr(s, " 'reconnects'=2;2;3;0; ") != NULL,
	    "the ranges in the reconnects perfdata");
	free(s);
	report_free(&rep);

	/* The window. */
	opts_init(&o);
	o.reconnect_window = 7200;
	judge_status(&d, &o, REPORT_OK, UP "4 reconnects in the last "
	    "2h00m00s", "a 2 h window: all four (its edge counts)");
	o.reconnect_window = 3601;
	judge_status(&d, &o, REPORT_OK, UP "3 reconnects in the last "
	    "1h00m01s", "a 3601 s window: three");
	o.reconnect_window = 100;
	judge_status(&d, &o, REPORT_OK, UP "1 reconnect in the last 1m40s",
	    "a 100 s window: one");
	o.reconnect_window = 99;
	set_range(&o, 1, PROBE_TOTAL, "0");
	judge_status(&d, &o, REPORT_OK, UP "0 reconnects in the last 1m39s",
	    "a 99 s window: none, -c 0 is OK");
	d.nreconnect_times = 0;
	opts_init(&o);
	judge_status(&d, &o, REPORT_OK, UP "0 reconnects in the last "
	    "1h00m00s", "no reconnect times");

	/* An older fwdpipe: every reconnect counts. */
	d.has_reconnect_times = 0;
	free(d.reconnect_times);
	d.reconnect_times = NULL;
	judge_status(&d, &o, REPORT_OK, UP "9 reconnects since it started",
	    "an older document");
	set_range(&o, 0, PROBE_TOTAL, "5");
	judge_status(&d, &o, REPORT_WARNING, UP "9 reconnects since it "
	    "started (warning range 5)", "an older document, -w 5");
	set_range(&o, 1, PROBE_TOTAL, "8");
	judge_status(&d, &o, REPORT_CRITICAL, UP "9 reconnects since it "
	    "started (critical range 8)", "an older document, -c 8");
	status_free(&d);

	/* A forward not up. */
	doc_init(&d);
	opts_init(&o);
	f = status_add_forward(&d);
	f->kind = STATUS_FWD_DYNAMIC;
	f->spec = xstrdup("1080");
	f->state = STATUS_FWD_RETRYING;
	f->error = xstrdup("bind: Address already in use");
	judge_status(&d, &o, REPORT_CRITICAL, "fwdpipe to bastion up 5m03s, "
	    "2/3 forwards up, 2 reconnects in the last 1h00m00s; forward "
	    "dynamic 1080 is retrying: bind: Address already in use",
	    "a forward retrying");
	report_init(&rep, "TUNNEL", "status_socket", "/run/fwdpipe.sock");
	check_status(&d, NOW, &o, &rep);
	s = first_line(&rep);
	ok(strstr(s, " 'forwards_up'=2;;;0;3 ") != NULL,
	    "forwards_up 2 of 3");
	free(s);
	ok(has_line(&rep, "forward dynamic 1080: retrying: bind: Address "
	    "already in use"), "its line");
	report_free(&rep);
	d.forwards[0].state = STATUS_FWD_PENDING;
	judge_status(&d, &o, REPORT_CRITICAL, "fwdpipe to bastion up 5m03s, "
	    "1/3 forwards up, 2 reconnects in the last 1h00m00s; forward "
	    "local 127.0.0.1:3306:db:3306 is pending", "a forward pending: "
	    "the first one down is named");
	d.forwards[0].state = STATUS_FWD_FAILED;
	judge_status(&d, &o, REPORT_CRITICAL, NULL, "a forward failed");
	status_free(&d);

	/* The session is not up. */
	doc_init(&d);
	opts_init(&o);
	d.state = STATUS_BACKOFF;
	d.uptime = 0;
	d.last_error = xstrdup("kex: timed out");
	d.last_error_time = (int64_t)NOW - 5;
	judge_status(&d, &o, REPORT_CRITICAL, "fwdpipe to bastion is down, "
	    "retrying: kex: timed out", "backoff");
	report_init(&rep, "TUNNEL", "status_socket", "/run/fwdpipe.sock");
	check_status(&d, NOW, &o, &rep);
	ok(has_line(&rep, "last error (5s ago): kex: timed out"),
	    "the last error's line");
	is_string("backoff", fact(&rep, "state"), "fact state backoff");
	report_free(&rep);
	d.state = STATUS_CONNECTING;
	free(d.last_error);
	d.last_error = NULL;
	d.last_error_time = 0;
	judge_status(&d, &o, REPORT_CRITICAL, "fwdpipe to bastion is "
	    "connecting", "connecting, no error yet");
	set_range(&o, 0, PROBE_TOTAL, "100");
	judge_status(&d, &o, REPORT_CRITICAL, NULL, "connecting, reconnects "
	    "within -w: still CRITICAL");
	status_free(&d);

	/* No forwards at all. */
	doc_init(&d);
	opts_init(&o);
	free(d.forwards[0].spec);
	free(d.forwards[0].bound);
	free(d.forwards[1].spec);
	free(d.forwards[1].bound);
	free(d.forwards);
	d.forwards = NULL;
	d.nforwards = 0;
	d.uptime = 3723;
	judge_status(&d, &o, REPORT_OK, "fwdpipe to bastion up 1h02m03s, 0/0 "
	    "forwards up, 2 reconnects in the last 1h00m00s",
	    "no forwards, up 1h02m03s");
	status_free(&d);
#undef UP
}

int
main(void)
{
	plan_lazy();
	test_duration();
	test_probe_ok();
	test_probe_fail();
	test_ssh_version();
	test_expect();
	test_thresholds();
	test_status();
	return 0;
}
