#!/bin/bash
# netfault-data.t: data integrity over a bad link.  The sshd sits in
# network namespace "server", fwdpipe and jumpcat in namespace "client";
# a veth pair with link-local addresses joins them and nft drops 5 % of
# the packets on it, each way, at random.  fwdpipe and jumpcat reach the
# sshd through t/helper/delayrelay, in the client namespace, which
# delays every byte by 100 ms each way (200 ms more per round trip); the
# loss is on the veth behind it, where TCP recovers fast.  16 MiB of
# random data go through -L, -R, -D (SOCKS5) and jumpcat -J to an echo
# server and back, and must come back with the same SHA-256.  Then 4 MiB
# through -L with the link also limited to 8 Mbit/s by tc tbf.  Checked
# too: where each process runs and that the client namespace has no route
# out; that the loss and the delay were real (nft's counters, a round trip
# of 200 ms or more); that fwdpipe stays up throughout and exits 0 on
# SIGTERM with no sanitizer report.  Where network namespaces cannot be
# made, the test fails (see t/tap/netns.sh).
# SPDX-License-Identifier: MIT

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"
. "$top_srcdir/t/tap/fixtures-fwd.sh"
. "$top_srcdir/t/tap/netns.sh"

FWDPIPE=$top_builddir/tools/fwdpipe
JUMPCAT=$top_builddir/tools/jumpcat
fixture_require "$FWDPIPE" "$JUMPCAT" python3 sha256sum timeout stat
plan_lazy
netns_require

LOSS=5          # per cent of the packets dropped, each way
DELAY=100       # ms added by the relay, each way
SIZE=16         # MiB through each forward

netns_add client
netns_add server
netns_link client server
netns_sshd server || bail "no sshd"
netns_tcpserv server echo || bail "no echo server in the server namespace"
ECHO_S=$TCPSERV_PORT
netns_tcpserv client echo || bail "no echo server in the client namespace"
ECHO_C=$TCPSERV_PORT
netns_delayrelay client "$DELAY" "$SSHD_ADDR:22" || bail "no delay relay"
RELAY=$DELAYRELAY_PORT
netns_known_host "[127.0.0.1]:$RELAY"
PY_CLIENT=$(netns_pycmd client)
PY_SERVER=$(netns_pycmd server)
FWD_PY=$PY_CLIENT
LP=7001 RP=7002 DP=7003

# The transfer client: `xfer PORT FILE [HOST DPORT]` connects to
# 127.0.0.1:PORT (as a SOCKS5 client asking for HOST:DPORT when given),
# sends FILE while reading what comes back, half-closes, and prints
# "SHA256 BYTES MS" of what came back (as much as FILE held, or up to EOF).
# `xfer rtt PORT` prints the fastest of 5 one-byte round trips, in ms,
# after a first one that opens the channel.
PY_XFER='
import hashlib, socket, struct, sys, threading, time
def recv_exact(s, n):
    b = b""
    while len(b) < n:
        d = s.recv(n - len(b))
        if not d:
            raise SystemExit("eof after %d of %d bytes" % (len(b), n))
        b += d
    return b
if sys.argv[1] == "rtt":
    s = socket.create_connection(("127.0.0.1", int(sys.argv[2])), timeout=60)
    best = None
    for i in range(6):
        t0 = time.monotonic()
        s.sendall(b"x")
        recv_exact(s, 1)
        ms = (time.monotonic() - t0) * 1000
        if i > 0 and (best is None or ms < best):
            best = ms
    print(int(best))
    sys.exit(0)
port, path, socks = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
s = socket.create_connection(("127.0.0.1", port), timeout=120)
if socks:
    s.sendall(b"\x05\x01\x00")
    m = recv_exact(s, 2)
    if m != b"\x05\x00":
        raise SystemExit("SOCKS5 method reply %s" % m.hex())
    s.sendall(b"\x05\x01\x00\x01" + socket.inet_aton(socks[0]) + struct.pack(">H", int(socks[1])))
    r = recv_exact(s, 10)
    if r[1] != 0:
        raise SystemExit("SOCKS5 reply %s" % r.hex())
