#!/bin/bash
# jumpcat-timeouts.t: -w bounds the whole hop setup, in every step.  A TCP
# connect that never completes (t/helper/tcpserv's hang mode: a full accept
# queue, so the kernel drops the SYNs), a TLS handshake with a server that
# reads and says nothing (--tls, and an https:// proxy), an HTTP proxy
# that never answers CONNECT or stops after its status line, a SOCKS5
# proxy silent after the greeting, during the login or after CONNECT, a
# silent SOCKS4 proxy, and a proxy that answers 407, then says nothing on
# the connection the credentials go to.  Each gives up after -w with its
# exit status (1 connect, 4 protocol or timeout) and one line naming the
# step.  Without -w nothing spins (jumpcat's CPU time stays near 0 while it
# waits) and SIGTERM ends it at once.
#
# Resolving cannot be made slow here: that takes a DNS server that does not
# answer, and the tests run without DNS (names come from /etc/hosts).  The
# resolve step has the same one timer as the others.
# SPDX-License-Identifier: MIT

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"

JUMPCAT=$top_builddir/tools/jumpcat
fixture_require "$JUMPCAT" timeout getconf ss
fixture_tmpdir
fixture_tcpserv hang
PHANG=$TCPSERV_PORT
fixture_tcpserv sink
PSINK=$TCPSERV_PORT
fixture_tcpserv echo
PECHO=$TCPSERV_PORT
declare -A P L
for mode in http-silent http-stall http-407-silent socks5-silent-greeting \
	socks5-silent-login socks5-silent-connect socks4-silent; do
	fixture_fakeproxy "$mode"
	P[$mode]=$FAKEPROXY_PORT
	L[$mode]=$FAKEPROXY_LOG
done
HZ=$(getconf CLK_TCK)
T=127\\.0\\.0\\.1:$PECHO	# the target as messages write it, as a regex
plan_lazy

# gives_up DESC EXIT REGEX ARG...: `jumpcat -w 1 ARG...` gives up with exit
# EXIT and one stderr line "jumpcat: " matching REGEX, after at least 0.9 s
# (the timer ran out: no error came first) and well within 5 s.
gives_up() {
	local desc=$1 want=$2 re=$3
	shift 3
	run timeout 30 "$JUMPCAT" -w 1 "$@" </dev/null
	is_int "$want" "$RUN_RC" "$desc: exit $want (124 would be a hang)"
	like "^jumpcat: $re\$" "$RUN_ERR" "$desc: says which step timed out"
	is_int 1 "$(wc -l <<<"$RUN_ERR")" "$desc: in one line"
	ok "$desc: gave up after about 1 s ($RUN_MS ms)" \
		test "$RUN_MS" -ge 900 -a "$RUN_MS" -lt 5000
}

proxy() {
	echo "$1://127.0.0.1:${P[$2]}"
}

gives_up "TCP connect to the host" 1 \
	"connect to 127\.0\.0\.1 port $PHANG: Connection timed out" 127.0.0.1 "$PHANG"
gives_up "TCP connect to the proxy" 1 \
	"connect to proxy 127\.0\.0\.1 port $PHANG: Connection timed out" \
	-x "http://127.0.0.1:$PHANG" 127.0.0.1 "$PECHO"
gives_up "TLS handshake (--tls)" 4 \
	"TLS handshake with 127\.0\.0\.1: no answer in time" --tls 127.0.0.1 "$PSINK"
gives_up "TLS handshake with an https:// proxy" 4 \
	"proxy 127\.0\.0\.1:$PSINK: TLS handshake not finished within 1 s" \
	-x "https://127.0.0.1:$PSINK" 127.0.0.1 "$PECHO"
gives_up "HTTP proxy silent after CONNECT" 4 \
	"proxy 127\.0\.0\.1:${P[http-silent]}: no complete answer to CONNECT to $T within 1 s" \
	-x "$(proxy http http-silent)" 127.0.0.1 "$PECHO"
gives_up "HTTP proxy silent after its status line" 4 \
	"proxy 127\.0\.0\.1:${P[http-stall]}: no complete answer to CONNECT to $T within 1 s" \
	-x "$(proxy http http-stall)" 127.0.0.1 "$PECHO"
gives_up "HTTP proxy silent after its status line, --fdpass (MSG_PEEK)" 4 \
	"proxy 127\.0\.0\.1:${P[http-stall]}: no complete answer to CONNECT to $T within 1 s" \
	--fdpass -x "$(proxy http http-stall)" 127.0.0.1 "$PECHO"
gives_up "SOCKS5 proxy silent after the greeting" 4 \
	"proxy 127\.0\.0\.1:${P[socks5-silent-greeting]}: no answer to the SOCKS5 greeting within 1 s" \
	-x "$(proxy socks5 socks5-silent-greeting)" 127.0.0.1 "$PECHO"
JUMPCAT_PROXY_USER=bob JUMPCAT_PROXY_PASSWORD=pw \
	gives_up "SOCKS5 proxy silent during the login" 4 \
	"proxy 127\.0\.0\.1:${P[socks5-silent-login]}: no answer to the SOCKS5 login within 1 s" \
	-x "$(proxy socks5 socks5-silent-login)" 127.0.0.1 "$PECHO"
