/* SPDX-License-Identifier: GPL-2.0-or-later OR MIT */
/*
 * The payload pattern every zcnic traffic source writes and every sink
 * checks. Each byte depends on the stream's seed and on its offset in the
 * stream, so a byte that lands at the wrong place, in the wrong stream or
 * twice is caught, not only a corrupted one.
 */
#ifndef ZCNIC_PATTERN_H
#define ZCNIC_PATTERN_H

#include <stddef.h>
#include <stdint.h>

/* splitmix64 finaliser: a cheap bijective mixer */
static inline uint64_t zc_mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static inline uint8_t zc_pattern_byte(uint64_t seed, uint64_t off)
{
	return (uint8_t)(zc_mix64(seed ^ (off >> 3) * 0x100000001b3ull) >> (8 * (off & 7)));
}

/* Fill buf with the stream's bytes [off, off + len). */
static inline void zc_pattern_fill(uint64_t seed, uint64_t off, uint8_t *buf, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint64_t word = zc_mix64(seed ^ ((off + i) >> 3) * 0x100000001b3ull);
		unsigned int b;

		for (b = (off + i) & 7; b < 8 && i < len; b++, i++)
			buf[i] = (uint8_t)(word >> (8 * b));
	}
}

/* The seed of one TCP stream: the run's base seed and its source port. */
static inline uint64_t zc_stream_seed(uint64_t base, uint16_t sport)
{
	return zc_mix64(base ^ ((uint64_t)sport << 32));
}

/*
 * Check buf against the stream's bytes [off, off + len). Returns the index
 * of the first wrong byte, or len when all are right.
 */
static inline size_t zc_pattern_check(uint64_t seed, uint64_t off, const uint8_t *buf, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint64_t word = zc_mix64(seed ^ ((off + i) >> 3) * 0x100000001b3ull);
		unsigned int b;

		for (b = (off + i) & 7; b < 8 && i < len; b++, i++)
			if (buf[i] != (uint8_t)(word >> (8 * b)))
				return i;
	}
	return len;
}

#endif /* ZCNIC_PATTERN_H */
