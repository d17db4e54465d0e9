/* xswatch.c - XenStore watches on a connection of our own (see xswatch.h). */
#include "transports/xswatch.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/base/clock.h"

/* ---- the wire format ------------------------------------------------------- */

static uint32_t word_at(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v)); /* native order, as xenstored writes it */
	return v;
}

long yb_xs_frame(const uint8_t *buf, size_t n, struct yb_xs_msg *m)
{
	if (n < YB_XS_HDR)
		return 0;
	uint32_t len = word_at(buf + 12);
	if (len > YB_XS_PAYLOAD_MAX)
		return -1;
	if (n - YB_XS_HDR < len)
		return 0;
	m->type = word_at(buf);
	m->req_id = word_at(buf + 4);
	m->tx_id = word_at(buf + 8);
	m->len = len;
	m->body = (const char *)buf + YB_XS_HDR;
	return (long)(YB_XS_HDR + len);
}

/* The NUL-terminated string at body + *pos, copied whole into out. */
static int take_string(const struct yb_xs_msg *m, size_t *pos, char *out,
		       size_t outlen)
{
	const char *s = m->body + *pos;
	const char *nul = memchr(s, '\0', m->len - *pos);

	if (!nul)
		return -1;
	size_t n = (size_t)(nul - s);
	if (out) {
		if (n >= outlen)
			return -1;
		memcpy(out, s, n);
		out[n] = '\0';
	}
	*pos += n + 1;
	return 0;
}

int yb_xs_event(const struct yb_xs_msg *m, char *path, size_t pathlen,
		char *token, size_t tokenlen)
{
	size_t pos = 0;

	if (m->type != YB_XS_WATCH_EVENT || m->len > YB_XS_PAYLOAD_MAX ||
	    (path && !pathlen) || (token && !tokenlen))
		return -1;
	if (take_string(m, &pos, path, pathlen) ||
	    take_string(m, &pos, token, tokenlen))
		return -1;
	return 0;
}

int yb_xs_errno(const struct yb_xs_msg *m)
{
	static const struct {
		const char *name;
		int value;
	} names[] = { { "EINVAL", EINVAL }, { "EACCES", EACCES },
		      { "EEXIST", EEXIST }, { "EISDIR", EISDIR },
		      { "ENOENT", ENOENT }, { "ENOMEM", ENOMEM },
		      { "ENOSPC", ENOSPC }, { "EIO", EIO },
		      { "ENOTEMPTY", ENOTEMPTY }, { "ENOSYS", ENOSYS },
		      { "EROFS", EROFS }, { "EBUSY", EBUSY },
		      { "EAGAIN", EAGAIN }, { "EISCONN", EISCONN },
		      { "E2BIG", E2BIG }, { "EPERM", EPERM } };
	const char *nul = memchr(m->body, '\0', m->len);
	size_t n = nul ? (size_t)(nul - m->body) : m->len;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i].name) == n &&
		    memcmp(names[i].name, m->body, n) == 0)
			return names[i].value;
	return EIO;
}

long yb_xs_build(uint8_t *out, size_t outlen, uint32_t type, uint32_t req_id,
		 const char *const *strs, size_t nstrs)
{
	size_t len = 0;

	for (size_t i = 0; i < nstrs; i++) {
		size_t l = strlen(strs[i]) + 1;
		if (l > YB_XS_PAYLOAD_MAX - len)
			return -1;
		len += l;
	}
	if (outlen < YB_XS_HDR || outlen - YB_XS_HDR < len)
		return -1;
	uint32_t hdr[4] = { type, req_id, 0, (uint32_t)len };
	memcpy(out, hdr, sizeof(hdr));
	size_t pos = YB_XS_HDR;
	for (size_t i = 0; i < nstrs; i++) {
		size_t l = strlen(strs[i]) + 1;
		memcpy(out + pos, strs[i], l);
		pos += l;
	}
	return (long)pos;
}

/* ---- the connection ---------------------------------------------------------- */

void yb_xsw_init(struct yb_xsw *w)
{
	w->fd = -1;
	w->pid = 0;
	w->next_id = 0;
	w->pending = 0;
	w->have = 0;
}

