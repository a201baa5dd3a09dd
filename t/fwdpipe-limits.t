#!/bin/bash
# fwdpipe-limits.t: fwdpipe out of file descriptors, and under slowloris,
# against a real sshd and a tcpserv echo server.  Under `ulimit -n 128`,
# 500 connections at once to -L, then SOCKS5 clients to -D: the forward
# holds as many as its descriptors allow and data still flows through
# every one of them; the rest are refused at once (reset, EOF or a SOCKS
# failure, within seconds: none is left hanging in the backlog); the
# status socket still answers (accepted connections leave headroom); the
# log has one line when refusing starts and one "refused N connections"
# line per burst, and the Ns add up to what the clients saw; while it
# sits at the limit with new clients knocking 20 times a second, its CPU
# time (/proc/PID/stat) stays near zero; with the limit lowered under what
# it holds (prlimit: the headroom is gone and accept() itself fails with
# EMFILE) clients are still refused at once, without spinning; once the
# held connections close, no descriptor is left over and new ones are
# served.  Slowloris: 500 connections to -D that never speak (under a
# limit of 1024, the common default) do not keep a SOCKS client from
# being served within 1 s, and are closed by the SOCKS handshake timeout;
# under 128 they take every slot, and a client that talks is refused at
# once (not left hanging) until that timeout frees them.
# Out of descriptors for the -R dial (the local target) and for the
# reconnect's own dial: one error line, the channel closed, no crash, and
# it works again once descriptors are back.
# SPDX-License-Identifier: MIT

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"
. "$top_srcdir/t/tap/fixtures-fwd.sh"

FWDPIPE=$top_builddir/tools/fwdpipe
fixture_require "$FWDPIPE" python3 prlimit mkfifo setsid
# sshd (one channel per connection) and the python clients need more
# descriptors than fwdpipe gets: raise ours, they inherit it; fwdpipe
# itself runs under its own lower limit (fp_limited).
nofile=$(ulimit -Hn)
[[ $nofile == unlimited || $nofile -gt 65536 ]] && nofile=65536
ulimit -n "$nofile" 2>/dev/null
(($(ulimit -n) >= 4096)) ||
	fixture_fail "need 4096 descriptors for sshd and the clients, have $(ulimit -n) (hard limit $(ulimit -Hn))"
fixture_sshd_start || bail "no sshd"
fixture_tcpserv echo
ECHO=$TCPSERV_PORT
plan_lazy

CPU_WINDOW=3		# seconds of knocking while CPU is measured
CPU_MAX=30		# ticks (1/100 s) allowed in it: 10% of one core
REFUSE_MS_MAX=5000	# a refused client knows within this (it takes ms)

