/*
 * cmd_wrap.c - `yasmin-bench wrap [OPTIONS] -- PROGRAM [ARGS...]`: run an
 * unmodified program with the wrap shim preloaded (transports/preload.c),
 * so that its TCP connections to other wrapped programs on this host go
 * over the shm ring, and to wrapped programs in other Xen domains over
 * the yasmin ring.  The settings travel in the environment (wrap.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "core/base/units.h"
#include "core/host/wake.h"
#include "core/wire/ring.h"
#include "transports/wrap.h"

#define PRELOAD_NAME "lib" "yasmin-bench" "-preload.so"

enum {
	OPT_RING_SIZE = 0x300,
	OPT_WAIT,
	OPT_SPIN_TIME,
	OPT_ACCEPT_TIMEOUT,
	OPT_TRANSPORT,
	OPT_PRELOAD,
	OPT_PEER,
};

struct wrap_opts {
	uint64_t ring_bytes;
	int wait; /* -1: the ring's default */
	uint64_t spin_ns;
	long accept_ms;
	int verbose;
	const char *preload;
	const char *transport;
	char peers[YB_WRAP_PEERS_MAX * 48]; /* "ADDR=DOMID,..." */
	char **argv; /* the program and its arguments */
};

static const struct argp_option wrap_options[] = {
	{ "transport", OPT_TRANSPORT, "NAME", 0,
	  "Rings for the connections: shm (this host's, the default), yasmin "
	  "(to other Xen domains, named with --peer) or auto (both)", 0 },
	{ "peer", OPT_PEER, "ADDRESS=DOMID", 0,
	  "The IP address ADDRESS is Xen domain DOMID: connections to and "
	  "from it go over yasmin rings (repeatable; both ends name each "
	  "other)", 0 },
	{ "ring-size", OPT_RING_SIZE, "SIZE", 0,
	  "Bytes per direction of each ring, a power of two from 4K to 1G "
	  "(default 4M)", 0 },
	{ "wait", OPT_WAIT, "MODE", 0,
	  "How a ring end waits: adaptive (the default), poll or block", 0 },
	{ "spin-time", OPT_SPIN_TIME, "TIME", 0,
	  "Adaptive waiting spins this long before it sleeps (default: this "
	  "machine's cost of a sleep and a wake-up, measured once here)", 0 },
	{ "accept-timeout", OPT_ACCEPT_TIMEOUT, "TIME", 0,
	  "How long a wrapped client waits for its listener to accept before "
	  "it keeps to TCP (default 3s)", 0 },
	{ "verbose", 'v', 0, 0,
	  "Say on standard error which way each connection went, and why", 0 },
	{ "preload", OPT_PRELOAD, "FILE", 0,
	  "The shim library to preload (default: beside this program, or "
	  "where make install put it)", 0 },
	{ 0 }
};

