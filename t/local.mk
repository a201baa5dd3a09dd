# t/local.mk: test helpers and integration tests, included by Makefile.am.
# SPDX-License-Identifier: MIT
#
# The integration tests (t/*.t) are bash TAP scripts that drive the real
# binaries against real servers started by t/tap/fixtures.sh on free
# loopback ports; t/helper/tcpserv is the small TCP server they use.

check_PROGRAMS += t/helper/tcpserv t/helper/ptyrun t/helper/fakeproxy
t_helper_tcpserv_SOURCES = t/helper/tcpserv.c
t_helper_ptyrun_SOURCES = t/helper/ptyrun.c
t_helper_fakeproxy_SOURCES = t/helper/fakeproxy.c

INTEGRATION_TESTS += \
	t/jumpcat-usage.t \
	t/jumpcat-addr.t \
	t/jumpcat-halfclose.t \
	t/jumpcat-data.t \
	t/jumpcat-ssh.t \
	t/jumpcat-tty.t \
	t/jumpcat-proxy-http.t \
	t/jumpcat-proxy-socks.t \
	t/jumpcat-proxy-faults.t \
	t/jumpcat-proxy-env.t \
	t/jumpcat-tls.t

EXTRA_DIST += $(INTEGRATION_TESTS) t/tap/libtap.sh t/tap/fixtures.sh

# Helpers share their listener and port file code (t/helper/listen.c);
# fakeproxy's modes live in their own files, and its Digest modes check
# the client's answer with OpenSSL.
t_helper_tcpserv_SOURCES += t/helper/listen.c t/helper/listen.h
t_helper_fakeproxy_SOURCES += t/helper/fakeproxy.h \
	t/helper/listen.c t/helper/listen.h \
	t/helper/proxyio.c t/helper/proxyio.h \
	t/helper/fakehttp.c t/helper/fakehttp.h \
	t/helper/fakesocks.c t/helper/fakesocks.h \
	t/helper/digest.c t/helper/digest.h
t_helper_fakeproxy_LDADD = $(OPENSSL_LIBS)

INTEGRATION_TESTS += \
	t/jumpcat-proxy-creds.t \
	t/jumpcat-proxy-digest.t \
	t/jumpcat-proxy-fdpass.t \
	t/jumpcat-timeouts.t

# The SSH layer: sshmux drives lib/ssh directly (many channels at once).
check_PROGRAMS += t/helper/sshmux
t_helper_sshmux_SOURCES = t/helper/sshmux.c
t_helper_sshmux_LDADD = $(HOPKIT_LIBS)
INTEGRATION_TESTS += \
	t/jumpcat-jump.t \
	t/lib-ssh.t

# fwdpipe: forwards, their SOCKS side, recovery, systemd, jump hosts.
INTEGRATION_TESTS += \
	t/fwdpipe-usage.t \
	t/fwdpipe-forward.t \
	t/fwdpipe-socks.t \
	t/fwdpipe-recover.t \
	t/fwdpipe-systemd.t \
	t/fwdpipe-jump.t \
	t/fwdpipe-limits.t
EXTRA_DIST += t/tap/fixtures-fwd.sh

# tunnelcheck: states, probes, output formats, usage, paths (proxies, jump
# hosts, the reverse tunnel), fwdpipe's status, and the Nagios and Icinga 2
# definitions in contrib/.
INTEGRATION_TESTS += \
	t/tunnelcheck-usage.t \
	t/tunnelcheck-states.t \
	t/tunnelcheck-probes.t \
	t/tunnelcheck-formats.t \
	t/tunnelcheck-paths.t \
	t/tunnelcheck-status.t \
	t/tunnelcheck-contrib.t

# contrib/: the shell completions, and the ssh_config example's patterns.
INTEGRATION_TESTS += t/contrib-completion.t t/contrib-ssh-config.t \
	t/contrib-authorized-keys.t

# make install DESTDIR=... puts exactly the expected files; uninstall.
INTEGRATION_TESTS += t/install.t

# The README's walk-throughs, run as written against local stand-ins.
INTEGRATION_TESTS += \
	t/walkthrough-database.t \
	t/walkthrough-gpu-api.t \
	t/walkthrough-systemd.t \
	t/walkthrough-proxy.t \
	t/walkthrough-support.t
EXTRA_DIST += t/tap/readme.sh

# Network faults: test hosts in network namespaces (t/tap/netns.sh), and a
# relay that delays every byte (t/helper/delayrelay).
check_PROGRAMS += t/helper/delayrelay
t_helper_delayrelay_SOURCES = t/helper/delayrelay.c \
	t/helper/listen.c t/helper/listen.h
