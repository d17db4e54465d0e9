/* sweep.c - the measurement engine; see sweep.h for the method. */
#include "core/measure/sweep.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/base/pattern.h"
#include "core/base/stats.h"
#include "core/base/version.h"
#include "core/host/sysinfo.h"

#define MAX_REPS 100000000ull
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

static void *alloc_buf(uint64_t bytes)
{
	void *p = NULL;

	if (posix_memalign(&p, 4096, (size_t)bytes) != 0)
		return NULL;
	memset(p, 0, (size_t)bytes); /* fault the pages in now, not timed */
	return p;
}

/* ---- CPU use ---------------------------------------------------------- */

/*
 * What one end spent around a timed window: CPU time (user + system, all
 * threads) from CLOCK_PROCESS_CPUTIME_ID, context switches from
 * getrusage(2), and the wall time that encloses both readings, so that
 * cpu <= wall for a single thread.  Read before and after the window,
 * never inside it.
 */
struct usage {
	yb_ns wall, cpu;
	uint64_t vcsw, ivcsw;
};

static yb_ns cpu_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
		return 0;
	return (yb_ns)ts.tv_sec * 1000000000u + (yb_ns)ts.tv_nsec;
}

static void usage_read(struct usage *u, int begin)
{
	struct rusage ru;

	if (begin)
		u->wall = yb_now();
	u->cpu = cpu_now();
	if (getrusage(RUSAGE_SELF, &ru) == 0) {
		u->vcsw = (uint64_t)ru.ru_nvcsw;
		u->ivcsw = (uint64_t)ru.ru_nivcsw;
	} else {
		u->vcsw = u->ivcsw = 0;
	}
	if (!begin)
		u->wall = yb_now();
}

/* One end's use over a window: b - a. */
struct spent {
	uint64_t cpu_ns, window_ns, vcsw, ivcsw;
};

static void spent_add(struct spent *s, const struct usage *a,
		      const struct usage *b)
{
	s->cpu_ns += b->cpu > a->cpu ? b->cpu - a->cpu : 0;
	s->window_ns += b->wall > a->wall ? b->wall - a->wall : 0;
	s->vcsw += b->vcsw - a->vcsw;
	s->ivcsw += b->ivcsw - a->ivcsw;
}

/* ---- client ----------------------------------------------------------- */

