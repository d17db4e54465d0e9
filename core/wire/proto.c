/* proto.c - control message encoding and defensive decoding; see proto.h. */
#include "core/wire/proto.h"

#include <stdio.h>
#include <string.h>

#include "core/base/le.h"
#include "core/base/units.h"

static size_t finish(uint8_t *buf, enum yb_msg_type type, size_t payload)
{
	yb_put32(buf, YB_PROTO_MAGIC);
	yb_put16(buf + 4, YB_PROTO_VERSION);
	buf[6] = (uint8_t)type;
	buf[7] = 0;
	yb_put32(buf + 8, (uint32_t)payload);
	return YB_PROTO_HDR_LEN + payload;
}

/* Copy at most max bytes of text, keeping only what we would accept. */
static size_t put_text(uint8_t *p, const char *s, size_t max, int newlines)
{
	size_t n = 0;

	for (; s && s[n] && n < max; n++) {
		unsigned char c = (unsigned char)s[n];
		p[n] = (c >= 0x20 && c < 0x7f) || (newlines && c == '\n') ?
			       c :
			       '?';
	}
	return n;
}

/* Text from the peer: printable ASCII (and newlines where allowed). */
static int get_text(const uint8_t *p, size_t n, char *out, size_t outlen,
		    int newlines, const char *what, struct yb_err *err)
{
	if (n >= outlen)
		return yb_err_set(err, YB_EPEER,
				  "peer sent a %s of %zu bytes (limit %zu)",
				  what, n, outlen - 1);
	for (size_t i = 0; i < n; i++) {
		if ((p[i] < 0x20 || p[i] >= 0x7f) &&
		    !(newlines && p[i] == '\n'))
			return yb_err_set(err, YB_EPEER,
					  "peer sent a %s with a non-printable "
					  "byte 0x%02x",
					  what, p[i]);
		out[i] = (char)p[i];
	}
	out[n] = '\0';
	return 0;
}

size_t yb_enc_hello(uint8_t *buf, const struct yb_hello *h)
{
	uint8_t *p = buf + YB_PROTO_HDR_LEN;

	yb_put64(p, h->max_bytes);
	yb_put32(p + 8, h->flags);
	yb_put32(p + 12, 0);
	size_t n = put_text(p + 16, h->version, sizeof(h->version) - 1, 0);
	return finish(buf, YB_MSG_HELLO, 16 + n);
}

size_t yb_enc_welcome(uint8_t *buf, uint64_t max_bytes, const char *info)
{
	uint8_t *p = buf + YB_PROTO_HDR_LEN;

	yb_put64(p, max_bytes);
	size_t n = put_text(p + 8, info, YB_PROTO_MAX_PAYLOAD - 8, 1);
	return finish(buf, YB_MSG_WELCOME, 8 + n);
}

size_t yb_enc_bye(uint8_t *buf, const char *info)
{
	size_t n = put_text(buf + YB_PROTO_HDR_LEN, info, YB_PROTO_MAX_PAYLOAD,
			    1);
	return finish(buf, YB_MSG_BYE, n);
}

size_t yb_enc_run(uint8_t *buf, const struct yb_run *r)
{
	uint8_t *p = buf + YB_PROTO_HDR_LEN;

	p[0] = r->mode;
	p[1] = r->flags;
	yb_put16(p + 2, 0);
	yb_put32(p + 4, r->trial);
	yb_put64(p + 8, r->bytes);
	yb_put64(p + 16, r->reps);
	yb_put64(p + 24, r->seq);
	return finish(buf, YB_MSG_RUN, 32);
}

size_t yb_enc_result(uint8_t *buf, const struct yb_result *r)
{
	uint8_t *p = buf + YB_PROTO_HDR_LEN;

	yb_put64(p, r->elapsed_ns);
	yb_put32(p + 8, r->status);
	yb_put32(p + 12, 0);
	yb_put64(p + 16, r->cpu_ns);
	yb_put64(p + 24, r->cpu_window_ns);
	yb_put64(p + 32, r->csw_vol);
	yb_put64(p + 40, r->csw_invol);
	yb_put64(p + 48, r->backlog);
	size_t n = put_text(p + YB_RESULT_FIXED_LEN, r->status ? r->text : "",
			    sizeof(r->text) - 1, 0);
	return finish(buf, YB_MSG_RESULT, YB_RESULT_FIXED_LEN + n);
}

size_t yb_enc_error(uint8_t *buf, uint32_t code, const char *text)
{
	uint8_t *p = buf + YB_PROTO_HDR_LEN;
	struct yb_perror e;

	yb_put32(p, code);
	size_t n = put_text(p + 4, text, sizeof(e.text) - 1, 0);
	return finish(buf, YB_MSG_ERROR, 4 + n);
}

