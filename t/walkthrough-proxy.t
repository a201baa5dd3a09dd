#!/bin/bash
# walkthrough-proxy.t: README's walk-through "Through a corporate HTTP proxy
# or a SOCKS gateway", run as written against local stand-ins.  tinyproxy
# with Basic auth is proxy.corp:3128, microsocks is the SOCKS5 gateway
# gw.corp:1080, and the fixture sshd is both ssh.github.com:443 and
# build.internal:22 (a HostName line in the test's ssh_config stands in for
# the gateway's DNS).  The test's ssh_config holds the README's blocks with
# the proxies' and the sshd's addresses substituted.  The real ssh client
# logs in through jumpcat as ProxyCommand.  Checked: the blocks and commands
# are in README.md verbatim (WALKTHROUGH_README names another file); the
# password file is mode 600; ssh -T and git clone reach "github.com" through
# tinyproxy (its log shows the CONNECT); a wrong password: ssh fails with
# jumpcat's one line naming the proxy's 401; ssh to build.internal goes
# through microsocks with the name unresolved (socks5h: its log names
# localhost); tunnelcheck through each proxy (--ssh) is OK, and -J
# build.internal runs the ProxyCommand of build.internal's block; and
# fwdpipe -L through bastion.internal (a server that greets like MySQL
# stands in for the database) goes through microsocks and the forward
# answers.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016 # the remote shell expands what is in single quotes
# shellcheck disable=SC2317 # readme_cmd runs through ok

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"

. "$top_srcdir/t/tap/readme.sh"
TOOLS=$(cd "$top_builddir/tools" && pwd)
fixture_require "$TOOLS/jumpcat" "$TOOLS/tunnelcheck" ssh git stat timeout
PATH=$TOOLS:$PATH
# git as it comes, without the user's or the system's configuration.
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
fixture_sshd_start || bail "no sshd"
PASSWORD="pw-$RANDOM-$$"
fixture_tinyproxy -a "alice:$PASSWORD"
TP=$TINYPROXY_PORT TPLOG=$TINYPROXY_LOG
fixture_microsocks
MS=$MICROSOCKS_PORT MSLOG=$MICROSOCKS_LOG
# The database on the bastion: a server that speaks first and names the
# authentication plugin, as MySQL 8's greeting does.
fixture_talker 'stand-in for MySQL 8.0.36 caching_sha2_password' || bail "no database stand-in"
DB=$TALKER_PORT
fixture_free_port || bail "no free port"
LP=$FIXTURE_PORT
ME=$(id -un)
plan_lazy

# ---- the README's text ------------------------------------------------------
BLOCK='Host github.com
    HostName ssh.github.com
    Port 443
    User git
    ProxyCommand jumpcat -x http://proxy.corp:3128 --proxy-auth-file ~/.config/proxy-auth %h %p

Host *.internal
    ProxyCommand jumpcat -x socks5h://gw.corp:1080 %h %p'
C_AUTH='(umask 077; cat >~/.config/proxy-auth)'
C_SSH='ssh -T git@github.com'
C_CLONE='git clone git@github.com:owner/repo.git'
C_SSH2='ssh build.internal'
C_CHK='tunnelcheck -x http://proxy.corp:3128 --proxy-auth-file ~/.config/proxy-auth -H ssh.github.com -p 443 --ssh'
C_CHK2='tunnelcheck -x socks5h://gw.corp:1080 -H build.internal -p 22 --ssh'
C_CHK3='tunnelcheck -J build.internal -H localhost -p 22 --ssh'
C_FWD='fwdpipe -L 9906:127.0.0.1:3306 bastion.internal'
C_DB='tunnelcheck -H 127.0.0.1 -p 9906 --expect caching_sha2_password'

readme_block "the github.com and *.internal blocks" "$BLOCK"
for c in "$C_AUTH" "$C_SSH" "$C_CLONE" "$C_SSH2" "$C_CHK" "$C_CHK2" "$C_CHK3" "$C_FWD" "$C_DB"; do
	ok "README: \$ $c" readme_cmd "$c"
done

