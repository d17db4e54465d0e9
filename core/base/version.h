/*
 * version.h - the program version.  The build generates yb_version.h from
 * `git describe`; without it (a bare compile) the fallback below is used.
 */
#ifndef YB_VERSION_H
#define YB_VERSION_H

#if defined(__has_include)
#if __has_include("yb_version.h")
#include "yb_version.h"
#endif
#endif

#ifndef YB_VERSION
#define YB_VERSION "0.1.0"
#endif

#endif /* YB_VERSION_H */
