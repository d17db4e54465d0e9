/*
 * helper_wrap.c - small socket programs of our own that know nothing of
 * yasmin-bench, for tests/e2e/wrap.sh to run unmodified under `wrap`
 * (and without it): an epoll echo server and clients that check every
 * byte that comes back.
 *
 *   helper_wrap serve PORT N [et]      echo server on 127.0.0.1:PORT with
 *                                      non-blocking sockets and epoll
 *                                      (edge-triggered with "et"), for N
 *                                      connections at once; each ends
 *                                      after the client's end of stream
 *   helper_wrap client PORT BYTES SEED [select|dup|dup2]
 *                                      non-blocking connect (EINPROGRESS,
 *                                      then writable), BYTES of a pattern
 *                                      out while the echo comes back
 *                                      through poll (or select), then
 *                                      shutdown(SHUT_WR) and the end of
 *                                      the stream; "dup", "dup2": work on
 *                                      a copy of the socket, the first
 *                                      closed
 *   helper_wrap fork PORT BYTES SEED   connect, fork: the child moves
 *                                      the bytes (writev/readv, blocking),
 *                                      the parent closes its copy at once
 *   helper_wrap closer PORT            one thread blocks in read() while
 *                                      another closes the socket under it
 *                                      (TCP leaves the reader waiting;
 *                                      nothing may crash)
 *   helper_wrap signals PORT           a blocking read that a signal
 *                                      interrupts: with SA_RESTART it goes
 *                                      on and gets the echo, without it
 *                                      fails with EINTR, as over TCP
 *   helper_wrap stream PORT            send and read back until the
 *                                      connection fails; print how it
 *                                      failed and when (ms, wall clock)
 *
 * Every mode prints one line and exits 0 when all went as it should.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint8_t pattern(uint64_t i, unsigned seed)
{
	uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ull ^ seed;
	x ^= x >> 29;
	return (uint8_t)(x * 0xbf58476d1ce4e5b9ull >> 56);
}

static void die(const char *what)
{
	printf("FAIL %s: %s\n", what, strerror(errno));
	exit(1);
}

static void addr_of(struct sockaddr_in *a, int port)
{
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)port);
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

static void set_nonblock(int fd, int on)
{
	int fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK);
}

/* ---- the echo server ---------------------------------------------------- */

struct conn {
	int fd;
	uint8_t buf[65536];
	size_t len;   /* bytes read, not yet echoed */
	int eof;      /* the client ended its stream */
	int out;      /* EPOLLOUT registered */
};

static int serve(int port, int n, int et)
{
	struct sockaddr_in a;
	int one = 1, served = 0, open_conns = 0;
	int l = socket(AF_INET, SOCK_STREAM, 0);

	addr_of(&a, port);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 64))
		die("listen");
	set_nonblock(l, 1);
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev);
	printf("listening %d\n", port);
	fflush(stdout);
	uint32_t mode = et ? EPOLLET : 0;
	while (served < n) {
		struct epoll_event evs[16];
		int k = epoll_wait(ep, evs, 16, 20000);
		if (k == 0) {
			printf("FAIL serve: nothing for 20 s (%d of %d served)\n",
			       served, n);
			return 1;
		}
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			die("epoll_wait");
		for (int i = 0; i < k; i++) {
			struct conn *c = evs[i].data.ptr;
			if (!c) {
				int fd;
				while ((fd = accept4(l, NULL, NULL,
						     SOCK_NONBLOCK)) >= 0) {
					c = calloc(1, sizeof(*c));
					c->fd = fd;
					struct epoll_event e = {
						.events = EPOLLIN | EPOLLRDHUP | mode,
						.data.ptr = c
					};
					epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
					open_conns++;
				}
				continue;
			}
			/* Move what can move: read while there is room,
			 * write while there is something. */
			for (;;) {
				int moved = 0;
				if (!c->eof && c->len < sizeof(c->buf)) {
					ssize_t r = read(c->fd, c->buf + c->len,
							 sizeof(c->buf) - c->len);
					if (r > 0) {
						c->len += (size_t)r;
						moved = 1;
					} else if (r == 0) {
						c->eof = 1;
					} else if (errno != EAGAIN) {
						die("server read");
					}
				}
				if (c->len) {
					ssize_t w = write(c->fd, c->buf, c->len);
					if (w > 0) {
						memmove(c->buf, c->buf + w,
							c->len - (size_t)w);
						c->len -= (size_t)w;
						moved = 1;
					} else if (w < 0 && errno != EAGAIN) {
						die("server write");
					}
				}
				if (!moved)
					break;
			}
			if (c->eof && !c->len) {
				shutdown(c->fd, SHUT_WR);
				epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
				close(c->fd);
				free(c);
				served++;
				open_conns--;
				continue;
			}
			/* Wait for space only while something waits for it. */
			int want_out = c->len > 0;
			if (want_out != c->out) {
				struct epoll_event e = {
					.events = EPOLLIN | EPOLLRDHUP | mode |
						  (want_out ? EPOLLOUT : 0),
					.data.ptr = c
				};
				epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &e);
				c->out = want_out;
			}
		}
	}
	printf("served %d\n", served);
	return 0;
}

