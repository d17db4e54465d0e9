#!/bin/sh
# ci-gate.sh - an example CI performance gate built on yasmin-bench.
#
# Runs a short local sweep, then fails (exit 1) when
#   - shm is not at least MIN_LAT times faster than tcp (1-byte-class
#     latency, median over sizes) or MIN_BW times their bandwidth - ratios
#     measured side by side in the same run, which hold on shared CI
#     machines where absolute times drift; and, when BASELINE is set,
#   - the run regressed against BASELINE beyond TOLERANCE percent and
#     beyond the noise of the two runs.
# Exit status 2 means bad input (a missing or malformed baseline).
#
# Environment: YB (the binary, default yasmin-bench), OUT (result
# directory, default a fresh one under /tmp), BASELINE, TOLERANCE
# (default 25), MIN_LAT (default 10), MIN_BW (default 2).  Arguments are
# passed to `yasmin-bench run`, e.g. --max-bytes 64K.
#
#   scripts/ci-gate.sh --max-bytes 256K
#   BASELINE=ci/baseline.csv scripts/ci-gate.sh
set -eu
YB=${YB:-yasmin-bench}
OUT=${OUT:-$(mktemp -d /tmp/yb-gate.XXXXXX)/run}
TOLERANCE=${TOLERANCE:-25}
MIN_LAT=${MIN_LAT:-10}
MIN_BW=${MIN_BW:-2}

"$YB" run --quick --transports shm,tcp --no-plot --out "$OUT" "$@"

status=0
check() { # the worst exit status of the checks wins
	set +e
	"$@"
	rc=$?
	set -e
	[ $rc -gt $status ] && status=$rc
	return 0
}
check "$YB" compare --ratio shm/tcp --min "$MIN_LAT" --metric latency "$OUT/results.csv"
check "$YB" compare --ratio shm/tcp --min "$MIN_BW" --metric bandwidth "$OUT/results.csv"
if [ -n "${BASELINE:-}" ]; then
	check "$YB" compare --tolerance "$TOLERANCE" "$BASELINE" "$OUT/results.csv"
fi
if [ $status -eq 0 ]; then
	echo "ci-gate: passed"
else
	echo "ci-gate: FAILED (exit status $status)"
fi
exit $status
