#!/bin/bash
# Smoke test: the driver binds, the link comes up, ping works both ways,
# and pattern-checked TCP streams cross the NIC in both directions over
# IPv4 and IPv6.
# shellcheck source=harness/guest/lib.sh
. /zcnic/lib.sh

ktap_plan 20
ifc=$(zcnic_ifname 0)
if [ -n "$ifc" ] && ethtool -i "$ifc" | grep -q '^driver: zcnic'; then
	ktap_ok "driver-bound $ifc"
else
	ktap_fail "driver-bound"
	ktap_exit
fi
ktap_check link-up zcnic_up 0
ktap_check ping-guest-to-host-v4 ping -c 3 -i 0.2 -W 5 "$HOST_V4"
ktap_check ping-guest-to-host-v6 ping -6 -c 3 -i 0.2 -W 5 "$HOST_V6"
ktap_check ping-host-to-guest-v4 zcnic-host run ping -c 3 -i 0.2 -W 5 "$GUEST_V4"

# guest -> host: the host listens, the guest sends mixed write sizes
tcp_to_host() {
	zcnic-host bg sink traffic recv -p 9001 -n 8388608 -c 2 -s 11 -t 60 || return 1
	zcnic-traffic send -a "$1" -p 9001 -n 8388608 -c 2 -m 1,100,1448,65536 -s 11 || return 1
	zcnic-host wait sink 120
}
# host -> guest: the guest listens, the host sends
tcp_to_guest() {
	local out rc
	out=$(mktemp)
	stream "$out" "-a $1 -p 9002 -n 8388608 -c 2 -m 1,1000,65536 -s 12" \
		zcnic-traffic recv -p 9002 -n 8388608 -c 2 -s 12 -t 60
	rc=$?
	cat "$out" "$out.send"
	rm -f "$out" "$out.send"
	return "$rc"
}
ktap_check tcp-guest-to-host-v4 tcp_to_host "$HOST_V4"
ktap_check tcp-host-to-guest-v4 tcp_to_guest "$GUEST_V4"
ktap_check tcp-guest-to-host-v6 tcp_to_host "$HOST_V6"
ktap_check tcp-host-to-guest-v6 tcp_to_guest "$GUEST_V6"

# Large receive (rx-gro-hw, on by default): the device takes the tap's
# offloaded TCP frames whole and the driver passes each up as one skb with
# its segment size and count (qstats rx-hw-gro-*). Off, the device asks the
# tap for no coalesced frames and the same stream arrives one frame per
# segment. Both streams pattern-checked.
dev_qstat() {
	ynl netdev --dump qstats-get --output-json \
		--json "{\"ifindex\": $(cat "/sys/class/net/$ifc/ifindex")}" |
		python3 -c 'import json, sys
print(sum(s.get(sys.argv[1], 0) for s in json.load(sys.stdin)))' "$1"
}
# gro_stream: 8 MiB host -> guest; prints "receives coalesced wire-segments"
# (rx_packets counts wire packets: a coalesced receive counts its segments)
gro_stream() {
	local out f0 g0 w0
	out=$(mktemp)
	f0=$(cat "/sys/class/net/$ifc/statistics/rx_packets")
	g0=$(dev_qstat rx-hw-gro-packets) w0=$(dev_qstat rx-hw-gro-wire-packets)
	stream "$out" "-a $GUEST_V4 -p 9003 -n 8388608 -m 65536 -s 13" \
		zcnic-traffic recv -p 9003 -n 8388608 -s 13 -t 60 >&2 ||
		{ cat "$out" "$out.send" >&2; rm -f "$out" "$out.send"; return 1; }
	rm -f "$out" "$out.send"
	local f g w
	f=$(( $(cat "/sys/class/net/$ifc/statistics/rx_packets") - f0 ))
	g=$(( $(dev_qstat rx-hw-gro-packets) - g0 ))
	w=$(( $(dev_qstat rx-hw-gro-wire-packets) - w0 ))
	echo "$((f - w + g)) $g $w"
}
large_receive() {
	local f g w segs=$((8388608 / 1448))
	ethtool -k "$ifc" | grep -q '^rx-gro-hw: on$' ||
		{ echo "rx-gro-hw is not on by default"; ethtool -k "$ifc" | grep gro; return 1; }
	[ "$(dev_counter backend-gro)" = true ] || { echo "the device did not ask the tap for coalesced frames"; return 1; }
	read -r f g w < <(gro_stream) || return 1
	echo "rx-gro-hw on: $f receives, $g of them coalesced, standing for $w segments"
	# at least 4 segments a receive on average, and far fewer frames than segments
	[ "$g" -gt 0 ] && [ "$w" -ge $((4 * g)) ] && [ "$w" -ge $((segs / 2)) ] &&
		[ "$f" -lt $((segs / 4)) ] || return 1
	ethtool -K "$ifc" rx-gro-hw off || return 1
	[ "$(dev_counter backend-gro)" = false ] || { echo "rx-gro-hw off: the tap still coalesces"; return 1; }
	read -r f g w < <(gro_stream) || return 1
	echo "rx-gro-hw off: $f receives, $g coalesced"
	ethtool -K "$ifc" rx-gro-hw on || return 1
	[ "$g" -eq 0 ] && [ "$f" -ge "$segs" ] || return 1
	[ "$(dev_counter rx-gso-drops)" = 0 ] || { echo "coalesced frames dropped: $(dev_counter rx-gso-drops)"; return 1; }
	[ "$(dev_counter backend-gro)" = true ]
}
ktap_check large-receive-rx-gro-hw large_receive

