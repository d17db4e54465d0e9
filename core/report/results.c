/*
 * results.c - result rows and the CSV and JSON files that hold them.
 *
 * The CSV file is appended and flushed row by row, so a run cut short
 * leaves every finished point on disk.  The JSON file is rewritten
 * atomically (temporary file, then rename) after every point with
 * "complete": false, and a last time with the final state; a reader never
 * sees half a document.  JSON goes through jansson, never hand escaping.
 */
#include "core/report/results.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base/mode.h"
#include "core/base/units.h"
#include "core/base/stats.h"

#define JSON_FORMAT_NAME "yasmin-bench-results"
/*
 * Version 2: latency figures may be null (stream rows, pairs totals),
 * rows carry the later columns, csw_per_rep, percentiles, trial_detail
 * and rtt_histogram.  Version 1 stream rows held inverse throughput in
 * their latency fields; a reader drops it.
 */
#define JSON_FORMAT_VERSION 2

void yb_results_init(struct yb_results *r)
{
	r->p = NULL;
	r->n = r->cap = 0;
	yb_meta_init(&r->meta);
}

void yb_results_free(struct yb_results *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free((void *)r->p[i].trial);
		free((void *)r->p[i].hist);
	}
	free(r->p);
	yb_meta_free(&r->meta);
	yb_results_init(r);
}

static void *dup_array(const void *src, size_t n, size_t size)
{
	void *d;

	if (!src || n == 0)
		return NULL;
	d = malloc(n * size);
	if (d)
		memcpy(d, src, n * size);
	return d;
}

int yb_results_add(struct yb_results *r, const struct yb_point *p)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		struct yb_point *np = realloc(r->p, cap * sizeof(*np));
		if (!np)
			return YB_ENOMEM;
		r->p = np;
		r->cap = cap;
	}
	struct yb_point c = *p;
	c.trial = dup_array(p->trial, p->trials, sizeof(*p->trial));
	c.hist = dup_array(p->hist, p->hist_n, sizeof(*p->hist));
	if ((p->trial && p->trials && !c.trial) ||
	    (p->hist && p->hist_n && !c.hist)) {
		free((void *)c.trial);
		free((void *)c.hist);
		return YB_ENOMEM;
	}
	if (!c.hist)
		c.hist_n = 0;
	r->p[r->n++] = c;
	return 0;
}

void yb_point_clear_latency(struct yb_point *p)
{
	p->lat_min_us = p->lat_mean_us = p->lat_p50_us = NAN;
	p->lat_p99_us = p->lat_p999_us = p->lat_max_us = NAN;
	p->lat_stddev_us = NAN;
	p->pct_exact = -1;
	p->hist = NULL;
	p->hist_n = 0;
}

/* a <= b, with a little room for the rounding of a file's decimals. */
static int le(double a, double b)
{
	return a <= b + 1e-9 * fabs(b) + 1e-12;
}

int yb_point_check(const struct yb_point *p, char *why, size_t len)
{
	const double lat[] = { p->lat_min_us, p->lat_p50_us, p->lat_p99_us,
			       p->lat_p999_us, p->lat_max_us };
	static const char *const names[] = { "lat_min_us", "lat_p50_us",
					     "lat_p99_us", "lat_p999_us",
					     "lat_max_us" };
	int any = 0;

	for (size_t i = 0; i < 5; i++)
		any |= !isnan(lat[i]);
	if (p->mode == YB_MODE_STREAM && (any || !isnan(p->lat_mean_us))) {
		snprintf(why, len, "a stream row with latency figures");
		return -1;
	}
	/* Each present percentile is at most every later present one. */
	for (size_t i = 0; i < 5; i++)
		for (size_t j = i + 1; j < 5; j++)
			if (!isnan(lat[i]) && !isnan(lat[j]) &&
			    !le(lat[i], lat[j])) {
				snprintf(why, len, "%s %g > %s %g", names[i],
					 lat[i], names[j], lat[j]);
				return -1;
			}
	if (!isnan(p->lat_mean_us) &&
	    ((!isnan(p->lat_min_us) && !le(p->lat_min_us, p->lat_mean_us)) ||
	     (!isnan(p->lat_max_us) && !le(p->lat_mean_us, p->lat_max_us)))) {
		snprintf(why, len, "lat_mean_us %g outside [%g, %g]",
			 p->lat_mean_us, p->lat_min_us, p->lat_max_us);
		return -1;
	}
	if (!isnan(p->bw_min_gbps) && !isnan(p->bw_median_gbps) &&
	    (!le(p->bw_min_gbps, p->bw_median_gbps) ||
	     !le(p->bw_median_gbps, p->bw_gbps))) {
		snprintf(why, len,
			 "bw_min_gbps %g, bw_median_gbps %g, bw_gbps %g out "
			 "of order",
			 p->bw_min_gbps, p->bw_median_gbps, p->bw_gbps);
		return -1;
	}
	if (p->cpu_client_pct < 0 || p->cpu_server_pct < 0) {
		snprintf(why, len, "negative CPU use");
		return -1;
	}
	return 0;
}

static const char *wait_of(const struct yb_point *p)
{
	return p->wait[0] ? p->wait : "none";
}

/* The direction a row states: a ping-pong row's is always both. */
static unsigned dir_of(const struct yb_point *p)
{
	return p->mode == YB_MODE_STREAM ? p->direction : YB_DIR_BOTH;
}

