#!/bin/bash
# tunnelcheck-contrib.t: the Nagios and Icinga 2 configurations in contrib/
# are valid for the real tools and drive the real tunnelcheck.
# contrib/nagios/tunnelcheck.cfg, with its commented example services
# switched on, passes `nagios4 -v` with no error or warning, and each
# command's command_line, with its macros expanded as Nagios expands them,
# gives the right state and first line against fixture servers (sshd, an
# echo and a banner server, tinyproxy, a jump host, a fwdpipe keeping a
# reverse tunnel and answering on its status socket).
# contrib/icinga2/tunnelcheck.conf, with its commented example hosts
# switched on, passes `icinga2 daemon -C` in a temp dir as the current
# user, and an Icinga 2 daemon run there executes the CheckCommands for
# hosts that set every kind of argument (switches, arrays, thresholds),
# with the command lines and results read back from its state file.
# A broken copy of each file is rejected.  Every option either file
# names exists in `tunnelcheck --help`, and every option of --help is an
# argument of the Icinga CheckCommands, so that they cannot drift apart.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016 # '$tunnelcheck_x$' and '$ARG1$' are Icinga's and Nagios' macros

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"
. "$top_srcdir/t/tap/fixtures-fwd.sh"

TC=$top_builddir/tools/tunnelcheck
FWDPIPE=$top_builddir/tools/fwdpipe
NAGIOS=/usr/sbin/nagios4	# Debian package nagios4-core
ICINGA=/usr/sbin/icinga2	# Debian package icinga2-bin
NCFG=$top_srcdir/contrib/nagios/tunnelcheck.cfg
ICONF=$top_srcdir/contrib/icinga2/tunnelcheck.conf
fixture_require "$TC" "$FWDPIPE" "$NAGIOS" "$ICINGA" python3 ssh-keygen
fixture_tmpdir
plan_lazy

# req STRING: STRING quoted for a bash regex.
req() {
	sed 's/[][\.*^$+?(){}|]/\\&/g' <<<"$1"
}

# --- the options the files use exist in --help ------------------------------
# help_opts: the options `tunnelcheck --help` names, one a line, bundles
# such as -46v split (as t/man.t reads them).
help_opts() {
	"$TC" --help 2>&1 |
		grep -oE '(^|[][ ,|(])--?[A-Za-z0-9][-A-Za-z0-9]*' |
		sed 's/^[^-]*//' |
		awk '/^--/ { print; next }
			{ for (i = 2; i <= length($0); i++) print "-" substr($0, i, 1) }' |
		sort -u
}

# nagios_opts: the options in the command lines and in the examples'
# check_command arguments of the Nagios file.
nagios_opts() {
	sed -n 's/^#*[[:space:]]*\(command_line\|check_command\)[[:space:]]*//p' "$NCFG" |
		tr "!'" '  ' | tr -s ' \t' '\n' | grep -E '^--?[A-Za-z]' | sort -u
}

# icinga_opts: the argument keys of the Icinga CheckCommands.
icinga_opts() {
	sed -n 's/^[[:space:]]*"\(-[^"]*\)" = {$/\1/p' "$ICONF" | sort -u
}

run "$TC" --help
is_int 3 "$RUN_RC" "tunnelcheck --help exits 3, as monitoring plugins do"
hopts=$(help_opts)
like '--hostkey' "$hopts" "the options of --help are read"
nopts=$(nagios_opts)
iopts=$(icinga_opts)
ok "the Nagios file names at least 10 options" test "$(wc -l <<<"$nopts")" -ge 10
ok "the Icinga file maps at least 40 options" test "$(wc -l <<<"$iopts")" -ge 40
bad=$(comm -23 <(echo "$nopts") <(echo "$hopts") | tr '\n' ' ')
is "" "$bad" "every option in contrib/nagios/tunnelcheck.cfg is in tunnelcheck --help"
bad=$(comm -23 <(echo "$iopts") <(echo "$hopts") | tr '\n' ' ')
is "" "$bad" "every argument in contrib/icinga2/tunnelcheck.conf is in tunnelcheck --help"

# Each option of --help ("  -x, --proxy", "      --ssh") is an Icinga
# argument, as its short or its long name; --help and --version print only.
missing=
while read -r short long; do
	[[ $short == -h || $short == -V ]] && continue
	grep -qxF -e "$short" <<<"$iopts" && continue
	[[ -n $long ]] && grep -qxF -e "$long" <<<"$iopts" && continue
	missing+=" $short${long:+/$long}"
