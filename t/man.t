#!/bin/bash
# t/man.t: the manual pages are lint-clean and agree with the tools' --help.
# SPDX-License-Identifier: MIT
#
# For every man/*.1 and man/*.7, `mandoc -Tlint` must print nothing (apart
# from notes about the machine's own manual database, see lint_page).  For
# every man/NAME.1 whose tool tools/NAME is built, each option that
# `tools/NAME --help` prints must appear as an .Fl in the page, and each .Fl
# in the page must appear in --help.  Self-contained TAP; the plan is printed
# at the end.  Without mandoc the lint tests skip, except under CI=true where
# a missing dependency is a failure.  Reads top_srcdir and top_builddir (set
# by `make check`; derived from this file's location when run by hand).

set -u
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(dirname "$here")}
top_builddir=${top_builddir:-$top_srcdir}

n=0
failed=0

# ok COND DESCRIPTION: print one TAP result; COND is an exit status (0 = ok).
ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}

# skip DESCRIPTION: print one skipped TAP result.
skip() {
	n=$((n + 1))
	echo "ok $n # skip $1"
}

# diag TEXT...: print TAP diagnostics, one "# " line per input line.
diag() {
	printf '%s\n' "$@" | sed 's/^/# /'
}

# lint_page FILE: run mandoc -Tlint on FILE; succeed if it prints nothing.
# What it printed is left in lint_out.  Cross-reference notes ("outdated mandoc.db lacks ssh(1) entry", "referenced
# manual not found") depend on which manuals this machine has indexed, not
# on the page, so they are dropped.
lint_page() {
	lint_out=$(mandoc -Tlint "$1" 2>&1 |
		grep -v -e 'mandoc\.db lacks' -e 'referenced manual not found')
	[ -z "$lint_out" ]
}

# split_opts: read option words on stdin, one a line ("-46v", "--fdpass"),
# and print single options, one a line, sorted and unique.  A single-dash
# word is a bundle of one-letter options; a double-dash word is one option.
split_opts() {
	awk '
		/^--/ { print; next }
		/^-/  { for (i = 2; i <= length($0); i++)
				print "-" substr($0, i, 1); next }
	' | sort -u
}

# help_opts TOOL: the options that `TOOL --help` mentions, via split_opts.
# An option is a word that starts with - or -- after a space, a comma, a
# bracket, a bar or the start of a line; hyphenated prose ("non-zero") is
# not picked up.
help_opts() {
	"$1" --help 2>&1 |
		grep -oE '(^|[][ ,|(])--?[A-Za-z0-9][-A-Za-z0-9]*' |
		sed 's/^[^-]*//' | split_opts
}

# man_opts PAGE: the options a mdoc PAGE names with the Fl macro, via
# split_opts.  "Fl 46v" is -4 -6 -v, "Fl -fdpass" is --fdpass, and in
# "Fl h | -help" or "It Fl v , Fl -verbose" every word up to the next macro
# belongs to Fl; delimiters are skipped.
man_opts() {
	awk '
		/^\.\\"/ { next }
		/^\./ {
			sub(/^\./, "")
			infl = 0
			for (i = 1; i <= NF; i++) {
				w = $i
				if (w == "Fl") { infl = 1; continue }
				if (w ~ /^[A-Z][a-z][a-z]?$/) { infl = 0; continue }
				if (!infl || w ~ /^[][|,.;:()]$/) continue
				sub(/[,.;:)]+$/, "", w)
				if (w != "") print "-" w
			}
		}
	' "$1" | split_opts
}

# --- lint -----------------------------------------------------------------
pages=$(ls "$top_srcdir"/man/*.1 "$top_srcdir"/man/*.7 2>/dev/null)
if [ -z "$pages" ]; then
	ok 1 "manual pages exist in $top_srcdir/man"
fi
have_mandoc=0
command -v mandoc >/dev/null 2>&1 && have_mandoc=1
for page in $pages; do
	name=${page#"$top_srcdir"/}
	if [ $have_mandoc -eq 1 ]; then
		lint_page "$page"
		ok $? "mandoc -Tlint $name is clean"
		[ -z "$lint_out" ] || diag "$lint_out"
	elif [ "${CI:-}" = true ]; then
		ok 1 "mandoc -Tlint $name (mandoc not installed; required in CI)"
	else
		skip "mandoc -Tlint $name: mandoc not installed"
	fi
done

# --- --help and the page agree --------------------------------------------
for page in "$top_srcdir"/man/*.1; do
	[ -f "$page" ] || continue
	tool=$(basename "$page" .1)
	bin=$top_builddir/tools/$tool
	name=${page#"$top_srcdir"/}
	if [ ! -x "$bin" ]; then
		# A page without its tool: only an error for tools that exist in
		# the source tree.
		if [ -f "$top_srcdir/tools/$tool.c" ]; then
			ok 1 "tools/$tool is built (needed to compare with $name)"
		fi
		continue
	fi
	# A monitoring plugin exits 3 (UNKNOWN) after --help, as the
	# monitoring-plugins do; the other tools exit 0.
	want=0
	[ "$tool" = tunnelcheck ] && want=3
	"$bin" --help >/dev/null 2>&1
	[ $? -eq "$want" ]
	ok $? "tools/$tool --help exits $want"
	hopts=$(help_opts "$bin")
	mopts=$(man_opts "$page")
	if [ -z "$hopts" ]; then
		ok 1 "tools/$tool --help lists options"
		continue
	fi
	for o in $hopts; do
		grep -qxF -e "$o" <<<"$mopts"
		ok $? "$tool: $o from --help is in $name"
	done
	for o in $mopts; do
		grep -qxF -e "$o" <<<"$hopts"
		ok $? "$tool: $o from $name is in --help"
	done
done

echo "1..$n"
[ $failed -eq 0 ]