static error_t wrap_parse(int key, char *arg, struct argp_state *state)
{
	struct wrap_opts *o = state->input;
	struct yb_err err;
	uint64_t v;

	switch (key) {
	case OPT_TRANSPORT:
		if (strcmp(arg, "shm") != 0 && strcmp(arg, "auto") != 0 &&
		    strcmp(arg, "yasmin") != 0)
			cmd_usage_error(state,
					"bad --transport '%s': expected shm "
					"(this host), yasmin (Xen domains) or "
					"auto (both)",
					arg);
		o->transport = arg;
		break;
	case OPT_PEER: {
		static struct yb_wrap_cfg check;
		char why[120];
		size_t n = strlen(o->peers);
		if (n + strlen(arg) + 2 > sizeof(o->peers))
			cmd_usage_error(state, "too many --peer options (at "
					       "most %d)",
					YB_WRAP_PEERS_MAX);
		snprintf(o->peers + n, sizeof(o->peers) - n, "%s%s",
			 n ? "," : "", arg);
		if (strchr(arg, ',') ||
		    yb_wrap_parse_peers(&check, o->peers, why, sizeof(why)))
			cmd_usage_error(state, "bad --peer '%s': %s", arg,
					strchr(arg, ',') ?
						"one ADDRESS=DOMID per --peer" :
						why);
		break;
	}
	case OPT_RING_SIZE:
		if (yb_parse_size(arg, &v, &err))
			cmd_usage_error(state, "--ring-size: %s", err.msg);
		if (v < (1u << YB_RING_MIN_ORDER) ||
		    v > (1u << YB_RING_MAX_ORDER) || (v & (v - 1)))
			cmd_usage_error(state,
					"bad --ring-size '%s': a power of two "
					"from 4K to 1G",
					arg);
		o->ring_bytes = v;
		break;
	case OPT_WAIT:
		o->wait = yb_wait_parse(arg);
		if (o->wait < 0)
			cmd_usage_error(state,
					"bad --wait '%s': expected poll, block "
					"or adaptive",
					arg);
		break;
	case OPT_SPIN_TIME:
		if (yb_parse_duration_ns(arg, (double)YB_RING_MAX_SPIN_NS,
					 &o->spin_ns))
			cmd_usage_error(state,
					"bad --spin-time '%s': expected a time "
					"such as 50us or 2ms, at most 10s",
					arg);
		if (o->spin_ns == 0)
			o->spin_ns = 1;
		break;
	case OPT_ACCEPT_TIMEOUT:
		if (yb_parse_duration_ns(arg, 600e9, &v) || v < 1000000)
			cmd_usage_error(state,
					"bad --accept-timeout '%s': expected a "
					"time from 1ms to 600s",
					arg);
		o->accept_ms = (long)(v / 1000000);
		break;
	case 'v':
		o->verbose = 1;
		break;
	case OPT_PRELOAD:
		o->preload = arg;
		break;
	case ARGP_KEY_ARGS:
		o->argv = state->argv + state->next;
		state->next = state->argc;
		break;
	case ARGP_KEY_NO_ARGS:
		cmd_usage_error(state,
				"no program to run: yasmin-bench wrap [OPTIONS] "
				"-- PROGRAM [ARGS...]");
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* Does path name a readable regular file? */
static int is_file(const char *path)
{
	return access(path, R_OK) == 0;
}

/*
 * The shim: beside this program (the build tree), or PREFIX/lib/
 * yasmin-bench/ for an installed one (the binary in PREFIX/bin).
 */
static int find_preload(char *out, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return -1;
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	snprintf(out, len, "%s/%s", self, PRELOAD_NAME);
	if (is_file(out))
		return 0;
	slash = strrchr(self, '/');
	if (slash) {
		*slash = '\0';
		snprintf(out, len, "%s/lib/yasmin-bench/%s", self, PRELOAD_NAME);
		if (is_file(out))
			return 0;
	}
	return -1;
}

static void set_num(const char *name, unsigned long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", v);
	setenv(name, buf, 1);
}

int cmd_wrap(int argc, char **argv)
{
	static const struct argp argp = {
		wrap_options, wrap_parse, "-- PROGRAM [ARGS...]",
		"Run PROGRAM, unmodified, with its TCP connections to other "
		"wrapped programs on this host carried over the shm ring, "
		"and (with --peer) to wrapped programs in other Xen domains "
		"over the yasmin ring: a wrapped listener also takes ring "
		"clients, a wrapped client connecting to a port with a "
		"wrapped listener gets a ring, and everything else goes over "
		"the network as before."
		"\vExample: yasmin-bench wrap -- NPtcp  and, beside it, "
		"yasmin-bench wrap -- NPtcp -h 127.0.0.1.  Between domains 1 "
		"(10.0.0.1) and 2 (10.0.0.2): yasmin-bench wrap --peer "
		"10.0.0.2=2 -- NPtcp  in domain 1, yasmin-bench wrap --peer "
		"10.0.0.1=1 -- NPtcp -h 10.0.0.1  in domain 2.  "
		"yasmin-bench(1), WRAP, says what is carried and what is not.",
		0, 0, 0
	};
	struct wrap_opts o = { .wait = -1, .accept_ms = 0 };
	char lib[PATH_MAX];

	argp_parse(&argp, argc, argv, ARGP_IN_ORDER, 0, &o);
	if (!o.argv || !o.argv[0])
		return cmd_fail(YB_EUSAGE, "wrap: no program to run");
	if (!o.transport)
		o.transport = o.peers[0] ? "auto" : "shm";
	if (strcmp(o.transport, "yasmin") == 0 && !o.peers[0])
		return cmd_fail(YB_EUSAGE,
				"wrap: --transport yasmin needs --peer "
				"ADDRESS=DOMID for each other domain's address");
	if (o.preload) {
		if (!is_file(o.preload)) {
			char msg[PATH_MAX + 64];
			snprintf(msg, sizeof(msg),
				 "wrap: --preload %s: %s", o.preload,
				 strerror(errno));
			return cmd_fail(YB_EUSAGE, msg);
		}
		if (!realpath(o.preload, lib))
			snprintf(lib, sizeof(lib), "%s", o.preload);
	} else if (find_preload(lib, sizeof(lib)) != 0) {
		return cmd_fail(YB_ENOTSUP,
				"wrap: cannot find " PRELOAD_NAME " beside this "
				"program or in ../lib/yasmin-bench/ (build it "
				"with make, or name it with --preload)");
	}
	/* Ours first; whatever the caller preloads already stays. */
	const char *old = getenv("LD_PRELOAD");
	char *pre = malloc(strlen(lib) + (old ? strlen(old) : 0) + 2);
	if (!pre)
		return cmd_fail(YB_ENOMEM, "wrap: out of memory");
	sprintf(pre, "%s%s%s", lib, old && *old ? ":" : "", old ? old : "");
	setenv("LD_PRELOAD", pre, 1);
	free(pre);
	setenv(YB_WRAP_ENV_TRANSPORT, o.transport, 1);
	if (o.peers[0])
		setenv(YB_WRAP_ENV_PEERS, o.peers, 1);
	else
		unsetenv(YB_WRAP_ENV_PEERS);
	if (o.ring_bytes)
		set_num(YB_WRAP_ENV_RING, o.ring_bytes);
	else
		unsetenv(YB_WRAP_ENV_RING);
	if (o.wait >= 0)
		setenv(YB_WRAP_ENV_WAIT, yb_wait_name(o.wait), 1);
	else
		unsetenv(YB_WRAP_ENV_WAIT);
	/* The spin budget measured once here, so that no wrapped program
	 * measures it on its first connection. */
	set_num(YB_WRAP_ENV_SPIN, o.spin_ns ? o.spin_ns : yb_spin_budget_ns(NULL));
	if (o.accept_ms)
		set_num(YB_WRAP_ENV_ACCEPT, (unsigned long long)o.accept_ms);
	else
		unsetenv(YB_WRAP_ENV_ACCEPT);
	setenv(YB_WRAP_ENV_VERBOSE, o.verbose ? "1" : "0", 1);
	fflush(NULL);
	execvp(o.argv[0], o.argv);
	int e = errno;
	fprintf(stderr, "yasmin-bench: wrap: cannot run %s: %s\n", o.argv[0],
		strerror(e));
	return e == ENOENT ? 127 : 126;
}
