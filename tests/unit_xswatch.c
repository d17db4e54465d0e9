/*
 * unit_xswatch.c - the XenStore wire format a watch connection reads
 * (framing, events, error replies: bytes from outside this process), and
 * the connection itself against a scripted xenstored on a UNIX socket: an
 * event that arrives before the answer to a watch request is kept, events
 * split across reads are whole, a refusal is the refusal's errno, a
 * silent daemon is a timeout and a vanished one a lost connection.  The
 * real xenstored and xenbus device are exercised in the Xen lab.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "transports/xswatch.h"

static size_t msg(uint8_t *out, uint32_t type, uint32_t id, const void *body,
		  uint32_t len)
{
	uint32_t h[4] = { type, id, 0, len };
	memcpy(out, h, sizeof(h));
	memcpy(out + YB_XS_HDR, body, len);
	return YB_XS_HDR + len;
}

static void frame_whole_and_split(void **state)
{
	uint8_t b[64];
	struct yb_xs_msg m;
	(void)state;

	size_t n = msg(b, YB_XS_WATCH_EVENT, 7, "/a/b\0tok\0", 9);
	for (size_t cut = 0; cut < n; cut++)
		assert_int_equal(yb_xs_frame(b, cut, &m), 0);
	assert_int_equal(yb_xs_frame(b, n, &m), (long)n);
	assert_int_equal(m.type, YB_XS_WATCH_EVENT);
	assert_int_equal(m.req_id, 7);
	assert_int_equal(m.len, 9);
	char path[8], tok[4];
	assert_int_equal(yb_xs_event(&m, path, sizeof(path), tok, sizeof(tok)), 0);
	assert_string_equal(path, "/a/b");
	assert_string_equal(tok, "tok");
	/* Two messages back to back: the first one's length only. */
	size_t n2 = msg(b + n, YB_XS_WATCH, 8, "OK", 3);
	assert_int_equal(yb_xs_frame(b, n + n2, &m), (long)n);
}

static void frame_oversized(void **state)
{
	uint8_t b[YB_XS_HDR];
	struct yb_xs_msg m;
	uint32_t h[4] = { YB_XS_WATCH_EVENT, 0, 0, YB_XS_PAYLOAD_MAX + 1 };
	(void)state;

	memcpy(b, h, sizeof(h));
	assert_int_equal(yb_xs_frame(b, sizeof(b), &m), -1);
	h[3] = 0xffffffffu;
	memcpy(b, h, sizeof(h));
	assert_int_equal(yb_xs_frame(b, sizeof(b), &m), -1);
}

static void event_malformed(void **state)
{
	char path[8], tok[8];
	struct yb_xs_msg m = { .type = YB_XS_WATCH_EVENT };
	(void)state;

	/* No NUL after the token, no token, a path too long for the room,
	 * not an event at all. */
	m.body = "/a\0tok";
	m.len = 6;
	assert_int_equal(yb_xs_event(&m, path, sizeof(path), tok, sizeof(tok)), -1);
	m.body = "/a";
	m.len = 2;
	assert_int_equal(yb_xs_event(&m, path, sizeof(path), tok, sizeof(tok)), -1);
	m.body = "/abcdefgh\0t\0";
	m.len = 12;
	assert_int_equal(yb_xs_event(&m, path, sizeof(path), tok, sizeof(tok)), -1);
	assert_int_equal(yb_xs_event(&m, NULL, 0, tok, sizeof(tok)), 0);
	assert_string_equal(tok, "t");
	m.type = YB_XS_ERROR;
	assert_int_equal(yb_xs_event(&m, path, sizeof(path), tok, sizeof(tok)), -1);
}

static void error_names(void **state)
{
	struct yb_xs_msg m = { .type = YB_XS_ERROR };
	(void)state;

	m.body = "EACCES";
	m.len = 7;
	assert_int_equal(yb_xs_errno(&m), EACCES);
	m.body = "ENOENT";
	m.len = 6; /* no NUL: the length bounds it */
	assert_int_equal(yb_xs_errno(&m), ENOENT);
	m.body = "EACCESS";
	m.len = 8;
	assert_int_equal(yb_xs_errno(&m), EIO);
	m.body = "";
	m.len = 0;
	assert_int_equal(yb_xs_errno(&m), EIO);
}

