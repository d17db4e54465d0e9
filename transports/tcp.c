/*
 * tcp.c - TCP over IPv4 or IPv6 with Nagle's algorithm off.
 *
 * The comparison point every user knows: between two Xen guests it is the
 * netfront/netback path the YASMIN paper measured against.  Addresses are
 * "HOST:PORT" or "[IPV6]:PORT"; a server may give just "PORT" to listen on
 * every interface (IPv6 socket accepting IPv4 too).
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "transports/sock.h"

#define TCP_DEFAULT_BACKLOG 16

int yb_tcp_split(const char *addr, int listening, char *host, size_t hostlen,
		 unsigned *port, struct yb_err *err)
{
	const char *portstr;
	size_t hl;

	if (addr[0] == '[') {
		const char *close = strchr(addr, ']');
		if (!close || close[1] != ':')
			return yb_err_set(err, YB_EUSAGE,
					  "bad tcp address '%s': expected "
					  "[IPV6]:PORT",
					  addr);
		hl = (size_t)(close - addr - 1);
		if (hl == 0)
			return yb_err_set(err, YB_EUSAGE,
					  "bad tcp address '%s': empty IPv6 "
					  "address",
					  addr);
		addr++;
		portstr = close + 2;
	} else {
		const char *colon = strrchr(addr, ':');
		if (!colon) {
			if (!listening)
				return yb_err_set(err, YB_EUSAGE,
						  "bad tcp address '%s': "
						  "expected HOST:PORT",
						  addr);
			hl = 0;
			portstr = addr;
		} else {
			if (strchr(addr, ':') != colon)
				return yb_err_set(err, YB_EUSAGE,
						  "bad tcp address '%s': put "
						  "IPv6 addresses in brackets, "
						  "[ADDR]:PORT",
						  addr);
			hl = (size_t)(colon - addr);
			portstr = colon + 1;
		}
	}
	if (hl >= hostlen)
		return yb_err_set(err, YB_EUSAGE,
				  "bad tcp address: host name too long");
	memcpy(host, addr, hl);
	host[hl] = '\0';
	if (hl == 0 && !listening)
		return yb_err_set(err, YB_EUSAGE,
				  "bad tcp address '%s': no host", addr);

	char *end;
	errno = 0;
	unsigned long p = strtoul(portstr, &end, 10);
	if (!*portstr || *end || errno || p > 65535 || portstr[0] == '-' ||
	    portstr[0] == '+' || (p == 0 && !listening))
		return yb_err_set(err, YB_EUSAGE,
				  "bad tcp port '%s': expected 1-65535",
				  portstr);
	*port = (unsigned)p;
	return 0;
}

static void tcp_format(const struct sockaddr_storage *ss, char *buf,
		       size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;
		inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip));
		snprintf(buf, len, "tcp:[%s]:%u", ip, ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const void *)ss;
		inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof(ip));
		snprintf(buf, len, "tcp:%s:%u", ip, ntohs(s4->sin_port));
	}
}

static int tcp_resolve(const char *addr, int listening, struct addrinfo **res,
		       struct yb_err *err)
{
	char host[256], port[8];
	unsigned p;
	int rc = yb_tcp_split(addr, listening, host, sizeof(host), &p, err);

	if (rc)
		return rc;
	snprintf(port, sizeof(port), "%u", p);

	struct addrinfo hints = {
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_NUMERICSERV | (listening ? AI_PASSIVE : 0),
		.ai_family = AF_UNSPEC,
	};
	if (listening && !host[0])
		hints.ai_family = AF_INET6; /* dual-stack wildcard */
	rc = getaddrinfo(host[0] ? host : NULL, port, &hints, res);
	if (rc == EAI_SYSTEM)
		return yb_err_sys(err, errno, "tcp:%s: cannot resolve", addr);
	if (rc)
		return yb_err_set(err, YB_EUSAGE, "tcp:%s: cannot resolve: %s",
				  addr, gai_strerror(rc));
	return 0;
}

static int tcp_local_addr(char *buf, size_t len, const char *dir,
			  struct yb_err *err)
{
	(void)dir;
	(void)err;
	snprintf(buf, len, "127.0.0.1:0");
	return 0;
}

