# zcnic: one entry point. `make test` and `make demo` install and build
# everything they need; see README.md.
SHELL := /bin/bash
export ZCNIC_TOP := $(CURDIR)
export ZCNIC_CACHE ?= $(HOME)/.cache/zcnic
export ZCNIC_V ?= $(V)
export MAKE_TARGET = $(firstword $(MAKECMDGOALS))
S := $(CURDIR)/scripts

.PHONY: bench run shell ksft-table all deps qemu qtest-build rootfs kernel driver guest-bins unit qtest qtest-san lint guest-test test demo fuzz clean distclean help

all: qemu driver guest-bins

help:
	@echo "make test        build everything, run unit, qtest, guest and selftest levels"
	@echo "make demo        boot the bed and stream checked TCP into the guest"
	@echo "make guest-test  GUEST_TESTS='smoke' -- only the guest level"
	@echo "make run         CMD='ethtool -l eth0' [TOPOLOGY=loop] -- one command in a fresh guest"
	@echo "make shell       [TOPOLOGY=loop] -- a root shell in a fresh guest (exit powers it off)"
	@echo "make ksft-table  run the kernel selftests on zcnic, update README.md's table"
	@echo "make fuzz        DURATION=600 -- fuzz the device (libFuzzer, ASan, UBSan)"
	@echo "make bench       BENCH_MB=128 BENCH_REPS=5 -- zcnic vs virtio-net and e1000e, docs/benchmarks.md"
	@echo "make lint        checkpatch (kernel, QEMU), shellcheck, pyflakes"
	@echo "make unit | qtest | qtest-san | qemu | rootfs | kernel | driver | guest-bins | clean"
	@echo "variables: ZCNIC_CACHE, QEMU_SRC, GUEST_KVER, KERNEL_SRC, GUEST_KERNEL=stock|debug|inject, ZCNIC_ACCEL=auto|kvm|tcg,"
	@echo "           V=1, LOGDIR, LEVELS, GUEST_TESTS, KSFT_TESTS"

deps:
	@$(S)/host-deps.sh

qemu: deps
	@$(S)/build-qemu.sh --qtest >/dev/null

rootfs: deps
	@$(S)/build-rootfs.sh

# the guest kernels built from source: debug (KASAN, lockdep, kmemleak,
# fault injection) and inject (fault injection only)
kernel: deps
	@$(S)/build-kernel.sh debug && $(S)/build-kernel.sh inject

driver: deps
	@$(S)/build-driver.sh

guest-bins: deps
	@$(S)/build-guest-bins.sh

unit:
	@LEVELS=unit $(S)/run-tests.sh

qtest:
	@LEVELS=qtest $(S)/run-tests.sh

# the qtest against a second QEMU build under AddressSanitizer and UBSan
qtest-san:
	@LEVELS=qtest-san $(S)/run-tests.sh

# checkpatch (kernel and QEMU), shellcheck and pyflakes: scripts/lint.sh
lint:
	@LEVELS=lint $(S)/run-tests.sh

guest-test:
	@LEVELS=guest $(S)/run-tests.sh

test:
	@$(S)/run-tests.sh

# zcnic against virtio-net and e1000e in one run: docs/benchmarks.md and
# its chart (BENCH_MB, BENCH_REPS); reported, never asserted
bench:
	@$(S)/bench.sh

# libFuzzer on the device (QEMU generic-fuzz); DURATION seconds, default 600
fuzz: deps
	@$(S)/fuzz.sh

demo: deps
	@args=$$($(S)/bed-args.sh) && eval "set -- $$args" && \
	$(CURDIR)/harness/zcnic-bed demo "$$@" --logdir $(CURDIR)/logs/demo-$$(date +%Y%m%d-%H%M%S) \
		$(if $(DEMO_BYTES),--bytes $(DEMO_BYTES)) $(if $(filter 1,$(DEMO_ALLOW_COPY)),--allow-copy) \
		$(if $(filter 1,$(V)),-v)

# One command in a fresh guest with zcnic up (tests/guest/run.sh): its output
# and exit status (make itself exits 2 on any failure; the status is printed).
# TOPOLOGY=loop gives the selftests' setup; QEMU_ARGS adds
# QEMU arguments (split on spaces), KERNEL_ARGS guest kernel arguments.
# CMD is taken as written: $$NETIF in it is the guest shell's, not make's
run: export ZCNIC_RUN_CMD := $(value CMD)
run: deps
	@[ -n "$$ZCNIC_RUN_CMD" ] || { echo "make run: say what to run, e.g. make run CMD='ethtool -l eth0'" >&2; exit 2; }
	@args=$$($(S)/bed-args.sh) && eval "set -- $$args" && \
	for a in $$QEMU_ARGS; do set -- "$$@" "--qemu-arg=$$a"; done && \
	$(CURDIR)/harness/zcnic-bed cmd "$$@" --command "$$ZCNIC_RUN_CMD" --topology $(or $(TOPOLOGY),host) \
		--logdir $(CURDIR)/logs/run-$$(date +%Y%m%d-%H%M%S) $(if $(filter 1,$(V)),-v) \
		--payload ksft=$$($(S)/build-selftests.sh)

# A root shell in a fresh guest on this terminal (tests/guest/shell.sh), zcnic
# up as for make run; exit powers the guest off. TOPOLOGY, QEMU_ARGS,
# KERNEL_ARGS and GUEST_KERNEL as for make run.
shell: deps
	@args=$$($(S)/bed-args.sh) && eval "set -- $$args" && \
	for a in $$QEMU_ARGS; do set -- "$$@" "--qemu-arg=$$a"; done && \
	$(CURDIR)/harness/zcnic-bed shell "$$@" --topology $(or $(TOPOLOGY),host) \
		--logdir $(CURDIR)/logs/shell-$$(date +%Y%m%d-%H%M%S) $(if $(filter 1,$(V)),-v) \
		--payload ksft=$$($(S)/build-selftests.sh)

# Run the kernel's selftests on zcnic and rewrite README.md's table from the result.
ksft-table:
	@log=$(CURDIR)/logs/ksft-$$(date +%Y%m%d-%H%M%S); \
	LEVELS="ksft ksft-inject" LOGDIR=$$log $(S)/run-tests.sh; \
	python3 $(CURDIR)/harness/ksft-table.py $(CURDIR)/README.md \
		stock=$$log/ksft/results.ktap inject=$$log/ksft-inject/results.ktap

clean:
	rm -rf logs tests/unit/out

distclean: clean
	rm -rf $(ZCNIC_CACHE)
