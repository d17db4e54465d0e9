/* wrap.c - the wrap shim's settings, names and hello (see wrap.h). */
#include "transports/wrap.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/le.h"
#include "core/wire/ring.h"

static const char hello_magic[8] = "YBWRAP1";

/* A decimal number in [lo, hi], the whole string; 0 or -1. */
static int env_uint(const char *s, unsigned long long lo,
		    unsigned long long hi, unsigned long long *out)
{
	char *end;

	if (!s || !*s || *s < '0' || *s > '9')
		return -1;
	unsigned long long v = strtoull(s, &end, 10);
	if (*end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

void yb_wrap_cfg_load(struct yb_wrap_cfg *cfg,
		      const char *(*get)(const char *name))
{
	const char *s;
	unsigned long long v;

	memset(cfg, 0, sizeof(*cfg));
	cfg->accept_ms = YB_WRAP_ACCEPT_MS;
	cfg->enabled = 1;
#define OFF(...)                                                           \
	do {                                                               \
		snprintf(cfg->why_off, sizeof(cfg->why_off), __VA_ARGS__); \
		cfg->enabled = 0;                                          \
		return;                                                    \
	} while (0)
	cfg->local = 1;
	if ((s = get(YB_WRAP_ENV_TRANSPORT)) && *s) {
		if (strcmp(s, "yasmin") == 0)
			cfg->local = 0, cfg->xen = 1;
		else if (strcmp(s, "auto") == 0)
			cfg->xen = 1;
		else if (strcmp(s, "shm") != 0)
			OFF("%s=%s: expected shm, yasmin or auto",
			    YB_WRAP_ENV_TRANSPORT, s);
	}
	if ((s = get(YB_WRAP_ENV_PEERS)) && *s) {
		char why[120];
		if (yb_wrap_parse_peers(cfg, s, why, sizeof(why)))
			OFF("%s: %s", YB_WRAP_ENV_PEERS, why);
	}
	if (cfg->xen && !cfg->local && cfg->npeers == 0)
		OFF("%s=yasmin needs %s (which addresses are which domain)",
		    YB_WRAP_ENV_TRANSPORT, YB_WRAP_ENV_PEERS);
	if ((s = get(YB_WRAP_ENV_RING)) && *s) {
		if (env_uint(s, 1ull << YB_RING_MIN_ORDER,
			     1ull << YB_RING_MAX_ORDER, &v) ||
		    (v & (v - 1)))
			OFF("%s=%s: expected a power of two from 4096 to 2^30",
			    YB_WRAP_ENV_RING, s);
		cfg->tp.ring_bytes = v;
	}
	if ((s = get(YB_WRAP_ENV_WAIT)) && *s) {
		int w = yb_wait_parse(s);
		if (w < 0)
			OFF("%s=%s: expected poll, block or adaptive",
			    YB_WRAP_ENV_WAIT, s);
		cfg->tp.wait = w;
		cfg->tp.wait_set = 1;
	}
	if ((s = get(YB_WRAP_ENV_SPIN)) && *s) {
		if (env_uint(s, 0, YB_RING_MAX_SPIN_NS, &v))
			OFF("%s=%s: expected nanoseconds up to %llu",
			    YB_WRAP_ENV_SPIN, s, YB_RING_MAX_SPIN_NS);
		cfg->tp.spin_ns = v;
	}
	if ((s = get(YB_WRAP_ENV_ACCEPT)) && *s) {
		if (env_uint(s, 1, 600000, &v))
			OFF("%s=%s: expected milliseconds, 1 to 600000",
			    YB_WRAP_ENV_ACCEPT, s);
		cfg->accept_ms = (int)v;
	}
	if ((s = get(YB_WRAP_ENV_VERBOSE)) && *s)
		cfg->verbose = strcmp(s, "0") != 0;
#undef OFF
}

int yb_wrap_parse_peers(struct yb_wrap_cfg *cfg, const char *s, char *why,
			size_t whylen)
{
	const char *p = s;

	cfg->npeers = 0;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char item[80], *eq;
		unsigned long long dom;
		if (n == 0 || n >= sizeof(item)) {
			snprintf(why, whylen, "'%.*s': expected ADDRESS=DOMID",
				 (int)(n < 40 ? n : 40), p);
			return -1;
		}
		memcpy(item, p, n);
		item[n] = '\0';
		eq = strrchr(item, '=');
		if (!eq || eq == item || env_uint(eq + 1, 0, 0x7fef, &dom)) {
			snprintf(why, whylen,
				 "'%s': expected ADDRESS=DOMID (a domain id "
				 "from 0 to 32751)",
				 item);
			return -1;
		}
		*eq = '\0';
		if (cfg->npeers == YB_WRAP_PEERS_MAX) {
			snprintf(why, whylen, "more than %d peers",
				 YB_WRAP_PEERS_MAX);
			return -1;
		}
		struct yb_wrap_peer *pe = &cfg->peers[cfg->npeers];
		memset(pe, 0, sizeof(*pe));
		if (inet_pton(AF_INET, item, pe->addr) == 1)
			pe->family = AF_INET;
		else if (inet_pton(AF_INET6, item, pe->addr) == 1)
			pe->family = AF_INET6;
		else {
			snprintf(why, whylen,
				 "'%s' is not an IPv4 or IPv6 address", item);
			return -1;
		}
		pe->dom = (unsigned)dom;
		cfg->npeers++;
		p += n;
		if (*p == ',' && !*++p) {
			snprintf(why, whylen, "a ',' with nothing after it");
			return -1;
		}
	}
	return 0;
}

/* The IPv4 address inside sa (plain, or v4-mapped IPv6), or NULL. */
static const struct in_addr *v4_of(const struct sockaddr *sa,
				   struct in_addr *buf)
{
	if (sa->sa_family == AF_INET)
		return &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a =
			&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
		if (IN6_IS_ADDR_V4MAPPED(a)) {
			memcpy(buf, a->s6_addr + 12, 4);
			return buf;
		}
	}
	return NULL;
}

