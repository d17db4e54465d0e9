# A server that scribbles on the shared control page: the client ends the
# connection with "peer corrupted ring: ..." (one line, exit 1), quickly,
# and never crashes or hangs.  A server whose handshake asks for more
# spinning than any peer may is refused before anything is mapped.
. "$(dirname "$0")/../lib.sh"

for how in prod-ahead cons-ahead live flip; do
	sock=$T/$how.sock
	bg "$T/$how.srv" "$HELPER" hostile-ring-server "shm:$sock" $how
	wait_for "$T/$how.srv" "listening"
	t0=$(date +%s%N)
	pat="peer corrupted ring: "
	[ $how = flip ] && pat="peer corrupted ring: \|does not speak\|peer sent"
	expect_fail 1 "$pat" timeout 20 "$BIN" client "shm:$sock" --quick \
		--max-bytes 4K --out "$T/$how"
	ms=$((($(date +%s%N) - t0) / 1000000))
	note "$how: failed cleanly after $ms ms"
	[ $ms -lt 5000 ] || fail "$how: took $ms ms"
done
sock=$T/spin.sock
bg "$T/spin.srv" "$HELPER" hostile-shm-reply "$sock"
wait_for "$T/spin.srv" "listening"
expect_fail 4 "server answered with a spin of 10000000001 ns (at most 10000000000)" \
	timeout 20 "$BIN" client "shm:$sock" --quick --max-bytes 4K --out "$T/spin"
exit 0
