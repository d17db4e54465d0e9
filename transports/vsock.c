/*
 * vsock.c - AF_VSOCK stream sockets between a guest and its host, or
 * between two ends on one machine through the loopback transport.
 *
 * The socket family the YASMIN paper put its ring under, and the path a
 * hypervisor's guests are given to talk to the host (virtio-vsock, Hyper-V
 * sockets, VMCI).  Addresses are "CID:PORT"; a server may give "PORT" alone
 * to accept on any CID, and port 0 means "let the kernel pick".  The data
 * path is the shared socket code in sock.c.
 *
 * A kernel may create AF_VSOCK sockets and still deliver nowhere: without
 * a transport module (vsock_loopback, vmw_vsock_virtio_transport, ...) a
 * connect fails with ENODEV or never completes.  The probe and local_probe
 * say which case this machine is in.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#include "transports/sock.h"
#include "transports/vsock.h"

/* A port nobody should listen on: connecting to it only asks "who answers". */
#define VSOCK_PROBE_PORT 47047u

int yb_vsock_local_cid(unsigned *cid)
{
	int fd = open("/dev/vsock", O_RDONLY | O_CLOEXEC);
	int e = 0;

	if (fd < 0)
		return errno;
	/* Set before the ioctl, which tools like valgrind cannot see into. */
	*cid = VMADDR_CID_ANY;
	if (ioctl(fd, IOCTL_VM_SOCKETS_GET_LOCAL_CID, cid) < 0)
		e = errno;
	close(fd);
	return e;
}

int yb_vsock_answers(unsigned cid, int timeout_ms)
{
	int s = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s < 0)
		return errno;
	struct sockaddr_vm a = { .svm_family = AF_VSOCK,
				 .svm_cid = cid,
				 .svm_port = VSOCK_PROBE_PORT };
	int e = connect(s, (struct sockaddr *)&a, sizeof(a)) ? errno : 0;
	if (e == EINPROGRESS) {
		struct pollfd p = { .fd = s, .events = POLLOUT };
		socklen_t l = sizeof(e);
		int n = poll(&p, 1, timeout_ms);
		if (n == 0)
			e = ETIMEDOUT;
		else if (n < 0 || getsockopt(s, SOL_SOCKET, SO_ERROR, &e, &l))
			e = errno;
	}
	close(s);
	/* Refused or reset: a transport carried the request to a CID that
	 * has nobody on this port.  That is the answer we want. */
	return (e == ECONNREFUSED || e == ECONNRESET) ? 0 : e;
}

void yb_vsock_facts(struct yb_meta *m)
{
	unsigned cid = 0;
	int e = yb_vsock_local_cid(&cid);

	if (e == 0)
		yb_meta_set_int(m, "vsock.local_cid", cid);
	else
		yb_meta_set(m, "vsock.local_cid", "unknown (/dev/vsock: %s)",
			    strerror(e));
	int s = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		yb_meta_set(m, "vsock.sockets", "unavailable (%s)",
			    strerror(errno));
		return;
	}
	close(s);
	yb_meta_set(m, "vsock.sockets", "can be created");
	static const struct {
		unsigned cid;
		const char *key;
	} to[] = { { VMADDR_CID_LOCAL, "vsock.loopback" },
		   { VMADDR_CID_HOST, "vsock.host" } };
	for (size_t i = 0; i < 2; i++) {
		e = yb_vsock_answers(to[i].cid, 300);
		if (e == 0)
			yb_meta_set(m, to[i].key, "a transport answers");
		else if (e == ETIMEDOUT)
			yb_meta_set(m, to[i].key,
				    "no answer within 300 ms (no transport "
				    "delivers to CID %u)",
				    to[i].cid);
		else
			yb_meta_set(m, to[i].key, "no transport (%s)",
				    strerror(e));
	}
}

