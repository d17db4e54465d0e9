/*
 * placement.c - which CPUs the two ends run on: the --cpus options of
 * run, bench, diag, client and server, and the placement of a local run when
 * --cpus is not given.
 */
#include <stdlib.h>

#include "core/host/sysinfo.h"
#include "core/host/topo.h"
#include "cmd/cmd.h"

/* Is cpu one this process may run on? */
static int allowed(int cpu)
{
	int cpus[1024];
	int n = yb_allowed_cpus(cpus, 1024);

	for (int i = 0; i < n; i++)
		if (cpus[i] == cpu)
			return 1;
	return 0;
}

void cmd_parse_cpus(const struct argp_state *state, const char *arg,
		    int cpus[2])
{
	char *end;
	long x = strtol(arg, &end, 10), y;

	if (end == arg || *end != ',')
		cmd_usage_error(state, "bad --cpus '%s': expected A,B", arg);
	char *s = end + 1;
	y = strtol(s, &end, 10);
	if (end == s || *end || x < 0 || y < 0 || x > 1023 || y > 1023)
		cmd_usage_error(state, "bad --cpus '%s': expected A,B", arg);
	for (int i = 0; i < 2; i++) {
		long c = i ? y : x;
		if (!allowed((int)c))
			cmd_usage_error(state,
					"--cpus: CPU %ld is not online or not "
					"allowed for this process",
					c);
	}
	cpus[0] = (int)x;
	cpus[1] = (int)y;
}

int cmd_parse_cpu(const struct argp_state *state, const char *arg)
{
	char *end;
	long c = strtol(arg, &end, 10);

	if (end == arg || *end || *arg == '-' || *arg == '+' || c > 1023)
		cmd_usage_error(state,
				"bad --cpus '%s': expected one CPU number "
				"(this end's)",
				arg);
	if (!allowed((int)c))
		cmd_usage_error(state,
				"--cpus: CPU %ld is not online or not allowed "
				"for this process",
				c);
	return (int)c;
}

const char *cmd_placement(int have_cpus, const int cpus[2],
			  struct yb_local_opts *lo, struct yb_placement *pl)
{
	if (have_cpus)
		yb_placement_of(cpus[0], cpus[1], pl);
	else
		yb_placement_default(pl);
	lo->cpu_client = pl->client;
	lo->cpu_server = pl->server;
	if (have_cpus)
		return "pinned (--cpus)";
	if (pl->client >= 0)
		/* "Two different CPUs" alone said nothing of SMT siblings;
		 * the relation says what they are. */
		return "pinned to two different CPUs (default): distinct "
		       "cores sharing a last-level cache and a NUMA node "
		       "where the topology allows";
	return "unpinned (one CPU available)";
}

const char *cmd_pairs_placement(struct yb_local_opts *lo)
{
	int two[2];

	lo->cpu_client = lo->cpu_server = -1;
	if (yb_allowed_cpus(two, 2) < 2)
		return "unpinned (one CPU available)";
	return "pairs spread (default): pair i's client on CPU i mod n, its "
	       "server on CPU i+1 mod n of the n allowed";
}
