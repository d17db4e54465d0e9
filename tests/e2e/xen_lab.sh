# The Xen lab: Debian's Xen 4.17 under QEMU (TCG), yasmin-bench in dom0 and
# PV domUs (scripts/xen-lab.sh).  Checks, each failing when the property
# breaks: sweeps with --verify over yasmin, vchan and tcp dom0<->domU and
# domU<->domU and vsock loopback in dom0; a 4 MiB yasmin ring; gntalloc's
# limit reported; busy yasmin and vchan servers refusing a second domain
# before opening a grant or event channel device for it, while the first
# domain's soaks go on undisturbed; a domain destroyed mid-stream noticed
# within seconds with no grants or XenStore entries left and the next
# client served; streams reversed and both ways at once over yasmin and
# vchan; two pairs at once from one domU; NPtcp wrapped between two domUs
# and iperf3 between dom0 and a domU, over yasmin rings; three domUs served at once by dom0, and one then two domU pairs
# started together on the wall clock and merged into scaling tables;
# results brought home and drawn here.  Timings inside are not
# performance data.
. "$(dirname "$0")/../lib.sh"

case $BUILD in
*san*) skip "the Xen lab runs in the default build (its guests run a static binary, which cannot carry the sanitizers)" ;;
esac
SB=${STATIC_BIN:-build/static/yasmin-bench}
[ -x "$ROOT/$SB" ] || SB=$ROOT/$SB
[ -x "$SB" ] || [ -x "$ROOT/$SB" ] || fail "no static binary at $SB (make static)"
[ -x "$ROOT/$SB" ] && SB=$ROOT/$SB
"$SB" transports | grep -q '^yasmin ' ||
	skip "built without Xen libraries (libxen-dev): the lab needs the yasmin transport"

SO=$ROOT/$BUILD/libyasmin-bench-preload.so
[ -f "$SO" ] || fail "no wrap library at $SO (make)"
"$ROOT/scripts/xen-lab.sh" --bin "$SB" --host-bin "$BIN" --preload "$SO" \
	--out "$T/lab" --cache "$ROOT/build/xen-lab" >"$T/lab.out" 2>&1
rc=$?
cat "$T/lab.out"
[ $rc -eq 77 ] && skip "$(grep 'skipped:' "$T/lab.out" | tail -n 1)"
S=$T/lab/summary.txt
[ -f "$S" ] || fail "the lab wrote no summary (exit $rc)"

need() { # pattern: a PASS line matching it
	grep -q "^PASS $1" "$S" || fail "no PASS for '$1' in the lab summary"
}
need "dom0-domU-yasmin exit 0"
# Unmodified programs under `yasmin-bench wrap`, over yasmin rings.
need "wrap-nptcp exit 0"
need "wrap-nptcp-ring exit 0"
need "wrap-nptcp-sweep exit 0"
need "wrap-iperf3 exit 0"
need "wrap-iperf3-rings exit 0"
need "wrap-iperf3-server served yb1 over yasmin rings"
need "dom0-domU-vchan exit 0"
need "dom0-domU-tcp exit 0"
need "dom0-vsock-loopback"
need "domU-domU-yasmin exit 0"
need "domU-domU-vchan exit 0"
need "domU-domU-tcp exit 0"
need "yasmin-ring-4M exit 0"
need "gntalloc-limit exit 1"
need "busy-yasmin exit 4"
need "busy-vchan exit 4"
need "busy-yasmin-says-busy exit 0"
need "busy-vchan-says-busy exit 0"
need "busy-yasmin refusal logged"
need "busy-vchan refusal logged"
need "busy-yasmin nothing opened for the refused domain"
need "busy-vchan nothing opened for the refused domain"
need "hold-yasmin exit 130"
need "hold-yasmin-verified exit 0"
need "hold-vchan exit 130"
need "hold-vchan-verified exit 0"
need "busy-servers-stopped: no XenStore entries left"
need "destroyed-peer noticed"
need "destroyed-peer no rendezvous reply left"
need "after-destroy exit 0"
need "destroyed-server-yasmin noticed"
need "destroyed-server-vchan noticed"
need "soak-interrupted-yasmin:"
need "soak-interrupted-vchan:"
need "spoofed-request-refused exit 0"
need "spoofed-request server log: refused a request written by domain"
need "claimed-domain-served exit 0"
need "after-destroy: no XenStore entries left"
need "servers-stopped: no XenStore entries left"
need "graphs drawn on the host"
for t in yasmin vchan; do
	need "reverse-$t exit 0"
	need "bidir-$t exit 0"
	need "pairs-$t exit 0"
