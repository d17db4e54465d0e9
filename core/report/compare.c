/* compare.c - regression checks and ratio gates; see compare.h. */
#include "core/report/compare.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/mode.h"
#include "core/base/stats.h"

static unsigned mode_of(unsigned metric)
{
	return metric == YB_METRIC_BANDWIDTH ? YB_MODE_STREAM : YB_MODE_PINGPONG;
}

const char *yb_metric_name(unsigned m)
{
	switch (m) {
	case YB_METRIC_LATENCY:
		return "latency";
	case YB_METRIC_P99:
		return "p99";
	case YB_METRIC_P999:
		return "p99.9";
	default:
		return "bandwidth";
	}
}

unsigned yb_metric_parse(const char *name)
{
	if (strcmp(name, "latency") == 0 || strcmp(name, "p50") == 0)
		return YB_METRIC_LATENCY;
	if (strcmp(name, "p99") == 0)
		return YB_METRIC_P99;
	if (strcmp(name, "p99.9") == 0 || strcmp(name, "p999") == 0)
		return YB_METRIC_P999;
	if (strcmp(name, "bandwidth") == 0)
		return YB_METRIC_BANDWIDTH;
	return 0;
}

/* The figure of a point for a metric (NAN when absent). */
static double value_of(const struct yb_point *p, unsigned metric)
{
	switch (metric) {
	case YB_METRIC_LATENCY:
		return p->lat_p50_us;
	case YB_METRIC_P99:
		return p->lat_p99_us;
	case YB_METRIC_P999:
		return p->lat_p999_us;
	default:
		return p->bw_gbps;
	}
}

/*
 * The relative spread (one sigma) of a point between its trials.
 * Latency: the standard deviation of the trial means over their mean.
 * Bandwidth: from the range of the trials, best - worst, over d2(n) (the
 * expected range of n normal samples in sigmas), relative to the median.
 * 0 when a file does not say.
 */
static double spread_of(const struct yb_point *p, unsigned metric)
{
	static const double d2[] = { 0,	    0,	   1.128, 1.693, 2.059, 2.326,
				     2.534, 2.704, 2.847, 2.970, 3.078 };

	if (metric != YB_METRIC_BANDWIDTH)
		return p->lat_mean_us > 0 && !isnan(p->lat_stddev_us) ?
			       p->lat_stddev_us / p->lat_mean_us :
			       0;
	if (p->trials < 2 || isnan(p->bw_min_gbps) ||
	    !(p->bw_median_gbps > 0))
		return 0;
	double k = p->trials < sizeof(d2) / sizeof(d2[0]) ? d2[p->trials] :
							       3.1;
	return (p->bw_gbps - p->bw_min_gbps) / k / p->bw_median_gbps;
}

/* Change in percent, positive when current is worse. */
static double change_pct(double base, double cur, unsigned metric)
{
	if (metric != YB_METRIC_BANDWIDTH)
		return (cur - base) / base * 100.0;
	return (base - cur) / base * 100.0;
}

int yb_results_verified(const struct yb_results *r)
{
	int no = 0, yes = 0;

	for (size_t i = 0; i < r->n; i++) {
		yes |= r->p[i].verify == YB_VERIFY_YES ||
		       r->p[i].verify == YB_VERIFY_INLINE;
		no += r->p[i].verify == YB_VERIFY_NO;
	}
	if (yes)
		return YB_VERIFY_YES;
	if (r->n && (size_t)no == r->n)
		return YB_VERIFY_NO;
	const char *m = yb_meta_get(&r->meta, "sweep.verify");
	if (m && strcmp(m, "yes") == 0)
		return YB_VERIFY_YES;
	if (m && strcmp(m, "no") == 0)
		return YB_VERIFY_NO;
	return YB_VERIFY_UNKNOWN;
}

static const struct yb_point *find(const struct yb_results *r,
				   const struct yb_point *like, unsigned mode)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->p[i].mode == mode && r->p[i].bytes == like->bytes &&
		    yb_point_same_curve(&r->p[i], like))
			return &r->p[i];
	return NULL;
}

