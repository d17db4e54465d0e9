/*
 * transport.c - the transport registry and the wrappers every caller uses.
 *
 * The registry is a constant array generated from transport_list.h; there
 * is no run-time registration and lookup is a linear scan over a handful of
 * names.  Optional operations are checked here and nowhere else.
 */
#include "core/wire/transport.h"

#include <assert.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/wire/transport_list.h"

#define YB__DECLARE(name) extern const struct yb_transport yb_transport_##name;
YB_TRANSPORTS(YB__DECLARE)
#undef YB__DECLARE

static const struct yb_transport *const registry[] = {
#define YB__ENTRY(name) &yb_transport_##name,
	YB_TRANSPORTS(YB__ENTRY)
#undef YB__ENTRY
};

size_t yb_transport_count(void)
{
	return sizeof(registry) / sizeof(registry[0]);
}

const struct yb_transport *yb_transport_at(size_t i)
{
	return i < yb_transport_count() ? registry[i] : NULL;
}

const struct yb_transport *yb_transport_find(const char *name)
{
	for (size_t i = 0; i < yb_transport_count(); i++)
		if (strcmp(registry[i]->name, name) == 0)
			return registry[i];
	return NULL;
}

static void list_names(char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < yb_transport_count() && off < len; i++) {
		int n = snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
				 registry[i]->name);
		if (n < 0)
			break;
		off += (size_t)n;
	}
}

int yb_addr_split(const char *full, const struct yb_transport **t,
		  const char **rest, struct yb_err *err)
{
	char name[32], known[256];
	const char *colon = strchr(full, ':');

	if (!colon || colon == full) {
		list_names(known, sizeof(known));
		return yb_err_set(err, YB_EUSAGE,
				  "bad address '%s': expected TRANSPORT:ADDRESS "
				  "(transports: %s)",
				  full, known);
	}
	size_t n = (size_t)(colon - full);
	if (n >= sizeof(name)) {
		return yb_err_set(err, YB_EUSAGE,
				  "bad address '%s': transport name too long",
				  full);
	}
	memcpy(name, full, n);
	name[n] = '\0';
	*t = yb_transport_find(name);
	if (!*t) {
		list_names(known, sizeof(known));
		return yb_err_set(err, YB_EUSAGE,
				  "unknown transport '%s' in '%s' "
				  "(transports: %s)",
				  name, full, known);
	}
	*rest = colon + 1;
	if (!**rest) {
		return yb_err_set(err, YB_EUSAGE,
				  "bad address '%s': nothing after '%s:'", full,
				  name);
	}
	return 0;
}

void yb_ep_init(struct yb_ep *ep, const struct yb_transport *t)
{
	memset(ep, 0, sizeof(*ep));
	ep->t = t;
	ep->fd = -1;
}

/* The probe's reason, prefixed with the transport's name. */
static int probe_named(const struct yb_transport *t, struct yb_err *err)
{
	int rc = t->probe(err);
	if (rc) {
		char why[sizeof(err->msg)];
		snprintf(why, sizeof(why), "%s", err->msg);
		yb_err_set(err, rc, "%s: %s", t->name, why);
	}
	return rc;
}

int yb_ep_listen(struct yb_ep *ep, const char *full_addr, struct yb_err *err)
{
	const struct yb_transport *t;
	const char *rest;
	int rc = yb_addr_split(full_addr, &t, &rest, err);

	if (rc)
		return rc;
	yb_ep_init(ep, t);
	if ((rc = yb_transport_check_addr(t, rest, 1, err)) != 0)
		return rc;
	rc = probe_named(t, err);
	if (rc)
		return rc;
	ep->listener = 1;
	rc = t->listen(ep, rest, err);
	if (rc)
		yb_ep_close(ep);
	return rc;
}

int yb_ep_connect(struct yb_ep *ep, const char *full_addr,
		  const struct yb_tparams *tp, int timeout_ms,
		  struct yb_err *err)
{
	const struct yb_transport *t;
	const char *rest;
	int rc = yb_addr_split(full_addr, &t, &rest, err);

	if (rc)
		return rc;
	yb_ep_init(ep, t);
	ep->params = tp;
	if ((rc = yb_transport_check_addr(t, rest, 0, err)) != 0)
		return rc;
	rc = probe_named(t, err);
	if (rc)
		return rc;
	rc = t->connect(ep, rest, timeout_ms, err);
	if (rc)
		yb_ep_close(ep);
	return rc;
}

int yb_ep_accept(struct yb_ep *listener, struct yb_ep *conn,
		 struct yb_err *err)
{
	yb_ep_init(conn, listener->t);
	int rc = listener->t->accept(listener, conn, err);
	if (rc)
		yb_ep_close(conn);
	return rc;
}

int yb_ep_refuse(struct yb_ep *listener, struct yb_ep *who, const char *why,
		 void (*in_band)(struct yb_ep *conn, const char *why),
		 struct yb_err *err)
{
	const struct yb_transport *t = listener->t;
	int rc;

	yb_ep_init(who, t);
	if (t->refuse) {
		rc = t->refuse(listener, who, why, err);
	} else {
		/* Sockets: an accepted connection costs a descriptor and
		 * kernel buffers, nothing worth a rendezvous of its own. */
		rc = t->accept(listener, who, err);
		if (rc == 0)
			in_band(who, why);
	}
	yb_ep_close(who);
	return rc;
}

void yb_ep_close(struct yb_ep *ep)
{
	if (ep->t && ep->t->close)
		ep->t->close(ep);
}

void yb_ep_forget(struct yb_ep *ep)
{
	if (ep->t && ep->t->forget) {
		ep->t->forget(ep);
	} else if (ep->fd >= 0) {
		close(ep->fd);
		ep->fd = -1;
	}
}

