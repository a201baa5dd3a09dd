#!/bin/bash
# lib-ssh.t: the SSH module on its own (t/helper/sshmux drives lib/ssh):
# 100 direct-tcpip channels on one session at once, each moving 1 MiB
# through an echo server and checked byte for byte; a slow reader on many
# busy channels keeps the process small (backpressure from the SSH window
# down to the socket); a session whose server freezes is declared lost by
# keepalive.
# SPDX-License-Identifier: MIT

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"

MUX=$top_builddir/t/helper/sshmux
fixture_require "$MUX" timeout pgrep
fixture_sshd_start || bail "no sshd"
fixture_tcpserv echo
ECHO=$TCPSERV_PORT
plan_lazy

mux() {
	run timeout 120 "$MUX" -p "$SSHD_PORT" -i "$T_TMP/id_ed25519" \
		-k "$T_TMP/known_hosts" -t "$ECHO" "$@"
}

mux -n 100 -b 1048576
is_int 0 "$RUN_RC" "100 channels at once, 1 MiB each: exit 0" || diag "$RUN_ERR"
like "^100 of 100 channels intact" "$RUN_OUT" "all 100 channels came back intact"
n=$(grep -c 'Accepted publickey' "$SSHD_LOG")
is_int 1 "$n" "one session carried them all"

# A slow reader: 8 channels x 16 MiB echoed, read 16 KiB every 2 ms.  Were
# the channels not held back by their windows, the process would hold most
# of the 128 MiB in flight.
# (Under AddressSanitizer, freed memory sits in a 256 MiB quarantine and
# counts in RSS: keep the quarantine small for this measurement.)
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1" mux -n 8 -b 16777216 -s 2
is_int 0 "$RUN_RC" "slow reader, 8 x 16 MiB: every byte intact" || diag "$RUN_ERR"
rss=$(sed -n 's/.*max RSS \([0-9]*\) KiB.*/\1/p' <<<"$RUN_OUT")
ok "slow reader: max RSS ${rss} KiB stays under 64 MiB" test "${rss:-999999}" -lt 65536

# Keepalive: freeze the session's sshd processes; the module gives up
# after interval x count (1 s x 2) instead of waiting forever.
"$MUX" -p "$SSHD_PORT" -i "$T_TMP/id_ed25519" -k "$T_TMP/known_hosts" -t "$ECHO" \
	-n 1 -H -a 1 >"$T_TMP/ka.out" 2>"$T_TMP/ka.err" &
mpid=$!
for ((i = 0; i < 500; i++)); do
	(($(grep -c 'Accepted publickey' "$SSHD_LOG") >= 3)) &&
		(($(pgrep -c -P "$TCPSERV_PID") >= 1)) && break
	sleep 0.02
done
# The earlier sessions are gone: every sshd process left under the
# listener serves this one.
kids=()
for p in $(pgrep -P "$SSHD_PID"); do
	kids+=("$p" $(pgrep -P "$p"))
done
ok "the held session's sshd processes are there" test "${#kids[@]}" -gt 0
kill -STOP "${kids[@]}"
t0=$(tap_now_ms)
wait "$mpid"
rc=$?
ms=$(($(tap_now_ms) - t0))
kill -CONT "${kids[@]}" 2>/dev/null
ok "frozen server: the session is declared lost (rc $rc)" test "$rc" -ne 0
like "session lost: .*server not responding" "$(cat "$T_TMP/ka.err")" "... by the keepalive probes"
ok "... within about 3 s (${ms} ms)" test "$ms" -lt 6000

# Remote forward (ssh -R): the server listens on a port it picks; each
# connection to it comes back as a channel that sshmux connects to the
# echo server.  A second request for the same port is refused.
JUMPCAT=$top_builddir/tools/jumpcat
"$MUX" -p "$SSHD_PORT" -i "$T_TMP/id_ed25519" -k "$T_TMP/known_hosts" -t "$ECHO" \
	-R -n 3 >"$T_TMP/r.out" 2>"$T_TMP/r.err" &
rpid=$!
rport=
for ((i = 0; i < 500; i++)); do
	rport=$(sed -n 's/^listening on \([0-9]*\)$/\1/p' "$T_TMP/r.out")
	[[ -n $rport ]] && grep -q '^refused' "$T_TMP/r.out" && break
	kill -0 "$rpid" 2>/dev/null || break
	sleep 0.02
done
ok "-R: the server allocated a port ($rport)" test -n "$rport"
like "^refused: the server refused to listen on 127\\.0\\.0\\.1:$rport \\(the port is in use" \
	"$(grep '^refused' "$T_TMP/r.out")" "-R: a second listener on the same port is refused, saying why"
head -c 4M /dev/urandom >"$T_TMP/4m"
cpids=()
for n in 1 2 3; do
	timeout 60 "$JUMPCAT" 127.0.0.1 "$rport" <"$T_TMP/4m" >"$T_TMP/r$n.out" &
	cpids+=($!)
done
wait "${cpids[@]}"
for n in 1 2 3; do
	is "$(sha256sum <"$T_TMP/4m")" "$(sha256sum <"$T_TMP/r$n.out")" \
		"-R connection $n: 4 MiB echoed through the forwarded channel"
done
wait "$rpid"
is_int 0 "$?" "-R: sshmux saw 3 forwarded connections end cleanly" || diag "$(cat "$T_TMP/r.err")"

done_testing
