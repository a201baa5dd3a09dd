#!/bin/bash
# contrib-authorized-keys.t: contrib/authorized-keys-line against a real
# sshd.  The line it prints for the fixture client's key goes into the
# fixture sshd's authorized_keys, and the real ssh client and fwdpipe show
# what it allows: the -R it names listens and a connection to it reaches
# the client's target, while a -R on another port (or another address,
# or with no --listen at all) is refused; -W and -L reach the --open
# destination and no other (none without --open); a command, a pty and
# sftp do not run.  An expiry time in the past (local time, or UTC with Z)
# refuses the login and sshd says "expired"; one in the future (absolute
# or +1h, which the script writes in UTC whatever TZ says) lets it in.
# --from without the client's address refuses it, with it lets it in.
# The line reads the same from a .pub file, stdin or an authorized_keys
# line, ssh-keygen -l finds the key in it, and bad input exits 2 with one
# line on stderr and nothing on stdout.  The script passes `dash -n` and
# `shellcheck -s sh`.  And the caveat its --help names holds: permitlisten
# does not stop ssh -R /path (a Unix socket); AllowStreamLocalForwarding no
# in sshd_config does.  (sshd says why it refuses an expired key only at
# LogLevel DEBUG1: the test switches the fixture sshd to it with SIGHUP.)
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2317 # since, S and no_echo run through ok and run

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"
. "$top_srcdir/t/tap/fixtures-fwd.sh"

AKL=$top_srcdir/contrib/authorized-keys-line
FWDPIPE=$top_builddir/tools/fwdpipe
fixture_require "$AKL" "$FWDPIPE" ssh ssh-keygen sftp dash python3 timeout date
fixture_sshd_start || bail "no sshd"
fixture_tcpserv echo
ECHO=$TCPSERV_PORT
fixture_tcpserv echo
ECHO2=$TCPSERV_PORT	# a second echo server that no line names
PUB=$SSHD_DIR/id_ed25519.pub
KEY=$(cut -d' ' -f1-2 "$PUB")
KEYFP=$(ssh-keygen -l -f "$PUB" | awk '{ print $2 }')
AK=$SSHD_DIR/authorized_keys
plan_lazy

# sshd_reconfig OLD NEW: replace the line OLD of the fixture sshd's config
# with NEW (which may be two lines, joined by \n) and make sshd read it
# again: SIGHUP makes it re-execute itself.  Waits until it listens again.
sshd_reconfig() {
	local n i
	n=$(grep -c 'Received SIGHUP' "$SSHD_LOG")
	sed -i "s/^$1\$/$2/" "$SSHD_DIR/sshd_config"
	grep -qx "${2%%\\n*}" "$SSHD_DIR/sshd_config" || bail "cannot set $2 in sshd_config"
	kill -HUP "$SSHD_PID"
	for ((i = 0; i < 500; i++)); do
		awk -v n="$n" '/Received SIGHUP/ { h++ } h > n && /Server listening on/ { f = 1 }
			END { exit !f }' "$SSHD_LOG" && return 0
		sleep 0.02
	done
	bail "sshd did not come back after SIGHUP: $(fixture__tail "$SSHD_LOG")"
}

# sshd tells why an expired key is refused only at LogLevel DEBUG1.
sshd_reconfig 'LogLevel VERBOSE' 'LogLevel DEBUG1'

fixture_free_ports 4 || bail "no free port"
PA=${PORTS[0]} PB=${PORTS[1]} PC=${PORTS[2]} PD=${PORTS[3]}

# line DESC ARG...: run the script with ARG... on the client's key and put
# the line it prints into sshd's authorized_keys (nothing on failure, so
# that no login works).  Sets LINE.
line() {
	local desc=$1 n=0
	shift
	run "$AKL" "$@" "$PUB"
	LINE=$RUN_OUT
	[[ -n $RUN_OUT ]] && n=$(grep -c '' <<<"$RUN_OUT")
	if ! is "0 1" "$RUN_RC $n" "$desc: exit 0, one line"; then
		diag "$RUN_ERR"
		LINE=
	fi
	printf '%s\n' "$LINE" >"$AK"
}

