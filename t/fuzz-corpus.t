#!/bin/bash
# fuzz-corpus.t: every fuzz harness replays its whole corpus (seeds, what
# fuzzing runs kept under found/, and any input that once crashed) through
# t/fuzz/NAME-replay, the harness linked without libFuzzer.  In CI's
# sanitizer pass a crash, leak or undefined behaviour on any input fails it.
# Also: every harness has a corpus and a replay program, so a new parser's
# harness cannot be added without them.
# SPDX-License-Identifier: MIT
# shellcheck source=t/tap/libtap.sh
. "$top_srcdir/t/tap/libtap.sh"
# shellcheck source=t/tap/fixtures.sh
. "$top_srcdir/t/tap/fixtures.sh"

plan_lazy
FUZZDIR=$top_srcdir/t/fuzz
harnesses=()
for src in "$FUZZDIR"/*-fuzz.c; do
	name=${src##*/}
	harnesses+=("${name%-fuzz.c}")
done
ok "there are fuzz harnesses (${#harnesses[@]})" test "${#harnesses[@]}" -ge 12

for name in "${harnesses[@]}"; do
	corpus=$FUZZDIR/corpus/$name
	replay=$top_builddir/t/fuzz/$name-replay
	n=$(find "$corpus" -type f 2>/dev/null | wc -l)
	ok "$name: has a seed corpus in t/fuzz/corpus/$name" test "$n" -gt 0
	if [[ ! -x $replay ]]; then
		ok "$name: t/fuzz/$name-replay is built (t/local.mk FUZZ_REPLAYS)" false
		continue
	fi
	run "$replay" "$corpus"
	is "0:$n" "$RUN_RC:$RUN_OUT" "$name: all $n corpus inputs replayed cleanly" ||
		diag "$(tail -n 20 <<<"$RUN_ERR")"
done

# The replay reports what it could not read rather than passing over it.
run "$top_builddir/t/fuzz/range-replay" "$FUZZDIR/corpus/range" /nonexistent
is_int 1 "$RUN_RC" "an unreadable corpus path fails the replay (exit 1)"
like "/nonexistent: No such file" "$RUN_ERR" "... naming it"
done_testing
