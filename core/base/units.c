/* units.c - byte counts and durations as users write and read them; see
 * units.h. */
#include "core/base/units.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int yb_parse_duration_ns(const char *s, double max_ns, uint64_t *ns)
{
	char *end;
	static const struct {
		const char *unit;
		double scale;
	} units[] = { { "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
		      { "", 1e3 } };

	if (!*s || *s == '-' || *s == '+')
		return YB_EUSAGE;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || !(v >= 0))
		return YB_EUSAGE;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit) == 0) {
			double x = v * units[i].scale;
			if (x > max_ns)
				return YB_EUSAGE;
			*ns = (uint64_t)x;
			return 0;
		}
	}
	return YB_EUSAGE;
}

int yb_parse_seconds(const char *s, double max_s, double *out)
{
	uint64_t ns;
	char copy[64];
	size_t l = strlen(s);
	double scale = 1;

	if (l + 2 > sizeof(copy))
		return YB_EUSAGE;
	snprintf(copy, sizeof(copy), "%s", s);
	/* Minutes and hours too: 10m, 2h. */
	if (l > 1 && copy[l - 1] == 'm' && copy[l - 2] >= '0' &&
	    copy[l - 2] <= '9') {
		copy[l - 1] = 's';
		scale = 60;
	} else if (l > 1 && copy[l - 1] == 'h') {
		copy[l - 1] = 's';
		scale = 3600;
	} else if (l > 0 && copy[l - 1] >= '0' && copy[l - 1] <= '9') {
		/* A bare number is seconds here, as for timeout(1). */
		copy[l] = 's';
		copy[l + 1] = '\0';
	}
	if (yb_parse_duration_ns(copy, max_s * 1e9 / scale, &ns))
		return YB_EUSAGE;
	*out = (double)ns / 1e9 * scale;
	return 0;
}
