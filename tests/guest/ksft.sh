#!/bin/bash
# The kernel's own drivers/net selftests, unmodified, on zcnic in the loop
# topology: port 0 is NETIF, port 1 moves into netns ns-remote, as the netdev
# CI's loop setup does. KSFT_TESTS lists COLLECTION:TEST entries.
# shellcheck source=harness/guest/lib.sh
. /zcnic/lib.sh

KSFT=/zcnic/ksft
tests=${KSFT_TESTS:-drivers/net:ping.py}
# shellcheck disable=SC2086 # split into words on purpose
set -- $tests
ktap_plan $#

if ! ksft_loop_setup; then
	for t in "$@"; do ktap_fail "$t # needs two zcnic ports (loop topology)"; done
	ktap_exit
fi
# iperf3 behind a shim that ends its SIGTERM self-deadlock (see
# harness/guest/ksft-iperf3); each one is reported with its selftest
export PATH=/zcnic/ksft-bin:$PATH:$KSFT/net/lib
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
		# A 2 MB burst must fit the test's 1024-entry CQ while TCG may
		# keep the receiver off the CPU. Hardware GRO puts a few CQEs
		# per 64 KiB instead of one per segment, but an aggregate ends
		# at every PSH or 1 ms pause, and one run in several still
		# overflowed at MTU 1500 (-ENOSPC). Jumbo frames bound the burst
		# below the CQ. With KVM the test runs as written.
		[ "${ZCNIC_ACCEL:-tcg}" = tcg ] &&
		ip link set "$if0" mtu 9000 && ip -n ns-remote link set "$if1" mtu 9000 &&
			undo="ip link set $if0 mtu 1500 && ip -n ns-remote link set $if1 mtu 1500"
		;;
	*gro_hw.py)
		# gro.c's sender is a packet socket: its frames leave on the TX
		# queue of the CPU it runs on, and under TCG the scheduler moves
		# it between the 2 vCPUs mid-burst, so frames of different flows
		# take two TX queues and can reach the receiver out of order,
		# which the order check reads as the receiving device's fault
		# (the test notes that an ECMP fabric would fail it too). All
		# CPUs on the remote's TX queue 0 (XPS) keep the wire in order.
		# Under TCG a segment takes about 0.2 ms to send, so the 512
		# flows' first segments go out over some 100 ms before their
		# second ones, and a queue can be idle for over 1 ms between
		# two: the receiving port flushes after 20 ms of silence (and at
		# 32 times that age) for this test instead of 1 ms.
		gro_to=
		if [ "${ZCNIC_ACCEL:-tcg}" = tcg ]; then
			gro_to=$(dev_counter x-gro-timeout-us) &&
				zcnic-host qom-set /machine/peripheral/nic0 x-gro-timeout-us 20000 >/dev/null ||
				{ echo "    could not set x-gro-timeout-us"; gro_to=; }
		fi
		all=$(printf %x $(( (1 << $(nproc)) - 1 )))
		undo=$(ip netns exec ns-remote sh -ec '
			for x in /sys/class/net/'"$if1"'/queues/tx-*/xps_cpus; do
				printf "echo %s > %s; " "$(cat "$x")" "$x"
				case $x in */tx-0/*) echo '"$all"' > "$x";; *) echo 0 > "$x";; esac
			done') && undo="ip netns exec ns-remote sh -c '$undo'" ||
			{ echo "    could not set the remote's XPS map"; undo=; }
		[ -n "$gro_to" ] && undo="${undo:-true}; zcnic-host qom-set /machine/peripheral/nic0 x-gro-timeout-us $gro_to >/dev/null"
		;;
	esac
	echo "zcnic-ksft-start: $t" > /dev/kmsg
	(cd "$KSFT/$coll" && timeout -k 10 "${KSFT_TIMEOUT:-600}" "./$prog") 2>&1 | sed -u 's/^/    /'
	rc=${PIPESTATUS[0]}
	if [ -s /tmp/iperf3-deadlocks ]; then
		ktap_diag "$t: iperf3 deadlocked in its SIGTERM handler $(wc -l < /tmp/iperf3-deadlocks) time(s), killed by ksft-iperf3"
		rm -f /tmp/iperf3-deadlocks
	fi
	[ -n "$undo" ] && eval "$undo"
	case $rc in
	0) ktap_ok "$t" ;;
	4) ktap_skip "$t" "see its output above" ;;
	*) ktap_fail "$t # exit $rc" ;;
	esac
done
ktap_exit
