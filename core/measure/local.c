/*
 * local.c - both ends of a sweep on this host: the server half forked,
 * pinned, served and reaped; see local.h.
 */
#include "core/measure/local.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/host/sysinfo.h"
#include "core/host/wake.h"
#include "core/measure/serve.h"

static int wait_child(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

/* Remove a rendezvous socket file (if any) and its private directory. */
static void remove_rendezvous(const char *path, const char *dir)
{
	if (path[0])
		unlink(path);
	if (dir[0])
		rmdir(dir);
}

/*
 * The server half of a local run, in the child process: accept one client,
 * remove the rendezvous, serve.  owner is the forking parent: if it dies
 * before a client came, we stop waiting (the caller removes the rest).
 */
static int local_server(struct yb_ep *listener, const char *dir,
			const struct yb_local_opts *lo, pid_t owner)
{
	struct yb_err err = { 0 };
	struct yb_ep conn;
	struct yb_meta info;
	int rc;

	/* SIGTERM comes from the client when the run fails: end quietly. */
	signal(SIGTERM, SIG_DFL);
	yb_meta_init(&info);
	if (lo->cpu_server >= 0 && yb_pin_cpu(lo->cpu_server, &err) != 0)
		goto fail;
	yb_meta_set_int(&info, "cpu", yb_current_cpu());
	struct pollfd pfd = { .fd = yb_ep_poll_fd(listener), .events = POLLIN };
	/* In slices, to notice a client killed before it connected. */
	for (int waited = 0;; waited += 200) {
		if (getppid() != owner) {
			yb_meta_free(&info);
			return YB_EXIT_FAIL;
		}
		if (waited >= lo->accept_timeout_ms) {
			yb_err_set(&err, YB_ETIMEDOUT,
				   "%s: the client did not connect",
				   listener->addr);
			goto fail;
		}
		if (poll(&pfd, 1, 200) > 0)
			break;
	}
	/* A failed handshake is the client's to report (a ring transport
	 * sends it the reason); one line from one side is enough. */
	rc = yb_ep_accept(listener, &conn, &err);
	/* One client per server: the address is of no more use. */
	yb_ep_close(listener);
	rmdir(dir);
	if (rc != 0) {
		yb_meta_free(&info);
		return yb_exit_status(err.code);
	}
	struct yb_serve_opts so = { .timeout_ms = 60000, .info = &info };
	if (yb_local_serve_hook)
		yb_local_serve_hook(&so, conn.t->name);
	rc = yb_serve(&conn, &so, &err);
	yb_ep_close(&conn);
	yb_meta_free(&info);
	if (rc == 0)
		return 0;
	/* The client reports what went wrong; stay quiet unless it was us. */
	return yb_exit_status(rc);
fail:
	fprintf(stderr, "yasmin-bench: local server: %s\n", err.msg);
	yb_meta_free(&info);
	return yb_exit_status(err.code);
}

/*
 * Listen on a fresh local address of t inside dir, a mkdtemp(3) template
 * that becomes a private directory; on failure the directory is gone.
 */
static int local_listen(const struct yb_transport *t, char *dir,
			struct yb_ep *listener, struct yb_err *err)
{
	char local[YB_ADDR_MAX], full[YB_ADDR_MAX + 32];
	int rc;

	yb_ep_init(listener, t);
	if (!mkdtemp(dir))
		return yb_err_sys(err, errno, "cannot create a directory in /tmp");
	rc = yb_transport_local_addr(t, local, sizeof(local), dir, err);
	if (!rc) {
		snprintf(full, sizeof(full), "%s:%s", t->name, local);
		rc = yb_ep_listen(listener, full, err);
	}
	if (rc)
		rmdir(dir);
	return rc;
}

/* What the child reports once it listens, or why it cannot. */
struct spawn_rec {
	int32_t code;
	struct yb_local_child c;
	char msg[YB_ERR_MSG_MAX];
};
/* One write(2) of at most PIPE_BUF bytes arrives whole: one read gets it. */
_Static_assert(sizeof(struct spawn_rec) <= PIPE_BUF,
	       "the child's report must fit one atomic pipe write");

/* The forked child: rendezvous, report, serve, tidy up; never returns. */
static void local_child(const struct yb_transport *t,
			const struct yb_local_opts *lo, pid_t owner, int wfd)
{
	struct spawn_rec rec;
	struct yb_err err = { 0 };
	struct yb_ep listener;

	/* Ctrl-C goes to the client, which ends the run cleanly; a report
	 * to a parent already gone must not kill us before we tidy up. */
	signal(SIGINT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	memset(&rec, 0, sizeof(rec));
	snprintf(rec.c.dir, sizeof(rec.c.dir), "%s", YB_LOCAL_DIR);
	rec.code = local_listen(t, rec.c.dir, &listener, &err);
	if (rec.code) {
		snprintf(rec.msg, sizeof(rec.msg), "%s", err.msg);
		rec.c.dir[0] = '\0';
	} else {
		snprintf(rec.c.addr, sizeof(rec.c.addr), "%s", listener.addr);
		snprintf(rec.c.path, sizeof(rec.c.path), "%s",
			 listener.unlink_path);
	}
	ssize_t n;
	do
		n = write(wfd, &rec, sizeof(rec));
	while (n < 0 && errno == EINTR);
	close(wfd);
	if (rec.code)
		_exit(yb_exit_status(rec.code));
	/* Not reported: the parent is gone, serve nobody. */
	int status = n != (ssize_t)sizeof(rec) ?
			     YB_EXIT_FAIL :
			     local_server(&listener, rec.c.dir, lo, owner);
	yb_ep_close(&listener);
	remove_rendezvous(rec.c.path, rec.c.dir);
	_exit(status);
}

int yb_local_spawn(const struct yb_transport *t,
		   const struct yb_local_opts *lo, struct yb_local_child *c,
		   struct yb_err *err)
{
	struct spawn_rec rec;
	int p[2];

	memset(c, 0, sizeof(*c));
	c->pid = -1;
	if (pipe2(p, O_CLOEXEC) < 0)
		return yb_err_sys(err, errno, "pipe");
	/* Adaptive waiting's spin budget, measured once here before the
	 * fork rather than by both ends at once, each disturbing the
	 * other's probe. */
	yb_spin_budget_ns(NULL);
	fflush(NULL);
	pid_t owner = getpid(), pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return yb_err_fork(err, errno, "fork");
	}
	if (pid == 0) {
		close(p[0]);
		local_child(t, lo, owner, p[1]);
	}
	close(p[1]);
	c->pid = pid;

	/* The child never blocks before it reports: it writes or it ends. */
	ssize_t n;
	do
		n = read(p[0], &rec, sizeof(rec));
	while (n < 0 && errno == EINTR);
	close(p[0]);
	if (n != (ssize_t)sizeof(rec)) {
		yb_local_reap(c, 1, NULL);
		return yb_err_set(err, YB_EPEER,
				  "%s: the local server did not start", t->name);
	}
	rec.c.pid = pid;
	*c = rec.c;
	if (rec.code) {
		yb_local_reap(c, 0, NULL);
		rec.msg[sizeof(rec.msg) - 1] = '\0';
		return yb_err_set(err, rec.code, "%s", rec.msg);
	}
	return 0;
}

int yb_local_reap(struct yb_local_child *c, int kill_it, int *status)
{
	int rc = -1;

	if (status)
		*status = 0;
	if (c->pid > 0) {
		if (kill_it)
			kill(c->pid, SIGTERM);
		rc = wait_child(c->pid, status);
		c->pid = -1;
	}
	/* Whatever a child killed before it could tidy up left behind. */
	remove_rendezvous(c->path, c->dir);
	return rc;
}

int yb_run_local(struct yb_session *s, const struct yb_transport *t,
		 const struct yb_sweep_opts *o, const struct yb_local_opts *lo,
		 struct yb_err *err)
{
	char key[128];
	struct yb_local_child srv;
	struct yb_ep conn;
	int rc, status;

	yb_ep_init(&conn, t);
	rc = yb_local_spawn(t, lo, &srv, err);
	if (rc)
		return rc;

	/* Pinned for this run only: the caller's CPUs come back at the end,
	 * so that what it runs next (pairs, probes) may use them all. */
	cpu_set_t saved;
	int have_saved = sched_getaffinity(0, sizeof(saved), &saved) == 0;
	if (lo->cpu_client >= 0) {
		rc = yb_pin_cpu(lo->cpu_client, err);
		if (rc)
			goto out_child;
	}
	rc = yb_ep_connect(&conn, srv.addr, lo->tp, 10000, err);
	if (rc)
		goto out_child;

	char prefix[128];
	yb_session_connected(s, &conn, prefix, sizeof(prefix));
	snprintf(key, sizeof(key), "transport.%s.address", t->name);
	yb_meta_set(&s->meta, key, "%s", srv.addr);
	struct yb_meta server;
	yb_meta_init(&server);
	rc = yb_sweep_run(&conn, t->name, o, &server, err);
	yb_session_progress_done(s);
	yb_session_counters(s, &conn, prefix, &server);
	const char *scpu = yb_meta_get(&server, "server.cpu");
	if (scpu) {
		snprintf(key, sizeof(key), "placement.%s.server_cpu", t->name);
		yb_meta_set_int(&s->meta, key, atoi(scpu));
	}
	snprintf(key, sizeof(key), "placement.%s.client_cpu", t->name);
	yb_meta_set_int(&s->meta, key, yb_current_cpu());
	yb_meta_free(&server);

out_child:
	if (have_saved)
		sched_setaffinity(0, sizeof(saved), &saved);
	yb_ep_close(&conn);
	if (yb_local_reap(&srv, rc != 0, &status) == 0 && rc == 0 &&
	    !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		rc = yb_err_set(err, YB_EPEER,
				"%s: the local server failed (%s %d)", t->name,
				WIFEXITED(status) ? "exit status" : "signal",
				WIFEXITED(status) ? WEXITSTATUS(status) :
						    WTERMSIG(status));
	return rc;
}
