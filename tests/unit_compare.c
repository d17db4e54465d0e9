/*
 * unit_compare.c - the comparisons with several runs a side: paired A/B
 * rounds, runs judged by the spread between them, figures relative to a
 * reference transport, and verdicts as JSON - on results built here, with
 * answers known in advance.
 */
#include <jansson.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/report/compare.h"
#include "core/wire/proto.h"

#define MAXR 16
static const uint64_t SIZES[] = { 1, 2, 4, 8, 16 };
#define NS (sizeof(SIZES) / sizeof(SIZES[0]))

/* A run: curve name's ping-pong latency lat(size) * scale, and a stream
 * bandwidth 10 / scale Gbit/s at every size. */
static void add_curve(struct yb_results *r, const char *name, double scale)
{
	for (size_t i = 0; i < NS; i++) {
		struct yb_point p;
		memset(&p, 0, sizeof(p));
		snprintf(p.transport, sizeof(p.transport), "%s", name);
		snprintf(p.wait, sizeof(p.wait), "none");
		p.mode = YB_MODE_PINGPONG;
		p.bytes = SIZES[i];
		p.reps = 1000;
		p.trials = 3;
		p.pairs = p.pair = 1;
		yb_point_clear_latency(&p);
		p.lat_min_us = p.lat_mean_us = p.lat_p50_us = p.lat_p99_us =
			p.lat_p999_us = p.lat_max_us =
				(5.0 + (double)i) * scale;
		p.lat_stddev_us = 0;
		p.bw_gbps = p.bw_min_gbps = p.bw_median_gbps =
			(double)SIZES[i] * 8 / (p.lat_p50_us * 1000);
		assert_int_equal(yb_results_add(r, &p), 0);
		p.mode = YB_MODE_STREAM;
		yb_point_clear_latency(&p);
		p.bw_gbps = p.bw_min_gbps = p.bw_median_gbps = 10.0 / scale;
		assert_int_equal(yb_results_add(r, &p), 0);
	}
}

static struct yb_results A[MAXR], B[MAXR];
static const struct yb_results *pa[MAXR], *pb[MAXR];

static void build(size_t n, const double *sa, const double *sb)
{
	for (size_t i = 0; i < n; i++) {
		yb_results_init(&A[i]);
		yb_results_init(&B[i]);
		add_curve(&A[i], "unix", sa[i]);
		add_curve(&B[i], "unix", sb[i]);
		pa[i] = &A[i];
		pb[i] = &B[i];
	}
}

static void unbuild(size_t n)
{
	for (size_t i = 0; i < n; i++) {
		yb_results_free(&A[i]);
		yb_results_free(&B[i]);
	}
}

static const struct yb_cmp_row *row_of(const struct yb_cmp *c, unsigned metric)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->rows[i].metric == metric)
			return &c->rows[i];
	fail_msg("no row for metric %u", metric);
	return NULL;
}

static void paired_known_shift(void **state)
{
	double sa[8], sb[8];
	struct yb_cmp c;
	struct yb_err err = { 0 };
	(void)state;

	/* The host drifts by up to 40% between rounds; NEW is 20% slower
	 * than OLD in every round. */
	for (int i = 0; i < 8; i++) {
		sa[i] = 1.0 + 0.05 * (i % 5) + (i == 3 ? 0.2 : 0);
		sb[i] = sa[i] * 1.2;
	}
	build(8, sa, sb);
	assert_int_equal(yb_compare_paired(pa, pb, 8, YB_METRIC_ALL, 5, 0.95,
					   YB_AB_SIGNRANK, &c, &err),
			 0);
	assert_int_equal(c.noise, YB_NOISE_PAIRED);
	const struct yb_cmp_row *l = row_of(&c, YB_METRIC_LATENCY);
	assert_float_equal(l->median_pct, 20.0, 1e-9);
	assert_float_equal(l->lo_pct, 20.0, 1e-9);
	assert_float_equal(l->hi_pct, 20.0, 1e-9);
	assert_int_equal(l->rounds, 8);
	assert_float_equal(l->round_pct[5], 20.0, 1e-9);
	assert_int_equal(l->points, NS);
	assert_true(l->regressed);
	/* Bandwidth 1/1.2 of OLD's: (old - new) / old = 16.7%, worse. */
	const struct yb_cmp_row *b = row_of(&c, YB_METRIC_BANDWIDTH);
	assert_float_equal(b->median_pct, 100.0 / 6.0, 1e-9);
	assert_true(b->regressed && c.regressed);
	yb_cmp_free(&c);

	/* 3% slower: surely slower, but within the tolerance.  A size one
	 * run lacks (no figure) is left out of every round. */
	unbuild(8);
	for (int i = 0; i < 8; i++)
		sb[i] = sa[i] * 1.03;
	build(8, sa, sb);
	B[4].p[0].lat_p50_us = NAN;
	assert_int_equal(yb_compare_paired(pa, pb, 8, YB_METRIC_LATENCY, 5, 0.95,
					   YB_AB_SIGNRANK, &c, &err),
			 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.rows[0].points, NS - 1);
	assert_float_equal(c.rows[0].median_pct, 3.0, 1e-9);
	assert_true(c.rows[0].lo_pct > 0 && !c.rows[0].regressed);
	yb_cmp_free(&c);
	unbuild(8);
}

