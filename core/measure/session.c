/* session.c - output files, summary, progress and local runs; see session.h. */
#include "core/measure/session.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/base/stats.h"
#include "core/host/sysinfo.h"
#include "core/measure/serve.h"

static const struct yb_output_ops *const session_outputs[] = {
	&yb_output_csv,
	&yb_output_json,
};

static int mkdir_p(const char *dir, struct yb_err *err)
{
	char tmp[PATH_MAX];
	struct stat st;

	if (snprintf(tmp, sizeof(tmp), "%s", dir) >= (int)sizeof(tmp))
		return yb_err_set(err, YB_EOUTPUT, "output path too long");
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
			return yb_err_set(err, YB_EOUTPUT,
					  "cannot create output directory %s: "
					  "%s",
					  tmp, strerror(errno));
		*p = '/';
	}
	if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
		return yb_err_set(err, YB_EOUTPUT,
				  "cannot create output directory %s: %s", tmp,
				  strerror(errno));
	if (stat(tmp, &st) != 0 || !S_ISDIR(st.st_mode))
		return yb_err_set(err, YB_EOUTPUT,
				  "output path %s is not a directory", tmp);
	if (access(tmp, W_OK | X_OK) != 0)
		return yb_err_set(err, YB_EOUTPUT,
				  "output directory %s is not writable: %s",
				  tmp, strerror(errno));
	return 0;
}

int yb_session_precheck(const char *dir, int force, struct yb_err *err)
{
	char path[PATH_MAX + 64], up[PATH_MAX];
	struct stat st;

	if (!dir)
		dir = "yasmin-results";
	if (snprintf(up, sizeof(up), "%s", dir) >= (int)sizeof(up))
		return yb_err_set(err, YB_EOUTPUT, "output path too long");
	/* The nearest existing ancestor must be a writable directory. */
	while (stat(up, &st) != 0) {
		char *slash = strrchr(up, '/');
		if (!slash) {
			snprintf(up, sizeof(up), ".");
			continue;
		}
		if (slash == up)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	if (!S_ISDIR(st.st_mode))
		return yb_err_set(err, YB_EOUTPUT,
				  "cannot create output directory %s: %s is "
				  "not a directory",
				  dir, up);
	if (access(up, W_OK | X_OK) != 0)
		return yb_err_set(err, YB_EOUTPUT,
				  "cannot create output directory %s: %s: %s",
				  dir, up, strerror(errno));
	for (size_t i = 0; !force && i < YB_SESSION_MAX_OUTPUTS; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir,
			 session_outputs[i]->filename);
		if (access(path, F_OK) == 0)
			return yb_err_set(err, YB_EOUTPUT,
					  "%s already exists; use --force to "
					  "overwrite it or --out to choose "
					  "another directory",
					  path);
	}
	return 0;
}

int yb_session_open(struct yb_session *s, const char *dir, int force,
		    struct yb_err *err)
{
	char path[PATH_MAX + 64];
	int rc;

	memset(s, 0, sizeof(*s));
	yb_meta_init(&s->meta);
	yb_results_init(&s->results);
	if (dir) {
		snprintf(s->dir, sizeof(s->dir), "%s", dir);
	} else {
		time_t now = time(NULL);
		struct tm tm;
		char stamp[32];
		localtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
		snprintf(s->dir, sizeof(s->dir), "yasmin-results/%s", stamp);
	}
	rc = mkdir_p(s->dir, err);
	if (rc)
		goto fail;
	/* Refuse before measuring anything, and before creating any file. */
	rc = yb_session_precheck(s->dir, force, err);
	if (rc)
		goto fail;
	yb_sysinfo_meta(&s->meta, "");
	for (size_t i = 0; i < YB_SESSION_MAX_OUTPUTS; i++) {
		snprintf(path, sizeof(path), "%s/%s", s->dir,
			 session_outputs[i]->filename);
		rc = session_outputs[i]->open(&s->out[i], path, &s->meta, err);
		if (rc) {
			rc = yb_err_set(err, YB_EOUTPUT, "%s", err->msg);
			goto fail;
		}
		s->ops[i] = session_outputs[i];
		s->nout++;
	}
	return 0;
fail:
	yb_session_close(s, 0, NULL);
	return rc;
}

