#!/bin/bash
# jumpcat-proxy-creds.t: what jumpcat says about proxy credentials it
# cannot use or does not have.  SOCKS4 has no passwords: a password in a
# socks4:// or socks4a:// URL, the environment or --proxy-auth-file gets a
# one-line warning, only the user id goes out (t/helper/fakeproxy logs
# what it got), and the connection works.  A SOCKS5 proxy that wants a
# login when none was given (microsocks -u/-P refuses the methods offered;
# fakeproxy's socks5-silent-login picks user/password anyway) fails with
# exit 3 and one line naming JUMPCAT_PROXY_USER, JUMPCAT_PROXY_PASSWORD
# and --proxy-auth-file.
# SPDX-License-Identifier: MIT

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"

JUMPCAT=$top_builddir/tools/jumpcat
fixture_require "$JUMPCAT" timeout
fixture_tmpdir
fixture_tcpserv echo
PECHO=$TCPSERV_PORT
fixture_fakeproxy socks4
PS4=$FAKEPROXY_PORT
LS4=$FAKEPROXY_LOG
fixture_microsocks -u bob -P "s0cks-$RANDOM"
PAUTH=$MICROSOCKS_PORT
fixture_fakeproxy socks5-silent-login
PLOGIN=$FAKEPROXY_PORT
PASSWORD="s4-$RANDOM-pw"
printf 'carol:%s\n' "$PASSWORD" >"$T_TMP/auth"
chmod 600 "$T_TMP/auth"
plan_lazy

WARN="jumpcat: warning: SOCKS4 has no passwords: only the user id is sent, and the password from the"

# socks4_pass DESC USER SOURCE ARG...: a line echoes through the SOCKS4
# proxy with jumpcat ARG..., which warns (once, in one line) that the
# password from SOURCE is not used; the proxy got user id USER and no
# password.
socks4_pass() {
	local desc=$1 user=$2 source=$3 line="s4-$RANDOM" n
	shift 3
	run timeout 20 "$@" 127.0.0.1 "$PECHO" <<<"$line"
	is "0:$line" "$RUN_RC:$RUN_OUT" "$desc: the line came back"
	n=$(grep -c "SOCKS4 has no passwords" <<<"$RUN_ERR")
	is_int 1 "$n" "$desc: one warning" || diag "$RUN_ERR"
	like "^$WARN $source is not used\$" "$(grep "SOCKS4 has no passwords" <<<"$RUN_ERR")" \
		"$desc: it says only the user id is sent"
	like "user \"$user\" target 127\.0\.0\.1 port $PECHO" "$(tail -n 20 "$LS4")" \
		"$desc: the proxy got user id $user"
	unlike "$PASSWORD" "$(<"$LS4")" "$desc: and never the password"
}

socks4_pass "socks4a:// URL with a password" alice URL \
	"$JUMPCAT" -x "socks4a://alice:$PASSWORD@127.0.0.1:$PS4"
socks4_pass "socks4:// and the environment's password" dave environment \
	env JUMPCAT_PROXY_USER=dave "JUMPCAT_PROXY_PASSWORD=$PASSWORD" \
	"$JUMPCAT" -x "socks4://127.0.0.1:$PS4"
socks4_pass "socks4a:// and --proxy-auth-file" carol "file $T_TMP/auth" \
	"$JUMPCAT" -x "socks4a://127.0.0.1:$PS4" --proxy-auth-file "$T_TMP/auth"
run timeout 20 "$JUMPCAT" -x "socks4a://erin@127.0.0.1:$PS4" 127.0.0.1 "$PECHO" <<<"no-pw"
is "0:no-pw:" "$RUN_RC:$RUN_OUT:$RUN_ERR" "socks4a:// with a user id only: no warning"

# A SOCKS5 login wanted, none given: the hint.
HINT="; use --proxy-auth-file or JUMPCAT_PROXY_USER and JUMPCAT_PROXY_PASSWORD"
run timeout 20 "$JUMPCAT" -x "socks5://127.0.0.1:$PAUTH" 127.0.0.1 "$PECHO" </dev/null
is "3:jumpcat: proxy 127.0.0.1:$PAUTH: SOCKS5 proxy: no acceptable authentication method (it may want a user name and password)$HINT" \
	"$RUN_RC:$RUN_ERR" "SOCKS5 proxy refuses the methods offered: exit 3, the hint, one line"
run timeout 20 "$JUMPCAT" -x "socks5h://127.0.0.1:$PLOGIN" 127.0.0.1 "$PECHO" </dev/null
is "3:jumpcat: proxy 127.0.0.1:$PLOGIN: SOCKS5 proxy: wants a user name and password, but none was given$HINT" \
	"$RUN_RC:$RUN_ERR" "SOCKS5 proxy picks a login not offered: exit 3, the hint, one line"
run env JUMPCAT_PROXY_USER=bob JUMPCAT_PROXY_PASSWORD=wrong \
	timeout 20 "$JUMPCAT" -x "socks5://127.0.0.1:$PAUTH" 127.0.0.1 "$PECHO" </dev/null
is "3:jumpcat: proxy 127.0.0.1:$PAUTH: SOCKS5 proxy: user name or password rejected" \
	"$RUN_RC:$RUN_ERR" "credentials given but wrong: no hint"

done_testing
