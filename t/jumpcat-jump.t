#!/bin/bash
# jumpcat-jump.t: jumpcat -J, the in-process SSH jump hop, against two real
# sshds: a jump host and a target.  The real ssh client logs into the
# target with ProxyCommand jumpcat -J; data and half-close through the
# channel; agent and key-file authentication; host key checking (unknown,
# accept-new, changed, hashed); a jump host that dies or freezes; a channel
# the server cannot connect; a jump host reached through a ProxyCommand
# from ssh_config.
# SPDX-License-Identifier: MIT

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"

JUMPCAT=$top_builddir/tools/jumpcat
fixture_require "$JUMPCAT" timeout sha256sum pgrep ssh-agent ssh-add ssh-keygen
plan_lazy

# The jump host: its own keys and ssh_config (jumpcat reads it with -F).
fixture_sshd_start -d jump || bail "no jump sshd"
JPORT=$SSHD_PORT JPID=$SSHD_PID JDIR=$SSHD_DIR JCFG=$SSH_CONFIG JLOG=$SSHD_LOG
# The target: the outer ssh client logs into it through jumpcat.
fixture_sshd_start || bail "no target sshd"
TPORT=$SSHD_PORT TCFG=$SSH_CONFIG TLOG=$SSHD_LOG
fixture_tcpserv echo
ECHO=$TCPSERV_PORT
fixture_free_port
PFREE=$FIXTURE_PORT
marker="hopkit-jump-$$-$RANDOM"
J=127.0.0.1:$JPORT

# req STRING: STRING quoted for a bash regex (fingerprints hold '+').
req() {
	sed 's/[][\.*^$+?(){}|]/\\&/g' <<<"$1"
}

# jc ARG...: jumpcat -F (the jump host's config) ARG..., bounded.
jc() {
	timeout 60 "$JUMPCAT" -F "$JCFG" "$@"
}

# --- the real ssh client through -J --------------------------------------
run timeout 60 ssh -F "$TCFG" -p "$TPORT" \
	-o "ProxyCommand=$JUMPCAT -F $JCFG -J $J %h %p" 127.0.0.1 echo "$marker" </dev/null
is "0:$marker" "$RUN_RC:$RUN_OUT" "ssh logs into the target through jumpcat -J and runs a command" ||
	diag "ssh stderr: $RUN_ERR" "jump sshd: $(tail -n 5 "$JLOG")"

run timeout 60 ssh -F "$TCFG" -p "$TPORT" \
	-o "ProxyCommand=$JUMPCAT -F $JCFG -J $(id -un)@$J %h %p" 127.0.0.1 echo "$marker" </dev/null
is "0:$marker" "$RUN_RC:$RUN_OUT" "-J user@host:port works the same"

# --- data and half-close ---------------------------------------------------
head -c 64M /dev/urandom >"$T_TMP/64m"
jc -J "$J" 127.0.0.1 "$ECHO" <"$T_TMP/64m" >"$T_TMP/64m.out"
rc=$?
is_int 0 "$rc" "64 MiB through -J to an echo server: exit 0"
is "$(sha256sum <"$T_TMP/64m")" "$(sha256sum <"$T_TMP/64m.out")" \
	"64 MiB echo back through the channel with the same SHA-256 (our EOF reached the server, its EOF reached us)"

# The server closes first while our stdin stays open: jumpcat must end.
fixture_tcpserv source -z 100000
SRC=$TCPSERV_PORT
t0=$(tap_now_ms)
jc -J "$J" 127.0.0.1 "$SRC" < <(sleep 30) >"$T_TMP/src.out"
ms=$(($(tap_now_ms) - t0))
is_int 100000 "$(wc -c <"$T_TMP/src.out")" "server->client stream delivered whole, then EOF"
ok "jumpcat ends after the far side's EOF although stdin stays open (${ms} ms)" test "$ms" -lt 15000

# --- authentication ----------------------------------------------------------
# The jump host's config without its key: only what a test adds is offered.
grep -v IdentityFile "$JCFG" >"$T_TMP/noid_config"
run "$JUMPCAT" -F "$T_TMP/noid_config" -J "$J" -o "IdentityFile=$T_TMP/none" 127.0.0.1 "$ECHO" </dev/null
is_int 3 "$RUN_RC" "no usable key: exit 3"
like "authentication failed for $(id -un) \\(tried " "$RUN_ERR" "no usable key: one line saying what was tried"

