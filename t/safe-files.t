#!/bin/bash
# safe-files.t: safe default 4 of issue 7, in one place: credential and key
# files that others may read are refused, in ssh's words, by all three
# tools.  A private key file (IdentityFile, -i) of the user's with any
# group or other permission bit is ignored with ssh's own warning, line for
# line as ssh 9.2 prints it for the same file ("WARNING: UNPROTECTED
# PRIVATE KEY FILE!", "Permissions 0644 for 'PATH' are too open.", "This
# private key will be ignored."), and authentication goes on with the next
# key: alone it fails (exit 3, CRITICAL), with a good key after it it
# works; 0600 and 0400 are fine.  That for jumpcat -J (-o IdentityFile),
# fwdpipe (-i, and IdentityFile in ssh_config) and tunnelcheck --login (-i;
# its stderr stays empty, the warning is in the -vv long output).  A proxy
# auth file readable by group or others is refused before the proxy is
# asked anything ("Permissions 0644 for 'PATH' are too open: ... (chmod 600
# PATH)"): jumpcat exits 2, tunnelcheck is UNKNOWN, and fwdpipe, whose
# ProxyCommand is such a jumpcat, fails to connect (exit 1 with -f) with
# that line on its stderr; a mode-600 file works.
# SPDX-License-Identifier: MIT

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"
. "$top_srcdir/t/tap/fixtures-fwd.sh"
. "$top_srcdir/t/tap/fixtures-safe.sh"

JUMPCAT=$top_builddir/tools/jumpcat
FWDPIPE=$top_builddir/tools/fwdpipe
TC=$top_builddir/tools/tunnelcheck
fixture_require "$JUMPCAT" "$FWDPIPE" "$TC" ssh timeout python3
fixture_sshd_start || bail "no sshd"
fixture_tcpserv echo
ECHO=$TCPSERV_PORT
fixture_tinyproxy -a "alice:files-pw-$$"
TP=$TINYPROXY_PORT TPLOG=$TINYPROXY_LOG
plan_lazy

# The authorized key under several modes, each with its .pub; and the
# fixture's ssh_config without its IdentityFile.
for mode in 600 400 644 640 604 660; do
	cp "$SSHD_DIR/id_ed25519" "$T_TMP/key$mode"
	cp "$SSHD_DIR/id_ed25519.pub" "$T_TMP/key$mode.pub"
	chmod "$mode" "$T_TMP/key$mode"
done
grep -v IdentityFile "$SSH_CONFIG" >"$T_TMP/noid_config"
NOID=$T_TMP/noid_config
echo "through" >"$T_TMP/in"

# req STRING: STRING quoted for a bash regex.
req() {
	sed 's/[][\.*^$+?(){}|/]/\\&/g' <<<"$1"
}

# ssh's own warning for a file: the lines ssh prints, in order.
ssh_warning() {
	timeout 30 ssh -F "$NOID" -p "$SSHD_PORT" -i "$1" 127.0.0.1 true </dev/null 2>&1 |
		tr -d '\r' | grep -E '^(@|Permissions |It is required|This private key)'
}
# our_warning TEXT: the same lines of a tool's log, without its prefix.
our_warning() {
	sed -nE 's/^(log: )?(jumpcat|fwdpipe|tunnelcheck): (@|Permissions |It is required|This private key)/\3/p' <<<"$1"
}

WANT644=$(ssh_warning "$T_TMP/key644")
like "^@+"$'\n'"@ +WARNING: UNPROTECTED PRIVATE KEY FILE! +@"$'\n'"@+"$'\n'"Permissions 0644 for '${T_TMP//./\\.}/key644' are too open\\."$'\n'"It is required that your private key files are NOT accessible by others\\."$'\n'"This private key will be ignored\\.$" \
	"$WANT644" "ssh itself: the six lines of its warning for a 0644 key (the reference)"

