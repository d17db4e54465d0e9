/*
 * session.c - what a session records about each connection and the sweep,
 * and progress on a terminal; see session.h.
 */
#include "core/measure/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base/stats.h"
#include "core/base/units.h"

void yb_ring_settings(const struct yb_meta *describe, uint64_t *ring_bytes,
		      char *wait, size_t wait_len)
{
	const char *v = yb_meta_get(describe, "ring_bytes");

	*ring_bytes = v ? strtoull(v, NULL, 10) : 0;
	v = yb_meta_get(describe, "wait");
	snprintf(wait, wait_len, "%s", v ? v : "");
}

void yb_session_connected(struct yb_session *s, const struct yb_ep *ep,
			  char *prefix, size_t len)
{
	struct yb_meta d;

	yb_meta_init(&d);
	yb_ep_describe(ep, &d);
	yb_ring_settings(&d, &s->cur.ring_bytes, s->cur.wait,
			 sizeof(s->cur.wait));
	if (s->cur.ring_bytes) {
		char sz[32];
		yb_format_size(s->cur.ring_bytes, sz, sizeof(sz));
		snprintf(prefix, len, "transport.%s.%s-%s.", ep->t->name, sz,
			 s->cur.wait);
	} else {
		snprintf(prefix, len, "transport.%s.", ep->t->name);
	}
	yb_meta_merge(&s->meta, &d, prefix);
	yb_meta_free(&d);
}

static void print_counters(const char *who, const struct yb_meta *m,
			   const char *prefix)
{
	static const char *const keys[] = { "notify_sent", "notify_suppressed",
					    "sleeps", "spins", "small_read" };
	static const char *const names[] = { "wake-ups sent", "suppressed",
					     "sleeps", "spins",
					     "read from the counter's line" };
	char key[256];

	printf("  %-6s", who);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(key, sizeof(key), "%s%s", prefix, keys[i]);
		const char *v = yb_meta_get(m, key);
		printf("  %s %s", names[i], v ? v : "-");
	}
	printf("\n");
}

void yb_session_counters(struct yb_session *s, const struct yb_ep *ep,
			 const char *prefix, const struct yb_meta *server_meta)
{
	char key[256];
	int any = 0;

	struct yb_meta c;
	yb_meta_init(&c);
	yb_ep_counters(ep, &c);
	snprintf(key, sizeof(key), "%scounters.client.", prefix);
	yb_meta_merge(&s->meta, &c, key);
	any = c.n > 0;
	yb_meta_free(&c);
	static const char sp[] = "server.counters.";
	for (size_t i = 0; server_meta && i < server_meta->n; i++) {
		const struct yb_meta_kv *kv = &server_meta->kv[i];
		if (strncmp(kv->key, sp, sizeof(sp) - 1) != 0)
			continue;
		snprintf(key, sizeof(key), "%scounters.server.%s", prefix,
			 kv->key + sizeof(sp) - 1);
		yb_meta_set(&s->meta, key, "%s", kv->value);
	}
	if (!s->stats || !any)
		return;
	yb_session_progress_done(s);
	char label[64];
	struct yb_point p = { .ring_bytes = s->cur.ring_bytes };
	snprintf(p.transport, sizeof(p.transport), "%s", ep->t->name);
	memcpy(p.wait, s->cur.wait, sizeof(p.wait));
	yb_point_label(&p, label, sizeof(label));
	printf("%s counters:\n", label);
	snprintf(key, sizeof(key), "%scounters.client.", prefix);
	print_counters("client", &s->meta, key);
	snprintf(key, sizeof(key), "%scounters.server.", prefix);
	print_counters("server", &s->meta, key);
}

void yb_session_progress(void *ctx, const struct yb_progress *p)
{
	struct yb_session *s = ctx;
	char size[32];

	if (!isatty(STDERR_FILENO))
		return;
	yb_format_size(p->bytes, size, sizeof(size));
	fprintf(stderr, "\r\033[K  %-6s %-8s %7s B   point %zu/%zu", p->label,
		yb_mode_name(p->mode), size, p->index + 1, p->count);
	fflush(stderr);
	s->progress_shown = 1;
}

void yb_session_progress_done(struct yb_session *s)
{
	if (s->progress_shown) {
		fprintf(stderr, "\r\033[K");
		fflush(stderr);
		s->progress_shown = 0;
	}
}

void yb_session_sweep_meta(struct yb_session *s, const struct yb_sweep_opts *o)
{
	struct yb_meta *m = &s->meta;

	yb_meta_set_int(m, "sweep.min_bytes", (long long)o->sched.min_bytes);
	yb_meta_set_int(m, "sweep.max_bytes", (long long)o->sched.max_bytes);
	yb_meta_set_int(m, "sweep.perturbation", o->sched.perturbation);
	yb_meta_set(m, "sweep.pow2_only", "%s",
		    o->sched.pow2_only ? "yes" : "no");
	yb_meta_set_num(m, "sweep.trial_time_s", o->trial_time_s);
	yb_meta_set_int(m, "sweep.trials", o->trials);
	yb_meta_set(m, "sweep.verify", "%s", o->verify ? "yes" : "no");
	yb_meta_set(m, "sweep.modes", "%s%s%s",
		    o->modes & YB_MODE_BIT(YB_MODE_PINGPONG) ? "pingpong" : "",
		    (o->modes & YB_MODE_BIT(YB_MODE_PINGPONG)) &&
				    (o->modes & YB_MODE_BIT(YB_MODE_STREAM)) ?
			    "," :
			    "",
		    o->modes & YB_MODE_BIT(YB_MODE_STREAM) ? "stream" : "");
	yb_meta_set(m, "sweep.latency", "%s",
		    "one-way = round trip / 2, over every round trip of the "
		    "recorded trials; percentiles by nearest rank");
	yb_meta_set(m, "sweep.bandwidth", "%s",
		    "stream: bytes over the receiver's time from its first "
		    "read to its last, the bytes of the first read (already "
		    "waiting) not counted, trials at least ten times what a "
		    "first read found; ping-pong: message size over "
		    "one-way latency; bw_gbps the best trial, bw_min_gbps and "
		    "bw_median_gbps over the trials");
	yb_meta_set(m, "sweep.cpu", "%s",
		    "CPU time (user + system) of each end over its own timed "
		    "windows, in percent of one core");
	yb_meta_set(m, "sweep.verify_method", "%s",
		    !o->verify ? "none" :
		    o->duration_s > 0 ?
				 "inline: the receiver checks every message "
				 "inside its timed window (soak)" :
				 "an untimed pass per point in which both ends "
				 "check every byte; timed trials carry no "
				 "checks");
	yb_meta_set_int(m, "stats.exact_samples_max", YB_SAMPLES_MAX);
	yb_meta_set(m, "stats.histogram", "%s",
		    "log-linear, 64 sub-buckets per power of two (a bucket is "
		    "at most 1/64 of its lower bound wide); percentiles come "
		    "from it only past stats.exact_samples_max samples");
}
