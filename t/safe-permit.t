#!/bin/bash
# safe-permit.t: safe default 3 of issue 7, in one place: fwdpipe
# --permit-open HOST:PORT (repeatable) limits where -L and -D connections
# go, with sshd's PermitOpen rules.  Targets are servers that count the
# connections they get.  -D: a CONNECT to a permitted destination works
# (SOCKS5 to an address and to a name, SOCKS4, SOCKS4a, an IPv6 address
# permitted in another spelling, a name in another case, "*" as host); one
# to a destination not permitted gets "connection not allowed by ruleset"
# (SOCKS5 REP 02, SOCKS4 5B), is closed, is logged at the default
# verbosity, and reaches nothing: no channel is opened.  No lookups: a
# name does not permit its address, nor an address its name.  -L: a target
# not permitted stops fwdpipe at the start with exit 2 and one line naming
# it, before anything listens or any SSH connection is made; a permitted
# one forwards.  -R is not limited.  Bad entries are usage errors (exit 2).
# SPDX-License-Identifier: MIT

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"
. "$top_srcdir/t/tap/fixtures-fwd.sh"
. "$top_srcdir/t/tap/fixtures-safe.sh"

FWDPIPE=$top_builddir/tools/fwdpipe
fixture_require "$FWDPIPE" python3 timeout ss
fixture_sshd_start || bail "no sshd"
# A: permitted as 127.0.0.1:A; B: as localhost:B; C: not at all; W: any
# host on its port ("*:W"); V6: on ::1, permitted as [0:0::1]:V6.
safe_counter && A=$SAFE_COUNTER_PORT AC=$SAFE_COUNTER_FILE
safe_counter && B=$SAFE_COUNTER_PORT BC=$SAFE_COUNTER_FILE
safe_counter && C=$SAFE_COUNTER_PORT CC=$SAFE_COUNTER_FILE
safe_counter && W=$SAFE_COUNTER_PORT WC=$SAFE_COUNTER_FILE
safe_counter -6 && V6=$SAFE_COUNTER_PORT V6C=$SAFE_COUNTER_FILE
fixture_free_port
DP=$FIXTURE_PORT
fixture_free_port
LP=$FIXTURE_PORT
[[ $LP != "$DP" ]] || { fixture_free_port; LP=$FIXTURE_PORT; }
PERMITS=(--permit-open "127.0.0.1:$A" --permit-open "localhost:$B"
	--permit-open "*:$W" --permit-open "[0:0::1]:$V6")
plan_lazy

# --- -D ----------------------------------------------------------------------
SOCK=$T_TMP/d.sock LOG=$T_TMP/d.log
"$FWDPIPE" -F "$SSH_CONFIG" -p "$SSHD_PORT" "${PERMITS[@]}" -D "$DP" \
	-L "$LP:127.0.0.1:$A" -R "0:127.0.0.1:$C" --status-socket "$SOCK" 127.0.0.1 2>"$LOG" &
FP=$!
fixture_atexit "kill $FP 2>/dev/null"
safe_wait_up 30 "$SOCK" || bail "fwdpipe did not come up: $(<"$LOG")"

GRANT5='^0500 050000[0-9a-f]{14} echo$'
GRANT4='^- 005a[0-9a-f]{12} echo$'
DENY5='^0500 05020001000000000000 (eof|reset)$'
DENY4='^- 005b000000000000 (eof|reset)$'

# granted DESC VER HOST PORT: a CONNECT that must go through.
granted() {
	local desc=$1 re=$GRANT5
	shift
	[[ $1 == 4 ]] && re=$GRANT4
	safe_socks "$DP" "$1" 1 "$2" "$3"
	like "$re" "$RUN_OUT" "$desc: granted, data echoes" || diag "$RUN_ERR"
}

# denied DESC VER HOST PORT: a CONNECT that must be refused by the
# ruleset, and logged once (by default, without -v).
denied() {
	local desc=$1 re=$DENY5 logre n0
	shift
	[[ $1 == 4 ]] && re=$DENY4
	logre="SOCKS$1 connection from 127\\.0\\.0\\.1 to ${2//./\\.} port $3 refused: not permitted by --permit-open"
	n0=$(grep -cE "$logre" "$LOG")
	safe_socks "$DP" "$1" 1 "$2" "$3"
	like "$re" "$RUN_OUT" "$desc: refused, not allowed by ruleset, closed" || diag "$RUN_ERR"
	safe_wait_count "$LOG" "$logre" $((n0 + 1)) 10
	is_int $((n0 + 1)) "$(grep -cE "$logre" "$LOG")" "... logged once, at the default verbosity"
}

granted "SOCKS5 to 127.0.0.1:A (permitted as 127.0.0.1:A)" 5 127.0.0.1 "$A"
granted "SOCKS4 to 127.0.0.1:A" 4 127.0.0.1 "$A"
granted "SOCKS5 to the name localhost:B (permitted as localhost:B)" 5 localhost "$B"
granted "SOCKS5 to LOCALHOST:B (names ignore case)" 5 LOCALHOST "$B"
granted "SOCKS4a to localhost:B" 4 localhost "$B"
granted "SOCKS5 to ::1 (permitted as [0:0::1]: the same address)" 5 ::1 "$V6"
granted "SOCKS5 to localhost:W (permitted as *:W)" 5 localhost "$W"
granted "SOCKS4 to 127.0.0.1:W (*:W)" 4 127.0.0.1 "$W"
is "2 3 1 2" "$(safe_count "$AC") $(safe_count "$BC") $(safe_count "$V6C") $(safe_count "$WC")" \
	"each granted request reached its target (A, B, ::1, W)"

