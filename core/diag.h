/*
 * diag.h - facts about this host or guest for `yasmin-bench diag`:
 * CPU and clock, Xen (domid, version, devices and whether this user may
 * open them, modules, the gntalloc limit, XenStore, libxenctrl), AF_VSOCK,
 * each transport's availability with the reason, and optionally the
 * memcpy and cache-line probes.  Facts are dotted keys in a yb_meta, so
 * the text and the JSON views are the same data.
 */
#ifndef YB_DIAG_H
#define YB_DIAG_H

#include "meta.h"

struct yb_diag_opts {
	int probe;        /* run the memcpy and cache-line probes */
	int cpu_a, cpu_b; /* CPUs for the cache-line probe, -1: none */
	int peer;         /* a peer domid to look for, or -1 */
};

void yb_diag(struct yb_meta *m, const struct yb_diag_opts *o);
/*
 * The probes alone: probe.memcpy_{64k,1m,16m}_gbytes (one core's copy
 * bandwidth, GB/s) and probe.cacheline_one_way_ns between cpu_a and cpu_b
 * (with probe.cacheline_cpus and _relation); a probe that fails leaves
 * "failed: why" under its key.  About a second.
 */
void yb_diag_probes(struct yb_meta *m, int cpu_a, int cpu_b);


#endif /* YB_DIAG_H */
