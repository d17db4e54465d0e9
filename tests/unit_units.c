/* unit_units.c - byte counts and durations as users write them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/base/units.h"

static void parse_sizes(void **state)
{
	static const struct {
		const char *s;
		uint64_t v;
	} good[] = {
		{ "0", 0 },	   { "1", 1 },		 { "4096", 4096 },
		{ "4K", 4096 },	   { "4k", 4096 },	 { "4KiB", 4096 },
		{ "4KB", 4096 },   { "2M", 2u << 20 },	 { "1G", 1u << 30 },
		{ " 12", 12 },	   { "100b", 100 },	 { "3m", 3u << 20 },
		{ "16777216", 16777216 },
	};
	static const char *bad[] = { "",     "K",    "-1",  "+1", "1.5K",
				     "1T",   "1KK",  "1 K", "x",  "12abc",
				     "0x10", "1Kx",  "99999999999999999999",
				     "17179869184G" };
	struct yb_err err = { 0 };
	uint64_t v;
	(void)state;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = 12345;
		assert_int_equal(yb_parse_size(good[i].s, &v, &err), 0);
		assert_int_equal(v, good[i].v);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 12345;
		err.msg[0] = '\0';
		assert_int_equal(yb_parse_size(bad[i], &v, &err), YB_EUSAGE);
		assert_int_equal(v, 12345);
		assert_non_null(strstr(err.msg, bad[i]));
	}
}

static void format_sizes(void **state)
{
	char b[32];
	(void)state;

	yb_format_size(1, b, sizeof(b));
	assert_string_equal(b, "1");
	yb_format_size(1023, b, sizeof(b));
	assert_string_equal(b, "1023");
	yb_format_size(1024, b, sizeof(b));
	assert_string_equal(b, "1K");
	yb_format_size(1536, b, sizeof(b));
	assert_string_equal(b, "1.5K");
	yb_format_size(4u << 20, b, sizeof(b));
	assert_string_equal(b, "4M");
	yb_format_size(1u << 30, b, sizeof(b));
	assert_string_equal(b, "1G");
	yb_format_size(3ull << 40, b, sizeof(b));
	assert_string_equal(b, "3072G");
}

static void parse_durations(void **state)
{
	static const struct {
		const char *s;
		uint64_t ns;
	} good[] = {
		{ "0", 0 },
		{ "50", 50000 },
		{ "50us", 50000 },
		{ "2ms", 2000000 },
		{ "1.5ms", 1500000 },
		{ "7ns", 7 },
		{ "1s", 1000000000 },
		{ "10s", 10000000000ull },
	};
	static const char *bad[] = { "",    "-1us", "+1us", "us",  "5xs",
				     "1m",  "1h",   "1 ms", "1e",  "11s",
				     "1MS", "ms5" };
	uint64_t v;
	(void)state;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = 12345;
		assert_int_equal(yb_parse_duration_ns(good[i].s, 10e9, &v), 0);
		assert_int_equal(v, good[i].ns);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 12345;
		assert_int_equal(yb_parse_duration_ns(bad[i], 10e9, &v),
				 YB_EUSAGE);
		assert_int_equal(v, 12345);
	}
}

static void parse_seconds(void **state)
{
	static const struct {
		const char *s;
		double sec;
	} good[] = {
		{ "90", 90 },	 { "90s", 90 },	    { "500ms", 0.5 },
		{ "10m", 600 },	 { "2h", 7200 },    { "1.5", 1.5 },
		{ "1.5m", 90 },	 { "0", 0 },	    { "250us", 0.00025 },
		{ "720h", 2592000 },
	};
	static const char *bad[] = { "",   "-1",   "+1", "5x", "31d",
				     "m",  "h",    "1 s", "721h",
				     "2592001", "1hh" };
	double v;
	(void)state;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = -1;
		assert_int_equal(yb_parse_seconds(good[i].s, 30 * 86400.0, &v),
				 0);
		assert_true(v > good[i].sec - 1e-9 && v < good[i].sec + 1e-9);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = -1;
		assert_int_equal(yb_parse_seconds(bad[i], 30 * 86400.0, &v),
				 YB_EUSAGE);
		assert_true(v == -1);
	}
	/* Too long to be a time at all. */
	char longest[80];
	memset(longest, '1', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	assert_int_equal(yb_parse_seconds(longest, 1e300, &v), YB_EUSAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_sizes),
		cmocka_unit_test(format_sizes),
		cmocka_unit_test(parse_durations),
		cmocka_unit_test(parse_seconds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
