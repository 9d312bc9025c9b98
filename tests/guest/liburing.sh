#!/bin/bash
# An outside receiver: liburing's own examples/zcrx.c, built unmodified from
# the liburing source of the guest root, receives on a zcnic queue and
# checks every byte (-v: the host sends its 'a' + offset % 26 pattern), with
# the three area types it knows: user memory, huge pages and a udmabuf.
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
. /zcnic/lib.sh

Q=1
PORT=9700
MB=$((1 << 20))
BYTES=$((16 * MB))

ktap_plan 6
ifc=$(zcnic_up 0) || { ktap_fail setup; ktap_exit; }
setup() {
	ntuple_clear "$ifc" &&
	zcrx_nic_setup "$ifc" 2 tcp4:$PORT:$Q tcp6:$PORT:$Q &&
	echo 32 > /proc/sys/vm/nr_hugepages &&
	{ [ -e /dev/udmabuf ] || modprobe udmabuf; }
}
ktap_check nic-setup setup

T=/sys/kernel/tracing
KP=zcnic_copy/zcrx_copy
# copy_probe_on: count the kernel's zcrx copies from now (x86-64: the
# length is the fifth argument, in r8)
copy_probe_on() {
	[ -d $T/events ] || mount -t tracefs nodev $T || return 1
	grep -qw io_zcrx_copy_chunk /proc/kallsyms ||
		{ echo "io_zcrx_copy_chunk is not a kernel symbol: no copy probe"; return 1; }
	[ -d $T/events/$KP ] ||
		echo "p:$KP io_zcrx_copy_chunk len=%r8:u64" >> $T/kprobe_events || return 1
	echo > $T/trace
	echo 1 > $T/events/$KP/enable
}
# copy_probe_off: prints "CALLS BYTES" since copy_probe_on
copy_probe_off() {
	echo 0 > $T/events/$KP/enable
	awk '/zcrx_copy:/ { n++; for (i = 1; i <= NF; i++) if ($i ~ /^len=/) b += substr($i, 5) }
		END { print n + 0, b + 0 }' $T/trace
}

# example AREA-TYPE ADDR OUT: one receive of BYTES by the example on queue Q
# from the host to ADDR; 0 when it received and checked them all
example() {
	local area=$1 addr=$2 out=$3 pid i rc=0
	# (line-buffered: it is killed, not left to exit)
	stdbuf -oL liburing-zcrx -i "$ifc" -q $Q -p $PORT -s $BYTES -v -A "$area" -S $((32 * MB)) -R 4096 \
		> "$out" 2>&1 &
	pid=$!
	for i in $(seq 1 100); do
		queue_bound "$ifc" $Q && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	queue_bound "$ifc" $Q || { echo "the example never bound queue $Q"; cat "$out"; kill $pid 2>/dev/null; return 1; }
	zcnic-host run traffic send -a "$addr" -p $PORT -n $BYTES -m 65536 -A > "$out.send" 2>&1 || rc=1
	# it serves until killed: the connection's end is its verdict
	for i in $(seq 1 600); do
		grep -q '^Connection terminated' "$out" && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 $pid 2>/dev/null; then
		kill $pid; wait $pid 2>/dev/null
	else
		wait $pid; echo "the example exited by itself (status $?)"; rc=1
	fi
	sed 's/^/  /' "$out.send" "$out"
	grep -q "^Connection terminated: received $BYTES," "$out" || rc=1
	wait_queue_unbound "$ifc" $Q 10 || { echo "queue $Q still bound"; rc=1; }
	return $rc
}

# example_zc AREA ADDR: the example's receive, zero-copy by both checks
example_zc() {
	local out calls bytes
	out=$(mktemp)
	zc_mark $Q
	copy_probe_on || return 1
	example "$1" "$2" "$out" || { copy_probe_off >/dev/null; return 1; }
	read -r calls bytes < <(copy_probe_off)
	echo "copy path: $calls calls, $bytes bytes"
	# in the form zc_verdict reads
	echo "result copy_count=$calls copy_events=0" >> "$out"
	zc_verdict "$out"
}
ktap_check user-memory-ipv4 example_zc 0 "$GUEST_V4"
ktap_check huge-pages-ipv4 example_zc 1 "$GUEST_V4"
ktap_check udmabuf-ipv4 example_zc 2 "$GUEST_V4"
ktap_check user-memory-ipv6 example_zc 0 "$GUEST_V6"

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
	[ $rc -eq 0 ] || { echo "the receive failed"; return 1; }
	[ "$calls" -gt 0 ] || { echo "the copy probe saw nothing: it cannot catch a copy"; return 1; }
}
ktap_check copy-probe-fires-without-split no_split_control
ktap_exit
