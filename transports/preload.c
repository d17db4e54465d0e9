/*
 * preload.c - the library behind `yasmin-bench wrap`: loaded with
 * LD_PRELOAD into an unmodified program, it carries the program's TCP
 * connections to other wrapped programs on this host over the shm ring,
 * and to wrapped programs in other Xen domains over the yasmin ring.
 *
 * The rendezvous is in wrap.h.  What the program sees:
 *
 *   - Its descriptor stays the real TCP socket.  Socket options,
 *     getsockname, getpeername, SO_ERROR, fcntl flags and TCP_INFO are the
 *     kernel's; only the bytes go elsewhere.
 *   - read, write, recv, send, recvfrom, sendto, recvmsg, sendmsg, readv,
 *     writev, sendfile and splice move bytes through the ring, with the
 *     socket's blocking mode (O_NONBLOCK, MSG_DONTWAIT: EAGAIN), MSG_PEEK,
 *     MSG_WAITALL and MSG_NOSIGNAL (otherwise a write to a closed peer
 *     raises SIGPIPE, as TCP does).  Ancillary data is not carried.
 *   - poll, ppoll, select, pselect and epoll report the ring's readiness:
 *     readable with data or at the end of the stream, writable with space.
 *     They wait on the ring's doorbell (the rendezvous socket, which the
 *     peer writes a byte to once asked) in the program's place.  epoll is
 *     level-triggered unless asked otherwise; with EPOLLET a readiness is
 *     reported again only once it has been lost (EAGAIN) or more data has
 *     come; EPOLLONESHOT waits for EPOLL_CTL_MOD.
 *   - shutdown(SHUT_WR) ends the stream the peer reads and leaves the
 *     other way open; close of the last descriptor in the last process
 *     that holds the connection closes the ring, and the peer reads the
 *     end of the stream.  A peer that dies is seen the same way: the end
 *     of the stream when reading, EPIPE when writing.
 *   - fork: the ring is shared memory, so a connection keeps working in
 *     the parent and in the child, one of them at a time (as with a TCP
 *     socket, two processes writing at once interleave unpredictably;
 *     here they must not do so at all).  Each process that holds it
 *     counts in the shared memory; the ring closes when the last one
 *     closes it or exits.  A connection to another Xen domain belongs to
 *     the process that made it: in a forked child it reads as reset.
 *     exec: the new program gets a plain TCP socket that no longer
 *     carries the stream; wrapped connections do not survive exec.
 *
 * Anything else goes to the kernel untouched: UDP, UNIX sockets, TCP to
 * other hosts or to a listener that is not wrapped.  A ring that cannot
 * be set up falls back to the TCP connection, which always exists; with
 * YB_WRAP_VERBOSE=1 each connection says which way it went and why.
 */
/* Fortified headers turn read() and friends into inline wrappers; this
 * file defines the real names. */
#undef _FORTIFY_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/base/le.h"
#include "core/wire/ring.h"
#include "core/wire/transport.h"
#include "transports/shm.h"
#include "transports/wrap.h"
#if YB_HAVE_XEN
#include "transports/yasmin.h"
#endif

#define API __attribute__((visibility("default")))

extern const struct yb_transport yb_transport_shm;
#if YB_HAVE_XEN
extern const struct yb_transport yb_transport_yasmin;
#endif

/* glibc's fortified entry points, which fortified programs call. */
API ssize_t __read_chk(int fd, void *buf, size_t len, size_t buflen);
API ssize_t __recv_chk(int fd, void *buf, size_t len, size_t buflen,
		       int flags);
API ssize_t __recvfrom_chk(int fd, void *buf, size_t len, size_t buflen,
			   int flags, struct sockaddr *addr, socklen_t *alen);
API int __poll_chk(struct pollfd *fds, nfds_t n, int timeout_ms,
		   size_t fdslen);
API int __ppoll_chk(struct pollfd *fds, nfds_t n, const struct timespec *ts,
		    const sigset_t *mask, size_t fdslen);

/* The shm back end's area of the control page holds its bells at 1024
 * and 1152; ours is the line after: u32 holders[2], processes holding
 * side 0 / side 1. */
#define WRAP_OFF_HOLDERS (YB_RING_OFF_BACKEND + 256)
#define PEEK_MAX 65536
#define PENDING_MAX 256
#define XPEND_MAX 64

/* ---- the real functions ----------------------------------------------------- */

static int (*real_connect)(int, const struct sockaddr *, socklen_t);
static int (*real_listen)(int, int);
static int (*real_accept)(int, struct sockaddr *, socklen_t *);
static int (*real_accept4)(int, struct sockaddr *, socklen_t *, int);
static int (*real_close)(int);
static int (*real_shutdown)(int, int);
static int (*real_dup)(int);
static int (*real_dup2)(int, int);
static int (*real_dup3)(int, int, int);
static int (*real_fcntl)(int, int, ...);
static int (*real_ioctl)(int, unsigned long, ...);
static ssize_t (*real_read)(int, void *, size_t);
static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_readv)(int, const struct iovec *, int);
static ssize_t (*real_writev)(int, const struct iovec *, int);
static ssize_t (*real_recv)(int, void *, size_t, int);
static ssize_t (*real_send)(int, const void *, size_t, int);
static ssize_t (*real_recvfrom)(int, void *, size_t, int, struct sockaddr *,
				socklen_t *);
static ssize_t (*real_sendto)(int, const void *, size_t, int,
			      const struct sockaddr *, socklen_t);
static ssize_t (*real_recvmsg)(int, struct msghdr *, int);
static ssize_t (*real_sendmsg)(int, const struct msghdr *, int);
static ssize_t (*real_sendfile)(int, int, off_t *, size_t);
static ssize_t (*real_splice)(int, loff_t *, int, loff_t *, size_t,
			      unsigned int);
static int (*real_poll)(struct pollfd *, nfds_t, int);
static int (*real_ppoll)(struct pollfd *, nfds_t, const struct timespec *,
			 const sigset_t *);
static int (*real_select)(int, fd_set *, fd_set *, fd_set *,
			  struct timeval *);
static int (*real_pselect)(int, fd_set *, fd_set *, fd_set *,
			   const struct timespec *, const sigset_t *);
static int (*real_epoll_ctl)(int, int, int, struct epoll_event *);
static int (*real_epoll_wait)(int, struct epoll_event *, int, int);
static int (*real_epoll_pwait)(int, struct epoll_event *, int, int,
			       const sigset_t *);
static pid_t (*real_fork)(void);

static void resolve(void)
{
#define R(name) *(void **)&real_##name = dlsym(RTLD_NEXT, #name)
	R(connect); R(listen); R(accept); R(accept4); R(close); R(shutdown);
	R(dup); R(dup2); R(dup3); R(fcntl); R(ioctl); R(read); R(write);
	R(readv); R(writev); R(recv); R(send); R(recvfrom); R(sendto);
	R(recvmsg); R(sendmsg); R(sendfile); R(splice); R(poll); R(ppoll);
	R(select); R(pselect); R(epoll_ctl); R(epoll_wait); R(epoll_pwait);
	R(fork);
#undef R
}

