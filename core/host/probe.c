/* probe.c - memcpy, cache-line, duplex-line and cross-core copy probes;
 * see probe.h. */
#include "core/host/probe.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/base/stats.h"
#include "core/host/sysinfo.h"

int yb_probe_memcpy(size_t bytes, double seconds, double *gbps,
		    struct yb_err *err)
{
	uint8_t *src = NULL, *dst = NULL;

	if (bytes == 0 || posix_memalign((void **)&src, 4096, bytes) ||
	    posix_memalign((void **)&dst, 4096, bytes)) {
		free(src);
		return yb_err_set(err, YB_ENOMEM,
				  "cannot allocate 2 x %zu bytes for the "
				  "memcpy probe",
				  bytes);
	}
	memset(src, 0x5a, bytes);
	memset(dst, 0, bytes);
	/* Repetitions for one batch of about 10 ms, from a first copy. */
	yb_ns t0 = yb_now();
	memcpy(dst, src, bytes);
	yb_ns one = yb_now() - t0;
	uint64_t reps = one ? 10000000 / one : 1000;
	if (reps < 1)
		reps = 1;
	double best = 0;
	yb_ns end = yb_now() + (yb_ns)(seconds * 1e9);
	do {
		t0 = yb_now();
		for (uint64_t i = 0; i < reps; i++) {
			memcpy(dst, src, bytes);
			/* Keep the copy from being optimised away. */
			__asm__ __volatile__("" : : "r"(dst) : "memory");
		}
		yb_ns dt = yb_now() - t0;
		double g = dt ? (double)bytes * (double)reps / (double)dt : 0;
		if (g > best)
			best = g;
	} while (yb_now() < end);
	free(src);
	free(dst);
	*gbps = best;
	return 0;
}

/*
 * Two threads pinned to two CPUs passing the smallest message back and
 * forth, in one of two layouts:
 *
 *   - the shared line: one word that both sides write (odd values there,
 *     even values back), the bare cost of a cache line changing hands;
 *   - duplex lines: a line per direction, in which the writer stores the
 *     message (one byte) and its sequence number together as one word,
 *     and only the reader of that direction spins on it.  A message is
 *     one line transfer, which is how the fastest single-producer,
 *     single-consumer queues move a small message: the floor of a ring.
 */
struct line_arg {
	uint64_t rounds; /* set before the echo thread starts */
	int duplex;
	int cpu;
	int pin_failed;
	/* Each in a line of its own, apart from the settings above. */
	_Alignas(64) uint64_t line; /* there (and back, when shared) */
	_Alignas(64) uint64_t back; /* back, in the duplex layout */
};

/*
 * The spinning side pauses between looks, as the ring does.  On the
 * development VM both floors were lower with the pause than without
 * (duplex lines 45 against 65 ns, a shared line 29 against 50 ns; in a
 * slower host state duplex 175 against 314 ns): a floor must be the best
 * a minimal program reaches.
 */
static inline void relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#endif
}

/* Pin the calling thread; cpu < 0 leaves it where it is. */
static int pin_self(int cpu)
{
	return cpu < 0 ? 0 : yb_pin_cpu(cpu, NULL);
}

/* Spin until *p == want; yield now and then in case we share a CPU. */
static void spin_until(const uint64_t *p, uint64_t want)
{
	for (unsigned n = 1; __atomic_load_n(p, __ATOMIC_ACQUIRE) != want; n++) {
		relax();
		if ((n & 0xffff) == 0)
			sched_yield();
	}
}

/* Spin until the duplex word at p carries sequence number seq; its value. */
static uint64_t spin_seq(const uint64_t *p, uint64_t seq)
{
	uint64_t v;

	for (unsigned n = 1; ((v = __atomic_load_n(p, __ATOMIC_ACQUIRE)) >> 8) !=
			     seq;
	     n++) {
		relax();
		if ((n & 0xffff) == 0)
			sched_yield();
	}
	return v;
}

