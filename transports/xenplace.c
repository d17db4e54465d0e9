/* xenplace.c - where two Xen domains' vCPUs run (see xenplace.h). */
#include "transports/xenplace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
#include <xenctrl.h>

xc_interface *yb_quiet_xc_open(struct yb_quiet_xc *q)
{
	q->null = fopen("/dev/null", "w");
	xentoollog_logger_stdiostream *lg =
		q->null ? xtl_createlogger_stdiostream(q->null, XTL_CRITICAL, 0) :
			  NULL;
	q->lg = lg;
	q->xc = xc_interface_open((xentoollog_logger *)lg,
				  (xentoollog_logger *)lg, 0);
	return q->xc;
}

void yb_quiet_xc_close(struct yb_quiet_xc *q)
{
	if (q->xc)
		xc_interface_close(q->xc);
	if (q->lg)
		xtl_logger_destroy((xentoollog_logger *)q->lg);
	if (q->null)
		fclose(q->null);
}

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
	struct yb_quiet_xc q;
	xc_interface *xc = yb_quiet_xc_open(&q);
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
	yb_quiet_xc_close(&q);
}
#else
struct xc_interface_core *yb_quiet_xc_open(struct yb_quiet_xc *q)
{
	q->null = NULL;
	q->lg = NULL;
	q->xc = NULL;
	return NULL;
}

void yb_quiet_xc_close(struct yb_quiet_xc *q)
{
	(void)q;
}

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

