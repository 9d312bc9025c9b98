/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * zcnic core: register file, RX/TX rings, header/data split, payload
 * packing, RSS, ntuple steering, interrupt arming and moderation, and the
 * host-side fault injection.  The programming model is include/zcnic_hw.h
 * and docs/hw-spec.md; every rule implemented here is described there.
 *
 * Everything the guest hands the device (ring bases, sizes, indices,
 * descriptor contents, vectors, table indices) is validated before use;
 * a violation stops the queue concerned, is logged with LOG_GUEST_ERROR
 * and is counted in DEV_GUEST_ERRS.  Descriptors are copied once into
 * local structs and all DMA goes through the PCI DMA API restricted to
 * RAM (MemTxAttrs.memory).
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/iov.h"
#include "qemu/bswap.h"
#include "qemu/host-utils.h"
#include "net/eth.h"
#include "net/checksum.h"
#include "hw/pci/msix.h"
#include "hw/pci/pci_device.h"
#include "system/dma.h"
#include "net_rx_pkt.h"
#include "standard-headers/linux/virtio_net.h"
#include "zcnic_core.h"
#include "trace.h"

#define ZCNIC_DMA_ATTRS ((MemTxAttrs) { .memory = 1 })

#define ZCNIC_MAX_FRAME_DEFAULT 1518    /* 1500 MTU + Ethernet + 802.1Q */

/* Payload buffers a single frame can touch: the open one + scatter. */
#define ZCNIC_RX_MAX_PAY_BUFS \
    (ZCNIC_GRO_FRAME_MAX / (1u << ZCNIC_PAY_SHIFT_MIN) + 1)

typedef enum {
    ZCNIC_RX_DONE,
    ZCNIC_RX_DROPPED,
    ZCNIC_RX_HOLD,
} ZcnicRxResult;

/* What the parser learnt about a received frame. */
typedef struct ZcnicRxInfo {
    uint32_t len;
    bool vlan;
    uint16_t tci;
    uint32_t l3;            /* ZCNIC_RCD_L3_* */
    uint32_t l4;            /* ZCNIC_RCD_L4_*, only for unfragmented */
    uint32_t l3_off;
    uint32_t l4_off;
    uint32_t l5_off;
    uint32_t l4_pay_len;    /* from the IP header, clamped to the frame */
    uint8_t src[16];
    uint8_t dst[16];
    uint16_t sport;
    uint16_t dport;
    uint32_t csum;          /* ZCNIC_RCD_CSUM_* */
    uint32_t gro_segs;      /* > 1: a coalesced TCP frame of ... */
    uint32_t gro_mss;       /* ... segments of this many payload bytes */
} ZcnicRxInfo;

typedef struct ZcnicSteer {
    int queue;              /* -1: drop */
    int rule;               /* ntuple rule that matched, or -1 */
    uint32_t ctx;
    uint32_t hash;
    uint32_t hash_type;     /* ZCNIC_RSS_TYPE_* */
} ZcnicSteer;

static void zcnic_backend_offloads(ZcnicCore *c);
static void zcnic_gro_abort(ZcnicCore *c, uint32_t q);

static inline uint32_t zf_get(uint32_t mask, uint32_t reg)
{
    return zcnic_field_get(mask, reg);
}

static inline uint32_t zf_prep(uint32_t mask, uint32_t val)
{
    return zcnic_field_prep(mask, val);
}

/* ------------------------------------------------------------------ */
/* Errors, PRNG, DMA                                                   */
/* ------------------------------------------------------------------ */

static void G_GNUC_PRINTF(2, 3)
zcnic_guest_error(ZcnicCore *c, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);

    c->guest_errs++;
    qemu_log_mask(LOG_GUEST_ERROR, "zcnic: %s\n", msg);
    trace_zcnic_guest_error(msg);
}

void zcnic_core_fault_reseed(ZcnicCore *c)
{
    /* xorshift32 must not start at 0 */
    c->fault_rng = c->fault_seed ? c->fault_seed : 0x9e3779b9;
}

/* True with probability ppm / 1e6, from the seeded generator. */
static bool zcnic_fault_hit(ZcnicCore *c, uint32_t ppm)
{
    uint32_t x;

    if (!ppm) {
        return false;
    }
    x = c->fault_rng;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c->fault_rng = x;
    return x % 1000000 < ppm;
}

/*
 * DMA goes through the device's bus master address space, so with a
 * virtual IOMMU every address is translated and checked: an address the
 * driver did not map fails here (counted in dma-errors, traced) and the
 * caller stops the queue; nothing is written through it.
 */
static bool zcnic_dma_rw(ZcnicCore *c, uint64_t addr, void *buf,
                         uint32_t len, DMADirection dir)
{
    MemTxResult r = pci_dma_rw(c->owner, addr, buf, len, dir,
                               ZCNIC_DMA_ATTRS);

    if (r != MEMTX_OK) {
        c->dma_errors++;
        trace_zcnic_dma_error(addr, len, dir == DMA_DIRECTION_FROM_DEVICE, r);
        return false;
    }
    return true;
}

static bool zcnic_dma_read(ZcnicCore *c, uint64_t addr, void *buf,
                           uint32_t len)
{
    return zcnic_dma_rw(c, addr, buf, len, DMA_DIRECTION_TO_DEVICE);
}

static bool zcnic_dma_write(ZcnicCore *c, uint64_t addr, const void *buf,
                            uint32_t len)
{
    return zcnic_dma_rw(c, addr, (void *)buf, len, DMA_DIRECTION_FROM_DEVICE);
}

/* A buffer DMA, which x-fault-dma-fail-ppm may turn into a failure. */
static bool zcnic_dma_write_buf(ZcnicCore *c, uint64_t addr, const void *buf,
                                uint32_t len)
{
    if (zcnic_fault_hit(c, c->fault_dma_fail_ppm)) {
        c->dma_faults++;
        trace_zcnic_fault("dma-fail", 0);
        return false;
    }
    return zcnic_dma_write(c, addr, buf, len);
}

static bool zcnic_ring_valid(uint64_t base, uint32_t size, uint32_t elem)
{
    return base != 0 && !(base & 63) && is_power_of_2(size) &&
           size >= ZCNIC_RING_MIN && size <= ZCNIC_RING_MAX &&
           base <= UINT64_MAX - (uint64_t)size * elem;
}

/* ------------------------------------------------------------------ */
/* Interrupts                                                          */
/* ------------------------------------------------------------------ */

static void zcnic_msix_send(ZcnicCore *c, uint32_t vec)
{
    /* vec was validated when written; msix_notify asserts on range */
    if (vec >= c->num_vectors || !msix_enabled(c->owner)) {
        return;
    }
    msix_notify(c->owner, vec);
}

static void zcnic_dev_irq_update(ZcnicCore *c, uint32_t newly)
{
    trace_zcnic_irq_device(c->irq_cause, c->irq_mask);
    if (newly & c->irq_mask) {
        c->dev_irqs++;
        zcnic_msix_send(c, ZCNIC_VEC_DEVICE);
    }
}

static void zcnic_dev_irq_raise(ZcnicCore *c, uint32_t cause)
{
    uint32_t newly = cause & ~c->irq_cause;

    c->irq_cause |= cause;
    zcnic_dev_irq_update(c, newly);
}

static void zcnic_qp_send(ZcnicQpIrq *irq)
{
    ZcnicCore *c = irq->core;
    bool lost = zcnic_fault_hit(c, c->fault_irq_drop_ppm);

    irq->armed = false;
    irq->deferred = false;
    irq->last_ns = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    trace_zcnic_irq_queue(irq->qp, irq->vec, lost);
    if (lost) {
        irq->lost++;
        return;
    }
    irq->sent++;
    zcnic_msix_send(c, irq->vec);
}

/*
 * Work that does not start in an MMIO handler (a timer, the net layer's
 * sent callback, a TX burst's continuation) runs in bottom halves created
 * with the device's reentrancy guard: a DMA or MSI-X write that the guest
 * aimed at the device's own BAR is then refused by the memory core, as it
 * is from MMIO handlers, instead of re-entering the device mid-operation.
 */
static void zcnic_qp_timer_cb(void *opaque)
{
    ZcnicQpIrq *irq = opaque;

    qemu_bh_schedule(irq->bh);
}

static void zcnic_qp_irq_bh(void *opaque)
{
    ZcnicQpIrq *irq = opaque;

    if (irq->deferred) {
        zcnic_qp_send(irq);
    }
}

/* An interrupt is due: send it now or when moderation allows. */
static void zcnic_qp_fire(ZcnicQpIrq *irq)
{
    ZcnicCore *c = irq->core;
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    int64_t when = now;

    irq->armed = false;
    if (irq->deferred) {
        return;
    }
    if (irq->itr) {
        when = MAX(when, irq->last_ns + (int64_t)irq->itr * SCALE_US);
    }
    if (c->fault_irq_delay_us) {
        when = MAX(when, now + (int64_t)c->fault_irq_delay_us * SCALE_US);
    }
    if (when > now) {
        irq->deferred = true;
        trace_zcnic_irq_defer(irq->qp, when - now);
        timer_mod(irq->timer, when);
        return;
    }
    zcnic_qp_send(irq);
}

/* Something the driver should look at happened on queue pair qp. */
static void zcnic_qp_event(ZcnicCore *c, uint32_t qp)
{
    ZcnicQpIrq *irq = &c->irq[qp];

    if (irq->deferred) {
        return;         /* the interrupt on its way covers this event */
    }
    if (irq->armed) {
        zcnic_qp_fire(irq);
    } else {
        irq->pending = true;
    }
}

static void zcnic_qp_arm(ZcnicCore *c, uint32_t qp, uint32_t val)
{
    ZcnicQpIrq *irq = &c->irq[qp];

    trace_zcnic_irq_arm(qp, val & ZCNIC_QP_IRQ_CTRL_ARM, irq->pending);
    if (!(val & ZCNIC_QP_IRQ_CTRL_ARM)) {
        /* SWINT alone leaves the arming as it is */
        if (!(val & ZCNIC_QP_IRQ_CTRL_SWINT)) {
            irq->armed = false;
        }
    } else if (irq->pending) {
        irq->pending = false;
        zcnic_qp_fire(irq);
    } else {
        irq->armed = true;
    }
    /* A software event counts after the arming written with it. */
    if (val & ZCNIC_QP_IRQ_CTRL_SWINT) {
        irq->swint++;
        trace_zcnic_irq_swint(qp);
        zcnic_qp_event(c, qp);
    }
}

/* ------------------------------------------------------------------ */
/* Queue state changes                                                 */
/* ------------------------------------------------------------------ */

static void zcnic_flush_queued(ZcnicCore *c)
{
    NICState *nic = c->nic;
    int i;

    if (!nic) {
        return;
    }
    for (i = 0; i < MAX(nic->conf->peers.queues, 1); i++) {
        qemu_flush_queued_packets(qemu_get_subqueue(nic, i));
    }
}

/* Every statistic, host-side and per queue, as a reset leaves them. */
static void zcnic_clear_counters(ZcnicCore *c)
{
    uint32_t q;

    c->rx_frames = 0;
    c->rx_filtered = c->rx_oversize = c->rx_link_down = 0;
    c->rx_fault_drops = c->rx_held = c->dma_faults = c->dev_irqs = 0;
    c->dma_errors = 0;
    c->tx_waits = 0;
    c->rx_gso_drops = c->rx_bad_vnet = 0;
    for (q = 0; q < ZCNIC_MAX_QUEUES; q++) {
        ZcnicRxQueue *rq = &c->rxq[q];
        ZcnicTxQueue *tq = &c->txq[q];

        rq->pkts = rq->bytes = rq->nobuf = rq->nocmpl = 0;
        rq->csum_bad = rq->split = rq->data = rq->drop_steer = 0;
        rq->gro_pkts = rq->gro_segs = 0;
        c->gro[q].staged = c->gro[q].flush_timeout = 0;
        c->gro[q].flush_full = c->gro[q].aborted = 0;
        tq->pkts = tq->bytes = tq->errs = tq->tso_pkts = tq->tso_segs = 0;
        c->irq[q].sent = c->irq[q].lost = c->irq[q].swint = 0;
    }
}

void zcnic_core_start_recv(ZcnicCore *c)
{
    zcnic_flush_queued(c);
}

static bool zcnic_rxq_enabled(ZcnicCore *c, uint32_t q)
{
    return c->rxq[q].status & ZCNIC_RXQ_STATUS_ENABLED;
}

static bool zcnic_txq_enabled(ZcnicCore *c, uint32_t q)
{
    return c->txq[q].status & ZCNIC_TXQ_STATUS_ENABLED;
}

static void G_GNUC_PRINTF(4, 5)
zcnic_rxq_error(ZcnicCore *c, uint32_t q, uint32_t code, const char *fmt, ...)
{
    ZcnicRxQueue *rq = &c->rxq[q];
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);

    zcnic_guest_error(c, "rxq %u: %s", q, msg);
    rq->status = ZCNIC_RXQ_STATUS_ERROR |
                 zf_prep(ZCNIC_RXQ_STATUS_ERRCODE, code);
    rq->pay_open = false;
    zcnic_gro_abort(c, q);
    trace_zcnic_queue_error("rx", q, code);
    zcnic_backend_offloads(c);
    zcnic_dev_irq_raise(c, ZCNIC_DEV_IRQ_QERR);
}

static void G_GNUC_PRINTF(4, 5)
zcnic_txq_error(ZcnicCore *c, uint32_t q, uint32_t code, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);

    zcnic_guest_error(c, "txq %u: %s", q, msg);
    c->txq[q].status = ZCNIC_TXQ_STATUS_ERROR |
                       zf_prep(ZCNIC_TXQ_STATUS_ERRCODE, code);
    trace_zcnic_queue_error("tx", q, code);
    zcnic_dev_irq_raise(c, ZCNIC_DEV_IRQ_QERR);
}

/*
 * Ask a virtio-net-header backend for coalesced TCP frames (and frames
 * with the checksum left to us) exactly while some enabled RX queue takes
 * them (RXQ_CTRL.GRO); otherwise the backend segments and checksums them
 * itself.  Called whenever an RX queue starts or stops.
 */
static void zcnic_backend_offloads(ZcnicCore *c)
{
    bool want = false;
    uint32_t q, i;

    for (q = 0; c->vnet && q < c->num_queues; q++) {
        want |= zcnic_rxq_enabled(c, q) && c->rxq[q].gro;
    }
    if (want == c->backend_gro || !c->nic) {
        return;
    }
    c->backend_gro = want;
    for (i = 0; i < MAX(c->nic->conf->peers.queues, 1); i++) {
        qemu_set_offload(qemu_get_subqueue(c->nic, i)->peer,
                         want, want, want, 0, 0, 0, 0);
    }
    trace_zcnic_backend_gro(want);
}

static void zcnic_rxq_enable(ZcnicCore *c, uint32_t q, uint32_t ctrl)
{
    ZcnicRxQueue *rq = &c->rxq[q];
    uint32_t hdr_len = zf_get(ZCNIC_RXQ_BUF_CFG_HDR_LEN, rq->buf_cfg);
    uint32_t shift = zf_get(ZCNIC_RXQ_BUF_CFG_PAY_SHIFT, rq->buf_cfg);

    rq->ctrl = ctrl & (ZCNIC_RXQ_CTRL_HDS | ZCNIC_RXQ_CTRL_PACK |
                       ZCNIC_RXQ_CTRL_GRO);
    if (c->fault_rxq_enable_fail) {
        c->fault_rxq_enable_fail--;
        trace_zcnic_fault("rxq-enable", q);
        zcnic_rxq_error(c, q, ZCNIC_QERR_RING_CFG,
                        "enable refused (x-fault-rxq-enable-fail)");
        return;
    }
    if (!zcnic_ring_valid(rq->hbr_base, rq->hbr_size,
                          sizeof(struct zcnic_rx_buf_desc))) {
        zcnic_rxq_error(c, q, ZCNIC_QERR_RING_CFG,
                        "bad header buffer ring base 0x%" PRIx64 " size %u",
                        rq->hbr_base, rq->hbr_size);
        return;
    }
    if (!zcnic_ring_valid(rq->pbr_base, rq->pbr_size,
                          sizeof(struct zcnic_rx_buf_desc))) {
        zcnic_rxq_error(c, q, ZCNIC_QERR_RING_CFG,
                        "bad payload buffer ring base 0x%" PRIx64 " size %u",
                        rq->pbr_base, rq->pbr_size);
        return;
    }
    if (!zcnic_ring_valid(rq->rcq_base, rq->rcq_size,
                          sizeof(struct zcnic_rx_cmpl))) {
        zcnic_rxq_error(c, q, ZCNIC_QERR_RING_CFG,
                        "bad completion ring base 0x%" PRIx64 " size %u",
                        rq->rcq_base, rq->rcq_size);
        return;
    }
    if (hdr_len % 64 || hdr_len < ZCNIC_HDR_BUF_MIN ||
        hdr_len > ZCNIC_HDR_BUF_MAX) {
        zcnic_rxq_error(c, q, ZCNIC_QERR_RING_CFG,
                        "bad header buffer length %u", hdr_len);
        return;
    }
    if (shift < ZCNIC_PAY_SHIFT_MIN || shift > ZCNIC_PAY_SHIFT_MAX) {
        zcnic_rxq_error(c, q, ZCNIC_QERR_RING_CFG,
                        "bad payload buffer shift %u", shift);
        return;
    }

    rq->hbr_head = rq->hbr_tail = 0;
    rq->pbr_head = rq->pbr_tail = 0;
    rq->rcq_head = rq->rcq_tail = 0;
    rq->gen = true;
    rq->pack = ctrl & ZCNIC_RXQ_CTRL_PACK;
    rq->gro = ctrl & ZCNIC_RXQ_CTRL_GRO;
    rq->hdr_buf_len = hdr_len;
    rq->pay_buf_len = 1u << shift;
    rq->pay_open = false;
    rq->status = ZCNIC_RXQ_STATUS_ENABLED;
    trace_zcnic_rxq_ring(q, "hbr", rq->hbr_base, rq->hbr_size);
    trace_zcnic_rxq_ring(q, "pbr", rq->pbr_base, rq->pbr_size);
    trace_zcnic_rxq_ring(q, "rcq", rq->rcq_base, rq->rcq_size);
    trace_zcnic_rxq_enable(q, hdr_len, rq->pay_buf_len,
                           ctrl & ZCNIC_RXQ_CTRL_HDS, rq->pack, rq->gro);
    zcnic_backend_offloads(c);
}

