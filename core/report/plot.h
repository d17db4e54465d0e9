/*
 * plot.h - graphs of results through gnuplot.
 *
 * Results (CSV or JSON, several files overlaid) are grouped into curves -
 * one per transport, ring size, wait mode and pair, prefixed with a label
 * per file when there are several - and drawn with the scripts of plots/,
 * which the binary carries:
 *
 *   latency       one-way latency (p50) against message size, ping-pong
 *   bandwidth     bandwidth against message size, stream rows (ping-pong
 *                 rows for a file without any)
 *   latency_tail  p50, p99 and p99.9 against message size, ping-pong
 *   cpu           CPU time of the client and of the server against message
 *                 size, ping-pong and stream in a panel each
 *   latency_cdf   the distribution of one-way latency at a few message
 *                 sizes, from the round-trip histograms of results.json
 *
 * and, for `yasmin-bench merge` (scaling.h), against the number of pairs
 * measured at once:
 *
 *   scaling_bandwidth  aggregate bandwidth of stream rows
 *   scaling_latency    per-pair one-way latency (the median of the pairs'
 *                      p50) of ping-pong rows
 *
 * A graph with nothing to draw (a stream-only run has no latency, a CSV
 * no histograms, an old file no CPU figures) is left out with a note on
 * stderr; only an input with nothing at all to draw is an error.
 *
 * Each graph's data goes through a writer with a stated contract
 * (yb_plot_write_series, yb_plot_write_cdf) into a scratch file the
 * script reads, so that what gnuplot draws can be tested without it.  A
 * curve keeps its line type (colour) in every graph.
 */
#ifndef YB_PLOT_H
#define YB_PLOT_H

#include <stdint.h>
#include <stdio.h>

#include "core/base/err.h"
#include "core/report/results.h"

/* The largest results file read (a sweep writes well under 1 MiB). */
#define YB_RESULTS_MAX_FILE (64 << 20)

/*
 * Open a results file the user named and look at it: *st its status,
 * *json whether it starts like JSON ('{' after blanks).  0, or YB_EINVAL
 * naming the file (missing, unreadable, or larger than
 * YB_RESULTS_MAX_FILE).
 */
struct stat;
int yb_results_sniff(const char *path, struct stat *st, int *json,
		     struct yb_err *err);

#define YB_PLOT_PNG (1u << 0)
#define YB_PLOT_SVG (1u << 1)

/* Most message sizes in one latency CDF graph. */
#define YB_PLOT_MAX_CDF_SIZES 8

/* Most curves in a graph, and most blocks (curve x size) in a data file. */
#define YB_PLOT_MAX_CURVES 64
#define YB_PLOT_MAX_BLOCKS 256

