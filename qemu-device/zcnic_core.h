/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * zcnic: core of the header/data split test NIC (rings, DMA, split,
 * RSS, ntuple steering, interrupts).  The PCI/QOM glue is in zcnic.c.
 */
#ifndef HW_NET_ZCNIC_CORE_H
#define HW_NET_ZCNIC_CORE_H

#include "qemu/timer.h"
#include "hw/pci/pci_device.h"
#include "net/eth.h"
#include "net/net.h"
#include "zcnic_hw.h"

typedef struct ZcnicCore ZcnicCore;
typedef struct ZcnicGroFlow ZcnicGroFlow;

/* RX queue: three rings, a packing cursor and counters. */
typedef struct ZcnicRxQueue {
    uint32_t ctrl;          /* HDS and PACK as last written */
    uint32_t status;        /* ENABLED, ERROR, ERRCODE */
    uint32_t buf_cfg;
    uint32_t hds_thresh;
    uint64_t hbr_base;
    uint32_t hbr_size;
    uint32_t hbr_tail;
    uint32_t hbr_head;
    uint64_t pbr_base;
    uint32_t pbr_size;
    uint32_t pbr_tail;
    uint32_t pbr_head;
    uint64_t rcq_base;
    uint32_t rcq_size;
    uint32_t rcq_head;
    uint32_t rcq_tail;
    bool gen;               /* generation bit of the next completion */

    /* Latched when the queue is enabled. */
    bool pack;
    bool gro;               /* RXQ_CTRL.GRO: takes coalesced frames */
    uint32_t hdr_buf_len;
    uint32_t pay_buf_len;

    /* The payload buffer that packing may still add to. */
    bool pay_open;
    uint32_t pay_open_idx;
    uint64_t pay_open_addr;
    uint32_t pay_open_off;

    uint64_t pkts;
    uint64_t bytes;
    uint64_t nobuf;
    uint64_t nocmpl;
    uint64_t csum_bad;
    uint64_t split;
    uint64_t data;          /* TCP/UDP frames with an L4 payload (host only) */
    uint64_t drop_steer;
    uint64_t gro_pkts;
    uint64_t gro_segs;
} ZcnicRxQueue;

typedef struct ZcnicTxQueue {
    uint32_t status;
    uint64_t dr_base;
    uint32_t dr_size;
    uint32_t dr_tail;
    uint32_t dr_head;
    uint64_t tcq_base;
    uint32_t tcq_size;
    uint32_t tcq_head;
    uint32_t tcq_tail;
    bool gen;
    bool hung;              /* x-fault-tx-hang: doorbells ignored till stop */
    bool wedged;            /* x-fault-txq-stop-ignore: until a device reset */

    uint64_t pkts;
    uint64_t bytes;
    uint64_t errs;
    uint64_t tso_pkts;
    uint64_t tso_segs;
} ZcnicTxQueue;

/*
 * Hardware GRO defaults (x-gro-timeout-us, x-gro-flows).  The timeout is
 * long for hardware: under TCG one guest sendmsg() per segment can take
 * tens of microseconds, and gro_hw.py sends 512 flows' first segments
 * before their second ones.
 */
#define ZCNIC_GRO_TIMEOUT_US_DEFAULT    1000
#define ZCNIC_GRO_FLOWS_DEFAULT         1024

/*
 * Hardware GRO of separate segments on one RX queue (RXQ_CTRL.GRO, hw-spec
 * 5.8): the flows with segments staged in device memory.  Not part of
 * ZcnicRxQueue, which a reset clears with memset.
 */
typedef struct ZcnicGro {
    GHashTable *flows;      /* ZcnicGroFlow by its key */
    QTAILQ_HEAD(, ZcnicGroFlow) lru;   /* oldest first */
    uint32_t nflows;
    uint32_t bytes;         /* staged */
    int64_t last_ns;        /* when a frame last reached the queue */
    bool stalled;           /* a flush found no buffers (x-nobuf=hold) */
    QEMUTimer *timer;       /* the idle timeout or the oldest flow's age */

    uint64_t staged;        /* segments taken into an aggregate */
    uint64_t flush_timeout; /* aggregates flushed by the timer */
    uint64_t flush_full;    /* flushed to make room for another flow */
    uint64_t aborted;       /* segments discarded: queue stopped or reset */
} ZcnicGro;

/* TX descriptors one run of a queue takes before it yields (bottom half). */
#define ZCNIC_TX_BURST 256

/* Interrupt state of one queue pair. */
typedef struct ZcnicQpIrq {
    ZcnicCore *core;
    uint32_t qp;
    uint32_t vec;
    uint32_t itr;           /* minimum usecs between two interrupts */
    bool armed;
    bool pending;           /* an event arrived while disarmed */
    bool deferred;          /* an interrupt waits for the timer */
    int64_t last_ns;        /* when the last interrupt was sent */
    QEMUTimer *timer;       /* moderation or delay over: schedules bh */
    QEMUBH *bh;             /* sends the deferred interrupt, guarded */
    QEMUBH *tx_bh;          /* runs the TX queue of this pair, guarded */

    uint64_t sent;
    uint64_t lost;          /* dropped by x-fault-irq-drop-ppm */
    uint64_t swint;         /* events raised by QP_IRQ_CTRL.SWINT */
} ZcnicQpIrq;