static void paired_noise(void **state)
{
	double sa[10], sb[10];
	struct yb_cmp c;
	struct yb_err err = { 0 };
	(void)state;

	/* NEW is 15% faster or slower, by turns: no change in the centre,
	 * and an interval that says so. */
	for (int i = 0; i < 10; i++) {
		sa[i] = 1.0;
		sb[i] = i % 2 ? 1.15 : 1 / 1.15;
	}
	build(10, sa, sb);
	assert_int_equal(yb_compare_paired(pa, pb, 10, YB_METRIC_LATENCY, 5, 0.95,
					   YB_AB_SIGNRANK, &c, &err),
			 0);
	const struct yb_cmp_row *l = &c.rows[0];
	assert_true(fabs(l->median_pct) < 1);
	assert_true(l->lo_pct < 0 && l->hi_pct > 0);
	assert_false(l->regressed || c.regressed);
	assert_true(l->noise_pct > 10); /* one round's spread */
	yb_cmp_free(&c);

	/* Two rounds are too few for a 95% interval: never a regression. */
	for (int i = 0; i < 2; i++)
		sb[i] = 2.0;
	unbuild(10);
	build(2, sa, sb);
	assert_int_equal(yb_compare_paired(pa, pb, 2, YB_METRIC_LATENCY, 5, 0.95,
					   YB_AB_SIGNRANK, &c, &err),
			 0);
	assert_true(isinf(c.rows[0].lo_pct) && !c.rows[0].regressed);
	assert_float_equal(c.rows[0].median_pct, 100.0, 1e-9);
	yb_cmp_free(&c);
	unbuild(2);
}

static void between_runs(void **state)
{
	double sa[3] = { 1.0, 1.1, 0.9 }, sb[3];
	struct yb_cmp c;
	struct yb_err err = { 0 };
	(void)state;

	/* Runs spread by 10%: a 20% change is not certain with three runs
	 * a side (the t interval: 2.776 * 0.1004 * sqrt(2/3) = 0.228 in
	 * log terms, reaching below zero). */
	for (int i = 0; i < 3; i++)
		sb[i] = sa[i] * 1.2;
	build(3, sa, sb);
	assert_int_equal(yb_compare_runs(pa, 3, pb, 3, YB_METRIC_LATENCY, 5,
					 0.95, &c, &err),
			 0);
	assert_int_equal(c.noise, YB_NOISE_BETWEEN);
	const struct yb_cmp_row *l = &c.rows[0];
	assert_float_equal(l->median_pct, 20.0, 1e-6);
	double half = 2.7764 * 0.10043 * sqrt(2.0 / 3.0);
	assert_float_equal(l->lo_pct, (exp(log(1.2) - half) - 1) * 100, 0.05);
	assert_true(l->lo_pct < 0 && !l->regressed);
	yb_cmp_free(&c);
	unbuild(3);

	/* Runs that agree within 1%: the same 20% is a regression. */
	double ta[3] = { 1.0, 1.01, 0.99 }, tb[3];
	for (int i = 0; i < 3; i++)
		tb[i] = ta[i] * 1.2;
	build(3, ta, tb);
	assert_int_equal(yb_compare_runs(pa, 3, pb, 3, YB_METRIC_LATENCY, 5,
					 0.95, &c, &err),
			 0);
	assert_true(c.rows[0].lo_pct > 10 && c.rows[0].regressed);
	yb_cmp_free(&c);
	/* One run a side is not enough for it. */
	assert_int_equal(yb_compare_runs(pa, 1, pb, 3, YB_METRIC_LATENCY, 5,
					 0.95, &c, &err),
			 YB_EINVAL);
	assert_non_null(strstr(err.msg, "at least two runs a side"));
	unbuild(3);
}

