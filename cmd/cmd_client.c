/* cmd_client.c - `yasmin-bench client ADDRESS`: sweep against a server. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/base/clock.h"
#include "core/measure/session.h"
#include "core/host/sysinfo.h"
#include "cmd/cmd.h"

struct client_args {
	struct cmd_sweep sweep;
	const char *addr;
	int timeout_ms;
	int cpu; /* -1: not pinned */
	unsigned pairs;
	double start_at;   /* wall-clock seconds since the epoch; 0: now */
	double started_at; /* when the wait for it ended */
};

enum { OPT_CPUS = 'c', OPT_CONNECT_TIMEOUT = 300, OPT_PAIRS = 301,
       OPT_START_AT = 302 };

static const struct argp_option client_options[] = {
	{ "connect-timeout", OPT_CONNECT_TIMEOUT, "SECONDS", 0,
	  "give up connecting after SECONDS (default 10)", 1 },
	{ "cpus", OPT_CPUS, "N", 0,
	  "pin the client to CPU N (default: not pinned); the server pins "
	  "itself with server --cpus",
	  1 },
	{ "start-at", OPT_START_AT, "TIME", 0,
	  "wait until TIME before connecting, so that clients in several "
	  "guests begin together (Xen guests share the hypervisor's wall "
	  "clock): +SECONDS from now, @SECONDS since the epoch, or "
	  "YYYY-MM-DDTHH:MM:SS[.FRAC] in UTC (a trailing Z allowed); at "
	  "most a day ahead; the results record it and when the client "
	  "began",
	  1 },
	{ "pairs", OPT_PAIRS, "N", 0,
	  "measure N connections to the server at once, each from a client "
	  "process of its own with its own ring, in lock-step: a row per "
	  "pair and their total, as run --pairs (the server must serve N at "
	  "once: server --max-clients)",
	  1 },
	{ 0 }
};

/* The placement line, printed once the server has greeted us. */
struct placement_shown {
	const struct yb_meta *mine, *server;
	int done;
};

/* The sweep in progress (a client runs one at a time). */
static struct placement_shown *shown;

static void show_placement(struct placement_shown *ps)
{
	struct yb_placement p;
	char line[512];

	if (ps->done || ps->server->n == 0)
		return;
	yb_placement_client(ps->mine, ps->server, &p);
	printf("placement: %s\n", yb_placement_line(&p, line, sizeof(line)));
	const char *at = yb_meta_get(ps->server, "server.clients_at_start");
	if (at && atoi(at) > 1)
		printf("note: the server was serving %d clients as this one "
		       "started; they share its machine\n",
		       atoi(at));
	fflush(stdout);
	ps->done = 1;
}

/* Progress at the start of every point: the first comes right after the
 * server's greeting, before anything is timed. */
static void before_point(void *ctx, const struct yb_progress *p)
{
	if (shown)
		show_placement(shown);
	yb_session_progress(ctx, p);
}

/*
 * The server's self-description as strings came over the wire; its
 * numbers are typed as ours are (the same keys, from yb_sysinfo_meta) so
 * that a reader finds server.clock_read_ns a number like clock_read_ns.
 */
static int numeric_here(const struct yb_meta *mine, const char *key)
{
	if (strcmp(key, "cpu") == 0)
		return 1;
	for (size_t i = 0; i < mine->n; i++)
		if (strcmp(mine->kv[i].key, key) == 0)
			return mine->kv[i].numeric;
	return 0;
}

