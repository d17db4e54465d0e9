/*
 * window.h - what both ends of a measurement do around a timed window:
 * fault their buffers in before it, and read their CPU use just before
 * and just after it, never inside.  The client (trial.c) and the server
 * (serve.c) share these.
 *
 * They are inline so that the readings at the edges of a window cost no
 * call into another file, as when both ends' code shared one.  A test that stands a fake clock in for yb_now before it
 * includes the engine's source (tests/unit_sweep.c) gets the fake clock
 * here too.
 */
#ifndef YB_WINDOW_H
#define YB_WINDOW_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "core/base/clock.h"

/* A page-aligned buffer of bytes, its pages faulted in now, not timed. */
static inline void *yb_window_buf(uint64_t bytes)
{
	void *p = NULL;

	if (posix_memalign(&p, 4096, (size_t)bytes) != 0)
		return NULL;
	memset(p, 0, (size_t)bytes); /* fault the pages in now, not timed */
	return p;
}

/*
 * What one end spent around a timed window: CPU time (user + system, all
 * threads) from CLOCK_PROCESS_CPUTIME_ID, context switches from
 * getrusage(2), and the wall time that encloses both readings, so that
 * cpu <= wall for a single thread.  Read before and after the window,
 * never inside it.
 */
struct yb_usage {
	yb_ns wall, cpu;
	uint64_t vcsw, ivcsw;
};

static inline yb_ns yb_cpu_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
		return 0;
	return (yb_ns)ts.tv_sec * 1000000000u + (yb_ns)ts.tv_nsec;
}

/* begin: 1 before the window (wall time first), 0 after it (wall last). */
static inline void yb_usage_read(struct yb_usage *u, int begin)
{
	struct rusage ru;

	if (begin)
		u->wall = yb_now();
	u->cpu = yb_cpu_now();
	if (getrusage(RUSAGE_SELF, &ru) == 0) {
		u->vcsw = (uint64_t)ru.ru_nvcsw;
		u->ivcsw = (uint64_t)ru.ru_nivcsw;
	} else {
		u->vcsw = u->ivcsw = 0;
	}
	if (!begin)
		u->wall = yb_now();
}

/* One end's use over a window: b - a. */
struct yb_spent {
	uint64_t cpu_ns, window_ns, vcsw, ivcsw;
};

static inline void yb_spent_add(struct yb_spent *s, const struct yb_usage *a,
				const struct yb_usage *b)
{
	s->cpu_ns += b->cpu > a->cpu ? b->cpu - a->cpu : 0;
	s->window_ns += b->wall > a->wall ? b->wall - a->wall : 0;
	s->vcsw += b->vcsw - a->vcsw;
	s->ivcsw += b->ivcsw - a->ivcsw;
}

#endif /* YB_WINDOW_H */
