/* stats.c - histogram and summary statistics; see stats.h. */
#include "core/base/stats.h"

#include <math.h>
#include <stdlib.h>
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

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return (a > b) - (a < b);
}

void yb_sort_double(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
}

double yb_median_sort(double *v, size_t n)
{
	if (n == 0)
		return 0.0;
	yb_sort_double(v, n);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

double yb_median(const double *v, size_t n)
{
	double *c;
	double m;

	if (n == 0)
		return 0.0;
	c = malloc(n * sizeof(*c));
	if (!c)
		return NAN;
	memcpy(c, v, n * sizeof(*c));
	m = yb_median_sort(c, n);
	free(c);
	return m;
}

/* ---- exact samples ------------------------------------------------------ */

void yb_samples_init(struct yb_samples *s)
{
	memset(s, 0, sizeof(*s));
	yb_samples_reset(s);
}

void yb_samples_free(struct yb_samples *s)
{
	free(s->v);
	s->v = NULL;
	s->cap = s->n = 0;
}

void yb_samples_reset(struct yb_samples *s)
{
	s->n = 0;
	s->exact = 1;
	s->sorted = 0;
	yb_hist_reset(&s->h);
}

uint64_t *yb_samples_reserve(struct yb_samples *s, size_t n)
{
	if (!s->exact || n > YB_SAMPLES_MAX - s->n) {
		s->exact = 0;
		return NULL;
	}
	if (s->n + n > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		while (cap < s->n + n)
			cap *= 2;
		if (cap > YB_SAMPLES_MAX)
			cap = YB_SAMPLES_MAX;
		uint64_t *nv = realloc(s->v, cap * sizeof(*nv));
		if (!nv) {
			s->exact = 0;
			return NULL;
		}
		/* Touch the new pages now, not inside the timed loop. */
		memset(nv + s->cap, 0, (cap - s->cap) * sizeof(*nv));
		s->v = nv;
		s->cap = cap;
	}
	return s->v + s->n;
}

void yb_samples_commit(struct yb_samples *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		yb_hist_add(&s->h, s->v[s->n + i]);
	s->n += n;
	s->sorted = 0;
}

double yb_samples_quantile(struct yb_samples *s, double q)
{
	if (!s->exact)
		return yb_hist_quantile(&s->h, q);
	if (s->n == 0)
		return 0.0;
	if (!s->sorted) {
		yb_sort_u64(s->v, s->n);
		s->sorted = 1;
	}
	if (q <= 0.0)
		return (double)s->v[0];
	if (q >= 1.0)
		return (double)s->v[s->n - 1];
	uint64_t rank = (uint64_t)ceil(q * (double)s->n);
	if (rank < 1)
		rank = 1;
	if (rank > s->n)
		rank = s->n;
	return (double)s->v[rank - 1];
}

/*
 * Least significant digit first, 16 bits a pass, only as many passes as
 * the largest value needs (two for anything under 4.3 s in ns).  Falls
 * back to qsort(3) when there is no memory for the copy.
 */
void yb_sort_u64(uint64_t *v, size_t n)
{
	uint64_t max = 0, *tmp, *src = v, *dst;
	size_t *count;

	if (n < 2)
		return;
	for (size_t i = 0; i < n; i++)
		if (v[i] > max)
			max = v[i];
	tmp = malloc(n * sizeof(*tmp));
	count = malloc(65536 * sizeof(*count));
	if (!tmp || !count) {
		free(tmp);
		free(count);
		qsort(v, n, sizeof(*v), cmp_u64);
		return;
	}
	dst = tmp;
	for (unsigned shift = 0; shift < 64 && (max >> shift); shift += 16) {
		memset(count, 0, 65536 * sizeof(*count));
		for (size_t i = 0; i < n; i++)
			count[(src[i] >> shift) & 0xffff]++;
		size_t sum = 0;
		for (size_t d = 0; d < 65536; d++) {
			size_t c = count[d];
			count[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[count[(src[i] >> shift) & 0xffff]++] = src[i];
		uint64_t *t = src;
		src = dst;
		dst = t;
	}
	if (src != v)
		memcpy(v, src, n * sizeof(*v));
	free(tmp);
	free(count);
}

/* ---- tests between runs -------------------------------------------------- */

double yb_binom_half_cdf(size_t n, size_t k)
{
	if (k >= n)
		return 1;
	/* Term by term in logs: 2^-n underflows a double beyond n = 1074. */
	double lgn = lgamma((double)n + 1), sum = 0;
	for (size_t i = 0; i <= k; i++)
		sum += exp(lgn - lgamma((double)i + 1) -
			   lgamma((double)(n - i) + 1) - (double)n * log(2.0));
	return sum > 1 ? 1 : sum;
}

int yb_sign_ci(const double *d, size_t n, double conf, double *est,
	       double *lo, double *hi)
{
	if (n == 0 || n > YB_SIGN_MAX)
		return -1;
	double *v = malloc(n * sizeof(double));
	if (!v)
		return -2;
	memcpy(v, d, n * sizeof(double));
	qsort(v, n, sizeof(double), cmp_double);
	*est = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	/* k: how many of the smallest lie below the interval, plus one. */
	double half = (1 - conf) / 2;
	size_t k = 0;
	while (k < n / 2 && yb_binom_half_cdf(n, k) <= half)
		k++;
	if (k == 0) {
		*lo = -INFINITY;
		*hi = INFINITY;
	} else {
		*lo = v[k - 1];
		*hi = v[n - k];
	}
	free(v);
	return 0;
}

double yb_sign_p(const double *d, size_t n)
{
	size_t pos = 0, neg = 0;
	for (size_t i = 0; i < n; i++) {
		if (d[i] > 0)
			pos++;
		else if (d[i] < 0)
			neg++;
	}
	if (pos == 0)
		return 1;
	/* P(X >= pos) = P(X <= neg) for X binomial (pos + neg, 1/2). */
	return yb_binom_half_cdf(pos + neg, neg);
}

double yb_normal_cdf(double x)
{
	return 0.5 * erfc(-x / sqrt(2.0));
}

double yb_normal_quantile(double p)
{
	if (!(p > 0))
		return -INFINITY;
	if (!(p < 1))
		return INFINITY;
	double a = -40, b = 40;
	for (int i = 0; i < 200 && b - a > 1e-12; i++) {
		double m = (a + b) / 2;
		if (yb_normal_cdf(m) < p)
			a = m;
		else
			b = m;
	}
	return (a + b) / 2;
}

/*
 * P(|T| <= t) for Student's t with df degrees of freedom, from the finite
 * series in theta = atan(t / sqrt(df)) that holds for whole df
 * (Abramowitz and Stegun 26.7.3 and 26.7.4).
 */
static double t_within(double t, unsigned df)
{
	double th = atan(t / sqrt((double)df));
	double c = cos(th), s = sin(th), c2 = c * c;

	if (df % 2) {
		if (df == 1)
			return 2.0 * th / M_PI;
		double term = c, sum = c;
		for (unsigned k = 3; k + 2 <= df; k += 2) {
			term *= c2 * (double)(k - 1) / (double)k;
			sum += term;
		}
		return 2.0 / M_PI * (th + s * sum);
	}
	double term = 1.0, sum = 1.0;
	for (unsigned k = 2; k + 2 <= df; k += 2) {
		term *= c2 * (double)(k - 1) / (double)k;
		sum += term;
	}
	return s * sum;
}

double yb_t_critical(double conf, unsigned df)
{
	if (df == 0 || !(conf > 0) || !(conf < 1))
		return NAN;
	if (df > 100000)
		return yb_normal_quantile(0.5 + conf / 2);
	double a = 0, b = 1;
	while (t_within(b, df) < conf && b < 1e12)
		b *= 2;
	for (int i = 0; i < 200 && b - a > 1e-12 * b; i++) {
		double m = (a + b) / 2;
		if (t_within(m, df) < conf)
			a = m;
		else
			b = m;
	}
	return (a + b) / 2;
}

/*
 * The null distribution of the signed-rank statistic of n values: cum[x]
 * = P(T <= x), x = 0 .. n(n+1)/2.  Counts of the subsets of 1..n with each
 * sum, built one rank at a time.
 */
static double *signrank_cdf(size_t n)
{
	size_t m = n * (n + 1) / 2;
	double *c = calloc(m + 1, sizeof(double));

	if (!c)
		return NULL;
	c[0] = 1;
	for (size_t k = 1; k <= n; k++)
		for (size_t w = m; w >= k; w--)
			c[w] += c[w - k];
	double total = ldexp(1.0, (int)n), run = 0;
	for (size_t w = 0; w <= m; w++) {
		run += c[w];
		c[w] = run / total;
	}
	return c;
}

/*
 * How many of the smallest (and of the largest) Walsh averages fall
 * outside the interval: the largest k with P(T <= k - 1) <= alpha / 2.
 * -1 out of memory.
 */
static long signrank_cut(size_t n, double conf)
{
	double half = (1 - conf) / 2;
	size_t m = n * (n + 1) / 2;

	if (n > YB_SIGNRANK_EXACT) {
		double mean = (double)m / 2;
		double sd = sqrt((double)n * (double)(n + 1) *
				 (double)(2 * n + 1) / 24.0);
		double k = floor(mean - yb_normal_quantile(1 - half) * sd - 0.5) + 1;
		return k < 0 ? 0 : (long)k;
	}
	double *cum = signrank_cdf(n);
	if (!cum)
		return -1;
	long k = 0;
	while ((size_t)k <= m && cum[k] <= half)
		k++;
	free(cum);
	return k;
}

int yb_signrank_ci(const double *d, size_t n, double conf, double *est,
		   double *lo, double *hi)
{
	if (n == 0 || n > YB_SIGNRANK_MAX)
		return -1;
	size_t m = n * (n + 1) / 2;
	double *w = malloc(m * sizeof(double));
	if (!w)
		return -2;
	size_t at = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t j = i; j < n; j++)
			w[at++] = (d[i] + d[j]) / 2;
	qsort(w, m, sizeof(double), cmp_double);
	*est = m % 2 ? w[m / 2] : (w[m / 2 - 1] + w[m / 2]) / 2;
	long k = signrank_cut(n, conf);
	if (k < 0) {
		free(w);
		return -2;
	}
	if (k == 0) {
		*lo = -INFINITY;
		*hi = INFINITY;
	} else {
		*lo = w[k - 1];
		*hi = w[m - (size_t)k];
	}
	free(w);
	return 0;
}

struct ranked {
	double a;
	int pos;
};

static int cmp_ranked(const void *x, const void *y)
{
	double a = ((const struct ranked *)x)->a, b = ((const struct ranked *)y)->a;
	return (a > b) - (a < b);
}

double yb_signrank_p(const double *d, size_t n)
{
	if (n > YB_SIGNRANK_MAX)
		return NAN;
	struct ranked *r = malloc((n + 1) * sizeof(*r));
	size_t k = 0;
	if (!r)
		return NAN;
	for (size_t i = 0; i < n; i++)
		if (d[i] != 0 && !isnan(d[i]))
			r[k++] = (struct ranked){ fabs(d[i]), d[i] > 0 };
	if (k == 0) {
		free(r);
		return 1;
	}
	qsort(r, k, sizeof(*r), cmp_ranked);
	/* Ties share the mean of their ranks. */
	double tplus = 0;
	for (size_t i = 0; i < k;) {
		size_t j = i;
		while (j + 1 < k && r[j + 1].a == r[i].a)
			j++;
		double rank = (double)(i + j + 2) / 2;
		for (size_t q = i; q <= j; q++)
			if (r[q].pos)
				tplus += rank;
		i = j + 1;
	}
	free(r);
	double m = (double)(k * (k + 1) / 2);
	/* P(T >= tplus) = P(T <= m - tplus), the distribution is symmetric. */
	double x = m - tplus;
	if (k > YB_SIGNRANK_EXACT) {
		double sd = sqrt((double)k * (double)(k + 1) *
				 (double)(2 * k + 1) / 24.0);
		return yb_normal_cdf((x + 0.5 - m / 2) / sd);
	}
	double *cum = signrank_cdf(k);
	if (!cum)
		return NAN;
	double p = cum[(size_t)floor(x)];
	free(cum);
	return p;
}

/*
 * The null distribution of the Mann-Whitney statistic U (the number of
 * pairs with b above a) for sides of m and n: cum[u] = P(U <= u), u = 0
 * .. m * n.  P(i, j) from P(i - 1, j) (the largest value is an a: it
 * beats no b) and P(i, j - 1) (it is a b: it beats all i a's), with
 * weights i / (i + j) and j / (i + j); only sums, so no cancellation.
 */
static double *ranksum_cdf(size_t m, size_t n)
{
	size_t top = m * n + 1;
	double *prev = calloc((n + 1) * top, sizeof(double));
	double *cur = calloc((n + 1) * top, sizeof(double));
	double *cum = NULL;

	if (!prev || !cur)
		goto out;
	for (size_t j = 0; j <= n; j++)
		prev[j * top] = 1; /* i = 0: U = 0 */
	for (size_t i = 1; i <= m; i++) {
		memset(cur, 0, (n + 1) * top * sizeof(double));
		cur[0] = 1; /* j = 0 */
		for (size_t j = 1; j <= n; j++) {
			double wa = (double)i / (double)(i + j), wb = 1 - wa;
			double *c = cur + j * top, *pa = prev + j * top,
			       *pb = cur + (j - 1) * top;
			for (size_t u = 0; u <= i * j; u++)
				c[u] = wa * pa[u] + (u >= i ? wb * pb[u - i] : 0);
		}
		double *t = prev;
		prev = cur;
		cur = t;
	}
	cum = malloc(top * sizeof(double));
	if (cum) {
		double run = 0;
		for (size_t u = 0; u < top; u++) {
			run += prev[n * top + u];
			cum[u] = run;
		}
	}
out:
	free(prev);
	free(cur);
	return cum;
}

static double ranksum_sd(size_t m, size_t n)
{
	return sqrt((double)m * (double)n * (double)(m + n + 1) / 12.0);
}

int yb_ranksum_ci(const double *a, size_t m, const double *b, size_t n,
		  double conf, double *est, double *lo, double *hi)
{
	if (m == 0 || n == 0 || m > YB_RANKSUM_MAX || n > YB_RANKSUM_MAX)
		return -1;
	size_t mn = m * n;
	double *d = malloc(mn * sizeof(double));
	if (!d)
		return -2;
	for (size_t i = 0; i < m; i++)
		for (size_t j = 0; j < n; j++)
			d[i * n + j] = b[j] - a[i];
	qsort(d, mn, sizeof(double), cmp_double);
	*est = mn % 2 ? d[mn / 2] : (d[mn / 2 - 1] + d[mn / 2]) / 2;
	double half = (1 - conf) / 2;
	long k = 0;
	if (m > YB_RANKSUM_EXACT || n > YB_RANKSUM_EXACT) {
		double x = (double)mn / 2 -
			   yb_normal_quantile(1 - half) * ranksum_sd(m, n) - 0.5;
		k = x < 0 ? 0 : (long)floor(x) + 1;
	} else {
		double *cum = ranksum_cdf(m, n);
		if (!cum) {
			free(d);
			return -2;
		}
		while ((size_t)k < mn && cum[k] <= half)
			k++;
		free(cum);
	}
	if (k == 0) {
		*lo = -INFINITY;
		*hi = INFINITY;
	} else {
		*lo = d[k - 1];
		*hi = d[mn - (size_t)k];
	}
	free(d);
	return 0;
}

double yb_ranksum_p(const double *a, size_t m, const double *b, size_t n)
{
	if (m == 0 || n == 0 || m > YB_RANKSUM_MAX || n > YB_RANKSUM_MAX)
		return NAN;
	double u = 0;
	for (size_t i = 0; i < m; i++)
		for (size_t j = 0; j < n; j++)
			u += b[j] > a[i] ? 1 : b[j] == a[i] ? 0.5 : 0;
	double mn = (double)(m * n), x = mn - u; /* P(U >= u) = P(U <= mn - u) */
	if (m > YB_RANKSUM_EXACT || n > YB_RANKSUM_EXACT)
		return yb_normal_cdf((x + 0.5 - mn / 2) / ranksum_sd(m, n));
	double *cum = ranksum_cdf(m, n);
	if (!cum)
		return NAN;
	double p = cum[(size_t)floor(x)];
	free(cum);
	return p;
}
