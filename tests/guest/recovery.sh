#!/bin/bash
# Recovery: a queue the device stopped on an error, a TX ring that hangs
# until the watchdog fires, and an RX ring that lost sync with the device
# are reset by the driver (the RX queue through the queue management ops,
# so a zcrx area stays bound), and the traffic in flight completes with
# every byte checked. Each case first shows that its fault fired; the
# runner fails the test on any kernel warning.
# shellcheck source=harness/guest/lib.sh
. /zcnic/lib.sh

Q=1
PORT=9600
MB=$((1 << 20))
# stream size; the debug kernel's run makes it shorter
BYTES=$((${RECOVERY_MB:-24} * MB))

ktap_plan 5
ifc=$(zcnic_up 0) || { ktap_fail setup; ktap_exit; }

qom_set() { zcnic-host qom-set /machine/peripheral/nic0 "$1" "$2" >/dev/null; }
# queues_healthy [N]: the first N (2) queue pairs enabled, none in error
queues_healthy() {
	local q s
	for q in $(seq 0 $((${1:-2} - 1))); do
		for s in rx tx; do
			# STATUS: bit 0 ENABLED, bit 1 ERROR
			[ $(( $(dev_counter "$s$q-status") & 3 )) -eq 1 ] ||
				{ echo "# $s queue $q: status $(dev_counter "$s$q-status")"; return 1; }
		done
	done
}

# hung_transfer: send BYTES to the host while every TX ring hangs
# (x-fault-tx-hang) half a second in; the transfer must complete. One queue
# pair, so that TCP cannot move the flow to another ring: the stack stops
# the queue, the watchdog fires after 5 s and the driver resets the ring.
# Sets t0/t1 (TX time-outs), r0/r1 (TX ring resets), d0/d1 (device resets).
hung_transfer() {
	local rc pid bql bql0
	# The watchdog only looks at stopped queues. A byte queue limit of 0
	# stops the queue as soon as one frame waits in the hung ring, whatever
	# the stack queues: a slow guest (behind an IOMMU, a debug kernel)
	# learns a larger limit, and TCP's small-queue limit keeps only a
	# segment or two in the ring, so the queue would never stop.
	bql=/sys/class/net/$ifc/queues/tx-0/byte_queue_limits/limit_max
	bql0=$(cat "$bql") && echo 0 > "$bql" || return 1
	t0=$(nic_stat tx_timeouts); r0=$(nic_stat tx_queue_resets); d0=$(nic_stat device_resets)
	zcnic-host bg sink traffic recv -p $((PORT + 1)) -n "$BYTES" -s 14 -t 120 >/dev/null || return 1
	timeout 120 zcnic-traffic send -a "$HOST_V4" -p $((PORT + 1)) -n "$BYTES" -m 65536 -s 14 -r 8 &
	pid=$!
	sleep 0.5
	qom_set x-fault-tx-hang true
	[ "$(dev_counter x-fault-tx-hang)" = true ] || echo "# no TX queue hung"
	wait "$pid"; rc=$?
	zcnic-host wait sink 120 || rc=1
	echo "$bql0" > "$bql"
	t1=$(nic_stat tx_timeouts); r1=$(nic_stat tx_queue_resets); d1=$(nic_stat device_resets)
	echo "# TX time-outs: $((t1 - t0)); TX ring resets: $((r1 - r0)); device resets: $((d1 - d0)); still hung: $(dev_counter x-fault-tx-hang)"
	[ "$rc" -eq 0 ] || return 1
	[ $((t1 - t0)) -ge 1 ] || { echo "# the watchdog never fired: did the ring hang?"; return 1; }
	[ "$(dev_counter x-fault-tx-hang)" = false ] || { echo "# a ring is still hung"; return 1; }
}

tx_hang() {
	# from a clean slate: rules of earlier tests would refuse the change
	ntuple_clear "$ifc" && ethtool -L "$ifc" combined 1 || return 1
	hung_transfer || return 1
	[ $((r1 - r0)) -ge 1 ] || { echo "# no TX ring was reset"; return 1; }
	queues_healthy 1
}
ktap_check tx-watchdog-resets-a-hung-ring tx_hang

# What a device reset clears and the driver must write back: MAC address,
# frame size, interrupt mask (device block) and every RSS context (the
# register dump of ethtool -d, at those offsets).
restored_regs() {
	local dump
	dump=$(mktemp)
	ethtool -d "$ifc" raw on > "$dump" || return 1
	od -An -v -tx4 -j $((0x18)) -N 12 "$dump"
	od -An -v -tx4 -j $((0x34)) -N 4 "$dump"
	od -An -v -tx4 -j $((0x800)) -N $((0x800)) "$dump"
	rm -f "$dump"
}

