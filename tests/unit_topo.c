/* unit_topo.c - relations of CPUs, the default placement, sysfs reading. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/base/meta.h"
#include "core/host/topo.h"
#include "transports/xenplace.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* cpu, core (lowest sibling), core_id, package, llc (lowest sharer), node */
#define CPU(c, core, id, pkg, llc, node) { c, core, id, pkg, llc, node }

/*
 * Two sockets, two cores each, two threads per core, one L3 and one NUMA
 * node per socket; siblings numbered the way x86 Linux does (0 and 2 are
 * the two threads of core 0 of socket 0).
 */
static const struct yb_cpu_topo two_sockets[] = {
	CPU(0, 0, 0, 0, 0, 0), CPU(1, 1, 1, 0, 0, 0),
	CPU(2, 0, 0, 0, 0, 0), CPU(3, 1, 1, 0, 0, 0),
	CPU(4, 4, 0, 1, 4, 1), CPU(5, 5, 1, 1, 4, 1),
	CPU(6, 4, 0, 1, 4, 1), CPU(7, 5, 1, 1, 4, 1),
};

/* The same machine as the CPUs of a subset: pick by CPU number. */
static size_t subset(const struct yb_cpu_topo *all, size_t n,
		     const int *want, size_t k, struct yb_cpu_topo *out)
{
	for (size_t i = 0; i < k; i++)
		for (size_t j = 0; j < n; j++)
			if (all[j].cpu == want[i])
				out[i] = all[j];
	return k;
}

static void expect(const struct yb_cpu_topo *t, size_t n, int client,
		   int server, enum yb_relation rel)
{
	struct yb_placement p;

	yb_topo_choose(t, n, &p);
	if (p.client != client || p.server != server || p.rel != rel)
		fail_msg("chose %d,%d (%s), expected %d,%d (%s)", p.client,
			 p.server, yb_relation_name(p.rel), client, server,
			 yb_relation_name(rel));
}

static void smt_numbered_apart(void **state)
{
	(void)state;
	/* CPU 1 is another core of CPU 0's cache, not CPU 0's sibling. */
	expect(two_sockets, N(two_sockets), 0, 1, YB_REL_SAME_LLC);
}

static void smt_numbered_adjacent(void **state)
{
	/* Siblings 0,1 and 2,3 (as many ARM and some AMD machines): the
	 * first pair of CPUs is the wrong one. */
	static const struct yb_cpu_topo t[] = {
		CPU(0, 0, 0, 0, 0, 0), CPU(1, 0, 0, 0, 0, 0),
		CPU(2, 2, 1, 0, 0, 0), CPU(3, 2, 1, 0, 0, 0),
	};
	(void)state;
	expect(t, N(t), 0, 2, YB_REL_SAME_LLC);
}

static void several_llcs(void **state)
{
	/* One node, two L3s of four cores each (AMD CCXs, no SMT). */
	struct yb_cpu_topo t[8], s[3];
	for (int i = 0; i < 8; i++)
		t[i] = (struct yb_cpu_topo)CPU(i, i, i, 0, i < 4 ? 0 : 4, 0);
	(void)state;
	expect(t, 8, 0, 1, YB_REL_SAME_LLC);
	/* Allowed: 0, 4, 5 -> the two that share a cache, not the first. */
	int a[] = { 0, 4, 5 };
	expect(s, subset(t, 8, a, 3, s), 4, 5, YB_REL_SAME_LLC);
	/* Allowed: 3, 4 -> one node, different caches. */
	int b[] = { 3, 4 };
	expect(s, subset(t, 8, b, 2, s), 3, 4, YB_REL_CROSS_LLC);
}

