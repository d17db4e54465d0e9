/* plot.c - drawing results with gnuplot; see plot.h. */
#include "core/report/plot.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/report/compare.h"
#include "core/report/scaling.h"
#include "core/base/mode.h"
#include "core/base/units.h"
#include "yb_plots.h"

/* A graph drawn from the CDF writer rather than a series. */
#define CDF (-1)

static const struct {
	const char *name;   /* output file name without extension */
	const char *script; /* from plots/NAME.gp */
	int series;         /* enum yb_plot_series, or CDF */
} graphs[] = {
	{ "latency", yb_plot_latency, YB_SERIES_LATENCY },
	{ "bandwidth", yb_plot_bandwidth, YB_SERIES_BANDWIDTH },
	{ "latency_tail", yb_plot_tail, YB_SERIES_LATENCY },
	{ "cpu", yb_plot_cpu, YB_SERIES_CPU },
	{ "latency_cdf", yb_plot_latency_cdf, CDF },
};
#define NGRAPHS (sizeof(graphs) / sizeof(graphs[0]))

static const char *const exts[] = { "png", "svg" };

/* ---- reading -------------------------------------------------------------- */

int yb_results_sniff(const char *path, struct stat *st, int *json,
		     struct yb_err *err)
{
	FILE *fp = fopen(path, "r");
	int c;

	if (!fp) /* a file the user named: bad input, not a run failure */
		return yb_err_set(err, YB_EINVAL, "%s: %s", path,
				  strerror(errno));
	if (fstat(fileno(fp), st) != 0) {
		int e = errno;
		fclose(fp);
		return yb_err_set(err, YB_EINVAL, "%s: %s", path, strerror(e));
	}
	if (st->st_size > YB_RESULTS_MAX_FILE) {
		fclose(fp);
		return yb_err_set(err, YB_EINVAL,
				  "%s: %lld bytes; results files larger than "
				  "%d MiB are not read",
				  path, (long long)st->st_size,
				  YB_RESULTS_MAX_FILE >> 20);
	}
	do
		c = fgetc(fp);
	while (c == ' ' || c == '\t' || c == '\n' || c == '\r');
	fclose(fp);
	*json = c == '{';
	return 0;
}

int yb_plot_read(const char *path, struct yb_results *r, struct yb_err *err)
{
	struct yb_err jerr = { 0 };
	struct stat st;
	int is_json;
	int rc = yb_results_sniff(path, &st, &is_json, err);

	if (rc)
		return rc;
	if (is_json)
		return yb_json_read(path, r, err);
	rc = yb_csv_read(path, r, err);
	if (rc)
		return rc;
	/* Metadata from a results.json beside a CSV, when there is one. */
	char json[4096];
	const char *slash = strrchr(path, '/');
	int dl = slash ? (int)(slash - path + 1) : 0;
	snprintf(json, sizeof(json), "%.*sresults.json", dl, path);
	struct yb_results j;
	yb_results_init(&j);
	if (access(json, R_OK) == 0 && yb_json_read(json, &j, &jerr) == 0) {
		yb_meta_free(&r->meta);
		r->meta = j.meta;
		yb_meta_init(&j.meta);
	}
	yb_results_free(&j);
	return 0;
}

/* ---- gnuplot ---------------------------------------------------------------- */

int yb_plot_available(struct yb_err *err)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (!path || !*path)
		path = "/usr/bin:/bin";
	while (*path) {
		const char *end = strchr(path, ':');
		size_t n = end ? (size_t)(end - path) : strlen(path);
		snprintf(buf, sizeof(buf), "%.*s/gnuplot", (int)n, n ? path : ".");
		if (access(buf, X_OK) == 0)
			return 0;
		path += n + (end ? 1 : 0);
	}
	return yb_err_set(err, YB_ENOTSUP,
			  "gnuplot not found: install gnuplot-nox to draw "
			  "graphs (scripts/deps.sh does)");
}

/* Run gnuplot on a script; its first error line becomes ours. */
static int run_gnuplot(const char *script, const char *errfile,
		       struct yb_err *err)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return yb_err_fork(err, errno, "fork");
	if (pid == 0) {
		int fd = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0) {
			dup2(fd, STDERR_FILENO);
			dup2(fd, STDOUT_FILENO);
			close(fd);
		}
		execlp("gnuplot", "gnuplot", script, (char *)NULL);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return yb_err_sys(err, errno, "waitpid");
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		return yb_plot_available(err) ? err->code :
						yb_err_set(err, YB_ENOTSUP,
							   "cannot run gnuplot");
	char line[256] = "";
	FILE *fp = fopen(errfile, "r");
	while (fp && fgets(line, sizeof(line), fp))
		if (strstr(line, "rror") || strstr(line, "arning"))
			break;
	if (fp)
		fclose(fp);
	line[strcspn(line, "\n")] = '\0';
	return yb_err_set(err, YB_EIO, "gnuplot failed: %s",
			  *line ? line : "no message");
}

/* A string for a gnuplot single-quoted literal: no quotes, no controls. */
static void gp_string(char *dst, size_t len, const char *src)
{
	size_t o = 0;

	for (; *src && o + 1 < len; src++)
		dst[o++] = (*src == '\'' || (unsigned char)*src < 0x20) ?
				   ' ' :
				   *src;
	dst[o] = '\0';
}

/* ---- curves ------------------------------------------------------------------ */

struct curve {
	char title[128];
	size_t set;                /* which result set */
	const struct yb_point *pt; /* its first row: identifies the curve */
};

struct curves {
	size_t n;
	struct curve c[YB_PLOT_MAX_CURVES];
};

/* The curve of set s that p belongs to, or -1. */
static int curve_of(const struct curves *cv, size_t s, const struct yb_point *p)
{
	for (size_t k = 0; k < cv->n; k++)
		if (cv->c[k].set == s && yb_point_same_curve(cv->c[k].pt, p))
			return (int)k;
	return -1;
}

/*
 * Every curve of the input, whatever its mode, in the order first seen:
 * its index is its line type in every graph, so that a transport keeps
 * its colour from one graph to the next even where another curve has no
 * rows (a pairs total has no latency).  Curves past YB_PLOT_MAX_CURVES
 * are not drawn.
 */
