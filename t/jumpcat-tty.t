#!/bin/bash
# jumpcat-tty.t: jumpcat typed at a terminal, as nc is.  A terminal stays
# blocking (it is shared with the shell), so jumpcat must never wait inside
# read(2) on it: the server's bytes show at once, a server that closes ends
# jumpcat with no key pressed, signals work, and typed lines and ^D go
# through.  t/helper/ptyrun gives jumpcat a fresh pseudo-terminal.
# SPDX-License-Identifier: MIT

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"

JUMPCAT=$top_builddir/tools/jumpcat
PTYRUN=$top_builddir/t/helper/ptyrun
fixture_require "$JUMPCAT" "$PTYRUN" timeout
fixture_tmpdir
fixture_tcpserv close -s "220 banner from server"
PBANNER=$TCPSERV_PORT
fixture_tcpserv sink
PSINK=$TCPSERV_PORT
fixture_tcpserv reply
PREPLY=$TCPSERV_PORT
PIDFILE=$T_TMP/jumpcat.pid
# If jumpcat hangs, timeout kills ptyrun only: jumpcat is in its own session.
fixture_atexit '[[ -s $PIDFILE ]] && kill -KILL "$(cat "$PIDFILE")" 2>/dev/null'
plan_lazy

# The server talks first and closes; nothing is ever typed.
rm -f "$PIDFILE"
run timeout 20 "$PTYRUN" -p "$PIDFILE" "$T_TMP/out1" "$JUMPCAT" 127.0.0.1 "$PBANNER"
is_int 0 "$RUN_RC" "server closes, nothing typed: exit 0 (124 means stuck reading the terminal)"
like "220 banner from server" "$(cat "$T_TMP/out1")" "the server's banner reached the terminal"
ok "and jumpcat ended within 10 s (${RUN_MS} ms)" test "$RUN_MS" -lt 10000

# An idle session at a terminal ends on SIGTERM.
rm -f "$PIDFILE"
"$PTYRUN" -p "$PIDFILE" "$T_TMP/out2" "$JUMPCAT" -v 127.0.0.1 "$PSINK" &
ptyrun_pid=$!
# Ready once jumpcat says (-v) that it is connected, i.e. relaying.
for ((i = 0; i < 400; i++)); do
	grep -q "connected to" "$T_TMP/out2" 2>/dev/null && break
	sleep 0.05
done
like "connected to 127.0.0.1" "$(cat "$T_TMP/out2")" "idle at a terminal: connected"
t0=$(tap_now_ms)
kill -TERM "$(cat "$PIDFILE")"
if timeout 10 tail --pid="$ptyrun_pid" -f /dev/null; then
	wait "$ptyrun_pid"
	rc=$?
else
	rc=124	# still running after 10 s: end it, report the hang
	kill -KILL "$(cat "$PIDFILE")" 2>/dev/null
	wait "$ptyrun_pid"
fi
is_int 143 "$rc" "SIGTERM while idle at a terminal: dies of SIGTERM"
ok "promptly ($(($(tap_now_ms) - t0)) ms)" test "$(($(tap_now_ms) - t0))" -lt 5000

# Typed input, then ^D: the line reaches the server, EOF half-closes, and
# the reply (the byte count) comes back.
printf 'hello\n\004' >"$T_TMP/typed"
rm -f "$PIDFILE"
run timeout 20 "$PTYRUN" -i "$T_TMP/typed" -p "$PIDFILE" "$T_TMP/out3" "$JUMPCAT" 127.0.0.1 "$PREPLY"
is_int 0 "$RUN_RC" "typed a line and ^D: exit 0"
# The terminal echoes "hello"; the server's reply "6" follows on its own line.
like $'(^|\n)6\r?$' "$(tr -d '\r' <"$T_TMP/out3" | tail -n 1)" \
	"the server got 6 bytes (hello and a newline) and EOF"

done_testing
