/*
 * cmd_compare.c - `yasmin-bench compare`: fail CI on a real regression.
 *
 *   compare BASELINE CURRENT   regression check between two runs
 *   compare --ratio A/B --min X FILE
 *                              within one run, A must beat B by X times
 *
 * Exit status: 0 no regression (or ratio met), 1 regression (or ratio
 * missed), 2 bad input.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/compare.h"
#include "../core/plot.h"
#include "cmd.h"

struct compare_args {
	const char *files[2];
	size_t n;
	double tolerance;
	unsigned metrics;
	int json;
	char ratio_a[64], ratio_b[64];
	int have_ratio;
	double min;
	int have_min;
	int mixed_verify;
};

enum {
	OPT_TOL = 't',
	OPT_METRIC = 'm',
	OPT_JSON = 300,
	OPT_RATIO,
	OPT_MIN,
	OPT_MIXED_VERIFY
};

static const struct argp_option compare_options[] = {
	{ "tolerance", OPT_TOL, "PCT", 0,
	  "a change smaller than PCT percent is never a regression "
	  "(default 10)",
	  0 },
	{ "metric", OPT_METRIC, "LIST", 0,
	  "what to compare, comma-separated: latency (one-way p50), p99, "
	  "p99.9, bandwidth, or both (latency and bandwidth; the default)",
	  0 },
	{ "mixed-verify", OPT_MIXED_VERIFY, 0, 0,
	  "compare a run made with --verify against one made without "
	  "(refused otherwise)",
	  0 },
	{ "json", OPT_JSON, 0, 0, "print the verdict as JSON", 0 },
	{ "ratio", OPT_RATIO, "A/B", 0,
	  "with one FILE: gate on how many times better transport A is than "
	  "B in that run (bandwidth A/B, latency B/A)",
	  0 },
	{ "min", OPT_MIN, "X", 0, "the least median ratio --ratio accepts", 0 },
	{ 0 }
};

static error_t compare_parse(int key, char *arg, struct argp_state *state)
{
	struct compare_args *a = state->input;
	char *end;

	switch (key) {
	case OPT_TOL:
		a->tolerance = strtod(arg, &end);
		if (end == arg || *end || !(a->tolerance >= 0) ||
		    a->tolerance > 1000)
			cmd_usage_error(state, "bad --tolerance '%s': expected "
					       "a percentage, 0 to 1000",
					arg);
		break;
	case OPT_METRIC: {
		char copy[128], *save = NULL;
		snprintf(copy, sizeof(copy), "%s", arg);
		a->metrics = 0;
		for (char *it = strtok_r(copy, ",", &save); it;
		     it = strtok_r(NULL, ",", &save)) {
			unsigned m = strcmp(it, "both") == 0 ?
					     YB_METRIC_LATENCY |
						     YB_METRIC_BANDWIDTH :
					     yb_metric_parse(it);
			if (!m)
				cmd_usage_error(state,
						"bad --metric '%s': expected "
						"latency, p99, p99.9, "
						"bandwidth or both",
						it);
			a->metrics |= m;
		}
		if (!a->metrics)
			cmd_usage_error(state, "--metric is empty");
		break;
	}
	case OPT_MIXED_VERIFY:
		a->mixed_verify = 1;
		break;
	case OPT_JSON:
		a->json = 1;
		break;
	case OPT_RATIO: {
		const char *slash = strchr(arg, '/');
		if (!slash || slash == arg || !slash[1] ||
		    (size_t)(slash - arg) >= sizeof(a->ratio_a) ||
		    strlen(slash + 1) >= sizeof(a->ratio_b))
			cmd_usage_error(state,
					"bad --ratio '%s': expected A/B, e.g. "
					"shm/tcp",
					arg);
		snprintf(a->ratio_a, sizeof(a->ratio_a), "%.*s",
			 (int)(slash - arg), arg);
		snprintf(a->ratio_b, sizeof(a->ratio_b), "%s", slash + 1);
		a->have_ratio = 1;
		break;
	}
	case OPT_MIN:
		a->min = strtod(arg, &end);
		if (end == arg || *end || !(a->min > 0) || !isfinite(a->min))
			cmd_usage_error(state, "bad --min '%s': expected a "
					       "positive number",
					arg);
		a->have_min = 1;
		break;
	case ARGP_KEY_ARG:
		if (a->n == 2)
			cmd_usage_error(state, "unexpected argument '%s'", arg);
		a->files[a->n++] = arg;
		break;
	case ARGP_KEY_END:
		if (a->have_ratio != a->have_min)
			cmd_usage_error(state, "--ratio and --min go together");
		if (a->have_ratio && a->n != 1)
			cmd_usage_error(state,
					"--ratio takes exactly one FILE");
		if (!a->have_ratio && a->n != 2)
			cmd_usage_error(state,
					"expected BASELINE and CURRENT files");
		if (a->have_ratio &&
		    a->metrics == (YB_METRIC_LATENCY | YB_METRIC_BANDWIDTH))
			a->metrics = YB_METRIC_BANDWIDTH;
		if (a->have_ratio && (a->metrics & (a->metrics - 1)))
			cmd_usage_error(state,
					"--ratio takes one --metric");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const char *metric_name(unsigned m)
{
	return yb_metric_name(m);
}

/* Runs made with and without --verify are not alike (unless told). */
static int check_verify(const struct compare_args *a,
			const struct yb_results r[2], struct yb_err *err)
{
	int v0 = yb_results_verified(&r[0]), v1 = yb_results_verified(&r[1]);

	if (a->mixed_verify || v0 == YB_VERIFY_UNKNOWN ||
	    v1 == YB_VERIFY_UNKNOWN || v0 == v1)
		return 0;
	return yb_err_set(err, YB_EINVAL,
			  "%s was measured %s --verify and %s %s it: compare "
			  "runs made alike, or pass --mixed-verify",
			  a->files[0], v0 == YB_VERIFY_YES ? "with" : "without",
			  a->files[1], v1 == YB_VERIFY_YES ? "with" : "without");
}

