#!/bin/bash
# safe-hostkeys.t: safe default 6 of issue 7, in one place: the host-key
# policy is the same for jumpcat, fwdpipe and tunnelcheck, side by side,
# against two real sshds (a jump host and a target).  For each way a tool
# checks a host key -- jumpcat -J (the jump host), fwdpipe (the server),
# fwdpipe -J (the jump host), tunnelcheck --login (the server) and
# tunnelcheck -J --ssh (the jump host) -- and each StrictHostKeyChecking:
#   unknown key: refused with yes, with no setting (ssh's default, ask)
#     and with ask (nobody can answer), accepted and recorded by
#     accept-new;
#   changed key: refused by every setting, accept-new and no included;
#   known key: accepted.
# Refused means: jumpcat and fwdpipe exit 5, tunnelcheck is CRITICAL, the
# message names the case ("is not known" with the fingerprint, or "REMOTE
# HOST IDENTIFICATION HAS CHANGED" with both), nothing got through, and
# the known_hosts file is left as it was.  Accepted means data got
# through (an echo through jumpcat -J and fwdpipe -L, tunnelcheck OK).
# tunnelcheck --hostkey pins the key instead of known_hosts: another key
# is CRITICAL, with both fingerprints.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2317 # the try_ functions are called as "try_$tool"

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"
. "$top_srcdir/t/tap/fixtures-fwd.sh"
. "$top_srcdir/t/tap/fixtures-safe.sh"

JUMPCAT=$top_builddir/tools/jumpcat
FWDPIPE=$top_builddir/tools/fwdpipe
TC=$top_builddir/tools/tunnelcheck
fixture_require "$JUMPCAT" "$FWDPIPE" "$TC" ssh-keygen timeout cmp
fixture_sshd_start -d jump || bail "no jump sshd"
JPORT=$SSHD_PORT JDIR=$SSHD_DIR
fixture_sshd_start || bail "no target sshd"
TPORT=$SSHD_PORT TDIR=$SSHD_DIR
# One client key for both: the target's, authorized on the jump host too.
cat "$TDIR/id_ed25519.pub" >>"$JDIR/authorized_keys"
fixture_tcpserv echo
ECHO=$TCPSERV_PORT
fixture_free_port
LP=$FIXTURE_PORT
plan_lazy

# The lines known_hosts holds for each host: its real key, or another.
ssh-keygen -q -t ed25519 -N '' -f "$T_TMP/other_host_key" || bail "ssh-keygen"
OTHER=$(cut -d' ' -f1-2 "$T_TMP/other_host_key.pub")
JKEY=$(cut -d' ' -f1-2 "$JDIR/ssh_host_ed25519_key.pub")
TKEY=$(cut -d' ' -f1-2 "$TDIR/ssh_host_ed25519_key.pub")
JFP=$(ssh-keygen -lf "$JDIR/ssh_host_ed25519_key.pub" | cut -d' ' -f2)
TFP=$(ssh-keygen -lf "$TDIR/ssh_host_ed25519_key.pub" | cut -d' ' -f2)
OFP=$(ssh-keygen -lf "$T_TMP/other_host_key.pub" | cut -d' ' -f2)
BASE=$T_TMP/base_config
grep -v -e StrictHostKeyChecking -e UserKnownHostsFile "$SSH_CONFIG" >"$BASE"
echo "through" >"$T_TMP/in"

# req STRING: STRING quoted for a bash regex (fingerprints hold '+', '/').
req() {
	sed 's/[][\.*^$+?(){}|/]/\\&/g' <<<"$1"
}

# setup SUBJECT STATE POLICY: write $KH (known_hosts) and $CONF
# (ssh_config) for a case.  SUBJECT (jump or target) is the host whose key
# is checked, in STATE: unknown (no line), changed (another key's line) or
# known; the other host's real key is always there.  POLICY is a
# StrictHostKeyChecking value, or "default" for no setting.
setup() {
	local subject=$1 state=$2 policy=$3 sport skey okey oport
	if [[ $subject == jump ]]; then
		sport=$JPORT skey=$JKEY oport=$TPORT okey=$TKEY
	else
		sport=$TPORT skey=$TKEY oport=$JPORT okey=$JKEY
	fi
	FIXTURE__SEQ=$((FIXTURE__SEQ + 1))
	KH=$T_TMP/kh.$FIXTURE__SEQ CONF=$T_TMP/conf.$FIXTURE__SEQ SPORT=$sport
	{
		echo "[127.0.0.1]:$oport $okey"
		case $state in
		changed) echo "[127.0.0.1]:$sport $OTHER" ;;
		known) echo "[127.0.0.1]:$sport $skey" ;;
		esac
	} >"$KH"
	cp "$KH" "$KH.orig"
	{
		echo "Host *"
		echo "  UserKnownHostsFile $KH"
		[[ $policy == default ]] || echo "  StrictHostKeyChecking $policy"
		cat "$BASE"
	} >"$CONF"
}

