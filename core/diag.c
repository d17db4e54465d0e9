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

/* libxenctrl, whose failures would go to stderr: sent nowhere. */
struct quiet_xc {
	FILE *null;
	xentoollog_logger_stdiostream *lg;
	xc_interface *xc;
};

static xc_interface *quiet_open(struct quiet_xc *q)
{
	q->null = fopen("/dev/null", "w");
	q->lg = q->null ? xtl_createlogger_stdiostream(q->null, XTL_CRITICAL, 0) :
			  NULL;
	q->xc = xc_interface_open((xentoollog_logger *)q->lg,
				  (xentoollog_logger *)q->lg, 0);
	return q->xc;
}

static void quiet_close(struct quiet_xc *q)
{
	if (q->xc)
		xc_interface_close(q->xc);
	if (q->lg)
		xtl_logger_destroy((xentoollog_logger *)q->lg);
	if (q->null)
		fclose(q->null);
}

static void xenctrl_facts(struct yb_meta *m)
{
	struct quiet_xc q;
	xc_interface *xc = quiet_open(&q);

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
	quiet_close(&q);
}
#endif

/* ---- Xen placement ------------------------------------------------------------------ */

const char *yb_xen_rel_name(enum yb_xen_rel r)
{
	switch (r) {
	case YB_XEN_SAME_CPU:
		return "same physical CPU";
	case YB_XEN_SMT:
		return "SMT siblings (two threads of one core)";
	case YB_XEN_MAY_SHARE:
		return "apart now, but free to share a CPU";
	case YB_XEN_APART:
		return "apart (pinned to CPUs that share no core)";
	default:
		return "unknown";
	}
}

static int same_core(int x, int y, const uint32_t *core,
		     const uint32_t *socket, size_t ncpu)
{
	return x >= 0 && y >= 0 && (size_t)x < ncpu && (size_t)y < ncpu &&
	       core[x] == core[y] && socket[x] == socket[y] &&
	       core[x] != UINT32_MAX;
}

/* Could vCPUs with these hard affinities ever share a core? */
static int may_share(uint64_t ha, uint64_t hb, const uint32_t *core,
		     const uint32_t *socket, size_t ncpu)
{
	if ((ha & hb) || ncpu == 0)
		return 1; /* one CPU for both, or cores unknown */
	size_t n = ncpu < 64 ? ncpu : 64;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			if ((ha >> i & 1) && (hb >> j & 1) &&
			    same_core((int)i, (int)j, core, socket, ncpu))
				return 1;
	/* CPUs past 64 are not in the masks: say nothing for sure. */
	return ncpu > 64;
}

enum yb_xen_rel yb_xen_relation(const struct yb_xen_vcpu *a, size_t na,
				const struct yb_xen_vcpu *b, size_t nb,
				const uint32_t *core, const uint32_t *socket,
				size_t ncpu, char *why, size_t whylen)
{
	enum yb_xen_rel best = na && nb ? YB_XEN_APART : YB_XEN_UNKNOWN;

	if (whylen)
		why[0] = '\0';
	for (size_t i = 0; i < na; i++)
		for (size_t j = 0; j < nb; j++) {
			enum yb_xen_rel r = YB_XEN_APART;
			if (a[i].pcpu >= 0 && a[i].pcpu == b[j].pcpu)
				r = YB_XEN_SAME_CPU;
			else if (same_core(a[i].pcpu, b[j].pcpu, core, socket,
					   ncpu))
				r = YB_XEN_SMT;
			else if (may_share(a[i].hard, b[j].hard, core, socket,
					   ncpu))
				r = YB_XEN_MAY_SHARE;
			if (r < best) {
				best = r;
				if (whylen)
					snprintf(why, whylen,
						 "vcpu%zu (physical CPU %d) and "
						 "the peer's vcpu%zu (physical "
						 "CPU %d)",
						 i, a[i].pcpu, j, b[j].pcpu);
			}
		}
	return best;
}

#ifdef YB_HAVE_XEN
/* CPUs in a hard-affinity map as "0-3,6" ("none" for none), and its
 * first 64 as bits. */
static uint64_t cpu_list(const uint8_t *map, int bytes, char *out,
			 size_t outlen)
{
	uint64_t bits = 0;
	size_t o = 0;
	int n = bytes * 8, first = -1;

	out[0] = '\0';
	for (int c = 0; c <= n; c++) {
		int on = c < n && (map[c / 8] >> (c % 8) & 1);
		if (on && c < 64)
			bits |= 1ull << c;
		if (on && first < 0)
			first = c;
		if (!on && first >= 0) {
			int w = first == c - 1 ?
					snprintf(out + o, outlen - o, "%s%d",
						 o ? "," : "", first) :
					snprintf(out + o, outlen - o, "%s%d-%d",
						 o ? "," : "", first, c - 1);
			if (w < 0 || (size_t)w >= outlen - o)
				break;
			o += (size_t)w;
			first = -1;
		}
	}
	if (!out[0])
		snprintf(out, outlen, "none");
	return bits;
}

#define PLACE_VCPUS 64