# The hung TX ring does not answer its stop either (x-fault-txq-stop-ignore):
# it may be neither freed nor started again, so the ring reset fails and the
# driver takes its last resort, a device reset, which releases the ring.
# Before its fix the ring stayed leaked, and the reopened queue ran on
# the old, locked registers. The transfer completes after one time-out,
# the frames the ring held are freed, and the registers the reset cleared
# read as before, an extra RSS context included.
tx_wedged() {
	local ctx before after
	ctx=$(ethtool -X "$ifc" context new equal 1 | awk '/New RSS context is/ {print $5}')
	[ -n "$ctx" ] || { echo "# no RSS context made"; return 1; }
	before=$(restored_regs) || return 1
	qom_set x-fault-txq-stop-ignore 1
	hung_transfer || return 1
	[ "$(dev_counter x-fault-txq-stop-ignore)" = 0 ] || { echo "# the stop was answered: the fault did not fire"; return 1; }
	[ $((d1 - d0)) -ge 1 ] || { echo "# no device reset"; return 1; }
	# one time-out, the one that found the hang: a second means the queue
	# stayed stopped after the reset (byte queue limits not started over)
	[ $((t1 - t0)) -eq 1 ] || { echo "# $((t1 - t0)) TX time-outs: the queue stalled again after the device reset"; return 1; }
	after=$(restored_regs) || return 1
	[ "$before" = "$after" ] || {
		echo "# registers differ after the device reset:"
		diff <(echo "$before") <(echo "$after") | head -n 10 | sed 's/^/# /'
		return 1
	}
	ethtool -X "$ifc" context "$ctx" delete || return 1
	queues_healthy 1
}
ktap_check tx-stop-unanswered-resets-the-device tx_wedged

setup() { zcrx_nic_setup "$ifc" 2 tcp4:"$PORT":"$Q"; }
ktap_check nic-setup setup

# fault_mid_stream WHAT: a zcrx receive of BYTES on queue Q, paced to last
# about 4 s whatever the receiver's speed (coalesced receives make even the
# debug kernel keep up with the sender), with WHAT (a function) run half a
# second in; the receive must complete zero-copy and intact.
fault_mid_stream() {
	local out rc rate=$(( BYTES / MB / 4 ))
	out=$(mktemp)
	[ "$rate" -ge 1 ] || rate=1
	zc_mark "$Q"
	rx_start "$out" zcrx_rx -i "$ifc" -q "$Q" -p "$PORT" -n "$BYTES" -s 13 -t 60 || return 1
	zcnic-host bg tx traffic send -a "$GUEST_V4" -p "$PORT" -n "$BYTES" -m 65536 -s 13 -r "$rate" >/dev/null
	sleep 0.5
	"$1"
	rx_wait 90; rc=$?
	zcnic-host wait tx 90 >/dev/null || rc=1
	sed 's/^/# /' "$out"
	[ "$rc" -eq 0 ] || return 1
	zc_verdict "$out" || return 1
}

# The device fails a DMA and stops the queues that hit it (QERR): the
# driver restarts them from the device interrupt's report.
dma_fault() {
	local d0 d1 r0 r1
	d0=$(dev_counter dma-faults); r0=$(( $(nic_stat rx_queue_resets) + $(nic_stat tx_queue_resets) ))
	inject() { qom_set x-fault-dma-fail-ppm 1000000; sleep 0.2; qom_set x-fault-dma-fail-ppm 0; }
	fault_mid_stream inject || return 1
	d1=$(dev_counter dma-faults); r1=$(( $(nic_stat rx_queue_resets) + $(nic_stat tx_queue_resets) ))
	echo "# DMA faults injected: $((d1 - d0)); queue resets: $((r1 - r0))"
	[ $((d1 - d0)) -gt 0 ] || { echo "# no DMA failed: the case proved nothing"; return 1; }
	[ $((r1 - r0)) -gt 0 ] || { echo "# no queue was reset"; return 1; }
	queues_healthy && wait_no_detached_pools 20
}
ktap_check dma-fault-stops-queues-the-driver-restarts-them dma_fault

# The device names the wrong header buffer once: the ring no longer matches
# the device's, so the driver restarts the queue instead of reading on.
lost_sync() {
	local b0 b1 r0 r1 rc left
	bad() { echo $(( $(nic_stat rx0_bad_cmpl) + $(nic_stat rx1_bad_cmpl) )); }
	b0=$(bad); r0=$(nic_stat rx_queue_resets)
	inject() { qom_set x-fault-bad-cmpl 1; }
	fault_mid_stream inject; rc=$?
	# an unused knob would misnumber a later test's completion: disarm it
	left=$(dev_counter x-fault-bad-cmpl)
	qom_set x-fault-bad-cmpl 0
	[ "$rc" -eq 0 ] || return 1
	b1=$(bad); r1=$(nic_stat rx_queue_resets)
	echo "# bad completions: $((b1 - b0)); RX queue restarts: $((r1 - r0)); knob left at $left"
	[ "$left" -eq 0 ] || { echo "# the bad completion was never written"; return 1; }
	[ $((b1 - b0)) -eq 1 ] || { echo "# expected exactly one bad completion"; return 1; }
	[ $((r1 - r0)) -ge 1 ] || { echo "# the queue was not restarted"; return 1; }
	queues_healthy && wait_no_detached_pools 20
}
ktap_check rx-ring-lost-sync-restarts-the-queue lost_sync

ktap_exit
