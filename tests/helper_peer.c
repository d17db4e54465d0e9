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
 *       print the value at the dotted KEY (meta.placement.relation;
 *       a number indexes an array: runs.0.side) of a
 *       JSON file as "TYPE VALUE", TYPE one of string, integer, real,
 *       true, false, null, object, array; exit 1 if there is none
 *   helper_peer corrupt-server ADDRESS
 *       a server that answers ping-pong, and streams it sends (--reverse,
 *       --bidir), with corrupted data (--verify
 *       must catch it)
 *   helper_peer known-server ADDRESS delay-spin|delay-sleep NS
 *   helper_peer known-server ADDRESS rate BITS_PER_SECOND
 *       the real server engine (yb_serve) for one client, with a known
 *       cost added inside its timed window: each ping-pong message held
 *       NS before its echo (busy-waiting or sleeping), or a stream drained
 *       at exactly BITS_PER_SECOND (busy-waiting until each message is
 *       due); prints "listening ADDRESS" first
 *   helper_peer pairs-check FILE [TRANSPORT]
 *       recompute every figure of a --pairs run's results.json that
 *       follows from the trials it records: each row's bandwidth (best,
 *       worst, median trial), each total from its pairs' trials (all
 *       repetitions from the first pair's start to the last one's end), and how much the pairs'
 *       ping-pong trials overlapped in time; fail on a mismatch, or when
 *       in fewer than three quarters of TRANSPORT's ping-pong points the
 *       pairs' trials all overlapped in time (pairs run one after
 *       another never do)
 *   helper_peer hostile-ring-server shm:PATH HOW
 *       accept one shm client through the real rendezvous, then scribble
 *       on the shared control page: HOW is "prod-ahead" (our producer
 *       counter far past the client's consumer), "cons-ahead" (our
 *       consumer counter past what the client produced), "live" (a live
 *       byte of 9) or "flip" (the producer counter jumping back and
 *       forth); waits for the client to leave
 *   helper_peer hostile-shm-reply PATH
 *       listen on the UNIX socket PATH as a shm server would, take one
 *       client's request and answer it with an accepted reply that asks
 *       the client to spin longer than any peer may (a descriptor of
 *       /dev/null beside it); prints "listening" first, waits for the
 *       client to leave
 *   helper_peer nonblock-reader shm:PATH
 *       a shm server (a child process) that sends "hello" after 200 ms,
 *       and a client that reads it without blocking: non-blocking ring
 *       reads and poll(2) on the ring's descriptor, which must become
 *       readable when the data arrives; prints "read hello after N
 *       polls", fails if poll times out (5 s) or the bytes are wrong
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/wire/proto.h"
#include "core/wire/ring.h"
#include "core/report/results.h"
#include "core/measure/flow.h"
#include "core/measure/serve.h"
#include "core/wire/transport.h"
#include "transports/shm.h"
#include "transports/sock.h"

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

