/*
 * shm.c - the YASMIN ring between two processes on one host.
 *
 * The same ring code as the Xen transport (core/ring.c); only the back end
 * differs: the pages are a sealed memfd instead of granted pages, the
 * doorbell is the rendezvous socket instead of an event channel, and the
 * rendezvous is a UNIX socket instead of XenStore.
 *
 * Rendezvous, on the socket named by "shm:/path" (or "shm:@name"); the
 * messages, byte by byte, are in shm.h:
 *
 *   client -> server  request, 32 bytes: the wait mode, ring orders (0
 *                     for the server's default) and spin budget it wants.
 *   server -> client  reply, 128 bytes: status (accepted; refused; the
 *                     server lacks memory or descriptors; busy with
 *                     another client) and what was set up, or why not (a
 *                     reason longer than fits goes on after the 128
 *                     bytes, up to a NUL).  An accepted reply carries the
 *                     memfd (SCM_RIGHTS).
 *   client -> server  one byte 'A' once it has checked and mapped the
 *                     memory and marked itself live in the ring.
 *
 * A busy server (shm_refuse) reads the request, answers status 3 and hangs
 * up: no memfd, no mapping, nothing but the accepted socket.  Status 3 is
 * newer than the clients that know 0-2; those report any other status as a
 * refusal with its text, so an old client still shows "server busy ..."
 * and exits as for a busy server (the exit status of a protocol error is
 * the same).  The older busy path, accepting in full and sending an ERROR
 * through the ring, rarely even reached the client: the ring was closed
 * before the client's HELLO got in, and it saw "peer went away".
 *
 * The memfd is sealed against shrinking and growing before it is passed,
 * so neither side can make the other's mapping fault (SIGBUS) by
 * truncating it; the client checks the size and the seals.
 *
 * After the handshake a side sleeps on a futex in the shared memory: each
 * side has a bell, a word the peer increments and FUTEX_WAKEs to wake it
 * (SHM_OFF_BELL).  A process-shared futex on the memfd mapping is the
 * cheapest sleep and wake-up the kernel offers between two processes: on
 * the development VM, a 1-byte blocking ping-pong between two pinned
 * processes cost 7.2-7.6 us one way and 14-15 us of CPU per round trip
 * over a futex, 10.6-11.2 us and 20-21 us over an eventfd pair, 14.4-16.5
 * us and 34-40 us over a UNIX socket (alternating runs, same session).
 * The socket stays for what a futex cannot do:
 *   - a descriptor to poll(2): a non-blocking caller that is about to
 *     poll sets the bell's fd word, and while it is set a wake-up also
 *     sends one byte on the socket;
 *   - liveness: when a peer exits or is killed the kernel closes its end.
 *     A futex sleeper does not see that at once; it looks at the socket
 *     each time its sleep slice (YB_RING_SLEEP_SLICE_MS) runs out, so a
 *     killed peer is noticed within that slice.  A peer that closes the
 *     ring wakes us through the bell as for data.
 * The bell words are the peer's to scribble on: a value is only compared
 * with the last one seen, and a wrong one costs a wasted wake-up.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "core/base/le.h"
#include "core/base/clock.h"
#include "core/wire/ring.h"
#include "core/host/sysinfo.h"
#include "transports/ringep.h"
#include "transports/shm.h"
#include "transports/sock.h"

#define SHM_MAGIC YB_SHM_MAGIC
#define SHM_VERSION YB_SHM_VERSION
#define SHM_REQ_LEN YB_SHM_REQ_LEN
#define SHM_REP_LEN YB_SHM_REP_LEN
#define SHM_WHY_MAX YB_SHM_WHY_MAX
/* Memory the server keeps free beside the rings when it checks. */
#define SHM_MEM_SLACK (8ull << 20)
#define SHM_HANDSHAKE_MS 5000
#define SHM_DEFAULT_ORDER 22   /* 4 MiB per direction */

/*
 * A side's bell in the back end's part of the control page, a line each:
 * u32 ring (the peer adds one per wake-up), u32 fd (1 while this side
 * wants its wake-ups on the socket as well).
 */
#define SHM_OFF_BELL(side) (YB_RING_OFF_BACKEND + 128 * (side))

struct shm_conn {
	struct yb_ring ring; /* first: the ringep functions use it */
	uint8_t *map;
	size_t map_len;
	int sock;     /* the rendezvous socket (ep->fd): poll(2), liveness */
	int gone;     /* the socket hung up */
	uint32_t *bell, *peer_bell; /* ours (we sleep on it), the peer's */
	uint32_t rung;  /* our bell's value when we last looked */
	int fd_wanted;  /* what we last wrote to our bell's fd word */
	int spin_auto;  /* the spin budget is this machine's wake-up cost */
	unsigned order0, order1;
};

/* The rings, wait mode and spin budget a handshake settles on. */
struct shm_setup {
	unsigned order0, order1;
	unsigned wait;
	uint64_t spin_ns;
	uint64_t size; /* of the shared memory: both rings, control page */
};

