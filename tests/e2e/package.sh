# The Debian package: built from a copy of the tree with
# dpkg-buildpackage (no network, no package installed by the build, no
# build product left in the tree), clean of lintian errors, and what it
# holds works once unpacked into a scratch root: the binary (`transports`,
# a `--version` that is the changelog's), the man page, the bash
# completion; its dependencies name gnuplot and what the binary links.
# Nothing is installed on this system.
. "$(dirname "$0")/../lib.sh"

command -v dpkg-buildpackage >/dev/null 2>&1 ||
	skip "dpkg-buildpackage not found: not a Debian system"
for t in dh lintian dpkg-parsechangelog; do
	command -v $t >/dev/null 2>&1 || fail "$t not found (scripts/deps.sh installs it)"
done

# The copy: what git tracks plus new files it does not ignore, or, outside
# a git checkout, the tree less its build and results directories.
SRC=$T/yasmin-bench
mkdir -p "$SRC"
if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$ROOT" && git ls-files -z -c -o --exclude-standard |
		while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
		tar --null -T - -cf -) | tar -xf - -C "$SRC" || fail "copying the tree failed"
else
	tar -C "$ROOT" --exclude=./build --exclude=./yasmin-results -cf - . |
		tar -xf - -C "$SRC" || fail "copying the tree failed"
fi
[ -f "$SRC/debian/control" ] || fail "no debian/control in the tree"
VERSION=$(dpkg-parsechangelog -l "$SRC/debian/changelog" -S Version)
note "version $VERSION"

# The build must install nothing: in the copy, scripts/deps.sh and, on the
# PATH, apt-get and apt only leave a mark and fail.
mkdir -p "$T/bin"
for f in "$SRC/scripts/deps.sh" "$T/bin/apt-get" "$T/bin/apt"; do
	printf '#!/bin/sh\necho "%s $*" >>"%s"\nexit 1\n' "${f##*/}" "$T/installer-ran" >"$f"
	chmod +x "$f"
done

# One compile: the unit tests run elsewhere in the suite (nocheck).
t0=$(now_ms)
(cd "$SRC" && PATH=$T/bin:$PATH DEB_BUILD_OPTIONS="nocheck parallel=2" \
	dpkg-buildpackage -us -uc -b -Pnocheck) >"$T/build.log" 2>&1 ||
	{ tail -n 40 "$T/build.log"; cat "$T/installer-ran" 2>/dev/null; fail "dpkg-buildpackage failed"; }
note "dpkg-buildpackage took $(($(now_ms) - t0)) ms"
[ ! -e "$T/installer-ran" ] || { cat "$T/installer-ran"; fail "the package build tried to install packages"; }
DEB=$T/yasmin-bench_${VERSION}_$(dpkg --print-architecture).deb
CHANGES=${DEB%.deb}.changes
[ -f "$DEB" ] || { ls "$T"; fail "no $DEB"; }

# lintian: errors fail, warnings are listed.
lintian --fail-on error "$CHANGES" >"$T/lintian" 2>"$T/lintian.err" ||
	{ cat "$T/lintian" "$T/lintian.err"; fail "lintian found errors"; }
grep -q '^E:' "$T/lintian" && { cat "$T/lintian"; fail "lintian errors"; }
while IFS= read -r l; do note "lintian: $l"; done <"$T/lintian"

# Its metadata.
deps=$(dpkg-deb -f "$DEB" Depends)
note "Depends: $deps"
case ", $deps" in *", gnuplot-nox | gnuplot"*) ;; *) fail "no gnuplot dependency: $deps" ;; esac
case $deps in *libjansson*) ;; *) fail "no libjansson dependency (shlibs): $deps" ;; esac
if grep -q 'HAVE_XEN := 1' "$SRC/build/deb/config.mk" 2>/dev/null; then
	case $deps in *libxen*) ;; *) fail "built with Xen, but no libxen dependency: $deps" ;; esac
fi

# Its files, unpacked into a scratch root (dpkg -x: no database, no
# maintainer scripts, nothing on this system).
R=$T/root
dpkg -x "$DEB" "$R" || fail "dpkg -x failed"
dpkg-deb -c "$DEB" >"$T/contents"
for f in usr/bin/yasmin-bench usr/share/man/man1/yasmin-bench.1.gz \
	usr/share/bash-completion/completions/yasmin-bench \
	usr/share/doc/yasmin-bench/copyright; do
	[ -f "$R/$f" ] || { cat "$T/contents"; fail "the package has no /$f"; }
done
cmp -s "$R/usr/share/bash-completion/completions/yasmin-bench" "$ROOT/scripts/yasmin-bench.bash" ||
	fail "the packaged completion is not scripts/yasmin-bench.bash"
# The wrap shim, where the packaged binary finds it.
L=usr/lib/yasmin-bench/libyasmin-bench-preload.so
[ -f "$R/$L" ] || { cat "$T/contents"; fail "the package has no /$L"; }
zcat "$R/usr/share/man/man1/yasmin-bench.1.gz" | mandoc -T lint -W warning >"$T/man" 2>&1
[ -s "$T/man" ] && { cat "$T/man"; fail "the packaged man page does not lint clean"; }

Y=$R/usr/bin/yasmin-bench
v=$("$Y" --version) || fail "the packaged binary's --version failed"
[ "$v" = "yasmin-bench $VERSION" ] || fail "packaged --version says '$v', expected 'yasmin-bench $VERSION'"
"$Y" transports >"$T/transports" 2>&1 || { cat "$T/transports"; fail "the packaged binary's transports failed"; }
grep -q '^shm  *available' "$T/transports" || { cat "$T/transports"; fail "shm not available from the packaged binary"; }
note "packaged binary: $v; $(grep -c available "$T/transports") transports"
# Its wrap preloads the packaged shim.
pre=$("$Y" wrap -- sh -c 'echo "$LD_PRELOAD"' 2>&1) || fail "the packaged binary's wrap failed: $pre"
[ "$pre" = "$R/$L" ] || fail "the packaged wrap preloads '$pre', not /$L"
# The packaged completion with the packaged binary.
out=$(bash -c '. "$1"; COMP_LINE="$2 client s"; COMP_POINT=${#COMP_LINE}
	_yasmin_bench; echo "${COMPREPLY[*]}"' - \
	"$R/usr/share/bash-completion/completions/yasmin-bench" "$Y")
[ "$out" = "shm:" ] || fail "the packaged completion offered '$out' for 'client s'"

# Nothing left behind in the tree itself.
for f in debian/files debian/yasmin-bench debian/.debhelper \
	debian/debhelper-build-stamp build/deb; do
	[ ! -e "$ROOT/$f" ] || note "warning: $ROOT/$f exists (a package build in the tree itself?)"
done
exit 0