# --- private keys: jumpcat -J -------------------------------------------------
jc() {
	run timeout 60 "$JUMPCAT" -F "$NOID" -J "127.0.0.1:$SSHD_PORT" "$@" 127.0.0.1 "$ECHO" <"$T_TMP/in"
}
for mode in 644 640 604 660; do
	jc -o "IdentityFile=$T_TMP/key$mode"
	is_int 3 "$RUN_RC" "jumpcat -J, key file mode 0$mode alone: ignored, authentication fails (exit 3)"
	is "$(ssh_warning "$T_TMP/key$mode")" "$(our_warning "$RUN_ERR")" \
		"... with ssh's warning, line for line"
	like "tried ${T_TMP//./\\.}/key$mode \\(permissions 0$mode are too open: ignored\\)" "$RUN_ERR" \
		"... and the failure names the key and why"
done
jc -o "IdentityFile=$T_TMP/key644" -o "IdentityFile=$T_TMP/key600"
is "0:through" "$RUN_RC:$RUN_OUT" "jumpcat -J: a 0644 key, then a 0600 one: authentication goes on and works"
is "$WANT644" "$(our_warning "$RUN_ERR")" "... with the warning for the 0644 key"
for mode in 600 400; do
	jc -o "IdentityFile=$T_TMP/key$mode"
	is "0:through:" "$RUN_RC:$RUN_OUT:$RUN_ERR" "jumpcat -J, key file mode 0$mode: used, nothing said"
done

# --- private keys: fwdpipe ------------------------------------------------------
fixture_free_port
LP=$FIXTURE_PORT
run timeout 60 "$FWDPIPE" -F "$NOID" -p "$SSHD_PORT" -i "$T_TMP/key644" -L "$LP:127.0.0.1:$ECHO" 127.0.0.1
is_int 3 "$RUN_RC" "fwdpipe -i, key file mode 0644 alone: ignored, authentication fails (exit 3)"
is "$WANT644" "$(our_warning "$RUN_ERR")" "... with ssh's warning, line for line"
like "permissions 0644 are too open: ignored" "$RUN_ERR" "... and the failure says why"

printf 'Host *\n  IdentityFile %s\n' "$T_TMP/key640" | cat - "$NOID" >"$T_TMP/id640_config"
run timeout 60 "$FWDPIPE" -F "$T_TMP/id640_config" -p "$SSHD_PORT" -L "$LP:127.0.0.1:$ECHO" 127.0.0.1
is_int 3 "$RUN_RC" "fwdpipe, IdentityFile (ssh_config) mode 0640 alone: ignored, exit 3"
is "$(ssh_warning "$T_TMP/key640")" "$(our_warning "$RUN_ERR")" "... with ssh's warning, line for line"

SOCK=$T_TMP/f.sock
"$FWDPIPE" -F "$NOID" -p "$SSHD_PORT" -i "$T_TMP/key644" -i "$T_TMP/key600" \
	-L "$LP:127.0.0.1:$ECHO" --status-socket "$SOCK" 127.0.0.1 2>"$T_TMP/f.log" &
FP=$!
fixture_atexit "kill $FP 2>/dev/null"
safe_wait_up 30 "$SOCK"
ok "fwdpipe -i 0644 -i 0600: authentication goes on with the second key; the forward works" fwd_echo "$LP"
is "$WANT644" "$(our_warning "$(<"$T_TMP/f.log")")" "... with the warning for the 0644 key"
kill -TERM "$FP"
wait "$FP"

# --- private keys: tunnelcheck --login --------------------------------------------
tc() {
	run timeout 60 "$TC" -F "$NOID" -H 127.0.0.1 -p "$SSHD_PORT" --login "$@" </dev/null
}
tc -i "$T_TMP/key644"
is "2:" "$RUN_RC:$RUN_ERR" "tunnelcheck --login -i, key file mode 0644 alone: CRITICAL (exit 2), stderr empty"
like "^TUNNEL CRITICAL - .*authentication failed .*key644 \\(permissions 0644 are too open: ignored\\)" \
	"$RUN_OUT" "... the status line names the key and why"
