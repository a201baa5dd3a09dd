#!/bin/bash
# tunnelcheck-probes.t: what each probe does, against fixture servers.
#  - --send and --expect: escapes (\r \n \t \\) decoded in both, the bytes
#    sent checked at a sink; --expect repeatable (any one matches) and
#    --expect-all (every one); --maxbytes (and its default, 65536) stops
#    reading; --expect-timeout bounds the read, which otherwise takes the
#    rest of -t; a server that sends nothing is a timeout, one that sends
#    something else a mismatch.
#  - --login: a wrong user (-l, -o User=), a refused key (-i), host keys
#    that are unknown (StrictHostKeyChecking yes and "ask" refuse,
#    accept-new records, "no" with UserKnownHostsFile=/dev/null goes on as
#    ssh does) or changed, a pin that replaces known_hosts, and -H/-p being
#    what is connected to whatever ssh_config's HostName and Port say.
#  - --hostkey-alg: an sshd with an ed25519 and an ECDSA host key; the
#    ECDSA key's pin holds only with --hostkey-alg ecdsa-sha2-nistp256.
#  - The perfdata of each probe kind: its labels (time_resolve,
#    time_connect, time_banner, time_kex, time_auth, time_expect,
#    time_total, only those that ran, in this order) and their format
#    'time_x'=N.NNNNNNs;W;C;0;T.
#  - -v's long output (the path, each phase with the perfdata's value, the
#    identification, host key, algorithms, user, bytes received, the
#    failure), -vv's log lines and -vvv's debug lines, stderr empty.
#  - -4 and -6 against an sshd on 127.0.0.1 and ::1.
# SPDX-License-Identifier: MIT

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"
. "$top_srcdir/t/tap/fixtures-fwd.sh"

TC=$top_builddir/tools/tunnelcheck
fixture_require "$TC" python3 timeout ssh-keygen cmp pgrep ps
fixture_tmpdir

# An sshd with two host keys, ed25519 and ECDSA: start it, add the second
# key to its config and start it again on the same port.
fixture_sshd_start -d alg || bail "no sshd for --hostkey-alg"
ssh-keygen -q -t ecdsa -b 256 -N '' -C hopkit-test-ecdsa -f "$SSHD_DIR/ssh_host_ecdsa_key" ||
	bail "ssh-keygen ecdsa"
echo "HostKey $SSHD_DIR/ssh_host_ecdsa_key" >>"$SSHD_DIR/sshd_config"
fwd_sshd_down || bail "cannot stop the sshd for --hostkey-alg"
fwd_sshd_up || bail "cannot restart the sshd for --hostkey-alg"
AP=$SSHD_PORT ACFG=$SSH_CONFIG
AED=$(ssh-keygen -lf "$SSHD_DIR/ssh_host_ed25519_key.pub" | awk '{print $2}')
AEC=$(ssh-keygen -lf "$SSHD_DIR/ssh_host_ecdsa_key.pub" | awk '{print $2}')
# The main sshd, on 127.0.0.1 and ::1.
fixture_sshd_start -6 || bail "no sshd"
P=$SSHD_PORT
FP=$(ssh-keygen -lf "$SSHD_DIR/ssh_host_ed25519_key.pub" | awk '{print $2}')
[[ $FP == SHA256:* && $AED == SHA256:* && $AEC == SHA256:* ]] ||
	bail "no fingerprints from ssh-keygen -lf: '$FP' '$AED' '$AEC'"
fixture_tcpserv echo
ECHO=$TCPSERV_PORT
fixture_tcpserv sink -f "$T_TMP/sunk"
SINK_FILE=$TCPSERV_PORT
fixture_tcpserv sink
SINK=$TCPSERV_PORT
fixture_tcpserv close
CLOSE=$TCPSERV_PORT
head -c 100000 /dev/zero | tr '\0' a >"$T_TMP/a100k"
fixture_tcpserv source -f "$T_TMP/a100k"
SOURCE=$TCPSERV_PORT
ME=$(id -un)
ssh-keygen -q -t ed25519 -N '' -C hopkit-test-other -f "$T_TMP/other" || bail "ssh-keygen"
plan_lazy

