#!/bin/bash
# walkthrough-support.t: README's walk-through "Remote support behind NAT,
# with locked-down, expiring keys", run as written against local
# stand-ins.  One fixture sshd is relay.example.com, a second is the
# customer's machine (its port 22); the relay's authorized_keys holds only
# the two lines contrib/authorized-keys-line prints (the customer's tunnel
# key: listen on localhost:2022; the engineer's key: open localhost:2022),
# both expiring a few seconds from now instead of the README's times, and
# the README's Match block is added to the relay's sshd_config.  Both
# accounts (tunnel and support) are this test's user.  Checked: the
# commands and blocks are in README.md verbatim (WALKTHROUGH_README names
# another file); the customer's fwdpipe -R is up on the relay; the
# engineer's tunnelcheck --hostkey through the relay is OK (the customer's
# key), the first ssh acme records the key as acme and logs in to the
# customer's machine; what the keys may not do is refused: the engineer's
# key opening another port (localhost:22), the tunnel key opening
# anything, the tunnel key listening on another port, a shell with either
# key, and (after the Match block, but not before it) a Unix socket
# forward; after the expiry time, new logins with both keys are refused
# (ssh acme, tunnelcheck, and the customer's fwdpipe reconnecting after
# SIGHUP), while the session that was up stayed up until then.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016 # the remote shell expands what is in single quotes
# shellcheck disable=SC2001 # sed on multi-line text and blocks

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"
. "$top_srcdir/t/tap/fixtures-fwd.sh"

. "$top_srcdir/t/tap/readme.sh"
AKL=$top_srcdir/contrib/authorized-keys-line
TOOLS=$(cd "$top_builddir/tools" && pwd)
fixture_require "$TOOLS/fwdpipe" "$TOOLS/tunnelcheck" "$AKL" ssh ssh-keygen ss date timeout pgrep ps
PATH=$TOOLS:$top_srcdir/contrib:$PATH
fixture_sshd_start -d customer || bail "no sshd for the customer's machine"
CUST=$SSHD_PORT CUSTDIR=$SSHD_DIR
fixture_sshd_start -d relay || bail "no sshd for the relay"
RELAY=$SSHD_PORT RELAYDIR=$SSHD_DIR RELAYCFG=$SSH_CONFIG RELAYPID=$SSHD_PID
ME=$(id -un)
plan_lazy

# ---- the README's text ------------------------------------------------------
MATCH='Match User tunnel,support
    AllowStreamLocalForwarding no
    ClientAliveInterval 15
    ClientAliveCountMax 3'
C_LINE1='authorized-keys-line --listen localhost:2022 --expires 20261205 --comment acme-nat acme-nat.pub >>~tunnel/.ssh/authorized_keys'
C_LINE2='authorized-keys-line --open localhost:2022 --from 198.51.100.0/24 --expires +8h --comment alice alice.pub >>~support/.ssh/authorized_keys'
C_FWD='fwdpipe -R 2022:localhost:22 tunnel@relay.example.com'
C_FWD2='fwdpipe -R 2023:localhost:22 -o ExitOnForwardFailure=yes tunnel@relay.example.com'
BLOCK='Host acme
    HostName localhost
    Port 2022
    HostKeyAlias acme
    ProxyJump support@relay.example.com'
C_CHK='tunnelcheck -J support@relay.example.com -H localhost -p 2022 --hostkey SHA256:'
C_SSH='ssh acme'
C_CHK22='tunnelcheck -J support@relay.example.com -H localhost -p 22 --ssh'

for b in "$MATCH" "$BLOCK"; do
	readme_block "the ${b%%$'\n'*} block" "$b"
done
for c in "$C_LINE1" "$C_LINE2" "$C_FWD" "$C_FWD2" "$C_CHK" "$C_SSH" "$C_CHK22"; do
	ok "README: \$ $c" readme_cmd "$c"
done
line=$(readme_cmd "$C_CHK") && C_CHK=$line || C_CHK="${C_CHK}..."

# ---- keys and configs -----------------------------------------------------------
fixture_free_port || bail "no free port"
RP=$FIXTURE_PORT
while fixture_free_port && RP2=$FIXTURE_PORT && [[ $RP2 == "$RP" ]]; do :; done
K=$T_TMP/keys
mkdir -p "$K"
ssh-keygen -q -t ed25519 -N '' -C customer@acme -f "$K/acme-nat" || bail "ssh-keygen failed"
ssh-keygen -q -t ed25519 -N '' -C alice@support -f "$K/alice" || bail "ssh-keygen failed"
# The customer lets the engineer log in to their machine.
cp "$K/alice.pub" "$CUSTDIR/authorized_keys"
CUSTFP=$(ssh-keygen -lf "$CUSTDIR/ssh_host_ed25519_key.pub" | cut -d' ' -f2)

