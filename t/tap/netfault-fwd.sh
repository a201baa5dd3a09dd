# netfault-fwd.sh: the scene t/netfault-blackhole.t and t/netfault-flap.t
# share, sourced after netns.sh and netns_require.  Namespace "server"
# holds an sshd (ClientAliveInterval 1, ClientAliveCountMax 2) and an echo
# server, "client" another echo server; fwdpipe's forwards are at LP (-L),
# RP (-R) and DP (-D), its status socket at SOCK and its log at LOG.  The
# helpers below watch fwdpipe and try each forward from the right side.
# SPDX-License-Identifier: MIT
# shellcheck shell=bash disable=SC2034 # the variables are the tests'

netns_add client
netns_add server
netns_link client server
netns_sshd server "ClientAliveInterval 1" "ClientAliveCountMax 2" || bail "no sshd"
netns_tcpserv server echo || bail "no echo server in the server namespace"
ECHO_S=$TCPSERV_PORT
netns_tcpserv client echo || bail "no echo server in the client namespace"
ECHO_C=$TCPSERV_PORT
netns_python
LP=7001 RP=7002 DP=7003
SOCK=$T_TMP/fp.sock LOG=$T_TMP/fp.log

# The loss of the session, as fwdpipe logs it ("HOST: timeout, server not
# responding (...); up T s, N connections closed; reconnecting ...").
LOST='169\.254\.7\.2: .*connections? closed; reconnecting'

# status PATH...: fwd_status of fwdpipe's socket (a file: reached from any
# namespace).
status() {
	FWD_PY=$NETNS_PY fwd_status "$SOCK" "$@"
}
# wait_status SECS PATH REGEX: fwd_wait_status on fwdpipe's socket.
wait_status() {
	FWD_PY=$NETNS_PY fwd_wait_status "$1" "$SOCK" "$2" "$3"
}
# since MS: milliseconds from MS until now.
since() {
	echo $(($(tap_now_ms) - $1))
}
# wait_lost SECS N: wait until N loss lines are in the log.
wait_lost() {
	local end=$(($(tap_now_ms) + $1 * 1000))
	until (($(grep -cE -e "$LOST" "$LOG") >= $2)); do
		(($(tap_now_ms) < end)) || return 1
		sleep 0.02
	done
}

# echo_l / echo_r / echo_d: one round trip through -L (from the client
# namespace), through -R (from the server namespace, to sshd's listener),
# and through -D (SOCKS5 from the client namespace to the server's echo).
echo_l() {
	netns_echo client "$LP" 3
}
echo_r() {
	netns_echo server "$RP" 3
}
echo_d() {
	netns_socks_echo client "$DP" 127.0.0.1 "$ECHO_S" 3
}
# wait_echo SECS FN: retry echo function FN until it works or SECS pass.
wait_echo() {
	local end=$(($(tap_now_ms) + $1 * 1000))
	until "$2"; do
		(($(tap_now_ms) < end)) || return 1
		sleep 0.05
	done
}
