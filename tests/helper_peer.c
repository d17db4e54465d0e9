/*
 * helper_peer.c - misbehaving peers and small probes for the end-to-end
 * tests.  Each mode does one thing:
 *
 *   helper_peer free-port
 *       print a TCP port on 127.0.0.1 that was free a moment ago
 *   helper_peer old-server ADDRESS VERSION
 *       accept one client and answer its HELLO as a server of protocol
 *       VERSION would (an ERROR if it refuses, else a WELCOME in VERSION)
 *   helper_peer old-client ADDRESS VERSION
 *       connect and send a HELLO of protocol VERSION; print the reply
 *   helper_peer garbage-server ADDRESS
 *       accept one client and answer with bytes that are not our protocol
 *   helper_peer json-valid FILE
 *       parse any JSON file with jansson; print its top-level keys
 *   helper_peer json-check FILE
 *       read a results JSON with the library reader; print
 *       "results N complete C" or fail
 *   helper_peer json-get FILE KEY
 *       print the value at the dotted KEY (meta.placement.relation) of a
 *       JSON file as "TYPE VALUE", TYPE one of string, integer, real,
 *       true, false, null, object, array; exit 1 if there is none
 *   helper_peer corrupt-server ADDRESS
 *       a server that answers ping-pong with corrupted data (--verify
 *       must catch it)
 *   helper_peer hostile-ring-server shm:PATH HOW
 *       accept one shm client through the real rendezvous, then scribble
 *       on the shared control page: HOW is "prod-ahead" (our producer
 *       counter far past the client's consumer), "cons-ahead" (our
 *       consumer counter past what the client produced), "live" (a live
 *       byte of 9) or "flip" (the producer counter jumping back and
 *       forth); waits for the client to leave
 */
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/clock.h"
#include "../core/proto.h"
#include "../core/ring.h"
#include "../core/results.h"
#include "../core/transport.h"

static int die(const char *what, const struct yb_err *err)
{
	fprintf(stderr, "helper_peer: %s: %s\n", what, err ? err->msg : "");
	return 1;
}

static int accept_one(const char *addr, struct yb_ep *conn)
{
	struct yb_ep l;
	struct yb_err err;

	if (yb_ep_listen(&l, addr, &err))
		return die("listen", &err);
	printf("listening %s\n", l.addr);
	fflush(stdout);
	if (yb_ep_accept(&l, conn, &err))
		return die("accept", &err);
	yb_ep_close(&l);
	return 0;
}

static void set_version(uint8_t *buf, unsigned v)
{
	buf[4] = (uint8_t)v;
	buf[5] = (uint8_t)(v >> 8);
}

static int old_server(const char *addr, unsigned version)
{
	uint8_t buf[YB_PROTO_HDR_LEN + YB_PROTO_MAX_PAYLOAD];
	struct yb_msg m;
	struct yb_err err;
	struct yb_ep c;

	if (accept_one(addr, &c))
		return 1;
	if (yb_msg_recv(&c, &m, 5000, &err))
		return die("recv", &err);
	size_t n = yb_enc_welcome(buf, 1u << 30, "host=old\n");
	set_version(buf, version);
	yb_msg_send(&c, buf, n, &err);
	sleep(1);
	yb_ep_close(&c);
	return 0;
}

static int old_client(const char *addr, unsigned version)
{
	uint8_t buf[YB_PROTO_HDR_LEN + YB_PROTO_MAX_PAYLOAD];
	struct yb_hello h = { .max_bytes = 64 };
	struct yb_msg m;
	struct yb_err err;
	struct yb_ep c;

	if (yb_ep_connect(&c, addr, NULL, 5000, &err))
		return die("connect", &err);
	strcpy(h.version, "0.0-test");
	size_t n = yb_enc_hello(buf, &h);
	set_version(buf, version);
	if (yb_msg_send(&c, buf, n, &err))
		return die("send", &err);
	int rc = yb_msg_expect(&c, &m, YB_MSG_WELCOME, 5000, &err);
	printf("reply rc=%d: %s\n", rc, rc ? err.msg : "WELCOME");
	yb_ep_close(&c);
	return 0;
}

