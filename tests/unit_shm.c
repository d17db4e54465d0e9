/*
 * unit_shm.c - the shm rendezvous as bytes: the request and the accepted
 * reply against bytes of the wire format that clients and servers already
 * speak, what a server writes when it turns a client away, and what each
 * side makes of bytes from the other (neither is trusted).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/base/le.h"
#include "core/wire/ring.h"
#include "transports/shm.h"

/* A request as a client with --wait poll --ring-size 4K sends it. */
static const uint8_t request_wire[YB_SHM_REQ_LEN] = {
	0x59, 0x53, 0x48, 0x4d, /* "YSHM" */
	0x01, 0x00,             /* version 1 */
	0x01, 0x00,             /* wait: poll */
	0x0c, 0x0c,             /* orders 12, 12 */
	0x00, 0x00,
	0x40, 0x0d, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, /* spin 200000 ns */
	/* 12 bytes of 0 */
};

static void request_bytes(void **state)
{
	struct yb_shm_request req = { .version = YB_SHM_VERSION,
				      .wait = YB_WAIT_POLL,
				      .order0 = 12,
				      .order1 = 12,
				      .spin_ns = 200000 },
			      back;
	uint8_t buf[YB_SHM_REQ_LEN];
	(void)state;

	memset(buf, 0xaa, sizeof(buf));
	yb_shm_enc_request(buf, &req);
	assert_memory_equal(buf, request_wire, sizeof(buf));
	assert_int_equal(yb_shm_dec_request(request_wire, &back), 0);
	assert_int_equal(back.version, req.version);
	assert_int_equal(back.wait, req.wait);
	assert_int_equal(back.order0, req.order0);
	assert_int_equal(back.order1, req.order1);
	assert_int_equal(back.spin_ns, req.spin_ns);
}

/* An accepted reply: rings 2^12/2^13, block, spin 50 us, 16 KiB. */
static void reply_bytes(void **state)
{
	uint8_t want[YB_SHM_REP_LEN] = {
		0x59, 0x53, 0x48, 0x4d, 0x01, 0x00, /* magic, version 1 */
		0x00, 0x00,                         /* status: accepted */
		0x0c, 0x0d, 0x02, 0x00,             /* orders, wait: block */
		0x50, 0xc3, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* 50000 */
		0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* 16384 */
		/* the rest 0 */
	};
	struct yb_shm_reply rep = { .version = YB_SHM_VERSION,
				    .status = YB_SHM_ACCEPTED,
				    .order0 = 12,
				    .order1 = 13,
				    .wait = YB_WAIT_BLOCK,
				    .spin_ns = 50000,
				    .size = 16384 },
			    back;
	uint8_t buf[YB_SHM_REP_LEN];
	(void)state;

	memset(buf, 0xaa, sizeof(buf));
	yb_shm_enc_reply(buf, &rep);
	assert_memory_equal(buf, want, sizeof(buf));
	assert_int_equal(yb_shm_dec_reply(want, &back), 0);
	assert_int_equal(back.version, rep.version);
	assert_int_equal(back.status, rep.status);
	assert_int_equal(back.order0, rep.order0);
	assert_int_equal(back.order1, rep.order1);
	assert_int_equal(back.wait, rep.wait);
	assert_int_equal(back.spin_ns, rep.spin_ns);
	assert_int_equal(back.size, rep.size);

	/* A refusal's head reads as one: its status, no size, no rings
	 * (the reason covers the size's upper half, which is then 0). */
	uint8_t refusal[YB_SHM_REFUSAL_MAX];
	yb_shm_enc_refusal(refusal, YB_SHM_BUSY, "");
	assert_int_equal(yb_shm_dec_reply(refusal, &back), 0);
	assert_int_equal(back.status, YB_SHM_BUSY);
	assert_int_equal(back.size, 0);
	assert_int_equal(back.order0, 0);
}

/* Bytes that are not a message, or fields no sender would write: the
 * decoders copy each field once and leave the judging to the caller. */
static void hostile_messages(void **state)
{
	uint8_t buf[YB_SHM_REP_LEN];
	struct yb_shm_request req;
	struct yb_shm_reply rep;
	(void)state;

	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(yb_shm_dec_request(buf, &req), YB_EPROTO);
	assert_int_equal(req.version, 0);
	assert_int_equal(yb_shm_dec_reply(buf, &rep), YB_EPROTO);
	assert_int_equal(rep.size, 0);
	yb_put32(buf + YB_SHM_OFF_MAGIC, YB_SHM_MAGIC);
	assert_int_equal(yb_shm_dec_request(buf, &req), 0);
	assert_int_equal(req.version, 0xffff);
	assert_int_equal(req.order0, 255);
	assert_int_equal(req.wait, 255);
	assert_int_equal(req.spin_ns, UINT64_MAX);
	assert_int_equal(yb_shm_dec_reply(buf, &rep), 0);
	assert_int_equal(rep.status, 0xffff);
	assert_int_equal(rep.size, UINT64_MAX);
}

/* Encode, then decode as the client would: code and reason. */
static int round_trip(unsigned status, const char *why, char out[YB_SHM_WHY_MAX],
		      size_t *wire)
{
	uint8_t buf[YB_SHM_REFUSAL_MAX];
	size_t n = yb_shm_enc_refusal(buf, status, why);

	assert_true(n >= YB_SHM_REP_LEN && n <= sizeof(buf));
	/* The client reads past the reply exactly when the encoder wrote
	 * a continuation. */
	assert_int_equal(yb_shm_refusal_continues(buf), n > YB_SHM_REP_LEN);
	if (wire)
		*wire = n;
	return yb_shm_dec_refusal(buf, n, out);
}

