#!/bin/bash
# install.t: make install puts exactly the expected files where the
# configured directories say, under DESTDIR: the three tools, their manual
# pages (and hopkit.7), the bash and zsh completions, the examples (ssh_config, fwdpipe's instance file, the Nagios and
# Icinga 2 definitions) and the systemd unit, whose ExecStart names the
# installed fwdpipe.  The installed tools run and print the configured
# version.  make uninstall takes everything away again.
# SPDX-License-Identifier: MIT

. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"

fixture_require make find comm
fixture_tmpdir
plan_lazy

# The directories, as configure set them (prefix already expanded by make).
eval "$(make -s --no-print-directory -C "$top_builddir" print-install-dirs |
	grep -E "^[a-z0-9]+dir='[^']*'\$")"
for d in bindir man1dir man7dir examplesdir bashcompletiondir zshcompletiondir \
	systemdsystemunitdir; do
	like "^/" "${!d}" "$d is an absolute path (${!d})"
done

root=$T_TMP/root
run make -s --no-print-directory -C "$top_builddir" install DESTDIR="$root"
is_int 0 "$RUN_RC" "make install DESTDIR=... succeeds" || diag "$RUN_ERR"

expected=$(printf '%s\n' \
	"$bindir/fwdpipe" "$bindir/jumpcat" "$bindir/tunnelcheck" \
	"$man1dir/fwdpipe.1" "$man1dir/jumpcat.1" "$man1dir/tunnelcheck.1" \
	"$examplesdir/fwdpipe.conf.example" "$examplesdir/ssh_config.example" \
	"$examplesdir/tunnelcheck.cfg" "$examplesdir/tunnelcheck.conf" \
	"$examplesdir/authorized-keys-line" \
	"$man7dir/hopkit.7" "$systemdsystemunitdir/fwdpipe@.service" \
	"$bashcompletiondir/jumpcat" "$bashcompletiondir/fwdpipe" \
	"$bashcompletiondir/tunnelcheck" "$zshcompletiondir/_hopkit" | sort)
seen=$(cd "$root" && find . \( -type f -o -type l \) | sed 's|^\.||' | sort)
is "$seen" "$expected" "exactly the expected files are installed" ||
	diag "extra: $(comm -13 <(echo "$expected") <(echo "$seen"))" \
		"missing: $(comm -23 <(echo "$expected") <(echo "$seen"))"

version=$(sed -n 's/^PACKAGE_VERSION = //p' "$top_builddir/Makefile")
for tool in jumpcat fwdpipe tunnelcheck; do
	ok "$tool is executable" test -x "$root$bindir/$tool"
	like "^$tool \\(hopkit\\) $version\$" "$("$root$bindir/$tool" --version 2>&1)" \
		"the installed $tool runs and prints the configured version ($version)"
done

# bash-completion loads completions/NAME: one file, two links to it.
for t in fwdpipe tunnelcheck; do
	is "$(readlink "$root$bashcompletiondir/$t")" jumpcat \
		"the bash completion for $t is a symlink to jumpcat's"
done
cmp -s "$top_srcdir/contrib/completion/hopkit.bash" "$root$bashcompletiondir/jumpcat"
is_int 0 $? "the bash completion installed as jumpcat is contrib/completion/hopkit.bash"

ok "authorized-keys-line is installed executable" \
	test -x "$root$examplesdir/authorized-keys-line"

unit=$root$systemdsystemunitdir/fwdpipe@.service
is "$(grep -c '^ExecStart=' "$unit")" 1 "the installed unit has one ExecStart"
like "^ExecStart=$bindir/fwdpipe " "$(grep '^ExecStart=' "$unit")" \
	"... which starts the installed fwdpipe"

run make -s --no-print-directory -C "$top_builddir" uninstall DESTDIR="$root"
is_int 0 "$RUN_RC" "make uninstall succeeds"
is "$(cd "$root" && find . \( -type f -o -type l \))" "" "... and leaves no file behind"

done_testing
