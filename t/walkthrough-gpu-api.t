#!/bin/bash
# walkthrough-gpu-api.t: README's walk-through "The HTTP API of an internal
# GPU server, through a public host", run as written against local
# stand-ins.  One fixture sshd is "public", a second is the GPU server's
# sshd (22 in the README), and a python3 http.server answering GET / with
# JSON is the GPU server's API (8000 in the README).  Two ssh_config files
# hold the README's Host blocks: the GPU server's (public) and the
# laptop's (public and gpu), with HostName, Port, User and IdentityFile
# pointing at the fixtures.  The commands are the README's, with ports and
# the fingerprint substituted and -F added.  Checked: every command and
# block is in README.md verbatim (WALKTHROUGH_README names another file);
# fwdpipe -R on the GPU side gets the port on public; the first `ssh gpu`
# (through ProxyJump public) records the GPU server's key under the name
# gpu (HostKeyAlias; the test answers "yes" with accept-new); fwdpipe -L
# through gpu and curl get the API's answer; tunnelcheck of the reverse
# tunnel (--ssh, and --hostkey pinned to the GPU server's key: OK; to
# public's: CRITICAL), of the API through both hops (-J gpu --send/--expect)
# and through the laptop's forward; and once the GPU side's fwdpipe stops,
# the reverse-tunnel check is CRITICAL.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016 # the remote shell expands what is in single quotes
# shellcheck disable=SC2001 # sed on multi-line text and blocks

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"

. "$top_srcdir/t/tap/readme.sh"
TOOLS=$(cd "$top_builddir/tools" && pwd)
fixture_require "$TOOLS/fwdpipe" "$TOOLS/tunnelcheck" python3 curl ssh ssh-keygen ss timeout
PATH=$TOOLS:$PATH
# curl goes straight to the forward, whatever proxy the environment names.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
fixture_sshd_start -d public || bail "no sshd for public"
PUB=$SSHD_PORT PUBDIR=$SSHD_DIR PUBCFG=$SSH_CONFIG
fixture_sshd_start -d gpu || bail "no sshd for the GPU server"
GPU=$SSHD_PORT GPUDIR=$SSHD_DIR
ME=$(id -un)
plan_lazy

# ---- the README's text ------------------------------------------------------
BLOCK_PUBLIC='Host public
    HostName public.example.com
    User alice
    ServerAliveInterval 15
    ServerAliveCountMax 3'
BLOCK_GPU='Host gpu
    ProxyJump public
    HostName localhost
    Port 2000
    HostKeyAlias gpu'
C_R='fwdpipe -R 2000:localhost:22 public'
C_SSH='ssh gpu'
C_L='fwdpipe -L 3000:localhost:8000 gpu'
C_CURL='curl http://127.0.0.1:3000/'
C_CHK_SSH='tunnelcheck -J public -H localhost -p 2000 --ssh'
C_CHK_KEY='tunnelcheck -J public -H localhost -p 2000 --hostkey SHA256:'
C_CHK_API="tunnelcheck -J gpu -H localhost -p 8000 --send 'GET / HTTP/1.0\\r\\n\\r\\n' --expect '200 OK'"
C_CHK_FWD="tunnelcheck -H 127.0.0.1 -p 3000 --send 'GET / HTTP/1.0\\r\\n\\r\\n' --expect '200 OK'"

for b in "$BLOCK_PUBLIC" "$BLOCK_GPU"; do
	readme_block "the ${b%%$'\n'*} block, as the test uses it" "$b"
done
for c in "$C_R" "$C_SSH" "$C_L" "$C_CURL" "$C_CHK_SSH" "$C_CHK_KEY" "$C_CHK_API" "$C_CHK_FWD"; do
	ok "README: \$ $c" readme_cmd "$c"
done
# The fingerprint the README pins stands for the GPU server's.
line=$(readme_cmd "$C_CHK_KEY") && C_CHK_KEY=$line || C_CHK_KEY="${C_CHK_KEY}..."

