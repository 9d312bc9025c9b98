// SPDX-License-Identifier: GPL-2.0
/* zcnic: RX and TX rings, buffers and NAPI.
 *
 * RX uses three rings per queue: the header buffer ring (HBR) and the
 * payload buffer ring (PBR) that software fills, and the completion ring
 * (RCQ) that the device writes.  Header buffers come from a readable page
 * pool and their bytes are copied into the skb.  Payload buffers come from
 * a page pool that may be backed by a memory provider (io_uring zcrx,
 * devmem), so the CPU never reads them: they are attached to the skb as
 * netmem fragments.  With packing, one payload buffer carries several
 * frames; it is handed out with a large reference bias (as fbnic does) and
 * each fragment given to an skb takes one reference from that bias.
 */

#include <linux/bitfield.h>
#include <linux/dma-mapping.h>
#include <linux/etherdevice.h>
#include <linux/irq.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/netdev_queues.h>
#include <net/page_pool/helpers.h>

#include "zcnic.h"
#include "zcnic_txrx.h"

/*
 * A payload refill that found the page pool empty is retried after
 * ZCNIC_REFILL_RETRY_MIN_MS, then after twice as long each time it fails
 * again, up to ZCNIC_REFILL_RETRY_MAX_MS.
 */
#define ZCNIC_REFILL_RETRY_MIN_MS	1
#define ZCNIC_REFILL_RETRY_MAX_MS	128

/* A frame never needs more fragments than an skb can hold, a coalesced one
 * starting late in a packed buffer included.
 */
static_assert(DIV_ROUND_UP(ZCNIC_FRAME_MAX, 1 << ZCNIC_PAY_SHIFT_MIN) + 1 <=
	      MAX_SKB_FRAGS);
static_assert(DIV_ROUND_UP((1 << ZCNIC_PAY_SHIFT_MIN) - ZCNIC_PAY_ALIGN +
			   ZCNIC_GRO_FRAME_MAX - ETH_HLEN,
			   1 << ZCNIC_PAY_SHIFT_MIN) <= MAX_SKB_FRAGS);
static_assert(sizeof(struct zcnic_rx_counters) % sizeof(u64) == 0);
static_assert(sizeof(struct zcnic_tx_counters) % sizeof(u64) == 0);

static void zcnic_counters_add(u64 *sum, const u64 *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		sum[i] += c[i];
}

void zcnic_rx_counters_add(struct zcnic_rx_counters *sum,
			   const struct zcnic_rx_counters *c)
{
	zcnic_counters_add((u64 *)sum, (const u64 *)c,
			   sizeof(*c) / sizeof(u64));
}

void zcnic_tx_counters_add(struct zcnic_tx_counters *sum,
			   const struct zcnic_tx_counters *c)
{
	zcnic_counters_add((u64 *)sum, (const u64 *)c,
			   sizeof(*c) / sizeof(u64));
}

void zcnic_rx_stats_read(const struct zcnic_rx_stats *s,
			 struct zcnic_rx_counters *c)
{
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&s->syncp);
		*c = s->c;
	} while (u64_stats_fetch_retry(&s->syncp, start));
}

void zcnic_tx_stats_read(const struct zcnic_tx_stats *s,
			 struct zcnic_tx_counters *c)
{
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&s->syncp);
		*c = s->c;
	} while (u64_stats_fetch_retry(&s->syncp, start));
}

static void zcnic_write_base(struct zcnic_dev *zd, unsigned int q, u32 lo,
			     dma_addr_t dma)
{
	zcnic_q_wr32(zd, q, lo, lower_32_bits(dma));
	zcnic_q_wr32(zd, q, lo + 4, upper_32_bits(dma));
}

/*
 * Disable a ring whose enable failed and wait for the device to say so:
 * until it has, the ring's memory may not be freed. STATUS.ENABLED is bit 0
 * of both queues' status registers.
 */
static bool zcnic_ring_disable(struct zcnic_dev *zd, unsigned int q,
			       u32 ctrl, u32 status)
{
	static_assert(ZCNIC_RXQ_STATUS_ENABLED == ZCNIC_TXQ_STATUS_ENABLED);
	u32 last;

	zcnic_q_wr32(zd, q, ctrl, 0);
	if (!zcnic_wait_reg(zd, ZCNIC_Q_BASE(q) + status,
			    ZCNIC_RXQ_STATUS_ENABLED, 0, &last))
		return true;
	netdev_err(zd->netdev,
		   "queue %u did not acknowledge the disable (status 0x%08x): leaking its ring\n",
		   q, last);
	return false;
}

void zcnic_irq_arm(struct zcnic_q_vector *qv)
{
	zcnic_q_wr32(qv->zd, qv->idx, ZCNIC_QP_IRQ_CTRL, ZCNIC_QP_IRQ_CTRL_ARM);
}

irqreturn_t zcnic_queue_irq(int irq, void *data)
{
	struct zcnic_q_vector *qv = data;

	napi_schedule_irqoff(&qv->napi);

	return IRQ_HANDLED;
}

/**
 * zcnic_refill_timer() - raise the interrupt of a queue pair that ran dry
 * @t: the pair's refill timer
 *
 * The user of a memory provider refilling its queue raises no event, and a
 * device with no payload buffer left receives nothing that would. Raise
 * the pair's own interrupt from the device (QP_IRQ_CTRL.SWINT) so that
 * NAPI retries the refill where the interrupt is affine, as for any other
 * event; if NAPI is running, the device keeps the event pending until the
 * poll re-arms.
 */
void zcnic_refill_timer(struct timer_list *t)
{
	struct zcnic_q_vector *qv = timer_container_of(qv, t, refill_timer);

	zcnic_q_wr32(qv->zd, qv->idx, ZCNIC_QP_IRQ_CTRL,
		     ZCNIC_QP_IRQ_CTRL_SWINT);
}

/*
 * Depletion check, at the end of a poll: a payload ring that the page pool
 * could not refill and that holds too few buffers for the device to go on
 * receiving gets a retry, backing off while the pool stays empty. A ring
 * with buffers left needs none: the frames it receives, or the drops the
 * device reports once it runs out, raise interrupts of their own.
 */
static void zcnic_refill_check(struct zcnic_q_vector *qv)
{
	struct zcnic_rx_ring *rx = &qv->rx;

	if (!rx->starved && !rx->hdr_short) {
		qv->refill_delay_ms = 0;
		return;
	}
	if ((!rx->starved || rx->pbr_tail - rx->pbr_head >= rx->size / 4) &&
	    (!rx->hdr_short || rx->hbr_tail - rx->hbr_head >= rx->size / 4))
		return;

	qv->refill_delay_ms = clamp_t(unsigned int, qv->refill_delay_ms * 2,
				      ZCNIC_REFILL_RETRY_MIN_MS,
				      ZCNIC_REFILL_RETRY_MAX_MS);
	/* Armed from the poll, so on the queue's CPU (TIMER_PINNED). */
	mod_timer(&qv->refill_timer,
		  jiffies + msecs_to_jiffies(qv->refill_delay_ms));
}

/* ---------------------------------------------------------------------- */
/* RX buffers                                                              */
/* ---------------------------------------------------------------------- */

/*
 * Pools are created without a NAPI instance: memory allocated for a queue
 * restart may be freed again (a failed start) while the queue's NAPI runs
 * on the old memory. Direct recycling is enabled when the ring starts and
 * disabled when it stops.
 */
