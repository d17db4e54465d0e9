/*
 * unit_ring.c - the YASMIN ring on its own: both sides in one process over
 * ordinary memory, wake-ups through real eventfds.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/base/clock.h"
#include "core/wire/ring.h"

/* ---- a two-sided test fixture --------------------------------------------- */

struct side_ctx {
	int self_fd, peer_fd;
	int gone; /* what peer_gone() reports */
};

static int t_notify(void *ctx)
{
	struct side_ctx *s = ctx;
	uint64_t one = 1;
	return write(s->peer_fd, &one, 8) == 8 ? 0 : -1;
}

static int t_wait(void *ctx, int timeout_ms)
{
	struct side_ctx *s = ctx;
	struct pollfd p = { .fd = s->self_fd, .events = POLLIN };
	int n = poll(&p, 1, timeout_ms);
	if (n > 0) {
		uint64_t v;
		if (read(s->self_fd, &v, 8) < 0 && errno != EAGAIN)
			return -1;
	}
	return n > 0 ? 1 : n;
}

static int t_gone(void *ctx)
{
	struct side_ctx *s = ctx;
	return __atomic_load_n(&s->gone, __ATOMIC_RELAXED);
}

static int t_fd(void *ctx)
{
	struct side_ctx *s = ctx;
	return s->self_fd;
}

struct pair {
	uint8_t *mem;
	unsigned order;
	struct side_ctx ctx[2];
	struct yb_ring r[2]; /* r[0] server, r[1] client */
};

static struct pair *pair_new(unsigned order, int wait_mode, uint64_t spin_ns)
{
	struct pair *p = calloc(1, sizeof(*p));
	assert_non_null(p);
	p->order = order;
	size_t len = (size_t)yb_ring_shared_bytes(order, order);
	assert_int_equal(posix_memalign((void **)&p->mem, 4096, len), 0);
	memset(p->mem, 0xee, len);
	int e0 = eventfd(0, EFD_NONBLOCK), e1 = eventfd(0, EFD_NONBLOCK);
	assert_true(e0 >= 0 && e1 >= 0);
	p->ctx[0] = (struct side_ctx){ e0, e1, 0 };
	p->ctx[1] = (struct side_ctx){ e1, e0, 0 };
	yb_ring_format(p->mem, order, order);
	assert_int_equal(yb_ring_check(p->mem, order, order, NULL), 0);
	uint8_t *d0 = p->mem + YB_RING_PAGE, *d1 = d0 + (1u << order);
	for (int i = 0; i < 2; i++) {
		struct yb_ring_signal sig = { t_notify, t_wait, t_gone, t_fd,
					      &p->ctx[i], "vanished (test)", 0 };
		yb_ring_attach(&p->r[i], p->mem, d0, d1, order, order, i,
			       wait_mode, spin_ns, &sig);
	}
	return p;
}

static void pair_free(struct pair *p)
{
	close(p->ctx[0].self_fd);
	close(p->ctx[1].self_fd);
	free(p->mem);
	free(p);
}

static uint32_t *shared_word(struct pair *p, unsigned off)
{
	return (uint32_t *)(void *)(p->mem + off);
}

static void fill(uint8_t *b, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)((seed + i) * 2654435761u >> 13);
}

/* ---- single-threaded behaviour ------------------------------------------- */

static void wraps_at_every_offset(void **state)
{
	struct pair *p = pair_new(12, YB_WAIT_POLL, 0);
	uint8_t msg[1500], got[1500], junk[4096];
	(void)state;

	/* Move the counters to every offset of the 4K ring, then send a
	 * message that straddles the end whenever it can. */
	for (unsigned off = 0; off < 4096; off++) {
		fill(msg, sizeof(msg), off);
		assert_int_equal(yb_ring_send(&p->r[0], msg, sizeof(msg), 1),
				 sizeof(msg));
		memset(got, 0, sizeof(got));
		assert_int_equal(yb_ring_recv(&p->r[1], got, sizeof(got), 1),
				 sizeof(got));
		assert_memory_equal(msg, got, sizeof(msg));
		/* Advance by one byte (net): 4096 - 1500 + 1 more. */
		size_t step = 4096 - sizeof(msg) + 1;
		assert_int_equal(yb_ring_send(&p->r[0], junk, step, 1), step);
		assert_int_equal(yb_ring_recv(&p->r[1], junk, step, 1), step);
	}
	/* And the other direction, independently. */
	fill(msg, sizeof(msg), 99);
	assert_int_equal(yb_ring_send(&p->r[1], msg, sizeof(msg), 1),
			 sizeof(msg));
	assert_int_equal(yb_ring_recv(&p->r[0], got, sizeof(got), 1),
			 sizeof(got));
	assert_memory_equal(msg, got, sizeof(msg));
	pair_free(p);
}

