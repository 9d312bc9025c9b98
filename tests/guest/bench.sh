#!/bin/bash
# make bench, the guest side (the bench topology: zcnic, virtio-net-pci and
# e1000e, each on a tap of its own). Every measurement is one TCP stream of
# BENCH_MB MiB from the host into the guest, pattern-checked on arrival, with
# the same sender, transfer size and seed for each row:
#   zcnic-zcrx     zcnic, io_uring zcrx on queue 1 (header/data split, ntuple)
#   zcnic-zcrx-64k the same with 64 KiB receive buffers (a huge-page area)
#   zcnic-recv     zcnic, plain recv() (RSS onto queue 0)
#   virtio-recv    virtio-net-pci (no vhost), plain recv()
#   e1000e-recv    e1000e, plain recv()
#   virtio-nodev   virtio-net-pci, zcrx registered without a device
#                  (ZCRX_REG_NODEV: the kernel copies every byte)
# The rows take turns, BENCH_REPS rounds, so drift on the host spreads over
# all of them. Then a UDP flood of two flows into each NIC.
# Reported as "# bench KEY=VALUE ..." lines for harness/bench-report.py; a
# row fails only when its stream did not arrive intact (this is no test of
# speed).
# shellcheck source=harness/guest/lib.sh
. /zcnic/lib.sh

MB=${BENCH_MB:-128}
REPS=${BENCH_REPS:-5}
UDP_N=${BENCH_UDP_DATAGRAMS:-100000}
bytes=$((MB << 20))
Q=1
fail=0

