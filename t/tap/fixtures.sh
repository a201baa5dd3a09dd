# fixtures.sh: real servers on free loopback ports for hopkit's tests and demo.
# SPDX-License-Identifier: MIT
#
# Source it from a t/*.t test (after libtap.sh) or from a plain bash script.
# Every server runs in its own process group, started only on a free port
# and waited for through a pidfile or portfile with a bounded deadline (never
# a fixed sleep).  On exit (or INT/TERM/HUP) every group is killed and the
# temp dir removed; add your own exit work with `fixture_atexit CMD`.
# Set T_KEEP=1 to keep the temp dir for debugging.
#
#   fixture_tmpdir            sets T_TMP (a fresh temp dir), installs cleanup
#   fixture_require CMD...    every CMD (name or absolute path) must exist
#   fixture_tcpserv MODE ARG  t/helper/tcpserv; sets TCPSERV_PORT, TCPSERV_PID
#   fixture_sshd_start [-6]   OpenSSH sshd on 127.0.0.1 (and ::1 with -6);
#                             sets SSHD_PORT, SSHD_PID, SSH_CONFIG, SSHD_LOG
#   fixture_free_port         sets FIXTURE_PORT to a loopback port with no
#                             listener (free a moment ago)
#   fixture_tinyproxy [-a USER:PASS]
#                             Debian's tinyproxy (HTTP CONNECT, Basic auth
#                             with -a) on 127.0.0.1; sets TINYPROXY_PORT,
#                             TINYPROXY_PID, TINYPROXY_LOG
#   fixture_microsocks [-6] [-u USER -P PASS]
#                             Debian's microsocks (SOCKS5) on 127.0.0.1 (::1
#                             with -6); sets MICROSOCKS_PORT, MICROSOCKS_PID,
#                             MICROSOCKS_ADDR, MICROSOCKS_LOG
#   fixture_fakeproxy MODE [ARG...]
#                             t/helper/fakeproxy; sets FAKEPROXY_PORT,
#                             FAKEPROXY_PID, FAKEPROXY_LOG
#   fixture_stop PID          stop one server (its whole process group) now
#   fixture_wait_log FILE REGEX [SECS]
#                             wait until a line of FILE matches REGEX
#   fixture_cpu_ticks PID     CPU time (user + system ticks) PID has used
#
# A fixture that cannot start is a failure under CI=true (`bail`), else the
# test file is skipped (`skip_all`).  Sourced by a plain script (no
# libtap.sh) it prints "fixtures: REASON" on stderr and returns 1.
# shellcheck disable=SC2034 # the variables set here are for the caller

: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"

FIXTURE__OWNER=
FIXTURE__PGIDS=()
FIXTURE__ATEXIT=()
FIXTURE__SEQ=0

# fixture_fail REASON: report a fixture that cannot start (see above).
fixture_fail() {
	if [[ -z ${TAP_LOADED-} ]]; then
		echo "fixtures: $1" >&2
		return 1
	fi
	case ${CI-} in
	true | 1 | yes) bail "$1" ;;
	*) skip_all "$1" ;;
	esac
}

# fixture_atexit CMD: run CMD (a string, eval'd) at cleanup, before the kills.
fixture_atexit() {
	FIXTURE__ATEXIT+=("$1")
}

# fixture_cleanup: stop every server, run exit hooks, remove T_TMP.
fixture_cleanup() {
	local cmd pg
	[[ $BASHPID == "$FIXTURE__OWNER" ]] || return 0
	for cmd in "${FIXTURE__ATEXIT[@]}"; do
		eval "$cmd" || true
	done
	for pg in "${FIXTURE__PGIDS[@]}"; do
		fixture_stop "$pg"
	done
	FIXTURE__PGIDS=()
	if [[ -n ${T_TMP-} && -d $T_TMP ]]; then
		if [[ -n ${T_KEEP-} ]]; then
			echo "fixtures: kept $T_TMP" >&2
		else
			rm -rf -- "$T_TMP"
		fi
	fi
}