static void full_and_empty(void **state)
{
	struct pair *p = pair_new(12, YB_WAIT_POLL, 0);
	uint8_t buf[8192], out[8192];
	(void)state;

	fill(buf, sizeof(buf), 1);
	assert_int_equal(yb_ring_readable(&p->r[1]), 0);
	assert_int_equal(yb_ring_writable(&p->r[0]), 4096);
	assert_int_equal(yb_ring_recv(&p->r[1], out, 10, 1), YB_EAGAIN);
	/* A write larger than the ring is partial. */
	assert_int_equal(yb_ring_send(&p->r[0], buf, 6000, 1), 4096);
	assert_int_equal(yb_ring_writable(&p->r[0]), 0);
	assert_int_equal(yb_ring_readable(&p->r[1]), 4096);
	assert_int_equal(yb_ring_send(&p->r[0], buf, 1, 1), YB_EAGAIN);
	/* Partial reads. */
	assert_int_equal(yb_ring_recv(&p->r[1], out, 100, 1), 100);
	assert_int_equal(yb_ring_writable(&p->r[0]), 100);
	assert_int_equal(yb_ring_send(&p->r[0], buf + 4096, 1000, 1), 100);
	assert_int_equal(yb_ring_recv(&p->r[1], out + 100, 8192, 1), 4096);
	assert_memory_equal(out, buf, 4196);
	assert_int_equal(yb_ring_readable(&p->r[1]), 0);
	assert_int_equal(p->r[0].st.bytes_sent, 4196);
	assert_int_equal(p->r[1].st.bytes_received, 4196);
	pair_free(p);
}

static void wakeups_suppressed(void **state)
{
	struct pair *p = pair_new(16, YB_WAIT_BLOCK, 0);
	uint8_t buf[64], out[65536];
	(void)state;

	/* Nobody asked: 100 writes, no wake-up. */
	for (int i = 0; i < 100; i++)
		assert_int_equal(yb_ring_send(&p->r[0], buf, sizeof(buf), 1),
				 64);
	assert_int_equal(p->r[0].st.notify_sent, 0);
	assert_int_equal(p->r[0].st.notify_suppressed, 100);
	assert_int_equal(yb_ring_recv(&p->r[1], out, sizeof(out), 1), 6400);

	/* The reader finds nothing and asks to be woken (non-blocking
	 * receive arms it): the first write wakes it, the next 99 do not. */
	assert_int_equal(yb_ring_recv(&p->r[1], out, sizeof(out), 1),
			 YB_EAGAIN);
	for (int i = 0; i < 100; i++)
		yb_ring_send(&p->r[0], buf, sizeof(buf), 1);
	assert_int_equal(p->r[0].st.notify_sent, 1);
	struct pollfd pfd = { .fd = yb_ring_fd(&p->r[1]), .events = POLLIN };
	assert_int_equal(poll(&pfd, 1, 0), 1);
	assert_int_equal(yb_ring_recv(&p->r[1], out, sizeof(out), 1), 6400);

	/* A writer facing a full ring is woken once, when half drained. */
	uint64_t sent = p->r[1].st.notify_sent;
	while (yb_ring_send(&p->r[0], out, sizeof(out), 1) > 0)
		;
	assert_int_equal(yb_ring_send(&p->r[0], out, 1, 1), YB_EAGAIN);
	for (int i = 0; i < 32767; i++)
		assert_int_equal(yb_ring_recv(&p->r[1], out, 1, 1), 1);
	assert_int_equal(p->r[1].st.notify_sent, sent);
	assert_int_equal(yb_ring_recv(&p->r[1], out, 1, 1), 1);
	assert_int_equal(p->r[1].st.notify_sent, sent + 1);
	for (int i = 0; i < 1000; i++)
		yb_ring_recv(&p->r[1], out, 1, 1);
	assert_int_equal(p->r[1].st.notify_sent, sent + 1);
	pair_free(p);
}

static void close_delivers_then_eof(void **state)
{
	struct pair *p = pair_new(12, YB_WAIT_ADAPTIVE, 1000);
	uint8_t buf[100], out[200];
	(void)state;

	fill(buf, sizeof(buf), 7);
	assert_int_equal(yb_ring_send(&p->r[1], buf, sizeof(buf), 1), 100);
	yb_ring_close(&p->r[1]);
	/* Data sent before the close still arrives, then end of stream. */
	assert_int_equal(yb_ring_recv(&p->r[0], out, sizeof(out), 0), 100);
	assert_memory_equal(out, buf, 100);
	assert_int_equal(yb_ring_recv(&p->r[0], out, sizeof(out), 0), 0);
	assert_int_equal(yb_ring_recv(&p->r[0], out, sizeof(out), 1), 0);
	assert_int_equal(yb_ring_send(&p->r[0], buf, 1, 0), YB_EPIPE);
	assert_int_equal(yb_ring_wait(&p->r[0], YB_RING_READ, 1000), 1);
	/* An orderly close is no failure: nothing to explain. */
	assert_string_equal(yb_ring_error(&p->r[0]), "");
	pair_free(p);
}

