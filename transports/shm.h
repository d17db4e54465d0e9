/*
 * shm.h - the refusal in the shm rendezvous, as bytes (see shm.c for the
 * whole exchange).
 *
 * A refusal is the 128-byte reply with a non-zero status and the reason as
 * text: the first 104 bytes in the reply, the rest (if any) after it up to
 * a NUL.  The encoder and the decoder live apart from the socket code so
 * that the unit tests and the fuzz harness reach the decoder, which reads
 * bytes from a server the client has no reason to trust.
 */
#ifndef YB_SHM_H
#define YB_SHM_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/err.h"

#define YB_SHM_MAGIC 0x4d485359u /* "YSHM" read as little-endian */
#define YB_SHM_VERSION 1
#define YB_SHM_REP_LEN 128
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

#endif /* YB_SHM_H */
