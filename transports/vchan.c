/*
 * vchan.c - the same measurements through libxenvchan, the library the
 * YASMIN paper started from, so users can see what our ring changes.
 *
 * The rendezvous is ours (xenrv.c: the client asks for ring sizes, which
 * libxenvchan's server must know before it starts); the channel itself is
 * libxenvchan_server_init() at a path under the server's directory and
 * libxenvchan_client_init() on that path.  libxenvchan allows rings up to
 * 1 MiB per direction.
 *
 * A busy server: libxenvchan has no listen/accept split and no way to turn
 * a client away.  libxenvchan_server_init() opens gntshr and evtchn
 * handles, binds an unbound port, grants the ring pages and writes
 * ring-ref and event-channel into XenStore in one call, for one peer.
 * That is why it runs in accept, after our own request has arrived, and
 * not in listen (where the ring sizes the client wants are not known
 * yet); and so a busy server refuses at our rendezvous (yb_xrv_refuse)
 * and libxenvchan never runs for the newcomer.  What is not possible:
 * refusing a bare libxenvchan client that skips our rendezvous - it finds
 * no channel at its path, and waits or fails on its own.
 *
 * Waiting: libxenvchan's own blocking mode (the `blocking` flag, which the
 * init calls leave off) sleeps inside the library, where nobody notices a
 * peer domain that was destroyed.  We set the flag off explicitly and wait
 * ourselves: poll(2) on libxenvchan_fd_for_select(), libxenvchan_wait()
 * to take and unmask the event, and a XenStore check of the peer between
 * sleeps.
 */
#ifdef YB_HAVE_XEN

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <libxenvchan.h>

#include "core/base/clock.h"
#include "core/wire/ring.h"
#include "transports/ringep.h"
#include "transports/xenplace.h"
#include "transports/xenrv.h"

#define VCHAN_VERSION 1
#define VCHAN_MAX_ORDER 20 /* libxenvchan's largest ring: 1 MiB */
#define VCHAN_DEFAULT_ORDER 20
#define VCHAN_SLICE_MS 250
/* A write that fails on a channel its peer never closed: how long the
 * peer's XenStore node has to vanish for us to name the cause. */
#define VCHAN_CAUSE_MS 3000

struct vchan_conn {
	struct libxenvchan *ch;
	struct yb_xrv rv;
	unsigned order;
	pid_t owner;
	char error[160]; /* why the peer is gone, when we know */
};

static int vchan_check_addr(const char *addr, int listening, struct yb_err *err)
{
	unsigned dom, port;

	return yb_xrv_parse_addr("vchan", addr, listening, &dom, &port, err);
}

static int vchan_probe(struct yb_err *err)
{
	return yb_xrv_probe(yb_xrv_devices, err);
}

static void vchan_free(struct vchan_conn *c, int mine)
{
	if (!c)
		return;
	if (c->ch && mine)
		libxenvchan_close(c->ch); /* also removes the server's nodes */
	if (mine)
		yb_xrv_close(&c->rv);
	else
		yb_xrv_forget(&c->rv);
	free(c);
}

static int vchan_listen(struct yb_ep *ep, const char *addr, struct yb_err *err)
{
	struct yb_xrv *l = calloc(1, sizeof(*l));

	if (!l)
		return yb_err_set(err, YB_ENOMEM, "out of memory");
	int rc = yb_xrv_listen(l, "vchan", addr, err);
	if (rc) {
		yb_xrv_close(l);
		free(l);
		return rc;
	}
	ep->priv = l;
	if (l->peer == YB_XRV_ANY)
		snprintf(ep->addr, sizeof(ep->addr), "vchan:any:%u (domain %u)",
			 l->port, l->self);
	else
		snprintf(ep->addr, sizeof(ep->addr), "vchan:%u:%u (domain %u)",
			 l->peer, l->port, l->self);
	return 0;
}

/*
 * Take one delivered event, waiting at most timeout_ms: 1 taken, 0 none
 * (also when the peer's XenStore watch fired: ask whether it is gone).
 */
static int vchan_take_event(struct vchan_conn *c, int timeout_ms)
{
	struct pollfd p[2] = {
		{ .fd = libxenvchan_fd_for_select(c->ch), .events = POLLIN },
		{ .fd = yb_xrv_peer_fd(&c->rv), .events = POLLIN },
	};
	int n = poll(p, p[1].fd >= 0 ? 2 : 1, timeout_ms);

	if (n < 0)
		return errno == EINTR ? YB_EINTR : yb_from_errno(errno);
	if (n == 0 || !(p[0].revents & POLLIN))
		return 0;
	if (libxenvchan_wait(c->ch) < 0)
		return yb_from_errno(errno);
	return 1;
}

