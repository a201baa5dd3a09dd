#!/bin/bash
# safe-listen.t: safe default 1 of issue 7, in one place: listeners are
# private unless asked.  fwdpipe's -L and -D listeners with no bind address
# are on the loopback addresses only, 127.0.0.1 and ::1, as `ss -ltnp`
# shows them for the fwdpipe process, for both families and for each kind;
# they are wider only when asked: -g, -o GatewayPorts=yes, or an explicit
# bind address ("*", "0.0.0.0", or one address, which is then the only
# one).  The status socket is mode 0600 whatever the umask (000 here), and
# another user (nobody) cannot connect to it even where the directory lets
# them in.  (jumpcat and tunnelcheck open no listeners: jumpcat --fdpass
# passes a connected socket, it never listens.)
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2317 # wild is called through ok

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"
. "$top_srcdir/t/tap/fixtures-fwd.sh"
. "$top_srcdir/t/tap/fixtures-safe.sh"

FWDPIPE=$top_builddir/tools/fwdpipe
fixture_require "$FWDPIPE" python3 /usr/bin/python3 ss stat setpriv
fixture_sshd_start -6 || bail "no sshd"
fixture_tcpserv echo
ECHO=$TCPSERV_PORT
plan_lazy

# fp NAME ARG...: fwdpipe ARG... against the fixture sshd (at $DEST,
# 127.0.0.1 unless set), in the background, with a status socket; waits
# until every forward is up.  Sets FP (pid), SOCK, LOG.
fp() {
	local name=$1
	shift
	LOG=$T_TMP/$name.log SOCK=$T_TMP/$name.sock
	"$FWDPIPE" -F "$SSH_CONFIG" -p "$SSHD_PORT" --status-socket "$SOCK" "$@" "${DEST:-127.0.0.1}" 2>"$LOG" &
	FP=$!
	fixture_atexit "kill $FP 2>/dev/null"
	safe_wait_up 30 "$SOCK" || diag "fwdpipe $name did not come up: $(<"$LOG")"
}

# fp_stop: SIGTERM fwdpipe $FP and reap it.
fp_stop() {
	kill -TERM "$FP" 2>/dev/null
	wait "$FP" 2>/dev/null
}

# addrs PORT: fwdpipe $FP's listening addresses on PORT, on one line.
addrs() {
	safe_listen_addrs "$FP" | grep -E ":$1\$" | tr '\n' ' ' | sed 's/ $//'
}

# two free ports, different
fixture_free_port
PL=$FIXTURE_PORT
fixture_free_port
PD=$FIXTURE_PORT
[[ $PL != "$PD" ]] || { fixture_free_port; PD=$FIXTURE_PORT; }

# --- the default: loopback only -------------------------------------------
fp default -L "$PL:127.0.0.1:$ECHO" -D "$PD"
is "127.0.0.1:$PL [::1]:$PL" "$(addrs "$PL")" \
	"-L with no bind address: listening on 127.0.0.1 and ::1 only"
is "127.0.0.1:$PD [::1]:$PD" "$(addrs "$PD")" \
	"-D with no bind address: listening on 127.0.0.1 and ::1 only"
all=$(safe_listen_addrs "$FP" | tr '\n' ' ')
unlike "(^| )(0\\.0\\.0\\.0|\\[::\\]|\\*):" "$all" \
	"no wildcard listener of fwdpipe at all (ss -ltnp: $all)"
ok "the -L listener forwards (from loopback)" fwd_echo "$PL"
fp_stop

fp v4 -4 -L "$PL:127.0.0.1:$ECHO" -D "$PD"
is "127.0.0.1:$PL 127.0.0.1:$PD" "$(addrs "$PL") $(addrs "$PD")" \
	"-4: -L and -D on 127.0.0.1 only"
