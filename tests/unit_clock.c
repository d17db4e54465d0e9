/* unit_clock.c - the measured cost of a clock read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "core/base/clock.h"

/* This thread's CPU time: what the work cost, whatever else the machine
 * was running (a wall clock would time the neighbours too). */
static uint64_t cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void read_cost(void **state)
{
	(void)state;
	uint64_t t0 = cpu_ns();
	double ns = yb_clock_read_ns();
	uint64_t spent = cpu_ns() - t0;

	/* A read costs something, and far less than a system call's worth
	 * on any clocksource a benchmark should trust... */
	if (!(ns > 0 && ns < 100000))
		fail_msg("clock read cost %g ns", ns);
	/* ... measuring it must not delay a run noticeably ... */
	if (spent > 10000000)
		fail_msg("measuring the clock took %llu ns",
			 (unsigned long long)spent);
	/* ... and it is measured once. */
	t0 = cpu_ns();
	assert_true(yb_clock_read_ns() == ns);
	assert_true(cpu_ns() - t0 < 100000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(read_cost),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
