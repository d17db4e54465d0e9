# Progress: shown on stderr when it is a terminal, silent when it is not.
. "$(dirname "$0")/../lib.sh"
command -v script >/dev/null || skip "script(1) not installed"

args="run --quick --transports unix --max-bytes 4K --trial-time 0.005"
# Not a terminal: stderr stays empty.
"$BIN" $args --out "$T/a" >/dev/null 2>"$T/err" || fail "run failed"
[ ! -s "$T/err" ] || { cat "$T/err"; fail "output on a non-terminal stderr"; }

# A terminal (script(1) gives the run a pseudo-terminal).
script -qec "$BIN $args --out $T/b" "$T/typescript" >/dev/null </dev/null ||
	fail "run under a terminal failed"
grep -aq 'point [0-9]*/[0-9]*' "$T/typescript" || fail "no progress on a terminal"
grep -aq 'unix' "$T/typescript" || fail "progress does not name the transport"
# The progress line is erased before the summary.
grep -aq $'\033\\[K' "$T/typescript" || fail "progress line not cleared"
