#!/bin/bash
# fwdpipe-recover.t: fwdpipe against a real sshd that dies, comes back,
# freezes, or still holds a -R port: the session is lost and counted
# (in-flight connections closed, "N connections closed"), -L listeners
# stay bound (same socket) through the outage, a connection made during
# the outage waits and is served once the server is back, -L and -R work
# again within seconds of the server listening, reconnects is counted on
# the status socket; a -R port held by someone else is retried every 5 s
# while -L keeps working; a frozen server is noticed by keepalive; SIGHUP
# reconnects once; SIGTERM exits 0 at once, leaving no ProxyCommand child
# and no status socket behind.
# SPDX-License-Identifier: MIT

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"
. "$top_srcdir/t/tap/fixtures-fwd.sh"

FWDPIPE=$top_builddir/tools/fwdpipe
fixture_require "$FWDPIPE" python3 ss pgrep ps socat setsid
fixture_sshd_start || bail "no sshd"
fixture_tcpserv echo
ECHO=$TCPSERV_PORT
plan_lazy

# fp NAME ARG...: start fwdpipe ARG... against the fixture sshd in the
# background, its log in $T_TMP/NAME.log and its status socket at
# $T_TMP/NAME.sock.  Sets FP (its pid), LOG and SOCK.
fp() {
	local name=$1
	shift
	LOG=$T_TMP/$name.log SOCK=$T_TMP/$name.sock
	"$FWDPIPE" -F "$SSH_CONFIG" -p "$SSHD_PORT" --status-socket "$SOCK" "$@" 127.0.0.1 2>"$LOG" &
	FP=$!
	fixture_atexit "kill $FP 2>/dev/null"
}

# fp_stop: SIGTERM fwdpipe $FP and reap it; sets FP_RC.
fp_stop() {
	kill -TERM "$FP" 2>/dev/null
	FP_RC=0
	wait "$FP" || FP_RC=$?
}

# The log line of a lost session: the spec's "connection to HOST lost:
# REASON (N connections closed)", or "HOST: REASON; up T, N connections
# closed; ..." as fwdpipe words it now.
LOST='(connection to 127\.0\.0\.1 lost|127\.0\.0\.1: .*(closed|lost|not responding|timed out|reset).*connections? closed)'

# since MS: milliseconds from MS until now.
since() {
	echo $(($(tap_now_ms) - $1))
}

# wait_count SECS FILE REGEX N: wait until N lines of FILE match REGEX.
wait_count() {
	local end
	end=$(($(tap_now_ms) + $1 * 1000))
	until (($(grep -cE -e "$3" -- "$2") >= $4)); do
		(($(tap_now_ms) < end)) || return 1
		sleep 0.02
	done
}

# accepted: how many sessions sshd has accepted so far (all of its logs).
accepted() {
	grep -c 'Accepted publickey' "$SSHD_LOG"
}

# --- 1. recovery: sshd dies, stays away 3 s, comes back on the same port ----
fixture_free_port
LP=$FIXTURE_PORT
fixture_free_port
RP=$FIXTURE_PORT
fp a -L "$LP:127.0.0.1:$ECHO" -R "$RP:127.0.0.1:$ECHO"
A=$FP
fwd_wait_status 20 "$SOCK" forwards.1.state '^up$'
ok "first session: the -R forward is up" test "$FWD_SEEN" = up || diag "$(<"$LOG")"
is "up" "$(fwd_status "$SOCK" state)" "first session: state up"
ok "first session: a round trip through -L $LP" fwd_echo "$LP"
ok "first session: a round trip through -R $RP (the server's port)" fwd_echo "$RP"
is_int 0 "$(fwd_status "$SOCK" reconnects)" "first session: reconnects 0"
inode1=$(fixture_listen_inodes "$A" "$LP")
ok "the -L listener's socket inodes: $inode1" test -n "$inode1"