int yb_session_point(void *ctx, const struct yb_point *p, struct yb_err *err)
{
	struct yb_session *s = ctx;
	struct yb_point pt = *p;

	/* The engine knows nothing of rings; the session does. */
	pt.ring_bytes = s->cur.ring_bytes;
	memcpy(pt.wait, s->cur.wait, sizeof(pt.wait));
	if (!pt.pairs) {
		pt.pairs = s->cur.pairs ? s->cur.pairs : 1;
		pt.pair = s->cur.pairs ? s->cur.pair : 1;
	}
	if (yb_session_point_hook)
		yb_session_point_hook(&pt);
	p = &pt;
	int rc = yb_results_add(&s->results, p);

	if (rc)
		return yb_err_set(err, rc, "out of memory");
	for (size_t i = 0; i < s->nout; i++) {
		rc = s->ops[i]->point(s->out[i], p, err);
		if (rc)
			return yb_err_set(err, YB_EOUTPUT, "%s", err->msg);
	}
	return 0;
}

int yb_session_close(struct yb_session *s, int complete, struct yb_err *err)
{
	int rc = 0;

	for (size_t i = 0; i < s->nout; i++) {
		struct yb_err e;
		int r = s->ops[i]->finish(s->out[i], complete, &e);
		if (r && !rc)
			rc = yb_err_set(err, YB_EOUTPUT, "%s", e.msg);
	}
	s->nout = 0;
	yb_results_free(&s->results);
	yb_meta_free(&s->meta);
	return rc;
}

void yb_ring_settings(const struct yb_meta *describe, uint64_t *ring_bytes,
		      char *wait, size_t wait_len)
{
	const char *v = yb_meta_get(describe, "ring_bytes");

	*ring_bytes = v ? strtoull(v, NULL, 10) : 0;
	v = yb_meta_get(describe, "wait");
	snprintf(wait, wait_len, "%s", v ? v : "");
}

void yb_session_connected(struct yb_session *s, const struct yb_ep *ep,
			  char *prefix, size_t len)
{
	struct yb_meta d;

	yb_meta_init(&d);
	yb_ep_describe(ep, &d);
	yb_ring_settings(&d, &s->cur.ring_bytes, s->cur.wait,
			 sizeof(s->cur.wait));
	if (s->cur.ring_bytes) {
		char sz[32];
		yb_format_size(s->cur.ring_bytes, sz, sizeof(sz));
		snprintf(prefix, len, "transport.%s.%s-%s.", ep->t->name, sz,
			 s->cur.wait);
	} else {
		snprintf(prefix, len, "transport.%s.", ep->t->name);
	}
	yb_meta_merge(&s->meta, &d, prefix);
	yb_meta_free(&d);
}

static void print_counters(const char *who, const struct yb_meta *m,
			   const char *prefix)
{
	static const char *const keys[] = { "notify_sent", "notify_suppressed",
					    "sleeps", "spins" };
	static const char *const names[] = { "wake-ups sent", "suppressed",
					     "sleeps", "spins" };
	char key[256];

	printf("  %-6s", who);
	for (size_t i = 0; i < 4; i++) {
		snprintf(key, sizeof(key), "%s%s", prefix, keys[i]);
		const char *v = yb_meta_get(m, key);
		printf("  %s %s", names[i], v ? v : "-");
	}
	printf("\n");
}

