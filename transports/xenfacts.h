/*
 * xenfacts.h - Xen as this domain sees it, as dotted keys under "xen.":
 * whether this is a Xen guest and which version, the devices the yasmin
 * and vchan transports open and whether this user may, their modules, the
 * gntalloc limit, and (with the libraries) XenStore, libxenctrl and where
 * a peer domain's vCPUs run.
 */
#ifndef YB_XENFACTS_H
#define YB_XENFACTS_H

#include "core/base/meta.h"

/* Add the xen.* facts to m; peer is a domid to look for, or -1. */
void yb_xen_facts(struct yb_meta *m, int peer);

#endif /* YB_XENFACTS_H */
