#!/bin/bash
# Memory running out in the middle of a ring change (ethtool -G), a channel
# change (ethtool -L) and an RX queue restart through the queue management
# ops (what a zcrx bind does): in turn, every page pool allocation from the
# n-th on fails while the change runs (zcnic-failnth --budget, the kernel's
# fail_function on page_pool_alloc_netmems). An attempt either changes
# nothing or completes, and after each one the interface is up with every
# ring running and passes traffic. A restart whose header buffers could not
# all be allocated goes on with fewer and tops them up. Needs a kernel with
# CONFIG_FAIL_FUNCTION (the debug kernel), whose KASAN and kmemleak watch
# the error paths; the runner fails the test on any report.
#
# (Failing every page allocation instead, --fail page_alloc, also fails
# DMA-API debug's own allocations, which then turns itself off, and hits a
# bug of the kernel's page pool: its DMA index xarray is locked with BHs
# off but not declared so, and a failed node allocation there retries a
# sleeping allocation with BHs still off.)
# shellcheck source=harness/guest/lib.sh
. /zcnic/lib.sh

Q=1

ktap_plan 4
ifc=$(zcnic_up 0) || { ktap_fail setup; ktap_exit; }
dbg=/sys/kernel/debug/zcnic/$(basename "$(readlink -f /sys/class/net/"$ifc"/device)")

# Two queue pairs and 64-entry RX rings keep the sweeps short: a page pool
# allocation is one call per payload buffer and one per header page.
setup() { ntuple_clear "$ifc" && ethtool -L "$ifc" combined 2 && ethtool -G "$ifc" rx 64; }
setup || { ktap_fail setup; ktap_exit; }

# The check after every attempt, run by zcnic-failnth: the carrier never
# dropped (new rings are allocated before the old ones stop, and a refused
# change leaves those running), every ring runs, traffic passes.
check=$(mktemp)
cat > "$check" <<EOF
#!/bin/bash
n=\$(ethtool -l $ifc | awk '/^Combined:/ {v = \$2} END {print v}')
[ "\$(cat /sys/class/net/$ifc/operstate)" = up ] ||
	{ echo "  $ifc is \$(cat /sys/class/net/$ifc/operstate)"; exit 1; }
cc=\$(cat /sys/class/net/$ifc/carrier_changes)
[ "\$cc" = $(cat /sys/class/net/"$ifc"/carrier_changes) ] ||
	{ echo "  the carrier went down and up: the queues were stopped"; exit 1; }
for r in rx tx; do
	live=\$(grep -c "^  \$r: live" $dbg/rings)
	[ "\$live" = "\$n" ] || { echo "  \$live of \$n \$r rings live:"; cat $dbg/rings; exit 1; }
done
ping -c 1 -W 5 $HOST_V4 >/dev/null || { echo "  no reply from the host"; exit 1; }
EOF
chmod +x "$check"

# sweep STEP OPERATION...: zcnic-failnth with the check; prints a summary
# and fails unless some attempt was refused (so the faults reached the
# driver)
sweep() {
	local out rc step=$1
	shift
	out=$(mktemp)
	zcnic-failnth --fail function=page_pool_alloc_netmems --budget --step "$step" \
		--check "$check" "$@" > "$out"
	rc=$?
	grep -v '^attempt' "$out"
	echo "# $(grep -c '^attempt' "$out") attempts: $(grep -c ': fault fired, operation ok' "$out") completed despite the fault, $(grep -c ': fault fired, operation E' "$out") refused"
	[ "$rc" -eq 0 ] || { tail -n 3 "$out"; return 1; }
	grep -q ': fault fired, operation E' "$out" || { echo "no attempt was refused: the faults missed the driver"; return 1; }
}

# header rings hold size - 1 buffers again after some traffic
headers_full() {
	local size
	ping -c 5 -i 0.2 -W 5 "$HOST_V4" >/dev/null
	size=$(ethtool -g "$ifc" | awk '/^RX:/ {v = $2} END {print v}')
	awk -v size="$size" '
		/^queue / {q = $2}
		/^  hbr:/ {n = ($5 - $3 + size) % size; if (n != size - 1) {print "queue " q " holds " n " header buffers"; bad = 1}}
		END {exit bad}' "$dbg/rings"
}

rings() {
	sweep 2 rings "$ifc" 64 32 && headers_full && wait_no_detached_pools 20
}
ktap_check ring-change-under-allocation-failures rings

channels() {
	local ch rc
	ch=$(ethtool -l "$ifc" | awk '/^Combined:/ {v = $2} END {print v}')
	# from one queue pair to two: the change allocates a whole vector
	ntuple_clear "$ifc" && ethtool -L "$ifc" combined 1 || return 1
	sweep 4 channels "$ifc" 1 2
	rc=$?
	ethtool -L "$ifc" combined "$ch" || rc=1
	[ "$rc" -eq 0 ] && headers_full && wait_no_detached_pools 20
}
ktap_check channel-change-under-allocation-failures channels

# A restart goes on with the header buffers it got: some attempt completes
# with a short header ring, which NAPI then tops up (rx<Q>_hdr_refill).
restart() {
	local h0 h1
	h0=$(nic_stat rx"${Q}"_hdr_refill)
	[ -n "$h0" ] || { echo "no rx${Q}_hdr_refill counter"; return 1; }
	sweep 2 write "$dbg/queue_reset" "$Q" || return 1
	h1=$(nic_stat rx"${Q}"_hdr_refill)
	echo "# header buffers topped up after a restart: $((h1 - h0))"
	[ $((h1 - h0)) -gt 0 ] || { echo "no restart went on with a short header ring"; return 1; }
	headers_full && wait_no_detached_pools 20
}
ktap_check queue-restart-under-allocation-failures restart

ktap_check link-still-up "$check"
ktap_exit