/* A stream's direction, with ping-pong counted as c2s: the curve's. */
static unsigned curve_dir(const struct yb_point *p)
{
	return p->mode == YB_MODE_STREAM ? p->direction : YB_DIR_C2S;
}

void yb_point_label(const struct yb_point *p, char *buf, size_t len)
{
	char pairs[48] = "";
	const char *dir = curve_dir(p) == YB_DIR_S2C ? " s2c" :
			  curve_dir(p) == YB_DIR_BOTH ? " bidir" :
							"";

	if (p->pairs > 1 && p->pair == 0)
		snprintf(pairs, sizeof(pairs), " x%u total", p->pairs);
	else if (p->pairs > 1)
		snprintf(pairs, sizeof(pairs), " x%u #%u", p->pairs, p->pair);
	if (p->ring_bytes) {
		char sz[32];
		yb_format_size(p->ring_bytes, sz, sizeof(sz));
		snprintf(buf, len, "%s %s %s%s%s", p->transport, sz,
			 wait_of(p), dir, pairs);
	} else {
		snprintf(buf, len, "%s%s%s", p->transport, dir, pairs);
	}
}

static unsigned pairs_of(const struct yb_point *p)
{
	return p->pairs ? p->pairs : 1;
}

static unsigned pair_of(const struct yb_point *p)
{
	return p->pairs ? p->pair : 1;
}

int yb_point_same_curve(const struct yb_point *a, const struct yb_point *b)
{
	return strcmp(a->transport, b->transport) == 0 &&
	       a->ring_bytes == b->ring_bytes &&
	       strcmp(a->wait, b->wait) == 0 && pairs_of(a) == pairs_of(b) &&
	       pair_of(a) == pair_of(b) && curve_dir(a) == curve_dir(b);
}

const char *yb_verify_name(int v)
{
	switch (v) {
	case YB_VERIFY_NO:
		return "no";
	case YB_VERIFY_YES:
		return "yes";
	case YB_VERIFY_INLINE:
		return "inline";
	default:
		return "";
	}
}

/*
 * ",value" with prec decimals, or "," alone for an absent figure.  A
 * figure too small for them (an emulated machine's few hundred bit/s)
 * keeps three significant digits instead of reading as zero.
 */
static int put_num(char *buf, size_t len, double v, int prec)
{
	if (isnan(v))
		return snprintf(buf, len, ",");
	if (v != 0 && fabs(v) < 0.5 * pow(10, -prec))
		return snprintf(buf, len, ",%.3g", v);
	return snprintf(buf, len, ",%.*f", prec, v);
}

int yb_csv_format(const struct yb_point *p, char *buf, size_t len)
{
	const struct {
		double v;
		int prec;
	} f1[] = { { p->lat_min_us, 4 },    { p->lat_mean_us, 4 },
		   { p->lat_p50_us, 4 },    { p->lat_p99_us, 4 },
		   { p->lat_max_us, 4 },    { p->lat_stddev_us, 4 },
		   { p->bw_gbps, 6 } },
	  f2[] = { { p->lat_p999_us, 4 },   { p->bw_min_gbps, 6 },
		   { p->bw_median_gbps, 6 }, { p->cpu_client_pct, 1 },
		   { p->cpu_server_pct, 1 } };
	size_t off = 0;
	int n;

#define PUT(expr)                                                          \
	do {                                                               \
		n = (expr);                                                \
		if (n < 0 || (size_t)n >= len - off)                       \
			return YB_EINVAL;                                  \
		off += (size_t)n;                                          \
	} while (0)
	PUT(snprintf(buf, len, "%s,%s,%llu,%llu,%u", p->transport,
		     yb_mode_name(p->mode), (unsigned long long)p->bytes,
		     (unsigned long long)p->reps, p->trials));
	for (size_t i = 0; i < sizeof(f1) / sizeof(f1[0]); i++)
		PUT(put_num(buf + off, len - off, f1[i].v, f1[i].prec));
	PUT(snprintf(buf + off, len - off, ",%llu,%s,%u,%u",
		     (unsigned long long)p->ring_bytes, wait_of(p),
		     pairs_of(p), pair_of(p)));
	for (size_t i = 0; i < sizeof(f2) / sizeof(f2[0]); i++)
		PUT(put_num(buf + off, len - off, f2[i].v, f2[i].prec));
	PUT(snprintf(buf + off, len - off, ",%s,%s\n", yb_verify_name(p->verify),
		     yb_dir_name(dir_of(p))));
#undef PUT
	return (int)off;
}

/* ---- readers ---------------------------------------------------------- */

static int parse_mode(const char *s, unsigned *mode)
{
	if (strcmp(s, "pingpong") == 0)
		*mode = YB_MODE_PINGPONG;
	else if (strcmp(s, "stream") == 0)
		*mode = YB_MODE_STREAM;
	else
		return -1;
	return 0;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*v = x;
	return 0;
}

/* A figure: a non-negative number, or an empty field for "absent". */
static int parse_dbl(const char *s, double *v)
{
	char *end;

	if (!*s) {
		*v = NAN;
		return 0;
	}
	errno = 0;
	*v = strtod(s, &end);
	if (errno || *end || !isfinite(*v) || *v < 0)
		return -1;
	return 0;
}

