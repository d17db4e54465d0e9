/*
 * trial.c - the client's trials, from which the sweep (sweep.c) and the
 * soak (soak.c) are made: one timed run, the verification pass, the
 * unrecorded runs that size a point (calibration), and a point's trials
 * summed into its row; see trial.h.
 */
#include "core/measure/trial.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/base/pattern.h"
#include "core/base/stats.h"
#include "core/measure/flow.h"

#define CALIBRATE_MAX_ROUNDS 40

/* Receive the RESULT of a run and turn a server-side failure into ours. */
static int client_result(struct yb_client *c, struct yb_result *res,
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
static int client_start(struct yb_client *c, unsigned mode, uint64_t bytes,
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
 * A receiver's time, unless everything was waiting at its first read (a
 * trial no longer than the buffers between the ends, which the floor
 * could not grow: see stream_floor): it timed nothing, and the only time
 * there is is the client's, from the first byte sent to the answer.
 */
static yb_ns receiver_time(yb_ns elapsed, uint64_t backlog, uint64_t total,
			   yb_ns wall)
{
	return backlog >= total || elapsed == 0 ? wall : elapsed;
}

/*
 * The data of a stream run and its RESULT: the client sends (c2s),
 * receives (s2c) or both, and the receiver's clock is the one that
 * counts - the server's for c2s, ours for s2c, each one's for its half
 * of both.  Both ways at once, a trial's time is the one in which the
 * two directions' summed rates move one direction's bytes.
 */
static int stream_trial(struct yb_client *c, unsigned dir, uint64_t bytes,
			uint64_t reps, unsigned flags, struct yb_trial_out *out,
			struct yb_result *res, struct yb_err *err)
{
	struct yb_flow_rx rx = {
		.buf = c->rbuf,
		.max = c->rbuf_bytes,
		.pat = &c->pat,
		.check = (flags & YB_RUN_VERIFY) != 0,
		.timeout_ms = c->o->timeout_ms,
	};
	uint64_t total = bytes * reps;
	yb_ns begin = yb_now();
	int rc;

	if (dir == YB_DIR_C2S) {
		rc = yb_flow_send(c->ep, &c->pat, c->seq, bytes, reps,
				  &out->client, &out->start, err);
	} else {
		rc = dir == YB_DIR_S2C ?
			     yb_flow_recv(c->ep, &rx, c->seq, bytes, reps, err) :
			     yb_flow_both(c->ep, &c->pat, &rx, c->seq, bytes,
					  reps, err);
		out->client = rx.spent;
		out->start = dir == YB_DIR_S2C ? rx.start : begin;
	}
	c->seq += reps;
	if (!rc)
		rc = client_result(c, res, err);
	if (rc)
		return rc;
	if (rx.bad[0])
		return yb_err_set(err, YB_EVERIFY,
				  "verification failed (stream): %s", rx.bad);
	yb_ns wall = yb_now() - (dir == YB_DIR_S2C ? begin : out->start);
	switch (dir) {
	case YB_DIR_C2S:
		out->backlog = res->backlog;
		out->elapsed = receiver_time(res->elapsed_ns, res->backlog,
					     total, wall);
		break;
	case YB_DIR_S2C:
		out->backlog = rx.backlog;
		out->elapsed = receiver_time(rx.elapsed, rx.backlog, total,
					     wall);
		if (out->elapsed == wall)
			out->start = begin;
		break;
	default:
		out->backlog = res->backlog > rx.backlog ? res->backlog :
							   rx.backlog;
		out->c2s = receiver_time(res->elapsed_ns, res->backlog, total,
					 wall);
		out->s2c = receiver_time(rx.elapsed, rx.backlog, total, wall);
		out->elapsed = (yb_ns)(1.0 / (1.0 / (double)out->c2s +
					      1.0 / (double)out->s2c));
		break;
	}
	/* What the next run is sized from: the receivers' time, unless a
	 * receiver found more than a tenth waiting (see yb_trial_out). */
	out->wall = wall;
	if (out->backlog <= total / 10)
		out->wall = dir == YB_DIR_BOTH ?
				    (out->c2s > out->s2c ? out->c2s : out->s2c) :
				    out->elapsed;
	return 0;
}

/* The direction flags of a run in direction dir (a stream's). */
static unsigned dir_flags(unsigned mode, unsigned dir)
{
	if (mode != YB_MODE_STREAM)
		return 0;
	return dir == YB_DIR_S2C ? YB_RUN_REVERSE :
	       dir == YB_DIR_BOTH ? YB_RUN_BIDIR : 0;
}

/*
 * One timed run of reps messages (flags YB_RUN_WARMUP: not recorded).
 * Nothing but the transfers and one clock read per round trip happens
 * between the first and last reading of the clock: the RUN/GO exchange is
 * before it, CPU accounting and the RESULT after it.  A recorded
 * ping-pong run stores every round trip in c->samples.
 */
int yb_client_trial(struct yb_client *c, unsigned mode, uint64_t bytes,
		    uint64_t reps, unsigned flags, uint32_t trial,
		    struct yb_trial_out *out, struct yb_err *err)
{
	struct yb_result res = { 0 };
	int record = !(flags & YB_RUN_WARMUP), rc;
	uint64_t *dst = NULL;

	memset(out, 0, sizeof(*out));
	if (mode == YB_MODE_PINGPONG && record)
		dst = yb_samples_reserve(&c->samples, reps);
	rc = client_start(c, mode, bytes, reps,
			  flags | dir_flags(mode, c->o->direction), trial, err);
	if (rc)
		return rc;
	if (mode == YB_MODE_STREAM) {
		rc = stream_trial(c, c->o->direction, bytes, reps, flags, out,
				  &res, err);
	} else {
		struct yb_usage u0, u1;
		yb_usage_read(&u0, 1);
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
		out->elapsed = out->wall = t0 - start;
		if (dst)
			yb_samples_commit(&c->samples, reps);
		yb_spent_add(&out->client, &u0, &u1);
		c->seq += reps;
		rc = client_result(c, &res, err);
	}
	if (rc)
		return rc;
	out->server = (struct yb_spent){ res.cpu_ns, res.cpu_window_ns,
				      res.csw_vol, res.csw_invol };
	return 0;
}

/*
 * The untimed verification pass of a point: reps messages that both ends
 * check byte for byte, outside every timed window, so that --verify
 * proves the data path without slowing the figures it reports.
 */
int yb_client_verify(struct yb_client *c, unsigned mode, uint64_t bytes,
			 uint64_t reps, struct yb_err *err)
{
	struct yb_result res = { 0 };
	char bad[160] = "";
	size_t off;

	if (mode == YB_MODE_STREAM) {
		/* The receiver checks: the server, us, or both. */
		struct yb_trial_out t;
		return yb_client_trial(c, mode, bytes, reps,
				       YB_RUN_WARMUP | YB_RUN_VERIFY, 0, &t,
				       err);
	}
	int rc = client_start(c, mode, bytes, reps,
			      YB_RUN_WARMUP | YB_RUN_VERIFY, 0, err);

	for (uint64_t i = 0; !rc && i < reps; i++) {
		uint64_t seq = c->seq + i;
		rc = yb_send_all(c->ep, yb_pattern_msg(&c->pat, seq), bytes,
				 err);
		if (!rc)
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
int yb_clock_stalled(yb_ns elapsed)
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
 * waiting: that teaches the floor of every trial (yb_learn_floor) before
 * the first one, which concurrent pairs, unable to measure a point
 * again, depend on.  A run over which the clock stood still is run
 * again at the same size (growing from it would size the run from a
 * time of zero); when it never moves, the sweep stops with the cause.
 */
int yb_calibrate(struct yb_client *c, unsigned mode, uint64_t bytes,
		 unsigned flags, double *ns_per_rep, uint64_t *timed,
		 struct yb_err *err)
{
	double goal = c->o->trial_time_s * 1e9 / 8;
	uint64_t reps = 1;
	unsigned stalls = 0;
	struct yb_trial_out t = { 0 };

	for (int round = 0; round < CALIBRATE_MAX_ROUNDS; round++) {
		int rc = yb_client_trial(c, mode, bytes, reps,
					 YB_RUN_WARMUP | flags, 0, &t, err);
		if (rc)
			return rc;
		if (yb_sweep_stopped(c->o))
			break;
		if (yb_clock_stalled(t.wall)) {
			stalls++;
			continue;
		}
		yb_learn_floor(c, t.backlog);
		int short_of_floor = t.backlog > bytes * reps / 10 &&
				     (double)t.wall < 10 * goal;
		if (((double)t.wall >= goal && !short_of_floor) ||
		    reps >= YB_MAX_REPS)
			break;
		uint64_t mult = 16;
		if (t.wall > 0 && goal / (double)t.wall * 1.2 < 16)
			mult = (uint64_t)ceil(goal / (double)t.wall * 1.2);
		if (short_of_floor && mult < 4)
			mult = 4;
		reps *= mult < 2 ? 2 : mult;
		if (reps > YB_MAX_REPS)
			reps = YB_MAX_REPS;
	}
	if (yb_clock_stalled(t.wall) && !yb_sweep_stopped(c->o))
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
int yb_acc_add(struct yb_acc *a, unsigned mode, uint64_t reps,
	       const struct yb_trial_out *t)
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
	a->trial[a->n] = (struct yb_trial){ t->start, t->elapsed, reps, t->c2s,
					    t->s2c };
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

void yb_acc_reset(struct yb_acc *a)
{
	a->n = 0;
	a->reps = 0;
	a->wall_ns = 0;
	memset(&a->client, 0, sizeof(a->client));
	memset(&a->server, 0, sizeof(a->server));
}

void yb_acc_free(struct yb_acc *a)
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

/*
 * Both ways at once: one direction's bandwidth (s2c 0: client to server)
 * in its median trial, from the receivers' times the trials keep; bw is
 * scratch room for a->n figures.
 */
static double dir_median(const struct yb_acc *a, uint64_t bytes, double *bw,
			 int s2c)
{
	for (unsigned t = 0; t < a->n; t++) {
		uint64_t ns = s2c ? a->trial[t].s2c_ns : a->trial[t].c2s_ns;
		bw[t] = ns ? (double)bytes * 8.0 * (double)a->trial[t].reps /
				     (double)ns :
			     0.0;
	}
	return yb_median(bw, a->n);
}

/* The histogram's occupied buckets, into c->bins for the sink. */
static size_t export_hist(struct yb_client *c, const struct yb_hist *h)
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
void yb_fill_point(struct yb_client *c, struct yb_point *p,
		   const char *label, unsigned mode, uint64_t bytes,
		   uint64_t reps, const struct yb_acc *a)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->transport, sizeof(p->transport), "%s", label);
	p->mode = mode;
	p->bytes = bytes;
	p->reps = reps;
	p->trials = a->n;
	p->verify = c->o->verify ? 1 : 0;
	p->direction = mode == YB_MODE_STREAM ? c->o->direction : YB_DIR_BOTH;
	p->bw_c2s_gbps = p->bw_s2c_gbps = NAN;
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
		if (p->direction == YB_DIR_BOTH && mode == YB_MODE_STREAM) {
			p->bw_c2s_gbps = dir_median(a, bytes, bw, 0);
			p->bw_s2c_gbps = dir_median(a, bytes, bw, 1);
		}
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

void yb_learn_floor(struct yb_client *c, uint64_t backlog)
{
	if (backlog > UINT64_MAX / 10)
		backlog = UINT64_MAX / 10;
	if (10 * backlog > c->floor_bytes)
		c->floor_bytes = 10 * backlog;
}
