/*
 * flow.h - the data of a stream run, which either end may send or
 * receive: the client sends (c2s), the server sends (s2c, --reverse), or
 * both send at once (--bidir).  The client's trials (trial.c) and the
 * server (serve.c) share these, so that a receiver times its bytes the
 * same way whichever end it is.
 *
 * A receiver's clock: its first read takes everything already waiting
 * (the sender ran before this end woke up); those bytes arrived before
 * any clock here could see them, so the clock starts after that read and
 * the time of the rest is scaled to all the bytes.  A checked run (the
 * untimed verification pass, or a soak) reads message by message and is
 * timed, unscaled, from the first byte there to read.
 */
#ifndef YB_FLOW_H
#define YB_FLOW_H

#include <stdint.h>

#include "core/base/err.h"
#include "core/base/pattern.h"
#include "core/measure/window.h"
#include "core/wire/transport.h"

/* One end's receiving side of a stream run: what it needs, what it saw. */
struct yb_flow_rx {
	uint8_t *buf;        /* room for max bytes, max >= the message size */
	uint64_t max;
	const struct yb_pattern *pat; /* check against it when check is set */
	int check;
	int timeout_ms;      /* longest wait with nothing moving; -1 none */
	/* Optional, inside the window: after message index arrived. */
	void (*on_data)(void *ctx, unsigned mode, uint64_t bytes,
			uint64_t index);
	void *on_data_ctx;

	/* Filled in: */
	yb_ns start;         /* when its clock started */
	yb_ns elapsed;       /* its time, scaled to all the bytes */
	uint64_t backlog;    /* bytes its first read found waiting */
	struct yb_spent spent; /* CPU around the window */
	char bad[160];       /* the first message that failed the check */
};

/*
 * Send reps messages of bytes, numbers seq on, from the pattern.  *spent
 * gets the CPU around the sending, *start when it began.
 */
int yb_flow_send(struct yb_ep *ep, const struct yb_pattern *pat,
		 uint64_t seq, uint64_t bytes, uint64_t reps,
		 struct yb_spent *spent, yb_ns *start, struct yb_err *err);

/*
 * Receive reps messages of bytes, numbers seq on, on the receiver's
 * clock (see above).  A message that fails the check is noted in rx->bad
 * and the rest is still read, so that both ends stay in step.
 */
int yb_flow_recv(struct yb_ep *ep, struct yb_flow_rx *rx, uint64_t seq,
		 uint64_t bytes, uint64_t reps, struct yb_err *err);

/*
 * Both at once from one thread: send reps messages (numbers seq on) while
 * receiving as many from the peer, moving whichever direction can move
 * and waiting for both when neither can, so that neither end ever blocks
 * in a send while the other blocks in its own (two full rings).  rx times
 * the receiving as yb_flow_recv does; rx->spent covers the whole
 * exchange.  Needs the transport's send_try/recv_try: YB_ENOTSUP without.
 */
int yb_flow_both(struct yb_ep *ep, const struct yb_pattern *pat,
		 struct yb_flow_rx *rx, uint64_t seq, uint64_t bytes,
		 uint64_t reps, struct yb_err *err);

#endif /* YB_FLOW_H */