static int open_one(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return -errno;
	if (!S_ISSOCK(st.st_mode)) {
		int fd = open(path, O_RDWR | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(a.sun_path))
		return -ENAMETOOLONG;
	memcpy(a.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

int yb_xsw_open(struct yb_xsw *w, const char *path)
{
	/* libxenstore's order: the daemon's socket (XENSTORED_PATH, else
	 * under its run directory), then the kernel's xenbus device. */
	const char *env = getenv("XENSTORED_PATH");
	const char *tries[] = { path, env, "/run/xenstored/socket",
				"/var/run/xenstored/socket", "/dev/xen/xenbus",
				"/proc/xen/xenbus" };
	size_t n = sizeof(tries) / sizeof(tries[0]);
	int fd = -ENOENT;

	yb_xsw_init(w);
	for (size_t i = 0; i < n; i++) {
		if (!tries[i] || !tries[i][0])
			continue;
		fd = open_one(tries[i]);
		/* A path we were given, or the environment's, is the only
		 * one to try. */
		if (fd >= 0 || i < 2)
			break;
	}
	if (fd < 0)
		return fd;
	w->fd = fd;
	w->pid = getpid();
	return 0;
}

int yb_xsw_usable(const struct yb_xsw *w)
{
	return w->fd >= 0 && w->pid == getpid();
}

int yb_xsw_fd(const struct yb_xsw *w)
{
	return yb_xsw_usable(w) ? w->fd : -1;
}

void yb_xsw_close(struct yb_xsw *w)
{
	if (yb_xsw_usable(w))
		close(w->fd);
	yb_xsw_init(w);
}

/*
 * Read once, waiting at most timeout_ms: 1 bytes arrived, 0 none,
 * -EPIPE the connection ended, -errno.
 */
static int fill(struct yb_xsw *w, int timeout_ms)
{
	struct pollfd p = { .fd = w->fd, .events = POLLIN };
	int n = poll(&p, 1, timeout_ms);

	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	if (n == 0)
		return 0;
	if (!(p.revents & POLLIN))
		return -EPIPE; /* hung up or in error, nothing to read */
	ssize_t r = read(w->fd, w->buf + w->have, sizeof(w->buf) - w->have);
	if (r < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -errno;
	if (r == 0)
		return -EPIPE;
	w->have += (size_t)r;
	return 1;
}

/*
 * Every whole message in the buffer: events are counted (the last one's
 * path kept), a reply of type `want` or an error reply ends a wait
 * (*reply: 0, or -errno).  0, or -EPROTO on bytes that are no message.
 */
static int sort_out(struct yb_xsw *w, uint32_t want, int *reply,
		    yb_xsw_event_fn *on_event, void *ctx)
{
	size_t off = 0;
	int rc = 0;

	for (;;) {
		struct yb_xs_msg m;
		long k = yb_xs_frame(w->buf + off, w->have - off, &m);
		if (k < 0) {
			rc = -EPROTO;
			off = w->have;
			break;
		}
		if (k == 0)
			break;
		if (m.type == YB_XS_WATCH_EVENT) {
			w->pending++;
			if (on_event) {
				char path[YB_XS_PATH_MAX];
				on_event(ctx, yb_xs_event(&m, path, sizeof(path),
							  NULL, 0) == 0 ?
						      path :
						      NULL);
			}
		} else if (want && reply && (m.type == want ||
					     m.type == YB_XS_ERROR)) {
			*reply = m.type == YB_XS_ERROR ? -yb_xs_errno(&m) : 0;
			want = 0;
		}
		off += (size_t)k;
	}
	memmove(w->buf, w->buf + off, w->have - off);
	w->have -= off;
	return rc;
}

int yb_xsw_add(struct yb_xsw *w, const char *path, const char *token,
	       int timeout_ms)
{
	uint8_t msg[YB_XS_HDR + YB_XS_PAYLOAD_MAX];
	const char *strs[2] = { path, token };

	if (!yb_xsw_usable(w))
		return -EBADF;
	long len = yb_xs_build(msg, sizeof(msg), YB_XS_WATCH, ++w->next_id,
			       strs, 2);
	if (len < 0)
		return -E2BIG;
	/* The xenbus device takes a request in one write; the socket may
	 * take it in pieces. */
	for (long done = 0; done < len;) {
		ssize_t n = write(w->fd, msg + done, (size_t)(len - done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		done += n;
	}
	uint64_t end = yb_now() + (uint64_t)timeout_ms * 1000000;
	int reply = 1;
	while (reply > 0) {
		uint64_t now = yb_now();
		if (now >= end) {
			/* A late answer would be taken for the next one's. */
			yb_xsw_close(w);
			return -ETIMEDOUT;
		}
		int rc = fill(w, (int)((end - now) / 1000000) + 1);
		if (rc < 0)
			return rc;
		if (rc > 0 &&
		    (rc = sort_out(w, YB_XS_WATCH, &reply, NULL, NULL)) != 0)
			return rc;
	}
	return reply;
}

int yb_xsw_take(struct yb_xsw *w, yb_xsw_event_fn *on_event, void *ctx)
{
	if (!yb_xsw_usable(w))
		return -EBADF;
	for (;;) {
		int rc = fill(w, 0);
		if (rc < 0)
			return rc;
		if (rc == 0)
			break;
		if ((rc = sort_out(w, 0, NULL, on_event, ctx)) != 0)
			return rc;
	}
	int n = (int)w->pending;
	w->pending = 0;
	return n;
}
