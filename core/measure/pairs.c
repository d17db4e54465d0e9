/*
 * pairs.c - several connections measured at once on this host (--pairs),
 * the local counterpart of the YASMIN paper's 2/4/8 VM pairs.
 *
 * Every pair is a client process and a server process of its own, with
 * its own connection.  The clients step through the same sizes in lock-
 * step: a barrier in shared memory before each point's warm-up and before
 * each recorded trial, so all pairs start every trial together.  Clients
 * send their points and trial times to the parent through a pipe; the
 * parent records each pair's rows and, per point, the total.  The total
 * bandwidth of a trial is all the bytes the pairs moved from the first
 * pair's start to the last pair's end (never the sum of per-pair figures,
 * which would count a pair that ran alone while the others waited for a
 * CPU as concurrent); the total row takes the best trial, like every
 * other row.
 *
 * A pair that fails breaks the barrier, so the others stop instead of
 * waiting; the parent then ends the rest and reports the first failure.
 */
#include "core/measure/pairs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/base/stats.h"
#include "core/host/sysinfo.h"
#include "core/measure/outdir.h"

#define BARRIER_TIMEOUT_NS (120ull * 1000000000ull)
/* Memory each pair keeps free beside its ring when pairs are checked. */
#define PAIR_MEM_SLACK (8ull << 20)

struct barrier {
	uint32_t n;       /* participants */
	uint32_t arrived; /* in the current generation */
	uint32_t gen;     /* a futex: waiters sleep on it */
	uint32_t broken;  /* a participant failed */
	uint32_t slots;   /* proposals written in the current generation */
	uint64_t agreed[2]; /* the count of generation g, at [g & 1] */
	uint64_t proposed[YB_MAX_PAIRS]; /* this generation's counts */
};

struct pair_ctx {
	struct barrier *b;
	volatile sig_atomic_t *stop;
	int fd; /* pipe to the parent */
};

/* Records on the pipe: a type byte, then a fixed-size body. */
enum {
	REC_POINT = 'P',
	REC_META = 'M',
	REC_ERROR = 'E',
	REC_TRIAL = 'T',
	REC_PLACE = 'C',
	REC_HIST = 'H'
};

/* Where a pair's ends ran (-1: unknown). */
struct rec_place {
	int32_t client_cpu, server_cpu;
};

struct rec_trial {
	uint32_t mode, trial;
	uint64_t bytes;
	struct yb_trial t;
};

/* Part of the histogram of the point that follows (a pipe record must
 * stay under PIPE_BUF to arrive whole). */
#define HIST_CHUNK 128
struct rec_hist {
	uint32_t n;
	struct yb_hbin b[HIST_CHUNK];
};

struct rec_meta {
	uint64_t ring_bytes;
	char wait[12];
};

struct rec_error {
	int code;
	char msg[YB_ERR_MSG_MAX];
};

