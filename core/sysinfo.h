/*
 * sysinfo.h - facts about this host for the run metadata, and CPU pinning.
 */
#ifndef YB_SYSINFO_H
#define YB_SYSINFO_H

#include "err.h"
#include "meta.h"

/*
 * Add program version, date, host, kernel, CPU model, online CPUs,
 * hypervisor and clock resolution to m, each key prefixed by prefix.
 */
void yb_sysinfo_meta(struct yb_meta *m, const char *prefix);

/* CPUs this process may run on, in order; returns the count (<= max). */
int yb_allowed_cpus(int *cpus, int max);

/* Pin the calling process to one CPU. */
int yb_pin_cpu(int cpu, struct yb_err *err);

/* CPU the caller is running on now, or -1. */
int yb_current_cpu(void);

#endif /* YB_SYSINFO_H */