static void numa_before_siblings(void **state)
{
	struct yb_cpu_topo s[3];
	(void)state;
	/* 0 and 2 are siblings; 4 is on the other socket and node. */
	int a[] = { 0, 2, 4 };
	expect(s, subset(two_sockets, N(two_sockets), a, 3, s), 0, 4,
	       YB_REL_CROSS_NUMA);
	/* Siblings only when nothing else exists. */
	int b[] = { 4, 6 };
	expect(s, subset(two_sockets, N(two_sockets), b, 2, s), 4, 6,
	       YB_REL_SMT_SIBLINGS);
	/* Same node before another node. */
	int c[] = { 0, 5, 7, 3 };
	struct yb_cpu_topo s4[4];
	expect(s4, subset(two_sockets, N(two_sockets), c, 4, s4), 0, 3,
	       YB_REL_SAME_LLC);
}

static void client_takes_lower(void **state)
{
	struct yb_cpu_topo s[2];
	int a[] = { 5, 1 };
	(void)state;
	expect(s, subset(two_sockets, N(two_sockets), a, 2, s), 1, 5,
	       YB_REL_CROSS_NUMA);
}

static void one_cpu_unpinned(void **state)
{
	(void)state;
	expect(two_sockets, 1, -1, -1, YB_REL_UNPINNED);
	expect(two_sockets, 0, -1, -1, YB_REL_UNPINNED);
}

static void missing_facts(void **state)
{
	unsigned unk;
	(void)state;

	/* This very kind of machine: no caches in sysfs, two cores. */
	static const struct yb_cpu_topo vm[] = { CPU(0, 0, 0, 0, -1, 0),
						 CPU(1, 1, 1, 0, -1, 0) };
	assert_int_equal(yb_topo_relation(&vm[0], &vm[1], &unk),
			 YB_REL_DISTINCT_CORES);
	assert_int_equal(unk, YB_TOPO_NO_LLC);
	struct yb_placement p;
	yb_topo_choose(vm, 2, &p);
	assert_int_equal(p.unknown, YB_TOPO_NO_LLC);
	char note[256];
	assert_non_null(strstr(yb_placement_note(&p, note, sizeof(note)),
			       "last-level cache sharing unknown"));

	/* No nodes either: said so. */
	static const struct yb_cpu_topo nonode[] = {
		CPU(0, 0, 0, 0, -1, -1), CPU(1, 1, 1, 0, -1, -1)
	};
	assert_int_equal(yb_topo_relation(&nonode[0], &nonode[1], &unk),
			 YB_REL_DISTINCT_CORES);
	assert_int_equal(unk, YB_TOPO_NO_LLC | YB_TOPO_NO_NODE);

	/* Different packages never share a cache, listed or not. */
	static const struct yb_cpu_topo pk[] = { CPU(0, 0, 0, 0, -1, 0),
						 CPU(1, 1, 0, 1, -1, 0) };
	assert_int_equal(yb_topo_relation(&pk[0], &pk[1], &unk),
			 YB_REL_CROSS_LLC);
	assert_int_equal(unk, 0);

	/* No sibling lists: core_id within one package decides. */
	static const struct yb_cpu_topo ids[] = { CPU(0, -1, 3, 0, -1, 0),
						  CPU(1, -1, 3, 0, -1, 0),
						  CPU(2, -1, 4, 0, -1, 0) };
	assert_int_equal(yb_topo_relation(&ids[0], &ids[1], &unk),
			 YB_REL_SMT_SIBLINGS);
	assert_int_equal(yb_topo_relation(&ids[0], &ids[2], &unk),
			 YB_REL_DISTINCT_CORES);

	/* Nothing about cores: unknown, never "distinct". */
	static const struct yb_cpu_topo none[] = {
		CPU(0, -1, -1, -1, -1, -1), CPU(1, -1, -1, -1, -1, -1)
	};
	assert_int_equal(yb_topo_relation(&none[0], &none[1], &unk),
			 YB_REL_UNKNOWN);
	assert_true(unk & YB_TOPO_NO_CORE);
	/* ... but different caches rule out siblings. */
	static const struct yb_cpu_topo llc[] = { CPU(0, -1, -1, -1, 0, 0),
						  CPU(1, -1, -1, -1, 1, 0) };
	assert_int_equal(yb_topo_relation(&llc[0], &llc[1], &unk),
			 YB_REL_CROSS_LLC);
	/* Known distinct (even across nodes) before unknown cores, and
	 * unknown cores before known siblings. */
	static const struct yb_cpu_topo mix[] = {
		CPU(0, 0, 0, 0, 0, 0), CPU(1, 0, 0, 0, 0, 0),
		CPU(2, -1, -1, -1, -1, 0), CPU(3, 3, 0, 1, 3, 1)
	};
	expect(mix, 4, 0, 3, YB_REL_CROSS_NUMA);
	expect(mix, 3, 0, 2, YB_REL_UNKNOWN);
}

