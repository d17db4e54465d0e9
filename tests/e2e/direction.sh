# Streams in both directions: --reverse (server to client) and --bidir
# (both at once) over tcp, unix and shm, locally and through a server;
# every byte verified, the direction column right, the data really going
# the way the row says (the rings count what each end sent), a bidir row's
# bandwidth the sum of its directions, and a corrupting server caught.
. "$(dirname "$0")/../lib.sh"

sweep="--quick --max-bytes 64K --trial-time 0.005 --trials 2 --verify --no-plot"

# JSON value at a dotted key, as the helper prints it ("TYPE VALUE").
jv() { "$HELPER" json-get "$1" "$2" | cut -d' ' -f2; }

for d in reverse bidir; do
	want=$([ $d = reverse ] && echo s2c || echo both)
	# shellcheck disable=SC2086
	"$BIN" run --transports tcp,unix,shm --$d $sweep --out "$T/$d" >"$T/$d.out" 2>&1 ||
		{ cat "$T/$d.out"; fail "run --$d failed"; }
	check_csv "$T/$d/results.csv"
	for t in tcp unix shm; do
		[ "$(rows "$T/$d/results.csv" $t stream)" -ge 10 ] || fail "--$d: too few $t stream rows"
		[ "$(rows "$T/$d/results.csv" $t pingpong)" -ge 10 ] || fail "--$d: too few $t ping-pong rows"
	done
	awk -F, -v w=$want 'NR > 1 && $2 == "stream" && $23 != w { print; exit 1 }' "$T/$d/results.csv" ||
		fail "--$d: a stream row's direction is not $want"
	awk -F, 'NR > 1 && $2 == "pingpong" && $23 != "both" { print; exit 1 }' "$T/$d/results.csv" ||
		fail "--$d: a ping-pong row's direction is not both"
	awk -F, 'NR > 1 && $22 != "yes" { print; exit 1 }' "$T/$d/results.csv" ||
		fail "--$d: a row was not verified"
	grep -q "shm 4M adaptive $([ $d = reverse ] && echo s2c || echo bidir)" "$T/$d.out" ||
		{ cat "$T/$d.out"; fail "--$d: the summary does not name the direction"; }
done

# Which way the bytes went, from the ring's own counters: reversed, the
# server sent most (the ping-pong rows move as much each way); both ways,
# each end sent about half.
sent() { jv "$1" "meta.transport.shm.4M-adaptive.counters.$2.bytes_sent"; }
sc=$(sent "$T/reverse/results.json" client)
ss=$(sent "$T/reverse/results.json" server)
[ -n "$sc" ] && [ -n "$ss" ] || fail "no ring counters in the reverse run's JSON"
awk -v c="$sc" -v s="$ss" 'BEGIN { exit !(s > 2 * c) }' ||
	fail "--reverse: the server sent $ss bytes, the client $sc: the stream did not flow server to client"
bc=$(sent "$T/bidir/results.json" client)
bs=$(sent "$T/bidir/results.json" server)
awk -v c="$bc" -v s="$bs" 'BEGIN { exit !(s > 0.6 * c && c > 0.6 * s) }' ||
	fail "--bidir: the server sent $bs bytes, the client $bc: not both ways"
note "ring bytes sent, client/server: reverse $sc/$ss, bidir $bc/$bs"

# A bidir row: each trial's time is the harmonic sum of the directions'
# receiver times, its bandwidth bytes over that, the best trial the row's,
# and each direction's median figure present.
python3 - "$T/bidir/results.json" <<'EOF' || fail "bidir figures do not follow from their trials"
import json, sys
rows = [r for r in json.load(open(sys.argv[1]))["results"] if r["mode"] == "stream"]
assert rows, "no stream rows"
for r in rows:
    assert r["direction"] == "both", r
    bws = []
    for t in r["trial_detail"]:
        up, down = t["c2s_ns"], t["s2c_ns"]
        eff = 1 / (1 / up + 1 / down)
        assert abs(t["elapsed_ns"] - eff) <= 1 + 1e-6 * eff, (t, eff)
        bws.append(r["bytes"] * 8 * t["reps"] / t["elapsed_ns"])
    assert abs(max(bws) - r["bw_gbps"]) <= 1e-3 * r["bw_gbps"], (r["bytes"], bws, r["bw_gbps"])
    assert r["bw_c2s_gbps"] > 0 and r["bw_s2c_gbps"] > 0, r
    # The sum of the two directions' medians is near the median of sums.
    s = r["bw_c2s_gbps"] + r["bw_s2c_gbps"]
    assert 0.5 * r["bw_min_gbps"] <= s <= 2 * r["bw_gbps"], (s, r)
print("bidir rows:", len(rows))
EOF

# Through a server, as between two guests: client --reverse and --bidir.
sock="$T/srv.sock"
bg "$T/srv.log" "$BIN" server "unix:$sock"
wait_for "$T/srv.log" listening
for d in reverse bidir; do
	"$BIN" client "unix:$sock" --$d --mode stream --quick --max-bytes 16K \
		--trial-time 0.005 --trials 2 --verify --no-plot --out "$T/c$d" >"$T/c$d.out" 2>&1 ||
		{ cat "$T/c$d.out"; fail "client --$d failed"; }
	check_csv "$T/c$d/results.csv"
	want=$([ $d = reverse ] && echo s2c || echo both)
	awk -F, -v w=$want 'NR > 1 && $23 != w { print; exit 1 }' "$T/c$d/results.csv" ||
		fail "client --$d: direction is not $want"
done

# --verify catches a server that corrupts what it sends, either way.
for d in reverse bidir; do
	p=$(free_port)
	bg "$T/bad$d.log" "$HELPER" corrupt-server "tcp:127.0.0.1:$p"
	wait_for "$T/bad$d.log" listening
	expect_fail 5 "verification failed (stream)" "$BIN" client "tcp:127.0.0.1:$p" --$d \
		--quick --verify --mode stream --min-bytes 64 --max-bytes 64 --no-plot --out "$T/v$d"
done

# What cannot be asked.
expect_fail 2 "exclude each other" "$BIN" run --reverse --bidir --no-plot --out "$T/x1"
expect_fail 2 "applies to streams" "$BIN" run --mode pingpong --reverse --no-plot --out "$T/x2"
expect_fail 2 "not a soak" "$BIN" run --bidir --duration 2s --no-plot --out "$T/x3"
[ ! -e "$T/x1" ] && [ ! -e "$T/x2" ] && [ ! -e "$T/x3" ] || fail "a refused run left a directory"
exit 0
