/*
 * units.h - byte counts and durations as users write them on the command
 * line, byte counts as they read them in tables and graphs, and the
 * largest message anything carries.
 */
#ifndef YB_UNITS_H
#define YB_UNITS_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/err.h"

/* The largest message a sweep may use or a peer may ask for (1 GiB). */
#define YB_MAX_MSG_BYTES (1ull << 30)

/*
 * Parse a byte count: digits with an optional K, M or G (powers of 1024,
 * case-insensitive, an optional trailing 'B' or 'iB' accepted).
 */
int yb_parse_size(const char *s, uint64_t *out, struct yb_err *err);

/* Format bytes for humans: "512", "4K", "1.5M". */
void yb_format_size(uint64_t bytes, char *buf, size_t len);

/*
 * Parse a duration with a unit: ns, us, ms or s; a bare number is
 * microseconds (a spin time).  Fractions are allowed ("1.5ms"); the result
 * is truncated to whole nanoseconds.  0 on success, YB_EUSAGE when s is
 * not such a duration or is above max_ns (*ns is then left alone).
 */
int yb_parse_duration_ns(const char *s, double max_ns, uint64_t *ns);

/*
 * Parse a time in seconds as timeout(1) takes it: 90, 90s, 500ms, 10m, 2h
 * (a bare number is seconds; ns and us are accepted too), at most max_s.
 * 0 on success, YB_EUSAGE when s is not such a time (*out is then left
 * alone).
 */
int yb_parse_seconds(const char *s, double max_s, double *out);

#endif /* YB_UNITS_H */
