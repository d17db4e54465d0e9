#!/bin/bash
# run.sh - run the whole test suite: unit tests, end-to-end tests, man lint.
# Each end-to-end test's line ends with its wall-clock time, so that what
# makes the suite slow is in every run's output.
#
# Each test runs in its own process with a time limit (TIMEOUT_MULT scales
# every limit, for slow machines and sanitizer builds).  Exit status 77
# from a test means "skipped".  The last line says how many passed, failed
# and were skipped; the exit status is non-zero if any failed.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build/default}
export ROOT BUILD
export BIN=$ROOT/$BUILD/yasmin-bench
export HELPER=$ROOT/$BUILD/tests/helper_peer
MULT=${TIMEOUT_MULT:-1}
case "$BUILD" in *san*) MULT=$((MULT * 3)) ;; esac
ONLY=${1:-}

pass=0 fail=0 skip=0 n=0
failed_names=()

run_one() { # name timeout command...
	local name=$1 limit=$(($2 * MULT)) log rc
	shift 2
	[ -n "$ONLY" ] && [[ "$name" != *"$ONLY"* ]] && return
	n=$((n + 1))
	log=$(mktemp)
	t0=$SECONDS
	timeout -k 5 "$limit" "$@" >"$log" 2>&1
	rc=$?
	took="($((SECONDS - t0)) s)"
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1))
		echo "ok $n - $name $took"
	elif [ $rc -eq 77 ]; then
		skip=$((skip + 1))
		echo "ok $n - $name # SKIP $(tail -n 1 "$log")"
	else
		fail=$((fail + 1))
		failed_names+=("$name")
		[ $rc -eq 124 ] && echo "# timed out after ${limit}s"
		sed 's/^/# /' "$log" | tail -n 40
		echo "not ok $n - $name (exit $rc) $took"
	fi
	rm -f "$log"
}

# A unit program holds many cmocka cases; each case counts as one test.
run_unit() { # program
	local name log rc cases=0 c
	name=unit/$(basename "$1")
	[ -n "$ONLY" ] && [[ "$name" != *"$ONLY"* ]] && return
	log=$(mktemp)
	CMOCKA_MESSAGE_OUTPUT=TAP timeout -k 5 $((120 * MULT)) "$1" >"$log" 2>&1
	rc=$?
	while read -r c; do
		n=$((n + 1)) cases=$((cases + 1))
		case $c in
		"ok "*) pass=$((pass + 1)); echo "ok $n - $name: ${c#ok * - }" ;;
		*) fail=$((fail + 1)); failed_names+=("$name:${c#not ok * - }")
		   echo "not ok $n - $name: ${c#not ok * - }" ;;
		esac
	done < <(grep -E '^(not )?ok [0-9]+ - ' "$log")
	if [ $rc -ne 0 ] || [ $cases -eq 0 ]; then
		sed 's/^/# /' "$log" | grep -v '^# ok ' | tail -n 40
		if ! grep -q '^not ok ' "$log"; then
			n=$((n + 1)) fail=$((fail + 1))
			failed_names+=("$name")
			echo "not ok $n - $name (exit $rc)"
		fi
	fi
	rm -f "$log"
}

for t in "$BUILD"/tests/unit_*; do
	[ -x "$t" ] || continue
	run_unit "$t"
done
for t in tests/e2e/*.sh; do
	limit=300
	# The Xen lab builds its images on first use and boots Xen under TCG
	# (minutes on a quiet host, much longer beside another busy job).
	case $t in *xen_lab*) limit=3600 ;; esac
	run_one "e2e/$(basename "$t" .sh)" $limit bash "$t"
done
run_one "man/mandoc-lint" 30 sh -c \
	'out=$(mandoc -T lint -W warning man/yasmin-bench.1 2>&1); [ -z "$out" ] || { echo "$out"; exit 1; }'

echo
if [ $fail -gt 0 ]; then
	printf 'failed: %s\n' "${failed_names[*]}"
fi
echo "$pass passed, $fail failed, $skip skipped ($n tests, $BUILD)"
[ $fail -eq 0 ]
