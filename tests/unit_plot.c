/*
 * unit_plot.c - the data the graphs are drawn from: which rows each graph
 * takes, in what order, and the latency CDF from a histogram with known
 * answers.  gnuplot itself is left to the end-to-end test.
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

#include "core/report/plot.h"
#include "core/wire/proto.h"
#include "core/report/results.h"

/* ---- building inputs -------------------------------------------------- */

/* A row with every figure absent, as a reader leaves what a file lacks. */
static struct yb_point row(const char *transport, unsigned mode,
			   uint64_t bytes)
{
	struct yb_point p;

	memset(&p, 0, sizeof(p));
	snprintf(p.transport, sizeof(p.transport), "%s", transport);
	snprintf(p.wait, sizeof(p.wait), "none");
	p.mode = mode;
	p.bytes = bytes;
	p.reps = 100;
	p.trials = 1;
	p.pairs = 1;
	p.pair = 1;
	yb_point_clear_latency(&p);
	p.bw_gbps = p.bw_min_gbps = p.bw_median_gbps = NAN;
	p.cpu_client_pct = p.cpu_server_pct = NAN;
	p.csw_client_vol = p.csw_client_invol = NAN;
	p.csw_server_vol = p.csw_server_invol = NAN;
	return p;
}

static struct yb_point pingpong(const char *transport, uint64_t bytes,
				double p50)
{
	struct yb_point p = row(transport, YB_MODE_PINGPONG, bytes);

	p.lat_min_us = p.lat_p50_us = p50;
	p.lat_mean_us = p.lat_p99_us = p.lat_p999_us = p.lat_max_us = p50;
	p.bw_gbps = 1;
	return p;
}

static void add(struct yb_results *r, const struct yb_point *p)
{
	assert_int_equal(yb_results_add(r, p), 0);
}

/* A ping-pong row whose round trips all fall in one bucket [lo, hi]. */
static void add_hist_row(struct yb_results *r, const char *transport,
			 uint64_t bytes, uint64_t lo, uint64_t hi)
{
	struct yb_point p = pingpong(transport, bytes, (double)lo / 2000);
	struct yb_hbin h = { lo, hi, 10 };

	p.hist = &h;
	p.hist_n = 1;
	add(r, &p);
}

/* ---- reading what a writer wrote -------------------------------------- */

#define MAXB 16
#define MAXR 64

struct data {
	int n;
	char title[MAXB][160];
	int rows[MAXB];
	int cols[MAXB][MAXR];
	double v[MAXB][MAXR][7];
};

/* Blocks: a quoted title line, then rows of numbers ("NaN" too). */
static void parse(const char *text, struct data *d)
{
	const char *s = text;

	memset(d, 0, sizeof(*d));
	while (*s) {
		const char *end = strchr(s, '\n');
		assert_non_null(end); /* every line ends */
		char line[256];
		size_t len = (size_t)(end - s);
		assert_true(len < sizeof(line));
		memcpy(line, s, len);
		line[len] = '\0';
		s = end + 1;
		if (!*line)
			continue;
		if (line[0] == '"') {
			assert_true(d->n < MAXB);
			assert_int_equal(line[len - 1], '"');
			snprintf(d->title[d->n], sizeof(d->title[0]), "%.*s",
				 (int)len - 2, line + 1);
			d->n++;
			continue;
		}
		assert_true(d->n > 0); /* no row before a title */
		int b = d->n - 1, r = d->rows[b]++;
		assert_true(r < MAXR);
		char *p = line, *q;
		int c = 0;
		for (;;) {
			double x = strtod(p, &q);
			if (q == p)
				break;
			assert_true(c < 7);
			d->v[b][r][c++] = x;
			p = q;
		}
		assert_int_equal(*p, '\0');
		d->cols[b][r] = c;
	}
}

static void cdf_of(const struct yb_results *sets, const char *const *labels,
		   size_t n, const uint64_t *sizes, size_t ns, struct data *d,
		   struct yb_plot_blocks *b)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	struct yb_err err = { 0 };

	assert_non_null(fp);
	assert_int_equal(yb_plot_write_cdf(fp, sets, labels, n, sizes, ns, b,
					   &err),
			 0);
	assert_int_equal(fclose(fp), 0);
	parse(buf, d);
	assert_int_equal(d->n, b->n);
	free(buf);
}