static void same_cpu_and_names(void **state)
{
	unsigned unk;
	(void)state;

	assert_int_equal(yb_topo_relation(&two_sockets[3], &two_sockets[3],
					  &unk),
			 YB_REL_SAME_CPU);
	static const char *const want[YB_REL_COUNT] = {
		"unpinned",	  "same-cpu",	"smt-siblings",
		"same-llc",	  "distinct-cores", "cross-llc",
		"cross-numa",	  "unknown",	"different-hosts",
	};
	for (int r = 0; r < YB_REL_COUNT; r++)
		assert_string_equal(yb_relation_name(r), want[r]);
}

/* ---- a fake sysfs ------------------------------------------------------ */

static void put(const char *root, const char *rel, const char *text)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *s = path + strlen(root) + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			mkdir(path, 0755);
			*s = '/';
		}
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", text);
	fclose(f);
}

static void cache(const char *root, int cpu, int k, int level,
		  const char *type, const char *shared)
{
	char rel[128], v[16];

	snprintf(v, sizeof(v), "%d", level);
	snprintf(rel, sizeof(rel), "cpu/cpu%d/cache/index%d/level", cpu, k);
	put(root, rel, v);
	snprintf(rel, sizeof(rel), "cpu/cpu%d/cache/index%d/type", cpu, k);
	put(root, rel, type);
	snprintf(rel, sizeof(rel), "cpu/cpu%d/cache/index%d/shared_cpu_list",
		 cpu, k);
	put(root, rel, shared);
}

static void read_sysfs(void **state)
{
	char root[] = "/tmp/yb-topo.XXXXXX";
	char rel[128];
	(void)state;

	assert_non_null(mkdtemp(root));
	/* Four CPUs: 0,2 and 1,3 siblings; L3 0-1 and 2-3 (odd, but it
	 * shows the highest level wins over the L2 and the L1i). */
	for (int c = 0; c < 4; c++) {
		snprintf(rel, sizeof(rel), "cpu/cpu%d/topology/core_cpus_list",
			 c);
		put(root, rel, c % 2 ? "1,3" : "0,2");
		snprintf(rel, sizeof(rel), "cpu/cpu%d/topology/core_id", c);
		put(root, rel, c % 2 ? "1" : "0");
		snprintf(rel, sizeof(rel),
			 "cpu/cpu%d/topology/physical_package_id", c);
		put(root, rel, "0");
		cache(root, c, 0, 1, "Data", c % 2 ? "1,3" : "0,2");
		cache(root, c, 1, 1, "Instruction", c % 2 ? "1,3" : "0,2");
		cache(root, c, 2, 2, "Unified", c % 2 ? "1,3" : "0,2");
		cache(root, c, 3, 3, "Unified", c < 2 ? "0-1" : "2-3");
	}
	/* Nodes from node/nodeM/cpulist (no cpuN/nodeM links here). */
	put(root, "node/node0/cpulist", "0-1");
	put(root, "node/node1/cpulist", "2-3");
	/* CPU 5: the older sibling list name, no cache, no node. */
	put(root, "cpu/cpu5/topology/thread_siblings_list", "5");
	put(root, "cpu/cpu5/topology/core_id", "7");

	int cpus[] = { 0, 1, 2, 3, 5, 9 };
	struct yb_cpu_topo t[6];
	yb_topo_read(root, cpus, 6, t);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(t[i].cpu, i);
		assert_int_equal(t[i].core, i % 2);
		assert_int_equal(t[i].core_id, i % 2);
		assert_int_equal(t[i].package, 0);
		assert_int_equal(t[i].llc, i < 2 ? 0 : 2);
		assert_int_equal(t[i].node, i < 2 ? 0 : 1);
	}
	assert_int_equal(t[4].core, 5);
	assert_int_equal(t[4].core_id, 7);
	assert_int_equal(t[4].package, -1);
	assert_int_equal(t[4].llc, -1);
	assert_int_equal(t[4].node, -1);
	/* A CPU sysfs does not know: every fact unknown. */
	assert_int_equal(t[5].cpu, 9);
	assert_int_equal(t[5].core, -1);
	assert_int_equal(t[5].core_id, -1);
	assert_int_equal(t[5].llc, -1);
	assert_int_equal(t[5].node, -1);
	expect(t, 4, 0, 1, YB_REL_SAME_LLC);

	/* The cpuN/nodeM link wins over the node lists. */
	put(root, "cpu/cpu2/node0/x", "");
	yb_topo_read(root, cpus + 2, 1, t);
	assert_int_equal(t[0].node, 0);

	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