static void zcnic_rxq_stop(ZcnicCore *c, uint32_t q)
{
    ZcnicRxQueue *rq = &c->rxq[q];

    /*
     * The device model runs under the BQL, so no DMA to this queue is in
     * flight: once STATUS.ENABLED reads 0 the queue's memory is the
     * driver's.
     */
    rq->status &= ~ZCNIC_RXQ_STATUS_ENABLED;
    rq->pay_open = false;
    /* segments still being coalesced are lost, as on hardware */
    zcnic_gro_abort(c, q);
    trace_zcnic_rxq_stop(q);
    zcnic_backend_offloads(c);
}

static void zcnic_txq_enable(ZcnicCore *c, uint32_t q)
{
    ZcnicTxQueue *tq = &c->txq[q];

    if (!zcnic_ring_valid(tq->dr_base, tq->dr_size,
                          sizeof(struct zcnic_tx_desc))) {
        zcnic_txq_error(c, q, ZCNIC_QERR_RING_CFG,
                        "bad descriptor ring base 0x%" PRIx64 " size %u",
                        tq->dr_base, tq->dr_size);
        return;
    }
    if (!zcnic_ring_valid(tq->tcq_base, tq->tcq_size,
                          sizeof(struct zcnic_tx_cmpl))) {
        zcnic_txq_error(c, q, ZCNIC_QERR_RING_CFG,
                        "bad completion ring base 0x%" PRIx64 " size %u",
                        tq->tcq_base, tq->tcq_size);
        return;
    }
    tq->dr_head = tq->dr_tail = 0;
    tq->tcq_head = tq->tcq_tail = 0;
    tq->gen = true;
    tq->status = ZCNIC_TXQ_STATUS_ENABLED;
    trace_zcnic_txq_enable(q, tq->dr_base, tq->dr_size, tq->tcq_base,
                           tq->tcq_size);
}

static void zcnic_txq_stop(ZcnicCore *c, uint32_t q)
{
    c->txq[q].status &= ~ZCNIC_TXQ_STATUS_ENABLED;
    c->txq[q].hung = false;     /* a queue reset clears a hang */
    trace_zcnic_txq_stop(q);
}

/* x-fault-tx-hang: every enabled TX queue stops reading its ring. */
void zcnic_core_tx_hang(ZcnicCore *c)
{
    uint32_t q;

    for (q = 0; q < c->num_queues; q++) {
        if (zcnic_txq_enabled(c, q)) {
            c->txq[q].hung = true;
            trace_zcnic_fault("tx-hang", q);
        }
    }
}

bool zcnic_core_tx_hung(ZcnicCore *c)
{
    uint32_t q;

    for (q = 0; q < c->num_queues; q++) {
        if (c->txq[q].hung) {
            return true;
        }
    }
    return false;
}

/* ------------------------------------------------------------------ */
/* RX: parse, steer, split, place                                      */
/* ------------------------------------------------------------------ */

static bool zcnic_rx_addr_ok(ZcnicCore *c, const uint8_t *frame)
{
    if (c->rx_filter & ZCNIC_DEV_RX_FILTER_PROMISC) {
        return true;
    }
    if (is_broadcast_ether_addr(frame)) {
        return c->rx_filter & ZCNIC_DEV_RX_FILTER_BCAST;
    }
    if (is_multicast_ether_addr(frame)) {
        return c->rx_filter & ZCNIC_DEV_RX_FILTER_ALLMULTI;
    }
    return !memcmp(frame, c->mac, ETH_ALEN);
}

/*
 * Parse the frame once (net_rx_pkt) and keep what steering, split and the
 * completion need.  Anything that is not plain Ethernet or one 802.1Q tag
 * followed by a sane IPv4/IPv6 header is "other": no split, no checksum,
 * no L4 hash.
 */
static void zcnic_rx_classify(ZcnicCore *c, uint32_t len, bool l4_csum_set,
                              ZcnicRxInfo *info)
{
    const uint8_t *f = c->rx_frame;
    struct iovec iov = { .iov_base = c->rx_frame, .iov_len = len };
    bool hasip4, hasip6, valid;
    EthL4HdrProto proto;
    uint16_t ethertype;
    uint32_t l4_hdr_len;
    int64_t pay;

    memset(info, 0, sizeof(*info));
    info->len = len;

    net_rx_pkt_attach_iovec(c->rx_pkt, &iov, 1, 0, false);
    net_rx_pkt_get_protocols(c->rx_pkt, &hasip4, &hasip6, &proto);

    ethertype = lduw_be_p(f + 12);
    info->l3_off = ETH_HLEN;
    if (ethertype == ETH_P_VLAN) {
        info->vlan = true;
        info->tci = lduw_be_p(f + 14);
        ethertype = lduw_be_p(f + 16);
        info->l3_off = ETH_HLEN + 4;
    }

    if (ethertype == ETH_P_IP && hasip4) {
        eth_ip4_hdr_info *ip4 = net_rx_pkt_get_ip4_info(c->rx_pkt);
        uint32_t ihl = IP_HDR_GET_LEN(&ip4->ip4_hdr);
        uint32_t ip_len = be16_to_cpu(ip4->ip4_hdr.ip_len);

        if (ihl < sizeof(struct ip_header) || info->l3_off + ihl > len ||
            ip_len < ihl) {
            return;
        }
        info->l3 = ZCNIC_RCD_L3_IPV4;
        memcpy(info->src, f + info->l3_off + 12, 4);
        memcpy(info->dst, f + info->l3_off + 16, 4);
        if (ip4->fragment) {
            return;
        }
        info->l4_off = info->l3_off + ihl;
        pay = (int64_t)ip_len - ihl;
    } else if (ethertype == ETH_P_IPV6 && hasip6) {
        eth_ip6_hdr_info *ip6 = net_rx_pkt_get_ip6_info(c->rx_pkt);

        info->l3 = ZCNIC_RCD_L3_IPV6;
        memcpy(info->src, f + info->l3_off + 8, 16);
        memcpy(info->dst, f + info->l3_off + 24, 16);
        if (ip6->fragment) {
            return;
        }
        info->l4_off = info->l3_off + ip6->full_hdr_len;
        pay = (int64_t)be16_to_cpu(ip6->ip6_hdr.ip6_ctlun.ip6_un1.ip6_un1_plen)
              - (ip6->full_hdr_len - sizeof(struct ip6_header));
    } else {
        return;
    }

    if (net_rx_pkt_get_l4_hdr_offset(c->rx_pkt) != info->l4_off) {
        return;
    }
    if (proto == ETH_L4_HDR_PROTO_TCP) {
        info->l5_off = net_rx_pkt_get_l5_hdr_offset(c->rx_pkt);
        if (info->l5_off < info->l4_off + sizeof(struct tcp_header)) {
            return;
        }
        info->l4 = ZCNIC_RCD_L4_TCP;
    } else if (proto == ETH_L4_HDR_PROTO_UDP) {
        info->l5_off = info->l4_off + sizeof(struct udp_header);
        info->l4 = ZCNIC_RCD_L4_UDP;
    } else {
        return;
    }
    if (info->l5_off > len) {
        info->l4 = ZCNIC_RCD_L4_OTHER;
        return;
    }
    info->sport = lduw_be_p(f + info->l4_off);
    info->dport = lduw_be_p(f + info->l4_off + 2);

    l4_hdr_len = info->l5_off - info->l4_off;
    pay -= l4_hdr_len;
    info->l4_pay_len = MIN(MAX(pay, 0), (int64_t)(len - info->l5_off));

    /* Checksums: IPv4 header and the L4 checksum must both be good. */
    info->csum = ZCNIC_RCD_CSUM_GOOD;
    if (info->l3 == ZCNIC_RCD_L3_IPV4 &&
        net_rx_pkt_validate_l3_csum(c->rx_pkt, &valid) && !valid) {
        info->csum = ZCNIC_RCD_CSUM_BAD;
    }
    if (l4_csum_set) {
        /* the device wrote the L4 checksum itself (zcnic_rx_vnet) */
    } else if (info->l4 == ZCNIC_RCD_L4_UDP &&
               !lduw_be_p(f + info->l4_off + 6)) {
        /* no checksum: allowed over IPv4 only (RFC 768, RFC 8200) */
        if (info->l3 == ZCNIC_RCD_L3_IPV6) {
            info->csum = ZCNIC_RCD_CSUM_BAD;
        }
    } else if (net_rx_pkt_validate_l4_csum(c->rx_pkt, &valid) && !valid) {
        info->csum = ZCNIC_RCD_CSUM_BAD;
    }
}

/* Pick the most specific hash type that cfg enables for this frame. */
static uint32_t zcnic_rss_type(const ZcnicRxInfo *info, uint32_t cfg)
{
    if (info->l3 == ZCNIC_RCD_L3_IPV4) {
        if (info->l4 == ZCNIC_RCD_L4_TCP && (cfg & ZCNIC_RSS_CFG_TCP4)) {
            return ZCNIC_RSS_TYPE_TCP4;
        }
        if (info->l4 == ZCNIC_RCD_L4_UDP && (cfg & ZCNIC_RSS_CFG_UDP4)) {
            return ZCNIC_RSS_TYPE_UDP4;
        }
        if (cfg & ZCNIC_RSS_CFG_IPV4) {
            return ZCNIC_RSS_TYPE_IPV4;
        }
    } else if (info->l3 == ZCNIC_RCD_L3_IPV6) {
        if (info->l4 == ZCNIC_RCD_L4_TCP && (cfg & ZCNIC_RSS_CFG_TCP6)) {
            return ZCNIC_RSS_TYPE_TCP6;
        }
        if (info->l4 == ZCNIC_RCD_L4_UDP && (cfg & ZCNIC_RSS_CFG_UDP6)) {
            return ZCNIC_RSS_TYPE_UDP6;
        }
        if (cfg & ZCNIC_RSS_CFG_IPV6) {
            return ZCNIC_RSS_TYPE_IPV6;
        }
    }
    return ZCNIC_RSS_TYPE_NONE;
}

/*
 * Toeplitz over the fields that RSS_FIELDS selects for the hash type, in
 * the standard order: source address, destination address, source port,
 * destination port, each in network byte order.  With every field
 * selected this is the Microsoft RSS hash.  A field the frame does not
 * have (ports of a type without them) is left out.  Returns the number of
 * input bytes.
 */
static uint32_t zcnic_rss_toeplitz(ZcnicRssCtx *rc, const ZcnicRxInfo *info,
                                   uint32_t sel, uint32_t *hash)
{
    bool sym = rc->fields & ZCNIC_RSS_FIELDS_SYM_XOR;
    uint32_t alen = info->l3 == ZCNIC_RCD_L3_IPV6 ? 16 : 4;
    uint8_t src[16], dst[16], sport[2], dport[2];
    uint8_t input[2 * 16 + 2 * 2];
    net_toeplitz_key key;
    uint32_t len = 0, i;

    memcpy(src, info->src, alen);
    memcpy(dst, info->dst, alen);
    stw_be_p(sport, info->sport);
    stw_be_p(dport, info->dport);
    if (sym) {
        for (i = 0; i < alen; i++) {
            src[i] ^= dst[i];
            dst[i] = src[i];
        }
        for (i = 0; i < 2; i++) {
            sport[i] ^= dport[i];
            dport[i] = sport[i];
        }
    }

    if (sel & ZCNIC_RSS_FIELD_IP_SRC) {
        memcpy(input + len, src, alen);
        len += alen;
    }
    if (sel & ZCNIC_RSS_FIELD_IP_DST) {
        memcpy(input + len, dst, alen);
        len += alen;
    }
    if (info->l4 != ZCNIC_RCD_L4_OTHER) {
        if (sel & ZCNIC_RSS_FIELD_L4_SRC) {
            memcpy(input + len, sport, 2);
            len += 2;
        }
        if (sel & ZCNIC_RSS_FIELD_L4_DST) {
            memcpy(input + len, dport, 2);
            len += 2;
        }
    }

    *hash = 0;
    net_toeplitz_key_init(&key, rc->key);
    net_toeplitz_add(hash, input, len, &key);
    return len;
}

/* Hash with context ctx; returns the indirection table index. */
static uint32_t zcnic_rss_hash(ZcnicCore *c, const ZcnicRxInfo *info,
                               uint32_t ctx, ZcnicSteer *st)
{
    ZcnicRssCtx *rc = &c->rss[ctx];
    uint32_t type, sel, len;

    st->hash = 0;
    st->hash_type = ZCNIC_RSS_TYPE_NONE;
    if (!(rc->cfg & ZCNIC_RSS_CFG_ENABLE)) {
        return 0;
    }
    type = zcnic_rss_type(info, rc->cfg);
    if (type == ZCNIC_RSS_TYPE_NONE) {
        return 0;
    }
    sel = zf_get(ZCNIC_RSS_FIELDS_TYPE(type), rc->fields);
    len = zcnic_rss_toeplitz(rc, info, sel, &st->hash);
    trace_zcnic_rss_hash(ctx, type, sel, len, st->hash);

    /* The type reported says what the hash covers. */
    if (!len) {
        return 0;
    }
    st->hash_type = type;
    if (!(sel & (ZCNIC_RSS_FIELD_L4_SRC | ZCNIC_RSS_FIELD_L4_DST))) {
        st->hash_type = info->l3 == ZCNIC_RCD_L3_IPV6 ? ZCNIC_RSS_TYPE_IPV6 :
                                                        ZCNIC_RSS_TYPE_IPV4;
    }
    return st->hash % ZCNIC_RSS_INDIR_SIZE;
}

static uint32_t zcnic_nt_flow_of(const ZcnicRxInfo *info)
{
    if (info->l3 == ZCNIC_RCD_L3_IPV4) {
        if (info->l4 == ZCNIC_RCD_L4_TCP) {
            return ZCNIC_NT_FLOW_TCP4;
        }
        if (info->l4 == ZCNIC_RCD_L4_UDP) {
            return ZCNIC_NT_FLOW_UDP4;
        }
    } else if (info->l3 == ZCNIC_RCD_L3_IPV6) {
        if (info->l4 == ZCNIC_RCD_L4_TCP) {
            return ZCNIC_NT_FLOW_TCP6;
        }
        if (info->l4 == ZCNIC_RCD_L4_UDP) {
            return ZCNIC_NT_FLOW_UDP6;
        }
    }
    return 0;       /* fragments and everything else never match */
}

static int zcnic_ntuple_lookup(ZcnicCore *c, const ZcnicRxInfo *info)
{
    uint32_t flow = zcnic_nt_flow_of(info);
    uint32_t words, i, w;

    if (!flow) {
        return -1;
    }
    words = (flow == ZCNIC_NT_FLOW_TCP4 || flow == ZCNIC_NT_FLOW_UDP4) ? 1 : 4;

    for (i = 0; i < ZCNIC_NTUPLE_RULES; i++) {
        const ZcnicNtupleRule *r = &c->nt[i];
        uint32_t sport_m, dport_m;
        bool match = true;

        if (!(r->flow & ZCNIC_NT_FLOW_ENABLE) ||
            zf_get(ZCNIC_NT_FLOW_TYPE, r->flow) != flow) {
            continue;
        }
        for (w = 0; w < words && match; w++) {
            uint32_t s = ldl_le_p(info->src + 4 * w);
            uint32_t d = ldl_le_p(info->dst + 4 * w);

            match = !((s ^ r->src[w]) & r->src_mask[w]) &&
                    !((d ^ r->dst[w]) & r->dst_mask[w]);
        }
        sport_m = zf_get(ZCNIC_NT_PORTS_SRC, r->port_masks);
        dport_m = zf_get(ZCNIC_NT_PORTS_DST, r->port_masks);
        if (match &&
            !((info->sport ^ zf_get(ZCNIC_NT_PORTS_SRC, r->ports)) & sport_m) &&
            !((info->dport ^ zf_get(ZCNIC_NT_PORTS_DST, r->ports)) & dport_m)) {
            return i;
        }
    }
    return -1;
}