data = open(path, "rb").read()
def send():
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
t0 = time.monotonic()
threading.Thread(target=send, daemon=True).start()
h, n = hashlib.sha256(), 0
while n < len(data):
    d = s.recv(1 << 20)
    if not d:
        break
    h.update(d)
    n += len(d)
print(h.hexdigest(), n, int((time.monotonic() - t0) * 1000))
'

# xfer_in NS ARG...: run the transfer client in namespace NS (client or
# server), bounded; sets XFER (its output line) and XFER_ERR.
xfer_in() {
	local py
	[[ $1 == server ]] && py=$PY_SERVER || py=$PY_CLIENT
	shift
	run timeout 300 "$py" -c "$PY_XFER" "$@"
	XFER=$RUN_OUT XFER_ERR=$RUN_ERR
}

# netns_of PID: the inode of PID's network namespace.
netns_of() {
	stat -L -c %i "/proc/$1/ns/net" 2>/dev/null
}

# --- where everything runs -------------------------------------------------
srv_ns=$(stat -L -c %i "/run/netns/${NETNS[server]}")
cli_ns=$(stat -L -c %i "/run/netns/${NETNS[client]}")
is "$srv_ns" "$(netns_of "$SSHD_PID")" "sshd runs in namespace server (${NETNS[server]})"
ok "... which is not this test's own namespace" test "$srv_ns" != "$(netns_of $$)"
is "$cli_ns" "$(netns_of "$DELAYRELAY_PID")" "the delay relay runs in namespace client"
like "^inet 169\\.254\\.7\\.2/24 " "$(netns_exec server ip -o -4 addr show dev "${NETNS_IF[server]}" | awk '{ print $3 " " $4 " " }')" \
	"the server's veth end has the link-local address 169.254.7.2"
is "169.254.7.2" "$SSHD_ADDR" "sshd listens on the server's link-local address"
routes=$(netns_exec client ip -4 route show | sed 's/ *$//')
is "169.254.7.0/24 dev ${NETNS_IF[client]} proto kernel scope link src 169.254.7.1" "$routes" \
	"the client namespace has one route: the veth link (no way out)"

# --- the link: 5 % loss each way ---------------------------------------------
netns_loss server "$LOSS" || bail "nft failed"
netns_spawn client "$T_TMP/fp.log" "$FWDPIPE" -F "$SSH_CONFIG" -p "$RELAY" \
	--status-socket "$T_TMP/fp.sock" -L "$LP:127.0.0.1:$ECHO_S" \
	-R "$RP:127.0.0.1:$ECHO_C" -D "$DP" 127.0.0.1
FP=$FIXTURE_PID
fwd_wait_status 60 "$T_TMP/fp.sock" forwards.1.state '^up$'
is "up" "$FWD_SEEN" "fwdpipe in namespace client: session up through the relay, -R up" ||
	diag "$(<"$T_TMP/fp.log")"
is "$cli_ns" "$(netns_of "$FP")" "fwdpipe runs in namespace client"
is "up up up" "$(fwd_status "$T_TMP/fp.sock" forwards.0.state forwards.1.state forwards.2.state | tr '\n' ' ' | sed 's/ $//')" \
	"-L, -R and -D are up"

xfer_in client rtt "$LP"
ok "a round trip through -L takes $XFER ms: the relay adds its 2 x $DELAY ms" test "${XFER:-0}" -ge $((2 * DELAY)) ||
	diag "$XFER_ERR"

head -c "${SIZE}M" /dev/urandom >"$T_TMP/data" || bail "no random data"
want=$(sha256sum <"$T_TMP/data")
want="${want%% *} $((SIZE * 1024 * 1024))"

