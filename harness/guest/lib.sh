# Shell helpers for the zcnic guest runner and for shell-written guest
# tests. Sourced.
# shellcheck shell=bash

ZC_CTL_DEV=/dev/ttyS1

# Write one protocol line to the control port.
ctl() {
	if [ -n "${ZC_CTL:-}" ]; then
		printf '%s\n' "$*" >&"$ZC_CTL"
	else
		printf '%s\n' "$*" > "$ZC_CTL_DEV"
	fi
}

# Kernel log lines after MARKER that fail a test: the host's list
# (harness/kernel-log-patterns), comments and blank lines left out.
kernel_problems_since() {
	local pat=/tmp/.zcnic-kernel-patterns
	[ -s "$pat" ] || grep -Ev '^(#|$)' /zcnic/kernel-log-patterns > "$pat" ||
		{ echo "kernel_problems_since: no pattern list in /zcnic"; return; }
	dmesg --notime 2>/dev/null | awk -v m="$1" 'index($0, m) { on = 1; next } on' |
		grep -E -f "$pat" || true
}

# The interface the zcnic driver bound, N-th (0-based) by PCI address.
zcnic_ifname() {
	local want=${1:-0} i=0 d
	for d in $(ls -d /sys/bus/pci/drivers/zcnic/0000:* 2>/dev/null | sort); do
		if [ "$i" -eq "$want" ]; then
			ls "$d/net" 2>/dev/null | head -n1
			return
		fi
		i=$((i + 1))
	done
}

# KTAP helpers for shell tests: plan N, then ok/fail/skip per subtest.
ZC_T=0
ZC_FAILED=0
ktap_plan() { echo "KTAP version 1"; echo "1..$1"; }
ktap_ok() { ZC_T=$((ZC_T + 1)); echo "ok $ZC_T $*"; }
ktap_fail() { ZC_T=$((ZC_T + 1)); ZC_FAILED=$((ZC_FAILED + 1)); echo "not ok $ZC_T $*"; }
ktap_skip() { ZC_T=$((ZC_T + 1)); echo "ok $ZC_T $1 # SKIP ${*:2}"; }
ktap_diag() { echo "# $*"; }
# check NAME CMD...: run CMD, one subtest result from its status
ktap_check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		printf '%s\n' "$out" | grep -v '^$' | tail -n 3 | sed 's/^/# /'
		ktap_ok "$name"
	else
		ktap_fail "$name"
		printf '%s\n' "$out" | tail -n 5 | sed 's/^/# /'
	fi
}
ktap_exit() { [ "$ZC_FAILED" -eq 0 ] && exit 0; exit 1; }

# Bring zcnic port N up with the test addresses (idempotent). Prints the
# interface name; fails if the driver bound nothing or the link stays down.
zcnic_up() {
	local ifc i
	ifc=$(zcnic_ifname "${1:-0}")
	[ -n "$ifc" ] || { echo "no zcnic interface" >&2; return 1; }
	ip link set "$ifc" up
	for i in $(seq 1 100); do
		[ "$(cat "/sys/class/net/$ifc/carrier" 2>/dev/null)" = 1 ] && break
		sleep 0.1
	done
	[ "$(cat "/sys/class/net/$ifc/carrier" 2>/dev/null)" = 1 ] ||
		{ echo "$ifc: no carrier after 10s" >&2; return 1; }
	ip addr replace "$GUEST_V4/24" dev "$ifc"
	ip addr replace "$GUEST_V6/64" dev "$ifc" nodad
	echo "$ifc"
}

# Receivers in the guest (zcrx_rx, zcnic-traffic recv) print "listening"
# once their socket listens, and a "result ..." line at the end.
#
# rx_start OUT RECEIVER...: start RECEIVER in the background (RX_PID), its
# output in OUT, and wait up to 30 s until it listens. Fails, showing its
# output, if it exits first or never listens.
rx_start() {
	local out=$1 i
	shift
	"$@" > "$out" 2>&1 &
	RX_PID=$!
	for i in $(seq 1 300); do
		grep -q '^listening' "$out" && return 0
		kill -0 "$RX_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "receiver never listened: $*"
	sed 's/^/  /' "$out"
	kill -9 "$RX_PID" 2>/dev/null
	wait "$RX_PID" 2>/dev/null
	return 1
}

