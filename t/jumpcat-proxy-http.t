#!/bin/bash
# jumpcat-proxy-http.t: jumpcat -x http:// through a real tinyproxy, without
# and with BasicAuth.  The real ssh client logs in through the proxy, 64 MiB
# echo back unchanged, credentials come from a file or the environment and
# never show in argv or the -vvv log, and a wrong or missing password gives
# the proxy's 407 with exit 3.
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
fixture_tinyproxy
PPROXY=$TINYPROXY_PORT
PROXY=http://127.0.0.1:$PPROXY
PASSWORD="s3cret-$RANDOM-pw"
fixture_tinyproxy -a "alice:$PASSWORD"
APROXY=http://127.0.0.1:$TINYPROXY_PORT
head -c 64M /dev/urandom >"$T_TMP/in"
plan_lazy

# login DESC PROXYCOMMAND [ENV...]: ssh through jumpcat runs echo.
login() {
	local desc=$1 pc=$2
	shift 2
	run env "$@" timeout 60 ssh -F "$SSH_CONFIG" -p "$SSHD_PORT" \
		-o "ProxyCommand=$pc" 127.0.0.1 echo proxied-login </dev/null
	is "0:proxied-login" "$RUN_RC:$RUN_OUT" "$desc: ssh logged in" ||
		diag "ssh stderr: $RUN_ERR"
}

login "tinyproxy" "$JUMPCAT -x $PROXY %h %p"
login "tinyproxy, localhost as the proxy name" \
	"$JUMPCAT -x http://localhost:$PPROXY %h %p"

# tinyproxy closes both ways on the client's EOF: stdin stays open until
# the echo is back.
: >"$T_TMP/out"
{ cat "$T_TMP/in"; fixture_wait_size "$T_TMP/out" $((64 << 20)); } |
	timeout 120 "$JUMPCAT" -x "$PROXY" 127.0.0.1 "$PECHO" >"$T_TMP/out" 2>"$T_TMP/err"
is_int 0 "${PIPESTATUS[1]}" "64 MiB through tinyproxy: exit 0"
is "$(sha256sum <"$T_TMP/in")" "$(sha256sum <"$T_TMP/out")" \
	"64 MiB through tinyproxy: came back unchanged"
is "" "$(<"$T_TMP/err")" "64 MiB through tinyproxy: nothing on stderr"

# BasicAuth: credentials from the environment, then from a file.
login "BasicAuth, JUMPCAT_PROXY_USER/PASSWORD" "$JUMPCAT -x $APROXY %h %p" \
	JUMPCAT_PROXY_USER=alice "JUMPCAT_PROXY_PASSWORD=$PASSWORD"
printf 'alice:%s\n' "$PASSWORD" >"$T_TMP/auth"
chmod 600 "$T_TMP/auth"
login "BasicAuth, --proxy-auth-file" \
	"$JUMPCAT -x $APROXY --proxy-auth-file $T_TMP/auth %h %p"

# Wrong password, no password: the proxy's answer, exit 3.
run env JUMPCAT_PROXY_USER=alice JUMPCAT_PROXY_PASSWORD=wrong \
	timeout 20 "$JUMPCAT" -x "$APROXY" 127.0.0.1 "$PECHO" </dev/null
is_int 3 "$RUN_RC" "wrong password: exit 3"
# tinyproxy answers a wrong password with 401, not 407.
like "^jumpcat: proxy 127\.0\.0\.1:$TINYPROXY_PORT refused CONNECT to 127\.0\.0\.1:$PECHO: 40[17] [A-Za-z ]+ \(user name or password rejected\)\$" \
	"$RUN_ERR" "wrong password: the proxy's answer, in one line"
run timeout 20 "$JUMPCAT" -x "$APROXY" 127.0.0.1 "$PECHO" </dev/null
is_int 3 "$RUN_RC" "no credentials: exit 3"
like "^jumpcat: proxy 127\.0\.0\.1:$TINYPROXY_PORT refused CONNECT to 127\.0\.0\.1:$PECHO: 407 .*JUMPCAT_PROXY_USER" \
	"$RUN_ERR" "no credentials: the 407 and how to give them"

# The auth file must not be readable by others.
chmod 644 "$T_TMP/auth"
run timeout 20 "$JUMPCAT" -x "$APROXY" --proxy-auth-file "$T_TMP/auth" 127.0.0.1 "$PECHO" </dev/null
is_int 2 "$RUN_RC" "auth file readable by others: exit 2"
like "auth file .*readable by others" "$RUN_ERR" "auth file readable by others: says so"
chmod 600 "$T_TMP/auth"

# The password shows neither in argv nor in the -vvv log.  jumpcat is held
# open (stdin a fifo) while its command line is read from /proc.
mkfifo "$T_TMP/hold"
exec 8<>"$T_TMP/hold"
fixture_atexit 'exec 8>&-'
for how in env file; do
	if [[ $how == env ]]; then
		JUMPCAT_PROXY_USER=alice JUMPCAT_PROXY_PASSWORD=$PASSWORD \
			"$JUMPCAT" -vvv -x "$APROXY" 127.0.0.1 "$PECHO" <"$T_TMP/hold" \
			>/dev/null 2>"$T_TMP/log.$how" &
	else
		"$JUMPCAT" -vvv -x "$APROXY" --proxy-auth-file "$T_TMP/auth" 127.0.0.1 \
			"$PECHO" <"$T_TMP/hold" >/dev/null 2>"$T_TMP/log.$how" &
	fi
	pid=$!
	for ((i = 0; i < 200; i++)); do
		grep -q "through proxy" "$T_TMP/log.$how" && break
		sleep 0.05
	done
	like "connected to 127.0.0.1 port $PECHO through proxy" "$(<"$T_TMP/log.$how")" \
		"credentials from $how: connected through the proxy"
	cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline")
	unlike "$PASSWORD" "$cmdline" "credentials from $how: not in argv"
	kill "$pid"
	wait "$pid" 2>/dev/null
	unlike "$PASSWORD" "$(<"$T_TMP/log.$how")" "credentials from $how: not in the -vvv log"
	unlike "YWxpY2U6" "$(<"$T_TMP/log.$how")" "credentials from $how: no Basic token in the log"
done

# In the URL it works, with a warning, and is masked in argv at once.
"$JUMPCAT" -vvv -x "http://alice:$PASSWORD@127.0.0.1:$TINYPROXY_PORT" 127.0.0.1 \
	"$PECHO" <"$T_TMP/hold" >/dev/null 2>"$T_TMP/log.url" &
pid=$!
for ((i = 0; i < 200; i++)); do
	grep -q "through proxy" "$T_TMP/log.url" && break
	sleep 0.05
done
like "connected to 127.0.0.1 port $PECHO through proxy" "$(<"$T_TMP/log.url")" \
	"credentials in the URL: connected"
like "warning: a password in -x is visible" "$(<"$T_TMP/log.url")" \
	"credentials in the URL: warned"
unlike "$PASSWORD" "$(tr '\0' ' ' <"/proc/$pid/cmdline")" \
	"credentials in the URL: masked in argv"
kill "$pid"
wait "$pid" 2>/dev/null
unlike "$PASSWORD" "$(<"$T_TMP/log.url")" "credentials in the URL: not in the -vvv log"

done_testing
