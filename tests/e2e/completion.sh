# The bash completion (scripts/yasmin-bench.bash) offers what the binary
# has, and nothing else: the commands (checked against the list in the
# binary's "unknown command" error), each command's options (against its
# --usage), transport names (against `transports`) where a transport or an
# address is expected, paths where a path is; nothing, quickly and
# silently, when the binary is missing or hangs.  Checked once in a plain
# shell and once beside the bash-completion package's framework.
. "$(dirname "$0")/../lib.sh"

SCRIPT=$ROOT/scripts/yasmin-bench.bash
[ -f "$SCRIPT" ] || fail "no $SCRIPT"

COMMANDS=$("$BIN" no-such-command 2>&1 | sed -n 's/.*(commands: \(.*\))$/\1/p' | tr -d ,)
[ -n "$COMMANDS" ] || fail "the binary lists no commands"
TRANSPORTS=$("$BIN" transports | awk '$2 ~ /^(un)?available$/ { print $1 }')
[ -n "$TRANSPORTS" ] || fail "the binary lists no transports"
note "commands: $COMMANDS; transports:" $TRANSPORTS
mkdir -p "$T/files/outdir" && : >"$T/files/sockfile"
mkdir -p "$T/hang" && printf '#!/bin/sh\nexec sleep 30\n' >"$T/hang/yasmin-bench"
chmod +x "$T/hang/yasmin-bench"

