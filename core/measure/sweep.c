/*
 * sweep.c - the measurement engine's client side: the sweep (sizes,
 * calibration, warm-up, trials, verification passes, one row per point);
 * see sweep.h for the method.  The soak is soak.c, over the same trials
 * (sweep_internal.h); the server's side is serve.c.
 */
#include "core/measure/sweep_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/base/pattern.h"
#include "core/base/stats.h"
#include "core/base/version.h"

#define CALIBRATE_MAX_ROUNDS 40
/* Times a point's trials are measured again after the clock stood still. */
#define CLOCK_STALL_RETRIES 3
/*
 * A run is never sized at more than this many times the last run that
 * was timed before it.  A clock held back on either end (see
 * clock_stalled) can also make a time merely too short, and a time a
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

/* Receive the RESULT of a run and turn a server-side failure into ours. */
static int client_result(struct yb__client *c, struct yb_result *res,
			 struct yb_err *err)
{
	int rc = yb_msg_expect(c->ep, &c->in, YB_MSG_RESULT, c->o->timeout_ms,
			       err);
	if (rc)
		return rc;
	rc = yb_dec_result(&c->in, res, err);
	if (rc)
		return rc;
	if (res->status == YB_PERR_VERIFY)
		return yb_err_set(err, YB_EVERIFY, "server: %s", res->text);
	if (res->status)
		return yb_err_set(err, YB_EPEER, "server: %s", res->text);
	return 0;
}

/* Ask for a run and wait until the server is ready for it. */
static int client_start(struct yb__client *c, unsigned mode, uint64_t bytes,
			uint64_t reps, unsigned flags, uint32_t trial,
			struct yb_err *err)
{
	struct yb_run run = {
		.mode = (uint8_t)mode,
		.flags = (uint8_t)flags,
		.trial = trial,
		.bytes = bytes,
		.reps = reps,
		.seq = c->seq,
	};
	int rc = yb_msg_send(c->ep, c->msg, yb_enc_run(c->msg, &run), err);

	if (!rc)
		rc = yb_msg_expect(c->ep, &c->in, YB_MSG_GO, c->o->timeout_ms,
				   err);
	return rc;
}

/*
 * One timed run of reps messages (flags YB_RUN_WARMUP: not recorded).
 * Nothing but the transfers and one clock read per round trip happens
 * between the first and last reading of the clock: the RUN/GO exchange is
 * before it, CPU accounting and the RESULT after it.  A recorded
 * ping-pong run stores every round trip in c->samples.
 */
int yb__client_trial(struct yb__client *c, unsigned mode, uint64_t bytes,
		     uint64_t reps, unsigned flags, uint32_t trial,
		     struct yb__trial_out *out, struct yb_err *err)
{
	struct yb_result res = { 0 };
	struct yb_usage u0, u1;
	int record = !(flags & YB_RUN_WARMUP), rc;
	uint64_t *dst = NULL;

	memset(out, 0, sizeof(*out));
	if (mode == YB_MODE_PINGPONG && record)
		dst = yb_samples_reserve(&c->samples, reps);
	rc = client_start(c, mode, bytes, reps, flags, trial, err);
	if (rc)
		return rc;
	yb_usage_read(&u0, 1);
	if (mode == YB_MODE_PINGPONG) {
		yb_ns start = yb_now(), t0 = start;
		for (uint64_t i = 0; i < reps; i++) {
			rc = yb_send_all(c->ep,
					 yb_pattern_msg(&c->pat, c->seq + i),
					 bytes, err);
			if (!rc)
				rc = yb_recv_all(c->ep, c->rbuf, bytes, err);
			if (rc)
				return rc;
			yb_ns t1 = yb_now();
			if (dst)
				dst[i] = t1 - t0;
			else if (record)
				yb_hist_add(&c->samples.h, t1 - t0);
			t0 = t1;
		}
		yb_usage_read(&u1, 0);
		out->start = start;
		out->elapsed = t0 - start;
		if (dst)
			yb_samples_commit(&c->samples, reps);
	} else {
		yb_ns start = yb_now();
		for (uint64_t i = 0; !rc && i < reps; i++)
			rc = yb_send_all(c->ep,
					 yb_pattern_msg(&c->pat, c->seq + i),
					 bytes, err);
		yb_usage_read(&u1, 0);
		out->start = start;
	}
	c->seq += reps;
	if (!rc)
		rc = client_result(c, &res, err);
	if (rc)
		return rc;
	out->wall = yb_now() - out->start;
	if (mode == YB_MODE_STREAM) {
		out->elapsed = res.elapsed_ns;
		out->backlog = res.backlog;
		/* Everything was waiting at the receiver's first read (a trial
		 * no longer than the buffers between the ends, which the
		 * floor could not grow: see stream_floor): it timed nothing,
		 * and the only time there is is ours, from the first byte
		 * sent to its answer. */
		if (out->backlog >= bytes * reps || out->elapsed == 0)
			out->elapsed = out->wall;
	}
	if (mode == YB_MODE_PINGPONG ||
	    out->backlog <= bytes * reps / 10)
		out->wall = out->elapsed;
	yb_spent_add(&out->client, &u0, &u1);
	out->server = (struct yb_spent){ res.cpu_ns, res.cpu_window_ns,
				      res.csw_vol, res.csw_invol };
	return 0;
}

