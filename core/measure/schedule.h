/*
 * schedule.h - which message sizes a sweep visits, and how many times.
 *
 * Sizes follow NetPIPE: powers of two and the midpoints between them
 * (1, 2, 3, 4, 6, 8, 12, 16, 24, ...), each probed at -p, 0 and +p bytes
 * once the distance to the next size exceeds p + 1, so that effects of
 * alignment and of protocol thresholds show up.  Repetitions per point are
 * sized from the previous point's time so that every trial lasts about the
 * target time.
 */
#ifndef YB_SCHEDULE_H
#define YB_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/err.h"
#include "core/base/units.h"

struct yb_schedule_opts {
	uint64_t min_bytes;   /* >= 1 */
	uint64_t max_bytes;   /* >= min_bytes, <= YB_MAX_MSG_BYTES */
	unsigned perturbation; /* NetPIPE's +-p, 0 for none */
	int pow2_only;        /* 1, 2, 4, 8, ... only */
};

/*
 * Build the list of sizes.  min_bytes and max_bytes are always included
 * (the user asked for them).  *sizes is malloc'd; returns the count or a
 * negative YB_E* with err filled in.
 */
int yb_schedule_sizes(const struct yb_schedule_opts *o, uint64_t **sizes,
		      struct yb_err *err);

/*
 * Repetitions for the next point: enough for target_ns per trial given the
 * last measured time per repetition (scaled up by the size ratio when the
 * message grows), clamped to [min_reps, max_reps].
 */
uint64_t yb_reps_for(double last_ns_per_rep, uint64_t last_bytes,
		     uint64_t bytes, double target_ns, uint64_t min_reps,
		     uint64_t max_reps);

#endif /* YB_SCHEDULE_H */
