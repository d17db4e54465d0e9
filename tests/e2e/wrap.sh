# wrap: unmodified programs carried over the shm ring.  NetPIPE's NPtcp
# and iperf3 from Debian, and our own epoll echo server and clients
# (tests/helper_wrap.c), run under `yasmin-bench wrap`:
#   - both ends wrapped: the connections are rings (each end says so) and
#     every byte our clients send comes back checked, over poll, select,
#     a dup()ed socket, a forked child and an edge-triggered epoll server;
#   - a wrapped client of an unwrapped listener and an unwrapped client of
#     a wrapped listener keep to TCP, at the same time as ring clients, and
#     so do both ends when --peer names a Xen domain on a host without Xen;
#   - a peer killed with SIGKILL mid-stream is seen within a second, and
#     no rendezvous socket outlives its listener;
#   - wrap's own errors are one line each.
. "$(dirname "$0")/../lib.sh"

W=$(dirname "$HELPER")/helper_wrap
[ -x "$W" ] || fail "no $W (make $(dirname "$HELPER")/helper_wrap)"
for p in NPtcp iperf3; do
	command -v $p >/dev/null || fail "$p is missing (scripts/deps.sh installs netpipe-tcp and iperf3)"
done
wrap() { "$BIN" wrap -v "$@"; }
# Under the sanitizers our own test programs carry ASan, which wants its
# runtime first among the libraries; the shim comes first and does not
# replace malloc, so that order is fine.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
PORTS=
port() { p=$(free_port); PORTS="$PORTS $p"; }

# ---- NetPIPE: a whole sweep, wrapped at both ends ----------------------------
port
bg "$T/np-srv.log" wrap -- NPtcp -P "$p" -l 1 -u 65536 -o "$T/np-srv.out"
wait_for "$T/np-srv.log" "listen 0.0.0.0:$p"
(cd "$T" && timeout 120 "$BIN" wrap -v -- NPtcp -h 127.0.0.1 -P "$p" -l 1 -u 65536 \
	-o "$T/np.out") >"$T/np-cli.log" 2>&1 || { cat "$T/np-cli.log"; fail "wrapped NPtcp failed"; }
grep -q "connect 127.0.0.1:$p .*: shm ring" "$T/np-cli.log" || { cat "$T/np-cli.log"; fail "NPtcp's connection did not get a ring"; }
wait_for "$T/np-srv.log" "accept 127.0.0.1:[0-9]*: shm ring"
rows=$(awk '$1 >= 1 && $2 > 0' "$T/np.out" | wc -l)
[ "$rows" -ge 40 ] || fail "NPtcp wrote $rows rows"
awk '$1 == 65536 { found = 1 } END { exit !found }' "$T/np.out" || fail "NPtcp's sweep did not reach 64 KiB"
# The same sweep over TCP, for the figures (a benchmark's business, so
# noted, never judged here).
p2=$(free_port)
bg "$T/np-tsrv.log" NPtcp -P "$p2" -l 1 -u 65536 -o "$T/np-tsrv.out"
sleep 0.3
(cd "$T" && timeout 120 NPtcp -h 127.0.0.1 -P "$p2" -l 1 -u 65536 -o "$T/npt.out") \
	>"$T/np-tcli.log" 2>&1 || { cat "$T/np-tcli.log"; fail "plain NPtcp failed"; }
note "NPtcp 1 byte: tcp $(awk '$1 == 1 { printf "%.2f", $3 * 1e6 }' "$T/npt.out") us, wrapped $(awk '$1 == 1 { printf "%.2f", $3 * 1e6 }' "$T/np.out") us; 64 KiB: tcp $(awk '$1 == 65536 { print $2 }' "$T/npt.out") Mbit/s, wrapped $(awk '$1 == 65536 { print $2 }' "$T/np.out") Mbit/s"

# ---- iperf3, both directions ---------------------------------------------------
# -Z: iperf3 sends with sendfile(2), which the library copies.
for dir in -Z -R; do
	port
	bg "$T/ip-srv.log" wrap -- iperf3 -s -1 -p "$p"
	wait_for "$T/ip-srv.log" "listen .*:$p"
	timeout 60 "$BIN" wrap -v -- iperf3 -c 127.0.0.1 -p "$p" -t 1 $dir -J \
		>"$T/ip.json" 2>"$T/ip-cli.log" || { cat "$T/ip-cli.log" "$T/ip.json"; fail "wrapped iperf3 $dir failed"; }
	n=$(grep -c ": shm ring" "$T/ip-cli.log")
	[ "$n" -ge 2 ] || { cat "$T/ip-cli.log"; fail "iperf3 $dir: $n of its 2 connections got a ring"; }
	bps=$("$HELPER" json-get "$T/ip.json" end.sum_received.bits_per_second | awk '{ print $2 }')
	awk -v b="$bps" 'BEGIN { exit !(b > 0) }' || fail "iperf3 $dir received nothing ($bps)"
	note "iperf3 wrapped $dir: $(awk -v b="$bps" 'BEGIN { printf "%.1f", b / 1e9 }') Gbit/s"