/* Wake everyone asleep on the generation word (shared, not private). */
static void gen_wake(struct barrier *b)
{
	syscall(SYS_futex, &b->gen, FUTEX_WAKE, INT32_MAX, NULL, NULL, 0);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/*
 * The barrier before every trial.  Each pair proposes its repetition
 * count, sized from its own concurrent warm-up, and all leave with the
 * median proposal (the lower one of an even number), so that the pairs'
 * trials hold the same work and overlap in time.  The median, because a
 * single pair's estimate is at the scheduler's mercy: one that ran alone
 * for a while proposes too many, one taken off its CPU for a millisecond
 * far too few, and the smallest proposal made trials a tenth of the
 * asked time, shorter than the spread of the pairs' starts.  Waiters
 * sleep on a futex and the last to arrive wakes them all at once:
 * polling in short sleeps let spinning neighbours delay a waiter's start
 * by tens of milliseconds.  agreed[] is indexed by generation parity: a
 * value for generation g + 2 can only be written once every pair arrived
 * at g + 1, so after every reader of g has taken its copy.
 */
static int pair_sync(void *ctx, uint64_t *reps, struct yb_err *err)
{
	struct pair_ctx *c = ctx;
	struct barrier *b = c->b;
	uint32_t gen = __atomic_load_n(&b->gen, __ATOMIC_ACQUIRE);
	yb_ns limit = yb_now() + BARRIER_TIMEOUT_NS;
	uint32_t slot = __atomic_fetch_add(&b->slots, 1, __ATOMIC_RELAXED);

	if (slot < YB_MAX_PAIRS)
		b->proposed[slot] = *reps;
	/* acq_rel: the last one to arrive sees everyone's arrival (and
	 * every proposal made before it). */
	if (__atomic_add_fetch(&b->arrived, 1, __ATOMIC_ACQ_REL) == b->n) {
		uint64_t v[YB_MAX_PAIRS];
		uint32_t n = b->n < YB_MAX_PAIRS ? b->n : YB_MAX_PAIRS;
		memcpy(v, b->proposed, n * sizeof(*v));
		qsort(v, n, sizeof(*v), cmp_u64);
		b->agreed[gen & 1] = v[(n - 1) / 2];
		__atomic_store_n(&b->slots, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&b->arrived, 0, __ATOMIC_RELAXED);
		/* Release: the reset and the agreed count are visible before
		 * the new generation. */
		__atomic_add_fetch(&b->gen, 1, __ATOMIC_RELEASE);
		gen_wake(b);
		*reps = b->agreed[gen & 1];
		return 0;
	}
	while (__atomic_load_n(&b->gen, __ATOMIC_ACQUIRE) == gen) {
		if (__atomic_load_n(&b->broken, __ATOMIC_RELAXED))
			return yb_err_set(err, YB_EPEER,
					  "another pair failed");
		if (c->stop && *c->stop)
			return YB_EINTR;
		if (yb_now() > limit) {
			__atomic_store_n(&b->broken, 1, __ATOMIC_RELAXED);
			gen_wake(b);
			return yb_err_set(err, YB_ETIMEDOUT,
					  "pairs fell out of step (a pair "
					  "waited 120 s for the others)");
		}
		/* Sleeps only while gen is still ours; a bounded sleep, so
		 * that a broken barrier or a stop is seen. */
		struct timespec ts = { 0, 20000000 };
		syscall(SYS_futex, &b->gen, FUTEX_WAIT, gen, &ts, NULL, 0);
	}
	*reps = b->agreed[gen & 1];
	return 0;
}

#define REC_BODY_MAX                                                       \
	(sizeof(struct rec_hist) > sizeof(struct rec_error) +              \
				   sizeof(struct yb_point) ?               \
		 sizeof(struct rec_hist) :                                 \
		 sizeof(struct rec_error) + sizeof(struct yb_point))
_Static_assert(1 + REC_BODY_MAX <= PIPE_BUF,
	       "a pipe record must fit one atomic write");

static int write_rec(int fd, char type, const void *body, size_t len)
{
	char buf[1 + REC_BODY_MAX];

	if (len + 1 > sizeof(buf))
		return YB_EINVAL;
	buf[0] = type;
	memcpy(buf + 1, body, len);
	/* Below PIPE_BUF: written whole, never interleaved. */
	ssize_t n;
	do
		n = write(fd, buf, len + 1);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)(len + 1) ? 0 : YB_EIO;
}

static void pipe_trial(void *ctx, unsigned mode, uint64_t bytes,
		       unsigned trial, const struct yb_trial *t)
{
	struct pair_ctx *c = ctx;
	struct rec_trial r = { mode, trial, bytes, *t };

	write_rec(c->fd, REC_TRIAL, &r, sizeof(r));
}

/* A point: its histogram in chunks first, then the point itself, whose
 * pointers mean nothing in the parent. */
static int pipe_sink(void *ctx, const struct yb_point *p, struct yb_err *err)
{
	struct pair_ctx *c = ctx;
	struct yb_point q = *p;
	struct rec_hist h = { 0 }; /* a short last chunk sends zeros after it */
	int rc = 0;

	for (size_t off = 0; !rc && p->hist && off < p->hist_n;
	     off += HIST_CHUNK) {
		h.n = (uint32_t)(p->hist_n - off < HIST_CHUNK ? p->hist_n - off :
								HIST_CHUNK);
		memcpy(h.b, p->hist + off, h.n * sizeof(h.b[0]));
		rc = write_rec(c->fd, REC_HIST, &h, sizeof(h));
	}
	q.trial = NULL;
	q.hist = NULL;
	q.hist_n = 0;
	if (rc || write_rec(c->fd, REC_POINT, &q, sizeof(q)))
		return yb_err_set(err, YB_EIO, "lost the parent process");
	return 0;
}

