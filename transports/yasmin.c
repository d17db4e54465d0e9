/*
 * yasmin.c - the YASMIN ring between two Xen domains: granted pages and
 * an event channel, rendezvous in XenStore.
 *
 * The same ring code as shm (core/ring.c); what differs is the back end:
 *
 *   pages    the server allocates them with gntalloc (libxengnttab's
 *            xengntshr) and grants them to the peer domain; the client
 *            maps them with gntdev.  One control page, then the data
 *            pages of ring 0 and ring 1, all writable by the peer, plus
 *            read-only list pages holding the data pages' grant
 *            references (1024 to a page), so a ring may be as large as
 *            gntalloc allows - past libxenvchan's 1 MiB.
 *   signal   an interdomain event channel: the server binds an unbound
 *            port for the peer, the client binds to it.  A delivery is
 *            taken with poll(2) on the device, then xenevtchn_pending(),
 *            then xenevtchn_unmask() so that the next one comes through.
 *   liveness each side asks for an unmap notification on its live byte in
 *            the control page (gntalloc for the server, gntdev for the
 *            client): when a process dies, its kernel clears the byte and
 *            signals the port.  A destroyed domain runs no kernel code, so
 *            each side also checks in XenStore that the other's domain
 *            still exists (xenrv.c).
 *
 * Control page backend area (at YB_RING_OFF_BACKEND):
 *
 *   u32 data pages, u32 list pages, u32 grant reference of each list page
 *
 * Everything the client reads there is read once into local memory and
 * checked against the ring sizes it asked for before anything is mapped.
 */
#ifdef YB_HAVE_XEN

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xenevtchn.h>
#include <xengnttab.h>

#include "core/base/le.h"
#include "core/base/clock.h"
#include "core/wire/ring.h"
#include "transports/ringep.h"
#include "transports/xenplace.h"
#include "transports/xenrv.h"
#include "transports/yasmin.h"

#define YASMIN_VERSION 1
#define YASMIN_DEFAULT_ORDER 20      /* 1 MiB per direction: fits gntalloc's
				    default limit of 1024 pages */
#define YASMIN_REFS_PER_PAGE (YB_RING_PAGE / 4)
#define YASMIN_OFF_NDATA YB_RING_OFF_BACKEND
#define YASMIN_OFF_NLIST (YB_RING_OFF_BACKEND + 4)
#define YASMIN_OFF_LIST (YB_RING_OFF_BACKEND + 8)
#define YASMIN_MAX_LIST ((YB_RING_PAGE - YASMIN_OFF_LIST) / 4)

struct yasmin_listener {
	struct yb_xrv rv;
};

struct yasmin_conn {
	struct yb_ring ring; /* first: the ringep functions use it */
	struct yb_xrv rv;
	xengntshr_handle *gs; /* server */
	xengnttab_handle *gt; /* client */
	xenevtchn_handle *ev;
	evtchn_port_t lport;
	int bound;
	uint8_t *ctrl, *list, *data;
	uint32_t n_data, n_list;
	unsigned order0, order1;
	int side;
	pid_t owner; /* after fork only this process tears down */
	int spin_auto; /* the spin budget is this domain's wake-up cost */
};

/* ---- signalling back end ---------------------------------------------------- */

static int yasmin_notify(void *ctx)
{
	struct yasmin_conn *c = ctx;
	return xenevtchn_notify(c->ev, c->lport) < 0 ? yb_from_errno(errno) : 0;
}

/*
 * Take every delivered event: pending, then unmask, until none is left.
 * Waiting, the peer's XenStore watch wakes us too (0 then: the caller
 * asks whether the peer is gone).
 */
static int yasmin_take_events(struct yasmin_conn *c, int timeout_ms)
{
	struct pollfd p[2] = {
		{ .fd = xenevtchn_fd(c->ev), .events = POLLIN },
		{ .fd = yb_xrv_peer_fd(&c->rv), .events = POLLIN },
	};
	int got = 0;

	for (;;) {
		int n = poll(p, p[1].fd >= 0 ? 2 : 1, got ? 0 : timeout_ms);
		if (n < 0)
			return errno == EINTR ? YB_EINTR : yb_from_errno(errno);
		if (n == 0 || !(p[0].revents & POLLIN))
			return got;
		xenevtchn_port_or_error_t port = xenevtchn_pending(c->ev);
		if (port < 0)
			return yb_from_errno(errno);
		xenevtchn_unmask(c->ev, (evtchn_port_t)port);
		got = 1;
	}
}

