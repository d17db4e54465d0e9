/*
 * diag.c - what this host or guest can do, and why a transport will not
 * start; see diag.h.  Everything here works without root: what cannot be
 * seen as this user is reported as such, never guessed.
 */
#include "diag.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/vm_sockets.h>

#include "clock.h"
#include "probe.h"
#include "sysinfo.h"
#include "topo.h"
#include "transport.h"
#include "../transports/vsock.h"
#include "../transports/xenplace.h"

#ifdef YB_HAVE_XEN
#include <xenctrl.h>
#include <xenstore.h>
#endif

/* First line of a file, or NULL. */
static const char *read_line(const char *path, char *buf, size_t len)
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

static void set_file(struct yb_meta *m, const char *key, const char *path,
		     const char *missing)
{
	char buf[512];
	const char *v = read_line(path, buf, sizeof(buf));

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

static void host_facts(struct yb_meta *m)
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
		read_line("/sys/devices/system/cpu/isolated", buf, sizeof(buf));
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

/* ---- Xen ----------------------------------------------------------------------- */

static void device_facts(struct yb_meta *m, const char *name)
{
	char path[64], key[96];

	snprintf(path, sizeof(path), "/dev/xen/%s", name);
	snprintf(key, sizeof(key), "xen.devices.%s", name);
	if (access(path, F_OK) != 0) {
		yb_meta_set(m, key, "absent");
		return;
	}
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		yb_meta_set(m, key, "present, usable by this user");
	} else {
		yb_meta_set(m, key, "present, not usable by this user (%s)",
			    strerror(errno));
	}
}

static void module_facts(struct yb_meta *m, const char *mod,
			 const char *device)
{
	char path[128], key[96];

	snprintf(path, sizeof(path), "/sys/module/%s", mod);
	snprintf(key, sizeof(key), "xen.modules.%s", mod);
	if (access(path, F_OK) == 0)
		yb_meta_set(m, key, "loaded");
	else
		yb_meta_set(m, key, "not loaded (modprobe %s, as root, "
			    "gives /dev/xen/%s)",
			    mod, device);
}

#ifdef YB_HAVE_XEN
static void xenstore_facts(struct yb_meta *m, int peer)
{
	struct xs_handle *xs = xs_open(XS_OPEN_READONLY);

	if (!xs) {
		yb_meta_set(m, "xen.xenstore", "not reachable (%s)",
			    strerror(errno));
		return;
	}
	unsigned len = 0;
	char *domid = xs_read(xs, XBT_NULL, "domid", &len);
	if (domid) {
		yb_meta_set(m, "xen.xenstore", "reachable");
		yb_meta_set(m, "xen.domid", "%s", domid);
		free(domid);
	} else {
		yb_meta_set(m, "xen.xenstore",
			    "reachable, but 'domid' unreadable (%s)",
			    strerror(errno));
	}
	if (peer >= 0) {
		char path[64];
		snprintf(path, sizeof(path), "/local/domain/%d/name", peer);
		char *name = xs_read(xs, XBT_NULL, path, &len);
		if (name) {
			yb_meta_set(m, "xen.peer", "domain %d (%s) is on this "
				    "host",
				    peer, name);
			free(name);
		} else {
			yb_meta_set(m, "xen.peer",
				    "domain %d not visible in XenStore from "
				    "here (%s): not on this host, or not "
				    "readable by this domain",
				    peer, strerror(errno));
		}
	}
	xs_close(xs);
}

static void xenctrl_facts(struct yb_meta *m)
{
	struct yb_quiet_xc q;
	xc_interface *xc = yb_quiet_xc_open(&q);

	if (!xc) {
		yb_meta_set(m, "xen.libxenctrl",
			    "no answer (needs /dev/xen/privcmd; dom0 or a "
			    "privileged domain)");
	} else {
		int v = xc_version(xc, XENVER_version, NULL);
		if (v > 0)
			yb_meta_set(m, "xen.version", "%d.%d", v >> 16,
				    v & 0xffff);
		xc_physinfo_t pi;
		memset(&pi, 0, sizeof(pi));
		if (xc_physinfo(xc, &pi) == 0) {
			yb_meta_set_int(m, "xen.physinfo.cpus",
					pi.nr_cpus);
			yb_meta_set_int(m, "xen.physinfo.nodes",
					pi.nr_nodes);
			yb_meta_set_int(m, "xen.physinfo.total_mib",
					(long long)(pi.total_pages / 256));
			yb_meta_set_int(m, "xen.physinfo.free_mib",
					(long long)(pi.free_pages / 256));
			yb_meta_set(m, "xen.libxenctrl", "answers");
		} else {
			yb_meta_set(m, "xen.libxenctrl",
				    "opened, physinfo refused (%s)",
				    strerror(errno));
		}
	}
	yb_quiet_xc_close(&q);
}
#endif