# fixture_stop PGID: TERM the process group, wait up to 5 s, then KILL it.
fixture_stop() {
	local pg=$1 i
	kill -TERM -- "-$pg" 2>/dev/null || return 0
	for ((i = 0; i < 250; i++)); do
		kill -0 -- "-$pg" 2>/dev/null || return 0
		sleep 0.02
	done
	echo "fixtures: process group $pg ignored SIGTERM; killing it" >&2
	kill -KILL -- "-$pg" 2>/dev/null || true
}

# fixture_tmpdir: create T_TMP once per shell and install the exit traps.
fixture_tmpdir() {
	[[ $FIXTURE__OWNER == "$BASHPID" && -d ${T_TMP-} ]] && return 0
	T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/hopkit-t.XXXXXX") || {
		fixture_fail "cannot create a temp dir in ${TMPDIR:-/tmp}"
		return 1
	}
	FIXTURE__OWNER=$BASHPID
	trap fixture_cleanup EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# fixture__missing CMD: say why CMD is missing and where to get it.
fixture__missing() {
	local pkg
	case $1 in
	"$top_builddir"/*) echo "$1 is not built (run: make ${1#"$top_builddir"/})"; return ;;
	esac
	case ${1##*/} in
	sshd) pkg=openssh-server ;;
	ssh | ssh-keygen) pkg=openssh-client ;;
	nc) pkg=netcat-openbsd ;;
	ip | ss) pkg=iproute2 ;;
	nft) pkg=nftables ;;
	timeout | sha256sum | mkfifo) pkg=coreutils ;;
	setsid | prlimit | setpriv) pkg=util-linux ;;
	pgrep | ps) pkg=procps ;;
	strace | socat | tinyproxy | microsocks | openssl | mandoc) pkg=${1##*/} ;;
	nagios4) pkg=nagios4-core ;;
	icinga2) pkg=icinga2-bin ;;
	promtool) pkg=prometheus ;;
	esac
	echo "missing $1${pkg:+ (Debian package $pkg; ./bootstrap check installs it)}"
}