static int yasmin_peer_gone(void *ctx)
{
	struct yasmin_conn *c = ctx;
	return yb_xrv_peer_gone(&c->rv);
}

static int yasmin_wait(void *ctx, int timeout_ms)
{
	struct yasmin_conn *c = ctx;
	int r = yasmin_take_events(c, timeout_ms);

	if (r == 0 && yb_xrv_peer_gone(&c->rv))
		return 2;
	return r;
}

static int yasmin_fd(void *ctx)
{
	struct yasmin_conn *c = ctx;
	return xenevtchn_fd(c->ev);
}

/* ---- connection state --------------------------------------------------------- */

static void yasmin_conn_free(struct yasmin_conn *c, int tell_peer)
{
	if (!c)
		return;
	int mine = c->owner == getpid();
	if (tell_peer && mine && c->ring.ctrl)
		yb_ring_close(&c->ring);
	/* Unmapping in a forked parent drops only that process's view. */
	if (c->side == 0 && c->gs) {
		if (c->data)
			xengntshr_unshare(c->gs, c->data, c->n_data);
		if (c->list)
			xengntshr_unshare(c->gs, c->list, c->n_list);
		if (c->ctrl)
			xengntshr_unshare(c->gs, c->ctrl, 1);
		xengntshr_close(c->gs);
	}
	if (c->side == 1 && c->gt) {
		if (c->data)
			xengnttab_unmap(c->gt, c->data, c->n_data);
		if (c->ctrl)
			xengnttab_unmap(c->gt, c->ctrl, 1);
		xengnttab_close(c->gt);
	}
	if (c->ev) {
		if (c->bound && mine && tell_peer)
			xenevtchn_unbind(c->ev, c->lport);
		xenevtchn_close(c->ev);
	}
	if (mine && tell_peer)
		yb_xrv_close(&c->rv);
	else
		yb_xrv_forget(&c->rv);
	free(c);
}

static struct yasmin_conn *yasmin_conn_new(int side)
{
	struct yasmin_conn *c = calloc(1, sizeof(*c));
	if (c) {
		c->side = side;
		c->owner = getpid();
		c->rv.tfd = c->rv.efd = c->rv.kick = -1;
	}
	return c;
}

static void yasmin_attach(struct yasmin_conn *c, int wait_mode,
			  uint64_t spin_ns)
{
	struct yb_ring_signal sig = { .notify = yasmin_notify,
				      .wait = yasmin_wait,
				      .peer_gone = yasmin_peer_gone,
				      .gone_why = "its domain was destroyed or "
						  "crashed",
				      .fd = yasmin_fd,
				      .ctx = c,
				      /* vCPU numbers of two domains */
				      .foreign_cpus = 1 };
	yb_ring_attach(&c->ring, c->ctrl, c->data,
		       c->data + (1ull << c->order0), c->order0, c->order1,
		       c->side, wait_mode, yb_ringep_spin(spin_ns), &sig);
	c->spin_auto = spin_ns == 0;
}

/* ---- transport operations -------------------------------------------------------- */

static int yasmin_check_addr(const char *addr, int listening,
			     struct yb_err *err)
{
	unsigned dom, port;

	return yb_xrv_parse_addr("yasmin", addr, listening, &dom, &port, err);
}

static int yasmin_probe(struct yb_err *err)
{
	return yb_xrv_probe(yb_xrv_devices, err);
}

/* The rendezvous' name space: a wrapped program's ports have their own. */
static const char *yasmin_space(const struct yb_ep *ep)
{
	const struct yb_rv_opts *o = ep->params ? ep->params->rv : NULL;

	return o && o->space ? o->space : "yasmin";
}

static int yasmin_listen(struct yb_ep *ep, const char *addr, struct yb_err *err)
{
	struct yasmin_listener *l = calloc(1, sizeof(*l));

	if (!l)
		return yb_err_set(err, YB_ENOMEM, "out of memory");
	int rc = yb_xrv_listen(&l->rv, yasmin_space(ep), addr, err);
	if (rc) {
		yb_xrv_close(&l->rv);
		free(l);
		return rc;
	}
	ep->priv = l;
	if (l->rv.peer == YB_XRV_ANY)
		snprintf(ep->addr, sizeof(ep->addr), "yasmin:any:%u (domain %u)",
			 l->rv.port, l->rv.self);
	else
		snprintf(ep->addr, sizeof(ep->addr), "yasmin:%u:%u (domain %u)",
			 l->rv.peer, l->rv.port, l->rv.self);
	return 0;
}

