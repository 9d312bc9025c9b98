// SPDX-License-Identifier: GPL-2.0
/* zcnic: netdev ops, open and stop, link, RSS programming, statistics. */

#include <linux/bitfield.h>
#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/interrupt.h>
#include <linux/unaligned.h>
#include <net/netdev_lock.h>
#include <net/netdev_queues.h>
#include <net/netdev_rx_queue.h>
#include <net/vxlan.h>

#include "zcnic.h"

/* ---------------------------------------------------------------------- */
/* Queue vectors                                                           */
/* ---------------------------------------------------------------------- */

/**
 * zcnic_vector_alloc() - allocate a queue pair's vector
 * @zd: device
 * @q: queue pair index
 *
 * The vector gets its NAPI instance, interrupt, TX ring and RX ring (whose
 * payload page pool picks up a memory provider bound to the queue, and its
 * buffer size, across down/up), but is not installed in zd->qv yet.
 *
 * Return: the vector or an ERR_PTR().
 */
static struct zcnic_q_vector *zcnic_vector_alloc(struct zcnic_dev *zd,
						 unsigned int q)
{
	struct net_device *netdev = zd->netdev;
	struct netdev_queue_config qcfg;
	struct zcnic_q_vector *qv;
	int err;

	qv = kzalloc_obj(*qv);
	if (!qv)
		return ERR_PTR(-ENOMEM);

	qv->zd = zd;
	qv->idx = q;
	qv->irq = pci_irq_vector(zd->pdev, ZCNIC_VEC_QUEUE(q));
	u64_stats_init(&qv->rx_stats.syncp);
	u64_stats_init(&qv->tx_stats.syncp);
	timer_setup(&qv->refill_timer, zcnic_refill_timer, TIMER_PINNED);
	net_dim_setting(netdev, &qv->rx_dim, false);
	netif_napi_add_config_locked(netdev, &qv->napi, zcnic_poll, q);

	err = zcnic_tx_ring_alloc(zd, &qv->tx);
	if (err)
		goto err_del_napi;

	netdev_queue_config(netdev, q, &qcfg);
	err = zcnic_rx_ring_alloc(zd, q, &qcfg, &qv->rx);
	if (err)
		goto err_free_tx_ring;

	snprintf(qv->irq_name, sizeof(qv->irq_name), "%s-q%u", netdev->name,
		 q);
	err = request_irq(qv->irq, zcnic_queue_irq, 0, qv->irq_name, qv);
	if (err) {
		netdev_err(netdev, "requesting the interrupt of queue %u failed\n",
			   q);
		goto err_free_rx_ring;
	}
	netif_napi_set_irq_locked(&qv->napi, qv->irq);

	return qv;

err_free_rx_ring:
	zcnic_rx_ring_free(zd, &qv->rx);
err_free_tx_ring:
	zcnic_tx_ring_free(zd, &qv->tx);
err_del_napi:
	netif_napi_del_locked(&qv->napi);
	synchronize_net();
	kfree(qv);
	return ERR_PTR(err);
}

static void zcnic_vector_install(struct zcnic_dev *zd,
				 struct zcnic_q_vector *qv)
{
	unsigned long flags;

	spin_lock_irqsave(&zd->stats_lock, flags);
	zd->qv[qv->idx] = qv;
	spin_unlock_irqrestore(&zd->stats_lock, flags);
}

/**
 * zcnic_vector_release() - free everything a stopped vector holds
 * @zd: device
 * @qv: vector with NAPI disabled and its rings stopped (or never started)
 *
 * Its counters move to the device totals and it leaves zd->qv.  The caller
 * frees @qv itself after synchronize_net(): busy pollers may still look at
 * the NAPI instance.
 */
static void zcnic_vector_release(struct zcnic_dev *zd,
				 struct zcnic_q_vector *qv)
{
	struct zcnic_rx_counters rx;
	struct zcnic_tx_counters tx;
	unsigned long flags;

	netif_napi_set_irq_locked(&qv->napi, -1);
	free_irq(qv->irq, qv);
	timer_shutdown_sync(&qv->refill_timer);
	/* NAPI is disabled: nothing schedules DIM's work any more. */
	net_dim_work_cancel(&qv->rx_dim);
	/* NAPI is disabled: the pools may go. */
	zcnic_rx_ring_free(zd, &qv->rx);
	zcnic_tx_ring_free(zd, &qv->tx);
	netif_napi_del_locked(&qv->napi);

	/* Keep the device totals across down/up. */
	zcnic_rx_stats_read(&qv->rx_stats, &rx);
	zcnic_tx_stats_read(&qv->tx_stats, &tx);
	spin_lock_irqsave(&zd->stats_lock, flags);
	zcnic_rx_counters_add(&zd->rx_base, &rx);
	zcnic_tx_counters_add(&zd->tx_base, &tx);
	if (zd->qv[qv->idx] == qv)
		zd->qv[qv->idx] = NULL;
	spin_unlock_irqrestore(&zd->stats_lock, flags);
}

static void zcnic_free_vectors(struct zcnic_dev *zd)
{
	struct zcnic_q_vector *gone[ZCNIC_MAX_QUEUES];
	unsigned int q, n = 0;

	for (q = 0; q < ZCNIC_MAX_QUEUES; q++) {
		if (!zd->qv[q])
			continue;
		gone[n] = zd->qv[q];
		zcnic_vector_release(zd, gone[n++]);
	}

	if (!n)
		return;
	synchronize_net();
	while (n--)
		kfree(gone[n]);
}

static int zcnic_start_queue(struct zcnic_dev *zd, struct zcnic_q_vector *qv)
{
	int err;

	zcnic_q_wr32(zd, qv->idx, ZCNIC_QP_IRQ_VEC, ZCNIC_VEC_QUEUE(qv->idx));
	zcnic_q_wr32(zd, qv->idx, ZCNIC_QP_IRQ_ITR, zd->itr_usecs);

	err = zcnic_tx_ring_start(qv);
	if (err)
		return err;

	err = zcnic_rx_ring_start(qv);
	if (err) {
		zcnic_tx_ring_stop(qv);
		return err;
	}

	return 0;
}