size_t yb_enc_empty(uint8_t *buf, enum yb_msg_type type)
{
	return finish(buf, type, 0);
}

int yb_dec_header(const uint8_t *hdr, struct yb_msg *m, struct yb_err *err)
{
	if (yb_get32(hdr) != YB_PROTO_MAGIC)
		return yb_err_set(err, YB_EPROTO,
				  "peer does not speak the yasmin-bench "
				  "protocol (bad magic)");
	m->version = yb_get16(hdr + 4);
	m->type = hdr[6];
	m->len = yb_get32(hdr + 8);
	if (m->len > YB_PROTO_MAX_PAYLOAD)
		return yb_err_set(err, YB_EPROTO,
				  "peer announced a %u-byte control message "
				  "(limit %u)",
				  (unsigned)m->len, YB_PROTO_MAX_PAYLOAD);
	return 0;
}

static int need(const struct yb_msg *m, size_t min, struct yb_err *err)
{
	if (m->len < min)
		return yb_err_set(err, YB_EPROTO,
				  "peer sent a %s message of %u bytes "
				  "(at least %zu expected)",
				  yb_msg_name(m->type), (unsigned)m->len, min);
	return 0;
}

static int exact(const struct yb_msg *m, size_t n, struct yb_err *err)
{
	if (m->len != n)
		return yb_err_set(err, YB_EPROTO,
				  "peer sent a %s message of %u bytes "
				  "(%zu expected)",
				  yb_msg_name(m->type), (unsigned)m->len, n);
	return 0;
}

int yb_dec_hello(const struct yb_msg *m, struct yb_hello *h,
		 struct yb_err *err)
{
	int rc = need(m, 16, err);

	if (rc)
		return rc;
	h->max_bytes = yb_get64(m->payload);
	h->flags = yb_get32(m->payload + 8);
	if (h->max_bytes < 1 || h->max_bytes > YB_MAX_MSG_BYTES)
		return yb_err_set(err, YB_EPROTO,
				  "client asked for %llu-byte messages "
				  "(allowed 1 to %llu)",
				  (unsigned long long)h->max_bytes,
				  (unsigned long long)YB_MAX_MSG_BYTES);
	return get_text(m->payload + 16, m->len - 16, h->version,
			sizeof(h->version), 0, "version string", err);
}

/* Printable text with newlines; yb_msg_recv leaves a NUL after it. */
static int info_text(const struct yb_msg *m, size_t off, const char **info,
		     struct yb_err *err)
{
	for (size_t i = off; i < m->len; i++) {
		uint8_t c = m->payload[i];
		if ((c < 0x20 || c >= 0x7f) && c != '\n')
			return yb_err_set(err, YB_EPEER,
					  "server sent non-printable metadata");
	}
	*info = (const char *)m->payload + off;
	return 0;
}

int yb_dec_welcome(const struct yb_msg *m, uint64_t *max_bytes,
		   const char **info, struct yb_err *err)
{
	int rc = need(m, 8, err);

	if (rc)
		return rc;
	*max_bytes = yb_get64(m->payload);
	return info_text(m, 8, info, err);
}

int yb_dec_run(const struct yb_msg *m, uint64_t max_bytes, struct yb_run *r,
	       struct yb_err *err)
{
	int rc = exact(m, 32, err);

	if (rc)
		return rc;
	const uint8_t *p = m->payload;
	r->mode = p[0];
	r->flags = p[1];
	r->trial = yb_get32(p + 4);
	r->bytes = yb_get64(p + 8);
	r->reps = yb_get64(p + 16);
	r->seq = yb_get64(p + 24);
	if (r->mode != YB_MODE_PINGPONG && r->mode != YB_MODE_STREAM)
		return yb_err_set(err, YB_EPROTO, "unknown test mode %u",
				  r->mode);
	if (r->flags & ~(YB_RUN_WARMUP | YB_RUN_VERIFY | YB_RUN_REVERSE |
			 YB_RUN_BIDIR))
		return yb_err_set(err, YB_EPROTO, "unknown run flags 0x%x",
				  r->flags);
	if ((r->flags & YB_RUN_REVERSE) && (r->flags & YB_RUN_BIDIR))
		return yb_err_set(err, YB_EPROTO,
				  "a run cannot be both reverse and "
				  "bidirectional");
	if ((r->flags & (YB_RUN_REVERSE | YB_RUN_BIDIR)) &&
	    r->mode != YB_MODE_STREAM)
		return yb_err_set(err, YB_EPROTO,
				  "only a stream runs reverse or "
				  "bidirectional");
	if (r->bytes < 1 || r->bytes > max_bytes)
		return yb_err_set(err, YB_EPROTO,
				  "message size %llu outside the agreed 1 to "
				  "%llu",
				  (unsigned long long)r->bytes,
				  (unsigned long long)max_bytes);
	if (r->reps < 1 || r->reps > YB_PROTO_MAX_REPS)
		return yb_err_set(err, YB_EPROTO,
				  "repetition count %llu outside 1 to %llu",
				  (unsigned long long)r->reps,
				  YB_PROTO_MAX_REPS);
	return 0;
}

