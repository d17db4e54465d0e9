/*
 * compare.h - regression checks between two result files, and ratio
 * gates within one.
 *
 * Points are matched by curve (transport, ring size, wait mode, pairs,
 * pair), mode and size.  Latency comes from ping-pong rows (median
 * one-way), bandwidth from stream rows.  Per curve, the median of the
 * per-size changes decides: a regression when it exceeds the tolerance
 * and the noise of that median - the standard error of a median of n
 * sizes, computed from the larger of the spread the two runs' trials
 * show (their combined 2-sigma relative deviation) and the spread of the
 * changes across sizes.  One noisy size never fails a run on its own; it
 * is reported as the worst change.
 */
#ifndef YB_COMPARE_H
#define YB_COMPARE_H

#include <stddef.h>

#include "err.h"
#include "results.h"

#define YB_METRIC_LATENCY (1u << 0)   /* one-way p50, ping-pong rows */
#define YB_METRIC_BANDWIDTH (1u << 1) /* best trial, stream rows */
#define YB_METRIC_P99 (1u << 2)       /* one-way p99 */
#define YB_METRIC_P999 (1u << 3)      /* one-way p99.9 */
#define YB_METRIC_ALL                                                      \
	(YB_METRIC_LATENCY | YB_METRIC_BANDWIDTH | YB_METRIC_P99 |          \
	 YB_METRIC_P999)

/* "latency", "bandwidth", "p99", "p99.9". */
const char *yb_metric_name(unsigned metric);
/* The metric a name means (the names above; "p50" is "latency"), or 0. */
unsigned yb_metric_parse(const char *name);

/*
 * Whether a run verified its data: YB_VERIFY_YES when any row did (in a
 * pass or inline), YB_VERIFY_NO when every row says it did not, else
 * what its metadata says, else YB_VERIFY_UNKNOWN.
 */
int yb_results_verified(const struct yb_results *r);

struct yb_cmp_row {
	char curve[96];
	unsigned metric;      /* one YB_METRIC_* */
	size_t points;
	double median_pct;    /* change, + is worse */
	double worst_pct;
	uint64_t worst_bytes;
	double noise_pct;     /* noise of the median change */
	size_t over;          /* points beyond tolerance and their trials */
	int regressed;
};

struct yb_cmp {
	struct yb_cmp_row *rows;
	size_t n;
	int regressed;
};

/*
 * Compare current against baseline for the metrics asked; tolerance in
 * percent.  No overlapping point is an error (YB_EINVAL).
 */
int yb_compare(const struct yb_results *base, const struct yb_results *cur,
	       unsigned metrics, double tolerance_pct, struct yb_cmp *out,
	       struct yb_err *err);
void yb_cmp_free(struct yb_cmp *c);

/*
 * A results file must not hold two rows for one curve, mode and size
 * (which would it mean?).  YB_EINVAL naming the first duplicate.
 */
int yb_results_unique(const struct yb_results *r, const char *path,
		      struct yb_err *err);

/*
 * Within one run: how many times better curve a is than curve b (by
 * transport name or full curve label) at the sizes both have; bandwidth
 * a/b, latency b/a.  Median, lowest and highest over those sizes.
 */
int yb_ratio(const struct yb_results *r, const char *a, const char *b,
	     unsigned metric, double *median, double *lo, double *hi,
	     size_t *points, struct yb_err *err);

#endif /* YB_COMPARE_H */
