// SPDX-License-Identifier: GPL-2.0
/* zcnic: ethtool ops: rings, channels, RSS, ntuple, stats, registers, test. */

#include <linux/bitfield.h>
#include <linux/ethtool.h>
#include <linux/log2.h>
#include <linux/unaligned.h>
#include <net/netdev_queues.h>

#include <net/netdev_rx_queue.h>

#include "zcnic.h"

/* ---------------------------------------------------------------------- */
/* Rings and channels                                                      */
/* ---------------------------------------------------------------------- */

static void zcnic_get_ringparam(struct net_device *netdev,
				struct ethtool_ringparam *ring,
				struct kernel_ethtool_ringparam *kring,
				struct netlink_ext_ack *extack)
{
	struct zcnic_dev *zd = netdev_priv(netdev);

	ring->rx_max_pending = ZCNIC_RING_MAX;
	ring->tx_max_pending = ZCNIC_RING_MAX;
	ring->rx_pending = zd->rx_ring_size;
	ring->tx_pending = zd->tx_ring_size;

	kring->tcp_data_split = zd->hds ? ETHTOOL_TCP_DATA_SPLIT_ENABLED :
					  ETHTOOL_TCP_DATA_SPLIT_DISABLED;
	kring->hds_thresh = zd->hds_thresh;
	kring->hds_thresh_max = ZCNIC_HDS_THRESH_MAX;
}

static int zcnic_set_ringparam(struct net_device *netdev,
			       struct ethtool_ringparam *ring,
			       struct kernel_ethtool_ringparam *kring,
			       struct netlink_ext_ack *extack)
{
	struct zcnic_dev *zd = netdev_priv(netdev);
	unsigned int old_rx = zd->rx_ring_size;
	unsigned int old_tx = zd->tx_ring_size;
	u32 old_thresh = zd->hds_thresh;
	bool old_hds = zd->hds;
	int err;

	if (ring->rx_mini_pending || ring->rx_jumbo_pending) {
		NL_SET_ERR_MSG_MOD(extack,
				   "the device has no mini or jumbo RX rings");
		return -EINVAL;
	}
	if (ring->rx_pending < ZCNIC_RING_MIN) {
		NL_SET_ERR_MSG_FMT_MOD(extack,
				       "RX rings need at least %u entries",
				       ZCNIC_RING_MIN);
		return -EINVAL;
	}
	if (ring->tx_pending < ZCNIC_TX_RING_MIN) {
		NL_SET_ERR_MSG_FMT_MOD(extack,
				       "TX rings need at least %u entries: a frame may take %u descriptors",
				       ZCNIC_TX_RING_MIN, ZCNIC_TX_MAX_FRAGS);
		return -EINVAL;
	}

	zd->hds = kring->tcp_data_split != ETHTOOL_TCP_DATA_SPLIT_DISABLED;
	zd->hds_thresh = kring->hds_thresh;

	/* Ring sizes are powers of two: round up what was asked for. */
	zd->rx_ring_size = roundup_pow_of_two(ring->rx_pending);
	zd->tx_ring_size = roundup_pow_of_two(ring->tx_pending);
	if (zd->rx_ring_size != old_rx || zd->tx_ring_size != old_tx) {
		err = zcnic_reconfigure(zd, zd->num_queues);
		if (err) {
			NL_SET_ERR_MSG_FMT_MOD(extack,
					       "allocating or starting the new rings failed (%pe), nothing changed",
					       ERR_PTR(err));
			zd->rx_ring_size = old_rx;
			zd->tx_ring_size = old_tx;
			zd->hds = old_hds;
			zd->hds_thresh = old_thresh;
			zcnic_reopen(zd, zd->num_queues);
			return err;
		}
	}

	/* The device changes both from the next frame on: no restart. */
	if (zd->hds != old_hds || zd->hds_thresh != old_thresh)
		zcnic_hds_write(zd);

	return 0;
}

static void zcnic_get_channels(struct net_device *netdev,
			       struct ethtool_channels *ch)
{
	struct zcnic_dev *zd = netdev_priv(netdev);

	ch->max_combined = zd->max_queues;
	ch->combined_count = zd->num_queues;
}

/* The core has checked the counts against zcnic_get_channels(), memory
 * providers, RSS contexts and ntuple rules.
 */
static int zcnic_set_channels(struct net_device *netdev,
			      struct ethtool_channels *ch)
{
	struct zcnic_dev *zd = netdev_priv(netdev);
	unsigned int old = zd->num_queues;
	int err;

	if (ch->combined_count == old)
		return 0;

	err = zcnic_reconfigure(zd, ch->combined_count);
	if (err)
		zcnic_reopen(zd, old);

	return err;
}

/* ---------------------------------------------------------------------- */
/* RSS                                                                     */
/* ---------------------------------------------------------------------- */

static u32 zcnic_get_rx_ring_count(struct net_device *netdev)
{
	return netdev->real_num_rx_queues;
}

static u32 zcnic_get_rxfh_key_size(struct net_device *netdev)
{
	return ZCNIC_RSS_KEY_LEN;
}

static u32 zcnic_get_rxfh_indir_size(struct net_device *netdev)
{
	return ZCNIC_RSS_INDIR_SIZE;
}

/* Whether every hash type of an RSS_FIELDS value takes the source and
 * destination of a pair together, as the symmetric transform needs.
 */
static bool zcnic_rss_fields_sym(u32 fields)
{
	static const u32 types[] = {
		ZCNIC_RSS_FIELDS_IPV4, ZCNIC_RSS_FIELDS_TCP4,
		ZCNIC_RSS_FIELDS_UDP4, ZCNIC_RSS_FIELDS_IPV6,
		ZCNIC_RSS_FIELDS_TCP6, ZCNIC_RSS_FIELDS_UDP6,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		u32 sel = field_get(types[i], fields);

		if (!(sel & ZCNIC_RSS_FIELD_IP_SRC) !=
		    !(sel & ZCNIC_RSS_FIELD_IP_DST) ||
		    !(sel & ZCNIC_RSS_FIELD_L4_SRC) !=
		    !(sel & ZCNIC_RSS_FIELD_L4_DST))
			return false;
	}

	return true;
}

/**
 * zcnic_rxfh_check() - check an RSS setting and compute its RSS_FIELDS
 * @rxfh: the request
 * @fields: RSS_FIELDS of the context, updated for the input transform
 * @extack: for the reason of a refusal
 *
 * Return: 0 or a negative error, with @fields untouched.
 */
