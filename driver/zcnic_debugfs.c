// SPDX-License-Identifier: GPL-2.0
/* zcnic: debugfs, under /sys/kernel/debug/zcnic/<PCI name>/:
 *  rings        software and device view of every queue pair's rings
 *  queue_reset  write an RX queue index to restart that queue through the
 *               queue management ops, as a memory provider bind does
 *  tx_drop      write N to drop the next N frames that end an xmit_more
 *               batch, as a driver drops a frame it cannot map
 *  phys_dma     a planted bug for the IOMMU mode: write N to post the next N
 *               page-backed payload buffers at their physical address, not
 *               their DMA address. Without an IOMMU the two are the same
 *               and nothing shows; with one the device's DMA is refused.
 */

#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>
#include <net/netdev_lock.h>
#include <net/netdev_rx_queue.h>

#include "zcnic.h"

static struct dentry *zcnic_dbg_root;

static void zcnic_dbg_show_queue(struct seq_file *s, struct zcnic_dev *zd,
				 unsigned int q)
{
	struct zcnic_q_vector *qv = zd->qv[q];
	const struct zcnic_rx_ring *rx;
	const struct zcnic_tx_ring *tx;

	seq_printf(s, "queue %u: RX status 0x%08x ctrl 0x%08x, TX status 0x%08x, irq ctrl 0x%08x\n",
		   q, zcnic_q_rd32(zd, q, ZCNIC_RXQ_STATUS),
		   zcnic_q_rd32(zd, q, ZCNIC_RXQ_CTRL),
		   zcnic_q_rd32(zd, q, ZCNIC_TXQ_STATUS),
		   zcnic_q_rd32(zd, q, ZCNIC_QP_IRQ_CTRL));
	if (!qv) {
		seq_puts(s, "  not allocated\n");
		return;
	}

	rx = &qv->rx;
	if (rx->size) {
		seq_printf(s, "  rx: %s%s size %u, payload buffers %u bytes%s%s, hds thresh %u\n",
			   rx->live ? "live" : "stopped",
			   rx->stuck ? " (stuck)" : "", rx->size,
			   1U << rx->pay_shift, rx->hds ? ", split" : "",
			   rx->pack ? ", packed" : "", rx->hds_thresh);
		seq_printf(s, "  hbr: head %u tail %u (device head %u tail %u)\n",
			   rx->hbr_head & rx->size_mask,
			   rx->hbr_tail & rx->size_mask,
			   zcnic_q_rd32(zd, q, ZCNIC_RXQ_HBR_HEAD),
			   zcnic_q_rd32(zd, q, ZCNIC_RXQ_HBR_TAIL));
		seq_printf(s, "  pbr: head %u tail %u posted %u next offset %u (device head %u tail %u)\n",
			   rx->pbr_head & rx->size_mask,
			   rx->pbr_tail & rx->size_mask,
			   rx->pbr_tail - rx->pbr_head, rx->pay_next_off,
			   zcnic_q_rd32(zd, q, ZCNIC_RXQ_PBR_HEAD),
			   zcnic_q_rd32(zd, q, ZCNIC_RXQ_PBR_TAIL));
		seq_printf(s, "  rcq: head %u gen %u (device head %u tail %u)\n",
			   rx->rcq_head & rx->size_mask,
			   !((rx->rcq_head >> rx->size_shift) & 1),
			   zcnic_q_rd32(zd, q, ZCNIC_RXQ_RCQ_HEAD),
			   zcnic_q_rd32(zd, q, ZCNIC_RXQ_RCQ_TAIL));
	} else {
		seq_puts(s, "  rx: no ring\n");
	}

	tx = &qv->tx;
	seq_printf(s, "  tx: %s size %u head %u tail %u tcq head %u (device head %u tail %u, tcq tail %u)\n",
		   tx->live ? "live" : "stopped", tx->size,
		   tx->head & tx->size_mask, tx->tail & tx->size_mask,
		   tx->tcq_head & tx->size_mask,
		   zcnic_q_rd32(zd, q, ZCNIC_TXQ_DR_HEAD),
		   zcnic_q_rd32(zd, q, ZCNIC_TXQ_DR_TAIL),
		   zcnic_q_rd32(zd, q, ZCNIC_TXQ_TCQ_TAIL));
}

static int zcnic_dbg_rings_show(struct seq_file *s, void *unused)
{
	struct zcnic_dev *zd = s->private;
	unsigned int q;

	netdev_lock(zd->netdev);
	seq_printf(s, "%s: %u of %u queue pairs, %s\n",
		   netdev_name(zd->netdev), zd->num_queues, zd->max_queues,
		   test_bit(ZCNIC_F_UP, &zd->flags) ? "up" : "down");
	for (q = 0; q < zd->num_queues; q++)
		zcnic_dbg_show_queue(s, zd, q);
	netdev_unlock(zd->netdev);

	return 0;
}
DEFINE_SHOW_ATTRIBUTE(zcnic_dbg_rings);

static ssize_t zcnic_dbg_queue_reset_write(struct file *file,
					   const char __user *ubuf,
					   size_t count, loff_t *ppos)
{
	struct zcnic_dev *zd = file->private_data;
	struct net_device *netdev = zd->netdev;
	unsigned int q;
	int err;

	err = kstrtouint_from_user(ubuf, count, 0, &q);
	if (err)
		return err;

	netdev_lock(netdev);
	if (q >= netdev->real_num_rx_queues) {
		err = -EINVAL;
		goto out_unlock;
	}
	err = netdev_rx_queue_restart(netdev, q);
	if (err)
		netdev_err(netdev, "restarting RX queue %u failed: %pe\n", q,
			   ERR_PTR(err));
out_unlock:
	netdev_unlock(netdev);

	return err ?: count;
}

static const struct file_operations zcnic_dbg_queue_reset_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= zcnic_dbg_queue_reset_write,
};

void zcnic_dbg_dev_init(struct zcnic_dev *zd)
{
	zd->dbg = debugfs_create_dir(pci_name(zd->pdev), zcnic_dbg_root);
	debugfs_create_file("rings", 0400, zd->dbg, zd, &zcnic_dbg_rings_fops);
	debugfs_create_file("queue_reset", 0200, zd->dbg, zd,
			    &zcnic_dbg_queue_reset_fops);
	debugfs_create_atomic_t("tx_drop", 0600, zd->dbg, &zd->dbg_tx_drop);
	debugfs_create_atomic_t("phys_dma", 0600, zd->dbg, &zd->dbg_phys_dma);
}

void zcnic_dbg_dev_exit(struct zcnic_dev *zd)
{
	debugfs_remove_recursive(zd->dbg);
	zd->dbg = NULL;
}

void zcnic_dbg_init(void)
{
	zcnic_dbg_root = debugfs_create_dir(ZCNIC_DRV_NAME, NULL);
}

void zcnic_dbg_exit(void)
{
	debugfs_remove_recursive(zcnic_dbg_root);
}