# rx_wait [SECS]: wait at most SECS (default 360) for the receiver of
# rx_start; returns its exit status, or 124 after killing it
rx_wait() {
	local secs=${1:-360} i
	for i in $(seq 1 $((secs * 10))); do
		kill -0 "$RX_PID" 2>/dev/null || { wait "$RX_PID"; return; }
		sleep 0.1
	done
	echo "receiver still running after ${secs}s: killed"
	kill -9 "$RX_PID" 2>/dev/null
	wait "$RX_PID" 2>/dev/null
	return 124
}

# stream OUT "SEND-OPTIONS" RECEIVER...: the common case from end to end:
# start RECEIVER, have the host send (zcnic-traffic send SEND-OPTIONS), wait
# for the receiver. 0 only if both ends succeeded; RX_RC and TX_RC keep
# their statuses, OUT the receiver's output and OUT.send the sender's.
stream() {
	local out=$1 send=$2
	shift 2
	RX_RC=1 TX_RC=1
	rx_start "$out" "$@" || return 1
	# shellcheck disable=SC2086
	zcnic-host run traffic send $send > "$out.send" 2>&1
	TX_RC=$?
	rx_wait
	RX_RC=$?
	[ "$RX_RC" -eq 0 ] && [ "$TX_RC" -eq 0 ]
}

# result_field NAME FILE: a field of the receiver's last "result" line
result_field() {
	sed -n "s/^result .*\b$1=\([^ ]*\).*/\1/p" "$2" | tail -n 1
}

