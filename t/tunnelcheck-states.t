#!/bin/bash
# tunnelcheck-states.t: every Nagios state tunnelcheck gives, reached for
# real against fixture servers, each checked by its exit code, its first
# line and an empty stderr.
#  - OK: a TCP connect; the fixture sshd's identification (--ssh), its host
#    key pinned (--hostkey with the fingerprint ssh-keygen -l prints, alone
#    or among others), a login (--login -F), --ssh-version that matches.
#  - WARNING: -w @0:10 (the total time inside the range), -w with a tiny
#    range, and an --expect string the answer lacks.
#  - CRITICAL: a refused port, a wrong --hostkey (both fingerprints named),
#    a non-SSH service under --ssh (one that sends "220 smtp ready" and
#    closes, one that sends it and then stays silent, one that closes
#    without a word), a blackholed connect and a silent server at -t 1
#    (given up after about 1 s), --ssh-version that does not match.
#  - UNKNOWN: bad ranges, an unknown option, an unreadable ssh_config.
# And the state options: --timeout-state, --refuse-state, --mismatch-state;
# -c beating -w; per-phase thresholds (--warning-banner, --critical-connect
# and the rest), which apply only to phases that ran and never turn a
# failure into a threshold state.
# SPDX-License-Identifier: MIT

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"

TC=$top_builddir/tools/tunnelcheck
fixture_require "$TC" python3 timeout ssh-keygen
fixture_sshd_start || bail "no sshd"
P=$SSHD_PORT
FP=$(ssh-keygen -lf "$SSHD_DIR/ssh_host_ed25519_key.pub" | awk '{print $2}')
[[ $FP == SHA256:* ]] || bail "no fingerprint from ssh-keygen -lf: $FP"
fixture_tcpserv echo
ECHO=$TCPSERV_PORT
fixture_tcpserv hang
HANG=$TCPSERV_PORT
fixture_tcpserv sink
SINK=$TCPSERV_PORT
fixture_tcpserv close
CLOSE=$TCPSERV_PORT
fixture_tcpserv close -s $'220 smtp ready\r\n'
SMTP=$TCPSERV_PORT
fixture_tcpserv close -s $'hello world\n'
HELLO=$TCPSERV_PORT
fixture_free_port
REFUSED=$FIXTURE_PORT
ME=$(id -un)
WRONG=SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
WRONG2=SHA256:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB
plan_lazy

fixture_talker $'220 smtp ready\r\n'
SILENT=$TALKER_PORT

# req STRING: STRING quoted for a bash regex (fingerprints hold '+').
req() {
	sed 's/[][\.*^$+?(){}|]/\\&/g' <<<"$1"
}

