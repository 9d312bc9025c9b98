/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * zcnic: a multi-queue PCIe NIC with header/data split into separate
 * header and payload buffer rings, RSS and ntuple steering, made to test
 * Linux io_uring zero-copy receive without hardware.
 *
 * This file is the PCI/QOM shell: BARs, MSI-X, the net backend, reset,
 * properties (including the host-side statistics and fault injection
 * knobs).  The device logic lives in zcnic_core.c; the programming model
 * in zcnic_hw.h and docs/hw-spec.md.
 */

#include "qemu/osdep.h"
#include "qemu/module.h"
#include "qemu/range.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "net/net.h"
#include "hw/pci/pci.h"
#include "hw/pci/pci_device.h"
#include "hw/pci/pcie.h"
#include "hw/pci/msix.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "qom/object.h"

#include "zcnic_core.h"
#include "trace.h"

#define TYPE_ZCNIC "zcnic"
OBJECT_DECLARE_SIMPLE_TYPE(ZcnicState, ZCNIC)

#define ZCNIC_PCIE_CAP_OFFSET   0xa0
#define ZCNIC_PPM_MAX           1000000

struct ZcnicState {
    PCIDevice parent_obj;

    NICState *nic;
    NICConf conf;
    MemoryRegion mmio;
    uint32_t queues;

    ZcnicCore core;
};

static uint64_t zcnic_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    ZcnicState *s = opaque;

    return zcnic_core_read(&s->core, addr);
}

static void zcnic_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                             unsigned size)
{
    ZcnicState *s = opaque;

    zcnic_core_write(&s->core, addr, val);
}

static const MemoryRegionOps zcnic_mmio_ops = {
    .read = zcnic_mmio_read,
    .write = zcnic_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    /* 64-bit accesses are split into two 32-bit ones, low half first */
    .valid = {
        .min_access_size = 4,
        .max_access_size = 8,
    },
    .impl = {
        .min_access_size = 4,
        .max_access_size = 4,
    },
};

static bool zcnic_nc_can_receive(NetClientState *nc)
{
    ZcnicState *s = qemu_get_nic_opaque(nc);

    return zcnic_core_can_receive(&s->core);
}

static ssize_t zcnic_nc_receive_iov(NetClientState *nc,
                                    const struct iovec *iov, int iovcnt)
{
    ZcnicState *s = qemu_get_nic_opaque(nc);

    return zcnic_core_receive_iov(&s->core, iov, iovcnt);
}

static ssize_t zcnic_nc_receive(NetClientState *nc, const uint8_t *buf,
                                size_t size)
{
    const struct iovec iov = {
        .iov_base = (uint8_t *)buf,
        .iov_len = size,
    };

    return zcnic_nc_receive_iov(nc, &iov, 1);
}

static void zcnic_nc_link_status_changed(NetClientState *nc)
{
    ZcnicState *s = qemu_get_nic_opaque(nc);

    zcnic_core_set_link(&s->core);
}

/* The peer took a frame that the net layer had queued for it. */
static void zcnic_nc_tx_sent(NetClientState *nc, ssize_t len)
{
    ZcnicState *s = qemu_get_nic_opaque(nc);

    zcnic_core_tx_sent(&s->core, nc->queue_index);
}

static NetClientInfo zcnic_net_info = {
    .type = NET_CLIENT_DRIVER_NIC,
    .size = sizeof(NICState),
    .can_receive = zcnic_nc_can_receive,
    .receive = zcnic_nc_receive,
    .receive_iov = zcnic_nc_receive_iov,
    .link_status_changed = zcnic_nc_link_status_changed,
};

static void zcnic_write_config(PCIDevice *dev, uint32_t addr, uint32_t val,
                               int len)
{
    ZcnicState *s = ZCNIC(dev);

    pci_default_write_config(dev, addr, val, len);
    if (range_covers_byte(addr, len, PCI_COMMAND) &&
        (dev->config[PCI_COMMAND] & PCI_COMMAND_MASTER)) {
        zcnic_core_start_recv(&s->core);
    }
}

/* ------------------------------------------------------------------ */
/* Host-side properties                                                */
/* ------------------------------------------------------------------ */