/*
 * The untimed verification pass of a point: reps messages that both ends
 * check byte for byte, outside every timed window, so that --verify
 * proves the data path without slowing the figures it reports.
 */
static int client_verify(struct yb__client *c, unsigned mode, uint64_t bytes,
			 uint64_t reps, struct yb_err *err)
{
	struct yb_result res = { 0 };
	char bad[160] = "";
	size_t off;
	int rc = client_start(c, mode, bytes, reps,
			      YB_RUN_WARMUP | YB_RUN_VERIFY, 0, err);

	for (uint64_t i = 0; !rc && i < reps; i++) {
		uint64_t seq = c->seq + i;
		rc = yb_send_all(c->ep, yb_pattern_msg(&c->pat, seq), bytes,
				 err);
		if (rc || mode != YB_MODE_PINGPONG)
			continue;
		rc = yb_recv_all(c->ep, c->rbuf, bytes, err);
		if (!rc && !bad[0] &&
		    yb_pattern_check(&c->pat, seq, c->rbuf, bytes, &off))
			snprintf(bad, sizeof(bad),
				 "reply %llu of %llu bytes differs at byte %zu",
				 (unsigned long long)seq,
				 (unsigned long long)bytes, off);
	}
	c->seq += reps;
	if (!rc)
		rc = client_result(c, &res, err);
	if (rc)
		return rc;
	if (bad[0])
		return yb_err_set(err, YB_EVERIFY,
				  "verification failed (%s): %s",
				  yb_mode_name(mode), bad);
	return 0;
}

static void learn_floor(struct yb__client *c, uint64_t backlog);

/*
 * Did the clock stand still over a run that exchanged messages?  Every
 * run holds at least one round trip (a stream's wall time ends with the
 * receiver's RESULT), which takes far more than a nanosecond; a clock
 * that reads the same value before and after it was held back (a
 * virtual clock kept monotonic across CPUs whose clocks disagree does
 * that).  A clock whose resolution is coarser than a microsecond may
 * legitimately read no time at all over a short run: that is not a
 * stall, the run just has to grow.
 */
static int clock_stalled(yb_ns elapsed)
{
	static yb_ns res = (yb_ns)-1;

	if (res == (yb_ns)-1)
		res = yb_clock_resolution();
	return elapsed == 0 && res <= 1000;
}

/*
 * Time per repetition of an unrecorded run, growing the run until it
 * lasts an eighth of a trial.  A stream goes on growing (up to ten
 * times the goal) until its receiver finds at most a tenth of it
 * waiting: that teaches the floor of every trial (learn_floor) before
 * the first one, which concurrent pairs, unable to measure a point
 * again, depend on.  A run over which the clock stood still is run
 * again at the same size (growing from it would size the run from a
 * time of zero); when it never moves, the sweep stops with the cause.
 */
int yb__calibrate(struct yb__client *c, unsigned mode, uint64_t bytes,
		  unsigned flags, double *ns_per_rep, uint64_t *timed,
		  struct yb_err *err)
{
	double goal = c->o->trial_time_s * 1e9 / 8;
	uint64_t reps = 1;
	unsigned stalls = 0;
	struct yb__trial_out t = { 0 };

