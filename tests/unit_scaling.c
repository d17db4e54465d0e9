/*
 * unit_scaling.c - merging runs measured at the same time (scaling.h),
 * with known answers from runs made in memory: totals are sums of the
 * median trials, per-pair latency the median and the worst of the pairs'
 * p50, overlap the shared part of the shortest window; the refusals and
 * what is left out; the table and the data of its graphs.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/base/mode.h"
#include "core/report/plot.h"
#include "core/report/results.h"
#include "core/report/scaling.h"

#define SEC 1000000000LL
#define NO_OFFSET (-1LL)
#define K64 65536
#define M1 1048576

/* Equal but for the rounding of trial times to whole nanoseconds. */
#define assert_near(a, b)                                                  \
	assert_true(fabs((double)(a) - (double)(b)) <=                     \
		    1e-9 + 1e-7 * fabs((double)(b)))

/* ---- building inputs -------------------------------------------------- */

/* A run; its clock_realtime_offset_ns in seconds, or NO_OFFSET. */
static void run_init(struct yb_results *r, long long offset_s)
{
	yb_results_init(r);
	if (offset_s != NO_OFFSET)
		assert_int_equal(yb_meta_set_int(&r->meta,
						 "clock_realtime_offset_ns",
						 offset_s * SEC),
				 0);
}


/*
 * A row of pair `pair` of `pairs` whose trials span t0 to t1 seconds on
 * the run's monotonic clock, and (ping-pong) p50 one-way latency p50
 * (NAN: none, as a pairs total has).  Three trials of 4 MiB of messages,
 * timed to move at 0.5 bw (beginning at t0), bw (centred in the span)
 * and 1.5 bw (ending at t1) Gbit/s: bw is the median, and a trial outside
 * a common window shows by its figure.
 */
static void add_row(struct yb_results *r, const char *transport,
		    unsigned mode, uint64_t bytes, unsigned pairs,
		    unsigned pair, double bw, double p50, double t0, double t1)
{
	struct yb_point p;
	struct yb_trial t[3];
	double ways = mode == YB_MODE_PINGPONG ? 2 : 1;
	const double f[3] = { 0.5, 1, 1.5 };
	const uint64_t reps = bytes < (4u << 20) ? (4u << 20) / bytes : 1;

	for (int i = 0; i < 3; i++) {
		double ns = 8.0 * ways * (double)bytes * (double)reps /
			    (f[i] * bw);
		double at = i == 0 ? t0 * SEC :
			    i == 1 ? (t0 + t1) / 2 * SEC - ns / 2 :
				     t1 * SEC - ns;
		t[i] = (struct yb_trial){ (uint64_t)llround(at),
					  (uint64_t)llround(ns), reps, 0,
					  0 };
	}
	memset(&p, 0, sizeof(p));
	snprintf(p.transport, sizeof(p.transport), "%s", transport);
	p.mode = mode;
	p.bytes = bytes;
	p.reps = reps;
	p.trials = 3;
	p.pairs = pairs;
	p.pair = pair;
	yb_point_clear_latency(&p);
	if (!isnan(p50)) {
		p.lat_min_us = p.lat_mean_us = p.lat_p50_us = p50;
		p.lat_p99_us = p.lat_p999_us = p.lat_max_us = p50;
	}
	/* The best trial and the worst differ from the median, so that a sum
	 * of the wrong one shows. */
	p.bw_gbps = 1.5 * bw;
	p.bw_min_gbps = 0.5 * bw;
	p.bw_median_gbps = bw;
	p.cpu_client_pct = p.cpu_server_pct = NAN;
	p.trial = t;
	assert_int_equal(yb_results_add(r, &p), 0);
}

static void stream(struct yb_results *r, uint64_t bytes, double bw,
		   double t0, double t1)
{
	add_row(r, "unix", YB_MODE_STREAM, bytes, 1, 1, bw, NAN, t0, t1);
}

static const struct yb_scaling_row *find(const struct yb_scaling *s,
					 unsigned mode, uint64_t bytes,
					 unsigned pairs)
{
	for (size_t i = 0; i < s->nrows; i++)
		if (s->rows[i].key.mode == mode &&
		    s->rows[i].key.bytes == bytes && s->rows[i].pairs == pairs)
			return &s->rows[i];
	return NULL;
}