long yb_wrap_peer_dom(const struct yb_wrap_cfg *cfg,
		      const struct sockaddr *sa)
{
	struct in_addr b;
	const struct in_addr *v4 = v4_of(sa, &b);

	for (int i = 0; i < cfg->npeers; i++) {
		const struct yb_wrap_peer *p = &cfg->peers[i];
		if (v4 ? p->family == AF_INET && !memcmp(p->addr, v4, 4) :
			 sa->sa_family == AF_INET6 && p->family == AF_INET6 &&
				 !memcmp(p->addr,
					 &((const struct sockaddr_in6 *)(const void *)
						   sa)->sin6_addr,
					 16))
			return (long)p->dom;
	}
	return -1;
}

static void ip_str(const struct sockaddr *sa, char *buf, size_t len)
{
	struct in_addr b;
	const struct in_addr *v4 = v4_of(sa, &b);

	if (v4)
		inet_ntop(AF_INET, v4, buf, (socklen_t)len);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
			  &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
			  buf, (socklen_t)len);
	else
		snprintf(buf, len, "?");
}

unsigned yb_wrap_port(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)(const void *)sa)->sin_port);
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)(const void *)sa)->sin6_port);
	return 0;
}

void yb_wrap_addr_str(const struct sockaddr *sa, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];
	struct in_addr b;

	ip_str(sa, ip, sizeof(ip));
	if (sa->sa_family == AF_INET6 && !v4_of(sa, &b))
		snprintf(buf, len, "[%s]:%u", ip, yb_wrap_port(sa));
	else
		snprintf(buf, len, "%s:%u", ip, yb_wrap_port(sa));
}

/* "\0yasmin-bench-wrap:IP:PORT"; its length. */
static size_t name_of(const char *ip, unsigned port, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%cyasmin-bench-wrap:%s:%u", 0, ip, port);

	return n > 0 && (size_t)n < len ? (size_t)n : 0;
}

size_t yb_wrap_rv_name(const struct sockaddr *sa, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	if (sa->sa_family != AF_INET && sa->sa_family != AF_INET6)
		return 0;
	ip_str(sa, ip, sizeof(ip));
	return name_of(ip, yb_wrap_port(sa), buf, len);
}