static void dead_peer_noticed(void **state)
{
	static const int modes[] = { YB_WAIT_POLL, YB_WAIT_BLOCK,
				     YB_WAIT_ADAPTIVE };
	uint8_t out[16];
	(void)state;

	for (size_t m = 0; m < 3; m++) {
		struct pair *p = pair_new(12, modes[m], 100000);
		/* The back end says the peer died (it could not clear its
		 * live byte): a blocked reader returns end of stream. */
		p->ctx[0].gone = 1;
		uint64_t t0 = yb_now();
		assert_int_equal(yb_ring_recv(&p->r[0], out, sizeof(out), 0),
				 0);
		assert_true(yb_now() - t0 < 1000000000ull);
		assert_int_equal(yb_ring_send(&p->r[0], out, 1, 0), YB_EPIPE);
		/* ...and says how it knows, for the message. */
		assert_string_equal(yb_ring_error(&p->r[0]), "vanished (test)");
		pair_free(p);
	}
}

static void wait_times_out(void **state)
{
	struct pair *p = pair_new(12, YB_WAIT_ADAPTIVE, 1000);
	(void)state;

	uint64_t t0 = yb_now();
	assert_int_equal(yb_ring_wait(&p->r[0], YB_RING_READ, 50), 0);
	uint64_t dt = yb_now() - t0;
	assert_true(dt >= 45000000ull && dt < 1000000000ull);
	assert_int_equal(yb_ring_wait(&p->r[0], YB_RING_WRITE, 50), 1);
	pair_free(p);
}

/* ---- a hostile peer -------------------------------------------------------- */

/*
 * Expect the first operation on the damaged direction of r to fail with
 * "peer corrupted ring", and every operation after it.
 */
static void expect_broken(struct yb_ring *r, int tx, const char *what)
{
	uint8_t b[16] = { 0 };

	/* A send that fits the space already known does not read the
	 * consumer counter; asking for the space does. */
	if (tx)
		assert_int_equal(yb_ring_writable(r), YB_EPEER);
	assert_int_equal(yb_ring_recv(r, b, sizeof(b), 1), YB_EPEER);
	assert_int_equal(yb_ring_send(r, b, sizeof(b), 1), YB_EPEER);
	assert_int_equal(yb_ring_recv(r, b, sizeof(b), 0), YB_EPEER);
	assert_true(yb_ring_wait(r, YB_RING_READ, 10) != 0);
	if (strncmp(yb_ring_error(r), "peer corrupted ring: ", 21) != 0 ||
	    !strstr(yb_ring_error(r), what))
		fail_msg("error '%s' lacks '%s'", yb_ring_error(r), what);
}

