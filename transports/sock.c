/*
 * sock.c - the socket code the socket transports share: the data path of
 * tcp, unix and vsock, connect with a timeout and accept, and the
 * UNIX-domain listen/accept/connect of unix and of shm's rendezvous, and
 * the exact-length messages (descriptors passed along) of that rendezvous.
 */
#include "transports/sock.h"

#include "core/base/clock.h"

#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

ssize_t yb_sock_send(struct yb_ep *ep, const void *buf, size_t len)
{
	/* MSG_NOSIGNAL: a vanished peer is an error return, not SIGPIPE. */
	ssize_t n = send(ep->fd, buf, len, MSG_NOSIGNAL);
	return n < 0 ? yb_from_errno(errno) : n;
}

ssize_t yb_sock_recv(struct yb_ep *ep, void *buf, size_t len)
{
	ssize_t n = recv(ep->fd, buf, len, 0);
	return n < 0 ? yb_from_errno(errno) : n;
}

ssize_t yb_sock_send_try(struct yb_ep *ep, const void *buf, size_t len)
{
	ssize_t n = send(ep->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	return n < 0 ? yb_from_errno(errno) : n;
}

ssize_t yb_sock_recv_try(struct yb_ep *ep, void *buf, size_t len)
{
	ssize_t n = recv(ep->fd, buf, len, MSG_DONTWAIT);
	return n < 0 ? yb_from_errno(errno) : n;
}

int yb_sock_probe(struct yb_err *err)
{
	(void)err;
	return 0;
}

int yb_sock_poll_fd(const struct yb_ep *ep)
{
	return ep->fd;
}

void yb_sock_close(struct yb_ep *ep)
{
	if (ep->fd >= 0) {
		close(ep->fd);
		ep->fd = -1;
	}
	if (ep->unlink_path[0] && ep->unlink_owner == getpid())
		unlink(ep->unlink_path);
	ep->unlink_path[0] = '\0';
}

int yb_sock_connect(int family, const struct sockaddr *sa, socklen_t salen,
		    int timeout_ms, const char *what, struct yb_err *err)
{
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return yb_err_sys(err, errno, "%s: socket", what);

	if (connect(fd, sa, salen) < 0) {
		if (errno != EINPROGRESS) {
			int e = errno;
			close(fd);
			return yb_err_sys(err, e, "%s: connect", what);
		}
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };
		int n;
		do
			n = poll(&pfd, 1, timeout_ms);
		while (n < 0 && errno == EINTR);
		if (n == 0) {
			close(fd);
			return yb_err_set(err, YB_ETIMEDOUT,
					  "%s: connect: no answer within %d ms",
					  what, timeout_ms);
		}
		int soerr = 0;
		socklen_t l = sizeof(soerr);
		if (n < 0)
			soerr = errno;
		else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &l) < 0)
			soerr = errno;
		if (soerr) {
			close(fd);
			return yb_err_sys(err, soerr, "%s: connect", what);
		}
	}
	/* The data path uses blocking I/O; waits with timeouts use poll. */
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		int e = errno;
		close(fd);
		return yb_err_sys(err, e, "%s: fcntl", what);
	}
	return fd;
}

int yb_sock_accept(struct yb_ep *listener, struct yb_ep *conn,
		   struct sockaddr *sa, socklen_t *salen, struct yb_err *err)
{
	int fd;

	do
		fd = accept4(listener->fd, sa, salen, SOCK_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return yb_err_sys(err, errno, "%s: accept", listener->addr);
	conn->fd = fd;
	snprintf(conn->addr, sizeof(conn->addr), "%s", listener->addr);
	return 0;
}

/* ---- UNIX-domain stream sockets (unix, and the shm rendezvous) ------------ */

static int sock_unix_addr(const char *addr, struct sockaddr_un *sun,
			  socklen_t *len, struct yb_err *err)
{
	size_t n = strlen(addr);

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (n >= sizeof(sun->sun_path))
		return yb_err_set(err, YB_EUSAGE,
				  "bad unix address '%s': path longer than %zu "
				  "bytes",
				  addr, sizeof(sun->sun_path) - 1);
	if (addr[0] == '@') {
		if (n < 2)
			return yb_err_set(err, YB_EUSAGE,
					  "bad unix address '@': empty "
					  "abstract name");
		/* Abstract namespace: leading NUL, length counts exactly. */
		memcpy(sun->sun_path + 1, addr + 1, n - 1);
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	} else {
		memcpy(sun->sun_path, addr, n);
		*len = (socklen_t)sizeof(*sun);
	}
	return 0;
}

/* Is something listening on this socket path right now? */
static int sock_unix_in_use(const struct sockaddr_un *sun, socklen_t len)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 1; /* be conservative: do not remove anything */
	int rc = connect(fd, (const struct sockaddr *)sun, len);
	int e = errno;
	close(fd);
	return rc == 0 || e != ECONNREFUSED;
}

int yb_sock_unix_listen(struct yb_ep *ep, const char *name, const char *addr,
			struct yb_err *err)
{
	struct sockaddr_un sun;
	socklen_t len;
	int rc = sock_unix_addr(addr, &sun, &len, err);

