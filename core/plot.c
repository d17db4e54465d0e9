/* plot.c - drawing results with gnuplot; see plot.h. */
#include "plot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proto.h"
#include "yb_plots.h"

#define MAX_CURVES 64

static const struct {
	const char *name;    /* output file name without extension */
	const char *script;  /* from plots/NAME.gp */
	int want_stream;     /* prefer stream rows (bandwidth) */
} graphs[] = {
	{ "latency", yb_plot_latency, 0 },
	{ "bandwidth", yb_plot_bandwidth, 1 },
	{ "latency_tail", yb_plot_tail, 0 },
};
#define NGRAPHS (sizeof(graphs) / sizeof(graphs[0]))

static const char *const exts[] = { "png", "svg" };

/* ---- reading -------------------------------------------------------------- */

int yb_plot_read(const char *path, struct yb_results *r, struct yb_err *err)
{
	struct yb_err jerr = { 0 };
	FILE *fp = fopen(path, "r");
	int c;

	if (!fp) /* a file the user named: bad input, not a run failure */
		return yb_err_set(err, YB_EINVAL, "%s: %s", path,
				  strerror(errno));
	struct stat st;
	if (fstat(fileno(fp), &st) == 0 && st.st_size > YB_RESULTS_MAX_FILE) {
		fclose(fp);
		return yb_err_set(err, YB_EINVAL,
				  "%s: %lld bytes; results files larger than "
				  "%d MiB are not read",
				  path, (long long)st.st_size,
				  YB_RESULTS_MAX_FILE >> 20);
	}
	do
		c = fgetc(fp);
	while (c == ' ' || c == '\t' || c == '\n' || c == '\r');
	fclose(fp);
	if (c == '{')
		return yb_json_read(path, r, err);
	int rc = yb_csv_read(path, r, err);
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
	size_t set;    /* which result set */
	struct yb_point pt; /* identifies the curve */
};

/* Which mode a graph draws from a set: its preference, if present. */
static unsigned pick_mode(const struct yb_results *r, int want_stream)
{
	unsigned want = want_stream ? YB_MODE_STREAM : YB_MODE_PINGPONG;

	for (size_t i = 0; i < r->n; i++)
		if (r->p[i].mode == want)
			return want;
	return want_stream ? YB_MODE_PINGPONG : YB_MODE_STREAM;
}

/*
 * Write the data file of one graph: one block per curve, its title on the
 * first line, then "bytes p50_us bw_gbps p99_us" sorted by size.
 */
static int write_data(const char *path, const struct yb_results *sets,
		      const char *const *labels, size_t n, int want_stream,
		      int *ncurves, struct yb_err *err)
{
	struct curve *cv = calloc(MAX_CURVES, sizeof(*cv));
	size_t nc = 0;
	FILE *fp = fopen(path, "w");

	if (!cv || !fp) {
		free(cv);
		if (fp)
			fclose(fp);
		return yb_err_sys(err, errno, "cannot write %s", path);
	}
	for (size_t s = 0; s < n; s++) {
		unsigned mode = pick_mode(&sets[s], want_stream);
		for (size_t i = 0; i < sets[s].n; i++) {
			const struct yb_point *p = &sets[s].p[i];
			size_t k;
			if (p->mode != mode)
				continue;
			for (k = 0; k < nc; k++)
				if (cv[k].set == s && yb_point_same_curve(&cv[k].pt, p))
					break;
			if (k < nc || nc == MAX_CURVES)
				continue;
			char label[80], title[128];
			yb_point_label(p, label, sizeof(label));
			if (n > 1)
				snprintf(title, sizeof(title), "%s: %s",
					 labels[s], label);
			else
				snprintf(title, sizeof(title), "%s", label);
			cv[nc].set = s;
			cv[nc].pt = *p;
			gp_string(cv[nc].title, sizeof(cv[nc].title), title);
			for (char *c = cv[nc].title; *c; c++)
				if (*c == '"')
					*c = ' ';
			nc++;
		}
	}
	for (size_t k = 0; k < nc; k++) {
		const struct yb_results *r = &sets[cv[k].set];
		unsigned mode = cv[k].pt.mode;
		fprintf(fp, "%s\"%s\" 0 0 0\n", k ? "\n\n" : "", cv[k].title);
		/* Points in size order (files are written in sweep order,
		 * but a merged or edited file need not be). */
		uint64_t last = 0;
		for (;;) {
			const struct yb_point *next = NULL;
			for (size_t i = 0; i < r->n; i++) {
				const struct yb_point *p = &r->p[i];
				if (p->mode == mode && yb_point_same_curve(p, &cv[k].pt) &&
				    p->bytes > last &&
				    (!next || p->bytes < next->bytes))
					next = p;
			}
			if (!next)
				break;
			fprintf(fp, "%llu %.6g %.6g %.6g\n",
				(unsigned long long)next->bytes,
				next->lat_p50_us > 0 ? next->lat_p50_us : 1e-9,
				next->bw_gbps > 0 ? next->bw_gbps : 1e-9,
				next->lat_p99_us > 0 ? next->lat_p99_us : 1e-9);
			last = next->bytes;
		}
	}
	free(cv);
	if (fclose(fp) != 0)
		return yb_err_sys(err, errno, "cannot write %s", path);
	*ncurves = (int)nc;
	return 0;
}

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

