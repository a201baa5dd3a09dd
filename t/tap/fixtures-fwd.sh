# fixtures-fwd.sh: helpers for fwdpipe's outage and systemd tests (t/fwdpipe-*.t).
# SPDX-License-Identifier: MIT
#
# Source it after libtap.sh and fixtures.sh.  It takes the fixture sshd
# (fixture_sshd_start) down and brings it back on the same port, and
# gives small python3 clients for what bash cannot do alone: the status
# socket's JSON, echo round trips with deadlines, a connection held open
# until the far side closes it, a port held by a stranger, and a
# sd_notify(3) receiver.
#
#   fwd_sshd_tree PID         print PID and all its descendants
#   fwd_sshd_down             SIGKILL the fixture sshd: the listener and
#                             every session process under it (an sshd
#                             session calls setsid(), so fixture_stop's
#                             process group kill misses it); waits until
#                             all are gone; sets FWD_SSHD_GONE (the pids)
#   fwd_sshd_freeze / fwd_sshd_thaw
#                             SIGSTOP / SIGCONT the same set of processes
#   fwd_sshd_up               start sshd again with the same config, keys
#                             and port; waits until it listens; sets
#                             SSHD_PID, FWD_SSHD_START_MS (when it was
#                             started) and FWD_SSHD_UP_MS (when it was
#                             seen listening: up to a poll later)
#   fwd_status SOCK [PATH...] the status document (JSON) of the socket
#                             SOCK; with PATHs (dotted: "state",
#                             "forwards.1.state") one value a line
#                             instead, "null" for null or missing
#   fwd_wait_status SECS SOCK PATH REGEX
#                             poll until the value at PATH matches REGEX;
#                             sets FWD_SEEN (the last value read)
#   fwd_echo PORT [SECS]      one round trip through 127.0.0.1:PORT to an
#                             echo server: true if a fresh token came back
#   fwd_wait_echo SECS PORT   retry fwd_echo until it works or SECS pass
#   fwd_hold_conn PORT OUT    a client in the background: connects to
#                             PORT, echoes a token, writes "open" to OUT,
#                             then waits for the far side to end the
#                             connection and appends "eof MS" or
#                             "reset MS" (or "timeout"); sets FWD_CLIENT_PID
#   fwd_late_conn PORT OUT    a client in the background that connects,
#                             writes "connected MS" to OUT, sends a token
#                             and appends "echo MS" once it comes back
#                             ("eof MS"/"reset MS"/"timeout" otherwise);
#                             sets FWD_CLIENT_PID
#   fwd_hold_port PORT SECS   a stranger listening on 127.0.0.1:PORT and
#                             [::1]:PORT for SECS seconds; sets
#                             FWD_HOLD_PID
#   fwd_notify_recv ADDR OUT  a datagram socket at ADDR (a path, or
#                             "@name" for the abstract namespace) that
#                             appends each line of each datagram to OUT as
#                             "MS LINE"; sets FWD_NOTIFY_PID
#
# (fixture_listen_inodes, in fixtures.sh, tells whether a listener was
# ever closed.)
#
# MS is the wall clock in milliseconds, the same clock as tap_now_ms.
# shellcheck disable=SC2034,SC2153 # variables for the caller; SSHD_* from fixtures.sh

FWD_PY=${FWD_PY:-python3}

# fwd_sshd_tree PID: print PID and its descendants, one a line.
fwd_sshd_tree() {
	local p
	echo "$1"
	for p in $(pgrep -P "$1"); do
		fwd_sshd_tree "$p"
	done
}

# fwd__alive PID: true if PID exists and is not a zombie.
fwd__alive() {
	local st
	st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	[[ $st != Z* ]]
}

