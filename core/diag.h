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

#endif /* YB_DIAG_H */
