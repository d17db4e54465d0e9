/*
 * soak.c - what a soak (--duration) says while it runs and when it ends:
 * a heartbeat every 10 s, then the totals on stdout and in the metadata.
 */
#include <stdio.h>
#include <string.h>

#include "core/base/meta.h"
#include "core/measure/session.h"
#include "core/report/results.h"
#include "cmd/cmd.h"

void cmd_soak_progress(void *ctx, const struct yb_soak *st)
{
	static double next;

	if (st->trials == 1)
		next = 10;
	if (st->wall_s < next)
		return;
	next = st->wall_s + 10;
	yb_session_progress_done(ctx);
	printf("soak: %.0f s, %.3f GB, %.2f Gbit/s, rss %ld KiB\n",
	       st->wall_s, (double)st->bytes / 1e9,
	       st->seconds > 0 ? (double)st->bytes * 8 / st->seconds / 1e9 : 0,
	       st->rss_now_kib);
	fflush(stdout);
}

void cmd_soak_report(struct yb_session *s, const char *transport,
		     struct cmd_sweep *cs, int rc, const struct yb_err *err)
{
	const struct yb_soak *st = &cs->soak;
	struct yb_point p = { .ring_bytes = s->cur.ring_bytes };
	char label[96], key[160], ended[300];

	if (cs->so.duration_s <= 0 || (rc && rc != YB_EINTR && !st->messages))
		return;
	snprintf(p.transport, sizeof(p.transport), "%s", transport);
	memcpy(p.wait, s->cur.wait, sizeof(p.wait));
	yb_point_label(&p, label, sizeof(label));
	double gbps = st->seconds > 0 ? (double)st->bytes * 8 / st->seconds / 1e9 :
					0;
	if (rc == 0)
		snprintf(ended, sizeof(ended), "complete");
	else if (rc == YB_EINTR)
		snprintf(ended, sizeof(ended), "interrupted");
	else
		snprintf(ended, sizeof(ended), "error: %s",
			 err && *err->msg ? err->msg : "unknown");
	yb_session_progress_done(s);
	/* Only whole trials count: a message a failure cut off is in no
	 * total, so what is counted was delivered (and checked) in full. */
	printf("soak %s: %.1f s, %llu messages of %llu bytes, %.3f GB %s, "
	       "%.2f Gbit/s mean; client rss %ld KiB at start, %ld at end, "
	       "%ld at most%s\n",
	       label, st->wall_s, (unsigned long long)st->messages,
	       (unsigned long long)cs->so.sched.max_bytes,
	       (double)st->bytes / 1e9,
	       !cs->so.verify ? "delivered (not verified)" :
	       rc == 0 || rc == YB_EINTR ?
				"delivered and verified, 0 corrupted bytes" :
				"delivered and verified before it stopped",
	       gbps, st->rss_start_kib, st->rss_now_kib, st->rss_max_kib,
	       rc == 0 || rc == YB_EINTR ? "" : " (cut short by the error below)");
	for (char *c = label; *c; c++)
		if (*c == ' ')
			*c = '-';
#define SOAK(k, fmt, v)                                                    \
	(snprintf(key, sizeof(key), "soak.%s.%s", label, k),               \
	 yb_meta_set(&s->meta, key, fmt, v))
	SOAK("seconds", "%.3f", st->wall_s);
	SOAK("bytes", "%llu", (unsigned long long)st->bytes);
	SOAK("verified_bytes", "%llu",
	     (unsigned long long)(cs->so.verify ? st->bytes : 0));
	SOAK("messages", "%llu", (unsigned long long)st->messages);
	SOAK("verified", "%s", cs->so.verify ? "yes" : "no");
	SOAK("mean_gbps", "%.3f", gbps);
	SOAK("client_rss_start_kib", "%ld", st->rss_start_kib);
	SOAK("client_rss_end_kib", "%ld", st->rss_now_kib);
	SOAK("client_rss_max_kib", "%ld", st->rss_max_kib);
	SOAK("ended", "%s", ended);
#undef SOAK
	memset(&cs->soak, 0, sizeof(cs->soak));
}
