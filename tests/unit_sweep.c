/*
 * unit_sweep.c - the measurement engine against a peer with known costs.
 *
 * The client engine (core/measure/sweep.c and trial.c, with soak.c and
 * the CPU readings of window.h) is compiled into this test with its clock
 * replaced by a fake one that only the fake peer moves, so every figure
 * it reports has an exact expected value:
 *
 *   - the peer is a transport whose send() plays the server's side of the
 *     control protocol and queues its replies for recv();
 *   - a ping-pong round trip of message i costs RTT(bytes, i) ns: a base
 *     cost, plus SLOW_NS on every SLOW_EVERY-th message of a run;
 *   - handing out GO costs RUN_NS: a sample that held the handling of a
 *     RUN would show it;
 *   - a stream trial k takes bytes * reps * STREAM_F[k] ns by the
 *     receiver's clock, and the server spends a quarter of it on CPU;
 *   - chosen ping-pong runs can be made to pass while the clock stands
 *     still, as a virtual clock held back to stay monotonic does.
 *
 * What is checked: calibration and repetition sizing (a trial lasts the
 * target time), exact percentiles, trial statistics, bandwidth of the
 * best, worst and median trial, CPU figures, control messages outside the
 * samples, verification as an extra untimed run per point, and every
 * row's invariants.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/base/clock.h"

static yb_ns fake_clock = 1000000000ull;
static yb_ns fake_now(void)
{
	return fake_clock;
}
/* The engine under test reads this clock instead of CLOCK_MONOTONIC. */
#define yb_now fake_now
#include "core/measure/flow.c"
#include "core/measure/trial.c"
#include "core/measure/sweep.c"
#include "core/measure/soak.c"
#undef yb_now

#include "core/base/le.h"

#define BASE_NS 1000
#define SLOW_NS 50000
#define SLOW_EVERY 100
#define RUN_NS 1000000

static const double STREAM_F[] = { 1.0, 1.25, 2.0 };

/* Stream: what the receiver finds waiting at its first read, at most. */
static uint64_t buffer_bytes;

static yb_ns rtt(uint64_t bytes, uint64_t i)
{
	return BASE_NS + bytes + ((i + 1) % SLOW_EVERY == 0 ? SLOW_NS : 0);
}

/* ---- the fake peer ------------------------------------------------------ */

struct peer {
	uint8_t *in, *out;   /* from the client; to the client */
	size_t in_n, in_cap, out_off, out_n, out_cap;
	struct yb_run run;   /* the run in progress */
	int in_run;
	uint64_t done;       /* messages of the run received */
	uint64_t max_bytes;
	unsigned runs, verify_runs, recorded_runs;
	uint64_t recorded_reps[2];
	int pending_go;      /* GO queued: RUN_NS pass when it is taken */
	/* The clock stands still over the first stall_warmups warm-up
	 * runs, over the recorded runs whose number (from 0) has its bit
	 * set in stall_recorded, or over every run (stall_all). */
	unsigned stall_warmups, warmups;
	uint64_t stall_recorded;
	int stall_all, stalled; /* stalled: the run in progress */
	uint64_t max_warmup_reps;
	/* The receiver's clock held back over the warm-up of this stream
	 * size: it reports 1 ns for the whole run. */
	uint64_t short_warmup_bytes;
};

static struct peer P;

static void out_put(const void *b, size_t n)
{
	if (P.out_n + n > P.out_cap) {
		P.out_cap = (P.out_n + n) * 2;
		P.out = realloc(P.out, P.out_cap);
		assert_non_null(P.out);
	}
	memcpy(P.out + P.out_n, b, n);
	P.out_n += n;
}

static void reply(size_t len, const uint8_t *buf)
{
	out_put(buf, len);
}