/* Fill p from the 12 fields of a row; returns the index of a bad field. */
static int point_from_fields(char **f, struct yb_point *p)
{
	uint64_t trials;

	memset(p, 0, sizeof(*p));
	if (!f[0][0] || strlen(f[0]) >= sizeof(p->transport))
		return 0;
	strcpy(p->transport, f[0]);
	if (parse_mode(f[1], &p->mode))
		return 1;
	if (parse_u64(f[2], &p->bytes) || p->bytes == 0)
		return 2;
	if (parse_u64(f[3], &p->reps) || p->reps == 0)
		return 3;
	if (parse_u64(f[4], &trials) || trials == 0 || trials > 1000000)
		return 4;
	p->trials = (unsigned)trials;
	double *d[] = { &p->lat_min_us, &p->lat_mean_us, &p->lat_p50_us,
			&p->lat_p99_us, &p->lat_max_us, &p->lat_stddev_us,
			&p->bw_gbps };
	for (int i = 0; i < 7; i++)
		if (parse_dbl(f[5 + i], d[i]))
			return 5 + i;
	if (isnan(p->bw_gbps))
		return 11;
	return -1;
}

/* The later columns: absent unless the file has them. */
static void point_defaults(struct yb_point *p)
{
	p->lat_p999_us = p->bw_min_gbps = p->bw_median_gbps = NAN;
	p->cpu_client_pct = p->cpu_server_pct = NAN;
	p->csw_client_vol = p->csw_client_invol = NAN;
	p->csw_server_vol = p->csw_server_invol = NAN;
	p->verify = YB_VERIFY_UNKNOWN;
	p->pct_exact = -1;
	p->direction = p->mode == YB_MODE_STREAM ? YB_DIR_C2S : YB_DIR_BOTH;
	p->bw_c2s_gbps = p->bw_s2c_gbps = NAN;
}

/*
 * A direction column's value: a name, and "both" alone on a ping-pong
 * row (its messages always go out and come back).
 */
static int parse_dir(const char *s, struct yb_point *p)
{
	int d = yb_dir_parse(s);

	if (d < 0 || (p->mode == YB_MODE_PINGPONG && d != YB_DIR_BOTH))
		return -1;
	p->direction = (unsigned)d;
	return 0;
}

/*
 * Files written before stream rows left their latency columns empty hold
 * the time per message there (inverse throughput, not a latency): never
 * let a reader take it for one.
 */
static void stream_no_latency(struct yb_point *p)
{
	if (p->mode == YB_MODE_STREAM)
		yb_point_clear_latency(p);
}

static int parse_verify(const char *s, int *v)
{
	if (strcmp(s, "yes") == 0)
		*v = YB_VERIFY_YES;
	else if (strcmp(s, "no") == 0)
		*v = YB_VERIFY_NO;
	else if (strcmp(s, "inline") == 0)
		*v = YB_VERIFY_INLINE;
	else if (!*s)
		*v = YB_VERIFY_UNKNOWN;
	else
		return -1;
	return 0;
}

/* The optional columns a header may carry after the first twelve. */
static const char *const opt_cols[] = { "ring_bytes",	  "wait",
					"pairs",	  "pair",
					"lat_p999_us",	  "bw_min_gbps",
					"bw_median_gbps", "cpu_client_pct",
					"cpu_server_pct", "verify",
					"direction" };
#define NOPT (sizeof(opt_cols) / sizeof(opt_cols[0]))
enum { C_RING, C_WAIT, C_PAIRS, C_PAIR, C_P999, C_BWMIN, C_BWMED, C_CPUC,
       C_CPUS, C_VERIFY, C_DIR };

static const char *const csv_cols[] = { "transport",    "mode",
					 "bytes",        "reps",
					 "trials",       "lat_min_us",
					 "lat_mean_us",  "lat_p50_us",
					 "lat_p99_us",   "lat_max_us",
					 "lat_stddev_us", "bw_gbps" };
#define NCOLS (sizeof(csv_cols) / sizeof(csv_cols[0]))
#define CSV_MAX_LINE 4096
#define CSV_MAX_FIELDS 64

/* A wait column value: a word of letters, stored unless it is "none". */
static int valid_wait(const char *s, struct yb_point *p)
{
	size_t n = strlen(s);

	if (n == 0 || n >= sizeof(p->wait))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 'a' || s[i] > 'z')
			return 0;
	if (strcmp(s, "none") != 0)
		memcpy(p->wait, s, n + 1);
	return 1;
}

/* Split line in place at commas; returns the field count or -1. */
static int split_csv(char *line, char **f, int max)
{
	int n = 0;

	f[n++] = line;
	for (char *c = line; *c; c++) {
		if (*c == '"')
			return -1; /* we never write quotes */
		if (*c == ',') {
			if (n == max)
				return -1;
			*c = '\0';
			f[n++] = c + 1;
		}
	}
	return n;
}

/*
 * The header line split into f (n fields): the twelve base columns in
 * order, then optional ones in any order, whose positions go into col (-1
 * for those absent).  0, or -1 when it is not our header.
 */
static int csv_header(char **f, int n, int col[NOPT])
{
	for (size_t i = 0; i < NOPT; i++)
		col[i] = -1;
	if (n < (int)NCOLS)
		return -1;
	for (size_t i = 0; i < NCOLS; i++)
		if (strcmp(f[i], csv_cols[i]) != 0)
			return -1;
	for (int i = (int)NCOLS; i < n; i++)
		for (size_t k = 0; k < NOPT; k++)
			if (strcmp(f[i], opt_cols[k]) == 0)
				col[k] = i;
	return 0;
}

