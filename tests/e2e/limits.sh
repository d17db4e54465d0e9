# Resource limits: a ring or a number of pairs beyond what this host or
# this process may have fails with one line that names the limit, its value
# and what to change -- not a crash, an OOM kill or a hang -- and a run that
# fits under the same limit works.
#
# The shm rings live in a memfd, which no /dev/shm size limit bounds and
# which is not locked; what does bound it is memory (a memory cgroup, or
# the host's), the address space and the file-size limit.
. "$(dirname "$0")/../lib.sh"

cases=0
one_line() { expect_fail "$@"; }
fits() {
	"$@" >"$T/fit.out" 2>&1 || { cat "$T/fit.out"; fail "'$*' failed under the same limit"; }
}
quick="--quick --max-bytes 64K --no-plot"

# The address space (ulimit -v).  AddressSanitizer reserves terabytes of
# shadow memory, so this case cannot run in the sanitizer build.
case $BUILD in
*san*) note "address-space case skipped: AddressSanitizer's shadow memory needs the address space" ;;
*)
	(
		ulimit -v 600000
		one_line 1 "cannot map .*Cannot allocate memory; the address-space limit is 600000 KiB (ulimit -v): raise it or try a smaller --ring-size" \
			"$BIN" run --transports shm --ring-size 512M $quick --out "$T/as-big"
		fits "$BIN" run --transports shm --ring-size 1M $quick --out "$T/as-small"
	) || exit 1
	cases=$((cases + 1))
	check_csv "$T/as-small/results.csv"
	;;
esac

# The file-size limit (ulimit -f): the 8 MiB memfd of the default rings
# cannot be sized under 1000 KiB.  Without SIGXFSZ ignored, the server was
# killed by the signal and the client said only that its peer hung up.
(
	ulimit -f 1000
	one_line 1 "server: cannot size the shared memory to [0-9]* bytes: File too large; the file-size limit is 1000 KiB (ulimit -f): raise it or try a smaller --ring-size" \
		"$BIN" run --transports shm $quick --out "$T/fs-big"
	fits "$BIN" run --transports shm --ring-size 64K $quick --out "$T/fs-small"
) || exit 1
cases=$((cases + 1))

# Open files (ulimit -n): four pairs need more descriptors than eight.
(
	ulimit -n 8
	one_line 1 "Too many open files; the open-files limit is 8 (ulimit -n): raise it" \
		"$BIN" run --transports shm --pairs 4 $quick --out "$T/nf-big"
) || exit 1
cases=$((cases + 1))
(
	ulimit -n 16
	fits "$BIN" run --transports shm --pairs 4 $quick --out "$T/nf-small"
) || exit 1

# Processes (ulimit -u), which only binds without root: run as nobody.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
	mkdir -p "$T/nobody"
	cp "$BIN" "$T/nobody/yasmin-bench"
	chmod 755 "$T" "$T/nobody"
	chmod 777 "$T/nobody"
	as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	one_line 1 "fork: Resource temporarily unavailable; the process limit is 4 (ulimit -u): raise it" \
		as_nobody bash -c "ulimit -u 4; exec $T/nobody/yasmin-bench run --transports shm --pairs 4 $quick --out $T/nobody/big"
	cases=$((cases + 1))
	as_nobody bash -c "ulimit -u 16; exec $T/nobody/yasmin-bench run --transports shm --pairs 4 $quick --out $T/nobody/small" \
		>"$T/np.out" 2>&1 || { cat "$T/np.out"; fail "4 pairs failed as nobody with 16 processes allowed"; }
else
	note "process-limit case skipped: needs root and setpriv to run as nobody"
fi

# Memory (a memory cgroup): touching the rings past the cgroup's limit
# would get the server OOM-killed mid-handshake ("peer hung up"); the
# server checks first, and so does a run of pairs for all of them at once.
cg=
if [ "$(id -u)" -eq 0 ]; then
	if [ -f /sys/fs/cgroup/cgroup.controllers ] &&
		grep -qw memory /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null; then
		cg=/sys/fs/cgroup/yb-limits-$$
		mkdir "$cg" 2>/dev/null && echo 200M >"$cg/memory.max" 2>/dev/null || cg=
	elif [ -d /sys/fs/cgroup/memory ]; then
		cg=/sys/fs/cgroup/memory/yb-limits-$$
		mkdir "$cg" 2>/dev/null && echo 200M >"$cg/memory.limit_in_bytes" 2>/dev/null || cg=
	fi
fi
if [ -n "$cg" ]; then
	trap 'rmdir "$cg" 2>/dev/null; cleanup' EXIT
	(
		echo $BASHPID >"$cg/cgroup.procs" || fail "cannot enter $cg"
		one_line 1 "server: the rings need 513 MiB of memory, but the memory cgroup .*yb-limits-$$ allows [0-9]* MiB more (memory\.[a-z_]* is 200 MiB): raise it or try a smaller --ring-size" \
			"$BIN" run --transports shm --ring-size 256M $quick --out "$T/cg-big"
		one_line 1 "4 shm pairs need 257 MiB of shared memory, but the memory cgroup .*yb-limits-$$ allows [0-9]* MiB more .*: raise it, or use fewer --pairs or a smaller --ring-size" \
			"$BIN" run --transports shm --pairs 4 --ring-size 32M $quick --out "$T/cg-pairs"
		fits "$BIN" run --transports shm --pairs 2 --ring-size 16M $quick --out "$T/cg-small"
	) || exit 1
	cases=$((cases + 2))
	check_csv "$T/cg-small/results.csv"
	for d in cg-big cg-pairs; do
		[ ! -f "$T/$d/results.csv" ] || [ "$(wc -l <"$T/$d/results.csv")" -le 1 ] ||
			fail "$d: a refused run wrote rows"
	done
else
	note "memory-cgroup case skipped: cannot create a memory cgroup here"
fi

note "$cases limit cases refused with the limit named; the fitting runs worked"
exit 0