int yb_dec_bye(const struct yb_msg *m, const char **info, struct yb_err *err)
{
	return info_text(m, 0, info, err);
}

int yb_dec_result(const struct yb_msg *m, struct yb_result *r,
		  struct yb_err *err)
{
	int rc = need(m, YB_RESULT_FIXED_LEN, err);

	if (rc)
		return rc;
	r->elapsed_ns = yb_get64(m->payload);
	r->status = yb_get32(m->payload + 8);
	r->cpu_ns = yb_get64(m->payload + 16);
	r->cpu_window_ns = yb_get64(m->payload + 24);
	r->csw_vol = yb_get64(m->payload + 32);
	r->csw_invol = yb_get64(m->payload + 40);
	r->backlog = yb_get64(m->payload + 48);
	/* CPU time beyond its window is not ours to believe: a busy server
	 * shows 100% of a core, never more (it is one thread). */
	if (r->cpu_ns > r->cpu_window_ns)
		r->cpu_ns = r->cpu_window_ns;
	return get_text(m->payload + YB_RESULT_FIXED_LEN,
			m->len - YB_RESULT_FIXED_LEN, r->text, sizeof(r->text),
			0, "result text", err);
}

int yb_dec_error(const struct yb_msg *m, struct yb_perror *e,
		 struct yb_err *err)
{
	int rc = need(m, 4, err);

	if (rc)
		return rc;
	e->code = yb_get32(m->payload);
	return get_text(m->payload + 4, m->len - 4, e->text, sizeof(e->text),
			0, "error text", err);
}

int yb_msg_send(struct yb_ep *ep, const uint8_t *buf, size_t len,
		struct yb_err *err)
{
	return yb_send_all(ep, buf, len, err);
}

int yb_msg_recv(struct yb_ep *ep, struct yb_msg *m, int timeout_ms,
		struct yb_err *err)
{
	uint8_t hdr[YB_PROTO_HDR_LEN];
	int rc = yb_recv_all_timeout(ep, hdr, sizeof(hdr), timeout_ms, err);

	if (rc)
		return rc;
	rc = yb_dec_header(hdr, m, err);
	if (rc)
		return rc;
	if (m->len) {
		rc = yb_recv_all_timeout(ep, m->payload, m->len, timeout_ms,
					 err);
		if (rc)
			return rc;
	}
	m->payload[m->len] = 0;
	return 0;
}

int yb_msg_expect(struct yb_ep *ep, struct yb_msg *m, enum yb_msg_type type,
		  int timeout_ms, struct yb_err *err)
{
	int rc = yb_msg_recv(ep, m, timeout_ms, err);

	if (rc)
		return rc;
	if (m->type == YB_MSG_ERROR) {
		struct yb_perror e;
		if (yb_dec_error(m, &e, err))
			return YB_EPROTO;
		switch (e.code) {
		case YB_PERR_BUSY:
			return yb_err_set(err, YB_EBUSY, "%s", e.text);
		case YB_PERR_VERSION:
			return yb_err_set(err, YB_EPROTO, "%s", e.text);
		case YB_PERR_VERIFY:
			return yb_err_set(err, YB_EVERIFY, "%s", e.text);
		default:
			return yb_err_set(err, YB_EPEER, "peer reported: %s",
					  e.text);
		}
	}
	if (m->version != YB_PROTO_VERSION)
		return yb_err_set(err, YB_EPROTO,
				  "peer speaks protocol version %u, this "
				  "program speaks version %u",
				  m->version, YB_PROTO_VERSION);
	if (m->type != type)
		return yb_err_set(err, YB_EPROTO,
				  "peer sent %s where %s was expected",
				  yb_msg_name(m->type), yb_msg_name(type));
	return 0;
}

const char *yb_msg_name(unsigned type)
{
	static const char *const names[] = {
		[YB_MSG_HELLO] = "HELLO", [YB_MSG_WELCOME] = "WELCOME",
		[YB_MSG_RUN] = "RUN",     [YB_MSG_GO] = "GO",
		[YB_MSG_RESULT] = "RESULT", [YB_MSG_END] = "END",
		[YB_MSG_BYE] = "BYE",     [YB_MSG_ERROR] = "ERROR",
	};
	if (type < sizeof(names) / sizeof(names[0]) && names[type])
		return names[type];
	return "an unknown message";
}
