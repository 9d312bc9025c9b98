/* SPDX-License-Identifier: GPL-2.0 */
/* zcnic: a NIC for testing zero-copy receive, device and netdev state. */

#ifndef _ZCNIC_H_
#define _ZCNIC_H_

#include <linux/bitops.h>
#include <linux/ethtool.h>
#include <linux/io.h>
#include <linux/netdevice.h>
#include <linux/pci.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "zcnic_hw.h"
#include "zcnic_txrx.h"

#define ZCNIC_DRV_NAME		"zcnic"

#define ZCNIC_DEF_QUEUES	8
#define ZCNIC_RX_RING_DEF	512
#define ZCNIC_TX_RING_DEF	512
#define ZCNIC_TX_RING_MIN	64

/* How long the device may take to acknowledge a queue enable or stop. */
#define ZCNIC_QUEUE_TIMEOUT_US	(1000 * USEC_PER_MSEC)
/* Device interrupt causes the driver handles (DEV_IRQ_MASK). */
#define ZCNIC_DEV_IRQS		(ZCNIC_DEV_IRQ_LINK | ZCNIC_DEV_IRQ_QERR)

/* Hash TCP and UDP on addresses and ports, other IP on addresses. */
#define ZCNIC_RSS_CFG_DEFAULT	(ZCNIC_RSS_CFG_ENABLE | ZCNIC_RSS_CFG_IPV4 | \
				 ZCNIC_RSS_CFG_TCP4 | ZCNIC_RSS_CFG_UDP4 | \
				 ZCNIC_RSS_CFG_IPV6 | ZCNIC_RSS_CFG_TCP6 | \
				 ZCNIC_RSS_CFG_UDP6)

enum {
	ZCNIC_F_GONE,		/* the device stopped answering reads */
	ZCNIC_F_UP,		/* rings, vectors and IRQs are set up */
};

/* Recoveries, counted across down/up (under stats_lock). */
struct zcnic_reset_stats {
	u64 rx_queue;		/* RX queues restarted through the queue API */
	u64 tx_queue;		/* TX rings stopped and started again */
	u64 tx_timeout;		/* TX watchdog time-outs */
	u64 device;		/* whole-interface restarts, the last resort */
};

/* A queue's wrapping 32-bit device drop counters, widened to 64 bits. */
struct zcnic_hw_qstats {
	u64 nobuf;		/* RXQ_STAT_NOBUF: no header or payload buffer */
	u64 nocmpl;		/* RXQ_STAT_NOCMPL: completion ring full */
	u64 drop_steer;		/* RXQ_STAT_DROP_STEER: device-wide, queue 0 */
	u32 last_nobuf;
	u32 last_nocmpl;
	u32 last_drop_steer;
};

struct zcnic_ntuple_rule {
	struct ethtool_rx_flow_spec fs;
	u32 rss_ctx;
	bool used;
};

/**
 * struct zcnic_dev - one zcnic PCI function and its netdev (netdev priv)
 * @pdev: PCI device
 * @netdev: the network device
 * @bar: mapping of the register BAR
 * @regs: @bar while the device answers, NULL once it is gone
 * @flags: ZCNIC_F_* bits
 * @max_queues: queue pairs the device and the MSI-X vectors allow
 * @num_rss_ctxs: RSS contexts the device has, context 0 included
 * @num_ntuple: ntuple rules the device has
 * @num_queues: queue pairs in use (combined channels)
 * @rx_ring_size: entries of each RX ring, for rings allocated from now on
 * @tx_ring_size: entries of each TX ring
 * @hds: header/data split enabled (ethtool tcp-data-split)
 * @hds_thresh: ethtool hds-thresh
 * @rx_pack: ethtool private flag rx-pack: let the device pack payloads
 * @itr_usecs: ethtool rx-usecs: minimum interval between a queue pair's
 *	interrupts (QP_IRQ_ITR) while @adaptive_rx is off
 * @adaptive_rx: ethtool adaptive-rx: DIM sets each queue pair's interval
 * @dim_lock: serializes DIM's interval writes with @adaptive_rx changes
 * @qv: queue vectors, only while the interface is up
 * @rss_key: Toeplitz key of context 0
 * @rss_indir: indirection table of context 0
 * @rss_cfg: RSS_CFG (hash types) of each context, 0 for a context not in use
 * @rss_fields: RSS_FIELDS (hashed fields, input transform) of each context
 * @ntuple: software copy of the ntuple rules
 * @stats_lock: protects @qv against ndo_get_stats64, @rx_base, @tx_base
 *	and @hw_qstats
 * @rx_base: RX counters of queue vectors that were freed
 * @tx_base: TX counters of queue vectors that were freed
 * @hw_qstats: per queue device counters
 * @reset_stats: recoveries (under @stats_lock)
 * @reset_task: recovers the queues in @rx_reset and @tx_reset
 * @rx_reset: RX queues that stopped on an error or lost sync with the device
 * @tx_reset: TX queues that stopped on an error or timed out
 * @dbg: debugfs directory
 * @dbg_tx_drop: debugfs tx_drop: drop this many more frames that end an
 *	xmit_more batch (the frames before them still need their doorbell)
 * @dbg_phys_dma: debugfs phys_dma: post this many more page-backed payload
 *	buffers at their physical address instead of their DMA address (a
 *	planted driver bug that only an IOMMU exposes)
 * @irq_name: name of the device (link) interrupt
 */