static int vsock_parse_u32(const char *s, unsigned *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (!*s || *end || errno || v > 0xffffffffUL || s[0] == '-' ||
	    s[0] == '+')
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* "CID:PORT", or "PORT" (any CID) when listening. */
static int vsock_parse(const char *addr, int listening, struct sockaddr_vm *sa,
		       struct yb_err *err)
{
	char cidbuf[16];
	const char *colon = strchr(addr, ':');
	unsigned cid = VMADDR_CID_ANY, port;

	memset(sa, 0, sizeof(*sa));
	sa->svm_family = AF_VSOCK;
	if (colon) {
		size_t n = (size_t)(colon - addr);
		if (n == 0 || n >= sizeof(cidbuf))
			return yb_err_set(err, YB_EUSAGE,
					  "bad vsock address '%s': expected "
					  "CID:PORT",
					  addr);
		memcpy(cidbuf, addr, n);
		cidbuf[n] = '\0';
		if (vsock_parse_u32(cidbuf, &cid))
			return yb_err_set(err, YB_EUSAGE,
					  "bad vsock CID '%s': expected a "
					  "number (1 is this machine, 2 the "
					  "host)",
					  cidbuf);
	} else if (!listening) {
		return yb_err_set(err, YB_EUSAGE,
				  "bad vsock address '%s': expected CID:PORT",
				  addr);
	}
	const char *p = colon ? colon + 1 : addr;
	if (vsock_parse_u32(p, &port) || (port == 0 && !listening) ||
	    port == VMADDR_PORT_ANY)
		return yb_err_set(err, YB_EUSAGE,
				  "bad vsock port '%s': expected 1-%u", p,
				  VMADDR_PORT_ANY - 1);
	sa->svm_cid = cid;
	sa->svm_port = port ? port : VMADDR_PORT_ANY;
	return 0;
}

static void vsock_format(const struct sockaddr_vm *sa, char *buf, size_t len)
{
	if (sa->svm_cid == VMADDR_CID_ANY)
		snprintf(buf, len, "vsock:%u", sa->svm_port);
	else
		snprintf(buf, len, "vsock:%u:%u", sa->svm_cid, sa->svm_port);
}

static int vsock_check_addr(const char *addr, int listening,
			    struct yb_err *err)
{
	struct sockaddr_vm sa;

	return vsock_parse(addr, listening, &sa, err);
}

static int vsock_probe(struct yb_err *err)
{
	int s = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		int e = errno;
		if (e == EAFNOSUPPORT || e == EPROTONOSUPPORT)
			return yb_err_set(err, YB_ENOTSUP,
					  "this kernel has no AF_VSOCK sockets "
					  "(module vsock not loaded)");
		return yb_err_sys(err, e, "AF_VSOCK socket");
	}
	close(s);
	unsigned cid;
	if (yb_vsock_local_cid(&cid) == 0 && cid != VMADDR_CID_ANY)
		return 0; /* a guest or host transport gave us an address */
	if (yb_vsock_answers(VMADDR_CID_LOCAL, 300) == 0)
		return 0;
	return yb_err_set(err, YB_ENOTSUP,
			  "AF_VSOCK has no transport here (no local CID; load "
			  "vsock_loopback, or a guest/host transport such as "
			  "vmw_vsock_virtio_transport or vhost_vsock)");
}

static int vsock_local_probe(struct yb_err *err)
{
	int rc = vsock_probe(err);
	if (rc)
		return rc;
	int e = yb_vsock_answers(VMADDR_CID_LOCAL, 300);
	if (e == 0)
		return 0;
	if (e == ETIMEDOUT)
		return yb_err_set(err, YB_ENOTSUP,
				  "no vsock loopback on this machine (CID 1 "
				  "does not answer; modprobe vsock_loopback)");
	return yb_err_set(err, YB_ENOTSUP,
			  "no vsock loopback on this machine (CID 1: %s; "
			  "modprobe vsock_loopback)",
			  strerror(e));
}

static int vsock_local_addr(char *buf, size_t len, const char *dir,
			    struct yb_err *err)
{
	(void)dir;
	(void)err;
	snprintf(buf, len, "%u:0", VMADDR_CID_LOCAL);
	return 0;
}

