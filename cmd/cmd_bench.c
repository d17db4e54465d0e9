/*
 * cmd_bench.c - `yasmin-bench bench`: the ring against its ceilings and
 * against the socket transports, measured side by side in one invocation.
 *
 * Each round measures the physical ceilings (single-core memcpy, the
 * core-to-core cache-line round trip, the duplex-line floor of a small
 * message, the cross-core copy rate; core/host/probe.h; the cost of a
 * sleep and a wake-up, core/host/wake.h) and short local
 * sweeps over shm (adaptive and block waiting), unix and tcp, on the same
 * two CPUs.  The
 * targets are ratios between figures of the same round, because absolute
 * figures on a shared or virtual machine drift between runs while ratios
 * measured side by side hold; the table gives the median over rounds and
 * the spread.  Each round's sweeps are also written as an ordinary results
 * directory.  A benchmark reports; it does not fail on a missed target.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/host/probe.h"
#include "core/host/sysinfo.h"
#include "core/host/wake.h"
#include "core/wire/ring.h"
#include "core/base/stats.h"
#include "cmd/cmd.h"

#define MAX_ROUNDS 20
/* The ring shm uses when not told otherwise: 4 MiB per direction. */
#define BENCH_RING_BYTES (4u << 20)

struct bench_args {
	int rounds;
	int cpus[2];
	int have_cpus;
	const char *out_dir;
	int force;
	double trial_time;
};

enum { OPT_ROUNDS = 'r', OPT_CPUS = 'c', OPT_OUT = 'o', OPT_FORCE = 300,
       OPT_TRIAL_TIME };

static const struct argp_option bench_options[] = {
	{ "rounds", OPT_ROUNDS, "N", 0,
	  "measure everything N times and report medians (default 3)", 0 },
	{ "cpus", OPT_CPUS, "A,B", 0,
	  "the two CPUs for both ends and for the probes (default: two "
	  "distinct cores sharing a last-level cache, as for run)",
	  0 },
	{ "trial-time", OPT_TRIAL_TIME, "SECONDS", 0,
	  "target duration of one trial (default 0.05)", 0 },
	{ "out", OPT_OUT, "DIR", 0,
	  "write bench.json and one results directory per round into DIR "
	  "(default yasmin-results/bench-DATE-TIME)",
	  0 },
	{ "force", OPT_FORCE, 0, 0, "overwrite existing results in DIR", 0 },
	{ 0 }
};

