/*
 * scaling.h - runs measured at the same time, merged into one scaling
 * table: aggregate bandwidth and per-pair latency against the number of
 * connections measured at once (the YASMIN paper's 2, 4 and 8 VM pairs).
 *
 * A set is one level of concurrency: one or more runs (results.json
 * files) whose clients ran at the same time - clients in several guests
 * started together with client --start-at, or one run --pairs N.  Its
 * pair count is the sum of its runs' pairs (a run without --pairs counts
 * one).  The runs of a set must have overlapping timed windows on the
 * wall clock: each trial's start is on its client's CLOCK_MONOTONIC, and
 * the clock_realtime_offset_ns of its results.json (CLOCK_REALTIME minus
 * CLOCK_MONOTONIC of that machine) puts it on the wall clock, which Xen
 * guests share with the hypervisor.
 *
 * A row of the table is one curve (transport, ring size, wait mode and a
 * stream's direction, as yb_point_label names it, without the pair), mode
 * and message size in
 * one set; scaling_same_row() in scaling.c is the one place that decides
 * which rows of the runs are the same.  Each run contributes its total
 * row (pair 0) when it measured several pairs, else its single row:
 *
 *   bw_total_gbps     the sum over the runs of each one's median trial
 *                     among those that ran wholly inside the row's
 *                     common window (the time every run of the set was
 *                     measuring the row); a set of one run: its
 *                     bw_median_gbps.  Not the best trials, and not
 *                     trials run while another run was still starting
 *                     or already done: those need not have run at the
 *                     same time, and their sum would claim an aggregate
 *                     never reached.  A run with no trial inside the
 *                     common window leaves the row out, with a note.
 *   bw_per_pair_gbps  bw_total_gbps / pairs
 *   lat_p50_us        ping-pong: the median over the set's pairs of each
 *                     pair's p50 one-way latency (a --pairs run's per-pair
 *                     rows); NAN for stream rows
 *   lat_p50_worst_us  the highest pair's p50
 *   overlap_pct       how much of the shortest run's window for the row
 *                     (its first trial's start to its last trial's end)
 *                     all runs shared: the intersection of the windows
 *                     over the shortest, x 100; 100 for a set of one run
 *
 * What is refused (an error naming the files; nothing merged): two runs of
 * a set whose windows over all their rows do not overlap; a run in a set
 * of several without wall-clock times (no clock_realtime_offset_ns, or no
 * trial detail); two sets of the same pair count; a run whose rows mix
 * pair counts.  What is left out with a note in yb_scaling.notes: a row
 * not measured by every run of its set, a row whose runs' windows do not
 * overlap (0 %: a sweep of several sizes drifts apart between guests),
 * and message sizes not measured in every set.
 *
 * Nothing here prints or parses options; cmd_merge.c does.
 */
#ifndef YB_SCALING_H
#define YB_SCALING_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/base/err.h"
#include "core/report/results.h"

#define YB_SCALING_CSV_COLUMNS                                            \
	"transport,mode,bytes,pairs,runs,bw_total_gbps,bw_per_pair_gbps,"   \
	"lat_p50_us,lat_p50_worst_us,overlap_pct"

/* The files a merge writes into its directory. */
#define YB_SCALING_CSV "scaling.csv"
#define YB_SCALING_JSON "scaling.json"

/* One run handed to yb_scaling_merge (borrowed; must outlive the merge). */
struct yb_scaling_run {
	const char *file;            /* its name in messages and the JSON */
	const struct yb_results *r;  /* its rows and metadata */
	size_t set;                  /* 0, 1, ...: runs of a set together,
					sets in ascending order */
};

/* A run as merged. */
struct yb_scaling_runinfo {
	const char *file;  /* borrowed from the input */
	size_t set;
	unsigned pairs;    /* connections it measured at once */
	int has_offset;    /* its clock_realtime_offset_ns is known */
	int64_t offset_ns; /* then: CLOCK_REALTIME - CLOCK_MONOTONIC */
	int has_trials;    /* every row has its trials' times */
	/* Wall clock (ns since the epoch) of its first trial's start and its
	 * last trial's end over all rows; valid when has_offset and
	 * has_trials. */
	int64_t start_ns, end_ns;
	char host[64], date[32], version[48]; /* from its metadata, or "" */
};

