/*
 * topo.h - CPU topology from sysfs, and where the two ends of a run go.
 *
 * Two processes exchanging messages through memory pay for every cache
 * line that crosses between their CPUs, and that cost depends on how the
 * CPUs are related: two hardware threads of one core share its L1 and L2
 * (and compete for its execution units), two cores under one last-level
 * cache exchange lines through it, and cores under different caches or on
 * different NUMA nodes go through the interconnect.  A latency figure means
 * little without saying which of these it was measured across, so every
 * placement is recorded with its relation, and facts sysfs does not give
 * (virtual machines often expose no caches) are said to be unknown rather
 * than guessed.
 *
 * The chooser is a pure function over a small description of the CPUs
 * (struct yb_cpu_topo), so that it can be tested with invented machines;
 * yb_topo_read fills that description from sysfs.
 */
#ifndef YB_TOPO_H
#define YB_TOPO_H

#include <stddef.h>

#include "core/base/meta.h"

/* What sysfs says about one logical CPU; -1 wherever it says nothing. */
struct yb_cpu_topo {
	int cpu;     /* logical CPU number */
	int core;    /* lowest CPU among its SMT siblings (itself included) */
	int core_id; /* topology/core_id, unique within its package */
	int package; /* topology/physical_package_id */
	int llc;     /* lowest CPU sharing its last-level cache */
	int node;    /* NUMA node */
};

/*
 * How two CPUs are related (the pinned ones from closest to farthest,
 * then the cases where no topology applies); the names yb_relation_name
 * returns are what the metadata and the man page use.
 */
enum yb_relation {
	YB_REL_UNPINNED,       /* "unpinned": an end is not pinned */
	YB_REL_SAME_CPU,       /* "same-cpu": both on one logical CPU */
	YB_REL_SMT_SIBLINGS,   /* "smt-siblings": two threads of one core */
	YB_REL_SAME_LLC,       /* "same-llc": distinct cores, one LLC */
	YB_REL_DISTINCT_CORES, /* "distinct-cores": distinct cores on one
				* node (or nodes unknown), LLC unknown */
	YB_REL_CROSS_LLC,      /* "cross-llc": one node, different LLCs */
	YB_REL_CROSS_NUMA,     /* "cross-numa": different NUMA nodes */
	YB_REL_UNKNOWN,        /* "unknown": not even the cores are known */
	YB_REL_OTHER_HOST,     /* "different-hosts": different kernels */
	YB_REL_COUNT
};

/* Facts a relation was decided without (struct yb_placement.unknown). */
#define YB_TOPO_NO_CORE 0x1u /* no SMT sibling or core information */
#define YB_TOPO_NO_LLC 0x2u  /* no cache information */
#define YB_TOPO_NO_NODE 0x4u /* no NUMA node information */
#define YB_TOPO_NO_HOST 0x8u /* the peer did not say which host it is on */
#define YB_TOPO_CLIENT_FREE 0x10u /* the client is not pinned */
#define YB_TOPO_SERVER_FREE 0x20u /* the server is not pinned */
#define YB_TOPO_ONE_CPU 0x40u /* one CPU allowed: both ends share it */

struct yb_placement {
	int client, server; /* CPUs; -1: not pinned (nor observed) */
	enum yb_relation rel;
	unsigned unknown;   /* YB_TOPO_* flags: what rel was decided without */
};

const char *yb_relation_name(enum yb_relation rel);

/*
 * The relation of two CPUs described by a and b; *unknown receives the
 * YB_TOPO_NO_* flags of facts that were missing and could have changed
 * the answer.
 */
enum yb_relation yb_topo_relation(const struct yb_cpu_topo *a,
				  const struct yb_cpu_topo *b,
				  unsigned *unknown);

/*
 * The default placement among n CPUs (in the order given): two distinct
 * cores sharing a last-level cache and a NUMA node if any do; else two
 * cores on one node (the cache unknown before the cache known to differ);
 * else any two distinct cores; else CPUs whose cores are unknown; SMT
 * siblings only when nothing else exists.  Among equals, the first pair in
 * the order given; the lower of the two CPUs takes the client.  Fewer than
 * two CPUs: unpinned.
 */
void yb_topo_choose(const struct yb_cpu_topo *cpus, size_t n,
		    struct yb_placement *p);

/*
 * Describe CPUs cpus[0..n) from the sysfs tree under root (normally
 * "/sys/devices/system", which holds cpu/ and node/).  Never fails: what
 * cannot be read is left -1.
 */
void yb_topo_read(const char *root, const int *cpus, size_t n,
		  struct yb_cpu_topo *out);

/* The default placement over the CPUs this process may use. */
void yb_placement_default(struct yb_placement *p);

/* The placement of given CPUs (-1: unpinned) with their relation. */
void yb_placement_of(int client, int server, struct yb_placement *p);

/*
 * What was unknown in deciding p's relation, as a short phrase ("last-level
 * cache sharing unknown: sysfs lists no caches"), or "" when nothing was.
 */
const char *yb_placement_note(const struct yb_placement *p, char *buf,
			      size_t len);

/*
 * One line for people: "client CPU 0, server CPU 1 (same-llc)", with the
 * note after the relation when there is one; "client and server not
 * pinned" when neither end is.
 */
const char *yb_placement_line(const struct yb_placement *p, char *buf,
			      size_t len);

/*
 * Record p in m: PREFIXclient_cpu, PREFIXserver_cpu, PREFIXrelation and,
 * when something was unknown, PREFIXrelation_note.
 */
void yb_placement_meta(struct yb_meta *m, const char *prefix,
		       const struct yb_placement *p);

/*
 * Give every pair of CPUs recorded under "placement." in m (keys
 * "X.client_cpu" and "X.server_cpu", both >= 0, such as a pair of a
 * --pairs run) its "X.relation" (and "X.relation_note"), unless it has one.
 */
void yb_placement_annotate(struct yb_meta *m);

/*
 * A client's placement against a server daemon: mine holds this host's
 * "boot_id", server the server's self-description ("server.boot_id",
 * "server.cpu", "server.cpu_pinned").  The client's CPU is where the caller
 * is now, the server's where it greeted the client.  The relation is
 * different-hosts when the boot ids differ (two machines, or two virtual
 * machines: their CPU numbers do not compare), unknown when the server
 * gave none, unpinned unless both ends are pinned, else the relation of
 * the two CPUs.  The YB_TOPO_CLIENT_FREE and _SERVER_FREE flags say which
 * end is not pinned, whatever the relation.
 */
void yb_placement_client(const struct yb_meta *mine,
			 const struct yb_meta *server, struct yb_placement *p);

/*
 * Record a client's placement in m: placement.client_cpu, .client_pinned,
 * .server_cpu and .server_pinned (when the server said), .relation and
 * .relation_note.
 */
void yb_placement_client_meta(struct yb_meta *m, const struct yb_placement *p);

#endif /* YB_TOPO_H */
