/*
 * scaling.c - runs measured at the same time, merged into a scaling table;
 * see scaling.h.
 *
 * Each run is put on the wall clock by its own clock_realtime_offset_ns
 * rather than by the date in its metadata: that date has whole seconds
 * and says when the run began, not when its trials ran.  The run-wide
 * window (all rows) decides whether two runs were measured at the same
 * time at all; the window of each row decides how much of that row they
 * shared, since the sizes of a sweep in two guests drift apart.
 */
#include "core/report/scaling.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/base/dirs.h"
#include "core/base/mode.h"
#include "core/base/stats.h"
#include "core/base/version.h"
#include "core/report/plot.h"

#define JSON_FORMAT_NAME "yasmin-bench-scaling"
#define JSON_FORMAT_VERSION 1

/* ---- rows ------------------------------------------------------------- */

static const char *wait_name(const struct yb_point *p)
{
	return p->wait[0] ? p->wait : "none";
}

/*
 * Are a and b the same row of the table: the same curve (transport, ring
 * size, wait mode, and a stream's direction), mode and message size?
 * Which of a run's pairs a row is does not enter: the pairs are what a
 * row adds up.  This is the one place that decides it; a field that tells
 * rows of one curve apart goes here, and into row_name(), which names
 * (and so orders) the rows (yb_point_label names the direction).
 */
static int same_row(const struct yb_point *a, const struct yb_point *b)
{
	return strcmp(a->transport, b->transport) == 0 &&
	       a->ring_bytes == b->ring_bytes &&
	       strcmp(wait_name(a), wait_name(b)) == 0 && a->mode == b->mode &&
	       a->bytes == b->bytes &&
	       (a->mode != YB_MODE_STREAM || a->direction == b->direction);
}

int yb_scaling_same_row(const struct yb_scaling_row *a,
			const struct yb_scaling_row *b)
{
	return same_row(&a->key, &b->key);
}

static unsigned pairs_of(const struct yb_point *p)
{
	return p->pairs ? p->pairs : 1;
}

/* The curve's name: yb_point_label without the pair. */
static void curve_label(const struct yb_point *p, char *buf, size_t len)
{
	struct yb_point k = *p;

	k.pairs = 1;
	k.pair = 1;
	yb_point_label(&k, buf, len);
}

/* A message size as typed, and exactly: 64K, 1M, 3069. */
static void size_text(uint64_t b, char *buf, size_t len)
{
	if (b >= (1ull << 30) && b % (1ull << 30) == 0)
		snprintf(buf, len, "%lluG", (unsigned long long)(b >> 30));
	else if (b >= (1ull << 20) && b % (1ull << 20) == 0)
		snprintf(buf, len, "%lluM", (unsigned long long)(b >> 20));
	else if (b >= 1024 && b % 1024 == 0)
		snprintf(buf, len, "%lluK", (unsigned long long)(b >> 10));
	else
		snprintf(buf, len, "%llu", (unsigned long long)b);
}

/*
 * "shm 4M adaptive stream 64K": what tells a row apart, as people read it,
 * for messages; without the size, the group of rows that sorts and prints
 * together.
 */
static void row_name(const struct yb_point *p, int with_size, char *buf,
		     size_t len)
{
	char curve[80], sz[32] = "";

	curve_label(p, curve, sizeof(curve));
	if (with_size)
		size_text(p->bytes, sz, sizeof(sz));
	snprintf(buf, len, "%s %s%s%s", curve, yb_mode_name(p->mode),
		 with_size ? " " : "", sz);
}

/* ---- wall-clock windows ----------------------------------------------- */

struct window {
	int ok;
	int64_t start, end; /* ns since the epoch */
};

/* Widen w by the trials of p, on a clock offset from the monotonic one. */
static void widen(struct window *w, const struct yb_point *p, int64_t off)
{
	if (!p->trial)
		return;
	for (unsigned t = 0; t < p->trials; t++) {
		int64_t s = (int64_t)p->trial[t].start_ns + off;
		int64_t e = s + (int64_t)p->trial[t].elapsed_ns;
		if (!w->ok || s < w->start)
			w->start = s;
		if (!w->ok || e > w->end)
			w->end = e;
		w->ok = 1;
	}
}

/* Do two windows share a moment (more than a boundary)? */
static int overlaps(int64_t s1, int64_t e1, int64_t s2, int64_t e2)
{
	return s1 < e2 && s2 < e1;
}

/* "12:00:01.234", with the date in front when with_date. */
static void clock_text(int64_t ns, int with_date, char *buf, size_t len)
{
	time_t sec = (time_t)(ns / 1000000000);
	int ms = (int)((ns % 1000000000) / 1000000);
	struct tm tm;
	char t[48];

	if (ms < 0) {
		sec--;
		ms += 1000;
	}
	gmtime_r(&sec, &tm);
	strftime(t, sizeof(t), with_date ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S",
		 &tm);
	snprintf(buf, len, "%s.%03d", t, ms);
}

