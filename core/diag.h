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

#include <stddef.h>
#include <stdint.h>

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

/*
 * Where two Xen domains' vCPUs run, from dom0 (libxenctrl): under
 * PREFIX "self" and "peer" (each vCPU's physical CPU now, with its core
 * and socket, and its hard affinity), "relation" and, when spinning on
 * one end would take the CPU from the other, "warning".  Nothing but
 * PREFIX "unknown" where libxenctrl cannot say (a guest; no Xen).
 */
void yb_xen_placement(struct yb_meta *m, const char *prefix, unsigned self,
		      unsigned peer);

/* One vCPU as yb_xen_relation sees it: its physical CPU now (-1 for
 * none) and the physical CPUs it may run on (bit i: CPU i, for i < 64;
 * all ones: anywhere). */
struct yb_xen_vcpu {
	int pcpu;
	uint64_t hard;
};

enum yb_xen_rel {
	YB_XEN_SAME_CPU,  /* a vCPU of each on one physical CPU now */
	YB_XEN_SMT,       /* on two threads of one core now */
	YB_XEN_MAY_SHARE, /* apart now, but their affinities overlap */
	YB_XEN_APART,     /* pinned to CPUs that share no core */
	YB_XEN_UNKNOWN,
};

/*
 * The closest relation between a vCPU of a and one of b, given each
 * physical CPU's core and socket (ncpu of them); the vCPUs concerned go
 * into why.  Pure: no Xen needed.
 */
enum yb_xen_rel yb_xen_relation(const struct yb_xen_vcpu *a, size_t na,
				const struct yb_xen_vcpu *b, size_t nb,
				const uint32_t *core, const uint32_t *socket,
				size_t ncpu, char *why, size_t whylen);
const char *yb_xen_rel_name(enum yb_xen_rel r);

#endif /* YB_DIAG_H */