static void build_limits(void **state)
{
	uint8_t out[YB_XS_HDR + YB_XS_PAYLOAD_MAX];
	struct yb_xs_msg m;
	const char *s[2] = { "/x", "t" };
	(void)state;

	long n = yb_xs_build(out, sizeof(out), YB_XS_WATCH, 5, s, 2);
	assert_int_equal(n, YB_XS_HDR + 5);
	assert_int_equal(yb_xs_frame(out, (size_t)n, &m), n);
	assert_int_equal(m.type, YB_XS_WATCH);
	assert_int_equal(m.req_id, 5);
	assert_memory_equal(m.body, "/x\0t\0", 5);
	assert_int_equal(yb_xs_build(out, YB_XS_HDR + 4, YB_XS_WATCH, 5, s, 2), -1);
	char *big = malloc(YB_XS_PAYLOAD_MAX);
	assert_non_null(big);
	memset(big, 'a', YB_XS_PAYLOAD_MAX - 1);
	big[YB_XS_PAYLOAD_MAX - 1] = '\0';
	const char *b1[1] = { big };
	assert_int_equal(yb_xs_build(out, sizeof(out), YB_XS_WATCH, 1, b1, 1),
			 YB_XS_HDR + YB_XS_PAYLOAD_MAX);
	assert_int_equal(yb_xs_build(out, sizeof(out), YB_XS_WATCH, 1, s, 0) ,
			 YB_XS_HDR);
	const char *b2[2] = { big, "t" };
	assert_int_equal(yb_xs_build(out, sizeof(out), YB_XS_WATCH, 1, b2, 2), -1);
	free(big);
}

/* ---- a scripted daemon ------------------------------------------------------ */

enum script {
	EVENT_FIRST, /* an event before the answer, then one in pieces */
	REFUSE,      /* EACCES */
	SILENT,      /* never answers */
	HANG_UP,     /* answers, then closes */
};

static void put(int fd, const uint8_t *b, size_t n)
{
	while (n) {
		ssize_t k = write(fd, b, n);
		if (k <= 0)
			_exit(3);
		b += k;
		n -= (size_t)k;
	}
}

static void daemon_run(int lfd, enum script how)
{
	int fd = accept(lfd, NULL, NULL);
	uint8_t in[YB_XS_HDR + YB_XS_PAYLOAD_MAX], out[256];
	size_t have = 0;
	struct yb_xs_msg m;
	long k;

	if (fd < 0)
		_exit(2);
	while ((k = yb_xs_frame(in, have, &m)) == 0) {
		ssize_t r = read(fd, in + have, sizeof(in) - have);
		if (r <= 0)
			_exit(2);
		have += (size_t)r;
	}
	if (k < 0 || m.type != YB_XS_WATCH || memcmp(m.body, "/w\0tk\0", 6) != 0)
		_exit(4);
	switch (how) {
	case EVENT_FIRST: {
		size_t n = msg(out, YB_XS_WATCH_EVENT, 0, "/w/early\0tk\0", 12);
		n += msg(out + n, YB_XS_WATCH, m.req_id, "OK", 3);
		put(fd, out, n);
		usleep(100000);
		n = msg(out, YB_XS_WATCH_EVENT, 0, "/w/late\0tk\0", 11);
		put(fd, out, 5);
		usleep(50000);
		put(fd, out + 5, n - 5);
		break;
	}
	case REFUSE:
		put(fd, out, msg(out, YB_XS_ERROR, m.req_id, "EACCES", 7));
		break;
	case SILENT:
		break;
	case HANG_UP:
		put(fd, out, msg(out, YB_XS_WATCH, m.req_id, "OK", 3));
		close(fd);
		_exit(0);
	}
	/* Hold the connection until the test is done with it. */
	char c;
	while (read(fd, &c, 1) > 0)
		;
	_exit(0);
}

