# compare: two runs of one build pass, a synthetic 20% latency regression
# fails, bad and non-overlapping inputs exit 2, JSON parses, ratio gates,
# and the example CI gate script works on a short sweep.
. "$(dirname "$0")/../lib.sh"
D=$ROOT/testdata/compare

"$BIN" compare "$D/base.csv" "$D/rerun.csv" >"$T/same.out" ||
	{ cat "$T/same.out"; fail "two runs of the same build compared as a regression"; }
grep -q "^no regression" "$T/same.out" || fail "no verdict line"

# Every ping-pong latency 20% worse (trial spread scaled with it).
awk -F, 'BEGIN { OFS = "," } NR > 1 && $2 == "pingpong" { for (i = 6; i <= 11; i++) $i *= 1.2 } { print }' \
	"$D/base.csv" >"$T/slow.csv"
"$BIN" compare "$D/base.csv" "$T/slow.csv" >"$T/slow.out"
rc=$?
[ $rc -eq 1 ] || { cat "$T/slow.out"; fail "20% latency regression: exit $rc, expected 1"; }
for t in shm unix tcp; do
	grep -q "^$t.* latency .*+20.0%.*REGRESSION" "$T/slow.out" || { cat "$T/slow.out"; fail "$t latency regression not reported"; }
done
grep -q "bandwidth .* ok" "$T/slow.out" || fail "bandwidth wrongly flagged"
# The same, bandwidth only: no regression.
"$BIN" compare --metric bandwidth "$D/base.csv" "$T/slow.csv" >/dev/null ||
	fail "--metric bandwidth looked at latency"
# A 20% regression inside a 30% tolerance passes.
"$BIN" compare --tolerance 30 "$D/base.csv" "$T/slow.csv" >/dev/null ||
	fail "--tolerance 30 flagged a 20% change"
# Improvements are never regressions.
"$BIN" compare "$T/slow.csv" "$D/base.csv" >/dev/null || fail "an improvement failed the check"

# JSON verdict.
"$BIN" compare --json "$D/base.csv" "$T/slow.csv" >"$T/v.json"
"$HELPER" json-valid "$T/v.json" >/dev/null || fail "JSON verdict does not parse"
grep -q '"regressed": true' "$T/v.json" || fail "JSON verdict lacks the regression"
[ "$(grep -c '"curve":' "$T/v.json")" -eq 6 ] || fail "JSON verdict does not list 6 curves"

# Bad input: exit 2, one line.
head -c 2000 "$D/base.csv" >"$T/truncated.csv"
printf 'transport,mode\ntcp,pingpong\n' >"$T/header.csv"
head -c 4000 /dev/urandom >"$T/binary.csv"
awk -F, 'BEGIN { OFS = "," } NR > 1 { $1 = $1 "2" } { print }' "$D/base.csv" >"$T/other.csv"
expect_fail 2 "no-such-file" "$BIN" compare "$D/base.csv" "$T/no-such-file.csv"
expect_fail 2 "truncated.csv:" "$BIN" compare "$D/base.csv" "$T/truncated.csv"
expect_fail 2 "not a yasmin-bench results file" "$BIN" compare "$T/header.csv" "$D/base.csv"
expect_fail 2 "binary.csv" "$BIN" compare "$D/base.csv" "$T/binary.csv"
expect_fail 2 "no point in common" "$BIN" compare "$D/base.csv" "$T/other.csv"
{ cat "$D/base.csv"; sed -n 5p "$D/base.csv"; } >"$T/dup.csv"
expect_fail 2 "dup.csv: two rows for" "$BIN" compare "$D/base.csv" "$T/dup.csv"
# A huge file is refused before it is read (sparse: costs no disk).
cp "$D/base.csv" "$T/huge.csv" && truncate -s 100M "$T/huge.csv"
expect_fail 2 "huge.csv: .*not read" "$BIN" compare "$D/base.csv" "$T/huge.csv"
expect_fail 2 "huge.csv: .*not read" "$BIN" plot "$T/huge.csv" --out "$T/hp"
expect_fail 2 "expected BASELINE and CURRENT" "$BIN" compare "$D/base.csv"
expect_fail 2 "bad --tolerance" "$BIN" compare --tolerance -5 "$D/base.csv" "$D/rerun.csv"
expect_fail 2 "--ratio and --min go together" "$BIN" compare --ratio shm/tcp "$D/base.csv"