/* One curve and metric: fill row from the matching points. */
static int compare_curve(const struct yb_results *base,
			 const struct yb_results *cur,
			 const struct yb_point *first, unsigned metric,
			 double tol, struct yb_cmp_row *row)
{
	unsigned mode = mode_of(metric);
	double *chg = malloc(base->n * sizeof(double));
	double *noise = malloc(base->n * sizeof(double));
	size_t n = 0;

	if (!chg || !noise) {
		free(chg);
		free(noise);
		return YB_ENOMEM;
	}
	memset(row, 0, sizeof(*row));
	yb_point_label(first, row->curve, sizeof(row->curve));
	row->metric = metric;
	row->worst_pct = -INFINITY;
	for (size_t i = 0; i < base->n; i++) {
		const struct yb_point *b = &base->p[i];
		if (b->mode != mode || !yb_point_same_curve(b, first))
			continue;
		const struct yb_point *c = find(cur, b, mode);
		double vb = value_of(b, metric);
		if (!c || !(vb > 0) || !(value_of(c, metric) > 0))
			continue;
		double ch = change_pct(vb, value_of(c, metric), metric);
		double sb = spread_of(b, metric), sc = spread_of(c, metric);
		double nz = 200.0 * sqrt(sb * sb + sc * sc);
		chg[n] = ch;
		noise[n] = nz;
		n++;
		if (ch > row->worst_pct) {
			row->worst_pct = ch;
			row->worst_bytes = b->bytes;
		}
		if (ch > tol && ch > nz)
			row->over++;
	}
	row->points = n;
	if (n > 0) {
		/*
		 * The noise of the median change: the standard error of a
		 * median of n values, 1.25 sigma / sqrt(n), with sigma the
		 * larger of the trials' own spread (median over the sizes of
		 * the two runs' combined 2-sigma) and the spread of the
		 * changes across sizes (1.48 MAD, times 2 for 2 sigma).
		 */
		row->median_pct = yb_median_sort(chg, n);
		double trial = yb_median_sort(noise, n);
		for (size_t i = 0; i < n; i++)
			chg[i] = fabs(chg[i] - row->median_pct);
		double across = 2.0 * 1.4826 * yb_median_sort(chg, n);
		double sigma = trial > across ? trial : across;
		row->noise_pct = 1.2533 * sigma / sqrt((double)n);
		row->regressed = row->median_pct > tol &&
				 row->median_pct > row->noise_pct;
	}
	free(chg);
	free(noise);
	return 0;
}

static int cmp_key(const void *x, const void *y)
{
	const struct yb_point *a = *(const struct yb_point *const *)x;
	const struct yb_point *b = *(const struct yb_point *const *)y;
	int c = strcmp(a->transport, b->transport);

	if (c)
		return c;
	if ((c = strcmp(a->wait, b->wait)) != 0)
		return c;
#define CMP(f) if (a->f != b->f) return a->f < b->f ? -1 : 1
	CMP(ring_bytes);
	CMP(pairs);
	CMP(pair);
	CMP(mode);
	CMP(bytes);
#undef CMP
	return 0;
}

int yb_results_unique(const struct yb_results *r, const char *path,
		      struct yb_err *err)
{
	const struct yb_point **v = malloc((r->n + 1) * sizeof(*v));
	int rc = 0;

	if (!v)
		return yb_err_set(err, YB_ENOMEM, "out of memory");
	for (size_t i = 0; i < r->n; i++)
		v[i] = &r->p[i];
	qsort(v, r->n, sizeof(*v), cmp_key);
	for (size_t i = 1; i < r->n; i++) {
		if (cmp_key(&v[i - 1], &v[i]) == 0) {
			char label[96];
			yb_point_label(v[i], label, sizeof(label));
			rc = yb_err_set(err, YB_EINVAL,
					"%s: two rows for %s %s at %llu bytes",
					path, label, yb_mode_name(v[i]->mode),
					(unsigned long long)v[i]->bytes);
			break;
		}
	}
	free(v);
	return rc;
}

void yb_cmp_free(struct yb_cmp *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->rows[i].round_pct);
	free(c->rows);
	memset(c, 0, sizeof(*c));
}

static int matches(const struct yb_point *p, const char *name)
{
	char label[96];

	if (strcmp(p->transport, name) == 0)
		return 1;
	yb_point_label(p, label, sizeof(label));
	return strcmp(label, name) == 0;
}

