# lib.sh - shared by the end-to-end tests (sourced, not run).
#
# Every test gets a private scratch directory, and every background process
# it starts through bg() is killed when it exits, pass or fail.
set -u
T=$(mktemp -d /tmp/yb-e2e.XXXXXX)
BG_PIDS=()
cleanup() {
	for p in "${BG_PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "$*"; exit 77; }
note() { echo "# $*"; }

# bg LOG cmd... : start in the background, remember the pid in BG_PID.
bg() {
	local log=$1
	shift
	"$@" >"$log" 2>&1 &
	BG_PID=$!
	BG_PIDS+=("$BG_PID")
}

# wait_for FILE PATTERN [SECONDS]: until FILE contains PATTERN.
wait_for() {
	local i
	for i in $(seq 1 $((${3:-10} * 10))); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "--- $1:" >&2
	cat "$1" >&2 2>/dev/null
	fail "timed out waiting for '$2' in $1"
}

# expect_fail STATUS PATTERN cmd... : the command exits with STATUS and
# prints exactly one line on stderr, matching PATTERN.
expect_fail() {
	local want=$1 pat=$2 rc
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc -eq "$want" ] || { cat "$T/err" >&2; fail "'$*' exited $rc, expected $want"; }
	[ "$(wc -l <"$T/err")" -eq 1 ] || { cat "$T/err" >&2; fail "'$*' printed $(wc -l <"$T/err") lines on stderr, expected one"; }
	grep -q -- "$pat" "$T/err" || { cat "$T/err" >&2; fail "'$*': stderr does not match '$pat'"; }
	note "ok: $* -> $rc: $(cat "$T/err")"
}

free_port() { "$HELPER" free-port; }

# check_csv FILE: header exact, every row has 16 fields, numbers where
# numbers belong, ring_bytes 0 with wait "none" unless the row is a ring's,
# pair between 0 and pairs.
check_csv() {
	local f=$1
	[ "$(head -n 1 "$f")" = "transport,mode,bytes,reps,trials,lat_min_us,lat_mean_us,lat_p50_us,lat_p99_us,lat_max_us,lat_stddev_us,bw_gbps,ring_bytes,wait,pairs,pair" ] ||
		fail "$f: wrong header: $(head -n 1 "$f")"
	awk -F, 'NR > 1 { if (NF != 16) { print "line " NR ": " NF " fields"; exit 1 }
	     if ($15 !~ /^[0-9]+$/ || $16 !~ /^[0-9]+$/ || $15 < 1 || $16 > $15) { print "line " NR ": pairs " $15 " pair " $16; exit 1 }
	     for (i = 3; i <= 13; i++) if ($i !~ /^[0-9]+(\.[0-9]+)?$/) { print "line " NR " field " i ": " $i; exit 1 }
	     if ($2 != "pingpong" && $2 != "stream") { print "line " NR ": mode " $2; exit 1 }
	     if ($12 <= 0) { print "line " NR ": zero bandwidth"; exit 1 }
	     ring = ($1 == "shm" || $1 == "yasmin")
	     if (ring && ($13 < 4096 || $14 !~ /^(poll|block|adaptive)$/)) { print "line " NR ": ring settings " $13 "," $14; exit 1 }
	     if (!ring && ($13 != 0 || $14 != "none")) { print "line " NR ": ring settings on " $1; exit 1 } }' "$f" ||
		fail "$f: malformed rows"
}

# rows FILE TRANSPORT MODE: number of rows for that pair.
rows() { awk -F, -v t="$2" -v m="$3" '$1 == t && $2 == m' "$1" | wc -l; }

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# served_by LOG: the pid a server daemon logging to LOG forked for its
# latest client.
served_by() { sed -n 's/.*connected, served by pid \([0-9]*\).*/\1/p' "$1" | tail -n 1; }

# kill_serving LOG CLIENT_PID CLIENT_OUT WHAT: kill -9 the daemon's latest
# serving process; the client must exit 1 within a second.  KILL_MS is
# how long it took.
kill_serving() {
	local child t0 rc
	child=$(served_by "$1")
	[ -n "$child" ] || fail "$4: no serving process for the client"
	t0=$(now_ms)
	kill -9 "$child"
	wait "$2"
	rc=$?
	KILL_MS=$(($(now_ms) - t0))
	[ $rc -eq 1 ] || { cat "$3"; fail "$4: client exited $rc after its server was killed"; }
	[ $KILL_MS -lt 1000 ] || fail "$4: dead server noticed after $KILL_MS ms"
}
