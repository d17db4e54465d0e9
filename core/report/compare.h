/*
 * compare.h - regression checks between two result files, and ratio
 * gates within one.
 *
 * Points are matched by curve (transport, ring size, wait mode, pairs,
 * pair), mode and size.  Latency comes from ping-pong rows (median
 * one-way), bandwidth from stream rows.  Per curve, the median of the
 * per-size changes decides: a regression when it exceeds the tolerance
 * and the noise of that median - the standard error of a median of n
 * sizes, computed from the larger of the spread the two runs' trials
 * show (their combined 2-sigma relative deviation) and the spread of the
 * changes across sizes.  One noisy size never fails a run on its own; it
 * is reported as the worst change.
 */
#ifndef YB_COMPARE_H
#define YB_COMPARE_H

#include <stddef.h>

#include "core/base/err.h"
#include "core/report/results.h"

#define YB_METRIC_LATENCY (1u << 0)   /* one-way p50, ping-pong rows */
#define YB_METRIC_BANDWIDTH (1u << 1) /* best trial, stream rows */
#define YB_METRIC_P99 (1u << 2)       /* one-way p99 */
#define YB_METRIC_P999 (1u << 3)      /* one-way p99.9 */
#define YB_METRIC_ALL                                                      \
	(YB_METRIC_LATENCY | YB_METRIC_BANDWIDTH | YB_METRIC_P99 |          \
	 YB_METRIC_P999)

/* "latency", "bandwidth", "p99", "p99.9". */
const char *yb_metric_name(unsigned metric);
/* The metric a name means (the names above; "p50" is "latency"), or 0. */
unsigned yb_metric_parse(const char *name);

/*
 * Whether a run verified its data: YB_VERIFY_YES when any row did (in a
 * pass or inline), YB_VERIFY_NO when every row says it did not, else
 * what its metadata says, else YB_VERIFY_UNKNOWN.
 */
int yb_results_verified(const struct yb_results *r);

struct yb_cmp_row {
	char curve[96];
	unsigned metric;      /* one YB_METRIC_* */
	size_t points;
	double median_pct;    /* change, + is worse (several runs: the
				 estimate of the change) */
	double worst_pct;
	uint64_t worst_bytes;
	double noise_pct;     /* noise of the median change; several runs:
				 the spread between runs (see below) */
	size_t over;          /* points beyond tolerance and their trials */
	int regressed;
	/* Several runs a side (yb_compare_runs, yb_compare_paired): the
	 * confidence interval of the change, in percent, the p-value of
	 * "worse" (paired only; NAN otherwise), and for paired rounds each
	 * round's change in percent. */
	double lo_pct, hi_pct;
	double p;
	double *round_pct;
	size_t rounds;
};

struct yb_cmp {
	struct yb_cmp_row *rows;
	size_t n;
	int regressed;
	/* How the noise was judged: YB_NOISE_WITHIN (one run a side: the
	 * trials' spread inside each run), YB_NOISE_BETWEEN (several runs
	 * a side), YB_NOISE_PAIRED (alternating A/B rounds). */
	int noise;
	double conf; /* level of the intervals (several runs) */
	int method;  /* YB_NOISE_PAIRED: YB_AB_SIGN, _SIGNRANK or _RANKSUM */
};

enum { YB_NOISE_WITHIN, YB_NOISE_BETWEEN, YB_NOISE_PAIRED };

/*
 * Compare current against baseline for the metrics asked; tolerance in
 * percent.  No overlapping point is an error (YB_EINVAL).
 */
int yb_compare(const struct yb_results *base, const struct yb_results *cur,
	       unsigned metrics, double tolerance_pct, struct yb_cmp *out,
	       struct yb_err *err);
void yb_cmp_free(struct yb_cmp *c);

/*
 * Several runs a side, at least two each.  Per curve and metric, each
 * run becomes one figure: the median, over the sizes every run has, of
 * its log ratio to the baseline runs' median at that size (signed so
 * that + is worse).  The change is the difference of the two sides' means
 * of those figures, with a Student t interval at level conf from their
 * pooled spread between runs - the noise that one run's trials cannot
 * show (placement, frequency, neighbours).  A regression when the change
 * exceeds the tolerance and the whole interval is above zero.
 */
int yb_compare_runs(const struct yb_results *const *base, size_t nb,
		    const struct yb_results *const *cur, size_t nc,
		    unsigned metrics, double tolerance_pct, double conf,
		    struct yb_cmp *out, struct yb_err *err);

