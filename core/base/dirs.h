/*
 * dirs.h - creating the directories results go into.
 */
#ifndef YB_DIRS_H
#define YB_DIRS_H

#include <stddef.h>

#include "core/base/err.h"

/*
 * Create dir and any missing parents (mkdir -p).  0, or YB_EOUTPUT with
 * the directory that could not be made, or that exists but is not a
 * directory, named in err.
 */
int yb_mkdir_p(const char *dir, struct yb_err *err);

/* The default output directory, "yasmin-results/PREFIXYYYYMMDD-HHMMSS"
 * in local time, into buf. */
void yb_default_dir(char *buf, size_t len, const char *prefix);

#endif /* YB_DIRS_H */
