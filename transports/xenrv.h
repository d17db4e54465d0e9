/*
 * xenrv.h - rendezvous between two Xen domains through XenStore, shared by
 * the yasmin and vchan transports.
 *
 * The server S, serving peer domain C (or any domain) on port P, owns one
 * directory, and each client connection its request node:
 *
 *   /local/domain/S/data/yasmin-bench/NAME-P/     NAME: yasmin or vchan
 *     state        "listening C" (or "any")   readable by C (or by all)
 *     reply-C-K    the answer to connection K of domain C, readable by C
 *   /local/domain/C/data/yasmin-bench/NAME-S-P/   readable by S
 *     K            one connection's request (K is "PID-SEQ": the client's
 *                  process id and a count within that process)
 *
 * A client waits for `state` with a XenStore watch, writes its request
 * ("yasmin-bench 1 dom=C nonce=N order0=O order1=O wait=W spin=NS", and
 * " tag=T" when a wrapped connection names its TCP port) into
 * its own node K, and waits for reply-C-K with its nonce: "nonce=N ok ..."
 * (the rest is the transport's: grant reference, event channel, path),
 * "nonce=N refused WHY", "nonce=N no-resources WHY" or, from a server
 * busy with another client, "nonce=N busy WHY".  Once answered the node
 * says "asked N"; it stays while the client is connected: its
 * disappearance tells the server the client's domain (or the client) is
 * gone.  Several connections from one domain at once (`client --pairs`,
 * or several clients) each have their own node and reply.  A client
 * removes the nodes its domain left behind for processes that no longer
 * exist, and the directory with its last node.
 *
 * Who asks is proven, not claimed: a domain can write only in its own
 * tree (and dom0 anywhere), so the server takes the client's domain from
 * the path where the request was written, checks that the node's owner
 * says the same, and refuses a request whose text claims another domain
 * (its writer is told so; the claimed domain's own request is untouched).
 * Nothing in the server's directory is writable by anyone else.  The
 * server watches the request directory of its peer, or, serving any
 * domain, every domain's tree (XenStore sends it only the events of nodes
 * it may read); pending domains are taken in turn from the one after the
 * domain served last, one request each time round, so requests from
 * several domains at once are neither lost nor mixed, and none can keep
 * another waiting.  Either side's text is untrusted, coming from another
 * domain: yb_xrv_parse_request(), yb_xrv_parse_reply(),
 * yb_xrv_parse_request_path() and yb_xrv_parse_key() read it with bounds
 * on every field.
 *
 * A busy server answers from the request alone (yb_xrv_refuse): nothing
 * is granted, bound or mapped for the newcomer, and its reply is removed
 * again once the newcomer has left.  "busy" is newer than "refused"; an
 * older client calls it an unexpected reply, with the same exit status.
 *
 * A domain that is destroyed loses its whole /local/domain/ID tree (the
 * toolstack removes it), so each side tells that the other's domain is
 * gone by the other's node disappearing; a process that dies in a live
 * domain is caught by the rings' unmap notifications instead.
 */
#ifndef YB_XENRV_H
#define YB_XENRV_H

#include <stdint.h>
#include <sys/types.h>

#include "core/base/err.h"
#include "core/wire/transport.h"
#include "transports/xswatch.h"

#define YB_XRV_DEFAULT_PORT 7470
#define YB_XRV_ANY 0xffffu /* a server for any domain: "yasmin:any" */
#define YB_XRV_PATH_MAX 160
#define YB_XRV_TEXT_MAX 256
#define YB_XRV_KEY_MAX 24 /* "PID-SEQ" and its NUL */
#define YB_XRV_ANSWERED 64 /* requests a server remembers answering */
#define YB_XRV_DOMS 0x7ff0u /* domain ids below DOMID_FIRST_RESERVED */
/* XenStore rendezvous under TCG emulation takes seconds: be patient. */
#define YB_XRV_HANDSHAKE_MS 30000

struct xs_handle;