# fp_limited NAME LIMIT ARG...: fwdpipe ARG... against the fixture sshd,
# under `ulimit -n LIMIT`, in the background; stderr in $T_TMP/NAME.log.
# Sets FP (its pid: the shell execs it) and LOG.
fp_limited() {
	local name=$1 limit=$2
	shift 2
	LOG=$T_TMP/$name.log
	bash -c 'ulimit -n "$1" || exit 99; shift; exec "$@"' fp "$limit" \
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

# fd_count PID: how many descriptors PID has open.
fd_count() {
	local fds=("/proc/$1/fd/"*)
	echo "${#fds[@]}"
}

# wait_fds PID N SECS: poll until PID has N descriptors open; sets FDS.
wait_fds() {
	local end
	end=$(($(tap_now_ms) + $3 * 1000))
	while FDS=$(fd_count "$1"); ((FDS != $2)); do
		(($(tap_now_ms) < end)) || return 1
		sleep 0.05
	done
}

# nofile PID: the soft RLIMIT_NOFILE of PID.
nofile() {
	awk '/^Max open files/ { print $4 }' "/proc/$1/limits"
}

# wait_lines FILE REGEX N SECS: poll until N lines of FILE match REGEX.
wait_lines() {
	local end
	end=$(($(tap_now_ms) + $4 * 1000))
	until (($(grep -cE -e "$2" -- "$1") >= $3)); do
		(($(tap_now_ms) < end)) || return 1
		sleep 0.05
	done
}

# burst_lines LOG: "STARTS SUMMARIES SUM": the lines saying that refusing
# starts, the "refused N connections" lines, and the sum of their Ns.
burst_lines() {
	local starts sums
	starts=$(grep -c 'refusing new connections$' "$1")
	sums=$(sed -n 's/.*: refused \([0-9]*\) connections\{0,1\} in .*/\1/p' "$1")
	echo "$starts $(grep -c . <<<"$sums") $(($(tr '\n' '+' <<<"$sums")0))"
}

# The clients: one python process per forward, driven through a fifo (see
# drv_start), answering each command with one line of counts.  A client
# connects, does the SOCKS5 CONNECT in socks mode, and sends a token that
# must come back; it ends as served, reset, eof, socksfail (a SOCKS reply
# other than success), timeout (nothing within the deadline: left
# hanging), or another error; refuse_ms is the slowest refusal, serve_ms
# the slowest service.  Commands:
#   open N SECS keep|nokeep  N clients at once ("opened ...")
#   fill N SECS    rounds of open N keep until one serves none ("filled
#                  ... rounds=R held=H")
#   idle N         N connections that send nothing, held ("idled ...")
#   check          a token through every held one ("checked ...")
#   knock RATE SECS  a new client every 1/RATE s, none kept ("knocked ...")
#   ends SECS      how the far side ends each held one ("ended ...")
#   close, quit
PY_DRV='
import asyncio, os, resource, socket, struct, sys, time
mode, port, target, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
if soft != resource.RLIM_INFINITY and soft < 4096:
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
held = []
def say(line):
    with open(out, "a") as f:
        f.write(line + "\n")
def ms():
    return time.monotonic() * 1000
async def socks(r, w):
    w.write(b"\x05\x01\x00")
    await w.drain()
    if await r.readexactly(2) != b"\x05\x00":
        return "socksfail"
    w.write(b"\x05\x01\x00\x01" + socket.inet_aton("127.0.0.1") + struct.pack(">H", target))
    await w.drain()
    head = await r.readexactly(4)
    await r.readexactly({1: 6, 4: 18}.get(head[3], 6))
    return None if head[1] == 0 else "socksfail"
async def echo(r, w, secs):
    tok = os.urandom(8).hex().encode() + b"\n"
    w.write(tok)
    await w.drain()
    got = await asyncio.wait_for(r.readexactly(len(tok)), secs)
    return None if got == tok else "garbled"
# one(secs, keep): a connection as a client would make it: connect,
# (SOCKS5 CONNECT to the echo server), a token echoed back within secs.
# Returns (how, ms): served, reset, eof, socksfail, timeout, or an error.
async def one(secs, keep, idle=False):
    t0 = ms()
    try:
        r, w = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), secs)
    except asyncio.TimeoutError:
        return "conntimeout", ms() - t0
    except ConnectionResetError:
        return "reset", ms() - t0
    except OSError as e:
        return "connerr", ms() - t0
    try:
        if idle:
            held.append((r, w))
            return "idle", 0
        async def go():
            if mode == "socks":
                bad = await socks(r, w)
                if bad:
                    return bad
            return await echo(r, w, secs)
        bad = await asyncio.wait_for(go(), secs)
        how = bad or "served"
    except asyncio.TimeoutError:
        how = "timeout"
    except asyncio.IncompleteReadError:
        how = "eof"
    except ConnectionResetError:
        how = "reset"
    except OSError as e:
        how = "oserror"
    if how == "served" and keep:
        held.append((r, w))
    else:
        w.close()
    return how, ms() - t0