/* uint32 knobs in ZcnicCore; opaque is the field's offset. */
static void zcnic_get_knob(Object *obj, Visitor *v, const char *name,
                           void *opaque, Error **errp)
{
    ZcnicState *s = ZCNIC(obj);
    uint32_t *field = (uint32_t *)((uint8_t *)&s->core + (uintptr_t)opaque);

    visit_type_uint32(v, name, field, errp);
}

static void zcnic_set_knob(Object *obj, Visitor *v, const char *name,
                           void *opaque, Error **errp)
{
    ZcnicState *s = ZCNIC(obj);
    uint32_t *field = (uint32_t *)((uint8_t *)&s->core + (uintptr_t)opaque);
    uint32_t val;

    if (!visit_type_uint32(v, name, &val, errp)) {
        return;
    }
    if (g_str_has_suffix(name, "-ppm") && val > ZCNIC_PPM_MAX) {
        error_setg(errp, "%s must be at most %u (parts per million)",
                   name, ZCNIC_PPM_MAX);
        return;
    }
    *field = val;
    if ((uintptr_t)opaque == offsetof(ZcnicCore, fault_seed)) {
        zcnic_core_fault_reseed(&s->core);
    }
}

static bool zcnic_get_starve(Object *obj, Error **errp)
{
    return ZCNIC(obj)->core.fault_starve;
}

static void zcnic_set_starve(Object *obj, bool val, Error **errp)
{
    ZcnicState *s = ZCNIC(obj);

    s->core.fault_starve = val;
    if (!val && s->nic) {
        zcnic_core_start_recv(&s->core);
    }
}

static bool zcnic_get_tx_hang(Object *obj, Error **errp)
{
    return zcnic_core_tx_hung(&ZCNIC(obj)->core);
}

static void zcnic_set_tx_hang(Object *obj, bool val, Error **errp)
{
    if (val) {
        zcnic_core_tx_hang(&ZCNIC(obj)->core);
    }
}

static bool zcnic_get_no_split(Object *obj, Error **errp)
{
    return ZCNIC(obj)->core.fault_no_split;
}

static void zcnic_set_no_split(Object *obj, bool val, Error **errp)
{
    ZCNIC(obj)->core.fault_no_split = val;
    trace_zcnic_fault_switch("no-split", val);
}

static bool zcnic_get_link(Object *obj, Error **errp)
{
    return ZCNIC(obj)->core.host_link;
}

static void zcnic_set_link(Object *obj, bool val, Error **errp)
{
    ZcnicState *s = ZCNIC(obj);

    s->core.host_link = val;
    if (s->nic) {
        zcnic_core_set_link(&s->core);
    }
}

static char *zcnic_get_nobuf(Object *obj, Error **errp)
{
    return g_strdup(ZCNIC(obj)->core.nobuf_hold ? "hold" : "drop");
}

static void zcnic_set_nobuf(Object *obj, const char *val, Error **errp)
{
    ZcnicState *s = ZCNIC(obj);

    if (!strcmp(val, "hold")) {
        s->core.nobuf_hold = true;
    } else if (!strcmp(val, "drop")) {
        s->core.nobuf_hold = false;
        if (s->nic) {
            zcnic_core_start_recv(&s->core);    /* drop what was held */
        }
    } else {
        error_setg(errp, "x-nobuf must be 'drop' or 'hold', not '%s'", val);
    }
}

static char *zcnic_get_stats(Object *obj, Error **errp)
{
    ZcnicState *s = ZCNIC(obj);

    if (!s->core.rx_pkt) {
        error_setg(errp, "zcnic is not realized");
        return NULL;
    }
    return zcnic_core_stats_json(&s->core);
}

/* Whether the backend currently hands over coalesced TCP frames. */
static bool zcnic_get_backend_gro(Object *obj, Error **errp)
{
    return ZCNIC(obj)->core.backend_gro;
}