static void relative_to_reference(void **state)
{
	struct yb_results r, rel;
	struct yb_err err = { 0 };
	(void)state;

	yb_results_init(&r);
	add_curve(&r, "unix", 2.0);
	add_curve(&r, "tcp", 4.0);
	assert_int_equal(yb_results_relative(&r, "tcp", &rel, &err), 0);
	/* unix only, each figure half of tcp's. */
	assert_int_equal(rel.n, 2 * NS);
	for (size_t i = 0; i < rel.n; i++) {
		assert_string_equal(rel.p[i].transport, "unix");
		if (rel.p[i].mode == YB_MODE_PINGPONG)
			assert_float_equal(rel.p[i].lat_p50_us, 0.5, 1e-12);
		else
			assert_float_equal(rel.p[i].bw_gbps, 2.0, 1e-12);
	}
	yb_results_free(&rel);
	assert_int_equal(yb_results_relative(&r, "vsock", &rel, &err), YB_EINVAL);
	assert_non_null(strstr(err.msg, "no such curve"));
	yb_results_free(&r);
}

static void relative_to_probes(void **state)
{
	struct yb_results r, rel;
	struct yb_err err = { 0 };
	(void)state;

	yb_results_init(&r);
	add_curve(&r, "shm", 1.0);
	/* No probes: a clear refusal. */
	assert_int_equal(yb_results_relative(&r, "probes", &rel, &err),
			 YB_EINVAL);
	assert_non_null(strstr(err.msg, "run --probe"));
	/* A failed probe is no figure either. */
	yb_meta_set(&r.meta, "probe.cacheline_one_way_ns", "failed: no CPUs");
	yb_meta_set(&r.meta, "probe.memcpy_64k_gbytes", "20");
	yb_meta_set(&r.meta, "probe.memcpy_1m_gbytes", "10");
	yb_meta_set(&r.meta, "probe.memcpy_16m_gbytes", "5");
	assert_int_equal(yb_results_relative(&r, "probes", &rel, &err),
			 YB_EINVAL);
	/* A cache line in 250 ns: latency (5 + i) us is 20 (5 + i) trips;
	 * bandwidth 10 Gbit/s over 64K's memcpy, 20 GB/s = 160 Gbit/s. */
	yb_meta_set(&r.meta, "probe.cacheline_one_way_ns", "250");
	assert_int_equal(yb_results_relative(&r, "probes", &rel, &err), 0);
	assert_int_equal(rel.n, r.n); /* no reference curve to leave out */
	for (size_t i = 0; i < rel.n; i++) {
		if (rel.p[i].mode == YB_MODE_PINGPONG)
			assert_float_equal(rel.p[i].lat_p50_us,
					   r.p[i].lat_p50_us * 4, 1e-9);
		else
			assert_float_equal(rel.p[i].bw_gbps, 10.0 / 160, 1e-12);
	}
	yb_results_free(&rel);
	/* The memcpy of the nearest size: 1M for 1M messages, 16M above 4M. */
	struct yb_results big;
	yb_results_init(&big);
	struct yb_point p = r.p[1];
	p.trial = NULL;
	p.hist = NULL;
	p.hist_n = 0;
	p.bytes = 1u << 20;
	assert_int_equal(yb_results_add(&big, &p), 0);
	p.bytes = 8u << 20;
	assert_int_equal(yb_results_add(&big, &p), 0);
	yb_meta_set(&big.meta, "probe.cacheline_one_way_ns", "250");
	yb_meta_set(&big.meta, "probe.memcpy_64k_gbytes", "20");
	yb_meta_set(&big.meta, "probe.memcpy_1m_gbytes", "10");
	yb_meta_set(&big.meta, "probe.memcpy_16m_gbytes", "5");
	assert_int_equal(yb_results_relative(&big, "probes", &rel, &err), 0);
	assert_float_equal(rel.p[0].bw_gbps, p.bw_gbps / 80, 1e-12);
	assert_float_equal(rel.p[1].bw_gbps, p.bw_gbps / 40, 1e-12);
	yb_results_free(&rel);
	yb_results_free(&big);
	yb_results_free(&r);
}