def tally(res, name, more=""):
    c = {}
    worst = serve = 0
    for how, t in res:
        c[how] = c.get(how, 0) + 1
        if how in ("reset", "eof", "socksfail"):
            worst = max(worst, t)
        elif how == "served":
            serve = max(serve, t)
    keys = ["served", "reset", "eof", "socksfail", "timeout", "idle"]
    other = sum(v for k, v in c.items() if k not in keys)
    say("%s n=%d %s other=%d refuse_ms=%d serve_ms=%d%s%s" % (name, len(res),
        " ".join("%s=%d" % (k, c.get(k, 0)) for k in keys), other, worst, serve,
        "".join(" %s=%d" % (k, v) for k, v in sorted(c.items()) if k not in keys), more))
async def main():
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            break
        cmd = line.split()
        if cmd[0] == "open":
            n, secs, keep = int(cmd[1]), float(cmd[2]), cmd[3] == "keep"
            res = await asyncio.gather(*[one(secs, keep) for _ in range(n)])
            tally(res, "opened")
        elif cmd[0] == "fill":
            # rounds of n until one serves none: the forward is full
            n, secs = int(cmd[1]), float(cmd[2])
            allres = []
            for rnd in range(1, 11):
                res = await asyncio.gather(*[one(secs, True) for _ in range(n)])
                allres += res
                if not any(how == "served" for how, _ in res):
                    break
            tally(allres, "filled", " rounds=%d held=%d" % (rnd, len(held)))
        elif cmd[0] == "idle":
            n = int(cmd[1])
            res = await asyncio.gather(*[one(10, True, idle=True) for _ in range(n)])
            tally(res, "idled")
        elif cmd[0] == "check":
            async def chk(r, w):
                try:
                    return (await echo(r, w, 30)) or "served", 0
                except asyncio.TimeoutError:
                    return "timeout", 0
                except asyncio.IncompleteReadError:
                    return "eof", 0
                except OSError:
                    return "reset", 0
            tally(await asyncio.gather(*[chk(r, w) for r, w in held]), "checked")
        elif cmd[0] == "knock":
            rate, secs = float(cmd[1]), float(cmd[2])
            tasks = []
            end = time.monotonic() + secs
            while time.monotonic() < end:
                tasks.append(asyncio.ensure_future(one(10, False)))
                await asyncio.sleep(1 / rate)
            tally(await asyncio.gather(*tasks), "knocked")
        elif cmd[0] == "ends":
            # how the far side ends each held connection within secs
            secs = float(cmd[1])
            async def end(r, w):
                t0 = ms()
                try:
                    d = await asyncio.wait_for(r.read(1), secs)
                    how = "data" if d else "eof"
                except asyncio.TimeoutError:
                    how = "timeout"
                except OSError:
                    how = "reset"
                return how, ms() - t0
            res = await asyncio.gather(*[end(r, w) for r, w in held])
            c = {}
            for how, t in res:
                c[how] = c.get(how, 0) + 1
            say("ended n=%d %s last_ms=%d" % (len(res),
                " ".join("%s=%d" % (k, c.get(k, 0)) for k in ("eof", "reset", "data", "timeout")),
                max([t for _, t in res] or [0])))
        elif cmd[0] == "close":
            for r, w in held:
                w.close()
            n = len(held)
            held.clear()
            await asyncio.sleep(0)
            say("closed n=%d" % n)
        elif cmd[0] == "quit":
            break
    say("bye")
asyncio.run(main())
'

# A status socket reader that waits up to SECS for the document: prints
# "answered BYTES" or what went wrong.
PY_STATUS_WAIT='
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(float(sys.argv[2]))
s.connect(sys.argv[1])
got = b""
try:
    while True:
        d = s.recv(65536)
        if not d:
            break
        got += d
    print("answered %d" % len(got))
except OSError as e:
    print("%s after %d bytes" % (e, len(got)))
'

