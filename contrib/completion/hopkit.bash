# hopkit.bash: bash completion for hopkit's jumpcat, fwdpipe and tunnelcheck.
# SPDX-License-Identifier: MIT
#
# Completes the options of each tool (short and long), and their arguments
# where a list helps: files (-F, -i, --proxy-auth-file, --proxy-cacert,
# --cacert, --status, --status-socket), host names (jumpcat's host,
# fwdpipe's [user@]host, -J's comma-separated [user@]host list,
# tunnelcheck -H), proxy URL schemes (-x), user names (-l), and the fixed
# words of tunnelcheck's --format and --*-state options.  Host names are the
# Host entries without wildcards in ~/.ssh/config and /etc/ssh/ssh_config
# (and the files they Include), and the plain (not hashed) names in the
# user's and the system's known_hosts; the files are read at each
# completion, without running ssh.
#
# The option lists are written out here, so that completing needs neither
# the tools nor a run of them; t/contrib-completion.t checks that they are
# exactly what each tool's --help prints, and that the options said to take
# an argument are those the tool wants one for.  Needs bash 4.3 and nothing
# from the bash-completion package (it works with it loaded, too).
#
# Installed once as $(bashcompdir)/jumpcat, with fwdpipe and tunnelcheck as
# symlinks to it: bash-completion loads a command's completion on first use
# from completions/NAME, and whichever name it sources registers all three.
# By hand: `. contrib/completion/hopkit.bash` in ~/.bashrc.

# _hopkit_options TOOL: set the caller's `opts` to TOOL's options,
# `argopts` to those of them that take an argument (both space-separated)
# and `operands` to how many operands TOOL takes (jumpcat host port).
_hopkit_options() {
	case $1 in
	jumpcat)
		opts='-4 -6 -F -J -V -h -o -v -w -x --alpn --cacert --fdpass
		      --help --insecure --proxy-auth-file --proxy-cacert --sni
		      --tls --verbose --version'
		argopts='-F -J -o -w -x --alpn --cacert --proxy-auth-file
		      --proxy-cacert --sni'
		operands=2 ;;
	fwdpipe)
		opts='-4 -6 -D -F -J -L -N -R -T -V -f -g -h -i -l -n -o -p -v
		      -y --help --permit-open --status-socket --version'
		argopts='-D -F -J -L -R -i -l -o -p --permit-open
		      --status-socket'
		operands=1 ;;
	tunnelcheck)
		local phases='resolve connect hop banner kex auth expect' p
		opts='-4 -6 -F -H -J -V -c -h -i -l -o -p -t -v -w -x
		      --config --critical --expect --expect-all --expect-timeout
		      --format --help --hostkey --hostkey-alg --hostname
		      --identity --jump --login --maxbytes --mismatch-state
		      --option --port --proxy --proxy-auth-file --proxy-cacert
		      --reconnect-window --refuse-state --send --ssh
		      --ssh-version --status --timeout --timeout-state --user
		      --verbose --version --warning'
		argopts='-F -H -J -c -i -l -o -p -t -w -x --config --critical
		      --expect --expect-timeout --format --hostkey --hostkey-alg
		      --hostname --identity --jump --maxbytes --mismatch-state
		      --option --port --proxy --proxy-auth-file --proxy-cacert
		      --reconnect-window --refuse-state --send --ssh-version
		      --status --timeout --timeout-state --user --warning'
		for p in $phases; do
			opts+=" --warning-$p --critical-$p"
			argopts+=" --warning-$p --critical-$p"
		done
		operands=0 ;;
	*)
		opts='' argopts='' operands=0 ;;
	esac
}

# _hopkit_takesarg OPT: succeed if OPT is in the caller's argopts.
_hopkit_takesarg() {
	[[ " ${argopts//[[:space:]]/ } " == *" $1 "* ]]
}