/* ---- a client's view of a server -------------------------------------- */

static void client_against_server(void **state)
{
	struct yb_meta mine, srv;
	struct yb_placement p;
	(void)state;

	yb_meta_init(&mine);
	yb_meta_init(&srv);
	yb_meta_set(&mine, "boot_id", "aaaa");
	yb_meta_set(&srv, "server.cpu", "1");
	yb_meta_set(&srv, "server.cpu_pinned", "yes");
	/* No boot id from the server: not known to share our kernel. */
	yb_placement_client(&mine, &srv, &p);
	assert_int_equal(p.rel, YB_REL_UNKNOWN);
	assert_true(p.unknown & YB_TOPO_NO_HOST);
	assert_int_equal(p.server, 1);
	/* Another kernel: CPU numbers do not compare. */
	yb_meta_set(&srv, "server.boot_id", "bbbb");
	yb_placement_client(&mine, &srv, &p);
	assert_int_equal(p.rel, YB_REL_OTHER_HOST);
	/* The same kernel, the server not pinned: no relation claimed. */
	yb_meta_set(&srv, "server.boot_id", "aaaa");
	yb_meta_set(&srv, "server.cpu_pinned", "no");
	yb_placement_client(&mine, &srv, &p);
	assert_int_equal(p.rel, YB_REL_UNPINNED);
	assert_true(p.unknown & YB_TOPO_SERVER_FREE);
	char note[256];
	assert_non_null(strstr(yb_placement_note(&p, note, sizeof(note)),
			       "pinned"));
	yb_placement_client_meta(&mine, &p);
	assert_string_equal(yb_meta_get(&mine, "placement.server_pinned"),
			    "no");
	assert_string_equal(yb_meta_get(&mine, "placement.relation"),
			    "unpinned");
	assert_string_equal(yb_meta_get(&mine, "placement.server_cpu"), "1");
	yb_meta_free(&mine);
	yb_meta_free(&srv);
}

static void annotate_pairs(void **state)
{
	struct yb_meta m;
	(void)state;

	yb_meta_init(&m);
	yb_meta_set_int(&m, "placement.shm.pair1.client_cpu", 0);
	yb_meta_set_int(&m, "placement.shm.pair1.server_cpu", 0);
	yb_meta_set_int(&m, "placement.shm.pair2.client_cpu", -1);
	yb_meta_set_int(&m, "placement.shm.pair2.server_cpu", 0);
	yb_meta_set(&m, "placement.tcp.relation", "kept");
	yb_meta_set_int(&m, "placement.tcp.client_cpu", 0);
	yb_meta_set_int(&m, "placement.tcp.server_cpu", 0);
	yb_placement_annotate(&m);
	assert_string_equal(yb_meta_get(&m, "placement.shm.pair1.relation"),
			    "same-cpu");
	assert_null(yb_meta_get(&m, "placement.shm.pair2.relation"));
	assert_string_equal(yb_meta_get(&m, "placement.tcp.relation"), "kept");
	yb_meta_free(&m);
}

