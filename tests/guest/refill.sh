#!/bin/bash
# The refill queue under stress, on a zcrx-bound zcnic queue: starvation and
# recovery (with the device dropping, and with the device holding packets so
# that nothing but the driver's own refill can restart the queue), refill
# queue overflow and flushes racing NAPI, hostile and rewritten entries, and
# a garbage-filled refill region at registration. Every case must deliver
# every byte intact with nothing copied; the runner fails the test on any
# kernel warning.
# shellcheck source=harness/guest/lib.sh
. /zcnic/lib.sh

Q=1
PORT=9400
MB=$((1 << 20))
BYTES=$((16 * MB))

ktap_plan 8
ifc=$(zcnic_up 0) || { ktap_fail setup; ktap_exit; }
setup() { zcrx_nic_setup "$ifc" 2 tcp4:"$PORT":"$Q"; }
ktap_check nic-setup setup


# run_rx OUTFILE ZCRX-OPTIONS...: one zcrx receive of BYTES from the host
run_rx() {
	local out=$1 rc
	shift
	stream "$out" "-a $GUEST_V4 -p $PORT -n $BYTES -m 1448,65536 -s 5" \
		zcrx_rx -i "$ifc" -q "$Q" -p "$PORT" -n "$BYTES" -s 5 -t 300 "$@"
	rc=$?
	sed 's/^/# /' "$out" "$out.send"
	return "$rc"
}
result() { result_field "$@"; }

# Starve: the user keeps every buffer until the kernel reports ALLOC_FAIL,
# then 500 ms more; the NIC runs dry and drops; then everything comes back.
starve_drop() {
	local out af0 af1 nb0 nb1 hd0 hd1
	out=$(mktemp)
	af0=$(qstat rx "$Q" rx-alloc-fail); nb0=$(dev_counter rx"$Q"-nobuf); hd0=$(dev_counter rx-held)
	run_rx "$out" -A 4 -W 500 || return 1
	af1=$(qstat rx "$Q" rx-alloc-fail); nb1=$(dev_counter rx"$Q"-nobuf); hd1=$(dev_counter rx-held)
	echo "# queue $Q rx-alloc-fail +$((af1 - af0)), device no-buffer drops +$((nb1 - nb0))"
	[ "$(result alloc_fail_events "$out")" = 1 ] || { echo "# expected exactly one ALLOC_FAIL event"; return 1; }
	[ $((af1 - af0)) -gt 0 ] || { echo "# rx-alloc-fail did not rise"; return 1; }
	[ $((nb1 - nb0)) -gt 0 ] || { echo "# the device dropped nothing: the queue never ran dry"; return 1; }
	# the control of the next case: dropping, the device holds nothing
	[ $((hd1 - hd0)) -eq 0 ] || { echo "# rx-held rose by $((hd1 - hd0)) with x-nobuf=drop"; return 1; }
}
ktap_check starvation-drop-and-recover starve_drop

# The same with the device holding packets instead of dropping them: no
# frame reaches the driver while it has no buffers, so only the driver's
# own refill retry (not a new packet) can restart the queue.
starve_hold() {
	local out rc held0 held1 sw0 sw1
	out=$(mktemp)
	held0=$(dev_counter rx-held) || return 1
	sw0=$(dev_counter irq"$Q"-swint) || return 1
	zcnic-host qom-set /machine/peripheral/nic0 x-nobuf '"hold"' >/dev/null || return 1
	run_rx "$out" -A 4 -W 500
	rc=$?
	zcnic-host qom-set /machine/peripheral/nic0 x-nobuf '"drop"' >/dev/null
	held1=$(dev_counter rx-held) || return 1
	sw1=$(dev_counter irq"$Q"-swint) || return 1
	echo "# the device held frames back $((held1 - held0)) times; refill retries (software interrupts): $((sw1 - sw0))"
	[ "$rc" -eq 0 ] || return 1
	# the retry came through the queue's own interrupt, and backed off:
	# 500 ms of an empty pool take about ten retries, not hundreds
	[ $((sw1 - sw0)) -ge 1 ] || { echo "# no software interrupt: what restarted the queue?"; return 1; }
	[ $((sw1 - sw0)) -le 40 ] || { echo "# the retry does not back off"; return 1; }
	[ "$(result alloc_fail_events "$out")" = 1 ] || { echo "# expected exactly one ALLOC_FAIL event"; return 1; }
	# without a held frame the queue never ran dry, and the case proved nothing
	[ $((held1 - held0)) -gt 0 ] || { echo "# rx-held did not rise: the queue never ran dry"; return 1; }
}
ktap_check starvation-hold-resumes-without-a-new-packet starve_hold

# A 64-entry refill queue overflows all the time: full queues are flushed
# with ZCRX_CTRL_FLUSH_RQ, and another thread flushes every millisecond.
overflow_flush() {
	local out
	out=$(mktemp)
	run_rx "$out" -r 64 -F 1 || return 1
	echo "# flushes when full: $(result rq_full_flushes "$out"), racing: $(result racer_flushes "$out")"
	[ "$(result rq_full_flushes "$out")" -gt 0 ] && [ "$(result racer_flushes "$out")" -gt 0 ]
}
ktap_check refill-overflow-and-racing-flush overflow_flush

hostile() {
	local out
	out=$(mktemp)
	run_rx "$out" -B || return 1
	[ "$(result bogus "$out")" -gt 0 ]
}
ktap_check hostile-refill-entries hostile
rewritten() {
	local out n
	out=$(mktemp)
	run_rx "$out" -R || return 1
	n=$(result rewrites "$out")
	echo "# entries rewritten after publication: ${n:-none reported}"
	[ "${n:-0}" -gt 0 ]
}
ktap_check refill-entries-rewritten-after-publish rewritten
# (and the control of the rewriter's count: without -R it must be 0)
dirty() {
	local out
	out=$(mktemp)
	run_rx "$out" -D || return 1
	[ "$(result rewrites "$out")" = 0 ] || { echo "# rewrites counted without a rewriter"; return 1; }
}
ktap_check dirty-refill-region-at-registration dirty

# Nothing left behind: no page pool of a closed zcrx instance lingers.
ktap_check no-detached-page-pools wait_no_detached_pools 20
ktap_exit
