/*
 * stats.h - latency statistics for one sweep point.
 *
 * Individual samples go into a log-linear histogram (64 linear sub-buckets
 * per power of two, so a percentile is within 1/64 = 1.6% of the true
 * value) whose size does not depend on how many samples a point takes.
 * Exact minimum, maximum and sum are kept beside it.  Trial means are kept
 * separately for the spread between trials, which is what tells a
 * regression check noise from change.
 */
#ifndef YB_STATS_H
#define YB_STATS_H

#include <stddef.h>
#include <stdint.h>

#define YB_HIST_SUB_BITS 6
#define YB_HIST_SUB (1u << YB_HIST_SUB_BITS)
#define YB_HIST_BUCKETS ((64 - YB_HIST_SUB_BITS + 1) * YB_HIST_SUB)

struct yb_hist {
	uint64_t count;
	uint64_t min, max;
	double sum;
	uint64_t bucket[YB_HIST_BUCKETS];
};

void yb_hist_reset(struct yb_hist *h);
void yb_hist_add(struct yb_hist *h, uint64_t v);
void yb_hist_add_n(struct yb_hist *h, uint64_t v, uint64_t n);
/* Value at quantile q in [0, 1]; exact at the ends, else within 1.6%. */
double yb_hist_quantile(const struct yb_hist *h, double q);
double yb_hist_mean(const struct yb_hist *h);

/* Index of the bucket holding v, and the range of values it covers. */
size_t yb_hist_index(uint64_t v);
uint64_t yb_hist_bucket_low(size_t idx);
uint64_t yb_hist_bucket_high(size_t idx);

/* Mean and sample standard deviation of n values (0 when n < 2). */
double yb_mean(const double *v, size_t n);
double yb_stddev(const double *v, size_t n);
double yb_min(const double *v, size_t n);
double yb_max(const double *v, size_t n);

#endif /* YB_STATS_H */
