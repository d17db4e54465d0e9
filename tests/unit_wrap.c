/* unit_wrap.c - the wrap shim's settings, rendezvous names and hello. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "transports/wrap.h"

static const char *const *env_now;

static const char *fake_get(const char *name)
{
	size_t n = strlen(name);
	for (const char *const *e = env_now; e && *e; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

static void load(struct yb_wrap_cfg *cfg, const char *const *env)
{
	env_now = env;
	yb_wrap_cfg_load(cfg, fake_get);
}

static void cfg_defaults_and_values(void **state)
{
	struct yb_wrap_cfg c;
	(void)state;

	load(&c, NULL);
	assert_true(c.enabled);
	assert_int_equal(c.tp.ring_bytes, 0);
	assert_int_equal(c.tp.wait_set, 0);
	assert_int_equal(c.accept_ms, YB_WRAP_ACCEPT_MS);
	assert_false(c.verbose);
	static const char *const env[] = { "YB_WRAP_RING_BYTES=65536",
					   "YB_WRAP_WAIT=block",
					   "YB_WRAP_SPIN_NS=2500",
					   "YB_WRAP_ACCEPT_MS=750",
					   "YB_WRAP_VERBOSE=1",
					   "YB_WRAP_TRANSPORT=auto", NULL };
	load(&c, env);
	assert_true(c.enabled);
	assert_int_equal(c.tp.ring_bytes, 65536);
	assert_true(c.tp.wait_set);
	assert_int_equal(c.tp.wait, 2); /* block */
	assert_int_equal(c.tp.spin_ns, 2500);
	assert_int_equal(c.accept_ms, 750);
	assert_true(c.verbose);
}

/* A value the shim cannot read turns it off and names the variable. */
static void cfg_bad_values(void **state)
{
	static const char *const bad[] = {
		"YB_WRAP_RING_BYTES=3000",   "YB_WRAP_RING_BYTES=2048",
		"YB_WRAP_RING_BYTES=4096x",  "YB_WRAP_RING_BYTES=-4096",
		"YB_WRAP_RING_BYTES=2147483648",
		"YB_WRAP_WAIT=sometimes",    "YB_WRAP_SPIN_NS=ten",
		"YB_WRAP_SPIN_NS=10000000001",
		"YB_WRAP_ACCEPT_MS=0",       "YB_WRAP_ACCEPT_MS=600001",
		"YB_WRAP_TRANSPORT=tcp",
		"YB_WRAP_TRANSPORT=yasmin", /* no peers: no domain known */
		"YB_WRAP_PEERS=10.0.0.1",   "YB_WRAP_PEERS=10.0.0.1=32752",
		"YB_WRAP_PEERS=10.0.0.1=1,", "YB_WRAP_PEERS=host=1",
		"YB_WRAP_PEERS==1",         "YB_WRAP_PEERS=10.0.0.1=-1",
		"YB_WRAP_PEERS=10.0.0.1=1,,10.0.0.2=2",
	};
	struct yb_wrap_cfg c;
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *env[] = { bad[i], NULL };
		load(&c, env);
		assert_false(c.enabled);
		char name[64];
		snprintf(name, sizeof(name), "%.*s",
			 (int)(strchr(bad[i], '=') - bad[i]), bad[i]);
		assert_non_null(strstr(c.why_off, name));
	}
}

static struct sockaddr_storage v4(const char *ip, unsigned port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *a = (struct sockaddr_in *)&ss;
	memset(&ss, 0, sizeof(ss));
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)port);
	assert_int_equal(inet_pton(AF_INET, ip, &a->sin_addr), 1);
	return ss;
}

static struct sockaddr_storage v6(const char *ip, unsigned port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
	memset(&ss, 0, sizeof(ss));
	a->sin6_family = AF_INET6;
	a->sin6_port = htons((uint16_t)port);
	assert_int_equal(inet_pton(AF_INET6, ip, &a->sin6_addr), 1);
	return ss;
}

#define SA(x) ((struct sockaddr *)&(x))

