#!/bin/bash
# safe-socks.t: safe default 2 of issue 7, in one place: fwdpipe -D's SOCKS
# server does CONNECT and nothing else.  Each other request, aimed at a
# target that counts the connections it gets, is answered with the proper
# error code and the connection closed: SOCKS5 BIND and UDP ASSOCIATE get
# REP 07 (command not supported), an unknown SOCKS5 command too, SOCKS4
# BIND (to an address and, as SOCKS4a, to a name) gets 5B (rejected); each
# leaves a line in fwdpipe's -v log naming the command; and no channel is
# opened for any of them: the target never sees a connection, and the
# status socket counts no channel.  A CONNECT to the same target, at the
# end, is granted and reaches it: the counter does count.
# SPDX-License-Identifier: MIT

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"
. "$top_srcdir/t/tap/fixtures-fwd.sh"
. "$top_srcdir/t/tap/fixtures-safe.sh"

FWDPIPE=$top_builddir/tools/fwdpipe
fixture_require "$FWDPIPE" python3 timeout
fixture_sshd_start || bail "no sshd"
safe_counter
TARGET=$SAFE_COUNTER_PORT COUNT=$SAFE_COUNTER_FILE
fixture_free_port
DP=$FIXTURE_PORT
plan_lazy

SOCK=$T_TMP/d.sock LOG=$T_TMP/d.log
"$FWDPIPE" -v -F "$SSH_CONFIG" -p "$SSHD_PORT" -D "$DP" --status-socket "$SOCK" 127.0.0.1 2>"$LOG" &
FP=$!
fixture_atexit "kill $FP 2>/dev/null"
safe_wait_up 30 "$SOCK" || bail "fwdpipe -D did not come up: $(<"$LOG")"

# refused NAME LOGRE REGEX VER CMD HOST: one request that must be refused
# with a reply matching REGEX, and one more log line matching LOGRE.
refused() {
	local name=$1 logre=$2 re=$3 n0 n
	shift 3
	n0=$(grep -cE "$logre" "$LOG")
	safe_socks "$DP" "$@" "$TARGET"
	like "$re" "$RUN_OUT" "$name: refused ($RUN_OUT), then closed" || diag "$RUN_ERR"
	safe_wait_count "$LOG" "$logre" $((n0 + 1)) 10
	n=$(grep -cE "$logre" "$LOG")
	is_int $((n0 + 1)) "$n" "... and logged once (fwdpipe -v: \"$logre\")"
}
# The replies, whole: SOCKS5 VER REP RSV ATYP(1) 0.0.0.0 port 0, after the
# method reply 05 00; SOCKS4 VN(0) CD(5B) port 0 address 0.0.0.0.
R5=05070001000000000000
R4=005b000000000000

refused "SOCKS5 BIND" "SOCKS5 BIND not supported \\(only CONNECT\\)" \
	"^0500 $R5 (eof|reset)$" 5 2 127.0.0.1
refused "SOCKS5 UDP ASSOCIATE" "SOCKS5 UDP ASSOCIATE not supported" \
	"^0500 $R5 (eof|reset)$" 5 3 127.0.0.1
refused "SOCKS5 UDP ASSOCIATE to a name" "SOCKS5 UDP ASSOCIATE not supported" \
	"^0500 $R5 (eof|reset)$" 5 3 localhost
refused "SOCKS5 command 0x09" "SOCKS5 command 0x09 not supported" \
	"^0500 $R5 (eof|reset)$" 5 9 127.0.0.1
refused "SOCKS4 BIND" "SOCKS4 BIND not supported" \
	"^- $R4 (eof|reset)$" 4 2 127.0.0.1
refused "SOCKS4a BIND (to a name)" "SOCKS4 BIND not supported" \
	"^- $R4 (eof|reset)$" 4 2 localhost

is_int 0 "$(safe_count "$COUNT")" "none of them reached the target: no channel was opened"
is "0" "$(fwd_status "$SOCK" channels)" "the status socket counts no open channel"
ok "fwdpipe still runs" kill -0 "$FP"

# Control: the counter counts, and CONNECT is what works.
safe_socks "$DP" 5 1 127.0.0.1 "$TARGET"
like "^0500 050000[0-9a-f]{14} echo$" "$RUN_OUT" "SOCKS5 CONNECT to the same target: granted, data echoes"
safe_socks "$DP" 4 1 127.0.0.1 "$TARGET"
like "^- 005a[0-9a-f]{12} echo$" "$RUN_OUT" "SOCKS4 CONNECT to the same target: granted, data echoes"
is_int 2 "$(safe_count "$COUNT")" "... and the target counted those two connections"

kill -TERM "$FP"
rc=0
wait "$FP" || rc=$?
is_int 0 "$rc" "fwdpipe: SIGTERM, exit 0"

done_testing
