/*
 * clock.h - monotonic time in nanoseconds.
 *
 * CLOCK_MONOTONIC is never stepped by NTP (unlike gettimeofday), and the
 * vDSO makes it cheap enough to read once per round trip.  Wall-clock time
 * appears only in metadata.
 */
#ifndef YB_CLOCK_H
#define YB_CLOCK_H

#include <stdint.h>
#include <time.h>

typedef uint64_t yb_ns;

static inline yb_ns yb_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (yb_ns)ts.tv_sec * 1000000000u + (yb_ns)ts.tv_nsec;
}

/* Resolution of the clock in ns as the kernel reports it. */
static inline yb_ns yb_clock_resolution(void)
{
	struct timespec ts;

	if (clock_getres(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (yb_ns)ts.tv_sec * 1000000000u + (yb_ns)ts.tv_nsec;
}

/*
 * What one yb_now() costs here, in ns: the least, over 7 batches 100 us
 * apart, of the mean interval between back-to-back reads in a batch of
 * 1000 (a batch stops early after 0.5 ms, so that a clock read through a
 * system call keeps the whole measurement near 4 ms; through the vDSO it
 * takes about 1 ms).  Measured on the first call, then cached.  A latency
 * within a few times this figure is mostly the clock.
 */
double yb_clock_read_ns(void);

/*
 * CLOCK_REALTIME minus CLOCK_MONOTONIC now, in ns: what turns a trial's
 * start (monotonic) into wall-clock time, so that runs made by different
 * processes or guests (Xen guests share the hypervisor's wall clock) can
 * be placed on one time line.  The realtime read bracketed most tightly
 * by two monotonic reads, of a few tries.
 */
int64_t yb_clock_realtime_offset(void);

#endif /* YB_CLOCK_H */
