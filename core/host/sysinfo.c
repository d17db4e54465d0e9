/* sysinfo.c - host facts, CPU pinning and memory; see sysinfo.h. */
#include "core/host/sysinfo.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/base/version.h"

#ifdef YB_HAVE_XEN
#include <xenstore.h>
#endif

static void cpu_model(char *buf, size_t len)
{
	FILE *fp = fopen("/proc/cpuinfo", "r");
	char line[512];

	snprintf(buf, len, "unknown");
	if (!fp)
		return;
	while (fgets(line, sizeof(line), fp)) {
		if (strncmp(line, "model name", 10) != 0)
			continue;
		char *c = strchr(line, ':');
		if (!c)
			continue;
		c++;
		while (*c == ' ' || *c == '\t')
			c++;
		c[strcspn(c, "\n")] = '\0';
		snprintf(buf, len, "%s", c);
		break;
	}
	fclose(fp);
}

static void hypervisor(char *buf, size_t len)
{
	FILE *fp = fopen("/sys/hypervisor/type", "r");

	snprintf(buf, len, "none detected");
	if (fp) {
		if (fgets(buf, (int)len, fp))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(fp);
		return;
	}
#if defined(__x86_64__) || defined(__i386__)
	unsigned a, b, c, d;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
			 : "a"(1), "c"(0));
	if (!(c & (1u << 31)))
		return;
	char sig[13];
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
			 : "a"(0x40000000), "c"(0));
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = '\0';
	for (int i = 0; i < 12; i++)
		if (sig[i] && (sig[i] < 0x20 || sig[i] >= 0x7f))
			sig[i] = '?';
	snprintf(buf, len, "%s", sig);
#endif
}

const char *yb_first_line(const char *path, char *buf, size_t len)
{
	FILE *fp = fopen(path, "r");

	if (!fp)
		return NULL;
	char *r = fgets(buf, (int)len, fp);
	fclose(fp);
	if (!r)
		return NULL;
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

const char *yb_clocksource(char *buf, size_t len)
{
	if (!yb_first_line("/sys/devices/system/clocksource/clocksource0/"
			"current_clocksource",
			buf, len) ||
	    !buf[0])
		snprintf(buf, len, "unknown");
	return buf;
}

/*
 * This host's name.  A guest started without one (the kernel's "(none)")
 * goes by its Xen domain's name, the one xl lists, when XenStore has it:
 * graphs and files then say which guest they came from.  *from says
 * where the name came from, or is NULL for the kernel's own.
 */
static void host_name(const struct utsname *u, char *buf, size_t len,
		      const char **from)
{
	*from = NULL;
	snprintf(buf, len, "%s", u->nodename);
	if (buf[0] && strcmp(buf, "(none)") != 0 &&
	    strcmp(buf, "localhost") != 0)
		return;
#ifdef YB_HAVE_XEN
	if (access("/proc/xen", F_OK) != 0 && access("/dev/xen/xenbus", F_OK) != 0)
		return;
	struct xs_handle *xs = xs_open(0);
	unsigned n = 0;
	char *name = xs ? xs_read(xs, XBT_NULL, "name", &n) : NULL;
	size_t ok = 0;
	/* Printable, and short enough for a graph's title. */
	while (name && ok < n && ok < 64 && name[ok] > 0x20 && name[ok] < 0x7f)
		ok++;
	if (name && ok == n && n > 0) {
		snprintf(buf, len, "%s", name);
		*from = "the Xen domain's name (this guest has no host name)";
	}
	free(name);
	if (xs)
		xs_close(xs);
#endif
}

void yb_sysinfo_meta(struct yb_meta *m, const char *prefix)
{
	char key[128], buf[256];
	struct utsname u;
#define KEY(k) (snprintf(key, sizeof(key), "%s%s", prefix, k), key)

	yb_meta_set(m, KEY("program"), "yasmin-bench");
	yb_meta_set(m, KEY("version"), "%s", YB_VERSION);
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	yb_meta_set(m, KEY("date"), "%s", buf);
	if (uname(&u) == 0) {
		const char *from;
		host_name(&u, buf, sizeof(buf), &from);
		yb_meta_set(m, KEY("host"), "%s", buf);
		if (from)
			yb_meta_set(m, KEY("host_from"), "%s", from);
		yb_meta_set(m, KEY("kernel"), "%s %s", u.sysname, u.release);
		yb_meta_set(m, KEY("machine"), "%s", u.machine);
	}
	if (yb_first_line("/proc/sys/kernel/random/boot_id", buf, sizeof(buf)))
		yb_meta_set(m, KEY("boot_id"), "%s", buf);
	cpu_model(buf, sizeof(buf));
	yb_meta_set(m, KEY("cpu_model"), "%s", buf);
	yb_meta_set_int(m, KEY("cpus_online"), sysconf(_SC_NPROCESSORS_ONLN));
	hypervisor(buf, sizeof(buf));
	yb_meta_set(m, KEY("hypervisor"), "%s", buf);
	yb_meta_set(m, KEY("clock"), "CLOCK_MONOTONIC");
	yb_meta_set_int(m, KEY("clock_resolution_ns"),
			(long long)yb_clock_resolution());
	yb_meta_set_num(m, KEY("clock_read_ns"), yb_clock_read_ns());
	yb_meta_set_int(m, KEY("clock_realtime_offset_ns"),
			(long long)yb_clock_realtime_offset());
	yb_meta_set(m, KEY("clocksource"), "%s",
		    yb_clocksource(buf, sizeof(buf)));
#undef KEY
}

int yb_allowed_cpus(int *cpus, int max)
{
	cpu_set_t set;
	int n = 0;

	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return 0;
	for (int i = 0; i < CPU_SETSIZE && n < max; i++)
		if (CPU_ISSET(i, &set))
			cpus[n++] = i;
	return n;
}

int yb_pin_cpu(int cpu, struct yb_err *err)
{
	cpu_set_t set;

	if (cpu < 0 || cpu >= CPU_SETSIZE)
		return yb_err_set(err, YB_EUSAGE, "CPU %d does not exist", cpu);
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0)
		return yb_err_sys(err, errno, "cannot pin to CPU %d", cpu);
	return 0;
}

