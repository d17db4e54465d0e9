/*
 * cmd_ab.c - `yasmin-bench ab OLD NEW [RUN OPTIONS]`: a regression gate
 * that measures the baseline and the candidate alternately in one job.
 *
 * OLD and NEW are executables that accept `run` (two builds of
 * yasmin-bench, typically main and the candidate).  Round i runs both
 * with the same run options, OLD first in even rounds and NEW first in
 * odd ones (OLD NEW, NEW OLD, OLD NEW, ...), so that a drift of the
 * machine during the job - frequency, neighbours, the host moving a vCPU
 * - falls on both alike.  When the run options list several transports,
 * each is measured in a pair of runs of its own (the order alternating
 * from transport to transport too): OLD's and NEW's figures for it are
 * then a couple of seconds apart, not a whole run, and the machine's
 * state changes between them far less often (--whole-runs: one run a
 * side).  yb_compare_paired judges each curve by the
 * spread between runs, which on a shared machine is far larger than the
 * spread inside one run (see compare.h for its three tests, --method;
 * --rejudge applies them again to a kept gate).
 *
 * Everything stays under --out: runs/NN-old and runs/NN-new (-TRANSPORT
 * after them when each transport has runs of its own; each run's results
 * and its output), ab.json (the verdict, the rounds and the commands),
 * ab.csv (every round's change) and ab.png (the distribution of the
 * changes; `plot ab.json` draws it again).
 *
 * Exit status: 0 no regression, 1 regression (or NEW failed a run: a
 * candidate that cannot finish cannot be shown not to regress), 2 bad
 * input (ab's options, the executables, or run options OLD rejects), 3
 * output directory unusable or OLD failed a run, 130 interrupted.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/base/units.h"
#include "core/report/compare.h"
#include "core/report/plot.h"
#include "cmd/cmd.h"

#define AB_MAX_ROUNDS 200
#define AB_MIN_ROUNDS 6        /* the fewest for a bounded 95% interval */
#define AB_MAX_PIECES 16       /* transports measured in runs of their own */
#define AB_DEFAULT_BUDGET 170. /* seconds: a quick gate in under 3 min */

struct ab_args {
	const char *exe[2]; /* OLD, NEW as given */
	size_t nexe;
	unsigned rounds; /* 0: as many as fit in budget */
	double budget;   /* seconds */
	double tolerance;
	double confidence; /* percent */
	unsigned metrics;
	const char *relative;
	const char *out_dir;
	int force;
	int json;
	int no_plot;
	int method;          /* YB_AB_SIGN, YB_AB_SIGNRANK or YB_AB_RANKSUM */
	int whole;           /* every transport in one run a side */
	const char *rejudge; /* a kept gate's directory */
};

enum {
	OPT_ROUNDS = 400,
	OPT_BUDGET,
	OPT_TOL,
	OPT_CONF,
	OPT_METRIC,
	OPT_RELATIVE,
	OPT_OUT,
	OPT_FORCE,
	OPT_JSON,
	OPT_NO_PLOT,
	OPT_METHOD,
	OPT_WHOLE,
	OPT_REJUDGE
};

static const struct argp_option ab_options[] = {
	{ "rounds", OPT_ROUNDS, "N", 0,
	  "rounds of OLD's and NEW's runs (default: as many as fit "
	  "in --budget; at least 6 for a 95% interval)",
	  0 },
	{ "budget", OPT_BUDGET, "TIME", 0,
	  "without --rounds, run rounds in pairs until the next pair would "
	  "end after TIME, e.g. 170s or 5m (default 170 s; at least 6 "
	  "rounds whatever it takes)",
	  0 },
	{ "tolerance", OPT_TOL, "PCT", 0,
	  "a change smaller than PCT percent is never a regression "
	  "(default 5)",
	  0 },
	{ "confidence", OPT_CONF, "PCT", 0,
	  "level of the interval of each change (default 95); a regression "
	  "needs the whole interval above zero",
	  0 },
	{ "metric", OPT_METRIC, "LIST", 0,
	  "what to judge, comma-separated: latency (one-way p50), p99, "
	  "p99.9, bandwidth, or both (latency and bandwidth; the default)",
	  0 },
	{ "relative-to", OPT_RELATIVE, "TRANSPORT", 0,
	  "judge every curve by its ratio to TRANSPORT in the same run (so "
	  "that a drift of the host that moves both cancels; the gate then "
	  "makes whole runs), or to 'probes' (run options with --probe): "
	  "latency in cache-line trips, bandwidth over memcpy's",
	  0 },
	{ "out", OPT_OUT, "DIR", 0,
	  "keep every run and the verdict in DIR (default "
	  "yasmin-results/ab-DATE-TIME)",
	  0 },
	{ "force", OPT_FORCE, 0, 0, "overwrite an earlier gate's files in DIR",
	  0 },
	{ "json", OPT_JSON, 0, 0, "print the verdict as JSON", 0 },
	{ "no-plot", OPT_NO_PLOT, 0, 0, "do not draw ab.png", 0 },
	{ "method", OPT_METHOD, "TEST", 0,
	  "sign (default: the median of the rounds' changes; a wild round "
	  "is one vote however far off), signed-rank (the rounds' changes "
	  "weighed by size) or rank-sum (every run a sample, unpaired)",
	  0 },
	{ "whole-runs", OPT_WHOLE, 0, 0,
	  "measure all of --transports in one run a side per round "
	  "(default: each transport in a pair of runs of its own, OLD's and "
	  "NEW's back to back, so that the two are seconds apart, not a "
	  "whole run)",
	  0 },
	{ "rejudge", OPT_REJUDGE, "DIR", 0,
	  "judge the runs an earlier gate kept in DIR again, with these "
	  "options (no OLD and NEW; nothing is run or written)",
	  0 },
	{ 0 }
};

