/*
 * sock.h - what the socket-based transports (tcp, unix, vsock) and the shm
 * rendezvous share.
 *
 * unix forwards its data path to these instead of copying tcp's, the way
 * redis's unix connection type forwards to its tcp one; shm takes its
 * rendezvous socket from the same UNIX-domain helpers as unix, each error
 * text carrying the caller's own transport name.
 */
#ifndef YB_SOCK_H
#define YB_SOCK_H

#include <sys/socket.h>

#include "core/wire/transport.h"

/* probe of tcp and unix: every Linux kernel has them. */
int yb_sock_probe(struct yb_err *err);
ssize_t yb_sock_send(struct yb_ep *ep, const void *buf, size_t len);
ssize_t yb_sock_recv(struct yb_ep *ep, void *buf, size_t len);
/* The same without waiting: YB_EAGAIN when nothing could move. */
ssize_t yb_sock_send_try(struct yb_ep *ep, const void *buf, size_t len);
ssize_t yb_sock_recv_try(struct yb_ep *ep, void *buf, size_t len);
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
 * UNIX-domain stream sockets at "/path" or "@abstract", for unix and for
 * the shm rendezvous.  name is the caller's transport ("unix", "shm"): it
 * starts the error texts and ep->addr/ep->peer ("shm:/path: connect: ...").
 * A bad address is "bad unix address ..." for both, the socket kind.
 *
 * listen: a socket file left by a dead server is replaced; a live server
 * or another kind of file at the path is an error.  ep->fd is set as soon
 * as the socket exists, so close() releases it after any failure.
 */
int yb_sock_unix_listen(struct yb_ep *ep, const char *name, const char *addr,
			struct yb_err *err);
/* accept: conn->peer is the listener's address and the client's pid. */
int yb_sock_unix_accept(struct yb_ep *listener, struct yb_ep *conn,
			struct yb_err *err);
int yb_sock_unix_connect(struct yb_ep *ep, const char *name, const char *addr,
			 int timeout_ms, struct yb_err *err);

/* local_addr of a socket file: "DIR/FILE". */
int yb_sock_local_path(char *buf, size_t len, const char *dir,
		       const char *file, struct yb_err *err);

/*
 * Exact-length messages on a stream socket, for a rendezvous (shm).
 *
 * read_full: exactly len bytes within timeout_ms; 0, YB_ETIMEDOUT, YB_EEOF
 * when the peer hung up first, or another error.  With fds, the first
 * read also takes the descriptors sent with it (SCM_RIGHTS; nfds must
 * then be given too): room is made for maxfds (cut to YB_SOCK_FDS_MAX),
 * they go to fds, any others that fit the room alignment leaves are
 * closed, and *nfds counts those the kernel delivered (it drops what does
 * not fit), so more than maxfds means the peer sent more than it should.
 * Whatever the result, the caller owns fds[0 .. min(*nfds, maxfds)).
 *
 * write_full: all of buf in one send (the messages are far below any
 * socket buffer; YB_EIO if it was cut), with pass_fd passed along when it
 * is not -1; never SIGPIPE.
 */
#define YB_SOCK_FDS_MAX 4
int yb_sock_read_full(int fd, void *buf, size_t len, int timeout_ms,
		      int *fds, int maxfds, int *nfds);
int yb_sock_write_full(int fd, const void *buf, size_t len, int pass_fd);

/*
 * Split a tcp address "HOST:PORT", "[V6]:PORT" or, when listening, "PORT"
 * (all interfaces) into host ("" for any) and port.  Port 0 is allowed
 * only when listening (the kernel picks one).
 */
int yb_tcp_split(const char *addr, int listening, char *host, size_t hostlen,
		 unsigned *port, struct yb_err *err);

#endif /* YB_SOCK_H */