static struct page_pool *zcnic_create_pool(struct zcnic_dev *zd,
					   unsigned int idx,
					   unsigned int order,
					   unsigned int size, u32 flags)
{
	struct page_pool_params pp = {
		.order		= order,
		.flags		= PP_FLAG_DMA_MAP | PP_FLAG_DMA_SYNC_DEV | flags,
		.pool_size	= size,
		.nid		= dev_to_node(&zd->pdev->dev),
		.dev		= &zd->pdev->dev,
		.dma_dir	= DMA_FROM_DEVICE,
		.max_len	= PAGE_SIZE << order,
		.offset		= 0,
		.netdev		= zd->netdev,
		.queue_idx	= idx,
	};

	return page_pool_create(&pp);
}

static dma_addr_t zcnic_rx_hdr_dma(const struct zcnic_rx_hdr_buf *hb)
{
	return page_pool_get_dma_addr(hb->page) + hb->offset;
}

/* Post the header buffer that sits in @slot. */
static void zcnic_rx_hdr_post(struct zcnic_rx_ring *rx, unsigned int slot)
{
	rx->hbr[slot].addr = cpu_to_le64(zcnic_rx_hdr_dma(&rx->hdr_buf[slot]));
}

/**
 * zcnic_rx_hdr_recycle() - give the header buffer at the head back
 * @rx: RX ring
 * @cpu_len: bytes of it the CPU synced and read, 0 if none
 *
 * The buffer moves from the head slot to the free slot at the tail and is
 * posted again: the ring keeps the header buffers it has, and receiving
 * never allocates one.
 */
static void zcnic_rx_hdr_recycle(struct zcnic_rx_ring *rx, u32 cpu_len)
{
	unsigned int from = rx->hbr_head & rx->size_mask;
	unsigned int to = rx->hbr_tail & rx->size_mask;

	rx->hdr_buf[to] = rx->hdr_buf[from];
	rx->hdr_buf[from].page = NULL;

	if (cpu_len)
		dma_sync_single_range_for_device(rx->hdr_pp->p.dev,
						 page_pool_get_dma_addr(rx->hdr_buf[to].page),
						 rx->hdr_buf[to].offset,
						 cpu_len, DMA_FROM_DEVICE);
	zcnic_rx_hdr_post(rx, to);

	rx->hbr_head++;
	rx->hbr_tail++;
}

static void zcnic_rx_hdr_reverse(struct zcnic_rx_hdr_buf *buf, unsigned int lo,
				 unsigned int hi)
{
	/* swap() evaluates its arguments more than once: no side effects */
	for (; lo < hi; lo++, hi--)
		swap(buf[lo], buf[hi]);
}

/* The device starts every ring at index 0: rotate the header buffers so
 * that the ones posted start at slot 0 and the free slot is the last.
 */
static void zcnic_rx_hdr_rebase(struct zcnic_rx_ring *rx)
{
	unsigned int shift = rx->hbr_head & rx->size_mask;

	if (shift) {
		zcnic_rx_hdr_reverse(rx->hdr_buf, 0, shift - 1);
		zcnic_rx_hdr_reverse(rx->hdr_buf, shift, rx->size - 1);
		zcnic_rx_hdr_reverse(rx->hdr_buf, 0, rx->size - 1);
	}
	rx->hbr_tail -= rx->hbr_head;
	rx->hbr_head = 0;
}

/**
 * zcnic_rx_hdr_fill() - top up a header ring that is short of buffers
 * @qv: queue vector
 *
 * A ring holds size - 1 header buffers, which are recycled in place; it is
 * short only when allocating them all failed when it was set up.  The
 * retry, like the payload refill's, comes from zcnic_refill_check().
 *
 * Return: true if buffers were posted (the tail must be written).
 */
static bool zcnic_rx_hdr_fill(struct zcnic_q_vector *qv)
{
	struct zcnic_rx_ring *rx = &qv->rx;
	u32 tail = rx->hbr_tail;

	while (tail - rx->hbr_head < rx->size - 1) {
		unsigned int slot = tail & rx->size_mask;
		struct zcnic_rx_hdr_buf *hb = &rx->hdr_buf[slot];

		hb->page = page_pool_dev_alloc_frag(rx->hdr_pp, &hb->offset,
						    ZCNIC_RX_HDR_BUF_LEN);
		if (!hb->page)
			break;
		zcnic_rx_hdr_post(rx, slot);
		tail++;
	}

	rx->hdr_short = tail - rx->hbr_head < rx->size - 1;
	u64_stats_update_begin(&qv->rx_stats.syncp);
	qv->rx_stats.c.hdr_refill += tail - rx->hbr_tail;
	qv->rx_stats.c.alloc_fail += rx->hdr_short;
	u64_stats_update_end(&qv->rx_stats.syncp);
	if (tail == rx->hbr_tail)
		return false;
	rx->hbr_tail = tail;

	return true;
}

/* Drop the ring's references to the payload buffer in @slot. */
static void zcnic_rx_pay_put(struct zcnic_rx_ring *rx, unsigned int slot,
			     bool allow_direct)
{
	struct zcnic_rx_pay_buf *pb = &rx->pay_buf[slot];

	if (!page_pool_unref_netmem(pb->netmem, pb->pagecnt_bias))
		page_pool_put_unrefed_netmem(rx->pay_pp, pb->netmem, -1,
					     allow_direct);
	pb->netmem = 0;
}

/* The address the device is given for a payload buffer. */
static dma_addr_t zcnic_rx_pay_dma(struct zcnic_q_vector *qv,
				   netmem_ref netmem)
{
	/* debugfs phys_dma: the classic bug of handing the device a CPU
	 * physical address, for the IOMMU mode to catch
	 */
	if (unlikely(atomic_read(&qv->zd->dbg_phys_dma) > 0) &&
	    !netmem_is_net_iov(netmem) &&
	    atomic_dec_if_positive(&qv->zd->dbg_phys_dma) >= 0)
		return page_to_phys(netmem_to_page(netmem));

	return page_pool_get_dma_addr_netmem(netmem);
}

/**
 * zcnic_rx_pay_fill() - post payload buffers into every free PBR slot
 * @qv: queue vector
 *
 * When the page pool has nothing to give (a memory provider whose user has
 * not returned buffers yet), count it and mark the ring starved: the end
 * of the poll decides whether it needs a retry (zcnic_refill_check()).
 *
 * Return: true if buffers were posted (the tail must be written).
 */
static bool zcnic_rx_pay_fill(struct zcnic_q_vector *qv)
{
	struct zcnic_rx_ring *rx = &qv->rx;
	u32 tail = rx->pbr_tail;

	while (tail - rx->pbr_head < rx->size - 1) {
		unsigned int slot = tail & rx->size_mask;
		struct zcnic_rx_pay_buf *pb = &rx->pay_buf[slot];
		netmem_ref netmem;

		netmem = page_pool_dev_alloc_netmems(rx->pay_pp);
		if (!netmem) {
			u64_stats_update_begin(&qv->rx_stats.syncp);
			qv->rx_stats.c.alloc_fail++;
			u64_stats_update_end(&qv->rx_stats.syncp);
			rx->starved = true;
			break;
		}

		page_pool_fragment_netmem(netmem, ZCNIC_PAGECNT_BIAS_MAX);
		pb->netmem = netmem;
		pb->pagecnt_bias = ZCNIC_PAGECNT_BIAS_MAX;
		rx->pbr[slot].addr = cpu_to_le64(zcnic_rx_pay_dma(qv, netmem));
		tail++;
	}

	if (tail - rx->pbr_head == rx->size - 1)
		rx->starved = false;
	if (tail == rx->pbr_tail)
		return false;
	rx->pbr_tail = tail;

	return true;
}

/* ---------------------------------------------------------------------- */
/* RX ring life cycle                                                      */
/* ---------------------------------------------------------------------- */