static pthread_once_t resolved = PTHREAD_ONCE_INIT;
#define REAL(name) \
	(real_##name ? real_##name : (pthread_once(&resolved, resolve), real_##name))

/* ---- state ------------------------------------------------------------------ */

/* One wrapped connection, shared by the descriptors that dup() made. */
struct wsock {
	struct yb_ep ep;     /* the shm or yasmin endpoint: ring, doorbell */
	int bell;            /* the doorbell's descriptor, for poll(2) */
	int xen;             /* yasmin: not shared with a forked child */
	int dead;            /* a forked child's copy of a Xen connection */
	int refs;            /* descriptors of this process, and calls in
			      * flight (another thread may close the
			      * descriptor meanwhile: as with a TCP socket,
			      * the connection lives until the call ends) */
	int nonblock;        /* O_NONBLOCK of the open file description */
	int rd_shut;         /* shutdown(SHUT_RD) */
	int side;            /* 0 accepted, 1 connected */
	unsigned again;      /* YB_RING_READ/WRITE: EAGAIN given (epoll ET) */
	pthread_mutex_t rx, tx;
	uint8_t *peek;       /* bytes MSG_PEEK took out of the ring */
	size_t peek_len, peek_off;
	char name[96];       /* "127.0.0.1:40312 -> 127.0.0.1:5002" */
	struct wsock *next;  /* every connection of this process */
};

struct pending {
	int fd;              /* an accepted rendezvous connection */
	uint8_t hello[YB_WRAP_HELLO_LEN];
	size_t got;
	struct yb_wrap_hello h;
	int ok;              /* the hello is complete and valid */
};

/* A wrapped listener: the TCP listener's rendezvous. */
struct wlisten {
	struct yb_ep ep;     /* the abstract UNIX listener */
	int refs;
	struct pending pend[PENDING_MAX];
	int npend;
	pthread_mutex_t lock;
	int xen;             /* xep serves the Xen rendezvous too */
	pid_t xowner;        /* the process that serves it (not a child) */
	struct yb_ep xep;    /* the yasmin listener, "wrap-PORT" */
	struct yb_ep xpend[XPEND_MAX]; /* answered, not accepted yet */
	int nxpend;
	int have_local;      /* ep listens */
};

struct fdent {
	struct wsock *s;
	struct wlisten *l;
};

/* An epoll registration of a wrapped descriptor: its doorbell stands in
 * for it in the kernel's set, with the record as its data. */
struct epreg {
	int epfd, fd;
	struct wsock *s;
	uint32_t events;     /* what the program asked for */
	epoll_data_t data;   /* what it gets back */
	unsigned last;       /* what was reported last (EPOLLET) */
	int fired;           /* the doorbell rang since */
	int disarmed;        /* EPOLLONESHOT, reported */
	struct epreg *next;
};

static struct yb_wrap_cfg cfg;
static struct fdent *fdtab;
static int fdcap;
static pthread_mutex_t tab_lock = PTHREAD_MUTEX_INITIALIZER;
static struct epreg *epregs; /* under tab_lock */
static struct wsock *all_ws;  /* under tab_lock */
static pid_t self_pid;

static const char *env_get(const char *name)
{
	return getenv(name);
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n = snprintf(buf, sizeof(buf), "yasmin-bench wrap[%ld]: ",
			 (long)getpid());

	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	size_t l = strlen(buf);
	buf[l++] = '\n';
	if (REAL(write)(2, buf, l) < 0)
		return;
}

__attribute__((constructor)) static void wrap_init(void)
{
	int saved = errno;

	pthread_once(&resolved, resolve);
	self_pid = getpid();
	yb_wrap_cfg_load(&cfg, env_get);
	if (!cfg.enabled) {
		say("off, every connection is plain TCP: %s", cfg.why_off);
		errno = saved;
		return;
	}
	struct rlimit rl;
	rlim_t cap = 65536;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max != RLIM_INFINITY &&
	    rl.rlim_max > cap)
		cap = rl.rlim_max < (1u << 20) ? rl.rlim_max : (1u << 20);
	/* Untouched pages cost nothing: a slot per possible descriptor. */
	void *m = mmap(NULL, (size_t)cap * sizeof(struct fdent),
		       PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		       0);
	if (m == MAP_FAILED) {
		cfg.enabled = 0;
		say("off: no memory for the descriptor table");
	} else {
		fdtab = m;
		fdcap = (int)cap;
	}
	errno = saved;
}

/*
 * A listener's XenStore rendezvous outlives the process unless removed:
 * at exit, remove those of listeners the program never closed (a killed
 * program leaves its own, which clients then wait on in vain).
 */
static int xen_listeners;

/* A forked child's copy of the rendezvous is the parent's: let it be. */
static void xen_unlisten(struct wlisten *l)
{
	if (!l->xen)
		return;
	if (l->xowner == getpid())
		yb_ep_close(&l->xep);
	else
		yb_ep_forget(&l->xep);
	l->xen = 0;
}

