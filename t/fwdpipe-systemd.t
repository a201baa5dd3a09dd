#!/bin/bash
# fwdpipe-systemd.t: fwdpipe's sd_notify(3) messages, read from a datagram
# socket at $NOTIFY_SOCKET (a path, then an abstract "@name"): READY=1 once
# the session is up and the forwards work (or have failed and been
# logged), STATUS= lines that follow the session's state, WATCHDOG=1 every
# half of $WATCHDOG_USEC while the session is up and never while it is
# down, STOPPING=1 on SIGTERM; and the template unit in contrib/systemd
# (Type=notify, Restart=always, WatchdogSec=) passes systemd-analyze
# verify.
# SPDX-License-Identifier: MIT

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"
. "$top_srcdir/t/tap/fixtures-fwd.sh"

FWDPIPE=$top_builddir/tools/fwdpipe
UNIT=$top_srcdir/contrib/systemd/fwdpipe@.service
fixture_require "$FWDPIPE" python3 pgrep ps setsid
fixture_sshd_start || bail "no sshd"
fixture_tcpserv echo
ECHO=$TCPSERV_PORT
plan_lazy

# note_count FILE REGEX [FROM_MS]: how many notify messages in FILE (lines
# "MS MESSAGE") match REGEX, counting only those received at FROM_MS or later.
note_count() {
	awk -v re="$2" -v from="${3:-0}" '
		{ ms = $1; sub(/^[0-9]+ /, "") }
		ms >= from && $0 ~ re { n++ }
		END { print n + 0 }' "$1"
}

# note_ms FILE REGEX: when the first message matching REGEX came.
note_ms() {
	awk -v re="$2" '{ ms = $1; sub(/^[0-9]+ /, "") } $0 ~ re { print ms; exit }' "$1"
}

# note_wait SECS FILE REGEX N [FROM_MS]: wait until N messages match.
note_wait() {
	local end
	end=$(($(tap_now_ms) + $1 * 1000))
	until (($(note_count "$2" "$3" "${5:-0}") >= $4)); do
		(($(tap_now_ms) < end)) || return 1
		sleep 0.02
	done
}

# sleep_until MS: sleep until the wall clock reaches MS (an observation
# window of the test, not a wait for readiness).
sleep_until() {
	local ms=$(($1 - $(tap_now_ms)))
	((ms > 0)) && sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
	return 0
}

LOST='(connection to 127\.0\.0\.1 lost|127\.0\.0\.1: .*(closed|lost|not responding|timed out|reset).*connections? closed)'
DOWN='(backoff|connecting|waiting to reconnect)'

# --- 1. a socket path; WATCHDOG_USEC=2 s -----------------------------------
N=$T_TMP/notify
fwd_notify_recv "$T_TMP/notify.sock" "$N" || bail "no notify socket"
fixture_free_port
LP=$FIXTURE_PORT
fixture_free_port
RP=$FIXTURE_PORT
LOG=$T_TMP/fwdpipe.log SOCK=$T_TMP/status.sock
NOTIFY_SOCKET=$T_TMP/notify.sock WATCHDOG_USEC=2000000 \
	"$FWDPIPE" -F "$SSH_CONFIG" -p "$SSHD_PORT" --status-socket "$SOCK" \
	-L "$LP:127.0.0.1:$ECHO" -R "$RP:127.0.0.1:$ECHO" 127.0.0.1 2>"$LOG" &
FP=$!
fixture_atexit "kill $FP 2>/dev/null"
note_wait 20 "$N" '^READY=1$' 1
# Straight away: READY=1 promises working forwards.
ok "READY=1 arrives" test $? -eq 0 || diag "$(<"$LOG")" "$(<"$N")"
ok "at READY=1, a connection through -L works at once" fwd_echo "$LP"
ok "at READY=1, a connection through -R (the server's port) works at once" fwd_echo "$RP"
ready=$(note_ms "$N" '^READY=1$')
status_before=$(awk -v r="$ready" '$1 <= r && / STATUS=/' "$N")
ok "STATUS= lines came before READY=1" test -n "$status_before"
like '(^|[^a-z])up([^a-z]|$)' "$(tail -n 1 <<<"$status_before")" "the STATUS at READY=1 says the session is up"
unlike '\bpending\b' "$(tail -n 1 <<<"$status_before")" "... with no forward pending"
is "up up" "$(fwd_status "$SOCK" forwards.0.state forwards.1.state | tr '\n' ' ' | sed 's/ $//')" \
	"the status socket agrees: both forwards up"