/* Ntuple first, then RSS; the chosen queue must exist and be enabled. */
static void zcnic_rx_steer(ZcnicCore *c, const ZcnicRxInfo *info,
                           ZcnicSteer *st)
{
    uint32_t idx, q = 0;
    bool direct = false;

    st->queue = -1;
    st->ctx = 0;
    st->hash = 0;
    st->hash_type = ZCNIC_RSS_TYPE_NONE;
    st->rule = zcnic_ntuple_lookup(c, info);
    if (st->rule >= 0) {
        uint32_t act = c->nt[st->rule].action;
        uint32_t arg = zf_get(ZCNIC_NT_ACTION_ARG, act);

        switch (zf_get(ZCNIC_NT_ACTION_TYPE, act)) {
        case ZCNIC_NT_ACT_QUEUE:
            q = arg;
            direct = true;
            break;
        case ZCNIC_NT_ACT_RSS:
            if (arg >= ZCNIC_RSS_CTXS) {
                return;     /* validated on write; kept for robustness */
            }
            st->ctx = arg;
            break;
        default:
            return;
        }
    }

    idx = zcnic_rss_hash(c, info, st->ctx, st);
    if (!direct) {
        q = c->rss[st->ctx].indir[idx];
    }
    if (q < c->num_queues && zcnic_rxq_enabled(c, q)) {
        st->queue = q;
    }
}

/* Where a payload of pay_len bytes goes on queue rq. */
typedef struct ZcnicPayPlan {
    bool use_open;          /* starts in the open (packed) buffer */
    uint32_t first_idx;
    uint32_t first_off;
    uint32_t new_bufs;      /* fresh buffers taken from the ring */
    uint32_t last_fill;     /* bytes used in the last buffer afterwards */
    bool retire_last;
} ZcnicPayPlan;

static void zcnic_pay_plan(const ZcnicRxQueue *rq, uint32_t pay_len,
                           ZcnicPayPlan *p)
{
    uint32_t bsz = rq->pay_buf_len;
    uint32_t room, rest;

    memset(p, 0, sizeof(*p));
    if (!pay_len) {
        return;
    }
    if (rq->pack && rq->pay_open) {
        /* an open buffer always has aligned room left (else retired) */
        p->use_open = true;
        p->first_idx = rq->pay_open_idx;
        p->first_off = QEMU_ALIGN_UP(rq->pay_open_off, ZCNIC_PAY_ALIGN);
        room = bsz - p->first_off;
    } else {
        p->first_idx = rq->pbr_head;
        p->first_off = 0;
        p->new_bufs = 1;
        room = bsz;
    }
    if (pay_len <= room) {
        p->last_fill = p->first_off + pay_len;
    } else {
        rest = pay_len - room;
        p->new_bufs += DIV_ROUND_UP(rest, bsz);
        p->last_fill = rest - (DIV_ROUND_UP(rest, bsz) - 1) * bsz;
    }
    p->retire_last = !rq->pack || p->last_fill >= bsz ||
                     QEMU_ALIGN_UP(p->last_fill, ZCNIC_PAY_ALIGN) >= bsz;
}

static ZcnicRxResult zcnic_rx_nores(ZcnicCore *c, uint32_t q, bool cmpl,
                                    uint32_t len)
{
    ZcnicRxQueue *rq = &c->rxq[q];

    /* either way the driver is told so that it refills */
    zcnic_qp_event(c, q);
    if (c->nobuf_hold) {
        c->rx_held++;
        trace_zcnic_rx_hold(q, len);
        return ZCNIC_RX_HOLD;
    }
    if (cmpl) {
        rq->nocmpl++;
    } else {
        rq->nobuf++;
    }
    trace_zcnic_rx_drop(q, cmpl ? "no-completion-slot" : "no-buffer", len);
    return ZCNIC_RX_DROPPED;
}

/* Place @frame, as @info describes it, on queue @q and complete it. */
static ZcnicRxResult zcnic_rx_deliver(ZcnicCore *c, uint32_t q,
                                      const uint8_t *frame,
                                      const ZcnicRxInfo *info,
                                      const ZcnicSteer *st)
{
    ZcnicRxQueue *rq = &c->rxq[q];
    uint64_t pay_addr[ZCNIC_RX_MAX_PAY_BUFS];
    uint32_t hmask = rq->hbr_size - 1;
    uint32_t pmask = rq->pbr_size - 1;
    uint32_t cmask = rq->rcq_size - 1;
    uint32_t sp, pay_len, flags = 0, avail, i, done, off;
    struct zcnic_rx_buf_desc bd;
    struct zcnic_rx_cmpl cd;
    uint64_t hdr_addr, cd_addr;
    ZcnicPayPlan plan;

    /* The split point. */
    if ((rq->ctrl & ZCNIC_RXQ_CTRL_HDS) && !c->fault_no_split &&
        info->l4 != ZCNIC_RCD_L4_OTHER &&
        info->l4_pay_len > rq->hds_thresh) {
        sp = info->l5_off;
        if (sp > rq->hdr_buf_len) {
            sp = rq->hdr_buf_len;
            flags |= ZCNIC_RCD_HBO;
        } else {
            flags |= ZCNIC_RCD_SPLIT;
        }
    } else {
        sp = MIN(info->len, rq->hdr_buf_len);
    }
    pay_len = info->len - sp;
    zcnic_pay_plan(rq, pay_len, &plan);
    if (plan.new_bufs > ZCNIC_RX_MAX_PAY_BUFS) {
        /* only a coalesced frame into a short header buffer gets here */
        c->rx_oversize++;
        trace_zcnic_rx_drop(q, "too-many-buffers", info->len);
        return ZCNIC_RX_DROPPED;
    }

    /* Resources: one header buffer, the payload buffers, one slot. */
    if (((rq->hbr_tail - rq->hbr_head) & hmask) < 1) {
        return zcnic_rx_nores(c, q, false, info->len);
    }
    avail = c->fault_starve ? 0 : (rq->pbr_tail - rq->pbr_head) & pmask;
    if (avail < plan.new_bufs) {
        if (c->fault_starve) {
            trace_zcnic_fault("starve", q);
        }
        return zcnic_rx_nores(c, q, false, info->len);
    }
    if (((rq->rcq_head - rq->rcq_tail - 1) & cmask) < 1) {
        return zcnic_rx_nores(c, q, true, info->len);
    }

    /* Fetch every descriptor once, validate the local copies. */
    if (!zcnic_dma_read(c, rq->hbr_base + 8ull * rq->hbr_head, &bd,
                        sizeof(bd))) {
        zcnic_rxq_error(c, q, ZCNIC_QERR_DMA,
                        "header buffer ring read failed at slot %u",
                        rq->hbr_head);
        return ZCNIC_RX_DROPPED;
    }
    hdr_addr = le64_to_cpu(bd.addr);
    if (!hdr_addr || (hdr_addr & 63)) {
        zcnic_rxq_error(c, q, ZCNIC_QERR_DESC,
                        "header buffer %u has bad address 0x%" PRIx64,
                        rq->hbr_head, hdr_addr);
        return ZCNIC_RX_DROPPED;
    }
    for (i = 0; i < plan.new_bufs; i++) {
        uint32_t slot = (rq->pbr_head + i) & pmask;

        if (!zcnic_dma_read(c, rq->pbr_base + 8ull * slot, &bd,
                            sizeof(bd))) {
            zcnic_rxq_error(c, q, ZCNIC_QERR_DMA,
                            "payload buffer ring read failed at slot %u",
                            slot);
            return ZCNIC_RX_DROPPED;
        }
        pay_addr[i] = le64_to_cpu(bd.addr);
        if (!pay_addr[i] || (pay_addr[i] & 4095) ||
            pay_addr[i] > UINT64_MAX - rq->pay_buf_len) {
            zcnic_rxq_error(c, q, ZCNIC_QERR_DESC,
                            "payload buffer %u has bad address 0x%" PRIx64,
                            slot, pay_addr[i]);
            return ZCNIC_RX_DROPPED;
        }
    }

    /* Header part. */
    if (!zcnic_dma_write_buf(c, hdr_addr, frame, sp)) {
        zcnic_rxq_error(c, q, ZCNIC_QERR_DMA,
                        "header buffer write to 0x%" PRIx64 " failed",
                        hdr_addr);
        return ZCNIC_RX_DROPPED;
    }

    /* Payload part: the open buffer (if any), then fresh ones at 0. */
    done = 0;
    off = plan.first_off;
    for (i = 0; done < pay_len; i++) {
        uint64_t base;
        uint32_t chunk;

        if (plan.use_open) {
            base = i ? pay_addr[i - 1] : rq->pay_open_addr;
        } else {
            base = pay_addr[i];
        }
        chunk = MIN(pay_len - done, rq->pay_buf_len - off);
        if (!zcnic_dma_write_buf(c, base + off, frame + sp + done, chunk)) {
            zcnic_rxq_error(c, q, ZCNIC_QERR_DMA,
                            "payload buffer write to 0x%" PRIx64 " failed",
                            base + off);
            return ZCNIC_RX_DROPPED;
        }
        done += chunk;
        off = 0;
    }

    /* Completion, flags word last so the generation bit lands last. */
    if (pay_len && plan.retire_last) {
        flags |= ZCNIC_RCD_PAY_DONE;
    }
    flags |= zf_prep(ZCNIC_RCD_CSUM, info->csum) |
             zf_prep(ZCNIC_RCD_RSS_TYPE, st->hash_type) |
             zf_prep(ZCNIC_RCD_L3, info->l3) |
             zf_prep(ZCNIC_RCD_L4, info->l4);
    if (info->vlan) {
        flags |= ZCNIC_RCD_VLAN;
    }
    if (st->rule >= 0) {
        flags |= ZCNIC_RCD_NTUPLE;
    }
    if (info->gro_segs > 1) {
        flags |= ZCNIC_RCD_GRO;
    }
    if (rq->gen) {
        flags |= ZCNIC_RCD_GEN;
    }
    memset(&cd, 0, sizeof(cd));
    cd.rss_hash = cpu_to_le32(st->hash);
    cd.hdr_idx = cpu_to_le16(rq->hbr_head);
    if (c->fault_bad_cmpl) {
        /* a device glitch: the completion names the wrong header buffer */
        c->fault_bad_cmpl--;
        trace_zcnic_fault("bad-cmpl", q);
        cd.hdr_idx = cpu_to_le16((rq->hbr_head + 1) & hmask);
    }
    cd.hdr_len = cpu_to_le16(sp);
    cd.pay_idx = cpu_to_le16(pay_len ? plan.first_idx : 0);
    cd.vlan_tci = cpu_to_le16(info->vlan ? info->tci : 0);
    cd.pay_off = cpu_to_le32(pay_len ? plan.first_off : 0);
    cd.pay_len = cpu_to_le32(pay_len);
    cd.flags = cpu_to_le32(flags);
    if (flags & ZCNIC_RCD_GRO) {
        cd.gro_segs = cpu_to_le16(info->gro_segs);
        cd.gro_mss = cpu_to_le16(info->gro_mss);
    }
    cd_addr = rq->rcq_base + sizeof(cd) * (uint64_t)rq->rcq_tail;
    QEMU_BUILD_BUG_ON(offsetof(struct zcnic_rx_cmpl, flags) != 20);
    if (!zcnic_dma_write(c, cd_addr, &cd, 20) ||
        !zcnic_dma_write(c, cd_addr + 24, &cd.gro_segs, 8) ||
        !zcnic_dma_write(c, cd_addr + 20, &cd.flags, 4)) {
        zcnic_rxq_error(c, q, ZCNIC_QERR_DMA,
                        "completion write to 0x%" PRIx64 " failed", cd_addr);
        return ZCNIC_RX_DROPPED;
    }

    /* Commit. */
    rq->hbr_head = (rq->hbr_head + 1) & hmask;
    if (plan.new_bufs) {
        uint32_t last = (rq->pbr_head + plan.new_bufs - 1) & pmask;

        rq->pay_open_idx = last;
        rq->pay_open_addr = pay_addr[plan.new_bufs - 1];
        rq->pbr_head = (rq->pbr_head + plan.new_bufs) & pmask;
    }
    if (pay_len) {
        rq->pay_open = !plan.retire_last;
        rq->pay_open_off = plan.last_fill;
    }
    rq->rcq_tail = (rq->rcq_tail + 1) & cmask;
    if (!rq->rcq_tail) {
        rq->gen = !rq->gen;
    }
    rq->pkts++;
    rq->bytes += info->len;
    if (flags & ZCNIC_RCD_SPLIT) {
        rq->split++;
    }
    if (info->l4 != ZCNIC_RCD_L4_OTHER && info->l4_pay_len) {
        rq->data++;
    }
    if (info->csum == ZCNIC_RCD_CSUM_BAD) {
        rq->csum_bad++;
    }
    if (flags & ZCNIC_RCD_GRO) {
        rq->gro_pkts++;
        rq->gro_segs += info->gro_segs;
    }
    trace_zcnic_rx_frame(q, info->len, sp, pay_len, flags);
    zcnic_qp_event(c, q);
    return ZCNIC_RX_DONE;
}

/* ------------------------------------------------------------------ */
/* Hardware GRO of separate segments (RXQ_CTRL.GRO, hw-spec 5.8)       */
/* ------------------------------------------------------------------ */

#define ZCNIC_GRO_BYTES_MAX     (4u << 20)  /* staged per queue */
#define ZCNIC_GRO_AGE_FACTOR    32          /* oldest flow, in idle timeouts */

/*
 * The one's complement sum of the L4 header at @l4 and all that follows
 * to @end, with the pseudo-header of the IP header at @l3 (IPv4 if @v4,
 * else IPv6) for protocol @proto; the checksum field, @csum_off into the
 * L4 header, is zeroed first.  The caller folds it.
 */
static uint32_t zcnic_l4_sum(uint8_t *b, uint32_t l3, bool v4, uint32_t l4,
                             uint32_t end, uint8_t proto, uint32_t csum_off)
{
    uint32_t sum = v4 ? net_checksum_add(8, b + l3 + 12)
                      : net_checksum_add(32, b + l3 + 8);

    stw_be_p(b + l4 + csum_off, 0);
    return sum + proto + (end - l4) + net_checksum_add(end - l4, b + l4);
}

/* What identifies a flow: the same bytes hash and compare (no padding). */
typedef struct ZcnicGroKey {
    uint8_t src[16];
    uint8_t dst[16];
    uint16_t sport;
    uint16_t dport;
    uint16_t tci;
    uint8_t l3;
    uint8_t vlan;
} ZcnicGroKey;

QEMU_BUILD_BUG_ON(sizeof(ZcnicGroKey) != 40);

struct ZcnicGroFlow {
    ZcnicGroKey key;
    QTAILQ_ENTRY(ZcnicGroFlow) lru;
    uint8_t *buf;           /* the first segment's headers, every payload */
    uint32_t len;
    uint32_t cap;
    ZcnicRxInfo info;       /* of the first segment */
    ZcnicSteer st;
    uint32_t segs;
    uint32_t mss;           /* the first segment's payload size */
    uint32_t next_seq;
    uint16_t next_id;       /* IPv4: the ID of a next segment, or ... */
    bool id_fixed;          /* ... every segment has the first one's */
    int64_t born_ns;
};

typedef enum {
    ZCNIC_GRO_LAST,         /* PSH, FIN, a short segment or a limit */
    ZCNIC_GRO_OTHER,        /* a frame of the flow that could not join */
    ZCNIC_GRO_TIMEOUT,      /* the queue went idle */
    ZCNIC_GRO_AGE,          /* the flow grew old */
    ZCNIC_GRO_FULL,         /* room for another flow */
    ZCNIC_GRO_REFILL,       /* buffers again after a stall */
} ZcnicGroWhy;

static const char *const zcnic_gro_why[] = {
    [ZCNIC_GRO_LAST] = "last-segment",
    [ZCNIC_GRO_OTHER] = "flow-frame-not-coalesced",
    [ZCNIC_GRO_TIMEOUT] = "idle-timeout",
    [ZCNIC_GRO_AGE] = "age-limit",
    [ZCNIC_GRO_FULL] = "flow-table-full",
    [ZCNIC_GRO_REFILL] = "after-refill",
};

