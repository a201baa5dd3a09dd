#!/bin/bash
# walkthrough-database.t: README's walk-through "A database that only
# listens on the bastion's loopback", run as written against local
# stand-ins.  The fixture sshd is the bastion; a python3 server that greets
# like MySQL 8 (a protocol 10 handshake naming caching_sha2_password) is the
# database on the bastion's loopback (3306 in the README).  The README's
# Host block is used with HostName, Port, User and IdentityFile pointing at
# the fixture; the commands are the README's, with ports substituted and -F
# added.  Checked: every command and the Host block are in README.md
# verbatim (WALKTHROUGH_README names another file); fwdpipe -L logs what the
# README shows; a client reads the greeting through 9906; tunnelcheck
# through the forward (--expect) and through the bastion (-J, --expect) is
# OK; with the bastion down, a TCP check of 9906 is still OK but --expect is
# CRITICAL; the bastion back, the forward works again; and with 9906 taken,
# ExitOnForwardFailure makes fwdpipe exit 1 at once.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2317 # functions run through ok and run

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"
. "$top_srcdir/t/tap/fixtures-fwd.sh"

. "$top_srcdir/t/tap/readme.sh"
TOOLS=$(cd "$top_builddir/tools" && pwd)
fixture_require "$TOOLS/fwdpipe" "$TOOLS/tunnelcheck" "$TOOLS/jumpcat" python3 ps pgrep
# The README's commands name the tools bare: the built ones come first.
PATH=$TOOLS:$PATH
fixture_sshd_start || bail "no sshd"
ME=$(id -un)
plan_lazy

# ---- the README's text ------------------------------------------------------
BLOCK='Host bastion
    HostName bastion.example.com
    User deploy
    IdentityFile ~/.ssh/id_ed25519
    ServerAliveInterval 15
    ServerAliveCountMax 3
    ExitOnForwardFailure yes'
C_FWD='fwdpipe -L 9906:127.0.0.1:3306 bastion'
C_CHECK='tunnelcheck -H 127.0.0.1 -p 9906 --expect caching_sha2_password'
C_CHECK_TCP='tunnelcheck -H 127.0.0.1 -p 9906'
C_CHECK_J='tunnelcheck -J bastion -H 127.0.0.1 -p 3306 --expect caching_sha2_password'

readme_block "the Host bastion block, as the test uses it" "$BLOCK"
for c in "$C_FWD" "$C_CHECK" "$C_CHECK_TCP" "$C_CHECK_J"; do
	ok "README: \$ $c" readme_cmd "$c"
done

# ---- the stand-ins ------------------------------------------------------------
# The database: greets each client like MySQL 8.0 (protocol 10, the
# default plugin caching_sha2_password), then reads until the client goes.
MYSQL_PY='
import os, socket, struct, sys, threading
pf = sys.argv[1]
payload = (b"\x0a" + b"8.0.36\x00" + struct.pack("<I", 7) + b"abcdefgh\x00"
    + struct.pack("<H", 0xffff) + b"\xff" + struct.pack("<H", 2)
    + struct.pack("<H", 0xdfff) + b"\x15" + b"\x00" * 10 + b"ijklmnopqrst\x00"
    + b"caching_sha2_password\x00")
greeting = struct.pack("<I", len(payload))[:3] + b"\x00" + payload
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
def serve(c):
    try:
        c.sendall(greeting)
        while c.recv(65536):
            pass
    except OSError:
        pass
    c.close()
open(pf + ".tmp", "w").write("%d\n" % s.getsockname()[1])
os.rename(pf + ".tmp", pf)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
'
fixture__spawn "$T_TMP/mysql.log" python3 -c "$MYSQL_PY" "$T_TMP/mysql.port"
fixture__wait_file "$T_TMP/mysql.port" "$FIXTURE_PID" 10 || bail "the database stand-in did not start"
DB=$(<"$T_TMP/mysql.port")

# The client: reads the greeting and prints the server version and plugin.
CLIENT_PY='
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
buf = b""
while len(buf) < 4 or len(buf) < 4 + int.from_bytes(buf[:3], "little"):
    d = s.recv(4096)
    if not d:
        break
    buf += d
p = buf[4:]
version = p[1:p.index(b"\x00", 1)].decode()
print("server %s, auth plugin %s" % (version, p.rstrip(b"\x00").rsplit(b"\x00", 1)[1].decode()))
'
mysql_client() {
	python3 -c "$CLIENT_PY" "$1"
}

fixture_free_port || bail "no free port"
LP=$FIXTURE_PORT
# The test's ~/.ssh/config: the README's block, pointed at the fixture,
# then the fixture's own settings (known_hosts, BatchMode) without its
# ConnectTimeout, so that fwdpipe's default (15 s) applies as for the
# README's reader.
CFG=$T_TMP/wt_config
{
	sed -e "s|^    HostName .*|    HostName 127.0.0.1\\n    Port $SSHD_PORT|" \
		-e "s|^    User .*|    User $ME|" \
		-e "s|^    IdentityFile .*|    IdentityFile $SSHD_DIR/id_ed25519|" <<<"$BLOCK"
	grep -v ConnectTimeout "$SSH_CONFIG"
} >"$CFG"

