/*
 * trial.h - inside the client engine: the pieces the sweep (sweep.c) and
 * the soak (soak.c) are both made of - one timed run, the verification
 * pass, calibration, and a point's trials summed into its row.  Only the
 * engine includes this; every other caller sees sweep.h.
 *
 * The sweep and the soak are two loops over the same pieces (the soak:
 * one size, trials of a second for as long as asked, one row), so the
 * pieces exist once, here.
 */
#ifndef YB_TRIAL_H
#define YB_TRIAL_H

#include <stdint.h>

#include "core/base/err.h"
#include "core/base/pattern.h"
#include "core/base/stats.h"
#include "core/measure/sweep.h"
#include "core/measure/window.h"

/* The most repetitions one run is ever sized at. */
#define YB_MAX_REPS 100000000ull

/* The client's side of one connection. */
struct yb_client {
	struct yb_ep *ep;
	const struct yb_sweep_opts *o;
	struct yb_pattern pat;
	uint8_t *rbuf;
	uint64_t rbuf_bytes;
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
struct yb_trial_out {
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
	uint64_t backlog; /* stream: bytes the receiver found waiting (both
			     ways at once: the larger of the two) */
	/* Both ways at once: each direction's receiver time (elapsed is
	 * then the time that moves one direction's bytes at the two
	 * directions' summed rates); 0 otherwise. */
	yb_ns c2s, s2c;
	struct yb_spent client, server;
};

/* The trials of one point, as they come. */
struct yb_acc {
	double *per_msg;         /* per trial: ns per message (ping-pong:
				    one way) */
	struct yb_trial *trial;  /* per trial: what the JSON keeps */
	unsigned n, cap;
	struct yb_spent client, server;
	uint64_t reps;           /* all recorded repetitions */
	double wall_ns;          /* the client's time of all of them */
};

/* Has the caller asked the sweep to stop (o->stop set)? */
static inline int yb_sweep_stopped(const struct yb_sweep_opts *o)
{
	return o->stop && *o->stop;
}

/* One run of reps messages, timed (flags YB_RUN_WARMUP: not recorded). */
int yb_client_trial(struct yb_client *c, unsigned mode, uint64_t bytes,
		    uint64_t reps, unsigned flags, uint32_t trial,
		    struct yb_trial_out *out, struct yb_err *err);
/*
 * Unrecorded runs of growing length until one lasts an eighth of a
 * trial: *ns_per_rep from it, *timed its repetitions.
 */
int yb_calibrate(struct yb_client *c, unsigned mode, uint64_t bytes,
		 unsigned flags, double *ns_per_rep, uint64_t *timed,
		 struct yb_err *err);

/*
 * The untimed verification pass of a point: reps messages both ends
 * check byte for byte; YB_EVERIFY with the first difference.
 */
int yb_client_verify(struct yb_client *c, unsigned mode, uint64_t bytes,
		     uint64_t reps, struct yb_err *err);
/*
 * Did the clock stand still over a run of elapsed ns that exchanged
 * messages (0 ns on a clock of 1 us resolution or finer)?
 */
int yb_clock_stalled(yb_ns elapsed);
/* A stream receiver found backlog bytes waiting: raise c->floor_bytes. */
void yb_learn_floor(struct yb_client *c, uint64_t backlog);

/* Add a recorded trial of reps repetitions to a point; YB_ENOMEM. */
int yb_acc_add(struct yb_acc *a, unsigned mode, uint64_t reps,
	       const struct yb_trial_out *t);
/* Forget a point's trials (keeping the memory). */
void yb_acc_reset(struct yb_acc *a);
/* Release a point's trials. */
void yb_acc_free(struct yb_acc *a);
/* The row of a point from its trials (and c->samples for ping-pong). */
void yb_fill_point(struct yb_client *c, struct yb_point *p,
		   const char *label, unsigned mode, uint64_t bytes,
		   uint64_t reps, const struct yb_acc *a);

#endif /* YB_TRIAL_H */
