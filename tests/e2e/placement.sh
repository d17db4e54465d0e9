# Where the ends run: run's default placement and its relation, --cpus on
# server and client (checked where the processes really are), the clock's
# read cost and clocksource on both ends, and bad --cpus values.
. "$(dirname "$0")/../lib.sh"

get() { "$HELPER" json-get "$@" || fail "$1 lacks $2"; }
# A JSON number above 0 (an integer or a real, never a string).
positive() {
	case $1 in
	integer\ * | real\ *) awk -v x="${1#* }" 'BEGIN { exit !(x > 0) }' ;;
	*) false ;;
	esac
}
is_relation() {
	case $1 in
	smt-siblings | same-llc | distinct-cores | cross-llc | cross-numa | same-cpu | unpinned | unknown | different-hosts) ;;
	*) fail "'$1' is not a relation" ;;
	esac
}
sys=/sys/devices/system/cpu
core_of() { cat "$sys/cpu$1/topology/core_cpus_list" 2>/dev/null || cat "$sys/cpu$1/topology/thread_siblings_list" 2>/dev/null; }

allowed=$(awk '/^Cpus_allowed_list/ { n = split($2, r, ",")
	for (i = 1; i <= n; i++) { split(r[i], b, "-"); if (b[2] == "") b[2] = b[1]
		for (c = b[1]; c <= b[2]; c++) printf "%d ", c } }' /proc/self/status)
set -- $allowed
ncpu=$#

# 1. run: the default placement, on stdout before the sweep and in the JSON.
"$BIN" run -t unix --quick --mode pingpong --max-bytes 64 --no-plot --out "$T/r" >"$T/r.out" 2>&1 ||
	{ cat "$T/r.out"; fail "run failed"; }
