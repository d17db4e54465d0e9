#!/bin/sh
# deps.sh - make sure the Debian packages yasmin-bench needs are present.
#
# As root, installs whatever is missing with apt-get (Debian 12).  As any
# other user, lists what is missing and fails if a required package is
# absent.  Optional packages (the Xen libraries) only widen what is built.
#
#   scripts/deps.sh            check, and install as root
#   scripts/deps.sh --list     print the package names and exit
set -eu

REQUIRED="gcc make pkg-config libc6-dev libjansson-dev libcmocka-dev mandoc gnuplot-nox clang libclang-rt-14-dev valgrind procps strace"
# The Debian package and its test (tests/e2e/package.sh: dpkg-buildpackage,
# debhelper's dh, lintian) and the completion's test beside the
# bash-completion framework (tests/e2e/completion.sh).
REQUIRED="$REQUIRED dpkg-dev debhelper lintian bash-completion"
# Unmodified socket programs that wrap's tests carry over the ring, and
# /etc/protocols, where NPtcp looks "tcp" up (the Xen lab copies it into
# its guests).
REQUIRED="$REQUIRED netpipe-tcp iperf3 netbase"
# The Xen libraries (headers and the static archives for make STATIC=1),
# and what the Xen lab (scripts/xen-lab.sh) builds its images with.
OPTIONAL="libxen-dev qemu-system-x86 debootstrap busybox-static cpio zstd xz-utils kmod file"

if [ "${1:-}" = "--list" ]; then
	echo $REQUIRED $OPTIONAL
	exit 0
fi

# The packages of "$@" that are not installed, from one dpkg-query (a
# call per package added up to over a second on a busy machine).
missing() {
	have=" $(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "$@" 2>/dev/null |
		awk '$2 == "installed" { printf "%s ", $1 }')"
	for p in "$@"; do
		case "$have" in *" $p "*) ;; *) printf '%s ' "$p" ;; esac
	done
}

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps.sh: not a Debian system; install by hand: $REQUIRED (optional: $OPTIONAL)" >&2
	exit 0
fi

need=$(missing $REQUIRED)
want=$(missing $OPTIONAL)
[ -z "$need$want" ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "deps.sh: installing $need$want" >&2
	export DEBIAN_FRONTEND=noninteractive
	# A fresh machine may have no package lists yet.
	if ! apt-get install -y -q --no-install-recommends $need $want >/dev/null 2>&1; then
		apt-get update -q >/dev/null
		apt-get install -y -q --no-install-recommends $need $want >/dev/null
	fi
	exit 0
fi

if [ -n "$want" ]; then
	echo "deps.sh: optional packages missing: $want(without libxen-dev the Xen transports are not built; without the others the Xen lab is skipped)" >&2
fi
if [ -n "$need" ]; then
	echo "deps.sh: missing packages: $need" >&2
	echo "deps.sh: run as root: apt-get install $need" >&2
	exit 1
fi
exit 0
