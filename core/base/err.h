/*
 * err.h - one error convention for the whole program.
 *
 * Functions return 0 (or a non-negative count) on success and a negative
 * YB_E* code on failure.  The codes are negative errno values, plus a few of
 * our own above the errno range.  When a caller needs a message a human can
 * act on, it passes a caller-owned struct yb_err that the failing function
 * fills with one line (no trailing newline, no program name).
 *
 * There is deliberately no global error variable: two sweeps or two
 * transports may run in one process.
 */
#ifndef YB_ERR_H
#define YB_ERR_H

#include <errno.h>
#include <stdarg.h>

/* X(name, value, description) */
#define YB_ERRNO_MAP(X)                                                      \
	X(EINVAL, -EINVAL, "invalid argument")                               \
	X(ENOMEM, -ENOMEM, "out of memory")                                  \
	X(EIO, -EIO, "input/output error")                                   \
	X(EAGAIN, -EAGAIN, "resource temporarily unavailable")               \
	X(ETIMEDOUT, -ETIMEDOUT, "timed out")                                \
	X(ECONNRESET, -ECONNRESET, "connection reset by peer")               \
	X(EPIPE, -EPIPE, "broken pipe")                                      \
	X(EADDRINUSE, -EADDRINUSE, "address already in use")                 \
	X(ENOENT, -ENOENT, "no such file or directory")                      \
	X(EEXIST, -EEXIST, "file exists")                                    \
	X(EINTR, -EINTR, "interrupted")                                      \
	X(ENOTSUP, -4096, "not supported here")                              \
	X(EPEER, -4097, "peer misbehaved")                                   \
	X(EPROTO, -4098, "protocol mismatch")                                \
	X(EBUSY, -4099, "server busy")                                       \
	X(EVERIFY, -4100, "payload verification failed")                     \
	X(EEOF, -4101, "peer closed the connection")                         \
	X(EUSAGE, -4102, "bad usage")                                        \
	X(EOUTPUT, -4103, "cannot write output")

enum yb_errno {
#define YB__ERR_ENUM(name, value, desc) YB_##name = (value),
	YB_ERRNO_MAP(YB__ERR_ENUM)
#undef YB__ERR_ENUM
};

#define YB_ERR_MSG_MAX 512

struct yb_err {
	int code;                  /* last YB_E* recorded, 0 if none */
	char msg[YB_ERR_MSG_MAX];  /* one line for the user */
	int remedy;                /* msg ends in what to do about it */
};

/* Short description of a YB_E* code (or of any negative errno). */
const char *yb_strerror(int code);

/*
 * Record a message in err (which may be NULL) and return code, so that
 * callers can write `return yb_err_set(err, YB_EINVAL, "bad size '%s'", s);`.
 */
int yb_err_set(struct yb_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Like yb_err_set() but appends ": strerror(errnum)" for a positive errno,
 * and, when errnum means a per-process limit was hit (EMFILE, EFBIG, ENOMEM
 * under an address-space limit), which limit, its value and how to raise it.
 */
int yb_err_sys(struct yb_err *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* yb_err_sys() for a failed fork(): EAGAIN then names the process limit. */
int yb_err_fork(struct yb_err *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Convert a positive errno to our negative code space. */
static inline int yb_from_errno(int e)
{
	return e > 0 ? -e : YB_EIO;
}

/*
 * Process exit statuses, documented under EXIT STATUS in yasmin-bench(1).
 * yb_exit_status() maps an error code to one of them.
 */
enum yb_exit {
	YB_EXIT_OK = 0,
	YB_EXIT_FAIL = 1,      /* run-time failure: transport, I/O, peer gone */
	YB_EXIT_USAGE = 2,     /* bad command line, address, size */
	YB_EXIT_OUTPUT = 3,    /* output directory or files unusable */
	YB_EXIT_PROTO = 4,     /* peer speaks another protocol, or is busy */
	YB_EXIT_VERIFY = 5,    /* --verify found corrupted data */
	YB_EXIT_UNAVAIL = 6,   /* transport not available on this host */
	YB_EXIT_INTR = 130,    /* interrupted by a signal */
};

int yb_exit_status(int code);

#endif /* YB_ERR_H */
