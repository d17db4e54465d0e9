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

/* Sort n values in place, smallest first. */
void yb_sort_double(double *v, size_t n);

/* yb_median of v, sorting v in place on the way (0 when n is 0). */
double yb_median_sort(double *v, size_t n);

/* Mean and sample standard deviation of n values (0 when n < 2). */
double yb_mean(const double *v, size_t n);
double yb_stddev(const double *v, size_t n);
double yb_min(const double *v, size_t n);
double yb_max(const double *v, size_t n);

/*
 * Tests between runs (the A/B gate and compare with several runs a side).
 *
 * yb_signrank_ci: paired changes d[0..n), one per A/B round.  The
 * Hodges-Lehmann estimate of their centre (the median of the n(n+1)/2
 * Walsh averages (d[i] + d[j]) / 2, i <= j) and its distribution-free
 * confidence interval at level conf (0.95: 95%), whose ends are the k-th
 * smallest and k-th largest Walsh averages, k from the exact null
 * distribution of the Wilcoxon signed-rank statistic (its normal
 * approximation beyond YB_SIGNRANK_EXACT values).  The interval needs only
 * that the changes are independent and symmetric about their centre: no
 * normality, and one wild round moves it little.  With too few values for
 * the level the interval is -inf..+inf.  Returns 0, -1 for n == 0 or n >
 * YB_SIGNRANK_MAX, -2 out of memory.
 */
#define YB_SIGNRANK_EXACT 60
#define YB_SIGNRANK_MAX 2000
int yb_signrank_ci(const double *d, size_t n, double conf, double *est,
		   double *lo, double *hi);
/*
 * The one-sided p-value of the signed-rank test that d's centre is above
 * 0: the chance of a rank sum of the positive values at least this large
 * if signs were a coin toss.  Zeros are dropped (Wilcoxon's rule); 1 when
 * nothing is left.  NAN for n > YB_SIGNRANK_MAX.
 */
double yb_signrank_p(const double *d, size_t n);
/*
 * Two independent samples a[0..m) and b[0..n) (the A and the B runs of a
 * gate).  yb_ranksum_ci: the Hodges-Lehmann estimate of the shift from a
 * to b (the median of the m * n differences b[j] - a[i]) and its
 * distribution-free interval at level conf, whose ends are the k-th
 * smallest and k-th largest difference, k from the exact null
 * distribution of the Mann-Whitney statistic (its normal approximation
 * beyond YB_RANKSUM_EXACT a side).  It needs only that the values of each
 * side come from one distribution and differ by a shift; a wild value
 * moves one difference in every n, not a whole pair.  Same returns as
 * yb_signrank_ci (-1: m or n is 0 or above YB_RANKSUM_MAX).
 * yb_ranksum_p: the one-sided p-value that b is above a.
 */
#define YB_RANKSUM_EXACT 40
#define YB_RANKSUM_MAX 2000
int yb_ranksum_ci(const double *a, size_t m, const double *b, size_t n,
		  double conf, double *est, double *lo, double *hi);
double yb_ranksum_p(const double *a, size_t m, const double *b, size_t n);

/*
 * The sign test on paired changes d[0..n) (one per A/B round).
 * yb_sign_ci: their median and its distribution-free confidence interval
 * at level conf, whose ends are the k-th smallest and k-th largest
 * change, k the largest with P(X < k) <= (1 - conf) / 2 for X binomial
 * (n, 1/2).  It needs only that the changes are independent with median
 * at the centre: not symmetry, and a wild round counts as one sign
 * whatever its size, so up to about k - 1 wild rounds on one side cannot
 * move the interval past the clean ones.  With too few values for the
 * level the interval is -inf..+inf.  Returns 0, -1 for n == 0 or n >
 * YB_SIGN_MAX, -2 out of memory.
 * yb_sign_p: the one-sided p-value that the centre is above 0, P(X >= the
 * number of positive changes) among the nonzero ones (1 when none is).
 */
#define YB_SIGN_MAX 100000
int yb_sign_ci(const double *d, size_t n, double conf, double *est,
	       double *lo, double *hi);
double yb_sign_p(const double *d, size_t n);
/* P(X <= k) for X binomial (n, 1/2). */
double yb_binom_half_cdf(size_t n, size_t k);

/* Standard normal: P(Z <= x), and the x with P(Z <= x) = p. */
double yb_normal_cdf(double x);
double yb_normal_quantile(double p);
/*
 * Student's t with df degrees of freedom: the two-sided critical value,
 * P(|T| <= t) = conf (for a conf-level interval of a mean).
 */
double yb_t_critical(double conf, unsigned df);

#endif /* YB_STATS_H */
