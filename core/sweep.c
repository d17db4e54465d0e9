/* sweep.c - the measurement engine; see sweep.h for the method. */
#include "sweep.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "pattern.h"
#include "stats.h"
#include "version.h"

#define MAX_REPS 100000000ull
#define CALIBRATE_MAX_ROUNDS 40

void yb_sweep_defaults(struct yb_sweep_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->sched.min_bytes = 1;
	o->sched.max_bytes = 4u << 20;
	o->sched.perturbation = 3;
	o->modes = YB_MODE_BIT(YB_MODE_PINGPONG) | YB_MODE_BIT(YB_MODE_STREAM);
	o->trial_time_s = 0.05;
	o->trials = 3;
	o->min_reps = 3;
	o->timeout_ms = 60000;
}

static void *alloc_buf(uint64_t bytes)
{
	void *p = NULL;

	if (posix_memalign(&p, 4096, (size_t)bytes) != 0)
		return NULL;
	memset(p, 0, (size_t)bytes); /* fault the pages in now, not timed */
	return p;
}

/* ---- client ----------------------------------------------------------- */

struct client {
	struct yb_ep *ep;
	const struct yb_sweep_opts *o;
	struct yb_pattern pat;
	uint8_t *rbuf;
	uint8_t msg[YB_PROTO_HDR_LEN + YB_PROTO_MAX_PAYLOAD];
	struct yb_msg in;
	uint64_t seq;      /* next message sequence number */
	struct yb_hist hist;
};

/* Receive the RESULT of a trial and turn a server-side failure into ours. */
static int client_result(struct client *c, struct yb_result *res,
			 struct yb_err *err)
{
	int rc = yb_msg_expect(c->ep, &c->in, YB_MSG_RESULT, c->o->timeout_ms,
			       err);
	if (rc)
		return rc;
	rc = yb_dec_result(&c->in, res, err);
	if (rc)
		return rc;
	if (res->status == YB_PERR_VERIFY)
		return yb_err_set(err, YB_EVERIFY, "server: %s", res->text);
	if (res->status)
		return yb_err_set(err, YB_EPEER, "server: %s", res->text);
	return 0;
}

/*
 * One run of reps messages.  Returns the time in ns through *elapsed
 * (round trips for ping-pong, the receiver's time for stream) and, for a
 * recorded ping-pong run, adds every round trip to c->hist.
 */
static int client_trial(struct client *c, unsigned mode, uint64_t bytes,
			uint64_t reps, unsigned flags, uint32_t trial,
			yb_ns *elapsed, struct yb_err *err)
{
	struct yb_run run = {
		.mode = (uint8_t)mode,
		.flags = (uint8_t)(flags | (c->o->verify ? YB_RUN_VERIFY : 0)),
		.trial = trial,
		.bytes = bytes,
		.reps = reps,
		.seq = c->seq,
	};
	struct yb_result res = { 0 };
	char bad[160] = "";
	int rc;

	rc = yb_msg_send(c->ep, c->msg, yb_enc_run(c->msg, &run), err);
	if (rc)
		return rc;

	if (mode == YB_MODE_PINGPONG) {
		int record = !(flags & YB_RUN_WARMUP);
		yb_ns start = yb_now(), t0 = start;
		for (uint64_t i = 0; i < reps; i++) {
			uint64_t seq = c->seq + i;
			rc = yb_send_all(c->ep, yb_pattern_msg(&c->pat, seq),
					 bytes, err);
			if (!rc)
				rc = yb_recv_all(c->ep, c->rbuf, bytes, err);
			if (rc)
				return rc;
			yb_ns t1 = yb_now();
			if (record)
				yb_hist_add(&c->hist, t1 - t0);
			t0 = t1;
			size_t off;
			if (c->o->verify && !bad[0] &&
			    yb_pattern_check(&c->pat, seq, c->rbuf, bytes,
					     &off))
				snprintf(bad, sizeof(bad),
					 "reply %llu of %llu bytes differs "
					 "at byte %zu",
					 (unsigned long long)seq,
					 (unsigned long long)bytes, off);
		}
		*elapsed = t0 - start;
		rc = client_result(c, &res, err);
	} else {
		rc = yb_msg_expect(c->ep, &c->in, YB_MSG_GO, c->o->timeout_ms,
				   err);
		for (uint64_t i = 0; !rc && i < reps; i++)
			rc = yb_send_all(c->ep,
					 yb_pattern_msg(&c->pat, c->seq + i),
					 bytes, err);
		if (!rc)
			rc = client_result(c, &res, err);
		*elapsed = res.elapsed_ns;
	}
	c->seq += reps;
	if (rc)
		return rc;
	if (bad[0])
		return yb_err_set(err, YB_EVERIFY,
				  "verification failed (%s): %s",
				  yb_mode_name(mode), bad);
	return 0;
}

