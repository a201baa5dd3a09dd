#!/bin/bash
# jumpcat-halfclose.t: half-close in both directions.  (a) stdin EOF shuts
# down only the write side: a server that answers after EOF still gets its
# whole answer printed.  (b) the server closes first while stdin stays open:
# jumpcat prints what it got and exits 0 promptly.  (c) the same with a large
# transfer.
# SPDX-License-Identifier: MIT

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"

JUMPCAT=$top_builddir/tools/jumpcat
fixture_require "$JUMPCAT" timeout sha256sum mkfifo
fixture_tmpdir

# A fifo that this shell holds open read-write: reading it never sees EOF.
mkfifo "$T_TMP/open-stdin"
exec 7<>"$T_TMP/open-stdin"
fixture_atexit 'exec 7>&-'

head -c 1M /dev/urandom >"$T_TMP/1m"
head -c 16M /dev/urandom >"$T_TMP/16m"
big=$(head -c 100000 /dev/zero | tr '\0' x)

fixture_tcpserv reply
PCOUNT=$TCPSERV_PORT
fixture_tcpserv reply -s "$big"
PBIG=$TCPSERV_PORT
fixture_tcpserv close -s "bye from server"
PBYE=$TCPSERV_PORT
fixture_tcpserv close
PCLOSE=$TCPSERV_PORT
fixture_tcpserv source -f "$T_TMP/16m"
PSRC=$TCPSERV_PORT
fixture_tcpserv source -z 1000000000000
PENDLESS=$TCPSERV_PORT
fixture_tcpserv early -s "413 too big"
PEARLY=$TCPSERV_PORT
plan_lazy

# (a) Client half-close: the reply comes only after the server saw EOF.
run timeout 20 "$JUMPCAT" 127.0.0.1 "$PCOUNT" <"$T_TMP/1m"
is "0:1048576" "$RUN_RC:$RUN_OUT" "stdin EOF: server saw all 1 MiB and EOF, reply printed, exit 0"
run timeout 20 "$JUMPCAT" 127.0.0.1 "$PCOUNT" </dev/null
is "0:0" "$RUN_RC:$RUN_OUT" "empty stdin: server saw EOF at once, reply printed, exit 0"
run timeout 20 "$JUMPCAT" 127.0.0.1 "$PBIG" <<<"hello"
is_int 0 "$RUN_RC" "stdin EOF, 100 kB reply: exit 0"
is "${#big} $(sha256sum <<<"$big")" "${#RUN_OUT} $(sha256sum <<<"$RUN_OUT")" \
	"stdin EOF, 100 kB reply: printed whole (length and SHA-256)"
timeout 20 "$JUMPCAT" 127.0.0.1 "$PSRC" </dev/null >"$T_TMP/src-out"
is_int 0 $? "stdin EOF at once, 16 MiB from the server: exit 0"
is "$(sha256sum <"$T_TMP/16m")" "$(sha256sum <"$T_TMP/src-out")" \
	"stdin EOF at once, 16 MiB from the server: arrived whole"

# (b) Server closes first while stdin stays open.
run timeout 30 "$JUMPCAT" 127.0.0.1 "$PBYE" <"$T_TMP/open-stdin"
is "0:bye from server" "$RUN_RC:$RUN_OUT" "server closes first: string printed, exit 0"
ok "server closes first: jumpcat exited within 10 s (${RUN_MS} ms)" test "$RUN_MS" -lt 10000
run timeout 30 "$JUMPCAT" 127.0.0.1 "$PCLOSE" <"$T_TMP/open-stdin"
is "0:" "$RUN_RC:$RUN_OUT" "server closes at once, sends nothing: exit 0"
ok "server closes at once: jumpcat exited within 10 s (${RUN_MS} ms)" test "$RUN_MS" -lt 10000

# (c) A large transfer the server closes after sending; stdin still open.
t0=$(tap_now_ms)
timeout 60 "$JUMPCAT" 127.0.0.1 "$PSRC" <"$T_TMP/open-stdin" >"$T_TMP/src-out"
is_int 0 $? "16 MiB then server close, stdin open: exit 0"
ms=$(($(tap_now_ms) - t0))
is "$(sha256sum <"$T_TMP/16m")" "$(sha256sum <"$T_TMP/src-out")" \
	"16 MiB then server close, stdin open: arrived whole"
ok "16 MiB then server close: exited within 30 s (${ms} ms)" test "$ms" -lt 30000

# (d) The server answers early and hangs up while input is still being
# sent: its answer is printed and the exit is 0 however stdin is made (a
# file goes through jumpcat's own pipe, a pipe is spliced straight across).
for how in file pipe; do
	if [[ $how == file ]]; then
		run timeout 30 "$JUMPCAT" -v 127.0.0.1 "$PEARLY" <"$T_TMP/16m"
	else
		run timeout 30 bash -c 'cat "$1" | "$2" -v 127.0.0.1 "$3"' _ \
			"$T_TMP/16m" "$JUMPCAT" "$PEARLY"
	fi
	is "0:413 too big" "$RUN_RC:$RUN_OUT" \
		"server answers early and hangs up, stdin a $how: answer printed, exit 0"
	unlike "Broken pipe|reset" "$RUN_ERR" "  ... and no error reported (stdin a $how)"
done

# The reader of stdout goes away during an endless download, stdin open:
# only noticing the dead stdout can end jumpcat.
# shellcheck disable=SC2016 # expanded by the inner bash
run timeout 30 bash -c '"$1" 127.0.0.1 "$2" <"$3" | head -c 10 >/dev/null' _ \
	"$JUMPCAT" "$PENDLESS" "$T_TMP/open-stdin"
is_int 0 "$RUN_RC" "stdout reader goes away: jumpcat ends (124 means it hung)"

done_testing
