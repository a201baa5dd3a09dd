# shellcheck shell=bash
# readme.sh: what the walk-through tests (t/walkthrough-*.t) check of
# README.md before they run its commands: that its ssh_config blocks and
# command lines are there word for word, so that text and test cannot drift.
# Source after libtap.sh.  WALKTHROUGH_README=FILE checks another file.
# SPDX-License-Identifier: MIT

README=${WALKTHROUGH_README:-$top_srcdir/README.md}
README_TEXT=$(<"$README") || bail "cannot read $README"

# readme_cmd CMD: print the line of the README that is CMD (or, for CMD
# ending in "SHA256:", starts with it), after an optional prompt ("$ ",
# "laptop$ ", "# "), without the prompt and any trailing "  # comment".
# Fails if there is none.
readme_cmd() {
	local l
	while IFS= read -r l; do
		[[ $l =~ ^[a-z]*[\$#]\ (.*)$ ]] && l=${BASH_REMATCH[1]}
		l=${l%%  *#*}
		if [[ $l == "$1" || ($1 == *SHA256: && $l == "$1"*) ]]; then
			printf '%s\n' "$l"
			return 0
		fi
	done <<<"$README_TEXT"
	return 1
}

# readme_block DESC BLOCK: one test, that the README holds BLOCK (lines of
# ssh_config or sshd_config) as it is; BLOCK is shown when it does not.
readme_block() {
	if [[ $README_TEXT == *"$2"* ]]; then
		ok "README: $1" true
	else
		ok "README: $1" false
		diag "$2"
	fi
}
