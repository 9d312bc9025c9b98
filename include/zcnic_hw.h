/* SPDX-License-Identifier: GPL-2.0-or-later OR MIT */
/*
 * zcnic hardware interface: BAR0 register map and DMA descriptor formats.
 *
 * This header is the single definition of the device's programming model.
 * It is shared verbatim by the QEMU model (hw/net/zcnic*.c) and the Linux
 * driver (driver/zcnic*.c); docs/hw-spec.md explains it in prose.
 *
 * Conventions:
 *  - Registers are 32 bits wide, little endian, at the byte offsets given.
 *  - A field is a mask (ZCNIC_GENMASK); its values, where it has named ones,
 *    sit in an enum right under it.  Use FIELD_PREP/FIELD_GET in the kernel,
 *    zcnic_field_get()/zcnic_field_prep() below elsewhere.
 *  - Every block is bracketed by ZCNIC_CSR_START_x / ZCNIC_CSR_END_x so that
 *    a register dump can walk it.
 *  - Descriptors are little-endian structs of fixed size.
 */
#ifndef ZCNIC_HW_H
#define ZCNIC_HW_H

#ifdef __KERNEL__
#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/types.h>
typedef __le16 zcnic_le16;
typedef __le32 zcnic_le32;
typedef __le64 zcnic_le64;
#define ZCNIC_STATIC_ASSERT(expr, msg) static_assert(expr, msg)
#else
#include <stdint.h>
typedef uint16_t zcnic_le16;
typedef uint32_t zcnic_le32;
typedef uint64_t zcnic_le64;
#define ZCNIC_STATIC_ASSERT(expr, msg) _Static_assert(expr, msg)
#endif

#define ZCNIC_BIT(nr)		(1u << (nr))
#define ZCNIC_GENMASK(h, l)	(((~0u) << (l)) & (~0u >> (31 - (h))))

#ifndef __KERNEL__
/* Mask-based field helpers for code without <linux/bitfield.h>. */
static inline uint32_t zcnic_field_get(uint32_t mask, uint32_t reg)
{
	return (reg & mask) >> __builtin_ctz(mask);
}

static inline uint32_t zcnic_field_prep(uint32_t mask, uint32_t val)
{
	return (val << __builtin_ctz(mask)) & mask;
}
#endif

/* ---------------------------------------------------------------------- */
/* PCI identity                                                            */
/* ---------------------------------------------------------------------- */

/* 1af4:10f0-10ff is QEMU's range for experimental devices. */
#define ZCNIC_PCI_VENDOR_ID	0x1af4
#define ZCNIC_PCI_DEVICE_ID	0x10f5
#define ZCNIC_PCI_REVISION	0x01
#define ZCNIC_PCI_CLASS		0x0200		/* Ethernet controller */

#define ZCNIC_BAR_REGS		0		/* 64-bit memory BAR */
#define ZCNIC_BAR_MSIX		2		/* MSI-X table and PBA */
#define ZCNIC_BAR_REGS_SIZE	0x8000

/* ---------------------------------------------------------------------- */
/* Limits                                                                  */
/* ---------------------------------------------------------------------- */

#define ZCNIC_MAX_QUEUES	64	/* queue pairs the register map has room for */
#define ZCNIC_RING_MIN		16	/* entries; ring sizes are powers of two */
#define ZCNIC_RING_MAX		16384
#define ZCNIC_PAY_SHIFT_MIN	12	/* payload buffers: 4 KiB ... */
#define ZCNIC_PAY_SHIFT_MAX	16	/* ... 64 KiB */
#define ZCNIC_PAY_ALIGN		128	/* packed payloads start at this alignment */
#define ZCNIC_HDR_BUF_MIN	128	/* header buffer bytes, multiple of 64 */
#define ZCNIC_HDR_BUF_MAX	4096
#define ZCNIC_FRAME_MIN		60	/* shorter frames are padded */
#define ZCNIC_FRAME_MAX		16384	/* largest frame, either direction */
/* Largest coalesced receive (RXQ_CTRL.GRO), headers included: an IP
 * datagram of 64 KiB and its link header.  Its payload never needs more
 * than 17 payload buffers.
 */
#define ZCNIC_GRO_FRAME_MAX	65600
/* The most separate TCP segments the device coalesces into one receive
 * (RXQ_CTRL.GRO, v1.5).
 */