/**
 * zcnic_rx_ring_alloc() - allocate an RX queue's pools, rings and buffers
 * @zd: device
 * @idx: queue index
 * @qcfg: queue configuration (payload buffer size)
 * @rx: ring to fill in
 *
 * Works whether or not the interface is up: the payload page pool is created
 * here, with the queue index, so that a memory provider bound to the queue
 * is picked up, also by the core's check after a queue memory allocation.
 * Payload buffers are only taken when the ring starts.
 *
 * Return: 0 or a negative error.
 */
int zcnic_rx_ring_alloc(struct zcnic_dev *zd, unsigned int idx,
			const struct netdev_queue_config *qcfg,
			struct zcnic_rx_ring *rx)
{
	struct device *dev = &zd->pdev->dev;
	unsigned int size = zd->rx_ring_size;
	struct page_pool *pp;
	unsigned int i;
	int err;

	memset(rx, 0, sizeof(*rx));
	rx->size = size;
	rx->size_mask = size - 1;
	rx->size_shift = ilog2(size);
	rx->pay_shift = ilog2(qcfg->rx_page_size);
	rx->hds = zd->hds;
	rx->hds_thresh = zd->hds_thresh;
	rx->pack = zd->rx_pack;
	rx->gro = zd->gro_hw;

	pp = zcnic_create_pool(zd, idx, 0, size, 0);
	if (IS_ERR(pp)) {
		netdev_err(zd->netdev,
			   "RX queue %u: creating the header page pool failed: %pe\n",
			   idx, pp);
		return PTR_ERR(pp);
	}
	rx->hdr_pp = pp;

	pp = zcnic_create_pool(zd, idx, rx->pay_shift - PAGE_SHIFT, size,
			       PP_FLAG_ALLOW_UNREADABLE_NETMEM);
	if (IS_ERR(pp)) {
		netdev_err(zd->netdev,
			   "RX queue %u: creating the payload page pool failed: %pe\n",
			   idx, pp);
		err = PTR_ERR(pp);
		goto err_free_ring;
	}
	rx->pay_pp = pp;

	err = -ENOMEM;
	rx->hdr_buf = kvcalloc(size, sizeof(*rx->hdr_buf), GFP_KERNEL);
	rx->pay_buf = kvcalloc(size, sizeof(*rx->pay_buf), GFP_KERNEL);
	if (!rx->hdr_buf || !rx->pay_buf)
		goto err_free_ring;

	rx->hbr = dma_alloc_coherent(dev, size * sizeof(*rx->hbr), &rx->hbr_dma,
				     GFP_KERNEL);
	rx->pbr = dma_alloc_coherent(dev, size * sizeof(*rx->pbr), &rx->pbr_dma,
				     GFP_KERNEL);
	rx->rcq = dma_alloc_coherent(dev, size * sizeof(*rx->rcq), &rx->rcq_dma,
				     GFP_KERNEL);
	if (!rx->hbr || !rx->pbr || !rx->rcq)
		goto err_free_ring;

	/* As many header buffers as memory allows now: the ring tops up the
	 * rest while it runs (zcnic_rx_hdr_fill()).  Without any it could
	 * not receive a frame to be polled for.
	 */
	for (i = 0; i < size - 1; i++) {
		struct zcnic_rx_hdr_buf *hb = &rx->hdr_buf[i];

		hb->page = page_pool_alloc_frag(rx->hdr_pp, &hb->offset,
						ZCNIC_RX_HDR_BUF_LEN,
						GFP_KERNEL | __GFP_NOWARN);
		if (!hb->page)
			break;
	}
	if (!i)
		goto err_free_ring;
	rx->hbr_tail = i;

	return 0;

err_free_ring:
	zcnic_rx_ring_free(zd, rx);
	return err;
}

/**
 * zcnic_rx_ring_free() - give every buffer back and free the ring
 * @zd: device
 * @rx: a ring that is not live (or only partly allocated)
 */
void zcnic_rx_ring_free(struct zcnic_dev *zd, struct zcnic_rx_ring *rx)
{
	struct device *dev = &zd->pdev->dev;
	unsigned int i;

	if (rx->stuck) {
		/* The device may still write to all of it. */
		netdev_err(zd->netdev,
			   "leaking an RX ring the device never released\n");
		memset(rx, 0, sizeof(*rx));
		return;
	}

	for (i = 0; rx->pay_buf && i < rx->size; i++)
		if (rx->pay_buf[i].netmem)
			zcnic_rx_pay_put(rx, i, false);
	for (i = 0; rx->hdr_buf && i < rx->size; i++)
		if (rx->hdr_buf[i].page)
			page_pool_put_full_page(rx->hdr_pp, rx->hdr_buf[i].page,
						false);

	if (rx->rcq)
		dma_free_coherent(dev, rx->size * sizeof(*rx->rcq), rx->rcq,
				  rx->rcq_dma);
	if (rx->pbr)
		dma_free_coherent(dev, rx->size * sizeof(*rx->pbr), rx->pbr,
				  rx->pbr_dma);
	if (rx->hbr)
		dma_free_coherent(dev, rx->size * sizeof(*rx->hbr), rx->hbr,
				  rx->hbr_dma);
	kvfree(rx->pay_buf);
	kvfree(rx->hdr_buf);

	if (rx->pay_pp)
		page_pool_destroy(rx->pay_pp);
	if (rx->hdr_pp)
		page_pool_destroy(rx->hdr_pp);

	memset(rx, 0, sizeof(*rx));
}

/* RXQ_CTRL of an enabled ring */
static u32 zcnic_rx_ctrl(const struct zcnic_rx_ring *rx)
{
	u32 ctrl = ZCNIC_RXQ_CTRL_ENABLE;

	if (rx->hds)
		ctrl |= ZCNIC_RXQ_CTRL_HDS;
	if (rx->pack)
		ctrl |= ZCNIC_RXQ_CTRL_PACK;
	if (rx->gro)
		ctrl |= ZCNIC_RXQ_CTRL_GRO;

	return ctrl;
}

/**
 * zcnic_rx_ring_set_split() - apply a live ring's new split settings
 * @qv: queue vector whose rx.hds and rx.hds_thresh changed
 *
 * The device takes RXQ_HDS_THRESH, and RXQ_CTRL.HDS written with ENABLE set
 * again, from the next frame on: the ring keeps running.
 */
void zcnic_rx_ring_set_split(struct zcnic_q_vector *qv)
{
	struct zcnic_rx_ring *rx = &qv->rx;
	struct zcnic_dev *zd = qv->zd;
	unsigned int q = qv->idx;

	if (!rx->live)
		return;

	zcnic_q_wr32(zd, q, ZCNIC_RXQ_HDS_THRESH, rx->hds_thresh);
	/* ENABLE written to a queue that the device stopped on an error would
	 * start it afresh, out of step with the ring: leave it to the reset
	 * task, whose restart takes the new settings.
	 */
	if (zcnic_q_rd32(zd, q, ZCNIC_RXQ_STATUS) & ZCNIC_RXQ_STATUS_ENABLED)
		zcnic_q_wr32(zd, q, ZCNIC_RXQ_CTRL, zcnic_rx_ctrl(rx));
}

/**
 * zcnic_rx_ring_start() - hand a queue vector's RX ring to the device
 * @qv: queue vector whose @rx was allocated (or stopped) and is not live
 *
 * Posts the header buffers, fills the payload ring as far as the page pool
 * allows, programs the queue and waits for the device to enable it.  The
 * caller enables NAPI afterwards, whose poll finishes any refill.
 *
 * Return: 0 or a negative error; on error the ring is not live.
 */
