#!/bin/bash
# tunnelcheck-usage.t: tunnelcheck's command line, as a Nagios plugin's.
# Every usage error exits 3 (UNKNOWN) with "TUNNEL UNKNOWN - <why>" as the
# first line and then the short usage, all on stdout, nothing on stderr,
# and touches no network (strace shows no socket() or connect()): missing
# -H or -p, probes that do not go together (--send/--expect with --ssh,
# --hostkey or --login), malformed --hostkey pins, options that need
# another (--hostkey-alg, -l, -i, -F, -o, --expect-all, --expect-timeout,
# --maxbytes), --status with a probe, bad ranges, states, formats,
# timeouts and escapes, -x or -J twice, a stray argument, unknown options.
# --help lists every option and --version the version; both exit 3 on
# stdout, as the monitoring-plugins do.
# SPDX-License-Identifier: MIT

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"

TC=$top_builddir/tools/tunnelcheck
fixture_require "$TC" strace timeout
fixture_tmpdir
# "No network" means no AF_INET/AF_INET6/AF_NETLINK socket or connect: glibc
# may still knock on nscd's unix socket for a service name lookup.
# LeakSanitizer cannot run under ptrace; harmless for a build without ASan.
# shellcheck disable=SC2054 # trace=socket,connect is one argument
STRACE=(env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	timeout 20 strace -f -qq -e trace=socket,connect)
version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$top_builddir/config.h")
# A pin that is well formed (43 base64 characters) but matches no key.
PIN=SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
plan_lazy

# --- --help and --version ----------------------------------------------------
for opt in --help -h; do
	run timeout 20 "$TC" "$opt" </dev/null
	is_int 3 "$RUN_RC" "$opt: exit 3, as the monitoring-plugins do"
	is "tunnelcheck (hopkit) $version" "${RUN_OUT%%$'\n'*}" "$opt: first line names the tool and version"
	is "" "$RUN_ERR" "$opt: nothing on stderr"
done
HELP=$RUN_OUT
# The usage block of --help: from "Usage:" to the first empty line.
USAGE=$(sed -n '/^Usage: /,/^$/p' <<<"$HELP" | sed '/^$/d')
like '^Usage: tunnelcheck -H host' "$USAGE" "--help holds the short usage"

# Every option, as "  -X, --long" or "      --long" at a line's start.
shorts=(H:hostname p:port x:proxy J:jump F:config o:option l:user i:identity
	w:warning c:critical t:timeout v:verbose h:help V:version)
longs=(proxy-auth-file proxy-cacert ssh ssh-version hostkey hostkey-alg login
	send expect expect-all expect-timeout maxbytes mismatch-state
	refuse-state timeout-state status reconnect-window format)
for ph in resolve connect hop banner kex auth expect; do
	longs+=("warning-$ph" "critical-$ph")
done
missing=
for so in "${shorts[@]}"; do
	grep -qE -e "^  -${so%%:*}, --${so#*:}( |\$)" <<<"$HELP" || missing+=" -${so%%:*}/--${so#*:}"
done
for lo in "${longs[@]}"; do
	grep -qE -e "^      --$lo( |\$)" <<<"$HELP" || missing+=" --$lo"
done
for so in 4 6; do
	grep -qE -e "^  -$so  " <<<"$HELP" || missing+=" -$so"
done
is "" "$missing" "--help lists every option (${#shorts[@]} with a short form, ${#longs[@]} long only, -4, -6)"
like 'Exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN' "$HELP" "--help states the exit codes"

# Conversely, every long option --help shows is one tunnelcheck knows.
unknown=
while read -r lo; do
	run timeout 20 "$TC" "--$lo" x </dev/null
	[[ ${RUN_OUT%%$'\n'*} == *"unknown option"* ]] && unknown+=" --$lo"
done < <(grep -oE -e '^ +(-[[:alnum:]], )?--[a-z0-9-]+' <<<"$HELP" | sed 's/.*--//')
is "" "$unknown" "every option in --help is accepted as an option"

for opt in --version -V; do
	run timeout 20 "$TC" "$opt" </dev/null
	is "3:tunnelcheck (hopkit) $version" "$RUN_RC:$RUN_OUT" "$opt: exit 3, one line with the version"
	is "" "$RUN_ERR" "$opt: nothing on stderr"
done

# --- usage errors --------------------------------------------------------------
# usage_error DESC REGEX ARG...: tunnelcheck ARG... is a usage error: exit 3,
# a first line matching "^TUNNEL UNKNOWN - " REGEX, then the usage of
# --help, all on stdout; nothing on stderr; no network.
usage_error() {
	local desc=$1 re=$2 trace=$T_TMP/strace.out
	shift 2
	run timeout 20 "$TC" "$@" </dev/null
	is_int 3 "$RUN_RC" "$desc: exit 3"
	like "^TUNNEL UNKNOWN - $re\$" "${RUN_OUT%%$'\n'*}" "$desc: the reason"
	is "$USAGE" "${RUN_OUT#*$'\n'}" "$desc: then the usage, on stdout"
	is "" "$RUN_ERR" "$desc: nothing on stderr"
	run "${STRACE[@]}" -o "$trace" "$TC" "$@" </dev/null
	is "3:" "$RUN_RC:$(grep -E '(socket|connect)\(.*AF_(INET|NETLINK)' "$trace")" \
		"$desc: exit 3 under strace, no network socket() or connect()"
}