/*
 * The optional columns of a row (positions in col) into p.  -1, or the
 * index in f of the first bad value, with *name its column's name.
 */
static int csv_optional(char **f, const int col[NOPT], struct yb_point *p,
			const char **name)
{
	uint64_t np = 1, pi = 1;
	double *opt_d[NOPT] = { [C_P999] = &p->lat_p999_us,
				[C_BWMIN] = &p->bw_min_gbps,
				[C_BWMED] = &p->bw_median_gbps,
				[C_CPUC] = &p->cpu_client_pct,
				[C_CPUS] = &p->cpu_server_pct };

	for (size_t k = 0; k < NOPT; k++) {
		if (col[k] < 0)
			continue;
		const char *v = f[col[k]];
		int ok = 1;
		switch (k) {
		case C_RING:
			ok = !parse_u64(v, &p->ring_bytes) &&
			     !(p->ring_bytes &&
			       (p->ring_bytes & (p->ring_bytes - 1)));
			break;
		case C_WAIT:
			ok = valid_wait(v, p);
			break;
		case C_PAIRS:
			ok = !parse_u64(v, &np) && np >= 1 &&
			     np <= YB_MAX_PAIRS;
			break;
		case C_PAIR:
			ok = !parse_u64(v, &pi);
			break;
		case C_VERIFY:
			ok = !parse_verify(v, &p->verify);
			break;
		case C_DIR:
			ok = !parse_dir(v, p);
			break;
		default:
			ok = !parse_dbl(v, opt_d[k]);
			break;
		}
		if (!ok) {
			*name = opt_cols[k];
			return col[k];
		}
	}
	if (pi > np) {
		*name = "pair";
		return col[C_PAIR];
	}
	p->pairs = (unsigned)np;
	p->pair = (unsigned)pi;
	return -1;
}

int yb_csv_read(const char *path, struct yb_results *r, struct yb_err *err)
{
	FILE *fp = fopen(path, "r");
	char line[CSV_MAX_LINE + 2];
	char *f[CSV_MAX_FIELDS];
	int rc = 0, lineno = 0, ncols = 0, col[NOPT];

	if (!fp)
		return yb_err_sys(err, errno, "%s", path);
	while (fgets(line, sizeof(line), fp)) {
		lineno++;
		size_t len = strlen(line);
		if (len > CSV_MAX_LINE) {
			rc = yb_err_set(err, YB_EINVAL,
					"%s:%d: line longer than %d bytes",
					path, lineno, CSV_MAX_LINE);
			goto out;
		}
		if (memchr(line, '\0', len) != NULL || len == 0)
			break;
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len && line[len - 1] == '\r')
			line[--len] = '\0';
		if (lineno > 1 && len == 0)
			continue; /* tolerate blank lines */
		int n = split_csv(line, f, CSV_MAX_FIELDS);
		if (lineno == 1) {
			if (csv_header(f, n, col))
				goto bad_header;
			ncols = n;
			continue;
		}
		if (n != ncols) {
			rc = yb_err_set(err, YB_EINVAL,
					"%s:%d: %d fields where the header has "
					"%d",
					path, lineno, n < 0 ? 0 : n, ncols);
			goto out;
		}
		struct yb_point p;
		const char *bad_name;
		int bad = point_from_fields(f, &p);
		if (bad >= 0) {
			rc = yb_err_set(err, YB_EINVAL,
					"%s:%d: bad value '%s' in column %s",
					path, lineno, f[bad], csv_cols[bad]);
			goto out;
		}
		point_defaults(&p);
		if (col[C_VERIFY] < 0)
			stream_no_latency(&p);
		bad = csv_optional(f, col, &p, &bad_name);
		if (bad >= 0) {
			rc = yb_err_set(err, YB_EINVAL,
					"%s:%d: bad value '%s' in column %s",
					path, lineno, f[bad], bad_name);
			goto out;
		}
		if (yb_results_add(r, &p)) {
			rc = yb_err_set(err, YB_ENOMEM, "out of memory");
			goto out;
		}
	}
	if (ferror(fp)) {
		rc = yb_err_sys(err, errno, "%s: read", path);
		goto out;
	}
	if (lineno == 0)
		rc = yb_err_set(err, YB_EINVAL, "%s: empty file", path);
	goto out;
bad_header:
	rc = yb_err_set(err, YB_EINVAL,
			"%s: not a yasmin-bench results file (first line "
			"must begin '%s')",
			path, YB_CSV_BASE_COLUMNS);
out:
	fclose(fp);
	return rc;
}

static int json_get_num(json_t *o, const char *k, double *v)
{
	json_t *x = json_object_get(o, k);

	if (!json_is_number(x))
		return -1;
	*v = json_number_value(x);
	return isfinite(*v) && *v >= 0 ? 0 : -1;
}

