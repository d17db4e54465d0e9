#!/bin/bash
# ab-rates.sh - how often the A/B gate cries wolf, and how often it catches
# a real slowdown, measured on this machine (a benchmark: it prints
# figures and never fails on them).
#
# Runs GATES gates of `yasmin-bench ab` with ab's default settings, the
# same build against a copy of itself: every alarm is a false one.  Then,
# for each PCT in LEVELS, judges every one of those gates again with
# NEW's figures for TRANSPORT made exactly PCT percent slower (latencies
# times 1 + PCT/100, bandwidths divided by it): what the slowed build
# (tests/slowdown.c, YB_SLOWDOWN=TRANSPORT:PCT) does to its figures as it
# records them.  The shift is known exactly while the noise is the
# machine's own, and every level sees the same noise.  A gate that does
# not flag TRANSPORT's latency missed it.  For each level in REAL it also
# runs GATES gates against the slowed build itself, a check that the two
# agree (spread evenly among the others).  Each gate is judged by ab's default test and again, from the
# same runs, by every other test in METHODS (ab --rejudge).  Prints one
# line per gate and a table of rates; every gate's files stay under OUT.
#
# Environment: YB (default build/default/yasmin-bench), SLOW (default
# build/default/tests/yasmin-bench-slowed, for REAL) and HELPER
# (helper_peer beside it, which reads the verdicts; `make check` builds
# both), GATES (20), LEVELS ("10 15 20"), REAL (none; e.g. "15"),
# REAL_GATES (GATES; gates of the slowed build per level in REAL),
# TRANSPORT (unix), METHODS ("sign signed-rank rank-sum"; the first is
# ab's default), OUT (a fresh directory under /tmp), AB_OPTS (options for
# ab itself, e.g. --budget 120s).  Arguments replace the run options of
# each gate, by default:
#   --transports unix,tcp,shm --mode pingpong --quick --max-bytes 64K
#
#   scripts/ab-rates.sh                      # the whole table
#   GATES=5 REAL=15 scripts/ab-rates.sh      # and 5 gates of the slowed build
set -u
cd "$(dirname "$0")/.."
YB=${YB:-build/default/yasmin-bench}
SLOW=${SLOW:-build/default/tests/yasmin-bench-slowed}
HELPER=${HELPER:-$(dirname "$SLOW")/helper_peer}
GATES=${GATES:-20}
LEVELS=${LEVELS:-10 15 20}
REAL=${REAL:-}
REAL_GATES=${REAL_GATES:-$GATES}
TRANSPORT=${TRANSPORT:-unix}
METHODS=${METHODS:-sign signed-rank rank-sum}
OUT=${OUT:-$(mktemp -d /tmp/yb-ab-rates.XXXXXX)}
AB_OPTS=${AB_OPTS:-}
if [ $# -gt 0 ]; then
	RUN=("$@")
else
	RUN=(--transports unix,tcp,shm --mode pingpong --quick --max-bytes 64K)
fi
need=("$YB" "$HELPER")
[ -n "$REAL" ] && need+=("$SLOW")
for b in "${need[@]}"; do
	[ -x "$b" ] || { echo "ab-rates: no executable $b (make check builds it)" >&2; exit 2; }
done
mkdir -p "$OUT"
cp "$YB" "$OUT/yasmin-bench-copy" # the same build at another path
jget() { "$HELPER" json-get "$@" 2>/dev/null | cut -d' ' -f2-; }

# judge FILE: "any hit estimate low high rounds" for TRANSPORT's latency.
judge() {
	local f=$1 i c m any=0 hit=0 e=nan lo=nan hi=nan
	[ "$(jget "$f" regressed)" = true ] && any=1
	for i in $(seq 0 63); do
		c=$(jget "$f" curves.$i.curve)
		[ -n "$c" ] || break
		m=$(jget "$f" curves.$i.metric)
		if [ "${c%% *}" = "$TRANSPORT" ] && [ "$m" = latency ]; then
			e=$(jget "$f" curves.$i.median_change_pct)
			lo=$(jget "$f" curves.$i.interval_low_pct)
			hi=$(jget "$f" curves.$i.interval_high_pct)
			[ "$(jget "$f" curves.$i.regressed)" = true ] && hit=1
		fi
	done
	echo "$any $hit ${e:-nan} ${lo:-nan} ${hi:-nan}"
}

# scaled GATE PCT DIR: GATE's runs in DIR, NEW's TRANSPORT figures PCT%
# slower (OLD's runs are links to GATE's own).
scaled() {
	local gate=$1 pct=$2 dir=$3 r
	rm -rf "$dir"
	mkdir -p "$dir/runs"
	cp "$gate/ab.json" "$dir/"
	for r in "$gate"/runs/*; do
		[ -d "$r" ] || continue
		case ${r##*/} in
		*-old | *-old-*) ln -s "$(cd "$r" && pwd)" "$dir/runs/${r##*/}"; continue ;;
		*-new | *-new-*) ;;
		*) continue ;;
		esac
		mkdir -p "$dir/runs/${r##*/}"
		awk -F, -v OFS=, -v t="$TRANSPORT" -v k="$(awk -v p="$pct" 'BEGIN { print 1 + p / 100 }')" '
			NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; print; next }
			$col["transport"] == t {
				split("lat_min_us lat_mean_us lat_p50_us lat_p99_us lat_p999_us lat_max_us lat_stddev_us", l, " ")
				for (i in l) if (l[i] in col && $col[l[i]] != "") $col[l[i]] = sprintf("%.10g", $col[l[i]] * k)
				split("bw_gbps bw_min_gbps bw_median_gbps", b, " ")
				for (i in b) if (b[i] in col && $col[b[i]] != "") $col[b[i]] = sprintf("%.10g", $col[b[i]] / k)
			}
			{ print }' "$r/results.csv" > "$dir/runs/${r##*/}/results.csv"
	done
}

