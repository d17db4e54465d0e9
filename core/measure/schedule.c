/* schedule.c - NetPIPE's size schedule and repetition sizing; see schedule.h. */
#include "core/measure/schedule.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The base size after b: 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, ... */
static uint64_t next_base(uint64_t b)
{
	if (b < 4)
		return b + 1;
	if ((b & (b - 1)) == 0)
		return b + b / 2; /* 2^k -> 3 * 2^(k-1) */
	return b + b / 3;         /* 3 * 2^(k-1) -> 2^(k+1) */
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

struct size_list {
	uint64_t *v;
	size_t n, cap;
};

static int push(struct size_list *l, uint64_t x)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		uint64_t *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return YB_ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = x;
	return 0;
}

int yb_schedule_sizes(const struct yb_schedule_opts *o, uint64_t **sizes,
		      struct yb_err *err)
{
	struct size_list l = { 0 };
	uint64_t lo = o->min_bytes, hi = o->max_bytes;
	int rc = 0;

	if (lo < 1)
		return yb_err_set(err, YB_EUSAGE,
				  "minimum message size must be at least 1 "
				  "byte");
	if (hi > YB_MAX_MSG_BYTES)
		return yb_err_set(err, YB_EUSAGE,
				  "maximum message size %llu is above the "
				  "limit of 1G",
				  (unsigned long long)hi);
	if (lo > hi)
		return yb_err_set(err, YB_EUSAGE,
				  "minimum message size %llu is larger than "
				  "the maximum %llu",
				  (unsigned long long)lo,
				  (unsigned long long)hi);

	rc = push(&l, lo);
	for (uint64_t b = 1; !rc && b <= hi + o->perturbation;) {
		uint64_t next = next_base(b);
		if (o->pow2_only) {
			rc = push(&l, b);
			b *= 2;
			continue;
		}
		uint64_t p = o->perturbation;
		if (p > 0 && next - b > p + 1) {
			/* b > p + 1 here, since next - b <= b / 2 + 1. */
			rc = push(&l, b - p);
			if (!rc)
				rc = push(&l, b);
			if (!rc)
				rc = push(&l, b + p);
		} else {
			rc = push(&l, b);
		}
		b = next;
	}
	if (!rc)
		rc = push(&l, hi);
	if (rc) {
		free(l.v);
		return yb_err_set(err, rc, "out of memory");
	}

	qsort(l.v, l.n, sizeof(*l.v), cmp_u64);
	size_t out = 0;
	for (size_t i = 0; i < l.n; i++) {
		if (l.v[i] < lo || l.v[i] > hi)
			continue;
		if (out > 0 && l.v[out - 1] == l.v[i])
			continue;
		l.v[out++] = l.v[i];
	}
	*sizes = l.v;
	return (int)out;
}

uint64_t yb_reps_for(double last_ns_per_rep, uint64_t last_bytes,
		     uint64_t bytes, double target_ns, uint64_t min_reps,
		     uint64_t max_reps)
{
	double est = last_ns_per_rep;

	if (last_bytes > 0 && bytes > last_bytes)
		est *= (double)bytes / (double)last_bytes;
	if (!(est > 1.0))
		est = 1.0; /* clock resolution floor; also catches NaN */
	double r = target_ns / est;
	if (!(r >= (double)min_reps))
		return min_reps;
	if (r >= (double)max_reps)
		return max_reps;
	return (uint64_t)r;
}
