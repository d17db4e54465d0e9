#!/bin/bash
# xen-lab.sh - boot Debian's Xen 4.17 under QEMU (software emulation) and
# run yasmin-bench in its guests: dom0 <-> domU and domU <-> domU over the
# yasmin, vchan and tcp transports, vsock loopback in dom0, a domain
# destroyed mid-stream, a ring above libxenvchan's 1 MiB cap.
#
#   scripts/xen-lab.sh --bin STATIC_BINARY --out DIR [--cache DIR]
#                      [--host-bin BINARY]   draw the results here too
#                      [--preload LIBRARY]   run NPtcp and iperf3 wrapped
#   scripts/xen-lab.sh --prepare [--cache DIR]   only build the images
#
# Everything comes from the Debian archive: the hypervisor and kernel
# packages are downloaded (never installed on this host), dom0's root is
# debootstrapped, the domU root is busybox.  The images are cached in the
# cache directory (default build/xen-lab) and rebuilt when this script
# changes.  The binary must be linked statically (make STATIC=1): the
# guests have no libraries of ours.
#
# With --preload (the wrap library of a normal build), the guests also
# carry NPtcp and iperf3 from this host, with every library they and the
# wrap library load: NPtcp runs wrapped between two domUs and iperf3
# between dom0 and a domU, over yasmin rings.
#
# Results: DIR/summary.txt (one line per check: PASS or FAIL), the CSV and
# JSON files written inside the guests under DIR/results/, the serial log
# of the emulated machine in DIR/serial.log.  Timings under QEMU's TCG are
# meaningless as performance figures: the lab checks correctness, data
# integrity and failure behaviour only.
#
# Exit status: 0 every check passed, 1 a check failed, 77 the lab cannot
# run here (not root, no QEMU, no Debian archive), with the reason.
set -eu
set -o pipefail

PATH=$PATH:/usr/sbin:/sbin
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=build/xen-lab
BIN=
OUT=
PREPARE=0
HOST_BIN=
PRELOAD=
DOM0_INIT=
EXTRA=
# About 270 s on a quiet 2-core host; with one of its two cores kept busy
# by another job, five times that: every wake-up of an emulated CPU then
# waits for the host's scheduler (a one-way message costs milliseconds
# instead of tens of microseconds) and building a domain slows alike.
# The limit only catches a machine that hangs.
TIMEOUT=${YB_LAB_TIMEOUT:-3000}
KVER_PKG=
XEN_PKG=xen-hypervisor-4.17-amd64

die() { echo "xen-lab: $*" >&2; exit 1; }
skip() { echo "xen-lab: skipped: $*" >&2; exit 77; }
say() { printf 'xen-lab: %s\n' "$*" >&2; }

while [ $# -gt 0 ]; do
	case $1 in
	--bin) BIN=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	--cache) CACHE=$2; shift 2 ;;
	--prepare) PREPARE=1; shift ;;
	--host-bin) HOST_BIN=$2; shift 2 ;;
	--preload) PRELOAD=$2; shift 2 ;;
	# For work on the lab itself: another dom0 /init, extra programs.
	--dom0-init) DOM0_INIT=$2; shift 2 ;;
	--extra) EXTRA="$EXTRA $2"; shift 2 ;;
	-h|--help) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1' (try --help)" ;;
	esac
done
if [ $PREPARE = 0 ]; then
	[ -n "$BIN" ] || die "--bin STATIC_BINARY is required"
	[ -n "$OUT" ] || die "--out DIR is required"
	[ -x "$BIN" ] || die "$BIN: no such executable"
	if file_out=$(LC_ALL=C file -b "$BIN" 2>/dev/null); then
		case $file_out in
		*"dynamically linked"*) die "$BIN is dynamically linked; build it with make STATIC=1" ;;
		esac
	fi
fi