struct yb_xrv_request {
	unsigned version;
	unsigned dom;
	unsigned long long nonce;
	unsigned order0, order1;
	unsigned wait;
	unsigned long long spin_ns;
	unsigned tag; /* 1-65535, or 0: none (struct yb_rv_opts) */
};

struct yb_xrv {
	struct xs_handle *xs;
	pid_t xs_pid;   /* the process that opened xs (see yb_xrv_xs) */
	unsigned self;  /* our domid */
	unsigned peer;  /* the other domain */
	unsigned port;
	const char *name; /* "yasmin" or "vchan" */
	char base[YB_XRV_PATH_MAX];     /* the server's directory */
	char presence[YB_XRV_PATH_MAX]; /* the client's request node */
	char key[YB_XRV_KEY_MAX];       /* its name, K (see above) */
	int own_presence; /* we created presence (the client): remove it */
	int listener;     /* we created base (the server): remove it */
	struct yb_xsw w;  /* our watches (see xswatch.h) */
	int polled;       /* no watch connection: poll by reading */
	int tfd;          /* a listener's timer while polled, or -1 */
	int efd;          /* a listener's descriptor to poll (epoll), or -1 */
	int kick;         /* an eventfd: requests are still pending, or -1 */
	int armed;        /* the peer's liveness is watched (1) or polled (-1) */
	uint64_t next_check_ns;
	int gone;
	/* A server: the domain whose request is being answered, the one
	 * served last (for taking turns), and the domains whose request
	 * node changed since they were last looked at. */
	unsigned cur_owner;
	char cur_key[YB_XRV_KEY_MAX];
	unsigned last_owner;
	uint8_t pending[YB_XRV_DOMS / 8];
	/* The requests answered last (domain, key, text), so that a request is
	 * not taken twice in the moment before its client marks it asked. */
	struct {
		unsigned dom;
		char key[YB_XRV_KEY_MAX];
		uint64_t hash; /* of its text */
	} answered[YB_XRV_ANSWERED];
	unsigned n_answered;
};

/*
 * "DOMID" or "DOMID:PORT" -> numbers; a server may say "any" for the
 * domain (YB_XRV_ANY).  Errors name the transport.
 */
int yb_xrv_parse_addr(const char *name, const char *addr, int listening,
		      unsigned *dom, unsigned *port, struct yb_err *err);

/* Is this a Xen domain with the devices a transport needs?  "why" filled. */
extern const char *const yb_xrv_devices[]; /* evtchn, gntalloc, gntdev */
int yb_xrv_probe(const char *const *devices, struct yb_err *err);

/*
 * The XenStore handle of this process: a handle opened before fork() is
 * only good in the parent, so a forked child opens its own on first use.
 */
struct xs_handle *yb_xrv_xs(struct yb_xrv *x);

/* Server: create the directory, watch for requests. */
int yb_xrv_listen(struct yb_xrv *x, const char *name, const char *addr,
		  struct yb_err *err);
/* Descriptor that polls readable when a request may have arrived. */
int yb_xrv_listen_fd(struct yb_xrv *x);
/*
 * Server: the next pending request, 0 (req->dom is its proven writer);
 * YB_EAGAIN when none; YB_EPROTO for a request refused here (a claimed
 * identity, a malformed text: its writer has been answered, err says
 * who and why); other errors.
 */
int yb_xrv_next_request(struct yb_xrv *x, struct yb_xrv_request *req,
			struct yb_err *err);
/* Server: answer the request taken last (text after "nonce=N "). */
int yb_xrv_reply(struct yb_xrv *x, unsigned long long nonce,
		 const char *text);
/* Server: the exchange is over; remove its reply. */
void yb_xrv_done(struct yb_xrv *x);
/*
 * Server, busy: answer the pending request "busy WHY" without setting up
 * anything, and clear the reply once the client has gone (waiting at most
 * a few seconds for it).  0 with the client's domain in *dom,
 * YB_EAGAIN when no request is pending, or an error.
 */
int yb_xrv_refuse(struct yb_xrv *x, const char *why, unsigned *dom,
		  struct yb_err *err);