done
need "dom0-vsock-loopback-reverse"
need "dom0-vsock-loopback-bidir"
need "concurrent-clients-vsock one server measured two clients at once"
for n in pair1-one pair2-first pair2-second three-a three-b three-c \
	three-vchan-a three-vchan-b three-vchan-c; do
	need "$n exit 0"
done
need "concurrent-clients dom0 served three domUs at once over yasmin:any"
need "concurrent-clients dom0 served three domUs at once over vchan:any"
need "concurrent-clients merged"
need "domU-pairs-scaling 1 and 2 domU pairs merged"
need "scaling graph drawn on the host"
! grep -q '^FAIL ' "$S" || fail "failed in the lab: $(grep '^FAIL ' "$S")"
[ $rc -eq 0 ] || fail "xen-lab.sh exited $rc"

# The guests' files came home intact and say what ran where.
R=$T/lab/results
for d in yb1/dom0-domU-yasmin yb1/dom0-domU-vchan yb1/dom0-domU-tcp \
	yb3/domU-domU-yasmin yb3/domU-domU-vchan yb3/domU-domU-tcp \
	dom0/vsock yb1/yasmin-ring-4M; do
	[ -s "$R/$d/results.csv" ] || fail "missing $d/results.csv"
	[ -s "$R/$d/results.json" ] || fail "missing $d/results.json"
	"$HELPER" json-valid "$R/$d/results.json" || fail "$d/results.json is not valid JSON"
	rows=$(awk -F, 'NR > 1 && $2 == "pingpong"' "$R/$d/results.csv" | wc -l)
	[ "$rows" -gt 5 ] || fail "$d: only $rows ping-pong rows"
	grep -q ',stream,' "$R/$d/results.csv" || fail "$d: no stream rows"
done
# The other way and both ways: every stream row says so, every row verified.
for t in yasmin vchan vsock; do
	for d in reverse bidir; do
		f=$R/yb1/$d-$t/results.csv
		[ $t = vsock ] && f=$R/dom0/vsock-$d/results.csv
		[ -s "$f" ] || fail "missing results of $d over $t"
		[ "$(head -n 1 "$f")" = "$CSV_HEADER" ] || fail "$d-$t: wrong header"
		check_rows "$f" || fail "$d-$t: rows break their invariants"
		want=$([ $d = reverse ] && echo s2c || echo both)
		awk -F, -v w=$want 'NR > 1 && ($2 != "stream" || $23 != w || $22 != "yes") { print; exit 1 }
			END { exit NR < 4 }' "$f" || fail "$d-$t: rows are not verified $want streams"
	done
done
# Two pairs from one domain to dom0: each pair's rows and the totals,
# every pair row verified, and the pairs' figures follow from their trials.
for t in yasmin vchan; do
	f=$R/yb1/pairs-$t/results.csv
	[ -s "$f" ] || fail "missing results of client --pairs 2 over $t"
	check_rows "$f" || fail "pairs-$t: rows break their invariants"
	for m in pingpong stream; do
		for p in 0 1 2; do
			n=$(awk -F, -v m=$m -v p=$p '$2 == m && $15 == 2 && $16 == p' "$f" | wc -l)
			[ "$n" -ge 3 ] || fail "pairs-$t $m pair $p: $n rows"
		done
	done
	awk -F, 'NR > 1 && $16 != 0 && $22 != "yes" { exit 1 }' "$f" ||
		fail "pairs-$t: a pair row is not verified"
	"$HELPER" pairs-check "$R/yb1/pairs-$t/results.json" >"$T/pc" 2>&1 ||
		{ cat "$T/pc"; fail "pairs-$t: figures do not follow from their trials"; }
done
# What ran together was merged: the scaling tables hold the sets, and
# the host drew the graph from the guests' files.
f=$R/dom0/domU-pairs/scaling.csv
[ -s "$f" ] || fail "no domU-pairs scaling table"
for g in png svg; do
	[ -s "$T/lab/scaling/scaling_bandwidth.$g" ] || fail "no scaling_bandwidth.$g drawn from the domU pairs"
