/* unit_addr.c - TRANSPORT:ADDRESS splitting and tcp host/port parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/wire/transport.h"
#include "transports/sock.h"

static void split_good(void **state)
{
	const struct yb_transport *t;
	const char *rest;
	struct yb_err err = { 0 };
	(void)state;

	assert_int_equal(yb_addr_split("tcp:127.0.0.1:7470", &t, &rest, &err),
			 0);
	assert_string_equal(t->name, "tcp");
	assert_string_equal(rest, "127.0.0.1:7470");
	assert_int_equal(yb_addr_split("unix:/run/yb.sock", &t, &rest, &err),
			 0);
	assert_string_equal(t->name, "unix");
	assert_string_equal(rest, "/run/yb.sock");
	assert_int_equal(yb_addr_split("unix:@abstract", &t, &rest, &err), 0);
	assert_string_equal(rest, "@abstract");
}

static void split_bad(void **state)
{
	static const struct {
		const char *addr, *fragment;
	} cases[] = {
		{ "", "expected TRANSPORT:ADDRESS" },
		{ "tcp", "expected TRANSPORT:ADDRESS" },
		{ ":7470", "expected TRANSPORT:ADDRESS" },
		{ "tcp:", "nothing after 'tcp:'" },
		{ "carrier-pigeon:1", "unknown transport 'carrier-pigeon'" },
		{ "TCP:1.2.3.4:5", "unknown transport 'TCP'" },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:1", "too long" },
	};
	const struct yb_transport *t;
	const char *rest;
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct yb_err err = { 0 };
		assert_int_equal(yb_addr_split(cases[i].addr, &t, &rest, &err),
				 YB_EUSAGE);
		if (!strstr(err.msg, cases[i].fragment))
			fail_msg("'%s': error '%s' lacks '%s'", cases[i].addr,
				 err.msg, cases[i].fragment);
	}
	/* The list of known transports helps the user. */
	struct yb_err err = { 0 };
	yb_addr_split("nope:1", &t, &rest, &err);
	assert_non_null(strstr(err.msg, "tcp"));
	assert_non_null(strstr(err.msg, "unix"));
}

static void tcp_good(void **state)
{
	static const struct {
		const char *addr;
		int listening;
		const char *host;
		unsigned port;
	} cases[] = {
		{ "127.0.0.1:7470", 0, "127.0.0.1", 7470 },
		{ "localhost:1", 0, "localhost", 1 },
		{ "[::1]:65535", 0, "::1", 65535 },
		{ "[fe80::1%lo]:80", 0, "fe80::1%lo", 80 },
		{ "7470", 1, "", 7470 },
		{ "0", 1, "", 0 },
		{ "0.0.0.0:0", 1, "0.0.0.0", 0 },
		{ "[::]:7470", 1, "::", 7470 },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char host[256] = "junk";
		unsigned port = 12345;
		struct yb_err err = { 0 };
		if (yb_tcp_split(cases[i].addr, cases[i].listening, host,
				 sizeof(host), &port, &err))
			fail_msg("'%s' rejected: %s", cases[i].addr, err.msg);
		assert_string_equal(host, cases[i].host);
		assert_int_equal(port, cases[i].port);
	}
}

static void tcp_bad(void **state)
{
	static const struct {
		const char *addr;
		int listening;
		const char *fragment;
	} cases[] = {
		{ "127.0.0.1", 0, "expected HOST:PORT" },
		{ "127.0.0.1:0", 0, "bad tcp port '0'" },
		{ "127.0.0.1:65536", 0, "bad tcp port '65536'" },
		{ "127.0.0.1:-1", 0, "bad tcp port" },
		{ "127.0.0.1:+1", 0, "bad tcp port" },
		{ "127.0.0.1:", 0, "bad tcp port" },
		{ "127.0.0.1:80x", 0, "bad tcp port '80x'" },
		{ ":80", 0, "no host" },
		{ "::1:80", 0, "brackets" },
		{ "[::1]80", 0, "[IPV6]:PORT" },
		{ "[::1", 0, "[IPV6]:PORT" },
		{ "[]:80", 0, "empty IPv6" },
		{ "99999999999999999999", 1, "bad tcp port" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char host[256];
		unsigned port;
		struct yb_err err = { 0 };
		assert_int_equal(yb_tcp_split(cases[i].addr, cases[i].listening,
					      host, sizeof(host), &port, &err),
				 YB_EUSAGE);
		if (!strstr(err.msg, cases[i].fragment))
			fail_msg("'%s': error '%s' lacks '%s'", cases[i].addr,
				 err.msg, cases[i].fragment);
	}
	char small[4];
	unsigned port;
	assert_int_equal(yb_tcp_split("example.org:80", 0, small, sizeof(small),
				      &port, NULL),
			 YB_EUSAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(split_good),
		cmocka_unit_test(split_bad),
		cmocka_unit_test(tcp_good),
		cmocka_unit_test(tcp_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
