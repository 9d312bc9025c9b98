#!/usr/bin/env bash
# make fuzz [DURATION=600]: fuzz the zcnic device with libFuzzer through
# QEMU's generic-fuzz target (a clang build with AddressSanitizer and UBSan,
# cached like the others). The fuzzer drives the device's MMIO and MSI-X
# BARs and its PCI config space, and answers every DMA read the device makes
# (descriptors, frames to send) with its own bytes. The netdev is a UDP
# socket sending to itself on loopback, so every frame the device transmits
# comes back as a received frame: fuzzed frames reach the RX parser,
# steering and split as well.
#
# The corpus is kept in $ZCNIC_CACHE/fuzz-corpus across runs. Prints the
# executions, the coverage (all of QEMU, and the device's own edges) and
# the crashes; any crash, leak or time-out fails, and its input is left in
# the log directory (reproduce: scripts/fuzz.sh --repro FILE).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_root

repro=
if [ "${1:-}" = --repro ]; then
	repro=$(readlink -f "${2:?--repro needs a file}")
	[ -f "$repro" ] || die "no such input: $2"
fi
DURATION=${DURATION:-600}
[[ $DURATION =~ ^[1-9][0-9]*$ ]] || die "DURATION=$DURATION: expected a number of seconds"

"$ZCNIC_TOP/scripts/host-deps.sh" --fuzz
bld=$("$ZCNIC_TOP/scripts/build-qemu.sh" --fuzz)
fuzzer=$bld/qemu-fuzz-x86_64

LOGDIR=${LOGDIR:-$ZCNIC_TOP/logs/fuzz-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$LOGDIR"
corpus=$ZCNIC_CACHE/fuzz-corpus/zcnic
mkdir -p "$corpus"
cache_lock fuzz-corpus
# programs that enable the queues and send a frame: where a driver starts
python3 "$ZCNIC_TOP/tests/fuzz/seeds.py" "$corpus"

# a port of our own on loopback, for the socket netdev that talks to itself
port=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export QEMU_FUZZ_ARGS="-M q35 -nodefaults -device zcnic,netdev=n0,queues=2 -netdev socket,id=n0,udp=127.0.0.1:$port,localaddr=127.0.0.1:$port"
export QEMU_FUZZ_OBJECTS=zcnic
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

if [ -n "$repro" ]; then
	say "running $repro once (QEMU_FUZZ_ARGS=$QEMU_FUZZ_ARGS)"
	exec "$fuzzer" --fuzz-target=generic-fuzz "$repro"
fi

say "fuzzing zcnic for ${DURATION}s (corpus $corpus, $(ls "$corpus" | wc -l) inputs; log $LOGDIR/fuzz.log)"
rc=0
bounded $((DURATION + 600)) "the fuzzer" \
	"$fuzzer" --fuzz-target=generic-fuzz -max_total_time="$DURATION" \
	-print_final_stats=1 -artifact_prefix="$LOGDIR/" "$corpus" \
	> "$LOGDIR/fuzz.log" 2>&1 || rc=$?

execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$LOGDIR/fuzz.log" | tail -n1)
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$LOGDIR/fuzz.log" | tail -n1)
cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$LOGDIR/fuzz.log" | tail -n1)

# the device's share: replay the corpus once and count its edges
"$fuzzer" --fuzz-target=generic-fuzz -runs=0 -print_coverage=1 "$corpus" \
	> "$LOGDIR/coverage.log" 2>&1 || true
dev_cov=$(awk '$0 ~ /hw\/net\/zcnic[a-z_]*\.c/ && !seen[$6 $7]++ {
		split($5, e, "/"); c += e[1]; t += e[2]; n++
		if ($1 == "COVERED_FUNC:") f++ }
	END { if (t) printf "%d of %d edges (%.0f%%) in %d of %d functions", c, t, 100 * c / t, f, n }' \
	"$LOGDIR/coverage.log")

found=$(cd "$LOGDIR" && ls crash-* leak-* timeout-* oom-* slow-unit-* 2>/dev/null || true)
say "fuzz: ${execs:-0} executions in ${DURATION}s (${rate:-0}/s), corpus $(ls "$corpus" | wc -l) inputs"
say "fuzz: coverage ${cov:-unknown} (all of QEMU); the zcnic device: ${dev_cov:-unknown}"
if [ -n "$found" ]; then
	say "fuzz: FOUND $(echo "$found" | wc -l): $(echo "$found" | tr '\n' ' ')(in $LOGDIR; scripts/fuzz.sh --repro FILE)"
	exit 1
fi
[ "$rc" -eq 0 ] || die "the fuzzer exited with status $rc (log: $LOGDIR/fuzz.log)"
say "fuzz: 0 crashes"
