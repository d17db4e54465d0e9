/*
 * proto.h - the in-band control protocol between client and server.
 *
 * Control messages travel over the very connection being measured, because
 * two guests may share nothing but that channel.  Every message is a
 * 12-byte header followed by a payload of at most YB_PROTO_MAX_PAYLOAD
 * bytes.  All integers are little-endian and encoded field by field (never
 * by copying structs), so that builds with different compilers or
 * architectures agree.
 *
 *   offset size field
 *   0      4    magic "YBNC"
 *   4      2    protocol version (YB_PROTO_VERSION)
 *   6      1    message type (enum yb_msg_type)
 *   7      1    reserved, 0
 *   8      4    payload length in bytes
 *
 * The header layout never changes between versions, so a peer of another
 * version can always be told apart from garbage and an ERROR from it can
 * still be shown.  Payloads are parsed defensively: the peer is not
 * trusted, and every length, count and size is checked before use.
 */
#ifndef YB_PROTO_H
#define YB_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/err.h"
#include "core/base/mode.h"
#include "core/wire/transport.h"

#define YB_PROTO_MAGIC 0x434e4259u /* "YBNC" read as little-endian */
/*
 * Version 2: the server answers every RUN with GO when it is ready (v1:
 * stream only), so no sample includes the handling of RUN; RESULT carries
 * the server's CPU time and context switches over its timed window.
 */
#define YB_PROTO_VERSION 2
#define YB_PROTO_HDR_LEN 12
#define YB_PROTO_MAX_PAYLOAD 8192
/* Most repetitions one RUN may ask for, and the largest message. */
#define YB_PROTO_MAX_REPS 1000000000ull

enum yb_msg_type {
	YB_MSG_HELLO = 1,   /* client -> server: max message, flags, version */
	YB_MSG_WELCOME = 2, /* server -> client: accepted; server metadata */
	YB_MSG_RUN = 3,     /* client -> server: one trial of one point */
	YB_MSG_GO = 4,      /* server -> client: ready, timing may start */
	YB_MSG_RESULT = 5,  /* server -> client: trial done, time, status */
	YB_MSG_END = 6,     /* client -> server: no more points */
	YB_MSG_BYE = 7,     /* server -> client: end acknowledged; counters */
	YB_MSG_ERROR = 8,   /* either way: code and one line of text */
};

#define YB_HELLO_VERIFY (1u << 0)
#define YB_RUN_WARMUP (1u << 0) /* not recorded by the client */
#define YB_RUN_VERIFY (1u << 1)
/* Streams only, one or the other: the server sends and the client
 * receives (and times), or both send at once (each times what it gets). */
#define YB_RUN_REVERSE (1u << 2)
#define YB_RUN_BIDIR (1u << 3)

enum yb_error_code {
	YB_PERR_GENERIC = 0,
	YB_PERR_BUSY = 1,
	YB_PERR_VERSION = 2,
	YB_PERR_REQUEST = 3, /* a request the server refuses */
	YB_PERR_VERIFY = 4,
};

struct yb_msg {
	uint16_t version;
	uint8_t type;
	uint32_t len;
	uint8_t payload[YB_PROTO_MAX_PAYLOAD + 1]; /* +1: room for a NUL */
};

struct yb_hello {
	uint64_t max_bytes;
	uint32_t flags;
	char version[64]; /* program version, printable ASCII */
};

struct yb_run {
	uint8_t mode;  /* enum yb_mode */
	uint8_t flags; /* YB_RUN_* */
	uint32_t trial;
	uint64_t bytes;
	uint64_t reps;
	uint64_t seq; /* sequence number of the first message */
};

/*
 * RESULT payload (48 bytes, then the text):
 *   0 u64 elapsed_ns      the server's timed window: ping-pong, from GO to
 *                         the last reply sent; a stream it receives
 *                         (c2s, or bidir's c2s half), from its first read
 *                         of data to its last, scaled to all the run's
 *                         bytes from those that came after the first read
 *                         (a verified stream: from the first byte there to
 *                         read, unscaled); a stream it only sends
 *                         (reverse): 0
 *   8 u32 status          0 ok, else enum yb_error_code
 *  12 u32 0
 *  16 u64 cpu_ns          the server's CPU time (user + system) over
 *  24 u64 cpu_window_ns   this much wall time around the timed window
 *  32 u64 csw_voluntary   context switches in that window
 *  40 u64 csw_involuntary
 *  48 u64 backlog         stream: the bytes the receiver's first read
 *                         found waiting (not in elapsed_ns's count)
 *  56 text                what went wrong, when status != 0
 */
#define YB_RESULT_FIXED_LEN 56
struct yb_result {
	uint64_t elapsed_ns;
	uint32_t status;
	uint64_t cpu_ns, cpu_window_ns;
	uint64_t csw_vol, csw_invol;
	uint64_t backlog;
	char text[256];
};

struct yb_perror {
	uint32_t code;
	char text[512];
};

/* Encoders: fill buf (>= YB_PROTO_HDR_LEN + YB_PROTO_MAX_PAYLOAD bytes). */
size_t yb_enc_hello(uint8_t *buf, const struct yb_hello *h);
size_t yb_enc_welcome(uint8_t *buf, uint64_t max_bytes, const char *info);
size_t yb_enc_run(uint8_t *buf, const struct yb_run *r);
size_t yb_enc_result(uint8_t *buf, const struct yb_result *r);
size_t yb_enc_error(uint8_t *buf, uint32_t code, const char *text);
size_t yb_enc_empty(uint8_t *buf, enum yb_msg_type type);
/* BYE with the server's transport counters as "key=value" lines. */
size_t yb_enc_bye(uint8_t *buf, const char *info);

/*
 * Decode a header; checks the magic and the payload length.  A version
 * other than ours is NOT an error here: callers decide (an ERROR from a
 * peer of another version is still worth showing).
 */
int yb_dec_header(const uint8_t *hdr, struct yb_msg *m, struct yb_err *err);

/* Payload decoders; each validates sizes and text. */
int yb_dec_hello(const struct yb_msg *m, struct yb_hello *h,
		 struct yb_err *err);
int yb_dec_welcome(const struct yb_msg *m, uint64_t *max_bytes,
		   const char **info, struct yb_err *err);
int yb_dec_run(const struct yb_msg *m, uint64_t max_bytes, struct yb_run *r,
	       struct yb_err *err);
/* BYE: info points at printable "key=value" lines (maybe empty). */
int yb_dec_bye(const struct yb_msg *m, const char **info, struct yb_err *err);
int yb_dec_result(const struct yb_msg *m, struct yb_result *r,
		  struct yb_err *err);
int yb_dec_error(const struct yb_msg *m, struct yb_perror *e,
		 struct yb_err *err);

/* Send an encoded message; receive and validate one (timeout_ms < 0: none). */
int yb_msg_send(struct yb_ep *ep, const uint8_t *buf, size_t len,
		struct yb_err *err);
int yb_msg_recv(struct yb_ep *ep, struct yb_msg *m, int timeout_ms,
		struct yb_err *err);

/*
 * Receive a message and insist on its type and on our version.  An ERROR
 * from the peer becomes a failure carrying its text (busy -> YB_EBUSY,
 * version -> YB_EPROTO); anything else unexpected is YB_EPROTO.
 */
int yb_msg_expect(struct yb_ep *ep, struct yb_msg *m, enum yb_msg_type type,
		  int timeout_ms, struct yb_err *err);

const char *yb_msg_name(unsigned type);

#endif /* YB_PROTO_H */
