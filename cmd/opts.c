/* opts.c - options shared between commands: the sweep options of `run`
 * and `client`, the judging options of `compare` and `ab`, and the graph
 * options of `plot` and `merge`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/units.h"
#include "core/report/compare.h"
#include "core/report/plot.h"
#include "core/wire/ring.h"
#include "cmd/cmd.h"

enum {
	OPT_MODE = 'm',
	OPT_OUT = 'o',
	OPT_QUICK = 'q',
	OPT_MIN = 256,
	OPT_MAX,
	OPT_PERT,
	OPT_POW2,
	OPT_TRIAL_TIME,
	OPT_TRIALS,
	OPT_FORCE,
	OPT_VERIFY,
	OPT_RING_SIZE,
	OPT_WAIT,
	OPT_SPIN_TIME,
	OPT_STATS,
	OPT_NO_PLOT,
	OPT_DURATION,
	OPT_REVERSE,
	OPT_BIDIR,
};

static const struct argp_option sweep_options[] = {
	{ 0, 0, 0, 0, "Sweep:", 10 },
	{ "mode", OPT_MODE, "MODE", 0,
	  "pingpong, stream or both (default both)", 0 },
	{ "min-bytes", OPT_MIN, "N", 0,
	  "smallest message (default 1; K, M, G suffixes)", 0 },
	{ "max-bytes", OPT_MAX, "N", 0,
	  "largest message (default 4M, 1M with --quick)", 0 },
	{ "perturbation", OPT_PERT, "N", 0,
	  "also probe sizes +-N bytes around each step (default 3, 0 with "
	  "--quick; 0 for none)",
	  0 },
	{ "pow2", OPT_POW2, 0, 0, "powers of two only", 0 },
	{ "trial-time", OPT_TRIAL_TIME, "SECONDS", 0,
	  "target duration of one trial (default 0.05, 0.02 with --quick)",
	  0 },
	{ "trials", OPT_TRIALS, "N", 0, "recorded trials per size (default 3)",
	  0 },
	{ "quick", OPT_QUICK, 0, 0,
	  "a short sweep for CI: up to 1M, no perturbation, 0.02 s trials", 0 },
	{ "verify", OPT_VERIFY, 0, 0,
	  "check every byte received against the expected pattern", 0 },
	{ "reverse", OPT_REVERSE, 0, 0,
	  "streams flow from the server to the client, which times them "
	  "(direction s2c); ping-pong is unchanged",
	  0 },
	{ "bidir", OPT_BIDIR, 0, 0,
	  "streams flow both ways at once, each end timing what it "
	  "receives; bandwidth is the two directions' sum (direction both; "
	  "results.json keeps each direction's)",
	  0 },
	{ "duration", OPT_DURATION, "TIME", 0,
	  "soak instead of sweep: stream --max-bytes messages (default 1M) "
	  "for TIME (e.g. 90s, 10m, 2h), in one-second trials, and report "
	  "bytes moved and memory use; with --verify every byte is checked",
	  0 },
	{ 0, 0, 0, 0, "Ring transports (shm, yasmin):", 15 },
	{ "ring-size", OPT_RING_SIZE, "LIST", 0,
	  "ring size per direction, a power of two from 4K to 1G; a "
	  "comma-separated list runs one sweep per size (default 4M)",
	  0 },
	{ "wait", OPT_WAIT, "LIST", 0,
	  "how a side waits for its peer: poll (spin), block (sleep at "
	  "once) or adaptive (spin, then sleep; the default); a list runs "
	  "one sweep per mode",
	  0 },
	{ "spin-time", OPT_SPIN_TIME, "TIME", 0,
	  "how long adaptive waiting spins before it sleeps, e.g. 50us, "
	  "2ms (default: what a sleep and a wake-up cost on this machine, "
	  "measured once per process)",
	  0 },
	{ "stats", OPT_STATS, 0, 0,
	  "print the ring counters (wake-ups sent and suppressed, sleeps, "
	  "spins, small reads served from the line of the producer "
	  "counter) after each sweep; they are always in the JSON",
	  0 },
	{ 0, 0, 0, 0, "Output:", 20 },
	{ "out", OPT_OUT, "DIR", 0,
	  "write results.csv and results.json into DIR (default "
	  "yasmin-results/DATE-TIME)",
	  0 },
	{ "force", OPT_FORCE, 0, 0, "overwrite existing result files in DIR",
	  0 },
	{ "no-plot", OPT_NO_PLOT, 0, 0,
	  "do not draw graphs (by default latency, bandwidth, "
	  "latency_tail, cpu and latency_cdf PNGs go into DIR; gnuplot "
	  "draws them)",
	  0 },
	{ 0 }
};

static int parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return (errno || *end || *v > max) ? -1 : 0;
}

/* Split a comma list in place; empty items are an error. */
static size_t split_list(char *s, char **items, size_t max,
			 const struct argp_state *state, const char *opt)
{
	size_t n = 0;
	char *save = NULL;

	if (!*s || s[strlen(s) - 1] == ',' || *s == ',' || strstr(s, ",,"))
		cmd_usage_error(state, "bad --%s '%s': empty item", opt, s);
	for (char *it = strtok_r(s, ",", &save); it;
	     it = strtok_r(NULL, ",", &save)) {
		if (n == max)
			cmd_usage_error(state, "--%s: at most %zu items", opt,
					max);
		items[n++] = it;
	}
	return n;
}

