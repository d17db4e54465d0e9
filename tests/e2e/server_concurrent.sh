# One server measures several clients at once, each in a process of its
# own: 2 and 8 at once over tcp, unix and shm all complete, none refused,
# every byte verified, and each run records how many shared the server;
# a client killed mid-run leaves the others to finish; one more than
# --max-clients is refused at once, told the limit; client --pairs N
# measures N connections of one client at once.
. "$(dirname "$0")/../lib.sh"

# start_server NAME ADDRESS [OPTIONS]: a daemon; sets SRV.
start_server() {
	local name=$1 addr=$2
	shift 2
	bg "$T/$name.srv" "$BIN" server "$addr" "$@"
	SRV=$BG_PID
	wait_for "$T/$name.srv" "listening on"
}

for t in tcp unix shm; do
	case $t in
	tcp) addr="tcp:127.0.0.1:$(free_port)" ;;
	*) addr="$t:$T/$t.sock" ;;
	esac
	start_server "$t" "$addr"
	grep -q "up to 16 clients at once" "$T/$t.srv" || { cat "$T/$t.srv"; fail "$t: the server does not say how many it serves at once"; }
	for n in 2 8; do
		pids=()
		for i in $(seq 1 $n); do
			"$BIN" client "$addr" --quick --max-bytes 1K --trials 1 --verify --no-plot \
				--out "$T/$t-$n-$i" >"$T/$t-$n-$i.out" 2>&1 &
			pids+=($!)
		done
		for i in $(seq 1 $n); do
			wait "${pids[$((i - 1))]}" ||
				{ cat "$T/$t-$n-$i.out" "$T/$t.srv"; fail "$t: client $i of $n at once failed"; }
			check_csv "$T/$t-$n-$i/results.csv"
			awk -F, 'NR > 1 && $22 != "yes" { bad = 1 } END { exit bad }' "$T/$t-$n-$i/results.csv" ||
				fail "$t: client $i of $n: rows not verified"
		done
		# They did overlap: some client started while others were served,
		# and its results say so.
		shared=0
		for i in $(seq 1 $n); do
			at=$("$HELPER" json-get "$T/$t-$n-$i/results.json" meta.server.clients_at_start | awk '{ print $2 }')
			[ -n "$at" ] || fail "$t: client $i of $n: no server.clients_at_start"
			[ "$at" -gt 1 ] && shared=$((shared + 1))
		done
		[ $shared -ge 1 ] || { cat "$T/$t.srv"; fail "$t: $n clients never ran at once"; }
		grep -q "^note: the server was serving" "$T/$t-$n-$n.out" "$T/$t-$n-1.out" "$T/$t-$n-2.out" ||
			fail "$t: no client said it shared the server"
		note "$t: $n clients at once, $shared started beside others"
	done
	! grep -q "refused" "$T/$t.srv" || { cat "$T/$t.srv"; fail "$t: the server refused a client under its limit"; }
	kill -INT $SRV
	wait $SRV || fail "$t: server exited $? on SIGINT"
done

# A client killed mid-run: the two beside it finish, the server goes on.
addr="shm:$T/kill.sock"
start_server kill "$addr"
pids=()
for i in 1 2 3; do
	"$BIN" client "$addr" --duration 3s --max-bytes 64K --verify --no-plot \
		--out "$T/k$i" >"$T/k$i.out" 2>&1 &
	pids+=($!)
done
wait_for "$T/kill.srv" "(3 clients at once)"
sleep 0.5
kill -9 "${pids[1]}"
wait "${pids[1]}" 2>/dev/null
for i in 1 3; do
	wait "${pids[$((i - 1))]}" || { cat "$T/k$i.out" "$T/kill.srv"; fail "client $i failed after its neighbour was killed"; }
done
wait_for "$T/kill.srv" "went away\|peer closed" 10
"$BIN" client "$addr" --quick --max-bytes 4K --no-plot --out "$T/k4" >"$T/k4.out" 2>&1 ||
	{ cat "$T/k4.out" "$T/kill.srv"; fail "the server did not serve the next client"; }
kill -INT $SRV
wait $SRV || fail "server exited $? on SIGINT"

# One more than the limit: refused at once, told the limit.
addr="unix:$T/full.sock"
start_server full "$addr" --max-clients 2
pids=()
for i in 1 2; do
	"$BIN" client "$addr" --duration 3s --max-bytes 4K --no-plot --out "$T/f$i" >"$T/f$i.out" 2>&1 &
	pids+=($!)
done
wait_for "$T/full.srv" "(2 clients at once)"
expect_fail 4 "server full: it is serving 2 clients, its limit (server --max-clients 2)" \
	"$BIN" client "$addr" --quick --out "$T/f3"
[ ! -e "$T/f3" ] || fail "the refused client created its output directory"
grep -q "refused .*: 2 clients at once, the limit" "$T/full.srv" || { cat "$T/full.srv"; fail "the server did not log the refusal"; }
for i in 1 2; do
	wait "${pids[$((i - 1))]}" || { cat "$T/f$i.out"; fail "client $i failed beside the refusal"; }
done
kill -INT $SRV
wait $SRV || fail "server exited $? on SIGINT"
expect_fail 2 "bad --max-clients '0'" "$BIN" server "$addr" --max-clients 0

# client --pairs: N connections from one client in lock-step, a row per
# pair and their total, as run --pairs writes them.
for t in tcp shm; do
	case $t in
	tcp) addr="tcp:127.0.0.1:$(free_port)" ;;
	*) addr="$t:$T/p$t.sock" ;;
	esac
	start_server "p$t" "$addr"
	"$BIN" client "$addr" --pairs 3 --quick --max-bytes 4K --verify --no-plot \
		--out "$T/p$t" >"$T/p$t.out" 2>&1 || { cat "$T/p$t.out" "$T/p$t.srv"; fail "$t: client --pairs 3 failed"; }
	check_csv "$T/p$t/results.csv"
	awk -F, 'NR > 1 { seen[$16] = 1; if ($15 != 3 || $22 != "yes") bad = 1 }
		END { exit bad || !(0 in seen) || !(1 in seen) || !(3 in seen) }' "$T/p$t/results.csv" ||
		fail "$t: client --pairs 3 rows lack a pair, the total, or verification"
	# Trials overlap is checked where the ends sleep (tcp): six spinning
	# shm processes on two CPUs take turns.
	over=$t
	[ $t = tcp ] || over=
	"$HELPER" pairs-check "$T/p$t/results.json" $over >"$T/p$t.check" 2>&1 ||
		{ cat "$T/p$t.check"; fail "$t: client --pairs totals do not follow from their trials"; }
	grep -q "(3 clients at once)" "$T/p$t.srv" || { cat "$T/p$t.srv"; fail "$t: the server never served the 3 pairs at once"; }
	kill -INT $SRV
	wait $SRV || fail "$t: server exited $? on SIGINT"
done
# More pairs than the server takes at once: refused, no files left.
start_server pfull "unix:$T/pf.sock" --max-clients 2
expect_fail 4 "server full" "$BIN" client "unix:$T/pf.sock" --pairs 3 --quick --no-plot --out "$T/pf"
[ ! -e "$T/pf" ] || fail "client --pairs refused left its output directory"
kill -INT $SRV
wait $SRV || fail "server exited $? on SIGINT"
expect_fail 2 "--duration and --pairs do not go together" "$BIN" client "unix:$T/pf.sock" --pairs 2 --duration 1s
exit 0