fixture_talker 'HELLO part'
PART=$TALKER_PORT

# req STRING: STRING quoted for a bash regex (fingerprints hold '+').
req() {
	sed 's/[][\.*^$+?(){}|]/\\&/g' <<<"$1"
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

# took DESC MIN MAX: the last run took MIN to MAX ms.
took() {
	ok "$1 ($RUN_MS ms)" test "$RUN_MS" -ge "$2" -a "$RUN_MS" -lt "$3"
}

# The identification as the fixture sshd sends it, read here directly.
exec 3<>"/dev/tcp/127.0.0.1/$P" || bail "cannot connect to the sshd"
IFS= read -r -t 10 BANNER <&3
exec 3<&-
BANNER=${BANNER%$'\r'}
[[ $BANNER == SSH-2.0-?* ]] || bail "no SSH identification from the fixture sshd: '$BANNER'"
B=$(req "$BANNER")

# --- --send and --expect -----------------------------------------------------------
check "--send 'PING\\r\\n' --expect PING, echo server" 0 \
	"TUNNEL OK - connected to $H port $ECHO, answer matched in $S \\| .*" \
	-H 127.0.0.1 -p "$ECHO" --send 'PING\r\n' --expect PING -v
like $'\nreceived 6 bytes: \'PING  \'$' "$RUN_OUT" \
	"--send 'PING\\r\\n': 6 bytes came back (the escapes were decoded), control bytes shown as blanks"
check "--expect 'PING\\r\\n' (escapes in --expect too)" 0 \
	"TUNNEL OK - connected to $H port $ECHO, answer matched in $S \\| .*" \
	-H 127.0.0.1 -p "$ECHO" --send 'PING\r\n' --expect 'PING\r\n'
check "--expect 'PING\\n' is not in 'PING\\r\\n'" 1 \
	"TUNNEL WARNING - $H port $ECHO: no 'PING.+' in the answer: 6 bytes 'PING  ', then nothing more in time \\| .*" \
	-H 127.0.0.1 -p "$ECHO" --send 'PING\r\n' --expect 'PING\n' --expect-timeout 0.3
check "--send and --expect 'a\\tb'" 0 \
	"TUNNEL OK - connected to $H port $ECHO, answer matched in $S \\| .*" \
	-H 127.0.0.1 -p "$ECHO" --send 'a\tb' --expect 'a\tb' -v
like $'\nreceived 3 bytes: \'a b\'$' "$RUN_OUT" "'a\\tb': 3 bytes, the tab shown as a blank"
check "--send and --expect 'a\\\\b'" 0 \
	"TUNNEL OK - connected to $H port $ECHO, answer matched in $S \\| .*" \
	-H 127.0.0.1 -p "$ECHO" --send 'a\\b' --expect 'a\\b' -v
# The excerpt holds one backslash; shown escaped at most once.
like $'\nreceived 3 bytes: \'a(\\\\|\\\\\\\\)b\'$' "$RUN_OUT" \
	"'a\\\\b': 3 bytes, the backslash shown as \\ or \\\\ (escaped at most once)"

# What --send sends, as the server got it (no --expect: send, then close).
rm -f -- "$T_TMP/sunk"
check "--send without --expect" 0 \
	"TUNNEL OK - connected to $H port $SINK_FILE in $S \\| 'time_resolve'=.*" \
	-H 127.0.0.1 -p "$SINK_FILE" --send 'PING\r\n\t\\x'
fixture_wait_size "$T_TMP/sunk" 9 10
ok "--send 'PING\\r\\n\\t\\\\x': the server got exactly PING CR LF TAB \\ x" \
	cmp "$T_TMP/sunk" <(printf 'PING\r\n\t\\x')

check "--expect twice: either one matches" 0 \
	"TUNNEL OK - connected to $H port $PART, answer matched in $S \\| .*" \
	-H 127.0.0.1 -p "$PART" --expect nope --expect HELLO
check "--expect-all: both there" 0 \
	"TUNNEL OK - connected to $H port $PART, answer matched in $S \\| .*" \
	-H 127.0.0.1 -p "$PART" --expect part --expect HELLO --expect-all
check "--expect-all: one missing, only that one named" 1 \
	"TUNNEL WARNING - $H port $PART: no 'nope' in the answer: 10 bytes 'HELLO part', then nothing more in time \\| .*" \
	-H 127.0.0.1 -p "$PART" --expect HELLO --expect nope --expect-all --expect-timeout 0.3
check "--expect-all: two missing" 1 \
	"TUNNEL WARNING - $H port $PART: no 'x' and 'y' in the answer: 10 bytes 'HELLO part', then nothing more in time \\| .*" \
	-H 127.0.0.1 -p "$PART" --expect x --expect HELLO --expect y --expect-all --expect-timeout 0.3
check "--expect twice, neither there" 1 \
	"TUNNEL WARNING - $H port $PART: no 'x' or 'y' in the answer: 10 bytes 'HELLO part', then nothing more in time \\| .*" \
	-H 127.0.0.1 -p "$PART" --expect x --expect y --expect-timeout 0.3

A79=$(printf 'a%.0s' {1..79})
check "--maxbytes 1000 stops reading a long answer" 1 \
	"TUNNEL WARNING - $H port $SOURCE: no 'b' in the answer: 1000 bytes '$A79', then stopped reading \\(--maxbytes\\) \\| .*" \
	-H 127.0.0.1 -p "$SOURCE" --expect b --maxbytes 1000
took "--maxbytes: at once, not after -t" 0 3000
check "--maxbytes defaults to 65536" 1 \
	"TUNNEL WARNING - $H port $SOURCE: no 'b' in the answer: 65536 bytes '$A79', then stopped reading \\(--maxbytes\\) \\| .*" \
	-H 127.0.0.1 -p "$SOURCE" --expect b
check "--maxbytes 5 before the string" 1 \
	"TUNNEL WARNING - $H port $PART: no 'part' in the answer: 5 bytes 'HELLO', then stopped reading \\(--maxbytes\\) \\| .*" \
	-H 127.0.0.1 -p "$PART" --expect part --maxbytes 5
check "--maxbytes 5, the string within" 0 \
	"TUNNEL OK - connected to $H port $PART, answer matched in $S \\| .*" \
	-H 127.0.0.1 -p "$PART" --expect HEL --maxbytes 5

check "--expect-timeout 0.5 with -t 10: part of an answer, then silence" 1 \
	"TUNNEL WARNING - $H port $PART: no 'PONG' in the answer: 10 bytes 'HELLO part', then nothing more in time \\| .*'time_expect'=0\\.[0-9]{6}s;;;0;10 .*" \
	-H 127.0.0.1 -p "$PART" --expect PONG --expect-timeout 0.5 -t 10
took "--expect-timeout 0.5: gave up after about 0.5 s, not -t" 450 4000
check "no --expect-timeout: the read takes the rest of -t 1" 1 \
	"TUNNEL WARNING - $H port $PART: no 'PONG' in the answer: 10 bytes 'HELLO part', then nothing more in time \\| .*" \
	-H 127.0.0.1 -p "$PART" --expect PONG -t 1 --timeout-state unknown
took "no --expect-timeout: about 1 s" 900 5000
check "--expect-timeout 5 beyond -t 1: -t still bounds it" 1 \
	"TUNNEL WARNING - $H port $PART: no 'PONG' in the answer: .*, then nothing more in time \\| .*" \
	-H 127.0.0.1 -p "$PART" --expect PONG -t 1 --expect-timeout 5
took "--expect-timeout beyond -t: about 1 s" 900 5000
check "a server that sends nothing, -t 1: a timeout" 2 \
	"TUNNEL CRITICAL - timed out after 1 s waiting for an answer \\| .*" \
	-H 127.0.0.1 -p "$SINK" --send 'hi\n' --expect x -t 1
took "a server that sends nothing: about 1 s" 900 5000
check "a server that sends nothing, --timeout-state unknown" 3 \
	"TUNNEL UNKNOWN - timed out after 1 s waiting for an answer \\| .*" \
	-H 127.0.0.1 -p "$SINK" --expect x -t 1 --timeout-state unknown
check "a server that sends nothing within --expect-timeout 0.3: a timeout" 2 \
	"TUNNEL CRITICAL - timed out after 0\\.3 s waiting for an answer \\| .*" \
	-H 127.0.0.1 -p "$SINK" --expect x --expect-timeout 0.3
took "--expect-timeout 0.3 and nothing: about 0.3 s" 250 4000
check "a server that closes at once, --expect" 1 \
	"TUNNEL WARNING - $H port $CLOSE: no 'x' in the answer: 0 bytes '', then the server closed the connection \\| .*" \
	-H 127.0.0.1 -p "$CLOSE" --expect x

# --- --login -----------------------------------------------------------------------
check "--login -F: OK" 0 \
	"TUNNEL OK - $H port $P: $B, logged in as $ME in $S \\| .*" \
	-H 127.0.0.1 -p "$P" --login -F "$SSH_CONFIG"
check "--login -l nobody: authentication fails" 2 \
	"TUNNEL CRITICAL - $H: authentication failed for nobody \\(tried $(req "$SSHD_DIR/id_ed25519") .*\\) \\| .*" \
	-H 127.0.0.1 -p "$P" --login -F "$SSH_CONFIG" -l nobody
check "--login -o User=nobody: authentication fails" 2 \
	"TUNNEL CRITICAL - $H: authentication failed for nobody \\(.* \\| .*" \
	-H 127.0.0.1 -p "$P" --login -F "$SSH_CONFIG" -o User=nobody
check "--login -l $ME: OK" 0 \
	"TUNNEL OK - $H port $P: $B, logged in as $ME in $S \\| .*" \
	-H 127.0.0.1 -p "$P" --login -F "$SSH_CONFIG" -l "$ME"
# The config without its key: only what -i gives is offered.
grep -v IdentityFile "$SSH_CONFIG" >"$T_TMP/noid_config"
check "--login -i a key the server does not know" 2 \
	"TUNNEL CRITICAL - $H: authentication failed for $ME \\(tried $(req "$T_TMP/other").*\\) \\| .*" \
	-H 127.0.0.1 -p "$P" --login -F "$T_TMP/noid_config" -i "$T_TMP/other"
check "--login -i the authorized key" 0 \
	"TUNNEL OK - $H port $P: $B, logged in as $ME in $S \\| .*" \
	-H 127.0.0.1 -p "$P" --login -F "$T_TMP/noid_config" -i "$SSHD_DIR/id_ed25519"
# An encrypted key: a check asks nobody for its passphrase (an askpass
# would block past -t): it is skipped, and the failure names it.
ssh-keygen -q -t ed25519 -N secret-pass -f "$T_TMP/enc" || bail "no encrypted key"
printf '#!/bin/sh\nsleep 8\necho secret-pass\n' >"$T_TMP/askpass"
chmod 755 "$T_TMP/askpass"
run timeout 30 env SSH_ASKPASS="$T_TMP/askpass" SSH_ASKPASS_REQUIRE=force \
	"$TC" -H 127.0.0.1 -p "$P" --login -F "$T_TMP/noid_config" -i "$T_TMP/enc" -t 2 </dev/null
is_int 2 "$RUN_RC" "--login -i an encrypted key: exit 2"
like "^TUNNEL CRITICAL - $H: authentication failed for $ME \\(tried $(req "$T_TMP/enc") \\(encrypted; no passphrase is asked for here: use the agent\\)\\) \\|" \
	"${RUN_OUT%%$'\n'*}" "... naming the key it skipped, and why"
took "... without waiting for SSH_ASKPASS (it sleeps 8 s)" 0 2000
check "--login: -H and -p are what is connected to, not ssh_config's HostName and Port" 0 \
	"TUNNEL OK - $H port $P: $B, logged in as $ME in $S \\| .*" \
	-H 127.0.0.1 -p "$P" --login -F "$SSH_CONFIG" -o HostName=no-such-host.invalid -o Port=1

: >"$T_TMP/empty_known_hosts"
check "--login, the host key not in known_hosts (StrictHostKeyChecking yes)" 2 \
	"TUNNEL CRITICAL - $H: host key for \\[127\\.0\\.0\\.1\\]:$P is not known \\(ssh-ed25519 $(req "$FP")\\); refusing to connect.* \\| .*" \
	-H 127.0.0.1 -p "$P" --login -F "$SSH_CONFIG" -o "UserKnownHostsFile=$T_TMP/empty_known_hosts"
check "--login, not in known_hosts, StrictHostKeyChecking ask (as yes)" 2 \
	"TUNNEL CRITICAL - $H: host key for \\[127\\.0\\.0\\.1\\]:$P is not known .* \\| .*" \
	-H 127.0.0.1 -p "$P" --login -F "$SSH_CONFIG" \
	-o "UserKnownHostsFile=$T_TMP/empty_known_hosts" -o StrictHostKeyChecking=ask
is "" "$(<"$T_TMP/empty_known_hosts")" "yes and ask: known_hosts left alone"
check "--login, not in known_hosts, but --hostkey pins it (known_hosts not read)" 0 \
	"TUNNEL OK - $H port $P: $B, host key $(req "$FP") pinned, logged in as $ME in $S \\| .*" \
	-H 127.0.0.1 -p "$P" --login -F "$SSH_CONFIG" \
	-o "UserKnownHostsFile=$T_TMP/empty_known_hosts" --hostkey "$FP"
check "--login, StrictHostKeyChecking accept-new records a new key, -vv" 0 \
	"TUNNEL OK - $H port $P: $B, logged in as $ME in $S \\| .*" \
	-H 127.0.0.1 -p "$P" --login -F "$SSH_CONFIG" -vv \
	-o "UserKnownHostsFile=$T_TMP/new_known_hosts" -o StrictHostKeyChecking=accept-new
like $'\nlog: [^\n]*Permanently added \'\\[127\\.0\\.0\\.1\\]:'"$P"$'\'' "$RUN_OUT" \
	"accept-new, -vv: the log's warning is a long-output line (and not on stderr)"
is "[127.0.0.1]:$P $(cut -d' ' -f1-2 "$SSHD_DIR/ssh_host_ed25519_key.pub")" \
	"$(cat "$T_TMP/new_known_hosts" 2>&1)" "accept-new: the key was recorded"
check "--login, the recorded key, accept-new again" 0 \
	"TUNNEL OK - $H port $P: $B, logged in as $ME in $S \\| .*" \
	-H 127.0.0.1 -p "$P" --login -F "$SSH_CONFIG" \
	-o "UserKnownHostsFile=$T_TMP/new_known_hosts" -o StrictHostKeyChecking=accept-new
is_int 1 "$(wc -l <"$T_TMP/new_known_hosts")" "accept-new: a known key is not recorded twice"
# As ssh does: a known_hosts that cannot take the key is no reason to fail.
check "--login -o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no" 0 \
	"TUNNEL OK - $H port $P: $B, logged in as $ME in $S \\| .*" \
	-H 127.0.0.1 -p "$P" --login -F "$SSH_CONFIG" \
	-o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no
echo "[127.0.0.1]:$P $(cut -d' ' -f1-2 "$T_TMP/other.pub")" >"$T_TMP/changed_known_hosts"
OTHER_FP=$(ssh-keygen -lf "$T_TMP/other.pub" | awk '{print $2}')
check "--login, a changed host key" 2 \
	"TUNNEL CRITICAL - $H: REMOTE HOST IDENTIFICATION HAS CHANGED: .*$(req "$FP").*$(req "$OTHER_FP").* \\| .*" \
	-H 127.0.0.1 -p "$P" --login -F "$SSH_CONFIG" -o "UserKnownHostsFile=$T_TMP/changed_known_hosts"
check "--login, a changed host key, --hostkey pins the right one" 0 \
	"TUNNEL OK - $H port $P: $B, host key $(req "$FP") pinned, logged in as $ME in $S \\| .*" \
	-H 127.0.0.1 -p "$P" --login -F "$SSH_CONFIG" -o "UserKnownHostsFile=$T_TMP/changed_known_hosts" \
	--hostkey "$FP"
HOME=$T_TMP/nohome check "--hostkey alone needs no ssh_config or known_hosts (a HOME without .ssh)" 0 \
	"TUNNEL OK - $H port $P: $B, host key $(req "$FP") pinned in $S \\| .*" \
	-H 127.0.0.1 -p "$P" --hostkey "$FP"

# --- --hostkey-alg -------------------------------------------------------------------
check "two host keys: the ECDSA pin without --hostkey-alg gets the ed25519 key" 2 \
	"TUNNEL CRITICAL - $H: host key ssh-ed25519 $(req "$AED") does not match the pinned $(req "$AEC") \\| .*" \
	-H 127.0.0.1 -p "$AP" --hostkey "$AEC"
check "--hostkey-alg ecdsa-sha2-nistp256 with the ECDSA pin" 0 \
	"TUNNEL OK - $H port $AP: SSH-2\\.0-.*, host key $(req "$AEC") pinned in $S \\| .*" \
	-H 127.0.0.1 -p "$AP" --hostkey "$AEC" --hostkey-alg ecdsa-sha2-nistp256 -v
like $'\nhost key: ecdsa-sha2-nistp256 '"$(req "$AEC")"$'\n' "$RUN_OUT" "-v: the ECDSA host key"
like $'\nalgorithms: kex [^\n]*host key ecdsa-sha2-nistp256' "$RUN_OUT" "-v: the ECDSA host key algorithm"
check "--hostkey-alg ecdsa-sha2-nistp256 with the ed25519 pin" 2 \
	"TUNNEL CRITICAL - $H: host key ecdsa-sha2-nistp256 $(req "$AEC") does not match the pinned $(req "$AED") \\| .*" \
	-H 127.0.0.1 -p "$AP" --hostkey "$AED" --hostkey-alg ecdsa-sha2-nistp256
check "--hostkey-alg ssh-ed25519 with the ed25519 pin" 0 \
	"TUNNEL OK - $H port $AP: SSH-2\\.0-.*, host key $(req "$AED") pinned in $S \\| .*" \
	-H 127.0.0.1 -p "$AP" --hostkey "$AED" --hostkey-alg ssh-ed25519
check "--hostkey-alg ecdsa-sha2-nistp256 with both pins" 0 \
	"TUNNEL OK - $H port $AP: SSH-2\\.0-.*, host key $(req "$AEC") pinned in $S \\| .*" \
	-H 127.0.0.1 -p "$AP" --hostkey "$AED" --hostkey "$AEC" --hostkey-alg ecdsa-sha2-nistp256
check "--hostkey-alg of a type the server lacks" 2 \
	"TUNNEL CRITICAL - $H: key exchange failed.* \\| .*" \
	-H 127.0.0.1 -p "$AP" --hostkey "$AEC" --hostkey-alg ecdsa-sha2-nistp384
check "--login with the ECDSA key pinned" 0 \
	"TUNNEL OK - $H port $AP: SSH-2\\.0-.*, host key $(req "$AEC") pinned, logged in as $ME in $S \\| .*" \
	-H 127.0.0.1 -p "$AP" --login -F "$ACFG" --hostkey "$AEC" --hostkey-alg ecdsa-sha2-nistp256

# --- perfdata of each probe kind ------------------------------------------------------
# perf_kind DESC LABELS ARG...: an OK run whose perfdata is exactly LABELS,
# each in the format 'time_x'=N.NNNNNNs;;;0;10; the phases before total add
# up to no more than the total, and the total to no more than the run.
perf_kind() {
	local desc=$1 want=$2 perf item bad='' labels
	shift 2
	check "$desc" 0 "TUNNEL OK - .* \\| .*" "$@"
	perf=${FIRST#* | }
	labels=$(grep -oE "'time_[a-z]+'=" <<<"$perf" | tr -d "'=" | paste -sd' ')
	is "$want" "$labels" "$desc: the perfdata labels"
	for item in $perf; do
		[[ $item =~ ^\'time_[a-z]+\'=[0-9]+\.[0-9]{6}s\;\;\;0\;10$ ]] || bad+=" $item"
	done
	is "" "$bad" "$desc: every item is 'time_x'=N.NNNNNNs;;;0;10"
	ok "$desc: the phases add up to the total, the total to the run's time" \
		awk -v p="$perf" -v ms="$RUN_MS" 'BEGIN {
			n = split(p, f, " ")
			for (i = 1; i <= n; i++) {
				split(f[i], kv, "=")
				v = kv[2] + 0
				if (kv[1] == "'\''time_total'\''") total = v
				else sum += v
			}
			if (sum > total + 0.0005 || total > ms / 1000 + 0.001) {
				printf "sum %f total %f run %d ms\n", sum, total, ms
				exit 1
			}
		}'
}
perf_kind "TCP connect" "time_resolve time_connect time_total" \
	-H 127.0.0.1 -p "$ECHO"
perf_kind "--ssh" "time_resolve time_connect time_banner time_total" \
	-H 127.0.0.1 -p "$P" --ssh
perf_kind "--hostkey" "time_resolve time_connect time_banner time_kex time_total" \
	-H 127.0.0.1 -p "$P" --hostkey "$FP"
perf_kind "--login" "time_resolve time_connect time_banner time_kex time_auth time_total" \
	-H 127.0.0.1 -p "$P" --login -F "$SSH_CONFIG"
perf_kind "--send/--expect" "time_resolve time_connect time_expect time_total" \
	-H 127.0.0.1 -p "$ECHO" --send hi --expect hi
perf_kind "--expect alone" "time_resolve time_connect time_expect time_total" \
	-H 127.0.0.1 -p "$PART" --expect part
check "-t 2.5 -w 1 -c 2: the timeout is each item's max, the ranges the total's" 0 \
	"TUNNEL OK - .* \\| 'time_resolve'=[0-9.]+s;;;0;2\\.500000 'time_connect'=[0-9.]+s;;;0;2\\.500000 'time_banner'=[0-9.]+s;;;0;2\\.500000 'time_total'=[0-9]+\\.[0-9]{6}s;1;2;0;2\\.500000" \
	-H 127.0.0.1 -p "$P" --ssh -t 2.5 -w 1 -c 2

# --- -v, -vv, -vvv -----------------------------------------------------------------------
check "--login without -v" 0 "TUNNEL OK - .*" -H 127.0.0.1 -p "$P" --login -F "$SSH_CONFIG"
is_int 1 "$(grep -c '' <<<"$RUN_OUT")" "without -v: one line"
check "--login -v" 0 "TUNNEL OK - .*" -H 127.0.0.1 -p "$P" --login -F "$SSH_CONFIG" -v
long=${RUN_OUT#*$'\n'}
want="target: 127\\.0\\.0\\.1 port $P"
for ph in resolve connect banner kex auth total; do
	v=$(grep -oE "'time_$ph'=[0-9.]+" <<<"$FIRST" | cut -d= -f2)
	want+=$'\n'"$(printf '%-8s' "$ph") $(req "$v") s"
done
want+=$'\n'"identification: $B"
want+=$'\n'"host key: ssh-ed25519 $(req "$FP")"
want+=$'\n'"algorithms: kex [^,]+, host key ssh-ed25519, cipher [^,]+, mac [^,]+"
want+=$'\n'"logged in as: $ME"
like "^$want\$" "$long" "-v: the target, each phase (the perfdata's values), identification, host key, algorithms, user"
unlike '(^|'$'\n'')log: ' "$long" "-v: no log lines"
check "--hostkey wrong, -v" 2 "TUNNEL CRITICAL - .*" -H 127.0.0.1 -p "$P" \
	--hostkey SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA -v
like $'\nhost key: ssh-ed25519 '"$(req "$FP")"$'\n' "$RUN_OUT" "failure, -v: the host key seen"
like $'\nfailed in kex: 127\\.0\\.0\\.1: host key ssh-ed25519 [^\n]* does not match [^\n]*$' "$RUN_OUT" \
	"failure, -v: the last line says which phase failed and why"
check "--ssh, a server that closes, -v" 2 "TUNNEL CRITICAL - .*" -H 127.0.0.1 -p "$CLOSE" --ssh -v
like $'\nfailed in banner: not an SSH server: it closed the connection without a word$' "$RUN_OUT" \
	"a server that closes, -v: failed in banner"
check "--ssh -vv" 0 "TUNNEL OK - .*" -H 127.0.0.1 -p "$P" --ssh -vv
unlike $'\nlog: [^\n]*debug: ' "$RUN_OUT" "-vv: no debug lines"
check "--ssh -vvv" 0 "TUNNEL OK - .*" -H 127.0.0.1 -p "$P" --ssh -vvv
like $'\nlog: [^\n]*debug: [^\n]*'"$B" "$RUN_OUT" "-vvv: debug lines, as long output"
check "--login -vvv" 0 "TUNNEL OK - .*" -H 127.0.0.1 -p "$P" --login -F "$SSH_CONFIG" -vvv
like $'\nlog: [^\n]*debug: [^\n]*authenticated as '"$ME" "$RUN_OUT" "--login -vvv: the login's debug lines"

# --- -4 and -6 --------------------------------------------------------------------------
check "-H ::1 -6" 0 "TUNNEL OK - ::1 port $P: $B in $S \\| .*" -H ::1 -6 -p "$P" --ssh
check "-H ::1 (no -4/-6)" 0 "TUNNEL OK - ::1 port $P: $B in $S \\| .*" -H ::1 -p "$P" --ssh
check "-H ::1 --login (known_hosts has [::1]:port)" 0 \
	"TUNNEL OK - ::1 port $P: $B, logged in as $ME in $S \\| .*" \
	-H ::1 -p "$P" --login -F "$SSH_CONFIG"
check "-H ::1 --hostkey" 0 "TUNNEL OK - ::1 port $P: $B, host key $(req "$FP") pinned in $S \\| .*" \
	-H ::1 -6 -p "$P" --hostkey "$FP"
check "-H 127.0.0.1 -6: no IPv6 address" 2 \
	"TUNNEL CRITICAL - .*127\\.0\\.0\\.1.* \\| .*" -H 127.0.0.1 -6 -p "$P" --ssh
check "-H ::1 -4: no IPv4 address" 2 "TUNNEL CRITICAL - .*::1.* \\| .*" -H ::1 -4 -p "$P" --ssh
check "-H 127.0.0.1 -4" 0 "TUNNEL OK - $H port $P: $B in $S \\| .*" -H 127.0.0.1 -4 -p "$P" --ssh
check "-H localhost -4" 0 "TUNNEL OK - localhost port $P: $B in $S \\| .*" -H localhost -4 -p "$P" --ssh

done_testing