static void tcp_nodelay(int fd)
{
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static int tcp_listen(struct yb_ep *ep, const char *addr, struct yb_err *err)
{
	struct addrinfo *res;
	int rc = tcp_resolve(addr, 1, &res, err);

	if (rc)
		return rc;
	int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = yb_err_sys(err, errno, "tcp:%s: socket", addr);
		goto out;
	}
	int one = 1, zero = 0;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (res->ai_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, res->ai_addr, res->ai_addrlen) < 0) {
		int e = errno;
		close(fd);
		if (e == EADDRINUSE)
			rc = yb_err_set(err, YB_EADDRINUSE,
					"tcp:%s: address already in use "
					"(is another server running?)",
					addr);
		else
			rc = yb_err_sys(err, e, "tcp:%s: bind", addr);
		goto out;
	}
	if (listen(fd, TCP_DEFAULT_BACKLOG) < 0) {
		int e = errno;
		close(fd);
		rc = yb_err_sys(err, e, "tcp:%s: listen", addr);
		goto out;
	}
	ep->fd = fd;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
		tcp_format(&ss, ep->addr, sizeof(ep->addr));
	else
		snprintf(ep->addr, sizeof(ep->addr), "tcp:%s", addr);
out:
	freeaddrinfo(res);
	return rc;
}

static int tcp_accept(struct yb_ep *listener, struct yb_ep *conn,
		      struct yb_err *err)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int rc = yb_sock_accept(listener, conn, (struct sockaddr *)&ss, &sl,
				err);

	if (rc)
		return rc;
	tcp_nodelay(conn->fd);
	tcp_format(&ss, conn->peer, sizeof(conn->peer));
	return 0;
}

static int tcp_connect(struct yb_ep *ep, const char *addr, int timeout_ms,
		       struct yb_err *err)
{
	struct addrinfo *res, *ai;
	int rc = tcp_resolve(addr, 0, &res, err);

	if (rc)
		return rc;
	char what[YB_ADDR_MAX];
	snprintf(what, sizeof(what), "tcp:%s", addr);
	rc = YB_EINVAL;
	for (ai = res; ai; ai = ai->ai_next) {
		rc = yb_sock_connect(ai->ai_family, ai->ai_addr,
				     ai->ai_addrlen, timeout_ms, what, err);
		if (rc >= 0)
			break;
	}
	if (rc >= 0) {
		ep->fd = rc;
		rc = 0;
		tcp_nodelay(ep->fd);
		snprintf(ep->peer, sizeof(ep->peer), "%s", what);
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		if (getsockname(ep->fd, (struct sockaddr *)&ss, &sl) == 0)
			tcp_format(&ss, ep->addr, sizeof(ep->addr));
	}
	freeaddrinfo(res);
	return rc;
}

static void tcp_describe(const struct yb_ep *ep, struct yb_meta *m)
{
	int v = 0;
	socklen_t l = sizeof(v);

	if (ep->fd < 0)
		return;
	yb_meta_set(m, "nodelay", "%s", "on");
	if (getsockopt(ep->fd, SOL_SOCKET, SO_SNDBUF, &v, &l) == 0)
		yb_meta_set_int(m, "sndbuf_bytes", v);
	l = sizeof(v);
	if (getsockopt(ep->fd, SOL_SOCKET, SO_RCVBUF, &v, &l) == 0)
		yb_meta_set_int(m, "rcvbuf_bytes", v);
}

const struct yb_transport yb_transport_tcp = {
	.name = "tcp",
	.summary = "TCP sockets, IPv4 or IPv6, TCP_NODELAY",
	.caps = YB_CAP_STREAM | YB_CAP_POLLFD | YB_CAP_LOCAL,
	.probe = yb_sock_probe,
	.local_addr = tcp_local_addr,
	.listen = tcp_listen,
	.accept = tcp_accept,
	.connect = tcp_connect,
	.send = yb_sock_send,
	.recv = yb_sock_recv,
	.send_try = yb_sock_send_try,
	.recv_try = yb_sock_recv_try,
	.poll_fd = yb_sock_poll_fd,
	.describe = tcp_describe,
	.close = yb_sock_close,
};