	if (rc)
		return rc;
	if (addr[0] != '@') {
		struct stat st;
		if (lstat(addr, &st) == 0) {
			if (!S_ISSOCK(st.st_mode))
				return yb_err_set(err, YB_EEXIST,
						  "%s:%s: file exists and is "
						  "not a socket; not replacing "
						  "it",
						  name, addr);
			if (sock_unix_in_use(&sun, len))
				return yb_err_set(err, YB_EADDRINUSE,
						  "%s:%s: address already in "
						  "use (is another server "
						  "running?)",
						  name, addr);
			unlink(addr); /* stale socket of a dead server */
		}
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return yb_err_sys(err, errno, "%s:%s: socket", name, addr);
	ep->fd = fd; /* from here on, close() releases it */
	if (bind(fd, (struct sockaddr *)&sun, len) < 0) {
		if (errno == EADDRINUSE)
			return yb_err_set(err, YB_EADDRINUSE,
					  "%s:%s: address already in use",
					  name, addr);
		return yb_err_sys(err, errno, "%s:%s: bind", name, addr);
	}
	if (addr[0] != '@') {
		snprintf(ep->unlink_path, sizeof(ep->unlink_path), "%s", addr);
		ep->unlink_owner = getpid();
	}
	if (listen(fd, 16) < 0)
		return yb_err_sys(err, errno, "%s:%s: listen", name, addr);
	snprintf(ep->addr, sizeof(ep->addr), "%s:%s", name, addr);
	return 0;
}

int yb_sock_unix_accept(struct yb_ep *listener, struct yb_ep *conn,
			struct yb_err *err)
{
	int rc = yb_sock_accept(listener, conn, NULL, NULL, err);

	if (rc)
		return rc;
	struct ucred cred;
	socklen_t l = sizeof(cred);
	if (getsockopt(conn->fd, SOL_SOCKET, SO_PEERCRED, &cred, &l) == 0)
		snprintf(conn->peer, sizeof(conn->peer), "%s (pid %d)",
			 listener->addr, (int)cred.pid);
	else
		snprintf(conn->peer, sizeof(conn->peer), "%s", listener->addr);
	return 0;
}

int yb_sock_unix_connect(struct yb_ep *ep, const char *name, const char *addr,
			 int timeout_ms, struct yb_err *err)
{
	struct sockaddr_un sun;
	socklen_t len;
	char what[YB_ADDR_MAX];
	int rc = sock_unix_addr(addr, &sun, &len, err);

	if (rc)
		return rc;
	snprintf(what, sizeof(what), "%s:%s", name, addr);
	rc = yb_sock_connect(AF_UNIX, (struct sockaddr *)&sun, len, timeout_ms,
			     what, err);
	if (rc < 0)
		return rc;
	ep->fd = rc;
	snprintf(ep->peer, sizeof(ep->peer), "%s", what);
	snprintf(ep->addr, sizeof(ep->addr), "%s", what);
	return 0;
}

int yb_sock_local_path(char *buf, size_t len, const char *dir,
		       const char *file, struct yb_err *err)
{
	int n = snprintf(buf, len, "%s/%s", dir, file);
	if (n < 0 || (size_t)n >= len)
		return yb_err_set(err, YB_EINVAL, "temporary path too long");
	return 0;
}

/* ---- exact-length messages, descriptors passed along ---------------------- */

/* Take the SCM_RIGHTS descriptors of a received message (see sock.h). */
static void sock_take_fds(struct msghdr *mh, int *fds, int maxfds, int *nfds)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm;
	     cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		size_t n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(fd));
			if (*nfds < maxfds)
				fds[*nfds] = fd;
			else
				close(fd);
			(*nfds)++;
		}
	}
}

/* The first read of yb_sock_read_full with descriptors: recvmsg(2). */
static ssize_t sock_recv_fds(int fd, void *buf, size_t len, int *fds,
			     int maxfds, int *nfds)
{
	/* The control buffer below holds YB_SOCK_FDS_MAX: never ask more. */
	if (maxfds < 0)
		maxfds = 0;
	if (maxfds > YB_SOCK_FDS_MAX)
		maxfds = YB_SOCK_FDS_MAX;
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int) * YB_SOCK_FDS_MAX)];
	} u;
	struct iovec iov = { buf, len };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = u.buf,
			     /* Room for maxfds (and what alignment pads
			      * in): the kernel installs no more. */
			     .msg_controllen = CMSG_SPACE(sizeof(int) *
							  (size_t)maxfds) };

	memset(&u, 0, sizeof(u));
	ssize_t r = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	if (r >= 0)
		sock_take_fds(&mh, fds, maxfds, nfds);
	return r;
}

int yb_sock_read_full(int fd, void *buf, size_t len, int timeout_ms,
		      int *fds, int maxfds, int *nfds)
{
	size_t got = 0;
	uint64_t end = yb_now() + (uint64_t)timeout_ms * 1000000;

	if (nfds)
		*nfds = 0;
	while (got < len) {
		uint64_t now = yb_now();
		if (now >= end)
			return YB_ETIMEDOUT;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int n = poll(&pfd, 1, (int)((end - now + 999999) / 1000000));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return yb_from_errno(errno);
		if (n == 0)
			return YB_ETIMEDOUT;
		ssize_t r;
		if (fds && nfds && got == 0)
			r = sock_recv_fds(fd, buf, len, fds, maxfds, nfds);
		else
			r = recv(fd, (uint8_t *)buf + got, len - got, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return yb_from_errno(errno);
		if (r == 0)
			return YB_EEOF;
		got += (size_t)r;
	}
	return 0;
}

int yb_sock_write_full(int fd, const void *buf, size_t len, int pass_fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct iovec iov = { (void *)buf, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (pass_fd >= 0) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &pass_fd, sizeof(int));
		do
			n = sendmsg(fd, &mh, MSG_NOSIGNAL);
		while (n < 0 && errno == EINTR);
	} else {
		do
			n = send(fd, buf, len, MSG_NOSIGNAL);
		while (n < 0 && errno == EINTR);
	}
	if (n < 0)
		return yb_from_errno(errno);
	/* The messages are far below any socket buffer: all or nothing. */
	return (size_t)n == len ? 0 : YB_EIO;
}
