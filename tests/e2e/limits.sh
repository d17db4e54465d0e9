# Resource limits: a ring larger than the memory the server may map fails
# with one line naming the cause and what to change, not a crash or a
# hang; the next run with a fitting ring works.
. "$(dirname "$0")/../lib.sh"
case $BUILD in *san*) skip "address-space limits and AddressSanitizer's shadow memory do not mix" ;; esac

(
	ulimit -v 600000
	expect_fail 1 "cannot map .*Cannot allocate memory (try a smaller --ring-size)" \
		"$BIN" run --transports shm --ring-size 512M --quick --no-plot --out "$T/big"
	"$BIN" run --transports shm --ring-size 1M --quick --max-bytes 64K --no-plot \
		--out "$T/small" >/dev/null 2>&1 || fail "a 1M ring failed under the same limit"
) || exit 1
check_csv "$T/small/results.csv"
exit 0
