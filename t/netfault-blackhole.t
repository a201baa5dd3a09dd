#!/bin/bash
# netfault-blackhole.t: fwdpipe notices a dead path by keepalive and is
# back within 5 s of the path's return.  The sshd sits in network
# namespace "server", fwdpipe (-L, -R, -D, ServerAliveInterval 1,
# ServerAliveCountMax 2, ConnectTimeout 15 as by default) in namespace
# "client", joined by a veth pair with link-local addresses.  First a
# blackhole (nft drops every packet on the server's veth end) with a
# connection in flight: the loss is logged within the keepalive bound,
# 1 s x (2 + 1) plus 2 s of slack, the connection in flight is closed, the
# status socket says so.  The blackhole stays until fwdpipe's attempt to
# connect again hangs in TCP's SYN backoff (seen in nft's count of the
# SYNs it drops), the worst moment for the path to return, and fwdpipe
# never claims to be up meanwhile; once it is lifted the status socket
# says up and -L, -R and -D work within 5 s.  Then the same with the link
# set down (ip link set down on the client's veth end) for 8 s and up.
# sshd has ClientAliveInterval 1, ClientAliveCountMax 2, as fwdpipe(1)
# advises, so that it lets the lost session's -R port go.  Where network
# namespaces cannot be made, the test fails (see t/tap/netns.sh).
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2317 # echo_l, echo_r, echo_d run through wait_echo

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"
. "$top_srcdir/t/tap/fixtures-fwd.sh"
. "$top_srcdir/t/tap/netns.sh"

FWDPIPE=$top_builddir/tools/fwdpipe
fixture_require "$FWDPIPE" python3 stat
plan_lazy
netns_require

INTERVAL=1 COUNTMAX=2
BOUND=$((INTERVAL * (COUNTMAX + 1) * 1000 + 2000))   # ms: keepalive bound + slack
BACK=5000                                          # ms after the path returns
CONNECT_TIMEOUT=15       # fwdpipe's default (the fixture's ssh_config says 10)

. "$top_srcdir/t/tap/netfault-fwd.sh"
FWD_PY=$(netns_pycmd client)   # fwd_hold_conn connects from the client namespace

netns_spawn client "$LOG" "$FWDPIPE" -F "$SSH_CONFIG" \
	-o "ServerAliveInterval=$INTERVAL" -o "ServerAliveCountMax=$COUNTMAX" \
	-o "ConnectTimeout=$CONNECT_TIMEOUT" \
	--status-socket "$SOCK" -L "$LP:127.0.0.1:$ECHO_S" \
	-R "$RP:127.0.0.1:$ECHO_C" -D "$DP" "$SSHD_ADDR"
FP=$FIXTURE_PID
wait_status 30 forwards.1.state '^up$'
is "up" "$FWD_SEEN" "fwdpipe in namespace client: session to sshd at $SSHD_ADDR (namespace server) up, -R up" ||
	diag "$(<"$LOG")"
is "$(stat -L -c %i "/run/netns/${NETNS[client]}")" "$(stat -L -c %i "/proc/$FP/ns/net")" \
	"fwdpipe runs in namespace client"
is "$(stat -L -c %i "/run/netns/${NETNS[server]}")" "$(stat -L -c %i "/proc/$SSHD_PID/ns/net")" \
	"sshd runs in namespace server"
ok "-L works" echo_l
ok "-R works" echo_r
ok "-D works" echo_d

