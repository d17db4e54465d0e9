/*
 * cmd_merge.c - `yasmin-bench merge SET...`: runs measured at the same
 * time, merged into a scaling table and graphs against the number of
 * pairs (core/report/scaling.h says what a set is and what is refused).
 *
 * Exit status: 0 merged; 2 bad input (unreadable files, runs not measured
 * at the same time, two sets of one pair count, a bad option); 3 an
 * output file in the way, or not writable; 6 gnuplot missing (the tables
 * are written).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/base/dirs.h"
#include "core/base/mode.h"
#include "core/base/units.h"
#include "core/report/plot.h"
#include "core/report/scaling.h"
#include "cmd/cmd.h"

#define MAX_SETS 256
#define MAX_SIZES YB_PLOT_MAX_CURVES

struct merge_args {
	const char *sets[MAX_SETS];
	size_t n;
	const char *out_dir;
	unsigned formats;
	int force;
	int no_plot;
	uint64_t sizes[MAX_SIZES];
	size_t n_sizes;
};

enum {
	OPT_OUT = 'o',
	OPT_FORMAT = 'f',
	OPT_FORCE = 300,
	OPT_NO_PLOT,
	OPT_SIZES
};

static const struct argp_option merge_options[] = {
	{ "out", OPT_OUT, "DIR", 0,
	  "write scaling.csv, scaling.json and the graphs into DIR (default "
	  "yasmin-results/scaling-DATE-TIME)",
	  0 },
	{ "force", OPT_FORCE, 0, 0, "overwrite existing files in DIR", 0 },
	{ "no-plot", OPT_NO_PLOT, 0, 0,
	  "do not draw scaling_bandwidth and scaling_latency", 0 },
	{ "format", OPT_FORMAT, "FORMAT", 0,
	  "graphs as png, svg or both (png,svg; default png)", 0 },
	{ "sizes", OPT_SIZES, "LIST", 0,
	  "only these message sizes, e.g. 64K,1M (default: every size "
	  "measured in every set)",
	  0 },
	{ 0 }
};

static error_t merge_parse(int key, char *arg, struct argp_state *state)
{
	struct merge_args *a = state->input;

	switch (key) {
	case OPT_OUT:
		if (!*arg)
			cmd_usage_error(state, "--out needs a directory");
		a->out_dir = arg;
		break;
	case OPT_FORCE:
		a->force = 1;
		break;
	case OPT_NO_PLOT:
		a->no_plot = 1;
		break;
	case OPT_FORMAT:
		a->formats = cmd_parse_formats(state, arg);
		break;
	case OPT_SIZES:
		a->n_sizes = cmd_parse_size_list(state, "--sizes", arg,
						 a->sizes, MAX_SIZES);
		break;
	case ARGP_KEY_ARG:
		if (a->n == MAX_SETS)
			cmd_usage_error(state, "at most %d sets", MAX_SETS);
		a->sets[a->n++] = arg;
		break;
	case ARGP_KEY_NO_ARGS:
		cmd_usage_error(state, "missing SET (result directories or "
				       "results.json files measured at the "
				       "same time, joined by commas)");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* "41.762", "0.00123", or "-" for an absent figure. */
static void fig(char *buf, size_t len, double v)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (v != 0 && fabs(v) < 0.01)
		snprintf(buf, len, "%.3g", v);
	else
		snprintf(buf, len, "%.3f", v);
}

/* A size as a person reads it: 64K, 3069. */
static void size_text(uint64_t b, char *buf, size_t len)
{
	if (b >= 1024 && b % 1024 == 0)
		yb_format_size(b, buf, len);
	else
		snprintf(buf, len, "%llu", (unsigned long long)b);
}

/* A table per curve and mode: a line per message size and set. */
static void print_table(const struct yb_scaling *s)
{
	for (size_t i = 0; i < s->nrows; i++) {
		const struct yb_scaling_row *r = &s->rows[i];
		char sz[32], bw[32], pp[32], lat[64], worst[32];
		if (i == 0 || strcmp(s->rows[i - 1].group, r->group) != 0) {
			printf("%s%s\n", i ? "\n" : "", r->group);
			printf("  %7s  %5s  %4s  %16s  %15s  %21s  %7s\n",
			       "bytes", "pairs", "runs", "aggregate Gbit/s",
			       "per pair Gbit/s", "p50 us (worst pair)",
			       "overlap");
		}
		size_text(r->key.bytes, sz, sizeof(sz));
		fig(bw, sizeof(bw), r->bw_total_gbps);
		fig(pp, sizeof(pp), r->bw_per_pair_gbps);
		fig(lat, sizeof(lat), r->lat_p50_us);
		if (!isnan(r->lat_p50_worst_us)) {
			fig(worst, sizeof(worst), r->lat_p50_worst_us);
			size_t l = strlen(lat);
			snprintf(lat + l, sizeof(lat) - l, " (%s)", worst);
		}
		printf("  %7s  %5u  %4zu  %16s  %15s  %21s  %6.1f%%\n", sz,
		       r->pairs, r->runs, bw, pp, lat, r->overlap_pct);
	}
}

