/* probe.c - memcpy and cache-line probes; see probe.h. */
#include "core/host/probe.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/base/stats.h"

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

struct line_arg {
	_Alignas(64) uint64_t line; /* the cache line handed back and forth */
	uint64_t rounds;
	int cpu;
	int pin_failed;
};

static int pin_self(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/* Spin until *p == want; yield now and then in case we share a CPU. */
static void spin_until(const uint64_t *p, uint64_t want)
{
	for (unsigned n = 1; __atomic_load_n(p, __ATOMIC_ACQUIRE) != want; n++)
		if ((n & 0xffff) == 0)
			sched_yield();
}

/* The echo side: waits for an odd value and answers with the next. */
static void *echo(void *p)
{
	struct line_arg *a = p;

	if (pin_self(a->cpu))
		a->pin_failed = 1;
	for (uint64_t i = 0; i < a->rounds; i++) {
		uint64_t want = 2 * i + 1;
		spin_until(&a->line, want);
		__atomic_store_n(&a->line, want + 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

int yb_probe_cacheline(int cpu_a, int cpu_b, double seconds, double *ns,
		       struct yb_err *err)
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
	uint64_t v = 0;
	for (int b = 0; b < BATCHES; b++) {
		yb_ns t0 = yb_now();
		for (int i = 0; i < PER_BATCH; i++) {
			__atomic_store_n(&a->line, v + 1, __ATOMIC_RELEASE);
			spin_until(&a->line, v + 2);
			v += 2;
		}
		samples[nb++] = (double)(yb_now() - t0) / PER_BATCH / 2;
		if (yb_now() > limit && nb >= 3)
			break;
	}
	/* Let the echo thread finish the rounds it expects. */
	while (v < 2 * a->rounds) {
		__atomic_store_n(&a->line, v + 1, __ATOMIC_RELEASE);
		spin_until(&a->line, v + 2);
		v += 2;
	}
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