static void hostile_counters(void **state)
{
	uint8_t b[64] = { 0 };
	(void)state;

	/* Producer counter more than a ring ahead of our consumer. */
	struct pair *p = pair_new(12, YB_WAIT_BLOCK, 0);
	__atomic_store_n(shared_word(p, YB_RING_OFF_LINE(0, 0)), 4097,
			 __ATOMIC_RELAXED);
	expect_broken(&p->r[1], 0, "past our consumer");
	pair_free(p);

	/* Producer counter moving backwards. */
	p = pair_new(12, YB_WAIT_BLOCK, 0);
	assert_int_equal(yb_ring_send(&p->r[0], b, 64, 1), 64);
	assert_int_equal(yb_ring_readable(&p->r[1]), 64);
	__atomic_store_n(shared_word(p, YB_RING_OFF_LINE(0, 0)), 10,
			 __ATOMIC_RELAXED);
	expect_broken(&p->r[1], 0, "backwards");
	pair_free(p);

	/* Producer counter far behind (wrapped "negative"). */
	p = pair_new(12, YB_WAIT_BLOCK, 0);
	__atomic_store_n(shared_word(p, YB_RING_OFF_LINE(0, 0)), 0xfffffff0u,
			 __ATOMIC_RELAXED);
	expect_broken(&p->r[1], 0, "producer counter");
	pair_free(p);

	/* Consumer counter ahead of what we produced. */
	p = pair_new(12, YB_WAIT_BLOCK, 0);
	assert_int_equal(yb_ring_send(&p->r[0], b, 64, 1), 64);
	__atomic_store_n(shared_word(p, YB_RING_OFF_LINE(0, 1)), 65,
			 __ATOMIC_RELAXED);
	expect_broken(&p->r[0], 1, "consumer counter 65");
	pair_free(p);

	/* Consumer counter moving backwards. */
	p = pair_new(12, YB_WAIT_BLOCK, 0);
	assert_int_equal(yb_ring_send(&p->r[0], b, 64, 1), 64);
	assert_int_equal(yb_ring_recv(&p->r[1], b, 64, 1), 64);
	assert_int_equal(yb_ring_writable(&p->r[0]), 4096);
	__atomic_store_n(shared_word(p, YB_RING_OFF_LINE(0, 1)), 3,
			 __ATOMIC_RELAXED);
	expect_broken(&p->r[0], 1, "consumer counter 3");
	pair_free(p);

	/* A live byte that is neither 0 nor 1. */
	p = pair_new(12, YB_WAIT_BLOCK, 0);
	p->mem[YB_RING_OFF_LIVE + 1] = 7;
	assert_int_equal(yb_ring_recv(&p->r[0], b, sizeof(b), 1), YB_EPEER);
	assert_non_null(strstr(yb_ring_error(&p->r[0]), "live byte"));
	pair_free(p);

	/* Thresholds are only compared, never used as offsets: garbage
	 * there costs at most a wasted wake-up. */
	p = pair_new(12, YB_WAIT_BLOCK, 0);
	__atomic_store_n(shared_word(p, YB_RING_OFF_WANT(1) + 4),
			 0xdeadbeefu, __ATOMIC_RELAXED);
	assert_int_equal(yb_ring_send(&p->r[0], b, 64, 1), 64);
	assert_int_equal(yb_ring_recv(&p->r[1], b, 64, 1), 64);
	assert_string_equal(yb_ring_error(&p->r[0]), "");
	pair_free(p);
}

static void hostile_control_page(void **state)
{
	struct pair *p = pair_new(12, YB_WAIT_BLOCK, 0);
	struct yb_err err = { 0 };
	(void)state;

	assert_int_equal(yb_ring_check(p->mem, 12, 13, &err), YB_EPEER);
	assert_non_null(strstr(err.msg, "agreed"));
	p->mem[YB_RING_OFF_VERSION] = 9;
	assert_int_equal(yb_ring_check(p->mem, 12, 12, &err), YB_EPROTO);
	assert_non_null(strstr(err.msg, "version 9"));
	p->mem[YB_RING_OFF_MAGIC] ^= 1;
	assert_int_equal(yb_ring_check(p->mem, 12, 12, &err), YB_EPROTO);
	assert_non_null(strstr(err.msg, "magic"));
	pair_free(p);
}

/*
 * A piece of at most YB_RING_SMALL_MAX bytes also rides in the producer
 * line, and a reader whose next bytes are that piece takes them there;
 * anything else comes from the data ring, which always holds the stream.
 */
