#!/usr/bin/env bash
# make test: build what is needed, then run every test level in turn --
# host unit tests, the device qtest, guest tests on the booted bed -- and
# finish with one "N passed, N failed[, N skipped]" line over all of them.
# A level that cannot even build counts as a failure and the rest still run.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_root

LOGDIR=${LOGDIR:-$ZCNIC_TOP/logs/test-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$LOGDIR"
LEVELS=${LEVELS:-unit qtest qtest-san lint guest guest-iommu guest-loop shell ksft ksft-inject guest-debug}
GUEST_TESTS=${GUEST_TESTS:-smoke zcrx refill lifecycle recovery liburing iommu}
# the guest tests again behind a virtual IOMMU, which iommu.sh's planted bug
# needs to show
GUEST_IOMMU_TESTS=${GUEST_IOMMU_TESTS:-smoke zcrx refill recovery liburing iommu}
# guest tests that need two zcnic ports wired back to back (loop topology):
# what the host side cannot do on every machine (802.1Q)
GUEST_LOOP_TESTS=${GUEST_LOOP_TESTS:-vlan}
KSFT_TESTS=${KSFT_TESTS:-drivers/net:ping.py drivers/net:stats.py drivers/net:queues.py drivers/net:hds.py drivers/net:ring_reconfig.py drivers/net/hw:csum.py drivers/net/hw:ntuple.py drivers/net/hw:rss_api.py drivers/net/hw:rss_ctx.py drivers/net/hw:toeplitz.py drivers/net/hw:iou-zcrx.py drivers/net/hw:devmem.py drivers/net:napi_id.py drivers/net:napi_threaded.py drivers/net/hw:irq.py drivers/net/hw:rss_input_xfrm.py drivers/net/hw:tso.py drivers/net/hw:gro_hw.py drivers/net:so_txtime.py drivers/net/hw:rss_drv.py drivers/net:netpoll_basic.py}
# selftests that need function error injection (the inject kernel: KASAN
# and lockdep under TCG are far below pp_alloc_fail.py's 4000 packets/s),
# and guest tests worth a run under KASAN, lockdep and kmemleak
KSFT_INJECT_TESTS=${KSFT_INJECT_TESTS:-drivers/net/hw:pp_alloc_fail.py}
GUEST_DEBUG_TESTS=${GUEST_DEBUG_TESTS:-smoke lifecycle recovery faults}
say "logs: $LOGDIR"

"$ZCNIC_TOP/scripts/host-deps.sh" || exit 1

. "$ZCNIC_TOP/scripts/levels.sh"

trap_interrupts

# shellcheck disable=SC2086 # split into words on purpose
set -- $LEVELS
nlevels=$#
i=0
for level in $LEVELS; do
	i=$((i + 1))
	start=$(date +%s)
	level_begin "$level"
	case $level in
	unit)
		say "[$i/$nlevels] level unit: host unit tests"
		make -s -C "$ZCNIC_TOP/tests/unit" OUT="$LOGDIR/unit-bin" run > "$LOGDIR/unit.ktap" 2>"$LOGDIR/unit.err"
		level_end unit $?
		[ -s "$LOGDIR/unit.ktap" ] || fail_level unit "unit tests did not build (see $LOGDIR/unit.err)"
		;;
	qtest)
		say "[$i/$nlevels] level qtest: the device without a guest kernel"
		if bld=$("$ZCNIC_TOP/scripts/build-qemu.sh" --qtest); then
			QTEST_QEMU_BINARY=$bld/qemu-system-x86_64 QTEST_QEMU_IMG=/bin/false \
				timeout 600 "$bld/tests/qtest/zcnic-test" --tap -k > "$LOGDIR/qtest.ktap" 2>"$LOGDIR/qtest.err"
			level_end qtest $?
			[ -s "$LOGDIR/qtest.ktap" ] || fail_level qtest "zcnic-test printed nothing (see $LOGDIR/qtest.err)"
		else
			fail_level qtest "QEMU did not build"
		fi
		;;
	shell)
		say "[$i/$nlevels] level shell: make shell driven through a pseudo-terminal"
		if args=$(bed_args); then
			eval "set -- $args"
			python3 "$ZCNIC_TOP/tests/pty/shell.py" "$ZCNIC_BED" shell "$@" \
				--logdir "$LOGDIR/shell" > "$LOGDIR/shell.ktap" 2>"$LOGDIR/shell.err"
			level_end shell $?
			[ -s "$LOGDIR/shell.ktap" ] || fail_level shell "the pty driver printed nothing (see $LOGDIR/shell.err)"
		else
			fail_level shell "the bed did not build"
		fi
		;;
	lint)
		say "[$i/$nlevels] level lint: checkpatch (kernel and QEMU), shellcheck, pyflakes"
		"$ZCNIC_TOP/scripts/lint.sh" > "$LOGDIR/lint.ktap" 2>"$LOGDIR/lint.err"
		level_end lint $?
		[ -s "$LOGDIR/lint.ktap" ] || fail_level lint "the linters did not run (see $LOGDIR/lint.err)"
		;;
	qtest-san)
		say "[$i/$nlevels] level qtest-san: the device qtest under AddressSanitizer and UBSan"
		if bld=$("$ZCNIC_TOP/scripts/build-qemu.sh" --qtest --sanitize); then
			# a report aborts QEMU (or the test), which fails the case
			ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
			UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
			QTEST_QEMU_BINARY=$bld/qemu-system-x86_64 QTEST_QEMU_IMG=/bin/false \
				timeout 900 "$bld/tests/qtest/zcnic-test" --tap -k > "$LOGDIR/qtest-san.ktap" 2>"$LOGDIR/qtest-san.err"
			level_end qtest-san $?
			[ -s "$LOGDIR/qtest-san.ktap" ] || fail_level qtest-san "zcnic-test printed nothing (see $LOGDIR/qtest-san.err)"
			# a report that did not stop the run still fails it
			grep -E '^(==[0-9]+==ERROR|SUMMARY): |runtime error: ' "$LOGDIR/qtest-san.err" >/dev/null &&
				fail_level qtest-san "sanitizer report (see $LOGDIR/qtest-san.err)"
		else
			fail_level qtest-san "the sanitizer build of QEMU did not build"
		fi
		;;
	guest)
		say "[$i/$nlevels] level guest: boot the bed and run: $GUEST_TESTS"
		run_bed guest --tests "$GUEST_TESTS" || interrupted
		;;
	ksft)
		say "[$i/$nlevels] level ksft: the kernel's drivers/net selftests on zcnic (loop topology)"
		# one guest test runs them all: its deadline covers each selftest's own
		# shellcheck disable=SC2086 # split into words on purpose
		set -- $KSFT_TESTS
		run_bed ksft --topology loop --tests ksft --env "KSFT_TESTS=$KSFT_TESTS" --prefix "ksft:" \
			--test-timeout $(( ($# + 1) * 600 )) || interrupted
		;;
	ksft-inject)
		say "[$i/$nlevels] level ksft-inject: selftests on the fault-injection kernel: $KSFT_INJECT_TESTS"
		GUEST_KERNEL=inject run_bed ksft-inject --topology loop --tests ksft \
			--env "KSFT_TESTS=$KSFT_INJECT_TESTS" --prefix "ksft:" || interrupted
		;;
	guest-iommu)
		say "[$i/$nlevels] level guest-iommu: behind a virtual IOMMU: $GUEST_IOMMU_TESTS"
		run_bed guest-iommu --tests "$GUEST_IOMMU_TESTS" --iommu || interrupted
		;;
	guest-loop)
		say "[$i/$nlevels] level guest-loop: two ports back to back: $GUEST_LOOP_TESTS"
		run_bed guest-loop --topology loop --tests "$GUEST_LOOP_TESTS" || interrupted
		;;
	guest-debug)
		say "[$i/$nlevels] level guest-debug: guest tests on the debug kernel: $GUEST_DEBUG_TESTS"
		# the debug kernel receives at about 1 MB/s under TCG
		GUEST_KERNEL=debug run_bed guest-debug --tests "$GUEST_DEBUG_TESTS" \
			--tcg-env LIFECYCLE_MB=16 --tcg-env RECOVERY_MB=8 ||
			interrupted
		;;
	*)
		die "unknown test level '$level' (unit, qtest, qtest-san, lint, shell, guest, guest-iommu, guest-loop, ksft, ksft-inject, guest-debug)"
		;;
	esac
	secs=$(( $(date +%s) - start ))
	echo "$secs" > "$LOGDIR/$level.secs"
	say "[$i/$nlevels] level $level done in ${secs}s"
done

# shellcheck disable=SC2086 # split into words on purpose
python3 "$ZCNIC_TOP/harness/summarize.py" "$LOGDIR" $LEVELS
