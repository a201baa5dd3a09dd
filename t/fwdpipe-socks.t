#!/bin/bash
# fwdpipe-socks.t: the SOCKS server of fwdpipe -D, end to end, with raw
# python3 sockets against a running fwdpipe, a real sshd and a tcpserv echo
# server: a SOCKS5 greeting without "no authentication" gets 05 FF; BIND,
# UDP ASSOCIATE (REP 07) and a bad address type (REP 08) are refused; an
# HTTP request on the SOCKS port is closed; SOCKS4 to an address and
# SOCKS4a to a name are granted (0x5a) and carry data; SOCKS5 CONNECT to a
# closed port gets REP 05; data sent in the same send() as the greeting
# and request arrives intact; a client that says nothing is dropped after
# the 10 s handshake timeout while others keep working; and through all
# this fwdpipe keeps running and forwarding.
# SPDX-License-Identifier: MIT

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"
. "$top_srcdir/t/tap/fixtures-fwd.sh"

FWDPIPE=$top_builddir/tools/fwdpipe
JUMPCAT=$top_builddir/tools/jumpcat
fixture_require "$FWDPIPE" "$JUMPCAT" python3 timeout
fixture_sshd_start || bail "no sshd"
fixture_tcpserv echo
ECHO=$TCPSERV_PORT
fixture_free_port
DP=$FIXTURE_PORT
fixture_free_port
PCLOSED=$FIXTURE_PORT
[[ $PCLOSED != "$DP" ]] || { fixture_free_port; PCLOSED=$FIXTURE_PORT; }
plan_lazy

# The SOCKS client: `socks CASE [ARG...]` talks to 127.0.0.1:$DP and prints
# one line saying what came back: bytes in hex, then how the connection
# ended ("eof", "reset", "timeout") or what the data did ("echo").
PY_SOCKS='
import os, socket, struct, sys, threading, time
port, case, args = int(sys.argv[1]), sys.argv[2], sys.argv[3:]

def conn():
    return socket.create_connection(("127.0.0.1", port), timeout=15)

def recv_exact(s, n):
    b = b""
    while len(b) < n:
        d = s.recv(n - len(b))
        if not d:
            break
        b += d
    return b

def drain(s, secs):
    """Read until the far side ends: (bytes, "eof"|"reset"|"timeout")."""
    s.settimeout(secs)
    b = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                return b, "eof"
            b += d
    except socket.timeout:
        return b, "timeout"
    except OSError:
        return b, "reset"

def s5_request(cmd, atyp, addr, dport):
    if atyp == 3:
        a = bytes([len(addr)]) + addr.encode()
    elif atyp == 1:
        a = socket.inet_aton(addr)
    else:
        a = addr
    return bytes([5, cmd, 0, atyp]) + a + struct.pack(">H", dport)

def s5_method(s):
    s.sendall(b"\x05\x01\x00")
    return recv_exact(s, 2).hex()

def echo_ok(s):
    tok = os.urandom(16).hex().encode()
    s.sendall(tok)
    return recv_exact(s, len(tok)) == tok

if case == "noauth":
    # Offers username/password (02) only.
    s = conn()
    s.sendall(b"\x05\x01\x02")
    b, how = drain(s, 10)
    print(b.hex(), how)
elif case == "cmd":
    # VER CMD RSV ATYP ...: cmd and atyp from the arguments.
    cmd, atyp = int(args[0]), int(args[1])
    s = conn()
    m = s5_method(s)
    if atyp in (1, 3):
        req = s5_request(cmd, atyp, "127.0.0.1", int(args[2]))
    else:
        req = s5_request(cmd, atyp, b"\x7f\x00\x00\x01", int(args[2]))
    s.sendall(req)
    b, how = drain(s, 10)
    print(m, b.hex(), how)