static int has_note(const struct yb_scaling *s, const char *a, const char *b)
{
	for (size_t i = 0; i < s->nnotes; i++)
		if (strstr(s->notes[i].msg, a) && (!b || strstr(s->notes[i].msg, b)))
			return 1;
	return 0;
}

/* ---- the figures ------------------------------------------------------ */

/* The aggregate is the sum of the runs' median trials; per pair, over
 * the pairs. */
static void totals_are_sums_of_medians(void **state)
{
	(void)state;
	struct yb_results a, b, c;
	struct yb_scaling s;
	struct yb_err err = { 0 };

	run_init(&a, 1000);
	stream(&a, K64, 10, 0, 10);
	run_init(&b, 2000);
	stream(&b, K64, 8, 0, 10);
	run_init(&c, 2000);
	stream(&c, K64, 16, 1, 9);
	const struct yb_scaling_run runs[] = {
		{ "a", &a, 0 }, { "b", &b, 1 }, { "c", &c, 1 }
	};
	assert_int_equal(yb_scaling_merge(runs, 3, NULL, 0, &s, &err), 0);
	assert_int_equal(s.nsets, 2);
	assert_int_equal(s.sets[1].pairs, 2);
	assert_int_equal(s.nrows, 2);
	assert_int_equal(s.nnotes, 0);
	/* Sorted by pairs within the curve. */
	assert_int_equal(s.rows[0].pairs, 1);
	assert_int_equal(s.rows[1].pairs, 2);
	assert_near(s.rows[0].bw_total_gbps, 10);
	assert_near(s.rows[1].bw_total_gbps, 24);
	assert_near(s.rows[1].bw_per_pair_gbps, 12);
	assert_int_equal(s.rows[1].runs, 2);
	/* c's window [1, 9] lies inside b's [0, 10]: all of the shortest. */
	assert_near(s.rows[1].overlap_pct, 100);
	assert_true(isnan(s.rows[1].lat_p50_us));
	assert_string_equal(s.rows[0].curve, "unix");

	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	assert_int_equal(yb_scaling_write_csv(fp, &s, &err), 0);
	fclose(fp);
	assert_string_equal(buf,
			    YB_SCALING_CSV_COLUMNS "\n"
			    "unix,stream,65536,1,1,10.000000,10.000000,,,100.0\n"
			    "unix,stream,65536,2,2,24.000000,12.000000,,,100.0\n");
	free(buf);
	yb_scaling_free(&s);
	yb_results_free(&a);
	yb_results_free(&b);
	yb_results_free(&c);
}

/*
 * Per-pair latency: a run of 3 pairs (per-pair p50 1, 2 and 6 us, and a
 * total without latency) and a single run (3 us) make 4 pairs whose p50s
 * have the median 2.5 and the worst 6; the bandwidth is the total's plus
 * the single run's.
 */
static void per_pair_latency(void **state)
{
	(void)state;
	struct yb_results one, p3, q;
	struct yb_scaling s;
	struct yb_err err = { 0 };

	run_init(&one, 0);
	add_row(&one, "unix", YB_MODE_PINGPONG, 64, 1, 1, 1, 2.0, 0, 1);
	run_init(&p3, 50);
	add_row(&p3, "unix", YB_MODE_PINGPONG, 64, 3, 1, 3, 1.0, 0, 1);
	add_row(&p3, "unix", YB_MODE_PINGPONG, 64, 3, 2, 3, 2.0, 0, 1);
	add_row(&p3, "unix", YB_MODE_PINGPONG, 64, 3, 3, 3, 6.0, 0, 1);
	add_row(&p3, "unix", YB_MODE_PINGPONG, 64, 3, 0, 9, NAN, 0, 1);
	run_init(&q, 50);
	add_row(&q, "unix", YB_MODE_PINGPONG, 64, 1, 1, 4, 3.0, 0, 1);
	const struct yb_scaling_run runs[] = {
		{ "one", &one, 0 }, { "p3", &p3, 1 }, { "q", &q, 1 }
	};
	assert_int_equal(yb_scaling_merge(runs, 3, NULL, 0, &s, &err), 0);
	const struct yb_scaling_row *r = find(&s, YB_MODE_PINGPONG, 64, 4);
	assert_non_null(r);
	assert_near(r->lat_p50_us, 2.5);
	assert_near(r->lat_p50_worst_us, 6);
	assert_near(r->bw_total_gbps, 13);
	assert_near(r->bw_per_pair_gbps, 3.25);
	r = find(&s, YB_MODE_PINGPONG, 64, 1);
	assert_non_null(r);
	assert_near(r->lat_p50_us, 2);
	assert_near(r->lat_p50_worst_us, 2);
	yb_scaling_free(&s);
	yb_results_free(&one);
	yb_results_free(&p3);
	yb_results_free(&q);
}