void yb_session_counters(struct yb_session *s, const struct yb_ep *ep,
			 const char *prefix, const struct yb_meta *server_meta)
{
	char key[256];
	int any = 0;

	struct yb_meta c;
	yb_meta_init(&c);
	yb_ep_counters(ep, &c);
	snprintf(key, sizeof(key), "%scounters.client.", prefix);
	yb_meta_merge(&s->meta, &c, key);
	any = c.n > 0;
	yb_meta_free(&c);
	static const char sp[] = "server.counters.";
	for (size_t i = 0; server_meta && i < server_meta->n; i++) {
		const struct yb_meta_kv *kv = &server_meta->kv[i];
		if (strncmp(kv->key, sp, sizeof(sp) - 1) != 0)
			continue;
		snprintf(key, sizeof(key), "%scounters.server.%s", prefix,
			 kv->key + sizeof(sp) - 1);
		yb_meta_set(&s->meta, key, "%s", kv->value);
	}
	if (!s->stats || !any)
		return;
	yb_session_progress_done(s);
	char label[64];
	struct yb_point p = { .ring_bytes = s->cur.ring_bytes };
	snprintf(p.transport, sizeof(p.transport), "%s", ep->t->name);
	memcpy(p.wait, s->cur.wait, sizeof(p.wait));
	yb_point_label(&p, label, sizeof(label));
	printf("%s counters:\n", label);
	snprintf(key, sizeof(key), "%scounters.client.", prefix);
	print_counters("client", &s->meta, key);
	snprintf(key, sizeof(key), "%scounters.server.", prefix);
	print_counters("server", &s->meta, key);
}

void yb_session_progress(void *ctx, const struct yb_progress *p)
{
	struct yb_session *s = ctx;
	char size[32];

	if (!isatty(STDERR_FILENO))
		return;
	yb_format_size(p->bytes, size, sizeof(size));
	fprintf(stderr, "\r\033[K  %-6s %-8s %7s B   point %zu/%zu", p->label,
		yb_mode_name(p->mode), size, p->index + 1, p->count);
	fflush(stderr);
	s->progress_shown = 1;
}

void yb_session_progress_done(struct yb_session *s)
{
	if (s->progress_shown) {
		fprintf(stderr, "\r\033[K");
		fflush(stderr);
		s->progress_shown = 0;
	}
}

void yb_session_sweep_meta(struct yb_session *s, const struct yb_sweep_opts *o)
{
	struct yb_meta *m = &s->meta;

	yb_meta_set_int(m, "sweep.min_bytes", (long long)o->sched.min_bytes);
	yb_meta_set_int(m, "sweep.max_bytes", (long long)o->sched.max_bytes);
	yb_meta_set_int(m, "sweep.perturbation", o->sched.perturbation);
	yb_meta_set(m, "sweep.pow2_only", "%s",
		    o->sched.pow2_only ? "yes" : "no");
	yb_meta_set_num(m, "sweep.trial_time_s", o->trial_time_s);
	yb_meta_set_int(m, "sweep.trials", o->trials);
	yb_meta_set(m, "sweep.verify", "%s", o->verify ? "yes" : "no");
	yb_meta_set(m, "sweep.modes", "%s%s%s",
		    o->modes & YB_MODE_BIT(YB_MODE_PINGPONG) ? "pingpong" : "",
		    (o->modes & YB_MODE_BIT(YB_MODE_PINGPONG)) &&
				    (o->modes & YB_MODE_BIT(YB_MODE_STREAM)) ?
			    "," :
			    "",
		    o->modes & YB_MODE_BIT(YB_MODE_STREAM) ? "stream" : "");
	yb_meta_set(m, "sweep.latency", "%s",
		    "one-way = round trip / 2, over every round trip of the "
		    "recorded trials; percentiles by nearest rank");
	yb_meta_set(m, "sweep.bandwidth", "%s",
		    "stream: bytes over the receiver's time from its first "
		    "read to its last, the bytes of the first read (already "
		    "waiting) not counted, trials at least ten times what a "
		    "first read found; ping-pong: message size over "
		    "one-way latency; bw_gbps the best trial, bw_min_gbps and "
		    "bw_median_gbps over the trials");
	yb_meta_set(m, "sweep.cpu", "%s",
		    "CPU time (user + system) of each end over its own timed "
		    "windows, in percent of one core");
	yb_meta_set(m, "sweep.verify_method", "%s",
		    !o->verify ? "none" :
		    o->duration_s > 0 ?
				 "inline: the receiver checks every message "
				 "inside its timed window (soak)" :
				 "an untimed pass per point in which both ends "
				 "check every byte; timed trials carry no "
				 "checks");
	yb_meta_set_int(m, "stats.exact_samples_max", YB_SAMPLES_MAX);
	yb_meta_set(m, "stats.histogram", "%s",
		    "log-linear, 64 sub-buckets per power of two (a bucket is "
		    "at most 1/64 of its lower bound wide); percentiles come "
		    "from it only past stats.exact_samples_max samples");
}

