/*
 * server.h - the server daemon: serves one client after another.
 *
 * Each client is served in a child process (which runs the server's side
 * of the measurement, yb_serve in serve.h), so a client that misbehaves or
 * vanishes takes only that child down.  While one client is being
 * measured, a second one is told plainly that the server is busy (the
 * measurement would be spoiled by sharing it) and the first goes on.  The
 * refusal comes at the rendezvous where the transport allows it
 * (yb_ep_refuse), so the newcomer gets no ring, memory or grant.
 */
#ifndef YB_SERVER_H
#define YB_SERVER_H

#include <signal.h>
#include <stdio.h>

#include "core/wire/transport.h"

struct yb_server_opts {
	int once;                    /* exit after the first client */
	int timeout_ms;              /* idle limit for one client's commands */
	volatile sig_atomic_t *stop; /* set from a signal handler */
	FILE *log;                   /* one line per event, or NULL */
};

/*
 * Serve on a listening endpoint until stopped.  Returns 0, or with once
 * the first client's result.
 */
int yb_server_loop(struct yb_ep *listener, const struct yb_server_opts *o,
		   struct yb_err *err);

#endif /* YB_SERVER_H */
