/*
 * sysinfo.h - facts about this host for the run metadata, CPU pinning, and
 * memory: what the host has room for and what this process holds.
 */
#ifndef YB_SYSINFO_H
#define YB_SYSINFO_H

#include "core/base/err.h"
#include "core/base/meta.h"

/*
 * Add program version, date, host, kernel, boot id, CPU model, online
 * CPUs, hypervisor, the clock's resolution, its read cost
 * (yb_clock_read_ns) and the kernel's clocksource to m, each key prefixed
 * by prefix.  The boot id (/proc/sys/kernel/random/boot_id) tells whether
 * two ends share one kernel, and so whether their CPU numbers compare.
 */
void yb_sysinfo_meta(struct yb_meta *m, const char *prefix);

/*
 * The first line of a small file (sysfs, procfs) into buf without its
 * newline; NULL when the file cannot be opened or is empty.
 */
const char *yb_first_line(const char *path, char *buf, size_t len);

/*
 * The kernel's current clocksource (tsc, kvm-clock, xen, hpet...) into
 * buf, or "unknown"; returns buf.
 */
const char *yb_clocksource(char *buf, size_t len);

/* CPUs this process may run on, in order; returns the count (<= max). */
int yb_allowed_cpus(int *cpus, int max);

/* Pin the calling process to one CPU. */
int yb_pin_cpu(int cpu, struct yb_err *err);

/* CPU the caller is running on now, or -1. */
int yb_current_cpu(void);

/*
 * The one CPU the caller may run on, or -1 when its affinity allows more
 * than one (whoever pinned it: --cpus, taskset, a cgroup cpuset).
 */
int yb_pinned_cpu(void);

/*
 * How much more memory this process may take before the kernel refuses it
 * or kills it: the least of MemAvailable and the headroom (limit - usage +
 * reclaimable page cache) of each memory cgroup it belongs to, v1 or v2.
 * what gets the binding limit, action what to do about it ("raise it").
 * 0, or -1 when nothing is known.
 */
int yb_mem_headroom(unsigned long long *bytes, char *what, size_t n,
		    const char **action);

/* Resident set size of this process in KiB (0 if unknown). */
long yb_rss_kib(void);

#endif /* YB_SYSINFO_H */
