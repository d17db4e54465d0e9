/*
 * finish.c - the end of a session of run and client: the summary, the
 * clock's warnings, the result files and the graphs drawn from them; and,
 * before measuring, the check that those files and graphs can be written.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/base/meta.h"
#include "core/measure/session.h"
#include "core/report/plot.h"
#include "core/report/results.h"
#include "cmd/cmd.h"

int cmd_precheck(const struct cmd_sweep *cs, struct yb_err *err)
{
	int rc = yb_session_precheck(cs->out_dir, cs->force, err);

	if (!rc && !cs->no_plot && cs->out_dir) {
		struct yb_plot_opts po = { cs->out_dir, YB_PLOT_PNG, cs->force };
		rc = yb_plot_check_out(&po, err);
	}
	return rc;
}

/* Graphs of the run just written; 0 or an error in err. */
static int draw(const char *dir, struct yb_err *err)
{
	char path[PATH_MAX + 32];
	struct yb_results r;
	int written;

	snprintf(path, sizeof(path), "%s/results.json", dir);
	yb_results_init(&r);
	int rc = yb_plot_read(path, &r, err);
	if (!rc && r.n > 0) {
		const char *label = "results";
		struct yb_plot_opts po = { dir, YB_PLOT_PNG, 1 };
		rc = yb_plot(&r, &label, 1, &po, &written, err);
	}
	yb_results_free(&r);
	return rc;
}

int cmd_session_end(struct yb_session *s, int rc, const struct yb_err *err,
		    const struct cmd_sweep *cs)
{
	char dir[sizeof(s->dir)];
	struct yb_err cerr = { 0 }, perr = { 0 };

	yb_summary_print(stdout, &s->results);
	const char *cr = yb_meta_get(&s->meta, "clock_read_ns");
	char warn[400];
	if (cr && yb_clock_cost_warning(&s->results, strtod(cr, NULL), warn,
					sizeof(warn))) {
		fprintf(stderr, "yasmin-bench: warning: %s\n", warn);
		yb_meta_set(&s->meta, "clock_warning", "%s", warn);
	}
	uint64_t stalled = 0;
	if (yb_clock_stall_warning(&s->results, warn, sizeof(warn), &stalled)) {
		fprintf(stderr, "yasmin-bench: warning: %s\n", warn);
		yb_meta_set(&s->meta, "clock_stall_warning", "%s", warn);
	}
	yb_meta_set_int(&s->meta, "clock_stalled_round_trips",
			(long long)stalled);
	snprintf(dir, sizeof(dir), "%s", s->dir);
	size_t points = s->results.n;
	int crc = yb_session_close(s, rc == 0, &cerr);
	int prc = 0;
	if (!crc && !cs->no_plot && points > 0)
		prc = draw(dir, &perr);
	if (rc == YB_EINTR) {
		fprintf(stderr,
			"yasmin-bench: interrupted; the points measured so far "
			"are in %s/\n",
			dir);
		return YB_EXIT_INTR;
	}
	if (rc)
		return cmd_fail(rc, err->msg);
	if (crc)
		return cmd_fail(crc, cerr.msg);
	printf("results: %s/results.csv %s/results.json\n", dir, dir);
	if (prc) {
		fprintf(stderr, "yasmin-bench: graphs not drawn: %s\n",
			perr.msg);
		return yb_exit_status(prc);
	}
	if (!cs->no_plot)
		yb_plot_print_graphs(stdout, dir, YB_PLOT_PNG);
	return 0;
}
