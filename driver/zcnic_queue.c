// SPDX-License-Identifier: GPL-2.0
/* zcnic: queue management ops, the restart of one RX queue.
 *
 * The core restarts a queue to bind or unbind a memory provider (io_uring
 * zcrx, devmem) and to apply a per-queue configuration: it allocates new
 * queue memory, stops the queue, starts it on the new memory and frees the
 * old.  The unit swapped is struct zcnic_rx_ring; the queue pair's NAPI
 * instance, interrupt, TX ring and statistics stay.
 */

#include <linux/log2.h>
#include <linux/sizes.h>
#include <net/netdev_lock.h>
#include <net/netdev_queues.h>
#include <net/page_pool/types.h>

#include "zcnic.h"

static void zcnic_queue_default_qcfg(struct net_device *netdev,
				     struct netdev_queue_config *qcfg)
{
	qcfg->rx_page_size = PAGE_SIZE;
}

static int zcnic_queue_validate_qcfg(struct net_device *netdev,
				     struct netdev_queue_config *qcfg,
				     struct netlink_ext_ack *extack)
{
	u32 size = qcfg->rx_page_size;

	if (!is_power_of_2(size) || size < max_t(u32, SZ_4K, PAGE_SIZE) ||
	    size > BIT(ZCNIC_PAY_SHIFT_MAX)) {
		NL_SET_ERR_MSG_FMT_MOD(extack,
				       "rx page size %u: need a power of 2, %lu..%lu",
				       size, max_t(unsigned long, SZ_4K, PAGE_SIZE),
				       BIT(ZCNIC_PAY_SHIFT_MAX));
		return -EINVAL;
	}

	return 0;
}

static int zcnic_queue_mem_alloc(struct net_device *netdev,
				 struct netdev_queue_config *qcfg,
				 void *qmem, int idx)
{
	struct zcnic_dev *zd = netdev_priv(netdev);

	netdev_assert_locked(netdev);

	/* While the interface is down only the pools matter (the core checks
	 * that the memory provider found its pool); they are freed again
	 * without ever being started.  Up but without queues means a
	 * reconfiguration failed to reopen the interface.
	 */
	if (netif_running(netdev) && !zd->qv[idx])
		return -ENETDOWN;

	return zcnic_rx_ring_alloc(zd, idx, qcfg, qmem);
}

static void zcnic_queue_mem_free(struct net_device *netdev, void *qmem)
{
	struct zcnic_dev *zd = netdev_priv(netdev);

	zcnic_rx_ring_free(zd, qmem);
}

static int zcnic_queue_start(struct net_device *netdev,
			     struct netdev_queue_config *qcfg, void *qmem,
			     int idx)
{
	struct zcnic_dev *zd = netdev_priv(netdev);
	struct zcnic_q_vector *qv = zd->qv[idx];
	struct zcnic_rx_ring *rx = qmem;
	int err;

	netdev_assert_locked(netdev);

	qv->rx = *rx;
	err = zcnic_rx_ring_start(qv);
	if (err) {
		/* Leave the memory with the caller, which frees it, and the
		 * queue as stop left it: the core starts it again on the old
		 * memory, and that start enables NAPI.
		 */
		*rx = qv->rx;
		memset(&qv->rx, 0, sizeof(qv->rx));
		return err;
	}
	memset(rx, 0, sizeof(*rx));

	napi_enable_locked(&qv->napi);
	local_bh_disable();
	napi_schedule(&qv->napi);
	local_bh_enable();

	return 0;
}

static int zcnic_queue_stop(struct net_device *netdev, void *qmem, int idx)
{
	struct zcnic_dev *zd = netdev_priv(netdev);
	struct zcnic_q_vector *qv = zd->qv[idx];

	netdev_assert_locked(netdev);

	if (!qv)
		return -ENETDOWN;

	napi_disable_locked(&qv->napi);
	timer_delete_sync(&qv->refill_timer);
	qv->refill_delay_ms = 0;
	zcnic_rx_ring_stop(qv);

	*(struct zcnic_rx_ring *)qmem = qv->rx;
	memset(&qv->rx, 0, sizeof(qv->rx));

	return 0;
}

const struct netdev_queue_mgmt_ops zcnic_queue_mgmt_ops = {
	.ndo_queue_mem_size	= sizeof(struct zcnic_rx_ring),
	.ndo_queue_mem_alloc	= zcnic_queue_mem_alloc,
	.ndo_queue_mem_free	= zcnic_queue_mem_free,
	.ndo_queue_start	= zcnic_queue_start,
	.ndo_queue_stop		= zcnic_queue_stop,
	.ndo_default_qcfg	= zcnic_queue_default_qcfg,
	.ndo_validate_qcfg	= zcnic_queue_validate_qcfg,
	.supported_params	= QCFG_RX_PAGE_SIZE,
};
