#!/bin/bash
# zcrx lifecycle on zcnic: queue restarts under traffic while the user holds
# buffers, down/up and driver unbind/rebind while bound, a receiver killed
# mid-flow or exiting with buffers outstanding, immediate re-registration,
# two instances at once, a second area, what the kernel refuses while a
# queue is bound, and the device-less copy mode side by side. After each
# teardown the queue must be unbound and no page pool may linger.
# shellcheck source=harness/guest/lib.sh
. /zcnic/lib.sh

Q=1
PORT=9500
MB=$((1 << 20))
# size of the long streams; the debug kernel's run makes them shorter
STREAM_MB=${LIFECYCLE_MB:-64}
[ "$STREAM_MB" -ge 16 ] || STREAM_MB=16	# -E exits holding after 8 MiB

ktap_plan 16
ifc=$(zcnic_up 0) || { ktap_fail setup; ktap_exit; }
dbg=/sys/kernel/debug/zcnic/$(basename "$(readlink -f /sys/class/net/"$ifc"/device)")
setup() { zcrx_nic_setup "$ifc" 3 tcp4:"$PORT":"$Q" tcp4:$((PORT + 1)):2; }
ktap_check nic-setup setup

# start_rx OUT ZCRX-OPTIONS...: a zcrx receiver in the background (RX_PID),
# listening when this returns
start_rx() {
	local out=$1
	shift
	rx_start "$out" zcrx_rx -i "$ifc" -p "$PORT" -s 9 -t 300 "$@"
}
# send BYTES [MBPS]: host -> guest, as a background host job "tx", paced
# when MBPS is given so that what happens meanwhile happens mid-stream
send_bg() {
	zcnic-host bg tx traffic send -a "$GUEST_V4" -p "$PORT" -n "$1" -m 65536 -s 9 \
		${2:+-r $2} >/dev/null
}
# pace_for SECS: the MB/s that makes the stream last about SECS seconds,
# however fast the receiver is (coalesced receives let even the debug kernel
# keep up with the sender, so a size alone no longer makes a long stream)
pace_for() {
	local r=$(( STREAM_MB / $1 ))
	echo $(( r > 0 ? r : 1 ))
}
clean_after() {
	wait_queue_unbound "$ifc" "$1" 10 && wait_no_detached_pools 20
}

# Restart the bound queue (debugfs), and change rings and channels of the
# others, while a stream is in flight and the user holds buffers.
restart_under_traffic() {
	local out rc
	out=$(mktemp)
	start_rx "$out" -q "$Q" -n $((STREAM_MB * MB)) || { cat "$out"; return 1; }
	send_bg $((STREAM_MB * MB)) "$(pace_for 5)"
	sleep 0.5
	for i in 1 2 3; do
		echo "$Q" > "$dbg/queue_reset" || { echo "queue_reset failed"; return 1; }
		sleep 0.2
	done
	ethtool -G "$ifc" rx 256 && sleep 0.2 && ethtool -G "$ifc" rx 512 || return 1
	ethtool -L "$ifc" combined 4 && sleep 0.2 && ethtool -L "$ifc" combined 3 || return 1
	rx_wait; rc=$?
	zcnic-host wait tx 120 >/dev/null || rc=1
	tail -n 2 "$out"
	[ "$rc" -eq 0 ] && clean_after "$Q"
}
ktap_check queue-restart-under-traffic restart_under_traffic

updown_while_bound() {
	local out rc first=0 half=$((STREAM_MB / 2))
	out=$(mktemp)
	# Two connections: the first is in flight across down/up, the second
	# starts only after the check, so the receiver (and the binding) cannot
	# be gone before the check, however long down/up and the netlink query
	# take (over 10 s on the debug kernel, longer than a paced stream)
	start_rx "$out" -q "$Q" -c 2 -n $((half * MB)) || return 1
	send_bg $((half * MB)) "$(pace_for 8)"
	sleep 1
	ip link set "$ifc" down; sleep 0.5; ip link set "$ifc" up
	if ! queue_bound "$ifc" "$Q"; then
		echo "queue unbound by down/up:"
		ynl netdev --do queue-get --json "{\"ifindex\": $(cat /sys/class/net/"$ifc"/ifindex), \"id\": $Q, \"type\": \"rx\"}" 2>&1
		kill "$RX_PID" 2>/dev/null; zcnic-host kill tx >/dev/null
		echo "receiver:"; cat "$out"
		return 1
	fi
	zcnic-host wait tx 120 >/dev/null || first=1
	send_bg $((half * MB))
	rx_wait; rc=$?
	zcnic-host wait tx 120 >/dev/null || rc=1
	[ "$first" -eq 0 ] || { echo "the first sender failed"; rc=1; }
	tail -n 1 "$out"
	[ "$rc" -eq 0 ] && clean_after "$Q"
}
ktap_check down-up-while-bound updown_while_bound

