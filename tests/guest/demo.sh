#!/bin/bash
# make demo: one pattern-checked TCP stream from the host into the guest,
# received through io_uring zcrx on queue 1 when the NIC and kernel allow
# it, else through plain recv(). Reported as "# demo key=value" lines that
# the harness prints as a table.
. /zcnic/lib.sh

bytes=${DEMO_BYTES:-67108864}
conns=${DEMO_CONNS:-1}
port=9100
Q=1
ifc=$(zcnic_up 0) || { echo "# demo verdict=no link"; exit 1; }
nic_drops() {
	ethtool -S "$ifc" 2>/dev/null | awk '/rx.*(nobuf|hw_drops)/ {s += $2} END {print s + 0}'
}
field() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }

zc_setup() {
	zcrx_nic_setup "$ifc" 2 tcp4:$port:$Q && zcrx_rx -i "$ifc" -q $Q -d
} >/dev/null 2>&1

drops_before=$(nic_drops)
out=$(mktemp)
if zc_setup; then
	mode="io_uring zcrx on $ifc queue $Q (header/data split, ntuple-steered)"
	zcrx_rx -i "$ifc" -q $Q -p $port -n "$bytes" -c "$conns" -s 42 -t 300 > "$out" 2>&1 &
else
	mode="plain recv() on $ifc (zcrx setup unavailable: copying)"
	zcnic-traffic recv -p $port -n "$bytes" -c "$conns" -s 42 -t 300 > "$out" 2>&1 &
fi
pid=$!
for _ in $(seq 1 100); do grep -q 'listening\|result' "$out" && break; sleep 0.1; done
sent=$(zcnic-host run traffic send -a "$GUEST_V4" -p $port -n "$bytes" -c "$conns" -s 42)
src=$?
wait $pid
rrc=$?
got=$(grep '^result' "$out")
echo "# demo mode=$mode"
echo "# demo sent=$(field bytes "$sent")"
echo "# demo received=$(field received "$got")$(field bytes "$got")"
copied=$(field copy_bytes "$got")
echo "# demo copied=${copied:-all (plain recv)}"
echo "# demo mbps=$(field MBps "$got")"
echo "# demo drops=$(( $(nic_drops) - drops_before ))"
if [ $src -eq 0 ] && [ $rrc -eq 0 ]; then
	echo "# demo verdict=ok"
	echo "ok 1 demo-stream"
	exit 0
fi
sed 's/^/# /' "$out"
echo "# demo verdict=FAILED (sender $src, receiver $rrc)"
echo "not ok 1 demo-stream"
exit 1
