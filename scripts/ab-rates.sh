#!/bin/bash
# ab-rates.sh - how often the A/B gate cries wolf, and how often it catches
# a real slowdown, measured on this machine (a benchmark: it prints
# figures and never fails on them).
#
# Runs GATES gates of `yasmin-bench ab` with default settings for each
# case: the same build against itself (every alarm is a false one), and a
# candidate whose server makes TRANSPORT's round trips PCT percent longer
# for each PCT in LEVELS (the slowed build, tests/slowdown.c; every gate
# that does not flag TRANSPORT's latency missed it).  Prints one line per
# gate and a table of rates; every gate's files stay under OUT.
#
# Environment: YB (default build/default/yasmin-bench), SLOW (default
# build/default/tests/yasmin-bench-slowed; `make check` builds it), GATES
# (20), LEVELS ("10 15 20"), TRANSPORT (unix), OUT (a fresh directory
# under /tmp), CASES ("same" and the levels; e.g. CASES="same 15"), and
# AB_OPTS (options for ab itself).  Arguments replace the run options of
# each gate, by default:
#   --transports unix,tcp,shm --mode pingpong --quick --max-bytes 64K
#
#   scripts/ab-rates.sh                      # the whole table
#   GATES=5 CASES="same 15" scripts/ab-rates.sh
set -u
cd "$(dirname "$0")/.."
YB=${YB:-build/default/yasmin-bench}
SLOW=${SLOW:-build/default/tests/yasmin-bench-slowed}
GATES=${GATES:-20}
LEVELS=${LEVELS:-10 15 20}
TRANSPORT=${TRANSPORT:-unix}
CASES=${CASES:-same $LEVELS}
OUT=${OUT:-$(mktemp -d /tmp/yb-ab-rates.XXXXXX)}
AB_OPTS=${AB_OPTS:-}
if [ $# -gt 0 ]; then
	RUN=("$@")
else
	RUN=(--transports unix,tcp,shm --mode pingpong --quick --max-bytes 64K)
fi
for b in "$YB" "$SLOW"; do
	[ -x "$b" ] || { echo "ab-rates: no executable $b (make check builds both)" >&2; exit 2; }
done
mkdir -p "$OUT"
cp "$YB" "$OUT/yasmin-bench-copy" # the same build at another path

echo "ab-rates: $GATES gates per case ($CASES), ${TRANSPORT} slowed; run options: ${RUN[*]}"
echo "ab-rates: files in $OUT"
declare -A alarms hits secs est
for c in $CASES; do
	alarms[$c]=0 hits[$c]=0 secs[$c]=0 est[$c]=""
	for g in $(seq 1 "$GATES"); do
		dir=$OUT/$c/gate-$g
		mkdir -p "$OUT/$c"
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
		# What was flagged, and the estimate for TRANSPORT's latency.
		line=$(python3 - "$dir.json" "$TRANSPORT" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
flag = [c["curve"] + " " + c["metric"] for c in v["curves"] if c["regressed"]]
mine = [c for c in v["curves"] if c["curve"] == sys.argv[2] and c["metric"] == "latency"]
e = mine[0]["median_change_pct"] if mine else float("nan")
lo = mine[0].get("interval_low_pct") if mine else None
hi = mine[0].get("interval_high_pct") if mine else None
hit = any(c["regressed"] for c in mine)
print("%d %d %.2f %s %s %s" % (len(flag) > 0, hit, e,
      "%.1f" % lo if lo is not None else "-", "%.1f" % hi if hi is not None else "-",
      ",".join(flag).replace(" ", "_") or "-"))
PY
)
		read -r any hit e lo hi flagged <<<"$line"
		[ "$any" = 1 ] && alarms[$c]=$(( ${alarms[$c]} + 1 ))
		[ "$hit" = 1 ] && hits[$c]=$(( ${hits[$c]} + 1 ))
		est[$c]="${est[$c]} $e"
		printf 'gate %s/%d: %s, %s latency %+.1f%% [%s, %s], flagged: %s (%d s)\n' \
			"$c" "$g" "$([ $rc = 1 ] && echo REGRESSION || echo ok)" "$TRANSPORT" \
			"$e" "$lo" "$hi" "$flagged" "$t"
	done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{v[NR]=$1} END {
	if (NR == 0) print "nan"; else if (NR % 2) print v[(NR+1)/2];
	else print (v[NR/2] + v[NR/2+1]) / 2 }'; }
echo
printf '%-10s %6s %14s %16s %18s %10s\n' case gates "any alarm" "${TRANSPORT} flagged" "median estimate" "s/gate"
for c in $CASES; do
	m=$(echo "${est[$c]}" | median)
	printf '%-10s %6d %14s %16s %17.1f%% %10d\n' \
		"$([ "$c" = same ] && echo same || echo "+$c%")" "$GATES" \
		"${alarms[$c]}/$GATES" "${hits[$c]}/$GATES" "$m" $(( ${secs[$c]} / GATES ))
done
echo "(same: every alarm is false; +N%: ${TRANSPORT}'s round trips N% longer in NEW, flagged = caught)"