/* ---- signalling back end --------------------------------------------------- */

static long shm_futex(uint32_t *word, int op, uint32_t val,
		      const struct timespec *ts)
{
	/* Not FUTEX_PRIVATE_FLAG: the word is shared with another process. */
	return syscall(SYS_futex, word, op, val, ts, NULL, 0);
}

static int shm_notify(void *ctx)
{
	struct shm_conn *c = ctx;

	__atomic_fetch_add(&c->peer_bell[0], 1, __ATOMIC_SEQ_CST);
	shm_futex(&c->peer_bell[0], FUTEX_WAKE, 1, NULL);
	/* The peer may be in poll(2) instead.  EAGAIN: the socket buffer is
	 * full of wake-ups it has not read yet, so it will look anyway. */
	if (__atomic_load_n(&c->peer_bell[1], __ATOMIC_SEQ_CST) &&
	    send(c->sock, "w", 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 &&
	    errno != EAGAIN && errno != EINTR)
		c->gone = 1; /* EPIPE, ECONNRESET: the peer is gone */
	return 0;
}

/* Read the pending socket wake-ups: 1 if any, 2 if the peer hung up. */
static int shm_drain(struct shm_conn *c)
{
	char buf[256];
	ssize_t n = recv(c->sock, buf, sizeof(buf), MSG_DONTWAIT);

	if (n > 0)
		return 1;
	if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
		c->gone = 1;
		return 2;
	}
	return 0;
}

static void shm_want_fd(struct shm_conn *c, int on)
{
	if (c->fd_wanted != on) {
		__atomic_store_n(&c->bell[1], (uint32_t)on, __ATOMIC_SEQ_CST);
		c->fd_wanted = on;
	}
}

/* Has our bell rung since we last looked?  Takes the ring if so. */
static int shm_rung(struct shm_conn *c)
{
	uint32_t v = __atomic_load_n(&c->bell[0], __ATOMIC_ACQUIRE);

	if (v == c->rung)
		return 0;
	c->rung = v;
	return 1;
}

static int shm_peer_gone(void *ctx)
{
	struct shm_conn *c = ctx;

	if (!c->gone) {
		/* Pending wake-ups make the socket readable; only a hang-up
		 * (or an error) means the peer is gone. */
		struct pollfd pfd = { .fd = c->sock,
				      .events = POLLIN | POLLRDHUP };
		if (poll(&pfd, 1, 0) > 0 &&
		    (pfd.revents & (POLLHUP | POLLRDHUP | POLLERR)))
			c->gone = 1;
	}
	return c->gone;
}

/*
 * wait(0) comes before a non-blocking caller goes back to poll(2) on the
 * socket: from now on the peer's wake-ups go there too; take those
 * already delivered.  Any other wait sleeps on the bell.
 */
static int shm_wait(void *ctx, int timeout_ms)
{
	struct shm_conn *c = ctx;

	if (c->gone)
		return 2;
	if (timeout_ms == 0) {
		shm_want_fd(c, 1);
		int d = shm_drain(c);
		int rung = shm_rung(c);
		return d ? d : rung;
	}
	shm_want_fd(c, 0);
	uint32_t v = c->rung;
	if (shm_rung(c))
		return 1;
	struct timespec ts = { timeout_ms / 1000,
			       (long)(timeout_ms % 1000) * 1000000 };
	long rc = shm_futex(&c->bell[0], FUTEX_WAIT, v,
			    timeout_ms < 0 ? NULL : &ts);
	int err = rc < 0 ? errno : 0;
	if (shm_rung(c))
		return 1;
	if (err == EINTR)
		return YB_EINTR;
	/* Timed out, or woken for nothing: has the peer died meanwhile? */
	return shm_peer_gone(c) ? 2 : 0;
}

static int shm_fd(void *ctx)
{
	const struct shm_conn *c = ctx;
	return c->sock;
}

/* ---- connection state ------------------------------------------------------ */

static void shm_conn_free(struct shm_conn *c)
{
	if (!c)
		return;
	if (c->map)
		munmap(c->map, c->map_len);
	free(c);
}

static struct shm_conn *shm_conn_new(void)
{
	struct shm_conn *c = calloc(1, sizeof(*c));

	if (c)
		c->sock = -1;
	return c;
}

/*
 * Map the memory, format (side 0) or check (side 1) the ring in it, make
 * the socket the doorbell and attach our side of the ring; ep->priv = c
 * once done.  Our own messages start with pfx ("shm: ", or "" for a
 * server, whose refusal names the cause its own way).
 */
