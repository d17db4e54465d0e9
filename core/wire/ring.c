/*
 * ring.c - the YASMIN ring protocol; see ring.h for the shared layout.
 *
 * Memory ordering.  Each side's counters and wake-up thresholds live in the
 * shared control page and are accessed with __atomic builtins only, so the
 * compiler neither tears, repeats nor elides them.  Three orderings matter:
 *
 *   1. Data before counter.  A producer's copy into the ring must be
 *      visible before its new producer counter (release store / acquire
 *      load), and a consumer's copy out must be complete before its new
 *      consumer counter lets the producer overwrite the bytes (same pair).
 *   2. Counter before threshold (store-load, the lost wake-up).  After
 *      publishing a counter a side reads the peer's threshold; a side
 *      about to sleep publishes its threshold and then re-reads the peer's
 *      counter.  Both are a store followed by a load of another location,
 *      which only a full barrier orders.  Each such store is a release
 *      store followed by a sequentially consistent fence (store_fence),
 *      and the loads after it are sequentially consistent, so one of the
 *      two sides always sees the other's store: either the sleeper sees
 *      the new counter and does not sleep, or the writer sees the
 *      threshold and signals.  The fence rather than a locked exchange on the
 *      shared word (which orders the same): on the development VM the
 *      exchange, which must own the peer's line before it completes,
 *      took the adaptive 1-byte one-way time from 0.31-0.40 us to
 *      0.66-0.75 us (alternating runs); the fence is a locked operation
 *      on our own stack.
 *   3. Close after data.  A side publishes its last counter before it
 *      clears its live byte (release), and the peer reads the live byte
 *      (acquire) before its final look at the counter, so no data sent
 *      before a close is lost.
 *   4. A small piece (ring.h) is a sequence lock inside the producer
 *      line: length 0, release fence, bytes, then start and length
 *      (release), all before the counter; the reader's acquire load of
 *      the descriptor, its copy, an acquire fence and a second load tell
 *      it whether the bytes it copied belong to the descriptor it
 *      validated.  The tail bytes need nothing more: they share the
 *      counter's 8-byte word, one release store and one acquire load.
 *
 * The peer is untrusted.  Our own counters are kept in private variables
 * and only ever written to the page; the peer's are loaded once per use
 * into a local, checked against what we know (a producer counter at most
 * one ring ahead of our consumer counter and never moving backwards, a
 * consumer counter between the last one we saw and our producer counter,
 * a small piece no longer than its line holds and covering the bytes we
 * are about to read) and only then used.  Offsets into the data rings are
 * always our private counter masked by our private size.  A violation marks the ring broken
 * with "peer corrupted ring: ..." and every later call fails.
 */
#include "core/wire/ring.h"

#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/base/le.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the ring layout is little-endian; a big-endian port must swap"
#endif

_Static_assert(YB_RING_OFF_LINE(1, 1) + 128 <= YB_RING_OFF_WANT(0),
	       "counter lines overlap the wake-up lines");
_Static_assert(YB_RING_OFF_SMALL_DATA(0) + YB_RING_SMALL_MAX <=
		       YB_RING_OFF_LINE(0, 0) + 64,
	       "a small piece must ride in its producer's 64-byte line");
_Static_assert(YB_RING_OFF_SMALL(0) % 8 == 0, "small_start/len: one load");
_Static_assert(YB_RING_OFF_WANT(1) + 128 <= YB_RING_OFF_BACKEND,
	       "control lines overlap the back end's area");
_Static_assert(YB_RING_OFF_BACKEND < YB_RING_PAGE, "no room for a back end");
_Static_assert(YB_RING_OFF_LINE(0, 1) - YB_RING_OFF_LINE(0, 0) >= 128,
	       "producer and consumer lines must not share a 128-byte pair");

#define LIVE_CLOSED 0
#define LIVE_OPEN 1
#define LIVE_SHUT 2 /* open, but sends nothing more (yb_ring_shutdown) */

/* Poll mode yields the CPU this often, so that a peer sharing it runs. */
#define POLL_YIELD_NS 50000
/* While spinning, ask the back end whether the peer died this often. */
#define GONE_CHECK_NS 1000000
/* Spin iterations between clock reads. */
#define SPIN_BATCH 32

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#endif
}

/* ---- the shared words --------------------------------------------------- */

static inline uint32_t *word(const struct yb_ring *r, unsigned off)
{
	return (uint32_t *)(void *)(r->ctrl + off);
}