# perf [-t T] PHASE[=WARN;CRIT]...: the regex of the perfdata of these
# phases, in this order, each 'time_PHASE'=N.NNNNNNs;WARN;CRIT;0;T (T the
# timeout, 10 by default).
perf() {
	local t=10 out='' ph wc
	if [[ $1 == -t ]]; then
		t=$2
		shift 2
	fi
	for ph in "$@"; do
		wc=';'
		if [[ $ph == *=* ]]; then
			wc=${ph#*=}
			ph=${ph%%=*}
		fi
		out+=" 'time_$ph'=[0-9]+\\.[0-9]{6}s;$wc;0;$t"
	done
	echo "${out# }"
}

S='[0-9]+\.[0-9]{3} s'	# a time in the summary
H=127\\.0\\.0\\.1	# the host, as a regex

# check DESC EXIT REGEX ARG...: tunnelcheck ARG... exits EXIT, the whole of
# its first line matches REGEX and nothing goes to stderr.  Sets FIRST.
check() {
	local desc=$1 want=$2 re=$3
	shift 3
	run timeout 30 "$TC" "$@" </dev/null
	FIRST=${RUN_OUT%%$'\n'*}
	is_int "$want" "$RUN_RC" "$desc: exit $want"
	like "^$re\$" "$FIRST" "$desc: first line"
	is "" "$RUN_ERR" "$desc: nothing on stderr"
}

# about_1s DESC: the run took about 1 s (the -t 1 timer, not an error
# before it, and no hang).
about_1s() {
	ok "$1: gave up after about 1 s ($RUN_MS ms)" test "$RUN_MS" -ge 900 -a "$RUN_MS" -lt 5000
}

# The identification as the fixture sshd sends it, read here directly.
exec 3<>"/dev/tcp/127.0.0.1/$P" || bail "cannot connect to the sshd"
IFS= read -r -t 10 BANNER <&3
exec 3<&-
BANNER=${BANNER%$'\r'}
SOFTWARE=${BANNER#SSH-2.0-}
SOFTWARE=${SOFTWARE%% *}
[[ $BANNER == SSH-2.0-?* ]] || bail "no SSH identification from the fixture sshd: '$BANNER'"
B=$(req "$BANNER")

# --- OK --------------------------------------------------------------------------
check "TCP connect" 0 \
	"TUNNEL OK - connected to $H port $ECHO in $S \\| $(perf resolve connect total)" \
	-H 127.0.0.1 -p "$ECHO"
check "--ssh" 0 \
	"TUNNEL OK - $H port $P: $B in $S \\| $(perf resolve connect banner total)" \
	-H 127.0.0.1 -p "$P" --ssh
check "--ssh, -H localhost" 0 \
	"TUNNEL OK - localhost port $P: $B in $S \\| $(perf resolve connect banner total)" \
	-H localhost -p "$P" --ssh
check "--hostkey with the fingerprint of ssh-keygen -l" 0 \
	"TUNNEL OK - $H port $P: $B, host key $(req "$FP") pinned in $S \\| $(perf resolve connect banner kex total)" \
	-H 127.0.0.1 -p "$P" --hostkey "$FP"
check "--hostkey: any one of several pins may match" 0 \
	"TUNNEL OK - $H port $P: $B, host key $(req "$FP") pinned in $S \\| .*" \
	-H 127.0.0.1 -p "$P" --hostkey "$WRONG" --hostkey "$FP" --hostkey "$WRONG2"
check "--login -F" 0 \
	"TUNNEL OK - $H port $P: $B, logged in as $ME in $S \\| $(perf resolve connect banner kex auth total)" \
	-H 127.0.0.1 -p "$P" --login -F "$SSH_CONFIG"
check "--login with --hostkey" 0 \
	"TUNNEL OK - $H port $P: $B, host key $(req "$FP") pinned, logged in as $ME in $S \\| .*" \
	-H 127.0.0.1 -p "$P" --login -F "$SSH_CONFIG" --hostkey "$FP"
check "--ssh-version that matches ($SOFTWARE)" 0 \
	"TUNNEL OK - $H port $P: $B in $S \\| $(perf resolve connect banner total)" \
	-H 127.0.0.1 -p "$P" --ssh-version "$SOFTWARE"
check "--send and --expect that matches" 0 \
	"TUNNEL OK - connected to $H port $ECHO, answer matched in $S \\| $(perf resolve connect expect total)" \
	-H 127.0.0.1 -p "$ECHO" --send 'PING\r\n' --expect PING

# --- WARNING ---------------------------------------------------------------------
check "-w @0:10: the total is inside the warning range" 1 \
	"TUNNEL WARNING - connected to $H port $ECHO in $S; total $S is inside the warning range @0:10 \\| $(perf resolve connect 'total=@0:10;')" \
	-H 127.0.0.1 -p "$ECHO" -w @0:10
check "-w @0:10 with --ssh" 1 \
	"TUNNEL WARNING - $H port $P: $B in $S; total $S is inside the warning range @0:10 \\| $(perf resolve connect banner 'total=@0:10;')" \
	-H 127.0.0.1 -p "$P" --ssh -w @0:10
check "-w 0.000001: the total is outside the warning range" 1 \
	"TUNNEL WARNING - $H port $P: $B, logged in as $ME in $S; total $S is outside the warning range 0\\.000001 \\| $(perf resolve connect banner kex auth 'total=0\.000001;')" \
	-H 127.0.0.1 -p "$P" --login -F "$SSH_CONFIG" -w 0.000001
check "-w ~:10 (above 10 s only): OK" 0 \
	"TUNNEL OK - connected to $H port $ECHO in $S \\| $(perf resolve connect 'total=~:10;')" \
	-H 127.0.0.1 -p "$ECHO" -w '~:10'
check "an --expect the answer lacks" 1 \
	"TUNNEL WARNING - $H port $HELLO: no 'bye' in the answer: 12 bytes 'hello world ', then the server closed the connection \\| $(perf resolve connect expect total)" \
	-H 127.0.0.1 -p "$HELLO" --expect bye

# --- CRITICAL --------------------------------------------------------------------
check "a refused port (the resolve that finished is timed)" 2 \
	"TUNNEL CRITICAL - connect to $H port $REFUSED: Connection refused \\| 'time_resolve'=[0-9.]+s;;;0;10 'time_total'=.*" \
	-H 127.0.0.1 -p "$REFUSED"
check "a refused port, --ssh" 2 \
	"TUNNEL CRITICAL - connect to $H port $REFUSED: Connection refused \\| .*" \
	-H 127.0.0.1 -p "$REFUSED" --ssh
check "a wrong --hostkey: both fingerprints named" 2 \
	"TUNNEL CRITICAL - $H: host key ssh-ed25519 $(req "$FP") does not match the pinned $WRONG \\| .*" \
	-H 127.0.0.1 -p "$P" --hostkey "$WRONG"
check "two wrong --hostkey: all named" 2 \
	"TUNNEL CRITICAL - $H: host key ssh-ed25519 $(req "$FP") does not match the pinned $WRONG or $WRONG2 \\| .*" \
	-H 127.0.0.1 -p "$P" --hostkey "$WRONG" --hostkey "$WRONG2"
check "--ssh against a service that says 220 and closes" 2 \
	"TUNNEL CRITICAL - not an SSH server: it sent '220 smtp ready' and closed the connection \\| .*" \
	-H 127.0.0.1 -p "$SMTP" --ssh
check "--ssh against a service that says 220 and stays silent, -t 1" 2 \
	"TUNNEL CRITICAL - not an SSH server: .*'220 smtp ready'.*no SSH identification within 1 s \\| .*" \
	-H 127.0.0.1 -p "$SILENT" --ssh -t 1
about_1s "--ssh, 220 and silent"
unlike "closed the connection" "$FIRST" \
	"--ssh, 220 and silent: the summary does not say the server closed the connection (it did not)"
check "--hostkey against a service that says 220 and closes" 2 \
	"TUNNEL CRITICAL - not an SSH server: it sent '220 smtp ready' and closed the connection \\| .*" \
	-H 127.0.0.1 -p "$SMTP" --hostkey "$FP"
check "--ssh against a server that closes without a word" 2 \
	"TUNNEL CRITICAL - not an SSH server: it closed the connection without a word \\| .*" \
	-H 127.0.0.1 -p "$CLOSE" --ssh
check "a blackholed connect (no SYN-ACK), -t 1" 2 \
	"TUNNEL CRITICAL - timed out after 1 s waiting for connecting to $H port $HANG \\| 'time_resolve'=[0-9.]+s;;;0;1 'time_total'=1\\.[0-9]{6}s;;;0;1" \
	-H 127.0.0.1 -p "$HANG" -t 1
about_1s "blackholed connect"
check "a blackholed connect, --ssh -t 1" 2 \
	"TUNNEL CRITICAL - timed out after 1 s waiting for connecting to $H port $HANG \\| .*" \
	-H 127.0.0.1 -p "$HANG" --ssh -t 1
about_1s "blackholed connect, --ssh"
check "--ssh against a server that accepts and says nothing, -t 1" 2 \
	"TUNNEL CRITICAL - timed out after 1 s waiting for the SSH identification \\| $(perf -t 1 resolve connect).*" \
	-H 127.0.0.1 -p "$SINK" --ssh -t 1
about_1s "silent server, --ssh"
check "a fractional -t 0.5" 2 \
	"TUNNEL CRITICAL - timed out after 0\\.5 s waiting for connecting to $H port $HANG \\| 'time_resolve'=[0-9.]+s;;;0;0\\.500000 'time_total'=0\\.[0-9]{6}s;;;0;0\\.500000" \
	-H 127.0.0.1 -p "$HANG" -t 0.5
ok "-t 0.5: gave up after about 0.5 s ($RUN_MS ms)" test "$RUN_MS" -ge 450 -a "$RUN_MS" -lt 4000
check "--ssh-version that does not match" 2 \
	"TUNNEL CRITICAL - $H port $P: $B in $S: software version '$(req "$SOFTWARE")', expected 'OpenSSH_0\\.1' \\| .*" \
	-H 127.0.0.1 -p "$P" --ssh-version OpenSSH_0.1
check "--ssh-version is a whole-word match (a prefix is not enough)" 2 \
	"TUNNEL CRITICAL - .*expected '$(req "${SOFTWARE%?}")' \\| .*" \
	-H 127.0.0.1 -p "$P" --ssh-version "${SOFTWARE%?}"
check "--ssh-version implies --ssh: a non-SSH service is CRITICAL" 2 \
	"TUNNEL CRITICAL - not an SSH server: .*" \
	-H 127.0.0.1 -p "$SMTP" --ssh-version "$SOFTWARE"

# --- UNKNOWN ---------------------------------------------------------------------
run timeout 30 "$TC" -H 127.0.0.1 -p "$ECHO" -w 20:10 </dev/null
is "3:TUNNEL UNKNOWN - -w: range '20:10': start is above end" "$RUN_RC:${RUN_OUT%%$'\n'*}" \
	"-w 20:10: exit 3 and the reason"
is "" "$RUN_ERR" "-w 20:10: nothing on stderr"
check "-w abc" 3 "TUNNEL UNKNOWN - -w: range 'abc' .*" -H 127.0.0.1 -p "$ECHO" -w abc
check "--critical-banner 1:x" 3 "TUNNEL UNKNOWN - --critical-.*'1:x'.*" \
	-H 127.0.0.1 -p "$P" --ssh --critical-banner 1:x
check "an unknown option" 3 "TUNNEL UNKNOWN - unknown option --frobnicate" \
	-H 127.0.0.1 -p "$ECHO" --frobnicate
check "an unreadable ssh_config (-F) with --login" 3 \
	"TUNNEL UNKNOWN - .*$(req "$T_TMP")/no-such-config.*" \
	-H 127.0.0.1 -p "$P" --login -F "$T_TMP/no-such-config"
is_int 1 "$(grep -c . <<<"$RUN_OUT")" "an unreadable ssh_config: one line (no usage: not a usage error)"

# --- state options ---------------------------------------------------------------
check "--timeout-state unknown: a timeout is UNKNOWN" 3 \
	"TUNNEL UNKNOWN - timed out after 1 s waiting for connecting to $H port $HANG \\| .*" \
	-H 127.0.0.1 -p "$HANG" -t 1 --timeout-state unknown
check "--timeout-state unknown, a silent server under --ssh" 3 \
	"TUNNEL UNKNOWN - timed out after 1 s waiting for the SSH identification \\| .*" \
	-H 127.0.0.1 -p "$SINK" --ssh -t 1 --timeout-state unknown
check "--timeout-state critical (the default, said)" 2 \
	"TUNNEL CRITICAL - timed out after 1 s waiting for connecting to $H port $HANG \\| .*" \
	-H 127.0.0.1 -p "$HANG" -t 1 --timeout-state critical
check "--timeout-state unknown leaves a refused port CRITICAL" 2 \
	"TUNNEL CRITICAL - connect to $H port $REFUSED: Connection refused \\| .*" \
	-H 127.0.0.1 -p "$REFUSED" --timeout-state unknown
check "--refuse-state ok: refused is OK" 0 \
	"TUNNEL OK - connect to $H port $REFUSED: Connection refused \\| .*" \
	-H 127.0.0.1 -p "$REFUSED" --refuse-state ok
check "--refuse-state warning: refused is WARNING" 1 \
	"TUNNEL WARNING - connect to $H port $REFUSED: Connection refused \\| .*" \
	-H 127.0.0.1 -p "$REFUSED" --refuse-state warning
check "--refuse-state unknown, --ssh" 3 \
	"TUNNEL UNKNOWN - connect to $H port $REFUSED: Connection refused \\| .*" \
	-H 127.0.0.1 -p "$REFUSED" --ssh --refuse-state unknown
check "--refuse-state ok leaves a timeout CRITICAL" 2 \
	"TUNNEL CRITICAL - timed out after 1 s .*" \
	-H 127.0.0.1 -p "$HANG" -t 1 --refuse-state ok
check "--refuse-state ok leaves a non-SSH service CRITICAL" 2 \
	"TUNNEL CRITICAL - not an SSH server: .*" \
	-H 127.0.0.1 -p "$SMTP" --ssh --refuse-state ok
check "--mismatch-state critical" 2 \
	"TUNNEL CRITICAL - $H port $HELLO: no 'bye' in the answer: 12 bytes 'hello world ', then the server closed the connection \\| .*" \
	-H 127.0.0.1 -p "$HELLO" --expect bye --mismatch-state critical
check "--mismatch-state ok" 0 \
	"TUNNEL OK - $H port $HELLO: no 'bye' in the answer: .*" \
	-H 127.0.0.1 -p "$HELLO" --expect bye --mismatch-state ok
check "--mismatch-state unknown" 3 \
	"TUNNEL UNKNOWN - $H port $HELLO: no 'bye' in the answer: .*" \
	-H 127.0.0.1 -p "$HELLO" --expect bye --mismatch-state unknown
check "--mismatch-state does not touch a match" 0 \
	"TUNNEL OK - connected to $H port $HELLO, answer matched in $S \\| .*" \
	-H 127.0.0.1 -p "$HELLO" --expect world --mismatch-state critical

# --- thresholds ------------------------------------------------------------------
check "-c beats -w" 2 \
	"TUNNEL CRITICAL - $H port $P: $B in $S; total $S is inside the critical range @0:10 \\| $(perf resolve connect banner 'total=@0:10;@0:10')" \
	-H 127.0.0.1 -p "$P" --ssh -w @0:10 -c @0:10
check "-w alerts, -c does not" 1 \
	"TUNNEL WARNING - connected to $H port $ECHO in $S; total $S is inside the warning range @0:10 \\| $(perf resolve connect 'total=@0:10;10')" \
	-H 127.0.0.1 -p "$ECHO" -w @0:10 -c 10
check "-w and -c that do not alert" 0 \
	"TUNNEL OK - connected to $H port $ECHO in $S \\| $(perf resolve connect 'total=5;8')" \
	-H 127.0.0.1 -p "$ECHO" -w 5 -c 8
check "--warning-banner @0:100" 1 \
	"TUNNEL WARNING - $H port $P: $B in $S; banner $S is inside the warning range @0:100 \\| $(perf resolve connect 'banner=@0:100;' total)" \
	-H 127.0.0.1 -p "$P" --ssh --warning-banner @0:100
check "--critical-banner @0:100" 2 \
	"TUNNEL CRITICAL - $H port $P: $B in $S; banner $S is inside the critical range @0:100 \\| $(perf resolve connect 'banner=;@0:100' total)" \
	-H 127.0.0.1 -p "$P" --ssh --critical-banner @0:100
check "--warning-connect @0:100" 1 \
	"TUNNEL WARNING - connected to $H port $ECHO in $S; connect $S is inside the warning range @0:100 \\| $(perf resolve 'connect=@0:100;' total)" \
	-H 127.0.0.1 -p "$ECHO" --warning-connect @0:100
check "--critical-connect @0:100" 2 \
	"TUNNEL CRITICAL - $H port $P: $B in $S; connect $S is inside the critical range @0:100 \\| $(perf resolve 'connect=;@0:100' banner total)" \
	-H 127.0.0.1 -p "$P" --ssh --critical-connect @0:100
check "--warning-resolve @0:100" 1 \
	"TUNNEL WARNING - connected to $H port $ECHO in $S; resolve $S is inside the warning range @0:100 \\| .*" \
	-H 127.0.0.1 -p "$ECHO" --warning-resolve @0:100
check "--warning-kex @0:100 with --hostkey" 1 \
	"TUNNEL WARNING - $H port $P: $B, host key $(req "$FP") pinned in $S; kex $S is inside the warning range @0:100 \\| $(perf resolve connect banner 'kex=@0:100;' total)" \
	-H 127.0.0.1 -p "$P" --hostkey "$FP" --warning-kex @0:100
check "--critical-auth @0:100 with --login" 2 \
	"TUNNEL CRITICAL - $H port $P: $B, logged in as $ME in $S; auth $S is inside the critical range @0:100 \\| $(perf resolve connect banner kex 'auth=;@0:100' total)" \
	-H 127.0.0.1 -p "$P" --login -F "$SSH_CONFIG" --critical-auth @0:100
check "--warning-expect @0:100 with --expect" 1 \
	"TUNNEL WARNING - connected to $H port $ECHO, answer matched in $S; expect $S is inside the warning range @0:100 \\| $(perf resolve connect 'expect=@0:100;' total)" \
	-H 127.0.0.1 -p "$ECHO" --send x --expect x --warning-expect @0:100
check "a critical phase beats an earlier warning one" 2 \
	"TUNNEL CRITICAL - .*; banner $S is inside the critical range @0:100 \\| $(perf resolve 'connect=@0:100;' 'banner=;@0:100' total)" \
	-H 127.0.0.1 -p "$P" --ssh --warning-connect @0:100 --critical-banner @0:100
check "a critical total beats a warning phase" 2 \
	"TUNNEL CRITICAL - .*; total $S is inside the critical range @0:10 \\| .*" \
	-H 127.0.0.1 -p "$P" --ssh --warning-banner @0:100 -c @0:10
check "phase ranges that do not alert: OK, shown in the perfdata" 0 \
	"TUNNEL OK - $H port $P: $B in $S \\| $(perf resolve 'connect=100;' 'banner=;50' total)" \
	-H 127.0.0.1 -p "$P" --ssh --warning-connect 100 --critical-banner 50
check "a range for a phase that did not run (hop, kex) alerts not" 0 \
	"TUNNEL OK - $H port $P: $B in $S \\| $(perf resolve connect banner total)" \
	-H 127.0.0.1 -p "$P" --ssh --critical-hop @0:100 --critical-kex @0:100 --warning-auth @0:100
check "a threshold does not hide a refused port" 2 \
	"TUNNEL CRITICAL - connect to $H port $REFUSED: Connection refused \\| .*" \
	-H 127.0.0.1 -p "$REFUSED" -w @0:10 --warning-connect @0:10
check "a threshold does not hide a wrong host key" 2 \
	"TUNNEL CRITICAL - $H: host key ssh-ed25519 .* does not match .*" \
	-H 127.0.0.1 -p "$P" --hostkey "$WRONG" -w @0:10 --warning-banner @0:10
# Both count, as in check_tcp: the worse state wins, and both are named.
check "an --expect mismatch and a critical time: CRITICAL, naming both" 2 \
	"TUNNEL CRITICAL - $H port $HELLO: no 'bye' in the answer: .*; total [0-9.]+ s is inside the critical range @0:10 \\| .*" \
	-H 127.0.0.1 -p "$HELLO" --expect bye -c @0:10
check "an --expect mismatch and a warning time: WARNING" 1 \
	"TUNNEL WARNING - $H port $HELLO: no 'bye' in the answer: .*; total [0-9.]+ s is inside the warning range @0:10 \\| .*" \
	-H 127.0.0.1 -p "$HELLO" --expect bye -w @0:10
check "an --expect mismatch (critical) and a warning time: CRITICAL" 2 \
	"TUNNEL CRITICAL - $H port $HELLO: no 'bye' in the answer: .*" \
	-H 127.0.0.1 -p "$HELLO" --expect bye -w @0:10 --mismatch-state critical

done_testing