static int zcnic_rxfh_check(const struct ethtool_rxfh_param *rxfh,
			    u32 *fields, struct netlink_ext_ack *extack)
{
	u32 want = *fields;

	if (rxfh->hfunc != ETH_RSS_HASH_NO_CHANGE &&
	    rxfh->hfunc != ETH_RSS_HASH_TOP) {
		NL_SET_ERR_MSG_MOD(extack,
				   "the device only hashes with Toeplitz");
		return -EOPNOTSUPP;
	}

	switch (rxfh->input_xfrm) {
	case RXH_XFRM_NO_CHANGE:
		break;
	case 0:
		want &= ~ZCNIC_RSS_FIELDS_SYM_XOR;
		break;
	case RXH_XFRM_SYM_XOR:
		want |= ZCNIC_RSS_FIELDS_SYM_XOR;
		break;
	default:
		NL_SET_ERR_MSG_MOD(extack,
				   "the device's only RSS input transformation is symmetric-xor");
		return -EOPNOTSUPP;
	}
	if ((want & ZCNIC_RSS_FIELDS_SYM_XOR) && !zcnic_rss_fields_sym(want)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "symmetric-xor needs the source and destination of each pair hashed together: fix the flow hash fields first");
		return -EINVAL;
	}

	*fields = want;
	return 0;
}

static int zcnic_get_rxfh(struct net_device *netdev,
			  struct ethtool_rxfh_param *rxfh)
{
	struct zcnic_dev *zd = netdev_priv(netdev);
	unsigned int i;

	rxfh->hfunc = ETH_RSS_HASH_TOP;
	rxfh->input_xfrm = zd->rss_fields[0] & ZCNIC_RSS_FIELDS_SYM_XOR ?
			   RXH_XFRM_SYM_XOR : 0;
	if (rxfh->indir)
		for (i = 0; i < ZCNIC_RSS_INDIR_SIZE; i++)
			rxfh->indir[i] = zd->rss_indir[i];
	if (rxfh->key)
		memcpy(rxfh->key, zd->rss_key, ZCNIC_RSS_KEY_LEN);

	return 0;
}

/* Key, table and transform change in place: the queues keep running, so
 * flows can be rehashed under load without losing a frame.
 */
static int zcnic_set_rxfh(struct net_device *netdev,
			  struct ethtool_rxfh_param *rxfh,
			  struct netlink_ext_ack *extack)
{
	struct zcnic_dev *zd = netdev_priv(netdev);
	u32 fields = zd->rss_fields[0];
	unsigned int i;
	int err;

	err = zcnic_rxfh_check(rxfh, &fields, extack);
	if (err)
		return err;

	if (rxfh->indir)
		for (i = 0; i < ZCNIC_RSS_INDIR_SIZE; i++)
			zd->rss_indir[i] = rxfh->indir[i];
	if (rxfh->key)
		memcpy(zd->rss_key, rxfh->key, ZCNIC_RSS_KEY_LEN);
	zd->rss_fields[0] = fields;

	zcnic_rss_write(zd, 0, zd->rss_key, zd->rss_indir);

	return 0;
}

/**
 * zcnic_rss_flow_fields() - where RSS_FIELDS keeps a flow type's fields
 * @flow_type: ethtool flow type (%TCP_V4_FLOW, ...)
 * @owner: set to the flow type that owns the set; SCTP, AH and ESP hash
 *	with the address type of their IP version and only read it
 *
 * Return: the field mask in RSS_FIELDS, 0 for flows the device does not
 * hash.
 */
static u32 zcnic_rss_flow_fields(u32 flow_type, u32 *owner)
{
	*owner = flow_type;
	switch (flow_type) {
	case TCP_V4_FLOW:
		return ZCNIC_RSS_FIELDS_TCP4;
	case UDP_V4_FLOW:
		return ZCNIC_RSS_FIELDS_UDP4;
	case TCP_V6_FLOW:
		return ZCNIC_RSS_FIELDS_TCP6;
	case UDP_V6_FLOW:
		return ZCNIC_RSS_FIELDS_UDP6;
	case SCTP_V4_FLOW:
	case AH_ESP_V4_FLOW:
	case AH_V4_FLOW:
	case ESP_V4_FLOW:
		*owner = IPV4_FLOW;
		fallthrough;
	case IPV4_FLOW:
		return ZCNIC_RSS_FIELDS_IPV4;
	case SCTP_V6_FLOW:
	case AH_ESP_V6_FLOW:
	case AH_V6_FLOW:
	case ESP_V6_FLOW:
		*owner = IPV6_FLOW;
		fallthrough;
	case IPV6_FLOW:
		return ZCNIC_RSS_FIELDS_IPV6;
	default:
		return 0;
	}
}

#define ZCNIC_RXH_IP	(RXH_IP_SRC | RXH_IP_DST)
#define ZCNIC_RXH_L4	(RXH_L4_B_0_1 | RXH_L4_B_2_3)

static u64 zcnic_rss_sel_to_rxh(u32 sel)
{
	return (sel & ZCNIC_RSS_FIELD_IP_SRC ? RXH_IP_SRC : 0) |
	       (sel & ZCNIC_RSS_FIELD_IP_DST ? RXH_IP_DST : 0) |
	       (sel & ZCNIC_RSS_FIELD_L4_SRC ? RXH_L4_B_0_1 : 0) |
	       (sel & ZCNIC_RSS_FIELD_L4_DST ? RXH_L4_B_2_3 : 0);
}

static u32 zcnic_rss_rxh_to_sel(u64 rxh)
{
	return (rxh & RXH_IP_SRC ? ZCNIC_RSS_FIELD_IP_SRC : 0) |
	       (rxh & RXH_IP_DST ? ZCNIC_RSS_FIELD_IP_DST : 0) |
	       (rxh & RXH_L4_B_0_1 ? ZCNIC_RSS_FIELD_L4_SRC : 0) |
	       (rxh & RXH_L4_B_2_3 ? ZCNIC_RSS_FIELD_L4_DST : 0);
}

/* Context 0 always exists; the others between create and remove. */
static bool zcnic_rss_ctx_in_use(const struct zcnic_dev *zd, u32 ctx)
{
	return !ctx || (ctx < zd->num_rss_ctxs && zd->rss_cfg[ctx]);
}

static int zcnic_get_rxfh_fields(struct net_device *netdev,
				 struct ethtool_rxfh_fields *fields)
{
	struct zcnic_dev *zd = netdev_priv(netdev);
	u32 ctx = fields->rss_context;
	u32 mask, owner;

	fields->data = 0;
	if (!zcnic_rss_ctx_in_use(zd, ctx))
		return -EINVAL;