# TCP segmentation offload (tx-tcp-segmentation, on by default): the stack
# hands the driver 64 KiB frames, and the device passes them to the tap
# whole behind a virtio-net header asking for segmentation; the driver's
# qstats tx-hw-gso-* and the device's own counts of TSO frames agree. Off,
# no frame is a TSO frame. Both streams are pattern-checked by the host.
dev_tx_tso() {
	zcnic-host qom-get /machine/peripheral/nic0 stats | python3 -c '
import json, sys
st = json.loads(json.loads(sys.stdin.read()))
print(sum(q["tx"]["tso-pkts"] for q in st["queues"]))'
}
# Wait until the guest holds no data unacknowledged to port $1: the sink
# has every byte before the sender has all its ACKs, and until then the
# sender may still retransmit (a TSO frame among the counted ones).
tcp_settled() {
	local i
	for i in $(seq 1 100); do
		[ -z "$(ss -Htn state established state fin-wait-1 state closing \
			state last-ack "( dport = :$1 )")" ] && return 0
		sleep 0.1
	done
	echo "connections to port $1 still open after 10s:" >&2
	ss -tni "( dport = :$1 )" >&2
	return 1
}
# tso_stream: 8 MiB guest -> host in 64 KiB writes; prints
# "tso-frames wire-segments device-tso-frames"
tso_stream() {
	local g0 w0 d0
	g0=$(dev_qstat tx-hw-gso-packets) w0=$(dev_qstat tx-hw-gso-wire-packets)
	d0=$(dev_tx_tso) || return 1
	zcnic-host bg sink traffic recv -p 9004 -n 8388608 -s 14 -t 60 >&2 || return 1
	zcnic-traffic send -a "$HOST_V4" -p 9004 -n 8388608 -m 65536 -s 14 >&2 || return 1
	zcnic-host wait sink 120 >&2 && tcp_settled 9004 || return 1
	echo "$(( $(dev_qstat tx-hw-gso-packets) - g0 ))" \
		"$(( $(dev_qstat tx-hw-gso-wire-packets) - w0 ))" \
		"$(( $(dev_tx_tso) - d0 ))"
}
tso_tx() {
	local g w d on segs=$((8388608 / 1448))
	ethtool -k "$ifc" | grep -q '^tcp-segmentation-offload: on$' ||
		{ echo "TSO is not on by default"; ethtool -k "$ifc" | grep segmentation; return 1; }
	read -r g w d < <(tso_stream) || return 1
	on="TSO on: $g TSO frames standing for $w segments (of $segs); the device sent $d"
	# most of the stream in TSO frames of several segments each, and every
	# one of them reached the device as one
	[ "$g" -gt 0 ] && [ "$w" -ge $((2 * g)) ] && [ "$w" -ge $((segs / 2)) ] &&
		[ "$d" -eq "$g" ] || { echo "$on"; return 1; }
	# (ethtool -K lists the features that changed along with TSO)
	ethtool -K "$ifc" tso off >/dev/null || return 1
	read -r g w d < <(tso_stream) || { ethtool -K "$ifc" tso on >/dev/null; return 1; }
	ethtool -K "$ifc" tso on >/dev/null || return 1
	# (the last lines are those shown)
	echo "$on"
	echo "TSO off: $g TSO frames; the device sent $d"
	[ "$g" -eq 0 ] && [ "$d" -eq 0 ]
}
ktap_check tso-guest-to-host tso_tx