int zcnic_rx_ring_start(struct zcnic_q_vector *qv)
{
	struct zcnic_rx_ring *rx = &qv->rx;
	struct zcnic_dev *zd = qv->zd;
	unsigned int q = qv->idx;
	unsigned int i;
	u32 status;
	int err;

	/* A ring started again after a failed restart still holds payload
	 * buffers: give them back and start over from index 0.
	 */
	for (i = 0; i < rx->size; i++)
		if (rx->pay_buf[i].netmem)
			zcnic_rx_pay_put(rx, i, false);
	rx->pbr_head = 0;
	rx->pbr_tail = 0;
	rx->pay_next_off = 0;
	rx->rcq_head = 0;
	memset(rx->rcq, 0, rx->size * sizeof(*rx->rcq));

	zcnic_rx_hdr_rebase(rx);
	for (i = 0; i < rx->hbr_tail; i++)
		zcnic_rx_hdr_post(rx, i);
	zcnic_rx_hdr_fill(qv);
	zcnic_rx_pay_fill(qv);

	zcnic_q_wr32(zd, q, ZCNIC_RXQ_BUF_CFG,
		     FIELD_PREP(ZCNIC_RXQ_BUF_CFG_HDR_LEN, ZCNIC_RX_HDR_BUF_LEN) |
		     FIELD_PREP(ZCNIC_RXQ_BUF_CFG_PAY_SHIFT, rx->pay_shift));
	zcnic_q_wr32(zd, q, ZCNIC_RXQ_HDS_THRESH, rx->hds_thresh);
	zcnic_write_base(zd, q, ZCNIC_RXQ_HBR_BASE_LO, rx->hbr_dma);
	zcnic_q_wr32(zd, q, ZCNIC_RXQ_HBR_SIZE, rx->size);
	zcnic_write_base(zd, q, ZCNIC_RXQ_PBR_BASE_LO, rx->pbr_dma);
	zcnic_q_wr32(zd, q, ZCNIC_RXQ_PBR_SIZE, rx->size);
	zcnic_write_base(zd, q, ZCNIC_RXQ_RCQ_BASE_LO, rx->rcq_dma);
	zcnic_q_wr32(zd, q, ZCNIC_RXQ_RCQ_SIZE, rx->size);

	zcnic_q_wr32(zd, q, ZCNIC_RXQ_CTRL, zcnic_rx_ctrl(rx));

	err = zcnic_wait_reg(zd, ZCNIC_Q_BASE(q) + ZCNIC_RXQ_STATUS,
			     ZCNIC_RXQ_STATUS_ENABLED | ZCNIC_RXQ_STATUS_ERROR,
			     ZCNIC_RXQ_STATUS_ENABLED, &status);
	if (err) {
		netdev_err(zd->netdev,
			   "RX queue %u did not start: status 0x%08x, error code %u\n",
			   q, status,
			   FIELD_GET(ZCNIC_RXQ_STATUS_ERRCODE, status));
		/* An enable that timed out may still take effect. */
		if (!zcnic_ring_disable(zd, q, ZCNIC_RXQ_CTRL, ZCNIC_RXQ_STATUS))
			rx->stuck = true;
		return err == -ETIMEDOUT ? -EIO : err;
	}

	/* Enabling reset the device's indices: only now post the buffers. */
	zcnic_q_wr32(zd, q, ZCNIC_RXQ_HBR_TAIL, rx->hbr_tail & rx->size_mask);
	zcnic_q_wr32(zd, q, ZCNIC_RXQ_PBR_TAIL, rx->pbr_tail & rx->size_mask);
	rx->live = true;
	/* NAPI is still disabled here; the pools may recycle into it directly
	 * once it runs (zcnic_rx_ring_stop undoes this)
	 */
	page_pool_enable_direct_recycling(rx->hdr_pp, &qv->napi);
	page_pool_enable_direct_recycling(rx->pay_pp, &qv->napi);

	return 0;
}

/**
 * zcnic_rx_ring_stop() - take a queue vector's RX ring back from the device
 * @qv: queue vector, with NAPI disabled
 *
 * After the device acknowledges the stop it never touches the ring's
 * buffers again, so they may go back to their pools.  If it does not
 * acknowledge, the ring is marked stuck and its memory is leaked rather
 * than reused under the device's feet.
 */
void zcnic_rx_ring_stop(struct zcnic_q_vector *qv)
{
	struct zcnic_rx_ring *rx = &qv->rx;
	struct zcnic_dev *zd = qv->zd;
	u32 status;
	int err;

	if (!rx->live)
		return;
	rx->live = false;

	zcnic_q_wr32(zd, qv->idx, ZCNIC_RXQ_CTRL, 0);
	err = zcnic_wait_reg(zd, ZCNIC_Q_BASE(qv->idx) + ZCNIC_RXQ_STATUS,
			     ZCNIC_RXQ_STATUS_ENABLED, 0, &status);
	if (err == -ETIMEDOUT) {
		netdev_err(zd->netdev,
			   "RX queue %u did not acknowledge the stop (status 0x%08x)\n",
			   qv->idx, status);
		rx->stuck = true;
	}

	page_pool_disable_direct_recycling(rx->hdr_pp);
	page_pool_disable_direct_recycling(rx->pay_pp);
}

/* ---------------------------------------------------------------------- */
/* RX path                                                                 */
/* ---------------------------------------------------------------------- */

static bool zcnic_rcq_gen(const struct zcnic_rx_ring *rx, u32 head)
{
	/* The generation bit is 1 on the first pass and flips every wrap. */
	return !((head >> rx->size_shift) & 1);
}

/**
 * zcnic_rx_pay_span() - check a completion's payload against the ring
 * @rx: RX ring
 * @idx: payload buffer index from the completion
 * @off: payload offset from the completion
 * @len: payload length from the completion, not 0
 *
 * The payload must start in the oldest buffer the device has not retired,
 * at or after the end of what it already holds, and every buffer it spans
 * must have been posted.
 *
 * Return: the number of buffers the payload spans, 0 if it is bogus.
 */
static unsigned int zcnic_rx_pay_span(const struct zcnic_rx_ring *rx, u32 idx,
				      u32 off, u32 len)
{
	u32 buf_len = BIT(rx->pay_shift);
	unsigned int nbufs;

	if (idx != (rx->pbr_head & rx->size_mask))
		return 0;
	if (off >= buf_len || off < rx->pay_next_off ||
	    !IS_ALIGNED(off, ZCNIC_PAY_ALIGN))
		return 0;

	nbufs = DIV_ROUND_UP(off + len, buf_len);
	if (nbufs > rx->pbr_tail - rx->pbr_head || nbufs > MAX_SKB_FRAGS)
		return 0;

	return nbufs;
}

/* Attach a payload (if @skb) and retire the buffers it filled. */
static void zcnic_rx_pay_take(struct zcnic_rx_ring *rx, struct sk_buff *skb,
			      u32 off, u32 len, unsigned int nbufs,
			      bool pay_done)
{
	u32 buf_len = BIT(rx->pay_shift);
	/* Where the payload ends in its last buffer. */
	u32 end = off + len - (nbufs - 1) * buf_len;
	u32 first = rx->pbr_head;
	unsigned int i, retire;
	bool last_full;

	/* The last buffer stays open only if the device may still pack the
	 * next payload into it.
	 */
	last_full = ALIGN(end, ZCNIC_PAY_ALIGN) >= buf_len;
	retire = nbufs;
	if (rx->pack && !pay_done && !last_full)
		retire--;

	for (i = 0; i < nbufs; i++) {
		unsigned int slot = (first + i) & rx->size_mask;
		struct zcnic_rx_pay_buf *pb = &rx->pay_buf[slot];
		u32 frag_len = min(len, buf_len - off);
		unsigned int truesize;

		if (skb) {
			truesize = i < retire ? buf_len - off :
				   ALIGN(frag_len, ZCNIC_PAY_ALIGN);
			page_pool_dma_sync_netmem_for_cpu(rx->pay_pp,
							  pb->netmem, off,
							  frag_len);
			skb_add_rx_frag_netmem(skb, skb_shinfo(skb)->nr_frags,
					       pb->netmem, off, frag_len,
					       truesize);
			pb->pagecnt_bias--;
		}
		len -= frag_len;
		off = 0;
	}

	for (i = 0; i < retire; i++)
		zcnic_rx_pay_put(rx, (first + i) & rx->size_mask, true);
	rx->pbr_head += retire;
	rx->pay_next_off = retire == nbufs ? 0 : ALIGN(end, ZCNIC_PAY_ALIGN);
}