	mask = zcnic_rss_flow_fields(fields->flow_type, &owner);
	if (mask)
		fields->data =
			zcnic_rss_sel_to_rxh(field_get(mask, zd->rss_fields[ctx]));

	return 0;
}

static int zcnic_set_rxfh_fields(struct net_device *netdev,
				 const struct ethtool_rxfh_fields *fields,
				 struct netlink_ext_ack *extack)
{
	struct zcnic_dev *zd = netdev_priv(netdev);
	u32 ctx = fields->rss_context;
	u32 mask, owner, sel, val;

	if (!zcnic_rss_ctx_in_use(zd, ctx)) {
		NL_SET_ERR_MSG_FMT_MOD(extack, "no RSS context %u", ctx);
		return -EINVAL;
	}
	mask = zcnic_rss_flow_fields(fields->flow_type, &owner);
	if (!mask) {
		NL_SET_ERR_MSG_MOD(extack,
				   "the device hashes only IPv4 and IPv6 flows");
		return -EOPNOTSUPP;
	}
	if (fields->data & ~(ZCNIC_RXH_IP | ZCNIC_RXH_L4)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "the device hashes on source and destination addresses and ports only");
		return -EOPNOTSUPP;
	}
	if ((fields->data & ZCNIC_RXH_L4) &&
	    (owner == IPV4_FLOW || owner == IPV6_FLOW)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "the device hashes IP flows other than TCP and UDP on addresses only");
		return -EOPNOTSUPP;
	}

	sel = zcnic_rss_rxh_to_sel(fields->data);
	val = field_get(mask, zd->rss_fields[ctx]);
	if (sel == val)
		return 0;
	if (owner != fields->flow_type) {
		NL_SET_ERR_MSG_MOD(extack,
				   "SCTP, AH and ESP hash like the other IP flows: set the fields of ip4 or ip6");
		return -EOPNOTSUPP;
	}

	val = (zd->rss_fields[ctx] & ~mask) | field_prep(mask, sel);
	if ((val & ZCNIC_RSS_FIELDS_SYM_XOR) && !zcnic_rss_fields_sym(val)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "symmetric-xor is on: hash the source and destination of a pair together");
		return -EINVAL;
	}

	zd->rss_fields[ctx] = val;
	zcnic_wr32(zd, ZCNIC_RSS_FIELDS(ctx), val);

	return 0;
}

static int zcnic_rss_ctx_check(struct zcnic_dev *zd, u32 rss_context,
			       struct netlink_ext_ack *extack)
{
	if (!rss_context || rss_context >= zd->num_rss_ctxs) {
		NL_SET_ERR_MSG_FMT_MOD(extack,
				       "the device has %u additional RSS contexts",
				       zd->num_rss_ctxs - 1);
		return -EINVAL;
	}

	return 0;
}

static void zcnic_rss_ctx_write(struct zcnic_dev *zd,
				struct ethtool_rxfh_context *ctx,
				const struct ethtool_rxfh_param *rxfh)
{
	const u32 *indir = rxfh->indir ?: ethtool_rxfh_context_indir(ctx);
	const u8 *key = rxfh->key ?: ethtool_rxfh_context_key(ctx);

	zcnic_rss_write(zd, rxfh->rss_context, key, indir);
}

static int zcnic_create_rxfh_context(struct net_device *netdev,
				     struct ethtool_rxfh_context *ctx,
				     const struct ethtool_rxfh_param *rxfh,
				     struct netlink_ext_ack *extack)
{
	struct zcnic_dev *zd = netdev_priv(netdev);
	u32 *indir = ethtool_rxfh_context_indir(ctx);
	u32 fields = ZCNIC_RSS_FIELDS_DEFAULT;
	unsigned int i;
	int err;

	err = zcnic_rss_ctx_check(zd, rxfh->rss_context, extack) ?:
	      zcnic_rxfh_check(rxfh, &fields, extack);
	if (err)
		return err;

	/* Defaults for what the user did not give; the core stores the rest. */
	for (i = 0; i < ZCNIC_RSS_INDIR_SIZE; i++)
		indir[i] = ethtool_rxfh_indir_default(i, zd->num_queues);
	memcpy(ethtool_rxfh_context_key(ctx), zd->rss_key, ZCNIC_RSS_KEY_LEN);
	ctx->hfunc = ETH_RSS_HASH_TOP;
	if (rxfh->input_xfrm == RXH_XFRM_NO_CHANGE)
		ctx->input_xfrm = 0;

	zd->rss_cfg[rxfh->rss_context] = ZCNIC_RSS_CFG_DEFAULT;
	zd->rss_fields[rxfh->rss_context] = fields;
	zcnic_rss_ctx_write(zd, ctx, rxfh);

	return 0;
}

static int zcnic_modify_rxfh_context(struct net_device *netdev,
				     struct ethtool_rxfh_context *ctx,
				     const struct ethtool_rxfh_param *rxfh,
				     struct netlink_ext_ack *extack)
{
	struct zcnic_dev *zd = netdev_priv(netdev);
	u32 fields;
	int err;

	err = zcnic_rss_ctx_check(zd, rxfh->rss_context, extack);
	if (err)
		return err;
	fields = zd->rss_fields[rxfh->rss_context];
	err = zcnic_rxfh_check(rxfh, &fields, extack);
	if (err)
		return err;

	zd->rss_fields[rxfh->rss_context] = fields;
	zcnic_rss_ctx_write(zd, ctx, rxfh);

	return 0;
}

static int zcnic_remove_rxfh_context(struct net_device *netdev,
				     struct ethtool_rxfh_context *ctx,
				     u32 rss_context,
				     struct netlink_ext_ack *extack)
{
	struct zcnic_dev *zd = netdev_priv(netdev);

	if (zcnic_rss_ctx_check(zd, rss_context, extack))
		return -EINVAL;
	zd->rss_cfg[rss_context] = 0;
	zd->rss_fields[rss_context] = ZCNIC_RSS_FIELDS_DEFAULT;
	zcnic_wr32(zd, ZCNIC_RSS_CFG(rss_context), 0);
	zcnic_wr32(zd, ZCNIC_RSS_FIELDS(rss_context),
		   ZCNIC_RSS_FIELDS_DEFAULT);

	return 0;
}

/* ---------------------------------------------------------------------- */
/* Ntuple steering                                                         */
/* ---------------------------------------------------------------------- */

/* Rules come through the ioctl, which has no extack: a rule the device
 * cannot take gets its errno, and the reason goes to dynamic debug
 * (echo 'module zcnic +p' > /sys/kernel/debug/dynamic_debug/control).
 */