	for (int round = 0; round < CALIBRATE_MAX_ROUNDS; round++) {
		int rc = yb__client_trial(c, mode, bytes, reps,
					  YB_RUN_WARMUP | flags, 0, &t, err);
		if (rc)
			return rc;
		if (yb__stopped(c->o))
			break;
		if (clock_stalled(t.wall)) {
			stalls++;
			continue;
		}
		learn_floor(c, t.backlog);
		int short_of_floor = t.backlog > bytes * reps / 10 &&
				     (double)t.wall < 10 * goal;
		if (((double)t.wall >= goal && !short_of_floor) ||
		    reps >= YB__MAX_REPS)
			break;
		uint64_t mult = 16;
		if (t.wall > 0 && goal / (double)t.wall * 1.2 < 16)
			mult = (uint64_t)ceil(goal / (double)t.wall * 1.2);
		if (short_of_floor && mult < 4)
			mult = 4;
		reps *= mult < 2 ? 2 : mult;
		if (reps > YB__MAX_REPS)
			reps = YB__MAX_REPS;
	}
	if (clock_stalled(t.wall) && !yb__stopped(c->o))
		return yb_err_set(err, YB_EIO,
				  "the clock (CLOCK_MONOTONIC) stood still over "
				  "%u of %d calibration runs of %llu messages "
				  "each: nothing can be timed on this machine",
				  stalls, CALIBRATE_MAX_ROUNDS,
				  (unsigned long long)reps);
	*ns_per_rep = (double)t.wall / (double)reps;
	*timed = reps;
	return 0;
}

/* Add a recorded trial of reps repetitions to a point's accumulator. */
int yb__acc_add(struct yb__acc *a, unsigned mode, uint64_t reps,
		const struct yb__trial_out *t)
{
	if (a->n == a->cap) {
		unsigned cap = a->cap ? 2 * a->cap : 16;
		double *pm = realloc(a->per_msg, cap * sizeof(*pm));
		if (!pm)
			return YB_ENOMEM;
		a->per_msg = pm;
		struct yb_trial *tr = realloc(a->trial, cap * sizeof(*tr));
		if (!tr)
			return YB_ENOMEM;
		a->trial = tr;
		a->cap = cap;
	}
	double div = mode == YB_MODE_PINGPONG ? 2.0 : 1.0;
	a->per_msg[a->n] = (double)t->elapsed / (double)reps / div;
	a->trial[a->n] = (struct yb_trial){ t->start, t->elapsed, reps };
	a->n++;
	a->reps += reps;
	a->wall_ns += (double)t->wall;
	a->client.cpu_ns += t->client.cpu_ns;
	a->client.window_ns += t->client.window_ns;
	a->client.vcsw += t->client.vcsw;
	a->client.ivcsw += t->client.ivcsw;
	a->server.cpu_ns += t->server.cpu_ns;
	a->server.window_ns += t->server.window_ns;
	a->server.vcsw += t->server.vcsw;
	a->server.ivcsw += t->server.ivcsw;
	return 0;
}

void yb__acc_reset(struct yb__acc *a)
{
	a->n = 0;
	a->reps = 0;
	a->wall_ns = 0;
	memset(&a->client, 0, sizeof(a->client));
	memset(&a->server, 0, sizeof(a->server));
}

static void acc_free(struct yb__acc *a)
{
	free(a->per_msg);
	free(a->trial);
	memset(a, 0, sizeof(*a));
}

static double pct(const struct yb_spent *s)
{
	return s->window_ns ? 100.0 * (double)s->cpu_ns / (double)s->window_ns :
			      NAN;
}

/* The histogram's occupied buckets, into c->bins for the sink. */
static size_t export_hist(struct yb__client *c, const struct yb_hist *h)
{
	size_t n = 0;

	for (size_t i = 0; i < YB_HIST_BUCKETS; i++)
		n += h->bucket[i] != 0;
	if (n > c->bins_cap) {
		struct yb_hbin *nb = realloc(c->bins, n * sizeof(*nb));
		if (!nb)
			return 0;
		c->bins = nb;
		c->bins_cap = n;
	}
	n = 0;
	for (size_t i = 0; i < YB_HIST_BUCKETS; i++)
		if (h->bucket[i])
			c->bins[n++] = (struct yb_hbin){
				yb_hist_bucket_low(i), yb_hist_bucket_high(i),
				h->bucket[i]
			};
	return n;
}