# The smallest TX ring the driver accepts must carry a stream: its queue
# stops with room for one largest frame left and must wake again.
smallest_tx_ring() {
	local ifc old rc
	ifc=$(zcnic_ifname 0)
	old=$(ethtool -g "$ifc" | awk '/^Current/ {c = 1} c && /^TX:/ {print $2; exit}')
	ethtool -G "$ifc" tx 64 || return 1
	zcnic_up 0 >/dev/null || return 1
	timeout 120 bash -c "$(declare -f tcp_to_host); tcp_to_host $HOST_V4"
	rc=$?
	ethtool -G "$ifc" tx "$old" || rc=1
	zcnic_up 0 >/dev/null || rc=1
	return "$rc"
}
ktap_check tcp-through-the-smallest-tx-ring smallest_tx_ring

# A 42-byte frame leaves the NIC padded to the 60-byte minimum: the device
# counts what it sent. (Other traffic in the same moment spoils the count:
# then the frame is sent again, at most three times.)
tx_totals() {
	zcnic-host qom-get /machine/peripheral/nic0 stats | python3 -c '
import json, sys
st = json.loads(json.loads(sys.stdin.read()))
print(sum(q["tx"]["pkts"] for q in st["queues"]), sum(q["tx"]["bytes"] for q in st["queues"]))'
}
runt_padded() {
	local ifc p0 b0 p1 b1 try
	ifc=$(zcnic_ifname 0)
	for try in 1 2 3; do
		read -r p0 b0 < <(tx_totals) || return 1
		python3 -c '
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
s.send(b"\xff" * 6 + bytes.fromhex("5254005a4302") + b"\x88\xb5" + bytes(28))' "$ifc" || return 1
		sleep 0.5
		read -r p1 b1 < <(tx_totals) || return 1
		[ $((p1 - p0)) -eq 1 ] && break
		echo "other traffic during try $try ($((p1 - p0)) frames): again"
	done
	echo "the NIC sent $((p1 - p0)) frame(s), $((b1 - b0)) bytes, for a 42-byte frame"
	[ $((p1 - p0)) -eq 1 ] && [ $((b1 - b0)) -eq 60 ]
}
ktap_check tx-pads-runts-to-60-bytes runt_padded

# Every poll has an interrupt behind it: an idle interface is not polled
# (a periodic poll would hide a lost interrupt or a missing re-arm as a
# short stall). napi:napi_poll counts the polls; a window with a few pings
# shows that the count sees them.
queue_irqs() {
	awk -v pat="$1-q" 'index($NF, pat) == 1 {
		for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i } END { print n + 0 }' \
		/proc/interrupts
}
# polls_in CMD...: polls and queue interrupts of the interface while CMD runs
polls_in() {
	local t=/sys/kernel/tracing ev i0 i1 polls
	ev=$t/events/napi/napi_poll
	[ -d "$ev" ] || mount -t tracefs nodev "$t" 2>/dev/null
	[ -d "$ev" ] || { echo "no napi:napi_poll tracepoint" >&2; return 1; }
	echo "dev_name == \"$ifc\"" >"$ev/filter" || return 1
	echo >"$t"/trace
	i0=$(queue_irqs "$ifc")
	echo 1 >"$ev/enable"
	"$@" >/dev/null
	echo 0 >"$ev/enable"
	i1=$(queue_irqs "$ifc")
	polls=$(grep -c 'napi_poll' "$t"/trace)
	echo 0 >"$ev/filter"
	echo "$polls $((i1 - i0))"
}
idle_not_polled() {
	local ifc polls irqs
	ifc=$(zcnic_ifname 0)
	read -r polls irqs < <(polls_in ping -c 3 -i 0.2 -W 5 "$HOST_V4") || return 1
	echo "with 3 pings: $polls polls, $irqs queue interrupts"
	[ "$polls" -gt 0 ] || { echo "the count saw no poll at all"; return 1; }
	read -r polls irqs < <(polls_in sleep 3) || return 1
	echo "3 s idle: $polls polls, $irqs queue interrupts"
	[ "$polls" -le "$irqs" ] || { echo "polls without an interrupt: the queues are polled on a timer"; return 1; }
}
ktap_check idle-queues-are-not-polled idle_not_polled