int yb_ratio(const struct yb_results *r, const char *a, const char *b,
	     unsigned metric, double *med, double *lo, double *hi,
	     size_t *points, struct yb_err *err)
{
	unsigned mode = mode_of(metric);
	const struct yb_point *ca = NULL, *cb = NULL;
	double *v = malloc((r->n + 1) * sizeof(double));
	size_t n = 0;

	if (!v)
		return yb_err_set(err, YB_ENOMEM, "out of memory");
	/* The first curve of each name in the file is the one compared. */
	for (size_t i = 0; i < r->n; i++) {
		if (r->p[i].mode != mode)
			continue;
		if (!ca && matches(&r->p[i], a))
			ca = &r->p[i];
		if (!cb && matches(&r->p[i], b))
			cb = &r->p[i];
	}
	if (!ca || !cb) {
		free(v);
		return yb_err_set(err, YB_EINVAL,
				  "--ratio %s/%s: no %s rows for %s", a, b,
				  yb_mode_name(mode), !ca ? a : b);
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct yb_point *pa = &r->p[i];
		if (pa->mode != mode || !yb_point_same_curve(pa, ca))
			continue;
		const struct yb_point *pb = NULL;
		for (size_t k = 0; k < r->n && !pb; k++)
			if (r->p[k].mode == mode && r->p[k].bytes == pa->bytes &&
			    yb_point_same_curve(&r->p[k], cb))
				pb = &r->p[k];
		if (!pb)
			continue;
		double x = metric == YB_METRIC_BANDWIDTH ?
				   pa->bw_gbps / pb->bw_gbps :
				   value_of(pb, metric) / value_of(pa, metric);
		if (isfinite(x) && x > 0)
			v[n++] = x;
	}
	if (n == 0) {
		free(v);
		return yb_err_set(err, YB_EINVAL,
				  "--ratio %s/%s: the two have no message size "
				  "in common",
				  a, b);
	}
	*med = yb_median_sort(v, n);
	*lo = v[0];
	*hi = v[n - 1];
	*points = n;
	free(v);
	return 0;
}

/* ---- several runs a side ------------------------------------------------- */

/* The figure of p for a metric on a log scale, signed so that + is worse. */
static double worse_log(const struct yb_point *p, unsigned metric)
{
	double v = value_of(p, metric);
	if (!(v > 0) || !isfinite(v))
		return NAN;
	return metric == YB_METRIC_BANDWIDTH ? -log(v) : log(v);
}

/* Room for one more row (rows stay zeroed until filled). */
static struct yb_cmp_row *new_row(struct yb_cmp *out, size_t *cap)
{
	if (out->n == *cap) {
		size_t nc = *cap ? 2 * *cap : 16;
		void *nr = realloc(out->rows, nc * sizeof(*out->rows));
		if (!nr)
			return NULL;
		out->rows = nr;
		*cap = nc;
	}
	memset(&out->rows[out->n], 0, sizeof(out->rows[0]));
	return &out->rows[out->n];
}

/* Is p the first point of its curve (in its mode) in r? */
static int first_of_curve(const struct yb_results *r, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (r->p[j].mode == r->p[i].mode &&
		    yb_point_same_curve(&r->p[j], &r->p[i]))
			return 0;
	return 1;
}

/*
 * The log figures of one curve: x[k * nsizes + s] for run k of all (the
 * runs of both sides, in order) at size s, over the sizes of the curve
 * in all[0] that every run has.  Returns the number of sizes kept; sizes
 * gives them.  -1 out of memory.
 */
static long curve_matrix(const struct yb_results *const *all, size_t nruns,
			 const struct yb_point *first, unsigned metric,
			 double **xo, uint64_t **sizes_o)
{
	const struct yb_results *r0 = all[0];
	unsigned mode = mode_of(metric);
	double *x = malloc((r0->n + 1) * nruns * sizeof(double));
	uint64_t *sizes = malloc((r0->n + 1) * sizeof(uint64_t));
	double *col = malloc((nruns + 1) * sizeof(double));
	long ns = 0;

	if (!x || !sizes || !col) {
		free(x);
		free(sizes);
		free(col);
		return -1;
	}
	for (size_t i = 0; i < r0->n; i++) {
		const struct yb_point *p = &r0->p[i];
		if (p->mode != mode || !yb_point_same_curve(p, first))
			continue;
		size_t k;
		for (k = 0; k < nruns; k++) {
			const struct yb_point *q = find(all[k], p, mode);
			col[k] = q ? worse_log(q, metric) : NAN;
			if (isnan(col[k]))
				break;
		}
		if (k < nruns)
			continue; /* some run lacks this size */
		for (k = 0; k < nruns; k++)
			x[k * r0->n + (size_t)ns] = col[k];
		sizes[ns++] = p->bytes;
	}
	/* Close up the rows: stride r0->n to stride ns. */
	for (size_t k = 1; k < nruns && ns > 0; k++)
		memmove(x + k * (size_t)ns, x + k * r0->n,
			(size_t)ns * sizeof(double));
	free(col);
	*xo = x;
	*sizes_o = sizes;
	return ns;
}

/*
 * A change on the log scale in percent, as the one-run compare gives it:
 * latency (cur - base) / base, bandwidth (base - cur) / base; + is worse.
 */
static double pct_of(double logratio, unsigned metric)
{
	if (metric == YB_METRIC_BANDWIDTH)
		return (1.0 - exp(-logratio)) * 100.0;
	return (exp(logratio) - 1.0) * 100.0;
}