static error_t bench_parse(int key, char *arg, struct argp_state *state)
{
	struct bench_args *a = state->input;
	char *end;

	switch (key) {
	case OPT_ROUNDS: {
		long n = strtol(arg, &end, 10);
		if (end == arg || *end || n < 1 || n > MAX_ROUNDS)
			cmd_usage_error(state, "bad --rounds '%s': expected 1 "
					       "to %d",
					arg, MAX_ROUNDS);
		a->rounds = (int)n;
		break;
	}
	case OPT_CPUS:
		cmd_parse_cpus(state, arg, a->cpus);
		a->have_cpus = 1;
		break;
	case OPT_TRIAL_TIME: {
		double t = strtod(arg, &end);
		if (end == arg || *end || !(t > 0) || t > 10)
			cmd_usage_error(state, "bad --trial-time '%s': "
					       "expected seconds, above 0 and "
					       "at most 10",
					arg);
		a->trial_time = t;
		break;
	}
	case OPT_OUT:
		if (!*arg)
			cmd_usage_error(state, "--out needs a directory");
		a->out_dir = arg;
		break;
	case OPT_FORCE:
		a->force = 1;
		break;
	case ARGP_KEY_ARG:
		cmd_usage_error(state, "unexpected argument '%s'", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* The figures of one round; NAN where a measurement failed. */
enum fig {
	F_CACHELINE_NS,
	F_MEMCPY_64K,
	F_MEMCPY_1M,
	F_SHM_ADAPTIVE_LAT,
	F_SHM_BLOCK_LAT,
	F_UNIX_LAT,
	F_TCP_LAT,
	F_SHM_BW_64K,
	F_SHM_BW_1M,
	F_UNIX_BW_1M,
	F_TCP_BW_64K,
	F_TCP_BW_1M,
	F_SHM_PAIRS2_1M,
	F_DUPLEX_NS,
	F_XCOPY_64K,
	F_XCOPY_1M,
	F_SHM_BLOCK_CPU,
	F_UNIX_CPU,
	F_WAKE_US,
	F_SHM_ADAPTIVE_1M_LAT,
	F_SHM_POLL_1M_LAT,
	NFIG
};

static const struct {
	const char *key, *what, *unit;
} figs[NFIG] = {
	{ "cacheline_one_way_ns", "cache line, core to core, one way", "ns" },
	{ "memcpy_64k_gbytes", "memcpy, one core, 64 KiB", "GB/s" },
	{ "memcpy_1m_gbytes", "memcpy, one core, 1 MiB", "GB/s" },
	{ "shm_adaptive_1b_us", "shm adaptive, 1 B one-way (p50)", "us" },
	{ "shm_block_1b_us", "shm block, 1 B one-way (p50)", "us" },
	{ "unix_1b_us", "unix, 1 B one-way (p50)", "us" },
	{ "tcp_1b_us", "tcp, 1 B one-way (p50)", "us" },
	{ "shm_64k_gbps", "shm stream, 64 KiB messages", "Gbit/s" },
	{ "shm_1m_gbps", "shm stream, 1 MiB messages", "Gbit/s" },
	{ "unix_1m_gbps", "unix stream, 1 MiB messages", "Gbit/s" },
	{ "tcp_64k_gbps", "tcp stream, 64 KiB messages", "Gbit/s" },
	{ "tcp_1m_gbps", "tcp stream, 1 MiB messages", "Gbit/s" },
	{ "shm_pairs2_1m_gbps", "shm stream, 2 pairs at once, total, 1 MiB",
	  "Gbit/s" },
	{ "duplex_line_one_way_ns", "duplex lines, core to core, one way",
	  "ns" },
	{ "xcopy_64k_gbps", "cross-core copy, 64 KiB", "Gbit/s" },
	{ "xcopy_1m_gbps", "cross-core copy, 1 MiB", "Gbit/s" },
	{ "shm_block_cpu_us", "shm block, 1 B, CPU per message", "us" },
	{ "unix_cpu_us", "unix, 1 B, CPU per message", "us" },
	{ "wake_one_way_us", "sleep and wake-up, core to core, one way",
	  "us" },
	{ "shm_adaptive_1m_us", "shm adaptive, 1 MiB one-way (p50)", "us" },
	{ "shm_poll_1m_us", "shm poll, 1 MiB one-way (p50)", "us" },
};

/*
 * Targets: value = num / den (x scale), met when value >= min or <= max.
 * A target that needs more CPUs than this machine lets us use is still
 * measured, and the table says it cannot show there.
 */
static const struct {
	const char *what;
	enum fig num, den;
	double scale;
	int at_most; /* 1: value must be <= limit; 0: >= limit */
	double limit;
	int cpus;    /* CPUs the target needs to be reachable at all */
} targets[] = {
	{ "shm adaptive latency / duplex-line floor", F_SHM_ADAPTIVE_LAT,
	  F_DUPLEX_NS, 1000, 1, 1.3 },
	{ "shm adaptive latency / cache-line one-way", F_SHM_ADAPTIVE_LAT,
	  F_CACHELINE_NS, 1000, 1, 3 },
	{ "shm bandwidth / cross-core copy, 64 KiB", F_SHM_BW_64K, F_XCOPY_64K,
	  1, 0, 0.9 },
	{ "shm bandwidth / cross-core copy, 1 MiB", F_SHM_BW_1M, F_XCOPY_1M, 1,
	  0, 0.9 },
	{ "shm block CPU per message / unix CPU per message", F_SHM_BLOCK_CPU,
	  F_UNIX_CPU, 1, 1, 1 },
	/* Spinning for as long as a sleep and wake-up cost, then sleeping,
	 * at most doubles a wait: adaptive within twice of never sleeping. */
	{ "shm adaptive / poll latency, 1 MiB", F_SHM_ADAPTIVE_1M_LAT,
	  F_SHM_POLL_1M_LAT, 1, 1, 2 },
	{ "tcp latency / shm adaptive latency", F_TCP_LAT, F_SHM_ADAPTIVE_LAT,
	  1, 0, 100 },
	{ "shm block latency / unix latency", F_SHM_BLOCK_LAT, F_UNIX_LAT, 1,
	  1, 1 },
	{ "shm / tcp bandwidth, 1 MiB", F_SHM_BW_1M, F_TCP_BW_1M, 1, 0, 5 },
	{ "shm bandwidth / memcpy, 1 MiB", F_SHM_BW_1M, F_MEMCPY_1M, 1.0 / 8,
	  0, 0.5 },
	{ "shm / tcp bandwidth, 64 KiB", F_SHM_BW_64K, F_TCP_BW_64K, 1, 0, 4 },
	/* Two pairs keep four ends busy: two cores cannot run them at once. */
	{ "shm 2 pairs total / 1 pair, 1 MiB", F_SHM_PAIRS2_1M, F_SHM_BW_1M, 1,
	  0, 0.95, 4 },
};
#define NTARGETS (sizeof(targets) / sizeof(targets[0]))

/* The row of a sweep: pairs 1 for single runs, pair 0 for totals. */
static const struct yb_point *row_of(const struct yb_results *r,
				     const char *transport, const char *wait,
				     unsigned mode, uint64_t bytes,
				     unsigned pairs)
{
	for (size_t i = r->n; i-- > 0;) {
		const struct yb_point *p = &r->p[i];
		if (strcmp(p->transport, transport) == 0 && p->mode == mode &&
		    p->bytes == bytes && strcmp(p->wait, wait) == 0 &&
		    p->pairs == pairs && (pairs == 1 || p->pair == 0))
			return p;
	}
	return NULL;
}

/* The figure of a row: one-way p50 latency, or bandwidth. */
static double find(const struct yb_results *r, const char *transport,
		   const char *wait, unsigned mode, uint64_t bytes,
		   unsigned pairs)
{
	const struct yb_point *p = row_of(r, transport, wait, mode, bytes,
					  pairs);

	if (!p)
		return NAN;
	return mode == YB_MODE_PINGPONG ? p->lat_p50_us : p->bw_gbps;
}

/*
 * CPU time both ends spent per message of a 1-byte ping-pong, in us:
 * their CPU use over the timed window (percent of a core each) times the
 * window's length per message, the mean one-way latency.
 */
static double cpu_per_msg(const struct yb_results *r, const char *transport,
			  const char *wait)
{
	const struct yb_point *p = row_of(r, transport, wait, YB_MODE_PINGPONG,
					  1, 1);

	if (!p)
		return NAN;
	return (p->cpu_client_pct + p->cpu_server_pct) / 100 * p->lat_mean_us;
}

/* One local sweep; errors are reported and leave the figures NAN. */
static int sweep(struct yb_session *s, const char *name, int wait,
		 unsigned mode, unsigned pairs, uint64_t pp_bytes,
		 const struct bench_args *a, struct yb_local_opts *lo)
{
	struct yb_sweep_opts o;
	struct yb_tparams tp = { 0 };
	struct yb_err err = { 0 };
	const struct yb_transport *t = yb_transport_find(name);

	if (!t || t->probe(&err)) {
		fprintf(stderr, "yasmin-bench: bench: %s unavailable: %s\n",
			name, err.msg);
		return 0;
	}
	yb_sweep_defaults(&o);
	o.modes = YB_MODE_BIT(mode);
	o.trial_time_s = a->trial_time;
	o.trials = 3;
	o.stop = &cmd_stop;
	o.sink = yb_session_point;
	o.sink_ctx = s;
	o.progress = yb_session_progress;
	o.progress_ctx = s;
	o.sched.perturbation = 0;
	if (mode == YB_MODE_PINGPONG) {
		o.sched.min_bytes = o.sched.max_bytes = pp_bytes;
	} else if (pairs > 1) {
		o.sched.min_bytes = o.sched.max_bytes = 1024 * 1024;
	} else {
		o.sched.min_bytes = 64 * 1024;
		o.sched.max_bytes = 1024 * 1024;
		o.sched.pow2_only = 1;
	}
	if (wait >= 0) {
		tp.wait = wait;
		tp.wait_set = 1;
	}
	lo->tp = &tp;
	/* Pairs spread over the CPUs unless --cpus placed them. */
	struct yb_local_opts plo = *lo;
	if (pairs > 1 && !a->have_cpus)
		cmd_pairs_placement(&plo);
	int rc = pairs > 1 ? yb_run_local_pairs(s, t, &o, &plo, pairs, &err) :
			     yb_run_local(s, t, &o, lo, &err);
	lo->tp = NULL;
	if (rc == YB_EINTR)
		return rc;
	if (rc)
		fprintf(stderr, "yasmin-bench: bench: %s: %s\n", name,
			err.msg);
	return 0;
}

/* Median, min and max of the finite values; returns how many. */
static int summarize(const double *v, int n, double *med, double *lo,
		     double *hi)
{
	double s[MAX_ROUNDS];
	int k = 0;

	for (int i = 0; i < n; i++)
		if (isfinite(v[i]))
			s[k++] = v[i];
	if (k == 0)
		return 0;
	*med = yb_median_sort(s, (size_t)k);
	*lo = s[0];
	*hi = s[k - 1];
	return k;
}

/* The round's ceilings and floors (NAN where a probe failed). */
static void measure_ceilings(const struct yb_local_opts *lo, double *f)
{
	struct yb_err err = { 0 };

	for (int i = 0; i < NFIG; i++)
		f[i] = NAN;
	if (yb_probe_cacheline(lo->cpu_client, lo->cpu_server, 0.3,
			       &f[F_CACHELINE_NS], &err))
		fprintf(stderr, "yasmin-bench: bench: cache-line probe: %s\n",
			err.msg);
	if (yb_probe_duplex(lo->cpu_client, lo->cpu_server, 0.3,
			    &f[F_DUPLEX_NS], &err))
		fprintf(stderr, "yasmin-bench: bench: duplex-line probe: %s\n",
			err.msg);
	double wake_ns;
	if (yb_probe_wake(lo->cpu_client, lo->cpu_server, 300, &wake_ns, &err))
		fprintf(stderr, "yasmin-bench: bench: wake-up probe: %s\n",
			err.msg);
	else
		f[F_WAKE_US] = wake_ns / 1000;
	if (yb_probe_memcpy(64 * 1024, 0.2, &f[F_MEMCPY_64K], &err) ||
	    yb_probe_memcpy(1024 * 1024, 0.2, &f[F_MEMCPY_1M], &err))
		fprintf(stderr, "yasmin-bench: bench: memcpy probe: %s\n",
			err.msg);
	/* Through a shared area the size of shm's default ring; the client
	 * writes a stream, the server reads it. */
	if (yb_probe_xcopy(64 * 1024, BENCH_RING_BYTES, lo->cpu_client,
			   lo->cpu_server, 0.3, &f[F_XCOPY_64K], &err) ||
	    yb_probe_xcopy(1024 * 1024, BENCH_RING_BYTES, lo->cpu_client,
			   lo->cpu_server, 0.3, &f[F_XCOPY_1M], &err))
		fprintf(stderr, "yasmin-bench: bench: cross-core copy probe: "
			"%s\n", err.msg);
}

static int run_round(int round, const struct bench_args *a,
		     struct yb_local_opts *lo, const char *placement,
		     const struct yb_placement *pl, const char *dir, double *f)
{
	struct yb_err err = { 0 };
	struct yb_session s;
	char sub[PATH_MAX];
	int rc;

	measure_ceilings(lo, f);
	snprintf(sub, sizeof(sub), "%s/round-%d", dir, round);
	rc = yb_session_open(&s, sub, a->force, &err);
	if (rc) {
		fprintf(stderr, "yasmin-bench: %s\n", err.msg);
		return rc;
	}
	yb_meta_set(&s.meta, "command", "bench");
	yb_meta_set(&s.meta, "placement.policy", "%s", placement);
	yb_placement_meta(&s.meta, "placement.", pl);
	if (!a->have_cpus) {
		struct yb_local_opts plo = *lo;
		yb_meta_set(&s.meta, "placement.pairs_policy", "%s",
			    cmd_pairs_placement(&plo));
	}
	static const struct {
		const char *name;
		int wait;
		unsigned modes, pairs;
		uint64_t pp_bytes; /* the ping-pong's message */
	} runs[] = {
		{ "shm", YB_WAIT_ADAPTIVE, 3, 1, 1 },
		{ "shm", YB_WAIT_BLOCK, 1, 1, 1 },
		{ "unix", -1, 3, 1, 1 },
		{ "tcp", -1, 3, 1, 1 },
		{ "shm", YB_WAIT_ADAPTIVE, 2, 2, 1 },
		{ "shm", YB_WAIT_ADAPTIVE, 1, 1, 1 << 20 },
		{ "shm", YB_WAIT_POLL, 1, 1, 1 << 20 },
	};
	rc = 0;
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]) && !rc; i++)
		for (unsigned m = YB_MODE_PINGPONG; m <= YB_MODE_STREAM && !rc;
		     m++)
			if (runs[i].modes & (1u << (m - 1)))
				rc = sweep(&s, runs[i].name, runs[i].wait, m,
					   runs[i].pairs, runs[i].pp_bytes, a,
					   lo);
	yb_session_progress_done(&s);
	yb_placement_annotate(&s.meta);
	const struct yb_results *r = &s.results;
	f[F_SHM_ADAPTIVE_LAT] = find(r, "shm", "adaptive", YB_MODE_PINGPONG, 1, 1);
	f[F_SHM_BLOCK_LAT] = find(r, "shm", "block", YB_MODE_PINGPONG, 1, 1);
	f[F_UNIX_LAT] = find(r, "unix", "", YB_MODE_PINGPONG, 1, 1);
	f[F_TCP_LAT] = find(r, "tcp", "", YB_MODE_PINGPONG, 1, 1);
	f[F_SHM_BW_64K] = find(r, "shm", "adaptive", YB_MODE_STREAM, 65536, 1);
	f[F_SHM_BW_1M] = find(r, "shm", "adaptive", YB_MODE_STREAM, 1 << 20, 1);
	f[F_UNIX_BW_1M] = find(r, "unix", "", YB_MODE_STREAM, 1 << 20, 1);
	f[F_TCP_BW_64K] = find(r, "tcp", "", YB_MODE_STREAM, 65536, 1);
	f[F_TCP_BW_1M] = find(r, "tcp", "", YB_MODE_STREAM, 1 << 20, 1);
	f[F_SHM_PAIRS2_1M] =
		find(r, "shm", "adaptive", YB_MODE_STREAM, 1 << 20, 2);
	f[F_SHM_BLOCK_CPU] = cpu_per_msg(r, "shm", "block");
	f[F_UNIX_CPU] = cpu_per_msg(r, "unix", "");
	f[F_SHM_ADAPTIVE_1M_LAT] =
		find(r, "shm", "adaptive", YB_MODE_PINGPONG, 1 << 20, 1);
	f[F_SHM_POLL_1M_LAT] = find(r, "shm", "poll", YB_MODE_PINGPONG, 1 << 20, 1);
	struct yb_err cerr;
	yb_session_close(&s, rc == 0, &cerr);
	return rc;
}

