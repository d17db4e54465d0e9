/*
 * xenplace.h - where two Xen domains' vCPUs run on the host's physical
 * CPUs, as dom0 sees it through libxenctrl, and how they relate: the
 * facts behind `diag --peer` and the placement a yasmin or vchan run
 * records.
 */
#ifndef YB_XENPLACE_H
#define YB_XENPLACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/base/meta.h"

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

/*
 * libxenctrl with its failure messages sent nowhere (they would go to
 * stderr): open (NULL if it does not answer here; an xc_interface *),
 * then close in any case.  Without the Xen libraries: always NULL.
 */
struct xc_interface_core;
struct yb_quiet_xc {
	FILE *null;
	void *lg;
	struct xc_interface_core *xc;
};
struct xc_interface_core *yb_quiet_xc_open(struct yb_quiet_xc *q);
void yb_quiet_xc_close(struct yb_quiet_xc *q);

#endif /* YB_XENPLACE_H */
