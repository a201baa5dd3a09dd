#!/bin/bash
# safe-secrets.t: safe default 5 of issue 7, in one place: no password or
# passphrase appears in a process's argv, in any log level, or in the
# status output, for jumpcat, fwdpipe and tunnelcheck.  The secrets: the
# password of tinyproxy (Basic auth) and of microsocks (RFC 1929), given by
# --proxy-auth-file, by JUMPCAT_PROXY_USER/JUMPCAT_PROXY_PASSWORD, or in the
# -x URL (which the tool masks in its argv at once), and the passphrase of
# an encrypted key, given by SSH_ASKPASS.  Each is looked for as it is, in
# hex, and in base64 (alone and as HTTP Basic's "user:password"), in:
# /proc/PID/cmdline of the running jumpcat, fwdpipe (and the jumpcat that
# is its ProxyCommand) and tunnelcheck, read while each holds its
# connection; their stderr at -vvv; fwdpipe's status socket JSON;
# tunnelcheck's nagios (-vvv), json and prometheus output.  Wrong secrets
# (refused by the proxy or the key) are not echoed in the failure either;
# and tunnelcheck never runs SSH_ASKPASS at all.
# SPDX-License-Identifier: MIT

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"
. "$top_srcdir/t/tap/fixtures-fwd.sh"
. "$top_srcdir/t/tap/fixtures-safe.sh"

JUMPCAT=$top_builddir/tools/jumpcat
FWDPIPE=$top_builddir/tools/fwdpipe
TC=$top_builddir/tools/tunnelcheck
fixture_require "$JUMPCAT" "$FWDPIPE" "$TC" ssh-keygen timeout mkfifo pgrep od base64
PW="PxPw-$RANDOM-$$-sekrit"
PP="key passphrase $RANDOM-$$"
fixture_sshd_start || bail "no sshd"
fixture_tinyproxy -a "alice:$PW"
TP=$TINYPROXY_PORT
fixture_microsocks -u bob -P "$PW"
MS=$MICROSOCKS_PORT
fixture_tcpserv echo
ECHO=$TCPSERV_PORT
fixture_talker "hello from the talker"$'\n'
TALK=$TALKER_PORT
plan_lazy

# The encrypted key, authorized; an askpass that gives its passphrase, and
# one that gives a wrong one; each notes that it ran.
ssh-keygen -q -t ed25519 -N "$PP" -C enc -f "$T_TMP/enc" || bail "ssh-keygen"
cat "$T_TMP/enc.pub" >>"$SSHD_DIR/authorized_keys"
printf '#!/bin/sh\necho ran >>%s\necho "%s"\n' "$T_TMP/askpass.ran" "$PP" >"$T_TMP/askpass"
printf '#!/bin/sh\necho "%s-wrong"\n' "$PP" >"$T_TMP/askpass-wrong"
chmod 700 "$T_TMP/askpass" "$T_TMP/askpass-wrong"
grep -v IdentityFile "$SSH_CONFIG" >"$T_TMP/noid_config"
printf 'alice:%s\n' "$PW" >"$T_TMP/auth"
chmod 600 "$T_TMP/auth"

# no_leak DESC FILE...: none of FILEs holds a secret in any encoding.
no_leak() {
	local desc=$1 leaks
	shift
	leaks=$({
		safe_leaks "$PW" alice "$@"
		safe_leaks "$PW" bob "$@"
		safe_leaks "$PP" x "$@"
		safe_leaks "$PP-wrong" x "$@"
		safe_leaks "$PW-wrong" alice "$@"
	} | sort -u | tr '\n' ' ')
	is "" "$leaks" "$desc"
}
# no_leak_text DESC TEXT: the same for a string.
no_leak_text() {
	local f
	FIXTURE__SEQ=$((FIXTURE__SEQ + 1))
	f=$T_TMP/text.$FIXTURE__SEQ
	printf '%s' "$2" >"$f"
	no_leak "$1" "$f"
}
# tree PID: PID and its descendants' argv, one a line.
tree_cmdlines() {
	local p
	safe_cmdline "$1"
	echo
	for p in $(pgrep -P "$1"); do
		tree_cmdlines "$p"
	done
}