done < <("$TC" --help | sed -nE 's/^  (-[A-Za-z0-9])(, (--[a-z][-a-z]*))?( .*)?$/\1 \3/p;
	s/^      (--[a-z][-a-z]*)( .*)?$/\1/p')
is "" "$missing" "every option of tunnelcheck --help is an argument of the Icinga CheckCommands"

# The variables the Icinga examples set are ones the commands read.
sed -n '/^\/\/ BEGIN EXAMPLES$/,/^\/\/ END EXAMPLES$/p' "$ICONF" | sed '1d;$d' |
	sed 's|^// \{0,1\}||' >"$T_TMP/icinga-examples.conf"
ivars=$(grep -oE '\$tunnelcheck_[a-z0-9_]+\$' "$ICONF" | tr -d '$' | sort -u)
evars=$(grep -oE '\<tunnelcheck_[a-z0-9_]+\>' "$T_TMP/icinga-examples.conf" | sort -u)
ok "the Icinga examples set tunnelcheck_* variables" test -n "$evars"
bad=$(comm -23 <(echo "$evars") <(echo "$ivars") | tr '\n' ' ')
is "" "$bad" "every tunnelcheck_* variable in the Icinga examples is a macro of the commands"

# --- nagios4 -v -----------------------------------------------------------------
ND=$T_TMP/nagios
mkdir -p "$ND/spool" "$ND/tmp"
sed -n '/^# BEGIN EXAMPLES$/,/^# END EXAMPLES$/p' "$NCFG" | sed '1d;$d' |
	sed 's/^#\t\{0,1\}//' >"$ND/examples.cfg"
ncommands=$(grep -c '^define command' "$NCFG")
nexamples=$(grep -c '^define service' "$ND/examples.cfg")
ok "the Nagios file defines commands ($ncommands)" test "$ncommands" -ge 10
ok "the Nagios examples define services ($nexamples)" test "$nexamples" -ge 5

# nagios_main DIR CFG: write DIR/main.cfg for the command file CFG, the
# examples, and what Nagios needs around them: a time period, a contact,
# the generic-service template, each host the examples name, and one
# service for each command of CFG.
nagios_main() {
	local d=$1 cfg=$2 h c
	{
		printf '# tunnelcheck-contrib.t: what the examples need\n'
		printf 'define timeperiod {\n\ttimeperiod_name\t24x7\n\talias\t24x7\n'
		for c in monday tuesday wednesday thursday friday saturday sunday; do
			printf '\t%s\t00:00-24:00\n' "$c"
		done
		printf '}\n'
		printf 'define contact {\n\tcontact_name\tnobody\n\thost_notifications_enabled\t0\n'
		printf '\tservice_notifications_enabled\t0\n\thost_notification_period\t24x7\n'
		printf '\tservice_notification_period\t24x7\n\thost_notification_options\tn\n'
		printf '\tservice_notification_options\tn\n'
		printf '\thost_notification_commands\tcheck_tunnel_tcp\n'
		printf '\tservice_notification_commands\tcheck_tunnel_tcp\n}\n'
		printf 'define service {\n\tname\tgeneric-service\n\tregister\t0\n'
		printf '\tmax_check_attempts\t3\n\tcheck_interval\t5\n\tretry_interval\t1\n'
		printf '\tcheck_period\t24x7\n\tnotification_period\t24x7\n\tcontacts\tnobody\n}\n'
		for h in tunnel-test $(sed -n 's/^[[:space:]]*host_name[[:space:]]*//p' "$d/examples.cfg" | sort -u); do
			printf 'define host {\n\thost_name\t%s\n\taddress\t127.0.0.1\n' "$h"
			printf '\tmax_check_attempts\t3\n\tcheck_period\t24x7\n'
			printf '\tnotification_period\t24x7\n\tcontacts\tnobody\n}\n'
		done
		for c in $(sed -n 's/^[[:space:]]*command_name[[:space:]]*//p' "$cfg"); do
			printf 'define service {\n\tuse\tgeneric-service\n\thost_name\ttunnel-test\n'
			printf '\tservice_description\t%s\n\tcheck_command\t%s!1!2!3!4\n}\n' "$c" "$c"
		done
	} >"$d/objects.cfg"
	echo "\$USER1\$=$top_builddir/tools" >"$d/resource.cfg"
	cat >"$d/main.cfg" <<-EOF
		cfg_file=$cfg
		cfg_file=$d/examples.cfg
		cfg_file=$d/objects.cfg
		resource_file=$d/resource.cfg
		log_file=$d/nagios.log
		object_cache_file=$d/objects.cache
		precached_object_file=$d/objects.precache
		status_file=$d/status.dat
		state_retention_file=$d/retention.dat
		command_file=$d/nagios.cmd
		check_result_path=$d/spool
		lock_file=$d/nagios.lock
		temp_file=$d/nagios.tmp
		temp_path=$d/tmp
		nagios_user=$(id -un)
		nagios_group=$(id -gn)
		illegal_macro_output_chars=\`~\$&|'"<>
	EOF
}

nagios_main "$ND" "$NCFG"
run "$NAGIOS" -v "$ND/main.cfg"
is_int 0 "$RUN_RC" "nagios4 -v accepts the commands and the example services: exit 0" ||
	diag "$(grep -E 'Error|Warning' <<<"$RUN_OUT")"
like $'\nTotal Errors:   0\n' "$RUN_OUT" "nagios4 -v: Total Errors:   0"
like $'\nTotal Warnings: 0\n' "$RUN_OUT" "nagios4 -v: Total Warnings: 0"
like "Checked $ncommands commands\\." "$RUN_OUT" "nagios4 -v checked all $ncommands commands"
like "Checked $((ncommands + nexamples)) services\\." "$RUN_OUT" \
	"nagios4 -v checked the $nexamples example services and one for each command"

# A copy without its first command_line is refused.
BD=$T_TMP/nagios-broken
mkdir -p "$BD/spool" "$BD/tmp"
cp "$ND/examples.cfg" "$BD/"
sed '0,/command_line/{/command_line/d}' "$NCFG" >"$BD/tunnelcheck.cfg"
nagios_main "$BD" "$BD/tunnelcheck.cfg"
run "$NAGIOS" -v "$BD/main.cfg"
is_int 1 "$RUN_RC" "nagios4 -v refuses a copy with a command_line removed: exit 1"
like "Error: Could not register command \\(config file '$(req "$BD/tunnelcheck.cfg")'" "$RUN_OUT" \
	"nagios4 -v names the broken file"

# --- icinga2 daemon -C ------------------------------------------------------------
# icinga_args DIR: set IARGS to the arguments of `icinga2 daemon` for the
# configuration DIR/icinga2.conf, with every path it writes under DIR and
# the current user as its user (no root, no /var).
icinga_args() {
	local d=$1
	mkdir -p "$d"/cache "$d"/lib "$d"/log "$d"/spool "$d"/run
	IARGS=(-c "$d/icinga2.conf" -DRunAsUser="$(id -un)" -DRunAsGroup="$(id -gn)"
		-DConfigDir="$d" -DDataDir="$d/lib" -DLogDir="$d/log" -DCacheDir="$d/cache"
		-DSpoolDir="$d/spool" -DInitRunDir="$d/run")
}

# icinga DIR ARG...: `icinga2 daemon` for DIR (see icinga_args) with ARGs.
icinga() {
	icinga_args "$1"
	shift
	"$ICINGA" daemon "${IARGS[@]}" "$@"
}

# icinga_conf DIR FILE...: DIR/icinga2.conf including each FILE.
icinga_conf() {
	local d=$1 f
	shift
	mkdir -p "$d"
	{
		echo "const PluginDir = \"$top_builddir/tools\""
		for f in "$@"; do
			echo "include \"$f\""
		done
	} >"$d/icinga2.conf"
}

ID=$T_TMP/icinga
icinga_conf "$ID" "$ICONF" "$T_TMP/icinga-examples.conf"
ihosts=$(grep -c '^object Host ' "$T_TMP/icinga-examples.conf")
iservices=$(grep -cE '^[[:space:]]*vars\.(tunnels|fwdpipes)\[' "$T_TMP/icinga-examples.conf")
ok "the Icinga examples define hosts ($ihosts) and services ($iservices)" \
	test "$ihosts" -ge 2 -a "$iservices" -ge 4
run icinga "$ID" -C
is_int 0 "$RUN_RC" "icinga2 daemon -C accepts the CheckCommands and the examples: exit 0" ||
	diag "$(grep -E 'critical|warning' <<<"$RUN_OUT")"
like "Instantiated 2 CheckCommands\\." "$RUN_OUT" "icinga2 read both CheckCommands"
like "Instantiated $ihosts Hosts\\." "$RUN_OUT" "icinga2 read the $ihosts example hosts"
like "Instantiated $iservices Services\\." "$RUN_OUT" \
	"the apply rules made one service for each of the $iservices vars.tunnels and vars.fwdpipes entries"
unlike 'warning/|critical/' "$RUN_OUT" "icinga2 daemon -C has no warning"
like "Finished validating the configuration" "$RUN_OUT" "icinga2 finished validating"

# Broken copies are refused: a macro without its closing $ (found by
# validating the command), and a missing brace (a syntax error).
IB=$T_TMP/icinga-broken
mkdir -p "$IB"
sed '0,/"\$tunnelcheck_port\$"/s//"$tunnelcheck_port"/' "$ICONF" >"$IB/macro.conf"
icinga_conf "$IB" "$IB/macro.conf"
run icinga "$IB" -C
is_int 1 "$RUN_RC" "icinga2 daemon -C refuses a copy with a broken macro: exit 1"
like "Closing \\$ not found in macro format string '\\\$tunnelcheck_port'" "$RUN_OUT" \
	"icinga2 names the broken macro"
sed '0,/^\t\t}$/{/^\t\t}$/d}' "$ICONF" >"$IB/brace.conf"
icinga_conf "$IB" "$IB/brace.conf"
run icinga "$IB" -C
is_int 1 "$RUN_RC" "icinga2 daemon -C refuses a copy with a brace missing: exit 1"
like "syntax error" "$RUN_OUT" "icinga2 reports the syntax error"

# --- fixtures for running the commands ------------------------------------------
fixture_sshd_start || bail "no sshd"
fixture_tcpserv echo
ECHO=$TCPSERV_PORT
fixture_tcpserv close -s $'220 mail.test ESMTP\r\n'
SMTP=$TCPSERV_PORT
fixture_free_port
FREE=$FIXTURE_PORT
fixture_tinyproxy || bail "no tinyproxy"
ME=$(id -un)
FP=$(ssh-keygen -lf "$SSHD_DIR/ssh_host_ed25519_key.pub" | cut -d' ' -f2)
WRONG=SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
[[ $FP == SHA256:* ]] || bail "no host key fingerprint: $FP"

# A fwdpipe that keeps a reverse tunnel to the sshd on the sshd's own
# loopback (the relay is the sshd itself), with a status socket.
SOCK=$T_TMP/fwdpipe.sock
fixture__spawn "$T_TMP/fwdpipe.log" "$FWDPIPE" -F "$SSH_CONFIG" -p "$SSHD_PORT" \
	--status-socket "$SOCK" -R "0:127.0.0.1:$SSHD_PORT" 127.0.0.1
fwd_wait_status 20 "$SOCK" forwards.0.state '^up$' ||
	bail "fwdpipe -R is not up: $FWD_SEEN $(fixture__tail "$T_TMP/fwdpipe.log")"
RPORT=$(fwd_status "$SOCK" forwards.0.port)
[[ $RPORT =~ ^[1-9][0-9]*$ ]] || bail "no allocated port: $RPORT"

# --- the Nagios command lines, run --------------------------------------------------
# nagios_run NAME ARG...: run the command_line of the command NAME in
# contrib/nagios/tunnelcheck.cfg as Nagios would: $USER1$ the built tools,
# $HOSTADDRESS$ 127.0.0.1, $ARGn$ the ARGs (empty when not given), through
# /bin/sh (Nagios uses a shell for a line with quotes).  Sets RUN_*.
nagios_run() {
	local name=$1 line i
	shift
	line=$(awk -v name="$name" '
		/^define command/ { c = ""; l = "" }
		$1 == "command_name" { c = $2 }
		$1 == "command_line" { sub(/^[ \t]*command_line[ \t]+/, ""); l = $0 }
		/^}/ && c == name { print l; exit }
	' "$NCFG")
	NAGIOS_LINE="(no command_line for $name)"
	[[ -n $line ]] || { RUN_RC=99 RUN_OUT="no command $name" RUN_ERR=; return; }
	line=${line//'$USER1$'/$top_builddir/tools}
	line=${line//'$HOSTADDRESS$'/127.0.0.1}
	for ((i = 1; i <= 9; i++)); do
		line=${line//"\$ARG$i\$"/${!i-}}
	done
	NAGIOS_LINE=$line
	run timeout 60 sh -c "$line"
}

# check_run RC REGEX DESC: RUN_RC is RC, the first line of RUN_OUT matches
# REGEX, and stderr is empty.
check_run() {
	local first=${RUN_OUT%%$'\n'*}
	is_int "$1" "$RUN_RC" "$3: exit $1" || diag "command: $NAGIOS_LINE" "output: $RUN_OUT"
	like "$2" "$first" "$3: first line"
	is "" "$RUN_ERR" "$3: nothing on stderr"
}

nagios_run check_tunnel_tcp "$ECHO"
check_run 0 "^TUNNEL OK - connected to 127\\.0\\.0\\.1 port $ECHO in [0-9.]+ s \\| 'time_resolve'=" \
	"check_tunnel_tcp to an echo server"
nagios_run check_tunnel_tcp "$FREE" "-w 1 -c 2"
check_run 2 "^TUNNEL CRITICAL - connect to 127\\.0\\.0\\.1 port $FREE: Connection refused \\|" \
	"check_tunnel_tcp to a closed port, with thresholds"
nagios_run check_tunnel_ssh "$SSHD_PORT" "-w 5 -c 10"
check_run 0 "^TUNNEL OK - 127\\.0\\.0\\.1 port $SSHD_PORT: SSH-2\\.0-OpenSSH_[^ ]+.* in [0-9.]+ s \\|.*'time_total'=[0-9.]+s;5;10;0;10$" \
	"check_tunnel_ssh"
nagios_run check_tunnel_ssh "$ECHO" "-t 1"
check_run 2 "^TUNNEL CRITICAL - timed out after 1 s waiting for the SSH identification \\|" \
	"check_tunnel_ssh against a server that says nothing"
nagios_run check_tunnel_hostkey "$SSHD_PORT" "$FP" "--hostkey $WRONG"
check_run 0 "^TUNNEL OK - 127\\.0\\.0\\.1 port $SSHD_PORT: SSH-2\\.0-.*, host key $(req "$FP") pinned in " \
	"check_tunnel_hostkey with the right fingerprint among two"
nagios_run check_tunnel_hostkey "$SSHD_PORT" "$WRONG"
check_run 2 "^TUNNEL CRITICAL - 127\\.0\\.0\\.1: host key ssh-ed25519 $(req "$FP") does not match the pinned $WRONG \\|" \
	"check_tunnel_hostkey with a wrong fingerprint"
nagios_run check_tunnel_login "$SSHD_PORT" "$ME" "-F $SSH_CONFIG"
check_run 0 "^TUNNEL OK - 127\\.0\\.0\\.1 port $SSHD_PORT: SSH-2\\.0-.*, logged in as $ME in " \
	"check_tunnel_login"
nagios_run check_tunnel_expect "$SMTP" "220 " "--expect-timeout 5"
check_run 0 "^TUNNEL OK - connected to 127\\.0\\.0\\.1 port $SMTP, answer matched in " \
	"check_tunnel_expect against a banner"
nagios_run check_tunnel_expect "$SMTP" "250 "
check_run 1 "^TUNNEL WARNING - 127\\.0\\.0\\.1 port $SMTP: no '250 ' in the answer: 21 bytes '220 mail\\.test ESMTP  ', then the server closed the connection \\|" \
	"check_tunnel_expect that does not match"
nagios_run check_tunnel_send_expect "$ECHO" 'PING\r\n' 'PING\r\n' "--maxbytes 100"
check_run 0 "^TUNNEL OK - connected to 127\\.0\\.0\\.1 port $ECHO, answer matched in " \
	"check_tunnel_send_expect with escapes, through an echo server"
nagios_run check_tunnel_via_proxy "http://127.0.0.1:$TINYPROXY_PORT" "$SSHD_PORT" "--ssh"
check_run 0 "^TUNNEL OK - 127\\.0\\.0\\.1 port $SSHD_PORT via proxy http://127\\.0\\.0\\.1:$TINYPROXY_PORT: SSH-2\\.0-" \
	"check_tunnel_via_proxy through tinyproxy"
kexfail=$(grep -c 'kex_exchange_identification' "$SSHD_LOG")
closed=$(grep -c 'Connection closed by' "$SSHD_LOG")
nagios_run check_tunnel_via_jump "127.0.0.1:$SSHD_PORT" "$SSHD_PORT" "--ssh -F $SSH_CONFIG"
check_run 0 "^TUNNEL OK - 127\\.0\\.0\\.1 port $SSHD_PORT via jump 127\\.0\\.0\\.1:$SSHD_PORT: SSH-2\\.0-.* \\| 'time_hop'=" \
	"check_tunnel_via_jump"
# --ssh sends its own identification before it closes, also through the
# jump host's channel, so that sshd logs a closed connection and not a
# failed identification exchange.  sshd logs the close a moment later.
deadline=$(($(tap_now_ms) + 5000))
while (($(grep -c 'Connection closed by' "$SSHD_LOG") <= closed && $(tap_now_ms) < deadline)); do
	sleep 0.05
done
is_int "$kexfail" "$(grep -c 'kex_exchange_identification' "$SSHD_LOG")" \
	"check_tunnel_via_jump: sshd got tunnelcheck's identification through the channel" ||
	diag "$(tail -n 4 "$SSHD_LOG")"
nagios_run check_tunnel_reverse "127.0.0.1:$SSHD_PORT" "$RPORT" "-F $SSH_CONFIG"
check_run 0 "^TUNNEL OK - localhost port $RPORT via jump 127\\.0\\.0\\.1:$SSHD_PORT: SSH-2\\.0-OpenSSH_" \
	"check_tunnel_reverse: the sshd answers through fwdpipe's -R port"
nagios_run check_tunnel_fwdpipe_status "$SOCK" "-w 5 -c 10"
check_run 0 "^TUNNEL OK - fwdpipe to 127\\.0\\.0\\.1 up [0-9hms]+, 1/1 forwards up, 0 reconnects in the last 1h00m00s \\| 'uptime'=" \
	"check_tunnel_fwdpipe_status"
nagios_run check_tunnel_fwdpipe_status "$T_TMP/none.sock"
check_run 2 "^TUNNEL CRITICAL - status socket $(req "$T_TMP/none.sock") \\(is fwdpipe running\\?\\): No such file or directory$" \
	"check_tunnel_fwdpipe_status without a fwdpipe"

# --- an Icinga 2 daemon runs the CheckCommands ------------------------------------
# One host per case, each checked every second by the tunnelcheck or
# tunnelcheck-status command with its own variables; the daemon runs until
# every host has been checked, then its state file says, for each host,
# the command line it ran, the exit status and the output.
IR=$T_TMP/icinga-run
mkdir -p "$IR"
cat >"$IR/hosts.conf" <<EOF
object CheckerComponent "checker" { }
object FileLogger "debug" {
	path = "$IR/log/debug.log"
	severity = "notice"
}
template Host "tc" {
	address = "127.0.0.1"
	check_command = "tunnelcheck"
	check_interval = 1s
	retry_interval = 1s
	max_check_attempts = 1
}
object Host "tc-tcp" {
	import "tc"
	vars.tunnelcheck_port = $ECHO
	vars.tunnelcheck_ipv4 = true
	vars.tunnelcheck_warning = "0:5"
	vars.tunnelcheck_critical = "~:10"
}
object Host "tc-hostkey" {
	import "tc"
	vars.tunnelcheck_port = $SSHD_PORT
	vars.tunnelcheck_ssh = true
	vars.tunnelcheck_hostkey = [ "$WRONG", "$FP" ]
	vars.tunnelcheck_hostkey_alg = "ssh-ed25519"
	vars.tunnelcheck_critical_kex = 5
}
object Host "tc-login" {
	import "tc"
	vars.tunnelcheck_port = $SSHD_PORT
	vars.tunnelcheck_login = true
	vars.tunnelcheck_ssh_config = "$T_TMP/noid_config"
	vars.tunnelcheck_ssh_options = [ "IdentitiesOnly=yes", "IdentityAgent=none" ]
	vars.tunnelcheck_identity = [ "$SSHD_DIR/id_ed25519" ]
	vars.tunnelcheck_user = "$ME"
	vars.tunnelcheck_warning_auth = 5
}
object Host "tc-expect" {
	import "tc"
	vars.tunnelcheck_port = $ECHO
	vars.tunnelcheck_send = "PING\\\\r\\\\n"
	vars.tunnelcheck_expect = [ "NOPE", "PING" ]
	vars.tunnelcheck_expect_all = true
	vars.tunnelcheck_expect_timeout = 0.5
	vars.tunnelcheck_maxbytes = 100
	vars.tunnelcheck_mismatch_state = "critical"
}
object Host "tc-proxy" {
	import "tc"
	vars.tunnelcheck_proxy = "http://127.0.0.1:$TINYPROXY_PORT"
	vars.tunnelcheck_port = $FREE
	vars.tunnelcheck_refuse_state = "warning"
	vars.tunnelcheck_verbose = true
}
object Host "tc-jump" {
	import "tc"
	vars.tunnelcheck_jump = "$ME@127.0.0.1:$SSHD_PORT"
	vars.tunnelcheck_ssh_config = "$SSH_CONFIG"
	vars.tunnelcheck_address = "localhost"
	vars.tunnelcheck_port = $RPORT
	vars.tunnelcheck_ssh = true
	vars.tunnelcheck_timeout = 20
	vars.tunnelcheck_timeout_state = "unknown"
	vars.tunnelcheck_format = "json"
}
object Host "tc-refused" {
	import "tc"
	vars.tunnelcheck_port = $FREE
	vars.tunnelcheck_refuse_state = "warning"
}
object Host "tc-status" {
	import "tc"
	check_command = "tunnelcheck-status"
	vars.tunnelcheck_status_socket = "$SOCK"
	vars.tunnelcheck_reconnect_window = 60
	vars.tunnelcheck_warning = 5
	vars.tunnelcheck_verbose = true
}
EOF
grep -v IdentityFile "$SSH_CONFIG" >"$T_TMP/noid_config"
ihosts=$(grep -c '^object Host ' "$IR/hosts.conf")
icinga_conf "$IR" "$ICONF" "$IR/hosts.conf"
run icinga "$IR" -C
is_int 0 "$RUN_RC" "icinga2 daemon -C accepts the test hosts" ||
	diag "$(grep -E 'critical|warning' <<<"$RUN_OUT")"

# Start the daemon; wait (bounded) until each host had a check.
ILOG=$IR/log/debug.log
icinga_args "$IR"
fixture__spawn "$IR/daemon.out" "$ICINGA" daemon "${IARGS[@]}"
IPID=$FIXTURE_PID
deadline=$(($(tap_now_ms) + 40000))
while :; do
	n=$(grep -oE "State Change: Checkable 'tc-[a-z]+'" "$ILOG" 2>/dev/null | sort -u | wc -l)
	((n >= ihosts)) && break
	kill -0 "$IPID" 2>/dev/null || break
	(($(tap_now_ms) < deadline)) || break
	sleep 0.1
done
is_int "$ihosts" "$n" "icinga2 checked all $ihosts hosts" ||
	diag "$(tail -n 20 "$IR/daemon.out")"
# A TERM makes it write its state file and exit.
kill -TERM "$IPID" 2>/dev/null
for ((i = 0; i < 200; i++)); do
	kill -0 "$IPID" 2>/dev/null || break
	sleep 0.05
done
ok "icinga2 exits on SIGTERM" test "$i" -lt 200
fixture_stop "$IPID"
fixture__forget "$IPID"

ICINGA_PY_STATE='
import json, sys
data = open(sys.argv[1], "rb").read()
i = 0
while i < len(data):
    c = data.index(b":", i)
    n = int(data[i:c])
    obj = json.loads(data[c + 1:c + 1 + n])
    i = c + 1 + n + 1
    if obj.get("type") != "Host":
        continue
    cr = obj["update"].get("last_check_result") or {}
    out = (cr.get("output") or "").split("\n")
    print("\t".join([obj["name"], str(cr.get("exit_status")),
        " ".join(cr.get("command") or []), out[0].rstrip(),
        " / ".join(out[1:])]))
'
declare -A IRC ICMD IOUT ILONG
while IFS=$'\t' read -r name rc cmd out long; do
	IRC[$name]=$rc ICMD[$name]=$cmd IOUT[$name]=$out ILONG[$name]=$long
done < <(python3 -c "$ICINGA_PY_STATE" "$IR/lib/icinga2.state" 2>&1)
is_int "$ihosts" "${#IRC[@]}" "the state file has a check result for each host"

# icheck HOST RC CMDREGEX OUTREGEX: the check of HOST ran a command line
# matching CMDREGEX, exited RC, and its output's first line matches OUTREGEX.
icheck() {
	is_int "$2" "${IRC[$1]-none}" "icinga2 $1: exit $2" ||
		diag "command: ${ICMD[$1]-}" "output: ${IOUT[$1]-}"
	like "^$(req "$TC") $3$" "${ICMD[$1]-}" "icinga2 $1: the command line"
	like "$4" "${IOUT[$1]-}" "icinga2 $1: the output"
}
P=$(req "$SSH_CONFIG")
icheck tc-tcp 0 "-4 -H 127\\.0\\.0\\.1 -c ~:10 -p $ECHO -w 0:5" \
	"^TUNNEL OK - connected to 127\\.0\\.0\\.1 port $ECHO in "
icheck tc-hostkey 0 "--critical-kex 5 --hostkey $WRONG --hostkey $(req "$FP") --hostkey-alg ssh-ed25519 --ssh -H 127\\.0\\.0\\.1 -p $SSHD_PORT" \
	"^TUNNEL OK - 127\\.0\\.0\\.1 port $SSHD_PORT: SSH-2\\.0-.*, host key $(req "$FP") pinned in "
icheck tc-login 0 "--login --warning-auth 5 -F $(req "$T_TMP/noid_config") -H 127\\.0\\.0\\.1 -i $(req "$SSHD_DIR/id_ed25519") -l $ME -o IdentitiesOnly=yes -o IdentityAgent=none -p $SSHD_PORT" \
	"^TUNNEL OK - 127\\.0\\.0\\.1 port $SSHD_PORT: SSH-2\\.0-.*, logged in as $ME in "
icheck tc-expect 2 "--expect NOPE --expect PING --expect-all --expect-timeout 0\\.500000 --maxbytes 100 --mismatch-state critical --send PING\\\\r\\\\n -H 127\\.0\\.0\\.1 -p $ECHO" \
	"^TUNNEL CRITICAL - 127\\.0\\.0\\.1 port $ECHO: no 'NOPE' in the answer: 6 bytes 'PING  ', then nothing more in time"
icheck tc-proxy 2 "--refuse-state warning -H 127\\.0\\.0\\.1 -p $FREE -v -x http://127\\.0\\.0\\.1:$TINYPROXY_PORT" \
	"^TUNNEL CRITICAL - proxy 127\\.0\\.0\\.1:$TINYPROXY_PORT refused CONNECT to 127\\.0\\.0\\.1:$FREE: "
like "^target: 127\\.0\\.0\\.1 port $FREE via proxy http://127\\.0\\.0\\.1:$TINYPROXY_PORT / " \
	"${ILONG[tc-proxy]-}" "icinga2 tc-proxy: -v gave the long output"
icheck tc-jump 0 "--format json --ssh --timeout-state unknown -F $P -H localhost -J $ME@127\\.0\\.0\\.1:$SSHD_PORT -p $RPORT -t 20" \
	"^\\{\"state\":\"OK\",\"exit_code\":0,\"summary\":\"localhost port $RPORT via jump $ME@127\\.0\\.0\\.1:$SSHD_PORT: SSH-2\\.0-"
icheck tc-refused 1 "--refuse-state warning -H 127\\.0\\.0\\.1 -p $FREE" \
	"^TUNNEL WARNING - connect to 127\\.0\\.0\\.1 port $FREE: Connection refused$"
icheck tc-status 0 "--reconnect-window 60 --status $(req "$SOCK") -v -w 5" \
	"^TUNNEL OK - fwdpipe to 127\\.0\\.0\\.1 up [0-9hms]+, 1/1 forwards up, 0 reconnects in the last 1m00s$"
like "^fwdpipe [0-9.]+ \\(pid [0-9]+\\) to 127\\.0\\.0\\.1: up / forward remote " \
	"${ILONG[tc-status]-}" "icinga2 tc-status: -v gave the long output"

done_testing
