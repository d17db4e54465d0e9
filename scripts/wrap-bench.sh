#!/bin/bash
# wrap-bench.sh - what `yasmin-bench wrap` does for unmodified programs on
# this machine: NetPIPE's NPtcp and iperf3 over plain TCP and wrapped,
# and the shm ring's own 1-byte latency from `yasmin-bench run`, measured
# in alternating rounds (the host drifts between runs; a ratio is only
# taken within one round).  Prints every round, then the medians and the
# ratios against the goals; a missed goal is reported, not an error.
#
#   scripts/wrap-bench.sh [--rounds N] [--bin PATH] [--out DIR]
#
# Needs NPtcp (netpipe-tcp) and iperf3 (scripts/deps.sh installs both).
set -u
ROUNDS=3
BIN=build/default/yasmin-bench
OUT=
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) ROUNDS=$2; shift 2 ;;
	--bin) BIN=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	-h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "wrap-bench.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
case $ROUNDS in ''|*[!0-9]*|0) echo "wrap-bench.sh: bad --rounds '$ROUNDS'" >&2; exit 2 ;; esac
[ -x "$BIN" ] || { echo "wrap-bench.sh: no $BIN (make first, or --bin)" >&2; exit 2; }
for p in NPtcp iperf3; do
	command -v $p >/dev/null || { echo "wrap-bench.sh: $p is missing (scripts/deps.sh)" >&2; exit 2; }
done
W=${OUT:-$(mktemp -d /tmp/yb-wrap-bench.XXXXXX)}
mkdir -p "$W" || exit 2
[ -n "$OUT" ] || trap 'rm -rf "$W"' EXIT
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done; [ -n "$OUT" ] || rm -rf "$W"' EXIT

# A TCP port nobody listens on.
port() {
	local p
	while :; do
		p=$(shuf -i 20000-60000 -n 1)
		ss -ltn "sport = :$p" | grep -q LISTEN || { echo "$p"; return; }
	done
}

# np TAG WRAP: NPtcp from 1 byte to 1 MiB; "TAG lat64k bw64k bw1m" into $W/np.txt
np() {
	local tag=$1 pre=() p
	[ "$2" = 1 ] && pre=("$BIN" wrap --)
	p=$(port)
	(cd "$W" && "${pre[@]}" NPtcp -P "$p" -l 1 -u 1048576 -o "$W/np-srv-$tag.out" >/dev/null 2>&1) &
	PIDS+=($!)
	sleep 0.5
	(cd "$W" && timeout 300 "${pre[@]}" NPtcp -h 127.0.0.1 -P "$p" -l 1 -u 1048576 \
		-o "$W/np-$tag.out" >/dev/null 2>&1) || { echo "wrap-bench.sh: NPtcp $tag failed" >&2; exit 1; }
	wait
	awk -v t="$tag" '$1 == 1 { l = $3 * 1e6 } $1 == 65536 { a = $2 / 1000 } $1 == 1048576 { b = $2 / 1000 }
		END { printf "%s %.3f %.1f %.1f\n", t, l, a, b }' "$W/np-$tag.out"
}

# ip TAG WRAP: iperf3 for 3 s; "TAG gbps"
ip() {
	local tag=$1 pre=() p
	[ "$2" = 1 ] && pre=("$BIN" wrap --)
	p=$(port)
	"${pre[@]}" iperf3 -s -1 -p "$p" >/dev/null 2>&1 &
	PIDS+=($!)
	sleep 0.5
	timeout 60 "${pre[@]}" iperf3 -c 127.0.0.1 -p "$p" -t 3 >"$W/ip-$tag.txt" 2>&1 ||
		{ echo "wrap-bench.sh: iperf3 $tag failed" >&2; exit 1; }
	wait
	# "[  5]   0.00-3.00  sec  35.4 GBytes  101 Gbits/sec   receiver"
	awk -v t="$tag" '/receiver$/ { v = $(NF - 2); u = $(NF - 1) }
		END { f = u ~ /^G/ ? 1 : u ~ /^M/ ? 1e-3 : u ~ /^K/ ? 1e-6 : 1e-9
		      printf "%s %.1f\n", t, v * f }' "$W/ip-$tag.txt"
}

# shm TAG: the ring's own 1-byte ping-pong, mean and p50 one-way (us)
shm() {
	"$BIN" run -q -t shm -m pingpong --min-bytes 1 --max-bytes 1 --no-plot \
		--out "$W/shm-$1" --force >/dev/null 2>&1 || { echo "wrap-bench.sh: run shm failed" >&2; exit 1; }
	awk -F, -v t="$1" 'NR > 1 && $3 == 1 { printf "%s %s %s\n", t, $7, $8 }' "$W/shm-$1/results.csv"
}

printf "%-6s %-28s %-28s %-14s %-14s %s\n" round "NPtcp tcp: 1B us, 64K, 1M" "NPtcp wrapped" "iperf3 tcp" "iperf3 wrapped" "shm run 1B mean/p50 us"
: >"$W/rounds"
for r in $(seq "$ROUNDS"); do
	# Alternate which goes first.
	if [ $((r % 2)) -eq 1 ]; then
		a=$(np t 0) b=$(np w 1) c=$(ip t 0) d=$(ip w 1) e=$(shm s)
	else
		e=$(shm s) d=$(ip w 1) c=$(ip t 0) b=$(np w 1) a=$(np t 0)
	fi
	set -- $a; tl=$2 t64=$3 t1m=$4
	set -- $b; wl=$2 w64=$3 w1m=$4
	set -- $c; ti=$2
	set -- $d; wi=$2
	set -- $e; sm=$2 sp=$3
	printf "%-6s %-28s %-28s %-14s %-14s %s\n" "$r" "$tl $t64 $t1m" "$wl $w64 $w1m" "$ti Gbit/s" "$wi Gbit/s" "$sm / $sp"
	echo "$tl $t64 $t1m $wl $w64 $w1m $ti $wi $sm $sp" >>"$W/rounds"
done
# Ratios within each round, then their medians.
awk '
function med(a, n,   i, j, t) {
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{ n++; lat[n] = $1 / $4; b64[n] = $5 / $2; b1m[n] = $6 / $3; ip[n] = $8 / $7; own[n] = $4 / $9 }
END {
	printf "\nmedian ratios over %d rounds (each within its round):\n", n
	printf "  NPtcp 1-byte latency, tcp / wrapped      %6.1f   (goal >= 5)\n", med(lat, n)
	printf "  NPtcp 64 KiB bandwidth, wrapped / tcp    %6.1f   (goal >= 2)\n", med(b64, n)
	printf "  NPtcp 1 MiB bandwidth, wrapped / tcp     %6.1f\n", med(b1m, n)
	printf "  iperf3, wrapped / tcp                    %6.1f   (goal >= 1.5)\n", med(ip, n)
	printf "  NPtcp wrapped 1 byte / shm run mean      %6.2f   (goal <= 2)\n", med(own, n)
}' "$W/rounds"
