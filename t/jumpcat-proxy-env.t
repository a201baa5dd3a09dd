#!/bin/bash
# jumpcat-proxy-env.t: -x env takes the proxy from https_proxy, HTTPS_PROXY,
# all_proxy or ALL_PROXY, honours no_proxy/NO_PROXY, and connects directly
# when no variable applies.  A fake proxy that always answers 407 shows
# whether the proxy was used (exit 3) or not (exit 0, data through).
# SPDX-License-Identifier: MIT

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"

JUMPCAT=$top_builddir/tools/jumpcat
fixture_require "$JUMPCAT" timeout
fixture_tmpdir
fixture_tcpserv echo
PECHO=$TCPSERV_PORT
fixture_fakeproxy http-407
P407=$FAKEPROXY_PORT
fixture_microsocks
PSOCKS=$MICROSOCKS_PORT
plan_lazy

# via DESC WANT-RC ENV...: jumpcat -x env to the echo server with ENV (and
# nothing else) set; WANT-RC 0 means direct (or a working proxy), and then
# the line must come back.  stdin stays open until it has (microsocks
# closes both ways on the client's EOF).
via() {
	local desc=$1 want=$2 rc
	shift 2
	: >"$T_TMP/out"
	{ echo abcd; fixture_wait_size "$T_TMP/out" 5 20; } |
		env -i PATH="$PATH" "$@" timeout 20 "$JUMPCAT" -v -x env 127.0.0.1 "$PECHO" \
		>"$T_TMP/out" 2>"$T_TMP/err"
	rc=${PIPESTATUS[1]}
	is_int "$want" "$rc" "$desc: exit $want" || diag "stderr: $(<"$T_TMP/err")"
	if ((want == 0)); then
		is "abcd" "$(<"$T_TMP/out")" "$desc: the data went through"
	fi
}

bad=http://127.0.0.1:$P407
via "no variable set: direct" 0
via "https_proxy" 3 "https_proxy=$bad"
via "HTTPS_PROXY" 3 "HTTPS_PROXY=$bad"
via "all_proxy" 3 "all_proxy=$bad"
via "ALL_PROXY" 3 "ALL_PROXY=$bad"
via "https_proxy wins over all_proxy" 0 "https_proxy=socks5h://127.0.0.1:$PSOCKS" "all_proxy=$bad"
via "all_proxy as socks5h" 0 "all_proxy=socks5h://127.0.0.1:$PSOCKS"
via "no_proxy=127.0.0.1" 0 "https_proxy=$bad" no_proxy=127.0.0.1
via "NO_PROXY=127.0.0.0/8" 0 "https_proxy=$bad" NO_PROXY=127.0.0.0/8
via "no_proxy=*" 0 "https_proxy=$bad" "no_proxy=*"
via "no_proxy for another host" 3 "https_proxy=$bad" no_proxy=example.com,10.0.0.1
like "no proxy for 127\.0\.0\.1" "$(env -i PATH="$PATH" https_proxy="$bad" no_proxy=127.0.0.1 \
	"$JUMPCAT" -v -x env 127.0.0.1 "$PECHO" 2>&1 </dev/null)" "-v says no_proxy applied"

done_testing
