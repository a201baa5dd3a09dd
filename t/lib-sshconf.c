/*
 * lib-sshconf.c: unit tests for lib/sshconf*.c (ssh_config resolution).
 * SPDX-License-Identifier: MIT
 *
 * The "ssh -G" parser is checked against output captured from OpenSSH
 * 9.2p1 on Debian 12 and against byte-level edge cases; the ssh_config
 * reader against small configurations; and sshconf_resolve() end to end,
 * once through the real /usr/bin/ssh and once through the fallback
 * (HOPKIT_SSH=/nonexistent), which must agree.  Temporary files live in a
 * mkdtemp(3) directory removed at the end.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "basic.h"
#include "sshconf.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Captured with "ssh -G -F /dev/null -p 2222 -o User=x h </dev/null" as
 * root on Debian 12 (OpenSSH_9.2p1 Debian-2+deb12u10).  Note what it
 * shows: identityfile unexpanded, userknownhostsfile expanded, no
 * identityagent, proxycommand or proxyjump line, "connecttimeout none",
 * "canonicalizePermittedcnames" in mixed case.
 */
static const char g_plain[] =
	"host h\n"
	"user x\n"
	"hostname h\n"
	"port 2222\n"
	"addressfamily any\n"
	"batchmode no\n"
	"canonicalizefallbacklocal yes\n"
	"canonicalizehostname false\n"
	"checkhostip no\n"
	"compression no\n"
	"controlmaster false\n"
	"enablesshkeysign no\n"
	"clearallforwardings no\n"
	"exitonforwardfailure no\n"
	"fingerprinthash SHA256\n"
	"forwardx11 no\n"
	"forwardx11trusted yes\n"
	"gatewayports no\n"
	"gssapiauthentication no\n"
	"gssapikeyexchange no\n"
	"gssapidelegatecredentials no\n"
	"gssapitrustdns no\n"
	"gssapirenewalforcesrekey no\n"
	"gssapikexalgorithms gss-group14-sha256-,gss-group16-sha512-,gss-ni"
	"stp256-sha256-,gss-curve25519-sha256-,gss-group14-sha1-,gss-gex-sh"
	"a1-\n"
	"hashknownhosts no\n"
	"hostbasedauthentication no\n"
	"identitiesonly no\n"
	"kbdinteractiveauthentication yes\n"
	"nohostauthenticationforlocalhost no\n"
	"passwordauthentication yes\n"
	"permitlocalcommand no\n"
	"proxyusefdpass no\n"
	"pubkeyauthentication true\n"
	"requesttty auto\n"
	"sessiontype default\n"
	"stdinnull no\n"
	"forkafterauthentication no\n"
	"streamlocalbindunlink no\n"
	"stricthostkeychecking ask\n"
	"tcpkeepalive yes\n"
	"tunnel false\n"
	"verifyhostkeydns false\n"
	"visualhostkey no\n"
	"updatehostkeys true\n"
	"enableescapecommandline no\n"
	"canonicalizemaxdots 1\n"
	"connectionattempts 1\n"
	"forwardx11timeout 1200\n"
	"numberofpasswordprompts 3\n"
	"serveralivecountmax 3\n"
	"serveraliveinterval 0\n"
	"requiredrsasize 1024\n"
	"ciphers chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256"
	"-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com\n"
	"hostkeyalgorithms ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nist"
	"p256-cert-v01@openssh.com,ecdsa-sha2-nistp384-cert-v01@openssh.com"
	",ecdsa-sha2-nistp521-cert-v01@openssh.com,sk-ssh-ed25519-cert-v01@"
	"openssh.com,sk-ecdsa-sha2-nistp256-cert-v01@openssh.com,rsa-sha2-5"
	"12-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,ssh-ed25"
	"519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,sk"
	"-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,rsa-sh"
	"a2-512,rsa-sha2-256\n"
	"hostbasedacceptedalgorithms ssh-ed25519-cert-v01@openssh.com,ecdsa"
	"-sha2-nistp256-cert-v01@openssh.com,ecdsa-sha2-nistp384-cert-v01@o"
	"penssh.com,ecdsa-sha2-nistp521-cert-v01@openssh.com,sk-ssh-ed25519"
	"-cert-v01@openssh.com,sk-ecdsa-sha2-nistp256-cert-v01@openssh.com,"
	"rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.co"
	"m,ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-n"
	"istp521,sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh."
	"com,rsa-sha2-512,rsa-sha2-256\n"
	"kexalgorithms sntrup761x25519-sha512,sntrup761x25519-sha512@openss"
	"h.com,curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nis"
	"tp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group-e"
	"xchange-sha256,diffie-hellman-group16-sha512,diffie-hellman-group1"
	"8-sha512,diffie-hellman-group14-sha256\n"
	"casignaturealgorithms ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-n"
	"istp384,ecdsa-sha2-nistp521,sk-ssh-ed25519@openssh.com,sk-ecdsa-sh"
	"a2-nistp256@openssh.com,rsa-sha2-512,rsa-sha2-256\n"
	"loglevel INFO\n"
	"macs umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-25"
	"6-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@open"
	"ssh.com,umac-64@openssh.com,umac-128@openssh.com,hmac-sha2-256,hma"
	"c-sha2-512,hmac-sha1\n"
	"securitykeyprovider internal\n"
	"pubkeyacceptedalgorithms ssh-ed25519-cert-v01@openssh.com,ecdsa-sh"
	"a2-nistp256-cert-v01@openssh.com,ecdsa-sha2-nistp384-cert-v01@open"
	"ssh.com,ecdsa-sha2-nistp521-cert-v01@openssh.com,sk-ssh-ed25519-ce"
	"rt-v01@openssh.com,sk-ecdsa-sha2-nistp256-cert-v01@openssh.com,rsa"
	"-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,s"
	"sh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nist"
	"p521,sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com"
	",rsa-sha2-512,rsa-sha2-256\n"
	"xauthlocation /usr/bin/xauth\n"
	"identityfile ~/.ssh/id_rsa\n"
	"identityfile ~/.ssh/id_ecdsa\n"
	"identityfile ~/.ssh/id_ecdsa_sk\n"
	"identityfile ~/.ssh/id_ed25519\n"
	"identityfile ~/.ssh/id_ed25519_sk\n"
	"identityfile ~/.ssh/id_xmss\n"
	"identityfile ~/.ssh/id_dsa\n"
	"canonicaldomains none\n"
	"globalknownhostsfile /etc/ssh/ssh_known_hosts /etc/ssh/ssh_known_h"
	"osts2\n"
	"userknownhostsfile /root/.ssh/known_hosts /root/.ssh/known_hosts2"
	"\n"
	"logverbose none\n"
	"permitremoteopen any\n"
	"addkeystoagent false\n"
	"forwardagent no\n"
	"connecttimeout none\n"
	"tunneldevice any:any\n"
	"canonicalizePermittedcnames none\n"
	"controlpersist no\n"
	"escapechar ~\n"
	"ipqos lowdelay throughput\n"
	"rekeylimit 0 0\n"
	"streamlocalbindmask 0177\n"
	"syslogfacility USER\n";

/*
 * The same ssh for "ssh -G -F cfg db", where cfg was
 *   Host db
 *     HostName db.internal.example
 *     User alice
 *     Port 2201
 *     IdentityFile ~/.ssh/id_%h_%r
 *     IdentityFile /keys/%u@%l-%p
 *     UserKnownHostsFile ~/.ssh/kh_%h "/path with space/kh" %d/kh3
 *     GlobalKnownHostsFile /etc/kh1 /etc/kh2
 *     ProxyCommand jumpcat -x proxy:8080 %h %p %r %n %%
 *     ProxyJump bastion@jump:2222,other
 *     ServerAliveInterval 15
 *     ServerAliveCountMax 5
 *     ConnectTimeout 7
 *     StrictHostKeyChecking accept-new
 *     HostKeyAlias dbalias
 *     IdentitiesOnly yes
 *     IdentityAgent ~/.ssh/agent.%h.sock
 *     BatchMode yes
 *     AddressFamily inet
 *     HashKnownHosts yes
 *     LocalForward 3306 localhost:3306
 *     RemoteForward 8080 localhost:80
 *     DynamicForward 1080
 *     CertificateFile ~/.ssh/cert_%h
 * with the algorithm lists cut.  ProxyJump lost to the ProxyCommand
 * before it; proxycommand comes last, unexpanded; identityagent and the
 * known hosts files are expanded, and the quoted path with a space is
 * printed joined by spaces like the others.
 */
static const char g_db[] =
	"host db\n"
	"user alice\n"
	"hostname db.internal.example\n"
	"port 2201\n"
	"addressfamily inet\n"
	"batchmode yes\n"
	"canonicalizefallbacklocal yes\n"
	"canonicalizehostname false\n"
	"checkhostip no\n"
	"compression no\n"
	"controlmaster false\n"
	"enablesshkeysign no\n"
	"clearallforwardings no\n"
	"exitonforwardfailure no\n"
	"fingerprinthash SHA256\n"
	"forwardx11 no\n"
	"forwardx11trusted yes\n"
	"gatewayports no\n"
	"gssapiauthentication no\n"
	"gssapikeyexchange no\n"
	"gssapidelegatecredentials no\n"
	"gssapitrustdns no\n"
	"gssapirenewalforcesrekey no\n"
	"hashknownhosts yes\n"
	"hostbasedauthentication no\n"
	"identitiesonly yes\n"
	"kbdinteractiveauthentication yes\n"
	"nohostauthenticationforlocalhost no\n"
	"passwordauthentication yes\n"
	"permitlocalcommand no\n"
	"proxyusefdpass no\n"
	"pubkeyauthentication true\n"
	"requesttty auto\n"
	"sessiontype default\n"
	"stdinnull no\n"
	"forkafterauthentication no\n"
	"streamlocalbindunlink no\n"
	"stricthostkeychecking accept-new\n"
	"tcpkeepalive yes\n"
	"tunnel false\n"
	"verifyhostkeydns false\n"
	"visualhostkey no\n"
	"updatehostkeys false\n"
	"enableescapecommandline no\n"
	"canonicalizemaxdots 1\n"
	"connectionattempts 1\n"
	"forwardx11timeout 1200\n"
	"numberofpasswordprompts 3\n"
	"serveralivecountmax 5\n"
	"serveraliveinterval 15\n"
	"requiredrsasize 1024\n"
	"hostkeyalias dbalias\n"
	"identityagent /root/.ssh/agent.db.internal.example.sock\n"
	"loglevel INFO\n"
	"securitykeyprovider internal\n"
	"xauthlocation /usr/bin/xauth\n"
	"dynamicforward 1080\n"
	"localforward 3306 [localhost]:3306\n"
	"remoteforward 8080 [localhost]:80\n"
	"identityfile ~/.ssh/id_%h_%r\n"
	"identityfile /keys/%u@%l-%p\n"
	"canonicaldomains none\n"
	"certificatefile ~/.ssh/cert_%h\n"
	"globalknownhostsfile /etc/kh1 /etc/kh2\n"
	"userknownhostsfile /root/.ssh/kh_db.internal.example /path with space/kh /root/kh3\n"
	"logverbose none\n"
	"permitremoteopen any\n"
	"addkeystoagent false\n"
	"forwardagent no\n"
	"connecttimeout 7\n"
	"tunneldevice any:any\n"
	"canonicalizePermittedcnames none\n"
	"controlpersist no\n"
	"escapechar ~\n"
	"ipqos lowdelay throughput\n"
	"rekeylimit 0 0\n"
	"streamlocalbindmask 0177\n"
	"syslogfacility USER\n"
	"proxycommand jumpcat -x proxy:8080 %h %p %r %n %%\n";

