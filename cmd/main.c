/*
 * main.c - yasmin-bench: dispatch to a subcommand, and the plumbing every
 * subcommand shares (signals, usage errors, failures).
 *
 * Every subcommand has its own argp parser, so `yasmin-bench CMD --help`,
 * `--usage` and `--version` work everywhere.  The table of commands is the
 * one list of them: --help and the unknown-command message are made from it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/version.h"
#include "cmd/cmd.h"

const char *argp_program_version = "yasmin-bench " YB_VERSION;
const char *argp_program_bug_address =
	"the yasmin-bench issue tracker";

volatile sig_atomic_t cmd_stop;

static void on_signal(int sig)
{
	(void)sig;
	cmd_stop = 1;
}

void cmd_catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	/* A second Ctrl-C kills at once, should a stop ever be slow. */
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

void cmd_usage_error(const struct argp_state *state, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", state && state->name ? state->name :
							"yasmin-bench");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(YB_EXIT_USAGE);
}

int cmd_fail(int code, const char *msg)
{
	fprintf(stderr, "yasmin-bench: %s\n", msg);
	return yb_exit_status(code);
}

/* The commands, in the order --help lists them; summaries are one line. */
static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *summary;
} commands[] = {
	{ "run", cmd_run,
	  "measure every local transport, both ends on this host" },
	{ "server", cmd_server, "serve clients on ADDRESS, one at a time" },
	{ "client", cmd_client, "measure against a server at ADDRESS" },
	{ "transports", cmd_transports,
	  "list transports and whether they work here" },
	{ "bench", cmd_bench,
	  "the shm ring against memcpy, the cache line, unix and tcp" },
	{ "plot", cmd_plot,
	  "graphs of result files: latency, bandwidth, CPU, latency CDF" },
	{ "merge", cmd_merge,
	  "scaling with the pairs, from runs measured at the same time" },
	{ "compare", cmd_compare,
	  "fail on a regression against a baseline, or on a ratio" },
	{ "ab", cmd_ab,
	  "a regression gate: two builds run alternately, judged by the "
	  "spread between rounds" },
	{ "diag", cmd_diag,
	  "what this host or guest can do, and why a transport is not" },
	{ "wrap", cmd_wrap,
	  "run an unmodified program with its local TCP over the ring" },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* The top-level --help text, its list of commands made from the table. */
static void top_doc(char *buf, size_t len)
{
	size_t l;

	snprintf(buf, len, "Latency and bandwidth between co-located VMs and "
			   "processes.\vCommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++) {
		l = strlen(buf);
		snprintf(buf + l, len - l, "  %-12s %s\n", commands[i].name,
			 commands[i].summary);
	}
	l = strlen(buf);
	snprintf(buf + l, len - l,
		 "\n"
		 "Addresses are TRANSPORT:ADDRESS, e.g. tcp:127.0.0.1:7470, "
		 "tcp:[::1]:7470, unix:/run/yb.sock.\n"
		 "`yasmin-bench COMMAND --help` describes a command; "
		 "yasmin-bench(1) has the details.");
}

/* "run, server, ...": every command, for the unknown-command message. */
static void command_list(char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < NCOMMANDS; i++) {
		size_t l = strlen(buf);
		snprintf(buf + l, len - l, "%s%s", i ? ", " : "",
			 commands[i].name);
	}
}

static error_t top_parse(int key, char *arg, struct argp_state *state)
{
	(void)arg;
	if (key == ARGP_KEY_ARG || key == ARGP_KEY_NO_ARGS)
		argp_usage(state);
	return ARGP_ERR_UNKNOWN;
}

int main(int argc, char **argv)
{

	argp_err_exit_status = YB_EXIT_USAGE;
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	/* Over the file-size limit (ulimit -f), fail the write with EFBIG and
	 * say so, instead of dying with the results half written. */
	signal(SIGXFSZ, SIG_IGN);

	if (argc < 2 || argv[1][0] == '-') {
		static char doc[2048];
		top_doc(doc, sizeof(doc));
		const struct argp top = { 0, top_parse, "COMMAND [ARG...]",
					  doc, 0, 0, 0 };
		argp_parse(&top, argc, argv, 0, 0, NULL);
		return YB_EXIT_USAGE;
	}
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		char name[64];
		snprintf(name, sizeof(name), "yasmin-bench %s",
			 commands[i].name);
		argv[1] = name;
		return commands[i].fn(argc - 1, argv + 1);
	}
	char list[256];
	command_list(list, sizeof(list));
	fprintf(stderr, "yasmin-bench: unknown command '%s' (commands: %s)\n",
		argv[1], list);
	return YB_EXIT_USAGE;
}
