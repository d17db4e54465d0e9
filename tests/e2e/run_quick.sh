# run --quick: rows for tcp and unix in both modes, valid CSV and JSON,
# existing results refused without --force.
. "$(dirname "$0")/../lib.sh"

"$BIN" run --quick --out "$T/r" >"$T/stdout" 2>"$T/stderr" ||
	{ cat "$T/stderr"; fail "run --quick failed"; }
check_csv "$T/r/results.csv"
for t in tcp unix; do
	for m in pingpong stream; do
		n=$(rows "$T/r/results.csv" $t $m)
		[ "$n" -ge 15 ] || fail "$t $m: only $n rows"
		note "$t $m: $n rows"
	done
done
# --quick goes to 1M with no perturbation: the last size is exactly 1M.
last=$(awk -F, '$1 == "tcp" && $2 == "stream" { b = $3 } END { print b }' "$T/r/results.csv")
[ "$last" = 1048576 ] || fail "largest size is $last, expected 1048576"
# The summary names both transports and the ratio to tcp.
grep -q '^tcp .*1.00x' "$T/stdout" || { cat "$T/stdout"; fail "no tcp summary row"; }
grep -q '^unix ' "$T/stdout" || fail "no unix summary row"

out=$("$HELPER" json-check "$T/r/results.json") || fail "JSON unreadable"
total=$(($(wc -l <"$T/r/results.csv") - 1))
[ "$out" = "results $total complete 1" ] || fail "JSON: '$out', CSV has $total rows"
for key in '"version"' '"host"' '"kernel"' '"cpu_model"' '"clock_resolution_ns"' '"placement"'; do
	grep -q "$key" "$T/r/results.json" || fail "JSON metadata lacks $key"
done
# Two CPUs or more: the ends were pinned to different CPUs.
if [ "$(nproc)" -ge 2 ]; then
	grep -q 'pinned to two different CPUs' "$T/r/results.json" || fail "placement not recorded"
fi

# Not overwritten without --force; nothing is measured when refused.
sum=$(md5sum <"$T/r/results.csv")
expect_fail 3 "already exists; use --force" "$BIN" run --quick --out "$T/r"
[ "$(md5sum <"$T/r/results.csv")" = "$sum" ] || fail "results.csv changed"
"$BIN" run --quick --transports unix --mode pingpong --max-bytes 64 --out "$T/r" --force >/dev/null 2>&1 ||
	fail "--force refused"
[ "$(rows "$T/r/results.csv" tcp pingpong)" -eq 0 ] || fail "--force did not replace the file"
[ "$(rows "$T/r/results.csv" unix pingpong)" -gt 0 ] || fail "--force run wrote nothing"
exit 0