usage_error "no -H" '.*-H is required.*' -p 22
usage_error "the host as an argument, not -H" "unexpected argument '127\\.0\\.0\\.1' \\(the host goes after -H\\)" \
	--ssh 127.0.0.1
usage_error "no -p and no SSH probe" '.*-p is required.*' -H 127.0.0.1
usage_error "no -p with --send" '.*-p is required.*' -H 127.0.0.1 --send x
usage_error "--send with --ssh" '--send and --expect .*cannot go with --ssh.*' \
	-H 127.0.0.1 --ssh --send x
usage_error "--expect with --ssh" '--send and --expect .*cannot go with --ssh.*' \
	-H 127.0.0.1 --ssh --expect x
usage_error "--expect with --login" '--send and --expect .*cannot go with .*--login.*' \
	-H 127.0.0.1 --login --expect x
usage_error "--send with --hostkey" '--send and --expect .*cannot go with .*--hostkey.*' \
	-H 127.0.0.1 --hostkey "$PIN" --send x
usage_error "--send with --ssh-version" '--send and --expect .*cannot go with --ssh.*' \
	-H 127.0.0.1 --ssh-version OpenSSH_9.2p1 --send x
for bad in SHA256:abc abc "MD5:$(printf 'aa:%.0s' {1..15})aa" "${PIN}A" "${PIN%A}" \
	"SHA256:$(printf 'A%.0s' {1..42})==" "SHA256:$(printf 'A%.0s' {1..42})!" \
	"sha256:${PIN#SHA256:}" "SHA256:${PIN#SHA256:} "; do
	usage_error "--hostkey '$bad'" "--hostkey '$(sed 's/[][\.*^$+?(){}|]/\\&/g' <<<"$bad")': .*" \
		-H 127.0.0.1 --hostkey "$bad"
done
# Well-formed pins (one '=' of padding is allowed): the error is a later one.
usage_error "a good --hostkey, with --send" '--send and --expect .*' \
	-H 127.0.0.1 --hostkey "SHA256:ab+/$(printf '9%.0s' {1..39})=" --send x
usage_error "--hostkey-alg without --hostkey" '--hostkey-alg needs --hostkey' \
	-H 127.0.0.1 -p 22 --hostkey-alg ssh-ed25519
usage_error "--hostkey-alg with --ssh only" '--hostkey-alg needs --hostkey' \
	-H 127.0.0.1 --ssh --hostkey-alg ssh-ed25519
usage_error "--hostkey-alg that is no algorithm name" "--hostkey-alg 'SSH ED25519': .*" \
	-H 127.0.0.1 --hostkey "$PIN" --hostkey-alg 'SSH ED25519'
usage_error "-l without --login" '-l and -i need --login' -H 127.0.0.1 -p 22 -l root
usage_error "-l with --ssh" '-l and -i need --login' -H 127.0.0.1 --ssh -l root
usage_error "-i without --login" '-l and -i need --login' -H 127.0.0.1 --hostkey "$PIN" -i /dev/null
usage_error "-F without -J or --login" '-F and -o need -J or --login' \
	-H 127.0.0.1 -p 22 -F /dev/null
usage_error "-F with --hostkey only" '-F and -o need -J or --login' \
	-H 127.0.0.1 --hostkey "$PIN" -F /dev/null
usage_error "-o without -J or --login" '-F and -o need -J or --login' \
	-H 127.0.0.1 --ssh -o User=x
usage_error "-o without a value" "-o 'User': expected Key=Value" -H 127.0.0.1 --login -o User
usage_error "--expect-all without --expect" '--expect-all needs --expect' \
	-H 127.0.0.1 -p 22 --expect-all
usage_error "--expect-all with --send only" '--expect-all needs --expect' \
	-H 127.0.0.1 -p 22 --send x --expect-all
usage_error "--maxbytes without --expect" '.*--maxbytes need --expect' -H 127.0.0.1 -p 22 --maxbytes 10
usage_error "--expect-timeout without --expect" '--expect-timeout .*need --expect' \
	-H 127.0.0.1 -p 22 --expect-timeout 1
usage_error "--maxbytes 0" "--maxbytes '0': .*" -H 127.0.0.1 -p 22 --expect x --maxbytes 0
usage_error "--maxbytes abc" "--maxbytes 'abc': .*" -H 127.0.0.1 -p 22 --expect x --maxbytes abc
usage_error "--expect-timeout 0" "--expect-timeout '0': .*" \
	-H 127.0.0.1 -p 22 --expect x --expect-timeout 0
