/*
 * sweep_internal.h - inside the client engine: the parts of sweep.c that
 * the soak (soak.c) runs too.  Only those two files include this; every
 * other caller sees sweep.h.
 *
 * The soak lives in a file of its own because it is a different loop over
 * the same pieces (one size, trials of a second for as long as asked, one
 * row), not because its pieces differ: a timed trial, calibration and the
 * accumulation of trials into a point are the sweep's, and exist once.
 */
#ifndef YB_SWEEP_INTERNAL_H
#define YB_SWEEP_INTERNAL_H

#include <stdint.h>

#include "core/base/err.h"
#include "core/base/pattern.h"
#include "core/base/stats.h"
#include "core/measure/sweep.h"
#include "core/measure/window.h"

/* The most repetitions one run is ever sized at. */
#define YB__MAX_REPS 100000000ull

/* The client's side of one connection. */
struct yb__client {
	struct yb_ep *ep;
	const struct yb_sweep_opts *o;
	struct yb_pattern pat;
	uint8_t *rbuf;
	uint8_t msg[YB_PROTO_HDR_LEN + YB_PROTO_MAX_PAYLOAD];
	struct yb_msg in;
	uint64_t seq;      /* next message sequence number */
	struct yb_samples samples; /* round trips of the point's trials */
	/*
	 * Stream: the least bytes a trial must move, ten times the most a
	 * receiver has found waiting at its first read (which it cannot
	 * time), so that what it can time is at least nine tenths.
	 */
	uint64_t floor_bytes;
	struct yb_hbin *bins;      /* the point's histogram, for the sink */
	size_t bins_cap;
};

/* What one timed trial measured. */
struct yb__trial_out {
	yb_ns start;   /* client's clock when timing began */
	yb_ns elapsed; /* ping-pong: the round trips; stream: receiver's */
	/*
	 * What the next run's repetitions are sized from: elapsed, except
	 * for a stream whose receiver found more than a tenth of the run
	 * waiting at its first read - its time, scaled from what was left,
	 * swings from run to run - where it is the client's time from start
	 * to the RESULT (which holds the exchange of control messages too,
	 * so it errs towards shorter trials).
	 */
	yb_ns wall;
	uint64_t backlog; /* stream: bytes the receiver found waiting */
	struct yb_spent client, server;
};

/* The trials of one point, as they come. */
struct yb__acc {
	double *per_msg;         /* per trial: ns per message (ping-pong:
				    one way) */
	struct yb_trial *trial;  /* per trial: what the JSON keeps */
	unsigned n, cap;
	struct yb_spent client, server;
	uint64_t reps;           /* all recorded repetitions */
	double wall_ns;          /* the client's time of all of them */
};

/* Has the caller asked the sweep to stop (o->stop set)? */
static inline int yb__stopped(const struct yb_sweep_opts *o)
{
	return o->stop && *o->stop;
}

/* One run of reps messages, timed (flags YB_RUN_WARMUP: not recorded). */
int yb__client_trial(struct yb__client *c, unsigned mode, uint64_t bytes,
		     uint64_t reps, unsigned flags, uint32_t trial,
		     struct yb__trial_out *out, struct yb_err *err);
/*
 * Unrecorded runs of growing length until one lasts an eighth of a
 * trial: *ns_per_rep from it, *timed its repetitions.
 */
int yb__calibrate(struct yb__client *c, unsigned mode, uint64_t bytes,
		  unsigned flags, double *ns_per_rep, uint64_t *timed,
		  struct yb_err *err);

/* Add a recorded trial of reps repetitions to a point; YB_ENOMEM. */
int yb__acc_add(struct yb__acc *a, unsigned mode, uint64_t reps,
		const struct yb__trial_out *t);
/* Forget a point's trials (keeping the memory). */
void yb__acc_reset(struct yb__acc *a);
/* The row of a point from its trials (and c->samples for ping-pong). */
void yb__fill_point(struct yb__client *c, struct yb_point *p,
		    const char *label, unsigned mode, uint64_t bytes,
		    uint64_t reps, const struct yb__acc *a);

/* The soak (soak.c): o->duration_s of bytes-sized messages, one row. */
int yb__soak_run(struct yb__client *c, const char *label, uint64_t bytes,
		 struct yb__acc *a, struct yb_err *err);

#endif /* YB_SWEEP_INTERNAL_H */