# WATCHDOG=1 every second (half of 2 s) while up.
note_wait 8 "$N" '^WATCHDOG=1$' 4 "$ready"
n=$(note_count "$N" '^WATCHDOG=1$' "$ready")
ok "WATCHDOG=1 keeps coming while the session is up ($n after READY=1)" test "$n" -ge 4
gaps=$(awk -v r="$ready" '$1 >= r && $2 == "WATCHDOG=1" { if (p) printf "%d ", $1 - p; p = $1 }' "$N")
bad=$(for g in $gaps; do ((g < 500 || g > 1600)) && echo "$g"; done)
is "" "$bad" "... about every 1 s (gaps: ${gaps}ms)"

# The session drops: no WATCHDOG=1 while it is down.
fwd_sshd_down || bail "could not stop sshd"
fixture_wait_log "$LOG" "$LOST" 5
ok "sshd killed: the loss is logged" test $? -eq 0 || diag "$(<"$LOG")"
tlost=$(tap_now_ms)
sleep_until $((tlost + 3000))
is_int 0 "$(note_count "$N" '^WATCHDOG=1$' "$tlost")" "no WATCHDOG=1 in the 3 s after the loss"
last=$(awk '/ STATUS=/' "$N" | tail -n 1)
like "STATUS=.*$DOWN" "$last" "the last STATUS= says the session is down and being reconnected"
like '^STATUS=[^[:cntrl:]]+$' "${last#* }" "... in one line"

# Back: WATCHDOG=1 again, READY=1 not again.
fwd_sshd_up || bail "sshd did not come back"
note_wait 10 "$N" '^WATCHDOG=1$' 2 "$FWD_SSHD_UP_MS"
ok "the session is back: WATCHDOG=1 again" test $? -eq 0
like '(^|[^a-z])up([^a-z]|$)' "$(awk '/ STATUS=/' "$N" | tail -n 1)" "... and STATUS= says up"
is_int 1 "$(note_count "$N" '^READY=1$')" "READY=1 was sent once only"

kill -TERM "$FP"
rc=0
wait "$FP" || rc=$?
is_int 0 "$rc" "SIGTERM: exit 0"
note_wait 3 "$N" '^STOPPING=1$' 1
ok "SIGTERM: STOPPING=1" test $? -eq 0 || diag "$(tail -n 5 "$N")"
stop=$(note_ms "$N" '^STOPPING=1$')
is_int 0 "$(note_count "$N" '^(WATCHDOG|READY)=1$' $((${stop:-0} + 1)))" "nothing but STATUS= after STOPPING=1"

# --- 2. an abstract socket; a forward that fails; no WATCHDOG_USEC ----------
name=@hopkit-fwdpipe-$$-$RANDOM
N2=$T_TMP/notify2
fwd_notify_recv "$name" "$N2" || bail "no abstract notify socket"
fixture_free_port
LP=$FIXTURE_PORT
fixture_free_port
HP=$FIXTURE_PORT
fwd_hold_port "$HP" 60 || bail "could not hold port $HP"
HOLD=$FWD_HOLD_PID
LOG=$T_TMP/fwdpipe2.log SOCK=$T_TMP/status2.sock
NOTIFY_SOCKET=$name env -u WATCHDOG_USEC \
	"$FWDPIPE" -F "$SSH_CONFIG" -p "$SSHD_PORT" --status-socket "$SOCK" \
	-L "$LP:127.0.0.1:$ECHO" -L "$HP:127.0.0.1:$ECHO" 127.0.0.1 2>"$LOG" &