struct client {
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
struct trial_out {
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
	struct spent client, server;
};

/* Receive the RESULT of a run and turn a server-side failure into ours. */
static int client_result(struct client *c, struct yb_result *res,
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
static int client_start(struct client *c, unsigned mode, uint64_t bytes,
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
static int client_trial(struct client *c, unsigned mode, uint64_t bytes,
			uint64_t reps, unsigned flags, uint32_t trial,
			struct trial_out *out, struct yb_err *err)
{
	struct yb_result res = { 0 };
	struct usage u0, u1;
	int record = !(flags & YB_RUN_WARMUP), rc;
	uint64_t *dst = NULL;

	memset(out, 0, sizeof(*out));
	if (mode == YB_MODE_PINGPONG && record)
		dst = yb_samples_reserve(&c->samples, reps);
	rc = client_start(c, mode, bytes, reps, flags, trial, err);
	if (rc)
		return rc;
	usage_read(&u0, 1);
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
		usage_read(&u1, 0);
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
		usage_read(&u1, 0);
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
	spent_add(&out->client, &u0, &u1);
	out->server = (struct spent){ res.cpu_ns, res.cpu_window_ns,
				      res.csw_vol, res.csw_invol };
	return 0;
}

/*
 * The untimed verification pass of a point: reps messages that both ends
 * check byte for byte, outside every timed window, so that --verify
 * proves the data path without slowing the figures it reports.
 */
static int client_verify(struct client *c, unsigned mode, uint64_t bytes,
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

static int stopped(const struct yb_sweep_opts *o)
{
	return o->stop && *o->stop;
}

static void learn_floor(struct client *c, uint64_t backlog);

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
static int calibrate(struct client *c, unsigned mode, uint64_t bytes,
		     unsigned flags, double *ns_per_rep, uint64_t *timed,
		     struct yb_err *err)
{
	double goal = c->o->trial_time_s * 1e9 / 8;
	uint64_t reps = 1;
	unsigned stalls = 0;
	struct trial_out t = { 0 };

	for (int round = 0; round < CALIBRATE_MAX_ROUNDS; round++) {
		int rc = client_trial(c, mode, bytes, reps,
				      YB_RUN_WARMUP | flags, 0, &t, err);
		if (rc)
			return rc;
		if (stopped(c->o))
			break;
		if (clock_stalled(t.wall)) {
			stalls++;
			continue;
		}
		learn_floor(c, t.backlog);
		int short_of_floor = t.backlog > bytes * reps / 10 &&
				     (double)t.wall < 10 * goal;
		if (((double)t.wall >= goal && !short_of_floor) ||
		    reps >= MAX_REPS)
			break;
		uint64_t mult = 16;
		if (t.wall > 0 && goal / (double)t.wall * 1.2 < 16)
			mult = (uint64_t)ceil(goal / (double)t.wall * 1.2);
		if (short_of_floor && mult < 4)
			mult = 4;
		reps *= mult < 2 ? 2 : mult;
		if (reps > MAX_REPS)
			reps = MAX_REPS;
	}
	if (clock_stalled(t.wall) && !stopped(c->o))
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

/* The trials of one point, as they come. */
struct acc {
	double *per_msg;         /* per trial: ns per message (ping-pong:
				    one way) */
	struct yb_trial *trial;  /* per trial: what the JSON keeps */
	unsigned n, cap;
	struct spent client, server;
	uint64_t reps;           /* all recorded repetitions */
	double wall_ns;          /* the client's time of all of them */
};

static int acc_add(struct acc *a, unsigned mode, uint64_t reps,
		   const struct trial_out *t)
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

static void acc_reset(struct acc *a)
{
	a->n = 0;
	a->reps = 0;
	a->wall_ns = 0;
	memset(&a->client, 0, sizeof(a->client));
	memset(&a->server, 0, sizeof(a->server));
}

static void acc_free(struct acc *a)
{
	free(a->per_msg);
	free(a->trial);
	memset(a, 0, sizeof(*a));
}

static double pct(const struct spent *s)
{
	return s->window_ns ? 100.0 * (double)s->cpu_ns / (double)s->window_ns :
			      NAN;
}

/* The histogram's occupied buckets, into c->bins for the sink. */
static size_t export_hist(struct client *c, const struct yb_hist *h)
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
static void fill_point(struct client *c, struct yb_point *p,
		       const char *label, unsigned mode, uint64_t bytes,
		       uint64_t reps, const struct acc *a)
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

static void learn_floor(struct client *c, uint64_t backlog)
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
static uint64_t stream_floor(const struct client *c, unsigned mode,
			     uint64_t bytes, uint64_t reps, double per,
			     double target)
{
	if (mode != YB_MODE_STREAM || c->floor_bytes <= bytes * reps)
		return reps;
	uint64_t want = (c->floor_bytes + bytes - 1) / bytes;
	if (per > 0 && (double)want * per > 10 * target)
		want = (uint64_t)(10 * target / per);
	if (want > MAX_REPS)
		want = MAX_REPS;
	return want > reps ? want : reps;
}

static int sweep_mode(struct client *c, const char *label, unsigned mode,
		      const uint64_t *sizes, size_t n, struct acc *a,
		      struct yb_err *err)
{
	const struct yb_sweep_opts *o = c->o;
	double target = o->trial_time_s * 1e9;
	double last = 0;
	uint64_t last_bytes = 0, timed = 0;
	int rc = 0;

	for (size_t i = 0; i < n && !rc; i++) {
		uint64_t bytes = sizes[i], reps;
		if (stopped(o)) {
			rc = YB_EINTR;
			break;
		}
		if (o->progress) {
			struct yb_progress pr = { label, mode, bytes, i, n };
			o->progress(o->progress_ctx, &pr);
		}
		if (i == 0) {
			rc = calibrate(c, mode, bytes, 0, &last, &timed, err);
			if (rc)
				break;
			last_bytes = bytes;
		}
		reps = yb_reps_for(last, last_bytes, bytes, target, o->min_reps,
				   MAX_REPS);
		if (reps > MAX_GROWTH * timed)
			reps = MAX_GROWTH * timed;
		if (o->sync && (rc = o->sync(o->sync_ctx, &reps, err)) != 0)
			break;
		/* Warm-up; also catches an estimate that is far off.
		 * Concurrent sweeps size their trials from it while they
		 * share the CPUs, so theirs is long enough for the
		 * scheduler's turns to average out. */
		uint64_t w = reps / (o->sync ? 4 : 16);
		if (w == 0)
			w = 1;
		struct trial_out t;
		rc = client_trial(c, mode, bytes, w, YB_RUN_WARMUP, 0, &t, err);
		if (rc)
			break;
		double per = (double)t.wall / (double)w;
		/* A warm-up the clock did not see tells nothing. */
		if (!clock_stalled(t.wall) &&
		    (per * (double)reps > 1.5 * target ||
		     per * (double)reps < target / 1.5)) {
			uint64_t most =
				MAX_GROWTH * (reps > timed ? reps : timed);
			reps = yb_reps_for(per, bytes, bytes, target,
					   o->min_reps, MAX_REPS);
			if (reps > most)
				reps = most;
		}
		learn_floor(c, t.backlog);
		reps = stream_floor(c, mode, bytes, reps, per, target);
		unsigned retries = 0, stalls = 0;
again:
		yb_samples_reset(&c->samples);
		acc_reset(a);
		for (unsigned k = 0; k < o->trials && !rc; k++) {
			/* Concurrent sweeps agree on the first trial's
			 * repetitions, so that their trials last alike. */
			uint64_t agreed = reps;
			if (o->sync &&
			    (rc = o->sync(o->sync_ctx, &agreed, err)) != 0)
				break;
			if (k == 0)
				reps = agreed;
			rc = client_trial(c, mode, bytes, reps, 0, k, &t, err);
			if (rc)
				break;
			/* A ping-pong trial over which the clock stood still
			 * holds no times at all: the point's trials are
			 * measured again (a single connection only). */
			if (mode == YB_MODE_PINGPONG && !o->sync &&
			    clock_stalled(t.elapsed) &&
			    stalls < CLOCK_STALL_RETRIES) {
				stalls++;
				goto again;
			}
			if (acc_add(a, mode, reps, &t))
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
		if (!rc && o->verify)
			rc = client_verify(c, mode, bytes, reps, err);
		if (rc)
			break;
		struct yb_point p;
		fill_point(c, &p, label, mode, bytes, reps, a);
		if (a->reps && a->wall_ns > 0)
			last = a->wall_ns / (double)a->reps;
		timed = reps;
		last_bytes = bytes;
		if (o->sink)
			rc = o->sink(o->sink_ctx, &p, err);
	}
	return rc;
}

/*
 * Soak: one size, streamed for o->duration_s in trials of about a second,
 * one row at the end.  A soak exists to prove integrity over time, so with
 * verify every message of every trial is checked by the receiver inside
 * its timed window (the row says so: verify "inline"), unlike a sweep,
 * which verifies in untimed passes.  A stop (Ctrl-C) or an error ends it
 * early with the row of the trials done in full.
 */
static int soak_run(struct client *c, const char *label, uint64_t bytes,
		    struct acc *a, struct yb_err *err)
{
	const struct yb_sweep_opts *o = c->o;
	struct yb_soak st = { 0 };
	double last = 0;
	unsigned flags = o->verify ? YB_RUN_VERIFY : 0;
	int rc;

	/* Sized as the trials will run: checked inline, which is slower. */
	uint64_t timed = 0;
	rc = calibrate(c, YB_MODE_STREAM, bytes, flags, &last, &timed, err);
	/* A quarter-second first trial: a short calibration can be far
	 * from the rate a soak sustains, and the next trials are sized
	 * from this one. */
	uint64_t reps = yb_reps_for(last, bytes, bytes, 0.25e9, 1, MAX_REPS);
	yb_ns start = yb_now();
	st.rss_start_kib = st.rss_max_kib = yb_rss_kib();
	yb_samples_reset(&c->samples);
	acc_reset(a);
	while (!rc && (double)(yb_now() - start) < o->duration_s * 1e9) {
		if (stopped(o)) {
			rc = YB_EINTR;
			break;
		}
		struct trial_out t;
		rc = client_trial(c, YB_MODE_STREAM, bytes, reps, flags,
				  a->n, &t, err);
		if (rc)
			break;
		if (acc_add(a, YB_MODE_STREAM, reps, &t)) {
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
			reps = yb_reps_for(per, bytes, bytes, 1e9, 1, MAX_REPS);
	}
	/* The row of the whole trials, however the soak ended: a peer
	 * that went away does not undo what was moved and checked. */
	if (a->n > 0) {
		struct yb_point p;
		fill_point(c, &p, label, YB_MODE_STREAM, bytes,
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

int yb_sweep_run(struct yb_ep *ep, const char *label,
		 const struct yb_sweep_opts *o, struct yb_meta *server_meta,
		 struct yb_err *err)
{
	struct client *c = calloc(1, sizeof(*c));
	struct acc a = { 0 };
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
	if (yb_pattern_init(&c->pat, max) || !(c->rbuf = alloc_buf(max))) {
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
		rc = soak_run(c, label, max, &a, err);
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

/* ---- server ----------------------------------------------------------- */

struct server {
	struct yb_ep *ep;
	const struct yb_serve_opts *o;
	uint64_t max;
	struct yb_pattern pat;
	uint8_t *rbuf;
	uint8_t msg[YB_PROTO_HDR_LEN + YB_PROTO_MAX_PAYLOAD];
	struct yb_msg in;
};

static void send_error(struct yb_ep *ep, uint32_t code, const char *text)
{
	uint8_t buf[YB_PROTO_HDR_LEN + YB_PROTO_MAX_PAYLOAD];
	struct yb_err ignored;

	yb_msg_send(ep, buf, yb_enc_error(buf, code, text), &ignored);
}

void yb_serve_refuse(struct yb_ep *ep, const char *why)
{
	send_error(ep, YB_PERR_BUSY, why);
}

/* Check message seq of a verified run; the first failure is kept. */
static void serve_check(struct server *s, const struct yb_run *r,
			uint64_t i, struct yb_result *res)
{
	size_t off;

	if (res->status ||
	    !yb_pattern_check(&s->pat, r->seq + i, s->rbuf, r->bytes, &off))
		return;
	res->status = YB_PERR_VERIFY;
	snprintf(res->text, sizeof(res->text),
		 "verification failed (%s): message %llu of %llu bytes "
		 "differs at byte %zu",
		 yb_mode_name(r->mode), (unsigned long long)(r->seq + i),
		 (unsigned long long)r->bytes, off);
}

/* Wait for the first byte of a stream. */
static int stream_ready(struct server *s, struct yb_err *err)
{
	int w = yb_ep_wait(s->ep, YB_WAIT_READ, s->o->timeout_ms);

	if (w == 0)
		return yb_err_set(err, YB_ETIMEDOUT, "%s: no data within %d ms",
				  s->ep->peer, s->o->timeout_ms);
	if (w < 0 && w != YB_EINTR)
		return yb_err_set(err, w, "%s: wait: %s", s->ep->peer,
				  yb_strerror(w));
	return 0;
}

/*
 * One run.  The server says GO once it is ready, so no timed window of
 * either end holds the handling of RUN.  Its own window: ping-pong, from
 * GO to the last reply; stream, from its first read of data to its last
 * (a receiver's clock, as iperf's and NetPIPE's stream modes use; the
 * sender's start-up and the GO trip are not in it), scaled to all the
 * trial's bytes from those that arrived after the first read.  CPU time and context switches are read around that
 * window, never inside it.  A verified run checks every message (the
 * client makes those runs untimed, except in a soak).
 */
static int serve_run(struct server *s, const struct yb_run *r,
		     struct yb_err *err)
{
	const struct yb_serve_opts *o = s->o;
	struct yb_result res = { 0 };
	struct usage u0, u1;
	int verify = r->flags & YB_RUN_VERIFY;
	yb_ns t0, t1;
	int rc;

	rc = yb_msg_send(s->ep, s->msg, yb_enc_empty(s->msg, YB_MSG_GO), err);
	if (rc)
		return rc;
	if (r->mode == YB_MODE_PINGPONG) {
		usage_read(&u0, 1);
		t0 = yb_now();
		for (uint64_t i = 0; i < r->reps && !rc; i++) {
			rc = yb_recv_all(s->ep, s->rbuf, r->bytes, err);
			if (rc)
				break;
			if (verify)
				serve_check(s, r, i, &res);
			if (o->on_data)
				o->on_data(o->on_data_ctx, r->mode, r->bytes,
					   i);
			rc = yb_send_all(s->ep, s->rbuf, r->bytes, err);
		}
		t1 = yb_now();
		usage_read(&u1, 0);
	} else if (verify) {
		/* Checked message by message (a soak's, or an untimed pass):
		 * timed from the first byte there to read. */
		rc = stream_ready(s, err);
		t0 = yb_now();
		usage_read(&u0, 1);
		for (uint64_t i = 0; i < r->reps && !rc; i++) {
			rc = yb_recv_all(s->ep, s->rbuf, r->bytes, err);
			if (!rc)
				serve_check(s, r, i, &res);
		}
		t1 = yb_now();
		usage_read(&u1, 0);
	} else {
		/*
		 * The first read takes everything already waiting (the sender
		 * ran before this end woke up): those bytes arrived before
		 * any clock here could see them, so they are not counted, and
		 * the clock starts after that read.  The rest arrives message
		 * by message, as the sender wrote it.
		 */
		uint64_t total = r->bytes * r->reps, got = 0, done = 0;
		size_t first;
		rc = stream_ready(s, err);
		if (!rc)
			rc = yb_recv_some(s->ep, s->rbuf,
					  total < s->max ? (size_t)total :
							   (size_t)s->max,
					  &first, err);
		t0 = yb_now();
		usage_read(&u0, 1);
		got = rc ? 0 : first;
		while (!rc && got < total) {
			/* The rest of a message cut by the first read, then
			 * whole messages. */
			uint64_t want = r->bytes - got % r->bytes;
			rc = yb_recv_all(s->ep, s->rbuf, (size_t)want, err);
			got += want;
			if (!rc && o->on_data)
				o->on_data(o->on_data_ctx, r->mode, r->bytes,
					   done++);
		}
		t1 = yb_now();
		usage_read(&u1, 0);
		/* The time of the bytes counted, scaled to all of them. */
		res.backlog = rc ? 0 : first;
		if (!rc && first < total)
			t1 = t0 + (yb_ns)((double)(t1 - t0) * (double)total /
					  (double)(total - first));
	}
	if (rc)
		return rc;
	struct spent sp = { 0 };
	spent_add(&sp, &u0, &u1);
	res.elapsed_ns = t1 - t0;
	res.cpu_ns = sp.cpu_ns;
	res.cpu_window_ns = sp.window_ns;
	res.csw_vol = sp.vcsw;
	res.csw_invol = sp.ivcsw;
	rc = yb_msg_send(s->ep, s->msg, yb_enc_result(s->msg, &res), err);
	if (!rc && res.status)
		rc = yb_err_set(err, YB_EVERIFY, "%s", res.text);
	return rc;
}

static int serve_hello(struct server *s, const struct yb_serve_opts *o,
		       struct yb_err *err)
{
	char text[256];
	int rc = yb_msg_recv(s->ep, &s->in, o->timeout_ms, err);

	if (rc)
		return rc;
	if (s->in.version != YB_PROTO_VERSION) {
		snprintf(text, sizeof(text),
			 "protocol version %u is not supported: this server "
			 "(yasmin-bench %s) speaks version %u",
			 s->in.version, YB_VERSION, YB_PROTO_VERSION);
		send_error(s->ep, YB_PERR_VERSION, text);
		return yb_err_set(err, YB_EPROTO,
				  "client speaks protocol version %u, not %u",
				  s->in.version, YB_PROTO_VERSION);
	}
	if (s->in.type != YB_MSG_HELLO) {
		send_error(s->ep, YB_PERR_REQUEST, "expected HELLO");
		return yb_err_set(err, YB_EPROTO,
				  "client sent %s before HELLO",
				  yb_msg_name(s->in.type));
	}
	struct yb_hello h;
	rc = yb_dec_hello(&s->in, &h, err);
	if (rc) {
		send_error(s->ep, YB_PERR_REQUEST, err->msg);
		return rc;
	}
	s->max = h.max_bytes;
	if (yb_pattern_init(&s->pat, s->max) ||
	    !(s->rbuf = alloc_buf(s->max))) {
		snprintf(text, sizeof(text),
			 "server cannot allocate buffers for %llu-byte "
			 "messages",
			 (unsigned long long)s->max);
		send_error(s->ep, YB_PERR_REQUEST, text);
		return yb_err_set(err, YB_ENOMEM, "%s", text);
	}

	/* Our self-description, as key=value lines. */
	char info[YB_PROTO_MAX_PAYLOAD - 8];
	info[0] = '\0';
	if (o->info)
		yb_meta_lines(o->info, info, sizeof(info));
	return yb_msg_send(s->ep, s->msg,
			   yb_enc_welcome(s->msg, s->max, info), err);
}

/* The transport's counters as "key=value" lines ("" if it has none). */
static void meta_text(const struct yb_ep *ep, char *buf, size_t len)
{
	struct yb_meta m;

	yb_meta_init(&m);
	yb_ep_counters(ep, &m);
	yb_meta_set_int(&m, "rss_kib", yb_rss_kib());
	yb_meta_lines(&m, buf, len);
	yb_meta_free(&m);
}

int yb_serve(struct yb_ep *ep, const struct yb_serve_opts *o,
	     struct yb_err *err)
{
	struct server *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return yb_err_set(err, YB_ENOMEM, "out of memory");
	s->ep = ep;
	s->o = o;
	rc = serve_hello(s, o, err);
	while (!rc) {
		rc = yb_msg_recv(ep, &s->in, o->timeout_ms, err);
		if (rc)
			break;
		if (s->in.version != YB_PROTO_VERSION) {
			rc = yb_err_set(err, YB_EPROTO,
					"client switched protocol version");
			break;
		}
		if (s->in.type == YB_MSG_END) {
			if (o->on_end)
				o->on_end(o->on_end_ctx);
			char counters[YB_PROTO_MAX_PAYLOAD];
			meta_text(ep, counters, sizeof(counters));
			rc = yb_msg_send(ep, s->msg,
					 yb_enc_bye(s->msg, counters), err);
			break;
		}
		if (s->in.type != YB_MSG_RUN) {
			rc = yb_err_set(err, YB_EPROTO,
					"client sent %s where RUN or END was "
					"expected",
					yb_msg_name(s->in.type));
			send_error(ep, YB_PERR_REQUEST, err->msg);
			break;
		}
		struct yb_run r;
		rc = yb_dec_run(&s->in, s->max, &r, err);
		if (rc) {
			send_error(ep, YB_PERR_REQUEST, err->msg);
			break;
		}
		rc = serve_run(s, &r, err);
	}
	yb_pattern_free(&s->pat);
	free(s->rbuf);
	free(s);
	return rc;
}
