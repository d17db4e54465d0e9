/* unit_stats.c - histogram percentiles and summary statistics. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "core/base/stats.h"

static struct yb_hist h; /* too big for a comfortable stack frame */

static void buckets_cover_values(void **state)
{
	(void)state;
	/* Every value lands in a bucket whose range holds it, and the
	 * buckets are contiguous and no wider than 1/64 of their value. */
	uint64_t vals[] = { 0,	  1,	 63,	64,	 65,	 127, 128,
			    1000, 4095,	 4096,	123457,	 1u << 31,
			    (1ull << 40) + 12345, UINT64_MAX - 1, UINT64_MAX };
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		size_t idx = yb_hist_index(vals[i]);
		assert_true(idx < YB_HIST_BUCKETS);
		assert_true(yb_hist_bucket_low(idx) <= vals[i]);
		assert_true(yb_hist_bucket_high(idx) >= vals[i]);
		uint64_t w = yb_hist_bucket_high(idx) - yb_hist_bucket_low(idx);
		assert_true(w <= yb_hist_bucket_low(idx) / 32 || w == 0);
	}
	for (size_t i = 1; i < YB_HIST_BUCKETS; i++) {
		if (yb_hist_bucket_high(i - 1) == UINT64_MAX)
			break;
		assert_int_equal(yb_hist_bucket_low(i),
				 yb_hist_bucket_high(i - 1) + 1);
	}
}

static void quantiles_uniform(void **state)
{
	(void)state;
	yb_hist_reset(&h);
	for (uint64_t v = 1; v <= 100000; v++)
		yb_hist_add(&h, v);
	assert_int_equal(h.count, 100000);
	assert_int_equal(h.min, 1);
	assert_int_equal(h.max, 100000);
	assert_float_equal(yb_hist_mean(&h), 50000.5, 1e-6);
	assert_float_equal(yb_hist_quantile(&h, 0), 1, 0);
	assert_float_equal(yb_hist_quantile(&h, 1), 100000, 0);
	double p50 = yb_hist_quantile(&h, 0.5);
	double p99 = yb_hist_quantile(&h, 0.99);
	assert_true(fabs(p50 - 50000) / 50000 < 0.016);
	assert_true(fabs(p99 - 99000) / 99000 < 0.016);
}

static void quantiles_skewed(void **state)
{
	(void)state;
	/* 990 fast samples and 10 slow ones: p50 fast, p99 fast, max slow. */
	yb_hist_reset(&h);
	yb_hist_add_n(&h, 2000, 990);
	yb_hist_add_n(&h, 1000000, 10);
	assert_int_equal(h.count, 1000);
	assert_true(fabs(yb_hist_quantile(&h, 0.5) - 2000) <= 2000 / 64.0);
	assert_true(fabs(yb_hist_quantile(&h, 0.99) - 2000) <= 2000 / 64.0);
	assert_true(yb_hist_quantile(&h, 0.995) > 900000);
	assert_float_equal(yb_hist_quantile(&h, 1), 1000000, 0);
	assert_float_equal(yb_hist_mean(&h), (990 * 2000.0 + 1e7) / 1000, 1e-6);
}

static void quantile_single_and_empty(void **state)
{
	(void)state;
	yb_hist_reset(&h);
	assert_float_equal(yb_hist_quantile(&h, 0.5), 0, 0);
	assert_float_equal(yb_hist_mean(&h), 0, 0);
	yb_hist_add(&h, 777);
	/* Never outside what was observed, even inside a wide bucket. */
	assert_float_equal(yb_hist_quantile(&h, 0.5), 777, 0);
	assert_float_equal(yb_hist_quantile(&h, 0.99), 777, 0);
}

