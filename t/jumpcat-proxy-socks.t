#!/bin/bash
# jumpcat-proxy-socks.t: jumpcat -x socks5:// and socks5h:// through a real
# microsocks, without and with -u/-P; socks4:// and socks4a:// through the
# project's own SOCKS4 server (t/helper/fakeproxy).  ssh logs in through
# them, 64 MiB echo back unchanged, and each refusal is one readable line
# with exit 3.
# SPDX-License-Identifier: MIT

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"

JUMPCAT=$top_builddir/tools/jumpcat
fixture_require "$JUMPCAT" timeout sha256sum ssh
fixture_tmpdir
fixture_sshd_start
fixture_tcpserv echo
PECHO=$TCPSERV_PORT
fixture_tcpserv echo -6
PECHO6=$TCPSERV_PORT
fixture_microsocks
PSOCKS=$MICROSOCKS_PORT
PASSWORD="s0cks-$RANDOM-pw"
fixture_microsocks -u bob -P "$PASSWORD"
PASOCKS=$MICROSOCKS_PORT
fixture_microsocks -6
PSOCKS6=$MICROSOCKS_PORT
fixture_fakeproxy socks4
PS4=$FAKEPROXY_PORT
fixture_fakeproxy socks4-reject
PS4REJ=$FAKEPROXY_PORT
fixture_fakeproxy socks5-refused
PS5REF=$FAKEPROXY_PORT
head -c 64M /dev/urandom >"$T_TMP/in"
plan_lazy

login() {
	local desc=$1 pc=$2
	shift 2
	run env "$@" timeout 60 ssh -F "$SSH_CONFIG" -p "$SSHD_PORT" \
		-o "ProxyCommand=$pc" 127.0.0.1 echo socks-login </dev/null
	is "0:socks-login" "$RUN_RC:$RUN_OUT" "$desc: ssh logged in" ||
		diag "ssh stderr: $RUN_ERR"
}

# echoes DESC ARG...: a line goes through `ARG...` and comes back.  stdin
# stays open until it has (microsocks closes both ways on the client's EOF).
echoes() {
	local desc=$1 line="through-$RANDOM" rc
	shift
	: >"$T_TMP/echo.out"
	{ echo "$line"; fixture_wait_size "$T_TMP/echo.out" ${#line} 20; } |
		timeout 30 "$@" >"$T_TMP/echo.out" 2>"$T_TMP/echo.err"
	rc=${PIPESTATUS[1]}
	is_int 0 "$rc" "$desc: exit 0" || diag "stderr: $(<"$T_TMP/echo.err")"
	is "$line" "$(<"$T_TMP/echo.out")" "$desc: the line came back"
}

for scheme in socks5 socks5h; do
	login "$scheme" "$JUMPCAT -x $scheme://127.0.0.1:$PSOCKS %h %p"
	login "$scheme, user and password from the environment" \
		"$JUMPCAT -x $scheme://127.0.0.1:$PASOCKS %h %p" \
		JUMPCAT_PROXY_USER=bob "JUMPCAT_PROXY_PASSWORD=$PASSWORD"
done
echoes "socks5h to a name (localhost)" "$JUMPCAT" -x "socks5h://127.0.0.1:$PSOCKS" localhost "$PECHO"
echoes "socks5 to a name resolved here" "$JUMPCAT" -x "socks5://127.0.0.1:$PSOCKS" localhost "$PECHO"
echoes "socks5 to an IPv6 target" "$JUMPCAT" -x "socks5://127.0.0.1:$PSOCKS" ::1 "$PECHO6"
echoes "socks5h to [::1] as ssh writes it" "$JUMPCAT" -x "socks5h://127.0.0.1:$PSOCKS" "[::1]" "$PECHO6"
echoes "socks5h through a proxy at [::1]" "$JUMPCAT" -x "socks5h://[::1]:$PSOCKS6" 127.0.0.1 "$PECHO"
echoes "socks5 through a proxy at [::1] to ::1" "$JUMPCAT" -x "socks5://[::1]:$PSOCKS6" ::1 "$PECHO6"

# microsocks relays with blocking writes and always serves the client side
# first, so a full-duplex flood deadlocks it against an echo server (nc -X 5
# too).  The 64 MiB go in 1 MiB pieces, each sent once the last is back.
: >"$T_TMP/out"
{
	for ((i = 0; i < 64; i++)); do
		dd if="$T_TMP/in" bs=1M skip=$i count=1 status=none
		fixture_wait_size "$T_TMP/out" $(((i + 1) << 20)) 60 || break
	done
} | timeout 300 "$JUMPCAT" -x "socks5h://127.0.0.1:$PSOCKS" 127.0.0.1 "$PECHO" \
	>"$T_TMP/out" 2>"$T_TMP/err"
is_int 0 "${PIPESTATUS[1]}" "64 MiB through microsocks: exit 0"
is "$(sha256sum <"$T_TMP/in")" "$(sha256sum <"$T_TMP/out")" \
	"64 MiB through microsocks: came back unchanged"

run env JUMPCAT_PROXY_USER=bob JUMPCAT_PROXY_PASSWORD=wrong \
	timeout 20 "$JUMPCAT" -x "socks5://127.0.0.1:$PASOCKS" 127.0.0.1 "$PECHO" </dev/null
is_int 3 "$RUN_RC" "socks5 wrong password: exit 3"
like "^jumpcat: proxy 127\.0\.0\.1:$PASOCKS: SOCKS5 proxy: user name or password rejected$" \
	"$RUN_ERR" "socks5 wrong password: one line that says so"
run timeout 20 "$JUMPCAT" -x "socks5://127.0.0.1:$PASOCKS" 127.0.0.1 "$PECHO" </dev/null
is_int 3 "$RUN_RC" "socks5 login needed, none given: exit 3"
like "^jumpcat: proxy 127\.0\.0\.1:$PASOCKS: SOCKS5 proxy: .*" "$RUN_ERR" \
	"socks5 login needed: one line from the proxy"

# SOCKS4 and 4a through the project's own server.
login "socks4" "$JUMPCAT -x socks4://127.0.0.1:$PS4 %h %p"
login "socks4a" "$JUMPCAT -x socks4a://127.0.0.1:$PS4 %h %p"
echoes "socks4a to a name (localhost)" "$JUMPCAT" -x "socks4a://127.0.0.1:$PS4" localhost "$PECHO"
run timeout 20 "$JUMPCAT" -x "socks4://127.0.0.1:$PS4" ::1 "$PECHO6" </dev/null
is_int 1 "$RUN_RC" "socks4 to an IPv6 address: exit 1"
like "IPv4" "$RUN_ERR" "socks4 to an IPv6 address: says SOCKS4 needs IPv4"
run timeout 20 "$JUMPCAT" -x "socks4://127.0.0.1:$PS4REJ" 127.0.0.1 "$PECHO" </dev/null
is "3:jumpcat: proxy 127.0.0.1:$PS4REJ refused CONNECT to 127.0.0.1:$PECHO: request rejected or failed" \
	"$RUN_RC:$RUN_ERR" "socks4 rejected: exit 3 and the reply code's meaning"
run timeout 20 "$JUMPCAT" -x "socks5://127.0.0.1:$PS5REF" 127.0.0.1 "$PECHO" </dev/null
is "3:jumpcat: proxy 127.0.0.1:$PS5REF refused CONNECT to 127.0.0.1:$PECHO: connection refused by destination host" \
	"$RUN_RC:$RUN_ERR" "socks5 REP 5: exit 3 and the reply code's meaning"

done_testing