# --- jumpcat -------------------------------------------------------------------
# held NAME ARG...: jumpcat -vvv ARG... with its stdin on a FIFO this shell
# holds open; once a line has echoed back, its argv is read from /proc into
# $T_TMP/NAME.cmdline; then stdin is closed and jumpcat reaped.  stdout and
# stderr in $T_TMP/NAME.out and NAME.err; HELD_RC its exit status.
held() {
	local name=$1 pid
	shift
	rm -f "$T_TMP/$name.fifo"
	mkfifo "$T_TMP/$name.fifo"
	"$@" <"$T_TMP/$name.fifo" >"$T_TMP/$name.out" 2>"$T_TMP/$name.err" &
	pid=$!
	exec 7>"$T_TMP/$name.fifo"
	echo "ping-$name" >&7
	fixture_wait_size "$T_TMP/$name.out" 6 30 || diag "$name: no echo: $(<"$T_TMP/$name.err")"
	safe_cmdline "$pid" >"$T_TMP/$name.cmdline"
	exec 7>&-
	HELD_RC=0
	wait "$pid" || HELD_RC=$?
}

held jc-file "$JUMPCAT" -vvv -x "http://127.0.0.1:$TP" --proxy-auth-file "$T_TMP/auth" 127.0.0.1 "$ECHO"
is "0 ping-jc-file" "$HELD_RC $(<"$T_TMP/jc-file.out")" "jumpcat -x http:// --proxy-auth-file: through tinyproxy"
no_leak "... the password is not in its argv, nor in its -vvv log" "$T_TMP/jc-file.cmdline" "$T_TMP/jc-file.err"

export JUMPCAT_PROXY_USER=alice JUMPCAT_PROXY_PASSWORD=$PW
held jc-env "$JUMPCAT" -vvv -x "http://127.0.0.1:$TP" 127.0.0.1 "$ECHO"
is "0 ping-jc-env" "$HELD_RC $(<"$T_TMP/jc-env.out")" "jumpcat -x http://, password in the environment: through tinyproxy"
no_leak "... not in its argv, nor in its -vvv log" "$T_TMP/jc-env.cmdline" "$T_TMP/jc-env.err"
export JUMPCAT_PROXY_USER=bob
held jc-socks "$JUMPCAT" -vvv -x "socks5h://127.0.0.1:$MS" localhost "$ECHO"
is "0 ping-jc-socks" "$HELD_RC $(<"$T_TMP/jc-socks.out")" "jumpcat -x socks5h://, password in the environment: through microsocks"
no_leak "... not in its argv, nor in its -vvv log" "$T_TMP/jc-socks.cmdline" "$T_TMP/jc-socks.err"
unset JUMPCAT_PROXY_USER JUMPCAT_PROXY_PASSWORD

held jc-url "$JUMPCAT" -vvv -x "http://alice:$PW@127.0.0.1:$TP" 127.0.0.1 "$ECHO"
is "0 ping-jc-url" "$HELD_RC $(<"$T_TMP/jc-url.out")" "jumpcat -x http://alice:PASSWORD@...: through tinyproxy"
like "-x http://alice:\\*+@127\\.0\\.0\\.1:$TP " "$(<"$T_TMP/jc-url.cmdline")" \
	"... its argv shows the URL with the password masked"
no_leak "... the password is in neither its argv nor its -vvv log" "$T_TMP/jc-url.cmdline" "$T_TMP/jc-url.err"
like "a password in -x is visible to other users" "$(<"$T_TMP/jc-url.err")" "... and it warns about the URL"
held jc-surl "$JUMPCAT" -vvv -x "socks5://bob:$PW@127.0.0.1:$MS" 127.0.0.1 "$ECHO"
is "0 ping-jc-surl" "$HELD_RC $(<"$T_TMP/jc-surl.out")" "jumpcat -x socks5://bob:PASSWORD@...: through microsocks"
no_leak "... the password is in neither its argv nor its -vvv log" "$T_TMP/jc-surl.cmdline" "$T_TMP/jc-surl.err"

held jc-enc env SSH_ASKPASS="$T_TMP/askpass" SSH_ASKPASS_REQUIRE=force \
	"$JUMPCAT" -vvv -F "$T_TMP/noid_config" -J "127.0.0.1:$SSHD_PORT" -o "IdentityFile=$T_TMP/enc" 127.0.0.1 "$ECHO"
is "0 ping-jc-enc" "$HELD_RC $(<"$T_TMP/jc-enc.out")" "jumpcat -J with an encrypted key, passphrase by SSH_ASKPASS"
ok "... the askpass program was asked" test -s "$T_TMP/askpass.ran"
no_leak "... the passphrase is not in its argv, nor in its -vvv log" "$T_TMP/jc-enc.cmdline" "$T_TMP/jc-enc.err"