static int vsock_listen(struct yb_ep *ep, const char *addr, struct yb_err *err)
{
	struct sockaddr_vm sa;
	int rc = vsock_parse(addr, 1, &sa, err);
	if (rc)
		return rc;
	/* Bind the loopback CID as "any": the kernel routes CID 1 to any. */
	if (sa.svm_cid == VMADDR_CID_LOCAL)
		sa.svm_cid = VMADDR_CID_ANY;
	int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return yb_err_sys(err, errno, "vsock:%s: socket", addr);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		if (e == EADDRINUSE)
			return yb_err_set(err, YB_EADDRINUSE,
					  "vsock:%s: port already in use (is "
					  "another server running?)",
					  addr);
		if (e == EADDRNOTAVAIL)
			return yb_err_set(err, YB_EINVAL,
					  "vsock:%s: this machine does not "
					  "have that CID",
					  addr);
		return yb_err_sys(err, e, "vsock:%s: bind", addr);
	}
	if (listen(fd, 16) < 0) {
		int e = errno;
		close(fd);
		return yb_err_sys(err, e, "vsock:%s: listen", addr);
	}
	ep->fd = fd;
	socklen_t sl = sizeof(sa);
	if (getsockname(fd, (struct sockaddr *)&sa, &sl) == 0) {
		/* Report the address a client should use. */
		if (sa.svm_cid == VMADDR_CID_ANY) {
			unsigned cid;
			if (yb_vsock_local_cid(&cid) == 0 &&
			    cid != VMADDR_CID_ANY)
				sa.svm_cid = cid;
			else
				sa.svm_cid = VMADDR_CID_LOCAL;
		}
		vsock_format(&sa, ep->addr, sizeof(ep->addr));
	} else {
		snprintf(ep->addr, sizeof(ep->addr), "vsock:%s", addr);
	}
	return 0;
}

static int vsock_accept(struct yb_ep *listener, struct yb_ep *conn,
			struct yb_err *err)
{
	struct sockaddr_vm sa;
	socklen_t sl = sizeof(sa);
	int rc = yb_sock_accept(listener, conn, (struct sockaddr *)&sa, &sl,
				err);
	if (rc)
		return rc;
	vsock_format(&sa, conn->peer, sizeof(conn->peer));
	return 0;
}

static int vsock_connect(struct yb_ep *ep, const char *addr, int timeout_ms,
			 struct yb_err *err)
{
	struct sockaddr_vm sa;
	int rc = vsock_parse(addr, 0, &sa, err);
	if (rc)
		return rc;
	char what[YB_ADDR_MAX];
	snprintf(what, sizeof(what), "vsock:%s", addr);
	rc = yb_sock_connect(AF_VSOCK, (struct sockaddr *)&sa, sizeof(sa),
			     timeout_ms, what, err);
	if (rc < 0) {
		/* ENODEV: no transport module; no answer: none delivers. */
		if (rc == YB_ETIMEDOUT || rc == -ENODEV)
			return yb_err_set(err, rc == YB_ETIMEDOUT ? rc : YB_ENOTSUP,
					  "%s: no vsock transport delivers to "
					  "CID %u from here (see yasmin-bench "
					  "diag)",
					  what, sa.svm_cid);
		return rc;
	}
	ep->fd = rc;
	snprintf(ep->peer, sizeof(ep->peer), "%s", what);
	socklen_t sl = sizeof(sa);
	if (getsockname(ep->fd, (struct sockaddr *)&sa, &sl) == 0)
		vsock_format(&sa, ep->addr, sizeof(ep->addr));
	return 0;
}

static void vsock_describe(const struct yb_ep *ep, struct yb_meta *m)
{
	unsigned long long v = 0;
	socklen_t l = sizeof(v);
	unsigned cid;

	if (ep->fd < 0)
		return;
	if (getsockopt(ep->fd, AF_VSOCK, SO_VM_SOCKETS_BUFFER_SIZE, &v, &l) ==
	    0)
		yb_meta_set_int(m, "vsock_buffer_bytes", (long long)v);
	if (yb_vsock_local_cid(&cid) == 0)
		yb_meta_set_int(m, "vsock_local_cid", cid);
}

const struct yb_transport yb_transport_vsock = {
	.name = "vsock",
	.summary = "AF_VSOCK stream sockets (guest <-> host, or loopback)",
	.caps = YB_CAP_STREAM | YB_CAP_POLLFD | YB_CAP_LOCAL,
	.probe = vsock_probe,
	.check_addr = vsock_check_addr,
	.local_probe = vsock_local_probe,
	.local_addr = vsock_local_addr,
	.listen = vsock_listen,
	.accept = vsock_accept,
	.connect = vsock_connect,
	.send = yb_sock_send,
	.recv = yb_sock_recv,
	.send_try = yb_sock_send_try,
	.recv_try = yb_sock_recv_try,
	.poll_fd = yb_sock_poll_fd,
	.describe = vsock_describe,
	.close = yb_sock_close,
};
