#!/bin/bash
# tunnelcheck-status.t: tunnelcheck --status against a real fwdpipe (a -L,
# a -D and a -R 0 forward) and a real sshd: OK with every forward counted
# and the perfdata (uptime, reconnects, reconnects_total, forwards_up,
# channels, connections, bytes_out, bytes_in) equal to fwdpipe's own
# status document; -v lists each forward; --format json parses (python3)
# and --format prometheus passes promtool check metrics.  The sshd killed:
# CRITICAL "down, retrying" (or "connecting"); back up: OK again with one
# reconnect, which -w 0 makes WARNING and -c 0 CRITICAL, until it is older
# than --reconnect-window.  A -R forward the server refuses (its port is
# taken there): CRITICAL naming the forward.  fwdpipe gone: CRITICAL "is
# fwdpipe running?" (socket removed by SIGTERM, or left behind by
# SIGKILL); a socket that answers garbage or JSON that is no status
# document: UNKNOWN; one that never answers: the timeout state after -t.
# Every check: the exit code, the first line of stdout, and an empty stderr.
# SPDX-License-Identifier: MIT

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"
. "$top_srcdir/t/tap/fixtures-fwd.sh"

TC=$top_builddir/tools/tunnelcheck
FWDPIPE=$top_builddir/tools/fwdpipe
fixture_require "$TC" "$FWDPIPE" python3 timeout pgrep ps /usr/bin/promtool
fixture_sshd_start || bail "no sshd"
fixture_tcpserv echo
ECHO=$TCPSERV_PORT
plan_lazy

# tc_is RC REGEX DESC ARG...: run tunnelcheck ARG... (bounded); one test
# that it exits RC, prints nothing on stderr, and that the first line of
# its stdout matches REGEX (anchored at its start).
tc_is() {
	local want=$1 re=$2 desc=$3 first
	shift 3
	run timeout 60 "$TC" "$@" </dev/null
	first=${RUN_OUT%%$'\n'*}
	like "^exit $want, stderr '', stdout $re" "exit $RUN_RC, stderr '$RUN_ERR', stdout $first" "$desc" ||
		diag "  command: tunnelcheck $*" "  whole stdout: $RUN_OUT"
}

# req STRING: STRING quoted for a bash regex.
req() {
	sed 's/[][\.*^$+?(){}|/]/\\&/g' <<<"$1"
}

# fp NAME ARG...: start fwdpipe ARG... against the fixture sshd in the
# background, its log in $T_TMP/NAME.log, its status socket at
# $T_TMP/NAME.sock.  Sets FP (its pid), LOG and SOCK.
fp() {
	local name=$1
	shift
	LOG=$T_TMP/$name.log SOCK=$T_TMP/$name.sock
	"$FWDPIPE" -F "$SSH_CONFIG" -p "$SSHD_PORT" --status-socket "$SOCK" "$@" 127.0.0.1 2>"$LOG" &
	FP=$!
	fixture_atexit "kill $FP 2>/dev/null"
}

# all_up SOCK: true if the session and every forward are up.
all_up() {
	fwd_status "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(0 if d["state"] == "up" and all(f["state"] == "up" for f in d["forwards"]) else 1)' 2>/dev/null
}

# wait_up SOCK SECS: poll all_up for up to SECS seconds.
wait_up() {
	local end
	end=$(($(tap_now_ms) + $2 * 1000))
	until all_up "$1"; do
		(($(tap_now_ms) < end)) || return 1
		sleep 0.05
	done
}

# A Unix socket server for what fwdpipe would never say: "reply PAYLOAD"
# answers each connection with PAYLOAD and closes it; "silent" accepts
# and never answers nor closes.  It writes READY once it listens.
PY_SOCK='
import socket, sys
path, mode, payload, ready = sys.argv[1:5]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(16)
open(ready, "w").write("ok\n")
held = []
while True:
    c, _ = s.accept()
    if mode == "silent":
        held.append(c)
    else:
        c.sendall(payload.encode())
        c.close()
'

# fake_sock NAME MODE [PAYLOAD]: start it at $T_TMP/NAME.sock; sets FAKE.
fake_sock() {
	FAKE=$T_TMP/$1.sock
	fixture__spawn "$T_TMP/$1.out" python3 -c "$PY_SOCK" "$FAKE" "$2" "${3-}" "$T_TMP/$1.ready"
	fixture__wait_file "$T_TMP/$1.ready" "$FIXTURE_PID" 10 || bail "fake socket $1 did not start: $(fixture__tail "$T_TMP/$1.out")"
}

