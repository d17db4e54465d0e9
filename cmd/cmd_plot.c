/* cmd_plot.c - `yasmin-bench plot FILE...`: graphs from result files. */
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/report/compare.h"
#include "core/report/plot.h"
#include "cmd/cmd.h"

#define MAX_FILES 16

struct plot_args {
	const char *files[MAX_FILES];
	size_t n;
	const char *out_dir;
	unsigned formats;
	int force;
	uint64_t cdf_sizes[YB_PLOT_MAX_CDF_SIZES];
	size_t n_cdf_sizes;
};

enum { OPT_OUT = 'o', OPT_FORMAT = 'f', OPT_FORCE = 300, OPT_CDF_SIZES };

static const struct argp_option plot_options[] = {
	{ "out", OPT_OUT, "DIR", 0,
	  "write the graphs into DIR (default: the directory of the first "
	  "file)",
	  0 },
	{ "format", OPT_FORMAT, "FORMAT", 0, "png, svg or both (default png)",
	  0 },
	{ "force", OPT_FORCE, 0, 0, "overwrite existing graphs", 0 },
	{ "cdf-sizes", OPT_CDF_SIZES, "LIST", 0,
	  "message sizes of the latency CDF, e.g. 1,64K (default: the "
	  "smallest, and 64K or the largest below it)",
	  0 },
	{ 0 }
};