static void zcnic_rx_csum_hash(struct zcnic_q_vector *qv, struct sk_buff *skb,
			       const struct zcnic_rx_cmpl *cmpl, u32 flags,
			       struct zcnic_rx_counters *acc)
{
	struct net_device *netdev = qv->zd->netdev;
	enum pkt_hash_types hash_type;

	switch (FIELD_GET(ZCNIC_RCD_CSUM, flags)) {
	case ZCNIC_RCD_CSUM_GOOD:
		if (netdev->features & NETIF_F_RXCSUM) {
			skb->ip_summed = CHECKSUM_UNNECESSARY;
			acc->csum_unnecessary++;
		} else {
			acc->csum_none++;
		}
		break;
	case ZCNIC_RCD_CSUM_BAD:
		/* Let the stack see it: it drops what it cannot verify. */
		acc->csum_bad++;
		break;
	default:
		acc->csum_none++;
		break;
	}

	if (!(netdev->features & NETIF_F_RXHASH))
		return;

	switch (FIELD_GET(ZCNIC_RCD_RSS_TYPE, flags)) {
	case ZCNIC_RSS_TYPE_TCP4:
	case ZCNIC_RSS_TYPE_UDP4:
	case ZCNIC_RSS_TYPE_TCP6:
	case ZCNIC_RSS_TYPE_UDP6:
		hash_type = PKT_HASH_TYPE_L4;
		break;
	case ZCNIC_RSS_TYPE_IPV4:
	case ZCNIC_RSS_TYPE_IPV6:
		hash_type = PKT_HASH_TYPE_L3;
		break;
	default:
		return;
	}
	skb_set_hash(skb, le32_to_cpu(cmpl->rss_hash), hash_type);
}

static void zcnic_rx_bad_cmpl(struct zcnic_q_vector *qv,
			      const struct zcnic_rx_cmpl *cmpl,
			      struct zcnic_rx_counters *acc)
{
	const struct zcnic_rx_ring *rx = &qv->rx;

	acc->bad_cmpl++;
	net_warn_ratelimited("%s: RX queue %u: dropping bad completion: header %u+%u (expected index %u), payload %u@%u+%u (expected index %u, %u posted)\n",
			     netdev_name(qv->zd->netdev), qv->idx,
			     le16_to_cpu(cmpl->hdr_idx),
			     le16_to_cpu(cmpl->hdr_len),
			     rx->hbr_head & rx->size_mask,
			     le16_to_cpu(cmpl->pay_idx),
			     le32_to_cpu(cmpl->pay_off),
			     le32_to_cpu(cmpl->pay_len),
			     rx->pbr_head & rx->size_mask,
			     rx->pbr_tail - rx->pbr_head);
}

/**
 * zcnic_rx_one() - turn one completion into an skb
 * @qv: queue vector
 * @cmpl: the completion, owned by software
 * @flags: its flags word
 * @acc: counters to update
 *
 * Nothing a completion says is followed before it is checked against what
 * the driver posted: a bad one is counted and dropped, and the caller
 * stops reading the ring, which no longer matches the device's.
 *
 * Return: false if the completion was bad.
 */
/*
 * A coalesced receive: as for a GSO packet, the stack needs the segment
 * size (else it is a frame over the MTU) and how many wire segments it
 * stands for.  The device reported its checksum.  rx-packets and rx-bytes
 * count what came over the wire (the qstats definition), so the segments
 * and their repeated headers are added to the one packet counted already.
 */
static void zcnic_rx_gro(struct sk_buff *skb, const struct zcnic_rx_cmpl *cmpl,
			 u32 flags, struct zcnic_rx_counters *acc)
{
	struct skb_shared_info *shinfo = skb_shinfo(skb);
	u16 segs = le16_to_cpu(cmpl->gro_segs);
	u32 hdr_len = le16_to_cpu(cmpl->hdr_len);

	shinfo->gso_type = FIELD_GET(ZCNIC_RCD_L3, flags) == ZCNIC_RCD_L3_IPV4 ?
			   SKB_GSO_TCPV4 : SKB_GSO_TCPV6;
	shinfo->gso_size = le16_to_cpu(cmpl->gro_mss);
	shinfo->gso_segs = segs;

	acc->gro_packets++;
	acc->gro_bytes += skb->len;
	acc->gro_wire_packets += segs;
	/* each segment on the wire carried the headers again */
	acc->gro_wire_bytes += skb->len + (u64)(segs - 1) * hdr_len;
	acc->packets += segs - 1;
	acc->bytes += (u64)(segs - 1) * hdr_len;
}

static bool zcnic_rx_one(struct zcnic_q_vector *qv,
			 const struct zcnic_rx_cmpl *cmpl, u32 flags,
			 struct zcnic_rx_counters *acc)
{
	u32 hdr_idx = le16_to_cpu(cmpl->hdr_idx);
	u32 hdr_len = le16_to_cpu(cmpl->hdr_len);
	u32 pay_idx = le16_to_cpu(cmpl->pay_idx);
	u32 pay_off = le32_to_cpu(cmpl->pay_off);
	u32 pay_len = le32_to_cpu(cmpl->pay_len);
	struct zcnic_rx_ring *rx = &qv->rx;
	u32 frame_max = ZCNIC_FRAME_MAX;
	struct zcnic_rx_hdr_buf *hb;
	unsigned int nbufs = 0;
	struct sk_buff *skb;

	if (flags & ZCNIC_RCD_GRO) {
		/* only a ring that asked for them, only TCP, >= 2 segments */
		if (!rx->gro || FIELD_GET(ZCNIC_RCD_L4, flags) != ZCNIC_RCD_L4_TCP ||
		    FIELD_GET(ZCNIC_RCD_L3, flags) == ZCNIC_RCD_L3_OTHER ||
		    le16_to_cpu(cmpl->gro_segs) < 2 || !le16_to_cpu(cmpl->gro_mss)) {
			zcnic_rx_bad_cmpl(qv, cmpl, acc);
			return false;
		}
		frame_max = ZCNIC_GRO_FRAME_MAX;
	}
	if (hdr_idx != (rx->hbr_head & rx->size_mask) ||
	    hdr_len < ETH_HLEN || hdr_len > ZCNIC_RX_HDR_BUF_LEN ||
	    pay_len > frame_max - hdr_len) {
		zcnic_rx_bad_cmpl(qv, cmpl, acc);
		return false;
	}
	if (pay_len) {
		nbufs = zcnic_rx_pay_span(rx, pay_idx, pay_off, pay_len);
		if (!nbufs) {
			zcnic_rx_bad_cmpl(qv, cmpl, acc);
			return false;
		}
	}

	hb = &rx->hdr_buf[hdr_idx];
	page_pool_dma_sync_for_cpu(rx->hdr_pp, hb->page, hb->offset, hdr_len);
	skb = napi_alloc_skb(&qv->napi, hdr_len);
	if (skb)
		skb_put_data(skb, page_address(hb->page) + hb->offset, hdr_len);
	zcnic_rx_hdr_recycle(rx, hdr_len);

	if (nbufs)
		zcnic_rx_pay_take(rx, skb, pay_off, pay_len, nbufs,
				  flags & ZCNIC_RCD_PAY_DONE);
	if (!skb) {
		acc->skb_alloc_fail++;
		return true;
	}

