/*
 * soak.h - the soak: one size streamed for o->duration_s in trials of
 * about a second, one row (sweep.h: duration_s, struct yb_soak).  The
 * sweep's session (yb_sweep_run) runs it in place of the sweep.
 */
#ifndef YB_SOAK_H
#define YB_SOAK_H

#include "core/measure/trial.h"

/* o->duration_s of bytes-sized messages over c, one row; a's memory reused. */
int yb_soak_run(struct yb_client *c, const char *label, uint64_t bytes,
		struct yb_acc *a, struct yb_err *err);

#endif /* YB_SOAK_H */