/* Two Xen domains' vCPUs on four physical CPUs: two cores of two threads
 * each (CPUs 0,1 on core 0; 2,3 on core 1). */
static void xen_relation(void **state)
{
	static const uint32_t core[4] = { 0, 0, 1, 1 }, socket[4] = { 0 };
	const uint64_t any = ~0ull;
	char why[160];
	(void)state;

	struct yb_xen_vcpu a = { 2, any }, b = { 2, any };
	assert_int_equal(yb_xen_relation(&a, 1, &b, 1, core, socket, 4, why,
					 sizeof(why)), YB_XEN_SAME_CPU);
	assert_non_null(strstr(why, "physical CPU 2"));
	b.pcpu = 3;
	assert_int_equal(yb_xen_relation(&a, 1, &b, 1, core, socket, 4, why,
					 sizeof(why)), YB_XEN_SMT);
	b.pcpu = 0;
	assert_int_equal(yb_xen_relation(&a, 1, &b, 1, core, socket, 4, why,
					 sizeof(why)), YB_XEN_MAY_SHARE);
	/* Pinned to different cores. */
	a.hard = 0xc; /* 2-3 */
	b.hard = 0x3; /* 0-1 */
	assert_int_equal(yb_xen_relation(&a, 1, &b, 1, core, socket, 4, why,
					 sizeof(why)), YB_XEN_APART);
	/* Pinned to two threads of one core: may share it. */
	a.hard = 0x4;
	b.hard = 0x8;
	a.pcpu = 2;
	b.pcpu = 2 + 0; /* moved since; same CPU now wins */
	assert_int_equal(yb_xen_relation(&a, 1, &b, 1, core, socket, 4, why,
					 sizeof(why)), YB_XEN_SAME_CPU);
	b.pcpu = 0;
	assert_int_equal(yb_xen_relation(&a, 1, &b, 1, core, socket, 4, why,
					 sizeof(why)), YB_XEN_MAY_SHARE);
	/* Two vCPUs against one: the closest pair counts. */
	struct yb_xen_vcpu two[2] = { { 0, 0x1 }, { 3, 0x8 } };
	struct yb_xen_vcpu one = { 2, 0x4 };
	assert_int_equal(yb_xen_relation(two, 2, &one, 1, core, socket, 4, why,
					 sizeof(why)), YB_XEN_SMT);
	assert_non_null(strstr(why, "vcpu1"));
	/* Unknown cores: CPUs pinned apart may still be siblings. */
	assert_int_equal(yb_xen_relation(two, 2, &one, 1, NULL, NULL, 0, why,
					 sizeof(why)), YB_XEN_MAY_SHARE);
	assert_int_equal(yb_xen_relation(two, 0, &one, 1, core, socket, 4, why,
					 sizeof(why)), YB_XEN_UNKNOWN);
	assert_string_equal(yb_xen_rel_name(YB_XEN_SMT),
			    "SMT siblings (two threads of one core)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(smt_numbered_apart),
		cmocka_unit_test(smt_numbered_adjacent),
		cmocka_unit_test(several_llcs),
		cmocka_unit_test(numa_before_siblings),
		cmocka_unit_test(client_takes_lower),
		cmocka_unit_test(one_cpu_unpinned),
		cmocka_unit_test(missing_facts),
		cmocka_unit_test(same_cpu_and_names),
		cmocka_unit_test(read_sysfs),
		cmocka_unit_test(client_against_server),
		cmocka_unit_test(annotate_pairs),
		cmocka_unit_test(xen_relation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