declare -A DRV_FDS=() DRV_OUTS=() DRV_PIDS=()
# drv_start NAME MODE PORT: a client process NAME (PY_DRV) for
# 127.0.0.1:PORT in the background, reading commands from a fifo (MODE
# plain: straight to the echo server; socks: SOCKS5 CONNECT to it first).
# It becomes the current one (drv_use).
drv_start() {
	local fifo=$T_TMP/drv.$1.fifo fd
	mkfifo "$fifo" || bail "mkfifo failed"
	python3 -c "$PY_DRV" "$2" "$3" "$ECHO" "$T_TMP/drv.$1.out" <"$fifo" 2>"$T_TMP/drv.$1.err" &
	DRV_PIDS[$1]=$!
	fixture_atexit "kill ${DRV_PIDS[$1]} 2>/dev/null"
	exec {fd}>"$fifo"
	DRV_FDS[$1]=$fd DRV_OUTS[$1]=$T_TMP/drv.$1.out
	drv_use "$1"
}

# drv_use NAME: send the next commands to client NAME.
drv_use() {
	DRV_NAME=$1
}

# drv_send CMD...: send CMD to the current client.
drv_send() {
	: >"${DRV_OUTS[$DRV_NAME]}"
	echo "$*" >&"${DRV_FDS[$DRV_NAME]}"
}

# drv_wait WORD SECS: wait up to SECS for the current client's answer, the
# line starting with WORD; sets DRV to it ("" if none came).
drv_wait() {
	local out=${DRV_OUTS[$DRV_NAME]}
	DRV=
	fixture_wait_log "$out" "^$1 " "$2" || {
		diag "$DRV_NAME: no \"$1\" within $2 s: $(fixture__tail "${out%.out}.err")"
		return 1
	}
	DRV=$(grep -m 1 "^$1 " "$out")
}

# drv WORD SECS CMD...: drv_send CMD, then drv_wait WORD SECS.
drv() {
	local word=$1 secs=$2
	shift 2
	drv_send "$@"
	drv_wait "$word" "$secs"
}

# val KEY: the number after " KEY=" in DRV (-1 if there is none).
val() {
	local v
	v=$(sed -n "s/.* $1=\\([0-9]*\\).*/\\1/p" <<<"$DRV")
	echo "${v:--1}"
}

# drv_stop: end the current client (it closes what it holds).
drv_stop() {
	local fd=${DRV_FDS[$DRV_NAME]}
	echo quit >&"$fd"
	exec {fd}>&-
	wait "${DRV_PIDS[$DRV_NAME]}" 2>/dev/null
}

# burst_over LOG: wait until every burst logged has its summary line.
burst_over() {
	local b end
	end=$(($(tap_now_ms) + 20000))
	while read -r -a b < <(burst_lines "$1"); ((b[0] == 0 || b[0] != b[1])); do
		(($(tap_now_ms) < end)) || return 1
		sleep 0.05
	done
}

# knock WHAT PID: clients knock 20 times a second for CPU_WINDOW seconds
# while the held ones sit idle; all must be refused at once, and PID's CPU
# time in that window stay under CPU_MAX ticks.  Adds to REFUSED.
knock() {
	local what=$1 pid=$2 c0 c1 n refused
	c0=$(fixture_cpu_ticks "$pid")
	drv knocked $((CPU_WINDOW + 30)) knock 20 "$CPU_WINDOW"
	c1=$(fixture_cpu_ticks "$pid")
	n=$(val n) refused=$(($(val reset) + $(val eof) + $(val socksfail)))
	REFUSED=$((REFUSED + refused))
	diag "$what: CPU time at the limit: $((c1 - c0)) ticks in $CPU_WINDOW s ($(getconf CLK_TCK)/s), $n clients refused in it"
	ok "$what: it does not spin: $((c1 - c0)) ticks of CPU in $CPU_WINDOW s (at most $CPU_MAX)" \
		test "$((c1 - c0))" -le "$CPU_MAX"
	ok "$what: every one of the $n new clients is refused ($DRV)" \
		test "$n" -ge $((CPU_WINDOW * 10)) -a "$refused" -eq "$n"
	ok "$what: ... at once (the slowest in $(val refuse_ms) ms)" \
		test "$(val refuse_ms)" -lt "$REFUSE_MS_MAX"
}