static guint zcnic_gro_key_hash(gconstpointer p)
{
    const uint8_t *b = p;
    guint h = 2166136261u;      /* FNV-1a */
    size_t i;

    for (i = 0; i < sizeof(ZcnicGroKey); i++) {
        h = (h ^ b[i]) * 16777619u;
    }
    return h;
}

static gboolean zcnic_gro_key_equal(gconstpointer a, gconstpointer b)
{
    return !memcmp(a, b, sizeof(ZcnicGroKey));
}

static void zcnic_gro_key(const ZcnicRxInfo *info, ZcnicGroKey *k)
{
    memset(k, 0, sizeof(*k));
    memcpy(k->src, info->src, sizeof(k->src));
    memcpy(k->dst, info->dst, sizeof(k->dst));
    k->sport = info->sport;
    k->dport = info->dport;
    k->tci = info->vlan ? info->tci : 0;
    k->l3 = info->l3;
    k->vlan = info->vlan;
}

/*
 * A segment the device may coalesce: TCP with payload and nothing after
 * it but the padding of a minimum-size frame, both checksums good, no IP
 * options or IPv6 extension headers, ACK set and none of SYN, RST, URG.
 * (CWR, like ECE, joins segments with the same flags: hw-spec 5.8.)
 */
static bool zcnic_gro_candidate(const uint8_t *f, const ZcnicRxInfo *info)
{
    uint32_t end = info->l5_off + info->l4_pay_len;
    uint8_t th;

    if (info->l4 != ZCNIC_RCD_L4_TCP || info->csum != ZCNIC_RCD_CSUM_GOOD ||
        info->gro_segs || !info->l4_pay_len ||
        (info->len != end &&
         !(info->len == ETH_ZLEN && end < ETH_ZLEN)) ||
        info->l4_off != info->l3_off +
                        (info->l3 == ZCNIC_RCD_L3_IPV4 ? 20 : 40)) {
        return false;
    }
    th = f[info->l4_off + 13];
    return (th & TH_ACK) && !(th & (TH_SYN | TH_RST | TH_URG));
}

/*
 * May candidate @f join flow @fl: the next sequence number, headers the
 * same but for lengths, checksums, IPv4 ID (incrementing, or the first
 * segment's in every one; DF the same either way), TCP window and
 * PSH/FIN, a payload no larger than the first's, and within the limits.
 */
static bool zcnic_gro_fits(const ZcnicGro *g, const ZcnicGroFlow *fl,
                           const uint8_t *f, const ZcnicRxInfo *info)
{
    const uint8_t *h = fl->buf;
    uint32_t l3 = info->l3_off, l4 = info->l4_off, l5 = info->l5_off;
    uint32_t pay = info->l4_pay_len;
    bool v4 = info->l3 == ZCNIC_RCD_L3_IPV4;
    uint16_t id;

    if (l5 != fl->info.l5_off || l4 != fl->info.l4_off ||
        pay > fl->mss || fl->segs >= ZCNIC_GRO_SEGS_MAX ||
        fl->len + pay > ZCNIC_GRO_FRAME_MAX ||
        fl->len + pay - l3 - (v4 ? 0 : 40) > 0xffff ||
        g->bytes + pay > ZCNIC_GRO_BYTES_MAX ||
        ldl_be_p(f + l4 + 4) != fl->next_seq || memcmp(f, h, l3)) {
        return false;
    }
    if (v4) {
        if (memcmp(f + l3, h + l3, 2) || memcmp(f + l3 + 6, h + l3 + 6, 4) ||
            memcmp(f + l3 + 12, h + l3 + 12, 8)) {
            return false;
        }
        id = lduw_be_p(f + l3 + 4);
        if (!(id == fl->next_id && !fl->id_fixed) &&
            !(id == lduw_be_p(h + l3 + 4) &&
              (fl->segs == 1 || fl->id_fixed))) {
            return false;
        }
    } else if (memcmp(f + l3, h + l3, 4) ||
               memcmp(f + l3 + 6, h + l3 + 6, 34)) {
        return false;
    }
    return !memcmp(f + l4, h + l4, 4) &&            /* ports */
           !memcmp(f + l4 + 8, h + l4 + 8, 5) &&    /* ACK, data offset */
           !memcmp(f + l4 + 18, h + l4 + 18, l5 - l4 - 18) && /* URG, opts */
           !((f[l4 + 13] ^ h[l4 + 13]) & ~(TH_PUSH | TH_FIN));
}

static void zcnic_gro_append(ZcnicGro *g, ZcnicGroFlow *fl, const uint8_t *f,
                             const ZcnicRxInfo *info)
{
    uint32_t l4 = info->l4_off, pay = info->l4_pay_len;

    if (fl->len + pay > fl->cap) {
        fl->cap = MIN(MAX(fl->cap * 2, fl->len + pay), ZCNIC_GRO_FRAME_MAX);
        fl->buf = g_realloc(fl->buf, fl->cap);
    }
    memcpy(fl->buf + fl->len, f + info->l5_off, pay);
    if (info->l3 == ZCNIC_RCD_L3_IPV4) {
        uint16_t id = lduw_be_p(f + info->l3_off + 4);

        if (fl->segs == 1) {
            fl->id_fixed = id == lduw_be_p(fl->buf + info->l3_off + 4);
        }
        fl->next_id = id + 1;
    }
    /* the latest window; PSH and FIN end the aggregate */
    memcpy(fl->buf + l4 + 14, f + l4 + 14, 2);
    fl->buf[l4 + 13] |= f[l4 + 13] & (TH_PUSH | TH_FIN);
    fl->len += pay;
    fl->segs++;
    fl->next_seq += pay;
    g->bytes += pay;
    g->staged++;
}

static void zcnic_gro_link(ZcnicGro *g, ZcnicGroFlow *fl, bool oldest)
{
    g_hash_table_insert(g->flows, &fl->key, fl);
    if (oldest) {
        QTAILQ_INSERT_HEAD(&g->lru, fl, lru);
    } else {
        QTAILQ_INSERT_TAIL(&g->lru, fl, lru);
    }
    g->nflows++;
    g->bytes += fl->len;
}

static void zcnic_gro_unlink(ZcnicGro *g, ZcnicGroFlow *fl)
{
    g_hash_table_remove(g->flows, &fl->key);
    QTAILQ_REMOVE(&g->lru, fl, lru);
    g->nflows--;
    g->bytes -= fl->len;
}

static void zcnic_gro_free(ZcnicGroFlow *fl)
{
    g_free(fl->buf);
    g_free(fl);
}

/*
 * Complete flow @fl's aggregate on queue @q: the headers of its first
 * segment with the lengths, IPv4 header checksum and TCP checksum of the
 * whole, as one receive with RCD_GRO (a lone segment as it came).  On
 * HOLD (no buffers, x-nobuf=hold) the flow stays, oldest, and the queue
 * is stalled until a doorbell; otherwise the flow is gone.
 */
static ZcnicRxResult zcnic_gro_flush(ZcnicCore *c, uint32_t q,
                                     ZcnicGroFlow *fl, ZcnicGroWhy why)
{
    ZcnicGro *g = &c->gro[q];
    ZcnicRxInfo info = fl->info;
    uint8_t *b = fl->buf;
    ZcnicRxResult res;

    /* delivery may stop the queue (a DMA error), which aborts the rest */
    zcnic_gro_unlink(g, fl);
    if (fl->segs > 1) {
        uint32_t l3 = info.l3_off, l4 = info.l4_off;
        bool v4 = info.l3 == ZCNIC_RCD_L3_IPV4;

        if (v4) {
            stw_be_p(b + l3 + 2, fl->len - l3);
            eth_fix_ip4_checksum(b + l3, 20);
        } else {
            stw_be_p(b + l3 + 4, fl->len - l3 - 40);
        }
        stw_be_p(b + l4 + 16,
                 net_checksum_finish(zcnic_l4_sum(b, l3, v4, l4, fl->len,
                                                  IP_PROTO_TCP, 16)));
        info.len = fl->len;
        info.l4_pay_len = fl->len - info.l5_off;
        info.gro_segs = fl->segs;
        info.gro_mss = fl->mss;
    }
    res = zcnic_rx_deliver(c, q, b, &info, &fl->st);
    if (res == ZCNIC_RX_HOLD && zcnic_rxq_enabled(c, q)) {
        zcnic_gro_link(g, fl, true);
        g->stalled = true;
        return res;
    }
    if (why == ZCNIC_GRO_TIMEOUT || why == ZCNIC_GRO_AGE) {
        g->flush_timeout++;
    } else if (why == ZCNIC_GRO_FULL) {
        g->flush_full++;
    }
    trace_zcnic_gro_flush(q, fl->segs, fl->len, zcnic_gro_why[why]);
    zcnic_gro_free(fl);
    return res;
}

/* (Re)arm queue @q's timer for its idle timeout or oldest flow's age. */
static void zcnic_gro_arm(ZcnicCore *c, uint32_t q)
{
    ZcnicGro *g = &c->gro[q];
    ZcnicGroFlow *fl = QTAILQ_FIRST(&g->lru);
    int64_t idle = (int64_t)c->gro_timeout_us * SCALE_US;

    if (!fl) {
        timer_del(g->timer);
        return;
    }
    timer_mod(g->timer, MIN(g->last_ns + idle,
                            fl->born_ns + idle * ZCNIC_GRO_AGE_FACTOR));
}

/*
 * Flush every aggregate of queue @q, oldest first.  False: one found no
 * buffers, and the queue stalled.
 */
static bool zcnic_gro_flush_all(ZcnicCore *c, uint32_t q, ZcnicGroWhy why)
{
    ZcnicGro *g = &c->gro[q];
    ZcnicGroFlow *fl;

    g->stalled = false;
    while ((fl = QTAILQ_FIRST(&g->lru))) {
        if (zcnic_gro_flush(c, q, fl, why) == ZCNIC_RX_HOLD) {
            return false;
        }
    }
    timer_del(g->timer);
    return true;
}

static void zcnic_gro_timer_cb(void *opaque)
{
    ZcnicQpIrq *irq = opaque;
    ZcnicCore *c = irq->core;
    uint32_t q = irq->qp;
    ZcnicGro *g = &c->gro[q];
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    int64_t idle = (int64_t)c->gro_timeout_us * SCALE_US;
    ZcnicGroFlow *fl;

    if (g->stalled) {
        return;         /* the next RX doorbell flushes */
    }
    if (now - g->last_ns >= idle) {
        zcnic_gro_flush_all(c, q, ZCNIC_GRO_TIMEOUT);
        return;
    }
    while ((fl = QTAILQ_FIRST(&g->lru)) &&
           now - fl->born_ns >= idle * ZCNIC_GRO_AGE_FACTOR) {
        if (zcnic_gro_flush(c, q, fl, ZCNIC_GRO_AGE) == ZCNIC_RX_HOLD) {
            return;
        }
    }
    zcnic_gro_arm(c, q);
}

/* Forget every aggregate of queue @q: it stopped, failed or was reset. */
static void zcnic_gro_abort(ZcnicCore *c, uint32_t q)
{
    ZcnicGro *g = &c->gro[q];
    ZcnicGroFlow *fl;

    while ((fl = QTAILQ_FIRST(&g->lru))) {
        zcnic_gro_unlink(g, fl);
        g->aborted += fl->segs;
        trace_zcnic_gro_flush(q, fl->segs, fl->len, "discarded");
        zcnic_gro_free(fl);
    }
    g->stalled = false;
    if (g->timer) {
        timer_del(g->timer);
    }
}

/*
 * A frame for queue @q, which has RXQ_CTRL.GRO: join it to its flow's
 * aggregate, start one with it, or deliver it, after its flow's aggregate
 * when it cannot join that (5.8).  Frames of other flows pass staged
 * aggregates; those of one flow stay in order.
 */
static ZcnicRxResult zcnic_gro_receive(ZcnicCore *c, uint32_t q,
                                       const ZcnicRxInfo *info,
                                       const ZcnicSteer *st)
{
    ZcnicGro *g = &c->gro[q];
    const uint8_t *f = c->rx_frame;
    ZcnicGroFlow *fl = NULL, *old;
    ZcnicGroKey key;
    bool cand;
    uint8_t th = 0;

    if (g->stalled && !zcnic_gro_flush_all(c, q, ZCNIC_GRO_REFILL)) {
        return ZCNIC_RX_HOLD;   /* still no buffers: the net layer keeps it */
    }
    /* the queue is not idle (the timer's business, zcnic_gro_timer_cb) */
    g->last_ns = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    if (info->l4 == ZCNIC_RCD_L4_TCP) {
        zcnic_gro_key(info, &key);
        fl = g_hash_table_lookup(g->flows, &key);
        th = f[info->l4_off + 13];
    }
    cand = c->gro_flows && zcnic_gro_candidate(f, info);
    if (fl && cand && zcnic_gro_fits(g, fl, f, info)) {
        zcnic_gro_append(g, fl, f, info);
        if ((th & (TH_PUSH | TH_FIN)) ||
            info->l4_pay_len < fl->mss || fl->segs == ZCNIC_GRO_SEGS_MAX ||
            fl->len + fl->mss > ZCNIC_GRO_FRAME_MAX) {
            /* taken either way: on HOLD it is part of the stalled flow */
            zcnic_gro_flush(c, q, fl, ZCNIC_GRO_LAST);
        }
        return ZCNIC_RX_DONE;
    }
    if (fl && zcnic_gro_flush(c, q, fl, ZCNIC_GRO_OTHER) == ZCNIC_RX_HOLD) {
        return ZCNIC_RX_HOLD;
    }
    if (!cand || (th & (TH_PUSH | TH_FIN))) {
        return zcnic_rxq_enabled(c, q) ?
               zcnic_rx_deliver(c, q, f, info, st) : ZCNIC_RX_DROPPED;
    }

    /* a new flow; the oldest make room */
    while ((g->nflows >= c->gro_flows ||
            g->bytes + info->len > ZCNIC_GRO_BYTES_MAX) &&
           (old = QTAILQ_FIRST(&g->lru))) {
        if (zcnic_gro_flush(c, q, old, ZCNIC_GRO_FULL) == ZCNIC_RX_HOLD) {
            return ZCNIC_RX_HOLD;
        }
    }
    if (!zcnic_rxq_enabled(c, q)) {
        return ZCNIC_RX_DROPPED;    /* a flush above failed the queue */
    }
    fl = g_new0(ZcnicGroFlow, 1);
    fl->key = key;
    fl->cap = MAX(info->len, 2048);
    fl->buf = g_malloc(fl->cap);
    memcpy(fl->buf, f, info->len);
    /*
     * A next payload goes after this one's, over any padding; alone the
     * segment completes as it came (fl->info.len).
     */
    fl->len = info->l5_off + info->l4_pay_len;
    fl->info = *info;
    fl->st = *st;
    fl->segs = 1;
    fl->mss = info->l4_pay_len;
    fl->next_seq = ldl_be_p(f + info->l4_off + 4) + info->l4_pay_len;
    if (info->l3 == ZCNIC_RCD_L3_IPV4) {
        fl->next_id = lduw_be_p(f + info->l3_off + 4) + 1;
    }
    fl->born_ns = g->last_ns;
    zcnic_gro_link(g, fl, false);
    g->staged++;
    if (!timer_pending(g->timer)) {
        zcnic_gro_arm(c, q);
    }
    return ZCNIC_RX_DONE;
}

bool zcnic_core_can_receive(ZcnicCore *c)
{
    /*
     * Frames are always taken: without buffers they are dropped and
     * counted per queue, or (x-nobuf=hold) refused by receive returning 0
     * so that the net layer queues them until a doorbell flushes.
     */
    return true;
}

/*
 * The virtio-net header in front of a frame from a vnet backend: fill in a
 * checksum the sender left to us (NEEDS_CSUM), and for a coalesced TCP
 * frame (GSO) note its segment size.  *l4_csum_set says the L4 checksum is
 * now right by construction.  False: a header that makes no sense for this
 * frame, which is dropped.
 */
static bool zcnic_rx_vnet(ZcnicCore *c, const struct virtio_net_hdr *vh,
                          uint32_t len, bool *l4_csum_set, uint32_t *gso_mss)
{
    uint8_t gso = vh->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
    uint8_t *f = c->rx_frame;

    *l4_csum_set = false;
    *gso_mss = 0;
    if (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
        uint32_t start = lduw_le_p(&vh->csum_start);
        uint32_t where = start + lduw_le_p(&vh->csum_offset);

        if (where + 2 > len || start < ETH_HLEN) {
            return false;
        }
        /* the field holds the pseudo-header sum, as for TX checksum offload */
        stw_be_p(f + where,
                 net_checksum_finish_nozero(net_checksum_add(len - start,
                                                             f + start)));
        *l4_csum_set = true;
    }
    switch (gso) {
    case VIRTIO_NET_HDR_GSO_NONE:
        return true;
    case VIRTIO_NET_HDR_GSO_TCPV4:
    case VIRTIO_NET_HDR_GSO_TCPV6:
        *gso_mss = lduw_le_p(&vh->gso_size);
        return *gso_mss != 0;
    default:
        return false;       /* UDP offloads are never asked for */
    }
}

