#!/bin/bash
# fwdpipe-forward.t: fwdpipe's forwards against a real sshd and a tcpserv
# echo server: 64 MiB echoed intact (same SHA-256 both ways) through -L,
# through -R with a server-allocated port (-R 0: the "Allocated port" log
# line and the status socket agree), and through -D as SOCKS5 (socks5h)
# and SOCKS4a; 1,000 concurrent -L connections of 64 KiB each, all intact,
# counted on the status socket and all closed afterwards; a -R whose local
# target refuses closes that connection only; where -L listens (loopback by
# default, every interface with -g, only the given bind address);
# ExitOnForwardFailure for a busy local port and a -R the server refuses,
# and without it a failed forward beside working ones; the status socket
# (fields, mode 0600, counters, removed at exit), SIGUSR1's summary line,
# SIGTERM's exit 0; -f returns once the forwards work, and fails fast for
# an unreachable server.
# SPDX-License-Identifier: MIT

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"
. "$top_srcdir/t/tap/fixtures-fwd.sh"

FWDPIPE=$top_builddir/tools/fwdpipe
JUMPCAT=$top_builddir/tools/jumpcat
fixture_require "$FWDPIPE" "$JUMPCAT" python3 socat ss ip timeout sha256sum stat
# 1,000 connections at once need as many descriptors in sshd (which does
# not raise its own limit) and in the client: raise ours, they inherit it.
nofile=$(ulimit -Hn)
[[ $nofile == unlimited || $nofile -gt 65536 ]] && nofile=65536
ulimit -n "$nofile" 2>/dev/null
fixture_sshd_start || bail "no sshd"
fixture_tcpserv echo
ECHO=$TCPSERV_PORT
plan_lazy

# fp NAME ARG...: start fwdpipe ARG... against the fixture sshd in the
# background, stderr in $T_TMP/NAME.log.  Sets FP (its pid) and LOG.
fp() {
	local name=$1
	shift
	LOG=$T_TMP/$name.log
	"$FWDPIPE" -F "$SSH_CONFIG" -p "$SSHD_PORT" "$@" 127.0.0.1 2>"$LOG" &
	FP=$!
	fixture_atexit "kill $FP 2>/dev/null"
}

# fp_stop PID: SIGTERM fwdpipe PID and reap it; sets FP_RC.
fp_stop() {
	kill -TERM "$1" 2>/dev/null
	FP_RC=0
	wait "$1" || FP_RC=$?
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

# listeners PORT: the local addresses listening on TCP PORT, sorted, on
# one line ("127.0.0.1:80 [::1]:80").
listeners() {
	ss -Hltn "sport = :$1" | awk '{ print $4 }' | sort | tr '\n' ' ' | sed 's/ $//'
}

# missing_fields: the fields of the spec's status document that the
# document on stdin lacks, on one line.
missing_fields() {
	python3 -c '
import json, sys
d = json.load(sys.stdin)
top = ["version", "pid", "state", "host", "uptime", "reconnects", "last_error",
       "last_error_time", "channels", "connections", "bytes_out", "bytes_in", "forwards"]
fw = ["kind", "spec", "state", "bound", "port", "error"]
m = [k for k in top if k not in d]
for i, f in enumerate(d.get("forwards", [])):
    m += ["forwards[%d].%s" % (i, k) for k in fw if k not in f]
print(" ".join(m))'
}

# A python client for many connections at once: N connections to
# 127.0.0.1:PORT opened together, each sends SIZE random bytes, half-closes
# and reads until EOF; prints "N of N intact" (and what went wrong).
PY_MANY='
import asyncio, os, resource, sys
port, n, size = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
if soft != resource.RLIM_INFINITY and soft < n + 64:
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, n + 1024), hard))
errors = {}
async def one(i, start):
    data = os.urandom(size)
    await start.wait()
    r, w = await asyncio.open_connection("127.0.0.1", port)
    try:
        w.write(data)
        await w.drain()
        w.write_eof()
        got = await r.read(-1)
        if got != data:
            return "%d of %d bytes back%s" % (len(got), size,
                "" if len(got) != size else ", different")
        return None
    finally:
        w.close()
async def guarded(i, start):
    try:
        return await asyncio.wait_for(one(i, start), 120)
    except Exception as e:
        return type(e).__name__ + ": " + str(e)
async def main():
    start = asyncio.Event()
    tasks = [asyncio.ensure_future(guarded(i, start)) for i in range(n)]
    await asyncio.sleep(0)
    start.set()
    res = await asyncio.gather(*tasks)
    good = sum(1 for x in res if x is None)
    print("%d of %d intact" % (good, n))
    for x in res:
        if x is not None:
            errors[x] = errors.get(x, 0) + 1
    for k, v in sorted(errors.items()):
        print("%d x %s" % (v, k))
    return good == n
