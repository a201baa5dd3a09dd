# netns.sh: test hosts in network namespaces, joined by a veth link that a
# test can make lossy, black, slow or dead; for t/netfault-*.t.
# SPDX-License-Identifier: MIT
#
# Source it after libtap.sh and fixtures.sh.  Namespaces are named
# "hk<pid>-<T_TMP suffix>-NAME", so that tests running in parallel never
# share one; the test refers to them by NAME only.  Everything made here
# (namespaces, with their links, addresses, nft tables and qdiscs, and
# every process left inside them) is removed at exit through
# fixture_atexit.  Traffic stays in the namespaces: the veth link joins
# them to each other only, they have no route elsewhere, and each has its
# own loopback.  Ports inside them are free for the test to pick: nothing
# else lives there.
#
#   netns_require             ip, nft, tc, and the right to make namespaces
#                             (root, or CAP_NET_ADMIN and CAP_SYS_ADMIN),
#                             tried for real; without that right the test
#                             FAILS with the reason, in and out of CI (call
#                             it after plan_lazy); only HOPKIT_SKIP_NETNS=1
#                             outside CI turns that into a skip
#   netns_add NAME            a namespace with its loopback up
#   netns_link A B [NET]      a veth pair joining namespaces A and B, up,
#                             with link-local addresses 169.254.NET.1/24
#                             (A) and 169.254.NET.2/24 (B), NET default 7;
#                             sets NETNS_ADDR[A], NETNS_ADDR[B] and
#                             NETNS_IF[A], NETNS_IF[B] (the veth ends);
#                             no segmentation offload (gso_max_segs 1), so
#                             that nft sees, and drops, each packet on its
#                             own rather than 64 KiB bundles of them
#   netns_exec NAME CMD...    run CMD in namespace NAME
#   netns_spawn NAME LOG CMD...
#                             fixture__spawn (own process group, killed at
#                             exit, output to LOG) of CMD in namespace
#                             NAME; sets FIXTURE_PID (CMD's pid: `ip netns
#                             exec` execs it)
#   netns_loss NAME PCT       nft in NAME: drop PCT % of the packets in and
#                             of the packets out on NAME's veth end, at
#                             random (numgen random mod 100 lt PCT)
#   netns_blackhole NAME      nft in NAME: drop every packet in and out on
#                             NAME's veth end
#   netns_clear NAME          remove NAME's drop rules
#   netns_counters NAME       print "SEEN DROPPED SYN": the packets that
#                             went in or out on NAME's veth end since its
#                             last netns_loss or netns_blackhole, how many
#                             of them were dropped, and how many were TCP
#                             SYNs (connection attempts; retransmissions
#                             count again), dropped or not
#   netns_rate NAME RATE      tc tbf on NAME's veth end (what NAME sends),
#                             RATE as tc writes it ("20mbit"); RATE "" or
#                             "off" removes it
#   netns_linkset NAME up|down
#                             set NAME's veth end up or down (the peer
#                             loses its carrier); addresses are kept
#   netns_sshd NAME [LINE...] OpenSSH sshd in namespace NAME on port 22 of
#                             its veth address, with the config, keys and
#                             ssh_config of fixtures.sh (fixture__sshd_config)
#                             in T_TMP/sshd-NAME, plus each LINE added to
#                             its sshd_config ("ClientAliveInterval 1");
#                             known_hosts names it as NETNS_ADDR[NAME]; sets
#                             SSHD_ADDR, SSHD_PORT, SSHD_PID, SSHD_LOG,
#                             SSHD_DIR, SSH_CONFIG
#   netns_known_host HOSTPORT add HOSTPORT ("[127.0.0.1]:4022", or an
#                             address alone for port 22) to the known_hosts
#                             of the last netns_sshd, with its host key
#   netns_delayrelay NAME MS TARGET
#                             t/helper/delayrelay in NAME on its 127.0.0.1,
#                             delaying each byte by MS ms each way on its
#                             way to and from TARGET ("169.254.7.2:22");
#                             sets DELAYRELAY_PORT, DELAYRELAY_PID,
#                             DELAYRELAY_LOG
#   netns_tcpserv NAME MODE [ARG...]
#                             fixture_tcpserv's server in NAME on its
#                             127.0.0.1; sets TCPSERV_PORT, TCPSERV_PID
#   netns_pycmd NAME          a python3 command (a file) that runs in NAME:
#                             FWD_PY=$(netns_pycmd client) makes the
#                             fixtures-fwd.sh clients connect from there
#   netns_python              sets NETNS_PY: python3's own executable, for
#                             what runs often and anywhere (the status
#                             socket is a file: any namespace reaches it)
#   netns_echo NAME PORT [SECS]
#                             one round trip from namespace NAME through
#                             its 127.0.0.1:PORT to an echo server: true if
#                             a fresh token came back within SECS (5)
#   netns_socks_echo NAME PORT HOST DPORT [SECS]
#                             the same through the SOCKS5 server at
#                             127.0.0.1:PORT, asking for HOST:DPORT (an
#                             IPv4 address)
#   netns_stop_clean PID LOG  SIGTERM PID (a child of this shell, such as
#                             netns_spawn's), wait for it (10 s at most);
#                             sets STOP_RC (exit status, or "running"),
#                             STOP_MS, STOP_SAN (sanitizer report lines in
#                             LOG: LeakSanitizer reports at exit)
#   netns_cleanup             kill what runs in the namespaces, remove them
#                             (installed by netns_add)
# shellcheck disable=SC2034,SC2153,SC2154 # variables for the caller; top_builddir, TCPSERV_BIN from fixtures.sh