/* The table of figures: each one's median, lowest and highest. */
static void print_figures(double f[][NFIG], int done)
{
	double col[MAX_ROUNDS], med, lo_v, hi_v;

	printf("\n%-40s %12s %12s %12s\n", "figure", "median", "lowest",
	       "highest");
	for (int k = 0; k < NFIG; k++) {
		for (int i = 0; i < done; i++)
			col[i] = f[i][k];
		char unit[64];
		snprintf(unit, sizeof(unit), "%s (%s)", figs[k].what,
			 figs[k].unit);
		if (summarize(col, done, &med, &lo_v, &hi_v))
			printf("%-40s %12.3f %12.3f %12.3f\n", unit, med, lo_v,
			       hi_v);
		else
			printf("%-40s %12s\n", unit, "not measured");
	}
}

/* Every round's figures, for bench.json (null: not measured). */
static json_t *rounds_json(double f[][NFIG], int done)
{
	json_t *jr = json_array();

	for (int i = 0; i < done; i++) {
		json_t *o = json_object();
		for (int k = 0; k < NFIG; k++)
			json_object_set_new(o, figs[k].key,
					    isfinite(f[i][k]) ?
						    json_real(f[i][k]) :
						    json_null());
		json_array_append_new(jr, o);
	}
	return jr;
}