# at_the_limit WHAT MODE MIN ARG...: a fwdpipe with the forward ARG... under
# `ulimit -n 128`, and 500 clients at once (MODE as for drv_start), again
# until one round of 500 gets none served; it must hold at least MIN.
at_the_limit() {
	local what=$1 mode=$2 min=$3 port=$4 held fd0 rounds b lines
	shift 4
	fp_limited "lim$mode" 128 "$@" --status-socket "$T_TMP/$mode.sock"
	local pid=$FP sock=$T_TMP/$mode.sock
	fwd_wait_status 20 "$sock" state '^up$' || bail "$what: fwdpipe did not come up: $(<"$LOG")"
	is_int 128 "$(nofile "$pid")" "$what: fwdpipe runs with a limit of 128 descriptors"
	fd0=$(fd_count "$pid")
	REFUSED=0
	drv_start "$mode" "$mode" "$port"

	drv filled 300 fill 500 30
	held=$(val held) rounds=$(val rounds)
	REFUSED=$(($(val reset) + $(val eof) + $(val socksfail)))
	diag "$what: $DRV"
	ok "$what: 500 clients at once: it holds $held of them (at least $min)" test "$held" -ge "$min"
	is_int 0 $(($(val timeout) + $(val other))) \
		"$what: every other one is refused (reset, EOF or SOCKS failure), none left hanging"
	ok "$what: ... at once (the slowest refusal in $(val refuse_ms) ms)" \
		test "$(val refuse_ms)" -lt "$REFUSE_MS_MAX"
	is "$held" "$(fwd_status "$sock" channels)" \
		"$what: at the limit the status socket still answers (channels: the $held held)"
	drv checked 120 check
	is_int "$held" "$(val served)" "$what: data still flows through all $held held connections"

	knock "$what, at the limit" "$pid"

	# The headroom gone: accept() itself fails with EMFILE, on the
	# forward and on the status socket (where a reader waits meanwhile).
	prlimit --pid "$pid" --nofile=64:128
	python3 -c "$PY_STATUS_WAIT" "$sock" 60 >"$T_TMP/$mode.stwait" 2>&1 &
	local stpid=$!
	knock "$what, soft limit lowered to 64 under the $held held" "$pid"
	prlimit --pid "$pid" --nofile=128:128
	wait "$stpid"
	like '^answered [1-9]' "$(<"$T_TMP/$mode.stwait")" \
		"$what: a status reader that came meanwhile is answered once the limit is back"
	ok "$what: the log says the burst is over" burst_over "$LOG"

	read -r -a b < <(burst_lines "$LOG")
	diag "$what: log: ${b[0]} bursts, ${b[1]} summaries, $REFUSED refusals seen by the clients:" \
		"$(grep -E 'refus' "$LOG")"
	ok "$what: one line when refusing starts, one summary when it ends: ${b[0]} and ${b[1]} for $((rounds + 2)) rounds of clients" \
		test "${b[0]}" -ge 1 -a "${b[0]}" -le $((rounds + 2)) -a "${b[0]}" -eq "${b[1]}"
	is_int "$REFUSED" "${b[2]}" "$what: the summaries add up to the $REFUSED refusals the clients saw"
	lines=$(grep -c . "$LOG")
	is_int $((2 + 2 * b[0])) "$lines" "$what: nothing else in the log (no line per connection)" ||
		diag "$(grep -vE 'refus|listening on|SOCKS on|connected to' "$LOG" | sort | uniq -c | sort -rn | head -5)"

	drv closed 30 close
	wait_fds "$pid" "$fd0" 20
	is_int "$fd0" "$FDS" "$what: the held ones closed, as many descriptors open as before ($fd0): none left over"
	drv opened 60 open 50 30 nokeep
	is_int 50 "$(val served)" "$what: it serves new connections again: 50 of 50 at once"
	drv_stop
	fp_stop "$pid"
	is_int 0 "$FP_RC" "$what: fwdpipe exits 0 on SIGTERM"
}

