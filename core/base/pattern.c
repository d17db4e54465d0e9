/* pattern.c - the --verify payload pattern; see pattern.h. */
#include "core/base/pattern.h"

#include <stdlib.h>
#include <string.h>

#include "core/base/err.h"

int yb_pattern_init(struct yb_pattern *p, uint64_t max_bytes)
{
	size_t len = (size_t)max_bytes + YB_PATTERN_PERIOD;
	void *buf;

	if (posix_memalign(&buf, 4096, len) != 0)
		return YB_ENOMEM;
	p->buf = buf;
	p->max_bytes = (size_t)max_bytes;
	/* One period of a xorshift sequence, then repeat it. */
	uint32_t x = 0x9e3779b9u;
	for (size_t i = 0; i < YB_PATTERN_PERIOD && i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p->buf[i] = (uint8_t)(x >> 24);
	}
	for (size_t i = YB_PATTERN_PERIOD; i < len; i++)
		p->buf[i] = p->buf[i - YB_PATTERN_PERIOD];
	return 0;
}

void yb_pattern_free(struct yb_pattern *p)
{
	free(p->buf);
	p->buf = NULL;
}

int yb_pattern_check(const struct yb_pattern *p, uint64_t seq,
		     const uint8_t *data, size_t n, size_t *bad_off)
{
	const uint8_t *want = yb_pattern_msg(p, seq);

	if (memcmp(want, data, n) == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (want[i] != data[i]) {
			*bad_off = i;
			return -1;
		}
	}
	return 0;
}
