/*
 * results.h - one row of results per (transport, mode, message size), and
 * the writers and readers of the CSV and JSON files that hold them.
 *
 * The CSV has one header line and the columns in YB_CSV_COLUMNS order;
 * run metadata lives only in the JSON, where a CSV reader cannot trip on
 * it.  Output formats are two implementations of struct yb_output_ops, so
 * code that produces points never branches on the format.
 */
#ifndef YB_RESULTS_H
#define YB_RESULTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/base/err.h"
#include "core/base/meta.h"

/*
 * The first twelve columns are fixed; later versions only append.  A
 * reader needs the fixed ones and takes the others when present.
 * ring_bytes and wait describe ring transports (0 and "none" otherwise);
 * pairs is the number of connections measured at once and pair which one
 * a row is (1..pairs), or 0 for the total of all of them.  direction is
 * where a stream's data went: c2s (client to server), s2c (--reverse) or
 * both (--bidir: bandwidth is then the two directions' sum); ping-pong
 * rows say both.
 */
#define YB_CSV_BASE_COLUMNS                                                \
	"transport,mode,bytes,reps,trials,lat_min_us,lat_mean_us,lat_p50_us," \
	"lat_p99_us,lat_max_us,lat_stddev_us,bw_gbps"
#define YB_CSV_COLUMNS                                                     \
	YB_CSV_BASE_COLUMNS ",ring_bytes,wait,pairs,pair,lat_p999_us,"       \
			    "bw_min_gbps,bw_median_gbps,cpu_client_pct,"     \
			    "cpu_server_pct,verify,direction"

/* Most connections measured at once (--pairs). */
#define YB_MAX_PAIRS 64

/* Most trials a row keeps one by one in results.json. */
#define YB_TRIALS_KEPT_MAX 1000

/* One recorded trial of a row, as results.json keeps it. */
struct yb_trial {
	uint64_t start_ns;   /* the client's CLOCK_MONOTONIC when it began */
	uint64_t elapsed_ns; /* ping-pong: its round trips; stream: the
				receiver's time; a pairs total: from
				the first pair's start to the last one's
				end */
	uint64_t reps;       /* repetitions (a pairs total: of all pairs) */
	/* A stream both ways at once: each direction's receiver time, and
	 * elapsed_ns = 1 / (1 / c2s_ns + 1 / s2c_ns), the time in which the
	 * two directions together move one direction's bytes; else 0. */
	uint64_t c2s_ns, s2c_ns;
};

/* One bucket of a round-trip histogram: count samples in [low, high] ns. */
struct yb_hbin {
	uint64_t low, high, count;
};

/* yb_point.verify */
#define YB_VERIFY_NO 0
#define YB_VERIFY_YES 1    /* checked in an untimed pass per point */
#define YB_VERIFY_INLINE 2 /* checked inside the timed window (soak) */
#define YB_VERIFY_UNKNOWN -1 /* a file from before the column */

/*
 * One row.  A figure that does not apply or was not measured is NAN and
 * an empty CSV field: stream rows have no latency, a pairs total row has
 * only bandwidth and CPU, and files from older versions lack the later
 * columns.
 */