/* "2026-12-02T12:00:01.234567Z" */
static void iso_text(int64_t ns, char *buf, size_t len)
{
	time_t sec = (time_t)(ns / 1000000000);
	int us = (int)((ns % 1000000000) / 1000);
	struct tm tm;
	char t[48];

	if (us < 0) {
		sec--;
		us += 1000000;
	}
	gmtime_r(&sec, &tm);
	strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%06dZ", t, us);
}

static int64_t day_of(int64_t ns)
{
	return ns / 1000000000 / 86400;
}

/* ---- the result --------------------------------------------------------- */

void yb_scaling_init(struct yb_scaling *s)
{
	memset(s, 0, sizeof(*s));
}

void yb_scaling_free(struct yb_scaling *s)
{
	free(s->runs);
	free(s->sets);
	free(s->rows);
	free(s->sizes);
	free(s->notes);
	yb_scaling_init(s);
}

static int add_note(struct yb_scaling *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int add_note(struct yb_scaling *s, const char *fmt, ...)
{
	struct yb_scaling_note *n =
		realloc(s->notes, (s->nnotes + 1) * sizeof(*n));
	va_list ap;

	if (!n)
		return YB_ENOMEM;
	s->notes = n;
	va_start(ap, fmt);
	vsnprintf(n[s->nnotes].msg, sizeof(n[s->nnotes].msg), fmt, ap);
	va_end(ap);
	s->nnotes++;
	return 0;
}

/* ---- runs and sets ------------------------------------------------------ */

/* clock_realtime_offset_ns of the metadata; -1 when absent or not an
 * integer. */
static int meta_offset(const struct yb_meta *m, int64_t *off)
{
	const char *v = yb_meta_get(m, "clock_realtime_offset_ns");
	char *end;

	if (!v || !*v)
		return -1;
	errno = 0;
	long long x = strtoll(v, &end, 10);
	if (errno || *end)
		return -1;
	*off = x;
	return 0;
}

static void meta_copy(const struct yb_meta *m, const char *key, char *buf,
		      size_t len)
{
	const char *v = yb_meta_get(m, key);

	snprintf(buf, len, "%s", v ? v : "");
}

static int run_info(const struct yb_scaling_run *in,
		    struct yb_scaling_runinfo *ri, struct yb_err *err)
{
	const struct yb_results *r = in->r;
	struct window w = { 0 };

	memset(ri, 0, sizeof(*ri));
	ri->file = in->file;
	ri->set = in->set;
	if (r->n == 0)
		return yb_err_set(err, YB_EINVAL, "%s: no results in it",
				  in->file);
	ri->pairs = pairs_of(&r->p[0]);
	ri->has_trials = 1;
	for (size_t i = 0; i < r->n; i++) {
		const struct yb_point *p = &r->p[i];
		if (pairs_of(p) != ri->pairs)
			return yb_err_set(err, YB_EINVAL,
					  "%s mixes rows of %u and %u pairs: "
					  "merge takes runs of one --pairs",
					  in->file, ri->pairs, pairs_of(p));
		if (!p->trial || p->trials == 0)
			ri->has_trials = 0;
	}
	ri->has_offset = meta_offset(&r->meta, &ri->offset_ns) == 0;
	if (ri->has_offset && ri->has_trials) {
		for (size_t i = 0; i < r->n; i++)
			widen(&w, &r->p[i], ri->offset_ns);
		ri->start_ns = w.start;
		ri->end_ns = w.end;
	}
	meta_copy(&r->meta, "host", ri->host, sizeof(ri->host));
	meta_copy(&r->meta, "date", ri->date, sizeof(ri->date));
	meta_copy(&r->meta, "version", ri->version, sizeof(ri->version));
	return 0;
}

/* "a (12:00:01.200-12:00:03.900 UTC)" for a refusal. */
static void window_text(const struct yb_scaling_runinfo *a, int with_date,
			char *buf, size_t len)
{
	char s[48], e[48];

	clock_text(a->start_ns, with_date, s, sizeof(s));
	clock_text(a->end_ns, with_date, e, sizeof(e));
	snprintf(buf, len, "%s (%s-%s UTC)", a->file, s, e);
}

/* Every run of set k must have been measured at the same time as every
 * other one. */
static int check_set(struct yb_scaling *s, size_t k, struct yb_err *err)
{
	const struct yb_scaling_set *set = &s->sets[k];

	if (set->n < 2)
		return 0;
	for (size_t i = set->first; i < set->first + set->n; i++) {
		const struct yb_scaling_runinfo *ri = &s->runs[i];
		if (!ri->has_offset)
			return yb_err_set(
				err, YB_EINVAL,
				"%s has no wall-clock times (no "
				"clock_realtime_offset_ns: written by an older "
				"yasmin-bench) and cannot be merged with other "
				"runs in one set",
				ri->file);
		if (!ri->has_trials)
			return yb_err_set(
				err, YB_EINVAL,
				"%s has no wall-clock times (rows without "
				"trial_detail) and cannot be merged with other "
				"runs in one set",
				ri->file);
	}
	for (size_t i = set->first; i < set->first + set->n; i++)
		for (size_t j = i + 1; j < set->first + set->n; j++) {
			const struct yb_scaling_runinfo *a = &s->runs[i],
							*b = &s->runs[j];
			if (overlaps(a->start_ns, a->end_ns, b->start_ns,
				     b->end_ns))
				continue;
			int64_t day = day_of(a->start_ns);
			int d = day_of(a->end_ns) != day ||
				day_of(b->start_ns) != day ||
				day_of(b->end_ns) != day;
			char ta[640], tb[640];
			window_text(a, d, ta, sizeof(ta));
			window_text(b, d, tb, sizeof(tb));
			return yb_err_set(err, YB_EINVAL,
					  "%s and %s were not measured at the "
					  "same time (start the clients "
					  "together: client --start-at)",
					  ta, tb);
		}
	return 0;
}

/* The runs and sets of the input, refusals checked. */
static int build_sets(const struct yb_scaling_run *runs, size_t n,
		      struct yb_scaling *s, struct yb_err *err)
{
	int rc;

	if (n == 0)
		return yb_err_set(err, YB_EINVAL, "no runs to merge");
	s->runs = calloc(n, sizeof(*s->runs));
	s->sets = calloc(n, sizeof(*s->sets));
	if (!s->runs || !s->sets)
		return yb_err_set(err, YB_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		if (runs[i].set != (i ? runs[i - 1].set : 0) &&
		    runs[i].set != (i ? runs[i - 1].set + 1 : 0))
			return yb_err_set(err, YB_EINVAL,
					  "%s: the runs are not grouped by set",
					  runs[i].file);
		for (size_t j = 0; j < i; j++)
			if (runs[j].r == runs[i].r ||
			    strcmp(runs[j].file, runs[i].file) == 0)
				return yb_err_set(err, YB_EINVAL,
						  "%s is given twice: a run "
						  "belongs to one set, once",
						  runs[i].file);
		rc = run_info(&runs[i], &s->runs[i], err);
		if (rc)
			return rc;
		s->nruns++;
		struct yb_scaling_set *set = &s->sets[runs[i].set];
		if (runs[i].set == s->nsets) {
			set->first = i;
			s->nsets++;
		}
		set->n++;
		set->pairs += s->runs[i].pairs;
		size_t l = strlen(set->name);
		if (l + 1 < sizeof(set->name))
			snprintf(set->name + l, sizeof(set->name) - l, "%s%s",
				 l ? "," : "", runs[i].file);
	}
	for (size_t k = 0; k < s->nsets; k++) {
		rc = check_set(s, k, err);
		if (rc)
			return rc;
		for (size_t j = 0; j < k; j++)
			if (s->sets[j].pairs == s->sets[k].pairs)
				return yb_err_set(
					err, YB_EINVAL,
					"sets %s and %s both measured %u "
					"pair%s: give each number of pairs once",
					s->sets[j].name, s->sets[k].name,
					s->sets[k].pairs,
					s->sets[k].pairs == 1 ? "" : "s");
	}
	return 0;
}

/* ---- message sizes ------------------------------------------------------ */

static int by_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static int has_size(const uint64_t *v, size_t n, uint64_t b)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == b)
			return 1;
	return 0;
}

