# Ctrl-C in the middle of a run: exit 130, says so, and leaves valid CSV
# and JSON with every point measured so far (JSON marked incomplete); no
# process or temporary directory left behind.  Single and paired runs.
. "$(dirname "$0")/../lib.sh"

for pairs in 1 2; do
	d=$T/p$pairs
	before=$(ls -d /tmp/yasmin-bench.* 2>/dev/null | wc -l)
	"$BIN" run --transports shm,unix --pairs $pairs --max-bytes 4M --trial-time 0.05 \
		--no-plot --out "$d" >"$T/out$pairs" 2>"$T/err$pairs" &
	pid=$!
	for i in $(seq 300); do
		[ "$(wc -l <"$d/results.csv" 2>/dev/null || echo 0)" -ge 6 ] && break
		sleep 0.1
	done
	[ "$(wc -l <"$d/results.csv")" -ge 6 ] || fail "run made no progress"
	kill -INT $pid
	wait $pid
	rc=$?
	[ $rc -eq 130 ] || { cat "$T/err$pairs"; fail "interrupted run ($pairs pairs) exited $rc, expected 130"; }
	grep -q "interrupted; the points measured so far are in $d/" "$T/err$pairs" ||
		{ cat "$T/err$pairs"; fail "no interrupted message"; }
	check_csv "$d/results.csv"
	out=$("$HELPER" json-check "$d/results.json") || fail "JSON unreadable after Ctrl-C"
	rows=$(($(wc -l <"$d/results.csv") - 1))
	[ "$out" = "results $rows complete 0" ] || fail "JSON '$out' vs $rows CSV rows"
	sleep 0.3
	left=$(pgrep -f "yasmin-bench run --transports shm,unix --pairs $pairs" | wc -l)
	[ "$left" -eq 0 ] || { pgrep -af yasmin-bench; fail "$left processes left after Ctrl-C"; }
	after=$(ls -d /tmp/yasmin-bench.* 2>/dev/null | wc -l)
	[ "$after" -le "$before" ] || fail "temporary directory left in /tmp"
	note "$pairs pair(s): interrupted after $rows rows"
done
exit 0
