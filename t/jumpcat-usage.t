#!/bin/bash
# jumpcat-usage.t: jumpcat's command line.  Every usage error prints a reason
# line and the usage on stderr, exits 2 and touches no network (strace shows
# no socket() or connect()); --help and --version exit 0 on stdout; a
# service name is accepted as the port.
# SPDX-License-Identifier: MIT

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"

JUMPCAT=$top_builddir/tools/jumpcat
fixture_require "$JUMPCAT" strace timeout
fixture_tmpdir
# "No network" means no AF_INET/AF_INET6/AF_NETLINK socket or connect: glibc
# may still knock on nscd's unix socket for a service name lookup.
# LeakSanitizer cannot run under ptrace; harmless for a build without ASan.
# shellcheck disable=SC2054 # trace=socket,connect is one argument
STRACE=(env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	timeout 20 strace -f -qq -e trace=socket,connect)
plan_lazy

# usage_error DESC REASON ARG...: jumpcat ARG... is a usage error without
# network, and the first line of stderr is "jumpcat: REASON".
usage_error() {
	local desc=$1 reason=$2 trace=$T_TMP/strace.out
	shift 2
	run timeout 20 "$JUMPCAT" "$@" </dev/null
	is_int 2 "$RUN_RC" "$desc: exit 2"
	is "jumpcat: $reason" "${RUN_ERR%%$'\n'*}" "$desc: the reason"
	like '^jumpcat: [^'$'\n'']+'$'\n''usage: jumpcat ' "$RUN_ERR" \
		"$desc: reason line, then usage on stderr"
	is "" "$RUN_OUT" "$desc: nothing on stdout"
	run "${STRACE[@]}" -o "$trace" "$JUMPCAT" "$@" </dev/null
	is "2:" "$RUN_RC:$(grep -E '(socket|connect)\(.*AF_(INET|NETLINK)' "$trace")" \
		"$desc: exit 2 under strace, no network socket() or connect()"
}

usage_error "unknown option -Z" "unknown option -Z" -Z 127.0.0.1 22
usage_error "unknown option --bogus" "unknown option --bogus" --bogus 127.0.0.1 22
usage_error "port 70000" 'invalid port "70000": out of range 1-65535' 127.0.0.1 70000
usage_error "port 65536" 'invalid port "65536": out of range 1-65535' 127.0.0.1 65536
usage_error "port abc" 'invalid port "abc": not a number or known service' 127.0.0.1 abc
usage_error "port 0" 'invalid port "0": out of range 1-65535' 127.0.0.1 0
usage_error "port -1 (as an option)" "unknown option -1" 127.0.0.1 -1
usage_error "port -1 (after --)" 'invalid port "-1": not a number or known service' -- 127.0.0.1 -1
usage_error "empty port" "missing port" 127.0.0.1 ''
usage_error "empty host" "missing host name" '' 22
usage_error "unbalanced brackets" 'invalid host "[::1": unbalanced brackets' '[::1' 22
usage_error "no arguments" "missing host and port"
usage_error "only a host" "missing port" 127.0.0.1
usage_error "too many arguments" "too many arguments" 127.0.0.1 22 extra
usage_error "-w x" 'invalid -w "x": expected seconds, more than 0 and at most 31536000' -w x 127.0.0.1 22
usage_error "-w -1" 'invalid -w "-1": expected seconds, more than 0 and at most 31536000' -w -1 127.0.0.1 22
usage_error "-w 0" 'invalid -w "0": expected seconds, more than 0 and at most 31536000' -w 0 127.0.0.1 22
usage_error "-w 1x" 'invalid -w "1x": expected seconds, more than 0 and at most 31536000' -w 1x 127.0.0.1 22
usage_error "-w nan" 'invalid -w "nan": expected seconds, more than 0 and at most 31536000' -w nan 127.0.0.1 22
usage_error "-w without a value" "option -w needs an argument" -w

for opt in --help -h; do
	run timeout 20 "$JUMPCAT" "$opt"
	is_int 0 "$RUN_RC" "$opt: exit 0"
	like '^usage: jumpcat ' "$RUN_OUT" "$opt: usage on stdout"
	like '--fdpass' "$RUN_OUT" "$opt: lists --fdpass"
	is "" "$RUN_ERR" "$opt: nothing on stderr"
done

version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$top_builddir/config.h")
for opt in --version -V; do
	run timeout 20 "$JUMPCAT" "$opt"
	is_int 0 "$RUN_RC" "$opt: exit 0"
	is "jumpcat (hopkit) $version" "$RUN_OUT" "$opt: prints the version"
done

# A service name port: strace shows the connect to its number (whatever
# answers there; -w 2 bounds the attempt, stdin is empty).
for svc in ssh:22 http:80; do
	trace=$T_TMP/strace.$svc
	run "${STRACE[@]}" -e signal=none -o "$trace" "$JUMPCAT" -4 -w 2 127.0.0.1 "${svc%:*}" </dev/null
	like "sin_port=htons\(${svc#*:}\)" "$(grep 'connect(' "$trace")" \
		"port ${svc%:*} connects to port ${svc#*:}"
	ok "port ${svc%:*} is no usage error (exit $RUN_RC)" test "$RUN_RC" -ne 2
done

# Proxy and TLS settings that cannot work: exit 2, one line, no network.
config_error() {
	local desc=$1 re=$2 trace=$T_TMP/strace.out
	shift 2
	run timeout 20 "$JUMPCAT" "$@" </dev/null
	is_int 2 "$RUN_RC" "$desc: exit 2"
	like "$re" "$RUN_ERR" "$desc: says why"
	run "${STRACE[@]}" -o "$trace" "$JUMPCAT" "$@" </dev/null
	is "2:" "$RUN_RC:$(grep -E '(socket|connect)\(.*AF_(INET|NETLINK)' "$trace")" \
		"$desc: no network socket() or connect()"
}
config_error "-x ftp://" '^jumpcat: unsupported proxy scheme "ftp"' -x ftp://p:21 127.0.0.1 22
config_error "-x https:// with --fdpass" '^jumpcat: --fdpass cannot hand ssh' \
	--fdpass -x https://p:443 127.0.0.1 22
https_proxy=https://p:443 config_error "-x env naming an https:// proxy, with --fdpass" \
	'^jumpcat: --fdpass cannot hand ssh' --fdpass -x env 127.0.0.1 22
config_error "-x twice" '^jumpcat: -x given twice' -x http://a:1 -x http://b:2 127.0.0.1 22
config_error "-x with a bad port" '^jumpcat: .*port' -x http://p:99999 127.0.0.1 22
config_error "--proxy-auth-file missing" '^jumpcat: .*nonexistent' \
	-x http://p:1 --proxy-auth-file /nonexistent/auth 127.0.0.1 22
config_error "--sni without --tls" 'need --tls' --sni x 127.0.0.1 22
config_error "--cacert without --tls" 'need --tls' --cacert /dev/null 127.0.0.1 22
config_error "--alpn without --tls" 'need --tls' --alpn h2 127.0.0.1 22

done_testing
