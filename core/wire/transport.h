/*
 * transport.h - the interface every transport implements.
 *
 * One `static const struct yb_transport` per file in transports/, listed
 * once in transport_list.h.  The measurement engine (core/measure:
 * sweep.c, trial.c, soak.c, serve.c) sees only this interface: it never
 * asks which transport it is driving.  Capabilities are flags, not name
 * checks.
 *
 * Endpoints are plain structs owned by the caller.  A transport may keep
 * private state behind ep->priv; close() must accept an endpoint in any
 * state, including one whose listen/connect failed half way, and may be
 * called twice.
 */
#ifndef YB_TRANSPORT_H
#define YB_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/base/err.h"
#include "core/base/meta.h"

#define YB_CAP_STREAM (1u << 0)   /* byte stream: short reads/writes */
#define YB_CAP_POLLFD (1u << 1)   /* poll_fd() gives a pollable descriptor */
#define YB_CAP_LOCAL (1u << 2)    /* both ends can run on this host (run) */
#define YB_CAP_NEEDS_XEN (1u << 3) /* only works between Xen domains */
#define YB_CAP_RING (1u << 4)     /* a YASMIN ring: honours yb_tparams */

#define YB_WAIT_READ (1u << 0)
#define YB_WAIT_WRITE (1u << 1)

#define YB_ADDR_MAX 256

struct yb_transport;

/*
 * Settings a client asks of a transport; those that do not apply are
 * ignored (only ring transports use these).  Zero means "the default".
 */
/*
 * How a connection meets its listener when a third party arranges it
 * (`yasmin-bench wrap`, transports/wrap.h); transports with a XenStore
 * rendezvous honour it, others ignore it.
 */
struct yb_rv_opts {
	const char *space; /* the rendezvous' name space, instead of the
			    * transport's own ("wrap": a wrapped program's
			    * port is not a yasmin-bench server's) */
	unsigned tag;      /* 1-65535: carried to the listener, which finds
			    * it in the accepted endpoint's rv_tag */
	int no_wait;       /* a client: no listener there now fails at
			    * once instead of waiting for one */
	/* A client: called once the request is out and before waiting for
	 * the answer; non-zero fails the connect with that status. */
	int (*asked)(void *arg);
	void *arg;
};

struct yb_tparams {
	uint64_t ring_bytes; /* bytes per direction */
	int wait;            /* enum yb_wait_mode, when wait_set */
	int wait_set;
	uint64_t spin_ns; /* adaptive waiting: spin this long first */
	const struct yb_rv_opts *rv; /* or NULL */
};

struct yb_ep {
	const struct yb_transport *t; /* never changed after setup */
	int fd;                       /* socket descriptor, or -1 */
	int listener;                 /* 1 for a listening endpoint */
	char addr[YB_ADDR_MAX];       /* "name:address" this end is bound to */
	char peer[YB_ADDR_MAX];       /* the other end, for messages */
	char unlink_path[YB_ADDR_MAX]; /* file to remove on close, or "" */
	pid_t unlink_owner;           /* only this process removes it */
	void *priv;                   /* transport-private state */
	const struct yb_tparams *params; /* set before connect, or NULL */
	unsigned rv_tag; /* accepted: the client's yb_rv_opts tag, or 0 */
};

struct yb_transport {
	const char *name;    /* what users type before the ':' */
	const char *summary; /* one line for `transports` and the man page */
	unsigned caps;       /* YB_CAP_* */

	/* Usable on this host?  0, or YB_ENOTSUP with the reason in err. */
	int (*probe)(struct yb_err *err);
	/*
	 * Optional: is addr (the part after "name:") well formed, for a
	 * listener (listening 1) or a client?  Checked before probe, so that
	 * a typo is reported as one even where the transport is unavailable.
	 * 0, or YB_EUSAGE with the problem in err.
	 */
	int (*check_addr)(const char *addr, int listening, struct yb_err *err);
	/*
	 * Optional, YB_CAP_LOCAL only: can both ends run on this host now?
	 * (vsock needs a loopback transport.)  0, or YB_ENOTSUP and why.
	 */
	int (*local_probe)(struct yb_err *err);
	/*
	 * Optional: bytes of shared memory one connection with these
	 * parameters takes (both ends together), so that N pairs can be
	 * checked against the memory limits before any of them starts.
	 */
	uint64_t (*memory)(const struct yb_tparams *tp);
	/*
	 * Optional, YB_CAP_LOCAL only (which every such transport has):
	 * address to listen on when both ends run on this host; dir is a
	 * private directory the caller removes afterwards.
	 */
	int (*local_addr)(char *buf, size_t len, const char *dir,
			  struct yb_err *err);