static void find_curves(const struct yb_results *sets,
			const char *const *labels, size_t n, struct curves *cv)
{
	cv->n = 0;
	for (size_t s = 0; s < n; s++)
		for (size_t i = 0; i < sets[s].n; i++) {
			const struct yb_point *p = &sets[s].p[i];
			if (cv->n == YB_PLOT_MAX_CURVES || curve_of(cv, s, p) >= 0)
				continue;
			struct curve *c = &cv->c[cv->n++];
			char label[80], title[128];
			yb_point_label(p, label, sizeof(label));
			if (n > 1)
				snprintf(title, sizeof(title), "%s: %s",
					 labels[s], label);
			else
				snprintf(title, sizeof(title), "%s", label);
			c->set = s;
			c->pt = p;
			/* The title goes into the data file between double
			 * quotes, and into the script between single ones. */
			gp_string(c->title, sizeof(c->title), title);
			for (char *t = c->title; *t; t++)
				if (*t == '"')
					*t = ' ';
		}
}

/* Which mode the bandwidth graph draws from a set: stream, if it has any. */
static unsigned bandwidth_mode(const struct yb_results *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->p[i].mode == YB_MODE_STREAM)
			return YB_MODE_STREAM;
	return YB_MODE_PINGPONG;
}

/* Does a graph of this kind draw row p (mode: the mode it draws)? */
static int series_row(const struct yb_point *p, enum yb_plot_series what,
		      unsigned mode)
{
	if (p->mode != mode)
		return 0;
	switch (what) {
	case YB_SERIES_LATENCY:
		return p->lat_p50_us > 0; /* false for NAN */
	case YB_SERIES_BANDWIDTH:
		return p->bw_gbps > 0;
	case YB_SERIES_CPU:
		return !isnan(p->cpu_client_pct) || !isnan(p->cpu_server_pct);
	}
	return 0;
}

static int by_bytes(const void *a, const void *b)
{
	const struct yb_point *x = *(const struct yb_point *const *)a;
	const struct yb_point *y = *(const struct yb_point *const *)b;

	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? -1 : 1;
	/* Rows of one set sit in one array: keep the file's order. */
	return x < y ? -1 : x > y;
}

/* " value", or " NaN" for an absent figure (and for one not above 0 on a
 * logarithmic axis). */
static void put_num(FILE *fp, double v, int logaxis)
{
	if (isnan(v) || (logaxis && !(v > 0)))
		fputs(" NaN", fp);
	else
		fprintf(fp, " %.6g", v);
}

static void block_start(FILE *fp, struct yb_plot_blocks *b, const char *title,
			int lt, int dt)
{
	fprintf(fp, "%s\"%s\"\n", b->n ? "\n\n" : "", title);
	b->lt[b->n] = lt;
	b->dt[b->n] = dt;
	b->n++;
}

/* The rows of curve k that a graph draws, as a block; nothing if none. */
static int series_block(FILE *fp, const struct yb_results *sets,
			const struct curves *cv, size_t k,
			enum yb_plot_series what, unsigned mode,
			struct yb_plot_blocks *b, struct yb_err *err)
{
	const struct curve *c = &cv->c[k];
	const struct yb_results *r = &sets[c->set];
	const struct yb_point **rows;
	size_t nr = 0;

	if (b->n == YB_PLOT_MAX_BLOCKS)
		return 0;
	rows = malloc((r->n ? r->n : 1) * sizeof(*rows));
	if (!rows)
		return yb_err_set(err, YB_ENOMEM, "out of memory");
	for (size_t i = 0; i < r->n; i++)
		if (series_row(&r->p[i], what, mode) &&
		    yb_point_same_curve(&r->p[i], c->pt))
			rows[nr++] = &r->p[i];
	if (nr) {
		qsort(rows, nr, sizeof(*rows), by_bytes);
		block_start(fp, b, c->title, (int)k + 1, 1);
		b->modes |= 1u << mode;
		for (size_t i = 0; i < nr; i++) {
			const struct yb_point *p = rows[i];
			if (i && p->bytes == rows[i - 1]->bytes)
				continue;
			fprintf(fp, "%llu", (unsigned long long)p->bytes);
			put_num(fp, p->lat_p50_us, 1);
			put_num(fp, p->bw_gbps, 1);
			put_num(fp, p->lat_p99_us, 1);
			put_num(fp, p->lat_p999_us, 1);
			put_num(fp, p->cpu_client_pct, 0);
			put_num(fp, p->cpu_server_pct, 0);
			fputc('\n', fp);
		}
	}
	free(rows);
	return 0;
}

int yb_plot_write_series(FILE *fp, const struct yb_results *sets,
			 const char *const *labels, size_t n,
			 enum yb_plot_series what, struct yb_plot_blocks *b,
			 struct yb_err *err)
{
	struct curves *cv = malloc(sizeof(*cv));
	int rc = 0;

	memset(b, 0, sizeof(*b));
	if (!cv)
		return yb_err_set(err, YB_ENOMEM, "out of memory");
	find_curves(sets, labels, n, cv);
	/* The CPU graph draws ping-pong and stream apart (one panel each):
	 * all ping-pong blocks first. */
	for (int pass = 0; pass < (what == YB_SERIES_CPU ? 2 : 1); pass++) {
		for (size_t k = 0; k < cv->n && !rc; k++) {
			unsigned mode = YB_MODE_PINGPONG;
			if (what == YB_SERIES_BANDWIDTH)
				mode = bandwidth_mode(&sets[cv->c[k].set]);
			else if (pass == 1)
				mode = YB_MODE_STREAM;
			rc = series_block(fp, sets, cv, k, what, mode, b, err);
		}
		if (what == YB_SERIES_CPU && pass == 0)
			b->n_pingpong = b->n;
	}
	free(cv);
	if (!rc && ferror(fp))
		rc = yb_err_set(err, YB_EIO, "cannot write the data of a graph");
	return rc;
}

/* ---- latency CDF ------------------------------------------------------------- */

static int has_hist(const struct yb_point *p)
{
	return p->mode == YB_MODE_PINGPONG && p->hist && p->hist_n > 0;
}