/* The server's self-description, and where the two ends ran. */
static void record_server(struct yb_meta *m, const struct yb_meta *server)
{
	for (size_t i = 0; i < server->n; i++) {
		const char *k = server->kv[i].key, *v = server->kv[i].value;
		char *end;
		if (strncmp(k, "server.counters.", 16) == 0)
			continue;
		double x = strtod(v, &end);
		int num = *v && !*end && numeric_here(m, k + 7);
		/* Integers stay exact (a wall-clock offset in ns has 19
		 * digits, more than a double holds). */
		errno = 0;
		long long ll = strtoll(v, &end, 10);
		if (num && !*end && !errno)
			yb_meta_set_int(m, k, ll);
		else if (num)
			yb_meta_set_num(m, k, x);
		else
			yb_meta_set(m, k, "%s", v);
	}
	if (server->n > 0) {
		struct yb_placement p;
		yb_placement_client(m, server, &p);
		yb_placement_client_meta(m, &p);
	}
}

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --start-at: +SECONDS, @EPOCH or an ISO 8601 UTC time, up to a day on. */
static double parse_start_at(const struct argp_state *state, const char *arg)
{
	double now = wall_now(), t = -1;
	char *end = NULL;

	if (arg[0] == '+' || arg[0] == '@') {
		double v = strtod(arg + 1, &end);
		if (end != arg + 1 && *end == '\0' && v >= 0)
			t = arg[0] == '+' ? now + v : v;
	} else {
		struct tm tm;
		memset(&tm, 0, sizeof(tm));
		const char *rest = strptime(arg, "%Y-%m-%dT%H:%M:%S", &tm);
		double frac = 0;
		if (rest && *rest == '.') {
			frac = strtod(rest, &end);
			rest = end;
		}
		if (rest && *rest == 'Z')
			rest++;
		if (rest && *rest == '\0')
			t = (double)timegm(&tm) + frac;
	}
	if (t < 0)
		cmd_usage_error(state,
				"bad --start-at '%s': expected +SECONDS, "
				"@SECONDS or YYYY-MM-DDTHH:MM:SS (UTC)",
				arg);
	if (t < now - 0.5)
		cmd_usage_error(state, "--start-at '%s' is %.1f s in the past",
				arg, now - t);
	if (t > now + 86400)
		cmd_usage_error(state,
				"--start-at '%s' is more than a day ahead", arg);
	return t;
}

/* Sleep until a->start_at on the wall clock; YB_EINTR if interrupted. */
static int wait_start(struct client_args *a)
{
	if (a->start_at > 0) {
		struct timespec ts = {
			(time_t)a->start_at,
			(long)((a->start_at - (double)(time_t)a->start_at) *
			       1e9)
		};
		printf("yasmin-bench client: waiting until %.3f (in %.3f s) "
		       "to begin\n",
		       a->start_at, a->start_at - wall_now());
		fflush(stdout);
		int e;
		while ((e = clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts,
					    NULL)) == EINTR)
			if (cmd_stop)
				return YB_EINTR;
		(void)e;
	}
	a->started_at = wall_now();
	return 0;
}

/* The start asked for and the one made, in the run's metadata. */
static void start_meta(struct yb_meta *m, const struct client_args *a)
{
	yb_meta_set(m, "started_at", "%.6f", a->started_at);
	if (a->start_at > 0) {
		yb_meta_set(m, "start_at", "%.6f", a->start_at);
		yb_meta_set(m, "start_late_ms", "%.3f",
			    (a->started_at - a->start_at) * 1000);
	}
}

