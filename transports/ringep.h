/*
 * ringep.h - the data path of a transport built on the YASMIN ring.
 *
 * shm and yasmin differ only in how pages are shared and wake-ups
 * delivered; once connected, an endpoint is a ring.  Their private state
 * (ep->priv) starts with a struct yb_ring, and these functions are their
 * send/recv/wait/last_error/counters operations.
 */
#ifndef YB_RINGEP_H
#define YB_RINGEP_H

#include "core/wire/ring.h"
#include "core/wire/transport.h"

ssize_t yb_ringep_send(struct yb_ep *ep, const void *buf, size_t len);
ssize_t yb_ringep_recv(struct yb_ep *ep, void *buf, size_t len);
ssize_t yb_ringep_send_try(struct yb_ep *ep, const void *buf, size_t len);
ssize_t yb_ringep_recv_try(struct yb_ep *ep, void *buf, size_t len);
int yb_ringep_wait(struct yb_ep *ep, unsigned events, int timeout_ms);
const char *yb_ringep_last_error(const struct yb_ep *ep);
void yb_ringep_counters(const struct yb_ep *ep, struct yb_meta *m);
/*
 * The spin budget a ring gets: the one asked for (--spin-time, or the
 * peer's request), or with 0 this machine's sleep-and-wake-up cost
 * (core/host/wake.h).
 */
uint64_t yb_ringep_spin(uint64_t asked);
/* Ring size, wait mode and spin budget into the metadata; spin_auto: the
 * budget came from yb_ringep_spin(0). */
void yb_ringep_describe(const struct yb_ep *ep, struct yb_meta *m,
			int spin_auto);

/* Size in bytes -> log2, or -1 when not a power of two. */
int yb_ring_order_of(uint64_t bytes);

#endif /* YB_RINGEP_H */
