/*
 * le.h - little-endian fields in messages and shared pages.
 *
 * The control protocol, the ring's control page and the transports'
 * handshakes all lay integers out little-endian, byte by byte, whatever
 * the machine's own order.
 */
#ifndef YB_LE_H
#define YB_LE_H

#include <stdint.h>

static inline void yb_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void yb_put32(uint8_t *p, uint32_t v)
{
	yb_put16(p, (uint16_t)v);
	yb_put16(p + 2, (uint16_t)(v >> 16));
}

static inline void yb_put64(uint8_t *p, uint64_t v)
{
	yb_put32(p, (uint32_t)v);
	yb_put32(p + 4, (uint32_t)(v >> 32));
}

static inline uint16_t yb_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t yb_get32(const uint8_t *p)
{
	return yb_get16(p) | (uint32_t)yb_get16(p + 2) << 16;
}

static inline uint64_t yb_get64(const uint8_t *p)
{
	return yb_get32(p) | (uint64_t)yb_get32(p + 4) << 32;
}

#endif /* YB_LE_H */
