/*
 * unit_xenrv.c - the Xen transports' address syntax, the rendezvous
 * request a peer domain writes into XenStore and the reply a server domain
 * writes back (untrusted text both ways).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "transports/xenrv.h"

static void addr_good(void **state)
{
	struct yb_err err = { 0 };
	unsigned dom, port;
	(void)state;

	assert_int_equal(yb_xrv_parse_addr("yasmin", "3", 0, &dom, &port, &err), 0);
	assert_int_equal(dom, 3);
	assert_int_equal(port, YB_XRV_DEFAULT_PORT);
	assert_int_equal(yb_xrv_parse_addr("yasmin", "0:9000", 0, &dom, &port, &err), 0);
	assert_int_equal(dom, 0);
	assert_int_equal(port, 9000);
	assert_int_equal(yb_xrv_parse_addr("vchan", "32751:1", 0, &dom, &port, &err), 0);
	assert_int_equal(dom, 32751);
	assert_int_equal(yb_xrv_parse_addr("yasmin", "any", 1, &dom, &port, &err), 0);
	assert_int_equal(dom, YB_XRV_ANY);
	assert_int_equal(yb_xrv_parse_addr("yasmin", "any:7", 1, &dom, &port, &err), 0);
	assert_int_equal(port, 7);
}

static void addr_bad(void **state)
{
	static const char *bad[] = { "", "x", "-1", "32752", "99999999999999999999",
				     "3:", "3:0", "3:65536", "3:x", ":7", "3:7:8",
				     "any", " 3", "3 " };
	struct yb_err err;
	unsigned dom, port;
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* "any" only for a server */
		int rc = yb_xrv_parse_addr("yasmin", bad[i], 0, &dom, &port, &err);
		if (rc == 0)
			fail_msg("'%s' accepted", bad[i]);
		assert_int_equal(rc, YB_EUSAGE);
		assert_non_null(strstr(err.msg, "yasmin"));
	}
}

static int parse(const char *s, struct yb_xrv_request *r, struct yb_err *err)
{
	return yb_xrv_parse_request(s, strlen(s), r, err);
}

static void request_good(void **state)
{
	struct yb_xrv_request r;
	struct yb_err err = { 0 };
	(void)state;

	assert_int_equal(parse("yasmin-bench 1 dom=5 nonce=18446744073709551615 "
			       "order0=22 order1=12 wait=2 spin=200000",
			       &r, &err),
			 0);
	assert_int_equal(r.version, 1);
	assert_int_equal(r.dom, 5);
	assert_true(r.nonce == 18446744073709551615ull);
	assert_int_equal(r.order0, 22);
	assert_int_equal(r.order1, 12);
	assert_int_equal(r.wait, 2);
	assert_int_equal(r.spin_ns, 200000);
	assert_int_equal(r.tag, 0);
	/* A wrapped connection's tag: its TCP port. */
	assert_int_equal(parse("yasmin-bench 1 dom=5 nonce=1 order0=22 "
			       "order1=12 wait=2 spin=0 tag=65535",
			       &r, &err),
			 0);
	assert_int_equal(r.tag, 65535);
	assert_int_equal(r.dom, 5);
}

static void request_bad(void **state)
{
	static const char *bad[] = {
		"",
		"yasmin-bench",
		"yasmin-bench 1 dom=5 nonce=1 order0=22 order1=12 wait=2",
		"yasmin-bench 1 dom=5 nonce=1 order0=22 order1=12 wait=2 spin=1 ",
		"yasmin-bench 1 dom=5 nonce=1 order0=22 order1=12 wait=3 spin=1",
		"yasmin-bench 1 dom=32752 nonce=1 order0=22 order1=12 wait=0 spin=1",
		"yasmin-bench 1 dom=5 nonce=18446744073709551616 order0=22 order1=12 wait=0 spin=1",
		"yasmin-bench 1 dom=5 nonce=1 order0=64 order1=12 wait=0 spin=1",
		"yasmin-bench 1 dom=5 nonce=1 order0=22 order1=12 wait=0 spin=60000000001",
		"yasmin-bench 1 dom=-5 nonce=1 order0=22 order1=12 wait=0 spin=1",
		"yasmin-bench 1  dom=5 nonce=1 order0=22 order1=12 wait=0 spin=1",
		"yasmin-bench 1 dom=5 order0=22 nonce=1 order1=12 wait=0 spin=1",
		"yasmin-bench 1 dom= nonce=1 order0=22 order1=12 wait=0 spin=1",
		"yasmin-bench 1 dom=5 nonce=1 order0=22 order1=12 wait=0 spin=1 tag=0",
		"yasmin-bench 1 dom=5 nonce=1 order0=22 order1=12 wait=0 spin=1 tag=65536",
		"yasmin-bench 1 dom=5 nonce=1 order0=22 order1=12 wait=0 spin=1 tag=",
		"yasmin-bench 1 dom=5 nonce=1 order0=22 order1=12 wait=0 spin=1 tag=5 ",
		"yasmin-bench 1 dom=5 nonce=1 order0=22 order1=12 wait=0 spin=1 tag=5x",
		"yasmin-bench 1 dom=5 nonce=1 order0=22 order1=12 wait=0 spin=1 port=5",
	};
	struct yb_xrv_request r;
	struct yb_err err;
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = parse(bad[i], &r, &err);
		if (rc == 0)
			fail_msg("accepted '%s'", bad[i]);
		assert_int_equal(rc, YB_EPROTO);
		assert_non_null(strstr(err.msg, "request"));
	}
	/* Length is what counts, not a terminator: a NUL inside is stray. */
	const char with_nul[] = "yasmin-bench 1 dom=5 nonce=1 order0=22 order1=12 "
				"wait=0 spin=1\0junk";
	assert_int_equal(yb_xrv_parse_request(with_nul, sizeof(with_nul) - 1, &r,
					      &err),
			 YB_EPROTO);
	char big[YB_XRV_TEXT_MAX + 2];
	memset(big, '1', sizeof(big));
	assert_int_equal(yb_xrv_parse_request(big, sizeof(big), &r, &err),
			 YB_EPROTO);
}

