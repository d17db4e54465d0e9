/* cmd_plot.c - `yasmin-bench plot FILE...`: graphs from result files. */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/plot.h"
#include "cmd.h"

#define MAX_FILES 16

struct plot_args {
	const char *files[MAX_FILES];
	size_t n;
	const char *out_dir;
	unsigned formats;
	int force;
};

enum { OPT_OUT = 'o', OPT_FORMAT = 'f', OPT_FORCE = 300 };

static const struct argp_option plot_options[] = {
	{ "out", OPT_OUT, "DIR", 0,
	  "write the graphs into DIR (default: the directory of the first "
	  "file)",
	  0 },
	{ "format", OPT_FORMAT, "FORMAT", 0, "png, svg or both (default png)",
	  0 },
	{ "force", OPT_FORCE, 0, 0, "overwrite existing graphs", 0 },
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
		if (strcmp(arg, "png") == 0)
			a->formats = YB_PLOT_PNG;
		else if (strcmp(arg, "svg") == 0)
			a->formats = YB_PLOT_SVG;
		else if (strcmp(arg, "both") == 0)
			a->formats = YB_PLOT_PNG | YB_PLOT_SVG;
		else
			cmd_usage_error(state,
					"bad --format '%s': expected png, svg "
					"or both",
					arg);
		break;
	case OPT_FORCE:
		a->force = 1;
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

int cmd_plot(int argc, char **argv)
{
	static const struct argp argp = {
		plot_options, plot_parse, "FILE...",
		"Draw latency and bandwidth graphs (and the latency tail) from "
		"results.csv or results.json files; several files are "
		"overlaid, each labelled.\v"
		"Writes latency, bandwidth and latency_tail as PNG and/or SVG.",
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
		struct yb_plot_opts po = { dir, a.formats, a.force };
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