ssize_t zcnic_core_receive_iov(ZcnicCore *c, const struct iovec *iov,
                               int iovcnt)
{
    size_t total = iov_size(iov, iovcnt);
    size_t skip = c->vnet ? sizeof(struct virtio_net_hdr) : 0;
    struct virtio_net_hdr vh = {};
    bool l4_csum_set = false;
    uint32_t gso_mss = 0;
    size_t size;
    uint32_t len;
    ZcnicRxInfo info;
    ZcnicSteer st;
    ZcnicRxResult res;

    c->rx_frames++;
    if (total < skip) {
        c->rx_bad_vnet++;
        return total;
    }
    size = total - skip;
    len = size;
    if (!c->link_up) {
        c->rx_link_down++;
        return total;
    }
    if (skip) {
        iov_to_buf(iov, iovcnt, 0, &vh, sizeof(vh));
    }
    /* a coalesced frame's segments are each within max_frame (below) */
    if (size > (vh.gso_type != VIRTIO_NET_HDR_GSO_NONE ? ZCNIC_GRO_FRAME_MAX
                                                     : c->max_frame)) {
        c->rx_oversize++;
        trace_zcnic_rx_drop(-1, "oversize", MIN(size, UINT32_MAX));
        return total;
    }
    iov_to_buf(iov, iovcnt, skip, c->rx_frame, len);
    if (len < ETH_ZLEN) {
        memset(c->rx_frame + len, 0, ETH_ZLEN - len);
        len = ETH_ZLEN;
    }
    if (!zcnic_rx_addr_ok(c, c->rx_frame)) {
        c->rx_filtered++;
        trace_zcnic_rx_drop(-1, "address-filter", len);
        return total;
    }
    if (zcnic_fault_hit(c, c->fault_drop_ppm)) {
        c->rx_fault_drops++;
        trace_zcnic_fault("rx-drop", 0);
        return total;
    }
    if (skip && !zcnic_rx_vnet(c, &vh, len, &l4_csum_set, &gso_mss)) {
        c->rx_bad_vnet++;
        trace_zcnic_rx_drop(-1, "bad-vnet-header", len);
        return total;
    }

    zcnic_rx_classify(c, len, l4_csum_set, &info);
    if (gso_mss) {
        /* one TCP segment of it must have fit a frame of its own */
        if (info.l4 != ZCNIC_RCD_L4_TCP ||
            info.l5_off + gso_mss > c->max_frame) {
            c->rx_bad_vnet++;
            trace_zcnic_rx_drop(-1, "bad-coalesced-frame", len);
            return total;
        }
        info.gro_mss = gso_mss;
        info.gro_segs = DIV_ROUND_UP(info.l4_pay_len, gso_mss);
    }
    zcnic_rx_steer(c, &info, &st);
    trace_zcnic_rx_steer(st.queue, st.rule, st.ctx, st.hash, st.hash_type);
    if (st.queue < 0) {
        c->rxq[0].drop_steer++;
        trace_zcnic_rx_drop(-1, "steering", len);
        return total;
    }
    if (info.gro_segs > 1 && !c->rxq[st.queue].gro) {
        /* GRO went off on this queue with such frames still in flight */
        c->rx_gso_drops++;
        trace_zcnic_rx_drop(st.queue, "coalesced-without-gro", len);
        return total;
    }
    if (c->rxq[st.queue].gro) {
        res = zcnic_gro_receive(c, st.queue, &info, &st);
    } else {
        res = zcnic_rx_deliver(c, st.queue, c->rx_frame, &info, &st);
    }
    return res == ZCNIC_RX_HOLD ? 0 : total;
}

/* ------------------------------------------------------------------ */
/* TX                                                                  */
/* ------------------------------------------------------------------ */

static bool zcnic_tx_cmpl(ZcnicCore *c, uint32_t q, uint32_t desc_idx,
                          uint16_t status)
{
    ZcnicTxQueue *tq = &c->txq[q];
    struct zcnic_tx_cmpl cd;
    uint64_t addr = tq->tcq_base + sizeof(cd) * (uint64_t)tq->tcq_tail;

    cd.desc_idx = cpu_to_le16(desc_idx);
    cd.status = cpu_to_le16(status);
    cd.flags = cpu_to_le32(tq->gen ? ZCNIC_TCD_GEN : 0);
    if (!zcnic_dma_write(c, addr, &cd, 4) ||
        !zcnic_dma_write(c, addr + 4, &cd.flags, 4)) {
        zcnic_txq_error(c, q, ZCNIC_QERR_DMA,
                        "completion write to 0x%" PRIx64 " failed", addr);
        return false;
    }
    tq->tcq_tail = (tq->tcq_tail + 1) & (tq->tcq_size - 1);
    if (!tq->tcq_tail) {
        tq->gen = !tq->gen;
    }
    return true;
}

/* The backend queue that TX queue @q sends on. */
static int zcnic_tx_subq(ZcnicCore *c, uint32_t q)
{
    return c->nic ? q % MAX(c->nic->conf->peers.queues, 1) : 0;
}

/*
 * Hand one frame to the backend queue of TX queue @q, behind the
 * virtio-net header @vh where the backend takes one (NULL: no offload
 * asked for).
 */
static void zcnic_tx_send(ZcnicCore *c, uint32_t q,
                          const struct virtio_net_hdr *vh,
                          const uint8_t *buf, uint32_t len)
{
    static const struct virtio_net_hdr none;
    NICState *nic = c->nic;
    int sq;
    struct iovec iov[2] = {
        { .iov_base = (void *)(vh ? vh : &none), .iov_len = sizeof(none) },
        { .iov_base = (void *)buf, .iov_len = len },
    };

    if (!c->link_up || !nic) {
        return;
    }
    sq = zcnic_tx_subq(c, q);
    if (!qemu_sendv_packet_async(qemu_get_subqueue(nic, sq),
                                 c->vnet ? iov : iov + 1, c->vnet ? 2 : 1,
                                 c->tx_sent)) {
        /* queued by the net layer: send nothing more until it is taken */
        c->tx_blocked[sq] = true;
        c->tx_waits++;
        trace_zcnic_tx_wait(q, sq);
    }
}

/* A header in front of the TCP header of a TSO frame, to fix per segment. */
typedef enum {
    ZCNIC_TSO_IP4,          /* total length, ID, header checksum */
    ZCNIC_TSO_IP6,          /* payload length */
    ZCNIC_TSO_UDP,          /* length; checksum unless 0 (VXLAN) */
    ZCNIC_TSO_GRE_CSUM,     /* checksum (GRE with C set) */
} ZcnicTsoHdrKind;

typedef struct ZcnicTsoHdr {
    ZcnicTsoHdrKind kind;
    uint32_t off;
    uint32_t ip;            /* UDP: the IP header it is in (index) */
} ZcnicTsoHdr;

/* IP, UDP or GRE, IP: one level of tunnel, as tso.py's tunnels have. */
#define ZCNIC_TSO_HDRS 4

#define ZCNIC_ETH_P_TEB     0x6558  /* GRE carrying Ethernet frames */
#define ZCNIC_IP_PROTO_IPIP 4
#define ZCNIC_IP_PROTO_IPV6 41
#define ZCNIC_IP_PROTO_GRE  47

/* A TCP segmentation offload frame (TXD_TSO, 8.3), as the device found it. */
typedef struct ZcnicTso {
    ZcnicTsoHdr hdr[ZCNIC_TSO_HDRS];    /* outermost first */
    uint32_t nhdr;
    uint32_t l3;            /* outermost IP header */
    uint32_t l4;            /* TCP header (csum_start) */
    uint32_t hdr_len;       /* every header, TCP options included */
    uint32_t mss;
    uint32_t segs;
    bool v6;                /* the outermost IP header */
    bool tunnel;
} ZcnicTso;

static bool zcnic_tso_add(ZcnicTso *t, ZcnicTsoHdrKind kind, uint32_t off,
                          uint32_t ip)
{
    if (t->nhdr == ZCNIC_TSO_HDRS) {
        return false;
    }
    t->hdr[t->nhdr++] = (ZcnicTsoHdr) { .kind = kind, .off = off, .ip = ip };
    return true;
}

/*
 * Walk the headers of a TSO frame from its IP header to csum_start: IPv4
 * (no fragment), IPv6 (hop-by-hop, routing and destination options
 * skipped), and at most one tunnel in between (8.3): VXLAN over UDP, GRE
 * (inner Ethernet or IP), IPv4 or IPv6 in IP.  NULL, or why not.
 */
static const char *zcnic_tso_walk(const uint8_t *buf, uint32_t len,
                                  uint16_t proto, uint32_t off, ZcnicTso *t)
{
    uint32_t ip = 0, n, ihl, glen;
    uint16_t gflags;
    uint8_t next;

    for (;;) {
        if (proto == ETH_P_IP) {
            ihl = off + 20 <= len ? (buf[off] & 0xf) * 4 : 0;
            if (ihl < 20 || (buf[off] >> 4) != 4 || off + ihl > len ||
                (lduw_be_p(buf + off + 6) & (IP_MF | IP_OFFMASK))) {
                return "a bad or fragmented IPv4 header";
            }
            ip = t->nhdr;
            if (!zcnic_tso_add(t, ZCNIC_TSO_IP4, off, 0)) {
                return "too many headers";
            }
            next = buf[off + 9];
            off += ihl;
        } else if (proto == ETH_P_IPV6) {
            if (off + 40 > len || (buf[off] >> 4) != 6) {
                return "a bad IPv6 header";
            }
            ip = t->nhdr;
            if (!zcnic_tso_add(t, ZCNIC_TSO_IP6, off, 0)) {
                return "too many headers";
            }
            next = buf[off + 6];
            off += 40;
            for (n = 0; n < 4 && (next == IP6_HOP_BY_HOP ||
                                  next == IP6_ROUTING ||
                                  next == IP6_DESTINATON); n++) {
                if (off + 8 > len) {
                    return "a cut IPv6 extension header";
                }
                next = buf[off];
                off += (buf[off + 1] + 1) * 8;
            }
        } else {
            return "neither IPv4 nor IPv6";
        }
        if (off > t->l4) {
            return "csum_start inside the headers";
        }
        switch (next) {
        case IP_PROTO_TCP:
            return off == t->l4 ? NULL : "csum_start not at the TCP header";
        case IP_PROTO_UDP:
            /* VXLAN: UDP, its 8-byte header, an Ethernet frame */
            if (t->tunnel || off + 8 + 8 + ETH_HLEN > len) {
                return "UDP that is not a VXLAN tunnel";
            }
            t->tunnel = true;
            if (!zcnic_tso_add(t, ZCNIC_TSO_UDP, off, ip)) {
                return "too many headers";
            }
            off += 8 + 8;
            proto = lduw_be_p(buf + off + 12);
            off += ETH_HLEN;
            break;
        case ZCNIC_IP_PROTO_GRE:    /* RFC 2784, 2890: version 0, no routing */
            if (t->tunnel || off + 4 > len) {
                return "a second tunnel, or a cut GRE header";
            }
            t->tunnel = true;
            gflags = lduw_be_p(buf + off);
            if (gflags & 0x4007) {
                return "GRE with routing or of version 1";
            }
            glen = 4 + (gflags & 0x8000 ? 4 : 0) + (gflags & 0x2000 ? 4 : 0) +
                   (gflags & 0x1000 ? 4 : 0);
            if ((gflags & 0x8000) &&
                !zcnic_tso_add(t, ZCNIC_TSO_GRE_CSUM, off, ip)) {
                return "too many headers";
            }
            proto = lduw_be_p(buf + off + 2);
            off += glen;
            if (proto == ZCNIC_ETH_P_TEB) {
                if (off + ETH_HLEN > len) {
                    return "a cut GRE Ethernet header";
                }
                proto = lduw_be_p(buf + off + 12);
                off += ETH_HLEN;
            }
            break;
        case ZCNIC_IP_PROTO_IPIP:
        case ZCNIC_IP_PROTO_IPV6:
            if (t->tunnel) {
                return "a second tunnel";
            }
            t->tunnel = true;
            proto = next == ZCNIC_IP_PROTO_IPIP ? ETH_P_IP : ETH_P_IPV6;
            break;
        default:
            return "not TCP";
        }
    }
}

/*
 * Check that the device can segment the frame in @buf (8.3) and find its
 * headers.  False: a guest error, already reported.
 */
static bool zcnic_tso_parse(ZcnicCore *c, uint32_t q, const uint8_t *buf,
                            uint32_t len, const struct zcnic_tx_desc *d0,
                            ZcnicTso *t)
{
    uint16_t proto = lduw_be_p(buf + 12);
    const char *why = NULL;
    uint32_t i, doff, pay;

    memset(t, 0, sizeof(*t));
    t->l3 = ETH_HLEN;
    for (i = 0; i < 2 && (proto == ETH_P_VLAN || proto == ETH_P_DVLAN) &&
                t->l3 + 4 <= len; i++) {
        proto = lduw_be_p(buf + t->l3 + 2);
        t->l3 += 4;
    }
    t->l4 = le16_to_cpu(d0->csum_start);
    t->mss = le16_to_cpu(d0->mss);
    t->v6 = proto == ETH_P_IPV6;

    if (!(le16_to_cpu(d0->flags) & ZCNIC_TXD_CSUM)) {
        why = "TSO without CSUM";
    } else {
        why = zcnic_tso_walk(buf, len, proto, t->l3, t);
    }
    if (!why) {
        doff = t->l4 + 20 <= len ? (buf[t->l4 + 12] >> 4) * 4 : 0;
        t->hdr_len = t->l4 + doff;
        if (doff < 20 || t->hdr_len > len) {
            why = "no whole TCP header";
        }
    }
    if (!why) {
        pay = len - t->hdr_len;
        t->segs = MAX(DIV_ROUND_UP(pay, MAX(t->mss, 1)), 1);
        if (!t->mss) {
            why = "MSS 0";
        } else if (t->segs > ZCNIC_TSO_SEGS_MAX) {
            why = "more than TSO_SEGS_MAX segments";
        } else if (t->hdr_len + MIN(t->mss, pay) > ZCNIC_FRAME_MAX) {
            why = "segments longer than FRAME_MAX";
        }
    }
    if (why) {
        zcnic_guest_error(c, "txq %u: TSO frame of %u bytes, csum_start %u, "
                          "mss %u: %s", q, len, t->l4, t->mss, why);
        return false;
    }
    return true;
}

/*
 * Fix the headers in front of TCP in segment @seg of @slen bytes, number
 * @i: innermost first, so that a UDP or GRE checksum covers the final
 * inner headers.  @buf is the whole frame.
 */
static void zcnic_tso_fix_hdrs(const ZcnicTso *t, const uint8_t *buf,
                               uint8_t *seg, uint32_t slen, uint32_t i)
{
    const ZcnicTsoHdr *ip;
    uint32_t k, off, sum;

    for (k = t->nhdr; k-- > 0;) {
        off = t->hdr[k].off;
        switch (t->hdr[k].kind) {
        case ZCNIC_TSO_IP4:
            stw_be_p(seg + off + 2, slen - off);
            stw_be_p(seg + off + 4, lduw_be_p(buf + off + 4) + i);
            eth_fix_ip4_checksum(seg + off, (seg[off] & 0xf) * 4);
            break;
        case ZCNIC_TSO_IP6:
            stw_be_p(seg + off + 4, slen - off - 40);
            break;
        case ZCNIC_TSO_UDP:
            stw_be_p(seg + off + 4, slen - off);
            if (!lduw_be_p(buf + off + 6)) {
                break;          /* sent without a checksum */
            }
            ip = &t->hdr[t->hdr[k].ip];
            sum = zcnic_l4_sum(seg, ip->off, ip->kind == ZCNIC_TSO_IP4, off,
                               slen, IP_PROTO_UDP, 6);
            stw_be_p(seg + off + 6, net_checksum_finish_nozero(sum));
            break;
        case ZCNIC_TSO_GRE_CSUM:
            stw_be_p(seg + off + 4, 0);
            stw_be_p(seg + off + 4,
                     net_checksum_finish(net_checksum_add(slen - off,
                                                          seg + off)));
            break;
        }
    }
}

/*
 * Send a TSO frame as segments of t->mss payload bytes: each has the
 * frame's headers with the TCP sequence number, flags and checksum made
 * its own, and every header in front of TCP fixed (zcnic_tso_fix_hdrs).
 */
