/* unit_schedule.c - size schedule, repetition sizing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/measure/schedule.h"

static int sizes_for(uint64_t lo, uint64_t hi, unsigned pert, int pow2,
		     uint64_t **v, struct yb_err *err)
{
	struct yb_schedule_opts o = { .min_bytes = lo,
				      .max_bytes = hi,
				      .perturbation = pert,
				      .pow2_only = pow2 };
	return yb_schedule_sizes(&o, v, err);
}

/* The sequence NetPIPE prints with its defaults (start 1, perturbation 3). */
static void netpipe_prefix(void **state)
{
	static const uint64_t want[] = { 1,   2,   3,   4,   6,   8,   12,
					 13,  16,  19,  21,  24,  27,  29,
					 32,  35,  45,  48,  51,  61,  64,
					 67,  93,  96,  99,  125, 128, 131,
					 189, 192, 195, 253, 256, 259 };
	size_t nw = sizeof(want) / sizeof(want[0]);
	uint64_t *v;
	struct yb_err err = { 0 };
	(void)state;

	int n = sizes_for(1, 4u << 20, 3, 0, &v, &err);
	assert_true(n > (int)nw);
	for (size_t i = 0; i < nw; i++)
		assert_int_equal(v[i], want[i]);
	assert_int_equal(v[n - 1], 4u << 20);
	for (int i = 1; i < n; i++)
		assert_true(v[i] > v[i - 1]);
	free(v);
}

static void no_perturbation(void **state)
{
	static const uint64_t want[] = { 1,  2,  3,  4,   6,   8,   12,
					 16, 24, 32, 48,  64,  96,  128,
					 192, 256, 384, 512, 768, 1024 };
	uint64_t *v;
	(void)state;

	int n = sizes_for(1, 1024, 0, 0, &v, NULL);
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	for (int i = 0; i < n; i++)
		assert_int_equal(v[i], want[i]);
	free(v);
}

static void pow2_only(void **state)
{
	uint64_t *v;
	(void)state;

	int n = sizes_for(1, 1u << 20, 3, 1, &v, NULL);
	assert_int_equal(n, 21);
	for (int i = 0; i < n; i++)
		assert_int_equal(v[i], 1ull << i);
	free(v);
}

static void bounds_always_included(void **state)
{
	uint64_t *v;
	(void)state;

	/* Neither 100 nor 1000 is on the schedule; both must appear. */
	int n = sizes_for(100, 1000, 3, 0, &v, NULL);
	assert_true(n > 2);
	assert_int_equal(v[0], 100);
	assert_int_equal(v[n - 1], 1000);
	for (int i = 0; i < n; i++)
		assert_true(v[i] >= 100 && v[i] <= 1000);
	free(v);

	n = sizes_for(7, 7, 3, 0, &v, NULL);
	assert_int_equal(n, 1);
	assert_int_equal(v[0], 7);
	free(v);

	n = sizes_for(5, 100, 0, 1, &v, NULL);
	assert_int_equal(v[0], 5);
	assert_int_equal(v[1], 8);
	assert_int_equal(v[n - 1], 100);
	assert_int_equal(v[n - 2], 64);
	free(v);
}

static void schedule_errors(void **state)
{
	uint64_t *v = NULL;
	struct yb_err err = { 0 };
	(void)state;

	assert_int_equal(sizes_for(0, 10, 3, 0, &v, &err), YB_EUSAGE);
	assert_non_null(strstr(err.msg, "at least 1"));
	assert_int_equal(sizes_for(10, 9, 3, 0, &v, &err), YB_EUSAGE);
	assert_non_null(strstr(err.msg, "larger than"));
	assert_int_equal(sizes_for(1, YB_MAX_MSG_BYTES + 1, 3, 0, &v, &err),
			 YB_EUSAGE);
	assert_non_null(strstr(err.msg, "limit"));
	assert_null(v);
}

static void reps_sizing(void **state)
{
	(void)state;
	/* 1 us per rep, 0.1 s target: 100000 reps. */
	assert_int_equal(yb_reps_for(1000, 8, 8, 1e8, 3, 1000000000), 100000);
	/* Message doubles: time per rep assumed to double. */
	assert_int_equal(yb_reps_for(1000, 8, 16, 1e8, 3, 1000000000), 50000);
	/* A shrinking message never raises the estimate. */
	assert_int_equal(yb_reps_for(1000, 16, 8, 1e8, 3, 1000000000), 100000);
	/* Clamped at both ends. */
	assert_int_equal(yb_reps_for(1e9, 1, 1, 1e8, 3, 100), 3);
	assert_int_equal(yb_reps_for(10, 1, 1, 1e8, 3, 100), 100);
	/* Nonsense timings fall back to the clock floor, never zero reps. */
	assert_int_equal(yb_reps_for(0, 1, 1, 1e3, 3, 1u << 30), 1000);
	assert_int_equal(yb_reps_for(-5, 1, 1, 1e3, 3, 1u << 30), 1000);
	assert_int_equal(yb_reps_for(__builtin_nan(""), 1, 1, 1e3, 3, 1u << 30),
			 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(netpipe_prefix),
		cmocka_unit_test(no_perturbation),
		cmocka_unit_test(pow2_only),
		cmocka_unit_test(bounds_always_included),
		cmocka_unit_test(schedule_errors),
		cmocka_unit_test(reps_sizing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
