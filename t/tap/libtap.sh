# libtap.sh: a tiny TAP producer for hopkit's bash integration tests (t/*.t).
# SPDX-License-Identifier: MIT
#
# Source it, call `plan N` (or `plan_lazy`), run checks, end with
# `done_testing`.  Output is TAP on stdout for Automake's tap-driver.sh.
#
#   ok "desc" CMD [ARG...]     pass if CMD exits 0 (its stdout goes to stderr)
#   is "wanted" "seen" "desc"  string equality
#   is_int WANTED SEEN "desc"  integer equality
#   like "regex" "seen" "desc" bash =~ (ERE) match
#   skip "reason"              one test reported as skipped
#   skip_all "reason"          skip the whole file (only before any test)
#   diag "text"                "# text" lines (multi-line text is fine)
#   bail "reason"              "Bail out!" and exit 255
#   done_testing               print a lazy plan; exit 1 if anything failed
#   run CMD [ARG...]           run CMD, set RUN_RC, RUN_OUT, RUN_ERR, RUN_MS
#
# A failing check prints what was wanted and what was seen as "#" lines.
# shellcheck disable=SC2034 # the variables set here are for the caller

TAP_LOADED=1
TAP_RUN=0
TAP_FAILED=0
TAP_PLANNED=
TAP_LAZY=

# plan N: announce N tests.
plan() {
	TAP_PLANNED=$1
	echo "1..$1"
}

# plan_lazy: print the plan at done_testing from the number of tests run.
plan_lazy() {
	TAP_LAZY=1
}

# diag TEXT...: print each TEXT (each line of it) as a TAP comment line.
diag() {
	local text line
	for text in "$@"; do
		while IFS= read -r line; do
			echo "# $line"
		done <<<"$text"
	done
}

# tap__result PASSED DESC: print one "ok"/"not ok" line; return PASSED's status.
# DESC is kept on that one line (a newline from a value in it would start a
# line the TAP reader could take for a result of its own), and a "#" in it
# is escaped so that it cannot read as a SKIP or TODO directive.
tap__result() {
	local desc=${2//[$'\n\r']/ }
	desc=${desc//#/\\#}
	TAP_RUN=$((TAP_RUN + 1))
	if [[ $1 == 0 ]]; then
		echo "ok $TAP_RUN - $desc"
		return 0
	fi
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_RUN - $desc"
	return 1
}

# ok DESC CMD [ARG...]: run CMD; pass if it exits 0.
ok() {
	local desc=$1 rc=0
	shift
	"$@" >&2 || rc=$?
	tap__result "$rc" "$desc" || { diag "  command failed (exit $rc): $*"; return 1; }
}

# is WANTED SEEN DESC: pass if the two strings are equal.
is() {
	local rc=0
	[[ $1 == "$2" ]] || rc=1
	tap__result "$rc" "$3" || { diag "  wanted: $1" "  seen:   $2"; return 1; }
}

# is_int WANTED SEEN DESC: pass if the two integers are equal.
is_int() {
	local rc=0
	[[ $2 =~ ^-?[0-9]+$ ]] && (($1 == $2)) || rc=1
	tap__result "$rc" "$3" || { diag "  wanted: $1" "  seen:   $2"; return 1; }
}

# like REGEX SEEN DESC: pass if SEEN matches the extended regex REGEX.
like() {
	local rc=0
	[[ $2 =~ $1 ]] || rc=1
	tap__result "$rc" "$3" || { diag "  wanted match: $1" "  seen:   $2"; return 1; }
}

# unlike REGEX SEEN DESC: pass when SEEN does not match the bash regex.
unlike() {
	local rc=0
	[[ $2 =~ $1 ]] && rc=1
	tap__result "$rc" "$3" || { diag "  wanted no match: $1" "  seen:   $2"; return 1; }
}

# skip REASON: report one test as skipped.
skip() {
	TAP_RUN=$((TAP_RUN + 1))
	echo "ok $TAP_RUN # skip $1"
}

# skip_all REASON: skip the whole file; after a test ran, bail out instead.
skip_all() {
	if ((TAP_RUN > 0)); then
		bail "cannot skip after $TAP_RUN tests ran: $1"
	fi
	echo "1..0 # SKIP $1"
	exit 0
}

# bail REASON: stop the whole test file.
bail() {
	echo "Bail out! $1"
	exit 255
}

# done_testing: print the lazy plan, check the count, exit 0 only if all passed.
done_testing() {
	if [[ -n $TAP_LAZY ]]; then
		echo "1..$TAP_RUN"
	elif [[ $TAP_PLANNED != "$TAP_RUN" ]]; then
		diag "planned $TAP_PLANNED tests but ran $TAP_RUN"
		exit 1
	fi
	if ((TAP_FAILED > 0)); then
		diag "failed $TAP_FAILED of $TAP_RUN tests"
		exit 1
	fi
	exit 0
}

# run CMD [ARG...]: run CMD (stdin as given to run); set RUN_RC (exit
# status), RUN_OUT and RUN_ERR (stdout and stderr, final newlines stripped)
# and RUN_MS (wall time in milliseconds).  For small outputs only.
run() {
	local out err t0
	out=$(mktemp) || bail "run: mktemp failed"
	err=$(mktemp) || bail "run: mktemp failed"
	t0=$(tap_now_ms)
	RUN_RC=0
	"$@" >"$out" 2>"$err" || RUN_RC=$?
	RUN_MS=$(($(tap_now_ms) - t0))
	RUN_OUT=$(<"$out")
	RUN_ERR=$(<"$err")
	rm -f -- "$out" "$err"
}

# tap_now_ms: print the wall clock in milliseconds, for timing bounds.
tap_now_ms() {
	local us=${EPOCHREALTIME//[!0-9]/}
	echo $((us / 1000))
}
