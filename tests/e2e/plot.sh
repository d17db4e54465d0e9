# Graphs: run draws them by default, plot overlays files, formats, the
# CPU graph and the latency CDF, graphs with nothing to draw left out with
# a note, clear errors for missing gnuplot, bad files and bad --cdf-sizes,
# nothing overwritten unasked.  What the data files hold is unit_plot's.
. "$(dirname "$0")/../lib.sh"
command -v gnuplot >/dev/null || fail "gnuplot missing (scripts/deps.sh installs gnuplot-nox)"

is_png() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] && [ "$(stat -c %s "$1")" -gt 10000 ]; }

run() { "$BIN" run --quick --transports shm,unix --max-bytes 16K --trial-time 0.005 --trials 2 "$@"; }

ALL="latency bandwidth latency_tail cpu latency_cdf"

# 1. run draws five PNGs next to its results and names them.
run --out "$T/a" >"$T/a.out" 2>"$T/a.err" || { cat "$T/a.out" "$T/a.err"; fail "run failed"; }
for g in $ALL; do
	is_png "$T/a/$g.png" || fail "$g.png missing or not a PNG"
done
grep -qx "graphs: $T/a/latency.png $T/a/bandwidth.png $T/a/latency_tail.png $T/a/cpu.png $T/a/latency_cdf.png" "$T/a.out" ||
	{ cat "$T/a.out"; fail "run does not say where the graphs are"; }
# Nothing on stderr about graphs (the clock-cost warning of a fast ring
# on a machine with a costly clock is the run's own business).
! grep -v "warning: reading the clock costs" "$T/a.err" | grep -q . ||
	{ cat "$T/a.err"; fail "run with every graph drawn printed on stderr"; }

# 2. --no-plot draws none.
run --no-plot --out "$T/b" >/dev/null 2>&1 || fail "run --no-plot failed"
[ ! -e "$T/b/latency.png" ] || fail "--no-plot drew graphs"

# 3. plot: two runs overlaid, SVG, curves named after their files.
"$BIN" plot "$T/a/results.csv" "$T/b/results.json" --format svg --out "$T/g" >"$T/g.out" 2>"$T/g.err" ||
	{ cat "$T/g.out"; fail "plot failed"; }
grep -q "5 graphs in $T/g/" "$T/g.out" || { cat "$T/g.out"; fail "plot did not report 5 graphs"; }
for g in $ALL; do
	[ -s "$T/g/$g.svg" ] || fail "$g.svg missing"
	grep -q '<svg' "$T/g/$g.svg" || fail "$g.svg is not SVG"
done
for g in latency bandwidth latency_tail cpu; do
	for c in "a: shm 4M adaptive" "b: unix"; do
		grep -q "$c" "$T/g/$g.svg" || fail "$g.svg lacks the curve '$c'"
	done
done
grep -q "message size (bytes)" "$T/g/latency.svg" || fail "no axis label"
grep -q ">1K<" "$T/g/latency.svg" || fail "size axis not labelled with 1K"
grep -q "yasmin-bench .* - .* - 20" "$T/g/latency.svg" || fail "title lacks version, host and date"
grep -q "p99.9" "$T/g/latency_tail.svg" || fail "the tail graph does not show p99.9"
# The CPU graph: what it shows, its unit, which line is which end, and a
# panel per mode (both runs measured both).
for w in "CPU time of each end" "% of one core" ">client<" ">server<" ">ping-pong<" ">stream<"; do
	grep -q -- "$w" "$T/g/cpu.svg" || fail "cpu.svg lacks '$w'"
done
# The CDF: only the JSON has histograms, so only b's curves, at the
# smallest size and the largest up to 64K (this sweep stops at 16K).
for c in "b: unix, 1 B" "b: unix, 16 KiB" "b: shm 4M adaptive, 1 B" "b: shm 4M adaptive, 16 KiB"; do
	grep -q "$c" "$T/g/latency_cdf.svg" || fail "latency_cdf.svg lacks the line '$c'"
done
! grep -q "a: " "$T/g/latency_cdf.svg" || fail "latency_cdf.svg draws a CSV, which has no histograms"
for w in "one-way latency (us)" ">99.9<" "percentile of round trips"; do
	grep -q -- "$w" "$T/g/latency_cdf.svg" || fail "latency_cdf.svg lacks '$w'"
done
[ ! -s "$T/g.err" ] || { cat "$T/g.err"; fail "plot with every graph drawn printed on stderr"; }

