# make install honours PREFIX and DESTDIR (binary, man page, bash
# completion, the wrap shim); make uninstall removes them all.
. "$(dirname "$0")/../lib.sh"

D=$T/dest/opt/yb
COMP=$D/share/bash-completion/completions/yasmin-bench
make -s -C "$ROOT" install BUILD="$BUILD" DESTDIR="$T/dest" PREFIX=/opt/yb >"$T/log" 2>&1 ||
	{ cat "$T/log"; fail "make install failed"; }
[ -x "$D/bin/yasmin-bench" ] || fail "binary not installed"
[ -f "$D/share/man/man1/yasmin-bench.1" ] || fail "man page not installed"
[ -f "$COMP" ] || fail "bash completion not installed at $COMP"
cmp -s "$COMP" "$ROOT/scripts/yasmin-bench.bash" || fail "installed completion differs from scripts/yasmin-bench.bash"
"$D/bin/yasmin-bench" --version | grep -q yasmin-bench || fail "installed binary broken"
L=$D/lib/yasmin-bench/libyasmin-bench-preload.so
[ -f "$L" ] || fail "wrap's library not installed at $L"
# The installed wrap finds the installed library, not the build tree's.
pre=$("$D/bin/yasmin-bench" wrap -- sh -c 'echo "$LD_PRELOAD"') || fail "installed wrap failed"
[ "$pre" = "$L" ] || fail "installed wrap preloads '$pre', not $L"
# The installed completion, with the installed binary, offers its commands.
out=$(bash -c '. "$1"; COMP_LINE="$2 tra"; COMP_POINT=${#COMP_LINE}
	_yasmin_bench; echo "${COMPREPLY[*]}"' - "$COMP" "$D/bin/yasmin-bench") ||
	fail "the installed completion failed"
[ "$out" = transports ] || fail "installed completion offered '$out' for 'tra'"
# COMPDIR= moves the completion alone (a system's own completions directory).
make -s -C "$ROOT" install BUILD="$BUILD" DESTDIR="$T/dest2" PREFIX=/opt/yb \
	COMPDIR=/etc/bash_completion.d >"$T/log" 2>&1 || { cat "$T/log"; fail "make install COMPDIR= failed"; }
[ -f "$T/dest2/etc/bash_completion.d/yasmin-bench" ] || fail "COMPDIR ignored"
make -s -C "$ROOT" uninstall BUILD="$BUILD" DESTDIR="$T/dest" PREFIX=/opt/yb >"$T/log" 2>&1 ||
	{ cat "$T/log"; fail "make uninstall failed"; }
[ ! -e "$D/bin/yasmin-bench" ] || fail "uninstall left the binary"
[ ! -e "$D/share/man/man1/yasmin-bench.1" ] || fail "uninstall left the man page"
[ ! -e "$COMP" ] || fail "uninstall left the bash completion"
[ ! -e "$L" ] && [ ! -d "$D/lib/yasmin-bench" ] || fail "uninstall left wrap's library"
exit 0
