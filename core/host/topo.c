/*
 * topo.c - CPU topology and placement; see topo.h.
 *
 * Identities are CPU numbers: a core is named by the lowest CPU among its
 * SMT siblings and a last-level cache by the lowest CPU sharing it, both
 * read from the lists sysfs gives, so that they are unique across the
 * whole machine.  (topology/core_id alone is not: it repeats in every
 * package, and on some machines in every cluster of one package.  It is
 * kept only as the fallback of a kernel without the sibling lists.)
 *
 * The cache sysfs calls the last level is the highest-level data or
 * unified cache of cpuN/cache/indexK; instruction caches never carry the
 * other end's data.  Virtual machines often have no cache directory at
 * all: the relation is then "distinct-cores" with a note, never a guess.
 */
#include "core/host/topo.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/host/sysinfo.h"

#define SYSFS "/sys/devices/system"
#define MAX_CPUS 1024

static const char *const rel_names[YB_REL_COUNT] = {
	[YB_REL_UNPINNED] = "unpinned",
	[YB_REL_SAME_CPU] = "same-cpu",
	[YB_REL_SMT_SIBLINGS] = "smt-siblings",
	[YB_REL_SAME_LLC] = "same-llc",
	[YB_REL_DISTINCT_CORES] = "distinct-cores",
	[YB_REL_CROSS_LLC] = "cross-llc",
	[YB_REL_CROSS_NUMA] = "cross-numa",
	[YB_REL_UNKNOWN] = "unknown",
	[YB_REL_OTHER_HOST] = "different-hosts",
};

const char *yb_relation_name(enum yb_relation rel)
{
	return rel >= 0 && rel < YB_REL_COUNT ? rel_names[rel] : "unknown";
}

/* ---- relation and choice ---------------------------------------------- */

/* 1: SMT siblings, 0: not, -1: cannot tell. */
static int siblings(const struct yb_cpu_topo *a, const struct yb_cpu_topo *b)
{
	if (a->core >= 0 && b->core >= 0)
		return a->core == b->core;
	if (a->core_id >= 0 && b->core_id >= 0 && a->package >= 0 &&
	    b->package >= 0)
		return a->package == b->package && a->core_id == b->core_id;
	return -1;
}

enum yb_relation yb_topo_relation(const struct yb_cpu_topo *a,
				  const struct yb_cpu_topo *b,
				  unsigned *unknown)
{
	int nodes = a->node >= 0 && b->node >= 0;
	int llcs = a->llc >= 0 && b->llc >= 0;
	unsigned no_node = nodes ? 0 : YB_TOPO_NO_NODE;

	*unknown = 0;
	if (a->cpu == b->cpu)
		return YB_REL_SAME_CPU;
	if (nodes && a->node != b->node)
		return YB_REL_CROSS_NUMA;
	int sib = siblings(a, b);
	if (sib == 1)
		return YB_REL_SMT_SIBLINGS;
	/* Siblings share every cache, and no cache spans two packages:
	 * either difference settles it whatever else is unknown. */
	if ((llcs && a->llc != b->llc) ||
	    (a->package >= 0 && b->package >= 0 && a->package != b->package)) {
		*unknown = no_node;
		return YB_REL_CROSS_LLC;
	}
	if (sib < 0) {
		*unknown = YB_TOPO_NO_CORE | (llcs ? 0 : YB_TOPO_NO_LLC) |
			   no_node;
		return YB_REL_UNKNOWN;
	}
	if (llcs) /* one cache, hence one node */
		return YB_REL_SAME_LLC;
	*unknown = YB_TOPO_NO_LLC | no_node;
	return YB_REL_DISTINCT_CORES;
}

/* Preference of the default placement: lower is better. */
static int rank(enum yb_relation rel)
{
	switch (rel) {
	case YB_REL_SAME_LLC:
		return 0;
	case YB_REL_DISTINCT_CORES: /* may well share the cache */
		return 1;
	case YB_REL_CROSS_LLC:
		return 2;
	case YB_REL_CROSS_NUMA:
		return 3;
	case YB_REL_UNKNOWN: /* maybe siblings: after every known core pair */
		return 4;
	case YB_REL_SMT_SIBLINGS:
		return 5;
	default:
		return 6;
	}
}

void yb_topo_choose(const struct yb_cpu_topo *cpus, size_t n,
		    struct yb_placement *p)
{
	int best = 7;