static error_t ab_parse(int key, char *arg, struct argp_state *state)
{
	struct ab_args *a = state->input;
	char *end;

	switch (key) {
	case OPT_ROUNDS: {
		unsigned long v;
		errno = 0;
		v = strtoul(arg, &end, 10);
		if (errno || end == arg || *end || *arg == '-' || v < 1 ||
		    v > AB_MAX_ROUNDS)
			cmd_usage_error(state, "bad --rounds '%s': expected 1 "
					       "to %d",
					arg, AB_MAX_ROUNDS);
		a->rounds = (unsigned)v;
		break;
	}
	case OPT_BUDGET:
		if (yb_parse_seconds(arg, 7 * 86400.0, &a->budget) ||
		    a->budget <= 0)
			cmd_usage_error(state, "bad --budget '%s': expected a "
					       "time such as 170s or 5m, at "
					       "most a week",
					arg);
		break;
	case OPT_TOL:
		a->tolerance = cmd_parse_tolerance(state, arg);
		break;
	case OPT_CONF:
		a->confidence = cmd_parse_confidence(state, arg);
		break;
	case OPT_METRIC:
		a->metrics = cmd_parse_metrics(state, arg);
		break;
	case OPT_RELATIVE:
		a->relative = cmd_parse_relative(state, arg);
		break;
	case OPT_OUT:
		if (!*arg)
			cmd_usage_error(state, "--out is empty");
		a->out_dir = arg;
		break;
	case OPT_FORCE:
		a->force = 1;
		break;
	case OPT_JSON:
		a->json = 1;
		break;
	case OPT_NO_PLOT:
		a->no_plot = 1;
		break;
	case OPT_METHOD:
		a->method = yb_ab_method_parse(arg);
		if (a->method < 0)
			cmd_usage_error(state, "bad --method '%s': expected "
					       "sign, signed-rank or rank-sum",
					arg);
		break;
	case OPT_WHOLE:
		a->whole = 1;
		break;
	case OPT_REJUDGE:
		if (!*arg)
			cmd_usage_error(state, "--rejudge is empty");
		a->rejudge = arg;
		break;
	case ARGP_KEY_ARG:
		if (a->rejudge)
			cmd_usage_error(state, "--rejudge takes no OLD and NEW");
		if (a->nexe == 2)
			cmd_usage_error(state, "unexpected argument '%s'", arg);
		if (!*arg)
			cmd_usage_error(state, "an empty executable name");
		a->exe[a->nexe++] = arg;
		break;
	case ARGP_KEY_END:
		if (a->rejudge && a->nexe)
			cmd_usage_error(state, "--rejudge takes no OLD and NEW");
		if (!a->rejudge && a->nexe != 2)
			cmd_usage_error(state, "expected OLD and NEW executables "
					       "(two builds of yasmin-bench)");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* Does this argument name one of ab's own options?  Its value count. */
static int ab_option(const char *arg, int *takes_value)
{
	if (strncmp(arg, "--", 2) != 0)
		return 0;
	const char *name = arg + 2;
	size_t len = strcspn(name, "=");
	for (const struct argp_option *o = ab_options; o->name; o++) {
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0) {
			*takes_value = o->arg && name[len] != '=';
			return 1;
		}
	}
	static const char *const help[] = { "help", "usage", "version" };
	for (size_t i = 0; i < 3; i++)
		if (strlen(help[i]) == len && strncmp(help[i], name, len) == 0) {
			*takes_value = 0;
			return 1;
		}
	return 0;
}

/*
 * argv splits into ab's own options with OLD and NEW (for argp), and the
 * run options: every other argument after OLD and NEW, in order.  Before
 * OLD and NEW, an option that is not ab's is an error: its value could
 * not be told from OLD.
 */
static void split_args(int argc, char **argv, char **abv, int *abc,
		       char **runv, int *runc)
{
	int positional = 0;

	*abc = 0;
	*runc = 0;
	abv[(*abc)++] = argv[0];
	for (int i = 1; i < argc; i++) {
		int val = 0;
		if (strcmp(argv[i], "--") == 0 && positional == 2) {
			continue; /* an optional separator before run options */
		} else if (ab_option(argv[i], &val) ||
			   (argv[i][0] == '-' && argv[i][1] == 'h' &&
			    !argv[i][2]) ||
			   (argv[i][0] == '-' && argv[i][1] == '?') ||
			   strcmp(argv[i], "-V") == 0) {
			abv[(*abc)++] = argv[i];
			if (val && i + 1 < argc)
				abv[(*abc)++] = argv[++i];
		} else if (positional < 2 && argv[i][0] != '-') {
			abv[(*abc)++] = argv[i];
			positional++;
		} else if (positional < 2) {
			fprintf(stderr,
				"yasmin-bench ab: '%s' before OLD and NEW: run "
				"options go after the two executables\n",
				argv[i]);
			exit(YB_EXIT_USAGE);
		} else {
			runv[(*runc)++] = argv[i];
		}
	}
	abv[*abc] = NULL;
	runv[*runc] = NULL;
}

/* An executable by path, or found on PATH; its absolute path in out. */
static int resolve_exe(const char *name, char *out, size_t len,
		       struct yb_err *err)
{
	char cand[PATH_MAX];

	if (strchr(name, '/')) {
		if (access(name, X_OK) != 0)
			return yb_err_sys(err, errno, "%s", name);
		if (!realpath(name, cand))
			return yb_err_sys(err, errno, "%s", name);
	} else {
		const char *path = getenv("PATH");
		int found = 0;
		for (const char *p = path ? path : "/usr/bin:/bin"; *p && !found;) {
			size_t n = strcspn(p, ":");
			snprintf(cand, sizeof(cand), "%.*s/%s", (int)n, p, name);
			found = access(cand, X_OK) == 0;
			p += n + (p[n] == ':');
		}
		if (!found)
			return yb_err_set(err, YB_EINVAL,
					  "%s: not found on PATH", name);
		char real[PATH_MAX];
		if (realpath(cand, real))
			snprintf(cand, sizeof(cand), "%s", real);
	}
	struct stat st;
	if (stat(cand, &st) != 0 || !S_ISREG(st.st_mode))
		return yb_err_set(err, YB_EINVAL, "%s: not an executable file",
				  name);
	snprintf(out, len, "%s", cand);
	return 0;
}

struct ab_run {
	char dir[PATH_MAX];
	char piece[64]; /* the transport measured alone in this run, or "" */
	double start;   /* seconds since the gate began */
	double seconds;
	int status; /* exit status, or 128 + signal */
};

/*
 * Each transport of the run options' list (--transports LIST, -t LIST
 * and their joined forms) measured in runs of its own: piece j's options
 * are the run options with the list replaced by its j-th transport.
 * One piece, the run options as they are, when they name no list (the
 * run's default is every transport available here) or with --whole-runs.
 */
struct ab_pieces {
	unsigned n;
	char name[AB_MAX_PIECES][64]; /* "" for the one whole piece */
	char arg[AB_MAX_PIECES][128]; /* the argument naming it */
	char **runv[AB_MAX_PIECES];
};

static int split_pieces(char **runv, int runc, int whole,
			struct ab_pieces *pc, struct yb_err *err)
{
	int at = -1;
	size_t off = 0;

	memset(pc, 0, sizeof(*pc));
	for (int i = 0; i < runc && !whole; i++) {
		const char *v = runv[i];
		if (strcmp(v, "--transports") == 0 || strcmp(v, "-t") == 0) {
			if (i + 1 < runc)
				at = i + 1, off = 0;
			i++;
		} else if (strncmp(v, "--transports=", 13) == 0) {
			at = i, off = 13;
		} else if (strncmp(v, "-t", 2) == 0 && v[2]) {
			at = i, off = 2;
		}
	}
	pc->n = 1;
	pc->runv[0] = runv;
	if (at < 0)
		return 0;
	const char *list = runv[at] + off;
	unsigned n = 0;
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");
		if (len == 0 || len >= sizeof(pc->name[0]) ||
		    off + len >= sizeof(pc->arg[0]))
			return yb_err_set(err, YB_EUSAGE,
					  "--transports '%s': a transport's "
					  "name is empty or too long",
					  list);
		if (n == AB_MAX_PIECES)
			return yb_err_set(err, YB_EUSAGE,
					  "--transports '%s': more than %d; "
					  "pass --whole-runs to measure them "
					  "together",
					  list, AB_MAX_PIECES);
		snprintf(pc->name[n], sizeof(pc->name[n]), "%.*s", (int)len,
			 p);
		snprintf(pc->arg[n], sizeof(pc->arg[n]), "%.*s%s", (int)off,
			 runv[at], pc->name[n]);
		n++;
		p += len + (p[len] == ',');
	}
	if (n < 2) {
		pc->name[0][0] = '\0'; /* one: the run options as they are */
		return 0;
	}
	pc->n = n;
	for (unsigned j = 0; j < n; j++) {
		pc->runv[j] = calloc((size_t)runc + 1, sizeof(char *));
		if (!pc->runv[j]) {
			for (unsigned k = 0; k < j; k++)
				free(pc->runv[k]);
			pc->n = 0;
			return yb_err_set(err, YB_ENOMEM, "out of memory");
		}
		memcpy(pc->runv[j], runv, (size_t)runc * sizeof(char *));
		pc->runv[j][at] = pc->arg[j];
	}
	return 0;
}