PERF_RE="'uptime'=[0-9]+s;;;0; 'reconnects'=%s;%s;%s;0; 'reconnects_total'=%sc;;;; 'forwards_up'=%s;;;0;%s 'channels'=[0-9]+;;;0; 'connections'=[0-9]+c;;;; 'bytes_out'=[0-9]+c;;;; 'bytes_in'=[0-9]+c;;;;\$"
# perf_re RECENT WARN CRIT TOTAL UP N: the status perfdata as a regex.
perf_re() {
	# shellcheck disable=SC2059 # the format is ours
	printf "$PERF_RE" "$@"
}

# ---- a fwdpipe with -L, -D and -R 0, all up ------------------------------------
fixture_free_port
LP=$FIXTURE_PORT
fixture_free_port
DP=$FIXTURE_PORT
[[ $LP != "$DP" ]] || { fixture_free_port; DP=$FIXTURE_PORT; }
fp main -L "$LP:127.0.0.1:$ECHO" -D "$DP" -R "0:127.0.0.1:$ECHO"
MAIN=$FP MSOCK=$SOCK MLOG=$LOG
wait_up "$MSOCK" 20 || bail "fwdpipe did not come up: $(<"$MLOG") $(fwd_status "$MSOCK")"

# Some traffic, so that the counters are not all zero; then wait until
# fwdpipe has closed the channel and counted everything.
ok "one echo through the -L forward" fwd_echo "$LP"
fwd_wait_status 10 "$MSOCK" channels '^0$'
IFS=$'\n' read -r -d '' s_conn s_out s_in s_pid < <(fwd_status "$MSOCK" connections bytes_out bytes_in pid)
is_int 1 "$s_conn" "fwdpipe counted the connection"

up_re="TUNNEL OK - fwdpipe to 127\\.0\\.0\\.1 up [0-9]+s, 3/3 forwards up, 0 reconnects in the last 1h00m00s \\| $(perf_re 0 '' '' 0 3 3)"
tc_is 0 "$up_re" "--status of a running fwdpipe: OK, 3/3 forwards up, 0 reconnects, all the perfdata" \
	--status "$MSOCK"
like "'connections'=${s_conn}c;;;; 'bytes_out'=${s_out}c;;;; 'bytes_in'=${s_in}c;;;;\$" "$RUN_OUT" \
	"... connections, bytes_out, bytes_in are fwdpipe's own ($s_conn, $s_out, $s_in)"
ok "... bytes went both ways (out $s_out, in $s_in)" test "${s_out:-0}" -gt 0 -a "${s_in:-0}" -gt 0

tc_is 0 "$up_re" "--status -v: OK" --status "$MSOCK" -v
mapfile -t lines <<<"$RUN_OUT"
like "^fwdpipe [0-9]+\\.[0-9.]+ \\(pid $s_pid\\) to 127\\.0\\.0\\.1: up\$" "${lines[1]-}" \
	"-v: the second line names fwdpipe, its pid and its state"
is "forward local localhost:$LP:127.0.0.1:$ECHO: up|forward dynamic localhost:$DP: up|forward remote localhost:0:127.0.0.1:$ECHO: up" \
	"$(grep '^forward ' <<<"$RUN_OUT" | paste -sd'|')" \
	"-v: one line per forward, in order, with its kind, spec and state"

# ---- --format json and prometheus ------------------------------------------------
run timeout 60 "$TC" --status "$MSOCK" --format json </dev/null
is "0:" "$RUN_RC:$RUN_ERR" "--format json: exit 0, nothing on stderr"
run python3 -c '
import json, sys
d = json.loads(sys.argv[1])
sock = sys.argv[2]
perf = {p["label"]: p for p in d["perfdata"]}
print(d["state"], d["exit_code"], d["status_socket"] == sock, d["facts"]["host"],
      d["facts"]["state"], ",".join(p["label"] for p in d["perfdata"]),
      perf["forwards_up"]["value"], perf["forwards_up"]["max"],
      perf["reconnects"]["value"], perf["connections"]["uom"],
      d["summary"].startswith("fwdpipe to 127.0.0.1 up "))' "$RUN_OUT" "$MSOCK"
is "OK 0 True 127.0.0.1 up uptime,reconnects,reconnects_total,forwards_up,channels,connections,bytes_out,bytes_in 3.0 3.0 0.0 c True" \
	"$RUN_OUT" "--format json parses: state, exit_code, status_socket, facts, perfdata, summary" ||
	diag "$RUN_ERR"