#define ZCNIC_GRO_SEGS_MAX	64
/* Largest TCP segmentation offload frame (TXD_TSO), headers included, and
 * the most segments one may become (v1.4).
 */
#define ZCNIC_TSO_FRAME_MAX	65536
#define ZCNIC_TSO_SEGS_MAX	256
#define ZCNIC_RSS_KEY_LEN	40
#define ZCNIC_RSS_INDIR_SIZE	128
#define ZCNIC_RSS_CTXS		8	/* context 0 (default) + 7 extra */
#define ZCNIC_NTUPLE_RULES	64
#define ZCNIC_TX_MAX_FRAGS	32	/* descriptors per TX frame */

/* MSI-X vector 0 is the device vector; queue pair q defaults to 1 + q. */
#define ZCNIC_VEC_DEVICE	0
#define ZCNIC_VEC_QUEUE(q)	(1 + (q))

/* ---------------------------------------------------------------------- */
/* Device block                                                            */
/* ---------------------------------------------------------------------- */

#define ZCNIC_CSR_START_DEV	0x0000
#define ZCNIC_DEV_ID		0x0000		/* RO: ZCNIC_DEV_ID_MAGIC */
#define ZCNIC_DEV_ID_MAGIC	0x5a434e31	/* "ZCN1" */
#define ZCNIC_DEV_VERSION	0x0004		/* RO */
#define ZCNIC_DEV_VERSION_MINOR		ZCNIC_GENMASK(15, 0)
#define ZCNIC_DEV_VERSION_MAJOR		ZCNIC_GENMASK(31, 16)
#define ZCNIC_VERSION_MAJOR	1
#define ZCNIC_VERSION_MINOR	5	/* 1: RSS_FIELDS, 2: QP_IRQ_CTRL.SWINT,
					 * 3: RXQ_CTRL.GRO (large receive),
					 * 4: TXD_TSO (TCP segmentation),
					 * 5: RXQ_CTRL.GRO also coalesces
					 *    separate segments; TXD_TSO in
					 *    VXLAN, GRE and IP-in-IP tunnels
					 */
#define ZCNIC_DEV_CAPS		0x0008		/* RO */
#define ZCNIC_DEV_CAPS_QUEUES		ZCNIC_GENMASK(7, 0)	/* queue pairs */
#define ZCNIC_DEV_CAPS_RSS_CTXS		ZCNIC_GENMASK(11, 8)
#define ZCNIC_DEV_CAPS_NTUPLE		ZCNIC_GENMASK(19, 12)	/* rules */
#define ZCNIC_DEV_CAPS_VECTORS		ZCNIC_GENMASK(27, 20)	/* MSI-X vectors - 1 */
#define ZCNIC_DEV_CTRL		0x0010
#define ZCNIC_DEV_CTRL_RESET		ZCNIC_BIT(0)	/* self-clearing */
#define ZCNIC_DEV_STATUS	0x0014		/* RO */
#define ZCNIC_DEV_STATUS_LINK_UP	ZCNIC_BIT(0)
#define ZCNIC_DEV_MAC_LO	0x0018		/* MAC bytes 0..3, byte 0 in bits 7:0 */
#define ZCNIC_DEV_MAC_HI	0x001c		/* MAC bytes 4..5 in bits 15:0 */
#define ZCNIC_DEV_MAX_FRAME	0x0020		/* RX frames longer than this drop */
#define ZCNIC_DEV_RX_FILTER	0x0024
#define ZCNIC_DEV_RX_FILTER_PROMISC	ZCNIC_BIT(0)
#define ZCNIC_DEV_RX_FILTER_ALLMULTI	ZCNIC_BIT(1)
#define ZCNIC_DEV_RX_FILTER_BCAST	ZCNIC_BIT(2)
#define ZCNIC_DEV_IRQ_CAUSE	0x0030		/* write 1 to clear */
#define ZCNIC_DEV_IRQ_MASK	0x0034		/* 1 = cause raises vector 0 */
#define ZCNIC_DEV_IRQ_LINK		ZCNIC_BIT(0)	/* link state changed */
#define ZCNIC_DEV_IRQ_QERR		ZCNIC_BIT(1)	/* a queue stopped on error */
#define ZCNIC_DEV_SCRATCH0	0x0040		/* RW, for register self-test */
#define ZCNIC_DEV_SCRATCH1	0x0044
#define ZCNIC_DEV_GUEST_ERRS	0x0048		/* RO: programming errors seen */
#define ZCNIC_CSR_END_DEV	0x004c