# _hopkit_split WORD: if the option word WORD holds an option that takes
# an argument (-F, -vJ, --format, --format=json), set the caller's `need`
# to that option, and `val` to the argument when WORD carries it ("-Ffile",
# "--format=json"), with `has_val` set to 1.  Reads the caller's argopts.
_hopkit_split() {
	local w=$1 i c
	need='' val='' has_val=''
	case $w in
	--*=*)
		c=${w%%=*}
		_hopkit_takesarg "$c" || return 0
		need=$c val=${w#*=} has_val=1 ;;
	--*)
		_hopkit_takesarg "$w" && need=$w ;;
	-?*)
		for ((i = 1; i < ${#w}; i++)); do
			c=-${w:i:1}
			_hopkit_takesarg "$c" || continue
			need=$c
			if ((i + 1 < ${#w})); then
				val=${w:i+1} has_val=1
			fi
			break
		done ;;
	esac
	return 0
}

# _hopkit_config_hosts FILE DIR DEPTH: print the Host names without
# wildcards or negations in the ssh_config FILE and in the files it
# Includes (DEPTH deep so far; relative Include paths are taken from DIR,
# as ssh takes them from ~/.ssh or /etc/ssh).
_hopkit_config_hosts() {
	local file=$1 dir=$2 depth=$3 key rest w f
	local -a words
	[[ -r $file && -f $file ]] && ((depth < 16)) || return 0
	while IFS=$' \t=' read -r key rest; do
		read -ra words <<<"$rest"
		case ${key,,} in
		host)
			for w in "${words[@]}"; do
				w=${w//\"/}
				[[ -n $w && $w != *[*?!]* ]] && printf '%s\n' "$w"
			done ;;
		include)
			for w in "${words[@]}"; do
				case $w in
				\~/*) w=$HOME/${w#\~/} ;;
				/*) ;;
				*) w=$dir/$w ;;
				esac
				while IFS= read -r f; do
					_hopkit_config_hosts "$f" "$dir" $((depth + 1))
				done < <(compgen -G "$w")
			done ;;
		esac
	done <"$file"
}

# _hopkit_hosts: print the host names to offer, sorted and unique: from
# the ssh_config files (see _hopkit_config_hosts) and from the plain
# entries of the known_hosts files ("[host]:port" gives host; hashed
# entries, markers and patterns are left out).
_hopkit_hosts() {
	{
		_hopkit_config_hosts "$HOME/.ssh/config" "$HOME/.ssh" 0
		_hopkit_config_hosts /etc/ssh/ssh_config /etc/ssh 0
		local f
		for f in "$HOME/.ssh/known_hosts" "$HOME/.ssh/known_hosts2" \
			/etc/ssh/ssh_known_hosts /etc/ssh/ssh_known_hosts2; do
			[[ -r $f ]] || continue
			awk '
				/^[ \t]*(#|$)/ { next }
				{ f = $1; if (f ~ /^@/) f = $2 }
				f ~ /^\|/ { next }
				{
					n = split(f, a, ",")
					for (i = 1; i <= n; i++) {
						h = a[i]
						if (h ~ /^\[/) {
							sub(/^\[/, "", h)
							sub(/\]:[0-9]+$/, "", h)
						}
						if (h != "" && h !~ /[][*?!]/) print h
					}
				}' "$f"
		done
	} 2>/dev/null | sort -u
}

# _hopkit_values TOOL OPT VAL: add to the caller's `cands` the arguments
# of TOOL's option OPT that start with VAL; set the caller's `files` to 1
# for file names, `nospace` to 1 when a candidate is not a whole word yet.
_hopkit_values() {
	local tool=$1 opt=$2 val=$3 w
	local -a words=()
	case $tool:$opt in
	*:-F | *:--config | *:-i | *:--identity | *:--proxy-auth-file | \
	*:--proxy-cacert | *:--cacert | *:--status | *:--status-socket)
		files=1
		mapfile -t -O "${#cands[@]}" cands < <(compgen -f -- "$val")
		return ;;
	*:-J | *:--jump)
		_hopkit_hostvalues "$val" , ;;
	tunnelcheck:-H | tunnelcheck:--hostname)
		_hopkit_hostvalues "$val" "" ;;
	*:-l | *:--user)
		mapfile -t -O "${#cands[@]}" cands < <(compgen -u -- "$val") ;;
	*:-x | *:--proxy)
		words=(http:// https:// socks4:// socks4a:// socks5:// socks5h:// env)
		nospace=1 ;;
	tunnelcheck:--format)
		words=(nagios json prometheus) ;;
	tunnelcheck:--refuse-state | tunnelcheck:--mismatch-state)
		words=(ok warning critical unknown) ;;
	tunnelcheck:--timeout-state)
		words=(critical unknown) ;;
	esac
	for w in "${words[@]}"; do
		[[ $w == "$val"* ]] && cands+=("$w")
	done
	# A scheme wants its host next; only a lone "env" is a whole word.
	[[ ${#cands[@]} == 1 && ${cands[0]} == env ]] && nospace=
	return 0
}

# _hopkit_hostvalues VAL SEP: add to the caller's `cands` the host names
# that complete VAL, a [user@]host, or with SEP "," the last element of a
# comma-separated list of them; what precedes the host name is kept.
_hopkit_hostvalues() {
	local val=$1 lead='' out
	local -a hosts
	if [[ -n $2 && $val == *"$2"* ]]; then
		lead=${val%"$2"*}$2
		val=${val##*"$2"}
	fi
	if [[ $val == *@* ]]; then
		lead+=${val%@*}@
		val=${val##*@}
	fi
	# (mapfile reads a pipe a byte at a time; a here-string is quicker.)
	out=$(_hopkit_hosts | P=$val awk 'index($0, ENVIRON["P"]) == 1')
	[[ -n $out ]] || return 0
	mapfile -t hosts <<<"$out"
	cands+=("${hosts[@]/#/"$lead"}")
}

# _hopkit TOOL: the completion function (complete -F) of the three tools.
# The word being completed and the words before it are taken from
# COMP_LINE up to COMP_POINT, split at blanks only (a backslash escapes a
# blank; quotes are not parsed), so that "--format=j" and "user@host:22,al"
# are whole words although bash's COMP_WORDS breaks them at = @ and :; each
# candidate is then cut to the part after the last break character, the
# part that readline replaces.
_hopkit() {
	local tool=${1##*/} line cur opts argopts need val has_val
	local operands pending='' after='' npos=0 prefix='' files='' nospace=''
	local brk='' listopts='' i c w
	local -a toks cands=()
	_hopkit_options "$tool"
	[[ -n $opts ]] || return 0
	line=${COMP_LINE:0:COMP_POINT}
	# Without -r, read takes "a\ b" as one word "a b", as the shell does.
	# shellcheck disable=SC2162
	read -a toks <<<"$line"
	if [[ -z $line || ($line == *[[:space:]] && $line != *\\[[:space:]]) ]]; then
		cur=
	else
		cur=${toks[-1]}
		unset 'toks[-1]'
	fi

	# Walk the words before the current one: option arguments, "--",
	# and how many operands (host, port) there are already.
	for w in "${toks[@]:1}"; do
		if [[ -n $pending ]]; then
			pending=
		elif [[ -z $after && $w == -- ]]; then
			after=1
		elif [[ -n $after || $w != -?* ]]; then
			npos=$((npos + 1))
		else
			_hopkit_split "$w"
			[[ -n $need && -z $has_val ]] && pending=$need
		fi
	done

	if [[ -n $pending ]]; then
		_hopkit_values "$tool" "$pending" "$cur"
	elif [[ -z $after && $cur == -* ]]; then
		_hopkit_split "$cur"
		if [[ -n $has_val ]]; then
			prefix=${cur:0:${#cur}-${#val}}
			_hopkit_values "$tool" "$need" "$val"
		else
			listopts=1
		fi
	elif ((npos == 0 && operands > 0)); then
		# jumpcat's host, fwdpipe's [user@]host.
		_hopkit_hostvalues "$cur" ""
	elif [[ -z $after ]] && ((npos >= operands)); then
		# No operand left to complete (jumpcat's port is left alone).
		listopts=1
	fi
	if [[ -n $listopts ]]; then
		for w in $opts; do
			[[ $w == "$cur"* ]] && cands+=("$w")
		done
	fi

	# Readline replaces only the text after the last word break character
	# (: = or @ as a rule; a blank in cur was escaped) in the current
	# word: cut that much off.
	for ((i = ${#cur} - 1; i >= 0; i--)); do
		c=${cur:i:1}
		if [[ $c != [[:space:]] && ${COMP_WORDBREAKS-} == *"$c"* ]]; then
			brk=${cur:0:i+1}
			break
		fi
	done
	COMPREPLY=()
	if ((${#cands[@]})); then
		COMPREPLY=("${cands[@]/#/"$prefix"}")
		COMPREPLY=("${COMPREPLY[@]#"$brk"}")
	fi
	[[ -n $files ]] && compopt -o filenames 2>/dev/null
	[[ -n $nospace ]] && compopt -o nospace 2>/dev/null
	return 0
}

complete -F _hopkit jumpcat fwdpipe tunnelcheck
