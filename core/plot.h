/*
 * plot.h - latency and bandwidth graphs through gnuplot.
 *
 * Results (CSV or JSON, several files overlaid) are grouped into curves -
 * one per transport, ring size, wait mode and pair, prefixed with a label
 * per file when there are several - and drawn with the scripts of plots/,
 * which the binary carries: latency (p50) and bandwidth against message
 * size, and the latency tail (p50 and p99).
 */
#ifndef YB_PLOT_H
#define YB_PLOT_H

#include "err.h"
#include "results.h"

/* The largest results file read (a sweep writes well under 1 MiB). */
#define YB_RESULTS_MAX_FILE (64 << 20)

#define YB_PLOT_PNG (1u << 0)
#define YB_PLOT_SVG (1u << 1)

struct yb_plot_opts {
	const char *out_dir;
	unsigned formats; /* YB_PLOT_PNG | YB_PLOT_SVG */
	int force;        /* overwrite existing graphs */
};

/*
 * Read a results file: JSON when it parses as our JSON, else CSV.  A CSV
 * next to a results.json takes its metadata from there.
 */
int yb_plot_read(const char *path, struct yb_results *r, struct yb_err *err);

/* Is gnuplot there?  0, or YB_ENOTSUP with what to install. */
int yb_plot_available(struct yb_err *err);

/*
 * Draw the graphs of n result sets (labels name them when n > 1) into
 * o->out_dir; returns 0 and the number of files written in *written.
 */
int yb_plot(const struct yb_results *sets, const char *const *labels,
	    size_t n, const struct yb_plot_opts *o, int *written,
	    struct yb_err *err);

/* The graph files yb_plot writes for these formats, for overwrite checks. */
int yb_plot_check_out(const struct yb_plot_opts *o, struct yb_err *err);

#endif /* YB_PLOT_H */