/* --mode: pingpong, stream or both, as a mask of YB_MODE_BIT()s. */
static unsigned parse_modes(const struct argp_state *state, const char *arg)
{
	if (strcmp(arg, "pingpong") == 0)
		return YB_MODE_BIT(YB_MODE_PINGPONG);
	if (strcmp(arg, "stream") == 0)
		return YB_MODE_BIT(YB_MODE_STREAM);
	if (strcmp(arg, "both") == 0)
		return YB_MODE_BIT(YB_MODE_PINGPONG) |
		       YB_MODE_BIT(YB_MODE_STREAM);
	cmd_usage_error(state,
			"bad --mode '%s': expected pingpong, stream or both",
			arg);
}

/* --ring-size LIST: powers of two from 4K to 1G, none twice. */
static void parse_ring_sizes(const struct argp_state *state, const char *arg,
			     struct cmd_sweep *cs)
{
	char *items[CMD_MAX_CONFIGS], copy[512];
	struct yb_err err;
	uint64_t sz;

	snprintf(copy, sizeof(copy), "%s", arg);
	size_t n = split_list(copy, items, CMD_MAX_CONFIGS, state,
			      "ring-size");
	cs->n_ring_sizes = 0;
	for (size_t i = 0; i < n; i++) {
		if (yb_parse_size(items[i], &sz, &err))
			cmd_usage_error(state, "--ring-size: %s", err.msg);
		if (sz < (1u << YB_RING_MIN_ORDER) ||
		    sz > (1u << YB_RING_MAX_ORDER) || (sz & (sz - 1)))
			cmd_usage_error(state,
					"bad --ring-size '%s': a power of two "
					"from 4K to 1G",
					items[i]);
		for (size_t j = 0; j < cs->n_ring_sizes; j++)
			if (cs->ring_sizes[j] == sz)
				cmd_usage_error(state,
						"--ring-size lists '%s' twice",
						items[i]);
		cs->ring_sizes[cs->n_ring_sizes++] = sz;
	}
}

/* --wait LIST: poll, block or adaptive, none twice. */
static void parse_waits(const struct argp_state *state, const char *arg,
			struct cmd_sweep *cs)
{
	char *items[3], copy[128];

	snprintf(copy, sizeof(copy), "%s", arg);
	size_t n = split_list(copy, items, 3, state, "wait");
	cs->n_waits = 0;
	for (size_t i = 0; i < n; i++) {
		int w = yb_wait_parse(items[i]);
		if (w < 0)
			cmd_usage_error(state,
					"bad --wait '%s': expected poll, block "
					"or adaptive",
					items[i]);
		for (size_t j = 0; j < cs->n_waits; j++)
			if (cs->waits[j] == w)
				cmd_usage_error(state,
						"--wait lists '%s' twice",
						items[i]);
		cs->waits[cs->n_waits++] = w;
	}
}