/* "1 B", "3069 B", "64 KiB", "1 MiB": a message size in a key, exact
 * (NetPIPE's perturbed sizes are not rounded to their neighbours). */
static void size_label(uint64_t bytes, char *buf, size_t len)
{
	char s[32];

	if (bytes < 1024 || bytes % 1024) {
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
		return;
	}
	yb_format_size(bytes, s, sizeof(s));
	size_t l = strlen(s);
	snprintf(buf, len, "%.*s %ciB", (int)(l - 1), s, s[l - 1]);
}

int yb_plot_cdf_sizes(const struct yb_results *sets, size_t n,
		      const uint64_t *want, size_t nwant, uint64_t *sizes,
		      size_t *nsizes, struct yb_err *err)
{
	int any_hist = 0;

	*nsizes = 0;
	for (size_t s = 0; s < n; s++)
		for (size_t i = 0; i < sets[s].n; i++)
			any_hist |= has_hist(&sets[s].p[i]);
	if (nwant > YB_PLOT_MAX_CDF_SIZES)
		return yb_err_set(err, YB_EUSAGE, "at most %d sizes",
				  YB_PLOT_MAX_CDF_SIZES);
	for (size_t w = 0; w < nwant; w++) {
		/* Rows that could draw it: ping-pong, with a histogram
		 * when there are any (a CSV overlaid on a JSON has none). */
		uint64_t below = 0, above = 0;
		int found = 0;
		for (size_t s = 0; s < n; s++)
			for (size_t i = 0; i < sets[s].n; i++) {
				const struct yb_point *p = &sets[s].p[i];
				if (p->mode != YB_MODE_PINGPONG ||
				    (any_hist && !has_hist(p)))
					continue;
				if (p->bytes == want[w])
					found = 1;
				else if (p->bytes < want[w] && p->bytes > below)
					below = p->bytes;
				else if (p->bytes > want[w] &&
					 (!above || p->bytes < above))
					above = p->bytes;
			}
		if (found)
			continue;
		const char *what = any_hist ? " with a round-trip histogram" :
					      "";
		char name[64];
		if (want[w] < 1024 || want[w] % 1024) {
			snprintf(name, sizeof(name), "%llu byte%s",
				 (unsigned long long)want[w],
				 want[w] == 1 ? "" : "s");
		} else { /* as it was likely typed, and exactly */
			char sz[32];
			yb_format_size(want[w], sz, sizeof(sz));
			snprintf(name, sizeof(name), "%s (%llu bytes)", sz,
				 (unsigned long long)want[w]);
		}
		if (!below && !above)
			return yb_err_set(err, YB_EUSAGE,
					  "no ping-pong results of %s: the "
					  "input has no ping-pong results",
					  name);
		char near[64];
		if (below && above)
			snprintf(near, sizeof(near), "%llu and %llu",
				 (unsigned long long)below,
				 (unsigned long long)above);
		else
			snprintf(near, sizeof(near), "%llu",
				 (unsigned long long)(below ? below : above));
		return yb_err_set(err, YB_EUSAGE,
				  "no ping-pong results of %s%s (nearest: %s)",
				  name, what, near);
	}
	if (!any_hist)
		return 0;
	if (nwant) {
		memcpy(sizes, want, nwant * sizeof(*want));
		*nsizes = nwant;
		return 0;
	}
	/*
	 * By default the smallest size (the latency floor) and 64K, where
	 * copying starts to dominate; a sweep that stops short of 64K gives
	 * its largest size instead.
	 */
	uint64_t small = 0, large = 0;
	for (size_t s = 0; s < n; s++)
		for (size_t i = 0; i < sets[s].n; i++) {
			const struct yb_point *p = &sets[s].p[i];
			if (!has_hist(p))
				continue;
			if (!small || p->bytes < small)
				small = p->bytes;
			if (p->bytes <= 65536 && p->bytes > large)
				large = p->bytes;
		}
	sizes[(*nsizes)++] = small;
	if (large > small)
		sizes[(*nsizes)++] = large;
	return 0;
}

static int by_low(const void *a, const void *b)
{
	const struct yb_hbin *x = a, *y = b;

	if (x->low != y->low)
		return x->low < y->low ? -1 : 1;
	return (x->high > y->high) - (x->high < y->high);
}

/* One row's CDF as a block (see yb_plot_write_cdf). */
static int cdf_block(FILE *fp, const struct yb_point *p, const char *curve,
		     int lt, int dt, struct yb_plot_blocks *b,
		     struct yb_err *err)
{
	struct yb_hbin *h = malloc(p->hist_n * sizeof(*h));
	uint64_t total = 0, cum = 0;
	char title[160], sz[32];

	if (!h)
		return yb_err_set(err, YB_ENOMEM, "out of memory");
	/* results.json lists the buckets in order; a file put together
	 * by other means need not. */
	memcpy(h, p->hist, p->hist_n * sizeof(*h));
	qsort(h, p->hist_n, sizeof(*h), by_low);
	for (size_t i = 0; i < p->hist_n; i++) {
		if (i && h[i].low <= h[i - 1].high) {
			free(h);
			return yb_err_set(err, YB_EINVAL,
					  "%s: the round-trip histogram at %llu "
					  "bytes has overlapping buckets",
					  curve, (unsigned long long)p->bytes);
		}
		total += h[i].count;
	}
	if (total > 0) {
		size_label(p->bytes, sz, sizeof(sz));
		snprintf(title, sizeof(title), "%s, %s", curve, sz);
		block_start(fp, b, title, lt, dt);
		b->modes |= 1u << YB_MODE_PINGPONG;
		for (size_t i = 0; i < p->hist_n; i++) {
			if (!h[i].count)
				continue;
			fprintf(fp, "%.9g %.12g\n", (double)h[i].low / 2000,
				(double)cum / (double)total);
			cum += h[i].count;
			fprintf(fp, "%.9g %.12g\n", (double)h[i].high / 2000,
				(double)cum / (double)total);
		}
	}
	free(h);
	return 0;
}

