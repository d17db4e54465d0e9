# bench: one short round produces every figure and every target line.
# (It reports performance; this only checks that it measures.)
. "$(dirname "$0")/../lib.sh"

"$BIN" bench --rounds 1 --trial-time 0.005 --out "$T/b" >"$T/out" 2>&1 ||
	{ cat "$T/out"; fail "bench failed"; }
out=$("$HELPER" json-check "$T/b/round-1/results.json") || fail "round results unreadable"
for f in "cache line" "memcpy, one core, 1 MiB" "shm adaptive, 1 B" "shm block, 1 B" \
	"unix, 1 B" "tcp, 1 B" "shm stream, 1 MiB" "tcp stream, 64 KiB" "2 pairs at once" \
	"duplex lines, core to core" "cross-core copy, 64 KiB" "cross-core copy, 1 MiB" \
	"shm block, 1 B, CPU per message" "unix, 1 B, CPU per message" \
	"sleep and wake-up, core to core" "shm adaptive, 1 MiB one-way" "shm poll, 1 MiB one-way"; do
	line=$(grep -F "$f" "$T/out" | head -n 1)
	[ -n "$line" ] || fail "no figure '$f'"
	case $line in *"not measured"*) fail "figure '$f' not measured" ;; esac
done
n=$(grep -cE ' (met|MISSED)( \(needs .*\))?$' "$T/out")
[ "$n" -eq 12 ] || { cat "$T/out"; fail "$n target lines, expected 12"; }
for t in "shm adaptive latency / duplex-line floor" "shm bandwidth / cross-core copy, 64 KiB" \
	"shm bandwidth / cross-core copy, 1 MiB" "shm block CPU per message / unix CPU per message" \
	"shm 2 pairs total / 1 pair, 1 MiB" "shm adaptive / poll latency, 1 MiB"; do
	grep -qF "\"target\": \"$t\"" "$T/b/bench.json" || fail "bench.json lacks the target '$t'"
done
# A target two cores cannot reach says so where there are fewer than four.
if [ "$(nproc)" -lt 4 ]; then
	grep -F "2 pairs total" "$T/out" | grep -q "cannot show" || fail "the pairs target does not say it cannot show here"
fi
# The floors are physical: a small message between two cores costs at
# least a few ns, and a cross-core copy is a copy, bounded by the rate.
awk '/^duplex lines, core to core/ { if ($(NF-2) + 0 < 5) bad = 1; seen = 1 }
     /^cross-core copy, 1 MiB/ { if ($(NF-2) + 0 <= 0) bad = 1; seen++ }
     /^sleep and wake-up, core to core/ { if ($(NF-2) + 0 < 0.1 || $(NF-2) + 0 > 100000) bad = 1; seen++ }
     END { exit bad || seen != 3 }' "$T/out" || { cat "$T/out"; fail "duplex-line, cross-core copy or wake-up figure implausible"; }
# The round's rings recorded how adaptive waiting chose its spin.
grep -q '"spin_rule": "sleep-and-wake-up cost"' "$T/b/round-1/results.json" ||
	fail "the spin budget's rule is not in the results"
grep -q '"rounds_completed": 1' "$T/b/bench.json" || fail "bench.json incomplete"
! grep -q 'null' "$T/b/bench.json" || fail "bench.json has missing figures"
# Results are not overwritten without --force.
expect_fail 3 "already exists" "$BIN" bench --rounds 1 --out "$T/b"
exit 0