/* Worst size: where the mean (or median) change is largest. */
static void note_worst(struct yb_cmp_row *row, double chg_log, uint64_t bytes)
{
	double c = pct_of(chg_log, row->metric);
	if (c > row->worst_pct || row->points == 0) {
		row->worst_pct = c;
		row->worst_bytes = bytes;
	}
}

/* One curve's row, judged by the paired test method when it pairs. */
typedef int (*curve_fn)(const struct yb_results *const *all, size_t na,
			size_t nb, const struct yb_point *first,
			unsigned metric, double tol, double conf,
			struct yb_cmp_row *row, int method);

/*
 * A row's change and interval from their log-scale values, and its
 * verdict: a regression when the change exceeds the tolerance and the
 * whole interval is above zero.  An unbounded end stays unbounded.
 */
static void set_verdict(struct yb_cmp_row *row, unsigned metric, double est,
			double lo, double hi, double tol)
{
	row->median_pct = pct_of(est, metric);
	row->lo_pct = isinf(lo) ? -INFINITY : pct_of(lo, metric);
	row->hi_pct = isinf(hi) ? INFINITY : pct_of(hi, metric);
	row->regressed = row->median_pct > tol && row->lo_pct > 0;
}

/*
 * Each run's level for a curve: the median over the ns sizes of its log
 * figure less the reference at that size, the median of the first na
 * runs (the baseline).  x as curve_matrix fills it; ref has room for ns,
 * tmp for the larger of nruns and ns, g for nruns.
 */
static void run_levels(const double *x, size_t nruns, size_t ns, size_t na,
		       double *ref, double *tmp, double *g)
{
	for (size_t s = 0; s < ns; s++) {
		for (size_t k = 0; k < na; k++)
			tmp[k] = x[k * ns + s];
		ref[s] = yb_median(tmp, na);
	}
	for (size_t k = 0; k < nruns; k++) {
		for (size_t s = 0; s < ns; s++)
			tmp[s] = x[k * ns + s] - ref[s];
		g[k] = yb_median(tmp, ns);
	}
}

static int between_curve(const struct yb_results *const *all, size_t na,
			 size_t nb, const struct yb_point *first,
			 unsigned metric, double tol, double conf,
			 struct yb_cmp_row *row, int method)
{
	size_t nruns = na + nb;

	(void)method;
	double *x;
	uint64_t *sizes;
	long ns = curve_matrix(all, nruns, first, metric, &x, &sizes);

	if (ns < 0)
		return YB_ENOMEM;
	yb_point_label(first, row->curve, sizeof(row->curve));
	row->metric = metric;
	row->p = NAN;
	if (ns == 0)
		goto out;
	double *ref = malloc((size_t)ns * sizeof(double));
	double *g = malloc(nruns * sizeof(double));
	double *col = malloc((nruns > (size_t)ns ? nruns : (size_t)ns) *
			     sizeof(double));
	if (!ref || !g || !col) {
		free(ref);
		free(g);
		free(col);
		free(x);
		free(sizes);
		return YB_ENOMEM;
	}
	run_levels(x, nruns, (size_t)ns, na, ref, col, g);
	for (long s = 0; s < ns; s++) {
		double ma = 0, mb = 0;
		for (size_t k = 0; k < na; k++)
			ma += x[k * (size_t)ns + (size_t)s];
		for (size_t k = na; k < nruns; k++)
			mb += x[k * (size_t)ns + (size_t)s];
		note_worst(row, mb / (double)nb - ma / (double)na,
			   sizes[s]);
		row->points++;
	}
	double mean_a = yb_mean(g, na), mean_b = yb_mean(g + na, nb);
	double ss = 0;
	for (size_t k = 0; k < na; k++)
		ss += (g[k] - mean_a) * (g[k] - mean_a);
	for (size_t k = na; k < nruns; k++)
		ss += (g[k] - mean_b) * (g[k] - mean_b);
	unsigned df = (unsigned)(nruns - 2);
	double sp = sqrt(ss / df);
	double half = yb_t_critical(conf, df) * sp *
		      sqrt(1.0 / (double)na + 1.0 / (double)nb);
	double chg = mean_b - mean_a;
	set_verdict(row, metric, chg, chg - half, chg + half, tol);
	row->noise_pct = pct_of(sp, metric); /* one run's spread */
	free(ref);
	free(g);
	free(col);
out:
	free(x);
	free(sizes);
	return 0;
}

static int paired_curve(const struct yb_results *const *all, size_t na,
			size_t nb, const struct yb_point *first,
			unsigned metric, double tol, double conf,
			struct yb_cmp_row *row, int method)
{
	size_t rounds = na, nruns = na + nb;
	double *x;
	uint64_t *sizes;
	long ns = curve_matrix(all, nruns, first, metric, &x, &sizes);

