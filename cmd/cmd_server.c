/* cmd_server.c - `yasmin-bench server ADDRESS`: the daemon. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/measure/server.h"
#include "core/host/sysinfo.h"
#include "core/host/wake.h"
#include "cmd/cmd.h"

struct server_args {
	const char *addr;
	int once;
	int max_clients;
	int timeout_ms;
	int cpu; /* -1: not pinned */
};

enum { OPT_ONCE = '1', OPT_CPUS = 'c', OPT_IDLE = 301, OPT_MAX = 302 };

#define DEFAULT_MAX_CLIENTS 16
#define MOST_CLIENTS 1024

static const struct argp_option server_options[] = {
	{ "once", OPT_ONCE, 0, 0,
	  "serve one client, then exit with its result", 0 },
	{ "cpus", OPT_CPUS, "N", 0,
	  "pin the server, and every process it forks to serve a client, to "
	  "CPU N (default: not pinned)",
	  0 },
	{ "max-clients", OPT_MAX, "N", 0,
	  "serve up to N clients at once, each in a process of its own "
	  "(default 16); one more is refused, told the limit",
	  0 },
	{ "idle-timeout", OPT_IDLE, "SECONDS", 0,
	  "drop a client that sends no command for SECONDS (default 60)", 0 },
	{ 0 }
};

static error_t server_parse(int key, char *arg, struct argp_state *state)
{
	struct server_args *a = state->input;

	switch (key) {
	case OPT_ONCE:
		a->once = 1;
		break;
	case OPT_CPUS:
		a->cpu = cmd_parse_cpu(state, arg);
		break;
	case OPT_MAX: {
		char *end;
		long n = strtol(arg, &end, 10);
		if (*end || end == arg || n < 1 || n > MOST_CLIENTS)
			cmd_usage_error(state,
					"bad --max-clients '%s': expected 1 to "
					"%d",
					arg, MOST_CLIENTS);
		a->max_clients = (int)n;
		break;
	}
	case OPT_IDLE: {
		char *end;
		double t = strtod(arg, &end);
		if (*end || !(t > 0) || t > 86400)
			cmd_usage_error(state, "bad --idle-timeout '%s'", arg);
		a->timeout_ms = (int)(t * 1000);
		break;
	}
	case ARGP_KEY_ARG:
		if (a->addr)
			cmd_usage_error(state, "unexpected argument '%s'", arg);
		a->addr = arg;
		break;
	case ARGP_KEY_NO_ARGS:
		cmd_usage_error(state,
			   "missing ADDRESS (e.g. tcp:0.0.0.0:7470 or "
			   "unix:/run/yb.sock)");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

int cmd_server(int argc, char **argv)
{
	static const struct argp argp = {
		server_options, server_parse, "ADDRESS",
		"Serve yasmin-bench clients on ADDRESS, several at once, "
		"until interrupted.\v"
		"Each client is served in a process of its own; one arriving "
		"while --max-clients are served is told the server is full. "
		"Clients measured at once share this machine: each one's "
		"results record how many there were. ADDRESS is TRANSPORT:ADDRESS, e.g. "
		"tcp:0.0.0.0:7470, tcp:[::]:7470, tcp:7470 (every interface), "
		"unix:/run/yb.sock, shm:/run/yb-shm.sock, vsock:7470, or, "
		"between Xen domains, yasmin:DOMID, vchan:DOMID (the client's "
		"domain) or yasmin:any.",
		0, 0, 0
	};
	struct server_args a = { .timeout_ms = 60000, .cpu = -1,
				 .max_clients = DEFAULT_MAX_CLIENTS };
	struct yb_err err = { 0 };
	struct yb_ep listener;
	int rc;

	argp_parse(&argp, argc, argv, 0, 0, &a);
	/* Before anything else: the children inherit the affinity. */
	if (a.cpu >= 0 && (rc = yb_pin_cpu(a.cpu, &err)) != 0)
		return cmd_fail(rc, err.msg);
	/* The clock's read cost, measured here while no client runs and
	 * inherited by every serving process: measured in one, it overlaps
	 * the client's own start, which on a guest whose vCPUs share host
	 * cores raised the figure now and then. */
	(void)yb_clock_read_ns();
	/* Adaptive waiting's spin budget likewise: one probe here, not one
	 * per client beside that client's measurement. */
	(void)yb_spin_budget_ns(NULL);
	rc = yb_ep_listen(&listener, a.addr, &err);
	if (rc)
		return cmd_fail(rc, err.msg);
	cmd_catch_signals();
	struct yb_server_opts o = {
		.once = a.once,
		.max_clients = a.max_clients,
		.timeout_ms = a.timeout_ms,
		.stop = &cmd_stop,
		.log = stderr,
	};
	rc = yb_server_loop(&listener, &o, &err);
	yb_ep_close(&listener);
	if (rc && err.msg[0])
		return cmd_fail(rc, err.msg);
	return rc ? YB_EXIT_FAIL : 0;
}