/* Nested objects come back as dotted keys, the inverse of yb_meta_to_json. */
static int meta_from_json(json_t *obj, const char *prefix, struct yb_meta *m,
			  int depth)
{
	const char *k;
	json_t *v;
	char key[256];
	int rc = 0;

	if (!json_is_object(obj) || depth > 8)
		return 0;
	json_object_foreach(obj, k, v)
	{
		if ((size_t)snprintf(key, sizeof(key), "%s%s", prefix, k) >=
		    sizeof(key))
			continue;
		if (json_is_object(v)) {
			size_t len = strlen(key);
			if (len + 2 > sizeof(key))
				continue;
			key[len] = '.';
			key[len + 1] = '\0';
			rc = meta_from_json(v, key, m, depth + 1);
		} else if (json_is_string(v)) {
			rc = yb_meta_set(m, key, "%s", json_string_value(v));
		} else if (json_is_integer(v)) {
			rc = yb_meta_set_int(m, key, json_integer_value(v));
		} else if (json_is_number(v)) {
			rc = yb_meta_set_num(m, key, json_number_value(v));
		}
		if (rc)
			return rc;
	}
	return 0;
}

/* A figure that may be null (absent): NAN then. */
static int json_get_opt(json_t *o, const char *k, double *v)
{
	json_t *x = json_object_get(o, k);

	if (!x || json_is_null(x)) {
		*v = NAN;
		return 0;
	}
	return json_get_num(o, k, v);
}

/* The optional detail of a row: its trials and its histogram. */
static int json_row_detail(json_t *row, struct yb_point *p,
			   struct yb_trial **trial, struct yb_hbin **hist)
{
	json_t *tr = json_object_get(row, "trial_detail");
	json_t *h = json_object_get(row, "rtt_histogram");
	size_t i;
	json_t *x;

	*trial = NULL;
	*hist = NULL;
	if (json_is_array(tr) && json_array_size(tr) == p->trials) {
		*trial = calloc(p->trials, sizeof(**trial));
		if (!*trial)
			return YB_ENOMEM;
		json_array_foreach(tr, i, x)
		{
			double a, b, c;
			if (json_get_num(x, "start_ns", &a) ||
			    json_get_num(x, "elapsed_ns", &b) ||
			    json_get_num(x, "reps", &c))
				return YB_EINVAL;
			(*trial)[i] = (struct yb_trial){ (uint64_t)a,
							 (uint64_t)b,
							 (uint64_t)c, 0, 0 };
			double up = 0, down = 0;
			if (json_get_opt(x, "c2s_ns", &up) ||
			    json_get_opt(x, "s2c_ns", &down))
				return YB_EINVAL;
			(*trial)[i].c2s_ns = isnan(up) ? 0 : (uint64_t)up;
			(*trial)[i].s2c_ns = isnan(down) ? 0 : (uint64_t)down;
		}
		p->trial = *trial;
	}
	json_t *bins = json_is_object(h) ? json_object_get(h, "bins") : NULL;
	if (json_is_array(bins) && json_array_size(bins) > 0) {
		size_t n = json_array_size(bins);
		if (n > 100000)
			return YB_EINVAL;
		*hist = calloc(n, sizeof(**hist));
		if (!*hist)
			return YB_ENOMEM;
		json_array_foreach(bins, i, x)
		{
			json_t *lo = json_array_get(x, 0), *hi = json_array_get(x, 1),
			       *c = json_array_get(x, 2);
			if (!json_is_integer(lo) || !json_is_integer(hi) ||
			    !json_is_integer(c) || json_integer_value(lo) < 0 ||
			    json_integer_value(hi) < json_integer_value(lo) ||
			    json_integer_value(c) < 0)
				return YB_EINVAL;
			(*hist)[i] = (struct yb_hbin){
				(uint64_t)json_integer_value(lo),
				(uint64_t)json_integer_value(hi),
				(uint64_t)json_integer_value(c)
			};
		}
		p->hist = *hist;
		p->hist_n = n;
	}
	return 0;
}

/*
 * One row of "results" into p (its trial detail and histogram aside).
 * 0, or -1 when the row is malformed.
 */
