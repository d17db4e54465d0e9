/*
 * sweep.h - the measurement engine: a NetPIPE-style sweep driven by the
 * client, served by the server, over any transport.
 *
 * The client decides everything (sizes, repetitions, trials) and tells the
 * server one trial at a time with in-band RUN messages, so the two ends
 * need no channel besides the one being measured.  Per point:
 *
 *   - repetitions from the previous point's time per repetition, so that a
 *     trial lasts about the target time (the first point of a mode is
 *     calibrated by doubling unrecorded runs);
 *   - one unrecorded warm-up run, which also corrects the repetition count
 *     when the estimate was far off;
 *   - `trials` recorded runs.
 *
 * Every run starts with RUN from the client and GO from the server, so
 * both ends are ready before any clock starts.  Ping-pong: the client
 * times every round trip; one-way latency is half of it.  Stream: the
 * client sends; the server (receiver) takes what is already waiting in
 * one read, starts its clock, stops it after the last byte and sends
 * back its time scaled to all the bytes (those of the first read arrived
 * before any clock could see them); bandwidth is bytes over that time.  Each end reads its
 * CPU time and context switches around its timed window (the server
 * reports its own in RESULT).  With verify, each point gets one more,
 * untimed run in which both ends check every byte, so checking never
 * slows a timed figure.
 *
 * The engine never asks which transport it drives (no transport names
 * appear in sweep.c, trial.c, soak.c or serve.c) and never knows which
 * output format it feeds.
 */
#ifndef YB_SWEEP_H
#define YB_SWEEP_H

#include <signal.h>
#include <stdint.h>

#include "core/base/meta.h"
#include "core/wire/proto.h"
#include "core/report/results.h"
#include "core/measure/schedule.h"
#include "core/wire/transport.h"

#define YB_MODE_BIT(m) (1u << (m))

struct yb_progress {
	const char *label; /* transport */
	unsigned mode;
	uint64_t bytes;
	size_t index, count; /* point index within this mode, 0-based */
};

struct yb_soak {
	double seconds;     /* time spent streaming (receiver's clock) */
	double wall_s;      /* time since the soak began */
	uint64_t bytes;     /* delivered (and verified, with verify) */
	uint64_t messages;
	unsigned trials;
	long rss_start_kib, rss_now_kib, rss_max_kib; /* this process */
};

struct yb_sweep_opts {
	struct yb_schedule_opts sched;
	unsigned modes;        /* YB_MODE_BIT(YB_MODE_PINGPONG) | ... */
	double trial_time_s;   /* target duration of one trial */
	unsigned trials;       /* recorded trials per point */
	uint64_t min_reps;     /* floor on repetitions per trial */
	int verify;            /* check every byte received */
	unsigned direction;    /* streams: enum yb_dir (ping-pong: both) */
	int timeout_ms;        /* control messages; -1 for none */
	volatile sig_atomic_t *stop; /* set from a signal handler, or NULL */
	void (*progress)(void *ctx, const struct yb_progress *p);
	void *progress_ctx;
	/*
	 * Called before the warm-up and before each recorded trial of every
	 * point, the same number of times for every sweep with the same
	 * sizes, modes and trials; lets concurrent sweeps (--pairs) start
	 * each trial together.  *reps is this sweep's repetitions for what
	 * follows; sync may change it (concurrent sweeps agree on one count,
	 * so that their trials last alike).  A non-zero return stops the
	 * sweep with that error.  trial_done reports each recorded trial (its start on the
	 * client's CLOCK_MONOTONIC, its time - ping-pong: all round trips;
	 * stream: the receiver's time - and its repetitions).
	 */
	int (*sync)(void *ctx, uint64_t *reps, struct yb_err *err);
	void (*trial_done)(void *ctx, unsigned mode, uint64_t bytes,
			   unsigned trial, const struct yb_trial *t);
	void *sync_ctx;
	/*
	 * Soak instead of sweep (duration_s > 0): stream messages of
	 * sched.max_bytes for that long in trials of about a second, every
	 * one checked when verify is set, and record one row; soak (may be
	 * NULL) receives the totals, soak_progress sees each trial.
	 */
	double duration_s;
	struct yb_soak *soak;
	void (*soak_progress)(void *ctx, const struct yb_soak *s);
	/* Called with every finished point; a non-zero return stops. */
	int (*sink)(void *ctx, const struct yb_point *p, struct yb_err *err);
	void *sink_ctx;
};

void yb_sweep_defaults(struct yb_sweep_opts *o);

/*
 * Run the sweep as the client on a connected endpoint.  label names the
 * transport in the records.  The server's self-description is merged into
 * server_meta (may be NULL).  Returns 0, YB_EINTR if stopped, or an error.
 */
int yb_sweep_run(struct yb_ep *ep, const char *label,
		 const struct yb_sweep_opts *o, struct yb_meta *server_meta,
		 struct yb_err *err);

#endif /* YB_SWEEP_H */
