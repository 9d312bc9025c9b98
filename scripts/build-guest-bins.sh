#!/usr/bin/env bash
# Build the guest-side programs (traffic tool, C guest tests) inside the
# guest root with its gcc-14 and liburing, and the host copy of the traffic
# tool with the host's compiler. Prints the guest output directory; the
# host traffic tool lands in $ZCNIC_CACHE/host-bin.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_root

root=$("$ZCNIC_TOP/scripts/build-rootfs.sh")
dst=$root/build/zcnic
mkdir -p "$dst"
rm -rf "$dst/tests"
cp -a "$ZCNIC_TOP/tests" "$ZCNIC_TOP/include" "$dst/"
cp "$ZCNIC_TOP/tests/guest/Makefile" "$dst/tests/guest/Makefile"
run_logged "$dst/guest-bins.log" in_root "$root" make -C /build/zcnic/tests/guest -j2 OUT=/build/zcnic/bin ||
	die "guest programs failed to build (log: $dst/guest-bins.log)"

hb=$ZCNIC_CACHE/host-bin
mkdir -p "$hb"
if [ ! -x "$hb/zcnic-traffic" ] || [ "$ZCNIC_TOP/tests/tools/zcnic-traffic.c" -nt "$hb/zcnic-traffic" ] ||
   [ "$ZCNIC_TOP/tests/lib/pattern.h" -nt "$hb/zcnic-traffic" ]; then
	gcc -O2 -Wall -Wextra -o "$hb/zcnic-traffic" "$ZCNIC_TOP/tests/tools/zcnic-traffic.c" -lpthread ||
		die "host traffic tool failed to build"
fi
echo "$dst/bin"