static int garbage_server(const char *addr)
{
	static const char junk[] = "HTTP/1.0 400 Bad Request\r\n\r\n";
	struct yb_err err;
	struct yb_ep c;
	char tmp[64];

	if (accept_one(addr, &c))
		return 1;
	if (read(c.fd, tmp, sizeof(tmp)) < 0)
		return die("read", NULL);
	yb_send_all(&c, junk, sizeof(junk) - 1, &err);
	sleep(1);
	yb_ep_close(&c);
	return 0;
}

/* Serve HELLO and RUNs, but flip a bit in every ping-pong reply. */
static int corrupt_server(const char *addr)
{
	uint8_t buf[YB_PROTO_HDR_LEN + YB_PROTO_MAX_PAYLOAD];
	struct yb_msg m;
	struct yb_err err;
	struct yb_ep c;
	struct yb_hello h;
	struct yb_run r;

	if (accept_one(addr, &c))
		return 1;
	if (yb_msg_expect(&c, &m, YB_MSG_HELLO, 5000, &err) ||
	    yb_dec_hello(&m, &h, &err))
		return die("hello", &err);
	uint8_t *data = malloc(h.max_bytes);
	if (!data)
		return die("malloc", NULL);
	yb_msg_send(&c, buf, yb_enc_welcome(buf, h.max_bytes, ""), &err);
	while (yb_msg_recv(&c, &m, 5000, &err) == 0 && m.type == YB_MSG_RUN) {
		struct yb_result res = { 0 };
		if (yb_dec_run(&m, h.max_bytes, &r, &err))
			return die("run", &err);
		if (r.mode == YB_MODE_STREAM) {
			yb_msg_send(&c, buf, yb_enc_empty(buf, YB_MSG_GO),
				    &err);
			for (uint64_t i = 0; i < r.reps; i++)
				if (yb_recv_all(&c, data, r.bytes, &err))
					return die("recv", &err);
			res.elapsed_ns = 1000;
		} else {
			for (uint64_t i = 0; i < r.reps; i++) {
				if (yb_recv_all(&c, data, r.bytes, &err))
					return die("recv", &err);
				data[r.bytes / 2] ^= 0x10;
				if (yb_send_all(&c, data, r.bytes, &err))
					return die("send", &err);
			}
		}
		yb_msg_send(&c, buf, yb_enc_result(buf, &res), &err);
	}
	free(data);
	yb_ep_close(&c);
	return 0;
}

/* The control page of the ring this process maps (the memfd's name). */
static uint8_t *find_ring(void)
{
	FILE *fp = fopen("/proc/self/maps", "r");
	char line[512];
	unsigned long start = 0;

	while (fp && fgets(line, sizeof(line), fp))
		if (strstr(line, "yasmin-bench-ring") &&
		    sscanf(line, "%lx-", &start) == 1)
			break;
	if (fp)
		fclose(fp);
	return (uint8_t *)start;
}

static int hostile_ring_server(const char *addr, const char *how)
{
	struct yb_ep conn;

	if (accept_one(addr, &conn))
		return 1;
	uint8_t *ctrl = find_ring();
	if (!ctrl)
		return die("no ring mapped", NULL);
	uint32_t *prod0 = (uint32_t *)(void *)(ctrl + YB_RING_OFF_LINE(0, 0));
	uint32_t *cons1 = (uint32_t *)(void *)(ctrl + YB_RING_OFF_LINE(1, 1));
	if (strcmp(how, "prod-ahead") == 0) {
		__atomic_store_n(prod0, 0x40000000u, __ATOMIC_RELEASE);
	} else if (strcmp(how, "cons-ahead") == 0) {
		__atomic_store_n(cons1, 0x7fff0000u, __ATOMIC_RELEASE);
	} else if (strcmp(how, "live") == 0) {
		__atomic_store_n(ctrl + YB_RING_OFF_LIVE, 9, __ATOMIC_RELEASE);
	} else if (strcmp(how, "flip") == 0) {
		/* Values that pass one check and fail the next, until the
		 * client gives up (or 20 s pass). */
		yb_ns end = yb_now() + 20000000000ull;
		for (long i = 0; yb_now() < end; i++) {
			__atomic_store_n(prod0, (i & 1) ? 8u : 4u,
					 __ATOMIC_RELEASE);
			if (i % 100000 == 0) {
				struct pollfd p = { .fd = conn.fd,
						    .events = POLLIN };
				if (poll(&p, 1, 0) > 0 &&
				    (p.revents & (POLLHUP | POLLERR)))
					break;
			}
		}
	} else {
		return die("unknown corruption", NULL);
	}
	/* Ring the doorbell, then wait for the client to hang up. */
	if (write(conn.fd, "w", 1) < 0)
		perror("helper_peer: doorbell");
	char b[64];
	for (int i = 0; i < 100; i++) {
		ssize_t n = read(conn.fd, b, sizeof(b));
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			break;
	}
	return 0;
}