	skb_mark_for_recycle(skb);
	zcnic_rx_csum_hash(qv, skb, cmpl, flags, acc);
	if (flags & ZCNIC_RCD_SPLIT)
		acc->split++;
	if (flags & ZCNIC_RCD_HBO)
		acc->hdr_overflow++;

	acc->packets++;
	acc->bytes += skb->len;
	if (flags & ZCNIC_RCD_GRO)
		zcnic_rx_gro(skb, cmpl, flags, acc);

	skb_record_rx_queue(skb, qv->idx);
	skb->protocol = eth_type_trans(skb, qv->zd->netdev);
	napi_gro_receive(&qv->napi, skb);

	return true;
}

static int zcnic_rx_clean(struct zcnic_q_vector *qv, int budget)
{
	struct zcnic_rx_counters acc = {};
	struct zcnic_rx_ring *rx = &qv->rx;
	struct zcnic_dev *zd = qv->zd;
	u32 head = rx->rcq_head;
	u32 hbr_tail = rx->hbr_tail;
	int done = 0;

	/* Out of sync with the device: wait for the queue restart. */
	if (rx->lost_sync)
		return 0;

	while (done < budget) {
		struct zcnic_rx_cmpl *cmpl = &rx->rcq[head & rx->size_mask];
		u32 flags = le32_to_cpu(READ_ONCE(cmpl->flags));

		if (!!(flags & ZCNIC_RCD_GEN) != zcnic_rcq_gen(rx, head))
			break;
		/* Read the rest of the completion after its generation bit. */
		dma_rmb();

		done++;
		if (!zcnic_rx_one(qv, cmpl, flags, &acc)) {
			/* The buffers the device used are not the ones this
			 * ring expects: nothing it says from here on can be
			 * followed. Restart the queue.
			 */
			rx->lost_sync = true;
			zcnic_request_reset(zd, qv->idx, true);
			break;
		}
		head++;
	}

	if (head != rx->rcq_head) {
		rx->rcq_head = head;
		zcnic_q_wr32(zd, qv->idx, ZCNIC_RXQ_RCQ_HEAD,
			     head & rx->size_mask);
	}
	if (unlikely(rx->hdr_short))
		zcnic_rx_hdr_fill(qv);
	if (rx->hbr_tail != hbr_tail)
		zcnic_q_wr32(zd, qv->idx, ZCNIC_RXQ_HBR_TAIL,
			     rx->hbr_tail & rx->size_mask);
	if (zcnic_rx_pay_fill(qv))
		zcnic_q_wr32(zd, qv->idx, ZCNIC_RXQ_PBR_TAIL,
			     rx->pbr_tail & rx->size_mask);

	if (done) {
		u64_stats_update_begin(&qv->rx_stats.syncp);
		zcnic_rx_counters_add(&qv->rx_stats.c, &acc);
		u64_stats_update_end(&qv->rx_stats.syncp);
	}

	return done;
}

/* ---------------------------------------------------------------------- */
/* TX                                                                      */
/* ---------------------------------------------------------------------- */

static u32 zcnic_tx_unused(const struct zcnic_tx_ring *tx)
{
	return tx->size - 1 - (tx->tail - tx->head);
}

static bool zcnic_tcq_gen(const struct zcnic_tx_ring *tx, u32 head)
{
	return !((head >> tx->size_shift) & 1);
}

static void zcnic_tx_unmap(struct device *dev, struct zcnic_tx_buf *buf)
{
	switch (buf->map) {
	case ZCNIC_TX_MAP_SINGLE:
		dma_unmap_single(dev, buf->dma, buf->len, DMA_TO_DEVICE);
		break;
	case ZCNIC_TX_MAP_PAGE:
		dma_unmap_page(dev, buf->dma, buf->len, DMA_TO_DEVICE);
		break;
	case ZCNIC_TX_MAP_NONE:
		break;
	}
	buf->map = ZCNIC_TX_MAP_NONE;
	buf->len = 0;
}

static void zcnic_tx_put_desc(struct zcnic_tx_ring *tx, u32 idx,
			      dma_addr_t dma, u32 len, u16 flags,
			      u16 csum_start, u16 csum_offset,
			      enum zcnic_tx_map map)
{
	struct zcnic_tx_desc *desc = &tx->desc[idx & tx->size_mask];
	struct zcnic_tx_buf *buf = &tx->buf[idx & tx->size_mask];

	buf->dma = dma;
	buf->len = len;
	buf->map = map;
	buf->skb = NULL;

	desc->addr = cpu_to_le64(dma);
	desc->len = cpu_to_le16(len);
	desc->flags = cpu_to_le16(flags);
	desc->csum_start = cpu_to_le16(csum_start);
	desc->csum_offset = cpu_to_le16(csum_offset);
}

/* Map @skb into descriptors from the tail.  Return: false on DMA error. */
static bool zcnic_tx_map(struct zcnic_q_vector *qv, struct sk_buff *skb,
			 struct zcnic_tx_counters *acc)
{
	struct device *dev = &qv->zd->pdev->dev;
	struct zcnic_tx_ring *tx = &qv->tx;
	u16 csum_start = 0, csum_offset = 0;
	unsigned int nr_frags, i;
	enum zcnic_tx_map map;
	u32 tail = tx->tail;
	u16 flags = 0;
	dma_addr_t dma;
	u32 len;

	if (skb->ip_summed == CHECKSUM_PARTIAL) {
		flags = ZCNIC_TXD_CSUM;
		csum_start = skb_checksum_start_offset(skb);
		csum_offset = skb->csum_offset;
		acc->needs_csum++;
	}
	if (skb_is_gso(skb)) {
		const struct skb_shared_info *shinfo = skb_shinfo(skb);
		unsigned int segs = shinfo->gso_segs;

		/* The stack left the pseudo-header sum over the whole TCP
		 * length in the checksum field, as the device expects; the
		 * MSS takes the place of the checksum offset.  In a tunnel
		 * (skb->encapsulation) csum_start is the inner TCP header
		 * and the device fixes the headers in front of it.
		 */
		flags |= ZCNIC_TXD_TSO;
		csum_offset = shinfo->gso_size;
		acc->gso_packets++;
		acc->gso_bytes += skb->len;
		acc->gso_wire_packets += segs;
		acc->gso_wire_bytes += skb->len + (segs - 1) *
				       (skb->encapsulation ?
					skb_inner_tcp_all_headers(skb) :
					skb_tcp_all_headers(skb));
	}

	len = skb_headlen(skb);
	if (len) {
		dma = dma_map_single(dev, skb->data, len, DMA_TO_DEVICE);
		if (dma_mapping_error(dev, dma))
			goto err_unmap;
		zcnic_tx_put_desc(tx, tail++, dma, len, flags, csum_start,
				  csum_offset, ZCNIC_TX_MAP_SINGLE);
		flags = 0;
	}

	nr_frags = skb_shinfo(skb)->nr_frags;
	for (i = 0; i < nr_frags; i++) {
		skb_frag_t *frag = &skb_shinfo(skb)->frags[i];

		len = skb_frag_size(frag);
		if (!len)
			continue;
		/* Memory provider buffers (devmem TX) come mapped. */
		map = skb_frag_is_net_iov(frag) ? ZCNIC_TX_MAP_NONE :
						  ZCNIC_TX_MAP_PAGE;
		dma = skb_frag_dma_map(dev, frag, 0, len, DMA_TO_DEVICE);
		if (map != ZCNIC_TX_MAP_NONE && dma_mapping_error(dev, dma))
			goto err_unmap;
		zcnic_tx_put_desc(tx, tail++, dma, len, flags, csum_start,
				  csum_offset, map);
		flags = 0;
	}

	if (tail == tx->tail)
		return false;