/* ---------------------------------------------------------------------- */
/* Ntuple steering: a staging area and a command register                  */
/* ---------------------------------------------------------------------- */
/*
 * Software fills the staging registers and writes NTUPLE_CMD with an
 * operation and a rule index; the device applies it atomically.  READ loads
 * a rule into the staging registers.  Lower index wins when several enabled
 * rules match.  Addresses are in network byte order as they appear on the
 * wire, packed into registers least significant byte first (so a register
 * holds the bytes exactly as in memory on a little-endian host).
 */
#define ZCNIC_CSR_START_NTUPLE	0x0100
#define ZCNIC_NT_FLOW		0x0100
#define ZCNIC_NT_FLOW_TYPE		ZCNIC_GENMASK(2, 0)
enum {
	ZCNIC_NT_FLOW_TCP4 = 1,
	ZCNIC_NT_FLOW_UDP4 = 2,
	ZCNIC_NT_FLOW_TCP6 = 3,
	ZCNIC_NT_FLOW_UDP6 = 4,
};

#define ZCNIC_NT_FLOW_ENABLE		ZCNIC_BIT(31)
#define ZCNIC_NT_SRC_IP(i)	(0x0104 + 4 * (i))	/* i = 0..3; IPv4 uses 0 */
#define ZCNIC_NT_SRC_MASK(i)	(0x0114 + 4 * (i))
#define ZCNIC_NT_DST_IP(i)	(0x0124 + 4 * (i))
#define ZCNIC_NT_DST_MASK(i)	(0x0134 + 4 * (i))
#define ZCNIC_NT_PORTS		0x0144		/* host byte order */
#define ZCNIC_NT_PORTS_SRC		ZCNIC_GENMASK(15, 0)
#define ZCNIC_NT_PORTS_DST		ZCNIC_GENMASK(31, 16)
#define ZCNIC_NT_PORT_MASKS	0x0148
#define ZCNIC_NT_ACTION		0x014c
#define ZCNIC_NT_ACTION_TYPE		ZCNIC_GENMASK(1, 0)
enum {
	ZCNIC_NT_ACT_QUEUE = 0,		/* deliver to queue ARG */
	ZCNIC_NT_ACT_RSS = 1,		/* hash with RSS context ARG */
	ZCNIC_NT_ACT_DROP = 2,
};

#define ZCNIC_NT_ACTION_ARG		ZCNIC_GENMASK(15, 8)
#define ZCNIC_NT_CMD		0x0150
#define ZCNIC_NT_CMD_INDEX		ZCNIC_GENMASK(7, 0)
#define ZCNIC_NT_CMD_OP			ZCNIC_GENMASK(9, 8)
enum {
	ZCNIC_NT_OP_WRITE = 1,
	ZCNIC_NT_OP_CLEAR = 2,
	ZCNIC_NT_OP_READ = 3,
};

#define ZCNIC_NT_STATUS		0x0154		/* RO: result of the last command */
#define ZCNIC_NT_STATUS_ERR		ZCNIC_BIT(0)
#define ZCNIC_CSR_END_NTUPLE	0x0158

/* ---------------------------------------------------------------------- */
/* RSS contexts                                                            */
/* ---------------------------------------------------------------------- */
/*
 * Context 0 steers every packet that no ntuple rule claims.  Each context
 * has a Toeplitz key, a hash-type enable mask, the header fields each type
 * hashes and a 128-entry indirection table of queue numbers, four entries
 * per register (entry 4*i in bits 7:0 of register i).  An entry naming a
 * queue that does not exist or is not enabled drops the packet and counts
 * it in RX_DROP_STEER of queue 0.
 */
#define ZCNIC_CSR_START_RSS	0x0800
#define ZCNIC_RSS_CTX_BASE(c)	(0x0800 + 0x100 * (c))
/* Key byte 4*i + j sits in bits 8*j+7:8*j of RSS_KEY(c, i), so a register
 * holds the key bytes exactly as in memory on a little-endian host.
 */