static int zcnic_ntuple_cmd(struct zcnic_dev *zd, unsigned int loc, u32 op)
{
	zcnic_wr32(zd, ZCNIC_NT_CMD, FIELD_PREP(ZCNIC_NT_CMD_INDEX, loc) |
				     FIELD_PREP(ZCNIC_NT_CMD_OP, op));
	if (zcnic_rd32(zd, ZCNIC_NT_STATUS) & ZCNIC_NT_STATUS_ERR) {
		netdev_err(zd->netdev,
			   "device refused ntuple command %u on rule %u\n", op,
			   loc);
		return -EIO;
	}

	return 0;
}

static void zcnic_ntuple_delete(struct zcnic_dev *zd, unsigned int loc)
{
	zcnic_ntuple_cmd(zd, loc, ZCNIC_NT_OP_CLEAR);
	zd->ntuple[loc].used = false;
}

void zcnic_ntuple_clear_all(struct zcnic_dev *zd)
{
	unsigned int loc;

	for (loc = 0; loc < zd->num_ntuple; loc++)
		if (zd->ntuple[loc].used)
			zcnic_ntuple_delete(zd, loc);
}

static int zcnic_ntuple_location(struct zcnic_dev *zd, u32 *loc)
{
	int i;

	if (!(*loc & RX_CLS_LOC_SPECIAL)) {
		if (*loc >= zd->num_ntuple) {
			netdev_dbg(zd->netdev,
				   "ntuple rule location %u out of range: the device has %u rules\n",
				   *loc, zd->num_ntuple);
			return -EINVAL;
		}
		return 0;
	}

	switch (*loc) {
	case RX_CLS_LOC_ANY:
	case RX_CLS_LOC_FIRST:
		for (i = 0; i < zd->num_ntuple; i++)
			if (!zd->ntuple[i].used)
				goto found;
		break;
	case RX_CLS_LOC_LAST:
		for (i = zd->num_ntuple - 1; i >= 0; i--)
			if (!zd->ntuple[i].used)
				goto found;
		break;
	default:
		return -EINVAL;
	}
	netdev_dbg(zd->netdev, "all %u ntuple rules are in use\n",
		   zd->num_ntuple);
	return -ENOSPC;

found:
	*loc = i;
	return 0;
}

static int zcnic_ntuple_action(struct zcnic_dev *zd,
			       const struct ethtool_rxnfc *cmd, u32 *action)
{
	const struct ethtool_rx_flow_spec *fs = &cmd->fs;
	u64 ring = ethtool_get_flow_spec_ring(fs->ring_cookie);

	if (fs->ring_cookie == RX_CLS_FLOW_DISC) {
		*action = FIELD_PREP(ZCNIC_NT_ACTION_TYPE, ZCNIC_NT_ACT_DROP);
		return 0;
	}

	if (fs->flow_type & FLOW_RSS) {
		if (ring) {
			netdev_dbg(zd->netdev,
				   "a rule with an RSS context cannot also add a queue offset\n");
			return -EINVAL;
		}
		if (cmd->rss_context >= zd->num_rss_ctxs) {
			netdev_dbg(zd->netdev, "no RSS context %u\n",
				   cmd->rss_context);
			return -EINVAL;
		}
		*action = FIELD_PREP(ZCNIC_NT_ACTION_TYPE, ZCNIC_NT_ACT_RSS) |
			  FIELD_PREP(ZCNIC_NT_ACTION_ARG, cmd->rss_context);
		return 0;
	}

	if (ethtool_get_flow_spec_ring_vf(fs->ring_cookie)) {
		netdev_dbg(zd->netdev,
			   "the device has no virtual functions to steer to\n");
		return -EINVAL;
	}
	if (ring >= zd->netdev->real_num_rx_queues) {
		netdev_dbg(zd->netdev, "RX queue %llu does not exist\n", ring);
		return -EINVAL;
	}
	*action = FIELD_PREP(ZCNIC_NT_ACTION_TYPE, ZCNIC_NT_ACT_QUEUE) |
		  FIELD_PREP(ZCNIC_NT_ACTION_ARG, ring);

	return 0;
}

static void zcnic_ntuple_write_addr(struct zcnic_dev *zd, u32 ip_reg,
				    u32 mask_reg, const __be32 *ip,
				    const __be32 *mask, unsigned int words)
{
	unsigned int i;

	/* Bytes in wire order, the first one in the low bits. */
	for (i = 0; i < 4; i++) {
		u32 m = i < words ? get_unaligned_le32(&mask[i]) : 0;
		u32 v = i < words ? get_unaligned_le32(&ip[i]) : 0;

		zcnic_wr32(zd, ip_reg + 4 * i, v & m);
		zcnic_wr32(zd, mask_reg + 4 * i, m);
	}
}

