/*
 * local.h - both ends of a sweep on this host: the server half in a child
 * process (forked, pinned, reaped, its rendezvous tidied away however it
 * ends), the client here.  pairs.h runs several such pairs at once.
 */
#ifndef YB_LOCAL_H
#define YB_LOCAL_H

#include <sys/types.h>

#include "core/base/err.h"
#include "core/wire/transport.h"
#include "core/measure/session.h"
#include "core/measure/sweep.h"

struct yb_local_opts {
	int cpu_client, cpu_server; /* -1: do not pin */
	int accept_timeout_ms;
	const struct yb_tparams *tp; /* ring settings, or NULL */
};

/*
 * Run both ends of a sweep over one transport on this host: the server in
 * a child process, the client here.  Transport settings and placement go
 * into s->meta under "transport.NAME." and "placement.".
 */
int yb_run_local(struct yb_session *s, const struct yb_transport *t,
		 const struct yb_sweep_opts *o, const struct yb_local_opts *lo,
		 struct yb_err *err);

/* The template of a local run's private rendezvous directory. */
#define YB_LOCAL_DIR "/tmp/yasmin-bench.XXXXXX"

/* The server half of a local run, running in a child process. */
struct yb_local_child {
	pid_t pid;
	char addr[YB_ADDR_MAX];		/* where its client connects */
	char dir[sizeof(YB_LOCAL_DIR)]; /* its private directory */
	char path[YB_ADDR_MAX];		/* its socket file there, or "" */
};

/*
 * Fork the server half of a local run.  The child makes the private
 * directory and a listener in it, reports the address, accepts one client,
 * removes the directory and serves it.  The directory exists only while a
 * living child owns it: a caller killed at any moment leaves a child that
 * notices within 200 ms, removes it and ends.  On failure the child is
 * reaped and nothing is left.
 */
int yb_local_spawn(const struct yb_transport *t,
		   const struct yb_local_opts *lo, struct yb_local_child *c,
		   struct yb_err *err);

/*
 * Wait for the child (SIGTERM it first if kill_it), then remove what a
 * child killed before it tidied up left behind.  0 with its wait status
 * (status may be NULL).
 */
int yb_local_reap(struct yb_local_child *c, int kill_it, int *status);

/*
 * For test builds only, and left undefined in yasmin-bench itself (a weak
 * reference, NULL there).  The A/B gate's benchmark and tests build a
 * copy of yasmin-bench that is slower by a known amount over one
 * transport (tests/slowdown.c): this is called in the server child of a
 * local run before it serves, with the transport's name, to install a
 * serve hook (a real delay before each echo).  outdir.h's
 * yb_session_point_hook scales the recorded figures.
 */
struct yb_serve_opts;
extern void yb_local_serve_hook(struct yb_serve_opts *so, const char *transport)
	__attribute__((weak));

#endif /* YB_LOCAL_H */
