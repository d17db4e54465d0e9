/*
 * soak.c - the soak: one size, streamed for o->duration_s in trials of
 * about a second, one row at the end, with this process's memory watched
 * as it goes (sweep.h: duration_s, struct yb_soak).
 *
 * A soak exists to prove integrity over time, so with verify every
 * message of every trial is checked by the receiver inside its timed
 * window (the row says so: verify "inline"), unlike a sweep, which
 * verifies in untimed passes.  A stop (Ctrl-C) or an error ends it early
 * with the row of the trials done in full.  The trials, calibration and
 * the row are the client engine's (trial.c).
 */
#include "core/measure/soak.h"

#include "core/base/clock.h"
#include "core/host/sysinfo.h"
#include "core/measure/schedule.h"

int yb_soak_run(struct yb_client *c, const char *label, uint64_t bytes,
		struct yb_acc *a, struct yb_err *err)
{
	const struct yb_sweep_opts *o = c->o;
	struct yb_soak st = { 0 };
	double last = 0;
	unsigned flags = o->verify ? YB_RUN_VERIFY : 0;
	int rc;

	/* Sized as the trials will run: checked inline, which is slower. */
	uint64_t timed = 0;
	rc = yb_calibrate(c, YB_MODE_STREAM, bytes, flags, &last, &timed,
			  err);
	/* A quarter-second first trial: a short calibration can be far
	 * from the rate a soak sustains, and the next trials are sized
	 * from this one. */
	uint64_t reps = yb_reps_for(last, bytes, bytes, 0.25e9, 1,
				    YB_MAX_REPS);
	yb_ns start = yb_now();
	st.rss_start_kib = st.rss_max_kib = yb_rss_kib();
	yb_samples_reset(&c->samples);
	yb_acc_reset(a);
	while (!rc && (double)(yb_now() - start) < o->duration_s * 1e9) {
		if (yb_sweep_stopped(o)) {
			rc = YB_EINTR;
			break;
		}
		struct yb_trial_out t;
		rc = yb_client_trial(c, YB_MODE_STREAM, bytes, reps, flags,
				     a->n, &t, err);
		if (rc)
			break;
		if (yb_acc_add(a, YB_MODE_STREAM, reps, &t)) {
			rc = yb_err_set(err, YB_ENOMEM, "out of memory");
			break;
		}
		st.seconds += (double)t.elapsed / 1e9;
		st.bytes += bytes * reps;
		st.messages += reps;
		st.trials = a->n;
		st.wall_s = (double)(yb_now() - start) / 1e9;
		st.rss_now_kib = yb_rss_kib();
		if (st.rss_now_kib > st.rss_max_kib)
			st.rss_max_kib = st.rss_now_kib;
		if (o->soak_progress)
			o->soak_progress(o->progress_ctx, &st);
		/* Keep trials near a second as the machine changes. */
		double per = (double)t.wall / (double)reps;
		if (per * (double)reps > 1.5e9 || per * (double)reps < 0.6e9)
			reps = yb_reps_for(per, bytes, bytes, 1e9, 1,
					   YB_MAX_REPS);
	}
	/* The row of the whole trials, however the soak ended: a peer
	 * that went away does not undo what was moved and checked. */
	if (a->n > 0) {
		struct yb_point p;
		yb_fill_point(c, &p, label, YB_MODE_STREAM, bytes,
			      st.messages / a->n, a);
		p.verify = o->verify ? YB_VERIFY_INLINE : 0;
		int src = o->sink ? o->sink(o->sink_ctx, &p, err) : 0;
		if (src && !rc)
			rc = src;
	}
	if (o->soak)
		*o->soak = st;
	return rc;
}