__attribute__((destructor)) static void wrap_fini(void)
{
	if (!fdtab || !__atomic_load_n(&xen_listeners, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&tab_lock);
	for (int fd = 0; fd < fdcap; fd++) {
		struct wlisten *l = fdtab[fd].l;
		if (l)
			xen_unlisten(l);
	}
	pthread_mutex_unlock(&tab_lock);
}

static struct wsock *ws_of(int fd)
{
	if (fd < 0 || fd >= fdcap)
		return NULL;
	return __atomic_load_n(&fdtab[fd].s, __ATOMIC_ACQUIRE);
}

static struct wlisten *wl_of(int fd)
{
	if (fd < 0 || fd >= fdcap)
		return NULL;
	return __atomic_load_n(&fdtab[fd].l, __ATOMIC_ACQUIRE);
}

static struct yb_ring *ring_of(struct wsock *s)
{
	return s->ep.priv; /* a ring endpoint's state starts with its ring */
}

static uint32_t *holders(struct wsock *s, int side)
{
	return (uint32_t *)(void *)(ring_of(s)->ctrl + WRAP_OFF_HOLDERS +
				    4 * side);
}

/* ---- connections: made, shared, released -------------------------------------- */

static struct wsock *ws_new(struct yb_ep *ep, int side, int nonblock,
			    const char *name)
{
	struct wsock *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->ep = *ep;
	s->refs = 1;
	s->side = side;
	s->nonblock = nonblock;
	pthread_mutex_init(&s->rx, NULL);
	pthread_mutex_init(&s->tx, NULL);
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->xen = ep->t != &yb_transport_shm;
	s->bell = yb_ep_poll_fd(&s->ep);
	if (!s->xen)
		__atomic_store_n(holders(s, side), 1, __ATOMIC_RELEASE);
	/* A program may read in one thread (or process) and write in
	 * another. */
	ring_of(s)->split = 1;
	return s;
}

/*
 * Our own descriptors (rendezvous sockets, doorbells) move above the low
 * numbers a program counts on being free, and that it may dup2 onto;
 * before anything keeps their number.
 */
static int high_fd(int fd)
{
	int hi = REAL(fcntl)(fd, F_DUPFD_CLOEXEC, 512);

	if (hi < 0)
		return fd;
	REAL(close)(fd);
	return hi;
}

/* Give fd the connection s (new, one reference). */
static void ws_install(int fd, struct wsock *s)
{
	pthread_mutex_lock(&tab_lock);
	s->next = all_ws;
	all_ws = s;
	__atomic_store_n(&fdtab[fd].s, s, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&tab_lock);
}

static void ws_ref(struct wsock *s)
{
	__atomic_add_fetch(&s->refs, 1, __ATOMIC_ACQ_REL);
}

/* Drop a reference; the last one closes (never under tab_lock). */
static void ws_unref(struct wsock *s)
{
	if (__atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	if (s->dead) {
		/* The parent's handles and mappings: not ours to touch (an
		 * unmap through the shared gntdev would be the parent's). */
	} else if (s->xen) {
		yb_ep_close(&s->ep);
	} else {
		uint32_t left = __atomic_sub_fetch(holders(s, s->side), 1,
						   __ATOMIC_ACQ_REL);
		/* The peer may scribble on the count: anything but a
		 * clean zero leaves the ring to the other holders (or to
		 * our exit). */
		if (left == 0)
			yb_ep_close(&s->ep);
		else
			yb_ep_forget(&s->ep);
	}
	pthread_mutex_lock(&tab_lock);
	for (struct wsock **p = &all_ws; *p; p = &(*p)->next)
		if (*p == s) {
			*p = s->next;
			break;
		}
	pthread_mutex_unlock(&tab_lock);
	free(s->peek);
	free(s);
}

static void wl_put(struct wlisten *l)
{
	if (--l->refs > 0)
		return;
	for (int i = 0; i < l->npend; i++)
		REAL(close)(l->pend[i].fd);
	for (int i = 0; i < l->nxpend; i++)
		if (l->xowner == getpid())
			yb_ep_close(&l->xpend[i]);
		else
			yb_ep_forget(&l->xpend[i]);
	yb_ep_close(&l->ep);
	xen_unlisten(l);
	free(l);
}

static void epregs_drop_fd(int fd);

/* Forget whatever fd was (it is being closed or replaced). */
static void fd_release(int fd)
{
	if (fd < 0 || fd >= fdcap)
		return;
	pthread_mutex_lock(&tab_lock);
	struct wsock *s = fdtab[fd].s;
	struct wlisten *l = fdtab[fd].l;
	__atomic_store_n(&fdtab[fd].s, NULL, __ATOMIC_RELEASE);
	__atomic_store_n(&fdtab[fd].l, NULL, __ATOMIC_RELEASE);
	if (s)
		epregs_drop_fd(fd);
	if (l)
		wl_put(l);
	pthread_mutex_unlock(&tab_lock);
	if (s)
		ws_unref(s);
}

/* newfd is now a copy of oldfd (dup and friends). */
static void fd_copy(int oldfd, int newfd)
{
	if (newfd < 0 || newfd >= fdcap || oldfd < 0 || oldfd >= fdcap)
		return;
	pthread_mutex_lock(&tab_lock);
	struct wsock *s = fdtab[oldfd].s;
	struct wlisten *l = fdtab[oldfd].l;
	if (s)
		ws_ref(s);
	if (l)
		l->refs++;
	__atomic_store_n(&fdtab[newfd].s, s, __ATOMIC_RELEASE);
	__atomic_store_n(&fdtab[newfd].l, l, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&tab_lock);
}

/* ---- errors ----------------------------------------------------------------- */

static ssize_t fail(int e)
{
	errno = e;
	return -1;
}

/* A YB_E* from the ring as errno. */
static ssize_t ring_fail(struct wsock *s, ssize_t rc, int sending, int flags)
{
	switch (rc) {
	case YB_EAGAIN:
		s->again |= sending ? YB_RING_WRITE : YB_RING_READ;
		return fail(EAGAIN);
	case YB_EINTR:
		return fail(EINTR);
	case YB_EPIPE:
		if (sending) {
			if (!(flags & MSG_NOSIGNAL))
				raise(SIGPIPE);
			return fail(EPIPE);
		}
		return 0;
	default:
		if (cfg.verbose)
			say("%s: %s", s->name, yb_ep_last_error(&s->ep) ?
						       yb_ep_last_error(&s->ep) :
						       yb_strerror((int)rc));
		return fail(sending ? EPIPE : ECONNRESET);
	}
}

/* ---- the data path ----------------------------------------------------------- */

/*
 * A blocking call the ring's wait gave up on with EINTR: would the kernel
 * have restarted it?  It restarts a socket call when the handler of the
 * signal was installed with SA_RESTART (glibc's signal() does so).  Which
 * signal came is not known here, so: restart when every caught signal
 * has SA_RESTART; a program that installed any handler without it (to
 * break out of blocking calls) hears EINTR, as it expects.
 */
static int restart_after_signal(void)
{
	for (int sig = 1; sig < NSIG; sig++) {
		struct sigaction sa;
		/* Faults come from the faulting instruction itself, never
		 * to a thread asleep in a call: their handlers (a crash
		 * reporter's, a sanitizer's) do not count. */
		if (sig == SIGKILL || sig == SIGSTOP || sig == SIGSEGV ||
		    sig == SIGBUS || sig == SIGFPE || sig == SIGILL ||
		    sig == SIGTRAP || sig == SIGSYS ||
		    sigaction(sig, NULL, &sa) != 0)
			continue;
		if (sa.sa_handler != SIG_DFL && sa.sa_handler != SIG_IGN &&
		    !(sa.sa_flags & SA_RESTART))
			return 0;
	}
	return 1;
}

/* Into buf from what MSG_PEEK left, then the ring; one attempt. */
static ssize_t ws_take(struct wsock *s, uint8_t *buf, size_t len, int nb)
{
	if (s->peek_len > s->peek_off) {
		size_t n = s->peek_len - s->peek_off;
		if (n > len)
			n = len;
		memcpy(buf, s->peek + s->peek_off, n);
		s->peek_off += n;
		if (s->peek_off == s->peek_len)
			s->peek_off = s->peek_len = 0;
		return (ssize_t)n;
	}
	return yb_ring_recv(ring_of(s), buf, len, nb);
}

static ssize_t ws_recv_held(struct wsock *s, void *buf, size_t len,
			    int flags);

/* The data path holds a reference for the length of the call. */
static ssize_t ws_recv(struct wsock *s, void *buf, size_t len, int flags)
{
	ws_ref(s);
	ssize_t n = ws_recv_held(s, buf, len, flags);
	int e = errno;
	ws_unref(s);
	errno = e;
	return n;
}

static ssize_t ws_recv_held(struct wsock *s, void *buf, size_t len,
			    int flags)
{
	int nb = s->nonblock || (flags & MSG_DONTWAIT);
	ssize_t done = 0;

	if (len == 0 || s->rd_shut)
		return 0;
	if (s->dead)
		return fail(ECONNRESET);
	pthread_mutex_lock(&s->rx);
	if (flags & MSG_PEEK) {
		/* Take what is there (waiting for the first byte unless
		 * non-blocking) into the peek buffer; hand out a copy. */
		size_t want = len < PEEK_MAX ? len : PEEK_MAX;
		if (!s->peek)
			s->peek = malloc(PEEK_MAX);
		if (!s->peek) {
			pthread_mutex_unlock(&s->rx);
			return fail(ENOMEM);
		}
		if (s->peek_off) {
			memmove(s->peek, s->peek + s->peek_off,
				s->peek_len - s->peek_off);
			s->peek_len -= s->peek_off;
			s->peek_off = 0;
		}
		while (s->peek_len < want) {
			ssize_t n = yb_ring_recv(ring_of(s), s->peek + s->peek_len,
						 want - s->peek_len,
						 nb || s->peek_len > 0);
			if (n <= 0) {
				if (s->peek_len > 0 || n == 0)
					break;
				pthread_mutex_unlock(&s->rx);
				return ring_fail(s, n, 0, flags);
			}
			s->peek_len += (size_t)n;
			if (!(flags & MSG_WAITALL))
				break;
		}
		size_t n = s->peek_len < len ? s->peek_len : len;
		memcpy(buf, s->peek, n);
		pthread_mutex_unlock(&s->rx);
		return (ssize_t)n;
	}
	for (;;) {
		ssize_t n = ws_take(s, (uint8_t *)buf + done, len - (size_t)done,
				    nb);
		if (n > 0) {
			done += n;
			if ((size_t)done == len || !(flags & MSG_WAITALL))
				break;
			continue;
		}
		if (n == 0 || done > 0)
			break;
		if (n == YB_EINTR && restart_after_signal())
			continue;
		pthread_mutex_unlock(&s->rx);
		return ring_fail(s, n, 0, flags);
	}
	if (done > 0)
		s->again &= ~YB_RING_READ;
	pthread_mutex_unlock(&s->rx);
	return done;
}

static ssize_t ws_send_held(struct wsock *s, const void *buf, size_t len,
			    int flags);

static ssize_t ws_send(struct wsock *s, const void *buf, size_t len, int flags)
{
	ws_ref(s);
	ssize_t n = ws_send_held(s, buf, len, flags);
	int e = errno;
	ws_unref(s);
	errno = e;
	return n;
}

static ssize_t ws_send_held(struct wsock *s, const void *buf, size_t len,
			    int flags)
{
	int nb = s->nonblock || (flags & MSG_DONTWAIT);
	size_t done = 0;

	if (len == 0)
		return 0;
	if (s->dead) {
		if (!(flags & MSG_NOSIGNAL))
			raise(SIGPIPE);
		return fail(EPIPE);
	}
	pthread_mutex_lock(&s->tx);
	/* Blocking: all of it, as a blocking TCP send does (unless the
	 * peer goes away half way, which then reports what went). */
	while (done < len) {
		ssize_t n = yb_ring_send(ring_of(s), (const uint8_t *)buf + done,
					 len - done, nb);
		if (n > 0) {
			done += (size_t)n;
			if (nb)
				break;
			continue;
		}
		if (done > 0)
			break;
		if (n == YB_EINTR && restart_after_signal())
			continue;
		pthread_mutex_unlock(&s->tx);
		return ring_fail(s, n, 1, flags);
	}
	s->again &= ~YB_RING_WRITE;
	pthread_mutex_unlock(&s->tx);
	return (ssize_t)done;
}

/*
 * Scatter/gather, one buffer at a time and nothing copied twice: the first
 * read may wait, the rest take only what is there (unless MSG_WAITALL);
 * a blocking write writes every buffer whole.  Stops at the first short
 * one.  MSG_PEEK looks into the first buffer only (peeking into each
 * would show the same bytes again).
 */
static ssize_t ws_xferv(struct wsock *s, const struct iovec *iov, int cnt,
			int flags, int sending)
{
	ssize_t done = 0;

	ws_ref(s);
	for (int i = 0; i < cnt; i++) {
		size_t len = iov[i].iov_len;
		ssize_t n;
		if (!len)
			continue;
		if (sending) {
			n = ws_send(s, iov[i].iov_base, len, flags);
		} else {
			int f = flags;
			if (done > 0 && !(flags & MSG_WAITALL))
				f |= MSG_DONTWAIT;
			n = ws_recv(s, iov[i].iov_base, len, f);
		}
		if (n < 0) {
			if (done == 0)
				done = n;
			break;
		}
		done += n;
		if ((size_t)n < len || (!sending && (flags & MSG_PEEK)))
			break;
	}
	int e = errno;
	ws_unref(s);
	errno = e;
	return done;
}

/* ---- the rendezvous: client ------------------------------------------------------ */

static int is_tcp_stream(int fd, int *family)
{
	int type = 0, dom = 0, proto = 0;
	socklen_t l = sizeof(type);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &l) != 0 ||
	    type != SOCK_STREAM)
		return 0;
	l = sizeof(dom);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &l) != 0 ||
	    (dom != AF_INET && dom != AF_INET6))
		return 0;
	l = sizeof(proto);
	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &l) == 0 &&
	    proto != IPPROTO_TCP)
		return 0;
	*family = dom;
	return 1;
}

/* A UNIX socket connected to the first rendezvous of addr that exists. */
static int find_rendezvous(const struct sockaddr *addr, char *which,
			   size_t wlen)
{
	char names[3][YB_WRAP_NAME_MAX];
	size_t lens[3];
	int n = yb_wrap_rv_candidates(addr, 0, names, lens);
	int local = -1;

	for (int i = 0; i < 3; i++) {
		if (i == n) {
			/* The wildcards only for an address of this host. */
			if (local >= 0)
				break;
			local = yb_wrap_is_local(addr);
			if (!local)
				break;
			n = yb_wrap_rv_candidates(addr, 1, names, lens);
			if (i >= n)
				break;
		}
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		memcpy(sun.sun_path, names[i], lens[i]);
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -1;
		if (REAL(connect)(fd, (struct sockaddr *)&sun,
				  (socklen_t)(offsetof(struct sockaddr_un,
						       sun_path) +
					      lens[i])) == 0) {
			snprintf(which, wlen, "@%s", names[i] + 1);
			return high_fd(fd);
		}
		REAL(close)(fd);
	}
	return -1;
}

/* Wait until a non-blocking connect finishes: 0, or -1 with errno. */
static int finish_connect(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int e = 0;
	socklen_t l = sizeof(e);

	for (;;) {
		int n = REAL(poll)(&p, 1, timeout_ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return (int)fail(n == 0 ? ETIMEDOUT : errno);
		break;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &l) != 0)
		return -1;
	return e ? (int)fail(e) : 0;
}