sys.exit(0 if asyncio.run(main()) else 1)
'

# A client that connects to 127.0.0.1:PORT, sends a line and reports how
# the far side ended the connection within SECS: "eof", "reset", "data"
# (bytes came back: the connection is served) or "timeout".
PY_ENDS='
import socket, sys
port, secs = int(sys.argv[1]), float(sys.argv[2])
s = socket.create_connection(("127.0.0.1", port), timeout=secs)
try:
    s.sendall(b"hello\n")
    d = s.recv(4096)
    print("data" if d else "eof")
except socket.timeout:
    print("timeout")
except OSError:
    print("reset")
'

# ---- a fwdpipe with -L, -R 0, -D, and a -R to a closed port --------------
fixture_free_ports 3 || bail "no free port"
LP=${PORTS[0]} DP=${PORTS[1]} PCLOSED=${PORTS[2]}
SOCK=$T_TMP/a.sock
fp a -L "$LP:127.0.0.1:$ECHO" -R "0:127.0.0.1:$ECHO" -D "$DP" \
	-R "0:127.0.0.1:$PCLOSED" --status-socket "$SOCK"
A=$FP ALOG=$LOG
wait_up "$SOCK" 20 || bail "fwdpipe -L -R -D did not come up: $(<"$ALOG") $(fwd_status "$SOCK")"

# ---- 6. the status socket, before any traffic ------------------------------
fwd_status "$SOCK" >"$T_TMP/st0.json"
ok "the status document is JSON (python3 -m json.tool)" python3 -m json.tool "$T_TMP/st0.json" /dev/null
is_int 1 "$(grep -c . "$T_TMP/st0.json")" "the document is one line"
is "s 600" "$(stat -c '%F %a' "$SOCK" | sed 's/^socket/s/')" "the status socket is a socket of mode 0600"
IFS=$'\n' read -r -d '' st_state st_host st_pid st_rc st_ver st_ch st_conn < <(fwd_status "$SOCK" \
	state host pid reconnects version channels connections)
is "up" "$st_state" "status: state up"
is "127.0.0.1" "$st_host" "status: host as given"
is_int "$A" "$st_pid" "status: pid is fwdpipe's"
is_int 0 "$st_rc" "status: reconnects 0"
like '^[0-9]+\.[0-9]+' "$st_ver" "status: a version string"
is "0:0" "$st_ch:$st_conn" "status: no channel yet, no connection yet"
# Every documented field is there ("string or null": null, not left out).
missing=$(missing_fields <"$T_TMP/st0.json")
is "" "$missing" "status: every field of the spec is present (null when unset)"
is "local remote dynamic remote" "$(fwd_status "$SOCK" forwards.{0,1,2,3}.kind | tr '\n' ' ' | sed 's/ $//')" \
	"status: the forwards' kinds, in order"
is "up up up up" "$(fwd_status "$SOCK" forwards.{0,1,2,3}.state | tr '\n' ' ' | sed 's/ $//')" \
	"status: every forward up"
like "^(localhost|127\\.0\\.0\\.1):$LP:127\\.0\\.0\\.1:$ECHO\$" "$(fwd_status "$SOCK" forwards.0.spec)" \
	"status: the -L spec written out with its bind address"
is "127.0.0.1:$LP" "$(fwd_status "$SOCK" forwards.0.bound forwards.0.port | tr '\n' ':' | sed 's/:$//')" \
	"status: the -L forward is bound to 127.0.0.1 port $LP"
is "127.0.0.1:$DP" "$(fwd_status "$SOCK" forwards.2.bound forwards.2.port | tr '\n' ':' | sed 's/:$//')" \
	"status: the -D forward is bound to 127.0.0.1 port $DP"
like "^(localhost|127\\.0\\.0\\.1):0:127\\.0\\.0\\.1:$ECHO\$" "$(fwd_status "$SOCK" forwards.1.spec)" \
	"status: the -R spec"
is "localhost" "$(fwd_status "$SOCK" forwards.1.bound)" "status: the -R bound address is the one sent to the server"

# ---- 1. integrity: 64 MiB through each kind of forward ---------------------
head -c 64M /dev/urandom >"$T_TMP/64m"
SUM=$(sha256sum <"$T_TMP/64m")

