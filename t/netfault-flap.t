#!/bin/bash
# netfault-flap.t: a link that goes down and up 20 times in a row.  The
# sshd sits in network namespace "server", fwdpipe (-L, -R, -D,
# ServerAliveInterval 1, ServerAliveCountMax 2) in namespace "client",
# joined by a veth pair with link-local addresses.  20 times: the path is
# cut, by turns with ip link set down (the client's veth end) and with an
# nft blackhole (the server's veth end), until fwdpipe has noticed the
# loss; then it is restored, until fwdpipe is up again and -L works.
# Every loss is noticed within the keepalive bound, and every time fwdpipe
# is back within 5 s of the path's return; afterwards every forward works,
# fwdpipe holds as many fds as before (counted in /proc/PID/fd with the
# forwards idle) and its RSS (VmRSS in /proc/PID/status) has not grown by
# more than RSS_SLACK KiB; the figures are in TAP comments.  A flap that is
# not back in 20 s ends the series (and fails).  Where network namespaces
# cannot be made, the test fails (see t/tap/netns.sh).
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2317 # echo_l, echo_r, echo_d run through wait_echo

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"
. "$top_srcdir/t/tap/fixtures-fwd.sh"
. "$top_srcdir/t/tap/netns.sh"

FWDPIPE=$top_builddir/tools/fwdpipe
fixture_require "$FWDPIPE" python3
plan_lazy
netns_require

FLAPS=20
INTERVAL=1 COUNTMAX=2
BOUND=$((INTERVAL * (COUNTMAX + 1) * 1000 + 2000))   # ms: keepalive bound + slack
BACK=5000                                          # ms after the path returns
GIVEUP=20                                          # s: a flap not back by then ends the series
RSS_SLACK=1024                                     # KiB of RSS growth allowed

. "$top_srcdir/t/tap/netfault-fwd.sh"
# all_work: -L, -R and -D each work (-R may wait for its 5 s retry while
# the server still holds the old session's port).
all_work() {
	wait_echo 10 echo_l && wait_echo 15 echo_r && wait_echo 10 echo_d
}
# fds PID: how many fds PID holds, once two counts 200 ms apart agree.
fds() {
	local a b i
	b=$(find "/proc/$1/fd" -mindepth 1 -maxdepth 1 | wc -l)
	for ((i = 0; i < 25; i++)); do
		sleep 0.2
		a=$b
		b=$(find "/proc/$1/fd" -mindepth 1 -maxdepth 1 | wc -l)
		((a == b)) && break
	done
	echo "$b"
}
# fd_list PID: what PID's fds are, one a line, for a diagnosis.
fd_list() {
	local f
	for f in "/proc/$1/fd/"*; do
		echo "${f##*/} $(readlink "$f")"
	done
}
# rss PID: VmRSS of PID in KiB.
rss() {
	awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status"
}
# idle: wait until no connection goes through fwdpipe (channels 0).
idle() {
	wait_status 10 channels '^0$'
}

# Under AddressSanitizer freed memory is held in quarantine (256 MB of it)
# to catch its use: RSS would grow with every free.  This fwdpipe gets
# none, so that RSS measures what is really kept; LeakSanitizer still
# looks for leaks when it exits.
if grep -qa __asan_init "$FWDPIPE"; then
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0:thread_local_quarantine_size_kb=0
	diag "fwdpipe is built with AddressSanitizer: ASAN_OPTIONS=$ASAN_OPTIONS"
fi
netns_spawn client "$LOG" "$FWDPIPE" -F "$SSH_CONFIG" \
	-o "ServerAliveInterval=$INTERVAL" -o "ServerAliveCountMax=$COUNTMAX" \
	-o ConnectTimeout=15 --status-socket "$SOCK" -L "$LP:127.0.0.1:$ECHO_S" \
	-R "$RP:127.0.0.1:$ECHO_C" -D "$DP" "$SSHD_ADDR"
FP=$FIXTURE_PID
wait_status 30 forwards.1.state '^up$'
is "up" "$FWD_SEEN" "fwdpipe in namespace client: session to sshd at $SSHD_ADDR (namespace server) up, -R up" ||
	diag "$(<"$LOG")"
ok "-L, -R and -D work" all_work