/*
 * Our TCP port, bound now if the program has not bound one: the listener
 * tells our connection from others by it.  0, or -1 with errno.
 */
static int bind_port(int fd, int family, struct sockaddr_storage *me)
{
	socklen_t ml = sizeof(*me);

	if (getsockname(fd, (struct sockaddr *)me, &ml) == 0 &&
	    yb_wrap_port((struct sockaddr *)me) != 0)
		return 0;
	struct sockaddr_storage any;
	memset(&any, 0, sizeof(any));
	any.ss_family = (sa_family_t)family;
	socklen_t al = family == AF_INET ? sizeof(struct sockaddr_in) :
					   sizeof(struct sockaddr_in6);
	ml = sizeof(*me);
	if (bind(fd, (struct sockaddr *)&any, al) != 0 ||
	    getsockname(fd, (struct sockaddr *)me, &ml) != 0)
		return -1;
	return 0;
}

/*
 * A client's ring is up (how: "shm ring", ...): fd carries it from now
 * on.  Connected already, a non-blocking caller still hears EINPROGRESS
 * and finds the socket writable at once.
 */
static int ring_connected(int fd, struct yb_ep *ep, int nb, const char *src,
			  const char *dst, const char *how, uint64_t t0)
{
	char name[96];
	snprintf(name, sizeof(name), "%s -> %s", src, dst);
	struct wsock *s = ws_new(ep, 1, nb, name);
	if (!s) {
		/* The listener holds a ring we will not use: closing it
		 * tells it so, and it keeps to TCP (reset). */
		yb_ep_close(ep);
		return nb ? (int)fail(EINPROGRESS) : 0;
	}
	ws_install(fd, s);
	if (cfg.verbose)
		say("connect %s from %s: %s, %u bytes each way (accepted "
		    "after %.1f ms)",
		    dst, src, how, ring_of(s)->tx_size,
		    (double)(yb_now() - t0) / 1e6);
	return nb ? (int)fail(EINPROGRESS) : 0;
}

/* A listener's ring is up (how: "shm ring", ...): newfd carries it. */
static void ring_accepted(int newfd, struct yb_ep *ep, int flags,
			  const char *src, const char *how)
{
	char dst[80], name[96];
	struct sockaddr_storage me;
	socklen_t ml = sizeof(me);

	if (getsockname(newfd, (struct sockaddr *)&me, &ml) == 0)
		yb_wrap_addr_str((struct sockaddr *)&me, dst, sizeof(dst));
	else
		snprintf(dst, sizeof(dst), "?");
	snprintf(name, sizeof(name), "%s -> %s", dst, src);
	struct wsock *s = ws_new(ep, 0, (flags & SOCK_NONBLOCK) != 0, name);
	if (!s) {
		yb_ep_close(ep);
		return;
	}
	ws_install(newfd, s);
	if (cfg.verbose)
		say("accept %s: %s, %u bytes each way", src, how,
		    ring_of(s)->tx_size);
}

#if YB_HAVE_XEN
/* The real TCP connection, made between the XenStore request and the wait
 * for its answer (struct yb_rv_opts, asked). */
struct xen_dial {
	int fd;
	const struct sockaddr *addr;
	socklen_t len;
	int done;  /* it was tried */
	int rc;    /* its outcome: 0, or -1 with err */
	int err;
};

static int xen_dial(void *arg)
{
	struct xen_dial *d = arg;

	d->done = 1;
	d->rc = REAL(connect)(d->fd, d->addr, d->len);
	if (d->rc != 0 && errno == EINPROGRESS)
		d->rc = finish_connect(d->fd, cfg.accept_ms);
	d->err = d->rc ? errno : 0;
	return d->rc ? YB_EPEER : 0;
}

/*
 * connect(2) to dst in domain dom: ask its wrapped listener for a yasmin
 * ring, connect over TCP, take the answer.  Either both ends use the ring
 * (the listener answered and we went live), or both use TCP.
 */
static int xen_connect(int fd, const struct sockaddr *addr, socklen_t len,
		       int family, unsigned dom, const char *dst)
{
	struct sockaddr_storage me;
	struct yb_err err = { 0 };
	char src[80], where[40];
	int nb = (REAL(fcntl)(fd, F_GETFL) & O_NONBLOCK) != 0;

	if (bind_port(fd, family, &me) != 0) {
		if (cfg.verbose)
			say("connect %s: tcp (cannot bind a port: %s)", dst,
			    strerror(errno));
		return REAL(connect)(fd, addr, len);
	}
	yb_wrap_addr_str((struct sockaddr *)&me, src, sizeof(src));
	struct xen_dial d = { .fd = fd, .addr = addr, .len = len };
	struct yb_rv_opts o = { .space = YB_WRAP_SPACE,
				.tag = yb_wrap_port((struct sockaddr *)&me),
				.no_wait = 1,
				.asked = xen_dial,
				.arg = &d };
	struct yb_tparams tp = cfg.tp;
	tp.rv = &o;
	struct yb_ep ep;
	yb_ep_init(&ep, &yb_transport_yasmin);
	ep.params = &tp;
	snprintf(where, sizeof(where), "%u:%u", dom,
		 yb_wrap_port(addr));
	int wait_ms = cfg.accept_ms > YB_WRAP_XEN_ACCEPT_MS ?
			      cfg.accept_ms :
			      YB_WRAP_XEN_ACCEPT_MS;
	uint64_t t0 = yb_now();
	int rc = yb_transport_yasmin.connect(&ep, where, wait_ms, &err);
	if (rc != 0) {
		ep.priv = NULL;
		if (!d.done) {
			if (cfg.verbose)
				say("connect %s: tcp (domain %u: %s)", dst, dom,
				    err.msg);
			return REAL(connect)(fd, addr, len);
		}
		if (d.rc != 0)
			return (int)fail(d.err);
		if (cfg.verbose)
			say("connect %s from %s: tcp (%s)", dst, src, err.msg);
		return nb ? (int)fail(EINPROGRESS) : 0;
	}
	char how[40];
	snprintf(how, sizeof(how), "yasmin ring to domain %u", dom);
	return ring_connected(fd, &ep, nb, src, dst, how, t0);
}
#endif

static int wrap_connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	char where[YB_WRAP_NAME_MAX + 1], dst[80], src[80];
	struct sockaddr_storage me;
	struct yb_err err = { 0 };
	struct yb_shm_request req;
	int family;

	if (!cfg.enabled || fd < 0 || fd >= fdcap || !addr ||
	    len < sizeof(sa_family_t) ||
	    (addr->sa_family != AF_INET && addr->sa_family != AF_INET6) ||
	    ws_of(fd) || !is_tcp_stream(fd, &family))
		return REAL(connect)(fd, addr, len);
	yb_wrap_addr_str(addr, dst, sizeof(dst));
#if YB_HAVE_XEN
	long dom = cfg.xen ? yb_wrap_peer_dom(&cfg, addr) : -1;
	if (dom >= 0)
		return xen_connect(fd, addr, len, family, (unsigned)dom, dst);
#endif
	int ufd = cfg.local ? find_rendezvous(addr, where, sizeof(where)) : -1;
	if (ufd < 0) {
		if (cfg.verbose)
			say("connect %s: tcp (no wrapped listener here)", dst);
		return REAL(connect)(fd, addr, len);
	}
	if (bind_port(fd, family, &me) != 0) {
		if (cfg.verbose)
			say("connect %s: tcp (cannot bind a port: %s)", dst,
			    strerror(errno));
		REAL(close)(ufd);
		return REAL(connect)(fd, addr, len);
	}
	yb_wrap_addr_str((struct sockaddr *)&me, src, sizeof(src));
	struct yb_wrap_hello h = { .version = YB_WRAP_VERSION,
				   .port = yb_wrap_port((struct sockaddr *)&me),
				   .pid = (unsigned long)getpid() };
	uint8_t hello[YB_WRAP_HELLO_LEN];
	yb_wrap_enc_hello(hello, &h);
	struct yb_ep ep;
	yb_ep_init(&ep, &yb_transport_shm);
	ep.fd = ufd;
	ep.params = &cfg.tp;
	snprintf(ep.peer, sizeof(ep.peer), "wrap:%s", where);
	if (REAL(send)(ufd, hello, sizeof(hello), MSG_NOSIGNAL) !=
		    (ssize_t)sizeof(hello) ||
	    yb_shm_ask(&ep, &req, &err) != 0) {
		if (cfg.verbose)
			say("connect %s: tcp (rendezvous %s: %s)", dst, where,
			    err.msg[0] ? err.msg : strerror(errno));
		yb_ep_close(&ep);
		return REAL(connect)(fd, addr, len);
	}
	int rc = REAL(connect)(fd, addr, len);
	int nb = (REAL(fcntl)(fd, F_GETFL) & O_NONBLOCK) != 0;
	if (rc != 0 && errno == EINPROGRESS)
		rc = finish_connect(fd, cfg.accept_ms);
	if (rc != 0) {
		int e = errno;
		yb_ep_close(&ep);
		errno = e;
		return rc;
	}
	uint64_t t0 = yb_now();
	if (yb_shm_join(&ep, &req, cfg.accept_ms, &err) != 0) {
		/* Closing without the acknowledgement tells the listener
		 * to keep to TCP as well. */
		if (cfg.verbose)
			say("connect %s from %s: tcp (%s)", dst, src, err.msg);
		yb_ep_close(&ep);
		return nb ? (int)fail(EINPROGRESS) : 0;
	}
	return ring_connected(fd, &ep, nb, src, dst, "shm ring", t0);
}

