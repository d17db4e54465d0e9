/* stats.c - histogram and summary statistics; see stats.h. */
#include "stats.h"

#include <math.h>
#include <string.h>

void yb_hist_reset(struct yb_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

/*
 * Values below YB_HIST_SUB map to themselves (exact).  Above, a value with
 * its top bit at position m >= SUB_BITS lands in group m - SUB_BITS + 1,
 * sub-bucket = the SUB_BITS bits below the top bit.
 */
size_t yb_hist_index(uint64_t v)
{
	if (v < YB_HIST_SUB)
		return (size_t)v;
	unsigned m = 63u - (unsigned)__builtin_clzll(v);
	unsigned group = m - YB_HIST_SUB_BITS + 1;
	uint64_t sub = (v >> (m - YB_HIST_SUB_BITS)) & (YB_HIST_SUB - 1);
	return (size_t)group * YB_HIST_SUB + (size_t)sub;
}

uint64_t yb_hist_bucket_low(size_t idx)
{
	size_t group = idx / YB_HIST_SUB, sub = idx % YB_HIST_SUB;

	if (group == 0)
		return sub;
	unsigned m = (unsigned)group + YB_HIST_SUB_BITS - 1;
	return (1ull << m) | ((uint64_t)sub << (m - YB_HIST_SUB_BITS));
}

uint64_t yb_hist_bucket_high(size_t idx)
{
	size_t group = idx / YB_HIST_SUB;

	if (group == 0)
		return yb_hist_bucket_low(idx);
	unsigned m = (unsigned)group + YB_HIST_SUB_BITS - 1;
	return yb_hist_bucket_low(idx) + (1ull << (m - YB_HIST_SUB_BITS)) - 1;
}

void yb_hist_add_n(struct yb_hist *h, uint64_t v, uint64_t n)
{
	if (n == 0)
		return;
	h->bucket[yb_hist_index(v)] += n;
	h->count += n;
	h->sum += (double)v * (double)n;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

void yb_hist_add(struct yb_hist *h, uint64_t v)
{
	yb_hist_add_n(h, v, 1);
}

double yb_hist_mean(const struct yb_hist *h)
{
	return h->count ? h->sum / (double)h->count : 0.0;
}

double yb_hist_quantile(const struct yb_hist *h, double q)
{
	if (h->count == 0)
		return 0.0;
	if (q <= 0.0)
		return (double)h->min;
	if (q >= 1.0)
		return (double)h->max;

	/* Rank of the sample wanted, 1-based (nearest-rank definition). */
	uint64_t rank = (uint64_t)ceil(q * (double)h->count);
	if (rank < 1)
		rank = 1;
	uint64_t seen = 0;
	for (size_t i = 0; i < YB_HIST_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen >= rank) {
			double lo = (double)yb_hist_bucket_low(i);
			double hi = (double)yb_hist_bucket_high(i);
			double v = (lo + hi) / 2.0;
			/* Never report outside what was observed. */
			if (v < (double)h->min)
				v = (double)h->min;
			if (v > (double)h->max)
				v = (double)h->max;
			return v;
		}
	}
	return (double)h->max;
}

double yb_mean(const double *v, size_t n)
{
	double s = 0;

	if (n == 0)
		return 0.0;
	for (size_t i = 0; i < n; i++)
		s += v[i];
	return s / (double)n;
}

double yb_stddev(const double *v, size_t n)
{
	if (n < 2)
		return 0.0;
	double m = yb_mean(v, n), s = 0;
	for (size_t i = 0; i < n; i++)
		s += (v[i] - m) * (v[i] - m);
	return sqrt(s / (double)(n - 1));
}

double yb_min(const double *v, size_t n)
{
	double r = n ? v[0] : 0.0;

	for (size_t i = 1; i < n; i++)
		if (v[i] < r)
			r = v[i];
	return r;
}

double yb_max(const double *v, size_t n)
{
	double r = n ? v[0] : 0.0;

	for (size_t i = 1; i < n; i++)
		if (v[i] > r)
			r = v[i];
	return r;
}
