# merge: runs measured at the same time become one scaling table.  Two
# clients started together against one server are a set of 2 pairs, one
# client alone a set of 1, one run --pairs 2 a set of 2; the aggregate is
# the sum of the runs' median trials among those inside the time both
# were measuring (recomputed here from their own files), the windows
# overlap, the graphs are drawn.  Refused with one
# line, exit 2 and nothing written: runs measured one after the other, two
# sets of one pair count, a file twice, a CSV; an existing output without
# --force (exit 3); without gnuplot the tables are written (exit 6).
. "$(dirname "$0")/../lib.sh"

is_png() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] && [ "$(stat -c %s "$1")" -gt 5000 ]; }
# field FILE MODE PAIRS COLUMN: a column of scaling.csv's row of that mode
# and pair count (named by the header).
field() {
	awk -F, -v m="$2" -v n="$3" -v c="$4" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$2 == m && $4 == n { print $col[c] }' "$1"
}
# median_bw FILE MODE PAIR: bw_median_gbps of a results.csv's row.
median_bw() { awk -F, -v m="$2" -v p="$3" 'NR > 1 && $2 == m && $16 == p { print $19 }' "$1"; }
p50() { awk -F, -v m="$2" 'NR > 1 && $2 == m { print $8 }' "$1"; }
# near A B: equal but for the rounding of the files' decimals.
near() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && b != "" && d <= 1e-5 + 1e-6 * (b < 0 ? -b : b)) }'; }

SWEEP="--mode both --min-bytes 64K --max-bytes 64K --trial-time 0.05 --trials 4 --no-plot"
addr="unix:$T/s.sock"
bg "$T/srv.log" "$BIN" server "$addr"
srv=$BG_PID
wait_for "$T/srv.log" "listening on"

# Two clients told the same start, then one alone.
at=$(date +%s.%N | awk '{ printf "%.3f", $1 + 1.5 }')
pids=()
for c in a b; do
	"$BIN" client "$addr" --start-at "@$at" $SWEEP --out "$T/$c" >"$T/$c.out" 2>&1 &
	pids+=($!)
done
for i in 0 1; do
	wait "${pids[$i]}" || { cat "$T/a.out" "$T/b.out"; fail "a client started at $at failed"; }
done
"$BIN" client "$addr" $SWEEP --out "$T/one" >"$T/one.out" 2>&1 || { cat "$T/one.out"; fail "the single client failed"; }
kill -INT $srv
wait $srv || fail "server exited $? on SIGINT"

plot=1
command -v gnuplot >/dev/null || { plot=0; note "gnuplot is not installed: graphs not checked"; }

# 1. One set of 1 pair, one of 2.
"$BIN" merge -o "$T/s" "$T/one" "$T/a,$T/b" >"$T/m.out" 2>"$T/m.err"
rc=$?
if [ $plot = 1 ]; then
	[ $rc -eq 0 ] || { cat "$T/m.out" "$T/m.err"; fail "merge exited $rc"; }
	[ ! -s "$T/m.err" ] || { cat "$T/m.err"; fail "merge printed on stderr"; }
	for g in scaling_bandwidth scaling_latency; do
		is_png "$T/s/$g.png" || fail "$g.png missing or not a PNG"
	done
	grep -qx "graphs: $T/s/scaling_bandwidth.png $T/s/scaling_latency.png" "$T/m.out" ||
		{ cat "$T/m.out"; fail "merge does not say where the graphs are"; }
else
	[ $rc -eq 6 ] && grep -q "gnuplot not found" "$T/m.err" || { cat "$T/m.err"; fail "merge without gnuplot exited $rc"; }
fi
grep -qx "results: $T/s/scaling.csv $T/s/scaling.json" "$T/m.out" ||
	{ cat "$T/m.out"; fail "merge does not say where the tables are"; }
csv=$T/s/scaling.csv
[ "$(head -n 1 "$csv")" = "transport,mode,bytes,pairs,runs,bw_total_gbps,bw_per_pair_gbps,lat_p50_us,lat_p50_worst_us,overlap_pct" ] ||
	fail "scaling.csv: wrong header: $(head -n 1 "$csv")"