killed_mid_flow() {
	local out
	out=$(mktemp)
	start_rx "$out" -q "$Q" -n $((STREAM_MB * MB)) || return 1
	send_bg $((STREAM_MB * MB)) "$(pace_for 4)"
	sleep 1
	kill -9 "$RX_PID"; wait "$RX_PID" 2>/dev/null
	zcnic-host kill tx >/dev/null
	clean_after "$Q"
}
ktap_check receiver-killed-mid-flow killed_mid_flow

# held_at_exit OUT: how many buffers a receiver (-E) held when it exited;
# 0 for one that gave them all back (the control in after_rebind)
held_at_exit() {
	local n
	n=$(sed -n 's/^# exiting with \([0-9]*\) buffers held.*/\1/p' "$1")
	echo "${n:-0}"
}
exit_holding() {
	local out rc held
	out=$(mktemp)
	start_rx "$out" -q "$Q" -n $((STREAM_MB * MB)) -E $((8 * MB)) || return 1
	send_bg $((STREAM_MB * MB))
	rx_wait 120; rc=$?
	zcnic-host kill tx >/dev/null
	grep exiting "$out"
	held=$(held_at_exit "$out")
	[ "$rc" -eq 0 ] || { echo "receiver exit status $rc"; cat "$out"; return 1; }
	# the case is about a ring closed while the user holds buffers
	[ "${held:-0}" -gt 0 ] || { echo "the receiver held no buffer when it exited"; return 1; }
	clean_after "$Q"
}
ktap_check ring-closed-with-buffers-outstanding exit_holding

reregister_loop() {
	local i out
	for i in $(seq 1 20); do
		out=$(zcrx_rx -i "$ifc" -q "$Q" -d 2>&1) || { echo "round $i: $out"; return 1; }
	done
	echo "20 register/close rounds without -EEXIST"
	clean_after "$Q"
}
ktap_check close-and-reregister-loop reregister_loop

two_instances() {
	local o1 o2 p1 r1 r2
	o1=$(mktemp); o2=$(mktemp)
	start_rx "$o1" -q "$Q" -n $((16 * MB)) || return 1
	p1=$RX_PID
	rx_start "$o2" zcrx_rx -i "$ifc" -q 2 -p $((PORT + 1)) -n $((16 * MB)) -s 9 -t 300 ||
		{ kill "$p1"; return 1; }
	send_bg $((16 * MB))
	zcnic-host run traffic send -a "$GUEST_V4" -p $((PORT + 1)) -n $((16 * MB)) -m 65536 -s 9 >/dev/null
	rx_wait; r2=$?
	RX_PID=$p1 rx_wait; r1=$?
	zcnic-host wait tx 120 >/dev/null || r1=1
	tail -n 1 "$o1" "$o2"
	[ "$r1" -eq 0 ] && [ "$r2" -eq 0 ] && clean_after "$Q" && clean_after 2
}
ktap_check two-instances-two-queues two_instances

second_area() {
	local out rc
	out=$(mktemp)
	# two 4 MiB areas, and a receiver that starves the queue until the
	# kernel runs out of both, so that the second one must be drawn on
	start_rx "$out" -q "$Q" -n $((STREAM_MB * MB)) -A 4 -2 -W 200 || { cat "$out"; return 1; }
	send_bg $((STREAM_MB * MB))
	rx_wait; rc=$?
	zcnic-host wait tx 120 >/dev/null || rc=1
	grep -E 'area|result' "$out"
	[ "$rc" -eq 0 ] && grep -q 'area 1: yes' "$out"
}
ktap_check add-area-both-used second_area