static void free_pieces(struct ab_pieces *pc)
{
	for (unsigned j = 0; pc->n > 1 && j < pc->n; j++)
		free(pc->runv[j]);
}

/* "-NAME" for a run's directory ("" for the whole piece); [A-Za-z0-9._+] kept. */
static void piece_suffix(const char *name, char *out, size_t len)
{
	size_t k = 0;
	if (!*name) {
		out[0] = '\0';
		return;
	}
	out[k++] = '-';
	for (const char *p = name; *p && k + 1 < len; p++)
		out[k++] = (isalnum((unsigned char)*p) || *p == '.' ||
			    *p == '+') ?
				   *p :
				   '_';
	out[k] = '\0';
}

static uint64_t ab_t0; /* when the gate began */

/* The last line of a file that says something (a run's error). */
static void last_line(const char *path, char *buf, size_t len)
{
	FILE *fp = fopen(path, "r");
	char line[512];

	buf[0] = '\0';
	while (fp && fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\n")] = '\0';
		if (*line)
			snprintf(buf, len, "%s", line);
	}
	if (fp)
		fclose(fp);
}

/*
 * One run: exe run --no-plot --out dir [--force] runv..., its output in
 * dir.log.  Returns 0 with r filled, or the errno of a failed fork.
 */
static int one_run(const char *exe, char *const *runv, int runc, int force,
		   struct ab_run *r)
{
	char log[PATH_MAX + 8];
	char *argv[16 + 256];
	int n = 0;

