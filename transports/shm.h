/*
 * shm.h - the messages of the shm rendezvous, as bytes (see shm.c for the
 * exchange around them).
 *
 * All integers are little-endian, written and read field by field at the
 * offsets below, never by copying structs.
 *
 * The request, client -> server, YB_SHM_REQ_LEN bytes:
 *
 *   offset size field
 *   0      4    magic "YSHM"
 *   4      2    version (YB_SHM_VERSION)
 *   6      1    wait mode (enum yb_wait_mode)
 *   7      1    0
 *   8      1    order of ring 0 (server to client); 0: the server's default
 *   9      1    order of ring 1 (client to server); 0: the server's default
 *   10     2    0
 *   12     8    spin_ns; 0: each side spins for its own machine's
 *                 sleep-and-wake-up cost (core/host/wake.h)
 *   20     12   0
 *
 * The reply, server -> client, YB_SHM_REP_LEN bytes:
 *
 *   0      4    magic
 *   4      2    version
 *   6      2    status (enum yb_shm_status)
 *   8      1    order of ring 0 (accepted; else 0)
 *   9      1    order of ring 1
 *   10     1    wait mode
 *   11     1    0
 *   12     8    spin_ns
 *   20     8    size of the shared memory in bytes (accepted; else 0)
 *   24     104  the reason (refused; else 0)
 *
 * The reason overlaps the upper half of the size: an accepted reply has
 * no reason, a refusal no size, and a size never reaches 2^32 (4 KiB and
 * two rings of at most 1 GiB), so its upper half is 0 on the wire.  An
 * accepted reply carries the memfd (SCM_RIGHTS).
 *
 * A refusal is the reply with a non-zero status and the reason as text:
 * the first 104 bytes in the reply, the rest (if any) after it up to a
 * NUL, at most YB_SHM_WHY_MAX bytes in all, NUL included.
 *
 * The encoders and decoders live apart from the socket code so that the
 * unit tests and the fuzz harness reach the decoders, which read bytes
 * from a peer that has no reason to be trusted: each field is read once
 * into the decoded struct, and only that copy is checked and used.
 */
#ifndef YB_SHM_H
#define YB_SHM_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/err.h"

#define YB_SHM_MAGIC 0x4d485359u /* "YSHM" read as little-endian */
#define YB_SHM_VERSION 1
#define YB_SHM_REQ_LEN 32
#define YB_SHM_REP_LEN 128

/* Both messages. */
#define YB_SHM_OFF_MAGIC 0
#define YB_SHM_OFF_VERSION 4
#define YB_SHM_OFF_ORDER0 8
#define YB_SHM_OFF_ORDER1 9
#define YB_SHM_OFF_SPIN 12
/* The request. */
#define YB_SHM_REQ_OFF_WAIT 6
/* The reply. */
#define YB_SHM_REP_OFF_STATUS 6
#define YB_SHM_REP_OFF_WAIT 10
#define YB_SHM_REP_OFF_SIZE 20
#define YB_SHM_OFF_TEXT 24 /* the reason starts here in the reply */
#define YB_SHM_WHY_MAX 400 /* longest reason, NUL included */
/* Most bytes a refusal takes on the wire: the reply and the rest. */
#define YB_SHM_REFUSAL_MAX (YB_SHM_REP_LEN + YB_SHM_WHY_MAX)

/*
 * Reply status.  Old clients know 0-2 and take any other non-zero status
 * as "refused" with its text (YB_EPROTO, the same exit status as busy), so
 * adding BUSY changed nothing for them but the error code.
 */
enum yb_shm_status {
	YB_SHM_ACCEPTED = 0,
	YB_SHM_REFUSED = 1,      /* the request is not acceptable */
	YB_SHM_NO_RESOURCES = 2, /* the server lacks memory or descriptors */
	YB_SHM_BUSY = 3,         /* measuring another client; try later */
};

/* A request or an accepted reply, as the fields say (not yet checked). */
struct yb_shm_request {
	unsigned version;
	unsigned wait;           /* enum yb_wait_mode */
	unsigned order0, order1; /* 0: the server's default */
	uint64_t spin_ns;
};

struct yb_shm_reply {
	unsigned version;
	unsigned status; /* enum yb_shm_status */
	unsigned order0, order1;
	unsigned wait;
	uint64_t spin_ns;
	uint64_t size;   /* of the shared memory, in bytes */
};

/* Encode a request into buf, YB_SHM_REQ_LEN bytes. */
void yb_shm_enc_request(uint8_t *buf, const struct yb_shm_request *req);

/*
 * Decode a request, YB_SHM_REQ_LEN bytes: 0, or YB_EPROTO when it is not
 * one (bad magic).  The fields are copied as they are: the caller checks
 * them (version first: a request of another version may mean anything).
 */
int yb_shm_dec_request(const uint8_t *buf, struct yb_shm_request *req);

/* Encode an accepted reply into buf, YB_SHM_REP_LEN bytes. */
void yb_shm_enc_reply(uint8_t *buf, const struct yb_shm_reply *rep);

/*
 * Decode the fixed head of a reply, YB_SHM_REP_LEN bytes: 0, or YB_EPROTO
 * for bad magic.  As for a request, the caller checks the fields; a
 * non-zero status means a refusal (yb_shm_dec_refusal reads its reason).
 */
int yb_shm_dec_reply(const uint8_t *buf, struct yb_shm_reply *rep);

/*
 * Encode a refusal with status and why (cut to YB_SHM_WHY_MAX - 1 bytes)
 * into buf, YB_SHM_REFUSAL_MAX bytes; returns how many to send.
 */
size_t yb_shm_enc_refusal(uint8_t *buf, unsigned status, const char *why);

/*
 * Does the reason in this reply (YB_SHM_REP_LEN bytes) go on after it?
 * 1 when its 104 bytes hold no NUL.
 */
int yb_shm_refusal_continues(const uint8_t *rep);

/*
 * Decode a refusal: len bytes received, the reply first.  Returns what the
 * status means for the client - YB_EBUSY, YB_ENOMEM, or YB_EPROTO for a
 * refusal and for anything it cannot read (bad magic, too short, status 0
 * or unknown) - and puts the reason in why, printable ASCII ('?' for any
 * other byte), NUL-terminated.
 */
int yb_shm_dec_refusal(const uint8_t *buf, size_t len,
		       char why[YB_SHM_WHY_MAX]);

/*
 * The rendezvous in steps, for a caller that owns the socket (the wrap
 * shim, which says who it is on the socket before the request and makes
 * its TCP connection between the steps).  ep is a shm endpoint
 * (yb_ep_init) whose fd is the connected or accepted UNIX socket.
 *   client: yb_shm_ask sends the request (ep->params: the rings wanted),
 *           yb_shm_join waits up to timeout_ms for the answer, maps the
 *           memory and acknowledges; the endpoint is then connected.
 *   server: yb_shm_serve reads the request, sets up the memory, answers
 *           and waits for the acknowledgement.
 * Errors as for connect and accept; on failure ep->fd is still the
 * caller's to close (yb_ep_close).
 */
struct yb_ep;
int yb_shm_ask(struct yb_ep *ep, struct yb_shm_request *req,
	       struct yb_err *err);
int yb_shm_join(struct yb_ep *ep, const struct yb_shm_request *req,
		int timeout_ms, struct yb_err *err);
int yb_shm_serve(struct yb_ep *conn, struct yb_err *err);

#endif /* YB_SHM_H */