declare -A NETNS=() NETNS_ADDR=() NETNS_IF=()
NETNS__PREFIX=
NETNS__CLEANUP=

# netns__fail REASON: the test fails with REASON (not a skip), unless
# HOPKIT_SKIP_NETNS=1 outside CI asks to skip it.
netns__fail() {
	case ${CI-} in
	true | 1 | yes) ;;
	*) [[ ${HOPKIT_SKIP_NETNS-} == 1 ]] && skip_all "HOPKIT_SKIP_NETNS=1: $1" ;;
	esac
	tap__result 1 "network namespaces can be made here"
	diag "  $1"
	diag "  (the network fault tests need root, or CAP_NET_ADMIN and CAP_SYS_ADMIN, with iproute2, nftables and tc)"
	done_testing
}

# netns__prefix: set NETNS__PREFIX, unique to this test run.
netns__prefix() {
	[[ -n $NETNS__PREFIX ]] && return 0
	fixture_tmpdir || return 1
	NETNS__PREFIX=hk$$-${T_TMP##*.}
}

# netns_require: see the top of this file.
netns_require() {
	local probe out
	fixture_require ip nft tc setsid || return 1
	netns__prefix || return 1
	probe=$NETNS__PREFIX-probe
	if ! out=$(ip netns add "$probe" 2>&1); then
		netns__fail "ip netns add failed (uid $(id -u), CapEff $(awk '$1 == "CapEff:" { print $2 }' /proc/self/status)): $out"
		return 1
	fi
	if ! out=$(ip netns exec "$probe" nft add table inet hopkit_probe 2>&1); then
		ip netns del "$probe" 2>/dev/null
		netns__fail "nft in a new namespace failed: $out"
		return 1
	fi
	if ! out=$(ip -n "$probe" link add name pa type veth peer name pb 2>&1); then
		ip netns del "$probe" 2>/dev/null
		netns__fail "ip link add type veth failed: $out"
		return 1
	fi
	ip netns del "$probe"
}

# netns_add NAME: see the top of this file.
netns_add() {
	local name=$1 ns out
	netns__prefix || return 1
	ns=$NETNS__PREFIX-$name
	if [[ -z $NETNS__CLEANUP ]]; then
		fixture_atexit netns_cleanup
		NETNS__CLEANUP=1
	fi
	if ! out=$(ip netns add "$ns" 2>&1); then
		netns__fail "ip netns add $ns: $out"
		return 1
	fi
	NETNS[$name]=$ns
	ip -n "$ns" link set lo up || { netns__fail "$ns: lo will not come up"; return 1; }
}

# netns_link A B [NET]: see the top of this file.
netns_link() {
	local a=$1 b=$2 net=${3:-7} out
	# The names live in the namespaces only, so they may be short and
	# the same in every test run.
	if ! out=$(ip -n "${NETNS[$a]}" link add name "veth-$b" type veth \
		peer name "veth-$a" netns "${NETNS[$b]}" 2>&1); then
		netns__fail "veth between $a and $b: $out"
		return 1
	fi
	NETNS_IF[$a]=veth-$b NETNS_IF[$b]=veth-$a
	NETNS_ADDR[$a]=169.254.$net.1 NETNS_ADDR[$b]=169.254.$net.2
	if ! { ip -n "${NETNS[$a]}" addr add "${NETNS_ADDR[$a]}/24" dev "${NETNS_IF[$a]}" &&
		ip -n "${NETNS[$b]}" addr add "${NETNS_ADDR[$b]}/24" dev "${NETNS_IF[$b]}" &&
		ip -n "${NETNS[$a]}" link set "${NETNS_IF[$a]}" gso_max_segs 1 up &&
		ip -n "${NETNS[$b]}" link set "${NETNS_IF[$b]}" gso_max_segs 1 up; }; then
		netns__fail "cannot set up the veth between $a and $b"
		return 1
	fi
}

# netns_exec NAME CMD...: see the top of this file.
netns_exec() {
	local ns=${NETNS[$1]}
	shift
	ip netns exec "$ns" "$@"
}

# netns_spawn NAME LOG CMD...: see the top of this file.
netns_spawn() {
	local ns=${NETNS[$1]} log=$2
	shift 2
	fixture__spawn "$log" ip netns exec "$ns" "$@"
}

# netns__nft NAME [MATCH]: replace NAME's table of drop rules by one whose
# input and output chains count the packets on NAME's veth end, and drop
# those that MATCH (every one with MATCH "", none without MATCH), counted.
netns__nft() {
	local name=$1 ifn=${NETNS_IF[$1]} chain hook dir
	{
		echo "table inet hopkit_fault"
		echo "delete table inet hopkit_fault"
		(($# > 1)) || exit 0
		echo "table inet hopkit_fault {"
		for chain in in out; do
			[[ $chain == in ]] && hook=input dir=iifname || hook=output dir=oifname
			echo "  chain $chain {"
			echo "    type filter hook $hook priority -300;"
			echo "    $dir \"$ifn\" counter"
			echo "    $dir \"$ifn\" tcp flags & (syn | ack) == syn counter"
			echo "    $dir \"$ifn\" $2 counter drop"
			echo "  }"
		done
		echo "}"
	} | ip netns exec "${NETNS[$name]}" nft -f - || {
		diag "nft in $name failed (match: ${2-none})"
		return 1
	}
}

# netns_loss NAME PCT / netns_blackhole NAME / netns_clear NAME: see the top.
netns_loss() {
	netns__nft "$1" "numgen random mod 100 lt $2"
}
netns_blackhole() {
	netns__nft "$1" ""
}
netns_clear() {
	netns__nft "$1"
}

# netns_counters NAME: see the top of this file.
netns_counters() {
	local c
	read -r -a c <<<"$(ip netns exec "${NETNS[$1]}" nft list table inet hopkit_fault 2>/dev/null |
		grep -o "packets [0-9]*" | cut -d" " -f2 | tr "\n" " ")"
	((${#c[@]} == 6)) || { echo "0 0 0"; return 0; }
	echo "$((c[0] + c[3])) $((c[2] + c[5])) $((c[1] + c[4]))"
}

# netns_rate NAME RATE: see the top of this file.
netns_rate() {
	local ns=${NETNS[$1]} ifn=${NETNS_IF[$1]}
	if [[ -z $2 || $2 == off ]]; then
		tc -n "$ns" qdisc del dev "$ifn" root 2>/dev/null
		return 0
	fi
	tc -n "$ns" qdisc replace dev "$ifn" root tbf rate "$2" burst 32kbit latency 400ms || {
		diag "tc tbf $2 on $1 failed"
		return 1
	}
}

# netns_linkset NAME up|down: see the top of this file.
netns_linkset() {
	ip -n "${NETNS[$1]}" link set "${NETNS_IF[$1]}" "$2" || {
		diag "ip link set ${NETNS_IF[$1]} $2 in $1 failed"
		return 1
	}
}

# netns_sshd NAME [LINE...]: see the top of this file.
netns_sshd() {
	local name=$1 d=$T_TMP/sshd-$1 sshd=/usr/sbin/sshd addr rc=0 key
	shift
	addr=${NETNS_ADDR[$name]}
	fixture_require "$sshd" ssh ssh-keygen || return 1
	mkdir -p -- "$d" || return 1
	if [[ $(id -u) == 0 && ! -d /run/sshd ]]; then
		mkdir -m 0755 /run/sshd || { fixture_fail "cannot create /run/sshd"; return 1; }
	fi
	if ! ssh-keygen -q -t ed25519 -N '' -C hopkit-test-host -f "$d/ssh_host_ed25519_key" ||
		! ssh-keygen -q -t ed25519 -N '' -C hopkit-test-client -f "$d/id_ed25519"; then
		fixture_fail "ssh-keygen failed"
		return 1
	fi
	cp -- "$d/id_ed25519.pub" "$d/authorized_keys"
	fixture__sshd_config 22 '' "$d"
	sed -i "s/^ListenAddress .*/ListenAddress $addr/" "$d/sshd_config"
	(($# == 0)) || printf '%s\n' "$@" >>"$d/sshd_config"
	key=$(cut -d' ' -f1-2 "$d/ssh_host_ed25519_key.pub")
	printf '%s %s\n' "$addr" "$key" >"$d/known_hosts"
	SSHD_LOG=$d/sshd.log SSH_CONFIG=$d/ssh_config SSHD_DIR=$d
	netns_spawn "$name" "$d/sshd.out" "$sshd" -D -f "$d/sshd_config" -E "$SSHD_LOG"
	fixture__wait_file "$d/sshd.pid" "$FIXTURE_PID" 15 || rc=$?
	if ((rc != 0)) || ! fixture_wait_log "$SSHD_LOG" "Server listening on $addr port 22" 5; then
		fixture_fail "sshd in namespace $name did not start (rc $rc): $(fixture__tail "$SSHD_LOG") $(fixture__tail "$d/sshd.out")"
		return 1
	fi
	SSHD_ADDR=$addr SSHD_PORT=22 SSHD_PID=$FIXTURE_PID
}

# netns_known_host HOSTPORT: see the top of this file.
netns_known_host() {
	printf '%s %s\n' "$1" "$(cut -d' ' -f1-2 "$SSHD_DIR/ssh_host_ed25519_key.pub")" \
		>>"$SSHD_DIR/known_hosts"
}

# netns_delayrelay NAME MS TARGET: see the top of this file.
netns_delayrelay() {
	local name=$1 ms=$2 target=$3 pf bin=$top_builddir/t/helper/delayrelay
	fixture_require "$bin" || return 1
	FIXTURE__SEQ=$((FIXTURE__SEQ + 1))
	pf=$T_TMP/delayrelay.$FIXTURE__SEQ.port
	DELAYRELAY_LOG=$T_TMP/delayrelay.$FIXTURE__SEQ.log
	netns_spawn "$name" "$DELAYRELAY_LOG" "$bin" -d "$ms" -t "$target" -P "$pf"
	if ! fixture__wait_file "$pf" "$FIXTURE_PID" 10; then
		fixture_fail "delayrelay in $name did not start: $(fixture__tail "$DELAYRELAY_LOG")"
		return 1
	fi
	DELAYRELAY_PORT=$(<"$pf") DELAYRELAY_PID=$FIXTURE_PID
}

# netns_tcpserv NAME MODE [ARG...]: see the top of this file.
netns_tcpserv() {
	local name=$1 mode=$2 pf log
	shift 2
	fixture__tcpserv_bin || return 1
	FIXTURE__SEQ=$((FIXTURE__SEQ + 1))
	pf=$T_TMP/tcpserv.$FIXTURE__SEQ.port
	log=$T_TMP/tcpserv.$FIXTURE__SEQ.log
	netns_spawn "$name" "$log" "$TCPSERV_BIN" -m "$mode" -P "$pf" "$@"
	if ! fixture__wait_file "$pf" "$FIXTURE_PID" 10; then
		fixture_fail "tcpserv -m $mode in $name did not start: $(fixture__tail "$log")"
		return 1
	fi
	TCPSERV_PORT=$(<"$pf") TCPSERV_PID=$FIXTURE_PID
}

# netns_python: set NETNS_PY to the python3 interpreter itself (not a
# wrapper such as pyenv's shim, which takes half a second to start).
netns_python() {
	[[ -n ${NETNS_PY-} ]] && return 0
	NETNS_PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
	[[ -x $NETNS_PY ]] || NETNS_PY=$(command -v python3)
}

# netns_pycmd NAME: see the top of this file.
netns_pycmd() {
	local f=$T_TMP/python3-in-$1
	netns_python
	printf '#!/bin/sh\nexec ip netns exec %s %s "$@"\n' "${NETNS[$1]}" "$NETNS_PY" >"$f"
	chmod +x "$f"
	echo "$f"
}

# netns_echo NAME PORT [SECS]: see the top of this file.
NETNS__PY_ECHO='
import os, socket, struct, sys
port, secs, socks = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3:]
def recv_exact(s, n):
    b = b""
    while len(b) < n:
        d = s.recv(n - len(b))
        if not d:
            sys.exit(1)
        b += d
    return b
s = socket.create_connection(("127.0.0.1", port), timeout=secs)
if socks:
    s.sendall(b"\x05\x01\x00")
    if recv_exact(s, 2) != b"\x05\x00":
        sys.exit(1)
    s.sendall(b"\x05\x01\x00\x01" + socket.inet_aton(socks[0]) + struct.pack(">H", int(socks[1])))
    if recv_exact(s, 10)[1] != 0:
        sys.exit(1)
tok = os.urandom(12).hex().encode() + b"\n"
s.sendall(tok)
sys.exit(0 if recv_exact(s, len(tok)) == tok else 1)
'
netns_echo() {
	netns_python
	ip netns exec "${NETNS[$1]}" "$NETNS_PY" -c "$NETNS__PY_ECHO" "$2" "${3:-5}" 2>/dev/null
}

# netns_socks_echo NAME PORT HOST DPORT [SECS]: see the top of this file.
netns_socks_echo() {
	netns_python
	ip netns exec "${NETNS[$1]}" "$NETNS_PY" -c "$NETNS__PY_ECHO" "$2" "${5:-5}" "$3" "$4" 2>/dev/null
}

# netns_cleanup: see the top of this file.
netns_cleanup() {
	local name ns pids i
	for name in "${!NETNS[@]}"; do
		ns=${NETNS[$name]}
		pids=$(ip netns pids "$ns" 2>/dev/null)
		if [[ -n $pids ]]; then
			# shellcheck disable=SC2086 # one pid a word
			kill -TERM $pids 2>/dev/null
			for ((i = 0; i < 250; i++)); do
				pids=$(ip netns pids "$ns" 2>/dev/null)
				[[ -z $pids ]] && break
				sleep 0.02
			done
			# shellcheck disable=SC2086
			[[ -n $pids ]] && kill -KILL $pids 2>/dev/null
		fi
		ip netns del "$ns" 2>/dev/null
	done
	NETNS=()
}

# netns_stop_clean PID LOG: SIGTERM PID (a child of this shell), wait for
# it (bounded, 10 s), and set STOP_RC (its exit status, or "running"),
# STOP_MS and STOP_SAN (the sanitizer report lines in LOG, if any).
netns_stop_clean() {
	local pid=$1 log=$2 t0 st
	t0=$(tap_now_ms)
	kill -TERM "$pid" 2>/dev/null
	while (($(tap_now_ms) - t0 < 10000)); do
		st=$(ps -o stat= -p "$pid" 2>/dev/null) || break
		[[ $st == Z* ]] && break
		sleep 0.02
	done
	STOP_MS=$(($(tap_now_ms) - t0))
	if [[ -n $st && $st != Z* ]]; then
		STOP_RC=running
	else
		STOP_RC=0
		wait "$pid" || STOP_RC=$?
	fi
	STOP_SAN=$(grep -E 'Sanitizer|runtime error:' "$log" 2>/dev/null | head -n 5)
}
