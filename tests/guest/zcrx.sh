#!/bin/bash
# Zero-copy receive on a zcnic queue: an ntuple rule steers the host's TCP
# flows to queue Q, io_uring zcrx is bound to Q, and every payload byte must
# arrive intact in user memory with the kernel's copy counter at 0. Then the
# same flows go through plain recv() on the same NIC.
. /zcnic/lib.sh

Q=1
PORT=9300
MB=$((1 << 20))
BYTES=${ZCRX_BYTES:-$((32 * MB))}	# per connection
SIZES=1,7,100,1448,4000,65536

ktap_plan 9
ifc=$(zcnic_up 0) || { ktap_fail setup; ktap_exit; }

setup() {
	zcrx_nic_setup "$ifc" 2 tcp4:$PORT:$Q tcp6:$PORT:$Q &&
	sysctl -qw vm.nr_hugepages=128
}
ktap_check nic-setup setup

# zcrx_case NAME ADDR CONNS ZCRX-OPTIONS...: receive CONNS streams of BYTES
# sent by the host to ADDR through zcrx on queue Q. Passes only if every
# byte arrived intact, the kernel copied none, and the device says the
# bytes crossed queue Q split at the payload (copy_count alone does not see
# payload left in an skb's linear part).
zcrx_case() {
	local name=$1 addr=$2 conns=$3 out rc hrc b0 b1 s0 s1
	shift 3
	b0=$(dev_counter rx$Q-bytes); s0=$(dev_counter rx$Q-split)
	out=$(mktemp)
	zcrx_rx -i "$ifc" -q $Q -p $PORT -n "$BYTES" -c "$conns" -s 7 -t 300 "$@" > "$out" 2>&1 &
	local pid=$!
	for _ in $(seq 1 100); do grep -q 'listening\|result\|io_uring_register_ifq' "$out" && break; sleep 0.1; done
	zcnic-host run traffic send -a "$addr" -p $PORT -n "$BYTES" -c "$conns" -m $SIZES -s 7 > /dev/null
	hrc=$?
	wait $pid
	rc=$?
	b1=$(dev_counter rx$Q-bytes); s1=$(dev_counter rx$Q-split)
	sed 's/^/# /' "$out"
	echo "# queue $Q: $((b1 - b0)) bytes, $((s1 - s0)) split frames"
	if [ $rc -eq 0 ] && [ $((b1 - b0)) -lt $((conns * BYTES)) ]; then
		echo "# the streams did not cross queue $Q"
		rc=1
	fi
	if [ $rc -eq 0 ] && [ $((s1 - s0)) -lt $((conns * BYTES / 65536)) ]; then
		echo "# too few frames were split at the payload on queue $Q"
		rc=1
	fi
	if [ $rc -eq 4 ]; then
		ktap_skip "$name" "$(grep -m1 '^#' "$out")"
	elif [ $rc -eq 0 ] && [ $hrc -eq 0 ]; then
		ktap_ok "$name"
	else
		ktap_fail "$name # receiver $rc, sender $hrc"
	fi
	rm -f "$out"
}

zcrx_case zcrx-ipv4-user-memory "$GUEST_V4" 2 -a user
zcrx_case zcrx-ipv6-user-memory "$GUEST_V6" 2 -a user
zcrx_case zcrx-ipv4-4-flows "$GUEST_V4" 4 -a user
zcrx_case zcrx-udmabuf "$GUEST_V6" 1 -a dmabuf
zcrx_case zcrx-rx-buf-16k-huge "$GUEST_V4" 1 -a huge -x 16384 -A 128
zcrx_case zcrx-rx-buf-64k-huge "$GUEST_V4" 1 -a huge -x 65536 -A 128

# The copy path on the same queue and flows, once zcrx let go of it.
plain() {
	start_sink -p $PORT -n "$BYTES" -c 2 -s 7 -t 300 || return 1
	zcnic-host run traffic send -a "$1" -p $PORT -n "$BYTES" -c 2 -m $SIZES -s 7 || return 1
	wait "$ZC_SINK_PID" && cat "$ZC_SINK_OUT"
}
ktap_check plain-recv-same-flows-ipv4 plain "$GUEST_V4"
ktap_exit