static pid_t start_daemon(enum script how, char *path, size_t pathlen)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(path, pathlen, "/tmp/yb-xsw-%d-%d.sock", (int)getpid(), (int)how);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	unlink(path);
	int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		daemon_run(lfd, how);
	close(lfd);
	return pid;
}

static void stop_daemon(pid_t pid, const char *path)
{
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	unlink(path);
}

static void keep_last(void *ctx, const char *path)
{
	snprintf(ctx, 64, "%s", path ? path : "(malformed)");
}

static void watch_event_before_reply(void **state)
{
	char path[108], last[64] = "";
	struct yb_xsw w;
	(void)state;

	pid_t pid = start_daemon(EVENT_FIRST, path, sizeof(path));
	assert_int_equal(yb_xsw_open(&w, path), 0);
	assert_true(yb_xsw_usable(&w));
	assert_int_equal(yb_xsw_add(&w, "/w", "tk", 2000), 0);
	/* The early event was read with the answer and is not lost. */
	assert_int_equal(yb_xsw_take(&w, keep_last, last), 1);
	assert_int_equal(yb_xsw_take(&w, keep_last, last), 0);
	/* The late one arrives in two pieces: one event, whole. */
	int got = 0;
	for (int i = 0; i < 100 && !got; i++) {
		usleep(10000);
		got = yb_xsw_take(&w, keep_last, last);
		assert_true(got >= 0);
	}
	assert_int_equal(got, 1);
	assert_string_equal(last, "/w/late");
	yb_xsw_close(&w);
	assert_false(yb_xsw_usable(&w));
	assert_int_equal(yb_xsw_take(&w, NULL, NULL), -EBADF);
	stop_daemon(pid, path);
}

static void watch_refused(void **state)
{
	char path[108];
	struct yb_xsw w;
	(void)state;

	pid_t pid = start_daemon(REFUSE, path, sizeof(path));
	assert_int_equal(yb_xsw_open(&w, path), 0);
	assert_int_equal(yb_xsw_add(&w, "/w", "tk", 2000), -EACCES);
	yb_xsw_close(&w);
	stop_daemon(pid, path);
}

static void watch_silent_daemon(void **state)
{
	char path[108];
	struct yb_xsw w;
	(void)state;

	pid_t pid = start_daemon(SILENT, path, sizeof(path));
	assert_int_equal(yb_xsw_open(&w, path), 0);
	assert_int_equal(yb_xsw_add(&w, "/w", "tk", 200), -ETIMEDOUT);
	/* A late answer must not be taken for another request's. */
	assert_false(yb_xsw_usable(&w));
	stop_daemon(pid, path);
}

static void watch_daemon_gone(void **state)
{
	char path[108];
	struct yb_xsw w;
	(void)state;

	pid_t pid = start_daemon(HANG_UP, path, sizeof(path));
	assert_int_equal(yb_xsw_open(&w, path), 0);
	assert_int_equal(yb_xsw_add(&w, "/w", "tk", 2000), 0);
	waitpid(pid, NULL, 0);
	assert_int_equal(yb_xsw_take(&w, NULL, NULL), -EPIPE);
	yb_xsw_close(&w);
	unlink(path);
}

static void open_missing(void **state)
{
	struct yb_xsw w;
	(void)state;

	assert_int_equal(yb_xsw_open(&w, "/nonexistent/xenstored"), -ENOENT);
	assert_false(yb_xsw_usable(&w));
	assert_int_equal(yb_xsw_fd(&w), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(frame_whole_and_split),
		cmocka_unit_test(frame_oversized),
		cmocka_unit_test(event_malformed),
		cmocka_unit_test(error_names),
		cmocka_unit_test(build_limits),
		cmocka_unit_test(watch_event_before_reply),
		cmocka_unit_test(watch_refused),
		cmocka_unit_test(watch_silent_daemon),
		cmocka_unit_test(watch_daemon_gone),
		cmocka_unit_test(open_missing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
