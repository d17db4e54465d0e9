/*
 * results.c - result rows and the CSV and JSON files that hold them.
 *
 * The CSV file is appended and flushed row by row, so a run cut short
 * leaves every finished point on disk.  The JSON file is rewritten
 * atomically (temporary file, then rename) after every point with
 * "complete": false, and a last time with the final state; a reader never
 * sees half a document.  JSON goes through jansson, never hand escaping.
 */
#include "results.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto.h"
#include "schedule.h"

#define JSON_FORMAT_NAME "yasmin-bench-results"
#define JSON_FORMAT_VERSION 1

void yb_results_init(struct yb_results *r)
{
	r->p = NULL;
	r->n = r->cap = 0;
	yb_meta_init(&r->meta);
}

void yb_results_free(struct yb_results *r)
{
	free(r->p);
	yb_meta_free(&r->meta);
	yb_results_init(r);
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
	r->p[r->n++] = *p;
	return 0;
}

static const char *wait_of(const struct yb_point *p)
{
	return p->wait[0] ? p->wait : "none";
}

void yb_point_label(const struct yb_point *p, char *buf, size_t len)
{
	char pairs[48] = "";

	if (p->pairs > 1 && p->pair == 0)
		snprintf(pairs, sizeof(pairs), " x%u total", p->pairs);
	else if (p->pairs > 1)
		snprintf(pairs, sizeof(pairs), " x%u #%u", p->pairs, p->pair);
	if (p->ring_bytes) {
		char sz[32];
		yb_format_size(p->ring_bytes, sz, sizeof(sz));
		snprintf(buf, len, "%s %s %s%s", p->transport, sz, wait_of(p),
			 pairs);
	} else {
		snprintf(buf, len, "%s%s", p->transport, pairs);
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
	       pair_of(a) == pair_of(b);
}

int yb_csv_format(const struct yb_point *p, char *buf, size_t len)
{
	int n = snprintf(buf, len,
			 "%s,%s,%llu,%llu,%u,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,"
			 "%.6f,%llu,%s,%u,%u\n",
			 p->transport, yb_mode_name(p->mode),
			 (unsigned long long)p->bytes,
			 (unsigned long long)p->reps, p->trials, p->lat_min_us,
			 p->lat_mean_us, p->lat_p50_us, p->lat_p99_us,
			 p->lat_max_us, p->lat_stddev_us, p->bw_gbps,
			 (unsigned long long)p->ring_bytes, wait_of(p),
			 pairs_of(p), pair_of(p));
	return (n < 0 || (size_t)n >= len) ? YB_EINVAL : n;
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

static int parse_dbl(const char *s, double *v)
{
	char *end;

	if (!*s)
		return -1;
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
	return -1;
}

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

int yb_csv_read(const char *path, struct yb_results *r, struct yb_err *err)
{
	FILE *fp = fopen(path, "r");
	char line[CSV_MAX_LINE + 2];
	char *f[CSV_MAX_FIELDS];
	int rc = 0, lineno = 0, ncols = 0, col_ring = -1, col_wait = -1;
	int col_pairs = -1, col_pair = -1;

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
			if (n < (int)NCOLS)
				goto bad_header;
			for (size_t i = 0; i < NCOLS; i++)
				if (strcmp(f[i], csv_cols[i]) != 0)
					goto bad_header;
			for (int i = (int)NCOLS; i < n; i++) {
				if (strcmp(f[i], "ring_bytes") == 0)
					col_ring = i;
				else if (strcmp(f[i], "wait") == 0)
					col_wait = i;
				else if (strcmp(f[i], "pairs") == 0)
					col_pairs = i;
				else if (strcmp(f[i], "pair") == 0)
					col_pair = i;
			}
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
		int bad = point_from_fields(f, &p);
		if (bad >= 0) {
			rc = yb_err_set(err, YB_EINVAL,
					"%s:%d: bad value '%s' in column %s",
					path, lineno, f[bad], csv_cols[bad]);
			goto out;
		}
		if (col_ring >= 0 && (parse_u64(f[col_ring], &p.ring_bytes) ||
				      (p.ring_bytes &&
				       (p.ring_bytes & (p.ring_bytes - 1))))) {
			rc = yb_err_set(err, YB_EINVAL,
					"%s:%d: bad value '%s' in column "
					"ring_bytes",
					path, lineno, f[col_ring]);
			goto out;
		}
		if (col_wait >= 0 && !valid_wait(f[col_wait], &p)) {
			rc = yb_err_set(err, YB_EINVAL,
					"%s:%d: bad value '%s' in column wait",
					path, lineno, f[col_wait]);
			goto out;
		}
		uint64_t np = 1, pi = 1;
		int bad_col = -1;
		if (col_pairs >= 0 && (parse_u64(f[col_pairs], &np) || np < 1 ||
				       np > YB_MAX_PAIRS))
			bad_col = col_pairs;
		else if (col_pair >= 0 &&
			 (parse_u64(f[col_pair], &pi) || pi > np))
			bad_col = col_pair;
		if (bad_col >= 0) {
			rc = yb_err_set(err, YB_EINVAL,
					"%s:%d: bad value '%s' in column %s",
					path, lineno, f[bad_col],
					bad_col == col_pairs ? "pairs" : "pair");
			goto out;
		}
		p.pairs = (unsigned)np;
		p.pair = (unsigned)pi;
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
			"must be '%s')",
			path, YB_CSV_COLUMNS);
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

/* Nested objects come back as dotted keys, the inverse of meta_to_json. */
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
	size_t i;
	json_t *row;
	json_array_foreach(res, i, row)
	{
		struct yb_point p = { 0 };
		json_t *t = json_object_get(row, "transport");
		json_t *m = json_object_get(row, "mode");
		double bytes, reps, trials;
		double *d[] = { &p.lat_min_us, &p.lat_mean_us, &p.lat_p50_us,
				&p.lat_p99_us, &p.lat_max_us, &p.lat_stddev_us,
				&p.bw_gbps };
		int bad = !json_is_string(t) || !json_is_string(m) ||
			  strlen(json_string_value(t)) >= sizeof(p.transport) ||
			  parse_mode(json_string_value(m), &p.mode) ||
			  json_get_num(row, "bytes", &bytes) || bytes < 1 ||
			  json_get_num(row, "reps", &reps) || reps < 1 ||
			  json_get_num(row, "trials", &trials) || trials < 1;
		for (int k = 0; !bad && k < 7; k++)
			bad = json_get_num(row, csv_cols[5 + k], d[k]);
		if (bad) {
			rc = yb_err_set(err, YB_EINVAL,
					"%s: result %zu is malformed", path, i);
			goto out;
		}
		double ring = 0;
		json_t *w = json_object_get(row, "wait");
		if ((json_object_get(row, "ring_bytes") &&
		     json_get_num(row, "ring_bytes", &ring)) ||
		    (w && (!json_is_string(w) ||
			   !valid_wait(json_string_value(w), &p)))) {
			rc = yb_err_set(err, YB_EINVAL,
					"%s: result %zu is malformed", path, i);
			goto out;
		}
		p.ring_bytes = (uint64_t)ring;
		double np = 1, pi = 1;
		if ((json_object_get(row, "pairs") &&
		     (json_get_num(row, "pairs", &np) || np < 1 ||
		      np > YB_MAX_PAIRS)) ||
		    (json_object_get(row, "pair") &&
		     (json_get_num(row, "pair", &pi) || pi > np))) {
			rc = yb_err_set(err, YB_EINVAL,
					"%s: result %zu is malformed", path, i);
			goto out;
		}
		p.pairs = (unsigned)np;
		p.pair = (unsigned)pi;
		strcpy(p.transport, json_string_value(t));
		p.bytes = (uint64_t)bytes;
		p.reps = (uint64_t)reps;
		p.trials = (unsigned)trials;
		if (yb_results_add(r, &p)) {
			rc = yb_err_set(err, YB_ENOMEM, "out of memory");
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
	json_t *rows;
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
	json_decref(o->rows);
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

static json_t *point_to_json(const struct yb_point *p)
{
	return json_pack("{s:s, s:s, s:I, s:I, s:i, s:f, s:f, s:f, s:f, s:f, "
			 "s:f, s:f, s:I, s:s, s:i, s:i}",
			 "transport", p->transport, "mode",
			 yb_mode_name(p->mode), "bytes", (json_int_t)p->bytes,
			 "reps", (json_int_t)p->reps, "trials", (int)p->trials,
			 "lat_min_us", p->lat_min_us, "lat_mean_us",
			 p->lat_mean_us, "lat_p50_us", p->lat_p50_us,
			 "lat_p99_us", p->lat_p99_us, "lat_max_us",
			 p->lat_max_us, "lat_stddev_us", p->lat_stddev_us,
			 "bw_gbps", p->bw_gbps, "ring_bytes",
			 (json_int_t)p->ring_bytes, "wait", wait_of(p), "pairs",
			 (int)pairs_of(p), "pair", (int)pair_of(p));
}

static int json_write(struct yb_output *o, int complete, struct yb_err *err)
{
	json_t *root = json_object(), *meta = json_object();
	char tmp[4096];
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
	json_object_set(root, "results", o->rows);
	snprintf(tmp, sizeof(tmp), "%s.tmp", o->path);
	if (!rc && json_dump_file(root, tmp, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) != 0)
		rc = yb_err_sys(err, errno, "cannot write %s", tmp);
	if (!rc && rename(tmp, o->path) != 0) {
		rc = yb_err_sys(err, errno, "cannot write %s", o->path);
		unlink(tmp);
	}
	json_decref(root);
	return rc;
}

static int json_open(struct yb_output **out, const char *path,
		     const struct yb_meta *meta, struct yb_err *err)
{
	struct yb_output *o = output_new(path, meta);

	if (!o || !(o->rows = json_array())) {
		if (o)
			output_free(o);
		return yb_err_set(err, YB_ENOMEM, "out of memory");
	}
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
	if (json_array_append_new(o->rows, point_to_json(p)))
		return yb_err_set(err, YB_ENOMEM, "out of memory");
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
