/*
 * clock.c - the cost of reading the clock; see clock.h.
 *
 * Back-to-back reads rather than a loop around one read: the interval
 * between two successive timestamps is exactly what a timed section pays
 * for its two clock reads, loop overhead included (a compare and a
 * branch, well under a nanosecond).
 *
 * The least of several batch means, with short sleeps between the
 * batches: whatever else happens on the machine (an interrupt, the host
 * of a virtual machine running something on the other thread of our
 * core) only ever adds to a batch, and each batch already averages a
 * thousand reads.  A median of back-to-back batches was tried first; on a
 * two-vCPU guest one run in ten or so came out 1.5 to 7 times too high,
 * every batch inside one disturbance lasting a few hundred microseconds.
 */
#include "core/base/clock.h"

#include <pthread.h>
#include <time.h>

#define BATCHES 7
#define READS 1000
#define BATCH_LIMIT_NS 500000u /* a read through a system call: ~4 ms */
#define GAP_NS 100000		/* between batches */

static pthread_once_t once = PTHREAD_ONCE_INIT;
/* Written once under pthread_once, read only after it. */
static double read_ns;

static void measure(void)
{
	const struct timespec gap = { 0, GAP_NS };
	double best = 0;

	/* Fault in the vDSO page and warm the caches first. */
	for (int i = 0; i < 16; i++)
		(void)yb_now();
	for (int b = 0; b < BATCHES; b++) {
		if (b)
			nanosleep(&gap, NULL);
		yb_ns t0 = yb_now(), t = t0;
		int n = 0;
		while (n < READS && t - t0 < BATCH_LIMIT_NS) {
			t = yb_now();
			n++;
		}
		double mean = (double)(t - t0) / n;
		if (b == 0 || mean < best)
			best = mean;
	}
	read_ns = best;
}

double yb_clock_read_ns(void)
{
	pthread_once(&once, measure);
	return read_ns;
}

static int64_t ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

int64_t yb_clock_realtime_offset(void)
{
	int64_t best = 0, gap = INT64_MAX;

	for (int i = 0; i < 5; i++) {
		struct timespec m0, r, m1;
		clock_gettime(CLOCK_MONOTONIC, &m0);
		clock_gettime(CLOCK_REALTIME, &r);
		clock_gettime(CLOCK_MONOTONIC, &m1);
		int64_t g = ts_ns(&m1) - ts_ns(&m0);
		if (g < gap) {
			gap = g;
			best = ts_ns(&r) - (ts_ns(&m0) + g / 2);
		}
	}
	return best;
}
