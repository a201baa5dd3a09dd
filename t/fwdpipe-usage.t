#!/bin/bash
# fwdpipe-usage.t: fwdpipe's command line.  --help lists every option and
# exits 0, -V prints the version; every usage error (no destination, no
# forward, a bad -L/-R/-D spec, a remote dynamic forward, an unknown
# option, a missing argument, two destinations, a bad port) exits 2 with
# one reason line and then the usage on stderr, nothing on stdout, and no
# network (strace: no socket() or connect()); an ssh option that ssh -G
# rejects exits 2 with ssh's message.  Against a real sshd: an unknown host
# key exits 5 and a key the server does not accept exits 3, each with one
# line saying why, instead of retrying.
# SPDX-License-Identifier: MIT

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"

FWDPIPE=$top_builddir/tools/fwdpipe
fixture_require "$FWDPIPE" strace timeout ssh ssh-keygen python3
fixture_tmpdir
# "No network" means no AF_INET/AF_INET6/AF_NETLINK socket or connect.
# LeakSanitizer cannot run under ptrace; harmless for a build without ASan.
# shellcheck disable=SC2054 # trace=socket,connect is one argument
STRACE=(env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	timeout 20 strace -f -qq -e trace=socket,connect)
plan_lazy

# usage_error DESC REGEX ARG...: fwdpipe ARG... exits 2 without network;
# stderr is one line "fwdpipe: ..." matching REGEX, then the usage.
usage_error() {
	local desc=$1 re=$2 trace=$T_TMP/strace.out first
	shift 2
	run timeout 20 "$FWDPIPE" "$@" </dev/null
	is_int 2 "$RUN_RC" "$desc: exit 2"
	first=${RUN_ERR%%$'\n'*}
	like "^fwdpipe: ($re)\$" "$first" "$desc: the reason, on the first line"
	like '^fwdpipe: [^'$'\n'']+'$'\n''usage: fwdpipe ' "$RUN_ERR" \
		"$desc: one reason line, then the usage"
	is "" "$RUN_OUT" "$desc: nothing on stdout"
	run "${STRACE[@]}" -o "$trace" "$FWDPIPE" "$@" </dev/null
	is "2:" "$RUN_RC:$(grep -E '(socket|connect)\(.*AF_(INET|NETLINK)' "$trace")" \
		"$desc: exit 2 under strace, no network socket() or connect()"
}

# ---- --help, -V ---------------------------------------------------------------
run "$FWDPIPE" --help </dev/null
is_int 0 "$RUN_RC" "--help: exit 0"
is "" "$RUN_ERR" "--help: nothing on stderr"
like '^usage: fwdpipe ' "$RUN_OUT" "--help: the usage first, on stdout"
HELP=$RUN_OUT
for opt in -4 -6 -D -F -f -g -h --help -i -J -L -l -N -n -o -p -R --status-socket -T -V --version -v -y; do
	# An option's own line: indented, maybe after its short form ("-h, --help").
	ok "--help lists $opt" grep -qE -e "^ +(-[a-zA-Z0-9], )?$opt( |,|\$)" <<<"$HELP"
done
run "$FWDPIPE" -h </dev/null
is "0:$HELP" "$RUN_RC:$RUN_OUT" "-h: the same as --help"
run "$FWDPIPE" -V </dev/null
is_int 0 "$RUN_RC" "-V: exit 0"
like '^fwdpipe \(hopkit\) [0-9]+\.[0-9]+\.[0-9]+' "$RUN_OUT" "-V: the version on stdout"
is "" "$RUN_ERR" "-V: nothing on stderr"
V=$RUN_OUT
run "$FWDPIPE" --version </dev/null
is "0:$V" "$RUN_RC:$RUN_OUT" "--version: the same as -V"

# ---- usage errors -------------------------------------------------------------
usage_error "no destination" "no destination given" -L 8080:localhost:80
usage_error "no arguments at all" "no destination given"
usage_error "no forwards" "no forwards given .*" example.invalid
usage_error "-L with two fields" "-L 8080:db: .*invalid -L forward.*" -L 8080:db example.invalid
usage_error "-L with a bad port" "-L 8080:db:http3x: .*bad connect port.*" -L 8080:db:http3x example.invalid
usage_error "-L listen port out of range" "-L 70000:db:80: .*out of range.*" -L 70000:db:80 example.invalid
usage_error "-D with a bad port" "-D 1080x: .*bad listen port.*" -D 1080x example.invalid
usage_error "-R remote dynamic" "-R 8080: remote dynamic forwarding is not supported" -R 8080 example.invalid
usage_error "-R with a bind address but no target" "-R 127\\.0\\.0\\.1:8080: .*" \
	-R 127.0.0.1:8080 example.invalid
usage_error "-L to a Unix socket" "-L /tmp/x\\.sock:db:80: .*Unix-domain socket forwarding is not supported" \
	-L /tmp/x.sock:db:80 example.invalid
# shellcheck disable=SC2016 # the ${VAR} is for fwdpipe to refuse
usage_error "-L with a \${VAR}" '-L \$\{PORT\}:db:80: .*\$\{VAR\} expansion is not supported' \
	-L '${PORT}:db:80' example.invalid
