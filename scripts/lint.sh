#!/usr/bin/env bash
# make lint, and make test's lint level: the project's code through the
# linters of the trees it is written for, one KTAP result each:
# - checkpatch-driver: the kernel's checkpatch.pl --strict on driver/ and on
#   the register header the driver shares with the device;
# - checkpatch-qemu: QEMU's checkpatch.pl on the device model and its qtest;
# - every shell script through ShellCheck (settings and exceptions in
#   .shellcheckrc);
# - pyflakes on the Python harness, unit tests and fuzzing seeds.
# W=1 is not repeated here: every driver build runs with it and fails on a
# warning (scripts/build-driver.sh). The exceptions are stated once each:
# .shellcheckrc for shellcheck, HW_HEADER_IGNORE below for checkpatch.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_root

cd "$ZCNIC_TOP" || exit 1
ksrc=$("$ZCNIC_TOP/scripts/fetch-kernel-source.sh") || die "no kernel source (for checkpatch.pl)"
qsrc=$("$ZCNIC_TOP/scripts/fetch-qemu.sh") || die "no QEMU source (for its checkpatch.pl)"

# include/zcnic_hw.h is also compiled outside the kernel (QEMU, the unit
# tests): its non-kernel branch defines fixed-width types from <stdint.h>
# and a static assert with _Static_assert, which checkpatch would have be
# u16/u32/u64 and not CamelCase. Nothing else is exempt.
HW_HEADER_IGNORE=PREFER_KERNEL_TYPES,CAMELCASE

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
n=0 failed=0
# check NAME CMD...: one result; CMD's output is the diagnostic of a failure
check() {
	local name=$1
	shift
	n=$((n + 1))
	if "$@" > "$out/$name" 2>&1; then
		echo "ok $n $name"
	else
		echo "not ok $n $name"
		sed 's/^/# /' "$out/$name"
		failed=$((failed + 1))
	fi
}

checkpatch_driver() {
	local rc=0
	"$ksrc/scripts/checkpatch.pl" --strict --no-tree --terse --show-types \
		--quiet -f driver/*.c driver/*.h || rc=1
	"$ksrc/scripts/checkpatch.pl" --strict --no-tree --terse --show-types \
		--quiet --ignore "$HW_HEADER_IGNORE" -f include/zcnic_hw.h || rc=1
	return $rc
}

checkpatch_qemu() {
	local f rc=0 res
	for f in qemu-device/*.c qemu-device/*.h tests/qtest/zcnic-test.c; do
		res=$("$qsrc/scripts/checkpatch.pl" --no-tree -f "$f" 2>&1) || rc=1
		# warnings fail too: QEMU's maintainers ask for a clean run
		grep -q '^total: 0 errors, 0 warnings' <<<"$res" || { echo "$res"; rc=1; }
	done
	return $rc
}

shell_files() {
	{ grep -rlE '^#!.*\b(ba)?sh\b' scripts tests harness guest-rootfs .ci; ls scripts/*.sh; } |
		grep -v '\.py$' | sort -u
}

python_files() {
	{ ls harness/*.py tests/unit/*.py tests/fuzz/*.py
	  grep -rlE '^#!.*python' harness tests; } | sort -u
}

echo "KTAP version 1"
echo "1..4"
check checkpatch-driver checkpatch_driver
check checkpatch-qemu checkpatch_qemu
# shellcheck disable=SC2046 # one word per file; no file name has a space
check shellcheck shellcheck -x $(shell_files)
# shellcheck disable=SC2046
check pyflakes pyflakes3 $(python_files)
[ "$failed" -eq 0 ]