static void finish_run(void)
{
	uint8_t buf[YB_PROTO_HDR_LEN + YB_PROTO_MAX_PAYLOAD];
	struct yb_result res = { 0 };
	const struct yb_run *r = &P.run;

	if (r->mode == YB_MODE_STREAM) {
		double f = (r->flags & YB_RUN_WARMUP) ? 1.0 :
			   STREAM_F[r->trial % 3];
		uint64_t total = r->bytes * r->reps;
		res.elapsed_ns = (uint64_t)((double)total * f);
		uint64_t took = res.elapsed_ns;
		res.backlog = total < buffer_bytes ? total : buffer_bytes;
		/* All of it waiting at the first read: a real receiver times
		 * nothing (its clock reads the same twice). */
		if (res.backlog == total)
			res.elapsed_ns = 0;
		if ((r->flags & YB_RUN_WARMUP) &&
		    !(r->flags & YB_RUN_VERIFY) &&
		    r->bytes == P.short_warmup_bytes)
			res.elapsed_ns = 1;
		/* The client waits for the receiver to finish. */
		fake_clock += took;
	} else {
		res.elapsed_ns = 0;
		for (uint64_t i = 0; i < r->reps; i++)
			res.elapsed_ns += rtt(r->bytes, i);
	}
	res.cpu_window_ns = res.elapsed_ns;
	res.cpu_ns = res.elapsed_ns / 4;
	res.csw_vol = r->reps;
	reply(yb_enc_result(buf, &res), buf);
	P.in_run = 0;
}

/* Take whole control messages and data out of P.in. */
static void peer_work(void)
{
	uint8_t buf[YB_PROTO_HDR_LEN + YB_PROTO_MAX_PAYLOAD];
	struct yb_err err = { 0 };
	size_t off = 0;

	for (;;) {
		size_t avail = P.in_n - off;
		if (P.in_run) {
			uint64_t b = P.run.bytes;
			if (avail < b)
				break;
			if (P.run.mode == YB_MODE_PINGPONG) {
				if (!P.stalled)
					fake_clock += rtt(b, P.done);
				out_put(P.in + off, b); /* the echo */
			}
			off += b;
			if (++P.done == P.run.reps)
				finish_run();
			continue;
		}
		if (avail < YB_PROTO_HDR_LEN)
			break;
		struct yb_msg m;
		assert_int_equal(yb_dec_header(P.in + off, &m, &err), 0);
		if (avail < YB_PROTO_HDR_LEN + m.len)
			break;
		memcpy(m.payload, P.in + off + YB_PROTO_HDR_LEN, m.len);
		m.payload[m.len] = 0;
		off += YB_PROTO_HDR_LEN + m.len;
		if (m.type == YB_MSG_HELLO) {
			struct yb_hello h;
			assert_int_equal(yb_dec_hello(&m, &h, &err), 0);
			P.max_bytes = h.max_bytes;
			reply(yb_enc_welcome(buf, h.max_bytes, "cpu=3\n"), buf);
		} else if (m.type == YB_MSG_RUN) {
			assert_int_equal(yb_dec_run(&m, P.max_bytes, &P.run,
						    &err),
					 0);
			P.in_run = 1;
			P.done = 0;
			P.runs++;
			if (P.run.flags & YB_RUN_VERIFY)
				P.verify_runs++;
			P.stalled = P.stall_all;
			if (!(P.run.flags & YB_RUN_WARMUP)) {
				if (P.recorded_runs < 64 &&
				    (P.stall_recorded >> P.recorded_runs) & 1)
					P.stalled = 1;
				P.recorded_runs++;
				P.recorded_reps[P.run.mode - 1] += P.run.reps;
			} else if (!(P.run.flags & YB_RUN_VERIFY)) {
				if (P.warmups++ < P.stall_warmups)
					P.stalled = 1;
				if (P.run.reps > P.max_warmup_reps)
					P.max_warmup_reps = P.run.reps;
			}
			reply(yb_enc_empty(buf, YB_MSG_GO), buf);
			P.pending_go = 1;
		} else if (m.type == YB_MSG_END) {
			reply(yb_enc_bye(buf, "notify_sent=0\n"), buf);
		} else {
			fail_msg("client sent message type %u", m.type);
		}
	}
	memmove(P.in, P.in + off, P.in_n - off);
	P.in_n -= off;
}

static ssize_t fake_send(struct yb_ep *ep, const void *buf, size_t len)
{
	(void)ep;
	if (P.in_n + len > P.in_cap) {
		P.in_cap = (P.in_n + len) * 2;
		P.in = realloc(P.in, P.in_cap);
		assert_non_null(P.in);
	}
	memcpy(P.in + P.in_n, buf, len);
	P.in_n += len;
	peer_work();
	return (ssize_t)len;
}