static int vchan_accept(struct yb_ep *listener, struct yb_ep *conn,
			struct yb_err *err)
{
	struct yb_xrv *l = listener->priv;
	struct yb_xrv_request req;
	char text[YB_XRV_TEXT_MAX];
	int rc = yb_xrv_next_request(l, &req, err);

	if (rc)
		return rc;
	if (req.version != VCHAN_VERSION || req.order0 < YB_RING_MIN_ORDER ||
	    req.order0 > VCHAN_MAX_ORDER || req.order1 != req.order0) {
		snprintf(text, sizeof(text),
			 "refused libxenvchan rings are 4K to 1M per direction "
			 "(asked for 2^%u bytes)",
			 req.order0);
		yb_xrv_reply(l, req.nonce, text);
		return yb_err_set(err, YB_EPROTO, "vchan: domain %u: %s", req.dom,
				  text + 8);
	}
	struct vchan_conn *c = calloc(1, sizeof(*c));
	if (!c)
		return yb_err_set(err, YB_ENOMEM, "out of memory");
	c->owner = getpid();
	c->order = req.order0;
	yb_xrv_conn_from(&c->rv, l, req.dom);
	char path[YB_XRV_PATH_MAX];
	/* One channel per connection: several may be being set up at once
	 * (libxenvchan_close removes it). */
	snprintf(path, sizeof(path), "%s/channel-%u-%s", l->base, req.dom,
		 l->cur_key);
	size_t size = (size_t)1 << req.order0;
	c->ch = libxenvchan_server_init(NULL, (int)c->rv.peer, path, size, size);
	if (!c->ch) {
		int e = errno;
		unsigned long lim = yb_xen_gntalloc_limit();
		snprintf(text, sizeof(text),
			 "no-resources libxenvchan_server_init failed: %s "
			 "(gntalloc limit %lu pages)",
			 strerror(e), lim);
		yb_xrv_reply(l, req.nonce, text);
		vchan_free(c, 1);
		return yb_err_set(err, YB_ENOMEM, "vchan: domain %u: %s", req.dom,
				  text + 13);
	}
	c->ch->blocking = 0; /* we wait ourselves (see the top of the file) */
	snprintf(text, sizeof(text), "ok path=%s", path);
	yb_xrv_reply(l, req.nonce, text);
	/* libxenvchan_is_open() says 2 until the client is connected. */
	uint64_t deadline = yb_now() + (uint64_t)YB_XRV_HANDSHAKE_MS * 1000000;
	while (libxenvchan_is_open(c->ch) != 1) {
		if (yb_now() > deadline || yb_xrv_peer_gone(&c->rv)) {
			yb_xrv_done(l);
			vchan_free(c, 1);
			return yb_err_set(err, YB_ETIMEDOUT,
					  "vchan: the client in domain %u did "
					  "not connect within %d ms",
					  req.dom, YB_XRV_HANDSHAKE_MS);
		}
		vchan_take_event(c, 100);
	}
	yb_xrv_done(l);
	conn->priv = c;
	snprintf(conn->addr, sizeof(conn->addr), "%s", listener->addr);
	snprintf(conn->peer, sizeof(conn->peer), "vchan:%u (domain %u)",
		 c->rv.peer, c->rv.peer);
	return 0;
}

/* Busy: answer the request; libxenvchan is not called (see the top). */
static int vchan_refuse(struct yb_ep *listener, struct yb_ep *conn,
			const char *why, struct yb_err *err)
{
	unsigned dom;
	int rc = yb_xrv_refuse(listener->priv, why, &dom, err);

	if (rc == 0)
		snprintf(conn->peer, sizeof(conn->peer), "vchan:%u (domain %u)",
			 dom, dom);
	return rc;
}

