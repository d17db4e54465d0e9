# make install honours PREFIX and DESTDIR (binary and man page).
. "$(dirname "$0")/../lib.sh"

make -s -C "$ROOT" install BUILD="$BUILD" DESTDIR="$T/dest" PREFIX=/opt/yb >"$T/log" 2>&1 ||
	{ cat "$T/log"; fail "make install failed"; }
[ -x "$T/dest/opt/yb/bin/yasmin-bench" ] || fail "binary not installed"
[ -f "$T/dest/opt/yb/share/man/man1/yasmin-bench.1" ] || fail "man page not installed"
"$T/dest/opt/yb/bin/yasmin-bench" --version | grep -q yasmin-bench || fail "installed binary broken"
make -s -C "$ROOT" uninstall BUILD="$BUILD" DESTDIR="$T/dest" PREFIX=/opt/yb >/dev/null 2>&1
[ ! -e "$T/dest/opt/yb/bin/yasmin-bench" ] || fail "uninstall left the binary"
exit 0