# mark: remember how far sshd's log is; since REGEX [SECS] waits (bounded)
# for a line after the mark that matches REGEX.
mark() {
	MARK=$(wc -l <"$SSHD_LOG")
}
since() {
	local end
	end=$(($(tap_now_ms) + ${2:-5} * 1000))
	until tail -n "+$((MARK + 1))" "$SSHD_LOG" | grep -qE -e "$1"; do
		(($(tap_now_ms) < end)) || return 1
		sleep 0.02
	done
}
# logged REGEX DESC: a check that sshd logged REGEX after the mark.
logged() {
	if ! ok "$2" since "$1"; then
		diag "sshd's log since the mark:" "$(tail -n "+$((MARK + 1))" "$SSHD_LOG" | grep -v '^debug')"
	fi
}

# S ARG...: the fixture's ssh client with ARG... to the fixture sshd, for
# at most 20 s.  SSH: the same without the time limit, to run in the
# background (its pid is then ssh's own).
SSH=(ssh -F "$SSH_CONFIG" -p "$SSHD_PORT")
S() {
	timeout 20 "${SSH[@]}" "$@"
}

# no_echo PORT: true if no round trip works through 127.0.0.1:PORT.
no_echo() {
	! fwd_echo "$1"
}

# w_echo HOST:PORT: one round trip through `ssh -W HOST:PORT`; sets RUN_*
# and W_TOKEN (what came back must be that).
w_echo() {
	W_TOKEN=tok-$RANDOM-$RANDOM
	run S -o LogLevel=INFO -W "$1" 127.0.0.1 <<<"$W_TOKEN"
}

# wait_listen PID PORT: wait (bounded) until process PID listens on PORT.
wait_listen() {
	local i
	for ((i = 0; i < 1000; i++)); do
		fixture_listen_inodes "$1" "$2" >/dev/null && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.02
	done
	return 1
}