	/* Rendezvous.  addr is the part after "name:". */
	int (*listen)(struct yb_ep *ep, const char *addr, struct yb_err *err);
	int (*accept)(struct yb_ep *listener, struct yb_ep *conn,
		      struct yb_err *err);
	int (*connect)(struct yb_ep *ep, const char *addr, int timeout_ms,
		       struct yb_err *err);
	/*
	 * Optional: turn the next pending client away at the rendezvous,
	 * before anything (memory, descriptors, grants, ports) is set up for
	 * it, with why (one line) for it to show as a "server busy" error.
	 * conn receives the client's name in conn->peer and nothing else.
	 * 0 refused; YB_EAGAIN nobody there; other errors with err.  Without
	 * it, yb_ep_refuse() accepts the client and refuses it in band.
	 */
	int (*refuse)(struct yb_ep *listener, struct yb_ep *conn,
		      const char *why, struct yb_err *err);

	/* Data path: like write(2)/read(2); >= 0 bytes or a negative YB_E*. */
	ssize_t (*send)(struct yb_ep *ep, const void *buf, size_t len);
	ssize_t (*recv)(struct yb_ep *ep, void *buf, size_t len);
	/*
	 * Optional: one attempt of send/recv that never waits, YB_EAGAIN
	 * when nothing could move (and no wake-up is arranged: wait() does
	 * that).  Moving both directions at once from one thread needs
	 * them; without them a transport cannot stream both ways at once.
	 */
	ssize_t (*send_try)(struct yb_ep *ep, const void *buf, size_t len);
	ssize_t (*recv_try)(struct yb_ep *ep, void *buf, size_t len);
	/* Block until readable/writable: 1 ready, 0 timeout, < 0 error. */
	int (*wait)(struct yb_ep *ep, unsigned events, int timeout_ms);
	/* Optional: a descriptor poll(2) reports ready, or -1. */
	int (*poll_fd)(const struct yb_ep *ep);

	/* Optional: detail of the last data-path failure, or NULL. */
	const char *(*last_error)(const struct yb_ep *ep);

	/* Optional: settings worth recording in the run metadata. */
	void (*describe)(const struct yb_ep *ep, struct yb_meta *m);
	/* Optional: counters (notifications, sleeps, ...) for --stats. */
	void (*counters)(const struct yb_ep *ep, struct yb_meta *m);
	/* Tell the peer we are done and release everything; idempotent. */
	void (*close)(struct yb_ep *ep);
	/*
	 * Optional: release this process's copy of an endpoint (after fork)
	 * without telling the peer or removing files.  Default: close ep->fd.
	 */
	void (*forget)(struct yb_ep *ep);
};

/* Registry (transport_list.h). */
size_t yb_transport_count(void);
const struct yb_transport *yb_transport_at(size_t i);
const struct yb_transport *yb_transport_find(const char *name);

/*
 * Split "name:address" and find the transport.  Unknown names and a
 * missing ':' are errors naming the problem.
 */
int yb_addr_split(const char *full, const struct yb_transport **t,
		  const char **rest, struct yb_err *err);

/* Endpoint helpers; every call goes through these wrappers. */
void yb_ep_init(struct yb_ep *ep, const struct yb_transport *t);
int yb_ep_listen(struct yb_ep *ep, const char *full_addr, struct yb_err *err);
/* tp: settings for ring transports (may be NULL; must outlive ep). */
int yb_ep_connect(struct yb_ep *ep, const char *full_addr,
		  const struct yb_tparams *tp, int timeout_ms,
		  struct yb_err *err);
int yb_ep_accept(struct yb_ep *listener, struct yb_ep *conn,
		 struct yb_err *err);
