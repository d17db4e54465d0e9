/*
 * fuzz_xenstore.c - libFuzzer harness for what comes from XenStore: the
 * bytes a watch connection reads (framed, events taken apart, error
 * replies named; through the real reader, over a socket), and the
 * rendezvous text another domain writes (request) or a server domain
 * answers (reply).  Under AddressSanitizer any read past a message
 * fails; decoded values must keep the limits the decoders promise.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "transports/xenrv.h"
#include "transports/xswatch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every whole message the bytes hold, framed and taken apart. */
static void frames(const uint8_t *data, size_t size)
{
	size_t off = 0;

	for (;;) {
		struct yb_xs_msg m;
		long k = yb_xs_frame(data + off, size - off, &m);
		if (k <= 0)
			break;
		if ((size_t)k > size - off || m.len > YB_XS_PAYLOAD_MAX ||
		    (size_t)k != YB_XS_HDR + m.len)
			abort();
		char path[64], token[16];
		if (yb_xs_event(&m, path, sizeof(path), token, sizeof(token)) == 0 &&
		    (strlen(path) >= sizeof(path) || strlen(token) >= sizeof(token)))
			abort();
		int e = yb_xs_errno(&m);
		if (e <= 0)
			abort();
		off += (size_t)k;
	}
}

static void seen(void *ctx, const char *path)
{
	if (path && strlen(path) >= YB_XS_PATH_MAX)
		abort();
	++*(int *)ctx;
}

/* The same bytes as a watch connection receives them. */
static void connection(const uint8_t *data, size_t size)
{
	int sv[2];

	if (size > 65536 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		return;
	int big = 1 << 20;
	setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (size && write(sv[1], data, size) != (ssize_t)size) {
		close(sv[0]);
		close(sv[1]);
		return;
	}
	close(sv[1]);
	struct yb_xsw *w = malloc(sizeof(*w));
	if (!w) {
		close(sv[0]);
		return;
	}
	yb_xsw_init(w);
	w->fd = sv[0];
	w->pid = getpid();
	int events = 0, calls = 0;
	for (int i = 0; i < 10000; i++) {
		int n = yb_xsw_take(w, seen, &calls);
		if (n < 0) {
			if (n != -EPIPE && n != -EPROTO)
				abort();
			break;
		}
		events += n;
		if (calls != events)
			abort();
	}
	if (w->have > sizeof(w->buf) || (size_t)calls > size / YB_XS_HDR)
		abort();
	yb_xsw_close(w);
	free(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct yb_err err;

	frames(data, size);
	connection(data, size);
	/* An event's path, as a request node's: a domain id in range. */
	char path[YB_XS_PATH_MAX];
	size_t pl = size < sizeof(path) - 1 ? size : sizeof(path) - 1;
	memcpy(path, data, pl);
	path[pl] = '\0';
	unsigned dom;
	char key[YB_XRV_KEY_MAX];
	unsigned long kpid, kseq;
	int pr = yb_xrv_parse_request_path(path, "yasmin", 0, 7470, &dom, key);
	if (pr >= 0 && (dom >= YB_XRV_DOMS || strlen(key) >= sizeof(key) ||
			(pr == 0 && yb_xrv_parse_key(key, strlen(key), &kpid,
						     &kseq) != 0) ||
			(pr == 1 && key[0])))
		abort();
	/* A directory entry's name as a key: bounded numbers. */
	if (yb_xrv_parse_key((const char *)data, size, &kpid, &kseq) == 0 &&
	    (kpid == 0 || kpid > (1ul << 22) || kseq > 0xfffffffful))
		abort();
	/* The rendezvous request is text another domain writes into
	 * XenStore: every field bounded, nothing read past len. */
	struct yb_xrv_request xr;
	if (yb_xrv_parse_request((const char *)data, size, &xr, &err) == 0 &&
	    (xr.dom > 0x7fef || xr.order0 > 63 || xr.order1 > 63 ||
	     xr.wait > 2 || xr.version > 1000 || xr.tag > 65535))
		abort();
	/* The reply node a client reads, as the answer to a short and to
	 * the longest nonce: the text out is bounded and printable. */
	static const unsigned long long nonces[] = { 42, ~0ull };
	char out[YB_XRV_TEXT_MAX];
	for (size_t k = 0; k < 2; k++) {
		enum yb_xrv_answer a = yb_xrv_parse_reply(
			(const char *)data, size, nonces[k], out, sizeof(out));
		if (a > YB_XRV_UNKNOWN || strlen(out) >= sizeof(out) ||
		    (a == YB_XRV_NOT_YET && out[0]))
			abort();
		for (const char *p = out; *p; p++)
			if (*p < 0x20 || *p > 0x7e)
				abort();
	}
	return 0;
}