/* ---- the rendezvous: listener ---------------------------------------------------- */

#if YB_HAVE_XEN
static const struct yb_rv_opts xen_space = { .space = YB_WRAP_SPACE };
static struct yb_tparams xen_tp;

/* The Xen rendezvous of a listener on TCP port port, for any domain. */
static void xen_listen(struct wlisten *l, unsigned port, const char *shown)
{
	struct yb_err err = { 0 };
	char where[24];

	if (cfg.npeers == 0) {
		if (cfg.verbose)
			say("listen %s: no yasmin rings (no peer addresses "
			    "given, so no client's domain can be told)",
			    shown);
		return;
	}
	xen_tp = cfg.tp;
	xen_tp.rv = &xen_space;
	yb_ep_init(&l->xep, &yb_transport_yasmin);
	l->xep.listener = 1;
	l->xep.params = &xen_tp;
	snprintf(where, sizeof(where), "any:%u", port);
	if (yb_transport_yasmin.listen(&l->xep, where, &err) != 0) {
		if (cfg.verbose)
			say("listen %s: no yasmin rings (%s)", shown, err.msg);
		yb_ep_close(&l->xep);
		return;
	}
	l->xen = 1;
	l->xowner = getpid();
	__atomic_add_fetch(&xen_listeners, 1, __ATOMIC_ACQ_REL);
	if (cfg.verbose)
		say("listen %s: wrapped clients in other domains get yasmin "
		    "rings (%s)",
		    shown, l->xep.addr);
}

/*
 * The TCP connection newfd came from domain dom's port: the yasmin ring
 * its client asked for, answered now or at an earlier accept.
 */
static void xen_accepted(struct wlisten *l, int newfd,
			 const struct sockaddr *peer, unsigned dom, int flags)
{
	struct yb_err err = { 0 };
	char src[80], how[40];
	unsigned port = yb_wrap_port(peer);
	struct yb_ep ep;
	int found = 0;

	yb_wrap_addr_str(peer, src, sizeof(src));
	if (l->xowner != getpid()) {
		/* Two processes answering one XenStore directory would
		 * answer the same request twice. */
		if (cfg.verbose)
			say("accept %s: tcp (the Xen rendezvous is served by "
			    "pid %ld, which listened)",
			    src, (long)l->xowner);
		return;
	}
	pthread_mutex_lock(&l->lock);
	/* Its request went out before its TCP connection: look at its
	 * domain's requests now, and answer every one waiting. */
	yb_yasmin_look_at(&l->xep, dom);
	for (int tries = 0; tries < 2 * XPEND_MAX; tries++) {
		struct yb_ep c;
		yb_ep_init(&c, &yb_transport_yasmin);
		int rc = yb_transport_yasmin.accept(&l->xep, &c, &err);
		if (rc == YB_EAGAIN)
			break;
		if (rc) {
			if (cfg.verbose)
				say("rendezvous: %s", err.msg);
			continue;
		}
		if (l->nxpend == XPEND_MAX) {
			/* The oldest goes: its client reads a reset. */
			yb_ep_close(&l->xpend[0]);
			memmove(l->xpend, l->xpend + 1,
				sizeof(l->xpend[0]) * (XPEND_MAX - 1));
			l->nxpend--;
		}
		l->xpend[l->nxpend++] = c;
	}
	for (int i = 0; i < l->nxpend; i++)
		if (l->xpend[i].rv_tag == port &&
		    yb_yasmin_peer_dom(&l->xpend[i]) == dom) {
			ep = l->xpend[i];
			l->xpend[i] = l->xpend[--l->nxpend];
			found = 1;
			break;
		}
	pthread_mutex_unlock(&l->lock);
	if (!found) {
		if (cfg.verbose)
			say("accept %s: tcp (domain %u asked for no ring)", src,
			    dom);
		return;
	}
	snprintf(how, sizeof(how), "yasmin ring from domain %u", dom);
	ring_accepted(newfd, &ep, flags, src, how);
}
#endif

static int wrap_listen_setup(int fd)
{
	struct sockaddr_storage sa;
	socklen_t sl = sizeof(sa);
	char name[YB_WRAP_NAME_MAX], addr[YB_WRAP_NAME_MAX + 8], shown[80];
	struct yb_err err = { 0 };
	int family;

	if (!cfg.enabled || fd < 0 || fd >= fdcap || wl_of(fd) ||
	    !is_tcp_stream(fd, &family) ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl) != 0)
		return 0;
	size_t n = yb_wrap_rv_name((struct sockaddr *)&sa, name, sizeof(name));
	if (!n)
		return 0;
	yb_wrap_addr_str((struct sockaddr *)&sa, shown, sizeof(shown));
	struct wlisten *l = calloc(1, sizeof(*l));
	if (!l)
		return 0;
	pthread_mutex_init(&l->lock, NULL);
	l->refs = 1;
	yb_ep_init(&l->ep, &yb_transport_shm);
	l->ep.listener = 1;
	snprintf(addr, sizeof(addr), "shm:@%.*s", (int)(n - 1), name + 1);
	if (!cfg.local) {
		/* Xen peers only. */
	} else if (yb_transport_shm.listen(&l->ep, addr + 4, &err) != 0) {
		if (cfg.verbose)
			say("listen %s: no shm rings (%s)", shown, err.msg);
		yb_ep_close(&l->ep);
		yb_ep_init(&l->ep, &yb_transport_shm);
	} else {
		REAL(listen)(l->ep.fd, 128);
		/* wl_collect takes what is waiting, never waits itself. */
		REAL(fcntl)(l->ep.fd, F_SETFL,
			    REAL(fcntl)(l->ep.fd, F_GETFL) | O_NONBLOCK);
		l->ep.fd = high_fd(l->ep.fd);
		l->have_local = 1;
		if (cfg.verbose)
			say("listen %s: wrapped clients here get shm rings (%s)",
			    shown, addr + 4);
	}
#if YB_HAVE_XEN
	if (cfg.xen)
		xen_listen(l, yb_wrap_port((struct sockaddr *)&sa), shown);
#endif
	if (!l->have_local && !l->xen) {
		if (cfg.verbose)
			say("listen %s: tcp only", shown);
		free(l);
		return 0;
	}
	pthread_mutex_lock(&tab_lock);
	__atomic_store_n(&fdtab[fd].l, l, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&tab_lock);
	return 0;
}