struct yb_scaling_set {
	size_t first, n; /* its runs: runs[first .. first + n) */
	unsigned pairs;  /* the sum of its runs' */
	char name[256];  /* its files joined by commas (shortened) */
};

struct yb_scaling_row {
	char curve[80];   /* transport, ring size, wait mode */
	char group[112];  /* the curve and mode, "shm 4M adaptive stream":
			     the rows printed (and sorted) together */
	struct yb_point key; /* a row it was made from (details dropped) */
	size_t set;
	unsigned pairs;
	size_t runs;
	double bw_total_gbps, bw_per_pair_gbps;
	double lat_p50_us, lat_p50_worst_us; /* NAN: stream rows */
	double overlap_pct;
};

struct yb_scaling_note {
	char msg[YB_ERR_MSG_MAX];
};

struct yb_scaling {
	struct yb_scaling_runinfo *runs;
	size_t nruns;
	struct yb_scaling_set *sets;
	size_t nsets;
	/* Sorted by group (curve, then mode), message size, pairs. */
	struct yb_scaling_row *rows;
	size_t nrows;
	/* The message sizes of the rows, ascending. */
	uint64_t *sizes;
	size_t nsizes;
	/* What was left out and why, one line each, for the user. */
	struct yb_scaling_note *notes;
	size_t nnotes;
};

/* Are two rows of the table of the same curve, mode and message size? */
int yb_scaling_same_row(const struct yb_scaling_row *a,
			const struct yb_scaling_row *b);

void yb_scaling_init(struct yb_scaling *s);
void yb_scaling_free(struct yb_scaling *s);

/*
 * Merge n runs (see struct yb_scaling_run) into s.  sizes (nsizes of
 * them) restricts the rows to those message sizes, each of which some
 * run must have measured (else YB_EUSAGE naming it); with none, the sizes
 * measured in every set are used.  0, or YB_EINVAL (or YB_EUSAGE, or
 * YB_ENOMEM) with the reason in err; s is then empty.
 */
int yb_scaling_merge(const struct yb_scaling_run *runs, size_t n,
		     const uint64_t *sizes, size_t nsizes,
		     struct yb_scaling *s, struct yb_err *err);

/* ---- reading the sets -------------------------------------------------- */

/* The runs of the SET arguments, read, as yb_scaling_merge takes them. */
struct yb_scaling_input {
	struct yb_scaling_run *runs;
	struct yb_results *res; /* res[i] is runs[i].r */
	char **files;           /* files[i] is runs[i].file */
	size_t n;
};

void yb_scaling_input_free(struct yb_scaling_input *in);

/*
 * Read nsets SET arguments, each one or more result directories or
 * results.json files joined by commas.  A directory stands for its
 * results.json.  A CSV, a directory without results.json, an unreadable
 * or malformed file, an empty item and a file given twice are errors
 * (YB_EINVAL or YB_EUSAGE, naming it); in is then empty.
 */
int yb_scaling_load(const char *const *sets, size_t nsets,
		    struct yb_scaling_input *in, struct yb_err *err);

/* ---- writing ------------------------------------------------------------ */

/* Would writing into dir overwrite scaling.csv or scaling.json?  0, or
 * YB_EOUTPUT naming the file (never with force). */
int yb_scaling_check_out(const char *dir, int force, struct yb_err *err);

/*
 * The table onto fp: the YB_SCALING_CSV_COLUMNS header, then one line per
 * row, an absent figure an empty field.  0 or YB_EIO.
 */
int yb_scaling_write_csv(FILE *fp, const struct yb_scaling *s,
			 struct yb_err *err);

/*
 * Create dir (and its parents) and write scaling.csv and scaling.json
 * into it (each through a temporary file renamed into place).  The JSON
 * holds format, format_version, meta (program, version, date, command),
 * sets (pairs, and per run its file, pairs, host and wall-clock window in
 * ISO 8601 UTC) and rows (the CSV's columns, absent figures null).
 * 0, or YB_EOUTPUT.
 */
int yb_scaling_write(const struct yb_scaling *s, const char *dir,
		     struct yb_err *err);

#endif /* YB_SCALING_H */