/* The echo side: answers every message with the same byte. */
static void *echo(void *p)
{
	struct line_arg *a = p;

	if (pin_self(a->cpu))
		a->pin_failed = 1;
	for (uint64_t i = 0; i < a->rounds; i++) {
		if (a->duplex) {
			uint64_t v = spin_seq(&a->line, i + 1);
			__atomic_store_n(&a->back, v, __ATOMIC_RELEASE);
		} else {
			uint64_t want = 2 * i + 1;
			spin_until(&a->line, want);
			__atomic_store_n(&a->line, want + 1, __ATOMIC_RELEASE);
		}
	}
	return NULL;
}

/* Round trip i from the measuring side. */
static void send_one(struct line_arg *a, uint64_t i)
{
	if (a->duplex) {
		uint64_t v = (i + 1) << 8 | (i & 0xff);
		__atomic_store_n(&a->line, v, __ATOMIC_RELEASE);
		spin_until(&a->back, v);
	} else {
		__atomic_store_n(&a->line, 2 * i + 1, __ATOMIC_RELEASE);
		spin_until(&a->line, 2 * i + 2);
	}
}

/* One-way ns over cpu_a and cpu_b in a layout: median of batches. */
static int pingpong_probe(int duplex, int cpu_a, int cpu_b, double seconds,
			  double *ns, struct yb_err *err)
{
	enum { BATCHES = 15, PER_BATCH = 20000 };
	struct line_arg *a = aligned_alloc(64, sizeof(*a));
	double samples[BATCHES];
	pthread_t th;
	int nb = 0;

	if (!a)
		return yb_err_set(err, YB_ENOMEM, "out of memory");
	memset(a, 0, sizeof(*a));
	a->rounds = (uint64_t)BATCHES * PER_BATCH;
	a->duplex = duplex;
	a->cpu = cpu_b;
	/* The measuring side runs in this thread, pinned for the duration. */
	cpu_set_t saved;
	int have_saved = pthread_getaffinity_np(pthread_self(), sizeof(saved),
						&saved) == 0;
	if (pin_self(cpu_a)) {
		free(a);
		return yb_err_set(err, YB_EINVAL, "cannot pin to CPU %d", cpu_a);
	}
	if (pthread_create(&th, NULL, echo, a)) {
		free(a);
		return yb_err_set(err, YB_ENOMEM, "cannot start a thread");
	}
	yb_ns limit = yb_now() + (yb_ns)(seconds * 1e9);
	uint64_t i = 0;
	for (int b = 0; b < BATCHES; b++) {
		yb_ns t0 = yb_now();
		for (int k = 0; k < PER_BATCH; k++)
			send_one(a, i++);
		samples[nb++] = (double)(yb_now() - t0) / PER_BATCH / 2;
		if (yb_now() > limit && nb >= 3)
			break;
	}
	/* Let the echo thread finish the rounds it expects. */
	while (i < a->rounds)
		send_one(a, i++);
	pthread_join(th, NULL);
	if (have_saved)
		pthread_setaffinity_np(pthread_self(), sizeof(saved), &saved);
	int pin_failed = a->pin_failed;
	free(a);
	if (pin_failed)
		return yb_err_set(err, YB_EINVAL, "cannot pin to CPU %d", cpu_b);
	yb_sort_double(samples, (size_t)nb);
	*ns = samples[nb / 2];
	return 0;
}

int yb_probe_cacheline(int cpu_a, int cpu_b, double seconds, double *ns,
		       struct yb_err *err)
{
	return pingpong_probe(0, cpu_a, cpu_b, seconds, ns, err);
}

int yb_probe_duplex(int cpu_a, int cpu_b, double seconds, double *ns,
		    struct yb_err *err)
{
	return pingpong_probe(1, cpu_a, cpu_b, seconds, ns, err);
}

/* ---- cross-core copy --------------------------------------------------- */

/*
 * A message of `bytes` crosses in chunks of `chunk` bytes, each chunk
 * through the next slot of the shared area, as a ring moves a large
 * message in pieces.  A slot's state is in a line of its own: the number
 * of the chunk it holds plus one once written, or the number of the next
 * chunk that may be written into it.
 */
