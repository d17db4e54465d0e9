/* mode.c - the measurement modes' names; see mode.h. */
#include "core/base/mode.h"

#include <string.h>

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

static const char *const dir_names[] = { "c2s", "s2c", "both" };

const char *yb_dir_name(unsigned dir)
{
	return dir < sizeof(dir_names) / sizeof(dir_names[0]) ? dir_names[dir] :
								"unknown";
}

int yb_dir_parse(const char *name)
{
	for (unsigned i = 0; i < sizeof(dir_names) / sizeof(dir_names[0]); i++)
		if (strcmp(name, dir_names[i]) == 0)
			return (int)i;
	return -1;
}