/*
 * A point from its trials.  Ping-pong: latency from every round trip
 * (c->samples; one-way is half, /2000 gives us), the trial spread from the
 * trial means.  Stream: bandwidth only; its latency columns stay empty
 * (NAN), because a stream's time per message is inverse throughput, not a
 * latency.  Bandwidth: per trial, bytes over the time per message; the
 * best trial (NetPIPE's figure), the worst and the median.
 */
void yb__fill_point(struct yb__client *c, struct yb_point *p,
		    const char *label, unsigned mode, uint64_t bytes,
		    uint64_t reps, const struct yb__acc *a)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->transport, sizeof(p->transport), "%s", label);
	p->mode = mode;
	p->bytes = bytes;
	p->reps = reps;
	p->trials = a->n;
	p->verify = c->o->verify ? 1 : 0;
	yb_point_clear_latency(p);
	if (mode == YB_MODE_PINGPONG && c->samples.h.count) {
		struct yb_samples *s = &c->samples;
		p->lat_min_us = (double)s->h.min / 2000.0;
		p->lat_p50_us = yb_samples_quantile(s, 0.5) / 2000.0;
		p->lat_p99_us = yb_samples_quantile(s, 0.99) / 2000.0;
		p->lat_p999_us = yb_samples_quantile(s, 0.999) / 2000.0;
		p->lat_max_us = (double)s->h.max / 2000.0;
		p->lat_mean_us = yb_hist_mean(&s->h) / 2000.0;
		p->lat_stddev_us = yb_stddev(a->per_msg, a->n) / 1000.0;
		p->pct_exact = s->exact;
		p->hist_n = export_hist(c, &s->h);
		p->hist = p->hist_n ? c->bins : NULL;
	}
	/* Bits per ns is Gbit/s. */
	double *bw = malloc((a->n ? a->n : 1) * sizeof(*bw));
	if (bw) {
		for (unsigned t = 0; t < a->n; t++)
			bw[t] = a->per_msg[t] > 0 ?
					(double)bytes * 8.0 / a->per_msg[t] :
					0.0;
		p->bw_gbps = yb_max(bw, a->n);
		p->bw_min_gbps = yb_min(bw, a->n);
		p->bw_median_gbps = yb_median(bw, a->n);
		free(bw);
	}
	p->cpu_client_pct = pct(&a->client);
	p->cpu_server_pct = pct(&a->server);
	double r = a->reps ? (double)a->reps : NAN;
	p->csw_client_vol = (double)a->client.vcsw / r;
	p->csw_client_invol = (double)a->client.ivcsw / r;
	p->csw_server_vol = (double)a->server.vcsw / r;
	p->csw_server_invol = (double)a->server.ivcsw / r;
	p->trial = a->n <= YB_TRIALS_KEPT_MAX ? a->trial : NULL;
}

static void learn_floor(struct yb__client *c, uint64_t backlog)
{
	if (backlog > UINT64_MAX / 10)
		backlog = UINT64_MAX / 10;
	if (10 * backlog > c->floor_bytes)
		c->floor_bytes = 10 * backlog;
}

/*
 * Stream repetitions raised to the floor, but never past what would take
 * ten times the target time at per ns a repetition (a ring of a GiB must
 * not turn 1-byte trials into minutes; such a trial stays short of the
 * floor and its time is still scaled from what the receiver timed).
 */
static uint64_t stream_floor(const struct yb__client *c, unsigned mode,
			     uint64_t bytes, uint64_t reps, double per,
			     double target)
{
	if (mode != YB_MODE_STREAM || c->floor_bytes <= bytes * reps)
		return reps;
	uint64_t want = (c->floor_bytes + bytes - 1) / bytes;
	if (per > 0 && (double)want * per > 10 * target)
		want = (uint64_t)(10 * target / per);
	if (want > YB__MAX_REPS)
		want = YB__MAX_REPS;
	return want > reps ? want : reps;
}

/*
 * The warm-up of a point: one unrecorded run, after concurrent sweeps
 * agreed on *reps, which also catches an estimate that is far off and
 * teaches the stream floor.  *reps comes back sized for the trials;
 * timed is the repetitions of the last run that was timed.
 */
