/* SPDX-License-Identifier: GPL-2.0-or-later OR MIT */
/*
 * Local mirrors of the Linux 7.3 zcrx uAPI that liburing 2.15's bundled
 * io_uring.h predates (event descriptors, statistics, newer control ops),
 * and small helpers shared by the zcnic zcrx guest tests.
 */
#ifndef ZCNIC_TEST_ZCRX_H
#define ZCNIC_TEST_ZCRX_H

#include <stdint.h>
#include <liburing.h>

struct t_zcrx_ifq_reg {
	__u32	if_idx;
	__u32	if_rxq;
	__u32	rq_entries;
	__u32	flags;
	__u64	area_ptr;
	__u64	region_ptr;
	struct io_uring_zcrx_offsets offsets;
	__u32	zcrx_id;
	__u32	rx_buf_len;
	__u64	event_desc;
	__u64	__resv[2];
};

enum {
	T_ZCRX_EVENT_ALLOC_FAIL = 0,
	T_ZCRX_EVENT_COPY = 1,
};

#define T_ZCRX_EVENT_DESC_FLAG_STATS	(1u << 0)

struct t_zcrx_stats {
	__u64	copy_count;
	__u64	copy_bytes;
};

struct t_zcrx_event_desc {
	__u64	user_data;
	__u32	type_mask;
	__u32	flags;
	__u64	stats_offset;
	__u64	__resv2[9];
};

enum {
	T_ZCRX_CTRL_FLUSH_RQ = 0,
	T_ZCRX_CTRL_EXPORT = 1,
	T_ZCRX_CTRL_ARM_EVENT = 2,
	T_ZCRX_CTRL_ADD_AREA = 3,
};

#define T_ZCRX_REG_IMPORT	1
#define T_ZCRX_REG_NODEV	2

struct t_zcrx_ctrl {
	__u32	zcrx_id;
	__u32	op;
	__u64	__resv[2];
	union {
		struct {
			__u32	zcrx_fd;
			__u32	__resv1[11];
		} zc_export;
		struct {
			__u64	__resv[6];
		} zc_flush;
		struct {
			__u32	event_type;
			__u32	__resv[11];
		} zc_arm_event;
		struct {
			__u64	area_ptr;
			__u64	__resv[5];
		} zc_area;
	};
};

_Static_assert(sizeof(struct t_zcrx_ifq_reg) == sizeof(struct io_uring_zcrx_ifq_reg),
	       "zcrx ifq reg layout");
_Static_assert(sizeof(struct t_zcrx_ctrl) == 72, "zcrx ctrl layout");

#endif /* ZCNIC_TEST_ZCRX_H */