# ---- 1. -L out of descriptors ----------------------------------------------
fixture_free_port || bail "no free port"
LP=$FIXTURE_PORT
at_the_limit "-L" plain 64 "$LP" -L "$LP:127.0.0.1:$ECHO"

# ---- 2. -D out of descriptors ----------------------------------------------
fixture_free_port || bail "no free port"
DP=$FIXTURE_PORT
at_the_limit "-D" socks 48 "$DP" -D "$DP"

# ---- 3. slowloris on -D ------------------------------------------------------
# 500 clients connect to -D and say nothing, against two fwdpipes at once.
# One has 1024 descriptors (the usual soft limit), enough for all 500: a
# SOCKS client that talks is served all the same.  The other has 128: the
# silent ones take every slot, and a client that talks is refused at once
# rather than left hanging.  In both, the SOCKS handshake timeout (10 s)
# closes the silent ones, and then the other one is served too.
fixture_free_port || bail "no free port"
SP=$FIXTURE_PORT
fp_limited slow 1024 -D "$SP" --status-socket "$T_TMP/slow.sock"
S=$FP SLOG=$LOG
fixture_free_port || bail "no free port"
SP2=$FIXTURE_PORT
fp_limited slow128 128 -D "$SP2" --status-socket "$T_TMP/slow128.sock"
S2=$FP S2LOG=$LOG
fwd_wait_status 20 "$T_TMP/slow.sock" state '^up$' || bail "-D for slowloris did not come up: $(<"$SLOG")"
fwd_wait_status 20 "$T_TMP/slow128.sock" state '^up$' || bail "-D for slowloris did not come up: $(<"$S2LOG")"
sfd0=$(fd_count "$S")
drv_start slow128 socks "$SP2"
drv idled 60 idle 500
s2idle=$(val idle)
ok "slowloris, limit 128: it holds some silent ones ($s2idle), refuses the rest ($DRV)" \
	test "$s2idle" -ge 48 -a $((s2idle + $(val reset) + $(val eof))) -eq 500
drv opened 30 open 1 20 nokeep
like '^opened n=1 served=0 (reset=1 eof=0|reset=0 eof=1) ' "$DRV" \
	"slowloris, limit 128: with every slot taken by the $s2idle silent ones it holds, a SOCKS client is refused"
ok "slowloris, limit 128: ... at once ($(val refuse_ms) ms), not left hanging" \
	test "$(val refuse_ms)" -lt "$REFUSE_MS_MAX"
drv_start slow socks "$SP"
drv idled 60 idle 500
is_int 500 "$(val idle)" "slowloris: 500 connections that send nothing are open ($DRV)"
# Quick, before the handshake timeout (10 s) lets them go.
wait_fds "$S" $((sfd0 + 500)) 5
is_int $((sfd0 + 500)) "$FDS" "slowloris: fwdpipe has accepted all 500 (its descriptors: $sfd0 + 500)"
times=() slow=0
for i in 1 2 3 4 5; do
	drv opened 30 open 1 20 nokeep
	[[ $(val served) == 1 ]] || { times+=("not-served(reset=$(val reset),eof=$(val eof))"); slow=1; continue; }
	times+=("$(val serve_ms)")
	(($(val serve_ms) < 1000)) || slow=1
done
diag "slowloris: a SOCKS client among the 500 silent ones served in ${times[*]} ms (connect, SOCKS5 CONNECT, a token echoed)"
is_int 0 "$slow" "slowloris: a SOCKS client is served within 1 s, 5 times out of 5 (${times[*]} ms)"
ok "slowloris: ... while fwdpipe still held the 500 silent ones ($(fd_count "$S") descriptors)" \
	test "$(fd_count "$S")" -ge $((sfd0 + 500))