int yb_clock_cost_warning(const struct yb_results *r, double read_ns,
			  char *buf, size_t len)
{
	double least = INFINITY;

	for (size_t i = 0; i < r->n; i++)
		if (r->p[i].mode == YB_MODE_PINGPONG &&
		    r->p[i].lat_min_us > 0 && r->p[i].lat_min_us < least)
			least = r->p[i].lat_min_us;
	if (!(read_ns > 0) || !isfinite(least) ||
	    read_ns <= 0.05 * least * 1000.0)
		return 0;
	snprintf(buf, len,
		 "reading the clock costs %.0f ns, %.0f%% of the smallest "
		 "one-way latency measured (%.3f us): every sample holds one "
		 "read, so small latencies are overstated",
		 read_ns, read_ns / (least * 1000.0) * 100.0, least);
	return 1;
}

int yb_clock_stall_warning(const struct yb_results *r, char *buf,
			   size_t len, uint64_t *stalled)
{
	uint64_t zero = 0, all = 0;
	size_t points = 0;

	for (size_t i = 0; i < r->n; i++) {
		const struct yb_point *p = &r->p[i];
		uint64_t z = 0;
		if (p->mode != YB_MODE_PINGPONG || !p->hist)
			continue;
		for (size_t b = 0; b < p->hist_n; b++) {
			all += p->hist[b].count;
			if (p->hist[b].high == 0)
				z += p->hist[b].count;
		}
		zero += z;
		points += z > 0;
	}
	*stalled = zero;
	if (!zero)
		return 0;
	snprintf(buf, len,
		 "%llu of %llu round trips (in %zu points) timed 0 ns: the "
		 "clock stood still over them, so those points' minimum and "
		 "percentiles are understated; this machine's clock cannot "
		 "time single messages",
		 (unsigned long long)zero, (unsigned long long)all, points);
	return 1;
}

/* ---- summary ---------------------------------------------------------- */

struct summary_row {
	char name[64];
	const struct yb_point *lat; /* smallest ping-pong message */
	const struct yb_point *bw;  /* peak bandwidth */
	int bw_stream;              /* bw is a stream row */
};

/* "12/100%": each end's CPU in percent of one core, "-" if unknown. */
static void cpu_text(const struct yb_point *p, char *buf, size_t len)
{
	if (!p || (isnan(p->cpu_client_pct) && isnan(p->cpu_server_pct))) {
		snprintf(buf, len, "-");
		return;
	}
	char c[16] = "-", s[16] = "-";
	if (!isnan(p->cpu_client_pct))
		snprintf(c, sizeof(c), "%.0f", p->cpu_client_pct);
	if (!isnan(p->cpu_server_pct))
		snprintf(s, sizeof(s), "%.0f", p->cpu_server_pct);
	snprintf(buf, len, "%s/%s%%", c, s);
}

