#!/bin/bash
# jumpcat-proxy-faults.t: proxies that misbehave (t/helper/fakeproxy).
# Garbage instead of a status line, a reply cut off, 20 KiB of headers, a
# reply one byte per 100 ms past -w, a SOCKS5 reply with the wrong version:
# each is one line naming the proxy, a documented exit code, and no hang.
# Tunnel bytes in the same write as the reply are not lost.
# SPDX-License-Identifier: MIT

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"

JUMPCAT=$top_builddir/tools/jumpcat
fixture_require "$JUMPCAT" timeout sha256sum ssh
fixture_tmpdir
fixture_sshd_start
head -c 16M /dev/urandom >"$T_TMP/src"
fixture_tcpserv source -f "$T_TMP/src"
PSRC=$TCPSERV_PORT
plan_lazy

# fault MODE EXIT REGEX [JUMPCAT-ARG...]: through a fakeproxy in MODE,
# jumpcat exits EXIT within 15 s with one stderr line matching REGEX.
fault() {
	local mode=$1 want=$2 re=$3 scheme=http
	shift 3
	[[ $mode == socks* ]] && scheme=socks5
	fixture_fakeproxy "$mode"
	run timeout 30 "$JUMPCAT" "$@" -x "$scheme://127.0.0.1:$FAKEPROXY_PORT" 127.0.0.1 "$PSRC" </dev/null
	is_int "$want" "$RUN_RC" "$mode: exit $want (124 would be a hang)"
	like "^jumpcat: proxy 127\.0\.0\.1:$FAKEPROXY_PORT[: ]$re" "$RUN_ERR" "$mode: one line naming the proxy and the fault"
	ok "$mode: over within 15 s (${RUN_MS} ms)" test "$RUN_MS" -lt 15000
	is "" "$RUN_OUT" "$mode: nothing on stdout"
}

fault http-garbage 4 '.*not an HTTP reply.*SSH-2\.0'
fault http-cut 4 '.*closed the connection in the middle of its reply'
fault http-bigheaders 4 '.*16 KiB'
fault http-slow 4 '.*within 1 s' -w 1
fault http-407 3 'refused CONNECT to 127\.0\.0\.1:[0-9]+: 407 Proxy Authentication Required'
fault socks5-badver 4 '.*version'

# The tunnel's first bytes in the same write as "200": none lost.
fixture_fakeproxy http-tunnel
PTUN=$FAKEPROXY_PORT
timeout 60 "$JUMPCAT" -x "http://127.0.0.1:$PTUN" 127.0.0.1 "$PSRC" </dev/null >"$T_TMP/out" 2>"$T_TMP/err"
is_int 0 $? "tunnel bytes with the reply: exit 0"
is "$(sha256sum <"$T_TMP/src")" "$(sha256sum <"$T_TMP/out")" \
	"tunnel bytes with the reply: all 16 MiB arrived, none lost"
run timeout 60 ssh -F "$SSH_CONFIG" -p "$SSHD_PORT" \
	-o "ProxyCommand=$JUMPCAT -x http://127.0.0.1:$PTUN %h %p" 127.0.0.1 echo banner-ok </dev/null
is "0:banner-ok" "$RUN_RC:$RUN_OUT" "SSH banner in the same write as the reply: ssh logs in" ||
	diag "ssh stderr: $RUN_ERR"
# An IPv6 proxy address and an IPv6 target over HTTP CONNECT.
fixture_tcpserv source -6 -f "$T_TMP/src"
PSRC6=$TCPSERV_PORT
fixture_fakeproxy http-tunnel -6
timeout 60 "$JUMPCAT" -x "http://[::1]:$FAKEPROXY_PORT" ::1 "$PSRC6" </dev/null >"$T_TMP/out6" 2>"$T_TMP/err6"
is_int 0 $? "HTTP CONNECT through a proxy at [::1] to ::1: exit 0"
is "$(sha256sum <"$T_TMP/src")" "$(sha256sum <"$T_TMP/out6")" \
	"HTTP CONNECT through a proxy at [::1] to ::1: all 16 MiB arrived"
like "CONNECT \[::1\]:$PSRC6 HTTP/1\.1" "$(<"$FAKEPROXY_LOG")" \
	"the request line brackets the IPv6 target"
# --fdpass leaves such bytes in the socket for ssh: t/jumpcat-proxy-fdpass.t.

done_testing