/* One domain's vCPUs: their CPUs now into v, the text into m. */
static int domain_vcpus(xc_interface *xc, struct yb_meta *m,
			const char *key, unsigned dom, const uint32_t *core,
			const uint32_t *socket, size_t ncpu,
			struct yb_xen_vcpu *v, size_t *nv)
{
	xc_dominfo_t di;
	char text[1024], aff[128];
	size_t o = 0;

	*nv = 0;
	if (xc_domain_getinfo(xc, dom, 1, &di) != 1 || di.domid != dom) {
		yb_meta_set(m, key, "unknown (domain %u: %s)", dom,
			    strerror(errno ? errno : ESRCH));
		return -1;
	}
	int bytes = xc_get_cpumap_size(xc);
	xc_cpumap_t hard = xc_cpumap_alloc(xc);
	text[0] = '\0';
	for (unsigned k = 0; k <= di.max_vcpu_id && *nv < PLACE_VCPUS; k++) {
		xc_vcpuinfo_t vi;
		if (xc_vcpu_getinfo(xc, dom, k, &vi) != 0 || !vi.online)
			continue;
		struct yb_xen_vcpu *x = &v[(*nv)++];
		x->pcpu = (int)vi.cpu;
		x->hard = ~0ull;
		snprintf(aff, sizeof(aff), "unknown");
		if (hard && bytes > 0 &&
		    xc_vcpu_getaffinity(xc, dom, (int)k, hard, NULL,
					XEN_VCPUAFFINITY_HARD) == 0)
			x->hard = cpu_list(hard, bytes, aff, sizeof(aff));
		char where[64] = "";
		if ((size_t)x->pcpu < ncpu && core[x->pcpu] != UINT32_MAX)
			snprintf(where, sizeof(where), " (core %u, socket %u)",
				 core[x->pcpu], socket[x->pcpu]);
		int w = snprintf(text + o, sizeof(text) - o,
				 "%svcpu%u on physical CPU %u%s, may run on %s",
				 o ? "; " : "", k, vi.cpu, where, aff);
		if (w < 0 || (size_t)w >= sizeof(text) - o)
			break;
		o += (size_t)w;
	}
	free(hard);
	yb_meta_set(m, key, "domain %u: %s", dom, text[0] ? text : "no vCPU online");
	return 0;
}

void yb_xen_placement(struct yb_meta *m, const char *prefix, unsigned self,
		      unsigned peer)
{
	char key[128], why[160];
	struct quiet_xc q;
	xc_interface *xc = quiet_open(&q);
	uint32_t *core = NULL, *socket = NULL;
	xc_cputopo_t *topo = NULL;
	unsigned ncpu = 0;

#define K(s) (snprintf(key, sizeof(key), "%s%s", prefix, s), key)
	if (!xc) {
		yb_meta_set(m, K("unknown"), "libxenctrl does not answer here "
			    "(dom0 can tell)");
		goto out;
	}
	if (xc_cputopoinfo(xc, &ncpu, NULL) == 0 && ncpu > 0 && ncpu < 65536 &&
	    (topo = calloc(ncpu, sizeof(*topo))) != NULL &&
	    xc_cputopoinfo(xc, &ncpu, topo) == 0) {
		core = calloc(ncpu, sizeof(*core));
		socket = calloc(ncpu, sizeof(*socket));
		for (unsigned i = 0; core && socket && i < ncpu; i++) {
			core[i] = topo[i].core;
			socket[i] = topo[i].socket;
		}
	}
	if (!core || !socket) {
		ncpu = 0;
	}
	struct yb_xen_vcpu a[PLACE_VCPUS], b[PLACE_VCPUS];
	size_t na = 0, nb = 0;
	int ra = domain_vcpus(xc, m, K("self"), self, core, socket, ncpu, a, &na);
	int rb = domain_vcpus(xc, m, K("peer"), peer, core, socket, ncpu, b, &nb);
	if (ra || rb) {
		if (ra && rb)
			yb_meta_set(m, K("unknown"), "libxenctrl cannot see "
				    "these domains from here (dom0 can tell)");
		goto out;
	}
	enum yb_xen_rel r = yb_xen_relation(a, na, b, nb, core, socket, ncpu,
					    why, sizeof(why));
	yb_meta_set(m, K("relation"), "%s%s%s", yb_xen_rel_name(r),
		    why[0] ? ": " : "", why);
	if (r == YB_XEN_SAME_CPU || r == YB_XEN_SMT || r == YB_XEN_MAY_SHARE)
		yb_meta_set(m, K("warning"),
			    "%s: an end that spins (--wait poll, or adaptive "
			    "for its --spin-time) keeps the %s from the other; "
			    "use --wait block, or pin the domains apart (xl "
			    "vcpu-pin) on CPUs of different cores",
			    r == YB_XEN_MAY_SHARE ?
				    "the two domains are not pinned apart" :
				    "the two ends run on one core",
			    r == YB_XEN_SMT ? "core's execution units" :
					      "CPU");
out:
#undef K
	free(core);
	free(socket);
	free(topo);
	quiet_close(&q);
}
#else
void yb_xen_placement(struct yb_meta *m, const char *prefix, unsigned self,
		      unsigned peer)
{
	char key[128];

	(void)self;
	(void)peer;
	snprintf(key, sizeof(key), "%sunknown", prefix);
	yb_meta_set(m, key, "built without the Xen libraries");
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
