/* sysinfo.c - host facts and CPU pinning; see sysinfo.h. */
#include "sysinfo.h"

#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "version.h"

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
		yb_meta_set(m, KEY("host"), "%s", u.nodename);
		yb_meta_set(m, KEY("kernel"), "%s %s", u.sysname, u.release);
		yb_meta_set(m, KEY("machine"), "%s", u.machine);
	}
	cpu_model(buf, sizeof(buf));
	yb_meta_set(m, KEY("cpu_model"), "%s", buf);
	yb_meta_set_int(m, KEY("cpus_online"), sysconf(_SC_NPROCESSORS_ONLN));
	hypervisor(buf, sizeof(buf));
	yb_meta_set(m, KEY("hypervisor"), "%s", buf);
	yb_meta_set(m, KEY("clock"), "CLOCK_MONOTONIC");
	yb_meta_set_int(m, KEY("clock_resolution_ns"),
			(long long)yb_clock_resolution());
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