ssh-keygen -q -t ed25519 -N '' -f "$T_TMP/wrong" || bail "ssh-keygen"
run "$JUMPCAT" -F "$T_TMP/noid_config" -J "$J" -o "IdentityFile=$T_TMP/wrong" 127.0.0.1 "$ECHO" </dev/null
is_int 3 "$RUN_RC" "a key the server does not know: exit 3"
like "authentication failed .*tried .*wrong" "$RUN_ERR" "the refused key file is named"
is_int 1 "$(grep -c . <<<"$RUN_ERR")" "the failure is one line"

eval "$(ssh-agent -s -a "$T_TMP/agent.sock")" >/dev/null || bail "ssh-agent"
fixture_atexit "kill $SSH_AGENT_PID"
ssh-add -q "$JDIR/id_ed25519" 2>/dev/null || bail "ssh-add"
echo hello-agent >"$T_TMP/in"
run "$JUMPCAT" -F "$T_TMP/noid_config" -J "$J" -o "IdentityAgent=$T_TMP/agent.sock" \
	-o "IdentityFile=$T_TMP/wrong" -o IdentitiesOnly=no -v -v 127.0.0.1 "$ECHO" <"$T_TMP/in"
is "0:hello-agent" "$RUN_RC:$RUN_OUT" "authentication by ssh-agent works"
like "offering agent key" "$RUN_ERR" "the agent's key was the one offered"

# A key refused through the agent is not offered again from its file.
ssh-add -q "$T_TMP/wrong" 2>/dev/null || bail "ssh-add wrong"
run "$JUMPCAT" -F "$T_TMP/noid_config" -J "$J" -o "IdentityAgent=$T_TMP/agent.sock" \
	-o IdentitiesOnly=yes -o "IdentityFile=$T_TMP/wrong" -v -v 127.0.0.1 "$ECHO" </dev/null
is_int 3 "$RUN_RC" "agent with only a refused key: exit 3"
like "wrong: already offered by the agent" "$RUN_ERR" "the same key is not offered twice (MaxAuthTries)"
like "tried agent: 1 key\\)" "$RUN_ERR" "IdentitiesOnly: only the agent key named by IdentityFile was offered"
ssh-add -q -d "$T_TMP/wrong.pub" 2>/dev/null

# RSA: libssh2 1.10 signs with ssh-rsa (SHA-1) only, which this sshd refuses.
ssh-keygen -q -t rsa -b 2048 -N '' -f "$T_TMP/rsa" || bail "ssh-keygen rsa"
cat "$T_TMP/rsa.pub" >>"$JDIR/authorized_keys"
run "$JUMPCAT" -F "$T_TMP/noid_config" -J "$J" -o "IdentityFile=$T_TMP/rsa" 127.0.0.1 "$ECHO" </dev/null
if [[ $RUN_RC == 0 ]]; then
	ok "RSA key: this libssh2 signs with rsa-sha2 (1.11 or later): accepted" true
else
	is_int 3 "$RUN_RC" "RSA key refused by OpenSSH: exit 3"
	like "RSA keys were refused: libssh2 1\\.10.* ssh-rsa \\(SHA-1\\)" "$RUN_ERR" \
		"RSA key refused: the message says why (libssh2's SHA-1 signatures)"
fi

# Encrypted key through SSH_ASKPASS.
ssh-keygen -q -t ed25519 -N 'sekrit phrase' -f "$T_TMP/enc" || bail "ssh-keygen"
cat "$T_TMP/enc.pub" >>"$JDIR/authorized_keys"
printf '#!/bin/sh\necho "sekrit phrase"\n' >"$T_TMP/askpass"
chmod 700 "$T_TMP/askpass"
run env SSH_ASKPASS="$T_TMP/askpass" "$JUMPCAT" -F "$T_TMP/noid_config" -J "$J" -o "IdentityFile=$T_TMP/enc" \
	127.0.0.1 "$ECHO" <"$T_TMP/in"
