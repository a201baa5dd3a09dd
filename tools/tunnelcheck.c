/*
 * tunnelcheck: one Nagios-style check of one tunnel or jump path: TCP,
 * the SSH identification, a pinned host key, a login, or send/expect;
 * directly, through a proxy (-x) or jump hosts (-J); or a running
 * fwdpipe's status (--status).
 * SPDX-License-Identifier: MIT
 *
 * tunnelcheck_args.c parses the options; this file runs the check and
 * writes the result.  lib/probe.c does the check, lib/check.c judges it
 * and lib/report.c writes it.  Everything goes to stdout, as the
 * monitoring-plugins guidelines ask: the library's log is collected and
 * shown as long output with -vv.
 *
 * Exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (a usage error
 * too, and --help and --version, as the monitoring-plugins do).
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "log.h"
#include "status_client.h"
#include "tunnelcheck.h"

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
