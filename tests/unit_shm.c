/*
 * unit_shm.c - the shm rendezvous refusal as bytes: what a server writes
 * when it turns a client away, and what the client makes of bytes that
 * claim to be one (the server is untrusted).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/base/le.h"
#include "transports/shm.h"

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
	assert_int_equal(yb_get16(buf + 4), YB_SHM_VERSION);
	assert_int_equal(yb_get16(buf + 6), YB_SHM_BUSY);
	assert_int_equal(buf[YB_SHM_OFF_TEXT], 'x');
	assert_int_equal(buf[YB_SHM_OFF_TEXT + 1], 0);
	/* Status is all an old client looks at besides the text; anything
	 * but 0 and 2 reads as a refusal there. */
	assert_int_not_equal(yb_get16(buf + 6), YB_SHM_ACCEPTED);
	assert_int_not_equal(yb_get16(buf + 6), YB_SHM_NO_RESOURCES);
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
		cmocka_unit_test(statuses),
		cmocka_unit_test(lengths),
		cmocka_unit_test(fixed_head),
		cmocka_unit_test(hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