int yb_ep_poll_fd(const struct yb_ep *ep)
{
	if (ep->t->poll_fd)
		return ep->t->poll_fd(ep);
	return ep->fd;
}

void yb_ep_describe(const struct yb_ep *ep, struct yb_meta *m)
{
	if (ep->t->describe)
		ep->t->describe(ep, m);
}

void yb_ep_counters(const struct yb_ep *ep, struct yb_meta *m)
{
	if (ep->t->counters)
		ep->t->counters(ep, m);
}

const char *yb_ep_last_error(const struct yb_ep *ep)
{
	return ep->t->last_error ? ep->t->last_error(ep) : NULL;
}

int yb_transport_check_addr(const struct yb_transport *t, const char *addr,
			    int listening, struct yb_err *err)
{
	return t->check_addr ? t->check_addr(addr, listening, err) : 0;
}

int yb_transport_local_probe(const struct yb_transport *t,
			     struct yb_err *err)
{
	return t->local_probe ? t->local_probe(err) : 0;
}

uint64_t yb_transport_memory(const struct yb_transport *t,
			     const struct yb_tparams *tp)
{
	return t->memory ? t->memory(tp) : 0;
}

int yb_transport_local_addr(const struct yb_transport *t, char *buf,
			    size_t len, const char *dir, struct yb_err *err)
{
	if (!t->local_addr)
		return yb_err_set(err, YB_ENOTSUP,
				  "%s cannot run both ends on one host",
				  t->name);
	return t->local_addr(buf, len, dir, err);
}

int yb_ep_wait(struct yb_ep *ep, unsigned events, int timeout_ms)
{
	if (ep->t->wait && !ep->listener)
		return ep->t->wait(ep, events, timeout_ms);

	struct pollfd pfd = { .fd = yb_ep_poll_fd(ep) };
	if (pfd.fd < 0)
		return YB_ENOTSUP;
	if (events & YB_WAIT_READ)
		pfd.events |= POLLIN;
	if (events & YB_WAIT_WRITE)
		pfd.events |= POLLOUT;
	for (;;) {
		int n = poll(&pfd, 1, timeout_ms);
		if (n >= 0)
			return n > 0;
		if (errno != EINTR)
			return yb_from_errno(errno);
	}
}

/* The transport's own account of a failure, if it has one. */
static const char *detail(const struct yb_ep *ep, int code)
{
	const char *d = yb_ep_last_error(ep);
	return d && *d ? d : yb_strerror(code);
}

int yb_ep_xfer_error(struct yb_ep *ep, ssize_t n, int sending,
		     struct yb_err *err)
{
	if (n == 0 && !sending) {
		/* A transport that knows the peer vanished says so. */
		const char *d = yb_ep_last_error(ep);
		if (d && *d)
			return yb_err_set(err, YB_EEOF,
					  "%s: peer went away (%s)", ep->peer,
					  d);
		return yb_err_set(err, YB_EEOF,
				  "%s: peer closed the connection", ep->peer);
	}
	if (n == YB_ECONNRESET || n == YB_EEOF || (sending && n == YB_EPIPE))
		return yb_err_set(err, YB_EEOF, "%s: peer went away (%s)",
				  ep->peer, detail(ep, (int)n));
	if (n == YB_EPEER && !sending)
		return yb_err_set(err, YB_EPEER, "%s: %s", ep->peer,
				  detail(ep, (int)n));
	return yb_err_set(err, (int)n, "%s: %s: %s", ep->peer,
			  sending ? "send" : "receive", detail(ep, (int)n));
}

int yb_send_all(struct yb_ep *ep, const void *buf, size_t len,
		struct yb_err *err)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = yb_ep_send(ep, p, len);
		if (n < 0) {
			if (n == YB_EINTR)
				continue;
			return yb_ep_xfer_error(ep, n, 1, err);
		}
		assert((size_t)n <= len);
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Receive until len bytes (or, with some, at least one) have come. */
static int recv_loop(struct yb_ep *ep, char *p, size_t len, int timeout_ms,
		     int some, size_t *gotp, struct yb_err *err)
{
	size_t got = 0;

	while (got < len && !(some && got > 0)) {
		if (timeout_ms >= 0) {
			int w = yb_ep_wait(ep, YB_WAIT_READ, timeout_ms);
			if (w == 0)
				return yb_err_set(err, YB_ETIMEDOUT,
						  "%s: no answer within %d ms",
						  ep->peer, timeout_ms);
			if (w < 0 && w != YB_EINTR)
				return yb_err_set(err, w, "%s: wait: %s",
						  ep->peer, yb_strerror(w));
		}
		ssize_t n = yb_ep_recv(ep, p + got, len - got);
		if (n == YB_EINTR || n == YB_EAGAIN)
			continue;
		if (n <= 0)
			return yb_ep_xfer_error(ep, n, 0, err);
		got += (size_t)n;
	}
	if (gotp)
		*gotp = got;
	return 0;
}

int yb_recv_all(struct yb_ep *ep, void *buf, size_t len, struct yb_err *err)
{
	return recv_loop(ep, buf, len, -1, 0, NULL, err);
}

int yb_recv_some(struct yb_ep *ep, void *buf, size_t len, size_t *got,
		 struct yb_err *err)
{
	return recv_loop(ep, buf, len, -1, 1, got, err);
}

int yb_recv_all_timeout(struct yb_ep *ep, void *buf, size_t len,
			int timeout_ms, struct yb_err *err)
{
	return recv_loop(ep, buf, len, timeout_ms, 0, NULL, err);
}