# fixture_require CMD...: fail (CI) or skip unless every CMD is available.
fixture_require() {
	local cmd
	for cmd in "$@"; do
		if [[ $cmd == /* ]]; then
			[[ -x $cmd ]] && continue
		else
			command -v "$cmd" >/dev/null 2>&1 && continue
		fi
		fixture_fail "$(fixture__missing "$cmd")"
		return 1
	done
}

# fixture_talker TEXT: a server on 127.0.0.1 that sends TEXT to each
# client, then says nothing more and reads until the client leaves (a
# service that speaks first, or a tarpit).  Sets TALKER_PORT.
FIXTURE__TALKER_PY='
import os, socket, sys, threading
text, pf = os.fsencode(sys.argv[1]), sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
s.listen(64)
def serve(c):
    try:
        c.sendall(text)
        while c.recv(65536):
            pass
    except OSError:
        pass
    c.close()
with open(pf + ".tmp", "w") as f:
    f.write("%d\n" % s.getsockname()[1])
os.rename(pf + ".tmp", pf)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
'
fixture_talker() {
	FIXTURE__SEQ=$((FIXTURE__SEQ + 1))
	local pf=$T_TMP/talker.$FIXTURE__SEQ.port
	fixture_require python3 || return 1
	fixture__spawn "$pf.log" python3 -c "$FIXTURE__TALKER_PY" "$1" "$pf"
	fixture__wait_file "$pf" "$FIXTURE_PID" 10 || {
		fixture_fail "talker did not start: $(fixture__tail "$pf.log")"
		return 1
	}
	TALKER_PORT=$(<"$pf")
}

# fixture__spawn LOG CMD...: start CMD as leader of a new session (so its
# process group can be killed as a whole), output to LOG.  Sets FIXTURE_PID.
fixture__spawn() {
	local log=$1 monitor=
	shift
	# Without job control the child is no group leader, so setsid(1)
	# calls setsid() in place instead of forking: $! is the leader.
	[[ $- == *m* ]] && monitor=1 && set +m
	setsid "$@" </dev/null >>"$log" 2>&1 &
	FIXTURE_PID=$!
	[[ -n $monitor ]] && set -m
	FIXTURE__PGIDS+=("$FIXTURE_PID")
}

# fixture__wait_file FILE PID SECS: poll until FILE is non-empty.  Return 1
# if PID died first, 2 when SECS passed.
fixture__wait_file() {
	local file=$1 pid=$2 end
	end=$(($(fixture__now_us) + $3 * 1000000))
	while [[ ! -s $file ]]; do
		kill -0 "$pid" 2>/dev/null || { [[ -s $file ]] && return 0; return 1; }
		(($(fixture__now_us) < end)) || return 2
		sleep 0.02
	done
}

# fixture__now_us: print the wall clock in microseconds.
fixture__now_us() {
	echo "${EPOCHREALTIME//[!0-9]/}"
}

# fixture__tail FILE: the last lines of FILE on one line, for error messages.
fixture__tail() {
	[[ -s $1 ]] && tail -n 5 -- "$1" | tr '\n' ' '
}

# fixture__tcpserv_bin: set TCPSERV_BIN, or fail if tcpserv is not built.
fixture__tcpserv_bin() {
	TCPSERV_BIN=$top_builddir/t/helper/tcpserv
	[[ -x $TCPSERV_BIN ]] && return 0
	fixture_fail "$(fixture__missing "$TCPSERV_BIN")"
}

# fixture_tcpserv MODE [ARG...]: start `tcpserv -m MODE ARG...` (see
# t/helper/tcpserv.c) and wait for its portfile.  Sets TCPSERV_PORT and
# TCPSERV_PID.
fixture_tcpserv() {
	local mode=$1 pf log
	shift
	fixture_tmpdir || return 1
	fixture__tcpserv_bin || return 1
	FIXTURE__SEQ=$((FIXTURE__SEQ + 1))
	pf=$T_TMP/tcpserv.$FIXTURE__SEQ.port
	log=$T_TMP/tcpserv.$FIXTURE__SEQ.log
	fixture__spawn "$log" "$TCPSERV_BIN" -m "$mode" -P "$pf" "$@"
	if ! fixture__wait_file "$pf" "$FIXTURE_PID" 10; then
		fixture_fail "tcpserv -m $mode $* did not start: $(fixture__tail "$log")"
		return 1
	fi
	TCPSERV_PORT=$(<"$pf")
	TCPSERV_PID=$FIXTURE_PID
}

# fixture_free_port: set FIXTURE_PORT to a loopback port that was free a
# moment ago (the caller retries if it is taken by the time it binds).
fixture_free_port() {
	local pf
	fixture_tmpdir || return 1
	fixture__tcpserv_bin || return 1
	pf=$T_TMP/free.port
	rm -f -- "$pf"
	if ! "$TCPSERV_BIN" -m port -P "$pf"; then
		fixture_fail "tcpserv -m port failed"
		return 1
	fi
	FIXTURE_PORT=$(<"$pf")
}

# fixture_free_ports N: set the array PORTS to N loopback ports, all
# different, each free a moment ago (as fixture_free_port).
fixture_free_ports() {
	local p q seen
	PORTS=()
	while ((${#PORTS[@]} < $1)); do
		fixture_free_port || return 1
		p=$FIXTURE_PORT seen=
		for q in "${PORTS[@]}"; do
			[[ $q == "$p" ]] && seen=1
		done
		[[ -z $seen ]] && PORTS+=("$p")
	done
	return 0
}

# fixture__sshd_config PORT V6 DIR: write sshd_config, ssh_config, known_hosts
# in DIR.
fixture__sshd_config() {
	local port=$1 v6=$2 d=$3 hostkey user
	hostkey=$(cut -d' ' -f1-2 "$d/ssh_host_ed25519_key.pub")
	user=$(id -un)
	cat >"$d/sshd_config" <<-EOF
		Port $port
		ListenAddress 127.0.0.1
		${v6:+ListenAddress ::1}
		HostKey $d/ssh_host_ed25519_key
		PidFile $d/sshd.pid
		AuthorizedKeysFile $d/authorized_keys
		AuthenticationMethods publickey
		PasswordAuthentication no
		KbdInteractiveAuthentication no
		UsePAM no
		StrictModes no
		PermitRootLogin prohibit-password
		PermitUserRC no
		AllowTcpForwarding yes
		PrintMotd no
		PrintLastLog no
		UseDNS no
		MaxStartups 100
		MaxSessions 100
		LogLevel VERBOSE
		Subsystem sftp internal-sftp
	EOF
	printf '%s %s\n' "[127.0.0.1]:$port" "$hostkey" "[localhost]:$port" \
		"$hostkey" "[::1]:$port" "$hostkey" >"$d/known_hosts"
	cat >"$d/ssh_config" <<-EOF
		Host *
		  User $user
		  IdentityFile $d/id_ed25519
		  IdentitiesOnly yes
		  IdentityAgent none
		  PasswordAuthentication no
		  KbdInteractiveAuthentication no
		  UserKnownHostsFile $d/known_hosts
		  GlobalKnownHostsFile /dev/null
		  StrictHostKeyChecking yes
		  UpdateHostKeys no
		  CheckHostIP no
		  BatchMode yes
		  ControlMaster no
		  ControlPath none
		  LogLevel ERROR
		  ConnectTimeout 10
	EOF
}

# fixture_sshd_start [-6] [-d NAME]: start OpenSSH sshd with its own host key
# and an authorized client key, all in T_TMP (T_TMP/NAME with -d, for a
# second sshd), on a free port of 127.0.0.1 (and ::1 with -6).  Sets
# SSHD_PORT, SSHD_PID, SSHD_LOG, SSHD_DIR and SSH_CONFIG (for
# `ssh -F "$SSH_CONFIG" -p "$SSHD_PORT" 127.0.0.1`).
fixture_sshd_start() {
	local v6='' port try rc n naddr=1 sshd=/usr/sbin/sshd d
	fixture_tmpdir || return 1
	d=$T_TMP
	while (($# > 0)); do
		case $1 in
		-6) v6=1 naddr=2 ;;
		-d) d=$T_TMP/$2; shift; mkdir -p -- "$d" || return 1 ;;
		*) fixture_fail "fixture_sshd_start: unknown option $1"; return 1 ;;
		esac
		shift
	done
	if [[ -s $d/sshd.pid ]]; then
		fixture_fail "fixture_sshd_start: one sshd per temp dir, and it runs already"
		return 1
	fi
	fixture_require "$sshd" ssh ssh-keygen setsid || return 1
	if [[ $(id -u) == 0 && ! -d /run/sshd ]]; then
		mkdir -m 0755 /run/sshd || { fixture_fail "cannot create /run/sshd"; return 1; }
	fi
	rm -f -- "$d"/ssh_host_ed25519_key* "$d"/id_ed25519*
	if ! ssh-keygen -q -t ed25519 -N '' -C hopkit-test-host -f "$d/ssh_host_ed25519_key" ||
		! ssh-keygen -q -t ed25519 -N '' -C hopkit-test-client -f "$d/id_ed25519"; then
		fixture_fail "ssh-keygen failed"
		return 1
	fi
	cp -- "$d/id_ed25519.pub" "$d/authorized_keys"
	SSHD_LOG=$d/sshd.log
	SSH_CONFIG=$d/ssh_config
	for try in 1 2 3 4 5; do
		fixture_free_port || return 1
		port=$FIXTURE_PORT
		fixture__sshd_config "$port" "$v6" "$d"
		rm -f -- "$d/sshd.pid" "$SSHD_LOG"
		fixture__spawn "$d/sshd.out" "$sshd" -D -f "$d/sshd_config" -E "$SSHD_LOG"
		rc=0
		fixture__wait_file "$d/sshd.pid" "$FIXTURE_PID" 15 || rc=$?
		n=$(grep -c 'Server listening on' "$SSHD_LOG" 2>/dev/null)
		if ((rc == 0 && ${n:-0} == naddr)); then
			SSHD_PORT=$port
			SSHD_PID=$FIXTURE_PID
			SSHD_DIR=$d
			return 0
		fi
		fixture_stop "$FIXTURE_PID"
		# Someone took the port between probe and bind: try another.
		grep -q 'Bind to port' "$SSHD_LOG" 2>/dev/null && ((rc != 2)) && continue
		break
	done
	fixture_fail "sshd did not start (try $try): $(fixture__tail "$SSHD_LOG") $(fixture__tail "$d/sshd.out")"
	return 1
}

# fixture__forget PGID: drop PGID from the groups cleanup kills (after
# fixture_stop), so that a later process reusing the number is left alone.
fixture__forget() {
	local pg keep=()
	for pg in "${FIXTURE__PGIDS[@]}"; do
		[[ $pg == "$1" ]] || keep+=("$pg")
	done
	FIXTURE__PGIDS=("${keep[@]}")
}

# fixture__listening PID PORT: true if process PID holds a listening TCP
# socket (IPv4 or IPv6) on PORT.  Read from /proc: no connection is made,
# and a stranger that took the port in the meantime does not count.
fixture__listening() {
	fixture_listen_inodes "$1" "$2" >/dev/null
}

# fixture_listen_inodes PID PORT: print the inodes of the listening TCP
# sockets on PORT that process PID holds, sorted, on one line; return 1 if
# it holds none.  The same inodes later mean the same sockets were never
# closed.
fixture_listen_inodes() {
	local pid=$1 hex f table laddr st inode fd link out=()
	local -A inodes=()
	printf -v hex '%04X' "$2"
	for f in "/proc/$pid/net/tcp" "/proc/$pid/net/tcp6"; do
		# Slurp it first: bash's `read` takes /proc files a byte at a time.
		{ table=$(<"$f"); } 2>/dev/null || continue
		# sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
		while read -r _ laddr _ st _ _ _ _ _ inode _; do
			[[ $st == 0A && ${laddr##*:} == "$hex" ]] && inodes[$inode]=1
		done <<<"$table"
	done
	((${#inodes[@]} > 0)) || return 1
	for fd in "/proc/$pid/fd/"*; do
		link=$(readlink -- "$fd" 2>/dev/null) || continue
		[[ $link == socket:* ]] || continue
		link=${link#socket:[}
		link=${link%]}
		[[ -n ${inodes[$link]-} ]] && out+=("$link")
	done
	((${#out[@]} > 0)) || return 1
	printf '%s\n' "${out[@]}" | sort -n | tr '\n' ' ' | sed 's/ $//'
	echo
}

# fixture__wait_listen PID PORT SECS: poll until PID listens on PORT (it
# accepts connections from then on).  Return 1 if PID died first, 2 when
# SECS passed.
fixture__wait_listen() {
	local pid=$1 port=$2 end
	end=$(($(fixture__now_us) + $3 * 1000000))
	until fixture__listening "$pid" "$port"; do
		kill -0 "$pid" 2>/dev/null || return 1
		(($(fixture__now_us) < end)) || return 2
		sleep 0.02
	done
}

# fixture__free_port6: like fixture_free_port, for ::1.
fixture__free_port6() {
	local pf
	fixture_tmpdir || return 1
	fixture__tcpserv_bin || return 1
	pf=$T_TMP/free.port
	rm -f -- "$pf"
	if ! "$TCPSERV_BIN" -6 -m port -P "$pf"; then
		fixture_fail "tcpserv -6 -m port failed (no IPv6 loopback?)"
		return 1
	fi
	FIXTURE_PORT=$(<"$pf")
}

# fixture__tinyproxy_config FILE PORT LOG USER PASS: write a tinyproxy
# config.  Facts about tinyproxy 1.11 (Debian 12) it relies on:
#  - no ConnectPort line at all allows CONNECT to every port (ConnectPort
#    takes single ports only; "1-65535" is a syntax error; with any
#    ConnectPort line other ports get "403 Access violation");
#  - without User/Group it keeps running as the user who started it, even
#    root (it only logs a warning), so files in T_TMP stay writable;
#  - no PidFile line: no pid file is written anywhere.
fixture__tinyproxy_config() {
	cat >"$1" <<-EOF
		# tinyproxy for a hopkit test (t/tap/fixtures.sh)
		Listen 127.0.0.1
		Port $2
		Allow 127.0.0.1
		MaxClients 200
		Timeout 600
		LogFile "$3"
		LogLevel Info
		DisableViaHeader Yes
		${4:+BasicAuth $4 $5}
	EOF
}

# fixture_tinyproxy [-a USER:PASS]: start Debian's tinyproxy in the
# foreground with its own config in T_TMP, on a free port of 127.0.0.1,
# allowing CONNECT to any port; with -a, only for clients that send
# "Proxy-Authorization: Basic base64(USER:PASS)" (without: "HTTP/1.0 407";
# wrong credentials: "HTTP/1.0 401 Unauthorized").  Sets TINYPROXY_PORT,
# TINYPROXY_PID and TINYPROXY_LOG (its log: CONNECT lines name each
# request).  Replies are HTTP/1.0.  Note that tinyproxy does not keep a
# half-closed tunnel open: on EOF from either side it closes both.
fixture_tinyproxy() {
	local user='' pass='' try rc port conf out tp=/usr/bin/tinyproxy
	while (($# > 0)); do
		case $1 in
		-a)
			if [[ ${2-} != ?*:?* || $2 == *[[:space:]\"\\]* ]]; then
				fixture_fail "fixture_tinyproxy: -a wants USER:PASS without blanks or quotes"
				return 1
			fi
			user=${2%%:*} pass=${2#*:}
			shift 2
			;;
		*)
			fixture_fail "fixture_tinyproxy: unknown argument $1"
			return 1
			;;
		esac
	done
	fixture_tmpdir || return 1
	fixture_require "$tp" setsid || return 1
	FIXTURE__SEQ=$((FIXTURE__SEQ + 1))
	conf=$T_TMP/tinyproxy.$FIXTURE__SEQ.conf
	out=$T_TMP/tinyproxy.$FIXTURE__SEQ.out
	TINYPROXY_LOG=$T_TMP/tinyproxy.$FIXTURE__SEQ.log
	for try in 1 2 3 4 5; do
		fixture_free_port || return 1
		port=$FIXTURE_PORT
		fixture__tinyproxy_config "$conf" "$port" "$TINYPROXY_LOG" "$user" "$pass"
		rm -f -- "$TINYPROXY_LOG" "$out"
		fixture__spawn "$out" "$tp" -d -c "$conf"
		rc=0
		fixture__wait_listen "$FIXTURE_PID" "$port" 10 || rc=$?
		if ((rc == 0)); then
			TINYPROXY_PORT=$port
			TINYPROXY_PID=$FIXTURE_PID
			return 0
		fi
		fixture_stop "$FIXTURE_PID"
		fixture__forget "$FIXTURE_PID"
		# Someone took the port between probe and bind: try another.
		((rc == 1)) && grep -q 'Could not create listening sockets' "$out" 2>/dev/null &&
			continue
		break
	done
	fixture_fail "tinyproxy did not start (try $try): $(fixture__tail "$out") $(fixture__tail "$TINYPROXY_LOG")"
	return 1
}

# fixture_microsocks [-6] [-u USER -P PASS]: start Debian's microsocks
# (SOCKS5 only) on a free port of 127.0.0.1, or ::1 with -6; with -u/-P it
# demands username/password auth (RFC 1929).  It reaches loopback, IPv6
# and domain-name (socks5h) targets.  Sets MICROSOCKS_PORT, MICROSOCKS_PID,
# MICROSOCKS_ADDR (127.0.0.1 or ::1) and MICROSOCKS_LOG (one "connected to"
# line per tunnel).  Note: it answers BND.ADDR as 0.0.0.0:0 (ATYP 1) even
# for IPv6 targets, drops request bytes sent before its method selection
# (no pipelining), and closes both ways on EOF from either side.
fixture_microsocks() {
	local addr=127.0.0.1 v6='' user='' pass='' try rc port auth=() ms=/usr/bin/microsocks
	while (($# > 0)); do
		case $1 in
		-6) v6=1 addr=::1; shift ;;
		-u | -P)
			if (($# < 2)) || [[ -z $2 ]]; then
				fixture_fail "fixture_microsocks: $1 wants a value"
				return 1
			fi
			[[ $1 == -u ]] && user=$2 || pass=$2
			shift 2
			;;
		*)
			fixture_fail "fixture_microsocks: unknown argument $1"
			return 1
			;;
		esac
	done
	if [[ -n $user$pass ]]; then
		if [[ -z $user || -z $pass ]]; then
			fixture_fail "fixture_microsocks: -u and -P go together"
			return 1
		fi
		auth=(-u "$user" -P "$pass")
	fi
	fixture_tmpdir || return 1
	fixture_require "$ms" setsid || return 1
	FIXTURE__SEQ=$((FIXTURE__SEQ + 1))
	MICROSOCKS_LOG=$T_TMP/microsocks.$FIXTURE__SEQ.log
	for try in 1 2 3 4 5; do
		if [[ -n $v6 ]]; then
			fixture__free_port6 || return 1
		else
			fixture_free_port || return 1
		fi
		port=$FIXTURE_PORT
		rm -f -- "$MICROSOCKS_LOG"
		fixture__spawn "$MICROSOCKS_LOG" "$ms" -i "$addr" -p "$port" "${auth[@]}"
		rc=0
		fixture__wait_listen "$FIXTURE_PID" "$port" 10 || rc=$?
		if ((rc == 0)); then
			MICROSOCKS_PORT=$port
			MICROSOCKS_PID=$FIXTURE_PID
			MICROSOCKS_ADDR=$addr
			return 0
		fi
		fixture_stop "$FIXTURE_PID"
		fixture__forget "$FIXTURE_PID"
		# Someone took the port between probe and bind: try another.
		((rc == 1)) && grep -q 'Address already in use' "$MICROSOCKS_LOG" 2>/dev/null &&
			continue
		break
	done
	fixture_fail "microsocks did not start (try $try): $(fixture__tail "$MICROSOCKS_LOG")"
	return 1
}

# fixture_fakeproxy MODE [ARG...]: start `fakeproxy -m MODE ARG...` (see
# t/helper/fakeproxy.c: -6, -t TARGETPORT, -a USER:PASS for the Digest
# modes) and wait for its portfile.  Sets
# FAKEPROXY_PORT, FAKEPROXY_PID and FAKEPROXY_LOG (what it received: the
# request's lines, SOCKS bytes in hex; show it with `diag "$(<"$FAKEPROXY_LOG")"`).
fixture_fakeproxy() {
	local mode=$1 pf bin=$top_builddir/t/helper/fakeproxy
	shift
	fixture_tmpdir || return 1
	fixture_require "$bin" setsid || return 1
	FIXTURE__SEQ=$((FIXTURE__SEQ + 1))
	pf=$T_TMP/fakeproxy.$FIXTURE__SEQ.port
	FAKEPROXY_LOG=$T_TMP/fakeproxy.$FIXTURE__SEQ.log
	fixture__spawn "$FAKEPROXY_LOG" "$bin" -m "$mode" -P "$pf" "$@"
	if ! fixture__wait_file "$pf" "$FIXTURE_PID" 10; then
		fixture_fail "fakeproxy -m $mode $* did not start: $(fixture__tail "$FAKEPROXY_LOG")"
		return 1
	fi
	FAKEPROXY_PORT=$(<"$pf")
	FAKEPROXY_PID=$FIXTURE_PID
}

# fixture_wait_size FILE BYTES [SECS]: wait (bounded, default 120 s) until
# FILE holds at least BYTES bytes.  Feeding a client through a proxy that
# does not pass half-close on (tinyproxy, microsocks close both ways on the
# client's EOF), a test keeps stdin open until the answer is in:
#   { cat in; fixture_wait_size out 1000; } | jumpcat -x ... >out
fixture_wait_size() {
	local file=$1 want=$2 secs=${3:-120} i
	for ((i = 0; i < secs * 20; i++)); do
		(($(stat -c %s "$file" 2>/dev/null || echo 0) >= want)) && return 0
		sleep 0.05
	done
	return 1
}

# fixture_tls_certs: a throwaway CA ($TLS_CA) and a server certificate
# ($TLS_CERT, $TLS_KEY) for localhost and 127.0.0.1 signed by it, plus a
# second CA's certificate for the same names ($TLS_OTHER_CERT,
# $TLS_OTHER_KEY) that $TLS_CA does not vouch for.  In $T_TMP/tls.
fixture_tls_certs() {
	local d name
	fixture_tmpdir || return 1
	fixture_require openssl || return 1
	d=$T_TMP/tls
	mkdir -p "$d"
	printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$d/ext"
	for name in ca other; do
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
			-nodes -keyout "$d/$name-ca.key" -out "$d/$name-ca.pem" -days 2 \
			-subj "/CN=hopkit test $name CA" >/dev/null 2>&1 &&
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-keyout "$d/$name.key" -out "$d/$name.csr" -subj /CN=localhost \
			>/dev/null 2>&1 &&
		openssl x509 -req -in "$d/$name.csr" -CA "$d/$name-ca.pem" \
			-CAkey "$d/$name-ca.key" -CAcreateserial -days 2 \
			-extfile "$d/ext" -out "$d/$name.pem" >/dev/null 2>&1 || {
			fixture_fail "openssl could not make test certificates"
			return 1
		}
	done
	TLS_CA=$d/ca-ca.pem TLS_CERT=$d/ca.pem TLS_KEY=$d/ca.key
	TLS_OTHER_CERT=$d/other.pem TLS_OTHER_KEY=$d/other.key
}

# fixture_tls_server CERT KEY TARGET: socat's OPENSSL-LISTEN on a free
# loopback port with CERT and KEY, passing each connection to TARGET, a
# socat address ("EXEC:cat" to echo, "TCP:127.0.0.1:22" to forward).
# Readiness: socat holds the listening socket.  Sets TLS_PORT, TLS_PID.
fixture_tls_server() {
	local cert=$1 key=$2 target=$3 try log
	fixture_require socat || return 1
	for ((try = 0; try < 5; try++)); do
		fixture_free_port || return 1
		log=$T_TMP/socat-tls.$FIXTURE_PORT.log
		fixture__spawn "$log" socat \
			"OPENSSL-LISTEN:$FIXTURE_PORT,bind=127.0.0.1,reuseaddr,fork,cert=$cert,key=$key,verify=0" \
			"$target"
		if fixture__wait_listen "$FIXTURE_PID" "$FIXTURE_PORT" 10; then
			TLS_PORT=$FIXTURE_PORT TLS_PID=$FIXTURE_PID
			return 0
		fi
		fixture_stop "$FIXTURE_PID"
		fixture__forget "$FIXTURE_PID"
	done
	fixture_fail "socat OPENSSL-LISTEN did not start: $(fixture__tail "$log")"
}

# fixture_wait_log FILE REGEX [SECS]: wait (bounded, default 20 s) until a
# line of FILE matches the extended regex REGEX: the readiness check for a
# step that shows only in a log (a fake proxy has read the request, a
# client has connected).  Returns 1 when SECS passed first.
fixture_wait_log() {
	local file=$1 re=$2 secs=${3:-20} end
	end=$(($(fixture__now_us) + secs * 1000000))
	until grep -qE -e "$re" -- "$file" 2>/dev/null; do
		(($(fixture__now_us) < end)) || return 1
		sleep 0.02
	done
}

# fixture_cpu_ticks PID: print the CPU time process PID has used so far,
# user plus system, in clock ticks (getconf CLK_TCK a second), from
# /proc/PID/stat.  Returns 1 if PID is gone.
fixture_cpu_ticks() {
	local stat f
	{ stat=$(<"/proc/$1/stat"); } 2>/dev/null || return 1
	# The command name (field 2) may hold blanks and parentheses: cut
	# after its last ")"; then utime and stime, fields 14 and 15, are the
	# 12th and 13th words.
	read -r -a f <<<"${stat##*) }"
	echo $((f[11] + f[12]))
}