static enum yb_xrv_answer reply(const char *s, unsigned long long nonce,
				 char *out, size_t outlen)
{
	return yb_xrv_parse_reply(s, strlen(s), nonce, out, outlen);
}

static void reply_kinds(void **state)
{
	char out[YB_XRV_TEXT_MAX];
	(void)state;

	assert_int_equal(reply("nonce=7 ok ref=8 port=9", 7, out, sizeof(out)),
			 YB_XRV_OK);
	assert_string_equal(out, "ref=8 port=9");
	assert_int_equal(reply("nonce=7 refused bad sizes", 7, out, sizeof(out)),
			 YB_XRV_REFUSED);
	assert_string_equal(out, "bad sizes");
	assert_int_equal(reply("nonce=7 no-resources gntalloc full", 7, out,
			       sizeof(out)),
			 YB_XRV_NO_RESOURCES);
	assert_string_equal(out, "gntalloc full");
	assert_int_equal(reply("nonce=18446744073709551615 busy server busy: "
			       "it is measuring another client",
			       18446744073709551615ull, out, sizeof(out)),
			 YB_XRV_BUSY);
	assert_string_equal(out, "server busy: it is measuring another client");
	/* Answers we cannot read are told apart from no answer. */
	assert_int_equal(reply("nonce=7 maybe later", 7, out, sizeof(out)),
			 YB_XRV_UNKNOWN);
	assert_string_equal(out, "maybe later");
	assert_int_equal(reply("nonce=7 busy", 7, out, sizeof(out)),
			 YB_XRV_UNKNOWN);
	assert_int_equal(reply("nonce=7 ", 7, out, sizeof(out)), YB_XRV_UNKNOWN);
}

static void reply_not_ours(void **state)
{
	char out[YB_XRV_TEXT_MAX];
	(void)state;

	/* Another client's answer, an old one, or nothing yet. */
	static const char *other[] = { "", "nonce=7", "nonce=70 ok ref=1 port=2",
				       "nonce=8 busy x", "nonce=07 busy x",
				       " nonce=7 busy x", "NONCE=7 busy x" };
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		strcpy(out, "untouched");
		if (reply(other[i], 7, out, sizeof(out)) != YB_XRV_NOT_YET)
			fail_msg("'%s' taken as the answer to nonce 7", other[i]);
		assert_string_equal(out, "");
	}
}

static void reply_hostile(void **state)
{
	char out[16];
	(void)state;

	/* Control bytes, a NUL and high bytes become '?'; the length says
	 * where the text ends, and out is never overrun. */
	const char text[] = "nonce=1 busy a\x1b\0\xff" "b";
	assert_int_equal(yb_xrv_parse_reply(text, sizeof(text) - 1, 1, out,
					    sizeof(out)),
			 YB_XRV_BUSY);
	assert_string_equal(out, "a???b");
	assert_int_equal(reply("nonce=1 busy 0123456789abcdefghij", 1, out,
			       sizeof(out)),
			 YB_XRV_BUSY);
	assert_string_equal(out, "0123456789abcde");
	/* A text shorter than the nonce it would need is not read past. */
	assert_int_equal(yb_xrv_parse_reply("nonce=1 busy x", 6, 1, out,
					    sizeof(out)),
			 YB_XRV_NOT_YET);
}

/* Where a request was written says who wrote it: only that exact path,
 * one spelling per domain id, and which connection (its key). */