# fwd_sshd_down: kill the fixture sshd and its sessions; wait (bounded)
# until none of them is left.
fwd_sshd_down() {
	local pids p i left
	mapfile -t pids < <(fwd_sshd_tree "$SSHD_PID")
	FWD_SSHD_GONE=("${pids[@]}")
	# The listener is this shell's child: bash would report it "Killed"
	# on stderr when it reaps it; it does so in here, quietly.
	{
		kill -KILL "${pids[@]}"
		for ((i = 0; i < 250; i++)); do
			left=
			for p in "${pids[@]}"; do
				fwd__alive "$p" && left+=" $p"
			done
			[[ -z $left ]] && break
			sleep 0.02
		done
		wait "$SSHD_PID"
	} 2>/dev/null
	fixture__forget "$SSHD_PID"
	rm -f -- "$SSHD_DIR/sshd.pid"
	[[ -z $left ]] || { diag "sshd processes still there:$left"; return 1; }
}

# fwd_sshd_freeze / fwd_sshd_thaw: stop or continue the listener and
# every session under it.  FWD_FROZEN holds the pids.
fwd_sshd_freeze() {
	mapfile -t FWD_FROZEN < <(fwd_sshd_tree "$SSHD_PID")
	kill -STOP "${FWD_FROZEN[@]}"
}
fwd_sshd_thaw() {
	kill -CONT "${FWD_FROZEN[@]}" 2>/dev/null
	return 0
}

# fwd_sshd_up: start sshd again on SSHD_PORT with the files of
# fixture_sshd_start, and wait until it listens.
fwd_sshd_up() {
	local rc=0
	rm -f -- "$SSHD_DIR/sshd.pid"
	FWD_SSHD_START_MS=$(tap_now_ms)
	fixture__spawn "$SSHD_DIR/sshd.out" /usr/sbin/sshd -D -f "$SSHD_DIR/sshd_config" -E "$SSHD_LOG"
	fixture__wait_listen "$FIXTURE_PID" "$SSHD_PORT" 15 || rc=$?
	FWD_SSHD_UP_MS=$(tap_now_ms)
	if ((rc != 0)); then
		diag "sshd did not come back on port $SSHD_PORT (rc $rc): $(fixture__tail "$SSHD_LOG")"
		return 1
	fi
	SSHD_PID=$FIXTURE_PID
}

FWD__PY_STATUS='
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(sys.argv[1])
buf = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    buf += d
if len(sys.argv) == 2:
    sys.stdout.write(buf.decode() + ("" if buf.endswith(b"\n") else "\n"))
    sys.exit(0)
doc = json.loads(buf)
for path in sys.argv[2:]:
    v = doc
    for k in path.split("."):
        if isinstance(v, list):
            v = v[int(k)] if int(k) < len(v) else None
        elif isinstance(v, dict):
            v = v.get(k)
        else:
            v = None
    if v is None:
        print("null")
    elif isinstance(v, bool):
        print("true" if v else "false")
    elif isinstance(v, (dict, list)):
        print(json.dumps(v))
    else:
        print(str(v).replace("\n", " "))
'

# fwd_status SOCK [PATH...]: see the top of this file.
fwd_status() {
	"$FWD_PY" -c "$FWD__PY_STATUS" "$@" 2>/dev/null
}

# fwd_wait_status SECS SOCK PATH REGEX: see the top of this file.
fwd_wait_status() {
	local secs=$1 sock=$2 path=$3 re=$4 end
	end=$(($(fixture__now_us) + secs * 1000000))
	while :; do
		FWD_SEEN=$(fwd_status "$sock" "$path")
		[[ $FWD_SEEN =~ $re ]] && return 0
		(($(fixture__now_us) < end)) || return 1
		sleep 0.05
	done
}

FWD__PY_ECHO='
import os, socket, sys
port, secs = int(sys.argv[1]), float(sys.argv[2])
tok = os.urandom(12).hex().encode() + b"\n"
s = socket.create_connection(("127.0.0.1", port), timeout=secs)
s.sendall(tok)
got = b""
while len(got) < len(tok):
    d = s.recv(4096)
    if not d:
        break
    got += d
sys.exit(0 if got == tok else 1)
'

# fwd_echo PORT [SECS]: see the top of this file.
fwd_echo() {
	"$FWD_PY" -c "$FWD__PY_ECHO" "$1" "${2:-5}" 2>/dev/null
}