# What the kernel refuses while queue Q is bound, each with its own reason
# (the extack message), nothing changed; and once the queue is unbound the
# very same commands go through. The ntuple rules are out of the way
# meanwhile: with a rule for queue 2, "-L combined 1" is refused for the
# rule, not for the memory provider.
XDP_FRAGS="/zcnic/ksft/net/lib/xdp_dummy.bpf.o sec xdp.frags"
ntuple_clear() {
	local id
	for id in $(ethtool -n "$ifc" | awk '/^Filter:/ {print $2}'); do
		ethtool -N "$ifc" delete "$id" || return 1
	done
}
refusals() {
	local out before after ok=0 msg
	out=$(mktemp)
	start_rx "$out" -q "$Q" -n $((1 * MB)) || return 1
	# shellcheck disable=SC2119 # no arguments: every rule
	ntuple_clear || return 1
	before="$(ethtool -l "$ifc"; ethtool -g "$ifc")"
	# refuse WHY CMD...: CMD must fail with WHY in its message
	refuse() {
		local expected=$1
		shift
		if msg=$("$@" 2>&1); then
			echo "not refused: $*"; ok=1
		elif ! grep -qF "$expected" <<<"$msg"; then
			echo "refused for another reason: $* -- $msg (expected: $expected)"; ok=1
		else
			echo "refused: $* -- $(tail -n1 <<<"$msg")"
		fi
	}
	refuse "too low for existing memory provider setting" ethtool -L "$ifc" combined 1
	refuse "can't disable tcp-data-split while device has memory provider enabled" \
		ethtool -G "$ifc" tcp-data-split off
	refuse "can't set non-zero hds_thresh while device is memory provider enabled" \
		ethtool -G "$ifc" hds-thresh 100
	# shellcheck disable=SC2086
	refuse "unable to install XDP to device using memory provider" \
		ip link set dev "$ifc" xdp obj $XDP_FRAGS
	after="$(ethtool -l "$ifc"; ethtool -g "$ifc")"
	[ "$before" = "$after" ] || { echo "settings changed"; ok=1; }
	queue_bound "$ifc" "$Q" || { echo "queue no longer bound"; ok=1; }
	ethtool -N "$ifc" flow-type tcp4 dst-port "$PORT" action "$Q" >/dev/null || ok=1
	send_bg $((1 * MB))
	rx_wait 120 || ok=1
	zcnic-host wait tx 60 >/dev/null || ok=1
	clean_after "$Q" || return 1
	# unbound now: the same commands must succeed (and are undone)
	# shellcheck disable=SC2119
	ntuple_clear || return 1
	allowed() { "$@" >/dev/null 2>&1 || { echo "still refused once unbound: $*"; ok=1; }; }
	allowed ethtool -L "$ifc" combined 1
	allowed ethtool -L "$ifc" combined 3
	allowed ethtool -G "$ifc" tcp-data-split off
	allowed ethtool -G "$ifc" tcp-data-split on
	allowed ethtool -G "$ifc" hds-thresh 100
	allowed ethtool -G "$ifc" hds-thresh 0
	# shellcheck disable=SC2086
	allowed ip link set dev "$ifc" xdp obj $XDP_FRAGS
	allowed ip link set dev "$ifc" xdp off
	setup >/dev/null || { echo "set-up failed afterwards"; ok=1; }
	return "$ok"
}
ktap_check refusals-while-bound refusals

# Driver unbind while bound: the instance loses its device; the receiver
# must fail, not hang, the kernel stay quiet; rebind brings a working NIC,
# which reports no carrier before it is first opened.
unbind_rebind() {
	local out pci rc carrier
	out=$(mktemp)
	pci=$(basename "$(readlink -f /sys/class/net/"$ifc"/device)")
	start_rx "$out" -q "$Q" -n $((STREAM_MB * MB)) -t 20 || return 1
	send_bg $((STREAM_MB * MB)) "$(pace_for 4)"
	sleep 1
	echo "$pci" > /sys/bus/pci/drivers/zcnic/unbind || return 1
	# its own time-out is 20 s: 60 s without an exit is a hang
	rx_wait 60; rc=$?
	zcnic-host kill tx >/dev/null
	echo "receiver exit status after unbind: $rc"
	echo "$pci" > /sys/bus/pci/drivers/zcnic/bind || return 1
	# a new netdev has no carrier until open has read the link (IFLA_CARRIER)
	carrier=$(ynl rt-link --do getlink --json "{\"ifname\": \"$(zcnic_ifname 0)\"}" \
		--output-json | python3 -c 'import json, sys; print(json.load(sys.stdin)["carrier"])')
	echo "carrier of the new netdev before open: ${carrier:-unreadable}"
	ifc=$(zcnic_up 0) || return 1
	setup >/dev/null || return 1
	case $rc in
	0) echo "the receiver completed although its device went away"; return 1;;
	124) echo "the receiver hung after its device went away"; return 1;;
	esac
	[ "$carrier" = 0 ] || { echo "carrier reported before the first open"; return 1; }
	wait_no_detached_pools 20
}
ktap_check driver-unbind-rebind-while-bound unbind_rebind
after_rebind() {
	local out rc
	out=$(mktemp)
	stream "$out" "-a $GUEST_V4 -p $PORT -n $((16 * MB)) -s 9" \
		zcrx_rx -i "$ifc" -q "$Q" -p "$PORT" -n $((16 * MB)) -s 9 -t 120
	rc=$?
	tail -n1 "$out"
	# control of ring-closed-with-buffers-outstanding: a receiver that ran
	# to the end held nothing when it exited
	[ "$(held_at_exit "$out")" = 0 ] || { echo "held_at_exit counts a normal exit"; return 1; }
	return "$rc"
}
ktap_check zcrx-works-after-rebind after_rebind