int yb_plot_write_cdf(FILE *fp, const struct yb_results *sets,
		      const char *const *labels, size_t n,
		      const uint64_t *sizes, size_t nsizes,
		      struct yb_plot_blocks *b, struct yb_err *err)
{
	struct curves *cv = malloc(sizeof(*cv));
	int rc = 0;

	memset(b, 0, sizeof(*b));
	if (!cv)
		return yb_err_set(err, YB_ENOMEM, "out of memory");
	find_curves(sets, labels, n, cv);
	for (size_t k = 0; k < cv->n && !rc; k++) {
		const struct yb_results *r = &sets[cv->c[k].set];
		for (size_t j = 0; j < nsizes && !rc; j++) {
			const struct yb_point *p = NULL;
			for (size_t i = 0; i < r->n && !p; i++)
				if (has_hist(&r->p[i]) &&
				    r->p[i].bytes == sizes[j] &&
				    yb_point_same_curve(&r->p[i], cv->c[k].pt))
					p = &r->p[i];
			if (p && b->n < YB_PLOT_MAX_BLOCKS)
				rc = cdf_block(fp, p, cv->c[k].title,
					       (int)k + 1, (int)j + 1, b, err);
		}
	}
	free(cv);
	if (!rc && ferror(fp))
		rc = yb_err_set(err, YB_EIO, "cannot write the data of a graph");
	return rc;
}

/* ---- drawing ----------------------------------------------------------------- */

static void title_of(const struct yb_results *sets, const char *const *labels,
		     size_t n, char *buf, size_t len)
{
	const struct yb_meta *m = &sets[0].meta;
	const char *host = yb_meta_get(m, "host");
	const char *date = yb_meta_get(m, "date");
	const char *ver = yb_meta_get(m, "version");
	char raw[512];

	if (host || date || ver)
		snprintf(raw, sizeof(raw), "yasmin-bench %s - %s - %s%s",
			 ver ? ver : "?", host ? host : "?", date ? date : "?",
			 n > 1 ? " (and others)" : "");
	else
		snprintf(raw, sizeof(raw), "yasmin-bench: %s%s", labels[0],
			 n > 1 ? " and others" : "");
	gp_string(buf, len, raw);
}

/* An existing file of one of the n graphs names[] in these formats is an
 * error, unless o->force. */
static int check_names(const struct yb_plot_opts *o,
		       const char *const *names, size_t n, struct yb_err *err)
{
	char path[4096];

	if (o->force)
		return 0;
	for (size_t g = 0; g < n; g++)
		for (size_t e = 0; e < 2; e++) {
			if (!(o->formats & (1u << e)))
				continue;
			snprintf(path, sizeof(path), "%s/%s.%s", o->out_dir,
				 names[g], exts[e]);
			if (access(path, F_OK) == 0)
				return yb_err_set(err, YB_EOUTPUT,
						  "%s already exists; use --force "
						  "to overwrite it or --out to "
						  "choose another directory",
						  path);
		}
	return 0;
}

/* "graphs:" and the files of the n graphs names[] that are in dir. */
static void print_names(FILE *fp, const char *dir, unsigned formats,
			const char *const *names, size_t n)
{
	char path[4096];
	int any = 0;

	fputs("graphs:", fp);
	for (size_t g = 0; g < n; g++)
		for (size_t e = 0; e < 2; e++) {
			if (!(formats & (1u << e)))
				continue;
			snprintf(path, sizeof(path), "%s/%s.%s", dir, names[g],
				 exts[e]);
			if (access(path, F_OK) == 0) {
				fprintf(fp, " %s", path);
				any = 1;
			}
		}
	fputs(any ? "\n" : " none\n", fp);
}

static void graph_names(const char **names)
{
	for (size_t g = 0; g < NGRAPHS; g++)
		names[g] = graphs[g].name;
}

int yb_plot_check_out(const struct yb_plot_opts *o, struct yb_err *err)
{
	const char *names[NGRAPHS];

	graph_names(names);
	return check_names(o, names, NGRAPHS, err);
}

void yb_plot_print_graphs(FILE *fp, const char *dir, unsigned formats)
{
	const char *names[NGRAPHS];

	graph_names(names);
	print_names(fp, dir, formats, names, NGRAPHS);
}

static int write_text(const char *path, const char *text, struct yb_err *err)
{
	FILE *fp = fopen(path, "w");

	if (!fp || fputs(text, fp) < 0) {
		int e = errno;
		if (fp)
			fclose(fp);
		return yb_err_sys(err, e, "cannot write %s", path);
	}
	return fclose(fp) ? yb_err_sys(err, errno, "cannot write %s", path) :
			    0;
}

/* The data file of graph g; its blocks in *b. */
static int write_graph_data(size_t g, const char *path,
			    const struct yb_results *sets,
			    const char *const *labels, size_t n,
			    const uint64_t *cdf, size_t ncdf,
			    struct yb_plot_blocks *b, struct yb_err *err)
{
	FILE *fp = fopen(path, "w");
	int rc;

	if (!fp)
		return yb_err_sys(err, errno, "cannot write %s", path);
	if (graphs[g].series == CDF)
		rc = yb_plot_write_cdf(fp, sets, labels, n, cdf, ncdf, b, err);
	else
		rc = yb_plot_write_series(fp, sets, labels, n,
					  (enum yb_plot_series)graphs[g].series,
					  b, err);
	if (fclose(fp) != 0 && !rc)
		rc = yb_err_sys(err, errno, "cannot write %s", path);
	return rc;
}

/*
 * The variables a script from plots/ expects, then extra (more variable
 * settings, one per line, or ""), then the script text itself.
 */