static void zcnic_napi_enable(struct zcnic_q_vector *qv)
{
	struct net_device *netdev = qv->zd->netdev;

	napi_enable_locked(&qv->napi);
	netif_queue_set_napi(netdev, qv->idx, NETDEV_QUEUE_TYPE_RX, &qv->napi);
	netif_queue_set_napi(netdev, qv->idx, NETDEV_QUEUE_TYPE_TX, &qv->napi);

	/* The first poll finishes the refill and arms the interrupt. */
	local_bh_disable();
	napi_schedule(&qv->napi);
	local_bh_enable();
}

static void zcnic_napi_disable(struct zcnic_q_vector *qv)
{
	struct net_device *netdev = qv->zd->netdev;

	netif_queue_set_napi(netdev, qv->idx, NETDEV_QUEUE_TYPE_RX, NULL);
	netif_queue_set_napi(netdev, qv->idx, NETDEV_QUEUE_TYPE_TX, NULL);
	napi_disable_locked(&qv->napi);
	timer_delete_sync(&qv->refill_timer);
	qv->refill_delay_ms = 0;
}

/* ---------------------------------------------------------------------- */
/* netdev ops                                                              */
/* ---------------------------------------------------------------------- */

static void zcnic_write_rx_filter(struct zcnic_dev *zd,
				  const struct netdev_hw_addr_list *uc,
				  const struct netdev_hw_addr_list *mc)
{
	struct net_device *netdev = zd->netdev;
	u32 filter = ZCNIC_DEV_RX_FILTER_BCAST;

	/* The device has no address filters beyond its own MAC. */
	if ((netdev->flags & IFF_PROMISC) || !netdev_hw_addr_list_empty(uc))
		filter |= ZCNIC_DEV_RX_FILTER_PROMISC;
	if ((netdev->flags & IFF_ALLMULTI) || !netdev_hw_addr_list_empty(mc))
		filter |= ZCNIC_DEV_RX_FILTER_ALLMULTI;

	zcnic_wr32(zd, ZCNIC_DEV_RX_FILTER, filter);
}

static int zcnic_set_rx_mode(struct net_device *netdev,
			     struct netdev_hw_addr_list *uc,
			     struct netdev_hw_addr_list *mc)
{
	zcnic_write_rx_filter(netdev_priv(netdev), uc, mc);

	return 0;
}

static void zcnic_write_mac(struct zcnic_dev *zd, const u8 *addr)
{
	zcnic_wr32(zd, ZCNIC_DEV_MAC_LO, get_unaligned_le32(addr));
	zcnic_wr32(zd, ZCNIC_DEV_MAC_HI, get_unaligned_le16(addr + 4));
}

static int zcnic_set_mac_address(struct net_device *netdev, void *p)
{
	struct zcnic_dev *zd = netdev_priv(netdev);
	int err;

	err = eth_mac_addr(netdev, p);
	if (err)
		return err;

	zcnic_write_mac(zd, netdev->dev_addr);

	return 0;
}

static void zcnic_write_max_frame(struct zcnic_dev *zd, unsigned int mtu)
{
	zcnic_wr32(zd, ZCNIC_DEV_MAX_FRAME, mtu + VLAN_ETH_HLEN);
}

static int zcnic_change_mtu(struct net_device *netdev, int mtu)
{
	struct zcnic_dev *zd = netdev_priv(netdev);

	/* Payloads scatter over as many buffers as needed: no ring change. */
	WRITE_ONCE(netdev->mtu, mtu);
	zcnic_write_max_frame(zd, mtu);

	return 0;
}

static int zcnic_set_features(struct net_device *netdev,
			      netdev_features_t features)
{
	struct zcnic_dev *zd = netdev_priv(netdev);
	netdev_features_t changed = netdev->features ^ features;

	if ((changed & NETIF_F_NTUPLE) && !(features & NETIF_F_NTUPLE))
		zcnic_ntuple_clear_all(zd);

	/* RXQ_CTRL.GRO is latched when a ring starts: restart them */
	if (changed & NETIF_F_GRO_HW)
		return zcnic_set_rx_latched(zd, &zd->gro_hw,
					    features & NETIF_F_GRO_HW);

	return 0;
}

static void zcnic_tx_timeout(struct net_device *netdev, unsigned int txqueue)
{
	struct zcnic_dev *zd = netdev_priv(netdev);
	struct zcnic_q_vector *qv = zd->qv[txqueue];
	unsigned long flags;

	if (!qv)
		return;

	spin_lock_irqsave(&zd->stats_lock, flags);
	zd->reset_stats.tx_timeout++;
	spin_unlock_irqrestore(&zd->stats_lock, flags);
	zcnic_request_reset(zd, txqueue, false);

	netdev_warn(netdev,
		    "TX queue %u timed out: head %u tail %u, device head %u tail %u, completion head %u device tail %u\n",
		    txqueue, qv->tx.head & qv->tx.size_mask,
		    qv->tx.tail & qv->tx.size_mask,
		    zcnic_q_rd32(zd, txqueue, ZCNIC_TXQ_DR_HEAD),
		    zcnic_q_rd32(zd, txqueue, ZCNIC_TXQ_DR_TAIL),
		    qv->tx.tcq_head & qv->tx.size_mask,
		    zcnic_q_rd32(zd, txqueue, ZCNIC_TXQ_TCQ_TAIL));
}

/* ---------------------------------------------------------------------- */
/* Recovery                                                                */
/* ---------------------------------------------------------------------- */

/**
 * zcnic_request_reset() - have one queue of a pair reset
 * @zd: device
 * @q: queue pair
 * @rx: the RX queue (restarted through the queue management ops, so a
 *	memory provider bound to it stays bound); else the TX ring
 *
 * For a queue that the device stopped on an error, that lost sync with the
 * device, or that timed out. Any context; the reset runs in process
 * context from zcnic_reset_task().
 */