	p->client = p->server = -1;
	p->rel = YB_REL_UNPINNED;
	p->unknown = 0;
	for (size_t i = 0; i < n && best > 0; i++)
		for (size_t j = i + 1; j < n && best > 0; j++) {
			unsigned unk;
			enum yb_relation rel =
				yb_topo_relation(&cpus[i], &cpus[j], &unk);
			if (rank(rel) >= best)
				continue;
			best = rank(rel);
			int lo = cpus[i].cpu < cpus[j].cpu;
			p->client = lo ? cpus[i].cpu : cpus[j].cpu;
			p->server = lo ? cpus[j].cpu : cpus[i].cpu;
			p->rel = rel;
			p->unknown = unk;
		}
}

/* ---- reading sysfs ---------------------------------------------------- */

static int read_int(const char *path)
{
	char buf[64], *end;

	if (!yb_first_line(path, buf, sizeof(buf)))
		return -1;
	long v = strtol(buf, &end, 10);
	return end == buf || v < 0 || v > 1 << 30 ? -1 : (int)v;
}

/*
 * A sysfs CPU list ("0-3,8,10-11"): whether cpu is in it (member >= 0)
 * or, with member -1, its lowest CPU.  -1 when malformed or empty.
 */
static int cpulist(const char *list, int member)
{
	const char *s = list;
	int lowest = -1;

	while (*s) {
		char *end;
		long a = strtol(s, &end, 10), b;
		if (end == s || a < 0)
			return -1;
		b = a;
		if (*end == '-') {
			s = end + 1;
			b = strtol(s, &end, 10);
			if (end == s || b < a)
				return -1;
		}
		if (member >= 0 && member >= a && member <= b)
			return 1;
		if (lowest < 0 || a < lowest)
			lowest = (int)a;
		s = end;
		if (*s == ',')
			s++;
		else if (*s)
			return -1;
	}
	return member >= 0 ? 0 : lowest;
}

static int list_first(const char *path)
{
	char buf[4096];

	return !yb_first_line(path, buf, sizeof(buf)) ? -1 : cpulist(buf, -1);
}

/* The lowest CPU sharing cpu's highest-level data or unified cache. */
static int read_llc(const char *root, int cpu)
{
	char path[512], type[32];
	int best_level = -1, llc = -1;

	for (int k = 0; k < 16; k++) {
		snprintf(path, sizeof(path), "%s/cpu/cpu%d/cache/index%d/level",
			 root, cpu, k);
		int level = read_int(path);
		if (level < 0)
			break;
		snprintf(path, sizeof(path), "%s/cpu/cpu%d/cache/index%d/type",
			 root, cpu, k);
		if (yb_first_line(path, type, sizeof(type)) &&
		    strcmp(type, "Instruction") == 0)
			continue;
		if (level <= best_level)
			continue;
		snprintf(path, sizeof(path),
			 "%s/cpu/cpu%d/cache/index%d/shared_cpu_list", root,
			 cpu, k);
		int first = list_first(path);
		if (first >= 0) {
			best_level = level;
			llc = first;
		}
	}
	return llc;
}

/* cpuN/nodeM links, else the node whose cpulist holds cpu. */
static int read_node(const char *root, int cpu)
{
	char path[512], list[4096];
	struct dirent *e;
	int node = -1;

	snprintf(path, sizeof(path), "%s/cpu/cpu%d", root, cpu);
	DIR *d = opendir(path);
	while (d && node < 0 && (e = readdir(d)))
		if (strncmp(e->d_name, "node", 4) == 0 &&
		    e->d_name[4] >= '0' && e->d_name[4] <= '9')
			node = atoi(e->d_name + 4);
	if (d)
		closedir(d);
	if (node >= 0)
		return node;
	snprintf(path, sizeof(path), "%s/node", root);
	d = opendir(path);
	while (d && node < 0 && (e = readdir(d))) {
		if (strncmp(e->d_name, "node", 4) != 0 ||
		    e->d_name[4] < '0' || e->d_name[4] > '9')
			continue;
		snprintf(path, sizeof(path), "%s/node/%.32s/cpulist", root,
			 e->d_name);
		if (yb_first_line(path, list, sizeof(list)) &&
		    cpulist(list, cpu) == 1)
			node = atoi(e->d_name + 4);
	}
	if (d)
		closedir(d);
	return node;
}

void yb_topo_read(const char *root, const int *cpus, size_t n,
		  struct yb_cpu_topo *out)
{
	char path[512];

	for (size_t i = 0; i < n; i++) {
		struct yb_cpu_topo *t = &out[i];
		int c = cpus[i];

		t->cpu = c;
		/* core_cpus_list is the current name, thread_siblings_list
		 * the one older kernels have. */
		snprintf(path, sizeof(path),
			 "%s/cpu/cpu%d/topology/core_cpus_list", root, c);
		t->core = list_first(path);
		if (t->core < 0) {
			snprintf(path, sizeof(path),
				 "%s/cpu/cpu%d/topology/thread_siblings_list",
				 root, c);
			t->core = list_first(path);
		}
		snprintf(path, sizeof(path), "%s/cpu/cpu%d/topology/core_id",
			 root, c);
		t->core_id = read_int(path);
		snprintf(path, sizeof(path),
			 "%s/cpu/cpu%d/topology/physical_package_id", root, c);
		t->package = read_int(path);
		t->llc = read_llc(root, c);
		t->node = read_node(root, c);
	}
}

