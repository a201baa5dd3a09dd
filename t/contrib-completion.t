#!/bin/bash
# contrib-completion.t: the shell completions in contrib/completion/ offer
# what the tools accept, and their option lists cannot drift from --help.
# contrib/completion/hopkit.bash is sourced into a fresh bash (once on its
# own, once after bash-completion's bash_completion when that is
# installed) and its completion function is called as bash calls it, with
# COMP_WORDS, COMP_CWORD, COMP_LINE and COMP_POINT set: options of each
# tool, hosts from an ssh_config (with an Include) and a known_hosts under
# HOME=$T_TMP, -J lists, --format and state words, -x schemes, files.
# Completing "TOOL -" must give exactly the options `tools/TOOL --help`
# prints (read as t/man.t reads them), and the options the file says take
# an argument must be those the tool says "needs an argument" for.  With
# bash-completion, loading by command name from completions/NAME (the
# installed layout: jumpcat, with fwdpipe and tunnelcheck symlinked to it)
# registers the completion.  contrib/completion/_hopkit passes `zsh -n`,
# compinit picks it up for the three tools, and an interactive zsh on a
# pty (zsh/zpty) completes options, hosts and words with it.  Without
# bash-completion or zsh those parts skip, except under CI=true.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016 # the bash and zsh snippets expand in their shells

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"

BASHCOMP=$top_srcdir/contrib/completion/hopkit.bash
ZSHCOMP=$top_srcdir/contrib/completion/_hopkit
BASH_COMPLETION=/usr/share/bash-completion/bash_completion # Debian package bash-completion
TOOLS=(jumpcat fwdpipe tunnelcheck)
export LC_ALL=C
fixture_require "$top_builddir/tools/jumpcat" "$top_builddir/tools/fwdpipe" \
	"$top_builddir/tools/tunnelcheck" awk
fixture_tmpdir
plan_lazy

# optional WHAT PACKAGE PRESENT: succeed if PRESENT is 0; else report
# WHAT as skipped, or as failed under CI=true, and return 1.
optional() {
	[[ $3 == 0 ]] && return 0
	case ${CI-} in
	true | 1 | yes) ok "$1 (needs the Debian package $2)" false ;;
	*) skip "$1: the Debian package $2 is not installed" ;;
	esac
	return 1
}

# help_opts TOOL: the options `tools/TOOL --help` names, one a line,
# bundles such as -46v split, sorted (as t/man.t's help_opts reads them).
help_opts() {
	"$top_builddir/tools/$1" --help 2>&1 |
		grep -oE '(^|[][ ,|(])--?[A-Za-z0-9][-A-Za-z0-9]*' |
		sed 's/^[^-]*//' |
		awk '/^--/ { print; next }
			{ for (i = 2; i <= length($0); i++) print "-" substr($0, i, 1) }' |
		sort -u
}

# --- the test's HOME, files and stand-ins ---------------------------------
# Hosts: alpha, beta, gamma (not the pattern *.wild) from ~/.ssh/config,
# delta and epsilon from files it Includes, plain.example.org, 192.0.2.7
# and portly from known_hosts; its hashed line, the @cert-authority
# pattern and the negated !neg must not show up.
mkdir -p "$T_TMP/.ssh/config.d" "$T_TMP/files/sub" "$T_TMP/bin"
cat >"$T_TMP/.ssh/config" <<'EOF'
# hopkit completion test
Host alpha beta *.wild
	HostName 127.0.0.1