# fixture_tail KNOWN_HOSTS: the fixture's client settings, without its
# User, IdentityFile and ConnectTimeout.
fixture_tail() {
	grep -v -e ConnectTimeout -e '^  User ' -e '^  IdentityFile ' "$RELAYCFG" |
		sed "s|^  UserKnownHostsFile .*|  UserKnownHostsFile $1|"
}
relay_block() {
	printf 'Host relay.example.com\n    HostName 127.0.0.1\n    Port %s\n    IdentityFile %s\n\n' "$RELAY" "$1"
}
# The customer's machine: the relay's host key (as support publishes it),
# the tunnel key.
CCFG=$T_TMP/customer_config
cp "$RELAYDIR/known_hosts" "$T_TMP/customer_known_hosts"
{ relay_block "$K/acme-nat"; fixture_tail "$T_TMP/customer_known_hosts"; } >"$CCFG"
# The engineer's: the relay's host key, the README's Host acme block.
ECFG=$T_TMP/engineer_config
KH=$T_TMP/engineer_known_hosts
cp "$RELAYDIR/known_hosts" "$KH"
{
	relay_block "$K/alice"
	sed "s|^    Port 2022|    Port $RP|; s|support@|$ME@|" <<<"$BLOCK"
	echo "    IdentityFile $K/alice"
	echo
	fixture_tail "$KH"
} >"$ECFG"

