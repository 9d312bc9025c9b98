/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * QTest for the zcnic header/data split NIC.
 *
 * Each case boots a q35 machine under qtest with one zcnic wired to a
 * socketpair (-netdev socket,fd=N: every frame is a 4-byte big-endian
 * length and the bytes).  The test plays the driver: it programs the
 * registers, lays out rings and buffers in guest RAM, injects frames on
 * its end of the socket and checks what the device wrote, byte by byte.
 * Interrupts are observed through the MSI-X pending bits (all vectors
 * stay masked), time only moves with clock_step.
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "libqos/pci-pc.h"
#include "qobject/qdict.h"
#include "qemu/bswap.h"
#include "qemu/host-utils.h"
#include "qemu/iov.h"
#include "qemu/sockets.h"
#include "hw/pci/pci_regs.h"
#include "hw/net/zcnic_hw.h"
#include "standard-headers/linux/virtio_net.h"
#include <sched.h>
#include <sys/ioctl.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>

#define MAC_ADDR        "52:54:00:12:34:56"
#define MEM_BASE        (16 * 1024 * 1024)
#define MEM_END         (120 * 1024 * 1024)

static const uint8_t nic_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t peer_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

typedef struct Zt {
    QTestState *qts;
    QPCIBus *bus;
    QPCIDevice *dev;
    QPCIBar bar;
    int sock[2];
    uint64_t mem_next;
    uint32_t queues;
} Zt;

/* A test-side view of one RX queue. */
typedef struct RxQ {
    uint32_t q;
    uint32_t ring;          /* entries in each ring */
    uint32_t hdr_len;
    uint32_t pay_size;
    uint64_t hbr, pbr, rcq;
    uint64_t hbufs, pbufs;  /* slot i's buffer is hbufs + i * hdr_len */
    uint32_t htail, ptail, chead;
    bool gen;
} RxQ;

typedef struct TxQ {
    uint32_t q;
    uint32_t ring;
    uint64_t dr, tcq;
    uint32_t tail, chead;
    bool gen;
} TxQ;

/* ------------------------------------------------------------------ */
/* Machine, registers, memory                                          */
/* ------------------------------------------------------------------ */

static void save_fn(QPCIDevice *dev, int devfn, void *data)
{
    *(QPCIDevice **)data = dev;
}

/* With the backend already in t->sock (a socketpair, or a tap; 5.7). */
static Zt *zt_boot(Zt *t, const char *netdev, const char *devopts)
{
    uint32_t caps;

    t->qts = qtest_initf("-M q35 -nodefaults -netdev %s,id=n0 "
                         "-device zcnic,id=nic0,netdev=n0,mac=" MAC_ADDR "%s",
                         netdev, devopts ? devopts : "");
    t->bus = qpci_new_pc(t->qts, NULL);
    qpci_device_foreach(t->bus, ZCNIC_PCI_VENDOR_ID, ZCNIC_PCI_DEVICE_ID,
                        save_fn, &t->dev);
    g_assert(t->dev);
    qpci_device_enable(t->dev);
    t->bar = qpci_iomap(t->dev, ZCNIC_BAR_REGS, NULL);
    qpci_msix_enable(t->dev);
    t->mem_next = MEM_BASE;
    caps = qpci_io_readl(t->dev, t->bar, ZCNIC_DEV_CAPS);
    t->queues = zcnic_field_get(ZCNIC_DEV_CAPS_QUEUES, caps);
    return t;
}

static Zt *zt_start(const char *devopts)
{
    Zt *t = g_new0(Zt, 1);
    g_autofree char *netdev = NULL;

    g_assert_cmpint(socketpair(PF_UNIX, SOCK_STREAM, 0, t->sock), ==, 0);
    netdev = g_strdup_printf("socket,fd=%d", t->sock[1]);
    return zt_boot(t, netdev, devopts);
}

static void zt_end(Zt *t)
{
    qpci_msix_disable(t->dev);
    qpci_iounmap(t->dev, t->bar);
    g_free(t->dev);
    qpci_free_pc(t->bus);
    qtest_quit(t->qts);
    close(t->sock[0]);
    close(t->sock[1]);
    g_free(t);
}

static uint32_t rd(Zt *t, uint32_t off)
{
    return qpci_io_readl(t->dev, t->bar, off);
}

static void wr(Zt *t, uint32_t off, uint32_t val)
{
    qpci_io_writel(t->dev, t->bar, off, val);
}

static uint32_t qrd(Zt *t, uint32_t q, uint32_t off)
{
    return rd(t, ZCNIC_Q_BASE(q) + off);
}

static void qwr(Zt *t, uint32_t q, uint32_t off, uint32_t val)
{
    wr(t, ZCNIC_Q_BASE(q) + off, val);
}

static uint64_t zalloc(Zt *t, uint64_t size, uint64_t align)
{
    uint64_t a = QEMU_ALIGN_UP(t->mem_next, align);

    t->mem_next = a + size;
    g_assert_cmpuint(t->mem_next, <=, MEM_END);
    return a;
}

static void memfill(Zt *t, uint64_t addr, uint8_t byte, size_t len)
{
    qtest_memset(t->qts, addr, byte, len);
}

/* qom-get of a property of nic0; the caller unrefs the response */
static QDict *qom_get(Zt *t, const char *prop)
{
    QDict *rsp = qtest_qmp(t->qts, "{'execute': 'qom-get', 'arguments': "
                           "{'path': '/machine/peripheral/nic0', "
                           "'property': %s}}", prop);

    g_assert(qdict_haskey(rsp, "return"));
    return rsp;
}

static uint64_t qom_u64(Zt *t, const char *prop)
{
    QDict *rsp = qom_get(t, prop);
    uint64_t v = qdict_get_int(rsp, "return");

    qobject_unref(rsp);
    return v;
}