static void xen_facts(struct yb_meta *m, int peer)
{
	char buf[256];
	const char *type = read_line("/sys/hypervisor/type", buf, sizeof(buf));
	int on_xen = type && strcmp(type, "xen") == 0;

	yb_meta_set(m, "xen.guest", "%s",
		    on_xen ? "yes" : "no (/sys/hypervisor/type does not say "
				     "xen)");
	if (on_xen) {
		char major[32], minor[32];
		if (read_line("/sys/hypervisor/version/major", major,
			      sizeof(major)) &&
		    read_line("/sys/hypervisor/version/minor", minor,
			      sizeof(minor)))
			yb_meta_set(m, "xen.version", "%s.%s", major, minor);
	}
	static const char *const devs[] = { "gntalloc", "gntdev", "evtchn",
					    "xenbus", "privcmd" };
	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++)
		device_facts(m, devs[i]);
	module_facts(m, "xen_gntalloc", "gntalloc");
	module_facts(m, "xen_gntdev", "gntdev");
	module_facts(m, "xen_evtchn", "evtchn");
	const char *limit = read_line("/sys/module/xen_gntalloc/parameters/limit",
				      buf, sizeof(buf));
	if (limit)
		yb_meta_set(m, "xen.gntalloc_limit_pages", "%s", limit);
	else
		yb_meta_set(m, "xen.gntalloc_limit_pages",
			    "unknown (xen_gntalloc not loaded)");
#ifdef YB_HAVE_XEN
	yb_meta_set(m, "xen.libraries", "linked (Xen %s)", YB_XEN_VERSION);
	if (on_xen || access("/dev/xen/xenbus", F_OK) == 0) {
		xenstore_facts(m, peer);
		xenctrl_facts(m);
		const char *self = yb_meta_get(m, "xen.domid");
		if (peer >= 0 && self)
			yb_xen_placement(m, "xen.placement.",
					 (unsigned)strtoul(self, NULL, 10),
					 (unsigned)peer);
	} else {
		yb_meta_set(m, "xen.xenstore", "not reachable (not a Xen "
			    "guest)");
	}
#else
	(void)peer;
	yb_meta_set(m, "xen.libraries",
		    "not found at build time (install libxen-dev and "
		    "rebuild)");
#endif
}

/* ---- AF_VSOCK ---------------------------------------------------------------------- */

static void vsock_facts(struct yb_meta *m)
{
	unsigned cid = 0;
	int e = yb_vsock_local_cid(&cid);

	if (e == 0)
		yb_meta_set_int(m, "vsock.local_cid", cid);
	else
		yb_meta_set(m, "vsock.local_cid", "unknown (/dev/vsock: %s)",
			    strerror(e));
	int s = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		yb_meta_set(m, "vsock.sockets", "unavailable (%s)",
			    strerror(errno));
		return;
	}
	close(s);
	yb_meta_set(m, "vsock.sockets", "can be created");
	static const struct {
		unsigned cid;
		const char *key;
	} to[] = { { VMADDR_CID_LOCAL, "vsock.loopback" },
		   { VMADDR_CID_HOST, "vsock.host" } };
	for (size_t i = 0; i < 2; i++) {
		e = yb_vsock_answers(to[i].cid, 300);
		if (e == 0)
			yb_meta_set(m, to[i].key, "a transport answers");
		else if (e == ETIMEDOUT)
			yb_meta_set(m, to[i].key,
				    "no answer within 300 ms (no transport "
				    "delivers to CID %u)",
				    to[i].cid);
		else
			yb_meta_set(m, to[i].key, "no transport (%s)",
				    strerror(e));
	}
}

/* ---- transports -------------------------------------------------------------------- */

static void transport_facts(struct yb_meta *m)
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

void yb_diag(struct yb_meta *m, const struct yb_diag_opts *o)
{
	host_facts(m);
	xen_facts(m, o->peer);
	vsock_facts(m);
	transport_facts(m);
	if (o->probe)
		yb_diag_probes(m, o->cpu_a, o->cpu_b);
	if (geteuid() != 0)
		yb_meta_set(m, "note", "run as a regular user: devices root "
			    "could open may show as not usable");
}