/* Did some run of set k measure message size b? */
static int set_has_size(const struct yb_scaling_run *runs,
			const struct yb_scaling_set *set, uint64_t b)
{
	for (size_t i = set->first; i < set->first + set->n; i++)
		for (size_t j = 0; j < runs[i].r->n; j++)
			if (runs[i].r->p[j].bytes == b)
				return 1;
	return 0;
}

/*
 * The sizes of the rows into s->sizes, ascending: want (checked: each
 * measured by some run), or those measured in every set, with a note
 * listing the ones left out.
 */
static int choose_sizes(const struct yb_scaling_run *runs, size_t n,
			const uint64_t *want, size_t nwant,
			struct yb_scaling *s, struct yb_err *err)
{
	uint64_t *all = NULL;
	size_t nall = 0, cap = 0;
	int rc = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < runs[i].r->n; j++) {
			uint64_t b = runs[i].r->p[j].bytes;
			if (has_size(all, nall, b))
				continue;
			if (nall == cap) {
				cap = cap ? 2 * cap : 64;
				uint64_t *na = realloc(all, cap * sizeof(*na));
				if (!na) {
					free(all);
					return yb_err_set(err, YB_ENOMEM,
							  "out of memory");
				}
				all = na;
			}
			all[nall++] = b;
		}
	qsort(all, nall, sizeof(*all), by_u64);
	s->sizes = calloc(nall + nwant + 1, sizeof(*s->sizes));
	if (!s->sizes) {
		free(all);
		return yb_err_set(err, YB_ENOMEM, "out of memory");
	}
	if (nwant) {
		for (size_t w = 0; w < nwant && !rc; w++) {
			char sz[32];
			if (has_size(all, nall, want[w])) {
				if (!has_size(s->sizes, s->nsizes, want[w]))
					s->sizes[s->nsizes++] = want[w];
				continue;
			}
			uint64_t below = 0, above = 0;
			for (size_t i = 0; i < nall; i++) {
				if (all[i] < want[w])
					below = all[i];
				else if (!above)
					above = all[i];
			}
			size_text(want[w], sz, sizeof(sz));
			char near[64] = "";
			if (below && above)
				snprintf(near, sizeof(near),
					 " (nearest: %llu and %llu)",
					 (unsigned long long)below,
					 (unsigned long long)above);
			else if (below || above)
				snprintf(near, sizeof(near), " (nearest: %llu)",
					 (unsigned long long)(below ? below :
								      above));
			rc = yb_err_set(err, YB_EUSAGE,
					"no run measured messages of %s%s", sz,
					near);
		}
		qsort(s->sizes, s->nsizes, sizeof(*s->sizes), by_u64);
		free(all);
		return rc;
	}
	char left[256] = "";
	size_t nleft = 0, ll = 0;
	for (size_t i = 0; i < nall; i++) {
		int everywhere = 1;
		for (size_t k = 0; k < s->nsets && everywhere; k++)
			everywhere = set_has_size(runs, &s->sets[k], all[i]);
		if (everywhere) {
			s->sizes[s->nsizes++] = all[i];
			continue;
		}
		char sz[32];
		size_text(all[i], sz, sizeof(sz));
		if (nleft++ < 8 && ll < sizeof(left))
			ll += (size_t)snprintf(left + ll, sizeof(left) - ll,
					       "%s%s", ll ? ", " : "", sz);
	}
	free(all);
	if (nleft)
		rc = add_note(s, "%zu message size%s not measured in every set "
				 "left out: %s%s (--sizes chooses)",
			      nleft, nleft == 1 ? "" : "s", left,
			      nleft > 8 ? ", ..." : "");
	return rc ? yb_err_set(err, rc, "out of memory") : 0;
}

