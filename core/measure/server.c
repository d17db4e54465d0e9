/* server.c - the server daemon; see server.h. */
#include "core/measure/server.h"

#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
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
		       const struct yb_server_opts *o, int done_fd,
		       int at_once)
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
	/* Clients this server was serving when this one started, itself
	 * included: more than one share the machine. */
	yb_meta_set_int(&info, "clients_at_start", at_once);
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
 * A client being served: its child process until it is reaped, and the
 * pipe on which that child says it is done.  A slot is taken while the
 * pipe is open.
 */
struct slot {
	pid_t busy;               /* child serving a client, until reaped */
	int done_fd;              /* read end of that child's "done" pipe */
	char peer[YB_ADDR_MAX];   /* the client it serves */
};

struct server {
	const struct yb_server_opts *o;
	struct slot *sl;
	int n;                    /* slots: the most clients at once */
	int last;                 /* exit status of the last child reaped */
	int finished;             /* a client finished since the last start */
};

/* Reap the children that have ended, keeping the last exit status. */
static void reap(struct server *sv)
{
	for (int i = 0; i < sv->n; i++) {
		struct slot *sl = &sv->sl[i];
		int status;
		if (sl->busy <= 0 ||
		    waitpid(sl->busy, &status, WNOHANG) != sl->busy)
			continue;
		sv->last = WIFEXITED(status) ? WEXITSTATUS(status) :
					       YB_EXIT_FAIL;
		if (!WIFEXITED(status))
			logf_(sv->o, "client %s: server process died "
				     "(signal %d)",
			      sl->peer, WTERMSIG(status));
		sl->busy = 0;
		sv->finished = 1;
	}
}

/* Clients being served now. */
static int active(const struct server *sv)
{
	int k = 0;

	for (int i = 0; i < sv->n; i++)
		k += sv->sl[i].done_fd >= 0;
	return k;
}

/*
 * Full: say so before the newcomer costs anything.  Accepting it first
 * would build a whole ring (a memfd, granted pages, an event channel)
 * beside the measurements, only to refuse it.
 */
static void refuse_full(struct yb_ep *listener, const struct server *sv)
{
	struct yb_ep conn;
	struct yb_err aerr;
	char why[YB_ADDR_MAX + 160];
	const char *with = "";

	for (int i = 0; i < sv->n && !*with; i++)
		if (sv->sl[i].done_fd >= 0)
			with = sv->sl[i].peer;
	if (!*with) /* --once, its client done: the one it served */
		with = sv->sl[0].peer;
	if (sv->n == 1)
		snprintf(why, sizeof(why),
			 "server busy: it is measuring another client "
			 "(%s); try again when that run ends",
			 with);
	else
		snprintf(why, sizeof(why),
			 "server full: it is serving %d clients, its limit "
			 "(server --max-clients %d); try again when one ends",
			 sv->n, sv->n);
	int arc = yb_ep_refuse(listener, &conn, why, yb_serve_refuse, &aerr);
	if (arc == 0 && sv->n == 1)
		logf_(sv->o, "refused %s: busy with %s", conn.peer, with);
	else if (arc == 0)
		logf_(sv->o, "refused %s: %d clients at once, the limit",
		      conn.peer, sv->n);
	else if (arc != YB_EAGAIN)
		logf_(sv->o, "%s", aerr.msg);
}

/* Accept the next client and serve it in a child process of its own. */
static void serve_next(struct yb_ep *listener, struct server *sv,
		       struct slot *sl)
{
	const struct yb_server_opts *o = sv->o;
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
	/* This slot's previous child may still be exiting: let it. */
	if (sl->busy > 0)
		waitpid(sl->busy, NULL, 0);
	int others = active(sv);
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
		/* The other children's pipes are not this one's business. */
		for (int i = 0; i < sv->n; i++)
			if (sv->sl[i].done_fd >= 0)
				close(sv->sl[i].done_fd);
		_exit(serve_child(listener, &conn, o, p[1], others + 1));
	}
	close(p[1]);
	sl->done_fd = p[0];
	sv->finished = 0;
	if (others)
		logf_(o, "client %s: connected, served by pid %d (%d clients "
			 "at once)",
		      conn.peer, (int)pid, others + 1);
	else
		logf_(o, "client %s: connected, served by pid %d", conn.peer,
		      (int)pid);
	snprintf(sl->peer, sizeof(sl->peer), "%s", conn.peer);
	sl->busy = pid;
	/* The child owns the connection; drop our copy only. */
	yb_ep_forget(&conn);
}

