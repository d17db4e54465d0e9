/* unit_results.c - CSV and JSON writers and readers, round trip and bad input. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/wire/proto.h"
#include "core/report/results.h"
#include "core/report/summary.h"

static char dir[64];

static int make_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/yb-unit-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	char cmd[128];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *path_of(const char *name)
{
	static char buf[128];
	snprintf(buf, sizeof(buf), "%s/%s", dir, name);
	return buf;
}

static void write_file(const char *name, const char *text, size_t len)
{
	FILE *fp = fopen(path_of(name), "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static struct yb_trial trials[20][3];
static struct yb_hbin bins[20][2];

static void sample(struct yb_point *p, int i)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->transport, sizeof(p->transport), "%s",
		 i % 2 ? "unix" : "tcp");
	p->mode = i % 3 ? YB_MODE_PINGPONG : YB_MODE_STREAM;
	p->bytes = 1ull << i;
	p->reps = 1000 + (uint64_t)i;
	p->trials = 3;
	p->lat_min_us = 1.25 + i;
	p->lat_mean_us = 1.5 + i;
	p->lat_p50_us = 1.375 + i;
	p->lat_p99_us = 2.5 + i;
	p->lat_p999_us = 3.5 + i;
	p->lat_max_us = 9.75 + i;
	p->lat_stddev_us = 0.0625 * i;
	p->pct_exact = i % 2;
	for (int t = 0; t < 3; t++)
		trials[i][t] = (struct yb_trial){ 1000000ull * (unsigned)i + 7,
						  5000u + (unsigned)t,
						  p->reps };
	p->trial = trials[i];
	bins[i][0] = (struct yb_hbin){ 2500, 2500, 10 };
	bins[i][1] = (struct yb_hbin){ 19456, 19711, 1 };
	p->hist = bins[i];
	p->hist_n = 2;
	if (p->mode == YB_MODE_STREAM)
		yb_point_clear_latency(p);
	p->bw_gbps = 0.123456 * (i + 1);
	p->bw_min_gbps = 0.1 * (i + 1);
	p->bw_median_gbps = 0.11 * (i + 1);
	p->cpu_client_pct = i % 5 == 0 ? NAN : 12.5 + i;
	p->cpu_server_pct = 99.5;
	p->verify = i % 3 == 1 ? YB_VERIFY_YES :
		    i % 3 == 2 ? YB_VERIFY_NO : YB_VERIFY_INLINE;
	p->csw_client_vol = 0.5;
	p->csw_client_invol = 0.25;
	p->csw_server_vol = NAN;
	p->csw_server_invol = 0;
	if (i % 4 == 1) {
		p->ring_bytes = 4096ull << i;
		strcpy(p->wait, i % 8 == 1 ? "poll" : "adaptive");
	}
	p->bw_c2s_gbps = p->bw_s2c_gbps = NAN;
	p->direction = YB_DIR_BOTH;
	if (p->mode == YB_MODE_STREAM)
		p->direction = (unsigned)(i / 3) % 3; /* c2s, s2c, both */
	if (p->mode == YB_MODE_STREAM && p->direction == YB_DIR_BOTH) {
		p->bw_c2s_gbps = 0.0625 * (i + 1);
		p->bw_s2c_gbps = 0.046875 * (i + 1);
		for (int t = 0; t < 3; t++) {
			trials[i][t].c2s_ns = 9000u + (unsigned)t;
			trials[i][t].s2c_ns = 11000u + (unsigned)t;
		}
	}
}

/* Equal within the file's decimals, or both absent. */
static void same(double a, double b, double tol)
{
	if (isnan(a) || isnan(b)) {
		assert_true(isnan(a) && isnan(b));
		return;
	}
	assert_float_equal(a, b, tol);
}