static int vchan_connect(struct yb_ep *ep, const char *addr, int timeout_ms,
			 struct yb_err *err)
{
	const struct yb_tparams *tp = ep->params;
	struct yb_xrv_request req = { .version = VCHAN_VERSION,
				      .order0 = VCHAN_DEFAULT_ORDER,
				      .order1 = VCHAN_DEFAULT_ORDER };
	if (tp && tp->ring_bytes) {
		int o = yb_ring_order_of(tp->ring_bytes);
		if (o < YB_RING_MIN_ORDER || o > VCHAN_MAX_ORDER)
			return yb_err_set(err, YB_EUSAGE,
					  "vchan: ring size %llu: libxenvchan "
					  "takes powers of two from 4K to 1M "
					  "(yasmin goes further)",
					  (unsigned long long)tp->ring_bytes);
		req.order0 = req.order1 = (unsigned)o;
	}
	req.nonce = yb_xrv_nonce();
	if (timeout_ms < YB_XRV_HANDSHAKE_MS)
		timeout_ms = YB_XRV_HANDSHAKE_MS;
	struct vchan_conn *c = calloc(1, sizeof(*c));
	if (!c)
		return yb_err_set(err, YB_ENOMEM, "out of memory");
	c->owner = getpid();
	c->rv.tfd = c->rv.efd = c->rv.kick = -1;
	c->order = req.order0;
	char reply[YB_XRV_TEXT_MAX];
	int rc = yb_xrv_connect(&c->rv, "vchan", addr, &req, NULL, timeout_ms,
				reply, sizeof(reply), err);
	if (rc)
		goto fail;
	if (strncmp(reply, "path=", 5) != 0 || strlen(reply) < 6) {
		rc = yb_err_set(err, YB_EPROTO,
				"vchan:%s: malformed reply from the server", addr);
		goto fail;
	}
	c->ch = libxenvchan_client_init(NULL, (int)c->rv.peer, reply + 5);
	if (!c->ch) {
		rc = yb_err_sys(err, errno,
				"vchan:%s: libxenvchan_client_init on %s", addr,
				reply + 5);
		goto fail;
	}
	c->ch->blocking = 0;
	ep->priv = c;
	snprintf(ep->peer, sizeof(ep->peer), "vchan:%s", addr);
	snprintf(ep->addr, sizeof(ep->addr), "vchan (domain %u)", c->rv.self);
	return 0;
fail:
	vchan_free(c, 1);
	return rc;
}

static int vchan_closed(struct vchan_conn *c)
{
	return !libxenvchan_is_open(c->ch) || yb_xrv_peer_gone(&c->rv);
}

/*
 * The peer is gone without closing the channel (a clean close or a dead
 * process marks it closed: libxenvchan_is_open() says 0): its domain
 * went, and its XenStore tree with it.  Name that cause, waiting at most
 * wait_ms for the tree to go.
 */
static void vchan_name_cause(struct vchan_conn *c, int wait_ms)
{
	uint64_t end = yb_now() + (uint64_t)wait_ms * 1000000;

	if (c->error[0] || libxenvchan_is_open(c->ch) != 1)
		return;
	while (!yb_xrv_peer_gone(&c->rv)) {
		uint64_t now = yb_now();
		int fd = yb_xrv_peer_fd(&c->rv);
		if (now >= end)
			return;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		poll(&p, fd >= 0 ? 1 : 0, 100);
	}
	snprintf(c->error, sizeof(c->error),
		 "its domain was destroyed or crashed");
}

/* Wait for an event or a slice; YB_EPIPE once the peer is gone. */
static int vchan_block(struct vchan_conn *c, int timeout_ms)
{
	int r = vchan_take_event(c, timeout_ms);
	if (r == 0 && yb_xrv_peer_gone(&c->rv)) {
		vchan_name_cause(c, 0);
		return YB_EPIPE;
	}
	return r < 0 ? r : 0;
}

static ssize_t vchan_send(struct yb_ep *ep, const void *buf, size_t len)
{
	struct vchan_conn *c = ep->priv;

	/* libxenvchan_write fails once the peer closed, or when its event
	 * channel is gone with its domain; a destroyed peer is also seen
	 * when we have to wait (vchan_block). */
	for (;;) {
		int n = libxenvchan_write(c->ch, buf, len);
		if (n > 0)
			return n;
		if (n < 0) {
			vchan_name_cause(c, VCHAN_CAUSE_MS);
			return YB_EPIPE;
		}
		int r = vchan_block(c, VCHAN_SLICE_MS);
		if (r < 0 && r != YB_EINTR)
			return r;
	}
}

static ssize_t vchan_recv(struct yb_ep *ep, void *buf, size_t len)
{
	struct vchan_conn *c = ep->priv;

	for (;;) {
		int n = libxenvchan_read(c->ch, buf, len);
		if (n > 0)
			return n;
		if (n < 0)
			return 0; /* closed, and everything read */
		int r = vchan_block(c, VCHAN_SLICE_MS);
		if (r == YB_EPIPE)
			return 0;
		if (r < 0 && r != YB_EINTR)
			return r;
	}
}

static ssize_t vchan_send_try(struct yb_ep *ep, const void *buf, size_t len)
{
	struct vchan_conn *c = ep->priv;
	int n = libxenvchan_write(c->ch, buf, len);

	if (n < 0) {
		vchan_name_cause(c, VCHAN_CAUSE_MS);
		return YB_EPIPE;
	}
	return n > 0 || len == 0 ? n : YB_EAGAIN;
}

static ssize_t vchan_recv_try(struct yb_ep *ep, void *buf, size_t len)
{
	struct vchan_conn *c = ep->priv;
	int n = libxenvchan_read(c->ch, buf, len);

	if (n < 0)
		return 0; /* closed, and everything read */
	return n > 0 || len == 0 ? n : YB_EAGAIN;
}