#define ZCNIC_RSS_KEY(c, i)	(ZCNIC_RSS_CTX_BASE(c) + 4 * (i))	/* i = 0..9 */
#define ZCNIC_RSS_CFG(c)	(ZCNIC_RSS_CTX_BASE(c) + 0x28)
#define ZCNIC_RSS_CFG_ENABLE		ZCNIC_BIT(0)	/* else: queue = INDIR[0] */
#define ZCNIC_RSS_CFG_IPV4		ZCNIC_BIT(1)	/* hash addresses only */
#define ZCNIC_RSS_CFG_TCP4		ZCNIC_BIT(2)	/* addresses and ports */
#define ZCNIC_RSS_CFG_UDP4		ZCNIC_BIT(3)
#define ZCNIC_RSS_CFG_IPV6		ZCNIC_BIT(4)
#define ZCNIC_RSS_CFG_TCP6		ZCNIC_BIT(5)
#define ZCNIC_RSS_CFG_UDP6		ZCNIC_BIT(6)
/* The header fields each hash type feeds to Toeplitz: RSS_CFG picks a
 * frame's type, RSS_FIELDS what that type hashes.  One 4-bit set of
 * ZCNIC_RSS_FIELD_* per type, type t (ZCNIC_RSS_TYPE_*) in
 * ZCNIC_RSS_FIELDS_TYPE(t).  The address-only types (IPV4, IPV6) have no
 * ports: their L4 bits read as 0.  Since minor version 1; the reset value
 * hashes exactly what RSS_CFG alone did before.
 */
#define ZCNIC_RSS_FIELDS(c)	(ZCNIC_RSS_CTX_BASE(c) + 0x2c)
#define ZCNIC_RSS_FIELDS_TYPE(t)	(0xfu << (4 * ((t) - 1)))
#define ZCNIC_RSS_FIELDS_IPV4		ZCNIC_GENMASK(3, 0)
#define ZCNIC_RSS_FIELDS_TCP4		ZCNIC_GENMASK(7, 4)
#define ZCNIC_RSS_FIELDS_UDP4		ZCNIC_GENMASK(11, 8)
#define ZCNIC_RSS_FIELDS_IPV6		ZCNIC_GENMASK(15, 12)
#define ZCNIC_RSS_FIELDS_TCP6		ZCNIC_GENMASK(19, 16)
#define ZCNIC_RSS_FIELDS_UDP6		ZCNIC_GENMASK(23, 20)
enum {
	ZCNIC_RSS_FIELD_IP_SRC = ZCNIC_BIT(0),	/* source address */
	ZCNIC_RSS_FIELD_IP_DST = ZCNIC_BIT(1),	/* destination address */
	ZCNIC_RSS_FIELD_L4_SRC = ZCNIC_BIT(2),	/* TCP/UDP source port */
	ZCNIC_RSS_FIELD_L4_DST = ZCNIC_BIT(3),	/* TCP/UDP destination port */
};

/* Symmetric XOR input transform: each hashed field is replaced by itself
 * XOR its partner (source XOR destination), so both directions of a flow
 * hash alike.
 */
#define ZCNIC_RSS_FIELDS_SYM_XOR	ZCNIC_BIT(24)
/* Reset value: every field of every type, no transform. */
#define ZCNIC_RSS_FIELDS_DEFAULT	0x00ff3ff3
#define ZCNIC_RSS_INDIR(c, i)	(ZCNIC_RSS_CTX_BASE(c) + 0x40 + 4 * (i))	/* i = 0..31 */
#define ZCNIC_CSR_END_RSS	(ZCNIC_RSS_CTX_BASE(ZCNIC_RSS_CTXS))

/* ---------------------------------------------------------------------- */
/* Queue pair blocks                                                       */
/* ---------------------------------------------------------------------- */

#define ZCNIC_CSR_START_QUEUE	0x1000
#define ZCNIC_Q_BASE(q)		(0x1000 + 0x100 * (q))
#define ZCNIC_Q_STRIDE		0x100
#define ZCNIC_CSR_END_QUEUE(nq)	ZCNIC_Q_BASE(nq)

/* Offsets inside a queue pair block. */

/* RX control.  Clearing ENABLE asks the queue to stop; the device then sets
 * RXQ_STATUS.ENABLED to 0 and from that moment never touches the queue's
 * rings or buffers again.  Setting ENABLE (re)starts the queue with every
 * ring index at 0 and the completion generation at 1.
 */
#define ZCNIC_RXQ_CTRL		0x00
#define ZCNIC_RXQ_CTRL_ENABLE		ZCNIC_BIT(0)
#define ZCNIC_RXQ_CTRL_HDS		ZCNIC_BIT(1)	/* header/data split */
#define ZCNIC_RXQ_CTRL_PACK		ZCNIC_BIT(2)	/* pack payloads */
/* Hardware GRO: TCP segments the backend hands over already coalesced
 * (a tap's offloaded frames) arrive as one completion with RCD_GRO, its
 * segment count and size; without it such a frame is dropped.  (v1.3)
 */