static int write_script(const char *path, const char *text, size_t e,
			const char *dir, const char *data, const char *out,
			const char *title, const struct yb_plot_blocks *b,
			const char *extra, struct yb_err *err)
{
	char lts[4 * YB_PLOT_MAX_BLOCKS + 1] = "",
	     dts[4 * YB_PLOT_MAX_BLOCKS + 1] = "";
	size_t ol = 0, od = 0;
	FILE *fp;

	for (int i = 0; i < b->n; i++) {
		ol += (size_t)snprintf(lts + ol, sizeof(lts) - ol, "%s%d",
				       i ? " " : "", b->lt[i]);
		od += (size_t)snprintf(dts + od, sizeof(dts) - od, "%s%d",
				       i ? " " : "", b->dt[i]);
	}
	fp = fopen(path, "w");
	if (!fp)
		return yb_err_sys(err, errno, "cannot write %s", path);
	unsigned pp = b->modes & (1u << YB_MODE_PINGPONG),
		 st = b->modes & (1u << YB_MODE_STREAM);
	fprintf(fp,
		"scriptdir = '%s'\ndatafile = '%s'\nncurves = %d\n"
		"npingpong = %d\nlts = '%s'\ndts = '%s'\nmodes = '%s'\n"
		"outfile = '%s'\nfmt = '%s'\nplottitle = '%s'\n%s%s",
		dir, data, b->n, b->n_pingpong, lts, dts,
		pp && st ? "ping-pong and stream" :
		pp	 ? "ping-pong" :
			   "stream",
		out, exts[e], title, extra, text);
	if (fclose(fp) != 0)
		return yb_err_sys(err, errno, "cannot write %s", path);
	return 0;
}

/* Why graph g has nothing to draw. */
static const char *why_empty(size_t g, const struct yb_plot_blocks *b,
			     size_t ncdf)
{
	switch (graphs[g].series) {
	case YB_SERIES_LATENCY:
		return "no ping-pong results with latency in the input";
	case YB_SERIES_BANDWIDTH:
		return "no bandwidth figures in the input";
	case YB_SERIES_CPU:
		return "no CPU figures in the input (files from before "
		       "cpu_client_pct have none)";
	default:
		/* With no latency at all (b[0]: the latency graph), say it
		 * once for every latency graph. */
		if (b[0].n == 0)
			return why_empty(0, b, ncdf);
		return ncdf ? "no round-trip histograms with samples at those "
			      "sizes" :
			      "no round-trip histograms in the input (only "
			      "results.json has them)";
	}
}

/*
 * With force, remove the old files of graph name, which is not drawn this
 * time, and append "; removed the old PATH, PATH" to removed.
 */
static void remove_old(const struct yb_plot_opts *o, const char *name,
		       char *removed, size_t len)
{
	for (size_t e = 0; o->force && e < 2; e++) {
		char path[4096];
		if (!(o->formats & (1u << e)))
			continue;
		snprintf(path, sizeof(path), "%s/%s.%s", o->out_dir, name,
			 exts[e]);
		if (unlink(path) == 0)
			snprintf(removed + strlen(removed),
				 len - strlen(removed), "%s %s",
				 *removed ? "," : "; removed the old", path);
	}
}

/*
 * The output directory, and a scratch directory (tmp, a mkdtemp
 * template) holding common.gp, whose path goes into path.  On failure
 * nothing is left in /tmp.
 */
static int plot_scratch(const char *out_dir, char *tmp, char *path,
			size_t len, struct yb_err *err)
{
	if (mkdir(out_dir, 0777) != 0 && errno != EEXIST)
		return yb_err_sys(err, errno, "cannot create %s", out_dir);
	if (!mkdtemp(tmp))
		return yb_err_sys(err, errno,
				  "cannot create a directory in /tmp");
	snprintf(path, len, "%s/common.gp", tmp);
	int rc = write_text(path, yb_plot_common, err);
	if (rc) {
		unlink(path);
		rmdir(tmp);
	}
	return rc;
}

/*
 * One line on stderr per reason a graph was left out, naming the graphs;
 * with force, an old file of a graph left out is removed (see plot.h).
 */
static void note_skipped(const struct yb_plot_blocks *b, size_t ncdf,
			 const struct yb_plot_opts *o)
{
	int done[NGRAPHS] = { 0 };

	for (size_t g = 0; g < NGRAPHS; g++) {
		if (b[g].n || done[g])
			continue;
		const char *why = why_empty(g, b, ncdf);
		char names[256] = "", removed[1024] = "";
		size_t nn = 0, left = 0;
		for (size_t h = g; h < NGRAPHS; h++)
			if (!b[h].n && why_empty(h, b, ncdf) == why)
				left++;
		for (size_t h = g; h < NGRAPHS; h++) {
			if (b[h].n || why_empty(h, b, ncdf) != why)
				continue;
			done[h] = 1;
			left--;
			nn += (size_t)snprintf(names + nn, sizeof(names) - nn,
					       "%s%s", graphs[h].name,
					       left > 1 ? ", " :
					       left == 1 ? " and " :
							   "");
			remove_old(o, graphs[h].name, removed,
				   sizeof(removed));
		}
		if (nn >= sizeof(names))
			nn = sizeof(names) - 1;
		fprintf(stderr, "yasmin-bench: %s not drawn: %s%s\n", names,
			why, removed);
	}
}

int yb_plot(const struct yb_results *sets, const char *const *labels,
	    size_t n, const struct yb_plot_opts *o, int *written,
	    struct yb_err *err)
{
	char tmp[] = "/tmp/yasmin-bench-plot.XXXXXX";
	char path[4096], data[4096], script[4096], errfile[4096];
	char title[512], out[4096], dir[4096];
	uint64_t cdf[YB_PLOT_MAX_CDF_SIZES];
	size_t ncdf = 0;
	struct yb_plot_blocks *b;
	int rc, any = 0;

