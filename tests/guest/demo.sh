#!/bin/bash
# make demo: one pattern-checked TCP stream from the host into the guest,
# received through io_uring zcrx on queue 1. The verdict is "ok" only for
# a zero-copy receive by the kernel's counters and the device's (lib.sh
# zc_verdict). When zcrx cannot be set up the stream goes through plain
# recv(), which is reported as copying and fails unless DEMO_ALLOW_COPY=1.
# Reported as "# demo key=value" lines that the harness prints as a table.
# shellcheck source=harness/guest/lib.sh
. /zcnic/lib.sh

bytes=${DEMO_BYTES:-67108864}
conns=${DEMO_CONNS:-1}
port=9100
Q=1
ifc=$(zcnic_up 0) || { echo "# demo verdict=FAILED (no link)"; echo "not ok 1 demo-stream"; exit 1; }
nic_drops() {
	ethtool -S "$ifc" 2>/dev/null | awk '/rx.*(nobuf|hw_drops)/ {s += $2} END {print s + 0}'
}
field() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }

zc_setup() {
	zcrx_nic_setup "$ifc" 2 tcp4:$port:$Q && zcrx_rx -i "$ifc" -q $Q -d
} >/dev/null 2>&1

drops_before=$(nic_drops)
out=$(mktemp)
send="-a $GUEST_V4 -p $port -n $bytes -c $conns -s 42"
zc_mark $Q
if zc_setup; then
	zerocopy=1
	mode="io_uring zcrx on $ifc queue $Q (header/data split, ntuple-steered)"
	stream "$out" "$send" zcrx_rx -i "$ifc" -q $Q -p $port -n "$bytes" -c "$conns" -s 42 -t 300
else
	zerocopy=0
	mode="plain recv() on $ifc: zcrx could not be set up, every byte is copied"
	stream "$out" "$send" zcnic-traffic recv -p $port -n "$bytes" -c "$conns" -s 42 -t 300
fi
got=$(grep '^result' "$out")
echo "# demo mode=$mode"
echo "# demo sent=$(field bytes "$(cat "$out.send")")"
echo "# demo received=$(field received "$got")$(field bytes "$got")"
echo "# demo mbps=$(field MBps "$got")"
echo "# demo drops=$(( $(nic_drops) - drops_before ))"
if [ $zerocopy = 1 ]; then
	evidence=$(zc_verdict "$out")
	vrc=$?
	echo "# demo copied=$(field copy_bytes "$got") ($(head -n1 <<<"$evidence"))"
else
	vrc=1
	echo "# demo copied=all (plain recv)"
fi
if [ "$TX_RC" -ne 0 ] || [ "$RX_RC" -ne 0 ]; then
	sed 's/^/# /' "$out" "$out.send"
	echo "# demo verdict=FAILED (sender $TX_RC, receiver $RX_RC)"
	echo "not ok 1 demo-stream"
	exit 1
fi
if [ $vrc -eq 0 ]; then
	echo "# demo verdict=ok"
	echo "ok 1 demo-stream"
	exit 0
fi
tail -n1 <<<"${evidence:-verdict: copying (plain recv)}" | sed 's/^/# /'
if [ "${DEMO_ALLOW_COPY:-0}" = 1 ]; then
	echo "# demo verdict=copied (allowed by DEMO_ALLOW_COPY=1)"
	echo "ok 1 demo-stream # copying allowed"
	exit 0
fi
echo "# demo verdict=FAILED: not zero-copy (DEMO_ALLOW_COPY=1 accepts a copying receive)"
echo "not ok 1 demo-stream"
exit 1
