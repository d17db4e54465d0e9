# The daemon serves clients one after another over tcp (IPv4, IPv6) and
# unix, with --verify; the client writes the same files as run.
. "$(dirname "$0")/../lib.sh"

port=$(free_port)
bg "$T/srv.log" "$BIN" server "tcp:127.0.0.1:$port"
srv=$BG_PID
wait_for "$T/srv.log" "listening on"

for i in 1 2; do
	"$BIN" client "tcp:127.0.0.1:$port" --quick --verify --max-bytes 256K \
		--out "$T/c$i" >"$T/c$i.out" 2>&1 || { cat "$T/c$i.out"; fail "client $i failed"; }
	check_csv "$T/c$i/results.csv"
	[ "$(rows "$T/c$i/results.csv" tcp pingpong)" -gt 5 ] || fail "client $i: no pingpong rows"
	[ "$(rows "$T/c$i/results.csv" tcp stream)" -gt 5 ] || fail "client $i: no stream rows"
	"$HELPER" json-check "$T/c$i/results.json" | grep -q 'complete 1' || fail "client $i: JSON"
	grep -q '"server"' "$T/c$i/results.json" || fail "client $i: no server metadata"
done
kill -0 $srv || fail "server died"
[ "$(grep -c 'finished' "$T/srv.log")" -eq 2 ] || { cat "$T/srv.log"; fail "server did not finish two clients"; }

# IPv6 loopback, when this host has it.
if "$HELPER" free-port >/dev/null && [ -e /proc/net/if_inet6 ] && ip -6 addr show lo 2>/dev/null | grep -q '::1'; then
	port6=$(free_port)
	bg "$T/srv6.log" "$BIN" server "tcp:[::1]:$port6" --once
	wait_for "$T/srv6.log" "listening on"
	"$BIN" client "tcp:[::1]:$port6" --quick --verify --max-bytes 4K --mode pingpong \
		--out "$T/c6" >"$T/c6.out" 2>&1 || { cat "$T/c6.out"; fail "IPv6 client failed"; }
	[ "$(rows "$T/c6/results.csv" tcp pingpong)" -gt 3 ] || fail "IPv6: no rows"
else
	note "no IPv6 loopback here; IPv6 case not run"
fi

# unix, with --once: the server exits 0 after its client.
bg "$T/usrv.log" "$BIN" server "unix:$T/yb.sock" --once
usrv=$BG_PID
wait_for "$T/usrv.log" "listening on"
"$BIN" client "unix:$T/yb.sock" --quick --verify --max-bytes 64K --out "$T/u" >"$T/u.out" 2>&1 ||
	{ cat "$T/u.out"; fail "unix client failed"; }
wait $usrv || fail "server --once exited $?"
[ ! -e "$T/yb.sock" ] || fail "socket file left behind"
[ "$(rows "$T/u/results.csv" unix stream)" -gt 5 ] || fail "unix: no stream rows"
exit 0