	(void)nb;
	if (ns < 0)
		return YB_ENOMEM;
	yb_point_label(first, row->curve, sizeof(row->curve));
	row->metric = metric;
	row->p = NAN;
	if (ns == 0)
		goto out;
	double *d = malloc(rounds * sizeof(double));
	double *col = malloc(((size_t)ns > rounds ? (size_t)ns : rounds) *
			     sizeof(double));
	row->round_pct = malloc(rounds * sizeof(double));
	if (!d || !col || !row->round_pct) {
		free(d);
		free(col);
		free(x);
		free(sizes);
		return YB_ENOMEM;
	}
	/* Round i: a is run i, b is run rounds + i. */
	for (size_t i = 0; i < rounds; i++) {
		for (long s = 0; s < ns; s++)
			col[s] = x[(rounds + i) * (size_t)ns + (size_t)s] -
				 x[i * (size_t)ns + (size_t)s];
		d[i] = yb_median(col, (size_t)ns);
		row->round_pct[i] = pct_of(d[i], metric);
	}
	row->rounds = rounds;
	for (long s = 0; s < ns; s++) {
		for (size_t i = 0; i < rounds; i++)
			col[i] = x[(rounds + i) * (size_t)ns + (size_t)s] -
				 x[i * (size_t)ns + (size_t)s];
		note_worst(row, yb_median(col, rounds), sizes[s]);
		row->points++;
	}
	double est, lo, hi;
	int bad;
	if (method == YB_AB_SIGNRANK || method == YB_AB_SIGN) {
		if (method == YB_AB_SIGN) {
			bad = yb_sign_ci(d, rounds, conf, &est, &lo, &hi);
			row->p = yb_sign_p(d, rounds);
		} else {
			bad = yb_signrank_ci(d, rounds, conf, &est, &lo, &hi);
			row->p = yb_signrank_p(d, rounds);
		}
		double m = yb_median(d, rounds);
		for (size_t i = 0; i < rounds; i++)
			col[i] = fabs(d[i] - m);
		row->noise_pct = pct_of(1.4826 * yb_median(col, rounds),
					metric);
	} else {
		double *g = malloc(2 * rounds * sizeof(double));
		double *ref = malloc((size_t)ns * sizeof(double));
		double *tmp = malloc(((size_t)ns > 2 * rounds ? (size_t)ns :
							       2 * rounds) *
				     sizeof(double));
		bad = !g || !ref || !tmp;
		if (!bad) {
			run_levels(x, 2 * rounds, (size_t)ns, rounds, ref, tmp,
				   g);
			bad = yb_ranksum_ci(g, rounds, g + rounds, rounds, conf,
					    &est, &lo, &hi);
			row->p = yb_ranksum_p(g, rounds, g + rounds, rounds);
			/* One run's spread: 1.4826 MAD about its side's
			 * median, both sides pooled. */
			double ma = yb_median(g, rounds),
			       mb = yb_median(g + rounds, rounds);
			for (size_t k = 0; k < 2 * rounds; k++)
				g[k] = fabs(g[k] - (k < rounds ? ma : mb));
			row->noise_pct = pct_of(
				1.4826 * yb_median(g, 2 * rounds), metric);
		}
		free(g);
		free(ref);
		free(tmp);
	}
	if (bad) {
		free(d);
		free(col);
		free(x);
		free(sizes);
		return YB_ENOMEM;
	}
	set_verdict(row, metric, est, lo, hi, tol);
	free(d);
	free(col);
out:
	free(x);
	free(sizes);
	return 0;
}

/* Every curve and metric of all[0], compared by fn. */
static int compare_many(const struct yb_results *const *all, size_t na,
			size_t nb, unsigned metrics, double tol, double conf,
			curve_fn fn, int method, struct yb_cmp *out,
			struct yb_err *err)
{
	static const unsigned order[] = { YB_METRIC_LATENCY, YB_METRIC_P99,
					  YB_METRIC_P999, YB_METRIC_BANDWIDTH };
	const struct yb_results *r0 = all[0];
	size_t cap = 0, total = 0;

	for (size_t mi = 0; mi < sizeof(order) / sizeof(order[0]); mi++) {
		unsigned m = order[mi];
		if (!(metrics & m))
			continue;
		for (size_t i = 0; i < r0->n; i++) {
			if (r0->p[i].mode != mode_of(m) || !first_of_curve(r0, i))
				continue;
			struct yb_cmp_row *row = new_row(out, &cap);
			if (!row || fn(all, na, nb, &r0->p[i], m, tol, conf, row, method)) {
				if (row)
					free(row->round_pct);
				yb_cmp_free(out);
				return yb_err_set(err, YB_ENOMEM, "out of memory");
			}
			if (row->points == 0) {
				free(row->round_pct);
				continue;
			}
			total += row->points;
			out->regressed |= row->regressed;
			out->n++;
		}
	}
	if (total == 0) {
		yb_cmp_free(out);
		return yb_err_set(err, YB_EINVAL,
				  "the runs have no point in common (same "
				  "transport, ring size, wait mode, mode and "
				  "size in every run)");
	}
	return 0;
}

