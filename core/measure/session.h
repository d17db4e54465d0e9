/*
 * session.h - what `run` and `client` share around a sweep: the output
 * directory and its files, the metadata, the collected results, progress
 * on a terminal, the summary table, and running both ends on this host.
 */
#ifndef YB_SESSION_H
#define YB_SESSION_H

#include <limits.h>
#include <sys/types.h>
#include <stdio.h>

#include "core/report/results.h"
#include "core/measure/sweep.h"

#define YB_SESSION_MAX_OUTPUTS 2

struct yb_session {
	char dir[PATH_MAX];
	struct yb_meta meta;
	struct yb_results results;
	struct yb_output *out[YB_SESSION_MAX_OUTPUTS];
	const struct yb_output_ops *ops[YB_SESSION_MAX_OUTPUTS];
	size_t nout;
	int progress_shown;
	int stats;                /* print transport counters */
	struct {                  /* settings of the sweep running now */
		uint64_t ring_bytes;
		char wait[12];
		unsigned pairs, pair; /* 0: a single connection */
	} cur;
};

/*
 * Create dir (and parents) and the result files in it.  Existing result
 * files are an error unless force is set; the check happens before any
 * measurement, so a refused run costs nothing.  dir NULL picks
 * yasmin-results/YYYYMMDD-HHMMSS.
 */
int yb_session_open(struct yb_session *s, const char *dir, int force,
		    struct yb_err *err);
/*
 * The same checks as yb_session_open without touching anything: existing
 * result files (unless force), a path that cannot become a writable
 * directory.  Lets a command fail before it connects anywhere.
 */
int yb_session_precheck(const char *dir, int force, struct yb_err *err);
/* Sink for yb_sweep_opts.sink: ctx is the session. */
int yb_session_point(void *ctx, const struct yb_point *p, struct yb_err *err);
/* Finish the files (complete = 0 when cut short) and free everything. */
int yb_session_close(struct yb_session *s, int complete, struct yb_err *err);

/*
 * After connecting: record the transport's self-description in the
 * metadata under "transport.NAME." (ring transports: "transport.NAME.
 * SIZE-WAIT.", one entry per configuration) and take the ring size and
 * wait mode it reports (keys ring_bytes and wait) for the points that
 * follow.  prefix receives the metadata prefix used.
 */
void yb_session_connected(struct yb_session *s, const struct yb_ep *ep,
			  char *prefix, size_t len);
/* The ring size and wait mode a transport's description reports (0 and
 * "" for transports that are not rings). */
void yb_ring_settings(const struct yb_meta *describe, uint64_t *ring_bytes,
		      char *wait, size_t wait_len);
/*
 * After a sweep: our counters and the server's (server_meta keys
 * "server.counters.*") into the metadata under prefix, and on stdout
 * when s->stats is set.
 */
void yb_session_counters(struct yb_session *s, const struct yb_ep *ep,
			 const char *prefix, const struct yb_meta *server_meta);

/* Progress callback printing one updating line on stderr (a terminal). */
void yb_session_progress(void *ctx, const struct yb_progress *p);
/* End the progress line, if one is showing. */
void yb_session_progress_done(struct yb_session *s);

/*
 * The summary table: per transport, the smallest message's one-way
 * latency (p50), the peak bandwidth, and both as ratios to tcp (>1 is
 * better) when tcp was measured.
 */
void yb_summary_print(FILE *fp, const struct yb_results *r);

/*
 * The cost of reading the clock lands once in every round trip.  When
 * read_ns is more than 5% of the smallest one-way latency in r, describe
 * it in buf (one line) and return 1; else 0.
 */
int yb_clock_cost_warning(const struct yb_results *r, double read_ns,
			  char *buf, size_t len);

/*
 * A round trip cannot take 0 ns: one that was timed so happened while the
 * clock stood still (a virtual clock held back to stay monotonic).  When
 * any ping-pong point of r holds such round trips, describe them in buf
 * (one line) and return 1; *stalled is their number either way.
 */
int yb_clock_stall_warning(const struct yb_results *r, char *buf,
			   size_t len, uint64_t *stalled);

/* Put the sweep options into the metadata under "sweep.". */
void yb_session_sweep_meta(struct yb_session *s, const struct yb_sweep_opts *o);

struct yb_local_opts {
	int cpu_client, cpu_server; /* -1: do not pin */
	int accept_timeout_ms;
	const struct yb_tparams *tp; /* ring settings, or NULL */
};

/*
 * Run both ends of a sweep over one transport on this host: the server in
 * a child process, the client here.  Transport settings and placement go
 * into s->meta under "transport.NAME." and "placement.".
 */
int yb_run_local(struct yb_session *s, const struct yb_transport *t,
		 const struct yb_sweep_opts *o, const struct yb_local_opts *lo,
		 struct yb_err *err);

/*
 * The same with npairs connections at once (npairs >= 2): npairs server
 * and npairs client processes, every sweep stepping through the sizes in
 * lock-step, so that the trials of all pairs overlap.  Records each
 * pair's rows (pair 1..npairs) and their total (pair 0: every byte of
 * every pair over the span of their trials, and CPU summed).  Pair i runs its client on
 * CPU cpus[i mod n] and its server on cpus[(i + 1) mod n] of the n CPUs
 * this process may use, so that each CPU carries as many senders as
 * receivers (lo's CPUs, when given, hold every pair).
 */
int yb_run_local_pairs(struct yb_session *s, const struct yb_transport *t,
		       const struct yb_sweep_opts *o,
		       const struct yb_local_opts *lo, unsigned npairs,
		       struct yb_err *err);

/* The template of a local run's private rendezvous directory. */
#define YB_LOCAL_DIR "/tmp/yasmin-bench.XXXXXX"

/* The server half of a local run, running in a child process. */
struct yb_local_child {
	pid_t pid;
	char addr[YB_ADDR_MAX];		/* where its client connects */
	char dir[sizeof(YB_LOCAL_DIR)]; /* its private directory */
	char path[YB_ADDR_MAX];		/* its socket file there, or "" */
};

/*
 * Fork the server half of a local run.  The child makes the private
 * directory and a listener in it, reports the address, accepts one client,
 * removes the directory and serves it.  The directory exists only while a
 * living child owns it: a caller killed at any moment leaves a child that
 * notices within 200 ms, removes it and ends.  On failure the child is
 * reaped and nothing is left.
 */
int yb_local_spawn(const struct yb_transport *t,
		   const struct yb_local_opts *lo, struct yb_local_child *c,
		   struct yb_err *err);

/*
 * Wait for the child (SIGTERM it first if kill_it), then remove what a
 * child killed before it tidied up left behind.  0 with its wait status
 * (status may be NULL).
 */
int yb_local_reap(struct yb_local_child *c, int kill_it, int *status);

/*
 * For test builds only, and left undefined in yasmin-bench itself (weak
 * references, NULL there).  The A/B gate's benchmark and tests build a
 * copy of yasmin-bench that is slower by a known amount over one
 * transport (tests/slowdown.c):
 *
 * yb_local_serve_hook: called in the server child of a local run before
 * it serves, with the transport's name, to install a serve hook (a real
 * delay before each echo).
 * yb_session_point_hook: called with each point before it is recorded
 * (figures scaled by an exact factor).
 */
struct yb_serve_opts;
extern void yb_local_serve_hook(struct yb_serve_opts *so, const char *transport)
	__attribute__((weak));
extern void yb_session_point_hook(struct yb_point *p) __attribute__((weak));

#endif /* YB_SESSION_H */