# record CASE GATE-DIR LINE-PREFIX: judge GATE-DIR by every method.
declare -A alarms hits est rounds secs
record() {
	local c=$1 dir=$2 line=$3 m any hit e lo hi
	for m in $METHODS; do
		"$YB" ab --rejudge "$dir" --method "$m" $AB_OPTS --json \
			> "$dir.$m.json" 2>/dev/null
		read -r any hit e lo hi <<<"$(judge "$dir.$m.json")"
		alarms[$c.$m]=$(( ${alarms[$c.$m]:-0} + any ))
		hits[$c.$m]=$(( ${hits[$c.$m]:-0} + hit ))
		est[$c.$m]="${est[$c.$m]:-} $e"
		line="$line $m $([ "$any" = 1 ] && echo ALARM || echo ok) $(printf '%+.1f%% [%.1f, %.1f]' "$e" "$lo" "$hi");"
	done
	echo "$line"
}

gate() { # gate CASE G NEW [env...]: one gate; sets dir, or fails
	local c=$1 g=$2 new=$3 t0 t rc n
	shift 3
	dir=$OUT/$c/gate-$g
	mkdir -p "$OUT/$c"
	t0=$(date +%s)
	env "$@" "$YB" ab "$YB" "$new" $AB_OPTS --json --no-plot --out "$dir" \
		"${RUN[@]}" > "$dir.json" 2> "$dir.err"
	rc=$?
	t=$(( $(date +%s) - t0 ))
	if [ $rc -gt 1 ]; then
		echo "gate $c/$g: ab failed (exit $rc): $(tail -n 1 "$dir.err")"
		return 1
	fi
	n=$(jget "$dir/ab.json" rounds)
	secs[$c]=$(( ${secs[$c]:-0} + t ))
	rounds[$c]="${rounds[$c]:-} $n"
	info="($n rounds, $t s)"
}

echo "ab-rates: $GATES same-build gates; ${TRANSPORT} made slower afterwards by: $LEVELS; slowed build run at: ${REAL:-none}"
echo "ab-rates: run options: ${RUN[*]}; files in $OUT"
# The slowed build's gates spread evenly among the same build's, so that
# both see the machine as it is over the whole job.
r=0
for g in $(seq 1 "$GATES"); do
	if gate same "$g" "$OUT/yasmin-bench-copy"; then
		record same "$dir" "gate same/$g $info:"
		for l in $LEVELS; do
			scaled "$dir" "$l" "$OUT/+$l/gate-$g"
			record "+$l" "$OUT/+$l/gate-$g" "  +$l% afterwards:"
		done
	fi
	while [ $(( r * GATES )) -lt $(( g * REAL_GATES )) ]; do
		r=$((r + 1))
		for l in $REAL; do
			gate "slowed+$l" "$r" "$SLOW" "YB_SLOWDOWN=$TRANSPORT:$l" || continue
			record "slowed+$l" "$dir" "gate slowed+$l/$r $info:"
		done
	done
done

median() { tr ' ' '\n' | grep -v -e '^$' -e nan | sort -g | awk '{v[NR]=$1} END {
	if (NR == 0) print "nan"; else if (NR % 2) print v[(NR+1)/2];
	else print (v[NR/2] + v[NR/2+1]) / 2 }'; }
echo
printf '%-10s %-12s %6s %10s %12s %16s %7s %7s\n' case method gates "any alarm" "${TRANSPORT} flagged" "median estimate" rounds "s/gate"
cases="same"
for l in $LEVELS; do cases="$cases +$l"; done
for l in $REAL; do cases="$cases slowed+$l"; done
for c in $cases; do
	src=$c
	case $c in +*) src=same ;; esac
	n=$(echo "${rounds[$src]:-}" | wc -w)
	[ "$n" -gt 0 ] || continue
	for m in $METHODS; do
		printf '%-10s %-12s %6d %10s %12s %15.1f%% %7s %7d\n' "$c" "$m" "$n" \
			"${alarms[$c.$m]:-0}/$n" "${hits[$c.$m]:-0}/$n" \
			"$(echo "${est[$c.$m]:-}" | median)" \
			"$(echo "${rounds[$src]}" | median)" $(( ${secs[$src]} / n ))
	done
done
echo "(same: every alarm is false; +N%: the same gates with ${TRANSPORT}'s figures in NEW N% slower; slowed+N%: gates against the slowed build; flagged = caught)"
