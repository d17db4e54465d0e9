/*
 * sweep.c - the measurement engine's client side: one connection's
 * session (HELLO, the sweep or the soak, END) and the sweep itself (each
 * mode over the sizes: warm-up, trials, verification passes, one row per
 * point); see sweep.h for the method.  The trials it is made of are
 * trial.c's, shared with the soak (soak.c); the server's side is serve.c.
 */
#include "core/measure/sweep.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/base/pattern.h"
#include "core/base/stats.h"
#include "core/base/version.h"
#include "core/measure/soak.h"
#include "core/measure/trial.h"

/* Times a point's trials are measured again after the clock stood still. */
#define CLOCK_STALL_RETRIES 3
/*
 * A run is never sized at more than this many times the last run that
 * was timed before it.  A clock held back on either end (see
 * yb_clock_stalled) can also make a time merely too short, and a time a
 * thousand times too short must not turn the next trial into minutes.
 */
#define MAX_GROWTH 16

void yb_sweep_defaults(struct yb_sweep_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->sched.min_bytes = 1;
	o->sched.max_bytes = 4u << 20;
	o->sched.perturbation = 3;
	o->modes = YB_MODE_BIT(YB_MODE_PINGPONG) | YB_MODE_BIT(YB_MODE_STREAM);
	o->trial_time_s = 0.05;
	o->trials = 3;
	o->min_reps = 3;
	o->timeout_ms = 60000;
}

/*
 * Stream repetitions raised to the floor, but never past what would take
 * ten times the target time at per ns a repetition (a ring of a GiB must
 * not turn 1-byte trials into minutes; such a trial stays short of the
 * floor and its time is still scaled from what the receiver timed).
 */
static uint64_t stream_floor(const struct yb_client *c, unsigned mode,
			     uint64_t bytes, uint64_t reps, double per,
			     double target)
{
	if (mode != YB_MODE_STREAM || c->floor_bytes <= bytes * reps)
		return reps;
	uint64_t want = (c->floor_bytes + bytes - 1) / bytes;
	if (per > 0 && (double)want * per > 10 * target)
		want = (uint64_t)(10 * target / per);
	if (want > YB_MAX_REPS)
		want = YB_MAX_REPS;
	return want > reps ? want : reps;
}

/*
 * The warm-up of a point: one unrecorded run, after concurrent sweeps
 * agreed on *reps, which also catches an estimate that is far off and
 * teaches the stream floor.  *reps comes back sized for the trials;
 * timed is the repetitions of the last run that was timed.
 */
static int warm_up(struct yb_client *c, unsigned mode, uint64_t bytes,
		   uint64_t timed, double target, uint64_t *reps,
		   struct yb_err *err)
{
	const struct yb_sweep_opts *o = c->o;
	int rc;

	if (o->sync && (rc = o->sync(o->sync_ctx, reps, err)) != 0)
		return rc;
	/* Concurrent sweeps size their trials from it while they share
	 * the CPUs, so theirs is long enough for the scheduler's turns to
	 * average out. */
	uint64_t w = *reps / (o->sync ? 4 : 16);
	if (w == 0)
		w = 1;
	struct yb_trial_out t;
	rc = yb_client_trial(c, mode, bytes, w, YB_RUN_WARMUP, 0, &t, err);
	if (rc)
		return rc;
	double per = (double)t.wall / (double)w;
	/* A warm-up the clock did not see tells nothing. */
	if (!yb_clock_stalled(t.wall) &&
	    (per * (double)*reps > 1.5 * target ||
	     per * (double)*reps < target / 1.5)) {
		uint64_t most = MAX_GROWTH * (*reps > timed ? *reps : timed);
		*reps = yb_reps_for(per, bytes, bytes, target, o->min_reps,
				    YB_MAX_REPS);
		if (*reps > most)
			*reps = most;
	}
	yb_learn_floor(c, t.backlog);
	*reps = stream_floor(c, mode, bytes, *reps, per, target);
	return 0;
}

/*
 * The recorded trials of a point into a, of *reps repetitions each
 * (concurrent sweeps agree on the count first).  They are measured again
 * from the first when the clock stood still over a ping-pong trial, or
 * when a stream trial was too short for the buffers between the ends;
 * *reps comes back as the count the kept trials ran.
 */
