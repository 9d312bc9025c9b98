#!/bin/bash
# The IOMMU mode and its planted bug. debugfs phys_dma makes the driver post
# payload buffers at their CPU physical address instead of their DMA
# address, a classic driver bug.
#
# Without an IOMMU the two addresses are the same: the bug is invisible,
# traffic flows and the device refuses nothing. That is the control, run in
# the guest level. With the virtual IOMMU (the guest-iommu level) the
# device's DMA through those addresses is refused by the IOMMU: the device
# counts it (dma-errors), writes nothing, stops the queue on its DMA error,
# and the driver's recovery restarts the queue; the stream in flight still
# arrives intact.
# shellcheck source=harness/guest/lib.sh
. /zcnic/lib.sh

PORT=9800
MB=$((1 << 20))

ktap_plan 3
ifc=$(zcnic_up 0) || { ktap_fail setup; ktap_exit; }
dbg=/sys/kernel/debug/zcnic/$(basename "$(readlink -f /sys/class/net/"$ifc"/device)")
grp=/sys/class/net/$ifc/device/iommu_group
iommu_on() { [ -e "$grp" ]; }

# In IOMMU mode the NIC must sit in a translating domain, not passthrough.
mode() {
	if ! iommu_on; then
		echo "no IOMMU: DMA addresses are physical addresses"
		return 0
	fi
	echo "IOMMU group $(basename "$(readlink -f "$grp")"), domain type $(cat "$grp/type")"
	case $(cat "$grp/type") in
	DMA|DMA-FQ) ;;
	*) echo "the NIC's DMA is not translated"; return 1;;
	esac
}
ktap_check iommu-mode mode

planted() {
	local out e0 e1 r0 r1 f0 f1 left rc
	out=$(mktemp)
	ntuple_clear "$ifc" || return 1
	e0=$(dev_counter dma-errors); r0=$(nic_stat rx_queue_resets)
	f0=$(dmesg | grep -c 'DMAR: .*fault addr')
	echo 64 > "$dbg/phys_dma" || return 1
	stream "$out" "-a $GUEST_V4 -p $PORT -n $((16 * MB)) -m 65536 -s 17" \
		zcnic-traffic recv -p "$PORT" -n $((16 * MB)) -s 17 -t 120
	rc=$?
	left=$(cat "$dbg/phys_dma"); echo 0 > "$dbg/phys_dma"
	e1=$(dev_counter dma-errors); r1=$(nic_stat rx_queue_resets)
	f1=$(dmesg | grep -c 'DMAR: .*fault addr')
	tail -n 1 "$out"
	echo "buffers posted at a physical address: $((64 - left)); device DMA refused: $((e1 - e0)); IOMMU faults reported: $((f1 - f0)); RX queue restarts: $((r1 - r0))"
	[ "$rc" -eq 0 ] || { echo "the stream did not arrive intact"; return 1; }
	[ "$left" -lt 64 ] || { echo "no buffer was posted wrong: the case proved nothing"; return 1; }
	if iommu_on; then
		[ $((e1 - e0)) -gt 0 ] || { echo "the IOMMU let the device use physical addresses"; return 1; }
		[ $((r1 - r0)) -gt 0 ] || { echo "the driver did not restart the queue"; return 1; }
	else
		[ $((e1 - e0)) -eq 0 ] || { echo "the device refused DMA without an IOMMU"; return 1; }
	fi
}
ktap_check planted-physical-address-bug planted

# after all that, the NIC works as before and nothing is left detached
after() {
	ping -c 3 -i 0.2 -W 5 "$HOST_V4" >/dev/null && wait_no_detached_pools 20
}
ktap_check clean-after after
ktap_exit