[ "$(wc -l <"$csv")" -eq 5 ] || { cat "$csv"; fail "scaling.csv: not 4 rows (2 modes x 1 and 2 pairs)"; }
[ "$(cut -d, -f1-5 "$csv" | tail -n +2 | tr '\n' ' ')" = "unix,pingpong,65536,1,1 unix,pingpong,65536,2,2 unix,stream,65536,1,1 unix,stream,65536,2,2 " ] ||
	{ cat "$csv"; fail "scaling.csv: not the rows and order expected"; }
# The aggregate, recomputed here from the runs' own trials: each run's
# median over its trials that lie wholly inside the time both runs were
# measuring that row (on the wall clock), summed.
common_sum() { # MODE FILE...
	python3 - "$@" <<'EOF'
import json, statistics, sys
mode, runs = sys.argv[1], []
for f in sys.argv[2:]:
    d = json.load(open(f))
    off = d["meta"]["clock_realtime_offset_ns"]
    row = [r for r in d["results"] if r["mode"] == mode][0]
    ways = 2 if mode == "pingpong" else 1
    runs.append([(t["start_ns"] + off, t["start_ns"] + off + t["elapsed_ns"],
                  8 * ways * row["bytes"] * t["reps"] / t["elapsed_ns"]) for t in row["trial_detail"]])
lo = max(min(t[0] for t in r) for r in runs)
hi = min(max(t[1] for t in r) for r in runs)
print("%.6f" % sum(statistics.median([t[2] for t in r if t[0] >= lo and t[1] <= hi]) for r in runs))
EOF
}
for m in stream pingpong; do
	sum=$(common_sum $m "$T/a/results.json" "$T/b/results.json") || fail "cannot recompute the $m aggregate"
	tot=$(field "$csv" $m 2 bw_total_gbps)
	near "$tot" "$sum" || fail "$m: bw_total_gbps $tot of 2 pairs, but the runs' trials inside their common window give $sum"
	near "$(field "$csv" $m 2 bw_per_pair_gbps)" "$(awk -v t="$tot" 'BEGIN { printf "%.6f", t / 2 }')" ||
		fail "$m: bw_per_pair_gbps is not half the total"
	near "$(field "$csv" $m 1 bw_total_gbps)" "$(median_bw "$T/one/results.csv" $m 1)" ||
		fail "$m: the 1-pair total is not the single run's median"
	o=$(field "$csv" $m 2 overlap_pct)
	awk -v o="$o" 'BEGIN { exit !(o > 0 && o <= 100) }' || fail "$m: overlap_pct '$o' of two clients started together"
	note "$m: 2 pairs $tot Gbit/s (recomputed $sum), overlap $o %"
done
# Latency: the median and the worst of the two clients' p50.
la=$(p50 "$T/a/results.csv" pingpong) lb=$(p50 "$T/b/results.csv" pingpong)
near "$(field "$csv" pingpong 2 lat_p50_us)" "$(awk -v x="$la" -v y="$lb" 'BEGIN { printf "%.4f", (x + y) / 2 }')" ||
	fail "lat_p50_us is not the median of $la and $lb"
near "$(field "$csv" pingpong 2 lat_p50_worst_us)" "$(awk -v x="$la" -v y="$lb" 'BEGIN { print (x > y ? x : y) }')" ||
	fail "lat_p50_worst_us is not the larger of $la and $lb"
[ -z "$(field "$csv" stream 2 lat_p50_us)" ] || fail "a stream row has latency"
# The JSON: the same rows, the sets with their files and windows.
J() { "$HELPER" json-get "$T/s/scaling.json" "$1" | cut -d' ' -f2-; }
[ "$(J format)" = yasmin-bench-scaling ] || fail "scaling.json: format $(J format)"
[ "$(J sets.1.pairs)" = 2 ] && [ "$(J sets.1.runs.1.file)" = "$T/b/results.json" ] || fail "scaling.json: set 2 not described"
J sets.1.runs.0.start | grep -Eq '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{6}Z$' || fail "scaling.json: window start '$(J sets.1.runs.0.start)'"
[ "$(J rows.3.pairs)" = 2 ] && [ "$(J rows.3.mode)" = stream ] && [ "$(J rows.0.lat_p50_us)" != "" ] || fail "scaling.json: rows differ from the CSV"
[ "$(J meta.command)" = merge ] || fail "scaling.json: no metadata"

