/* vsock.h - AF_VSOCK facts shared by the vsock transport and diag. */
#ifndef YB_VSOCK_H
#define YB_VSOCK_H

#include "core/base/meta.h"

/* This machine's CID from /dev/vsock: 0, or an errno value. */
int yb_vsock_local_cid(unsigned *cid);

/*
 * Does a vsock transport deliver to cid?  Connects to a port nobody
 * listens on: 0 when refused or reset (somebody answered), else the errno
 * value (ETIMEDOUT after timeout_ms, ENODEV when no transport exists).
 */
int yb_vsock_answers(unsigned cid, int timeout_ms);

/*
 * For `diag`: vsock.local_cid, whether vsock sockets can be created, and
 * whether a transport answers for the loopback and the host CIDs.
 */
void yb_vsock_facts(struct yb_meta *m);

#endif /* YB_VSOCK_H */