# Two connections in flight, one through each forward.
fwd_hold_conn "$LP" "$T_TMP/held-l"
HL=$FWD_CLIENT_PID
fwd_hold_conn "$RP" "$T_TMP/held-r"
HR=$FWD_CLIENT_PID
fixture_wait_log "$T_TMP/held-l" '^open$' 10
fixture_wait_log "$T_TMP/held-r" '^open$' 10
fwd_wait_status 5 "$SOCK" channels '^2$'
is "2" "$FWD_SEEN" "two connections in flight: the status shows 2 channels"

fwd_sshd_down
ok "sshd is gone: listener and session (${FWD_SSHD_GONE[*]})" test $? -eq 0
tdown=$(tap_now_ms)
left=$(for p in "${FWD_SSHD_GONE[@]}"; do fwd__alive "$p" && echo "$p"; done)
left+=$(pgrep -f "$SSHD_DIR/sshd_config")
is "" "$left" "pgrep: no sshd process of this fixture is left"
ok "... that was the listener and at least one session process" test "${#FWD_SSHD_GONE[@]}" -ge 2

fixture_wait_log "$LOG" "$LOST" 5
lost=$(grep -E "$LOST" "$LOG")
like "$LOST" "$lost" "the loss is logged"
like "[^0-9]2 connections closed" "$lost" "... with the 2 connections in flight (\"2 connections closed\")"
fixture_wait_log "$T_TMP/held-l" '^(eof|reset) ' 5
like '^(eof|reset) ' "$(tail -n 1 "$T_TMP/held-l")" "the connection in flight through -L is closed (the client sees EOF or a reset)"
fixture_wait_log "$T_TMP/held-r" '^(eof|reset) ' 5
like '^(eof|reset) ' "$(tail -n 1 "$T_TMP/held-r")" "the connection in flight through -R is closed"
fwd_wait_status 3 "$SOCK" state '^(backoff|connecting)$'
like '^(backoff|connecting)$' "$FWD_SEEN" "status during the outage: backoff or connecting"
is "0" "$(fwd_status "$SOCK" channels)" "status during the outage: no channel open"
err=$(fwd_status "$SOCK" last_error)
ok "status during the outage: last_error is set ($err)" test -n "$err" -a "$err" != null

# A connection to -L while the server is away: accepted, held, served later.
fwd_late_conn "$LP" "$T_TMP/late"
LATE=$FWD_CLIENT_PID
fixture_wait_log "$T_TMP/late" '^connected ' 5
like '^connected ' "$(head -n 1 "$T_TMP/late")" "during the outage a new connection to -L is accepted (not refused)"
like "LISTEN .*:$LP " "$(ss -ltnH "sport = :$LP")" "ss -ltn: -L port $LP is listening while sshd is down"
is "$inode1" "$(fixture_listen_inodes "$A" "$LP")" "... by the same socket as before the outage"

# The outage lasts 3 s (that is the scenario, not a wait for readiness).
sleep "$(awk -v ms=$((3000 - $(since "$tdown"))) 'BEGIN { print (ms > 0 ? ms / 1000 : 0) }')"
late_early=$(grep -E '^(echo|eof|reset|timeout)' "$T_TMP/late")
is "" "$late_early" "the connection made during the outage is still waiting when the server comes back"

fwd_sshd_up || bail "sshd did not come back"
fwd_wait_echo 5 "$LP"
ok "-L works again $(since "$FWD_SSHD_UP_MS") ms after sshd listens (< 5000)" test $? -eq 0
fwd_wait_echo 5 "$RP"
rc=$?
ms=$(since "$FWD_SSHD_UP_MS")
ok "-R works again $ms ms after sshd listens (< 5000)" test $rc -eq 0 -a "$ms" -lt 5000
is "up" "$(fwd_status "$SOCK" state)" "after the outage: state up"
is_int 1 "$(fwd_status "$SOCK" reconnects)" "after the outage: reconnects 1"
is "up up" "$(fwd_status "$SOCK" forwards.0.state forwards.1.state | tr '\n' ' ' | sed 's/ $//')" \
	"after the outage: both forwards up"
is "$inode1" "$(fixture_listen_inodes "$A" "$LP")" "the -L listener was never closed: same socket inodes after the outage"
like 'reconnected' "$(<"$LOG")" "the log says it reconnected"

