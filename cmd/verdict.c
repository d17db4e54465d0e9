/*
 * verdict.c - the verdict of a comparison, as compare and ab print it: a
 * table with one row per curve and metric, or JSON.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/report/compare.h"
#include "cmd/cmd.h"

void cmd_cmp_print(const struct yb_cmp *c, double tol, const char *relative)
{
	int w = 10;

	for (size_t i = 0; i < c->n; i++)
		if ((int)strlen(c->rows[i].curve) > w)
			w = (int)strlen(c->rows[i].curve);
	if (relative && strcmp(relative, YB_RELATIVE_PROBES) == 0)
		printf("every figure relative to its run's probes: latency in "
		       "one-way cache-line trips, bandwidth over one core's "
		       "memcpy\n");
	else if (relative)
		printf("every figure relative to %s in the same run\n",
		       relative);
	if (c->noise == YB_NOISE_WITHIN) {
		printf("%-*s %-9s %6s %9s %18s %8s  %s\n", w, "curve",
		       "metric", "points", "median", "worst (at bytes)",
		       "noise", "verdict");
		for (size_t i = 0; i < c->n; i++) {
			const struct yb_cmp_row *r = &c->rows[i];
			char worst[40];
			snprintf(worst, sizeof(worst), "%+.1f%% @ %llu",
				 r->worst_pct,
				 (unsigned long long)r->worst_bytes);
			printf("%-*s %-9s %6zu %+8.1f%% %18s %7.1f%%  %s\n", w,
			       r->curve, yb_metric_name(r->metric), r->points,
			       r->median_pct, worst, r->noise_pct,
			       r->regressed ? "REGRESSION" : "ok");
		}
		printf("(change: + is worse; a curve regresses when its median "
		       "change exceeds %.3g%% and the noise of that median.\n"
		       " One run a side: the noise is the spread of each run's "
		       "own trials, which misses the spread between runs - "
		       "pass several runs a side (BASELINE... --against "
		       "CURRENT...) or use `yasmin-bench ab`)\n",
		       tol);
	} else {
		char level[32];
		snprintf(level, sizeof(level), "%.4g%% interval",
			 c->conf * 100);
		printf("%-*s %-9s %6s %9s %19s %9s %18s  %s\n", w, "curve",
		       "metric", "points", "change", level,
		       c->noise == YB_NOISE_PAIRED ? "round" : "run",
		       "worst (at bytes)", "verdict");
		for (size_t i = 0; i < c->n; i++) {
			const struct yb_cmp_row *r = &c->rows[i];
			char worst[40], iv[48];
			snprintf(worst, sizeof(worst), "%+.1f%% @ %llu",
				 r->worst_pct,
				 (unsigned long long)r->worst_bytes);
			if (isinf(r->lo_pct) || isinf(r->hi_pct))
				snprintf(iv, sizeof(iv), "(too few runs)");
			else
				snprintf(iv, sizeof(iv), "%+.1f%% .. %+.1f%%",
					 r->lo_pct, r->hi_pct);
			printf("%-*s %-9s %6zu %+8.1f%% %19s %8.1f%% %18s  %s\n",
			       w, r->curve, yb_metric_name(r->metric),
			       r->points, r->median_pct, iv, r->noise_pct,
			       worst, r->regressed ? "REGRESSION" : "ok");
		}
		printf("(change: + is worse; %s is the spread of one %s's "
		       "change.  A curve regresses when its change exceeds "
		       "%.3g%% and the whole interval is above zero)\n",
		       c->noise == YB_NOISE_PAIRED ? "round" : "run",
		       c->noise == YB_NOISE_PAIRED ? "round" : "run", tol);
	}
	printf("%s\n", c->regressed ? "regression" : "no regression");
}

void cmd_cmp_print_json(const struct yb_cmp *c, double tol,
			const char *relative)
{
	json_t *o = yb_cmp_to_json(c, tol, relative);
	char *s = json_dumps(o, JSON_INDENT(2));
	printf("%s\n", s);
	free(s);
	json_decref(o);
}