static ssize_t fake_recv(struct yb_ep *ep, void *buf, size_t len)
{
	(void)ep;
	size_t avail = P.out_n - P.out_off;
	if (avail == 0)
		return YB_EIO; /* the client waits for something never sent */
	if (P.pending_go) {
		/* The server's handling of RUN: before any timed window. */
		fake_clock += RUN_NS;
		P.pending_go = 0;
	}
	size_t n = len < avail ? len : avail;
	memcpy(buf, P.out + P.out_off, n);
	P.out_off += n;
	if (P.out_off == P.out_n)
		P.out_off = P.out_n = 0;
	return (ssize_t)n;
}

static int fake_wait(struct yb_ep *ep, unsigned events, int timeout_ms)
{
	(void)ep;
	(void)events;
	(void)timeout_ms;
	return 1;
}

static void fake_close(struct yb_ep *ep)
{
	(void)ep;
}

static const struct yb_transport fake = {
	.name = "fake",
	.caps = YB_CAP_STREAM,
	.send = fake_send,
	.recv = fake_recv,
	.wait = fake_wait,
	.close = fake_close,
};

/* ---- running a sweep ------------------------------------------------------ */

static struct yb_results R;

static int sink(void *ctx, const struct yb_point *p, struct yb_err *err)
{
	(void)ctx;
	(void)err;
	return yb_results_add(&R, p);
}

static int setup(void **state)
{
	(void)state;
	buffer_bytes = 0;
	free(P.in);
	free(P.out);
	memset(&P, 0, sizeof(P));
	yb_results_init(&R);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	yb_results_free(&R);
	free(P.in);
	free(P.out);
	memset(&P, 0, sizeof(P));
	return 0;
}

static int sweep_rc(unsigned modes, uint64_t min, uint64_t max, int verify,
		    struct yb_err *err)
{
	struct yb_sweep_opts o;
	struct yb_ep ep;
	struct yb_meta server;

	yb_sweep_defaults(&o);
	o.modes = modes;
	o.sched.min_bytes = min;
	o.sched.max_bytes = max;
	o.sched.perturbation = 0;
	o.sched.pow2_only = 1;
	o.trial_time_s = 0.01;
	o.trials = 3;
	o.verify = verify;
	o.sink = sink;
	yb_ep_init(&ep, &fake);
	yb_meta_init(&server);
	int rc = yb_sweep_run(&ep, "fake", &o, &server, err);
	if (!rc)
		assert_string_equal(yb_meta_get(&server, "server.cpu"), "3");
	yb_meta_free(&server);
	return rc;
}

static void run_sweep(unsigned modes, uint64_t min, uint64_t max, int verify)
{
	struct yb_err err = { 0 };

	if (sweep_rc(modes, min, max, verify, &err))
		fail_msg("sweep failed: %s", err.msg);
}

/* Every row keeps its promises. */
static void check_rows(void)
{
	char why[200];

	assert_true(R.n > 0);
	for (size_t i = 0; i < R.n; i++)
		if (yb_point_check(&R.p[i], why, sizeof(why)))
			fail_msg("row %zu (%llu B): %s", i,
				 (unsigned long long)R.p[i].bytes, why);
}