static void request_path(void **state)
{
	char key[YB_XRV_KEY_MAX] = "x";
	unsigned dom = 99;
	(void)state;

	assert_int_equal(yb_xrv_parse_request_path(
				 "/local/domain/5/data/yasmin-bench/yasmin-0-7470/812-0",
				 "yasmin", 0, 7470, &dom, key), 0);
	assert_int_equal(dom, 5);
	assert_string_equal(key, "812-0");
	assert_int_equal(yb_xrv_parse_request_path(
				 "/local/domain/5/data/yasmin-bench/yasmin-0-7470",
				 "yasmin", 0, 7470, &dom, key), 1);
	assert_int_equal(dom, 5);
	assert_string_equal(key, "");
	assert_int_equal(yb_xrv_parse_request_path(
				 "/local/domain/0/data/yasmin-bench/vchan-3-1/4194304-4294967295",
				 "vchan", 3, 1, &dom, key), 0);
	assert_int_equal(dom, 0);
	assert_string_equal(key, "4194304-4294967295");
	assert_int_equal(yb_xrv_parse_request_path(
				 "/local/domain/32751/data/yasmin-bench/yasmin-0-7470/1-7",
				 "yasmin", 0, 7470, &dom, key), 0);
	assert_int_equal(dom, 32751);
	static const char *bad[] = {
		"/local/domain/05/data/yasmin-bench/yasmin-0-7470",
		"/local/domain/32752/data/yasmin-bench/yasmin-0-7470",
		"/local/domain//data/yasmin-bench/yasmin-0-7470",
		"/local/domain/5/data/yasmin-bench/yasmin-0-7471",
		"/local/domain/5/data/yasmin-bench/yasmin-0-74701",
		"/local/domain/5/data/yasmin-bench/yasmin-0-74701/1-1",
		"/local/domain/5/data/yasmin-bench/yasmin-1-7470",
		"/local/domain/5/data/yasmin-bench/vchan-0-7470",
		"/local/domain/5/data/yasmin-bench/yasmin-0-7470/x",
		"/local/domain/5/data/yasmin-bench/yasmin-0-7470/",
		"/local/domain/5/data/yasmin-bench/yasmin-0-7470/0-1",
		"/local/domain/5/data/yasmin-bench/yasmin-0-7470/01-1",
		"/local/domain/5/data/yasmin-bench/yasmin-0-7470/1-01",
		"/local/domain/5/data/yasmin-bench/yasmin-0-7470/1-",
		"/local/domain/5/data/yasmin-bench/yasmin-0-7470/-1",
		"/local/domain/5/data/yasmin-bench/yasmin-0-7470/1-1/x",
		"/local/domain/5/data/yasmin-bench/yasmin-0-7470/4194305-1",
		"/local/domain/5/data/yasmin-bench/yasmin-0-7470/1-4294967296",
		"/local/domain/5/data/yasmin-bench/yasmin-0-747",
		"/local/domain/5",
		"/local/domain/-5/data/yasmin-bench/yasmin-0-7470",
		"/local/domain/5x/data/yasmin-bench/yasmin-0-7470",
		"local/domain/5/data/yasmin-bench/yasmin-0-7470",
		"/local/domain/0/data/yasmin-bench/yasmin-7470/reply-5-1-1",
		"@releaseDomain",
		"",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		dom = 99;
		assert_int_equal(yb_xrv_parse_request_path(bad[i], "yasmin", 0,
							   7470, &dom, key), -1);
		assert_int_equal(dom, 99);
	}
}

/* A request node's name: "PID-SEQ", and nothing that only looks like it. */
static void request_key(void **state)
{
	unsigned long pid = 7, seq = 7;
	(void)state;

	assert_int_equal(yb_xrv_parse_key("1-0", 3, &pid, &seq), 0);
	assert_int_equal(pid, 1);
	assert_int_equal(seq, 0);
	assert_int_equal(yb_xrv_parse_key("4194304-4294967295", 18, &pid, &seq),
			 0);
	assert_int_equal(pid, 4194304);
	assert_int_equal(seq, 4294967295ul);
	/* Only the first n bytes count. */
	assert_int_equal(yb_xrv_parse_key("12-3junk", 4, &pid, &seq), 0);
	assert_int_equal(pid, 12);
	assert_int_equal(seq, 3);
	static const char *bad[] = { "",     "-",     "1",       "1-",
				     "-1",   "0-1",   "01-1",    "1-01",
				     "1--1", "1-1-1", "a-1",     "1-a",
				     " 1-1", "1-1 ",  "4194305-1",
				     "1-4294967296",  "99999999999-1" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pid = seq = 7;
		assert_int_equal(yb_xrv_parse_key(bad[i], strlen(bad[i]), &pid,
						  &seq),
				 -1);
		assert_int_equal(pid, 7);
		assert_int_equal(seq, 7);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(addr_good),
		cmocka_unit_test(addr_bad),
		cmocka_unit_test(request_good),
		cmocka_unit_test(request_bad),
		cmocka_unit_test(reply_kinds),
		cmocka_unit_test(reply_not_ours),
		cmocka_unit_test(reply_hostile),
		cmocka_unit_test(request_path),
		cmocka_unit_test(request_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