/* Server: after accept, a copy for the connection with domain peer. */
void yb_xrv_conn_from(struct yb_xrv *conn, const struct yb_xrv *listener,
		      unsigned peer);

/* Client: a nonce for a request (the time and our pid, mixed). */
unsigned long long yb_xrv_nonce(void);

/*
 * Client: wait for the server, publish presence and the request, wait for
 * the reply; on success reply holds the transport's part after "ok ".
 * o (or NULL): o->no_wait fails at once when no server listens; o->asked
 * is called between the request and the wait for its answer.
 */
int yb_xrv_connect(struct yb_xrv *x, const char *name, const char *addr,
		   const struct yb_xrv_request *req,
		   const struct yb_rv_opts *o, int timeout_ms, char *reply,
		   size_t replylen, struct yb_err *err);
/* Server: look at domain dom's requests on the next yb_xrv_next_request,
 * whether or not a watch event said so. */
void yb_xrv_look_at(struct yb_xrv *x, unsigned dom);

/*
 * Is the peer's domain gone?  Without blocking.  The peer's node (the
 * server's state, the client's presence) and @releaseDomain are watched
 * from the first call on, so this reads XenStore only when one of them
 * changed (and every few seconds in case a watch was lost); where no
 * watch can be set it reads twice a second.
 */
int yb_xrv_peer_gone(struct yb_xrv *x);
/*
 * A descriptor that polls readable when the peer may have gone (call
 * yb_xrv_peer_gone then), or -1; sets the watches up on first use.
 */
int yb_xrv_peer_fd(struct yb_xrv *x);

/* Remove what we created (the listener's directory, a client's presence)
 * and close the handle.  forget: a forked copy; leave XenStore alone. */
void yb_xrv_close(struct yb_xrv *x);
void yb_xrv_forget(struct yb_xrv *x);

/*
 * Is path a request node, or the request directory, of some domain for the
 * server name in domain server on port?
 * ("/local/domain/C/data/yasmin-bench/NAME-S-P[/K]", C in decimal without
 * leading zeros, below DOMID_FIRST_RESERVED, K as yb_xrv_parse_key takes
 * it.)  0 for a node (C in *dom, K in key, which holds YB_XRV_KEY_MAX
 * bytes), 1 for the directory (key ""), or -1.
 */
int yb_xrv_parse_request_path(const char *path, const char *name,
			      unsigned server, unsigned port, unsigned *dom,
			      char *key);
/*
 * A request node's name, n bytes of untrusted text: "PID-SEQ", two
 * decimal numbers without leading zeros, PID from 1 to 2^22 (the kernel's
 * largest), SEQ below 2^32.  0 with the numbers, or -1.
 */
int yb_xrv_parse_key(const char *s, size_t n, unsigned long *pid,
		     unsigned long *seq);

/* Untrusted text -> request; 0 or -1 (why in err). */
int yb_xrv_parse_request(const char *text, size_t len,
			 struct yb_xrv_request *req, struct yb_err *err);

enum yb_xrv_answer {
	YB_XRV_NOT_YET,      /* not the answer to our nonce (yet) */
	YB_XRV_OK,           /* "ok ": the transport's part follows */
	YB_XRV_REFUSED,      /* "refused ": the request is unacceptable */
	YB_XRV_NO_RESOURCES, /* "no-resources ": the server lacks them */
	YB_XRV_BUSY,         /* "busy ": measuring another client */
	YB_XRV_UNKNOWN,      /* an answer we cannot read */
};

/*
 * The reply node as a client reads it, len bytes of untrusted text: is
 * it the answer to nonce, and which?  What follows the keyword (for
 * YB_XRV_UNKNOWN, the whole answer) goes into out, cut to outlen - 1
 * bytes, printable ASCII only ('?' for anything else).
 */
enum yb_xrv_answer yb_xrv_parse_reply(const char *text, size_t len,
				      unsigned long long nonce, char *out,
				      size_t outlen);

/* The gntalloc page limit, or 0 when unknown. */
unsigned long yb_xen_gntalloc_limit(void);

#endif /* YB_XENRV_H */
