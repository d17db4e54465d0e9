# Soak mode: a short --duration run over shm with --verify moves data in
# one-second trials, records one row and its totals, and memory stays flat.
. "$(dirname "$0")/../lib.sh"

"$BIN" run --transports shm --duration 4s --verify --max-bytes 256K --no-plot \
	--out "$T/s" >"$T/out" 2>&1 || { cat "$T/out"; fail "soak failed"; }
check_csv "$T/s/results.csv"
[ "$(($(wc -l <"$T/s/results.csv") - 1))" -eq 1 ] || fail "a soak records one row"
awk -F, 'NR == 2 && !($2 == "stream" && $3 == 262144 && $5 >= 3) { exit 1 }' "$T/s/results.csv" ||
	fail "soak row: $(sed -n 2p "$T/s/results.csv")"
line=$(grep '^soak shm 4M adaptive: ' "$T/out") || { cat "$T/out"; fail "no soak summary"; }
note "$line"
echo "$line" | grep -q "delivered and verified, 0 corrupted bytes" || fail "soak did not verify"
for k in bytes messages mean_gbps client_rss_start_kib client_rss_end_kib; do
	grep -q "\"$k\"" "$T/s/results.json" || fail "JSON lacks soak.$k"
done
grep -q '"rss_kib"' "$T/s/results.json" || fail "server memory not recorded"
# Memory flat: the client's resident size grows by less than 4 MiB.
start=$(sed -n 's/.*"client_rss_start_kib": \([0-9]*\).*/\1/p' "$T/s/results.json")
end=$(sed -n 's/.*"client_rss_end_kib": \([0-9]*\).*/\1/p' "$T/s/results.json")
[ $((end - start)) -lt 4096 ] || fail "client memory grew from $start to $end KiB"

# A bare number is seconds (it once meant microseconds: a 0.7 s "soak").
"$BIN" run --transports shm --duration 2 --max-bytes 64K --no-plot \
	--out "$T/bare" >"$T/out" 2>&1 || { cat "$T/out"; fail "--duration 2 failed"; }
grep -q '"duration_s": 2' "$T/bare/results.json" ||
	grep -q '^soak shm 4M adaptive: [2-9]' "$T/out" ||
	{ cat "$T/out"; fail "--duration 2 did not soak for 2 s"; }
expect_fail 2 "bad --duration '0s'" "$BIN" run --duration 0s --out "$T/x"
expect_fail 2 "bad --duration 'soon'" "$BIN" run --duration soon --out "$T/x"
expect_fail 2 "bad --duration '31d'" "$BIN" run --duration 31d --out "$T/x"
expect_fail 2 "--duration and --pairs" "$BIN" run --duration 10s --pairs 2 --out "$T/x"
exit 0