done
note "domU pairs: $(awk -F, 'NR > 1 { printf "%s pairs %s Gbit/s (overlap %s%%); ", $4, $6, $10 }' "$f")"
# The clients of a set began together on the wall clock.
for d in yb11/pair2-first yb12/pair2-second; do
	late=$("$HELPER" json-get "$R/$d/results.json" meta.start_late_ms | cut -d' ' -f2)
	awk -v l="$late" 'BEGIN { exit !(l != "" && l >= 0 && l < 5000) }' ||
		fail "$d began $late ms after its start time"
	note "$d began $late ms after its start time"
done
note "three domUs at once: $(awk -F, 'NR > 1 { printf "%s pairs %s Gbit/s (overlap %s%%); ", $4, $6, $10 }' "$R/dom0/concurrent/scaling.csv")"
# Above libxenvchan's cap: rows measured through a 4 MiB ring.
col=$(head -n 1 "$R/yb1/yasmin-ring-4M/results.csv" | tr , '\n' | grep -n '^ring_bytes$' | cut -d: -f1)
awk -F, -v c="$col" 'NR > 1 && $c == 4194304 { n++ } END { exit !(n > 0) }' \
	"$R/yb1/yasmin-ring-4M/results.csv" || fail "no rows with a 4 MiB ring"
grep -q 'gntalloc' "$R/yb3/gntalloc-limit.log" || fail "the limit refusal does not name gntalloc"
note "gntalloc refusal: $(tail -n 1 "$R/yb3/gntalloc-limit.log")"
# diag in a guest and in dom0 sees Xen: its domain id, the devices, the
# gntalloc limit, and the Xen transports available.
for d in "$R/yb1/diag-client-of-dom0.json" "$R/dom0/diag.json"; do
	"$HELPER" json-valid "$d" || fail "$d is not valid JSON"
	grep -q '"domid": "\{0,1\}[0-9]' "$d" || fail "$(basename "$d"): no domain id"
	grep -q '"gntalloc_limit_pages": "\{0,1\}[0-9]' "$d" || fail "$(basename "$d"): no gntalloc limit"
	grep -q '"yasmin": "available"' "$d" || fail "$(basename "$d"): yasmin not available"
	grep -q '"xenstore": "reachable' "$d" || fail "$(basename "$d"): XenStore not reachable"
done
grep -q '"domid": "\{0,1\}1"\{0,1\},' "$R/yb1/diag-client-of-dom0.json" || fail "diag in yb1 does not say domain 1"
grep -q '^yasmin *available' "$R/dom0/transports.txt" || fail "yasmin not available in dom0"
# dom0 sees where both domains' vCPUs run, and says how they relate.
d=$R/dom0/diag-peer.json
"$HELPER" json-valid "$d" || fail "diag-peer.json is not valid JSON"
grep -q '"self": "domain 0: vcpu0 on physical CPU [0-9]' "$d" || fail "diag --peer: no placement of dom0's vCPUs"
grep -q '"peer": "domain 1: vcpu0 on physical CPU [0-9]' "$d" || fail "diag --peer: no placement of the peer's vCPUs"
grep -q '"relation": "\(same physical CPU\|SMT siblings\|apart\)' "$d" || fail "diag --peer: no relation"
note "placement: $(grep -o '"relation": "[^"]*"' "$d")"
# A run in dom0 records the same in its metadata.
grep -q '"relation": "' "$R/dom0/destroyed-server-yasmin/results.json" ||
	fail "dom0's yasmin run does not record where both domains' vCPUs run"
# A guest without a host name goes by its domain's name.
grep -q '"host": "yb1"' "$R/yb1/dom0-domU-yasmin/results.json" || fail "yb1's results do not name the guest yb1"
grep -q '"host_from": "the Xen domain' "$R/yb1/dom0-domU-yasmin/results.json" || fail "yb1's results do not say where its host name came from"
# Drawn here, from the guests' files.
for g in latency bandwidth; do
	[ -s "$T/lab/graphs/$g.png" ] || fail "no $g.png drawn from the lab's results"
	[ -s "$T/lab/graphs/$g.svg" ] || fail "no $g.svg drawn from the lab's results"
done
exit 0
