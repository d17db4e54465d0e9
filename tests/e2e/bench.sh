# bench: one short round produces every figure and every target line.
# (It reports performance; this only checks that it measures.)
. "$(dirname "$0")/../lib.sh"

"$BIN" bench --rounds 1 --trial-time 0.005 --out "$T/b" >"$T/out" 2>&1 ||
	{ cat "$T/out"; fail "bench failed"; }
out=$("$HELPER" json-check "$T/b/round-1/results.json") || fail "round results unreadable"
for f in "cache line" "memcpy, one core, 1 MiB" "shm adaptive, 1 B" "shm block, 1 B" \
	"unix, 1 B" "tcp, 1 B" "shm stream, 1 MiB" "tcp stream, 64 KiB" "2 pairs at once"; do
	line=$(grep -F "$f" "$T/out" | head -n 1)
	[ -n "$line" ] || fail "no figure '$f'"
	case $line in *"not measured"*) fail "figure '$f' not measured" ;; esac
done
n=$(grep -cE ' (met|MISSED)$' "$T/out")
[ "$n" -eq 7 ] || { cat "$T/out"; fail "$n target lines, expected 7"; }
grep -q '"rounds_completed": 1' "$T/b/bench.json" || fail "bench.json incomplete"
! grep -q 'null' "$T/b/bench.json" || fail "bench.json has missing figures"
# Results are not overwritten without --force.
expect_fail 3 "already exists" "$BIN" bench --rounds 1 --out "$T/b"
exit 0