void zcnic_request_reset(struct zcnic_dev *zd, unsigned int q, bool rx)
{
	set_bit(q, rx ? zd->rx_reset : zd->tx_reset);
	schedule_work(&zd->reset_task);
}

static bool zcnic_rx_needs_reset(struct zcnic_dev *zd, unsigned int q)
{
	const struct zcnic_rx_ring *rx = &zd->qv[q]->rx;

	return rx->live &&
	       (rx->lost_sync ||
		(zcnic_q_rd32(zd, q, ZCNIC_RXQ_STATUS) & ZCNIC_RXQ_STATUS_ERROR));
}

/* Stop and start a TX ring: its pending frames are dropped (and counted). */
static int zcnic_tx_queue_reset(struct zcnic_dev *zd,
				struct zcnic_q_vector *qv)
{
	struct netdev_queue *txq = netdev_get_tx_queue(zd->netdev, qv->idx);
	int err;

	__netif_tx_lock_bh(txq);
	netif_tx_stop_queue(txq);
	__netif_tx_unlock_bh(txq);

	napi_disable_locked(&qv->napi);
	zcnic_tx_ring_stop(qv);
	err = qv->tx.stuck ? -EIO : zcnic_tx_ring_start(qv);
	napi_enable_locked(&qv->napi);
	local_bh_disable();
	napi_schedule(&qv->napi);
	local_bh_enable();
	if (err)
		return err;

	netif_tx_wake_queue(txq);
	return 0;
}

void zcnic_reset_task(struct work_struct *work)
{
	struct zcnic_dev *zd = container_of(work, struct zcnic_dev,
					    reset_task);
	struct net_device *netdev = zd->netdev;
	struct zcnic_reset_stats done = {};
	unsigned long flags;
	unsigned int q;
	bool full = false;
	int err;

	rtnl_lock();
	netdev_lock(netdev);
	if (!test_bit(ZCNIC_F_UP, &zd->flags) ||
	    test_bit(ZCNIC_F_GONE, &zd->flags)) {
		/* open starts every queue afresh */
		bitmap_zero(zd->tx_reset, ZCNIC_MAX_QUEUES);
		bitmap_zero(zd->rx_reset, ZCNIC_MAX_QUEUES);
		goto out;
	}

	for_each_set_bit(q, zd->tx_reset, ZCNIC_MAX_QUEUES) {
		clear_bit(q, zd->tx_reset);
		/* a ring that failed to start is not running to recover */
		if (q >= zd->num_queues || !zd->qv[q]->tx.live)
			continue;
		err = zcnic_tx_queue_reset(zd, zd->qv[q]);
		if (err) {
			netdev_err(netdev, "TX queue %u: reset failed (%d)\n",
				   q, err);
			full = true;
			continue;
		}
		netdev_info(netdev, "TX queue %u reset\n", q);
		done.tx_queue++;
	}

	for_each_set_bit(q, zd->rx_reset, ZCNIC_MAX_QUEUES) {
		clear_bit(q, zd->rx_reset);
		/* The error may be that of a start the core already rolled
		 * back (the device refused the ring): only a running ring
		 * that stopped or lost sync needs the restart.
		 */
		if (q >= zd->num_queues || !zcnic_rx_needs_reset(zd, q))
			continue;
		err = netdev_rx_queue_restart(netdev, q);
		if (err) {
			netdev_err(netdev, "RX queue %u: restart failed (%d)\n",
				   q, err);
			full = true;
			continue;
		}
		netdev_info(netdev, "RX queue %u restarted\n", q);
		done.rx_queue++;
	}

	if (full) {
		netdev_err(netdev, "queue reset failed: restarting the interface\n");
		err = zcnic_restart(zd);
		if (err)
			netdev_err(netdev,
				   "restart failed (%d): the interface has no queues until it is brought down and up\n",
				   err);
		done.device++;
	}

	spin_lock_irqsave(&zd->stats_lock, flags);
	zd->reset_stats.rx_queue += done.rx_queue;
	zd->reset_stats.tx_queue += done.tx_queue;
	zd->reset_stats.device += done.device;
	spin_unlock_irqrestore(&zd->stats_lock, flags);
out:
	netdev_unlock(netdev);
	rtnl_unlock();
}

void zcnic_link_update(struct zcnic_dev *zd)
{
	struct net_device *netdev = zd->netdev;
	bool up;

	if (!test_bit(ZCNIC_F_UP, &zd->flags))
		return;

	up = zcnic_rd32(zd, ZCNIC_DEV_STATUS) & ZCNIC_DEV_STATUS_LINK_UP;
	up &= zcnic_present(zd);
	if (up == netif_carrier_ok(netdev))
		return;

	if (up) {
		netif_carrier_on(netdev);
		netdev_info(netdev, "link up\n");
	} else {
		netif_carrier_off(netdev);
		netdev_info(netdev, "link down\n");
	}
}

/* Start every queue pair's rings; on failure none is left running. */
static int zcnic_start_queues(struct zcnic_dev *zd)
{
	unsigned int q;
	int err;

	for (q = 0; q < zd->num_queues; q++) {
		err = zcnic_start_queue(zd, zd->qv[q]);
		if (err)
			goto err_stop;
	}

	return 0;

err_stop:
	while (q--) {
		zcnic_rx_ring_stop(zd->qv[q]);
		zcnic_tx_ring_stop(zd->qv[q]);
	}
	return err;
}

/* Enable NAPI and transmission on running rings. */
static void zcnic_enable_queues(struct zcnic_dev *zd)
{
	unsigned int q;

	for (q = 0; q < zd->num_queues; q++)
		zcnic_napi_enable(zd->qv[q]);
	/* Wake, not start: across a reconfiguration the carrier stays up and
	 * the qdisc may hold a backlog that only a reschedule sends.
	 */
	netif_tx_wake_all_queues(zd->netdev);
}

