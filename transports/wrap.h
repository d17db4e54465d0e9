/*
 * wrap.h - what the wrap shim (transports/preload.c, the library behind
 * `yasmin-bench wrap`) needs that is not interposition: its settings, the
 * rendezvous names, the hello a wrapped client sends, which addresses are
 * this host's.
 *
 * How a TCP connection between two wrapped programs on one host becomes a
 * ring:
 *
 *   listener  listen(2) on ADDR:PORT also listens on the abstract UNIX
 *             socket "@yasmin-bench-wrap:ADDR:PORT" (ADDR as
 *             inet_ntop(3) writes it: 127.0.0.1, 0.0.0.0, ::1, ::).
 *   client    connect(2) to a local D:PORT first looks for a rendezvous
 *             of D, then of 0.0.0.0 (D IPv4) and of ::.  Found: its TCP
 *             socket is bound to a port (port 0 of the wildcard address
 *             when the program has not bound it), and on the rendezvous
 *             socket it sends the hello (its TCP port and pid), then the
 *             shm request (transports/shm.h).  Only then does it make the
 *             real TCP connection, and waits for the shm answer.
 *   accept    the listener's accept(2) takes the TCP connection; when its
 *             peer is a local address, the pending rendezvous connections
 *             are read (their hellos were sent before the TCP connection
 *             existed, so they are there) and the one whose port is the
 *             peer's is answered: memory, ring, acknowledgement.
 *
 * The client's acknowledgement decides: a client that gave up waiting
 * (its listener was slow to accept) closes the rendezvous socket instead,
 * and both ends use the TCP connection.  Either way the program holds the
 * real TCP socket, so getsockname, getpeername, socket options and
 * SO_ERROR are the kernel's own.
 *
 * Between Xen domains (--transport yasmin or auto, with a map of peer
 * addresses to domain ids in YB_WRAP_PEERS):
 *
 *   listener  listen(2) on ADDR:PORT also serves the yasmin rendezvous
 *             "wrap-PORT" in XenStore, for any domain (transports/
 *             xenrv.h; the name space is not yasmin-bench's servers').
 *   client    connect(2) to an address the map gives domain S: its TCP
 *             socket is bound to a port first, then its XenStore request
 *             to S's "wrap-PORT" carries that port (tag=PORT), and only
 *             then is the real TCP connection made; the client waits for
 *             the answer, maps the rings and says it is live.
 *   accept    the TCP connection's peer address gives the client's
 *             domain C by the same map; the listener looks at C's
 *             requests at once (the request was written before the TCP
 *             connection existed) and answers the one whose tag is the
 *             peer's port.  Requests answered meanwhile for connections
 *             not accepted yet wait for their own accept.
 *
 * A Xen connection belongs to the process that made it: a forked child
 * has no grant mappings (gntdev does not copy them), and in it the
 * connection reads as reset.
 *
 * The hello, 40 bytes, little-endian: "YBWRAP1" and a NUL, u16 version
 * (1), u16 the client's TCP port, u32 its pid, u32 reserved (0), 20
 * bytes reserved (0).  It comes from another process, perhaps hostile:
 * yb_wrap_dec_hello checks every field.
 */
#ifndef YB_WRAP_H
#define YB_WRAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/base/err.h"
#include "core/wire/transport.h"

#define YB_WRAP_HELLO_LEN 40
#define YB_WRAP_VERSION 1
#define YB_WRAP_NAME_MAX 108 /* sun_path */
#define YB_WRAP_ACCEPT_MS 3000 /* a client waits this long for accept */

