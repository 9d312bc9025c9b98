#!/bin/bash
# make demo: one pattern-checked TCP stream from the host into the guest,
# reported as "# demo key=value" lines that the harness prints as a table.
. /zcnic/lib.sh

bytes=${DEMO_BYTES:-67108864}
conns=${DEMO_CONNS:-1}
ifc=$(zcnic_up 0) || { echo "# demo verdict=no link"; exit 1; }
drops_before=$(ethtool -S "$ifc" 2>/dev/null | awk '/rx_hw_drops|rx_nobuf/ {s += $2} END {print s + 0}')
start_sink -p 9100 -n "$bytes" -c "$conns" -s 42 -t 120 || { echo "# demo verdict=sink did not start"; exit 1; }
sent=$(zcnic-host run traffic send -a "$GUEST_V4" -p 9100 -n "$bytes" -c "$conns" -s 42)
src=$?
wait "$ZC_SINK_PID"
rrc=$?
got=$(grep '^result' "$ZC_SINK_OUT")
drops_after=$(ethtool -S "$ifc" 2>/dev/null | awk '/rx_hw_drops|rx_nobuf/ {s += $2} END {print s + 0}')
field() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }
echo "# demo mode=plain recv() on zcnic queue 0 (copying)"
echo "# demo sent=$(field bytes "$sent")"
echo "# demo received=$(field bytes "$got")"
echo "# demo mbps=$(field MBps "$got")"
echo "# demo drops=$((drops_after - drops_before))"
if [ $src -eq 0 ] && [ $rrc -eq 0 ]; then
	echo "# demo verdict=ok"
	echo "ok 1 demo-stream"
	exit 0
fi
cat "$ZC_SINK_OUT" | sed 's/^/# /'
echo "# demo verdict=FAILED (sender $src, receiver $rrc)"
echo "not ok 1 demo-stream"
exit 1