static void zcnic_tso_segment(ZcnicCore *c, uint32_t q, const uint8_t *buf,
                              uint32_t len, const ZcnicTso *t)
{
    uint8_t *seg = c->tx_seg;
    uint32_t seq = ldl_be_p(buf + t->l4 + 4);
    uint16_t seed = lduw_be_p(buf + t->l4 + 16);
    uint16_t tcp_total = len - t->l4;
    uint8_t th_flags = buf[t->l4 + 13];
    uint32_t i, off = t->hdr_len;

    for (i = 0; i < t->segs; i++, off += t->mss) {
        uint32_t plen = MIN(t->mss, len - off);
        uint32_t slen = t->hdr_len + plen;
        uint16_t tcp_len = slen - t->l4;
        uint32_t sum;
        uint8_t clear = 0;

        memcpy(seg, buf, t->hdr_len);
        memcpy(seg + t->hdr_len, buf + off, plen);
        stl_be_p(seg + t->l4 + 4, seq + (off - t->hdr_len));
        if (i) {
            clear |= TH_CWR;
        }
        if (i + 1 < t->segs) {
            clear |= TH_FIN | TH_PUSH;
        }
        seg[t->l4 + 13] = th_flags & ~clear;
        /*
         * The seed is the pseudo-header sum over the frame's TCP length:
         * take that length out (add its complement) and this one's in.
         */
        sum = seed + (uint16_t)~tcp_total + tcp_len;
        stw_be_p(seg + t->l4 + 16, 0);
        sum += net_checksum_add(tcp_len, seg + t->l4);
        stw_be_p(seg + t->l4 + 16, net_checksum_finish_nozero(sum));
        zcnic_tso_fix_hdrs(t, buf, seg, slen, i);
        zcnic_tx_send(c, q, NULL, seg, slen);
    }
}

/*
 * Send a TSO frame: whole, behind a virtio-net header asking for
 * segmentation, to a backend that takes one (the peer segments it, or a
 * host stack receives it as one); as segments otherwise.
 */
static void zcnic_tso_send(ZcnicCore *c, uint32_t q, uint8_t *buf,
                           uint32_t len, const ZcnicTso *t)
{
    ZcnicTxQueue *tq = &c->txq[q];
    /* a virtio-net header has no way to ask for segmentation in a tunnel */
    bool whole = c->vnet && t->segs > 1 && !t->tunnel;

    tq->tso_pkts++;
    tq->tso_segs += t->segs;
    trace_zcnic_tx_tso(q, len, t->mss, t->segs, whole);
    if (whole) {
        struct virtio_net_hdr vh = {
            .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
            .gso_type = t->v6 ? VIRTIO_NET_HDR_GSO_TCPV6 :
                                VIRTIO_NET_HDR_GSO_TCPV4,
        };

        if (buf[t->l4 + 13] & TH_CWR) {
            vh.gso_type |= VIRTIO_NET_HDR_GSO_ECN;
        }
        /* the peer's stack reads the IP length: make it the frame's */
        if (t->v6) {
            stw_be_p(buf + t->l3 + 4, len - t->l3 - 40);
        } else {
            stw_be_p(buf + t->l3 + 2, len - t->l3);
            eth_fix_ip4_checksum(buf + t->l3, t->l4 - t->l3);
        }
        stw_le_p(&vh.hdr_len, t->hdr_len);
        stw_le_p(&vh.gso_size, t->mss);
        stw_le_p(&vh.csum_start, t->l4);
        stw_le_p(&vh.csum_offset, 16);
        zcnic_tx_send(c, q, &vh, buf, len);
    } else {
        zcnic_tso_segment(c, q, buf, len, t);
    }
}

/* Gather, checksum and send one frame; returns a ZCNIC_TCD_STATUS_*. */
static uint16_t zcnic_tx_frame(ZcnicCore *c, uint32_t q,
                               const struct zcnic_tx_desc *d, uint32_t n,
                               uint32_t *lenp)
{
    uint8_t *buf = c->tx_frame;
    uint32_t len = 0, i, start, where;
    uint16_t dflags0 = le16_to_cpu(d[0].flags);
    bool tso = dflags0 & ZCNIC_TXD_TSO;
    uint32_t max = tso ? ZCNIC_TSO_FRAME_MAX : ZCNIC_FRAME_MAX;
    ZcnicTso t;

    for (i = 0; i < n; i++) {
        uint32_t dlen = le16_to_cpu(d[i].len);

        if (len + dlen > max) {
            zcnic_guest_error(c, "txq %u: %sframe longer than %u bytes",
                              q, tso ? "TSO " : "", max);
            return ZCNIC_TCD_STATUS_ERR;
        }
        if (zcnic_fault_hit(c, c->fault_dma_fail_ppm)) {
            c->dma_faults++;
            trace_zcnic_fault("dma-fail", q);
            return ZCNIC_TCD_STATUS_ERR;
        }
        if (!zcnic_dma_read(c, le64_to_cpu(d[i].addr), buf + len, dlen)) {
            qemu_log_mask(LOG_GUEST_ERROR,
                          "zcnic: txq %u: buffer read at 0x%" PRIx64
                          " failed\n", q, le64_to_cpu(d[i].addr));
            return ZCNIC_TCD_STATUS_ERR;
        }
        len += dlen;
    }
    *lenp = len;
    if (len < ETH_HLEN) {
        zcnic_guest_error(c, "txq %u: frame of %u bytes", q, len);
        return ZCNIC_TCD_STATUS_ERR;
    }
    if (tso) {
        if (!zcnic_tso_parse(c, q, buf, len, &d[0], &t)) {
            return ZCNIC_TCD_STATUS_ERR;
        }
        zcnic_tso_send(c, q, buf, len, &t);
        return ZCNIC_TCD_STATUS_OK;
    }
    if (dflags0 & ZCNIC_TXD_CSUM) {
        uint32_t sum;
        uint16_t csum;

        start = le16_to_cpu(d[0].csum_start);
        where = start + le16_to_cpu(d[0].csum_offset);
        if (where + 2 > len) {
            zcnic_guest_error(c, "txq %u: checksum at %u+%u outside the "
                              "%u-byte frame", q, start,
                              le16_to_cpu(d[0].csum_offset), len);
            return ZCNIC_TCD_STATUS_ERR;
        }
        /* the driver seeded the field (pseudo-header sum, or 0) */
        sum = net_checksum_add(len - start, buf + start);
        csum = net_checksum_finish_nozero(sum);
        stw_be_p(buf + where, csum);
    }
    zcnic_tx_send(c, q, NULL, buf, len);
    return ZCNIC_TCD_STATUS_OK;
}

/*
 * Run TX queue q: at most ZCNIC_TX_BURST descriptors at a time (one
 * doorbell may post a whole 16K ring), the rest in the queue pair's TX
 * bottom half, so the global lock is let go in between.
 */
static void zcnic_tx_process(ZcnicCore *c, uint32_t q)
{
    ZcnicTxQueue *tq = &c->txq[q];
    struct zcnic_tx_desc d[ZCNIC_TX_MAX_FRAGS];
    uint32_t budget = ZCNIC_TX_BURST;
    bool any = false;

    while (zcnic_txq_enabled(c, q) && !tq->hung && tq->dr_head != tq->dr_tail &&
           budget) {
        uint32_t mask = tq->dr_size - 1;
        uint32_t avail = (tq->dr_tail - tq->dr_head) & mask;
        uint32_t n = 0, i, len = 0;
        bool eop = false;
        uint16_t status;

        if (!((tq->tcq_head - tq->tcq_tail - 1) & (tq->tcq_size - 1))) {
            break;  /* completion ring full: resume on TCQ_HEAD write */
        }
        if (c->tx_blocked[zcnic_tx_subq(c, q)]) {
            break;  /* the peer is not taking frames: resume in tx_sent */
        }
        while (n < avail && n < ZCNIC_TX_MAX_FRAGS && !eop) {
            uint32_t slot = (tq->dr_head + n) & mask;

            if (!zcnic_dma_read(c, tq->dr_base + sizeof(d[0]) * (uint64_t)slot,
                                &d[n], sizeof(d[n]))) {
                zcnic_txq_error(c, q, ZCNIC_QERR_DMA,
                                "descriptor read failed at slot %u", slot);
                return;
            }
            if (!le64_to_cpu(d[n].addr) || !le16_to_cpu(d[n].len)) {
                zcnic_txq_error(c, q, ZCNIC_QERR_DESC,
                                "descriptor %u has address 0x%" PRIx64
                                " length %u", slot, le64_to_cpu(d[n].addr),
                                le16_to_cpu(d[n].len));
                return;
            }
            eop = le16_to_cpu(d[n].flags) & ZCNIC_TXD_EOP;
            n++;
        }
        if (!eop) {
            if (n == ZCNIC_TX_MAX_FRAGS) {
                zcnic_txq_error(c, q, ZCNIC_QERR_DESC,
                                "no EOP within %u descriptors",
                                ZCNIC_TX_MAX_FRAGS);
            }
            break;  /* the rest of the frame is not posted yet */
        }

        status = zcnic_tx_frame(c, q, d, n, &len);
        i = (tq->dr_head + n - 1) & mask;
        if (!zcnic_tx_cmpl(c, q, i, status)) {
            return;
        }
        tq->dr_head = (tq->dr_head + n) & mask;
        budget -= MIN(budget, n);
        if (status == ZCNIC_TCD_STATUS_OK) {
            tq->pkts++;
            tq->bytes += len;
        } else {
            tq->errs++;
        }
        trace_zcnic_tx_frame(q, len, n, status);
        any = true;
    }
    if (!budget && zcnic_txq_enabled(c, q) && tq->dr_head != tq->dr_tail) {
        qemu_bh_schedule(c->irq[q].tx_bh);
    }
    if (any) {
        zcnic_qp_event(c, q);
    }
}

static void zcnic_tx_bh(void *opaque)
{
    ZcnicQpIrq *qp = opaque;

    zcnic_tx_process(qp->core, qp->qp);
}

void zcnic_core_tx_sent(ZcnicCore *c, int subq)
{
    uint32_t q;

    if (subq < 0 || subq >= ZCNIC_MAX_QUEUES || !c->tx_blocked[subq]) {
        return;
    }
    c->tx_blocked[subq] = false;
    trace_zcnic_tx_resume(subq);
    /* called by the net layer, not from an MMIO handler: see above */
    for (q = 0; q < c->num_queues; q++) {
        if (zcnic_tx_subq(c, q) == subq) {
            qemu_bh_schedule(c->irq[q].tx_bh);
        }
    }
}

/* ------------------------------------------------------------------ */
/* Link, reset                                                         */
/* ------------------------------------------------------------------ */

void zcnic_core_set_link(ZcnicCore *c)
{
    NetClientState *nc = c->nic ? qemu_get_queue(c->nic) : NULL;
    bool up = c->host_link && !(nc && nc->link_down);

    if (up == c->link_up) {
        return;
    }
    c->link_up = up;
    trace_zcnic_link(up);
    zcnic_dev_irq_raise(c, ZCNIC_DEV_IRQ_LINK);
    if (up) {
        zcnic_flush_queued(c);
    }
}

void zcnic_core_reset(ZcnicCore *c)
{
    NetClientState *nc = c->nic ? qemu_get_queue(c->nic) : NULL;
    uint32_t q;

    trace_zcnic_reset();
    for (q = 0; q < ZCNIC_MAX_QUEUES; q++) {
        if (c->irq[q].bh) {
            qemu_bh_cancel(c->irq[q].bh);
            qemu_bh_cancel(c->irq[q].tx_bh);
        }
        if (c->irq[q].timer) {
            timer_del(c->irq[q].timer);
        }
        zcnic_gro_abort(c, q);
    }
    memcpy(c->mac, c->perm_mac, ETH_ALEN);
    c->max_frame = ZCNIC_MAX_FRAME_DEFAULT;
    c->rx_filter = ZCNIC_DEV_RX_FILTER_BCAST;
    c->irq_cause = 0;
    c->irq_mask = 0;
    c->scratch[0] = c->scratch[1] = 0;
    c->guest_errs = 0;
    c->link_up = c->host_link && !(nc && nc->link_down);

    memset(&c->nt_stage, 0, sizeof(c->nt_stage));
    c->nt_status = 0;
    memset(c->nt, 0, sizeof(c->nt));
    memset(c->rss, 0, sizeof(c->rss));
    for (q = 0; q < ZCNIC_RSS_CTXS; q++) {
        c->rss[q].fields = ZCNIC_RSS_FIELDS_DEFAULT;
    }
    memset(c->rxq, 0, sizeof(c->rxq));
    memset(c->txq, 0, sizeof(c->txq));
    zcnic_backend_offloads(c);
    for (q = 0; q < ZCNIC_MAX_QUEUES; q++) {
        ZcnicQpIrq *irq = &c->irq[q];

        irq->vec = ZCNIC_VEC_QUEUE(q) < c->num_vectors ? ZCNIC_VEC_QUEUE(q) : 0;
        irq->itr = 0;
        irq->armed = irq->pending = irq->deferred = false;
        irq->last_ns = INT64_MIN / 2;     /* long ago */
        irq->sent = irq->lost = irq->swint = 0;
    }
    /* the same guest sequence after a reset meets the same faults */
    zcnic_core_fault_reseed(c);

    /* frames the net layer held for us now meet disabled queues */
    zcnic_flush_queued(c);
    /* frames we sent that the peer has not taken yet are gone */
    if (c->nic) {
        for (q = 0; q < MAX(c->nic->conf->peers.queues, 1); q++) {
            qemu_purge_queued_packets(qemu_get_subqueue(c->nic, q));
        }
    }
    memset(c->tx_blocked, 0, sizeof(c->tx_blocked));
    /* last: the flush above counts what it drops */
    zcnic_clear_counters(c);
}

/* ------------------------------------------------------------------ */
/* Registers                                                           */
/* ------------------------------------------------------------------ */

static uint32_t *zcnic_nt_reg(ZcnicNtupleRule *r, hwaddr addr)
{
    if (addr == ZCNIC_NT_FLOW) {
        return &r->flow;
    }
    if (addr >= ZCNIC_NT_SRC_IP(0) && addr < ZCNIC_NT_SRC_IP(4)) {
        return &r->src[(addr - ZCNIC_NT_SRC_IP(0)) / 4];
    }
    if (addr >= ZCNIC_NT_SRC_MASK(0) && addr < ZCNIC_NT_SRC_MASK(4)) {
        return &r->src_mask[(addr - ZCNIC_NT_SRC_MASK(0)) / 4];
    }
    if (addr >= ZCNIC_NT_DST_IP(0) && addr < ZCNIC_NT_DST_IP(4)) {
        return &r->dst[(addr - ZCNIC_NT_DST_IP(0)) / 4];
    }
    if (addr >= ZCNIC_NT_DST_MASK(0) && addr < ZCNIC_NT_DST_MASK(4)) {
        return &r->dst_mask[(addr - ZCNIC_NT_DST_MASK(0)) / 4];
    }
    if (addr == ZCNIC_NT_PORTS) {
        return &r->ports;
    }
    if (addr == ZCNIC_NT_PORT_MASKS) {
        return &r->port_masks;
    }
    if (addr == ZCNIC_NT_ACTION) {
        return &r->action;
    }
    return NULL;
}

static void zcnic_nt_cmd(ZcnicCore *c, uint32_t val)
{
    uint32_t idx = zf_get(ZCNIC_NT_CMD_INDEX, val);
    uint32_t op = zf_get(ZCNIC_NT_CMD_OP, val);
    const ZcnicNtupleRule *st = &c->nt_stage;

    c->nt_status = ZCNIC_NT_STATUS_ERR;
    if (idx >= ZCNIC_NTUPLE_RULES) {
        zcnic_guest_error(c, "ntuple: rule index %u out of range", idx);
        goto out;
    }
    switch (op) {
    case ZCNIC_NT_OP_WRITE:
        if (st->flow & ZCNIC_NT_FLOW_ENABLE) {
            uint32_t flow = zf_get(ZCNIC_NT_FLOW_TYPE, st->flow);
            uint32_t type = zf_get(ZCNIC_NT_ACTION_TYPE, st->action);
            uint32_t arg = zf_get(ZCNIC_NT_ACTION_ARG, st->action);

            if (flow < ZCNIC_NT_FLOW_TCP4 || flow > ZCNIC_NT_FLOW_UDP6) {
                zcnic_guest_error(c, "ntuple: rule %u: bad flow type %u",
                                  idx, flow);
                goto out;
            }
            if ((type == ZCNIC_NT_ACT_QUEUE && arg >= c->num_queues) ||
                (type == ZCNIC_NT_ACT_RSS && arg >= ZCNIC_RSS_CTXS) ||
                type > ZCNIC_NT_ACT_DROP) {
                zcnic_guest_error(c, "ntuple: rule %u: bad action 0x%x",
                                  idx, st->action);
                goto out;
            }
        }
        c->nt[idx] = *st;
        break;
    case ZCNIC_NT_OP_CLEAR:
        memset(&c->nt[idx], 0, sizeof(c->nt[idx]));
        break;
    case ZCNIC_NT_OP_READ:
        c->nt_stage = c->nt[idx];
        break;
    default:
        zcnic_guest_error(c, "ntuple: bad operation %u", op);
        goto out;
    }
    c->nt_status = 0;
out:
    trace_zcnic_ntuple_cmd(op, idx, c->nt_status);
}