static void summary(void **state)
{
	double v[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
	(void)state;

	assert_float_equal(yb_mean(v, 8), 5, 1e-12);
	/* Sample standard deviation: sqrt(32 / 7). */
	assert_float_equal(yb_stddev(v, 8), sqrt(32.0 / 7.0), 1e-12);
	assert_float_equal(yb_min(v, 8), 2, 0);
	assert_float_equal(yb_max(v, 8), 9, 0);
	assert_float_equal(yb_stddev(v, 1), 0, 0);
	assert_float_equal(yb_mean(v, 0), 0, 0);
	double same[] = { 3.5, 3.5, 3.5 };
	assert_float_equal(yb_stddev(same, 3), 0, 1e-15);
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return (a > b) - (a < b);
}

/* The radix sort agrees with qsort on values of every width. */
static void radix_sort_agrees(void **state)
{
	static uint64_t a[100000], b[100000];
	uint64_t x = 88172645463325252ull;
	(void)state;

	for (unsigned shift = 0; shift < 64; shift += 13) {
		for (size_t i = 0; i < 100000; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			a[i] = b[i] = x >> shift;
		}
		yb_sort_u64(a, 100000);
		qsort(b, 100000, sizeof(b[0]), cmp_u64);
		assert_memory_equal(a, b, sizeof(a));
	}
	uint64_t one = 5;
	yb_sort_u64(&one, 1);
	assert_int_equal(one, 5);
}

static void median_of_trials(void **state)
{
	double odd[] = { 3, 1, 2 }, even[] = { 4, 1, 3, 2 };
	(void)state;

	assert_float_equal(yb_median(odd, 3), 2, 0);
	assert_float_equal(yb_median(even, 4), 2.5, 0);
	assert_float_equal(odd[0], 3, 0); /* the input is left alone */
	assert_float_equal(yb_median(odd, 0), 0, 0);
}

static void critical_values(void **state)
{
	(void)state;
	/* Tables of Student's t (two-sided 95% and 99%) and the normal. */
	assert_float_equal(yb_t_critical(0.95, 1), 12.706, 0.001);
	assert_float_equal(yb_t_critical(0.95, 2), 4.303, 0.001);
	assert_float_equal(yb_t_critical(0.95, 5), 2.571, 0.001);
	assert_float_equal(yb_t_critical(0.95, 10), 2.228, 0.001);
	assert_float_equal(yb_t_critical(0.99, 3), 5.841, 0.001);
	assert_float_equal(yb_t_critical(0.95, 30), 2.042, 0.001);
	assert_float_equal(yb_t_critical(0.95, 1000), 1.962, 0.001);
	assert_float_equal(yb_normal_quantile(0.975), 1.95996, 0.00001);
	assert_float_equal(yb_normal_cdf(-1.6449), 0.05, 0.0001);
	assert_true(isnan(yb_t_critical(0.95, 0)));
}

static void signrank_known(void **state)
{
	double d[12], est, lo, hi;
	(void)state;

	/* All positive: the rank sum is the largest there is, p = 2^-n. */
	for (int i = 0; i < 10; i++)
		d[i] = i + 1;
	assert_float_equal(yb_signrank_p(d, 5), 1.0 / 32, 1e-12);
	assert_float_equal(yb_signrank_p(d, 10), 1.0 / 1024, 1e-12);
	/* One sign flipped at rank 1: T+ = 54 of 55, P(T >= 54) = 2/1024. */
	d[0] = -1;
	assert_float_equal(yb_signrank_p(d, 10), 2.0 / 1024, 1e-12);
	/* Symmetric around 0: the estimate is 0, p about a half. */
	double sym[] = { -3, -2, -1, 1, 2, 3 };
	assert_int_equal(yb_signrank_ci(sym, 6, 0.9, &est, &lo, &hi), 0);
	assert_float_equal(est, 0, 1e-12);
	assert_true(lo < 0 && hi > 0);
	assert_true(yb_signrank_p(sym, 6) > 0.4);

	/* n = 10 at 95%: the 9th smallest and 9th largest of the 55 Walsh
	 * averages (the signed-rank table's critical value is 8).  For
	 * 1..10 the Walsh averages are (i + j) / 2, i <= j: 1, 1.5, 2, 2,
	 * 2.5, 2.5, 3, 3, 3, ... so the 9th smallest is 3 and, by symmetry
	 * about 5.5, the 9th largest 8. */
	for (int i = 0; i < 10; i++)
		d[i] = i + 1;
	assert_int_equal(yb_signrank_ci(d, 10, 0.95, &est, &lo, &hi), 0);
	assert_float_equal(est, 5.5, 1e-12);
	assert_float_equal(lo, 3, 1e-12);
	assert_float_equal(hi, 8, 1e-12);
	/* Too few values for the level: the interval is everything. */
	assert_int_equal(yb_signrank_ci(d, 3, 0.95, &est, &lo, &hi), 0);
	assert_true(isinf(lo) && lo < 0 && isinf(hi) && hi > 0);
	assert_int_equal(yb_signrank_ci(d, 0, 0.95, &est, &lo, &hi), -1);
}

/* A fixed generator: the same draws on every machine. */
static uint64_t rng = 88172645463325252ull;
static double uniform(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return ((double)(rng >> 11) + 0.5) / 9007199254740992.0;
}

static double heavy(void)
{
	/* Laplace: heavier tails than a normal, still symmetric. */
	double u = uniform() - 0.5;
	return u < 0 ? log(1 + 2 * u) : -log(1 - 2 * u);
}

static void signrank_coverage(void **state)
{
	(void)state;
	/* The interval holds the true centre at least as often as its level
	 * says (the exact distribution makes it a little conservative), for
	 * small and large n, with heavy tails; and a real shift of one
	 * spread is found. */
	static const size_t ns[] = { 8, 12, 30, 80 };
	for (size_t t = 0; t < 4; t++) {
		size_t n = ns[t], cover = 0, found = 0, reps = 1000;
		double d[80], est, lo, hi;
		for (size_t r = 0; r < reps; r++) {
			for (size_t i = 0; i < n; i++)
				d[i] = 3.0 + heavy();
			assert_int_equal(yb_signrank_ci(d, n, 0.9, &est, &lo, &hi), 0);
			cover += lo <= 3.0 && 3.0 <= hi;
			for (size_t i = 0; i < n; i++)
				d[i] -= 3.0 - 1.5;
			found += yb_signrank_p(d, n) < 0.05;
		}
		print_message("n=%zu: 90%% interval covered %zu of %zu, shift "
			      "found %zu\n", n, cover, reps, found);
		assert_true(cover >= 880 && cover <= 960);
		if (n >= 12)
			assert_true(found >= 900);
	}
}

static void sign_known(void **state)
{
	double d[12], est, lo, hi;
	(void)state;

	/* Binomial (n, 1/2) by hand: P(X <= 1) = 11/1024 for n = 10. */
	assert_float_equal(yb_binom_half_cdf(10, 0), 1.0 / 1024, 1e-15);
	assert_float_equal(yb_binom_half_cdf(10, 1), 11.0 / 1024, 1e-15);
	assert_float_equal(yb_binom_half_cdf(10, 2), 56.0 / 1024, 1e-15);
	assert_float_equal(yb_binom_half_cdf(10, 10), 1, 1e-15);
	/* Large n: no underflow; P(X <= n/2) = 1/2 + C(n, n/2) / 2^(n+1),
	 * which for n = 2000 is 0.5 + 0.0089193 (Stirling). */
	assert_float_equal(yb_binom_half_cdf(2000, 1000), 0.5089193, 1e-6);

	/* n = 10 at 95%: P(X <= 1) = 0.0107 <= 0.025 < P(X <= 2) = 0.0547,
	 * so the interval runs from the 2nd smallest to the 2nd largest. */
	for (int i = 0; i < 10; i++)
		d[i] = 10 - i; /* unsorted on purpose */
	assert_int_equal(yb_sign_ci(d, 10, 0.95, &est, &lo, &hi), 0);
	assert_float_equal(est, 5.5, 1e-12);
	assert_float_equal(lo, 2, 1e-12);
	assert_float_equal(hi, 9, 1e-12);
	assert_float_equal(d[0], 10, 0); /* the input is left alone */
	/* However far off, a wild value is one vote: the same interval. */
	d[0] = 1e9;
	d[9] = -1e9;
	assert_int_equal(yb_sign_ci(d, 10, 0.95, &est, &lo, &hi), 0);
	assert_float_equal(lo, 2, 1e-12);
	assert_float_equal(hi, 9, 1e-12);
	/* n = 6: P(X = 0) = 1/64 <= 0.025, the smallest to the largest;
	 * n = 5: 1/32 > 0.025, nothing to go on. */
	assert_int_equal(yb_sign_ci(d + 2, 6, 0.95, &est, &lo, &hi), 0);
	assert_float_equal(lo, 3, 1e-12);
	assert_float_equal(hi, 8, 1e-12);
	assert_int_equal(yb_sign_ci(d + 2, 5, 0.95, &est, &lo, &hi), 0);
	assert_true(isinf(lo) && lo < 0 && isinf(hi) && hi > 0);
	assert_int_equal(yb_sign_ci(d, 0, 0.95, &est, &lo, &hi), -1);

	/* p: all 10 positive, 2^-10; 8 of 10 (zeros dropped), 56/1024;
	 * none positive, 1. */
	for (int i = 0; i < 10; i++)
		d[i] = i + 1;
	assert_float_equal(yb_sign_p(d, 10), 1.0 / 1024, 1e-15);
	d[0] = -1;
	d[1] = -2;
	d[10] = 0;
	assert_float_equal(yb_sign_p(d, 11), 56.0 / 1024, 1e-15);
	for (int i = 0; i < 10; i++)
		d[i] = -i;
	assert_float_equal(yb_sign_p(d, 10), 1, 0);
}

static void sign_coverage(void **state)
{
	(void)state;
	/* The median's interval needs no symmetry: skewed changes (an
	 * exponential, median ln 2) are covered at the level or above, for
	 * small and large n; and a shift of half a spread is found. */
	static const size_t ns[] = { 8, 16, 31, 200 };
	for (size_t t = 0; t < 4; t++) {
		size_t n = ns[t], cover = 0, found = 0, reps = 1000;
		double d[200], est, lo, hi, med = log(2.0);
		for (size_t r = 0; r < reps; r++) {
			for (size_t i = 0; i < n; i++)
				d[i] = -log(uniform());
			assert_int_equal(yb_sign_ci(d, n, 0.9, &est, &lo, &hi), 0);
			cover += lo <= med && med <= hi;
			for (size_t i = 0; i < n; i++)
				d[i] = heavy() + 0.5;
			found += yb_sign_p(d, n) < 0.05;
		}
		print_message("n=%zu: 90%% interval covered %zu of %zu, shift "
			      "found %zu\n", n, cover, reps, found);
		assert_true(cover >= 880 && cover <= 990);
		if (n >= 200)
			assert_true(found >= 900);
	}
}

static void ranksum_known(void **state)
{
	double a[10], b[10], est, lo, hi;
	(void)state;

	/* Every b above every a: U = m n, P(U >= mn) = 1 / C(m + n, m). */
	for (int i = 0; i < 5; i++) {
		a[i] = i;
		b[i] = 10 + i;
	}
	assert_float_equal(yb_ranksum_p(a, 5, b, 5), 1.0 / 252, 1e-12);
	assert_float_equal(yb_ranksum_p(a, 3, b, 2), 1.0 / 10, 1e-12);
	/* The same values on both sides: no shift, p about a half. */
	assert_int_equal(yb_ranksum_ci(a, 5, a, 5, 0.9, &est, &lo, &hi), 0);
	assert_float_equal(est, 0, 1e-12);
	assert_true(lo < 0 && hi > 0);
	assert_true(yb_ranksum_p(a, 5, a, 5) > 0.4);
	/* m = n = 10 at 95%: the Mann-Whitney table's critical U is 23, so
	 * the 24th smallest and 24th largest of the 100 differences.  For
	 * a = 0..9 and b = a + 100 the differences are 100 + (j - i): 91
	 * once, 92 twice, ... 100 ten times; the 24th smallest is 97 (91 to
	 * 96 make 21) and by symmetry the 24th largest 103. */
	for (int i = 0; i < 10; i++) {
		a[i] = i;
		b[i] = i + 100;
	}
	assert_int_equal(yb_ranksum_ci(a, 10, b, 10, 0.95, &est, &lo, &hi), 0);
	assert_float_equal(est, 100, 1e-12);
	assert_float_equal(lo, 97, 1e-12);
	assert_float_equal(hi, 103, 1e-12);
	/* Two a side cannot make a 95% interval. */
	assert_int_equal(yb_ranksum_ci(a, 2, b, 2, 0.95, &est, &lo, &hi), 0);
	assert_true(isinf(lo) && isinf(hi));
	assert_int_equal(yb_ranksum_ci(a, 0, b, 2, 0.95, &est, &lo, &hi), -1);
}

static void ranksum_coverage(void **state)
{
	(void)state;
	/* The interval holds the true shift at least as often as its level
	 * says, exact (10 a side) and normal (50 a side), heavy tails; a
	 * wild value on each side moves it little. */
	static const size_t ns[] = { 10, 50 };
	for (size_t t = 0; t < 2; t++) {
		size_t n = ns[t], cover = 0, found = 0, near = 0, reps = 600;
		double a[50], b[50], est, lo, hi;
		for (size_t r = 0; r < reps; r++) {
			for (size_t i = 0; i < n; i++) {
				a[i] = heavy();
				b[i] = 2.0 + heavy();
			}
			assert_int_equal(yb_ranksum_ci(a, n, b, n, 0.9, &est,
						       &lo, &hi),
					 0);
			cover += lo <= 2.0 && 2.0 <= hi;
			found += yb_ranksum_p(a, n, b, n) < 0.05;
			/* One wild run a side, both against the shift: the
			 * estimate moves by less than a spread. */
			a[0] = 1000;
			b[1] = -1000;
			assert_int_equal(yb_ranksum_ci(a, n, b, n, 0.9, &est,
						       &lo, &hi),
					 0);
			near += fabs(est - 2.0) < 1.0;
		}
		print_message("rank-sum n=%zu: 90%% interval covered %zu of "
			      "%zu, shift found %zu, estimate near with wild "
			      "runs %zu\n", n, cover, reps, found, near);
		assert_true(cover >= 530 && cover <= 580);
		assert_true(found >= 500);
		assert_true(near >= 420);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(buckets_cover_values),
		cmocka_unit_test(quantiles_uniform),
		cmocka_unit_test(quantiles_skewed),
		cmocka_unit_test(quantile_single_and_empty),
		cmocka_unit_test(summary),
		cmocka_unit_test(radix_sort_agrees),
		cmocka_unit_test(median_of_trials),
		cmocka_unit_test(critical_values),
		cmocka_unit_test(signrank_known),
		cmocka_unit_test(signrank_coverage),
		cmocka_unit_test(sign_known),
		cmocka_unit_test(sign_coverage),
		cmocka_unit_test(ranksum_known),
		cmocka_unit_test(ranksum_coverage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