# ---- the test's ssh_config -------------------------------------------------------
AUTH=$T_TMP/proxy-auth
# sub TEXT: the README's TEXT (config or command) with the stand-ins.
sub() {
	local c=$1
	c=${c//http:\/\/proxy.corp:3128/http://127.0.0.1:$TP}
	c=${c//socks5h:\/\/gw.corp:1080/socks5h://127.0.0.1:$MS}
	c=${c//\~\/.config\/proxy-auth/$AUTH}
	c=${c//ssh.github.com -p 443/127.0.0.1 -p $SSHD_PORT}
	c=${c//build.internal -p 22/localhost -p $SSHD_PORT}
	c=${c//localhost -p 22 /localhost -p $SSHD_PORT }
	c=${c//git@github.com/$ME@github.com}
	c=${c//owner\/repo.git/$T_TMP/owner/repo.git}
	c=${c//9906/$LP}
	c=${c//3306/$DB}
	printf '%s\n' "$c"
}
CFG=$T_TMP/wt_config
{
	# The gateway's DNS, for this test: build.internal and
	# bastion.internal are the fixture sshd.
	printf 'Host build.internal bastion.internal\n    HostName localhost\n    Port %s\n\n' "$SSHD_PORT"
	sub "$BLOCK" | sed -e "s|^    HostName ssh.github.com|    HostName 127.0.0.1|" \
		-e "s|^    Port 443|    Port $SSHD_PORT|" -e "s|^    User git|    User $ME|"
	echo
	grep -v ConnectTimeout "$SSH_CONFIG"
} >"$CFG"
# argv CMD: ARGV for the README's command CMD, with -F for ssh and tunnelcheck.
argv() {
	local c
	c=$(sub "$1")
	c=${c/#ssh /ssh -F $CFG }
	c=${c/#tunnelcheck -J /tunnelcheck -F $CFG -J }
	c=${c/#fwdpipe /fwdpipe -F $CFG }
	eval "ARGV=($c)"
}
show() {
	diag "\$ $1" "$(sed -e "s/\\b$TP\\b/3128/g" -e "s/\\b$MS\\b/1080/g" -e "s/\\b$LP\\b/9906/g" \
		-e "s/\\b$DB\\b/3306/g" <<<"$2")"
}
# tinyproxy logs a CONNECT twice when it asks for the password first; once
# "Established connection" when it carries one.
EST='Established connection to host "127\.0\.0\.1"'
count() {
	grep -cE -e "$2" -- "$1" 2>/dev/null
}

# ---- the password file ------------------------------------------------------------
# The README's reader types user:password and Ctrl-D; the test pipes it.
c=$(sub "$C_AUTH")
printf 'alice:%s\n' "$PASSWORD" | eval "$c"
is "600" "$(stat -c %a "$AUTH")" "\$ $C_AUTH: the file is mode 600"

# ---- GitHub through the HTTP proxy ------------------------------------------------
n0=$(count "$TPLOG" "$EST")
argv "$C_SSH"
run timeout 30 "${ARGV[@]}" 'echo "Hi $USER! This stands in for GitHub."' </dev/null
is "0:Hi $ME! This stands in for GitHub." "$RUN_RC:$RUN_OUT" "\$ $C_SSH: logged in through jumpcat and the proxy" ||
	diag "$RUN_ERR"
is_int $((n0 + 1)) "$(count "$TPLOG" "$EST")" "... tinyproxy carried it (one more CONNECT in its log)"

# git clone over the same path.
mkdir -p "$T_TMP/owner" "$T_TMP/work"
git init -q --bare --initial-branch=main "$T_TMP/owner/repo.git"
git -C "$T_TMP/work" init -q
git -C "$T_TMP/work" -c user.name=t -c user.email=t@example.invalid commit -q --allow-empty -m "walkthrough $$"
git -C "$T_TMP/work" push -q "$T_TMP/owner/repo.git" HEAD:refs/heads/main 2>/dev/null
argv "$C_CLONE"
run env -C "$T_TMP" GIT_SSH_COMMAND="ssh -F $CFG" timeout 60 "${ARGV[@]}" </dev/null
show "$C_CLONE" "$RUN_ERR"
is_int 0 "$RUN_RC" "\$ $C_CLONE: through the proxy" || diag "$RUN_ERR"
is "walkthrough $$" "$(git -C "$T_TMP/repo" log -1 --format=%s 2>&1)" "... and the clone has the commit"
is_int $((n0 + 2)) "$(count "$TPLOG" "$EST")" "... tinyproxy carried that too"

# A wrong password: ssh shows jumpcat's one line.
printf 'alice:not-%s\n' "$PASSWORD" >"$AUTH"
argv "$C_SSH"
run timeout 30 "${ARGV[@]}" true </dev/null
show "$C_SSH" "$RUN_ERR"
is_int 255 "$RUN_RC" "a wrong password: $C_SSH fails (ssh's 255)"
like "^jumpcat: proxy 127\\.0\\.0\\.1:$TP refused CONNECT to 127\\.0\\.0\\.1:$SSHD_PORT: 401 " "$RUN_ERR" \
	"... with jumpcat's line naming the proxy's answer (401)"
unlike "$PASSWORD" "$RUN_ERR" "... and no password in it"
printf 'alice:%s\n' "$PASSWORD" >"$AUTH"

N='[0-9]+\.[0-9]+'
IDENT='SSH-2\.0-OpenSSH_[^ ]+( [^|]*)?'
tc_is() {
	argv "$3"
	run timeout 60 "${ARGV[@]}" </dev/null
	show "$3" "$RUN_OUT"
	like "^exit $1, stderr '', $2" "exit $RUN_RC, stderr '$RUN_ERR', ${RUN_OUT%%$'\n'*}" "\$ $3"
}
n0=$(count "$TPLOG" "$EST")
tc_is 0 "TUNNEL OK - 127\\.0\\.0\\.1 port $SSHD_PORT via proxy http://127\\.0\\.0\\.1:$TP: $IDENT in $N s \\| " "$C_CHK"
is_int $((n0 + 1)) "$(count "$TPLOG" "$EST")" "... through tinyproxy"

# ---- build.internal through the SOCKS5 gateway ----------------------------------
n0=$(count "$MSLOG" "connected to localhost:$SSHD_PORT\$")
argv "$C_SSH2"
run timeout 30 "${ARGV[@]}" 'echo "logged in to build.internal as $USER"' </dev/null
is "0:logged in to build.internal as $ME" "$RUN_RC:$RUN_OUT" "\$ $C_SSH2: through the SOCKS5 gateway" || diag "$RUN_ERR"
is_int $((n0 + 1)) "$(count "$MSLOG" "connected to localhost:$SSHD_PORT\$")" \
	"... microsocks carried it, and resolved the name itself (socks5h)"
tc_is 0 "TUNNEL OK - localhost port $SSHD_PORT via proxy socks5h://127\\.0\\.0\\.1:$MS: $IDENT in $N s \\| " "$C_CHK2"
n0=$(count "$MSLOG" "connected to localhost:$SSHD_PORT\$")
tc_is 0 "TUNNEL OK - localhost port $SSHD_PORT via jump build\\.internal: $IDENT in $N s \\| " "$C_CHK3"
is_int $((n0 + 1)) "$(count "$MSLOG" "connected to localhost:$SSHD_PORT\$")" \
	"... tunnelcheck -J ran build.internal's ProxyCommand: through microsocks"

# A bastion behind the gateway: fwdpipe runs its ProxyCommand too.
n0=$(count "$MSLOG" "connected to localhost:$SSHD_PORT\$")
argv "$C_FWD"
LOG=$T_TMP/fwdpipe.log
"${ARGV[@]}" 2>"$LOG" &
FP=$!
fixture_atexit "kill $FP 2>/dev/null"
fixture_wait_log "$LOG" '^fwdpipe: connected to bastion\.internal$' 20
ok "\$ $C_FWD: connected" test $? -eq 0 || diag "$(<"$LOG")"
show "$C_FWD" "$(<"$LOG")"
is_int $((n0 + 1)) "$(count "$MSLOG" "connected to localhost:$SSHD_PORT\$")" "... through microsocks"
tc_is 0 "TUNNEL OK - connected to 127\\.0\\.0\\.1 port $LP, answer matched in $N s \\| " "$C_DB"
kill -TERM "$FP"
rc=0
wait "$FP" || rc=$?
is_int 0 "$rc" "fwdpipe stops on SIGTERM, exit 0"

done_testing
