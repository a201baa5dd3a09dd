#!/bin/bash
# jumpcat-ssh.t: jumpcat as OpenSSH's ProxyCommand.  The real ssh client logs
# into a throwaway sshd (fixtures.sh) through jumpcat, plain and with
# ProxyUseFdpass, over IPv4 and IPv6; a connect failure shows jumpcat's one
# line error through ssh.
# SPDX-License-Identifier: MIT

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"

JUMPCAT=$top_builddir/tools/jumpcat
fixture_require "$JUMPCAT" timeout sha256sum pgrep
fixture_sshd_start -6
fixture_free_port
PFREE=$FIXTURE_PORT
marker="hopkit-marker-$$-$RANDOM"
plan_lazy

# ssh_via DESC HOST PORT PROXY-OPTION...: run `echo MARKER` on HOST through
# jumpcat; sets RUN_* (see libtap.sh).
ssh_via() {
	local host=$1 port=$2
	shift 2
	run timeout 60 ssh -F "$SSH_CONFIG" -p "$port" "$@" "$host" echo "$marker" </dev/null
}

# logs_in DESC HOST PROXY-OPTION...: ssh through jumpcat prints the marker.
logs_in() {
	local desc=$1 host=$2
	shift 2
	ssh_via "$host" "$SSHD_PORT" "$@"
	is "0:$marker" "$RUN_RC:$RUN_OUT" "$desc: logged in, ran echo" ||
		diag "ssh stderr: $RUN_ERR" "sshd log: $(tail -n 5 "$SSHD_LOG")"
}

plain=(-o "ProxyCommand=$JUMPCAT %h %p")
fdpass=(-o ProxyUseFdpass=yes -o "ProxyCommand=$JUMPCAT --fdpass %h %p")

logs_in "ProxyCommand, 127.0.0.1" 127.0.0.1 "${plain[@]}"
logs_in "ProxyCommand, localhost" localhost "${plain[@]}"
logs_in "ProxyCommand, ::1" ::1 "${plain[@]}"
logs_in "ProxyUseFdpass, 127.0.0.1" 127.0.0.1 "${fdpass[@]}"
logs_in "ProxyUseFdpass, ::1" ::1 "${fdpass[@]}"

# 8 MiB up through ssh and jumpcat; the remote side hashes it.
head -c 8M /dev/urandom >"$T_TMP/8m"
got=$(timeout 60 ssh -F "$SSH_CONFIG" -p "$SSHD_PORT" "${plain[@]}" 127.0.0.1 sha256sum <"$T_TMP/8m")
is "$(sha256sum <"$T_TMP/8m")" "$got" "ProxyCommand: 8 MiB stdin reach the remote command unchanged"

# No jumpcat left behind once ssh is done (bounded poll: ssh may reap late).
for ((i = 0; i < 100; i++)); do
	left=$(pgrep -f -- "^$JUMPCAT .* $SSHD_PORT\$")
	[[ -z $left ]] && break
	sleep 0.05
done
is "" "$left" "no jumpcat process left running after ssh exits"

ssh_via 127.0.0.1 "$PFREE" "${plain[@]}"
is_int 255 "$RUN_RC" "refused: ssh fails"
like "(^|"$'\n'")jumpcat: connect to 127\.0\.0\.1 port $PFREE: Connection refused("$'\n'"|\$)" \
	"$RUN_ERR" "refused: ssh's stderr has jumpcat's one-line error"
ssh_via 127.0.0.1 "$PFREE" "${fdpass[@]}"
is_int 255 "$RUN_RC" "refused with --fdpass: ssh fails"
like "(^|"$'\n'")jumpcat: connect to 127\.0\.0\.1 port $PFREE: Connection refused("$'\n'"|\$)" \
	"$RUN_ERR" "refused with --fdpass: ssh's stderr has jumpcat's one-line error"

done_testing
