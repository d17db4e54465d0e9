/* compare.c - regression checks and ratio gates; see compare.h. */
#include "compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

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

static int cmp_dbl(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_dbl);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
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
		row->median_pct = median(chg, n);
		double trial = median(noise, n);
		for (size_t i = 0; i < n; i++)
			chg[i] = fabs(chg[i] - row->median_pct);
		double across = 2.0 * 1.4826 * median(chg, n);
		double sigma = trial > across ? trial : across;
		row->noise_pct = 1.2533 * sigma / sqrt((double)n);
		row->regressed = row->median_pct > tol &&
				 row->median_pct > row->noise_pct;
	}
	free(chg);
	free(noise);
	return 0;
}

int yb_compare(const struct yb_results *base, const struct yb_results *cur,
	       unsigned metrics, double tolerance_pct, struct yb_cmp *out,
	       struct yb_err *err)
{
	size_t cap = 0, total = 0;

	memset(out, 0, sizeof(*out));
	static const unsigned order[] = { YB_METRIC_LATENCY, YB_METRIC_P99,
					  YB_METRIC_P999, YB_METRIC_BANDWIDTH };
	for (size_t mi = 0; mi < sizeof(order) / sizeof(order[0]); mi++) {
		unsigned m = order[mi];
		if (!(metrics & m))
			continue;
		for (size_t i = 0; i < base->n; i++) {
			const struct yb_point *p = &base->p[i];
			if (p->mode != mode_of(m))
				continue;
			/* First point of each curve starts a row. */
			size_t j;
			for (j = 0; j < i; j++)
				if (base->p[j].mode == p->mode &&
				    yb_point_same_curve(&base->p[j], p))
					break;
			if (j < i)
				continue;
			if (out->n == cap) {
				cap = cap ? 2 * cap : 16;
				void *nr = realloc(out->rows,
						   cap * sizeof(*out->rows));
				if (!nr) {
					yb_cmp_free(out);
					return yb_err_set(err, YB_ENOMEM,
							  "out of memory");
				}
				out->rows = nr;
			}
			struct yb_cmp_row *row = &out->rows[out->n];
			if (compare_curve(base, cur, p, m, tolerance_pct,
					  row)) {
				yb_cmp_free(out);
				return yb_err_set(err, YB_ENOMEM,
						  "out of memory");
			}
			if (row->points == 0)
				continue; /* not in the current run */
			total += row->points;
			out->regressed |= row->regressed;
			out->n++;
		}
	}
	if (total == 0) {
		yb_cmp_free(out);
		return yb_err_set(err, YB_EINVAL,
				  "the two files have no point in common "
				  "(same transport, ring size, wait mode, mode "
				  "and size)");
	}
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
	*med = median(v, n);
	*lo = v[0];
	*hi = v[n - 1];
	*points = n;
	free(v);
	return 0;
}
