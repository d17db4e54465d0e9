# yasmin-bench.bash - bash completion for yasmin-bench(1).
#
# Installed as share/bash-completion/completions/yasmin-bench (make
# install; the Debian package), or sourced from a shell: . yasmin-bench.bash
#
# Nothing is listed here: the commands, each command's options and the
# transports are read from the binary being completed (`--help`,
# `CMD --help`, `transports`), so the completion cannot fall out of step
# with the code.  Each answer is cached per binary for the shell's life
# (sourcing this file again forgets them); asking costs a few milliseconds,
# and a binary that does not answer within 3 s is given up on.  When the
# binary cannot be run, nothing is offered (and nothing is printed).
#
# What it completes:
#   yasmin-bench <TAB>                 the commands, or the global options
#   yasmin-bench CMD --<TAB>           CMD's options (ab: its own and run's)
#   run --transports shm,<TAB>         transport names, a comma list
#   compare --relative-to <TAB>        transport names (and 'probes')
#   compare --ratio shm/<TAB>          transport names either side of '/'
#   client <TAB>, server <TAB>         'shm:', 'tcp:', ... then a path
#                                      after unix: and shm:
#   --out, --rejudge: directories; --results, plot, compare, ab: files
#   merge a,<TAB>                      files and directories, after each
#                                      comma of a set
#
# The word being completed is read from COMP_LINE rather than COMP_WORDS,
# whose split at ':' and '=' (COMP_WORDBREAKS) would cut an address such
# as shm:/tmp/yb.sock in three; the answers are then trimmed back to what
# bash replaces.  The bash-completion package is not needed.

# What the binaries said, and what was made of it, by question; emptied
# when this file is sourced again.  Global even when a loader sources this
# file inside a function.
declare -gA _yasmin_bench_cache=()

# _yasmin_bench_ask BIN ARGS...: BIN's output for ARGS into
# _yasmin_bench_out, cached; status 1 when BIN cannot be run.  Called in
# the completing shell itself (never in $(...)), or the cache would be lost.
_yasmin_bench_ask()
{
	local key="$*"
	_yasmin_bench_out=
	if [[ -v "_yasmin_bench_cache[$key]" ]]; then
		_yasmin_bench_out=${_yasmin_bench_cache[$key]}
		return 0
	fi
	type -P -- "$1" >/dev/null 2>&1 || return 1
	# A hung binary must not hang the shell.
	if type -P timeout >/dev/null 2>&1; then
		_yasmin_bench_out=$(timeout 3 "$@" 2>/dev/null) || return 1
	else
		_yasmin_bench_out=$("$@" 2>/dev/null) || return 1
	fi
	_yasmin_bench_cache[$key]=$_yasmin_bench_out
}

# _yasmin_bench_parsed KEY BIN ARGS... -- AWK: the lines AWK makes of the
# output of BIN ARGS into _yasmin_bench_list, the result cached as KEY.
_yasmin_bench_parsed()
{
	local key=$1 prog=${*: -1} args=("${@:2:$#-3}")
	_yasmin_bench_list=()
	if [[ ! -v "_yasmin_bench_cache[$key]" ]]; then
		_yasmin_bench_ask "${args[@]}" || return 0
		_yasmin_bench_cache[$key]=$(awk "$prog" <<<"$_yasmin_bench_out")
	fi
	[[ -n ${_yasmin_bench_cache[$key]} ]] &&
		mapfile -t _yasmin_bench_list <<<"${_yasmin_bench_cache[$key]}"
	return 0
}

# The commands into _yasmin_bench_list: the indented names in the
# paragraph under "Commands:" in --help (a description may wrap to a line
# of its own).
_yasmin_bench_commands()
{
	_yasmin_bench_parsed "commands $1" "$1" --help -- '
		/^Commands:/ { on = 1; next }
		on && /^$/ { exit }
		on && /^  [a-z][a-z0-9-]*  / { print $1 }'
}