ifc_of_driver() {
	local d
	for d in /sys/class/net/*; do
		[ "$(basename "$(readlink -f "$d/device/driver" 2>/dev/null)")" = "$1" ] &&
			{ basename "$d"; return 0; }
	done
	return 1
}

link_up() {
	local ifc=$1 addr=$2 i
	ip link set "$ifc" up && ip addr replace "$addr/24" dev "$ifc" || return 1
	for i in $(seq 1 100); do
		[ "$(cat "/sys/class/net/$ifc/carrier" 2>/dev/null)" = 1 ] && return 0
		sleep 0.1
	done
	echo "# $ifc: no carrier after 10 s"
	return 1
}

modprobe virtio_net && modprobe e1000e || { echo "not ok 1 bench # no virtio_net/e1000e module"; exit 1; }
zc=$(zcnic_up 0) || { echo "not ok 1 bench # zcnic did not come up"; exit 1; }
for _ in $(seq 1 50); do
	vn=$(ifc_of_driver virtio_net) && e1=$(ifc_of_driver e1000e) && break
	sleep 0.1
done
[ -n "$vn" ] && [ -n "$e1" ] || { echo "not ok 1 bench # no virtio-net or e1000e interface"; exit 1; }
link_up "$vn" 198.18.1.2 && link_up "$e1" 198.18.2.2 || { echo "not ok 1 bench # links"; exit 1; }
# zcrx's queue: header/data split, queue 1 out of RSS, port 9101 steered to it
zcrx_nic_setup "$zc" 2 tcp4:9101:$Q tcp4:9106:$Q || { echo "not ok 1 bench # zcrx set-up of $zc"; exit 1; }
# the 64 KiB-buffer receiver's area: 64 MiB of 2 MiB pages
sysctl -qw vm.nr_hugepages=64
echo "# bench nics zcnic=$zc virtio=$vn e1000e=$e1 accel=$ZCNIC_ACCEL cpus=$(nproc) mb=$MB reps=$REPS"
echo "# bench kernel $(uname -r)"

# busy CPU seconds of the whole guest (everything but idle and iowait)
guest_busy() {
	awk -v hz="$(getconf CLK_TCK)" '/^cpu / {print ($2 + $3 + $4 + $7 + $8 + $9) / hz}' /proc/stat
}
# interrupts of IFC's PCI function (its MSI/MSI-X vectors, or its INTx line)
nic_irqs() {
	local d irqs
	d=$(readlink -f "/sys/class/net/$1/device")
	# virtio-net's device is a virtio one, its PCI function the parent
	[ -d "$d/msi_irqs" ] || [ -e "$d/irq" ] || d=$(dirname "$d")
	irqs=$(ls "$d/msi_irqs" 2>/dev/null)
	[ -n "$irqs" ] || irqs=$(cat "$d/irq")
	awk -v list=" $(echo "$irqs" | tr -s ' \n' '  ') " 'index(list, " " substr($1, 1, length($1) - 1) " ") {
		for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i } END {print s + 0}' /proc/interrupts
}
stat_of() { cat "/sys/class/net/$1/statistics/$2"; }
# everything the kernel's counters call a receive drop or miss
nic_drops() {
	local s
	s=$(( $(stat_of "$1" rx_dropped) + $(stat_of "$1" rx_missed_errors) + $(stat_of "$1" rx_fifo_errors) ))
	[ "$1" = "$zc" ] && s=$((s + $(ethtool -S "$1" | awk '/rx[0-9]+_hw_nobuf:/ {n += $2} END {print n + 0}')))
	echo $s
}
# receives handed to the stack: rx_packets, except that zcnic's counts wire
# packets (the qstats definition), so its coalesced receives count once (the
# device's per-queue hw_gro_pkts receives standing for hw_gro_segs segments)
nic_receives() {
	local p
	p=$(stat_of "$1" rx_packets)
	[ "$1" = "$zc" ] || { echo "$p"; return; }
	ethtool -S "$1" | awk -v p="$p" '/rx[0-9]+_hw_gro_pkts:/ {g += $2}
		/rx[0-9]+_hw_gro_segs:/ {w += $2} END {print p - w + g}'
}
snap() {
	echo "$(guest_busy) $(zcnic-host cpu) $(nic_receives "$1") $(nic_irqs "$1") $(nic_drops "$1")"
}

# measure ROW IFC ADDR PORT RECEIVER...
measure() {
	local row=$1 ifc=$2 addr=$3 port=$4 out b a got
	shift 4
	out=/tmp/bench-$row
	b=$(snap "$ifc")
	stream "$out" "-a $addr -p $port -n $bytes -s 42" "$@"
	a=$(snap "$ifc")
	got=$(grep '^result' "$out" | tail -n1)
	if [ "$TX_RC" -ne 0 ] || [ "$RX_RC" -ne 0 ]; then
		echo "# bench FAILED row=$row rep=$rep (sender $TX_RC, receiver $RX_RC)"
		sed 's/^/#   /' "$out" "$out.send" | tail -n 8
		fail=1
		return
	fi
	read -r gb qb pb ib db <<<"$b"
	read -r ga qa pa ia da <<<"$a"
	echo "# bench row=$row rep=$rep bytes=$bytes" \
		"mbps=$(sed -n 's/.*MBps=\([^ ]*\).*/\1/p' <<<"$got")" \
		"guest_cpu=$(awk -v a="$ga" -v b="$gb" 'BEGIN {printf "%.2f", a - b}')" \
		"qemu_cpu=$(awk -v a="$qa" -v b="$qb" 'BEGIN {printf "%.2f", a - b}')" \
		"frames=$((pa - pb)) irqs=$((ia - ib)) drops=$((da - db))" \
		"cqes=$(result_field cqes "$out") enospc=$(result_field enospc "$out")" \
		"copy_bytes=$(result_field copy_bytes "$out")"
}