run timeout 60 env JUMPCAT_PROXY_USER=alice JUMPCAT_PROXY_PASSWORD="$PW-wrong" \
	"$JUMPCAT" -vvv -x "http://127.0.0.1:$TP" 127.0.0.1 "$ECHO" </dev/null
is_int 3 "$RUN_RC" "jumpcat, a wrong proxy password: refused, exit 3"
no_leak_text "... the wrong password is not in its -vvv log" "$RUN_ERR"
run timeout 60 env SSH_ASKPASS="$T_TMP/askpass-wrong" SSH_ASKPASS_REQUIRE=force \
	"$JUMPCAT" -vvv -F "$T_TMP/noid_config" -J "127.0.0.1:$SSHD_PORT" -o "IdentityFile=$T_TMP/enc" 127.0.0.1 "$ECHO" </dev/null
is_int 3 "$RUN_RC" "jumpcat -J, a wrong passphrase: authentication fails, exit 3"
like "wrong passphrase" "$RUN_ERR" "... saying so"
no_leak_text "... without the wrong passphrase in its -vvv log" "$RUN_ERR"

# --- fwdpipe ---------------------------------------------------------------------
# The session through ProxyCommand jumpcat -x (tinyproxy, credentials in
# the environment it passes on), logging in with the encrypted key.
printf 'Host *\n  ProxyCommand %s -x http://127.0.0.1:%s %%h %%p\n' "$JUMPCAT" "$TP" |
	cat - "$T_TMP/noid_config" >"$T_TMP/pc_config"
fixture_free_port
LP=$FIXTURE_PORT
SOCK=$T_TMP/f.sock
: >"$T_TMP/askpass.ran"
JUMPCAT_PROXY_USER=alice JUMPCAT_PROXY_PASSWORD=$PW SSH_ASKPASS=$T_TMP/askpass SSH_ASKPASS_REQUIRE=force \
	"$FWDPIPE" -vvv -F "$T_TMP/pc_config" -p "$SSHD_PORT" -i "$T_TMP/enc" -L "$LP:127.0.0.1:$ECHO" \
	--status-socket "$SOCK" 127.0.0.1 2>"$T_TMP/f.err" &
FP=$!
fixture_atexit "kill $FP 2>/dev/null"
safe_wait_up 30 "$SOCK" || diag "fwdpipe did not come up: $(tail -n 20 "$T_TMP/f.err")"
ok "fwdpipe through ProxyCommand jumpcat (password in the environment), encrypted -i key: the forward works" \
	fwd_echo "$LP"
ok "... the askpass program was asked" test -s "$T_TMP/askpass.ran"
tree_cmdlines "$FP" >"$T_TMP/f.cmdline"
like "jumpcat -x http://127\\.0\\.0\\.1:$TP " "$(<"$T_TMP/f.cmdline")" "... its ProxyCommand jumpcat runs (argv read)"
no_leak "... no secret in the argv of fwdpipe or its ProxyCommand" "$T_TMP/f.cmdline"
fwd_status "$SOCK" >"$T_TMP/f.json"
like '"state":"up"' "$(<"$T_TMP/f.json")" "... its status JSON read"
no_leak "... no secret in the status JSON" "$T_TMP/f.json"
# Again after a reconnect: the passphrase and the password are used anew.
kill -HUP "$FP"
fwd_wait_status 30 "$SOCK" reconnects '^1$' && safe_wait_up 30 "$SOCK"
ok "after SIGHUP: reconnected (password and passphrase used again), the forward works" fwd_echo "$LP"
is_int 2 "$(grep -c . "$T_TMP/askpass.ran")" "... the askpass program was asked twice in all"
fwd_status "$SOCK" >"$T_TMP/f2.json"
no_leak "... no secret in the status JSON" "$T_TMP/f2.json"
kill -TERM "$FP"
wait "$FP"
like "debug: " "$(<"$T_TMP/f.err")" "fwdpipe -vvv logged its debug lines"
no_leak "... and no secret in its -vvv log" "$T_TMP/f.err"

run timeout 60 env SSH_ASKPASS="$T_TMP/askpass-wrong" SSH_ASKPASS_REQUIRE=force \
	"$FWDPIPE" -vvv -F "$T_TMP/noid_config" -p "$SSHD_PORT" -i "$T_TMP/enc" -L "$LP:127.0.0.1:$ECHO" 127.0.0.1
is_int 3 "$RUN_RC" "fwdpipe, a wrong passphrase: authentication fails, exit 3"
no_leak_text "... without the wrong passphrase in its -vvv log" "$RUN_ERR"