/* The client of pair idx, in its own process; returns the exit status. */
static int pair_client(unsigned idx, const struct yb_transport *t,
		       const char *addr, const struct yb_sweep_opts *o,
		       const struct yb_local_opts *lo, int cpu,
		       struct pair_ctx *pc)
{
	struct yb_err err = { 0 };
	struct yb_ep ep;
	struct yb_sweep_opts so = *o;
	int rc;

	signal(SIGINT, SIG_IGN); /* the parent decides when to stop */
	if (cpu >= 0 && (rc = yb_pin_cpu(cpu, &err)) != 0)
		goto out;
	rc = yb_ep_connect(&ep, addr, lo->tp, 10000, &err);
	if (rc)
		goto out;
	if (idx == 0) {
		struct yb_meta d;
		struct rec_meta m = { 0 };
		yb_meta_init(&d);
		yb_ep_describe(&ep, &d);
		yb_ring_settings(&d, &m.ring_bytes, m.wait, sizeof(m.wait));
		yb_meta_free(&d);
		write_rec(pc->fd, REC_META, &m, sizeof(m));
	}
	so.sink = pipe_sink;
	so.sink_ctx = pc;
	so.sync = pair_sync;
	so.trial_done = pipe_trial;
	so.sync_ctx = pc;
	if (idx != 0)
		so.progress = NULL; /* one progress line is enough */
	struct yb_meta server;
	yb_meta_init(&server);
	rc = yb_sweep_run(&ep, t->name, &so, &server, &err);
	const char *scpu = yb_meta_get(&server, "server.cpu");
	struct rec_place pl = { yb_current_cpu(), scpu ? atoi(scpu) : -1 };
	write_rec(pc->fd, REC_PLACE, &pl, sizeof(pl));
	yb_meta_free(&server);
	yb_ep_close(&ep);
out:
	if (rc) {
		struct rec_error e = { rc, "" };
		snprintf(e.msg, sizeof(e.msg), "pair %u: %s", idx + 1, err.msg);
		__atomic_store_n(&pc->b->broken, 1, __ATOMIC_RELAXED);
		gen_wake(pc->b);
		write_rec(pc->fd, REC_ERROR, &e, sizeof(e));
	}
	return rc ? yb_exit_status(rc) : 0;
}

struct trials {
	struct rec_trial *t;
	size_t n, cap;
};

/* The histogram of a pair's next point, as its chunks arrive. */
struct pending_hist {
	struct yb_hbin *b;
	size_t n, cap;
};

struct collected {
	struct yb_results r[YB_MAX_PAIRS];
	struct trials tr[YB_MAX_PAIRS];
	struct pending_hist hist[YB_MAX_PAIRS];
	struct rec_meta meta;
	struct rec_place place[YB_MAX_PAIRS];
	struct rec_error first_error;
	int have_error;
	/* Points go to the session as soon as every pair has sent them. */
	struct yb_session *s;
	unsigned npairs;
	size_t recorded;
	int record_rc;
	struct yb_err record_err;
};

static int record(struct yb_session *s, unsigned n, struct collected *c,
		  struct yb_err *err);

