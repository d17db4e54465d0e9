/*
 * probe.h - the physical ceilings a shared-memory transport is judged
 * against, measured on this machine: how fast one core copies memory, and
 * how long a cache line takes to travel from one core to another.
 */
#ifndef YB_PROBE_H
#define YB_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/err.h"

/*
 * Single-core memcpy bandwidth in GB/s (10^9 bytes/s) between two
 * buffers of `bytes` each, copied for about seconds (best of a few runs).
 */
int yb_probe_memcpy(size_t bytes, double seconds, double *gbps,
		    struct yb_err *err);

/*
 * One-way core-to-core latency in ns: two threads, pinned to cpu_a and
 * cpu_b (-1: unpinned), hand one cache line back and forth for about
 * seconds; one-way = round trip / 2 (median of several batches).
 */
int yb_probe_cacheline(int cpu_a, int cpu_b, double seconds, double *ns,
		       struct yb_err *err);

#endif /* YB_PROBE_H */