# What the device drops shows in the standard counters: an ntuple drop rule
# in rx_dropped, frames with no buffer (x-fault-starve) in rx_missed_errors.
link_stat() {
	ip -s -s -j link show "$1" |
		python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["stats64"]["rx"][sys.argv[1]])' "$2"
}
# udp_to_guest PORT COUNT: COUNT 64-byte datagrams from the host
udp_to_guest() {
	zcnic-host run traffic send -u -a "$GUEST_V4" -p "$1" -n "$2" -m 64 >/dev/null
}
device_drops_counted() {
	local ifc d0 d1 s0 s1 m0 m1 id
	ifc=$(zcnic_ifname 0)
	ethtool -K "$ifc" ntuple on || return 1
	id=$(ethtool -N "$ifc" flow-type udp4 dst-port 9700 action -1 | awk '{print $NF}') || return 1
	d0=$(link_stat "$ifc" dropped); s0=$(dev_counter rx0-drop-steer)
	udp_to_guest 9700 20 && sleep 0.5
	d1=$(link_stat "$ifc" dropped); s1=$(dev_counter rx0-drop-steer)
	ethtool -N "$ifc" delete "$id"
	echo "ntuple drop rule: the device dropped $((s1 - s0)), rx_dropped +$((d1 - d0))"
	[ $((s1 - s0)) -ge 20 ] || { echo "the device did not drop the frames"; return 1; }
	[ $((d1 - d0)) -ge $((s1 - s0)) ] || { echo "rx_dropped misses the device's steering drops"; return 1; }

	m0=$(link_stat "$ifc" missed_errors)
	zcnic-host qom-set /machine/peripheral/nic0 x-fault-starve true >/dev/null || return 1
	udp_to_guest 9701 20 && sleep 0.5
	zcnic-host qom-set /machine/peripheral/nic0 x-fault-starve false >/dev/null
	m1=$(link_stat "$ifc" missed_errors)
	echo "no buffers: rx_missed_errors +$((m1 - m0))"
	[ $((m1 - m0)) -ge 20 ] || { echo "rx_missed_errors misses the no-buffer drops"; return 1; }
}
ktap_check device-drops-in-standard-counters device_drops_counted

# reg IFACE OFFSET: a register as the driver's register dump shows it
reg() {
	ethtool -d "$1" raw on | python3 -c '
import struct, sys
d = sys.stdin.buffer.read(); off = int(sys.argv[1], 0)
print(struct.unpack_from("<I", d, off)[0])' "$2"
}
# each queue pair's register at OFFSET in its block: "v0 v1 ..."
qregs() {
	local q n out=
	n=$(ethtool -l "$1" | awk '/^Combined:/ {v = $2} END {print v}')
	for q in $(seq 0 $((n - 1))); do out+="$(reg "$1" $((0x1000 + 0x100 * q + $2))) "; done
	echo "$out"
}
# The private flag rx-pack restarts each RX queue through the queue API:
# RXQ_CTRL.PACK (bit 2) follows it on every queue, the carrier never drops.
rx_pack_flag() {
	local ifc cc0 cc1 v
	ifc=$(zcnic_ifname 0)
	ethtool --show-priv-flags "$ifc" | grep -q '^rx-pack *: on$' || { ethtool --show-priv-flags "$ifc"; return 1; }
	cc0=$(cat /sys/class/net/"$ifc"/carrier_changes)
	ethtool --set-priv-flags "$ifc" rx-pack off || return 1
	echo "rx-pack off: RXQ_CTRL $(qregs "$ifc" 0)"
	for v in $(qregs "$ifc" 0); do [ $((v & 4)) -eq 0 ] || return 1; done
	ping -c 2 -i 0.2 -W 5 "$HOST_V4" >/dev/null || { echo "no traffic after the restart"; return 1; }
	ethtool --set-priv-flags "$ifc" rx-pack on || return 1
	echo "rx-pack on: RXQ_CTRL $(qregs "$ifc" 0)"
	for v in $(qregs "$ifc" 0); do [ $((v & 5)) -eq 5 ] || return 1; done
	cc1=$(cat /sys/class/net/"$ifc"/carrier_changes)
	[ "$cc0" = "$cc1" ] || { echo "the carrier changed: the interface was restarted"; return 1; }
}
ktap_check rx-pack-private-flag rx_pack_flag