# ---- the stand-ins ------------------------------------------------------------
API_PY='
import http.server, os, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"{\"status\": \"ready\", \"model\": \"demo\", \"gpus\": 4}\n"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
pf = sys.argv[1]
open(pf + ".tmp", "w").write("%d\n" % s.server_address[1])
os.rename(pf + ".tmp", pf)
s.serve_forever()
'
fixture__spawn "$T_TMP/api.log" python3 -c "$API_PY" "$T_TMP/api.port"
fixture__wait_file "$T_TMP/api.port" "$FIXTURE_PID" 10 || bail "the API stand-in did not start"
API=$(<"$T_TMP/api.port")
fixture_free_port || bail "no free port"
RP=$FIXTURE_PORT
while fixture_free_port && LP=$FIXTURE_PORT && [[ $LP == "$RP" ]]; do :; done
GPUFP=$(ssh-keygen -lf "$GPUDIR/ssh_host_ed25519_key.pub" | cut -d' ' -f2)
PUBFP=$(ssh-keygen -lf "$PUBDIR/ssh_host_ed25519_key.pub" | cut -d' ' -f2)

# The fixture's settings (known_hosts, BatchMode, no agent), after the
# README's blocks; its User and IdentityFile lines give way to theirs.
fixture_tail() {
	sed -e "s|^  UserKnownHostsFile .*|  UserKnownHostsFile $1|" "$PUBCFG"
}
# public, as both machines see it: the fixture sshd "public".
public_block() {
	sed -e "s|^    HostName .*|    HostName 127.0.0.1\\n    Port $PUB|" \
		-e "s|^    User .*|    User $ME\\n    IdentityFile $PUBDIR/id_ed25519|" <<<"$BLOCK_PUBLIC"
}
# The GPU server's ~/.ssh/config and known_hosts (public's key).
GCFG=$T_TMP/gpu_config
cp "$PUBDIR/known_hosts" "$T_TMP/gpu_known_hosts"
{ public_block; fixture_tail "$T_TMP/gpu_known_hosts"; } >"$GCFG"
# The laptop's: public's key only, until the first `ssh gpu`.  Its key for
# the GPU server is the one the fixture "gpu" accepts.
LCFG=$T_TMP/laptop_config
KH=$T_TMP/laptop_known_hosts
cp "$PUBDIR/known_hosts" "$KH"
{
	public_block
	echo
	sed -e "s|^    Port .*|    Port $RP|" <<<"$BLOCK_GPU"
	echo "    IdentityFile $GPUDIR/id_ed25519"
	fixture_tail "$KH"
} >"$LCFG"

