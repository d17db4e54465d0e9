/* err.c - error codes, messages and exit statuses; see err.h. */
#include "err.h"

#include <stdio.h>
#include <string.h>

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

static int err_vset(struct yb_err *err, int code, int errnum, const char *fmt,
		    va_list ap)
{
	if (!err)
		return code;
	err->code = code;
	int n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	if (errnum > 0 && n >= 0 && (size_t)n < sizeof(err->msg))
		snprintf(err->msg + n, sizeof(err->msg) - (size_t)n, ": %s",
			 strerror(errnum));
	return code;
}

int yb_err_set(struct yb_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(err, code, 0, fmt, ap);
	va_end(ap);
	return code;
}

int yb_err_sys(struct yb_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	int code = yb_from_errno(errnum);

	va_start(ap, fmt);
	err_vset(err, code, errnum, fmt, ap);
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