int yb_current_cpu(void)
{
	return sched_getcpu();
}

int yb_pinned_cpu(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) != 0 || CPU_COUNT(&set) != 1)
		return -1;
	for (int i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &set))
			return i;
	return -1;
}

/* ---- memory headroom ---------------------------------------------------- */

/* The first number after "key" at the start of a line of file, or -1. */
static long long stat_value(const char *file, const char *key)
{
	FILE *f = fopen(file, "r");
	char line[256];
	long long v = -1;
	size_t kl = strlen(key);

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, kl) == 0 &&
		    (line[kl] == ' ' || line[kl] == ':' || line[kl] == '\t')) {
			v = strtoll(line + kl + 1 + strspn(line + kl + 1, " :\t"),
				    NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* A file holding one number ("max" and absurd values mean none): -1. */
static long long file_value(const char *file)
{
	FILE *f = fopen(file, "r");
	char line[64];
	long long v = -1;

	if (!f)
		return -1;
	if (fgets(line, sizeof(line), f) && line[0] >= '0' && line[0] <= '9')
		v = strtoll(line, NULL, 10);
	fclose(f);
	return v >= (1ll << 60) ? -1 : v;
}

static void mib(char *buf, size_t n, unsigned long long b)
{
	if (b >= 10ull << 30)
		snprintf(buf, n, "%llu GiB", b >> 30);
	else
		snprintf(buf, n, "%llu MiB", b >> 20);
}

/*
 * Walk the memory cgroup of this process and its ancestors (under root,
 * e.g. /sys/fs/cgroup or /sys/fs/cgroup/memory) and lower *best to the
 * least headroom found: limit - usage + reclaimable page cache.
 */
static void cgroup_headroom(const char *root, const char *path, int v2,
			    unsigned long long *best, char *what, size_t n,
			    const char **action)
{
	char dir[512], file[600];

	snprintf(dir, sizeof(dir), "%s%s", root, path);
	for (;;) {
		size_t rl = strlen(root);
		snprintf(file, sizeof(file), "%s/%s", dir,
			 v2 ? "memory.max" : "memory.limit_in_bytes");
		long long limit = file_value(file);
		if (limit >= 0) {
			snprintf(file, sizeof(file), "%s/%s", dir,
				 v2 ? "memory.current" : "memory.usage_in_bytes");
			long long use = file_value(file);
			snprintf(file, sizeof(file), "%s/memory.stat", dir);
			long long a = stat_value(file, v2 ? "active_file" :
							    "total_active_file");
			long long i = stat_value(file, v2 ? "inactive_file" :
							    "total_inactive_file");
			long long room = limit - (use < 0 ? 0 : use) +
					 (a > 0 ? a : 0) + (i > 0 ? i : 0);
			if (room < 0)
				room = 0;
			if ((unsigned long long)room < *best) {
				char l[32], r[32];
				*best = (unsigned long long)room;
				mib(l, sizeof(l), (unsigned long long)limit);
				mib(r, sizeof(r), (unsigned long long)room);
				snprintf(what, n,
					 "the memory cgroup %s allows %s more "
					 "(%s is %s)",
					 dir[rl] ? dir + rl : "/", r,
					 v2 ? "memory.max" :
					      "memory.limit_in_bytes", l);
				*action = "raise it";
			}
		}
		char *slash = strrchr(dir + rl, '/');
		if (!slash)
			break;
		*slash = '\0';
	}
}

int yb_mem_headroom(unsigned long long *bytes, char *what, size_t n,
		    const char **action)
{
	unsigned long long best = ~0ull;
	char line[512];

	what[0] = '\0';
	long long avail = stat_value("/proc/meminfo", "MemAvailable");
	if (avail >= 0) {
		char a[32];
		best = (unsigned long long)avail * 1024;
		mib(a, sizeof(a), best);
		snprintf(what, n, "the host has %s available (MemAvailable in "
				  "/proc/meminfo)", a);
		*action = "free some memory";
	}
	FILE *f = fopen("/proc/self/cgroup", "r");
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		const char *ctl = c1 + 1, *path = c2 + 1;
		if (strcmp(line, "0") == 0 && !*ctl &&
		    access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0) {
			cgroup_headroom("/sys/fs/cgroup", path, 1, &best, what,
					n, action);
		} else {
			/* v1: "memory" among the comma-separated controllers */
			size_t l = strlen(ctl);
			const char *m = strstr(ctl, "memory");
			if (m && (m == ctl || m[-1] == ',') &&
			    (m + 6 == ctl + l || m[6] == ','))
				cgroup_headroom("/sys/fs/cgroup/memory", path, 0,
						&best, what, n, action);
		}
	}
	if (f)
		fclose(f);
	if (best == ~0ull)
		return -1;
	*bytes = best;
	return 0;
}

long yb_rss_kib(void)
{
	FILE *fp = fopen("/proc/self/statm", "r");
	long size = 0, rss = 0;

	if (!fp)
		return 0;
	if (fscanf(fp, "%ld %ld", &size, &rss) != 2)
		rss = 0;
	fclose(fp);
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}