static void same_point(const struct yb_point *a, const struct yb_point *b,
		       int json)
{
	assert_string_equal(a->transport, b->transport);
	assert_int_equal(a->mode, b->mode);
	assert_int_equal(a->bytes, b->bytes);
	assert_int_equal(a->reps, b->reps);
	assert_int_equal(a->trials, b->trials);
	same(a->lat_min_us, b->lat_min_us, 1e-4);
	same(a->lat_mean_us, b->lat_mean_us, 1e-4);
	same(a->lat_p50_us, b->lat_p50_us, 1e-4);
	same(a->lat_p99_us, b->lat_p99_us, 1e-4);
	same(a->lat_p999_us, b->lat_p999_us, 1e-4);
	same(a->lat_max_us, b->lat_max_us, 1e-4);
	same(a->lat_stddev_us, b->lat_stddev_us, 1e-4);
	same(a->bw_gbps, b->bw_gbps, 1e-6);
	same(a->bw_min_gbps, b->bw_min_gbps, 1e-6);
	same(a->bw_median_gbps, b->bw_median_gbps, 1e-6);
	same(a->cpu_client_pct, b->cpu_client_pct, 0.05);
	same(a->cpu_server_pct, b->cpu_server_pct, 0.05);
	assert_int_equal(a->verify, b->verify);
	assert_int_equal(a->direction, b->direction);
	assert_int_equal(a->ring_bytes, b->ring_bytes);
	assert_string_equal(a->wait, b->wait);
	if (!json)
		return;
	same(a->bw_c2s_gbps, b->bw_c2s_gbps, 1e-9);
	same(a->bw_s2c_gbps, b->bw_s2c_gbps, 1e-9);
	same(a->csw_client_vol, b->csw_client_vol, 1e-9);
	same(a->csw_server_vol, b->csw_server_vol, 1e-9);
	assert_int_equal(a->pct_exact, b->pct_exact);
	assert_non_null(a->trial);
	for (unsigned t = 0; t < a->trials; t++) {
		assert_int_equal(a->trial[t].start_ns, b->trial[t].start_ns);
		assert_int_equal(a->trial[t].elapsed_ns, b->trial[t].elapsed_ns);
		assert_int_equal(a->trial[t].reps, b->trial[t].reps);
		assert_int_equal(a->trial[t].c2s_ns, b->trial[t].c2s_ns);
		assert_int_equal(a->trial[t].s2c_ns, b->trial[t].s2c_ns);
	}
	if (a->mode == YB_MODE_STREAM) {
		assert_null(a->hist);
		return;
	}
	assert_int_equal(a->hist_n, b->hist_n);
	for (size_t k = 0; k < a->hist_n; k++) {
		assert_int_equal(a->hist[k].low, b->hist[k].low);
		assert_int_equal(a->hist[k].high, b->hist[k].high);
		assert_int_equal(a->hist[k].count, b->hist[k].count);
	}
}

static void round_trip(const struct yb_output_ops *ops, const char *name,
		       int (*reader)(const char *, struct yb_results *,
				     struct yb_err *))
{
	struct yb_meta meta;
	struct yb_output *o = NULL;
	struct yb_err err = { 0 };
	struct yb_point p[20];
	struct yb_results r;

	yb_meta_init(&meta);
	assert_int_equal(yb_meta_set(&meta, "host", "%s", "box"), 0);
	assert_int_equal(yb_meta_set_int(&meta, "run.trials", 3), 0);
	assert_int_equal(ops->open(&o, path_of(name), &meta, &err), 0);
	for (int i = 0; i < 20; i++) {
		sample(&p[i], i);
		assert_int_equal(ops->point(o, &p[i], &err), 0);
		/* Valid on disk after every point. */
		if (i == 9) {
			yb_results_init(&r);
			assert_int_equal(reader(path_of(name), &r, &err), 0);
			assert_int_equal(r.n, 10);
			yb_results_free(&r);
		}
	}
	assert_int_equal(ops->finish(o, 1, &err), 0);

	yb_results_init(&r);
	assert_int_equal(reader(path_of(name), &r, &err), 0);
	assert_int_equal(r.n, 20);
	for (int i = 0; i < 20; i++)
		same_point(&r.p[i], &p[i], reader == yb_json_read);
	if (reader == yb_json_read) {
		assert_string_equal(yb_meta_get(&r.meta, "host"), "box");
		assert_string_equal(yb_meta_get(&r.meta, "run.trials"), "3");
	}
	yb_results_free(&r);
	yb_meta_free(&meta);
}