static uint32_t zcnic_rss_read(ZcnicCore *c, hwaddr addr)
{
    ZcnicRssCtx *rc = &c->rss[(addr - ZCNIC_CSR_START_RSS) / 0x100];
    hwaddr off = addr & 0xff;

    if (off < 4 * (ZCNIC_RSS_KEY_LEN / 4)) {
        return ldl_le_p(&rc->key[off]);
    }
    if (off == 0x28) {
        return rc->cfg;
    }
    if (off == 0x2c) {
        return rc->fields;
    }
    if (off >= 0x40 && off < 0x40 + ZCNIC_RSS_INDIR_SIZE) {
        return ldl_le_p(&rc->indir[off - 0x40]);
    }
    return 0;
}

static void zcnic_rss_write(ZcnicCore *c, hwaddr addr, uint32_t val)
{
    ZcnicRssCtx *rc = &c->rss[(addr - ZCNIC_CSR_START_RSS) / 0x100];
    hwaddr off = addr & 0xff;

    if (off < 4 * (ZCNIC_RSS_KEY_LEN / 4)) {
        stl_le_p(&rc->key[off], val);
    } else if (off == 0x28) {
        rc->cfg = val & (ZCNIC_RSS_CFG_ENABLE | ZCNIC_RSS_CFG_IPV4 |
                         ZCNIC_RSS_CFG_TCP4 | ZCNIC_RSS_CFG_UDP4 |
                         ZCNIC_RSS_CFG_IPV6 | ZCNIC_RSS_CFG_TCP6 |
                         ZCNIC_RSS_CFG_UDP6);
    } else if (off == 0x2c) {
        /* the default value has every field bit a type can have */
        rc->fields = val & (ZCNIC_RSS_FIELDS_DEFAULT |
                            ZCNIC_RSS_FIELDS_SYM_XOR);
        trace_zcnic_rss_fields((addr - ZCNIC_CSR_START_RSS) / 0x100,
                               rc->fields);
    } else if (off >= 0x40 && off < 0x40 + ZCNIC_RSS_INDIR_SIZE) {
        /* entries are checked when used, like a real table */
        stl_le_p(&rc->indir[off - 0x40], val);
    }
}

static uint32_t zcnic_queue_read(ZcnicCore *c, uint32_t q, hwaddr off)
{
    ZcnicRxQueue *rq = &c->rxq[q];
    ZcnicTxQueue *tq = &c->txq[q];
    ZcnicQpIrq *irq = &c->irq[q];

    switch (off) {
    case ZCNIC_RXQ_CTRL:
        return rq->ctrl | (zcnic_rxq_enabled(c, q) ? ZCNIC_RXQ_CTRL_ENABLE : 0);
    case ZCNIC_RXQ_STATUS:
        return rq->status;
    case ZCNIC_RXQ_BUF_CFG:
        return rq->buf_cfg;
    case ZCNIC_RXQ_HDS_THRESH:
        return rq->hds_thresh;
    case ZCNIC_RXQ_HBR_BASE_LO:
        return rq->hbr_base;
    case ZCNIC_RXQ_HBR_BASE_HI:
        return rq->hbr_base >> 32;
    case ZCNIC_RXQ_HBR_SIZE:
        return rq->hbr_size;
    case ZCNIC_RXQ_HBR_TAIL:
        return rq->hbr_tail;
    case ZCNIC_RXQ_HBR_HEAD:
        return rq->hbr_head;
    case ZCNIC_RXQ_PBR_BASE_LO:
        return rq->pbr_base;
    case ZCNIC_RXQ_PBR_BASE_HI:
        return rq->pbr_base >> 32;
    case ZCNIC_RXQ_PBR_SIZE:
        return rq->pbr_size;
    case ZCNIC_RXQ_PBR_TAIL:
        return rq->pbr_tail;
    case ZCNIC_RXQ_PBR_HEAD:
        return rq->pbr_head;
    case ZCNIC_RXQ_RCQ_BASE_LO:
        return rq->rcq_base;
    case ZCNIC_RXQ_RCQ_BASE_HI:
        return rq->rcq_base >> 32;
    case ZCNIC_RXQ_RCQ_SIZE:
        return rq->rcq_size;
    case ZCNIC_RXQ_RCQ_HEAD:
        return rq->rcq_head;
    case ZCNIC_RXQ_RCQ_TAIL:
        return rq->rcq_tail;
    case ZCNIC_QP_IRQ_VEC:
        return irq->vec;
    case ZCNIC_QP_IRQ_CTRL:
        return (irq->armed ? ZCNIC_QP_IRQ_CTRL_ARMED : 0) |
               (irq->pending ? ZCNIC_QP_IRQ_CTRL_PENDING : 0);
    case ZCNIC_QP_IRQ_ITR:
        return irq->itr;
    case ZCNIC_TXQ_CTRL:
        return zcnic_txq_enabled(c, q) ? ZCNIC_TXQ_CTRL_ENABLE : 0;
    case ZCNIC_TXQ_STATUS:
        return tq->status;
    case ZCNIC_TXQ_DR_BASE_LO:
        return tq->dr_base;
    case ZCNIC_TXQ_DR_BASE_HI:
        return tq->dr_base >> 32;
    case ZCNIC_TXQ_DR_SIZE:
        return tq->dr_size;
    case ZCNIC_TXQ_DR_TAIL:
        return tq->dr_tail;
    case ZCNIC_TXQ_DR_HEAD:
        return tq->dr_head;
    case ZCNIC_TXQ_TCQ_BASE_LO:
        return tq->tcq_base;
    case ZCNIC_TXQ_TCQ_BASE_HI:
        return tq->tcq_base >> 32;
    case ZCNIC_TXQ_TCQ_SIZE:
        return tq->tcq_size;
    case ZCNIC_TXQ_TCQ_HEAD:
        return tq->tcq_head;
    case ZCNIC_TXQ_TCQ_TAIL:
        return tq->tcq_tail;
    case ZCNIC_RXQ_STAT_PKTS:
        return rq->pkts;
    case ZCNIC_RXQ_STAT_BYTES:
        return rq->bytes;
    case ZCNIC_RXQ_STAT_NOBUF:
        return rq->nobuf;
    case ZCNIC_RXQ_STAT_NOCMPL:
        return rq->nocmpl;
    case ZCNIC_RXQ_STAT_CSUM_BAD:
        return rq->csum_bad;
    case ZCNIC_RXQ_STAT_SPLIT:
        return rq->split;
    case ZCNIC_RXQ_STAT_DROP_STEER:
        return rq->drop_steer;
    case ZCNIC_RXQ_STAT_GRO_PKTS:
        return rq->gro_pkts;
    case ZCNIC_RXQ_STAT_GRO_SEGS:
        return rq->gro_segs;
    case ZCNIC_TXQ_STAT_PKTS:
        return tq->pkts;
    case ZCNIC_TXQ_STAT_BYTES:
        return tq->bytes;
    case ZCNIC_TXQ_STAT_ERRS:
        return tq->errs;
    case ZCNIC_TXQ_STAT_TSO_PKTS:
        return tq->tso_pkts;
    case ZCNIC_TXQ_STAT_TSO_SEGS:
        return tq->tso_segs;
    default:
        return 0;
    }
}

static void zcnic_set_lo(uint64_t *r, uint32_t val)
{
    *r = deposit64(*r, 0, 32, val);
}

static void zcnic_set_hi(uint64_t *r, uint32_t val)
{
    *r = deposit64(*r, 32, 32, val);
}

/*
 * A queue's rings and buffer configuration are fixed while it is enabled,
 * and while it holds an error software has not acknowledged (CTRL = 0):
 * until then they still describe the rings the device stopped on.
 * STATUS.ENABLED and STATUS.ERROR are the same bits in both directions.
 */
static bool zcnic_cfg_locked(ZcnicCore *c, const char *dir, uint32_t q,
                             uint32_t status, hwaddr off)
{
    QEMU_BUILD_BUG_ON(ZCNIC_RXQ_STATUS_ENABLED != ZCNIC_TXQ_STATUS_ENABLED);
    QEMU_BUILD_BUG_ON(ZCNIC_RXQ_STATUS_ERROR != ZCNIC_TXQ_STATUS_ERROR);

    if (status & ZCNIC_RXQ_STATUS_ENABLED) {
        zcnic_guest_error(c, "%sq %u: register 0x%02" HWADDR_PRIx
                          " written while the queue is enabled (ignored)",
                          dir, q, off);
        return true;
    }
    if (status & ZCNIC_RXQ_STATUS_ERROR) {
        zcnic_guest_error(c, "%sq %u: register 0x%02" HWADDR_PRIx
                          " written before its error was acknowledged "
                          "with CTRL = 0 (ignored)", dir, q, off);
        return true;
    }
    return false;
}

/* A completion ring head may only move forward, up to the tail. */
static bool zcnic_head_valid(uint32_t val, uint32_t head, uint32_t tail,
                             uint32_t size)
{
    uint32_t mask = size - 1;

    return val < size && ((val - head) & mask) <= ((tail - head) & mask);
}

static void zcnic_rx_doorbell(ZcnicCore *c, uint32_t q, hwaddr off,
                              uint32_t val)
{
    ZcnicRxQueue *rq = &c->rxq[q];

    if (!zcnic_rxq_enabled(c, q)) {
        return;     /* indices restart at 0 when the queue is enabled */
    }
    switch (off) {
    case ZCNIC_RXQ_HBR_TAIL:
        if (val >= rq->hbr_size) {
            zcnic_rxq_error(c, q, ZCNIC_QERR_INDEX,
                            "header ring tail %u >= size %u",
                            val, rq->hbr_size);
            return;
        }
        rq->hbr_tail = val;
        break;
    case ZCNIC_RXQ_PBR_TAIL:
        if (val >= rq->pbr_size) {
            zcnic_rxq_error(c, q, ZCNIC_QERR_INDEX,
                            "payload ring tail %u >= size %u",
                            val, rq->pbr_size);
            return;
        }
        rq->pbr_tail = val;
        break;
    case ZCNIC_RXQ_RCQ_HEAD:
        /* the new head must lie between the old head and the tail */
        if (!zcnic_head_valid(val, rq->rcq_head, rq->rcq_tail,
                              rq->rcq_size)) {
            zcnic_rxq_error(c, q, ZCNIC_QERR_INDEX,
                            "completion ring head %u outside [%u, %u]",
                            val, rq->rcq_head, rq->rcq_tail);
            return;
        }
        rq->rcq_head = val;
        break;
    }
    /* an aggregate that found no buffers goes first */
    if (c->gro[q].stalled && zcnic_gro_flush_all(c, q, ZCNIC_GRO_REFILL)) {
        zcnic_gro_arm(c, q);
    }
    zcnic_flush_queued(c);
}

static void zcnic_tx_doorbell(ZcnicCore *c, uint32_t q, hwaddr off,
                              uint32_t val)
{
    ZcnicTxQueue *tq = &c->txq[q];

    if (!zcnic_txq_enabled(c, q)) {
        return;
    }
    if (off == ZCNIC_TXQ_DR_TAIL) {
        if (val >= tq->dr_size) {
            zcnic_txq_error(c, q, ZCNIC_QERR_INDEX,
                            "descriptor ring tail %u >= size %u",
                            val, tq->dr_size);
            return;
        }
        tq->dr_tail = val;
    } else {
        if (!zcnic_head_valid(val, tq->tcq_head, tq->tcq_tail,
                              tq->tcq_size)) {
            zcnic_txq_error(c, q, ZCNIC_QERR_INDEX,
                            "completion ring head %u outside [%u, %u]",
                            val, tq->tcq_head, tq->tcq_tail);
            return;
        }
        tq->tcq_head = val;
    }
    zcnic_tx_process(c, q);
}

static void zcnic_queue_write(ZcnicCore *c, uint32_t q, hwaddr off,
                              uint32_t val)
{
    ZcnicRxQueue *rq = &c->rxq[q];
    ZcnicTxQueue *tq = &c->txq[q];
    bool rx_en = zcnic_rxq_enabled(c, q);
    bool tx_en = zcnic_txq_enabled(c, q);

    switch (off) {
    case ZCNIC_RXQ_CTRL:
        if (!(val & ZCNIC_RXQ_CTRL_ENABLE)) {
            if (rx_en) {
                zcnic_rxq_stop(c, q);
                /* held frames for this queue now drop by steering */
                zcnic_flush_queued(c);
            }
            rq->status = 0;     /* acknowledges an error */
            rq->ctrl = val & (ZCNIC_RXQ_CTRL_HDS | ZCNIC_RXQ_CTRL_PACK |
                              ZCNIC_RXQ_CTRL_GRO);
        } else if (rx_en) {
            /* HDS may change on the fly; PACK and GRO are latched at enable */
            rq->ctrl = (rq->ctrl & (ZCNIC_RXQ_CTRL_PACK | ZCNIC_RXQ_CTRL_GRO)) |
                       (val & ZCNIC_RXQ_CTRL_HDS);
        } else if (rq->status & ZCNIC_RXQ_STATUS_ERROR) {
            zcnic_guest_error(c, "rxq %u: enable before its error was "
                              "acknowledged with CTRL = 0 (ignored)", q);
        } else {
            zcnic_rxq_enable(c, q, val);
            zcnic_flush_queued(c);
        }
        break;
    case ZCNIC_RXQ_BUF_CFG:
        if (!zcnic_cfg_locked(c, "rx", q, rq->status, off)) {
            rq->buf_cfg = val & (ZCNIC_RXQ_BUF_CFG_HDR_LEN |
                                 ZCNIC_RXQ_BUF_CFG_PAY_SHIFT);
        }
        break;
    case ZCNIC_RXQ_HDS_THRESH:
        rq->hds_thresh = val;
        break;
    case ZCNIC_RXQ_HBR_BASE_LO:
    case ZCNIC_RXQ_HBR_BASE_HI:
    case ZCNIC_RXQ_HBR_SIZE:
    case ZCNIC_RXQ_PBR_BASE_LO:
    case ZCNIC_RXQ_PBR_BASE_HI:
    case ZCNIC_RXQ_PBR_SIZE:
    case ZCNIC_RXQ_RCQ_BASE_LO:
    case ZCNIC_RXQ_RCQ_BASE_HI:
    case ZCNIC_RXQ_RCQ_SIZE:
        if (zcnic_cfg_locked(c, "rx", q, rq->status, off)) {
            break;
        }
        switch (off) {
        case ZCNIC_RXQ_HBR_BASE_LO:
            zcnic_set_lo(&rq->hbr_base, val);
            break;
        case ZCNIC_RXQ_HBR_BASE_HI:
            zcnic_set_hi(&rq->hbr_base, val);
            break;
        case ZCNIC_RXQ_HBR_SIZE:
            rq->hbr_size = val;
            break;
        case ZCNIC_RXQ_PBR_BASE_LO:
            zcnic_set_lo(&rq->pbr_base, val);
            break;
        case ZCNIC_RXQ_PBR_BASE_HI:
            zcnic_set_hi(&rq->pbr_base, val);
            break;
        case ZCNIC_RXQ_PBR_SIZE:
            rq->pbr_size = val;
            break;
        case ZCNIC_RXQ_RCQ_BASE_LO:
            zcnic_set_lo(&rq->rcq_base, val);
            break;
        case ZCNIC_RXQ_RCQ_BASE_HI:
            zcnic_set_hi(&rq->rcq_base, val);
            break;
        case ZCNIC_RXQ_RCQ_SIZE:
            rq->rcq_size = val;
            break;
        }
        break;
    case ZCNIC_RXQ_HBR_TAIL:
    case ZCNIC_RXQ_PBR_TAIL:
    case ZCNIC_RXQ_RCQ_HEAD:
        zcnic_rx_doorbell(c, q, off, val);
        break;
    case ZCNIC_QP_IRQ_VEC:
        if (val >= c->num_vectors) {
            zcnic_guest_error(c, "qp %u: MSI-X vector %u >= %u (ignored)",
                              q, val, c->num_vectors);
            break;
        }
        c->irq[q].vec = val;
        break;
    case ZCNIC_QP_IRQ_CTRL:
        zcnic_qp_arm(c, q, val);
        break;
    case ZCNIC_QP_IRQ_ITR:
        c->irq[q].itr = val & ZCNIC_QP_IRQ_ITR_USECS;
        break;
    case ZCNIC_TXQ_CTRL:
        if (!(val & ZCNIC_TXQ_CTRL_ENABLE)) {
            if (tx_en && !tq->wedged && c->fault_txq_stop_ignore) {
                c->fault_txq_stop_ignore--;
                tq->wedged = true;
                tq->hung = true;
                trace_zcnic_fault("txq-stop-ignore", q);
            }
            if (tq->wedged) {
                /* an engine that hung: only a device reset frees it */
                break;
            }
            if (tx_en) {
                zcnic_txq_stop(c, q);
            }
            tq->status = 0;     /* acknowledges an error */
        } else if (tq->status & ZCNIC_TXQ_STATUS_ERROR) {
            zcnic_guest_error(c, "txq %u: enable before its error was "
                              "acknowledged with CTRL = 0 (ignored)", q);
        } else if (!tx_en) {
            zcnic_txq_enable(c, q);
        }
        break;
    case ZCNIC_TXQ_DR_BASE_LO:
    case ZCNIC_TXQ_DR_BASE_HI:
    case ZCNIC_TXQ_DR_SIZE:
    case ZCNIC_TXQ_TCQ_BASE_LO:
    case ZCNIC_TXQ_TCQ_BASE_HI:
    case ZCNIC_TXQ_TCQ_SIZE:
        if (zcnic_cfg_locked(c, "tx", q, tq->status, off)) {
            break;
        }
        switch (off) {
        case ZCNIC_TXQ_DR_BASE_LO:
            zcnic_set_lo(&tq->dr_base, val);
            break;
        case ZCNIC_TXQ_DR_BASE_HI:
            zcnic_set_hi(&tq->dr_base, val);
            break;
        case ZCNIC_TXQ_DR_SIZE:
            tq->dr_size = val;
            break;
        case ZCNIC_TXQ_TCQ_BASE_LO:
            zcnic_set_lo(&tq->tcq_base, val);
            break;
        case ZCNIC_TXQ_TCQ_BASE_HI:
            zcnic_set_hi(&tq->tcq_base, val);
            break;
        case ZCNIC_TXQ_TCQ_SIZE:
            tq->tcq_size = val;
            break;
        }
        break;
    case ZCNIC_TXQ_DR_TAIL:
    case ZCNIC_TXQ_TCQ_HEAD:
        zcnic_tx_doorbell(c, q, off, val);
        break;
    default:
        /* read-only registers and holes */
        qemu_log_mask(LOG_GUEST_ERROR,
                      "zcnic: q %u: write 0x%x to read-only or reserved "
                      "offset 0x%02" HWADDR_PRIx "\n", q, val, off);
        break;
    }
}

