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

# A peer that goes away mid-soak: the totals of the trials done in full
# are kept - the row, and the totals with how it ended - the run is marked
# incomplete, and it fails.
"$BIN" run --transports unix --duration 60s --verify --max-bytes 64K --no-plot \
	--out "$T/cut" >"$T/cut.out" 2>&1 &
pid=$!
sleep 3
srv=$(pgrep -P $pid | head -n 1)
[ -n "$srv" ] || { kill $pid; fail "no server process under run"; }
kill -9 "$srv"
wait $pid
rc=$?
cat "$T/cut.out"
[ $rc -ne 0 ] && [ $rc -ne 130 ] || fail "a soak whose server was killed: exit $rc"
grep -q '"complete": false' "$T/cut/results.json" || fail "the cut soak is not marked incomplete"
jn() { "$HELPER" json-get "$T/cut/results.json" "$1" | cut -d' ' -f2; }
bytes=$(jn meta.soak.unix.bytes)
[ "${bytes:-0}" -gt 0 ] || fail "the cut soak kept no bytes"
[ "$(jn meta.soak.unix.verified_bytes)" = "$bytes" ] || fail "verified bytes differ from bytes"
[ "$(jn meta.soak.unix.messages)" -gt 0 ] || fail "the cut soak kept no messages"
ended=$("$HELPER" json-get "$T/cut/results.json" meta.soak.unix.ended | cut -d' ' -f2-)
case $ended in
"error: "*"peer went away"*) ;;
*) fail "the cut soak does not say how it ended: '$ended'" ;;
esac
grep -q "^soak unix: .* delivered and verified before it stopped.*(cut short by the error below)" "$T/cut.out" ||
	fail "the cut soak's summary"
[ "$(($(wc -l <"$T/cut/results.csv") - 1))" -eq 1 ] || fail "the cut soak recorded no row"
awk -F, 'NR == 2 { exit !($2 == "stream" && $3 == 65536 && $5 >= 1 && $12 > 0) }' "$T/cut/results.csv" ||
	fail "the cut soak's row: $(sed -n 2p "$T/cut/results.csv")"
note "killed server: $bytes bytes kept, ended $ended"

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