#define ZCNIC_RXQ_CTRL_GRO		ZCNIC_BIT(3)
#define ZCNIC_RXQ_STATUS	0x04		/* RO */
#define ZCNIC_RXQ_STATUS_ENABLED	ZCNIC_BIT(0)
#define ZCNIC_RXQ_STATUS_ERROR		ZCNIC_BIT(1)	/* stopped on a guest error */
#define ZCNIC_RXQ_STATUS_ERRCODE	ZCNIC_GENMASK(15, 8)
#define ZCNIC_RXQ_BUF_CFG	0x08
#define ZCNIC_RXQ_BUF_CFG_HDR_LEN	ZCNIC_GENMASK(12, 0)	/* header buffer bytes */
#define ZCNIC_RXQ_BUF_CFG_PAY_SHIFT	ZCNIC_GENMASK(20, 16)	/* log2 payload buffer */
#define ZCNIC_RXQ_HDS_THRESH	0x0c		/* payload bytes kept with header */
#define ZCNIC_RXQ_HBR_BASE_LO	0x10		/* header buffer ring */
#define ZCNIC_RXQ_HBR_BASE_HI	0x14
#define ZCNIC_RXQ_HBR_SIZE	0x18		/* entries */
#define ZCNIC_RXQ_HBR_TAIL	0x1c		/* written by software: next free slot */
#define ZCNIC_RXQ_HBR_HEAD	0x20		/* RO: next slot the device takes */
#define ZCNIC_RXQ_PBR_BASE_LO	0x24		/* payload buffer ring */
#define ZCNIC_RXQ_PBR_BASE_HI	0x28
#define ZCNIC_RXQ_PBR_SIZE	0x2c
#define ZCNIC_RXQ_PBR_TAIL	0x30
#define ZCNIC_RXQ_PBR_HEAD	0x34
#define ZCNIC_RXQ_RCQ_BASE_LO	0x38		/* RX completion ring */
#define ZCNIC_RXQ_RCQ_BASE_HI	0x3c
#define ZCNIC_RXQ_RCQ_SIZE	0x40
#define ZCNIC_RXQ_RCQ_HEAD	0x44		/* written by software: next unread slot */
#define ZCNIC_RXQ_RCQ_TAIL	0x48		/* RO: next slot the device writes */

/* Interrupt of the queue pair (RX and TX completions share it). */
#define ZCNIC_QP_IRQ_VEC	0x60		/* MSI-X vector, default 1 + q */
#define ZCNIC_QP_IRQ_CTRL	0x64
#define ZCNIC_QP_IRQ_CTRL_ARM		ZCNIC_BIT(0)	/* W: allow one interrupt */
#define ZCNIC_QP_IRQ_CTRL_ARMED		ZCNIC_BIT(0)	/* R */
#define ZCNIC_QP_IRQ_CTRL_PENDING	ZCNIC_BIT(1)	/* R: event waiting for ARM */
#define ZCNIC_QP_IRQ_CTRL_SWINT		ZCNIC_BIT(2)	/* W: raise an event (v1.2) */
#define ZCNIC_QP_IRQ_ITR	0x68		/* min usecs between interrupts */
#define ZCNIC_QP_IRQ_ITR_USECS		ZCNIC_GENMASK(15, 0)

/* TX control; stop follows the same handshake as RX. */
#define ZCNIC_TXQ_CTRL		0x80
#define ZCNIC_TXQ_CTRL_ENABLE		ZCNIC_BIT(0)
#define ZCNIC_TXQ_STATUS	0x84		/* RO, bits as RXQ_STATUS */
#define ZCNIC_TXQ_STATUS_ENABLED	ZCNIC_BIT(0)
#define ZCNIC_TXQ_STATUS_ERROR		ZCNIC_BIT(1)
#define ZCNIC_TXQ_STATUS_ERRCODE	ZCNIC_GENMASK(15, 8)
#define ZCNIC_TXQ_DR_BASE_LO	0x88		/* TX descriptor ring */
#define ZCNIC_TXQ_DR_BASE_HI	0x8c
#define ZCNIC_TXQ_DR_SIZE	0x90
#define ZCNIC_TXQ_DR_TAIL	0x94		/* doorbell: next free slot */
#define ZCNIC_TXQ_DR_HEAD	0x98		/* RO: next slot the device reads */
#define ZCNIC_TXQ_TCQ_BASE_LO	0x9c		/* TX completion ring */
#define ZCNIC_TXQ_TCQ_BASE_HI	0xa0
#define ZCNIC_TXQ_TCQ_SIZE	0xa4
#define ZCNIC_TXQ_TCQ_HEAD	0xa8		/* written by software */
#define ZCNIC_TXQ_TCQ_TAIL	0xac		/* RO */