	snprintf(log, sizeof(log), "%s.log", r->dir);
	argv[n++] = (char *)exe;
	argv[n++] = "run";
	argv[n++] = "--no-plot";
	argv[n++] = "--out";
	argv[n++] = r->dir;
	if (force)
		argv[n++] = "--force";
	for (int i = 0; i < runc && n < (int)(sizeof(argv) / sizeof(argv[0])) - 1; i++)
		argv[n++] = runv[i];
	argv[n] = NULL;
	fflush(NULL);
	uint64_t t0 = yb_now();
	r->start = (double)(t0 - ab_t0) / 1e9;
	pid_t pid = fork();
	if (pid < 0)
		return errno;
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			      0644);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execv(exe, argv);
		fprintf(stderr, "yasmin-bench ab: cannot run %s: %s\n", exe,
			strerror(errno));
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			break;
		if (cmd_stop)
			kill(pid, SIGINT);
	}
	r->seconds = (double)(yb_now() - t0) / 1e9;
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) :
		    WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 1;
	return 0;
}

/* The output directory: a fresh one, or one whose gate files may go. */
static int prepare_out(const struct ab_args *a, const char *dir,
		       struct yb_err *err)
{
	char path[PATH_MAX + 16];
	struct stat st;

	if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
		return yb_err_set(err, YB_EEXIST, "%s is not a directory", dir);
	snprintf(path, sizeof(path), "%s/ab.json", dir);
	if (!a->force && stat(path, &st) == 0)
		return yb_err_set(err, YB_EEXIST,
				  "%s already holds a gate (ab.json); pass "
				  "--force to overwrite it, or another --out",
				  dir);
	snprintf(path, sizeof(path), "%s/runs", dir);
	if (!a->force && stat(path, &st) == 0)
		return yb_err_set(err, YB_EEXIST,
				  "%s already holds runs/; pass --force to "
				  "overwrite them, or another --out",
				  dir);
	/* mkdir -p */
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof(tmp), "%s", dir);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
			return yb_err_sys(err, errno, "cannot create %s", tmp);
		*p = '/';
	}
	if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
		return yb_err_sys(err, errno, "cannot create %s", tmp);
	if (mkdir(path, 0777) != 0 && errno != EEXIST)
		return yb_err_sys(err, errno, "cannot create %s", path);
	return 0;
}

static int write_csv(const char *path, const struct yb_cmp *c,
		     struct yb_err *err)
{
	FILE *fp = fopen(path, "w");

	if (!fp)
		return yb_err_sys(err, errno, "cannot write %s", path);
	fprintf(fp, "curve,metric,round,first,change_pct\n");
	for (size_t i = 0; i < c->n; i++)
		for (size_t k = 0; k < c->rows[i].rounds; k++)
			fprintf(fp, "%s,%s,%zu,%s,%.4f\n", c->rows[i].curve,
				yb_metric_name(c->rows[i].metric), k + 1,
				k % 2 ? "new" : "old", c->rows[i].round_pct[k]);
	if (fclose(fp) != 0)
		return yb_err_sys(err, errno, "cannot write %s", path);
	return 0;
}

static int write_json(const char *path, const struct ab_args *a,
		      char exe[2][PATH_MAX], char *const *runv, int runc,
		      const struct ab_run *runs, unsigned rounds, unsigned np,
		      const struct yb_cmp *c, struct yb_err *err)
{
	json_t *opts = json_array(), *jr = json_array();

	for (int i = 0; i < runc; i++)
		json_array_append_new(opts, json_string(runv[i]));
	/* Round by round, transport by transport: OLD's run, then NEW's. */
	for (unsigned i = 0; i < 2 * rounds * np; i++) {
		const char *d = strstr(runs[i].dir, "/runs/");
		json_t *e = json_pack("{s:i, s:s, s:s, s:f, s:f, s:i}", "round",
				      (int)(i / (2 * np) + 1), "side",
				      i % 2 ? "new" : "old", "dir",
				      d ? d + 1 : runs[i].dir, "started_s",
				      runs[i].start, "seconds",
				      runs[i].seconds, "exit", runs[i].status);
		if (runs[i].piece[0])
			json_object_set_new(e, "transport",
					    json_string(runs[i].piece));
		json_array_append_new(jr, e);
	}
	json_t *o = json_pack("{s:s, s:i, s:s, s:s, s:o, s:i, s:o, s:o}",
			      "format", "yasmin-bench-ab", "format_version", 1,
			      "old", exe[0], "new", exe[1], "run_options",
			      opts, "rounds", (int)rounds, "runs", jr,
			      "verdict",
			      yb_cmp_to_json(c, a->tolerance, a->relative));
	int rc = json_dump_file(o, path, JSON_INDENT(2)) ?
			 yb_err_set(err, YB_EIO, "cannot write %s", path) :
			 0;
	json_decref(o);
	return rc;
}

