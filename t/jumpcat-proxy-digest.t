#!/bin/bash
# jumpcat-proxy-digest.t: jumpcat -x http:// against proxies that want HTTP
# Digest (RFC 7616): t/helper/fakeproxy's Digest modes, which check the
# answer for real (OpenSSL, a second implementation).  MD5 with the
# connection closed after the 407 (jumpcat asks again on a new one);
# SHA-256 with the connection kept (jumpcat skips the 407's body and asks
# again on the same connection); Basic and Digest both offered (jumpcat
# answers with Digest, and its strongest algorithm).  ssh logs in through
# each, 4 MiB echo back unchanged, a wrong or missing password is one line
# with the 407 and exit 3, and the password shows neither in argv nor in
# the -vvv log.
# SPDX-License-Identifier: MIT

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"

JUMPCAT=$top_builddir/tools/jumpcat
fixture_require "$JUMPCAT" timeout sha256sum ssh mkfifo
fixture_tmpdir
fixture_sshd_start
fixture_tcpserv echo
PECHO=$TCPSERV_PORT
PASSWORD="d1gest-$RANDOM-pw"
declare -A PORT LOG
for mode in md5 sha256 both; do
	fixture_fakeproxy "http-digest-$mode" -a "alice:$PASSWORD"
	PORT[$mode]=$FAKEPROXY_PORT
	LOG[$mode]=$FAKEPROXY_LOG
done
printf 'alice:%s\n' "$PASSWORD" >"$T_TMP/auth"
chmod 600 "$T_TMP/auth"
head -c 4M /dev/urandom >"$T_TMP/in"
plan_lazy

# login MODE DESC: ssh through jumpcat and the Digest proxy in MODE runs
# echo; the credentials come from the environment.
login() {
	local mode=$1 desc=$2
	run env JUMPCAT_PROXY_USER=alice "JUMPCAT_PROXY_PASSWORD=$PASSWORD" \
		timeout 60 ssh -F "$SSH_CONFIG" -p "$SSHD_PORT" \
		-o "ProxyCommand=$JUMPCAT -x http://127.0.0.1:${PORT[$mode]} %h %p" \
		127.0.0.1 echo digest-login </dev/null
	is "0:digest-login" "$RUN_RC:$RUN_OUT" "$desc: ssh logged in" ||
		diag "ssh stderr: $RUN_ERR" "$(<"${LOG[$mode]}")"
}

login md5 "Digest MD5, connection closed after the 407"
like "request 1 on this connection: no credentials" "$(<"${LOG[md5]}")" \
	"MD5: the first CONNECT carried no credentials"
like "request 1 on this connection: Digest MD5 ok for user alice" "$(<"${LOG[md5]}")" \
	"MD5: asked again on a new connection, and the answer checked out"

login sha256 "Digest SHA-256, connection kept after the 407"
like "request 2 on this connection: Digest SHA-256 ok for user alice" \
	"$(<"${LOG[sha256]}")" "SHA-256: asked again on the same connection, body skipped"

login both "Basic and Digest offered"
like "request 2 on this connection: Digest SHA-256 ok" "$(<"${LOG[both]}")" \
	"Basic and Digest offered: jumpcat chose Digest SHA-256"
unlike "Basic, not Digest" "$(<"${LOG[both]}")" "Basic and Digest offered: no Basic sent"

# Data through the kept connection's tunnel: the relay starts clean after
# a 407, its body and a second CONNECT.  fakeproxy passes half-close on.
for mode in md5 sha256; do
	timeout 60 env JUMPCAT_PROXY_USER=alice "JUMPCAT_PROXY_PASSWORD=$PASSWORD" \
		"$JUMPCAT" -x "http://127.0.0.1:${PORT[$mode]}" 127.0.0.1 "$PECHO" \
		<"$T_TMP/in" >"$T_TMP/out" 2>"$T_TMP/err"
	is_int 0 $? "4 MiB through Digest $mode: exit 0"
	is "$(sha256sum <"$T_TMP/in")" "$(sha256sum <"$T_TMP/out")" \
		"4 MiB through Digest $mode: came back unchanged"
	is "" "$(<"$T_TMP/err")" "4 MiB through Digest $mode: nothing on stderr"
