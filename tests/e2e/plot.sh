# Graphs: run draws them by default, plot overlays files, formats, clear
# errors for missing gnuplot and bad files, nothing overwritten unasked.
. "$(dirname "$0")/../lib.sh"
command -v gnuplot >/dev/null || fail "gnuplot missing (scripts/deps.sh installs gnuplot-nox)"

is_png() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] && [ "$(stat -c %s "$1")" -gt 10000 ]; }

run() { "$BIN" run --quick --transports shm,unix --max-bytes 16K --trial-time 0.005 --trials 2 "$@"; }

# 1. run draws three PNGs next to its results.
run --out "$T/a" >"$T/a.out" 2>&1 || { cat "$T/a.out"; fail "run failed"; }
for g in latency bandwidth latency_tail; do
	is_png "$T/a/$g.png" || fail "$g.png missing or not a PNG"
done
grep -q "^graphs: $T/a/latency.png" "$T/a.out" || fail "run does not say where the graphs are"

# 2. --no-plot draws none.
run --no-plot --out "$T/b" >/dev/null 2>&1 || fail "run --no-plot failed"
[ ! -e "$T/b/latency.png" ] || fail "--no-plot drew graphs"

# 3. plot: two runs overlaid, SVG, curves named after their files.
"$BIN" plot "$T/a/results.csv" "$T/b/results.json" --format svg --out "$T/g" >"$T/g.out" 2>&1 ||
	{ cat "$T/g.out"; fail "plot failed"; }
grep -q "3 graphs in $T/g/" "$T/g.out" || { cat "$T/g.out"; fail "plot did not report 3 graphs"; }
for g in latency bandwidth latency_tail; do
	[ -s "$T/g/$g.svg" ] || fail "$g.svg missing"
	grep -q '<svg' "$T/g/$g.svg" || fail "$g.svg is not SVG"
	for c in "a: shm 4M adaptive" "b: unix"; do
		grep -q "$c" "$T/g/$g.svg" || fail "$g.svg lacks the curve '$c'"
	done
done
grep -q "message size (bytes)" "$T/g/latency.svg" || fail "no axis label"
grep -q ">1K<" "$T/g/latency.svg" || fail "size axis not labelled with 1K"
grep -q "yasmin-bench .* - .* - 20" "$T/g/latency.svg" || fail "title lacks version, host and date"

# 3b. The scripts on the checked-in test data, both formats.
"$BIN" plot "$ROOT/testdata/compare/base.csv" --format both --out "$T/td" >/dev/null ||
	fail "plot of testdata failed"
for g in latency bandwidth latency_tail; do
	is_png "$T/td/$g.png" || fail "testdata $g.png not a PNG"
	grep -q "shm 4M adaptive" "$T/td/$g.svg" || fail "testdata $g.svg lacks the shm curve"
done

# 4. Nothing overwritten without --force; with it, fine.
expect_fail 3 "latency.svg already exists" "$BIN" plot "$T/a/results.csv" --format svg --out "$T/g"
"$BIN" plot "$T/a/results.csv" --format both --out "$T/g" --force >/dev/null || fail "plot --force failed"
is_png "$T/g/latency.png" || fail "--format both drew no PNG"
# run refuses before measuring when graphs (but no results) are in the way.
mkdir -p "$T/c" && : >"$T/c/bandwidth.png"
expect_fail 3 "bandwidth.png already exists" run --out "$T/c"

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