done

# ---- our own programs: everything checked, rings and TCP side by side --------------
port
bg "$T/echo.log" wrap -- "$W" serve "$p" 6 et
wait_for "$T/echo.log" "listening $p"
pids=()
wrap -- "$W" client "$p" 3000000 1 >"$T/c1.out" 2>&1 & pids+=($!)
wrap -- "$W" client "$p" 3000000 2 select >"$T/c2.out" 2>&1 & pids+=($!)
wrap -- "$W" client "$p" 1000000 3 dup >"$T/c3.out" 2>&1 & pids+=($!)
wrap -- "$W" fork "$p" 1000000 4 >"$T/c4.out" 2>&1 & pids+=($!)
"$W" client "$p" 3000000 5 >"$T/c5.out" 2>&1 & pids+=($!)
"$W" client "$p" 100000 6 select >"$T/c6.out" 2>&1 & pids+=($!)
for i in 1 2 3 4 5 6; do
	wait "${pids[$((i - 1))]}" || { cat "$T/c$i.out"; fail "echo client $i failed"; }
	grep -q "^ok " "$T/c$i.out" || { cat "$T/c$i.out"; fail "echo client $i: no ok"; }
done
wait_for "$T/echo.log" "served 6"
rings=$(grep -c "accept .*: shm ring" "$T/echo.log")
tcps=$(grep -c "accept .*: tcp (not a wrapped client)" "$T/echo.log")
[ "$rings" -eq 4 ] && [ "$tcps" -eq 2 ] || { cat "$T/echo.log"; fail "expected 4 rings and 2 TCP clients, saw $rings and $tcps"; }
for i in 1 2 3 4; do
	grep -q "connect 127.0.0.1:$p .*: shm ring" "$T/c$i.out" || { cat "$T/c$i.out"; fail "wrapped client $i did not get a ring"; }
done
note "echo server (epoll, edge-triggered): $rings ring clients and $tcps TCP clients at once, every byte checked"

# A level-triggered epoll server, and clients on dup2()ed descriptors.
port
bg "$T/lt.log" wrap -- "$W" serve "$p" 2
wait_for "$T/lt.log" "listening $p"
wrap -- "$W" client "$p" 2000000 11 dup2 >"$T/c11.out" 2>&1 &
lt=$!
wrap -- "$W" client "$p" 2000000 12 >"$T/c12.out" 2>&1 || { cat "$T/c12.out"; fail "client of the level-triggered server failed"; }
wait $lt || { cat "$T/c11.out"; fail "dup2 client failed"; }
wait_for "$T/lt.log" "served 2"
[ "$(grep -c "accept .*: shm ring" "$T/lt.log")" -eq 2 ] || { cat "$T/lt.log"; fail "the level-triggered server's clients are not both rings"; }

# A wrapped client of a listener that is not wrapped keeps to TCP.
port
bg "$T/plain.log" "$W" serve "$p" 1
wait_for "$T/plain.log" "listening $p"
wrap -- "$W" client "$p" 500000 9 >"$T/c9.out" 2>&1 || { cat "$T/c9.out"; fail "wrapped client of a plain listener failed"; }
grep -q "tcp (no wrapped listener here)" "$T/c9.out" || { cat "$T/c9.out"; fail "no word of the fallback to TCP"; }
grep -q "^ok " "$T/c9.out" || fail "wrapped client of a plain listener: data"

# Xen peers named where there is no Xen: both ends keep to TCP and say why.
port
bg "$T/xl.log" wrap --transport yasmin --peer 127.0.0.1=3 -- "$W" serve "$p" 1
wait_for "$T/xl.log" "listening $p"
grep -q "listen .*: no yasmin rings (" "$T/xl.log" || { cat "$T/xl.log"; fail "a yasmin listener without Xen did not say why it has no rings"; }
wrap --peer 127.0.0.1=3 -- "$W" client "$p" 300000 21 >"$T/c21.out" 2>&1 || { cat "$T/c21.out"; fail "client of domain 3 (no Xen here) failed"; }
grep -q "connect 127.0.0.1:$p: tcp (domain 3: " "$T/c21.out" || { cat "$T/c21.out"; fail "no word of the client's fallback to TCP"; }
grep -q "^ok " "$T/c21.out" || fail "client of domain 3 (no Xen here): data"
wait_for "$T/xl.log" "served 1"