static int do_ratio(const struct compare_args *a, const struct yb_results *r)
{
	struct yb_err err = { 0 };
	double med, lo, hi;
	size_t n;
	int rc = yb_ratio(r, a->ratio_a, a->ratio_b, a->metrics, &med, &lo, &hi,
			  &n, &err);

	if (rc)
		return cmd_fail(rc, err.msg);
	int ok = med >= a->min;
	if (a->json) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:i, s:f, s:f, s:f, s:f, "
				      "s:b}",
				      "a", a->ratio_a, "b", a->ratio_b, "metric",
				      metric_name(a->metrics), "points", (int)n,
				      "median", med, "lowest", lo, "highest",
				      hi, "min", a->min, "ok", ok);
		char *s = json_dumps(o, JSON_INDENT(2));
		printf("%s\n", s);
		free(s);
		json_decref(o);
	} else {
		printf("%s/%s %s ratio over %zu sizes: median %.3g (lowest "
		       "%.3g, highest %.3g); required at least %g: %s\n",
		       a->ratio_a, a->ratio_b, metric_name(a->metrics), n, med,
		       lo, hi, a->min, ok ? "ok" : "FAILED");
	}
	return ok ? 0 : 1;
}

static void print_table(const struct yb_cmp *c, double tol)
{
	int w = 10;

	for (size_t i = 0; i < c->n; i++)
		if ((int)strlen(c->rows[i].curve) > w)
			w = (int)strlen(c->rows[i].curve);
	printf("%-*s %-9s %6s %9s %18s %8s  %s\n", w, "curve", "metric",
	       "points", "median", "worst (at bytes)", "noise", "verdict");
	for (size_t i = 0; i < c->n; i++) {
		const struct yb_cmp_row *r = &c->rows[i];
		char worst[40];
		snprintf(worst, sizeof(worst), "%+.1f%% @ %llu", r->worst_pct,
			 (unsigned long long)r->worst_bytes);
		printf("%-*s %-9s %6zu %+8.1f%% %18s %7.1f%%  %s\n", w,
		       r->curve, metric_name(r->metric), r->points,
		       r->median_pct, worst, r->noise_pct,
		       r->regressed ? "REGRESSION" : "ok");
	}
	printf("(change: + is worse; a curve regresses when its median change "
	       "exceeds %.3g%% and the noise of that median)\n",
	       tol);
	printf("%s\n", c->regressed ? "regression" : "no regression");
}

static void print_json(const struct yb_cmp *c, double tol)
{
	json_t *rows = json_array();

	for (size_t i = 0; i < c->n; i++) {
		const struct yb_cmp_row *r = &c->rows[i];
		json_array_append_new(
			rows,
			json_pack("{s:s, s:s, s:i, s:f, s:f, s:I, s:f, s:i, "
				  "s:b}",
				  "curve", r->curve, "metric",
				  metric_name(r->metric), "points",
				  (int)r->points, "median_change_pct",
				  r->median_pct, "worst_change_pct",
				  r->worst_pct, "worst_bytes",
				  (json_int_t)r->worst_bytes, "noise_pct",
				  r->noise_pct, "points_over", (int)r->over,
				  "regressed", r->regressed));
	}
	json_t *o = json_pack("{s:f, s:b, s:o}", "tolerance_pct", tol,
			      "regressed", c->regressed, "curves", rows);
	char *s = json_dumps(o, JSON_INDENT(2));
	printf("%s\n", s);
	free(s);
	json_decref(o);
}

int cmd_compare(int argc, char **argv)
{
	static const struct argp argp = {
		compare_options, compare_parse, "BASELINE CURRENT",
		"Compare a run against a baseline and fail (exit status 1) on "
		"a regression beyond the tolerance and beyond the noise the "
		"runs show themselves; or, with --ratio, gate on the ratio "
		"between two transports within one run.\v"
		"Exit status: 0 no regression, 1 regression, 2 bad input.",
		0, 0, 0
	};
	struct compare_args a = { .tolerance = 10,
				  .metrics = YB_METRIC_LATENCY |
					     YB_METRIC_BANDWIDTH };
	struct yb_results r[2];
	struct yb_err err = { 0 };
	int rc = 0;

	argp_parse(&argp, argc, argv, 0, 0, &a);
	for (size_t i = 0; i < a.n; i++)
		yb_results_init(&r[i]);
	for (size_t i = 0; i < a.n && !rc; i++) {
		rc = yb_plot_read(a.files[i], &r[i], &err);
		if (!rc && r[i].n == 0)
			rc = yb_err_set(&err, YB_EINVAL, "%s: no results in it",
					a.files[i]);
		if (!rc)
			rc = yb_results_unique(&r[i], a.files[i], &err);
	}
	int status;
	if (rc) {
		status = cmd_fail(YB_EINVAL, err.msg);
	} else if (a.have_ratio) {
		status = do_ratio(&a, &r[0]);
	} else {
		struct yb_cmp c;
		rc = check_verify(&a, r, &err);
		if (!rc)
			rc = yb_compare(&r[0], &r[1], a.metrics, a.tolerance,
					&c, &err);
		if (rc) {
			status = cmd_fail(YB_EINVAL, err.msg);
		} else {
			if (a.json)
				print_json(&c, a.tolerance);
			else
				print_table(&c, a.tolerance);
			status = c.regressed ? 1 : 0;
			yb_cmp_free(&c);
		}
	}
	for (size_t i = 0; i < a.n; i++)
		yb_results_free(&r[i]);
	return status;
}