/* Which rings: shm for this host, yasmin for the mapped peers, or both. */
static void cfg_transports_and_peers(void **state)
{
	struct yb_wrap_cfg c;
	(void)state;

	load(&c, NULL);
	assert_true(c.local);
	assert_false(c.xen);
	static const char *const yas[] = {
		"YB_WRAP_TRANSPORT=yasmin",
		"YB_WRAP_PEERS=10.0.0.2=2,fd00::7=7,10.0.0.3=0", NULL
	};
	load(&c, yas);
	assert_true(c.enabled);
	assert_false(c.local);
	assert_true(c.xen);
	assert_int_equal(c.npeers, 3);
	struct sockaddr_storage a = v4("10.0.0.2", 5002),
				b = v6("fd00::7", 80),
				z = v4("10.0.0.3", 1),
				m = v6("::ffff:10.0.0.2", 9),
				n = v4("10.0.0.4", 5002),
				o = v6("fd00::8", 80);
	assert_int_equal(yb_wrap_peer_dom(&c, SA(a)), 2);
	assert_int_equal(yb_wrap_peer_dom(&c, SA(b)), 7);
	assert_int_equal(yb_wrap_peer_dom(&c, SA(z)), 0);
	assert_int_equal(yb_wrap_peer_dom(&c, SA(m)), 2); /* v4-mapped */
	assert_int_equal(yb_wrap_peer_dom(&c, SA(n)), -1);
	assert_int_equal(yb_wrap_peer_dom(&c, SA(o)), -1);
	static const char *const both[] = { "YB_WRAP_TRANSPORT=auto",
					    "YB_WRAP_PEERS=10.0.0.2=2", NULL };
	load(&c, both);
	assert_true(c.enabled && c.local && c.xen);
	/* Too many peers is an error, not a silent cut. */
	char many[YB_WRAP_PEERS_MAX * 20 + 64], why[120];
	size_t len = 0;
	for (int i = 0; i <= YB_WRAP_PEERS_MAX; i++)
		len += (size_t)snprintf(many + len, sizeof(many) - len,
					"%s10.1.0.%d=%d", i ? "," : "", i, i);
	assert_int_equal(yb_wrap_parse_peers(&c, many, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "peers"));
}

static void names(void **state)
{
	char buf[YB_WRAP_NAME_MAX], s[80];
	(void)state;

	struct sockaddr_storage a = v4("127.0.0.1", 5002);
	size_t n = yb_wrap_rv_name(SA(a), buf, sizeof(buf));
	assert_int_equal(buf[0], 0); /* abstract */
	assert_int_equal(n, 1 + strlen("yasmin-bench-wrap:127.0.0.1:5002"));
	assert_memory_equal(buf + 1, "yasmin-bench-wrap:127.0.0.1:5002", n - 1);
	yb_wrap_addr_str(SA(a), s, sizeof(s));
	assert_string_equal(s, "127.0.0.1:5002");
	assert_int_equal(yb_wrap_port(SA(a)), 5002);

	/* A v4-mapped IPv6 address names the same listener as IPv4. */
	struct sockaddr_storage m = v6("::ffff:127.0.0.1", 5002);
	char buf2[YB_WRAP_NAME_MAX];
	assert_int_equal(yb_wrap_rv_name(SA(m), buf2, sizeof(buf2)), n);
	assert_memory_equal(buf, buf2, n);
	yb_wrap_addr_str(SA(m), s, sizeof(s));
	assert_string_equal(s, "127.0.0.1:5002");

	struct sockaddr_storage b = v6("::1", 80);
	yb_wrap_addr_str(SA(b), s, sizeof(s));
	assert_string_equal(s, "[::1]:80");
	n = yb_wrap_rv_name(SA(b), buf, sizeof(buf));
	assert_memory_equal(buf + 1, "yasmin-bench-wrap:::1:80", n - 1);

	struct sockaddr_storage u = { .ss_family = AF_UNIX };
	assert_int_equal(yb_wrap_rv_name(SA(u), buf, sizeof(buf)), 0);
	assert_int_equal(yb_wrap_port(SA(u)), 0);
}

/* A client tries its own address, then the wildcards only for an
 * address of this host. */