# The zero-copy verdict of one receive through zcrx on queue Q of nic0,
# from the kernel's counters and the device's together: the kernel counts
# what zcrx copied, the device says whether the NIC split the payload off
# at all. Each half is checked on its own and can fail the verdict alone.
#
# zc_mark Q: remember the device's queue-Q counters before a receive
zc_mark() {
	ZC_Q=$1
	ZC_DATA0=$(dev_counter "rx$1-data") && ZC_SPLIT0=$(dev_counter "rx$1-split")
}
# zc_verdict OUT: after the receive whose receiver wrote OUT: prints the
# evidence, returns 0 for "zero-copy", 1 for "copying", 2 when the streams
# never crossed the queue. Zero-copy needs copy_count 0, no copy event, and
# at least 99 % of the data frames (TCP/UDP with payload: handshakes and
# pure ACKs do not count) split at the payload.
zc_verdict() {
	local out=$1 data split copies events
	data=$(( $(dev_counter "rx$ZC_Q-data") - ZC_DATA0 ))
	split=$(( $(dev_counter "rx$ZC_Q-split") - ZC_SPLIT0 ))
	copies=$(result_field copy_count "$out")
	events=$(result_field copy_events "$out")
	echo "queue $ZC_Q: $split of $data data frames split; kernel copy_count=${copies:-?} copy_events=${events:-?}"
	if [ "$data" -le 0 ]; then
		echo "verdict: no data frame crossed queue $ZC_Q"
		return 2
	fi
	local why=()
	if [ -z "$copies" ] || [ "$copies" != 0 ] || [ "${events:-1}" != 0 ]; then
		why+=("the kernel copied")
	fi
	if [ $((split * 100)) -lt $((data * 99)) ]; then
		why+=("$((data - split)) data frames were not split at the payload")
	fi
	if [ ${#why[@]} -gt 0 ]; then
		local IFS=";"
		echo "verdict: copying (${why[*]})"
		return 1
	fi
	echo "verdict: zero-copy"
	return 0
}

# nic_stat NAME: a counter of the test's interface ($ifc) in ethtool -S
nic_stat() { ethtool -S "$ifc" | awk -v k="$1:" '$1 == k {print $2}'; }

# A counter of the zcnic device as the host sees it (QOM property of nic0,
# or of NIC when given), e.g. dev_counter rx1-bytes.
dev_counter() {
	local v
	v=$(zcnic-host qom-get "/machine/peripheral/${2:-nic0}" "$1") || return 1
	echo "${v//\"/}"
}

# YNL from the kernel's selftests (in /zcnic/ksft when the run carries it).
ynl() {
	python3 /zcnic/ksft/net/lib/ynl/pyynl/cli.py --no-schema \
		--spec "/zcnic/ksft/net/lib/specs/$1.yaml" "${@:2}"
}

# qstat TYPE Q KEY: a counter of queue Q (TYPE rx or tx) of $ifc in the
# netlink queue statistics, e.g. qstat rx 1 rx-alloc-fail (0 if not reported)
qstat() {
	ynl netdev --dump qstats-get --output-json \
		--json "{\"ifindex\": $(cat /sys/class/net/$ifc/ifindex), \"scope\": \"queue\"}" |
		python3 -c '
import json, sys
t, q, k = sys.argv[1:]
print(sum(s.get(k, 0) for s in json.load(sys.stdin)
          if s["queue-type"] == t and s["queue-id"] == int(q)))' "$@"
}

# A freed skb goes back to the CPU that allocated it (the one whose NAPI
# received it) on a per-CPU list that is emptied the next time that CPU
# runs the network receive softirq. An idle NIC runs none, so its pages stay
# held. A loopback packet sent from every CPU runs the softirq everywhere.
flush_deferred_skbs() {
	local c
	for c in $(seq 0 $(($(nproc) - 1))); do
		taskset -c "$c" ping -c 1 -W 1 127.0.0.1 >/dev/null 2>&1
	done
}

# Wait up to SECS for every detached page pool to go away; list the ones
# that stay. A pool stays detached while something still holds its pages.
# Pages on the per-CPU deferred-free lists are not held by anyone: after
# 2 s they are flushed (and the run says so).
wait_no_detached_pools() {
	local i json left
	for i in $(seq 1 "${1:-10}"); do
		if [ "$i" -eq 3 ] && [ -n "$left" ]; then
			echo "pools $left still detached after 2s: flushing the per-CPU deferred skb frees"
			flush_deferred_skbs
		fi
		json=$(ynl netdev --dump page-pool-get --output-json) ||
			{ echo "ynl page-pool-get failed"; return 1; }
		left=$(python3 -c '
import json, sys
pools = json.load(sys.stdin)
print(" ".join(str(p["id"]) for p in pools if "detach-time" in p))' <<<"$json") ||
			{ echo "unreadable page-pool-get output: $json"; return 1; }
		if [ -z "$left" ]; then
			echo "$(grep -o '"id"' <<<"$json" | wc -l) page pools, none detached"
			return 0
		fi
		sleep 1
	done
	echo "page pools still detached after ${1:-10}s: $left"
	echo "$json"
	return 1
}

# Is RX queue Q of IFNAME bound to an io_uring zcrx instance (netlink
# queue-get shows an io-uring nest)?
queue_bound() {
	local ifindex
	ifindex=$(cat "/sys/class/net/$1/ifindex") || return 2
	ynl netdev --do queue-get --json "{\"ifindex\": $ifindex, \"id\": $2, \"type\": \"rx\"}" \
		--output-json | grep -q '"io-uring"'
}

# Wait up to SECS for queue Q of IFNAME to be unbound.
wait_queue_unbound() {
	local i
	for i in $(seq 1 $((${3:-10} * 10))); do
		queue_bound "$1" "$2" || return 0
		sleep 0.1
	done
	echo "$1 queue $2 still bound after ${3:-10}s"
	return 1
}

# zcrx_nic_setup IFNAME CHANNELS [FLOW-TYPE:PORT:QUEUE...]: what zcrx asks of
# the NIC: CHANNELS combined channels, header/data split with threshold 0,
# RSS kept on queue 0, and ntuple rules steering each dst port to its queue.
# ntuple_clear IFACE: delete every ntuple rule (a test starts from none)
ntuple_clear() {
	local id
	for id in $(ethtool -n "$1" 2>/dev/null | awk '$1 == "Filter:" {print $2}'); do
		ethtool -N "$1" delete "$id" || return 1
	done
}

zcrx_nic_setup() {
	local ifc=$1 r ft port q
	ethtool -L "$ifc" combined "$2" &&
	ethtool -G "$ifc" tcp-data-split on hds-thresh 0 &&
	ethtool -X "$ifc" equal 1 &&
	ethtool -K "$ifc" ntuple on || return 1
	for r in "${@:3}"; do
		IFS=: read -r ft port q <<<"$r"
		ethtool -N "$ifc" flow-type "$ft" dst-port "$port" action "$q" || return 1
	done
}

# liburing's zcrx example as an outside receiver, and a count of the
# kernel's zcrx copies (liburing.sh, vlan.sh; they set ifc, Q, PORT, BYTES).
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

# example AREA-TYPE ADDR OUT: one receive of BYTES by liburing's
# examples/zcrx.c on queue Q of $ifc, port PORT, from SENDER (zcnic-traffic
# send on the host unless set) to ADDR; 0 when it received and checked them
# all. It listens before it registers its zcrx instance, so the sender
# starts only once the queue shows as bound.
example() {
	local area=$1 addr=$2 out=$3 pid i rc=0
	# (line-buffered: it is killed, not left to exit)
	stdbuf -oL liburing-zcrx -i "$ifc" -q $Q -p $PORT -s $BYTES -v -A "$area" -S $((32 << 20)) -R 4096 \
		> "$out" 2>&1 &
	pid=$!
	for i in $(seq 1 100); do
		queue_bound "$ifc" $Q && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	queue_bound "$ifc" $Q || { echo "the example never bound queue $Q"; cat "$out"; kill $pid 2>/dev/null; return 1; }
	${SENDER:-zcnic-host run traffic send} -a "$addr" -p $PORT -n $BYTES -m 65536 -A > "$out.send" 2>&1 || rc=1
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

# ksft_loop_setup: the loop topology as the kernel's drivers/net selftests
# want it (and the netdev CI's loop setup has it): port 0 is NETIF in this
# namespace, port 1 moves into netns ns-remote; sets if0 and if1 and exports
# the selftests' variables. Fails without two zcnic ports. The IPv4 subnet
# is TEST-NET-2: the selftests put the inner ends of tunnels (tso.py) and
# netdevsim in 192.0.2.0/24 (NetDrvEpEnv.nsim_v4_pfx), where a port's own
# route would win and the traffic would not go through the tunnel.
ksft_loop_setup() {
	if0=$(zcnic_ifname 0)
	if1=$(zcnic_ifname 1)
	[ -n "$if0" ] && [ -n "$if1" ] || return 1
	ip netns add ns-remote
	ip link set "$if1" netns ns-remote
	sysctl -qw "net.ipv6.conf.$if0.keep_addr_on_down=1"
	ip addr add 198.51.100.1/24 dev "$if0"
	ip addr add 2001:db8:1::1/64 dev "$if0" nodad
	ip link set "$if0" up
	ip -n ns-remote link set lo up
	ip netns exec ns-remote sysctl -qw "net.ipv6.conf.$if1.keep_addr_on_down=1"
	ip -n ns-remote addr add 198.51.100.2/24 dev "$if1"
	ip -n ns-remote addr add 2001:db8:1::2/64 dev "$if1" nodad
	ip -n ns-remote link set "$if1" up
	for _ in $(seq 1 100); do
		[ "$(cat "/sys/class/net/$if0/carrier" 2>/dev/null)" = 1 ] && break
		sleep 0.1
	done
	ping -c 1 -W 5 198.51.100.2 >/dev/null || ktap_diag "peer not reachable yet"

	export NETIF=$if0 LOCAL_V4=198.51.100.1 REMOTE_V4=198.51.100.2
	export LOCAL_V6=2001:db8:1::1 REMOTE_V6=2001:db8:1::2
	export REMOTE_TYPE=netns REMOTE_ARGS=ns-remote
	# the selftests' allowance for slow machines: TCG is one, KVM is not
	[ "${ZCNIC_ACCEL:-tcg}" = tcg ] && export KSFT_MACHINE_SLOW=yes
	return 0
}