fixture_wait_log "$T_TMP/late" '^(echo|eof|reset|timeout)' 15
late=$(tail -n 1 "$T_TMP/late")
like '^echo [0-9]+$' "$late" "the connection made during the outage is served once the server is back"
ok "... after the server came back (${late#echo } >= $FWD_SSHD_START_MS)" test "${late#echo }" -ge "$FWD_SSHD_START_MS"
wait "$LATE" "$HL" "$HR"

# --- 2. a stale -R: its server port is still taken after the reconnect ------
fwd_sshd_down || bail "could not stop sshd"
fwd_hold_port "$RP" 10 || bail "could not hold port $RP"
HOLD=$FWD_HOLD_PID
thold=$(tap_now_ms)
wait_count 5 "$LOG" "$LOST" 2
fwd_sshd_up || bail "sshd did not come back"
fwd_wait_status 10 "$SOCK" reconnects '^2$'
is "2" "$FWD_SEEN" "-R port held by another process: the session is set up again (reconnects 2)"
fwd_wait_status 5 "$SOCK" forwards.1.state '^retrying$'
is "retrying" "$FWD_SEEN" "the -R forward shows as retrying"
err=$(fwd_status "$SOCK" forwards.1.error)
ok "... with an error ($err)" test -n "$err" -a "$err" != null
is "up" "$(fwd_status "$SOCK" state)" "the session stays up meanwhile"
is "up" "$(fwd_status "$SOCK" forwards.0.state)" "the -L forward is up meanwhile"
ok "a round trip through -L while the -R port is held" fwd_echo "$LP"
ok "... (the port was held all along)" kill -0 "$HOLD"
# The spec and man page say "remote forward SPEC refused by the server;
# retrying in 5 s"; fwdpipe now says "-R SPEC: the server refused to listen
# on ADDR:PORT (...); asking again in 5 s (refusal N)".  Either will do.
re="(remote forward |-R )([^ ]*:)?$RP:127\\.0\\.0\\.1:$ECHO:? .*refused.*(retrying|asking again) in 5 s"
fixture_wait_log "$LOG" "$re" 5
like "$re" "$(<"$LOG")" "the refusal is logged (refused, again in 5 s)"
wait "$HOLD"
tfree=$(tap_now_ms)
fixture__forget "$HOLD"
n=$(grep -cE "$re" "$LOG")
ok "refused $n times while the port was held $(((tfree - thold) / 1000)) s (every 5 s: 2 or 3)" \
	test "$n" -ge 2 -a "$n" -le 3
fwd_wait_status 8 "$SOCK" forwards.1.state '^up$'
ms=$(since "$tfree")
ok "the -R forward is up $ms ms after the port was let go (<= 6000)" test "$FWD_SEEN" = up -a "$ms" -le 6000
ok "a round trip through -R $RP again" fwd_echo "$RP"
is_int 2 "$(fwd_status "$SOCK" reconnects)" "the refusals cost no reconnect (still 2)"
fp_stop
is_int 0 "$FP_RC" "SIGTERM: fwdpipe exits 0" || diag "$(tail -n 5 "$LOG")"

# --- 3. blackhole: the server freezes; keepalive notices ------------------
fixture_free_port
LP=$FIXTURE_PORT
fp b -o ServerAliveInterval=1 -o ServerAliveCountMax=2 -L "$LP:127.0.0.1:$ECHO"
fwd_wait_status 20 "$SOCK" state '^up$'
ok "keepalive 1 s x 2: the session is up" fwd_echo "$LP"
fwd_sshd_freeze
tfreeze=$(tap_now_ms)
fixture_wait_log "$LOG" "$LOST" 10
ms=$(since "$tfreeze")
ok "frozen server: the loss is logged after $ms ms (1500..5000)" test "$ms" -ge 1500 -a "$ms" -le 5000 ||
	diag "$(<"$LOG")"
