/*
 * xswatch.h - XenStore watches on a connection of our own, read without
 * threads.
 *
 * libxenstore delivers watch events through a reader thread, and only in
 * its shared library: the static archive Debian ships is built without
 * threads, so there a request that meets a watch event on the wire fails
 * (read_reply() takes the event, finds no reply, says EINVAL and closes
 * the handle).  A static binary - what the guests run - therefore could
 * not watch.  This connection carries watches and nothing else: it is a
 * descriptor poll(2) can wait on directly, in every build, and requests
 * (reads, writes, permissions) keep going through libxenstore on handles
 * that never watch.
 *
 * The connection is xenstored's socket in the domain that runs it (dom0)
 * or the xenbus device elsewhere, found as libxenstore finds them: the
 * XENSTORED_PATH environment variable first.  The wire format is Xen's
 * (xs_wire.h): a header of four native 32-bit words (type, request id,
 * transaction id, payload length) and at most 4096 bytes of payload; a
 * watch event's payload is "PATH\0TOKEN\0".  Bytes from the connection
 * are parsed with bounds on everything (yb_xs_frame, yb_xs_event).
 */
#ifndef YB_XSWATCH_H
#define YB_XSWATCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define YB_XS_HDR 16
#define YB_XS_PAYLOAD_MAX 4096
#define YB_XS_PATH_MAX 3072 /* XenStore's longest absolute path */

enum {
	YB_XS_READ = 2,
	YB_XS_WATCH = 4,
	YB_XS_UNWATCH = 5,
	YB_XS_WATCH_EVENT = 15,
	YB_XS_ERROR = 16,
};

struct yb_xs_msg {
	uint32_t type, req_id, tx_id, len;
	const char *body; /* len bytes, inside the buffer framed */
};

/*
 * One message at the start of buf (n bytes): the bytes it takes, 0 when
 * more are needed, -1 when these cannot be a message (a payload longer
 * than YB_XS_PAYLOAD_MAX).
 */
long yb_xs_frame(const uint8_t *buf, size_t n, struct yb_xs_msg *m);

/*
 * A watch event's payload -> the path and the token, each copied whole
 * and NUL-terminated or not at all: 0, or -1 when the payload is not two
 * NUL-terminated strings or either does not fit.
 */
int yb_xs_event(const struct yb_xs_msg *m, char *path, size_t pathlen,
		char *token, size_t tokenlen);

/* An error reply's payload ("EACCES\0" ...) -> errno; EIO if unknown. */
int yb_xs_errno(const struct yb_xs_msg *m);

/*
 * A request of type with the strings (each sent with its NUL) into out:
 * its length, or -1 when it does not fit out or the payload limit.
 */
long yb_xs_build(uint8_t *out, size_t outlen, uint32_t type, uint32_t req_id,
		 const char *const *strs, size_t nstrs);

struct yb_xsw {
	int fd;          /* -1: not open */
	pid_t pid;       /* the process that opened it */
	uint32_t next_id;
	unsigned pending; /* events read while waiting for a reply */
	size_t have;     /* bytes in buf */
	uint8_t buf[YB_XS_HDR + YB_XS_PAYLOAD_MAX];
};

void yb_xsw_init(struct yb_xsw *w);
/* Open the connection (path NULL: find it as libxenstore does); 0 or
 * -errno. */
int yb_xsw_open(struct yb_xsw *w, const char *path);
/* Is it open, and in this process (a forked child must open its own)? */
int yb_xsw_usable(const struct yb_xsw *w);
/*
 * Watch path (token names it in events): send the request and wait at
 * most timeout_ms for the answer.  Events that arrive meanwhile are kept
 * for yb_xsw_take.  0 or -errno (XenStore's refusal, -ETIMEDOUT, -EPIPE).
 */
int yb_xsw_add(struct yb_xsw *w, const char *path, const char *token,
	       int timeout_ms);
/*
 * Without blocking: read whatever the connection holds and return how
 * many watch events arrived since the last call (0: nothing changed), or
 * -EPIPE when the connection is lost (everything may have changed).
 * on_event (may be NULL) sees the path of each event read here (not of
 * those read while yb_xsw_add waited: they only count); a path that does
 * not fit YB_XS_PATH_MAX, or a malformed event, is passed as NULL.
 */
typedef void yb_xsw_event_fn(void *ctx, const char *path);
int yb_xsw_take(struct yb_xsw *w, yb_xsw_event_fn *on_event, void *ctx);
/* Readable when an event may be waiting. */
int yb_xsw_fd(const struct yb_xsw *w);
/* Close (only in the process that opened it; a forked copy forgets). */
void yb_xsw_close(struct yb_xsw *w);

#endif /* YB_XSWATCH_H */
