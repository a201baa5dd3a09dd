#!/bin/bash
# jumpcat-data.t: bytes go through jumpcat unchanged.  64 MiB of random data
# to an echo server and back, one way to a sink server (which writes them to
# a file), and one way from a source server, each compared by SHA-256.
# SPDX-License-Identifier: MIT

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"

JUMPCAT=$top_builddir/tools/jumpcat
fixture_require "$JUMPCAT" timeout sha256sum
fixture_tmpdir
head -c 64M /dev/urandom >"$T_TMP/in"
want=$(sha256sum <"$T_TMP/in")

fixture_tcpserv echo
PECHO=$TCPSERV_PORT
fixture_tcpserv sink -f "$T_TMP/sink.out"
PSINK=$TCPSERV_PORT
fixture_tcpserv source -f "$T_TMP/in"
PSRC=$TCPSERV_PORT
fixture_tcpserv echo -6
PECHO6=$TCPSERV_PORT
plan 11

timeout 120 "$JUMPCAT" 127.0.0.1 "$PECHO" <"$T_TMP/in" >"$T_TMP/out" 2>"$T_TMP/err"
is_int 0 $? "echo: exit 0"
is "$want" "$(sha256sum <"$T_TMP/out")" "echo: 64 MiB came back unchanged"
is "" "$(<"$T_TMP/err")" "echo: nothing on stderr"

timeout 120 "$JUMPCAT" 127.0.0.1 "$PSINK" <"$T_TMP/in" >"$T_TMP/out"
is_int 0 $? "sink: exit 0"
is "$want" "$(sha256sum <"$T_TMP/sink.out")" "sink: the server got 64 MiB unchanged"
is_int 0 "$(stat -c %s "$T_TMP/out")" "sink: nothing on stdout"

timeout 120 "$JUMPCAT" 127.0.0.1 "$PSRC" </dev/null >"$T_TMP/out"
is_int 0 $? "source: exit 0"
is "$want" "$(sha256sum <"$T_TMP/out")" "source: 64 MiB arrived unchanged"

# The same echo through IPv6 and a pipe on both sides (no regular files).
# shellcheck disable=SC2002 # the pipe is the point
cat "$T_TMP/in" | timeout 120 "$JUMPCAT" ::1 "$PECHO6" | cat >"$T_TMP/out"
st=("${PIPESTATUS[@]}")
is_int 0 "${st[1]}" "echo over ::1 through pipes: exit 0"
is "$want" "$(sha256sum <"$T_TMP/out")" "echo over ::1 through pipes: unchanged"
is_int 0 "${st[0]}${st[2]}" "echo over ::1 through pipes: cat ends fine"

done_testing