is "0:hello-agent" "$RUN_RC:$RUN_OUT" "an encrypted key's passphrase comes from SSH_ASKPASS"
run env -u SSH_ASKPASS "$JUMPCAT" -F "$T_TMP/noid_config" -J "$J" -o "IdentityFile=$T_TMP/enc" 127.0.0.1 "$ECHO" </dev/null
like "encrypted; set SSH_ASKPASS" "$RUN_ERR" "without SSH_ASKPASS the encrypted key is skipped, and the message says why"

# --- host keys ---------------------------------------------------------------
jfp=$(req "$(ssh-keygen -lf "$JDIR/ssh_host_ed25519_key.pub" | cut -d' ' -f2)")
: >"$T_TMP/kh-empty"
run jc -J "$J" -o "UserKnownHostsFile=$T_TMP/kh-empty" 127.0.0.1 "$ECHO" </dev/null
is_int 5 "$RUN_RC" "unknown host key: refused, exit 5"
like "not known \\(ssh-ed25519 $jfp\\)" "$RUN_ERR" "the refusal gives the SHA256 fingerprint"
like "add this line to .*kh-empty: \\[127.0.0.1\\]:$JPORT ssh-ed25519 AAAA" "$RUN_ERR" \
	"the refusal gives the exact known_hosts line"
is "" "$(cat "$T_TMP/kh-empty")" "nothing was written to known_hosts"

: >"$T_TMP/kh-new"
run jc -J "$J" -o "UserKnownHostsFile=$T_TMP/kh-new" -o StrictHostKeyChecking=accept-new \
	127.0.0.1 "$ECHO" <"$T_TMP/in"
is "0:hello-agent" "$RUN_RC:$RUN_OUT" "accept-new: the first connection goes through"
like "^\\[127.0.0.1\\]:$JPORT ssh-ed25519 " "$(cat "$T_TMP/kh-new")" "accept-new recorded the key"
run jc -J "$J" -o "UserKnownHostsFile=$T_TMP/kh-new" -o StrictHostKeyChecking=yes \
	127.0.0.1 "$ECHO" <"$T_TMP/in"
is "0:hello-agent" "$RUN_RC:$RUN_OUT" "the recorded key is accepted by a later strict run"
run ssh-keygen -F "[127.0.0.1]:$JPORT" -f "$T_TMP/kh-new"
is_int 0 "$RUN_RC" "ssh-keygen -F finds the line jumpcat wrote"

ssh-keygen -q -t ed25519 -N '' -f "$T_TMP/otherhost" || bail "ssh-keygen"
ofp=$(req "$(ssh-keygen -lf "$T_TMP/otherhost.pub" | cut -d' ' -f2)")
echo "[127.0.0.1]:$JPORT $(cut -d' ' -f1-2 "$T_TMP/otherhost.pub")" >"$T_TMP/kh-changed"
for strict in yes accept-new no; do
	run jc -J "$J" -o "UserKnownHostsFile=$T_TMP/kh-changed" -o StrictHostKeyChecking=$strict \
		127.0.0.1 "$ECHO" </dev/null
	is_int 5 "$RUN_RC" "changed host key (StrictHostKeyChecking $strict): refused, exit 5"
	like "CHANGED.*$jfp.*kh-changed:1 holds $ofp" "$RUN_ERR" "changed key ($strict): both fingerprints named"
done

# Known only by an RSA key: refused, and the message names libssh2's limit.
ssh-keygen -q -t rsa -b 2048 -N '' -f "$T_TMP/rsahost" || bail "ssh-keygen"
echo "[127.0.0.1]:$JPORT $(cut -d' ' -f1-2 "$T_TMP/rsahost.pub")" >"$T_TMP/kh-rsa"
run jc -J "$J" -o "UserKnownHostsFile=$T_TMP/kh-rsa" -o StrictHostKeyChecking=accept-new \
	127.0.0.1 "$ECHO" </dev/null
is_int 5 "$RUN_RC" "host known only by another key type: refused even with accept-new (exit 5)"
like "only other types .*ssh-rsa at .*kh-rsa:1" "$RUN_ERR" "... naming the RSA line"
like "libssh2 1\\.10.* cannot check RSA host keys" "$RUN_ERR" "... and libssh2's RSA limit"
is_int 1 "$(wc -l <"$T_TMP/kh-rsa")" "... and nothing was added"