struct yb_point {
	char transport[32];
	unsigned mode; /* enum yb_mode */
	uint64_t bytes;
	uint64_t reps;     /* per trial */
	unsigned trials;
	/* One-way latency (ping-pong: round trip / 2) over every round trip
	 * of every recorded trial; order statistics by nearest rank. */
	double lat_min_us, lat_mean_us, lat_p50_us, lat_p99_us, lat_max_us;
	double lat_stddev_us; /* of the trial means */
	double bw_gbps;       /* 10^9 bit/s, the best trial */
	uint64_t ring_bytes;  /* ring size per direction; 0: not a ring */
	char wait[12];        /* ring waiting policy; "none": not a ring */
	unsigned pairs;       /* connections measured at once (0 read as 1) */
	unsigned pair;        /* 1..pairs, or 0: the total of all pairs */
	double lat_p999_us;
	double bw_min_gbps, bw_median_gbps; /* over the trials */
	/* CPU time (user + system) of each end over its timed windows, in
	 * percent of one core; a pairs total sums its pairs. */
	double cpu_client_pct, cpu_server_pct;
	int verify;           /* YB_VERIFY_* */
	unsigned direction;   /* enum yb_dir (a file without it: c2s for
				 streams, both for ping-pong) */
	/* results.json only, streams both ways at once: each direction's
	 * bandwidth in the median trial of that direction (else NAN). */
	double bw_c2s_gbps, bw_s2c_gbps;
	/* results.json only: context switches per repetition, and whether
	 * the percentiles are exact (1), from the histogram (0), unknown. */
	double csw_client_vol, csw_client_invol;
	double csw_server_vol, csw_server_invol;
	int pct_exact;
	/*
	 * results.json only, and NULL when absent: the recorded trials
	 * (trials of them) and the round-trip histogram (hist_n buckets).
	 * Borrowed in a point handed to a sink; yb_results_add copies them
	 * and yb_results_free frees the copies.
	 */
	const struct yb_trial *trial;
	const struct yb_hbin *hist;
	size_t hist_n;
};

/* "yes", "no", "inline", or "" for YB_VERIFY_UNKNOWN. */
const char *yb_verify_name(int v);

/* Mark every latency figure (and the derived ones) of p as absent. */
void yb_point_clear_latency(struct yb_point *p);

/* Every invariant a row promises (min <= p50 <= p99 <= p99.9 <= max,
 * mean within [min, max], bw_min <= bw_median <= bw, stream rows without
 * latency, CPU not negative); 0, or -1 with what is wrong in why. */
int yb_point_check(const struct yb_point *p, char *why, size_t len);

/*
 * The name of the curve a point belongs to: the transport, plus ring
 * size and wait mode for ring transports ("shm 1M adaptive"), plus "s2c"
 * or "bidir" for streams that did not flow from client to server.
 */
void yb_point_label(const struct yb_point *p, char *buf, size_t len);

/*
 * Do two points belong to the same curve (transport, ring size, wait
 * mode, pairs, pair, and a stream's direction: ping-pong rows go with
 * c2s streams, as one run's rows)?  A row without pairs columns counts as
 * pair 1 of 1.
 */
int yb_point_same_curve(const struct yb_point *a, const struct yb_point *b);

struct yb_results {
	struct yb_point *p;
	size_t n, cap;
	struct yb_meta meta;
};

void yb_results_init(struct yb_results *r);
void yb_results_free(struct yb_results *r);
/* Append a copy of p (its trials and histogram too); 0 or YB_ENOMEM. */
int yb_results_add(struct yb_results *r, const struct yb_point *p);

/* One CSV row (no newline handling surprises: fields never need quotes). */
int yb_csv_format(const struct yb_point *p, char *buf, size_t len);
/* Read a results CSV; errors name the file and line. */
int yb_csv_read(const char *path, struct yb_results *r, struct yb_err *err);
/* Read a results JSON (records and metadata). */
int yb_json_read(const char *path, struct yb_results *r, struct yb_err *err);

/* Output sinks. */
struct yb_output;
struct yb_output_ops {
	const char *name;     /* "csv", "json" */
	const char *filename; /* file name inside the output directory */
	/*
	 * Create the file.  meta is the caller's and must outlive the sink;
	 * it may still grow while points arrive.
	 */
	int (*open)(struct yb_output **o, const char *path,
		    const struct yb_meta *meta, struct yb_err *err);
	/* Record a point; the file on disk is valid after every call. */
	int (*point)(struct yb_output *o, const struct yb_point *p,
		     struct yb_err *err);
	/* Write the final file (complete = 0 if the run was cut short), free. */
	int (*finish)(struct yb_output *o, int complete, struct yb_err *err);
};

/*
 * Metadata into a JSON object (jansson's json_t; declared here by its
 * struct tag so that only files that use JSON include jansson): dotted
 * keys become nested objects, numeric values numbers.  0 or YB_ENOMEM.
 */
struct json_t;
int yb_meta_to_json(const struct yb_meta *m, struct json_t *obj);

extern const struct yb_output_ops yb_output_csv;
extern const struct yb_output_ops yb_output_json;

#endif /* YB_RESULTS_H */