static void statuses(void **state)
{
	char why[YB_SHM_WHY_MAX];
	(void)state;

	assert_int_equal(round_trip(YB_SHM_BUSY, "server busy: measuring x", why,
				    NULL),
			 YB_EBUSY);
	assert_string_equal(why, "server busy: measuring x");
	assert_int_equal(round_trip(YB_SHM_NO_RESOURCES, "no memory", why, NULL),
			 YB_ENOMEM);
	assert_string_equal(why, "no memory");
	assert_int_equal(round_trip(YB_SHM_REFUSED, "bad orders", why, NULL),
			 YB_EPROTO);
	assert_string_equal(why, "bad orders");
	/* A status from a newer server is a refusal all the same. */
	assert_int_equal(round_trip(77, "something new", why, NULL), YB_EPROTO);
	assert_string_equal(why, "something new");
}

/* Reasons around the 104 bytes the reply holds, and past the limit. */
static void lengths(void **state)
{
	static const size_t lens[] = { 0, 1, 103, 104, 105, 200, 398, 399, 400,
				       1000 };
	char text[1001], why[YB_SHM_WHY_MAX];
	(void)state;

	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		size_t n = lens[i], wire;
		for (size_t j = 0; j < n; j++)
			text[j] = (char)('a' + j % 26);
		text[n] = '\0';
		assert_int_equal(round_trip(YB_SHM_BUSY, text, why, &wire),
				 YB_EBUSY);
		size_t want = n < YB_SHM_WHY_MAX - 1 ? n : YB_SHM_WHY_MAX - 1;
		assert_int_equal(strlen(why), want);
		assert_memory_equal(why, text, want);
		/* Short reasons fit the reply; long ones follow it, NUL
		 * included, and never exceed the most a refusal takes. */
		if (want < YB_SHM_REP_LEN - YB_SHM_OFF_TEXT)
			assert_int_equal(wire, YB_SHM_REP_LEN);
		else
			assert_int_equal(wire, YB_SHM_REP_LEN + want + 1 -
						       (YB_SHM_REP_LEN -
							YB_SHM_OFF_TEXT));
	}
}

/* The reply's fixed head, which clients of every version read. */
static void fixed_head(void **state)
{
	uint8_t buf[YB_SHM_REFUSAL_MAX] = { 0 };
	char why[YB_SHM_WHY_MAX];
	(void)state;

	yb_shm_enc_refusal(buf, YB_SHM_BUSY, "x");
	assert_int_equal(yb_get32(buf), YB_SHM_MAGIC);
	assert_int_equal(yb_get16(buf + YB_SHM_OFF_VERSION), YB_SHM_VERSION);
	assert_int_equal(yb_get16(buf + YB_SHM_REP_OFF_STATUS), YB_SHM_BUSY);
	assert_int_equal(buf[YB_SHM_OFF_TEXT], 'x');
	assert_int_equal(buf[YB_SHM_OFF_TEXT + 1], 0);
	/* Status is all an old client looks at besides the text; anything
	 * but 0 and 2 reads as a refusal there. */
	assert_int_not_equal(yb_get16(buf + YB_SHM_REP_OFF_STATUS),
			     YB_SHM_ACCEPTED);
	assert_int_not_equal(yb_get16(buf + YB_SHM_REP_OFF_STATUS),
			     YB_SHM_NO_RESOURCES);
	assert_int_equal(yb_shm_dec_refusal(buf, YB_SHM_REP_LEN, why), YB_EBUSY);
}

/* Bytes from a hostile server. */
static void hostile(void **state)
{
	uint8_t buf[YB_SHM_REFUSAL_MAX + 64];
	char why[YB_SHM_WHY_MAX];
	(void)state;

	/* Too short, or not our magic: a protocol error with no text. */
	memset(buf, 0, sizeof(buf));
	yb_shm_enc_refusal(buf, YB_SHM_BUSY, "busy");
	assert_int_equal(yb_shm_dec_refusal(buf, YB_SHM_REP_LEN - 1, why),
			 YB_EPROTO);
	assert_string_equal(why, "");
	buf[0] ^= 1;
	assert_int_equal(yb_shm_dec_refusal(buf, YB_SHM_REP_LEN, why), YB_EPROTO);
	assert_string_equal(why, "");

	/* No NUL anywhere, control and high bytes: cut at the limit or at
	 * the end of what arrived, every byte printable. */
	yb_shm_enc_refusal(buf, YB_SHM_BUSY, "");
	for (size_t i = YB_SHM_OFF_TEXT; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i % 3 == 0 ? 0x1b : i % 3 == 1 ? 0xff : 'z');
	assert_int_equal(yb_shm_dec_refusal(buf, sizeof(buf), why), YB_EBUSY);
	assert_int_equal(strlen(why), YB_SHM_WHY_MAX - 1);
	for (const char *p = why; *p; p++)
		assert_true(*p == '?' || *p == 'z');
	assert_int_equal(yb_shm_dec_refusal(buf, YB_SHM_REP_LEN + 3, why),
			 YB_EBUSY);
	assert_int_equal(strlen(why), YB_SHM_REP_LEN + 3 - YB_SHM_OFF_TEXT);
	assert_true(yb_shm_refusal_continues(buf));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(request_bytes),
		cmocka_unit_test(reply_bytes),
		cmocka_unit_test(hostile_messages),
		cmocka_unit_test(statuses),
		cmocka_unit_test(lengths),
		cmocka_unit_test(fixed_head),
		cmocka_unit_test(hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