static void series_of(const struct yb_results *sets,
		      const char *const *labels, size_t n,
		      enum yb_plot_series what, struct data *d,
		      struct yb_plot_blocks *b)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	struct yb_err err = { 0 };

	assert_non_null(fp);
	assert_int_equal(yb_plot_write_series(fp, sets, labels, n, what, b,
					      &err),
			 0);
	assert_int_equal(fclose(fp), 0);
	parse(buf, d);
	assert_int_equal(d->n, b->n);
	for (int i = 0; i < d->n; i++)
		for (int r = 0; r < d->rows[i]; r++)
			assert_int_equal(d->cols[i][r], 7);
	free(buf);
}

#define assert_near(a, b) assert_true(fabs((a) - (b)) < 1e-9)

/* ---- the latency CDF -------------------------------------------------- */

/*
 * 100 round trips: 50 in [1000, 1999] ns, 40 in [2000, 3999], none in
 * [4000, 7999], 10 in [8000, 9999], listed out of order.  One-way is half:
 * the points are (0.5 us, 0), (0.9995, 0.5), (1, 0.5), (1.9995, 0.9),
 * (4, 0.9), (4.9995, 1).
 */
static void cdf_known_answer(void **state)
{
	static const struct yb_hbin bins[] = {
		{ 8000, 9999, 10 },
		{ 1000, 1999, 50 },
		{ 4000, 7999, 0 },
		{ 2000, 3999, 40 },
	};
	static const double want[][2] = {
		{ 0.5, 0 }, { 0.9995, 0.5 }, { 1, 0.5 },
		{ 1.9995, 0.9 }, { 4, 0.9 }, { 4.9995, 1 },
	};
	struct yb_results r;
	struct yb_plot_blocks b;
	struct data d;
	const char *label = "x";
	(void)state;

	yb_results_init(&r);
	/* unix first: tcp is the second curve, line type 2. */
	struct yb_point s = row("unix", YB_MODE_STREAM, 1);
	s.bw_gbps = 1;
	add(&r, &s);
	struct yb_point p = pingpong("tcp", 1, 1.0);
	p.hist = bins;
	p.hist_n = 4;
	add(&r, &p);
	/* Not asked for: another size, and a row without a histogram. */
	add_hist_row(&r, "tcp", 2, 5000, 5999);
	struct yb_point q = pingpong("unix", 1, 3.0);
	add(&r, &q);

	uint64_t sizes[] = { 1 };
	cdf_of(&r, &label, 1, sizes, 1, &d, &b);
	assert_int_equal(b.n, 1);
	assert_string_equal(d.title[0], "tcp, 1 B");
	assert_int_equal(b.lt[0], 2);
	assert_int_equal(b.dt[0], 1);
	assert_int_equal(d.rows[0], 6);
	for (int i = 0; i < 6; i++) {
		assert_int_equal(d.cols[0][i], 2);
		assert_near(d.v[0][i][0], want[i][0]);
		assert_near(d.v[0][i][1], want[i][1]);
	}
	yb_results_free(&r);
}

/* Blocks go curve by curve, each curve's sizes in the order asked, the
 * dash type the size's place in that order; a size a curve lacks has no
 * block; with two sets the titles carry their labels. */
static void cdf_blocks(void **state)
{
	struct yb_results r[2];
	struct yb_plot_blocks b;
	struct data d;
	const char *labels[] = { "a", "b" };
	(void)state;

	yb_results_init(&r[0]);
	yb_results_init(&r[1]);
	add_hist_row(&r[0], "tcp", 1, 20000, 20999);
	add_hist_row(&r[0], "tcp", 65536, 90000, 90999);
	struct yb_point shm = pingpong("shm", 1, 0.5);
	shm.ring_bytes = 1 << 20;
	snprintf(shm.wait, sizeof(shm.wait), "poll");
	struct yb_hbin h = { 1000, 1099, 5 };
	shm.hist = &h;
	shm.hist_n = 1;
	add(&r[0], &shm);
	shm.bytes = 65536;
	add(&r[0], &shm);
	add_hist_row(&r[1], "unix", 1, 30000, 30999);
	add_hist_row(&r[1], "unix", 65539, 30000, 30999);

	uint64_t sizes[] = { 65536, 1 };
	cdf_of(r, labels, 2, sizes, 2, &d, &b);
	assert_int_equal(b.n, 5);
	static const char *const titles[] = {
		"a: tcp, 64 KiB", "a: tcp, 1 B", "a: shm 1M poll, 64 KiB",
		"a: shm 1M poll, 1 B", "b: unix, 1 B",
	};
	static const int lt[] = { 1, 1, 2, 2, 3 }, dt[] = { 1, 2, 1, 2, 2 };
	for (int i = 0; i < 5; i++) {
		assert_string_equal(d.title[i], titles[i]);
		assert_int_equal(b.lt[i], lt[i]);
		assert_int_equal(b.dt[i], dt[i]);
		assert_int_equal(d.rows[i], 2);
		assert_near(d.v[i][1][1], 1.0);
	}
	assert_near(d.v[0][0][0], 45.0); /* 90000 ns round trip / 2 */
	assert_near(d.v[4][1][0], 15.4995);

	/* A perturbed size is named exactly, not rounded to 64 KiB. */
	uint64_t odd[] = { 65539 };
	cdf_of(r, labels, 2, odd, 1, &d, &b);
	assert_int_equal(b.n, 1);
	assert_string_equal(d.title[0], "b: unix, 65539 B");
	yb_results_free(&r[0]);
	yb_results_free(&r[1]);
}