static void candidates(void **state)
{
	char n[3][YB_WRAP_NAME_MAX];
	size_t l[3];
	(void)state;

	struct sockaddr_storage a = v4("10.1.2.3", 7);
	assert_int_equal(yb_wrap_rv_candidates(SA(a), 0, n, l), 1);
	assert_memory_equal(n[0] + 1, "yasmin-bench-wrap:10.1.2.3:7", l[0] - 1);
	assert_int_equal(yb_wrap_rv_candidates(SA(a), 1, n, l), 3);
	assert_memory_equal(n[1] + 1, "yasmin-bench-wrap:0.0.0.0:7", l[1] - 1);
	assert_memory_equal(n[2] + 1, "yasmin-bench-wrap::::7", l[2] - 1);
	struct sockaddr_storage b = v6("::1", 7);
	assert_int_equal(yb_wrap_rv_candidates(SA(b), 1, n, l), 2);
	assert_memory_equal(n[1] + 1, "yasmin-bench-wrap::::7", l[1] - 1);
}

static void locality(void **state)
{
	(void)state;
	struct sockaddr_storage a = v4("127.0.0.1", 1), b = v4("127.9.8.7", 1),
				c = v6("::1", 1), d = v6("::ffff:127.0.0.2", 1),
				e = v4("192.0.2.1", 1), f = v6("2001:db8::1", 1);

	assert_true(yb_wrap_loopback(SA(a)));
	assert_true(yb_wrap_loopback(SA(b)));
	assert_true(yb_wrap_loopback(SA(c)));
	assert_true(yb_wrap_loopback(SA(d)));
	assert_false(yb_wrap_loopback(SA(e)));
	assert_true(yb_wrap_is_local(SA(a)));
	/* Documentation addresses are on no interface here. */
	assert_false(yb_wrap_is_local(SA(e)));
	assert_false(yb_wrap_is_local(SA(f)));
}

static void hello(void **state)
{
	uint8_t b[YB_WRAP_HELLO_LEN];
	struct yb_wrap_hello h = { .version = 1, .port = 40312, .pid = 4242 },
			     back;
	struct yb_err err;
	(void)state;

	yb_wrap_enc_hello(b, &h);
	assert_memory_equal(b, "YBWRAP1", 8);
	assert_int_equal(yb_wrap_dec_hello(b, sizeof(b), &back, &err), 0);
	assert_int_equal(back.port, 40312);
	assert_int_equal(back.pid, 4242);
	assert_int_equal(back.version, 1);

	assert_int_not_equal(yb_wrap_dec_hello(b, sizeof(b) - 1, &back, &err), 0);
	assert_non_null(strstr(err.msg, "39 bytes"));
	uint8_t x[YB_WRAP_HELLO_LEN];
	memcpy(x, b, sizeof(x));
	x[0] = 'X';
	assert_int_not_equal(yb_wrap_dec_hello(x, sizeof(x), &back, &err), 0);
	assert_non_null(strstr(err.msg, "magic"));
	memcpy(x, b, sizeof(x));
	x[8] = 2;
	assert_int_not_equal(yb_wrap_dec_hello(x, sizeof(x), &back, &err), 0);
	assert_non_null(strstr(err.msg, "version 2"));
	memcpy(x, b, sizeof(x));
	x[10] = x[11] = 0;
	assert_int_not_equal(yb_wrap_dec_hello(x, sizeof(x), &back, &err), 0);
	assert_non_null(strstr(err.msg, "port 0"));
	for (size_t i = 16; i < sizeof(x); i++) {
		memcpy(x, b, sizeof(x));
		x[i] = 1;
		assert_int_not_equal(yb_wrap_dec_hello(x, sizeof(x), &back, &err),
				     0);
		assert_non_null(strstr(err.msg, "reserved"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cfg_defaults_and_values),
		cmocka_unit_test(cfg_bad_values),
		cmocka_unit_test(cfg_transports_and_peers),
		cmocka_unit_test(names),
		cmocka_unit_test(candidates),
		cmocka_unit_test(locality),
		cmocka_unit_test(hello),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
