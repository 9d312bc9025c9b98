/* SPDX-License-Identifier: GPL-2.0 */
/* zcnic: RX and TX rings, buffers and NAPI. */

#ifndef _ZCNIC_TXRX_H_
#define _ZCNIC_TXRX_H_

#include <linux/dim.h>
#include <linux/interrupt.h>
#include <linux/netdevice.h>
#include <linux/timer.h>
#include <linux/types.h>
#include <linux/u64_stats_sync.h>
#include <net/netmem.h>

#include "zcnic_hw.h"

struct netdev_queue_config;
struct page_pool;
struct zcnic_dev;

/* Header buffers are fragments of order-0 pages; the header bytes are
 * copied into the skb so that a buffer goes straight back to the ring.
 */
#define ZCNIC_RX_HDR_BUF_LEN	512
/* Payload bytes that may stay with the headers: what fits in a header
 * buffer next to the longest headers we expect.
 */
#define ZCNIC_HDS_THRESH_MAX	256
/* References a payload buffer starts with: more than it can ever be cut
 * into (64 KiB / 128 bytes), so taking one per fragment needs no atomic.
 */
#define ZCNIC_PAGECNT_BIAS_MAX	USHRT_MAX

/* Room for the largest frame must stay free before the queue is stopped;
 * it is woken again at twice that, or halfway between the stop threshold
 * and an empty ring when the ring is too small for twice (zcnic_tx_ring_alloc).
 */
#define ZCNIC_TX_STOP_THRESH	(ZCNIC_TX_MAX_FRAGS + 1)

/* All counters are u64 so that they can be summed as arrays. */
struct zcnic_rx_counters {
	u64 packets;
	u64 bytes;
	u64 alloc_fail;
	u64 skb_alloc_fail;
	u64 bad_cmpl;
	u64 csum_unnecessary;
	u64 csum_none;
	u64 csum_bad;
	u64 split;
	u64 hdr_overflow;
	u64 hdr_refill;		/* header buffers allocated after ring setup */
	u64 gro_packets;	/* coalesced receives (RCD_GRO) ... */
	u64 gro_bytes;
	u64 gro_wire_packets;	/* ... and the segments they stand for */
	u64 gro_wire_bytes;
};

struct zcnic_tx_counters {
	u64 packets;
	u64 bytes;
	u64 needs_csum;
	u64 gso_packets;
	u64 gso_bytes;
	u64 gso_wire_packets;
	u64 gso_wire_bytes;
	u64 stop;
	u64 wake;
	u64 dropped;
	u64 errors;
	u64 bad_cmpl;
};

struct zcnic_rx_stats {
	struct u64_stats_sync syncp;
	struct zcnic_rx_counters c;
};

struct zcnic_tx_stats {
	struct u64_stats_sync syncp;
	struct zcnic_tx_counters c;
};

struct zcnic_rx_hdr_buf {
	struct page *page;
	unsigned int offset;
};

struct zcnic_rx_pay_buf {
	netmem_ref netmem;
	long pagecnt_bias;
};

/**
 * struct zcnic_rx_ring - the rings and buffers of one RX queue
 * @hdr_pp: readable page pool the header buffers come from
 * @pay_pp: page pool for payload buffers; may be backed by a memory provider
 * @hdr_buf: header buffer in each HBR slot; size - 1 of them, one slot free
 * @pay_buf: payload buffer in each PBR slot, 0 when the slot is empty
 * @hbr: header buffer ring
 * @pbr: payload buffer ring
 * @rcq: RX completion ring
 * @hbr_dma: DMA address of @hbr
 * @pbr_dma: DMA address of @pbr
 * @rcq_dma: DMA address of @rcq
 * @size: entries in each of the three rings
 * @size_mask: @size - 1
 * @size_shift: log2(@size)
 * @pay_shift: log2 of the payload buffer size
 * @hds: header/data split enabled
 * @pack: the device may pack several payloads into one buffer
 * @live: the device owns the rings
 * @stuck: the device never acknowledged a stop; its buffers are leaked
 * @starved: the last refill found the payload page pool empty
 * @hdr_short: the header ring holds fewer than size - 1 buffers: allocating
 *	them failed (zcnic_rx_hdr_fill())
 * @lost_sync: a completion named buffers other than the expected ones; the
 *	ring is not read again until the queue is restarted
 * @hds_thresh: payload bytes the device keeps with the headers
 * @hbr_head: next header slot the device fills (free running)
 * @hbr_tail: next header slot software posts (free running)
 * @pbr_head: oldest payload buffer the device has not retired (free running)
 * @pbr_tail: next payload slot software posts (free running)
 * @pay_next_off: lowest offset the device may pack the next payload at in
 *	the buffer at @pbr_head; 0 while that buffer is unused
 * @rcq_head: next completion to read (free running)
 *
 * This is everything that the queue management ops swap when a queue is
 * restarted: it is allocated apart from the queue's NAPI and statistics.
 */