/* Take in the rendezvous connections waiting, and their hellos. */
static void wl_collect(struct wlisten *l)
{
	struct yb_err err;

	while (l->have_local) {
		int u = REAL(accept4)(l->ep.fd, NULL, NULL,
				      SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (u < 0)
			break;
		if (l->npend == PENDING_MAX) {
			/* The oldest goes: its client waits no more. */
			REAL(close)(l->pend[0].fd);
			memmove(l->pend, l->pend + 1,
				sizeof(l->pend[0]) * (PENDING_MAX - 1));
			l->npend--;
		}
		struct pending *p = &l->pend[l->npend++];
		memset(p, 0, sizeof(*p));
		p->fd = high_fd(u);
	}
	for (int i = 0; i < l->npend; i++) {
		struct pending *p = &l->pend[i];
		int gone = 0;
		if (!p->ok) {
			ssize_t n = REAL(recv)(p->fd, p->hello + p->got,
					       sizeof(p->hello) - p->got,
					       MSG_DONTWAIT);
			if (n > 0)
				p->got += (size_t)n;
			else if (n == 0 || (errno != EAGAIN && errno != EINTR))
				gone = 1;
			if (p->got == sizeof(p->hello)) {
				if (yb_wrap_dec_hello(p->hello, p->got, &p->h,
						      &err) == 0)
					p->ok = 1;
				else {
					if (cfg.verbose)
						say("rendezvous: dropped a "
						    "client: %s", err.msg);
					gone = 1;
				}
			}
		} else {
			/* A client that gave up hangs up: POLLHUP, or EOF
			 * after its request. */
			struct pollfd pf = { .fd = p->fd, .events = 0 };
			if (REAL(poll)(&pf, 1, 0) > 0 &&
			    (pf.revents & (POLLHUP | POLLERR)))
				gone = 1;
		}
		if (gone) {
			REAL(close)(p->fd);
			l->pend[i] = l->pend[--l->npend];
			i--;
		}
	}
}

/* The accepted TCP connection newfd from peer: a ring, if its client
 * asked for one. */
static void wrap_accepted(struct wlisten *l, int newfd,
			  const struct sockaddr *peer, int flags)
{
	char src[80];
	struct yb_err err = { 0 };

#if YB_HAVE_XEN
	long dom = l->xen ? yb_wrap_peer_dom(&cfg, peer) : -1;
	if (dom >= 0) {
		xen_accepted(l, newfd, peer, (unsigned)dom, flags);
		return;
	}
#endif
	if (!l->have_local || !yb_wrap_is_local(peer))
		return;
	yb_wrap_addr_str(peer, src, sizeof(src));
	unsigned port = yb_wrap_port(peer);
	pthread_mutex_lock(&l->lock);
	wl_collect(l);
	int u = -1;
	for (int i = 0; i < l->npend; i++)
		if (l->pend[i].ok && l->pend[i].h.port == port) {
			u = l->pend[i].fd;
			l->pend[i] = l->pend[--l->npend];
			break;
		}
	pthread_mutex_unlock(&l->lock);
	if (u < 0) {
		if (cfg.verbose)
			say("accept %s: tcp (not a wrapped client)", src);
		return;
	}
	int fl = REAL(fcntl)(u, F_GETFL);
	REAL(fcntl)(u, F_SETFL, fl & ~O_NONBLOCK);
	struct yb_ep ep;
	yb_ep_init(&ep, &yb_transport_shm);
	ep.fd = u;
	snprintf(ep.peer, sizeof(ep.peer), "wrapped client %s", src);
	if (yb_shm_serve(&ep, &err) != 0) {
		if (cfg.verbose)
			say("accept %s: tcp (%s)", src, err.msg);
		yb_ep_close(&ep);
		return;
	}
	ring_accepted(newfd, &ep, flags, src, "shm ring");
}

static int wrap_accept(int fd, struct sockaddr *addr, socklen_t *len,
		       int flags)
{
	struct wlisten *l = wl_of(fd);
	struct sockaddr_storage peer;
	socklen_t pl = sizeof(peer);

	if (!l)
		return REAL(accept4)(fd, addr, len, flags);
	int n = REAL(accept4)(fd, (struct sockaddr *)&peer, &pl, flags);
	if (n < 0)
		return n;
	int saved = errno;
	if (addr && len) {
		memcpy(addr, &peer, pl < *len ? pl : *len);
		*len = pl;
	}
	if (n < fdcap)
		wrap_accepted(l, n, (struct sockaddr *)&peer, flags);
	errno = saved;
	return n;
}

/* ---- readiness ------------------------------------------------------------------ */

static unsigned ring_events_of(short ev)
{
	unsigned r = 0;

	if (ev & (POLLIN | POLLRDNORM | POLLPRI))
		r |= YB_RING_READ;
	if (ev & (POLLOUT | POLLWRNORM))
		r |= YB_RING_WRITE;
	return r;
}

/* The ring's readiness as poll(2) bits, among what events asked (and
 * the errors, which are always reported). */
static short ws_revents(struct wsock *s, short events)
{
	unsigned want = ring_events_of(events), got = 0;
	if (s->rd_shut)
		return (short)(events & (POLLIN | POLLRDNORM));
	if (s->dead)
		return (short)(POLLERR | POLLHUP |
			       (events & (POLLIN | POLLRDNORM | POLLOUT)));
	if (!want)
		want = YB_RING_READ; /* errors and hang-ups are always told */
	/* Each direction under its own lock, never waiting for it: a
	 * thread blocked in read or write holds it, and then that
	 * direction is busy, not ready. */
	int rx = (want & YB_RING_READ) && pthread_mutex_trylock(&s->rx) == 0;
	int tx = (want & YB_RING_WRITE) && pthread_mutex_trylock(&s->tx) == 0;
	unsigned ask = (rx ? YB_RING_READ : 0) | (tx ? YB_RING_WRITE : 0);
	/* One look for both: it takes the wake-ups delivered, asks for
	 * both kinds and looks at both again, so none is lost between. */
	if (ask)
		got = yb_ring_poll(ring_of(s), ask);
	if (rx)
		pthread_mutex_unlock(&s->rx);
	if (tx)
		pthread_mutex_unlock(&s->tx);
	short re = 0;

	if (s->peek_len > s->peek_off)
		got |= YB_RING_READ;
	if (got & YB_RING_READ)
		re |= events & (POLLIN | POLLRDNORM);
	if (got & YB_RING_WRITE)
		re |= events & (POLLOUT | POLLWRNORM);
	if (got & YB_RING_HUP)
		re |= POLLHUP | (events & (POLLIN | POLLRDNORM | POLLRDHUP));
	return re;
}

static int ms_left(uint64_t deadline)
{
	if (deadline == UINT64_MAX)
		return -1;
	uint64_t now = yb_now();
	return now >= deadline ? 0 : (int)((deadline - now + 999999) / 1000000);
}

/*
 * poll(2) over a set that holds wrapped descriptors: their readiness is
 * the ring's; while none is ready, the kernel waits on their doorbells
 * (each asked to ring) together with everything else.
 */
static int wrap_poll(struct pollfd *fds, nfds_t n, int timeout_ms,
		     const sigset_t *mask)
{
	struct pollfd local[64];
	struct pollfd *k = n <= 64 ? local : malloc(n * sizeof(*k));
	uint64_t deadline = timeout_ms < 0 ? UINT64_MAX :
			    yb_now() + (uint64_t)timeout_ms * 1000000;
	int ready;

	if (!k)
		return (int)fail(ENOMEM);
	for (;;) {
		ready = 0;
		for (nfds_t i = 0; i < n; i++) {
			struct wsock *s = ws_of(fds[i].fd);
			k[i] = fds[i];
			k[i].revents = 0;
			if (!s)
				continue;
			fds[i].revents = ws_revents(s, fds[i].events);
			if (fds[i].revents)
				ready++;
			k[i].fd = fds[i].revents ? -1 : s->bell;
			k[i].events = POLLIN;
		}
		int t = ready ? 0 : ms_left(deadline);
		int rc;
		if (mask) {
			struct timespec ts = { t / 1000, (t % 1000) * 1000000L };
			rc = REAL(ppoll)(k, n, t < 0 ? NULL : &ts, mask);
		} else {
			rc = REAL(poll)(k, n, t);
		}
		if (rc < 0 && !(ready && errno == EINTR)) {
			ready = -1;
			break;
		}
		for (nfds_t i = 0; rc > 0 && i < n; i++) {
			struct wsock *s = ws_of(fds[i].fd);
			if (!s) {
				fds[i].revents = k[i].revents;
				if (k[i].revents)
					ready++;
			} else if (!fds[i].revents && k[i].revents) {
				/* The doorbell: look at the ring again. */
				fds[i].revents = ws_revents(s, fds[i].events);
				if (fds[i].revents)
					ready++;
			}
		}
		/* Nothing, with the time up; else only a doorbell that rang
		 * for nothing (the ring asked again): wait on. */
		if (ready || t == 0)
			break;
	}
	if (k != local)
		free(k);
	return ready;
}

static int has_ws(const struct pollfd *fds, nfds_t n)
{
	if (!fdtab)
		return 0;
	for (nfds_t i = 0; i < n; i++)
		if (ws_of(fds[i].fd))
			return 1;
	return 0;
}

static int fdset_has_ws(int nfds, fd_set *r, fd_set *w)
{
	if (!fdtab)
		return 0;
	for (int fd = 0; fd < nfds && fd < fdcap; fd++)
		if (((r && FD_ISSET(fd, r)) || (w && FD_ISSET(fd, w))) &&
		    ws_of(fd))
			return 1;
	return 0;
}

/* select(2) as poll(2), when a wrapped descriptor is in the sets. */
static int wrap_select(int nfds, fd_set *r, fd_set *w, fd_set *e,
		       int timeout_ms, const sigset_t *mask)
{
	struct pollfd *p = calloc((size_t)nfds + 1, sizeof(*p));
	nfds_t n = 0;

	if (!p)
		return (int)fail(ENOMEM);
	for (int fd = 0; fd < nfds; fd++) {
		short ev = 0;
		if (r && FD_ISSET(fd, r))
			ev |= POLLIN;
		if (w && FD_ISSET(fd, w))
			ev |= POLLOUT;
		if (e && FD_ISSET(fd, e))
			ev |= POLLPRI;
		if (ev) {
			p[n].fd = fd;
			p[n].events = ev;
			n++;
		}
	}
	int rc = wrap_poll(p, n, timeout_ms, mask);
	if (rc < 0) {
		free(p);
		return rc;
	}
	if (r)
		FD_ZERO(r);
	if (w)
		FD_ZERO(w);
	if (e)
		FD_ZERO(e);
	int count = 0;
	for (nfds_t i = 0; i < n; i++) {
		short re = p[i].revents;
		if (re & POLLNVAL) {
			free(p);
			return (int)fail(EBADF);
		}
		if (r && (p[i].events & POLLIN) &&
		    (re & (POLLIN | POLLHUP | POLLERR))) {
			FD_SET(p[i].fd, r);
			count++;
		}
		if (w && (p[i].events & POLLOUT) && (re & (POLLOUT | POLLERR))) {
			FD_SET(p[i].fd, w);
			count++;
		}
		if (e && (p[i].events & POLLPRI) && (re & POLLPRI)) {
			FD_SET(p[i].fd, e);
			count++;
		}
	}
	free(p);
	return count;
}

/* ---- epoll ---------------------------------------------------------------------- */

static struct epreg *epreg_find(int epfd, int fd)
{
	for (struct epreg *r = epregs; r; r = r->next)
		if (r->epfd == epfd && r->fd == fd)
			return r;
	return NULL;
}

static int epfd_has_regs(int epfd)
{
	for (struct epreg *r = epregs; r; r = r->next)
		if (r->epfd == epfd)
			return 1;
	return 0;
}

static void epreg_unlink(struct epreg *x)
{
	for (struct epreg **p = &epregs; *p; p = &(*p)->next)
		if (*p == x) {
			*p = x->next;
			free(x);
			return;
		}
}

/* The descriptor is going: its registrations (and their doorbells) go
 * from every epoll set.  Under tab_lock. */
static void epregs_drop_fd(int fd)
{
	struct epreg *r = epregs, *next;

	for (; r; r = next) {
		next = r->next;
		if (r->fd == fd) {
			REAL(epoll_ctl)(r->epfd, EPOLL_CTL_DEL, r->s->bell, NULL);
			epreg_unlink(r);
		}
	}
}

static int wrap_epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
	struct wsock *s = ws_of(fd);

	if (!s)
		return REAL(epoll_ctl)(epfd, op, fd, ev);
	pthread_mutex_lock(&tab_lock);
	struct epreg *r = epreg_find(epfd, fd);
	int rc = 0;
	switch (op) {
	case EPOLL_CTL_ADD: {
		if (r) {
			rc = (int)fail(EEXIST);
			break;
		}
		if (!ev) {
			rc = (int)fail(EFAULT);
			break;
		}
		r = calloc(1, sizeof(*r));
		if (!r) {
			rc = (int)fail(ENOMEM);
			break;
		}
		*r = (struct epreg){ .epfd = epfd, .fd = fd, .s = s,
				     .events = ev->events, .data = ev->data };
		struct epoll_event k = { .events = EPOLLIN, .data.ptr = r };
		rc = REAL(epoll_ctl)(epfd, EPOLL_CTL_ADD, s->bell, &k);
		if (rc == 0) {
			r->next = epregs;
			epregs = r;
		} else {
			free(r);
		}
		break;
	}
	case EPOLL_CTL_MOD:
		if (!r) {
			rc = (int)fail(ENOENT);
			break;
		}
		if (!ev) {
			rc = (int)fail(EFAULT);
			break;
		}
		r->events = ev->events;
		r->data = ev->data;
		r->last = 0;
		r->disarmed = 0;
		break;
	case EPOLL_CTL_DEL:
		if (!r) {
			rc = (int)fail(ENOENT);
			break;
		}
		REAL(epoll_ctl)(epfd, EPOLL_CTL_DEL, s->bell, NULL);
		epreg_unlink(r);
		break;
	default:
		rc = (int)fail(EINVAL);
	}
	pthread_mutex_unlock(&tab_lock);
	return rc;
}