static void qom_set_int(Zt *t, const char *prop, int64_t val)
{
    QDict *rsp = qtest_qmp(t->qts, "{'execute': 'qom-set', 'arguments': "
                           "{'path': '/machine/peripheral/nic0', "
                           "'property': %s, 'value': %" PRId64 "}}",
                           prop, val);

    g_assert(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
}

static void qom_set_bool(Zt *t, const char *prop, bool val)
{
    QDict *rsp = qtest_qmp(t->qts, "{'execute': 'qom-set', 'arguments': "
                           "{'path': '/machine/peripheral/nic0', "
                           "'property': %s, 'value': %i}}", prop, val);

    g_assert(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
}

static bool qom_get_bool(Zt *t, const char *prop)
{
    QDict *rsp = qom_get(t, prop);
    bool v = qdict_get_bool(rsp, "return");

    qobject_unref(rsp);
    return v;
}

static uint64_t qstat(Zt *t, const char *fmt, uint32_t q)
{
    g_autofree char *name = g_strdup_printf(fmt, q);

    return qom_u64(t, name);
}

/* MSI-X: vectors stay masked, so a sent message shows as a pending bit. */
static bool irq_pending(Zt *t, uint32_t vec)
{
    return qpci_msix_pending(t->dev, vec);
}

/*
 * A deferred interrupt is sent by a bottom half that the timer schedules
 * during clock_step: give the main loop a few turns to run it.
 */
static void irq_wait(Zt *t, uint32_t vec)
{
    gint64 end = g_get_monotonic_time() + 5 * G_TIME_SPAN_SECOND;

    while (!irq_pending(t, vec)) {
        g_assert(g_get_monotonic_time() < end);
        g_usleep(1000);
    }
}

static void irq_clear(Zt *t, uint32_t vec)
{
    uint64_t ctrl = t->dev->msix_table_off + vec * PCI_MSIX_ENTRY_SIZE +
                    PCI_MSIX_ENTRY_VECTOR_CTRL;

    /* unmasking delivers the pending message (to address 0), re-mask */
    qpci_io_writel(t->dev, t->dev->msix_table_bar, ctrl, 0);
    qpci_io_writel(t->dev, t->dev->msix_table_bar, ctrl,
                   PCI_MSIX_ENTRY_CTRL_MASKBIT);
    g_assert(!irq_pending(t, vec));
}

/* ------------------------------------------------------------------ */
/* Frames                                                              */
/* ------------------------------------------------------------------ */

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
    size_t i;

    for (i = 0; i + 1 < len; i += 2) {
        sum += (p[i] << 8) | p[i + 1];
    }
    if (len & 1) {
        sum += p[len - 1] << 8;
    }
    return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return ~sum & 0xffff;
}

static uint8_t pattern(uint32_t seed, uint32_t i)
{
    return (i * 31 + seed * 7 + (i >> 8)) & 0xff;
}

typedef struct FrameSpec {
    int ipv;                /* 4, 6, or 0 for ARP */
    int l4;                 /* 6 TCP, 17 UDP, other: raw IP protocol */
    bool vlan;
    uint16_t tci;
    uint8_t src[16], dst[16];
    uint16_t sport, dport;
    uint32_t pay_len;
    uint32_t seed;
    bool bad_l4_csum;
    bool bad_ip_csum;
    bool udp_no_csum;
    bool frag;              /* IPv4 more-fragments */
} FrameSpec;

enum { TCP_HDR = 32 };      /* 20 + NOP NOP timestamp */

/* Builds the frame in buf and returns its length and the L5 offset. */
static uint32_t build_frame(const FrameSpec *fs, uint8_t *buf, uint32_t *l5)
{
    uint32_t off = 12, l3, l4 = 0, l4len = 0, ip_pay, i;
    uint32_t sum;

    memcpy(buf, nic_mac, 6);
    memcpy(buf + 6, peer_mac, 6);
    if (fs->vlan) {
        stw_be_p(buf + off, 0x8100);
        stw_be_p(buf + off + 2, fs->tci);
        off += 4;
    }
    if (fs->ipv == 0) {
        stw_be_p(buf + off, 0x0806);
        off += 2;
        /* ARP request, who-has */
        memcpy(buf + off, "\x00\x01\x08\x00\x06\x04\x00\x01", 8);
        memcpy(buf + off + 8, peer_mac, 6);
        memcpy(buf + off + 14, "\x0a\x00\x00\x02", 4);
        memset(buf + off + 18, 0, 6);
        memcpy(buf + off + 24, "\x0a\x00\x00\x01", 4);
        *l5 = 0;
        return off + 28;
    }
    stw_be_p(buf + off, fs->ipv == 4 ? 0x0800 : 0x86dd);
    l3 = off + 2;

    if (fs->l4 == 6) {
        l4len = TCP_HDR;
    } else if (fs->l4 == 17) {
        l4len = 8;
    }
    ip_pay = l4len + fs->pay_len;

    if (fs->ipv == 4) {
        l4 = l3 + 20;
        buf[l3] = 0x45;
        buf[l3 + 1] = 0;
        stw_be_p(buf + l3 + 2, 20 + ip_pay);
        stw_be_p(buf + l3 + 4, 0x1234);
        stw_be_p(buf + l3 + 6, fs->frag ? 0x2000 : 0x4000);
        buf[l3 + 8] = 64;
        buf[l3 + 9] = fs->l4;
        stw_be_p(buf + l3 + 10, 0);
        memcpy(buf + l3 + 12, fs->src, 4);
        memcpy(buf + l3 + 16, fs->dst, 4);
        stw_be_p(buf + l3 + 10, csum_fold(csum_add(0, buf + l3, 20)) ^
                 (fs->bad_ip_csum ? 0x0101 : 0));
    } else {
        l4 = l3 + 40;
        stl_be_p(buf + l3, 0x60000000);
        stw_be_p(buf + l3 + 4, ip_pay);
        buf[l3 + 6] = fs->l4;
        buf[l3 + 7] = 64;
        memcpy(buf + l3 + 8, fs->src, 16);
        memcpy(buf + l3 + 24, fs->dst, 16);
    }

    for (i = 0; i < fs->pay_len; i++) {
        buf[l4 + l4len + i] = pattern(fs->seed, i);
    }
    if (fs->l4 == 6) {
        memset(buf + l4, 0, TCP_HDR);
        stw_be_p(buf + l4, fs->sport);
        stw_be_p(buf + l4 + 2, fs->dport);
        stl_be_p(buf + l4 + 4, 1000 + fs->seed);
        stl_be_p(buf + l4 + 8, 2000);
        buf[l4 + 12] = (TCP_HDR / 4) << 4;
        buf[l4 + 13] = 0x18;            /* PSH ACK */
        stw_be_p(buf + l4 + 14, 65535);
        memcpy(buf + l4 + 20, "\x01\x01\x08\x0a", 4);
        stl_be_p(buf + l4 + 24, 0x11111111);
        stl_be_p(buf + l4 + 28, 0x22222222);
    } else if (fs->l4 == 17) {
        stw_be_p(buf + l4, fs->sport);
        stw_be_p(buf + l4 + 2, fs->dport);
        stw_be_p(buf + l4 + 4, ip_pay);
        stw_be_p(buf + l4 + 6, 0);
    }
    if ((fs->l4 == 6 || fs->l4 == 17) && !fs->udp_no_csum) {
        uint8_t ph[40];
        uint16_t c;

        /* pseudo-header */
        if (fs->ipv == 4) {
            sum = csum_add(0, buf + l3 + 12, 8);
        } else {
            sum = csum_add(0, buf + l3 + 8, 32);
        }
        memset(ph, 0, sizeof(ph));
        ph[1] = fs->l4;
        stw_be_p(ph + 2, ip_pay);
        sum = csum_add(sum, ph, 4);
        sum = csum_add(sum, buf + l4, ip_pay);
        c = csum_fold(sum);
        if (fs->l4 == 17 && !c) {
            c = 0xffff;
        }
        stw_be_p(buf + l4 + (fs->l4 == 6 ? 16 : 6),
                 c ^ (fs->bad_l4_csum ? 0x00ff : 0));
    }
    *l5 = l4 + l4len;
    return l4 + ip_pay;
}

static void fs_v4(FrameSpec *fs, const char *src, const char *dst,
                  uint16_t sport, uint16_t dport)
{
    g_assert(inet_pton(AF_INET, src, fs->src) == 1);
    g_assert(inet_pton(AF_INET, dst, fs->dst) == 1);
    fs->ipv = 4;
    fs->sport = sport;
    fs->dport = dport;
}

static void fs_v6(FrameSpec *fs, const char *src, const char *dst,
                  uint16_t sport, uint16_t dport)
{
    g_assert(inet_pton(AF_INET6, src, fs->src) == 1);
    g_assert(inet_pton(AF_INET6, dst, fs->dst) == 1);
    fs->ipv = 6;
    fs->sport = sport;
    fs->dport = dport;
}

static void inject_nowait(Zt *t, const uint8_t *frame, uint32_t len)
{
    uint32_t be = cpu_to_be32(len);
    struct iovec iov[2] = {
        { .iov_base = &be, .iov_len = sizeof(be) },
        { .iov_base = (void *)frame, .iov_len = len },
    };

    g_assert_cmpint(iov_send(t->sock[0], iov, 2, 0, sizeof(be) + len), ==,
                    sizeof(be) + len);
}

/* Hand a frame to the NIC and wait until the device has looked at it. */
static void inject(Zt *t, const uint8_t *frame, uint32_t len)
{
    uint64_t before = qom_u64(t, "rx-frames");
    gint64 end = g_get_monotonic_time() + 10 * G_TIME_SPAN_SECOND;

    inject_nowait(t, frame, len);
    while (qom_u64(t, "rx-frames") == before) {
        g_assert(g_get_monotonic_time() < end);
        g_usleep(1000);
    }
}

static void inject_spec(Zt *t, const FrameSpec *fs)
{
    g_autofree uint8_t *buf = g_malloc0(ZCNIC_FRAME_MAX + 64);
    uint32_t l5;
    uint32_t len = build_frame(fs, buf, &l5);

    inject(t, buf, len);
}

static void recv_all(int fd, void *buf, size_t len)
{
    size_t done = 0;

    while (done < len) {
        ssize_t n = recv(fd, (uint8_t *)buf + done, len - done, 0);

        g_assert_cmpint(n, >, 0);
        done += n;
    }
}

/* Read a frame the NIC sent; returns its length. */
static uint32_t sock_recv_frame(Zt *t, uint8_t *buf, uint32_t size)
{
    uint32_t be, len;

    recv_all(t->sock[0], &be, sizeof(be));
    len = be32_to_cpu(be);
    g_assert_cmpuint(len, <=, size);
    recv_all(t->sock[0], buf, len);
    return len;
}

/* ------------------------------------------------------------------ */
/* Queues                                                              */
/* ------------------------------------------------------------------ */

static void rxq_program(Zt *t, RxQ *r, uint32_t q, uint32_t ring,
                        uint32_t hdr_len, uint32_t pay_shift)
{
    uint32_t i;

    memset(r, 0, sizeof(*r));
    r->q = q;
    r->ring = ring;
    r->hdr_len = hdr_len;
    r->pay_size = 1u << pay_shift;
    r->hbr = zalloc(t, 8 * ring, 64);
    r->pbr = zalloc(t, 8 * ring, 64);
    r->rcq = zalloc(t, sizeof(struct zcnic_rx_cmpl) * ring, 64);
    r->hbufs = zalloc(t, (uint64_t)hdr_len * ring, 64);
    r->pbufs = zalloc(t, (uint64_t)r->pay_size * ring, 4096);
    for (i = 0; i < ring; i++) {
        qtest_writeq(t->qts, r->hbr + 8 * i, r->hbufs + (uint64_t)i * hdr_len);
        qtest_writeq(t->qts, r->pbr + 8 * i,
                     r->pbufs + (uint64_t)i * r->pay_size);
    }
    memfill(t, r->rcq, 0, sizeof(struct zcnic_rx_cmpl) * ring);

    qwr(t, q, ZCNIC_RXQ_HBR_BASE_LO, r->hbr);
    qwr(t, q, ZCNIC_RXQ_HBR_BASE_HI, r->hbr >> 32);
    qwr(t, q, ZCNIC_RXQ_HBR_SIZE, ring);
    qwr(t, q, ZCNIC_RXQ_PBR_BASE_LO, r->pbr);
    qwr(t, q, ZCNIC_RXQ_PBR_BASE_HI, r->pbr >> 32);
    qwr(t, q, ZCNIC_RXQ_PBR_SIZE, ring);
    qwr(t, q, ZCNIC_RXQ_RCQ_BASE_LO, r->rcq);
    qwr(t, q, ZCNIC_RXQ_RCQ_BASE_HI, r->rcq >> 32);
    qwr(t, q, ZCNIC_RXQ_RCQ_SIZE, ring);
    qwr(t, q, ZCNIC_RXQ_BUF_CFG,
        zcnic_field_prep(ZCNIC_RXQ_BUF_CFG_HDR_LEN, hdr_len) |
        zcnic_field_prep(ZCNIC_RXQ_BUF_CFG_PAY_SHIFT, pay_shift));
}

static void rxq_post(Zt *t, RxQ *r, uint32_t nhdr, uint32_t npay)
{
    r->htail = (r->htail + nhdr) % r->ring;
    r->ptail = (r->ptail + npay) % r->ring;
    qwr(t, r->q, ZCNIC_RXQ_HBR_TAIL, r->htail);
    qwr(t, r->q, ZCNIC_RXQ_PBR_TAIL, r->ptail);
}

/* Program, enable with ctrl flags, post ring - 1 buffers of each kind. */
static void rxq_setup(Zt *t, RxQ *r, uint32_t q, uint32_t ctrl,
                      uint32_t hdr_len, uint32_t pay_shift)
{
    rxq_program(t, r, q, 16, hdr_len, pay_shift);
    qwr(t, q, ZCNIC_RXQ_CTRL, ZCNIC_RXQ_CTRL_ENABLE | ctrl);
    g_assert_cmphex(qrd(t, q, ZCNIC_RXQ_STATUS), ==,
                    ZCNIC_RXQ_STATUS_ENABLED);
    r->gen = true;
    rxq_post(t, r, r->ring - 1, r->ring - 1);
}

/* The next completion, which must be there. */
static void rxq_next(Zt *t, RxQ *r, struct zcnic_rx_cmpl *cd)
{
    uint64_t addr = r->rcq + sizeof(*cd) * r->chead;

    qtest_memread(t->qts, addr, cd, sizeof(*cd));
    g_assert_cmpuint(!!(le32_to_cpu(cd->flags) & ZCNIC_RCD_GEN), ==, r->gen);
    r->chead = (r->chead + 1) % r->ring;
    if (!r->chead) {
        r->gen = !r->gen;
    }
    qwr(t, r->q, ZCNIC_RXQ_RCQ_HEAD, r->chead);
    g_assert_cmpuint(qrd(t, r->q, ZCNIC_RXQ_STATUS), ==,
                     ZCNIC_RXQ_STATUS_ENABLED);
}

static bool rxq_empty(Zt *t, RxQ *r)
{
    uint32_t flags = qtest_readl(t->qts, r->rcq + 32 * r->chead + 20);

    return !!(flags & ZCNIC_RCD_GEN) != r->gen;
}

/* Payload bytes of a completion, gathered from the payload buffers. */
static void rxq_read_payload(Zt *t, RxQ *r, const struct zcnic_rx_cmpl *cd,
                             uint8_t *out)
{
    uint32_t len = le32_to_cpu(cd->pay_len);
    uint32_t off = le32_to_cpu(cd->pay_off);
    uint32_t idx = le16_to_cpu(cd->pay_idx);
    uint32_t done = 0;

    while (done < len) {
        uint32_t chunk = MIN(len - done, r->pay_size - off);

        qtest_memread(t->qts, r->pbufs + (uint64_t)idx * r->pay_size + off,
                      out + done, chunk);
        done += chunk;
        off = 0;
        idx = (idx + 1) % r->ring;
    }
}

/*
 * Check a completion against the frame: split at sp, every byte in
 * place.  Returns the completion flags.
 */
static uint32_t rxq_check(Zt *t, RxQ *r, const uint8_t *frame, uint32_t len,
                          uint32_t sp, struct zcnic_rx_cmpl *out)
{
    struct zcnic_rx_cmpl cd;
    uint32_t hidx = (r->chead) % r->ring;   /* header slots follow cmpls */
    g_autofree uint8_t *hdr = g_malloc(r->hdr_len);
    g_autofree uint8_t *pay = g_malloc(ZCNIC_FRAME_MAX);
    uint32_t plen = MAX(len, 60) - sp;

    g_assert_cmpuint(sp, <=, MAX(len, 60));
    rxq_next(t, r, &cd);
    g_assert_cmpuint(le16_to_cpu(cd.hdr_idx), ==, hidx);
    g_assert_cmpuint(le16_to_cpu(cd.hdr_len), ==, sp);
    g_assert_cmpuint(le32_to_cpu(cd.pay_len), ==, plen);
    uint32_t j, flen;

    qtest_memread(t->qts, r->hbufs + (uint64_t)hidx * r->hdr_len, hdr, sp);
    /* frames shorter than 60 bytes arrive zero-padded */
    g_assert(!memcmp(hdr, frame, MIN(sp, len)));
    for (j = len; j < sp; j++) {
        g_assert_cmphex(hdr[j], ==, 0);
    }
    if (plen) {
        rxq_read_payload(t, r, &cd, pay);
        flen = len > sp ? len - sp : 0;
        g_assert(!memcmp(pay, frame + sp, flen));
        for (j = flen; j < plen; j++) {
            g_assert_cmphex(pay[j], ==, 0);
        }
    }
    if (out) {
        *out = cd;
    }
    return le32_to_cpu(cd.flags);
}

/* Give back the header buffer and the payload buffers (no PACK) used. */
static void rxq_recycle(Zt *t, RxQ *r, const struct zcnic_rx_cmpl *cd)
{
    rxq_post(t, r, 1, DIV_ROUND_UP(le32_to_cpu(cd->pay_len), r->pay_size));
}

static void txq_setup(Zt *t, TxQ *x, uint32_t q)
{
    memset(x, 0, sizeof(*x));
    x->q = q;
    x->ring = 16;
    x->dr = zalloc(t, 16 * x->ring, 64);
    x->tcq = zalloc(t, 8 * x->ring, 64);
    memfill(t, x->tcq, 0, 8 * x->ring);
    qwr(t, q, ZCNIC_TXQ_DR_BASE_LO, x->dr);
    qwr(t, q, ZCNIC_TXQ_DR_BASE_HI, x->dr >> 32);
    qwr(t, q, ZCNIC_TXQ_DR_SIZE, x->ring);
    qwr(t, q, ZCNIC_TXQ_TCQ_BASE_LO, x->tcq);
    qwr(t, q, ZCNIC_TXQ_TCQ_BASE_HI, x->tcq >> 32);
    qwr(t, q, ZCNIC_TXQ_TCQ_SIZE, x->ring);
    qwr(t, q, ZCNIC_TXQ_CTRL, ZCNIC_TXQ_CTRL_ENABLE);
    g_assert_cmphex(qrd(t, q, ZCNIC_TXQ_STATUS), ==,
                    ZCNIC_TXQ_STATUS_ENABLED);
    x->gen = true;
}

static void txq_put(Zt *t, TxQ *x, uint64_t addr, uint16_t len,
                    uint16_t flags, uint16_t cstart, uint16_t coff)
{
    struct zcnic_tx_desc d = {
        .addr = cpu_to_le64(addr),
        .len = cpu_to_le16(len),
        .flags = cpu_to_le16(flags),
        .csum_start = cpu_to_le16(cstart),
        .csum_offset = cpu_to_le16(coff),
    };

    qtest_memwrite(t->qts, x->dr + 16 * x->tail, &d, sizeof(d));
    x->tail = (x->tail + 1) % x->ring;
}

/* ------------------------------------------------------------------ */
/* Cases                                                               */
/* ------------------------------------------------------------------ */

static void test_ids(void)
{
    Zt *t = zt_start(",queues=4");
    uint32_t caps;

    g_assert_cmphex(qpci_config_readw(t->dev, PCI_VENDOR_ID), ==,
                    ZCNIC_PCI_VENDOR_ID);
    g_assert_cmphex(qpci_config_readw(t->dev, PCI_DEVICE_ID), ==,
                    ZCNIC_PCI_DEVICE_ID);
    g_assert_cmphex(qpci_config_readb(t->dev, PCI_REVISION_ID), ==,
                    ZCNIC_PCI_REVISION);
    g_assert_cmphex(qpci_config_readw(t->dev, PCI_CLASS_DEVICE), ==,
                    ZCNIC_PCI_CLASS);
    g_assert_cmpuint(qpci_find_capability(t->dev, PCI_CAP_ID_EXP, 0), !=, 0);
    g_assert_cmpuint(qpci_msix_table_size(t->dev), ==, 5);

    g_assert_cmphex(rd(t, ZCNIC_DEV_ID), ==, ZCNIC_DEV_ID_MAGIC);
    g_assert_cmphex(rd(t, ZCNIC_DEV_VERSION), ==,
                    zcnic_field_prep(ZCNIC_DEV_VERSION_MAJOR,
                                     ZCNIC_VERSION_MAJOR) |
                    zcnic_field_prep(ZCNIC_DEV_VERSION_MINOR,
                                     ZCNIC_VERSION_MINOR));
    caps = rd(t, ZCNIC_DEV_CAPS);
    g_assert_cmpuint(zcnic_field_get(ZCNIC_DEV_CAPS_QUEUES, caps), ==, 4);
    g_assert_cmpuint(zcnic_field_get(ZCNIC_DEV_CAPS_RSS_CTXS, caps), ==,
                     ZCNIC_RSS_CTXS);
    g_assert_cmpuint(zcnic_field_get(ZCNIC_DEV_CAPS_NTUPLE, caps), ==,
                     ZCNIC_NTUPLE_RULES);
    g_assert_cmpuint(zcnic_field_get(ZCNIC_DEV_CAPS_VECTORS, caps), ==, 4);
    g_assert_cmphex(rd(t, ZCNIC_DEV_STATUS), ==, ZCNIC_DEV_STATUS_LINK_UP);
    g_assert_cmphex(rd(t, ZCNIC_DEV_MAC_LO), ==, 0x12005452);
    g_assert_cmphex(rd(t, ZCNIC_DEV_MAC_HI), ==, 0x5634);
    g_assert_cmpuint(rd(t, ZCNIC_DEV_MAX_FRAME), ==, 1518);
    g_assert_cmphex(rd(t, ZCNIC_DEV_RX_FILTER), ==, ZCNIC_DEV_RX_FILTER_BCAST);
    g_assert_cmpuint(rd(t, ZCNIC_DEV_GUEST_ERRS), ==, 0);

    wr(t, ZCNIC_DEV_SCRATCH0, 0xa5a5f00d);
    wr(t, ZCNIC_DEV_SCRATCH1, 0x5a5a0ff0);
    g_assert_cmphex(rd(t, ZCNIC_DEV_SCRATCH0), ==, 0xa5a5f00d);
    g_assert_cmphex(rd(t, ZCNIC_DEV_SCRATCH1), ==, 0x5a5a0ff0);
    /* read-only registers keep their value */
    wr(t, ZCNIC_DEV_ID, 0);
    g_assert_cmphex(rd(t, ZCNIC_DEV_ID), ==, ZCNIC_DEV_ID_MAGIC);
    /* queue blocks past the last queue read as zero */
    g_assert_cmphex(rd(t, ZCNIC_Q_BASE(4) + ZCNIC_QP_IRQ_VEC), ==, 0);
    g_assert_cmphex(qrd(t, 3, ZCNIC_QP_IRQ_VEC), ==, ZCNIC_VEC_QUEUE(3));
    zt_end(t);

    t = zt_start(NULL);
    g_assert_cmpuint(t->queues, ==, 8);
    g_assert_cmpuint(qpci_msix_table_size(t->dev), ==, 9);
    zt_end(t);
}

/*
 * RX queue @q holds an error: until CTRL = 0 acknowledges it, its ring
 * registers ignore writes and an enable is ignored (each a guest error);
 * the acknowledgement clears the status, and nothing else changed.
 */
static void expect_error_latched(Zt *t, uint32_t q, uint32_t *errs)
{
    uint32_t st = qrd(t, q, ZCNIC_RXQ_STATUS);
    uint32_t size = qrd(t, q, ZCNIC_RXQ_HBR_SIZE);

    g_assert_cmphex(st & ZCNIC_RXQ_STATUS_ERROR, ==, ZCNIC_RXQ_STATUS_ERROR);
    qwr(t, q, ZCNIC_RXQ_HBR_SIZE, size * 2);
    g_assert_cmpuint(qrd(t, q, ZCNIC_RXQ_HBR_SIZE), ==, size);
    g_assert_cmpuint(rd(t, ZCNIC_DEV_GUEST_ERRS), ==, ++*errs);
    qwr(t, q, ZCNIC_RXQ_CTRL, ZCNIC_RXQ_CTRL_ENABLE);
    g_assert_cmphex(qrd(t, q, ZCNIC_RXQ_STATUS), ==, st);
    g_assert_cmpuint(rd(t, ZCNIC_DEV_GUEST_ERRS), ==, ++*errs);
    g_assert_cmphex(rd(t, ZCNIC_DEV_IRQ_CAUSE) & ZCNIC_DEV_IRQ_QERR, ==, 0);
    qwr(t, q, ZCNIC_RXQ_CTRL, 0);
    g_assert_cmphex(qrd(t, q, ZCNIC_RXQ_STATUS), ==, 0);
    g_assert_cmpuint(rd(t, ZCNIC_DEV_GUEST_ERRS), ==, *errs);
}

static void expect_cfg_refused(Zt *t, uint32_t q, uint32_t *errs)
{
    qwr(t, q, ZCNIC_RXQ_CTRL, ZCNIC_RXQ_CTRL_ENABLE);
    g_assert_cmphex(qrd(t, q, ZCNIC_RXQ_STATUS), ==,
                    ZCNIC_RXQ_STATUS_ERROR |
                    zcnic_field_prep(ZCNIC_RXQ_STATUS_ERRCODE,
                                     ZCNIC_QERR_RING_CFG));
    g_assert_cmphex(qrd(t, q, ZCNIC_RXQ_CTRL) & ZCNIC_RXQ_CTRL_ENABLE, ==, 0);
    g_assert_cmpuint(rd(t, ZCNIC_DEV_GUEST_ERRS), ==, ++*errs);
    g_assert_cmphex(rd(t, ZCNIC_DEV_IRQ_CAUSE) & ZCNIC_DEV_IRQ_QERR, ==,
                    ZCNIC_DEV_IRQ_QERR);
    g_assert(irq_pending(t, ZCNIC_VEC_DEVICE));
    wr(t, ZCNIC_DEV_IRQ_CAUSE, ZCNIC_DEV_IRQ_QERR);
    irq_clear(t, ZCNIC_VEC_DEVICE);
    expect_error_latched(t, q, errs);
}

static void test_queue_config(void)
{
    Zt *t = zt_start(NULL);
    uint32_t errs = 0, q = 1;
    RxQ r;
    TxQ x;

    wr(t, ZCNIC_DEV_IRQ_MASK, ZCNIC_DEV_IRQ_QERR | ZCNIC_DEV_IRQ_LINK);
    rxq_program(t, &r, q, 16, 256, 12);

    /* each bad field on its own */
    qwr(t, q, ZCNIC_RXQ_HBR_BASE_LO, 0);
    expect_cfg_refused(t, q, &errs);
    qwr(t, q, ZCNIC_RXQ_HBR_BASE_LO, r.hbr + 8);
    expect_cfg_refused(t, q, &errs);
    qwr(t, q, ZCNIC_RXQ_HBR_BASE_LO, r.hbr);

    qwr(t, q, ZCNIC_RXQ_PBR_SIZE, 24);
    expect_cfg_refused(t, q, &errs);
    qwr(t, q, ZCNIC_RXQ_PBR_SIZE, 8);
    expect_cfg_refused(t, q, &errs);
    qwr(t, q, ZCNIC_RXQ_PBR_SIZE, 32768);
    expect_cfg_refused(t, q, &errs);
    qwr(t, q, ZCNIC_RXQ_PBR_SIZE, 16);

    qwr(t, q, ZCNIC_RXQ_RCQ_BASE_HI, 0xffffffff);
    qwr(t, q, ZCNIC_RXQ_RCQ_BASE_LO, 0xffffffc0);
    expect_cfg_refused(t, q, &errs);
    qwr(t, q, ZCNIC_RXQ_RCQ_BASE_HI, r.rcq >> 32);
    qwr(t, q, ZCNIC_RXQ_RCQ_BASE_LO, r.rcq);

    qwr(t, q, ZCNIC_RXQ_BUF_CFG,
        zcnic_field_prep(ZCNIC_RXQ_BUF_CFG_HDR_LEN, 200) |
        zcnic_field_prep(ZCNIC_RXQ_BUF_CFG_PAY_SHIFT, 12));
    expect_cfg_refused(t, q, &errs);
    qwr(t, q, ZCNIC_RXQ_BUF_CFG,
        zcnic_field_prep(ZCNIC_RXQ_BUF_CFG_HDR_LEN, 64) |
        zcnic_field_prep(ZCNIC_RXQ_BUF_CFG_PAY_SHIFT, 12));
    expect_cfg_refused(t, q, &errs);
    qwr(t, q, ZCNIC_RXQ_BUF_CFG,
        zcnic_field_prep(ZCNIC_RXQ_BUF_CFG_HDR_LEN, 256) |
        zcnic_field_prep(ZCNIC_RXQ_BUF_CFG_PAY_SHIFT, 11));
    expect_cfg_refused(t, q, &errs);
    qwr(t, q, ZCNIC_RXQ_BUF_CFG,
        zcnic_field_prep(ZCNIC_RXQ_BUF_CFG_HDR_LEN, 256) |
        zcnic_field_prep(ZCNIC_RXQ_BUF_CFG_PAY_SHIFT, 17));
    expect_cfg_refused(t, q, &errs);

    /* all good: enabled, error cleared, indices at 0 */
    qwr(t, q, ZCNIC_RXQ_BUF_CFG,
        zcnic_field_prep(ZCNIC_RXQ_BUF_CFG_HDR_LEN, 256) |
        zcnic_field_prep(ZCNIC_RXQ_BUF_CFG_PAY_SHIFT, 16));
    qwr(t, q, ZCNIC_RXQ_CTRL, ZCNIC_RXQ_CTRL_ENABLE | ZCNIC_RXQ_CTRL_HDS);
    g_assert_cmphex(qrd(t, q, ZCNIC_RXQ_STATUS), ==,
                    ZCNIC_RXQ_STATUS_ENABLED);
    g_assert_cmphex(qrd(t, q, ZCNIC_RXQ_CTRL), ==,
                    ZCNIC_RXQ_CTRL_ENABLE | ZCNIC_RXQ_CTRL_HDS);
    g_assert_cmpuint(qrd(t, q, ZCNIC_RXQ_HBR_HEAD), ==, 0);
    g_assert_cmpuint(qrd(t, q, ZCNIC_RXQ_RCQ_TAIL), ==, 0);
    g_assert_cmpuint(rd(t, ZCNIC_DEV_GUEST_ERRS), ==, errs);

    /* ring registers are locked while enabled */
    qwr(t, q, ZCNIC_RXQ_HBR_SIZE, 64);
    g_assert_cmpuint(qrd(t, q, ZCNIC_RXQ_HBR_SIZE), ==, 16);
    g_assert_cmpuint(rd(t, ZCNIC_DEV_GUEST_ERRS), ==, ++errs);

    /* stop handshake */
    qwr(t, q, ZCNIC_RXQ_CTRL, 0);
    g_assert_cmphex(qrd(t, q, ZCNIC_RXQ_STATUS), ==, 0);

    /* TX: bad ring refused, good accepted */
    txq_setup(t, &x, 2);
    qwr(t, 2, ZCNIC_TXQ_CTRL, 0);
    g_assert_cmphex(qrd(t, 2, ZCNIC_TXQ_STATUS), ==, 0);
    qwr(t, 2, ZCNIC_TXQ_DR_SIZE, 100);
    qwr(t, 2, ZCNIC_TXQ_CTRL, ZCNIC_TXQ_CTRL_ENABLE);
    g_assert_cmphex(qrd(t, 2, ZCNIC_TXQ_STATUS), ==,
                    ZCNIC_TXQ_STATUS_ERROR |
                    zcnic_field_prep(ZCNIC_TXQ_STATUS_ERRCODE,
                                     ZCNIC_QERR_RING_CFG));
    g_assert_cmpuint(rd(t, ZCNIC_DEV_GUEST_ERRS), ==, ++errs);
    /* latched: a fixed ring size and an enable are ignored until CTRL = 0 */
    qwr(t, 2, ZCNIC_TXQ_DR_SIZE, 64);
    g_assert_cmpuint(qrd(t, 2, ZCNIC_TXQ_DR_SIZE), ==, 100);
    qwr(t, 2, ZCNIC_TXQ_CTRL, ZCNIC_TXQ_CTRL_ENABLE);
    g_assert_cmphex(qrd(t, 2, ZCNIC_TXQ_STATUS) & ZCNIC_TXQ_STATUS_ENABLED,
                    ==, 0);
    errs += 2;
    g_assert_cmpuint(rd(t, ZCNIC_DEV_GUEST_ERRS), ==, errs);
    qwr(t, 2, ZCNIC_TXQ_CTRL, 0);
    g_assert_cmphex(qrd(t, 2, ZCNIC_TXQ_STATUS), ==, 0);
    qwr(t, 2, ZCNIC_TXQ_DR_SIZE, 64);
    qwr(t, 2, ZCNIC_TXQ_CTRL, ZCNIC_TXQ_CTRL_ENABLE);
    g_assert_cmphex(qrd(t, 2, ZCNIC_TXQ_STATUS), ==, ZCNIC_TXQ_STATUS_ENABLED);
    g_assert_cmpuint(rd(t, ZCNIC_DEV_GUEST_ERRS), ==, errs);
    zt_end(t);
}

static void test_tx(void)
{
    Zt *t = zt_start(NULL);
    uint8_t frame[1514], seeded[1514], out[2048], *pay;
    uint64_t b0, b1, b2;
    uint32_t len, l5, q = 3, sum, i;
    struct zcnic_tx_cmpl cd;
    FrameSpec fs = { .l4 = 17, .pay_len = 1000, .seed = 9 };
    TxQ x;

    fs_v4(&fs, "10.0.0.1", "10.0.0.2", 4000, 5000);
    len = build_frame(&fs, frame, &l5);
    /* the stack leaves the pseudo-header sum in the checksum field */
    sum = csum_add(0, frame + 14 + 12, 8);
    sum += 17 + (len - 34);
    stw_be_p(frame + 34 + 6, ~csum_fold(sum) & 0xffff);
    memcpy(seeded, frame, len);

    txq_setup(t, &x, q);
    qwr(t, q, ZCNIC_QP_IRQ_CTRL, ZCNIC_QP_IRQ_CTRL_ARM);
    b0 = zalloc(t, 100, 64);
    b1 = zalloc(t, 500, 64);
    b2 = zalloc(t, len - 600, 64);
    qtest_memwrite(t->qts, b0, frame, 100);
    qtest_memwrite(t->qts, b1, frame + 100, 500);
    qtest_memwrite(t->qts, b2, frame + 600, len - 600);
    txq_put(t, &x, b0, 100, ZCNIC_TXD_CSUM, 34, 6);
    txq_put(t, &x, b1, 500, 0, 0, 0);
    txq_put(t, &x, b2, len - 600, ZCNIC_TXD_EOP, 0, 0);
    qwr(t, q, ZCNIC_TXQ_DR_TAIL, x.tail);

    g_assert_cmpuint(sock_recv_frame(t, out, sizeof(out)), ==, len);
    /* the UDP checksum the device stored checks out over the frame */
    pay = out + 34;
    g_assert_cmphex(lduw_be_p(pay + 6), !=, 0);
    sum = csum_add(0, out + 14 + 12, 8);
    sum += 17 + (len - 34);
    sum = csum_add(sum, pay, len - 34);
    g_assert_cmphex(csum_fold(sum), ==, 0);
    /* and matches the reference computed here */
    build_frame(&fs, frame, &l5);
    for (i = 0; i < len; i++) {
        g_assert_cmphex(out[i], ==, frame[i]);
    }

    qtest_memread(t->qts, x.tcq, &cd, sizeof(cd));
    g_assert_cmpuint(le16_to_cpu(cd.desc_idx), ==, 2);
    g_assert_cmpuint(le16_to_cpu(cd.status), ==, ZCNIC_TCD_STATUS_OK);
    g_assert_cmphex(le32_to_cpu(cd.flags), ==, ZCNIC_TCD_GEN);
    g_assert_cmpuint(qrd(t, q, ZCNIC_TXQ_DR_HEAD), ==, 3);
    g_assert_cmpuint(qrd(t, q, ZCNIC_TXQ_TCQ_TAIL), ==, 1);
    g_assert_cmpuint(qrd(t, q, ZCNIC_TXQ_STAT_PKTS), ==, 1);
    g_assert_cmpuint(qrd(t, q, ZCNIC_TXQ_STAT_BYTES), ==, len);
    g_assert(irq_pending(t, ZCNIC_VEC_QUEUE(q)));
    g_assert_cmphex(qrd(t, q, ZCNIC_QP_IRQ_CTRL), ==, 0);
    irq_clear(t, ZCNIC_VEC_QUEUE(q));

    /* a frame with a checksum offset outside it completes with ERR */
    txq_put(t, &x, b0, 60, ZCNIC_TXD_CSUM | ZCNIC_TXD_EOP, 50, 20);
    qwr(t, q, ZCNIC_TXQ_DR_TAIL, x.tail);
    qtest_memread(t->qts, x.tcq + 8, &cd, sizeof(cd));
    g_assert_cmpuint(le16_to_cpu(cd.desc_idx), ==, 3);
    g_assert_cmpuint(le16_to_cpu(cd.status), ==, ZCNIC_TCD_STATUS_ERR);
    g_assert_cmpuint(qrd(t, q, ZCNIC_TXQ_STAT_ERRS), ==, 1);
    g_assert_cmpuint(qrd(t, q, ZCNIC_TXQ_STATUS), ==,
                     ZCNIC_TXQ_STATUS_ENABLED);
    /* not armed: no interrupt, but the event is pending */
    g_assert(!irq_pending(t, ZCNIC_VEC_QUEUE(q)));
    g_assert_cmphex(qrd(t, q, ZCNIC_QP_IRQ_CTRL), ==,
                    ZCNIC_QP_IRQ_CTRL_PENDING);

    /* a frame whose EOP is not posted yet waits */
    txq_put(t, &x, b0, 60, 0, 0, 0);
    qwr(t, q, ZCNIC_TXQ_DR_TAIL, x.tail);
    g_assert_cmpuint(qrd(t, q, ZCNIC_TXQ_DR_HEAD), ==, 4);
    txq_put(t, &x, b1, 40, ZCNIC_TXD_EOP, 0, 0);
    qwr(t, q, ZCNIC_TXQ_DR_TAIL, x.tail);
    g_assert_cmpuint(qrd(t, q, ZCNIC_TXQ_DR_HEAD), ==, 6);
    g_assert_cmpuint(sock_recv_frame(t, out, sizeof(out)), ==, 100);
    g_assert(!memcmp(out, seeded, 60));
    g_assert(!memcmp(out + 60, seeded + 100, 40));
    zt_end(t);
}

/*
 * Flow control: when the peer does not take a frame (the socket backend's
 * buffer is full because nobody reads it), the queue stops sending with
 * descriptors still posted, and resumes by itself once the peer drains;
 * every frame arrives, in order.
 */
static void test_tx_flow_control(void)
{
    enum { FLEN = 16000, MAX_BATCHES = 256 };
    Zt *t = zt_start(NULL);
    uint8_t *frame = g_malloc0(FLEN), *out = g_malloc(FLEN + 64);
    uint64_t buf[16];
    uint32_t q = 1, sent = 0, batch, i, head, seq;
    TxQ x;

    txq_setup(t, &x, q);
    memcpy(frame, peer_mac, 6);
    memcpy(frame + 6, nic_mac, 6);
    stw_be_p(frame + 12, 0x88b5);           /* local experimental */
    for (i = 0; i < 16; i++) {
        buf[i] = zalloc(t, FLEN, 64);
    }
    for (batch = 0; batch < MAX_BATCHES; batch++) {
        for (i = 0; i < x.ring - 1; i++) {
            stl_be_p(frame + 14, sent);
            qtest_memwrite(t->qts, buf[x.tail], frame, FLEN);
            txq_put(t, &x, buf[x.tail], FLEN, ZCNIC_TXD_EOP, 0, 0);
            sent++;
        }
        qwr(t, q, ZCNIC_TXQ_DR_TAIL, x.tail);
        head = qrd(t, q, ZCNIC_TXQ_DR_HEAD);
        /* everything sent was completed */
        qwr(t, q, ZCNIC_TXQ_TCQ_HEAD, qrd(t, q, ZCNIC_TXQ_TCQ_TAIL));
        if (head != x.tail) {
            break;
        }
    }
    g_assert_cmpuint(batch, <, MAX_BATCHES);
    g_assert_cmpuint(qom_u64(t, "tx-waits"), ==, 1);
    /* the queue stays stopped: another doorbell sends nothing */
    qwr(t, q, ZCNIC_TXQ_DR_TAIL, x.tail);
    g_assert_cmpuint(qrd(t, q, ZCNIC_TXQ_DR_HEAD), ==, head);
    g_assert_cmpuint(qrd(t, q, ZCNIC_TXQ_STAT_PKTS), <, sent);

    /* the peer drains: the rest follows without another doorbell */
    for (seq = 0; seq < sent; seq++) {
        g_assert_cmpuint(sock_recv_frame(t, out, FLEN + 64), ==, FLEN);
        g_assert_cmpuint(ldl_be_p(out + 14), ==, seq);
    }
    g_assert_cmpuint(qrd(t, q, ZCNIC_TXQ_DR_HEAD), ==, x.tail);
    g_assert_cmpuint(qrd(t, q, ZCNIC_TXQ_STAT_PKTS), ==, sent);
    g_assert_cmpuint(qrd(t, q, ZCNIC_TXQ_STAT_ERRS), ==, 0);
    g_assert_cmpuint(qom_u64(t, "tx-waits"), >=, 1);
    g_free(frame);
    g_free(out);
    zt_end(t);
}

/*
 * TX resumed by the net layer (not by a doorbell) runs guarded: buffers the
 * guest aimed at the device's own BAR are refused by the memory core, and
 * those frames complete with an error instead of reading registers from
 * inside the device.
 */
static void test_tx_resume_guarded(void)
{
    enum { FLEN = 16000, MAX_BATCHES = 256 };
    Zt *t = zt_start(NULL);
    uint8_t *frame = g_malloc0(FLEN), *out = g_malloc(FLEN + 64);
    uint64_t buf[16], own = t->bar.addr;
    uint32_t q = 1, sent = 0, batch, i, head, bad;
    gint64 end;
    TxQ x;

    g_assert(!t->bar.is_io);
    txq_setup(t, &x, q);
    memcpy(frame, peer_mac, 6);
    memcpy(frame + 6, nic_mac, 6);
    stw_be_p(frame + 12, 0x88b5);
    for (i = 0; i < 16; i++) {
        buf[i] = zalloc(t, FLEN, 64);
        qtest_memwrite(t->qts, buf[i], frame, FLEN);
    }
    for (batch = 0; batch < MAX_BATCHES; batch++) {
        for (i = 0; i < x.ring - 1; i++) {
            txq_put(t, &x, buf[x.tail], FLEN, ZCNIC_TXD_EOP, 0, 0);
            sent++;
        }
        qwr(t, q, ZCNIC_TXQ_DR_TAIL, x.tail);
        head = qrd(t, q, ZCNIC_TXQ_DR_HEAD);
        qwr(t, q, ZCNIC_TXQ_TCQ_HEAD, qrd(t, q, ZCNIC_TXQ_TCQ_TAIL));
        if (head != x.tail) {
            break;
        }
    }
    g_assert_cmpuint(batch, <, MAX_BATCHES);

    /*
     * what is still posted now reads its bytes from the device's BAR (the
     * first 32 bytes of registers). The device's DMA is memory-only, and
     * the resume runs guarded besides: either refuses it.
     */
    bad = (x.tail - head + x.ring) % x.ring;
    g_assert_cmpuint(bad, >, 0);
    for (i = head; i != x.tail; i = (i + 1) % x.ring) {
        struct zcnic_tx_desc d = {
            .addr = cpu_to_le64(own),
            .len = cpu_to_le16(32),
            .flags = cpu_to_le16(ZCNIC_TXD_EOP),
        };

        qtest_memwrite(t->qts, x.dr + 16 * i, &d, sizeof(d));
    }
    /* the peer drains; the device resumes by itself */
    for (i = 0; i < sent - bad; i++) {
        g_assert_cmpuint(sock_recv_frame(t, out, FLEN + 64), ==, FLEN);
    }
    end = g_get_monotonic_time() + 10 * G_TIME_SPAN_SECOND;
    while (qrd(t, q, ZCNIC_TXQ_DR_HEAD) != x.tail) {
        g_assert(g_get_monotonic_time() < end);
        g_usleep(1000);
    }
    g_assert_cmpuint(qrd(t, q, ZCNIC_TXQ_STAT_ERRS), ==, bad);
    g_assert_cmpuint(qrd(t, q, ZCNIC_TXQ_STAT_PKTS), ==, sent - bad);
    g_free(frame);
    g_free(out);
    zt_end(t);
}

/* Split of TCP payloads: families x sizes. */
static void test_rx_split(void)
{
    static const uint32_t sizes[] = { 1, 1448, 9000 };
    Zt *t = zt_start(NULL);
    g_autofree uint8_t *frame = g_malloc0(ZCNIC_FRAME_MAX);
    uint32_t pidx = 0;
    int fam, i;
    RxQ r;

    rxq_setup(t, &r, 0, ZCNIC_RXQ_CTRL_HDS, 256, 12);

    /* a 9000-byte payload does not pass the default MAX_FRAME */
    {
        FrameSpec fs = { .l4 = 6, .pay_len = 9000 };

        fs_v4(&fs, "10.0.0.2", "10.0.0.1", 40000, 5201);
        inject_spec(t, &fs);
        g_assert_cmpuint(qom_u64(t, "rx-oversize"), ==, 1);
        g_assert(rxq_empty(t, &r));
        wr(t, ZCNIC_DEV_MAX_FRAME, 9216);
        g_assert_cmpuint(rd(t, ZCNIC_DEV_MAX_FRAME), ==, 9216);
    }

    for (fam = 0; fam < 3; fam++) {
        for (i = 0; i < ARRAY_SIZE(sizes); i++) {
            FrameSpec fs = { .l4 = 6, .pay_len = sizes[i],
                             .seed = fam * 3 + i };
            struct zcnic_rx_cmpl cd;
            uint32_t len, l5, flags, hdrs, nbuf;

            if (fam == 1) {
                fs_v6(&fs, "2001:db8::2", "2001:db8::1", 40000, 5201);
            } else {
                fs_v4(&fs, "10.0.0.2", "10.0.0.1", 40000, 5201);
                fs.vlan = fam == 2;
                fs.tci = 0x2064;
            }
            len = build_frame(&fs, frame, &l5);
            hdrs = 14 + (fs.vlan ? 4 : 0) + (fam == 1 ? 40 : 20) + TCP_HDR;
            g_assert_cmpuint(l5, ==, hdrs);
            inject(t, frame, len);
            flags = rxq_check(t, &r, frame, len, l5, &cd);

            g_assert_cmphex(flags & ZCNIC_RCD_SPLIT, ==, ZCNIC_RCD_SPLIT);
            g_assert_cmphex(flags & ZCNIC_RCD_PAY_DONE, ==,
                            ZCNIC_RCD_PAY_DONE);
            g_assert_cmphex(flags & ZCNIC_RCD_HBO, ==, 0);
            g_assert_cmpuint(zcnic_field_get(ZCNIC_RCD_CSUM, flags), ==,
                             ZCNIC_RCD_CSUM_GOOD);
            g_assert_cmpuint(zcnic_field_get(ZCNIC_RCD_L3, flags), ==,
                             fam == 1 ? ZCNIC_RCD_L3_IPV6 : ZCNIC_RCD_L3_IPV4);
            g_assert_cmpuint(zcnic_field_get(ZCNIC_RCD_L4, flags), ==,
                             ZCNIC_RCD_L4_TCP);
            g_assert_cmphex(flags & ZCNIC_RCD_VLAN, ==,
                            fs.vlan ? ZCNIC_RCD_VLAN : 0);
            g_assert_cmphex(le16_to_cpu(cd.vlan_tci), ==,
                            fs.vlan ? 0x2064 : 0);
            /* without PACK every payload starts at 0 of a fresh buffer */
            g_assert_cmpuint(le32_to_cpu(cd.pay_off), ==, 0);
            g_assert_cmpuint(le16_to_cpu(cd.pay_idx), ==, pidx);
            g_assert_cmpuint(le32_to_cpu(cd.pay_len), ==, sizes[i]);
            g_assert_cmpuint(le32_to_cpu(cd.rss_hash), ==, 0);
            nbuf = DIV_ROUND_UP(sizes[i], 4096);
            pidx = (pidx + nbuf) % r.ring;
            g_assert_cmpuint(qrd(t, 0, ZCNIC_RXQ_PBR_HEAD), ==, pidx);
            rxq_post(t, &r, 1, nbuf);
        }
    }
    g_assert_cmpuint(qrd(t, 0, ZCNIC_RXQ_STAT_PKTS), ==, 9);
    g_assert_cmpuint(qrd(t, 0, ZCNIC_RXQ_STAT_SPLIT), ==, 9);
    g_assert_cmpuint(qstat(t, "rx%u-split", 0), ==, 9);
    g_assert_cmpuint(qstat(t, "rx%u-data", 0), ==, 9);
    zt_end(t);
}

/*
 * The host counts data frames (TCP/UDP with a payload) apart from split
 * ones, so a zero-copy check can compare the two; x-fault-no-split breaks
 * the split behind the guest's back and the counters must show it.
 */
static void test_rx_data_vs_split(void)
{
    Zt *t = zt_start(NULL);
    g_autofree uint8_t *frame = g_malloc0(ZCNIC_FRAME_MAX);
    struct zcnic_rx_cmpl cd;
    uint32_t len, l5, flags;
    RxQ r;

    rxq_setup(t, &r, 0, ZCNIC_RXQ_CTRL_HDS, 256, 12);
    /* a pure ACK: no payload, not a data frame, not split */
    {
        FrameSpec fs = { .l4 = 6, .pay_len = 0 };

        fs_v4(&fs, "10.0.0.2", "10.0.0.1", 40000, 5201);
        len = build_frame(&fs, frame, &l5);
        inject(t, frame, len);
        flags = rxq_check(t, &r, frame, len, MAX(len, 60), &cd);
        g_assert_cmphex(flags & ZCNIC_RCD_SPLIT, ==, 0);
        rxq_post(t, &r, 1, 0);
    }
    /* 100 bytes of payload: a data frame, split */
    {
        FrameSpec fs = { .l4 = 6, .pay_len = 100, .seed = 1 };

        fs_v4(&fs, "10.0.0.2", "10.0.0.1", 40000, 5201);
        len = build_frame(&fs, frame, &l5);
        inject(t, frame, len);
        flags = rxq_check(t, &r, frame, len, l5, &cd);
        g_assert_cmphex(flags & ZCNIC_RCD_SPLIT, ==, ZCNIC_RCD_SPLIT);
        rxq_post(t, &r, 1, 1);
    }
    g_assert_cmpuint(qstat(t, "rx%u-pkts", 0), ==, 2);
    g_assert_cmpuint(qstat(t, "rx%u-data", 0), ==, 1);
    g_assert_cmpuint(qstat(t, "rx%u-split", 0), ==, 1);

    /* the same frame with the split broken: whole into the header buffer */
    qom_set_bool(t, "x-fault-no-split", true);
    {
        FrameSpec fs = { .l4 = 6, .pay_len = 100, .seed = 2 };

        fs_v4(&fs, "10.0.0.2", "10.0.0.1", 40000, 5201);
        len = build_frame(&fs, frame, &l5);
        inject(t, frame, len);
        flags = rxq_check(t, &r, frame, len, len, &cd);
        g_assert_cmphex(flags & ZCNIC_RCD_SPLIT, ==, 0);
    }
    g_assert_cmpuint(qstat(t, "rx%u-data", 0), ==, 2);
    g_assert_cmpuint(qstat(t, "rx%u-split", 0), ==, 1);
    g_assert_cmpuint(qrd(t, 0, ZCNIC_RXQ_CTRL) & ZCNIC_RXQ_CTRL_HDS, ==,
                     ZCNIC_RXQ_CTRL_HDS);
    qom_set_bool(t, "x-fault-no-split", false);
    zt_end(t);
}

static void test_rx_udp_arp(void)
{
    Zt *t = zt_start(NULL);
    uint8_t frame[2048];
    FrameSpec fs = { .l4 = 17, .pay_len = 700, .seed = 4 };
    FrameSpec arp = { .ipv = 0 };
    FrameSpec icmp = { .l4 = 1, .pay_len = 100 };
    struct zcnic_rx_cmpl cd;
    uint32_t len, l5, flags;
    RxQ r;

    rxq_setup(t, &r, 0, ZCNIC_RXQ_CTRL_HDS, 128, 12);

    /* UDP over IPv4 and IPv6 split after the 8-byte UDP header */
    fs_v4(&fs, "10.0.0.2", "10.0.0.1", 1234, 4321);
    len = build_frame(&fs, frame, &l5);
    g_assert_cmpuint(l5, ==, 42);
    inject(t, frame, len);
    flags = rxq_check(t, &r, frame, len, 42, NULL);
    g_assert_cmphex(flags & (ZCNIC_RCD_SPLIT | ZCNIC_RCD_PAY_DONE), ==,
                    ZCNIC_RCD_SPLIT | ZCNIC_RCD_PAY_DONE);
    g_assert_cmpuint(zcnic_field_get(ZCNIC_RCD_L4, flags), ==,
                     ZCNIC_RCD_L4_UDP);

    fs_v6(&fs, "fd00::2", "fd00::1", 1234, 4321);
    len = build_frame(&fs, frame, &l5);
    inject(t, frame, len);
    flags = rxq_check(t, &r, frame, len, 62, NULL);
    g_assert_cmphex(flags & ZCNIC_RCD_SPLIT, ==, ZCNIC_RCD_SPLIT);
    g_assert_cmpuint(zcnic_field_get(ZCNIC_RCD_CSUM, flags), ==,
                     ZCNIC_RCD_CSUM_GOOD);

    /* ARP: whole frame in the header buffer, nothing else */
    len = build_frame(&arp, frame, &l5);
    g_assert_cmpuint(len, ==, 42);
    inject(t, frame, len);
    flags = rxq_check(t, &r, frame, len, 60, &cd);
    g_assert_cmpuint(le32_to_cpu(cd.pay_len), ==, 0);
    g_assert_cmphex(flags & ~ZCNIC_RCD_GEN, ==, 0);

    /* ICMP is not split either: first HDR_LEN bytes, rest in payload */
    fs_v4(&icmp, "10.0.0.2", "10.0.0.1", 0, 0);
    len = build_frame(&icmp, frame, &l5);
    inject(t, frame, len);
    flags = rxq_check(t, &r, frame, len, MIN(len, 128), &cd);
    g_assert_cmphex(flags & (ZCNIC_RCD_SPLIT | ZCNIC_RCD_HBO), ==, 0);
    g_assert_cmpuint(zcnic_field_get(ZCNIC_RCD_L3, flags), ==,
                     ZCNIC_RCD_L3_IPV4);
    g_assert_cmpuint(zcnic_field_get(ZCNIC_RCD_L4, flags), ==, 0);
    g_assert_cmpuint(zcnic_field_get(ZCNIC_RCD_CSUM, flags), ==,
                     ZCNIC_RCD_CSUM_NONE);
    g_assert_cmpuint(le32_to_cpu(cd.pay_len), ==, len - 128);
    g_assert_cmphex(flags & ZCNIC_RCD_PAY_DONE, ==, ZCNIC_RCD_PAY_DONE);
    zt_end(t);
}

static void test_rx_threshold(void)
{
    Zt *t = zt_start(NULL);
    uint8_t frame[2048];
    FrameSpec fs = { .l4 = 6, .pay_len = 100 };
    uint32_t len, l5, flags;
    RxQ r;

    rxq_setup(t, &r, 0, ZCNIC_RXQ_CTRL_HDS, 256, 12);
    qwr(t, 0, ZCNIC_RXQ_HDS_THRESH, 100);
    fs_v4(&fs, "10.0.0.2", "10.0.0.1", 1, 2);

    /* 100 bytes is not above the threshold: stays with the header */
    len = build_frame(&fs, frame, &l5);
    inject(t, frame, len);
    flags = rxq_check(t, &r, frame, len, len, NULL);
    g_assert_cmphex(flags & (ZCNIC_RCD_SPLIT | ZCNIC_RCD_PAY_DONE), ==, 0);

    /* 101 bytes is: split */
    fs.pay_len = 101;
    len = build_frame(&fs, frame, &l5);
    inject(t, frame, len);
    flags = rxq_check(t, &r, frame, len, l5, NULL);
    g_assert_cmphex(flags & ZCNIC_RCD_SPLIT, ==, ZCNIC_RCD_SPLIT);

    /* below threshold but longer than the header buffer: spills over */
    qwr(t, 0, ZCNIC_RXQ_HDS_THRESH, 1000);
    fs.pay_len = 500;
    len = build_frame(&fs, frame, &l5);
    inject(t, frame, len);
    flags = rxq_check(t, &r, frame, len, 256, NULL);
    g_assert_cmphex(flags & (ZCNIC_RCD_SPLIT | ZCNIC_RCD_PAY_DONE), ==,
                    ZCNIC_RCD_PAY_DONE);

    /* HDS off: same thing whatever the size */
    qwr(t, 0, ZCNIC_RXQ_HDS_THRESH, 0);
    qwr(t, 0, ZCNIC_RXQ_CTRL, ZCNIC_RXQ_CTRL_ENABLE);
    len = build_frame(&fs, frame, &l5);
    inject(t, frame, len);
    flags = rxq_check(t, &r, frame, len, 256, NULL);
    g_assert_cmphex(flags & ZCNIC_RCD_SPLIT, ==, 0);
    zt_end(t);
}

static void test_rx_hbo(void)
{
    Zt *t = zt_start(NULL);
    uint8_t frame[2048];
    FrameSpec fs = { .l4 = 6, .pay_len = 300 };
    uint32_t len, l5, flags;
    RxQ r;

    /* 128-byte header buffers cannot hold VLAN + IPv6 + TCP(32) + ... */
    rxq_setup(t, &r, 0, ZCNIC_RXQ_CTRL_HDS, 128, 12);
    fs_v6(&fs, "fd00::2", "fd00::1", 7, 8);
    fs.vlan = true;
    len = build_frame(&fs, frame, &l5);
    g_assert_cmpuint(l5, ==, 90);
    inject(t, frame, len);
    flags = rxq_check(t, &r, frame, len, 90, NULL);
    g_assert_cmphex(flags & ZCNIC_RCD_SPLIT, ==, ZCNIC_RCD_SPLIT);
    zt_end(t);

    t = zt_start(NULL);
    /* a TCP header with 40 bytes of options after IPv6 + VLAN: 118 */
    rxq_setup(t, &r, 0, ZCNIC_RXQ_CTRL_HDS, 128, 12);
    len = build_frame(&fs, frame, &l5);
    {
        /* grow the TCP header to 60 bytes: 90 + 28 = 118, still fits */
        uint8_t big[2048];
        uint32_t l4 = 18 + 40;

        memcpy(big, frame, l4 + 20);
        big[l4 + 12] = (60 / 4) << 4;
        memset(big + l4 + 20, 1, 40);           /* NOPs */
        memcpy(big + l4 + 60, frame + l5, len - l5);
        stw_be_p(big + 18 + 4, lduw_be_p(frame + 18 + 4) + 28);
        /* checksum is not what this checks */
        inject(t, big, len + 28);
        flags = rxq_check(t, &r, big, len + 28, 118, NULL);
        g_assert_cmphex(flags & ZCNIC_RCD_SPLIT, ==, ZCNIC_RCD_SPLIT);

        /* with an extra 16 bytes of IPv6 destination options: 134 */
        memcpy(big, frame, 18 + 40);
        big[18 + 6] = 60;                       /* next: dest options */
        stw_be_p(big + 18 + 4, lduw_be_p(frame + 18 + 4) + 28 + 16);
        big[58] = 6;                            /* next: TCP */
        big[59] = 1;                            /* 16 bytes */
        memset(big + 60, 0, 14);
        big[60] = 1;                            /* PadN */
        big[61] = 12;
        memcpy(big + 74, frame + l4, 20);
        big[74 + 12] = (60 / 4) << 4;
        memset(big + 94, 1, 40);
        memcpy(big + 134, frame + l5, len - l5);
        inject(t, big, len + 44);
        flags = rxq_check(t, &r, big, len + 44, 128, NULL);
        g_assert_cmphex(flags & (ZCNIC_RCD_SPLIT | ZCNIC_RCD_HBO), ==,
                        ZCNIC_RCD_HBO);
    }
    zt_end(t);
}

static void test_rx_pack(void)
{
    Zt *t = zt_start(NULL);
    g_autofree uint8_t *frame = g_malloc0(ZCNIC_FRAME_MAX);
    FrameSpec fs = { .l4 = 6 };
    struct zcnic_rx_cmpl cd;
    uint32_t len, l5, flags, i, off;
    RxQ r;

    /* 16 KiB buffers, packed */
    rxq_setup(t, &r, 0, ZCNIC_RXQ_CTRL_HDS | ZCNIC_RXQ_CTRL_PACK, 256, 14);
    fs_v4(&fs, "10.0.0.2", "10.0.0.1", 1000, 2000);

    fs.pay_len = 1000;
    len = build_frame(&fs, frame, &l5);
    inject(t, frame, len);
    flags = rxq_check(t, &r, frame, len, l5, &cd);
    g_assert_cmpuint(le16_to_cpu(cd.pay_idx), ==, 0);
    g_assert_cmpuint(le32_to_cpu(cd.pay_off), ==, 0);
    g_assert_cmphex(flags & ZCNIC_RCD_PAY_DONE, ==, 0);

    fs.pay_len = 1448;
    fs.seed = 1;
    len = build_frame(&fs, frame, &l5);
    inject(t, frame, len);
    flags = rxq_check(t, &r, frame, len, l5, &cd);
    g_assert_cmpuint(le16_to_cpu(cd.pay_idx), ==, 0);
    g_assert_cmpuint(le32_to_cpu(cd.pay_off), ==, 1024);
    g_assert_cmphex(flags & ZCNIC_RCD_PAY_DONE, ==, 0);
    g_assert_cmpuint(qrd(t, 0, ZCNIC_RXQ_PBR_HEAD), ==, 1);

    /* fill the buffer: next starts at 2560, then every 1536 bytes */
    off = 2560;
    for (i = 0; i < 8; i++) {
        fs.seed = 10 + i;
        len = build_frame(&fs, frame, &l5);
        inject(t, frame, len);
        flags = rxq_check(t, &r, frame, len, l5, &cd);
        g_assert_cmpuint(le32_to_cpu(cd.pay_off), ==, off);
        g_assert_cmpuint(le16_to_cpu(cd.pay_idx), ==, 0);
        g_assert_cmphex(flags & ZCNIC_RCD_PAY_DONE, ==, 0);
        off += 1536;
    }
    /* at 14848 the payload still fits and ends at 16296 */
    fs.seed = 30;
    len = build_frame(&fs, frame, &l5);
    inject(t, frame, len);
    flags = rxq_check(t, &r, frame, len, l5, &cd);
    g_assert_cmpuint(le32_to_cpu(cd.pay_off), ==, 14848);
    /* 88 bytes left, aligned room 0: retired with this completion */
    g_assert_cmphex(flags & ZCNIC_RCD_PAY_DONE, ==, ZCNIC_RCD_PAY_DONE);

    /* next payload opens buffer 1 */
    fs.seed = 31;
    fs.pay_len = 1448;
    len = build_frame(&fs, frame, &l5);
    inject(t, frame, len);
    flags = rxq_check(t, &r, frame, len, l5, &cd);
    g_assert_cmpuint(le16_to_cpu(cd.pay_idx), ==, 1);
    g_assert_cmpuint(le32_to_cpu(cd.pay_off), ==, 0);
    g_assert_cmphex(flags & ZCNIC_RCD_PAY_DONE, ==, 0);
    zt_end(t);

    /* 4 KiB packed buffers: a payload that does not fit continues */
    t = zt_start(NULL);
    wr(t, ZCNIC_DEV_MAX_FRAME, 9216);
    rxq_setup(t, &r, 0, ZCNIC_RXQ_CTRL_HDS | ZCNIC_RXQ_CTRL_PACK, 256, 12);
    fs.pay_len = 3000;
    len = build_frame(&fs, frame, &l5);
    inject(t, frame, len);
    flags = rxq_check(t, &r, frame, len, l5, &cd);
    g_assert_cmphex(flags & ZCNIC_RCD_PAY_DONE, ==, 0);
    fs.pay_len = 1448;
    fs.seed = 2;
    len = build_frame(&fs, frame, &l5);
    inject(t, frame, len);
    flags = rxq_check(t, &r, frame, len, l5, &cd);
    /* starts at 3072 in buffer 0, 1024 there, 424 at 0 of buffer 1 */
    g_assert_cmpuint(le16_to_cpu(cd.pay_idx), ==, 0);
    g_assert_cmpuint(le32_to_cpu(cd.pay_off), ==, 3072);
    g_assert_cmphex(flags & ZCNIC_RCD_PAY_DONE, ==, 0);
    g_assert_cmpuint(qrd(t, 0, ZCNIC_RXQ_PBR_HEAD), ==, 2);
    /* next one goes to 512 of buffer 1 */
    fs.seed = 3;
    len = build_frame(&fs, frame, &l5);
    inject(t, frame, len);
    rxq_check(t, &r, frame, len, l5, &cd);
    g_assert_cmpuint(le16_to_cpu(cd.pay_idx), ==, 1);
    g_assert_cmpuint(le32_to_cpu(cd.pay_off), ==, 512);
    zt_end(t);
}

static void test_rx_scatter(void)
{
    Zt *t = zt_start(NULL);
    g_autofree uint8_t *frame = g_malloc0(ZCNIC_FRAME_MAX);
    FrameSpec fs = { .l4 = 6, .pay_len = 6000, .seed = 5 };
    struct zcnic_rx_cmpl cd;
    uint32_t len, l5, flags;
    uint8_t b1[4096];
    RxQ r;

    wr(t, ZCNIC_DEV_MAX_FRAME, 9216);
    rxq_setup(t, &r, 0, ZCNIC_RXQ_CTRL_HDS, 256, 12);
    fs_v4(&fs, "10.0.0.2", "10.0.0.1", 1000, 2000);
    len = build_frame(&fs, frame, &l5);
    inject(t, frame, len);
    flags = rxq_check(t, &r, frame, len, l5, &cd);
    g_assert_cmpuint(le16_to_cpu(cd.pay_idx), ==, 0);
    g_assert_cmphex(flags & ZCNIC_RCD_PAY_DONE, ==, ZCNIC_RCD_PAY_DONE);
    g_assert_cmpuint(qrd(t, 0, ZCNIC_RXQ_PBR_HEAD), ==, 2);
    /* bytes 4096.. of the payload are at offset 0 of buffer 1 */
    qtest_memread(t->qts, r.pbufs + 4096, b1, 6000 - 4096);
    g_assert(!memcmp(b1, frame + l5 + 4096, 6000 - 4096));

    /* the next frame starts in buffer 2, not in what is left of 1 */
    fs.pay_len = 100;
    len = build_frame(&fs, frame, &l5);
    inject(t, frame, len);
    rxq_check(t, &r, frame, len, l5, &cd);
    g_assert_cmpuint(le16_to_cpu(cd.pay_idx), ==, 2);
    g_assert_cmpuint(le32_to_cpu(cd.pay_off), ==, 0);
    zt_end(t);
}

/* Microsoft's "Verifying the RSS Hash Calculation" vectors. */
static const uint8_t ms_key[40] = {
    0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
    0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
    0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
    0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
    0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

static const struct {
    int ipv;
    const char *dst, *src;
    uint16_t dport, sport;
    uint32_t ip, tcp;
} ms_vectors[] = {
    { 4, "161.142.100.80", "66.9.149.187", 1766, 2794,
      0x323e8fc2, 0x51ccc178 },
    { 4, "65.69.140.83", "199.92.111.2", 4739, 14230,
      0xd718262a, 0xc626b0ea },
    { 4, "12.22.207.184", "24.19.198.95", 38024, 12898,
      0xd2d0a5de, 0x5c2b394a },
    { 4, "209.142.163.6", "38.27.205.30", 2217, 48228,
      0x82989176, 0xafc7327f },
    { 4, "202.188.127.2", "153.39.163.191", 1303, 44251,
      0x5d1809c5, 0x10e828a2 },
    { 6, "3ffe:2501:200:3::1", "3ffe:2501:200:1fff::7", 1766, 2794,
      0x2cc18cd5, 0x40207d3d },
    { 6, "ff02::1", "3ffe:501:8::260:97ff:fe40:efab", 4739, 14230,
      0x0f0c461c, 0xdde51bbf },
    { 6, "fe80::200:f8ff:fe21:67cf", "3ffe:1900:4545:3:200:f8ff:fe21:67cf",
      38024, 44251, 0x4b61e985, 0x02d1feef },
};

/* ------------------------------------------------------------------ */
/* Hardware GRO from a virtio-net-header backend (section 5.7)          */
/* ------------------------------------------------------------------ */

#define GRO_TAP "zctest0"

/*
 * A tap of our own in a network namespace of our own.  What we write on
 * an AF_PACKET socket with a virtio-net header leaves the tap towards
 * QEMU whole, as one coalesced frame, while the tap has TSO offload (the
 * device asks for it while a GRO queue runs), and segmented by the kernel
 * otherwise.  t->sock[0] is the packet socket, t->sock[1] the tap.
 */
static Zt *zt_start_tap(void)
{
    Zt *t = g_new0(Zt, 1);
    g_autofree char *netdev = NULL;
    struct sockaddr_ll sll = {};
    struct ifreq ifr = {};
    int one = 1, fd;

    g_assert_cmpint(unshare(CLONE_NEWNET), ==, 0);
    /* no IPv6 router solicitations or DAD frames from the tap */
    fd = open("/proc/sys/net/ipv6/conf/default/disable_ipv6", O_WRONLY);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(write(fd, "1", 1), ==, 1);
    close(fd);
    t->sock[1] = open("/dev/net/tun", O_RDWR);
    g_assert_cmpint(t->sock[1], >=, 0);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
    g_strlcpy(ifr.ifr_name, GRO_TAP, IFNAMSIZ);
    g_assert_cmpint(ioctl(t->sock[1], TUNSETIFF, &ifr), ==, 0);
    fd = socket(AF_INET, SOCK_DGRAM, 0);
    g_assert_cmpint(fd, >=, 0);
    ifr.ifr_flags = IFF_UP;
    g_assert_cmpint(ioctl(fd, SIOCSIFFLAGS, &ifr), ==, 0);
    close(fd);

    t->sock[0] = socket(AF_PACKET, SOCK_RAW, 0);     /* send only */
    g_assert_cmpint(t->sock[0], >=, 0);
    g_assert_cmpint(setsockopt(t->sock[0], SOL_PACKET, PACKET_VNET_HDR,
                               &one, sizeof(one)), ==, 0);
    sll.sll_family = AF_PACKET;
    sll.sll_ifindex = if_nametoindex(GRO_TAP);
    g_assert_cmpint(bind(t->sock[0], (struct sockaddr *)&sll, sizeof(sll)),
                    ==, 0);

    /* QEMU probes the fd for its virtio-net header (IFF_VNET_HDR) */
    netdev = g_strdup_printf("tap,fd=%d", t->sock[1]);
    return zt_boot(t, netdev, NULL);
}

/*
 * Send a TCP frame built by build_frame() as one GSO packet of mss-byte
 * segments, its checksum left to the NIC (NEEDS_CSUM: the field holds the
 * pseudo-header sum), and wait until the device has taken `frames' frames.
 */
static void tap_send_gso(Zt *t, const uint8_t *frame, uint32_t len, int ipv,
                         uint32_t l5, uint16_t mss, uint32_t frames)
{
    uint32_t l3 = 14, l4 = l3 + (ipv == 4 ? 20 : 40), sum;
    g_autofree uint8_t *seeded = g_memdup2(frame, len);
    uint64_t before = qom_u64(t, "rx-frames");
    gint64 end = g_get_monotonic_time() + 10 * G_TIME_SPAN_SECOND;
    uint8_t ph[4] = { 0, 6 };
    struct virtio_net_hdr vh = {
        .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
        .gso_type = ipv == 4 ? VIRTIO_NET_HDR_GSO_TCPV4
                             : VIRTIO_NET_HDR_GSO_TCPV6,
        .hdr_len = cpu_to_le16(l5),
        .gso_size = cpu_to_le16(mss),
        .csum_start = cpu_to_le16(l4),
        .csum_offset = cpu_to_le16(16),
    };
    struct iovec iov[2] = {
        { .iov_base = &vh, .iov_len = sizeof(vh) },
        { .iov_base = seeded, .iov_len = len },
    };

    sum = ipv == 4 ? csum_add(0, frame + l3 + 12, 8)
                   : csum_add(0, frame + l3 + 8, 32);
    stw_be_p(ph + 2, len - l4);
    sum = csum_add(sum, ph, 4);
    stw_be_p(seeded + l4 + 16, ~csum_fold(sum) & 0xffff);
    g_assert_cmpint(writev(t->sock[0], iov, 2), ==, sizeof(vh) + len);
    while (qom_u64(t, "rx-frames") < before + frames) {
        g_assert(g_get_monotonic_time() < end);
        g_usleep(1000);
    }
    g_assert_cmpuint(qom_u64(t, "rx-frames"), ==, before + frames);
}

static void test_rx_gro_vnet(void)
{
    const uint32_t nseg = 10, mss = 1448;
    g_autofree uint8_t *frame = g_malloc0(ZCNIC_GRO_FRAME_MAX);
    g_autofree uint8_t *pay = g_malloc0(mss);
    struct zcnic_rx_cmpl cd;
    uint32_t len, l5, flags, i;
    Zt *t;
    RxQ r;
    int ipv;

    t = zt_start_tap();
    g_assert(!qom_get_bool(t, "backend-gro"));

    /* A queue without GRO: the tap gets no TSO, the kernel segments. */
    rxq_setup(t, &r, 0, ZCNIC_RXQ_CTRL_HDS, 256, 12);
    g_assert(!qom_get_bool(t, "backend-gro"));
    {
        FrameSpec fs = { .l4 = 6, .pay_len = nseg * mss, .seed = 5 };

        fs_v4(&fs, "10.0.0.2", "10.0.0.1", 40000, 5201);
        len = build_frame(&fs, frame, &l5);
    }
    tap_send_gso(t, frame, len, 4, l5, mss, nseg);
    for (i = 0; i < nseg; i++) {
        rxq_next(t, &r, &cd);
        flags = le32_to_cpu(cd.flags);
        g_assert_cmphex(flags & ZCNIC_RCD_GRO, ==, 0);
        g_assert_cmphex(flags & ZCNIC_RCD_SPLIT, ==, ZCNIC_RCD_SPLIT);
        g_assert_cmpuint(zcnic_field_get(ZCNIC_RCD_CSUM, flags), ==,
                         ZCNIC_RCD_CSUM_GOOD);
        g_assert_cmpuint(le32_to_cpu(cd.pay_len), ==, mss);
        g_assert_cmpuint(le16_to_cpu(cd.gro_segs), ==, 0);
        rxq_read_payload(t, &r, &cd, pay);
        g_assert(!memcmp(pay, frame + l5 + i * mss, mss));
        rxq_post(t, &r, 1, 1);
    }
    g_assert_cmpuint(qrd(t, 0, ZCNIC_RXQ_STAT_GRO_PKTS), ==, 0);

    /* Restarted with GRO: one receive for the whole, checksum filled in. */
    qwr(t, 0, ZCNIC_RXQ_CTRL, 0);
    g_assert(!qom_get_bool(t, "backend-gro"));
    for (ipv = 4; ipv <= 6; ipv += 2) {
        /* the most a 1500-byte MTU allows with TCP timestamps */
        uint32_t seg = ipv == 4 ? mss : 1500 - 40 - TCP_HDR;
        FrameSpec fs = { .l4 = 6, .pay_len = nseg * seg, .seed = 6 + ipv };

        rxq_setup(t, &r, 0, ZCNIC_RXQ_CTRL_HDS | ZCNIC_RXQ_CTRL_GRO, 256, 12);
        g_assert_cmphex(qrd(t, 0, ZCNIC_RXQ_CTRL), ==, ZCNIC_RXQ_CTRL_ENABLE |
                        ZCNIC_RXQ_CTRL_HDS | ZCNIC_RXQ_CTRL_GRO);
        g_assert(qom_get_bool(t, "backend-gro"));
        if (ipv == 4) {
            fs_v4(&fs, "10.0.0.2", "10.0.0.1", 40001, 5201);
        } else {
            fs_v6(&fs, "2001:db8::2", "2001:db8::1", 40001, 5201);
        }
        len = build_frame(&fs, frame, &l5);
        if (ipv == 6) {
            /* segments that would not have fit MAX_FRAME: dropped */
            tap_send_gso(t, frame, len, ipv, l5, seg + 20, 1);
            g_assert_cmpuint(qom_u64(t, "rx-bad-vnet"), ==, 1);
            g_assert(rxq_empty(t, &r));
        }
        tap_send_gso(t, frame, len, ipv, l5, seg, 1);
        /* every byte, the headers with the checksum the device computed */
        flags = rxq_check(t, &r, frame, len, l5, &cd);
        g_assert_cmphex(flags & ZCNIC_RCD_GRO, ==, ZCNIC_RCD_GRO);
        g_assert_cmphex(flags & ZCNIC_RCD_SPLIT, ==, ZCNIC_RCD_SPLIT);
        g_assert_cmpuint(zcnic_field_get(ZCNIC_RCD_CSUM, flags), ==,
                         ZCNIC_RCD_CSUM_GOOD);
        g_assert_cmpuint(zcnic_field_get(ZCNIC_RCD_L3, flags), ==,
                         ipv == 4 ? ZCNIC_RCD_L3_IPV4 : ZCNIC_RCD_L3_IPV6);
        g_assert_cmpuint(le16_to_cpu(cd.gro_segs), ==, nseg);
        g_assert_cmpuint(le16_to_cpu(cd.gro_mss), ==, seg);
        g_assert_cmpuint(qrd(t, 0, ZCNIC_RXQ_STAT_GRO_PKTS), ==,
                         ipv == 4 ? 1 : 2);
        g_assert_cmpuint(qrd(t, 0, ZCNIC_RXQ_STAT_GRO_SEGS), ==,
                         (ipv == 4 ? 1 : 2) * nseg);
        qwr(t, 0, ZCNIC_RXQ_CTRL, 0);
        g_assert(!qom_get_bool(t, "backend-gro"));
    }
    g_assert_cmpuint(qstat(t, "rx%u-gro-pkts", 0), ==, 2);
    g_assert_cmpuint(qom_u64(t, "rx-gso-drops"), ==, 0);
    g_assert_cmpuint(qom_u64(t, "rx-bad-vnet"), ==, 1);
    zt_end(t);
}

/* ------------------------------------------------------------------ */
/* Hardware GRO of separate segments (hw-spec 5.8)                     */
/* ------------------------------------------------------------------ */

/* A whole TCP frame and the segments a sender would have cut it into. */
typedef struct GroFlow {
    uint8_t whole[ZCNIC_GRO_FRAME_MAX];
    uint32_t len, l3, l4, l5, mss, nseg;
    int ipv;
    bool id_fixed;          /* every segment has the first one's IPv4 ID */
} GroFlow;

static void gro_flow(GroFlow *g, int ipv, bool vlan, uint16_t sport,
                     uint32_t pay, uint32_t mss, uint32_t seed)
{
    FrameSpec fs = { .l4 = 6, .vlan = vlan, .tci = 7, .pay_len = pay,
                     .seed = seed };

    if (ipv == 4) {
        fs_v4(&fs, "10.0.0.2", "10.0.0.1", sport, 5201);
    } else {
        fs_v6(&fs, "2001:db8::2", "2001:db8::1", sport, 5201);
    }
    g->len = build_frame(&fs, g->whole, &g->l5);
    g->ipv = ipv;
    g->l3 = 14 + (vlan ? 4 : 0);
    g->l4 = g->l3 + (ipv == 4 ? 20 : 40);
    g->mss = mss;
    g->nseg = DIV_ROUND_UP(pay, mss);
    g->id_fixed = false;
}

/*
 * Make the lengths and checksums of the TCP frame in @buf (@len bytes, IP
 * header at @l3, TCP at @l4) its own: IP length, IPv4 header checksum,
 * TCP checksum.
 */
static void tcp_frame_fix(uint8_t *buf, uint32_t len, int ipv, uint32_t l3,
                          uint32_t l4)
{
    uint8_t ph[4] = { 0, 6 };
    uint32_t sum;

    if (ipv == 4) {
        stw_be_p(buf + l3 + 2, len - l3);
        stw_be_p(buf + l3 + 10, 0);
        stw_be_p(buf + l3 + 10, csum_fold(csum_add(0, buf + l3, 20)));
        sum = csum_add(0, buf + l3 + 12, 8);
    } else {
        stw_be_p(buf + l3 + 4, len - l3 - 40);
        sum = csum_add(0, buf + l3 + 8, 32);
    }
    stw_be_p(buf + l4 + 16, 0);
    stw_be_p(ph + 2, len - l4);
    sum = csum_add(sum, ph, 4);
    sum = csum_add(sum, buf + l4, len - l4);
    stw_be_p(buf + l4 + 16, csum_fold(sum));
}

/*
 * Segment i of the flow as a sender puts it on the wire: the whole frame's
 * headers with its own lengths, IPv4 ID, sequence number and checksums;
 * PSH (build_frame sets it) only on the last.  Returns its length.
 */
static uint32_t gro_seg(const GroFlow *g, uint32_t i, uint8_t *seg)
{
    uint32_t off = g->l5 + i * g->mss, plen = MIN(g->mss, g->len - off);
    uint32_t slen = g->l5 + plen;

    memcpy(seg, g->whole, g->l5);
    memcpy(seg + g->l5, g->whole + off, plen);
    if (g->ipv == 4) {
        stw_be_p(seg + g->l3 + 4, lduw_be_p(g->whole + g->l3 + 4) +
                                  (g->id_fixed ? 0 : i));
    }
    stl_be_p(seg + g->l4 + 4, ldl_be_p(g->whole + g->l4 + 4) + i * g->mss);
    if (i + 1 < g->nseg) {
        seg[g->l4 + 13] &= ~0x08;
    }
    tcp_frame_fix(seg, slen, g->ipv, g->l3, g->l4);
    return slen;
}

static void gro_inject(Zt *t, const GroFlow *g, uint32_t i)
{
    uint8_t seg[ZCNIC_FRAME_MAX];

    inject(t, seg, gro_seg(g, i, seg));
}

/*
 * What the device must complete for segments [0, n) of the flow: the
 * whole frame cut after them, IP length, checksums and PSH made to match.
 */
static uint32_t gro_expect(const GroFlow *g, uint32_t n, uint8_t *out)
{
    uint32_t len = MIN(g->l5 + n * g->mss, g->len);

    if (n == 1) {
        return gro_seg(g, 0, out);
    }
    memcpy(out, g->whole, len);
    if (n < g->nseg) {
        out[g->l4 + 13] &= ~0x08;
    }
    tcp_frame_fix(out, len, g->ipv, g->l3, g->l4);
    return len;
}

/* The next completion is segments [0, n) of the flow, every byte. */
static void gro_check(Zt *t, RxQ *r, const GroFlow *g, uint32_t n)
{
    g_autofree uint8_t *want = g_malloc(ZCNIC_GRO_FRAME_MAX);
    uint32_t len = gro_expect(g, n, want), flags;
    struct zcnic_rx_cmpl cd;

    g_assert(!rxq_empty(t, r));
    flags = rxq_check(t, r, want, len, g->l5, &cd);
    g_assert_cmphex(flags & ZCNIC_RCD_GRO, ==, n > 1 ? ZCNIC_RCD_GRO : 0);
    g_assert_cmpuint(zcnic_field_get(ZCNIC_RCD_CSUM, flags), ==,
                     ZCNIC_RCD_CSUM_GOOD);
    g_assert_cmpuint(le16_to_cpu(cd.gro_segs), ==, n > 1 ? n : 0);
    g_assert_cmpuint(le16_to_cpu(cd.gro_mss), ==, n > 1 ? g->mss : 0);
    rxq_recycle(t, r, &cd);
}

/* The next completion is segment i of the flow alone, as sent. */
static uint32_t gro_check_seg(Zt *t, RxQ *r, const GroFlow *g, uint32_t i)
{
    uint8_t seg[ZCNIC_FRAME_MAX];
    uint32_t len = gro_seg(g, i, seg), flags;
    struct zcnic_rx_cmpl cd;

    g_assert(!rxq_empty(t, r));
    flags = rxq_check(t, r, seg, len, g->l5, &cd);
    g_assert_cmphex(flags & ZCNIC_RCD_GRO, ==, 0);
    rxq_recycle(t, r, &cd);
    return flags;
}

static void test_rx_gro_coalesce(void)
{
    g_autofree GroFlow *a = g_new0(GroFlow, 1);
    g_autofree GroFlow *b = g_new0(GroFlow, 1);
    g_autofree GroFlow *c = g_new0(GroFlow, 1);
    uint8_t seg[ZCNIC_FRAME_MAX];
    FrameSpec ack = { .l4 = 6, .seed = 8 };
    struct zcnic_rx_cmpl cd;
    uint32_t i, len, l5, flags;
    Zt *t = zt_start("");
    RxQ r;

    rxq_setup(t, &r, 0, ZCNIC_RXQ_CTRL_HDS | ZCNIC_RXQ_CTRL_GRO, 256, 14);

    /* Six segments, PSH on the last: nothing, then one receive of six. */
    gro_flow(a, 4, false, 40000, 5500, 1000, 1);
    for (i = 0; i < a->nseg; i++) {
        g_assert(rxq_empty(t, &r));
        gro_inject(t, a, i);
    }
    gro_check(t, &r, a, 6);
    g_assert(rxq_empty(t, &r));
    g_assert_cmpuint(qstat(t, "rx%u-gro-staged", 0), ==, 6);
    g_assert_cmpuint(qrd(t, 0, ZCNIC_RXQ_STAT_GRO_PKTS), ==, 1);
    g_assert_cmpuint(qrd(t, 0, ZCNIC_RXQ_STAT_GRO_SEGS), ==, 6);

    /* IPv6 behind a tag; IPv4 with one ID in every segment (DF). */
    gro_flow(a, 6, true, 40001, 4 * 1428, 1428, 2);
    for (i = 0; i < a->nseg; i++) {
        gro_inject(t, a, i);
    }
    gro_check(t, &r, a, 4);
    gro_flow(a, 4, true, 40002, 3000, 1000, 3);
    a->id_fixed = true;
    for (i = 0; i < a->nseg; i++) {
        gro_inject(t, a, i);
    }
    gro_check(t, &r, a, 3);

    /*
     * As the kernel's GRO: a fixed IPv4 ID joins without DF too; segments
     * that all carry CWR join; a last segment of one byte, padded to the
     * 60-byte minimum, joins without its padding.
     */
    gro_flow(a, 4, false, 40010, 3000, 1000, 12);
    a->id_fixed = true;
    a->whole[a->l3 + 6] &= ~0x40;
    for (i = 0; i < a->nseg; i++) {
        gro_inject(t, a, i);
    }
    gro_check(t, &r, a, 3);
    gro_flow(a, 6, false, 40011, 3000, 1000, 13);
    a->whole[a->l4 + 13] |= 0x80;
    for (i = 0; i < a->nseg; i++) {
        gro_inject(t, a, i);
    }
    gro_check(t, &r, a, 3);
    gro_flow(a, 4, false, 40012, 1001, 1000, 14);
    /* (without the timestamp option, so that one byte is a runt) */
    memmove(a->whole + a->l4 + 20, a->whole + a->l5, a->len - a->l5);
    a->whole[a->l4 + 12] = 5 << 4;
    a->len -= a->l5 - (a->l4 + 20);
    a->l5 = a->l4 + 20;
    gro_inject(t, a, 0);
    len = gro_seg(a, 1, seg);
    g_assert_cmpuint(len, <, 60);
    memset(seg + len, 0, 60 - len);
    inject(t, seg, 60);
    gro_check(t, &r, a, 2);

    /* Two flows interleaved: each completes at its own last segment. */
    gro_flow(a, 4, false, 40003, 3000, 1000, 4);
    gro_flow(b, 4, false, 40004, 2000, 1000, 5);
    gro_inject(t, a, 0);
    gro_inject(t, b, 0);
    gro_inject(t, a, 1);
    gro_inject(t, b, 1);
    gro_check(t, &r, b, 2);
    g_assert(rxq_empty(t, &r));
    gro_inject(t, a, 2);
    gro_check(t, &r, a, 3);

    /* No PSH: nothing until the queue was idle for the timeout. */
    gro_flow(a, 4, false, 40005, 5000, 1000, 6);
    for (i = 0; i < 3; i++) {
        gro_inject(t, a, i);
    }
    qtest_clock_step(t->qts, qom_u64(t, "x-gro-timeout-us") * 1000 - 1);
    g_assert(rxq_empty(t, &r));
    qtest_clock_step(t->qts, 1);
    gro_check(t, &r, a, 3);
    g_assert_cmpuint(qstat(t, "rx%u-gro-timeouts", 0), ==, 1);

    /*
     * A frame of the flow that cannot join completes what was staged
     * first, then itself: a sequence gap, a pure ACK, a bad checksum.
     */
    gro_flow(a, 4, false, 40006, 4000, 1000, 7);
    gro_inject(t, a, 0);
    gro_inject(t, a, 1);
    gro_inject(t, a, 3);                        /* 2 is missing */
    gro_check(t, &r, a, 2);
    gro_check_seg(t, &r, a, 3);                 /* PSH: up at once */
    gro_inject(t, a, 0);
    gro_inject(t, a, 1);
    fs_v4(&ack, "10.0.0.2", "10.0.0.1", 40006, 5201);
    len = build_frame(&ack, seg, &l5);
    inject(t, seg, len);
    gro_check(t, &r, a, 2);
    rxq_check(t, &r, seg, len, len, &cd);
    rxq_recycle(t, &r, &cd);
    gro_inject(t, a, 0);
    len = gro_seg(a, 1, seg);
    seg[len - 1] ^= 0x5a;
    inject(t, seg, len);
    gro_check_seg(t, &r, a, 0);
    rxq_next(t, &r, &cd);
    g_assert_cmpuint(zcnic_field_get(ZCNIC_RCD_CSUM, le32_to_cpu(cd.flags)),
                     ==, ZCNIC_RCD_CSUM_BAD);
    rxq_recycle(t, &r, &cd);
    g_assert(rxq_empty(t, &r));

    /* Two flows at a time: a third completes the oldest as it is. */
    qom_set_int(t, "x-gro-flows", 2);
    gro_flow(c, 6, false, 40007, 2000, 1000, 9);
    gro_inject(t, a, 0);
    gro_inject(t, b, 0);
    g_assert(rxq_empty(t, &r));
    gro_inject(t, c, 0);
    gro_check_seg(t, &r, a, 0);
    g_assert_cmpuint(qstat(t, "rx%u-gro-full", 0), ==, 1);
    gro_inject(t, b, 1);
    gro_check(t, &r, b, 2);
    gro_inject(t, c, 1);
    gro_check(t, &r, c, 2);

    /* Stopping the queue discards what was staged, and says so. */
    gro_inject(t, a, 0);
    gro_inject(t, a, 1);
    qwr(t, 0, ZCNIC_RXQ_CTRL, 0);
    g_assert_cmpuint(qstat(t, "rx%u-gro-aborted", 0), ==, 2);

    /* Negative controls: without GRO, or x-gro-flows=0, one per segment. */
    for (i = 0; i < 2; i++) {
        uint32_t k;

        rxq_setup(t, &r, 0, ZCNIC_RXQ_CTRL_HDS | (i ? ZCNIC_RXQ_CTRL_GRO : 0),
                  256, 14);
        qom_set_int(t, "x-gro-flows", 0);
        gro_flow(a, 4, false, 40008 + i, 3000, 1000, 10 + i);
        for (k = 0; k < a->nseg; k++) {
            gro_inject(t, a, k);
            flags = gro_check_seg(t, &r, a, k);
            g_assert_cmpuint(zcnic_field_get(ZCNIC_RCD_CSUM, flags), ==,
                             ZCNIC_RCD_CSUM_GOOD);
        }
        qwr(t, 0, ZCNIC_RXQ_CTRL, 0);
    }
    zt_end(t);
}

/*
 * An aggregate due when the queue has too few buffers (x-nobuf=hold): it
 * waits, the queue's next frame waits behind it in the net layer, and the
 * refill delivers both, in order.
 */
static void test_rx_gro_stall(void)
{
    g_autofree GroFlow *a = g_new0(GroFlow, 1);
    g_autofree GroFlow *b = g_new0(GroFlow, 1);
    Zt *t = zt_start(",x-nobuf=hold");
    uint32_t i;
    RxQ r;

    rxq_program(t, &r, 0, 16, 256, 12);
    qwr(t, 0, ZCNIC_RXQ_CTRL, ZCNIC_RXQ_CTRL_ENABLE | ZCNIC_RXQ_CTRL_HDS |
                               ZCNIC_RXQ_CTRL_GRO);
    r.gen = true;
    rxq_post(t, &r, 8, 1);
    gro_flow(a, 4, false, 40000, 4 * 1400, 1400, 1);  /* two 4 KiB buffers */
    gro_flow(b, 4, false, 40001, 500, 1000, 2);       /* one segment, PSH */

    /* Nothing behind it: the refill alone completes it. */
    for (i = 0; i < a->nseg; i++) {
        gro_inject(t, a, i);
    }
    g_assert(rxq_empty(t, &r));
    g_assert_cmpuint(qom_u64(t, "rx-held"), ==, 1);
    rxq_post(t, &r, 0, 1);
    gro_check(t, &r, a, 4);
    g_assert(rxq_empty(t, &r));

    /* Two buffers for one that needs three, and a frame behind it. */
    gro_flow(a, 4, false, 40002, 8 * 1400, 1400, 3);
    for (i = 0; i < a->nseg; i++) {
        gro_inject(t, a, i);
    }
    gro_inject(t, b, 0);
    g_assert(rxq_empty(t, &r));
    g_assert_cmpuint(qom_u64(t, "rx-held"), >=, 3);
    g_assert_cmpuint(qrd(t, 0, ZCNIC_RXQ_STAT_NOBUF), ==, 0);

    rxq_post(t, &r, 0, 3);
    gro_check(t, &r, a, 8);
    {
        gint64 end = g_get_monotonic_time() + 10 * G_TIME_SPAN_SECOND;

        while (rxq_empty(t, &r)) {
            g_assert(g_get_monotonic_time() < end);
            g_usleep(1000);
        }
    }
    gro_check_seg(t, &r, b, 0);
    g_assert(rxq_empty(t, &r));
    zt_end(t);
}

/* ------------------------------------------------------------------ */
/* TCP segmentation offload (hw-spec 8.3)                              */
/* ------------------------------------------------------------------ */

/*
 * A TSO frame as the stack hands it over: build_frame()'s TCP frame with
 * TCP flags th_flags and, in its checksum field, the pseudo-header sum
 * over the whole TCP length.  Returns its length and the offsets of its
 * IP header, TCP header and payload.
 */
static uint32_t tso_frame(const FrameSpec *fs, uint8_t th_flags, uint8_t *buf,
                          uint32_t *l3p, uint32_t *l4p, uint32_t *l5p)
{
    uint32_t len = build_frame(fs, buf, l5p);
    uint32_t l3 = 14 + (fs->vlan ? 4 : 0), l4 = l3 + (fs->ipv == 4 ? 20 : 40);
    uint8_t ph[4] = { 0, 6 };
    uint32_t sum = fs->ipv == 4 ? csum_add(0, buf + l3 + 12, 8)
                                : csum_add(0, buf + l3 + 8, 32);

    buf[l4 + 13] = th_flags;
    stw_be_p(ph + 2, len - l4);
    sum = csum_add(sum, ph, 4);
    stw_be_p(buf + l4 + 16, ~csum_fold(sum) & 0xffff);
    *l3p = l3;
    *l4p = l4;
    return len;
}

/* Post a frame in three buffers (the first ends inside the headers). */
static void tx_post3(Zt *t, TxQ *x, const uint8_t *frame, uint32_t len,
                     uint16_t flags, uint16_t cstart, uint16_t coff)
{
    uint32_t a = MIN(40, len), b = (len - a) / 2, i;
    uint32_t part[3] = { a, b, len - a - b }, off = 0;

    for (i = 0; i < 3; i++) {
        uint64_t buf;

        if (!part[i]) {
            continue;
        }
        buf = zalloc(t, part[i], 64);
        qtest_memwrite(t->qts, buf, frame + off, part[i]);
        off += part[i];
        txq_put(t, x, buf, part[i],
                (i ? 0 : flags) | (off == len ? ZCNIC_TXD_EOP : 0),
                i ? 0 : cstart, i ? 0 : coff);
    }
    qwr(t, x->q, ZCNIC_TXQ_DR_TAIL, x->tail);
}

/* The next TX completion, consumed (TCQ_HEAD written). */
static void txq_next(Zt *t, TxQ *x, struct zcnic_tx_cmpl *cd)
{
    qtest_memread(t->qts, x->tcq + 8 * x->chead, cd, sizeof(*cd));
    g_assert_cmpuint(!!(le32_to_cpu(cd->flags) & ZCNIC_TCD_GEN), ==, x->gen);
    x->chead = (x->chead + 1) % x->ring;
    if (!x->chead) {
        x->gen = !x->gen;
    }
    qwr(t, x->q, ZCNIC_TXQ_TCQ_HEAD, x->chead);
}

/*
 * Segment i of nseg that the device made of the TSO frame: the frame's
 * headers with the segment's IP length, IPv4 identification and header
 * checksum, sequence number, flags and TCP checksum; its payload slice.
 */
static void tso_check_seg(const uint8_t *frame, uint32_t len, int ipv,
                          uint32_t l3, uint32_t l4, uint32_t l5, uint32_t mss,
                          uint32_t i, uint32_t nseg, const uint8_t *seg,
                          uint32_t slen)
{
    uint32_t off = l5 + i * mss, plen = MIN(mss, len - off), sum;
    uint8_t ph[4] = { 0, 6 }, th_flags = frame[l4 + 13];

    g_assert_cmpuint(slen, ==, l5 + plen);
    g_assert(!memcmp(seg + l5, frame + off, plen));
    g_assert(!memcmp(seg, frame, l3));
    if (ipv == 4) {
        g_assert_cmpuint(lduw_be_p(seg + l3 + 2), ==, slen - l3);
        g_assert_cmpuint(lduw_be_p(seg + l3 + 4), ==,
                         (lduw_be_p(frame + l3 + 4) + i) & 0xffff);
        g_assert_cmphex(csum_fold(csum_add(0, seg + l3, 20)), ==, 0);
        g_assert(!memcmp(seg + l3, frame + l3, 2));
        g_assert(!memcmp(seg + l3 + 6, frame + l3 + 6, 4));
        g_assert(!memcmp(seg + l3 + 12, frame + l3 + 12, 8));
        sum = csum_add(0, seg + l3 + 12, 8);
    } else {
        g_assert_cmpuint(lduw_be_p(seg + l3 + 4), ==, slen - l3 - 40);
        g_assert(!memcmp(seg + l3, frame + l3, 4));
        g_assert(!memcmp(seg + l3 + 6, frame + l3 + 6, 34));
        sum = csum_add(0, seg + l3 + 8, 32);
    }
    g_assert_cmpuint(ldl_be_p(seg + l4 + 4), ==,
                     ldl_be_p(frame + l4 + 4) + i * mss);
    if (i) {
        th_flags &= ~0x80;                      /* CWR on the first only */
    }
    if (i + 1 < nseg) {
        th_flags &= ~0x09;                      /* PSH, FIN on the last */
    }
    g_assert_cmphex(seg[l4 + 13], ==, th_flags);
    g_assert(!memcmp(seg + l4, frame + l4, 4));
    g_assert(!memcmp(seg + l4 + 8, frame + l4 + 8, 5));
    g_assert(!memcmp(seg + l4 + 14, frame + l4 + 14, 2));
    g_assert(!memcmp(seg + l4 + 18, frame + l4 + 18, l5 - l4 - 18));
    stw_be_p(ph + 2, slen - l4);
    sum = csum_add(sum, ph, 4);
    sum = csum_add(sum, seg + l4, slen - l4);
    g_assert_cmphex(csum_fold(sum), ==, 0);
}

static const struct {
    int ipv;
    bool vlan;
    uint8_t th_flags;
    uint32_t pay, mss;
} tso_cases[] = {
    { 4, false, 0x18, 3500, 1000 },     /* PSH ACK: the last segment short */
    { 6, true, 0x99, 8000, 1428 },      /* CWR PSH ACK FIN behind a tag */
    { 4, false, 0x10, 700, 1000 },      /* one segment */
    { 4, true, 0x10, 65400, 8948 },     /* the largest frame, jumbo MSS */
};

/* tso_cases[c] built by tso_frame(): its length and header offsets. */
static uint32_t tso_case_frame(uint32_t c, uint8_t *buf, uint32_t *l3,
                               uint32_t *l4, uint32_t *l5)
{
    FrameSpec fs = { .l4 = 6, .vlan = tso_cases[c].vlan, .tci = 5,
                     .pay_len = tso_cases[c].pay, .seed = c };

    if (tso_cases[c].ipv == 4) {
        fs_v4(&fs, "10.0.0.1", "10.0.0.2", 4000 + c, 5201);
    } else {
        fs_v6(&fs, "2001:db8::1", "2001:db8::2", 4000 + c, 5201);
    }
    return tso_frame(&fs, tso_cases[c].th_flags, buf, l3, l4, l5);
}

/* The device segments TSO frames for a backend without vnet headers. */
static void test_tx_tso(void)
{
    Zt *t = zt_start(NULL);
    g_autofree uint8_t *frame = g_malloc0(ZCNIC_TSO_FRAME_MAX * 2);
    g_autofree uint8_t *out = g_malloc0(ZCNIC_FRAME_MAX);
    uint32_t len, slen, l3, l4, l5, i, c, q = 1, nseg, segs = 0, errs = 0;
    struct zcnic_tx_cmpl cd;
    TxQ x;

    txq_setup(t, &x, q);
    for (c = 0; c < G_N_ELEMENTS(tso_cases); c++) {
        uint32_t mss = tso_cases[c].mss;

        len = tso_case_frame(c, frame, &l3, &l4, &l5);
        nseg = DIV_ROUND_UP(len - l5, mss);
        tx_post3(t, &x, frame, len, ZCNIC_TXD_CSUM | ZCNIC_TXD_TSO, l4, mss);
        for (i = 0; i < nseg; i++) {
            slen = sock_recv_frame(t, out, ZCNIC_FRAME_MAX);
            tso_check_seg(frame, len, tso_cases[c].ipv, l3, l4, l5, mss, i,
                          nseg, out, slen);
        }
        segs += nseg;
        txq_next(t, &x, &cd);
        g_assert_cmpuint(le16_to_cpu(cd.status), ==, ZCNIC_TCD_STATUS_OK);
        g_assert_cmpuint(le16_to_cpu(cd.desc_idx), ==,
                         (x.tail + x.ring - 1) % x.ring);
    }
    g_assert_cmpuint(qrd(t, q, ZCNIC_TXQ_STAT_PKTS), ==, c);
    g_assert_cmpuint(qrd(t, q, ZCNIC_TXQ_STAT_TSO_PKTS), ==, c);
    g_assert_cmpuint(qrd(t, q, ZCNIC_TXQ_STAT_TSO_SEGS), ==, segs);
    g_assert_cmpuint(qstat(t, "tx%u-tso-segs", q), ==, segs);

    /* What the device cannot segment completes with ERR, sending nothing. */
    for (c = 0; c < 10; c++) {
        FrameSpec fs = { .l4 = 6, .pay_len = 3000, .seed = 40 + c };
        uint16_t flags = ZCNIC_TXD_CSUM | ZCNIC_TXD_TSO, mss = 1000;
        uint32_t cstart;

        fs_v4(&fs, "10.0.0.1", "10.0.0.2", 4100 + c, 5201);
        switch (c) {
        case 3:
            fs.l4 = 17;                 /* UDP */
            break;
        case 4:
            fs.frag = true;
            break;
        case 5:
            fs.pay_len = 300;           /* 300 segments of one byte */
            mss = 1;
            break;
        case 6:
            fs.ipv = 0;                 /* ARP */
            break;
        case 8:
            fs.pay_len = 20000;         /* segments over FRAME_MAX */
            mss = ZCNIC_FRAME_MAX;
            break;
        case 9:
            fs.pay_len = 70000 - 86;    /* over TSO_FRAME_MAX */
            break;
        }
        len = tso_frame(&fs, 0x10, frame, &l3, &l4, &l5);
        cstart = l4;
        if (c == 0) {
            flags = ZCNIC_TXD_TSO;      /* without CSUM */
        } else if (c == 1) {
            mss = 0;
        } else if (c == 2) {
            cstart = l4 + 4;            /* not at the TCP header */
        } else if (c == 7) {
            frame[l4 + 12] = 4 << 4;    /* TCP data offset below 5 */
        }
        tx_post3(t, &x, frame, len, flags, cstart, mss);
        txq_next(t, &x, &cd);
        g_assert_cmpuint(le16_to_cpu(cd.status), ==, ZCNIC_TCD_STATUS_ERR);
        g_assert_cmpuint(rd(t, ZCNIC_DEV_GUEST_ERRS), ==, ++errs);
    }
    g_assert_cmpuint(qrd(t, q, ZCNIC_TXQ_STAT_ERRS), ==, c);
    g_assert_cmpuint(qrd(t, q, ZCNIC_TXQ_STAT_TSO_PKTS), ==,
                     G_N_ELEMENTS(tso_cases));
    g_assert_cmphex(qrd(t, q, ZCNIC_TXQ_STATUS), ==, ZCNIC_TXQ_STATUS_ENABLED);

    /* a plain frame over FRAME_MAX is refused as before */
    memset(frame, 0, ZCNIC_FRAME_MAX + 1);
    tx_post3(t, &x, frame, ZCNIC_FRAME_MAX + 1, 0, 0, 0);
    txq_next(t, &x, &cd);
    g_assert_cmpuint(le16_to_cpu(cd.status), ==, ZCNIC_TCD_STATUS_ERR);

    /* none of the refused frames left a segment behind: next is this one */
    memset(frame, 0xa5, 64);
    tx_post3(t, &x, frame, 64, 0, 0, 0);
    txq_next(t, &x, &cd);
    g_assert_cmpuint(le16_to_cpu(cd.status), ==, ZCNIC_TCD_STATUS_OK);
    g_assert_cmpuint(sock_recv_frame(t, out, ZCNIC_FRAME_MAX), ==, 64);
    g_assert(!memcmp(out, frame, 64));
    zt_end(t);
}

/*
 * A backend that takes virtio-net headers (a tap) gets a TSO frame whole,
 * with a header asking for segmentation; a one-segment frame goes as that
 * segment.  An AF_PACKET socket on the tap reads what QEMU wrote.
 */
/*
 * TSO inside a tunnel (8.3): the frame tso_frame() builds (inner IP, TCP
 * with the pseudo-header seed, payload) behind an outer IP header and,
 * by kind, UDP + VXLAN + an Ethernet header, GRE, or nothing (IP in IP).
 */
enum { TNL_VXLAN, TNL_VXLAN_CSUM, TNL_GRE_CSUM, TNL_IPIP };

typedef struct TnlHdr {
    char kind;              /* '4', '6' (IP), 'u' (UDP), 'g' (GRE) */
    uint32_t off;
    uint32_t ip;            /* UDP: index of its IP header */
} TnlHdr;

typedef struct TnlFrame {
    TnlHdr hdr[4];
    uint32_t nhdr, len, l4, l5, inner_l3;
    int inner_ipv;
} TnlFrame;

static void tnl_ip(uint8_t *p, int ipv, uint8_t proto, uint32_t ip_len)
{
    if (ipv == 4) {
        p[0] = 0x45;
        p[1] = 0;
        stw_be_p(p + 2, ip_len);
        stw_be_p(p + 4, 0x4242);
        stw_be_p(p + 6, 0x4000);
        p[8] = 64;
        p[9] = proto;
        stw_be_p(p + 10, 0);
        memcpy(p + 12, "\xc0\x00\x02\x01\xc0\x00\x02\x02", 8);
        stw_be_p(p + 10, csum_fold(csum_add(0, p, 20)));
    } else {
        stl_be_p(p, 0x60012345);
        stw_be_p(p + 4, ip_len - 40);
        p[6] = proto;
        p[7] = 64;
        memset(p + 8, 0, 32);
        p[8] = 0x20;
        p[9] = 0x01;
        p[23] = 1;
        p[24] = 0x20;
        p[25] = 0x01;
        p[39] = 2;
    }
}

static uint32_t tnl_frame(int kind, int outer, int inner, uint32_t pay,
                          uint8_t *buf, TnlFrame *f)
{
    FrameSpec fs = { .l4 = 6, .pay_len = pay, .seed = 60 + kind };
    g_autofree uint8_t *in = g_malloc0(ZCNIC_TSO_FRAME_MAX);
    uint32_t ilen, il3, il4, il5, off, olen;
    uint8_t proto;

    if (inner == 4) {
        fs_v4(&fs, "10.9.0.1", "10.9.0.2", 4300 + kind, 5201);
    } else {
        fs_v6(&fs, "fd00:9::1", "fd00:9::2", 4300 + kind, 5201);
    }
    ilen = tso_frame(&fs, 0x18, in, &il3, &il4, &il5);
    memset(f, 0, sizeof(*f));
    memcpy(buf, peer_mac, 6);
    memcpy(buf + 6, nic_mac, 6);
    stw_be_p(buf + 12, outer == 4 ? 0x0800 : 0x86dd);
    f->hdr[f->nhdr++] = (TnlHdr) { outer == 4 ? '4' : '6', 14, 0 };
    off = 14 + (outer == 4 ? 20 : 40);
    switch (kind) {
    case TNL_VXLAN:
    case TNL_VXLAN_CSUM:
        proto = 17;
        f->hdr[f->nhdr++] = (TnlHdr) { 'u', off, 0 };
        stw_be_p(buf + off, 49152);
        stw_be_p(buf + off + 2, 4789);
        /* the stack leaves a seed there; any non-zero value asks */
        stw_be_p(buf + off + 6, kind == TNL_VXLAN_CSUM ? 0x1234 : 0);
        memcpy(buf + off + 8, "\x08\x00\x00\x00\x00\x00\x64\x00", 8);
        memcpy(buf + off + 16, in, 14);     /* the inner Ethernet header */
        off += 8 + 8 + 14;
        break;
    case TNL_GRE_CSUM:
        proto = 47;
        f->hdr[f->nhdr++] = (TnlHdr) { 'g', off, 0 };
        stw_be_p(buf + off, 0xa000);        /* C and K */
        stw_be_p(buf + off + 2, inner == 4 ? 0x0800 : 0x86dd);
        stl_be_p(buf + off + 4, 0);
        stl_be_p(buf + off + 8, 0xcafe);
        off += 12;
        break;
    default:
        proto = inner == 4 ? 4 : 41;
        break;
    }
    f->inner_l3 = off;
    f->inner_ipv = inner;
    f->hdr[f->nhdr++] = (TnlHdr) { inner == 4 ? '4' : '6', off, 0 };
    memcpy(buf + off, in + il3, ilen - il3);
    f->l4 = off + (il4 - il3);
    f->l5 = off + (il5 - il3);
    f->len = olen = off + ilen - il3;
    tnl_ip(buf + 14, outer, proto, olen - 14);
    if (f->hdr[1].kind == 'u') {
        stw_be_p(buf + f->hdr[1].off + 4, olen - f->hdr[1].off);
    }
    return olen;
}

/* Segment i of nseg the device made of tunnel frame f, field by field. */
static void tnl_check_seg(const uint8_t *frame, const TnlFrame *f,
                          uint32_t mss, uint32_t i, uint32_t nseg,
                          const uint8_t *seg, uint32_t slen)
{
    uint32_t off = f->l5 + i * mss, plen = MIN(mss, f->len - off), k, o, sum;
    uint8_t ph[4] = { 0, 17 }, th_flags = frame[f->l4 + 13];

    g_assert_cmpuint(slen, ==, f->l5 + plen);
    g_assert(!memcmp(seg + f->l5, frame + off, plen));
    g_assert(!memcmp(seg, frame, 14));
    for (k = 0; k < f->nhdr; k++) {
        o = f->hdr[k].off;
        switch (f->hdr[k].kind) {
        case '4':
            g_assert_cmpuint(lduw_be_p(seg + o + 2), ==, slen - o);
            g_assert_cmpuint(lduw_be_p(seg + o + 4), ==,
                             (lduw_be_p(frame + o + 4) + i) & 0xffff);
            g_assert_cmphex(csum_fold(csum_add(0, seg + o, 20)), ==, 0);
            g_assert(!memcmp(seg + o, frame + o, 2));
            g_assert(!memcmp(seg + o + 6, frame + o + 6, 4));
            g_assert(!memcmp(seg + o + 12, frame + o + 12, 8));
            break;
        case '6':
            g_assert_cmpuint(lduw_be_p(seg + o + 4), ==, slen - o - 40);
            g_assert(!memcmp(seg + o, frame + o, 4));
            g_assert(!memcmp(seg + o + 6, frame + o + 6, 34));
            break;
        case 'u':
            g_assert(!memcmp(seg + o, frame + o, 4));
            g_assert_cmpuint(lduw_be_p(seg + o + 4), ==, slen - o);
            /* VXLAN and the inner Ethernet header as they were */
            g_assert(!memcmp(seg + o + 8, frame + o + 8, 8 + 14));
            if (!lduw_be_p(frame + o + 6)) {
                g_assert_cmphex(lduw_be_p(seg + o + 6), ==, 0);
                break;
            }
            sum = f->hdr[0].kind == '4' ? csum_add(0, seg + 14 + 12, 8)
                                        : csum_add(0, seg + 14 + 8, 32);
            stw_be_p(ph + 2, slen - o);
            sum = csum_add(sum, ph, 4);
            g_assert_cmphex(csum_fold(csum_add(sum, seg + o, slen - o)), ==, 0);
            break;
        case 'g':
            g_assert(!memcmp(seg + o, frame + o, 4));
            g_assert(!memcmp(seg + o + 8, frame + o + 8, 4));
            g_assert_cmphex(csum_fold(csum_add(0, seg + o, slen - o)), ==, 0);
            break;
        }
    }
    /* inner TCP: sequence, flags, checksum over the inner pseudo-header */
    g_assert_cmpuint(ldl_be_p(seg + f->l4 + 4), ==,
                     ldl_be_p(frame + f->l4 + 4) + i * mss);
    if (i + 1 < nseg) {
        th_flags &= ~0x09;
    }
    g_assert_cmphex(seg[f->l4 + 13], ==, th_flags);
    g_assert(!memcmp(seg + f->l4, frame + f->l4, 4));
    g_assert(!memcmp(seg + f->l4 + 8, frame + f->l4 + 8, 5));
    g_assert(!memcmp(seg + f->l4 + 18, frame + f->l4 + 18, f->l5 - f->l4 - 18));
    o = f->inner_l3;
    sum = f->inner_ipv == 4 ? csum_add(0, seg + o + 12, 8)
                            : csum_add(0, seg + o + 8, 32);
    ph[1] = 6;
    stw_be_p(ph + 2, slen - f->l4);
    sum = csum_add(sum, ph, 4);
    g_assert_cmphex(csum_fold(csum_add(sum, seg + f->l4, slen - f->l4)), ==, 0);
}

static void test_tx_tso_tunnel(void)
{
    static const struct {
        int kind, outer, inner;
    } cases[] = {
        { TNL_VXLAN, 4, 4 },        /* vxlan noudpcsum */
        { TNL_VXLAN, 6, 6 },        /* vxlan udp6zerocsumtx */
        { TNL_VXLAN_CSUM, 4, 6 },   /* vxlan udpcsum */
        { TNL_VXLAN_CSUM, 6, 4 },
        { TNL_GRE_CSUM, 4, 4 },
        { TNL_GRE_CSUM, 6, 6 },
        { TNL_IPIP, 4, 4 },         /* ipip */
        { TNL_IPIP, 4, 6 },         /* sit */
        { TNL_IPIP, 6, 4 },         /* ip6tnl */
    };
    Zt *t = zt_start(NULL);
    g_autofree uint8_t *frame = g_malloc0(ZCNIC_TSO_FRAME_MAX * 2);
    g_autofree uint8_t *out = g_malloc0(ZCNIC_FRAME_MAX);
    uint32_t len, slen, i, c, q = 2, nseg, mss = 1200, errs = 0;
    struct zcnic_tx_cmpl cd;
    TnlFrame f;
    TxQ x;

    txq_setup(t, &x, q);
    for (c = 0; c < G_N_ELEMENTS(cases); c++) {
        len = tnl_frame(cases[c].kind, cases[c].outer, cases[c].inner, 4000,
                        frame, &f);
        nseg = DIV_ROUND_UP(len - f.l5, mss);
        tx_post3(t, &x, frame, len, ZCNIC_TXD_CSUM | ZCNIC_TXD_TSO, f.l4, mss);
        for (i = 0; i < nseg; i++) {
            slen = sock_recv_frame(t, out, ZCNIC_FRAME_MAX);
            tnl_check_seg(frame, &f, mss, i, nseg, out, slen);
        }
        txq_next(t, &x, &cd);
        g_assert_cmpuint(le16_to_cpu(cd.status), ==, ZCNIC_TCD_STATUS_OK);
    }
    g_assert_cmpuint(qrd(t, q, ZCNIC_TXQ_STAT_TSO_PKTS), ==, c);

    /* Refused: a tunnel in a tunnel, GRE version 1, UDP that ends short. */
    for (c = 0; c < 3; c++) {
        len = tnl_frame(c == 1 ? TNL_GRE_CSUM : TNL_IPIP, 4, 4, 3000,
                        frame, &f);
        if (c == 0) {
            frame[f.inner_l3 + 9] = 4;      /* the inner IP is IPIP too */
        } else if (c == 1) {
            frame[f.hdr[1].off + 1] |= 1;   /* GRE version 1 (PPTP) */
        } else {
            len = 14 + 20 + 8 + 4;          /* UDP, then 4 bytes */
            tnl_ip(frame + 14, 4, 17, len - 14);
            f.l4 = len - 4;
        }
        tx_post3(t, &x, frame, len, ZCNIC_TXD_CSUM | ZCNIC_TXD_TSO, f.l4, mss);
        txq_next(t, &x, &cd);
        g_assert_cmpuint(le16_to_cpu(cd.status), ==, ZCNIC_TCD_STATUS_ERR);
        g_assert_cmpuint(rd(t, ZCNIC_DEV_GUEST_ERRS), ==, ++errs);
    }
    zt_end(t);
}

static void test_tx_tso_vnet(void)
{
    Zt *t = zt_start_tap();
    g_autofree uint8_t *frame = g_malloc0(ZCNIC_TSO_FRAME_MAX);
    g_autofree uint8_t *posted = g_malloc0(ZCNIC_TSO_FRAME_MAX);
    g_autofree uint8_t *out = g_malloc0(ZCNIC_TSO_FRAME_MAX + 64);
    struct sockaddr_ll sll = {
        .sll_family = AF_PACKET,
        .sll_protocol = htons(ETH_P_ALL),
        .sll_ifindex = if_nametoindex(GRO_TAP),
    };
    struct virtio_net_hdr vh;
    struct iovec iov[2] = {
        { .iov_base = &vh, .iov_len = sizeof(vh) },
        { .iov_base = out, .iov_len = ZCNIC_TSO_FRAME_MAX + 64 },
    };
    uint32_t len, l3, l4, l5, c, q = 0, segs = 0, nseg, untag;
    struct zcnic_tx_cmpl cd;
    int one = 1, rs;
    ssize_t n;
    TxQ x;

    rs = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    g_assert_cmpint(rs, >=, 0);
    g_assert_cmpint(setsockopt(rs, SOL_PACKET, PACKET_VNET_HDR, &one,
                               sizeof(one)), ==, 0);
    g_assert_cmpint(bind(rs, (struct sockaddr *)&sll, sizeof(sll)), ==, 0);

    txq_setup(t, &x, q);
    for (c = 0; c < G_N_ELEMENTS(tso_cases); c++) {
        uint32_t mss = tso_cases[c].mss;

        len = tso_case_frame(c, frame, &l3, &l4, &l5);
        nseg = DIV_ROUND_UP(len - l5, mss);
        segs += nseg;
        /* the IP lengths (and IPv4 header checksum) are the device's job */
        memcpy(posted, frame, len);
        if (tso_cases[c].ipv == 4) {
            stw_be_p(posted + l3 + 2, 0);
            stw_be_p(posted + l3 + 10, 0xdead);
        } else {
            stw_be_p(posted + l3 + 4, 0);
        }
        tx_post3(t, &x, posted, len, ZCNIC_TXD_CSUM | ZCNIC_TXD_TSO, l4, mss);
        txq_next(t, &x, &cd);
        g_assert_cmpuint(le16_to_cpu(cd.status), ==, ZCNIC_TCD_STATUS_OK);

        n = readv(rs, iov, 2);
        g_assert_cmpint(n, >, sizeof(vh));
        n -= sizeof(vh);
        if (nseg == 1) {
            /* sent as its one segment, no offload asked for */
            g_assert_cmpuint(vh.gso_type, ==, VIRTIO_NET_HDR_GSO_NONE);
            tso_check_seg(frame, len, tso_cases[c].ipv, l3, l4, l5, mss, 0,
                          1, out, n);
            continue;
        }
        /* whole, as built (lengths restored), asking for mss-byte segments */
        untag = tso_cases[c].vlan ? 4 : 0;
        if (untag) {
            /* the receiving tap took the tag out of the frame (skb) */
            g_assert_cmpint(n, ==, len - 4);
            g_assert(!memcmp(out, frame, 12));
            g_assert(!memcmp(out + 12, frame + 16, len - 16));
        } else {
            g_assert_cmpint(n, ==, len);
            g_assert(!memcmp(out, frame, len));
        }
        g_assert_cmpuint(vh.gso_type, ==,
                         (tso_cases[c].ipv == 4 ? VIRTIO_NET_HDR_GSO_TCPV4
                                                : VIRTIO_NET_HDR_GSO_TCPV6) |
                         (tso_cases[c].th_flags & 0x80 ?
                          VIRTIO_NET_HDR_GSO_ECN : 0));
        g_assert_cmpuint(le16_to_cpu(vh.gso_size), ==, mss);
        /* the tap's packet socket reports its skb's linear length here */
        g_assert_cmpuint(le16_to_cpu(vh.hdr_len), >=, l5 - untag);
        g_assert_cmphex(vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM, ==,
                        VIRTIO_NET_HDR_F_NEEDS_CSUM);
        g_assert_cmpuint(le16_to_cpu(vh.csum_start), ==, l4 - untag);
        g_assert_cmpuint(le16_to_cpu(vh.csum_offset), ==, 16);
    }
    g_assert_cmpuint(qrd(t, q, ZCNIC_TXQ_STAT_TSO_PKTS), ==, c);
    g_assert_cmpuint(qrd(t, q, ZCNIC_TXQ_STAT_TSO_SEGS), ==, segs);
    close(rs);
    zt_end(t);
}

static void rss_set_key(Zt *t, uint32_t ctx, const uint8_t *key)
{
    uint32_t i;

    for (i = 0; i < 10; i++) {
        wr(t, ZCNIC_RSS_KEY(ctx, i), ldl_le_p(key + 4 * i));
    }
}

static void rss_set_indir(Zt *t, uint32_t ctx, const uint8_t *tbl)
{
    uint32_t i;

    for (i = 0; i < ZCNIC_RSS_INDIR_SIZE / 4; i++) {
        wr(t, ZCNIC_RSS_INDIR(ctx, i), ldl_le_p(tbl + 4 * i));
    }
}

/*
 * Four split RX queues, context 0 on the Microsoft key with a table that
 * spreads over all of them (left in @indir).
 */
static void rss_setup4(Zt *t, RxQ *r, uint8_t *indir)
{
    uint32_t i, q;

    for (q = 0; q < 4; q++) {
        rxq_setup(t, &r[q], q, ZCNIC_RXQ_CTRL_HDS, 256, 12);
    }
    for (i = 0; i < ZCNIC_RSS_INDIR_SIZE; i++) {
        indir[i] = (i * 7 + 1) % 4;
    }
    rss_set_key(t, 0, ms_key);
    rss_set_indir(t, 0, indir);
}

static void test_rss(void)
{
    Zt *t = zt_start(",queues=4");
    uint8_t frame[2048], indir[ZCNIC_RSS_INDIR_SIZE];
    RxQ r[4];
    uint32_t i, q, len, l5, flags, pass;

    rss_setup4(t, r, indir);

    for (pass = 0; pass < 2; pass++) {
        /* pass 0 hashes ports too, pass 1 only addresses */
        wr(t, ZCNIC_RSS_CFG(0), ZCNIC_RSS_CFG_ENABLE | ZCNIC_RSS_CFG_IPV4 |
           ZCNIC_RSS_CFG_IPV6 |
           (pass ? 0 : ZCNIC_RSS_CFG_TCP4 | ZCNIC_RSS_CFG_TCP6));
        for (i = 0; i < ARRAY_SIZE(ms_vectors); i++) {
            FrameSpec fs = { .l4 = 6, .pay_len = 10 };
            struct zcnic_rx_cmpl cd;
            uint32_t want = pass ? ms_vectors[i].ip : ms_vectors[i].tcp;
            uint32_t type;

            if (ms_vectors[i].ipv == 4) {
                fs_v4(&fs, ms_vectors[i].src, ms_vectors[i].dst,
                      ms_vectors[i].sport, ms_vectors[i].dport);
                type = pass ? ZCNIC_RSS_TYPE_IPV4 : ZCNIC_RSS_TYPE_TCP4;
            } else {
                fs_v6(&fs, ms_vectors[i].src, ms_vectors[i].dst,
                      ms_vectors[i].sport, ms_vectors[i].dport);
                type = pass ? ZCNIC_RSS_TYPE_IPV6 : ZCNIC_RSS_TYPE_TCP6;
            }
            len = build_frame(&fs, frame, &l5);
            inject(t, frame, len);
            q = indir[want % ZCNIC_RSS_INDIR_SIZE];
            g_assert(!rxq_empty(t, &r[q]));
            flags = rxq_check(t, &r[q], frame, len, l5, &cd);
            rxq_post(t, &r[q], 1, 1);
            g_assert_cmphex(le32_to_cpu(cd.rss_hash), ==, want);
            g_assert_cmpuint(zcnic_field_get(ZCNIC_RCD_RSS_TYPE, flags), ==,
                             type);
            for (q = 0; q < 4; q++) {
                g_assert(rxq_empty(t, &r[q]));
            }
        }
    }

    /* RSS off: everything to INDIR[0], no hash */
    wr(t, ZCNIC_RSS_CFG(0), 0);
    {
        FrameSpec fs = { .l4 = 6, .pay_len = 10 };
        struct zcnic_rx_cmpl cd;

        fs_v4(&fs, "1.2.3.4", "5.6.7.8", 1, 2);
        len = build_frame(&fs, frame, &l5);
        inject(t, frame, len);
        flags = rxq_check(t, &r[indir[0]], frame, len, l5, &cd);
        g_assert_cmphex(le32_to_cpu(cd.rss_hash), ==, 0);
        g_assert_cmpuint(zcnic_field_get(ZCNIC_RCD_RSS_TYPE, flags), ==,
                         ZCNIC_RSS_TYPE_NONE);
    }

    /* an entry naming a disabled or missing queue drops + DROP_STEER */
    memset(indir, 9, sizeof(indir));
    rss_set_indir(t, 0, indir);
    inject(t, frame, len);
    g_assert_cmpuint(qrd(t, 0, ZCNIC_RXQ_STAT_DROP_STEER), ==, 1);
    memset(indir, 2, sizeof(indir));
    rss_set_indir(t, 0, indir);
    qwr(t, 2, ZCNIC_RXQ_CTRL, 0);
    inject(t, frame, len);
    g_assert_cmpuint(qrd(t, 0, ZCNIC_RXQ_STAT_DROP_STEER), ==, 2);
    for (q = 0; q < 4; q++) {
        g_assert(q == 2 || rxq_empty(t, &r[q]));
    }
    zt_end(t);
}

/*
 * Toeplitz from its definition, independent of the device's code: each
 * set input bit XORs in the 32 key bits that start at its position.
 */
static uint32_t toeplitz(const uint8_t *key, const uint8_t *in, uint32_t len)
{
    uint32_t hash = 0, window, i, b;

    for (i = 0; i < 8 * len; i++) {
        if (!(in[i / 8] & (0x80 >> (i % 8)))) {
            continue;
        }
        window = 0;
        for (b = i; b < i + 32; b++) {
            window = window << 1 | ((key[b / 8] >> (7 - b % 8)) & 1);
        }
        hash ^= window;
    }
    return hash;
}

#define RSS_IP  (ZCNIC_RSS_FIELD_IP_SRC | ZCNIC_RSS_FIELD_IP_DST)
#define RSS_L4  (ZCNIC_RSS_FIELD_L4_SRC | ZCNIC_RSS_FIELD_L4_DST)

/* The hash of fs's flow over the fields in sel, XORed pairwise if sym. */
static uint32_t rss_expect(const FrameSpec *fs, uint32_t sel, bool sym)
{
    uint32_t alen = fs->ipv == 6 ? 16 : 4, len = 0, i;
    uint8_t addr[2][16], port[2][2], in[36];

    memcpy(addr[0], fs->src, alen);
    memcpy(addr[1], fs->dst, alen);
    stw_be_p(port[0], fs->sport);
    stw_be_p(port[1], fs->dport);
    if (sym) {
        for (i = 0; i < alen; i++) {
            addr[0][i] = addr[1][i] = addr[0][i] ^ addr[1][i];
        }
        for (i = 0; i < 2; i++) {
            port[0][i] = port[1][i] = port[0][i] ^ port[1][i];
        }
    }
    for (i = 0; i < 2; i++) {
        if (sel & (ZCNIC_RSS_FIELD_IP_SRC << i)) {
            memcpy(in + len, addr[i], alen);
            len += alen;
        }
    }
    for (i = 0; i < 2; i++) {
        if (sel & (ZCNIC_RSS_FIELD_L4_SRC << i)) {
            memcpy(in + len, port[i], 2);
            len += 2;
        }
    }
    return toeplitz(ms_key, in, len);
}

/* RSS_FIELDS with type's set replaced by sel. */
static uint32_t rss_fields(uint32_t base, uint32_t type, uint32_t sel)
{
    return (base & ~ZCNIC_RSS_FIELDS_TYPE(type)) |
           zcnic_field_prep(ZCNIC_RSS_FIELDS_TYPE(type), sel);
}

/*
 * Inject fs; it must land, alone, on queue indir[want % 128] with hash
 * want and RSS type type.
 */
static void rss_rx(Zt *t, RxQ *r, const uint8_t *indir, const FrameSpec *fs,
                   uint32_t want, uint32_t type)
{
    uint8_t frame[2048];
    struct zcnic_rx_cmpl cd;
    uint32_t len, l5, flags, q;

    len = build_frame(fs, frame, &l5);
    inject(t, frame, len);
    q = indir[want % ZCNIC_RSS_INDIR_SIZE];
    g_assert(!rxq_empty(t, &r[q]));
    flags = rxq_check(t, &r[q], frame, len, l5, &cd);
    rxq_recycle(t, &r[q], &cd);
    g_assert_cmphex(le32_to_cpu(cd.rss_hash), ==, want);
    g_assert_cmpuint(zcnic_field_get(ZCNIC_RCD_RSS_TYPE, flags), ==, type);
    for (q = 0; q < 4; q++) {
        g_assert(rxq_empty(t, &r[q]));
    }
}

static void fs_ms_vector(FrameSpec *fs, uint32_t i, int l4)
{
    memset(fs, 0, sizeof(*fs));
    fs->l4 = l4;
    fs->pay_len = 10;
    if (ms_vectors[i].ipv == 4) {
        fs_v4(fs, ms_vectors[i].src, ms_vectors[i].dst,
              ms_vectors[i].sport, ms_vectors[i].dport);
    } else {
        fs_v6(fs, ms_vectors[i].src, ms_vectors[i].dst,
              ms_vectors[i].sport, ms_vectors[i].dport);
    }
}

static void fs_reverse(FrameSpec *fs)
{
    uint8_t a[16];
    uint16_t p = fs->sport;

    memcpy(a, fs->src, 16);
    memcpy(fs->src, fs->dst, 16);
    memcpy(fs->dst, a, 16);
    fs->sport = fs->dport;
    fs->dport = p;
}

static void test_rss_fields(void)
{
    static const uint32_t sels[] = {
        ZCNIC_RSS_FIELD_IP_SRC, ZCNIC_RSS_FIELD_IP_DST,
        ZCNIC_RSS_FIELD_L4_SRC, ZCNIC_RSS_FIELD_L4_DST,
        ZCNIC_RSS_FIELD_IP_SRC | ZCNIC_RSS_FIELD_L4_DST,
        ZCNIC_RSS_FIELD_IP_DST | RSS_L4, RSS_IP | RSS_L4,
    };
    static const uint32_t some[] = { 0, 3, 5, 7 };   /* two v4, two v6 */
    const uint32_t all_types = 0x7f;
    uint8_t indir[ZCNIC_RSS_INDIR_SIZE];
    uint32_t i, j, c, want, tcp, udp, ip, f;
    Zt *t = zt_start(",queues=4");
    FrameSpec fs;
    RxQ r[4];

    rss_setup4(t, r, indir);
    wr(t, ZCNIC_RSS_CFG(0), all_types);

    /* reset value: every field; unknown bits and IP types' ports read 0 */
    for (c = 0; c < ZCNIC_RSS_CTXS; c++) {
        g_assert_cmphex(rd(t, ZCNIC_RSS_FIELDS(c)), ==,
                        ZCNIC_RSS_FIELDS_DEFAULT);
    }
    wr(t, ZCNIC_RSS_FIELDS(0), 0xffffffff);
    g_assert_cmphex(rd(t, ZCNIC_RSS_FIELDS(0)), ==,
                    ZCNIC_RSS_FIELDS_DEFAULT | ZCNIC_RSS_FIELDS_SYM_XOR);
    wr(t, ZCNIC_RSS_FIELDS(0), ZCNIC_RSS_FIELDS_DEFAULT);

    /* the test's own Toeplitz reproduces the published values */
    for (i = 0; i < ARRAY_SIZE(ms_vectors); i++) {
        fs_ms_vector(&fs, i, 6);
        g_assert_cmphex(rss_expect(&fs, RSS_IP | RSS_L4, false), ==,
                        ms_vectors[i].tcp);
        g_assert_cmphex(rss_expect(&fs, RSS_IP, false), ==, ms_vectors[i].ip);
    }
    /* ... and the datasheet's examples (docs/hw-spec.md 6.2) */
    fs_ms_vector(&fs, 0, 6);
    g_assert_cmphex(rss_expect(&fs, ZCNIC_RSS_FIELD_IP_SRC, false), ==,
                    0x0e48b9de);
    g_assert_cmphex(rss_expect(&fs, ZCNIC_RSS_FIELD_IP_DST, false), ==,
                    0x1db6cffd);
    g_assert_cmphex(rss_expect(&fs, ZCNIC_RSS_FIELD_IP_SRC |
                               ZCNIC_RSS_FIELD_L4_DST, false), ==, 0xd0aa46b5);
    g_assert_cmphex(rss_expect(&fs, RSS_IP | RSS_L4, true), ==, 0xac2b58ca);
    g_assert_cmphex(rss_expect(&fs, RSS_IP, true), ==, 0x887bd7bc);

    /*
     * Single fields and pairs of the TCP type; the UDP type of the same
     * flow keeps all four.  Without a port the hash reports the address
     * type.
     */
    for (i = 0; i < ARRAY_SIZE(some); i++) {
        bool v6 = ms_vectors[some[i]].ipv == 6;

        tcp = v6 ? ZCNIC_RSS_TYPE_TCP6 : ZCNIC_RSS_TYPE_TCP4;
        udp = v6 ? ZCNIC_RSS_TYPE_UDP6 : ZCNIC_RSS_TYPE_UDP4;
        ip = v6 ? ZCNIC_RSS_TYPE_IPV6 : ZCNIC_RSS_TYPE_IPV4;
        for (j = 0; j < ARRAY_SIZE(sels); j++) {
            f = rss_fields(ZCNIC_RSS_FIELDS_DEFAULT, tcp, sels[j]);
            wr(t, ZCNIC_RSS_FIELDS(0), f);
            g_assert_cmphex(rd(t, ZCNIC_RSS_FIELDS(0)), ==, f);
            fs_ms_vector(&fs, some[i], 6);
            rss_rx(t, r, indir, &fs, rss_expect(&fs, sels[j], false),
                   sels[j] & RSS_L4 ? tcp : ip);
            fs.l4 = 17;
            rss_rx(t, r, indir, &fs, rss_expect(&fs, RSS_IP | RSS_L4, false),
                   udp);

            /* and the other way round */
            wr(t, ZCNIC_RSS_FIELDS(0),
               rss_fields(ZCNIC_RSS_FIELDS_DEFAULT, udp, sels[j]));
            rss_rx(t, r, indir, &fs, rss_expect(&fs, sels[j], false),
                   sels[j] & RSS_L4 ? udp : ip);
            fs.l4 = 6;
            rss_rx(t, r, indir, &fs, rss_expect(&fs, RSS_IP | RSS_L4, false),
                   tcp);
        }
    }

    /* address types: TCP4 off, so TCP over IPv4 hashes as IPV4 */
    wr(t, ZCNIC_RSS_CFG(0), all_types & ~ZCNIC_RSS_CFG_TCP4);
    wr(t, ZCNIC_RSS_FIELDS(0),
       rss_fields(ZCNIC_RSS_FIELDS_DEFAULT, ZCNIC_RSS_TYPE_IPV4,
                  ZCNIC_RSS_FIELD_IP_DST | RSS_L4));
    g_assert_cmphex(rd(t, ZCNIC_RSS_FIELDS(0)), ==,
                    rss_fields(ZCNIC_RSS_FIELDS_DEFAULT, ZCNIC_RSS_TYPE_IPV4,
                               ZCNIC_RSS_FIELD_IP_DST));
    fs_ms_vector(&fs, 1, 6);
    rss_rx(t, r, indir, &fs, rss_expect(&fs, ZCNIC_RSS_FIELD_IP_DST, false),
           ZCNIC_RSS_TYPE_IPV4);
    wr(t, ZCNIC_RSS_CFG(0), all_types);

    /* no field at all: no hash, INDIR[0] */
    wr(t, ZCNIC_RSS_FIELDS(0),
       rss_fields(ZCNIC_RSS_FIELDS_DEFAULT, ZCNIC_RSS_TYPE_TCP4, 0));
    rss_rx(t, r, indir, &fs, 0, ZCNIC_RSS_TYPE_NONE);

    /* symmetric XOR: both directions of a flow hash alike */
    for (i = 0; i < ARRAY_SIZE(some); i++) {
        bool v6 = ms_vectors[some[i]].ipv == 6;

        tcp = v6 ? ZCNIC_RSS_TYPE_TCP6 : ZCNIC_RSS_TYPE_TCP4;
        ip = v6 ? ZCNIC_RSS_TYPE_IPV6 : ZCNIC_RSS_TYPE_IPV4;
        wr(t, ZCNIC_RSS_FIELDS(0),
           ZCNIC_RSS_FIELDS_DEFAULT | ZCNIC_RSS_FIELDS_SYM_XOR);
        fs_ms_vector(&fs, some[i], 6);
        want = rss_expect(&fs, RSS_IP | RSS_L4, true);
        g_assert_cmphex(want, !=, ms_vectors[some[i]].tcp);
        rss_rx(t, r, indir, &fs, want, tcp);
        fs_reverse(&fs);
        g_assert_cmphex(rss_expect(&fs, RSS_IP | RSS_L4, true), ==, want);
        rss_rx(t, r, indir, &fs, want, tcp);

        /* addresses only */
        wr(t, ZCNIC_RSS_FIELDS(0),
           rss_fields(ZCNIC_RSS_FIELDS_DEFAULT | ZCNIC_RSS_FIELDS_SYM_XOR,
                      tcp, RSS_IP));
        want = rss_expect(&fs, RSS_IP, true);
        rss_rx(t, r, indir, &fs, want, ip);
        fs_reverse(&fs);
        rss_rx(t, r, indir, &fs, want, ip);
    }
    wr(t, ZCNIC_RSS_FIELDS(0), ZCNIC_RSS_FIELDS_DEFAULT);

    /* per context: context 1 hashes TCP4 on the source address only */
    rss_set_key(t, 1, ms_key);
    rss_set_indir(t, 1, indir);
    wr(t, ZCNIC_RSS_CFG(1), all_types);
    wr(t, ZCNIC_RSS_FIELDS(1),
       rss_fields(ZCNIC_RSS_FIELDS_DEFAULT, ZCNIC_RSS_TYPE_TCP4,
                  ZCNIC_RSS_FIELD_IP_SRC));
    fs_ms_vector(&fs, 2, 6);
    wr(t, ZCNIC_NT_FLOW, ZCNIC_NT_FLOW_ENABLE | ZCNIC_NT_FLOW_TCP4);
    wr(t, ZCNIC_NT_PORTS, zcnic_field_prep(ZCNIC_NT_PORTS_DST, fs.dport));
    wr(t, ZCNIC_NT_PORT_MASKS, zcnic_field_prep(ZCNIC_NT_PORTS_DST, 0xffff));
    wr(t, ZCNIC_NT_ACTION,
       zcnic_field_prep(ZCNIC_NT_ACTION_TYPE, ZCNIC_NT_ACT_RSS) |
       zcnic_field_prep(ZCNIC_NT_ACTION_ARG, 1));
    wr(t, ZCNIC_NT_CMD, zcnic_field_prep(ZCNIC_NT_CMD_OP, ZCNIC_NT_OP_WRITE));
    g_assert_cmphex(rd(t, ZCNIC_NT_STATUS), ==, 0);
    rss_rx(t, r, indir, &fs, rss_expect(&fs, ZCNIC_RSS_FIELD_IP_SRC, false),
           ZCNIC_RSS_TYPE_IPV4);
    fs.dport++;
    rss_rx(t, r, indir, &fs, rss_expect(&fs, RSS_IP | RSS_L4, false),
           ZCNIC_RSS_TYPE_TCP4);
    zt_end(t);
}

static void nt_write(Zt *t, uint32_t idx, uint32_t flow, const uint8_t *src,
                     uint32_t src_mask, const uint8_t *dst, uint32_t dst_mask,
                     uint32_t ports, uint32_t port_masks, uint32_t action)
{
    /* IPv4 addresses are 4 bytes, IPv6 ones 16 */
    bool v6 = (flow & 7) > 2;
    uint32_t i;

    wr(t, ZCNIC_NT_FLOW, flow);
    for (i = 0; i < 4; i++) {
        bool word = i == 0 || v6;

        wr(t, ZCNIC_NT_SRC_IP(i), src && word ? ldl_le_p(src + 4 * i) : 0);
        wr(t, ZCNIC_NT_SRC_MASK(i), word ? src_mask : 0);
        wr(t, ZCNIC_NT_DST_IP(i), dst && word ? ldl_le_p(dst + 4 * i) : 0);
        wr(t, ZCNIC_NT_DST_MASK(i), word ? dst_mask : 0);
    }
    wr(t, ZCNIC_NT_PORTS, ports);
    wr(t, ZCNIC_NT_PORT_MASKS, port_masks);
    wr(t, ZCNIC_NT_ACTION, action);
    wr(t, ZCNIC_NT_CMD, zcnic_field_prep(ZCNIC_NT_CMD_INDEX, idx) |
       zcnic_field_prep(ZCNIC_NT_CMD_OP, ZCNIC_NT_OP_WRITE));
    g_assert_cmphex(rd(t, ZCNIC_NT_STATUS), ==, 0);
}

static uint32_t nt_ports(uint16_t src, uint16_t dst)
{
    return zcnic_field_prep(ZCNIC_NT_PORTS_SRC, src) |
           zcnic_field_prep(ZCNIC_NT_PORTS_DST, dst);
}

static uint32_t nt_act(uint32_t type, uint32_t arg)
{
    return zcnic_field_prep(ZCNIC_NT_ACTION_TYPE, type) |
           zcnic_field_prep(ZCNIC_NT_ACTION_ARG, arg);
}

/* Inject and return the queue the frame landed on (-1: nowhere). */
static int rx_where(Zt *t, RxQ *r, uint32_t nq, const FrameSpec *fs,
                    uint32_t *flags)
{
    uint8_t frame[2048];
    struct zcnic_rx_cmpl cd;
    uint32_t len, l5, q;
    int found = -1;

    len = build_frame(fs, frame, &l5);
    inject(t, frame, len);
    for (q = 0; q < nq; q++) {
        if (!rxq_empty(t, &r[q])) {
            g_assert_cmpint(found, ==, -1);
            found = q;
            *flags = rxq_check(t, &r[q], frame, len,
                               fs->frag ? MIN(len, 256) : l5, &cd);
            rxq_recycle(t, &r[q], &cd);
        }
    }
    return found;
}

static void test_ntuple(void)
{
    Zt *t = zt_start(",queues=4");
    uint8_t net10[4] = { 10, 0, 0, 0 }, host[4] = { 10, 1, 2, 3 };
    uint8_t v6[16];
    uint8_t indir[ZCNIC_RSS_INDIR_SIZE];
    FrameSpec fs = { .l4 = 6, .pay_len = 64 };
    uint32_t flags = 0, q, errs;
    RxQ r[4];

    for (q = 0; q < 4; q++) {
        rxq_setup(t, &r[q], q, ZCNIC_RXQ_CTRL_HDS, 256, 12);
    }
    /* context 1: everything to queue 3 */
    memset(indir, 3, sizeof(indir));
    rss_set_indir(t, 1, indir);
    rss_set_key(t, 1, ms_key);
    wr(t, ZCNIC_RSS_CFG(1), ZCNIC_RSS_CFG_ENABLE | ZCNIC_RSS_CFG_TCP6 |
       ZCNIC_RSS_CFG_IPV6);

    /* rule 5: TCP4 to port 5001 -> queue 2 */
    nt_write(t, 5, ZCNIC_NT_FLOW_ENABLE | ZCNIC_NT_FLOW_TCP4, NULL, 0, NULL, 0,
             nt_ports(0, 5001), nt_ports(0, 0xffff),
             nt_act(ZCNIC_NT_ACT_QUEUE, 2));
    fs_v4(&fs, "10.1.2.3", "192.168.0.1", 40000, 5001);
    g_assert_cmpint(rx_where(t, r, 4, &fs, &flags), ==, 2);
    g_assert_cmphex(flags & ZCNIC_RCD_NTUPLE, ==, ZCNIC_RCD_NTUPLE);
    fs.dport = 5002;
    g_assert_cmpint(rx_where(t, r, 4, &fs, &flags), ==, 0);
    g_assert_cmphex(flags & ZCNIC_RCD_NTUPLE, ==, 0);

    /* rule 3: from 10/8 to port 5001 -> queue 1, wins over rule 5 */
    nt_write(t, 3, ZCNIC_NT_FLOW_ENABLE | ZCNIC_NT_FLOW_TCP4,
             net10, 0x000000ff, NULL, 0, nt_ports(0, 5001),
             nt_ports(0, 0xffff), nt_act(ZCNIC_NT_ACT_QUEUE, 1));
    fs.dport = 5001;
    g_assert_cmpint(rx_where(t, r, 4, &fs, &flags), ==, 1);
    fs_v4(&fs, "11.1.2.3", "192.168.0.1", 40000, 5001);
    g_assert_cmpint(rx_where(t, r, 4, &fs, &flags), ==, 2);

    /* exact source host + source port mask */
    nt_write(t, 1, ZCNIC_NT_FLOW_ENABLE | ZCNIC_NT_FLOW_TCP4,
             host, 0xffffffff, NULL, 0, nt_ports(0x1200, 0),
             nt_ports(0xff00, 0), nt_act(ZCNIC_NT_ACT_QUEUE, 3));
    fs_v4(&fs, "10.1.2.3", "192.168.0.1", 0x12ab, 5001);
    g_assert_cmpint(rx_where(t, r, 4, &fs, &flags), ==, 3);
    fs_v4(&fs, "10.1.2.3", "192.168.0.1", 0x13ab, 5001);
    g_assert_cmpint(rx_where(t, r, 4, &fs, &flags), ==, 1);

    /* fragments never match (an MF fragment of the same flow) */
    fs.frag = true;
    g_assert_cmpint(rx_where(t, r, 4, &fs, &flags), ==, 0);
    g_assert_cmphex(flags & ZCNIC_RCD_NTUPLE, ==, 0);
    fs.frag = false;

    /* UDP4 -> drop */
    nt_write(t, 7, ZCNIC_NT_FLOW_ENABLE | ZCNIC_NT_FLOW_UDP4, NULL, 0, NULL,
             0, 0, 0, nt_act(ZCNIC_NT_ACT_DROP, 0));
    fs.l4 = 17;
    g_assert_cmpint(rx_where(t, r, 4, &fs, &flags), ==, -1);
    g_assert_cmpuint(qrd(t, 0, ZCNIC_RXQ_STAT_DROP_STEER), ==, 1);

    /* TCP6 to a /64 -> RSS context 1 (queue 3) */
    g_assert(inet_pton(AF_INET6, "2001:db8:1:2::", v6) == 1);
    nt_write(t, 9, ZCNIC_NT_FLOW_ENABLE | ZCNIC_NT_FLOW_TCP6, NULL, 0, v6, 0,
             0, 0, nt_act(ZCNIC_NT_ACT_RSS, 1));
    wr(t, ZCNIC_NT_DST_MASK(0), 0xffffffff);
    wr(t, ZCNIC_NT_DST_MASK(1), 0xffffffff);
    wr(t, ZCNIC_NT_DST_MASK(2), 0);
    wr(t, ZCNIC_NT_DST_MASK(3), 0);
    wr(t, ZCNIC_NT_CMD, zcnic_field_prep(ZCNIC_NT_CMD_INDEX, 9) |
       zcnic_field_prep(ZCNIC_NT_CMD_OP, ZCNIC_NT_OP_WRITE));
    fs.l4 = 6;
    fs_v6(&fs, "fd00::1", "2001:db8:1:2::99", 1, 2);
    g_assert_cmpint(rx_where(t, r, 4, &fs, &flags), ==, 3);
    g_assert_cmphex(flags & ZCNIC_RCD_NTUPLE, ==, ZCNIC_RCD_NTUPLE);
    g_assert_cmpuint(zcnic_field_get(ZCNIC_RCD_RSS_TYPE, flags), ==,
                     ZCNIC_RSS_TYPE_TCP6);
    fs_v6(&fs, "fd00::1", "2001:db8:1:3::99", 1, 2);
    g_assert_cmpint(rx_where(t, r, 4, &fs, &flags), ==, 0);

    /* READ loads a rule back into the staging registers */
    wr(t, ZCNIC_NT_CMD, zcnic_field_prep(ZCNIC_NT_CMD_INDEX, 5) |
       zcnic_field_prep(ZCNIC_NT_CMD_OP, ZCNIC_NT_OP_READ));
    g_assert_cmphex(rd(t, ZCNIC_NT_STATUS), ==, 0);
    g_assert_cmphex(rd(t, ZCNIC_NT_FLOW), ==,
                    ZCNIC_NT_FLOW_ENABLE | ZCNIC_NT_FLOW_TCP4);
    g_assert_cmphex(rd(t, ZCNIC_NT_PORTS), ==, nt_ports(0, 5001));
    g_assert_cmphex(rd(t, ZCNIC_NT_ACTION), ==, nt_act(ZCNIC_NT_ACT_QUEUE, 2));

    /* CLEAR rule 3 and rule 1: port 5001 goes to 2 again */
    wr(t, ZCNIC_NT_CMD, zcnic_field_prep(ZCNIC_NT_CMD_INDEX, 3) |
       zcnic_field_prep(ZCNIC_NT_CMD_OP, ZCNIC_NT_OP_CLEAR));
    wr(t, ZCNIC_NT_CMD, zcnic_field_prep(ZCNIC_NT_CMD_INDEX, 1) |
       zcnic_field_prep(ZCNIC_NT_CMD_OP, ZCNIC_NT_OP_CLEAR));
    fs_v4(&fs, "10.1.2.3", "192.168.0.1", 40000, 5001);
    g_assert_cmpint(rx_where(t, r, 4, &fs, &flags), ==, 2);

    /* bad index, bad op, bad action: NT_STATUS.ERR + guest error */
    errs = rd(t, ZCNIC_DEV_GUEST_ERRS);
    wr(t, ZCNIC_NT_CMD, zcnic_field_prep(ZCNIC_NT_CMD_INDEX, 64) |
       zcnic_field_prep(ZCNIC_NT_CMD_OP, ZCNIC_NT_OP_WRITE));
    g_assert_cmphex(rd(t, ZCNIC_NT_STATUS), ==, ZCNIC_NT_STATUS_ERR);
    wr(t, ZCNIC_NT_CMD, zcnic_field_prep(ZCNIC_NT_CMD_INDEX, 2));
    g_assert_cmphex(rd(t, ZCNIC_NT_STATUS), ==, ZCNIC_NT_STATUS_ERR);
    wr(t, ZCNIC_NT_FLOW, ZCNIC_NT_FLOW_ENABLE | ZCNIC_NT_FLOW_TCP4);
    wr(t, ZCNIC_NT_ACTION, nt_act(ZCNIC_NT_ACT_QUEUE, 4));
    wr(t, ZCNIC_NT_CMD, zcnic_field_prep(ZCNIC_NT_CMD_INDEX, 0) |
       zcnic_field_prep(ZCNIC_NT_CMD_OP, ZCNIC_NT_OP_WRITE));
    g_assert_cmphex(rd(t, ZCNIC_NT_STATUS), ==, ZCNIC_NT_STATUS_ERR);
    g_assert_cmpuint(rd(t, ZCNIC_DEV_GUEST_ERRS), ==, errs + 3);
    zt_end(t);
}

static void test_csum(void)
{
    Zt *t = zt_start(NULL);
    FrameSpec fs = { .l4 = 6, .pay_len = 200 };
    uint32_t flags = 0;
    RxQ r;

    rxq_setup(t, &r, 0, ZCNIC_RXQ_CTRL_HDS, 256, 12);
    fs_v4(&fs, "10.0.0.2", "10.0.0.1", 1, 2);
    g_assert_cmpint(rx_where(t, &r, 1, &fs, &flags), ==, 0);
    g_assert_cmpuint(zcnic_field_get(ZCNIC_RCD_CSUM, flags), ==,
                     ZCNIC_RCD_CSUM_GOOD);

    fs.bad_l4_csum = true;
    g_assert_cmpint(rx_where(t, &r, 1, &fs, &flags), ==, 0);
    g_assert_cmpuint(zcnic_field_get(ZCNIC_RCD_CSUM, flags), ==,
                     ZCNIC_RCD_CSUM_BAD);
    fs.bad_l4_csum = false;

    fs.bad_ip_csum = true;
    g_assert_cmpint(rx_where(t, &r, 1, &fs, &flags), ==, 0);
    g_assert_cmpuint(zcnic_field_get(ZCNIC_RCD_CSUM, flags), ==,
                     ZCNIC_RCD_CSUM_BAD);
    fs.bad_ip_csum = false;

    fs.l4 = 17;
    fs.udp_no_csum = true;
    g_assert_cmpint(rx_where(t, &r, 1, &fs, &flags), ==, 0);
    g_assert_cmpuint(zcnic_field_get(ZCNIC_RCD_CSUM, flags), ==,
                     ZCNIC_RCD_CSUM_GOOD);
    fs_v6(&fs, "fd00::2", "fd00::1", 1, 2);
    g_assert_cmpint(rx_where(t, &r, 1, &fs, &flags), ==, 0);
    g_assert_cmpuint(zcnic_field_get(ZCNIC_RCD_CSUM, flags), ==,
                     ZCNIC_RCD_CSUM_BAD);
    fs.udp_no_csum = false;
    g_assert_cmpint(rx_where(t, &r, 1, &fs, &flags), ==, 0);
    g_assert_cmpuint(zcnic_field_get(ZCNIC_RCD_CSUM, flags), ==,
                     ZCNIC_RCD_CSUM_GOOD);
    fs.bad_l4_csum = true;
    g_assert_cmpint(rx_where(t, &r, 1, &fs, &flags), ==, 0);
    g_assert_cmpuint(zcnic_field_get(ZCNIC_RCD_CSUM, flags), ==,
                     ZCNIC_RCD_CSUM_BAD);
    g_assert_cmpuint(qrd(t, 0, ZCNIC_RXQ_STAT_CSUM_BAD), ==, 4);
    zt_end(t);
}

static void test_nobuf(void)
{
    Zt *t = zt_start(NULL);
    uint8_t frame[2048];
    FrameSpec fs = { .l4 = 6, .pay_len = 500 };
    uint32_t len, l5, i;
    RxQ r;

    fs_v4(&fs, "10.0.0.2", "10.0.0.1", 1, 2);
    len = build_frame(&fs, frame, &l5);

    rxq_program(t, &r, 0, 16, 256, 12);
    qwr(t, 0, ZCNIC_RXQ_CTRL, ZCNIC_RXQ_CTRL_ENABLE | ZCNIC_RXQ_CTRL_HDS);
    r.gen = true;
    qwr(t, 0, ZCNIC_QP_IRQ_CTRL, ZCNIC_QP_IRQ_CTRL_ARM);

    /* header buffers but no payload buffer: drop, count, interrupt */
    rxq_post(t, &r, 4, 0);
    inject(t, frame, len);
    g_assert(rxq_empty(t, &r));
    g_assert_cmpuint(qrd(t, 0, ZCNIC_RXQ_STAT_NOBUF), ==, 1);
    g_assert_cmpuint(qstat(t, "rx%u-nobuf", 0), ==, 1);
    g_assert(irq_pending(t, ZCNIC_VEC_QUEUE(0)));
    irq_clear(t, ZCNIC_VEC_QUEUE(0));
    /* disarmed now: the next drop is remembered as PENDING */
    inject(t, frame, len);
    g_assert_cmpuint(qrd(t, 0, ZCNIC_RXQ_STAT_NOBUF), ==, 2);
    g_assert(!irq_pending(t, ZCNIC_VEC_QUEUE(0)));
    g_assert_cmphex(qrd(t, 0, ZCNIC_QP_IRQ_CTRL), ==,
                    ZCNIC_QP_IRQ_CTRL_PENDING);
    qwr(t, 0, ZCNIC_QP_IRQ_CTRL, ZCNIC_QP_IRQ_CTRL_ARM);
    g_assert(irq_pending(t, ZCNIC_VEC_QUEUE(0)));
    g_assert_cmphex(qrd(t, 0, ZCNIC_QP_IRQ_CTRL), ==, 0);
    irq_clear(t, ZCNIC_VEC_QUEUE(0));

    /* a frame that fits in the header buffer still gets through */
    {
        FrameSpec small = { .ipv = 0 };
        uint8_t arp[64];
        uint32_t al5;
        uint32_t alen = build_frame(&small, arp, &al5);

        inject(t, arp, alen);
        rxq_check(t, &r, arp, alen, 60, NULL);
    }

    /* payload buffers: delivered */
    rxq_post(t, &r, 0, 4);
    inject(t, frame, len);
    rxq_check(t, &r, frame, len, l5, NULL);

    /*
     * The driver refills but does not read completions: after 15 unread
     * ones the completion ring is full -> NOCMPL.
     */
    rxq_post(t, &r, 13, 12);
    for (i = 0; i < 15; i++) {
        inject(t, frame, len);
    }
    g_assert_cmpuint(qrd(t, 0, ZCNIC_RXQ_RCQ_TAIL), ==, 1);
    rxq_post(t, &r, 15, 15);
    inject(t, frame, len);
    inject(t, frame, len);
    g_assert_cmpuint(qrd(t, 0, ZCNIC_RXQ_RCQ_TAIL), ==, 1);
    g_assert_cmpuint(qrd(t, 0, ZCNIC_RXQ_STAT_NOCMPL), ==, 2);
    g_assert_cmpuint(qrd(t, 0, ZCNIC_RXQ_STAT_NOBUF), ==, 2);
    zt_end(t);
}

/*
 * Queue 0 of a device started with x-nobuf=hold, split on, header buffers
 * posted and no payload buffer: a frame with payload is held back.
 */
static Zt *hold_start(RxQ *r)
{
    Zt *t = zt_start(",x-nobuf=hold");

    rxq_program(t, r, 0, 16, 256, 12);
    qwr(t, 0, ZCNIC_RXQ_CTRL, ZCNIC_RXQ_CTRL_ENABLE | ZCNIC_RXQ_CTRL_HDS);
    r->gen = true;
    rxq_post(t, r, 8, 0);
    return t;
}

static void test_nobuf_hold(void)
{
    uint8_t frame[2048];
    FrameSpec fs = { .l4 = 6, .pay_len = 500 };
    uint32_t len, l5, i;
    RxQ r;
    Zt *t = hold_start(&r);

    fs_v4(&fs, "10.0.0.2", "10.0.0.1", 1, 2);
    for (i = 0; i < 3; i++) {
        fs.seed = i;
        len = build_frame(&fs, frame, &l5);
        /* the first one blocks the backend, the others wait behind it */
        if (i == 0) {
            inject(t, frame, len);
        } else {
            inject_nowait(t, frame, len);
        }
    }
    g_assert(rxq_empty(t, &r));
    g_assert_cmpuint(qrd(t, 0, ZCNIC_RXQ_STAT_NOBUF), ==, 0);
    g_assert_cmpuint(qom_u64(t, "rx-held"), >=, 1);

    /* the doorbell flushes: all three arrive, in order */
    rxq_post(t, &r, 0, 8);
    for (i = 0; i < 3; i++) {
        gint64 end = g_get_monotonic_time() + 10 * G_TIME_SPAN_SECOND;

        while (rxq_empty(t, &r)) {
            g_assert(g_get_monotonic_time() < end);
            g_usleep(1000);
        }
        fs.seed = i;
        len = build_frame(&fs, frame, &l5);
        rxq_check(t, &r, frame, len, l5, NULL);
    }
    g_assert_cmpuint(qrd(t, 0, ZCNIC_RXQ_STAT_PKTS), ==, 3);
    zt_end(t);
}

/*
 * A reset with frames held in the net layer: they meet the disabled queues
 * during the reset, and every counter still reads zero afterwards.
 */
static void test_reset_clears_held(void)
{
    uint8_t frame[2048];
    FrameSpec fs = { .l4 = 6, .pay_len = 500 };
    uint32_t len, l5, i;
    RxQ r;
    Zt *t = hold_start(&r);

    /*
     * One frame: the net layer holds it (frames behind it would still sit
     * in the socket and arrive, and count, after the reset)
     */
    fs_v4(&fs, "10.0.0.2", "10.0.0.1", 1, 2);
    len = build_frame(&fs, frame, &l5);
    inject(t, frame, len);
    g_assert_cmpuint(qom_u64(t, "rx-held"), ==, 1);

    wr(t, ZCNIC_DEV_CTRL, ZCNIC_DEV_CTRL_RESET);
    g_assert_cmpuint(qom_u64(t, "rx-frames"), ==, 0);
    g_assert_cmpuint(qom_u64(t, "rx-held"), ==, 0);
    g_assert_cmpuint(qom_u64(t, "rx-filtered"), ==, 0);
    for (i = 0; i < 4; i++) {
        g_assert_cmpuint(qstat(t, "rx%u-pkts", i), ==, 0);
        g_assert_cmpuint(qstat(t, "rx%u-nobuf", i), ==, 0);
        g_assert_cmpuint(qstat(t, "rx%u-drop-steer", i), ==, 0);
        g_assert_cmpuint(qrd(t, i, ZCNIC_RXQ_STAT_PKTS), ==, 0);
        g_assert_cmpuint(qrd(t, i, ZCNIC_RXQ_STAT_DROP_STEER), ==, 0);
    }
    zt_end(t);
}

/* x-fault-rxq-enable-fail refuses that many enables, then the next works. */
static void test_fault_rxq_enable(void)
{
    Zt *t = zt_start(NULL);
    uint32_t st;
    RxQ r;

    rxq_program(t, &r, 0, 16, 256, 12);
    qom_set_int(t, "x-fault-rxq-enable-fail", 1);
    qwr(t, 0, ZCNIC_RXQ_CTRL, ZCNIC_RXQ_CTRL_ENABLE);
    st = qrd(t, 0, ZCNIC_RXQ_STATUS);
    g_assert_cmphex(st & ZCNIC_RXQ_STATUS_ENABLED, ==, 0);
    g_assert_cmphex(st & ZCNIC_RXQ_STATUS_ERROR, ==, ZCNIC_RXQ_STATUS_ERROR);
    g_assert_cmpuint(zcnic_field_get(ZCNIC_RXQ_STATUS_ERRCODE, st), ==,
                     ZCNIC_QERR_RING_CFG);
    g_assert_cmpuint(qom_u64(t, "x-fault-rxq-enable-fail"), ==, 0);
    /* a driver that tries again without the handshake gets nowhere */
    qwr(t, 0, ZCNIC_RXQ_CTRL, ZCNIC_RXQ_CTRL_ENABLE);
    g_assert_cmphex(qrd(t, 0, ZCNIC_RXQ_STATUS), ==, st);
    /* the driver disables and tries again: this time it works */
    qwr(t, 0, ZCNIC_RXQ_CTRL, 0);
    qwr(t, 0, ZCNIC_RXQ_CTRL, ZCNIC_RXQ_CTRL_ENABLE);
    g_assert_cmphex(qrd(t, 0, ZCNIC_RXQ_STATUS), ==, ZCNIC_RXQ_STATUS_ENABLED);
    zt_end(t);
}

static void test_stop(void)
{
    Zt *t = zt_start(NULL);
    uint8_t frame[2048], buf[4096];
    FrameSpec fs = { .l4 = 6, .pay_len = 1000 };
    uint32_t len, l5, i;
    RxQ r;

    rxq_setup(t, &r, 0, ZCNIC_RXQ_CTRL_HDS | ZCNIC_RXQ_CTRL_PACK, 256, 12);
    fs_v4(&fs, "10.0.0.2", "10.0.0.1", 1, 2);
    len = build_frame(&fs, frame, &l5);
    inject(t, frame, len);
    rxq_check(t, &r, frame, len, l5, NULL);

    qwr(t, 0, ZCNIC_RXQ_CTRL, 0);
    g_assert_cmphex(qrd(t, 0, ZCNIC_RXQ_STATUS) &
                    ZCNIC_RXQ_STATUS_ENABLED, ==, 0);

    /* from here on the queue's memory is ours: paint it */
    memfill(t, r.hbufs, 0xa5, (uint64_t)r.hdr_len * r.ring);
    memfill(t, r.pbufs, 0xa5, (uint64_t)r.pay_size * r.ring);
    memfill(t, r.rcq, 0xa5, 32 * r.ring);
    for (i = 0; i < 4; i++) {
        inject(t, frame, len);
    }
    /* doorbells of a stopped queue are ignored */
    qwr(t, 0, ZCNIC_RXQ_HBR_TAIL, 3);
    inject(t, frame, len);
    g_assert_cmpuint(qrd(t, 0, ZCNIC_RXQ_STAT_DROP_STEER), ==, 5);
    for (i = 0; i < r.ring; i++) {
        uint32_t j;

        qtest_memread(t->qts, r.pbufs + (uint64_t)i * r.pay_size, buf,
                      r.pay_size);
        for (j = 0; j < r.pay_size; j++) {
            g_assert_cmphex(buf[j], ==, 0xa5);
        }
        qtest_memread(t->qts, r.hbufs + (uint64_t)i * r.hdr_len, buf,
                      r.hdr_len);
        for (j = 0; j < r.hdr_len; j++) {
            g_assert_cmphex(buf[j], ==, 0xa5);
        }
    }
    qtest_memread(t->qts, r.rcq, buf, 32 * r.ring);
    for (i = 0; i < 32 * r.ring; i++) {
        g_assert_cmphex(buf[i], ==, 0xa5);
    }

    /* restart: indices and generation start over */
    memfill(t, r.rcq, 0, 32 * r.ring);
    qwr(t, 0, ZCNIC_RXQ_CTRL, ZCNIC_RXQ_CTRL_ENABLE | ZCNIC_RXQ_CTRL_HDS);
    g_assert_cmpuint(qrd(t, 0, ZCNIC_RXQ_RCQ_TAIL), ==, 0);
    r.htail = r.ptail = r.chead = 0;
    r.gen = true;
    rxq_post(t, &r, 15, 15);
    inject(t, frame, len);
    rxq_check(t, &r, frame, len, l5, NULL);
    zt_end(t);
}

static void test_hostile(void)
{
    Zt *t = zt_start(NULL);
    uint8_t frame[2048];
    FrameSpec fs = { .l4 = 6, .pay_len = 100 };
    uint32_t len, l5, errs = 0;
    RxQ r;
    TxQ x;

    fs_v4(&fs, "10.0.0.2", "10.0.0.1", 1, 2);
    len = build_frame(&fs, frame, &l5);
    wr(t, ZCNIC_DEV_IRQ_MASK, ZCNIC_DEV_IRQ_QERR);

#define EXPECT_QERR(dir, q, code)                                          \
    do {                                                                   \
        g_assert_cmphex(qrd(t, q, dir == 0 ? ZCNIC_RXQ_STATUS :            \
                            ZCNIC_TXQ_STATUS), ==,                         \
                        ZCNIC_RXQ_STATUS_ERROR |                           \
                        zcnic_field_prep(ZCNIC_RXQ_STATUS_ERRCODE, code)); \
        g_assert_cmpuint(rd(t, ZCNIC_DEV_GUEST_ERRS), ==, ++errs);         \
        g_assert(irq_pending(t, ZCNIC_VEC_DEVICE));                        \
        wr(t, ZCNIC_DEV_IRQ_CAUSE, ZCNIC_DEV_IRQ_QERR);                    \
        irq_clear(t, ZCNIC_VEC_DEVICE);                                    \
    } while (0)

    /* header buffer address 0 */
    rxq_setup(t, &r, 0, ZCNIC_RXQ_CTRL_HDS, 256, 12);
    qtest_writeq(t->qts, r.hbr, 0);
    inject(t, frame, len);
    EXPECT_QERR(0, 0, ZCNIC_QERR_DESC);
    g_assert(rxq_empty(t, &r));

    /* payload buffer address not 4 KiB aligned */
    rxq_setup(t, &r, 1, ZCNIC_RXQ_CTRL_HDS, 256, 12);
    qtest_writeq(t->qts, r.pbr, r.pbufs + 64);
    wr(t, ZCNIC_RSS_INDIR(0, 0), 1);
    inject(t, frame, len);
    EXPECT_QERR(0, 1, ZCNIC_QERR_DESC);

    /* payload buffer outside RAM: DMA error */
    rxq_setup(t, &r, 2, ZCNIC_RXQ_CTRL_HDS, 256, 12);
    qtest_writeq(t->qts, r.pbr, 0xfffffff000000000ull);
    wr(t, ZCNIC_RSS_INDIR(0, 0), 2);
    g_assert_cmpuint(qom_u64(t, "dma-errors"), ==, 0);
    inject(t, frame, len);
    EXPECT_QERR(0, 2, ZCNIC_QERR_DMA);
    /* counted apart from the injected faults */
    g_assert_cmpuint(qom_u64(t, "dma-errors"), ==, 1);
    g_assert_cmpuint(qom_u64(t, "dma-faults"), ==, 0);

    /* tail beyond the ring; completion head beyond the tail */
    rxq_setup(t, &r, 3, ZCNIC_RXQ_CTRL_HDS, 256, 12);
    qwr(t, 3, ZCNIC_RXQ_PBR_TAIL, 16);
    EXPECT_QERR(0, 3, ZCNIC_QERR_INDEX);
    qwr(t, 3, ZCNIC_RXQ_CTRL, 0);       /* acknowledge, then start over */
    rxq_setup(t, &r, 3, ZCNIC_RXQ_CTRL_HDS, 256, 12);
    qwr(t, 3, ZCNIC_RXQ_RCQ_HEAD, 5);
    EXPECT_QERR(0, 3, ZCNIC_QERR_INDEX);

    /* ring size not a power of two */
    rxq_program(t, &r, 4, 16, 256, 12);
    qwr(t, 4, ZCNIC_RXQ_HBR_SIZE, 17);
    qwr(t, 4, ZCNIC_RXQ_CTRL, ZCNIC_RXQ_CTRL_ENABLE);
    EXPECT_QERR(0, 4, ZCNIC_QERR_RING_CFG);

    /* bad MSI-X vector: ignored, counted */
    qwr(t, 5, ZCNIC_QP_IRQ_VEC, 9);
    g_assert_cmpuint(qrd(t, 5, ZCNIC_QP_IRQ_VEC), ==, ZCNIC_VEC_QUEUE(5));
    g_assert_cmpuint(rd(t, ZCNIC_DEV_GUEST_ERRS), ==, ++errs);
    qwr(t, 5, ZCNIC_QP_IRQ_VEC, 0xffffffff);
    g_assert_cmpuint(rd(t, ZCNIC_DEV_GUEST_ERRS), ==, ++errs);

    /* bad ntuple index */
    wr(t, ZCNIC_NT_CMD, zcnic_field_prep(ZCNIC_NT_CMD_INDEX, 200) |
       zcnic_field_prep(ZCNIC_NT_CMD_OP, ZCNIC_NT_OP_CLEAR));
    g_assert_cmphex(rd(t, ZCNIC_NT_STATUS), ==, ZCNIC_NT_STATUS_ERR);
    g_assert_cmpuint(rd(t, ZCNIC_DEV_GUEST_ERRS), ==, ++errs);

    /* TX: descriptor address 0, then a frame without EOP in 32 */
    txq_setup(t, &x, 6);
    txq_put(t, &x, 0, 60, ZCNIC_TXD_EOP, 0, 0);
    qwr(t, 6, ZCNIC_TXQ_DR_TAIL, x.tail);
    EXPECT_QERR(1, 6, ZCNIC_QERR_DESC);
    {
        uint64_t b = zalloc(t, 64, 64);
        uint32_t i;

        qwr(t, 7, ZCNIC_TXQ_DR_SIZE, 64);
        x.ring = 64;
        x.q = 7;
        x.dr = zalloc(t, 16 * 64, 64);
        x.tail = 0;
        qwr(t, 7, ZCNIC_TXQ_DR_BASE_LO, x.dr);
        qwr(t, 7, ZCNIC_TXQ_DR_BASE_HI, x.dr >> 32);
        qwr(t, 7, ZCNIC_TXQ_TCQ_BASE_LO, x.tcq);
        qwr(t, 7, ZCNIC_TXQ_TCQ_BASE_HI, x.tcq >> 32);
        qwr(t, 7, ZCNIC_TXQ_TCQ_SIZE, 16);
        qwr(t, 7, ZCNIC_TXQ_CTRL, ZCNIC_TXQ_CTRL_ENABLE);
        for (i = 0; i < 40; i++) {
            txq_put(t, &x, b, 10, 0, 0, 0);
        }
        qwr(t, 7, ZCNIC_TXQ_DR_TAIL, x.tail);
        EXPECT_QERR(1, 7, ZCNIC_QERR_DESC);
        qwr(t, 7, ZCNIC_TXQ_DR_TAIL, 99);   /* stopped: ignored */
    }

    /* still alive and sane */
    g_assert_cmphex(rd(t, ZCNIC_DEV_ID), ==, ZCNIC_DEV_ID_MAGIC);
    g_assert_cmpuint(rd(t, ZCNIC_DEV_GUEST_ERRS), ==, errs);
    zt_end(t);
#undef EXPECT_QERR
}

/*
 * An MSI-X message the guest aimed at the device's own BAR: sent from the
 * receive path, and from the moderation timer, it must never land there
 * (the memory core refuses a re-entrant access from guarded code).
 */
static void test_irq_msix_own_bar(void)
{
    Zt *t = zt_start(",queues=2");
    uint64_t entry = t->dev->msix_table_off + 1 * PCI_MSIX_ENTRY_SIZE;
    uint64_t own = t->bar.addr + ZCNIC_DEV_SCRATCH0;
    uint8_t frame[2048];
    FrameSpec fs = { .l4 = 6, .pay_len = 100 };
    uint32_t len, l5, i;
    RxQ r;

    g_assert(!t->bar.is_io);
    fs_v4(&fs, "10.0.0.2", "10.0.0.1", 1, 2);
    len = build_frame(&fs, frame, &l5);
    rxq_setup(t, &r, 0, ZCNIC_RXQ_CTRL_HDS, 256, 12);
    qpci_io_writel(t->dev, t->dev->msix_table_bar,
                   entry + PCI_MSIX_ENTRY_LOWER_ADDR, own);
    qpci_io_writel(t->dev, t->dev->msix_table_bar,
                   entry + PCI_MSIX_ENTRY_UPPER_ADDR, own >> 32);
    qpci_io_writel(t->dev, t->dev->msix_table_bar,
                   entry + PCI_MSIX_ENTRY_DATA, 0x5a5a5a5a);
    qpci_io_writel(t->dev, t->dev->msix_table_bar,
                   entry + PCI_MSIX_ENTRY_VECTOR_CTRL, 0);

    /* at once, from the receive path */
    qwr(t, 0, ZCNIC_QP_IRQ_ITR, 100);
    qwr(t, 0, ZCNIC_QP_IRQ_CTRL, ZCNIC_QP_IRQ_CTRL_ARM);
    inject(t, frame, len);
    rxq_check(t, &r, frame, len, l5, NULL);
    g_assert_cmphex(rd(t, ZCNIC_DEV_SCRATCH0), ==, 0);
    /* the next one within 100 us: from the moderation timer */
    qwr(t, 0, ZCNIC_QP_IRQ_CTRL, ZCNIC_QP_IRQ_CTRL_ARM);
    inject(t, frame, len);
    rxq_check(t, &r, frame, len, l5, NULL);
    g_assert_cmphex(qrd(t, 0, ZCNIC_QP_IRQ_CTRL), ==, 0);
    qtest_clock_step(t->qts, 200 * 1000);
    for (i = 0; i < 10; i++) {      /* room for the bottom half to run */
        g_assert_cmphex(rd(t, ZCNIC_DEV_SCRATCH0), ==, 0);
    }
    g_assert_cmpuint(qom_u64(t, "irq0-sent"), ==, 2);
    /* the device goes on working */
    qwr(t, 0, ZCNIC_QP_IRQ_CTRL, ZCNIC_QP_IRQ_CTRL_ARM);
    qtest_clock_step(t->qts, 1000 * 1000);
    inject(t, frame, len);
    rxq_check(t, &r, frame, len, l5, NULL);
    g_assert_cmpuint(qrd(t, 0, ZCNIC_RXQ_STAT_PKTS), ==, 3);
    zt_end(t);
}

static void test_irq(void)
{
    Zt *t = zt_start(",queues=2");
    uint8_t frame[2048];
    FrameSpec fs = { .l4 = 6, .pay_len = 100 };
    uint32_t len, l5;
    RxQ r;

    fs_v4(&fs, "10.0.0.2", "10.0.0.1", 1, 2);
    len = build_frame(&fs, frame, &l5);
    rxq_setup(t, &r, 0, ZCNIC_RXQ_CTRL_HDS, 256, 12);

    /* not armed: nothing sent, PENDING remembers */
    inject(t, frame, len);
    rxq_check(t, &r, frame, len, l5, NULL);
    g_assert(!irq_pending(t, 1));
    g_assert_cmphex(qrd(t, 0, ZCNIC_QP_IRQ_CTRL), ==,
                    ZCNIC_QP_IRQ_CTRL_PENDING);
    /* ARM with a pending event fires at once */
    qwr(t, 0, ZCNIC_QP_IRQ_CTRL, ZCNIC_QP_IRQ_CTRL_ARM);
    g_assert(irq_pending(t, 1));
    irq_clear(t, 1);
    g_assert_cmphex(qrd(t, 0, ZCNIC_QP_IRQ_CTRL), ==, 0);

    /* armed: the next event fires and disarms */
    qwr(t, 0, ZCNIC_QP_IRQ_CTRL, ZCNIC_QP_IRQ_CTRL_ARM);
    g_assert_cmphex(qrd(t, 0, ZCNIC_QP_IRQ_CTRL), ==,
                    ZCNIC_QP_IRQ_CTRL_ARMED);
    inject(t, frame, len);
    rxq_check(t, &r, frame, len, l5, NULL);
    g_assert(irq_pending(t, 1));
    irq_clear(t, 1);
    g_assert_cmphex(qrd(t, 0, ZCNIC_QP_IRQ_CTRL), ==, 0);

    /* writing 0 disarms */
    qwr(t, 0, ZCNIC_QP_IRQ_CTRL, ZCNIC_QP_IRQ_CTRL_ARM);
    qwr(t, 0, ZCNIC_QP_IRQ_CTRL, 0);
    inject(t, frame, len);
    rxq_check(t, &r, frame, len, l5, NULL);
    g_assert(!irq_pending(t, 1));
    qwr(t, 0, ZCNIC_QP_IRQ_CTRL, ZCNIC_QP_IRQ_CTRL_ARM);
    irq_clear(t, 1);

    /* moderation: 100 us between interrupts */
    qwr(t, 0, ZCNIC_QP_IRQ_ITR, 100);
    qwr(t, 0, ZCNIC_QP_IRQ_CTRL, ZCNIC_QP_IRQ_CTRL_ARM);
    inject(t, frame, len);
    rxq_check(t, &r, frame, len, l5, NULL);
    /* the previous interrupt was at this same virtual time: deferred */
    g_assert(!irq_pending(t, 1));
    qtest_clock_step(t->qts, 50 * 1000);
    g_assert(!irq_pending(t, 1));
    qtest_clock_step(t->qts, 50 * 1000);
    irq_wait(t, 1);
    irq_clear(t, 1);
    /* long after: immediate again */
    qtest_clock_step(t->qts, 1000 * 1000);
    qwr(t, 0, ZCNIC_QP_IRQ_CTRL, ZCNIC_QP_IRQ_CTRL_ARM);
    inject(t, frame, len);
    rxq_check(t, &r, frame, len, l5, NULL);
    g_assert(irq_pending(t, 1));
    irq_clear(t, 1);

    /* SWINT is an event: armed, it fires at once and disarms */
    qtest_clock_step(t->qts, 1000 * 1000);
    qwr(t, 0, ZCNIC_QP_IRQ_CTRL, ZCNIC_QP_IRQ_CTRL_ARM);
    qwr(t, 0, ZCNIC_QP_IRQ_CTRL, ZCNIC_QP_IRQ_CTRL_SWINT);
    g_assert(irq_pending(t, 1));
    irq_clear(t, 1);
    g_assert_cmphex(qrd(t, 0, ZCNIC_QP_IRQ_CTRL), ==, 0);
    g_assert_cmpuint(qstat(t, "irq%u-swint", 0), ==, 1);
    /* disarmed, it waits in PENDING for the next arming */
    qtest_clock_step(t->qts, 1000 * 1000);
    qwr(t, 0, ZCNIC_QP_IRQ_CTRL, ZCNIC_QP_IRQ_CTRL_SWINT);
    g_assert(!irq_pending(t, 1));
    g_assert_cmphex(qrd(t, 0, ZCNIC_QP_IRQ_CTRL), ==,
                    ZCNIC_QP_IRQ_CTRL_PENDING);
    qwr(t, 0, ZCNIC_QP_IRQ_CTRL, ZCNIC_QP_IRQ_CTRL_ARM);
    g_assert(irq_pending(t, 1));
    irq_clear(t, 1);
    /* with ARM in the same write, it counts after the arming */
    qtest_clock_step(t->qts, 1000 * 1000);
    qwr(t, 0, ZCNIC_QP_IRQ_CTRL,
        ZCNIC_QP_IRQ_CTRL_ARM | ZCNIC_QP_IRQ_CTRL_SWINT);
    g_assert(irq_pending(t, 1));
    irq_clear(t, 1);
    g_assert_cmphex(qrd(t, 0, ZCNIC_QP_IRQ_CTRL), ==, 0);
    /* SWINT without ARM does not disarm */
    qtest_clock_step(t->qts, 1000 * 1000);
    qwr(t, 0, ZCNIC_QP_IRQ_CTRL, ZCNIC_QP_IRQ_CTRL_ARM);
    qwr(t, 1, ZCNIC_QP_IRQ_CTRL, ZCNIC_QP_IRQ_CTRL_ARM);
    qwr(t, 1, ZCNIC_QP_IRQ_CTRL, ZCNIC_QP_IRQ_CTRL_SWINT);
    g_assert(irq_pending(t, 2));
    irq_clear(t, 2);
    g_assert_cmphex(qrd(t, 0, ZCNIC_QP_IRQ_CTRL), ==,
                    ZCNIC_QP_IRQ_CTRL_ARMED);
    qwr(t, 0, ZCNIC_QP_IRQ_CTRL, 0);
    /* only the queue pair written to */
    qwr(t, 1, ZCNIC_QP_IRQ_CTRL, ZCNIC_QP_IRQ_CTRL_SWINT);
    g_assert(!irq_pending(t, 1));
    g_assert_cmphex(qrd(t, 1, ZCNIC_QP_IRQ_CTRL), ==,
                    ZCNIC_QP_IRQ_CTRL_PENDING);
    g_assert_cmpuint(qstat(t, "irq%u-swint", 0), ==, 3);
    g_assert_cmpuint(qstat(t, "irq%u-swint", 1), ==, 2);

    /* another vector for the queue pair */
    qwr(t, 0, ZCNIC_QP_IRQ_VEC, 2);
    qwr(t, 0, ZCNIC_QP_IRQ_ITR, 0);
    qwr(t, 0, ZCNIC_QP_IRQ_CTRL, ZCNIC_QP_IRQ_CTRL_ARM);
    inject(t, frame, len);
    rxq_check(t, &r, frame, len, l5, NULL);
    g_assert(!irq_pending(t, 1));
    g_assert(irq_pending(t, 2));
    irq_clear(t, 2);
    zt_end(t);
}

static void test_link_filter(void)
{
    Zt *t = zt_start(NULL);
    uint8_t frame[2048];
    FrameSpec fs = { .l4 = 17, .pay_len = 100 };
    uint32_t len, l5;
    RxQ r;

    rxq_setup(t, &r, 0, ZCNIC_RXQ_CTRL_HDS, 256, 12);
    fs_v4(&fs, "10.0.0.2", "10.0.0.1", 1, 2);
    len = build_frame(&fs, frame, &l5);

    /* link flap from the host side */
    wr(t, ZCNIC_DEV_IRQ_MASK, ZCNIC_DEV_IRQ_LINK);
    qom_set_bool(t, "x-link", false);
    g_assert_cmphex(rd(t, ZCNIC_DEV_STATUS), ==, 0);
    g_assert_cmphex(rd(t, ZCNIC_DEV_IRQ_CAUSE), ==, ZCNIC_DEV_IRQ_LINK);
    g_assert(irq_pending(t, ZCNIC_VEC_DEVICE));
    irq_clear(t, ZCNIC_VEC_DEVICE);
    inject(t, frame, len);
    g_assert(rxq_empty(t, &r));
    /* cause still set: W1C, nothing new */
    wr(t, ZCNIC_DEV_IRQ_CAUSE, ZCNIC_DEV_IRQ_LINK);
    g_assert_cmphex(rd(t, ZCNIC_DEV_IRQ_CAUSE), ==, 0);
    g_assert(!irq_pending(t, ZCNIC_VEC_DEVICE));
    qom_set_bool(t, "x-link", true);
    g_assert_cmphex(rd(t, ZCNIC_DEV_STATUS), ==, ZCNIC_DEV_STATUS_LINK_UP);
    g_assert(irq_pending(t, ZCNIC_VEC_DEVICE));
    inject(t, frame, len);
    rxq_check(t, &r, frame, len, l5, NULL);

    /* address filter */
    frame[0] = 0x02;                        /* someone else's unicast */
    inject(t, frame, len);
    g_assert(rxq_empty(t, &r));
    memset(frame, 0xff, 6);                 /* broadcast: on by default */
    inject(t, frame, len);
    rxq_check(t, &r, frame, len, l5, NULL);
    wr(t, ZCNIC_DEV_RX_FILTER, 0);
    inject(t, frame, len);
    g_assert(rxq_empty(t, &r));
    memcpy(frame, "\x33\x33\x00\x00\x00\x01", 6);   /* multicast */
    inject(t, frame, len);
    g_assert(rxq_empty(t, &r));
    wr(t, ZCNIC_DEV_RX_FILTER, ZCNIC_DEV_RX_FILTER_ALLMULTI);
    inject(t, frame, len);
    rxq_check(t, &r, frame, len, l5, NULL);
    frame[0] = 0x02;
    wr(t, ZCNIC_DEV_RX_FILTER, ZCNIC_DEV_RX_FILTER_PROMISC);
    inject(t, frame, len);
    rxq_check(t, &r, frame, len, l5, NULL);
    /* a new MAC address */
    wr(t, ZCNIC_DEV_RX_FILTER, 0);
    wr(t, ZCNIC_DEV_MAC_LO, 0x04030202);
    wr(t, ZCNIC_DEV_MAC_HI, 0x0605);
    memcpy(frame, "\x02\x02\x03\x04\x05\x06", 6);
    inject(t, frame, len);
    rxq_check(t, &r, frame, len, l5, NULL);
    g_assert_cmpuint(qom_u64(t, "rx-filtered"), ==, 3);
    zt_end(t);
}

static void test_reset(void)
{
    Zt *t = zt_start(NULL);
    uint8_t frame[2048];
    FrameSpec fs = { .l4 = 6, .pay_len = 100 };
    uint32_t len, l5;
    RxQ r;
    TxQ x;

    fs_v4(&fs, "10.0.0.2", "10.0.0.1", 1, 2);
    len = build_frame(&fs, frame, &l5);
    rxq_setup(t, &r, 0, ZCNIC_RXQ_CTRL_HDS, 256, 12);
    txq_setup(t, &x, 0);
    inject(t, frame, len);
    rxq_check(t, &r, frame, len, l5, NULL);
    wr(t, ZCNIC_RSS_CFG(3), ZCNIC_RSS_CFG_ENABLE);
    wr(t, ZCNIC_RSS_FIELDS(3), ZCNIC_RSS_FIELDS_SYM_XOR);
    wr(t, ZCNIC_RSS_INDIR(0, 0), 0x01010101);
    wr(t, ZCNIC_NT_FLOW, ZCNIC_NT_FLOW_ENABLE | ZCNIC_NT_FLOW_TCP4);
    wr(t, ZCNIC_NT_CMD, zcnic_field_prep(ZCNIC_NT_CMD_OP, ZCNIC_NT_OP_WRITE));
    wr(t, ZCNIC_DEV_SCRATCH0, 1);
    wr(t, ZCNIC_DEV_MAX_FRAME, 4000);
    qwr(t, 0, ZCNIC_QP_IRQ_CTRL, ZCNIC_QP_IRQ_CTRL_ARM);
    qwr(t, 1, ZCNIC_RXQ_HBR_SIZE, 3);
    qwr(t, 1, ZCNIC_RXQ_CTRL, ZCNIC_RXQ_CTRL_ENABLE);
    g_assert_cmpuint(rd(t, ZCNIC_DEV_GUEST_ERRS), ==, 1);

    wr(t, ZCNIC_DEV_CTRL, ZCNIC_DEV_CTRL_RESET);
    g_assert_cmphex(rd(t, ZCNIC_DEV_CTRL), ==, 0);
    g_assert_cmphex(qrd(t, 0, ZCNIC_RXQ_STATUS), ==, 0);
    g_assert_cmphex(qrd(t, 0, ZCNIC_TXQ_STATUS), ==, 0);
    g_assert_cmphex(qrd(t, 1, ZCNIC_RXQ_STATUS), ==, 0);
    g_assert_cmphex(qrd(t, 0, ZCNIC_RXQ_HBR_BASE_LO), ==, 0);
    g_assert_cmpuint(qrd(t, 0, ZCNIC_RXQ_STAT_PKTS), ==, 0);
    g_assert_cmphex(qrd(t, 0, ZCNIC_QP_IRQ_CTRL), ==, 0);
    g_assert_cmpuint(rd(t, ZCNIC_DEV_GUEST_ERRS), ==, 0);
    g_assert_cmpuint(rd(t, ZCNIC_DEV_SCRATCH0), ==, 0);
    g_assert_cmpuint(rd(t, ZCNIC_DEV_MAX_FRAME), ==, 1518);
    g_assert_cmphex(rd(t, ZCNIC_RSS_CFG(3)), ==, 0);
    g_assert_cmphex(rd(t, ZCNIC_RSS_FIELDS(3)), ==, ZCNIC_RSS_FIELDS_DEFAULT);
    g_assert_cmphex(rd(t, ZCNIC_RSS_INDIR(0, 0)), ==, 0);
    g_assert_cmphex(rd(t, ZCNIC_NT_FLOW), ==, 0);
    wr(t, ZCNIC_NT_CMD, zcnic_field_prep(ZCNIC_NT_CMD_OP, ZCNIC_NT_OP_READ));
    g_assert_cmphex(rd(t, ZCNIC_NT_FLOW), ==, 0);
    g_assert_cmpuint(qstat(t, "rx%u-pkts", 0), ==, 0);

    /* a frame after reset goes nowhere but DROP_STEER */
    inject(t, frame, len);
    g_assert_cmpuint(qrd(t, 0, ZCNIC_RXQ_STAT_DROP_STEER), ==, 1);
    zt_end(t);
}

static void test_faults(void)
{
    Zt *t = zt_start(NULL);
    uint8_t frame[2048];
    FrameSpec fs = { .l4 = 6, .pay_len = 100 };
    uint32_t len, l5, i, got = 0;
    RxQ r;

    fs_v4(&fs, "10.0.0.2", "10.0.0.1", 1, 2);
    len = build_frame(&fs, frame, &l5);
    rxq_setup(t, &r, 0, ZCNIC_RXQ_CTRL_HDS, 256, 12);

    qom_set_bool(t, "x-fault-starve", true);
    inject(t, frame, len);
    g_assert(rxq_empty(t, &r));
    g_assert_cmpuint(qrd(t, 0, ZCNIC_RXQ_STAT_NOBUF), ==, 1);
    qom_set_bool(t, "x-fault-starve", false);

    /* drop half, deterministically for a given seed */
    qom_set_int(t, "x-fault-seed", 42);
    qom_set_int(t, "x-fault-drop-ppm", 500000);
    for (i = 0; i < 10; i++) {
        inject(t, frame, len);
        if (!rxq_empty(t, &r)) {
            rxq_check(t, &r, frame, len, l5, NULL);
            rxq_post(t, &r, 1, 1);
            got++;
        }
    }
    g_assert_cmpuint(got + qom_u64(t, "rx-fault-drops"), ==, 10);
    g_assert_cmpuint(got, >, 0);
    g_assert_cmpuint(got, <, 10);
    qom_set_int(t, "x-fault-drop-ppm", 0);

    /* lose every interrupt */
    qom_set_int(t, "x-fault-irq-drop-ppm", 1000000);
    qwr(t, 0, ZCNIC_QP_IRQ_CTRL, ZCNIC_QP_IRQ_CTRL_ARM);
    inject(t, frame, len);
    rxq_check(t, &r, frame, len, l5, NULL);
    rxq_post(t, &r, 1, 1);
    g_assert(!irq_pending(t, 1));
    g_assert_cmpuint(qstat(t, "irq%u-lost", 0), ==, 1);
    qom_set_int(t, "x-fault-irq-drop-ppm", 0);

    /* fail the buffer DMA: the queue stops with a DMA error */
    qom_set_int(t, "x-fault-dma-fail-ppm", 1000000);
    inject(t, frame, len);
    g_assert_cmphex(qrd(t, 0, ZCNIC_RXQ_STATUS), ==,
                    ZCNIC_RXQ_STATUS_ERROR |
                    zcnic_field_prep(ZCNIC_RXQ_STATUS_ERRCODE,
                                     ZCNIC_QERR_DMA));
    g_assert_cmpuint(qom_u64(t, "dma-faults"), ==, 1);
    qom_set_int(t, "x-fault-dma-fail-ppm", 0);

    /* a completion with the wrong header index, once */
    qwr(t, 0, ZCNIC_RXQ_CTRL, 0);
    rxq_setup(t, &r, 0, ZCNIC_RXQ_CTRL_HDS, 256, 12);
    qom_set_int(t, "x-fault-bad-cmpl", 1);
    inject(t, frame, len);
    {
        struct zcnic_rx_cmpl cd;

        rxq_next(t, &r, &cd);
        g_assert_cmpuint(le16_to_cpu(cd.hdr_idx), ==, 1);
        /* one only: the next one names header buffer 1, as it should */
        inject(t, frame, len);
        rxq_next(t, &r, &cd);
        g_assert_cmpuint(le16_to_cpu(cd.hdr_idx), ==, 1);
    }
    g_assert_cmpuint(qom_u64(t, "x-fault-bad-cmpl"), ==, 0);
    zt_end(t);
}

/* x-fault-tx-hang: doorbells are ignored until the queue is stopped. */
/* A 142-byte UDP frame in @frame, and a copy in guest memory (returned). */
static uint64_t udp_frame_in_guest(Zt *t, uint8_t *frame, uint32_t *len)
{
    FrameSpec fs = { .l4 = 17, .pay_len = 100 };
    uint64_t buf;
    uint32_t l5;

    fs_v4(&fs, "10.0.0.1", "10.0.0.2", 4000, 5000);
    *len = build_frame(&fs, frame, &l5);
    buf = zalloc(t, *len, 64);
    qtest_memwrite(t->qts, buf, frame, *len);
    return buf;
}

static void test_fault_tx_hang(void)
{
    Zt *t = zt_start(NULL);
    uint8_t frame[256], out[2048];
    uint32_t len;
    uint64_t buf;
    TxQ x;

    buf = udp_frame_in_guest(t, frame, &len);

    txq_setup(t, &x, 0);
    g_assert(!qom_get_bool(t, "x-fault-tx-hang"));
    qom_set_bool(t, "x-fault-tx-hang", true);
    g_assert(qom_get_bool(t, "x-fault-tx-hang"));
    txq_put(t, &x, buf, len, ZCNIC_TXD_EOP, 0, 0);
    qwr(t, 0, ZCNIC_TXQ_DR_TAIL, x.tail);
    g_assert_cmpuint(qrd(t, 0, ZCNIC_TXQ_DR_HEAD), ==, 0);
    g_assert_cmpuint(qstat(t, "tx%u-pkts", 0), ==, 0);
    /* clearing the knob does not un-hang a queue: only a stop does */
    qom_set_bool(t, "x-fault-tx-hang", false);
    qwr(t, 0, ZCNIC_TXQ_DR_TAIL, x.tail);
    g_assert_cmpuint(qstat(t, "tx%u-pkts", 0), ==, 0);
    qwr(t, 0, ZCNIC_TXQ_CTRL, 0);
    g_assert(!qom_get_bool(t, "x-fault-tx-hang"));
    txq_setup(t, &x, 0);
    txq_put(t, &x, buf, len, ZCNIC_TXD_EOP, 0, 0);
    qwr(t, 0, ZCNIC_TXQ_DR_TAIL, x.tail);
    g_assert_cmpuint(sock_recv_frame(t, out, sizeof(out)), ==, len);
    g_assert_cmpuint(qstat(t, "tx%u-pkts", 0), ==, 1);
    zt_end(t);
}

/*
 * x-fault-txq-stop-ignore: a stop is left unanswered and the queue stays
 * enabled, hung and locked whatever software writes, until a device reset.
 */
static void test_fault_txq_stop_ignore(void)
{
    Zt *t = zt_start(NULL);
    uint8_t frame[256], out[2048];
    uint32_t len, size;
    uint64_t buf;
    TxQ x;

    buf = udp_frame_in_guest(t, frame, &len);

    txq_setup(t, &x, 1);
    qom_set_int(t, "x-fault-txq-stop-ignore", 1);
    qwr(t, 1, ZCNIC_TXQ_CTRL, 0);
    g_assert_cmpuint(qom_u64(t, "x-fault-txq-stop-ignore"), ==, 0);
    g_assert_cmphex(qrd(t, 1, ZCNIC_TXQ_STATUS), ==, ZCNIC_TXQ_STATUS_ENABLED);
    g_assert(qom_get_bool(t, "x-fault-tx-hang"));
    /* a second stop, its doorbells and its ring registers: all ignored */
    qwr(t, 1, ZCNIC_TXQ_CTRL, 0);
    g_assert_cmphex(qrd(t, 1, ZCNIC_TXQ_STATUS), ==, ZCNIC_TXQ_STATUS_ENABLED);
    txq_put(t, &x, buf, len, ZCNIC_TXD_EOP, 0, 0);
    qwr(t, 1, ZCNIC_TXQ_DR_TAIL, x.tail);
    g_assert_cmpuint(qrd(t, 1, ZCNIC_TXQ_DR_HEAD), ==, 0);
    size = qrd(t, 1, ZCNIC_TXQ_DR_SIZE);
    qwr(t, 1, ZCNIC_TXQ_DR_SIZE, size * 2);
    g_assert_cmpuint(qrd(t, 1, ZCNIC_TXQ_DR_SIZE), ==, size);
    /* the other queues are not affected */
    g_assert_cmphex(qrd(t, 0, ZCNIC_TXQ_STATUS), ==, 0);

    /* the device reset releases it; the queue then works */
    wr(t, ZCNIC_DEV_CTRL, ZCNIC_DEV_CTRL_RESET);
    g_assert_cmphex(qrd(t, 1, ZCNIC_TXQ_STATUS), ==, 0);
    g_assert(!qom_get_bool(t, "x-fault-tx-hang"));
    txq_setup(t, &x, 1);
    txq_put(t, &x, buf, len, ZCNIC_TXD_EOP, 0, 0);
    qwr(t, 1, ZCNIC_TXQ_DR_TAIL, x.tail);
    g_assert_cmpuint(sock_recv_frame(t, out, sizeof(out)), ==, len);
    zt_end(t);
}

/*
 * Hot-unplug while a TX frame waits in the backend. The device sits behind
 * a PCIe root port (native hotplug), programmed here by hand: libqos only
 * walks bus 0. TX fills the socket until the backend queues a frame (the
 * link partner is not reading), the slot is powered off (which unplugs the
 * device), and then the partner reads: the backend flushes its queue. A
 * frame the device left queued would complete into a freed device
 * (AddressSanitizer, level qtest-san, reports the use after free).
 */
#define RP_DEVFN    (4 << 3)    /* root port at 00:04.0, the NIC at 01:00.0 */
#define HP_BAR0     0xe0000000u

static uint32_t cfg_addr(uint32_t bus, uint32_t devfn, uint32_t reg)
{
    return 0x80000000u | bus << 16 | devfn << 8 | (reg & 0xfc);
}

static uint32_t cfg_rd32(QTestState *qts, uint32_t bus, uint32_t devfn,
                         uint32_t reg)
{
    qtest_outl(qts, 0xcf8, cfg_addr(bus, devfn, reg));
    return qtest_inl(qts, 0xcfc);
}

static void cfg_wr32(QTestState *qts, uint32_t bus, uint32_t devfn,
                     uint32_t reg, uint32_t val)
{
    qtest_outl(qts, 0xcf8, cfg_addr(bus, devfn, reg));
    qtest_outl(qts, 0xcfc, val);
}

static void cfg_wr16(QTestState *qts, uint32_t bus, uint32_t devfn,
                     uint32_t reg, uint16_t val)
{
    qtest_outl(qts, 0xcf8, cfg_addr(bus, devfn, reg));
    qtest_outw(qts, 0xcfc + (reg & 2), val);
}

static uint32_t cfg_find_cap(QTestState *qts, uint32_t bus, uint32_t devfn,
                             uint8_t id)
{
    uint32_t pos = cfg_rd32(qts, bus, devfn, PCI_CAPABILITY_LIST) & 0xff;

    while (pos) {
        uint32_t hdr = cfg_rd32(qts, bus, devfn, pos);

        if ((hdr & 0xff) == id) {
            return pos;
        }
        pos = (hdr >> 8) & 0xfc;
    }
    g_assert_not_reached();
}

static void test_unplug_tx_waiting(void)
{
    enum { FLEN = 16000, MAX_BATCHES = 256, RING = 16 };
    uint8_t *frame = g_malloc0(FLEN), *out = g_malloc(FLEN + 64);
    uint64_t buf[RING], dr, tcq;
    uint32_t exp, batch, i, tail = 0, q = 0;
    QTestState *qts;
    int sock[2];
    QDict *rsp;

#define HPW(off, val) \
    qtest_writel(qts, HP_BAR0 + ZCNIC_Q_BASE(q) + (off), (val))
#define HPR(off) qtest_readl(qts, HP_BAR0 + ZCNIC_Q_BASE(q) + (off))

    g_assert_cmpint(socketpair(PF_UNIX, SOCK_STREAM, 0, sock), ==, 0);
    qts = qtest_initf("-M q35 -nodefaults "
                      "-global ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off "
                      "-device pcie-root-port,id=rp0,bus=pcie.0,chassis=1,addr=0x4 "
                      "-netdev socket,fd=%d,id=n0 "
                      "-device zcnic,id=nic0,bus=rp0,netdev=n0,mac=" MAC_ADDR,
                      sock[1]);

    /* the root port: bus 1 behind it, a memory window, bus master */
    cfg_wr32(qts, 0, RP_DEVFN, PCI_PRIMARY_BUS, 0x00010100);
    cfg_wr32(qts, 0, RP_DEVFN, PCI_MEMORY_BASE,
             (HP_BAR0 >> 16) | ((HP_BAR0 + 0xfffff) & 0xfff00000));
    cfg_wr16(qts, 0, RP_DEVFN, PCI_COMMAND,
             PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    /* the NIC: BAR0 (64-bit) in the window */
    g_assert_cmphex(cfg_rd32(qts, 1, 0, PCI_VENDOR_ID), ==,
                    ZCNIC_PCI_VENDOR_ID | ZCNIC_PCI_DEVICE_ID << 16);
    cfg_wr32(qts, 1, 0, PCI_BASE_ADDRESS_0, HP_BAR0);
    cfg_wr32(qts, 1, 0, PCI_BASE_ADDRESS_1, 0);
    cfg_wr16(qts, 1, 0, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    g_assert_cmphex(qtest_readl(qts, HP_BAR0 + ZCNIC_DEV_ID), ==,
                    ZCNIC_DEV_ID_MAGIC);

    /* TX queue 0 until a frame waits in the backend */
    dr = MEM_BASE;
    tcq = dr + 16 * RING;
    qtest_memset(qts, tcq, 0, 8 * RING);
    HPW(ZCNIC_TXQ_DR_BASE_LO, dr);
    HPW(ZCNIC_TXQ_DR_BASE_HI, 0);
    HPW(ZCNIC_TXQ_DR_SIZE, RING);
    HPW(ZCNIC_TXQ_TCQ_BASE_LO, tcq);
    HPW(ZCNIC_TXQ_TCQ_BASE_HI, 0);
    HPW(ZCNIC_TXQ_TCQ_SIZE, RING);
    HPW(ZCNIC_TXQ_CTRL, ZCNIC_TXQ_CTRL_ENABLE);
    g_assert_cmphex(HPR(ZCNIC_TXQ_STATUS), ==, ZCNIC_TXQ_STATUS_ENABLED);
    memcpy(frame, peer_mac, 6);
    memcpy(frame + 6, nic_mac, 6);
    stw_be_p(frame + 12, 0x88b5);
    for (i = 0; i < RING; i++) {
        buf[i] = MEM_BASE + 0x10000 + (uint64_t)i * 0x4000;
        qtest_memwrite(qts, buf[i], frame, FLEN);
    }
    for (batch = 0; batch < MAX_BATCHES; batch++) {
        for (i = 0; i < RING - 1; i++) {
            struct zcnic_tx_desc d = {
                .addr = cpu_to_le64(buf[tail]),
                .len = cpu_to_le16(FLEN),
                .flags = cpu_to_le16(ZCNIC_TXD_EOP),
            };

            qtest_memwrite(qts, dr + 16 * tail, &d, sizeof(d));
            tail = (tail + 1) % RING;
        }
        HPW(ZCNIC_TXQ_DR_TAIL, tail);
        HPW(ZCNIC_TXQ_TCQ_HEAD, HPR(ZCNIC_TXQ_TCQ_TAIL));
        if (HPR(ZCNIC_TXQ_DR_HEAD) != tail) {
            break;
        }
    }
    g_assert_cmpuint(batch, <, MAX_BATCHES);
    rsp = qtest_qmp(qts, "{'execute': 'qom-get', 'arguments': "
                    "{'path': '/machine/peripheral/nic0', "
                    "'property': 'tx-waits'}}");
    g_assert_cmpint(qdict_get_int(rsp, "return"), >=, 1);
    qobject_unref(rsp);

    /* unplug: request it, then power the slot off as the OS would */
    qtest_qmp_device_del_send(qts, "nic0");
    exp = cfg_find_cap(qts, 0, RP_DEVFN, PCI_CAP_ID_EXP);
    cfg_wr16(qts, 0, RP_DEVFN, exp + PCI_EXP_SLTCTL,
             PCI_EXP_SLTCTL_PWR_OFF | PCI_EXP_SLTCTL_PWR_IND_OFF |
             PCI_EXP_SLTCTL_ATTN_IND_OFF);
    qtest_qmp_eventwait(qts, "DEVICE_DELETED");

    /* the partner reads: the backend flushes whatever is still queued */
    while (recv(sock[0], out, FLEN + 64, MSG_DONTWAIT) > 0) {
        /* discard */
    }
    for (i = 0; i < 20; i++) {
        qtest_clock_step(qts, 1000 * 1000);
        g_usleep(10 * 1000);
        while (recv(sock[0], out, FLEN + 64, MSG_DONTWAIT) > 0) {
            /* discard */
        }
    }
    /* QEMU is still alive and answering */
    rsp = qtest_qmp(qts, "{'execute': 'query-status'}");
    g_assert(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);

#undef HPW
#undef HPR
    qtest_quit(qts);
    close(sock[0]);
    close(sock[1]);
    g_free(frame);
    g_free(out);
}

/* Drop whatever the NIC sent so the socket never fills up. */
static void sock_drain(Zt *t)
{
    uint8_t buf[4096];

    while (recv(t->sock[0], buf, sizeof(buf), MSG_DONTWAIT) > 0) {
        /* discard */
    }
}

static void rxq_reenable(Zt *t, RxQ *r, uint32_t ctrl)
{
    qwr(t, r->q, ZCNIC_RXQ_CTRL, 0);
    qwr(t, r->q, ZCNIC_RXQ_HBR_BASE_LO, r->hbr);
    qwr(t, r->q, ZCNIC_RXQ_HBR_BASE_HI, r->hbr >> 32);
    qwr(t, r->q, ZCNIC_RXQ_HBR_SIZE, r->ring);
    qwr(t, r->q, ZCNIC_RXQ_PBR_BASE_LO, r->pbr);
    qwr(t, r->q, ZCNIC_RXQ_PBR_BASE_HI, r->pbr >> 32);
    qwr(t, r->q, ZCNIC_RXQ_PBR_SIZE, r->ring);
    qwr(t, r->q, ZCNIC_RXQ_RCQ_BASE_LO, r->rcq);
    qwr(t, r->q, ZCNIC_RXQ_RCQ_BASE_HI, r->rcq >> 32);
    qwr(t, r->q, ZCNIC_RXQ_RCQ_SIZE, r->ring);
    qwr(t, r->q, ZCNIC_RXQ_BUF_CFG,
        zcnic_field_prep(ZCNIC_RXQ_BUF_CFG_HDR_LEN, r->hdr_len) |
        zcnic_field_prep(ZCNIC_RXQ_BUF_CFG_PAY_SHIFT, ctz32(r->pay_size)));
    qwr(t, r->q, ZCNIC_RXQ_CTRL, ZCNIC_RXQ_CTRL_ENABLE | ctrl);
}

/*
 * A buggy or hostile driver in fast-forward: four working queues with
 * RSS, then random doorbells (some outside the rings), re-arms, restarts,
 * corrupted descriptors, random register writes and random or mangled
 * frames, interleaved.  The device must survive, keep answering, and work
 * normally after a reset.  The sequence is the same on every run.
 */
static void test_random(void)
{
    static const uint32_t qregs[] = {
        ZCNIC_RXQ_HBR_TAIL, ZCNIC_RXQ_PBR_TAIL, ZCNIC_RXQ_RCQ_HEAD,
        ZCNIC_TXQ_DR_TAIL, ZCNIC_TXQ_TCQ_HEAD,
    };
    Zt *t = zt_start(",queues=4");
    GRand *rng = g_rand_new_with_seed(0x5a434e31);
    g_autofree uint8_t *frame = g_malloc0(4096);
    uint8_t indir[ZCNIC_RSS_INDIR_SIZE];
    uint64_t arena = zalloc(t, 256 * 1024, 4096);
    uint32_t i, j, q, errs;
    RxQ r[4];
    TxQ x[4];

    wr(t, ZCNIC_DEV_MAX_FRAME, 4096);
    for (q = 0; q < 4; q++) {
        rxq_setup(t, &r[q], q, ZCNIC_RXQ_CTRL_HDS |
                  (q & 1 ? ZCNIC_RXQ_CTRL_PACK : 0), 128 + 64 * q, 12 + q);
        txq_setup(t, &x[q], q);
        for (j = 0; j < x[q].ring; j++) {
            txq_put(t, &x[q], arena + 64 * g_rand_int_range(rng, 0, 2048),
                    g_rand_int_range(rng, 1, 1600),
                    g_rand_int_range(rng, 0, 4),
                    g_rand_int_range(rng, 0, 100),
                    g_rand_int_range(rng, 0, 100));
        }
    }
    for (i = 0; i < ZCNIC_RSS_INDIR_SIZE; i++) {
        indir[i] = i % 5;                   /* 4 is not a queue */
    }
    rss_set_key(t, 0, ms_key);
    rss_set_indir(t, 0, indir);
    wr(t, ZCNIC_RSS_CFG(0), 0x7f);

    for (i = 0; i < 4000; i++) {
        uint32_t op = g_rand_int_range(rng, 0, 100);
        uint32_t val = g_rand_int_range(rng, 0, 19);

        q = g_rand_int_range(rng, 0, 4);
        if (op < 35) {
            FrameSpec fs = { .l4 = g_rand_boolean(rng) ? 6 : 17,
                             .pay_len = g_rand_int_range(rng, 0, 3000),
                             .vlan = !g_rand_int_range(rng, 0, 4),
                             .frag = !g_rand_int_range(rng, 0, 10),
                             .seed = i };
            uint32_t len, l5;

            if (g_rand_boolean(rng)) {
                fs_v4(&fs, "10.0.0.2", "10.0.0.1",
                      g_rand_int_range(rng, 0, 65536), 5001);
            } else {
                fs_v6(&fs, "fd00::2", "fd00::1",
                      g_rand_int_range(rng, 0, 65536), 5001);
            }
            if (!g_rand_int_range(rng, 0, 10)) {
                fs.l4 = g_rand_int_range(rng, 0, 256);
            }
            len = build_frame(&fs, frame, &l5);
            for (j = g_rand_int_range(rng, 0, 3); j; j--) {
                frame[g_rand_int_range(rng, 12, len)] = g_rand_int(rng);
            }
            if (!g_rand_int_range(rng, 0, 8)) {
                len = g_rand_int_range(rng, 1, len);
            }
            inject(t, frame, len);
        } else if (op < 65) {
            /* a doorbell: mostly what a driver writes, sometimes not */
            uint32_t reg = qregs[g_rand_int_range(rng, 0, ARRAY_SIZE(qregs))];

            if (g_rand_int_range(rng, 0, 20)) {
                switch (reg) {
                case ZCNIC_RXQ_RCQ_HEAD:
                    val = qrd(t, q, ZCNIC_RXQ_RCQ_TAIL);
                    break;
                case ZCNIC_TXQ_TCQ_HEAD:
                    val = qrd(t, q, ZCNIC_TXQ_TCQ_TAIL);
                    break;
                default:
                    val = (qrd(t, q, reg + 4) + 16 - 1 -
                           g_rand_int_range(rng, 0, 4)) % 16;
                    break;
                }
            }
            qwr(t, q, reg, val);
        } else if (op < 72) {
            qwr(t, q, ZCNIC_QP_IRQ_CTRL, g_rand_int_range(rng, 0, 4));
            if (!g_rand_int_range(rng, 0, 4)) {
                qwr(t, q, ZCNIC_QP_IRQ_ITR, g_rand_int_range(rng, 0, 50));
            }
            if (!g_rand_int_range(rng, 0, 8)) {
                qwr(t, q, ZCNIC_QP_IRQ_VEC, g_rand_int_range(rng, 0, 7));
            }
            qtest_clock_step(t->qts, g_rand_int_range(rng, 0, 30000));
        } else if (op < 80) {
            /* restart a queue, or toggle its split settings live */
            if (g_rand_boolean(rng)) {
                memfill(t, r[q].rcq, 0, 32 * r[q].ring);
                rxq_reenable(t, &r[q], g_rand_int_range(rng, 0, 8) & 6);
            } else if (g_rand_boolean(rng)) {
                qwr(t, q, ZCNIC_TXQ_CTRL, 0);
                qwr(t, q, ZCNIC_TXQ_CTRL, ZCNIC_TXQ_CTRL_ENABLE);
            } else {
                qwr(t, q, ZCNIC_RXQ_CTRL, ZCNIC_RXQ_CTRL_ENABLE |
                    (g_rand_int_range(rng, 0, 8) & 6));
                qwr(t, q, ZCNIC_RXQ_HDS_THRESH, g_rand_int_range(rng, 0, 400));
            }
        } else if (op < 92) {
            /* rewrite a descriptor: mostly a sane buffer, sometimes not */
            uint64_t addr = arena + 4096 * g_rand_int_range(rng, 0, 60);
            uint32_t slot = g_rand_int_range(rng, 0, 16);

            if (!g_rand_int_range(rng, 0, 5)) {
                addr = (uint64_t)g_rand_int(rng) << g_rand_int_range(rng, 0,
                                                                     33);
            }
            switch (g_rand_int_range(rng, 0, 3)) {
            case 0:
                qtest_writeq(t->qts, r[q].hbr + 8 * slot, addr);
                break;
            case 1:
                qtest_writeq(t->qts, r[q].pbr + 8 * slot, addr);
                break;
            default:
                x[q].tail = slot;
                txq_put(t, &x[q], addr, g_rand_int_range(rng, 0, 2000),
                        g_rand_int_range(rng, 0, 4),
                        g_rand_int_range(rng, 0, 1600),
                        g_rand_int_range(rng, 0, 1600));
                break;
            }
        } else if (op < 97) {
            /* ntuple and RSS programming, right or wrong */
            if (g_rand_boolean(rng)) {
                wr(t, ZCNIC_NT_FLOW, ZCNIC_NT_FLOW_ENABLE |
                   g_rand_int_range(rng, 0, 6));
                wr(t, ZCNIC_NT_PORTS, nt_ports(0, 5001));
                wr(t, ZCNIC_NT_PORT_MASKS, nt_ports(0, 0xffff));
                wr(t, ZCNIC_NT_ACTION, nt_act(g_rand_int_range(rng, 0, 4),
                                              g_rand_int_range(rng, 0, 10)));
                wr(t, ZCNIC_NT_CMD,
                   zcnic_field_prep(ZCNIC_NT_CMD_INDEX,
                                    g_rand_int_range(rng, 0, 70)) |
                   zcnic_field_prep(ZCNIC_NT_CMD_OP,
                                    g_rand_int_range(rng, 0, 4)));
            } else {
                uint32_t c = g_rand_int_range(rng, 0, ZCNIC_RSS_CTXS);

                wr(t, ZCNIC_RSS_INDIR(c, g_rand_int_range(rng, 0, 32)),
                   g_rand_int(rng) & 0x07070707);
                wr(t, ZCNIC_RSS_CFG(c), g_rand_int(rng));
            }
        } else {
            /* anything in the queue block */
            qwr(t, q, 4 * g_rand_int_range(rng, 0, 64), g_rand_int(rng));
        }
        if (!(i % 64)) {
            sock_drain(t);
        }
    }
    sock_drain(t);

    /* still alive and coherent */
    g_assert_cmphex(rd(t, ZCNIC_DEV_ID), ==, ZCNIC_DEV_ID_MAGIC);
    errs = rd(t, ZCNIC_DEV_GUEST_ERRS);
    g_assert_cmpuint(errs, >, 0);
    g_test_message("random: %u guest errors, rx %u/%u/%u/%u pkts",
                   errs, qrd(t, 0, ZCNIC_RXQ_STAT_PKTS),
                   qrd(t, 1, ZCNIC_RXQ_STAT_PKTS),
                   qrd(t, 2, ZCNIC_RXQ_STAT_PKTS),
                   qrd(t, 3, ZCNIC_RXQ_STAT_PKTS));

    /* and a reset brings it back to a working state */
    wr(t, ZCNIC_DEV_CTRL, ZCNIC_DEV_CTRL_RESET);
    g_assert_cmpuint(rd(t, ZCNIC_DEV_GUEST_ERRS), ==, 0);
    for (q = 0; q < 4; q++) {
        g_assert_cmphex(qrd(t, q, ZCNIC_RXQ_STATUS), ==, 0);
        g_assert_cmphex(qrd(t, q, ZCNIC_TXQ_STATUS), ==, 0);
    }
    {
        FrameSpec fs = { .l4 = 6, .pay_len = 100 };
        uint32_t len, l5;
        RxQ rr;

        fs_v4(&fs, "10.0.0.2", "10.0.0.1", 1, 2);
        len = build_frame(&fs, frame, &l5);
        rxq_setup(t, &rr, 0, ZCNIC_RXQ_CTRL_HDS, 256, 12);
        inject(t, frame, len);
        rxq_check(t, &rr, frame, len, l5, NULL);
    }
    g_rand_free(rng);
    zt_end(t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    qtest_add_func("/zcnic/ids", test_ids);
    qtest_add_func("/zcnic/queue-config", test_queue_config);
    qtest_add_func("/zcnic/tx", test_tx);
    qtest_add_func("/zcnic/tx/flow-control", test_tx_flow_control);
    qtest_add_func("/zcnic/rx/split", test_rx_split);
    qtest_add_func("/zcnic/tx/resume-guarded", test_tx_resume_guarded);
    qtest_add_func("/zcnic/rx/data-vs-split", test_rx_data_vs_split);
    qtest_add_func("/zcnic/rx/udp-arp-icmp", test_rx_udp_arp);
    qtest_add_func("/zcnic/rx/threshold", test_rx_threshold);
    qtest_add_func("/zcnic/rx/hbo", test_rx_hbo);
    qtest_add_func("/zcnic/rx/pack", test_rx_pack);
    qtest_add_func("/zcnic/rx/scatter", test_rx_scatter);
    qtest_add_func("/zcnic/rx/gro-vnet", test_rx_gro_vnet);
    qtest_add_func("/zcnic/rx/gro-coalesce", test_rx_gro_coalesce);
    qtest_add_func("/zcnic/rx/gro-stall", test_rx_gro_stall);
    qtest_add_func("/zcnic/tx/tso", test_tx_tso);
    qtest_add_func("/zcnic/tx/tso-vnet", test_tx_tso_vnet);
    qtest_add_func("/zcnic/tx/tso-tunnel", test_tx_tso_tunnel);
    qtest_add_func("/zcnic/rx/csum", test_csum);
    qtest_add_func("/zcnic/rx/nobuf", test_nobuf);
    qtest_add_func("/zcnic/rx/nobuf-hold", test_nobuf_hold);
    qtest_add_func("/zcnic/reset/clears-held", test_reset_clears_held);
    qtest_add_func("/zcnic/fault/rxq-enable", test_fault_rxq_enable);
    qtest_add_func("/zcnic/fault/tx-hang", test_fault_tx_hang);
    qtest_add_func("/zcnic/fault/txq-stop-ignore", test_fault_txq_stop_ignore);
    qtest_add_func("/zcnic/unplug/tx-waiting", test_unplug_tx_waiting);
    qtest_add_func("/zcnic/rx/stop", test_stop);
    qtest_add_func("/zcnic/rss", test_rss);
    qtest_add_func("/zcnic/rss/fields", test_rss_fields);
    qtest_add_func("/zcnic/ntuple", test_ntuple);
    qtest_add_func("/zcnic/irq", test_irq);
    qtest_add_func("/zcnic/irq/msix-own-bar", test_irq_msix_own_bar);
    qtest_add_func("/zcnic/link-filter", test_link_filter);
    qtest_add_func("/zcnic/reset", test_reset);
    qtest_add_func("/zcnic/hostile", test_hostile);
    qtest_add_func("/zcnic/faults", test_faults);
    qtest_add_func("/zcnic/random", test_random);

    return g_test_run();
}