/*
 * The table of targets: each ratio's median over the rounds against its
 * goal.  Those measured go into jt; met and known count them.
 */
static void print_targets(double f[][NFIG], int done, json_t *jt, int *met,
			  int *known)
{
	double col[MAX_ROUNDS], med, lo_v, hi_v;
	int ids[1024];
	int cpus = yb_allowed_cpus(ids, 1024);

	printf("\n%-50s %10s %18s %8s %s\n", "target (ratio, same round)",
	       "median", "lowest..highest", "goal", "");
	for (size_t t = 0; t < NTARGETS; t++) {
		for (int i = 0; i < done; i++)
			col[i] = f[i][targets[t].num] /
				 f[i][targets[t].den] * targets[t].scale;
		char goal[32], range[40] = "-", meds[16] = "-";
		const char *verdict = "not measured";
		snprintf(goal, sizeof(goal), "%s %g",
			 targets[t].at_most ? "<=" : ">=", targets[t].limit);
		if (summarize(col, done, &med, &lo_v, &hi_v)) {
			int ok = targets[t].at_most ? med <= targets[t].limit :
						      med >= targets[t].limit;
			verdict = ok ? "met" : "MISSED";
			*met += ok;
			(*known)++;
			snprintf(meds, sizeof(meds), "%.3g", med);
			snprintf(range, sizeof(range), "%.3g..%.3g", lo_v,
				 hi_v);
			json_array_append_new(
				jt, json_pack("{s:s, s:s, s:f, s:f, s:f, s:b, s:b}",
					      "target", targets[t].what, "goal",
					      goal, "median", med, "lowest",
					      lo_v, "highest", hi_v, "met", ok,
					      "reachable_here",
					      targets[t].cpus <= cpus));
		}
		char why[80] = "";
		if (targets[t].cpus > cpus)
			snprintf(why, sizeof(why),
				 " (needs %d CPUs; %d here: cannot show)",
				 targets[t].cpus, cpus);
		printf("%-50s %10s %18s %8s %s%s\n", targets[t].what, meds,
		       range, goal, verdict, why);
	}
}

