# kill -9 of either side, mid ping-pong and mid stream, over every local
# transport: the survivor notices within a second, the daemon goes on
# serving, and it holds no descriptor of a dead client afterwards.
. "$(dirname "$0")/../lib.sh"

# connections FILE: how many clients the daemon has taken so far.
connections() { grep -c "connected, served by pid" "$1"; }
# wait_more FILE N: until the daemon has taken more than N clients.
wait_more() {
	local i
	for i in $(seq 100); do
		[ "$(connections "$1")" -gt "$2" ] && return 0
		sleep 0.1
	done
	cat "$1"
	fail "no new client in $1"
}

for t in tcp unix shm; do
	case $t in
	tcp) addr=tcp:127.0.0.1:$(free_port) ;;
	*) addr=$t:$T/$t.sock ;;
	esac
	bg "$T/$t.srv" "$BIN" server "$addr"
	srv=$BG_PID
	wait_for "$T/$t.srv" "listening on"
	base=$(ls /proc/$srv/fd | wc -l)
	for mode in pingpong stream; do
		# The client dies.
		c0=$(connections "$T/$t.srv")
		bg "$T/c.out" "$BIN" client "$addr" --mode $mode --max-bytes 4M \
			--trial-time 0.05 --no-plot --out "$T/c-$t-$mode"
		k=$BG_PID
		wait_more "$T/$t.srv" "$c0"
		sleep 0.5
		n=$(grep -c "peer \(closed\|went away\)" "$T/$t.srv")
		t0=$(now_ms)
		kill -9 $k
		until [ "$(grep -c "peer \(closed\|went away\)" "$T/$t.srv")" -gt "$n" ]; do
			[ $(($(now_ms) - t0)) -lt 3000 ] || { cat "$T/$t.srv"; fail "$t $mode: dead client not noticed"; }
			sleep 0.02
		done
		ms=$(($(now_ms) - t0))
		[ $ms -lt $NOTICE_MS ] || fail "$t $mode: dead client noticed after $ms ms"
		wait $k 2>/dev/null
		# The serving process dies.
		c0=$(connections "$T/$t.srv")
		bg "$T/s.out" "$BIN" client "$addr" --mode $mode --max-bytes 4M \
			--trial-time 0.05 --no-plot --out "$T/s-$t-$mode"
		k=$BG_PID
		wait_more "$T/$t.srv" "$c0"
		sleep 0.5
		kill_serving "$T/$t.srv" $k "$T/s.out" "$t $mode"
		note "$t $mode: survivor noticed within a second ($KILL_MS ms for the client)"
	done
	# Still serving, and nothing of the dead clients kept.
	"$BIN" client "$addr" --quick --max-bytes 1K --no-plot --out "$T/last-$t" >/dev/null 2>&1 ||
		{ cat "$T/$t.srv"; fail "$t: server did not serve the next client"; }
	sleep 0.3
	fds=$(ls /proc/$srv/fd | wc -l)
	[ "$fds" -eq "$base" ] || { ls -l /proc/$srv/fd; fail "$t: server holds $fds descriptors, $base at start"; }
	kill -INT $srv
	wait $srv
done
exit 0
