# --pairs: N connections at once, a row per pair and a total per size,
# every byte verified; bad counts refused.
. "$(dirname "$0")/../lib.sh"

"$BIN" run --transports shm,unix --pairs 3 --verify --quick --max-bytes 64K \
	--trial-time 0.005 --trials 2 --out "$T/r" >"$T/out" 2>&1 ||
	{ cat "$T/out"; fail "run --pairs 3 failed"; }
check_csv "$T/r/results.csv"
for t in shm unix; do
	for m in pingpong stream; do
		for p in 0 1 2 3; do
			n=$(awk -F, -v t=$t -v m=$m -v p=$p '$1 == t && $2 == m && $15 == 3 && $16 == p' "$T/r/results.csv" | wc -l)
			[ "$n" -ge 10 ] || fail "$t $m pair $p: $n rows"
		done
	done
done
# The total never exceeds the sum of the pairs (it is measured over the
# slowest pair's time) and is never zero.
awk -F, 'NR > 1 { k = $1 "," $2 "," $3
	if ($16 == 0) total[k] = $12; else sum[k] += $12 }
	END { for (k in total) if (total[k] <= 0 || total[k] > sum[k] * 1.0001) {
		print k ": total " total[k] ", pairs " sum[k]; bad = 1 }
	      exit bad }' "$T/r/results.csv" || fail "totals inconsistent with the pairs"
grep -q '^shm 4M adaptive x3 total' "$T/out" || { cat "$T/out"; fail "summary lacks the shm total"; }
grep -q '"pairs": 3' "$T/r/results.json" || fail "JSON rows lack pairs"

expect_fail 2 "bad --pairs '0'" "$BIN" run --pairs 0 --out "$T/x"
expect_fail 2 "bad --pairs '65'" "$BIN" run --pairs 65 --out "$T/x"
expect_fail 2 "bad --pairs 'two'" "$BIN" run --pairs two --out "$T/x"
exit 0
