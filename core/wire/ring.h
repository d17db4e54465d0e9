/*
 * ring.h - the YASMIN ring: a duplex byte stream over shared memory.
 *
 * Two processes (or two Xen domains) share one control page and two data
 * rings, one per direction.  This file is everything above the sharing:
 * counters, copying, notification suppression, waiting, liveness and the
 * checks that keep a hostile peer from steering us out of bounds.  How the
 * pages get shared and how a wake-up is delivered is a back end's business
 * (a sealed memfd with the rendezvous socket as doorbell in
 * transports/shm.c, grants + event channels for Xen);
 * the back end hands us mapped memory and a struct yb_ring_signal.
 *
 * Shared layout, version 2 (all integers little-endian, the byte order of
 * every machine that shares memory with us; see YB_RING_OFF_*):
 *
 *   control page, 4096 bytes
 *     0     u32 magic "YBRG", u16 version, u16 reserved,
 *           u8 order[2] (log2 of the data ring sizes, ring 0 then ring 1)
 *     128   u8 live[2]: 1 while side 0 (server) / side 1 (client) is
 *           connected; 2 once it sends nothing more but still reads
 *           (yb_ring_shutdown, a socket's SHUT_WR); 0 once it closed;
 *           anything else is corruption
 *     132   u32 cpu[2]: the CPU each side last waited on, plus one (0:
 *           unknown); advisory, only ever compared
 *     256   ring 0 producer line: u32 prod, u8 tail[4],
 *           u32 small_start, u32 small_len, u8 small[48]
 *     384   ring 0 consumer line: u32 cons
 *     512   ring 1 producer line
 *     640   ring 1 consumer line
 *     768   side 0's wake-up line: u32 want_space (for ring 0, which it
 *           writes), u32 want_data (for ring 1, which it reads)
 *     896   side 1's wake-up line: want_space (ring 1), want_data (ring 0)
 *     1024  free for the back end (e.g. a list of grant references)
 *   ring 0 data: written by side 0 (server), read by side 1 (client)
 *   ring 1 data: written by side 1, read by side 0
 *
 * Every line of the control page has one writer: the producer writes its
 * line, the consumer its own, each side its wake-up line.  The lines sit
 * 128 bytes apart so that even adjacent-line prefetching does not make the
 * two sides share a line.  A line the other side reads is written only
 * when something changes that it must see: the producer line once per
 * published piece, the wake-up lines only when a side is about to sleep.
 *
 * Counters run freely modulo 2^32; byte i of the stream lives at
 * data[i & (size - 1)].  want_space and want_data are wake-up thresholds
 * in the style of Xen's ring.h event indices: a side about to sleep writes
 * the counter value of the other side it is waiting for; the other side
 * signals only when its counter moves across that value.  Data going from
 * "empty" to "not empty" thus costs one wake-up, and a writer waiting for
 * space is woken once, when half of the ring has drained.
 *
 * Small messages ride with their publication, and every byte is also in
 * the data ring, which always holds the whole stream:
 *   - The producer counter and tail[], the last four bytes of the stream
 *     before it, are written and read as one 8-byte word.  A message of
 *     up to four bytes travels in the very word that announces it (the
 *     byte rides with its sequence number), and a reader that needs no
 *     more than those bytes looks nowhere else: a 1-byte ping-pong moves
 *     one cache line each way.
 *   - A piece of 5 to YB_RING_SMALL_MAX bytes is also copied into small[],
 *     with small_start its stream offset and small_len its length, before
 *     the producer counter moves; a reader whose next bytes are there
 *     copies them from the line that told it they exist.  small[] is a
 *     sequence lock: the producer writes small_len 0, then the bytes, then
 *     small_start and small_len; the reader loads start and len (one
 *     8-byte load), copies, and loads them again: any change means the
 *     producer was rewriting the bytes, and the reader takes them from the
 *     data ring instead, where they stay until the consumer counter
 *     releases them.
 *
 * The consumer's progress is published lazily.  After a small piece it
 * writes its counter only along with its own next producer counter (one
 * fence for both), before it waits for anything, when it closes, or once
 * a quarter of the ring has been read; larger reads publish it piece by
 * piece.  A producer that waits for space is therefore always answered:
 * the consumer either keeps reading (and publishes within a quarter of
 * the ring) or waits, and publishes first.  The producer in turn keeps
 * the last consumer counter it validated and reads the consumer line
 * again only when that leaves too little space (and while waiting), so
 * the consumer's progress crosses to the producer about once per ring,
 * not once per message.
 */
#ifndef YB_RING_H
#define YB_RING_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/base/err.h"
#include "core/base/meta.h"

