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
	t/fwdpipe-jump.t
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
EXTRA_DIST += t/tap/netns.sh