static int point_trials(struct yb_client *c, unsigned mode, uint64_t bytes,
			double target, uint64_t *repsp, struct yb_acc *a,
			struct yb_err *err)
{
	const struct yb_sweep_opts *o = c->o;
	uint64_t reps = *repsp;
	unsigned retries = 0, stalls = 0;
	struct yb_trial_out t;
	int rc = 0;

again:
	yb_samples_reset(&c->samples);
	yb_acc_reset(a);
	for (unsigned k = 0; k < o->trials && !rc; k++) {
		/* Concurrent sweeps agree on the first trial's
		 * repetitions, so that their trials last alike. */
		uint64_t agreed = reps;
		if (o->sync && (rc = o->sync(o->sync_ctx, &agreed, err)) != 0)
			break;
		if (k == 0)
			reps = agreed;
		rc = yb_client_trial(c, mode, bytes, reps, 0, k, &t, err);
		if (rc)
			break;
		/* A ping-pong trial over which the clock stood still
		 * holds no times at all: the point's trials are
		 * measured again (a single connection only). */
		if (mode == YB_MODE_PINGPONG && !o->sync &&
		    yb_clock_stalled(t.elapsed) && stalls < CLOCK_STALL_RETRIES) {
			stalls++;
			goto again;
		}
		if (yb_acc_add(a, mode, reps, &t))
			rc = yb_err_set(err, YB_ENOMEM, "out of memory");
		else if (o->trial_done)
			o->trial_done(o->sync_ctx, mode, bytes, k,
				      &a->trial[a->n - 1]);
		yb_learn_floor(c, t.backlog);
	}
	/* A stream trial whose receiver found more than a tenth of it
	 * waiting was too short for the buffers between the ends:
	 * again with more (a single connection only: concurrent ones
	 * must stay in step, and take the floor from the next size). */
	if (!rc && !o->sync && retries < 3 && mode == YB_MODE_STREAM &&
	    c->floor_bytes > bytes * reps) {
		uint64_t more = stream_floor(c, mode, bytes, reps,
					     a->wall_ns / (double)a->reps,
					     target);
		if (more > reps) {
			reps = more;
			retries++;
			goto again;
		}
	}
	*repsp = reps;
	return rc;
}

/*
 * One mode over every size: per point, repetitions from the previous
 * point's time (the first point calibrated), the warm-up, the trials,
 * the verification pass, and the row to the sink.
 */
static int sweep_mode(struct yb_client *c, const char *label, unsigned mode,
		      const uint64_t *sizes, size_t n, struct yb_acc *a,
		      struct yb_err *err)
{
	const struct yb_sweep_opts *o = c->o;
	double target = o->trial_time_s * 1e9;
	double last = 0;
	uint64_t last_bytes = 0, timed = 0;
	int rc = 0;

	for (size_t i = 0; i < n && !rc; i++) {
		uint64_t bytes = sizes[i], reps;
		if (yb_sweep_stopped(o)) {
			rc = YB_EINTR;
			break;
		}
		if (o->progress) {
			struct yb_progress pr = { label, mode, bytes, i, n };
			o->progress(o->progress_ctx, &pr);
		}
		if (i == 0) {
			rc = yb_calibrate(c, mode, bytes, 0, &last, &timed,
					  err);
			if (rc)
				break;
			last_bytes = bytes;
		}
		reps = yb_reps_for(last, last_bytes, bytes, target, o->min_reps,
				   YB_MAX_REPS);
		if (reps > MAX_GROWTH * timed)
			reps = MAX_GROWTH * timed;
		rc = warm_up(c, mode, bytes, timed, target, &reps, err);
		if (!rc)
			rc = point_trials(c, mode, bytes, target, &reps, a,
					  err);
		if (!rc && o->verify)
			rc = yb_client_verify(c, mode, bytes, reps, err);
		if (rc)
			break;
		struct yb_point p;
		yb_fill_point(c, &p, label, mode, bytes, reps, a);
		if (a->reps && a->wall_ns > 0)
			last = a->wall_ns / (double)a->reps;
		timed = reps;
		last_bytes = bytes;
		if (o->sink)
			rc = o->sink(o->sink_ctx, &p, err);
	}
	return rc;
}

