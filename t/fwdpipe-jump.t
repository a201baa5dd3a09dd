#!/bin/bash
# fwdpipe-jump.t: fwdpipe reaching its server through a jump host (-J, or
# ProxyJump in ssh_config) and through a ProxyCommand, against two real
# sshds: the forwards work, the logins land where they should, the
# destination's own options (-i, -p, -l) do not leak to the jump host, and
# a jump host that dies is noticed and the chain rebuilt once it is back.
# SPDX-License-Identifier: MIT

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"
. "$top_srcdir/t/tap/fixtures-fwd.sh"

FWDPIPE=$top_builddir/tools/fwdpipe
JUMPCAT=$top_builddir/tools/jumpcat
fixture_require "$FWDPIPE" "$JUMPCAT" timeout sha256sum python3
plan_lazy

fixture_sshd_start -d jump || bail "no jump sshd"
JPORT=$SSHD_PORT JPID=$SSHD_PID JDIR=$SSHD_DIR JLOG=$SSHD_LOG
fixture_sshd_start -d target || bail "no target sshd"
TPORT=$SSHD_PORT TDIR=$SSHD_DIR TLOG=$SSHD_LOG
fixture_tcpserv echo
ECHO=$TCPSERV_PORT

# One client key for both servers; one known_hosts with both host keys.
cat "$JDIR/id_ed25519.pub" >>"$TDIR/authorized_keys"
cat "$JDIR/known_hosts" "$TDIR/known_hosts" >"$T_TMP/known_hosts"
CFG=$T_TMP/ssh_config
cat >"$CFG" <<EOF
Host jump
  HostName 127.0.0.1
  Port $JPORT
Host target
  HostName 127.0.0.1
  Port $TPORT
Host viajump
  HostName 127.0.0.1
  Port $TPORT
  ProxyJump jump
Host viacmd
  HostName 127.0.0.1
  Port $TPORT
  ProxyCommand $JUMPCAT %h %p
Host *
  User $(id -un)
  IdentityFile $JDIR/id_ed25519
  IdentitiesOnly yes
  IdentityAgent none
  UserKnownHostsFile $T_TMP/known_hosts
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  ConnectTimeout 10
EOF

head -c 4M /dev/urandom >"$T_TMP/4m"
SUM=$(sha256sum <"$T_TMP/4m")
FW_PID=

# start NAME ARG...: run fwdpipe ARG... in the background with a -L to the
# echo server (port in LPORT), log in T_TMP/NAME.log; wait for "connected".
start() {
	local name=$1
	shift
	fixture_free_port || bail "no free port"
	LPORT=$FIXTURE_PORT
	LOG=$T_TMP/$name.log
	"$FWDPIPE" -F "$CFG" -L "$LPORT:127.0.0.1:$ECHO" "$@" 2>"$LOG" &
	FW_PID=$!
	fixture_atexit "kill $FW_PID 2>/dev/null"
	fixture_wait_log "$LOG" 'connected to' 20
}

# stop: SIGTERM the running fwdpipe; its exit status in STOP_RC.
stop() {
	kill "$FW_PID" 2>/dev/null
	wait "$FW_PID"
	STOP_RC=$?
}

# echo_sum: the SHA-256 of 4 MiB echoed through the -L port.
echo_sum() {
	timeout 30 "$JUMPCAT" 127.0.0.1 "$LPORT" <"$T_TMP/4m" | sha256sum
}

# logins FILE: how many publickey logins an sshd log holds.
logins() {
	grep -c 'Accepted publickey' "$1"
}

# --- -J on the command line -------------------------------------------------
jl=$(logins "$JLOG") tl=$(logins "$TLOG")
start dashj -J jump target
ok "-J jump target: connected" test $? -eq 0 || diag "$(cat "$LOG")"
is "$SUM" "$(echo_sum)" "-L through -J: 4 MiB echo intact"
is_int $((jl + 1)) "$(logins "$JLOG")" "one login on the jump host"
is_int $((tl + 1)) "$(logins "$TLOG")" "one login on the target"
like "direct-tcpip|Connection from 127\\.0\\.0\\.1" "$(cat "$TLOG")" "the target saw the session"
stop
is_int 0 "$STOP_RC" "SIGTERM: exit 0"

# -p and -l are the destination's: with a wrong -p the jump host would be
# the one refusing.  The jump host keeps its own port from ssh_config.
start dashp -J jump -p "$TPORT" -l "$(id -un)" 127.0.0.1
ok "-J jump -p PORT -l USER 127.0.0.1: connected" test $? -eq 0 || diag "$(cat "$LOG")"
is "$SUM" "$(echo_sum)" "... and forwards"
stop

# -J with an IPv4 literal: ssh -G writes it back bracketed
# ("proxyjump user@[127.0.0.1]:PORT"), which must parse.
start dashjip -J "$(id -un)@127.0.0.1:$JPORT" -p "$TPORT" 127.0.0.1
ok "-J user@127.0.0.1:PORT (bracketed by ssh -G): connected" test $? -eq 0 ||
	diag "$(cat "$LOG")"
is "$SUM" "$(echo_sum)" "... and forwards"
stop

# --- ProxyJump from ssh_config ------------------------------------------------
jl=$(logins "$JLOG")
start pj viajump
ok "ProxyJump in ssh_config: connected" test $? -eq 0 || diag "$(cat "$LOG")"
is "$SUM" "$(echo_sum)" "... and forwards"
is_int $((jl + 1)) "$(logins "$JLOG")" "... through the jump host"

# The jump host dies (its listener and its sessions): the loss is
# noticed, and once it is back the whole chain is rebuilt and the forward
# works again.
SSHD_PID=$JPID SSHD_DIR=$JDIR SSHD_PORT=$JPORT SSHD_LOG=$JLOG
fwd_sshd_down || bail "cannot kill the jump sshd"
fixture_wait_log "$LOG" 'lost|closed|timeout' 30
ok "the jump host's death is noticed" test $? -eq 0 || diag "$(cat "$LOG")"
fwd_sshd_up || bail "jump sshd did not restart"
fixture_wait_log "$LOG" 'reconnected' 20
ok "reconnected through the restarted jump host" test $? -eq 0 || diag "$(cat "$LOG")"
is "$SUM" "$(echo_sum)" "... and forwards again"
stop
is_int 0 "$STOP_RC" "SIGTERM after a reconnect: exit 0"

# --- ProxyCommand -------------------------------------------------------------
start pc viacmd
ok "ProxyCommand in ssh_config: connected" test $? -eq 0 || diag "$(cat "$LOG")"
is "$SUM" "$(echo_sum)" "... and forwards"
child=$(pgrep -P "$FW_PID" | head -n 1)
ok "the ProxyCommand runs as fwdpipe's child" test -n "$child"
stop
is_int 0 "$STOP_RC" "SIGTERM with a ProxyCommand: exit 0"
ok "... and the ProxyCommand is gone" test -z "$child" -o ! -e "/proc/$child"

done_testing