static int json_row(json_t *row, int version, struct yb_point *p)
{
	json_t *t = json_object_get(row, "transport");
	json_t *m = json_object_get(row, "mode");
	double bytes = 0, reps = 0, trials = 0; /* (set when bad stays 0) */
	double *d[] = { &p->lat_min_us, &p->lat_mean_us, &p->lat_p50_us,
			&p->lat_p99_us, &p->lat_max_us, &p->lat_stddev_us };

	*p = (struct yb_point){ 0 };
	point_defaults(p);
	int bad = !json_is_string(t) || !json_is_string(m) ||
		  strlen(json_string_value(t)) >= sizeof(p->transport) ||
		  parse_mode(json_string_value(m), &p->mode) ||
		  json_get_num(row, "bytes", &bytes) || bytes < 1 ||
		  json_get_num(row, "reps", &reps) || reps < 1 ||
		  json_get_num(row, "trials", &trials) || trials < 1 ||
		  trials > 1000000 ||
		  json_get_num(row, "bw_gbps", &p->bw_gbps);
	for (int k = 0; !bad && k < 6; k++)
		bad = json_get_opt(row, csv_cols[5 + k], d[k]);
	static const char *const opt[] = { "lat_p999_us", "bw_min_gbps",
					   "bw_median_gbps",
					   "cpu_client_pct",
					   "cpu_server_pct" };
	double *od[] = { &p->lat_p999_us, &p->bw_min_gbps,
			 &p->bw_median_gbps, &p->cpu_client_pct,
			 &p->cpu_server_pct };
	for (int k = 0; !bad && k < 5; k++)
		bad = json_get_opt(row, opt[k], od[k]);
	json_t *v = json_object_get(row, "verify");
	if (!bad && v)
		bad = !json_is_string(v) ||
		      parse_verify(json_string_value(v), &p->verify);
	json_t *dir = json_object_get(row, "direction");
	p->direction = p->mode == YB_MODE_STREAM ? YB_DIR_C2S : YB_DIR_BOTH;
	if (!bad && dir)
		bad = !json_is_string(dir) ||
		      parse_dir(json_string_value(dir), p);
	if (!bad)
		bad = json_get_opt(row, "bw_c2s_gbps", &p->bw_c2s_gbps) ||
		      json_get_opt(row, "bw_s2c_gbps", &p->bw_s2c_gbps);
	json_t *csw = json_object_get(row, "csw_per_rep");
	if (!bad && json_is_object(csw)) {
		bad = json_get_opt(csw, "client_voluntary",
				   &p->csw_client_vol) ||
		      json_get_opt(csw, "client_involuntary",
				   &p->csw_client_invol) ||
		      json_get_opt(csw, "server_voluntary",
				   &p->csw_server_vol) ||
		      json_get_opt(csw, "server_involuntary",
				   &p->csw_server_invol);
	}
	json_t *pe = json_object_get(row, "percentiles");
	if (json_is_string(pe))
		p->pct_exact = strcmp(json_string_value(pe), "exact") == 0;
	if (bad)
		return -1;
	if (version < 2)
		stream_no_latency(p);
	double ring = 0;
	json_t *w = json_object_get(row, "wait");
	if ((json_object_get(row, "ring_bytes") &&
	     json_get_num(row, "ring_bytes", &ring)) ||
	    (w && (!json_is_string(w) ||
		   !valid_wait(json_string_value(w), p))))
		return -1;
	p->ring_bytes = (uint64_t)ring;
	double np = 1, pi = 1;
	if ((json_object_get(row, "pairs") &&
	     (json_get_num(row, "pairs", &np) || np < 1 ||
	      np > YB_MAX_PAIRS)) ||
	    (json_object_get(row, "pair") &&
	     (json_get_num(row, "pair", &pi) || pi > np)))
		return -1;
	p->pairs = (unsigned)np;
	p->pair = (unsigned)pi;
	strcpy(p->transport, json_string_value(t));
	p->bytes = (uint64_t)bytes;
	p->reps = (uint64_t)reps;
	p->trials = (unsigned)trials;
	return 0;
}

int yb_json_read(const char *path, struct yb_results *r, struct yb_err *err)
{
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je);
	int rc = 0;

	if (!root)
		return yb_err_set(err, YB_EINVAL, "%s:%d: %s", path, je.line,
				  je.text);
	json_t *fmt = json_object_get(root, "format");
	json_t *res = json_object_get(root, "results");
	if (!json_is_string(fmt) ||
	    strcmp(json_string_value(fmt), JSON_FORMAT_NAME) != 0 ||
	    !json_is_array(res)) {
		rc = yb_err_set(err, YB_EINVAL,
				"%s: not a yasmin-bench results file", path);
		goto out;
	}
	json_t *fv = json_object_get(root, "format_version");
	int version = json_is_integer(fv) ? (int)json_integer_value(fv) : 1;
	size_t i;
	json_t *row;
	json_array_foreach(res, i, row)
	{
		struct yb_point p;
		if (json_row(row, version, &p)) {
			rc = yb_err_set(err, YB_EINVAL,
					"%s: result %zu is malformed", path, i);
			goto out;
		}
		struct yb_trial *tr;
		struct yb_hbin *hb;
		int drc = json_row_detail(row, &p, &tr, &hb);
		if (!drc && yb_results_add(r, &p))
			drc = YB_ENOMEM;
		free(tr);
		free(hb);
		if (drc) {
			rc = drc == YB_ENOMEM ?
				     yb_err_set(err, YB_ENOMEM, "out of memory") :
				     yb_err_set(err, YB_EINVAL,
						"%s: result %zu is malformed",
						path, i);
			goto out;
		}
	}
	if (meta_from_json(json_object_get(root, "meta"), "", &r->meta, 0))
		rc = yb_err_set(err, YB_ENOMEM, "out of memory");
out:
	json_decref(root);
	return rc;
}

/* ---- CSV sink --------------------------------------------------------- */

struct yb_output {
	FILE *fp;
	char *path;
	const struct yb_meta *meta;
	/* JSON: the rows so far, each serialised once, one per line. */
	char *rows;
	size_t rows_len, rows_cap;
};

static struct yb_output *output_new(const char *path,
				    const struct yb_meta *meta)
{
	struct yb_output *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->path = strdup(path);
	if (!o->path) {
		free(o);
		return NULL;
	}
	o->meta = meta;
	return o;
}

static void output_free(struct yb_output *o)
{
	if (o->fp)
		fclose(o->fp);
	free(o->rows);
	free(o->path);
	free(o);
}

static int csv_open(struct yb_output **out, const char *path,
		    const struct yb_meta *meta, struct yb_err *err)
{
	struct yb_output *o = output_new(path, meta);

	if (!o)
		return yb_err_set(err, YB_ENOMEM, "out of memory");
	o->fp = fopen(path, "w");
	if (!o->fp) {
		int e = errno;
		output_free(o);
		return yb_err_sys(err, e, "cannot write %s", path);
	}
	if (fputs(YB_CSV_COLUMNS "\n", o->fp) < 0 || fflush(o->fp)) {
		int e = errno;
		output_free(o);
		return yb_err_sys(err, e, "cannot write %s", path);
	}
	*out = o;
	return 0;
}