/* ---- clients -------------------------------------------------------------- */

static int connect_nonblocking(int port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	addr_of(&a, port);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	set_nonblock(fd, 1);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		if (errno != EINPROGRESS)
			die("connect");
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		if (poll(&p, 1, 10000) != 1)
			die("connect: never writable");
		int e = 0;
		socklen_t l = sizeof(e);
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &l);
		if (e) {
			errno = e;
			die("connect (SO_ERROR)");
		}
	}
	return fd;
}

/* Wait for fd to be readable (rd) and/or writable (wr), by poll or
 * select; sets *r and *w. */
static void wait_io(int fd, int rd, int wr, int use_select, int *r, int *w)
{
	*r = *w = 0;
	if (use_select) {
		fd_set rs, ws;
		FD_ZERO(&rs);
		FD_ZERO(&ws);
		if (rd)
			FD_SET(fd, &rs);
		if (wr)
			FD_SET(fd, &ws);
		struct timeval tv = { 10, 0 };
		int n = select(fd + 1, &rs, &ws, NULL, &tv);
		if (n <= 0)
			die(n == 0 ? "select: nothing for 10 s" : "select");
		*r = FD_ISSET(fd, &rs);
		*w = FD_ISSET(fd, &ws);
		return;
	}
	struct pollfd p = { .fd = fd,
			    .events = (short)((rd ? POLLIN : 0) |
					      (wr ? POLLOUT : 0)) };
	int n = poll(&p, 1, 10000);
	if (n <= 0)
		die(n == 0 ? "poll: nothing for 10 s" : "poll");
	*r = (p.revents & (POLLIN | POLLHUP | POLLERR)) != 0;
	*w = (p.revents & (POLLOUT | POLLERR)) != 0;
}

static int client(int port, uint64_t bytes, unsigned seed, const char *how)
{
	int use_select = how && strcmp(how, "select") == 0;
	int fd = connect_nonblocking(port);
	uint8_t out[16384], in[16384];
	uint64_t sent = 0, got = 0;
	int shut = 0;

	if (how && (strcmp(how, "dup") == 0 || strcmp(how, "dup2") == 0)) {
		int d = how[3] ? dup2(fd, fd + 40) : dup(fd);
		if (d < 0)
			die("dup");
		close(fd);
		fd = d;
	}
	for (;;) {
		int r, w;
		wait_io(fd, 1, sent < bytes, use_select, &r, &w);
		if (w && sent < bytes) {
			size_t n = bytes - sent < sizeof(out) ?
					   (size_t)(bytes - sent) : sizeof(out);
			for (size_t i = 0; i < n; i++)
				out[i] = pattern(sent + i, seed);
			ssize_t k = send(fd, out, n, MSG_NOSIGNAL);
			if (k > 0)
				sent += (uint64_t)k;
			else if (k < 0 && errno != EAGAIN)
				die("send");
		}
		if (sent == bytes && !shut) {
			shutdown(fd, SHUT_WR);
			shut = 1;
		}
		if (r) {
			ssize_t k = recv(fd, in, sizeof(in), 0);
			if (k == 0)
				break;
			if (k < 0 && errno != EAGAIN)
				die("recv");
			for (ssize_t i = 0; i < k; i++)
				if (in[i] != pattern(got + (uint64_t)i, seed)) {
					printf("FAIL byte %llu came back as %u, "
					       "not %u\n",
					       (unsigned long long)(got + (uint64_t)i),
					       in[i], pattern(got + (uint64_t)i, seed));
					return 1;
				}
			if (k > 0)
				got += (uint64_t)k;
		}
	}
	close(fd);
	if (got != bytes) {
		printf("FAIL %llu bytes sent, %llu came back\n",
		       (unsigned long long)bytes, (unsigned long long)got);
		return 1;
	}
	printf("ok %llu bytes sent and %llu echoed, all checked\n",
	       (unsigned long long)sent, (unsigned long long)got);
	return 0;
}

/* Do the n bytes at in, stream offset at, match the pattern?  Says which
 * does not, and exits, in the child. */
static void check_echo(const uint8_t *in, ssize_t n, uint64_t at,
		       unsigned seed)
{
	for (ssize_t i = 0; i < n; i++)
		if (in[i] != pattern(at + (uint64_t)i, seed)) {
			printf("FAIL byte %llu differs\n",
			       (unsigned long long)(at + (uint64_t)i));
			_exit(1);
		}
}

