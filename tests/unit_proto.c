/* unit_proto.c - control message encoding, decoding and rejection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/wire/proto.h"
#include "core/measure/schedule.h"

static uint8_t buf[YB_PROTO_HDR_LEN + YB_PROTO_MAX_PAYLOAD];

/* Decode what an encoder produced, as the receiving side would. */
static void to_msg(size_t len, struct yb_msg *m)
{
	struct yb_err err = { 0 };

	assert_true(len >= YB_PROTO_HDR_LEN);
	assert_int_equal(yb_dec_header(buf, m, &err), 0);
	assert_int_equal(m->version, YB_PROTO_VERSION);
	assert_int_equal(m->len, len - YB_PROTO_HDR_LEN);
	memcpy(m->payload, buf + YB_PROTO_HDR_LEN, m->len);
	m->payload[m->len] = 0;
}

static void header_layout(void **state)
{
	struct yb_msg m;
	(void)state;

	size_t n = yb_enc_empty(buf, YB_MSG_END);
	assert_int_equal(n, YB_PROTO_HDR_LEN);
	assert_memory_equal(buf, "YBNC", 4);
	assert_int_equal(buf[4] | buf[5] << 8, YB_PROTO_VERSION);
	assert_int_equal(buf[6], YB_MSG_END);
	assert_int_equal(buf[7], 0);
	to_msg(n, &m);
	assert_int_equal(m.type, YB_MSG_END);
}

static void header_rejects(void **state)
{
	struct yb_msg m;
	struct yb_err err = { 0 };
	(void)state;

	yb_enc_empty(buf, YB_MSG_END);
	buf[0] = 'X';
	assert_int_equal(yb_dec_header(buf, &m, &err), YB_EPROTO);
	assert_non_null(strstr(err.msg, "bad magic"));

	yb_enc_empty(buf, YB_MSG_END);
	buf[8] = 0xff; /* length 0x2001 and up */
	buf[9] = 0xff;
	assert_int_equal(yb_dec_header(buf, &m, &err), YB_EPROTO);
	assert_non_null(strstr(err.msg, "control message"));

	/* Another version is not a header error: callers decide. */
	yb_enc_empty(buf, YB_MSG_END);
	buf[4] = 99;
	assert_int_equal(yb_dec_header(buf, &m, &err), 0);
	assert_int_equal(m.version, 99);
}

static void hello_round_trip(void **state)
{
	struct yb_hello h = { .max_bytes = 4u << 20, .flags = YB_HELLO_VERIFY };
	struct yb_hello out;
	struct yb_msg m;
	struct yb_err err = { 0 };
	(void)state;

	strcpy(h.version, "1.2.3-4-gabc");
	to_msg(yb_enc_hello(buf, &h), &m);
	assert_int_equal(m.type, YB_MSG_HELLO);
	assert_int_equal(yb_dec_hello(&m, &out, &err), 0);
	assert_int_equal(out.max_bytes, h.max_bytes);
	assert_int_equal(out.flags, h.flags);
	assert_string_equal(out.version, h.version);

	/* Absurd message size. */
	h.max_bytes = YB_MAX_MSG_BYTES + 1;
	to_msg(yb_enc_hello(buf, &h), &m);
	assert_int_equal(yb_dec_hello(&m, &out, &err), YB_EPROTO);
	/* Truncated payload. */
	h.max_bytes = 1;
	to_msg(yb_enc_hello(buf, &h), &m);
	m.len = 15;
	assert_int_equal(yb_dec_hello(&m, &out, &err), YB_EPROTO);
	/* Non-printable version string. */
	to_msg(yb_enc_hello(buf, &h), &m);
	m.payload[16] = 0x07;
	assert_int_equal(yb_dec_hello(&m, &out, &err), YB_EPEER);
	/* Version string longer than the field. */
	m.len = 16 + 200;
	memset(m.payload + 16, 'a', 200);
	assert_int_equal(yb_dec_hello(&m, &out, &err), YB_EPEER);
}