/*
 * One side's results of one round: its pieces' runs (run[j] for piece j,
 * stride apart in the runs array), read and put together in order, each
 * over its own probes' floors with --relative-to probes, and relative to
 * the reference transport with --relative-to TRANSPORT.  res is
 * initialised by the caller; 0 or an error in err.
 */
static int read_side(const struct ab_args *a, const struct ab_run *run,
		     size_t stride, unsigned np, struct yb_results *res,
		     struct yb_err *err)
{
	int probes = a->relative &&
		     strcmp(a->relative, YB_RELATIVE_PROBES) == 0;
	int rc = 0;

	for (unsigned j = 0; j < np && !rc; j++) {
		char path[PATH_MAX + 32];
		struct yb_results one;
		yb_results_init(&one);
		snprintf(path, sizeof(path), "%s/results.csv",
			 run[j * stride].dir);
		rc = yb_plot_read(path, &one, err);
		/* Each run over its own probes' floors. */
		if (!rc && probes) {
			struct yb_results rel;
			rc = yb_results_relative(&one, a->relative, &rel, err);
			if (!rc) {
				yb_results_free(&one);
				one = rel;
			}
		}
		if (!rc && j == 0) {
			yb_results_free(res);
			*res = one; /* its metadata too */
			continue;
		}
		for (size_t k = 0; !rc && k < one.n; k++)
			if (yb_results_add(res, &one.p[k]))
				rc = yb_err_set(err, YB_ENOMEM,
						"out of memory");
		yb_results_free(&one);
	}
	if (!rc && a->relative && !probes) {
		struct yb_results rel;
		rc = yb_results_relative(res, a->relative, &rel, err);
		if (!rc) {
			yb_results_free(res);
			*res = rel;
		}
	}
	return rc;
}

/*
 * Every round read (res[2 r] OLD's, res[2 r + 1] NEW's, both already
 * initialised) and judged into c; 0 or an error in err.
 */
static int judge_rounds(const struct ab_args *a, const struct ab_run *runs,
			unsigned np, struct yb_results *res,
			const struct yb_results **old,
			const struct yb_results **new_, struct yb_cmp *c,
			struct yb_err *err)
{
	int probes = a->relative &&
		     strcmp(a->relative, YB_RELATIVE_PROBES) == 0;
	int rc = 0;

	/* A ratio to another transport is taken within one run: a kept
	 * gate of runs per transport has none to take it in. */
	if (a->relative && !probes && np > 1)
		return yb_err_set(err, YB_EINVAL,
				  "--relative-to %s: this gate measured each "
				  "transport in runs of its own; a ratio to "
				  "another transport needs a gate of whole "
				  "runs (--whole-runs)",
				  a->relative);
	/* i = 2 r + side: the side's pieces of round r, in order. */
	for (unsigned i = 0; i < 2 * a->rounds && !rc; i++)
		rc = read_side(a, &runs[2 * (i / 2) * np + i % 2], 2, np,
			       &res[i], err);
	for (unsigned i = 0; i < a->rounds && !rc; i++) {
		old[i] = &res[2 * i];
		new_[i] = &res[2 * i + 1];
		if (yb_results_verified(old[i]) != yb_results_verified(new_[i]))
			rc = yb_err_set(err, YB_EINVAL,
					"round %u: OLD and NEW disagree on "
					"--verify (different builds' "
					"defaults?)",
					i + 1);
	}
	if (!rc)
		rc = yb_compare_paired(old, new_, a->rounds, a->metrics,
				       a->tolerance, a->confidence / 100,
				       a->method, c, err);
	return rc;
}

/* The verdict on stdout; with write, ab.png drawn and the files named. */
static void print_verdict(const struct ab_args *a, const char *dir,
			  const struct yb_cmp *c, int write)
{
	struct yb_err err = { 0 };

	if (a->json)
		cmd_cmp_print_json(c, a->tolerance, a->relative);
	else
		cmd_cmp_print(c, a->tolerance, a->relative);
	if (!a->no_plot && write) {
		struct yb_plot_opts po = { .out_dir = dir,
					   .formats = YB_PLOT_PNG,
					   .force = 1 };
		int written = 0;
		if (yb_plot_ab(c, a->tolerance, &po, &written, &err))
			fprintf(stderr, "yasmin-bench ab: no graph: %s\n",
				err.msg);
	}
	if (!a->json && write)
		printf("files: %s/ab.json, ab.csv%s, runs/\n", dir,
		       a->no_plot ? "" : ", ab.png");
}

/*
 * Read every run of the gate (runs[2 (r np + j)] OLD's and runs[2 (r np +
 * j) + 1] NEW's in round r for piece j of np, for a->rounds rounds; a
 * side's pieces of one round make one set of results), judge, print the
 * verdict; with write, keep ab.json, ab.csv and ab.png in dir.  Returns
 * the exit status.
 */