static int join(const struct yb_results *const *a, size_t na,
		const struct yb_results *const *b, size_t nb,
		const struct yb_results ***all)
{
	*all = malloc((na + nb) * sizeof(**all));
	if (!*all)
		return YB_ENOMEM;
	memcpy(*all, a, na * sizeof(**all));
	memcpy(*all + na, b, nb * sizeof(**all));
	return 0;
}

static int within_curve(const struct yb_results *const *all, size_t na,
			size_t nb, const struct yb_point *first,
			unsigned metric, double tol, double conf,
			struct yb_cmp_row *row, int method)
{
	(void)method;
	(void)na;
	(void)nb;
	(void)conf;
	return compare_curve(all[0], all[1], first, metric, tol, row);
}

int yb_compare(const struct yb_results *base, const struct yb_results *cur,
	       unsigned metrics, double tolerance_pct, struct yb_cmp *out,
	       struct yb_err *err)
{
	const struct yb_results *all[2] = { base, cur };

	memset(out, 0, sizeof(*out));
	int rc = compare_many(all, 1, 1, metrics, tolerance_pct, 0,
			      within_curve, 0, out, err);
	out->noise = YB_NOISE_WITHIN;
	return rc;
}

int yb_compare_runs(const struct yb_results *const *base, size_t nb,
		    const struct yb_results *const *cur, size_t nc,
		    unsigned metrics, double tolerance_pct, double conf,
		    struct yb_cmp *out, struct yb_err *err)
{
	const struct yb_results **all;

	memset(out, 0, sizeof(*out));
	if (nb < 2 || nc < 2)
		return yb_err_set(err, YB_EINVAL,
				  "the spread between runs needs at least two "
				  "runs a side (%zu and %zu given)",
				  nb, nc);
	if (join(base, nb, cur, nc, &all))
		return yb_err_set(err, YB_ENOMEM, "out of memory");
	int rc = compare_many(all, nb, nc, metrics, tolerance_pct, conf,
			      between_curve, 0, out, err);
	free(all);
	out->noise = YB_NOISE_BETWEEN;
	out->conf = conf;
	return rc;
}

int yb_compare_paired(const struct yb_results *const *a,
		      const struct yb_results *const *b, size_t rounds,
		      unsigned metrics, double tolerance_pct, double conf,
		      int method, struct yb_cmp *out, struct yb_err *err)
{
	const struct yb_results **all;

	memset(out, 0, sizeof(*out));
	if (rounds < 1 || rounds > YB_SIGNRANK_MAX)
		return yb_err_set(err, YB_EINVAL,
				  "paired comparison of %zu rounds (1 to %d)",
				  rounds, YB_SIGNRANK_MAX);
	if (join(a, rounds, b, rounds, &all))
		return yb_err_set(err, YB_ENOMEM, "out of memory");
	int rc = compare_many(all, rounds, rounds, metrics, tolerance_pct,
			      conf, paired_curve, method, out, err);
	free(all);
	out->noise = YB_NOISE_PAIRED;
	out->method = method;
	out->conf = conf;
	return rc;
}

/* A probe's figure from the run's metadata, > 0, or 0. */
static double probe_of(const struct yb_results *r, const char *key)
{
	const char *v = yb_meta_get(&r->meta, key);
	char *end;
	double x = v ? strtod(v, &end) : 0;
	return v && end != v && *end == '\0' && isfinite(x) && x > 0 ? x : 0;
}

/* Every figure of r over the floors its run's probes measured. */
static int relative_to_probes(const struct yb_results *r,
			      struct yb_results *out, struct yb_err *err)
{
	static const char *const mkeys[] = { "probe.memcpy_64k_gbytes",
					     "probe.memcpy_1m_gbytes",
					     "probe.memcpy_16m_gbytes" };
	double line_us = probe_of(r, "probe.cacheline_one_way_ns") / 1000;
	double copy_gbps[3];