# fwd_wait_echo SECS PORT: see the top of this file.
fwd_wait_echo() {
	local end
	end=$(($(fixture__now_us) + $1 * 1000000))
	until fwd_echo "$2" 2; do
		(($(fixture__now_us) < end)) || return 1
		sleep 0.05
	done
}

FWD__PY_CONN='
import os, socket, sys, time
mode, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def ms():
    return int(time.time() * 1000)
def say(line):
    with open(out, "a") as f:
        f.write(line + "\n")
s = socket.create_connection(("127.0.0.1", port), timeout=5)
if mode == "late":
    say("connected %d" % ms())
tok = os.urandom(12).hex().encode() + b"\n"
s.sendall(tok)
s.settimeout(60)
got = b""
try:
    while len(got) < len(tok):
        d = s.recv(4096)
        if not d:
            say("eof %d" % ms())
            sys.exit(1)
        got += d
    if got != tok:
        say("garbled %r" % got)
        sys.exit(1)
    say(("echo %d" % ms()) if mode == "late" else "open")
    if mode == "late":
        sys.exit(0)
    while True:
        d = s.recv(4096)
        if not d:
            say("eof %d" % ms())
            break
except socket.timeout:
    say("timeout")
except OSError:
    say("reset %d" % ms())
'

# fwd_hold_conn PORT OUT / fwd_late_conn PORT OUT: see the top of this file.
fwd_hold_conn() {
	"$FWD_PY" -c "$FWD__PY_CONN" hold "$1" "$2" 2>>"$2.err" &
	FWD_CLIENT_PID=$!
}
fwd_late_conn() {
	"$FWD_PY" -c "$FWD__PY_CONN" late "$1" "$2" 2>>"$2.err" &
	FWD_CLIENT_PID=$!
}

FWD__PY_HOLD='
import socket, sys, time
port, secs, ready = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
socks = []
for fam, addr in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
    s = socket.socket(fam, socket.SOCK_STREAM)
    # Like sshd: a connection of a dead listener in TIME_WAIT is no obstacle.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    try:
        s.bind((addr, port))
    except OSError as e:
        if fam == socket.AF_INET6 and e.errno == 99:  # no ::1 here
            continue
        raise
    s.listen(8)
    socks.append(s)
with open(ready, "w") as f:
    f.write("%d\n" % len(socks))
time.sleep(secs)
'

# fwd_hold_port PORT SECS: see the top of this file.
fwd_hold_port() {
	local ready=$T_TMP/hold.$1.ready
	rm -f -- "$ready"
	fixture__spawn "$T_TMP/hold.$1.log" "$FWD_PY" -c "$FWD__PY_HOLD" "$1" "$2" "$ready"
	FWD_HOLD_PID=$FIXTURE_PID
	fixture__wait_file "$ready" "$FWD_HOLD_PID" 10 || {
		diag "could not hold port $1: $(fixture__tail "$T_TMP/hold.$1.log")"
		return 1
	}
}

FWD__PY_NOTIFY='
import socket, sys, time
addr, out, ready = sys.argv[1], sys.argv[2], sys.argv[3]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + addr[1:] if addr.startswith("@") else addr)
open(ready, "w").write("ok\n")
with open(out, "a") as f:
    while True:
        d = s.recv(65536)
        t = int(time.time() * 1000)
        for line in d.decode(errors="replace").split("\n"):
            if line:
                f.write("%d %s\n" % (t, line))
        f.flush()
'

# fwd_notify_recv ADDR OUT: see the top of this file.
fwd_notify_recv() {
	local ready=$2.ready
	rm -f -- "$ready"
	fixture__spawn "$2.log" "$FWD_PY" -c "$FWD__PY_NOTIFY" "$1" "$2" "$ready"
	FWD_NOTIFY_PID=$FIXTURE_PID
	fixture__wait_file "$ready" "$FWD_NOTIFY_PID" 10 || {
		diag "notify receiver did not start: $(fixture__tail "$2.log")"
		return 1
	}
}