# A queue restart that the device refuses half-way (the new ring does not
# enable): the core puts the old memory back, the queue works on, and the
# kernel stays quiet (a start that failed with NAPI enabled used to hit a
# BUG_ON when the core started the old memory). Once through debugfs
# queue_reset, once through a zcrx bind, which must fail cleanly.
# The old ring has received frames since it started, so its header buffers
# no longer start at slot 0 and must be rotated back (a rotation that
# scrambled them crashed the kernel here on the first restart).
hbr_head() { awk -v q="queue $1:" '$0 ~ "^"q {f = 1} f && $1 == "hbr:" {print $3; exit}' "$dbg/rings"; }
refused_restart() {
	local out head
	out=$(mktemp)
	refuse_next() { zcnic-host qom-set /machine/peripheral/nic0 x-fault-rxq-enable-fail 1 >/dev/null; }
	stream "$out" "-a $GUEST_V4 -p $PORT -n 65536 -s 9" \
		zcnic-traffic recv -p "$PORT" -n 65536 -s 9 -t 60 || { cat "$out" "$out.send"; return 1; }
	head=$(hbr_head "$Q")
	echo "queue $Q header ring head at slot $head before the refused restart"
	[ -n "$head" ] && [ "$head" -ne 0 ] || { cat "$dbg/rings"; return 1; }
	refuse_next || return 1
	if echo "$Q" > "$dbg/queue_reset" 2>/dev/null; then
		echo "queue_reset succeeded although the device refused the new ring"; return 1
	fi
	refuse_next || return 1
	if zcrx_rx -i "$ifc" -q "$Q" -d > "$out" 2>&1; then
		echo "zcrx bound although the device refused the restart"; cat "$out"; return 1
	fi
	echo "bind refused: $(tail -n1 "$out")"
	[ "$(dev_counter x-fault-rxq-enable-fail)" = 0 ] || { echo "the fault was not used"; return 1; }
	wait_queue_unbound "$ifc" "$Q" 10 || return 1
	# the old queue came back: zcrx binds and receives on it
	stream "$out" "-a $GUEST_V4 -p $PORT -n $((8 * MB)) -s 9" \
		zcrx_rx -i "$ifc" -q "$Q" -p "$PORT" -n $((8 * MB)) -s 9 -t 120 || { cat "$out"; return 1; }
	tail -n1 "$out"
	clean_after "$Q"
}
ktap_check queue-restart-refused-by-the-device refused_restart

# The device-less copy mode next to zcnic, on the same stream.
nodev_side_by_side() {
	local zc nd send="-a $GUEST_V4 -p $PORT -n $((32 * MB)) -s 9"
	zc=$(mktemp); nd=$(mktemp)
	stream "$zc" "$send" zcrx_rx -i "$ifc" -p "$PORT" -s 9 -t 300 -q "$Q" -n $((32 * MB)) || return 1
	stream "$nd" "$send" zcrx_rx -i "$ifc" -p "$PORT" -s 9 -t 300 -N -n $((32 * MB)) || return 1
	echo "zcnic queue $Q: $(grep -o 'copy_bytes=[0-9]*' "$zc") $(grep -o 'MBps=[0-9.]*' "$zc")"
	echo "ZCRX_REG_NODEV: $(grep -o 'copy_bytes=[0-9]*' "$nd") $(grep -o 'MBps=[0-9.]*' "$nd")"
	grep -q 'copy_bytes=0 ' "$zc" && ! grep -q 'copy_bytes=0 ' "$nd"
}
ktap_check nodev-copy-mode-side-by-side nodev_side_by_side