# check_xfer WHAT: the transfer's SHA-256 and size are those sent.
check_xfer() {
	is "$want" "${XFER% *}" "$1: $SIZE MiB to the echo server and back, same SHA-256 (${XFER##* } ms)" ||
		diag "$XFER_ERR" "$(tail -n 5 "$T_TMP/fp.log")"
}

xfer_in client "$LP" "$T_TMP/data"
check_xfer "-L (client ns -> fwdpipe -> sshd -> echo in server ns)"
xfer_in server "$RP" "$T_TMP/data"
check_xfer "-R (server ns -> sshd -> fwdpipe -> echo in client ns)"
xfer_in client "$DP" "$T_TMP/data" 127.0.0.1 "$ECHO_S"
check_xfer "-D (SOCKS5 CONNECT in client ns -> sshd -> echo in server ns)"

t0=$(tap_now_ms)
netns_exec client timeout 300 "$JUMPCAT" -F "$SSH_CONFIG" -J "root@127.0.0.1:$RELAY" \
	127.0.0.1 "$ECHO_S" <"$T_TMP/data" >"$T_TMP/data.jc" 2>"$T_TMP/jc.err"
rc=$?
ms=$(($(tap_now_ms) - t0))
is_int 0 "$rc" "jumpcat -J in namespace client: exit 0" || diag "$(<"$T_TMP/jc.err")"
got=$(sha256sum <"$T_TMP/data.jc")
XFER="${got%% *} $(stat -c %s "$T_TMP/data.jc") $ms"
check_xfer "jumpcat -J (stdin -> sshd -> echo in server ns -> stdout)"

read -r seen dropped _ <<<"$(netns_counters server)"
pct=$(awk -v s="$seen" -v d="$dropped" 'BEGIN { printf "%.1f", s ? 100 * d / s : 0 }')
diag "nft on the server's veth end: $dropped of $seen packets dropped ($pct %)"
ok "the link really was lossy: $pct % of $seen packets dropped (3..7 %)" \
	awk -v p="$pct" -v s="$seen" 'BEGIN { exit !(s > 20000 && p >= 3 && p <= 7) }'
# jumpcat's connection through the relay ends once its last EOF is through.
fixture_wait_log "$DELAYRELAY_LOG" "connection [0-9]+: [0-9]{8,} bytes to target" 10
like "connection [0-9]+: [0-9]{8,} bytes to target" "$(<"$DELAYRELAY_LOG")" \
	"jumpcat's data went through the delay relay (its log counts the bytes)"

# --- the same link, also rate limited -----------------------------------------
RATE=8    # Mbit/s, each way
SMALL=4   # MiB
head -c "${SMALL}M" "$T_TMP/data" >"$T_TMP/small"
small=$(sha256sum <"$T_TMP/small")
netns_rate server "${RATE}mbit" || bail "tc failed"
netns_rate client "${RATE}mbit" || bail "tc failed"
xfer_in client "$LP" "$T_TMP/small"
is "${small%% *} $((SMALL * 1024 * 1024))" "${XFER% *}" \
	"-L with tc tbf $RATE Mbit/s on both veth ends: $SMALL MiB there and back, same SHA-256 (${XFER##* } ms)" ||
	diag "$XFER_ERR"
# 4 MiB each way at 8 Mbit/s take 4.2 s at least (without the limit: ~1 s).
min=$((SMALL * 8 * 1024 * 1024 / (RATE * 1000)))
ok "... and the limit held: ${XFER##* } ms >= $min ms" test "${XFER##* }" -ge "$min"
netns_rate server off
netns_rate client off

is "up" "$(fwd_status "$T_TMP/fp.sock" state)" "fwdpipe's session stayed up throughout"
is_int 0 "$(fwd_status "$T_TMP/fp.sock" reconnects)" "... with no reconnect"

netns_stop_clean "$FP" "$T_TMP/fp.log"
is "0" "$STOP_RC" "SIGTERM: fwdpipe exits 0 (after $STOP_MS ms)"
is "" "$STOP_SAN" "... with no sanitizer report in its log (leaks are reported at exit)"

done_testing
