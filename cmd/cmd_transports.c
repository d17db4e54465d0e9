/* cmd_transports.c - `yasmin-bench transports`: what works on this host. */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"

static error_t tr_parse(int key, char *arg, struct argp_state *state)
{
	if (key == ARGP_KEY_ARG)
		cmd_usage_error(state, "unexpected argument '%s'", arg);
	return ARGP_ERR_UNKNOWN;
}

int cmd_transports(int argc, char **argv)
{
	static const struct argp argp = {
		0, tr_parse, "",
		"List the transports built into this program, whether each "
		"works on this host, and why not.",
		0, 0, 0
	};

	argp_parse(&argp, argc, argv, 0, 0, NULL);
	for (size_t i = 0; i < yb_transport_count(); i++) {
		const struct yb_transport *t = yb_transport_at(i);
		struct yb_err err = { 0 };
		if (t->probe(&err) == 0)
			printf("%-8s available    %s\n", t->name, t->summary);
		else
			printf("%-8s unavailable  %s\n", t->name, err.msg);
	}
#ifdef YB_HAVE_XEN
	printf("Xen libraries: linked (Xen %s)\n", YB_XEN_VERSION);
#else
	printf("Xen libraries: not found at build time; the Xen transports "
	       "are not built (install libxen-dev and rebuild)\n");
#endif
	return 0;
}