timeout 120 "$JUMPCAT" 127.0.0.1 "$LP" <"$T_TMP/64m" >"$T_TMP/l.out"
is_int 0 "$?" "-L: jumpcat through the forward exits 0"
is "$SUM" "$(sha256sum <"$T_TMP/l.out")" "-L: 64 MiB echoed back with the same SHA-256"

RPORT=$(sed -n "s/^fwdpipe: Allocated port \\([0-9]*\\) for remote forward to 127\\.0\\.0\\.1:$ECHO\$/\\1/p" "$ALOG")
like '^[1-9][0-9]*$' "$RPORT" "-R 0: \"Allocated port N for remote forward to 127.0.0.1:$ECHO\" logged (N $RPORT)"
is "$RPORT" "$(fwd_status "$SOCK" forwards.1.port)" "-R 0: the status socket shows the same port"
timeout 120 socat -t 60 -T 60 - "TCP:127.0.0.1:$RPORT" <"$T_TMP/64m" >"$T_TMP/r.out"
is_int 0 "$?" "-R: socat to the server-side port exits 0"
is "$SUM" "$(sha256sum <"$T_TMP/r.out")" "-R: 64 MiB echoed back with the same SHA-256"

timeout 120 "$JUMPCAT" -x "socks5h://127.0.0.1:$DP" localhost "$ECHO" <"$T_TMP/64m" >"$T_TMP/d5.out"
is_int 0 "$?" "-D SOCKS5 (socks5h, a name): jumpcat exits 0"
is "$SUM" "$(sha256sum <"$T_TMP/d5.out")" "-D SOCKS5: 64 MiB echoed back with the same SHA-256"

timeout 120 socat -t 60 -T 60 - "SOCKS4A:127.0.0.1:localhost:$ECHO,socksport=$DP" \
	<"$T_TMP/64m" >"$T_TMP/d4.out"
is_int 0 "$?" "-D SOCKS4a: socat exits 0"
is "$SUM" "$(sha256sum <"$T_TMP/d4.out")" "-D SOCKS4a: 64 MiB echoed back with the same SHA-256"
rm -f -- "$T_TMP"/{l,r,d5,d4}.out

IFS=$'\n' read -r -d '' b_out b_in b_conn < <(fwd_status "$SOCK" bytes_out bytes_in connections)
((mib256 = 4 * 64 * 1024 * 1024))
ok "status: bytes_out grew by at least 4 x 64 MiB ($b_out)" test "${b_out:-0}" -ge "$mib256"
ok "status: bytes_in grew by at least 4 x 64 MiB ($b_in)" test "${b_in:-0}" -ge "$mib256"
is_int 4 "$b_conn" "status: 4 connections forwarded so far"

# ---- 2. 1,000 concurrent -L connections -----------------------------------
run timeout 180 python3 -c "$PY_MANY" "$LP" 1000 65536
is_int 0 "$RUN_RC" "1000 concurrent -L connections, 64 KiB each: client exits 0" || diag "$RUN_OUT" "$RUN_ERR"
like '^1000 of 1000 intact' "$RUN_OUT" "all 1000 connections came back intact"
fwd_wait_status 10 "$SOCK" channels '^0$'
is "0" "$FWD_SEEN" "status: channels back to 0 afterwards"
conn=$(fwd_status "$SOCK" connections)
ok "status: connections >= 1000 ($conn)" test "${conn:-0}" -ge 1000
ok "fwdpipe still runs" kill -0 "$A"

# ---- 3. a -R whose local target refuses -----------------------------------
RCLOSED=$(fwd_status "$SOCK" forwards.3.port)
like '^[1-9][0-9]*$' "$RCLOSED" "-R to a closed port: the server allocated port $RCLOSED"
run timeout 20 python3 -c "$PY_ENDS" "$RCLOSED" 10
like '^(eof|reset)$' "$RUN_OUT" "-R to a closed port: a connection to the server's port is closed ($RUN_OUT)"
ok "-R to a closed port: fwdpipe still runs" kill -0 "$A"
fwd_wait_status 5 "$SOCK" last_error "$PCLOSED"
like "$PCLOSED" "$FWD_SEEN" "-R to a closed port: last_error names the refused target"
is "up" "$(fwd_status "$SOCK" state)" "-R to a closed port: the session stays up"
ok "-R to a closed port: the other -R still forwards" fwd_echo "$RPORT"
ok "-R to a closed port: -L still forwards" fwd_echo "$LP"
fwd_wait_status 10 "$SOCK" channels '^0$'
is "0" "$FWD_SEEN" "-R to a closed port: no channel left open"

