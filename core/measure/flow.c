/* flow.c - the data of a stream run, sent, received or both; see flow.h. */
#include "core/measure/flow.h"

#include <stdio.h>

#include "core/base/clock.h"
#include "core/base/mode.h"

int yb_flow_send(struct yb_ep *ep, const struct yb_pattern *pat,
		 uint64_t seq, uint64_t bytes, uint64_t reps,
		 struct yb_spent *spent, yb_ns *start, struct yb_err *err)
{
	struct yb_usage u0, u1;
	int rc = 0;

	yb_usage_read(&u0, 1);
	*start = yb_now();
	for (uint64_t i = 0; !rc && i < reps; i++)
		rc = yb_send_all(ep, yb_pattern_msg(pat, seq + i), bytes, err);
	yb_usage_read(&u1, 0);
	memset(spent, 0, sizeof(*spent));
	yb_spent_add(spent, &u0, &u1);
	return rc;
}

/* Check message seq, which has arrived whole in rx->buf. */
static void check_msg(struct yb_flow_rx *rx, uint64_t seq, uint64_t bytes)
{
	size_t off;

	if (rx->bad[0] ||
	    !yb_pattern_check(rx->pat, seq, rx->buf, (size_t)bytes, &off))
		return;
	snprintf(rx->bad, sizeof(rx->bad),
		 "message %llu of %llu bytes differs at byte %zu",
		 (unsigned long long)seq, (unsigned long long)bytes, off);
}

/* Wait for the first byte; the wait is nobody's window. */
static int first_byte(struct yb_ep *ep, int timeout_ms, struct yb_err *err)
{
	int w = yb_ep_wait(ep, YB_WAIT_READ, timeout_ms);

	if (w == 0)
		return yb_err_set(err, YB_ETIMEDOUT, "%s: no data within %d ms",
				  ep->peer, timeout_ms);
	if (w < 0 && w != YB_EINTR)
		return yb_err_set(err, w, "%s: wait: %s", ep->peer,
				  yb_strerror(w));
	return 0;
}

/* The receiver's time of the bytes it counted, scaled to all of them. */
static yb_ns scaled(yb_ns t0, yb_ns t1, uint64_t total, uint64_t first)
{
	if (first >= total)
		return t1 - t0;
	return (yb_ns)((double)(t1 - t0) * (double)total /
		       (double)(total - first));
}

int yb_flow_recv(struct yb_ep *ep, struct yb_flow_rx *rx, uint64_t seq,
		 uint64_t bytes, uint64_t reps, struct yb_err *err)
{
	uint64_t total = bytes * reps, got = 0, done = 0;
	struct yb_usage u0, u1;
	yb_ns t1;
	int rc = first_byte(ep, rx->timeout_ms, err);

	rx->bad[0] = '\0';
	rx->backlog = 0;
	if (rc)
		return rc;
	if (rx->check) {
		rx->start = yb_now();
		yb_usage_read(&u0, 1);
		for (uint64_t i = 0; i < reps && !rc; i++) {
			rc = yb_recv_all(ep, rx->buf, (size_t)bytes, err);
			if (!rc)
				check_msg(rx, seq + i, bytes);
		}
		t1 = yb_now();
		yb_usage_read(&u1, 0);
		rx->elapsed = t1 - rx->start;
	} else {
		size_t first;
		rc = yb_recv_some(ep, rx->buf,
				  total < rx->max ? (size_t)total :
						    (size_t)rx->max,
				  &first, err);
		rx->start = yb_now();
		yb_usage_read(&u0, 1);
		got = rc ? 0 : first;
		while (!rc && got < total) {
			/* The rest of a message cut by the first read, then
			 * whole messages. */
			uint64_t want = bytes - got % bytes;
			rc = yb_recv_all(ep, rx->buf, (size_t)want, err);
			got += want;
			if (!rc && rx->on_data)
				rx->on_data(rx->on_data_ctx, YB_MODE_STREAM,
					    bytes, done++);
		}
		t1 = yb_now();
		yb_usage_read(&u1, 0);
		rx->backlog = rc ? 0 : first;
		rx->elapsed = scaled(rx->start, t1, total, rx->backlog);
	}
	memset(&rx->spent, 0, sizeof(rx->spent));
	yb_spent_add(&rx->spent, &u0, &u1);
	return rc;
}