static int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t l = sizeof(sa);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    getsockname(fd, (struct sockaddr *)&sa, &l))
		return die("free-port", NULL);
	printf("%u\n", ntohs(sa.sin_port));
	close(fd);
	return 0;
}

static int json_valid(const char *path)
{
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je);
	const char *k;
	json_t *v;

	if (!root) {
		fprintf(stderr, "helper_peer: %s:%d: %s\n", path, je.line,
			je.text);
		return 1;
	}
	json_object_foreach(root, k, v) printf("%s\n", k);
	json_decref(root);
	return 0;
}

static int json_check(const char *path)
{
	struct yb_results r;
	struct yb_err err;
	json_error_t je;

	yb_results_init(&r);
	if (yb_json_read(path, &r, &err))
		return die("json-check", &err);
	json_t *root = json_load_file(path, 0, &je);
	json_t *complete = json_object_get(root, "complete");
	printf("results %zu complete %d\n", r.n,
	       json_is_true(complete) ? 1 : 0);
	json_decref(root);
	yb_results_free(&r);
	return 0;
}

static int json_get(const char *path, const char *key)
{
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je), *v = root;
	char copy[512], *save = NULL;

	if (!root) {
		fprintf(stderr, "helper_peer: %s:%d: %s\n", path, je.line,
			je.text);
		return 1;
	}
	snprintf(copy, sizeof(copy), "%s", key);
	for (char *k = strtok_r(copy, ".", &save); k && v;
	     k = strtok_r(NULL, ".", &save))
		v = json_object_get(v, k);
	int rc = 0;
	if (!v)
		rc = 1;
	else if (json_is_string(v))
		printf("string %s\n", json_string_value(v));
	else if (json_is_integer(v))
		printf("integer %lld\n", (long long)json_integer_value(v));
	else if (json_is_real(v))
		printf("real %.17g\n", json_real_value(v));
	else
		printf("%s\n", json_is_true(v)	  ? "true" :
				json_is_false(v)  ? "false" :
				json_is_null(v)	  ? "null" :
				json_is_object(v) ? "object" :
						    "array");
	json_decref(root);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "free-port") == 0)
		return free_port();
	if (argc == 4 && strcmp(argv[1], "old-server") == 0)
		return old_server(argv[2], (unsigned)atoi(argv[3]));
	if (argc == 4 && strcmp(argv[1], "old-client") == 0)
		return old_client(argv[2], (unsigned)atoi(argv[3]));
	if (argc == 3 && strcmp(argv[1], "garbage-server") == 0)
		return garbage_server(argv[2]);
	if (argc == 3 && strcmp(argv[1], "corrupt-server") == 0)
		return corrupt_server(argv[2]);
	if (argc == 4 && strcmp(argv[1], "hostile-ring-server") == 0)
		return hostile_ring_server(argv[2], argv[3]);
	if (argc == 3 && strcmp(argv[1], "json-valid") == 0)
		return json_valid(argv[2]);
	if (argc == 3 && strcmp(argv[1], "json-check") == 0)
		return json_check(argv[2]);
	if (argc == 4 && strcmp(argv[1], "json-get") == 0)
		return json_get(argv[2], argv[3]);
	fprintf(stderr, "usage: see the comment at the top of helper_peer.c\n");
	return 2;
}