/* Quiesce every queue pair and take its rings back from the device. */
static void zcnic_stop_queues(struct zcnic_dev *zd)
{
	unsigned int q;

	/* No completion can wake a TX queue once NAPI is off. */
	for (q = 0; q < zd->num_queues; q++)
		zcnic_napi_disable(zd->qv[q]);
	netif_tx_disable(zd->netdev);
	for (q = 0; q < zd->num_queues; q++) {
		zcnic_rx_ring_stop(zd->qv[q]);
		zcnic_tx_ring_stop(zd->qv[q]);
	}
}

/**
 * zcnic_open() - bring the queues up
 * @netdev: network device
 *
 * Allocates a vector (NAPI, IRQ, TX and RX rings) per queue pair, hands the
 * rings to the device and enables NAPI.  Payload page pools are created for
 * every queue with its index, so a memory provider bound to a queue stays
 * in use across down/up.  Called with the instance lock (and rtnl) held.
 *
 * Return: 0 or a negative error.
 */
int zcnic_open(struct net_device *netdev)
{
	struct zcnic_dev *zd = netdev_priv(netdev);
	struct zcnic_q_vector *qv;
	unsigned int q;
	int err;

	for (q = 0; q < zd->num_queues; q++) {
		qv = zcnic_vector_alloc(zd, q);
		if (IS_ERR(qv)) {
			err = PTR_ERR(qv);
			goto err_free_vectors;
		}
		zcnic_vector_install(zd, qv);
	}

	err = zcnic_start_queues(zd);
	if (err)
		goto err_free_vectors;

	set_bit(ZCNIC_F_UP, &zd->flags);
	netif_addr_lock_bh(netdev);
	zcnic_write_rx_filter(zd, &netdev->uc, &netdev->mc);
	netif_addr_unlock_bh(netdev);
	zcnic_enable_queues(zd);
	zcnic_link_update(zd);

	return 0;

err_free_vectors:
	zcnic_free_vectors(zd);
	return err;
}

static bool zcnic_rings_stuck(const struct zcnic_dev *zd)
{
	unsigned int q;

	for (q = 0; q < zd->num_queues; q++)
		if (zd->qv[q] && (zd->qv[q]->rx.stuck || zd->qv[q]->tx.stuck))
			return true;

	return false;
}

/**
 * zcnic_reset_device() - reset the device to take back rings it kept
 * @zd: device, every queue stopped, with the instance lock and rtnl held
 *
 * A ring whose stop the device never acknowledged ("stuck") may still be
 * read or written by it: it must not be freed, nor its queue started again
 * (its registers stay locked). A device reset releases every ring. Put
 * back what the reset cleared and open does not write again: interrupt
 * mask, MAC address, frame size, RSS contexts and ntuple rules. The
 * device's counters start over; the driver's totals keep what they had.
 */
static void zcnic_reset_device(struct zcnic_dev *zd)
{
	struct net_device *netdev = zd->netdev;
	struct ethtool_rxfh_context *ctx;
	unsigned long flags, id;
	unsigned int q;
	u32 last;

	zcnic_hw_stats_update(zd);
	zcnic_wr32(zd, ZCNIC_DEV_CTRL, ZCNIC_DEV_CTRL_RESET);
	if (zcnic_wait_reg(zd, ZCNIC_DEV_CTRL, ZCNIC_DEV_CTRL_RESET, 0,
			   &last)) {
		netdev_err(netdev,
			   "device reset did not complete (control 0x%08x): its stuck rings stay leaked\n",
			   last);
		return;
	}
	netdev_warn(netdev, "device reset: it had not released every ring\n");

	for (q = 0; q < zd->num_queues; q++) {
		zd->qv[q]->rx.stuck = false;
		if (zd->qv[q]->tx.stuck) {
			zd->qv[q]->tx.stuck = false;
			zcnic_tx_ring_drain(zd->qv[q]);
		}
	}
	spin_lock_irqsave(&zd->stats_lock, flags);
	for (q = 0; q < zd->max_queues; q++) {
		zd->hw_qstats[q].last_nobuf = 0;
		zd->hw_qstats[q].last_nocmpl = 0;
		zd->hw_qstats[q].last_drop_steer = 0;
	}
	spin_unlock_irqrestore(&zd->stats_lock, flags);

	zcnic_wr32(zd, ZCNIC_DEV_IRQ_MASK, ZCNIC_DEV_IRQS);
	zcnic_write_mac(zd, netdev->dev_addr);
	zcnic_write_max_frame(zd, netdev->mtu);
	zcnic_rss_write(zd, 0, zd->rss_key, zd->rss_indir);
	mutex_lock(&netdev->ethtool->rss_lock);
	xa_for_each(&netdev->ethtool->rss_ctx, id, ctx)
		zcnic_rss_write(zd, id, ethtool_rxfh_context_key(ctx),
				ethtool_rxfh_context_indir(ctx));
	mutex_unlock(&netdev->ethtool->rss_lock);
	zcnic_ntuple_restore(zd);
}

int zcnic_stop(struct net_device *netdev)
{
	struct zcnic_dev *zd = netdev_priv(netdev);

	/* Nothing to do after a reconfiguration that failed to reopen. */
	if (!test_and_clear_bit(ZCNIC_F_UP, &zd->flags))
		return 0;

	synchronize_irq(pci_irq_vector(zd->pdev, ZCNIC_VEC_DEVICE));
	netif_carrier_off(netdev);
	zcnic_stop_queues(zd);
	if (zcnic_rings_stuck(zd))
		zcnic_reset_device(zd);
	zcnic_free_vectors(zd);

	return 0;
}

/**
 * zcnic_restart() - stop and open a running interface, the last resort
 * @zd: device, with the instance lock and rtnl held
 *
 * Return: 0 or a negative error; on error the interface stays
 * administratively up with no queues until it is brought down and up.
 */
int zcnic_restart(struct zcnic_dev *zd)
{
	if (!netif_running(zd->netdev))
		return 0;

	zcnic_stop(zd->netdev);

	return zcnic_open(zd->netdev);
}

/* Queue pairs in use, for the stack and for RSS context 0. */
static int zcnic_set_num_queues(struct zcnic_dev *zd, unsigned int n)
{
	int err;

	err = netif_set_real_num_queues(zd->netdev, n, n);
	if (err)
		return err;
	zd->num_queues = n;
	zcnic_rss_set_default_indir(zd);

	return 0;
}