/*
 * Bytes to ask of the next read: a checked run and everything after the
 * first read go message by message (the rest of the message under way);
 * an unchecked first read takes all that is waiting, up to the buffer.
 */
static uint64_t next_read(const struct yb_flow_rx *rx, uint64_t got,
			  uint64_t bytes, uint64_t total, int first)
{
	if (first && !rx->check)
		return total < rx->max ? total : rx->max;
	return bytes - got % bytes;
}

int yb_flow_both(struct yb_ep *ep, const struct yb_pattern *pat,
		 struct yb_flow_rx *rx, uint64_t seq, uint64_t bytes,
		 uint64_t reps, struct yb_err *err)
{
	uint64_t total = bytes * reps, sent = 0, got = 0, done = 0;
	struct yb_usage u0, u1;
	yb_ns t1 = 0;
	int first = 1;

	if (!ep->t->send_try || !ep->t->recv_try)
		return yb_err_set(err, YB_ENOTSUP,
				  "%s cannot move both directions at once "
				  "(it has no non-blocking send and receive)",
				  ep->t->name);
	rx->bad[0] = '\0';
	rx->backlog = 0;
	yb_usage_read(&u0, 1);
	rx->start = yb_now();
	while (sent < total || got < total) {
		int moved = 0;
		if (sent < total) {
			uint64_t off = sent % bytes;
			ssize_t n = yb_ep_send_try(
				ep, yb_pattern_msg(pat, seq + sent / bytes) + off,
				(size_t)(bytes - off));
			if (n > 0) {
				sent += (uint64_t)n;
				moved = 1;
			} else if (n != YB_EAGAIN && n != YB_EINTR) {
				return yb_ep_xfer_error(ep, n, 1, err);
			}
		}
		if (got < total) {
			uint64_t want = next_read(rx, got, bytes, total, first);
			uint64_t at = first ? 0 : got % bytes;
			ssize_t n = yb_ep_recv_try(ep, rx->buf + at,
						   (size_t)want);
			if (n > 0) {
				int timed = !first || rx->check;
				if (!timed) {
					/* Arrived before any clock here. */
					rx->start = yb_now();
					rx->backlog = (uint64_t)n;
				}
				first = 0;
				uint64_t before = got / bytes;
				got += (uint64_t)n;
				for (uint64_t m = before; m < got / bytes; m++) {
					if (rx->check)
						check_msg(rx, seq + m, bytes);
					else if (timed && rx->on_data)
						rx->on_data(rx->on_data_ctx,
							    YB_MODE_STREAM,
							    bytes, done++);
				}
				if (got >= total)
					t1 = yb_now();
				moved = 1;
			} else if (n != YB_EAGAIN && n != YB_EINTR) {
				return yb_ep_xfer_error(ep, n, 0, err);
			}
		}
		if (moved)
			continue;
		unsigned ev = (sent < total ? YB_WAIT_WRITE : 0) |
			      (got < total ? YB_WAIT_READ : 0);
		int w = yb_ep_wait(ep, ev, rx->timeout_ms);
		if (w == 0)
			return yb_err_set(err, YB_ETIMEDOUT,
					  "%s: nothing moved either way within "
					  "%d ms", ep->peer, rx->timeout_ms);
		if (w < 0 && w != YB_EINTR)
			return yb_err_set(err, w, "%s: wait: %s", ep->peer,
					  yb_strerror(w));
	}
	yb_usage_read(&u1, 0);
	rx->elapsed = rx->check ? t1 - rx->start :
				  scaled(rx->start, t1, total, rx->backlog);
	memset(&rx->spent, 0, sizeof(rx->spent));
	yb_spent_add(&rx->spent, &u0, &u1);
	return 0;
}