/* The events of registration r that are ready now, as the program asked
 * for them (level, edge, one-shot).  Under tab_lock. */
static uint32_t epreg_ready(struct epreg *r)
{
	if (r->disarmed)
		return 0;
	short pe = 0;
	if (r->events & EPOLLIN)
		pe |= POLLIN;
	if (r->events & EPOLLOUT)
		pe |= POLLOUT;
	if (r->events & EPOLLRDHUP)
		pe |= POLLRDHUP;
	short re = ws_revents(r->s, pe);
	uint32_t got = 0;
	if (re & POLLIN)
		got |= EPOLLIN;
	if (re & POLLOUT)
		got |= EPOLLOUT;
	if (re & POLLHUP)
		got |= EPOLLHUP;
	if (re & POLLRDHUP)
		got |= EPOLLRDHUP;
	if (r->events & EPOLLET) {
		/* Again only once lost, or when more came. */
		uint32_t fresh = got & ~r->last;
		if (r->fired || (r->s->again & YB_RING_READ))
			fresh |= got & (EPOLLIN | EPOLLRDHUP | EPOLLHUP);
		if (r->s->again & YB_RING_WRITE)
			fresh |= got & EPOLLOUT;
		r->last = got;
		got = fresh;
		if (got)
			r->s->again = 0;
	}
	r->fired = 0;
	if (got && (r->events & EPOLLONESHOT))
		r->disarmed = 1;
	return got;
}

static int is_our_tag(int epfd, void *ptr)
{
	for (struct epreg *r = epregs; r; r = r->next)
		if (r == ptr && r->epfd == epfd)
			return 1;
	return 0;
}

static int wrap_epoll_wait(int epfd, struct epoll_event *out, int max,
			   int timeout_ms, const sigset_t *mask)
{
	uint64_t deadline = timeout_ms < 0 ? UINT64_MAX :
			    yb_now() + (uint64_t)timeout_ms * 1000000;

	if (max <= 0)
		return REAL(epoll_wait)(epfd, out, max, timeout_ms);
	for (;;) {
		int n = 0;
		pthread_mutex_lock(&tab_lock);
		for (struct epreg *r = epregs; r && n < max; r = r->next) {
			if (r->epfd != epfd)
				continue;
			uint32_t got = epreg_ready(r);
			if (got) {
				out[n].events = got;
				out[n].data = r->data;
				n++;
			}
		}
		pthread_mutex_unlock(&tab_lock);
		int t = n ? 0 : ms_left(deadline);
		int k = mask ? REAL(epoll_pwait)(epfd, out + n, max - n, t, mask) :
			       REAL(epoll_wait)(epfd, out + n, max - n, t);
		if (k < 0) {
			if (n && errno == EINTR)
				return n;
			return k;
		}
		/* Our doorbells among the kernel's events: note, drop. */
		int kept = n, rang = 0;
		pthread_mutex_lock(&tab_lock);
		for (int i = n; i < n + k; i++) {
			if (is_our_tag(epfd, out[i].data.ptr)) {
				((struct epreg *)out[i].data.ptr)->fired = 1;
				rang = 1;
				continue;
			}
			out[kept++] = out[i];
		}
		pthread_mutex_unlock(&tab_lock);
		if (kept > 0)
			return kept;
		if (!rang && ms_left(deadline) == 0)
			return 0;
		if (!rang && k == 0)
			return 0;
	}
}

/* ---- the interposed functions ----------------------------------------------------- */

API int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	return wrap_connect(fd, addr, len);
}

API int listen(int fd, int backlog)
{
	int rc = REAL(listen)(fd, backlog);

	if (rc == 0 && fdtab) {
		int saved = errno;
		wrap_listen_setup(fd);
		errno = saved;
	}
	return rc;
}

API int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
	return wrap_accept(fd, addr, len, 0);
}

API int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	return wrap_accept(fd, addr, len, flags);
}

API int close(int fd)
{
	if (ws_of(fd) || wl_of(fd))
		fd_release(fd);
	return REAL(close)(fd);
}

API int shutdown(int fd, int how)
{
	struct wsock *s = ws_of(fd);

	if (s && !s->dead) {
		if (how == SHUT_WR || how == SHUT_RDWR) {
			pthread_mutex_lock(&s->tx);
			yb_ring_shutdown(ring_of(s));
			pthread_mutex_unlock(&s->tx);
		}
		if (how == SHUT_RD || how == SHUT_RDWR)
			s->rd_shut = 1;
	}
	return REAL(shutdown)(fd, how);
}

API int dup(int fd)
{
	int n = REAL(dup)(fd);

	if (n >= 0 && (ws_of(fd) || wl_of(fd)))
		fd_copy(fd, n);
	return n;
}

/* dup2/dup3 made newfd a copy of fd: whatever newfd was is gone. */
static int fd_replaced(int fd, int newfd, int n)
{
	if (n >= 0 && fd != newfd) {
		if (ws_of(newfd) || wl_of(newfd))
			fd_release(newfd);
		if (ws_of(fd) || wl_of(fd))
			fd_copy(fd, newfd);
	}
	return n;
}

API int dup2(int fd, int newfd)
{
	return fd_replaced(fd, newfd, REAL(dup2)(fd, newfd));
}

API int dup3(int fd, int newfd, int flags)
{
	return fd_replaced(fd, newfd, REAL(dup3)(fd, newfd, flags));
}

API int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	va_start(ap, cmd);
	long arg = va_arg(ap, long);
	va_end(ap);
	int rc = REAL(fcntl)(fd, cmd, arg);
	if (rc < 0)
		return rc;
	struct wsock *s = ws_of(fd);
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (s || wl_of(fd))
			fd_copy(fd, rc);
		break;
	case F_SETFL:
		if (s)
			s->nonblock = (arg & O_NONBLOCK) != 0;
		break;
	default:
		break;
	}
	return rc;
}

API int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	va_start(ap, req);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	struct wsock *s = ws_of(fd);
	if (s && arg && !s->dead) {
		if (req == FIONREAD) {
			ssize_t n = yb_ring_readable(ring_of(s));
			*(int *)arg = (int)((n > 0 ? n : 0) +
					    (ssize_t)(s->peek_len - s->peek_off));
			return 0;
		}
		if (req == TIOCOUTQ) {
			ssize_t n = yb_ring_writable(ring_of(s));
			*(int *)arg = n >= 0 ? (int)(ring_of(s)->tx_size -
						     (uint32_t)n) :
					       0;
			return 0;
		}
	}
	int rc = REAL(ioctl)(fd, req, arg);
	if (rc == 0 && s && req == FIONBIO && arg)
		s->nonblock = *(int *)arg != 0;
	return rc;
}

API ssize_t read(int fd, void *buf, size_t len)
{
	struct wsock *s = ws_of(fd);

	return s ? ws_recv(s, buf, len, 0) : REAL(read)(fd, buf, len);
}

