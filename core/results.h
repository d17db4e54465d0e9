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

#include "err.h"
#include "meta.h"

/*
 * The first twelve columns are fixed; later versions only append.  A
 * reader needs the fixed ones and takes the others when present.
 * ring_bytes and wait describe ring transports (0 and "none" otherwise);
 * pairs is the number of connections measured at once and pair which one
 * a row is (1..pairs), or 0 for the total of all of them.
 */
#define YB_CSV_BASE_COLUMNS                                                \
	"transport,mode,bytes,reps,trials,lat_min_us,lat_mean_us,lat_p50_us," \
	"lat_p99_us,lat_max_us,lat_stddev_us,bw_gbps"
#define YB_CSV_COLUMNS YB_CSV_BASE_COLUMNS ",ring_bytes,wait,pairs,pair"

/* Most connections measured at once (--pairs). */
#define YB_MAX_PAIRS 64

struct yb_point {
	char transport[32];
	unsigned mode; /* enum yb_mode */
	uint64_t bytes;
	uint64_t reps;     /* per trial */
	unsigned trials;
	double lat_min_us, lat_mean_us, lat_p50_us, lat_p99_us, lat_max_us;
	double lat_stddev_us; /* of the trial means */
	double bw_gbps;       /* 10^9 bit/s */
	uint64_t ring_bytes;  /* ring size per direction; 0: not a ring */
	char wait[12];        /* ring waiting policy; "none": not a ring */
	unsigned pairs;       /* connections measured at once (0 read as 1) */
	unsigned pair;        /* 1..pairs, or 0: the total of all pairs */
};

/*
 * The name of the curve a point belongs to: the transport, plus ring
 * size and wait mode for ring transports ("shm 1M adaptive").
 */
void yb_point_label(const struct yb_point *p, char *buf, size_t len);

/*
 * Do two points belong to the same curve (transport, ring size, wait
 * mode, pairs, pair)?  A row without pairs columns counts as pair 1 of 1.
 */
int yb_point_same_curve(const struct yb_point *a, const struct yb_point *b);

struct yb_results {
	struct yb_point *p;
	size_t n, cap;
	struct yb_meta meta;
};

void yb_results_init(struct yb_results *r);
void yb_results_free(struct yb_results *r);
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