void yb_summary_print(FILE *fp, const struct yb_results *r)
{
	struct summary_row *rows = calloc(r->n ? r->n : 1, sizeof(*rows));
	size_t n = 0;

	if (!rows) {
		fprintf(fp, "no summary: out of memory\n");
		return;
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct yb_point *p = &r->p[i];
		char label[64];
		size_t j;
		yb_point_label(p, label, sizeof(label));
		for (j = 0; j < n; j++)
			if (strcmp(rows[j].name, label) == 0)
				break;
		if (j == n) {
			memcpy(rows[n].name, label, sizeof(label));
			n++;
		}
		struct summary_row *s = &rows[j];
		if (p->mode == YB_MODE_PINGPONG && !isnan(p->lat_p50_us) &&
		    (!s->lat || p->bytes < s->lat->bytes))
			s->lat = p;
		/* Peak bandwidth is a stream's; a ping-pong sweep alone
		 * reports its own peak (both ways, NetPIPE's figure). */
		int stream = p->mode == YB_MODE_STREAM;
		if (isnan(p->bw_gbps) || (s->bw_stream && !stream))
			continue;
		if (!s->bw || (stream && !s->bw_stream) ||
		    p->bw_gbps > s->bw->bw_gbps) {
			s->bw = p;
			s->bw_stream = stream;
		}
	}
	if (n == 0) {
		fprintf(fp, "no results\n");
		free(rows);
		return;
	}
	const struct summary_row *tcp = NULL;
	int any_pp_peak = 0;
	for (size_t j = 0; j < n; j++) {
		if (strcmp(rows[j].name, "tcp") == 0)
			tcp = &rows[j];
		any_pp_peak |= rows[j].bw && !rows[j].bw_stream;
	}

	int w = 10;
	for (size_t j = 0; j < n; j++)
		if ((int)strlen(rows[j].name) > w)
			w = (int)strlen(rows[j].name);
	fprintf(fp, "%-*s %21s %9s %17s %9s %11s %10s\n", w, "transport",
		"one-way latency p50", "cpu c/s", "peak bandwidth", "cpu c/s",
		"lat vs tcp", "bw vs tcp");
	for (size_t j = 0; j < n; j++) {
		const struct summary_row *s = &rows[j];
		char lat[40] = "-", bw[40] = "-", lr[16] = "-", br[16] = "-";
		char lc[24], bc[24];
		if (s->lat)
			snprintf(lat, sizeof(lat), "%.3f us @ %llu B",
				 s->lat->lat_p50_us,
				 (unsigned long long)s->lat->bytes);
		if (s->bw)
			snprintf(bw, sizeof(bw), "%.3f Gbit/s%s",
				 s->bw->bw_gbps, s->bw_stream ? "" : "*");
		cpu_text(s->lat, lc, sizeof(lc));
		cpu_text(s->bw, bc, sizeof(bc));
		if (tcp && tcp->lat && s->lat && s->lat->lat_p50_us > 0)
			snprintf(lr, sizeof(lr), "%.2fx",
				 tcp->lat->lat_p50_us / s->lat->lat_p50_us);
		if (tcp && tcp->bw && s->bw && tcp->bw->bw_gbps > 0 &&
		    tcp->bw_stream == s->bw_stream)
			snprintf(br, sizeof(br), "%.2fx",
				 s->bw->bw_gbps / tcp->bw->bw_gbps);
		fprintf(fp, "%-*s %21s %9s %17s %9s %11s %10s\n", w, s->name,
			lat, lc, bw, bc, lr, br);
	}
	fprintf(fp, "(cpu c/s: client/server CPU time in %% of one core over "
		    "the timed trials");
	if (tcp)
		fprintf(fp, "; ratios to tcp: above 1.00x is better");
	fprintf(fp, ")\n");
	if (any_pp_peak)
		fprintf(fp, "(* no stream was measured: the ping-pong peak, "
			    "message size over one-way latency)\n");
	free(rows);
}

/* ---- both ends on this host ------------------------------------------- */

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
