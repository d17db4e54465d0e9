/*
 * fuzz_ring.c - libFuzzer harness: one side of the YASMIN ring against a
 * peer that controls every byte of the shared memory.
 *
 * The input is a program.  Its first byte picks the ring sizes; every
 * following op either lets the hostile peer write (any control-page word,
 * the live bytes, the thresholds, data bytes, a small piece in its
 * producer line - between any two of our calls, so values change between
 * two reads) or makes our side call the
 * ring's non-blocking API.  The shared memory is an exact-size heap block,
 * so AddressSanitizer catches any access outside it.  Checked invariants:
 * a call never returns more than asked, never more than the ring holds,
 * and once the ring reports corruption every later call fails too.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/wire/ring.h"

static int f_notify(void *ctx)
{
	(void)ctx;
	return 0;
}

static int f_wait(void *ctx, int timeout_ms)
{
	(void)ctx;
	(void)timeout_ms;
	return 0; /* nothing ever arrives: waits time out */
}

static int f_gone(void *ctx)
{
	return *(int *)ctx;
}

struct input {
	const uint8_t *p;
	size_t n;
};

static unsigned take(struct input *in, unsigned bytes)
{
	unsigned v = 0;

	for (unsigned i = 0; i < bytes; i++) {
		v = v << 8;
		if (in->n) {
			v |= *in->p++;
			in->n--;
		}
	}
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	unsigned cfg = take(&in, 1);
	unsigned o0 = 12 + (cfg & 3), o1 = 12 + ((cfg >> 2) & 3);
	int side = (cfg >> 4) & 1;
	size_t len = (size_t)yb_ring_shared_bytes(o0, o1);
	uint8_t *mem = malloc(len);
	uint8_t *buf = malloc(1u << 16);
	int gone = 0;

	if (!mem || !buf) {
		free(mem);
		free(buf);
		return 0;
	}
	memset(mem, 0, len);
	yb_ring_format(mem, o0, o1);
	struct yb_ring_signal sig = { f_notify, f_wait, f_gone, NULL, &gone };
	struct yb_ring r;
	uint8_t *d0 = mem + YB_RING_PAGE, *d1 = d0 + (1u << o0);
	yb_ring_attach(&r, mem, d0, d1, o0, o1, side, YB_WAIT_ADAPTIVE, 0,
		       &sig);
	/* The peer says it is there. */
	mem[YB_RING_OFF_LIVE + 1 - side] = 1;
	uint32_t rx_size = 1u << (side ? o0 : o1);
	uint32_t tx_size = 1u << (side ? o1 : o0);
	int broken = 0;

	while (in.n > 0) {
		unsigned op = take(&in, 1);
		ssize_t rc = 0;
		switch (op % 11) {
		case 0: { /* peer writes any control-page word */
			unsigned off = (take(&in, 2) % (YB_RING_PAGE / 4)) * 4;
			uint32_t v = take(&in, 4);
			memcpy(mem + off, &v, 4);
			break;
		}
		case 1: { /* peer moves a counter line it owns, plausibly */
			unsigned ring = take(&in, 1) & 1;
			unsigned off = YB_RING_OFF_LINE(ring, ring == (unsigned)side);
			uint32_t v;
			memcpy(&v, mem + off, 4);
			v += take(&in, 2) - 0x8000;
			memcpy(mem + off, &v, 4);
			break;
		}
		case 2: /* peer sets its live byte */
			mem[YB_RING_OFF_LIVE + 1 - side] = (uint8_t)take(&in, 1);
			break;
		case 3: { /* peer scribbles on data */
			unsigned off = take(&in, 4) % (unsigned)(len - YB_RING_PAGE);
			mem[YB_RING_PAGE + off] = (uint8_t)take(&in, 1);
			break;
		}
		case 4: { /* we send */
			size_t n = take(&in, 2);
			memset(buf, 0x5a, n);
			rc = yb_ring_send(&r, buf, n, 1);
			if (rc > 0 && ((size_t)rc > n || (uint32_t)rc > tx_size))
				abort();
			break;
		}
		case 5: { /* we receive */
			size_t n = take(&in, 2);
			rc = yb_ring_recv(&r, buf, n, 1);
			if (rc > 0 && ((size_t)rc > n || (uint32_t)rc > rx_size))
				abort();
			break;
		}
		case 6:
			rc = yb_ring_readable(&r);
			if (rc > (ssize_t)rx_size)
				abort();
			break;
		case 7:
			rc = yb_ring_writable(&r);
			if (rc > (ssize_t)tx_size)
				abort();
			break;
		case 8:
			rc = yb_ring_wait(&r, 1 + (take(&in, 1) & 1), 0);
			break;
		case 9:
			gone = take(&in, 1) & 1;
			break;
		case 10: { /* peer publishes a small piece near our reads */
			unsigned rx = 1u - (unsigned)side;
			uint32_t start = r.rx_cons + take(&in, 1) - 0x80;
			uint32_t n = take(&in, 1) % (YB_RING_SMALL_MAX + 2);
			uint64_t d = (uint64_t)start | (uint64_t)n << 32;
			memcpy(mem + YB_RING_OFF_SMALL(rx), &d, 8);
			memset(mem + YB_RING_OFF_SMALL_DATA(rx),
			       (int)take(&in, 1), YB_RING_SMALL_MAX);
			break;
		}
		}
		/* Corruption is sticky for every data-path call. */
		if (broken && rc >= 0 && op % 11 >= 4 && op % 11 <= 7)
			abort();
		if (rc == YB_EPEER) {
			if (strncmp(yb_ring_error(&r), "peer corrupted ring: ",
				    21) != 0)
				abort();
			broken = 1;
		}
	}
	yb_ring_check(mem, o0, o1, NULL);
	yb_ring_close(&r);
	free(mem);
	free(buf);
	return 0;
}