static int shm_conn_start(struct yb_ep *ep, struct shm_conn *c, int memfd,
			  int side, const struct shm_setup *s,
			  const char *pfx, struct yb_err *err)
{
	c->order0 = s->order0;
	c->order1 = s->order1;
	c->sock = ep->fd;
	c->map_len = (size_t)yb_ring_shared_bytes(c->order0, c->order1);
	/* MAP_POPULATE: fault the pages in now, not in the first trial. */
	void *m = mmap(NULL, c->map_len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, memfd, 0);
	if (m == MAP_FAILED)
		return yb_err_sys(err, errno, "%scannot map %zu bytes", pfx,
				  c->map_len);
	c->map = m;
	if (side == 0)
		yb_ring_format(c->map, c->order0, c->order1);
	else {
		int rc = yb_ring_check(c->map, c->order0, c->order1, err);
		if (rc)
			return rc;
	}

	c->bell = (uint32_t *)(void *)(c->map + SHM_OFF_BELL(side));
	c->peer_bell = (uint32_t *)(void *)(c->map + SHM_OFF_BELL(1 - side));
	c->rung = __atomic_load_n(&c->bell[0], __ATOMIC_ACQUIRE);

	struct yb_ring_signal sig = { .notify = shm_notify,
				      .wait = shm_wait,
				      .peer_gone = shm_peer_gone,
				      .gone_why = "its process ended without "
						  "closing the ring",
				      .fd = shm_fd,
				      .ctx = c };
	uint8_t *base = c->map;
	yb_ring_attach(&c->ring, base, base + YB_RING_PAGE,
		       base + YB_RING_PAGE + (1ull << c->order0), c->order0,
		       c->order1, side, (int)s->wait, yb_ringep_spin(s->spin_ns),
		       &sig);
	c->spin_auto = s->spin_ns == 0;
	ep->priv = c;
	return 0;
}

/* Name a rendezvous failure the way the user wrote the address. */
static int shm_handshake_error(struct yb_ep *ep, int rc, const char *stage,
			   struct yb_err *err)
{
	if (rc == YB_ETIMEDOUT)
		return yb_err_set(err, rc, "%s: no %s within %d ms", ep->peer,
				  stage, SHM_HANDSHAKE_MS);
	if (rc == YB_EEOF || rc == YB_ECONNRESET || rc == YB_EPIPE)
		return yb_err_set(err, YB_EEOF,
				  "%s: peer hung up during the %s", ep->peer,
				  stage);
	return yb_err_set(err, rc, "%s: %s: %s", ep->peer, stage,
			  yb_strerror(rc));
}

/* ---- transport operations ---------------------------------------------------- */

static int shm_probe(struct yb_err *err)
{
	int fd = memfd_create("yasmin-bench-probe", MFD_CLOEXEC |
							MFD_ALLOW_SEALING);
	if (fd < 0)
		return yb_err_sys(err, errno, "memfd_create is not available");
	close(fd);
	return 0;
}

static int shm_local_addr(char *buf, size_t len, const char *dir,
			  struct yb_err *err)
{
	return yb_sock_local_path(buf, len, dir, "shm.sock", err);
}

static int shm_listen(struct yb_ep *ep, const char *addr, struct yb_err *err)
{
	return yb_sock_unix_listen(ep, "shm", addr, err);
}

static int shm_valid_order(unsigned o)
{
	return o >= YB_RING_MIN_ORDER && o <= YB_RING_MAX_ORDER;
}

/* ---- the messages as bytes (shm.h) --------------------------------------------- */

void yb_shm_enc_request(uint8_t *buf, const struct yb_shm_request *req)
{
	memset(buf, 0, SHM_REQ_LEN);
	yb_put32(buf + YB_SHM_OFF_MAGIC, SHM_MAGIC);
	yb_put16(buf + YB_SHM_OFF_VERSION, (uint16_t)req->version);
	buf[YB_SHM_REQ_OFF_WAIT] = (uint8_t)req->wait;
	buf[YB_SHM_OFF_ORDER0] = (uint8_t)req->order0;
	buf[YB_SHM_OFF_ORDER1] = (uint8_t)req->order1;
	yb_put64(buf + YB_SHM_OFF_SPIN, req->spin_ns);
}

int yb_shm_dec_request(const uint8_t *buf, struct yb_shm_request *req)
{
	memset(req, 0, sizeof(*req));
	if (yb_get32(buf + YB_SHM_OFF_MAGIC) != SHM_MAGIC)
		return YB_EPROTO;
	req->version = yb_get16(buf + YB_SHM_OFF_VERSION);
	req->wait = buf[YB_SHM_REQ_OFF_WAIT];
	req->order0 = buf[YB_SHM_OFF_ORDER0];
	req->order1 = buf[YB_SHM_OFF_ORDER1];
	req->spin_ns = yb_get64(buf + YB_SHM_OFF_SPIN);
	return 0;
}