	for (size_t k = 0; k < 3; k++)
		copy_gbps[k] = probe_of(r, mkeys[k]) * 8;
	if (!(line_us > 0) || !(copy_gbps[0] > 0) || !(copy_gbps[1] > 0) ||
	    !(copy_gbps[2] > 0))
		return yb_err_set(err, YB_EINVAL,
				  "--relative-to probes: the run has no "
				  "cache-line and memcpy figures (measure "
				  "them with run --probe)");
	for (size_t i = 0; i < r->n; i++) {
		const struct yb_point *p = &r->p[i];
		struct yb_point n = *p;
		/* The copy of the nearest size, on a log scale. */
		double c = copy_gbps[p->bytes <= (256u << 10) ? 0 :
				     p->bytes <= (4u << 20)   ? 1 :
								2];
		n.trial = NULL;
		n.hist = NULL;
		n.hist_n = 0;
		n.lat_min_us /= line_us;
		n.lat_mean_us /= line_us;
		n.lat_p50_us /= line_us;
		n.lat_p99_us /= line_us;
		n.lat_p999_us /= line_us;
		n.lat_max_us /= line_us;
		n.lat_stddev_us /= line_us;
		n.bw_gbps /= c;
		n.bw_min_gbps /= c;
		n.bw_median_gbps /= c;
		if (yb_results_add(out, &n)) {
			yb_results_free(out);
			return yb_err_set(err, YB_ENOMEM, "out of memory");
		}
	}
	return 0;
}

int yb_results_relative(const struct yb_results *r, const char *ref,
			struct yb_results *out, struct yb_err *err)
{
	const struct yb_point *cref[2] = { NULL, NULL }; /* per mode */

	yb_results_init(out);
	if (strcmp(ref, YB_RELATIVE_PROBES) == 0)
		return relative_to_probes(r, out, err);
	for (size_t i = 0; i < r->n; i++) {
		unsigned m = r->p[i].mode == YB_MODE_STREAM;
		if (!cref[m] && matches(&r->p[i], ref))
			cref[m] = &r->p[i];
	}
	if (!cref[0] && !cref[1])
		return yb_err_set(err, YB_EINVAL,
				  "--relative-to %s: no such curve in the run",
				  ref);
	for (size_t i = 0; i < r->n; i++) {
		const struct yb_point *p = &r->p[i];
		const struct yb_point *c = cref[p->mode == YB_MODE_STREAM];
		if (!c || yb_point_same_curve(p, c))
			continue;
		const struct yb_point *q = NULL;
		for (size_t k = 0; k < r->n && !q; k++)
			if (r->p[k].mode == p->mode &&
			    r->p[k].bytes == p->bytes &&
			    yb_point_same_curve(&r->p[k], c))
				q = &r->p[k];
		if (!q)
			continue;
		struct yb_point n = *p;
		n.trial = NULL;
		n.hist = NULL;
		n.hist_n = 0;
#define DIV(f) n.f = q->f > 0 ? p->f / q->f : NAN
		DIV(lat_min_us);
		DIV(lat_mean_us);
		DIV(lat_p50_us);
		DIV(lat_p99_us);
		DIV(lat_p999_us);
		DIV(lat_max_us);
		DIV(lat_stddev_us);
		DIV(bw_gbps);
		DIV(bw_min_gbps);
		DIV(bw_median_gbps);
#undef DIV
		if (yb_results_add(out, &n)) {
			yb_results_free(out);
			return yb_err_set(err, YB_ENOMEM, "out of memory");
		}
	}
	return 0;
}

/* ---- verdicts as JSON ----------------------------------------------------- */

static const char *const noise_names[] = { "within-run", "between-runs",
					   "paired-rounds" };

/* NaN and infinities are not JSON: null. */
static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

json_t *yb_cmp_to_json(const struct yb_cmp *c, double tol, const char *relative)
{
	json_t *rows = json_array();

	for (size_t i = 0; i < c->n; i++) {
		const struct yb_cmp_row *r = &c->rows[i];
		json_t *o = json_pack(
			"{s:s, s:s, s:i, s:o, s:o, s:I, s:o, s:i, s:b}",
			"curve", r->curve, "metric", yb_metric_name(r->metric),
			"points", (int)r->points, "median_change_pct",
			num(r->median_pct), "worst_change_pct",
			num(r->worst_pct), "worst_bytes",
			(json_int_t)r->worst_bytes, "noise_pct",
			num(r->noise_pct), "points_over", (int)r->over,
			"regressed", r->regressed);
		if (c->noise != YB_NOISE_WITHIN) {
			json_object_set_new(o, "interval_low_pct",
					    num(r->lo_pct));
			json_object_set_new(o, "interval_high_pct",
					    num(r->hi_pct));
		}
		if (c->noise == YB_NOISE_PAIRED) {
			json_t *rp = json_array();
			for (size_t k = 0; k < r->rounds; k++)
				json_array_append_new(rp,
						      num(r->round_pct[k]));
			json_object_set_new(o, "p_value", num(r->p));
			json_object_set_new(o, "round_change_pct", rp);
		}
		json_array_append_new(rows, o);
	}
	json_t *o = json_pack("{s:f, s:s, s:b, s:o}", "tolerance_pct", tol,
			      "noise", noise_names[c->noise], "regressed",
			      c->regressed, "curves", rows);
	if (c->noise != YB_NOISE_WITHIN)
		json_object_set_new(o, "confidence_pct",
				    json_real(c->conf * 100));
	if (c->noise == YB_NOISE_PAIRED)
		json_object_set_new(o, "test",
				    json_string(yb_ab_method_name(c->method)));
	json_object_set_new(o, "relative_to",
			    relative ? json_string(relative) : json_null());
	return o;
}