elif case == "connect5":
    # SOCKS5 CONNECT to args[0] (an IPv4 address or a name) port args[1].
    host, dport = args[0], int(args[1])
    atyp = 1 if host.replace(".", "").isdigit() else 3
    s = conn()
    m = s5_method(s)
    s.sendall(s5_request(1, atyp, host, dport))
    rep = recv_exact(s, 10)
    if len(rep) == 10 and rep[1] == 0:
        print(m, rep.hex(), "echo" if echo_ok(s) else "noecho")
    else:
        b, how = drain(s, 10)
        print(m, (rep + b).hex(), how)
elif case == "http":
    s = conn()
    s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    b, how = drain(s, 12)
    print(b.hex() or "-", how)
elif case in ("socks4", "socks4a"):
    dport = int(args[0])
    s = conn()
    if case == "socks4":
        s.sendall(b"\x04\x01" + struct.pack(">H", dport) + socket.inet_aton("127.0.0.1") + b"hopkit\x00")
    else:
        s.sendall(b"\x04\x01" + struct.pack(">H", dport) + b"\x00\x00\x00\x01" + b"hopkit\x00localhost\x00")
    rep = recv_exact(s, 8)
    print(rep.hex(), "echo" if len(rep) == 8 and rep[1] == 0x5a and echo_ok(s) else "noecho")
elif case == "pipelined":
    # Greeting, request and data in one send(); a thread reads meanwhile.
    dport, size = int(args[0]), int(args[1])
    data = os.urandom(size)
    s = conn()
    got = []
    def reader():
        b, how = drain(s, 30)
        got.append((b, how))
    t = threading.Thread(target=reader)
    t.start()
    s.sendall(b"\x05\x01\x00" + s5_request(1, 3, "localhost", dport) + data)
    s.shutdown(socket.SHUT_WR)
    t.join()
    b, how = got[0]
    head, rest = b[:12], b[12:]
    print(head.hex(), "intact" if rest == data else "%d of %d bytes back" % (len(rest), size), how)
elif case == "idle":
    # Connect (args[0] "greet": send the greeting first) and wait.
    s = conn()
    t0 = time.monotonic()
    m = s5_method(s) if args and args[0] == "greet" else "-"
    b, how = drain(s, 20)
    print(m, how, "%.1f" % (time.monotonic() - t0))
'

# socks CASE [ARG...]: run the client; sets RUN_OUT, RUN_RC, RUN_ERR.
socks() {
	run timeout 40 python3 -c "$PY_SOCKS" "$DP" "$@"
}

SOCK=$T_TMP/d.sock
"$FWDPIPE" -F "$SSH_CONFIG" -p "$SSHD_PORT" -D "$DP" --status-socket "$SOCK" 127.0.0.1 2>"$T_TMP/d.log" &
FP=$!
fixture_atexit "kill $FP 2>/dev/null"
if ! fwd_wait_status 20 "$SOCK" forwards.0.state '^up$' || ! fwd_wait_status 20 "$SOCK" state '^up$'; then
	bail "fwdpipe -D did not come up: $(<"$T_TMP/d.log")"
fi

# The idle clients first: they run (10 s) while the rest is tested.
python3 -c "$PY_SOCKS" "$DP" idle >"$T_TMP/idle.out" 2>&1 &
IDLE=$!
python3 -c "$PY_SOCKS" "$DP" idle greet >"$T_TMP/idle2.out" 2>&1 &
IDLE2=$!

socks noauth
like '^05ff (eof|reset)$' "$RUN_OUT" "SOCKS5 greeting without \"no auth\": 05 FF, then closed"
socks cmd 2 1 "$ECHO"
like '^0500 0507[0-9a-f]{16} (eof|reset)$' "$RUN_OUT" "SOCKS5 BIND: REP 07, then closed"
socks cmd 3 1 "$ECHO"
like '^0500 0507[0-9a-f]{16} (eof|reset)$' "$RUN_OUT" "SOCKS5 UDP ASSOCIATE: REP 07, then closed"
socks cmd 1 5 "$ECHO"
like '^0500 0508[0-9a-f]{16} (eof|reset)$' "$RUN_OUT" "SOCKS5 with ATYP 5: REP 08, then closed"
socks http
like ' (eof|reset)$' "$RUN_OUT" "an HTTP request (version byte 'G'): closed"
ok "... and fwdpipe still runs" kill -0 "$FP"