# The options of command CMD ("" for the global ones; ab: its own and
# run's, which it passes on) into _yasmin_bench_list, from the option lines
# of --help (indented 2 or 6 columns; a description that wraps is indented
# further, and may name an option too): long options, with
# "=" after those that take an argument, and short ones as "-x=--long"
# (plus "=" again if it takes one) so that the argument after -o is known
# to be --out's.
_yasmin_bench_options()
{
	local bin=$1 cmd=$2 c all=()
	local prog='
		/^(  -[^-], |      )--[a-z]/ {
			s = $0; sub(/^ +/, "", s); short = ""
			if (s ~ /^-[^-], /) { short = substr(s, 1, 2); s = substr(s, 5) }
			match(s, /^--[a-z0-9-]+/); name = substr(s, 1, RLENGTH)
			rest = substr(s, RLENGTH + 1)
			arg = (rest ~ /^\[?=/) ? "=" : ""
			if (!seen[name]++) print name arg
			if (short != "" && !seen[short]++) print short "=" name arg
		}'
	if [[ -z $cmd ]]; then
		_yasmin_bench_parsed "options $bin" "$bin" --help -- "$prog"
		return 0
	fi
	_yasmin_bench_parsed "options $bin $cmd" "$bin" "$cmd" --help -- "$prog"
	[[ $cmd == ab ]] || return 0
	# ab's own first: its --out and run's are one option.
	all=("${_yasmin_bench_list[@]}")
	_yasmin_bench_parsed "options $bin run" "$bin" run --help -- "$prog"
	for c in "${_yasmin_bench_list[@]}"; do
		[[ " ${all[*]} " == *" ${c%%=*}"[=\ ]* ]] || all+=("$c")
	done
	_yasmin_bench_list=("${all[@]}")
}

# The transports built into the binary (available here or not) into
# _yasmin_bench_names.
_yasmin_bench_transports()
{
	_yasmin_bench_parsed "transports $1" "$1" transports -- '
		$2 == "available" || $2 == "unavailable" { print $1 }'
	_yasmin_bench_names=("${_yasmin_bench_list[@]}")
}

# _yasmin_bench_add PREFIX WORD...: offer PREFIX.WORD for every WORD that
# completes what follows PREFIX in $cur.
_yasmin_bench_add()
{
	local prefix=$1 w
	shift
	for w in "$@"; do
		[[ $prefix$w == "$cur"* ]] && COMPREPLY+=("$prefix$w")
	done
}

# _yasmin_bench_files PREFIX dirs|files: paths completing $cur after PREFIX.
_yasmin_bench_files()
{
	local prefix=$1 path=${cur#"$1"} p
	local IFS=$'\n'
	if [[ $2 == dirs ]]; then
		for p in $(compgen -d -- "$path"); do COMPREPLY+=("$prefix$p/"); done
	else
		for p in $(compgen -f -- "$path"); do
			if [[ -d $p ]]; then COMPREPLY+=("$prefix$p/")
			else COMPREPLY+=("$prefix$p"); fi
		done
	fi
	_yasmin_bench_nospace=1
}

# The value of option OPT (long name) for command CMD, in $cur after PREFIX.
_yasmin_bench_value()
{
	local bin=$1 cmd=$2 opt=$3 prefix=$4 val list t
	val=${cur#"$prefix"}
	case $opt in
	--transports)
		_yasmin_bench_transports "$bin"
		list=${val%"${val##*,}"}
		for t in "${_yasmin_bench_names[@]}"; do
			[[ ,$list == *",$t,"* ]] || _yasmin_bench_add "$prefix$list" "$t"
		done
		_yasmin_bench_nospace=1
		;;
	--relative-to)
		_yasmin_bench_transports "$bin"
		_yasmin_bench_add "$prefix" "${_yasmin_bench_names[@]}"
		_yasmin_bench_ask "$bin" "$cmd" --help &&
			[[ $_yasmin_bench_out == *"'probes'"* ]] &&
			_yasmin_bench_add "$prefix" probes
		;;
	--ratio)
		_yasmin_bench_transports "$bin"
		if [[ $val == */* ]]; then
			_yasmin_bench_add "$prefix${val%%/*}/" \
				"${_yasmin_bench_names[@]}"
		else
			for t in "${_yasmin_bench_names[@]}"; do
				_yasmin_bench_add "$prefix" "$t/"
			done
			_yasmin_bench_nospace=1
		fi
		;;
	--out | --rejudge) _yasmin_bench_files "$prefix" dirs ;;
	--results) _yasmin_bench_files "$prefix" files ;;
	esac
}

# An ADDRESS of client or server: TRANSPORT:, then a path for the two
# whose address is a socket path.
_yasmin_bench_address()
{
	local t
	if [[ $cur == *:* ]]; then
		case ${cur%%:*} in
		unix | shm) _yasmin_bench_files "${cur%%:*}:" files ;;
		esac
		return 0
	fi
	_yasmin_bench_transports "$1"
	for t in "${_yasmin_bench_names[@]}"; do
		_yasmin_bench_add "" "$t:"
	done
	_yasmin_bench_nospace=1
}

# _yasmin_bench_argof OPT: into opt, the long name of option OPT (long or
# short) in _yasmin_bench_list if it takes an argument, else nothing.
_yasmin_bench_argof()
{
	local o
	opt=
	for o in "${_yasmin_bench_list[@]}"; do
		case $o in
		"$1=") opt=$1; return ;;
		"$1="--*=) o=${o#*=}; opt=${o%=}; return ;;
		esac
	done
}

_yasmin_bench()
{
	local cur line bin cmd= opt= npos=0 i w lead bash_word
	local words=() _yasmin_bench_list=() _yasmin_bench_names=()
	local _yasmin_bench_out= _yasmin_bench_nospace=0
	COMPREPLY=()

	if [[ -n ${COMP_LINE-} ]]; then
		line=${COMP_LINE:0:${COMP_POINT:-${#COMP_LINE}}}
		cur=${line##*[[:space:]]}
		read -r -a words <<<"${line:0:${#line}-${#cur}}"
	else
		cur=${COMP_WORDS[COMP_CWORD]-}
		words=("${COMP_WORDS[@]:0:COMP_CWORD}")
	fi
	[[ ${#words[@]} -gt 0 ]] || return 0
	bin=${words[0]}
	[[ $bin == "~/"* ]] && bin=$HOME/${bin#"~/"}

	# Walk the words before this one: the command, the option whose
	# argument this word may be, how many positional arguments so far.
	for ((i = 1; i < ${#words[@]}; i++)); do
		w=${words[i]}
		if [[ -n $opt ]]; then
			opt=
			continue
		fi
		case $w in
		--) return 0 ;;
		--*=*) ;;
		-*)
			_yasmin_bench_options "$bin" "$cmd"
			_yasmin_bench_argof "$w"
			;;
		*)
			if [[ -z $cmd ]]; then cmd=$w; else npos=$((npos + 1)); fi
			;;
		esac
	done

	if [[ -n $opt ]]; then
		_yasmin_bench_value "$bin" "$cmd" "$opt" ""
	elif [[ $cur == --*=* ]]; then
		_yasmin_bench_options "$bin" "$cmd"
		_yasmin_bench_argof "${cur%%=*}"
		[[ -n $opt ]] && _yasmin_bench_value "$bin" "$cmd" "$opt" "$opt="
	elif [[ $cur == -* ]]; then
		_yasmin_bench_options "$bin" "$cmd"
		for w in "${_yasmin_bench_list[@]}"; do
			[[ $w == -[!-]=* ]] || _yasmin_bench_add "" "${w%=}"
		done
	elif [[ -z $cmd ]]; then
		_yasmin_bench_commands "$bin"
		_yasmin_bench_add "" "${_yasmin_bench_list[@]}"
	else
		case $cmd in
		client | server) [[ $npos -eq 0 ]] && _yasmin_bench_address "$bin" ;;
		plot | compare | ab) _yasmin_bench_files "" files ;;
		merge) _yasmin_bench_files "${cur%"${cur##*,}"}" files ;;
		esac
	fi

	# Bash replaces only what follows the last of COMP_WORDBREAKS in the
	# word (the address after "shm:", the value after "--out="): trim that
	# much off every answer.
	bash_word=$cur
	[[ -n ${COMP_WORDBREAKS-} ]] && bash_word=${cur##*["$COMP_WORDBREAKS"]}
	if [[ $bash_word != "$cur" && ${#COMPREPLY[@]} -gt 0 ]]; then
		lead=${cur:0:${#cur}-${#bash_word}}
		COMPREPLY=("${COMPREPLY[@]#"$lead"}")
	fi
	if [[ $_yasmin_bench_nospace == 1 && ${#COMPREPLY[@]} -gt 0 ]]; then
		compopt -o nospace 2>/dev/null
	fi
	return 0
}

complete -F _yasmin_bench yasmin-bench