static void pingpong_exact(void **state)
{
	(void)state;
	run_sweep(YB_MODE_BIT(YB_MODE_PINGPONG), 1, 1024, 0);
	check_rows();
	assert_int_equal(R.n, 11); /* 1, 2, 4, ... 1024 */
	uint64_t all = 0;
	for (size_t i = 0; i < R.n; i++) {
		const struct yb_point *p = &R.p[i];
		double fast = (double)(BASE_NS + p->bytes) / 2000.0;
		double slow = fast + SLOW_NS / 2000.0;
		uint64_t n = p->reps * p->trials;
		/* The slow messages of each trial: one in SLOW_EVERY. */
		uint64_t nslow = p->trials * (p->reps / SLOW_EVERY);

		assert_int_equal(p->mode, YB_MODE_PINGPONG);
		assert_int_equal(p->trials, 3);
		assert_int_equal(p->pct_exact, 1);
		assert_int_equal(p->verify, YB_VERIFY_NO);
		/* No sample holds the RUN_NS of a RUN's handling. */
		assert_float_equal(p->lat_min_us, fast, 1e-9);
		assert_float_equal(p->lat_max_us, nslow ? slow : fast, 1e-9);
		assert_float_equal(p->lat_p50_us, fast, 1e-9);
		/* Nearest rank: p99 is slow when more than 1% are. */
		uint64_t r99 = (uint64_t)ceil(0.99 * (double)n);
		assert_float_equal(p->lat_p99_us, r99 > n - nslow ? slow : fast,
				   1e-9);
		uint64_t r999 = (uint64_t)ceil(0.999 * (double)n);
		assert_float_equal(p->lat_p999_us,
				   r999 > n - nslow ? slow : fast, 1e-9);
		assert_float_equal(p->lat_mean_us,
				   fast + (double)nslow / (double)n * SLOW_NS /
						  2000.0,
				   1e-9);
		/* Repetitions sized so that a trial lasts about 10 ms. */
		double trial_ns = (double)p->reps * (BASE_NS + p->bytes +
						     SLOW_NS / (double)SLOW_EVERY);
		assert_true(trial_ns > 1e7 / 1.5 && trial_ns < 1e7 * 1.5);
		/* Every trial alike: no spread, bandwidth the same three
		 * times, from the mean one-way time of a trial. */
		assert_float_equal(p->lat_stddev_us, 0, 1e-9);
		assert_float_equal(p->bw_gbps, p->bw_min_gbps, 1e-12);
		assert_float_equal(p->bw_gbps, p->bw_median_gbps, 1e-12);
		assert_float_equal(p->bw_gbps,
				   (double)p->bytes * 8 /
					   (p->lat_mean_us * 1000.0),
				   1e-9 * p->bw_gbps);
		assert_float_equal(p->cpu_server_pct, 25.0, 1e-3);
		assert_float_equal(p->csw_server_vol, 1.0, 1e-12);
		assert_non_null(p->trial);
		assert_non_null(p->hist);
		uint64_t counted = 0;
		for (size_t k = 0; k < p->hist_n; k++)
			counted += p->hist[k].count;
		assert_int_equal(counted, n);
		for (unsigned t = 0; t < p->trials; t++)
			assert_int_equal(p->trial[t].reps, p->reps);
		all += n;
	}
	/* Only recorded runs reached the rows. */
	assert_int_equal(all, P.recorded_reps[0]);
	assert_int_equal(P.verify_runs, 0);
}

/*
 * Calibration grows its run until it lasts an eighth of a trial: 1, 16,
 * 256 (356 us with two slow ones), then 1280 one-byte round trips (1.88
 * ms >= 1.25 ms).
 */
static void calibration_grows(void **state)
{
	(void)state;
	run_sweep(YB_MODE_BIT(YB_MODE_PINGPONG), 1, 1, 0);
	check_rows();
	/* Four calibration runs and the point's warm-up. */
	assert_int_equal(P.warmups, 5);
	assert_int_equal(P.max_warmup_reps, 1280);
}

/*
 * Runs over which the clock stood still are run again: in calibration
 * (the first two), and a recorded trial (the second), after which the
 * point's trials are measured again.  No figure holds a zero time.
 */
static void clock_stall_is_measured_again(void **state)
{
	(void)state;
	P.stall_warmups = 2;
	P.stall_recorded = 1u << 1;
	run_sweep(YB_MODE_BIT(YB_MODE_PINGPONG), 1, 1, 0);
	check_rows();
	assert_int_equal(R.n, 1);
	const struct yb_point *p = &R.p[0];
	/* Two stalled calibration runs, then four that grow as above. */
	assert_int_equal(P.warmups, 2 + 5);
	assert_int_equal(P.max_warmup_reps, 1280);
	/* Trial 0, the stalled trial 1, then three trials again. */
	assert_int_equal(P.recorded_runs, 2 + 3);
	assert_int_equal(p->trials, 3);
	assert_float_equal(p->lat_min_us, (BASE_NS + 1) / 2000.0, 1e-9);
	for (size_t k = 0; k < p->hist_n; k++)
		assert_true(p->hist[k].low > 0);
	uint64_t n = 0;
	for (size_t k = 0; k < p->hist_n; k++)
		n += p->hist[k].count;
	assert_int_equal(n, p->reps * 3);
}

