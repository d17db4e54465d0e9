/*
 * unit_wake.c - the sleep-and-wake-up probe and the spin budget adaptive
 * waiting takes from it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/base/clock.h"
#include "core/host/wake.h"

/* A wake-up is a real sleep: more than a cache line's trip, less than
 * the scheduler's slowest answer; and the probe took at least half its
 * round trips at the median (half of them are no shorter). */
static void probe_measures_a_sleep(void **state)
{
	double ns = 0;
	(void)state;

	yb_ns t0 = yb_now();
	assert_int_equal(yb_probe_wake(-1, -1, 100, &ns, NULL), 0);
	yb_ns dt = yb_now() - t0;
	assert_true(ns > 200 && ns < 50e6);
	assert_true((double)dt >= 100 * 2 * ns * 0.5);
}

static void probe_refuses_bad_rounds(void **state)
{
	struct yb_err err = { 0 };
	double ns = -1;
	(void)state;

	assert_int_equal(yb_probe_wake(-1, -1, 0, &ns, &err), YB_EINVAL);
	assert_non_null(strstr(err.msg, "0 rounds"));
	assert_true(ns == -1);
	assert_int_equal(yb_probe_wake(-1, -1, 1000000, &ns, &err), YB_EINVAL);
}

/* Measured once: the same answer after (two probes would not agree to
 * the nanosecond), within the bounds, and the figure itself handed back. */
static void budget_is_the_measured_cost(void **state)
{
	double m1 = 0, m2 = 0;
	(void)state;

	uint64_t b1 = yb_spin_budget_ns(&m1);
	uint64_t b2 = yb_spin_budget_ns(&m2);
	assert_true(m1 > 0);
	assert_true(m1 == m2 && b1 == b2);
	assert_true(b1 >= YB_SPIN_BUDGET_MIN_NS && b1 <= YB_SPIN_BUDGET_MAX_NS);
	if (m1 >= YB_SPIN_BUDGET_MIN_NS && m1 <= YB_SPIN_BUDGET_MAX_NS)
		assert_true(b1 == (uint64_t)m1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(probe_measures_a_sleep),
		cmocka_unit_test(probe_refuses_bad_rounds),
		cmocka_unit_test(budget_is_the_measured_cost),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