/* One wait for events: children done, a client at the door. */
static int server_poll(struct yb_ep *listener, struct server *sv,
		       struct pollfd *pfd, struct yb_err *err)
{
	for (int i = 0; i < sv->n; i++)
		pfd[i] = (struct pollfd){ .fd = sv->sl[i].done_fd,
					  .events = POLLIN };
	pfd[sv->n] = (struct pollfd){ .fd = yb_ep_poll_fd(listener),
				      .events = POLLIN };
	int n = poll(pfd, (nfds_t)sv->n + 1, POLL_MS);
	if (n < 0 && errno != EINTR)
		return yb_err_sys(err, errno, "poll");
	/* Done (or died: EOF) comes first, then new clients. */
	for (int i = 0; n > 0 && i < sv->n; i++) {
		if (sv->sl[i].done_fd >= 0 && pfd[i].revents) {
			close(sv->sl[i].done_fd);
			sv->sl[i].done_fd = -1;
			sv->finished = 1;
		}
	}
	return n > 0 && pfd[sv->n].revents ? 1 : 0;
}

static void server_stop(struct server *sv)
{
	for (int i = 0; i < sv->n; i++) {
		struct slot *sl = &sv->sl[i];
		if (sl->done_fd >= 0)
			close(sl->done_fd);
		if (sl->busy > 0)
			kill(sl->busy, SIGTERM);
	}
	for (int i = 0; i < sv->n; i++)
		if (sv->sl[i].busy > 0)
			waitpid(sv->sl[i].busy, NULL, 0);
}

int yb_server_loop(struct yb_ep *listener, const struct yb_server_opts *o,
		   struct yb_err *err)
{
	/* --once serves one client: nobody beside it. */
	int n = o->once || o->max_clients < 1 ? 1 : o->max_clients;
	struct server sv = { .o = o, .n = n };
	struct pollfd *pfd = calloc((size_t)n + 1, sizeof(*pfd));

	sv.sl = calloc((size_t)n, sizeof(*sv.sl));
	if (!sv.sl || !pfd) {
		free(sv.sl);
		free(pfd);
		return yb_err_set(err, YB_ENOMEM, "out of memory");
	}
	for (int i = 0; i < n; i++)
		sv.sl[i].done_fd = -1;
	int pinned = yb_pinned_cpu();
	char many[64] = "";
	if (n > 1)
		snprintf(many, sizeof(many), ", up to %d clients at once", n);
	if (pinned >= 0)
		logf_(o, "listening on %s%s, pinned to CPU %d",
		      listener->addr, many, pinned);
	else
		logf_(o, "listening on %s%s", listener->addr, many);
	int rc = 0, stopped = 0;
	for (;;) {
		if (o->stop && *o->stop) {
			stopped = 1;
			break;
		}
		reap(&sv);
		if (o->once && sv.finished && sv.sl[0].busy == 0) {
			rc = sv.last ? YB_EPEER : 0;
			break;
		}
		int knock = server_poll(listener, &sv, pfd, err);
		if (knock < 0) {
			rc = knock;
			break;
		}
		if (!knock)
			continue;
		struct slot *free_sl = NULL;
		for (int i = 0; i < n && !free_sl; i++)
			if (sv.sl[i].done_fd < 0)
				free_sl = &sv.sl[i];
		if (!free_sl || (o->once && sv.finished))
			refuse_full(listener, &sv);
		else
			serve_next(listener, &sv, free_sl);
	}
	server_stop(&sv);
	free(sv.sl);
	free(pfd);
	if (stopped)
		logf_(o, "stopped");
	return rc;
}