denied "SOCKS5 to 127.0.0.1:C (not permitted)" 5 127.0.0.1 "$C"
denied "SOCKS4 to 127.0.0.1:C" 4 127.0.0.1 "$C"
denied "SOCKS4a to localhost:C" 4 localhost "$C"
denied "SOCKS5 to the name localhost:C" 5 localhost "$C"
denied "SOCKS5 to localhost:A (only 127.0.0.1:A: no lookups)" 5 localhost "$A"
denied "SOCKS5 to 127.0.0.1:B (only localhost:B: no lookups)" 5 127.0.0.1 "$B"
denied "SOCKS4a to localhost:A" 4 localhost "$A"
denied "SOCKS5 to 127.0.0.2:A (another address)" 5 127.0.0.2 "$A"
denied "SOCKS5 to ::1:A (IPv6 loopback, not 127.0.0.1)" 5 ::1 "$A"
is "2 3 0 2" "$(safe_count "$AC") $(safe_count "$BC") $(safe_count "$CC") $(safe_count "$WC")" \
	"no refused request reached a target: no channel was opened"
is "0" "$(fwd_status "$SOCK" channels)" "no channel is open"
ok "fwdpipe still runs" kill -0 "$FP"

# The -L and -R of the same fwdpipe: the -L target is permitted; -R is
# not limited (its target, C, is on this side).
ok "-L to the permitted 127.0.0.1:A forwards" fwd_echo "$LP"
is "up" "$(fwd_status "$SOCK" forwards.2.state)" "-R to 127.0.0.1:C (not permitted) is up all the same"
kill -TERM "$FP"
rc=0
wait "$FP" || rc=$?
is_int 0 "$rc" "fwdpipe: SIGTERM, exit 0"

# --- -L: refused at the start --------------------------------------------------
nconn=$(grep -c 'Connection from' "$SSHD_LOG")
run timeout 60 "$FWDPIPE" -F "$SSH_CONFIG" -p "$SSHD_PORT" "${PERMITS[@]}" -D "$DP" \
	-L "$LP:127.0.0.1:$C" 127.0.0.1
is_int 2 "$RUN_RC" "-L to 127.0.0.1:C, not permitted: exit 2"
is "fwdpipe: -L localhost:$LP:127.0.0.1:$C: 127.0.0.1 port $C is not permitted by --permit-open (127.0.0.1:$A localhost:$B *:$W [0:0::1]:$V6)" \
	"$RUN_ERR" "... with one line naming the forward, its target and what is permitted"
unlike "listening on|SOCKS on" "$RUN_ERR" "... and it listened on nothing (no -L, no -D)"
is_int "$nconn" "$(grep -c 'Connection from' "$SSHD_LOG")" "... and no SSH connection was made"

run timeout 60 "$FWDPIPE" -F "$SSH_CONFIG" -p "$SSHD_PORT" --permit-open "127.0.0.1:$A" \
	-L "$LP:localhost:$A" 127.0.0.1
is "2 fwdpipe: -L localhost:$LP:localhost:$A: localhost port $A is not permitted by --permit-open (127.0.0.1:$A)" \
	"$RUN_RC $RUN_ERR" "-L to localhost:A with only 127.0.0.1:A permitted: exit 2 (no lookups)"

# A permitted -L alone, with "host:*".
SOCK=$T_TMP/l.sock
"$FWDPIPE" -F "$SSH_CONFIG" -p "$SSHD_PORT" --permit-open "127.0.0.1:*" \
	-L "$LP:127.0.0.1:$C" --status-socket "$SOCK" 127.0.0.1 2>"$T_TMP/l.log" &
FP=$!
fixture_atexit "kill $FP 2>/dev/null"
safe_wait_up 30 "$SOCK" || diag "$(<"$T_TMP/l.log")"
ok "-L to 127.0.0.1:C with 127.0.0.1:* permitted forwards" fwd_echo "$LP"
is_int 1 "$(safe_count "$CC")" "... and reached C"
kill -TERM "$FP"
wait "$FP"

# --- usage ---------------------------------------------------------------------
for bad in "db" "db:0" "::1:22" "db*:22" "db:ssh" ""; do
	run "$FWDPIPE" --permit-open "$bad" -D "$DP" 127.0.0.1
	like "^fwdpipe: bad --permit-open \"${bad//\*/\\*}\": " "${RUN_ERR%%$'\n'*}" \
		"--permit-open \"$bad\": a usage error" || diag "exit $RUN_RC"
	is_int 2 "$RUN_RC" "... exit 2"
done
run "$FWDPIPE" --help
like "--permit-open host:port" "$RUN_OUT" "--help lists --permit-open"

done_testing