[ "$(id -u)" -eq 0 ] || skip "needs root (debootstrap of the dom0 image)"
for c in qemu-system-x86_64 debootstrap busybox cpio zstd xz apt-get dpkg depmod; do
	command -v $c >/dev/null 2>&1 ||
		skip "$c is not installed (scripts/deps.sh installs the lab's packages)"
done
[ -e /bin/busybox ] && file -b /bin/busybox 2>/dev/null | grep -q 'static' ||
	skip "/bin/busybox is not the static busybox (package busybox-static)"

mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)
STAMP=$CACHE/.recipe
# The images depend on the image-building part of this script only.
RECIPE=$(sed -n '/^# --- images/,/^# --- one run/p' "$0" | sha256sum | cut -c1-16)

# The mirror this host installs from: the lab's packages come from there.
mirror() {
	local m
	m=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null |
		grep -v security | head -n 1)
	[ -n "$m" ] || m=$(sed -n 's/^deb  *\(\[[^]]*\] *\)\{0,1\}\([^ ]*\) .*/\2/p' \
		/etc/apt/sources.list 2>/dev/null | grep -v security | head -n 1)
	echo "${m:-http://deb.debian.org/debian}"
}

# --- images, built once and cached ------------------------------------------

fetch_packages() {
	local d=$CACHE/pkgs
	mkdir -p "$d"
	KVER_PKG=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/.*Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1)
	if [ -z "$KVER_PKG" ]; then
		apt-get update -q >/dev/null 2>&1 || true
		KVER_PKG=$(apt-cache depends linux-image-amd64 2>/dev/null |
			sed -n 's/.*Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1)
	fi
	[ -n "$KVER_PKG" ] || skip "cannot resolve linux-image-amd64 from the Debian archive"
	(cd "$d" && for p in "$XEN_PKG" "$KVER_PKG"; do
		ls ${p}_*.deb >/dev/null 2>&1 && continue
		apt-get download -q "$p" >/dev/null 2>&1 ||
			{ apt-get update -q >/dev/null 2>&1; apt-get download -q "$p" >/dev/null; } ||
			exit 3
	done) || skip "cannot download $XEN_PKG / $KVER_PKG from the Debian archive"
}

# Linux's bzImage carries the kernel xz-compressed; a PV domU boots ~10 s
# faster under TCG from the plain ELF (libxc need not decompress it).
extract_vmlinux() { # bzImage out
	local off
	off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$1" | head -n 1 | cut -d: -f1)
	[ -n "$off" ] || die "no xz stream in $1"
	tail -c +$((off + 1)) "$1" | xz -dc --single-stream > "$2" 2>/dev/null || true
	[ "$(head -c 4 "$2" | od -An -c | tr -d ' ')" = '177ELF' ] ||
		die "could not extract an ELF kernel from $1"
}

build_kernel() {
	local k=$CACHE/kernel x=$CACHE/pkgs/x
	rm -rf "$x" "$k"
	mkdir -p "$x" "$k"
	dpkg -x "$CACHE"/pkgs/${XEN_PKG}_*.deb "$x"
	gunzip -c "$x"/boot/xen-4.17-amd64.gz > "$k/xen.elf"
	dpkg -x "$CACHE"/pkgs/${KVER_PKG}_*.deb "$x"
	local kv
	kv=$(ls "$x/lib/modules" | head -n 1)
	cp "$x/boot/vmlinuz-$kv" "$k/vmlinuz"
	extract_vmlinux "$k/vmlinuz" "$k/vmlinux"
	# Only the parts of the module tree the lab loads (Xen devices and
	# back ends, the bridge, vsock), with modules.dep rebuilt for them.
	local src=$x/lib/modules/$kv dst=$k/modules/lib/modules/$kv p
	mkdir -p "$dst/kernel"
	cp "$src"/modules.order "$src"/modules.builtin* "$dst/"
	for p in drivers/xen drivers/net/xen-netback drivers/net/xen-netfront.ko* \
		net/bridge net/802 net/llc net/vmw_vsock; do
		for f in "$src"/kernel/$p; do
			[ -e "$f" ] || continue
			mkdir -p "$dst/kernel/$(dirname "$p")"
			cp -a "$f" "$dst/kernel/$(dirname "$p")/"
		done
	done
	# Modules ship compressed; busybox's modprobe in the domU wants them
	# plain, and plain is what both initrds carry.
	find "$k/modules" -name '*.ko.xz' -exec xz -d {} +
	depmod -b "$k/modules" "$kv"
	echo "$kv" > "$k/version"
	rm -rf "$x"
}