static int stopped(const struct yb_sweep_opts *o)
{
	return o->stop && *o->stop;
}

/* Time per repetition of an unrecorded run, doubling until measurable. */
static int calibrate(struct client *c, unsigned mode, uint64_t bytes,
		     double *ns_per_rep, struct yb_err *err)
{
	double goal = c->o->trial_time_s * 1e9 / 8;
	uint64_t reps = 1;
	yb_ns el = 0;

	for (int round = 0; round < CALIBRATE_MAX_ROUNDS; round++) {
		int rc = client_trial(c, mode, bytes, reps, YB_RUN_WARMUP, 0,
				      &el, err);
		if (rc)
			return rc;
		if ((double)el >= goal || reps >= MAX_REPS || stopped(c->o))
			break;
		uint64_t mult = 16;
		if (el > 0 && goal / (double)el * 1.2 < 16)
			mult = (uint64_t)ceil(goal / (double)el * 1.2);
		reps *= mult < 2 ? 2 : mult;
		if (reps > MAX_REPS)
			reps = MAX_REPS;
	}
	*ns_per_rep = (double)el / (double)reps;
	return 0;
}

static void fill_point(struct yb_point *p, const char *label, unsigned mode,
		       uint64_t bytes, uint64_t reps, unsigned trials,
		       const double *trial_ns, const struct yb_hist *h)
{
	/* trial_ns[t]: one-way (ping-pong) or per-message (stream) time. */
	memset(p, 0, sizeof(*p));
	snprintf(p->transport, sizeof(p->transport), "%s", label);
	p->mode = mode;
	p->bytes = bytes;
	p->reps = reps;
	p->trials = trials;
	double best = yb_min(trial_ns, trials);
	if (mode == YB_MODE_PINGPONG) {
		/* h holds round trips; one-way is half, in us: / 2000. */
		p->lat_min_us = (double)h->min / 2000.0;
		p->lat_p50_us = yb_hist_quantile(h, 0.5) / 2000.0;
		p->lat_p99_us = yb_hist_quantile(h, 0.99) / 2000.0;
		p->lat_max_us = (double)h->max / 2000.0;
		p->lat_mean_us = yb_hist_mean(h) / 2000.0;
	} else {
		/* Stream: per-message times of whole trials. */
		struct yb_hist th;
		yb_hist_reset(&th);
		for (unsigned t = 0; t < trials; t++)
			yb_hist_add(&th, (uint64_t)llround(trial_ns[t]));
		p->lat_min_us = best / 1000.0;
		p->lat_p50_us = yb_hist_quantile(&th, 0.5) / 1000.0;
		p->lat_p99_us = yb_hist_quantile(&th, 0.99) / 1000.0;
		p->lat_max_us = yb_max(trial_ns, trials) / 1000.0;
		p->lat_mean_us = yb_mean(trial_ns, trials) / 1000.0;
	}
	p->lat_stddev_us = yb_stddev(trial_ns, trials) / 1000.0;
	/* Bits per ns is Gbit/s; NetPIPE's best trial. */
	p->bw_gbps = best > 0 ? (double)bytes * 8.0 / best : 0.0;
}

