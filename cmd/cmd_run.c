/* cmd_run.c - `yasmin-bench run`: both ends on this host, every transport. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/host/diag.h"
#include "core/measure/session.h"
#include "cmd/cmd.h"

#define MAX_LIST 16

struct run_args {
	struct cmd_sweep sweep;
	char *transports; /* comma list, or NULL for every local one */
	int cpus[2];
	int have_cpus;
	unsigned pairs;
	int probe;
};

enum { OPT_TRANSPORTS = 't', OPT_CPUS = 'c', OPT_PAIRS = 400, OPT_PROBE };

static const struct argp_option run_options[] = {
	{ "transports", OPT_TRANSPORTS, "LIST", 0,
	  "comma-separated transports to measure (default: every one "
	  "available here)",
	  1 },
	{ "cpus", OPT_CPUS, "A,B", 0,
	  "pin the client to CPU A and the server to CPU B (default: two "
	  "distinct cores, sharing a last-level cache and a NUMA node where "
	  "possible; SMT siblings only when nothing else exists)",
	  1 },
	{ "pairs", OPT_PAIRS, "N", 0,
	  "measure N connections at once, each its own client and server "
	  "process, in step; records every pair and their total; pair i's "
	  "client on CPU i, its server on CPU i+1, round robin, unless "
	  "--cpus (default 1)",
	  1 },
	{ "probe", OPT_PROBE, 0, 0,
	  "first measure the machine's floors, as diag --probe does: a "
	  "cache line's one-way trip between the two ends' CPUs and one "
	  "core's memcpy bandwidth; recorded under probe. in the JSON, for "
	  "compare and ab --relative-to probes (about a second)",
	  1 },
	{ 0 }
};