static void cdf_overlap(void **state)
{
	static const struct yb_hbin bins[] = { { 1000, 2000, 1 },
					       { 1500, 2500, 1 } };
	struct yb_results r;
	struct yb_plot_blocks b;
	struct yb_err err = { 0 };
	const char *label = "x";
	uint64_t sizes[] = { 8 };
	char *buf = NULL;
	size_t len = 0;
	(void)state;

	yb_results_init(&r);
	struct yb_point p = pingpong("tcp", 8, 1.0);
	p.hist = bins;
	p.hist_n = 2;
	add(&r, &p);
	FILE *fp = open_memstream(&buf, &len);
	assert_non_null(fp);
	assert_int_equal(yb_plot_write_cdf(fp, &r, &label, 1, sizes, 1, &b,
					   &err),
			 YB_EINVAL);
	assert_non_null(strstr(err.msg, "tcp"));
	assert_non_null(strstr(err.msg, "8 bytes"));
	fclose(fp);
	free(buf);
	yb_results_free(&r);
}

static void cdf_sizes(void **state)
{
	struct yb_results r;
	struct yb_err err = { 0 };
	uint64_t sizes[YB_PLOT_MAX_CDF_SIZES];
	size_t ns = 99;
	(void)state;

	/* No histogram anywhere: no CDF, and that is not an error. */
	yb_results_init(&r);
	struct yb_point p = pingpong("tcp", 1, 1.0);
	add(&r, &p);
	assert_int_equal(yb_plot_cdf_sizes(&r, 1, NULL, 0, sizes, &ns, &err), 0);
	assert_int_equal(ns, 0);
	uint64_t one[] = { 1 }, two[] = { 2 };
	assert_int_equal(yb_plot_cdf_sizes(&r, 1, one, 1, sizes, &ns, &err), 0);
	assert_int_equal(ns, 0);
	/* ... but a size no row has is, named. */
	assert_int_equal(yb_plot_cdf_sizes(&r, 1, two, 1, sizes, &ns, &err),
			 YB_EUSAGE);
	assert_non_null(strstr(err.msg, "2 bytes"));
	yb_results_free(&r);

	/* The smallest and 64K; stream rows and rows without a histogram
	 * do not count. */
	yb_results_init(&r);
	struct yb_point s = row("tcp", YB_MODE_STREAM, 1);
	s.bw_gbps = 1;
	add(&r, &s);
	add_hist_row(&r, "tcp", 16, 1000, 1999);
	add_hist_row(&r, "tcp", 4096, 1000, 1999);
	add_hist_row(&r, "tcp", 65536, 1000, 1999);
	add_hist_row(&r, "tcp", 1 << 20, 1000, 1999);
	p = pingpong("tcp", 8, 1.0);
	add(&r, &p);
	assert_int_equal(yb_plot_cdf_sizes(&r, 1, NULL, 0, sizes, &ns, &err), 0);
	assert_int_equal(ns, 2);
	assert_int_equal(sizes[0], 16);
	assert_int_equal(sizes[1], 65536);

	/* As asked, in that order. */
	uint64_t want[] = { 1 << 20, 16 };
	assert_int_equal(yb_plot_cdf_sizes(&r, 1, want, 2, sizes, &ns, &err), 0);
	assert_int_equal(ns, 2);
	assert_int_equal(sizes[0], 1 << 20);
	assert_int_equal(sizes[1], 16);

	/* A size without a histogram, or only in stream rows: named, with
	 * the nearest sizes that have one. */
	uint64_t bad[] = { 16, 3000 };
	assert_int_equal(yb_plot_cdf_sizes(&r, 1, bad, 2, sizes, &ns, &err),
			 YB_EUSAGE);
	assert_non_null(strstr(err.msg, "3000 bytes"));
	assert_non_null(strstr(err.msg, "nearest: 16 and 4096"));
	uint64_t eight[] = { 8 }, streamed[] = { 1 };
	assert_int_equal(yb_plot_cdf_sizes(&r, 1, eight, 1, sizes, &ns, &err),
			 YB_EUSAGE);
	assert_int_equal(yb_plot_cdf_sizes(&r, 1, streamed, 1, sizes, &ns,
					   &err),
			 YB_EUSAGE);
	yb_results_free(&r);

	/* No 64K: the largest below it; nothing below 64K but the
	 * smallest: that one alone. */
	yb_results_init(&r);
	add_hist_row(&r, "tcp", 1, 1000, 1999);
	add_hist_row(&r, "tcp", 16384, 1000, 1999);
	add_hist_row(&r, "tcp", 65539, 1000, 1999);
	assert_int_equal(yb_plot_cdf_sizes(&r, 1, NULL, 0, sizes, &ns, &err), 0);
	assert_int_equal(ns, 2);
	assert_int_equal(sizes[1], 16384);
	yb_results_free(&r);
	yb_results_init(&r);
	add_hist_row(&r, "tcp", 1 << 20, 1000, 1999);
	add_hist_row(&r, "tcp", 1 << 21, 1000, 1999);
	assert_int_equal(yb_plot_cdf_sizes(&r, 1, NULL, 0, sizes, &ns, &err), 0);
	assert_int_equal(ns, 1);
	assert_int_equal(sizes[0], 1 << 20);
	yb_results_free(&r);
}