/* Nothing is written until everything that could refuse has. */
static int check_out(const struct merge_args *a, const char *dir,
		     const struct yb_scaling *s, struct yb_err *err)
{
	int rc = yb_scaling_check_out(dir, a->force, err);

	if (!rc && !a->no_plot) {
		struct yb_plot_opts po = { dir, a->formats, a->force };
		rc = yb_plot_scaling_check_out(&po, err);
		if (!rc)
			rc = yb_plot_scaling_fits(s, err);
	}
	return rc;
}

int cmd_merge(int argc, char **argv)
{
	static const struct argp argp = {
		merge_options, merge_parse, "SET...",
		"Merge the results of runs measured at the same time into a "
		"scaling table and graphs: aggregate bandwidth and per-pair "
		"latency against the number of pairs measured at once.\v"
		"Each SET is one level of concurrency: result directories or "
		"results.json files joined by commas, of runs whose clients "
		"ran at the same time (client --start-at in several guests, "
		"or one run --pairs N), e.g. `merge r1 r2a,r2b "
		"r4a,r4b,r4c,r4d`.  Its pairs are the sum of its runs' "
		"(--pairs N counts N).  The runs of a set must overlap on the "
		"wall clock; sets must differ in pairs.  Writes scaling.csv, "
		"scaling.json, scaling_bandwidth and scaling_latency.  "
		"Measure one message size per set (--min-bytes and "
		"--max-bytes alike): the sizes of a sweep drift apart "
		"between guests.",
		0, 0, 0
	};
	struct merge_args a = { .formats = YB_PLOT_PNG };
	struct yb_scaling_input in;
	struct yb_scaling s;
	struct yb_err err = { 0 };
	char dir[4096];
	int rc, written = 0;

	argp_parse(&argp, argc, argv, 0, 0, &a);
	rc = yb_scaling_load(a.sets, a.n, &in, &err);
	if (rc)
		return cmd_fail(rc, err.msg);
	rc = yb_scaling_merge(in.runs, in.n, a.n_sizes ? a.sizes : NULL,
			      a.n_sizes, &s, &err);
	if (rc == YB_EUSAGE) {
		char msg[sizeof(err.msg)];
		snprintf(msg, sizeof(msg), "%s", err.msg);
		yb_err_set(&err, rc, "--sizes: %s", msg);
	}
	if (rc) {
		yb_scaling_input_free(&in);
		return cmd_fail(rc, err.msg);
	}
	if (a.out_dir) {
		snprintf(dir, sizeof(dir), "%s", a.out_dir);
	} else {
		yb_default_dir(dir, sizeof(dir), "scaling-");
	}
	rc = check_out(&a, dir, &s, &err);
	if (!rc) {
		for (size_t i = 0; i < s.nnotes; i++)
			fprintf(stderr, "yasmin-bench: warning: %s\n",
				s.notes[i].msg);
		rc = yb_scaling_write(&s, dir, &err);
	}
	if (rc) {
		yb_scaling_free(&s);
		yb_scaling_input_free(&in);
		return cmd_fail(rc, err.msg);
	}
	print_table(&s);
	printf("\nresults: %s/%s %s/%s\n", dir, YB_SCALING_CSV, dir,
	       YB_SCALING_JSON);
	if (!a.no_plot) {
		struct yb_plot_opts po = { dir, a.formats, a.force };
		rc = yb_plot_scaling(&s, &po, &written, &err);
		if (rc)
			fprintf(stderr, "yasmin-bench: graphs not drawn: %s\n",
				err.msg);
		else
			yb_plot_print_scaling_graphs(stdout, dir, a.formats);
	}
	yb_scaling_free(&s);
	yb_scaling_input_free(&in);
	return yb_exit_status(rc);
}