# flap N: cut the path (link down for odd N, blackhole for even N) until
# the Nth loss is logged, restore it, wait until fwdpipe is up and -L works.
# Sets NOTICE_MS, BACK_MS (-1 when not within the bounds) and HOW.
flap() {
	local n=$1 t0
	if ((n % 2)); then
		HOW="link down"
		netns_linkset client down || bail "ip link set down failed"
	else
		HOW="blackhole"
		netns_blackhole server || bail "nft failed"
	fi
	t0=$(tap_now_ms)
	NOTICE_MS=-1 BACK_MS=-1
	wait_lost $((BOUND / 1000 + 15)) "$n" && NOTICE_MS=$(since "$t0")
	t0=$(tap_now_ms)
	if ((n % 2)); then
		netns_linkset client up || bail "ip link set up failed"
	else
		netns_clear server || bail "nft failed"
	fi
	((NOTICE_MS >= 0)) || return 1
	wait_status "$GIVEUP" state '^up$' && wait_echo "$GIVEUP" echo_l && BACK_MS=$(since "$t0")
	((BACK_MS >= 0))
}

# A first flap, so that what a reconnect allocates once is there before
# the count starts; then each forward once.
flap 1
ok "warm-up flap: noticed after $NOTICE_MS ms, back $BACK_MS ms after the link returned" test "$BACK_MS" -ge 0
ok "after the warm-up flap -L, -R and -D work" all_work
idle
fd0=$(fds "$FP") rss0=$(rss "$FP")
fd_list "$FP" >"$T_TMP/fds.before"
diag "before the flaps: $fd0 fds, VmRSS $rss0 KiB (forwards idle)"

table=() started=0 done=0 late=0 slow=0 slowest=0 slowest_n='' worst=0
for ((i = 2; i <= FLAPS + 1; i++)); do
	started=$((started + 1))
	flap "$i"
	rc=$?
	table+=("flap $((i - 1)) ($HOW): noticed after $NOTICE_MS ms, back after $BACK_MS ms")
	((NOTICE_MS > worst)) && worst=$NOTICE_MS
	((NOTICE_MS < 0 || NOTICE_MS > BOUND)) && late=$((late + 1))
	if ((rc != 0)); then
		table+=("  not back within $GIVEUP s: the series ends here")
		break
	fi
	done=$((done + 1))
	((BACK_MS > BACK)) && slow=$((slow + 1))
	((BACK_MS > slowest)) && slowest=$BACK_MS slowest_n=$((i - 1))
done
diag "${table[@]}"
is_int "$FLAPS" "$done" "$FLAPS flaps in a row, each noticed and recovered from (within $GIVEUP s)" ||
	diag "$(grep -E -e "$LOST|reconnect" "$LOG" | tail -n 6)"
is_int 0 "$late" "every loss logged within the keepalive bound, $BOUND ms (slowest: $worst ms)"
is_int 0 "$slow" "every time fwdpipe is up and -L works within $BACK ms of the path's return (slowest: $slowest ms, flap $slowest_n)" ||
	diag "$(grep -E -e "$LOST" "$LOG" | tail -n 4)"

# After the series: back for good (a series that ended early may still be
# in a long backoff: 65 s covers fwdpipe's longest, 60 s).
wait_status 65 state '^up$'
is "up" "$FWD_SEEN" "after the flaps: the status socket says up"
ok "after the flaps: -L works" wait_echo 10 echo_l
ok "after the flaps: -R works" wait_echo 15 echo_r
ok "after the flaps: -D works" wait_echo 10 echo_d
is "up up up" "$(status forwards.0.state forwards.1.state forwards.2.state | tr '\n' ' ' | sed 's/ $//')" \
	"after the flaps: -L, -R and -D are up on the status socket"
is_int $((started + 1)) "$(status reconnects)" "reconnects: one per flap, and one for the warm-up ($((started + 1)))"

idle
fd1=$(fds "$FP") rss1=$(rss "$FP")
diag "after the flaps: $fd1 fds, VmRSS $rss1 KiB (forwards idle): $((fd1 - fd0)) fds and $((rss1 - rss0)) KiB more than before"
is_int "$fd0" "$fd1" "no fd leaked: $fd1 fds after $done flaps, $fd0 before" ||
	diag "$(fd_list "$FP" | diff "$T_TMP/fds.before" - | grep '^[<>]')"
ok "no RSS growth: VmRSS $rss0 -> $rss1 KiB (+$((rss1 - rss0)), allowed +$RSS_SLACK)" \
	test $((rss1 - rss0)) -le "$RSS_SLACK"

netns_stop_clean "$FP" "$LOG"
is "0" "$STOP_RC" "SIGTERM: fwdpipe exits 0 (after $STOP_MS ms)"
is "" "$STOP_SAN" "... with no sanitizer report in its log (leaks are reported at exit)"

done_testing
