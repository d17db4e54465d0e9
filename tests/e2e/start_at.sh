# client --start-at: clients told the same wall-clock time begin together
# (not before it), their results record the time asked for and the start
# made; a start in the past, too far ahead or unreadable is refused; an
# interrupt during the wait ends the client with nothing written.
. "$(dirname "$0")/../lib.sh"

addr="unix:$T/s.sock"
bg "$T/srv.log" "$BIN" server "$addr"
srv=$BG_PID
wait_for "$T/srv.log" "listening on"

at=$(date +%s.%N | awk '{ printf "%.3f", $1 + 1.5 }')
pids=()
for i in 1 2; do
	"$BIN" client "$addr" --start-at "@$at" --quick --max-bytes 1K --no-plot \
		--out "$T/c$i" >"$T/c$i.out" 2>&1 &
	pids+=($!)
done
for i in 1 2; do
	wait "${pids[$((i - 1))]}" || { cat "$T/c$i.out"; fail "client $i with --start-at failed"; }
	grep -q "waiting until $at" "$T/c$i.out" || { cat "$T/c$i.out"; fail "client $i did not say it waits"; }
	check_csv "$T/c$i/results.csv"
	asked=$("$HELPER" json-get "$T/c$i/results.json" meta.start_at | awk '{ print $2 }')
	began=$("$HELPER" json-get "$T/c$i/results.json" meta.started_at | awk '{ print $2 }')
	[ "$asked" = "$at" ] || [ "$asked" = "${at}000" ] || fail "client $i recorded start_at '$asked', asked $at"
	awk -v a="$asked" -v b="$began" 'BEGIN { exit !(b >= a && b - a < 0.2) }' ||
		fail "client $i began at $began for a start at $asked"
done
grep -q "(2 clients at once)" "$T/srv.log" || { cat "$T/srv.log"; fail "the two clients did not run at once"; }

# Refused before anything happens.
expect_fail 2 "in the past" "$BIN" client "$addr" --start-at 2020-01-01T00:00:00Z
expect_fail 2 "more than a day ahead" "$BIN" client "$addr" --start-at +100000
expect_fail 2 "bad --start-at 'soon'" "$BIN" client "$addr" --start-at soon
# An ISO time (UTC) works like @SECONDS.
iso=$(date -u -d '+1 second' +%Y-%m-%dT%H:%M:%S)
"$BIN" client "$addr" --start-at "${iso}Z" --quick --max-bytes 64 -m pingpong --no-plot \
	--out "$T/iso" >"$T/iso.out" 2>&1 || { cat "$T/iso.out"; fail "client --start-at ${iso}Z failed"; }
"$HELPER" json-get "$T/iso/results.json" meta.start_late_ms >/dev/null || fail "no start_late_ms recorded"

# Interrupted while waiting: exits at once, writes nothing.
"$BIN" client "$addr" --start-at +30 --out "$T/int" >"$T/int.out" 2>&1 &
c=$!
sleep 0.5
kill -INT $c
t0=$(date +%s%N)
wait $c
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
[ $rc -eq 130 ] || { cat "$T/int.out"; fail "client interrupted in its wait exited $rc, expected 130"; }
[ $ms -lt 1000 ] || fail "client took $ms ms to stop waiting"
[ ! -e "$T/int" ] || fail "client interrupted before its start left an output directory"
kill -INT $srv
wait $srv || fail "server exited $? on SIGINT"
exit 0