	*written = 0;
	if (n == 0)
		return yb_err_set(err, YB_EINVAL, "nothing to plot");
	rc = yb_plot_cdf_sizes(sets, n, o->cdf_sizes, o->n_cdf_sizes, cdf,
			       &ncdf, err);
	if (rc)
		return rc;
	rc = yb_plot_available(err);
	if (rc)
		return rc;
	b = calloc(NGRAPHS, sizeof(*b));
	if (!b)
		return yb_err_set(err, YB_ENOMEM, "out of memory");
	rc = plot_scratch(o->out_dir, tmp, path, sizeof(path), err);
	if (rc) {
		free(b);
		return rc;
	}
	title_of(sets, labels, n, title, sizeof(title));
	gp_string(dir, sizeof(dir), tmp);
	snprintf(errfile, sizeof(errfile), "%s/gnuplot.err", tmp);
	/* Every graph's data first: bad input stops before anything is drawn. */
	for (size_t g = 0; g < NGRAPHS && !rc; g++) {
		snprintf(data, sizeof(data), "%s/%s.dat", tmp, graphs[g].name);
		rc = write_graph_data(g, data, sets, labels, n, cdf, ncdf, &b[g],
				      err);
		any |= b[g].n > 0;
	}
	if (!rc && !any)
		rc = yb_err_set(err, YB_EINVAL, "no points to plot");
	for (size_t g = 0; g < NGRAPHS && !rc; g++) {
		if (b[g].n == 0)
			continue;
		snprintf(data, sizeof(data), "%s/%s.dat", tmp, graphs[g].name);
		for (size_t e = 0; e < 2 && !rc; e++) {
			if (!(o->formats & (1u << e)))
				continue;
			char q[4096], dq[4096];
			snprintf(out, sizeof(out), "%s/%s.%s", o->out_dir,
				 graphs[g].name, exts[e]);
			gp_string(q, sizeof(q), out);
			gp_string(dq, sizeof(dq), data);
			snprintf(script, sizeof(script), "%s/%s-%s.gp", tmp,
				 graphs[g].name, exts[e]);
			rc = write_script(script, graphs[g].script, e, dir, dq,
					  q, title, &b[g], "", err);
			if (!rc)
				rc = run_gnuplot(script, errfile, err);
			if (!rc)
				(*written)++;
		}
	}
	if (!rc)
		note_skipped(b, ncdf, o);
	free(b);
	/* Clean up the scratch directory. */
	const char *names[] = { "common.gp", "gnuplot.err" };
	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", tmp, names[i]);
		unlink(path);
	}
	for (size_t g = 0; g < NGRAPHS; g++) {
		snprintf(path, sizeof(path), "%s/%s.dat", tmp, graphs[g].name);
		unlink(path);
		for (size_t e = 0; e < 2; e++) {
			snprintf(path, sizeof(path), "%s/%s-%s.gp", tmp,
				 graphs[g].name, exts[e]);
			unlink(path);
		}
	}
	rmdir(tmp);
	return rc;
}

/* ---- A/B verdicts ------------------------------------------------------ */

int yb_plot_write_ab(FILE *fp, const struct yb_cmp *c, struct yb_err *err)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct yb_cmp_row *r = &c->rows[i];
		for (size_t k = 0; k < r->rounds; k++) {
			double off = r->rounds > 1 ?
					     -0.25 + 0.5 * (double)k /
							     (double)(r->rounds - 1) :
					     0;
			fprintf(fp, "%.3f ", (double)i + off);
			put_num(fp, r->round_pct[k], 0);
			fputc('\n', fp);
		}
	}
	fputs("\n\n", fp);
	for (size_t i = 0; i < c->n; i++) {
		const struct yb_cmp_row *r = &c->rows[i];
		char label[160], q[160];
		snprintf(label, sizeof(label), "%s %s", r->curve,
			 yb_metric_name(r->metric));
		gp_string(q, sizeof(q), label);
		fprintf(fp, "%zu ", i);
		put_num(fp, r->median_pct, 0);
		fputc(' ', fp);
		put_num(fp, isfinite(r->lo_pct) ? r->lo_pct : NAN, 0);
		fputc(' ', fp);
		put_num(fp, isfinite(r->hi_pct) ? r->hi_pct : NAN, 0);
		fprintf(fp, " \"%s\"\n", q);
	}
	return ferror(fp) ? yb_err_set(err, YB_EIO, "cannot write graph data") :
			    0;
}

int yb_plot_ab(const struct yb_cmp *c, double tolerance,
	       const struct yb_plot_opts *o, int *written, struct yb_err *err)
{
	char tmp[] = "/tmp/yasmin-bench-plot.XXXXXX";
	char path[4096], data[4096], script[4096], errfile[4096], dir[4096];
	size_t rounds = 0;
	int rc;

	*written = 0;
	for (size_t i = 0; i < c->n; i++)
		rounds += c->rows[i].rounds;
	if (c->n == 0 || rounds == 0)
		return yb_err_set(err, YB_EINVAL,
				  "no A/B rounds to draw (a verdict of "
				  "`yasmin-bench ab` has them)");
	if (c->n > YB_PLOT_MAX_CURVES)
		return yb_err_set(err, YB_EINVAL,
				  "%zu curves: more than a graph holds (%d)",
				  c->n, YB_PLOT_MAX_CURVES);
	rc = yb_plot_available(err);
	if (rc)
		return rc;
	for (size_t e = 0; e < 2 && !o->force; e++) {
		if (!(o->formats & (1u << e)))
			continue;
		snprintf(path, sizeof(path), "%s/ab.%s", o->out_dir, exts[e]);
		if (access(path, F_OK) == 0)
			return yb_err_set(err, YB_EEXIST,
					  "%s exists; pass --force to "
					  "overwrite it",
					  path);
	}
	if (mkdir(o->out_dir, 0777) != 0 && errno != EEXIST)
		return yb_err_sys(err, errno, "cannot create %s", o->out_dir);
	if (!mkdtemp(tmp))
		return yb_err_sys(err, errno, "cannot create a directory in /tmp");
	snprintf(path, sizeof(path), "%s/common.gp", tmp);
	snprintf(data, sizeof(data), "%s/ab.dat", tmp);
	snprintf(errfile, sizeof(errfile), "%s/gnuplot.err", tmp);
	rc = write_text(path, yb_plot_common, err);
	if (!rc) {
		FILE *fp = fopen(data, "w");
		if (!fp)
			rc = yb_err_sys(err, errno, "cannot write %s", data);
		else {
			rc = yb_plot_write_ab(fp, c, err);
			if (fclose(fp) != 0 && !rc)
				rc = yb_err_sys(err, errno, "cannot write %s",
						data);
		}
	}
	gp_string(dir, sizeof(dir), tmp);
	for (size_t e = 0; e < 2 && !rc; e++) {
		if (!(o->formats & (1u << e)))
			continue;
		char out[4096], q[4096], dq[4096];
		snprintf(out, sizeof(out), "%s/ab.%s", o->out_dir, exts[e]);
		gp_string(q, sizeof(q), out);
		gp_string(dq, sizeof(dq), data);
		snprintf(script, sizeof(script), "%s/ab-%s.gp", tmp, exts[e]);
		FILE *fp = fopen(script, "w");
		if (!fp) {
			rc = yb_err_sys(err, errno, "cannot write %s", script);
			break;
		}
		fprintf(fp,
			"scriptdir = '%s'\ndatafile = '%s'\nncurves = %zu\n"
			"tolerance = %.6g\noutfile = '%s'\nfmt = '%s'\n"
			"plottitle = '%zu rounds, %.4g%% intervals'\n"
			"lts = ''\ndts = ''\n%s",
			dir, dq, c->n, tolerance, q, exts[e],
			c->rows[0].rounds, c->conf * 100, yb_plot_ab_rounds);
		if (fclose(fp) != 0) {
			rc = yb_err_sys(err, errno, "cannot write %s", script);
			break;
		}
		rc = run_gnuplot(script, errfile, err);
		if (!rc)
			(*written)++;
		unlink(script);
	}
	unlink(path);
	unlink(data);
	unlink(errfile);
	rmdir(tmp);
	return rc;
}