socks socks4 "$ECHO"
like '^005a[0-9a-f]{12} echo$' "$RUN_OUT" "SOCKS4 CONNECT to 127.0.0.1: granted (5a), then data echoes"
socks socks4a "$ECHO"
like '^005a[0-9a-f]{12} echo$' "$RUN_OUT" "SOCKS4a CONNECT to \"localhost\": granted (5a), then data echoes"
socks connect5 127.0.0.1 "$ECHO"
like '^0500 050000[0-9a-f]{14} echo$' "$RUN_OUT" "SOCKS5 CONNECT to 127.0.0.1: REP 00, then data echoes"
socks connect5 localhost "$ECHO"
like '^0500 050000[0-9a-f]{14} echo$' "$RUN_OUT" "SOCKS5 CONNECT to \"localhost\": REP 00, then data echoes"
socks connect5 127.0.0.1 "$PCLOSED"
like '^0500 0505[0-9a-f]{16} (eof|reset)$' "$RUN_OUT" \
	"SOCKS5 CONNECT to a closed port on the server's side: REP 05 (connection refused)"
ok "... and fwdpipe still runs" kill -0 "$FP"

socks pipelined "$ECHO" 1000
like '^0500050000[0-9a-f]{14} intact eof$' "$RUN_OUT" \
	"greeting, request and 1000 bytes in one send(): REP 00 and the bytes echo back intact"
socks pipelined "$ECHO" 262144
like '^0500050000[0-9a-f]{14} intact eof$' "$RUN_OUT" \
	"greeting, request and 256 KiB in one send(): REP 00 and the bytes echo back intact"

# The idle clients were there all along; the others were served meanwhile.
wait "$IDLE" "$IDLE2"
read -r _ how secs <"$T_TMP/idle.out"
like '^(eof|reset)$' "$how" "a client that sends nothing is dropped" || diag "$(<"$T_TMP/idle.out")"
ok "... after the handshake timeout: ${secs} s (9 to 13)" python3 -c \
	'import sys; sys.exit(0 if 9 <= float(sys.argv[1]) <= 13 else 1)' "${secs:-0}"
read -r m how secs <"$T_TMP/idle2.out"
is "0500 $how" "$m eof" "a client that sends the greeting only: 05 00, then dropped" ||
	diag "$(<"$T_TMP/idle2.out")"
ok "... after the handshake timeout: ${secs} s (9 to 13)" python3 -c \
	'import sys; sys.exit(0 if 9 <= float(sys.argv[1]) <= 13 else 1)' "${secs:-0}"

# After all that, fwdpipe runs and forwards.
ok "fwdpipe still runs" kill -0 "$FP"
echo "still-forwarding" >"$T_TMP/in"
run timeout 20 "$JUMPCAT" -x "socks5h://127.0.0.1:$DP" localhost "$ECHO" <"$T_TMP/in"
is "0:still-forwarding" "$RUN_RC:$RUN_OUT" "fwdpipe still forwards SOCKS5 (jumpcat -x socks5h://)"
fwd_wait_status 10 "$SOCK" channels '^0$'
is "0" "$FWD_SEEN" "no channel left open"
is "up" "$(fwd_status "$SOCK" state)" "the session stayed up"
is_int 0 "$(fwd_status "$SOCK" reconnects)" "... without a reconnect"
kill -TERM "$FP"
rc=0
wait "$FP" || rc=$?
is_int 0 "$rc" "SIGTERM: exit 0"

done_testing