/**
 * struct zcnic_reconfig - what a ring or channel change needs, allocated
 *	while the old configuration keeps running
 * @num_queues: queue pairs after the change
 * @rx: a new RX ring for each queue pair that stays; after the swap, its
 *	old ring
 * @tx: the same for the TX rings
 * @qv: a new vector for each queue pair the change adds; after the swap,
 *	the vectors of the pairs it removed
 */
struct zcnic_reconfig {
	unsigned int num_queues;
	struct zcnic_rx_ring rx[ZCNIC_MAX_QUEUES];
	struct zcnic_tx_ring tx[ZCNIC_MAX_QUEUES];
	struct zcnic_q_vector *qv[ZCNIC_MAX_QUEUES];
};

static int zcnic_reconfig_alloc(struct zcnic_dev *zd,
				struct zcnic_reconfig *rc)
{
	struct netdev_queue_config qcfg;
	struct zcnic_q_vector *qv;
	unsigned int q;
	int err;

	for (q = 0; q < rc->num_queues; q++) {
		if (q >= zd->num_queues) {
			qv = zcnic_vector_alloc(zd, q);
			if (IS_ERR(qv))
				return PTR_ERR(qv);
			rc->qv[q] = qv;
			continue;
		}

		err = zcnic_tx_ring_alloc(zd, &rc->tx[q]);
		if (err)
			return err;
		/* A memory provider bound to the queue gets a second pool
		 * for a while, as in a queue restart.
		 */
		netdev_queue_config(zd->netdev, q, &qcfg);
		err = zcnic_rx_ring_alloc(zd, q, &qcfg, &rc->rx[q]);
		if (err)
			return err;
	}

	return 0;
}

/* Give the old rings to @rc and the new ones to the vectors. */
static void zcnic_reconfig_swap(struct zcnic_dev *zd,
				struct zcnic_reconfig *rc, unsigned int old)
{
	unsigned int q;

	for (q = 0; q < max(old, rc->num_queues); q++) {
		if (q < old && q < rc->num_queues) {
			swap(zd->qv[q]->rx, rc->rx[q]);
			swap(zd->qv[q]->tx, rc->tx[q]);
		} else if (q < rc->num_queues) {
			zcnic_vector_install(zd, rc->qv[q]);
			rc->qv[q] = NULL;
		} else {
			/* leaves zd->qv when released */
			rc->qv[q] = zd->qv[q];
		}
	}
}

static void zcnic_reconfig_free(struct zcnic_dev *zd,
				struct zcnic_reconfig *rc)
{
	unsigned int q;
	bool sync = false;

	for (q = 0; q < ZCNIC_MAX_QUEUES; q++) {
		zcnic_rx_ring_free(zd, &rc->rx[q]);
		zcnic_tx_ring_free(zd, &rc->tx[q]);
		if (rc->qv[q]) {
			zcnic_vector_release(zd, rc->qv[q]);
			sync = true;
		}
	}
	if (sync)
		synchronize_net();
	for (q = 0; q < ZCNIC_MAX_QUEUES; q++)
		kfree(rc->qv[q]);
	kfree(rc);
}

/**
 * zcnic_reconfigure() - apply new ring sizes or a new number of queue pairs
 * @zd: device, with the instance lock and rtnl held; zd->rx_ring_size and
 *	zd->tx_ring_size hold the sizes to apply
 * @num_queues: queue pairs to run
 *
 * Everything the new configuration needs is allocated while the old one
 * keeps running, so a failed allocation changes nothing.  Only then are the
 * queues stopped, their rings swapped and started again.  The queue pairs
 * that stay keep their NAPI instances, interrupts and counters, the carrier
 * stays up, and a memory provider bound to a queue stays bound.
 *
 * Return: 0 or a negative error.  If the device refuses to start the new
 * rings, the interface is left administratively up with no queues: the
 * caller restores its settings and calls zcnic_reopen().
 */
int zcnic_reconfigure(struct zcnic_dev *zd, unsigned int num_queues)
{
	struct net_device *netdev = zd->netdev;
	unsigned int old = zd->num_queues;
	struct zcnic_reconfig *rc;
	int err, start_err;

	if (!netif_running(netdev))
		return zcnic_set_num_queues(zd, num_queues);
	if (!test_bit(ZCNIC_F_UP, &zd->flags))
		return zcnic_set_num_queues(zd, num_queues) ?:
		       zcnic_open(netdev);

	rc = kzalloc_obj(*rc);
	if (!rc)
		return -ENOMEM;
	rc->num_queues = num_queues;
	err = zcnic_reconfig_alloc(zd, rc);
	if (err)
		goto out_free;

	zcnic_stop_queues(zd);
	if (num_queues != old) {
		err = netif_set_real_num_queues(netdev, num_queues,
						num_queues);
		if (err)
			goto out_restart;
	}
	zcnic_reconfig_swap(zd, rc, old);
	zd->num_queues = num_queues;
	zcnic_rss_set_default_indir(zd);

out_restart:
	/* the new rings, or the old ones again if the stack refused */
	start_err = zcnic_start_queues(zd);
	if (start_err) {
		netdev_err(netdev,
			   "the device refused to start the rings: the interface has no queues\n");
		err = err ?: start_err;
		clear_bit(ZCNIC_F_UP, &zd->flags);
		netif_carrier_off(netdev);
		zcnic_free_vectors(zd);
	} else {
		zcnic_enable_queues(zd);
	}
out_free:
	zcnic_reconfig_free(zd, rc);
	return err;
}

/**
 * zcnic_hds_write() - apply zd->hds and zd->hds_thresh to the running rings
 * @zd: device, with the instance lock held
 *
 * Nothing restarts, so a queue with a memory provider keeps receiving.
 * Rings allocated from now on take the settings from @zd.
 */
