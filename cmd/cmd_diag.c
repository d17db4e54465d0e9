/*
 * cmd_diag.c - `yasmin-bench diag`: what this guest or host can do, why a
 * transport is unavailable, and (--probe) the physical ceilings.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "core/host/diag.h"
#include "core/host/sysinfo.h"
#include "core/report/plot.h"
#include "transports/vsock.h"
#include "transports/xenfacts.h"

struct diag_args {
	int json;
	int probe;
	int peer;
	const char *results;
	int cpus[2];
	int have_cpus;
};

enum { OPT_JSON = 300, OPT_PROBE, OPT_PEER, OPT_RESULTS, OPT_CPUS };

static const struct argp_option diag_options[] = {
	{ "json", OPT_JSON, 0, 0, "print the facts as JSON", 0 },
	{ "probe", OPT_PROBE, 0, 0,
	  "measure single-core memcpy bandwidth and the cache-line trip "
	  "between two cores",
	  0 },
	{ "cpus", OPT_CPUS, "A,B", 0,
	  "the two CPUs of the cache-line probe (default: the first two "
	  "allowed)",
	  0 },
	{ "results", OPT_RESULTS, "FILE", 0,
	  "with --probe: set a run's figures (results.csv or .json) beside "
	  "the probes",
	  0 },
	{ "peer", OPT_PEER, "DOMID", 0,
	  "on Xen: whether that domain is on this host and, from dom0, "
	  "where the vCPUs of both domains run (warns when the two ends "
	  "can share a CPU or core)",
	  0 },
	{ 0 }
};

static error_t diag_parse(int key, char *arg, struct argp_state *state)
{
	struct diag_args *a = state->input;
	char *end;

	switch (key) {
	case OPT_JSON:
		a->json = 1;
		break;
	case OPT_PROBE:
		a->probe = 1;
		break;
	case OPT_CPUS:
		cmd_parse_cpus(state, arg, a->cpus);
		a->have_cpus = 1;
		break;
	case OPT_RESULTS:
		a->results = arg;
		break;
	case OPT_PEER: {
		long d = strtol(arg, &end, 10);
		if (end == arg || *end || d < 0 || d > 32767)
			cmd_usage_error(state, "bad --peer '%s': expected a "
					       "domain id, 0 to 32767",
					arg);
		a->peer = (int)d;
		break;
	}
	case ARGP_KEY_ARG:
		cmd_usage_error(state, "unexpected argument '%s'", arg);
		break;
	case ARGP_KEY_END:
		if (a->results && !a->probe)
			cmd_usage_error(state, "--results goes with --probe");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* The run's figures beside the probes: 1-byte latency, peak bandwidth. */
static int beside(struct yb_meta *m, const char *path)
{
	struct yb_results r;
	struct yb_err err = { 0 };
	char key[160], label[96];

	yb_results_init(&r);
	if (yb_plot_read(path, &r, &err)) {
		yb_results_free(&r);
		return cmd_fail(YB_EINVAL, err.msg);
	}
	const char *cl = yb_meta_get(m, "probe.cacheline_one_way_ns");
	const char *mc = yb_meta_get(m, "probe.memcpy_1m_gbytes");
	double cl_ns = cl ? strtod(cl, NULL) : 0, mc_g = mc ? strtod(mc, NULL) : 0;
	for (size_t i = 0; i < r.n; i++) {
		const struct yb_point *p = &r.p[i];
		yb_point_label(p, label, sizeof(label));
		for (char *c = label; *c; c++)
			if (*c == ' ' || *c == '.')
				*c = '_';
		if (p->mode == YB_MODE_PINGPONG && p->bytes == 1 && cl_ns > 0) {
			snprintf(key, sizeof(key), "results.%s.latency_1b", label);
			yb_meta_set(m, key, "%.3f us = %.1fx the cache-line trip",
				    p->lat_p50_us, p->lat_p50_us * 1000 / cl_ns);
		}
	}
	/* Peak stream bandwidth per curve (from its first row) vs memcpy. */
	for (size_t i = 0; i < r.n && mc_g > 0; i++) {
		const struct yb_point *p = &r.p[i];
		size_t first = 0;
		if (p->mode != YB_MODE_STREAM)
			continue;
		while (r.p[first].mode != YB_MODE_STREAM ||
		       !yb_point_same_curve(&r.p[first], p))
			first++;
		if (first != i)
			continue; /* curve already reported */
		double peak = 0;
		uint64_t at = 0;
		for (size_t j = i; j < r.n; j++) {
			const struct yb_point *q = &r.p[j];
			if (q->mode == YB_MODE_STREAM &&
			    yb_point_same_curve(q, p) && q->bw_gbps > peak) {
				peak = q->bw_gbps;
				at = q->bytes;
			}
		}
		yb_point_label(p, label, sizeof(label));
		for (char *c = label; *c; c++)
			if (*c == ' ' || *c == '.')
				*c = '_';
		snprintf(key, sizeof(key), "results.%s.peak_bandwidth", label);
		yb_meta_set(m, key,
			    "%.1f Gbit/s at %llu bytes = %.2f of one-core "
			    "memcpy (1 MiB)",
			    peak, (unsigned long long)at, peak / 8 / mc_g);
	}
	yb_results_free(&r);
	return 0;
}