static error_t run_parse(int key, char *arg, struct argp_state *state)
{
	struct run_args *a = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->sweep;
		break;
	case OPT_TRANSPORTS:
		a->transports = arg;
		break;
	case OPT_CPUS:
		cmd_parse_cpus(state, arg, a->cpus);
		a->have_cpus = 1;
		break;
	case OPT_PROBE:
		a->probe = 1;
		break;
	case OPT_PAIRS:
		a->pairs = cmd_parse_pairs(state, arg);
		break;
	case ARGP_KEY_END:
		cmd_check_pairs(state, a->pairs, &a->sweep);
		break;
	case ARGP_KEY_ARG:
		cmd_usage_error(state, "unexpected argument '%s'", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* Resolve the transport list; explicit names must exist and work here. */
static int pick_transports(const char *list, const struct yb_transport **out,
			   size_t *n, struct yb_err *err)
{
	*n = 0;
	if (!list) {
		for (size_t i = 0; i < yb_transport_count(); i++) {
			const struct yb_transport *t = yb_transport_at(i);
			struct yb_err e;
			if (!(t->caps & YB_CAP_LOCAL))
				continue;
			if (t->probe(&e) != 0) {
				fprintf(stderr, "yasmin-bench: skipping %s: %s\n",
					t->name, e.msg);
				continue;
			}
			/* Without a loopback (vsock on most hosts) a transport
			 * simply is not local here: no message for that. */
			if (yb_transport_local_probe(t, &e) != 0)
				continue;
			if (*n < MAX_LIST)
				out[(*n)++] = t;
		}
		if (*n == 0)
			return yb_err_set(err, YB_ENOTSUP,
					  "no transport can run locally here");
		return 0;
	}
	char *copy = strdup(list), *save = NULL;
	int rc = 0;
	if (!copy)
		return yb_err_set(err, YB_ENOMEM, "out of memory");
	for (char *name = strtok_r(copy, ",", &save); name && !rc;
	     name = strtok_r(NULL, ",", &save)) {
		const struct yb_transport *t = yb_transport_find(name);
		if (!t) {
			rc = yb_err_set(err, YB_EUSAGE,
					"unknown transport '%s' in --transports "
					"(see yasmin-bench transports)",
					name);
		} else if (!(t->caps & YB_CAP_LOCAL)) {
			rc = yb_err_set(err, YB_ENOTSUP,
					"%s cannot run both ends on one host; "
					"use server and client",
					name);
		} else if (t->probe(err) != 0 ||
			   yb_transport_local_probe(t, err) != 0) {
			char why[sizeof(err->msg)];
			snprintf(why, sizeof(why), "%s", err->msg);
			rc = yb_err_set(err, YB_ENOTSUP, "%s: %s", name, why);
		} else {
			for (size_t i = 0; i < *n; i++)
				if (out[i] == t)
					rc = yb_err_set(err, YB_EUSAGE,
							"transport '%s' listed "
							"twice",
							name);
			if (!rc && *n < MAX_LIST)
				out[(*n)++] = t;
		}
	}
	if (!rc && *n == 0)
		rc = yb_err_set(err, YB_EUSAGE, "--transports is empty");
	free(copy);
	return rc;
}

/* "shm,unix,tcp": the transports to measure, for the metadata. */
static void transport_names(const struct yb_transport *const *list, size_t n,
			    char *names, size_t len)
{
	names[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(names);
		snprintf(names + l, len - l, "%s%s", i ? "," : "",
			 list[i]->name);
	}
}

/* --probe: the machine's floors into the metadata, and a line on stdout. */
static void run_probes(struct yb_meta *m, const struct yb_local_opts *lo)
{
	yb_diag_probes(m, lo->cpu_client, lo->cpu_server);
	const char *cl = yb_meta_get(m, "probe.cacheline_one_way_ns"),
		   *mc = yb_meta_get(m, "probe.memcpy_1m_gbytes");
	char lt[96], bw[96];
	if (cl && isdigit((unsigned char)*cl))
		snprintf(lt, sizeof(lt), "%.1f ns", strtod(cl, NULL));
	else
		snprintf(lt, sizeof(lt), "%s", cl ? cl : "not measured");
	if (mc && isdigit((unsigned char)*mc))
		snprintf(bw, sizeof(bw), "%.1f GB/s", strtod(mc, NULL));
	else
		snprintf(bw, sizeof(bw), "%s", mc ? mc : "not measured");
	printf("probes: a cache line one way in %s, memcpy of 1M at %s\n", lt,
	       bw);
}

int cmd_run(int argc, char **argv)
{
	static const struct argp_child children[] = { { &cmd_sweep_argp, 0, 0,
							0 },
						      { 0 } };
	static const struct argp argp = {
		run_options, run_parse, "",
		"Run a sweep with both ends on this host, over every local "
		"transport one after another, and print a summary.\v"
		"Writes results.csv and results.json into the output "
		"directory.  Before measuring it prints the CPUs of the two "
		"ends and their relation (smt-siblings, same-llc, "
		"distinct-cores when sysfs lists no caches, cross-llc, "
		"cross-numa, same-cpu, unpinned), which the JSON records under "
		"placement, beside the clock's read cost (clock_read_ns) and "
		"clocksource.",
		children, 0, 0
	};
	struct run_args a;
	struct yb_err err = { 0 };
	const struct yb_transport *list[MAX_LIST];
	size_t n;
	int rc;

	memset(&a, 0, sizeof(a));
	cmd_sweep_init(&a.sweep);
	argp_parse(&argp, argc, argv, 0, 0, &a);

	rc = pick_transports(a.transports, list, &n, &err);
	if (!rc)
		rc = cmd_precheck(&a.sweep, &err);
	if (rc)
		return cmd_fail(rc, err.msg);

	struct yb_local_opts lo = { -1, -1, 10000, NULL };
	struct yb_placement pl;
	const char *placement = cmd_placement(a.have_cpus, a.cpus, &lo, &pl);
	int spread = a.pairs > 1 && !a.have_cpus;
	if (spread)
		placement = cmd_pairs_placement(&lo);

	struct yb_session s;
	rc = yb_session_open(&s, a.sweep.out_dir, a.sweep.force, &err);
	if (rc)
		return cmd_fail(rc, err.msg);
	yb_meta_set(&s.meta, "command", "run");
	yb_session_sweep_meta(&s, &a.sweep.so);
	yb_meta_set(&s.meta, "placement.policy", "%s", placement);
	/* Spread pairs have no one pair of CPUs: each pair's are recorded
	 * (with their relation) under placement.<transport>.pairN. */
	if (!spread)
		yb_placement_meta(&s.meta, "placement.", &pl);
	char names[256];
	transport_names(list, n, names, sizeof(names));
	yb_meta_set(&s.meta, "transports", "%s", names);
	yb_meta_set_int(&s.meta, "pairs", a.pairs > 1 ? a.pairs : 1);

	a.sweep.so.sink = yb_session_point;
	a.sweep.so.sink_ctx = &s;
	a.sweep.so.progress = yb_session_progress;
	a.sweep.so.progress_ctx = &s;
	cmd_catch_signals();

	s.stats = a.sweep.stats;
	printf("yasmin-bench run: %s -> %s/\n", names, s.dir);
	if (spread) {
		printf("placement: %u pairs spread, pair i's client on the "
		       "i-th allowed CPU, its server on the next\n",
		       a.pairs);
	} else {
		char line[512];
		printf("placement: %s\n",
		       yb_placement_line(&pl, line, sizeof(line)));
	}
	if (a.probe)
		run_probes(&s.meta, &lo);
	fflush(stdout);
	for (size_t i = 0; i < n && !rc; i++) {
		/* Ring transports: one sweep per ring size and wait mode. */
		size_t nc = list[i]->caps & YB_CAP_RING ?
				    cmd_sweep_configs(&a.sweep) :
				    1;
		for (size_t c = 0; c < nc && !rc; c++) {
			struct yb_tparams tp;
			cmd_sweep_config(&a.sweep, c, &tp);
			lo.tp = &tp;
			if (a.pairs > 1)
				rc = yb_run_local_pairs(&s, list[i],
							&a.sweep.so, &lo,
							a.pairs, &err);
			else
				rc = yb_run_local(&s, list[i], &a.sweep.so,
						  &lo, &err);
			cmd_soak_report(&s, list[i]->name, &a.sweep, rc, &err);
			lo.tp = NULL;
		}
	}
	yb_session_progress_done(&s);
	/* The CPUs each transport's ends (or each pair) ran on, related. */
	yb_placement_annotate(&s.meta);

	return cmd_session_end(&s, rc, &err, &a.sweep);
}
