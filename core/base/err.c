/* err.c - error codes, messages and exit statuses; see err.h. */
#include "core/base/err.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

const char *yb_strerror(int code)
{
	switch (code) {
#define YB__ERR_CASE(name, value, desc) \
	case (value):                   \
		return desc;
		YB_ERRNO_MAP(YB__ERR_CASE)
#undef YB__ERR_CASE
	default:
		break;
	}
	if (code < 0 && code > -4096)
		return strerror(-code);
	return "unknown error";
}

/*
 * The per-process limit an errno most likely ran into, its value and how to
 * raise it, or nothing when the errno names no limit (or the limit is off).
 */
static void limit_hint(int errnum, int forking, char *buf, size_t n)
{
	struct rlimit rl;
	int res;
	const char *what, *cmd, *unit = "";
	unsigned long long div = 1;

	buf[0] = '\0';
	switch (errnum) {
	case EMFILE:
		res = RLIMIT_NOFILE;
		what = "the open-files limit";
		cmd = "ulimit -n";
		break;
	case ENFILE:
		snprintf(buf, n, "; the system-wide open-files limit is reached "
				 "(raise fs.file-max with sysctl)");
		return;
	case EFBIG:
		res = RLIMIT_FSIZE;
		what = "the file-size limit";
		cmd = "ulimit -f";
		unit = " KiB";
		div = 1024;
		break;
	case ENOMEM:
		res = RLIMIT_AS;
		what = "the address-space limit";
		cmd = "ulimit -v";
		unit = " KiB";
		div = 1024;
		break;
	case EAGAIN:
		if (!forking)
			return;
		res = RLIMIT_NPROC;
		what = "the process limit";
		cmd = "ulimit -u";
		break;
	default:
		return;
	}
	if (getrlimit(res, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY) {
		if (forking)
			snprintf(buf, n, "; the system is out of processes or "
					 "memory (see kernel.pid_max and "
					 "kernel.threads-max)");
		return;
	}
	snprintf(buf, n, "; %s is %llu%s (%s): raise it", what,
		 (unsigned long long)rl.rlim_cur / div, unit, cmd);
}

static int err_vset(struct yb_err *err, int code, int errnum, const char *fmt,
		    va_list ap, int forking)
{
	if (!err)
		return code;
	err->code = code;
	err->remedy = 0;
	int n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	if (errnum > 0 && n >= 0 && (size_t)n < sizeof(err->msg)) {
		char hint[160];
		limit_hint(errnum, forking, hint, sizeof(hint));
		err->remedy = hint[0] != '\0';
		snprintf(err->msg + n, sizeof(err->msg) - (size_t)n, ": %s%s",
			 strerror(errnum), hint);
	}
	return code;
}

int yb_err_set(struct yb_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(err, code, 0, fmt, ap, 0);
	va_end(ap);
	return code;
}

int yb_err_sys(struct yb_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	int code = yb_from_errno(errnum);

	va_start(ap, fmt);
	err_vset(err, code, errnum, fmt, ap, 0);
	va_end(ap);
	return code;
}

int yb_err_fork(struct yb_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	int code = yb_from_errno(errnum);

	va_start(ap, fmt);
	err_vset(err, code, errnum, fmt, ap, 1);
	va_end(ap);
	return code;
}

int yb_exit_status(int code)
{
	switch (code) {
	case 0:
		return YB_EXIT_OK;
	case YB_EUSAGE:
	case YB_EINVAL:
		return YB_EXIT_USAGE;
	case YB_EOUTPUT:
	case YB_EEXIST:
		return YB_EXIT_OUTPUT;
	case YB_EPROTO:
	case YB_EBUSY:
		return YB_EXIT_PROTO;
	case YB_EVERIFY:
		return YB_EXIT_VERIFY;
	case YB_ENOTSUP:
		return YB_EXIT_UNAVAIL;
	case YB_EINTR:
		return YB_EXIT_INTR;
	default:
		return YB_EXIT_FAIL;
	}
}
