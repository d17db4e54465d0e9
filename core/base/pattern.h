/*
 * pattern.h - the payload pattern that --verify checks.
 *
 * Byte i of message number s is P[(s * YB_PATTERN_STRIDE) % PERIOD + i],
 * where P is a pseudo-random byte sequence of period YB_PATTERN_PERIOD (a
 * prime, so it never lines up with power-of-two sizes).  Every byte thus
 * depends on its position and on the message it belongs to: a transport
 * that drops, duplicates, reorders or corrupts data fails the check.  A
 * sender sends straight out of the pattern buffer and a receiver compares
 * with memcmp, so verification costs one pass over the data.
 */
#ifndef YB_PATTERN_H
#define YB_PATTERN_H

#include <stddef.h>
#include <stdint.h>

#define YB_PATTERN_PERIOD 65521u
#define YB_PATTERN_STRIDE 7919u

struct yb_pattern {
	uint8_t *buf;
	size_t max_bytes;
};

int yb_pattern_init(struct yb_pattern *p, uint64_t max_bytes);
void yb_pattern_free(struct yb_pattern *p);

/* The expected bytes of message seq (valid for max_bytes bytes). */
static inline const uint8_t *yb_pattern_msg(const struct yb_pattern *p,
					    uint64_t seq)
{
	return p->buf + (seq * YB_PATTERN_STRIDE) % YB_PATTERN_PERIOD;
}

/* 0 if data matches message seq, else -1 with the first bad offset. */
int yb_pattern_check(const struct yb_pattern *p, uint64_t seq,
		     const uint8_t *data, size_t n, size_t *bad_off);

#endif /* YB_PATTERN_H */
