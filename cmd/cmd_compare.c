/*
 * cmd_compare.c - `yasmin-bench compare`: fail CI on a real regression.
 *
 *   compare BASELINE CURRENT   regression check between two runs (the
 *                              noise: the trials' spread inside each)
 *   compare B1 B2... --against C1 C2...
 *                              several runs a side: the noise is the
 *                              spread between runs
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

#include "core/report/compare.h"
#include "core/report/plot.h"
#include "cmd/cmd.h"

#define MAX_FILES 256

struct compare_args {
	const char *files[MAX_FILES];
	size_t n;
	size_t nbase;  /* files before --against; all of them without it */
	int against;
	double tolerance;
	double confidence; /* percent */
	const char *relative;
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
	OPT_MIXED_VERIFY,
	OPT_AGAINST,
	OPT_CONFIDENCE,
	OPT_RELATIVE
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
	{ "against", OPT_AGAINST, 0, 0,
	  "the files before it are the baseline runs, the files after it the "
	  "current runs; with at least two a side the noise is the spread "
	  "between runs",
	  0 },
	{ "confidence", OPT_CONFIDENCE, "PCT", 0,
	  "level of the interval of the change with several runs a side "
	  "(default 95)",
	  0 },
	{ "relative-to", OPT_RELATIVE, "TRANSPORT", 0,
	  "judge every curve by its ratio to TRANSPORT (a transport or curve "
	  "label) measured in the same run, so that a drift of the host "
	  "that moves both cancels; or to 'probes': latency in cache-line "
	  "trips, bandwidth over memcpy's, as run --probe measured them",
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
		a->tolerance = cmd_parse_tolerance(state, arg);
		break;
	case OPT_METRIC:
		a->metrics = cmd_parse_metrics(state, arg);
		break;
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
	case OPT_AGAINST:
		if (a->against)
			cmd_usage_error(state, "--against given twice");
		a->against = 1;
		a->nbase = a->n;
		break;
	case OPT_CONFIDENCE:
		a->confidence = cmd_parse_confidence(state, arg);
		break;
	case OPT_RELATIVE:
		a->relative = cmd_parse_relative(state, arg);
		break;
	case ARGP_KEY_ARG:
		if (a->n == MAX_FILES)
			cmd_usage_error(state, "more than %d files", MAX_FILES);
		a->files[a->n++] = arg;
		break;
	case ARGP_KEY_END:
		if (!a->against)
			a->nbase = 1; /* BASELINE CURRENT */
		if (a->have_ratio != a->have_min)
			cmd_usage_error(state, "--ratio and --min go together");
		if (a->have_ratio && (a->n != 1 || a->against))
			cmd_usage_error(state,
					"--ratio takes exactly one FILE");
		if (!a->have_ratio && !a->against && a->n != 2)
			cmd_usage_error(state,
					"expected BASELINE and CURRENT files "
					"(several a side: BASELINE... "
					"--against CURRENT...)");
		if (a->against && (a->nbase == 0 || a->n == a->nbase))
			cmd_usage_error(state,
					"--against needs baseline files before "
					"it and current files after it");
		if (a->against && (a->nbase == 1) != (a->n - a->nbase == 1))
			cmd_usage_error(state,
					"%zu baseline and %zu current runs: give "
					"one a side, or at least two a side "
					"for the spread between runs",
					a->nbase, a->n - a->nbase);
		if (a->have_ratio && a->relative)
			cmd_usage_error(state,
					"--ratio and --relative-to do not go "
					"together");
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
			const struct yb_results *r, struct yb_err *err)
{
	size_t first = a->n;

	if (a->mixed_verify)
		return 0;
	for (size_t i = 0; i < a->n; i++) {
		int v = yb_results_verified(&r[i]);
		if (v == YB_VERIFY_UNKNOWN)
			continue;
		if (first == a->n) {
			first = i;
			continue;
		}
		int v0 = yb_results_verified(&r[first]);
		if (v != v0)
			return yb_err_set(
				err, YB_EINVAL,
				"%s was measured %s --verify and %s %s it: "
				"compare runs made alike, or pass "
				"--mixed-verify",
				a->files[first],
				v0 == YB_VERIFY_YES ? "with" : "without",
				a->files[i],
				v == YB_VERIFY_YES ? "with" : "without");
	}
	return 0;
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

int cmd_compare(int argc, char **argv)
{
	static const struct argp argp = {
		compare_options, compare_parse,
		"BASELINE CURRENT\nBASELINE... --against CURRENT...\n"
		"--ratio A/B --min X FILE",
		"Compare a run against a baseline and fail (exit status 1) on "
		"a regression beyond the tolerance and beyond the noise; or, "
		"with --ratio, gate on the ratio between two transports within "
		"one run.  With one run a side the noise is the spread inside "
		"each run; with several (--against) it is the spread between "
		"runs, which on shared machines is the larger.\v"
		"Exit status: 0 no regression, 1 regression, 2 bad input.",
		0, 0, 0
	};
	struct compare_args a = { .tolerance = 10,
				  .confidence = 95,
				  .metrics = YB_METRIC_LATENCY |
					     YB_METRIC_BANDWIDTH };
	static struct yb_results r[MAX_FILES];
	struct yb_err err = { 0 };
	int rc = 0;

	argp_parse(&argp, argc, argv, ARGP_IN_ORDER, 0, &a);
	for (size_t i = 0; i < a.n; i++)
		yb_results_init(&r[i]);
	for (size_t i = 0; i < a.n && !rc; i++) {
		rc = yb_plot_read(a.files[i], &r[i], &err);
		if (!rc && r[i].n == 0)
			rc = yb_err_set(&err, YB_EINVAL, "%s: no results in it",
					a.files[i]);
		if (!rc)
			rc = yb_results_unique(&r[i], a.files[i], &err);
		if (!rc && a.relative) {
			struct yb_results rel;
			rc = yb_results_relative(&r[i], a.relative, &rel, &err);
			if (rc) {
				char msg[sizeof(err.msg)];
				snprintf(msg, sizeof(msg), "%s", err.msg);
				yb_err_set(&err, rc, "%s: %s", a.files[i], msg);
			} else {
				yb_results_free(&r[i]);
				r[i] = rel;
			}
		}
	}
	int status;
	if (rc) {
		status = cmd_fail(YB_EINVAL, err.msg);
	} else if (a.have_ratio) {
		status = do_ratio(&a, &r[0]);
	} else {
		struct yb_cmp c;
		const struct yb_results *base[MAX_FILES], *cur[MAX_FILES];
		size_t nb = a.nbase, nc = a.n - a.nbase;
		for (size_t i = 0; i < nb; i++)
			base[i] = &r[i];
		for (size_t i = 0; i < nc; i++)
			cur[i] = &r[nb + i];
		rc = check_verify(&a, r, &err);
		if (!rc && nb == 1)
			rc = yb_compare(base[0], cur[0], a.metrics, a.tolerance,
					&c, &err);
		else if (!rc)
			rc = yb_compare_runs(base, nb, cur, nc, a.metrics,
					     a.tolerance, a.confidence / 100,
					     &c, &err);
		if (rc) {
			status = cmd_fail(YB_EINVAL, err.msg);
		} else {
			if (a.json)
				cmd_cmp_print_json(&c, a.tolerance, a.relative);
			else
				cmd_cmp_print(&c, a.tolerance, a.relative);
			status = c.regressed ? 1 : 0;
			yb_cmp_free(&c);
		}
	}
	for (size_t i = 0; i < a.n; i++)
		yb_results_free(&r[i]);
	return status;
}
