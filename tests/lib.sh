# lib.sh - shared by the end-to-end tests (sourced, not run).
#
# Every test gets a private scratch directory, and every background process
# it starts through bg() is killed when it exits, pass or fail.
set -u
T=$(mktemp -d /tmp/yb-e2e.XXXXXX)
BG_PIDS=()
# Every results.csv a test leaves in its scratch directory must keep the
# promises of its rows (check_rows); a test that passed fails otherwise.
cleanup() {
	local rc=$? f bad=0
	for p in "${BG_PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	if [ $rc -eq 0 ]; then
		while IFS= read -r f; do
			check_rows "$f" || bad=1
		done < <(find "$T" -name results.csv -size +0 2>/dev/null)
		[ $bad -eq 0 ] && [ -n "${ROWS_CHECKED_NOTE:-}" ] && note "$ROWS_CHECKED_NOTE"
	fi
	rm -rf "$T"
	[ $bad -eq 0 ] || exit 1
	exit $rc
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

CSV_HEADER=transport,mode,bytes,reps,trials,lat_min_us,lat_mean_us,lat_p50_us,lat_p99_us,lat_max_us,lat_stddev_us,bw_gbps,ring_bytes,wait,pairs,pair,lat_p999_us,bw_min_gbps,bw_median_gbps,cpu_client_pct,cpu_server_pct,verify,direction

# check_csv FILE: header exact, every row has 22 fields, numbers where
# numbers belong (a tiny one in exponent form, 3.64e-05), ring_bytes 0 with wait "none" unless the row is a ring's,
# pair between 0 and pairs; then check_rows.
check_csv() {
	local f=$1
	[ "$(head -n 1 "$f")" = "$CSV_HEADER" ] ||
		fail "$f: wrong header: $(head -n 1 "$f")"
	awk -F, 'NR > 1 { if (NF != 23) { print "line " NR ": " NF " fields"; exit 1 }
	     if ($15 !~ /^[0-9]+$/ || $16 !~ /^[0-9]+$/ || $15 < 1 || $16 > $15) { print "line " NR ": pairs " $15 " pair " $16; exit 1 }
	     for (i = 3; i <= 21; i++) if (i != 14 && $i !~ /^([0-9]+(\.[0-9]+)?(e-[0-9]+)?)?$/) { print "line " NR " field " i ": " $i; exit 1 }
	     for (i = 3; i <= 5; i++) if ($i == "") { print "line " NR " field " i " empty"; exit 1 }
	     if ($2 != "pingpong" && $2 != "stream") { print "line " NR ": mode " $2; exit 1 }
	     if ($2 == "pingpong" ? $23 != "both" : $23 !~ /^(c2s|s2c|both)$/) { print "line " NR ": direction " $23 " on a " $2 " row"; exit 1 }
	     if ($12 == "" || $12 <= 0) { print "line " NR ": no bandwidth"; exit 1 }
	     if ($20 == "" || $21 == "") { print "line " NR ": no CPU figures"; exit 1 }
	     ring = ($1 == "shm" || $1 == "yasmin")
	     if (ring && ($13 < 4096 || $14 !~ /^(poll|block|adaptive)$/)) { print "line " NR ": ring settings " $13 "," $14; exit 1 }
	     if (!ring && ($13 != 0 || $14 != "none")) { print "line " NR ": ring settings on " $1; exit 1 } }' "$f" ||
		fail "$f: malformed rows"
	check_rows "$f" || fail "$f: rows break their invariants"
}

# check_rows FILE: every row keeps what its columns promise, by column
# name (so older files check too, as far as their columns go):
#   ping-pong rows: lat_min <= p50 <= p99 <= p99.9 <= max, min <= mean
#     <= max, all present (a pairs total row excepted: no latency);
#   stream rows and pairs totals: every latency column empty;
#   bw_min <= bw_median <= bw_gbps > 0;
#   CPU of each end 0..100 per connection (a total: 0..100 x pairs);
#   verify one of yes, no, inline; direction c2s, s2c or both (ping-pong:
#   both).
# Prints each broken row; returns 1 if there was one.
check_rows() {
	awk -F, -v file="$1" '
	function num(c) { return (c in col) ? $col[c] : "" }
	function bad(why) { printf "%s:%d: %s: %s\n", file, NR, why, $0; nbad++ }
	NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	NF == 0 { next }
	{
		mode = num("mode"); pair = num("pair"); pairs = num("pairs")
		if (pairs == "") pairs = 1
		total = (pair == "0")
		split("lat_min_us lat_p50_us lat_p99_us lat_p999_us lat_max_us", L, " ")
		if (mode == "stream" || total) {
			for (k in col) if (k ~ /^lat_/ && num(k) != "") { bad(k " present on a " (total ? "total" : "stream") " row"); break }
		} else if (mode == "pingpong") {
			prev = ""; pn = ""
			for (i = 1; i <= 5; i++) {
				if (!(L[i] in col)) continue
				v = num(L[i])
				if (v == "") { bad(L[i] " missing"); break }
				if (prev != "" && v + 0 < prev + 0) { bad(pn " " prev " > " L[i] " " v); break }
				prev = v; pn = L[i]
			}
			m = num("lat_mean_us")
			if (m + 0 < num("lat_min_us") + 0 || m + 0 > num("lat_max_us") + 0) bad("lat_mean_us " m " outside [min, max]")
		}
		bw = num("bw_gbps"); bmin = num("bw_min_gbps"); bmed = num("bw_median_gbps")
		if (bw == "" || bw + 0 <= 0) bad("bw_gbps " bw)
		if (bmin != "" && (bmin + 0 > bmed + 0 || bmed + 0 > bw + 0)) bad("bw_min " bmin ", bw_median " bmed ", bw " bw " out of order")
		lim = 100.5 * (total ? pairs : 1)
		split("cpu_client_pct cpu_server_pct", C, " ")
		for (i = 1; i <= 2; i++) { c = num(C[i]); if (c != "" && (c + 0 < 0 || c + 0 > lim)) bad(C[i] " " c) }
		v = num("verify")
		if ("verify" in col && v != "yes" && v != "no" && v != "inline") bad("verify " v)
		d = num("direction")
		if ("direction" in col && (mode == "pingpong" ? d != "both" : d !~ /^(c2s|s2c|both)$/)) bad("direction " d)
	}
	END { exit nbad > 0 }' "$1"
}

# rows FILE TRANSPORT MODE: number of rows for that pair.
rows() { awk -F, -v t="$2" -v m="$3" '$1 == t && $2 == m' "$1" | wc -l; }

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# The one-second promises (a dead peer noticed, a process gone) hold in
# the default build.  A sanitizer build's processes run several times
# slower and scan for leaks on their way out, and they once missed the
# second on a busy machine: there the bound only tells a process that
# notices and ends from one that hangs.
NOTICE_MS=1000
case ${BUILD:-} in *san*) NOTICE_MS=5000 ;; esac

# served_by LOG: the pid a server daemon logging to LOG forked for its
# latest client.
served_by() { sed -n 's/.*connected, served by pid \([0-9]*\).*/\1/p' "$1" | tail -n 1; }

# kill_serving LOG CLIENT_PID CLIENT_OUT WHAT: kill -9 the daemon's latest
# serving process; the client must exit 1 within a second (NOTICE_MS).  KILL_MS is
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
	[ $KILL_MS -lt $NOTICE_MS ] || fail "$4: dead server noticed after $KILL_MS ms"
}
