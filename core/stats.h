/*
 * stats.h - latency statistics for one sweep point.
 *
 * A point keeps every sample it takes, up to YB_SAMPLES_MAX, and its
 * percentiles are then exact order statistics (nearest rank: the value at
 * position ceil(q * n) of the sorted samples).  Beyond that many samples
 * (a long --trial-time over a fast transport) the percentiles come from a
 * log-linear histogram (64 linear sub-buckets per power of two, so a
 * percentile is within 1/64 = 1.6% of the true value, and never outside
 * the observed minimum and maximum), whose size does not depend on how
 * many samples a point takes.  The histogram is always filled too: it is
 * what results.json carries for tail and CDF graphs.  Exact minimum,
 * maximum and sum are kept in either case.  Trial means are kept
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

/* Most samples a point keeps for exact percentiles (16 MiB of them). */
#define YB_SAMPLES_MAX (2u << 20)

/*
 * The samples of one point: every value in v while exact, and always in
 * the histogram.  Room for a trial is made (and its pages touched) before
 * the trial starts, so that storing a sample never allocates or faults
 * inside a timed region.
 */
struct yb_samples {
	uint64_t *v;
	size_t n, cap;
	int exact;        /* every sample is in v */
	int sorted;
	struct yb_hist h;
};

void yb_samples_init(struct yb_samples *s);
void yb_samples_free(struct yb_samples *s);
void yb_samples_reset(struct yb_samples *s);
/*
 * Room for n more samples: a pointer to store them at, or NULL when the
 * point has outgrown YB_SAMPLES_MAX (or memory); then the caller adds
 * them to s->h itself and the point's percentiles come from it.
 */
uint64_t *yb_samples_reserve(struct yb_samples *s, size_t n);
/* The n values stored at the pointer reserve gave are final. */
void yb_samples_commit(struct yb_samples *s, size_t n);
/* Quantile q in [0, 1]: exact (nearest rank) or from the histogram. */
double yb_samples_quantile(struct yb_samples *s, double q);

/* Sort n values in place (radix sort; linear in n). */
void yb_sort_u64(uint64_t *v, size_t n);

/* Median of n values (the mean of the middle two when n is even). */
double yb_median(const double *v, size_t n);

/* Mean and sample standard deviation of n values (0 when n < 2). */
double yb_mean(const double *v, size_t n);
double yb_stddev(const double *v, size_t n);
double yb_min(const double *v, size_t n);
double yb_max(const double *v, size_t n);

#endif /* YB_STATS_H */