int cmd_bench(int argc, char **argv)
{
	static const struct argp argp = {
		bench_options, bench_parse, "",
		"Measure the shm ring against the physical ceilings of this "
		"machine and against unix and tcp, all in one invocation, and "
		"print the ratios the ring is judged by.\v"
		"Every figure is the median over the rounds, with the lowest "
		"and highest beside it.",
		0, 0, 0
	};
	struct bench_args a = { .rounds = 3, .trial_time = 0.05 };
	struct yb_err err = { 0 };
	double f[MAX_ROUNDS][NFIG];
	int rc = 0, done = 0;

	argp_parse(&argp, argc, argv, 0, 0, &a);
	char dir[PATH_MAX];
	if (a.out_dir) {
		snprintf(dir, sizeof(dir), "%s", a.out_dir);
	} else {
		time_t now = time(NULL);
		struct tm tm;
		localtime_r(&now, &tm);
		strftime(dir, sizeof(dir), "yasmin-results/bench-%Y%m%d-%H%M%S",
			 &tm);
	}
	char probe[PATH_MAX + 16];
	snprintf(probe, sizeof(probe), "%s/round-1", dir);
	rc = yb_session_precheck(probe, a.force, &err);
	if (rc)
		return cmd_fail(rc, err.msg);

	struct yb_local_opts lo = { -1, -1, 10000, NULL };
	struct yb_placement pl;
	char line[512];
	const char *placement = cmd_placement(a.have_cpus, a.cpus, &lo, &pl);
	cmd_catch_signals();
	printf("yasmin-bench bench: %d round%s -> %s/\nplacement: %s\n",
	       a.rounds, a.rounds > 1 ? "s" : "", dir,
	       yb_placement_line(&pl, line, sizeof(line)));
	fflush(stdout);
	for (int i = 0; i < a.rounds && !rc; i++) {
		rc = run_round(i + 1, &a, &lo, placement, &pl, dir, f[i]);
		if (!rc || rc == YB_EINTR)
			done = i + 1;
		if (rc == YB_EINTR)
			done = i; /* the cut round is incomplete */
	}
	if (rc && rc != YB_EINTR)
		return yb_exit_status(rc);

	print_figures(f, done);
	json_t *jt = json_array();
	int met = 0, known = 0;
	print_targets(f, done, jt, &met, &known);
	/* bench.json: every round's figures and the targets. */
	json_t *root = json_object();
	json_object_set_new(root, "format", json_string("yasmin-bench-bench"));
	json_object_set_new(root, "rounds_completed", json_integer(done));
	json_object_set_new(root, "rounds", rounds_json(f, done));
	json_object_set_new(root, "targets", jt);
	char path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/bench.json", dir);
	if (json_dump_file(root, path, JSON_INDENT(2)) != 0)
		fprintf(stderr, "yasmin-bench: cannot write %s\n", path);
	json_decref(root);
	printf("\n%d of %d targets met (medians of %d round%s); figures in "
	       "%s/\n",
	       met, known, done, done == 1 ? "" : "s", dir);
	if (rc == YB_EINTR) {
		fprintf(stderr, "yasmin-bench: interrupted\n");
		return YB_EXIT_INTR;
	}
	return 0;
}