static int judge(const struct ab_args *ap, const char *dir,
		 char exe[2][PATH_MAX], char **runv, int runc,
		 const struct ab_run *runs, unsigned np, int write)
{
	struct ab_args a = *ap;
	struct yb_err err = { 0 };
	struct yb_cmp c = { 0 };
	int status = 0;

	struct yb_results *res = calloc(2 * (size_t)a.rounds, sizeof(*res));
	const struct yb_results **old = calloc(a.rounds, sizeof(*old));
	const struct yb_results **new_ = calloc(a.rounds, sizeof(*new_));
	int rc = !res || !old || !new_ ?
			 yb_err_set(&err, YB_ENOMEM, "out of memory") :
			 0;
	for (unsigned i = 0; res && i < 2 * a.rounds; i++)
		yb_results_init(&res[i]);
	if (!rc)
		rc = judge_rounds(&a, runs, np, res, old, new_, &c, &err);
	char path[PATH_MAX + 16];
	if (!rc && write) {
		snprintf(path, sizeof(path), "%s/ab.csv", dir);
		rc = write_csv(path, &c, &err);
	}
	if (!rc && write) {
		snprintf(path, sizeof(path), "%s/ab.json", dir);
		rc = write_json(path, &a, exe, runv, runc, runs, a.rounds, np,
				&c, &err);
	}
	if (rc) {
		fprintf(stderr, "yasmin-bench ab: %s\n", err.msg);
		status = rc == YB_EINVAL ? YB_EXIT_USAGE : YB_EXIT_OUTPUT;
	} else {
		print_verdict(&a, dir, &c, write);
		status = c.regressed ? 1 : 0;
	}
	yb_cmp_free(&c);
	for (unsigned i = 0; res && i < 2 * a.rounds; i++)
		yb_results_free(&res[i]);
	free(res);
	free(old);
	free(new_);
	return status;
}

static int gate(const struct ab_args *ap, char **runv, int runc);

/*
 * --rejudge DIR: the runs listed in DIR/ab.json, judged again with the
 * options given (method, tolerance, confidence, metrics, relative-to).
 */
static int rejudge(const struct ab_args *ap)
{
	struct ab_args a = *ap;
	char path[PATH_MAX + 16];
	json_error_t je;
	char exe[2][PATH_MAX] = { "", "" };

	snprintf(path, sizeof(path), "%s/ab.json", a.rejudge);
	json_t *o = json_load_file(path, 0, &je);
	const char *f = json_string_value(json_object_get(o, "format"));
	json_t *jr = json_object_get(o, "runs");
	size_t n = json_array_size(jr);
	if (!o || !f || strcmp(f, "yasmin-bench-ab") != 0 || n < 2 || n % 2 ||
	    n > 2 * AB_MAX_ROUNDS * AB_MAX_PIECES) {
		fprintf(stderr, "yasmin-bench ab: %s: not the ab.json of a "
				"gate with whole rounds\n",
			path);
		json_decref(o);
		return YB_EXIT_USAGE;
	}
	/* Pieces: the runs of round 1, two each (OLD's and NEW's). */
	size_t np = 0;
	while (2 * np < n &&
	       json_integer_value(json_object_get(json_array_get(jr, 2 * np),
						  "round")) == 1)
		np++;
	struct ab_run *runs = calloc(n, sizeof(*runs));
	int status = runs ? 0 : YB_EXIT_FAIL;
	if (!status && (np == 0 || np > AB_MAX_PIECES || n % (2 * np))) {
		fprintf(stderr, "yasmin-bench ab: %s: rounds of unequal "
				"runs\n",
			path);
		status = YB_EXIT_USAGE;
	}
	for (size_t i = 0; i < n && !status; i++) {
		json_t *r = json_array_get(jr, i);
		const char *d = json_string_value(json_object_get(r, "dir"));
		const char *side = json_string_value(json_object_get(r, "side"));
		json_int_t round = json_integer_value(json_object_get(r, "round"));
		if (!d || !side || strcmp(side, i % 2 ? "new" : "old") != 0 ||
		    round != (json_int_t)(i / (2 * np) + 1) || strstr(d, "..")) {
			fprintf(stderr, "yasmin-bench ab: %s: run %zu is not "
					"listed round by round as old, new, "
					"old, new, ...\n",
				path, i + 1);
			status = YB_EXIT_USAGE;
			break;
		}
		snprintf(runs[i].dir, sizeof(runs[i].dir), "%s/%s", a.rejudge,
			 d);
	}
	json_decref(o);
	a.rounds = (unsigned)(n / (2 * (np ? np : 1)));
	if (!status)
		status = judge(&a, a.rejudge, exe, NULL, 0, runs,
			       (unsigned)np, 0);
	free(runs);
	return status;
}