static void csv_round_trip(void **state)
{
	(void)state;
	round_trip(&yb_output_csv, "a.csv", yb_csv_read);
}

/* A bandwidth of a few hundred bit/s (an emulated machine's 1-byte
 * ping-pong) is not written as 0.000000; ordinary figures keep their
 * fixed decimals. */
static void csv_tiny_figures(void **state)
{
	struct yb_point p;
	char line[1024];
	(void)state;

	sample(&p, 0);
	p.bw_gbps = 1.93e-7;
	p.bw_min_gbps = 0;
	p.bw_median_gbps = 0.25;
	p.cpu_client_pct = 0.04;
	assert_true(yb_csv_format(&p, line, sizeof(line)) > 0);
	assert_non_null(strstr(line, ",1.93e-07,"));
	assert_non_null(strstr(line, ",0.000000,"));
	assert_non_null(strstr(line, ",0.250000,"));
	assert_non_null(strstr(line, ",0.04,"));
	assert_null(strstr(line, ",0.0,"));
}

static void json_round_trip(void **state)
{
	(void)state;
	round_trip(&yb_output_json, "a.json", yb_json_read);
}

static void expect_csv_error(const char *text, size_t len,
			     const char *fragment)
{
	struct yb_results r;
	struct yb_err err = { 0 };

	write_file("bad.csv", text, len);
	yb_results_init(&r);
	assert_int_equal(yb_csv_read(path_of("bad.csv"), &r, &err), YB_EINVAL);
	if (!strstr(err.msg, fragment))
		fail_msg("error '%s' lacks '%s'", err.msg, fragment);
	assert_null(strchr(err.msg, '\n'));
	yb_results_free(&r);
}

#define HDR YB_CSV_BASE_COLUMNS "\n"
#define ROW "tcp,pingpong,1,100,3,1,1,1,1,1,0,0.1\n"

static void csv_bad_input(void **state)
{
	struct yb_results r;
	struct yb_err err = { 0 };
	(void)state;

	expect_csv_error("", 0, "empty");
	expect_csv_error("a,b,c\n1,2,3\n", 12, "not a yasmin-bench results");
	expect_csv_error(HDR "tcp,pingpong,1\n", sizeof(HDR) + 14,
			 ":2: 3 fields");
	expect_csv_error(HDR ROW "tcp,pingpong,x,100,3,1,1,1,1,1,0,0.1\n",
			 strlen(HDR ROW) + 37, ":3: bad value 'x' in column bytes");
	expect_csv_error(HDR "tcp,pingpang,1,100,3,1,1,1,1,1,0,0.1\n",
			 strlen(HDR) + 37, "column mode");
	expect_csv_error(HDR "tcp,pingpong,1,100,3,1,1,nan,1,1,0,0.1\n",
			 strlen(HDR) + 39, "column lat_p50_us");
	expect_csv_error(HDR "tcp,pingpong,1,100,3,1,1,-1,1,1,0,0.1\n",
			 strlen(HDR) + 38, "column lat_p50_us");
	expect_csv_error(HDR "tcp,pingpong,0,100,3,1,1,1,1,1,0,0.1\n",
			 strlen(HDR) + 37, "column bytes");
	expect_csv_error(HDR "\"tcp\",pingpong,1,100,3,1,1,1,1,1,0,0.1\n",
			 strlen(HDR) + 39, ":2:");
	/* Binary junk. */
	/* A direction that is no name, and a ping-pong that went one way. */
	expect_csv_error(YB_CSV_BASE_COLUMNS ",direction\n"
			 "tcp,stream,1,100,3,,,,,,,0.1,up\n",
			 strlen(YB_CSV_BASE_COLUMNS) + 43,
			 "bad value 'up' in column direction");
	expect_csv_error(YB_CSV_BASE_COLUMNS ",direction\n"
			 "tcp,pingpong,1,100,3,1,1,1,1,1,0,0.1,s2c\n",
			 strlen(YB_CSV_BASE_COLUMNS) + 52,
			 "bad value 's2c' in column direction");
	static const char junk[] = "\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\n";
	expect_csv_error(junk, sizeof(junk) - 1, "not a yasmin-bench results");

	/* Missing file names the file. */
	yb_results_init(&r);
	assert_true(yb_csv_read(path_of("nope.csv"), &r, &err) < 0);
	assert_non_null(strstr(err.msg, "nope.csv"));

	/* Extra columns after ours are allowed (later formats add some). */
	static const char extra[] = YB_CSV_BASE_COLUMNS ",future,ring_bytes\n"
		"shm,stream,64,10,3,1,1,1,1,1,0,9.5,x,4096\n";
	write_file("extra.csv", extra, sizeof(extra) - 1);
	assert_int_equal(yb_csv_read(path_of("extra.csv"), &r, &err), 0);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.p[0].transport, "shm");
	assert_float_equal(r.p[0].bw_gbps, 9.5, 1e-9);
	assert_int_equal(r.p[0].ring_bytes, 4096);
	assert_string_equal(r.p[0].wait, "");
	yb_results_free(&r);
}