# 2. A run --pairs 2 is a set of two pairs on its own.
"$BIN" run -t unix --pairs 2 $SWEEP --out "$T/p2" >"$T/p2.out" 2>&1 || { cat "$T/p2.out"; fail "run --pairs 2 failed"; }
"$BIN" merge --no-plot -o "$T/s2" "$T/one" "$T/p2/results.json" >"$T/m2.out" 2>&1 || { cat "$T/m2.out"; fail "merge of a --pairs run failed"; }
[ "$(field "$T/s2/scaling.csv" stream 2 runs)" = 1 ] || { cat "$T/s2/scaling.csv"; fail "run --pairs 2 did not count as 2 pairs"; }
near "$(field "$T/s2/scaling.csv" stream 2 bw_total_gbps)" "$(median_bw "$T/p2/results.csv" stream 0)" ||
	fail "the --pairs 2 total is not the run's total row"
[ ! -e "$T/s2/scaling_bandwidth.png" ] || fail "--no-plot drew graphs"

# 3. Refused, one line, exit 2, nothing written.
expect_fail 2 "not measured at the same time" "$BIN" merge -o "$T/x" "$T/one" "$T/a,$T/p2"
grep -q "$T/a/results.json (.* UTC) and $T/p2/results.json (.* UTC)" "$T/err" || fail "the refusal does not name both files and their windows"
expect_fail 2 "both measured 1 pair" "$BIN" merge -o "$T/x" "$T/one" "$T/a"
expect_fail 2 "are the same file" "$BIN" merge -o "$T/x" "$T/a,$T/a/results.json"
expect_fail 2 "merge needs results.json" "$BIN" merge -o "$T/x" "$T/one/results.csv"
mkdir "$T/csvonly" && cp "$T/one/results.csv" "$T/csvonly/"
expect_fail 2 "has results.csv but no results.json" "$BIN" merge -o "$T/x" "$T/csvonly"
expect_fail 2 "bad set" "$BIN" merge -o "$T/x" "$T/a,,$T/b"
expect_fail 2 "no run measured messages of 1K" "$BIN" merge -o "$T/x" --sizes 1K "$T/one"
printf '{"format": "yasmin-bench-results", "results": [' >"$T/cut.json"
expect_fail 2 "cut.json" "$BIN" merge -o "$T/x" "$T/cut.json"
[ ! -e "$T/x" ] || fail "a refused merge wrote $(ls "$T/x")"

# 4. Nothing overwritten unasked, checked before anything is written.
expect_fail 3 "scaling.csv already exists" "$BIN" merge -o "$T/s" "$T/one" "$T/a,$T/b"
mkdir "$T/g" && : >"$T/g/scaling_latency.png"
expect_fail 3 "scaling_latency.png already exists" "$BIN" merge -o "$T/g" "$T/one" "$T/a,$T/b"
[ ! -e "$T/g/scaling.csv" ] || fail "a merge refused for a graph wrote scaling.csv"
"$BIN" merge --no-plot -o "$T/g" "$T/one" "$T/a,$T/b" >/dev/null 2>&1 || fail "--no-plot minded an old graph"
"$BIN" merge --force --no-plot -o "$T/s" "$T/one" "$T/a,$T/b" >/dev/null 2>&1 || fail "merge --force failed"

# 5. Without gnuplot: the tables, a one-line reason, exit 6.
mkdir "$T/bin"
expect_fail 6 "gnuplot not found" env PATH="$T/bin" "$BIN" merge -o "$T/ng" "$T/one" "$T/a,$T/b"
[ -s "$T/ng/scaling.csv" ] && [ -s "$T/ng/scaling.json" ] || fail "without gnuplot the tables were not written"
exit 0
