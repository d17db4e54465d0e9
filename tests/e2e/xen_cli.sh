# The Xen and vsock transports on a host without Xen (and here without a
# vsock loopback): listed with the reason they cannot run, clear one-line
# errors with the right exit status, never a hang or a crash.  (They run
# for real in the Xen lab, e2e/xen_lab.)
. "$(dirname "$0")/../lib.sh"

"$BIN" transports >"$T/tr" 2>&1 || fail "transports failed"
cat "$T/tr"
grep -q '^vsock ' "$T/tr" || fail "vsock not listed"
if ! grep -q '^Xen libraries: linked' "$T/tr"; then
	grep -q '^yasmin' "$T/tr" && fail "yasmin listed without the Xen libraries"
	skip "built without the Xen libraries"
fi
grep -q '^yasmin ' "$T/tr" || fail "yasmin not listed"
grep -q '^vchan ' "$T/tr" || fail "vchan not listed"
if [ -r /sys/hypervisor/type ] && [ "$(cat /sys/hypervisor/type)" = xen ]; then
	skip "this is a Xen domain; the lab covers the rest"
fi
grep -q '^yasmin *unavailable *not a Xen domain' "$T/tr" || fail "yasmin: no reason given"
grep -q '^vchan *unavailable *not a Xen domain' "$T/tr" || fail "vchan: no reason given"

expect_fail 6 "yasmin: not a Xen domain" "$BIN" client yasmin:1 --out "$T/o1"
expect_fail 6 "vchan: not a Xen domain" "$BIN" server vchan:any
expect_fail 6 "yasmin cannot run both ends on one host" "$BIN" run --transports yasmin --out "$T/o2"
[ ! -e "$T/o1" ] && [ ! -e "$T/o2" ] || fail "a failed start created its output directory"
# A malformed address is reported as such (exit 2), even here where the
# transport could not run anyway.
expect_fail 2 "bad yasmin address 'x': expected DOMID or DOMID:PORT" "$BIN" client yasmin:x --out "$T/o1"
expect_fail 2 "bad vchan address '-1'" "$BIN" server vchan:-1
expect_fail 2 "bad yasmin port '99999999999'" "$BIN" client yasmin:3:99999999999 --out "$T/o1"
expect_fail 2 "bad vchan address 'any'" "$BIN" client vchan:any --out "$T/o1"

# diag lists them with the same reasons.
"$BIN" diag >"$T/diag" 2>&1 || fail "diag failed"
grep -q 'yasmin.*not a Xen domain' "$T/diag" || { cat "$T/diag"; fail "diag: no reason for yasmin"; }
grep -q 'vchan.*not a Xen domain' "$T/diag" || fail "diag: no reason for vchan"

# vsock: address syntax, and what this machine can do.
expect_fail 2 "bad vsock address '1': expected CID:PORT" "$BIN" client vsock:1 --out "$T/o3"
expect_fail 2 "bad vsock CID 'x'" "$BIN" client vsock:x:7 --out "$T/o3"
expect_fail 2 "bad vsock port '0'" "$BIN" client vsock:1:0 --out "$T/o3"
expect_fail 2 "bad vsock port '99999999999'" "$BIN" server vsock:99999999999
if grep -q '^vsock *available' "$T/tr"; then
	# A server binds and reports the address a client should use.
	bg "$T/vs" "$BIN" server vsock:0
	wait_for "$T/vs" "listening on vsock:[0-9]*:[0-9]*" 5
	kill "$BG_PID"
	if ! "$BIN" run --transports vsock --quick --max-bytes 1K --no-plot --out "$T/v" >"$T/vr" 2>&1; then
		grep -q "no vsock loopback on this machine.*modprobe vsock_loopback" "$T/vr" ||
			{ cat "$T/vr"; fail "vsock run failed without saying why"; }
		note "vsock: $(tail -n 1 "$T/vr")"
	else
		note "vsock loopback works here"
		grep -q '^vsock,' "$T/v/results.csv" || fail "no vsock rows"
	fi
fi
exit 0
