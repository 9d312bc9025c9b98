#!/bin/bash
# The kernel's own drivers/net selftests, unmodified, on zcnic in the loop
# topology: port 0 is NETIF, port 1 moves into netns ns-remote, as the netdev
# CI's loop setup does. KSFT_TESTS lists COLLECTION:TEST entries.
. /zcnic/lib.sh

KSFT=/zcnic/ksft
tests=${KSFT_TESTS:-drivers/net:ping.py}
set -- $tests
ktap_plan $#

if0=$(zcnic_ifname 0)
if1=$(zcnic_ifname 1)
if [ -z "$if0" ] || [ -z "$if1" ]; then
	for t in "$@"; do ktap_fail "$t # needs two zcnic ports (loop topology)"; done
	ktap_exit
fi
ip netns add ns-remote
ip link set "$if1" netns ns-remote
sysctl -qw "net.ipv6.conf.$if0.keep_addr_on_down=1"
ip addr add 192.0.2.1/24 dev "$if0"
ip addr add 2001:db8:1::1/64 dev "$if0" nodad
ip link set "$if0" up
ip -n ns-remote link set lo up
ip netns exec ns-remote sysctl -qw "net.ipv6.conf.$if1.keep_addr_on_down=1"
ip -n ns-remote addr add 192.0.2.2/24 dev "$if1"
ip -n ns-remote addr add 2001:db8:1::2/64 dev "$if1" nodad
ip -n ns-remote link set "$if1" up
for _ in $(seq 1 100); do
	[ "$(cat /sys/class/net/$if0/carrier 2>/dev/null)" = 1 ] && break
	sleep 0.1
done
ping -c 1 -W 5 192.0.2.2 >/dev/null || ktap_diag "peer not reachable yet"

export NETIF=$if0 LOCAL_V4=192.0.2.1 REMOTE_V4=192.0.2.2
export LOCAL_V6=2001:db8:1::1 REMOTE_V6=2001:db8:1::2
export REMOTE_TYPE=netns REMOTE_ARGS=ns-remote KSFT_MACHINE_SLOW=yes
export PATH=$PATH:$KSFT/net/lib
for t in "$@"; do
	coll=${t%%:*}
	prog=${t#*:}
	if [ ! -x "$KSFT/$coll/$prog" ]; then
		ktap_fail "$t # not built"
		continue
	fi
	# Per-test set-up the test expects of its machine, undone afterwards.
	undo=
	case $t in
	*rss_ctx.py)
		# the driver opens one channel per CPU (2 here); the test wants 3+
		ch=$(ethtool -l "$if0" | awk '/^Combined:/ {v = $2} END {print v}')
		ethtool -L "$if0" combined 4 && undo="ethtool -L $if0 combined $ch"
		;;
	*iou-zcrx.py)
		# zcnic has no LRO: each segment is one zcrx CQE or more, and a
		# 2 MB burst at MSS 1448 needs more than the 1024 CQEs iou-zcrx's
		# ring holds if TCG keeps the receiver off the CPU meanwhile
		# (-ENOSPC ends the test). Jumbo frames bound the burst below that.
		ip link set "$if0" mtu 9000 && ip -n ns-remote link set "$if1" mtu 9000 &&
			undo="ip link set $if0 mtu 1500 && ip -n ns-remote link set $if1 mtu 1500"
		;;
	esac
	echo "zcnic-ksft-start: $t" > /dev/kmsg
	(cd "$KSFT/$coll" && timeout -k 10 "${KSFT_TIMEOUT:-600}" "./$prog") 2>&1 | sed -u 's/^/    /'
	rc=${PIPESTATUS[0]}
	[ -n "$undo" ] && eval "$undo"
	case $rc in
	0) ktap_ok "$t" ;;
	4) ktap_skip "$t" "see its output above" ;;
	*) ktap_fail "$t # exit $rc" ;;
	esac
done
ktap_exit