static error_t client_parse(int key, char *arg, struct argp_state *state)
{
	struct client_args *a = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->sweep;
		break;
	case OPT_CPUS:
		a->cpu = cmd_parse_cpu(state, arg);
		break;
	case OPT_CONNECT_TIMEOUT: {
		char *end;
		double t = strtod(arg, &end);
		if (*end || !(t > 0) || t > 86400)
			cmd_usage_error(state, "bad --connect-timeout '%s'", arg);
		a->timeout_ms = (int)(t * 1000);
		break;
	}
	case OPT_PAIRS:
		a->pairs = cmd_parse_pairs(state, arg);
		break;
	case OPT_START_AT:
		a->start_at = parse_start_at(state, arg);
		break;
	case ARGP_KEY_END:
		cmd_check_pairs(state, a->pairs, &a->sweep);
		break;
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

/*
 * client --pairs N: N client processes at once, each with a connection
 * and ring of its own, one sweep per configuration; a refusal before
 * anything was measured leaves no files.
 */
static int client_pairs(struct client_args *a, const struct yb_transport *t,
			size_t nconfigs)
{
	struct yb_err err = { 0 };
	struct yb_session s;
	struct yb_tparams tp;
	int rc = yb_session_open(&s, a->sweep.out_dir, a->sweep.force, &err);

	if (rc)
		return cmd_fail(rc, err.msg);
	yb_meta_set(&s.meta, "command", "client");
	yb_meta_set(&s.meta, "server_address", "%s", a->addr);
	yb_session_sweep_meta(&s, &a->sweep.so);
	yb_meta_set_int(&s.meta, "pairs", a->pairs);
	start_meta(&s.meta, a);
	yb_meta_set(&s.meta, "placement.policy", "%s",
		    a->cpu >= 0 ? "every pair's client pinned by --cpus; "
				  "each server's CPU as it reports" :
				  "pair i's client on the i-th CPU this "
				  "process may use; each server's CPU as it "
				  "reports");
	a->sweep.so.sink = yb_session_point;
	a->sweep.so.sink_ctx = &s;
	a->sweep.so.progress = yb_session_progress;
	a->sweep.so.progress_ctx = &s;
	s.stats = a->sweep.stats;
	printf("yasmin-bench client: %u pairs to %s -> %s/\n", a->pairs,
	       a->addr, s.dir);
	for (size_t c = 0; c < nconfigs && !rc; c++) {
		cmd_sweep_config(&a->sweep, c, &tp);
		struct yb_local_opts lo = { a->cpu, -1, a->timeout_ms, &tp };
		rc = yb_run_remote_pairs(&s, t, a->addr, &a->sweep.so, &lo,
					 a->pairs, &err);
		if (rc == YB_EBUSY && c == 0 && s.results.n == 0) {
			yb_session_discard(&s);
			return cmd_fail(rc, err.msg);
		}
	}
	return cmd_session_end(&s, rc, &err, &a->sweep);
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
		"yasmin:DOMID / vchan:DOMID (the server's Xen domain).  The "
		"results record both ends' CPUs, whether each is pinned, and "
		"their relation when both run under one kernel (else "
		"different-hosts).",
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
	a.cpu = -1;
	cmd_sweep_init(&a.sweep);
	argp_parse(&argp, argc, argv, 0, 0, &a);
	if (a.cpu >= 0 && (rc = yb_pin_cpu(a.cpu, &err)) != 0)
		return cmd_fail(rc, err.msg);
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
	/* From here a Ctrl-C ends the wait, the sweep or the pairs. */
	cmd_catch_signals();
	rc = wait_start(&a);
	if (rc)
		return cmd_fail(rc, "interrupted before the start");
	if (a.pairs > 1)
		return client_pairs(&a, t, nc);
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
	start_meta(&s.meta, &a);
	yb_session_sweep_meta(&s, &a.sweep.so);
	yb_meta_set(&s.meta, "placement.policy", "%s",
		    a.cpu >= 0 ? "client pinned by --cpus; the server's CPU "
				 "as it reports" :
				 "client placed by the system (no --cpus); the "
				 "server's CPU as it reports");
	a.sweep.so.sink = yb_session_point;
	a.sweep.so.sink_ctx = &s;
	a.sweep.so.progress = before_point;
	a.sweep.so.progress_ctx = &s;
	s.stats = a.sweep.stats;

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
		struct placement_shown ps = { &s.meta, &server, c > 0 };
		yb_session_connected(&s, &ep, prefix, sizeof(prefix));
		yb_meta_init(&server);
		shown = &ps;
		rc = yb_sweep_run(&ep, t->name, &a.sweep.so, &server, &err);
		yb_session_progress_done(&s);
		show_placement(&ps); /* a soak has no points */
		shown = NULL;
		cmd_soak_report(&s, t->name, &a.sweep, rc, &err);
		yb_session_counters(&s, &ep, prefix, &server);
		/* The server describes itself once, under "server.". */
		record_server(&s.meta, &server);
		yb_meta_free(&server);
		yb_ep_close(&ep);
		if (rc == YB_EBUSY && c == 0 && s.results.n == 0) {
			/* Refused before anything was measured: leave no
			 * files behind, as a refusal at the rendezvous. */
			yb_session_discard(&s);
			return cmd_fail(rc, err.msg);
		}
	}
	return cmd_session_end(&s, rc, &err, &a.sweep);
}