# Ratio gates within one run.
"$BIN" compare --ratio shm/tcp --min 5 --metric latency "$D/base.csv" >"$T/r.out" ||
	{ cat "$T/r.out"; fail "shm/tcp latency ratio below 5 in the test data"; }
"$BIN" compare --ratio tcp/shm --min 1 --metric latency "$D/base.csv" >/dev/null
rc=$?
[ $rc -eq 1 ] || fail "an unmet ratio exited $rc, expected 1"
expect_fail 2 "no pingpong rows for vsock" "$BIN" compare --ratio vsock/tcp --min 1 --metric latency "$D/base.csv"

# The example CI gate on a short sweep, with the test data as baseline at
# a tolerance no machine's drift can reach, and again against a baseline
# that cannot be met.
YB=$BIN OUT=$T/gate BASELINE=$D/base.csv TOLERANCE=1000 \
	"$ROOT/scripts/ci-gate.sh" --max-bytes 16K --trial-time 0.005 >"$T/gate.out" 2>&1 ||
	{ cat "$T/gate.out"; fail "ci-gate failed on a healthy build"; }
grep -q "ci-gate: passed" "$T/gate.out" || fail "ci-gate did not say it passed"
# The later columns: p99.9 as a metric, runs verified differently.
# new.csv is base.csv with them added (p99.9 half again the p99, CPU,
# verify no); tail.csv has every p99.9 30% worse and nothing else.
awk -F, 'BEGIN { OFS = "," }
	NR == 1 { print $0 ",lat_p999_us,bw_min_gbps,bw_median_gbps,cpu_client_pct,cpu_server_pct,verify"; next }
	$2 == "stream" { for (i = 6; i <= 11; i++) $i = "" }
	{ p = $2 == "pingpong" ? $9 * 1.5 : ""; print $0, p, $12 * 0.9, $12 * 0.95, 50, 50, "no" }' \
	"$D/base.csv" >"$T/new.csv"
check_rows "$T/new.csv" || fail "the converted baseline breaks its rows' invariants"
awk -F, 'BEGIN { OFS = "," } NR > 1 && $17 != "" { $17 *= 1.3 } { print }' "$T/new.csv" >"$T/tail.csv"
"$BIN" compare --metric p99.9 "$T/new.csv" "$T/tail.csv" >"$T/tail.out"
rc=$?
[ $rc -eq 1 ] || { cat "$T/tail.out"; fail "a 30% p99.9 regression: exit $rc, expected 1"; }
grep -q "^tcp .* p99.9 .*+30.0%.*REGRESSION" "$T/tail.out" || { cat "$T/tail.out"; fail "p99.9 regression not reported"; }
"$BIN" compare --metric latency,p99,bandwidth "$T/new.csv" "$T/tail.csv" >/dev/null ||
	fail "a p99.9-only change failed the p50, p99 or bandwidth check"
sed 's/,no$/,yes/' "$T/new.csv" >"$T/verified.csv"
expect_fail 2 "measured without --verify and .* with it: compare runs made alike, or pass --mixed-verify" \
	"$BIN" compare "$T/new.csv" "$T/verified.csv"
"$BIN" compare --mixed-verify "$T/new.csv" "$T/verified.csv" >/dev/null ||
	fail "--mixed-verify did not allow the comparison"
# A file from before the verify column says nothing either way.
"$BIN" compare "$D/base.csv" "$T/verified.csv" >/dev/null ||
	fail "an old baseline was refused against a verified run"
expect_fail 2 "bad --metric 'p98'" "$BIN" compare --metric p98 "$T/new.csv" "$T/tail.csv"

YB=$BIN OUT=$T/gate2 MIN_LAT=1000000 "$ROOT/scripts/ci-gate.sh" --max-bytes 1K \
	--trial-time 0.005 >"$T/gate2.out" 2>&1
rc=$?
[ $rc -eq 1 ] || { cat "$T/gate2.out"; fail "ci-gate with an impossible ratio exited $rc"; }
exit 0