static int csv_point(struct yb_output *o, const struct yb_point *p,
		     struct yb_err *err)
{
	char line[512];

	if (yb_csv_format(p, line, sizeof(line)) < 0)
		return yb_err_set(err, YB_EINVAL, "transport name too long");
	if (fputs(line, o->fp) < 0 || fflush(o->fp))
		return yb_err_sys(err, errno, "cannot write %s", o->path);
	return 0;
}

static int csv_finish(struct yb_output *o, int complete, struct yb_err *err)
{
	(void)complete;
	int rc = 0;
	if (fclose(o->fp) != 0)
		rc = yb_err_sys(err, errno, "cannot write %s", o->path);
	o->fp = NULL;
	output_free(o);
	return rc;
}

const struct yb_output_ops yb_output_csv = {
	.name = "csv",
	.filename = "results.csv",
	.open = csv_open,
	.point = csv_point,
	.finish = csv_finish,
};

/* ---- JSON sink -------------------------------------------------------- */

/* "a.b.c" keys become nested objects. */
int yb_meta_to_json(const struct yb_meta *m, json_t *obj)
{
	for (size_t i = 0; m && i < m->n; i++) {
		char key[256];
		snprintf(key, sizeof(key), "%s", m->kv[i].key);
		json_t *parent = obj;
		char *s = key, *dot;
		while ((dot = strchr(s, '.')) != NULL) {
			*dot = '\0';
			json_t *child = json_object_get(parent, s);
			if (!json_is_object(child)) {
				child = json_object();
				if (!child)
					return YB_ENOMEM;
				json_object_set_new(parent, s, child);
			}
			parent = child;
			s = dot + 1;
		}
		json_t *v = NULL;
		if (m->kv[i].numeric) {
			char *end;
			long long ll = strtoll(m->kv[i].value, &end, 10);
			if (!*end)
				v = json_integer(ll);
			else
				v = json_real(strtod(m->kv[i].value, NULL));
		} else {
			v = json_string(m->kv[i].value);
		}
		if (!v || json_object_set_new(parent, s, v))
			return YB_ENOMEM;
	}
	return 0;
}

/* A figure, or null when it is absent (JSON has no NaN). */
static json_t *num(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

static json_t *point_to_json(const struct yb_point *p)
{
	json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:i}", "transport",
			      p->transport, "mode", yb_mode_name(p->mode),
			      "bytes", (json_int_t)p->bytes, "reps",
			      (json_int_t)p->reps, "trials", (int)p->trials);
	if (!o)
		return NULL;
	const struct {
		const char *k;
		double v;
	} f[] = {
		{ "lat_min_us", p->lat_min_us },
		{ "lat_mean_us", p->lat_mean_us },
		{ "lat_p50_us", p->lat_p50_us },
		{ "lat_p99_us", p->lat_p99_us },
		{ "lat_max_us", p->lat_max_us },
		{ "lat_stddev_us", p->lat_stddev_us },
		{ "bw_gbps", p->bw_gbps },
	}, g[] = {
		{ "lat_p999_us", p->lat_p999_us },
		{ "bw_min_gbps", p->bw_min_gbps },
		{ "bw_median_gbps", p->bw_median_gbps },
		{ "cpu_client_pct", p->cpu_client_pct },
		{ "cpu_server_pct", p->cpu_server_pct },
	};
	int bad = 0;
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		bad |= json_object_set_new(o, f[i].k, num(f[i].v));
	bad |= json_object_set_new(o, "ring_bytes",
				   json_integer((json_int_t)p->ring_bytes));
	bad |= json_object_set_new(o, "wait", json_string(wait_of(p)));
	bad |= json_object_set_new(o, "pairs", json_integer(pairs_of(p)));
	bad |= json_object_set_new(o, "pair", json_integer(pair_of(p)));
	for (size_t i = 0; i < sizeof(g) / sizeof(g[0]); i++)
		bad |= json_object_set_new(o, g[i].k, num(g[i].v));
	bad |= json_object_set_new(o, "verify",
				   json_string(yb_verify_name(p->verify)));
	bad |= json_object_set_new(o, "direction",
				   json_string(yb_dir_name(dir_of(p))));
	if (!isnan(p->bw_c2s_gbps) || !isnan(p->bw_s2c_gbps)) {
		bad |= json_object_set_new(o, "bw_c2s_gbps",
					   num(p->bw_c2s_gbps));
		bad |= json_object_set_new(o, "bw_s2c_gbps",
					   num(p->bw_s2c_gbps));
	}
	if (!isnan(p->csw_client_vol) || !isnan(p->csw_server_vol))
		bad |= json_object_set_new(
			o, "csw_per_rep",
			json_pack("{s:o, s:o, s:o, s:o}", "client_voluntary",
				  num(p->csw_client_vol), "client_involuntary",
				  num(p->csw_client_invol), "server_voluntary",
				  num(p->csw_server_vol), "server_involuntary",
				  num(p->csw_server_invol)));
	if (p->pct_exact >= 0)
		bad |= json_object_set_new(
			o, "percentiles",
			json_string(p->pct_exact ? "exact" : "histogram"));
	if (p->trial) {
		json_t *a = json_array();
		for (unsigned t = 0; a && t < p->trials; t++) {
			const struct yb_trial *x = &p->trial[t];
			json_t *e = json_pack("{s:I, s:I, s:I}", "start_ns",
					      (json_int_t)x->start_ns,
					      "elapsed_ns",
					      (json_int_t)x->elapsed_ns, "reps",
					      (json_int_t)x->reps);
			if (e && (x->c2s_ns || x->s2c_ns))
				bad |= json_object_set_new(
					       e, "c2s_ns",
					       json_integer((json_int_t)x->c2s_ns)) |
				       json_object_set_new(
					       e, "s2c_ns",
					       json_integer((json_int_t)x->s2c_ns));
			bad |= json_array_append_new(a, e);
		}
		bad |= json_object_set_new(o, "trial_detail", a);
	}
	if (p->hist && p->hist_n) {
		json_t *b = json_array();
		for (size_t i = 0; b && i < p->hist_n; i++)
			bad |= json_array_append_new(
				b, json_pack("[I, I, I]",
					     (json_int_t)p->hist[i].low,
					     (json_int_t)p->hist[i].high,
					     (json_int_t)p->hist[i].count));
		bad |= json_object_set_new(
			o, "rtt_histogram",
			json_pack("{s:s, s:i, s:o}", "unit", "ns",
				  "sub_buckets_per_octave", YB_HIST_SUB, "bins",
				  b));
	}
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/*
 * The file: the header and metadata indented for people, then the rows,
 * one compact row per line (a row's histogram would otherwise take
 * hundreds of lines, and the file is rewritten after every point).
 */
