/*
 * xenfacts.c - what this domain can see of Xen, for `diag`; see
 * xenfacts.h.  Works without root and without the Xen libraries: what
 * cannot be seen is reported as such, never guessed.
 */
#include "transports/xenfacts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/host/sysinfo.h"
#include "transports/xenplace.h"

#ifdef YB_HAVE_XEN
#include <xenctrl.h>
#include <xenstore.h>
#endif

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

void yb_xen_facts(struct yb_meta *m, int peer)
{
	char buf[256];
	const char *type = yb_first_line("/sys/hypervisor/type", buf, sizeof(buf));
	int on_xen = type && strcmp(type, "xen") == 0;

	yb_meta_set(m, "xen.guest", "%s",
		    on_xen ? "yes" : "no (/sys/hypervisor/type does not say "
				     "xen)");
	if (on_xen) {
		char major[32], minor[32];
		if (yb_first_line("/sys/hypervisor/version/major", major,
			      sizeof(major)) &&
		    yb_first_line("/sys/hypervisor/version/minor", minor,
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
	const char *limit = yb_first_line("/sys/module/xen_gntalloc/parameters/limit",
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
