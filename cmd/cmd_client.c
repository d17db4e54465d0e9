/* cmd_client.c - `yasmin-bench client ADDRESS`: sweep against a server. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"
#include "../core/session.h"
#include "cmd.h"

struct client_args {
	struct cmd_sweep sweep;
	const char *addr;
	int timeout_ms;
};

enum { OPT_CONNECT_TIMEOUT = 300 };

static const struct argp_option client_options[] = {
	{ "connect-timeout", OPT_CONNECT_TIMEOUT, "SECONDS", 0,
	  "give up connecting after SECONDS (default 10)", 1 },
	{ 0 }
};

static error_t client_parse(int key, char *arg, struct argp_state *state)
{
	struct client_args *a = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->sweep;
		break;
	case OPT_CONNECT_TIMEOUT: {
		char *end;
		double t = strtod(arg, &end);
		if (*end || !(t > 0) || t > 86400)
			cmd_usage_error(state, "bad --connect-timeout '%s'", arg);
		a->timeout_ms = (int)(t * 1000);
		break;
	}
	case ARGP_KEY_ARG:
		if (a->addr)
			cmd_usage_error(state, "unexpected argument '%s'", arg);
		a->addr = arg;
		break;
	case ARGP_KEY_NO_ARGS:
		cmd_usage_error(state, "missing ADDRESS (e.g. tcp:127.0.0.1:7470)");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

int cmd_client(int argc, char **argv)
{
	static const struct argp_child children[] = { { &cmd_sweep_argp, 0, 0,
							0 },
						      { 0 } };
	static const struct argp argp = {
		client_options, client_parse, "ADDRESS",
		"Run a sweep against `yasmin-bench server` at ADDRESS and "
		"write the results.\v"
		"ADDRESS is TRANSPORT:ADDRESS, e.g. tcp:10.0.0.2:7470, "
		"unix:/run/yb.sock, shm:/run/yb-shm.sock, vsock:2:7470, or "
		"yasmin:DOMID / vchan:DOMID (the server's Xen domain).",
		children, 0, 0
	};
	struct client_args a;
	struct yb_err err = { 0 };
	struct yb_ep ep;
	const struct yb_transport *t;
	const char *rest;
	int rc;

	memset(&a, 0, sizeof(a));
	a.timeout_ms = 10000;
	cmd_sweep_init(&a.sweep);
	argp_parse(&argp, argc, argv, 0, 0, &a);
	/* The clock's read cost (cached for the metadata) measured now,
	 * while the server is idle: after connecting, the process it forks
	 * for us starts up at the very moment we would measure, and on a
	 * guest whose vCPUs share host cores that raised the figure. */
	(void)yb_clock_read_ns();

	/* Check the address before creating any file. */
	rc = yb_addr_split(a.addr, &t, &rest, &err);
	if (rc)
		return cmd_fail(rc, err.msg);

	rc = cmd_precheck(&a.sweep, &err);
	if (rc)
		return cmd_fail(rc, err.msg);
	/* Ring transports: one sweep (and connection) per configuration. */
	size_t nc = t->caps & YB_CAP_RING ? cmd_sweep_configs(&a.sweep) : 1;
	struct yb_tparams tp;
	cmd_sweep_config(&a.sweep, 0, &tp);
	/* Connect before creating any file: a dead server costs nothing. */
	rc = yb_ep_connect(&ep, a.addr, &tp, a.timeout_ms, &err);
	if (rc)
		return cmd_fail(rc, err.msg);
	struct yb_session s;
	rc = yb_session_open(&s, a.sweep.out_dir, a.sweep.force, &err);
	if (rc) {
		yb_ep_close(&ep);
		return cmd_fail(rc, err.msg);
	}
	yb_meta_set(&s.meta, "command", "client");
	yb_meta_set(&s.meta, "server_address", "%s", a.addr);
	yb_session_sweep_meta(&s, &a.sweep.so);
	a.sweep.so.sink = yb_session_point;
	a.sweep.so.sink_ctx = &s;
	a.sweep.so.progress = yb_session_progress;
	a.sweep.so.progress_ctx = &s;
	s.stats = a.sweep.stats;
	cmd_catch_signals();

	printf("yasmin-bench client: %s -> %s/\n", a.addr, s.dir);
	for (size_t c = 0; c < nc && !rc; c++) {
		if (c > 0) {
			cmd_sweep_config(&a.sweep, c, &tp);
			rc = yb_ep_connect(&ep, a.addr, &tp, a.timeout_ms,
					   &err);
			if (rc)
				break;
		}
		char prefix[128];
		struct yb_meta server;
		yb_session_connected(&s, &ep, prefix, sizeof(prefix));
		yb_meta_init(&server);
		rc = yb_sweep_run(&ep, t->name, &a.sweep.so, &server, &err);
		yb_session_progress_done(&s);
		if (!rc || rc == YB_EINTR)
			cmd_soak_report(&s, t->name, &a.sweep);
		yb_session_counters(&s, &ep, prefix, &server);
		/* The server describes itself once, under "server.". */
		for (size_t i = 0; i < server.n; i++)
			if (strncmp(server.kv[i].key, "server.counters.", 16))
				yb_meta_set(&s.meta, server.kv[i].key, "%s",
					    server.kv[i].value);
		yb_meta_free(&server);
		yb_ep_close(&ep);
	}
	return cmd_session_end(&s, rc, &err, &a.sweep);
}