gives_up "SOCKS5 proxy silent after CONNECT" 4 \
	"proxy 127\.0\.0\.1:${P[socks5-silent-connect]}: no complete answer to SOCKS5 CONNECT to $T within 1 s" \
	-x "$(proxy socks5h socks5-silent-connect)" 127.0.0.1 "$PECHO"
gives_up "SOCKS4 proxy silent" 4 \
	"proxy 127\.0\.0\.1:${P[socks4-silent]}: no complete answer to SOCKS4 CONNECT to $T within 1 s" \
	-x "$(proxy socks4 socks4-silent)" 127.0.0.1 "$PECHO"
JUMPCAT_PROXY_USER=alice JUMPCAT_PROXY_PASSWORD=pw \
	gives_up "407, then silent on the new connection" 4 \
	"proxy 127\.0\.0\.1:${P[http-407-silent]}: no complete answer to CONNECT to $T \(sent with credentials\) within 1 s" \
	-x "$(proxy http http-407-silent)" 127.0.0.1 "$PECHO"
is_int 2 "$(grep -c 'connection accepted' "${L[http-407-silent]}")" \
	"407, then silent: jumpcat did ask again on a second connection"
like "request with credentials read" "$(<"${L[http-407-silent]}")" \
	"407, then silent: the second request carried the credentials"

# A fractional -w, and the budget is for the whole setup.
run timeout 30 "$JUMPCAT" -w 0.3 -x "$(proxy http http-silent)" 127.0.0.1 "$PECHO" </dev/null
is "4:jumpcat: proxy 127.0.0.1:${P[http-silent]}: no complete answer to CONNECT to 127.0.0.1:$PECHO within 0.3 s" \
	"$RUN_RC:$RUN_ERR" "-w 0.3: exit 4, one line"
ok "-w 0.3: gave up after about 0.3 s ($RUN_MS ms)" test "$RUN_MS" -ge 250 -a "$RUN_MS" -lt 4000

# waits_idle DESC READY ARG...: `jumpcat ARG...` without -w waits; READY
# (a command line, retried for up to 20 s) says when it has got that far.
# Over the next 2 s it uses at most 0.25 s of CPU (a busy loop would use
# 2 s), and SIGTERM ends it within 2 s, killed by that signal.
waits_idle() {
	local desc=$1 ready=$2 pid c0 c1 t0 i rc=0
	shift 2
	"$JUMPCAT" "$@" </dev/null >/dev/null 2>"$T_TMP/idle.err" &
	pid=$!
	for ((i = 0; i < 1000; i++)); do
		eval "$ready" && break
		sleep 0.02
	done
	((i < 1000)) || diag "$desc: never ready ($ready): $(<"$T_TMP/idle.err")"
	c0=$(fixture_cpu_ticks "$pid")
	sleep 2	# the span measured, not a wait for an event
	c1=$(fixture_cpu_ticks "$pid")
	ok "$desc: no busy loop ($((c1 - c0)) ticks of CPU in 2 s, $HZ a second)" \
		test $((c1 - c0)) -le $((HZ / 4))
	t0=$(tap_now_ms)
	kill -TERM "$pid"
	wait "$pid" || rc=$?
	is_int 143 "$rc" "$desc: SIGTERM ends it (killed by the signal)"
	ok "$desc: at once ($(($(tap_now_ms) - t0)) ms)" test $(($(tap_now_ms) - t0)) -lt 2000
}

# The proxies for these start afresh, so their logs show this client only.
waits_idle "TCP connect pending" \
	"ss -Htn state syn-sent '( dport = :$PHANG )' | grep -q ." 127.0.0.1 "$PHANG"
for mode in http-silent http-stall socks5-silent-greeting; do
	fixture_fakeproxy "$mode"
	scheme=${mode%%-*}
	args=(-x "$scheme://127.0.0.1:$FAKEPROXY_PORT" 127.0.0.1 "$PECHO")
	desc="$mode proxy"
	if [[ $mode == http-stall ]]; then
		# A reply begun, not ended: what is peeked must not stay readable.
		args=(--fdpass "${args[@]}")
		desc="$desc, --fdpass (MSG_PEEK)"
	fi
	waits_idle "$desc" "grep -q 'saying nothing' '$FAKEPROXY_LOG'" "${args[@]}"
done

# Long waits show progress at -v: a slow proxy looks like a hang otherwise.
run timeout 30 "$JUMPCAT" -v -w 5 -x "$(proxy http http-silent)" 127.0.0.1 "$PECHO" </dev/null
is_int 4 "$RUN_RC" "-v, a silent proxy, -w 5: exit 4"
like "jumpcat: proxy 127\\.0\\.0\\.1:${P[http-silent]}: still waiting for its complete answer to CONNECT to $T after 2 s" \
	"$RUN_ERR" "... says what it still waits for after 2 s"
like "still waiting for its complete answer to CONNECT to $T after 4 s" \
	"$RUN_ERR" "... and again after 4 s"
run timeout 30 "$JUMPCAT" -w 3 -x "$(proxy http http-silent)" 127.0.0.1 "$PECHO" </dev/null
unlike "still waiting" "$RUN_ERR" "without -v: no progress lines"
run timeout 30 "$JUMPCAT" -v -w 3 127.0.0.1 "$PHANG" </dev/null
like "still connecting to 127\\.0\\.0\\.1 after 2 s" "$RUN_ERR" \
	"-v, a connect that hangs: says it is still connecting"

done_testing
