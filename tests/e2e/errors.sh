# Bad input: one clear line, the documented exit status, no crash or hang.
. "$(dirname "$0")/../lib.sh"

expect_fail 2 "unknown transport 'nosuch'" "$BIN" run --transports nosuch --out "$T/x"
expect_fail 2 "unknown transport 'nosuch'" "$BIN" client nosuch:1 --out "$T/x"
expect_fail 2 "expected TRANSPORT:ADDRESS" "$BIN" client 127.0.0.1 --out "$T/x"
expect_fail 2 "bad tcp port" "$BIN" client tcp:127.0.0.1:99999 --out "$T/x"
expect_fail 2 "bad tcp address" "$BIN" client tcp:::1:80 --out "$T/x"
expect_fail 2 "bad size '12Q'" "$BIN" run --max-bytes 12Q --out "$T/x"
expect_fail 2 "bad size" "$BIN" run --min-bytes -5 --out "$T/x"
expect_fail 2 "larger than --max-bytes" "$BIN" run --min-bytes 8K --max-bytes 1K --out "$T/x"
expect_fail 2 "at most 1G" "$BIN" run --max-bytes 2G --out "$T/x"
expect_fail 2 "bad --mode" "$BIN" run --mode sideways --out "$T/x"
expect_fail 2 "bad --trials" "$BIN" run --trials 0 --out "$T/x"
expect_fail 2 "bad --trial-time" "$BIN" run --trial-time -1 --out "$T/x"
expect_fail 2 "bad --cpus" "$BIN" run --cpus 1 --out "$T/x"
expect_fail 2 "not online" "$BIN" run --cpus 0,1000 --out "$T/x"
expect_fail 2 "missing ADDRESS" "$BIN" server
expect_fail 2 "unknown command" "$BIN" frobnicate
[ ! -e "$T/x" ] || fail "a refused command created its output directory"

# Unwritable output: a path below a regular file (root may write anywhere).
touch "$T/file"
expect_fail 3 "cannot create output directory" "$BIN" run --quick --out "$T/file/sub"

# Port in use.
port=$(free_port)
bg "$T/srv.log" "$BIN" server "tcp:127.0.0.1:$port"
wait_for "$T/srv.log" "listening on"
expect_fail 1 "address already in use" "$BIN" server "tcp:127.0.0.1:$port"
# A unix path that is a live server, and one that is a regular file.
bg "$T/usrv.log" "$BIN" server "unix:$T/live.sock"
wait_for "$T/usrv.log" "listening on"
expect_fail 1 "address already in use" "$BIN" server "unix:$T/live.sock"
echo precious >"$T/regular"
expect_fail 3 "not a socket" "$BIN" server "unix:$T/regular"
[ "$(cat "$T/regular")" = precious ] || fail "regular file clobbered"

# Nobody listening.
dead=$(free_port)
expect_fail 1 "Connection refused" "$BIN" client "tcp:127.0.0.1:$dead" --out "$T/d"

# A peer of another protocol version, either way round (version 1 is the
# one before the server's GO on every run).
p2=$(free_port)
bg "$T/old.log" "$HELPER" old-server "tcp:127.0.0.1:$p2" 1
wait_for "$T/old.log" listening
expect_fail 4 "protocol version 1" "$BIN" client "tcp:127.0.0.1:$p2" --quick --out "$T/o"
"$HELPER" old-client "tcp:127.0.0.1:$port" 7 >"$T/oc.out" 2>&1
grep -q "protocol version 7 is not supported" "$T/oc.out" || { cat "$T/oc.out"; fail "server did not explain the version mismatch"; }

# A peer that is not yasmin-bench at all.
p3=$(free_port)
bg "$T/junk.log" "$HELPER" garbage-server "tcp:127.0.0.1:$p3"
wait_for "$T/junk.log" listening
expect_fail 4 "does not speak the yasmin-bench protocol" "$BIN" client "tcp:127.0.0.1:$p3" --quick --out "$T/g"

# The real server is still fine after all that.
"$BIN" client "tcp:127.0.0.1:$port" --quick --max-bytes 1K --mode pingpong --out "$T/ok" >/dev/null 2>&1 ||
	fail "server unusable after the bad clients"

# --verify catches a peer that corrupts data.
p4=$(free_port)
bg "$T/bad.log" "$HELPER" corrupt-server "tcp:127.0.0.1:$p4"
wait_for "$T/bad.log" listening
expect_fail 5 "verification failed" "$BIN" client "tcp:127.0.0.1:$p4" --quick --verify --mode pingpong --min-bytes 64 --out "$T/v"
exit 0