struct yb_plot_opts {
	const char *out_dir;
	unsigned formats; /* YB_PLOT_PNG | YB_PLOT_SVG */
	/*
	 * Overwrite existing graphs.  A graph not drawn this time (nothing
	 * to draw) is then removed, so that a directory never holds graphs
	 * of two different inputs side by side.
	 */
	int force;
	/* The message sizes of the latency CDF (n_cdf_sizes of them, each
	 * with a ping-pong row); NULL: as yb_plot_cdf_sizes chooses. */
	const uint64_t *cdf_sizes;
	size_t n_cdf_sizes;
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

/* One line on fp: "graphs:" and the graph files of these formats that
 * are in dir (after yb_plot: the ones it drew). */
void yb_plot_print_graphs(FILE *fp, const char *dir, unsigned formats);

/*
 * The message sizes of the latency CDF, into sizes[] (room for
 * YB_PLOT_MAX_CDF_SIZES), their number in *nsizes.
 *
 * With want (nwant sizes, as given), each must be the size of a ping-pong
 * row of some set, and of one with a round-trip histogram when any row
 * has one; else YB_EUSAGE naming the size and the nearest there are.
 * Without want: the smallest size of a ping-pong row with a histogram,
 * and 64K, or when no such row is 64K the largest size below it, if that
 * is larger.  *nsizes is 0 when no row has a histogram (no CDF to draw).
 */
int yb_plot_cdf_sizes(const struct yb_results *sets, size_t n,
		      const uint64_t *want, size_t nwant, uint64_t *sizes,
		      size_t *nsizes, struct yb_err *err);

/*
 * The blocks of a data file, in order, as its script needs them.  Every
 * curve of the input (any mode, in the order first seen, set by set) has
 * a line type 1, 2, ..., the same in every graph.
 */
struct yb_plot_blocks {
	int n;          /* blocks written */
	int n_pingpong; /* YB_SERIES_CPU: blocks [0, n_pingpong) are ping-pong
			   rows, the rest stream rows; else 0 */
	unsigned modes; /* 1u << YB_MODE_* of each mode of the rows written */
	int lt[YB_PLOT_MAX_BLOCKS]; /* each block's curve's line type */
	int dt[YB_PLOT_MAX_BLOCKS]; /* the CDF: 1 + the index of its size in
				       sizes[]; else 1 */
};

/* Which rows a message-size graph draws. */
enum yb_plot_series {
	YB_SERIES_LATENCY,   /* ping-pong rows with a median latency */
	YB_SERIES_BANDWIDTH, /* a set's stream rows (its ping-pong rows when
				it has none) with a bandwidth above 0 */
	YB_SERIES_CPU,       /* rows with a CPU figure: ping-pong, then stream */
};

/*
 * The data of a graph against message size, onto fp: one gnuplot index
 * block per curve with rows of that kind (blocks separated by two empty
 * lines), its first line the curve's title in double quotes ("label: "
 * first when n > 1), then one line per message size, ascending (the first
 * row of a size when a set has two):
 *
 *   bytes lat_p50_us bw_gbps lat_p99_us lat_p999_us cpu_client_pct
 *   cpu_server_pct
 *
 * An absent figure - and a latency or bandwidth not above 0, which a
 * logarithmic axis cannot show - is written NaN, which gnuplot leaves out.
 * Returns 0 (b says what was written; no blocks: nothing to draw) or
 * YB_EIO when fp fails.
 */
int yb_plot_write_series(FILE *fp, const struct yb_results *sets,
			 const char *const *labels, size_t n,
			 enum yb_plot_series what, struct yb_plot_blocks *b,
			 struct yb_err *err);

/*
 * The data of the latency CDF onto fp: for each curve and each of the
 * nsizes sizes in turn, one block for the ping-pong row of that size
 * when it has a round-trip histogram with samples.  Its first line is the
 * title ("curve, 64 KiB"); then, for each bucket [low, high] ns with
 * samples, in ascending order, two lines "one_way_us fraction":
 *
 *   low / 2000   the fraction of the row's round trips below low
 *   high / 2000  the fraction at or below high
 *
 * One-way latency is half the round trip, as in every latency column;
 * each point is exact for the histogram, and a line between two points of
 * one bucket assumes its samples spread evenly inside it.  Returns 0, or
 * YB_EINVAL naming the row when its buckets overlap, or YB_EIO.
 */
int yb_plot_write_cdf(FILE *fp, const struct yb_results *sets,
		      const char *const *labels, size_t n,
		      const uint64_t *sizes, size_t nsizes,
		      struct yb_plot_blocks *b, struct yb_err *err);

/*
 * The graph of an A/B verdict (yasmin-bench ab; compare.h): ab.png/.svg
 * in o->out_dir, the rounds' changes and each curve's estimate with its
 * interval (plots/ab.gp).  c must hold paired rounds.  YB_EINVAL when it
 * has none; *written counts the files.
 */
struct yb_cmp;
int yb_plot_ab(const struct yb_cmp *c, double tolerance,
	       const struct yb_plot_opts *o, int *written, struct yb_err *err);

/*
 * The data of that graph onto fp: block 0, "x change_pct" for every
 * round of every curve (x = the curve's index, plus an offset in
 * [-0.25, 0.25] by round so that the dots do not cover each other);
 * two empty lines; block 1, per curve "x estimate low high "label"" with
 * the label "curve metric" in double quotes.  An interval end that is
 * not finite is written NaN.  Returns 0 or YB_EIO.
 */
int yb_plot_write_ab(FILE *fp, const struct yb_cmp *c, struct yb_err *err);

/* ---- scaling against pairs (yasmin-bench merge) ---------------------- */

struct yb_scaling;

/* Which scaling graph. */
enum yb_plot_scaling {
	YB_SCALING_BANDWIDTH, /* stream rows with bw_total_gbps above 0 */
	YB_SCALING_LATENCY,   /* ping-pong rows with lat_p50_us above 0 */
};

/*
 * The data of a scaling graph onto fp: one block per curve and message
 * size with rows of that kind, its first line the title in double quotes
 * ("shm 4M adaptive, 64 KiB"), then one line per set, pairs ascending:
 *
 *   pairs bw_total_gbps lat_p50_us lat_p50_worst_us bw_per_pair_gbps
 *
 * (NaN for an absent figure).  A block's line type is its curve's (1 +
 * the curve's place among all curves of s, so the same in both graphs),
 * its dash type 1 + the index of its size in s->sizes.  Returns 0 (no
 * blocks: nothing to draw), YB_EUSAGE when there would be more than
 * YB_PLOT_MAX_CURVES blocks (as yb_plot_scaling_fits), or YB_EIO.
 */
int yb_plot_write_scaling(FILE *fp, const struct yb_scaling *s,
			  enum yb_plot_scaling what, struct yb_plot_blocks *b,
			  struct yb_err *err);

/*
 * Can both graphs be drawn?  YB_EUSAGE, naming the graph and its number
 * of lines and suggesting --sizes, when one would have more than
 * YB_PLOT_MAX_CURVES.
 */
int yb_plot_scaling_fits(const struct yb_scaling *s, struct yb_err *err);

/* The scaling graph files of these formats, for overwrite checks. */
int yb_plot_scaling_check_out(const struct yb_plot_opts *o,
			      struct yb_err *err);

/* One line on fp: "graphs:" and the scaling graphs in dir. */
void yb_plot_print_scaling_graphs(FILE *fp, const char *dir,
				  unsigned formats);

/*
 * Draw scaling_bandwidth and scaling_latency (plots/scaling_pairs.gp)
 * into o->out_dir: x the pairs, logarithmic, y the figure, logarithmic.
 * A graph with nothing to draw is left out with a note on stderr (and
 * with o->force its old file removed).  *written counts the files.
 */
int yb_plot_scaling(const struct yb_scaling *s, const struct yb_plot_opts *o,
		    int *written, struct yb_err *err);

#endif /* YB_PLOT_H */
