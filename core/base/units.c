/* units.c - byte counts as users write and read them; see units.h. */
#include "core/base/units.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int yb_parse_size(const char *s, uint64_t *out, struct yb_err *err)
{
	const char *p = s;
	char *end;

	while (isspace((unsigned char)*p))
		p++;
	if (!isdigit((unsigned char)*p))
		goto bad;
	errno = 0;
	unsigned long long v = strtoull(p, &end, 10);
	if (errno)
		goto bad;
	unsigned shift = 0;
	switch (toupper((unsigned char)*end)) {
	case 'K':
		shift = 10;
		end++;
		break;
	case 'M':
		shift = 20;
		end++;
		break;
	case 'G':
		shift = 30;
		end++;
		break;
	default:
		break;
	}
	if (shift && (*end == 'i' || *end == 'I'))
		end++;
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end)
		goto bad;
	if (shift && v > (UINT64_MAX >> shift))
		return yb_err_set(err, YB_EUSAGE, "size '%s' is too large", s);
	*out = (uint64_t)v << shift;
	return 0;
bad:
	return yb_err_set(err, YB_EUSAGE,
			  "bad size '%s': expected a number with an optional "
			  "K, M or G suffix",
			  s);
}

void yb_format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "KMG";

	if (bytes < 1024) {
		snprintf(buf, len, "%llu", (unsigned long long)bytes);
		return;
	}
	double v = (double)bytes;
	int u = -1;
	while (v >= 1024 && u < 2) {
		v /= 1024;
		u++;
	}
	if (v == floor(v))
		snprintf(buf, len, "%.0f%c", v, units[u]);
	else
		snprintf(buf, len, "%.3g%c", v, units[u]);
}
