#!/bin/bash
# An outside receiver: liburing's own examples/zcrx.c, built unmodified from
# the liburing source of the guest root, receives on a zcnic queue and
# checks every byte (-v: the host sends its 'a' + offset % 26 pattern), with
# the three area types it knows: user memory, huge pages and a udmabuf;
# and over IPv6 and a 9000-byte MTU (a VLAN: vlan.sh, in the loop
# topology).
#
# It listens before it registers its zcrx instance, so the sender starts
# only once the queue shows as bound: segments received before would sit in
# ordinary pages, which a dmabuf area cannot take.
#
# The kernel's copy counter misses payload copied out of an skb's linear
# part, and the example reads no counter at all: a kprobe on the kernel's
# copy path (io_zcrx_copy_chunk) counts every copy, and must stay at 0. Its
# negative control: the device's split broken (x-fault-no-split), the same
# receive must still be intact, and the probe must fire.
# shellcheck source=harness/guest/lib.sh
. /zcnic/lib.sh

Q=1
PORT=9700
MB=$((1 << 20))
BYTES=$((16 * MB))

ktap_plan 7
ifc=$(zcnic_up 0) || { ktap_fail setup; ktap_exit; }
setup() {
	ntuple_clear "$ifc" &&
	zcrx_nic_setup "$ifc" 2 tcp4:"$PORT":"$Q" tcp6:"$PORT":"$Q" &&
	echo 32 > /proc/sys/vm/nr_hugepages &&
	{ [ -e /dev/udmabuf ] || modprobe udmabuf; }
}
ktap_check nic-setup setup

ktap_check user-memory-ipv4 example_zc 0 "$GUEST_V4"
ktap_check huge-pages-ipv4 example_zc 1 "$GUEST_V4"
ktap_check udmabuf-ipv4 example_zc 2 "$GUEST_V4"
ktap_check user-memory-ipv6 example_zc 0 "$GUEST_V6"

host_ip() { zcnic-host run ip "$@" >/dev/null; }

# jumbo frames: 9000-byte MTU at both ends, payloads span three buffers
jumbo() {
	local rc
	ip link set "$ifc" mtu 9000 && host_ip link set zctap0 mtu 9000 || return 1
	example_zc 0 "$GUEST_V4"; rc=$?
	ip link set "$ifc" mtu 1500; host_ip link set zctap0 mtu 1500
	return "$rc"
}
ktap_check user-memory-mtu-9000 jumbo


# The negative control: with the split broken the payload lands in the
# skb's linear part; the example still gets every byte (copied), the
# kernel's own copy counter would not say so, the probe does.
no_split_control() {
	local out calls bytes rc
	out=$(mktemp)
	copy_probe_on || return 1
	zcnic-host qom-set /machine/peripheral/nic0 x-fault-no-split true >/dev/null || return 1
	example 0 "$GUEST_V4" "$out"; rc=$?
	zcnic-host qom-set /machine/peripheral/nic0 x-fault-no-split false >/dev/null
	read -r calls bytes < <(copy_probe_off)
	echo "copy path with the split broken: $calls calls, $bytes bytes"
	[ "$rc" -eq 0 ] || { echo "the receive failed"; return 1; }
	[ "$calls" -gt 0 ] || { echo "the copy probe saw nothing: it cannot catch a copy"; return 1; }
}
ktap_check copy-probe-fires-without-split no_split_control
ktap_exit