/* ---- the rows ----------------------------------------------------------- */

/* The row of run ri that counts for key: its total with several pairs,
 * else its one row; NULL when it did not measure key. */
static const struct yb_point *contribution(const struct yb_results *r,
					   const struct yb_scaling_runinfo *ri,
					   const struct yb_point *key)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct yb_point *p = &r->p[i];
		if (same_row(p, key) && (ri->pairs == 1 || p->pair == 0))
			return p;
	}
	return NULL;
}

/* A growing list of per-pair latencies. */
struct lats {
	double *v;
	size_t n, cap;
};

static int lats_add(struct lats *l, double v)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		double *nv = realloc(l->v, cap * sizeof(*nv));
		if (!nv)
			return YB_ENOMEM;
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n++] = v;
	return 0;
}

/* The bandwidth of trial t of row p, as the row's own figures are made
 * (a ping-pong repetition moves the message both ways). */
static double trial_bw(const struct yb_point *p, const struct yb_trial *t)
{
	double ways = p->mode == YB_MODE_PINGPONG ? 2 : 1;

	return t->elapsed_ns ? 8.0 * ways * (double)p->bytes *
				       (double)t->reps / (double)t->elapsed_ns :
			       0.0;
}

/*
 * The median bandwidth of the trials of c that ran wholly inside [lo, hi]
 * on the wall clock (its run's offset off), with l as scratch; NAN when
 * none did.
 */
static double median_within(const struct yb_point *c, int64_t off,
			    int64_t lo, int64_t hi, struct lats *l)
{
	l->n = 0;
	for (unsigned t = 0; c->trial && t < c->trials; t++) {
		int64_t s = (int64_t)c->trial[t].start_ns + off;
		int64_t e = s + (int64_t)c->trial[t].elapsed_ns;
		if (s >= lo && e <= hi && lats_add(l, trial_bw(c, &c->trial[t])))
			return NAN;
	}
	return l->n ? yb_median_sort(l->v, l->n) : NAN;
}

