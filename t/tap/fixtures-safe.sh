# fixtures-safe.sh: helpers for the safe-defaults tests (t/safe-*.t).
# SPDX-License-Identifier: MIT
#
# Source it after libtap.sh and fixtures.sh (and fixtures-fwd.sh where
# fwdpipe runs).  It gives what those tests share: a target server that
# counts the connections it gets (the proof that no channel was opened for
# a refused request), a raw SOCKS client that prints what came back, the
# listening addresses of one process, and a search for a secret in any of
# the encodings a leak could take.
#
#   safe_counter [-6]         an echo server on 127.0.0.1 (::1 with -6)
#                             that appends "accept" to a file for each
#                             connection; sets SAFE_COUNTER_PORT and
#                             SAFE_COUNTER_FILE (read it with safe_count)
#   safe_count FILE           how many connections the counter FILE holds
#   safe_socks PORT VER CMD HOST DPORT [USERID]
#                             one SOCKS request to 127.0.0.1:PORT; VER 5
#                             (greeting "no auth", then the request; the
#                             address type from HOST: IPv4, IPv6 with ':',
#                             else a name) or 4 (SOCKS4, or SOCKS4a when
#                             HOST is not an IPv4 address); CMD 1 CONNECT,
#                             2 BIND, 3 UDP ASSOCIATE, or any byte.  Sets
#                             RUN_OUT to "METHOD REPLY HOW": the method
#                             reply in hex ("-" for SOCKS4), the request's
#                             reply in hex, and "echo" (a granted request
#                             carried a token both ways), or how the server
#                             ended: "eof", "reset", "timeout"
#   safe_listen_addrs PID     the local addresses of PID's listening TCP
#                             sockets, "ADDR:PORT" (IPv6 in brackets),
#                             sorted, one a line (from ss -ltnp)
#   safe_leaks SECRET USER FILE...
#                             print the names of FILEs that hold SECRET as
#                             it is, hex-encoded, or base64-encoded alone
#                             or as "USER:SECRET" (HTTP Basic); nothing if
#                             none does
#   safe_cmdline PID          PID's argv from /proc, NULs as spaces
#   safe_wait_up SECS SOCK    wait until fwdpipe's status socket SOCK says
#                             the session and every forward are up
#   safe_wait_count FILE REGEX N SECS
#                             wait until N lines of FILE match REGEX
# shellcheck disable=SC2034 # variables for the caller

