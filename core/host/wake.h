/*
 * wake.h - what a sleep and a wake-up cost on this machine, and the spin
 * budget adaptive waiting takes from it.
 *
 * A side that waits for its peer can spin (burning its CPU, answering at
 * once) or sleep (costing a sleep, a wake-up and the time the woken side
 * takes to run).  Not knowing how long the wait will be, spinning for as
 * long as a sleep and wake-up cost, then sleeping, never costs more than
 * twice what knowing would have (the classic ski-rental bound).  The cost
 * is measured here, once per process, the way a ring's sides sleep: two
 * threads on two CPUs, each sleeping on a futex until the other wakes it.
 */
#ifndef YB_WAKE_H
#define YB_WAKE_H

#include <stdint.h>

#include "core/base/err.h"

/*
 * One-way cost in ns of a message between two threads, pinned to cpu_a
 * and cpu_b (-1: unpinned), when every message finds its receiver asleep
 * on a futex and wakes it: round trip / 2, the median of `rounds` round
 * trips after a few to warm up.
 */
int yb_probe_wake(int cpu_a, int cpu_b, int rounds, double *ns,
		  struct yb_err *err);

/* The bounds of a measured spin budget. */
#define YB_SPIN_BUDGET_MIN_NS 1000ull
#define YB_SPIN_BUDGET_MAX_NS 1000000ull
/* What the budget is when the probe cannot run (no second thread). */
#define YB_SPIN_BUDGET_FALLBACK_NS 200000ull

/*
 * Adaptive waiting's spin budget on this machine: yb_probe_wake between
 * the CPU we run on and another one (about 200 round trips, a few ms,
 * measured at the first call, the same answer after), kept within the
 * bounds above.  *measured_ns, if not NULL, gets the probe's figure (0 if
 * it could not run).
 */
uint64_t yb_spin_budget_ns(double *measured_ns);

#endif /* YB_WAKE_H */