int yb_plot_check_out(const struct yb_plot_opts *o, struct yb_err *err)
{
	char path[4096];

	if (o->force)
		return 0;
	for (size_t g = 0; g < NGRAPHS; g++)
		for (size_t e = 0; e < 2; e++) {
			if (!(o->formats & (1u << e)))
				continue;
			snprintf(path, sizeof(path), "%s/%s.%s", o->out_dir,
				 graphs[g].name, exts[e]);
			if (access(path, F_OK) == 0)
				return yb_err_set(err, YB_EOUTPUT,
						  "%s already exists; use --force "
						  "to overwrite it or --out to "
						  "choose another directory",
						  path);
		}
	return 0;
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

int yb_plot(const struct yb_results *sets, const char *const *labels,
	    size_t n, const struct yb_plot_opts *o, int *written,
	    struct yb_err *err)
{
	char tmp[] = "/tmp/yasmin-bench-plot.XXXXXX";
	char path[4096], data[4096], script[4096], errfile[4096];
	char title[512], out[4096], dir[4096];
	int rc;

	*written = 0;
	if (n == 0)
		return yb_err_set(err, YB_EINVAL, "nothing to plot");
	rc = yb_plot_available(err);
	if (rc)
		return rc;
	if (mkdir(o->out_dir, 0777) != 0 && errno != EEXIST)
		return yb_err_sys(err, errno, "cannot create %s", o->out_dir);
	if (!mkdtemp(tmp))
		return yb_err_sys(err, errno, "cannot create a directory in /tmp");
	snprintf(path, sizeof(path), "%s/common.gp", tmp);
	rc = write_text(path, yb_plot_common, err);
	title_of(sets, labels, n, title, sizeof(title));
	gp_string(dir, sizeof(dir), tmp);
	snprintf(errfile, sizeof(errfile), "%s/gnuplot.err", tmp);
	for (size_t g = 0; g < NGRAPHS && !rc; g++) {
		int nc = 0;
		snprintf(data, sizeof(data), "%s/%s.dat", tmp, graphs[g].name);
		rc = write_data(data, sets, labels, n, graphs[g].want_stream,
				&nc, err);
		if (rc)
			break;
		if (nc == 0) {
			rc = yb_err_set(err, YB_EINVAL, "no points to plot");
			break;
		}
		for (size_t e = 0; e < 2 && !rc; e++) {
			if (!(o->formats & (1u << e)))
				continue;
			char q[4096];
			snprintf(out, sizeof(out), "%s/%s.%s", o->out_dir,
				 graphs[g].name, exts[e]);
			gp_string(q, sizeof(q), out);
			/* The variables, then the script from plots/. */
			snprintf(script, sizeof(script), "%s/%s-%s.gp", tmp,
				 graphs[g].name, exts[e]);
			FILE *fp = fopen(script, "w");
			if (!fp) {
				rc = yb_err_sys(err, errno, "cannot write %s",
						script);
				break;
			}
			fprintf(fp,
				"scriptdir = '%s'\ndatafile = '%s'\n"
				"ncurves = %d\noutfile = '%s'\nfmt = '%s'\n"
				"plottitle = '%s'\n%s",
				dir, data, nc, q, exts[e], title,
				graphs[g].script);
			if (fclose(fp) != 0) {
				rc = yb_err_sys(err, errno, "cannot write %s",
						script);
				break;
			}
			rc = run_gnuplot(script, errfile, err);
			if (!rc)
				(*written)++;
		}
	}
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