# ---- 6. SIGUSR1, SIGTERM ---------------------------------------------------
n0=$(grep -c . "$ALOG")
kill -USR1 "$A"
fixture_wait_log "$ALOG" 'forwards [0-9]+/[0-9]+ up' 5
is_int $((n0 + 1)) "$(grep -c . "$ALOG")" "SIGUSR1: one line more on stderr"
like "^fwdpipe: 127\\.0\\.0\\.1: up .*forwards 4/4 up.*channels 0 open, [0-9]+ total" \
	"$(tail -n 1 "$ALOG")" "SIGUSR1: the line sums up the status"
ok "SIGUSR1: fwdpipe still runs" kill -0 "$A"
fp_stop "$A"
is_int 0 "$FP_RC" "SIGTERM: exit 0"
ok "SIGTERM: the status socket file is removed" test ! -e "$SOCK"
ok "SIGTERM: the -L port is closed" test -z "$(listeners "$LP")"

# ---- 4. where -L listens ---------------------------------------------------
have6=$(python3 -c '
import socket
try:
    socket.socket(socket.AF_INET6).bind(("::1", 0)); print(1)
except OSError:
    print(0)')
fixture_free_ports 3 || bail "no free port"
P1=${PORTS[0]} P2=${PORTS[1]} P3=${PORTS[2]}
fp bind -L "$P1:127.0.0.1:$ECHO" -L "127.0.0.1:$P3:127.0.0.1:$ECHO" -D "$P2"
B=$FP BLOG=$LOG
fixture_wait_log "$BLOG" "port $P2\$" 10 && fixture_wait_log "$BLOG" "port $P3\$" 10
if ((have6)); then
	is "127.0.0.1:$P1 [::1]:$P1" "$(listeners "$P1")" "-L without a bind address: 127.0.0.1 and [::1] only"
	is "127.0.0.1:$P2 [::1]:$P2" "$(listeners "$P2")" "-D without a bind address: 127.0.0.1 and [::1] only"
else
	is "127.0.0.1:$P1" "$(listeners "$P1")" "-L without a bind address: 127.0.0.1 only (no IPv6 here)"
	is "127.0.0.1:$P2" "$(listeners "$P2")" "-D without a bind address: 127.0.0.1 only (no IPv6 here)"
fi
is "127.0.0.1:$P3" "$(listeners "$P3")" "-L 127.0.0.1:port: that address only"
fp_stop "$B"

fixture_free_ports 1 || bail "no free port"
P4=${PORTS[0]}
fp gw -g -L "$P4:127.0.0.1:$ECHO"
G=$FP GLOG=$LOG
fixture_wait_log "$GLOG" "port $P4\$" 10
l=$(listeners "$P4")
like "^(0\\.0\\.0\\.0|\\*|\\[::\\]):$P4( (0\\.0\\.0\\.0|\\*|\\[::\\]):$P4)*\$" "$l" \
	"-g -L without a bind address: every interface ($l)"
unlike "127\\.0\\.0\\.1|::1" "$l" "-g: not loopback"
ok "-g: a connection to 127.0.0.1:$P4 is forwarded" fwd_echo "$P4"
# Reached through an address that is not loopback, if this machine has one.
ext=$(ip -4 -o addr show scope global 2>/dev/null | awk '{ sub(/\/.*/, "", $4); print $4; exit }')
if [[ -n $ext ]]; then
	run timeout 10 python3 -c '
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
s.sendall(b"ext\n")
print(s.recv(16).decode().strip())' "$ext" "$P4"
	is "ext" "$RUN_OUT" "-g: a connection to $ext:$P4 (not loopback) is forwarded"
else
	skip "-g: this machine has no non-loopback IPv4 address to connect through"
fi
fp_stop "$G"
is_int 0 "$FP_RC" "-g fwdpipe: SIGTERM exit 0"

# ---- 5. ExitOnForwardFailure ---------------------------------------------------
fixture_tcpserv echo
BUSY=$TCPSERV_PORT
run timeout 20 "$FWDPIPE" -F "$SSH_CONFIG" -p "$SSHD_PORT" -o ExitOnForwardFailure=yes \
	-L "$BUSY:127.0.0.1:$ECHO" 127.0.0.1 </dev/null
is_int 1 "$RUN_RC" "ExitOnForwardFailure=yes, -L on a port in use: exit 1"
is_int 1 "$(grep -c . <<<"$RUN_ERR")" "... with one line on stderr" || diag "$RUN_ERR"
like "port $BUSY: Address already in use" "$RUN_ERR" "... naming the port and the reason"

fixture_free_ports 1 || bail "no free port"
P5=${PORTS[0]}
SOCK=$T_TMP/e.sock
fp eoff -L "$BUSY:127.0.0.1:$ECHO" -L "$P5:127.0.0.1:$ECHO" --status-socket "$SOCK"
E=$FP ELOG=$LOG
fwd_wait_status 20 "$SOCK" forwards.0.state '^failed$'
is "failed" "$FWD_SEEN" "without ExitOnForwardFailure: the busy -L shows as failed"
like "in use" "$(fwd_status "$SOCK" forwards.0.error)" "... with its error"
is "bound=None port=0" "$(fwd_status "$SOCK" | python3 -c '
import json, sys
f = json.load(sys.stdin)["forwards"][0]
print("bound=%r port=%r" % (f.get("bound", "missing"), f.get("port", "missing")))')" \
	"... its bound address null and its port 0 (as the spec says)"
fwd_wait_status 20 "$SOCK" state '^up$'
is "up" "$FWD_SEEN" "... the session is up"
is "up" "$(fwd_status "$SOCK" forwards.1.state)" "... the other -L is up"
ok "... and forwards" fwd_echo "$P5"
ok "... fwdpipe runs" kill -0 "$E"
like "^fwdpipe: warning: .*port $BUSY: Address already in use" "$(grep -- "$BUSY" "$ELOG")" \
	"... and logged a warning naming the port"
fp_stop "$E"

# -R refused: hold the port on both loopback addresses (sshd's "localhost"
# listener binds them both and is content with one).
fixture_free_ports 1 || bail "no free port"
H=${PORTS[0]}
fwd_hold_port "$H" 120 || bail "cannot hold port $H"
t0=$(tap_now_ms)
run timeout 30 "$FWDPIPE" -F "$SSH_CONFIG" -p "$SSHD_PORT" -o ExitOnForwardFailure=yes \
	-R "$H:127.0.0.1:$ECHO" 127.0.0.1 </dev/null
ms=$(($(tap_now_ms) - t0))
is_int 1 "$RUN_RC" "ExitOnForwardFailure=yes, -R on a port busy on the server: exit 1" || diag "$RUN_ERR"
like "$H.*refused|refused.*$H" "$(tail -n 1 <<<"$RUN_ERR")" "... the last line names the port and the refusal"
ok "... at once (${ms} ms)" test "$ms" -lt 10000
fixture_stop "$FWD_HOLD_PID"

# ---- 7. -f ------------------------------------------------------------------
fixture_free_ports 1 || bail "no free port"
P6=${PORTS[0]}
SOCK=$T_TMP/f.sock
run timeout 30 "$FWDPIPE" -f -F "$SSH_CONFIG" -p "$SSHD_PORT" -L "$P6:127.0.0.1:$ECHO" \
	--status-socket "$SOCK" 127.0.0.1 </dev/null
is_int 0 "$RUN_RC" "-f: the parent exits 0" || diag "$RUN_ERR"
ok "-f: a connection right after it returned is forwarded" fwd_echo "$P6"
fpid=$(fwd_status "$SOCK" pid)
like '^[0-9]+$' "$fpid" "-f: the status socket answers (pid $fpid)"
[[ $fpid =~ ^[0-9]+$ ]] && fixture_atexit "kill $fpid 2>/dev/null"
ok "-f: the background process runs" kill -0 "${fpid:-0}"
is "up" "$(fwd_status "$SOCK" state)" "-f: its session is up"
kill -TERM "${fpid:-0}" 2>/dev/null
for ((i = 0; i < 250; i++)); do
	kill -0 "${fpid:-0}" 2>/dev/null || break
	sleep 0.02
done
ok "-f: the background process ends on SIGTERM" test "$i" -lt 250
ok "-f: ... and removes its status socket" test ! -e "$SOCK"

fixture_free_ports 2 || bail "no free port"
PDOWN=${PORTS[0]} P7=${PORTS[1]}
SOCK=$T_TMP/f2.sock
run timeout 30 "$FWDPIPE" -f -F "$SSH_CONFIG" -p "$PDOWN" -L "$P7:127.0.0.1:$ECHO" \
	--status-socket "$SOCK" 127.0.0.1 </dev/null
is_int 1 "$RUN_RC" "-f, server unreachable: exit 1"
ok "... quickly (${RUN_MS} ms)" test "$RUN_MS" -lt 5000
like "port $PDOWN: Connection refused" "$RUN_ERR" "... with a line naming the failure"
for ((i = 0; i < 250; i++)); do
	[[ -e $SOCK ]] || break
	sleep 0.02
done
ok "... and nothing is left running (no status socket)" test ! -e "$SOCK"
ok "... (nothing listens on -L $P7)" test -z "$(listeners "$P7")"

done_testing