int cmd_ab(int argc, char **argv)
{
	static const struct argp argp = {
		ab_options, ab_parse, "OLD NEW [RUN OPTIONS...]",
		"A regression gate: run OLD and NEW (two yasmin-bench "
		"executables, e.g. the main branch's build and the "
		"candidate's) alternately with the same run options, OLD NEW, "
		"NEW OLD, ..., and judge each curve's change from the spread "
		"between rounds.  Every option that is not ab's own goes to "
		"`run`, e.g. --transports unix,tcp,shm --mode pingpong --quick "
		"--max-bytes 64K.\v"
		"A curve regresses when the estimated change exceeds "
		"--tolerance and its whole interval (at --confidence) is above "
		"zero.  A round's change is the median over the sizes of "
		"NEW's figure over OLD's.  sign (the default): the change is "
		"the median of the rounds' changes, its interval from the "
		"sign test; a round a disturbance threw off is one vote "
		"however far off.  signed-rank: the Hodges-Lehmann estimate of "
		"the rounds' changes with the Wilcoxon interval.  rank-sum: "
		"every run is a sample (its level over the sizes), the change "
		"is the Hodges-Lehmann shift between the two sides with its "
		"Mann-Whitney interval.\n"
		"Exit status: 0 no regression, 1 regression or NEW failed a "
		"run, 2 bad input, 3 output unusable or OLD failed a run, "
		"130 interrupted.",
		0, 0, 0
	};
	struct ab_args a = { .budget = AB_DEFAULT_BUDGET,
			     .method = YB_AB_SIGN,
			     .tolerance = 5,
			     .confidence = 95,
			     .metrics = YB_METRIC_LATENCY | YB_METRIC_BANDWIDTH };
	char **abv = calloc((size_t)argc + 1, sizeof(char *));
	char **runv = calloc((size_t)argc + 1, sizeof(char *));
	int abc, runc, status;

	if (!abv || !runv) {
		free(abv);
		free(runv);
		return cmd_fail(YB_ENOMEM, "out of memory");
	}
	split_args(argc, argv, abv, &abc, runv, &runc);
	argp_parse(&argp, abc, abv, 0, 0, &a);
	if (runc > 256)
		status = cmd_fail(YB_EUSAGE, "ab: more than 256 run options");
	else if (a.rejudge)
		status = rejudge(&a);
	else
		status = gate(&a, runv, runc);
	free(abv);
	free(runv);
	return status;
}

/*
 * Before the first run: OLD and NEW found (their absolute paths in exe),
 * the output directory named (dir) and made ready, gnuplot there if
 * graphs are wanted.  0, or the exit status of the failure (said).
 */
static int gate_prepare(const struct ab_args *a, char exe[2][PATH_MAX],
			char dir[PATH_MAX])
{
	struct yb_err err = { 0 };

	for (int i = 0; i < 2; i++)
		if (resolve_exe(a->exe[i], exe[i], PATH_MAX, &err)) {
			fprintf(stderr, "yasmin-bench ab: %s %s\n",
				i ? "NEW" : "OLD", err.msg);
			return YB_EXIT_USAGE;
		}
	if (a->out_dir) {
		snprintf(dir, PATH_MAX, "%s", a->out_dir);
	} else {
		time_t now = time(NULL);
		struct tm tm;
		localtime_r(&now, &tm);
		strftime(dir, PATH_MAX, "yasmin-results/ab-%Y%m%d-%H%M%S",
			 &tm);
	}
	if (prepare_out(a, dir, &err)) {
		fprintf(stderr, "yasmin-bench ab: %s\n", err.msg);
		return YB_EXIT_OUTPUT;
	}
	if (!a->no_plot && yb_plot_available(&err) != 0) {
		fprintf(stderr, "yasmin-bench ab: %s (or pass --no-plot)\n",
			err.msg);
		return YB_EXIT_USAGE;
	}
	return 0;
}

/* A gate under way: what every round's runs need. */
struct gate {
	const struct ab_args *a;
	char exe[2][PATH_MAX];
	char dir[PATH_MAX];
	struct ab_pieces pc;
	/* Each piece's part of its runs' directory names, told apart. */
	char suffix[AB_MAX_PIECES][80];
	int runc;
	int width; /* digits of a round's number in the names */
	struct ab_run *runs;
	FILE *info; /* progress: stdout, or stderr with --json */
};

static void piece_suffixes(struct gate *g)
{
	for (unsigned j = 0; j < g->pc.n; j++) {
		piece_suffix(g->pc.name[j], g->suffix[j], sizeof(g->suffix[j]));
		for (unsigned k = 0; k < j; k++)
			if (strcmp(g->suffix[k], g->suffix[j]) == 0) {
				size_t l = strlen(g->suffix[j]);
				snprintf(g->suffix[j] + l,
					 sizeof(g->suffix[j]) - l, "-%u",
					 j + 1);
				break;
			}
	}
}

/* What the gate will do, before its first run. */
static void gate_announce(const struct gate *g)
{
	const struct ab_args *a = g->a;

	if (a->rounds)
		fprintf(g->info, "yasmin-bench ab: %u rounds of %s and %s -> "
				 "%s/\n",
			a->rounds, g->exe[0], g->exe[1], g->dir);
	else
		fprintf(g->info, "yasmin-bench ab: rounds of %s and %s for "
				 "%.0f s (--budget) -> %s/\n",
			g->exe[0], g->exe[1], a->budget, g->dir);
	if (g->pc.n > 1) {
		fprintf(g->info,
			"each transport in a pair of runs of its own:");
		for (unsigned j = 0; j < g->pc.n; j++)
			fprintf(g->info, "%s %s", j ? "," : "", g->pc.name[j]);
		fprintf(g->info, " (--whole-runs: one run a side)\n");
	}
}