/*
 * The row of key in set k, appended to s->rows (room made by the caller);
 * or a note when it is left out.  0 or YB_ENOMEM.
 */
static int merge_row(const struct yb_scaling_run *runs, struct yb_scaling *s,
		     size_t k, const struct yb_point *key, struct lats *l)
{
	const struct yb_scaling_set *set = &s->sets[k];
	const char *missing = NULL;
	size_t have = 0;
	double bw = 0;
	int64_t lo = 0, hi = 0, shortest = 0;
	char name[160];

	l->n = 0;
	for (size_t i = set->first; i < set->first + set->n; i++) {
		const struct yb_scaling_runinfo *ri = &s->runs[i];
		const struct yb_results *r = runs[i].r;
		const struct yb_point *c = contribution(r, ri, key);
		if (!c) {
			if (!missing)
				missing = ri->file;
			continue;
		}
		have++;
		bw += c->bw_median_gbps; /* NAN (an old file) stays NAN */
		struct window w = { 0 };
		for (size_t j = 0; j < r->n; j++) {
			const struct yb_point *p = &r->p[j];
			if (!same_row(p, key))
				continue;
			widen(&w, p, ri->offset_ns);
			if (p->mode == YB_MODE_PINGPONG &&
			    (ri->pairs == 1 || p->pair > 0) &&
			    !isnan(p->lat_p50_us) && lats_add(l, p->lat_p50_us))
				return YB_ENOMEM;
		}
		if (set->n > 1) {
			int64_t len = w.end - w.start;
			if (have == 1 || w.start > lo)
				lo = w.start;
			if (have == 1 || w.end < hi)
				hi = w.end;
			if (have == 1 || len < shortest)
				shortest = len;
		}
	}
	if (have == 0)
		return 0; /* not measured in this set at all */
	row_name(key, 1, name, sizeof(name));
	if (missing)
		return add_note(s, "%s: not measured by every run of set %s "
				   "(not by %s); left out of that set",
				name, set->name, missing);
	double overlap = 100;
	if (set->n > 1) {
		if (hi <= lo)
			return add_note(s, "%s in set %s: the runs' windows do "
					   "not overlap (not measured at the "
					   "same time); left out of that set",
					name, set->name);
		if (shortest > 0)
			overlap = fmin(100, 100.0 * (double)(hi - lo) /
						    (double)shortest);
		/* Only what ran while every run was measuring adds up: each
		 * run's median over its trials inside the common window. */
		struct lats scratch = { 0 };
		const char *none = NULL;
		bw = 0;
		for (size_t i = set->first; i < set->first + set->n; i++) {
			const struct yb_scaling_runinfo *ri = &s->runs[i];
			double m = median_within(contribution(runs[i].r, ri, key),
						 ri->offset_ns, lo, hi, &scratch);
			if (isnan(m) && !none)
				none = ri->file;
			bw += m;
		}
		free(scratch.v);
		if (none)
			return add_note(s, "%s in set %s: no trial of %s ran "
					   "while all the set's runs were "
					   "measuring; left out of that set",
					name, set->name, none);
	}
	struct yb_scaling_row *row = &s->rows[s->nrows++];
	memset(row, 0, sizeof(*row));
	curve_label(key, row->curve, sizeof(row->curve));
	row_name(key, 0, row->group, sizeof(row->group));
	row->key = *key;
	row->key.trial = NULL;
	row->key.hist = NULL;
	row->key.hist_n = 0;
	row->set = k;
	row->pairs = set->pairs;
	row->runs = set->n;
	row->bw_total_gbps = bw;
	row->bw_per_pair_gbps = bw / set->pairs;
	row->lat_p50_us = row->lat_p50_worst_us = NAN;
	if (key->mode == YB_MODE_PINGPONG && l->n) {
		row->lat_p50_us = yb_median_sort(l->v, l->n);
		row->lat_p50_worst_us = l->v[l->n - 1]; /* sorted */
	}
	row->overlap_pct = overlap;
	return 0;
}

static int by_row(const void *a, const void *b)
{
	const struct yb_scaling_row *x = a, *y = b;
	int c = strcmp(x->group, y->group);

	if (c)
		return c;
	if (x->key.bytes != y->key.bytes)
		return x->key.bytes < y->key.bytes ? -1 : 1;
	return (x->pairs > y->pairs) - (x->pairs < y->pairs);
}

