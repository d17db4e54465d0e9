/*
 * fuzz_proto.c - libFuzzer harness for the in-band control protocol: the
 * header and every payload decoder get arbitrary bytes from a hostile
 * peer.  Under AddressSanitizer any read past the message fails; decoded
 * values must respect the limits the decoders promise.  The same bytes go
 * through the shm rendezvous refusal decoder (bytes from a server the
 * client does not trust), and through the wrap shim's hello decoder (the
 * first bytes a wrapped listener reads from a local process); fuzz_xenstore
 * takes the Xen rendezvous text.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/meta.h"
#include "core/wire/proto.h"
#include "core/measure/schedule.h"
#include "transports/shm.h"
#include "transports/wrap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * A peer's "key=value" lines (WELCOME, BYE) as the client takes them:
 * every key it keeps carries the prefix, and writing them out again
 * stays inside the buffer.
 */
static void check_lines(const char *text)
{
	struct yb_meta meta;
	char out[256];

	yb_meta_init(&meta);
	yb_meta_parse_lines(&meta, text, "server.");
	for (size_t i = 0; i < meta.n; i++)
		if (strncmp(meta.kv[i].key, "server.", 7) != 0 ||
		    strlen(meta.kv[i].key) > 127)
			abort();
	if (yb_meta_lines(&meta, out, sizeof(out)) >= sizeof(out) ||
	    strlen(out) >= sizeof(out))
		abort();
	yb_meta_free(&meta);
}

/*
 * A shm request and reply as the other end decodes them: whatever the
 * bytes, each field is what the encoder would write back, so decoding
 * the re-encoded message gives the same fields.
 */
static void check_shm_handshake(const uint8_t *data, size_t size)
{
	uint8_t buf[YB_SHM_REP_LEN];

	if (size >= YB_SHM_REQ_LEN) {
		struct yb_shm_request a, b;
		if (yb_shm_dec_request(data, &a) == 0) {
			yb_shm_enc_request(buf, &a);
			if (yb_shm_dec_request(buf, &b) != 0 ||
			    memcmp(&a, &b, sizeof(a)) != 0)
				abort();
		}
	}
	if (size >= YB_SHM_REP_LEN) {
		struct yb_shm_reply a, b;
		if (yb_shm_dec_reply(data, &a) == 0) {
			if (a.order0 > 255 || a.order1 > 255 || a.wait > 255 ||
			    a.status > 0xffff || a.version > 0xffff)
				abort();
			yb_shm_enc_reply(buf, &a);
			if (yb_shm_dec_reply(buf, &b) != 0 ||
			    memcmp(&a, &b, sizeof(a)) != 0)
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct yb_msg *m = malloc(sizeof(*m));
	struct yb_err err;

	if (!m)
		return 0;
	check_shm_handshake(data, size);
	/* A wrap hello: accepted only whole, with a port, and then the same
	 * bytes again when encoded back. */
	struct yb_wrap_hello h;
	if (yb_wrap_dec_hello(data, size, &h, &err) == 0) {
		uint8_t back[YB_WRAP_HELLO_LEN];
		yb_wrap_enc_hello(back, &h);
		if (size != YB_WRAP_HELLO_LEN || h.port == 0 || h.port > 65535 ||
		    memcmp(back, data, size) != 0)
			abort();
	}
	/* A shm refusal: a known code, and a short printable reason. */
	char why[YB_SHM_WHY_MAX];
	int code = yb_shm_dec_refusal(data, size, why);
	if ((code != YB_EBUSY && code != YB_ENOMEM && code != YB_EPROTO) ||
	    strlen(why) >= sizeof(why))
		abort();
	for (const char *p = why; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			abort();
	if (size < YB_PROTO_HDR_LEN) {
		free(m);
		return 0;
	}
	if (yb_dec_header(data, m, &err) == 0) {
		if (m->len > YB_PROTO_MAX_PAYLOAD)
			abort();
		/* As yb_msg_recv does: the payload that arrived, then NUL. */
		size_t have = size - YB_PROTO_HDR_LEN;
		if (have > m->len)
			have = m->len;
		m->len = (uint32_t)have;
		memcpy(m->payload, data + YB_PROTO_HDR_LEN, have);
		m->payload[have] = 0;

		struct yb_hello h;
		if (yb_dec_hello(m, &h, &err) == 0 &&
		    (h.max_bytes < 1 || h.max_bytes > YB_MAX_MSG_BYTES ||
		     strlen(h.version) >= sizeof(h.version)))
			abort();
		struct yb_run r;
		uint64_t max = 1u << 20;
		if (yb_dec_run(m, max, &r, &err) == 0 &&
		    (r.bytes < 1 || r.bytes > max || r.reps < 1 ||
		     r.reps > YB_PROTO_MAX_REPS))
			abort();
		struct yb_result res;
		if (yb_dec_result(m, &res, &err) == 0 &&
		    strlen(res.text) >= sizeof(res.text))
			abort();
		struct yb_perror pe;
		if (yb_dec_error(m, &pe, &err) == 0 &&
		    strlen(pe.text) >= sizeof(pe.text))
			abort();
		uint64_t wmax;
		const char *info;
		if (yb_dec_welcome(m, &wmax, &info, &err) == 0) {
			if (strlen(info) > m->len)
				abort();
			check_lines(info);
		}
		if (yb_dec_bye(m, &info, &err) == 0) {
			if (strlen(info) > m->len)
				abort();
			check_lines(info);
		}
		(void)yb_msg_name(m->type);
	}
	free(m);
	return 0;
}
