#!/bin/bash
# liburing's zcrx example receives over a VLAN on zcnic (loop topology:
# port 1, in netns ns-remote as ksft.sh sets it up, sends): the device
# parses the 802.1Q tag, the ntuple rule still steers the flow to queue Q,
# the example binds that queue of the real device, every byte is checked
# and the kernel's copy path stays at 0 (see liburing.sh).
# shellcheck source=harness/guest/lib.sh
. /zcnic/lib.sh

Q=1
PORT=9750
BYTES=$((16 << 20))
VLAN_LOCAL=198.18.7.1
VLAN_REMOTE=198.18.7.2

ktap_plan 2
ifc=$(zcnic_ifname 0)
if1=$(zcnic_ifname 1)
[ -n "$if1" ] || ip netns exec ns-remote true 2>/dev/null ||
	{ ktap_fail "setup # needs two zcnic ports (loop topology)"; ktap_exit; }
setup() {
	if [ -n "$if1" ]; then
		ip netns add ns-remote 2>/dev/null
		ip link set "$if1" netns ns-remote || return 1
	fi
	if1=$(ip netns exec ns-remote ls /sys/class/net | grep -v '^lo$' | head -n 1)
	ip link set "$ifc" up && ip -n ns-remote link set "$if1" up &&
	ip link add link "$ifc" name vlan7 type vlan id 7 &&
	ip addr add "$VLAN_LOCAL"/24 dev vlan7 && ip link set vlan7 up &&
	ip -n ns-remote link add link "$if1" name vlan7 type vlan id 7 &&
	ip -n ns-remote addr add "$VLAN_REMOTE"/24 dev vlan7 &&
	ip -n ns-remote link set vlan7 up &&
	ntuple_clear "$ifc" && zcrx_nic_setup "$ifc" 2 tcp4:"$PORT":"$Q" &&
	ping -c 2 -W 5 "$VLAN_REMOTE" >/dev/null
}
ktap_check vlan-setup setup

SENDER="ip netns exec ns-remote zcnic-traffic send"
vlan_zc() {
	local out calls bytes
	out=$(mktemp)
	zc_mark "$Q"
	copy_probe_on || return 1
	example 0 "$VLAN_LOCAL" "$out" || { copy_probe_off >/dev/null; return 1; }
	read -r calls bytes < <(copy_probe_off)
	echo "copy path: $calls calls, $bytes bytes"
	echo "result copy_count=$calls copy_events=0" >> "$out"
	zc_verdict "$out"
}
ktap_check user-memory-vlan vlan_zc
ip link del vlan7 2>/dev/null
ip -n ns-remote link del vlan7 2>/dev/null
ktap_exit
