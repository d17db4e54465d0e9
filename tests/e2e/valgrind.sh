# The end-to-end paths under valgrind memcheck: local sweeps over every
# local transport (ring sizes, wait modes, pairs, soak, --verify, graphs),
# a server daemon and its clients (including one killed mid-stream), a
# hostile ring, Ctrl-C, compare, plot, merge, diag and the error paths.  Every
# process (forked children included, one log each) must end with no
# memory error and no definite or indirect leak.
. "$(dirname "$0")/../lib.sh"
case $BUILD in *san*) skip "valgrind and AddressSanitizer do not mix" ;; esac
command -v valgrind >/dev/null 2>&1 || skip "valgrind is not installed (scripts/deps.sh installs it)"

VG=(valgrind --error-exitcode=99 --leak-check=full
	--show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect
	--log-file="$T/vg/%p.log")
mkdir "$T/vg"
vg() { "${VG[@]}" "$BIN" "$@"; }
# ok_run NAME cmd...: the command (under valgrind) exits 0.
ok_run() {
	local name=$1
	shift
	"$@" >"$T/$name.out" 2>&1
	local rc=$?
	[ $rc -eq 0 ] || { cat "$T/$name.out"; fail "$name: exit $rc"; }
}
q="--quick --max-bytes 4K --no-plot"

ok_run sweep vg run --quick --max-bytes 16K --verify --out "$T/sweep"
ls "$T"/sweep/*.png >/dev/null || fail "sweep drew no graphs"
ok_run rings vg run -t shm --ring-size 4K,64K --wait poll,block --stats $q --verify --out "$T/rings"
ok_run pairs vg run -t shm --pairs 2 $q --out "$T/pairs"
ok_run soak vg run -t shm --duration 2 --max-bytes 64K --verify --no-plot --out "$T/soak"

# A daemon: two good clients under valgrind, one plain client killed -9
# mid-stream between them, then Ctrl-C.
for t in shm tcp; do
	case $t in
	tcp) addr=tcp:127.0.0.1:$(free_port) ;;
	*) addr=$t:$T/$t.sock ;;
	esac
	bg "$T/$t.srv" "${VG[@]}" "$BIN" server "$addr"
	srv=$BG_PID
	wait_for "$T/$t.srv" "listening on" 30
	ok_run "$t-c1" vg client "$addr" $q --verify --out "$T/$t-c1"
	bg "$T/$t-k.out" "$BIN" client "$addr" --mode stream --max-bytes 4M --no-plot --out "$T/$t-k"
	k=$BG_PID
	sleep 1
	kill -9 $k
	wait $k 2>/dev/null
	wait_for "$T/$t.srv" "peer \(closed\|went away\)" 30
	ok_run "$t-c2" vg client "$addr" $q --out "$T/$t-c2"
	kill -INT $srv
	wait $srv || fail "$t: daemon under valgrind exited $?"
done

# A hostile ring: the client ends the connection, cleanly.
bg "$T/hostile.srv" "$HELPER" hostile-ring-server "shm:$T/hostile.sock" prod-ahead
wait_for "$T/hostile.srv" "listening"
vg client "shm:$T/hostile.sock" --quick --max-bytes 4K --out "$T/hostile" >"$T/hostile.out" 2>&1
rc=$?
[ $rc -eq 1 ] || { cat "$T/hostile.out"; fail "hostile ring: exit $rc, expected 1"; }
grep -q "peer corrupted ring" "$T/hostile.out" || fail "hostile ring: no clear error"

# Ctrl-C in the middle of a run.
"${VG[@]}" "$BIN" run -t shm,unix --max-bytes 1M --trial-time 0.05 --no-plot --out "$T/int" >"$T/int.out" 2>&1 &
p=$!
for i in $(seq 300); do
	[ -f "$T/int/results.csv" ] && [ "$(wc -l <"$T/int/results.csv")" -ge 4 ] && break
	sleep 0.1
done
kill -INT $p
wait $p
rc=$?
[ $rc -eq 130 ] || { cat "$T/int.out"; fail "interrupted run exited $rc, expected 130"; }
check_csv "$T/int/results.csv"

# The file-handling commands and the error paths.
ok_run compare vg compare "$T/sweep/results.csv" "$T/sweep/results.json"
ok_run plot vg plot "$T/rings/results.csv" "$T/pairs/results.json" --out "$T/plots"
ok_run merge vg merge "$T/sweep" "$T/pairs/results.json" --sizes 1K,4K --format both --out "$T/merge"
ok_run diag vg diag
ok_run diagj vg diag --json
ok_run transports vg transports
printf 'transport,mode\nx,y\n' >"$T/bad.csv"
vg compare "$T/bad.csv" "$T/sweep/results.csv" >"$T/badcmp.out" 2>&1
[ $? -eq 2 ] || { cat "$T/badcmp.out"; fail "compare of a bad file did not exit 2"; }
vg client "tcp:no-such-host-name.invalid:1" --quick >"$T/badaddr.out" 2>&1
[ $? -ne 99 ] || { cat "$T/badaddr.out"; fail "bad address: memcheck errors"; }
vg run --min-bytes 0 --no-plot --out "$T/badopt" >"$T/badopt.out" 2>&1
[ $? -eq 2 ] || { cat "$T/badopt.out"; fail "bad option did not exit 2"; }

# Every process's verdict.
logs=$(ls "$T"/vg/*.log | wc -l)
bad=$(grep -l "ERROR SUMMARY: [1-9]" "$T"/vg/*.log)
[ -z "$bad" ] || { cat $bad >&2; fail "memcheck errors in $(echo $bad | wc -w) of $logs processes"; }
clean=$(grep -l "ERROR SUMMARY: 0 errors" "$T"/vg/*.log | wc -l)
[ "$clean" -ge 20 ] || fail "only $clean of $logs processes reported a summary"
note "$clean processes under memcheck ended with 0 errors and no leaks ($logs logs; the rest were killed on purpose or exec'd gnuplot)"
exit 0