/* Lines of the ring we write (ring index = our side) and of the one we read. */
#define TX_RING(r) ((unsigned)(r)->side)
#define RX_RING(r) (1u - (unsigned)(r)->side)
#define MY_SIDE(r) ((unsigned)(r)->side)
#define PEER_SIDE(r) (1u - (unsigned)(r)->side)
/* The producer counter and the stream's last four bytes, one 8-byte word. */
#define P_TX_PROD_TAIL(r) \
	((uint64_t *)(void *)((r)->ctrl + YB_RING_OFF_LINE(TX_RING(r), 0)))
#define P_RX_PROD_TAIL(r) \
	((const uint64_t *)(void *)((r)->ctrl + \
				    YB_RING_OFF_LINE(RX_RING(r), 0)))
#define P_TX_CONS(r) word(r, YB_RING_OFF_LINE(TX_RING(r), 1))
#define P_RX_CONS(r) word(r, YB_RING_OFF_LINE(RX_RING(r), 1))
/* Thresholds: ours in our wake-up line, the peer's in its own. */
#define P_MY_WANT_SPACE(r) word(r, YB_RING_OFF_WANT(MY_SIDE(r)))
#define P_MY_WANT_DATA(r) word(r, YB_RING_OFF_WANT(MY_SIDE(r)) + 4)
#define P_PEER_WANT_SPACE(r) word(r, YB_RING_OFF_WANT(PEER_SIDE(r)))
#define P_PEER_WANT_DATA(r) word(r, YB_RING_OFF_WANT(PEER_SIDE(r)) + 4)
#define P_TX_SMALL(r) \
	((uint64_t *)(void *)((r)->ctrl + YB_RING_OFF_SMALL(TX_RING(r))))
#define P_RX_SMALL(r) \
	((const uint64_t *)(void *)((r)->ctrl + YB_RING_OFF_SMALL(RX_RING(r))))
#define TX_SMALL_DATA(r) ((r)->ctrl + YB_RING_OFF_SMALL_DATA(TX_RING(r)))
#define RX_SMALL_DATA(r) ((r)->ctrl + YB_RING_OFF_SMALL_DATA(RX_RING(r)))

static inline uint8_t *live_byte(const struct yb_ring *r, int side)
{
	return r->ctrl + YB_RING_OFF_LIVE + side;
}

/* ---- names -------------------------------------------------------------- */

const char *yb_wait_name(int mode)
{
	switch (mode) {
	case YB_WAIT_POLL:
		return "poll";
	case YB_WAIT_BLOCK:
		return "block";
	case YB_WAIT_ADAPTIVE:
		return "adaptive";
	default:
		return "?";
	}
}

int yb_wait_parse(const char *s)
{
	for (int m = YB_WAIT_ADAPTIVE; m <= YB_WAIT_BLOCK; m++)
		if (strcmp(s, yb_wait_name(m)) == 0)
			return m;
	return -1;
}

/* ---- setup -------------------------------------------------------------- */

uint64_t yb_ring_shared_bytes(unsigned order0, unsigned order1)
{
	return YB_RING_PAGE + (1ull << order0) + (1ull << order1);
}

void yb_ring_format(void *ctrl, unsigned order0, unsigned order1)
{
	uint8_t *c = ctrl;

	memset(c, 0, YB_RING_PAGE);
	yb_put32(c + YB_RING_OFF_MAGIC, YB_RING_MAGIC);
	c[YB_RING_OFF_VERSION] = YB_RING_VERSION & 0xff;
	c[YB_RING_OFF_VERSION + 1] = YB_RING_VERSION >> 8;
	c[YB_RING_OFF_ORDER] = (uint8_t)order0;
	c[YB_RING_OFF_ORDER + 1] = (uint8_t)order1;
}

int yb_ring_check(const void *ctrl, unsigned order0, unsigned order1,
		  struct yb_err *err)
{
	const uint8_t *c = ctrl;
	/* One load of each field; the peer may change them under us. */
	uint32_t magic = __atomic_load_n((const uint32_t *)(const void *)
						 (c + YB_RING_OFF_MAGIC),
					 __ATOMIC_RELAXED);
	uint16_t version = __atomic_load_n((const uint16_t *)(const void *)
						   (c + YB_RING_OFF_VERSION),
					   __ATOMIC_RELAXED);
	uint8_t o0 = __atomic_load_n(c + YB_RING_OFF_ORDER, __ATOMIC_RELAXED);
	uint8_t o1 = __atomic_load_n(c + YB_RING_OFF_ORDER + 1,
				     __ATOMIC_RELAXED);