/* A run that failed: which, and its last line of output. */
static int run_failed(const struct ab_run *run, int side, unsigned r)
{
	char line[512], log[PATH_MAX + 8];

	snprintf(log, sizeof(log), "%s.log", run->dir);
	last_line(log, line, sizeof(line));
	fprintf(stderr,
		"yasmin-bench ab: %s failed in round %u%s%s (exit %d): %s\n",
		side ? "NEW" : "OLD", r + 1, *run->piece ? " over " : "",
		run->piece, run->status, *line ? line : "no output");
	if (!side && run->status == YB_EXIT_USAGE)
		return YB_EXIT_USAGE;
	return side ? 1 : YB_EXIT_OUTPUT;
}

/*
 * Round r: each piece's two runs back to back, OLD NEW or NEW OLD,
 * alternating from piece to piece and from round to round: runs[2 (r np
 * + j)] is OLD's, runs[2 (r np + j) + 1] NEW's.  took[side] adds up each
 * side's seconds.  0, or the exit status that ends the gate.
 */
static int gate_round(struct gate *g, unsigned r, double took[2])
{
	unsigned np = g->pc.n;

	for (unsigned j = 0; j < np; j++)
	for (int k = 0; k < 2; k++) {
		int side = ((r + j) % 2) ? 1 - k : k;
		struct ab_run *run =
			&g->runs[2 * (r * np + j) + (unsigned)side];
		snprintf(run->dir, sizeof(run->dir), "%s/runs/%0*u-%s%s",
			 g->dir, g->width, r + 1, side ? "new" : "old",
			 g->suffix[j]);
		snprintf(run->piece, sizeof(run->piece), "%s", g->pc.name[j]);
		/* A stop between two runs leaves this piece's loop, and each
		 * later piece leaves at once; the round still counts as done
		 * (judging then finds its runs missing). */
		if (cmd_stop)
			break;
		int e = one_run(g->exe[side], g->pc.runv[j], g->runc,
				g->a->force, run);
		took[side] += run->seconds;
		if (e) {
			errno = e;
			perror("yasmin-bench ab: fork");
			return YB_EXIT_FAIL;
		}
		if (cmd_stop || run->status == YB_EXIT_INTR)
			return YB_EXIT_INTR;
		if (run->status != 0)
			return run_failed(run, side, r);
	}
	return 0;
}

/* The gate itself: every round, then the verdict and its files. */
static int gate(const struct ab_args *ap, char **runv, int runc)
{
	struct ab_args a = *ap;
	struct yb_err err = { 0 };
	struct gate g = { .a = &a, .runc = runc };

	int status = gate_prepare(&a, g.exe, g.dir);
	if (status)
		return status;
	/* A ratio to another transport needs both in one run. */
	if (a.relative && strcmp(a.relative, YB_RELATIVE_PROBES) != 0)
		a.whole = 1;
	if (split_pieces(runv, runc, a.whole, &g.pc, &err)) {
		fprintf(stderr, "yasmin-bench ab: %s\n", err.msg);
		return err.code == YB_ENOMEM ? YB_EXIT_FAIL : YB_EXIT_USAGE;
	}
	unsigned np = g.pc.n, most = a.rounds ? a.rounds : AB_MAX_ROUNDS;
	g.runs = calloc(2 * (size_t)most * np, sizeof(*g.runs));
	if (!g.runs) {
		free_pieces(&g.pc);
		return cmd_fail(YB_ENOMEM, "out of memory");
	}
	piece_suffixes(&g);
	g.width = most >= 100 ? 3 : 2;
	/* With --json, stdout holds the verdict alone. */
	g.info = a.json ? stderr : stdout;
	gate_announce(&g);
	cmd_catch_signals();
	ab_t0 = yb_now();
	unsigned done = 0;
	for (unsigned r = 0; r < most && !status; r++) {
		double took[2] = { 0, 0 };
		status = gate_round(&g, r, took);
		if (status)
			break;
		done = r + 1;
		double spent = (double)(yb_now() - ab_t0) / 1e9;
		if (a.rounds) {
			fprintf(g.info,
				"round %*u/%u: old %.1f s, new %.1f s\n",
				g.width, done, a.rounds, took[0], took[1]);
			continue;
		}
		fprintf(g.info, "round %*u: old %.1f s, new %.1f s (%.0f of "
				"%.0f s)\n",
			g.width, done, took[0], took[1], spent, a.budget);
		/*
		 * Rounds go in pairs (OLD NEW, NEW OLD), so that each side
		 * runs first equally often; stop when the next pair would
		 * end after the budget, judged by the rounds so far.
		 */
		if (done >= AB_MIN_ROUNDS && done % 2 == 0 &&
		    spent + 2 * spent / done > a.budget)
			break;
	}
	if (!a.rounds && !status) {
		if (done == AB_MIN_ROUNDS &&
		    (double)(yb_now() - ab_t0) / 1e9 > a.budget)
			fprintf(g.info,
				"yasmin-bench ab: %u rounds took longer than "
				"the budget of %.0f s (%u is the fewest ab "
				"runs); shorter runs or a larger --budget give "
				"a sharper test\n",
				done, a.budget, AB_MIN_ROUNDS);
		a.rounds = done;
	}
	if (status == YB_EXIT_INTR)
		fprintf(stderr, "yasmin-bench ab: interrupted after %u "
				"complete rounds; their runs are in %s/runs\n",
			done, g.dir);
	if (!status)
		status = judge(&a, g.dir, g.exe, runv, runc, g.runs, np, 1);
	free(g.runs);
	free_pieces(&g.pc);
	return status;
}