fwd_wait_status 3 "$SOCK" state '^(backoff|connecting)$'
like '^(backoff|connecting)$' "$FWD_SEEN" "frozen server: status backoff or connecting"
fwd_sshd_thaw
fwd_wait_status 15 "$SOCK" state '^up$'
is "up" "$FWD_SEEN" "the server thawed: the session is back"
is_int 1 "$(fwd_status "$SOCK" reconnects)" "... reconnects 1"
ok "... and -L works" fwd_echo "$LP"
fp_stop
is_int 0 "$FP_RC" "SIGTERM: fwdpipe exits 0"

# --- 4. SIGHUP: one reconnect; 5. SIGTERM with a ProxyCommand child ----------
fixture_free_port
LP=$FIXTURE_PORT
fixture_free_port
RP=$FIXTURE_PORT
fp c -o "ProxyCommand=socat - TCP:127.0.0.1:%p" -L "$LP:127.0.0.1:$ECHO" -R "$RP:127.0.0.1:$ECHO"
C=$FP
fwd_wait_status 20 "$SOCK" forwards.1.state '^up$'
ok "through a ProxyCommand: the forwards are up" test "$FWD_SEEN" = up
is_int 0 "$(fwd_status "$SOCK" reconnects)" "reconnects 0 before SIGHUP"
kids1=$(fwd_sshd_tree "$C" | tail -n +2 | tr '\n' ' ')
n0=$(accepted)
kill -HUP "$C"
fwd_wait_status 10 "$SOCK" reconnects '^[1-9]'
is "1" "$FWD_SEEN" "SIGHUP: reconnects 0 -> 1"
fwd_wait_status 10 "$SOCK" forwards.1.state '^up$'
ok "SIGHUP: the forwards are set up again" test "$FWD_SEEN" = up
ok "SIGHUP: -L works" fwd_echo "$LP"
ok "SIGHUP: -R works" fwd_echo "$RP"
like 'reconnect' "$(grep -i -e hup -e reconnect "$LOG")" "SIGHUP: the reconnect is logged"
# One reconnect, not more: watch for 2 s.
end=$(($(tap_now_ms) + 2000))
while (($(tap_now_ms) < end)); do
	[[ $(fwd_status "$SOCK" reconnects) == 1 ]] || break
	sleep 0.1
done
is_int 1 "$(fwd_status "$SOCK" reconnects)" "SIGHUP: exactly one reconnect (2 s later still 1)"
is_int $((n0 + 1)) "$(accepted)" "SIGHUP: sshd saw exactly one new login"
end=$(($(tap_now_ms) + 1000))
while :; do
	left=
	for p in $kids1; do ps -p "$p" >/dev/null && left+=" $p"; done
	[[ -z $left ]] || (($(tap_now_ms) >= end)) && break
	sleep 0.02
done
is "" "$left" "SIGHUP: the old session's ProxyCommand ($kids1) is gone (and reaped)"

# SIGTERM: a ProxyCommand child is there; nothing is left after exit.
kids=$(fwd_sshd_tree "$C" | tail -n +2 | tr '\n' ' ')
ok "fwdpipe has a ProxyCommand child ($kids)" test -n "$kids"
like 'socat' "$(for p in $kids; do ps -o args= -p "$p"; done)" "... running socat"
ok "the status socket exists" test -S "$SOCK"
kill -TERM "$C"
t0=$(tap_now_ms)
while kill -0 "$C" 2>/dev/null && (($(since "$t0") < 5000)); do
	sleep 0.02
done
ms=$(since "$t0")
rc=0
wait "$C" || rc=$?
is_int 0 "$rc" "SIGTERM: exit 0"
ok "SIGTERM: gone in $ms ms (< 3000)" test "$ms" -lt 3000
# A child that ends by itself on EOF gets a moment; a reparented zombie is gone.
end=$(($(tap_now_ms) + 1000))
while :; do
	left=
	for p in $kids; do fwd__alive "$p" && left+=" $p"; done
	[[ -z $left ]] || (($(tap_now_ms) >= end)) && break
	sleep 0.02
done
is "" "$left" "SIGTERM: no child process left"
ok "SIGTERM: the status socket file is removed" test ! -e "$SOCK"

done_testing