/* A number or null (NAN); -1 when it is neither. */
static int get_num(const json_t *o, const char *key, double *v)
{
	const json_t *x = json_object_get(o, key);
	if (json_is_number(x)) {
		*v = json_number_value(x);
		return 0;
	}
	if (json_is_null(x)) {
		*v = NAN;
		return 0;
	}
	return -1;
}

int yb_cmp_from_json(const json_t *o, struct yb_cmp *c, double *tol,
		     struct yb_err *err)
{
	const json_t *rows = json_object_get(o, "curves");
	const json_t *nz = json_object_get(o, "noise");
	double conf = NAN;

	memset(c, 0, sizeof(*c));
	if (!json_is_object(o) || get_num(o, "tolerance_pct", tol) ||
	    !json_is_array(rows) || !json_is_string(nz))
		return yb_err_set(err, YB_EINVAL,
				  "not a verdict: tolerance_pct, noise or "
				  "curves missing");
	for (int k = 0; k < 3; k++)
		if (strcmp(json_string_value(nz), noise_names[k]) == 0)
			c->noise = k;
	get_num(o, "confidence_pct", &conf);
	const char *test = json_string_value(json_object_get(o, "test"));
	c->method = test ? yb_ab_method_parse(test) : YB_AB_SIGNRANK;
	if (c->method < 0)
		c->method = YB_AB_RANKSUM;
	c->conf = conf / 100;
	size_t n = json_array_size(rows);
	c->rows = calloc(n + 1, sizeof(*c->rows));
	if (!c->rows)
		return yb_err_set(err, YB_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const json_t *r = json_array_get(rows, i);
		struct yb_cmp_row *row = &c->rows[i];
		const char *curve = json_string_value(json_object_get(r, "curve"));
		const char *metric =
			json_string_value(json_object_get(r, "metric"));
		const json_t *rp = json_object_get(r, "round_change_pct");
		row->p = NAN;
		row->lo_pct = row->hi_pct = NAN;
		if (!curve || !metric || !(row->metric = yb_metric_parse(metric)) ||
		    get_num(r, "median_change_pct", &row->median_pct) ||
		    get_num(r, "noise_pct", &row->noise_pct)) {
			yb_cmp_free(c);
			return yb_err_set(err, YB_EINVAL,
					  "verdict curve %zu: curve, metric, "
					  "median_change_pct or noise_pct "
					  "missing",
					  i + 1);
		}
		snprintf(row->curve, sizeof(row->curve), "%s", curve);
		get_num(r, "interval_low_pct", &row->lo_pct);
		get_num(r, "interval_high_pct", &row->hi_pct);
		get_num(r, "p_value", &row->p);
		row->regressed = json_is_true(json_object_get(r, "regressed"));
		c->regressed |= row->regressed;
		c->n = i + 1;
		if (json_is_array(rp) && json_array_size(rp) > 0) {
			row->rounds = json_array_size(rp);
			row->round_pct = malloc(row->rounds * sizeof(double));
			if (!row->round_pct) {
				yb_cmp_free(c);
				return yb_err_set(err, YB_ENOMEM,
						  "out of memory");
			}
			for (size_t k = 0; k < row->rounds; k++) {
				const json_t *x = json_array_get(rp, k);
				row->round_pct[k] = json_is_number(x) ?
							    json_number_value(x) :
							    NAN;
			}
		}
	}
	return 0;
}

const char *yb_ab_method_name(int method)
{
	return method == YB_AB_SIGN	  ? "sign" :
	       method == YB_AB_SIGNRANK ? "signed-rank" :
					  "rank-sum";
}

int yb_ab_method_parse(const char *name)
{
	if (strcmp(name, "sign") == 0)
		return YB_AB_SIGN;
	if (strcmp(name, "signed-rank") == 0)
		return YB_AB_SIGNRANK;
	if (strcmp(name, "rank-sum") == 0)
		return YB_AB_RANKSUM;
	return -1;
}
