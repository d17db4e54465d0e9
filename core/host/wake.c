/* wake.c - the sleep-and-wake-up probe and the spin budget; see wake.h. */
#include "core/host/wake.h"

#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/base/stats.h"
#include "core/host/sysinfo.h"

#define WAKE_WARMUP 10
#define WAKE_MAX_ROUNDS 100000

/* Each bell in a line of its own: one is rung by each thread. */
struct wake_arg {
	int rounds;
	int cpu;
	int pin_failed;
	_Alignas(64) uint32_t to_echo;
	_Alignas(64) uint32_t to_main;
};

/* Pin the calling thread; cpu < 0 leaves it where it is. */
static int pin_self(int cpu)
{
	return cpu < 0 ? 0 : yb_pin_cpu(cpu, NULL);
}

/* Wake the thread sleeping on bell: as the shm transport rings its peer. */
static void ring_bell(uint32_t *bell)
{
	__atomic_fetch_add(bell, 1, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, bell, FUTEX_WAKE, 1, NULL, NULL, 0);
}

/* Sleep until bell reaches want, without spinning. */
static void sleep_until(uint32_t *bell, uint32_t want)
{
	uint32_t v;

	while ((v = __atomic_load_n(bell, __ATOMIC_ACQUIRE)) != want)
		syscall(SYS_futex, bell, FUTEX_WAIT, v, NULL, NULL, 0);
}

static void *wake_echo(void *p)
{
	struct wake_arg *a = p;

	if (pin_self(a->cpu))
		a->pin_failed = 1;
	for (int i = 0; i < a->rounds; i++) {
		sleep_until(&a->to_echo, (uint32_t)i + 1);
		ring_bell(&a->to_main);
	}
	return NULL;
}

int yb_probe_wake(int cpu_a, int cpu_b, int rounds, double *ns,
		  struct yb_err *err)
{
	if (rounds < 1 || rounds > WAKE_MAX_ROUNDS)
		return yb_err_set(err, YB_EINVAL,
				  "sleep and wake-up probe: %d rounds, expected "
				  "1 to %d",
				  rounds, WAKE_MAX_ROUNDS);
	struct wake_arg *a = aligned_alloc(64, sizeof(*a));
	double *samples = calloc((size_t)rounds, sizeof(*samples));
	if (!a || !samples) {
		free(a);
		free(samples);
		return yb_err_set(err, YB_ENOMEM, "out of memory");
	}
	memset(a, 0, sizeof(*a));
	a->rounds = rounds + WAKE_WARMUP;
	a->cpu = cpu_b;
	cpu_set_t saved;
	int have_saved = pthread_getaffinity_np(pthread_self(), sizeof(saved),
						&saved) == 0;
	int rc = 0;
	pthread_t th;
	if (pin_self(cpu_a)) {
		rc = yb_err_set(err, YB_EINVAL, "cannot pin to CPU %d", cpu_a);
	} else if (pthread_create(&th, NULL, wake_echo, a)) {
		rc = yb_err_set(err, YB_ENOMEM, "cannot start a thread");
	} else {
		for (int i = 0; i < a->rounds; i++) {
			yb_ns t0 = yb_now();
			ring_bell(&a->to_echo);
			sleep_until(&a->to_main, (uint32_t)i + 1);
			if (i >= WAKE_WARMUP)
				samples[i - WAKE_WARMUP] =
					(double)(yb_now() - t0) / 2;
		}
		pthread_join(th, NULL);
		if (a->pin_failed)
			rc = yb_err_set(err, YB_EINVAL, "cannot pin to CPU %d",
					cpu_b);
	}
	if (have_saved)
		pthread_setaffinity_np(pthread_self(), sizeof(saved), &saved);
	if (rc == 0) {
		yb_sort_double(samples, (size_t)rounds);
		*ns = samples[rounds / 2];
	}
	free(a);
	free(samples);
	return rc;
}

static pthread_once_t budget_once = PTHREAD_ONCE_INIT;
static double budget_measured;

static void measure_budget(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	int a = sched_getcpu();
	int b = a >= 0 && n > 1 ? (int)((a + 1) % n) : a;
	double ns;

	/* Pinned where the ring's two ends usually are, else wherever the
	 * scheduler puts the threads. */
	if (yb_probe_wake(a, b, 200, &ns, NULL) == 0 ||
	    yb_probe_wake(-1, -1, 200, &ns, NULL) == 0)
		budget_measured = ns;
}

uint64_t yb_spin_budget_ns(double *measured_ns)
{
	pthread_once(&budget_once, measure_budget);
	if (measured_ns)
		*measured_ns = budget_measured;
	if (budget_measured <= 0)
		return YB_SPIN_BUDGET_FALLBACK_NS;
	uint64_t b = (uint64_t)budget_measured;
	if (b < YB_SPIN_BUDGET_MIN_NS)
		b = YB_SPIN_BUDGET_MIN_NS;
	if (b > YB_SPIN_BUDGET_MAX_NS)
		b = YB_SPIN_BUDGET_MAX_NS;
	return b;
}