static int sweep_mode(struct client *c, const char *label, unsigned mode,
		      const uint64_t *sizes, size_t n, struct yb_err *err)
{
	const struct yb_sweep_opts *o = c->o;
	double target = o->trial_time_s * 1e9;
	double last = 0, *trial_ns = calloc(o->trials, sizeof(double));
	uint64_t last_bytes = 0;
	int rc = 0;

	if (!trial_ns)
		return yb_err_set(err, YB_ENOMEM, "out of memory");
	for (size_t i = 0; i < n && !rc; i++) {
		uint64_t bytes = sizes[i], reps;
		if (stopped(o)) {
			rc = YB_EINTR;
			break;
		}
		if (o->progress) {
			struct yb_progress pr = { label, mode, bytes, i, n };
			o->progress(o->progress_ctx, &pr);
		}
		if (i == 0) {
			rc = calibrate(c, mode, bytes, &last, err);
			if (rc)
				break;
			last_bytes = bytes;
		}
		reps = yb_reps_for(last, last_bytes, bytes, target, o->min_reps,
				   MAX_REPS);
		if (o->sync && (rc = o->sync(o->sync_ctx, err)) != 0)
			break;
		/* Warm-up; also catches an estimate that is far off. */
		uint64_t w = reps / 16 ? reps / 16 : 1;
		yb_ns el;
		rc = client_trial(c, mode, bytes, w, YB_RUN_WARMUP, 0, &el, err);
		if (rc)
			break;
		double per = (double)el / (double)w;
		if (per * (double)reps > 1.5 * target ||
		    per * (double)reps < target / 1.5)
			reps = yb_reps_for(per, bytes, bytes, target,
					   o->min_reps, MAX_REPS);

		yb_hist_reset(&c->hist);
		for (unsigned t = 0; t < o->trials && !rc; t++) {
			if (o->sync && (rc = o->sync(o->sync_ctx, err)) != 0)
				break;
			rc = client_trial(c, mode, bytes, reps, 0, t, &el, err);
			if (!rc && o->trial_done)
				o->trial_done(o->sync_ctx, mode, bytes, reps, t,
					      el);
			double div = mode == YB_MODE_PINGPONG ? 2.0 : 1.0;
			trial_ns[t] = (double)el / (double)reps / div;
		}
		if (rc)
			break;
		struct yb_point p;
		fill_point(&p, label, mode, bytes, reps, o->trials, trial_ns,
			   &c->hist);
		last = yb_mean(trial_ns, o->trials) *
		       (mode == YB_MODE_PINGPONG ? 2.0 : 1.0);
		last_bytes = bytes;
		if (o->sink)
			rc = o->sink(o->sink_ctx, &p, err);
	}
	free(trial_ns);
	return rc;
}

/* "key=value\n" lines from the server into meta under prefix. */
static void parse_info(const char *info, const char *prefix, struct yb_meta *m)
{
	while (*info) {
		const char *nl = strchr(info, '\n');
		size_t len = nl ? (size_t)(nl - info) : strlen(info);
		const char *eq = memchr(info, '=', len);
		if (eq && eq > info) {
			char key[128];
			size_t kl = (size_t)(eq - info);
			if (kl + strlen(prefix) < sizeof(key) - 1) {
				snprintf(key, sizeof(key), "%s%.*s", prefix,
					 (int)kl, info);
				yb_meta_set(m, key, "%.*s",
					    (int)(len - kl - 1), eq + 1);
			}
		}
		info += len + (nl ? 1 : 0);
	}
}