# The handshake timeout, in both.
drv_use slow128
drv_send ends 40
drv_use slow
drv ended 60 ends 40
diag "slowloris: $DRV (ms from now on)"
is_int 500 $(($(val eof) + $(val reset))) \
	"slowloris: fwdpipe closes every silent one (the SOCKS handshake timeout, 10 s)"
wait_fds "$S" "$sfd0" 20
is_int "$sfd0" "$FDS" "slowloris: as many descriptors open as before ($sfd0)"
drv_stop
drv_use slow128
drv_wait ended 60
is_int "$s2idle" $(($(val eof) + $(val reset))) \
	"slowloris, limit 128: the $s2idle it held are closed too ($DRV)"
drv opened 30 open 1 20 nokeep
is_int 1 "$(val served)" "slowloris, limit 128: once they are gone, a SOCKS client is served ($DRV)"
drv_stop
for pid in "$S" "$S2"; do
	ok "slowloris: fwdpipe $pid still runs" kill -0 "$pid"
	fp_stop "$pid"
	is_int 0 "$FP_RC" "slowloris: fwdpipe $pid exits 0 on SIGTERM"
done

# ---- 4. out of descriptors for -R's dial and the reconnect's ---------------
# prlimit sets the soft limit to 3 under what fwdpipe holds: every socket()
# fails with EMFILE.
fixture_free_port || bail "no free port"
RP=$FIXTURE_PORT
fp_limited rdial 128 -R "$RP:127.0.0.1:$ECHO"
R=$FP RLOG=$LOG
fixture_wait_log "$RLOG" "port $RP" 20
fwd_wait_echo 20 "$RP" || bail "-R did not come up: $(<"$RLOG")"
n0=$(grep -c . "$RLOG")
prlimit --pid "$R" --nofile=3:128
drv_start rdial plain "$RP"
drv opened 60 open 5 10 nokeep
is_int 5 $(($(val eof) + $(val reset))) "-R dial at EMFILE: each of 5 connections is closed at once ($DRV)"
ok "-R dial at EMFILE: ... within $REFUSE_MS_MAX ms ($(val refuse_ms) ms)" test "$(val refuse_ms)" -lt "$REFUSE_MS_MAX"
wait_lines "$RLOG" 'Too many open files' 5 10
new=$(tail -n +$((n0 + 1)) "$RLOG")
is_int 5 "$(grep -c . <<<"$new")" "-R dial at EMFILE: one log line per connection" || diag "$new"
like "127\\.0\\.0\\.1:$ECHO: .*Too many open files\$" "$(head -n 1 <<<"$new")" \
	"-R dial at EMFILE: ... naming the forward and the error"
ok "-R dial at EMFILE: fwdpipe still runs" kill -0 "$R"

# The connection to the server is lost; reconnecting needs a socket too.
fwd_sshd_down || bail "sshd would not stop"
fixture_wait_log "$RLOG" 'Too many open files; probing' 20
like "Too many open files; probing every" "$(tail -n 1 "$RLOG")" \
	"reconnect at EMFILE: the failed attempt is logged, and fwdpipe goes on probing"
ok "reconnect at EMFILE: fwdpipe still runs" kill -0 "$R"
fwd_sshd_up || bail "sshd would not start again"
n1=$(grep -c 'Too many open files' "$RLOG")
prlimit --pid "$R" --nofile=128:128
ok "descriptors back: the session comes back and -R forwards again" fwd_wait_echo 30 "$RP"
drv opened 60 open 5 10 nokeep
is_int 5 "$(val served)" "descriptors back: 5 of 5 connections through -R served"
is_int "$n1" "$(grep -c 'Too many open files' "$RLOG")" "descriptors back: no more EMFILE lines"
drv_stop
fp_stop "$R"
is_int 0 "$FP_RC" "-R: fwdpipe exits 0 on SIGTERM"
diag "$(grep -c 'Too many open files' "$RLOG") EMFILE lines in -R's log:" "$(tail -n +$((n0 + 1)) "$RLOG")"

done_testing