struct zcnic_rx_ring {
	struct page_pool *hdr_pp;
	struct page_pool *pay_pp;
	struct zcnic_rx_hdr_buf *hdr_buf;
	struct zcnic_rx_pay_buf *pay_buf;
	struct zcnic_rx_buf_desc *hbr;
	struct zcnic_rx_buf_desc *pbr;
	struct zcnic_rx_cmpl *rcq;
	dma_addr_t hbr_dma;
	dma_addr_t pbr_dma;
	dma_addr_t rcq_dma;
	u32 size;
	u32 size_mask;
	u8 size_shift;
	u8 pay_shift;
	bool hds;
	bool pack;
	bool gro;		/* RXQ_CTRL.GRO: coalesced receives */
	bool live;
	bool stuck;
	bool starved;
	bool hdr_short;
	bool lost_sync;
	u32 hds_thresh;
	u32 hbr_head;
	u32 hbr_tail;
	u32 pbr_head;
	u32 pbr_tail;
	u32 pay_next_off;
	u32 rcq_head;
};

enum zcnic_tx_map {
	ZCNIC_TX_MAP_NONE,	/* net_iov: the memory provider mapped it */
	ZCNIC_TX_MAP_SINGLE,	/* skb head, dma_map_single() */
	ZCNIC_TX_MAP_PAGE,	/* page fragment, dma_map_page() */
};

struct zcnic_tx_buf {
	struct sk_buff *skb;	/* on the frame's EOP slot only */
	dma_addr_t dma;
	u32 len;
	enum zcnic_tx_map map;
};

struct zcnic_tx_ring {
	struct zcnic_tx_desc *desc;
	struct zcnic_tx_cmpl *tcq;
	struct zcnic_tx_buf *buf;
	dma_addr_t desc_dma;
	dma_addr_t tcq_dma;
	u32 size;
	u32 size_mask;
	u8 size_shift;
	bool live;
	bool stuck;
	u32 wake_thresh;	/* free descriptors that wake a stopped queue */
	u32 head;		/* oldest descriptor not completed */
	u32 tail;		/* next descriptor to fill */
	u32 db_tail;		/* tail as last written to the doorbell */
	u32 tcq_head;
};

/**
 * struct zcnic_q_vector - a queue pair and the NAPI instance serving it
 * @napi: NAPI instance, polled from the pair's MSI-X vector
 * @zd: the device
 * @idx: queue pair index
 * @irq: Linux IRQ number of the pair's vector
 * @tx: TX ring
 * @rx: RX ring, swapped by the queue management ops
 * @refill_timer: raises the pair's interrupt to retry a payload refill
 *	that found the page pool empty
 * @refill_delay_ms: the retry's current delay, 0 when not starved
 * @rx_stats: RX counters, kept across queue restarts
 * @tx_stats: TX counters
 * @irq_name: name of the IRQ
 */
struct zcnic_q_vector {
	struct napi_struct napi;
	struct zcnic_dev *zd;
	unsigned int idx;
	int irq;
	struct zcnic_tx_ring tx;
	struct zcnic_rx_ring rx;
	struct timer_list refill_timer;
	unsigned int refill_delay_ms;
	struct dim rx_dim;
	u16 polls;
	struct zcnic_rx_stats rx_stats;
	struct zcnic_tx_stats tx_stats;
	char irq_name[IFNAMSIZ + 16];
};

int zcnic_rx_ring_alloc(struct zcnic_dev *zd, unsigned int idx,
			const struct netdev_queue_config *qcfg,
			struct zcnic_rx_ring *rx);
void zcnic_rx_ring_free(struct zcnic_dev *zd, struct zcnic_rx_ring *rx);
int zcnic_rx_ring_start(struct zcnic_q_vector *qv);
void zcnic_rx_ring_stop(struct zcnic_q_vector *qv);
void zcnic_rx_ring_set_split(struct zcnic_q_vector *qv);

int zcnic_tx_ring_alloc(struct zcnic_dev *zd, struct zcnic_tx_ring *tx);
void zcnic_tx_ring_free(struct zcnic_dev *zd, struct zcnic_tx_ring *tx);
int zcnic_tx_ring_start(struct zcnic_q_vector *qv);
void zcnic_tx_ring_stop(struct zcnic_q_vector *qv);
void zcnic_tx_ring_drain(struct zcnic_q_vector *qv);

netdev_tx_t zcnic_xmit(struct sk_buff *skb, struct net_device *netdev);
int zcnic_poll(struct napi_struct *napi, int budget);
irqreturn_t zcnic_queue_irq(int irq, void *data);
void zcnic_refill_timer(struct timer_list *t);
void zcnic_rx_dim_work(struct work_struct *work);
void zcnic_irq_arm(struct zcnic_q_vector *qv);

void zcnic_rx_stats_read(const struct zcnic_rx_stats *s,
			 struct zcnic_rx_counters *c);
void zcnic_tx_stats_read(const struct zcnic_tx_stats *s,
			 struct zcnic_tx_counters *c);
void zcnic_rx_counters_add(struct zcnic_rx_counters *sum,
			   const struct zcnic_rx_counters *c);
void zcnic_tx_counters_add(struct zcnic_tx_counters *sum,
			   const struct zcnic_tx_counters *c);

#endif /* _ZCNIC_TXRX_H_ */