# Each tool's way to check a key: run it on $CONF, set SEEN to
# "accepted", "refused: unknown", "refused: changed" (with the exit status
# the tool documents and the message naming the case), or what happened.
classify() {
	local rc=$1 text=$2 refused_rc=$3 fp
	fp=$(req "$([[ $SUBJECT == jump ]] && echo "$JFP" || echo "$TFP")")
	if ((rc == refused_rc)) && [[ $text =~ host\ key\ for\ .*is\ not\ known\ \(ssh-ed25519\ $fp\) ]]; then
		SEEN="refused: unknown"
	elif ((rc == refused_rc)) && [[ $text =~ REMOTE\ HOST\ IDENTIFICATION\ HAS\ CHANGED:.*$fp.*$(req "$OFP") ]]; then
		SEEN="refused: changed"
	else
		SEEN="other: exit $rc: ${text:0:300}"
	fi
}
try_jumpcat_J() {
	run timeout 60 "$JUMPCAT" -F "$CONF" -J "127.0.0.1:$JPORT" 127.0.0.1 "$ECHO" <"$T_TMP/in"
	if [[ $RUN_RC == 0 && $RUN_OUT == through ]]; then SEEN=accepted; else classify "$RUN_RC" "$RUN_ERR" 5; fi
}
# fwdpipe -f: back in the foreground with 0 once the forward is up (then
# the forward is tried and the background fwdpipe stopped), or with 5.
fwdpipe_f() {
	local sock=$T_TMP/fp.$FIXTURE__SEQ.sock pid i
	run timeout 60 "$FWDPIPE" -f -F "$CONF" "$@" -p "$TPORT" -L "$LP:127.0.0.1:$ECHO" \
		--status-socket "$sock" 127.0.0.1
	if [[ $RUN_RC == 0 ]]; then
		pid=$(fwd_status "$sock" pid)
		if fwd_echo "$LP"; then SEEN=accepted; else SEEN="up, but the forward failed"; fi
		if [[ $pid =~ ^[0-9]+$ ]] && kill -TERM "$pid"; then
			for ((i = 0; i < 500; i++)); do
				kill -0 "$pid" 2>/dev/null || break
				sleep 0.02
			done
		fi
	else
		classify "$RUN_RC" "$RUN_ERR" 5
	fi
}
try_fwdpipe() {
	fwdpipe_f
}
try_fwdpipe_J() {
	fwdpipe_f -J "127.0.0.1:$JPORT"
}
tunnelcheck_() {
	run timeout 60 "$TC" -F "$CONF" -H 127.0.0.1 -p "$TPORT" "$@" </dev/null
	if [[ $RUN_RC == 0 && $RUN_OUT == "TUNNEL OK"* && -z $RUN_ERR ]]; then
		SEEN=accepted
	elif [[ -z $RUN_ERR ]]; then
		classify "$RUN_RC" "${RUN_OUT%%$'\n'*}" 2
	else
		SEEN="other: stderr: $RUN_ERR"
	fi
}
try_tunnelcheck_login() {
	tunnelcheck_ --login
}
try_tunnelcheck_J_ssh() {
	tunnelcheck_ -J "127.0.0.1:$JPORT" --ssh
}

# label TOOL: how the tool and its options are written.
label() {
	case $1 in
	jumpcat_J) echo "jumpcat -J" ;;
	fwdpipe) echo "fwdpipe" ;;
	fwdpipe_J) echo "fwdpipe -J" ;;
	tunnelcheck_login) echo "tunnelcheck --login" ;;
	tunnelcheck_J_ssh) echo "tunnelcheck -J --ssh" ;;
	esac
}

# check TOOL SUBJECT STATE POLICY WANT: one case, two tests: the outcome,
# and what became of known_hosts (left alone when refused; the key
# recorded when accept-new accepted an unknown one).
check() {
	local tool=$1 state=$3 policy=$4 want=$5 rec
	SUBJECT=$2
	setup "$SUBJECT" "$state" "$policy"
	"try_$tool"
	is "$want" "$SEEN" "$(label "$tool"): $SUBJECT's key $state, StrictHostKeyChecking $policy: $want"
	if [[ $want == refused* || $state == known ]]; then
		ok "... known_hosts left as it was" cmp -s "$KH" "$KH.orig"
	else
		rec=$(ssh-keygen -F "[127.0.0.1]:$SPORT" -f "$KH" | grep -v '^#' | cut -d' ' -f2-3)
		is "$([[ $SUBJECT == jump ]] && echo "$JKEY" || echo "$TKEY")" "$rec" \
			"... the key was recorded in known_hosts"
	fi
}

for c in "jumpcat_J jump" "fwdpipe target" "fwdpipe_J jump" "tunnelcheck_login target" \
	"tunnelcheck_J_ssh jump"; do
	read -r tool subject <<<"$c"
	for policy in yes default ask; do
		check "$tool" "$subject" unknown "$policy" "refused: unknown"
	done
	check "$tool" "$subject" unknown accept-new accepted
	for policy in yes default ask accept-new no; do
		check "$tool" "$subject" changed "$policy" "refused: changed"
	done
	check "$tool" "$subject" known default accepted
done

# --- tunnelcheck --hostkey: the pin is the whole check --------------------------
run timeout 60 "$TC" -H 127.0.0.1 -p "$TPORT" --hostkey "$TFP" </dev/null
like "^TUNNEL OK" "$RUN_OUT" "tunnelcheck --hostkey with the server's fingerprint: OK"
run timeout 60 "$TC" -H 127.0.0.1 -p "$TPORT" --ssh --hostkey "$OFP" </dev/null
like "^TUNNEL CRITICAL - 127\\.0\\.0\\.1: host key ssh-ed25519 $(req "$TFP") does not match the pinned $(req "$OFP") " \
	"$RUN_OUT" "tunnelcheck --ssh --hostkey with another fingerprint: CRITICAL, both named"
is_int 2 "$RUN_RC" "... exit 2"

done_testing