build_dom0_root() {
	local r=$CACHE/dom0root
	rm -rf "$r"
	say "debootstrap of dom0 (about a minute)"
	debootstrap --variant=minbase \
		--include=xen-utils-4.17,xen-utils-common,kmod,procps,iproute2,busybox-static,libxenmisc4.17,strace \
		bookworm "$r" "$(mirror)" > "$CACHE/debootstrap.log" 2>&1 ||
		{ tail -n 5 "$CACHE/debootstrap.log" >&2; skip "debootstrap failed (no Debian archive?)"; }
	rm -rf "$r"/usr/share/doc "$r"/usr/share/man "$r"/usr/share/locale \
		"$r"/usr/share/info "$r"/var/cache/apt/archives/*.deb \
		"$r"/var/lib/apt/lists/* "$r"/usr/lib/python3* "$r"/usr/share/zoneinfo
	cp -a "$CACHE/kernel/modules/lib/modules" "$r/lib/"
	(cd "$r" && find . | cpio -o -H newc --quiet | zstd -q -T0 -10 -o "$CACHE/dom0-base.cpio.zst" -f)
	rm -rf "$r"
}

build_domu_root() {
	local r=$CACHE/domuroot
	rm -rf "$r"
	mkdir -p "$r"/bin "$r"/sbin "$r"/proc "$r"/sys "$r"/dev "$r"/tmp "$r"/lib "$r"/results
	cp /bin/busybox "$r/bin/busybox"
	for a in sh mount modprobe insmod ip ifconfig sleep cat echo ls mkdir tar \
		base64 poweroff sync grep sed kill date wc head tail ps uname dmesg; do
		ln -sf busybox "$r/bin/$a"
	done
	cp -a "$CACHE/kernel/modules/lib/modules" "$r/lib/"
	(cd "$r" && find . | cpio -o -H newc --quiet > "$CACHE/domu-base.cpio")
	rm -rf "$r"
}

prepare() {
	if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$RECIPE" ] &&
		[ -f "$CACHE/dom0-base.cpio.zst" ] && [ -f "$CACHE/domu-base.cpio" ]; then
		return 0
	fi
	local t0=$SECONDS
	say "building the lab images in $CACHE"
	rm -f "$STAMP"
	fetch_packages
	build_kernel
	build_dom0_root
	build_domu_root
	echo "$RECIPE" > "$STAMP"
	say "images ready in $((SECONDS - t0)) s"
}

prepare
[ $PREPARE = 1 ] && exit 0

# --- one run ------------------------------------------------------------------

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
RUN=$(mktemp -d "${TMPDIR:-/tmp}/yb-lab.XXXXXX")
trap 'rm -rf "$RUN"' EXIT

# domU ramdisk: the cached busybox root plus this run's binary and init.
mkdir -p "$RUN/domu/bin"
cp "$BIN" "$RUN/domu/bin/yasmin-bench"
# A guest that lies about who it is (tests/lab_xsreq.c), built here.
${CC:-cc} -std=gnu11 -O2 -static -o "$RUN/domu/bin/lab-xsreq" \
	"$HERE/../tests/lab_xsreq.c" -lxenstore -lxentoolcore 2>"$RUN/xsreq.err" ||
	{ cat "$RUN/xsreq.err" >&2; die "cannot build the lab's lab-xsreq"; }
# Programs from this host and every library they load, at the paths they
# load them from (ldd's view), into a guest's root.
copy_with_libs() { # root program...
	local root=$1 f l
	shift
	for f in "$@"; do
		for l in $(ldd "$f" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p'); do
			[ -e "$root$l" ] && continue
			mkdir -p "$root$(dirname "$l")"
			cp -L "$l" "$root$l"
		done
	done
}
if [ -n "$PRELOAD" ]; then
	[ -f "$PRELOAD" ] || die "--preload $PRELOAD: no such file"
	for p in NPtcp iperf3; do
		command -v $p >/dev/null || die "--preload: $p is not installed (scripts/deps.sh installs it)"
	done
	mkdir -p "$RUN/domu/lib/yasmin-bench"
	cp "$PRELOAD" "$RUN/domu/lib/yasmin-bench/libyasmin-bench-preload.so"
	cp "$(command -v NPtcp)" "$(command -v iperf3)" "$RUN/domu/bin/"
	copy_with_libs "$RUN/domu" "$PRELOAD" "$(command -v NPtcp)" "$(command -v iperf3)"
	# NPtcp looks its protocol up by name (getprotobyname).
	mkdir -p "$RUN/domu/etc"
	cp /etc/protocols /etc/services "$RUN/domu/etc/"
fi
cp "$HERE/xen-lab-guest.sh" "$RUN/domu/init"
chmod 755 "$RUN/domu/init"
(cd "$RUN/domu" && find . | cpio -o -H newc --quiet > "$RUN/domu-overlay.cpio")
cat "$CACHE/domu-base.cpio" "$RUN/domu-overlay.cpio" > "$RUN/domu.cpio"

# dom0: the cached root plus an overlay with the binary, the domU images and
# the test plan.  Linux unpacks concatenated initramfs archives in order.
mkdir -p "$RUN/dom0/lab" "$RUN/dom0/usr/local/bin"
cp "$BIN" "$RUN/dom0/usr/local/bin/yasmin-bench"
cp "${DOM0_INIT:-$HERE/xen-lab-dom0.sh}" "$RUN/dom0/init"
for e in $EXTRA; do cp "$e" "$RUN/dom0/usr/local/bin/"; done
# dom0 has the C library and Xen's; iperf3's own libraries go to a
# directory of their own (LD_LIBRARY_PATH there), never over dom0's.
if [ -n "$PRELOAD" ]; then
	mkdir -p "$RUN/dom0/usr/local/lib/yasmin-bench" "$RUN/libs"
	cp "$PRELOAD" "$RUN/dom0/usr/local/lib/yasmin-bench/libyasmin-bench-preload.so"
	cp "$(command -v iperf3)" "$RUN/dom0/usr/local/bin/"
	copy_with_libs "$RUN/libs" "$(command -v iperf3)"
	mkdir -p "$RUN/dom0/usr/local/lib/yb-iperf3"
	for l in $(find "$RUN/libs" -name 'libiperf*' -o -name 'libsctp*' -o -name 'libcrypto*'); do
		cp "$l" "$RUN/dom0/usr/local/lib/yb-iperf3/"
	done
fi
chmod 755 "$RUN/dom0/init"
cp "$RUN/domu.cpio" "$RUN/dom0/lab/domu.cpio"
cp "$CACHE/kernel/vmlinux" "$RUN/dom0/lab/vmlinux"
# Compressed too: the kernel finds an uncompressed archive after a
# compressed one only at a 4-byte boundary, and a smaller module loads
# faster.
(cd "$RUN/dom0" && find . | cpio -o -H newc --quiet |
	zstd -q -T0 -3 > "$RUN/dom0-overlay.cpio.zst")
cat "$CACHE/dom0-base.cpio.zst" "$RUN/dom0-overlay.cpio.zst" > "$RUN/dom0.cpio"

say "booting Xen under QEMU (TCG; timings here are not performance figures)"
t0=$SECONDS
rm -f "$OUT/serial.log"
rc=0
timeout -k 10 "$TIMEOUT" qemu-system-x86_64 -accel tcg -cpu qemu64 -m 2048 -smp 2 \
	-nodefaults -no-reboot -display none -monitor none \
	-serial "file:$OUT/serial.log" \
	-kernel "$CACHE/kernel/xen.elf" \
	-append "console=com1 com1=115200,8n1 dom0_mem=1024M,max:1024M" \
	-initrd "$CACHE/kernel/vmlinuz console=hvc0 earlyprintk=xen quiet,$RUN/dom0.cpio" \
	</dev/null >"$RUN/qemu.out" 2>&1 || rc=$?
took=$((SECONDS - t0))
[ $rc -eq 124 ] && say "the emulated machine did not power off within ${TIMEOUT} s"
[ $rc -ne 0 ] && [ $rc -ne 124 ] && { cat "$RUN/qemu.out" >&2; say "QEMU exited with $rc"; }

# Results travel out on the serial console as base64 between markers.
tr -d '\r' < "$OUT/serial.log" > "$RUN/serial.txt"
rm -rf "$OUT/results"
mkdir -p "$OUT/results"
if sed -n '/^YBLAB-TAR-BEGIN$/,/^YBLAB-TAR-END$/p' "$RUN/serial.txt" |
	grep -v '^YBLAB-TAR-' | base64 -d 2>/dev/null | tar -xzf - -C "$OUT/results" 2>/dev/null; then
	:
else
	say "no results archive in the serial log"
fi
grep -E '^YBLAB (PASS|FAIL) ' "$RUN/serial.txt" | sed 's/^YBLAB //' > "$OUT/summary.txt" || true
# Draw the guests' sweeps here, on the host, as a user would.
if [ -n "$HOST_BIN" ]; then
	csvs=$(find "$OUT/results" -path '*/results.csv' \( -name results.csv \) |
		grep -v -e after-destroy -e /destroy -e /hold- -e /pair -e /three- -e /vsock-two | sort)
	if [ -n "$csvs" ] &&
		"$HOST_BIN" plot $csvs --out "$OUT/graphs" --format both --force \
			> "$RUN/plot.out" 2>&1; then
		echo "PASS graphs drawn on the host from $(echo "$csvs" | wc -l) result files" >> "$OUT/summary.txt"
	else
		echo "FAIL graphs: $(tail -n 1 "$RUN/plot.out" 2>/dev/null)" >> "$OUT/summary.txt"
	fi
	# The domU pairs that streamed at once, merged and drawn here too.
	r=$OUT/results
	if "$HOST_BIN" merge --out "$OUT/scaling" --format both --force \
		"$r/yb11/pair1-one" "$r/yb11/pair2-first,$r/yb12/pair2-second" \
		> "$RUN/merge.out" 2>&1 && [ -s "$OUT/scaling/scaling_bandwidth.png" ]; then
		echo "PASS scaling graph drawn on the host from the domU pairs" >> "$OUT/summary.txt"
	else
		echo "FAIL scaling graph: $(tail -n 1 "$RUN/merge.out" 2>/dev/null)" >> "$OUT/summary.txt"
	fi
fi
echo "lab time ${took} s (QEMU TCG: correctness only, not performance)" >> "$OUT/summary.txt"
cat "$OUT/summary.txt"
npass=$(grep -c '^PASS ' "$OUT/summary.txt" || true)
nfail=$(grep -c '^FAIL ' "$OUT/summary.txt" || true)
if ! grep -q '^YBLAB DONE$' "$RUN/serial.txt"; then
	say "the lab did not finish (see $OUT/serial.log)"
	tail -n 30 "$RUN/serial.txt" >&2
	exit 1
fi
say "$npass passed, $nfail failed in ${took} s"
[ "$nfail" -eq 0 ] && [ "$npass" -gt 0 ]
