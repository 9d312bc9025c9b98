// SPDX-License-Identifier: GPL-2.0-or-later OR MIT
/*
 * Checks of include/zcnic_hw.h as both the device and the driver read it:
 * the field helpers, descriptor sizes, and that no two registers share an
 * offset or leave their block, so a register dump walks them all.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "zcnic_hw.h"
#include "tap.h"

static const uint32_t dev_regs[] = {
	ZCNIC_DEV_ID, ZCNIC_DEV_VERSION, ZCNIC_DEV_CAPS, ZCNIC_DEV_CTRL,
	ZCNIC_DEV_STATUS, ZCNIC_DEV_MAC_LO, ZCNIC_DEV_MAC_HI, ZCNIC_DEV_MAX_FRAME,
	ZCNIC_DEV_RX_FILTER, ZCNIC_DEV_IRQ_CAUSE, ZCNIC_DEV_IRQ_MASK,
	ZCNIC_DEV_SCRATCH0, ZCNIC_DEV_SCRATCH1, ZCNIC_DEV_GUEST_ERRS,
};

static const uint32_t nt_regs[] = {
	ZCNIC_NT_FLOW, ZCNIC_NT_SRC_IP(0), ZCNIC_NT_SRC_IP(3), ZCNIC_NT_SRC_MASK(0),
	ZCNIC_NT_SRC_MASK(3), ZCNIC_NT_DST_IP(0), ZCNIC_NT_DST_IP(3),
	ZCNIC_NT_DST_MASK(0), ZCNIC_NT_DST_MASK(3), ZCNIC_NT_PORTS,
	ZCNIC_NT_PORT_MASKS, ZCNIC_NT_ACTION, ZCNIC_NT_CMD, ZCNIC_NT_STATUS,
};

static const uint32_t q_regs[] = {
	ZCNIC_RXQ_CTRL, ZCNIC_RXQ_STATUS, ZCNIC_RXQ_BUF_CFG, ZCNIC_RXQ_HDS_THRESH,
	ZCNIC_RXQ_HBR_BASE_LO, ZCNIC_RXQ_HBR_BASE_HI, ZCNIC_RXQ_HBR_SIZE,
	ZCNIC_RXQ_HBR_TAIL, ZCNIC_RXQ_HBR_HEAD, ZCNIC_RXQ_PBR_BASE_LO,
	ZCNIC_RXQ_PBR_BASE_HI, ZCNIC_RXQ_PBR_SIZE, ZCNIC_RXQ_PBR_TAIL,
	ZCNIC_RXQ_PBR_HEAD, ZCNIC_RXQ_RCQ_BASE_LO, ZCNIC_RXQ_RCQ_BASE_HI,
	ZCNIC_RXQ_RCQ_SIZE, ZCNIC_RXQ_RCQ_HEAD, ZCNIC_RXQ_RCQ_TAIL,
	ZCNIC_QP_IRQ_VEC, ZCNIC_QP_IRQ_CTRL, ZCNIC_QP_IRQ_ITR,
	ZCNIC_TXQ_CTRL, ZCNIC_TXQ_STATUS, ZCNIC_TXQ_DR_BASE_LO, ZCNIC_TXQ_DR_BASE_HI,
	ZCNIC_TXQ_DR_SIZE, ZCNIC_TXQ_DR_TAIL, ZCNIC_TXQ_DR_HEAD,
	ZCNIC_TXQ_TCQ_BASE_LO, ZCNIC_TXQ_TCQ_BASE_HI, ZCNIC_TXQ_TCQ_SIZE,
	ZCNIC_TXQ_TCQ_HEAD, ZCNIC_TXQ_TCQ_TAIL,
	ZCNIC_RXQ_STAT_PKTS, ZCNIC_RXQ_STAT_BYTES, ZCNIC_RXQ_STAT_NOBUF,
	ZCNIC_RXQ_STAT_NOCMPL, ZCNIC_RXQ_STAT_CSUM_BAD, ZCNIC_RXQ_STAT_SPLIT,
	ZCNIC_RXQ_STAT_DROP_STEER, ZCNIC_TXQ_STAT_PKTS, ZCNIC_TXQ_STAT_BYTES,
	ZCNIC_TXQ_STAT_ERRS,
};

static bool unique_aligned_within(const uint32_t *regs, size_t n, uint32_t start, uint32_t end)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (regs[i] & 3 || regs[i] < start || regs[i] + 4 > end)
			return false;
		for (j = i + 1; j < n; j++)
			if (regs[i] == regs[j])
				return false;
	}
	return true;
}

static bool masks_disjoint(const uint32_t *m, size_t n)
{
	uint32_t seen = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!m[i] || (seen & m[i]))
			return false;
		seen |= m[i];
	}
	return true;
}

int main(void)
{
	const uint32_t rcd[] = { ZCNIC_RCD_GEN, ZCNIC_RCD_SPLIT, ZCNIC_RCD_PAY_DONE,
		ZCNIC_RCD_HBO, ZCNIC_RCD_CSUM, ZCNIC_RCD_RSS_TYPE, ZCNIC_RCD_L3,
		ZCNIC_RCD_L4, ZCNIC_RCD_VLAN, ZCNIC_RCD_NTUPLE };
	const uint32_t caps[] = { ZCNIC_DEV_CAPS_QUEUES, ZCNIC_DEV_CAPS_RSS_CTXS,
		ZCNIC_DEV_CAPS_NTUPLE, ZCNIC_DEV_CAPS_VECTORS };
	const uint32_t rss_fields[] = { ZCNIC_RSS_FIELDS_IPV4, ZCNIC_RSS_FIELDS_TCP4,
		ZCNIC_RSS_FIELDS_UDP4, ZCNIC_RSS_FIELDS_IPV6, ZCNIC_RSS_FIELDS_TCP6,
		ZCNIC_RSS_FIELDS_UDP6, ZCNIC_RSS_FIELDS_SYM_XOR };
	const uint32_t field_ip = ZCNIC_RSS_FIELD_IP_SRC | ZCNIC_RSS_FIELD_IP_DST;
	const uint32_t field_all = field_ip | ZCNIC_RSS_FIELD_L4_SRC |
				   ZCNIC_RSS_FIELD_L4_DST;
	bool rss_ok = true;
	int c;

	tap_plan(16);
	tap_ok(ZCNIC_GENMASK(7, 0) == 0xff && ZCNIC_GENMASK(31, 16) == 0xffff0000u &&
	       ZCNIC_GENMASK(31, 0) == 0xffffffffu && ZCNIC_GENMASK(0, 0) == 1,
	       "genmask");
	tap_ok(zcnic_field_get(ZCNIC_RXQ_BUF_CFG_PAY_SHIFT, 0x000e0100) == 14 &&
	       zcnic_field_prep(ZCNIC_RXQ_BUF_CFG_PAY_SHIFT, 16) == 0x00100000 &&
	       zcnic_field_prep(ZCNIC_RCD_CSUM, ZCNIC_RCD_CSUM_BAD) == 0x20,
	       "field-helpers");
	tap_ok(zcnic_field_prep(ZCNIC_NT_CMD_INDEX, 0x1ff) == 0xff, "field-prep-truncates");
	tap_ok(sizeof(struct zcnic_rx_buf_desc) == 8 && sizeof(struct zcnic_rx_cmpl) == 32 &&
	       sizeof(struct zcnic_tx_desc) == 16 && sizeof(struct zcnic_tx_cmpl) == 8,
	       "descriptor-sizes");
	tap_ok(offsetof(struct zcnic_rx_cmpl, flags) == 20 &&
	       offsetof(struct zcnic_tx_desc, csum_offset) == 14, "descriptor-layout");
	tap_ok(unique_aligned_within(dev_regs, sizeof(dev_regs) / 4,
				     ZCNIC_CSR_START_DEV, ZCNIC_CSR_END_DEV), "device-block");
	tap_ok(unique_aligned_within(nt_regs, sizeof(nt_regs) / 4,
				     ZCNIC_CSR_START_NTUPLE, ZCNIC_CSR_END_NTUPLE), "ntuple-block");
	tap_ok(unique_aligned_within(q_regs, sizeof(q_regs) / 4, 0, ZCNIC_Q_STRIDE),
	       "queue-block");
	for (c = 0; c < ZCNIC_RSS_CTXS; c++)
		rss_ok &= ZCNIC_RSS_KEY(c, 9) + 4 <= ZCNIC_RSS_CFG(c) &&
			  ZCNIC_RSS_CFG(c) < ZCNIC_RSS_FIELDS(c) &&
			  ZCNIC_RSS_FIELDS(c) + 4 <= ZCNIC_RSS_INDIR(c, 0) &&
			  ZCNIC_RSS_INDIR(c, ZCNIC_RSS_INDIR_SIZE / 4 - 1) + 4 <= ZCNIC_RSS_CTX_BASE(c + 1);
	tap_ok(rss_ok, "rss-contexts-fit");
	tap_ok(ZCNIC_CSR_END_DEV <= ZCNIC_CSR_START_NTUPLE &&
	       ZCNIC_CSR_END_NTUPLE <= ZCNIC_CSR_START_RSS &&
	       ZCNIC_CSR_END_RSS <= ZCNIC_CSR_START_QUEUE &&
	       ZCNIC_CSR_END_QUEUE(ZCNIC_MAX_QUEUES) <= ZCNIC_BAR_REGS_SIZE, "blocks-in-order-in-bar");
	tap_ok(masks_disjoint(rcd, sizeof(rcd) / 4), "completion-flags-disjoint");
	tap_ok(masks_disjoint(caps, sizeof(caps) / 4), "caps-fields-disjoint");
	tap_ok(masks_disjoint(rss_fields, sizeof(rss_fields) / 4) &&
	       ZCNIC_RSS_FIELDS_TYPE(ZCNIC_RSS_TYPE_IPV4) == ZCNIC_RSS_FIELDS_IPV4 &&
	       ZCNIC_RSS_FIELDS_TYPE(ZCNIC_RSS_TYPE_TCP4) == ZCNIC_RSS_FIELDS_TCP4 &&
	       ZCNIC_RSS_FIELDS_TYPE(ZCNIC_RSS_TYPE_UDP4) == ZCNIC_RSS_FIELDS_UDP4 &&
	       ZCNIC_RSS_FIELDS_TYPE(ZCNIC_RSS_TYPE_IPV6) == ZCNIC_RSS_FIELDS_IPV6 &&
	       ZCNIC_RSS_FIELDS_TYPE(ZCNIC_RSS_TYPE_TCP6) == ZCNIC_RSS_FIELDS_TCP6 &&
	       ZCNIC_RSS_FIELDS_TYPE(ZCNIC_RSS_TYPE_UDP6) == ZCNIC_RSS_FIELDS_UDP6 &&
	       zcnic_field_get(ZCNIC_RSS_FIELDS_TCP4, ~0u) == field_all,
	       "rss-fields-layout");
	/* Reset: what RSS_CFG alone hashed, addresses and ports */
	tap_ok(ZCNIC_RSS_FIELDS_DEFAULT ==
	       (zcnic_field_prep(ZCNIC_RSS_FIELDS_IPV4, field_ip) |
		zcnic_field_prep(ZCNIC_RSS_FIELDS_TCP4, field_all) |
		zcnic_field_prep(ZCNIC_RSS_FIELDS_UDP4, field_all) |
		zcnic_field_prep(ZCNIC_RSS_FIELDS_IPV6, field_ip) |
		zcnic_field_prep(ZCNIC_RSS_FIELDS_TCP6, field_all) |
		zcnic_field_prep(ZCNIC_RSS_FIELDS_UDP6, field_all)),
	       "rss-fields-default");
	tap_ok(ZCNIC_MAX_QUEUES <= zcnic_field_get(ZCNIC_DEV_CAPS_QUEUES, ~0u) &&
	       ZCNIC_NTUPLE_RULES <= zcnic_field_get(ZCNIC_DEV_CAPS_NTUPLE, ~0u) &&
	       ZCNIC_RSS_CTXS <= zcnic_field_get(ZCNIC_DEV_CAPS_RSS_CTXS, ~0u) &&
	       ZCNIC_MAX_QUEUES < zcnic_field_get(ZCNIC_DEV_CAPS_VECTORS, ~0u) &&
	       ZCNIC_NTUPLE_RULES - 1 <= zcnic_field_get(ZCNIC_NT_CMD_INDEX, ~0u) &&
	       ZCNIC_RSS_CTXS - 1 <= zcnic_field_get(ZCNIC_NT_ACTION_ARG, ~0u),
	       "limits-fit-their-fields");
	tap_ok((ZCNIC_RING_MIN & (ZCNIC_RING_MIN - 1)) == 0 &&
	       (ZCNIC_RING_MAX & (ZCNIC_RING_MAX - 1)) == 0 &&
	       ZCNIC_RING_MAX - 1 <= 0xffff &&
	       ZCNIC_HDR_BUF_MAX <= zcnic_field_get(ZCNIC_RXQ_BUF_CFG_HDR_LEN, ~0u) &&
	       ((1u << ZCNIC_PAY_SHIFT_MAX) % ZCNIC_PAY_ALIGN) == 0,
	       "ring-and-buffer-limits");
	tap_exit();
}
