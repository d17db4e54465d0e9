/* unit_clock.c - the measured cost of a clock read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../core/clock.h"

static void read_cost(void **state)
{
	(void)state;
	yb_ns t0 = yb_now();
	double ns = yb_clock_read_ns();
	yb_ns spent = yb_now() - t0;

	/* A read costs something, and far less than a system call's worth
	 * on any clocksource a benchmark should trust... */
	if (!(ns > 0 && ns < 100000))
		fail_msg("clock read cost %g ns", ns);
	/* ... measuring it must not delay a run noticeably ... */
	if (spent > 10000000)
		fail_msg("measuring the clock took %llu ns",
			 (unsigned long long)spent);
	/* ... and it is measured once. */
	t0 = yb_now();
	assert_true(yb_clock_read_ns() == ns);
	assert_true(yb_now() - t0 < 100000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(read_cost),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
