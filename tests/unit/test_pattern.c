// SPDX-License-Identifier: GPL-2.0-or-later OR MIT
/*
 * The payload pattern is the oracle of every data test, so it must catch
 * what a broken NIC or driver does: flipped, shifted, repeated or foreign
 * bytes, at any offset and chunking.
 */
#include <stdlib.h>
#include <string.h>

#include "pattern.h"
#include "tap.h"

#define LEN 70000

int main(void)
{
	static uint8_t a[LEN], b[LEN];
	int i, chunk_ok = 1, byte_ok = 1, flip_ok = 1;

	tap_plan(7);
	zc_pattern_fill(7, 0, a, LEN);
	tap_ok(zc_pattern_check(7, 0, a, LEN) == LEN, "fill-then-check");

	/* any chunking of the stream gives the same bytes */
	srand(1);
	for (i = 0; i < 2000; i++) {
		size_t off = rand() % (LEN - 100), len = 1 + rand() % 99;

		zc_pattern_fill(7, off, b, len);
		if (memcmp(a + off, b, len) || zc_pattern_check(7, off, a + off, len) != len)
			chunk_ok = 0;
	}
	tap_ok(chunk_ok, "chunking-independent");
	for (i = 0; i < 1000; i++)
		if (zc_pattern_byte(7, i * 61) != a[i * 61])
			byte_ok = 0;
	tap_ok(byte_ok, "byte-matches-fill");

	for (i = 0; i < 500; i++) {
		size_t pos = rand() % LEN;

		a[pos] ^= 1 << (rand() % 8);
		if (zc_pattern_check(7, 0, a, LEN) != pos)
			flip_ok = 0;
		a[pos] = zc_pattern_byte(7, pos);
	}
	tap_ok(flip_ok, "single-bit-flip-found-at-its-offset");

	/* data delivered at the wrong offset (a lost or doubled segment) */
	tap_ok(zc_pattern_check(7, 1448, a, 4096) < 16 && zc_pattern_check(7, 26, a, 4096) < 16,
	       "shifted-data-detected");
	/* another stream's data */
	zc_pattern_fill(8, 0, b, 4096);
	tap_ok(zc_pattern_check(7, 0, b, 4096) < 16, "foreign-stream-detected");
	tap_ok(zc_stream_seed(1, 40000) != zc_stream_seed(1, 40001) &&
	       zc_stream_seed(1, 40000) != zc_stream_seed(2, 40000), "stream-seeds-differ");
	tap_exit();
}