tc -vv -i "$T_TMP/key644"
is "$WANT644" "$(our_warning "$RUN_OUT")" "... -vv: ssh's warning, line for line, in the long output"
tc -vv -i "$T_TMP/key644" -i "$T_TMP/key600"
like "^TUNNEL OK" "$RUN_OUT" "tunnelcheck --login -i 0644 -i 0600: authentication goes on: OK"
is "0:" "$RUN_RC:$RUN_ERR" "... exit 0, stderr empty"
is "$WANT644" "$(our_warning "$RUN_OUT")" "... with the warning for the 0644 key at -vv"

# --- proxy auth files -------------------------------------------------------------
for mode in 600 644 640 604; do
	printf 'alice:files-pw-%s\n' "$$" >"$T_TMP/auth$mode"
	chmod "$mode" "$T_TMP/auth$mode"
done
ntp=$(grep -c CONNECT "$TPLOG")
for mode in 644 640 604; do
	case $mode in
	644 | 604) what="readable by others" ;;
	640) what="readable by its group" ;;
	esac
	want="Permissions 0$mode for '$T_TMP/auth$mode' are too open: a proxy auth file must not be $what (chmod 600 $T_TMP/auth$mode)"
	run timeout 30 "$JUMPCAT" -x "http://127.0.0.1:$TP" --proxy-auth-file "$T_TMP/auth$mode" 127.0.0.1 "$ECHO" <"$T_TMP/in"
	is "2:jumpcat: $want" "$RUN_RC:$RUN_ERR" "jumpcat --proxy-auth-file mode 0$mode: refused, exit 2, in ssh's words"
	run timeout 30 "$TC" -x "http://127.0.0.1:$TP" --proxy-auth-file "$T_TMP/auth$mode" -H 127.0.0.1 -p "$ECHO" </dev/null
	like "^3::TUNNEL UNKNOWN - .*$(req "$want")" "$RUN_RC:$RUN_ERR:$RUN_OUT" \
		"tunnelcheck --proxy-auth-file mode 0$mode: UNKNOWN (exit 3), the same words, stderr empty"
done
is_int "$ntp" "$(grep -c CONNECT "$TPLOG")" "the proxy was never asked: tinyproxy logged no connection at all"

printf 'Host *\n  ProxyCommand %s -x http://127.0.0.1:%s --proxy-auth-file %s %%h %%p\n' \
	"$JUMPCAT" "$TP" "$T_TMP/auth644" | cat - "$SSH_CONFIG" >"$T_TMP/pc644_config"
run timeout 60 "$FWDPIPE" -f -F "$T_TMP/pc644_config" -p "$SSHD_PORT" -L "$LP:127.0.0.1:$ECHO" 127.0.0.1
is_int 1 "$RUN_RC" "fwdpipe -f through ProxyCommand jumpcat with a 0644 proxy auth file: the connection fails (exit 1)"
like "jumpcat: Permissions 0644 for '${T_TMP//./\\.}/auth644' are too open" "$RUN_ERR" \
	"... and jumpcat's refusal is on fwdpipe's stderr"
is_int "$ntp" "$(grep -c CONNECT "$TPLOG")" "... and tinyproxy logged no connection"

# tinyproxy closes both ways on our EOF: keep stdin open until the echo is
# in (fixture_wait_size only reads the size of the file being written).
rc=0
# shellcheck disable=SC2094
{
	cat "$T_TMP/in"
	fixture_wait_size "$T_TMP/out600" 8 30
} | timeout 30 "$JUMPCAT" -x "http://127.0.0.1:$TP" --proxy-auth-file "$T_TMP/auth600" \
	127.0.0.1 "$ECHO" >"$T_TMP/out600" 2>"$T_TMP/err600" || rc=$?
is "through:$(<"$T_TMP/err600")" "$(<"$T_TMP/out600"):" \
	"jumpcat --proxy-auth-file mode 0600: used (through the proxy, which wants the password)"
n=$(grep -c CONNECT "$TPLOG")
ok "... and tinyproxy logged that connection ($ntp lines before, $n after: the count above can move)" \
	test "$n" -gt "$ntp"

done_testing
