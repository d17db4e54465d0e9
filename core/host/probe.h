/*
 * probe.h - the physical ceilings a shared-memory transport is judged
 * against, measured on this machine: how fast one core copies memory and
 * how fast bytes move from one core's copy to another's, how long a cache
 * line takes to travel from one core to another, and the least a small
 * message between two cores can cost.
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

/*
 * The duplex-line floor in ns: the one-way cost of the smallest message
 * when each direction has a cache line of its own and the message rides
 * in the same word as its sequence number, so that one message is one
 * line transfer (the layout of the fastest single-producer queues).
 * Pinned and timed like yb_probe_cacheline.
 */
int yb_probe_duplex(int cpu_a, int cpu_b, double seconds, double *ns,
		    struct yb_err *err);

/*
 * Cross-core copy in Gbit/s (10^9 bit/s): the rate at which one core
 * copies out bytes the other has just written.  A thread on cpu_a copies
 * a message of `bytes` from a private buffer into a shared area of `area`
 * bytes, a chunk at a time through the area's slots (each slot's state in
 * a line of its own); the caller's thread, on cpu_b, copies each chunk
 * out into its own message buffer as soon as it is written and gives the
 * slot back.  The ceiling of a shared-memory stream that copies in and
 * out, as the ring does: the best over chunks of 16, 64 and 256 KiB (those
 * that divide the message and fit the area twice), each the median of
 * batches of about 10 ms; about seconds in all.
 */
int yb_probe_xcopy(size_t bytes, size_t area, int cpu_a, int cpu_b,
		   double seconds, double *gbps, struct yb_err *err);

#endif /* YB_PROBE_H */
