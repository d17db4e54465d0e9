/*
 * mode.h - the two ways a point is measured: ping-pong (one message each
 * way, timed per round trip) and streaming (messages one way, timed until
 * the receiver has them all).  The values travel in the control protocol
 * and name the mode column of every result file.
 */
#ifndef YB_MODE_H
#define YB_MODE_H

enum yb_mode {
	YB_MODE_PINGPONG = 1,
	YB_MODE_STREAM = 2,
};

/* "pingpong", "stream", or "unknown". */
const char *yb_mode_name(unsigned mode);

/*
 * Which way a stream's data flows: client to server (the default), server
 * to client (--reverse), or both at once (--bidir).  A ping-pong row is
 * "both": every message goes out and comes back.  The names fill the
 * direction column.
 */
enum yb_dir {
	YB_DIR_C2S = 0,
	YB_DIR_S2C = 1,
	YB_DIR_BOTH = 2,
};

/* "c2s", "s2c", "both", or "unknown". */
const char *yb_dir_name(unsigned dir);
/* The direction of a name, or -1. */
int yb_dir_parse(const char *name);

#endif /* YB_MODE_H */