/*
 * A receiver whose clock was held back over a warm-up reports a time far
 * too short: the trials that follow grow at most sixteenfold over the
 * point before, instead of being sized from 1 ns.
 */
static void short_time_bounds_growth(void **state)
{
	(void)state;
	P.short_warmup_bytes = 4096;
	run_sweep(YB_MODE_BIT(YB_MODE_STREAM), 1024, 8192, 0);
	check_rows();
	assert_int_equal(R.n, 4); /* 1K, 2K, 4K, 8K */
	assert_int_equal(R.p[2].bytes, 4096);
	assert_true(R.p[2].reps > R.p[1].reps);
	assert_true(R.p[2].reps <= 16 * R.p[1].reps);
	/* The next point is sized from 4K's trials, which were timed. */
	assert_true(R.p[3].reps <= 16 * R.p[2].reps);
	/* A trial of 4K takes bytes * reps ns here: sixteen times the
	 * repetitions of a 10 ms 2K trial, each twice as long, is at most
	 * 32 times the target, where 1 ns would have asked for 1e7 times
	 * the warm-up's repetitions. */
	assert_true((double)R.p[2].reps * 4096 <= 32 * 1e7 * 1.01);
}

/* A clock that never moves: the sweep stops and says why. */
static void clock_never_moves(void **state)
{
	struct yb_err err = { 0 };
	(void)state;

	P.stall_all = 1;
	assert_int_equal(sweep_rc(YB_MODE_BIT(YB_MODE_PINGPONG), 1, 64, 0,
				  &err),
			 YB_EIO);
	assert_non_null(strstr(err.msg, "stood still over 40 of 40"));
	assert_int_equal(R.n, 0);
	/* It did not grow its runs from a time of zero. */
	assert_int_equal(P.max_warmup_reps, 1);
}

static void stream_trials(void **state)
{
	(void)state;
	run_sweep(YB_MODE_BIT(YB_MODE_STREAM), 1024, 65536, 0);
	check_rows();
	assert_int_equal(R.n, 7);
	for (size_t i = 0; i < R.n; i++) {
		const struct yb_point *p = &R.p[i];
		assert_int_equal(p->mode, YB_MODE_STREAM);
		/* No latency in a stream row. */
		assert_true(isnan(p->lat_min_us) && isnan(p->lat_p50_us) &&
			    isnan(p->lat_p999_us) && isnan(p->lat_max_us) &&
			    isnan(p->lat_mean_us) && isnan(p->lat_stddev_us));
		assert_null(p->hist);
		/* Trial k: bytes * reps * F[k] ns: 8 / F[k] Gbit/s. */
		assert_float_equal(p->bw_gbps, 8.0 / 1.0, 1e-9);
		assert_float_equal(p->bw_median_gbps, 8.0 / 1.25, 1e-9);
		assert_float_equal(p->bw_min_gbps, 8.0 / 2.0, 1e-9);
		assert_float_equal(p->cpu_server_pct, 25.0, 1e-3);
		assert_non_null(p->trial);
		for (unsigned t = 0; t < 3; t++)
			assert_int_equal(p->trial[t].elapsed_ns,
					 (uint64_t)((double)(p->bytes * p->reps) *
						    STREAM_F[t]));
		/* Sized from the previous point: the fastest trial near
		 * 10 ms, the slowest no more than twice that. */
		double t0 = (double)(p->bytes * p->reps);
		assert_true(t0 > 1e7 / 2.5 && t0 < 1e7 * 1.5);
	}
}

/*
 * Buffers of 4 MiB between the ends: a receiver finds up to that much
 * waiting, so every recorded trial must move at least ten times as much
 * (its first point measured again with more), as long as that fits in
 * ten times the trial time (here 100 ms at 1 byte a ns: 100 MB).
 */
static void stream_outgrows_buffers(void **state)
{
	(void)state;
	buffer_bytes = 4u << 20;
	run_sweep(YB_MODE_BIT(YB_MODE_STREAM), 1024, 65536, 0);
	check_rows();
	for (size_t i = 0; i < R.n; i++) {
		const struct yb_point *p = &R.p[i];
		assert_true(p->bytes * p->reps >= 10 * buffer_bytes);
		assert_true(p->bytes * p->reps <= 100000000 + p->bytes);
		assert_float_equal(p->bw_gbps, 8.0, 1e-9);
	}
}

