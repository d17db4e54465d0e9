/*
 * cmd.h - the subcommands, and what the files of cmd/ share.  Each
 * subcommand (cmd_NAME.c) parses its arguments with argp and calls into
 * core/, where measuring, the results files and the graphs live; ab and
 * bench write only their own summaries (ab.json, ab.csv, bench.json).
 * The shared helpers are grouped below by the file that defines them.
 */
#ifndef YB_CMD_H
#define YB_CMD_H

#include <argp.h>
#include <signal.h>

#include "core/measure/local.h"
#include "core/measure/outdir.h"
#include "core/measure/pairs.h"
#include "core/measure/session.h"
#include "core/measure/sweep.h"
#include "core/report/summary.h"
#include "core/host/topo.h"

/* ---- the subcommands (cmd_NAME.c; main.c's table lists them) ---------- */

int cmd_run(int argc, char **argv);
int cmd_server(int argc, char **argv);
int cmd_client(int argc, char **argv);
int cmd_transports(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_ab(int argc, char **argv);
int cmd_diag(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_wrap(int argc, char **argv);

/* ---- main.c: signals, usage errors, failures -------------------------- */

/* Set by SIGINT/SIGTERM; the sweep stops between trials. */
extern volatile sig_atomic_t cmd_stop;
void cmd_catch_signals(void);

/*
 * A bad option value: one line, "yasmin-bench CMD: message", and exit
 * status 2.  (argp_error adds a second "Try --help" line; scripts and
 * people both read one line more easily.)
 */
void cmd_usage_error(const struct argp_state *state, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/* Print "yasmin-bench: msg" and return the exit status for code. */
int cmd_fail(int code, const char *msg);

/* ---- opts.c: options shared between commands -------------------------- */

#define CMD_MAX_CONFIGS 16

/* Sweep options shared by run and client (an argp child). */
struct cmd_sweep {
	struct yb_sweep_opts so;
	const char *out_dir;
	int force;
	int quick;
	int set_max, set_pert, set_trial_time;
	/* Ring transports: one sweep per (ring size, wait mode). */
	uint64_t ring_sizes[CMD_MAX_CONFIGS]; /* none given: the default */
	size_t n_ring_sizes;
	int waits[3];
	size_t n_waits;
	uint64_t spin_ns; /* 0: the transport's default */
	int stats;        /* print the ring counters */
	int no_plot;      /* --no-plot */
	struct yb_soak soak; /* --duration: the totals of the last soak */
};

/*
 * The transport settings of configuration i of a ring transport (ring
 * size x wait mode, sizes varying slowest); count is their number.
 */
size_t cmd_sweep_configs(const struct cmd_sweep *cs);
void cmd_sweep_config(const struct cmd_sweep *cs, size_t i,
		      struct yb_tparams *tp);

extern const struct argp cmd_sweep_argp;

/* Defaults, before parsing. */
void cmd_sweep_init(struct cmd_sweep *cs);

/*
 * Options compare and ab share; each exits with a one-line usage error on
 * a bad value.  --tolerance PCT (0 to 1000), --confidence PCT (50 to
 * 99.99), --metric LIST (latency, p99, p99.9, bandwidth, both: a mask of
 * YB_METRIC_*), --relative-to TRANSPORT (not empty).
 */
double cmd_parse_tolerance(const struct argp_state *state, const char *arg);
double cmd_parse_confidence(const struct argp_state *state, const char *arg);
unsigned cmd_parse_metrics(const struct argp_state *state, const char *arg);
const char *cmd_parse_relative(const struct argp_state *state,
			       const char *arg);

/*
 * Options plot and merge share; each exits with a one-line usage error on
 * a bad value.  --format: png, svg, both, or png and svg joined by a
 * comma (a mask of YB_PLOT_*).  A list of message sizes for option opt
 * ("--cdf-sizes"): sizes with optional K, M, G suffixes joined by commas,
 * each at least 1 byte and listed once, at most max; returns how many.
 */
unsigned cmd_parse_formats(const struct argp_state *state, const char *arg);
size_t cmd_parse_size_list(const struct argp_state *state, const char *opt,
			   const char *arg, uint64_t *sizes, size_t max);

/* ---- placement.c: which CPUs the two ends run on ---------------------- */

/* --cpus A,B: two CPUs this process may use (exits on a bad value). */
void cmd_parse_cpus(const struct argp_state *state, const char *arg,
		    int cpus[2]);
/* --cpus N of client and server: one CPU this process may use. */
int cmd_parse_cpu(const struct argp_state *state, const char *arg);
/* --pairs N, 1 to YB_MAX_PAIRS, or a usage error. */
unsigned cmd_parse_pairs(const struct argp_state *state, const char *arg);
/* Once parsed: --pairs above 1 and --duration exclude each other. */
void cmd_check_pairs(const struct argp_state *state, unsigned pairs,
		     const struct cmd_sweep *cs);
/*
 * Where the two ends of a local run go: the --cpus pair when given, else
 * the default placement (yb_placement_default: two distinct cores,
 * sharing a cache and a node where possible).  Fills lo's CPUs and pl
 * (with the relation); returns the policy in words for the metadata.
 */
const char *cmd_placement(int have_cpus, const int cpus[2],
			  struct yb_local_opts *lo, struct yb_placement *pl);
/*
 * --pairs without --cpus: leave lo's CPUs unset so that every pair gets
 * its own placement (yb_run_local_pairs); returns the policy in words.
 */
const char *cmd_pairs_placement(struct yb_local_opts *lo);

/* ---- finish.c: the output of run and client, before and after -------- */

/*
 * Before measuring: the checks of yb_session_precheck, plus existing
 * graphs in the output directory when graphs will be drawn.
 */
int cmd_precheck(const struct cmd_sweep *cs, struct yb_err *err);
/*
 * After the sweeps: print the summary, finish the files, draw the graphs
 * (unless --no-plot) and say where everything is.  rc and err are the
 * run's outcome; returns the exit status.
 */
int cmd_session_end(struct yb_session *s, int rc, const struct yb_err *err,
		    const struct cmd_sweep *cs);

/* ---- soak.c: what a soak (--duration) reports ------------------------ */

/* The sweep's soak_progress: a heartbeat on stdout every 10 s. */
void cmd_soak_progress(void *ctx, const struct yb_soak *st);

/*
 * After a soak (--duration) over the curve s->cur describes, however it
 * ended (rc: 0, YB_EINTR, or the error in err): the totals of its whole
 * trials on stdout and in the metadata under "soak.LABEL." (seconds,
 * bytes, verified_bytes, messages, verified, mean_gbps, the client's
 * rss at start, end and most, ended), unless it failed before a message
 * was delivered.  The totals are then cleared, so that a later transport
 * that fails before its soak begins reports nothing.
 */
void cmd_soak_report(struct yb_session *s, const char *transport,
		     struct cmd_sweep *cs, int rc, const struct yb_err *err);

/* ---- verdict.c: the verdict of a comparison (compare, ab) ------------- */

/*
 * A table on stdout, or the JSON of yb_cmp_to_json on stdout.  relative:
 * the reference transport, or NULL.
 */
struct yb_cmp;
void cmd_cmp_print(const struct yb_cmp *c, double tol, const char *relative);
void cmd_cmp_print_json(const struct yb_cmp *c, double tol,
			const char *relative);

#endif /* YB_CMD_H */
