# --help, --usage and --version work for the program and every command;
# the man page documents every long option the commands accept.
. "$(dirname "$0")/../lib.sh"

for c in "" run server client transports; do
	for o in --help --usage --version; do
		"$BIN" $c $o >"$T/o" 2>&1 || fail "yasmin-bench $c $o exited $?"
		[ -s "$T/o" ] || fail "yasmin-bench $c $o printed nothing"
	done
	"$BIN" $c --version | grep -q '^yasmin-bench ' || fail "$c --version"
done
"$BIN" transports >"$T/t"
grep -q '^tcp .*available' "$T/t" || fail "tcp not listed as available"
grep -q '^unix .*available' "$T/t" || fail "unix not listed as available"
grep -q '^Xen libraries:' "$T/t" || fail "Xen libraries not reported"

# Every long option in --help appears in the man page.
for c in run server client; do
	for o in $("$BIN" $c --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
		case $o in --help | --usage | --version) continue ;; esac
		grep -q -- "Fl -${o#--}" "$ROOT/man/yasmin-bench.1" ||
			fail "man page does not document $c $o"
	done
done
exit 0