/* ---- graphs against message size -------------------------------------- */

/*
 * Latency graphs take ping-pong rows with a median only: not stream rows,
 * not a pairs total (it has no latency); absent figures are NaN, never a
 * placeholder; rows by size.
 */
static void series_latency(void **state)
{
	struct yb_results r;
	struct yb_plot_blocks b;
	struct data d;
	const char *label = "x";
	(void)state;

	yb_results_init(&r);
	struct yb_point p = pingpong("tcp", 4, 4.0);
	p.lat_p999_us = NAN; /* a file from before the column */
	add(&r, &p);
	p = pingpong("tcp", 1, 2.0);
	p.lat_p99_us = 3.0;
	p.lat_p999_us = NAN;
	p.cpu_client_pct = 10;
	p.cpu_server_pct = 20;
	p.bw_gbps = 0.5;
	add(&r, &p);
	p = pingpong("tcp", 2, 2.5);
	add(&r, &p);
	struct yb_point s = row("tcp", YB_MODE_STREAM, 8);
	s.bw_gbps = 9;
	add(&r, &s);
	struct yb_point one = pingpong("shm", 1, 0.25);
	one.pairs = 2;
	one.pair = 1;
	add(&r, &one);
	struct yb_point total = row("shm", YB_MODE_PINGPONG, 1);
	total.pairs = 2;
	total.pair = 0;
	total.bw_gbps = 3;
	total.cpu_client_pct = total.cpu_server_pct = 150;
	add(&r, &total);

	series_of(&r, &label, 1, YB_SERIES_LATENCY, &d, &b);
	assert_int_equal(b.n, 2);
	assert_string_equal(d.title[0], "tcp");
	assert_string_equal(d.title[1], "shm x2 #1");
	assert_int_equal(b.lt[0], 1);
	assert_int_equal(b.lt[1], 2);
	assert_int_equal(b.modes, 1u << YB_MODE_PINGPONG);
	assert_int_equal(d.rows[0], 3);
	static const double bytes[] = { 1, 2, 4 }, p50[] = { 2, 2.5, 4 };
	for (int i = 0; i < 3; i++) {
		assert_near(d.v[0][i][0], bytes[i]);
		assert_near(d.v[0][i][1], p50[i]);
	}
	/* bytes p50 bw p99 p999 cpu_client cpu_server */
	assert_near(d.v[0][0][2], 0.5);
	assert_near(d.v[0][0][3], 3.0);
	assert_true(isnan(d.v[0][0][4]));
	assert_near(d.v[0][0][5], 10);
	assert_near(d.v[0][0][6], 20);
	assert_true(isnan(d.v[0][2][4]));
	assert_true(isnan(d.v[0][1][5])); /* no CPU figure */
	assert_int_equal(d.rows[1], 1);

	/* A stream-only input has no latency graph at all. */
	yb_results_free(&r);
	yb_results_init(&r);
	add(&r, &s);
	series_of(&r, &label, 1, YB_SERIES_LATENCY, &d, &b);
	assert_int_equal(b.n, 0);
	yb_results_free(&r);
}