	if (magic != YB_RING_MAGIC)
		return yb_err_set(err, YB_EPROTO,
				  "peer corrupted ring: bad magic 0x%08x in "
				  "the control page",
				  magic);
	if (version != YB_RING_VERSION)
		return yb_err_set(err, YB_EPROTO,
				  "peer uses ring version %u, we use %u",
				  version, YB_RING_VERSION);
	if (o0 != order0 || o1 != order1)
		return yb_err_set(err, YB_EPEER,
				  "peer corrupted ring: control page says "
				  "rings of 2^%u and 2^%u bytes, 2^%u and "
				  "2^%u were agreed",
				  o0, o1, order0, order1);
	return 0;
}

/* The largest piece published at once: a quarter of the L2 cache. */
static uint32_t piece_cap(void)
{
	long l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
	uint32_t c = l2 > 0 ? (uint32_t)(l2 / 4) : 256u << 10;

	if (c < (64u << 10))
		c = 64u << 10;
	if (c > (1u << 20))
		c = 1u << 20;
	return c;
}

void yb_ring_attach(struct yb_ring *r, void *ctrl, void *data0, void *data1,
		    unsigned order0, unsigned order1, int side, int wait_mode,
		    uint64_t spin_ns, const struct yb_ring_signal *sig)
{
	memset(r, 0, sizeof(*r));
	r->ctrl = ctrl;
	r->side = side ? 1 : 0;
	r->tx = r->side ? data1 : data0;
	r->rx = r->side ? data0 : data1;
	r->tx_size = 1u << (r->side ? order1 : order0);
	r->rx_size = 1u << (r->side ? order0 : order1);
	r->tx_mask = r->tx_size - 1;
	r->rx_mask = r->rx_size - 1;
	/*
	 * Publish progress in pieces so the peer can copy while we do: a
	 * quarter of the ring, at most a quarter of our L2 cache, so that
	 * the peer reads what we wrote while it is still in that cache.
	 * Measured on the development VM (1 MiB L2), 1 MiB messages through
	 * a 4 MiB ring: 16 KiB pieces ~155 Gbit/s, 64 KiB ~205, 128 to 768
	 * KiB 220-240, 1 MiB pieces ~72 (the peer then reads from memory).
	 */
	uint32_t small = r->tx_size < r->rx_size ? r->tx_size : r->rx_size;
	uint32_t cap = piece_cap();
	r->chunk = small / 4 < cap ? small / 4 : cap;
	r->wait_mode = wait_mode;
	r->spin_ns = spin_ns;
	r->sig = *sig;
	/* Release: the formatted page is in place before we say we are here. */
	__atomic_store_n(live_byte(r, r->side), LIVE_OPEN, __ATOMIC_RELEASE);
}

/* ---- validation ----------------------------------------------------------- */

__attribute__((format(printf, 2, 3))) static ssize_t
corrupt(struct yb_ring *r, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(r->error, sizeof(r->error), "peer corrupted ring: ");

	va_start(ap, fmt);
	vsnprintf(r->error + n, sizeof(r->error) - (size_t)n, fmt, ap);
	va_end(ap);
	r->broken = 1;
	return YB_EPEER;
}

/* The peer's live byte: 1 open, 2 sends no more, 0 closed, < 0 corrupt. */
static int peer_live(struct yb_ring *r)
{
	/* Acquire: pairs with the release in yb_ring_close, so the counters
	 * we read after seeing "closed" are the final ones. */
	uint8_t v = __atomic_load_n(live_byte(r, 1 - r->side),
				    __ATOMIC_ACQUIRE);
	if (v > LIVE_SHUT)
		return (int)corrupt(r, "live byte of the peer is %u", v);
	return v;
}

/* Bytes readable in our rx ring, validated; < 0 if corrupt. */
static ssize_t rx_avail(struct yb_ring *r)
{
	/* Acquire (seq_cst for the re-check after arming): the data the
	 * producer wrote before this counter is visible after the load. */
	uint64_t w = __atomic_load_n(P_RX_PROD_TAIL(r), __ATOMIC_SEQ_CST);
	uint32_t prod = (uint32_t)w;
	uint32_t avail = prod - r->rx_cons;
	uint32_t seen = r->seen_rx_prod - r->rx_cons;

	if (avail > r->rx_size)
		return corrupt(r,
			       "producer counter %u is %u bytes past our "
			       "consumer counter %u, ring holds %u",
			       prod, avail, r->rx_cons, r->rx_size);
	if (avail < seen)
		return corrupt(r,
			       "producer counter moved backwards from %u to %u",
			       r->seen_rx_prod, prod);
	r->seen_rx_prod = prod;
	r->seen_rx_tail = (uint32_t)(w >> 32);
	return avail;
}