# sub CMD: the README's command CMD as this test runs it (ports of the
# stand-ins, -F for the test's ssh_config); sets ARGV.
sub() {
	local c=$1
	c=${c//9906/$LP}
	c=${c//3306/$DB}
	c=${c/#fwdpipe /fwdpipe -F $CFG }
	c=${c/#tunnelcheck -J /tunnelcheck -F $CFG -J }
	eval "ARGV=($c)"
}
# show CMD OUTPUT: the command and what it printed, as the README shows them.
show() {
	diag "\$ $1" "$(sed -e "s/\\b$LP\\b/9906/g" -e "s/\\b$DB\\b/3306/g" <<<"$2")"
}
# tc_is RC REGEX CMD: one test: the README's tunnelcheck command CMD exits
# RC, with nothing on stderr and a first line of stdout matching REGEX.
tc_is() {
	sub "$3"
	run timeout 60 "${ARGV[@]}" </dev/null
	show "$3" "$RUN_OUT"
	like "^exit $1, stderr '', $2" "exit $RUN_RC, stderr '$RUN_ERR', ${RUN_OUT%%$'\n'*}" "\$ $3"
}

# ---- the walk-through ---------------------------------------------------------
LOG=$T_TMP/fwdpipe.log
sub "$C_FWD"
"${ARGV[@]}" 2>"$LOG" &
FP=$!
fixture_atexit "kill $FP 2>/dev/null"
fixture_wait_log "$LOG" '^fwdpipe: connected to bastion$' 20
ok "\$ $C_FWD: connected" test $? -eq 0 || diag "$(<"$LOG")"
show "$C_FWD" "$(<"$LOG")"
is "fwdpipe: -L localhost:$LP:127.0.0.1:$DB: listening on 127.0.0.1 port $LP
fwdpipe: connected to bastion" "$(<"$LOG")" "... its two lines, as the README shows them"

run mysql_client "$LP"
is "server 8.0.36, auth plugin caching_sha2_password" "$RUN_OUT" \
	"a client on 127.0.0.1:9906 gets the database's greeting"

N='[0-9]+\.[0-9]+'
tc_is 0 "TUNNEL OK - connected to 127\\.0\\.0\\.1 port $LP, answer matched in $N s \\| " "$C_CHECK"
tc_is 0 "TUNNEL OK - connected to 127\\.0\\.0\\.1 port $DB via jump bastion, answer matched in $N s \\| 'time_hop'" "$C_CHECK_J"

# The bastion goes down: fwdpipe still accepts on 9906, so only the
# greeting tells.
fwd_sshd_down || bail "could not stop the bastion's sshd"
fixture_wait_log "$LOG" '^fwdpipe: warning: bastion: connection closed by the server; ' 10
ok "the bastion down: fwdpipe logs the loss" test $? -eq 0 || diag "$(<"$LOG")"
tc_is 0 "TUNNEL OK - connected to 127\\.0\\.0\\.1 port $LP in $N s \\| " "$C_CHECK_TCP"
tc_is 2 "TUNNEL CRITICAL - timed out after 10 s waiting for [^|]*\\| " "$C_CHECK"
fwd_sshd_up || bail "the bastion's sshd did not come back"
fixture_wait_log "$LOG" '^fwdpipe: reconnected to bastion \(reconnect 1\)$' 20
ok "the bastion is back: fwdpipe reconnected" test $? -eq 0 || diag "$(<"$LOG")"
show "(fwdpipe's log)" "$(tail -n 4 "$LOG")"
tc_is 0 "TUNNEL OK - connected to 127\\.0\\.0\\.1 port $LP, answer matched in $N s \\| " "$C_CHECK"
run mysql_client "$LP"
is "server 8.0.36, auth plugin caching_sha2_password" "$RUN_OUT" "... and the client gets the greeting again"

# Port 9906 taken (here: by the running fwdpipe): ExitOnForwardFailure
# from the Host block makes the second one exit 1 at once.
sub "$C_FWD"
run timeout 20 "${ARGV[@]}" </dev/null
show "$C_FWD" "$RUN_ERR"
is_int 1 "$RUN_RC" "9906 already taken: a second fwdpipe exits 1 (ExitOnForwardFailure yes)"
like "^fwdpipe: -L localhost:$LP:127\\.0\\.0\\.1:$DB: cannot listen on port $LP: Address already in use" \
	"$RUN_ERR" "... saying the port is in use"

kill -TERM "$FP"
rc=0
wait "$FP" || rc=$?
is_int 0 "$rc" "fwdpipe stops on SIGTERM (Ctrl-C in the README), exit 0"

done_testing