static int zcnic_ntuple_insert(struct zcnic_dev *zd, struct ethtool_rxnfc *cmd)
{
	struct ethtool_rx_flow_spec *fs = &cmd->fs;
	struct net_device *netdev = zd->netdev;
	__be16 psrc, pdst, psrc_m, pdst_m;
	u32 flow, type, action, loc;
	int err;

	if (!(netdev->features & NETIF_F_NTUPLE)) {
		netdev_dbg(netdev,
			   "ntuple filters are off: turn them on with ethtool -K %s ntuple on\n",
			   netdev->name);
		return -EOPNOTSUPP;
	}
	if (fs->flow_type & (FLOW_EXT | FLOW_MAC_EXT)) {
		netdev_dbg(netdev,
			   "ntuple rules cannot match VLAN, user-defined or MAC fields\n");
		return -EOPNOTSUPP;
	}

	flow = fs->flow_type & ~FLOW_RSS;
	switch (flow) {
	case TCP_V4_FLOW:
		type = ZCNIC_NT_FLOW_TCP4;
		break;
	case UDP_V4_FLOW:
		type = ZCNIC_NT_FLOW_UDP4;
		break;
	case TCP_V6_FLOW:
		type = ZCNIC_NT_FLOW_TCP6;
		break;
	case UDP_V6_FLOW:
		type = ZCNIC_NT_FLOW_UDP6;
		break;
	default:
		netdev_dbg(netdev,
			   "ntuple rules can match tcp4, udp4, tcp6 and udp6 flows only\n");
		return -EOPNOTSUPP;
	}

	err = zcnic_ntuple_action(zd, cmd, &action);
	if (err)
		return err;

	loc = fs->location;
	err = zcnic_ntuple_location(zd, &loc);
	if (err)
		return err;

	if (flow == TCP_V4_FLOW || flow == UDP_V4_FLOW) {
		const struct ethtool_tcpip4_spec *v = &fs->h_u.tcp_ip4_spec;
		const struct ethtool_tcpip4_spec *m = &fs->m_u.tcp_ip4_spec;

		if (m->tos) {
			netdev_dbg(netdev,
				   "ntuple rules cannot match the TOS field\n");
			return -EOPNOTSUPP;
		}
		zcnic_ntuple_write_addr(zd, ZCNIC_NT_SRC_IP(0),
					ZCNIC_NT_SRC_MASK(0), &v->ip4src,
					&m->ip4src, 1);
		zcnic_ntuple_write_addr(zd, ZCNIC_NT_DST_IP(0),
					ZCNIC_NT_DST_MASK(0), &v->ip4dst,
					&m->ip4dst, 1);
		psrc = v->psrc;
		pdst = v->pdst;
		psrc_m = m->psrc;
		pdst_m = m->pdst;
	} else {
		const struct ethtool_tcpip6_spec *v = &fs->h_u.tcp_ip6_spec;
		const struct ethtool_tcpip6_spec *m = &fs->m_u.tcp_ip6_spec;

		if (m->tclass) {
			netdev_dbg(netdev,
				   "ntuple rules cannot match the traffic class\n");
			return -EOPNOTSUPP;
		}
		zcnic_ntuple_write_addr(zd, ZCNIC_NT_SRC_IP(0),
					ZCNIC_NT_SRC_MASK(0), v->ip6src,
					m->ip6src, 4);
		zcnic_ntuple_write_addr(zd, ZCNIC_NT_DST_IP(0),
					ZCNIC_NT_DST_MASK(0), v->ip6dst,
					m->ip6dst, 4);
		psrc = v->psrc;
		pdst = v->pdst;
		psrc_m = m->psrc;
		pdst_m = m->pdst;
	}

	zcnic_wr32(zd, ZCNIC_NT_PORTS,
		   FIELD_PREP(ZCNIC_NT_PORTS_SRC, be16_to_cpu(psrc & psrc_m)) |
		   FIELD_PREP(ZCNIC_NT_PORTS_DST, be16_to_cpu(pdst & pdst_m)));
	zcnic_wr32(zd, ZCNIC_NT_PORT_MASKS,
		   FIELD_PREP(ZCNIC_NT_PORTS_SRC, be16_to_cpu(psrc_m)) |
		   FIELD_PREP(ZCNIC_NT_PORTS_DST, be16_to_cpu(pdst_m)));
	zcnic_wr32(zd, ZCNIC_NT_ACTION, action);
	zcnic_wr32(zd, ZCNIC_NT_FLOW,
		   FIELD_PREP(ZCNIC_NT_FLOW_TYPE, type) | ZCNIC_NT_FLOW_ENABLE);

	err = zcnic_ntuple_cmd(zd, loc, ZCNIC_NT_OP_WRITE);
	if (err)
		return err;

	fs->location = loc;
	zd->ntuple[loc].fs = *fs;
	zd->ntuple[loc].rss_ctx = cmd->rss_context;
	zd->ntuple[loc].used = true;

	return 0;
}

/**
 * zcnic_ntuple_restore() - write every rule again after a device reset
 * @zd: device
 */
void zcnic_ntuple_restore(struct zcnic_dev *zd)
{
	unsigned int loc;

	for (loc = 0; loc < zd->num_ntuple; loc++) {
		struct ethtool_rxnfc cmd = {
			.fs = zd->ntuple[loc].fs,
			.rss_context = zd->ntuple[loc].rss_ctx,
		};

		if (!zd->ntuple[loc].used)
			continue;
		/* the rule's place is free again in the device */
		zd->ntuple[loc].used = false;
		cmd.fs.location = loc;
		if (zcnic_ntuple_insert(zd, &cmd))
			netdev_err(zd->netdev,
				   "ntuple rule %u could not be restored after the device reset\n",
				   loc);
	}
}