/* Free bytes in our tx ring, validated; < 0 if corrupt. */
static ssize_t tx_space(struct yb_ring *r)
{
	/* Acquire: the consumer finished copying the bytes it released
	 * before we overwrite them. */
	uint32_t cons = __atomic_load_n(P_TX_CONS(r), __ATOMIC_SEQ_CST);
	uint32_t window = r->tx_prod - r->seen_tx_cons;

	/* cons must lie between the last value seen and our producer. */
	if (cons - r->seen_tx_cons > window)
		return corrupt(r,
			       "consumer counter %u outside %u..%u (last seen "
			       "to our producer counter)",
			       cons, r->seen_tx_cons, r->tx_prod);
	r->seen_tx_cons = cons;
	return (ssize_t)(r->tx_size - (r->tx_prod - cons));
}

/* ---- data path ------------------------------------------------------------ */

static void signal_peer(struct yb_ring *r)
{
	r->st.notify_sent++;
	r->sig.notify(r->sig.ctx);
}

/* Did a counter moving from old to now cross the peer's threshold? */
static inline int crossed(uint32_t old, uint32_t now, uint32_t want)
{
	return (uint32_t)(now - want) < (uint32_t)(now - old);
}

static void copy_in(struct yb_ring *r, const uint8_t *src, uint32_t n)
{
	uint32_t off = r->tx_prod & r->tx_mask;
	uint32_t first = r->tx_size - off;

	if (first > n)
		first = n;
	memcpy(r->tx + off, src, first);
	memcpy(r->tx, src + first, n - first);
}

static void copy_out(struct yb_ring *r, uint8_t *dst, uint32_t n)
{
	uint32_t off = r->rx_cons & r->rx_mask;
	uint32_t first = r->rx_size - off;

	if (first > n)
		first = n;
	memcpy(dst, r->rx + off, first);
	memcpy(dst + first, r->rx, n - first);
}

/*
 * Store v to a shared word, then a full barrier: the release orders what
 * we did before (a copy) ahead of the store, the fence orders the store
 * ahead of every later load (the store-load half of the handshake).
 */
