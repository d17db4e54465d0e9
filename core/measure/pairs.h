/*
 * pairs.h - several connections measured at once on this host (--pairs);
 * see pairs.c for how they are kept in step and how their total is
 * counted.
 */
#ifndef YB_PAIRS_H
#define YB_PAIRS_H

#include "core/base/err.h"
#include "core/wire/transport.h"
#include "core/measure/local.h"
#include "core/measure/session.h"
#include "core/measure/sweep.h"

/*
 * yb_run_local (local.h) with npairs connections at once (npairs >= 2):
 * npairs server and npairs client processes, every sweep stepping through
 * the sizes in lock-step, so that the trials of all pairs overlap.
 * Records each pair's rows (pair 1..npairs) and their total (pair 0:
 * every byte of every pair over the span of their trials, and CPU
 * summed).  Pair i runs its client on CPU cpus[i mod n] and its server on
 * cpus[(i + 1) mod n] of the n CPUs this process may use, so that each
 * CPU carries as many senders as receivers (lo's CPUs, when given, hold
 * every pair).
 */
int yb_run_local_pairs(struct yb_session *s, const struct yb_transport *t,
		       const struct yb_sweep_opts *o,
		       const struct yb_local_opts *lo, unsigned npairs,
		       struct yb_err *err);

/*
 * The same against a server elsewhere (client --pairs): npairs client
 * processes, each with its own connection (and ring) to addr, in the same
 * lock-step, recorded the same way; the server serves them at once
 * (server --max-clients).  Pair i's client runs on cpus[i mod n] unless
 * lo pins them all; where the server ran each pair is as it reports.
 */
int yb_run_remote_pairs(struct yb_session *s, const struct yb_transport *t,
			const char *addr, const struct yb_sweep_opts *o,
			const struct yb_local_opts *lo, unsigned npairs,
			struct yb_err *err);

#endif /* YB_PAIRS_H */