# --- tunnelcheck --------------------------------------------------------------------
# While it waits for an answer that never comes (the talker greets, then
# says nothing), its argv is read from /proc.
rm -f "$T_TMP/tc-run.out"
"$TC" -vvv -x "http://alice:$PW@127.0.0.1:$TP" -H 127.0.0.1 -p "$TALK" --expect never-sent -t 20 \
	>"$T_TMP/tc-run.out" 2>"$T_TMP/tc-run.err" &
TCPID=$!
fixture_wait_log "$TINYPROXY_LOG" "CONNECT.*:$TALK" 20
for ((i = 0; i < 200; i++)); do
	[[ $(safe_cmdline "$TCPID") == *'*'* ]] && break
	sleep 0.05
done
safe_cmdline "$TCPID" >"$T_TMP/tc-run.cmdline"
like "-x http://alice:\\*+@127\\.0\\.0\\.1:$TP " "$(<"$T_TMP/tc-run.cmdline")" \
	"tunnelcheck -x http://alice:PASSWORD@..., while it runs: its argv shows the URL masked"
kill -TERM "$TCPID" 2>/dev/null
wait "$TCPID"
no_leak "... the password is not in its argv" "$T_TMP/tc-run.cmdline"

# tcformats NAME ARG...: tunnelcheck ARG... in each format (nagios with
# -vvv); every output and stderr in $T_TMP/NAME.*.
tcformats() {
	local name=$1 f
	shift
	for f in nagios json prometheus; do
		timeout 60 "$TC" -vvv --format "$f" "$@" </dev/null >"$T_TMP/$name.$f" 2>"$T_TMP/$name.$f.err"
	done
}
tcformats tc-url -x "http://alice:$PW@127.0.0.1:$TP" -H 127.0.0.1 -p "$ECHO" --send ping --expect ping
like "^TUNNEL OK" "$(<"$T_TMP/tc-url.nagios")" "tunnelcheck -x http://alice:PASSWORD@...: OK"
no_leak "... no password in its -vvv, json or prometheus output, nor on stderr" "$T_TMP"/tc-url.*
tcformats tc-file -x "http://127.0.0.1:$TP" --proxy-auth-file "$T_TMP/auth" -H 127.0.0.1 -p "$ECHO" --send ping --expect ping
like "^TUNNEL OK" "$(<"$T_TMP/tc-file.nagios")" "tunnelcheck --proxy-auth-file: OK"
no_leak "... no password in its -vvv, json or prometheus output, nor on stderr" "$T_TMP"/tc-file.*
JUMPCAT_PROXY_USER=bob JUMPCAT_PROXY_PASSWORD=$PW tcformats tc-env \
	-x "socks5://127.0.0.1:$MS" -H 127.0.0.1 -p "$ECHO" --send ping --expect ping
like "^TUNNEL OK" "$(<"$T_TMP/tc-env.nagios")" "tunnelcheck -x socks5://, password in the environment: OK"
like '"state":"OK"' "$(<"$T_TMP/tc-env.json")" "... (json read)"
like 'tunnelcheck_up\{[^}]*\} 1' "$(<"$T_TMP/tc-env.prometheus")" "... (prometheus read)"
no_leak "... no password in its -vvv, json or prometheus output, nor on stderr" "$T_TMP"/tc-env.*
JUMPCAT_PROXY_USER=alice JUMPCAT_PROXY_PASSWORD=$PW-wrong tcformats tc-wrong \
	-x "http://127.0.0.1:$TP" -H 127.0.0.1 -p "$ECHO"
like "^TUNNEL CRITICAL" "$(<"$T_TMP/tc-wrong.nagios")" "tunnelcheck, a wrong proxy password: CRITICAL"
no_leak "... the wrong password is not in any output" "$T_TMP"/tc-wrong.*

: >"$T_TMP/askpass.ran"
SSH_ASKPASS=$T_TMP/askpass SSH_ASKPASS_REQUIRE=force tcformats tc-enc \
	-F "$T_TMP/noid_config" -H 127.0.0.1 -p "$SSHD_PORT" --login -i "$T_TMP/enc"
like "^TUNNEL CRITICAL - .*enc \\(encrypted; no passphrase is asked for here" "$(<"$T_TMP/tc-enc.nagios")" \
	"tunnelcheck --login with an encrypted key: CRITICAL, no passphrase asked for"
is "" "$(<"$T_TMP/askpass.ran")" "... SSH_ASKPASS never ran"
no_leak "... no passphrase in any output" "$T_TMP"/tc-enc.*

done_testing