static inline void store_fence(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* After the fence: did our consumer counter, moved from old, cross the
 * producer's wake-up threshold? */
static void check_want_space(struct yb_ring *r, uint32_t old)
{
	uint32_t want = __atomic_load_n(P_PEER_WANT_SPACE(r), __ATOMIC_SEQ_CST);
	if (crossed(old, r->rx_cons, want))
		signal_peer(r);
	else
		r->st.notify_suppressed++;
}

/*
 * Publish our producer counter, and with it the consumer counter if small
 * reads left it unpublished: one fence for both, after both stores.
 */
static void publish_prod(struct yb_ring *r, uint32_t old)
{
	uint32_t cons_old = r->rx_cons_pub;
	int cons_moved = cons_old != r->rx_cons;

	if (cons_moved) {
		/* Release: our copies out are complete before the producer
		 * may reuse the space. */
		__atomic_store_n(P_RX_CONS(r), r->rx_cons, __ATOMIC_RELEASE);
		r->rx_cons_pub = r->rx_cons;
	}
	/* Release: the data copied in before the counter.  Fence: the
	 * counters before the loads of the thresholds (store-load). */
	__atomic_store_n(P_TX_PROD_TAIL(r),
			 (uint64_t)r->tx_prod | (uint64_t)r->tx_tail << 32,
			 __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	uint32_t want = __atomic_load_n(P_PEER_WANT_DATA(r), __ATOMIC_SEQ_CST);
	if (crossed(old, r->tx_prod, want))
		signal_peer(r);
	else
		r->st.notify_suppressed++;
	if (cons_moved)
		check_want_space(r, cons_old);
}

static void publish_cons(struct yb_ring *r)
{
	uint32_t old = r->rx_cons_pub;

	if (old == r->rx_cons)
		return;
	/* Release: our copy out is complete before the producer may reuse
	 * the space.  Fence: the counter before the load of want_space
	 * (store-load). */
	store_fence(P_RX_CONS(r), r->rx_cons);
	r->rx_cons_pub = r->rx_cons;
	check_want_space(r, old);
}

ssize_t yb_ring_readable(struct yb_ring *r)
{
	if (r->broken)
		return YB_EPEER;
	return rx_avail(r);
}

ssize_t yb_ring_writable(struct yb_ring *r)
{
	if (r->broken)
		return YB_EPEER;
	return tx_space(r);
}

/*
 * A small piece also rides in the producer line (ring.h): sequence lock,
 * writer half.  Length 0 first, so that a reader copying while we rewrite
 * sees the descriptor change; then the bytes; then start and length.
 */
static void small_put(struct yb_ring *r, const uint8_t *src, uint32_t n)
{
	uint64_t *d = P_TX_SMALL(r);

	__atomic_store_n(d, 0, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy(TX_SMALL_DATA(r), src, n);
	__atomic_store_n(d, (uint64_t)r->tx_prod | (uint64_t)n << 32,
			 __ATOMIC_RELEASE);
}

/* The stream's last four bytes, published with the producer counter. */
static void tail_put(struct yb_ring *r, const uint8_t *src, uint32_t n)
{
	uint32_t t;

	if (n >= YB_RING_TAIL) {
		memcpy(&t, src + n - YB_RING_TAIL, YB_RING_TAIL);
	} else {
		/* Little-endian: the oldest byte is the lowest. */
		t = r->tx_tail;
		for (uint32_t i = 0; i < n; i++)
			t = t >> 8 | (uint32_t)src[i] << 24;
	}
	r->tx_tail = t;
}

/*
 * Copy the n bytes at rx_cons from the tail that came with the producer
 * counter we last validated, if they are among its four bytes: 1 copied,
 * 0 not there.  Counter and tail were one load, so they agree.
 */
static int tail_get(struct yb_ring *r, uint8_t *dst, uint32_t n)
{
	uint32_t back = r->seen_rx_prod - r->rx_cons; /* >= n, validated */

	if (back > YB_RING_TAIL)
		return 0;
	uint32_t t = r->seen_rx_tail >> (8 * (YB_RING_TAIL - back));
	for (uint32_t i = 0; i < n; i++, t >>= 8)
		dst[i] = (uint8_t)t;
	r->st.small_read++;
	return 1;
}

/*
 * Reader half: copy the n bytes at rx_cons from the producer line if they
 * are in its small piece.  1 copied, 0 take them from the data ring, < 0
 * corrupt.  start and len are one load, validated before use; the bytes
 * are only kept if a second load finds the descriptor unchanged.
 */
static int small_get(struct yb_ring *r, uint8_t *dst, uint32_t n)
{
	uint64_t d = __atomic_load_n(P_RX_SMALL(r), __ATOMIC_ACQUIRE);
	uint32_t start = (uint32_t)d, len = (uint32_t)(d >> 32);
	uint32_t off = r->rx_cons - start;

	if (len > YB_RING_SMALL_MAX)
		return (int)corrupt(r, "small piece of %u bytes, at most %u fit",
				    len, YB_RING_SMALL_MAX);
	if (off >= len || n > len - off)
		return 0;
	memcpy(dst, RX_SMALL_DATA(r) + off, n);
	/* The copy is complete before the second look (load-load). */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (__atomic_load_n(P_RX_SMALL(r), __ATOMIC_RELAXED) != d)
		return 0;
	r->st.small_read++;
	return 1;
}

/* One attempt: > 0 bytes written, YB_EAGAIN, or an error. */
static ssize_t send_try(struct yb_ring *r, const uint8_t *buf, size_t len)
{
	if (r->broken)
		return YB_EPEER;
	if (r->closed || r->shut)
		return YB_EPIPE;
	int live = peer_live(r);
	if (live < 0)
		return live;
	if (live == LIVE_CLOSED || r->peer_closed) {
		r->peer_closed = 1;
		return YB_EPIPE;
	}
	/* The space the last consumer counter we saw leaves; the peer's
	 * line is fetched only when that is not enough. */
	ssize_t space = (ssize_t)(r->tx_size - (r->tx_prod - r->seen_tx_cons));
	if (space == 0 || (size_t)space < len) {
		space = tx_space(r);
		if (space <= 0)
			return space < 0 ? space : YB_EAGAIN;
	}
	size_t n = len < (size_t)space ? len : (size_t)space;
	size_t done = 0;
	while (done < n) {
		uint32_t c = (uint32_t)(n - done);
		if (c > r->chunk)
			c = r->chunk;
		copy_in(r, buf + done, c);
		tail_put(r, buf + done, c);
		if (c > YB_RING_TAIL && c <= YB_RING_SMALL_MAX)
			small_put(r, buf + done, c);
		uint32_t old = r->tx_prod;
		r->tx_prod += c;
		publish_prod(r, old);
		done += c;
	}
	r->st.bytes_sent += n;
	return (ssize_t)n;
}

/* One attempt: > 0 bytes read, 0 end of stream, YB_EAGAIN, or an error. */
static ssize_t recv_try(struct yb_ring *r, uint8_t *buf, size_t len)
{
	if (r->broken)
		return YB_EPEER;
	ssize_t avail = rx_avail(r);
	if (avail < 0)
		return avail;
	if (avail == 0) {
		int live = peer_live(r);
		if (live < 0)
			return live;
		if (live == LIVE_OPEN && !r->peer_closed)
			return YB_EAGAIN;
		/* Closed, or sends no more: anything sent before is
		 * visible now. */
		if (live == LIVE_CLOSED)
			r->peer_closed = 1;
		avail = rx_avail(r);
		if (avail <= 0)
			return avail;
	}
	if (len == 0)
		return 0;
	size_t n = len < (size_t)avail ? len : (size_t)avail;
	size_t done = 0;
	if (n <= YB_RING_SMALL_MAX) {
		int got = tail_get(r, buf, (uint32_t)n);
		if (!got)
			got = small_get(r, buf, (uint32_t)n);
		if (got < 0)
			return got;
		if (got) {
			/* Published lazily: with our next send's counter,
			 * before we wait, or once a quarter of the ring is
			 * read (ring.h). */
			r->rx_cons += (uint32_t)n;
			if (r->rx_cons - r->rx_cons_pub >= r->rx_size / 4)
				publish_cons(r);
			done = n;
		}
	}
	while (done < n) {
		uint32_t c = (uint32_t)(n - done);
		if (c > r->chunk)
			c = r->chunk;
		copy_out(r, buf + done, c);
		r->rx_cons += c;
		publish_cons(r);
		done += c;
	}
	r->st.bytes_received += n;
	return (ssize_t)n;
}

/*
 * Does the peer's live byte leave us nothing to wait for?  0 when it
 * does (closed, corrupt, or, for a reader, sending no more), 1 when
 * waiting still makes sense.
 */
static int live_ready(struct yb_ring *r, unsigned events)
{
	int live = peer_live(r);

	if (live == LIVE_OPEN)
		return 1;
	if (live == LIVE_SHUT && !(events & YB_RING_READ))
		return 1; /* it still reads what we write */
	return 0;
}

/*
 * Ask the peer to wake us when the ring becomes ready for events, then
 * look once more (the re-check half of the handshake).  1 if ready now.
 */
static int arm(struct yb_ring *r, unsigned events)
{
	int ready = 0;

	/* A producer waiting for space must see what we have read before
	 * we sleep. */
	publish_cons(r);
	r->st.wake_requests++;
	if (events & YB_RING_READ) {
		/* Wake me when the producer counter passes rx_cons + 1. */
		__atomic_store_n(P_MY_WANT_DATA(r), r->rx_cons + 1,
				 __ATOMIC_RELAXED);
	}
	if (events & YB_RING_WRITE) {
		/* Wake me when half of the ring is free again. */
		uint32_t half = r->tx_size / 2;
		__atomic_store_n(P_MY_WANT_SPACE(r),
				 r->tx_prod - r->tx_size + half,
				 __ATOMIC_RELAXED);
	}
	/* Full barrier: the thresholds are visible before the re-reads of
	 * the peer's counters below (store-load). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (events & YB_RING_READ) {
		ssize_t a = rx_avail(r);
		if (a != 0)
			ready = 1; /* data, or corruption to report */
	}
	if (events & YB_RING_WRITE) {
		ssize_t s = tx_space(r);
		if (s != 0)
			ready = 1;
	}
	if (!ready && !live_ready(r, events))
		ready = 1; /* closed or corrupt: the caller finds out */
	return ready || r->broken || r->peer_closed;
}

/* Ready for events without waiting? 1 yes, 0 no. */
static int ready_now(struct yb_ring *r, unsigned events)
{
	if (r->broken || r->peer_closed)
		return 1;
	if ((events & YB_RING_READ) && rx_avail(r) != 0)
		return 1;
	if ((events & YB_RING_WRITE) && tx_space(r) != 0)
		return 1;
	return !live_ready(r, events);
}

/*
 * While waiting on one direction, validate the other one too (the one we
 * wait on is checked anyway): a peer that corrupts the counters of the
 * ring we are not waiting on must not be able to park us forever.
 */
static void check_other(struct yb_ring *r, unsigned events)
{
	/* Unless another thread or process drives that direction: its
	 * counters are not ours to read then (it validates them itself). */
	if (r->split)
		return;
	if (!r->broken && !(events & YB_RING_READ))
		rx_avail(r);
	if (!r->broken && !(events & YB_RING_WRITE))
		tx_space(r);
}

/* The back end says the peer is gone; unless it closed the ring first,
 * record how we know, for the error message. */
static void peer_vanished(struct yb_ring *r)
{
	r->peer_closed = 1;
	if (!r->error[0] && r->sig.gone_why && peer_live(r) == LIVE_OPEN)
		snprintf(r->error, sizeof(r->error), "%s", r->sig.gone_why);
}

static void check_gone(struct yb_ring *r)
{
	if (r->sig.peer_gone && r->sig.peer_gone(r->sig.ctx) > 0)
		peer_vanished(r);
}

/*
 * Does the peer wait on the CPU we run on?  Then spinning only delays it:
 * it cannot run until we stop.  Each side publishes its CPU (plus one)
 * when it starts to wait; the peer's value is a hint, only compared.
 */
static int peer_shares_cpu(struct yb_ring *r)
{
	if (r->sig.foreign_cpus)
		return 0;
	int cpu = sched_getcpu();

	if (cpu < 0)
		return 0;
	uint32_t mine = (uint32_t)cpu + 1;
	if (mine != r->cpu_published) {
		__atomic_store_n(word(r, YB_RING_OFF_CPU + 4 * (unsigned)r->side),
				 mine, __ATOMIC_RELAXED);
		r->cpu_published = mine;
	}
	uint32_t peer = __atomic_load_n(
		word(r, YB_RING_OFF_CPU + 4 * (unsigned)(1 - r->side)),
		__ATOMIC_RELAXED);
	return peer == mine;
}

int yb_ring_wait(struct yb_ring *r, unsigned events, int timeout_ms)
{
	/* Before waiting for anything: the peer may be waiting for the
	 * space our unpublished reads freed. */
	publish_cons(r);
	uint64_t start = yb_now(), now = start;
	uint64_t limit = timeout_ms < 0 ? UINT64_MAX :
					  start + (uint64_t)timeout_ms * 1000000;
	uint64_t spin_until = r->wait_mode == YB_WAIT_POLL ? UINT64_MAX :
			      r->wait_mode == YB_WAIT_BLOCK ? start :
							      start + r->spin_ns;
	uint64_t yield_every = POLL_YIELD_NS;

	if (r->wait_mode != YB_WAIT_BLOCK && peer_shares_cpu(r)) {
		/* Adaptive: sleep at once.  Poll: hand the CPU over at
		 * every round instead of every 50 us. */
		if (r->wait_mode == YB_WAIT_ADAPTIVE)
			spin_until = start;
		yield_every = 0;
	}
	uint64_t next_yield = start + yield_every;
	uint64_t next_gone = start + GONE_CHECK_NS;

	/* Spin: cheapest wake-up there is, if the peer answers soon. */
	while (now < spin_until) {
		for (int i = 0; i < SPIN_BATCH; i++) {
			if (ready_now(r, events))
				return 1;
			cpu_relax();
		}
		r->st.spins += SPIN_BATCH;
		now = yb_now();
		if (now >= limit)
			return 0;
		if (now >= next_gone) {
			/* Rarely: the other direction's line is the peer's,
			 * and reading it while the peer writes it costs both
			 * of us a transfer. */
			check_other(r, events);
			check_gone(r);
			next_gone = now + GONE_CHECK_NS;
		}
		if (r->wait_mode == YB_WAIT_POLL && now >= next_yield) {
			/* A peer on the same CPU needs it to answer us. */
			sched_yield();
			next_yield = now + yield_every;
		}
	}

	/* Sleep until signalled, re-arming after every wake-up. */
	for (;;) {
		check_other(r, events);
		if (arm(r, events))
			return 1;
		int slice = YB_RING_SLEEP_SLICE_MS;
		if (limit != UINT64_MAX) {
			now = yb_now();
			if (now >= limit)
				return 0;
			uint64_t left = (limit - now + 999999) / 1000000;
			if (left < (uint64_t)slice)
				slice = (int)left;
		}
		r->st.sleeps++;
		int rc = r->sig.wait(r->sig.ctx, slice);
		if (rc < 0)
			return rc;
		if (rc == 2)
			peer_vanished(r);
		else if (rc == 0)
			check_gone(r);
	}
}

int yb_ring_fd(const struct yb_ring *r)
{
	return r->sig.fd ? r->sig.fd(r->sig.ctx) : -1;
}

/*
 * Before a non-blocking caller goes back to poll(2): take the wake-ups
 * already delivered, so that the descriptor is readable again only when
 * a new one arrives (a level-triggered fd would otherwise spin).
 */
static void consume_signals(struct yb_ring *r)
{
	if (r->sig.wait(r->sig.ctx, 0) == 2)
		peer_vanished(r);
}

ssize_t yb_ring_send(struct yb_ring *r, const void *buf, size_t len,
		     int nonblock)
{
	for (;;) {
		ssize_t n = send_try(r, buf, len);
		if (n != YB_EAGAIN || len == 0)
			return n;
		if (nonblock) {
			consume_signals(r);
			return arm(r, YB_RING_WRITE) ? send_try(r, buf, len) :
						       YB_EAGAIN;
		}
		int w = yb_ring_wait(r, YB_RING_WRITE, -1);
		if (w < 0)
			return w;
	}
}

ssize_t yb_ring_recv(struct yb_ring *r, void *buf, size_t len, int nonblock)
{
	for (;;) {
		ssize_t n = recv_try(r, buf, len);
		if (n != YB_EAGAIN)
			return n;
		if (nonblock) {
			consume_signals(r);
			return arm(r, YB_RING_READ) ? recv_try(r, buf, len) :
						      YB_EAGAIN;
		}
		int w = yb_ring_wait(r, YB_RING_READ, -1);
		if (w < 0)
			return w;
	}
}

unsigned yb_ring_poll(struct yb_ring *r, unsigned events)
{
	unsigned got = 0;

	for (int look = 0; look < 2; look++) {
		if (r->broken || r->peer_closed || r->closed)
			return events | YB_RING_HUP;
		if ((events & YB_RING_READ) &&
		    (rx_avail(r) != 0 || !live_ready(r, YB_RING_READ)))
			got |= YB_RING_READ;
		if ((events & YB_RING_WRITE) &&
		    (r->shut || tx_space(r) != 0 ||
		     !live_ready(r, YB_RING_WRITE)))
			got |= YB_RING_WRITE;
		if (r->broken || peer_live(r) == LIVE_CLOSED)
			got |= YB_RING_HUP;
		if (got || look)
			return got;
		/* Nothing yet: take the wake-ups already delivered, ask for
		 * the next, and look once more (the peer may have moved
		 * before it saw our request). */
		consume_signals(r);
		arm(r, events);
	}
	return got;
}

void yb_ring_shutdown(struct yb_ring *r)
{
	if (r->closed || r->shut || !r->ctrl)
		return;
	r->shut = 1;
	if (r->broken)
		return;
	/* Release: every byte we sent precedes the end of our stream. */
	__atomic_store_n(live_byte(r, r->side), LIVE_SHUT, __ATOMIC_RELEASE);
	if (!r->peer_closed)
		signal_peer(r);
}

ssize_t yb_ring_send_try(struct yb_ring *r, const void *buf, size_t len)
{
	return len ? send_try(r, buf, len) : 0;
}

ssize_t yb_ring_recv_try(struct yb_ring *r, void *buf, size_t len)
{
	return recv_try(r, buf, len);
}

void yb_ring_close(struct yb_ring *r)
{
	if (r->closed || !r->ctrl)
		return;
	r->closed = 1;
	if (!r->broken)
		publish_cons(r);
	/* Release: every counter we published precedes the close. */
	__atomic_store_n(live_byte(r, r->side), LIVE_CLOSED, __ATOMIC_RELEASE);
	if (!r->peer_closed && !r->broken)
		signal_peer(r);
}

const char *yb_ring_error(const struct yb_ring *r)
{
	return r->error;
}

void yb_ring_stats_meta(const struct yb_ring *r, struct yb_meta *m)
{
	yb_meta_set_int(m, "notify_sent", (long long)r->st.notify_sent);
	yb_meta_set_int(m, "notify_suppressed",
			(long long)r->st.notify_suppressed);
	yb_meta_set_int(m, "wake_requests", (long long)r->st.wake_requests);
	yb_meta_set_int(m, "sleeps", (long long)r->st.sleeps);
	yb_meta_set_int(m, "spins", (long long)r->st.spins);
	yb_meta_set_int(m, "small_read", (long long)r->st.small_read);
	yb_meta_set_int(m, "bytes_sent", (long long)r->st.bytes_sent);
	yb_meta_set_int(m, "bytes_received", (long long)r->st.bytes_received);
}