static int zcnic_get_rxnfc(struct net_device *netdev, struct ethtool_rxnfc *cmd,
			   u32 *rule_locs)
{
	struct zcnic_dev *zd = netdev_priv(netdev);
	const struct zcnic_ntuple_rule *rule;
	unsigned int loc, n = 0;

	switch (cmd->cmd) {
	case ETHTOOL_GRXRINGS:
		cmd->data = netdev->real_num_rx_queues;
		return 0;
	case ETHTOOL_GRXCLSRLCNT:
		for (loc = 0; loc < zd->num_ntuple; loc++)
			n += zd->ntuple[loc].used;
		cmd->rule_cnt = n;
		cmd->data = zd->num_ntuple | RX_CLS_LOC_SPECIAL;
		return 0;
	case ETHTOOL_GRXCLSRULE:
		loc = cmd->fs.location;
		if (loc >= zd->num_ntuple || !zd->ntuple[loc].used)
			return -ENOENT;
		rule = &zd->ntuple[loc];
		cmd->fs = rule->fs;
		if (rule->fs.flow_type & FLOW_RSS)
			cmd->rss_context = rule->rss_ctx;
		return 0;
	case ETHTOOL_GRXCLSRLALL:
		for (loc = 0; loc < zd->num_ntuple; loc++) {
			if (!zd->ntuple[loc].used)
				continue;
			if (n == cmd->rule_cnt)
				return -EMSGSIZE;
			rule_locs[n++] = loc;
		}
		cmd->rule_cnt = n;
		cmd->data = zd->num_ntuple;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

static int zcnic_set_rxnfc(struct net_device *netdev, struct ethtool_rxnfc *cmd)
{
	struct zcnic_dev *zd = netdev_priv(netdev);
	u32 loc = cmd->fs.location;

	switch (cmd->cmd) {
	case ETHTOOL_SRXCLSRLINS:
		return zcnic_ntuple_insert(zd, cmd);
	case ETHTOOL_SRXCLSRLDEL:
		if (loc >= zd->num_ntuple || !zd->ntuple[loc].used)
			return -ENOENT;
		zcnic_ntuple_delete(zd, loc);
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

/* ---------------------------------------------------------------------- */
/* Statistics                                                              */
/* ---------------------------------------------------------------------- */

/* Per-queue driver counters that the queue statistics (netlink qstats)
 * do not carry; packets, bytes, checksums, allocation failures, stops and
 * wakes are reported there only.
 */
struct zcnic_stat_desc {
	char name[ETH_GSTRING_LEN];
	size_t offset;
};

#define ZCNIC_RX_STAT(f) { #f, offsetof(struct zcnic_rx_counters, f) }
#define ZCNIC_TX_STAT(f) { #f, offsetof(struct zcnic_tx_counters, f) }

static const struct zcnic_stat_desc zcnic_rx_stats[] = {
	ZCNIC_RX_STAT(skb_alloc_fail),
	ZCNIC_RX_STAT(bad_cmpl),
	ZCNIC_RX_STAT(split),
	ZCNIC_RX_STAT(hdr_overflow),
	ZCNIC_RX_STAT(hdr_refill),
};

static const struct zcnic_stat_desc zcnic_tx_stats[] = {
	ZCNIC_TX_STAT(dropped),
	ZCNIC_TX_STAT(bad_cmpl),
};

/* Device counters of each RX queue, read as they are (32 bits, wrapping). */
static const struct {
	char name[ETH_GSTRING_LEN];
	u32 reg;
} zcnic_rx_hw_stats[] = {
	{ "hw_packets",		ZCNIC_RXQ_STAT_PKTS },
	{ "hw_nocmpl",		ZCNIC_RXQ_STAT_NOCMPL },
	{ "hw_csum_bad",	ZCNIC_RXQ_STAT_CSUM_BAD },
	{ "hw_split",		ZCNIC_RXQ_STAT_SPLIT },
	{ "hw_drop_steer",	ZCNIC_RXQ_STAT_DROP_STEER },
	{ "hw_gro_pkts",	ZCNIC_RXQ_STAT_GRO_PKTS },
	{ "hw_gro_segs",	ZCNIC_RXQ_STAT_GRO_SEGS },
};

/* Device-wide counters, in the order of struct zcnic_reset_stats. */
static const char zcnic_reset_stat_names[][ETH_GSTRING_LEN] = {
	"rx_queue_resets", "tx_queue_resets", "tx_timeouts", "device_resets",
};

static_assert(ARRAY_SIZE(zcnic_reset_stat_names) ==
	      sizeof(struct zcnic_reset_stats) / sizeof(u64));

#define ZCNIC_DEV_STATS	(1 + ARRAY_SIZE(zcnic_reset_stat_names))
#define ZCNIC_RX_QSTATS	(ARRAY_SIZE(zcnic_rx_stats) + 1 + \
			 ARRAY_SIZE(zcnic_rx_hw_stats))
#define ZCNIC_TX_QSTATS	(ARRAY_SIZE(zcnic_tx_stats) + 1)

enum {
	ZCNIC_TEST_SCRATCH,
	ZCNIC_TEST_RING_BASE,
	ZCNIC_TEST_COUNT,
};

static const char zcnic_test_names[][ETH_GSTRING_LEN] = {
	[ZCNIC_TEST_SCRATCH]	= "Scratch registers (online)",
	[ZCNIC_TEST_RING_BASE]	= "Ring base registers (online)",
};

/* Private flags (ethtool --show-priv-flags). */
enum {
	ZCNIC_PFLAG_RX_PACK,
	ZCNIC_PFLAG_COUNT,
};

static const char zcnic_pflag_names[][ETH_GSTRING_LEN] = {
	[ZCNIC_PFLAG_RX_PACK]	= "rx-pack",
};

static int zcnic_get_sset_count(struct net_device *netdev, int sset)
{
	switch (sset) {
	case ETH_SS_STATS:
		return ZCNIC_DEV_STATS + netdev->real_num_rx_queues *
		       (ZCNIC_RX_QSTATS + ZCNIC_TX_QSTATS);
	case ETH_SS_TEST:
		return ZCNIC_TEST_COUNT;
	case ETH_SS_PRIV_FLAGS:
		return ZCNIC_PFLAG_COUNT;
	default:
		return -EOPNOTSUPP;
	}
}

static void zcnic_get_strings(struct net_device *netdev, u32 sset, u8 *data)
{
	unsigned int q, i;

	switch (sset) {
	case ETH_SS_STATS:
		ethtool_puts(&data, "guest_errors");
		for (i = 0; i < ARRAY_SIZE(zcnic_reset_stat_names); i++)
			ethtool_puts(&data, zcnic_reset_stat_names[i]);
		for (q = 0; q < netdev->real_num_rx_queues; q++) {
			for (i = 0; i < ARRAY_SIZE(zcnic_rx_stats); i++)
				ethtool_sprintf(&data, "rx%u_%s", q,
						zcnic_rx_stats[i].name);
			ethtool_sprintf(&data, "rx%u_hw_nobuf", q);
			for (i = 0; i < ARRAY_SIZE(zcnic_rx_hw_stats); i++)
				ethtool_sprintf(&data, "rx%u_%s", q,
						zcnic_rx_hw_stats[i].name);
			for (i = 0; i < ARRAY_SIZE(zcnic_tx_stats); i++)
				ethtool_sprintf(&data, "tx%u_%s", q,
						zcnic_tx_stats[i].name);
			ethtool_sprintf(&data, "tx%u_hw_errors", q);
		}
		break;
	case ETH_SS_TEST:
		memcpy(data, zcnic_test_names, sizeof(zcnic_test_names));
		break;
	case ETH_SS_PRIV_FLAGS:
		memcpy(data, zcnic_pflag_names, sizeof(zcnic_pflag_names));
		break;
	}
}

static void zcnic_get_ethtool_stats(struct net_device *netdev,
				    struct ethtool_stats *stats, u64 *data)
{
	struct zcnic_dev *zd = netdev_priv(netdev);
	unsigned long flags;
	unsigned int q, i;

	zcnic_hw_stats_update(zd);

	*data++ = zcnic_rd32(zd, ZCNIC_DEV_GUEST_ERRS);
	spin_lock_irqsave(&zd->stats_lock, flags);
	memcpy(data, &zd->reset_stats, sizeof(zd->reset_stats));
	spin_unlock_irqrestore(&zd->stats_lock, flags);
	data += sizeof(zd->reset_stats) / sizeof(u64);
	for (q = 0; q < netdev->real_num_rx_queues; q++) {
		struct zcnic_q_vector *qv = zd->qv[q];
		struct zcnic_rx_counters rx = {};
		struct zcnic_tx_counters tx = {};

		if (qv) {
			zcnic_rx_stats_read(&qv->rx_stats, &rx);
			zcnic_tx_stats_read(&qv->tx_stats, &tx);
		}

		for (i = 0; i < ARRAY_SIZE(zcnic_rx_stats); i++)
			*data++ = *(u64 *)((u8 *)&rx + zcnic_rx_stats[i].offset);
		spin_lock_irqsave(&zd->stats_lock, flags);
		*data++ = zd->hw_qstats[q].nobuf;
		spin_unlock_irqrestore(&zd->stats_lock, flags);
		for (i = 0; i < ARRAY_SIZE(zcnic_rx_hw_stats); i++)
			*data++ = zcnic_q_rd32(zd, q, zcnic_rx_hw_stats[i].reg);

		for (i = 0; i < ARRAY_SIZE(zcnic_tx_stats); i++)
			*data++ = *(u64 *)((u8 *)&tx + zcnic_tx_stats[i].offset);
		*data++ = zcnic_q_rd32(zd, q, ZCNIC_TXQ_STAT_ERRS);
	}
}

/* ---------------------------------------------------------------------- */
/* Registers and self test                                                 */
/* ---------------------------------------------------------------------- */

static u32 zcnic_regs_end(const struct zcnic_dev *zd)
{
	return ZCNIC_CSR_END_QUEUE(zd->max_queues);
}

static int zcnic_get_regs_len(struct net_device *netdev)
{
	return zcnic_regs_end(netdev_priv(netdev));
}

static void zcnic_dump_block(struct zcnic_dev *zd, u32 *buf, u32 start,
			     u32 end)
{
	u32 reg;

	for (reg = start; reg < end; reg += 4)
		buf[reg / 4] = zcnic_rd32(zd, reg);
}

/* The dump is an image of BAR0 up to the last queue block: a register's
 * value sits at its own offset; gaps between blocks read as 0.
 */
static void zcnic_get_regs(struct net_device *netdev,
			   struct ethtool_regs *regs, void *p)
{
	struct zcnic_dev *zd = netdev_priv(netdev);
	u32 *buf = p;

	memset(p, 0, zcnic_regs_end(zd));
	regs->version = zcnic_rd32(zd, ZCNIC_DEV_VERSION);

	zcnic_dump_block(zd, buf, ZCNIC_CSR_START_DEV, ZCNIC_CSR_END_DEV);
	zcnic_dump_block(zd, buf, ZCNIC_CSR_START_NTUPLE, ZCNIC_CSR_END_NTUPLE);
	zcnic_dump_block(zd, buf, ZCNIC_CSR_START_RSS,
			 ZCNIC_RSS_CTX_BASE(zd->num_rss_ctxs));
	zcnic_dump_block(zd, buf, ZCNIC_CSR_START_QUEUE, zcnic_regs_end(zd));
}

/* Write patterns to a read-write register and read them back, restoring it
 * afterwards.  @mask has the bits the register stores.
 */
static int zcnic_reg_test(struct zcnic_dev *zd, u32 reg, u32 mask)
{
	static const u32 patterns[] = {
		0x00000000, 0xffffffff, 0x5a5a5a5a, 0xa5a5a5a5,
		0x0f0f0f0f, 0xf0f0f0f0, 0x01234567, 0xfedcba98,
	};
	u32 saved = zcnic_rd32(zd, reg);
	unsigned int i;
	int err = 0;

	for (i = 0; i < ARRAY_SIZE(patterns) + 32 && !err; i++) {
		u32 want = i < ARRAY_SIZE(patterns) ? patterns[i] :
			   BIT(i - ARRAY_SIZE(patterns));
		u32 got;

		want &= mask;
		zcnic_wr32(zd, reg, want);
		got = zcnic_rd32(zd, reg) & mask;
		if (got != want) {
			netdev_err(zd->netdev,
				   "register test: 0x%04x reads 0x%08x after writing 0x%08x\n",
				   reg, got, want);
			err = -EIO;
		}
	}
	zcnic_wr32(zd, reg, saved);

	return err;
}

static int zcnic_test_scratch(struct zcnic_dev *zd)
{
	return zcnic_reg_test(zd, ZCNIC_DEV_SCRATCH0, ~0U) ?:
	       zcnic_reg_test(zd, ZCNIC_DEV_SCRATCH1, ~0U);
}

static int zcnic_test_ring_base(struct zcnic_dev *zd)
{
	/* Low halves of ring addresses: only 64-byte aligned values. */
	static const struct {
		u32 reg;
		u32 mask;
	} regs[] = {
		{ ZCNIC_RXQ_HBR_BASE_LO, ~0x3fU }, { ZCNIC_RXQ_HBR_BASE_HI, ~0U },
		{ ZCNIC_RXQ_PBR_BASE_LO, ~0x3fU }, { ZCNIC_RXQ_PBR_BASE_HI, ~0U },
		{ ZCNIC_RXQ_RCQ_BASE_LO, ~0x3fU }, { ZCNIC_RXQ_RCQ_BASE_HI, ~0U },
		{ ZCNIC_TXQ_DR_BASE_LO, ~0x3fU },  { ZCNIC_TXQ_DR_BASE_HI, ~0U },
		{ ZCNIC_TXQ_TCQ_BASE_LO, ~0x3fU }, { ZCNIC_TXQ_TCQ_BASE_HI, ~0U },
	};
	unsigned int q, i;
	int err;

	/* Only a queue pair that is off, preferably one not in use. */
	for (q = zd->max_queues; q--; ) {
		u32 rx = zcnic_q_rd32(zd, q, ZCNIC_RXQ_STATUS);
		u32 tx = zcnic_q_rd32(zd, q, ZCNIC_TXQ_STATUS);

		if (!zcnic_present(zd))
			return -ENODEV;
		if (!(rx & ZCNIC_RXQ_STATUS_ENABLED) &&
		    !(tx & ZCNIC_TXQ_STATUS_ENABLED))
			break;
	}
	if (q == UINT_MAX) {
		netdev_info(zd->netdev,
			    "register test: every queue pair is running, ring base registers not tested\n");
		return 0;
	}

	for (i = 0; i < ARRAY_SIZE(regs); i++) {
		err = zcnic_reg_test(zd, ZCNIC_Q_BASE(q) + regs[i].reg,
				     regs[i].mask);
		if (err)
			return err;
	}

	return 0;
}

static void zcnic_self_test(struct net_device *netdev,
			    struct ethtool_test *test, u64 *data)
{
	struct zcnic_dev *zd = netdev_priv(netdev);

	memset(data, 0, ZCNIC_TEST_COUNT * sizeof(u64));

	data[ZCNIC_TEST_SCRATCH] = !!zcnic_test_scratch(zd);
	data[ZCNIC_TEST_RING_BASE] = !!zcnic_test_ring_base(zd);

	if (data[ZCNIC_TEST_SCRATCH] || data[ZCNIC_TEST_RING_BASE])
		test->flags |= ETH_TEST_FL_FAILED;
}

/* ---------------------------------------------------------------------- */
/* Private flags and interrupt moderation                                  */
/* ---------------------------------------------------------------------- */

static u32 zcnic_get_priv_flags(struct net_device *netdev)
{
	struct zcnic_dev *zd = netdev_priv(netdev);

	return zd->rx_pack ? BIT(ZCNIC_PFLAG_RX_PACK) : 0;
}

/* Restart the running RX queues through the queue management ops: a queue
 * bound to a memory provider stays bound, the others keep their traffic.
 */
static int zcnic_restart_rx_queues(struct zcnic_dev *zd)
{
	struct net_device *netdev = zd->netdev;
	unsigned int q;
	int err;

	if (!netif_running(netdev))
		return 0;
	for (q = 0; q < zd->num_queues; q++) {
		err = netdev_rx_queue_restart(netdev, q);
		if (err)
			return err;
	}

	return 0;
}

/**
 * zcnic_set_rx_latched() - change a setting the RX rings latch at start
 * @zd: device
 * @setting: the setting (rx_pack, gro_hw)
 * @val: its new value
 *
 * Restarts every running RX queue with the new value; if that fails, goes
 * back to the old one (and resets the device if even that fails).
 *
 * Return: 0 or the restart's error, with @setting unchanged.
 */
int zcnic_set_rx_latched(struct zcnic_dev *zd, bool *setting, bool val)
{
	int err;

	*setting = val;
	err = zcnic_restart_rx_queues(zd);
	if (err) {
		*setting = !val;
		if (zcnic_restart_rx_queues(zd))
			zcnic_request_reset(zd, 0, true);
	}

	return err;
}

static int zcnic_set_priv_flags(struct net_device *netdev, u32 flags)
{
	struct zcnic_dev *zd = netdev_priv(netdev);
	bool pack = flags & BIT(ZCNIC_PFLAG_RX_PACK);

	if (pack == zd->rx_pack)
		return 0;

	return zcnic_set_rx_latched(zd, &zd->rx_pack, pack);
}

static int zcnic_get_coalesce(struct net_device *netdev,
			      struct ethtool_coalesce *ec,
			      struct kernel_ethtool_coalesce *kec,
			      struct netlink_ext_ack *extack)
{
	struct zcnic_dev *zd = netdev_priv(netdev);

	ec->rx_coalesce_usecs = zd->itr_usecs;
	ec->use_adaptive_rx_coalesce = zd->adaptive_rx;

	return 0;
}

/* RX and TX completions share the queue pair's interrupt: one setting. */
static int zcnic_set_coalesce(struct net_device *netdev,
			      struct ethtool_coalesce *ec,
			      struct kernel_ethtool_coalesce *kec,
			      struct netlink_ext_ack *extack)
{
	struct zcnic_dev *zd = netdev_priv(netdev);
	unsigned int q;

	if (ec->rx_coalesce_usecs > FIELD_MAX(ZCNIC_QP_IRQ_ITR_USECS)) {
		NL_SET_ERR_MSG_FMT_MOD(extack, "rx-usecs is at most %u",
				       (u32)FIELD_MAX(ZCNIC_QP_IRQ_ITR_USECS));
		return -ERANGE;
	}

	/* The device takes a new interval at any time.  With adaptive-rx
	 * DIM sets it, and rx-usecs is what is left when it goes off.
	 */
	mutex_lock(&zd->dim_lock);
	zd->itr_usecs = ec->rx_coalesce_usecs;
	WRITE_ONCE(zd->adaptive_rx, ec->use_adaptive_rx_coalesce);
	for (q = 0; q < zd->num_queues && !zd->adaptive_rx; q++)
		if (zd->qv[q])
			zcnic_q_wr32(zd, q, ZCNIC_QP_IRQ_ITR, zd->itr_usecs);
	mutex_unlock(&zd->dim_lock);

	return 0;
}

static u32 zcnic_get_link(struct net_device *netdev)
{
	return netif_carrier_ok(netdev);
}

static const struct ethtool_ops zcnic_ethtool_ops = {
	.rxfh_per_ctx_fields	= 1,
	.rxfh_per_ctx_key	= 1,
	.rxfh_max_num_contexts	= ZCNIC_RSS_CTXS,
	.supported_input_xfrm	= RXH_XFRM_SYM_XOR,
	.supported_coalesce_params = ETHTOOL_COALESCE_RX_USECS |
				     ETHTOOL_COALESCE_USE_ADAPTIVE_RX,
	.supported_ring_params	= ETHTOOL_RING_USE_TCP_DATA_SPLIT |
				  ETHTOOL_RING_USE_HDS_THRS,
	/* Changing the queue count needs rtnl; both restart the queues.
	 * The core replaces DIM's profiles (coalesce set, rx-profile) under
	 * rtnl_dereference().
	 */
	.op_needs_rtnl		= ETHTOOL_OP_NEEDS_RTNL_SCHANNELS |
				  ETHTOOL_OP_NEEDS_RTNL_SRINGPARAM |
				  ETHTOOL_OP_NEEDS_RTNL_SCOALESCE,
	.get_regs_len		= zcnic_get_regs_len,
	.get_regs		= zcnic_get_regs,
	.get_link		= zcnic_get_link,
	.get_ringparam		= zcnic_get_ringparam,
	.set_ringparam		= zcnic_set_ringparam,
	.self_test		= zcnic_self_test,
	.get_strings		= zcnic_get_strings,
	.get_ethtool_stats	= zcnic_get_ethtool_stats,
	.get_sset_count		= zcnic_get_sset_count,
	.get_rxnfc		= zcnic_get_rxnfc,
	.set_rxnfc		= zcnic_set_rxnfc,
	.get_rx_ring_count	= zcnic_get_rx_ring_count,
	.get_rxfh_key_size	= zcnic_get_rxfh_key_size,
	.get_rxfh_indir_size	= zcnic_get_rxfh_indir_size,
	.get_rxfh		= zcnic_get_rxfh,
	.set_rxfh		= zcnic_set_rxfh,
	.get_rxfh_fields	= zcnic_get_rxfh_fields,
	.set_rxfh_fields	= zcnic_set_rxfh_fields,
	.create_rxfh_context	= zcnic_create_rxfh_context,
	.modify_rxfh_context	= zcnic_modify_rxfh_context,
	.remove_rxfh_context	= zcnic_remove_rxfh_context,
	.get_coalesce		= zcnic_get_coalesce,
	.set_coalesce		= zcnic_set_coalesce,
	.get_priv_flags		= zcnic_get_priv_flags,
	.set_priv_flags		= zcnic_set_priv_flags,
	.get_channels		= zcnic_get_channels,
	.set_channels		= zcnic_set_channels,
};

void zcnic_set_ethtool_ops(struct net_device *netdev)
{
	netdev->ethtool_ops = &zcnic_ethtool_ops;
}
