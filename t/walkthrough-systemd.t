#!/bin/bash
# walkthrough-systemd.t: README's walk-through "The reverse tunnel,
# unattended, under systemd", run against local stand-ins without systemd.
# The command line is the one systemd would run for fwdpipe@gpu: ExecStart
# read from contrib/systemd/fwdpipe@.service, its fwdpipe path replaced by
# the built one, %t and %i expanded (runtime directory: T_TMP/run; instance:
# gpu), and $FWDPIPE_OPTS split at white space from an instance file
# holding the README's FWDPIPE_OPTS line (ports substituted, and -F for the
# service user's ~/.ssh/config).  It runs as systemd runs it: in the
# instance's RuntimeDirectory, with UMask=0077, NOTIFY_SOCKET (a socket
# this test reads), WATCHDOG_USEC from WatchdogSec= and WATCHDOG_PID.  The
# fixture sshd "public" and a second sshd (the GPU server's port 22)
# stand in for the hosts.  Checked: the README's files and commands are in
# README.md verbatim (WALKTHROUGH_README names another file); READY=1 and a
# STATUS= line that says up; the status socket (mode 0600) answers the
# README's tunnelcheck --status with OK; the reverse tunnel leads to the
# GPU server's sshd (tunnelcheck -J public --hostkey); public's sshd
# killed: --status CRITICAL, STATUS= says so;
# public back: the -R forward comes back by itself, --status OK with
# 1 reconnect; an instance file with a bad option: exit 2, which the
# unit's RestartPreventExitStatus= names; SIGTERM (systemctl stop): exit 0
# and STOPPING=1; and systemd-analyze verify accepts the unit (with
# ExecStart at the built fwdpipe) as the instance fwdpipe@gpu.service.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2001 # sed on multi-line text and blocks

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"
. "$top_srcdir/t/tap/fixtures-fwd.sh"

. "$top_srcdir/t/tap/readme.sh"
UNIT=$top_srcdir/contrib/systemd/fwdpipe@.service
TOOLS=$(cd "$top_builddir/tools" && pwd)
fixture_require "$TOOLS/fwdpipe" "$TOOLS/tunnelcheck" python3 ssh-keygen stat pgrep ps
PATH=$TOOLS:$PATH
fixture_sshd_start -d gpu || bail "no sshd for the GPU server"
GPU=$SSHD_PORT GPUDIR=$SSHD_DIR
fixture_sshd_start -d public || bail "no sshd for public"
PUB=$SSHD_PORT PUBDIR=$SSHD_DIR PUBCFG=$SSH_CONFIG
ME=$(id -un)
plan_lazy

# ---- the README's text ------------------------------------------------------
CONF='FWDPIPE_OPTS=-R 2000:localhost:22 -o ExitOnForwardFailure=yes public'
BLOCK='Host public
    HostName public.example.com
    User tunnel
    ServerAliveInterval 15
    ServerAliveCountMax 3'
C_ENABLE='systemctl enable --now fwdpipe@gpu'
C_STATUS='tunnelcheck --status /run/fwdpipe/gpu/status.sock -w 3 -c 10'
C_CHK='tunnelcheck -J public -H localhost -p 2000 --hostkey SHA256:'

readme_block "the service user's Host public block" "$BLOCK"
ok "README: the instance file's line $CONF" grep -qxF -e "$CONF" "$README"
for c in "$C_ENABLE" "$C_STATUS" "$C_CHK"; do
	ok "README: \$ $c" readme_cmd "$c"
done
line=$(readme_cmd "$C_CHK") && C_CHK=$line || C_CHK="${C_CHK}..."