run timeout 60 "$TC" --status "$MSOCK" --format prometheus </dev/null
is "0:" "$RUN_RC:$RUN_ERR" "--format prometheus: exit 0, nothing on stderr"
PROM=$RUN_OUT
run /usr/bin/promtool check metrics <<<"$PROM"
is_int 0 "$RUN_RC" "--format prometheus passes promtool check metrics" || diag "$RUN_OUT" "$RUN_ERR"
nl=$'\n'
sl="status_socket=\"$(req "$MSOCK")\""
for m in "tunnelcheck_up\\{$sl\\} 1" "tunnelcheck_state\\{$sl\\} 0" \
	"tunnelcheck_tunnel_forwards_up\\{$sl\\} 3" "tunnelcheck_tunnel_recent_reconnects\\{$sl\\} 0" \
	"tunnelcheck_tunnel_connections_total\\{$sl\\} $s_conn" \
	"tunnelcheck_tunnel_bytes_total\\{$sl,direction=\"out\"\\} $s_out" \
	"tunnelcheck_tunnel_bytes_total\\{$sl,direction=\"in\"\\} $s_in"; do
	like "(^|$nl)$m($nl|\$)" "$PROM" "prometheus: ${m//\\/}"
done

# ---- a forward that is down ---------------------------------------------------------
# Its port is taken on the server's side: the server refuses the -R and
# fwdpipe retries it, while the -L works.
fixture_free_port
H=$FIXTURE_PORT
fwd_hold_port "$H" 120 || bail "cannot hold port $H"
fixture_free_port
LP2=$FIXTURE_PORT
fp held -R "$H:127.0.0.1:$ECHO" -L "$LP2:127.0.0.1:$ECHO"
HELD=$FP HSOCK=$SOCK HLOG=$LOG
fwd_wait_status 20 "$HSOCK" forwards.0.state '^retrying$'
is "retrying" "$FWD_SEEN" "fwdpipe retries the -R whose port is taken on the server" || diag "$(<"$HLOG")"
tc_is 2 "TUNNEL CRITICAL - fwdpipe to 127\\.0\\.0\\.1 up [0-9]+s, 1/2 forwards up, 0 reconnects in the last 1h00m00s; forward remote localhost:$H:127\\.0\\.0\\.1:$ECHO is retrying: [^|]*localhost:${H}[^|]* \\| $(perf_re 0 '' '' 0 1 2)" \
	"--status with a forward down: CRITICAL naming the forward, its state and error" \
	--status "$HSOCK"

# Killed (SIGKILL): its socket file stays behind, nobody listens on it.
# (bash would report the kill on stderr when it reaps it: quietly, here.)
{
	kill -KILL "$HELD"
	wait "$HELD"
} 2>/dev/null
ok "fwdpipe killed: its socket file is left behind" test -S "$HSOCK"
tc_is 2 "TUNNEL CRITICAL - status socket $(req "$HSOCK") \\(is fwdpipe running\\?\\): Connection refused\$" \
	"--status of a killed fwdpipe (stale socket): CRITICAL, is fwdpipe running?" \
	--status "$HSOCK"
fixture_stop "$FWD_HOLD_PID"

# ---- the sshd dies and comes back ----------------------------------------------------
fwd_sshd_down || bail "sshd did not go down"
fwd_wait_status 20 "$MSOCK" state '^(backoff|connecting)$'
like '^(backoff|connecting)$' "$FWD_SEEN" "sshd killed: fwdpipe noticed (state $FWD_SEEN)"
tc_is 2 "TUNNEL CRITICAL - fwdpipe to 127\\.0\\.0\\.1 is (down, retrying|connecting)(: [^|]*)? \\| 'uptime'=" \
	"--status with the sshd down: CRITICAL, down, retrying (or connecting)" \
	--status "$MSOCK"
tc_is 2 "TUNNEL CRITICAL - fwdpipe to 127\\.0\\.0\\.1 is (down, retrying|connecting)" \
	"... whatever -w says" --status "$MSOCK" -w 100

fwd_sshd_up || bail "sshd did not come back"
wait_up "$MSOCK" 30
is "up" "$(fwd_status "$MSOCK" state)" "sshd back: fwdpipe is up again with every forward"
is_int 1 "$(fwd_status "$MSOCK" reconnects)" "... after one reconnect"
tc_is 0 "TUNNEL OK - fwdpipe to 127\\.0\\.0\\.1 up [0-9]+s, 3/3 forwards up, 1 reconnect in the last 1h00m00s \\| $(perf_re 1 '' '' 1 3 3)" \
	"--status after the recovery: OK, 1 reconnect in the window" \
	--status "$MSOCK"
tc_is 1 "TUNNEL WARNING - fwdpipe to 127\\.0\\.0\\.1 up [0-9]+s, 3/3 forwards up, 1 reconnect in the last 1h00m00s \\(warning range 0\\) \\| $(perf_re 1 0 '' 1 3 3)" \
	"-w 0 (warn on any reconnect): WARNING" \
	--status "$MSOCK" -w 0