/*
 * Serve HELLO and RUNs, but flip a bit in every ping-pong reply and in
 * every byte it streams (--reverse, --bidir): it sends from a pattern
 * whose every byte is off by one bit.
 */
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
	struct yb_pattern bad;
	if (!data || yb_pattern_init(&bad, h.max_bytes))
		return die("malloc", NULL);
	for (size_t i = 0; i < YB_PATTERN_PERIOD + h.max_bytes; i++)
		bad.buf[i] ^= 0x10;
	yb_msg_send(&c, buf, yb_enc_welcome(buf, h.max_bytes, ""), &err);
	while (yb_msg_recv(&c, &m, 5000, &err) == 0 && m.type == YB_MSG_RUN) {
		struct yb_result res = { 0 };
		if (yb_dec_run(&m, h.max_bytes, &r, &err))
			return die("run", &err);
		yb_msg_send(&c, buf, yb_enc_empty(buf, YB_MSG_GO), &err);
		struct yb_flow_rx rx = { .buf = data, .max = h.max_bytes,
					 .timeout_ms = 5000 };
		struct yb_spent sp;
		yb_ns t0;
		if (r.mode == YB_MODE_STREAM && (r.flags & YB_RUN_REVERSE)) {
			if (yb_flow_send(&c, &bad, r.seq, r.bytes, r.reps, &sp,
					 &t0, &err))
				return die("send", &err);
		} else if (r.mode == YB_MODE_STREAM &&
			   (r.flags & YB_RUN_BIDIR)) {
			if (yb_flow_both(&c, &bad, &rx, r.seq, r.bytes, r.reps,
					 &err))
				return die("both ways", &err);
			res.elapsed_ns = 1000;
		} else if (r.mode == YB_MODE_STREAM) {
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
	yb_pattern_free(&bad);
	yb_ep_close(&c);
	return 0;
}

/* ---- known answers ------------------------------------------------------ */

struct known {
	int spin;       /* busy-wait (1) or sleep (0) */
	uint64_t delay_ns; /* per ping-pong message */
	double bits_per_s; /* stream drain rate, or 0 */
	yb_ns run_start;
};

static void spin_until(yb_ns t)
{
	while (yb_now() < t)
		;
}

static void known_hook(void *ctx, unsigned mode, uint64_t bytes,
		       uint64_t index)
{
	struct known *k = ctx;

	if (mode == YB_MODE_PINGPONG && k->delay_ns) {
		if (k->spin) {
			spin_until(yb_now() + k->delay_ns);
		} else {
			struct timespec ts = { 0, (long)k->delay_ns };
			nanosleep(&ts, NULL);
		}
	} else if (mode == YB_MODE_STREAM && k->bits_per_s > 0) {
		/* Message index is due (index + 1) message times after the
		 * first one arrived: the receiver drains at the rate. */
		if (index == 0)
			k->run_start = yb_now();
		double due = (double)(index + 1) * (double)bytes * 8.0 /
			     k->bits_per_s * 1e9;
		spin_until(k->run_start + (yb_ns)due);
	}
}

static int known_server(const char *addr, const char *how, const char *arg)
{
	struct known k = { 0 };
	struct yb_err err = { 0 };
	struct yb_meta info;
	struct yb_ep c;
	char *end;
	double v = strtod(arg, &end);

	if (end == arg || *end || !(v > 0))
		return die("known-server: bad number", NULL);
	if (strcmp(how, "delay-spin") == 0 || strcmp(how, "delay-sleep") == 0) {
		k.spin = strcmp(how, "delay-spin") == 0;
		k.delay_ns = (uint64_t)v;
	} else if (strcmp(how, "rate") == 0) {
		k.bits_per_s = v;
	} else {
		return die("known-server: expected delay-spin, delay-sleep or "
			   "rate", NULL);
	}
	if (accept_one(addr, &c))
		return 1;
	yb_meta_init(&info);
	yb_meta_set(&info, "known", "%s %s", how, arg);
	struct yb_serve_opts so = { .timeout_ms = 60000,
				    .info = &info,
				    .on_data = known_hook,
				    .on_data_ctx = &k };
	int rc = yb_serve(&c, &so, &err);
	yb_ep_close(&c);
	yb_meta_free(&info);
	return rc ? die("serve", &err) : 0;
}

/* ---- pairs ---------------------------------------------------------------- */

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Best, worst and median of n trial bandwidths. */
static void trio(double *bw, unsigned n, double out[3])
{
	qsort(bw, n, sizeof(*bw), cmp_d);
	out[0] = bw[n - 1];
	out[1] = bw[0];
	out[2] = n % 2 ? bw[n / 2] : (bw[n / 2 - 1] + bw[n / 2]) / 2;
}

static int close_to(double a, double b)
{
	return fabs(a - b) <= 1e-6 * fabs(b) + 1e-9;
}

static int same_point(const struct yb_point *a, const struct yb_point *b)
{
	return strcmp(a->transport, b->transport) == 0 && a->mode == b->mode &&
	       a->bytes == b->bytes && a->ring_bytes == b->ring_bytes &&
	       strcmp(a->wait, b->wait) == 0 && a->pairs == b->pairs;
}

static int check_trio(const struct yb_point *p, double *bw, const char *what)
{
	double t[3];

	trio(bw, p->trials, t);
	if (close_to(p->bw_gbps, t[0]) && close_to(p->bw_min_gbps, t[1]) &&
	    close_to(p->bw_median_gbps, t[2]))
		return 0;
	fprintf(stderr,
		"%s %s %s %llu B: bandwidth %g/%g/%g, its trials give "
		"%g/%g/%g\n",
		what, p->transport, yb_mode_name(p->mode),
		(unsigned long long)p->bytes, p->bw_gbps, p->bw_min_gbps,
		p->bw_median_gbps, t[0], t[1], t[2]);
	return 1;
}

static int pairs_check(const char *path, const char *overlap_of)
{
	struct yb_results r;
	struct yb_err err;
	unsigned totals = 0, rows = 0, pp = 0, together = 0, bad = 0;

	yb_results_init(&r);
	if (yb_json_read(path, &r, &err))
		return die("read", &err);
	for (size_t i = 0; i < r.n && !bad; i++) {
		const struct yb_point *p = &r.p[i];
		double ways = p->mode == YB_MODE_PINGPONG ? 2 : 1, bw[1000];
		if (!p->trial || p->trials > 1000) {
			fprintf(stderr, "row %zu has no trial detail\n", i);
			bad = 1;
			break;
		}
		for (unsigned t = 0; t < p->trials; t++)
			bw[t] = 8.0 * ways * (double)p->bytes *
				(double)p->trial[t].reps /
				(double)p->trial[t].elapsed_ns;
		bad |= check_trio(p, bw, p->pair ? "pair" : "total");
		if (p->pair) {
			rows++;
			continue;
		}
		/* A total, from its pairs' own trials. */
		const struct yb_point *pr[YB_MAX_PAIRS] = { 0 };
		for (size_t k = 0; k < r.n; k++)
			if (r.p[k].pair && same_point(&r.p[k], p))
				pr[r.p[k].pair - 1] = &r.p[k];
		int overlap = 1;
		for (unsigned t = 0; t < p->trials && !bad; t++) {
			uint64_t reps = 0, first_start = UINT64_MAX;
			uint64_t last_end = 0, last_start = 0;
			uint64_t first_end = UINT64_MAX;
			for (unsigned k = 0; k < p->pairs; k++) {
				if (!pr[k] || !pr[k]->trial ||
				    pr[k]->trials != p->trials) {
					fprintf(stderr, "total %s %llu B: pair "
						"%u missing\n", p->transport,
						(unsigned long long)p->bytes,
						k + 1);
					bad = 1;
					break;
				}
				const struct yb_trial *x = &pr[k]->trial[t];
				reps += x->reps;
				if (x->start_ns < first_start)
					first_start = x->start_ns;
				if (x->start_ns + x->elapsed_ns > last_end)
					last_end = x->start_ns + x->elapsed_ns;
				if (x->start_ns > last_start)
					last_start = x->start_ns;
				if (x->start_ns + x->elapsed_ns < first_end)
					first_end = x->start_ns + x->elapsed_ns;
			}
			bw[t] = 8.0 * ways * (double)p->bytes * (double)reps /
				(double)(last_end - first_start);
			/* Ping-pong windows are the clients' own: the pairs
			 * ran at once if every pair's window met every
			 * other's (pairs run one after another never do). */
			if (first_end <= last_start)
				overlap = 0;
		}
		if (!bad)
			bad |= check_trio(p, bw, "total from pairs");
		totals++;
		if (p->mode == YB_MODE_PINGPONG && overlap_of &&
		    strcmp(p->transport, overlap_of) == 0) {
			pp++;
			together += overlap;
		}
	}
	yb_results_free(&r);
	printf("pairs-check: %u totals and %u pair rows recomputed; %s pairs "
	       "ran at once in %u of %u ping-pong points\n",
	       totals, rows, overlap_of ? overlap_of : "(none asked)",
	       together, pp);
	if (bad || totals == 0)
		return 1;
	return together * 4 >= pp * 3 ? 0 : 1;
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

static int hostile_shm_reply(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(l, 1))
		return die("hostile-shm-reply: listen", NULL);
	printf("listening\n");
	fflush(stdout);
	int c = accept(l, NULL, NULL);
	uint8_t req[YB_SHM_REQ_LEN], buf[YB_SHM_REP_LEN];
	if (c < 0 || yb_sock_read_full(c, req, sizeof(req), 10000, NULL, 0,
				       NULL))
		return die("hostile-shm-reply: no request", NULL);
	struct yb_shm_reply rep = {
		.version = YB_SHM_VERSION,
		.status = YB_SHM_ACCEPTED,
		.order0 = 12,
		.order1 = 12,
		.wait = YB_WAIT_ADAPTIVE,
		.spin_ns = YB_RING_MAX_SPIN_NS + 1,
		.size = yb_ring_shared_bytes(12, 12),
	};
	yb_shm_enc_reply(buf, &rep);
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (yb_sock_write_full(c, buf, sizeof(buf), fd))
		return die("hostile-shm-reply: reply", NULL);
	char b[64];
	while (read(c, b, sizeof(b)) > 0)
		;
	close(fd);
	close(c);
	close(l);
	return 0;
}

static int nonblock_reader(const char *addr)
{
	struct yb_ep l, c;
	struct yb_err err;

	if (yb_ep_listen(&l, addr, &err))
		return die("listen", &err);
	pid_t pid = fork();
	if (pid < 0)
		return die("fork", NULL);
	if (pid == 0) {
		if (yb_ep_accept(&l, &c, &err))
			_exit(die("accept", &err));
		usleep(200000);
		char ok[2];
		if (yb_send_all(&c, "hello", 5, &err) ||
		    yb_recv_all(&c, ok, 2, &err) || memcmp(ok, "ok", 2) != 0)
			_exit(die("server side", &err));
		yb_ep_close(&c);
		_exit(0);
	}
	yb_ep_forget(&l);
	if (yb_ep_connect(&c, addr, NULL, 5000, &err))
		return die("connect", &err);
	struct yb_ring *r = c.priv; /* a ring transport's state starts so */
	char buf[16];
	size_t got = 0;
	int polls = 0;
	while (got < 5) {
		ssize_t n = yb_ring_recv(r, buf + got, sizeof(buf) - got, 1);
		if (n > 0) {
			got += (size_t)n;
			continue;
		}
		if (n != YB_EAGAIN)
			return die("non-blocking read failed", NULL);
		struct pollfd pfd = { .fd = yb_ring_fd(r), .events = POLLIN };
		polls++;
		if (poll(&pfd, 1, 5000) != 1)
			return die("the ring's descriptor never became readable",
				   NULL);
	}
	if (memcmp(buf, "hello", 5) != 0)
		return die("read other bytes than sent", NULL);
	if (yb_send_all(&c, "ok", 2, &err))
		return die("send", &err);
	int status;
	waitpid(pid, &status, 0);
	yb_ep_close(&c);
	printf("read hello after %d polls\n", polls);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
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
		v = json_is_array(v) ? json_array_get(v, strtoul(k, NULL, 10)) :
				       json_object_get(v, k);
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
	if (argc == 5 && strcmp(argv[1], "known-server") == 0)
		return known_server(argv[2], argv[3], argv[4]);
	if ((argc == 3 || argc == 4) && strcmp(argv[1], "pairs-check") == 0)
		return pairs_check(argv[2], argc == 4 ? argv[3] : NULL);
	if (argc == 4 && strcmp(argv[1], "hostile-ring-server") == 0)
		return hostile_ring_server(argv[2], argv[3]);
	if (argc == 3 && strcmp(argv[1], "nonblock-reader") == 0)
		return nonblock_reader(argv[2]);
	if (argc == 3 && strcmp(argv[1], "hostile-shm-reply") == 0)
		return hostile_shm_reply(argv[2]);
	if (argc == 3 && strcmp(argv[1], "json-valid") == 0)
		return json_valid(argv[2]);
	if (argc == 3 && strcmp(argv[1], "json-check") == 0)
		return json_check(argv[2]);
	if (argc == 4 && strcmp(argv[1], "json-get") == 0)
		return json_get(argv[2], argv[3]);
	fprintf(stderr, "usage: see the comment at the top of helper_peer.c\n");
	return 2;
}
