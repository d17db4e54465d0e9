/*
 * unix.c - UNIX-domain stream sockets.
 *
 * The kernel's fastest socket path between two processes on one host, and
 * the ceiling the YASMIN paper quoted.  "unix:/path" names a socket file;
 * "unix:@name" an abstract socket (no file at all).  Everything but the
 * description is the shared socket code in sock.c: the data path as tcp
 * uses it, listen/accept/connect as shm's rendezvous socket uses them.
 *
 * A server finding a socket file at its path removes it only when nobody
 * answers on it (a stale file left by a crashed server); anything else at
 * that path - a regular file, a live server - is an error, never clobbered.
 */
#include "transports/sock.h"

static int unix_local_addr(char *buf, size_t len, const char *dir,
			   struct yb_err *err)
{
	return yb_sock_local_path(buf, len, dir, "unix.sock", err);
}

static int unix_listen(struct yb_ep *ep, const char *addr, struct yb_err *err)
{
	return yb_sock_unix_listen(ep, "unix", addr, err);
}

static int unix_connect(struct yb_ep *ep, const char *addr, int timeout_ms,
			struct yb_err *err)
{
	return yb_sock_unix_connect(ep, "unix", addr, timeout_ms, err);
}

static void unix_describe(const struct yb_ep *ep, struct yb_meta *m)
{
	int v = 0;
	socklen_t l = sizeof(v);

	if (ep->fd >= 0 &&
	    getsockopt(ep->fd, SOL_SOCKET, SO_SNDBUF, &v, &l) == 0)
		yb_meta_set_int(m, "sndbuf_bytes", v);
}

const struct yb_transport yb_transport_unix = {
	.name = "unix",
	.summary = "UNIX-domain stream sockets (path or @abstract name)",
	.caps = YB_CAP_STREAM | YB_CAP_POLLFD | YB_CAP_LOCAL,
	.probe = yb_sock_probe,
	.local_addr = unix_local_addr,
	.listen = unix_listen,
	.accept = yb_sock_unix_accept,
	.connect = unix_connect,
	.send = yb_sock_send,
	.recv = yb_sock_recv,
	.send_try = yb_sock_send_try,
	.recv_try = yb_sock_recv_try,
	.poll_fd = yb_sock_poll_fd,
	.describe = unix_describe,
	.close = yb_sock_close,
};