void zcnic_hds_write(struct zcnic_dev *zd)
{
	unsigned int q;

	if (!test_bit(ZCNIC_F_UP, &zd->flags))
		return;

	for (q = 0; q < zd->num_queues; q++) {
		struct zcnic_q_vector *qv = zd->qv[q];

		qv->rx.hds = zd->hds;
		qv->rx.hds_thresh = zd->hds_thresh;
		zcnic_rx_ring_set_split(qv);
	}
}

/**
 * zcnic_reopen() - open an interface that a failed change left without
 *	queues, with the settings restored
 * @zd: device, with the instance lock and rtnl held
 * @num_queues: the queue pairs it had
 */
void zcnic_reopen(struct zcnic_dev *zd, unsigned int num_queues)
{
	if (!netif_running(zd->netdev) || test_bit(ZCNIC_F_UP, &zd->flags))
		return;
	if (zcnic_set_num_queues(zd, num_queues) || zcnic_open(zd->netdev))
		netdev_err(zd->netdev,
			   "the interface has no queues: bring it down and up\n");
}

/* ---------------------------------------------------------------------- */
/* RSS                                                                     */
/* ---------------------------------------------------------------------- */

/**
 * zcnic_rss_write() - program an RSS context
 * @zd: device
 * @ctx: device context, 0 for the default one
 * @key: ZCNIC_RSS_KEY_LEN byte Toeplitz key
 * @indir: ZCNIC_RSS_INDIR_SIZE queue numbers
 *
 * The context hashes the traffic types in zd->rss_cfg[@ctx] on the fields
 * in zd->rss_fields[@ctx].  Registers are rewritten in place, the queues
 * keep running: a frame that arrives meanwhile is steered by the old or
 * the new setting, never dropped.
 */
void zcnic_rss_write(struct zcnic_dev *zd, unsigned int ctx, const u8 *key,
		     const u32 *indir)
{
	unsigned int i;

	for (i = 0; i < ZCNIC_RSS_KEY_LEN / 4; i++)
		zcnic_wr32(zd, ZCNIC_RSS_KEY(ctx, i),
			   get_unaligned_le32(key + 4 * i));

	for (i = 0; i < ZCNIC_RSS_INDIR_SIZE / 4; i++)
		zcnic_wr32(zd, ZCNIC_RSS_INDIR(ctx, i),
			   (indir[4 * i] & 0xff) |
			   (indir[4 * i + 1] & 0xff) << 8 |
			   (indir[4 * i + 2] & 0xff) << 16 |
			   (indir[4 * i + 3] & 0xff) << 24);

	zcnic_wr32(zd, ZCNIC_RSS_FIELDS(ctx), zd->rss_fields[ctx]);
	zcnic_wr32(zd, ZCNIC_RSS_CFG(ctx), zd->rss_cfg[ctx]);
}

/* Spread context 0 over the queues in use, unless the user set a table. */
void zcnic_rss_set_default_indir(struct zcnic_dev *zd)
{
	unsigned int i;

	if (netif_is_rxfh_configured(zd->netdev))
		return;

	for (i = 0; i < ZCNIC_RSS_INDIR_SIZE; i++)
		zd->rss_indir[i] = i % zd->num_queues;
	zcnic_rss_write(zd, 0, zd->rss_key, zd->rss_indir);
}

/* ---------------------------------------------------------------------- */
/* Statistics                                                              */
/* ---------------------------------------------------------------------- */

/* Widen the device's wrapping per-queue counters. */
void zcnic_hw_stats_update(struct zcnic_dev *zd)
{
	unsigned long flags;
	unsigned int q;

	spin_lock_irqsave(&zd->stats_lock, flags);
	for (q = 0; q < zd->max_queues; q++) {
		struct zcnic_hw_qstats *hw = &zd->hw_qstats[q];
		u32 nobuf = zcnic_q_rd32(zd, q, ZCNIC_RXQ_STAT_NOBUF);
		u32 nocmpl = zcnic_q_rd32(zd, q, ZCNIC_RXQ_STAT_NOCMPL);
		u32 steer = zcnic_q_rd32(zd, q, ZCNIC_RXQ_STAT_DROP_STEER);

		if (!zcnic_present(zd))
			break;
		hw->nobuf += (u32)(nobuf - hw->last_nobuf);
		hw->last_nobuf = nobuf;
		hw->nocmpl += (u32)(nocmpl - hw->last_nocmpl);
		hw->last_nocmpl = nocmpl;
		hw->drop_steer += (u32)(steer - hw->last_drop_steer);
		hw->last_drop_steer = steer;
	}
	spin_unlock_irqrestore(&zd->stats_lock, flags);
}

static void zcnic_get_stats64(struct net_device *netdev,
			      struct rtnl_link_stats64 *s)
{
	struct zcnic_dev *zd = netdev_priv(netdev);
	struct zcnic_rx_counters rx;
	struct zcnic_tx_counters tx;
	unsigned long flags;
	u64 overruns = 0, steer = 0;
	unsigned int q;

	zcnic_hw_stats_update(zd);

	spin_lock_irqsave(&zd->stats_lock, flags);
	rx = zd->rx_base;
	tx = zd->tx_base;
	for (q = 0; q < ZCNIC_MAX_QUEUES; q++) {
		struct zcnic_q_vector *qv = zd->qv[q];
		struct zcnic_rx_counters qrx;
		struct zcnic_tx_counters qtx;

		overruns += zd->hw_qstats[q].nobuf + zd->hw_qstats[q].nocmpl;
		steer += zd->hw_qstats[q].drop_steer;
		if (!qv)
			continue;
		zcnic_rx_stats_read(&qv->rx_stats, &qrx);
		zcnic_tx_stats_read(&qv->tx_stats, &qtx);
		zcnic_rx_counters_add(&rx, &qrx);
		zcnic_tx_counters_add(&tx, &qtx);
	}
	spin_unlock_irqrestore(&zd->stats_lock, flags);

	s->rx_packets = rx.packets;
	s->rx_bytes = rx.bytes;
	/* the device's drops: for want of buffers or completion slots
	 * (missed), by a steering rule (dropped, as the address filter's
	 * would be)
	 */
	s->rx_dropped = rx.skb_alloc_fail + rx.bad_cmpl + steer;
	s->rx_missed_errors = overruns;
	s->tx_packets = tx.packets;
	s->tx_bytes = tx.bytes;
	s->tx_dropped = tx.dropped;
	s->tx_errors = tx.errors;
}

