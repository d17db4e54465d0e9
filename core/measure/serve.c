/* serve.c - the server's side of one measurement; see serve.h. */
#include "core/measure/serve.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/base/clock.h"
#include "core/base/mode.h"
#include "core/base/pattern.h"
#include "core/base/version.h"
#include "core/host/sysinfo.h"
#include "core/measure/flow.h"
#include "core/measure/window.h"
#include "core/wire/proto.h"

struct server {
	struct yb_ep *ep;
	const struct yb_serve_opts *o;
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

/* Check message seq of a verified run; the first failure is kept. */
static void serve_check(struct server *s, const struct yb_run *r,
			uint64_t i, struct yb_result *res)
{
	size_t off;

	if (res->status ||
	    !yb_pattern_check(&s->pat, r->seq + i, s->rbuf, r->bytes, &off))
		return;
	res->status = YB_PERR_VERIFY;
	snprintf(res->text, sizeof(res->text),
		 "verification failed (%s): message %llu of %llu bytes "
		 "differs at byte %zu",
		 yb_mode_name(r->mode), (unsigned long long)(r->seq + i),
		 (unsigned long long)r->bytes, off);
}

/* A stream run: the server receives (c2s), sends (s2c) or both. */
static int serve_stream(struct server *s, const struct yb_run *r,
			struct yb_result *res, struct yb_spent *sp,
			struct yb_err *err)
{
	struct yb_flow_rx rx = {
		.buf = s->rbuf,
		.max = s->max,
		.pat = &s->pat,
		.check = r->flags & YB_RUN_VERIFY,
		.timeout_ms = s->o->timeout_ms,
		.on_data = s->o->on_data,
		.on_data_ctx = s->o->on_data_ctx,
	};
	int rc;

	if (r->flags & YB_RUN_REVERSE) {
		yb_ns start;
		return yb_flow_send(s->ep, &s->pat, r->seq, r->bytes, r->reps,
				    sp, &start, err);
	}
	if (r->flags & YB_RUN_BIDIR)
		rc = yb_flow_both(s->ep, &s->pat, &rx, r->seq, r->bytes,
				  r->reps, err);
	else
		rc = yb_flow_recv(s->ep, &rx, r->seq, r->bytes, r->reps, err);
	if (rc)
		return rc;
	*sp = rx.spent;
	res->elapsed_ns = rx.elapsed;
	res->backlog = rx.backlog;
	if (rx.bad[0]) {
		res->status = YB_PERR_VERIFY;
		snprintf(res->text, sizeof(res->text),
			 "verification failed (%s): %s", yb_mode_name(r->mode),
			 rx.bad);
	}
	return 0;
}

/*
 * One run.  The server says GO once it is ready, so no timed window of
 * either end holds the handling of RUN.  Its own window: ping-pong, from
 * GO to the last reply; a stream it receives, the receiver's clock of
 * flow.h (iperf's and NetPIPE's stream modes time the receiver too; the
 * sender's start-up and the GO trip are not in it); a stream it sends,
 * none (the client times it and RESULT carries only CPU).  CPU time and
 * context switches are read around that window, never inside it.  A
 * verified run checks every message (the client makes those runs
 * untimed, except in a soak).
 */
static int serve_run(struct server *s, const struct yb_run *r,
		     struct yb_err *err)
{
	const struct yb_serve_opts *o = s->o;
	struct yb_result res = { 0 };
	struct yb_spent sp = { 0 };
	int verify = r->flags & YB_RUN_VERIFY;
	int rc;

	rc = yb_msg_send(s->ep, s->msg, yb_enc_empty(s->msg, YB_MSG_GO), err);
	if (rc)
		return rc;
	if (r->mode == YB_MODE_PINGPONG) {
		struct yb_usage u0, u1;
		yb_usage_read(&u0, 1);
		yb_ns t0 = yb_now();
		for (uint64_t i = 0; i < r->reps && !rc; i++) {
			rc = yb_recv_all(s->ep, s->rbuf, r->bytes, err);
			if (rc)
				break;
			if (verify)
				serve_check(s, r, i, &res);
			if (o->on_data)
				o->on_data(o->on_data_ctx, r->mode, r->bytes,
					   i);
			rc = yb_send_all(s->ep, s->rbuf, r->bytes, err);
		}
		res.elapsed_ns = yb_now() - t0;
		yb_usage_read(&u1, 0);
		yb_spent_add(&sp, &u0, &u1);
	} else {
		rc = serve_stream(s, r, &res, &sp, err);
	}
	if (rc)
		return rc;
	res.cpu_ns = sp.cpu_ns;
	res.cpu_window_ns = sp.window_ns;
	res.csw_vol = sp.vcsw;
	res.csw_invol = sp.ivcsw;
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
	    !(s->rbuf = yb_window_buf(s->max))) {
		snprintf(text, sizeof(text),
			 "server cannot allocate buffers for %llu-byte "
			 "messages",
			 (unsigned long long)s->max);
		send_error(s->ep, YB_PERR_REQUEST, text);
		return yb_err_set(err, YB_ENOMEM, "%s", text);
	}

	/* Our self-description, as key=value lines. */
	char info[YB_PROTO_MAX_PAYLOAD - 8];
	info[0] = '\0';
	if (o->info)
		yb_meta_lines(o->info, info, sizeof(info));
	return yb_msg_send(s->ep, s->msg,
			   yb_enc_welcome(s->msg, s->max, info), err);
}

/* The transport's counters as "key=value" lines ("" if it has none). */
static void meta_text(const struct yb_ep *ep, char *buf, size_t len)
{
	struct yb_meta m;

	yb_meta_init(&m);
	yb_ep_counters(ep, &m);
	yb_meta_set_int(&m, "rss_kib", yb_rss_kib());
	yb_meta_lines(&m, buf, len);
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
	s->o = o;
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
