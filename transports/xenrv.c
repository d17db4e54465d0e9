/* xenrv.c - XenStore rendezvous for the Xen transports (see xenrv.h). */
#include "transports/xenrv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- what needs no Xen: address and request parsing ------------------------ */

static int parse_uint(const char *s, size_t n, unsigned long long max,
		      unsigned long long *out)
{
	unsigned long long v = 0;

	if (n == 0 || n > 20)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		unsigned d = (unsigned)(s[i] - '0');
		if (d > max || v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int yb_xrv_parse_addr(const char *name, const char *addr, int listening,
		      unsigned *dom, unsigned *port, struct yb_err *err)
{
	const char *colon = strchr(addr, ':');
	size_t n = colon ? (size_t)(colon - addr) : strlen(addr);
	unsigned long long v;

	/* Domain ids are 15 bits; DOMID_FIRST_RESERVED is 0x7ff0. */
	if (listening && n == 3 && memcmp(addr, "any", 3) == 0)
		v = YB_XRV_ANY;
	else if (parse_uint(addr, n, 0x7fefu, &v))
		return yb_err_set(err, YB_EUSAGE,
				  "bad %s address '%s': expected DOMID or "
				  "DOMID:PORT (the peer domain's id, 0-32751%s)",
				  name, addr, listening ? ", or any" : "");
	*dom = (unsigned)v;
	*port = YB_XRV_DEFAULT_PORT;
	if (colon) {
		if (parse_uint(colon + 1, strlen(colon + 1), 65535, &v) ||
		    v == 0)
			return yb_err_set(err, YB_EUSAGE,
					  "bad %s port '%s': expected 1-65535",
					  name, colon + 1);
		*port = (unsigned)v;
	}
	return 0;
}

/* A decimal number without leading zeros (parse_uint allows them). */
static int parse_plain(const char *s, size_t n, unsigned long long max,
		       unsigned long long *out)
{
	if (n > 1 && s[0] == '0')
		return -1;
	return parse_uint(s, n, max, out);
}

int yb_xrv_parse_key(const char *s, size_t n, unsigned long *pid,
		     unsigned long *seq)
{
	const char *dash = memchr(s, '-', n);
	unsigned long long p, q;

	if (!dash || n >= YB_XRV_KEY_MAX ||
	    parse_plain(s, (size_t)(dash - s), 1ull << 22, &p) || p == 0 ||
	    parse_plain(dash + 1, n - (size_t)(dash + 1 - s), 0xffffffffull,
			&q))
		return -1;
	*pid = (unsigned long)p;
	*seq = (unsigned long)q;
	return 0;
}

int yb_xrv_parse_request_path(const char *path, const char *name,
			      unsigned server, unsigned port, unsigned *dom,
			      char *key)
{
	static const char head[] = "/local/domain/";
	char tail[YB_XRV_PATH_MAX];
	unsigned long long d;
	unsigned long pid, seq;
	size_t hl = sizeof(head) - 1;

	if (strncmp(path, head, hl) != 0)
		return -1;
	const char *p = path + hl, *slash = strchr(p, '/');
	if (!slash || parse_plain(p, (size_t)(slash - p), YB_XRV_DOMS - 1, &d))
		return -1;
	int tl = snprintf(tail, sizeof(tail), "/data/yasmin-bench/%s-%u-%u",
			  name, server, port);
	if (tl < 0 || (size_t)tl >= sizeof(tail) ||
	    strncmp(slash, tail, (size_t)tl) != 0)
		return -1;
	const char *k = slash + tl;
	if (*k == '\0') {
		*dom = (unsigned)d;
		key[0] = '\0';
		return 1;
	}
	if (*k != '/' || yb_xrv_parse_key(k + 1, strlen(k + 1), &pid, &seq))
		return -1;
	*dom = (unsigned)d;
	snprintf(key, YB_XRV_KEY_MAX, "%s", k + 1);
	return 0;
}

/*
 * "yasmin-bench 1 dom=C nonce=N order0=O order1=O wait=W spin=NS": fields
 * in this order, single spaces, decimal numbers, nothing else.
 */
int yb_xrv_parse_request(const char *text, size_t len,
			 struct yb_xrv_request *req, struct yb_err *err)
{
	static const struct {
		const char *key;
		unsigned long long max;
	} fields[] = { { "yasmin-bench ", 1000 }, { " dom=", 0x7fef },
		       { " nonce=", ~0ull },     { " order0=", 63 },
		       { " order1=", 63 },       { " wait=", 2 },
		       { " spin=", 60000000000ull } };
	unsigned long long v[7];
	size_t pos = 0;

	if (len > YB_XRV_TEXT_MAX)
		return yb_err_set(err, YB_EPROTO, "request longer than %d bytes",
				  YB_XRV_TEXT_MAX);
	for (size_t i = 0; i < 7; i++) {
		size_t kl = strlen(fields[i].key);
		if (len - pos < kl || memcmp(text + pos, fields[i].key, kl))
			return yb_err_set(err, YB_EPROTO,
					  "malformed request: expected '%s' at "
					  "byte %zu",
					  fields[i].key, pos);
		pos += kl;
		size_t start = pos;
		while (pos < len && text[pos] >= '0' && text[pos] <= '9')
			pos++;
		if (parse_uint(text + start, pos - start, fields[i].max, &v[i]))
			return yb_err_set(err, YB_EPROTO,
					  "malformed request: bad value for "
					  "'%s' (at most %llu)",
					  fields[i].key, fields[i].max);
	}
	/* Optional, last: the tag of a wrapped connection. */
	unsigned long long tag = 0;
	if (pos < len) {
		static const char tk[] = " tag=";
		size_t kl = sizeof(tk) - 1, start;
		if (len - pos < kl || memcmp(text + pos, tk, kl))
			return yb_err_set(err, YB_EPROTO,
					  "malformed request: %zu stray bytes "
					  "at the end",
					  len - pos);
		pos += kl;
		start = pos;
		while (pos < len && text[pos] >= '0' && text[pos] <= '9')
			pos++;
		if (parse_uint(text + start, pos - start, 65535, &tag) ||
		    tag == 0)
			return yb_err_set(err, YB_EPROTO,
					  "malformed request: bad value for "
					  "' tag=' (1 to 65535)");
		if (pos != len)
			return yb_err_set(err, YB_EPROTO,
					  "malformed request: %zu stray bytes "
					  "at the end",
					  len - pos);
	}
	req->tag = (unsigned)tag;
	req->version = (unsigned)v[0];
	req->dom = (unsigned)v[1];
	req->nonce = v[2];
	req->order0 = (unsigned)v[3];
	req->order1 = (unsigned)v[4];
	req->wait = (unsigned)v[5];
	req->spin_ns = v[6];
	return 0;
}

enum yb_xrv_answer yb_xrv_parse_reply(const char *text, size_t len,
				      unsigned long long nonce, char *out,
				      size_t outlen)
{
	static const struct {
		const char *word;
		enum yb_xrv_answer kind;
	} words[] = { { "ok ", YB_XRV_OK },
		      { "refused ", YB_XRV_REFUSED },
		      { "no-resources ", YB_XRV_NO_RESOURCES },
		      { "busy ", YB_XRV_BUSY } };
	char prefix[40];
	int pl = snprintf(prefix, sizeof(prefix), "nonce=%llu ", nonce);

	if (outlen)
		out[0] = '\0';
	if (len < (size_t)pl || memcmp(text, prefix, (size_t)pl) != 0)
		return YB_XRV_NOT_YET;
	text += pl;
	len -= (size_t)pl;
	enum yb_xrv_answer kind = YB_XRV_UNKNOWN;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t wl = strlen(words[i].word);
		if (len >= wl && memcmp(text, words[i].word, wl) == 0) {
			kind = words[i].kind;
			text += wl;
			len -= wl;
			break;
		}
	}
	if (!outlen)
		return kind;
	/* Printable only: it may end up in our error messages. */
	size_t n = len < outlen - 1 ? len : outlen - 1;
	for (size_t i = 0; i < n; i++)
		out[i] = text[i] >= 0x20 && text[i] <= 0x7e ? text[i] : '?';
	out[n] = '\0';
	return kind;
}

#ifdef YB_HAVE_XEN

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include <xenstore.h>

#include "core/base/clock.h"

#define XRV_CHECK_NS 500000000ull /* peer checks without a watch */
#define XRV_RECHECK_NS 5000000000ull /* with one, in case it was lost */
#define XRV_POLL_MS 50 /* reading instead of a watch: this often */
#define XRV_WATCH_MS 10000 /* xenstored answers a watch request */
#define XRV_LINGER_MS 5000 /* a refused client has this long to leave */

unsigned long yb_xen_gntalloc_limit(void)
{
	FILE *f = fopen("/sys/module/xen_gntalloc/parameters/limit", "r");
	unsigned long v = 0;

	if (f) {
		if (fscanf(f, "%lu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

const char *const yb_xrv_devices[] = { "/dev/xen/evtchn", "/dev/xen/gntalloc",
					"/dev/xen/gntdev", NULL };

unsigned long long yb_xrv_nonce(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((unsigned long long)ts.tv_nsec << 20) ^
	       (unsigned long long)ts.tv_sec ^ (unsigned long long)getpid();
}

int yb_xrv_probe(const char *const *devices, struct yb_err *err)
{
	char type[32] = "";
	FILE *f = fopen("/sys/hypervisor/type", "r");

	if (f) {
		if (!fgets(type, sizeof(type), f))
			type[0] = '\0';
		fclose(f);
		type[strcspn(type, "\n")] = '\0';
	}
	/* Kernels without sys_hypervisor have no such file; the devices
	 * below still tell. */
	if ((type[0] && strcmp(type, "xen") != 0) ||
	    (!type[0] && access("/proc/xen", F_OK) != 0 &&
	     access("/dev/xen", F_OK) != 0))
		return yb_err_set(err, YB_ENOTSUP,
				  "not a Xen domain (/sys/hypervisor/type: %s)",
				  type[0] ? type : "absent");
	for (; *devices; devices++) {
		if (access(*devices, F_OK) != 0) {
			const char *mod = strrchr(*devices, '/') + 1;
			return yb_err_set(err, YB_ENOTSUP,
					  "%s is missing (modprobe xen-%s)",
					  *devices,
					  strcmp(mod, "evtchn") == 0 ? "evtchn" :
					  strcmp(mod, "gntdev") == 0 ? "gntdev" :
								       "gntalloc");
		}
		int fd = open(*devices, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return yb_err_set(err, YB_ENOTSUP,
					  "%s: %s (run as root)", *devices,
					  strerror(errno));
		close(fd);
	}
	struct xs_handle *xs = xs_open(0);
	if (!xs)
		return yb_err_set(err, YB_ENOTSUP,
				  "XenStore does not answer (%s)",
				  strerror(errno));
	xs_close(xs);
	return 0;
}

struct xs_handle *yb_xrv_xs(struct yb_xrv *x)
{
	if (x->xs && x->xs_pid == getpid())
		return x->xs;
	/* A handle from before fork() belongs to the parent: leave it be
	 * (closing it here would tear down the parent's reader thread
	 * state), open our own. */
	x->xs = xs_open(0);
	x->xs_pid = getpid();
	return x->xs;
}

static int self_domid(struct xs_handle *xs, unsigned *dom, struct yb_err *err)
{
	unsigned int len = 0;
	char *s = xs_read(xs, XBT_NULL, "domid", &len);
	unsigned long long v;

	if (!s)
		return yb_err_sys(err, errno,
				  "XenStore: cannot read this domain's id");
	int bad = parse_uint(s, len, 0x7fef, &v);
	free(s);
	if (bad)
		return yb_err_set(err, YB_EPROTO,
				  "XenStore: this domain's id is not a number");
	*dom = (unsigned)v;
	return 0;
}

/* Write path = value owned by us, with the peer allowed `peer_perm`. */
static int put_node(struct xs_handle *xs, unsigned self, unsigned peer,
		    unsigned peer_perm, const char *path,
		    const char *value)
{
	struct xs_permissions perms[2] = {
		{ .id = self, .perms = XS_PERM_NONE },
		{ .id = peer, .perms = peer_perm },
	};
	/* The owner's entry also gives every other domain its rights. */
	unsigned nperms = 2;
	if (peer == YB_XRV_ANY) {
		perms[0].perms = peer_perm;
		nperms = 1;
	}
	for (int tries = 0; tries < 10; tries++) {
		xs_transaction_t t = xs_transaction_start(xs);
		if (t == XBT_NULL)
			return -errno;
		if (!xs_write(xs, t, path, value, (unsigned)strlen(value)) ||
		    !xs_set_permissions(xs, t, path, perms, nperms)) {
			int e = errno;
			xs_transaction_end(xs, t, true);
			return -e;
		}
		if (xs_transaction_end(xs, t, false))
			return 0;
		if (errno != EAGAIN)
			return -errno;
	}
	return -EAGAIN;
}

static void node(char *buf, const struct yb_xrv *x, const char *leaf)
{
	snprintf(buf, YB_XRV_PATH_MAX, "%s/%s", x->base, leaf);
}

/*
 * Watch path on our own watch connection (xswatch.h: libxenstore's
 * watches need its reader thread, which its static library lacks), or
 * fall back to reading it every XRV_POLL_MS when no watch can be set.
 * 1 watching, 0 polling.
 */
static int start_watch(struct yb_xrv *x, const char *path, const char *token)
{
	if (x->polled)
		return 0;
	if (!yb_xsw_usable(&x->w) && yb_xsw_open(&x->w, NULL) != 0) {
		x->polled = 1;
		return 0;
	}
	if (yb_xsw_add(&x->w, path, token, XRV_WATCH_MS) != 0) {
		yb_xsw_close(&x->w);
		x->polled = 1;
		return 0;
	}
	return 1;
}

/* Drop every watch: they live and die with their connection. */
static void stop_watch(struct yb_xrv *x)
{
	yb_xsw_close(&x->w);
}

static void remove_node(struct yb_xrv *x, const char *path)
{
	if (!xs_rm(x->xs, XBT_NULL, path) && errno != ENOENT)
		fprintf(stderr, "yasmin-bench: %s: cannot remove %s from "
				"XenStore: %s\n",
			x->name, path, strerror(errno));
}

/*
 * Both ends: parse the address, open XenStore, learn our domain id and
 * name the server's directory (ours when listening, the peer's if not).
 */
static int xrv_open(struct yb_xrv *x, const char *name, const char *addr,
		    int listening, struct yb_err *err)
{
	memset(x, 0, sizeof(*x));
	x->tfd = x->efd = x->kick = -1;
	yb_xsw_init(&x->w);
	x->name = name;
	int rc = yb_xrv_parse_addr(name, addr, listening, &x->peer, &x->port,
				   err);
	if (rc)
		return rc;
	if (!yb_xrv_xs(x))
		return yb_err_sys(err, errno, "%s: cannot open XenStore", name);
	rc = self_domid(x->xs, &x->self, err);
	if (rc)
		return rc;
	if (x->self == x->peer)
		return yb_err_set(err, YB_EUSAGE,
				  "%s:%s: the %s is this domain (%u); %s "
				  "connects two domains (use shm within one)",
				  name, addr, listening ? "peer" : "server",
				  x->self, name);
	snprintf(x->base, sizeof(x->base),
		 "/local/domain/%u/data/yasmin-bench/%s-%u",
		 listening ? x->self : x->peer, name, x->port);
	return 0;
}

/*
 * The request directory of domain dom for the server in domain server on
 * our port, or with key its node K.
 */
static void request_path(const struct yb_xrv *x, unsigned dom,
			 unsigned server, const char *key, char *path)
{
	snprintf(path, YB_XRV_PATH_MAX,
		 "/local/domain/%u/data/yasmin-bench/%s-%u-%u%s%s", dom,
		 x->name, server, x->port, key ? "/" : "", key ? key : "");
}

static void reply_path(const struct yb_xrv *x, unsigned dom, const char *key,
		       char *path)
{
	snprintf(path, YB_XRV_PATH_MAX, "%s/reply-%u-%s", x->base, dom, key);
}

/* Wake the server loop again while any domain is still pending. */
static void kick(struct yb_xrv *x)
{
	uint64_t one = 1;

	if (x->kick < 0)
		return;
	for (size_t i = 0; i < sizeof(x->pending); i++)
		if (x->pending[i]) {
			if (write(x->kick, &one, sizeof(one)) < 0)
				return; /* already readable */
			return;
		}
}

static void mark_pending(struct yb_xrv *x, unsigned dom)
{
	if (dom < YB_XRV_DOMS)
		x->pending[dom / 8] |= (uint8_t)(1u << (dom % 8));
}

/* A watch event: the request node of a domain changed. */
static void on_request_event(void *ctx, const char *path)
{
	struct yb_xrv *x = ctx;
	char key[YB_XRV_KEY_MAX];
	unsigned dom;

	if (path && yb_xrv_parse_request_path(path, x->name, x->self, x->port,
					      &dom, key) >= 0 &&
	    (x->peer == YB_XRV_ANY || dom == x->peer))
		mark_pending(x, dom);
}

/* Without a watch: every domain that may have a request is looked at. */
static void mark_all(struct yb_xrv *x)
{
	if (x->peer != YB_XRV_ANY) {
		mark_pending(x, x->peer);
		return;
	}
	unsigned n = 0;
	char **doms = xs_directory(x->xs, XBT_NULL, "/local/domain", &n);
	for (unsigned i = 0; doms && i < n; i++) {
		unsigned long long d;
		if (parse_uint(doms[i], strlen(doms[i]), YB_XRV_DOMS - 1,
			       &d) == 0)
			mark_pending(x, (unsigned)d);
	}
	free(doms);
}

/* Without a watch: a timer that wakes the server loop to look, every
 * XRV_POLL_MS * 2.  0 or -errno. */
static int start_polling(struct yb_xrv *x)
{
	struct itimerspec its = {
		.it_interval = { 0, XRV_POLL_MS * 2 * 1000000L },
		.it_value = { 0, XRV_POLL_MS * 2 * 1000000L },
	};

	x->polled = 1;
	x->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (x->tfd < 0 || timerfd_settime(x->tfd, 0, &its, NULL) < 0)
		return -errno;
	return 0;
}

int yb_xrv_listen(struct yb_xrv *x, const char *name, const char *addr,
		  struct yb_err *err)
{
	char path[YB_XRV_PATH_MAX], state[64];
	int rc;

	rc = xrv_open(x, name, addr, 1, err);
	if (rc)
		return rc;
	/* A directory left by a server killed with SIGKILL is replaced; a
	 * live one cannot be told apart here, the port says which is which. */
	xs_rm(x->xs, XBT_NULL, x->base);
	node(path, x, "state");
	if (x->peer == YB_XRV_ANY)
		snprintf(state, sizeof(state), "listening any");
	else
		snprintf(state, sizeof(state), "listening %u", x->peer);
	if ((rc = put_node(x->xs, x->self, x->peer, XS_PERM_READ, path,
			   state)) != 0)
		goto fail;
	x->listener = 1;
	x->last_owner = YB_XRV_DOMS - 1;
	/* Requests live in the clients' own trees: the peer's node, or
	 * every domain's (events come only for nodes we may read). */
	if (x->peer == YB_XRV_ANY)
		snprintf(path, sizeof(path), "/local/domain");
	else
		request_path(x, x->peer, x->self, NULL, path);
	rc = start_watch(x, path, "request");
	if (rc == 0 && (rc = start_polling(x)) != 0)
		goto fail;
	/* The server loop polls one descriptor: the watch (or the timer)
	 * and a kick for requests still pending after one was taken. */
	x->efd = epoll_create1(EPOLL_CLOEXEC);
	x->kick = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN };
	int src = x->tfd >= 0 ? x->tfd : yb_xsw_fd(&x->w);
	if (x->efd < 0 || x->kick < 0 ||
	    epoll_ctl(x->efd, EPOLL_CTL_ADD, x->kick, &ev) != 0 ||
	    epoll_ctl(x->efd, EPOLL_CTL_ADD, src, &ev) != 0) {
		rc = -errno;
		goto fail;
	}
	/* A request written before the watch was set is looked for once. */
	mark_all(x);
	kick(x);
	return 0;
fail:
	xs_rm(x->xs, XBT_NULL, x->base);
	return yb_err_sys(err, -rc, "%s: cannot publish %s in XenStore", name,
			  x->base);
}

int yb_xrv_listen_fd(struct yb_xrv *x)
{
	return x->efd;
}

/* Take in what changed: watch events, or a tick of the polling timer. */
static int collect(struct yb_xrv *x, struct yb_err *err)
{
	uint64_t n;
	if (x->kick >= 0 && read(x->kick, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return yb_err_sys(err, errno, "%s: eventfd", x->name);
	if (x->tfd >= 0) {
		uint64_t ticks;
		if (read(x->tfd, &ticks, sizeof(ticks)) < 0) {
			if (errno != EAGAIN)
				return yb_err_sys(err, errno, "%s: timer",
						  x->name);
			return 0;
		}
		mark_all(x);
		return 0;
	}
	if (yb_xsw_take(&x->w, on_request_event, x) >= 0)
		return 0;
	/* The watch connection is lost: look everywhere once, then every
	 * XRV_POLL_MS * 2 from now on. */
	stop_watch(x);
	struct epoll_event ev = { .events = EPOLLIN };
	if (start_polling(x) != 0 ||
	    (x->efd >= 0 && epoll_ctl(x->efd, EPOLL_CTL_ADD, x->tfd, &ev) < 0))
		return yb_err_sys(err, errno,
				  "%s: lost the XenStore watch and cannot "
				  "poll instead",
				  x->name);
	mark_all(x);
	return 0;
}

/* The first pending domain after the one served last, cleared; or -1. */
static int next_pending(struct yb_xrv *x)
{
	for (unsigned k = 1; k <= YB_XRV_DOMS; k++) {
		unsigned d = (x->last_owner + k) % YB_XRV_DOMS;
		uint8_t bit = (uint8_t)(1u << (d % 8));
		if (x->pending[d / 8] & bit) {
			x->pending[d / 8] &= (uint8_t)~bit;
			return (int)d;
		}
		/* Whole bytes at a time past empty ones. */
		if (d % 8 == 0 && x->pending[d / 8] == 0 && k + 7 <= YB_XRV_DOMS)
			k += 7;
	}
	return -1;
}

/* Who owns the node at path (the domain that created it), or -1. */
static long node_owner(struct yb_xrv *x, const char *path)
{
	unsigned n = 0;
	struct xs_permissions *p = xs_get_permissions(x->xs, XBT_NULL, path, &n);
	long owner = p && n > 0 ? (long)p[0].id : -1;
	free(p);
	return owner;
}

/* Answer the request of (dom, key) without taking it (refusals). */
static void answer(struct yb_xrv *x, unsigned dom, const char *key,
		   unsigned long long nonce, const char *text)
{
	x->cur_owner = dom;
	snprintf(x->cur_key, sizeof(x->cur_key), "%s", key);
	yb_xrv_reply(x, nonce, text);
}

/* What identifies a request: its node and its text (FNV-1a). */
static uint64_t text_hash(const char *s, unsigned len)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (unsigned i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
	return h;
}

static int was_answered(const struct yb_xrv *x, unsigned dom, const char *key,
			uint64_t hash)
{
	unsigned n = x->n_answered < YB_XRV_ANSWERED ? x->n_answered :
						      YB_XRV_ANSWERED;
	for (unsigned i = 0; i < n; i++)
		if (x->answered[i].dom == dom && x->answered[i].hash == hash &&
		    strcmp(x->answered[i].key, key) == 0)
			return 1;
	return 0;
}

static void remember_answered(struct yb_xrv *x, unsigned dom, const char *key,
			      uint64_t hash)
{
	unsigned i = x->n_answered++ % YB_XRV_ANSWERED;
	x->answered[i].dom = dom;
	x->answered[i].hash = hash;
	snprintf(x->answered[i].key, sizeof(x->answered[i].key), "%s", key);
}

/*
 * The first request waiting in domain dom's directory, not answered yet,
 * read into *s (the caller frees it) with its key and hash; 0, or -1 when
 * there is none.  *more: another waits there too.
 */
static int find_request(struct yb_xrv *x, unsigned dom, char *key, char **s,
			unsigned *len, uint64_t *hash, int *more)
{
	char dir[YB_XRV_PATH_MAX], path[YB_XRV_PATH_MAX];
	unsigned n = 0, tlen = 0;
	unsigned long pid, seq;
	int found = -1;

	request_path(x, dom, x->self, NULL, dir);
	char **kids = xs_directory(x->xs, XBT_NULL, dir, &n);
	*more = 0;
	for (unsigned i = 0; kids && i < n && !*more; i++) {
		if (yb_xrv_parse_key(kids[i], strlen(kids[i]), &pid, &seq))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, kids[i]);
		char *t = xs_read(x->xs, XBT_NULL, path, &tlen);
		if (!t)
			continue; /* gone, or not for us to read */
		uint64_t h = text_hash(t, tlen);
		if (tlen < 13 || memcmp(t, "yasmin-bench ", 13) != 0 ||
		    was_answered(x, dom, kids[i], h)) {
			free(t);
			continue; /* not a request (any more, or yet) */
		}
		if (found == 0) {
			*more = 1; /* looked at on the domain's next turn */
			free(t);
			continue;
		}
		/* Only the domain itself (or dom0) can write in its tree;
		 * the node's owner must say so too. */
		long owner = node_owner(x, path);
		if (owner != (long)dom && owner != 0) {
			free(t);
			continue;
		}
		snprintf(key, YB_XRV_KEY_MAX, "%s", kids[i]);
		*s = t;
		*len = tlen;
		*hash = h;
		found = 0;
	}
	free(kids);
	return found;
}

static int take_request(struct yb_xrv *x, struct yb_xrv_request *req,
			struct yb_err *err)
{
	char key[YB_XRV_KEY_MAX];
	uint64_t hash;
	int rc = collect(x, err), d, more;

	if (rc)
		return rc;
	while ((d = next_pending(x)) >= 0) {
		unsigned dom = (unsigned)d, len = 0;
		char *s = NULL;
		if (find_request(x, dom, key, &s, &len, &hash, &more) != 0)
			continue;
		if (more)
			mark_pending(x, dom); /* after the others' turn */
		x->last_owner = dom;
		remember_answered(x, dom, key, hash);
		rc = yb_xrv_parse_request(s, len, req, err);
		free(s);
		if (rc) {
			char why[YB_XRV_TEXT_MAX];
			snprintf(why, sizeof(why), "refused malformed request: %s",
				 err->msg);
			answer(x, dom, key, 0, why);
			return yb_err_set(err, YB_EPROTO,
					  "%s: request from domain %u: %s",
					  x->name, dom, why + 8);
		}
		if (req->dom != dom) {
			char why[YB_XRV_TEXT_MAX];
			snprintf(why, sizeof(why),
				 "refused the request claims domain %u, but "
				 "domain %u wrote it",
				 req->dom, dom);
			answer(x, dom, key, req->nonce, why);
			return yb_err_set(err, YB_EPROTO,
					  "%s: refused a request written by "
					  "domain %u claiming to be domain %u",
					  x->name, dom, req->dom);
		}
		x->cur_owner = dom;
		snprintf(x->cur_key, sizeof(x->cur_key), "%s", key);
		return 0;
	}
	return YB_EAGAIN;
}

void yb_xrv_look_at(struct yb_xrv *x, unsigned dom)
{
	if (dom < YB_XRV_DOMS)
		mark_pending(x, dom);
}

int yb_xrv_next_request(struct yb_xrv *x, struct yb_xrv_request *req,
			struct yb_err *err)
{
	int rc = take_request(x, req, err);
	kick(x);
	return rc;
}

int yb_xrv_reply(struct yb_xrv *x, unsigned long long nonce, const char *text)
{
	char path[YB_XRV_PATH_MAX], buf[YB_XRV_TEXT_MAX];

	reply_path(x, x->cur_owner, x->cur_key, path);
	snprintf(buf, sizeof(buf), "nonce=%llu %s", nonce, text);
	int rc = put_node(x->xs, x->self, x->cur_owner, XS_PERM_READ, path, buf);
	return rc ? yb_from_errno(-rc) : 0;
}

void yb_xrv_done(struct yb_xrv *x)
{
	char path[YB_XRV_PATH_MAX];

	reply_path(x, x->cur_owner, x->cur_key, path);
	xs_rm(x->xs, XBT_NULL, path);
}

/*
 * After a refusal: the refused client removes its request node once it
 * has read the answer (or given up), and then the reply can go, so that
 * the newcomer leaves nothing behind in XenStore.  Read every XRV_POLL_MS
 * rather than watch: the listener's watch belongs to the server loop.  A
 * client that stays longer than XRV_LINGER_MS keeps its reply until the
 * server's directory goes.
 */
static void clear_after_refusal(struct yb_xrv *x, unsigned dom)
{
	char path[YB_XRV_PATH_MAX];
	uint64_t end = yb_now() + (uint64_t)XRV_LINGER_MS * 1000000;

	request_path(x, dom, x->self, x->cur_key, path);
	for (;;) {
		unsigned len;
		char *s = xs_read(x->xs, XBT_NULL, path, &len);
		if (!s) {
			if (errno == ENOENT || errno == EACCES)
				yb_xrv_done(x);
			return;
		}
		free(s);
		if (yb_now() >= end)
			return;
		poll(NULL, 0, XRV_POLL_MS);
	}
}

int yb_xrv_refuse(struct yb_xrv *x, const char *why, unsigned *dom,
		  struct yb_err *err)
{
	struct yb_xrv_request req;
	char text[YB_XRV_TEXT_MAX];
	int rc = yb_xrv_next_request(x, &req, err);

	if (rc)
		return rc;
	/* Only the nonce and the domain are used: whatever else the
	 * client asked for, the answer is the same. */
	*dom = req.dom;
	snprintf(text, sizeof(text), "busy %s", why);
	rc = yb_xrv_reply(x, req.nonce, text);
	if (rc)
		return yb_err_sys(err, -rc, "%s: cannot answer domain %u",
				  x->name, req.dom);
	clear_after_refusal(x, req.dom);
	return 0;
}

void yb_xrv_conn_from(struct yb_xrv *conn, const struct yb_xrv *l,
		      unsigned peer)
{
	memset(conn, 0, sizeof(*conn));
	conn->tfd = conn->efd = conn->kick = -1;
	yb_xsw_init(&conn->w);
	conn->name = l->name;
	conn->self = l->self;
	conn->peer = peer;
	conn->port = l->port;
	snprintf(conn->base, sizeof(conn->base), "%s", l->base);
	snprintf(conn->key, sizeof(conn->key), "%s", l->cur_key);
	request_path(l, peer, l->self, l->cur_key, conn->presence);
}

/* Wait for the watch (or a polling interval): 1 look again, 0 timeout. */
static int await_watch(struct yb_xrv *x, uint64_t deadline)
{
	uint64_t now = yb_now();
	if (now >= deadline)
		return 0;
	int ms = (int)((deadline - now) / 1000000) + 1;
	if (ms > 200)
		ms = 200; /* look again now and then: a watch may be lost */
	if (x->polled) {
		poll(NULL, 0, ms < XRV_POLL_MS ? ms : XRV_POLL_MS);
		return 1;
	}
	struct pollfd p = { .fd = yb_xsw_fd(&x->w), .events = POLLIN };
	int n = poll(&p, 1, ms);
	if (n > 0 && yb_xsw_take(&x->w, NULL, NULL) < 0) {
		stop_watch(x);
		x->polled = 1;
	}
	return 1;
}

/*
 * Wait until the peer's state node says a server listens on our port for
 * us (or for any domain); the watch on it is stopped on every return.
 */
static int connect_await_server(struct yb_xrv *x, const char *name,
				const char *addr, uint64_t deadline,
				int timeout_ms, struct yb_err *err)
{
	char state_path[YB_XRV_PATH_MAX];
	unsigned len;
	int last_errno = ENOENT;

	node(state_path, x, "state");
	start_watch(x, state_path, "state");
	for (;;) {
		char *s = xs_read(x->xs, XBT_NULL, state_path, &len);
		if (s) {
			unsigned long long who;
			int any = len == 13 && memcmp(s, "listening any", 13) == 0;
			int ok = len > 10 && memcmp(s, "listening ", 10) == 0 &&
				 parse_uint(s + 10, len - 10, 0x7fef, &who) == 0;
			free(s);
			if (any || (ok && who == x->self))
				break;
			last_errno = EACCES;
		} else {
			last_errno = errno;
		}
		if (!await_watch(x, deadline)) {
			stop_watch(x);
			if (last_errno == EACCES)
				return yb_err_set(err, YB_EUSAGE,
						  "%s:%s: domain %u has a server "
						  "on port %u, but not for this "
						  "domain (%u); start it as "
						  "'yasmin-bench server %s:%u:%u'",
						  name, addr, x->peer, x->port,
						  x->self, name, x->self,
						  x->port);
			return yb_err_set(err, YB_ETIMEDOUT,
					  "%s:%s: no server in domain %u on "
					  "port %u (nothing at %s within %d ms)",
					  name, addr, x->peer, x->port,
					  state_path, timeout_ms);
		}
	}
	stop_watch(x);
	return 0;
}

/* What a server's answer of this kind means for the client. */
static int connect_outcome(const struct yb_xrv *x, enum yb_xrv_answer kind,
			   const char *name, const char *addr,
			   const char *reply, struct yb_err *err)
{
	switch (kind) {
	case YB_XRV_OK:
		return 0;
	case YB_XRV_REFUSED:
		return yb_err_set(err, YB_EPROTO, "%s:%s: %s", name, addr, reply);
	case YB_XRV_NO_RESOURCES:
		return yb_err_set(err, YB_ENOMEM, "%s:%s: %s", name, addr, reply);
	case YB_XRV_BUSY:
		/* The server's own line, as over every transport. */
		return reply[0] ? yb_err_set(err, YB_EBUSY, "%s", reply) :
				  yb_err_set(err, YB_EBUSY,
					     "%s:%s: server busy", name, addr);
	default:
		return yb_err_set(err, YB_EPROTO,
				  "%s:%s: unexpected reply from domain %u",
				  name, addr, x->peer);
	}
}

/*
 * Client: write our request node, readable by the server, and give the
 * directory the same rights (the server lists it), in one transaction.
 */
static int put_request(struct yb_xrv *x, const char *text)
{
	char dir[YB_XRV_PATH_MAX];
	struct xs_permissions perms[2] = {
		{ .id = x->self, .perms = XS_PERM_NONE },
		{ .id = x->peer, .perms = XS_PERM_READ },
	};

	request_path(x, x->self, x->peer, NULL, dir);
	for (int tries = 0; tries < 10; tries++) {
		xs_transaction_t t = xs_transaction_start(x->xs);
		if (t == XBT_NULL)
			return -errno;
		if (!xs_write(x->xs, t, x->presence, text,
			      (unsigned)strlen(text)) ||
		    !xs_set_permissions(x->xs, t, dir, perms, 2) ||
		    !xs_set_permissions(x->xs, t, x->presence, perms, 2)) {
			int e = errno;
			xs_transaction_end(x->xs, t, true);
			return -e;
		}
		if (xs_transaction_end(x->xs, t, false))
			return 0;
		if (errno != EAGAIN)
			return -errno;
	}
	return -EAGAIN;
}

/*
 * Client: remove the request nodes our domain left for this server from
 * processes that no longer exist (killed before they could), so that
 * they do not pile up.  Another process's live node is left alone.
 */
static void sweep_stale(struct yb_xrv *x)
{
	char dir[YB_XRV_PATH_MAX], path[YB_XRV_PATH_MAX];
	unsigned n = 0;
	unsigned long pid, seq;

	request_path(x, x->self, x->peer, NULL, dir);
	char **kids = xs_directory(x->xs, XBT_NULL, dir, &n);
	for (unsigned i = 0; kids && i < n; i++) {
		if (yb_xrv_parse_key(kids[i], strlen(kids[i]), &pid, &seq) ||
		    pid == (unsigned long)getpid() ||
		    kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, kids[i]);
		xs_rm(x->xs, XBT_NULL, path);
	}
	free(kids);
}

/*
 * Client: remove our request node, and the directory with it when no
 * other connection of this domain has a node there (in a transaction, so
 * that one written meanwhile is not lost).
 */
static void remove_request(struct yb_xrv *x)
{
	char dir[YB_XRV_PATH_MAX];

	remove_node(x, x->presence);
	request_path(x, x->self, x->peer, NULL, dir);
	for (int tries = 0; tries < 10; tries++) {
		unsigned n = 0;
		xs_transaction_t t = xs_transaction_start(x->xs);
		if (t == XBT_NULL)
			return;
		char **kids = xs_directory(x->xs, t, dir, &n);
		int listed = kids != NULL;
		free(kids);
		if (!listed || n > 0 || !xs_rm(x->xs, t, dir)) {
			xs_transaction_end(x->xs, t, true);
			return;
		}
		if (xs_transaction_end(x->xs, t, false) || errno != EAGAIN)
			return;
	}
}

int yb_xrv_connect(struct yb_xrv *x, const char *name, const char *addr,
		   const struct yb_xrv_request *req,
		   const struct yb_rv_opts *o, int timeout_ms, char *reply,
		   size_t replylen, struct yb_err *err)
{
	char path[YB_XRV_PATH_MAX];
	char buf[YB_XRV_TEXT_MAX];
	unsigned len;
	int rc;

	rc = xrv_open(x, name, addr, 0, err);
	if (rc)
		return rc;
	uint64_t deadline = yb_now() + (uint64_t)timeout_ms * 1000000;
	rc = connect_await_server(x, name, addr,
				  o && o->no_wait ? yb_now() : deadline,
				  o && o->no_wait ? 0 : timeout_ms, err);
	if (rc)
		return rc;

	/* The request goes into our own tree (so the server knows who
	 * asks), and the node stays while we are connected (so the server
	 * can tell if we die half way).  Watch for the answer first. */
	static unsigned long seq;
	snprintf(x->key, sizeof(x->key), "%ld-%lu", (long)getpid(),
		 __atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED) & 0xfffffffful);
	request_path(x, x->self, x->peer, x->key, x->presence);
	reply_path(x, x->self, x->key, path);
	sweep_stale(x);
	start_watch(x, path, "reply");
	int n = snprintf(buf, sizeof(buf),
			 "yasmin-bench %u dom=%u nonce=%llu order0=%u "
			 "order1=%u wait=%u spin=%llu",
			 req->version, x->self, req->nonce, req->order0,
			 req->order1, req->wait, req->spin_ns);
	if (req->tag)
		snprintf(buf + n, sizeof(buf) - (size_t)n, " tag=%u",
			 req->tag & 0xffffu);
	rc = put_request(x, buf);
	if (rc) {
		rc = yb_err_sys(err, -rc, "%s: cannot write the request to %s",
				name, x->presence);
		goto out;
	}
	x->own_presence = 1;
	if (o && o->asked && (rc = o->asked(o->arg)) != 0) {
		yb_err_set(err, rc, "%s:%s: given up after the request", name,
			   addr);
		goto out;
	}
	enum yb_xrv_answer kind;
	for (;;) {
		char *s = xs_read(x->xs, XBT_NULL, path, &len);
		kind = s ? yb_xrv_parse_reply(s, len, req->nonce, reply,
					      replylen) :
			   YB_XRV_NOT_YET;
		free(s);
		if (kind != YB_XRV_NOT_YET)
			break;
		if (!await_watch(x, deadline)) {
			rc = yb_err_set(err, YB_ETIMEDOUT,
					"%s:%s: the server in domain %u did not "
					"answer within %d ms",
					name, addr, x->peer, timeout_ms);
			goto out;
		}
	}
	/* Answered: the node no longer holds a request (a server that
	 * looks again finds nothing to answer twice). */
	snprintf(buf, sizeof(buf), "asked %llu", req->nonce);
	xs_write(x->xs, XBT_NULL, x->presence, buf, (unsigned)strlen(buf));
	rc = connect_outcome(x, kind, name, addr, reply, err);
out:
	stop_watch(x);
	return rc;
}

/* The node whose disappearance says the peer's domain is gone: the
 * client watches the server's state node, the server the client's
 * presence node; a destroyed domain loses its whole tree. */
static void peer_node(const struct yb_xrv *x, char *path)
{
	if (x->own_presence)
		node(path, x, "state");
	else
		snprintf(path, YB_XRV_PATH_MAX, "%s", x->presence);
}

/*
 * Watch the peer's node and @releaseDomain (sent when any domain is
 * gone; xenstored may keep it from an unprivileged domain, the node's
 * removal still comes).  A forked child sets up its own.
 */
static void arm_liveness(struct yb_xrv *x)
{
	char path[YB_XRV_PATH_MAX];

	if ((x->armed == 1 && yb_xsw_usable(&x->w)) || x->armed == -1)
		return;
	yb_xsw_close(&x->w);
	x->polled = 0;
	peer_node(x, path);
	if (start_watch(x, path, "peer")) {
		if (yb_xsw_add(&x->w, "@releaseDomain", "release",
			       XRV_WATCH_MS) == -ETIMEDOUT)
			yb_xsw_close(&x->w);
	}
	x->armed = yb_xsw_usable(&x->w) ? 1 : -1;
	x->next_check_ns = 0; /* look once now */
}

int yb_xrv_peer_fd(struct yb_xrv *x)
{
	if (x->gone)
		return -1;
	arm_liveness(x);
	return yb_xsw_fd(&x->w);
}

int yb_xrv_peer_gone(struct yb_xrv *x)
{
	if (x->gone)
		return 1;
	arm_liveness(x);
	uint64_t now = yb_now();
	int changed = 0;
	if (x->armed == 1) {
		int n = yb_xsw_take(&x->w, NULL, NULL);
		if (n < 0) {
			/* Lost: everything may have changed; set up again
			 * on the next call. */
			yb_xsw_close(&x->w);
			x->armed = 0;
		}
		changed = n != 0;
	}
	if (!changed && now < x->next_check_ns)
		return 0;
	x->next_check_ns =
		now + (x->armed == 1 ? XRV_RECHECK_NS : XRV_CHECK_NS);
	struct xs_handle *xs = yb_xrv_xs(x);
	if (!xs)
		return 0;
	char path[YB_XRV_PATH_MAX];
	peer_node(x, path);
	unsigned len;
	char *s = xs_read(xs, XBT_NULL, path, &len);
	if (s) {
		free(s);
	} else if (errno == ENOENT || errno == EACCES) {
		x->gone = 1;
		yb_xsw_close(&x->w);
	}
	return x->gone;
}

/* Close this process's handle and timer; forget everything else. */
static void drop(struct yb_xrv *x)
{
	if (x->xs && x->xs_pid == getpid())
		xs_close(x->xs);
	if (x->tfd >= 0)
		close(x->tfd);
	if (x->efd >= 0)
		close(x->efd);
	if (x->kick >= 0)
		close(x->kick);
	x->tfd = x->efd = x->kick = -1;
	x->xs = NULL;
	yb_xsw_close(&x->w);
	x->own_presence = 0;
	x->listener = 0;
	x->armed = 0;
}

void yb_xrv_close(struct yb_xrv *x)
{
	if (x->xs && x->xs_pid == getpid()) {
		if (x->own_presence)
			remove_request(x);
		if (x->listener)
			remove_node(x, x->base);
	}
	drop(x);
}

void yb_xrv_forget(struct yb_xrv *x)
{
	/* A handle inherited across fork() is the parent's: drop() leaves
	 * it alone and only forgets the pointer. */
	drop(x);
}

#endif /* YB_HAVE_XEN */