/* Statistics: RO 32-bit counters that wrap; cleared by reset. */
#define ZCNIC_RXQ_STAT_PKTS	0xc0
#define ZCNIC_RXQ_STAT_BYTES	0xc4
#define ZCNIC_RXQ_STAT_NOBUF	0xc8		/* dropped: no header/payload buffer */
#define ZCNIC_RXQ_STAT_NOCMPL	0xcc		/* dropped: completion ring full */
#define ZCNIC_RXQ_STAT_CSUM_BAD	0xd0
#define ZCNIC_RXQ_STAT_SPLIT	0xd4		/* packets split at L4 payload */
#define ZCNIC_RXQ_STAT_DROP_STEER 0xd8		/* dropped by steering */
#define ZCNIC_RXQ_STAT_GRO_PKTS	0xdc		/* completions with RCD_GRO (v1.3) */
#define ZCNIC_RXQ_STAT_GRO_SEGS	0xf0		/* wire segments in them (v1.3) */
#define ZCNIC_TXQ_STAT_PKTS	0xe0
#define ZCNIC_TXQ_STAT_BYTES	0xe4
#define ZCNIC_TXQ_STAT_ERRS	0xe8
#define ZCNIC_TXQ_STAT_TSO_PKTS	0xec		/* frames sent with TXD_TSO (v1.4) */
#define ZCNIC_TXQ_STAT_TSO_SEGS	0xf4		/* wire segments they became (v1.4) */

/* Error codes in RXQ_STATUS/TXQ_STATUS.ERRCODE. */
enum {
	ZCNIC_QERR_NONE = 0,
	ZCNIC_QERR_RING_CFG = 1,	/* bad base, size or buffer config */
	ZCNIC_QERR_INDEX = 2,		/* tail/head outside the ring */
	ZCNIC_QERR_DMA = 3,		/* descriptor or buffer DMA failed */
	ZCNIC_QERR_DESC = 4,		/* malformed descriptor */
};

/* ---------------------------------------------------------------------- */
/* Descriptors                                                             */
/* ---------------------------------------------------------------------- */

/* Header and payload buffer rings: one DMA address per slot.  Header
 * buffers are RXQ_BUF_CFG.HDR_LEN bytes, payload buffers 1 << PAY_SHIFT
 * bytes.  Addresses must be 64-byte aligned, payload ones aligned to their
 * size's page (4 KiB); an address of 0 is a programming error.
 */
struct zcnic_rx_buf_desc {
	zcnic_le64 addr;
};

ZCNIC_STATIC_ASSERT(sizeof(struct zcnic_rx_buf_desc) == 8, "rx buf desc size");

/*
 * RX completion.  One per received frame.  The frame's first HDR_LEN bytes
 * are in header buffer HDR_IDX; the PAY_LEN remaining bytes start at offset
 * PAY_OFF of payload buffer PAY_IDX and continue at offset 0 of the
 * following payload buffers (ring order, wrapping) when they do not fit.
 * Every payload buffer but the last one used is full and retired; the last
 * one is retired too when ZCNIC_RCD_PAY_DONE is set, else the device may
 * pack the next payload into it.
 */
struct zcnic_rx_cmpl {
	zcnic_le32 rss_hash;
	zcnic_le16 hdr_idx;
	zcnic_le16 hdr_len;
	zcnic_le16 pay_idx;
	zcnic_le16 vlan_tci;
	zcnic_le32 pay_off;
	zcnic_le32 pay_len;
	zcnic_le32 flags;
	zcnic_le16 gro_segs;	/* RCD_GRO: TCP segments coalesced (>= 2) */
	zcnic_le16 gro_mss;	/* RCD_GRO: their payload size, the last's <= */
	zcnic_le32 rsvd;
};

