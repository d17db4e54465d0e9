/* unit_pattern.c - the --verify payload pattern catches what it must. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/base/pattern.h"

static void detects_damage(void **state)
{
	struct yb_pattern p;
	size_t bad = 0;
	(void)state;

	assert_int_equal(yb_pattern_init(&p, 1u << 20), 0);
	uint8_t *copy = malloc(1u << 20);
	assert_non_null(copy);
	for (uint64_t seq = 0; seq < 5; seq++) {
		memcpy(copy, yb_pattern_msg(&p, seq), 1u << 20);
		assert_int_equal(yb_pattern_check(&p, seq, copy, 1u << 20, &bad),
				 0);
		/* One flipped bit anywhere is found, at its offset. */
		size_t off = (seq * 262147) % (1u << 20);
		copy[off] ^= 0x10;
		assert_int_equal(yb_pattern_check(&p, seq, copy, 1u << 20, &bad),
				 -1);
		assert_int_equal(bad, off);
	}
	/* A message delivered in place of another (reordering, duplication)
	 * fails from its first bytes. */
	memcpy(copy, yb_pattern_msg(&p, 1), 4096);
	assert_int_equal(yb_pattern_check(&p, 2, copy, 4096, &bad), -1);
	assert_true(bad < 16);
	/* Consecutive messages start at different offsets of the pattern. */
	assert_ptr_not_equal(yb_pattern_msg(&p, 0), yb_pattern_msg(&p, 1));
	free(copy);
	yb_pattern_free(&p);
}

static void not_periodic_in_powers_of_two(void **state)
{
	struct yb_pattern p;
	(void)state;

	assert_int_equal(yb_pattern_init(&p, 1u << 17), 0);
	const uint8_t *m = yb_pattern_msg(&p, 0);
	for (size_t shift = 4096; shift <= 65536; shift *= 2)
		assert_memory_not_equal(m, m + shift, 64);
	yb_pattern_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(detects_damage),
		cmocka_unit_test(not_periodic_in_powers_of_two),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
