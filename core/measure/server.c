/* server.c - the server daemon; see server.h. */
#include "core/measure/server.h"

#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/measure/serve.h"
#include "core/host/sysinfo.h"

#define POLL_MS 200

static void logf_(const struct yb_server_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void logf_(const struct yb_server_opts *o, const char *fmt, ...)
{
	va_list ap;

	if (!o->log)
		return;
	va_start(ap, fmt);
	fprintf(o->log, "yasmin-bench server: ");
	vfprintf(o->log, fmt, ap);
	fputc('\n', o->log);
	fflush(o->log);
	va_end(ap);
}

/*
 * The child tells the parent it is done through a pipe *before* it answers
 * the client's END, so that a client which reconnects at once is never
 * turned away as "busy" by a parent that has not yet noticed.
 */
static void child_done(void *ctx)
{
	int *fd = ctx;

	if (*fd >= 0) {
		(void)!write(*fd, "d", 1);
		close(*fd);
		*fd = -1;
	}
}

/* In the child: serve one client and exit with its status. */
static int serve_child(struct yb_ep *listener, struct yb_ep *conn,
		       const struct yb_server_opts *o, int done_fd)
{
	struct yb_err err = { 0 };
	struct yb_meta info;

	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	/* Drop our copy of the listener without removing its socket file. */
	yb_ep_forget(listener);
	yb_meta_init(&info);
	yb_sysinfo_meta(&info, "");
	/* Where this process runs as it greets the client; when pinned
	 * (server --cpus, taskset) it stays there for the whole run. */
	yb_meta_set_int(&info, "cpu", yb_current_cpu());
	yb_meta_set(&info, "cpu_pinned", "%s",
		    yb_pinned_cpu() >= 0 ? "yes" : "no");
	struct yb_serve_opts so = { .timeout_ms = o->timeout_ms,
				    .info = &info,
				    .on_end = child_done,
				    .on_end_ctx = &done_fd };
	int rc = yb_serve(conn, &so, &err);
	if (rc)
		logf_(o, "client %s: %s", conn->peer, err.msg);
	else
		logf_(o, "client %s: finished", conn->peer);
	child_done(&done_fd);
	yb_ep_close(conn);
	yb_meta_free(&info);
	return yb_exit_status(rc);
}

/*
 * The one client being served: its child process until it is reaped, and
 * the pipe on which that child says it is done.
 */
struct slot {
	pid_t busy;               /* child serving a client, until reaped */
	int done_fd;              /* read end of that child's "done" pipe */
	char peer[YB_ADDR_MAX];   /* the client it serves */
	int last;                 /* exit status of the last child reaped */
	int finished;             /* a client finished since the last start */
};

/* Reap the child if it has ended, keeping its exit status. */
static void reap(struct slot *sl, const struct yb_server_opts *o)
{
	int status;

	if (sl->busy > 0 && waitpid(sl->busy, &status, WNOHANG) == sl->busy) {
		sl->last = WIFEXITED(status) ? WEXITSTATUS(status) :
					       YB_EXIT_FAIL;
		if (!WIFEXITED(status))
			logf_(o, "client %s: server process died "
				 "(signal %d)",
			      sl->peer, WTERMSIG(status));
		sl->busy = 0;
		sl->finished = 1;
	}
}

/*
 * Busy: say so before the newcomer costs anything.  Accepting it first
 * would build a whole ring (a memfd, granted pages, an event channel)
 * beside the measurement, only to refuse it.
 */
static void refuse_busy(struct yb_ep *listener, const struct slot *sl,
			const struct yb_server_opts *o)
{
	struct yb_ep conn;
	struct yb_err aerr;
	char why[YB_ADDR_MAX + 128];

	snprintf(why, sizeof(why),
		 "server busy: it is measuring another client "
		 "(%s); try again when that run ends",
		 sl->peer);
	int arc = yb_ep_refuse(listener, &conn, why, yb_serve_refuse, &aerr);
	if (arc == 0)
		logf_(o, "refused %s: busy with %s", conn.peer, sl->peer);
	else if (arc != YB_EAGAIN)
		logf_(o, "%s", aerr.msg);
}

/* Accept the next client and serve it in a child process of its own. */
static void serve_next(struct yb_ep *listener, struct slot *sl,
		       const struct yb_server_opts *o)
{
	struct yb_ep conn;
	struct yb_err aerr;
	int arc = yb_ep_accept(listener, &conn, &aerr);

	if (arc == YB_EAGAIN) /* woken, but nobody there (XenStore) */
		return;
	if (arc != 0) {
		logf_(o, "%s", aerr.msg);
		return;
	}
	int p[2];
	if (pipe2(p, O_CLOEXEC) != 0) {
		logf_(o, "cannot serve %s: pipe: %s", conn.peer,
		      strerror(errno));
		yb_ep_close(&conn);
		return;
	}
	/* A previous child may still be exiting: let it. */
	if (sl->busy > 0)
		waitpid(sl->busy, NULL, 0);
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		struct yb_err ferr = { 0 };
		yb_err_fork(&ferr, errno, "cannot fork for %s", conn.peer);
		logf_(o, "%s", ferr.msg);
		close(p[0]);
		close(p[1]);
		yb_ep_close(&conn);
		return;
	}
	if (pid == 0) {
		close(p[0]);
		_exit(serve_child(listener, &conn, o, p[1]));
	}
	close(p[1]);
	sl->done_fd = p[0];
	sl->finished = 0;
	logf_(o, "client %s: connected, served by pid %d", conn.peer,
	      (int)pid);
	snprintf(sl->peer, sizeof(sl->peer), "%s", conn.peer);
	sl->busy = pid;
	/* The child owns the connection; drop our copy only. */
	yb_ep_forget(&conn);
}

int yb_server_loop(struct yb_ep *listener, const struct yb_server_opts *o,
		   struct yb_err *err)
{
	struct slot sl = { .busy = 0, .done_fd = -1 };

	int pinned = yb_pinned_cpu();
	if (pinned >= 0)
		logf_(o, "listening on %s, pinned to CPU %d", listener->addr,
		      pinned);
	else
		logf_(o, "listening on %s", listener->addr);
	for (;;) {
		if (o->stop && *o->stop)
			break;
		reap(&sl, o);
		if (o->once && sl.finished && sl.busy == 0)
			return sl.last ? YB_EPEER : 0;

		struct pollfd pfd[2] = {
			{ .fd = sl.done_fd, .events = POLLIN },
			{ .fd = yb_ep_poll_fd(listener), .events = POLLIN },
		};
		int n = poll(pfd, 2, POLL_MS);
		if (n < 0 && errno != EINTR)
			return yb_err_sys(err, errno, "poll");
		if (n <= 0)
			continue;
		/* Done (or died: EOF) comes first, then new clients. */
		if (sl.done_fd >= 0 && pfd[0].revents) {
			close(sl.done_fd);
			sl.done_fd = -1;
			sl.finished = 1;
		}
		if (!pfd[1].revents)
			continue;
		if (sl.done_fd >= 0 || (o->once && sl.finished))
			refuse_busy(listener, &sl, o);
		else
			serve_next(listener, &sl, o);
	}
	if (sl.done_fd >= 0)
		close(sl.done_fd);
	if (sl.busy > 0) {
		kill(sl.busy, SIGTERM);
		waitpid(sl.busy, NULL, 0);
	}
	logf_(o, "stopped");
	return 0;
}