# 3b. The scripts on the checked-in test data (an old CSV: no CPU, no
# p99.9, no histograms), both formats: three graphs, a note each for the
# other two, exit 0.
"$BIN" plot "$ROOT/testdata/compare/base.csv" --format both --out "$T/td" >"$T/td.out" 2>"$T/td.err" ||
	{ cat "$T/td.err"; fail "plot of testdata failed"; }
for g in latency bandwidth latency_tail; do
	is_png "$T/td/$g.png" || fail "testdata $g.png not a PNG"
	grep -q "shm 4M adaptive" "$T/td/$g.svg" || fail "testdata $g.svg lacks the shm curve"
done
grep -q "6 graphs in" "$T/td.out" || { cat "$T/td.out"; fail "testdata: not 6 graphs"; }
[ ! -e "$T/td/cpu.png" ] && [ ! -e "$T/td/latency_cdf.png" ] || fail "graphs drawn without their data"
[ "$(wc -l <"$T/td.err")" -eq 2 ] || { cat "$T/td.err"; fail "testdata: not one note per graph left out"; }
grep -q "cpu not drawn: no CPU figures" "$T/td.err" || fail "no note on the CPU graph"
grep -q "latency_cdf not drawn: no round-trip histograms" "$T/td.err" || fail "no note on the CDF"

# 3c. A CSV alone: every graph but the CDF, and one note saying why.
"$BIN" plot "$T/a/results.csv" --out "$T/csv" >"$T/csv.out" 2>"$T/csv.err" ||
	{ cat "$T/csv.err"; fail "plot of a CSV failed"; }
for g in latency bandwidth latency_tail cpu; do
	is_png "$T/csv/$g.png" || fail "CSV: $g.png missing or not a PNG"
done
[ ! -e "$T/csv/latency_cdf.png" ] || fail "CSV: a CDF without histograms"
[ "$(wc -l <"$T/csv.err")" -eq 1 ] && grep -q "^yasmin-bench: latency_cdf not drawn: no round-trip histograms" "$T/csv.err" ||
	{ cat "$T/csv.err"; fail "CSV: no single note on the CDF"; }

# 3d. Latency graphs draw ping-pong rows only: unix measured by stream
# alone has bandwidth and CPU but no latency; input with no ping-pong at
# all draws no latency graph, and says so once.
mkdir -p "$T/m"
awk -F, 'NR == 1 || $1 == "shm" || ($1 == "unix" && $2 == "stream")' "$T/a/results.csv" >"$T/m/mixed.csv"
"$BIN" plot "$T/m/mixed.csv" --format svg >/dev/null 2>&1 || fail "plot of mixed rows failed"
for g in latency latency_tail; do
	grep -q "shm 4M adaptive" "$T/m/$g.svg" || fail "mixed: $g.svg lacks shm"
	! grep -q "unix" "$T/m/$g.svg" || fail "mixed: $g.svg draws stream rows"
done
grep -q "unix" "$T/m/bandwidth.svg" && grep -q "unix" "$T/m/cpu.svg" || fail "mixed: unix's stream rows not drawn"
awk -F, 'NR == 1 || $2 == "stream"' "$T/a/results.csv" >"$T/m/stream.csv"
"$BIN" plot "$T/m/stream.csv" --out "$T/st" >/dev/null 2>"$T/st.err" || { cat "$T/st.err"; fail "plot of stream rows failed"; }
is_png "$T/st/bandwidth.png" && is_png "$T/st/cpu.png" || fail "stream only: no bandwidth or CPU graph"
[ ! -e "$T/st/latency.png" ] && [ ! -e "$T/st/latency_tail.png" ] || fail "stream only: latency graphs drawn"
[ "$(wc -l <"$T/st.err")" -eq 1 ] && grep -q "latency, latency_tail and latency_cdf not drawn: no ping-pong" "$T/st.err" ||
	{ cat "$T/st.err"; fail "stream only: not one note for the latency graphs"; }

# 3e. --cdf-sizes: the sizes asked for, and only those.
"$BIN" plot "$T/b/results.json" --cdf-sizes 2,1k --format svg --out "$T/cdf" >/dev/null 2>&1 || fail "plot --cdf-sizes failed"
for c in "unix, 2 B" "unix, 1 KiB" "shm 4M adaptive, 2 B" "shm 4M adaptive, 1 KiB"; do
	grep -q "$c" "$T/cdf/latency_cdf.svg" || fail "--cdf-sizes: no line '$c'"