/* The environment of the pure tests. */
static const char *
fake_getenv(const char *name, void *arg)
{
	(void)arg;
	if (strcmp(name, "HOME") == 0)
		return "/home/alice";
	if (strcmp(name, "SOCKDIR") == 0)
		return "/run/user/1000";
	if (strcmp(name, "PCT") == 0)
		return "%h";
	return NULL;
}

/* The fake local side of the pure tests: alice on ws.example.org. */
static void
fake_local(struct sshconf_local *l)
{
	memset(l, 0, sizeof(*l));
	strcpy(l->user, "alice");
	strcpy(l->home, "/home/alice");
	strcpy(l->hostname, "ws.example.org");
	l->uid = 1000;
	l->getenv = fake_getenv;
}

/* Is list l exactly want[0..n)? */
static int
list_is(const struct sshconf_list *l, const char *const *want, size_t n,
    const char *label)
{
	size_t i;
	int good = l->count == n;

	for (i = 0; good && i < n; i++)
		good = strcmp(l->item[i], want[i]) == 0;
	if (!ok(good, "%s", label)) {
		diag("got %zu items:", l->count);
		for (i = 0; i < l->count; i++)
			diag("  [%zu] %s", i, l->item[i]);
	}
	return good;
}

/* is_string that takes NULL for "unset". */
static void __attribute__((format(printf, 3, 4)))
is_str_or_null(const char *want, const char *got, const char *fmt, ...)
{
	char label[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(label, sizeof(label), fmt, ap);
	va_end(ap);
	if (want == NULL || got == NULL) {
		if (!ok(want == got, "%s", label))
			diag("wanted %s, got %s", want == NULL ? "(null)" : want,
			    got == NULL ? "(null)" : got);
	} else {
		is_string(want, got, "%s", label);
	}
}

/* --- "ssh -G" output ------------------------------------------------ */

/* The captured outputs, field by field. */
static void
test_g_captured(void)
{
	static const char *const ids[] = { "~/.ssh/id_rsa", "~/.ssh/id_ecdsa",
		"~/.ssh/id_ecdsa_sk", "~/.ssh/id_ed25519", "~/.ssh/id_ed25519_sk",
		"~/.ssh/id_xmss", "~/.ssh/id_dsa" };
	static const char *const ukh[] = { "/root/.ssh/known_hosts",
		"/root/.ssh/known_hosts2" };
	static const char *const gkh[] = { "/etc/ssh/ssh_known_hosts",
		"/etc/ssh/ssh_known_hosts2" };
	static const char *const dbids[] = { "~/.ssh/id_%h_%r",
		"/keys/%u@%l-%p" };
	static const char *const dbukh[] = { "/root/.ssh/kh_db.internal.example",
		"/path", "with", "space/kh", "/root/kh3" };
	static const char *const dbgkh[] = { "/etc/kh1", "/etc/kh2" };
	struct sshconf c;
	struct errmsg e;

	if (!is_int(0, sshconf_parse_g(g_plain, sizeof(g_plain) - 1, &c, &e),
	    "captured -G output parses"))
		diag("%s", e.text);
	is_string("h", c.host, "host");
	is_string("h", c.hostname, "hostname");
	is_string("x", c.user, "user from -o User=x");
	is_int(2222, c.port, "port from -p");
	list_is(&c.identityfile, ids, N(ids), "default identity files, unexpanded");
	list_is(&c.userknownhostsfile, ukh, N(ukh),
	    "user known hosts files, expanded by ssh");
	list_is(&c.globalknownhostsfile, gkh, N(gkh), "global known hosts files");
	is_int(SSHCONF_STRICT_ASK, c.stricthostkeychecking, "strict: ask");
	ok(c.hostkeyalias == NULL, "no hostkeyalias");
	is_int(0, c.hashknownhosts, "hashknownhosts no");
	is_int(0, c.identitiesonly, "identitiesonly no");
	is_int(SSHCONF_AGENT_ENV, c.agent, "agent from the environment");
	is_string("SSH_AUTH_SOCK", c.identityagent, "agent variable SSH_AUTH_SOCK");
	is_int(0, c.serveraliveinterval, "serveraliveinterval 0");
	is_int(3, c.serveralivecountmax, "serveralivecountmax 3");
	is_int(-1, c.connecttimeout, "connecttimeout none is -1");
	ok(c.proxycommand == NULL, "no proxycommand");
	ok(c.proxyjump == NULL, "no proxyjump");
	is_int(0, c.proxyusefdpass, "proxyusefdpass no");
	is_int(0, c.batchmode, "batchmode no");
	is_int(AF_UNSPEC, c.addressfamily, "addressfamily any");
	is_int(0, c.fallback, "not from the fallback");
	sshconf_free(&c);
	ok(c.host == NULL && c.identityfile.item == NULL, "sshconf_free empties");
	sshconf_free(&c);
	sshconf_free(NULL);

	if (!is_int(0, sshconf_parse_g(g_db, sizeof(g_db) - 1, &c, &e),
	    "captured -G output for db parses"))
		diag("%s", e.text);
	is_string("db", c.host, "db: host");
	is_string("db.internal.example", c.hostname, "db: hostname");
	is_string("alice", c.user, "db: user");
	is_int(2201, c.port, "db: port");
	list_is(&c.identityfile, dbids, N(dbids), "db: identity files as written");
	list_is(&c.userknownhostsfile, dbukh, N(dbukh),
	    "db: known hosts split at spaces (ssh joins them with spaces)");
	list_is(&c.globalknownhostsfile, dbgkh, N(dbgkh), "db: global known hosts");
	is_int(SSHCONF_STRICT_ACCEPT_NEW, c.stricthostkeychecking,
	    "db: accept-new");
	is_str_or_null("dbalias", c.hostkeyalias, "db: hostkeyalias");
	is_int(1, c.hashknownhosts, "db: hashknownhosts");
	is_int(1, c.identitiesonly, "db: identitiesonly");
	is_int(SSHCONF_AGENT_PATH, c.agent, "db: agent is a path");
	is_string("/root/.ssh/agent.db.internal.example.sock", c.identityagent,
	    "db: agent path, expanded by ssh");
	is_int(15, c.serveraliveinterval, "db: serveraliveinterval");
	is_int(5, c.serveralivecountmax, "db: serveralivecountmax");
	is_int(7, c.connecttimeout, "db: connecttimeout");
	is_str_or_null("jumpcat -x proxy:8080 %h %p %r %n %%", c.proxycommand,
	    "db: proxycommand unexpanded");
	ok(c.proxyjump == NULL, "db: ProxyJump lost to the earlier ProxyCommand");
	is_int(1, c.batchmode, "db: batchmode");
	is_int(AF_INET, c.addressfamily, "db: addressfamily inet");
	sshconf_free(&c);
}

/* One byte-level case of the -G parser. */
struct g_case {
	const char *label;
	const char *text;
	size_t len;		/* 0: strlen(text) */
	const char *msg;	/* NULL: must parse */
};

#define G_MIN "host h\nhostname h\nuser u\nport 22\n"

static const struct g_case g_cases[] = {
	{ "minimal", G_MIN, 0, NULL },
	{ "no final newline", "host h\nhostname h\nuser u\nport 22", 0, NULL },
	{ "CRLF", "host h\r\nhostname h\r\nuser u\r\nport 22\r\n", 0, NULL },
	{ "blank lines", "\n\nhost h\n\nhostname h\nuser u\nport 22\n\n", 0,
	  NULL },
	{ "keys in any case", "HOST h\nHostName h\nUser u\nPORT 22\n", 0, NULL },
	{ "unknown keys ignored", G_MIN "frobnicate yes\nlocalforward 1 [a]:2\n"
	  "x\n \n", 0, NULL },
	{ "empty input", "", 0, "ssh -G output has no host" },
	{ "no hostname", "host h\nuser u\nport 22\n", 0,
	  "ssh -G output has no hostname" },
	{ "empty hostname", "host h\nhostname \nuser u\nport 22\n", 0,
	  "ssh -G output has no hostname" },
	{ "no user", "host h\nhostname h\nport 22\n", 0,
	  "ssh -G output has no user" },
	{ "no port", "host h\nhostname h\nuser u\n", 0,
	  "ssh -G output has no port" },
	{ "port 0", G_MIN "port 0\n", 0, "ssh -G output line 5: bad port \"0\"" },
	{ "port 65536", G_MIN "port 65536\n", 0,
	  "ssh -G output line 5: bad port \"65536\"" },
	{ "port empty", G_MIN "port \n", 0, "ssh -G output line 5: bad port \"\"" },
	{ "port without space", G_MIN "port\n", 0,
	  "ssh -G output line 5: bad port \"\"" },
	{ "port with CR inside", "host h\nhostname h\nuser u\nport 2\r2\n", 0,
	  "ssh -G output line 4: bad port \"2\\x0d2\"" },
	{ "NUL byte", "host h\nhostname h\0x\nuser u\nport 22\n", 39,
	  "ssh -G output line 2 holds a NUL byte" },
	{ "bad strict", G_MIN "stricthostkeychecking maybe\n", 0,
	  "ssh -G output line 5: bad stricthostkeychecking \"maybe\"" },
	{ "bad flag", G_MIN "batchmode 1\n", 0,
	  "ssh -G output line 5: bad batchmode \"1\"" },
	{ "bad family", G_MIN "addressfamily inet4\n", 0,
	  "ssh -G output line 5: bad addressfamily \"inet4\"" },
	{ "bad interval", G_MIN "serveraliveinterval -1\n", 0,
	  "ssh -G output line 5: bad serveraliveinterval \"-1\"" },
	{ "empty identityfile", G_MIN "identityfile \n", 0,
	  "ssh -G output line 5: bad identityfile \"\"" },
	{ "empty identityagent", G_MIN "identityagent\n", 0,
	  "ssh -G output line 5: bad identityagent \"\"" },
};

/* Byte-level edge cases of the "ssh -G" parser. */
static void
test_g_edges(void)
{
	struct sshconf c;
	struct errmsg e;
	char *big;
	size_t i, len;
	int rc;

	for (i = 0; i < N(g_cases); i++) {
		const struct g_case *gc = &g_cases[i];

		errmsg_clear(&e);
		rc = sshconf_parse_g(gc->text, gc->len ? gc->len : strlen(gc->text),
		    &c, &e);
		if (gc->msg == NULL) {
			if (!is_int(0, rc, "-G %s: parses", gc->label))
				diag("%s", e.text);
			is_string("h", c.hostname, "-G %s: hostname", gc->label);
			is_int(22, c.port, "-G %s: port", gc->label);
		} else {
			is_int(-1, rc, "-G %s: refused", gc->label);
			is_string(gc->msg, e.text, "-G %s: message", gc->label);
			ok(c.host == NULL && c.hostname == NULL,
			    "-G %s: nothing left in out", gc->label);
		}
		sshconf_free(&c);
	}

	/* The length is honoured: nothing past it is read. */
	rc = sshconf_parse_g(G_MIN "port 99", sizeof(G_MIN) - 1 + 6, &c, &e);
	ok(rc == 0 && c.port == 9, "-G: a value cut by the length is cut");
	sshconf_free(&c);

	/* Later lines replace earlier ones; values keep inner spaces. */
	rc = sshconf_parse_g(G_MIN "user v\nproxycommand  a  b \n"
	    "stricthostkeychecking false\nconnecttimeout 0\n"
	    "proxyjump none\nuserknownhostsfile none\nhostkeyalias \n"
	    "identityagent none\nidentityfile none\n", 0 + strlen(G_MIN
	    "user v\nproxycommand  a  b \nstricthostkeychecking false\n"
	    "connecttimeout 0\nproxyjump none\nuserknownhostsfile none\n"
	    "hostkeyalias \nidentityagent none\nidentityfile none\n"), &c, &e);
	is_int(0, rc, "-G: odd values parse");
	is_string("v", c.user, "-G: the later user line wins");
	is_string(" a  b ", c.proxycommand, "-G: proxycommand keeps its spaces");
	is_int(SSHCONF_STRICT_NO, c.stricthostkeychecking, "-G: false is no");
	is_int(0, c.connecttimeout, "-G: connecttimeout 0 stays 0");
	ok(c.proxyjump == NULL, "-G: proxyjump none is unset");
	is_int(0, (long long)c.userknownhostsfile.count,
	    "-G: userknownhostsfile none is empty");
	ok(c.hostkeyalias == NULL, "-G: empty hostkeyalias is unset");
	is_int(SSHCONF_AGENT_NONE, c.agent, "-G: identityagent none");
	ok(c.identityagent == NULL, "-G: no agent string for none");
	is_int(1, (long long)c.identityfile.count, "-G: identityfile none kept...");
	sshconf_free(&c);

	/* Strict and agent spellings. */
	{
		static const struct { const char *v; int want; } st[] = {
			{ "yes", SSHCONF_STRICT_YES }, { "true", SSHCONF_STRICT_YES },
			{ "no", SSHCONF_STRICT_NO }, { "false", SSHCONF_STRICT_NO },
			{ "off", SSHCONF_STRICT_NO }, { "ask", SSHCONF_STRICT_ASK },
			{ "accept-new", SSHCONF_STRICT_ACCEPT_NEW },
			{ "Accept-New", SSHCONF_STRICT_ACCEPT_NEW },
		};
		enum sshconf_strict s;

		for (i = 0; i < N(st); i++) {
			s = SSHCONF_STRICT_ASK;
			ok(sshconf_parse_strict(st[i].v, &s) == 0 &&
			    (int)s == st[i].want, "strict \"%s\"", st[i].v);
		}
		ok(sshconf_parse_strict("", &s) == -1, "strict \"\" refused");
		is_string("accept-new", sshconf_strict_name(SSHCONF_STRICT_ACCEPT_NEW),
		    "strict name");
	}
	rc = sshconf_parse_g(G_MIN "identityagent SSH_AUTH_SOCK\n", strlen(G_MIN
	    "identityagent SSH_AUTH_SOCK\n"), &c, &e);
	ok(rc == 0 && c.agent == SSHCONF_AGENT_ENV &&
	    strcmp(c.identityagent, "SSH_AUTH_SOCK") == 0, "-G: agent SSH_AUTH_SOCK");
	sshconf_free(&c);
	rc = sshconf_parse_g(G_MIN "identityagent $MY_AGENT\n", strlen(G_MIN
	    "identityagent $MY_AGENT\n"), &c, &e);
	ok(rc == 0 && c.agent == SSHCONF_AGENT_ENV &&
	    strcmp(c.identityagent, "MY_AGENT") == 0, "-G: agent $MY_AGENT");
	sshconf_free(&c);

	/* A huge line (2 MiB proxycommand) and many identity files. */
	len = 2 * 1024 * 1024;
	big = malloc(len + 200);
	if (big == NULL)
		sysbail("malloc");
	strcpy(big, G_MIN "proxycommand ");
	i = strlen(big);
	memset(big + i, 'x', len);
	strcpy(big + i + len, "\nport 2022");
	rc = sshconf_parse_g(big, strlen(big), &c, &e);
	ok(rc == 0 && c.proxycommand != NULL && strlen(c.proxycommand) == len &&
	    c.port == 2022, "-G: a 2 MiB line");
	sshconf_free(&c);
	strcpy(big, G_MIN);
	for (i = 0; i < 5000; i++)
		strcat(big, "identityfile ~/k\n");
	rc = sshconf_parse_g(big, strlen(big), &c, &e);
	ok(rc == 0 && c.identityfile.count == 5000, "-G: 5000 identityfile lines");
	sshconf_free(&c);
	free(big);

	/* Every prefix of the captured output either parses or says why. */
	for (i = 0, rc = 1; i <= sizeof(g_plain) - 1; i++) {
		errmsg_clear(&e);
		if (sshconf_parse_g(g_plain, i, &c, &e) == -1 && e.text[0] == '\0')
			rc = 0;
		sshconf_free(&c);
	}
	ok(rc, "-G: every prefix of the captured output is handled");
}

/* --- expansion ------------------------------------------------------ */

struct x_case {
	const char *in;
	const char *out;	/* NULL: refused with msg */
	const char *msg;
};

static const struct x_case x_cases[] = {
	{ "plain/path", "plain/path", NULL },
	{ "~", "/home/alice/", NULL },
	{ "~/", "/home/alice/", NULL },
	{ "~/.ssh/id_ed25519", "/home/alice/.ssh/id_ed25519", NULL },
	{ "~//x", "/home/alice/x", NULL },
	{ "~root/k", "/root/k", NULL },
	{ "/a/~/b", "/a/~/b", NULL },
	{ "%d|%u|%i", "/home/alice|alice|1000", NULL },
	{ "%h|%n|%r|%p", "db.internal|DB|bob|2201", NULL },
	{ "%l|%L", "ws.example.org|ws", NULL },
	{ "%k", "dbalias", NULL },
	{ "100%%", "100%", NULL },
	{ "%%h", "%h", NULL },
	{ "${HOME}/x", "/home/alice/x", NULL },
	{ "${SOCKDIR}/agent.%h", "/run/user/1000/agent.db.internal", NULL },
	{ "${PCT}", "%h", NULL },	/* one pass: not expanded again */
	{ "$HOME/x", "$HOME/x", NULL },
	{ "%x", NULL, "unknown token %x in \"%x\"" },
	{ "~/%T", NULL, "unknown token %T in \"/home/alice/%T\"" },
	{ "%j", NULL, "unknown token %j in \"%j\"" },
	{ "abc%", NULL, "\"abc%\" ends in a lone %" },
	{ "%\x01", NULL, "unknown token %\\x01 in \"%\\x01\"" },
	{ "${NOPE}/x", NULL,
	  "environment variable NOPE in \"${NOPE}/x\" is not set" },
	{ "${}", NULL, "bad ${...} variable in \"${}\"" },
	{ "${HOME", NULL, "bad ${...} variable in \"${HOME\"" },
	{ "~nosuchuser-hopkit/x", NULL,
	  "no such user \"nosuchuser-hopkit\" in \"~nosuchuser-hopkit/x\"" },
};

/* ~, ${NAME} and %-tokens, and the small value parsers. */
static void
test_expand(void)
{
	struct sshconf_local l;
	struct sshconf c;
	struct errmsg e;
	char *out;
	size_t i;
	int rc;

	fake_local(&l);
	sshconf_init(&c);
	c.host = strdup("DB");
	c.hostname = strdup("db.internal");
	c.user = strdup("bob");
	c.port = 2201;
	c.hostkeyalias = strdup("dbalias");
	for (i = 0; i < N(x_cases); i++) {
		const struct x_case *xc = &x_cases[i];

		out = NULL;
		errmsg_clear(&e);
		rc = sshconf_expand(xc->in, &l, &c, &out, &e);
		if (xc->out != NULL) {
			if (!is_int(0, rc, "expand \"%s\"", xc->in))
				diag("%s", e.text);
			is_string(xc->out, out, "expand \"%s\": value", xc->in);
		} else {
			is_int(-1, rc, "expand \"%s\": refused", xc->in);
			is_string(xc->msg, e.text, "expand \"%s\": message", xc->in);
		}
		free(out);
	}

	/* %C is SHA-1(%l %h %p %r); this value came from OpenSSH 9.2 itself
	 * (userknownhostsfile %C on host "vm", ssh -p 99 -l ru h). */
	strcpy(l.hostname, "vm");
	free(c.hostname);
	c.hostname = strdup("h");
	free(c.user);
	c.user = strdup("ru");
	c.port = 99;
	rc = sshconf_expand("%C", &l, &c, &out, &e);
	is_int(0, rc, "expand %%C");
	is_string("177e1a3e3a86ed5c0ad79ff9cd1fb8a1f45590ea", out,
	    "%%C matches ssh's connection hash");
	free(out);
	free(c.hostkeyalias);
	c.hostkeyalias = NULL;
	rc = sshconf_expand("%k", &l, &c, &out, &e);
	ok(rc == 0 && strcmp(out, "DB") == 0, "%%k without an alias is %%n");
	free(out);

	/* Without a getenv, every ${NAME} is unset. */
	l.getenv = NULL;
	rc = sshconf_expand("${HOME}", &l, &c, &out, &e);
	is_int(-1, rc, "no getenv: ${HOME} refused");

	/* HostName takes only %h and %%. */
	rc = sshconf_expand_hostname("%h.example.%%", "web", &out, &e);
	ok(rc == 0 && strcmp(out, "web.example.%") == 0, "hostname %%h");
	free(out);
	rc = sshconf_expand_hostname("%r.x", "web", &out, &e);
	is_string("unknown token %r in \"%r.x\"", e.text, "hostname %%r refused");
	rc = sshconf_expand_hostname("~/x${HOME}", "web", &out, &e);
	ok(rc == 0 && strcmp(out, "~/x${HOME}") == 0,
	    "hostname: no tilde, no variables");
	free(out);
	sshconf_free(&c);

	/* sshconf_expand_paths picks what to expand and drops "none". */
	fake_local(&l);
	sshconf_init(&c);
	c.host = strdup("h");
	c.hostname = strdup("h");
	c.user = strdup("u");
	c.port = 22;
	sshconf_list_add(&c.identityfile, "~/a_%h");
	sshconf_list_add(&c.identityfile, "none");
	sshconf_list_add(&c.identityfile, "/b");
	sshconf_list_add(&c.userknownhostsfile, "~/kh");
	sshconf_set_agent(&c, "~/agent");
	rc = sshconf_expand_paths(&c, &l, SSHCONF_EXPAND_IDENTITY, &e);
	ok(rc == 0 && c.identityfile.count == 2 &&
	    strcmp(c.identityfile.item[0], "/home/alice/a_h") == 0 &&
	    strcmp(c.identityfile.item[1], "/b") == 0,
	    "expand_paths: identity files expanded, none dropped");
	ok(strcmp(c.userknownhostsfile.item[0], "~/kh") == 0 &&
	    strcmp(c.identityagent, "~/agent") == 0,
	    "expand_paths: the rest left alone");
	rc = sshconf_expand_paths(&c, &l, SSHCONF_EXPAND_KNOWNHOSTS |
	    SSHCONF_EXPAND_AGENT, &e);
	ok(rc == 0 && strcmp(c.userknownhostsfile.item[0], "/home/alice/kh") == 0 &&
	    strcmp(c.identityagent, "/home/alice/agent") == 0,
	    "expand_paths: known hosts and agent");
	sshconf_list_add(&c.identityfile, "%Z");
	rc = sshconf_expand_paths(&c, &l, SSHCONF_EXPAND_ALL, &e);
	is_string("unknown token %Z in \"%Z\"", e.text, "expand_paths: error");
	sshconf_free(&c);

	ok(sshconf_parse_time("90") == 90 && sshconf_parse_time("1m30s") == 90 &&
	    sshconf_parse_time("2H") == 7200 && sshconf_parse_time("1w") == 604800 &&
	    sshconf_parse_time("0") == 0, "time values");
	ok(sshconf_parse_time("") == -1 && sshconf_parse_time("1x") == -1 &&
	    sshconf_parse_time("m") == -1 && sshconf_parse_time("-1") == -1 &&
	    sshconf_parse_time("99999999999") == -1 &&
	    sshconf_parse_time("3000000000s") == -1 &&
	    sshconf_parse_time("1 m") == -1, "bad time values");
	ok(sshconf_parse_flag("Yes") == 1 && sshconf_parse_flag("TRUE") == 1 &&
	    sshconf_parse_flag("no") == 0 && sshconf_parse_flag("false") == 0 &&
	    sshconf_parse_flag("1") == -1, "flags");
	ok(sshconf_parse_family("inet6") == AF_INET6 &&
	    sshconf_parse_family("ANY") == AF_UNSPEC &&
	    sshconf_parse_family("ipv4") == -1, "address families");
}

/* --- ssh_config ----------------------------------------------------- */

/* Files the fake include callback serves: pattern -> text. */
static const struct {
	const char *pattern;
	const char *name;
	const char *text;
} fake_files[] = {
	{ "~/.ssh/inc.conf", "inc.conf", "User included\nPort 1111\n" },
	{ "~/.ssh/two*", "two-a", "Host h\n  ConnectTimeout 11\n" },
	{ "~/.ssh/two*", "two-b", "Match all\n  ServerAliveInterval 22\n" },
	{ "/etc/ssh/sys.conf", "sys.conf", "HostKeyAlias sysalias\n" },
	{ "/abs/match.conf", "match.conf", "Match host nothing\n"
	  "Host *\n  User fromhost\n" },
	{ "~/.ssh/loop", "loop", "Include loop\n" },
};

/* The patterns fake_include() was asked for, each followed by ";". */
static char fake_seen[512];

/* The include callback of the pure tests. */
static int
fake_include(const char *pattern, struct sshconf_file **files, size_t *n,
    void *arg, struct errmsg *e)
{
	size_t i;

	(void)arg;
	(void)e;
	if (strlen(fake_seen) + strlen(pattern) + 2 < sizeof(fake_seen)) {
		strcat(fake_seen, pattern);
		strcat(fake_seen, ";");
	}
	*files = NULL;
	*n = 0;
	for (i = 0; i < N(fake_files); i++) {
		if (strcmp(fake_files[i].pattern, pattern) != 0)
			continue;
		*files = realloc(*files, (*n + 1) * sizeof(**files));
		(*files)[*n].name = strdup(fake_files[i].name);
		(*files)[*n].text = strdup(fake_files[i].text);
		(*files)[*n].len = strlen(fake_files[i].text);
		(*n)++;
	}
	return 0;
}

/* Parse text for host with the fake local side. */
static int
cfg(const char *text, const char *host, const char *user, int port,
    const char *const *opts, size_t nopts, struct sshconf *c,
    struct errmsg *warn, struct errmsg *e)
{
	static struct sshconf_local l;
	struct sshconf_params p;

	fake_local(&l);
	memset(&p, 0, sizeof(p));
	p.local = &l;
	p.user = user;
	p.port = port;
	p.options = opts;
	p.noptions = nopts;
	p.include = fake_include;
	errmsg_clear(e);
	return sshconf_parse_config(text, strlen(text), host, &p, c, warn, e);
}

/* One config case: text, host, and the expected user and port. */
struct c_case {
	const char *label;
	const char *text;
	const char *host;
	const char *user;	/* NULL: refused with msg */
	int port;
	const char *msg;
};

static const struct c_case c_cases[] = {
	{ "empty", "", "h", "alice", 22, NULL },
	{ "comments and blanks", "# c\n\n   \n\t# x\nUser bob\n", "h", "bob", 22,
	  NULL },
	{ "first value wins", "User a\nUser b\nPort 1\nPort 2\n", "h", "a", 1,
	  NULL },
	{ "Host block", "Host h\n  User hb\nHost *\n  User star\n", "h", "hb", 22,
	  NULL },
	{ "Host not matching", "Host x\n  User xb\nHost *\n  User star\n", "h",
	  "star", 22, NULL },
	{ "Host several patterns", "Host a b? c*\n  User pat\n", "bz", "pat", 22,
	  NULL },
	{ "Host ? is one byte", "Host b?\n  User pat\n", "bzz", "alice", 22,
	  NULL },
	{ "Host negation", "Host * !h\n  User neg\n", "h", "alice", 22, NULL },
	{ "Host negation first", "Host !x *\n  User neg\n", "h", "neg", 22, NULL },
	{ "Host negation only", "Host !x\n  User neg\n", "h", "alice", 22, NULL },
	{ "Host is case-sensitive", "Host DB\n  User up\n", "db", "alice", 22,
	  NULL },
	{ "Host quoted", "Host \"h\"\n  User q\n", "h", "q", 22, NULL },
	{ "Host comment", "Host h # x\n  User c\n", "h", "c", 22, NULL },
	{ "keys any case", "USER Up\nport 3\n", "h", "Up", 3, NULL },
	{ "Key=Value", "User=eq\nPort = 4\n", "h", "eq", 4, NULL },
	{ "Key =Value", "User =eq\n", "h", "eq", 22, NULL },
	{ "quoted value", "User \"a b\"\n", "h", "a b", 22, NULL },
	{ "single quotes", "User 'a b'\n", "h", "a b", 22, NULL },
	{ "quote inside a word", "User a\"b c\"d\n", "h", "ab cd", 22, NULL },
	{ "backslash escapes", "User a\\ b\\\"\n", "h", "a b\"", 22, NULL },
	{ "trailing comment", "User x # y\n", "h", "x", 22, NULL },
	{ "hash inside a word", "User a#b\n", "h", "a#b", 22, NULL },
	{ "CRLF", "Host h\r\n  User crlf\r\n", "h", "crlf", 22, NULL },
	{ "tabs", "\tUser\ttab\t\n", "h", "tab", 22, NULL },
	{ "no final newline", "User last", "h", "last", 22, NULL },
	{ "service port", "Port ssh\n", "h", "alice", 22, NULL },
	{ "Match all", "Match all\n  User all\n", "h", "all", 22, NULL },
	{ "Match !all", "Match !all\n  User no\n", "h", "alice", 22, NULL },
	{ "Match host uses HostName", "HostName real.example\n"
	  "Match host *.EXAMPLE\n  User mh\n", "alias", "mh", 22, NULL },
	{ "Match host %h in HostName", "HostName %h.example\n"
	  "Match host web.example\n  User mh\n", "web", "mh", 22, NULL },
	{ "Match host list", "Match host a,b,h\n  User ml\n", "h", "ml", 22, NULL },
	{ "Match host negated list", "Match host *,!h\n  User ml\n", "h", "alice",
	  22, NULL },
	{ "Match originalhost", "HostName other\nMatch originalhost H\n"
	  "  User mo\n", "h", "mo", 22, NULL },
	{ "Match user default", "Match user alice\n  Port 5\n", "h", "alice", 5,
	  NULL },
	{ "Match user set", "User bob\nMatch user bob\n  Port 6\n", "h", "bob", 6,
	  NULL },
	{ "Match user case-sensitive", "Match user ALICE\n  Port 6\n", "h",
	  "alice", 22, NULL },
	{ "Match localuser", "User bob\nMatch localuser alice\n  Port 7\n", "h",
	  "bob", 7, NULL },
	{ "Match !localuser", "Match !localuser alice\n  Port 7\n", "h", "alice",
	  22, NULL },
	{ "Match and", "Match host h user bob\n  Port 8\n", "h", "alice", 22,
	  NULL },
	{ "Match exec skipped", "Match exec true\n  Port 9\n", "h", "alice", 22,
	  NULL },
	{ "Match canonical skipped", "Match canonical all\n  Port 9\n", "h",
	  "alice", 22, NULL },
	{ "Match final skipped", "Match final host h\n  Port 9\n", "h", "alice",
	  22, NULL },
	{ "Host after Match", "Match exec true\n  Port 9\nHost *\n  Port 10\n",
	  "h", "alice", 10, NULL },
	{ "Include", "Include inc.conf\n", "h", "included", 1111, NULL },
	{ "Include in inactive block", "Host x\nInclude inc.conf\nHost *\n"
	  "User after\n", "h", "after", 22, NULL },
	{ "Include absolute, Match inside", "Host h\nInclude /abs/match.conf\n"
	  "User still\n", "h", "fromhost", 22, NULL },
	{ "Include no match", "Include nothing*\nUser x\n", "h", "x", 22, NULL },
	{ "unknown keys ignored", "Bogus option\nSendEnv LANG\nUser u\n", "h", "u",
	  22, NULL },
	{ "forwards ignored", "LocalForward 1 a:2\nRemoteForward 3 b:4\n"
	  "DynamicForward 5\nUser f\n", "h", "f", 22, NULL },
	{ "bad port", "Port abc\n", "h", NULL, 0, "config line 1: Bad port 'abc'." },
	{ "bad port inactive", "Host x\n  Port 0\n", "h", NULL, 0,
	  "config line 2: Bad port '0'." },
	{ "no argument", "User\n", "h", NULL, 0,
	  "config line 1: no argument after keyword \"user\"" },
	{ "only a comment", "User # x\n", "h", NULL, 0,
	  "config line 1: Missing argument for user." },
	{ "empty quotes", "User \"\"\n", "h", NULL, 0,
	  "config line 1: Missing argument for user." },
	{ "extra arguments", "User a b\n", "h", NULL, 0,
	  "config line 1: keyword user extra arguments at end of line" },
	{ "unbalanced quote", "Host h\nUser \"a\n", "h", NULL, 0,
	  "config line 2: invalid quotes" },
	{ "Host without pattern", "Host\n", "h", NULL, 0,
	  "config line 1: no argument after keyword \"host\"" },
	{ "Host empty pattern", "Host \"\"\n", "h", NULL, 0,
	  "config line 1: keyword host empty argument" },
	{ "Match nothing", "Match # x\n", "h", NULL, 0,
	  "config line 1: One or more attributes required for Match" },
	{ "Match missing criteria", "Match host\n", "h", NULL, 0,
	  "config line 1: Missing Match criteria for host" },
	{ "Match all with more", "Match all host h\n", "h", NULL, 0,
	  "config line 1: 'all' cannot be combined with other Match attributes" },
	{ "Match unknown", "Match colour blue\n", "h", NULL, 0,
	  "config line 1: Unsupported Match attribute colour" },
	{ "bad strict", "StrictHostKeyChecking maybe\n", "h", NULL, 0,
	  "config line 1: unsupported option \"maybe\"." },
	{ "bad time", "ConnectTimeout soon\n", "h", NULL, 0,
	  "config line 1: invalid time value." },
	{ "bad count", "ServerAliveCountMax 3x\n", "h", NULL, 0,
	  "config line 1: integer value 3x." },
	{ "bad agent", "IdentityAgent $A-B\n", "h", NULL, 0,
	  "config line 1: Invalid environment name $A-B." },
	{ "none not alone", "UserKnownHostsFile none /x\n", "h", NULL, 0,
	  "config line 1: keyword userknownhostsfile \"none\" argument must "
	  "appear alone." },
	{ "bad ProxyJump", "ProxyJump a@\n", "h", NULL, 0,
	  "config line 1: Invalid ProxyJump \"a@\"" },
	{ "bad HostName token", "HostName %r\n", "h", NULL, 0,
	  "HostName: unknown token %r in \"%r\"" },
	{ "Include loop", "Include loop\n", "h", NULL, 0,
	  "loop line 1: Too many recursive configuration includes" },
};

/* The table of small configurations. */
static void
test_config_cases(void)
{
	struct sshconf c;
	struct errmsg e, w;
	size_t i;
	int rc;

	for (i = 0; i < N(c_cases); i++) {
		const struct c_case *cc = &c_cases[i];

		rc = cfg(cc->text, cc->host, NULL, 0, NULL, 0, &c, &w, &e);
		if (cc->user != NULL) {
			if (!is_int(0, rc, "config %s: parses", cc->label))
				diag("%s", e.text);
			is_string(cc->user, c.user, "config %s: user", cc->label);
			is_int(cc->port, c.port, "config %s: port", cc->label);
			sshconf_free(&c);
		} else {
			is_int(-1, rc, "config %s: refused", cc->label);
			is_string(cc->msg, e.text, "config %s: message", cc->label);
		}
	}
}

/* Defaults, every key, ProxyJump, -o/-l/-p, warnings and Include. */
static void
test_config_details(void)
{
	static const char *const ids[] = { "~/.ssh/id_rsa", "~/.ssh/id_ecdsa",
		"~/.ssh/id_ecdsa_sk", "~/.ssh/id_ed25519", "~/.ssh/id_ed25519_sk",
		"~/.ssh/id_xmss", "~/.ssh/id_dsa" };
	static const char *const ukh[] = { "~/.ssh/known_hosts",
		"~/.ssh/known_hosts2" };
	static const char *const gkh[] = { "/etc/ssh/ssh_known_hosts",
		"/etc/ssh/ssh_known_hosts2" };
	static const char *const kh3[] = { "/k 1", "/k2", "%d/k3" };
	const char *opts[3];
	struct sshconf c;
	struct errmsg e, w;
	int rc;

	/* ssh's defaults. */
	rc = cfg("", "Web.Example", NULL, 0, NULL, 0, &c, &w, &e);
	is_int(0, rc, "defaults: parse");
	is_string("Web.Example", c.host, "defaults: host as given");
	is_string("web.example", c.hostname, "defaults: hostname lowercased");
	is_string("alice", c.user, "defaults: local user");
	is_int(22, c.port, "defaults: port 22");
	list_is(&c.identityfile, ids, N(ids), "defaults: identity files");
	list_is(&c.userknownhostsfile, ukh, N(ukh), "defaults: known_hosts");
	list_is(&c.globalknownhostsfile, gkh, N(gkh), "defaults: global");
	ok(c.stricthostkeychecking == SSHCONF_STRICT_ASK &&
	    c.serveralivecountmax == 3 && c.serveraliveinterval == 0 &&
	    c.connecttimeout == -1 && c.batchmode == 0 && c.identitiesonly == 0 &&
	    c.hashknownhosts == 0 && c.addressfamily == AF_UNSPEC &&
	    c.proxyusefdpass == 0, "defaults: the numbers and flags");
	ok(c.agent == SSHCONF_AGENT_ENV && strcmp(c.identityagent,
	    "SSH_AUTH_SOCK") == 0, "defaults: agent from SSH_AUTH_SOCK");
	ok(c.proxycommand == NULL && c.proxyjump == NULL && c.hostkeyalias == NULL,
	    "defaults: no proxy, no alias");
	is_int(1, c.fallback, "defaults: marked as fallback");
	ok(c.warning == NULL && w.text[0] == '\0', "defaults: no warning");
	sshconf_free(&c);

	/* An address literal keeps its case. */
	rc = cfg("HostName FE80::1\n", "x", NULL, 0, NULL, 0, &c, &w, &e);
	ok(rc == 0 && strcmp(c.hostname, "FE80::1") == 0,
	    "HostName address literal not lowercased");
	sshconf_free(&c);
	rc = cfg("HostName %h.Example.COM\n", "Web", NULL, 0, NULL, 0, &c, &w, &e);
	ok(rc == 0 && strcmp(c.hostname, "web.example.com") == 0 &&
	    strcmp(c.host, "Web") == 0, "HostName %%h expanded and lowercased");
	sshconf_free(&c);

	/* Every key this reader knows. */
	rc = cfg("Host h\n"
	    "  HostName real\n"
	    "  IdentityFile ~/a\n"
	    "  IdentityFile /b\n"
	    "  IdentityFile ~/a\n"
	    "  UserKnownHostsFile \"/k 1\" /k2 %d/k3\n"
	    "  GlobalKnownHostsFile none\n"
	    "  StrictHostKeyChecking off\n"
	    "  HostKeyAlias ali\n"
	    "  HashKnownHosts yes\n"
	    "  IdentitiesOnly true\n"
	    "  IdentityAgent ${SOCKDIR}/a.sock\n"
	    "  ServerAliveInterval 1m\n"
	    "  ServerAliveCountMax 7\n"
	    "  ConnectTimeout 5s\n"
	    "  ProxyCommand  nc -X connect -x \"p:1\" %h %p # not a comment\n"
	    "  ProxyUseFdpass yes\n"
	    "  BatchMode yes\n"
	    "  AddressFamily inet6\n"
	    "Host *\n"
	    "  IdentityFile ~/c\n"
	    "  UserKnownHostsFile /ignored\n"
	    "  ProxyJump ignored\n", "h", NULL, 0, NULL, 0, &c, &w, &e);
	if (!is_int(0, rc, "all keys: parse"))
		diag("%s", e.text);
	is_string("real", c.hostname, "all keys: hostname");
	{
		static const char *const three[] = { "~/a", "/b", "~/c" };
		list_is(&c.identityfile, three, N(three),
		    "all keys: identity files accumulate, duplicates dropped");
	}
	list_is(&c.userknownhostsfile, kh3, N(kh3),
	    "all keys: known hosts, first line wins, quotes kept together");
	is_int(0, (long long)c.globalknownhostsfile.count, "all keys: global none");
	is_int(SSHCONF_STRICT_NO, c.stricthostkeychecking, "all keys: strict off");
	is_str_or_null("ali", c.hostkeyalias, "all keys: alias");
	ok(c.hashknownhosts == 1 && c.identitiesonly == 1 && c.batchmode == 1 &&
	    c.proxyusefdpass == 1, "all keys: flags");
	ok(c.agent == SSHCONF_AGENT_PATH &&
	    strcmp(c.identityagent, "${SOCKDIR}/a.sock") == 0,
	    "all keys: agent path, unexpanded");
	ok(c.serveraliveinterval == 60 && c.serveralivecountmax == 7 &&
	    c.connecttimeout == 5, "all keys: times and count");
	is_str_or_null("nc -X connect -x \"p:1\" %h %p # not a comment",
	    c.proxycommand, "all keys: ProxyCommand is the raw rest of the line");
	ok(c.proxyjump == NULL, "all keys: ProxyJump after ProxyCommand ignored");
	is_int(AF_INET6, c.addressfamily, "all keys: inet6");
	sshconf_free(&c);

	/* ProxyJump first wins over a later ProxyCommand, and is printed as
	 * ssh -G prints it. */
	{
		static const struct { const char *in, *out; } pj[] = {
			{ "ops@bastion:2222", "ops@bastion:2222" },
			{ "bastion", "bastion" },
			{ "ssh://u@b.example:2200/", "u@b.example:2200" },
			{ "10.0.0.1", "[10.0.0.1]" },
			{ "[::1]:22", "[::1]:22" },
			{ "a,b@c:22", "a,b@c:22" },
			{ "a@x:22,ssh://c", "a@x:22,c" },
			{ "u@h:ssh", "u@h:22" },
		};
		char text[200];
		size_t i;

		for (i = 0; i < N(pj); i++) {
			snprintf(text, sizeof(text), "ProxyJump %s\nProxyCommand x\n",
			    pj[i].in);
			rc = cfg(text, "h", NULL, 0, NULL, 0, &c, &w, &e);
			ok(rc == 0 && c.proxycommand == NULL && c.proxyjump != NULL &&
			    strcmp(c.proxyjump, pj[i].out) == 0, "ProxyJump %s -> %s "
			    "(got %s)", pj[i].in, pj[i].out,
			    rc == 0 && c.proxyjump ? c.proxyjump : e.text);
			if (rc == 0)
				sshconf_free(&c);
		}
	}
	rc = cfg("ProxyCommand none\nProxyJump j\n", "h", NULL, 0, NULL, 0, &c, &w,
	    &e);
	ok(rc == 0 && c.proxycommand == NULL && c.proxyjump == NULL,
	    "ProxyCommand none still disables a later ProxyJump");
	sshconf_free(&c);
	rc = cfg("ProxyJump none\nProxyCommand pc\n", "h", NULL, 0, NULL, 0, &c,
	    &w, &e);
	ok(rc == 0 && c.proxycommand == NULL && c.proxyjump == NULL,
	    "ProxyJump none disables a later ProxyCommand");
	sshconf_free(&c);
	rc = cfg("ProxyCommand=ssh -W %h:%p j\n", "h", NULL, 0, NULL, 0, &c, &w,
	    &e);
	ok(rc == 0 && strcmp(c.proxycommand, "ssh -W %h:%p j") == 0,
	    "ProxyCommand=...");
	sshconf_free(&c);

	/* -o options come first, then -p and -l, then the file. */
	opts[0] = "User=fromopt";
	opts[1] = "ConnectTimeout 9";
	rc = cfg("User file\nPort 1\nConnectTimeout 2\n", "h", "fromlopt", 0, opts,
	    2, &c, &w, &e);
	ok(rc == 0 && strcmp(c.user, "fromopt") == 0 && c.port == 1 &&
	    c.connecttimeout == 9, "-o beats -l and the file");
	sshconf_free(&c);
	rc = cfg("User file\nPort 1\n", "h", "fromlopt", 2022, NULL, 0, &c, &w, &e);
	ok(rc == 0 && strcmp(c.user, "fromlopt") == 0 && c.port == 2022,
	    "-l and -p beat the file");
	sshconf_free(&c);
	rc = cfg("Match user fromlopt\n  Port 3\n", "h", "fromlopt", 0, NULL, 0, &c,
	    &w, &e);
	ok(rc == 0 && c.port == 3, "Match user sees -l");
	sshconf_free(&c);
	opts[0] = "Host x";
	rc = cfg("", "h", NULL, 0, opts, 1, &c, &w, &e);
	is_string("command-line line 0: Host directive not supported as a "
	    "command-line option", e.text, "-o Host refused");
	opts[0] = "Include x";
	rc = cfg("", "h", NULL, 0, opts, 1, &c, &w, &e);
	is_string("command-line line 0: Include directive not supported as a "
	    "command-line option", e.text, "-o Include refused");
	opts[0] = "Port=0x10";
	rc = cfg("", "h", NULL, 0, opts, 1, &c, &w, &e);
	is_string("command-line line 0: Bad port '0x10'.", e.text,
	    "-o Port=0x10 refused as ssh does");

	/* Warnings for skipped Match blocks. */
	rc = cfg("Host *\n\nMatch host h exec \"test -e /x\"\n  Port 9\n"
	    "Match canonical\n", "h", NULL, 0, NULL, 0, &c, &w, &e);
	ok(rc == 0 && c.port == 22, "Match exec: block skipped");
	is_string("config line 3: Match exec is not supported here; block skipped",
	    w.text, "Match exec: warning");
	is_string(w.text, c.warning, "Match exec: warning in the result");
	sshconf_free(&c);

	/* Include: anchoring, order, depth, system configuration. */
	fake_seen[0] = '\0';
	rc = cfg("Include two* /abs/x ~/y\nHost x\n  Include inc.conf\n", "h", NULL,
	    0, NULL, 0, &c, &w, &e);
	ok(rc == 0 && c.connecttimeout == 11 && c.serveraliveinterval == 22,
	    "Include: two files from one glob, in order");
	is_string("~/.ssh/two*;/abs/x;~/y;~/.ssh/inc.conf;", fake_seen,
	    "Include: relative paths under ~/.ssh; read even when inactive");
	ok(strcmp(c.user, "alice") == 0,
	    "Include in an inactive block sets nothing");
	sshconf_free(&c);
	{
		struct sshconf_local l;
		struct sshconf_params p;
		struct sshconf_parser *sp;
		const char *sys = "Include sys.conf\n";

		fake_local(&l);
		memset(&p, 0, sizeof(p));
		p.local = &l;
		p.include = fake_include;
		sp = sshconf_parser_new("h", &p, &e);
		ok(sp != NULL, "parser_new");
		rc = sshconf_parser_feed(sp, "user", "Port 5\n", 7, 1, &e);
		rc |= sshconf_parser_feed(sp, "/etc/ssh/ssh_config", sys, strlen(sys),
		    0, &e);
		rc |= sshconf_parser_finish(sp, &c, NULL, &e);
		ok(rc == 0 && c.port == 5 && c.hostkeyalias != NULL &&
		    strcmp(c.hostkeyalias, "sysalias") == 0,
		    "system config: relative Include under /etc/ssh");
		sshconf_parser_free(sp);
		sshconf_free(&c);
		sp = sshconf_parser_new("h", &p, &e);
		rc = sshconf_parser_feed(sp, "/etc/ssh/ssh_config", "Include ~/x\n",
		    12, 0, &e);
		is_string("/etc/ssh/ssh_config line 1: bad include path ~/x.", e.text,
		    "system config: ~ refused in Include");
		sshconf_parser_free(sp);
		p.include = NULL;
		sp = sshconf_parser_new("h", &p, &e);
		rc = sshconf_parser_feed(sp, "f", "Include x\n", 10, 1, &e);
		is_string("f line 1: Include is not supported here", e.text,
		    "no include callback: Include refused");
		sshconf_parser_free(sp);
		sshconf_parser_free(NULL);
	}
}

/* --- real files and real ssh ----------------------------------------- */

/* The mkdtemp(3) directory for this run's files. */
static char tmpdir[64];

/* Write text to tmpdir/name with mode; returns the path (static buffer
 * per call slot). */
static const char *
put(const char *name, const char *text, mode_t mode)
{
	static char paths[16][128];
	static size_t next;
	char *path = paths[next++ % N(paths)];
	int fd;

	snprintf(path, 128, "%s/%s", tmpdir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd == -1)
		sysbail("create %s", path);
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		sysbail("write %s", path);
	if (fchmod(fd, mode) == -1)
		sysbail("chmod %s", path);
	close(fd);
	return path;
}

/* Is there no child left, zombie or not? */
static int
no_children(void)
{
	int st;

	return waitpid(-1, &st, WNOHANG) == -1 && errno == ECHILD;
}

/* Include through sshconf_include_files() and real temporary files. */
static void
test_include_files(void)
{
	struct sshconf_local l;
	struct sshconf_params p;
	struct sshconf c;
	struct errmsg e, w;
	char text[512];
	int rc;

	fake_local(&l);
	memset(&p, 0, sizeof(p));
	p.local = &l;
	p.include = sshconf_include_files;
	p.include_arg = &l;
	put("inc-a.conf", "Host h\n  User from_a\n", 0644);
	put("inc-b.conf", "Host h\n  User from_b\n  Port 2001\n", 0600);
	put("inc-c.conf", "Host h\n  Port 3003\n", 0600);
	snprintf(text, sizeof(text), "Include %s/inc-[ab].conf %s/none-*.conf\n"
	    "Host h\n  Include %s/inc-c.conf\n  Port 4004\n", tmpdir, tmpdir,
	    tmpdir);
	rc = sshconf_parse_config(text, strlen(text), "h", &p, &c, &w, &e);
	if (!is_int(0, rc, "real Include: parses"))
		diag("%s", e.text);
	ok(rc == 0 && strcmp(c.user, "from_a") == 0 && c.port == 2001,
	    "real Include: glob order, first value wins");
	sshconf_free(&c);

	put("inc-a.conf", "User bad\n", 0666);
	rc = sshconf_parse_config(text, strlen(text), "h", &p, &c, &w, &e);
	snprintf(text, sizeof(text), "Bad owner or permissions on %s/inc-a.conf",
	    tmpdir);
	is_int(-1, rc, "real Include: group/world-writable file refused");
	is_string(text, e.text, "real Include: message");
	put("inc-a.conf", "User fine\n", 0644);

	/* "~/" in an Include is the local home. */
	strcpy(l.home, tmpdir);
	rc = sshconf_parse_config("Include ~/inc-a.conf\n", 21, "h", &p, &c, &w,
	    &e);
	ok(rc == 0 && strcmp(c.user, "fine") == 0, "real Include: ~/ is home");
	sshconf_free(&c);
}

/* The fields both ways must agree on. */
static void
same(const struct sshconf *a, const struct sshconf *b, const char *label)
{
	size_t i;
	int good;

	is_string(a->host, b->host, "%s: host", label);
	is_string(a->hostname, b->hostname, "%s: hostname", label);
	is_string(a->user, b->user, "%s: user", label);
	is_int(a->port, b->port, "%s: port", label);
	good = a->identityfile.count == b->identityfile.count;
	for (i = 0; good && i < a->identityfile.count; i++)
		good = strcmp(a->identityfile.item[i], b->identityfile.item[i]) == 0;
	if (!ok(good, "%s: identity files", label))
		for (i = 0; i < a->identityfile.count || i < b->identityfile.count; i++)
			diag("%s | %s", i < a->identityfile.count ?
			    a->identityfile.item[i] : "-", i < b->identityfile.count ?
			    b->identityfile.item[i] : "-");
	good = a->userknownhostsfile.count == b->userknownhostsfile.count;
	for (i = 0; good && i < a->userknownhostsfile.count; i++)
		good = strcmp(a->userknownhostsfile.item[i],
		    b->userknownhostsfile.item[i]) == 0;
	if (!ok(good, "%s: user known hosts", label))
		for (i = 0; i < a->userknownhostsfile.count ||
		    i < b->userknownhostsfile.count; i++)
			diag("%s | %s", i < a->userknownhostsfile.count ?
			    a->userknownhostsfile.item[i] : "-",
			    i < b->userknownhostsfile.count ?
			    b->userknownhostsfile.item[i] : "-");
	good = a->globalknownhostsfile.count == b->globalknownhostsfile.count;
	for (i = 0; good && i < a->globalknownhostsfile.count; i++)
		good = strcmp(a->globalknownhostsfile.item[i],
		    b->globalknownhostsfile.item[i]) == 0;
	ok(good, "%s: global known hosts", label);
	is_int(a->stricthostkeychecking, b->stricthostkeychecking, "%s: strict",
	    label);
	is_str_or_null(a->hostkeyalias, b->hostkeyalias, "%s: hostkeyalias",
	    label);
	is_int(a->hashknownhosts, b->hashknownhosts, "%s: hashknownhosts", label);
	is_int(a->identitiesonly, b->identitiesonly, "%s: identitiesonly", label);
	is_int(a->agent, b->agent, "%s: agent kind", label);
	is_str_or_null(a->identityagent, b->identityagent, "%s: identityagent",
	    label);
	is_int(a->serveraliveinterval, b->serveraliveinterval,
	    "%s: serveraliveinterval", label);
	is_int(a->serveralivecountmax, b->serveralivecountmax,
	    "%s: serveralivecountmax", label);
	is_int(a->connecttimeout, b->connecttimeout, "%s: connecttimeout", label);
	is_str_or_null(a->proxycommand, b->proxycommand, "%s: proxycommand",
	    label);
	is_str_or_null(a->proxyjump, b->proxyjump, "%s: proxyjump", label);
	is_int(a->proxyusefdpass, b->proxyusefdpass, "%s: proxyusefdpass", label);
	is_int(a->batchmode, b->batchmode, "%s: batchmode", label);
	is_int(a->addressfamily, b->addressfamily, "%s: addressfamily", label);
}

/* The configuration of the end-to-end test. */
static const char e2e_config[] =
	"Host db\n"
	"  HostName DB.Internal.Example\n"
	"  User dbuser\n"
	"  Port 2201\n"
	"  IdentityFile ~/.ssh/id_%h_%r\n"
	"  IdentityFile /keys/%u@%L-%p-%i\n"
	"  IdentityFile ${HOME}/k\n"
	"  ProxyCommand jumpcat -x proxy:8080 %h %p\n"
	"  ServerAliveInterval 15\n"
	"  ServerAliveCountMax 5\n"
	"  ConnectTimeout 1m\n"
	"  StrictHostKeyChecking accept-new\n"
	"  UserKnownHostsFile ~/.ssh/kh_%C %d/kh2 /k/%n-%k\n"
	"  HostKeyAlias dbalias\n"
	"  IdentityAgent ~/.ssh/agent.%h.sock\n"
	"  LocalForward 3306 localhost:3306\n"
	"Host jumped\n"
	"  HostName 10.1.2.3\n"
	"  ProxyJump ops@bastion.example:2222\n"
	"  ProxyCommand ignored %h\n"
	"  Port 22022\n"
	"  IdentityAgent none\n"
	"Host *.corp\n"
	"  User corpuser\n"
	"  UserKnownHostsFile none\n"
	"Match originalhost web*\n"
	"  Port 8443\n"
	"  StrictHostKeyChecking no\n"
	"Match user bob\n"
	"  ProxyJump b1,b2:2200\n"
	"Host *\n"
	"  ServerAliveInterval 60\n"
	"  IdentitiesOnly yes\n"
	"  HashKnownHosts yes\n"
	"  BatchMode yes\n"
	"  AddressFamily inet\n"
	"  GlobalKnownHostsFile /etc/ssh/kh1 ~/kh-not-expanded\n";

/* Resolve q twice, through ssh and through the fallback, and compare. */
static void
e2e(const struct sshconf_query *q, const char *label)
{
	struct sshconf a, b;
	struct errmsg e;
	int rc;

	setenv("HOPKIT_SSH", "/usr/bin/ssh", 1);
	rc = sshconf_resolve(q, &a, &e);
	if (!is_int(0, rc, "%s: resolved by ssh -G", label))
		diag("%s", e.text);
	setenv("HOPKIT_SSH", "/nonexistent/ssh", 1);
	rc = sshconf_resolve(q, &b, &e);
	if (!is_int(0, rc, "%s: resolved by the fallback", label))
		diag("%s", e.text);
	is_int(0, a.fallback, "%s: first answer from ssh", label);
	is_int(1, b.fallback, "%s: second from the fallback", label);
	same(&a, &b, label);
	sshconf_free(&a);
	sshconf_free(&b);
	ok(no_children(), "%s: no child left", label);
}

/* sshconf_resolve() end to end: real ssh, the fallback, and failures. */
static void
test_resolve(void)
{
	struct sshconf_query q;
	struct sshconf c;
	struct sshconf_local l;
	struct errmsg e;
	const char *cfgpath, *script, *opts[4];
	char want[SSHCONF_PATH_MAX + 256], path[SSHCONF_PATH_MAX + 64];
	char *text = NULL;
	struct stat st;
	double t0;
	int rc, fd;
	ssize_t n;

	if (access("/usr/bin/ssh", X_OK) != 0)
		bail("/usr/bin/ssh is needed for this test (openssh-client)");
	if (sshconf_local_init(&l, &e) == -1)
		bail("sshconf_local_init: %s", e.text);
	cfgpath = put("e2e.conf", e2e_config, 0600);
	memset(&q, 0, sizeof(q));
	q.config = cfgpath;

	q.destination = "db";
	setenv("HOPKIT_SSH", "/usr/bin/ssh", 1);
	rc = sshconf_resolve(&q, &c, &e);
	if (!is_int(0, rc, "e2e db: resolves"))
		diag("%s", e.text);
	is_string("db.internal.example", c.hostname, "e2e db: hostname");
	is_string("dbuser", c.user, "e2e db: user");
	is_int(2201, c.port, "e2e db: port");
	snprintf(want, sizeof(want), "%s/.ssh/id_db.internal.example_dbuser",
	    l.home);
	ok(c.identityfile.count == 3 && strcmp(c.identityfile.item[0], want) == 0,
	    "e2e db: identity file expanded (%s)", c.identityfile.count ?
	    c.identityfile.item[0] : "none");
	is_str_or_null("jumpcat -x proxy:8080 %h %p", c.proxycommand,
	    "e2e db: proxycommand, tokens left for proxycmd_expand");
	ok(c.proxyjump == NULL, "e2e db: no proxyjump");
	is_int(15, c.serveraliveinterval, "e2e db: serveraliveinterval");
	is_int(60, c.connecttimeout, "e2e db: connecttimeout 1m");
	snprintf(want, sizeof(want), "%s/.ssh/agent.db.internal.example.sock",
	    l.home);
	is_str_or_null(want, c.identityagent, "e2e db: agent path");
	sshconf_free(&c);

	e2e(&q, "e2e db");
	q.destination = "jumped";
	e2e(&q, "e2e jumped");
	q.destination = "bob@web1.corp";
	e2e(&q, "e2e bob@web1.corp");
	q.destination = "Web2.Corp";
	q.port = 2022;
	q.user = "carol";
	e2e(&q, "e2e -p -l Web2.Corp");
	opts[0] = "User=optuser";
	opts[1] = "ConnectTimeout=3";
	opts[2] = "ProxyCommand=nc %h %p";
	opts[3] = "UserKnownHostsFile=/x/%h ~/y";
	q.options = opts;
	q.noptions = 4;
	q.destination = "someone@db";
	q.port = 0;
	q.user = NULL;
	e2e(&q, "e2e -o");
	q.options = NULL;
	q.noptions = 0;
	q.destination = "ssh://uri@db:2202/";
	e2e(&q, "e2e ssh:// URI");
	q.destination = "at@";
	rc = sshconf_resolve(&q, &c, &e);
	is_int(-1, rc, "destination without a host: refused by ssh");
	setenv("HOPKIT_SSH", "/nonexistent/ssh", 1);
	rc = sshconf_resolve(&q, &c, &e);
	is_string("invalid destination \"at@\": no host", e.text,
	    "destination without a host: refused by the fallback");

	/* With no -F: ~/.ssh/config and /etc/ssh/ssh_config (and its
	 * Include of the ssh_config.d files), compared only where the user has
	 * no ~/.ssh/config of their own, which could hold what the fallback
	 * does not read (Match exec). */
	snprintf(path, sizeof(path), "%s/.ssh/config", l.home);
	q.config = NULL;
	q.destination = "somehost.example";
	if (stat(path, &st) == 0)
		skip("%s exists; not comparing the default files", path);
	else
		e2e(&q, "e2e default files");
	q.config = cfgpath;

	/* ssh runs and fails: its first line of stderr is the error. */
	setenv("HOPKIT_SSH", "/usr/bin/ssh", 1);
	q.destination = "db";
	q.config = "/nonexistent/config";
	rc = sshconf_resolve(&q, &c, &e);
	is_int(-1, rc, "bad -F: refused");
	is_string("/usr/bin/ssh -G: Can't open user config file "
	    "/nonexistent/config: No such file or directory", e.text,
	    "bad -F: ssh's message");
	setenv("HOPKIT_SSH", "/nonexistent/ssh", 1);
	rc = sshconf_resolve(&q, &c, &e);
	is_string("Can't open user config file /nonexistent/config: No such file "
	    "or directory", e.text, "bad -F: the fallback says the same");
	q.config = cfgpath;
	setenv("HOPKIT_SSH", "/usr/bin/ssh", 1);
	opts[0] = "Bogus=1";
	q.options = opts;
	q.noptions = 1;
	rc = sshconf_resolve(&q, &c, &e);
	is_string("/usr/bin/ssh -G: command-line: line 0: Bad configuration "
	    "option: bogus", e.text, "bad -o: ssh's message");
	opts[0] = "Port=99999";
	rc = sshconf_resolve(&q, &c, &e);
	is_string("/usr/bin/ssh -G: command-line line 0: Bad port '99999'.",
	    e.text, "bad -o Port: ssh's message");
	setenv("HOPKIT_SSH", "/nonexistent/ssh", 1);
	rc = sshconf_resolve(&q, &c, &e);
	is_string("command-line line 0: Bad port '99999'.", e.text,
	    "bad -o Port: the fallback's message");
	q.options = NULL;
	q.noptions = 0;
	ok(no_children(), "failures: no child left");

	/* Refused destinations. */
	q.destination = "-oProxyCommand=x";
	rc = sshconf_resolve(&q, &c, &e);
	is_string("invalid destination \"-oProxyCommand=x\": must not start with "
	    "'-'", e.text, "destination starting with '-' refused");
	q.destination = "";
	rc = sshconf_resolve(&q, &c, &e);
	is_string("missing destination", e.text, "empty destination refused");

	/* The argv, stdin and environment ssh is given; shell metacharacters
	 * reach it untouched. */
	snprintf(want, sizeof(want), "#!/bin/sh\n"
	    "{ for a in \"$@\"; do printf '[%%s]' \"$a\"; done; echo;\n"
	    "  readlink /proc/self/fd/0; ls /proc/self/fd | wc -l; } >%s/argv\n"
	    "echo 'Warning: just testing' >&2\n"
	    "exec /usr/bin/ssh \"$@\"\n", tmpdir);
	script = put("wrap-ssh", want, 0755);
	setenv("HOPKIT_SSH", script, 1);
	opts[0] = "ProxyCommand=echo $(id) `id` ; rm -rf /nonexistent";
	opts[1] = "User=\"a b\"";
	q.options = opts;
	q.noptions = 2;
	q.destination = "o@db";
	q.port = 2022;
	q.user = "lu";
	rc = sshconf_resolve(&q, &c, &e);
	if (!is_int(0, rc, "wrapper: resolves"))
		diag("%s", e.text);
	is_str_or_null("echo $(id) `id` ; rm -rf /nonexistent", c.proxycommand,
	    "wrapper: -o value passed verbatim");
	is_string("a b", c.user, "wrapper: -o User quoted, with a space");
	snprintf(want, sizeof(want), "%s: Warning: just testing", script);
	is_str_or_null(want, c.warning, "wrapper: stderr line kept as a warning");
	sshconf_free(&c);
	snprintf(path, sizeof(path), "%s/argv", tmpdir);
	fd = open(path, O_RDONLY);
	text = calloc(1, 4096);
	n = fd == -1 ? -1 : read(fd, text, 4095);
	if (fd != -1)
		close(fd);
	snprintf(want, sizeof(want), "[-G][-F][%s][-o][ProxyCommand=echo $(id) "
	    "`id` ; rm -rf /nonexistent][-o][User=\"a b\"][-p][2022][-l][lu][--]"
	    "[o@db]\n/dev/null\n4\n", cfgpath);
	ok(n > 0, "wrapper: recorded its arguments");
	is_string(want, text, "wrapper: argv, stdin /dev/null, fds 0-2 only");
	free(text);
	q.options = NULL;
	q.noptions = 0;
	q.port = 0;
	q.user = NULL;
	q.destination = "db";

	/* A program that is not ssh. */
	setenv("HOPKIT_SSH", "/bin/true", 1);
	rc = sshconf_resolve(&q, &c, &e);
	is_string("/bin/true -G: ssh -G output has no host", e.text,
	    "HOPKIT_SSH=/bin/true: no output");
	setenv("HOPKIT_SSH", "/bin/false", 1);
	rc = sshconf_resolve(&q, &c, &e);
	is_string("/bin/false -G exited with status 1", e.text,
	    "HOPKIT_SSH=/bin/false: the exit status");
	setenv("HOPKIT_SSH", put("notexec", "#!/bin/sh\n", 0644), 1);
	rc = sshconf_resolve(&q, &c, &e);
	ok(rc == -1 && strstr(e.text, "cannot run") != NULL &&
	    strstr(e.text, "Permission denied") != NULL,
	    "not executable: an error, not the fallback (%s)", e.text);
	setenv("HOPKIT_SSH", "hopkit-no-such-ssh", 1);
	rc = sshconf_resolve(&q, &c, &e);
	ok(rc == 0 && c.fallback == 1, "not in PATH: the fallback");
	sshconf_free(&c);

	/* Too much output, and a hang: killed and reaped, in bounded time. */
	setenv("HOPKIT_SSH", put("flood", "#!/bin/sh\nexec yes\n", 0755), 1);
	rc = sshconf_resolve(&q, &c, &e);
	snprintf(want, sizeof(want), "%s/flood -G: printed more than %d bytes",
	    tmpdir, SSHCONF_OUTPUT_MAX);
	is_string(want, e.text, "flood: refused");
	ok(no_children(), "flood: reaped");
	setenv("HOPKIT_SSH", put("hang", "#!/bin/sh\nexec sleep 60\n", 0755), 1);
	q.timeout = 0.5;
	t0 = tap_now();
	rc = sshconf_resolve(&q, &c, &e);
	snprintf(want, sizeof(want), "%s/hang -G: did not finish within 0.5 s "
	    "(killed)", tmpdir);
	is_string(want, e.text, "hang: timed out");
	ok(tap_now() - t0 < 3, "hang: bounded (%.2f s)", tap_now() - t0);
	ok(no_children(), "hang: killed and reaped");
	setenv("HOPKIT_SSH", put("hang2", "#!/bin/sh\nexec >&- 2>&-\n"
	    "exec sleep 60\n", 0755), 1);
	t0 = tap_now();
	rc = sshconf_resolve(&q, &c, &e);
	ok(rc == -1 && strstr(e.text, "did not finish") != NULL &&
	    tap_now() - t0 < 3, "hang with stdout closed: timed out (%s)", e.text);
	ok(no_children(), "hang with stdout closed: reaped");
	q.timeout = 0;
	unsetenv("HOPKIT_SSH");
}

/* Remove the temporary directory and everything in it. */
static void
cleanup(void)
{
	char cmd[128];

	if (tmpdir[0] == '\0')
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		diag("could not remove %s", tmpdir);
}

int
main(void)
{
	plan_lazy();
	strcpy(tmpdir, "/tmp/hopkit-sshconf-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		sysbail("mkdtemp");
	atexit(cleanup);

	test_g_captured();
	test_g_edges();
	test_expand();
	test_config_cases();
	test_config_details();
	test_include_files();
	test_resolve();
	ok(no_children(), "no child left at the end");
	return 0;
}