usage_error "an empty --expect" '--expect: empty string' -H 127.0.0.1 -p 22 --expect ''
usage_error "--send twice" '--send given twice' -H 127.0.0.1 -p 22 --send a --send b
usage_error "--status with -H" '--status checks a running fwdpipe: .*' \
	--status "$T_TMP/none.sock" -H 127.0.0.1
usage_error "--status with -p" '--status checks a running fwdpipe: .*' \
	--status "$T_TMP/none.sock" -p 22
usage_error "--status with --ssh" '--status checks a running fwdpipe: .*' \
	--status "$T_TMP/none.sock" --ssh
usage_error "--status with --expect" '--status checks a running fwdpipe: .*' \
	--status "$T_TMP/none.sock" --expect x
usage_error "--format xml" "--format 'xml': nagios, json or prometheus" \
	-H 127.0.0.1 -p 22 --format xml
usage_error "--format JSON (names are lower case)" "--format 'JSON': .*" \
	-H 127.0.0.1 -p 22 --format JSON
usage_error "--refuse-state bad" "--refuse-state: 'bad' is not ok, warning, critical or unknown" \
	-H 127.0.0.1 -p 22 --refuse-state bad
usage_error "--mismatch-state 4" "--mismatch-state: '4' is not ok, warning, critical or unknown" \
	-H 127.0.0.1 -p 22 --expect x --mismatch-state 4
usage_error "--timeout-state warning (only critical or unknown)" '--timeout-state: critical or unknown.*' \
	-H 127.0.0.1 -p 22 --timeout-state warning
usage_error "--timeout-state ok" '--timeout-state: critical or unknown.*' \
	-H 127.0.0.1 -p 22 --timeout-state ok
usage_error "--timeout-state bad" "--timeout-state: 'bad' is not .*" \
	-H 127.0.0.1 -p 22 --timeout-state bad
for t in 0 abc -1 inf nan '' 1s 31536001; do
	usage_error "-t '$t'" "-t '$t': expected seconds above 0" -H 127.0.0.1 -p 22 -t "$t"
done
usage_error "--reconnect-window 0" "--reconnect-window '0': .*" \
	--status "$T_TMP/none.sock" --reconnect-window 0
# The reason shows what was typed: one backslash, not an escaped one.
usage_error "an unknown escape in --send" "--send: unknown escape '\\\\q' \\(known: \\\\r \\\\n \\\\t \\\\\\\\\\)" \
	-H 127.0.0.1 -p 22 --send 'a\qb'
usage_error "\\x in --send" "--send: unknown escape '\\\\x' .*" -H 127.0.0.1 -p 22 --send '\x41'
usage_error "a lone backslash at the end of --send" \
	"--send: a lone '\\\\' at the end \\(write \\\\\\\\ for a backslash\\)" \
	-H 127.0.0.1 -p 22 --send 'ab\'
usage_error "an unknown escape in --expect" "--expect: unknown escape '\\\\0' .*" \
	-H 127.0.0.1 -p 22 --expect 'a\0'
usage_error "-x twice" '-x given twice' \
	-H 127.0.0.1 -p 22 -x http://127.0.0.1:1 -x socks5://127.0.0.1:1
usage_error "-J twice" '-J given twice.*' -H 127.0.0.1 -p 22 -J a -J b
usage_error "a stray argument" "unexpected argument 'stray'.*" -H 127.0.0.1 -p 22 stray
usage_error "a stray argument after --" "unexpected argument '--ssh'.*" -H 127.0.0.1 -p 22 -- --ssh
usage_error "-w 20:10 (start above end)" "-w: range '20:10': start is above end" \
	-H 127.0.0.1 -p 22 -w 20:10
usage_error "-w abc" "-w: range 'abc' .*" -H 127.0.0.1 -p 22 -w abc
usage_error "-c 10:abc" "-c: range '10:abc' .*" -H 127.0.0.1 -p 22 -c 10:abc
usage_error "-c @" "-c: range '@' .*" -H 127.0.0.1 -p 22 -c @
usage_error "an empty -c" '-c: empty range' -H 127.0.0.1 -p 22 -c ''
usage_error "--warning-connect x" "--warning-.*: range 'x' .*" -H 127.0.0.1 -p 22 --warning-connect x
usage_error "--critical-kex 5:1" "--critical-.*: range '5:1': start is above end" \
	-H 127.0.0.1 --hostkey "$PIN" --critical-kex 5:1
usage_error "-p 99999" '-p: .*99999.*' -H 127.0.0.1 -p 99999
usage_error "-p 0" '-p: .*' -H 127.0.0.1 -p 0
usage_error "-H with a quote" '-H: .*' -H 'a"b' -p 22
usage_error "unknown option --bogus" 'unknown option --bogus' -H 127.0.0.1 -p 22 --bogus
usage_error "unknown option -Z" 'unknown option -Z' -H 127.0.0.1 -p 22 -Z
usage_error "-p without its argument" 'option -p needs an argument' -H 127.0.0.1 -p
usage_error "--expect without its argument" 'option --expect needs an argument' \
	-H 127.0.0.1 -p 22 --expect

done_testing
