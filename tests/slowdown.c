/*
 * slowdown.c - linked into a copy of yasmin-bench (tests/yasmin-bench-slowed)
 * that is slower over one transport by a known amount: the candidate of
 * the A/B gate's benchmark (scripts/ab-rates.sh) and tests.  Two kinds:
 *
 * YB_SLOWDOWN=TRANSPORT:PCT - every latency this copy reports for
 *   TRANSPORT is PCT percent higher than what it measured, and every
 *   bandwidth PCT percent lower (figures scaled as they are recorded, as
 *   a clock running PCT percent fast would).  The shift the gate must find
 *   is then exactly PCT, while the noise around it is the machine's own.
 *
 * YB_SLOWDOWN_SPIN=TRANSPORT:PCT - a real delay: the local server spins
 *   before each ping-pong echo for PCT percent of the round trip it has
 *   been seeing (a moving average of the time between messages, less its
 *   own delay).  The client's round trip grows by more than that - a peer
 *   that waits longer wakes up more slowly, and the hook costs time too -
 *   so the size of this slowdown is measured, not known.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/wire/proto.h"
#include "core/report/results.h"
#include "core/measure/local.h"
#include "core/measure/outdir.h"
#include "core/measure/serve.h"

/* The fraction a variable asks for TRANSPORT, or -1 when it does not. */
static double asked(const char *var, const char *transport)
{
	const char *v = getenv(var);
	const char *colon = v ? strchr(v, ':') : NULL;

	if (!colon || strlen(transport) != (size_t)(colon - v) ||
	    strncmp(v, transport, (size_t)(colon - v)) != 0)
		return -1;
	char *end;
	double pct = strtod(colon + 1, &end);
	if (end == colon + 1 || *end || !(pct >= 0) || pct > 1000) {
		fprintf(stderr, "yasmin-bench-slowed: bad %s '%s'\n", var, v);
		exit(2);
	}
	return pct / 100;
}

void yb_session_point_hook(struct yb_point *p)
{
	double f = asked("YB_SLOWDOWN", p->transport);

	if (f < 0)
		return;
	double k = 1 + f;
	p->lat_min_us *= k;
	p->lat_mean_us *= k;
	p->lat_p50_us *= k;
	p->lat_p99_us *= k;
	p->lat_p999_us *= k;
	p->lat_max_us *= k;
	p->lat_stddev_us *= k;
	p->bw_gbps /= k;
	p->bw_min_gbps /= k;
	p->bw_median_gbps /= k;
}

struct slow {
	double frac;
	yb_ns prev;       /* when the previous message arrived */
	yb_ns prev_delay; /* what we added to it */
	double avg;       /* round trip without our delay, ns */
};

static struct slow slow;

static void slow_hook(void *ctx, unsigned mode, uint64_t bytes, uint64_t index)
{
	struct slow *s = ctx;
	yb_ns now = yb_now();

	(void)bytes;
	if (mode != YB_MODE_PINGPONG)
		return;
	if (index == 0) {
		s->prev = now;
		s->prev_delay = 0;
		s->avg = 0;
		return;
	}
	double base = (double)(now - s->prev - s->prev_delay);
	s->avg = s->avg > 0 ? s->avg + (base - s->avg) / 16 : base;
	yb_ns until = now + (yb_ns)(s->frac * s->avg);
	while (yb_now() < until)
		;
	s->prev = now;
	s->prev_delay = yb_now() - now;
}

void yb_local_serve_hook(struct yb_serve_opts *so, const char *transport)
{
	double f = asked("YB_SLOWDOWN_SPIN", transport);

	if (f < 0)
		return;
	slow.frac = f;
	so->on_data = slow_hook;
	so->on_data_ctx = &slow;
}