void yb_shm_enc_reply(uint8_t *buf, const struct yb_shm_reply *rep)
{
	memset(buf, 0, SHM_REP_LEN);
	yb_put32(buf + YB_SHM_OFF_MAGIC, SHM_MAGIC);
	yb_put16(buf + YB_SHM_OFF_VERSION, (uint16_t)rep->version);
	yb_put16(buf + YB_SHM_REP_OFF_STATUS, (uint16_t)rep->status);
	buf[YB_SHM_OFF_ORDER0] = (uint8_t)rep->order0;
	buf[YB_SHM_OFF_ORDER1] = (uint8_t)rep->order1;
	buf[YB_SHM_REP_OFF_WAIT] = (uint8_t)rep->wait;
	yb_put64(buf + YB_SHM_OFF_SPIN, rep->spin_ns);
	yb_put64(buf + YB_SHM_REP_OFF_SIZE, rep->size);
}

int yb_shm_dec_reply(const uint8_t *buf, struct yb_shm_reply *rep)
{
	memset(rep, 0, sizeof(*rep));
	if (yb_get32(buf + YB_SHM_OFF_MAGIC) != SHM_MAGIC)
		return YB_EPROTO;
	rep->version = yb_get16(buf + YB_SHM_OFF_VERSION);
	rep->status = yb_get16(buf + YB_SHM_REP_OFF_STATUS);
	rep->order0 = buf[YB_SHM_OFF_ORDER0];
	rep->order1 = buf[YB_SHM_OFF_ORDER1];
	rep->wait = buf[YB_SHM_REP_OFF_WAIT];
	rep->spin_ns = yb_get64(buf + YB_SHM_OFF_SPIN);
	rep->size = yb_get64(buf + YB_SHM_REP_OFF_SIZE);
	return 0;
}

/* The reason's bytes inside the reply. */
#define SHM_HEAD_TEXT (SHM_REP_LEN - YB_SHM_OFF_TEXT)

size_t yb_shm_enc_refusal(uint8_t *buf, unsigned status, const char *why)
{
	size_t len = strnlen(why, SHM_WHY_MAX - 1);

	memset(buf, 0, SHM_REP_LEN);
	yb_put32(buf + YB_SHM_OFF_MAGIC, SHM_MAGIC);
	yb_put16(buf + YB_SHM_OFF_VERSION, SHM_VERSION);
	yb_put16(buf + YB_SHM_REP_OFF_STATUS, (uint16_t)status);
	memcpy(buf + YB_SHM_OFF_TEXT, why,
	       len < SHM_HEAD_TEXT ? len : SHM_HEAD_TEXT);
	if (len < SHM_HEAD_TEXT)
		return SHM_REP_LEN; /* the NUL is in the reply's zeros */
	/* The rest after the reply, with its NUL. */
	memcpy(buf + SHM_REP_LEN, why + SHM_HEAD_TEXT, len - SHM_HEAD_TEXT);
	buf[SHM_REP_LEN + len - SHM_HEAD_TEXT] = '\0';
	return SHM_REP_LEN + len + 1 - SHM_HEAD_TEXT;
}

int yb_shm_refusal_continues(const uint8_t *rep)
{
	return memchr(rep + YB_SHM_OFF_TEXT, '\0', SHM_HEAD_TEXT) == NULL;
}