static error_t plot_parse(int key, char *arg, struct argp_state *state)
{
	struct plot_args *a = state->input;

	switch (key) {
	case OPT_OUT:
		if (!*arg)
			cmd_usage_error(state, "--out needs a directory");
		a->out_dir = arg;
		break;
	case OPT_FORMAT:
		a->formats = cmd_parse_formats(state, arg);
		break;
	case OPT_FORCE:
		a->force = 1;
		break;
	case OPT_CDF_SIZES:
		a->n_cdf_sizes = cmd_parse_size_list(state, "--cdf-sizes", arg,
						     a->cdf_sizes,
						     YB_PLOT_MAX_CDF_SIZES);
		break;
	case ARGP_KEY_ARG:
		if (a->n == MAX_FILES)
			cmd_usage_error(state, "at most %d files", MAX_FILES);
		a->files[a->n++] = arg;
		break;
	case ARGP_KEY_NO_ARGS:
		cmd_usage_error(state, "missing FILE (a results.csv or "
				       "results.json)");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* A short name for a file: its directory for results.*, else its name. */
static void label_of(const char *path, char *buf, size_t len)
{
	char copy[4096];
	snprintf(copy, sizeof(copy), "%s", path);
	char *base = basename(copy);
	if (strncmp(base, "results.", 8) == 0) {
		snprintf(copy, sizeof(copy), "%s", path);
		char *d = dirname(copy);
		snprintf(buf, len, "%s", basename(d));
	} else {
		char *dot = strrchr(base, '.');
		if (dot && dot != base)
			*dot = '\0';
		snprintf(buf, len, "%s", base);
	}
}

/* An A/B gate's ab.json (yasmin-bench ab)? */
static int is_ab(const char *path)
{
	json_t *o = json_load_file(path, 0, NULL);
	const char *f = json_string_value(json_object_get(o, "format"));
	int yes = f && strcmp(f, "yasmin-bench-ab") == 0;
	json_decref(o);
	return yes;
}

/* ab.json: the graph of its rounds and verdict, ab.png/.svg. */
static int plot_ab(const struct plot_args *a)
{
	struct yb_err err = { 0 };
	struct yb_cmp c;
	double tol;
	char dir[4096];
	int written = 0, rc;

	if (a->n != 1)
		return cmd_fail(YB_EUSAGE, "an A/B gate's ab.json is drawn on "
					   "its own, not with other files");
	json_error_t je;
	json_t *o = json_load_file(a->files[0], 0, &je);
	rc = yb_cmp_from_json(json_object_get(o, "verdict"), &c, &tol, &err);
	json_decref(o);
	if (rc) {
		fprintf(stderr, "yasmin-bench: %s: %s\n", a->files[0], err.msg);
		return yb_exit_status(rc);
	}
	if (a->out_dir) {
		snprintf(dir, sizeof(dir), "%s", a->out_dir);
	} else {
		char copy[4096];
		snprintf(copy, sizeof(copy), "%s", a->files[0]);
		snprintf(dir, sizeof(dir), "%s", dirname(copy));
	}
	struct yb_plot_opts po = { .out_dir = dir, .formats = a->formats,
				   .force = a->force };
	rc = yb_plot_ab(&c, tol, &po, &written, &err);
	yb_cmp_free(&c);
	if (rc)
		return cmd_fail(rc, err.msg);
	printf("%d graph%s in %s/\n", written, written == 1 ? "" : "s", dir);
	return 0;
}

int cmd_plot(int argc, char **argv)
{
	static const struct argp argp = {
		plot_options, plot_parse, "FILE...",
		"Draw latency, bandwidth and CPU graphs from results.csv or "
		"results.json files; several files are overlaid, each "
		"labelled.\v"
		"Writes latency, bandwidth, latency_tail, cpu and latency_cdf "
		"as PNG and/or SVG. The latency CDF needs the round-trip "
		"histograms of results.json; a graph with nothing to draw is "
		"left out with a note.  Given the ab.json of an A/B gate "
		"(yasmin-bench ab), draws ab.png: every round's change and "
		"each curve's estimate with its interval.",
		0, 0, 0
	};
	struct plot_args a = { .formats = YB_PLOT_PNG };
	struct yb_results sets[MAX_FILES];
	char labels[MAX_FILES][128];
	const char *lp[MAX_FILES];
	struct yb_err err = { 0 };
	char dir[4096];
	int rc = 0, written = 0;

	argp_parse(&argp, argc, argv, 0, 0, &a);
	if (is_ab(a.files[0]))
		return plot_ab(&a);
	for (size_t i = 0; i < a.n; i++)
		yb_results_init(&sets[i]);
	for (size_t i = 0; i < a.n && !rc; i++) {
		rc = yb_plot_read(a.files[i], &sets[i], &err);
		if (!rc && sets[i].n == 0)
			rc = yb_err_set(&err, YB_EINVAL, "%s: no results in it",
					a.files[i]);
		label_of(a.files[i], labels[i], sizeof(labels[i]));
		lp[i] = labels[i];
	}
	if (!rc) {
		if (a.out_dir) {
			snprintf(dir, sizeof(dir), "%s", a.out_dir);
		} else {
			char copy[4096];
			snprintf(copy, sizeof(copy), "%s", a.files[0]);
			snprintf(dir, sizeof(dir), "%s", dirname(copy));
		}
		struct yb_plot_opts po = { dir, a.formats, a.force,
					   a.n_cdf_sizes ? a.cdf_sizes : NULL,
					   a.n_cdf_sizes };
		uint64_t sizes[YB_PLOT_MAX_CDF_SIZES];
		size_t ns;
		/* A size no row has is a usage error, found before any
		 * graph is drawn or overwrite is refused. */
		rc = yb_plot_cdf_sizes(sets, a.n, po.cdf_sizes, po.n_cdf_sizes,
				       sizes, &ns, &err);
		if (rc) {
			char msg[sizeof(err.msg)];
			snprintf(msg, sizeof(msg), "%s", err.msg);
			rc = yb_err_set(&err, rc, "--cdf-sizes: %s", msg);
		}
		if (!rc)
			rc = yb_plot_check_out(&po, &err);
		if (!rc)
			rc = yb_plot(sets, lp, a.n, &po, &written, &err);
	}
	for (size_t i = 0; i < a.n; i++)
		yb_results_free(&sets[i]);
	if (rc)
		return cmd_fail(rc, err.msg);
	printf("%d graph%s in %s/\n", written, written == 1 ? "" : "s", dir);
	return 0;
}