for rep in $(seq 1 "$REPS"); do
	measure zcnic-zcrx "$zc" "$GUEST_V4" 9101 zcrx_rx -i "$zc" -q $Q -p 9101 -n "$bytes" -s 42 -t 300
	measure zcnic-zcrx-64k "$zc" "$GUEST_V4" 9106 zcrx_rx -i "$zc" -q $Q -p 9106 -n "$bytes" -s 42 -t 300 \
		-a huge -x 65536
	measure zcnic-recv "$zc" "$GUEST_V4" 9102 zcnic-traffic recv -p 9102 -n "$bytes" -s 42 -t 300
	measure virtio-recv "$vn" 198.18.1.2 9103 zcnic-traffic recv -p 9103 -n "$bytes" -s 42 -t 300
	measure e1000e-recv "$e1" 198.18.2.2 9104 zcnic-traffic recv -p 9104 -n "$bytes" -s 42 -t 300
	measure virtio-nodev "$vn" 198.18.1.2 9105 zcrx_rx -N -p 9105 -n "$bytes" -s 42 -t 300
done

# UDP: two flows of 1024-byte datagrams at full speed from the host, each
# counted and checked by its own receiver in the guest
qstats() { ethtool -S "$zc" | awk '/^ *rx[0-9]+_hw_packets:/ {sub("_hw_packets:", "", $1); print $1, $2}'; }
sum_field() { sed -n "s/.*\b$1=\([0-9.]*\).*/\1/p" "${@:2}" | awk '{s += $1} END {print s + 0}'; }
# datagrams the guest's UDP sockets had no room for (RcvbufErrors)
udp_sock_drops() { awk '/^Udp:/ && ++n == 2 {print $6}' /proc/net/snmp; }
udp_flood() {
	local nic=$1 ifc=$2 addr=$3 f s0 s1 k0 k1 bad queues="" rx=()
	qstats > /tmp/q0
	for f in 0 1; do
		zcnic-traffic recv -u -p $((9200 + f)) -n "$UDP_N" -m 1024 -s 7 -t 60 > /tmp/udp-$f 2>&1 &
		rx[f]=$!
	done
	sleep 0.5
	s0=$(snap "$ifc") k0=$(udp_sock_drops)
	zcnic-host bg udp0 traffic send -u -a "$addr" -p 9200 -n "$UDP_N" -m 1024 -s 7 >/dev/null
	zcnic-host bg udp1 traffic send -u -a "$addr" -p 9201 -n "$UDP_N" -m 1024 -s 7 >/dev/null
	zcnic-host wait udp0 120 > /tmp/udp-send0
	zcnic-host wait udp1 120 > /tmp/udp-send1
	wait "${rx[@]}"
	s1=$(snap "$ifc") k1=$(udp_sock_drops)
	qstats > /tmp/q1
	[ "$nic" = zcnic ] && queues=$(join /tmp/q0 /tmp/q1 | awk '{printf "%s%s:%d", (NR > 1 ? "," : ""), $1, $3 - $2}')
	read -r _ _ pb _ db <<<"$s0"
	read -r _ _ pa _ da <<<"$s1"
	bad=$(sum_field bad /tmp/udp-0 /tmp/udp-1)
	echo "# bench udp nic=$nic" \
		"sent=$(sum_field datagrams /tmp/udp-send0 /tmp/udp-send1)" \
		"send_secs=$(sed -n 's/.*secs=\([0-9.]*\).*/\1/p' /tmp/udp-send0 /tmp/udp-send1 | sort -n | tail -n1)" \
		"delivered=$(sum_field datagrams /tmp/udp-0 /tmp/udp-1) bad=$bad" \
		"frames=$((pa - pb)) drops=$((da - db)) sock_drops=$((k1 - k0)) queues=${queues:--}"
	if [ "$bad" != 0 ]; then
		echo "# bench FAILED udp nic=$nic: $bad corrupted datagrams"
		fail=1
	fi
}
# both RSS queues for the flood (zcrx's set-up kept queue 1 out)
ethtool -X "$zc" equal 2
udp_flood zcnic "$zc" "$GUEST_V4"
udp_flood virtio "$vn" 198.18.1.2
udp_flood e1000e "$e1" 198.18.2.2

if [ $fail = 0 ]; then
	echo "ok 1 bench"
else
	echo "not ok 1 bench # a stream did not arrive intact"
fi
exit $fail