int yb_shm_dec_refusal(const uint8_t *buf, size_t len,
		       char why[YB_SHM_WHY_MAX])
{
	why[0] = '\0';
	if (len < SHM_REP_LEN || yb_get32(buf + YB_SHM_OFF_MAGIC) != SHM_MAGIC)
		return YB_EPROTO;
	/* The reason runs from the reply's text field to the first NUL,
	 * the end of what arrived or the longest reason, whichever is
	 * first; the server is a stranger, so only printable bytes pass. */
	size_t n = strnlen((const char *)buf + YB_SHM_OFF_TEXT,
			   len - YB_SHM_OFF_TEXT);
	if (n > SHM_WHY_MAX - 1)
		n = SHM_WHY_MAX - 1;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = buf[YB_SHM_OFF_TEXT + i];
		why[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	why[n] = '\0';
	switch (yb_get16(buf + YB_SHM_REP_OFF_STATUS)) {
	case YB_SHM_BUSY:
		return YB_EBUSY;
	case YB_SHM_NO_RESOURCES:
		return YB_ENOMEM;
	default: /* refused, or a status newer than we know */
		return YB_EPROTO;
	}
}

/* ---- the rendezvous: server ------------------------------------------------------ */

static void shm_send_refusal(int fd, unsigned status, const char *why)
{
	uint8_t buf[YB_SHM_REFUSAL_MAX];

	yb_sock_write_full(fd, buf, yb_shm_enc_refusal(buf, status, why), -1);
}

static void shm_send_refused(int fd, const char *why)
{
	shm_send_refusal(fd, YB_SHM_REFUSED, why);
}

/* Read and decode a request; one that is not ours is refused here. */
static int shm_read_request(struct yb_ep *conn, struct yb_shm_request *req,
			    struct yb_err *err)
{
	uint8_t buf[SHM_REQ_LEN];
	int rc = yb_sock_read_full(conn->fd, buf, sizeof(buf),
				   SHM_HANDSHAKE_MS, NULL, 0, NULL);

	if (rc)
		return shm_handshake_error(conn, rc, "shm request", err);
	if (yb_shm_dec_request(buf, req)) {
		shm_send_refused(conn->fd, "not a yasmin-bench shm request");
		return yb_err_set(err, YB_EPROTO,
				  "%s: client does not speak the shm "
				  "rendezvous (bad magic)",
				  conn->peer);
	}
	return 0;
}

/*
 * Read the request and check it: the rings, wait mode and spin budget to
 * set up go to s (the server's default order for an order of 0), or the
 * client is refused with why.
 */
static int shm_take_request(struct yb_ep *conn, struct shm_setup *s,
			    struct yb_err *err)
{
	struct yb_shm_request req;
	char why[SHM_WHY_MAX];
	int rc = shm_read_request(conn, &req, err);

	if (rc)
		return rc;
	if (req.version != SHM_VERSION) {
		snprintf(why, sizeof(why),
			 "server speaks shm rendezvous version %d, client %u",
			 SHM_VERSION, req.version);
		shm_send_refused(conn->fd, why);
		return yb_err_set(err, YB_EPROTO, "%s: %s", conn->peer, why);
	}
	s->wait = req.wait;
	s->order0 = req.order0 ? req.order0 : SHM_DEFAULT_ORDER;
	s->order1 = req.order1 ? req.order1 : SHM_DEFAULT_ORDER;
	s->spin_ns = req.spin_ns;
	if (!shm_valid_order(s->order0) || !shm_valid_order(s->order1) ||
	    s->wait > YB_WAIT_BLOCK || s->spin_ns > YB_RING_MAX_SPIN_NS) {
		snprintf(why, sizeof(why),
			 "server refuses ring orders %u/%u, wait %u, spin %llu "
			 "ns (allowed: 4K to 1G rings, spin up to 10 s)",
			 s->order0, s->order1, s->wait,
			 (unsigned long long)s->spin_ns);
		shm_send_refused(conn->fd, why);
		return yb_err_set(err, YB_EPROTO, "%s: %s", conn->peer, why);
	}
	s->size = yb_ring_shared_bytes(s->order0, s->order1);
	return 0;
}

/*
 * Create the shared memory for s - a memfd, sized and sealed - and start
 * the server's side of the ring in it.  The memfd goes to *memfd as soon
 * as it exists (the caller closes it).  A failure is told to why without
 * the "shm: " of our own messages: shm_refuse_setup says it both to the
 * client and to the server's user.
 */
static int shm_serve_memory(struct yb_ep *conn, struct shm_conn *c,
			    const struct shm_setup *s, int *memfd,
			    struct yb_err *why)
{
	/* Touching pages past a memory cgroup's limit gets us OOM-killed,
	 * and MAP_POPULATE touches them all: check first. */
	unsigned long long room;
	char lim[200];
	const char *act;
	if (yb_mem_headroom(&room, lim, sizeof(lim), &act) == 0 &&
	    s->size + SHM_MEM_SLACK > room) {
		int rc = yb_err_set(why, YB_ENOMEM,
				    "the rings need %llu MiB of memory, but "
				    "%s: %s",
				    (unsigned long long)(s->size + (1 << 20) -
							 1) >> 20,
				    lim, act);
		why->remedy = 1;
		return rc;
	}
	*memfd = memfd_create("yasmin-bench-ring", MFD_CLOEXEC |
							 MFD_ALLOW_SEALING);
	if (*memfd < 0)
		return yb_err_sys(why, errno, "memfd_create");
	if (ftruncate(*memfd, (off_t)s->size) < 0)
		return yb_err_sys(why, errno,
				  "cannot size the shared memory to %llu bytes",
				  (unsigned long long)s->size);
	if (fcntl(*memfd, F_ADD_SEALS,
		  F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)
		return yb_err_sys(why, errno, "sealing the memfd");
	return shm_conn_start(conn, c, *memfd, 0, s, "", why);
}

/*
 * The memory could not be set up (why): tell the client, and what to
 * change, and the server's user.  Returns rc.
 */
static int shm_refuse_setup(struct yb_ep *conn, int rc,
			    const struct yb_err *why, struct yb_err *err)
{
	int big = rc == YB_ENOMEM || rc == -ENOSPC || rc == -EFBIG;
	int mem = big || rc == -EMFILE || rc == -ENFILE;
	char text[SHM_WHY_MAX];

	yb_err_set(err, rc, "shm: %s", why->msg);
	if (err)
		err->remedy = why->remedy;
	/* After a remedy ("...: raise it"), the alternative. */
	snprintf(text, sizeof(text), "server: %s%s", why->msg,
		 !big ? "" :
		 why->remedy ? " or try a smaller --ring-size" :
			       " (try a smaller --ring-size)");
	shm_send_refusal(conn->fd, mem ? YB_SHM_NO_RESOURCES : YB_SHM_REFUSED,
			 text);
	if (mem)
		yb_err_set(err, rc, "%s", text);
	return rc;
}

/*
 * Accept: send the reply with the memfd (closed here once sent: the
 * client holds it now), then wait for the client's acknowledgement.
 */
static int shm_answer(struct yb_ep *conn, const struct shm_setup *s,
		      int *memfd, struct yb_err *err)
{
	struct yb_shm_reply ok = { .version = SHM_VERSION,
				   .status = YB_SHM_ACCEPTED,
				   .order0 = s->order0,
				   .order1 = s->order1,
				   .wait = s->wait,
				   .spin_ns = s->spin_ns,
				   .size = s->size };
	uint8_t buf[SHM_REP_LEN];
	uint8_t ack;

	yb_shm_enc_reply(buf, &ok);
	int rc = yb_sock_write_full(conn->fd, buf, sizeof(buf), *memfd);
	if (rc)
		return shm_handshake_error(conn, rc, "shm reply", err);
	close(*memfd);
	*memfd = -1;
	rc = yb_sock_read_full(conn->fd, &ack, 1, SHM_HANDSHAKE_MS, NULL, 0,
			       NULL);
	if (rc)
		return shm_handshake_error(conn, rc, "shm acknowledgement", err);
	if (ack != 'A')
		return yb_err_set(err, YB_EPROTO,
				  "%s: client sent a bad shm acknowledgement",
				  conn->peer);
	return 0;
}

/*
 * Accept a client: take its request, set up the memory and our side of
 * the ring (or refuse, saying why), answer with the memfd and wait for
 * the client to attach.  On any failure everything made here is undone;
 * the accepted socket is conn->fd, which close() releases.
 */
static int shm_accept(struct yb_ep *listener, struct yb_ep *conn,
		      struct yb_err *err)
{
	int rc = yb_sock_unix_accept(listener, conn, err);

	return rc ? rc : yb_shm_serve(conn, err);
}

int yb_shm_serve(struct yb_ep *conn, struct yb_err *err)
{
	struct shm_setup s = { 0 };
	struct yb_err why = { 0 };
	int memfd = -1;
	int rc = shm_take_request(conn, &s, err);

	if (rc)
		return rc;
	struct shm_conn *c = shm_conn_new();
	if (!c) {
		shm_send_refused(conn->fd, "server out of memory");
		return yb_err_set(err, YB_ENOMEM, "out of memory");
	}
	rc = shm_serve_memory(conn, c, &s, &memfd, &why);
	if (rc)
		rc = shm_refuse_setup(conn, rc, &why, err);
	else
		rc = shm_answer(conn, &s, &memfd, err);
	if (memfd >= 0)
		close(memfd);
	if (rc) {
		if (conn->priv == c)
			conn->priv = NULL;
		shm_conn_free(c);
	}
	return rc;
}

/*
 * A busy server's answer: read the request (so that closing does not
 * reset a connection with unread data), say busy, hang up.  Nothing is
 * created for the client but the accepted socket, which yb_ep_refuse()
 * closes.
 */
static int shm_refuse(struct yb_ep *listener, struct yb_ep *conn,
		      const char *why, struct yb_err *err)
{
	struct yb_shm_request req;
	int rc = yb_sock_unix_accept(listener, conn, err);

	if (rc)
		return rc;
	/* Only the magic matters here: a client of another version still
	 * reads the reply's fixed head and hears that we are busy. */
	rc = shm_read_request(conn, &req, err);
	if (rc)
		return rc;
	shm_send_refusal(conn->fd, YB_SHM_BUSY, why);
	return 0;
}

/* ---- the rendezvous: client ------------------------------------------------------ */

/* Ask for the rings the parameters name (0: the server's default). */
static int shm_send_request(struct yb_ep *ep, struct yb_shm_request *req,
			    struct yb_err *err)
{
	const struct yb_tparams *tp = ep->params;
	uint8_t buf[SHM_REQ_LEN];
	int order = 0;

	if (tp && tp->ring_bytes) {
		order = yb_ring_order_of(tp->ring_bytes);
		if (order < YB_RING_MIN_ORDER || order > YB_RING_MAX_ORDER)
			return yb_err_set(err, YB_EUSAGE,
					  "shm: ring size %llu is not a power "
					  "of two from 4K to 1G",
					  (unsigned long long)tp->ring_bytes);
	}
	*req = (struct yb_shm_request){
		.version = SHM_VERSION,
		.wait = (unsigned)(tp && tp->wait_set ? tp->wait :
							YB_WAIT_ADAPTIVE),
		.order0 = (unsigned)order,
		.order1 = (unsigned)order,
		.spin_ns = tp ? tp->spin_ns : 0, /* 0: each side's own */
	};
	yb_shm_enc_request(buf, req);
	int rc = yb_sock_write_full(ep->fd, buf, sizeof(buf), -1);
	return rc ? shm_handshake_error(ep, rc, "shm request", err) : 0;
}

/*
 * The rest of a refusal after its reply rep: when the reply's text holds
 * no NUL, what follows up to a NUL, the end of the connection, half a
 * second or the longest reason.  buf receives the reply and the rest;
 * returns how many bytes that is.
 */
static size_t shm_read_refusal(int fd, const uint8_t *rep,
			       uint8_t buf[YB_SHM_REFUSAL_MAX])
{
	size_t len = SHM_REP_LEN;
	uint64_t end = yb_now() + 500000000ull;

	memcpy(buf, rep, SHM_REP_LEN);
	if (!yb_shm_refusal_continues(rep))
		return len;
	while (len < YB_SHM_REFUSAL_MAX && !memchr(buf + SHM_REP_LEN, '\0',
						   len - SHM_REP_LEN)) {
		uint64_t now = yb_now();
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		if (now >= end ||
		    poll(&pfd, 1, (int)((end - now) / 1000000) + 1) <= 0)
			break;
		ssize_t r = recv(fd, buf + len, YB_SHM_REFUSAL_MAX - len, 0);
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	return len;
}

/* The server refused (the reply rep): its reason, as the error. */
static int shm_refused(struct yb_ep *ep, const uint8_t *rep,
		       struct yb_err *err)
{
	uint8_t all[YB_SHM_REFUSAL_MAX];
	char why[SHM_WHY_MAX];
	size_t n = shm_read_refusal(ep->fd, rep, all);
	int rc = yb_shm_dec_refusal(all, n, why);

	/* Busy reads as it does over every transport: the server's own
	 * line, which names what it is busy with. */
	if (rc == YB_EBUSY && why[0])
		return yb_err_set(err, rc, "%s", why);
	return yb_err_set(err, rc, "%s: %s", ep->peer,
			  why[0] ? why : yb_strerror(rc));
}

/*
 * Read the reply to req and check it: what the server set up goes to s,
 * the memfd that came with it to *memfd (which the caller closes,
 * whatever the result).
 */
static int shm_take_reply(struct yb_ep *ep, const struct yb_shm_request *req,
			  int timeout_ms, struct shm_setup *s, int *memfd,
			  struct yb_err *err)
{
	uint8_t buf[SHM_REP_LEN];
	struct yb_shm_reply rep;
	int nfds;
	int rc = yb_sock_read_full(ep->fd, buf, sizeof(buf),
				   timeout_ms < 0 ? SHM_HANDSHAKE_MS :
						    timeout_ms,
				   memfd, 1, &nfds);

	if (rc)
		return shm_handshake_error(ep, rc, "shm reply", err);
	if (yb_shm_dec_reply(buf, &rep))
		return yb_err_set(err, YB_EPROTO,
				  "%s: server does not speak the shm "
				  "rendezvous (bad magic)",
				  ep->peer);
	if (rep.status != YB_SHM_ACCEPTED)
		return shm_refused(ep, buf, err);
	if (rep.version != SHM_VERSION)
		return yb_err_set(err, YB_EPROTO,
				  "%s: server speaks shm rendezvous version "
				  "%u, we speak %d",
				  ep->peer, rep.version, SHM_VERSION);
	unsigned want = req->order0;
	if (rep.spin_ns > YB_RING_MAX_SPIN_NS)
		return yb_err_set(err, YB_EPROTO,
				  "%s: server answered with a spin of %llu ns "
				  "(at most %llu)",
				  ep->peer, (unsigned long long)rep.spin_ns,
				  (unsigned long long)YB_RING_MAX_SPIN_NS);
	if (!shm_valid_order(rep.order0) || !shm_valid_order(rep.order1) ||
	    rep.wait > YB_WAIT_BLOCK ||
	    (want && (rep.order0 != want || rep.order1 != want)) ||
	    rep.size != yb_ring_shared_bytes(rep.order0, rep.order1) ||
	    nfds != 1)
		return yb_err_set(err, YB_EPROTO,
				  "%s: server answered with an unusable shm "
				  "setup (rings 2^%u/2^%u, %llu bytes, %d "
				  "descriptors where 1 belongs)",
				  ep->peer, rep.order0, rep.order1,
				  (unsigned long long)rep.size, nfds);
	*s = (struct shm_setup){ .order0 = rep.order0,
				 .order1 = rep.order1,
				 .wait = rep.wait,
				 .spin_ns = rep.spin_ns,
				 .size = rep.size };
	return 0;
}

/* Is memfd what the server says: a regular file of size bytes that can
 * neither shrink nor grow? */
static int shm_check_memfd(struct yb_ep *ep, int memfd, uint64_t size,
			   struct yb_err *err)
{
	struct stat st;
	int seals = fcntl(memfd, F_GET_SEALS);

	if (fstat(memfd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size != size || seals < 0 ||
	    (seals & (F_SEAL_SHRINK | F_SEAL_GROW)) !=
		    (F_SEAL_SHRINK | F_SEAL_GROW))
		return yb_err_set(err, YB_EPROTO,
				  "%s: server passed a descriptor that is not a "
				  "sealed %llu-byte memfd",
				  ep->peer, (unsigned long long)size);
	return 0;
}

/*
 * Map the memory, check the server's ring and join it, then acknowledge.
 * The memfd is closed once mapped; on failure the connection state is
 * undone here.
 */
static int shm_join(struct yb_ep *ep, const struct shm_setup *s, int *memfd,
		    struct yb_err *err)
{
	struct shm_conn *c = shm_conn_new();

	if (!c)
		return yb_err_set(err, YB_ENOMEM, "out of memory");
	int rc = shm_conn_start(ep, c, *memfd, 1, s, "shm: ", err);
	if (rc == 0) {
		close(*memfd);
		*memfd = -1;
		rc = yb_sock_write_full(ep->fd, "A", 1, -1);
		if (rc)
			rc = shm_handshake_error(ep, rc, "shm acknowledgement",
						 err);
	}
	if (rc) {
		if (ep->priv == c)
			ep->priv = NULL;
		shm_conn_free(c);
	}
	return rc;
}

/*
 * Connect: ask for rings, check the reply and the memfd, map it and join
 * the ring.  What is set up half way is undone; the socket is ep->fd,
 * which close() releases.
 */
static int shm_connect(struct yb_ep *ep, const char *addr, int timeout_ms,
		       struct yb_err *err)
{
	struct yb_shm_request req;
	int rc = yb_sock_unix_connect(ep, "shm", addr, timeout_ms, err);

	if (rc == 0)
		rc = yb_shm_ask(ep, &req, err);
	if (rc == 0)
		rc = yb_shm_join(ep, &req, timeout_ms, err);
	return rc;
}

int yb_shm_ask(struct yb_ep *ep, struct yb_shm_request *req,
	       struct yb_err *err)
{
	return shm_send_request(ep, req, err);
}

int yb_shm_join(struct yb_ep *ep, const struct yb_shm_request *req,
		int timeout_ms, struct yb_err *err)
{
	struct shm_setup s = { 0 };
	int memfd = -1;
	int rc = shm_take_reply(ep, req, timeout_ms, &s, &memfd, err);

	if (rc == 0)
		rc = shm_check_memfd(ep, memfd, s.size, err);
	if (rc == 0)
		rc = shm_join(ep, &s, &memfd, err);
	if (memfd >= 0)
		close(memfd);
	return rc;
}

/* The rendezvous socket is the doorbell: readable on a wake-up or a
 * hang-up, and the listening socket for a listener. */
static int shm_poll_fd(const struct yb_ep *ep)
{
	return ep->fd;
}

static void shm_describe(const struct yb_ep *ep, struct yb_meta *m)
{
	const struct shm_conn *c = ep->priv;

	if (!c)
		return;
	yb_ringep_describe(ep, m, c->spin_auto);
	yb_meta_set(m, "memory", "%s", "memfd, sealed, MAP_SHARED|MAP_POPULATE");
	yb_meta_set(m, "signal", "%s",
		    "futex in the shared memory (and a byte on the "
		    "rendezvous socket for a caller in poll)");
}

static void shm_close(struct yb_ep *ep)
{
	struct shm_conn *c = ep->priv;

	if (c) {
		yb_ring_close(&c->ring);
		shm_conn_free(c);
		ep->priv = NULL;
	}
	yb_sock_close(ep);
}

/* After fork: drop this process's mapping and descriptors, tell nobody. */
static void shm_forget(struct yb_ep *ep)
{
	shm_conn_free(ep->priv);
	ep->priv = NULL;
	if (ep->fd >= 0) {
		close(ep->fd);
		ep->fd = -1;
	}
}

static uint64_t shm_memory(const struct yb_tparams *tp)
{
	int o = tp && tp->ring_bytes ? yb_ring_order_of(tp->ring_bytes) :
				       SHM_DEFAULT_ORDER;
	if (o < YB_RING_MIN_ORDER || o > YB_RING_MAX_ORDER)
		return 0; /* connect will say what is wrong with it */
	return yb_ring_shared_bytes((unsigned)o, (unsigned)o);
}

const struct yb_transport yb_transport_shm = {
	.name = "shm",
	.summary = "the YASMIN ring between processes: a sealed memfd, "
		   "rendezvous and doorbell on a UNIX socket",
	.caps = YB_CAP_STREAM | YB_CAP_POLLFD | YB_CAP_LOCAL | YB_CAP_RING,
	.probe = shm_probe,
	.memory = shm_memory,
	.local_addr = shm_local_addr,
	.listen = shm_listen,
	.accept = shm_accept,
	.connect = shm_connect,
	.refuse = shm_refuse,
	.send = yb_ringep_send,
	.recv = yb_ringep_recv,
	.send_try = yb_ringep_send_try,
	.recv_try = yb_ringep_recv_try,
	.wait = yb_ringep_wait,
	.poll_fd = shm_poll_fd,
	.last_error = yb_ringep_last_error,
	.describe = shm_describe,
	.counters = yb_ringep_counters,
	.close = shm_close,
	.forget = shm_forget,
};
