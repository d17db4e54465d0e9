#!/bin/bash
# ab-rates.sh - how often the A/B gate cries wolf, and how often it catches
# a real slowdown, measured on this machine (a benchmark: it prints
# figures and never fails on them).
#
# Runs GATES gates of `yasmin-bench ab` with default settings for each
# case: the same build against itself (every alarm is a false one), and a
# candidate whose figures for TRANSPORT are exactly PCT percent slower,
# for each PCT in LEVELS (the slowed build, tests/slowdown.c: the shift is
# known exactly while the noise is the machine's own; every gate that
# does not flag TRANSPORT's latency missed it).  Each gate is judged by
# ab's default test and again, from the same runs, by every other test in
# METHODS (ab --rejudge).  Prints one line per gate and a table of rates;
# every gate's files stay under OUT.
#
# Environment: YB (default build/default/yasmin-bench), SLOW (default
# build/default/tests/yasmin-bench-slowed) and HELPER (helper_peer beside
# it, which reads the verdicts; `make check` builds both), GATES (20),
# LEVELS ("10 15 20"), CASES ("same" and the levels; e.g. CASES="same
# 15"), TRANSPORT (unix), METHODS ("rank-sum signed-rank"; the first is
# ab's default), OUT (a fresh directory under /tmp), AB_OPTS (options for
# ab itself).  Arguments replace the run options of each gate, by default:
#   --transports unix,tcp,shm --mode pingpong --quick --max-bytes 64K
#
#   scripts/ab-rates.sh                      # the whole table
#   GATES=5 CASES="same 15" scripts/ab-rates.sh
set -u
cd "$(dirname "$0")/.."
YB=${YB:-build/default/yasmin-bench}
SLOW=${SLOW:-build/default/tests/yasmin-bench-slowed}
HELPER=${HELPER:-$(dirname "$SLOW")/helper_peer}
GATES=${GATES:-20}
LEVELS=${LEVELS:-10 15 20}
TRANSPORT=${TRANSPORT:-unix}
CASES=${CASES:-same $LEVELS}
METHODS=${METHODS:-rank-sum signed-rank}
OUT=${OUT:-$(mktemp -d /tmp/yb-ab-rates.XXXXXX)}
AB_OPTS=${AB_OPTS:-}
if [ $# -gt 0 ]; then
	RUN=("$@")
else
	RUN=(--transports unix,tcp,shm --mode pingpong --quick --max-bytes 64K)
fi
for b in "$YB" "$SLOW" "$HELPER"; do
	[ -x "$b" ] || { echo "ab-rates: no executable $b (make check builds it)" >&2; exit 2; }
done
mkdir -p "$OUT"
cp "$YB" "$OUT/yasmin-bench-copy" # the same build at another path
jget() { "$HELPER" json-get "$@" 2>/dev/null | cut -d' ' -f2-; }

# judge FILE: "any hit estimate low high" for TRANSPORT's latency.
judge() {
	local f=$1 i c m any=0 hit=0 e=nan lo=nan hi=nan
	[ "$(jget "$f" regressed)" = true ] && any=1
	for i in $(seq 0 63); do
		c=$(jget "$f" curves.$i.curve)
		[ -n "$c" ] || break
		m=$(jget "$f" curves.$i.metric)
		if [ "$c" = "$TRANSPORT" ] && [ "$m" = latency ]; then
			e=$(jget "$f" curves.$i.median_change_pct)
			lo=$(jget "$f" curves.$i.interval_low_pct)
			hi=$(jget "$f" curves.$i.interval_high_pct)
			[ "$(jget "$f" curves.$i.regressed)" = true ] && hit=1
		fi
	done
	echo "$any $hit ${e:-nan} ${lo:-nan} ${hi:-nan}"
}

echo "ab-rates: $GATES gates per case ($CASES), ${TRANSPORT} slowed; run options: ${RUN[*]}"
echo "ab-rates: files in $OUT"
declare -A alarms hits secs est
for c in $CASES; do
	secs[$c]=0
	for m in $METHODS; do alarms[$c.$m]=0 hits[$c.$m]=0 est[$c.$m]=""; done
	mkdir -p "$OUT/$c"
	for g in $(seq 1 "$GATES"); do
		dir=$OUT/$c/gate-$g
		t0=$(date +%s)
		if [ "$c" = same ]; then
			"$YB" ab "$YB" "$OUT/yasmin-bench-copy" $AB_OPTS --json --no-plot \
				--out "$dir" "${RUN[@]}" > "$dir.json" 2> "$dir.err"
		else
			YB_SLOWDOWN=$TRANSPORT:$c "$YB" ab "$YB" "$SLOW" $AB_OPTS --json \
				--no-plot --out "$dir" "${RUN[@]}" > "$dir.json" 2> "$dir.err"
		fi
		rc=$?
		t=$(( $(date +%s) - t0 ))
		secs[$c]=$(( ${secs[$c]} + t ))
		if [ $rc -gt 1 ]; then
			echo "gate $c/$g: ab failed (exit $rc): $(tail -n 1 "$dir.err")"
			continue
		fi
		line="gate $c/$g ($t s):"
		for m in $METHODS; do
			"$YB" ab --rejudge "$dir" --method "$m" $AB_OPTS --json \
				> "$dir.$m.json" 2>/dev/null
			read -r any hit e lo hi <<<"$(judge "$dir.$m.json")"
			alarms[$c.$m]=$(( ${alarms[$c.$m]} + any ))
			hits[$c.$m]=$(( ${hits[$c.$m]} + hit ))
			est[$c.$m]="${est[$c.$m]} $e"
			line="$line $m $([ "$any" = 1 ] && echo ALARM || echo ok), $TRANSPORT $(printf '%+.1f%% [%.1f, %.1f]' "$e" "$lo" "$hi");"
		done
		echo "$line"
	done
done

median() { tr ' ' '\n' | grep -v -e '^$' -e nan | sort -g | awk '{v[NR]=$1} END {
	if (NR == 0) print "nan"; else if (NR % 2) print v[(NR+1)/2];
	else print (v[NR/2] + v[NR/2+1]) / 2 }'; }
echo
printf '%-8s %-12s %6s %10s %12s %16s %8s\n' case method gates "any alarm" "${TRANSPORT} flagged" "median estimate" "s/gate"
for c in $CASES; do
	for m in $METHODS; do
		printf '%-8s %-12s %6d %10s %12s %15.1f%% %8d\n' \
			"$([ "$c" = same ] && echo same || echo "+$c%")" "$m" "$GATES" \
			"${alarms[$c.$m]}/$GATES" "${hits[$c.$m]}/$GATES" \
			"$(echo "${est[$c.$m]}" | median)" $(( ${secs[$c]} / GATES ))
	done
done
echo "(same: every alarm is false; +N%: ${TRANSPORT}'s figures N% slower in NEW, flagged = caught)"