Host=gamma !neg
Include config.d/*.conf
Include ~/.ssh/more
EOF
echo 'Host delta' >"$T_TMP/.ssh/config.d/extra.conf"
echo 'Host epsilon' >"$T_TMP/.ssh/more"
cat >"$T_TMP/.ssh/known_hosts" <<'EOF'
plain.example.org,192.0.2.7 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl
|1|F1E1KeoE/eEWhi10WpGv4OdiO6Y=|3988QV0VE8wmZL7suNrYQLITLCg= ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl
[portly]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl
@cert-authority *.ca.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl
EOF
touch "$T_TMP/files/conf-a" "$T_TMP/files/conf-b" "$T_TMP/files/key"
# Completing must run nothing: not the tools, not ssh (ssh -G is slow).
for c in ssh "${TOOLS[@]}"; do
	printf '#!/bin/sh\necho "%s $*" >>"%s/ran"\n' "$c" "$T_TMP" >"$T_TMP/bin/$c"
	chmod +x "$T_TMP/bin/$c"
done

# The bash side: comp_bash LOADBC LINE... runs one fresh bash that sources
# bash_completion first when LOADBC is 1, then hopkit.bash, and completes
# each LINE (the cursor at its end) by calling the function `complete -p`
# names, as bash does.  Prints one line per LINE: the sorted COMPREPLY,
# space-separated.  COMP_WORDS is split as bash splits it: at blanks, and
# each run of COMP_WORDBREAKS characters is a word of its own.
COMP_DRIVER='
	(($1)) && . "$BASH_COMPLETION"
	. "$BASHCOMP"
	shift
	for line in "$@"; do
		COMP_WORDS=() w= wk=
		for ((i = 0; i < ${#line}; i++)); do
			c=${line:i:1} k=0
			[[ $COMP_WORDBREAKS == *"$c"* ]] && k=1
			if [[ $c == [[:space:]] || (-n $w && $k != "$wk") ]]; then
				[[ -n $w ]] && COMP_WORDS+=("$w")
				w=
			fi
			[[ $c == [[:space:]] ]] || w+=$c wk=$k
		done
		COMP_WORDS+=("$w")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE=$line COMP_POINT=${#line} COMP_TYPE=9 COMP_KEY=9
		spec=$(complete -p "${COMP_WORDS[0]}" 2>/dev/null)
		[[ $spec =~ -F\ ([^ ]+) ]] || { echo "(no complete -F for ${COMP_WORDS[0]})"; continue; }
		COMPREPLY=()
		"${BASH_REMATCH[1]}" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" \
			"${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " " | sed "s/ $//"
		echo
	done'
comp_bash() {
	HOME=$T_TMP PATH=$T_TMP/bin:$PATH BASH_COMPLETION=$BASH_COMPLETION \
		BASHCOMP=$BASHCOMP bash --norc --noprofile -c "$COMP_DRIVER" \
		comp "$@" 2>"$T_TMP/comp.err"
}

# check_bash LOADBC HOW: complete and check the bash cases, with
# bash_completion loaded first if LOADBC is 1; HOW names the run.
check_bash() {
	local loadbc=$1 how=$2 t f out i wb u j F=$T_TMP/files
	local -a lines=() wants=() descs=()
	# case_ LINE WANTED DESC: one completion to check.
	case_() { lines+=("$1") wants+=("$2") descs+=("$3 [$how]"); }
	# Readline replaces the text after the last COMP_WORDBREAKS character:
	# ":" and "@" in plain bash; bash_completion's `shopt -u hostcomplete`
	# takes "@" out.
	wb=$(bash --norc --noprofile -c '(($1)) && . "$2"; printf %s "$COMP_WORDBREAKS"' \
		x "$loadbc" "$BASH_COMPLETION")
	u=bob@ j=22,bob@
	[[ $wb == *@* ]] && u='' j=''
	case_ "jumpcat --pr" "--proxy-auth-file --proxy-cacert" "jumpcat --pr: both proxy options"
	case_ "fwdpipe --s" "--status-socket" "fwdpipe --s: --status-socket"
	case_ "tunnelcheck --ex" "--expect --expect-all --expect-timeout" "tunnelcheck --ex: the --expect options"
	case_ "tunnelcheck -" "$(help_opts tunnelcheck | sort | tr '\n' ' ' | sed 's/ $//')" \
		"tunnelcheck -: every option"
	case_ "jumpcat al" "alpha" "jumpcat's host: a Host of ~/.ssh/config"
	case_ "jumpcat de" "delta" "jumpcat's host: a Host of an Included file"
	case_ "jumpcat -w 5 pl" "plain.example.org" "jumpcat's host after -w 5: a plain known_hosts name"
	case_ "jumpcat -w pl" "" "nothing for -w's argument"
	case_ "jumpcat alpha " "" "nothing for jumpcat's port"
	case_ "jumpcat alpha 22 --v" "--verbose --version" "options after host and port"
	case_ "fwdpipe -L 1:a:2 bob@be" "${u}beta" "fwdpipe's user@host"
	case_ "fwdpipe -L 1:a:2 bob@por" "${u}portly" "a [host]:port known_hosts entry gives host"
	case_ "jumpcat -J bastion:22,bob@ga" "${j}gamma" "-J: the last host of a list"
	case_ "jumpcat -Jal" "-Jalpha" "-J with its argument attached"
	case_ "tunnelcheck -H al" "alpha" "tunnelcheck -H: hosts"
	case_ "tunnelcheck --hostname=be" "beta" "tunnelcheck --hostname=: hosts"
	case_ "tunnelcheck --format " "json nagios prometheus" "--format: its three words"
	case_ "tunnelcheck --format=p" "prometheus" "--format=p: prometheus"
	case_ "tunnelcheck --refuse-state " "critical ok unknown warning" "--refuse-state: the states"
	case_ "tunnelcheck --mismatch-state w" "warning" "--mismatch-state w: warning"
	case_ "tunnelcheck --timeout-state " "critical unknown" "--timeout-state: critical, unknown"
	case_ "jumpcat -x " "env http:// https:// socks4:// socks4a:// socks5:// socks5h://" \
		"-x: the URL schemes and env"
	case_ "tunnelcheck --proxy socks5" "socks5:// socks5h://" "--proxy socks5: two schemes"
	case_ "fwdpipe --pr" "" "fwdpipe has no proxy options"
	case_ "jumpcat -F $F/conf" "$F/conf-a $F/conf-b" "jumpcat -F: files"
	case_ "fwdpipe -i $F/k" "$F/key" "fwdpipe -i: files"
	case_ "tunnelcheck --status $F/s" "$F/sub" "tunnelcheck --status: directories too"
	case_ "tunnelcheck --proxy-cacert=$F/conf-" "$F/conf-a $F/conf-b" "--proxy-cacert=: files"
	for t in jumpcat fwdpipe; do
		case_ "$t -" "$(help_opts $t | sort | tr '\n' ' ' | sed 's/ $//')" "$t -: every option"
	done

	rm -f "$T_TMP/ran"
	out=$(comp_bash "$loadbc" "${lines[@]}")
	is "" "$(<"$T_TMP/comp.err")" "bash prints no errors while completing [$how]"
	for ((i = 0; i < ${#lines[@]}; i++)); do
		is "${wants[i]}" "$(sed -n "$((i + 1))p" <<<"$out")" "${descs[i]}"
	done
	is "" "$(cat "$T_TMP/ran" 2>/dev/null)" "completing ran neither ssh nor the tools [$how]"
	# Everything the host lists hold, and nothing that they must not.
	out=$(comp_bash "$loadbc" "jumpcat " "tunnelcheck -J ")
	for f in alpha beta gamma delta epsilon plain.example.org 192.0.2.7 portly; do
		like "(^| )${f//./\\.}( |$)" "$(head -1 <<<"$out")" "jumpcat's hosts hold $f [$how]"
	done
	unlike '\*|\||@|!|neg|ca\.example|\[' "$out" \
		"no patterns, negations, hashed names or markers in the hosts [$how]"
	is "$(head -1 <<<"$out")" "$(tail -1 <<<"$out")" "tunnelcheck -J offers the same hosts [$how]"
}

check_bash 0 "plain bash"

# --- drift: the argument-taking options are the tools' -------------------
for t in "${TOOLS[@]}"; do
	argopts=$(bash --norc -c '. "$1"; _hopkit_options "$2"; echo $argopts' x "$BASHCOMP" "$t")
	bad=
	nargs=0
	for o in $(help_opts "$t"); do
		msg=$(timeout 10 "$top_builddir/tools/$t" "$o" </dev/null 2>&1)
		takes=0
		[[ $msg == *"option $o needs an argument"* ]] && takes=1 nargs=$((nargs + 1))
		said=0
		[[ " $argopts " == *" $o "* ]] && said=1
		((takes == said)) || bad+=" $o(tool:$takes,completion:$said)"
	done
	ok "$t: some options need an argument ($nargs)" test "$nargs" -ge 5
	is "" "$bad" "$t: the completion's options with an argument are the tool's"
done

# --- with bash-completion: lazy loading by command name ------------------
[[ -r $BASH_COMPLETION ]]
if optional "bash-completion's helpers" bash-completion $?; then
	check_bash 1 "with bash_completion"
	dir=$T_TMP/data/bash-completion/completions
	mkdir -p "$dir"
	cp "$BASHCOMP" "$dir/jumpcat"
	ln -s jumpcat "$dir/fwdpipe"
	ln -s jumpcat "$dir/tunnelcheck"
	for t in "${TOOLS[@]}"; do
		run env HOME="$T_TMP" BASH_COMPLETION_USER_DIR="$T_TMP/data/bash-completion" \
			bash --norc --noprofile -c '
				. "$1"
				if declare -F _comp_load >/dev/null; then
					_comp_load -- "$2"
				else
					__load_completion "$2"
				fi
				complete -p "$2"' x "$BASH_COMPLETION" "$t"
		like "-F _hopkit $t\$" "$RUN_OUT" "bash-completion loads $t's completion from completions/$t"
	done
fi

# --- zsh --------------------------------------------------------------------
command -v zsh >/dev/null
if optional "zsh completion" zsh $?; then
	run zsh -n "$ZSHCOMP"
	is_int 0 "$RUN_RC" "zsh -n contrib/completion/_hopkit"
	[[ -z $RUN_ERR ]] || diag "$RUN_ERR"
	run zsh -f -c 'fpath=("$1" $fpath); autoload -Uz compinit; compinit -u -D
		print -r -- $_comps[jumpcat] $_comps[fwdpipe] $_comps[tunnelcheck]' \
		x "$(dirname "$ZSHCOMP")"
	is "_hopkit _hopkit _hopkit" "$RUN_OUT" "compinit takes _hopkit for the three tools"

	# An interactive zsh on a pty, with compadd wrapped to record what it
	# adds: each LINE is typed, then ^T (a widget that completes and
	# writes the matches to $T_TMP/z.N) and ^U (clears the line).
	cat >"$T_TMP/zdrive.zsh" <<'EOF'
zmodload zsh/zpty zsh/datetime || exit 2
dir=$1 out=$2
shift 2
zpty z 'zsh -f -i'
zpty -w z "fpath=(${(q)dir} \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z 'compadd() {
	(( ${@[(I)-[OAD]*]} )) && { builtin compadd "$@"; return; }
	local -a m; builtin compadd -O m "$@"; got+=("$m[@]"); builtin compadd "$@"; }'
zpty -w z "hk-list() { got=(); zle hk-complete
	print -rl -- \$got >${(q)out}.tmp; mv ${(q)out}.tmp ${(q)out}.\$((++hk_n)); }"
zpty -w z 'zle -C hk-complete complete-word _main_complete; zle -N hk-list'
zpty -w z 'bindkey "^T" hk-list; hk_n=0; PS1="<hk%(?.ok.no)>"'
buf= end=$((EPOCHREALTIME + 10))
while [[ $buf != *'<hkok>'* ]] && ((EPOCHREALTIME < end)); do
	zpty -rt z chunk && buf+=$chunk || sleep 0.05
done
[[ $buf == *'<hkok>'* ]] || { print -u2 "zdrive: no prompt: $buf"; exit 1; }
n=0
for line in "$@"; do
	n=$((n + 1))
	zpty -w -n z "$line"$'\x14\x15'
	end=$((EPOCHREALTIME + 10))
	while [[ ! -e $out.$n ]] && ((EPOCHREALTIME < end)); do sleep 0.05; done
done
zpty -d z
EOF
	zlines=("jumpcat --pr" "tunnelcheck --format " "tunnelcheck --timeout-state "
		"jumpcat -x " "jumpcat al" "fwdpipe bob@be" "jumpcat -J x,bob@ga"
		"tunnelcheck -H de" "fwdpipe ep" "jumpcat -F $T_TMP/files/conf-"
		"jumpcat -" "fwdpipe -" "tunnelcheck -")
	zwants=("--proxy-auth-file --proxy-cacert" "json nagios prometheus" "critical unknown"
		"env http:// https:// socks4:// socks4a:// socks5:// socks5h://"
		"alpha" "beta" "gamma" "delta" "epsilon" "$T_TMP/files/conf-a $T_TMP/files/conf-b")
	for t in "${TOOLS[@]}"; do
		zwants+=("$(help_opts "$t" | sort | tr '\n' ' ' | sed 's/ $//')")
	done
	run env HOME="$T_TMP" PATH="$T_TMP/bin:$PATH" timeout 60 \
		zsh -f "$T_TMP/zdrive.zsh" "$(dirname "$ZSHCOMP")" "$T_TMP/z" "${zlines[@]}"
	is_int 0 "$RUN_RC" "zsh on a pty completed ${#zlines[@]} lines"
	[[ -z $RUN_ERR ]] || diag "$RUN_ERR"
	for ((i = 0; i < ${#zlines[@]}; i++)); do
		seen=$(sort -u "$T_TMP/z.$((i + 1))" 2>/dev/null | tr '\n' ' ' | sed 's/ $//')
		# Files come back as names within their directory.
		[[ ${zlines[i]} == *-F* ]] && seen=${seen//conf-/$T_TMP/files/conf-}
		is "${zwants[i]}" "$seen" "zsh: ${zlines[i]}"
	done
fi

done_testing