cp "$JDIR/known_hosts" "$T_TMP/kh-hashed"
ssh-keygen -q -H -f "$T_TMP/kh-hashed" >/dev/null 2>&1
unlike "127.0.0.1" "$(cat "$T_TMP/kh-hashed")" "the hashed file holds no plain name"
run jc -J "$J" -o "UserKnownHostsFile=$T_TMP/kh-hashed" 127.0.0.1 "$ECHO" <"$T_TMP/in"
is "0:hello-agent" "$RUN_RC:$RUN_OUT" "a hashed known_hosts entry matches"

# --- channel failures -----------------------------------------------------------
run jc -J "$J" 127.0.0.1 "$PFREE" </dev/null
is_int 1 "$RUN_RC" "channel to a closed port: exit 1"
like "cannot open a channel to 127.0.0.1:$PFREE: connect failed" "$RUN_ERR" \
	"channel to a closed port: the server's reason"

# --- the jump host dies or freezes ----------------------------------------------
# jump_child: the per-connection sshd process of the jump host (the one
# serving our session), once it exists.
jump_child() {
	local i pid
	for ((i = 0; i < 500; i++)); do
		pid=$(pgrep -P "$JPID" | head -n 1)
		[[ -n $pid ]] && { echo "$pid"; return 0; }
		sleep 0.02
	done
	return 1
}

# Killed in the middle of a transfer: a slow stdin keeps the channel busy.
fixture_tcpserv sink
SINK=$TCPSERV_PORT
jc -J "$J" 127.0.0.1 "$SINK" < <(head -c 1M /dev/zero; sleep 30) 2>"$T_TMP/kill.err" &
jpid=$!
child=$(jump_child) || bail "no sshd child for the session"
# Wait until the session carries data: the sink has a connection.
for ((i = 0; i < 500; i++)); do
	pgrep -P "$TCPSERV_PID" >/dev/null && break
	sleep 0.02
done
t0=$(tap_now_ms)
kill -KILL "$child"
wait "$jpid"
rc=$?
ms=$(($(tap_now_ms) - t0))
ok "jump sshd killed mid-transfer: jumpcat exits non-zero (rc $rc)" test "$rc" -ne 0
ok "... within a couple of seconds (${ms} ms)" test "$ms" -lt 5000
like "connection closed by the server|connection lost" "$(cat "$T_TMP/kill.err")" "... saying the connection was lost"

# Frozen: keepalive notices within interval x count.
jc -J "$J" -o ServerAliveInterval=1 -o ServerAliveCountMax=2 \
	127.0.0.1 "$ECHO" < <(sleep 60) 2>"$T_TMP/stop.err" &
jpid=$!
child=$(jump_child) || bail "no sshd child for the session"
# Let the session come up (the echo server sees the channel's connection).
for ((i = 0; i < 500; i++)); do
	grep -q 'Accepted publickey' "$JLOG" 2>/dev/null && [[ -n $(pgrep -P "$TCPSERV_PID" 2>/dev/null) ]] && break
	sleep 0.02
done
# Freeze the whole per-connection tree (privilege separation: the
# unprivileged child moves the bytes).
frozen=("$child" $(pgrep -P "$child"))
kill -STOP "${frozen[@]}"
t0=$(tap_now_ms)
wait "$jpid"
rc=$?
ms=$(($(tap_now_ms) - t0))
kill -CONT "${frozen[@]}" 2>/dev/null
ok "jump sshd frozen (SIGSTOP), ServerAliveInterval=1 x 2: jumpcat exits non-zero (rc $rc)" test "$rc" -ne 0
ok "... within about 3 s (${ms} ms)" test "$ms" -lt 6000
like "server not responding" "$(cat "$T_TMP/stop.err")" "... saying the server stopped responding"

# --- a jump host behind a ProxyCommand from ssh_config -----------------------------
# Host blocks are matched in order and "Host *" comes first: put it last.
{ printf 'Host bastion\n  HostName 127.0.0.1\n  Port %s\n  ProxyCommand %s %%h %%p\n' "$JPORT" "$JUMPCAT"
  cat "$JCFG"; } >"$T_TMP/pc_config"