/* ---- placements ------------------------------------------------------- */

void yb_placement_default(struct yb_placement *p)
{
	int cpus[MAX_CPUS];
	int n = yb_allowed_cpus(cpus, MAX_CPUS);
	struct yb_cpu_topo *t = n > 1 ? calloc((size_t)n, sizeof(*t)) : NULL;

	if (!t) {
		/* One CPU, or out of memory: the first two CPUs. */
		p->client = p->server = -1;
		p->rel = YB_REL_UNPINNED;
		p->unknown = n == 1 ? YB_TOPO_ONE_CPU : 0;
		if (n > 1)
			yb_placement_of(cpus[0], cpus[1], p);
		return;
	}
	yb_topo_read(SYSFS, cpus, (size_t)n, t);
	yb_topo_choose(t, (size_t)n, p);
	free(t);
}

void yb_placement_of(int client, int server, struct yb_placement *p)
{
	int two[2] = { client, server };
	struct yb_cpu_topo t[2];

	p->client = client;
	p->server = server;
	p->unknown = 0;
	if (client < 0 || server < 0) {
		p->rel = YB_REL_UNPINNED;
		return;
	}
	yb_topo_read(SYSFS, two, 2, t);
	p->rel = yb_topo_relation(&t[0], &t[1], &p->unknown);
}

const char *yb_placement_note(const struct yb_placement *p, char *buf,
			      size_t len)
{
	static const struct {
		unsigned flag;
		const char *what;
	} notes[] = {
		{ YB_TOPO_ONE_CPU, "one CPU allowed: both ends share it" },
		{ YB_TOPO_NO_HOST,
		  "the server did not say which host it runs on" },
		{ YB_TOPO_NO_CORE,
		  "SMT siblings unknown: sysfs gives no core topology" },
		{ YB_TOPO_NO_LLC,
		  "last-level cache sharing unknown: sysfs lists no caches" },
		{ YB_TOPO_NO_NODE,
		  "NUMA nodes unknown: sysfs lists none" },
	};
	size_t off = 0;

	buf[0] = '\0';
#define ADD(s)                                                               \
	do {                                                                 \
		int k_ = snprintf(buf + off, len - off, "%s%s",              \
				  off ? "; " : "", (s));                     \
		if (k_ > 0 && (size_t)k_ < len - off)                        \
			off += (size_t)k_;                                   \
	} while (0)
	/* Whether an end is pinned matters only when it kept the relation
	 * from being decided; pinning is recorded on its own besides. */
	unsigned free_ends =
		p->rel != YB_REL_UNPINNED ?
			0 :
			p->unknown & (YB_TOPO_CLIENT_FREE | YB_TOPO_SERVER_FREE);
	if (free_ends == (YB_TOPO_CLIENT_FREE | YB_TOPO_SERVER_FREE))
		ADD("neither end is pinned");
	else if (free_ends == YB_TOPO_CLIENT_FREE)
		ADD("the client is not pinned");
	else if (free_ends)
		ADD("the server is not pinned");
	for (size_t i = 0; i < sizeof(notes) / sizeof(notes[0]); i++)
		if (p->unknown & notes[i].flag)
			ADD(notes[i].what);
#undef ADD
	return buf;
}

const char *yb_placement_line(const struct yb_placement *p, char *buf,
			      size_t len)
{
	char note[256], c[32], s[32];

	yb_placement_note(p, note, sizeof(note));
	if (p->client < 0 && p->server < 0) {
		snprintf(buf, len, "client and server not pinned%s%s%s",
			 note[0] ? " (" : "", note, note[0] ? ")" : "");
		return buf;
	}
	if (p->client >= 0)
		snprintf(c, sizeof(c), "CPU %d", p->client);
	else
		snprintf(c, sizeof(c), "not pinned");
	if (p->server >= 0)
		snprintf(s, sizeof(s), "CPU %d", p->server);
	else
		snprintf(s, sizeof(s), "unknown");
	snprintf(buf, len, "client %s, server %s (%s%s%s)", c, s,
		 yb_relation_name(p->rel), note[0] ? "; " : "", note);
	return buf;
}