SAFE__PY_COUNTER='
import os, socket, sys, threading
fam = socket.AF_INET6 if sys.argv[1] == "6" else socket.AF_INET
addr, count, pf = ("::1" if fam == socket.AF_INET6 else "127.0.0.1"), sys.argv[2], sys.argv[3]
s = socket.socket(fam, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((addr, 0))
s.listen(64)
def serve(c):
    try:
        while True:
            d = c.recv(65536)
            if not d:
                break
            c.sendall(d)
    except OSError:
        pass
    c.close()
with open(pf + ".tmp", "w") as f:
    f.write("%d\n" % s.getsockname()[1])
os.rename(pf + ".tmp", pf)
while True:
    c, _ = s.accept()
    with open(count, "a") as f:
        f.write("accept\n")
    threading.Thread(target=serve, args=(c,), daemon=True).start()
'

# safe_counter [-6]: see the top of this file.
safe_counter() {
	local fam=4 pf
	[[ ${1-} == -6 ]] && fam=6
	fixture_require python3 || return 1
	FIXTURE__SEQ=$((FIXTURE__SEQ + 1))
	pf=$T_TMP/counter.$FIXTURE__SEQ.port
	SAFE_COUNTER_FILE=$T_TMP/counter.$FIXTURE__SEQ.count
	: >"$SAFE_COUNTER_FILE"
	fixture__spawn "$pf.log" python3 -c "$SAFE__PY_COUNTER" "$fam" "$SAFE_COUNTER_FILE" "$pf"
	fixture__wait_file "$pf" "$FIXTURE_PID" 10 || {
		fixture_fail "counting server did not start: $(fixture__tail "$pf.log")"
		return 1
	}
	SAFE_COUNTER_PORT=$(<"$pf")
}

# safe_count FILE: see the top of this file.
safe_count() {
	grep -c '^accept$' "$1"
}

SAFE__PY_SOCKS='
import ipaddress, os, socket, struct, sys
port, ver, cmd, host, dport = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
userid = sys.argv[6].encode() if len(sys.argv) > 6 else b"hopkit"
s = socket.create_connection(("127.0.0.1", port), timeout=20)
def recv_exact(n):
    b = b""
    try:
        while len(b) < n:
            d = s.recv(n - len(b))
            if not d:
                break
            b += d
    except OSError:
        pass
    return b
def drain():
    s.settimeout(10)
    try:
        while True:
            if not s.recv(65536):
                return "eof"
    except socket.timeout:
        return "timeout"
    except OSError:
        return "reset"
def kind(h):
    try:
        return ipaddress.ip_address(h).version
    except ValueError:
        return 0
method = "-"
if ver == 5:
    s.sendall(b"\x05\x01\x00")
    method = recv_exact(2).hex()
    k = kind(host)
    if k == 4:
        a = b"\x01" + socket.inet_aton(host)
    elif k == 6:
        a = b"\x04" + socket.inet_pton(socket.AF_INET6, host)
    else:
        a = b"\x03" + bytes([len(host)]) + host.encode()
    s.sendall(bytes([5, cmd, 0]) + a + struct.pack(">H", dport))
    rep = recv_exact(10)
    granted = len(rep) == 10 and rep[1] == 0
else:
    if kind(host) == 4:
        req = b"\x04" + bytes([cmd]) + struct.pack(">H", dport) + socket.inet_aton(host) + userid + b"\x00"
    else:
        req = b"\x04" + bytes([cmd]) + struct.pack(">H", dport) + b"\x00\x00\x00\x01" + userid + b"\x00" + host.encode() + b"\x00"
    s.sendall(req)
    rep = recv_exact(8)
    granted = len(rep) == 8 and rep[1] == 0x5a
if granted:
    tok = os.urandom(16).hex().encode()
    s.sendall(tok)
    s.settimeout(20)
    b = b""
    while len(b) < len(tok):
        d = s.recv(4096)
        if not d:
            break
        b += d
    how = "echo" if b == tok else "noecho"
else:
    how = drain()
print(method, rep.hex() or "-", how)
'

# safe_socks PORT VER CMD HOST DPORT [USERID]: see the top of this file.
safe_socks() {
	run timeout 60 python3 -c "$SAFE__PY_SOCKS" "$@"
}

# safe_listen_addrs PID: see the top of this file.
safe_listen_addrs() {
	ss -Hltnp 2>/dev/null | awk -v pid="pid=$1," '
		index($0, pid) { print $4 }' | sort -u
}

# safe_leaks SECRET USER FILE...: see the top of this file.
safe_leaks() {
	local secret=$1 user=$2 f hex b64 b64u
	shift 2
	hex=$(printf '%s' "$secret" | od -An -tx1 | tr -d ' \n')
	b64=$(printf '%s' "$secret" | base64 -w0)
	b64u=$(printf '%s:%s' "$user" "$secret" | base64 -w0)
	for f in "$@"; do
		[[ -e $f ]] || continue
		if grep -qaF -e "$secret" -e "$b64" -e "$b64u" -- "$f" ||
			grep -qaiF -e "$hex" -- "$f"; then
			echo "$f"
		fi
	done
}

# safe_cmdline PID: see the top of this file.
safe_cmdline() {
	tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null
}

# safe_wait_up SECS SOCK: see the top of this file.
safe_wait_up() {
	local end
	end=$(($(fixture__now_us) + $1 * 1000000))
	until fwd_status "$2" | python3 -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(0 if d["state"] == "up" and all(f["state"] == "up" for f in d["forwards"]) else 1)' 2>/dev/null; do
		(($(fixture__now_us) < end)) || return 1
		sleep 0.05
	done
}

# safe_wait_count FILE REGEX N SECS: see the top of this file.
safe_wait_count() {
	local end
	end=$(($(fixture__now_us) + $4 * 1000000))
	until (($(grep -cE -e "$2" -- "$1" 2>/dev/null) >= $3)); do
		(($(fixture__now_us) < end)) || return 1
		sleep 0.02
	done
}