# ---- a peer killed mid-stream ------------------------------------------------------
for victim in server client; do
	port
	bg "$T/k-srv.log" "$BIN" wrap -- "$W" serve "$p" 1
	srv=$BG_PID
	wait_for "$T/k-srv.log" "listening $p"
	bg "$T/k-cli.log" "$BIN" wrap -v -- "$W" stream "$p"
	cli=$BG_PID
	wait_for "$T/k-cli.log" "streaming"
	sleep 0.5
	grep -q ": shm ring" "$T/k-cli.log" || { cat "$T/k-cli.log"; fail "the streaming client has no ring"; }
	killed=$(date +%s%3N)
	if [ $victim = server ]; then
		kill -9 "$srv"
		wait_for "$T/k-cli.log" "gone at" 5
		at=$(sed -n 's/^gone at \([0-9]*\):.*/\1/p' "$T/k-cli.log")
		ms=$((at - killed))
		how=$(sed -n 's/^gone at [0-9]*: //p' "$T/k-cli.log")
	else
		kill -9 "$cli"
		wait_for "$T/k-srv.log" "served 1" 5
		ms=$(($(date +%s%3N) - killed))
		how="the server's epoll saw the end of the stream"
	fi
	[ "$ms" -lt "$NOTICE_MS" ] || fail "a killed $victim was noticed after $ms ms"
	note "$victim killed with SIGKILL: noticed in $ms ms ($how)"
done

# ---- a descriptor closed under a thread blocked in read() ---------------------------
port
bg "$T/cl-srv.log" "$BIN" wrap -- "$W" serve "$p" 1
wait_for "$T/cl-srv.log" "listening $p"
timeout 20 "$BIN" wrap -v -- "$W" closer "$p" >"$T/closer.out" 2>&1 ||
	{ cat "$T/closer.out"; fail "closing a socket under a blocked reader killed the program"; }
grep -q ": shm ring" "$T/closer.out" && grep -q "^ok closed under a blocked reader" "$T/closer.out" ||
	{ cat "$T/closer.out"; fail "closer: no ring, or it did not finish"; }
wait_for "$T/cl-srv.log" "served 1" 5

# ---- signals: a blocking read restarts under SA_RESTART, and fails with
# EINTR without it, over TCP and over the ring alike.
for how in plain wrapped; do
	port
	bg "$T/sig-srv.log" "$BIN" wrap -- "$W" serve "$p" 1
	wait_for "$T/sig-srv.log" "listening $p"
	if [ $how = wrapped ]; then
		timeout 20 "$BIN" wrap -v -- "$W" signals "$p" >"$T/sig.out" 2>&1
	else
		timeout 20 "$W" signals "$p" >"$T/sig.out" 2>&1
	fi || { cat "$T/sig.out"; fail "signals ($how) failed"; }
	grep -q "^ok restarted" "$T/sig.out" || { cat "$T/sig.out"; fail "signals ($how): no ok"; }
	[ $how = plain ] || grep -q ": shm ring" "$T/sig.out" || { cat "$T/sig.out"; fail "signals: no ring"; }
	wait_for "$T/sig-srv.log" "served 1" 5
done

# ---- nothing left behind ---------------------------------------------------------------
# Every wrapped program has ended (the killed ones, and the rest once
# served); none of their rendezvous sockets is left.
for i in $(seq 50); do
	still=$(for pid in "${BG_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && echo "$pid"; done | wc -l)
	[ "$still" -eq 0 ] && break
	sleep 0.1
done
[ "$still" -eq 0 ] || fail "$still wrapped programs still running"
for q in $PORTS; do
	! grep -q "@yasmin-bench-wrap:.*:$q\$" /proc/net/unix ||
		fail "the rendezvous of port $q outlived its listener"
done
note "no rendezvous socket left for ports $PORTS"

# ---- wrap's own errors ---------------------------------------------------------------------
expect_fail 2 "no program to run" "$BIN" wrap
expect_fail 2 "bad --ring-size '3K'" "$BIN" wrap --ring-size 3K -- true
expect_fail 2 "bad --wait 'sometimes'" "$BIN" wrap --wait sometimes -- true
expect_fail 2 "bad --transport 'tcp'" "$BIN" wrap --transport tcp -- true
expect_fail 2 "bad --accept-timeout" "$BIN" wrap --accept-timeout 0 -- true
expect_fail 2 "preload $T/none.so" "$BIN" wrap --preload "$T/none.so" -- true
expect_fail 127 "cannot run no-such-program" "$BIN" wrap -- no-such-program
# The program's own status comes back.
"$BIN" wrap -- sh -c 'exit 7'
[ $? -eq 7 ] || fail "wrap did not pass on the program's exit status"
# A setting the shim cannot read turns it off, and says so; the program
# runs over TCP.
port
bg "$T/off-srv.log" "$W" serve "$p" 1
wait_for "$T/off-srv.log" "listening $p"
LD_PRELOAD=$(dirname "$BIN")/libyasmin-bench-preload.so YB_WRAP_RING_BYTES=3 \
	"$W" client "$p" 10000 1 >"$T/off.out" 2>&1 || { cat "$T/off.out"; fail "a client with a bad setting failed"; }
grep -q "off, every connection is plain TCP: YB_WRAP_RING_BYTES=3" "$T/off.out" || { cat "$T/off.out"; fail "the shim did not say why it is off"; }
exit 0