run timeout 60 "$JUMPCAT" -F "$T_TMP/pc_config" -J bastion -v -v 127.0.0.1 "$ECHO" <"$T_TMP/in"
is "0:hello-agent" "$RUN_RC:$RUN_OUT" "a jump host reached through its ssh_config ProxyCommand"
like "ProxyCommand .*jumpcat 127.0.0.1 $JPORT" "$RUN_ERR" "... and the ProxyCommand was the one from ssh_config"

# ProxyJump in ssh_config for the jump host: jumpcat -J via -J.
# (ssh -G calls a ProxyJump to the host's own HostName a loop: use another
# name for the same address.)
{ printf 'Host inner\n  HostName 127.0.0.1\n  Port %s\n  ProxyJump localhost:%s\n' "$JPORT" "$JPORT"
  cat "$JCFG"; } >"$T_TMP/pj_config"
run timeout 60 "$JUMPCAT" -F "$T_TMP/pj_config" -J inner 127.0.0.1 "$ECHO" <"$T_TMP/in"
is "0:hello-agent" "$RUN_RC:$RUN_OUT" "the jump host's own ProxyJump from ssh_config is followed"
run timeout 60 "$JUMPCAT" -F "$JCFG" -J "$J,$J" 127.0.0.1 "$ECHO" <"$T_TMP/in"
is "0:hello-agent" "$RUN_RC:$RUN_OUT" "-J with two hosts: a session over a channel of another"
# A target that speaks first (sshd's banner) while our stdin stays silent.
# Over an outer channel the channel's open confirmation and the target's
# first bytes come in one read; libssh2 left the bytes unparsed in its
# buffer until something else moved (found by tunnelcheck --ssh -J a,b).
first=$(timeout 3 "$JUMPCAT" -F "$JCFG" -J "$J,$J" 127.0.0.1 "$TPORT" \
	< <(sleep 5) | head -c 8)
is "$first" "SSH-2.0-" "-J with two hosts: a target that speaks first is heard before we write"

# --- found in review -------------------------------------------------------------
# --tls inside the channel: jumpcat must still end after the transfer.
fixture_tls_certs
fixture_tls_server "$TLS_CERT" "$TLS_KEY" EXEC:cat
run timeout 30 "$JUMPCAT" -F "$JCFG" -J "$J" --tls --cacert "$TLS_CA" localhost "$TLS_PORT" <"$T_TMP/in"
is "0:hello-agent" "$RUN_RC:$RUN_OUT" "-J with --tls: echo through TLS inside the channel, and jumpcat ends"

# A channel open that hangs (the server's connect gets no answer) is not a
# dead server: keepalive waits for the open instead of killing the session.
fixture_tcpserv hang
run timeout 30 "$JUMPCAT" -F "$JCFG" -J "$J" -w 5 -o ServerAliveInterval=1 \
	-o ServerAliveCountMax=2 127.0.0.1 "$TCPSERV_PORT" </dev/null
is_int 4 "$RUN_RC" "pending open with keepalive 1 s x 2: -w ends it (exit 4), not keepalive"
unlike "not responding" "$RUN_ERR" "... the live server was not declared dead"
is_int 1 "$(grep -c . <<<"$RUN_ERR")" "... and the error is one line"

# --- usage --------------------------------------------------------------------
run "$JUMPCAT" -F "$JCFG" 127.0.0.1 "$ECHO"
is_int 2 "$RUN_RC" "-F without -J is a usage error"
run "$JUMPCAT" -J "$J" --fdpass 127.0.0.1 "$ECHO"
is_int 2 "$RUN_RC" "-J with --fdpass is a usage error"
for bad in "$J," ",$J" "$J,,$J"; do
	run "$JUMPCAT" -F "$JCFG" -J "$bad" 127.0.0.1 "$ECHO" </dev/null
	is_int 2 "$RUN_RC" "-J \"$bad\": an empty entry is a usage error, not a crash"
done
run "$JUMPCAT" -J "$J" -o NoEquals 127.0.0.1 "$ECHO"
is_int 2 "$RUN_RC" "-o without a value is a usage error"
run "$JUMPCAT" -F "$T_TMP/no-such-config" -J "$J" 127.0.0.1 "$ECHO" </dev/null
is_int 2 "$RUN_RC" "an unreadable -F file: exit 2"
like "no-such-config" "$RUN_ERR" "... naming the file"

done_testing