static int warm_up(struct yb__client *c, unsigned mode, uint64_t bytes,
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
	struct yb__trial_out t;
	rc = yb__client_trial(c, mode, bytes, w, YB_RUN_WARMUP, 0, &t, err);
	if (rc)
		return rc;
	double per = (double)t.wall / (double)w;
	/* A warm-up the clock did not see tells nothing. */
	if (!clock_stalled(t.wall) &&
	    (per * (double)*reps > 1.5 * target ||
	     per * (double)*reps < target / 1.5)) {
		uint64_t most = MAX_GROWTH * (*reps > timed ? *reps : timed);
		*reps = yb_reps_for(per, bytes, bytes, target, o->min_reps,
				    YB__MAX_REPS);
		if (*reps > most)
			*reps = most;
	}
	learn_floor(c, t.backlog);
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
static int point_trials(struct yb__client *c, unsigned mode, uint64_t bytes,
			double target, uint64_t *repsp, struct yb__acc *a,
			struct yb_err *err)
{
	const struct yb_sweep_opts *o = c->o;
	uint64_t reps = *repsp;
	unsigned retries = 0, stalls = 0;
	struct yb__trial_out t;
	int rc = 0;

again:
	yb_samples_reset(&c->samples);
	yb__acc_reset(a);
	for (unsigned k = 0; k < o->trials && !rc; k++) {
		/* Concurrent sweeps agree on the first trial's
		 * repetitions, so that their trials last alike. */
		uint64_t agreed = reps;
		if (o->sync && (rc = o->sync(o->sync_ctx, &agreed, err)) != 0)
			break;
		if (k == 0)
			reps = agreed;
		rc = yb__client_trial(c, mode, bytes, reps, 0, k, &t, err);
		if (rc)
			break;
		/* A ping-pong trial over which the clock stood still
		 * holds no times at all: the point's trials are
		 * measured again (a single connection only). */
		if (mode == YB_MODE_PINGPONG && !o->sync &&
		    clock_stalled(t.elapsed) && stalls < CLOCK_STALL_RETRIES) {
			stalls++;
			goto again;
		}
		if (yb__acc_add(a, mode, reps, &t))
			rc = yb_err_set(err, YB_ENOMEM, "out of memory");
		else if (o->trial_done)
			o->trial_done(o->sync_ctx, mode, bytes, k,
				      &a->trial[a->n - 1]);
		learn_floor(c, t.backlog);
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
static int sweep_mode(struct yb__client *c, const char *label, unsigned mode,
		      const uint64_t *sizes, size_t n, struct yb__acc *a,
		      struct yb_err *err)
{
	const struct yb_sweep_opts *o = c->o;
	double target = o->trial_time_s * 1e9;
	double last = 0;
	uint64_t last_bytes = 0, timed = 0;
	int rc = 0;

	for (size_t i = 0; i < n && !rc; i++) {
		uint64_t bytes = sizes[i], reps;
		if (yb__stopped(o)) {
			rc = YB_EINTR;
			break;
		}
		if (o->progress) {
			struct yb_progress pr = { label, mode, bytes, i, n };
			o->progress(o->progress_ctx, &pr);
		}
		if (i == 0) {
			rc = yb__calibrate(c, mode, bytes, 0, &last, &timed,
					   err);
			if (rc)
				break;
			last_bytes = bytes;
		}
		reps = yb_reps_for(last, last_bytes, bytes, target, o->min_reps,
				   YB__MAX_REPS);
		if (reps > MAX_GROWTH * timed)
			reps = MAX_GROWTH * timed;
		rc = warm_up(c, mode, bytes, timed, target, &reps, err);
		if (!rc)
			rc = point_trials(c, mode, bytes, target, &reps, a,
					  err);
		if (!rc && o->verify)
			rc = client_verify(c, mode, bytes, reps, err);
		if (rc)
			break;
		struct yb_point p;
		yb__fill_point(c, &p, label, mode, bytes, reps, a);
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
	struct yb__client *c = calloc(1, sizeof(*c));
	struct yb__acc a = { 0 };
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
	if (!rc)
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
		rc = yb__soak_run(c, label, max, &a, err);
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
	acc_free(&a);
	free(c->bins);
	free(c->rbuf);
	free(sizes);
	free(c);
	return rc;
}