/* ---- scaling against pairs (yasmin-bench merge) ---------------------------- */

static const struct {
	const char *name;
	enum yb_plot_scaling what;
	const char *empty; /* why it may have nothing to draw */
} scaling_graphs[] = {
	{ "scaling_bandwidth", YB_SCALING_BANDWIDTH,
	  "no stream rows with a bandwidth in the merged sets" },
	{ "scaling_latency", YB_SCALING_LATENCY,
	  "no ping-pong rows with a latency in the merged sets" },
};
#define NSCALING (sizeof(scaling_graphs) / sizeof(scaling_graphs[0]))

static int scaling_row(const struct yb_scaling_row *r,
		       enum yb_plot_scaling what)
{
	if (what == YB_SCALING_LATENCY)
		return r->key.mode == YB_MODE_PINGPONG && r->lat_p50_us > 0;
	return r->key.mode == YB_MODE_STREAM && r->bw_total_gbps > 0;
}

/*
 * The blocks of graph what (see yb_plot_write_scaling), onto fp unless it
 * is NULL; their number, all of them, is returned, and the first
 * YB_PLOT_MAX_BLOCKS are described in b.
 */
static int scaling_blocks(FILE *fp, const struct yb_scaling *s,
			  enum yb_plot_scaling what, struct yb_plot_blocks *b)
{
	const struct yb_scaling_row *prev = NULL;
	int nblocks = 0, curve = 0;

	memset(b, 0, sizeof(*b));
	for (size_t i = 0; i < s->nrows; i++) {
		const struct yb_scaling_row *r = &s->rows[i];
		/* The rows are sorted by curve first: a curve's line type is
		 * its place among them, the same in both graphs. */
		if (i == 0 || strcmp(r->curve, s->rows[i - 1].curve) != 0)
			curve++;
		if (!scaling_row(r, what))
			continue;
		if (!prev || !yb_scaling_same_row(prev, r)) {
			nblocks++;
			prev = r;
			if (nblocks > YB_PLOT_MAX_CURVES || !fp)
				continue;
			size_t d = 0;
			while (d < s->nsizes && s->sizes[d] != r->key.bytes)
				d++;
			char sz[32], raw[160], title[160];
			size_label(r->key.bytes, sz, sizeof(sz));
			snprintf(raw, sizeof(raw), "%s, %s", r->curve, sz);
			gp_string(title, sizeof(title), raw);
			for (char *t = title; *t; t++)
				if (*t == '"')
					*t = ' ';
			block_start(fp, b, title, curve, (int)d + 1);
			b->modes |= 1u << r->key.mode;
		}
		if (nblocks > YB_PLOT_MAX_CURVES || !fp)
			continue;
		fprintf(fp, "%u", r->pairs);
		put_num(fp, r->bw_total_gbps, 1);
		put_num(fp, r->lat_p50_us, 1);
		put_num(fp, r->lat_p50_worst_us, 1);
		put_num(fp, r->bw_per_pair_gbps, 1);
		fputc('\n', fp);
	}
	return nblocks;
}

int yb_plot_scaling_fits(const struct yb_scaling *s, struct yb_err *err)
{
	struct yb_plot_blocks b;

	for (size_t g = 0; g < NSCALING; g++) {
		int n = scaling_blocks(NULL, s, scaling_graphs[g].what, &b);
		if (n > YB_PLOT_MAX_CURVES)
			return yb_err_set(err, YB_EUSAGE,
					  "%s would have %d lines (curves x "
					  "message sizes), more than a graph "
					  "holds (%d): choose sizes with "
					  "--sizes, or pass --no-plot",
					  scaling_graphs[g].name, n,
					  YB_PLOT_MAX_CURVES);
	}
	return 0;
}

int yb_plot_write_scaling(FILE *fp, const struct yb_scaling *s,
			  enum yb_plot_scaling what, struct yb_plot_blocks *b,
			  struct yb_err *err)
{
	int n = scaling_blocks(fp, s, what, b);

	if (n > YB_PLOT_MAX_CURVES)
		return yb_plot_scaling_fits(s, err);
	if (ferror(fp))
		return yb_err_set(err, YB_EIO,
				  "cannot write the data of a graph");
	return 0;
}

static void scaling_names(const char **names)
{
	for (size_t g = 0; g < NSCALING; g++)
		names[g] = scaling_graphs[g].name;
}

int yb_plot_scaling_check_out(const struct yb_plot_opts *o,
			      struct yb_err *err)
{
	const char *names[NSCALING];

	scaling_names(names);
	return check_names(o, names, NSCALING, err);
}

void yb_plot_print_scaling_graphs(FILE *fp, const char *dir,
				  unsigned formats)
{
	const char *names[NSCALING];

	scaling_names(names);
	print_names(fp, dir, formats, names, NSCALING);
}