int yb_wrap_rv_candidates(const struct sockaddr *sa, int local,
			  char names[3][YB_WRAP_NAME_MAX], size_t lens[3])
{
	struct in_addr b;
	int n = 0;

	if (sa->sa_family != AF_INET && sa->sa_family != AF_INET6)
		return 0;
	unsigned port = yb_wrap_port(sa);
	lens[n] = yb_wrap_rv_name(sa, names[n], YB_WRAP_NAME_MAX);
	if (lens[n])
		n++;
	if (!local)
		return n;
	/* A listener on every address of its family takes it too; an IPv6
	 * one takes IPv4 clients unless IPV6_V6ONLY says otherwise. */
	if (v4_of(sa, &b) &&
	    (lens[n] = name_of("0.0.0.0", port, names[n], YB_WRAP_NAME_MAX)))
		n++;
	if ((lens[n] = name_of("::", port, names[n], YB_WRAP_NAME_MAX)))
		n++;
	return n;
}

int yb_wrap_loopback(const struct sockaddr *sa)
{
	struct in_addr b;
	const struct in_addr *v4 = v4_of(sa, &b);

	if (v4)
		return (ntohl(v4->s_addr) >> 24) == 127;
	if (sa->sa_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(
			&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr);
	return 0;
}

int yb_wrap_is_local(const struct sockaddr *sa)
{
	struct in_addr b, *v4 = (struct in_addr *)v4_of(sa, &b);
	struct ifaddrs *ifs, *i;
	int found = 0;

	if (yb_wrap_loopback(sa))
		return 1;
	if (sa->sa_family != AF_INET && sa->sa_family != AF_INET6)
		return 0;
	if (getifaddrs(&ifs) != 0)
		return 0;
	for (i = ifs; i && !found; i = i->ifa_next) {
		const struct sockaddr *a = i->ifa_addr;
		if (!a)
			continue;
		if (v4 && a->sa_family == AF_INET)
			found = memcmp(&((const struct sockaddr_in *)(const void *)a)->sin_addr,
				       v4, 4) == 0;
		else if (!v4 && sa->sa_family == AF_INET6 &&
			 a->sa_family == AF_INET6)
			found = memcmp(&((const struct sockaddr_in6 *)(const void *)a)->sin6_addr,
				       &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
				       16) == 0;
	}
	freeifaddrs(ifs);
	return found;
}

void yb_wrap_enc_hello(uint8_t *buf, const struct yb_wrap_hello *h)
{
	memset(buf, 0, YB_WRAP_HELLO_LEN);
	memcpy(buf, hello_magic, 8);
	yb_put16(buf + 8, (uint16_t)h->version);
	yb_put16(buf + 10, (uint16_t)h->port);
	yb_put32(buf + 12, (uint32_t)h->pid);
}

int yb_wrap_dec_hello(const uint8_t *buf, size_t len, struct yb_wrap_hello *h,
		      struct yb_err *err)
{
	if (len != YB_WRAP_HELLO_LEN)
		return yb_err_set(err, YB_EPROTO, "hello of %zu bytes, not %d",
				  len, YB_WRAP_HELLO_LEN);
	if (memcmp(buf, hello_magic, 8) != 0)
		return yb_err_set(err, YB_EPROTO, "not a wrap hello (bad magic)");
	unsigned version = yb_get16(buf + 8), port = yb_get16(buf + 10);
	if (version != YB_WRAP_VERSION)
		return yb_err_set(err, YB_EPROTO,
				  "hello of version %u (this is %d)", version,
				  YB_WRAP_VERSION);
	if (port == 0)
		return yb_err_set(err, YB_EPROTO, "hello names port 0");
	if (yb_get32(buf + 16) != 0)
		return yb_err_set(err, YB_EPROTO, "hello's reserved word is set");
	for (size_t i = 20; i < YB_WRAP_HELLO_LEN; i++)
		if (buf[i])
			return yb_err_set(err, YB_EPROTO,
					  "hello's reserved byte %zu is set", i);
	h->version = version;
	h->port = port;
	h->pid = yb_get32(buf + 12);
	return 0;
}
