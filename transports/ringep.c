/* ringep.c - the connected-endpoint operations shared by shm and yasmin. */
#include "transports/ringep.h"

#include "core/host/wake.h"

static struct yb_ring *ringep_ring(const struct yb_ep *ep)
{
	/* priv of a ring transport's connection starts with its ring. */
	return ep->priv;
}

ssize_t yb_ringep_send(struct yb_ep *ep, const void *buf, size_t len)
{
	return yb_ring_send(ringep_ring(ep), buf, len, 0);
}

ssize_t yb_ringep_recv(struct yb_ep *ep, void *buf, size_t len)
{
	return yb_ring_recv(ringep_ring(ep), buf, len, 0);
}

ssize_t yb_ringep_send_try(struct yb_ep *ep, const void *buf, size_t len)
{
	return yb_ring_send_try(ringep_ring(ep), buf, len);
}

ssize_t yb_ringep_recv_try(struct yb_ep *ep, void *buf, size_t len)
{
	return yb_ring_recv_try(ringep_ring(ep), buf, len);
}

int yb_ringep_wait(struct yb_ep *ep, unsigned events, int timeout_ms)
{
	unsigned re = 0;

	if (events & YB_WAIT_READ)
		re |= YB_RING_READ;
	if (events & YB_WAIT_WRITE)
		re |= YB_RING_WRITE;
	return yb_ring_wait(ringep_ring(ep), re, timeout_ms);
}

const char *yb_ringep_last_error(const struct yb_ep *ep)
{
	const struct yb_ring *r = ringep_ring(ep);
	return r ? yb_ring_error(r) : NULL;
}

void yb_ringep_counters(const struct yb_ep *ep, struct yb_meta *m)
{
	const struct yb_ring *r = ringep_ring(ep);
	if (r)
		yb_ring_stats_meta(r, m);
}

uint64_t yb_ringep_spin(uint64_t asked)
{
	return asked ? asked : yb_spin_budget_ns(NULL);
}

void yb_ringep_describe(const struct yb_ep *ep, struct yb_meta *m,
			int spin_auto)
{
	const struct yb_ring *r = ringep_ring(ep);

	if (!r)
		return;
	/* Both directions have the size the client asked for. */
	yb_meta_set_int(m, "ring_bytes", r->tx_size);
	yb_meta_set(m, "wait", "%s", yb_wait_name(r->wait_mode));
	yb_meta_set_int(m, "spin_ns", (long long)r->spin_ns);
	if (spin_auto) {
		double wake;
		yb_spin_budget_ns(&wake);
		yb_meta_set(m, "spin_rule", "%s", "sleep-and-wake-up cost");
		yb_meta_set_int(m, "wake_ns", (long long)wake);
	} else {
		yb_meta_set(m, "spin_rule", "%s", "asked for");
	}
	yb_meta_set_int(m, "publish_bytes", r->chunk);
}

int yb_ring_order_of(uint64_t bytes)
{
	int o = 0;

	if (bytes == 0 || (bytes & (bytes - 1)))
		return -1;
	while ((1ull << o) < bytes)
		o++;
	return o;
}