/* A run of --pairs N alone is a set of N pairs, its total row the
 * aggregate. */
static void pairs_run_counts_n(void **state)
{
	(void)state;
	struct yb_results one, p2;
	struct yb_scaling s;
	struct yb_err err = { 0 };

	run_init(&one, NO_OFFSET); /* a set of one needs no wall clock */
	stream(&one, K64, 5, 0, 1);
	run_init(&p2, 10);
	add_row(&p2, "unix", YB_MODE_STREAM, K64, 2, 1, 4, NAN, 0, 1);
	add_row(&p2, "unix", YB_MODE_STREAM, K64, 2, 2, 5, NAN, 0, 1);
	add_row(&p2, "unix", YB_MODE_STREAM, K64, 2, 0, 8.5, NAN, 0, 1);
	const struct yb_scaling_run runs[] = { { "one", &one, 0 },
					       { "p2", &p2, 1 } };
	assert_int_equal(yb_scaling_merge(runs, 2, NULL, 0, &s, &err), 0);
	assert_int_equal(s.sets[1].pairs, 2);
	assert_int_equal(s.runs[1].pairs, 2);
	const struct yb_scaling_row *r = find(&s, YB_MODE_STREAM, K64, 2);
	assert_non_null(r);
	assert_int_equal(r->runs, 1);
	assert_near(r->bw_total_gbps, 8.5);
	assert_near(r->bw_per_pair_gbps, 4.25);
	assert_near(r->overlap_pct, 100);
	yb_scaling_free(&s);
	yb_results_free(&one);
	yb_results_free(&p2);
}

/* ---- windows ---------------------------------------------------------- */

/*
 * Windows [0, 10] s and [5, 20] s share 5 s, half of the shorter one:
 * 50 %.  The runs come from machines whose monotonic clocks differ; their
 * offsets put them on one wall clock.
 */
static void overlap_half(void **state)
{
	(void)state;
	struct yb_results one, a, b;
	struct yb_scaling s;
	struct yb_err err = { 0 };

	run_init(&one, 0);
	stream(&one, K64, 1, 0, 1);
	run_init(&a, 100);
	stream(&a, K64, 1, 0, 10); /* wall clock [100, 110] */
	run_init(&b, 40);
	stream(&b, K64, 1, 65, 80); /* wall clock [105, 120] */
	const struct yb_scaling_run runs[] = {
		{ "one", &one, 0 }, { "a", &a, 1 }, { "b", &b, 1 }
	};
	assert_int_equal(yb_scaling_merge(runs, 3, NULL, 0, &s, &err), 0);
	const struct yb_scaling_row *r = find(&s, YB_MODE_STREAM, K64, 2);
	assert_non_null(r);
	assert_near(r->overlap_pct, 50);
	assert_int_equal(s.runs[2].start_ns, 105 * SEC);
	assert_int_equal(s.runs[2].end_ns, 120 * SEC);
	yb_scaling_free(&s);
	yb_results_free(&one);
	yb_results_free(&a);
	yb_results_free(&b);
}

/*
 * Only what ran while every run of a set was measuring adds up: a
 * [0, 10] s and b [5, 20] s share [5, 10], inside which lie a's last
 * trial (1.5 x 8) and b's first (0.5 x 16): 20, not the medians' 24.  A
 * run none of whose trials lies inside the common window (b' shares the
 * last millisecond of a's, which no trial of a fits) leaves the row out.
 */
