/*
 * session.h - what `run` and `client` share around a sweep: the session
 * (its output directory, metadata and collected results), what it records
 * about each connection (settings, counters) and about the sweep, and
 * progress on a terminal.
 *
 * Beside it: outdir.h opens and closes a session with its directory and
 * result files, local.h runs both ends of a sweep on this host (pairs.h
 * several at once), and the summary printed at the end is reporting's
 * (core/report/summary.h).
 */
#ifndef YB_SESSION_H
#define YB_SESSION_H

#include <limits.h>
#include <stdint.h>

#include "core/report/results.h"
#include "core/measure/sweep.h"

#define YB_SESSION_MAX_OUTPUTS 2

struct yb_session {
	char dir[PATH_MAX];
	struct yb_meta meta;
	struct yb_results results;
	struct yb_output *out[YB_SESSION_MAX_OUTPUTS];
	const struct yb_output_ops *ops[YB_SESSION_MAX_OUTPUTS];
	size_t nout;
	int progress_shown;
	int stats;                /* print transport counters */
	struct {                  /* settings of the sweep running now */
		uint64_t ring_bytes;
		char wait[12];
		unsigned pairs, pair; /* 0: a single connection */
	} cur;
};

/*
 * After connecting: record the transport's self-description in the
 * metadata under "transport.NAME." (ring transports: "transport.NAME.
 * SIZE-WAIT.", one entry per configuration) and take the ring size and
 * wait mode it reports (keys ring_bytes and wait) for the points that
 * follow.  prefix receives the metadata prefix used.
 */
void yb_session_connected(struct yb_session *s, const struct yb_ep *ep,
			  char *prefix, size_t len);
/* The ring size and wait mode a transport's description reports (0 and
 * "" for transports that are not rings). */
void yb_ring_settings(const struct yb_meta *describe, uint64_t *ring_bytes,
		      char *wait, size_t wait_len);
/*
 * After a sweep: our counters and the server's (server_meta keys
 * "server.counters.*") into the metadata under prefix, and on stdout
 * when s->stats is set.
 */
void yb_session_counters(struct yb_session *s, const struct yb_ep *ep,
			 const char *prefix, const struct yb_meta *server_meta);

/* Progress callback printing one updating line on stderr (a terminal). */
void yb_session_progress(void *ctx, const struct yb_progress *p);
/* End the progress line, if one is showing. */
void yb_session_progress_done(struct yb_session *s);
/* Put the sweep options into the metadata under "sweep.". */
void yb_session_sweep_meta(struct yb_session *s, const struct yb_sweep_opts *o);

#endif /* YB_SESSION_H */