/*
 * Buffers larger than ten trial times can fill (1 GiB at 1 byte a ns): the
 * floor cannot be reached, and every trial is waiting whole at the
 * receiver's first read, which then times nothing.  The figure is the
 * client's own time for the trial - never a bandwidth of 0 or infinity.
 */
static void stream_all_waiting(void **state)
{
	(void)state;
	buffer_bytes = 1ull << 30;
	run_sweep(YB_MODE_BIT(YB_MODE_STREAM), 1024, 4096, 0);
	check_rows();
	assert_true(R.n > 0);
	for (size_t i = 0; i < R.n; i++) {
		const struct yb_point *p = &R.p[i];
		assert_true(p->bytes * p->reps < buffer_bytes);
		/* The client waited bytes * F[k] ns a trial, and a little for
		 * the control messages: about the fake's own rates. */
		assert_true(isfinite(p->bw_gbps) && p->bw_gbps > 0);
		assert_true(p->bw_gbps <= 8.0 && p->bw_gbps > 8.0 / 1.1);
		assert_true(p->bw_min_gbps > 8.0 / 2.0 / 1.1);
		for (unsigned t = 0; t < p->trials; t++)
			assert_true(p->trial[t].elapsed_ns > 0);
	}
}

static void verify_is_untimed(void **state)
{
	(void)state;
	run_sweep(YB_MODE_BIT(YB_MODE_PINGPONG) | YB_MODE_BIT(YB_MODE_STREAM),
		  1, 64, 1);
	check_rows();
	assert_int_equal(R.n, 14);
	/* One verified run per point, never recorded. */
	assert_int_equal(P.verify_runs, R.n);
	assert_int_equal(P.recorded_runs, 3 * R.n);
	for (size_t i = 0; i < R.n; i++) {
		assert_int_equal(R.p[i].verify, YB_VERIFY_YES);
		assert_int_equal(R.p[i].trials, 3);
	}
	/* The figures are those of the unverified sweep. */
	for (size_t i = 0; i < R.n; i++)
		if (R.p[i].mode == YB_MODE_PINGPONG)
			assert_float_equal(R.p[i].lat_p50_us,
					   (BASE_NS + R.p[i].bytes) / 2000.0,
					   1e-9);
}

static void samples_past_the_cap(void **state)
{
	struct yb_samples s;
	(void)state;

	/* Exact while they fit; from the histogram after. */
	yb_samples_init(&s);
	uint64_t *d = yb_samples_reserve(&s, 5);
	assert_non_null(d);
	uint64_t v[] = { 50, 10, 40, 20, 30 };
	memcpy(d, v, sizeof(v));
	yb_samples_commit(&s, 5);
	assert_true(s.exact);
	assert_float_equal(yb_samples_quantile(&s, 0.5), 30, 0);
	assert_float_equal(yb_samples_quantile(&s, 0.2), 10, 0);
	assert_float_equal(yb_samples_quantile(&s, 0.21), 20, 0);
	assert_float_equal(yb_samples_quantile(&s, 1), 50, 0);
	assert_null(yb_samples_reserve(&s, YB_SAMPLES_MAX));
	assert_false(s.exact);
	/* Beyond the cap the histogram answers, within its resolution. */
	assert_float_equal(yb_samples_quantile(&s, 0.5), 30, 30.0 / 64);
	yb_samples_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(pingpong_exact, setup,
						teardown),
		cmocka_unit_test_setup_teardown(stream_trials, setup, teardown),
		cmocka_unit_test_setup_teardown(verify_is_untimed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(stream_outgrows_buffers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(stream_all_waiting, setup,
						teardown),
		cmocka_unit_test(samples_past_the_cap),
		cmocka_unit_test_setup_teardown(calibration_grows, setup,
						teardown),
		cmocka_unit_test_setup_teardown(clock_stall_is_measured_again,
						setup, teardown),
		cmocka_unit_test_setup_teardown(clock_never_moves, setup,
						teardown),
		cmocka_unit_test_setup_teardown(short_time_bounds_growth, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