struct xcopy_flag {
	_Alignas(64) uint64_t seq;
};

struct xcopy {
	uint8_t *area;             /* nslots slots of chunk bytes */
	struct xcopy_flag *flag;   /* one per slot */
	uint8_t *src;              /* the writer's message, bytes long */
	size_t bytes, chunk, nslots, per_msg;
	int cpu;                   /* the writer's */
	int pin_failed;
	uint64_t wrong;            /* chunks the reader found not as sent */
	_Alignas(64) int stop;
};

/* Spin until *p == want or stop is set; 0, or -1 when stopped. */
static int spin_or_stop(const uint64_t *p, uint64_t want, const int *stop)
{
	for (unsigned n = 1; __atomic_load_n(p, __ATOMIC_ACQUIRE) != want; n++) {
		if ((n & 0x3ff) == 0 && __atomic_load_n(stop, __ATOMIC_RELAXED))
			return -1;
		if ((n & 0xffff) == 0)
			sched_yield();
	}
	return 0;
}

/* The writer: chunk after chunk of its message, until stopped. */
static void *xcopy_writer(void *p)
{
	struct xcopy *x = p;

	if (pin_self(x->cpu))
		x->pin_failed = 1;
	for (uint64_t m = 0;; m++) {
		size_t s = m % x->nslots;
		if (spin_or_stop(&x->flag[s].seq, m, &x->stop))
			break;
		uint8_t *slot = x->area + s * x->chunk;
		memcpy(slot, x->src + (m % x->per_msg) * x->chunk, x->chunk);
		if (x->chunk >= 8)
			memcpy(slot, &m, 8); /* which chunk, for the reader */
		__atomic_store_n(&x->flag[s].seq, m + 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

/* Copy chunk m out of its slot, check it is m, and free the slot. */
static void xcopy_take(struct xcopy *x, uint8_t *dst, uint64_t m)
{
	size_t s = m % x->nslots;
	uint8_t *to = dst + (m % x->per_msg) * x->chunk;
	uint64_t got = m;

	spin_until(&x->flag[s].seq, m + 1);
	memcpy(to, x->area + s * x->chunk, x->chunk);
	__atomic_store_n(&x->flag[s].seq, m + x->nslots, __ATOMIC_RELEASE);
	if (x->chunk >= 8)
		memcpy(&got, to, 8);
	x->wrong += got != m;
}

/* per chunks from *m on, timed by the reader: the ns they took. */
static yb_ns xcopy_batch(struct xcopy *x, uint8_t *dst, uint64_t *m,
			 uint64_t per)
{
	yb_ns t0 = yb_now();

	for (uint64_t k = 0; k < per; k++, (*m)++)
		xcopy_take(x, dst, *m);
	return yb_now() - t0;
}

/* Batches of about 10 ms, timed by the reader: Gbit/s of each. */
static int xcopy_read(struct xcopy *x, uint8_t *dst, double seconds,
		      double *samples, int max)
{
	uint64_t m = 0, per = 16;
	int nb = 0;
	yb_ns limit = yb_now() + (yb_ns)(seconds * 1e9);

	/* The first batches only size the others. */
	for (int warm = 0; warm < 4; warm++) {
		yb_ns dt = xcopy_batch(x, dst, &m, per);
		if (dt > 0 && dt < 10000000)
			per = per * 10000000 / dt + 1;
	}
	while (nb < max) {
		yb_ns dt = xcopy_batch(x, dst, &m, per);
		if (dt > 0)
			samples[nb++] = 8.0 * (double)x->chunk * (double)per /
					(double)dt;
		if (yb_now() > limit && nb >= 3)
			break;
	}
	return nb;
}

static void xcopy_free(struct xcopy *x)
{
	free(x->flag);
	free(x->area);
	free(x->src);
	free(x);
}

/* One chunk size: the median Gbit/s of its batches. */
static int xcopy_chunked(size_t bytes, size_t chunk, size_t area, int cpu_a,
			 int cpu_b, double seconds, double *gbps,
			 struct yb_err *err)
{
	enum { BATCHES = 25 };
	double samples[BATCHES];
	struct xcopy *x = aligned_alloc(64, sizeof(*x));
	uint8_t *dst = NULL;
	pthread_t th;

	if (!x)
		return yb_err_set(err, YB_ENOMEM, "out of memory");
	memset(x, 0, sizeof(*x));
	x->bytes = bytes;
	x->chunk = chunk;
	x->per_msg = bytes / chunk;
	x->nslots = area / chunk >= 2 ? area / chunk : 2;
	x->cpu = cpu_a;
	x->flag = aligned_alloc(64, x->nslots * sizeof(*x->flag));
	if (!x->flag ||
	    posix_memalign((void **)&x->area, 4096, x->nslots * chunk) ||
	    posix_memalign((void **)&x->src, 4096, bytes) ||
	    posix_memalign((void **)&dst, 4096, bytes)) {
		size_t want = x->nslots * chunk + 2 * bytes;
		xcopy_free(x);
		free(dst);
		return yb_err_set(err, YB_ENOMEM,
				  "cannot allocate %zu bytes for the "
				  "cross-core copy probe",
				  want);
	}
	memset(x->area, 0, x->nslots * chunk);
	memset(x->src, 0x5a, bytes);
	memset(dst, 0, bytes);
	for (size_t s = 0; s < x->nslots; s++)
		x->flag[s].seq = s;
	cpu_set_t saved;
	int have_saved = pthread_getaffinity_np(pthread_self(), sizeof(saved),
						&saved) == 0;
	int rc = 0, nb = 0;
	if (pin_self(cpu_b)) {
		rc = yb_err_set(err, YB_EINVAL, "cannot pin to CPU %d", cpu_b);
	} else if (pthread_create(&th, NULL, xcopy_writer, x)) {
		rc = yb_err_set(err, YB_ENOMEM, "cannot start a thread");
	} else {
		nb = xcopy_read(x, dst, seconds, samples, BATCHES);
		__atomic_store_n(&x->stop, 1, __ATOMIC_RELAXED);
		pthread_join(th, NULL);
		if (x->pin_failed)
			rc = yb_err_set(err, YB_EINVAL, "cannot pin to CPU %d",
					cpu_a);
		else if (x->wrong)
			rc = yb_err_set(err, YB_EIO,
					"%llu chunks of %zu bytes arrived "
					"other than sent",
					(unsigned long long)x->wrong, chunk);
	}
	if (have_saved)
		pthread_setaffinity_np(pthread_self(), sizeof(saved), &saved);
	xcopy_free(x);
	free(dst);
	if (rc)
		return rc;
	yb_sort_double(samples, (size_t)nb);
	*gbps = samples[nb / 2];
	return 0;
}

int yb_probe_xcopy(size_t bytes, size_t area, int cpu_a, int cpu_b,
		   double seconds, double *gbps, struct yb_err *err)
{
	/* Chunks a ring might publish in; the fastest is the ceiling. */
	static const size_t chunks[] = { 16 << 10, 64 << 10, 256 << 10 };
	double best = 0;
	int tried = 0;

	if (bytes == 0 || area == 0)
		return yb_err_set(err, YB_EINVAL,
				  "cross-core copy of %zu bytes through %zu",
				  bytes, area);
	for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		size_t c = chunks[i];
		if (c > bytes || bytes % c || c > area / 2) {
			if (tried || i + 1 < sizeof(chunks) / sizeof(chunks[0]))
				continue;
			c = bytes; /* nothing fits: the message whole */
		}
		double g;
		int rc = xcopy_chunked(bytes, c, area, cpu_a, cpu_b,
				       seconds / 3, &g, err);
		if (rc)
			return rc;
		tried++;
		if (g > best)
			best = g;
	}
	*gbps = best;
	return 0;
}