static int forked(int port, uint64_t bytes, unsigned seed)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	addr_of(&a, port);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
		die("connect");
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid > 0) {
		/* The parent lets go at once, as a forking server does. */
		close(fd);
		int st;
		waitpid(pid, &st, 0);
		return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
	}
	uint8_t out[8192], in[8192];
	uint64_t got = 0;
	for (uint64_t sent = 0; sent < bytes;) {
		size_t n = bytes - sent < sizeof(out) ? (size_t)(bytes - sent) :
							sizeof(out);
		for (size_t i = 0; i < n; i++)
			out[i] = pattern(sent + i, seed);
		struct iovec v[2] = { { out, n / 2 }, { out + n / 2, n - n / 2 } };
		ssize_t k = writev(fd, v, 2);
		if (k <= 0)
			die("writev");
		sent += (uint64_t)k;
		/* Read back what came, so that neither side's buffer fills. */
		while (got + sizeof(in) <= sent) {
			struct iovec r[2] = { { in, 100 }, { in + 100, sizeof(in) - 100 } };
			ssize_t m = readv(fd, r, 2);
			if (m <= 0)
				die("readv");
			check_echo(in, m, got, seed);
			got += (uint64_t)m;
		}
	}
	shutdown(fd, SHUT_WR);
	for (;;) {
		ssize_t m = read(fd, in, sizeof(in));
		if (m < 0)
			die("read");
		if (m == 0)
			break;
		check_echo(in, m, got, seed);
		got += (uint64_t)m;
	}
	printf("%s %llu bytes through the child, %llu echoed\n",
	       got == bytes ? "ok" : "FAIL", (unsigned long long)bytes,
	       (unsigned long long)got);
	_exit(got == bytes ? 0 : 1);
}

static long long wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int stream(int port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	uint8_t buf[4096];

	signal(SIGPIPE, SIG_IGN);
	addr_of(&a, port);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
		die("connect");
	memset(buf, 0x5a, sizeof(buf));
	printf("streaming\n");
	fflush(stdout);
	for (;;) {
		ssize_t w = write(fd, buf, sizeof(buf));
		if (w <= 0) {
			printf("gone at %lld: write: %s\n", wall_ms(),
			       w == 0 ? "0" : strerror(errno));
			return 0;
		}
		ssize_t r = read(fd, buf, (size_t)w);
		if (r <= 0) {
			printf("gone at %lld: read: %s\n", wall_ms(),
			       r == 0 ? "end of stream" : strerror(errno));
			return 0;
		}
	}
}

static void *blocked_reader(void *arg)
{
	int fd = *(int *)arg;
	char c;

	printf("reading\n");
	fflush(stdout);
	ssize_t n = read(fd, &c, 1);
	printf("read returned %zd\n", n);
	return NULL;
}

static void on_alarm(int sig)
{
	(void)sig;
}

static int signals(int port)
{
	struct sockaddr_in a;
	struct sigaction sa = { .sa_handler = on_alarm };
	char c = 'x';
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	addr_of(&a, port);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
		die("connect");
	/* SA_RESTART: the read outlives the signal and gets the echo of a
	 * byte sent after it (by a child, 0.5 s later). */
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	pid_t pid = fork();
	if (pid == 0) {
		usleep(500000);
		if (write(fd, &c, 1) != 1)
			_exit(1);
		_exit(0);
	}
	ualarm(200000, 0);
	ssize_t n = read(fd, &c, 1);
	if (n != 1) {
		printf("FAIL read under SA_RESTART returned %zd (%s)\n", n,
		       n < 0 ? strerror(errno) : "end of stream");
		return 1;
	}
	waitpid(pid, NULL, 0);
	/* Without SA_RESTART: EINTR. */
	sa.sa_flags = 0;
	sigaction(SIGALRM, &sa, NULL);
	ualarm(200000, 0);
	n = read(fd, &c, 1);
	if (n != -1 || errno != EINTR) {
		printf("FAIL read without SA_RESTART returned %zd (%s)\n", n,
		       n < 0 ? strerror(errno) : "data");
		return 1;
	}
	printf("ok restarted under SA_RESTART, EINTR without\n");
	close(fd);
	return 0;
}

static int closer(int port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	pthread_t t;

	addr_of(&a, port);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
		die("connect");
	pthread_create(&t, NULL, blocked_reader, &fd);
	usleep(300000);
	if (close(fd) != 0)
		die("close");
	/* The reader is still inside read(); the process must go on. */
	usleep(500000);
	printf("ok closed under a blocked reader, still running\n");
	fflush(stdout);
	_exit(0);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 4 && strcmp(argv[1], "serve") == 0)
		return serve(atoi(argv[2]), atoi(argv[3]),
			     argc > 4 && strcmp(argv[4], "et") == 0);
	if (argc >= 5 && strcmp(argv[1], "client") == 0)
		return client(atoi(argv[2]), strtoull(argv[3], NULL, 10),
			      (unsigned)atoi(argv[4]), argc > 5 ? argv[5] : NULL);
	if (argc == 5 && strcmp(argv[1], "fork") == 0)
		return forked(atoi(argv[2]), strtoull(argv[3], NULL, 10),
			      (unsigned)atoi(argv[4]));
	if (argc == 3 && strcmp(argv[1], "signals") == 0)
		return signals(atoi(argv[2]));
	if (argc == 3 && strcmp(argv[1], "closer") == 0)
		return closer(atoi(argv[2]));
	if (argc == 3 && strcmp(argv[1], "stream") == 0)
		return stream(atoi(argv[2]));
	fprintf(stderr, "usage: helper_wrap serve PORT N [et] | client PORT "
			"BYTES SEED [select|dup|dup2] | fork PORT BYTES SEED | "
			"signals PORT | closer PORT | stream PORT\n");
	return 2;
}