/* Bandwidth: a set's stream rows, or its ping-pong rows when it has none;
 * no bandwidth, no point (a logarithmic axis has no 0). */
static void series_bandwidth(void **state)
{
	struct yb_results r[2];
	struct yb_plot_blocks b;
	struct data d;
	const char *labels[] = { "a", "b" };
	(void)state;

	yb_results_init(&r[0]);
	yb_results_init(&r[1]);
	struct yb_point p = pingpong("tcp", 1, 2.0);
	add(&r[0], &p);
	struct yb_point s = row("tcp", YB_MODE_STREAM, 1);
	s.bw_gbps = 4;
	add(&r[0], &s);
	s.bytes = 2;
	s.bw_gbps = 0;
	add(&r[0], &s);
	p = pingpong("unix", 1, 3.0);
	p.bw_gbps = 0.25;
	add(&r[1], &p);

	series_of(r, labels, 2, YB_SERIES_BANDWIDTH, &d, &b);
	assert_int_equal(b.n, 2);
	assert_string_equal(d.title[0], "a: tcp");
	assert_string_equal(d.title[1], "b: unix");
	assert_int_equal(d.rows[0], 1);
	assert_near(d.v[0][0][2], 4);
	assert_true(isnan(d.v[0][0][1])); /* a stream row: no latency */
	assert_near(d.v[1][0][2], 0.25);
	assert_int_equal(b.modes,
			 (1u << YB_MODE_STREAM) | (1u << YB_MODE_PINGPONG));
	yb_results_free(&r[0]);
	yb_results_free(&r[1]);
}

/* CPU: every ping-pong block, then every stream block, each curve keeping
 * its line type; rows (and curves) without a CPU figure left out. */
static void series_cpu(void **state)
{
	struct yb_results r;
	struct yb_plot_blocks b;
	struct data d;
	const char *label = "x";
	(void)state;

	yb_results_init(&r);
	struct yb_point old = pingpong("vsock", 1, 9.0); /* no CPU figures */
	add(&r, &old);
	struct yb_point s = row("tcp", YB_MODE_STREAM, 1);
	s.bw_gbps = 4;
	s.cpu_client_pct = 30;
	s.cpu_server_pct = 40;
	add(&r, &s);
	struct yb_point p = pingpong("shm", 1, 0.2);
	p.cpu_client_pct = 99;
	p.cpu_server_pct = 98;
	add(&r, &p);
	p.bytes = 2;
	p.cpu_client_pct = p.cpu_server_pct = NAN;
	add(&r, &p);
	p = pingpong("tcp", 1, 20);
	p.cpu_client_pct = 5;
	p.cpu_server_pct = NAN; /* one end only: still drawn */
	add(&r, &p);
	s = row("shm", YB_MODE_STREAM, 1);
	s.bw_gbps = 8;
	s.cpu_client_pct = s.cpu_server_pct = 100;
	add(&r, &s);

	series_of(&r, &label, 1, YB_SERIES_CPU, &d, &b);
	assert_int_equal(b.n, 4);
	assert_int_equal(b.n_pingpong, 2);
	static const char *const titles[] = { "tcp", "shm", "tcp", "shm" };
	static const int lt[] = { 2, 3, 2, 3 };
	for (int i = 0; i < 4; i++) {
		assert_string_equal(d.title[i], titles[i]);
		assert_int_equal(b.lt[i], lt[i]);
		assert_int_equal(d.rows[i], 1);
	}
	assert_near(d.v[0][0][5], 5);
	assert_true(isnan(d.v[0][0][6]));
	assert_near(d.v[1][0][5], 99);
	assert_near(d.v[2][0][6], 40);
	assert_near(d.v[3][0][5], 100);
	yb_results_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cdf_known_answer),
		cmocka_unit_test(cdf_blocks),
		cmocka_unit_test(cdf_overlap),
		cmocka_unit_test(cdf_sizes),
		cmocka_unit_test(series_latency),
		cmocka_unit_test(series_bandwidth),
		cmocka_unit_test(series_cpu),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
