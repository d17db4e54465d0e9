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

#endif /* YB_MODE_H */
