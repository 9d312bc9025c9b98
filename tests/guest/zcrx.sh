#!/bin/bash
# Zero-copy receive on a zcnic queue: an ntuple rule steers the host's TCP
# flows to queue Q, io_uring zcrx is bound to Q, and every payload byte must
# arrive intact in user memory, zero-copy by the kernel's counters and the
# device's (lib.sh zc_verdict); the same verdict must call two receives
# that copy (the NIC's split broken, the device-less mode) copying. Then
# the same flows go through plain recv() on the same NIC.
# shellcheck source=harness/guest/lib.sh
. /zcnic/lib.sh

Q=1
PORT=9300
MB=$((1 << 20))
BYTES=${ZCRX_BYTES:-$((32 * MB))}	# per connection
SIZES=1,7,100,1448,4000,65536

ktap_plan 10
ifc=$(zcnic_up 0) || { ktap_fail setup; ktap_exit; }

setup() {
	zcrx_nic_setup "$ifc" 2 tcp4:"$PORT":"$Q" tcp6:"$PORT":"$Q" &&
	sysctl -qw vm.nr_hugepages=128
}
ktap_check nic-setup setup

# zcrx_receive ADDR CONNS BYTES ZCRX-OPTIONS...: CONNS streams of BYTES
# from the host to ADDR, received through zcrx on queue Q; leaves the
# receiver's output in $RX_OUT and the zero-copy verdict in $VERDICT
# (zc_verdict's status) and its words in $VERDICT_TEXT. 0 only if every
# byte arrived intact.
zcrx_receive() {
	local addr=$1 conns=$2 bytes=$3
	shift 3
	RX_OUT=$(mktemp)
	zc_mark $Q
	stream "$RX_OUT" "-a $addr -p $PORT -n $bytes -c $conns -m $SIZES -s 7" \
		zcrx_rx -i "$ifc" -q $Q -p $PORT -n "$bytes" -c "$conns" -s 7 -t 300 "$@"
	local rc=$?
	sed 's/^/# /' "$RX_OUT"
	VERDICT_TEXT=$(zc_verdict "$RX_OUT")
	VERDICT=$?
	sed 's/^/# /' <<<"$VERDICT_TEXT"
	return $rc
}

# zcrx_case NAME ADDR CONNS ZCRX-OPTIONS...: passes only if every byte
# arrived intact and the receive was zero-copy by the kernel's counters and
# the device's (see zc_verdict in lib.sh).
zcrx_case() {
	local name=$1 addr=$2 conns=$3
	shift 3
	zcrx_receive "$addr" "$conns" "$BYTES" "$@"
	if [ "$RX_RC" -eq 4 ]; then
		ktap_skip "$name" "$(grep -m1 '^#' "$RX_OUT")"
	elif [ "$RX_RC" -eq 0 ] && [ "$TX_RC" -eq 0 ] && [ "$VERDICT" -eq 0 ]; then
		ktap_ok "$name"
	else
		ktap_fail "$name # receiver $RX_RC, sender $TX_RC, zero-copy verdict $VERDICT"
	fi
	rm -f "$RX_OUT" "$RX_OUT.send"
}

zcrx_case zcrx-ipv4-user-memory "$GUEST_V4" 2 -a user
zcrx_case zcrx-ipv6-user-memory "$GUEST_V6" 2 -a user
zcrx_case zcrx-ipv4-4-flows "$GUEST_V4" 4 -a user
zcrx_case zcrx-udmabuf "$GUEST_V6" 1 -a dmabuf
zcrx_case zcrx-rx-buf-16k-huge "$GUEST_V4" 1 -a huge -x 16384 -A 128
zcrx_case zcrx-rx-buf-64k-huge "$GUEST_V4" 1 -a huge -x 65536 -A 128

# Negative controls: the same receive with the copy happening must be
# reported as copying by the same verdict, once for each half of it.
# 1. The NIC stops splitting behind the driver's back (a host-side fault):
#    payload lands in the skb's linear part; the bytes still arrive, and
#    the device's half of the verdict must give it away by itself.
control_no_split() {
	local rc
	zcnic-host qom-set /machine/peripheral/nic0 x-fault-no-split true >/dev/null || return 1
	zcrx_receive "$GUEST_V4" 1 $((4 << 20)) -a user -C
	rc=$?
	zcnic-host qom-set /machine/peripheral/nic0 x-fault-no-split false >/dev/null
	[ "$rc" -eq 0 ] || { echo "# the bytes did not arrive (receiver $RX_RC, sender $TX_RC)"; return 1; }
	[ "$VERDICT" -eq 1 ] || { echo "# a receive without split was not reported as copying"; return 1; }
	grep -q "not split at the payload" <<<"$VERDICT_TEXT" ||
		{ echo "# the device's counters did not see the missing split"; return 1; }
	rm -f "$RX_OUT" "$RX_OUT.send"
}
ktap_check zero-copy-check-catches-an-unsplit-receive control_no_split
# 2. The device-less mode (ZCRX_REG_NODEV) on the same flows and queue:
#    every frame is split, the kernel copies every byte and says so.
control_nodev() {
	zcrx_receive "$GUEST_V4" 1 $((4 << 20)) -a user -N ||
		{ echo "# the bytes did not arrive (receiver $RX_RC, sender $TX_RC)"; return 1; }
	[ "$VERDICT" -eq 1 ] || { echo "# a device-less receive was not reported as copying"; return 1; }
	grep -q "the kernel copied" <<<"$VERDICT_TEXT" ||
		{ echo "# the kernel's counters did not show the copy"; return 1; }
	rm -f "$RX_OUT" "$RX_OUT.send"
}
ktap_check zero-copy-check-catches-the-device-less-copy control_nodev

# The copy path on the same queue and flows, once zcrx let go of it.
plain() {
	local out
	out=$(mktemp)
	stream "$out" "-a $1 -p $PORT -n $BYTES -c 2 -m $SIZES -s 7" \
		zcnic-traffic recv -p "$PORT" -n "$BYTES" -c 2 -s 7 -t 300
	local rc=$?
	cat "$out" "$out.send"
	rm -f "$out" "$out.send"
	return "$rc"
}
ktap_check plain-recv-same-flows-ipv4 plain "$GUEST_V4"
ktap_exit