static int json_write(struct yb_output *o, int complete, struct yb_err *err)
{
	json_t *root = json_object(), *meta = json_object();
	char tmp[4096];
	char *head = NULL;
	int rc = 0;

	if (!root || !meta) {
		json_decref(root);
		json_decref(meta);
		return yb_err_set(err, YB_ENOMEM, "out of memory");
	}
	json_object_set_new(root, "format", json_string(JSON_FORMAT_NAME));
	json_object_set_new(root, "format_version",
			    json_integer(JSON_FORMAT_VERSION));
	json_object_set_new(root, "complete", json_boolean(complete));
	if (yb_meta_to_json(o->meta, meta))
		rc = yb_err_set(err, YB_ENOMEM, "out of memory");
	json_object_set_new(root, "meta", meta);
	if (!rc && !(head = json_dumps(root, JSON_INDENT(2) |
						     JSON_REAL_PRECISION(10))))
		rc = yb_err_set(err, YB_ENOMEM, "out of memory");
	json_decref(root);
	if (rc)
		return rc;
	/* head ends with "\n}": the results go in before that brace. */
	size_t hl = strlen(head);
	while (hl > 0 && head[hl - 1] != '}')
		hl--;
	if (hl > 0)
		hl--;
	while (hl > 0 && (head[hl - 1] == '\n' || head[hl - 1] == ' '))
		hl--;
	snprintf(tmp, sizeof(tmp), "%s.tmp", o->path);
	FILE *fp = fopen(tmp, "w");
	if (!fp) {
		free(head);
		return yb_err_sys(err, errno, "cannot write %s", tmp);
	}
	fwrite(head, 1, hl, fp);
	fputs(",\n  \"results\": [", fp);
	if (o->rows_len)
		fwrite(o->rows, 1, o->rows_len, fp);
	fputs(o->rows_len ? "\n  ]\n}\n" : "]\n}\n", fp);
	free(head);
	if (ferror(fp) | (fclose(fp) != 0))
		rc = yb_err_sys(err, errno, "cannot write %s", tmp);
	if (!rc && rename(tmp, o->path) != 0)
		rc = yb_err_sys(err, errno, "cannot write %s", o->path);
	if (rc)
		unlink(tmp);
	return rc;
}

static int json_open(struct yb_output **out, const char *path,
		     const struct yb_meta *meta, struct yb_err *err)
{
	struct yb_output *o = output_new(path, meta);

	if (!o)
		return yb_err_set(err, YB_ENOMEM, "out of memory");
	int rc = json_write(o, 0, err);
	if (rc) {
		output_free(o);
		return rc;
	}
	*out = o;
	return 0;
}

static int json_point(struct yb_output *o, const struct yb_point *p,
		      struct yb_err *err)
{
	json_t *row = point_to_json(p);
	char *text = row ? json_dumps(row, JSON_REAL_PRECISION(10)) : NULL;

	json_decref(row);
	if (!text)
		return yb_err_set(err, YB_ENOMEM, "out of memory");
	size_t n = strlen(text), need = o->rows_len + n + 8;
	if (need > o->rows_cap) {
		size_t cap = o->rows_cap ? o->rows_cap : 65536;
		while (cap < need)
			cap *= 2;
		char *nr = realloc(o->rows, cap);
		if (!nr) {
			free(text);
			return yb_err_set(err, YB_ENOMEM, "out of memory");
		}
		o->rows = nr;
		o->rows_cap = cap;
	}
	o->rows_len += (size_t)snprintf(o->rows + o->rows_len,
					o->rows_cap - o->rows_len, "%s\n    %s",
					o->rows_len ? "," : "", text);
	free(text);
	return json_write(o, 0, err);
}

static int json_finish(struct yb_output *o, int complete, struct yb_err *err)
{
	int rc = json_write(o, complete, err);

	output_free(o);
	return rc;
}

const struct yb_output_ops yb_output_json = {
	.name = "json",
	.filename = "results.json",
	.open = json_open,
	.point = json_point,
	.finish = json_finish,
};