	tx->desc[(tail - 1) & tx->size_mask].flags |= cpu_to_le16(ZCNIC_TXD_EOP);
	tx->buf[(tail - 1) & tx->size_mask].skb = skb;
	tx->tail = tail;

	return true;

err_unmap:
	while (tail != tx->tail)
		zcnic_tx_unmap(dev, &tx->buf[--tail & tx->size_mask]);
	return false;
}

/*
 * Tell the device about every descriptor written so far. Frames sent with
 * xmit_more wait for the doorbell of a later frame: when that frame is
 * dropped or refused instead, the doorbell is still due.
 */
static void zcnic_tx_doorbell(struct zcnic_q_vector *qv)
{
	struct zcnic_tx_ring *tx = &qv->tx;

	if (tx->db_tail == tx->tail)
		return;
	tx->db_tail = tx->tail;
	zcnic_q_wr32(qv->zd, qv->idx, ZCNIC_TXQ_DR_TAIL,
		     tx->tail & tx->size_mask);
}

netdev_tx_t zcnic_xmit(struct sk_buff *skb, struct net_device *netdev)
{
	struct zcnic_dev *zd = netdev_priv(netdev);
	unsigned int q = skb_get_queue_mapping(skb);
	struct zcnic_tx_counters acc = {};
	struct zcnic_q_vector *qv = zd->qv[q];
	struct netdev_queue *txq;
	struct zcnic_tx_ring *tx;
	unsigned int len;

	if (unlikely(!qv || !qv->tx.live))
		goto err_drop;
	tx = &qv->tx;
	txq = netdev_get_tx_queue(netdev, q);

	if (skb_shinfo(skb)->nr_frags + 1 > ZCNIC_TX_MAX_FRAGS &&
	    skb_linearize(skb))
		goto err_drop_stats;
	if (unlikely(skb->len > (skb_is_gso(skb) ? ZCNIC_TSO_FRAME_MAX :
						      ZCNIC_FRAME_MAX)))
		goto err_drop_stats;
	/* The MAC sends frames as they are: pad runts to the minimum. */
	if (eth_skb_pad(skb)) {
		skb = NULL;	/* freed by eth_skb_pad() */
		goto err_drop_stats;
	}

	/* debugfs tx_drop */
	if (unlikely(atomic_read(&zd->dbg_tx_drop) > 0) &&
	    !netdev_xmit_more() &&
	    atomic_dec_if_positive(&zd->dbg_tx_drop) >= 0)
		goto err_drop_stats;

	if (unlikely(zcnic_tx_unused(tx) < skb_shinfo(skb)->nr_frags + 1)) {
		/* The queue should have been stopped after the last frame. */
		netif_tx_stop_queue(txq);
		acc.stop++;
		goto out_busy;
	}

	len = skb->len;
	if (!zcnic_tx_map(qv, skb, &acc))
		goto err_drop_stats;

	skb_tx_timestamp(skb);

	if (!netif_txq_maybe_stop(txq, zcnic_tx_unused(tx),
				  ZCNIC_TX_STOP_THRESH, tx->wake_thresh))
		acc.stop++;

	if (__netdev_tx_sent_queue(txq, len, netdev_xmit_more()))
		zcnic_tx_doorbell(qv);

	u64_stats_update_begin(&qv->tx_stats.syncp);
	zcnic_tx_counters_add(&qv->tx_stats.c, &acc);
	u64_stats_update_end(&qv->tx_stats.syncp);

	return NETDEV_TX_OK;

out_busy:
	zcnic_tx_doorbell(qv);
	u64_stats_update_begin(&qv->tx_stats.syncp);
	zcnic_tx_counters_add(&qv->tx_stats.c, &acc);
	u64_stats_update_end(&qv->tx_stats.syncp);
	return NETDEV_TX_BUSY;

err_drop_stats:
	zcnic_tx_doorbell(qv);
	u64_stats_update_begin(&qv->tx_stats.syncp);
	qv->tx_stats.c.dropped++;
	u64_stats_update_end(&qv->tx_stats.syncp);
err_drop:
	dev_kfree_skb_any(skb);
	return NETDEV_TX_OK;
}

/* Find the EOP descriptor of the oldest frame in flight. */
static bool zcnic_tx_oldest_eop(const struct zcnic_tx_ring *tx, u32 *eop)
{
	u32 i;

	for (i = tx->head; i != tx->tail; i++) {
		if (tx->buf[i & tx->size_mask].skb) {
			*eop = i;
			return true;
		}
	}

	return false;
}

/* Unmap the oldest frame, whose EOP is @eop, and return its skb. */
static struct sk_buff *zcnic_tx_release(struct zcnic_q_vector *qv, u32 eop)
{
	struct device *dev = &qv->zd->pdev->dev;
	struct zcnic_tx_ring *tx = &qv->tx;
	struct sk_buff *skb;

	skb = tx->buf[eop & tx->size_mask].skb;
	tx->buf[eop & tx->size_mask].skb = NULL;
	for (; tx->head != eop + 1; tx->head++)
		zcnic_tx_unmap(dev, &tx->buf[tx->head & tx->size_mask]);

	return skb;
}

static void zcnic_tx_clean(struct zcnic_q_vector *qv, int budget)
{
	struct zcnic_tx_counters acc = {};
	struct zcnic_tx_ring *tx = &qv->tx;
	u32 tcq_head = tx->tcq_head;
	struct netdev_queue *txq;
	unsigned int bytes = 0;

	if (!tx->live)
		return;

	for (;;) {
		struct zcnic_tx_cmpl *cmpl = &tx->tcq[tcq_head & tx->size_mask];
		u32 flags = le32_to_cpu(READ_ONCE(cmpl->flags));
		struct sk_buff *skb;
		u32 eop;

		if (!!(flags & ZCNIC_TCD_GEN) != zcnic_tcq_gen(tx, tcq_head))
			break;
		dma_rmb();
		tcq_head++;

		/* Frames complete in order: anything but the oldest frame's
		 * EOP descriptor is bogus and is not followed.
		 */
		if (!zcnic_tx_oldest_eop(tx, &eop) ||
		    le16_to_cpu(cmpl->desc_idx) != (eop & tx->size_mask)) {
			acc.bad_cmpl++;
			net_warn_ratelimited("%s: TX queue %u: dropping bad completion for descriptor %u\n",
					     netdev_name(qv->zd->netdev),
					     qv->idx,
					     le16_to_cpu(cmpl->desc_idx));
			continue;
		}

		skb = zcnic_tx_release(qv, eop);
		if (le16_to_cpu(cmpl->status) != ZCNIC_TCD_STATUS_OK)
			acc.errors++;
		acc.packets++;
		bytes += skb->len;
		napi_consume_skb(skb, budget);
	}

	if (tcq_head == tx->tcq_head)
		return;
	tx->tcq_head = tcq_head;
	zcnic_q_wr32(qv->zd, qv->idx, ZCNIC_TXQ_TCQ_HEAD,
		     tcq_head & tx->size_mask);

	acc.bytes = bytes;
	txq = netdev_get_tx_queue(qv->zd->netdev, qv->idx);
	if (!netif_txq_completed_wake(txq, acc.packets, bytes,
				      zcnic_tx_unused(tx), tx->wake_thresh))
		acc.wake++;

	u64_stats_update_begin(&qv->tx_stats.syncp);
	zcnic_tx_counters_add(&qv->tx_stats.c, &acc);
	u64_stats_update_end(&qv->tx_stats.syncp);
}