uint64_t zcnic_core_read(ZcnicCore *c, hwaddr addr)
{
    uint32_t val = 0;
    uint32_t *reg;

    switch (addr) {
    case ZCNIC_DEV_ID:
        val = ZCNIC_DEV_ID_MAGIC;
        break;
    case ZCNIC_DEV_VERSION:
        val = zf_prep(ZCNIC_DEV_VERSION_MAJOR, ZCNIC_VERSION_MAJOR) |
              zf_prep(ZCNIC_DEV_VERSION_MINOR, ZCNIC_VERSION_MINOR);
        break;
    case ZCNIC_DEV_CAPS:
        val = zf_prep(ZCNIC_DEV_CAPS_QUEUES, c->num_queues) |
              zf_prep(ZCNIC_DEV_CAPS_RSS_CTXS, ZCNIC_RSS_CTXS) |
              zf_prep(ZCNIC_DEV_CAPS_NTUPLE, ZCNIC_NTUPLE_RULES) |
              zf_prep(ZCNIC_DEV_CAPS_VECTORS, c->num_vectors - 1);
        break;
    case ZCNIC_DEV_CTRL:
        val = 0;
        break;
    case ZCNIC_DEV_STATUS:
        val = c->link_up ? ZCNIC_DEV_STATUS_LINK_UP : 0;
        break;
    case ZCNIC_DEV_MAC_LO:
        val = ldl_le_p(c->mac);
        break;
    case ZCNIC_DEV_MAC_HI:
        val = lduw_le_p(c->mac + 4);
        break;
    case ZCNIC_DEV_MAX_FRAME:
        val = c->max_frame;
        break;
    case ZCNIC_DEV_RX_FILTER:
        val = c->rx_filter;
        break;
    case ZCNIC_DEV_IRQ_CAUSE:
        val = c->irq_cause;
        break;
    case ZCNIC_DEV_IRQ_MASK:
        val = c->irq_mask;
        break;
    case ZCNIC_DEV_SCRATCH0:
        val = c->scratch[0];
        break;
    case ZCNIC_DEV_SCRATCH1:
        val = c->scratch[1];
        break;
    case ZCNIC_DEV_GUEST_ERRS:
        val = c->guest_errs;
        break;
    case ZCNIC_NT_STATUS:
        val = c->nt_status;
        break;
    default:
        if (addr >= ZCNIC_CSR_START_NTUPLE && addr < ZCNIC_NT_CMD) {
            reg = zcnic_nt_reg(&c->nt_stage, addr);
            val = reg ? *reg : 0;
        } else if (addr >= ZCNIC_CSR_START_RSS && addr < ZCNIC_CSR_END_RSS) {
            val = zcnic_rss_read(c, addr);
        } else if (addr >= ZCNIC_CSR_START_QUEUE &&
                   addr < ZCNIC_CSR_END_QUEUE(c->num_queues)) {
            val = zcnic_queue_read(c, (addr - ZCNIC_CSR_START_QUEUE) /
                                   ZCNIC_Q_STRIDE, addr % ZCNIC_Q_STRIDE);
        }
        break;
    }
    trace_zcnic_mmio_read(addr, val);
    return val;
}

void zcnic_core_write(ZcnicCore *c, hwaddr addr, uint32_t val)
{
    uint32_t *reg, old;

    trace_zcnic_mmio_write(addr, val);
    switch (addr) {
    case ZCNIC_DEV_CTRL:
        if (val & ZCNIC_DEV_CTRL_RESET) {
            zcnic_core_reset(c);
        }
        return;
    case ZCNIC_DEV_MAC_LO:
        stl_le_p(c->mac, val);
        return;
    case ZCNIC_DEV_MAC_HI:
        stw_le_p(c->mac + 4, val);
        return;
    case ZCNIC_DEV_MAX_FRAME:
        c->max_frame = MIN(MAX(val, ETH_ZLEN), ZCNIC_FRAME_MAX);
        return;
    case ZCNIC_DEV_RX_FILTER:
        c->rx_filter = val & (ZCNIC_DEV_RX_FILTER_PROMISC |
                              ZCNIC_DEV_RX_FILTER_ALLMULTI |
                              ZCNIC_DEV_RX_FILTER_BCAST);
        return;
    case ZCNIC_DEV_IRQ_CAUSE:
        c->irq_cause &= ~val;
        /* what is still set and enabled interrupts again */
        zcnic_dev_irq_update(c, c->irq_cause);
        return;
    case ZCNIC_DEV_IRQ_MASK:
        old = c->irq_mask;
        c->irq_mask = val & (ZCNIC_DEV_IRQ_LINK | ZCNIC_DEV_IRQ_QERR);
        zcnic_dev_irq_update(c, c->irq_cause & ~old);
        return;
    case ZCNIC_DEV_SCRATCH0:
        c->scratch[0] = val;
        return;
    case ZCNIC_DEV_SCRATCH1:
        c->scratch[1] = val;
        return;
    case ZCNIC_NT_CMD:
        zcnic_nt_cmd(c, val);
        return;
    default:
        break;
    }

    if (addr >= ZCNIC_CSR_START_NTUPLE && addr < ZCNIC_NT_CMD) {
        reg = zcnic_nt_reg(&c->nt_stage, addr);
        if (reg) {
            *reg = val;
            return;
        }
    } else if (addr >= ZCNIC_CSR_START_RSS && addr < ZCNIC_CSR_END_RSS) {
        zcnic_rss_write(c, addr, val);
        return;
    } else if (addr >= ZCNIC_CSR_START_QUEUE &&
               addr < ZCNIC_CSR_END_QUEUE(c->num_queues)) {
        zcnic_queue_write(c, (addr - ZCNIC_CSR_START_QUEUE) / ZCNIC_Q_STRIDE,
                          addr % ZCNIC_Q_STRIDE, val);
        return;
    }
    qemu_log_mask(LOG_GUEST_ERROR,
                  "zcnic: write 0x%x to read-only or reserved offset 0x%"
                  HWADDR_PRIx "\n", val, addr);
}

/* ------------------------------------------------------------------ */
/* Host-side view                                                      */
/* ------------------------------------------------------------------ */

char *zcnic_core_stats_json(ZcnicCore *c)
{
    GString *s = g_string_new(NULL);
    uint32_t q;

    g_string_append_printf(s,
        "{\"link-up\": %s, \"guest-errors\": %u, \"irq-cause\": %u, "
        "\"rx-frames\": %" PRIu64 ", "
        "\"rx-filtered\": %" PRIu64 ", \"rx-oversize\": %" PRIu64 ", "
        "\"rx-link-down\": %" PRIu64 ", \"rx-fault-drops\": %" PRIu64 ", "
        "\"rx-held\": %" PRIu64 ", \"tx-waits\": %" PRIu64 ", "
        "\"rx-gso-drops\": %" PRIu64 ", \"rx-bad-vnet\": %" PRIu64 ", "
        "\"vnet\": %s, \"backend-gro\": %s, "
        "\"dma-faults\": %" PRIu64 ", \"dma-errors\": %" PRIu64 ", "
        "\"device-irqs\": %" PRIu64 ", \"queues\": [",
        c->link_up ? "true" : "false", c->guest_errs, c->irq_cause,
        c->rx_frames,
        c->rx_filtered, c->rx_oversize, c->rx_link_down, c->rx_fault_drops,
        c->rx_held, c->tx_waits, c->rx_gso_drops, c->rx_bad_vnet,
        c->vnet ? "true" : "false", c->backend_gro ? "true" : "false",
        c->dma_faults, c->dma_errors, c->dev_irqs);
    for (q = 0; q < c->num_queues; q++) {
        ZcnicRxQueue *rq = &c->rxq[q];
        ZcnicTxQueue *tq = &c->txq[q];
        ZcnicQpIrq *irq = &c->irq[q];

        g_string_append_printf(s,
            "%s{\"queue\": %u, "
            "\"rx\": {\"enabled\": %s, \"error\": %u, "
            "\"hbr-head\": %u, \"hbr-tail\": %u, \"pbr-head\": %u, "
            "\"pbr-tail\": %u, \"rcq-head\": %u, \"rcq-tail\": %u, "
            "\"pkts\": %" PRIu64 ", \"bytes\": %" PRIu64 ", "
            "\"nobuf\": %" PRIu64 ", \"nocmpl\": %" PRIu64 ", "
            "\"csum-bad\": %" PRIu64 ", \"split\": %" PRIu64 ", "
            "\"data\": %" PRIu64 ", \"drop-steer\": %" PRIu64 ", "
            "\"gro\": %s, \"gro-pkts\": %" PRIu64 ", "
            "\"gro-segs\": %" PRIu64 ", \"gro-open\": %u, "
            "\"gro-staged-bytes\": %u, \"gro-stalled\": %s, "
            "\"gro-staged\": %" PRIu64 ", \"gro-timeouts\": %" PRIu64 ", "
            "\"gro-full\": %" PRIu64 ", \"gro-aborted\": %" PRIu64 "}, "
            "\"tx\": {\"enabled\": %s, \"error\": %u, "
            "\"dr-head\": %u, \"dr-tail\": %u, \"tcq-head\": %u, "
            "\"tcq-tail\": %u, \"pkts\": %" PRIu64 ", "
            "\"bytes\": %" PRIu64 ", \"errs\": %" PRIu64 ", "
            "\"tso-pkts\": %" PRIu64 ", \"tso-segs\": %" PRIu64 "}, "
            "\"irq\": {\"vector\": %u, \"armed\": %s, \"pending\": %s, "
            "\"sent\": %" PRIu64 ", \"lost\": %" PRIu64 ", "
            "\"swint\": %" PRIu64 "}}",
            q ? ", " : "", q,
            zcnic_rxq_enabled(c, q) ? "true" : "false",
            zf_get(ZCNIC_RXQ_STATUS_ERRCODE, rq->status),
            rq->hbr_head, rq->hbr_tail, rq->pbr_head, rq->pbr_tail,
            rq->rcq_head, rq->rcq_tail, rq->pkts, rq->bytes, rq->nobuf,
            rq->nocmpl, rq->csum_bad, rq->split, rq->data, rq->drop_steer,
            rq->gro ? "true" : "false", rq->gro_pkts, rq->gro_segs,
            c->gro[q].nflows, c->gro[q].bytes,
            c->gro[q].stalled ? "true" : "false", c->gro[q].staged,
            c->gro[q].flush_timeout, c->gro[q].flush_full, c->gro[q].aborted,
            zcnic_txq_enabled(c, q) ? "true" : "false",
            zf_get(ZCNIC_TXQ_STATUS_ERRCODE, tq->status),
            tq->dr_head, tq->dr_tail, tq->tcq_head, tq->tcq_tail,
            tq->pkts, tq->bytes, tq->errs, tq->tso_pkts, tq->tso_segs,
            irq->vec, irq->armed ? "true" : "false",
            irq->pending ? "true" : "false", irq->sent, irq->lost,
            irq->swint);
    }
    g_string_append(s, "]}");
    return g_string_free(s, false);
}

/* ------------------------------------------------------------------ */
/* Life cycle                                                          */
/* ------------------------------------------------------------------ */

void zcnic_core_realize(ZcnicCore *c, PCIDevice *owner, NICState *nic,
                        uint32_t num_queues, const uint8_t *mac)
{
    MemReentrancyGuard *guard = &DEVICE(owner)->mem_reentrancy_guard;
    uint32_t q;

    c->owner = owner;
    c->nic = nic;
    c->num_queues = num_queues;
    c->num_vectors = 1 + num_queues;
    memcpy(c->perm_mac, mac, ETH_ALEN);
    net_rx_pkt_init(&c->rx_pkt);
    c->rx_frame = g_malloc0(ZCNIC_GRO_FRAME_MAX);
    /* every backend queue must take virtio-net headers, or none does */
    c->vnet = nic != NULL;
    for (q = 0; nic && q < MAX(nic->conf->peers.queues, 1); q++) {
        NetClientState *peer = qemu_get_subqueue(nic, q)->peer;

        c->vnet &= peer && qemu_has_vnet_hdr(peer);
    }
    for (q = 0; c->vnet && q < MAX(nic->conf->peers.queues, 1); q++) {
        qemu_set_vnet_hdr_len(qemu_get_subqueue(nic, q)->peer,
                              sizeof(struct virtio_net_hdr));
    }
    c->tx_frame = g_malloc0(ZCNIC_TSO_FRAME_MAX);
    c->tx_seg = g_malloc0(ZCNIC_FRAME_MAX);
    for (q = 0; q < ZCNIC_MAX_QUEUES; q++) {
        c->irq[q].core = c;
        c->irq[q].qp = q;
        c->irq[q].timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, zcnic_qp_timer_cb,
                                       &c->irq[q]);
        c->irq[q].bh = qemu_bh_new_guarded(zcnic_qp_irq_bh, &c->irq[q],
                                           guard);
        c->irq[q].tx_bh = qemu_bh_new_guarded(zcnic_tx_bh, &c->irq[q], guard);
        c->gro[q].flows = g_hash_table_new(zcnic_gro_key_hash,
                                           zcnic_gro_key_equal);
        QTAILQ_INIT(&c->gro[q].lru);
        c->gro[q].timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, zcnic_gro_timer_cb,
                                       &c->irq[q]);
    }
    zcnic_core_fault_reseed(c);
    zcnic_core_reset(c);
}

void zcnic_core_unrealize(ZcnicCore *c)
{
    uint32_t q;

    for (q = 0; q < ZCNIC_MAX_QUEUES; q++) {
        timer_free(c->irq[q].timer);
        c->irq[q].timer = NULL;
        qemu_bh_delete(c->irq[q].bh);
        qemu_bh_delete(c->irq[q].tx_bh);
        c->irq[q].bh = c->irq[q].tx_bh = NULL;
        zcnic_gro_abort(c, q);
        timer_free(c->gro[q].timer);
        c->gro[q].timer = NULL;
        g_hash_table_destroy(c->gro[q].flows);
        c->gro[q].flows = NULL;
    }
    net_rx_pkt_uninit(c->rx_pkt);
    c->rx_pkt = NULL;
    g_free(c->rx_frame);
    g_free(c->tx_frame);
    g_free(c->tx_seg);
    c->rx_frame = c->tx_frame = c->tx_seg = NULL;
}