static void verdict_json_round_trip(void **state)
{
	double sa[6] = { 1, 1.1, 1.2, 1, 1.1, 1.2 }, sb[6];
	struct yb_cmp c, back;
	struct yb_err err = { 0 };
	double tol;
	(void)state;

	for (int i = 0; i < 6; i++)
		sb[i] = sa[i] * (1.1 + 0.01 * i);
	build(6, sa, sb);
	assert_int_equal(yb_compare_paired(pa, pb, 6, YB_METRIC_ALL, 5, 0.9,
					   YB_AB_SIGNRANK, &c, &err),
			 0);
	json_t *o = yb_cmp_to_json(&c, 5, "tcp");
	char *text = json_dumps(o, 0);
	json_decref(o);
	o = json_loads(text, 0, NULL);
	free(text);
	assert_int_equal(yb_cmp_from_json(o, &back, &tol, &err), 0);
	json_decref(o);
	assert_float_equal(tol, 5, 0);
	assert_int_equal(back.noise, YB_NOISE_PAIRED);
	assert_int_equal(back.method, YB_AB_SIGNRANK);
	assert_float_equal(back.conf, 0.9, 1e-12);
	assert_int_equal(back.n, c.n);
	assert_int_equal(back.regressed, c.regressed);
	for (size_t i = 0; i < c.n; i++) {
		assert_string_equal(back.rows[i].curve, c.rows[i].curve);
		assert_int_equal(back.rows[i].metric, c.rows[i].metric);
		assert_float_equal(back.rows[i].median_pct, c.rows[i].median_pct, 1e-9);
		assert_float_equal(back.rows[i].lo_pct, c.rows[i].lo_pct, 1e-9);
		assert_int_equal(back.rows[i].rounds, 6);
		assert_float_equal(back.rows[i].round_pct[5],
				   c.rows[i].round_pct[5], 1e-9);
	}
	yb_cmp_free(&back);
	yb_cmp_free(&c);
	unbuild(6);
	/* Not a verdict. */
	o = json_pack("{s:i}", "tolerance_pct", 5);
	assert_int_equal(yb_cmp_from_json(o, &back, &tol, &err), YB_EINVAL);
	json_decref(o);
}

static void ranksum_against_wild_runs(void **state)
{
	double sa[12], sb[12];
	struct yb_cmp c;
	struct yb_err err = { 0 };
	(void)state;

	/* NEW 15% slower; three runs a disturbance threw off (one OLD run
	 * 60% slow, two NEW runs 40% fast).  Paired, those three rounds
	 * point the other way with the largest changes, and the signed-rank
	 * interval reaches below zero; as samples, they are three outliers
	 * among twelve a side. */
	for (int i = 0; i < 12; i++) {
		sa[i] = 1.0 + 0.005 * (i % 3);
		sb[i] = sa[i] * 1.15;
	}
	sa[2] *= 1.6;
	sb[5] *= 0.6;
	sb[9] *= 0.6;
	build(12, sa, sb);
	assert_int_equal(yb_compare_paired(pa, pb, 12, YB_METRIC_LATENCY, 5,
					   0.95, YB_AB_RANKSUM, &c, &err),
			 0);
	assert_int_equal(c.method, YB_AB_RANKSUM);
	const struct yb_cmp_row *l = &c.rows[0];
	assert_true(l->median_pct > 13 && l->median_pct < 17);
	assert_true(l->lo_pct > 0 && l->regressed);
	assert_int_equal(l->rounds, 12); /* the rounds' changes are kept */
	yb_cmp_free(&c);
	assert_int_equal(yb_compare_paired(pa, pb, 12, YB_METRIC_LATENCY, 5,
					   0.95, YB_AB_SIGNRANK, &c, &err),
			 0);
	assert_true(c.rows[0].lo_pct < 0 && !c.rows[0].regressed);
	yb_cmp_free(&c);
	unbuild(12);

	/* The same build: no shift, no regression either way. */
	for (int i = 0; i < 12; i++)
		sb[i] = sa[i] * (i % 2 ? 1.01 : 0.99);
	build(12, sa, sb);
	assert_int_equal(yb_compare_paired(pa, pb, 12, YB_METRIC_ALL, 5, 0.95,
					   YB_AB_RANKSUM, &c, &err),
			 0);
	assert_false(c.regressed);
	assert_true(fabs(c.rows[0].median_pct) < 2);
	yb_cmp_free(&c);
	unbuild(12);
}

