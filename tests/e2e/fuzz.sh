# The fuzz harnesses (ring against a hostile peer, control-protocol
# decoders), each for a bounded time from the seed corpus in testdata/,
# under ASan + UBSan: any crash, leak, overflow or broken invariant fails.
# FUZZ_SECONDS (default 10) sets the time per harness.
. "$(dirname "$0")/../lib.sh"
secs=${FUZZ_SECONDS:-10}
for h in ring proto xenstore; do
	f=$ROOT/$BUILD/fuzz/fuzz_$h
	[ -x "$f" ] || fail "$f not built (make fuzz; clang comes from scripts/deps.sh)"
	mkdir -p "$T/$h"
	cp "$ROOT/testdata/fuzz/$h/"* "$T/$h/"
	seeds=$(ls "$T/$h" | wc -l)
	[ "$seeds" -gt 10 ] || fail "seed corpus for $h has only $seeds inputs"
	(cd "$T" && "$f" -max_total_time="$secs" -print_final_stats=1 \
		-artifact_prefix="$T/crash-$h-" "$T/$h") >"$T/$h.log" 2>&1 ||
		{ tail -n 30 "$T/$h.log"; fail "fuzz_$h found a problem"; }
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$T/$h.log")
	[ "${runs:-0}" -gt 1000 ] || { tail "$T/$h.log"; fail "fuzz_$h ran only ${runs:-0} inputs"; }
	note "fuzz_$h: $runs inputs in ${secs}s from $seeds seeds, no findings"
done
exit 0