#define YB_RING_MAGIC 0x47524259u /* "YBRG" read as little-endian */
#define YB_RING_VERSION 2
#define YB_RING_PAGE 4096u
#define YB_RING_MIN_ORDER 12 /* 4 KiB */
#define YB_RING_MAX_ORDER 30 /* 1 GiB: the largest ring a back end maps */
/*
 * Adaptive waiting spins for the budget its caller gives yb_ring_attach:
 * --spin-time, or this machine's measured cost of a sleep and a wake-up
 * (core/host/wake.h, chosen by the transports).
 */
#define YB_RING_MAX_SPIN_NS 10000000000ull /* the most a peer may ask: 10 s */

#define YB_RING_OFF_MAGIC 0
#define YB_RING_OFF_VERSION 4
#define YB_RING_OFF_ORDER 8
#define YB_RING_OFF_LIVE 128
#define YB_RING_OFF_CPU 132
#define YB_RING_OFF_LINE(ring, consumer) (256 + 256 * (ring) + 128 * (consumer))
/* In a producer line: the newest small piece (start, len) and its bytes. */
#define YB_RING_OFF_SMALL(ring) (YB_RING_OFF_LINE(ring, 0) + 8)
#define YB_RING_OFF_SMALL_DATA(ring) (YB_RING_OFF_LINE(ring, 0) + 16)
#define YB_RING_SMALL_MAX 48
#define YB_RING_TAIL 4 /* stream bytes riding beside the producer counter */
/* A side's wake-up line: want_space (+0) and want_data (+4). */
#define YB_RING_OFF_WANT(side) (768 + 128 * (side))
#define YB_RING_OFF_BACKEND 1024

/* A sleeper wakes at least this often to look for a dead peer. */
#define YB_RING_SLEEP_SLICE_MS 250

enum yb_wait_mode {
	YB_WAIT_ADAPTIVE = 0, /* spin up to spin_ns, then sleep (default) */
	YB_WAIT_POLL = 1,     /* spin, never sleep */
	YB_WAIT_BLOCK = 2,    /* sleep at once */
};

const char *yb_wait_name(int mode);
/* "poll", "block", "adaptive" -> mode; -1 if unknown. */
int yb_wait_parse(const char *s);

/*
 * How a back end delivers and awaits wake-ups.  wait() blocks until the
 * peer signals us (and consumes the signal), the peer is gone, or
 * timeout_ms passes: 1 signalled, 2 the peer is gone, 0 on timeout, or a
 * negative YB_E*.  peer_gone()
 * answers without blocking whether the other side has died (a back end
 * that cannot tell returns 0; the live bytes still catch a clean close).
 * fd() is a descriptor poll(2) reports readable when wait() would return.
 * wait(ctx, 0) is called only before a non-blocking caller goes back to
 * poll(2) on fd(): it takes the wake-ups already delivered, and a back end
 * that sleeps some cheaper way than on its descriptor (shm's futex) must
 * from then on deliver wake-ups to fd() as well.
 */
struct yb_ring_signal {
	int (*notify)(void *ctx);
	int (*wait)(void *ctx, int timeout_ms);
	int (*peer_gone)(void *ctx);
	int (*fd)(void *ctx);
	void *ctx;
	/* Optional: how we know when the peer vanished without closing the
	 * ring (peer_gone or a wait said so), for the error message. */
	const char *gone_why;
	/* 1 when the peer's CPU numbers are not ours (another Xen domain's
	 * vCPUs): the "peer waits on my CPU" hint is then meaningless. */
	int foreign_cpus;
};

struct yb_ring_stats {
	uint64_t notify_sent;       /* wake-ups we sent */
	uint64_t notify_suppressed; /* writes that needed none */
	uint64_t wake_requests;     /* times we asked the peer to wake us */
	uint64_t sleeps;            /* times we blocked in the back end */
	uint64_t spins;             /* busy-wait iterations */
	uint64_t small_read;        /* pieces read from the producer line */
	uint64_t bytes_sent, bytes_received;
};

/*
 * One side's view of a connected ring.  Only ring.c writes its fields
 * (a back end embeds the struct zero-filled and hands it to
 * yb_ring_attach), but they are not private to it: transports/ringep.c
 * reads the settings (tx_size, wait_mode, spin_ns, chunk) to describe the
 * ring in a run's metadata, and transports/yasmin.c reads ctrl to tell
 * whether the ring was ever attached before it closes it.
 */
