# --help, --usage and --version work for the program and every command;
# --help, the unknown-command message and the man page name the same
# commands, and the man page documents every long option they accept.
. "$(dirname "$0")/../lib.sh"

# The commands, as --help lists them (main.c makes the list from its table).
cmds=$("$BIN" --help | awk '/^Commands:/ { on = 1; next }
	on && /^  [a-z]/ { print $1 } on && /^$/ { exit }')
[ "$(echo $cmds | wc -w)" -ge 9 ] || fail "--help lists too few commands: $cmds"
"$BIN" frobnicate 2>"$T/u" && fail "an unknown command succeeded"
listed=$(sed -n 's/.*(commands: \(.*\))$/\1/p' "$T/u")
[ "$listed" = "$(echo $cmds | sed 's/ /, /g')" ] ||
	fail "the unknown-command message lists other commands: $(cat "$T/u")"
for c in $cmds; do
	grep -q "^\.Cm $c\$" "$ROOT/man/yasmin-bench.1" ||
		fail "the man page's synopsis lacks $c"
	grep -q "^\.It Cm $c\b" "$ROOT/man/yasmin-bench.1" ||
		fail "the man page's COMMANDS lacks $c"
done

for c in "" $cmds; do
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
for c in $cmds; do
	for o in $("$BIN" $c --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
		case $o in --help | --usage | --version) continue ;; esac
		grep -q -- "Fl -${o#--}" "$ROOT/man/yasmin-bench.1" ||
			fail "man page does not document $c $o"
	done
done
exit 0