# stop PID: SIGTERM PID and reap it.
stop() {
	kill -TERM "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# ---- 1. the line -------------------------------------------------------------
run "$AKL" --listen "127.0.0.1:$PA" --open "127.0.0.1:$ECHO" --comment tunnel-test "$PUB"
is_int 0 "$RUN_RC" "--listen --open --comment: exit 0" || diag "$RUN_ERR"
is "" "$RUN_ERR" "... nothing on stderr"
WANT="restrict,port-forwarding,command=\"false\",permitlisten=\"127.0.0.1:$PA\",permitopen=\"127.0.0.1:$ECHO\" $KEY tunnel-test"
is "$WANT" "$RUN_OUT" "... the line: forwarding only, the listen port and the destination"
printf '%s\n' "$RUN_OUT" >"$T_TMP/line"
is "$KEYFP" "$(ssh-keygen -l -f "$T_TMP/line" | awk '{ print $2 }')" \
	"... ssh-keygen -l reads the client's key in it"
run "$AKL" --listen "127.0.0.1:$PA" --open "127.0.0.1:$ECHO" --comment tunnel-test - <"$PUB"
is "$WANT" "$RUN_OUT" "the same from standard input"
printf 'from="10.*",no-pty,command="echo \\" x" %s old comment\n' "$KEY" >"$T_TMP/ak-in"
run "$AKL" --listen "127.0.0.1:$PA" --open "127.0.0.1:$ECHO" "$T_TMP/ak-in"
is "${WANT% tunnel-test} old comment" "$RUN_OUT" \
	"the same from an authorized_keys line: its options dropped, its comment kept"
run "$AKL" --open "127.0.0.1:$ECHO" --comment= "$PUB"
is "restrict,port-forwarding,command=\"false\",permitlisten=\"NONE.INVALID:1\",permitopen=\"127.0.0.1:$ECHO\" $KEY" \
	"$RUN_OUT" "--open only: an unusable permitlisten; --comment= drops the comment"

# ---- 2. what ssh may do under it ----------------------------------------------
line "listen 127.0.0.1:$PA, open 127.0.0.1:$ECHO" --listen "127.0.0.1:$PA" --open "127.0.0.1:$ECHO"

mark
"${SSH[@]}" -o ExitOnForwardFailure=yes -N -R "127.0.0.1:$PA:127.0.0.1:$ECHO" 127.0.0.1 \
	</dev/null 2>"$T_TMP/r1.err" &
R1=$!
fixture_atexit "kill $R1 2>/dev/null"
ok "ssh -R 127.0.0.1:$PA: a connection to port $PA on the server reaches the client's target" \
	fwd_wait_echo 20 "$PA"
ok "... and ssh stays up" kill -0 "$R1"
stop "$R1"
ok "... sshd denied nothing" test -z "$(tail -n "+$((MARK + 1))" "$SSHD_LOG" | grep denied)"

mark
run S -o ExitOnForwardFailure=yes -N -R "127.0.0.1:$PB:127.0.0.1:$ECHO" 127.0.0.1 </dev/null
is_int 255 "$RUN_RC" "ssh -R 127.0.0.1:$PB (not named): ssh exits 255"
like "remote port forwarding failed for listen port $PB" "$RUN_ERR" "... remote port forwarding failed"
logged "remote forward to host 127.0.0.1 port $PB, but the request was denied" "... sshd denied it"

mark
run S -o ExitOnForwardFailure=yes -N -R "$PA:127.0.0.1:$ECHO" 127.0.0.1 </dev/null
is_int 255 "$RUN_RC" "ssh -R $PA (no address: \"localhost\", which 127.0.0.1:$PA does not match): refused"
logged "remote forward to host localhost port $PA, but the request was denied" "... sshd denied it"

w_echo "127.0.0.1:$ECHO"
is "0 $W_TOKEN" "$RUN_RC $RUN_OUT" "ssh -W 127.0.0.1:$ECHO (named): echoed"
mark
w_echo "127.0.0.1:$ECHO2"
is_int 255 "$RUN_RC" "ssh -W 127.0.0.1:$ECHO2 (not named): fails"
like "administratively prohibited" "$RUN_ERR" "... administratively prohibited"
logged "connect to host 127.0.0.1 port $ECHO2, but the request was denied" "... sshd denied it"

mark
"${SSH[@]}" -o LogLevel=INFO -N -L "$PC:127.0.0.1:$ECHO" -L "$PD:127.0.0.1:$ECHO2" 127.0.0.1 \
	</dev/null 2>"$T_TMP/l.err" &
L1=$!
fixture_atexit "kill $L1 2>/dev/null"
if ! wait_listen "$L1" "$PC" || ! wait_listen "$L1" "$PD"; then
	diag "ssh -L did not listen: $(<"$T_TMP/l.err")"
fi
ok "ssh -L $PC:127.0.0.1:$ECHO (named): echoed" fwd_echo "$PC"
ok "ssh -L $PD:127.0.0.1:$ECHO2 (not named): no echo" no_echo "$PD"
logged "connect to host 127.0.0.1 port $ECHO2, but the request was denied" "... sshd denied it"
stop "$L1"
like "administratively prohibited" "$(<"$T_TMP/l.err")" "... ssh said administratively prohibited"

mark
run S 127.0.0.1 "touch $T_TMP/ran"
is_int 1 "$RUN_RC" "a command: ssh gets the forced command's exit status 1"
ok "... the command did not run (no $T_TMP/ran)" test ! -e "$T_TMP/ran"
logged "forced-command \(key-option\) 'false'" "... sshd ran the forced command instead"
run S -tt 127.0.0.1 true
like "PTY allocation request failed" "$RUN_ERR" "ssh -tt: no pty"
echo data >"$T_TMP/upload"
run timeout 20 sftp -F "$SSH_CONFIG" -P "$SSHD_PORT" -b - 127.0.0.1 <<<"put $T_TMP/upload $T_TMP/uploaded"
ok "sftp fails (exit $RUN_RC)" test "$RUN_RC" -ne 0
ok "... and wrote no file" test ! -e "$T_TMP/uploaded"

# ---- 3. fwdpipe under it ------------------------------------------------------
SOCK=$T_TMP/fwdpipe.sock
mark
"$FWDPIPE" -F "$SSH_CONFIG" -p "$SSHD_PORT" --status-socket "$SOCK" \
	-R "127.0.0.1:$PA:127.0.0.1:$ECHO" -R "127.0.0.1:$PB:127.0.0.1:$ECHO" \
	127.0.0.1 </dev/null 2>"$T_TMP/fwdpipe.log" &
FP=$!
fixture_atexit "kill $FP 2>/dev/null"
fwd_wait_status 20 "$SOCK" forwards.0.state '^up$'
is up "$FWD_SEEN" "fwdpipe -R 127.0.0.1:$PA (named): up"
ok "... a connection to port $PA on the server reaches the target" fwd_wait_echo 20 "$PA"
fwd_wait_status 20 "$SOCK" forwards.1.state '^retrying$'
is retrying "$FWD_SEEN" "fwdpipe -R 127.0.0.1:$PB (not named): refused, asking again"
ok "... fwdpipe logged the refusal" fixture_wait_log "$T_TMP/fwdpipe.log" \
	"warning: -R 127\.0\.0\.1:$PB:.*refused to listen on 127\.0\.0\.1:$PB" 10
logged "remote forward to host 127.0.0.1 port $PB, but the request was denied" "... sshd denied it"
stop "$FP"

# ---- 4. one kind only: the other is refused -------------------------------------
line "--listen $PC (a bare port, no --open)" --listen "$PC"
"$FWDPIPE" -F "$SSH_CONFIG" -p "$SSHD_PORT" --status-socket "$SOCK" \
	-R "$PC:127.0.0.1:$ECHO" 127.0.0.1 </dev/null 2>"$T_TMP/fwdpipe2.log" &
FP=$!
fixture_atexit "kill $FP 2>/dev/null"
ok "fwdpipe -R $PC (no address) under --listen $PC: a connection reaches the target" \
	fwd_wait_echo 20 "$PC"
stop "$FP"
mark
w_echo "127.0.0.1:$ECHO"
is_int 255 "$RUN_RC" "... ssh -W 127.0.0.1:$ECHO: refused (no --open)"
logged "connect to host 127.0.0.1 port $ECHO, but the request was denied" "... sshd denied it"
mark
w_echo "NONE.INVALID:1"
is_int 255 "$RUN_RC" "... ssh -W NONE.INVALID:1 (the line's own stand-in): fails"
logged "connect_to NONE.INVALID: unknown host" "... sshd could not resolve it: nothing to connect to"

line "--open 127.0.0.1:$ECHO (no --listen)" --open "127.0.0.1:$ECHO"
for spec in "127.0.0.1:$PA" "$PA" "NONE.INVALID:1" "none.invalid:1"; do
	mark
	run S -o ExitOnForwardFailure=yes -N -R "$spec:127.0.0.1:$ECHO" 127.0.0.1 </dev/null
	is_int 255 "$RUN_RC" "... ssh -R $spec: refused (no --listen)"
	logged "remote forward to host .* port ${spec##*:}, but the request was denied" "... sshd denied it"
done
w_echo "127.0.0.1:$ECHO"
is "0 $W_TOKEN" "$RUN_RC $RUN_OUT" "... ssh -W 127.0.0.1:$ECHO (named): echoed"

# ---- 5. --expires --------------------------------------------------------------
# login_ok DESC / login_refused DESC: a forward through the current line
# works, or the login is refused.
login_ok() {
	w_echo "127.0.0.1:$ECHO"
	is "0 $W_TOKEN" "$RUN_RC $RUN_OUT" "$1: login and forward work" || diag "$RUN_ERR"
}
login_refused() {
	w_echo "127.0.0.1:$ECHO"
	is "255" "$RUN_RC" "$1: login refused"
	like "Permission denied \(publickey\)" "$RUN_ERR" "... Permission denied (publickey)"
}

past=$(date -d '-1 minute' +%Y%m%d%H%M)
line "--expires $past (a minute ago, local time)" --open "127.0.0.1:$ECHO" --expires "$past"
like "warning: --expires $past is past" "$RUN_ERR" "... a warning that it is past"
like "expiry-time=\"$past\"" "$LINE" "... written as given"
mark
login_refused "expiry a minute ago"
logged "entry expired at" "... sshd says the entry expired"

pastz=$(date -u -d '-1 minute' +%Y%m%d%H%M%SZ)
line "--expires $pastz (a minute ago, UTC)" --open "127.0.0.1:$ECHO" --expires "$pastz"
mark
login_refused "expiry a minute ago in UTC"
logged "entry expired at" "... sshd says the entry expired"

future=$(date -d '+1 hour' +%Y%m%d%H%M)
line "--expires $future (in an hour, local time)" --open "127.0.0.1:$ECHO" --expires "$future"
is "" "$RUN_ERR" "... no warning"
login_ok "expiry in an hour"

now=$(date -u +%s)
line "--expires +1h" --open "127.0.0.1:$ECHO" --expires +1h
exp=$(sed -n 's/.*expiry-time="\([0-9]*Z\)".*/\1/p' <<<"$LINE")
like '^[0-9]{14}Z$' "$exp" "... written as YYYYMMDDHHMMSSZ (UTC)"
secs=$(date -u -d "${exp:0:4}-${exp:4:2}-${exp:6:2} ${exp:8:2}:${exp:10:2}:${exp:12:2}" +%s 2>/dev/null)
ok "... one hour from now ($((${secs:-0} - now)) s)" test "$((${secs:-0} - now - 3600))" -ge -1 -a "$((${secs:-0} - now - 3600))" -le 5
login_ok "expiry +1h"
run env TZ=XXX-14 "$AKL" --open "127.0.0.1:$ECHO" --expires +1h "$PUB"
exp14=$(sed -n 's/.*expiry-time="\([0-9]*Z\)".*/\1/p' <<<"$RUN_OUT")
secs14=$(date -u -d "${exp14:0:4}-${exp14:4:2}-${exp14:6:2} ${exp14:8:2}:${exp14:10:2}:${exp14:12:2}" +%s 2>/dev/null)
ok "... the same UTC time with TZ 14 hours ahead ($exp14 vs $exp)" \
	test "$((${secs14:-0} - ${secs:-0}))" -ge 0 -a "$((${secs14:-0} - ${secs:-0}))" -le 5

# ---- 6. --from -------------------------------------------------------------------
for from in 10.0.0.0/8 '!127.0.0.1,*'; do
	line "--from $from" --open "127.0.0.1:$ECHO" --from "$from"
	mark
	login_refused "--from $from (the client is 127.0.0.1)"
	logged "correct key but not from a permitted host" "... sshd: not from a permitted host"
done
line "--from 127.0.0.0/8,::1" --open "127.0.0.1:$ECHO" --from 127.0.0.0/8,::1
login_ok "--from 127.0.0.0/8,::1"
line "--from 192.0.2.1 --from 127.0.0.1 (joined)" --open "127.0.0.1:$ECHO" --from 192.0.2.1 --from 127.0.0.1
like 'from="192\.0\.2\.1,127\.0\.0\.1"' "$LINE" "... one from= with both"
login_ok "--from 192.0.2.1 --from 127.0.0.1"

# ---- 7. bad input: exit 2, one line on stderr, nothing on stdout ------------------
# bad REGEX DESC ARG...: the script with ARG... must fail that way, its
# message matching REGEX.
bad() {
	local re=$1 desc=$2 n=0
	shift 2
	run "$AKL" "$@"
	[[ -n $RUN_ERR ]] && n=$(grep -c '' <<<"$RUN_ERR")
	like "^rc=2 out=0 lines=1 authorized-keys-line: .*$re" \
		"rc=$RUN_RC out=${#RUN_OUT} lines=$n $RUN_ERR" "bad input: $desc"
}
O=(--open "127.0.0.1:$ECHO")
ssh-keygen -q -t ed25519 -N '' -C other -f "$T_TMP/other"
printf '%s\n' "$KEY one" "$(<"$T_TMP/other.pub")" >"$T_TMP/two.pub"
printf 'hello\nworld\n' >"$T_TMP/text"
printf 'ssh-ed25519 %s broken\n' "$(printf 'not a key' | base64)" >"$T_TMP/broken.pub"
ssh-keygen -q -s "$T_TMP/other" -I test -n "$(id -un)" "$T_TMP/other.pub"
bad "nothing to forward" "no --listen and no --open" "$PUB"
bad "no key given" "no key file" "${O[@]}"
bad "2 key files" "two key files" "${O[@]}" "$PUB" "$PUB"
bad "not a readable file" "a missing file" "${O[@]}" "$T_TMP/nonexistent"
bad "private key" "a private key" "${O[@]}" "$SSHD_DIR/id_ed25519"
bad "2 keys in it" "two keys in the file" "${O[@]}" "$T_TMP/two.pub"
bad "not an? (OpenSSH )?public key" "a text file" "${O[@]}" "$T_TMP/text"
bad "not an? (OpenSSH )?public key" "a text on stdin" "${O[@]}" - <<<"hello"
bad "cannot read the ssh-ed25519 key" "a damaged key" "${O[@]}" "$T_TMP/broken.pub"
bad "a certificate" "a certificate" "${O[@]}" "$T_TMP/other-cert.pub"
bad "port 70000 is not 1-65535" "--listen 70000" --listen 70000 "$PUB"
bad "port 0 is not 1-65535" "--listen 127.0.0.1:0" --listen 127.0.0.1:0 "$PUB"
bad "port x is not 1-65535" "--open 127.0.0.1:x" --open 127.0.0.1:x "$PUB"
bad "wants host:port" "--open with no port" --open 127.0.0.1 "$PUB"
bad "no quotes" "--listen with a quote" --listen '127.0.0.1:80"' "$PUB"
bad "no commas" "--open with a comma" --open '127.0.0.1:80,127.0.0.1:81' "$PUB"
bad "line break" "--listen with a newline" --listen $'80\n81' "$PUB"
bad "no blanks" "--open with a blank" --open 'a b:80' "$PUB"
bad "no wildcards" "--open with a wildcard" --open '10.*:80' "$PUB"
bad "IPv6 address in brackets" "--open ::1:22" --open ::1:22 "$PUB"
bad "no quotes" "--from with a quote" --from '10.0.0.1"' "${O[@]}" "$PUB"
bad "mask length 33" "--from 10.0.0.0/33" --from 10.0.0.0/33 "${O[@]}" "$PUB"
bad "empty pattern" "--from with a stray comma" --from 10.0.0.1, "${O[@]}" "$PUB"
bad "wants YYYYMMDD" "--expires 2030-01-01" --expires 2030-01-01 "${O[@]}" "$PUB"
bad "not a date and time" "--expires 20301301 (month 13)" --expires 20301301 "${O[@]}" "$PUB"
bad "the unit is" "--expires +5x" --expires +5x "${O[@]}" "$PUB"
bad "line breaks" "--comment with a newline" --comment $'a\nb' "${O[@]}" "$PUB"
bad "unknown option --bogus" "an unknown option" --bogus "${O[@]}" "$PUB"
bad "--listen wants a value" "--listen with no value" "$PUB" --listen

# ---- 8. the caveat: Unix-domain sockets ---------------------------------------------
# permitlisten does not cover ssh -R /path; sshd_config's
# AllowStreamLocalForwarding does, as --help says.
line "--listen 127.0.0.1:$PA" --listen "127.0.0.1:$PA"
RSOCK=$T_TMP/remote.sock
mark
"${SSH[@]}" -o ExitOnForwardFailure=yes -N -R "$RSOCK:127.0.0.1:$ECHO" 127.0.0.1 \
	</dev/null 2>"$T_TMP/r2.err" &
R2=$!
fixture_atexit "kill $R2 2>/dev/null"
for ((i = 0; i < 500; i++)); do
	[[ -S $RSOCK ]] && break
	kill -0 "$R2" 2>/dev/null || break
	sleep 0.02
done
ok "caveat: with sshd's default AllowStreamLocalForwarding, ssh -R $RSOCK listens" test -S "$RSOCK"
stop "$R2"
rm -f -- "$RSOCK"
sshd_reconfig 'AllowTcpForwarding yes' 'AllowTcpForwarding yes\nAllowStreamLocalForwarding no'
mark
run S -o ExitOnForwardFailure=yes -N -R "$RSOCK:127.0.0.1:$ECHO" 127.0.0.1 </dev/null
is_int 255 "$RUN_RC" "... with AllowStreamLocalForwarding no: refused"
like "remote port forwarding failed for listen path" "$RUN_ERR" "... remote port forwarding failed"
ok "... no socket" test ! -e "$RSOCK"

# ---- 9. POSIX sh ------------------------------------------------------------------
ok "dash -n accepts the script" dash -n "$AKL"
run bash --posix "$AKL" --listen "127.0.0.1:$PA" --open "127.0.0.1:$ECHO" --comment tunnel-test "$PUB"
is "$WANT" "$RUN_OUT" "bash --posix prints the same line"
if command -v shellcheck >/dev/null; then
	run shellcheck -s sh "$AKL"
	is "0" "$RUN_RC" "shellcheck -s sh is clean" || diag "$RUN_OUT"
elif [[ ${CI-} == true ]]; then
	ok "shellcheck -s sh (missing: Debian package shellcheck)" false
else
	skip "shellcheck is not installed (Debian package shellcheck)"
fi
run "$AKL" --help
like "^NAME.*SYNOPSIS.*--listen.*--open.*--from.*--expires.*--comment.*EXIT STATUS" \
	"$(tr '\n' ' ' <<<"$RUN_OUT")" "--help: a manual (exit $RUN_RC)"

done_testing
