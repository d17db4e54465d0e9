/* sock.c - data path and rendezvous helpers shared by tcp and unix. */
#include "transports/sock.h"

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
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
