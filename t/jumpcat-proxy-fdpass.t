#!/bin/bash
# jumpcat-proxy-fdpass.t: jumpcat --fdpass through proxies, as ssh's
# ProxyCommand with ProxyUseFdpass yes.  With --fdpass the proxy's replies
# are read with MSG_PEEK and only their own bytes are taken from the
# socket, so tunnel bytes that came with the reply (the SSH banner in the
# same write as "200", t/helper/fakeproxy's http-tunnel mode) stay in it
# for ssh.  ssh logs in and runs a command through http-tunnel, a Digest
# proxy that keeps the connection after its 407 (whose body must be
# skipped to the byte), one that closes it, tinyproxy, microsocks and the
# SOCKS4 fakeproxy.  ssh waits for its ProxyCommand to exit before it
# speaks, so each login also shows that jumpcat handed the socket over
# and left.
# SPDX-License-Identifier: MIT

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"

JUMPCAT=$top_builddir/tools/jumpcat
fixture_require "$JUMPCAT" timeout ssh
fixture_tmpdir
fixture_sshd_start
PASSWORD="fdp4ss-$RANDOM-pw"
fixture_fakeproxy http-tunnel
PTUN=$FAKEPROXY_PORT
LTUN=$FAKEPROXY_LOG
fixture_fakeproxy http-digest-sha256 -a "alice:$PASSWORD"
PKEEP=$FAKEPROXY_PORT
LKEEP=$FAKEPROXY_LOG
fixture_fakeproxy http-digest-md5 -a "alice:$PASSWORD"
PCLOSE=$FAKEPROXY_PORT
fixture_fakeproxy socks4
PS4=$FAKEPROXY_PORT
fixture_tinyproxy
PTINY=$TINYPROXY_PORT
fixture_microsocks
PSOCKS=$MICROSOCKS_PORT
plan_lazy

# login DESC URL: ssh, with jumpcat --fdpass -x URL as its ProxyCommand
# and ProxyUseFdpass, logs in and runs a command.  The Digest proxies'
# credentials come from the environment.
login() {
	local desc=$1 url=$2
	run env JUMPCAT_PROXY_USER=alice "JUMPCAT_PROXY_PASSWORD=$PASSWORD" \
		timeout 60 ssh -F "$SSH_CONFIG" -p "$SSHD_PORT" -o ProxyUseFdpass=yes \
		-o "ProxyCommand=$JUMPCAT --fdpass -x $url %h %p" \
		127.0.0.1 echo fdpass-login </dev/null
	is "0:fdpass-login" "$RUN_RC:$RUN_OUT" "$desc: ssh logged in over the passed socket" ||
		diag "ssh stderr: $RUN_ERR"
}

login "http-tunnel (SSH banner in the same write as the 200)" "http://127.0.0.1:$PTUN"
like "sent the 200 reply and [1-9][0-9]* tunnel bytes in one write" "$(<"$LTUN")" \
	"http-tunnel: the banner did come with the reply"
login "Digest, connection kept after the 407" "http://127.0.0.1:$PKEEP"
like "request 2 on this connection: Digest SHA-256 ok" "$(<"$LKEEP")" \
	"Digest, connection kept: the 407's body was skipped and CONNECT sent again on it"
login "Digest, connection closed after the 407" "http://127.0.0.1:$PCLOSE"
login "tinyproxy" "http://127.0.0.1:$PTINY"
login "microsocks (socks5h)" "socks5h://127.0.0.1:$PSOCKS"
login "microsocks (socks5)" "socks5://127.0.0.1:$PSOCKS"
login "fakeproxy socks4" "socks4://127.0.0.1:$PS4"

# Without a Unix socket on stdout --fdpass says so, after the hop is up.
run timeout 20 "$JUMPCAT" --fdpass -x "http://127.0.0.1:$PTUN" 127.0.0.1 "$SSHD_PORT" </dev/null
is_int 1 "$RUN_RC" "--fdpass with stdout not a socket: exit 1"
like "^jumpcat: cannot pass the connection: stdout is not a Unix socket" "$RUN_ERR" \
	"--fdpass with stdout not a socket: says so"
unlike "tunnel bytes" "$RUN_ERR" "--fdpass: tunnel bytes with the reply are no longer refused"

done_testing