void yb_placement_meta(struct yb_meta *m, const char *prefix,
		       const struct yb_placement *p)
{
	char key[256], note[256];

	snprintf(key, sizeof(key), "%sclient_cpu", prefix);
	yb_meta_set_int(m, key, p->client);
	snprintf(key, sizeof(key), "%sserver_cpu", prefix);
	yb_meta_set_int(m, key, p->server);
	snprintf(key, sizeof(key), "%srelation", prefix);
	yb_meta_set(m, key, "%s", yb_relation_name(p->rel));
	if (*yb_placement_note(p, note, sizeof(note))) {
		snprintf(key, sizeof(key), "%srelation_note", prefix);
		yb_meta_set(m, key, "%s", note);
	}
}

void yb_placement_annotate(struct yb_meta *m)
{
	static const char pre[] = "placement.", cc[] = "client_cpu";
	char x[256], key[300], note[256];

	for (size_t i = 0; i < m->n; i++) {
		const char *k = m->kv[i].key;
		size_t l = strlen(k);
		if (strncmp(k, pre, sizeof(pre) - 1) != 0 ||
		    l < sizeof(cc) - 1 || l - (sizeof(cc) - 1) >= sizeof(x) ||
		    strcmp(k + l - (sizeof(cc) - 1), cc) != 0)
			continue;
		/* x: the prefix of this pair, "placement.shm.pair1." */
		snprintf(x, sizeof(x), "%.*s", (int)(l - (sizeof(cc) - 1)), k);
		int client = atoi(m->kv[i].value);
		snprintf(key, sizeof(key), "%sserver_cpu", x);
		const char *sv = yb_meta_get(m, key);
		snprintf(key, sizeof(key), "%srelation", x);
		if (!sv || client < 0 || atoi(sv) < 0 || yb_meta_get(m, key))
			continue;
		struct yb_placement p;
		yb_placement_of(client, atoi(sv), &p);
		/* New keys go at the end: m->kv may move, i stays right. */
		snprintf(key, sizeof(key), "%sclient_cpu", x);
		yb_meta_set_int(m, key, p.client);
		snprintf(key, sizeof(key), "%sserver_cpu", x);
		yb_meta_set_int(m, key, p.server);
		snprintf(key, sizeof(key), "%srelation", x);
		yb_meta_set(m, key, "%s", yb_relation_name(p.rel));
		/* The same missing facts as the run's: said once there. */
		const char *run = yb_meta_get(m, "placement.relation_note");
		if (*yb_placement_note(&p, note, sizeof(note)) &&
		    (!run || strcmp(run, note) != 0)) {
			snprintf(key, sizeof(key), "%srelation_note", x);
			yb_meta_set(m, key, "%s", note);
		}
	}
}

void yb_placement_client(const struct yb_meta *mine,
			 const struct yb_meta *server, struct yb_placement *p)
{
	const char *me = yb_meta_get(mine, "boot_id");
	const char *them = yb_meta_get(server, "server.boot_id");
	const char *scpu = yb_meta_get(server, "server.cpu");
	const char *spin = yb_meta_get(server, "server.cpu_pinned");
	unsigned free_ends =
		(yb_pinned_cpu() >= 0 ? 0 : YB_TOPO_CLIENT_FREE) |
		(spin && strcmp(spin, "yes") == 0 ? 0 : YB_TOPO_SERVER_FREE);

	p->client = yb_current_cpu();
	p->server = scpu ? atoi(scpu) : -1;
	p->unknown = 0;
	if (!me || !them || !*them) {
		p->rel = YB_REL_UNKNOWN;
		p->unknown = YB_TOPO_NO_HOST;
	} else if (strcmp(me, them) != 0) {
		/* The CPU numbers of two kernels do not compare. */
		p->rel = YB_REL_OTHER_HOST;
	} else if (!free_ends && p->server >= 0) {
		yb_placement_of(p->client, p->server, p);
	} else {
		p->rel = YB_REL_UNPINNED;
	}
	p->unknown |= free_ends;
}

void yb_placement_client_meta(struct yb_meta *m, const struct yb_placement *p)
{
	char note[256];

	yb_meta_set_int(m, "placement.client_cpu", p->client);
	yb_meta_set(m, "placement.client_pinned", "%s",
		    p->unknown & YB_TOPO_CLIENT_FREE ? "no" : "yes");
	if (p->server >= 0) {
		yb_meta_set_int(m, "placement.server_cpu", p->server);
		yb_meta_set(m, "placement.server_pinned", "%s",
			    p->unknown & YB_TOPO_SERVER_FREE ? "no" : "yes");
	}
	yb_meta_set(m, "placement.relation", "%s", yb_relation_name(p->rel));
	if (*yb_placement_note(p, note, sizeof(note)))
		yb_meta_set(m, "placement.relation_note", "%s", note);
}