int yb_scaling_merge(const struct yb_scaling_run *runs, size_t n,
		     const uint64_t *sizes, size_t nsizes,
		     struct yb_scaling *s, struct yb_err *err)
{
	const struct yb_point **keys = NULL;
	size_t nkeys = 0, total = 0;
	struct lats l = { 0 };
	int rc;

	yb_scaling_init(s);
	rc = build_sets(runs, n, s, err);
	if (!rc)
		rc = choose_sizes(runs, n, sizes, nsizes, s, err);
	if (rc)
		goto out;
	/* Every distinct row of the chosen sizes, in the order first seen. */
	for (size_t i = 0; i < n; i++)
		total += runs[i].r->n;
	keys = malloc(total * sizeof(*keys));
	if (!keys) {
		rc = yb_err_set(err, YB_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < runs[i].r->n; j++) {
			const struct yb_point *p = &runs[i].r->p[j];
			size_t q = 0;
			if (!has_size(s->sizes, s->nsizes, p->bytes))
				continue;
			while (q < nkeys && !same_row(keys[q], p))
				q++;
			if (q == nkeys)
				keys[nkeys++] = p;
		}
	s->rows = calloc(nkeys * s->nsets + 1, sizeof(*s->rows));
	if (!s->rows) {
		rc = yb_err_set(err, YB_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t q = 0; q < nkeys && !rc; q++)
		for (size_t k = 0; k < s->nsets && !rc; k++)
			if (merge_row(runs, s, k, keys[q], &l))
				rc = yb_err_set(err, YB_ENOMEM, "out of memory");
	if (!rc && s->nrows == 0)
		rc = yb_err_set(err, YB_EINVAL,
				"nothing to merge: no transport, mode and "
				"message size was measured at the same time by "
				"every run of a set%s%s%s",
				s->nnotes ? " (" : "",
				s->nnotes ? s->notes[0].msg : "",
				s->nnotes ? ")" : "");
	if (!rc)
		qsort(s->rows, s->nrows, sizeof(*s->rows), by_row);
out:
	free(keys);
	free(l.v);
	if (rc)
		yb_scaling_free(s);
	return rc;
}

/* ---- reading ------------------------------------------------------------ */

void yb_scaling_input_free(struct yb_scaling_input *in)
{
	for (size_t i = 0; i < in->n; i++) {
		yb_results_free(&in->res[i]);
		free(in->files[i]);
	}
	free(in->runs);
	free(in->res);
	free(in->files);
	memset(in, 0, sizeof(*in));
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

/*
 * The results.json an item names into path: the item itself, or its
 * results.json for a directory.  Errors say why it is not one.
 */
static int resolve(const char *item, char *path, size_t len,
		   struct yb_err *err)
{
	struct stat st;

	if (stat(item, &st) != 0)
		return yb_err_set(err, YB_EINVAL, "%s: %s", item,
				  strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		size_t l = strlen(item);
		while (l > 1 && item[l - 1] == '/')
			l--;
		if ((size_t)snprintf(path, len, "%.*s/results.json", (int)l,
				     item) >= len)
			return yb_err_set(err, YB_EINVAL, "%s: path too long",
					  item);
		if (access(path, F_OK) == 0)
			return 0;
		char csv[PATH_MAX + 32];
		snprintf(csv, sizeof(csv), "%.*s/results.csv", (int)l, item);
		if (access(csv, F_OK) == 0)
			return yb_err_set(err, YB_EINVAL,
					  "%s has results.csv but no "
					  "results.json: merge needs the JSON "
					  "(a CSV has no trial times)",
					  item);
		return yb_err_set(err, YB_EINVAL,
				  "%s: no results.json in it (merge needs the "
				  "results.json of a run)",
				  item);
	}
	if (ends_with(item, ".csv"))
		return yb_err_set(err, YB_EINVAL,
				  "%s: merge needs results.json, not the CSV (a "
				  "CSV has no trial times)",
				  item);
	if ((size_t)snprintf(path, len, "%s", item) >= len)
		return yb_err_set(err, YB_EINVAL, "%s: path too long", item);
	return 0;
}

/* Read one results.json; a file that is not JSON is named as such. */
static int read_one(const char *path, struct yb_results *r, dev_t *dev,
		    ino_t *ino, struct yb_err *err)
{
	struct stat st;
	int json;
	int rc = yb_results_sniff(path, &st, &json, err);

	if (rc)
		return rc;
	*dev = st.st_dev;
	*ino = st.st_ino;
	if (!json)
		return yb_err_set(err, YB_EINVAL,
				  "%s: not a results.json (merge needs the "
				  "JSON; a CSV has no trial times)",
				  path);
	return yb_json_read(path, r, err);
}

int yb_scaling_load(const char *const *sets, size_t nsets,
		    struct yb_scaling_input *in, struct yb_err *err)
{
	size_t cap = 0;
	dev_t *devs = NULL;
	ino_t *inos = NULL;
	int rc = 0;

	memset(in, 0, sizeof(*in));
	for (size_t k = 0; k < nsets; k++)
		cap += 1 + strlen(sets[k]) / 2; /* items at most */
	in->runs = calloc(cap + 1, sizeof(*in->runs));
	in->res = calloc(cap + 1, sizeof(*in->res));
	in->files = calloc(cap + 1, sizeof(*in->files));
	devs = calloc(cap + 1, sizeof(*devs));
	inos = calloc(cap + 1, sizeof(*inos));
	if (!in->runs || !in->res || !in->files || !devs || !inos) {
		rc = yb_err_set(err, YB_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < nsets && !rc; k++) {
		const char *s = sets[k];
		for (;;) {
			size_t len = strcspn(s, ",");
			char item[PATH_MAX], path[PATH_MAX + 32];
			if (len == 0 || len >= sizeof(item)) {
				rc = yb_err_set(err, YB_EUSAGE,
						"bad set '%s': expected result "
						"directories or results.json "
						"files joined by commas",
						sets[k]);
				break;
			}
			memcpy(item, s, len);
			item[len] = '\0';
			rc = resolve(item, path, sizeof(path), err);
			if (rc)
				break;
			size_t i = in->n;
			yb_results_init(&in->res[i]);
			in->files[i] = strdup(path);
			in->n++;
			if (!in->files[i]) {
				rc = yb_err_set(err, YB_ENOMEM, "out of memory");
				break;
			}
			rc = read_one(path, &in->res[i], &devs[i], &inos[i],
				      err);
			if (rc)
				break;
			for (size_t j = 0; j < i && !rc; j++)
				if (devs[j] == devs[i] && inos[j] == inos[i])
					rc = yb_err_set(err, YB_EINVAL,
							"%s and %s are the same "
							"file: a run belongs to "
							"one set, once",
							in->files[j], path);
			if (rc)
				break;
			in->runs[i] = (struct yb_scaling_run){
				in->files[i], &in->res[i], k
			};
			if (!s[len])
				break;
			s += len + 1;
		}
	}
out:
	free(devs);
	free(inos);
	if (rc)
		yb_scaling_input_free(in);
	return rc;
}

/* ---- writing ------------------------------------------------------------ */

static const char *const out_files[] = { YB_SCALING_CSV, YB_SCALING_JSON };

int yb_scaling_check_out(const char *dir, int force, struct yb_err *err)
{
	char path[PATH_MAX + 32];

	for (size_t i = 0; !force && i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, out_files[i]);
		if (access(path, F_OK) == 0)
			return yb_err_set(err, YB_EOUTPUT,
					  "%s already exists; use --force to "
					  "overwrite it or --out to choose "
					  "another directory",
					  path);
	}
	return 0;
}

/* ",value" with prec decimals (three significant digits when that would
 * read as zero), or "," for an absent figure. */
static void put_fig(FILE *fp, double v, int prec)
{
	if (isnan(v))
		fputc(',', fp);
	else if (v != 0 && fabs(v) < 0.5 * pow(10, -prec))
		fprintf(fp, ",%.3g", v);
	else
		fprintf(fp, ",%.*f", prec, v);
}

int yb_scaling_write_csv(FILE *fp, const struct yb_scaling *s,
			 struct yb_err *err)
{
	fputs(YB_SCALING_CSV_COLUMNS "\n", fp);
	for (size_t i = 0; i < s->nrows; i++) {
		const struct yb_scaling_row *r = &s->rows[i];
		fprintf(fp, "%s,%s,%llu,%u,%zu", r->curve,
			yb_mode_name(r->key.mode),
			(unsigned long long)r->key.bytes, r->pairs, r->runs);
		put_fig(fp, r->bw_total_gbps, 6);
		put_fig(fp, r->bw_per_pair_gbps, 6);
		put_fig(fp, r->lat_p50_us, 4);
		put_fig(fp, r->lat_p50_worst_us, 4);
		put_fig(fp, r->overlap_pct, 1);
		fputc('\n', fp);
	}
	return ferror(fp) ? yb_err_set(err, YB_EIO, "cannot write the table") :
			    0;
}

/* A figure, or null when it is absent (JSON has no NaN). */
static json_t *num(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

static json_t *to_json(const struct yb_scaling *s)
{
	json_t *root = json_object(), *sets = json_array(), *rows = json_array();
	char date[32], t[48];
	time_t now = time(NULL);
	struct tm tm;
	int bad = !root || !sets || !rows;

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	for (size_t k = 0; !bad && k < s->nsets; k++) {
		const struct yb_scaling_set *set = &s->sets[k];
		json_t *rl = json_array();
		bad |= !rl;
		for (size_t i = set->first; !bad && i < set->first + set->n;
		     i++) {
			const struct yb_scaling_runinfo *ri = &s->runs[i];
			int w = ri->has_offset && ri->has_trials;
			json_t *o = json_pack("{s:s, s:i, s:s}", "file",
					      ri->file, "pairs", (int)ri->pairs,
					      "host", ri->host);
			bad |= !o;
			if (o && w) {
				iso_text(ri->start_ns, t, sizeof(t));
				bad |= json_object_set_new(o, "start",
							   json_string(t));
				iso_text(ri->end_ns, t, sizeof(t));
				bad |= json_object_set_new(o, "end",
							   json_string(t));
				bad |= json_object_set_new(
					o, "window_s",
					json_real((double)(ri->end_ns -
							   ri->start_ns) /
						  1e9));
			} else if (o) {
				bad |= json_object_set_new(o, "start",
							   json_null());
				bad |= json_object_set_new(o, "end",
							   json_null());
				bad |= json_object_set_new(o, "window_s",
							   json_null());
			}
			bad |= json_array_append_new(rl, o);
		}
		bad |= json_array_append_new(
			sets, json_pack("{s:i, s:o}", "pairs", (int)set->pairs,
					"runs", rl));
	}
	for (size_t i = 0; !bad && i < s->nrows; i++) {
		const struct yb_scaling_row *r = &s->rows[i];
		bad |= json_array_append_new(
			rows,
			json_pack("{s:s, s:s, s:I, s:i, s:i, s:o, s:o, s:o, "
				  "s:o, s:o}",
				  "transport", r->curve, "mode",
				  yb_mode_name(r->key.mode), "bytes",
				  (json_int_t)r->key.bytes, "pairs",
				  (int)r->pairs, "runs", (int)r->runs,
				  "bw_total_gbps", num(r->bw_total_gbps),
				  "bw_per_pair_gbps", num(r->bw_per_pair_gbps),
				  "lat_p50_us", num(r->lat_p50_us),
				  "lat_p50_worst_us", num(r->lat_p50_worst_us),
				  "overlap_pct", num(r->overlap_pct)));
	}
	if (!bad) {
		bad |= json_object_set_new(root, "format",
					   json_string(JSON_FORMAT_NAME));
		bad |= json_object_set_new(root, "format_version",
					   json_integer(JSON_FORMAT_VERSION));
		bad |= json_object_set_new(
			root, "meta",
			json_pack("{s:s, s:s, s:s, s:s}", "program",
				  "yasmin-bench", "version", YB_VERSION, "date",
				  date, "command", "merge"));
		bad |= json_object_set_new(root, "sets", sets);
		bad |= json_object_set_new(root, "rows", rows);
		sets = rows = NULL;
	}
	json_decref(sets);
	json_decref(rows);
	if (bad) {
		json_decref(root);
		return NULL;
	}
	return root;
}

/* Write one file through a temporary one: csv, or the JSON of root. */
static int write_file(const char *dir, const char *name,
		      const struct yb_scaling *s, json_t *root,
		      struct yb_err *err)
{
	char path[PATH_MAX + 32], tmp[PATH_MAX + 48];
	struct yb_err e = { 0 };
	int rc = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *fp = fopen(tmp, "w");
	if (!fp)
		return yb_err_set(err, YB_EOUTPUT, "cannot write %s: %s", tmp,
				  strerror(errno));
	if (root)
		rc = json_dumpf(root, fp,
				JSON_INDENT(2) | JSON_REAL_PRECISION(10)) ||
		     fputc('\n', fp) == EOF;
	else
		rc = yb_scaling_write_csv(fp, s, &e);
	int e2 = ferror(fp) ? EIO : 0;
	if (fclose(fp) != 0 && !e2)
		e2 = errno;
	if (rc || e2 || rename(tmp, path) != 0) {
		int e3 = e2 ? e2 : errno ? errno : EIO;
		unlink(tmp);
		return yb_err_set(err, YB_EOUTPUT, "cannot write %s: %s", path,
				  strerror(e3));
	}
	return 0;
}

int yb_scaling_write(const struct yb_scaling *s, const char *dir,
		     struct yb_err *err)
{
	int rc = yb_mkdir_p(dir, err);

	if (rc)
		return rc;
	json_t *root = to_json(s);
	if (!root)
		return yb_err_set(err, YB_ENOMEM, "out of memory");
	rc = write_file(dir, YB_SCALING_CSV, s, NULL, err);
	if (!rc)
		rc = write_file(dir, YB_SCALING_JSON, s, root, err);
	json_decref(root);
	return rc;
}
