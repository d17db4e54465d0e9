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
# Every bandwidth recomputed from the trials the JSON records (each row's
# best, worst and median trial; each total from its pairs' trials), and
# the pairs really ran at once: their trials overlap in time.  A run that
# measured pairs one after another, or summed per-pair figures, fails.
# Overlap is required of unix, whose ends sleep while they wait: six
# spinning shm processes on a machine with fewer CPUs take turns, and
# their trials can overlap only as far as the scheduler lets them.
"$HELPER" pairs-check "$T/r/results.json" unix >"$T/pc" 2>&1 || { cat "$T/pc"; fail "pairs figures do not follow from their trials"; }
note "$(cat "$T/pc")"
# A total row holds bandwidth and CPU only; CPU adds up over the pairs.
awk -F, 'NR > 1 && $16 == 0 && ($8 != "" || $6 != "" || $20 == "" || $21 == "") { print; exit 1 }' \
	"$T/r/results.csv" || fail "a total row carries latency or lacks CPU"
awk -F, 'NR > 1 { k = $1 "," $2 "," $3
	if ($16 == 0) total[k] = $20; else sum[k] += $20 }
	END { for (k in total) if (total[k] - sum[k] > 0.2 || sum[k] - total[k] > 0.2) {
		print k ": total CPU " total[k] ", pairs " sum[k]; bad = 1 }
	      exit bad }' "$T/r/results.csv" || fail "total CPU is not the sum of the pairs'"
grep -q '^shm 4M adaptive x3 total' "$T/out" || { cat "$T/out"; fail "summary lacks the shm total"; }
grep -q '"pairs": 3' "$T/r/results.json" || fail "JSON rows lack pairs"

# Where each pair ran, as "transport pair client server" lines.
placements() {
	awk '/"placement": \{/ { on = 1; d = 0; next }
	     on && /[}]/ { if (--d < 0) on = 0 }
	     on && /"[a-z]+": \{/ { t = $1; gsub(/[":{ ]/, "", t) }
	     on && /"pair[0-9]+": \{/ { p = $1; gsub(/[":{ pair]/, "", p) }
	     on && /\{/ { d++ }
	     on && /"client_cpu"/ && p != "" { c = $2; sub(/,/, "", c) }
	     on && /"server_cpu"/ && p != "" { v = $2; sub(/,/, "", v)
		print t, p, c, v; p = "" }' "$1"
}
# The CPUs this test may use, in order.
allowed=$(awk '/^Cpus_allowed_list/ { n = split($2, r, ",")
	for (i = 1; i <= n; i++) { split(r[i], b, "-"); if (b[2] == "") b[2] = b[1]
		for (c = b[1]; c <= b[2]; c++) printf "%d ", c } }' /proc/self/status)
set -- $allowed
ncpu=$#
placements "$T/r/results.json" >"$T/place"
[ "$(wc -l <"$T/place")" -eq 6 ] || { cat "$T/place"; fail "JSON lacks the placement of 3 pairs of 2 transports"; }
if [ "$ncpu" -ge 2 ]; then
	# Spread pairs have no run-wide pair of CPUs to record.
	! grep -q '"client_cpu": -1' "$T/r/results.json" ||
		fail "JSON records client_cpu -1 for spread pairs"
	# Pair i: client on the i-th allowed CPU, server on the next one.
	# The server's CPU is what the server itself reported, so a client
	# that met another pair's server shows up here too.
	while read -r t p c v; do
		ec=$(echo $allowed | cut -d' ' -f$(( (p - 1) % ncpu + 1 )))
		ev=$(echo $allowed | cut -d' ' -f$(( p % ncpu + 1 )))
		[ "$c" = "$ec" ] && [ "$v" = "$ev" ] ||
			fail "$t pair $p ran client $c server $v, expected $ec and $ev"
	done <"$T/place"
	"$BIN" run -t shm --pairs 2 --cpus "$1,$2" --quick --max-bytes 1K \
		--trial-time 0.005 --trials 1 --no-plot --out "$T/c" >"$T/out" 2>&1 ||
		{ cat "$T/out"; fail "run --pairs 2 --cpus failed"; }
	placements "$T/c/results.json" >"$T/place"
	[ "$(grep -c "^shm [12] $1 $2\$" "$T/place")" -eq 2 ] ||
		{ cat "$T/place"; fail "--cpus $1,$2 did not hold both pairs"; }
else
	note "one CPU: placement not checked"
fi

expect_fail 2 "bad --pairs '0'" "$BIN" run --pairs 0 --out "$T/x"
expect_fail 2 "bad --pairs '65'" "$BIN" run --pairs 65 --out "$T/x"
expect_fail 2 "bad --pairs 'two'" "$BIN" run --pairs two --out "$T/x"
exit 0