# The registration errors docs/troubleshooting.md lists, each provoked
# the way it says and refused with the error it says; the queue is free
# and works afterwards.
# reg_err ERROR ZCRX_RX-OPTIONS...: a probe registration must fail with it
reg_err() {
	local want=$1 out
	shift
	out=$(zcrx_rx -d -p "$PORT" -n 1 "$@" 2>&1)
	case $out in
	*"$want"*) echo "zcrx_rx $*: $want";;
	*) echo "zcrx_rx $*: expected \"$want\", got: $out"; return 1;;
	esac
}
registration_errors() {
	local ok=0 nq out
	out=$(mktemp)
	nq=$(ethtool -l "$ifc" | awk '/^Combined:/ {v = $2} END {print v}')
	ethtool -G "$ifc" tcp-data-split auto || return 1
	reg_err "Invalid argument" -i "$ifc" -q "$Q" || ok=1
	ethtool -G "$ifc" tcp-data-split on hds-thresh 64 || return 1
	reg_err "Invalid argument" -i "$ifc" -q "$Q" || ok=1
	ethtool -G "$ifc" hds-thresh 0 || return 1
	reg_err "Numerical result out of range" -i "$ifc" -q "$nq" || ok=1
	reg_err "Operation not supported" -i lo -q 0 || ok=1
	start_rx "$out" -q "$Q" -n "$MB" || return 1
	reg_err "File exists" -i "$ifc" -q "$Q" || ok=1
	kill "$RX_PID"; wait "$RX_PID" 2>/dev/null
	clean_after "$Q" || return 1
	# a frame the NIC did not split must be copied, and a dmabuf area
	# cannot be copied into: the receive fails with -ENOMEM
	[ -e /dev/udmabuf ] || modprobe udmabuf || return 1
	zcnic-host qom-set /machine/peripheral/nic0 x-fault-no-split true >/dev/null || return 1
	stream "$out" "-a $GUEST_V4 -p $PORT -n $MB -s 9" \
		zcrx_rx -i "$ifc" -q "$Q" -p "$PORT" -n "$MB" -s 9 -t 60 -a dmabuf
	zcnic-host qom-set /machine/peripheral/nic0 x-fault-no-split false >/dev/null || return 1
	if grep -q 'recvzc: Cannot allocate memory' "$out"; then
		echo "unsplit frames into a dmabuf area: Cannot allocate memory"
	else
		echo "unsplit frames into a dmabuf area: no -ENOMEM"; cat "$out"; ok=1
	fi
	clean_after "$Q" || return 1
	stream "$out" "-a $GUEST_V4 -p $PORT -n $MB -s 9" \
		zcrx_rx -i "$ifc" -q "$Q" -p "$PORT" -n "$MB" -s 9 -t 60 || { cat "$out"; ok=1; }
	clean_after "$Q" || ok=1
	return "$ok"
}
ktap_check registration-errors-as-documented registration_errors

# The leak check itself must be able to fail: payload pages sitting unread
# in a socket keep the pools of a downed interface alive (detached) until
# the socket goes, and wait_no_detached_pools must say so; then they go.
held_pool_is_seen() {
	local out pid i rc=0
	out=$(mktemp)
	rx_start "$out" python3 -c '
import socket, sys, time
s = socket.create_server(("0.0.0.0", int(sys.argv[1])))
print("listening", flush=True)
c, _ = s.accept()
time.sleep(600)' $((PORT + 7)) || return 1
	pid=$RX_PID
	# the sender waits for the receiver's end of the stream: a host job
	zcnic-host bg hold traffic send -a "$GUEST_V4" -p $((PORT + 7)) -n 65536 -s 3 >/dev/null
	sleep 2
	ip link set "$ifc" down
	if wait_no_detached_pools 3 >/dev/null; then
		echo "no detached pool seen while a socket held payload pages"
		rc=1
	else
		echo "seen: a pool stays detached while a socket holds its pages"
	fi
	kill "$pid"; wait "$pid" 2>/dev/null
	zcnic-host kill hold >/dev/null
	# skbs freed on another CPU than the one that received them may wait
	# in its defer list until its next NET_RX softirq: up again first
	ifc=$(zcnic_up 0) && setup >/dev/null || rc=1
	wait_no_detached_pools 20 || rc=1
	return "$rc"
}
ktap_check leak-check-sees-a-held-pool held_pool_is_seen
ktap_check no-detached-page-pools-at-end wait_no_detached_pools 20
ktap_exit