static int vchan_wait(struct yb_ep *ep, unsigned events, int timeout_ms)
{
	struct vchan_conn *c = ep->priv;
	uint64_t end = timeout_ms < 0 ? UINT64_MAX :
					yb_now() + (uint64_t)timeout_ms * 1000000;

	for (;;) {
		if ((events & YB_WAIT_READ) &&
		    (libxenvchan_data_ready(c->ch) > 0 || vchan_closed(c)))
			return 1;
		if ((events & YB_WAIT_WRITE) &&
		    (libxenvchan_buffer_space(c->ch) > 0 || vchan_closed(c)))
			return 1;
		uint64_t now = yb_now();
		if (now >= end)
			return 0;
		uint64_t left = (end - now) / 1000000 + 1;
		int r = vchan_block(c, left > VCHAN_SLICE_MS ? VCHAN_SLICE_MS : (int)left);
		if (r == YB_EPIPE)
			return 1; /* the next read or write says so */
		if (r < 0 && r != YB_EINTR)
			return r;
	}
}

/* Why the peer is gone, when that is known (else the error's own). */
static const char *vchan_last_error(const struct yb_ep *ep)
{
	const struct vchan_conn *c = ep->priv;

	return c && !ep->listener && c->error[0] ? c->error : NULL;
}

static int vchan_poll_fd(const struct yb_ep *ep)
{
	if (!ep->priv)
		return -1;
	if (ep->listener)
		return yb_xrv_listen_fd(ep->priv);
	const struct vchan_conn *c = ep->priv;
	return libxenvchan_fd_for_select(c->ch);
}

static void vchan_describe(const struct yb_ep *ep, struct yb_meta *m)
{
	const struct vchan_conn *c = ep->priv;

	if (!c || ep->listener)
		return;
	yb_meta_set_int(m, "ring_bytes", 1ll << c->order);
	yb_meta_set(m, "wait", "%s", "libxenvchan_wait");
	yb_meta_set_int(m, "peer_domid", c->rv.peer);
	yb_meta_set_int(m, "domid", c->rv.self);
	yb_xen_placement(m, "placement.", c->rv.self, c->rv.peer);
}

static void vchan_close(struct yb_ep *ep)
{
	if (ep->priv && ep->listener) {
		yb_xrv_close(ep->priv);
		free(ep->priv);
	} else if (ep->priv) {
		struct vchan_conn *c = ep->priv;
		vchan_free(c, c->owner == getpid());
	}
	ep->priv = NULL;
}

static void vchan_forget(struct yb_ep *ep)
{
	if (ep->priv && ep->listener) {
		yb_xrv_forget(ep->priv);
		free(ep->priv);
	} else if (ep->priv) {
		/*
		 * libxenvchan has no "drop this process's view": its close
		 * marks the channel dead for the peer.  Undo its mappings and
		 * handles by hand instead; the forked child holds its own
		 * references, so the grants and ports stay alive for it.
		 */
		struct vchan_conn *c = ep->priv;
		struct libxenvchan *ch = c->ch;
		if (ch) {
			if (ch->read.order >= 12)
				munmap(ch->read.buffer, (size_t)1 << ch->read.order);
			if (ch->write.order >= 12)
				munmap(ch->write.buffer, (size_t)1 << ch->write.order);
			if (ch->ring)
				munmap(ch->ring, YB_RING_PAGE);
			if (ch->event)
				xenevtchn_close(ch->event);
			if (ch->is_server && ch->gntshr)
				xengntshr_close(ch->gntshr);
			else if (!ch->is_server && ch->gnttab)
				xengnttab_close(ch->gnttab);
			free(ch->xs_path);
			free(ch);
		}
		yb_xrv_forget(&c->rv);
		free(c);
	}
	ep->priv = NULL;
}

const struct yb_transport yb_transport_vchan = {
	.name = "vchan",
	.summary = "libxenvchan between Xen domains (rings up to 1 MiB), for "
		   "comparison with yasmin",
	.caps = YB_CAP_STREAM | YB_CAP_POLLFD | YB_CAP_NEEDS_XEN | YB_CAP_RING,
	.probe = vchan_probe,
	.check_addr = vchan_check_addr,
	.listen = vchan_listen,
	.accept = vchan_accept,
	.connect = vchan_connect,
	.refuse = vchan_refuse,
	.send = vchan_send,
	.recv = vchan_recv,
	.send_try = vchan_send_try,
	.recv_try = vchan_recv_try,
	.wait = vchan_wait,
	.poll_fd = vchan_poll_fd,
	.describe = vchan_describe,
	.last_error = vchan_last_error,
	.close = vchan_close,
	.forget = vchan_forget,
};

#endif /* YB_HAVE_XEN */