# sub CFG CMD: the README's command CMD as this test runs it, with the
# ssh_config file CFG; sets ARGV.
sub() {
	local c=$2
	c=${c//2000/$RP}
	c=${c//3000/$LP}
	c=${c//8000/$API}
	c=${c//:22 /:$GPU }
	c=${c/#ssh /ssh -F $1 }
	c=${c/#fwdpipe /fwdpipe -F $1 }
	c=${c/#tunnelcheck -J /tunnelcheck -F $1 -J }
	[[ $c =~ SHA256:[^\ ]* ]] && c=${c/"${BASH_REMATCH[0]}"/$PINNED}
	eval "ARGV=($c)"
}
# show CMD OUTPUT: the command and what it printed, with the README's ports.
show() {
	diag "\$ $1" "$(sed -e "s/\\b$RP\\b/2000/g" -e "s/\\b$LP\\b/3000/g" \
		-e "s/\\b$API\\b/8000/g" -e "s/\\b$GPU\\b/22/g" <<<"$2")"
}
# shown CMD: CMD as shown in the test's output: with the fingerprint pinned.
shown() {
	local c=$1
	[[ $c =~ SHA256:[^\ ]* ]] && c=${c/"${BASH_REMATCH[0]}"/$PINNED}
	printf '%s\n' "$c"
}
N='[0-9]+\.[0-9]+'
IDENT='SSH-2\.0-OpenSSH_[^ ]+( [^|]*)?'
req() {
	sed 's/[][\.*^$+?(){}|/]/\\&/g' <<<"$1"
}
# tc_is RC REGEX CMD: the README's tunnelcheck command CMD (laptop's
# config) exits RC, with nothing on stderr and a first line matching REGEX.
tc_is() {
	sub "$LCFG" "$3"
	run timeout 60 "${ARGV[@]}" </dev/null
	show "$(shown "$3")" "$RUN_OUT"
	like "^exit $1, stderr '', $2" "exit $RUN_RC, stderr '$RUN_ERR', ${RUN_OUT%%$'\n'*}" "\$ $3${4:+ ($4)}"
}

# ---- on the GPU server: the reverse tunnel ------------------------------------
RLOG=$T_TMP/fwdpipe-R.log
sub "$GCFG" "$C_R"
"${ARGV[@]}" 2>"$RLOG" &
RPID=$!
fixture_atexit "kill $RPID 2>/dev/null"
fixture_wait_log "$RLOG" '^fwdpipe: connected to public$' 20
ok "gpu\$ $C_R: connected to public" test $? -eq 0 || diag "$(<"$RLOG")"
# The forward is requested after the login: wait until public listens.
for ((i = 0; i < 500; i++)); do
	[[ -n $(ss -Hltn "sport = :$RP") ]] && break
	sleep 0.02
done
ok "... and public listens on port 2000 (here $RP)" test -n "$(ss -Hltn "sport = :$RP")"
show "$C_R" "$(<"$RLOG")"

# ---- on the laptop ------------------------------------------------------------
PINNED=$GPUFP
tc_is 0 "TUNNEL OK - localhost port $RP via jump public: $IDENT in $N s \\| " "$C_CHK_SSH"
tc_is 0 "TUNNEL OK - localhost port $RP via jump public: $IDENT, host key $(req "$GPUFP") pinned in $N s \\| " \
	"$C_CHK_KEY" "the GPU server's fingerprint"
PINNED=$PUBFP
tc_is 2 "TUNNEL CRITICAL - localhost: host key ssh-ed25519 $(req "$GPUFP") does not match the pinned $(req "$PUBFP") via jump public \\| " \
	"$C_CHK_KEY" "public's fingerprint instead: CRITICAL, so it is the GPU server that answers"

# The first login records the GPU server's key as "gpu" (the reader answers
# yes to ssh's question; the test says accept-new).
sub "$LCFG" "$C_SSH"
run timeout 30 "${ARGV[0]}" -o StrictHostKeyChecking=accept-new "${ARGV[@]:1}" \
	'echo "logged in as $USER on the GPU server, port $(echo $SSH_CONNECTION | cut -d" " -f4)"' </dev/null
is "0:logged in as $ME on the GPU server, port $GPU" "$RUN_RC:$RUN_OUT" \
	"laptop\$ $C_SSH: through public, onto the GPU server's sshd" || diag "$RUN_ERR"
is "gpu $(cut -d' ' -f1-2 "$GPUDIR/ssh_host_ed25519_key.pub")" "$(grep '^gpu ' "$KH")" \
	"... its host key is now in known_hosts under the name gpu (HostKeyAlias)"

LLOG=$T_TMP/fwdpipe-L.log
sub "$LCFG" "$C_L"
"${ARGV[@]}" 2>"$LLOG" &
LPID=$!
fixture_atexit "kill $LPID 2>/dev/null"
fixture_wait_log "$LLOG" '^fwdpipe: connected to gpu$' 20
ok "laptop\$ $C_L: connected to gpu (through public)" test $? -eq 0 || diag "$(<"$LLOG")"
show "$C_L" "$(<"$LLOG")"
sub "$LCFG" "$C_CURL"
run timeout 20 "${ARGV[@]}" -sS
show "$C_CURL" "$RUN_OUT"
is '0:{"status": "ready", "model": "demo", "gpus": 4}' "$RUN_RC:$RUN_OUT" "laptop\$ $C_CURL: the API's answer"

tc_is 0 "TUNNEL OK - connected to localhost port $API via jump gpu, answer matched in $N s \\| " "$C_CHK_API"
tc_is 0 "TUNNEL OK - connected to 127\\.0\\.0\\.1 port $LP, answer matched in $N s \\| " "$C_CHK_FWD"

# The GPU side's fwdpipe stops: public lets go of port 2000.
kill -TERM "$RPID"
rc=0
wait "$RPID" || rc=$?
is_int 0 "$rc" "the GPU server's fwdpipe stops (SIGTERM): exit 0"
for ((i = 0; i < 250; i++)); do
	[[ -z $(ss -Hltn "sport = :$RP") ]] && break
	sleep 0.02
done
PINNED=$GPUFP
tc_is 2 "TUNNEL CRITICAL - public: cannot open a channel to localhost:$RP: [^|]* via jump public \\| " \
	"$C_CHK_SSH" "the reverse tunnel is down"

kill -TERM "$LPID"
wait "$LPID"
done_testing