FP=$!
fixture_atexit "kill $FP 2>/dev/null"
note_wait 20 "$N2" '^READY=1$' 1
ok "abstract socket $name: READY=1 arrives" test $? -eq 0 || diag "$(<"$LOG")" "$(<"$N2")"
like ":$HP" "$(grep -iE 'fail|in use|cannot|could not' "$LOG")" \
	"the -L that could not bind (port $HP taken) was logged by READY=1"
ok "the other -L works at READY=1" fwd_echo "$LP"
is "up failed" "$(fwd_status "$SOCK" forwards.0.state forwards.1.state | tr '\n' ' ' | sed 's/ $//')" \
	"status: one forward up, one failed"
ok "STATUS= lines arrive on the abstract socket" test "$(note_count "$N2" '^STATUS=.')" -ge 1
sleep_until $(($(note_ms "$N2" '^READY=1$') + 1500))
is_int 0 "$(note_count "$N2" '^WATCHDOG=')" "no WATCHDOG_USEC: no WATCHDOG=1 (1.5 s after READY=1)"
kill -TERM "$FP"
rc=0
wait "$FP" || rc=$?
is_int 0 "$rc" "SIGTERM: exit 0"
note_wait 3 "$N2" '^STOPPING=1$' 1
ok "SIGTERM: STOPPING=1 on the abstract socket" test $? -eq 0
fixture_stop "$HOLD"
fixture__forget "$HOLD"

# --- 3. contrib/systemd/fwdpipe@.service ----------------------------------
unit=$(<"$UNIT")
like '(^|'$'\n'')Type=notify('$'\n''|$)' "$unit" "the unit: Type=notify"
like '(^|'$'\n'')Restart=always('$'\n''|$)' "$unit" "the unit: Restart=always"
like '(^|'$'\n'')WatchdogSec=[1-9][0-9a-z ]*('$'\n''|$)' "$unit" "the unit: WatchdogSec= is set"
like '(^|'$'\n'')NotifyAccess=(main|all)('$'\n''|$)' "$unit" "the unit: NotifyAccess= lets fwdpipe notify"
like '(^|'$'\n'')ExecStart=[^'$'\n'']*/fwdpipe [^'$'\n'']*--status-socket' "$unit" \
	"the unit: ExecStart runs fwdpipe with a status socket"
like '(^|'$'\n'')ExecReload=[^'$'\n'']*-HUP' "$unit" "the unit: reload is SIGHUP"
if command -v systemd-analyze >/dev/null 2>&1; then
	mkdir -p "$T_TMP/unit"
	sed "s|^ExecStart=[^ ]*/fwdpipe |ExecStart=$(cd "$(dirname "$FWDPIPE")" && pwd)/fwdpipe |" \
		"$UNIT" >"$T_TMP/unit/fwdpipe@test.service"
	sed 's|^ExecStart=[^ ]*|ExecStart=/nonexistent/fwdpipe|' \
		"$UNIT" >"$T_TMP/unit/fwdpipe@broken.service"
	# Documentation=man:fwdpipe(1) is checked with man(1), when there is
	# one, against this tree's page.
	verify=(systemd-analyze --man=no verify)
	if command -v man >/dev/null 2>&1; then
		mkdir -p "$T_TMP/man/man1"
		ln -s "$top_srcdir/man/fwdpipe.1" "$T_TMP/man/man1/fwdpipe.1"
		verify=(env MANPATH="$T_TMP/man" systemd-analyze verify)
	fi
	run "${verify[@]}" "$T_TMP/unit/fwdpipe@test.service"
	is "0:" "$RUN_RC:$RUN_ERR$RUN_OUT" "systemd-analyze verify fwdpipe@test.service (ExecStart: the built fwdpipe)"
	run "${verify[@]}" "$T_TMP/unit/fwdpipe@broken.service"
	ok "... which does check: a copy with a missing ExecStart binary fails (rc $RUN_RC)" test "$RUN_RC" -ne 0
else
	case ${CI-} in
	true | 1 | yes) ok "systemd-analyze verify (missing systemd-analyze: Debian package systemd)" false ;;
	*) skip "no systemd-analyze (Debian package systemd)" ;;
	esac
fi

done_testing