/*
 * Turn the next pending client away (a busy server) with why, one line.
 * Where the transport can, at its rendezvous and before anything is
 * allocated for the newcomer; elsewhere the client is accepted and
 * in_band(conn, why) tells it over the connection.  Either way who is
 * closed on return and only who->peer, the client's name, is meaningful.
 * 0 refused, YB_EAGAIN nobody was there, or an error described in err.
 */
int yb_ep_refuse(struct yb_ep *listener, struct yb_ep *who, const char *why,
		 void (*in_band)(struct yb_ep *conn, const char *why),
		 struct yb_err *err);
void yb_ep_close(struct yb_ep *ep);
void yb_ep_forget(struct yb_ep *ep);
int yb_ep_poll_fd(const struct yb_ep *ep);
/* The transport's settings worth recording (nothing if it has none). */
void yb_ep_describe(const struct yb_ep *ep, struct yb_meta *m);
/* The transport's counters for --stats (nothing if it has none). */
void yb_ep_counters(const struct yb_ep *ep, struct yb_meta *m);
/* Detail of the last data-path failure, or NULL if there is none. */
const char *yb_ep_last_error(const struct yb_ep *ep);

/*
 * The optional operations of a transport that need no endpoint; each
 * answers for a transport without the operation.
 */
/* Is addr well formed (see check_addr)?  0 when t cannot tell. */
int yb_transport_check_addr(const struct yb_transport *t, const char *addr,
			    int listening, struct yb_err *err);
/* Can both ends run on this host now?  0 when t sets no extra condition. */
int yb_transport_local_probe(const struct yb_transport *t,
			     struct yb_err *err);
/* Shared memory of one connection with tp, both ends; 0 if none or unknown. */
uint64_t yb_transport_memory(const struct yb_transport *t,
			     const struct yb_tparams *tp);
/* Address to listen on for a local run inside dir; YB_ENOTSUP without one. */
int yb_transport_local_addr(const struct yb_transport *t, char *buf,
			    size_t len, const char *dir, struct yb_err *err);

/* Like write(2): short writes possible. */
static inline ssize_t yb_ep_send(struct yb_ep *ep, const void *buf, size_t len)
{
	return ep->t->send(ep, buf, len);
}

/* Like read(2): short reads possible; 0 means the peer closed. */
static inline ssize_t yb_ep_recv(struct yb_ep *ep, void *buf, size_t len)
{
	return ep->t->recv(ep, buf, len);
}

int yb_ep_wait(struct yb_ep *ep, unsigned events, int timeout_ms);

/* The transport's send_try/recv_try, or YB_ENOTSUP without them. */
static inline ssize_t yb_ep_send_try(struct yb_ep *ep, const void *buf,
				     size_t len)
{
	return ep->t->send_try ? ep->t->send_try(ep, buf, len) : YB_ENOTSUP;
}

static inline ssize_t yb_ep_recv_try(struct yb_ep *ep, void *buf, size_t len)
{
	return ep->t->recv_try ? ep->t->recv_try(ep, buf, len) : YB_ENOTSUP;
}

/*
 * Exact-length transfers.  A peer that closes mid-message gives YB_EEOF
 * (or YB_EEOF for recv_all at offset 0 too); errors are described in err.
 */
int yb_send_all(struct yb_ep *ep, const void *buf, size_t len,
		struct yb_err *err);
/*
 * What a failed transfer means, into err (the texts yb_send_all and
 * yb_recv_all use): n is what send (sending 1) or recv returned, 0 (the
 * peer closed, for recv) or negative.  Returns the error code.
 */
int yb_ep_xfer_error(struct yb_ep *ep, ssize_t n, int sending,
		     struct yb_err *err);
int yb_recv_all(struct yb_ep *ep, void *buf, size_t len, struct yb_err *err);
/*
 * Receive what is there, at least one byte and at most len (blocking
 * until there is one): *got is the count.  Errors as yb_recv_all.
 */
int yb_recv_some(struct yb_ep *ep, void *buf, size_t len, size_t *got,
		 struct yb_err *err);
/* As yb_recv_all, but give up after timeout_ms without the first byte. */
int yb_recv_all_timeout(struct yb_ep *ep, void *buf, size_t len,
			int timeout_ms, struct yb_err *err);

#endif /* YB_TRANSPORT_H */