INTEGRATION_TESTS += \
	t/netfault-data.t \
	t/netfault-blackhole.t \
	t/netfault-flap.t
EXTRA_DIST += t/tap/netns.sh t/tap/netfault-fwd.sh

# Every fuzz harness, linked with t/fuzz/replay.c instead of libFuzzer, runs
# over its corpus in make check (t/fuzz-corpus.t): each seed, each input a
# fuzzing run kept and each input that once crashed is a regression test,
# under the sanitizers in CI's first pass.
FUZZ_REPLAYS = t/fuzz/endpoint-replay \
	t/fuzz/fwdspec-replay \
	t/fuzz/knownhosts-replay \
	t/fuzz/proxy_http-replay \
	t/fuzz/proxy_socks-replay \
	t/fuzz/proxy_url-replay \
	t/fuzz/range-replay \
	t/fuzz/socks_server-replay \
	t/fuzz/sshconf-replay \
	t/fuzz/sshident-replay \
	t/fuzz/sshkey-replay \
	t/fuzz/status-replay \
	t/fuzz/permit-replay
check_PROGRAMS += $(FUZZ_REPLAYS)
t_fuzz_endpoint_replay_SOURCES = t/fuzz/endpoint-fuzz.c t/fuzz/replay.c
t_fuzz_endpoint_replay_LDADD = $(HOPKIT_LIBS)
t_fuzz_fwdspec_replay_SOURCES = t/fuzz/fwdspec-fuzz.c t/fuzz/replay.c
t_fuzz_fwdspec_replay_LDADD = $(HOPKIT_LIBS)
t_fuzz_knownhosts_replay_SOURCES = t/fuzz/knownhosts-fuzz.c t/fuzz/replay.c
t_fuzz_knownhosts_replay_LDADD = $(HOPKIT_LIBS)
t_fuzz_proxy_http_replay_SOURCES = t/fuzz/proxy_http-fuzz.c t/fuzz/replay.c
t_fuzz_proxy_http_replay_LDADD = $(HOPKIT_LIBS)
t_fuzz_proxy_socks_replay_SOURCES = t/fuzz/proxy_socks-fuzz.c t/fuzz/replay.c
t_fuzz_proxy_socks_replay_LDADD = $(HOPKIT_LIBS)
t_fuzz_proxy_url_replay_SOURCES = t/fuzz/proxy_url-fuzz.c t/fuzz/replay.c
t_fuzz_proxy_url_replay_LDADD = $(HOPKIT_LIBS)
t_fuzz_range_replay_SOURCES = t/fuzz/range-fuzz.c t/fuzz/replay.c
t_fuzz_range_replay_LDADD = $(HOPKIT_LIBS) -lm
t_fuzz_socks_server_replay_SOURCES = t/fuzz/socks_server-fuzz.c t/fuzz/replay.c
t_fuzz_socks_server_replay_LDADD = $(HOPKIT_LIBS)
t_fuzz_sshconf_replay_SOURCES = t/fuzz/sshconf-fuzz.c t/fuzz/replay.c
t_fuzz_sshconf_replay_LDADD = $(HOPKIT_LIBS)
t_fuzz_sshident_replay_SOURCES = t/fuzz/sshident-fuzz.c t/fuzz/replay.c
t_fuzz_sshident_replay_LDADD = $(HOPKIT_LIBS)
t_fuzz_sshkey_replay_SOURCES = t/fuzz/sshkey-fuzz.c t/fuzz/replay.c
t_fuzz_sshkey_replay_LDADD = $(HOPKIT_LIBS)
t_fuzz_status_replay_SOURCES = t/fuzz/status-fuzz.c t/fuzz/replay.c
t_fuzz_status_replay_LDADD = $(HOPKIT_LIBS)
t_fuzz_permit_replay_SOURCES = t/fuzz/permit-fuzz.c t/fuzz/replay.c
t_fuzz_permit_replay_LDADD = $(HOPKIT_LIBS)
INTEGRATION_TESTS += t/fuzz-corpus.t

# Issue 7's safe defaults, each promise in one file for all three tools:
# private listeners, CONNECT only on -D, --permit-open, credential and key
# file modes, no secrets in argv, logs or status, the host-key policy.
INTEGRATION_TESTS += \
	t/safe-listen.t \
	t/safe-socks.t \
	t/safe-permit.t \
	t/safe-files.t \
	t/safe-secrets.t \
	t/safe-hostkeys.t
EXTRA_DIST += t/tap/fixtures-safe.sh