struct zcnic_dev {
	struct pci_dev *pdev;
	struct net_device *netdev;
	u8 __iomem *bar;
	u8 __iomem *regs;
	unsigned long flags;

	unsigned int max_queues;
	unsigned int num_rss_ctxs;
	unsigned int num_ntuple;

	unsigned int num_queues;
	unsigned int rx_ring_size;
	unsigned int tx_ring_size;
	bool hds;
	u32 hds_thresh;
	bool rx_pack;
	bool gro_hw;		/* NETIF_F_GRO_HW as the rings are to have it */
	u32 itr_usecs;
	bool adaptive_rx;
	struct mutex dim_lock;	/* see above */

	struct zcnic_q_vector *qv[ZCNIC_MAX_QUEUES];

	u8 rss_key[ZCNIC_RSS_KEY_LEN];
	u32 rss_indir[ZCNIC_RSS_INDIR_SIZE];
	u32 rss_cfg[ZCNIC_RSS_CTXS];
	u32 rss_fields[ZCNIC_RSS_CTXS];

	struct zcnic_ntuple_rule ntuple[ZCNIC_NTUPLE_RULES];

	spinlock_t stats_lock;	/* see above */
	struct zcnic_rx_counters rx_base;
	struct zcnic_tx_counters tx_base;
	struct zcnic_hw_qstats hw_qstats[ZCNIC_MAX_QUEUES];
	struct zcnic_reset_stats reset_stats;

	struct work_struct reset_task;
	DECLARE_BITMAP(rx_reset, ZCNIC_MAX_QUEUES);
	DECLARE_BITMAP(tx_reset, ZCNIC_MAX_QUEUES);

	struct dentry *dbg;
	atomic_t dbg_tx_drop;
	atomic_t dbg_phys_dma;
	char irq_name[32];
};

/* Register access.  Writes are dropped and reads return all ones once the
 * device is gone (surprise removal), so callers need no checks of their own.
 */
u32 zcnic_rd32(struct zcnic_dev *zd, u32 reg);

static inline void zcnic_wr32(struct zcnic_dev *zd, u32 reg, u32 val)
{
	u8 __iomem *regs = READ_ONCE(zd->regs);

	if (likely(regs))
		writel(val, regs + reg);
}

static inline bool zcnic_present(struct zcnic_dev *zd)
{
	return !!READ_ONCE(zd->regs);
}

static inline u32 zcnic_q_rd32(struct zcnic_dev *zd, unsigned int q, u32 reg)
{
	return zcnic_rd32(zd, ZCNIC_Q_BASE(q) + reg);
}

static inline void zcnic_q_wr32(struct zcnic_dev *zd, unsigned int q, u32 reg,
				u32 val)
{
	zcnic_wr32(zd, ZCNIC_Q_BASE(q) + reg, val);
}

int zcnic_wait_reg(struct zcnic_dev *zd, u32 reg, u32 mask, u32 val,
		   u32 *last);

/* zcnic_netdev.c */
int zcnic_netdev_init(struct zcnic_dev *zd);
int zcnic_open(struct net_device *netdev);
int zcnic_stop(struct net_device *netdev);
int zcnic_restart(struct zcnic_dev *zd);
int zcnic_reconfigure(struct zcnic_dev *zd, unsigned int num_queues);
void zcnic_reopen(struct zcnic_dev *zd, unsigned int num_queues);
void zcnic_hds_write(struct zcnic_dev *zd);
void zcnic_request_reset(struct zcnic_dev *zd, unsigned int q, bool rx);
void zcnic_reset_task(struct work_struct *work);
void zcnic_link_update(struct zcnic_dev *zd);
void zcnic_hw_stats_update(struct zcnic_dev *zd);
void zcnic_rss_write(struct zcnic_dev *zd, unsigned int ctx, const u8 *key,
		     const u32 *indir);
void zcnic_rss_set_default_indir(struct zcnic_dev *zd);
extern const struct netdev_stat_ops zcnic_stat_ops;

/* zcnic_ethtool.c */
void zcnic_set_ethtool_ops(struct net_device *netdev);
void zcnic_ntuple_clear_all(struct zcnic_dev *zd);
int zcnic_set_rx_latched(struct zcnic_dev *zd, bool *setting, bool val);
void zcnic_ntuple_restore(struct zcnic_dev *zd);

/* zcnic_queue.c */
extern const struct netdev_queue_mgmt_ops zcnic_queue_mgmt_ops;

/* zcnic_debugfs.c */
void zcnic_dbg_init(void);
void zcnic_dbg_exit(void);
void zcnic_dbg_dev_init(struct zcnic_dev *zd);
void zcnic_dbg_dev_exit(struct zcnic_dev *zd);

#endif /* _ZCNIC_H_ */
