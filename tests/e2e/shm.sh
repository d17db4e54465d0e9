# The shm transport: every wait mode and several ring sizes with --verify,
# server and client as separate processes, counters, kill -9 of either
# side noticed within a second, and nothing leaked by the server.
. "$(dirname "$0")/../lib.sh"

# 1. run: 3 ring sizes x 3 wait modes, both modes, every byte checked.
"$BIN" run --transports shm --ring-size 4K,64K,4M --wait poll,block,adaptive \
	--verify --quick --max-bytes 256K --trial-time 0.005 --trials 2 \
	--out "$T/r" >"$T/r.out" 2>&1 || { cat "$T/r.out"; fail "shm run failed"; }
check_csv "$T/r/results.csv"
for size in 4096 65536 4194304; do
	for w in poll block adaptive; do
		for m in pingpong stream; do
			n=$(awk -F, -v s=$size -v w=$w -v m=$m '$1 == "shm" && $13 == s && $14 == w && $2 == m' "$T/r/results.csv" | wc -l)
			[ "$n" -ge 10 ] || fail "shm $size $w $m: $n rows"
		done
	done
done
grep -q '^shm 4K poll ' "$T/r.out" || { cat "$T/r.out"; fail "summary lacks the shm 4K poll curve"; }
grep -q '"4M-adaptive"' "$T/r/results.json" || fail "JSON lacks per-configuration metadata"
grep -q '"notify_suppressed"' "$T/r/results.json" || fail "JSON lacks ring counters"

# 1b. Both ends on one CPU: spinning must not stall the run, and the
# results say where the ends ran.
"$BIN" run --transports shm --cpus 0,0 --wait poll,adaptive --quick \
	--max-bytes 64K --trial-time 0.005 --trials 2 --out "$T/one" >"$T/one.out" 2>&1 ||
	{ cat "$T/one.out"; fail "shm run on one CPU failed"; }
check_csv "$T/one/results.csv"
grep -q '"client_cpu": 0' "$T/one/results.json" && grep -q '"server_cpu": 0' "$T/one/results.json" ||
	fail "placement on one CPU not recorded"

# 2. server and client, two clients in a row, counters on request.
sock=$T/yb.sock
bg "$T/srv.log" "$BIN" server "shm:$sock"
srv=$BG_PID
wait_for "$T/srv.log" "listening on shm:"
base_fds=$(ls /proc/$srv/fd | wc -l)
for i in 1 2; do
	"$BIN" client "shm:$sock" --quick --max-bytes 64K --verify --stats \
		--wait block --ring-size 16K --out "$T/c$i" >"$T/c$i.out" 2>&1 ||
		{ cat "$T/c$i.out" "$T/srv.log"; fail "client $i failed"; }
	check_csv "$T/c$i/results.csv"
done
grep -q '^shm 16K block counters' "$T/c2.out" || { cat "$T/c2.out"; fail "--stats printed no counters"; }
grep -q '^  server .*sleeps [1-9]' "$T/c2.out" || { cat "$T/c2.out"; fail "no server counters (block mode must sleep)"; }
awk -F, 'NR > 1 && ($13 != 16384 || $14 != "block") { exit 1 }' "$T/c1/results.csv" ||
	fail "client rows do not carry the ring settings asked for"

# 3. A client killed with SIGKILL mid-stream, once spinning and once asleep.
for w in poll block; do
	bg "$T/k$w.out" "$BIN" client "shm:$sock" --mode stream --max-bytes 4M \
		--trial-time 0.05 --wait $w --out "$T/k$w"
	k=$BG_PID
	before=$(grep -c "peer \(closed\|went away\)" "$T/srv.log")
	wait_for "$T/srv.log" "connected" 10
	sleep 0.5
	t0=$(date +%s%N)
	kill -9 $k
	while [ "$(grep -c "peer \(closed\|went away\)" "$T/srv.log")" -le "$before" ]; do
		[ $(($(date +%s%N) - t0)) -lt 2000000000 ] || { cat "$T/srv.log"; fail "server did not notice the killed client ($w)"; }
		sleep 0.02
	done
	ms=$((($(date +%s%N) - t0) / 1000000))
	note "server noticed the killed $w client after $ms ms"
	[ $ms -lt $NOTICE_MS ] || fail "server took $ms ms to notice a dead client ($w)"
	wait $k 2>/dev/null
done
kill -0 $srv || fail "server died with its client"

# 4. The serving process killed under a client, spinning and asleep.
for w in poll block; do
	bg "$T/s$w.out" "$BIN" client "shm:$sock" --mode stream --max-bytes 4M \
		--trial-time 0.05 --wait $w --out "$T/s$w"
	k=$BG_PID
	# The daemon names the process serving this client.
	wait_for "$T/srv.log" "pid $k): connected, served by pid" 10
	child=$(sed -n "s/.*pid $k): connected, served by pid \([0-9]*\).*/\1/p" "$T/srv.log")
	[ -n "$child" ] || fail "no serving process named"
	sleep 0.5
	t0=$(date +%s%N)
	kill -9 $child
	wait $k
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	note "client noticed the killed server ($w) after $ms ms, exit $rc: $(tail -n 1 "$T/s$w.out")"
	[ $rc -eq 1 ] || { cat "$T/s$w.out"; fail "client exited $rc after its server was killed ($w)"; }
	grep -q "peer \(closed\|went away\)" "$T/s$w.out" || { cat "$T/s$w.out"; fail "client did not say the peer went away"; }
	[ $ms -lt $NOTICE_MS ] || fail "client took $ms ms to notice a dead server ($w)"
done

# 5. The daemon goes on serving, and holds nothing of past clients.
"$BIN" client "shm:$sock" --quick --max-bytes 4K --out "$T/last" >"$T/last.out" 2>&1 ||
	{ cat "$T/last.out" "$T/srv.log"; fail "server did not serve the next client"; }
sleep 0.2
fds=$(ls /proc/$srv/fd | wc -l)
[ "$fds" -eq "$base_fds" ] || { ls -l /proc/$srv/fd; fail "server holds $fds descriptors, $base_fds before any client"; }
! ls -l /proc/$srv/fd | grep -q memfd || fail "server keeps a memfd open"
! grep -q yasmin-bench-ring /proc/$srv/maps || fail "server keeps a ring mapped"
kill -INT $srv
wait $srv || fail "server exited $? on SIGINT"
[ ! -e "$sock" ] || fail "socket file left behind"

# 6. A reader that does not block: its ring's descriptor becomes readable
# when data arrives (a sleeping side otherwise waits on a futex).
out=$(timeout 20 "$HELPER" nonblock-reader "shm:$T/nb.sock" 2>&1) ||
	{ echo "$out"; fail "a non-blocking reader was not woken through the ring's descriptor"; }
note "$out"
exit 0