typedef struct ZcnicNtupleRule {
    uint32_t flow;
    uint32_t src[4];
    uint32_t src_mask[4];
    uint32_t dst[4];
    uint32_t dst_mask[4];
    uint32_t ports;
    uint32_t port_masks;
    uint32_t action;
} ZcnicNtupleRule;

typedef struct ZcnicRssCtx {
    uint8_t key[ZCNIC_RSS_KEY_LEN];
    uint32_t cfg;
    uint32_t fields;        /* RSS_FIELDS */
    uint8_t indir[ZCNIC_RSS_INDIR_SIZE];
} ZcnicRssCtx;

struct ZcnicCore {
    PCIDevice *owner;
    NICState *nic;
    uint32_t num_queues;
    uint32_t num_vectors;
    uint8_t perm_mac[ETH_ALEN];

    /* Device block */
    uint8_t mac[ETH_ALEN];
    uint32_t max_frame;
    uint32_t rx_filter;
    uint32_t irq_cause;
    uint32_t irq_mask;
    uint32_t scratch[2];
    uint32_t guest_errs;
    bool link_up;

    ZcnicNtupleRule nt_stage;
    uint32_t nt_status;
    ZcnicNtupleRule nt[ZCNIC_NTUPLE_RULES];

    ZcnicRssCtx rss[ZCNIC_RSS_CTXS];

    ZcnicRxQueue rxq[ZCNIC_MAX_QUEUES];
    ZcnicTxQueue txq[ZCNIC_MAX_QUEUES];
    ZcnicQpIrq irq[ZCNIC_MAX_QUEUES];
    ZcnicGro gro[ZCNIC_MAX_QUEUES];

    struct NetRxPkt *rx_pkt;
    /*
     * Per backend queue: a frame sent to it is still queued in the net
     * layer (the peer could not take it), so the TX queues feeding it wait,
     * as a MAC does under flow control, until tx_sent is called.
     */
    bool tx_blocked[ZCNIC_MAX_QUEUES];
    NetPacketSent *tx_sent;
    uint8_t *rx_frame;      /* ZCNIC_GRO_FRAME_MAX bytes */
    /*
     * The backend passes a virtio-net header with each frame (a tap):
     * frames it sends carry one, and while backend_gro is set (some
     * enabled RX queue has RXQ_CTRL.GRO) it may hand over coalesced TCP
     * frames and frames whose checksum is left to the device.
     */
    bool vnet;
    bool backend_gro;
    uint8_t *tx_frame;      /* ZCNIC_TSO_FRAME_MAX bytes */
    uint8_t *tx_seg;        /* ZCNIC_FRAME_MAX bytes: one TSO segment */

    /* Host-side controls (QOM properties), kept across device resets. */
    bool nobuf_hold;
    bool host_link;
    bool fault_starve;
    bool fault_no_split;    /* ignore RXQ_CTRL.HDS: a NIC whose split broke */
    uint32_t fault_seed;
    uint32_t fault_rng;
    uint32_t fault_drop_ppm;
    uint32_t fault_irq_drop_ppm;
    uint32_t fault_dma_fail_ppm;
    uint32_t fault_irq_delay_us;
    uint32_t fault_rxq_enable_fail; /* refuse this many RX queue enables */
    uint32_t fault_txq_stop_ignore; /* leave this many TX stops unanswered */
    uint32_t fault_bad_cmpl;    /* misnumber this many RX completions */
    uint32_t gro_timeout_us;    /* x-gro-timeout-us: flush an idle queue */
    uint32_t gro_flows;         /* x-gro-flows: open flows per queue */

    /* Host-side counters; most count frames the guest never hears about. */
    uint64_t rx_frames;     /* every frame the backend handed over */
    uint64_t rx_filtered;
    uint64_t rx_oversize;
    uint64_t rx_link_down;
    uint64_t rx_fault_drops;
    uint64_t rx_held;
    uint64_t rx_gso_drops;  /* coalesced frames no GRO queue could take */
    uint64_t rx_bad_vnet;   /* virtio-net headers that made no sense */
    uint64_t tx_waits;      /* times TX waited for the peer to take a frame */
    uint64_t dma_faults;
    uint64_t dma_errors;        /* DMA the memory map or an IOMMU refused */
    uint64_t dev_irqs;
};

void zcnic_core_realize(ZcnicCore *c, PCIDevice *owner, NICState *nic,
                        uint32_t num_queues, const uint8_t *mac);
void zcnic_core_unrealize(ZcnicCore *c);
void zcnic_core_reset(ZcnicCore *c);

uint64_t zcnic_core_read(ZcnicCore *c, hwaddr addr);
void zcnic_core_write(ZcnicCore *c, hwaddr addr, uint32_t val);

bool zcnic_core_can_receive(ZcnicCore *c);
ssize_t zcnic_core_receive_iov(ZcnicCore *c, const struct iovec *iov,
                               int iovcnt);
void zcnic_core_set_link(ZcnicCore *c);
/* The backend queue @subq took the frame it had queued: resume TX. */
void zcnic_core_tx_sent(ZcnicCore *c, int subq);
void zcnic_core_start_recv(ZcnicCore *c);
void zcnic_core_tx_hang(ZcnicCore *c);
bool zcnic_core_tx_hung(ZcnicCore *c);
void zcnic_core_fault_reseed(ZcnicCore *c);

/* A JSON object with the device and per-queue state and counters. */
char *zcnic_core_stats_json(ZcnicCore *c);

#endif /* HW_NET_ZCNIC_CORE_H */