static void zcnic_get_queue_stats_rx(struct net_device *netdev, int idx,
				     struct netdev_queue_stats_rx *rx)
{
	struct zcnic_dev *zd = netdev_priv(netdev);
	struct zcnic_q_vector *qv = zd->qv[idx];
	struct zcnic_rx_counters c = {};
	unsigned long flags;

	if (qv)
		zcnic_rx_stats_read(&qv->rx_stats, &c);

	rx->packets = c.packets;
	rx->bytes = c.bytes;
	rx->alloc_fail = c.alloc_fail;
	rx->csum_unnecessary = c.csum_unnecessary;
	rx->csum_none = c.csum_none;
	rx->csum_bad = c.csum_bad;
	rx->hw_gro_packets = c.gro_packets;
	rx->hw_gro_bytes = c.gro_bytes;
	rx->hw_gro_wire_packets = c.gro_wire_packets;
	rx->hw_gro_wire_bytes = c.gro_wire_bytes;

	zcnic_hw_stats_update(zd);
	spin_lock_irqsave(&zd->stats_lock, flags);
	rx->hw_drop_overruns = zd->hw_qstats[idx].nobuf +
			       zd->hw_qstats[idx].nocmpl;
	rx->hw_drops = rx->hw_drop_overruns;
	spin_unlock_irqrestore(&zd->stats_lock, flags);
}

static void zcnic_get_queue_stats_tx(struct net_device *netdev, int idx,
				     struct netdev_queue_stats_tx *tx)
{
	struct zcnic_dev *zd = netdev_priv(netdev);
	struct zcnic_q_vector *qv = zd->qv[idx];
	struct zcnic_tx_counters c = {};

	if (qv)
		zcnic_tx_stats_read(&qv->tx_stats, &c);

	tx->packets = c.packets;
	tx->bytes = c.bytes;
	tx->needs_csum = c.needs_csum;
	tx->hw_gso_packets = c.gso_packets;
	tx->hw_gso_bytes = c.gso_bytes;
	tx->hw_gso_wire_packets = c.gso_wire_packets;
	tx->hw_gso_wire_bytes = c.gso_wire_bytes;
	tx->hw_drop_errors = c.errors;
	tx->stop = c.stop;
	tx->wake = c.wake;
}

static void zcnic_get_base_stats(struct net_device *netdev,
				 struct netdev_queue_stats_rx *rx,
				 struct netdev_queue_stats_tx *tx)
{
	struct zcnic_dev *zd = netdev_priv(netdev);
	unsigned long flags;
	unsigned int q;

	zcnic_hw_stats_update(zd);

	spin_lock_irqsave(&zd->stats_lock, flags);
	rx->packets = zd->rx_base.packets;
	rx->bytes = zd->rx_base.bytes;
	rx->alloc_fail = zd->rx_base.alloc_fail;
	rx->csum_unnecessary = zd->rx_base.csum_unnecessary;
	rx->csum_none = zd->rx_base.csum_none;
	rx->csum_bad = zd->rx_base.csum_bad;
	rx->hw_gro_packets = zd->rx_base.gro_packets;
	rx->hw_gro_bytes = zd->rx_base.gro_bytes;
	rx->hw_gro_wire_packets = zd->rx_base.gro_wire_packets;
	rx->hw_gro_wire_bytes = zd->rx_base.gro_wire_bytes;
	/* Overruns of queues not in use (the others report their own), and
	 * the steering drops, which happen before any queue is chosen.
	 */
	rx->hw_drop_overruns = 0;
	for (q = netdev->real_num_rx_queues; q < zd->max_queues; q++)
		rx->hw_drop_overruns += zd->hw_qstats[q].nobuf +
					zd->hw_qstats[q].nocmpl;
	rx->hw_drops = rx->hw_drop_overruns;
	for (q = 0; q < zd->max_queues; q++)
		rx->hw_drops += zd->hw_qstats[q].drop_steer;

	tx->packets = zd->tx_base.packets;
	tx->bytes = zd->tx_base.bytes;
	tx->needs_csum = zd->tx_base.needs_csum;
	tx->hw_gso_packets = zd->tx_base.gso_packets;
	tx->hw_gso_bytes = zd->tx_base.gso_bytes;
	tx->hw_gso_wire_packets = zd->tx_base.gso_wire_packets;
	tx->hw_gso_wire_bytes = zd->tx_base.gso_wire_bytes;
	tx->hw_drop_errors = zd->tx_base.errors;
	tx->stop = zd->tx_base.stop;
	tx->wake = zd->tx_base.wake;
	spin_unlock_irqrestore(&zd->stats_lock, flags);
}

const struct netdev_stat_ops zcnic_stat_ops = {
	.get_queue_stats_rx	= zcnic_get_queue_stats_rx,
	.get_queue_stats_tx	= zcnic_get_queue_stats_tx,
	.get_base_stats		= zcnic_get_base_stats,
};

/*
 * The device segments TCP inside VXLAN but no other UDP tunnel (it takes
 * the 8 bytes after UDP for a VXLAN header): for any other, checksums and
 * segmentation are left to the stack.  The rest is the default check.
 */
static netdev_features_t zcnic_features_check(struct sk_buff *skb,
					      struct net_device *dev,
					      netdev_features_t features)
{
	features = vlan_features_check(skb, features);
	return vxlan_features_check(skb, features);
}

static const struct net_device_ops zcnic_netdev_ops = {
	.ndo_open		= zcnic_open,
	.ndo_stop		= zcnic_stop,
	.ndo_start_xmit		= zcnic_xmit,
	.ndo_get_stats64	= zcnic_get_stats64,
	.ndo_set_rx_mode_async	= zcnic_set_rx_mode,
	.ndo_set_mac_address	= zcnic_set_mac_address,
	.ndo_validate_addr	= eth_validate_addr,
	.ndo_change_mtu		= zcnic_change_mtu,
	.ndo_set_features	= zcnic_set_features,
	.ndo_tx_timeout		= zcnic_tx_timeout,
	.ndo_features_check	= zcnic_features_check,
};