int yb_sweep_run(struct yb_ep *ep, const char *label,
		 const struct yb_sweep_opts *o, struct yb_meta *server_meta,
		 struct yb_err *err)
{
	struct yb_client *c = calloc(1, sizeof(*c));
	struct yb_acc a = { 0 };
	uint64_t *sizes = NULL;
	int rc, n;

	if (!c)
		return yb_err_set(err, YB_ENOMEM, "out of memory");
	c->ep = ep;
	c->o = o;
	yb_samples_init(&c->samples);
	n = yb_schedule_sizes(&o->sched, &sizes, err);
	if (n < 0) {
		rc = n;
		goto out;
	}
	uint64_t max = sizes[n - 1];
	c->rbuf_bytes = max;
	if (yb_pattern_init(&c->pat, max) || !(c->rbuf = yb_window_buf(max))) {
		rc = yb_err_set(err, YB_ENOMEM,
				"cannot allocate buffers for %llu-byte "
				"messages",
				(unsigned long long)max);
		goto out;
	}

	struct yb_hello h = { .max_bytes = max,
			      .flags = o->verify ? YB_HELLO_VERIFY : 0 };
	snprintf(h.version, sizeof(h.version), "%s", YB_VERSION);
	rc = yb_msg_send(ep, c->msg, yb_enc_hello(c->msg, &h), err);
	if (rc) {
		/* A server that refused us (busy, full) may have closed
		 * before our HELLO arrived: its reason is still to read. */
		struct yb_err why = { 0 };
		if (yb_msg_expect(ep, &c->in, YB_MSG_WELCOME, 500, &why) ==
		    YB_EBUSY)
			rc = yb_err_set(err, YB_EBUSY, "%s", why.msg);
	} else
		rc = yb_msg_expect(ep, &c->in, YB_MSG_WELCOME, o->timeout_ms,
				   err);
	if (rc)
		goto out;
	uint64_t server_max;
	const char *info;
	rc = yb_dec_welcome(&c->in, &server_max, &info, err);
	if (rc)
		goto out;
	if (server_max < max) {
		rc = yb_err_set(err, YB_EPROTO,
				"server accepts messages up to %llu bytes, "
				"%llu asked",
				(unsigned long long)server_max,
				(unsigned long long)max);
		goto out;
	}
	if (server_meta)
		yb_meta_parse_lines(server_meta, info, "server.");

	if (o->duration_s > 0) {
		rc = yb_soak_run(c, label, max, &a, err);
	} else {
		for (unsigned mode = YB_MODE_PINGPONG; mode <= YB_MODE_STREAM;
		     mode++) {
			if (!(o->modes & YB_MODE_BIT(mode)))
				continue;
			rc = sweep_mode(c, label, mode, sizes, (size_t)n, &a,
					err);
			if (rc)
				break;
		}
	}
	if (rc == YB_EINTR)
		yb_err_set(err, YB_EINTR, "interrupted");
	if (rc == 0 || rc == YB_EINTR) {
		/* Tell the server we are done so it can serve the next one. */
		struct yb_err e2;
		const char *counters;
		int r2 = yb_msg_send(ep, c->msg,
				     yb_enc_empty(c->msg, YB_MSG_END), &e2);
		if (!r2)
			r2 = yb_msg_expect(ep, &c->in, YB_MSG_BYE,
					   o->timeout_ms, &e2);
		if (!r2)
			r2 = yb_dec_bye(&c->in, &counters, &e2);
		if (!r2 && server_meta)
			yb_meta_parse_lines(server_meta, counters,
					    "server.counters.");
		if (r2 && rc == 0)
			rc = yb_err_set(err, e2.code, "%s", e2.msg);
	}
out:
	yb_pattern_free(&c->pat);
	yb_samples_free(&c->samples);
	yb_acc_free(&a);
	free(c->bins);
	free(c->rbuf);
	free(sizes);
	free(c);
	return rc;
}