/* The environment `yasmin-bench wrap` sets for the shim. */
#define YB_WRAP_ENV_RING "YB_WRAP_RING_BYTES"
#define YB_WRAP_ENV_WAIT "YB_WRAP_WAIT"
#define YB_WRAP_ENV_SPIN "YB_WRAP_SPIN_NS"
#define YB_WRAP_ENV_VERBOSE "YB_WRAP_VERBOSE"
#define YB_WRAP_ENV_ACCEPT "YB_WRAP_ACCEPT_MS"
#define YB_WRAP_ENV_TRANSPORT "YB_WRAP_TRANSPORT"
#define YB_WRAP_ENV_PEERS "YB_WRAP_PEERS"
#define YB_WRAP_PEERS_MAX 64
#define YB_WRAP_SPACE "wrap" /* the XenStore rendezvous' name space */
/* Under emulation XenStore takes seconds: a Xen client waits this long
 * for its listener's accept at least. */
#define YB_WRAP_XEN_ACCEPT_MS 30000

/* An address of another domain and that domain's id. */
struct yb_wrap_peer {
	int family;         /* AF_INET or AF_INET6 */
	uint8_t addr[16];   /* 4 or 16 bytes, network order */
	unsigned dom;
};

struct yb_wrap_cfg {
	struct yb_tparams tp; /* rings: size, wait mode, spin budget */
	int verbose;
	int accept_ms;
	int enabled; /* 0: every call goes to the kernel untouched */
	int local;   /* this host's connections over shm */
	int xen;     /* the peers' connections over yasmin */
	struct yb_wrap_peer peers[YB_WRAP_PEERS_MAX];
	int npeers;
	char why_off[160]; /* when not enabled: why */
};

/*
 * Settings from the environment (getenv is the caller's: a test passes
 * its own).  A value that does not parse disables the shim and says why
 * (the program still runs, over TCP).
 */
void yb_wrap_cfg_load(struct yb_wrap_cfg *cfg,
		      const char *(*get)(const char *name));

/*
 * "ADDR=DOMID[,ADDR=DOMID...]" (IPv4 or IPv6 addresses, domain ids below
 * 0x7ff0) into cfg->peers; 0, or -1 with the problem in why.
 */
int yb_wrap_parse_peers(struct yb_wrap_cfg *cfg, const char *s, char *why,
			size_t whylen);

/* The domain the map gives sa's address (v4-mapped as IPv4), or -1. */
long yb_wrap_peer_dom(const struct yb_wrap_cfg *cfg,
		      const struct sockaddr *sa);

/* "127.0.0.1:5002", "[::1]:5002"; v4-mapped IPv6 addresses as IPv4. */
void yb_wrap_addr_str(const struct sockaddr *sa, char *buf, size_t len);

/*
 * The rendezvous name of a listener bound to sa (abstract: buf[0] is a
 * NUL), and its length as a sockaddr_un path; 0 if sa is not IPv4/6.
 */
size_t yb_wrap_rv_name(const struct sockaddr *sa, char *buf, size_t len);

/*
 * The names a client connecting to sa tries, in order: its own address,
 * then (when local says the address is this host's) the wildcards.
 * Returns how many (at most 3) were written to names[i] with lens[i].
 */
int yb_wrap_rv_candidates(const struct sockaddr *sa, int local,
			  char names[3][YB_WRAP_NAME_MAX], size_t lens[3]);

/* The TCP port of sa (host order), 0 if not IPv4/6. */
unsigned yb_wrap_port(const struct sockaddr *sa);

/* Is sa a loopback address (127/8, ::1, v4-mapped 127/8)? */
int yb_wrap_loopback(const struct sockaddr *sa);

/* Is sa an address of this host (loopback, or on an interface)? */
int yb_wrap_is_local(const struct sockaddr *sa);

struct yb_wrap_hello {
	unsigned version;
	unsigned port;
	unsigned long pid;
};

void yb_wrap_enc_hello(uint8_t *buf, const struct yb_wrap_hello *h);
/* 0, or -1 with why in err (untrusted bytes). */
int yb_wrap_dec_hello(const uint8_t *buf, size_t len, struct yb_wrap_hello *h,
		      struct yb_err *err);

#endif /* YB_WRAP_H */