ZCNIC_STATIC_ASSERT(sizeof(struct zcnic_rx_cmpl) == 32, "rx cmpl size");

#define ZCNIC_RCD_GEN		ZCNIC_BIT(0)	/* owner: matches the ring's pass */
#define ZCNIC_RCD_SPLIT		ZCNIC_BIT(1)	/* split at the L4 payload */
#define ZCNIC_RCD_PAY_DONE	ZCNIC_BIT(2)	/* last payload buffer retired */
#define ZCNIC_RCD_HBO		ZCNIC_BIT(3)	/* headers longer than the buffer */
#define ZCNIC_RCD_CSUM		ZCNIC_GENMASK(5, 4)
enum {
	ZCNIC_RCD_CSUM_NONE = 0,	/* not a TCP/UDP frame the device checks */
	ZCNIC_RCD_CSUM_GOOD = 1,	/* L4 (and IPv4 header) checksum good */
	ZCNIC_RCD_CSUM_BAD = 2,
};

#define ZCNIC_RCD_RSS_TYPE	ZCNIC_GENMASK(9, 6)
enum {
	ZCNIC_RSS_TYPE_NONE = 0,
	ZCNIC_RSS_TYPE_IPV4 = 1,
	ZCNIC_RSS_TYPE_TCP4 = 2,
	ZCNIC_RSS_TYPE_UDP4 = 3,
	ZCNIC_RSS_TYPE_IPV6 = 4,
	ZCNIC_RSS_TYPE_TCP6 = 5,
	ZCNIC_RSS_TYPE_UDP6 = 6,
};

#define ZCNIC_RCD_L3		ZCNIC_GENMASK(11, 10)
enum {
	ZCNIC_RCD_L3_OTHER = 0,
	ZCNIC_RCD_L3_IPV4 = 1,
	ZCNIC_RCD_L3_IPV6 = 2,
};

#define ZCNIC_RCD_L4		ZCNIC_GENMASK(13, 12)
enum {
	ZCNIC_RCD_L4_OTHER = 0,
	ZCNIC_RCD_L4_TCP = 1,
	ZCNIC_RCD_L4_UDP = 2,
};

/* The frame carried an 802.1Q tag, which is kept in the frame. */
#define ZCNIC_RCD_VLAN		ZCNIC_BIT(14)
#define ZCNIC_RCD_NTUPLE	ZCNIC_BIT(15)	/* steered by an ntuple rule */
/* A coalesced TCP receive (RXQ_CTRL.GRO): GRO_SEGS segments of GRO_MSS
 * payload bytes under one set of headers, whose IP length covers them all;
 * its checksum is reported good (v1.3)
 */
#define ZCNIC_RCD_GRO		ZCNIC_BIT(16)

/* TX descriptor: one per buffer of a frame; EOP on the frame's last. */
struct zcnic_tx_desc {
	zcnic_le64 addr;
	zcnic_le16 len;
	zcnic_le16 flags;
	zcnic_le16 csum_start;	/* CSUM: checksum bytes from here to the end */
	union {
		zcnic_le16 csum_offset;	/* ... and store it at csum_start + this */
		zcnic_le16 mss;		/* TSO: TCP payload bytes per segment */
	};
};

ZCNIC_STATIC_ASSERT(sizeof(struct zcnic_tx_desc) == 16, "tx desc size");

#define ZCNIC_TXD_EOP		ZCNIC_BIT(0)
#define ZCNIC_TXD_CSUM		ZCNIC_BIT(1)	/* on the first descriptor */
/* On the first descriptor, with CSUM: a TCP frame to send as segments of
 * mss payload bytes; csum_start is its TCP header, whose checksum field
 * holds the pseudo-header sum over the whole frame's TCP length (v1.4)
 */
#define ZCNIC_TXD_TSO		ZCNIC_BIT(2)

/* TX completion: one per frame, naming its EOP descriptor. */
struct zcnic_tx_cmpl {
	zcnic_le16 desc_idx;
	zcnic_le16 status;
	zcnic_le32 flags;
};

ZCNIC_STATIC_ASSERT(sizeof(struct zcnic_tx_cmpl) == 8, "tx cmpl size");

#define ZCNIC_TCD_GEN		ZCNIC_BIT(0)
#define ZCNIC_TCD_STATUS_OK	0
#define ZCNIC_TCD_STATUS_ERR	1	/* frame dropped (bad length, DMA error) */

#endif /* ZCNIC_HW_H */
