#!/bin/bash
# contrib-ssh-config.t: contrib/ssh_config.example is valid ssh_config and
# each Host block gives its hosts the settings its comment promises.
# For every Host pattern, `ssh -G -F FILE NAME` must exit 0 (NAME is the
# pattern with each * as "x"; negated patterns are skipped). A copy with
# one bad line must make it fail. For one name per block, the settings
# that matter (proxycommand, proxyjump, hostname, port, ...) are compared
# with the values wanted, so a general block placed before a specific one
# is caught. Every option that a jumpcat ProxyCommand in the file passes
# is in `jumpcat --help`. Every ProxyCommand and ProxyJump line of
# README.md and man/hopkit.7 is in the file, so they cannot drift apart.
# ssh -G reads only the -F file (not ~/.ssh/config or /etc/ssh), does no
# DNS and opens no connection.
# SPDX-License-Identifier: MIT

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"

JUMPCAT=$top_builddir/tools/jumpcat
EXAMPLE=${SSH_CONFIG_EXAMPLE:-$top_srcdir/contrib/ssh_config.example}
fixture_require ssh "$JUMPCAT"
fixture_tmpdir
plan_lazy

# sshg NAME [FILE]: `ssh -G` for NAME with FILE (default: the example).
# It prints the resolved settings in lowercase, "key value" per line.
# ssh's stdin is /dev/null; its stderr goes to T_TMP/sshg.err.
sshg() {
	ssh -G -F "${2:-$EXAMPLE}" "$1" </dev/null 2>"$T_TMP/sshg.err"
}

# --- every Host pattern parses --------------------------------------------
mapfile -t patterns < <(awk 'tolower($1) == "host" {
	for (i = 2; i <= NF; i++) if ($i !~ /^!/) print $i }' "$EXAMPLE")
ok "the example has Host blocks (${#patterns[@]} patterns)" test "${#patterns[@]}" -ge 10
for pat in "${patterns[@]}"; do
	name=${pat//\*/x}
	run sshg "$name"
	is_int 0 "$RUN_RC" "ssh -G accepts the file for $name (Host $pat)" ||
		diag "$(<"$T_TMP/sshg.err")"
done

# --- and ssh -G does reject a bad line ----------------------------------
# Without this, a check that ssh -G exits 0 would prove nothing.
{ cat "$EXAMPLE"; printf 'Host bad\n    ProxyUseFdpass maybe\n'; } >"$T_TMP/bad1"
{ cat "$EXAMPLE"; printf 'Host bad\n    NoSuchOption yes\n'; } >"$T_TMP/bad2"
for f in bad1 bad2; do
	run sshg bastion "$T_TMP/$f"
	ok "ssh -G rejects a copy with a bad line ($f: exit $RUN_RC)" test "$RUN_RC" -ne 0
done

# --- each block gives its hosts what its comment says ----------------------
# NAME<TAB>key value: the line `ssh -G NAME` must print.
while IFS=$'\t' read -r name want; do
	[[ -z $name || $name == \#* ]] && continue
	got=$(sshg "$name" | grep -m1 "^${want%% *} ")
	is "$want" "$got" "$name: ${want%% *}"
done <<'EOF'
x.lab	proxycommand jumpcat -w 10 %h %p
x.dc1.example.com	proxycommand jumpcat --fdpass %h %p
x.dc1.example.com	proxyusefdpass yes
legacy-v4.example.org	proxycommand jumpcat -4 %h %p
github.com	hostname ssh.github.com
github.com	port 443
github.com	user git
github.com	proxycommand jumpcat -x http://proxy.corp:3128 --proxy-auth-file ~/.config/proxy-auth %h %p
db.internal	proxycommand jumpcat -J bastion %h %p
build.internal	proxycommand jumpcat -x http://proxy.corp:3128 -J deploy@bastion:2222 %h %p
bastion	hostname bastion.example.com
bastion	user deploy
bastion	serveraliveinterval 15
bastion	serveralivecountmax 3
bastion	exitonforwardfailure yes
public	hostname public.example.com
public	serveraliveinterval 15
gpu	hostname localhost
gpu	port 2000
gpu	hostkeyalias gpu
gpu	proxyjump public
app.prod.example.net	proxyjump bastion,ops@jump.prod.example.net:2222
acme	hostname localhost
acme	port 2022
acme	hostkeyalias acme
acme	proxyjump support@relay.example.com
vault	port 443
vault	proxycommand jumpcat --tls --cacert ~/.config/corp-ca.pem %h %p
x.internal	proxycommand jumpcat -x socks5h://gw.corp:1080 %h %p
x.example.org	proxycommand jumpcat -x env %h %p
EOF
# Negated and unmatched names get nothing from the blocks.
for name in jump.prod.example.net bastion github.com; do
	unlike '^proxyjump ' "$(sshg "$name" | grep '^proxyjump ')" "$name has no ProxyJump"
done
unlike '^proxycommand ' "$(sshg nothing.example.net | grep '^proxycommand ')" \
	"a host no block names has no ProxyCommand"

# --- jumpcat knows every option the file passes it -----------------------
help=$("$JUMPCAT" --help 2>&1)
mapfile -t opts < <(awk 'tolower($1) == "proxycommand" && $2 == "jumpcat" {
	for (i = 3; i <= NF; i++) if ($i ~ /^-/) print $i }' "$EXAMPLE" | sort -u)
ok "the example's jumpcat lines pass options (${#opts[@]})" test "${#opts[@]}" -ge 8
for o in "${opts[@]}"; do
	like "(^|[][ ,])$o([][ ,]|\$)" "$help" "jumpcat --help knows $o"
done

# --- README.md and hopkit(7) use no line the file lacks ----------------------
# Their ProxyCommand and ProxyJump lines, indented as in a config block.
for doc in README.md man/hopkit.7; do
	[[ -f $top_srcdir/$doc ]] || { ok "$doc exists" false; continue; }
	mapfile -t lines < <(grep -E '^ +(ProxyCommand|ProxyJump) ' "$top_srcdir/$doc" |
		sed 's/^ *//' | sort -u)
	ok "$doc has ssh_config lines (${#lines[@]})" test "${#lines[@]}" -ge 1
	for l in "${lines[@]}"; do
		ok "$doc's '$l' is in the example" grep -qxF -e "    $l" "$EXAMPLE"
	done
done

done_testing