static void small_pieces(void **state)
{
	struct pair *p = pair_new(12, YB_WAIT_BLOCK, 0);
	struct yb_ring *w = &p->r[0], *r = &p->r[1];
	uint8_t b[128], big[YB_RING_SMALL_MAX + 1];
	(void)state;

	/* Up to four bytes: in the word of the producer counter. */
	assert_int_equal(yb_ring_send(w, "abc", 3, 1), 3);
	uint64_t word;
	memcpy(&word, p->mem + YB_RING_OFF_LINE(0, 0), 8);
	assert_int_equal((uint32_t)word, 3);
	assert_memory_equal((uint8_t *)&word + 5, "abc", 3);
	assert_int_equal(yb_ring_recv(r, b, sizeof(b), 1), 3);
	assert_memory_equal(b, "abc", 3);
	assert_int_equal(r->st.small_read, 1);
	/* One byte, then two, then one more: the tail slides along. */
	assert_int_equal(yb_ring_send(w, "d", 1, 1), 1);
	assert_int_equal(yb_ring_recv(r, b, sizeof(b), 1), 1);
	assert_int_equal(yb_ring_send(w, "ef", 2, 1), 2);
	assert_int_equal(yb_ring_send(w, "g", 1, 1), 1);
	assert_int_equal(yb_ring_recv(r, b + 1, sizeof(b), 1), 3);
	assert_memory_equal(b, "defg", 4);
	assert_int_equal(r->st.small_read, 3);
	/* Scribbling on the data ring does not reach a tail read (so the
	 * bytes did come from the counter's word). */
	assert_int_equal(yb_ring_send(w, "h", 1, 1), 1);
	p->mem[YB_RING_PAGE + 7] = 'X';
	assert_int_equal(yb_ring_recv(r, b, sizeof(b), 1), 1);
	assert_int_equal(b[0], 'h');
	assert_int_equal(r->st.small_read, 4);

	/* 5 to 48 bytes: in small[]; the line holds only the newest piece. */
	assert_int_equal(yb_ring_send(w, "ABCDEF", 6, 1), 6);
	assert_int_equal(yb_ring_recv(r, b, sizeof(b), 1), 6);
	assert_memory_equal(b, "ABCDEF", 6);
	assert_int_equal(r->st.small_read, 5);
	assert_int_equal(yb_ring_send(w, "GHIJKL", 6, 1), 6);
	assert_int_equal(yb_ring_send(w, "MNOPQR", 6, 1), 6);
	assert_int_equal(yb_ring_recv(r, b, sizeof(b), 1), 12);
	assert_memory_equal(b, "GHIJKLMNOPQR", 12);
	assert_int_equal(r->st.small_read, 5);

	/* Part of a piece, then the rest: both from the line. */
	assert_int_equal(yb_ring_send(w, "STUVWX", 6, 1), 6);
	assert_int_equal(yb_ring_recv(r, b, 1, 1), 1);
	assert_int_equal(yb_ring_recv(r, b + 1, 5, 1), 5);
	assert_memory_equal(b, "STUVWX", 6);
	assert_int_equal(r->st.small_read, 7);

	/* One byte too many for the line: the data ring (the tail still
	 * holds its last four bytes, which a short read may take). */
	fill(big, sizeof(big), 7);
	assert_int_equal(yb_ring_send(w, big, sizeof(big), 1), sizeof(big));
	assert_int_equal(yb_ring_recv(r, b, sizeof(b), 1), sizeof(big));
	assert_memory_equal(b, big, sizeof(big));
	assert_int_equal(r->st.small_read, 7);

	/* A writer in the middle of rewriting small[] (length 0): the
	 * reader takes the bytes from the data ring. */
	assert_int_equal(yb_ring_send(w, "abcdefgh", 8, 1), 8);
	__atomic_store_n(shared_word(p, YB_RING_OFF_SMALL(0) + 4), 0,
			 __ATOMIC_RELAXED);
	memset(p->mem + YB_RING_OFF_SMALL_DATA(0), 'x', 8);
	assert_int_equal(yb_ring_recv(r, b, sizeof(b), 1), 8);
	assert_memory_equal(b, "abcdefgh", 8);
	assert_int_equal(r->st.small_read, 7);
	assert_string_equal(yb_ring_error(r), "");

	/* A length that cannot fit the line is corruption. */
	assert_int_equal(yb_ring_send(w, "pqrstu", 6, 1), 6);
	__atomic_store_n(shared_word(p, YB_RING_OFF_SMALL(0) + 4),
			 YB_RING_SMALL_MAX + 1, __ATOMIC_RELAXED);
	expect_broken(r, 0, "small piece of 49 bytes");
	pair_free(p);
}

/*
 * The consumer counter of small reads is published lazily: with our next
 * producer counter, before we wait, at a quarter of the ring, on close.
 */
static void lazy_consumer_counter(void **state)
{
	struct pair *p = pair_new(12, YB_WAIT_BLOCK, 0);
	struct yb_ring *w = &p->r[0], *r = &p->r[1];
	uint32_t *cons = shared_word(p, YB_RING_OFF_LINE(0, 1));
	uint8_t b[64] = { 0 };
	(void)state;

	uint32_t c0 = *cons;
	assert_int_equal(yb_ring_send(w, "abc", 3, 1), 3);
	assert_int_equal(yb_ring_recv(r, b, sizeof(b), 1), 3);
	assert_int_equal(*cons, c0);
	assert_int_equal(yb_ring_send(r, "z", 1, 1), 1);
	assert_int_equal(*cons, 3);

	assert_int_equal(yb_ring_send(w, "def", 3, 1), 3);
	assert_int_equal(yb_ring_recv(r, b, sizeof(b), 1), 3);
	assert_int_equal(*cons, 3);
	assert_int_equal(yb_ring_wait(r, YB_RING_READ, 0), 0);
	assert_int_equal(*cons, 6);

	/* Small reads alone: published by the time a quarter is read. */
	uint32_t quarter = 4096 / 4, got = 0;
	while (got < quarter) {
		assert_int_equal(yb_ring_send(w, b, 16, 1), 16);
		assert_int_equal(yb_ring_recv(r, b, 16, 1), 16);
		got += 16;
	}
	assert_int_equal(*cons, 6 + quarter);

	assert_int_equal(yb_ring_send(w, "g", 1, 1), 1);
	assert_int_equal(yb_ring_recv(r, b, 1, 1), 1);
	assert_int_equal(*cons, 6 + quarter);
	yb_ring_close(r);
	assert_int_equal(*cons, 7 + quarter);
	pair_free(p);
}

