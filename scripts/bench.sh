#!/usr/bin/env bash
# make bench: zcnic against virtio-net-pci and e1000e in one boot of one
# guest (harness/zcnic-bed bench, tests/guest/bench.sh), then the bed's own
# edit-to-result time; writes docs/benchmarks.md and docs/benchmarks.png
# (harness/bench-report.py). BENCH_MB (default 128) MiB per stream,
# BENCH_REPS (default 5) rounds; BENCH_BED_TIMES=0 skips the bed's times;
# BENCH_PROFILE=1 samples QEMU with perf (cpu-clock) for the whole run and
# adds where its time went to the report.
# Never part of make test: the figures are reported, not asserted.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_root

"$ZCNIC_TOP/scripts/host-deps.sh" --bench
mb=${BENCH_MB:-128} reps=${BENCH_REPS:-5}
[[ $mb =~ ^[0-9]+$ && $mb -ge 1 ]] || die "BENCH_MB=$mb: expected a number of MiB"
[[ $reps =~ ^[0-9]+$ && $reps -ge 1 ]] || die "BENCH_REPS=$reps: expected a number of rounds"
LOGDIR=${LOGDIR:-$ZCNIC_TOP/logs/bench-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$LOGDIR"
args=$("$ZCNIC_TOP/scripts/bed-args.sh")
eval "set -- $args"
qemu=$2

profile=()
if [ "${BENCH_PROFILE:-0}" = 1 ]; then
	command -v perf >/dev/null || die "BENCH_PROFILE=1 needs perf (Debian's linux-perf)"
	profile=(--profile "$LOGDIR/profile.txt")
fi
say "bench: $reps rounds of six $mb MiB streams and a UDP flood (logs in $LOGDIR)"
"$ZCNIC_TOP/harness/zcnic-bed" bench "$@" --mb "$mb" --reps "$reps" \
	--logdir "$LOGDIR/bed" "${ZCNIC_VFLAG[@]}" &
bed=$!
if [ ${#profile[@]} -gt 0 ]; then
	# QEMU of this run: the one whose command line names the bench's taps
	for _ in $(seq 1 300); do
		pid=$(pgrep -f -- "ifname=zctap2,.*-device e1000e" | head -n1) && break
		sleep 0.1
	done
	[ -n "${pid:-}" ] || die "BENCH_PROFILE=1: the bench's QEMU did not start"
	perf record -q -F 499 -e cpu-clock -p "$pid" -o "$LOGDIR/perf.data" \
		> "$LOGDIR/perf-record.log" 2>&1 &
fi
wait "$bed" || die "the bench run failed (logs: $LOGDIR/bed)"
if [ ${#profile[@]} -gt 0 ]; then
	wait
	perf report -i "$LOGDIR/perf.data" --stdio -n --sort symbol \
		2>/dev/null > "$LOGDIR/profile.txt" ||
		die "perf report failed (see $LOGDIR/perf-record.log)"
fi

# The bed's own: touch a driver file, then the smoke test's result
times=$LOGDIR/bed-times.tsv
: > "$times"
if [ "${BENCH_BED_TIMES:-1}" != 0 ]; then
	row=("edit a driver file → guest smoke result" "touch driver/zcnic_txrx.c; make guest-test GUEST_TESTS=smoke")
	for i in 1 2 3; do
		touch -c "$ZCNIC_TOP/driver/zcnic_txrx.c"
		t0=$(date +%s.%N)
		LEVELS=guest GUEST_TESTS=smoke LOGDIR=$LOGDIR/edit-$i "$ZCNIC_TOP/scripts/run-tests.sh" \
			> "$LOGDIR/edit-$i.out" 2>&1 || die "the smoke run failed (see $LOGDIR/edit-$i.out)"
		row+=("$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')")
	done
	(IFS=$'\t'; echo "${row[*]}") >> "$times"
fi

cpu=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
mem=$(awk '/^MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)
python3 "$ZCNIC_TOP/harness/bench-report.py" "$LOGDIR/bed/bench-raw.txt" \
	--out "$ZCNIC_TOP/docs/benchmarks.md" --png "$ZCNIC_TOP/docs/benchmarks.png" \
	--machine "host=$(. /etc/os-release; echo "$PRETTY_NAME"), Linux $(uname -r)" \
	--machine "CPU=$cpu, $(nproc) cores, $mem" \
	--machine "QEMU=$("$qemu" --version | head -n1)" \
	--command "make bench BENCH_MB=$mb BENCH_REPS=$reps$([ ${#profile[@]} -gt 0 ] && echo " BENCH_PROFILE=1")" \
	--bed-times "$times" "${profile[@]}" > "$LOGDIR/report.md"
say "bench: wrote docs/benchmarks.md and docs/benchmarks.png (raw figures: $LOGDIR/bed/bench-raw.txt)"