j=$T/r/results.json
rel=$(get "$j" meta.placement.relation) && rel=${rel#string }
is_relation "$rel"
[ "$(sed -n 2p "$T/r.out" | cut -c1-11)" = "placement: " ] ||
	{ cat "$T/r.out"; fail "run does not print its placement before measuring"; }
if [ "$ncpu" -ge 2 ]; then
	c=$(get "$j" meta.placement.client_cpu) s=$(get "$j" meta.placement.server_cpu)
	c=${c#integer } s=${s#integer }
	[ "$c" -ge 0 ] && [ "$s" -ge 0 ] && [ "$c" != "$s" ] || fail "run placed its ends on CPUs '$c' and '$s'"
	grep -q "^placement: client CPU $c, server CPU $s ($rel" "$T/r.out" ||
		{ cat "$T/r.out"; fail "the placement line disagrees with the JSON"; }
	# SMT siblings only when every allowed CPU is a sibling of the first.
	first=$(core_of "$1")
	others=0
	for x in "$@"; do [ "$(core_of "$x")" != "$first" ] && others=1; done
	if [ -n "$first" ] && [ $others -eq 1 ]; then
		[ "$(core_of "$c")" != "$(core_of "$s")" ] || fail "SMT siblings $c,$s chosen though other cores exist"
		[ "$rel" != smt-siblings ] || fail "relation smt-siblings for CPUs of different cores"
	fi
	# No cache directory (this kind of VM): say the LLC is unknown.
	if [ ! -d "$sys/cpu$c/cache" ] && [ "$rel" = distinct-cores ]; then
		get "$j" meta.placement.relation_note | grep -q "last-level cache" ||
			fail "relation_note does not say the last-level cache is unknown"
	fi
	[ ! -d "$sys/cpu$c/cache" ] || [ "$rel" != distinct-cores ] ||
		fail "distinct-cores although sysfs lists the caches"
	# --cpus A,A: both on one CPU.
	"$BIN" run -t unix --cpus "$c,$c" --quick --mode pingpong --max-bytes 8 --no-plot --out "$T/same" >/dev/null 2>&1 ||
		fail "run --cpus $c,$c failed"
	[ "$(get "$T/same/results.json" meta.placement.relation)" = "string same-cpu" ] ||
		fail "--cpus $c,$c not recorded as same-cpu"
else
	[ "$rel" = unpinned ] || fail "one CPU, yet relation $rel"
	get "$j" meta.placement.relation_note | grep -q "one CPU allowed" || fail "one CPU not noted"
fi
# run --pairs: every pair's relation, beside its CPUs.
"$BIN" run -t unix --pairs 2 --quick --mode pingpong --max-bytes 8 --no-plot --out "$T/p" >/dev/null 2>&1 ||
	fail "run --pairs 2 failed"
for i in 1 2; do
	r=$(get "$T/p/results.json" meta.placement.unix.pair$i.relation) && r=${r#string }
	is_relation "$r"
	if [ "$ncpu" -ge 2 ]; then
		[ "$r" != same-cpu ] && [ "$r" != unpinned ] || fail "pair $i spread, yet relation $r"
	fi
done
# The clock: its read cost a positive number, its clocksource as sysfs says.
positive "$(get "$j" meta.clock_read_ns)" || fail "clock_read_ns: $(get "$j" meta.clock_read_ns)"
cs=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null || echo unknown)
[ "$(get "$j" meta.clocksource)" = "string $cs" ] || fail "clocksource: $(get "$j" meta.clocksource), sysfs says $cs"

# 2. server --cpus and client --cpus: each end where it was told.
if [ "$ncpu" -ge 2 ]; then cc=$1 sc=$2; else cc=$1 sc=$1; fi
bg "$T/srv.log" "$BIN" server "unix:$T/s.sock" --cpus "$sc"
srv=$BG_PID
wait_for "$T/srv.log" "listening on .*pinned to CPU $sc"
[ "$(awk '/^Cpus_allowed_list/ { print $2 }' /proc/$srv/status)" = "$sc" ] || fail "server daemon not pinned to $sc"
# A soak long enough to look at both processes while they measure.
bg "$T/c.out" "$BIN" client "unix:$T/s.sock" --cpus "$cc" --duration 2s --max-bytes 4K --no-plot --out "$T/c"
cli=$BG_PID
wait_for "$T/srv.log" "served by pid"
child=$(served_by "$T/srv.log")
[ "$(awk '/^Cpus_allowed_list/ { print $2 }' /proc/$child/status)" = "$sc" ] || fail "serving process $child not pinned to $sc"
[ "$(awk '/^Cpus_allowed_list/ { print $2 }' /proc/$cli/status)" = "$cc" ] || fail "client not pinned to $cc"
wait $cli || { cat "$T/c.out"; fail "client --cpus failed"; }
j=$T/c/results.json
[ "$(get "$j" meta.placement.client_cpu)" = "integer $cc" ] || fail "placement.client_cpu is not $cc"
[ "$(get "$j" meta.placement.server_cpu)" = "integer $sc" ] || fail "placement.server_cpu is not $sc"
[ "$(get "$j" meta.server.cpu)" = "integer $sc" ] || fail "server.cpu is not $sc"
[ "$(get "$j" meta.server.cpu_pinned)" = "string yes" ] || fail "server.cpu_pinned is not yes"
[ "$(get "$j" meta.placement.client_pinned)" = "string yes" ] || fail "placement.client_pinned is not yes"
[ "$(get "$j" meta.server.boot_id)" = "string $(cat /proc/sys/kernel/random/boot_id)" ] || fail "server.boot_id wrong"
# Same host, both pinned: the relation run records for the same CPUs.
"$BIN" run -t unix --cpus "$cc,$sc" --quick --mode pingpong --max-bytes 8 --no-plot --out "$T/same2" >/dev/null 2>&1 ||
	fail "run --cpus $cc,$sc failed"
want=$(get "$T/same2/results.json" meta.placement.relation)
[ "$(get "$j" meta.placement.relation)" = "$want" ] || fail "client relation $(get "$j" meta.placement.relation), run says $want"
grep -q "^placement: client CPU $cc, server CPU $sc (${want#string }" "$T/c.out" ||
	{ cat "$T/c.out"; fail "client does not print its placement"; }
positive "$(get "$j" meta.server.clock_read_ns)" || fail "server.clock_read_ns: $(get "$j" meta.server.clock_read_ns)"
positive "$(get "$j" meta.clock_read_ns)" || fail "client clock_read_ns"
[ "$(get "$j" meta.server.clocksource)" = "string $cs" ] || fail "server.clocksource"

# An unpinned client against the pinned server: no relation claimed.
"$BIN" client "unix:$T/s.sock" --quick --mode pingpong --max-bytes 8 --no-plot --out "$T/u" >"$T/u.out" 2>&1 ||
	{ cat "$T/u.out"; fail "unpinned client failed"; }
if [ "$ncpu" -ge 2 ]; then
	[ "$(get "$T/u/results.json" meta.placement.relation)" = "string unpinned" ] || fail "unpinned client: relation $(get "$T/u/results.json" meta.placement.relation)"
	[ "$(get "$T/u/results.json" meta.placement.client_pinned)" = "string no" ] || fail "unpinned client recorded as pinned"
	get "$T/u/results.json" meta.placement.relation_note | grep -q "client is not pinned" || fail "no note on the unpinned client"
fi
kill $srv

# 3. Bad values: one line, exit 2, nothing started.
expect_fail 2 "bad --cpus 'x'" "$BIN" client "unix:$T/s.sock" --cpus x --out "$T/x"
expect_fail 2 "bad --cpus '0,1'" "$BIN" client "unix:$T/s.sock" --cpus 0,1 --out "$T/x"
expect_fail 2 "bad --cpus '-1'" "$BIN" server "unix:$T/x.sock" --cpus -1
expect_fail 2 "bad --cpus ''" "$BIN" server "unix:$T/x.sock" --cpus ''
expect_fail 2 "CPU 1000 is not online" "$BIN" server "unix:$T/x.sock" --cpus 1000
expect_fail 2 "CPU 1000 is not online" "$BIN" client "unix:$T/s.sock" --cpus 1000 --out "$T/x"
[ ! -e "$T/x" ] && [ ! -e "$T/x.sock" ] || fail "a refused command left files behind"
exit 0