done

# A wrong password and no password: the 407 in one line, exit 3.
for mode in md5 sha256; do
	run env JUMPCAT_PROXY_USER=alice JUMPCAT_PROXY_PASSWORD=wrong \
		timeout 20 "$JUMPCAT" -x "http://127.0.0.1:${PORT[$mode]}" 127.0.0.1 "$PECHO" </dev/null
	is "3:jumpcat: proxy 127.0.0.1:${PORT[$mode]} refused CONNECT to 127.0.0.1:$PECHO: 407 Proxy Authentication Required (user name or password rejected)" \
		"$RUN_RC:$RUN_ERR" "Digest $mode, wrong password: exit 3 and one line"
	like "Digest refused: wrong response" "$(<"${LOG[$mode]}")" \
		"Digest $mode, wrong password: the proxy saw a wrong response"
	run timeout 20 "$JUMPCAT" -x "http://127.0.0.1:${PORT[$mode]}" 127.0.0.1 "$PECHO" </dev/null
	is_int 3 "$RUN_RC" "Digest $mode, no credentials: exit 3"
	like "^jumpcat: proxy 127\.0\.0\.1:${PORT[$mode]} refused CONNECT to 127\.0\.0\.1:$PECHO: 407 Proxy Authentication Required \(it wants a user name and password: use --proxy-auth-file or JUMPCAT_PROXY_USER and JUMPCAT_PROXY_PASSWORD\)$" \
		"$RUN_ERR" "Digest $mode, no credentials: the 407 and how to give them, one line"
done
run env JUMPCAT_PROXY_USER=bob "JUMPCAT_PROXY_PASSWORD=$PASSWORD" \
	timeout 20 "$JUMPCAT" -x "http://127.0.0.1:${PORT[both]}" 127.0.0.1 "$PECHO" </dev/null
is_int 3 "$RUN_RC" "Digest, wrong user: exit 3"
like 'Digest refused: username "bob", wanted "alice"' "$(<"${LOG[both]}")" \
	"Digest, wrong user: the proxy saw the user name it names"

# The password shows neither in argv nor in the -vvv log.  jumpcat is held
# open (stdin a fifo) while its command line is read from /proc.
mkfifo "$T_TMP/hold"
exec 8<>"$T_TMP/hold"
fixture_atexit 'exec 8>&-'
for how in env file; do
	log=$T_TMP/log.$how
	if [[ $how == env ]]; then
		JUMPCAT_PROXY_USER=alice JUMPCAT_PROXY_PASSWORD=$PASSWORD \
			"$JUMPCAT" -vvv -x "http://127.0.0.1:${PORT[both]}" 127.0.0.1 "$PECHO" \
			<"$T_TMP/hold" >/dev/null 2>"$log" &
	else
		"$JUMPCAT" -vvv -x "http://127.0.0.1:${PORT[both]}" --proxy-auth-file "$T_TMP/auth" \
			127.0.0.1 "$PECHO" <"$T_TMP/hold" >/dev/null 2>"$log" &
	fi
	pid=$!
	fixture_wait_log "$log" "through proxy"
	like "connected to 127\.0\.0\.1 port $PECHO through proxy" "$(<"$log")" \
		"credentials from $how: connected through the Digest proxy"
	like "wants Digest \(SHA-256\)" "$(<"$log")" \
		"credentials from $how: -vvv says which scheme it answered"
	unlike "$PASSWORD" "$(tr '\0' ' ' <"/proc/$pid/cmdline")" \
		"credentials from $how: not in argv"
	kill "$pid"
	wait "$pid" 2>/dev/null
	unlike "$PASSWORD" "$(<"$log")" "credentials from $how: not in the -vvv log"
	unlike 'response=|Proxy-Authorization' "$(<"$log")" \
		"credentials from $how: no Digest answer in the log"
done

done_testing
