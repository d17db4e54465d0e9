# A busy server (one client at a time) says so to a second client and
# keeps serving the first, which leaves no files; a client killed
# mid-stream does not take the server down.
. "$(dirname "$0")/../lib.sh"

port=$(free_port)
bg "$T/srv.log" "$BIN" server "tcp:127.0.0.1:$port" --max-clients 1
srv=$BG_PID
wait_for "$T/srv.log" "listening on"

# Client 1: a long stream sweep (about 4 s).
bg "$T/c1.out" "$BIN" client "tcp:127.0.0.1:$port" --mode stream --max-bytes 1M \
	--trial-time 0.02 --trials 5 --verify --out "$T/c1"
c1=$BG_PID
wait_for "$T/srv.log" "connected"
expect_fail 4 "server busy" "$BIN" client "tcp:127.0.0.1:$port" --quick --out "$T/c2"
[ ! -e "$T/c2" ] || fail "the refused client left its output directory"
wait $c1 || { cat "$T/c1.out"; fail "first client failed after the refusal"; }
grep -q "refused" "$T/srv.log" || fail "server did not log the refusal"

# Client 3 killed with SIGKILL in the middle of a stream.
bg "$T/c3.out" "$BIN" client "tcp:127.0.0.1:$port" --mode stream --max-bytes 4M \
	--trial-time 0.05 --out "$T/c3"
c3=$BG_PID
wait_for "$T/srv.log" "connected" 10
sleep 1
kill -9 $c3
wait $c3 2>/dev/null
wait_for "$T/srv.log" "peer \(closed\|went away\)" 5
kill -0 $srv || fail "server died with its client"

# And it serves the next one.
"$BIN" client "tcp:127.0.0.1:$port" --quick --max-bytes 4K --out "$T/c4" >"$T/c4.out" 2>&1 ||
	{ cat "$T/c4.out" "$T/srv.log"; fail "server did not serve the next client"; }
kill -0 $srv || fail "server died"
kill -INT $srv
wait $srv || fail "server exited $? on SIGINT"
grep -q "stopped" "$T/srv.log" || fail "server did not say it stopped"
exit 0