fp_stop
DEST=::1 fp v6 -6 -L "$PL:127.0.0.1:$ECHO" -D "$PD"
is "[::1]:$PL [::1]:$PD" "$(addrs "$PL") $(addrs "$PD")" \
	"-6: -L and -D on ::1 only"
fp_stop

fp localhost -L "localhost:$PL:127.0.0.1:$ECHO" -D "localhost:$PD"
is "127.0.0.1:$PL [::1]:$PL 127.0.0.1:$PD [::1]:$PD" "$(addrs "$PL") $(addrs "$PD")" \
	"bind address \"localhost\": loopback only"
fp_stop

# --- wider only when asked ---------------------------------------------------
# wild PORT: the listeners on PORT are wildcards (0.0.0.0, [::] or *).
wild() {
	local a
	a=$(addrs "$1")
	[[ -n $a ]] || return 1
	! grep -vqE '^(0\.0\.0\.0|\[::\]|\*):[0-9]+$' <<<"${a// /$'\n'}"
}

fp g -g -L "$PL:127.0.0.1:$ECHO" -D "$PD"
ok "-g: -L listens on every interface ($(addrs "$PL"))" wild "$PL"
ok "-g: -D listens on every interface ($(addrs "$PD"))" wild "$PD"
fp_stop

fp gp -o GatewayPorts=yes -L "$PL:127.0.0.1:$ECHO" -D "$PD"
ok "GatewayPorts=yes: -L on every interface ($(addrs "$PL"))" wild "$PL"
ok "GatewayPorts=yes: -D on every interface ($(addrs "$PD"))" wild "$PD"
fp_stop

fp star -L "*:$PL:127.0.0.1:$ECHO" -D "0.0.0.0:$PD"
ok "bind address \"*\": -L on every interface ($(addrs "$PL"))" wild "$PL"
is "0.0.0.0:$PD" "$(addrs "$PD")" "bind address 0.0.0.0: -D on every IPv4 interface"
fp_stop

fp one -L "127.0.0.1:$PL:127.0.0.1:$ECHO" -D "[::1]:$PD"
is "127.0.0.1:$PL" "$(addrs "$PL")" "bind address 127.0.0.1: only there"
is "[::1]:$PD" "$(addrs "$PD")" "bind address [::1]: only there"
fp_stop

# --- the status socket -------------------------------------------------------
# In a directory anyone may enter (T_TMP is not), with umask 000: only the
# socket's own mode protects it.
PUB=$(mktemp -d "${TMPDIR:-/tmp}/hopkit-safe-pub.XXXXXX") || bail "mktemp"
fixture_atexit "rm -rf '$PUB'"
chmod 0755 "$PUB"
(
	umask 000
	exec "$FWDPIPE" -F "$SSH_CONFIG" -p "$SSHD_PORT" --status-socket "$PUB/s.sock" \
		-L "$PL:127.0.0.1:$ECHO" 127.0.0.1 2>"$T_TMP/st.log"
) &
FP=$!
fixture_atexit "kill $FP 2>/dev/null"
fwd_wait_status 20 "$PUB/s.sock" state '^up$' || diag "$(<"$T_TMP/st.log")"
is "socket 600 $(id -u)" "$(stat -c '%F %a %u' "$PUB/s.sock")" \
	"status socket made under umask 000: a socket of mode 0600, owned by its user"
PY_CONNECT='
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect(sys.argv[1])
    print("connected", s.recv(100))
except OSError as e:
    print("refused", e.errno)
'
if [[ $(id -u) == 0 ]]; then
	run setpriv --reuid=nobody --regid=nogroup --clear-groups /usr/bin/python3 -c "$PY_CONNECT" \
		"$PUB/s.sock"
	is "refused 13" "$RUN_OUT" "another user (nobody) cannot connect to it: EACCES" ||
		diag "$RUN_ERR"
else
	skip "not root: cannot connect as another user"
fi
is "up" "$(fwd_status "$PUB/s.sock" state)" "its owner can"
fp_stop

done_testing