done
! grep -q ", 1 B\|16 KiB" "$T/cdf/latency_cdf.svg" || fail "--cdf-sizes: a size not asked for"
expect_fail 2 "bad size 'x'" "$BIN" plot "$T/b/results.json" --cdf-sizes 1,x --out "$T/x"
expect_fail 2 "bad --cdf-sizes '1,,2'" "$BIN" plot "$T/b/results.json" --cdf-sizes 1,,2 --out "$T/x"
expect_fail 2 "bad --cdf-sizes size '0'" "$BIN" plot "$T/b/results.json" --cdf-sizes 0 --out "$T/x"
expect_fail 2 "lists '64K' twice" "$BIN" plot "$T/b/results.json" --cdf-sizes 64K,1,64K --out "$T/x"
expect_fail 2 "at most 8 sizes" "$BIN" plot "$T/b/results.json" --cdf-sizes 1,2,3,4,6,8,12,16,24 --out "$T/x"
expect_fail 2 "no ping-pong results of 3000 bytes" "$BIN" plot "$T/b/results.json" --cdf-sizes 1,3000 --out "$T/x"
expect_fail 2 "no ping-pong results of 1M (1048576 bytes)" "$BIN" plot "$T/b/results.json" --cdf-sizes 1M --out "$T/x"
[ ! -e "$T/x" ] || fail "a bad --cdf-sizes drew something"

# 4. Nothing overwritten without --force; with it, fine.
expect_fail 3 "latency.svg already exists" "$BIN" plot "$T/a/results.csv" --format svg --out "$T/g"
"$BIN" plot "$T/a/results.csv" --format both --out "$T/g" --force >/dev/null || fail "plot --force failed"
is_png "$T/g/latency.png" || fail "--format both drew no PNG"
# run refuses before measuring when graphs (but no results) are in the way.
mkdir -p "$T/c" && : >"$T/c/bandwidth.png"
expect_fail 3 "bandwidth.png already exists" run --out "$T/c"
for g in cpu latency_cdf; do
	mkdir -p "$T/c$g" && : >"$T/c$g/$g.png"
	expect_fail 3 "$g.png already exists" run --out "$T/c$g"
	: >"$T/c$g/$g.svg"
	expect_fail 3 "$g.svg already exists" "$BIN" plot "$T/a/results.csv" --format svg --out "$T/c$g"
done
# With --force, a graph not drawn this time goes: no CDF of another input
# stays beside graphs of a CSV.
"$BIN" plot "$T/b/results.json" --format both --out "$T/f" >/dev/null 2>&1 || fail "plot of a JSON failed"
"$BIN" plot "$T/a/results.csv" --out "$T/f" --force >/dev/null 2>"$T/f.err" || fail "plot --force of a CSV failed"
[ ! -e "$T/f/latency_cdf.png" ] || fail "--force left an old latency_cdf.png"
[ -e "$T/f/latency_cdf.svg" ] || fail "--force removed a graph of a format not drawn"
grep -q "removed the old $T/f/latency_cdf.png" "$T/f.err" || { cat "$T/f.err"; fail "--force did not say what it removed"; }

# 5. Bad input: one line, exit 2.
: >"$T/empty.csv"
printf 'not,a,results,file\n1,2,3,4\n' >"$T/junk.csv"
head -c 3000 /dev/urandom >"$T/random.json"
expect_fail 2 "no-such.csv" "$BIN" plot "$T/no-such.csv"
expect_fail 2 "empty" "$BIN" plot "$T/empty.csv" --out "$T/x"
expect_fail 2 "not a yasmin-bench results file" "$BIN" plot "$T/junk.csv" --out "$T/x"
expect_fail 2 "random.json" "$BIN" plot "$T/random.json" --out "$T/x"
expect_fail 2 "bad --format 'gif'" "$BIN" plot "$T/a/results.csv" --format gif
expect_fail 2 "missing FILE" "$BIN" plot

# 6. Without gnuplot: run still writes CSV and JSON, says why, exits 6.
mkdir -p "$T/bin" # a PATH with nothing in it
expect_fail 6 "gnuplot not found" env PATH="$T/bin" "$BIN" run --quick \
	--transports unix --max-bytes 1K --trial-time 0.005 --out "$T/d"
check_csv "$T/d/results.csv"
"$HELPER" json-check "$T/d/results.json" >/dev/null || fail "JSON not written without gnuplot"
expect_fail 6 "gnuplot not found" env PATH="$T/bin" "$BIN" plot "$T/a/results.csv" --out "$T/e"
exit 0