# ---- the service user's files -----------------------------------------------
fixture_free_port || bail "no free port"
RP=$FIXTURE_PORT
GPUFP=$(ssh-keygen -lf "$GPUDIR/ssh_host_ed25519_key.pub" | cut -d' ' -f2)
# /var/lib/fwdpipe/.ssh/config: the README's block, pointed at the
# fixture, then the fixture's settings (known_hosts with public's key).
SCFG=$T_TMP/fwdpipe-home/.ssh/config
mkdir -p "${SCFG%/*}"
{
	sed -e "s|^    HostName .*|    HostName 127.0.0.1\\n    Port $PUB|" \
		-e "s|^    User .*|    User $ME\\n    IdentityFile $PUBDIR/id_ed25519|" <<<"$BLOCK"
	grep -v ConnectTimeout "$PUBCFG"
} >"$SCFG"
# /etc/fwdpipe/gpu.conf: the README's line, ports substituted, and -F for
# the service user's config (systemd would run fwdpipe as that user).
# instance_file FILE LINE: write the instance file with LINE substituted.
instance_file() {
	local l=$2
	l=${l//2000/$RP}
	l=${l//:22 /:$GPU }
	l=${l/FWDPIPE_OPTS=/FWDPIPE_OPTS=-F $SCFG }
	printf '# /etc/fwdpipe/gpu.conf for walkthrough-systemd.t\n%s\n' "$l" >"$1"
}
mkdir -p "$T_TMP/etc/fwdpipe"
instance_file "$T_TMP/etc/fwdpipe/gpu.conf" "$CONF"

# ---- the command line systemd would run ----------------------------------------
# unit_value KEY: the value of KEY= in the unit's [Service] section.
unit_value() {
	awk -v k="$1" '/^\[/ { s = $0 } s == "[Service]" && index($0, k "=") == 1 {
		print substr($0, length(k) + 2) }' "$UNIT"
}
# env_value FILE VAR: VAR's value in an EnvironmentFile= (the last one).
env_value() {
	awk -v k="$2" 'index($0, k "=") == 1 { v = substr($0, length(k) + 2) } END { print v }' "$1"
}
# exec_argv INSTANCEFILE: ARGV for the unit's ExecStart=, as systemd
# builds it: %t %i %% expanded, $VAR split at blanks, ${VAR} one word.
RUNTIME=$T_TMP/run
exec_argv() {
	local w v words
	read -r -a words <<<"$(unit_value ExecStart)"
	ARGV=()
	for w in "${words[@]}"; do
		w=${w//%t/$RUNTIME}
		w=${w//%i/gpu}
		w=${w//%%/%}
		if [[ $w =~ ^\$([A-Za-z_][A-Za-z0-9_]*)$ ]]; then
			read -r -a v <<<"$(env_value "$1" "${BASH_REMATCH[1]}")"
			ARGV+=("${v[@]}")
		elif [[ $w =~ ^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$ ]]; then
			ARGV+=("$(env_value "$1" "${BASH_REMATCH[1]}")")
		else
			ARGV+=("$w")
		fi
	done
}
exec_argv "$T_TMP/etc/fwdpipe/gpu.conf"
like '^/.*/fwdpipe$' "${ARGV[0]}" "the unit's ExecStart runs fwdpipe by its absolute path (${ARGV[0]})"
ARGV[0]=$TOOLS/fwdpipe
diag "ExecStart, as run: ${ARGV[*]}"
is "$RUNTIME/fwdpipe/gpu/status.sock" "$(for ((i = 0; i < ${#ARGV[@]}; i++)); do
	[[ ${ARGV[i]} == --status-socket ]] && echo "${ARGV[i + 1]}"; done)" \
	"... with --status-socket at %t/fwdpipe/%i/status.sock, /run/fwdpipe/gpu/status.sock in the README"
rtdir=$(unit_value RuntimeDirectory)
is "fwdpipe/%i" "$rtdir" "the unit's RuntimeDirectory= is fwdpipe/%i"
mkdir -p "$RUNTIME/${rtdir//%i/gpu}"
SOCK=$RUNTIME/fwdpipe/gpu/status.sock
um=$(unit_value UMask)
wd=$(unit_value WatchdogSec)
case $wd in
*min) WUSEC=$((${wd%min} * 60000000)) ;;
*s) WUSEC=$((${wd%s} * 1000000)) ;;
*) WUSEC=$((wd * 1000000)) ;;
esac
ok "the unit has WatchdogSec=$wd (WATCHDOG_USEC=$WUSEC)" test "$WUSEC" -gt 0

N=$T_TMP/notify
fwd_notify_recv "$T_TMP/notify.sock" "$N" || bail "no notify socket"
# note_count REGEX [FROM_MS]: notify messages matching REGEX since FROM_MS.
note_count() {
	awk -v re="$1" -v from="${2:-0}" '{ ms = $1; sub(/^[0-9]+ /, "") }
		ms >= from && $0 ~ re { n++ } END { print n + 0 }' "$N"
}
note_wait() {
	local end
	end=$(($(tap_now_ms) + $1 * 1000))
	until (($(note_count "$2" "${4:-0}") >= $3)); do
		(($(tap_now_ms) < end)) || return 1
		sleep 0.02
	done
}
last_status() {
	grep ' STATUS=' "$N" | tail -n 1 | sed 's/^[0-9]* //'
}