static void json_bad_input(void **state)
{
	static const struct {
		const char *text, *fragment;
	} cases[] = {
		{ "", "bad.json" },
		{ "{\"format\": \"something-else\", \"results\": []}",
		  "not a yasmin-bench results" },
		{ "[1, 2, 3]", "not a yasmin-bench results" },
		{ "{\"format\": \"yasmin-bench-results\", \"results\": "
		  "[{\"transport\": \"tcp\"}]}",
		  "result 0 is malformed" },
		{ "{\"format\": \"yasmin-bench-results\", \"results\": "
		  "[{\"transport\": \"tcp\", \"mode\": \"stream\", \"bytes\": "
		  "-4, \"reps\": 1, \"trials\": 1, \"lat_min_us\": 1, "
		  "\"lat_mean_us\": 1, \"lat_p50_us\": 1, \"lat_p99_us\": 1, "
		  "\"lat_max_us\": 1, \"lat_stddev_us\": 0, \"bw_gbps\": 1}]}",
		  "result 0 is malformed" },
		{ "{\"format\": \"yasmin-bench-results\", \"results\": [", "bad.json:1" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct yb_results r;
		struct yb_err err = { 0 };
		write_file("bad.json", cases[i].text, strlen(cases[i].text));
		yb_results_init(&r);
		assert_int_equal(yb_json_read(path_of("bad.json"), &r, &err),
				 YB_EINVAL);
		if (!strstr(err.msg, cases[i].fragment))
			fail_msg("case %zu: error '%s' lacks '%s'", i, err.msg,
				 cases[i].fragment);
		yb_results_free(&r);
	}
}

/* Files from before the later columns still load, and a stream row's old
 * "latency" (time per message) is not taken for one. */
static void old_files_load(void **state)
{
	static const char csv[] =
		"transport,mode,bytes,reps,trials,lat_min_us,lat_mean_us,"
		"lat_p50_us,lat_p99_us,lat_max_us,lat_stddev_us,bw_gbps,"
		"ring_bytes,wait,pairs,pair\n"
		"tcp,pingpong,1,100,3,5.0,6.0,5.5,9.0,20.0,0.1,0.0015,0,none,"
		"1,1\n"
		"tcp,stream,1024,100,3,1.0,1.1,1.05,1.2,1.3,0.01,8.5,0,none,1,"
		"1\n";
	static const char json[] =
		"{\"format\": \"yasmin-bench-results\", \"format_version\": 1, "
		"\"meta\": {\"sweep\": {\"verify\": \"yes\"}}, "
		"\"results\": [{\"transport\": \"tcp\", \"mode\": \"stream\", "
		"\"bytes\": 64, \"reps\": 1, \"trials\": 1, \"lat_min_us\": 1, "
		"\"lat_mean_us\": 1, \"lat_p50_us\": 1, \"lat_p99_us\": 1, "
		"\"lat_max_us\": 1, \"lat_stddev_us\": 0, \"bw_gbps\": 2}]}";
	struct yb_results r;
	struct yb_err err = { 0 };
	(void)state;

	write_file("old.csv", csv, sizeof(csv) - 1);
	yb_results_init(&r);
	assert_int_equal(yb_csv_read(path_of("old.csv"), &r, &err), 0);
	assert_int_equal(r.n, 2);
	assert_float_equal(r.p[0].lat_p50_us, 5.5, 1e-9);
	assert_true(isnan(r.p[0].lat_p999_us));
	assert_true(isnan(r.p[0].cpu_client_pct));
	assert_int_equal(r.p[0].verify, YB_VERIFY_UNKNOWN);
	/* Before the direction column every stream went client to server. */
	assert_int_equal(r.p[0].direction, YB_DIR_BOTH);
	assert_int_equal(r.p[1].direction, YB_DIR_C2S);
	assert_true(isnan(r.p[1].lat_p50_us) && isnan(r.p[1].lat_min_us));
	assert_float_equal(r.p[1].bw_gbps, 8.5, 1e-9);
	yb_results_free(&r);

	write_file("old.json", json, sizeof(json) - 1);
	yb_results_init(&r);
	assert_int_equal(yb_json_read(path_of("old.json"), &r, &err), 0);
	assert_int_equal(r.n, 1);
	assert_true(isnan(r.p[0].lat_p50_us));
	assert_float_equal(r.p[0].bw_gbps, 2, 1e-9);
	assert_int_equal(r.p[0].direction, YB_DIR_C2S);
	assert_string_equal(yb_meta_get(&r.meta, "sweep.verify"), "yes");
	yb_results_free(&r);
}

/* yb_point_check catches each broken promise. */
static void row_invariants(void **state)
{
	struct yb_point p;
	char why[200];
	(void)state;

	sample(&p, 1); /* a ping-pong row that keeps its promises */
	assert_int_equal(yb_point_check(&p, why, sizeof(why)), 0);
	p.lat_p99_us = p.lat_max_us + 1;
	assert_int_equal(yb_point_check(&p, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "lat_p99_us"));
	sample(&p, 1);
	p.lat_p50_us = p.lat_min_us - 0.5;
	assert_int_equal(yb_point_check(&p, why, sizeof(why)), -1);
	sample(&p, 1);
	p.lat_mean_us = p.lat_max_us * 2;
	assert_int_equal(yb_point_check(&p, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "lat_mean_us"));
	sample(&p, 1);
	p.bw_min_gbps = p.bw_gbps * 2;
	assert_int_equal(yb_point_check(&p, why, sizeof(why)), -1);
	sample(&p, 0); /* stream */
	assert_int_equal(yb_point_check(&p, why, sizeof(why)), 0);
	p.lat_p50_us = 3;
	assert_int_equal(yb_point_check(&p, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "stream"));
}

static void clock_cost_warning(void **state)
{
	struct yb_results r;
	struct yb_point p;
	char buf[256];
	(void)state;

	yb_results_init(&r);
	sample(&p, 1); /* smallest one-way latency 2.25 us */
	assert_int_equal(yb_results_add(&r, &p), 0);
	sample(&p, 3);
	assert_int_equal(yb_results_add(&r, &p), 0);
	assert_int_equal(yb_clock_cost_warning(&r, 100, buf, sizeof(buf)), 0);
	assert_int_equal(yb_clock_cost_warning(&r, 112, buf, sizeof(buf)), 0);
	assert_int_equal(yb_clock_cost_warning(&r, 113, buf, sizeof(buf)), 1);
	assert_non_null(strstr(buf, "113 ns"));
	assert_non_null(strstr(buf, "2.250 us"));
	/* Stream rows have no latency to compare with. */
	yb_results_free(&r);
	yb_results_init(&r);
	sample(&p, 0);
	assert_int_equal(yb_results_add(&r, &p), 0);
	assert_int_equal(yb_clock_cost_warning(&r, 1e6, buf, sizeof(buf)), 0);
	yb_results_free(&r);
}

/* Metadata as the control protocol's "key=value" lines and back. */
static void meta_lines(void **state)
{
	struct yb_meta a, b;
	char buf[64], small[12];
	(void)state;

	yb_meta_init(&a);
	yb_meta_init(&b);
	assert_int_equal(yb_meta_set(&a, "cpu", "%d", 3), 0);
	assert_int_equal(yb_meta_set(&a, "ring", "%s", "4M a=b"), 0);
	assert_int_equal(yb_meta_lines(&a, buf, sizeof(buf)), 18);
	assert_string_equal(buf, "cpu=3\nring=4M a=b\n");
	/* Only whole lines: the second does not fit. */
	assert_int_equal(yb_meta_lines(&a, small, sizeof(small)), 6);
	assert_string_equal(small, "cpu=3\n");
	/* Back, under a prefix; lines without a key or '=' are skipped,
	 * the value keeps everything after the first '='. */
	yb_meta_parse_lines(&b, "cpu=3\n=x\nnoeq\nring=4M a=b\nlast=1",
			    "server.");
	assert_int_equal(b.n, 3);
	assert_string_equal(yb_meta_get(&b, "server.cpu"), "3");
	assert_string_equal(yb_meta_get(&b, "server.ring"), "4M a=b");
	assert_string_equal(yb_meta_get(&b, "server.last"), "1");
	yb_meta_free(&a);
	yb_meta_free(&b);
}

/* Round trips timed 0 ns are counted and named; a zero minimum is not
 * the smallest latency the clock's cost is compared with. */
static void clock_stall_warning(void **state)
{
	struct yb_results r;
	struct yb_point p;
	struct yb_hbin stalled[2] = { { 0, 0, 4 }, { 2500, 2500, 6 } };
	char buf[400];
	uint64_t n = 99;
	(void)state;

	yb_results_init(&r);
	sample(&p, 1);
	assert_int_equal(yb_results_add(&r, &p), 0);
	assert_int_equal(yb_clock_stall_warning(&r, buf, sizeof(buf), &n), 0);
	assert_int_equal(n, 0);
	sample(&p, 2);
	p.hist = stalled;
	p.lat_min_us = 0;
	assert_int_equal(yb_results_add(&r, &p), 0);
	assert_int_equal(yb_clock_stall_warning(&r, buf, sizeof(buf), &n), 1);
	assert_int_equal(n, 4);
	/* 4 of the 11 + 10 round trips of both points, in one point. */
	assert_non_null(strstr(buf, "4 of 21 round trips (in 1 points)"));
	assert_non_null(strstr(buf, "stood still"));
	/* The smallest latency is 2.25 us (point 1), not point 2's zero. */
	assert_int_equal(yb_clock_cost_warning(&r, 112, buf, sizeof(buf)), 0);
	assert_int_equal(yb_clock_cost_warning(&r, 113, buf, sizeof(buf)), 1);
	assert_non_null(strstr(buf, "2.250 us"));
	/* Stream rows hold no round trips. */
	yb_results_free(&r);
	yb_results_init(&r);
	sample(&p, 0);
	p.hist = stalled;
	assert_int_equal(yb_results_add(&r, &p), 0);
	assert_int_equal(yb_clock_stall_warning(&r, buf, sizeof(buf), &n), 0);
	yb_results_free(&r);
}

static void unwritable_output(void **state)
{
	struct yb_output *o = NULL;
	struct yb_err err = { 0 };
	(void)state;

	assert_true(yb_output_csv.open(&o, path_of("no/such/dir.csv"), NULL,
				       &err) < 0);
	assert_non_null(strstr(err.msg, "cannot write"));
	assert_true(yb_output_json.open(&o, path_of("no/such/dir.json"), NULL,
					&err) < 0);
	assert_non_null(strstr(err.msg, "cannot write"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(csv_round_trip),
		cmocka_unit_test(csv_tiny_figures),
		cmocka_unit_test(json_round_trip),
		cmocka_unit_test(csv_bad_input),
		cmocka_unit_test(json_bad_input),
		cmocka_unit_test(unwritable_output),
		cmocka_unit_test(old_files_load),
		cmocka_unit_test(row_invariants),
		cmocka_unit_test(clock_cost_warning),
		cmocka_unit_test(clock_stall_warning),
		cmocka_unit_test(meta_lines),
	};
	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