# pool_ids IFACE: the ids of the interface's page pools in use, sorted
pool_ids() {
	ynl netdev --dump page-pool-get --output-json | python3 -c '
import json, sys
print(" ".join(sorted(str(p["id"]) for p in json.load(sys.stdin)
                      if p.get("ifindex") == int(sys.argv[1]) and "detach-time" not in p)))' \
		"$(cat /sys/class/net/"$1"/ifindex)"
}
# tcp-data-split and hds-thresh change on the running rings (RXQ_CTRL.HDS,
# RXQ_HDS_THRESH at 0x0c): no queue restarts, so a memory provider's queue
# would keep receiving; the page pools stay the same ones. A ring size
# change does replace them (which shows the check sees restarts), with the
# new rings allocated before the old ones stop: the carrier stays up.
hds_live() {
	local ifc cc0 cc1 p0 p1 p2 rx v
	ifc=$(zcnic_ifname 0)
	cc0=$(cat /sys/class/net/"$ifc"/carrier_changes)
	p0=$(pool_ids "$ifc")
	[ -n "$p0" ] || { echo "no page pools"; return 1; }
	ethtool -G "$ifc" tcp-data-split off hds-thresh 100 || return 1
	echo "split off, threshold 100: RXQ_CTRL $(qregs "$ifc" 0), RXQ_HDS_THRESH $(qregs "$ifc" 12)"
	for v in $(qregs "$ifc" 0); do [ $((v & 3)) -eq 1 ] || return 1; done
	for v in $(qregs "$ifc" 12); do [ "$v" -eq 100 ] || return 1; done
	tcp_to_guest "$GUEST_V4" || return 1
	ethtool -G "$ifc" tcp-data-split on hds-thresh 0 || return 1
	echo "split on, threshold 0: RXQ_CTRL $(qregs "$ifc" 0), RXQ_HDS_THRESH $(qregs "$ifc" 12)"
	for v in $(qregs "$ifc" 0); do [ $((v & 3)) -eq 3 ] || return 1; done
	for v in $(qregs "$ifc" 12); do [ "$v" -eq 0 ] || return 1; done
	p1=$(pool_ids "$ifc")
	echo "page pools before: $p0; after: $p1"
	[ "$p0" = "$p1" ] || { echo "the split settings restarted the queues"; return 1; }

	rx=$(ethtool -g "$ifc" | awk '/^RX:/ {v = $2} END {print v}')
	ethtool -G "$ifc" rx $((rx / 2)) && ethtool -G "$ifc" rx "$rx" || return 1
	p2=$(pool_ids "$ifc")
	echo "after a ring size change and back: $p2"
	[ "$p2" != "$p0" ] || { echo "a ring size change kept the page pools"; return 1; }
	ping -c 2 -i 0.2 -W 5 "$HOST_V4" >/dev/null || { echo "no traffic after the ring change"; return 1; }
	cc1=$(cat /sys/class/net/"$ifc"/carrier_changes)
	[ "$cc0" = "$cc1" ] || { echo "the carrier changed $((cc1 - cc0)) times"; return 1; }
}
ktap_check split-settings-change-live hds_live

