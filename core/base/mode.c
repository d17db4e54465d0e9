/* mode.c - the measurement modes' names; see mode.h. */
#include "core/base/mode.h"

const char *yb_mode_name(unsigned mode)
{
	switch (mode) {
	case YB_MODE_PINGPONG:
		return "pingpong";
	case YB_MODE_STREAM:
		return "stream";
	default:
		return "unknown";
	}
}
