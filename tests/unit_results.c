/* unit_results.c - CSV and JSON writers and readers, round trip and bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../core/proto.h"
#include "../core/results.h"

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
	p->lat_max_us = 9.75 + i;
	p->lat_stddev_us = 0.0625 * i;
	p->bw_gbps = 0.123456 * (i + 1);
	if (i % 4 == 1) {
		p->ring_bytes = 4096ull << i;
		strcpy(p->wait, i % 8 == 1 ? "poll" : "adaptive");
	}
}

static void same_point(const struct yb_point *a, const struct yb_point *b)
{
	assert_string_equal(a->transport, b->transport);
	assert_int_equal(a->mode, b->mode);
	assert_int_equal(a->bytes, b->bytes);
	assert_int_equal(a->reps, b->reps);
	assert_int_equal(a->trials, b->trials);
	assert_float_equal(a->lat_min_us, b->lat_min_us, 1e-4);
	assert_float_equal(a->lat_mean_us, b->lat_mean_us, 1e-4);
	assert_float_equal(a->lat_p50_us, b->lat_p50_us, 1e-4);
	assert_float_equal(a->lat_p99_us, b->lat_p99_us, 1e-4);
	assert_float_equal(a->lat_max_us, b->lat_max_us, 1e-4);
	assert_float_equal(a->lat_stddev_us, b->lat_stddev_us, 1e-4);
	assert_float_equal(a->bw_gbps, b->bw_gbps, 1e-6);
	assert_int_equal(a->ring_bytes, b->ring_bytes);
	assert_string_equal(a->wait, b->wait);
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
		same_point(&r.p[i], &p[i]);
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
		cmocka_unit_test(json_round_trip),
		cmocka_unit_test(csv_bad_input),
		cmocka_unit_test(json_bad_input),
		cmocka_unit_test(unwritable_output),
	};
	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