long yb_rss_kib(void)
{
	FILE *fp = fopen("/proc/self/statm", "r");
	long size = 0, rss = 0;

	if (!fp)
		return 0;
	if (fscanf(fp, "%ld %ld", &size, &rss) != 2)
		rss = 0;
	fclose(fp);
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

/*
 * Soak: one size, streamed for o->duration_s in trials of about a second,
 * one row at the end.  A stop (Ctrl-C) ends it early with the row of what
 * was done.
 */
static int soak_run(struct client *c, const char *label, uint64_t bytes,
		    struct yb_err *err)
{
	const struct yb_sweep_opts *o = c->o;
	struct yb_soak st = { 0 };
	size_t cap = (size_t)o->duration_s + 16, n = 0;
	double *trial_ns = malloc(cap * sizeof(double)), last = 0;
	int rc;

	if (!trial_ns)
		return yb_err_set(err, YB_ENOMEM, "out of memory");
	rc = calibrate(c, YB_MODE_STREAM, bytes, &last, err);
	uint64_t reps = yb_reps_for(last, bytes, bytes, 1e9, 1, MAX_REPS);
	yb_ns start = yb_now();
	st.rss_start_kib = st.rss_max_kib = yb_rss_kib();
	yb_hist_reset(&c->hist);
	while (!rc && (double)(yb_now() - start) < o->duration_s * 1e9) {
		if (stopped(o)) {
			rc = YB_EINTR;
			break;
		}
		yb_ns el;
		rc = client_trial(c, YB_MODE_STREAM, bytes, reps, 0,
				  (uint32_t)n, &el, err);
		if (rc)
			break;
		if (n == cap) {
			cap *= 2;
			double *nt = realloc(trial_ns, cap * sizeof(double));
			if (!nt) {
				rc = yb_err_set(err, YB_ENOMEM, "out of memory");
				break;
			}
			trial_ns = nt;
		}
		trial_ns[n++] = (double)el / (double)reps;
		st.seconds += (double)el / 1e9;
		st.bytes += bytes * reps;
		st.messages += reps;
		st.trials = (unsigned)n;
		st.wall_s = (double)(yb_now() - start) / 1e9;
		st.rss_now_kib = yb_rss_kib();
		if (st.rss_now_kib > st.rss_max_kib)
			st.rss_max_kib = st.rss_now_kib;
		if (o->soak_progress)
			o->soak_progress(o->progress_ctx, &st);
		/* Keep trials near a second as the machine changes. */
		double per = (double)el / (double)reps;
		if (per * (double)reps > 1.5e9 || per * (double)reps < 0.6e9)
			reps = yb_reps_for(per, bytes, bytes, 1e9, 1, MAX_REPS);
	}
	if (n > 0 && (rc == 0 || rc == YB_EINTR)) {
		struct yb_point p;
		fill_point(&p, label, YB_MODE_STREAM, bytes, st.messages / n,
			   (unsigned)n, trial_ns, &c->hist);
		int src = o->sink ? o->sink(o->sink_ctx, &p, err) : 0;
		if (src && !rc)
			rc = src;
	}
	if (o->soak)
		*o->soak = st;
	free(trial_ns);
	return rc;
}

int yb_sweep_run(struct yb_ep *ep, const char *label,
		 const struct yb_sweep_opts *o, struct yb_meta *server_meta,
		 struct yb_err *err)
{
	struct client *c = calloc(1, sizeof(*c));
	uint64_t *sizes = NULL;
	int rc, n;

	if (!c)
		return yb_err_set(err, YB_ENOMEM, "out of memory");
	c->ep = ep;
	c->o = o;
	n = yb_schedule_sizes(&o->sched, &sizes, err);
	if (n < 0) {
		rc = n;
		goto out;
	}
	uint64_t max = sizes[n - 1];
	if (yb_pattern_init(&c->pat, max) || !(c->rbuf = alloc_buf(max))) {
		rc = yb_err_set(err, YB_ENOMEM,
				"cannot allocate buffers for %llu-byte "
				"messages",
				(unsigned long long)max);
		goto out;
	}

	struct yb_hello h = { .max_bytes = max,
			      .flags = o->verify ? YB_HELLO_VERIFY : 0 };
	snprintf(h.version, sizeof(h.version), "%s", YB_VERSION);
	rc = yb_msg_send(ep, c->msg, yb_enc_hello(c->msg, &h), err);
	if (!rc)
		rc = yb_msg_expect(ep, &c->in, YB_MSG_WELCOME, o->timeout_ms,
				   err);
	if (rc)
		goto out;
	uint64_t server_max;
	const char *info;
	rc = yb_dec_welcome(&c->in, &server_max, &info, err);
	if (rc)
		goto out;
	if (server_max < max) {
		rc = yb_err_set(err, YB_EPROTO,
				"server accepts messages up to %llu bytes, "
				"%llu asked",
				(unsigned long long)server_max,
				(unsigned long long)max);
		goto out;
	}
	if (server_meta)
		parse_info(info, "server.", server_meta);

	if (o->duration_s > 0) {
		rc = soak_run(c, label, max, err);
	} else {
		for (unsigned mode = YB_MODE_PINGPONG; mode <= YB_MODE_STREAM;
		     mode++) {
			if (!(o->modes & YB_MODE_BIT(mode)))
				continue;
			rc = sweep_mode(c, label, mode, sizes, (size_t)n, err);
			if (rc)
				break;
		}
	}
	if (rc == YB_EINTR)
		yb_err_set(err, YB_EINTR, "interrupted");
	if (rc == 0 || rc == YB_EINTR) {
		/* Tell the server we are done so it can serve the next one. */
		struct yb_err e2;
		const char *counters;
		int r2 = yb_msg_send(ep, c->msg,
				     yb_enc_empty(c->msg, YB_MSG_END), &e2);
		if (!r2)
			r2 = yb_msg_expect(ep, &c->in, YB_MSG_BYE,
					   o->timeout_ms, &e2);
		if (!r2)
			r2 = yb_dec_bye(&c->in, &counters, &e2);
		if (!r2 && server_meta)
			parse_info(counters, "server.counters.", server_meta);
		if (r2 && rc == 0)
			rc = yb_err_set(err, e2.code, "%s", e2.msg);
	}
out:
	yb_pattern_free(&c->pat);
	free(c->rbuf);
	free(sizes);
	free(c);
	return rc;
}

/* ---- server ----------------------------------------------------------- */

struct server {
	struct yb_ep *ep;
	uint64_t max;
	struct yb_pattern pat;
	uint8_t *rbuf;
	uint8_t msg[YB_PROTO_HDR_LEN + YB_PROTO_MAX_PAYLOAD];
	struct yb_msg in;
};

static void send_error(struct yb_ep *ep, uint32_t code, const char *text)
{
	uint8_t buf[YB_PROTO_HDR_LEN + YB_PROTO_MAX_PAYLOAD];
	struct yb_err ignored;

	yb_msg_send(ep, buf, yb_enc_error(buf, code, text), &ignored);
}

void yb_serve_refuse(struct yb_ep *ep, const char *why)
{
	send_error(ep, YB_PERR_BUSY, why);
}

static int serve_run(struct server *s, const struct yb_run *r,
		     struct yb_err *err)
{
	struct yb_result res = { 0 };
	int verify = r->flags & YB_RUN_VERIFY;
	size_t off;
	int rc = 0;

	if (r->mode == YB_MODE_PINGPONG) {
		for (uint64_t i = 0; i < r->reps && !rc; i++) {
			rc = yb_recv_all(s->ep, s->rbuf, r->bytes, err);
			if (rc)
				break;
			if (verify && !res.status &&
			    yb_pattern_check(&s->pat, r->seq + i, s->rbuf,
					     r->bytes, &off)) {
				res.status = YB_PERR_VERIFY;
				snprintf(res.text, sizeof(res.text),
					 "verification failed (pingpong): "
					 "message %llu of %llu bytes differs "
					 "at byte %zu",
					 (unsigned long long)(r->seq + i),
					 (unsigned long long)r->bytes, off);
			}
			rc = yb_send_all(s->ep, s->rbuf, r->bytes, err);
		}
	} else {
		rc = yb_msg_send(s->ep, s->msg, yb_enc_empty(s->msg, YB_MSG_GO),
				 err);
		yb_ns t0 = yb_now();
		for (uint64_t i = 0; i < r->reps && !rc; i++) {
			rc = yb_recv_all(s->ep, s->rbuf, r->bytes, err);
			if (!rc && verify && !res.status &&
			    yb_pattern_check(&s->pat, r->seq + i, s->rbuf,
					     r->bytes, &off)) {
				res.status = YB_PERR_VERIFY;
				snprintf(res.text, sizeof(res.text),
					 "verification failed (stream): "
					 "message %llu of %llu bytes differs "
					 "at byte %zu",
					 (unsigned long long)(r->seq + i),
					 (unsigned long long)r->bytes, off);
			}
		}
		res.elapsed_ns = yb_now() - t0;
	}
	if (rc)
		return rc;
	rc = yb_msg_send(s->ep, s->msg, yb_enc_result(s->msg, &res), err);
	if (!rc && res.status)
		rc = yb_err_set(err, YB_EVERIFY, "%s", res.text);
	return rc;
}

static int serve_hello(struct server *s, const struct yb_serve_opts *o,
		       struct yb_err *err)
{
	char text[256];
	int rc = yb_msg_recv(s->ep, &s->in, o->timeout_ms, err);

	if (rc)
		return rc;
	if (s->in.version != YB_PROTO_VERSION) {
		snprintf(text, sizeof(text),
			 "protocol version %u is not supported: this server "
			 "(yasmin-bench %s) speaks version %u",
			 s->in.version, YB_VERSION, YB_PROTO_VERSION);
		send_error(s->ep, YB_PERR_VERSION, text);
		return yb_err_set(err, YB_EPROTO,
				  "client speaks protocol version %u, not %u",
				  s->in.version, YB_PROTO_VERSION);
	}
	if (s->in.type != YB_MSG_HELLO) {
		send_error(s->ep, YB_PERR_REQUEST, "expected HELLO");
		return yb_err_set(err, YB_EPROTO,
				  "client sent %s before HELLO",
				  yb_msg_name(s->in.type));
	}
	struct yb_hello h;
	rc = yb_dec_hello(&s->in, &h, err);
	if (rc) {
		send_error(s->ep, YB_PERR_REQUEST, err->msg);
		return rc;
	}
	s->max = h.max_bytes;
	if (yb_pattern_init(&s->pat, s->max) ||
	    !(s->rbuf = alloc_buf(s->max))) {
		snprintf(text, sizeof(text),
			 "server cannot allocate buffers for %llu-byte "
			 "messages",
			 (unsigned long long)s->max);
		send_error(s->ep, YB_PERR_REQUEST, text);
		return yb_err_set(err, YB_ENOMEM, "%s", text);
	}

	/* Our self-description, as key=value lines. */
	char info[YB_PROTO_MAX_PAYLOAD - 8];
	size_t off = 0;
	for (size_t i = 0; o->info && i < o->info->n; i++) {
		int k = snprintf(info + off, sizeof(info) - off, "%s=%s\n",
				 o->info->kv[i].key, o->info->kv[i].value);
		if (k < 0 || (size_t)k >= sizeof(info) - off)
			break;
		off += (size_t)k;
	}
	info[off] = '\0';
	return yb_msg_send(s->ep, s->msg,
			   yb_enc_welcome(s->msg, s->max, info), err);
}

/* The transport's counters as "key=value" lines ("" if it has none). */
static void meta_text(const struct yb_ep *ep, char *buf, size_t len)
{
	struct yb_meta m;
	size_t off = 0;

	buf[0] = '\0';
	yb_meta_init(&m);
	if (ep->t->counters)
		ep->t->counters(ep, &m);
	yb_meta_set_int(&m, "rss_kib", yb_rss_kib());
	for (size_t i = 0; i < m.n; i++) {
		int k = snprintf(buf + off, len - off, "%s=%s\n", m.kv[i].key,
				 m.kv[i].value);
		if (k < 0 || (size_t)k >= len - off) {
			buf[off] = '\0';
			break;
		}
		off += (size_t)k;
	}
	yb_meta_free(&m);
}

int yb_serve(struct yb_ep *ep, const struct yb_serve_opts *o,
	     struct yb_err *err)
{
	struct server *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return yb_err_set(err, YB_ENOMEM, "out of memory");
	s->ep = ep;
	rc = serve_hello(s, o, err);
	while (!rc) {
		rc = yb_msg_recv(ep, &s->in, o->timeout_ms, err);
		if (rc)
			break;
		if (s->in.version != YB_PROTO_VERSION) {
			rc = yb_err_set(err, YB_EPROTO,
					"client switched protocol version");
			break;
		}
		if (s->in.type == YB_MSG_END) {
			if (o->on_end)
				o->on_end(o->on_end_ctx);
			char counters[YB_PROTO_MAX_PAYLOAD];
			meta_text(ep, counters, sizeof(counters));
			rc = yb_msg_send(ep, s->msg,
					 yb_enc_bye(s->msg, counters), err);
			break;
		}
		if (s->in.type != YB_MSG_RUN) {
			rc = yb_err_set(err, YB_EPROTO,
					"client sent %s where RUN or END was "
					"expected",
					yb_msg_name(s->in.type));
			send_error(ep, YB_PERR_REQUEST, err->msg);
			break;
		}
		struct yb_run r;
		rc = yb_dec_run(&s->in, s->max, &r, err);
		if (rc) {
			send_error(ep, YB_PERR_REQUEST, err->msg);
			break;
		}
		rc = serve_run(s, &r, err);
	}
	yb_pattern_free(&s->pat);
	free(s->rbuf);
	free(s);
	return rc;
}
