/*
 * sock.h - what the socket-based transports (tcp, unix) share.
 *
 * unix forwards its data path to these instead of copying tcp's, the way
 * redis's unix connection type forwards to its tcp one.
 */
#ifndef YB_SOCK_H
#define YB_SOCK_H

#include <sys/socket.h>

#include "core/wire/transport.h"

ssize_t yb_sock_send(struct yb_ep *ep, const void *buf, size_t len);
ssize_t yb_sock_recv(struct yb_ep *ep, void *buf, size_t len);
int yb_sock_poll_fd(const struct yb_ep *ep);
void yb_sock_close(struct yb_ep *ep);

/*
 * connect(2) with a timeout on a fresh socket of the given family; returns
 * the connected (blocking) descriptor or a negative YB_E*, with a message
 * that names `what` (the address as the user wrote it).
 */
int yb_sock_connect(int family, const struct sockaddr *sa, socklen_t salen,
		    int timeout_ms, const char *what, struct yb_err *err);

/* accept4(2) with CLOEXEC on the listener; fills conn->fd. */
int yb_sock_accept(struct yb_ep *listener, struct yb_ep *conn,
		   struct sockaddr *sa, socklen_t *salen, struct yb_err *err);

/*
 * Split a tcp address "HOST:PORT", "[V6]:PORT" or, when listening, "PORT"
 * (all interfaces) into host ("" for any) and port.  Port 0 is allowed
 * only when listening (the kernel picks one).
 */
int yb_tcp_split(const char *addr, int listening, char *host, size_t hostlen,
		 unsigned *port, struct yb_err *err);

#endif /* YB_SOCK_H */