static void only_common_trials(void **state)
{
	(void)state;
	struct yb_results one, a, b, c;
	struct yb_scaling s;
	struct yb_err err = { 0 };

	run_init(&one, 0);
	stream(&one, K64, 1, 0, 1);
	run_init(&a, 100);
	stream(&a, K64, 8, 0, 10);
	run_init(&b, 100);
	stream(&b, K64, 16, 5, 20);
	const struct yb_scaling_run runs[] = {
		{ "one", &one, 0 }, { "a", &a, 1 }, { "b", &b, 1 }
	};
	assert_int_equal(yb_scaling_merge(runs, 3, NULL, 0, &s, &err), 0);
	const struct yb_scaling_row *r = find(&s, YB_MODE_STREAM, K64, 2);
	assert_non_null(r);
	assert_near(r->bw_total_gbps, 20);
	assert_near(r->overlap_pct, 50);
	yb_scaling_free(&s);

	run_init(&c, 100);
	stream(&c, K64, 16, 9.999, 20);
	const struct yb_scaling_run late[] = {
		{ "one", &one, 0 }, { "a", &a, 1 }, { "late", &c, 1 }
	};
	assert_int_equal(yb_scaling_merge(late, 3, NULL, 0, &s, &err), 0);
	assert_null(find(&s, YB_MODE_STREAM, K64, 2));
	assert_true(has_note(&s, "unix stream 64K in set a,late",
			     "no trial of a ran while all"));
	yb_scaling_free(&s);
	yb_results_free(&one);
	yb_results_free(&a);
	yb_results_free(&b);
	yb_results_free(&c);
}

/* Runs one after the other are refused, both named. */
static void refuse_apart(void **state)
{
	(void)state;
	struct yb_results a, b;
	struct yb_scaling s;
	struct yb_err err = { 0 };

	run_init(&a, 100);
	stream(&a, K64, 1, 0, 10);
	run_init(&b, 100);
	stream(&b, K64, 1, 10, 20); /* begins as a ends: no moment shared */
	const struct yb_scaling_run runs[] = { { "first/results.json", &a, 0 },
					       { "second/results.json", &b,
						 0 } };
	assert_int_equal(yb_scaling_merge(runs, 2, NULL, 0, &s, &err),
			 YB_EINVAL);
	assert_non_null(strstr(err.msg, "first/results.json (00:01:40.000-"
					"00:01:50.000 UTC)"));
	assert_non_null(strstr(err.msg, "second/results.json"));
	assert_non_null(strstr(err.msg, "not measured at the same time"));
	assert_int_equal(s.nrows, 0);
	yb_results_free(&a);
	yb_results_free(&b);
}

/*
 * The runs overlap, but not at every size: the 64K rows of a and b were
 * measured at different times and are left out of that set with a note;
 * their 1M rows share half of a's (the shorter) window.
 */
static void row_apart_left_out(void **state)
{
	(void)state;
	struct yb_results d, a, b;
	struct yb_scaling s;
	struct yb_err err = { 0 };

	run_init(&d, 0);
	stream(&d, K64, 1, 0, 1);
	stream(&d, M1, 2, 1, 2);
	run_init(&a, 10);
	stream(&a, K64, 1, 0, 1);
	stream(&a, M1, 2, 1, 2);
	run_init(&b, 10);
	stream(&b, K64, 1, 1.2, 1.4);
	stream(&b, M1, 2, 1.5, 3.5);
	const struct yb_scaling_run runs[] = {
		{ "d", &d, 0 }, { "a", &a, 1 }, { "b", &b, 1 }
	};
	assert_int_equal(yb_scaling_merge(runs, 3, NULL, 0, &s, &err), 0);
	assert_int_equal(s.nrows, 3);
	assert_null(find(&s, YB_MODE_STREAM, K64, 2));
	const struct yb_scaling_row *r = find(&s, YB_MODE_STREAM, M1, 2);
	assert_non_null(r);
	assert_near(r->overlap_pct, 50);
	assert_near(r->bw_total_gbps, 4);
	assert_int_equal(s.nnotes, 1);
	assert_true(has_note(&s, "unix stream 64K in set a,b",
			     "not measured at the same time"));
	yb_scaling_free(&s);
	yb_results_free(&d);
	yb_results_free(&a);
	yb_results_free(&b);
}

/* A row one run of a set lacks is left out of that set, with a note
 * naming it and the set. */
