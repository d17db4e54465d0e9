#!/bin/sh
# ci-ab.sh - a CI performance gate: build a base revision and the working
# tree, run them alternately with `yasmin-bench ab`, and fail the job on a
# regression (exit 1).  Keep OUT as the job's artefact: ab.png, ab.json,
# ab.csv and every run's files.
#
#   scripts/ci-ab.sh                       # against origin/main (or main)
#   BASE=v1.2 OUT=ab-gate scripts/ci-ab.sh --transports shm,tcp --mode both
#
# Environment: BASE (the revision to compare against; default origin/main,
# else main), OUT (default ab-gate), AB_OPTS (options for ab itself, e.g.
# "--budget 5m --tolerance 5").  Arguments are the run options of every
# round (default: unix, tcp and shm ping-pong up to 64 KiB, --quick).
# Exit status: ab's (0 no regression, 1 regression, 2 bad input, 3
# output or the base build failed a run), or 2 when a build fails.
set -eu
cd "$(dirname "$0")/.."
if [ -z "${BASE:-}" ]; then
	BASE=main
	git rev-parse -q --verify origin/main >/dev/null && BASE=origin/main
fi
OUT=${OUT:-ab-gate}
AB_OPTS=${AB_OPTS:-}
[ $# -gt 0 ] || set -- --transports unix,tcp,shm --mode pingpong --quick --max-bytes 64K

work=$(mktemp -d /tmp/yb-ci-ab.XXXXXX)
cleanup() {
	git worktree remove --force "$work/base" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

echo "ci-ab: building $BASE and the working tree"
git worktree add --detach "$work/base" "$BASE" >/dev/null 2>&1 ||
	{ echo "ci-ab: cannot check out $BASE" >&2; exit 2; }
make -C "$work/base" -j"$(nproc)" >"$work/base-build.log" 2>&1 ||
	{ tail -n 20 "$work/base-build.log" >&2; echo "ci-ab: $BASE does not build" >&2; exit 2; }
make -j"$(nproc)" >"$work/build.log" 2>&1 ||
	{ tail -n 20 "$work/build.log" >&2; echo "ci-ab: the working tree does not build" >&2; exit 2; }

status=0
# shellcheck disable=SC2086
build/default/yasmin-bench ab "$work/base/build/default/yasmin-bench" \
	build/default/yasmin-bench $AB_OPTS --force --out "$OUT" "$@" || status=$?
case $status in
0) echo "ci-ab: no regression against $BASE (graph: $OUT/ab.png)" ;;
1) echo "ci-ab: REGRESSION against $BASE (graph: $OUT/ab.png, runs: $OUT/runs/)" ;;
*) echo "ci-ab: the gate could not decide (exit $status)" ;;
esac
exit $status
