# diag: text and JSON views of the same facts, no root needed, Xen facts
# with reasons on a host without Xen, probes, bad arguments.
. "$(dirname "$0")/../lib.sh"

"$BIN" diag >"$T/d.txt" 2>"$T/d.err" || { cat "$T/d.err"; fail "diag failed"; }
[ ! -s "$T/d.err" ] || { cat "$T/d.err"; fail "diag wrote to stderr"; }
for s in host: xen: vsock: transports:; do
	grep -q "^$s" "$T/d.txt" || fail "no section $s"
done
grep -q "cpus_online *[0-9]" "$T/d.txt" || fail "no CPU count"
grep -q "clock_resolution_ns *[0-9]" "$T/d.txt" || fail "no clock resolution"
awk '$1 == "clock_read_ns" && $2 + 0 > 0 { ok = 1 } END { exit !ok }' "$T/d.txt" || fail "no clock read cost"
cs=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null || echo unknown)
grep -q "clocksource *$cs$" "$T/d.txt" || fail "clocksource is not $cs"
grep -q "memlock_limit" "$T/d.txt" || fail "no locked-memory limit"
for t in $("$BIN" transports | awk '$2 ~ /available/ { print $1 }'); do
	grep -q "^  $t  *\(available\|unavailable: .\)" "$T/d.txt" || fail "transport $t not reported"
done
if [ "$(cat /sys/hypervisor/type 2>/dev/null)" != xen ]; then
	grep -q "guest  *no (" "$T/d.txt" || fail "not-Xen not explained"
	grep -q "devices.gntalloc *absent" "$T/d.txt" || fail "gntalloc device not reported"
	grep -q "xenstore  *not reachable (" "$T/d.txt" || fail "XenStore reason missing"
fi

"$BIN" diag --json >"$T/d.json" || fail "diag --json failed"
keys=$("$HELPER" json-valid "$T/d.json") || fail "diag JSON does not parse"
for k in host xen vsock transports; do
	echo "$keys" | grep -qx "$k" || fail "JSON lacks $k"
done

# Without root: same sections, nothing crashes.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$BIN" diag --json >"$T/n.json" 2>"$T/n.err" ||
		{ cat "$T/n.err"; fail "diag as nobody failed"; }
	"$HELPER" json-valid "$T/n.json" >/dev/null || fail "diag JSON as nobody does not parse"
	grep -q '"note"' "$T/n.json" || fail "diag as nobody does not say what it cannot see"
fi

# Probes, and a run's figures beside them.
"$BIN" run --quick --transports unix --max-bytes 4K --trial-time 0.005 --no-plot --out "$T/r" >/dev/null 2>&1 ||
	fail "run for diag failed"
"$BIN" diag --probe --results "$T/r/results.csv" >"$T/p.txt" || fail "diag --probe failed"
grep -q "memcpy_1m_gbytes *[0-9][0-9.]*$" "$T/p.txt" || fail "no memcpy figure"
if [ "$(nproc)" -ge 2 ]; then
	grep -q "cacheline_one_way_ns *[0-9][0-9.]*$" "$T/p.txt" || fail "no cache-line figure"
	grep -q "unix.latency_1b .* the cache-line trip" "$T/p.txt" || fail "run's latency not set beside the probe"
fi
grep -q "unix.peak_bandwidth .* of one-core memcpy" "$T/p.txt" || fail "run's bandwidth not set beside the probe"

expect_fail 2 "--results goes with --probe" "$BIN" diag --results "$T/r/results.csv"
expect_fail 2 "bad --peer 'x'" "$BIN" diag --peer x
expect_fail 2 "no-such" "$BIN" diag --probe --results "$T/no-such.csv"
exit 0