/* The title of the scaling graphs: version, sets, pairs, hosts, date. */
static void scaling_title(const struct yb_scaling *s, char *buf, size_t len)
{
	unsigned lo = 0, hi = 0;
	char hosts[256] = "", raw[512];
	size_t hl = 0, nh = 0;

	for (size_t k = 0; k < s->nsets; k++) {
		if (!lo || s->sets[k].pairs < lo)
			lo = s->sets[k].pairs;
		if (s->sets[k].pairs > hi)
			hi = s->sets[k].pairs;
	}
	for (size_t i = 0; i < s->nruns; i++) {
		const char *h = s->runs[i].host;
		int seen = !*h;
		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(s->runs[j].host, h) == 0;
		if (seen)
			continue;
		if (nh++ < 3)
			hl += (size_t)snprintf(hosts + hl, sizeof(hosts) - hl,
					       "%s%s", hl ? ", " : "", h);
		else if (nh == 4)
			hl += (size_t)snprintf(hosts + hl, sizeof(hosts) - hl,
					       ", ...");
		if (hl >= sizeof(hosts))
			hl = sizeof(hosts) - 1;
	}
	snprintf(raw, sizeof(raw), "yasmin-bench %s - %zu set%s, %u to %u "
				   "pairs - %s - %s",
		 *s->runs[0].version ? s->runs[0].version : "?", s->nsets,
		 s->nsets == 1 ? "" : "s", lo, hi, nh ? hosts : "?",
		 *s->runs[0].date ? s->runs[0].date : "?");
	gp_string(buf, len, raw);
}

/* The variables scaling_pairs.gp needs beyond those of every script. */
static void scaling_vars(const struct yb_scaling *s, enum yb_plot_scaling what,
			 char *buf, size_t len)
{
	unsigned pairs[64] = { 1 };
	size_t n = 0, l;

	for (size_t k = 0; k < s->nsets && n < 64; k++)
		pairs[n++] = s->sets[k].pairs;
	for (size_t i = 1; i < n; i++) /* a handful: insertion sort */
		for (size_t j = i; j > 0 && pairs[j - 1] > pairs[j]; j--) {
			unsigned t = pairs[j];
			pairs[j] = pairs[j - 1];
			pairs[j - 1] = t;
		}
	l = (size_t)snprintf(buf, len, "metric = '%s'\npmin = %u\npmax = %u\n"
				       "pairtics = '",
			     what == YB_SCALING_LATENCY ? "latency" :
							  "bandwidth",
			     pairs[0], pairs[n ? n - 1 : 0]);
	for (size_t i = 0; i < n && l < len; i++)
		l += (size_t)snprintf(buf + l, len - l, "%s%u", i ? " " : "",
				      pairs[i]);
	if (l < len)
		snprintf(buf + l, len - l, "'\n");
}

int yb_plot_scaling(const struct yb_scaling *s, const struct yb_plot_opts *o,
		    int *written, struct yb_err *err)
{
	char tmp[] = "/tmp/yasmin-bench-plot.XXXXXX";
	char path[4096], data[NSCALING][4096], script[4096], errfile[4096];
	char title[512], dir[4096], extra[1024];
	struct yb_plot_blocks *b;
	int rc;

	*written = 0;
	if (s->nrows == 0 || s->nsets == 0)
		return yb_err_set(err, YB_EINVAL, "nothing to plot");
	rc = yb_plot_scaling_fits(s, err);
	if (!rc)
		rc = yb_plot_available(err);
	if (rc)
		return rc;
	b = calloc(NSCALING, sizeof(*b));
	if (!b)
		return yb_err_set(err, YB_ENOMEM, "out of memory");
	rc = plot_scratch(o->out_dir, tmp, path, sizeof(path), err);
	if (rc) {
		free(b);
		return rc;
	}
	snprintf(errfile, sizeof(errfile), "%s/gnuplot.err", tmp);
	scaling_title(s, title, sizeof(title));
	gp_string(dir, sizeof(dir), tmp);
	for (size_t g = 0; g < NSCALING && !rc; g++) {
		snprintf(data[g], sizeof(data[g]), "%s/%s.dat", tmp,
			 scaling_graphs[g].name);
		FILE *fp = fopen(data[g], "w");
		if (!fp) {
			rc = yb_err_sys(err, errno, "cannot write %s", data[g]);
			break;
		}
		rc = yb_plot_write_scaling(fp, s, scaling_graphs[g].what, &b[g],
					   err);
		if (fclose(fp) != 0 && !rc)
			rc = yb_err_sys(err, errno, "cannot write %s", data[g]);
	}
	for (size_t g = 0; g < NSCALING && !rc; g++) {
		if (b[g].n == 0)
			continue;
		scaling_vars(s, scaling_graphs[g].what, extra, sizeof(extra));
		for (size_t e = 0; e < 2 && !rc; e++) {
			if (!(o->formats & (1u << e)))
				continue;
			char out[4096], q[4096], dq[4096];
			snprintf(out, sizeof(out), "%s/%s.%s", o->out_dir,
				 scaling_graphs[g].name, exts[e]);
			gp_string(q, sizeof(q), out);
			gp_string(dq, sizeof(dq), data[g]);
			snprintf(script, sizeof(script), "%s/%s-%s.gp", tmp,
				 scaling_graphs[g].name, exts[e]);
			rc = write_script(script, yb_plot_scaling_pairs, e, dir,
					  dq, q, title, &b[g], extra, err);
			if (!rc)
				rc = run_gnuplot(script, errfile, err);
			if (!rc)
				(*written)++;
			unlink(script);
		}
	}
	/* A graph with nothing to draw: a note, and with force its old file
	 * goes (as yb_plot does). */
	for (size_t g = 0; g < NSCALING && !rc; g++) {
		char removed[1024] = "";
		if (b[g].n)
			continue;
		remove_old(o, scaling_graphs[g].name, removed,
			   sizeof(removed));
		fprintf(stderr, "yasmin-bench: %s not drawn: %s%s\n",
			scaling_graphs[g].name, scaling_graphs[g].empty,
			removed);
	}
	free(b);
	snprintf(path, sizeof(path), "%s/common.gp", tmp);
	unlink(path);
	unlink(errfile);
	for (size_t g = 0; g < NSCALING; g++) {
		snprintf(path, sizeof(path), "%s/%s.dat", tmp,
			 scaling_graphs[g].name);
		unlink(path);
	}
	rmdir(tmp);
	return rc;
}