tc_is 2 "TUNNEL CRITICAL - fwdpipe to 127\\.0\\.0\\.1 up [0-9]+s, 3/3 forwards up, 1 reconnect in the last 1h00m00s \\(critical range 0\\) \\| $(perf_re 1 '' 0 1 3 3)" \
	"-c 0: CRITICAL" \
	--status "$MSOCK" -c 0
tc_is 1 "TUNNEL WARNING - .* \\(warning range 0\\) \\| $(perf_re 1 0 5 1 3 3)" \
	"-w 0 -c 5: WARNING (1 is within 0..5: not critical)" \
	--status "$MSOCK" -w 0 -c 5
tc_is 0 "TUNNEL OK - fwdpipe to 127\\.0\\.0\\.1 up [0-9]+s, 3/3 forwards up, 1 reconnect in the last 1h00m00s \\| $(perf_re 1 2 '' 1 3 3)" \
	"-w 2: OK" \
	--status "$MSOCK" -w 2

# The reconnect leaves a 1 s window once a second or two have passed
# (fwdpipe records it in whole seconds): poll for that.
end=$(($(tap_now_ms) + 8000))
while :; do
	run timeout 60 "$TC" --status "$MSOCK" -w 0 --reconnect-window 1 </dev/null
	[[ $RUN_RC == 0 ]] && break
	(($(tap_now_ms) < end)) || break
	sleep 0.2
done
like "^exit 0, stderr '', stdout TUNNEL OK - fwdpipe to 127\\.0\\.0\\.1 up [0-9]+s, 3/3 forwards up, 0 reconnects in the last 1s \\| $(perf_re 0 0 '' 1 3 3)" \
	"exit $RUN_RC, stderr '$RUN_ERR', stdout ${RUN_OUT%%$'\n'*}" \
	"--reconnect-window 1 -w 0, the reconnect older than 1 s: OK, reconnects 0, reconnects_total 1"

# ---- fwdpipe stopped -----------------------------------------------------------------
kill -TERM "$MAIN"
rc=0
wait "$MAIN" || rc=$?
is_int 0 "$rc" "fwdpipe stopped (SIGTERM, exit 0)"
tc_is 2 "TUNNEL CRITICAL - status socket $(req "$MSOCK") \\(is fwdpipe running\\?\\): No such file or directory\$" \
	"--status of a stopped fwdpipe: CRITICAL, is fwdpipe running?" \
	--status "$MSOCK"
tc_is 2 "TUNNEL CRITICAL - status socket $(req "$MSOCK") \\(is fwdpipe running\\?\\)" \
	"... also with --timeout-state unknown (it is no timeout)" \
	--status "$MSOCK" --timeout-state unknown

# ---- sockets that are not fwdpipe's ----------------------------------------------------
fake_sock garbage reply "not json"
tc_is 3 "TUNNEL UNKNOWN - status socket $(req "$FAKE"): [^|]*(JSON|json)" \
	"a socket that answers \"not json\": UNKNOWN" \
	--status "$FAKE"
fake_sock empty reply '{}'
tc_is 3 "TUNNEL UNKNOWN - status socket $(req "$FAKE"): [^|]*missing field" \
	"a socket that answers {} (JSON, no status document): UNKNOWN, a missing field" \
	--status "$FAKE"
fake_sock range reply '{"version":"1","pid":1,"state":"up","host":"h","uptime":-5,"reconnects":0,"channels":0,"connections":0,"bytes_out":0,"bytes_in":0,"forwards":[]}'
tc_is 3 "TUNNEL UNKNOWN - status socket $(req "$FAKE"): [^|]*uptime[^|]*range" \
	"a document with a number out of range: UNKNOWN, not CRITICAL" \
	--status "$FAKE"
fake_sock silent silent
tc_is 2 "TUNNEL CRITICAL - status socket $(req "$FAKE"): no answer within 1 s" \
	"a socket that never answers, -t 1: CRITICAL" \
	--status "$FAKE" -t 1
ok "... after about 1 s (${RUN_MS} ms)" test "$RUN_MS" -ge 900 -a "$RUN_MS" -lt 5000
tc_is 3 "TUNNEL UNKNOWN - status socket $(req "$FAKE"): no answer within 1 s" \
	"... with --timeout-state unknown: UNKNOWN" \
	--status "$FAKE" -t 1 --timeout-state unknown
ok "... after about 1 s (${RUN_MS} ms)" test "$RUN_MS" -ge 900 -a "$RUN_MS" -lt 5000

done_testing
