#!/bin/bash
# jumpcat-addr.t: how jumpcat reaches an address.  IPv4, IPv6 with and
# without brackets, localhost; -4/-6 restrict the family; a refused connect
# and a connect timeout (-w against a server whose accept queue is full) each
# fail with one exact line and exit 1.
# SPDX-License-Identifier: MIT

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"

JUMPCAT=$top_builddir/tools/jumpcat
fixture_require "$JUMPCAT" timeout
fixture_tcpserv reply
P4=$TCPSERV_PORT
fixture_tcpserv reply -6
P6=$TCPSERV_PORT
fixture_tcpserv hang
PHANG=$TCPSERV_PORT
fixture_tcpserv echo
PECHO=$TCPSERV_PORT
fixture_free_port
PFREE=$FIXTURE_PORT
plan_lazy

# reaches DESC ARG...: `jumpcat ARG...` gets 5 bytes to a reply server.
reaches() {
	local desc=$1
	shift
	run timeout 20 "$JUMPCAT" "$@" <<<"abcd"
	is "0:5" "$RUN_RC:$RUN_OUT" "$desc: exit 0, reply says 5 bytes arrived"
	is "" "$RUN_ERR" "$desc: nothing on stderr"
}

# fails DESC REGEX ARG...: `jumpcat ARG...` exits 1 with one stderr line
# matching REGEX and nothing on stdout.
fails() {
	local desc=$1 re=$2
	shift 2
	run timeout 20 "$JUMPCAT" "$@" </dev/null
	is_int 1 "$RUN_RC" "$desc: exit 1"
	like "$re" "$RUN_ERR" "$desc: one error line"
	is "" "$RUN_OUT" "$desc: nothing on stdout"
}

reaches "127.0.0.1" 127.0.0.1 "$P4"
reaches "localhost" localhost "$P4"
reaches "::1" ::1 "$P6"
reaches "[::1]" "[::1]" "$P6"
reaches "-4 127.0.0.1" -4 127.0.0.1 "$P4"
reaches "-6 ::1" -6 ::1 "$P6"
reaches "-6 [::1]" -6 "[::1]" "$P6"
reaches "-4 localhost" -4 localhost "$P4"
for opt in -v --verbose; do
	run timeout 20 "$JUMPCAT" "$opt" 127.0.0.1 "$P4" <<<"abcd"
	is "0:5" "$RUN_RC:$RUN_OUT" "$opt: exit 0, data through"
	is "jumpcat: connected to 127.0.0.1 [127.0.0.1] port $P4" "$RUN_ERR" \
		"$opt: says where it connected, nothing more"
done
run timeout 20 "$JUMPCAT" -vv 127.0.0.1 "$P4" <<<"abcd"
is "0:5" "$RUN_RC:$RUN_OUT" "-vv: exit 0, data through"
like "(^|"$'\n'")jumpcat: debug: [^"$'\n'"]*a->b (copy|pipe), b->a (direct|pipe)" "$RUN_ERR" \
	"-vv: debug lines say how each direction is relayed"
like "(^|"$'\n'")jumpcat: debug: sent 5 bytes, received 2 bytes" "$RUN_ERR" \
	"-vv: debug lines count the bytes"

fails "-6 127.0.0.1" '^jumpcat: [^'$'\n'']*127\.0\.0\.1[^'$'\n'']*$' -6 127.0.0.1 "$P4"
fails "-4 ::1" '^jumpcat: [^'$'\n'']*::1[^'$'\n'']*$' -4 ::1 "$P6"
fails "-4 [::1]" '^jumpcat: [^'$'\n'']*::1[^'$'\n'']*$' -4 "[::1]" "$P6"

fails "refused" "^jumpcat: connect to 127\.0\.0\.1 port $PFREE: Connection refused\$" \
	127.0.0.1 "$PFREE"
is "jumpcat: connect to 127.0.0.1 port $PFREE: Connection refused" "$RUN_ERR" \
	"refused: the exact message"
fails "refused ::1" "^jumpcat: connect to \[?::1\]? port $PFREE: Connection refused\$" \
	"[::1]" "$PFREE"

fails "-w 1 to a full accept queue" \
	"^jumpcat: connect to 127\.0\.0\.1 port $PHANG: Connection timed out\$" \
	-w 1 127.0.0.1 "$PHANG"
is "jumpcat: connect to 127.0.0.1 port $PHANG: Connection timed out" "$RUN_ERR" \
	"-w 1: the exact message"
ok "-w 1 gave up after more than 0.5 s (${RUN_MS} ms)" test "$RUN_MS" -gt 500
ok "-w 1 gave up within 10 s (${RUN_MS} ms)" test "$RUN_MS" -lt 10000

fails "-w 0.3 (fractions)" "Connection timed out\$" -w 0.3 127.0.0.1 "$PHANG"
ok "-w 0.3 gave up after more than 0.2 s (${RUN_MS} ms)" test "$RUN_MS" -gt 200
ok "-w 0.3 gave up within 5 s (${RUN_MS} ms)" test "$RUN_MS" -lt 5000

# -w limits the connect only: a session that outlives it goes on.
# shellcheck disable=SC2016 # expanded by the inner bash
run timeout 20 bash -c '{ echo a; sleep 1.5; echo b; } | "$1" -w 0.5 127.0.0.1 "$2"' _ \
	"$JUMPCAT" "$PECHO"
is "0:a"$'\n'"b" "$RUN_RC:$RUN_OUT" "-w 0.5: a 1.5 s session is not cut short"

done_testing