# ethtool -C rx-usecs sets every queue pair's QP_IRQ_ITR (0x68), and the
# device keeps to it: with 50 ms, no queue pair interrupts more than 20
# times a second, while the same stream without moderation does.
irqs_sent() {
	zcnic-host qom-get /machine/peripheral/nic0 stats | python3 -c '
import json, sys
print(sum(q["irq"]["sent"] for q in json.loads(json.loads(sys.stdin.read()))["queues"]))'
}
# stream_irqs: "N SECS": queue interrupts (all pairs) during 8 MiB, and
# the time the stream took
stream_irqs() {
	local out i0 i1 secs
	out=$(mktemp)
	i0=$(irqs_sent)
	stream "$out" "-a $GUEST_V4 -p 9003 -n 8388608 -m 65536 -s 15" \
		zcnic-traffic recv -p 9003 -n 8388608 -s 15 -t 120 || { cat "$out" "$out.send" >&2; return 1; }
	i1=$(irqs_sent)
	secs=$(sed -n 's/^result .*secs=\([0-9.]*\).*/\1/p' "$out" | tail -n1)
	echo "$((i1 - i0)) $secs"
}
# allowed NQ SECS: most interrupts 50 ms moderation lets NQ pairs send in
# SECS (the first of each pair is never deferred)
allowed() { awk -v q="$1" -v s="$2" 'BEGIN { printf "%d\n", q * (s * 20 + 2) }'; }
coalescing() {
	local ifc v n0 s0 n1 s1 nq
	ifc=$(zcnic_ifname 0)
	nq=$(ethtool -l "$ifc" | awk '/^Combined:/ {v = $2} END {print v}')
	ethtool -C "$ifc" rx-usecs 50000 || return 1
	[ "$(ethtool -c "$ifc" | awk '$1 == "rx-usecs:" {print $2}')" = 50000 ] ||
		{ ethtool -c "$ifc"; return 1; }
	echo "rx-usecs 50000: QP_IRQ_ITR $(qregs "$ifc" 0x68)"
	for v in $(qregs "$ifc" 0x68); do [ "$v" -eq 50000 ] || return 1; done
	read -r n1 s1 < <(stream_irqs) || return 1
	ethtool -C "$ifc" rx-usecs 0 || return 1
	for v in $(qregs "$ifc" 0x68); do [ "$v" -eq 0 ] || return 1; done
	read -r n0 s0 < <(stream_irqs) || return 1
	echo "queue interrupts for 8 MiB: $n0 in ${s0}s without moderation, $n1 in ${s1}s with 50 ms"
	[ "$n1" -le "$(allowed "$nq" "$s1")" ] || { echo "the device interrupted more often than rx-usecs allows"; return 1; }
	# a kernel too slow to interrupt often even without moderation (the
	# debug kernel) cannot show it: a skip, on the expected list for it only
	[ "$n0" -gt "$(allowed "$nq" "$s0")" ] || { echo "without moderation no more interrupts than 50 ms allows"; return 99; }
	# the register has 16 bits
	! ethtool -C "$ifc" rx-usecs 70000 2>/dev/null || { echo "rx-usecs 70000 accepted"; return 1; }
}
coal_out=$(coalescing 2>&1); coal_rc=$?
case $coal_rc in
0)	printf '%s\n' "$coal_out" | tail -n 3 | sed 's/^/# /'; ktap_ok interrupt-moderation;;
99)	printf '%s\n' "$coal_out" | tail -n 3 | sed 's/^/# /'
	ktap_skip interrupt-moderation "the stream is too slow here to show moderation";;
*)	ktap_fail interrupt-moderation; printf '%s\n' "$coal_out" | tail -n 5 | sed 's/^/# /';;
esac