static void sign_against_steps_and_wild_rounds(void **state)
{
	double sa[16], sb[16];
	struct yb_cmp c;
	struct yb_err err = { 0 };
	(void)state;

	/* NEW 15% slower.  Halfway through, the host gets 35% slower for
	 * both sides (a neighbour arrives); three rounds have a NEW run a
	 * disturbance made 40% fast.  The sign test counts 13 rounds up and
	 * 3 down: at 16 rounds and 95% its interval starts at the 4th
	 * smallest change, a clean +15%. */
	for (int i = 0; i < 16; i++) {
		sa[i] = (i < 8 ? 1.0 : 1.35) * (1 + 0.004 * (i % 3));
		sb[i] = sa[i] * 1.15;
	}
	sb[3] *= 0.6;
	sb[10] *= 0.6;
	sb[11] *= 0.6;
	build(16, sa, sb);
	assert_int_equal(yb_compare_paired(pa, pb, 16, YB_METRIC_LATENCY, 5,
					   0.95, YB_AB_SIGN, &c, &err),
			 0);
	assert_int_equal(c.method, YB_AB_SIGN);
	const struct yb_cmp_row *l = &c.rows[0];
	assert_float_equal(l->median_pct, 15.0, 1e-9);
	assert_float_equal(l->lo_pct, 15.0, 1e-9);
	assert_true(l->regressed);
	assert_true(l->p < 0.05);
	yb_cmp_free(&c);
	/* Unpaired, the step spreads both sides over two levels 35% apart,
	 * and the interval reaches below zero. */
	assert_int_equal(yb_compare_paired(pa, pb, 16, YB_METRIC_LATENCY, 5,
					   0.95, YB_AB_RANKSUM, &c, &err),
			 0);
	print_message("rank-sum: %+.1f%% [%+.1f, %+.1f]\n", c.rows[0].median_pct,
		      c.rows[0].lo_pct, c.rows[0].hi_pct);
	assert_false(c.rows[0].regressed);
	yb_cmp_free(&c);
	unbuild(16);

	/* Four wild rounds on the same side at 16: too many to rule out
	 * that the median change is 0; the interval reaches below it. */
	for (int i = 0; i < 16; i++)
		sb[i] = sa[i] * (i == 1 || i == 3 || i == 10 || i == 11 ?
					 0.6 : 1.15);
	build(16, sa, sb);
	assert_int_equal(yb_compare_paired(pa, pb, 16, YB_METRIC_LATENCY, 5,
					   0.95, YB_AB_SIGN, &c, &err),
			 0);
	assert_true(c.rows[0].lo_pct < 0 && !c.rows[0].regressed);
	yb_cmp_free(&c);
	unbuild(16);

	/* The same build, noise alone: nothing. */
	for (int i = 0; i < 16; i++)
		sb[i] = sa[i] * (i % 2 ? 1.01 : 0.99) * (i == 7 ? 1.8 : 1);
	build(16, sa, sb);
	assert_int_equal(yb_compare_paired(pa, pb, 16, YB_METRIC_ALL, 5, 0.95,
					   YB_AB_SIGN, &c, &err),
			 0);
	assert_false(c.regressed);
	assert_true(fabs(c.rows[0].median_pct) < 2);
	yb_cmp_free(&c);
	unbuild(16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(paired_known_shift),
		cmocka_unit_test(paired_noise),
		cmocka_unit_test(between_runs),
		cmocka_unit_test(ranksum_against_wild_runs),
		cmocka_unit_test(sign_against_steps_and_wild_rounds),
		cmocka_unit_test(relative_to_reference),
		cmocka_unit_test(relative_to_probes),
		cmocka_unit_test(verdict_json_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
