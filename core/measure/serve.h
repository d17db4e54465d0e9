/*
 * serve.h - the server's side of one measurement: a client's HELLO, its
 * RUNs (each answered with GO, the run, and a RESULT holding the server's
 * own time and CPU use) and its END, on one connected endpoint.  The
 * method is the one sweep.h describes from the client's side.
 *
 * This is one connection's work; the daemon that accepts clients one
 * after another and gives each a child process is server.c, and a local
 * run's child calls this directly (local.c).
 */
#ifndef YB_SERVE_H
#define YB_SERVE_H

#include <stdint.h>

#include "core/base/err.h"
#include "core/base/meta.h"
#include "core/wire/transport.h"

struct yb_serve_opts {
	int timeout_ms;            /* wait for the next command; -1 none */
	const struct yb_meta *info; /* sent to the client in WELCOME */
	/* Called when the client says END, before the reply goes out. */
	void (*on_end)(void *ctx);
	void *on_end_ctx;
	/*
	 * Optional: called inside the timed window after message index of a
	 * run arrives (ping-pong: before it is echoed; stream: counting from
	 * the first message completed after the receiver's first read, whose
	 * bytes are outside the window).  The known-answer
	 * tests use it to add a known delay or to drain at a known rate;
	 * nothing else should.
	 */
	void (*on_data)(void *ctx, unsigned mode, uint64_t bytes,
			uint64_t index);
	void *on_data_ctx;
};

/* Serve one client on a connected endpoint until it says END. */
int yb_serve(struct yb_ep *ep, const struct yb_serve_opts *o,
	     struct yb_err *err);

/* Refuse a client politely (busy server): one ERROR message, no wait. */
void yb_serve_refuse(struct yb_ep *ep, const char *why);

#endif /* YB_SERVE_H */
