/*
 * diag.h - facts about this host or guest for `yasmin-bench diag`: CPU,
 * clock, memory and NUMA, each transport's availability with the reason,
 * and optionally the memcpy and cache-line probes.  (What Xen and AF_VSOCK
 * look like from here is the transports' own knowledge: xenfacts.h and
 * vsock.h; cmd_diag.c puts the pieces together.)  Facts are dotted keys in
 * a yb_meta, so the text and the JSON views are the same data.
 */
#ifndef YB_DIAG_H
#define YB_DIAG_H

#include "core/base/meta.h"

struct yb_diag_opts {
	int probe;        /* run the memcpy and cache-line probes */
	int cpu_a, cpu_b; /* CPUs for the cache-line probe, -1: none */
	int peer;         /* a peer domid to look for, or -1 */
};

/* host.*: the CPU, clock, NUMA nodes, governor, huge pages, limits. */
void yb_diag_host(struct yb_meta *m);

/* transports.NAME: "available", or "unavailable: why". */
void yb_diag_transports(struct yb_meta *m);

/*
 * The probes alone: probe.memcpy_{64k,1m,16m}_gbytes (one core's copy
 * bandwidth, GB/s) and probe.cacheline_one_way_ns between cpu_a and cpu_b
 * (with probe.cacheline_cpus and _relation); a probe that fails leaves
 * "failed: why" under its key.  About a second.
 */
void yb_diag_probes(struct yb_meta *m, int cpu_a, int cpu_b);

#endif /* YB_DIAG_H */