# start: systemctl start, as far as the process goes.
LOG=$T_TMP/journal.log
start() {
	(
		cd "$RUNTIME/fwdpipe/gpu" || exit 1
		umask "${um:-0022}"
		export NOTIFY_SOCKET=$T_TMP/notify.sock WATCHDOG_USEC=$WUSEC WATCHDOG_PID=$BASHPID
		exec "${ARGV[@]}"
	) </dev/null >>"$LOG" 2>&1 &
	FP=$!
	fixture_atexit "kill $FP 2>/dev/null"
}

# ---- systemctl enable --now fwdpipe@gpu ------------------------------------------
start
note_wait 20 '^READY=1$' 1
ok "$C_ENABLE (as systemd would run it): READY=1" test $? -eq 0 || diag "$(<"$LOG")" "$(<"$N")"
diag "journal:" "$(sed -e "s/\\b$RP\\b/2000/g" -e "s/\\b$GPU\\b/22/g" "$LOG")"
st=$(last_status)
diag "status: $st"
like '^STATUS=public: up [0-9]+s; forwards 1/1 up; ' "$st" "... STATUS= (systemctl status) says up, 1/1 forwards up"
is "600" "$(stat -c %a "$SOCK" 2>&1)" "the status socket is mode 0600"

# shown CMD: CMD as shown in the test's output: with the fingerprint pinned.
shown() {
	local c=$1
	[[ $c =~ SHA256:[^\ ]* ]] && c=${c/"${BASH_REMATCH[0]}"/$GPUFP}
	printf '%s\n' "$c"
}
N_='[0-9]+\.[0-9]+'
# tc_is RC REGEX DESC CMD: the README's tunnelcheck command (with the
# socket's path and the ports of the test) exits RC, nothing on stderr,
# first line matching REGEX.
tc_is() {
	local c=$4
	c=${c//\/run\//$RUNTIME/}
	c=${c//2000/$RP}
	c=${c/#tunnelcheck -J /tunnelcheck -F $SCFG -J }
	[[ $c =~ SHA256:[^\ ]* ]] && c=${c/"${BASH_REMATCH[0]}"/$GPUFP}
	local -a argv
	eval "argv=($c)"
	run timeout 60 "${argv[@]}" </dev/null
	diag "\$ $(shown "$4")" "$(sed -e "s/\\b$RP\\b/2000/g" <<<"$RUN_OUT")"
	like "^exit $1, stderr '', $2" "exit $RUN_RC, stderr '$RUN_ERR', ${RUN_OUT%%$'\n'*}" "$3"
}
tc_is 0 "TUNNEL OK - fwdpipe to public up [0-9]+s, 1/1 forwards up, 0 reconnects in the last 1h00m00s \\| " \
	"\$ $C_STATUS: OK, 0 reconnects" "$C_STATUS"
req() {
	sed 's/[][\.*^$+?(){}|/]/\\&/g' <<<"$1"
}
tc_is 0 "TUNNEL OK - localhost port $RP via jump public: SSH-2\\.0-[^|]*, host key $(req "$GPUFP") pinned in $N_ s \\| " \
	"\$ $C_CHK: the GPU server answers on public" "$C_CHK"

# ---- public goes away and comes back ------------------------------------------
SSHD_PORT=$PUB SSHD_DIR=$PUBDIR SSHD_LOG=$PUBDIR/sshd.log
SSHD_PID=$(<"$PUBDIR/sshd.pid")
fwd_sshd_down || bail "could not stop public's sshd"
fixture_wait_log "$LOG" 'public: connection closed by the server' 10 || diag "$(<"$LOG")"
tc_is 2 "TUNNEL CRITICAL - fwdpipe to public is down, retrying: [^|]*\\| " \
	"public down: \$ $C_STATUS: CRITICAL" "$C_STATUS"
st=$(last_status)
diag "status: $st"
like '^STATUS=public: (waiting to reconnect|connecting|backoff)[^;]*; forwards 0/1 up' "$st" "... STATUS= says it is reconnecting"
fwd_sshd_up || bail "public's sshd did not come back"
fixture_wait_log "$LOG" '^fwdpipe: reconnected to public \(reconnect 1\)$' 20
ok "public back: fwdpipe reconnected by itself" test $? -eq 0 || diag "$(<"$LOG")"
# The -R forward is asked for again after the login.
for ((i = 0; i < 250; i++)); do
	[[ $(fwd_status "$SOCK" forwards.0.state) == up ]] && break
	sleep 0.02
done
diag "journal:" "$(sed -e "s/\\b$RP\\b/2000/g" -e "s/\\b$GPU\\b/22/g" -e "s/\\b$PUB\\b/22/g" "$LOG")"
tc_is 0 "TUNNEL OK - fwdpipe to public up [0-9]+s, 1/1 forwards up, 1 reconnect in the last 1h00m00s \\| " \
	"\$ $C_STATUS: OK again, 1 reconnect" "$C_STATUS"
tc_is 0 "TUNNEL OK - localhost port $RP via jump public: SSH-2\\.0-[^|]*, host key $(req "$GPUFP") pinned in $N_ s \\| " \
	"... and the reverse tunnel leads to the GPU server again" "$C_CHK"
like '^STATUS=public: up [0-9]+s; forwards 1/1 up; .*; 1 reconnect;' "$(last_status)" "STATUS= says up again, 1 reconnect"
is_int 1 "$(note_count '^READY=1$')" "READY=1 was sent once"

# ---- systemctl stop -------------------------------------------------------------
kill -TERM "$FP"
rc=0
wait "$FP" || rc=$?
is_int 0 "$rc" "systemctl stop (SIGTERM): exit 0"
note_wait 3 '^STOPPING=1$' 1
ok "... after STOPPING=1" test $? -eq 0

# ---- a typo in the instance file: exit 2, no restart ------------------------------
instance_file "$T_TMP/etc/fwdpipe/bad.conf" "${CONF/ExitOnForwardFailure/ExitOnForwardFailur}"
exec_argv "$T_TMP/etc/fwdpipe/bad.conf"
ARGV[0]=$TOOLS/fwdpipe
run timeout 20 "${ARGV[@]}" </dev/null
diag "a bad instance file: $RUN_ERR"
is_int 2 "$RUN_RC" "an instance file with a misspelt option: fwdpipe exits 2"
like "Bad configuration option: exitonforwardfailur\$" "$RUN_ERR" "... naming the option"
is "2" "$(unit_value RestartPreventExitStatus)" "... which the unit's RestartPreventExitStatus= keeps from restarting"
is "always" "$(unit_value Restart)" "the unit: Restart=always otherwise"
is "notify" "$(unit_value Type)" "the unit: Type=notify"

# ---- systemd-analyze verify ----------------------------------------------------------
if command -v systemd-analyze >/dev/null 2>&1; then
	mkdir -p "$T_TMP/unit"
	sed "s|^ExecStart=[^ ]*/fwdpipe |ExecStart=$TOOLS/fwdpipe |" "$UNIT" >"$T_TMP/unit/fwdpipe@.service"
	ln -s 'fwdpipe@.service' "$T_TMP/unit/fwdpipe@gpu.service"
	verify=(systemd-analyze --man=no verify)
	run "${verify[@]}" "$T_TMP/unit/fwdpipe@gpu.service"
	is "0:" "$RUN_RC:$RUN_ERR$RUN_OUT" "systemd-analyze verify fwdpipe@gpu.service"
	sed 's|^Type=notify|Type=notifyy|' "$T_TMP/unit/fwdpipe@.service" >"$T_TMP/unit/broken@.service"
	ln -s 'broken@.service' "$T_TMP/unit/broken@gpu.service"
	run "${verify[@]}" "$T_TMP/unit/broken@gpu.service"
	like "notifyy" "$RUN_ERR$RUN_OUT" "... which does check: a copy with Type=notifyy is flagged"
else
	case ${CI-} in
	true | 1 | yes) ok "systemd-analyze verify (missing: Debian package systemd)" false ;;
	*) skip "no systemd-analyze (Debian package systemd)" ;;
	esac
fi

done_testing