int zcnic_tx_ring_alloc(struct zcnic_dev *zd, struct zcnic_tx_ring *tx)
{
	struct device *dev = &zd->pdev->dev;
	unsigned int size = zd->tx_ring_size;

	memset(tx, 0, sizeof(*tx));
	tx->size = size;
	tx->size_mask = size - 1;
	tx->size_shift = ilog2(size);
	/* a wake threshold above size - 1 free descriptors is never met */
	tx->wake_thresh = min_t(u32, 2 * ZCNIC_TX_STOP_THRESH,
				(size - 1 + ZCNIC_TX_STOP_THRESH) / 2);

	tx->buf = kvcalloc(size, sizeof(*tx->buf), GFP_KERNEL);
	tx->desc = dma_alloc_coherent(dev, size * sizeof(*tx->desc),
				      &tx->desc_dma, GFP_KERNEL);
	tx->tcq = dma_alloc_coherent(dev, size * sizeof(*tx->tcq),
				     &tx->tcq_dma, GFP_KERNEL);
	if (!tx->buf || !tx->desc || !tx->tcq) {
		zcnic_tx_ring_free(zd, tx);
		return -ENOMEM;
	}

	return 0;
}

void zcnic_tx_ring_free(struct zcnic_dev *zd, struct zcnic_tx_ring *tx)
{
	struct device *dev = &zd->pdev->dev;

	if (tx->stuck) {
		netdev_err(zd->netdev,
			   "leaking a TX ring the device never released\n");
		memset(tx, 0, sizeof(*tx));
		return;
	}

	if (tx->tcq)
		dma_free_coherent(dev, tx->size * sizeof(*tx->tcq), tx->tcq,
				  tx->tcq_dma);
	if (tx->desc)
		dma_free_coherent(dev, tx->size * sizeof(*tx->desc), tx->desc,
				  tx->desc_dma);
	kvfree(tx->buf);
	memset(tx, 0, sizeof(*tx));
}

int zcnic_tx_ring_start(struct zcnic_q_vector *qv)
{
	struct zcnic_tx_ring *tx = &qv->tx;
	struct zcnic_dev *zd = qv->zd;
	unsigned int q = qv->idx;
	u32 status;
	int err;

	tx->head = 0;
	tx->tail = 0;
	tx->db_tail = 0;
	tx->tcq_head = 0;
	memset(tx->tcq, 0, tx->size * sizeof(*tx->tcq));

	zcnic_write_base(zd, q, ZCNIC_TXQ_DR_BASE_LO, tx->desc_dma);
	zcnic_q_wr32(zd, q, ZCNIC_TXQ_DR_SIZE, tx->size);
	zcnic_write_base(zd, q, ZCNIC_TXQ_TCQ_BASE_LO, tx->tcq_dma);
	zcnic_q_wr32(zd, q, ZCNIC_TXQ_TCQ_SIZE, tx->size);
	zcnic_q_wr32(zd, q, ZCNIC_TXQ_CTRL, ZCNIC_TXQ_CTRL_ENABLE);

	err = zcnic_wait_reg(zd, ZCNIC_Q_BASE(q) + ZCNIC_TXQ_STATUS,
			     ZCNIC_TXQ_STATUS_ENABLED | ZCNIC_TXQ_STATUS_ERROR,
			     ZCNIC_TXQ_STATUS_ENABLED, &status);
	if (err) {
		netdev_err(zd->netdev,
			   "TX queue %u did not start: status 0x%08x, error code %u\n",
			   q, status,
			   FIELD_GET(ZCNIC_TXQ_STATUS_ERRCODE, status));
		if (!zcnic_ring_disable(zd, q, ZCNIC_TXQ_CTRL, ZCNIC_TXQ_STATUS))
			tx->stuck = true;
		return err == -ETIMEDOUT ? -EIO : err;
	}
	tx->live = true;

	return 0;
}

/**
 * zcnic_tx_ring_drain() - drop the frames a stopped TX ring still holds
 * @qv: queue vector whose TX ring the device has released
 */
void zcnic_tx_ring_drain(struct zcnic_q_vector *qv)
{
	struct device *dev = &qv->zd->pdev->dev;
	struct zcnic_tx_ring *tx = &qv->tx;
	unsigned int dropped = 0;

	for (; tx->head != tx->tail; tx->head++) {
		struct zcnic_tx_buf *buf = &tx->buf[tx->head & tx->size_mask];

		zcnic_tx_unmap(dev, buf);
		if (buf->skb) {
			dev_kfree_skb_any(buf->skb);
			buf->skb = NULL;
			dropped++;
		}
	}

	u64_stats_update_begin(&qv->tx_stats.syncp);
	qv->tx_stats.c.dropped += dropped;
	u64_stats_update_end(&qv->tx_stats.syncp);
}

/*
 * Stop a TX ring (NAPI disabled) and drop the frames it still holds. The
 * stack's byte queue limits start over either way: a ring the device did
 * not release keeps its frames (mapped, until a device reset), but they
 * will never complete.
 */
void zcnic_tx_ring_stop(struct zcnic_q_vector *qv)
{
	struct zcnic_tx_ring *tx = &qv->tx;
	struct zcnic_dev *zd = qv->zd;
	u32 status;
	int err;

	if (!tx->live)
		return;
	tx->live = false;

	zcnic_q_wr32(zd, qv->idx, ZCNIC_TXQ_CTRL, 0);
	err = zcnic_wait_reg(zd, ZCNIC_Q_BASE(qv->idx) + ZCNIC_TXQ_STATUS,
			     ZCNIC_TXQ_STATUS_ENABLED, 0, &status);
	if (err == -ETIMEDOUT) {
		netdev_err(zd->netdev,
			   "TX queue %u did not acknowledge the stop (status 0x%08x)\n",
			   qv->idx, status);
		tx->stuck = true;
	} else {
		zcnic_tx_ring_drain(qv);
	}
	netdev_tx_reset_queue(netdev_get_tx_queue(zd->netdev, qv->idx));
}

/*
 * Feed DIM a sample at the end of a poll that completed: the RX packets and
 * bytes so far and the polls (one per interrupt) they took.  The counters
 * are only written in this NAPI context, so they are read as they are.
 */
static void zcnic_rx_dim_update(struct zcnic_q_vector *qv)
{
	struct dim_sample sample = {};

	dim_update_sample(qv->polls, qv->rx_stats.c.packets,
			  qv->rx_stats.c.bytes, &sample);
	net_dim(&qv->rx_dim, &sample);
}

/* DIM chose a profile: it becomes the queue pair's interrupt interval. */
void zcnic_rx_dim_work(struct work_struct *work)
{
	struct dim *dim = container_of(work, struct dim, work);
	struct zcnic_q_vector *qv = container_of(dim, struct zcnic_q_vector,
						 rx_dim);
	struct zcnic_dev *zd = qv->zd;
	struct dim_cq_moder moder = net_dim_get_rx_irq_moder(zd->netdev, dim);

	mutex_lock(&zd->dim_lock);
	if (zd->adaptive_rx)
		zcnic_q_wr32(zd, qv->idx, ZCNIC_QP_IRQ_ITR,
			     min_t(u32, moder.usec,
				   FIELD_MAX(ZCNIC_QP_IRQ_ITR_USECS)));
	dim->state = DIM_START_MEASURE;
	mutex_unlock(&zd->dim_lock);
}

int zcnic_poll(struct napi_struct *napi, int budget)
{
	struct zcnic_q_vector *qv = container_of(napi, struct zcnic_q_vector,
						 napi);
	int work = 0;

	qv->polls++;
	zcnic_tx_clean(qv, budget);
	/* A zero budget (netpoll) may not touch the page pools. */
	if (budget && qv->rx.live)
		work = zcnic_rx_clean(qv, budget);

	if (work == budget)
		return budget;

	if (napi_complete_done(napi, work)) {
		if (READ_ONCE(qv->zd->adaptive_rx))
			zcnic_rx_dim_update(qv);
		zcnic_irq_arm(qv);
		zcnic_refill_check(qv);
	}

	return work;
}