# outage WHAT DOWN HOLD UP N: cut the path with the command DOWN, check
# that the loss (the Nth) is noticed in time, keep it cut until the command
# HOLD succeeds (it sets HOLD_SAYS), restore it with UP, and check that
# fwdpipe is back within BACK ms.
outage() {
	local what=$1 down=$2 hold=$3 up=$4 n=$5 t0 ms tup st held rc
	fwd_hold_conn "$LP" "$T_TMP/held.$n"
	held=$FWD_CLIENT_PID
	fixture_wait_log "$T_TMP/held.$n" '^open$' 10
	is "open" "$(head -n 1 "$T_TMP/held.$n")" "$what: a connection through -L is in flight"

	t0=$(tap_now_ms)
	$down || bail "$what: could not cut the path"
	wait_lost $((BOUND / 1000 + 15)) "$n"
	ms=$(since "$t0")
	ok "$what: the loss is logged after $ms ms (keepalive bound ${INTERVAL} s x ($COUNTMAX + 1) + 2 s slack = $BOUND ms)" \
		test "$(grep -cE -e "$LOST" "$LOG")" -ge "$n" -a "$ms" -le "$BOUND" || diag "$(tail -n 5 "$LOG")"
	like "server not responding|timed out|timeout" "$(grep -E -e "$LOST" "$LOG" | sed -n "${n}p")" \
		"$what: the log line says the server stopped responding"
	like "[^0-9]1 connection closed" "$(grep -E -e "$LOST" "$LOG" | sed -n "${n}p")" \
		"$what: ... and counts the connection in flight (1 connection closed)"
	fixture_wait_log "$T_TMP/held.$n" '^(eof|reset) ' 5
	like '^(eof|reset) ' "$(tail -n 1 "$T_TMP/held.$n")" "$what: the connection in flight is closed"
	wait "$held"
	wait_status 3 state '^(backoff|connecting)$'
	like '^(backoff|connecting)$' "$FWD_SEEN" "$what: the status socket says $FWD_SEEN"
	# fwdpipe tries again at once after a keepalive loss, so last_error
	# may already be that attempt's failure (unreachable, with the link
	# down) rather than the loss itself.
	like "not responding|timed out|timeout|no answer|unreachable|No route" "$(status last_error)" \
		"$what: ... with the loss, or the reconnect it started, as last_error"

	# The cut lasts until HOLD says enough (the scenario, not a wait for
	# readiness); meanwhile fwdpipe tries again, into the void, and must
	# not say up.
	st='' t0=$(tap_now_ms)
	until $hold; do
		[[ $(status state) == up ]] && st=up
		(($(since "$t0") < 40000)) || break
		sleep 0.1
	done
	diag "$what: the path stays cut $(since "$t0") ms after the loss: $HOLD_SAYS"
	is "" "$st" "$what: while the path is cut fwdpipe never says up"

	COUNTERS=$(netns_counters server)
	tup=$(tap_now_ms)
	$up || bail "$what: could not restore the path"
	wait_status 30 state '^up$'
	ms=$(since "$tup")
	ok "$what: the status socket says up $ms ms after the path returned (<= $BACK)" \
		test "$FWD_SEEN" = up -a "$ms" -le "$BACK" || diag "$(tail -n 5 "$LOG")"
	rc=0
	wait_echo 30 echo_l || rc=1
	ms=$(since "$tup")
	ok "$what: -L works $ms ms after the path returned (<= $BACK)" test $rc -eq 0 -a "$ms" -le "$BACK"
	rc=0
	wait_echo 30 echo_d || rc=1
	ms=$(since "$tup")
	ok "$what: -D works $ms ms after the path returned (<= $BACK)" test $rc -eq 0 -a "$ms" -le "$BACK"
	rc=0
	wait_echo 30 echo_r || rc=1
	ms=$(since "$tup")
	ok "$what: -R works $ms ms after the path returned (<= $BACK)" test $rc -eq 0 -a "$ms" -le "$BACK" ||
		diag "$(tail -n 5 "$LOG")" "status: $(status)"
	is_int "$n" "$(status reconnects)" "$what: reconnects $n"
}

# hold_backoff: true at the worst moment for the path to come back: just
# after a TCP SYN of fwdpipe's new attempts hit the blackhole 3 s or more
# after the one before it, that is once a connect hangs in the kernel's
# SYN backoff (a connect's SYNs go out ever further apart: after 1, 3, 7,
# 15 s; newer kernels first send a few a second apart), so that the next
# SYN or the connect's timeout is still seconds away.  An fwdpipe that
# probes every 2 s never gets there: then 20 s after the loss will do.
hold_backoff() {
	local syn now
	read -r _ _ syn <<<"$(netns_counters server)"
	now=$(since "$t0")
	if ((syn > HB_N)); then
		HB_TIMES+=" $((now / 100))"
		if [[ -n $HB_T ]] && ((now - HB_T >= 3000)); then
			HOLD_SAYS="SYN $syn came $((now - HB_T)) ms after the one before it (SYNs at ds:$HB_TIMES)"
			return 0
		fi
		HB_N=$syn HB_T=$now
	fi
	HOLD_SAYS="no SYN gap of 3 s in 20 s (SYNs at ds:$HB_TIMES)"
	((now >= 20000))
}
HB_N=0 HB_T='' HB_TIMES=''

# hold_secs N: true once N s have passed since the loss was noticed.
hold_secs() {
	HOLD_SAYS="$(($(since "$t0") / 1000)) s (wanted $1 s)"
	(($(since "$t0") >= $1 * 1000))
}

outage "blackhole" "netns_blackhole server" "hold_backoff" "netns_clear server" 1
read -r seen dropped _ <<<"$COUNTERS"
ok "... the blackhole dropped every packet on the link ($dropped of $seen)" test "$seen" -gt 0 -a "$dropped" = "$seen"
outage "link down" "netns_linkset client down" "hold_secs 8" "netns_linkset client up" 2

netns_stop_clean "$FP" "$LOG"
is "0" "$STOP_RC" "SIGTERM: fwdpipe exits 0 (after $STOP_MS ms)"
is "" "$STOP_SAN" "... with no sanitizer report in its log (leaks are reported at exit)"

done_testing