/*
 * Alternating A/B rounds: a[i] and b[i] were measured one after the
 * other in round i (rounds >= 1).  Per curve and metric, round i's change
 * (round_pct) is the median over the sizes of log(b / a), signed so that
 * + is worse.  The verdict, by method:
 *
 * YB_AB_SIGN (the default of ab): the median of the rounds' changes with
 *   the sign test's interval (yb_sign_ci).  The two runs of a round are
 *   measured back to back, so a shift of the machine that lasts longer
 *   than a round cancels in its change; a disturbance that hits one run
 *   of a round makes that round wild, and a wild round counts as one
 *   vote however far off it is.  With 16 rounds, 3 wild rounds on the
 *   same side cannot carry the interval past zero.
 * YB_AB_RANKSUM: each run becomes one level, the
 *   median over the sizes of its log ratio to the A runs' median at that
 *   size; the change is the two-sample Hodges-Lehmann shift from the A
 *   levels to the B levels with its Mann-Whitney interval at level conf
 *   (yb_ranksum_ci).  A run that a disturbance of the machine threw far
 *   off is one outlier among its side's runs.  The alternating order
 *   still gives both sides the same share of any drift.
 * YB_AB_SIGNRANK: the Hodges-Lehmann estimate over the rounds' changes
 *   with the signed-rank interval (yb_signrank_ci): more sensitive when
 *   every round is alike, but one wild run spoils its whole round, and
 *   the largest changes weigh most.
 *
 * noise_pct is the spread of one run's level (rank-sum) or of one
 * round's change (sign, signed-rank), 1.4826 MAD.  A regression when the
 * estimate exceeds the tolerance and the whole interval is above zero.
 */
enum { YB_AB_RANKSUM, YB_AB_SIGNRANK, YB_AB_SIGN };
/* "rank-sum", "signed-rank", "sign" */
const char *yb_ab_method_name(int method);
int yb_ab_method_parse(const char *name);  /* -1 when unknown */
int yb_compare_paired(const struct yb_results *const *a,
		      const struct yb_results *const *b, size_t rounds,
		      unsigned metrics, double tolerance_pct, double conf,
		      int method, struct yb_cmp *out, struct yb_err *err);

/*
 * Normalised figures: a copy of r in which every curve's latency and
 * bandwidth at each size are divided by those of the curve named ref
 * (a transport or a full curve label) at the same size in the same run,
 * and the reference itself left out - a drift of the host that moves
 * both cancels.  Points without a reference at their size are dropped.
 * YB_EINVAL when r has no curve named ref.
 *
 * ref YB_RELATIVE_PROBES ("probes"): every curve over the floors that its
 * run's probes measured (run --probe): latencies in one-way cache-line
 * trips between the two ends' CPUs, bandwidths as a fraction of one
 * core's memcpy of the nearest size (64K, 1M or 16M).  When the host
 * moves the vCPUs closer or further apart (the cache line has cost 40,
 * 97 and 230 ns on one VM), a ring transport's figures move with the
 * trip and these do not.  YB_EINVAL when the run has no probe figures.
 */
#define YB_RELATIVE_PROBES "probes"
int yb_results_relative(const struct yb_results *r, const char *ref,
			struct yb_results *out, struct yb_err *err);

/*
 * A results file must not hold two rows for one curve, mode and size
 * (which would it mean?).  YB_EINVAL naming the first duplicate.
 */
int yb_results_unique(const struct yb_results *r, const char *path,
		      struct yb_err *err);

/*
 * Within one run: how many times better curve a is than curve b (by
 * transport name or full curve label) at the sizes both have; bandwidth
 * a/b, latency b/a.  Median, lowest and highest over those sizes.
 */
int yb_ratio(const struct yb_results *r, const char *a, const char *b,
	     unsigned metric, double *median, double *lo, double *hi,
	     size_t *points, struct yb_err *err);

/*
 * A verdict as JSON (a new reference), and back:
 *
 *   { "tolerance_pct", "noise": "within-run" | "between-runs" |
 *     "paired-rounds", "confidence_pct" (several runs), "regressed",
 *     "relative_to": TRANSPORT or null, "curves": [ { "curve", "metric",
 *     "points", "median_change_pct", "worst_change_pct", "worst_bytes",
 *     "noise_pct", "points_over", "regressed", and with several runs
 *     "interval_low_pct", "interval_high_pct"; paired: "p_value",
 *     (and at the top, "test": "sign", "signed-rank" or "rank-sum"),
 *     "round_change_pct": [ one per round ] } ] }
 *
 * Figures that are not finite are null.  yb_cmp_from_json reads what
 * yb_cmp_to_json wrote (for graphs of an A/B verdict); YB_EINVAL naming
 * the first field that is missing or of the wrong kind.
 */
struct json_t;
struct json_t *yb_cmp_to_json(const struct yb_cmp *c, double tol,
			      const char *relative);
int yb_cmp_from_json(const struct json_t *o, struct yb_cmp *c, double *tol,
		     struct yb_err *err);

#endif /* YB_COMPARE_H */