static void missing_row_left_out(void **state)
{
	(void)state;
	struct yb_results a, b, c;
	struct yb_scaling s;
	struct yb_err err = { 0 };

	run_init(&a, 0);
	stream(&a, K64, 1, 0, 1);
	stream(&a, M1, 1, 1, 2);
	run_init(&b, 0);
	stream(&b, K64, 1, 0, 1);
	stream(&b, M1, 1, 1, 2);
	run_init(&c, 0);
	stream(&c, K64, 1, 0, 1);
	const struct yb_scaling_run runs[] = {
		{ "a", &a, 0 }, { "b", &b, 1 }, { "c", &c, 1 }
	};
	assert_int_equal(yb_scaling_merge(runs, 3, NULL, 0, &s, &err), 0);
	assert_non_null(find(&s, YB_MODE_STREAM, K64, 1));
	assert_non_null(find(&s, YB_MODE_STREAM, K64, 2));
	assert_non_null(find(&s, YB_MODE_STREAM, M1, 1));
	assert_null(find(&s, YB_MODE_STREAM, M1, 2));
	assert_int_equal(s.nrows, 3);
	assert_int_equal(s.nnotes, 1);
	assert_true(has_note(&s, "unix stream 1M: not measured by every run "
				 "of set b,c (not by c)",
			     NULL));
	yb_scaling_free(&s);
	yb_results_free(&a);
	yb_results_free(&b);
	yb_results_free(&c);
}

/* ---- refusals ---------------------------------------------------------- */

/* Two sets of one pair count: a run of 2 pairs, and two runs of one. */
static void duplicate_pairs(void **state)
{
	(void)state;
	struct yb_results p2, a, b;
	struct yb_scaling s;
	struct yb_err err = { 0 };

	run_init(&p2, 0);
	add_row(&p2, "unix", YB_MODE_STREAM, K64, 2, 1, 1, NAN, 0, 1);
	add_row(&p2, "unix", YB_MODE_STREAM, K64, 2, 2, 1, NAN, 0, 1);
	add_row(&p2, "unix", YB_MODE_STREAM, K64, 2, 0, 2, NAN, 0, 1);
	run_init(&a, 0);
	stream(&a, K64, 1, 0, 1);
	run_init(&b, 0);
	stream(&b, K64, 1, 0, 1);
	const struct yb_scaling_run runs[] = {
		{ "p2", &p2, 0 }, { "a", &a, 1 }, { "b", &b, 1 }
	};
	assert_int_equal(yb_scaling_merge(runs, 3, NULL, 0, &s, &err),
			 YB_EINVAL);
	assert_non_null(strstr(err.msg, "sets p2 and a,b both measured 2 "
					"pairs"));
	/* The same run twice. */
	const struct yb_scaling_run twice[] = { { "a", &a, 0 },
						{ "a", &a, 1 } };
	assert_int_equal(yb_scaling_merge(twice, 2, NULL, 0, &s, &err),
			 YB_EINVAL);
	assert_non_null(strstr(err.msg, "a is given twice"));
	yb_results_free(&p2);
	yb_results_free(&a);
	yb_results_free(&b);
}

/* A run without wall-clock times cannot share a set; alone it can. */
static void no_wall_clock(void **state)
{
	(void)state;
	struct yb_results a, old, bare;
	struct yb_scaling s;
	struct yb_err err = { 0 };

	run_init(&a, 0);
	stream(&a, K64, 1, 0, 1);
	run_init(&old, NO_OFFSET);
	stream(&old, K64, 1, 0, 1);
	const struct yb_scaling_run runs[] = { { "a", &a, 0 },
					       { "old", &old, 0 } };
	assert_int_equal(yb_scaling_merge(runs, 2, NULL, 0, &s, &err),
			 YB_EINVAL);
	assert_non_null(strstr(err.msg, "old has no wall-clock times"));
	assert_non_null(strstr(err.msg, "cannot be merged with other runs"));

	/* Rows without their trials' times: the same. */
	run_init(&bare, 0);
	struct yb_point p = a.p[0];
	p.trial = NULL;
	assert_int_equal(yb_results_add(&bare, &p), 0);
	const struct yb_scaling_run runs2[] = { { "a", &a, 0 },
						{ "bare", &bare, 0 } };
	assert_int_equal(yb_scaling_merge(runs2, 2, NULL, 0, &s, &err),
			 YB_EINVAL);
	assert_non_null(strstr(err.msg, "bare has no wall-clock times"));

	/* Each alone, in a set of its own: fine. */
	const struct yb_scaling_run alone[] = { { "old", &old, 0 } };
	assert_int_equal(yb_scaling_merge(alone, 1, NULL, 0, &s, &err), 0);
	assert_near(s.rows[0].overlap_pct, 100);
	yb_scaling_free(&s);
	yb_results_free(&a);
	yb_results_free(&old);
	yb_results_free(&bare);
}