static int read_exact(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

/* The recorded trials of a point of pair i, in order, or NULL. */
static struct yb_trial *trials_of(const struct collected *c, unsigned i,
				  unsigned mode, uint64_t bytes, unsigned n)
{
	struct yb_trial *t = calloc(n ? n : 1, sizeof(*t));
	unsigned found = 0;

	if (!t)
		return NULL;
	for (size_t k = 0; k < c->tr[i].n; k++) {
		const struct rec_trial *x = &c->tr[i].t[k];
		if (x->mode == mode && x->bytes == bytes && x->trial < n) {
			t[x->trial] = x->t;
			found++;
		}
	}
	if (found != n) {
		free(t);
		return NULL;
	}
	return t;
}

/* File one record from client i. */
static void take(struct collected *c, unsigned i, char type, const char *body)
{
	if (type == REC_POINT) {
		struct yb_point p;
		memcpy(&p, body, sizeof(p));
		struct yb_trial *t = p.trials <= YB_TRIALS_KEPT_MAX ?
			trials_of(c, i, p.mode, p.bytes, p.trials) : NULL;
		p.trial = t;
		p.hist = c->hist[i].n ? c->hist[i].b : NULL;
		p.hist_n = c->hist[i].n;
		yb_results_add(&c->r[i], &p);
		free(t);
		c->hist[i].n = 0;
		if (!c->record_rc)
			c->record_rc = record(c->s, c->npairs, c,
					      &c->record_err);
	} else if (type == REC_HIST) {
		struct rec_hist h;
		struct pending_hist *ph = &c->hist[i];
		memcpy(&h, body, sizeof(h));
		if (h.n > HIST_CHUNK)
			return;
		if (ph->n + h.n > ph->cap) {
			size_t cap = ph->cap ? 2 * ph->cap : 256;
			while (cap < ph->n + h.n)
				cap *= 2;
			void *nb = realloc(ph->b, cap * sizeof(*ph->b));
			if (!nb)
				return;
			ph->b = nb;
			ph->cap = cap;
		}
		memcpy(ph->b + ph->n, h.b, h.n * sizeof(h.b[0]));
		ph->n += h.n;
	} else if (type == REC_TRIAL) {
		struct trials *tr = &c->tr[i];
		if (tr->n == tr->cap) {
			size_t cap = tr->cap ? 2 * tr->cap : 64;
			void *nt = realloc(tr->t, cap * sizeof(*tr->t));
			if (!nt)
				return;
			tr->t = nt;
			tr->cap = cap;
		}
		memcpy(&tr->t[tr->n++], body, sizeof(struct rec_trial));
	} else if (type == REC_META) {
		memcpy(&c->meta, body, sizeof(c->meta));
		c->meta.wait[sizeof(c->meta.wait) - 1] = '\0';
	} else if (type == REC_PLACE) {
		memcpy(&c->place[i], body, sizeof(c->place[i]));
	} else if (type == REC_ERROR && !c->have_error) {
		memcpy(&c->first_error, body, sizeof(c->first_error));
		c->first_error.msg[YB_ERR_MSG_MAX - 1] = '\0';
		c->have_error = 1;
	}
}

/* Read every record from the clients until all pipes are closed. */
static void collect(int *fds, unsigned n, struct collected *c,
		    volatile sig_atomic_t *stop, pid_t *clients)
{
	struct pollfd pfd[YB_MAX_PAIRS];
	unsigned open_fds = n;
	int stopping = 0;

	for (unsigned i = 0; i < n; i++)
		pfd[i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
	while (open_fds > 0) {
		if (stop && *stop && !stopping) {
			/* Ctrl-C: the clients stop between trials. */
			for (unsigned i = 0; i < n; i++)
				kill(clients[i], SIGTERM);
			stopping = 1;
		}
		if (poll(pfd, n, 200) < 0 && errno != EINTR)
			break;
		for (unsigned i = 0; i < n; i++) {
			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			/* A pipe is a byte stream: read the type, then exactly
			 * the body it announces (written whole, so present). */
			char type, body[REC_BODY_MAX];
			ssize_t k = read(pfd[i].fd, &type, 1);
			size_t len = type == REC_POINT ? sizeof(struct yb_point) :
				     type == REC_META  ? sizeof(struct rec_meta) :
				     type == REC_ERROR ? sizeof(struct rec_error) :
				     type == REC_TRIAL ? sizeof(struct rec_trial) :
				     type == REC_PLACE ? sizeof(struct rec_place) :
				     type == REC_HIST  ? sizeof(struct rec_hist) :
							 0;
			if (k == 1 && len > 0 && read_exact(pfd[i].fd, body, len))
				k = 0;
			if (k == 1 && len == 0)
				k = 0; /* not a record: stop listening */
			if (k <= 0) {
				if (k < 0 && errno == EINTR)
					continue;
				close(pfd[i].fd);
				pfd[i].fd = -1;
				open_fds--;
				continue;
			}
			take(c, i, type, body);
		}
	}
}

/*
 * The trials of the total of one point: per trial, all repetitions of all
 * pairs over the span from the first pair's start to the last pair's end
 * (a stream pair ends its receiver's time after it started).  Pairs that
 * ran at once make the span their common time; pairs that the scheduler
 * staggered make it longer, never shorter, so the total never counts as
 * concurrent what ran one after another.  0 if a pair lacks a trial.
 */
static int total_trials(const struct collected *c, unsigned n, size_t k,
			const struct yb_point *pt, struct yb_trial *out)
{
	for (unsigned t = 0; t < pt->trials; t++) {
		struct yb_trial sum = { UINT64_MAX, 0, 0 };
		uint64_t end = 0;
		for (unsigned i = 0; i < n; i++) {
			const struct yb_point *p = &c->r[i].p[k];
			if (!p->trial || t >= p->trials)
				return 0;
			const struct yb_trial *x = &p->trial[t];
			sum.reps += x->reps;
			if (x->start_ns < sum.start_ns)
				sum.start_ns = x->start_ns;
			if (x->start_ns + x->elapsed_ns > end)
				end = x->start_ns + x->elapsed_ns;
		}
		sum.elapsed_ns = end - sum.start_ns;
		out[t] = sum;
	}
	return 1;
}

/* Sum of a figure over the pairs, NAN when any pair lacks it. */
static double sum_over(const double *v, unsigned n)
{
	double s = 0;

	for (unsigned i = 0; i < n; i++)
		s += v[i];
	return s;
}

/*
 * Record every pair's rows and the totals, point by point.  A total row
 * holds what adds up across pairs and nothing else: bandwidth (per trial,
 * every byte all pairs moved from the first start to the last end: never the sum
 * of per-pair figures, which would count a pair that ran alone while the
 * others waited for a CPU as concurrent; best, worst and median trial)
 * and CPU (the sum of the pairs', in percent of one core).  Percentiles of
 * different connections do not add, so its latency columns are empty.
 */
static int record(struct yb_session *s, unsigned n, struct collected *c,
		  struct yb_err *err)
{
	s->cur.ring_bytes = c->meta.ring_bytes;
	memcpy(s->cur.wait, c->meta.wait, sizeof(s->cur.wait));
	size_t points = c->r[0].n;
	for (unsigned i = 1; i < n; i++)
		if (c->r[i].n < points)
			points = c->r[i].n;
	for (size_t k = c->recorded; k < points; k++) {
		struct yb_point total = c->r[0].p[k];
		double cc[YB_MAX_PAIRS], cs[YB_MAX_PAIRS];
		total.reps = 0;
		yb_point_clear_latency(&total);
		total.csw_client_vol = total.csw_client_invol = NAN;
		total.csw_server_vol = total.csw_server_invol = NAN;
		total.bw_c2s_gbps = total.bw_s2c_gbps = NAN;
		total.trial = NULL;
		for (unsigned i = 0; i < n; i++) {
			struct yb_point p = c->r[i].p[k];
			if (p.mode != total.mode || p.bytes != total.bytes ||
			    p.trials != total.trials)
				return yb_err_set(err, YB_EPEER,
						  "pairs measured different "
						  "points");
			p.pairs = n;
			p.pair = i + 1;
			int rc = yb_session_point(s, &p, err);
			if (rc)
				return rc;
			total.reps += p.reps;
			cc[i] = p.cpu_client_pct;
			cs[i] = p.cpu_server_pct;
		}
		total.cpu_client_pct = sum_over(cc, n);
		total.cpu_server_pct = sum_over(cs, n);
		struct yb_trial *tt = calloc(total.trials, sizeof(*tt));
		double *bw = calloc(total.trials, sizeof(*bw));
		total.bw_gbps = total.bw_min_gbps = total.bw_median_gbps = NAN;
		if (tt && bw && total_trials(c, n, k, &total, tt)) {
			/* A ping-pong repetition moves the message both
			 * ways, as in every other row's bandwidth. */
			double ways = total.mode == YB_MODE_PINGPONG ? 2 : 1;
			for (unsigned t = 0; t < total.trials; t++)
				bw[t] = tt[t].elapsed_ns ?
						8.0 * ways * (double)total.bytes *
							(double)tt[t].reps /
							(double)tt[t].elapsed_ns :
						0;
			total.bw_gbps = yb_max(bw, total.trials);
			total.bw_min_gbps = yb_min(bw, total.trials);
			total.bw_median_gbps = yb_median(bw, total.trials);
			total.trial = tt;
		}
		total.pairs = n;
		total.pair = 0;
		int rc = isnan(total.bw_gbps) ?
				 yb_err_set(err, YB_EPEER,
					    "a pair did not report its trials") :
				 yb_session_point(s, &total, err);
		free(tt);
		free(bw);
		if (rc)
			return rc;
		c->recorded = k + 1;
	}
	return 0;
}

/*
 * Each server checks the memory for its own ring, but N servers starting
 * together all see the same room: check for all of them.
 */
static int check_memory(const struct yb_transport *t,
			const struct yb_local_opts *lo, unsigned npairs,
			struct yb_err *err)
{
	uint64_t each = yb_transport_memory(t, lo->tp);
	unsigned long long room;
	char lim[200];
	const char *act;

	if (each && yb_mem_headroom(&room, lim, sizeof(lim), &act) == 0 &&
	    (each + PAIR_MEM_SLACK) * npairs > room)
		return yb_err_set(err, YB_ENOMEM,
				  "%u %s pairs need %llu MiB of shared memory, "
				  "but %s: %s, or use fewer --pairs or a smaller "
				  "--ring-size",
				  npairs, t->name,
				  (unsigned long long)((each * npairs + (1 << 20) - 1) >> 20),
				  lim, act);
	return 0;
}

/* What a run of pairs holds while it runs; pairs_free releases it. */
struct pairs_run {
	unsigned npairs;
	struct barrier *b;               /* shared with the clients */
	struct collected *c;
	struct yb_local_child *servers;
	unsigned nserv;                  /* servers started */
	pid_t clients[YB_MAX_PAIRS];
	int fds[YB_MAX_PAIRS];           /* pipes from the clients */
	unsigned ncli;                   /* clients whose pipe is open */
	int cpus[1024], ncpu;            /* the CPUs this process may use */
	const char *remote;              /* every pair's server, or NULL */
};

/* The barrier, the collected records and the server table. */
static int pairs_setup(struct pairs_run *r, struct yb_session *s,
		       struct yb_err *err)
{
	r->b = mmap(NULL, sizeof(*r->b), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	r->c = calloc(1, sizeof(*r->c));
	r->servers = calloc(r->npairs, sizeof(*r->servers));
	if (r->b == MAP_FAILED || !r->c || !r->servers)
		return yb_err_set(err, YB_ENOMEM, "out of memory");
	memset(r->b, 0, sizeof(*r->b));
	r->b->n = r->npairs;
	for (unsigned i = 0; i < r->npairs; i++) {
		yb_results_init(&r->c->r[i]);
		r->c->place[i] = (struct rec_place){ -1, -1 };
	}
	r->c->s = s;
	r->c->npairs = r->npairs;
	return 0;
}

/*
 * A server and an address per pair: pair i's client meets pair i's
 * server, so the placement below is the placement that runs.
 */
static int spawn_servers(struct pairs_run *r, const struct yb_transport *t,
			 const struct yb_local_opts *lo, struct yb_err *err)
{
	for (unsigned i = 0; i < r->npairs; i++) {
		struct yb_local_opts slo = *lo;
		if (r->ncpu >= 2 && lo->cpu_server < 0)
			slo.cpu_server = r->cpus[(i + 1) % (unsigned)r->ncpu];
		int rc = yb_local_spawn(t, &slo, &r->servers[i], err);
		if (rc)
			return rc;
		r->nserv++;
	}
	return 0;
}

/* Fork pair i's client for every pair, each with a pipe to us. */
static int start_clients(struct pairs_run *r, const struct yb_transport *t,
			 const struct yb_sweep_opts *o,
			 const struct yb_local_opts *lo, struct yb_err *err)
{
	fflush(NULL);
	for (unsigned i = 0; i < r->npairs; i++) {
		int p[2];
		if (pipe2(p, O_CLOEXEC) < 0)
			return yb_err_sys(err, errno, "pipe");
		int cpu = lo->cpu_client;
		if (r->ncpu >= 2 && cpu < 0)
			cpu = r->cpus[i % (unsigned)r->ncpu];
		pid_t pid = fork();
		if (pid < 0) {
			close(p[0]);
			close(p[1]);
			return yb_err_fork(err, errno, "fork");
		}
		if (pid == 0) {
			close(p[0]);
			for (unsigned j = 0; j < r->ncli; j++)
				close(r->fds[j]);
			struct pair_ctx pc = { r->b, o->stop, p[1] };
			const char *addr =
				r->remote ? r->remote : r->servers[i].addr;
			_exit(pair_client(i, t, addr, o, lo, cpu, &pc));
		}
		close(p[1]);
		r->fds[r->ncli] = p[0];
		r->clients[r->ncli++] = pid;
	}
	return 0;
}

/*
 * Once every client has closed its pipe: wait for them, end the progress
 * line, and turn what they reported into the run's result.
 */
static int pairs_outcome(struct pairs_run *r, struct yb_session *s,
			 const struct yb_sweep_opts *o, struct yb_err *err)
{
	struct collected *c = r->c;
	int rc = 0;

	for (unsigned i = 0; i < r->npairs; i++) {
		int st;
		while (waitpid(r->clients[i], &st, 0) < 0 && errno == EINTR)
			;
	}
	/* Pair 1's child drew the progress line; end it here. */
	if (o->progress && isatty(STDERR_FILENO))
		s->progress_shown = 1;
	yb_session_progress_done(s);
	if (c->have_error) {
		rc = c->first_error.code == YB_EINTR ?
			     yb_err_set(err, YB_EINTR, "interrupted") :
			     yb_err_set(err, c->first_error.code, "%s",
					c->first_error.msg);
	} else if (o->stop && *o->stop) {
		rc = yb_err_set(err, YB_EINTR, "interrupted");
	}
	/* Everything every pair measured is recorded, cut short or not. */
	if (c->record_rc && !rc)
		rc = yb_err_set(err, c->record_rc, "%s", c->record_err.msg);
	return rc;
}

/* The number of pairs and where each pair's ends ran, in the metadata. */
static void record_placement(struct yb_session *s,
			     const struct yb_transport *t,
			     const struct pairs_run *r)
{
	char key[128];

	snprintf(key, sizeof(key), "transport.%s.pairs", t->name);
	yb_meta_set_int(&s->meta, key, r->npairs);
	for (unsigned i = 0; i < r->npairs; i++) {
		snprintf(key, sizeof(key), "placement.%s.pair%u.client_cpu",
			 t->name, i + 1);
		yb_meta_set_int(&s->meta, key, r->c->place[i].client_cpu);
		snprintf(key, sizeof(key), "placement.%s.pair%u.server_cpu",
			 t->name, i + 1);
		yb_meta_set_int(&s->meta, key, r->c->place[i].server_cpu);
	}
}

/* Close what is open, reap the servers (killed when rc says failure). */
static void pairs_free(struct pairs_run *r, int rc)
{
	for (unsigned i = 0; i < r->ncli; i++)
		close(r->fds[i]);
	for (unsigned i = 0; i < r->nserv; i++)
		yb_local_reap(&r->servers[i], rc != 0, NULL);
	free(r->servers);
	if (r->c)
		for (unsigned i = 0; i < r->npairs; i++) {
			yb_results_free(&r->c->r[i]);
			free(r->c->tr[i].t);
			free(r->c->hist[i].b);
		}
	free(r->c);
	if (r->b != MAP_FAILED)
		munmap(r->b, sizeof(*r->b));
}

static int run_pairs(struct yb_session *s, const struct yb_transport *t,
		     const char *remote, const struct yb_sweep_opts *o,
		     const struct yb_local_opts *lo, unsigned npairs,
		     struct yb_err *err)
{
	struct pairs_run r = { .npairs = npairs, .b = MAP_FAILED,
			       .remote = remote };
	int rc;

	if (npairs < 2 || npairs > YB_MAX_PAIRS)
		return yb_err_set(err, YB_EUSAGE, "--pairs must be 2 to %d",
				  YB_MAX_PAIRS);
	/* A remote server's memory is its own business. */
	rc = remote ? 0 : check_memory(t, lo, npairs, err);
	if (rc)
		return rc;
	r.ncpu = yb_allowed_cpus(r.cpus, 1024);
	rc = pairs_setup(&r, s, err);
	if (!rc && !remote)
		rc = spawn_servers(&r, t, lo, err);
	if (!rc)
		rc = start_clients(&r, t, o, lo, err);
	if (!rc) {
		collect(r.fds, r.ncli, r.c, o->stop, r.clients);
		r.ncli = 0; /* collect closed the pipes */
		rc = pairs_outcome(&r, s, o, err);
		record_placement(s, t, &r);
	}
	pairs_free(&r, rc);
	return rc;
}

int yb_run_local_pairs(struct yb_session *s, const struct yb_transport *t,
		       const struct yb_sweep_opts *o,
		       const struct yb_local_opts *lo, unsigned npairs,
		       struct yb_err *err)
{
	return run_pairs(s, t, NULL, o, lo, npairs, err);
}

int yb_run_remote_pairs(struct yb_session *s, const struct yb_transport *t,
			const char *addr, const struct yb_sweep_opts *o,
			const struct yb_local_opts *lo, unsigned npairs,
			struct yb_err *err)
{
	return run_pairs(s, t, addr, o, lo, npairs, err);
}
