/*
 * summary.h - what is printed after a run: the summary table, and the
 * warnings about the clock that go with it.  Reads results only.
 */
#ifndef YB_SUMMARY_H
#define YB_SUMMARY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/report/results.h"

/*
 * The summary table: per transport, the smallest message's one-way
 * latency (p50), the peak bandwidth, and both as ratios to tcp (>1 is
 * better) when tcp was measured.
 */
void yb_summary_print(FILE *fp, const struct yb_results *r);

/*
 * The cost of reading the clock lands once in every round trip.  When
 * read_ns is more than 5% of the smallest one-way latency in r, describe
 * it in buf (one line) and return 1; else 0.
 */
int yb_clock_cost_warning(const struct yb_results *r, double read_ns,
			  char *buf, size_t len);

/*
 * A round trip cannot take 0 ns: one that was timed so happened while the
 * clock stood still (a virtual clock held back to stay monotonic).  When
 * any ping-pong point of r holds such round trips, describe them in buf
 * (one line) and return 1; *stalled is their number either way.
 */
int yb_clock_stall_warning(const struct yb_results *r, char *buf,
			   size_t len, uint64_t *stalled);

#endif /* YB_SUMMARY_H */