# sub CFG CMD: the README's command with the stand-ins (ports, this
# test's user for tunnel and support, the files of the test, -F CFG).
sub() {
	local c=$2
	c=${c//2022/$RP}
	c=${c//2023/$RP2}
	c=${c//:22 /:$CUST }
	c=${c//-p 22 /-p $RELAY }
	c=${c//tunnel@/$ME@}
	c=${c//support@/$ME@}
	c=${c//198.51.100.0\/24/127.0.0.1}
	c=${c//acme-nat.pub/$K/acme-nat.pub}
	c=${c//alice.pub/$K/alice.pub}
	c=${c//\~tunnel\/.ssh\/authorized_keys/$RELAYDIR/authorized_keys}
	c=${c//\~support\/.ssh\/authorized_keys/$RELAYDIR/authorized_keys}
	c=${c//--expires 20261205/--expires +${EXPIRES_IN}s}
	c=${c//--expires +8h/--expires +${EXPIRES_IN}s}
	c=${c/#ssh /ssh -F $1 }
	c=${c/#fwdpipe /fwdpipe -F $1 }
	c=${c/#tunnelcheck -J /tunnelcheck -F $1 -J }
	[[ $c =~ SHA256:[^\ ]* ]] && c=${c/"${BASH_REMATCH[0]}"/$CUSTFP}
	printf '%s\n' "$c"
}
# show CMD OUTPUT [USER]: the command and its output, with the README's
# ports and USER (default support) for the test's user.
show() {
	diag "\$ $1" "$(sed -e "s/\\b$RP\\b/2022/g" -e "s/\\b$CUST\\b/22/g" -e "s/\\b$RELAY\\b/22/g" \
		-e "s/\\b$ME@/${3:-support}@/g" <<<"$2")"
}
# shown CMD: CMD as shown in the test's output: with the fingerprint pinned.
shown() {
	local c=$1
	[[ $c =~ SHA256:[^\ ]* ]] && c=${c/"${BASH_REMATCH[0]}"/$CUSTFP}
	printf '%s\n' "$c"
}
N='[0-9]+\.[0-9]+'
NL=$'\n'
IDENT='SSH-2\.0-OpenSSH_[^ ]+( [^|]*)?'
req() {
	sed 's/[][\.*^$+?(){}|/]/\\&/g' <<<"$1"
}
# tc_is RC REGEX DESC CMD: the README's tunnelcheck command CMD (the
# engineer's config) exits RC, with nothing on stderr and a first line of
# stdout matching REGEX.
tc_is() {
	local c
	local -a argv
	c=$(sub "$ECFG" "$4")
	eval "argv=($c)"
	run timeout 60 "${argv[@]}" </dev/null
	show "$(shown "$4")" "$RUN_OUT"
	like "^exit $1, stderr '', $2" "exit $RUN_RC, stderr '$RUN_ERR', ${RUN_OUT%%$'\n'*}" "$3"
}

# ---- on the relay -----------------------------------------------------------------
# sshd_config's Match block (the test's user stands for both accounts).
# Before it, the tunnel key may forward a Unix socket (permitlisten does
# not cover them); after it, not.
: >"$RELAYDIR/authorized_keys"
EXPIRES_IN=25
for c in "$C_LINE1" "$C_LINE2"; do
	s=$(sub "" "$c")
	eval "$s"
	ok "relay# $c" test $? -eq 0
done
mapfile -t lines <"$RELAYDIR/authorized_keys"
diag "authorized_keys:" "${lines[@]}"
is_int 2 "${#lines[@]}" "the relay's authorized_keys holds the two lines, and no other key"
like "^restrict,port-forwarding,command=\"false\",expiry-time=\"[0-9]{14}Z\",permitlisten=\"localhost:$RP\",permitopen=\"NONE\\.INVALID:1\" ssh-ed25519 [^ ]+ acme-nat\$" \
	"${lines[0]-}" "the tunnel key: listen on localhost:2022 only, open nothing, expires"
like "^restrict,port-forwarding,command=\"false\",from=\"127\\.0\\.0\\.1\",expiry-time=\"[0-9]{14}Z\",permitlisten=\"NONE\\.INVALID:1\",permitopen=\"localhost:$RP\" ssh-ed25519 [^ ]+ alice\$" \
	"${lines[1]-}" "the engineer's key: open localhost:2022 only, listen nowhere, from the office, expires"
# When the keys expire (without an expiry-time, when they should have).
exp=$(sed -n 's/.*expiry-time="\([0-9]\{14\}\)Z".*/\1/p' <<<"${lines[1]-}")
EXPIRY=$(date -u -d "${exp:0:8} ${exp:8:2}:${exp:10:2}:${exp:12:2}" +%s 2>/dev/null) ||
	EXPIRY=$(($(date +%s) + EXPIRES_IN))

ssh_unix_fwd() {
	run timeout 20 ssh -F "$CCFG" -N -o ExitOnForwardFailure=yes \
		-R "$T_TMP/s.$1.sock:localhost:$CUST" "$ME@relay.example.com" </dev/null
}
# Without the Match block, ssh -N stays up with the socket forward: give
# it a moment (a check that it is refused, not a readiness wait).
run timeout 3 ssh -F "$CCFG" -N -o ExitOnForwardFailure=yes \
	-R "$T_TMP/s.before.sock:localhost:$CUST" "$ME@relay.example.com" </dev/null
is_int 124 "$RUN_RC" "before the Match block, the tunnel key could forward a Unix socket (ssh -N stayed up)" ||
	diag "$RUN_ERR"
sed "s|^Match User tunnel,support|Match User $ME|" <<<"$MATCH" >>"$RELAYDIR/sshd_config"
SSHD_PORT=$RELAY SSHD_DIR=$RELAYDIR SSHD_LOG=$RELAYDIR/sshd.log SSHD_PID=$RELAYPID
{ fwd_sshd_down && fwd_sshd_up; } || bail "the relay's sshd did not restart"
ssh_unix_fwd after
is_int 255 "$RUN_RC" "with the Match block (AllowStreamLocalForwarding no): refused"
like 'remote port forwarding failed for listen path' "$RUN_ERR" "... ssh says so"

# ---- the customer's machine: the reverse tunnel --------------------------------------
LOG=$T_TMP/fwdpipe.log
eval "argv=($(sub "$CCFG" "$C_FWD"))"
"${argv[@]}" 2>"$LOG" &
FP=$!
fixture_atexit "kill $FP 2>/dev/null"
fixture_wait_log "$LOG" "^fwdpipe: -R localhost:$RP:localhost:$CUST: up" 20
ok "customer\$ $C_FWD: the relay listens on localhost:2022" test $? -eq 0 || diag "$(<"$LOG")"
show "$C_FWD" "$(<"$LOG")" tunnel

# ---- the engineer ---------------------------------------------------------------
J="$ME@relay\\.example\\.com"
tc_is 0 "TUNNEL OK - localhost port $RP via jump $J: $IDENT, host key $(req "$CUSTFP") pinned in $N s \\| " \
	"engineer\$ $C_CHK: the customer's machine answers" "$C_CHK"
eval "argv=($(sub "$ECFG" "$C_SSH"))"
run timeout 30 "${argv[0]}" -o StrictHostKeyChecking=accept-new "${argv[@]:1}" \
	'echo "logged in as $USER on the customer machine, port $(echo $SSH_CONNECTION | cut -d" " -f4)"' </dev/null
is "0:logged in as $ME on the customer machine, port $CUST" "$RUN_RC:$RUN_OUT" \
	"engineer\$ $C_SSH: through the relay, onto the customer's sshd" || diag "$RUN_ERR"
is "acme $(cut -d' ' -f1-2 "$CUSTDIR/ssh_host_ed25519_key.pub")" "$(grep '^acme ' "$KH")" \
	"... the customer's host key is now in known_hosts as acme (HostKeyAlias)"

# What the keys may not do.
tc_is 2 "TUNNEL CRITICAL - $J: cannot open a channel to localhost:$RELAY: [^|]*prohibited[^|]* via jump $J \\| " \
	"the engineer's key opens nothing else: localhost:22 refused" "$C_CHK22"
run timeout 30 "$TOOLS/tunnelcheck" -F "$CCFG" -J "$ME@relay.example.com" -H localhost -p "$RP" --ssh
like "^TUNNEL CRITICAL - $J: cannot open a channel to localhost:$RP: [^|]*prohibited" "$RUN_OUT" \
	"the tunnel key opens nothing, not even localhost:2022"
eval "argv=($(sub "$CCFG" "$C_FWD2"))"
run timeout 20 "${argv[@]}" </dev/null
is_int 1 "$RUN_RC" "the tunnel key listens nowhere else: $C_FWD2 exits 1"
like "(^|$NL)fwdpipe: -R localhost:$RP2:localhost:$CUST: the server refused to listen on localhost:$RP2 " "$RUN_ERR" \
	"... the refusal logged"
show "$C_FWD2" "$(sed "s/\\b$RP2\\b/2023/g" <<<"$RUN_ERR")" tunnel
run timeout 20 ssh -F "$ECFG" -T "$ME@relay.example.com" 'echo shell' </dev/null
is "1:" "$RUN_RC:$RUN_OUT" "no command or shell with the engineer's key (command=\"false\" exits 1)"
run timeout 20 ssh -F "$CCFG" -T "$ME@relay.example.com" 'echo shell' </dev/null
is "1:" "$RUN_RC:$RUN_OUT" "... nor with the tunnel key"

# ---- after the expiry time ---------------------------------------------------------
# Waiting for the clock (not for a server): the keys expire at EXPIRY.
now=$(date +%s)
((now < EXPIRY)) || bail "the checks before the expiry took too long ($((now - EXPIRY)) s past it); raise EXPIRES_IN"
sleep $((EXPIRY - now + 2))
refused0=$(grep -c 'Refused by key options' "$RELAYDIR/sshd.log")
ok "the customer's session that was up at the expiry time is still up (the relay listens on 2022)" \
	test -n "$(ss -Hltn "sport = :$RP")"
eval "argv=($(sub "$ECFG" "$C_SSH"))"
run timeout 30 "${argv[@]}" true </dev/null
show "$C_SSH" "$RUN_ERR"
is_int 255 "$RUN_RC" "after the expiry: $C_SSH is refused"
like "(^|$NL)$ME@127\\.0\\.0\\.1: Permission denied \\(publickey\\)" "$RUN_ERR" "... by the relay (its HostName, here 127.0.0.1)"
tc_is 2 "TUNNEL CRITICAL - $J: authentication failed for $ME [^|]*via jump $J \\| " \
	"after the expiry: $C_CHK is CRITICAL" "$C_CHK"
is_int $((refused0 + 2)) "$(grep -c 'Refused by key options' "$RELAYDIR/sshd.log")" \
	"the relay's sshd logged both refusals: \"Refused by key options\" (LogLevel VERBOSE)"
# The customer's fwdpipe reconnects (SIGHUP: at once): refused too.
n=$(grep -c . "$LOG")
kill -HUP "$FP"
fixture_wait_log "$LOG" ': authentication failed for ' 20
ok "after the expiry: the customer's fwdpipe cannot log in again" test $? -eq 0 || diag "$(<"$LOG")"
show "(fwdpipe's log after SIGHUP)" "$(tail -n +$((n + 1)) "$LOG")" tunnel
for ((i = 0; i < 250; i++)); do
	[[ -z $(ss -Hltn "sport = :$RP") ]] && break
	sleep 0.02
done
is "" "$(ss -Hltn "sport = :$RP")" "... and the relay no longer listens on 2022"
kill -TERM "$FP"
wait "$FP"

done_testing