/* ---- two threads ------------------------------------------------------------ */

struct xfer {
	struct yb_ring *r;
	size_t total, msg;
	uint64_t sum;
	int rc;
};

/* The test stream: byte pos is a function of pos. */
static uint8_t stream_byte(size_t pos)
{
	return (uint8_t)(pos * 31 + (pos >> 11));
}

/* Are the n bytes in buf the stream's from offset off? */
static int stream_ok(const uint8_t *buf, size_t n, size_t off)
{
	for (size_t i = 0; i < n; i++)
		if (buf[i] != stream_byte(off + i))
			return 0;
	return 1;
}

/* A sending and a receiving thread, run to their end. */
static void run_threads(void *(*send_fn)(void *), struct xfer *tx,
			void *(*recv_fn)(void *), struct xfer *rx)
{
	pthread_t a, b;

	pthread_create(&a, NULL, send_fn, tx);
	pthread_create(&b, NULL, recv_fn, rx);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
}

static void *sender(void *arg)
{
	struct xfer *x = arg;
	uint8_t *buf = malloc(x->msg);
	size_t off = 0;

	while (off < x->total && !x->rc) {
		size_t n = x->total - off < x->msg ? x->total - off : x->msg;
		for (size_t i = 0; i < n; i++)
			buf[i] = stream_byte(off + i);
		size_t done = 0;
		while (done < n) {
			ssize_t k = yb_ring_send(x->r, buf + done, n - done, 0);
			if (k <= 0) {
				x->rc = (int)k;
				break;
			}
			done += (size_t)k;
		}
		off += n;
	}
	yb_ring_close(x->r);
	free(buf);
	return NULL;
}

static void *receiver(void *arg)
{
	struct xfer *x = arg;
	uint8_t *buf = malloc(x->msg);
	size_t off = 0;

	for (;;) {
		ssize_t k = yb_ring_recv(x->r, buf, x->msg, 0);
		if (k <= 0) {
			x->rc = (int)k;
			break;
		}
		if (!stream_ok(buf, (size_t)k, off)) {
			x->rc = -1000;
			yb_ring_close(x->r); /* the sender stops too */
			goto out;
		}
		off += (size_t)k;
	}
out:
	x->total = off;
	free(buf);
	return NULL;
}

static void threaded_streams(void **state)
{
	static const int modes[] = { YB_WAIT_POLL, YB_WAIT_BLOCK,
				     YB_WAIT_ADAPTIVE };
	static const unsigned orders[] = { 12, 16, 20 };
	static const size_t msgs[] = { 1, 1000, 65536 };
	(void)state;

	for (size_t m = 0; m < 3; m++) {
		for (size_t o = 0; o < 3; o++) {
			struct pair *p = pair_new(orders[o], modes[m], 20000);
			size_t total = msgs[o] == 1 ? 200000 : 16u << 20;
			struct xfer tx = { &p->r[0], total, msgs[o], 0, 0 };
			struct xfer rx = { &p->r[1], 0, 7919, 0, 0 };
			run_threads(sender, &tx, receiver, &rx);
			if (tx.rc || rx.rc || rx.total != total)
				fail_msg("%s, 2^%u ring, %zu-byte writes: sent "
					 "rc %d, received %zu of %zu, rc %d",
					 yb_wait_name(modes[m]), orders[o],
					 msgs[o], tx.rc, rx.total, total,
					 rx.rc);
			/* Wake-ups only when asked: every one answers a
			 * request of the other side (plus the close). */
			const struct yb_ring_stats *w = &p->r[0].st,
						   *r = &p->r[1].st;
			if (w->notify_sent > r->wake_requests + 2 ||
			    r->notify_sent > w->wake_requests + 2)
				fail_msg("%s: %llu/%llu wake-ups for %llu/%llu "
					 "requests",
					 yb_wait_name(modes[m]),
					 (unsigned long long)w->notify_sent,
					 (unsigned long long)r->notify_sent,
					 (unsigned long long)r->wake_requests,
					 (unsigned long long)w->wake_requests);
			/* Spinning first: small writes cost far fewer
			 * wake-ups than writes. */
			uint64_t writes = w->notify_sent + w->notify_suppressed;
			if (modes[m] != YB_WAIT_BLOCK && msgs[o] < 65536 &&
			    w->notify_sent * 4 >= writes)
				fail_msg("%s, %zu-byte writes: %llu wake-ups "
					 "for %llu writes",
					 yb_wait_name(modes[m]), msgs[o],
					 (unsigned long long)w->notify_sent,
					 (unsigned long long)writes);
			if (modes[m] == YB_WAIT_POLL)
				assert_true(p->r[0].st.notify_sent <= 2);
			pair_free(p);
		}
	}
}