API ssize_t write(int fd, const void *buf, size_t len)
{
	struct wsock *s = ws_of(fd);

	return s ? ws_send(s, buf, len, 0) : REAL(write)(fd, buf, len);
}

API ssize_t readv(int fd, const struct iovec *iov, int cnt)
{
	struct wsock *s = ws_of(fd);

	return s ? ws_xferv(s, iov, cnt, 0, 0) : REAL(readv)(fd, iov, cnt);
}

API ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
	struct wsock *s = ws_of(fd);

	return s ? ws_xferv(s, iov, cnt, 0, 1) : REAL(writev)(fd, iov, cnt);
}

API ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	struct wsock *s = ws_of(fd);

	return s ? ws_recv(s, buf, len, flags) : REAL(recv)(fd, buf, len, flags);
}

API ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	struct wsock *s = ws_of(fd);

	return s ? ws_send(s, buf, len, flags) : REAL(send)(fd, buf, len, flags);
}

API ssize_t recvfrom(int fd, void *buf, size_t len, int flags,
		     struct sockaddr *addr, socklen_t *alen)
{
	struct wsock *s = ws_of(fd);

	if (!s)
		return REAL(recvfrom)(fd, buf, len, flags, addr, alen);
	/* A connected stream socket names no sender. */
	if (addr && alen)
		*alen = 0;
	return ws_recv(s, buf, len, flags);
}

API ssize_t sendto(int fd, const void *buf, size_t len, int flags,
		   const struct sockaddr *addr, socklen_t alen)
{
	struct wsock *s = ws_of(fd);

	return s ? ws_send(s, buf, len, flags) :
		   REAL(sendto)(fd, buf, len, flags, addr, alen);
}

API ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	struct wsock *s = ws_of(fd);

	if (!s)
		return REAL(recvmsg)(fd, msg, flags);
	ssize_t n = ws_xferv(s, msg->msg_iov, (int)msg->msg_iovlen, flags, 0);
	if (n >= 0) {
		msg->msg_namelen = 0;
		msg->msg_controllen = 0;
		msg->msg_flags = 0;
	}
	return n;
}

API ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	struct wsock *s = ws_of(fd);

	if (!s)
		return REAL(sendmsg)(fd, msg, flags);
	if (msg->msg_controllen)
		return fail(EOPNOTSUPP); /* no descriptors over a ring */
	return ws_xferv(s, msg->msg_iov, (int)msg->msg_iovlen, flags, 1);
}

/* sendfile/splice into or out of a ring: copy through a buffer. */
static ssize_t copy_through(int out, int in, off_t *off, size_t count)
{
	uint8_t buf[65536];
	size_t done = 0;

	while (done < count) {
		size_t want = count - done < sizeof(buf) ? count - done :
							   sizeof(buf);
		ssize_t n = off ? pread(in, buf, want, *off) : read(in, buf, want);
		if (n <= 0) {
			if (done)
				break;
			return n;
		}
		ssize_t w = write(out, buf, (size_t)n);
		if (w <= 0) {
			if (done)
				break;
			return w;
		}
		if (off)
			*off += w;
		else if (w < n)
			/* Give back what was not written, where the input
			 * can seek (a file); from a pipe it is lost. */
			(void)lseek(in, w - n, SEEK_CUR);
		done += (size_t)w;
		if (w < n)
			break;
	}
	return (ssize_t)done;
}

API ssize_t sendfile(int out, int in, off_t *off, size_t count)
{
	if (ws_of(out) || ws_of(in))
		return copy_through(out, in, off, count);
	return REAL(sendfile)(out, in, off, count);
}

API ssize_t splice(int in, loff_t *off_in, int out, loff_t *off_out,
		   size_t len, unsigned int flags)
{
	if ((ws_of(out) && !off_out) || (ws_of(in) && !off_in)) {
		off_t o = off_in ? (off_t)*off_in : 0;
		ssize_t n = copy_through(out, in, off_in ? &o : NULL, len);
		if (off_in && n > 0)
			*off_in = o;
		return n;
	}
	return REAL(splice)(in, off_in, out, off_out, len, flags);
}

API int poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
	if (!has_ws(fds, n))
		return REAL(poll)(fds, n, timeout_ms);
	return wrap_poll(fds, n, timeout_ms, NULL);
}

API int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *ts,
	      const sigset_t *mask)
{
	if (!has_ws(fds, n))
		return REAL(ppoll)(fds, n, ts, mask);
	int ms = ts ? (int)(ts->tv_sec * 1000 + (ts->tv_nsec + 999999) / 1000000) :
		      -1;
	sigset_t cur;
	if (!mask) {
		sigprocmask(SIG_SETMASK, NULL, &cur);
		mask = &cur;
	}
	return wrap_poll(fds, n, ms, mask);
}

API int select(int nfds, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv)
{
	if (!fdset_has_ws(nfds, r, w))
		return REAL(select)(nfds, r, w, e, tv);
	int ms = tv ? (int)(tv->tv_sec * 1000 + (tv->tv_usec + 999) / 1000) : -1;
	uint64_t t0 = yb_now();
	int rc = wrap_select(nfds, r, w, e, ms, NULL);
	if (tv) {
		/* Linux leaves the time not slept in *tv. */
		uint64_t spent = (yb_now() - t0) / 1000;
		uint64_t asked = (uint64_t)tv->tv_sec * 1000000 +
				 (uint64_t)tv->tv_usec;
		uint64_t left = spent < asked ? asked - spent : 0;
		tv->tv_sec = (time_t)(left / 1000000);
		tv->tv_usec = (suseconds_t)(left % 1000000);
	}
	return rc;
}

API int pselect(int nfds, fd_set *r, fd_set *w, fd_set *e,
		const struct timespec *ts, const sigset_t *mask)
{
	if (!fdset_has_ws(nfds, r, w))
		return REAL(pselect)(nfds, r, w, e, ts, mask);
	int ms = ts ? (int)(ts->tv_sec * 1000 + (ts->tv_nsec + 999999) / 1000000) :
		      -1;
	sigset_t cur;
	if (!mask) {
		sigprocmask(SIG_SETMASK, NULL, &cur);
		mask = &cur;
	}
	return wrap_select(nfds, r, w, e, ms, mask);
}

API int epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
	return wrap_epoll_ctl(epfd, op, fd, ev);
}

API int epoll_wait(int epfd, struct epoll_event *ev, int max, int timeout_ms)
{
	if (!epregs || !epfd_has_regs(epfd))
		return REAL(epoll_wait)(epfd, ev, max, timeout_ms);
	return wrap_epoll_wait(epfd, ev, max, timeout_ms, NULL);
}

API int epoll_pwait(int epfd, struct epoll_event *ev, int max, int timeout_ms,
		    const sigset_t *mask)
{
	if (!epregs || !epfd_has_regs(epfd))
		return REAL(epoll_pwait)(epfd, ev, max, timeout_ms, mask);
	return wrap_epoll_wait(epfd, ev, max, timeout_ms, mask);
}

/* Every process holding a connection counts, so that the ring closes
 * only when the last of them closes it. */
API pid_t fork(void)
{
	pthread_mutex_lock(&tab_lock);
	for (struct wsock *s = all_ws; s; s = s->next)
		if (!s->xen && !s->dead)
			__atomic_add_fetch(holders(s, s->side), 1,
					   __ATOMIC_ACQ_REL);
	pid_t pid = REAL(fork)();
	int e = errno;
	if (pid < 0)
		for (struct wsock *s = all_ws; s; s = s->next)
			if (!s->xen && !s->dead)
				__atomic_sub_fetch(holders(s, s->side), 1,
						   __ATOMIC_ACQ_REL);
	if (pid == 0) {
		/* The child's only thread held the lock. */
		pthread_mutex_init(&tab_lock, NULL);
		self_pid = getpid();
		for (struct wsock *s = all_ws; s; s = s->next)
			if (s->xen)
				s->dead = 1;
	} else {
		pthread_mutex_unlock(&tab_lock);
	}
	errno = e;
	return pid;
}

/* What fortified programs call instead (glibc's _FORTIFY_SOURCE). */
API ssize_t __read_chk(int fd, void *buf, size_t len, size_t buflen)
{
	if (len > buflen)
		abort();
	return read(fd, buf, len);
}

API ssize_t __recv_chk(int fd, void *buf, size_t len, size_t buflen,
		       int flags)
{
	if (len > buflen)
		abort();
	return recv(fd, buf, len, flags);
}

API ssize_t __recvfrom_chk(int fd, void *buf, size_t len, size_t buflen,
			   int flags, struct sockaddr *addr, socklen_t *alen)
{
	if (len > buflen)
		abort();
	return recvfrom(fd, buf, len, flags, addr, alen);
}

API int __poll_chk(struct pollfd *fds, nfds_t n, int timeout_ms, size_t fdslen)
{
	if (fdslen / sizeof(*fds) < n)
		abort();
	return poll(fds, n, timeout_ms);
}

API int __ppoll_chk(struct pollfd *fds, nfds_t n, const struct timespec *ts,
		    const sigset_t *mask, size_t fdslen)
{
	if (fdslen / sizeof(*fds) < n)
		abort();
	return ppoll(fds, n, ts, mask);
}