/**
 * zcnic_netdev_init() - set up the netdev before registration
 * @zd: device
 *
 * Return: 0 or a negative error.
 */
int zcnic_netdev_init(struct zcnic_dev *zd)
{
	struct net_device *netdev = zd->netdev;
	u8 addr[ETH_ALEN];
	unsigned int i;
	u32 minor;
	int err;

	netdev->netdev_ops = &zcnic_netdev_ops;
	netdev->stat_ops = &zcnic_stat_ops;
	/* This also puts the device under the instance lock. */
	netdev->queue_mgmt_ops = &zcnic_queue_mgmt_ops;
	zcnic_set_ethtool_ops(netdev);
	netdev->watchdog_timeo = 5 * HZ;

	netdev->hw_features = NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_RXCSUM |
			      NETIF_F_RXHASH;
	if (zd->num_ntuple)
		netdev->hw_features |= NETIF_F_NTUPLE;
	minor = FIELD_GET(ZCNIC_DEV_VERSION_MINOR,
			  zcnic_rd32(zd, ZCNIC_DEV_VERSION));
	/* coalesced receives (RXQ_CTRL.GRO) came with device version 1.3 */
	if (minor >= 3)
		netdev->hw_features |= NETIF_F_GRO_HW;
	netdev->vlan_features = NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_HIGHDMA;
	/* TCP segmentation (TXD_TSO) with 1.4; the device finds the IP
	 * header behind up to two VLAN tags and clears CWR after the first
	 * segment.
	 */
	if (minor >= 4) {
		netdev->hw_features |= NETIF_F_TSO | NETIF_F_TSO6 |
				       NETIF_F_TSO_ECN;
		netdev->vlan_features |= NETIF_F_TSO | NETIF_F_TSO6 |
					 NETIF_F_TSO_ECN;
		netif_set_tso_max_size(netdev, ZCNIC_TSO_FRAME_MAX);
		netif_set_tso_max_segs(netdev, ZCNIC_TSO_SEGS_MAX);
	}
	/* and in VXLAN, GRE and IP-in-IP tunnels with 1.5; the stack offers
	 * an encapsulated skb only what hw_enc_features has
	 */
	if (minor >= 5) {
		netdev_features_t tnl = NETIF_F_GSO_UDP_TUNNEL |
					NETIF_F_GSO_UDP_TUNNEL_CSUM |
					NETIF_F_GSO_GRE | NETIF_F_GSO_GRE_CSUM |
					NETIF_F_GSO_IPXIP4 | NETIF_F_GSO_IPXIP6;

		netdev->hw_features |= tnl;
		netdev->hw_enc_features = NETIF_F_SG | NETIF_F_HW_CSUM |
					  NETIF_F_TSO | NETIF_F_TSO6 |
					  NETIF_F_TSO_ECN | tnl;
	}
	netdev->features = netdev->hw_features | NETIF_F_HIGHDMA;
	zd->gro_hw = netdev->features & NETIF_F_GRO_HW;
	netdev->priv_flags |= IFF_LIVE_ADDR_CHANGE;
	/* Memory provider buffers can be sent as they are (devmem TX). */
	netdev->netmem_tx = NETMEM_TX_DMA;
	/* One CPU per queue interrupt, kept by the core across restarts. */
	netif_set_affinity_auto(netdev);

	netdev->min_mtu = ETH_MIN_MTU;
	netdev->max_mtu = ZCNIC_FRAME_MAX - VLAN_ETH_HLEN;
	zcnic_write_max_frame(zd, netdev->mtu);

	put_unaligned_le32(zcnic_rd32(zd, ZCNIC_DEV_MAC_LO), addr);
	put_unaligned_le16(zcnic_rd32(zd, ZCNIC_DEV_MAC_HI) & 0xffff, addr + 4);
	if (is_valid_ether_addr(addr)) {
		eth_hw_addr_set(netdev, addr);
	} else {
		eth_hw_addr_random(netdev);
		dev_warn(&zd->pdev->dev,
			 "device has no valid MAC address (%pM), using random %pM\n",
			 addr, netdev->dev_addr);
		zcnic_write_mac(zd, netdev->dev_addr);
	}

	zd->num_queues = min3(zd->max_queues, num_online_cpus(),
			      ZCNIC_DEF_QUEUES);
	zd->rx_ring_size = ZCNIC_RX_RING_DEF;
	zd->tx_ring_size = ZCNIC_TX_RING_DEF;

	/* Split headers from payload by default.  The core's setting stays
	 * "auto", as single-buffer XDP is refused while tcp-data-split is
	 * explicitly on; binding a memory provider needs it turned on.
	 */
	zd->hds = true;
	zd->hds_thresh = 0;
	zd->rx_pack = true;

	err = netif_set_real_num_queues(netdev, zd->num_queues,
					zd->num_queues);
	if (err)
		return err;

	netdev_rss_key_fill(zd->rss_key, sizeof(zd->rss_key));
	zd->rss_cfg[0] = ZCNIC_RSS_CFG_DEFAULT;
	for (i = 0; i < ZCNIC_RSS_CTXS; i++)
		zd->rss_fields[i] = ZCNIC_RSS_FIELDS_DEFAULT;
	zcnic_rss_set_default_indir(zd);

	/* Adaptive moderation (ethtool adaptive-rx, off by default): DIM
	 * picks each queue pair's interval from the RX profile, which
	 * ethtool's rx-profile can change.  The interval counts from the
	 * last interrupt, as DIM's EQE mode assumes.
	 */
	mutex_init(&zd->dim_lock);
	return net_dim_init_irq_moder(netdev, DIM_PROFILE_RX, DIM_COALESCE_USEC,
				      DIM_CQ_PERIOD_MODE_START_FROM_EQE, 0,
				      zcnic_rx_dim_work, NULL);
}