/*
 * After the last option: what --duration and --quick imply for the
 * options not given, then the bounds of the sizes.
 */
static void sweep_end(const struct argp_state *state, struct cmd_sweep *cs)
{
	if (cs->so.duration_s > 0) {
		/* A soak streams one size. */
		cs->so.modes = YB_MODE_BIT(YB_MODE_STREAM);
		if (!cs->set_max)
			cs->so.sched.max_bytes = 1u << 20;
		cs->so.sched.min_bytes = cs->so.sched.max_bytes;
		cs->so.soak = &cs->soak;
		cs->so.soak_progress = cmd_soak_progress;
	}
	if (cs->quick) {
		if (!cs->set_max)
			cs->so.sched.max_bytes = 1u << 20;
		if (!cs->set_pert)
			cs->so.sched.perturbation = 0;
		if (!cs->set_trial_time)
			cs->so.trial_time_s = 0.02;
	}
	if (cs->so.direction != YB_DIR_C2S) {
		const char *opt = cs->so.direction == YB_DIR_S2C ? "--reverse" :
								   "--bidir";
		if (!(cs->so.modes & YB_MODE_BIT(YB_MODE_STREAM)))
			cmd_usage_error(state,
					"%s applies to streams, and --mode "
					"pingpong measures none",
					opt);
		if (cs->so.duration_s > 0 && cs->so.direction == YB_DIR_BOTH)
			cmd_usage_error(state,
					"--bidir measures a sweep, not a soak: "
					"a --duration soak streams one way "
					"(--reverse for server to client)");
	}
	if (cs->so.sched.min_bytes < 1)
		cmd_usage_error(state, "--min-bytes must be at least 1");
	if (cs->so.sched.max_bytes > YB_MAX_MSG_BYTES)
		cmd_usage_error(state, "--max-bytes must be at most 1G");
	if (cs->so.sched.min_bytes > cs->so.sched.max_bytes)
		cmd_usage_error(state,
				"--min-bytes (%llu) is larger than "
				"--max-bytes (%llu)",
				(unsigned long long)cs->so.sched.min_bytes,
				(unsigned long long)cs->so.sched.max_bytes);
}