usage_error "unknown option -Q" "unknown option -Q" -Q -L 8080:db:80 example.invalid
usage_error "unknown option --bogus" "unknown option --bogus" --bogus -L 8080:db:80 example.invalid
usage_error "-L without its argument" "option -L needs an argument" example.invalid -L
usage_error "--status-socket without its argument" "option --status-socket needs an argument" \
	-L 8080:db:80 example.invalid --status-socket
usage_error "two destinations" "one destination, and no command: \"other\\.invalid\" is one too many" \
	-L 8080:db:80 example.invalid other.invalid
usage_error "-p not a number" "-p ssh2x: not a port" -p ssh2x -L 8080:db:80 example.invalid
usage_error "-p out of range" "-p 65536: not a port" -p 65536 -L 8080:db:80 example.invalid
usage_error "-p 0" "-p 0: not a port" -p 0 -L 8080:db:80 example.invalid

# ---- configuration errors (ssh -G decides) ----------------------------------------
run timeout 20 "$FWDPIPE" -o NoSuchOption=yes -L 8080:db:80 example.invalid </dev/null
is_int 2 "$RUN_RC" "-o with an option ssh does not know: exit 2"
like "Bad configuration option: nosuchoption" "$RUN_ERR" "... with ssh's message"
is_int 1 "$(grep -c . <<<"$RUN_ERR")" "... on one line"
run timeout 20 "$FWDPIPE" -o ConnectTimeout=soon -L 8080:db:80 example.invalid </dev/null
is_int 2 "$RUN_RC" "-o with a bad value: exit 2"
like "ConnectTimeout|soon|invalid time" "$RUN_ERR" "... with ssh's message"
run timeout 20 "$FWDPIPE" -F "$T_TMP/no-such-config" -L 8080:db:80 example.invalid </dev/null
is_int 2 "$RUN_RC" "-F with a file that is not there: exit 2"
like "no-such-config" "$RUN_ERR" "... naming the file"

# ---- against a real sshd: host key and authentication ---------------------------
fixture_sshd_start || bail "no sshd"
fixture_tcpserv echo
ECHO=$TCPSERV_PORT
fixture_free_port
LP=$FIXTURE_PORT
fwd() {
	run timeout 30 env -u SSH_AUTH_SOCK "$FWDPIPE" -p "$SSHD_PORT" -L "$LP:127.0.0.1:$ECHO" "$@" 127.0.0.1 </dev/null
}
# The config works as it is (the failures below are the tests' doing).
fwd -F "$SSH_CONFIG" -f --status-socket "$T_TMP/ok.sock"
is_int 0 "$RUN_RC" "the fixture's config and key: fwdpipe -f is up" || diag "$RUN_ERR"
pid=$(python3 -c '
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
print(json.loads(s.makefile().read())["pid"])' "$T_TMP/ok.sock" 2>/dev/null)
if [[ $pid =~ ^[0-9]+$ ]]; then
	kill -TERM "$pid"
	for ((i = 0; i < 250; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.02
	done
fi

hfp=$(ssh-keygen -lf "$T_TMP/ssh_host_ed25519_key.pub" | cut -d' ' -f2)
: >"$T_TMP/kh-empty"
fwd -F "$SSH_CONFIG" -o "UserKnownHostsFile=$T_TMP/kh-empty" -o StrictHostKeyChecking=yes
is_int 5 "$RUN_RC" "unknown host key (empty known_hosts, StrictHostKeyChecking yes): exit 5"
like "not known \\(ssh-ed25519 ${hfp//+/\\+}\\)" "$RUN_ERR" "... giving the key's fingerprint"
is_int 1 "$(grep -vc 'listening on' <<<"$RUN_ERR")" "... in one line" || diag "$RUN_ERR"
is "" "$(cat "$T_TMP/kh-empty")" "... and nothing was written to known_hosts"

# No known_hosts at all, and no StrictHostKeyChecking setting ("ask"):
# nobody can answer, so it is "yes".
grep -v -e StrictHostKeyChecking -e UserKnownHostsFile "$SSH_CONFIG" >"$T_TMP/ask_config"
echo "  UserKnownHostsFile $T_TMP/kh-none" >>"$T_TMP/ask_config"
fwd -F "$T_TMP/ask_config"
is_int 5 "$RUN_RC" "no known_hosts file, StrictHostKeyChecking unset: exit 5" || diag "$RUN_ERR"
like "not known" "$RUN_ERR" "... saying the host key is not known"
ok "... and no known_hosts file was created" test ! -e "$T_TMP/kh-none"

# A key the server does not know, only that one, and no agent.
ssh-keygen -q -t ed25519 -N '' -f "$T_TMP/wrong" || bail "ssh-keygen"
grep -v IdentityFile "$SSH_CONFIG" >"$T_TMP/noid_config"
fwd -F "$T_TMP/noid_config" -i "$T_TMP/wrong" -o IdentitiesOnly=yes -o IdentityAgent=none
is_int 3 "$RUN_RC" "a key the server does not accept (IdentitiesOnly, no agent): exit 3"
like "authentication failed .*wrong" "$RUN_ERR" "... naming the key that was tried"
is_int 1 "$(grep -vc 'listening on' <<<"$RUN_ERR")" "... in one line" || diag "$RUN_ERR"
fwd -F "$T_TMP/noid_config" -o "IdentityFile=$T_TMP/none" -o IdentitiesOnly=yes -o IdentityAgent=none
is_int 3 "$RUN_RC" "no usable key at all: exit 3"

done_testing