/* A run whose rows mix pair counts is refused. */
static void mixed_pairs(void **state)
{
	(void)state;
	struct yb_results m;
	struct yb_scaling s;
	struct yb_err err = { 0 };

	run_init(&m, 0);
	stream(&m, K64, 1, 0, 1);
	add_row(&m, "unix", YB_MODE_STREAM, M1, 2, 0, 2, NAN, 1, 2);
	const struct yb_scaling_run runs[] = { { "m", &m, 0 } };
	assert_int_equal(yb_scaling_merge(runs, 1, NULL, 0, &s, &err),
			 YB_EINVAL);
	assert_non_null(strstr(err.msg, "m mixes rows of 1 and 2 pairs"));
	yb_results_free(&m);
}

/* ---- sizes -------------------------------------------------------------- */

/* Without a choice, the sizes of every set; with one, those. */
static void sizes(void **state)
{
	(void)state;
	struct yb_results a, b;
	struct yb_scaling s;
	struct yb_err err = { 0 };

	run_init(&a, 0);
	stream(&a, 4096, 1, 0, 1);
	stream(&a, K64, 1, 1, 2);
	stream(&a, M1, 1, 2, 3);
	run_init(&b, 0);
	add_row(&b, "unix", YB_MODE_STREAM, K64, 2, 0, 2, NAN, 0, 1);
	add_row(&b, "unix", YB_MODE_STREAM, M1, 2, 0, 2, NAN, 1, 2);
	const struct yb_scaling_run runs[] = { { "a", &a, 0 },
					       { "b", &b, 1 } };
	assert_int_equal(yb_scaling_merge(runs, 2, NULL, 0, &s, &err), 0);
	assert_int_equal(s.nsizes, 2);
	assert_int_equal(s.sizes[0], K64);
	assert_int_equal(s.sizes[1], M1);
	assert_int_equal(s.nrows, 4);
	assert_true(has_note(&s, "1 message size not measured in every set "
				 "left out: 4K",
			     NULL));
	yb_scaling_free(&s);

	const uint64_t want[] = { M1, 4096 };
	assert_int_equal(yb_scaling_merge(runs, 2, want, 2, &s, &err), 0);
	assert_int_equal(s.nsizes, 2);
	assert_int_equal(s.sizes[0], 4096);
	assert_int_equal(s.nrows, 3); /* 4K in a only */
	assert_null(find(&s, YB_MODE_STREAM, K64, 1));
	assert_int_equal(s.nnotes, 0);
	yb_scaling_free(&s);

	const uint64_t none[] = { 100000 };
	assert_int_equal(yb_scaling_merge(runs, 2, none, 1, &s, &err),
			 YB_EUSAGE);
	assert_non_null(strstr(err.msg, "no run measured messages of 100000 "
					"(nearest: 65536 and 1048576)"));
	yb_results_free(&a);
	yb_results_free(&b);
}

/* ---- the data of the graphs ---------------------------------------------- */

/*
 * Two curves, two sizes: a block per curve and size with rows of the
 * graph's kind, the curve's colour and the size's dash type, pairs
 * ascending.
 */
