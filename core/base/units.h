/*
 * units.h - byte counts as users write them on the command line and read
 * them in tables and graphs, and the largest message anything carries.
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

#endif /* YB_UNITS_H */
