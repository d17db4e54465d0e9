/*
 * server.h - the server daemon: serves up to max_clients clients at once.
 *
 * Each client is served in a child process of its own (which runs the
 * server's side of the measurement, yb_serve in serve.h), on its own
 * connection and ring, so a client that misbehaves or vanishes takes only
 * that child down.  A client arriving when max_clients are being served
 * is told plainly that the server is full, naming the limit (with a limit
 * of one: that it is busy, and with whom), and the others go on.  The
 * refusal comes at the rendezvous where the transport allows it
 * (yb_ep_refuse), so the newcomer gets no ring, memory or grant.  Each
 * served client's WELCOME says how many clients the server was serving
 * when it started (clients_at_start), since clients measured at once
 * share the machine.
 */
#ifndef YB_SERVER_H
#define YB_SERVER_H

#include <signal.h>
#include <stdio.h>

#include "core/wire/transport.h"

struct yb_server_opts {
	int once;                    /* exit after the first client */
	int max_clients;             /* served at once (< 1: one) */
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