/* Pieces of 1 to 48 bytes, read 1 to 13 at a time while they are being
 * rewritten: every byte arrives, in order, and the line carries some. */
static void *small_sender(void *arg)
{
	struct xfer *x = arg;
	uint8_t buf[YB_RING_SMALL_MAX];
	size_t off = 0;

	for (size_t k = 0; off < x->total && !x->rc; k++) {
		size_t n = 1 + k % YB_RING_SMALL_MAX;
		if (n > x->total - off)
			n = x->total - off;
		for (size_t i = 0; i < n; i++)
			buf[i] = stream_byte(off + i);
		ssize_t s = yb_ring_send(x->r, buf, n, 0);
		if (s <= 0)
			x->rc = (int)s;
		else
			off += (size_t)s;
	}
	yb_ring_close(x->r);
	return NULL;
}

static void *small_receiver(void *arg)
{
	struct xfer *x = arg;
	uint8_t buf[13];
	size_t off = 0;

	for (size_t k = 0;; k++) {
		ssize_t n = yb_ring_recv(x->r, buf, 1 + k % sizeof(buf), 0);
		if (n <= 0) {
			x->rc = (int)n;
			break;
		}
		if (!stream_ok(buf, (size_t)n, off)) {
			x->rc = -1000;
			x->total = off;
			yb_ring_close(x->r); /* the sender stops too */
			return NULL;
		}
		off += (size_t)n;
	}
	x->total = off;
	return NULL;
}

static void small_pieces_threaded(void **state)
{
	(void)state;

	for (int m = YB_WAIT_ADAPTIVE; m <= YB_WAIT_POLL; m++) {
		struct pair *p = pair_new(12, m, 20000);
		size_t total = 4u << 20;
		struct xfer tx = { &p->r[0], total, 0, 0, 0 };
		struct xfer rx = { &p->r[1], 0, 0, 0, 0 };
		run_threads(small_sender, &tx, small_receiver, &rx);
		if (tx.rc || rx.rc || rx.total != total)
			fail_msg("%s: sent rc %d, received %zu of %zu, rc %d",
				 yb_wait_name(m), tx.rc, rx.total, total,
				 rx.rc);
		assert_true(p->r[1].st.small_read > 0);
		pair_free(p);
	}
}

/*
 * A large write is published in pieces, so the reader can copy while the
 * writer does: a quarter of the ring at most, and no more than 1 MiB
 */
static void large_writes_published_in_pieces(void **state)
{
	static const unsigned orders[] = { 14, 22 };
	(void)state;

	for (size_t o = 0; o < 2; o++) {
		struct pair *p = pair_new(orders[o], YB_WAIT_BLOCK, 0);
		size_t ring = (size_t)1 << orders[o], len = ring / 2 + 1;
		uint8_t *buf = malloc(len), *out = malloc(len);
		assert_non_null(buf);
		assert_non_null(out);
		fill(buf, len, 5);
		uint32_t piece = p->r[0].chunk;
		assert_true(piece >= 1 && piece <= ring / 4);
		assert_true(piece <= (1u << 20));
		/* ... and a quarter of the L2 cache, where that is known:
		 * the reader takes the bytes from the writer's cache. */
		long l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
		if (l2 >= (256 << 10))
			assert_true(piece <= (uint64_t)l2 / 4);
		assert_int_equal(yb_ring_send(&p->r[0], buf, len, 1),
				 (ssize_t)len);
		/* One counter update per piece, each a wake-up decision. */
		uint64_t publishes = p->r[0].st.notify_sent +
				     p->r[0].st.notify_suppressed;
		assert_int_equal(publishes, (len + piece - 1) / piece);
		assert_true(publishes >= 3);
		assert_int_equal(yb_ring_recv(&p->r[1], out, len, 1),
				 (ssize_t)len);
		assert_memory_equal(out, buf, len);
		free(buf);
		free(out);
		pair_free(p);
	}
}

/*
 * shutdown: the peer reads what was sent, then the end of the stream,
 * while the other direction goes on; we can no longer send.
 */