# Adaptive moderation (ethtool adaptive-rx, off by default): DIM sets each
# queue pair's QP_IRQ_ITR from its RX profile while traffic flows. The
# profile is set to values nothing else uses, so an interval from it can
# only be DIM's; the streams above, without it, left every pair at
# rx-usecs, and so does turning it off again. The profile is set through
# the ethtool netlink family, which the core serves under rtnl for this
# driver (ETHTOOL_OP_NEEDS_RTNL_SCOALESCE): without it the debug kernel's
# lockdep reported the core's rtnl_dereference() of the profile.
adaptive_run() {
	local v moved=0
	ethtool -C "$ifc" rx-usecs 3 || return 1
	# the profile through the ethtool netlink family (ethtool itself
	# prints it but cannot set it)
	ynl ethtool --do coalesce-set --json "{\"header\": {\"dev-name\": \"$ifc\"},
		\"use-adaptive-rx\": 1, \"rx-profile\": {\"irq-moderation\":
		[{\"usec\": 2}, {\"usec\": 9}, {\"usec\": 65}, {\"usec\": 129}, {\"usec\": 257}]}}" ||
		return 1
	ethtool -c "$ifc" | grep -q '^Adaptive RX: *on' || { ethtool -c "$ifc"; return 1; }
	echo "adaptive-rx on: QP_IRQ_ITR $(qregs "$ifc" 0x68) before the flood"
	for v in $(qregs "$ifc" 0x68); do [ "$v" -eq 3 ] || return 1; done
	# DIM samples when a poll completes: paced traffic (500 pings a second)
	# lets every kernel complete polls; a flood that keeps even the debug
	# kernel polling without a break gives it no sample at all
	zcnic-host run ping -q -c 1500 -i 0.002 "$GUEST_V4" >/dev/null || return 1
	sleep 0.5
	echo "after 1500 pings: QP_IRQ_ITR $(qregs "$ifc" 0x68)"
	for v in $(qregs "$ifc" 0x68); do
		case $v in
		3)	;;
		2|9|65|129|257)	moved=$((moved + 1));;
		*)	echo "interval $v is neither rx-usecs nor from the profile"; return 1;;
		esac
	done
	ethtool -C "$ifc" adaptive-rx off || return 1
	echo "adaptive-rx off: QP_IRQ_ITR $(qregs "$ifc" 0x68)"
	for v in $(qregs "$ifc" 0x68); do [ "$v" -eq 3 ] || return 1; done
	[ "$moved" -gt 0 ] || { echo "DIM set no interval"; return 1; }
}
adaptive() {
	local ifc rc
	ifc=$(zcnic_ifname 0)
	adaptive_run
	rc=$?
	ethtool -C "$ifc" adaptive-rx off rx-usecs 0 || rc=1
	return "$rc"
}
ktap_check adaptive-interrupt-moderation adaptive

# pktgen sends bursts of 4 with xmit_more on the first 3; the driver drops
# the last of every burst (debugfs tx_drop). The 3 before it must still
# reach the wire: the drop rings the doorbell they were waiting for.
xmit_more_drop() {
	local ifc dbg pg t0 t1 d0 d1 bql bql0
	ifc=$(zcnic_ifname 0)
	dbg=/sys/kernel/debug/zcnic/$(basename "$(readlink -f /sys/class/net/"$ifc"/device)")
	modprobe pktgen || return 1
	pg=/proc/net/pktgen
	echo rem_device_all > "$pg"/kpktgend_0
	echo "add_device $ifc" > "$pg"/kpktgend_0
	for c in "count 40" "burst 4" "pkt_size 100" "delay 0" "dst $HOST_V4" \
		"dst_mac ff:ff:ff:ff:ff:ff" "queue_map_min 1" "queue_map_max 1"; do
		echo "$c" > "$pg/$ifc" || { echo "pktgen: $c refused"; return 1; }
	done
	# a byte queue limit that never stops the queue: a stop rings the
	# doorbell too (__netdev_tx_sent_queue), which would hide a missing one
	bql=/sys/class/net/$ifc/queues/tx-1/byte_queue_limits/limit_min
	bql0=$(cat "$bql") && echo 1000000 > "$bql" || return 1
	echo 10 > "$dbg/tx_drop"
	t0=$(dev_counter tx1-pkts); d0=$(nic_stat tx1_dropped)
	# pktgen returns once the driver has taken every frame; the device
	# sends at the doorbell, so the count is read at once (later, any
	# other frame on the queue would ring the doorbell for them)
	# (pktgen waits for its frames to complete before it reuses the skb:
	# frames that never got a doorbell would keep it waiting)
	timeout 20 sh -c "echo start > $pg/pgctrl" || echo "pktgen did not finish within 20 s"
	t1=$(dev_counter tx1-pkts); d1=$(nic_stat tx1_dropped)
	echo stop > "$pg"/pgctrl
	echo rem_device_all > "$pg"/kpktgend_0
	echo "$bql0" > "$bql"
	echo "pktgen: 10 bursts of 4; the driver dropped $((d1 - d0)), the device sent $((t1 - t0))"
	[ $((d1 - d0)) -eq 10 ] || { echo "the knob did not drop the last frame of every burst"; return 1; }
	[ $((t1 - t0)) -ge 30 ] || { echo "frames before a dropped last frame never got their doorbell"; return 1; }
}
if modprobe -n -q pktgen; then
	ktap_check xmit-more-batch-with-a-dropped-last-frame xmit_more_drop
else
	ktap_skip xmit-more-batch-with-a-dropped-last-frame "no pktgen in this kernel"
fi
ktap_exit