static void print_text(const struct yb_meta *m)
{
	char section[64] = "";

	for (size_t i = 0; i < m->n; i++) {
		const char *k = m->kv[i].key;
		const char *dot = strchr(k, '.');
		size_t sl = dot ? (size_t)(dot - k) : 0;
		if (sl && (strlen(section) != sl ||
			   strncmp(section, k, sl) != 0)) {
			snprintf(section, sizeof(section), "%.*s", (int)sl, k);
			printf("%s%s:\n", i ? "\n" : "", section);
		}
		printf("  %-28s %s\n", dot ? dot + 1 : k, m->kv[i].value);
	}
}

/* Everything diag knows, in the order it is shown. */
static void diag_all(struct yb_meta *m, const struct yb_diag_opts *o)
{
	yb_diag_host(m);
	yb_xen_facts(m, o->peer);
	yb_vsock_facts(m);
	yb_diag_transports(m);
	if (o->probe)
		yb_diag_probes(m, o->cpu_a, o->cpu_b);
	if (geteuid() != 0)
		yb_meta_set(m, "note", "run as a regular user: devices root "
			    "could open may show as not usable");
}

int cmd_diag(int argc, char **argv)
{
	static const struct argp argp = {
		diag_options, diag_parse, "",
		"Tell what this guest or host can do: CPU and clock, Xen "
		"(domid, version, devices and whether this user may open them, "
		"the gntalloc limit, XenStore), AF_VSOCK, and each transport "
		"with the reason it is unavailable.\v"
		"Needs no root; what a regular user cannot see is said so.",
		0, 0, 0
	};
	struct diag_args a = { .peer = -1 };
	struct yb_meta m;
	int rc = 0;

	argp_parse(&argp, argc, argv, 0, 0, &a);
	struct yb_diag_opts o = { a.probe, -1, -1, a.peer };
	if (a.have_cpus) {
		o.cpu_a = a.cpus[0];
		o.cpu_b = a.cpus[1];
	} else {
		/* The two CPUs run would place its ends on. */
		struct yb_placement pl;
		yb_placement_default(&pl);
		o.cpu_a = pl.client;
		o.cpu_b = pl.server;
	}
	yb_meta_init(&m);
	diag_all(&m, &o);
	if (a.results)
		rc = beside(&m, a.results);
	if (!rc) {
		if (a.json) {
			json_t *root = json_object();
			yb_meta_to_json(&m, root);
			char *s = json_dumps(root, JSON_INDENT(2));
			printf("%s\n", s ? s : "{}");
			free(s);
			json_decref(root);
		} else {
			print_text(&m);
		}
	}
	yb_meta_free(&m);
	return rc;
}
