#!/bin/bash
# jumpcat-tls.t: jumpcat --tls against socat's OPENSSL-LISTEN with a test
# CA.  ssh logs in through a TLS-wrapped sshd (as behind stunnel), data
# echoes back unchanged, and an unknown CA or a wrong name fails with one
# clear line and exit 4 unless --insecure is given.  An https:// proxy is
# tinyproxy behind the same kind of TLS listener.
# SPDX-License-Identifier: MIT

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"

JUMPCAT=$top_builddir/tools/jumpcat
fixture_require "$JUMPCAT" timeout sha256sum ssh socat openssl
fixture_tmpdir
fixture_sshd_start
fixture_tls_certs
fixture_tls_server "$TLS_CERT" "$TLS_KEY" "TCP:127.0.0.1:$SSHD_PORT"
PSSH=$TLS_PORT
fixture_tls_server "$TLS_CERT" "$TLS_KEY" EXEC:cat
PECHO=$TLS_PORT
fixture_tls_server "$TLS_OTHER_CERT" "$TLS_OTHER_KEY" EXEC:cat
POTHER=$TLS_PORT
fixture_microsocks
PSOCKS=$MICROSOCKS_PORT
fixture_tinyproxy
fixture_tls_server "$TLS_CERT" "$TLS_KEY" "TCP:127.0.0.1:$TINYPROXY_PORT"
PHTTPS=$TLS_PORT
# ssh checks the key under the name and port it was given.
sed -n "s/^\\[127\\.0\\.0\\.1\\]:$SSHD_PORT /[localhost]:$PSSH /p" "$T_TMP/known_hosts" \
	>>"$T_TMP/known_hosts"
head -c 4M /dev/urandom >"$T_TMP/in"
plan_lazy

run timeout 60 ssh -F "$SSH_CONFIG" -p "$PSSH" \
	-o "ProxyCommand=$JUMPCAT --tls --cacert $TLS_CA %h %p" localhost echo tls-login </dev/null
is "0:tls-login" "$RUN_RC:$RUN_OUT" "ssh logs in through --tls (sshd behind TLS)" ||
	diag "ssh stderr: $RUN_ERR"
run timeout 60 ssh -F "$SSH_CONFIG" -p "$PSSH" \
	-o "ProxyCommand=$JUMPCAT -x socks5h://127.0.0.1:$PSOCKS --tls --cacert $TLS_CA %h %p" \
	localhost echo tls-socks-login </dev/null
is "0:tls-socks-login" "$RUN_RC:$RUN_OUT" "ssh logs in through a SOCKS5 proxy and --tls" ||
	diag "ssh stderr: $RUN_ERR"

# stdin's EOF goes out as close_notify; socat then ends cat's input.
timeout 90 "$JUMPCAT" --tls --cacert "$TLS_CA" 127.0.0.1 "$PECHO" <"$T_TMP/in" >"$T_TMP/out" 2>"$T_TMP/err"
is_int 0 $? "4 MiB through TLS to 127.0.0.1 (IP in the certificate): exit 0"
is "$(sha256sum <"$T_TMP/in")" "$(sha256sum <"$T_TMP/out")" "4 MiB came back unchanged"

# fails DESC WANT-RC REGEX ARG...: jumpcat ARG... fails with one line.
fails() {
	local desc=$1 want=$2 re=$3
	shift 3
	run timeout 20 "$JUMPCAT" "$@" </dev/null
	is_int "$want" "$RUN_RC" "$desc: exit $want"
	like "$re" "$RUN_ERR" "$desc: says why"
}
fails "unknown CA" 4 '^jumpcat: TLS handshake with localhost: certificate verify failed: .*(self-signed|unable to get local issuer).*--insecure' \
	--tls --cacert "$TLS_CA" localhost "$POTHER"
fails "no --cacert (system CAs only)" 4 'certificate verify failed' --tls localhost "$PECHO"
fails "wrong name (--sni)" 4 '^jumpcat: TLS handshake with db\.example: certificate verify failed: .*[Hh]ostname mismatch' \
	--tls --cacert "$TLS_CA" --sni db.example 127.0.0.1 "$PECHO"
fails "bad --cacert file" 4 'cacert .*not a readable PEM' --tls --cacert /dev/null localhost "$PECHO"
fails "--insecure without --tls" 2 'need --tls' --insecure localhost "$PECHO"
fails "--tls with --fdpass" 2 'cannot pass a TLS session' --tls --fdpass localhost "$PECHO"

# --insecure gets through (with a warning); so does a matching --sni.
run timeout 20 "$JUMPCAT" --tls --insecure localhost "$POTHER" <<<"insecure-ok"
like "insecure-ok" "$RUN_OUT" "--insecure: the unknown CA is let through"
like "warning: --insecure" "$RUN_ERR" "--insecure: with a warning"
run timeout 20 "$JUMPCAT" --tls --cacert "$TLS_CA" --sni localhost --alpn ssh,x-test 127.0.0.1 "$PECHO" <<<"sni-ok"
is "0:sni-ok" "$RUN_RC:$RUN_OUT" "--sni localhost to 127.0.0.1, with --alpn: verified and through"

# https:// proxies: CONNECT inside TLS to the proxy.
run timeout 60 ssh -F "$SSH_CONFIG" -p "$SSHD_PORT" \
	-o "ProxyCommand=$JUMPCAT -x https://localhost:$PHTTPS --proxy-cacert $TLS_CA %h %p" \
	127.0.0.1 echo https-proxy-login </dev/null
is "0:https-proxy-login" "$RUN_RC:$RUN_OUT" "ssh logs in through an https:// proxy" ||
	diag "ssh stderr: $RUN_ERR"
run timeout 60 ssh -F "$SSH_CONFIG" -p "$PSSH" \
	-o "ProxyCommand=$JUMPCAT -x https://localhost:$PHTTPS --proxy-cacert $TLS_CA --tls --cacert $TLS_CA %h %p" \
	localhost echo tls-in-tls </dev/null
is "0:tls-in-tls" "$RUN_RC:$RUN_OUT" "ssh logs in with --tls through an https:// proxy (TLS in TLS)" ||
	diag "ssh stderr: $RUN_ERR"
fails "https:// proxy with an unknown CA" 4 \
	"^jumpcat: proxy localhost:$PHTTPS: TLS handshake with localhost: certificate verify failed" \
	-x "https://localhost:$PHTTPS" 127.0.0.1 "$SSHD_PORT"

done_testing