static int yasmin_refuse_request(struct yb_xrv *rv,
				 const struct yb_xrv_request *req, int rc,
				 struct yb_err *err, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int yasmin_refuse_request(struct yb_xrv *rv,
				 const struct yb_xrv_request *req, int rc,
				 struct yb_err *err, const char *fmt, ...)
{
	char why[200], text[220];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(text, sizeof(text), "%s %s",
		 rc == YB_ENOMEM ? "no-resources" : "refused", why);
	yb_xrv_reply(rv, req->nonce, text);
	return yb_err_set(err, rc, "yasmin: domain %u: %s", req->dom, why);
}

/* Refuse a request of another version, or for rings we do not make. */
static int yasmin_check_request(struct yb_xrv *rv,
				const struct yb_xrv_request *req,
				struct yb_err *err)
{
	if (req->version != YASMIN_VERSION)
		return yasmin_refuse_request(rv, req, YB_EPROTO, err,
			      "client speaks yasmin version %u, this server %u "
			      "(use the same yasmin-bench on both sides)",
			      req->version, YASMIN_VERSION);
	if (req->order0 < YB_RING_MIN_ORDER ||
	    req->order0 > YB_RING_MAX_ORDER ||
	    req->order1 < YB_RING_MIN_ORDER ||
	    req->order1 > YB_RING_MAX_ORDER ||
	    req->spin_ns > YB_RING_MAX_SPIN_NS)
		return yasmin_refuse_request(rv, req, YB_EPROTO, err,
			      "ring orders %u/%u or spin %llu ns out of range "
			      "(4K to 1G rings, spin up to 10 s)",
			      req->order0, req->order1, req->spin_ns);
	return 0;
}

/*
 * Count the pages the rings take (*need in all, against gntalloc's *limit,
 * 0 when unknown); refuse rings whose grant list does not fit in the
 * control page, or that gntalloc would not grant.
 */
static int yasmin_size_grants(struct yasmin_conn *c, struct yb_xrv *rv,
			      const struct yb_xrv_request *req, unsigned long *need,
			      unsigned long *limit, struct yb_err *err)
{
	c->order0 = req->order0;
	c->order1 = req->order1;
	c->n_data = (uint32_t)(((1ull << req->order0) + (1ull << req->order1)) /
			       YB_RING_PAGE);
	c->n_list = (c->n_data + YASMIN_REFS_PER_PAGE - 1) /
		    YASMIN_REFS_PER_PAGE;
	*need = 1ul + c->n_list + c->n_data;
	*limit = yb_xen_gntalloc_limit();
	if (c->n_list > YASMIN_MAX_LIST)
		return yasmin_refuse_request(rv, req, YB_EPROTO, err,
			      "rings of %u + %u pages need more grant list pages "
			      "than the control page holds",
			      1u << (req->order0 - 12), 1u << (req->order1 - 12));
	if (*limit && *need > *limit)
		return yasmin_refuse_request(rv, req, YB_ENOMEM, err,
			      "rings of 2x%llu KiB need %lu granted pages; gntalloc "
			      "in domain %u allows %lu (raise it: echo %lu > "
			      "/sys/module/xen_gntalloc/parameters/limit)",
			      (1ull << req->order0) >> 10, *need, rv->self,
			      *limit, *need);
	return 0;
}

/* Open the gntalloc and event channel handles; bind a port for the peer. */
static int yasmin_serve_port(struct yasmin_conn *c, struct yb_xrv *rv,
			     const struct yb_xrv_request *req, struct yb_err *err)
{
	c->gs = xengntshr_open(NULL, 0);
	c->ev = xenevtchn_open(NULL, 0);
	if (!c->gs || !c->ev)
		return yasmin_refuse_request(rv, req, YB_ENOTSUP, err,
					     "cannot open %s: %s",
			      c->gs ? "/dev/xen/evtchn" : "/dev/xen/gntalloc",
			      strerror(errno));
	xenevtchn_port_or_error_t port = xenevtchn_bind_unbound_port(c->ev, c->rv.peer);
	if (port < 0)
		return yasmin_refuse_request(rv, req, YB_ENOMEM, err,
			      "cannot allocate an event channel: %s",
			      strerror(errno));
	c->lport = (evtchn_port_t)port;
	c->bound = 1;
	return 0;
}

/*
 * Grant the control, data and list pages (need in all, limit as above),
 * format the ring and write the grant references into the control and
 * list pages; the control page's reference goes to *ctrl_ref.
 */
static int yasmin_serve_pages(struct yasmin_conn *c, struct yb_xrv *rv,
			      const struct yb_xrv_request *req, unsigned long need,
			      unsigned long limit, uint32_t *ctrl_ref,
			      struct yb_err *err)
{
	uint32_t *refs = calloc(c->n_data + c->n_list, sizeof(uint32_t));
	if (!refs)
		return yasmin_refuse_request(rv, req, YB_ENOMEM, err,
					     "out of memory");
	/* Unmap notification: if this process dies, its kernel clears our
	 * live byte and signals the port. */
	c->ctrl = xengntshr_share_page_notify(c->gs, c->rv.peer, ctrl_ref, 1,
					      YB_RING_OFF_LIVE + 0, c->lport);
	if (c->ctrl)
		c->data = xengntshr_share_pages(c->gs, c->rv.peer,
						(int)c->n_data, refs, 1);
	if (c->data)
		c->list = xengntshr_share_pages(c->gs, c->rv.peer,
						(int)c->n_list, refs + c->n_data,
						0);
	if (!c->list) {
		int e = errno;
		free(refs);
		if (e == ENOSPC || e == ENOMEM)
			return yasmin_refuse_request(rv, req, YB_ENOMEM, err,
				      "gntalloc cannot grant %lu more pages (limit "
				      "%lu in /sys/module/xen_gntalloc/parameters/"
				      "limit, shared by every user in domain %u)",
				      need, limit, rv->self);
		return yasmin_refuse_request(rv, req, YB_ENOMEM, err,
			      "cannot grant %lu pages: %s", need, strerror(e));
	}
	yb_ring_format(c->ctrl, c->order0, c->order1);
	yb_put32(c->ctrl + YASMIN_OFF_NDATA, c->n_data);
	yb_put32(c->ctrl + YASMIN_OFF_NLIST, c->n_list);
	for (uint32_t i = 0; i < c->n_list; i++)
		yb_put32(c->ctrl + YASMIN_OFF_LIST + 4 * i, refs[c->n_data + i]);
	for (uint32_t i = 0; i < c->n_data; i++)
		yb_put32(c->list + 4 * i, refs[i]);
	free(refs);
	return 0;
}

/*
 * Answer with the control page's reference and our port, then wait for
 * the client to map, mark itself live and signal.
 */
static int yasmin_serve_wait(struct yasmin_conn *c, struct yb_xrv *rv,
			     const struct yb_xrv_request *req, uint32_t ctrl_ref,
			     struct yb_err *err)
{
	char text[64];
	int rc;

	snprintf(text, sizeof(text), "ok ref=%u port=%u", ctrl_ref, c->lport);
	if ((rc = yb_xrv_reply(rv, req->nonce, text)) != 0)
		return yb_err_set(err, rc, "yasmin: cannot answer domain %u",
				  c->rv.peer);
	uint64_t deadline = yb_now() + (uint64_t)YB_XRV_HANDSHAKE_MS * 1000000;
	for (;;) {
		uint8_t live = __atomic_load_n(c->ctrl + YB_RING_OFF_LIVE + 1,
					       __ATOMIC_ACQUIRE);
		if (live == 1)
			return 0;
		if (yb_now() > deadline || yb_xrv_peer_gone(&c->rv)) {
			yb_xrv_done(rv);
			return yb_err_set(err, YB_ETIMEDOUT,
					  "yasmin: the client in domain %u did not "
					  "attach within %d ms",
					  c->rv.peer, YB_XRV_HANDSHAKE_MS);
		}
		yasmin_take_events(c, 100);
	}
}

/*
 * Accept the next request: check it, size, bind and grant what it asks
 * for, answer, and wait for the client.  Whatever was set up when a step
 * fails is released (yasmin_conn_free takes a connection in any
 * state).
 */
static int yasmin_accept(struct yb_ep *listener, struct yb_ep *conn,
			 struct yb_err *err)
{
	struct yasmin_listener *l = listener->priv;
	struct yb_xrv_request req;
	unsigned long need, limit;
	uint32_t ctrl_ref;
	int rc = yb_xrv_next_request(&l->rv, &req, err);

	if (rc)
		return rc;
	rc = yasmin_check_request(&l->rv, &req, err);
	if (rc)
		return rc;
	struct yasmin_conn *c = yasmin_conn_new(0);
	if (!c)
		return yasmin_refuse_request(&l->rv, &req, YB_ENOMEM, err,
					     "out of memory");
	yb_xrv_conn_from(&c->rv, &l->rv, req.dom);
	rc = yasmin_size_grants(c, &l->rv, &req, &need, &limit, err);
	if (rc == 0)
		rc = yasmin_serve_port(c, &l->rv, &req, err);
	if (rc == 0)
		rc = yasmin_serve_pages(c, &l->rv, &req, need, limit, &ctrl_ref,
				    err);
	if (rc == 0) {
		yasmin_attach(c, (int)req.wait, req.spin_ns);
		rc = yasmin_serve_wait(c, &l->rv, &req, ctrl_ref, err);
	}
	if (rc) {
		yasmin_conn_free(c, 1);
		return rc;
	}
	yb_xrv_done(&l->rv);
	conn->priv = c;
	conn->rv_tag = req.tag;
	snprintf(conn->addr, sizeof(conn->addr), "%s", listener->addr);
	snprintf(conn->peer, sizeof(conn->peer), "yasmin:%u (domain %u)",
		 c->rv.peer, c->rv.peer);
	return 0;
}

/*
 * Busy: answer from the XenStore request alone.  Everything yasmin_accept
 * would set up first - the gntalloc and event channel handles, an unbound
 * port, the granted control, data and list pages - is never made for the
 * newcomer: its refusal takes nothing from the gntalloc limit, the event
 * channels or the grant table that the measured connection draws on.
 */
static int yasmin_refuse(struct yb_ep *listener, struct yb_ep *conn,
			 const char *why, struct yb_err *err)
{
	struct yasmin_listener *l = listener->priv;
	unsigned dom;
	int rc = yb_xrv_refuse(&l->rv, why, &dom, err);

	if (rc == 0)
		snprintf(conn->peer, sizeof(conn->peer), "yasmin:%u (domain %u)",
			 dom, dom);
	return rc;
}

/* The request the parameters make: ring orders, wait mode, spin budget. */
static int yasmin_make_request(const struct yb_tparams *tp,
			       struct yb_xrv_request *req, struct yb_err *err)
{
	if (tp && tp->ring_bytes) {
		int o = yb_ring_order_of(tp->ring_bytes);
		if (o < YB_RING_MIN_ORDER || o > YB_RING_MAX_ORDER)
			return yb_err_set(err, YB_EUSAGE,
					  "yasmin: ring size %llu: expected a "
					  "power of two from 4K to 1G",
					  (unsigned long long)tp->ring_bytes);
		req->order0 = req->order1 = (unsigned)o;
	}
	if (tp && tp->wait_set)
		req->wait = (unsigned)tp->wait;
	if (tp && tp->spin_ns)
		req->spin_ns = tp->spin_ns;
	req->nonce = yb_xrv_nonce();
	return 0;
}

/*
 * Bind to the server's port rport and map its control page (grant ref),
 * asking for an unmap notification on our live byte; check the ring the
 * server formatted there.
 */
static int yasmin_map_control(struct yasmin_conn *c, const char *addr,
			      unsigned ref,
			      unsigned rport, struct yb_err *err)
{
	unsigned peer = c->rv.peer;
	xenevtchn_port_or_error_t port =
		xenevtchn_bind_interdomain(c->ev, peer, rport);
	if (port < 0)
		return yb_err_sys(err, errno,
				  "yasmin:%s: cannot bind event channel %u of "
				  "domain %u",
				  addr, rport, peer);
	c->lport = (evtchn_port_t)port;
	c->bound = 1;
	c->ctrl = xengnttab_map_grant_ref_notify(c->gt, peer, ref,
						 PROT_READ | PROT_WRITE,
						 YB_RING_OFF_LIVE + 1, c->lport);
	if (!c->ctrl)
		return yb_err_sys(err, errno,
				  "yasmin:%s: cannot map grant %u of domain %u",
				  addr, ref, peer);
	return yb_ring_check(c->ctrl, c->order0, c->order1, err);
}

/*
 * Map the data pages: the grant list is read once from the control page,
 * checked against the rings we asked for, and only the copy is used; the
 * list pages are mapped, read and unmapped again.
 */
static int yasmin_map_data(struct yasmin_conn *c, const char *addr,
			   struct yb_err *err)
{
	unsigned peer = c->rv.peer;
	uint32_t want = (uint32_t)(((1ull << c->order0) + (1ull << c->order1)) /
				   YB_RING_PAGE);
	uint32_t nd = yb_get32(c->ctrl + YASMIN_OFF_NDATA);
	uint32_t nl = yb_get32(c->ctrl + YASMIN_OFF_NLIST);
	if (nd != want ||
	    nl != (want + YASMIN_REFS_PER_PAGE - 1) / YASMIN_REFS_PER_PAGE ||
	    nl > YASMIN_MAX_LIST)
		return yb_err_set(err, YB_EPEER,
				  "peer corrupted ring: control page lists %u "
				  "data pages in %u list pages, the rings need "
				  "%u",
				  nd, nl, want);
	c->n_data = nd;
	c->n_list = nl;
	uint32_t list_refs[YASMIN_MAX_LIST];
	for (uint32_t i = 0; i < nl; i++)
		list_refs[i] = yb_get32(c->ctrl + YASMIN_OFF_LIST + 4 * i);
	uint32_t *refs = calloc(nd, sizeof(uint32_t));
	if (!refs)
		return yb_err_set(err, YB_ENOMEM, "out of memory");
	uint8_t *list = xengnttab_map_domain_grant_refs(c->gt, nl, peer,
							list_refs, PROT_READ);
	if (!list) {
		free(refs);
		return yb_err_sys(err, errno,
				  "yasmin:%s: cannot map %u grant list pages",
				  addr, nl);
	}
	for (uint32_t i = 0; i < nd; i++)
		refs[i] = yb_get32(list + 4 * i);
	xengnttab_unmap(c->gt, list, nl);
	c->data = xengnttab_map_domain_grant_refs(c->gt, nd, peer, refs,
						  PROT_READ | PROT_WRITE);
	free(refs);
	if (!c->data)
		return yb_err_sys(err, errno,
				  "yasmin:%s: cannot map %u data pages of "
				  "domain %u (gntdev limit?)",
				  addr, nd, peer);
	return 0;
}

/*
 * Open the handles, ask the server (XenStore), map what it granted and
 * join the ring.  Whatever was set up when a step fails is released
 * (yasmin_conn_free takes a connection in any state).
 */
static int yasmin_connect(struct yb_ep *ep, const char *addr, int timeout_ms,
			  struct yb_err *err)
{
	struct yb_xrv_request req = { .version = YASMIN_VERSION,
				      .order0 = YASMIN_DEFAULT_ORDER,
				      .order1 = YASMIN_DEFAULT_ORDER,
				      .wait = YB_WAIT_ADAPTIVE,
				      .spin_ns = 0 /* each side's own */ };
	int rc = yasmin_make_request(ep->params, &req, err);

	if (rc)
		return rc;
	if (timeout_ms < YB_XRV_HANDSHAKE_MS)
		timeout_ms = YB_XRV_HANDSHAKE_MS;
	struct yasmin_conn *c = yasmin_conn_new(1);
	if (!c)
		return yb_err_set(err, YB_ENOMEM, "out of memory");
	c->order0 = req.order0;
	c->order1 = req.order1;
	/* Handles first: a client that cannot map should not make a server
	 * grant pages for nothing. */
	c->gt = xengnttab_open(NULL, 0);
	c->ev = xenevtchn_open(NULL, 0);
	if (!c->gt || !c->ev) {
		rc = yb_err_sys(err, errno, "yasmin: cannot open %s",
				c->gt ? "/dev/xen/evtchn" : "/dev/xen/gntdev");
		goto fail;
	}
	char reply[YB_XRV_TEXT_MAX];
	const struct yb_rv_opts *o = ep->params ? ep->params->rv : NULL;
	req.tag = o ? o->tag & 0xffffu : 0;
	rc = yb_xrv_connect(&c->rv, yasmin_space(ep), addr, &req, o, timeout_ms,
			    reply, sizeof(reply), err);
	if (rc)
		goto fail;
	unsigned ref, rport;
	int n = -1;
	if (sscanf(reply, "ref=%u port=%u%n", &ref, &rport, &n) != 2 ||
	    n != (int)strlen(reply)) {
		rc = yb_err_set(err, YB_EPROTO,
				"yasmin:%s: malformed reply from the server", addr);
		goto fail;
	}
	rc = yasmin_map_control(c, addr, ref, rport, err);
	if (rc == 0)
		rc = yasmin_map_data(c, addr, err);
	if (rc)
		goto fail;
	yasmin_attach(c, (int)req.wait, req.spin_ns);
	yasmin_notify(c); /* we are live: the server waits for this */
	ep->priv = c;
	snprintf(ep->peer, sizeof(ep->peer), "yasmin:%s", addr);
	snprintf(ep->addr, sizeof(ep->addr), "yasmin (domain %u)", c->rv.self);
	return 0;
fail:
	yasmin_conn_free(c, 1);
	return rc;
}

static int yasmin_poll_fd(const struct yb_ep *ep)
{
	if (!ep->priv)
		return -1;
	if (ep->listener) {
		struct yasmin_listener *l = ep->priv;
		return yb_xrv_listen_fd(&l->rv);
	}
	const struct yasmin_conn *c = ep->priv;
	return xenevtchn_fd(c->ev);
}

static void yasmin_describe(const struct yb_ep *ep, struct yb_meta *m)
{
	const struct yasmin_conn *c = ep->priv;

	if (!c || ep->listener)
		return;
	yb_ringep_describe(ep, m, c->spin_auto);
	yb_meta_set(m, "memory", "%u granted pages (%u list pages), gntalloc/gntdev",
		    c->n_data, c->n_list);
	yb_meta_set(m, "signal", "%s", "interdomain event channel");
	yb_meta_set_int(m, "peer_domid", c->rv.peer);
	yb_meta_set_int(m, "domid", c->rv.self);
	yb_xen_placement(m, "placement.", c->rv.self, c->rv.peer);
}

static void yasmin_close(struct yb_ep *ep)
{
	if (ep->priv && ep->listener) {
		struct yasmin_listener *l = ep->priv;
		yb_xrv_close(&l->rv);
		free(l);
	} else if (ep->priv) {
		yasmin_conn_free(ep->priv, 1);
	}
	ep->priv = NULL;
}

static void yasmin_forget(struct yb_ep *ep)
{
	if (ep->priv && ep->listener) {
		struct yasmin_listener *l = ep->priv;
		yb_xrv_forget(&l->rv);
		free(l);
	} else if (ep->priv) {
		struct yasmin_conn *c = ep->priv;
		c->owner = 0; /* not ours to tear down: drop our view only */
		yasmin_conn_free(c, 0);
	}
	ep->priv = NULL;
}

unsigned yb_yasmin_peer_dom(const struct yb_ep *ep)
{
	const struct yasmin_conn *c = ep->priv;

	return c && !ep->listener ? c->rv.peer : YB_XRV_ANY;
}

void yb_yasmin_look_at(struct yb_ep *listener, unsigned dom)
{
	struct yasmin_listener *l = listener->priv;

	if (l && listener->listener)
		yb_xrv_look_at(&l->rv, dom);
}

const struct yb_transport yb_transport_yasmin = {
	.name = "yasmin",
	.summary = "the YASMIN ring between Xen domains: granted pages, an "
		   "event channel, XenStore rendezvous",
	.caps = YB_CAP_STREAM | YB_CAP_POLLFD | YB_CAP_NEEDS_XEN | YB_CAP_RING,
	.probe = yasmin_probe,
	.check_addr = yasmin_check_addr,
	.listen = yasmin_listen,
	.accept = yasmin_accept,
	.connect = yasmin_connect,
	.refuse = yasmin_refuse,
	.send = yb_ringep_send,
	.recv = yb_ringep_recv,
	.send_try = yb_ringep_send_try,
	.recv_try = yb_ringep_recv_try,
	.wait = yb_ringep_wait,
	.poll_fd = yasmin_poll_fd,
	.last_error = yb_ringep_last_error,
	.describe = yasmin_describe,
	.counters = yb_ringep_counters,
	.close = yasmin_close,
	.forget = yasmin_forget,
};

#endif /* YB_HAVE_XEN */
