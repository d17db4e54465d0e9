/*
 * lab_xsreq.c - in a Xen lab guest, write a rendezvous request that claims
 * to come from another domain, the way a hostile guest would:
 *
 *   lab-xsreq NAME SERVER_DOMID PORT CLAIMED_DOMID
 *
 * The request goes where a guest can write, its own XenStore tree, readable
 * by the server's domain, as connection PID-0.  Prints the server's answer
 * (reply-SELF-PID-0 in the server's directory) and exits 0 if it is a refusal, 1 if anything else
 * (an answer that accepts the claim, or none within 60 s).
 *
 *   lab-xsreq wait KEY SECONDS
 *
 * prints the value of KEY in the guest's own XenStore tree once dom0 has
 * written it, waiting at most SECONDS (exit 1 if it never comes).  Linked
 * statically against libxenstore by scripts/xen-lab.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xenstore.h>

/* Wait for KEY (relative to the domain's home) and print it. */
static int wait_key(const char *key, int seconds)
{
	struct xs_handle *xs = xs_open(0);
	unsigned len;

	if (!xs) {
		perror("lab-xsreq: XenStore");
		return 2;
	}
	for (int i = 0; i <= seconds * 10; i++) {
		char *v = xs_read(xs, XBT_NULL, key, &len);
		if (v) {
			printf("%s\n", v);
			free(v);
			xs_close(xs);
			return 0;
		}
		usleep(100000);
	}
	fprintf(stderr, "lab-xsreq: no %s within %d s\n", key, seconds);
	xs_close(xs);
	return 1;
}

int main(int argc, char **argv)
{
	char dir[256], path[300], reply[256], req[256];
	unsigned len;

	if (argc == 4 && strcmp(argv[1], "wait") == 0)
		return wait_key(argv[2], atoi(argv[3]));
	if (argc != 5) {
		fprintf(stderr, "usage: lab-xsreq NAME SERVER PORT CLAIMED\n");
		return 2;
	}
	unsigned server = (unsigned)atoi(argv[2]);
	struct xs_handle *xs = xs_open(0);
	char *id = xs ? xs_read(xs, XBT_NULL, "domid", &len) : NULL;
	if (!id) {
		perror("lab-xsreq: XenStore");
		return 2;
	}
	unsigned self = (unsigned)atoi(id);
	free(id);
	snprintf(dir, sizeof(dir), "/local/domain/%u/data/yasmin-bench/%s-%u-%s",
		 self, argv[1], server, argv[3]);
	snprintf(path, sizeof(path), "%s/%ld-0", dir, (long)getpid());
	snprintf(reply, sizeof(reply),
		 "/local/domain/%u/data/yasmin-bench/%s-%s/reply-%u-%ld-0",
		 server, argv[1], argv[3], self, (long)getpid());
	snprintf(req, sizeof(req),
		 "yasmin-bench 1 dom=%s nonce=4242 order0=12 order1=12 wait=2 "
		 "spin=0",
		 argv[4]);
	struct xs_permissions perms[2] = { { self, XS_PERM_NONE },
					   { server, XS_PERM_READ } };
	xs_transaction_t t = xs_transaction_start(xs);
	if (!xs_write(xs, t, path, req, (unsigned)strlen(req)) ||
	    !xs_set_permissions(xs, t, dir, perms, 2) ||
	    !xs_set_permissions(xs, t, path, perms, 2) ||
	    !xs_transaction_end(xs, t, false)) {
		perror("lab-xsreq: write");
		return 2;
	}
	printf("lab-xsreq: domain %u wrote %s claiming domain %s\n", self, path,
	       argv[4]);
	int rc = 1, answered = 0;
	for (int i = 0; i < 600 && !answered; i++) {
		char *s = xs_read(xs, XBT_NULL, reply, &len);
		if (s && strstr(s, "nonce=4242 ")) {
			printf("lab-xsreq: answer: %s\n", s);
			rc = strstr(s, "nonce=4242 refused ") == s ? 0 : 1;
			answered = 1;
		}
		free(s);
		usleep(100000);
	}
	if (!answered)
		printf("lab-xsreq: no answer within 60 s\n");
	xs_rm(xs, XBT_NULL, dir);
	xs_close(xs);
	return rc;
}