static void graph_data(void **state)
{
	(void)state;
	struct yb_results a, b, c;
	struct yb_scaling s;
	struct yb_plot_blocks bl;
	struct yb_err err = { 0 };

	run_init(&a, 0);
	stream(&a, K64, 10, 0, 1);
	stream(&a, M1, 20, 1, 2);
	add_row(&a, "tcp", YB_MODE_STREAM, K64, 1, 1, 3, NAN, 2, 3);
	add_row(&a, "tcp", YB_MODE_PINGPONG, K64, 1, 1, 3, 7.5, 3, 4);
	run_init(&b, 0);
	stream(&b, K64, 11, 0, 1);
	stream(&b, M1, 21, 1, 2);
	add_row(&b, "tcp", YB_MODE_STREAM, K64, 1, 1, 4, NAN, 2, 3);
	add_row(&b, "tcp", YB_MODE_PINGPONG, K64, 1, 1, 3, 8.5, 3, 4);
	run_init(&c, 0);
	stream(&c, K64, 12, 0, 1);
	stream(&c, M1, 22, 1, 2);
	add_row(&c, "tcp", YB_MODE_STREAM, K64, 1, 1, 5, NAN, 2, 3);
	add_row(&c, "tcp", YB_MODE_PINGPONG, K64, 1, 1, 3, 9.5, 3, 4);
	const struct yb_scaling_run runs[] = {
		{ "a", &a, 0 }, { "b", &b, 1 }, { "c", &c, 1 }
	};
	assert_int_equal(yb_scaling_merge(runs, 3, NULL, 0, &s, &err), 0);

	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	assert_int_equal(yb_plot_write_scaling(fp, &s, YB_SCALING_BANDWIDTH,
					       &bl, &err),
			 0);
	fclose(fp);
	/* tcp sorts before unix: colour 1, unix 2. */
	assert_string_equal(buf, "\"tcp, 64 KiB\"\n"
				 "1 3 NaN NaN 3\n"
				 "2 9 NaN NaN 4.5\n"
				 "\n\n\"unix, 64 KiB\"\n"
				 "1 10 NaN NaN 10\n"
				 "2 23 NaN NaN 11.5\n"
				 "\n\n\"unix, 1 MiB\"\n"
				 "1 20 NaN NaN 20\n"
				 "2 43 NaN NaN 21.5\n");
	assert_int_equal(bl.n, 3);
	assert_int_equal(bl.lt[0], 1);
	assert_int_equal(bl.lt[1], 2);
	assert_int_equal(bl.lt[2], 2);
	assert_int_equal(bl.dt[0], 1);
	assert_int_equal(bl.dt[1], 1);
	assert_int_equal(bl.dt[2], 2);
	free(buf);

	buf = NULL;
	fp = open_memstream(&buf, &len);
	assert_int_equal(yb_plot_write_scaling(fp, &s, YB_SCALING_LATENCY,
					       &bl, &err),
			 0);
	fclose(fp);
	assert_string_equal(buf, "\"tcp, 64 KiB\"\n"
				 "1 3 7.5 7.5 3\n"
				 "2 6 9 9.5 3\n");
	assert_int_equal(bl.n, 1);
	assert_int_equal(bl.lt[0], 1);
	free(buf);
	assert_int_equal(yb_plot_scaling_fits(&s, &err), 0);
	yb_scaling_free(&s);
	yb_results_free(&a);
	yb_results_free(&b);
	yb_results_free(&c);
}

/* More lines than a graph holds: refused, pointing at --sizes. */
static void too_many_lines(void **state)
{
	(void)state;
	struct yb_results a;
	struct yb_scaling s;
	struct yb_err err = { 0 };

	run_init(&a, 0);
	for (uint64_t b = 1; b <= YB_PLOT_MAX_CURVES + 1; b++)
		stream(&a, b, 1, (double)b, (double)b + 0.5);
	const struct yb_scaling_run runs[] = { { "a", &a, 0 } };
	assert_int_equal(yb_scaling_merge(runs, 1, NULL, 0, &s, &err), 0);
	assert_int_equal(yb_plot_scaling_fits(&s, &err), YB_EUSAGE);
	assert_non_null(strstr(err.msg, "scaling_bandwidth would have 65 "
					"lines"));
	assert_non_null(strstr(err.msg, "--sizes"));
	yb_scaling_free(&s);
	yb_results_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(totals_are_sums_of_medians),
		cmocka_unit_test(per_pair_latency),
		cmocka_unit_test(pairs_run_counts_n),
		cmocka_unit_test(overlap_half),
		cmocka_unit_test(only_common_trials),
		cmocka_unit_test(refuse_apart),
		cmocka_unit_test(row_apart_left_out),
		cmocka_unit_test(missing_row_left_out),
		cmocka_unit_test(duplicate_pairs),
		cmocka_unit_test(no_wall_clock),
		cmocka_unit_test(mixed_pairs),
		cmocka_unit_test(sizes),
		cmocka_unit_test(graph_data),
		cmocka_unit_test(too_many_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
