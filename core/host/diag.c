/*
 * diag.c - what this host or guest can do, and why a transport will not
 * start; see diag.h.  Everything here works without root: what cannot be
 * seen as this user is reported as such, never guessed.
 */
#include "core/host/diag.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/host/probe.h"
#include "core/host/sysinfo.h"
#include "core/host/topo.h"
#include "core/wire/transport.h"

static void set_file(struct yb_meta *m, const char *key, const char *path,
		     const char *missing)
{
	char buf[512];
	const char *v = yb_first_line(path, buf, sizeof(buf));

	yb_meta_set(m, key, "%s", v ? v : missing);
}

static int count_dirs(const char *dir, const char *prefix)
{
	char path[512];
	int n = 0;

	for (int i = 0; i < 1024; i++) {
		snprintf(path, sizeof(path), "%s/%s%d", dir, prefix, i);
		if (access(path, F_OK) == 0)
			n++;
	}
	return n;
}

/* ---- host ------------------------------------------------------------------- */

void yb_diag_host(struct yb_meta *m)
{
	struct rlimit rl;

	yb_sysinfo_meta(m, "host.");
	int nodes = count_dirs("/sys/devices/system/node", "node");
	if (nodes > 0)
		yb_meta_set_int(m, "host.numa_nodes", nodes);
	else
		yb_meta_set(m, "host.numa_nodes", "unknown (no "
			    "/sys/devices/system/node)");
	set_file(m, "host.cpu_governor",
		 "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor",
		 "none (no cpufreq: a VM, or fixed frequency)");
	char buf[256];
	const char *iso =
		yb_first_line("/sys/devices/system/cpu/isolated", buf, sizeof(buf));
	yb_meta_set(m, "host.isolated_cpus", "%s",
		    iso && *iso ? iso : "none");
	set_file(m, "host.transparent_hugepages",
		 "/sys/kernel/mm/transparent_hugepage/enabled", "unknown");
	set_file(m, "host.transparent_hugepages_shmem",
		 "/sys/kernel/mm/transparent_hugepage/shmem_enabled",
		 "unknown");
	if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0) {
		if (rl.rlim_cur == RLIM_INFINITY)
			yb_meta_set(m, "host.memlock_limit", "unlimited");
		else
			yb_meta_set(m, "host.memlock_limit", "%llu KiB",
				    (unsigned long long)rl.rlim_cur / 1024);
	}
	unsigned long long room;
	char what[200];
	const char *act;
	if (yb_mem_headroom(&room, what, sizeof(what), &act) == 0)
		yb_meta_set(m, "host.memory_headroom", "%llu MiB: %s", room >> 20,
			    what);
}

/* ---- transports -------------------------------------------------------------------- */

void yb_diag_transports(struct yb_meta *m)
{
	char key[64];

	for (size_t i = 0; i < yb_transport_count(); i++) {
		const struct yb_transport *t = yb_transport_at(i);
		struct yb_err err = { 0 };
		snprintf(key, sizeof(key), "transports.%s", t->name);
		if (t->probe(&err) == 0)
			yb_meta_set(m, key, "available");
		else
			yb_meta_set(m, key, "unavailable: %s", err.msg);
	}
}

/* ---- probes -------------------------------------------------------------------------- */

void yb_diag_probes(struct yb_meta *m, int cpu_a, int cpu_b)
{
	static const size_t sizes[] = { 64 * 1024, 1024 * 1024,
					16 * 1024 * 1024 };
	static const char *const keys[] = { "probe.memcpy_64k_gbytes",
					    "probe.memcpy_1m_gbytes",
					    "probe.memcpy_16m_gbytes" };
	struct yb_err err = { 0 };
	double v;

	for (size_t i = 0; i < 3; i++) {
		if (yb_probe_memcpy(sizes[i], 0.2, &v, &err) == 0)
			yb_meta_set_num(m, keys[i], v);
		else
			yb_meta_set(m, keys[i], "failed: %s", err.msg);
	}
	if (cpu_a < 0 || cpu_b < 0) {
		yb_meta_set(m, "probe.cacheline_one_way_ns",
			    "not measured (needs two CPUs)");
	} else if (yb_probe_cacheline(cpu_a, cpu_b, 0.3, &v, &err) == 0) {
		yb_meta_set_num(m, "probe.cacheline_one_way_ns", v);
		struct yb_placement pl;
		char note[256];
		yb_placement_of(cpu_a, cpu_b, &pl);
		yb_meta_set(m, "probe.cacheline_cpus", "%d,%d", cpu_a, cpu_b);
		yb_meta_set(m, "probe.cacheline_relation", "%s%s%s",
			    yb_relation_name(pl.rel),
			    *yb_placement_note(&pl, note, sizeof(note)) ? "; " :
									  "",
			    note);
	} else {
		yb_meta_set(m, "probe.cacheline_one_way_ns", "failed: %s",
			    err.msg);
	}
}