static void half_close(void **state)
{
	(void)state;
	struct pair *p = pair_new(12, YB_WAIT_BLOCK, 0);
	uint8_t b[64] = { 1, 2, 3 };

	assert_int_equal(yb_ring_send(&p->r[1], b, 10, 1), 10);
	yb_ring_shutdown(&p->r[1]);
	yb_ring_shutdown(&p->r[1]); /* idempotent */
	assert_int_equal(p->mem[YB_RING_OFF_LIVE + 1], 2);
	assert_int_equal(yb_ring_send(&p->r[1], b, 1, 1), YB_EPIPE);
	/* The server: the ten bytes, then the end, and again the end. */
	assert_int_equal(yb_ring_recv(&p->r[0], b, sizeof(b), 1), 10);
	assert_int_equal(b[2], 3);
	assert_int_equal(yb_ring_recv(&p->r[0], b, sizeof(b), 1), 0);
	assert_int_equal(yb_ring_recv(&p->r[0], b, sizeof(b), 0), 0);
	assert_true(yb_ring_poll(&p->r[0], YB_RING_READ) & YB_RING_READ);
	/* The other way still works, both ways round. */
	assert_int_equal(yb_ring_send(&p->r[0], "abc", 3, 1), 3);
	assert_int_equal(yb_ring_recv(&p->r[1], b, sizeof(b), 1), 3);
	assert_memory_equal(b, "abc", 3);
	/* A writer waiting for space is not woken by the peer's shutdown:
	 * fill the ring, and the server is still not writable. */
	uint8_t big[4096];
	memset(big, 7, sizeof(big));
	ssize_t filled = 0, n;
	while ((n = yb_ring_send(&p->r[0], big, sizeof(big), 1)) > 0)
		filled += n;
	assert_int_equal(n, YB_EAGAIN);
	assert_true(filled >= 4093);
	assert_int_equal(yb_ring_poll(&p->r[0], YB_RING_WRITE), 0);
	assert_int_equal(yb_ring_wait(&p->r[0], YB_RING_WRITE, 30), 0);
	/* Until the peer closes: then writing fails at once. */
	yb_ring_close(&p->r[1]);
	assert_true(yb_ring_poll(&p->r[0], YB_RING_WRITE) & YB_RING_HUP);
	assert_int_equal(yb_ring_send(&p->r[0], big, 1, 1), YB_EPIPE);
	pair_free(p);
}

/*
 * poll: ready now, or the peer asked to ring the doorbell (our fd) for
 * exactly what we wait for; a data-less ring is not readable.
 */
static void poll_arms_doorbell(void **state)
{
	(void)state;
	struct pair *p = pair_new(12, YB_WAIT_BLOCK, 0);
	uint8_t b[16];
	struct pollfd pf = { .fd = p->ctx[0].self_fd, .events = POLLIN };

	assert_int_equal(yb_ring_poll(&p->r[0], YB_RING_WRITE), YB_RING_WRITE);
	assert_int_equal(yb_ring_poll(&p->r[0], YB_RING_READ), 0);
	assert_int_equal(poll(&pf, 1, 0), 0); /* no doorbell yet */
	assert_int_equal(yb_ring_send(&p->r[1], "x", 1, 1), 1);
	assert_int_equal(poll(&pf, 1, 1000), 1); /* rang for the data */
	assert_int_equal(yb_ring_poll(&p->r[0], YB_RING_READ | YB_RING_WRITE),
			 YB_RING_READ | YB_RING_WRITE);
	assert_int_equal(yb_ring_recv(&p->r[0], b, sizeof(b), 1), 1);
	/* Empty again: asking takes the old wake-up, arms anew. */
	assert_int_equal(yb_ring_poll(&p->r[0], YB_RING_READ), 0);
	assert_int_equal(poll(&pf, 1, 0), 0);
	/* A peer that goes is a hang-up, and readable (end of stream). */
	yb_ring_close(&p->r[1]);
	unsigned got = yb_ring_poll(&p->r[0], YB_RING_READ);
	assert_true(got & YB_RING_READ);
	assert_true(got & YB_RING_HUP);
	assert_int_equal(yb_ring_recv(&p->r[0], b, sizeof(b), 1), 0);
	pair_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(wraps_at_every_offset),
		cmocka_unit_test(full_and_empty),
		cmocka_unit_test(wakeups_suppressed),
		cmocka_unit_test(large_writes_published_in_pieces),
		cmocka_unit_test(close_delivers_then_eof),
		cmocka_unit_test(dead_peer_noticed),
		cmocka_unit_test(wait_times_out),
		cmocka_unit_test(hostile_counters),
		cmocka_unit_test(hostile_control_page),
		cmocka_unit_test(small_pieces),
		cmocka_unit_test(lazy_consumer_counter),
		cmocka_unit_test(small_pieces_threaded),
		cmocka_unit_test(threaded_streams),
		cmocka_unit_test(half_close),
		cmocka_unit_test(poll_arms_doorbell),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