struct yb_ring {
	uint8_t *ctrl;
	uint8_t *tx, *rx;       /* data rings we write / read */
	uint32_t tx_mask, rx_mask;
	uint32_t tx_size, rx_size;
	uint32_t tx_prod;       /* our counters: never read back from the */
	uint32_t rx_cons;       /* shared page, the peer may scribble there */
	uint32_t rx_cons_pub;   /* the consumer counter last published */
	uint32_t tx_tail;       /* the last 4 bytes we wrote, little-endian */
	uint32_t seen_rx_tail;  /* the tail loaded with seen_rx_prod */
	uint32_t seen_tx_cons;  /* last validated peer counters (the producer
				 * reads the consumer line only when this
				 * one leaves too little space) */
	uint32_t seen_rx_prod;
	uint32_t chunk;         /* publish progress every chunk bytes */
	int side;               /* 0 server, 1 client */
	int wait_mode;
	uint64_t spin_ns;
	uint32_t cpu_published; /* what we last wrote to our cpu word */
	int closed;             /* we closed our side */
	int shut;               /* we send nothing more (yb_ring_shutdown) */
	int split;              /* set by the owner before use: each direction
				 * may be driven by a thread or process of its
				 * own, so a wait on one never reads the other's
				 * private counters (the wrap shim) */
	int peer_closed;        /* the peer closed or died */
	int broken;             /* corruption seen: every call fails */
	struct yb_ring_signal sig;
	struct yb_ring_stats st;
	char error[200];
};

/* Shared-memory size for two rings of these orders (control page first). */
uint64_t yb_ring_shared_bytes(unsigned order0, unsigned order1);

/* Fill a fresh control page (the side that creates the memory does this). */
void yb_ring_format(void *ctrl, unsigned order0, unsigned order1);

/*
 * Check a control page created by the peer against the orders both sides
 * agreed on; reads every field once.  Errors name the field.
 */
int yb_ring_check(const void *ctrl, unsigned order0, unsigned order1,
		  struct yb_err *err);

/*
 * Attach one side.  data0 and data1 are the mapped data rings (ring 0 and
 * ring 1), each (1 << order) bytes.  Marks this side live.
 */
void yb_ring_attach(struct yb_ring *r, void *ctrl, void *data0, void *data1,
		    unsigned order0, unsigned order1, int side, int wait_mode,
		    uint64_t spin_ns, const struct yb_ring_signal *sig);

/*
 * Stream I/O, like write(2)/read(2) on a socket.  nonblock: return
 * YB_EAGAIN instead of waiting (having asked the peer to wake us, so that
 * yb_ring_fd() becomes readable when it is worth retrying).
 *
 * send: bytes written (> 0), YB_EAGAIN, YB_EPIPE (peer closed), YB_EPEER
 * (peer corrupted the ring; yb_ring_error() says how).
 * recv: bytes read (> 0), 0 at the end of the stream, YB_EAGAIN, YB_EPEER.
 */
ssize_t yb_ring_send(struct yb_ring *r, const void *buf, size_t len,
		     int nonblock);
ssize_t yb_ring_recv(struct yb_ring *r, void *buf, size_t len, int nonblock);
/*
 * One attempt each, never waiting and never asking the peer for a
 * wake-up: YB_EAGAIN when nothing could move.  For a caller that moves
 * both directions at once and, when neither can move, waits for both
 * with yb_ring_wait (which asks for the wake-ups it needs).
 */
ssize_t yb_ring_send_try(struct yb_ring *r, const void *buf, size_t len);
ssize_t yb_ring_recv_try(struct yb_ring *r, void *buf, size_t len);

/*
 * Wait until reading (YB_RING_READ) or writing (YB_RING_WRITE) would not
 * block, the peer is gone, or timeout_ms passes (-1: forever).  1 ready,
 * 0 timeout, negative YB_E*.  Follows the ring's waiting policy.
 */
#define YB_RING_READ 1u
#define YB_RING_WRITE 2u
#define YB_RING_HUP 4u /* yb_ring_poll: the peer closed, died or broke it */
int yb_ring_wait(struct yb_ring *r, unsigned events, int timeout_ms);

/*
 * For a caller about to poll(2) on yb_ring_fd(): which of events would
 * not block now (reading: data, or the end of the stream; writing:
 * space, or an error to report), with YB_RING_HUP when the peer has
 * closed, gone or corrupted the ring.  When none, the peer has been
 * asked to wake us (the descriptor becomes readable) for them.
 */
unsigned yb_ring_poll(struct yb_ring *r, unsigned events);

/*
 * Send nothing more (a socket's shutdown(SHUT_WR)): the peer reads what
 * was sent, then the end of the stream; we still read.  Idempotent.
 */
void yb_ring_shutdown(struct yb_ring *r);

/* Bytes readable now / space writable now (after validation), or < 0. */
ssize_t yb_ring_readable(struct yb_ring *r);
ssize_t yb_ring_writable(struct yb_ring *r);

/* The back end's pollable descriptor. */
int yb_ring_fd(const struct yb_ring *r);

/* Say goodbye: mark our side closed and wake the peer.  Idempotent. */
void yb_ring_close(struct yb_ring *r);

/* What went wrong, "" if nothing did. */
const char *yb_ring_error(const struct yb_ring *r);

/* Counters and settings into the metadata. */
void yb_ring_stats_meta(const struct yb_ring *r, struct yb_meta *m);

#endif /* YB_RING_H */