static void zcnic_add_queue_props(ZcnicState *s)
{
    Object *obj = OBJECT(s);
    ZcnicCore *c = &s->core;
    uint32_t q;

#define ZCNIC_Q_PROP(dir, name, field)                                      \
    do {                                                                    \
        g_autofree char *n = g_strdup_printf(dir "%u-" name, q);            \
        object_property_add_uint64_ptr(obj, n, &(field),                    \
                                       OBJ_PROP_FLAG_READ);                 \
    } while (0)

    object_property_add_uint64_ptr(obj, "rx-frames", &c->rx_frames,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "rx-filtered", &c->rx_filtered,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "rx-oversize", &c->rx_oversize,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "rx-fault-drops", &c->rx_fault_drops,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "rx-held", &c->rx_held,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "tx-waits", &c->tx_waits,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "dma-faults", &c->dma_faults,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "dma-errors", &c->dma_errors,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "rx-gso-drops", &c->rx_gso_drops,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "rx-bad-vnet", &c->rx_bad_vnet,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_bool(obj, "backend-gro", zcnic_get_backend_gro, NULL);

    for (q = 0; q < s->queues; q++) {
        g_autofree char *rs = g_strdup_printf("rx%u-status", q);
        g_autofree char *ts = g_strdup_printf("tx%u-status", q);

        object_property_add_uint32_ptr(obj, rs, &c->rxq[q].status,
                                       OBJ_PROP_FLAG_READ);
        object_property_add_uint32_ptr(obj, ts, &c->txq[q].status,
                                       OBJ_PROP_FLAG_READ);
        ZCNIC_Q_PROP("rx", "pkts", c->rxq[q].pkts);
        ZCNIC_Q_PROP("rx", "bytes", c->rxq[q].bytes);
        ZCNIC_Q_PROP("rx", "nobuf", c->rxq[q].nobuf);
        ZCNIC_Q_PROP("rx", "nocmpl", c->rxq[q].nocmpl);
        ZCNIC_Q_PROP("rx", "csum-bad", c->rxq[q].csum_bad);
        ZCNIC_Q_PROP("rx", "split", c->rxq[q].split);
        ZCNIC_Q_PROP("rx", "data", c->rxq[q].data);
        ZCNIC_Q_PROP("rx", "drop-steer", c->rxq[q].drop_steer);
        ZCNIC_Q_PROP("rx", "gro-pkts", c->rxq[q].gro_pkts);
        ZCNIC_Q_PROP("rx", "gro-segs", c->rxq[q].gro_segs);
        ZCNIC_Q_PROP("rx", "gro-staged", c->gro[q].staged);
        ZCNIC_Q_PROP("rx", "gro-timeouts", c->gro[q].flush_timeout);
        ZCNIC_Q_PROP("rx", "gro-full", c->gro[q].flush_full);
        ZCNIC_Q_PROP("rx", "gro-aborted", c->gro[q].aborted);
        ZCNIC_Q_PROP("tx", "pkts", c->txq[q].pkts);
        ZCNIC_Q_PROP("tx", "bytes", c->txq[q].bytes);
        ZCNIC_Q_PROP("tx", "errs", c->txq[q].errs);
        ZCNIC_Q_PROP("tx", "tso-pkts", c->txq[q].tso_pkts);
        ZCNIC_Q_PROP("tx", "tso-segs", c->txq[q].tso_segs);
        ZCNIC_Q_PROP("irq", "sent", c->irq[q].sent);
        ZCNIC_Q_PROP("irq", "lost", c->irq[q].lost);
        ZCNIC_Q_PROP("irq", "swint", c->irq[q].swint);
    }
#undef ZCNIC_Q_PROP
}

/* ------------------------------------------------------------------ */
/* Life cycle                                                          */
/* ------------------------------------------------------------------ */

static void zcnic_pci_realize(PCIDevice *pci_dev, Error **errp)
{
    ZcnicState *s = ZCNIC(pci_dev);
    DeviceState *dev = DEVICE(pci_dev);
    uint32_t v;

    if (s->queues < 1 || s->queues > ZCNIC_MAX_QUEUES) {
        error_setg(errp, "queues must be between 1 and %u, not %u",
                   ZCNIC_MAX_QUEUES, s->queues);
        return;
    }

    pci_dev->config_write = zcnic_write_config;
    pci_dev->config[PCI_INTERRUPT_PIN] = 0;     /* MSI-X only */

    memory_region_init_io(&s->mmio, OBJECT(s), &zcnic_mmio_ops, s,
                          "zcnic-mmio", ZCNIC_BAR_REGS_SIZE);
    pci_register_bar(pci_dev, ZCNIC_BAR_REGS,
                     PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64, &s->mmio);

    if (pci_is_express(pci_dev) &&
        pcie_endpoint_cap_init(pci_dev, ZCNIC_PCIE_CAP_OFFSET) < 0) {
        error_setg(errp, "zcnic: cannot add the PCIe capability");
        return;
    }
    if (msix_init_exclusive_bar(pci_dev, 1 + s->queues, ZCNIC_BAR_MSIX,
                                errp)) {
        goto err_pcie;
    }
    for (v = 0; v < 1 + s->queues; v++) {
        msix_vector_use(pci_dev, v);
    }

    qemu_macaddr_default_if_unset(&s->conf.macaddr);
    s->nic = qemu_new_nic(&zcnic_net_info, &s->conf,
                          object_get_typename(OBJECT(s)), dev->id,
                          &dev->mem_reentrancy_guard, s);
    qemu_format_nic_info_str(qemu_get_queue(s->nic), s->conf.macaddr.a);

    s->core.tx_sent = zcnic_nc_tx_sent;
    zcnic_core_realize(&s->core, pci_dev, s->nic, s->queues,
                       s->conf.macaddr.a);
    zcnic_add_queue_props(s);
    return;

err_pcie:
    if (pci_is_express(pci_dev)) {
        pcie_cap_exit(pci_dev);
    }
}

static void zcnic_pci_exit(PCIDevice *pci_dev)
{
    ZcnicState *s = ZCNIC(pci_dev);
    int i;

    /*
     * Frames the backend queued for a later send (flow control) carry a
     * completion callback into this device: drop them before it goes.
     * (qemu_del_nic() only purges what the backend queued for us.)
     */
    for (i = 0; i < MAX(s->conf.peers.queues, 1); i++) {
        qemu_purge_queued_packets(qemu_get_subqueue(s->nic, i));
    }
    qemu_del_nic(s->nic);
    s->nic = NULL;
    zcnic_core_unrealize(&s->core);
    msix_unuse_all_vectors(pci_dev);
    msix_uninit_exclusive_bar(pci_dev);
    if (pci_is_express(pci_dev)) {
        pcie_cap_exit(pci_dev);
    }
}

static void zcnic_reset_hold(Object *obj, ResetType type)
{
    ZcnicState *s = ZCNIC(obj);

    if (s->core.rx_pkt) {
        zcnic_core_reset(&s->core);
    }
}

static void zcnic_instance_init(Object *obj)
{
    ZcnicState *s = ZCNIC(obj);

    s->core.host_link = true;
    s->core.gro_timeout_us = ZCNIC_GRO_TIMEOUT_US_DEFAULT;
    s->core.gro_flows = ZCNIC_GRO_FLOWS_DEFAULT;
}

static const VMStateDescription zcnic_vmstate = {
    .name = "zcnic",
    .unmigratable = 1,
};

static const Property zcnic_properties[] = {
    DEFINE_NIC_PROPERTIES(ZcnicState, conf),
    DEFINE_PROP_UINT32("queues", ZcnicState, queues, 8),
};

static void zcnic_class_add_knob(ObjectClass *klass, const char *name,
                                 size_t offset, const char *desc)
{
    object_class_property_add(klass, name, "uint32", zcnic_get_knob,
                              zcnic_set_knob, NULL, (void *)offset);
    object_class_property_set_description(klass, name, desc);
}

static void zcnic_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);

    k->realize = zcnic_pci_realize;
    k->exit = zcnic_pci_exit;
    k->vendor_id = ZCNIC_PCI_VENDOR_ID;
    k->device_id = ZCNIC_PCI_DEVICE_ID;
    k->revision = ZCNIC_PCI_REVISION;
    k->class_id = ZCNIC_PCI_CLASS;
    k->subsystem_vendor_id = ZCNIC_PCI_VENDOR_ID;
    k->subsystem_id = ZCNIC_PCI_DEVICE_ID;

    rc->phases.hold = zcnic_reset_hold;

    dc->desc = "zcnic header/data split test NIC";
    dc->vmsd = &zcnic_vmstate;
    device_class_set_props(dc, zcnic_properties);
    set_bit(DEVICE_CATEGORY_NETWORK, dc->categories);

    object_class_property_add_str(klass, "x-nobuf", zcnic_get_nobuf,
                                  zcnic_set_nobuf);
    object_class_property_set_description(klass, "x-nobuf",
        "what to do with a frame for a queue without buffers: "
        "'drop' (count it, default) or 'hold' (leave it queued in QEMU)");
    object_class_property_add_str(klass, "stats", zcnic_get_stats, NULL);
    object_class_property_set_description(klass, "stats",
        "JSON object with device and per-queue state and counters");
    object_class_property_add_bool(klass, "x-fault-starve", zcnic_get_starve,
                                   zcnic_set_starve);
    object_class_property_set_description(klass, "x-fault-starve",
        "treat every RX queue as having no payload buffers");
    object_class_property_add_bool(klass, "x-fault-no-split",
                                   zcnic_get_no_split, zcnic_set_no_split);
    object_class_property_set_description(klass, "x-fault-no-split",
        "deliver every frame unsplit whatever RXQ_CTRL.HDS says, as a NIC "
        "whose split silently broke (negative control of zero-copy checks)");
    object_class_property_add_bool(klass, "x-fault-tx-hang",
                                   zcnic_get_tx_hang, zcnic_set_tx_hang);
    object_class_property_set_description(klass, "x-fault-tx-hang",
        "true: every enabled TX queue hangs (ignores its doorbells) until "
        "software stops it; reads true while a queue is hung");
    object_class_property_add_bool(klass, "x-link", zcnic_get_link,
                                   zcnic_set_link);
    object_class_property_set_description(klass, "x-link",
        "host-side link switch, ANDed with the backend's link state");

    zcnic_class_add_knob(klass, "x-fault-seed",
                         offsetof(ZcnicCore, fault_seed),
                         "seed of the fault-injection generator (reseeds)");
    zcnic_class_add_knob(klass, "x-fault-drop-ppm",
                         offsetof(ZcnicCore, fault_drop_ppm),
                         "drop received frames with this probability (ppm)");
    zcnic_class_add_knob(klass, "x-fault-irq-drop-ppm",
                         offsetof(ZcnicCore, fault_irq_drop_ppm),
                         "lose queue interrupts with this probability (ppm)");
    zcnic_class_add_knob(klass, "x-fault-dma-fail-ppm",
                         offsetof(ZcnicCore, fault_dma_fail_ppm),
                         "fail buffer DMA with this probability (ppm)");
    zcnic_class_add_knob(klass, "x-fault-rxq-enable-fail",
                         offsetof(ZcnicCore, fault_rxq_enable_fail),
                         "refuse this many RX queue enables to come "
                         "(QERR_RING_CFG), one at a time");
    zcnic_class_add_knob(klass, "x-fault-txq-stop-ignore",
                         offsetof(ZcnicCore, fault_txq_stop_ignore),
                         "leave this many TX queue stops to come "
                         "unacknowledged: the queue stays enabled and hung "
                         "until a device reset, one at a time");
    zcnic_class_add_knob(klass, "x-fault-bad-cmpl",
                         offsetof(ZcnicCore, fault_bad_cmpl),
                         "write this many RX completions to come with a "
                         "wrong header buffer index, one at a time");
    zcnic_class_add_knob(klass, "x-fault-irq-delay-us",
                         offsetof(ZcnicCore, fault_irq_delay_us),
                         "delay every queue interrupt by this many usecs");
    zcnic_class_add_knob(klass, "x-gro-timeout-us",
                         offsetof(ZcnicCore, gro_timeout_us),
                         "hardware GRO: flush a queue's aggregates once it "
                         "received nothing for this many usecs");
    zcnic_class_add_knob(klass, "x-gro-flows",
                         offsetof(ZcnicCore, gro_flows),
                         "hardware GRO: flows one queue coalesces at a time "
                         "(0: separate segments are not coalesced)");
}

static const TypeInfo zcnic_info = {
    .name = TYPE_ZCNIC,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(ZcnicState),
    .instance_init = zcnic_instance_init,
    .class_init = zcnic_class_init,
    .interfaces = (InterfaceInfo[]) {
        { INTERFACE_PCIE_DEVICE },
        { }
    },
};

static void zcnic_register_types(void)
{
    type_register_static(&zcnic_info);
}

type_init(zcnic_register_types)