/* One case per option of sweep_options; the long ones call the steps above. */
static error_t sweep_parse(int key, char *arg, struct argp_state *state)
{
	struct cmd_sweep *cs = state->input;
	struct yb_err err;
	unsigned long v;
	uint64_t sz;

	switch (key) {
	case OPT_MODE:
		cs->so.modes = parse_modes(state, arg);
		break;
	case OPT_MIN:
	case OPT_MAX:
		if (yb_parse_size(arg, &sz, &err))
			cmd_usage_error(state, "--%s: %s",
				   key == OPT_MIN ? "min-bytes" : "max-bytes",
				   err.msg);
		if (key == OPT_MIN) {
			cs->so.sched.min_bytes = sz;
		} else {
			cs->so.sched.max_bytes = sz;
			cs->set_max = 1;
		}
		break;
	case OPT_PERT:
		if (parse_uint(arg, 1 << 20, &v))
			cmd_usage_error(state, "bad --perturbation '%s': expected "
					  "a number of bytes",
				   arg);
		cs->so.sched.perturbation = (unsigned)v;
		cs->set_pert = 1;
		break;
	case OPT_POW2:
		cs->so.sched.pow2_only = 1;
		break;
	case OPT_TRIAL_TIME: {
		char *end;
		errno = 0;
		double t = strtod(arg, &end);
		if (errno || *end || !(t > 0) || t > 3600)
			cmd_usage_error(state, "bad --trial-time '%s': expected "
					  "seconds, above 0 and at most 3600",
				   arg);
		cs->so.trial_time_s = t;
		cs->set_trial_time = 1;
		break;
	}
	case OPT_TRIALS:
		if (parse_uint(arg, 1000, &v) || v < 1)
			cmd_usage_error(state,
				   "bad --trials '%s': expected 1 to 1000",
				   arg);
		cs->so.trials = (unsigned)v;
		break;
	case OPT_QUICK:
		cs->quick = 1;
		break;
	case OPT_VERIFY:
		cs->so.verify = 1;
		break;
	case OPT_OUT:
		if (!*arg)
			cmd_usage_error(state, "--out needs a directory");
		cs->out_dir = arg;
		break;
	case OPT_FORCE:
		cs->force = 1;
		break;
	case OPT_RING_SIZE:
		parse_ring_sizes(state, arg, cs);
		break;
	case OPT_WAIT:
		parse_waits(state, arg, cs);
		break;
	case OPT_SPIN_TIME:
		if (yb_parse_duration_ns(arg, (double)YB_RING_MAX_SPIN_NS,
				      &cs->spin_ns))
			cmd_usage_error(state,
					"bad --spin-time '%s': expected a time "
					"such as 50us or 2ms, at most 10s",
					arg);
		if (cs->spin_ns == 0)
			cs->spin_ns = 1; /* 0 means "default" downstream */
		break;
	case OPT_STATS:
		cs->stats = 1;
		break;
	case OPT_NO_PLOT:
		cs->no_plot = 1;
		break;
	case OPT_REVERSE:
	case OPT_BIDIR: {
		unsigned d = key == OPT_REVERSE ? YB_DIR_S2C : YB_DIR_BOTH;
		if (cs->so.direction != YB_DIR_C2S && cs->so.direction != d)
			cmd_usage_error(state,
					"--reverse and --bidir exclude each "
					"other");
		cs->so.direction = d;
		break;
	}
	case OPT_DURATION:
		if (yb_parse_seconds(arg, 30 * 86400.0, &cs->so.duration_s) ||
		    cs->so.duration_s == 0)
			cmd_usage_error(state,
					"bad --duration '%s': expected a time "
					"such as 90s, 10m or 2h, at most 30 "
					"days",
					arg);
		break;
	case ARGP_KEY_END:
		sweep_end(state, cs);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp cmd_sweep_argp = { sweep_options, sweep_parse, 0, 0, 0,
				     0, 0 };

size_t cmd_sweep_configs(const struct cmd_sweep *cs)
{
	size_t r = cs->n_ring_sizes ? cs->n_ring_sizes : 1;
	size_t w = cs->n_waits ? cs->n_waits : 1;
	return r * w;
}

void cmd_sweep_config(const struct cmd_sweep *cs, size_t i,
		      struct yb_tparams *tp)
{
	size_t w = cs->n_waits ? cs->n_waits : 1;

	memset(tp, 0, sizeof(*tp));
	if (cs->n_ring_sizes)
		tp->ring_bytes = cs->ring_sizes[i / w];
	if (cs->n_waits) {
		tp->wait = cs->waits[i % w];
		tp->wait_set = 1;
	}
	tp->spin_ns = cs->spin_ns;
}

void cmd_sweep_init(struct cmd_sweep *cs)
{
	memset(cs, 0, sizeof(*cs));
	yb_sweep_defaults(&cs->so);
	cs->so.stop = &cmd_stop;
}

/* ---- options of compare and ab ------------------------------------------ */

double cmd_parse_tolerance(const struct argp_state *state, const char *arg)
{
	char *end;
	double v = strtod(arg, &end);

	if (end == arg || *end || !(v >= 0) || v > 1000)
		cmd_usage_error(state, "bad --tolerance '%s': expected a "
				       "percentage, 0 to 1000",
				arg);
	return v;
}

double cmd_parse_confidence(const struct argp_state *state, const char *arg)
{
	char *end;
	double v = strtod(arg, &end);

	if (end == arg || *end || !(v >= 50) || !(v < 100))
		cmd_usage_error(state, "bad --confidence '%s': expected a "
				       "percentage, 50 to 99.99",
				arg);
	return v;
}

unsigned cmd_parse_metrics(const struct argp_state *state, const char *arg)
{
	char copy[128], *save = NULL;
	unsigned metrics = 0;

	snprintf(copy, sizeof(copy), "%s", arg);
	for (char *it = strtok_r(copy, ",", &save); it;
	     it = strtok_r(NULL, ",", &save)) {
		unsigned m = strcmp(it, "both") == 0 ?
				     YB_METRIC_LATENCY | YB_METRIC_BANDWIDTH :
				     yb_metric_parse(it);
		if (!m)
			cmd_usage_error(state, "bad --metric '%s': expected "
					       "latency, p99, p99.9, bandwidth "
					       "or both",
					it);
		metrics |= m;
	}
	if (!metrics)
		cmd_usage_error(state, "--metric is empty");
	return metrics;
}

const char *cmd_parse_relative(const struct argp_state *state,
			       const char *arg)
{
	if (!*arg)
		cmd_usage_error(state, "--relative-to is empty");
	return arg;
}

unsigned cmd_parse_pairs(const struct argp_state *state, const char *arg)
{
	char *end;
	long n = strtol(arg, &end, 10);

	if (end == arg || *end || n < 1 || n > YB_MAX_PAIRS)
		cmd_usage_error(state, "bad --pairs '%s': expected 1 to %d", arg,
				YB_MAX_PAIRS);
	return (unsigned)n;
}

void cmd_check_pairs(const struct argp_state *state, unsigned pairs,
		     const struct cmd_sweep *cs)
{
	if (pairs > 1 && cs->so.duration_s > 0)
		cmd_usage_error(state,
				"--duration and --pairs do not go together");
}

/* ---- options of plot and merge ------------------------------------------ */

unsigned cmd_parse_formats(const struct argp_state *state, const char *arg)
{
	char copy[64], *save = NULL;
	unsigned formats = 0;

	if (strcmp(arg, "both") == 0)
		return YB_PLOT_PNG | YB_PLOT_SVG;
	if (strlen(arg) >= sizeof(copy))
		cmd_usage_error(state, "bad --format '%s': expected png, svg "
				       "or both",
				arg);
	snprintf(copy, sizeof(copy), "%s", arg);
	for (char *it = strtok_r(copy, ",", &save); it;
	     it = strtok_r(NULL, ",", &save)) {
		unsigned f = strcmp(it, "png") == 0 ? YB_PLOT_PNG :
			     strcmp(it, "svg") == 0 ? YB_PLOT_SVG :
						      0;
		if (!f) {
			formats = 0;
			break;
		}
		formats |= f;
	}
	if (!formats)
		cmd_usage_error(state, "bad --format '%s': expected png, svg "
				       "or both",
				arg);
	return formats;
}

size_t cmd_parse_size_list(const struct argp_state *state, const char *opt,
			   const char *arg, uint64_t *sizes, size_t max)
{
	const char *s = arg;
	struct yb_err err = { 0 };
	size_t n = 0;

	for (;;) {
		size_t len = strcspn(s, ",");
		char item[64];
		uint64_t sz;
		if (len == 0 || len >= sizeof(item))
			cmd_usage_error(state,
					"bad %s '%s': expected sizes "
					"separated by commas, e.g. 1,64K",
					opt, arg);
		memcpy(item, s, len);
		item[len] = '\0';
		if (yb_parse_size(item, &sz, &err))
			cmd_usage_error(state, "%s: %s", opt, err.msg);
		if (sz == 0)
			cmd_usage_error(state, "bad %s size '%s': "
					       "messages are at least 1 byte",
					opt, item);
		for (size_t i = 0; i < n; i++)
			if (sizes[i] == sz)
				cmd_usage_error(state, "%s lists '%s' twice",
						opt, item);
		if (n == max)
			cmd_usage_error(state, "%s: at most %zu sizes", opt,
					max);
		sizes[n++] = sz;
		if (!s[len])
			break;
		s += len + 1;
	}
	return n;
}