# Run in a child bash that sources the completion; FRAMEWORK=1 sources the
# bash-completion package's framework first.
checks() {
	bash -c '
	set -u
	fail() { echo "FAIL: $*" >&2; exit 1; }
	[ "$FRAMEWORK" = 1 ] && . /usr/share/bash-completion/bash_completion
	. "$SCRIPT" || fail "sourcing the script failed"
	complete -p yasmin-bench | grep -q -- "-F _yasmin_bench" ||
		fail "no completion registered for yasmin-bench"

	# comp LINE: complete LINE as bash would, with COMP_WORDS split at
	# blanks and at the word breaks : and = (each a word of its own).
	comp() {
		local w
		COMP_LINE=$1 COMP_POINT=${#1} COMP_WORDS=()
		for w in $1; do
			while [[ $w == *[:=]* ]]; do
				local head=${w%%[:=]*}
				[ -n "$head" ] && COMP_WORDS+=("$head")
				COMP_WORDS+=("${w:${#head}:1}")
				w=${w:${#head}+1}
			done
			[ -n "$w" ] && COMP_WORDS+=("$w")
		done
		[[ $1 == *" " || $1 == *[:=] ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMPREPLY=()
		_yasmin_bench 2>"$T/comp.err" || fail "completing \"$1\" failed"
		[ -s "$T/comp.err" ] && { cat "$T/comp.err" >&2; fail "completing \"$1\" printed on stderr"; }
		return 0
	}
	# same_set A... -- B...: the two lists hold the same words, each once
	# (in bash alone: a fork costs this machine more than the completion).
	same_set() {
		local -A a=() b=()
		local w side=a
		for w in "$@"; do
			if [ "$w" = -- ]; then side=b; continue; fi
			if [ $side = a ]; then [ -z "${a[x$w]-}" ] || return 1; a[x$w]=1
			else [ -z "${b[x$w]-}" ] || return 1; b[x$w]=1; fi
		done
		[ ${#a[@]} -eq ${#b[@]} ] || return 1
		for w in "${!a[@]}"; do [ -n "${b[$w]-}" ] || return 1; done
	}
	# expect LINE WORD...: exactly these answers.
	expect() {
		local line=$1
		shift
		comp "$line"
		same_set "${COMPREPLY[@]}" -- "$@" ||
			fail "\"$line\": offered [${COMPREPLY[*]}], expected [$*]"
	}
	prefixed() { local p=$1 s=$2 x; shift 2; for x in "$@"; do echo "$p$x$s"; done; }

	B=$BIN
	expect "$B " $COMMANDS
	expect "$B r" run
	expect "$B co" compare
	expect "$B -" --help --usage --version
	expect "$B run --tr" --transports --trial-time --trials
	expect "$B compare --re" --relative-to
	expect "$B nonsense --" # an unknown command has no options
	# Every option of every command, and none that --usage does not list
	# (ab passes options it does not know to run: it offers both).
	for c in $COMMANDS; do
		usage=$("$B" "$c" --usage)
		[ "$c" = ab ] && usage+=$("$B" run --usage)
		expect "$B $c -" $(grep -o -- "--[a-z0-9-]*" <<<"$usage" | sort -u)
	done

	# Transport names, where a transport is expected.
	expect "$B run --transports " $TRANSPORTS
	expect "$B run -t " $TRANSPORTS
	expect "$B run --transports=" $TRANSPORTS
	expect "$B run --transports=s" $(grep "^s" <<<"$TRANSPORTS")
	expect "$B run --quick --transports shm," $(prefixed shm, "" $(grep -vx shm <<<"$TRANSPORTS"))
	expect "$B ab old new --transports " $TRANSPORTS
	expect "$B compare --relative-to " $TRANSPORTS probes
	expect "$B compare --ratio shm/" $(prefixed shm/ "" $TRANSPORTS)
	expect "$B compare -t " # -t is --tolerance there: a number
	expect "$B run --mode " # not a transport
	expect "$B run " # run takes no argument

	# Addresses: TRANSPORT: for the first argument of client and server.
	expect "$B client " $(prefixed "" : $TRANSPORTS)
	expect "$B server --cpus 1 " $(prefixed "" : $TRANSPORTS)
	expect "$B server s" $(prefixed "" : $(grep "^s" <<<"$TRANSPORTS"))
	expect "$B client tcp:127.0.0.1:7470 " # one address only
	expect "$B server --cpus " # a CPU number, not an address
	# After shm: and unix:, a path: bash replaces what follows the colon.
	expect "$B client shm:$T/files/so" "$T/files/sockfile"
	expect "$B server unix:$T/files/o" "$T/files/outdir/"
	expect "$B client tcp:$T/files/so" # tcp takes a host, not a path
	# Directories for --out, files for plot.
	expect "$B run --out $T/files/" "$T/files/outdir/"
	expect "$B run --out=$T/files/" "$T/files/outdir/"
	expect "$B plot $T/files/s" "$T/files/sockfile"
	# merge: a set is paths joined by commas, each completed.
	expect "$B merge $T/files/s" "$T/files/sockfile"
	expect "$B merge $T/files/sockfile,$T/files/o" "$T/files/sockfile,$T/files/outdir/"
	expect "$B merge --out $T/files/" "$T/files/outdir/"

	# Bash without COMP_LINE (an older caller): COMP_WORDS alone.
	unset COMP_LINE COMP_POINT
	COMP_WORDS=("$B" run --tr) COMP_CWORD=2 COMPREPLY=()
	_yasmin_bench
	same_set "${COMPREPLY[@]}" -- --transports --trial-time --trials ||
		fail "COMP_WORDS alone: offered [${COMPREPLY[*]}]"

	# By name through PATH, as a user types it.
	PATH=$(dirname "$B"):$PATH expect "yasmin-bench run --transports u" unix

	# A missing binary: nothing offered, nothing printed.
	expect "/nonexistent/yasmin-bench "
	expect "/nonexistent/yasmin-bench run --"
	expect "/nonexistent/yasmin-bench client "
	# A binary that hangs: given up on within seconds.
	s=$SECONDS
	expect "$T/hang/yasmin-bench run --"
	[ $((SECONDS - s)) -le 6 ] || fail "a hung binary held the completion $((SECONDS - s)) s"
	echo ok
	'
}

export SCRIPT T COMMANDS TRANSPORTS
export FRAMEWORK=0
# Cold (nothing cached): one completion of options takes well under a second.
t0=$(now_ms)
bash -c '. "$SCRIPT"; COMP_LINE="$BIN run --tr"; COMP_POINT=${#COMP_LINE}
	_yasmin_bench; [ ${#COMPREPLY[@]} -eq 3 ]' || fail "cold completion offered the wrong options"
ms=$(($(now_ms) - t0))
note "a cold completion took $ms ms"
[ $ms -lt 2000 ] || fail "a cold completion took $ms ms"

checks || fail "in a plain shell"
note "plain shell: ok"
if [ -f /usr/share/bash-completion/bash_completion ]; then
	FRAMEWORK=1 checks || fail "beside the bash-completion framework"
	note "beside bash-completion: ok"
else
	note "bash-completion is not installed: its framework not tried"
fi
exit 0
