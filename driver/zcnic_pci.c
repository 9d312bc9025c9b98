// SPDX-License-Identifier: GPL-2.0
/* zcnic: PCI probe and removal, register access, device interrupt. */

#include <linux/bitfield.h>
#include <linux/etherdevice.h>
#include <linux/interrupt.h>
#include <linux/iopoll.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/rtnetlink.h>

#include "zcnic.h"

static const struct pci_device_id zcnic_pci_tbl[] = {
	{ PCI_DEVICE(ZCNIC_PCI_VENDOR_ID, ZCNIC_PCI_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, zcnic_pci_tbl);

static void zcnic_device_lost(struct zcnic_dev *zd)
{
	WRITE_ONCE(zd->regs, NULL);
	if (!test_and_set_bit(ZCNIC_F_GONE, &zd->flags))
		dev_err(&zd->pdev->dev,
			"device stopped answering register reads, register access disabled until the device is rebound\n");
}

u32 zcnic_rd32(struct zcnic_dev *zd, u32 reg)
{
	u8 __iomem *regs = READ_ONCE(zd->regs);
	u32 val;

	if (unlikely(!regs))
		return ~0U;

	val = readl(regs + reg);
	/* Any register may hold all ones, but a device that is gone reads
	 * all ones everywhere, and DEV_ID never does.
	 */
	if (unlikely(val == ~0U) &&
	    (reg == ZCNIC_DEV_ID ||
	     readl(regs + ZCNIC_DEV_ID) != ZCNIC_DEV_ID_MAGIC))
		zcnic_device_lost(zd);

	return val;
}

/**
 * zcnic_wait_reg() - wait for bits of a register to reach a value
 * @zd: device
 * @reg: register offset
 * @mask: bits to look at
 * @val: value the masked bits must reach
 * @last: if not NULL, the last value read
 *
 * Return: 0 on success, -ETIMEDOUT after ZCNIC_QUEUE_TIMEOUT_US, -ENODEV if
 * the device is gone.
 */
int zcnic_wait_reg(struct zcnic_dev *zd, u32 reg, u32 mask, u32 val,
		   u32 *last)
{
	u32 cur;
	int err;

	err = read_poll_timeout(zcnic_rd32, cur,
				(cur & mask) == val || !zcnic_present(zd),
				10, ZCNIC_QUEUE_TIMEOUT_US, false, zd, reg);
	if (last)
		*last = cur;
	if (!zcnic_present(zd))
		return -ENODEV;

	return err;
}

static void zcnic_report_queue_errors(struct zcnic_dev *zd)
{
	unsigned int q;

	for (q = 0; q < zd->max_queues; q++) {
		u32 rx = zcnic_q_rd32(zd, q, ZCNIC_RXQ_STATUS);
		u32 tx = zcnic_q_rd32(zd, q, ZCNIC_TXQ_STATUS);

		if (!zcnic_present(zd))
			return;
		if (rx & ZCNIC_RXQ_STATUS_ERROR) {
			netdev_err(zd->netdev,
				   "RX queue %u stopped on error code %u\n", q,
				   FIELD_GET(ZCNIC_RXQ_STATUS_ERRCODE, rx));
			zcnic_request_reset(zd, q, true);
		}
		if (tx & ZCNIC_TXQ_STATUS_ERROR) {
			netdev_err(zd->netdev,
				   "TX queue %u stopped on error code %u\n", q,
				   FIELD_GET(ZCNIC_TXQ_STATUS_ERRCODE, tx));
			zcnic_request_reset(zd, q, false);
		}
	}
}

static irqreturn_t zcnic_dev_irq(int irq, void *data)
{
	struct zcnic_dev *zd = data;
	u32 cause;

	cause = zcnic_rd32(zd, ZCNIC_DEV_IRQ_CAUSE);
	if (!cause || !zcnic_present(zd))
		return IRQ_NONE;
	zcnic_wr32(zd, ZCNIC_DEV_IRQ_CAUSE, cause);

	if (cause & ZCNIC_DEV_IRQ_LINK)
		zcnic_link_update(zd);
	if (cause & ZCNIC_DEV_IRQ_QERR)
		zcnic_report_queue_errors(zd);

	return IRQ_HANDLED;
}

static int zcnic_check_device(struct pci_dev *pdev, u8 __iomem *bar)
{
	u32 id, ver, ctrl;
	int err;

	id = readl(bar + ZCNIC_DEV_ID);
	if (id != ZCNIC_DEV_ID_MAGIC) {
		dev_err(&pdev->dev,
			"device ID register reads 0x%08x instead of 0x%08x: not a zcnic, or its BAR is not reachable\n",
			id, ZCNIC_DEV_ID_MAGIC);
		return -ENODEV;
	}

	ver = readl(bar + ZCNIC_DEV_VERSION);
	if (FIELD_GET(ZCNIC_DEV_VERSION_MAJOR, ver) != ZCNIC_VERSION_MAJOR) {
		dev_err(&pdev->dev,
			"device interface version %u.%u, this driver supports %u.x: update the driver or the device model\n",
			FIELD_GET(ZCNIC_DEV_VERSION_MAJOR, ver),
			FIELD_GET(ZCNIC_DEV_VERSION_MINOR, ver),
			ZCNIC_VERSION_MAJOR);
		return -ENODEV;
	}

	/* Start from a clean device whatever the last driver left behind. */
	writel(ZCNIC_DEV_CTRL_RESET, bar + ZCNIC_DEV_CTRL);
	err = readl_poll_timeout(bar + ZCNIC_DEV_CTRL, ctrl,
				 !(ctrl & ZCNIC_DEV_CTRL_RESET), 10,
				 ZCNIC_QUEUE_TIMEOUT_US);
	if (err)
		dev_err(&pdev->dev, "device reset did not complete\n");

	return err;
}

static int zcnic_probe(struct pci_dev *pdev, const struct pci_device_id *ent)
{
	struct net_device *netdev;
	unsigned int max_queues;
	struct zcnic_dev *zd;
	u8 __iomem *bar;
	int nvec, err;
	u32 caps;

	err = pci_enable_device_mem(pdev);
	if (err)
		return dev_err_probe(&pdev->dev, err,
				     "enabling the PCI device failed\n");

	err = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (err) {
		dev_err(&pdev->dev, "no usable 64-bit DMA configuration\n");
		goto err_disable_device;
	}
	/* Every buffer address stands alone: the device has no DMA segment
	 * limit. Memory providers map whole areas (zcrx, dma-buf) as
	 * scatterlists whose segments run far past the 64 KiB default.
	 */
	dma_set_max_seg_size(&pdev->dev, UINT_MAX);

	err = pci_request_mem_regions(pdev, ZCNIC_DRV_NAME);
	if (err) {
		dev_err(&pdev->dev, "requesting the BARs failed\n");
		goto err_disable_device;
	}

	if (pci_resource_len(pdev, ZCNIC_BAR_REGS) < ZCNIC_BAR_REGS_SIZE) {
		dev_err(&pdev->dev, "register BAR is %llu bytes, need %u\n",
			(u64)pci_resource_len(pdev, ZCNIC_BAR_REGS),
			ZCNIC_BAR_REGS_SIZE);
		err = -ENODEV;
		goto err_release_regions;
	}

	bar = pci_iomap(pdev, ZCNIC_BAR_REGS, ZCNIC_BAR_REGS_SIZE);
	if (!bar) {
		err = -ENOMEM;
		goto err_release_regions;
	}

	err = zcnic_check_device(pdev, bar);
	if (err)
		goto err_unmap_bar;

	caps = readl(bar + ZCNIC_DEV_CAPS);
	max_queues = min3(FIELD_GET(ZCNIC_DEV_CAPS_QUEUES, caps),
			  FIELD_GET(ZCNIC_DEV_CAPS_VECTORS, caps),
			  ZCNIC_MAX_QUEUES);
	if (!max_queues) {
		dev_err(&pdev->dev,
			"device reports no queue pairs or queue vectors (caps 0x%08x)\n",
			caps);
		err = -ENODEV;
		goto err_unmap_bar;
	}

	pci_set_master(pdev);

	nvec = pci_alloc_irq_vectors(pdev, 2, 1 + max_queues, PCI_IRQ_MSIX);
	if (nvec < 0) {
		dev_err(&pdev->dev,
			"MSI-X with at least 2 vectors is required\n");
		err = nvec;
		goto err_clear_master;
	}
	max_queues = min_t(unsigned int, max_queues, nvec - 1);

	netdev = alloc_etherdev_mqs(sizeof(*zd), max_queues, max_queues);
	if (!netdev) {
		err = -ENOMEM;
		goto err_free_irq_vectors;
	}
	SET_NETDEV_DEV(netdev, &pdev->dev);

	zd = netdev_priv(netdev);
	zd->pdev = pdev;
	zd->netdev = netdev;
	zd->bar = bar;
	zd->regs = bar;
	zd->max_queues = max_queues;
	zd->num_rss_ctxs = clamp_t(unsigned int,
				   FIELD_GET(ZCNIC_DEV_CAPS_RSS_CTXS, caps),
				   1, ZCNIC_RSS_CTXS);
	zd->num_ntuple = min_t(unsigned int,
			       FIELD_GET(ZCNIC_DEV_CAPS_NTUPLE, caps),
			       ZCNIC_NTUPLE_RULES);
	spin_lock_init(&zd->stats_lock);
	INIT_WORK(&zd->reset_task, zcnic_reset_task);
	pci_set_drvdata(pdev, zd);

	snprintf(zd->irq_name, sizeof(zd->irq_name), "%s-%s", ZCNIC_DRV_NAME,
		 pci_name(pdev));
	err = request_irq(pci_irq_vector(pdev, ZCNIC_VEC_DEVICE),
			  zcnic_dev_irq, 0, zd->irq_name, zd);
	if (err) {
		dev_err(&pdev->dev, "requesting the device interrupt failed\n");
		goto err_free_netdev;
	}

	err = zcnic_netdev_init(zd);
	if (err)
		goto err_free_dev_irq;

	zcnic_wr32(zd, ZCNIC_DEV_IRQ_MASK, ZCNIC_DEV_IRQS);

	/* No carrier until open has read the link state. */
	netif_carrier_off(netdev);
	err = register_netdev(netdev);
	if (err) {
		dev_err(&pdev->dev, "registering the netdev failed\n");
		goto err_mask_dev_irq;
	}

	zcnic_dbg_dev_init(zd);

	netdev_info(netdev,
		    "zcnic %u.%u: %u queue pairs, %u RSS contexts, %u ntuple rules, MAC %pM\n",
		    FIELD_GET(ZCNIC_DEV_VERSION_MAJOR,
			      zcnic_rd32(zd, ZCNIC_DEV_VERSION)),
		    FIELD_GET(ZCNIC_DEV_VERSION_MINOR,
			      zcnic_rd32(zd, ZCNIC_DEV_VERSION)),
		    zd->max_queues, zd->num_rss_ctxs, zd->num_ntuple,
		    netdev->dev_addr);

	return 0;

err_mask_dev_irq:
	zcnic_wr32(zd, ZCNIC_DEV_IRQ_MASK, 0);
	/* DIM's profiles are rtnl-protected */
	rtnl_lock();
	net_dim_free_irq_moder(netdev);
	rtnl_unlock();
err_free_dev_irq:
	free_irq(pci_irq_vector(pdev, ZCNIC_VEC_DEVICE), zd);
err_free_netdev:
	free_netdev(netdev);
err_free_irq_vectors:
	pci_free_irq_vectors(pdev);
err_clear_master:
	pci_clear_master(pdev);
err_unmap_bar:
	pci_iounmap(pdev, bar);
err_release_regions:
	pci_release_mem_regions(pdev);
err_disable_device:
	pci_disable_device(pdev);
	return err;
}

static void zcnic_remove(struct pci_dev *pdev)
{
	struct zcnic_dev *zd = pci_get_drvdata(pdev);
	struct net_device *netdev = zd->netdev;

	/* No point waiting for handshakes with a device that is gone. */
	if (pci_dev_is_disconnected(pdev))
		zcnic_device_lost(zd);

	zcnic_dbg_dev_exit(zd);
	unregister_netdev(netdev);

	zcnic_wr32(zd, ZCNIC_DEV_IRQ_MASK, 0);
	free_irq(pci_irq_vector(pdev, ZCNIC_VEC_DEVICE), zd);
	/* Nothing queues a reset any more: the interface is gone. */
	cancel_work_sync(&zd->reset_task);
	zcnic_wr32(zd, ZCNIC_DEV_CTRL, ZCNIC_DEV_CTRL_RESET);

	pci_free_irq_vectors(pdev);
	pci_clear_master(pdev);
	pci_iounmap(pdev, zd->bar);
	pci_release_mem_regions(pdev);
	pci_disable_device(pdev);
	rtnl_lock();
	net_dim_free_irq_moder(netdev);
	rtnl_unlock();
	free_netdev(netdev);
}

static void zcnic_shutdown(struct pci_dev *pdev)
{
	struct zcnic_dev *zd = pci_get_drvdata(pdev);

	rtnl_lock();
	netif_device_detach(zd->netdev);
	dev_close(zd->netdev);
	rtnl_unlock();

	/* Nothing may DMA into memory the next kernel owns. */
	zcnic_wr32(zd, ZCNIC_DEV_CTRL, ZCNIC_DEV_CTRL_RESET);
	pci_clear_master(pdev);
}

static struct pci_driver zcnic_driver = {
	.name		= ZCNIC_DRV_NAME,
	.id_table	= zcnic_pci_tbl,
	.probe		= zcnic_probe,
	.remove		= zcnic_remove,
	.shutdown	= zcnic_shutdown,
};

static int __init zcnic_init(void)
{
	int err;

	zcnic_dbg_init();

	err = pci_register_driver(&zcnic_driver);
	if (err)
		zcnic_dbg_exit();

	return err;
}
module_init(zcnic_init);

static void __exit zcnic_exit(void)
{
	pci_unregister_driver(&zcnic_driver);
	zcnic_dbg_exit();
}
module_exit(zcnic_exit);

MODULE_DESCRIPTION("zcnic zero-copy receive test NIC driver");
MODULE_LICENSE("GPL");
/* netdev_rx_queue_restart(): queue recovery and the debugfs queue reset */
MODULE_IMPORT_NS("NETDEV_INTERNAL");