static void run_round_trip(void **state)
{
	struct yb_run r = { .mode = YB_MODE_STREAM,
			    .flags = YB_RUN_VERIFY | YB_RUN_WARMUP,
			    .trial = 2,
			    .bytes = 65536,
			    .reps = 12345,
			    .seq = 1ull << 40 };
	struct yb_run out;
	struct yb_msg m;
	struct yb_err err = { 0 };
	(void)state;

	to_msg(yb_enc_run(buf, &r), &m);
	assert_int_equal(yb_dec_run(&m, 65536, &out, &err), 0);
	assert_int_equal(out.mode, r.mode);
	assert_int_equal(out.flags, r.flags);
	assert_int_equal(out.trial, r.trial);
	assert_int_equal(out.bytes, r.bytes);
	assert_int_equal(out.reps, r.reps);
	assert_int_equal(out.seq, r.seq);

	/* Larger than agreed in HELLO. */
	assert_int_equal(yb_dec_run(&m, 65535, &out, &err), YB_EPROTO);
	assert_non_null(strstr(err.msg, "65536"));

	struct yb_run bad = r;
	bad.mode = 9;
	to_msg(yb_enc_run(buf, &bad), &m);
	assert_int_equal(yb_dec_run(&m, 1u << 20, &out, &err), YB_EPROTO);
	bad = r;
	bad.flags = 0x80;
	to_msg(yb_enc_run(buf, &bad), &m);
	assert_int_equal(yb_dec_run(&m, 1u << 20, &out, &err), YB_EPROTO);
	/* Directions: one at most, and streams only. */
	bad = r;
	bad.flags = YB_RUN_REVERSE;
	to_msg(yb_enc_run(buf, &bad), &m);
	assert_int_equal(yb_dec_run(&m, 1u << 20, &out, &err), 0);
	assert_int_equal(out.flags, YB_RUN_REVERSE);
	bad.flags = YB_RUN_BIDIR | YB_RUN_VERIFY;
	to_msg(yb_enc_run(buf, &bad), &m);
	assert_int_equal(yb_dec_run(&m, 1u << 20, &out, &err), 0);
	assert_int_equal(out.flags, YB_RUN_BIDIR | YB_RUN_VERIFY);
	bad.flags = YB_RUN_BIDIR | YB_RUN_REVERSE;
	to_msg(yb_enc_run(buf, &bad), &m);
	assert_int_equal(yb_dec_run(&m, 1u << 20, &out, &err), YB_EPROTO);
	assert_non_null(strstr(err.msg, "both reverse and bidirectional"));
	bad.flags = YB_RUN_REVERSE;
	bad.mode = YB_MODE_PINGPONG;
	to_msg(yb_enc_run(buf, &bad), &m);
	assert_int_equal(yb_dec_run(&m, 1u << 20, &out, &err), YB_EPROTO);
	assert_non_null(strstr(err.msg, "only a stream"));
	bad = r;
	bad.reps = 0;
	to_msg(yb_enc_run(buf, &bad), &m);
	assert_int_equal(yb_dec_run(&m, 1u << 20, &out, &err), YB_EPROTO);
	bad.reps = YB_PROTO_MAX_REPS + 1;
	to_msg(yb_enc_run(buf, &bad), &m);
	assert_int_equal(yb_dec_run(&m, 1u << 20, &out, &err), YB_EPROTO);
	bad = r;
	bad.bytes = 0;
	to_msg(yb_enc_run(buf, &bad), &m);
	assert_int_equal(yb_dec_run(&m, 1u << 20, &out, &err), YB_EPROTO);
	/* Wrong length. */
	to_msg(yb_enc_run(buf, &r), &m);
	m.len++;
	assert_int_equal(yb_dec_run(&m, 1u << 20, &out, &err), YB_EPROTO);
}

static void result_and_error(void **state)
{
	struct yb_result r = { .elapsed_ns = 987654321, .status = 0 };
	struct yb_result rout;
	struct yb_perror eout;
	struct yb_msg m;
	struct yb_err err = { 0 };
	(void)state;

	/* Text travels only with a failure status. */
	strcpy(r.text, "ignored");
	to_msg(yb_enc_result(buf, &r), &m);
	assert_int_equal(yb_dec_result(&m, &rout, &err), 0);
	assert_int_equal(rout.elapsed_ns, r.elapsed_ns);
	assert_int_equal(rout.status, 0);
	assert_string_equal(rout.text, "");
	r.status = YB_PERR_VERIFY;
	strcpy(r.text, "byte 17 of message 3 differs");
	to_msg(yb_enc_result(buf, &r), &m);
	assert_int_equal(yb_dec_result(&m, &rout, &err), 0);
	assert_int_equal(rout.status, YB_PERR_VERIFY);
	assert_string_equal(rout.text, r.text);

	to_msg(yb_enc_error(buf, YB_PERR_BUSY, "server busy with 1.2.3.4"), &m);
	assert_int_equal(m.type, YB_MSG_ERROR);
	assert_int_equal(yb_dec_error(&m, &eout, &err), 0);
	assert_int_equal(eout.code, YB_PERR_BUSY);
	assert_string_equal(eout.text, "server busy with 1.2.3.4");
	m.len = 3;
	assert_int_equal(yb_dec_error(&m, &eout, &err), YB_EPROTO);
}

static void welcome(void **state)
{
	uint64_t max;
	const char *info;
	struct yb_msg m;
	struct yb_err err = { 0 };
	(void)state;

	to_msg(yb_enc_welcome(buf, 1u << 20, "host=a\nkernel=b"), &m);
	assert_int_equal(yb_dec_welcome(&m, &max, &info, &err), 0);
	assert_int_equal(max, 1u << 20);
	assert_string_equal(info, "host=a\nkernel=b");
	m.payload[9] = 0x1b; /* an escape sequence must not reach a terminal */
	assert_int_equal(yb_dec_welcome(&m, &max, &info, &err), YB_EPEER);
}

static void names(void **state)
{
	(void)state;
	assert_string_equal(yb_mode_name(YB_MODE_PINGPONG), "pingpong");
	assert_string_equal(yb_mode_name(YB_MODE_STREAM), "stream");
	assert_non_null(yb_msg_name(200));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(header_layout),
		cmocka_unit_test(header_rejects),
		cmocka_unit_test(hello_round_trip),
		cmocka_unit_test(run_round_trip),
		cmocka_unit_test(result_and_error),
		cmocka_unit_test(welcome),
		cmocka_unit_test(names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
