/* SPDX-License-Identifier: GPL-2.0-or-later OR MIT */
/* Minimal KTAP output for the host unit tests. */
#ifndef ZCNIC_TAP_H
#define ZCNIC_TAP_H

#include <stdio.h>

static int tap_n, tap_failed;

#define tap_plan(n)	printf("KTAP version 1\n1..%d\n", (n))
#define tap_ok(cond, ...) do {						\
	tap_n++;							\
	if (cond) {							\
		printf("ok %d ", tap_n);				\
	} else {							\
		tap_failed++;						\
		printf("not ok %d ", tap_n);				\
	}								\
	printf(__VA_ARGS__);						\
	printf("\n");							\
	if (!(cond))							\
		printf("# failed: %s at %s:%d\n", #cond, __FILE__, __LINE__); \
} while (0)
#define tap_exit()	return tap_failed ? 1 : 0

#endif
