/*
 * unix.c - UNIX-domain stream sockets.
 *
 * The kernel's fastest socket path between two processes on one host, and
 * the ceiling the YASMIN paper quoted.  "unix:/path" names a socket file;
 * "unix:@name" an abstract socket (no file at all).  The data path is the
 * shared socket code in sock.c, exactly as tcp uses it.
 *
 * A server finding a socket file at its path removes it only when nobody
 * answers on it (a stale file left by a crashed server); anything else at
 * that path - a regular file, a live server - is an error, never clobbered.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "transports/sock.h"

static int unix_sockaddr(const char *addr, struct sockaddr_un *sun,
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

static int unix_probe(struct yb_err *err)
{
	(void)err;
	return 0;
}

static int unix_local_addr(char *buf, size_t len, const char *dir,
			   struct yb_err *err)
{
	int n = snprintf(buf, len, "%s/unix.sock", dir);
	if (n < 0 || (size_t)n >= len)
		return yb_err_set(err, YB_EINVAL, "temporary path too long");
	return 0;
}

/* Is something listening on this socket path right now? */
static int unix_in_use(const struct sockaddr_un *sun, socklen_t len)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 1; /* be conservative: do not remove anything */
	int rc = connect(fd, (const struct sockaddr *)sun, len);
	int e = errno;
	close(fd);
	return rc == 0 || e != ECONNREFUSED;
}

static int unix_listen(struct yb_ep *ep, const char *addr, struct yb_err *err)
{
	struct sockaddr_un sun;
	socklen_t len;
	int rc = unix_sockaddr(addr, &sun, &len, err);

	if (rc)
		return rc;
	if (addr[0] != '@') {
		struct stat st;
		if (lstat(addr, &st) == 0) {
			if (!S_ISSOCK(st.st_mode))
				return yb_err_set(err, YB_EEXIST,
						  "unix:%s: file exists and is "
						  "not a socket; not replacing "
						  "it",
						  addr);
			if (unix_in_use(&sun, len))
				return yb_err_set(err, YB_EADDRINUSE,
						  "unix:%s: address already in "
						  "use (is another server "
						  "running?)",
						  addr);
			unlink(addr); /* stale socket of a dead server */
		}
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return yb_err_sys(err, errno, "unix:%s: socket", addr);
	ep->fd = fd;
	if (bind(fd, (struct sockaddr *)&sun, len) < 0) {
		if (errno == EADDRINUSE)
			return yb_err_set(err, YB_EADDRINUSE,
					  "unix:%s: address already in use",
					  addr);
		return yb_err_sys(err, errno, "unix:%s: bind", addr);
	}
	if (addr[0] != '@') {
		snprintf(ep->unlink_path, sizeof(ep->unlink_path), "%s", addr);
		ep->unlink_owner = getpid();
	}
	if (listen(fd, 16) < 0)
		return yb_err_sys(err, errno, "unix:%s: listen", addr);
	snprintf(ep->addr, sizeof(ep->addr), "unix:%s", addr);
	return 0;
}

static int unix_accept(struct yb_ep *listener, struct yb_ep *conn,
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

static int unix_connect(struct yb_ep *ep, const char *addr, int timeout_ms,
			struct yb_err *err)
{
	struct sockaddr_un sun;
	socklen_t len;
	char what[YB_ADDR_MAX];
	int rc = unix_sockaddr(addr, &sun, &len, err);

	if (rc)
		return rc;
	snprintf(what, sizeof(what), "unix:%s", addr);
	rc = yb_sock_connect(AF_UNIX, (struct sockaddr *)&sun, len, timeout_ms,
			     what, err);
	if (rc < 0)
		return rc;
	ep->fd = rc;
	snprintf(ep->peer, sizeof(ep->peer), "%s", what);
	snprintf(ep->addr, sizeof(ep->addr), "%s", what);
	return 0;
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
	.probe = unix_probe,
	.local_addr = unix_local_addr,
	.listen = unix_listen,
	.accept = unix_accept,
	.connect = unix_connect,
	.send = yb_sock_send,
	.recv = yb_sock_recv,
	.poll_fd = yb_sock_poll_fd,
	.describe = unix_describe,
	.close = yb_sock_close,
};
