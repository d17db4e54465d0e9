# A busy shm server (one client at a time, --max-clients 1) refuses a
# second client before allocating anything for it: the client hears "server busy" (exit 4, one line) while the first
# client's soak goes on and completes, and the daemon - traced for
# memfd_create(2) - made a ring for the clients it served and none for the
# one it refused.
. "$(dirname "$0")/../lib.sh"

command -v strace >/dev/null 2>&1 || skip "strace is not installed (scripts/deps.sh installs it)"
strace -f -qq -o /dev/null true 2>/dev/null || skip "strace cannot trace here (ptrace not permitted)"

# Ring memfds the daemon (and the processes it forked) created so far.
rings() { grep -c 'memfd_create("yasmin-bench-ring"' "$T/strace.log"; }

sock=$T/yb.sock
# --seccomp-bpf: only memfd_create stops the daemon, nothing else is slowed.
# LeakSanitizer cannot run under ptrace (it fails the exit of a sanitizer
# build): the leak check of this daemon is valgrind's test's business.
bg "$T/srv.log" env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	strace -f -qq --seccomp-bpf -e trace=memfd_create -e signal=none \
	-o "$T/strace.log" "$BIN" server "shm:$sock" --max-clients 1
tracer=$BG_PID
wait_for "$T/srv.log" "listening on shm:"
srv=$(ps -o pid= --ppid "$tracer" | tr -d ' ')
[ -n "$srv" ] || fail "no daemon under strace"
BG_PIDS+=("$srv")

# Client 1: a soak with every byte checked, long enough to be refused in.
bg "$T/c1.out" "$BIN" client "shm:$sock" --duration 4s --verify --no-plot --out "$T/c1"
c1=$BG_PID
wait_for "$T/srv.log" "connected, served by"
sleep 0.5
kill -0 "$c1" 2>/dev/null || { cat "$T/c1.out"; fail "client 1 ended before the second client came"; }
before=$(rings)
[ "$before" -eq 1 ] || { cat "$T/strace.log"; fail "the daemon made $before rings for one client"; }

# Client 2 while the server is busy.
"$BIN" client "shm:$sock" --quick --out "$T/c2" >"$T/c2.out" 2>"$T/c2.err"
rc=$?
wait_for "$T/srv.log" "refused shm:"
after=$(rings)
[ "$after" -eq "$before" ] || {
	cat "$T/strace.log"
	fail "refusing client 2 cost the server $((after - before)) memfd ring(s)"
}
[ $rc -eq 4 ] || { cat "$T/c2.out" "$T/c2.err"; fail "refused client exited $rc, expected 4"; }
[ "$(wc -l <"$T/c2.err")" -eq 1 ] || { cat "$T/c2.err"; fail "refused client printed $(wc -l <"$T/c2.err") lines on stderr, expected one"; }
grep -q "^yasmin-bench: server busy: it is measuring another client (shm:" "$T/c2.err" ||
	{ cat "$T/c2.err"; fail "refused client does not say the server is busy and with whom"; }
[ ! -e "$T/c2" ] || fail "refused client created its output directory"
grep -q "refused shm:$sock (pid [0-9]*): busy with shm:$sock (pid $c1)" "$T/srv.log" ||
	{ cat "$T/srv.log"; fail "the daemon's log does not name whom it refused and why"; }
note "refused: $(cat "$T/c2.err")"

# Client 1 was not disturbed: its soak completes, every byte verified.
wait "$c1" || { cat "$T/c1.out"; fail "client 1 failed after the refusal"; }
[ "$(awk -F, 'NR > 1' "$T/c1/results.csv" | wc -l)" -ge 1 ] || fail "client 1 wrote no rows"
grep -q "client shm:$sock (pid $c1): finished" "$T/srv.log" || { cat "$T/srv.log"; fail "the daemon did not finish client 1"; }

# The trace sees rings when they are made: the next client gets one.
"$BIN" client "shm:$sock" --quick --max-bytes 4K --no-plot --out "$T/c3" >"$T/c3.out" 2>&1 ||
	{ cat "$T/c3.out" "$T/srv.log"; fail "client 3 was not served"; }
[ "$(rings)" -eq $((before + 1)) ] || { cat "$T/strace.log"; fail "client 3's ring not seen in the trace"; }

kill -INT "$srv"
wait "$tracer" || fail "daemon under strace exited $? on SIGINT"
grep -q "stopped" "$T/srv.log" || fail "daemon did not say it stopped"
exit 0
