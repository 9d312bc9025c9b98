#!/usr/bin/env bash
# Build the guest-side programs (traffic tool, C guest tests) inside the
# guest root with its gcc-14 and liburing, and the host copy of the traffic
# tool with the host's compiler. Prints the guest output directory; the
# host traffic tool lands in $ZCNIC_CACHE/host-bin.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_root

root=$("$ZCNIC_TOP/scripts/build-rootfs.sh")
# per checkout: two checkouts' runs never build into each other's tree
sub=build/zcnic-$(checkout_key)
dst=$root/$sub
cache_lock "guest-bins-$(checkout_key)"
mkdir -p "$dst"
remove_tree "$dst/tests"
cp -a "$ZCNIC_TOP/tests" "$ZCNIC_TOP/include" "$dst/"
run_logged "$dst/guest-bins.log" in_root "$root" make -C "/$sub/tests/guest" -j2 OUT="/$sub/bin" ||
	die "guest programs failed to build (log: $dst/guest-bins.log)"

# the host's traffic tool, keyed by its sources (bed-args.sh finds it the
# same way)
hb=$ZCNIC_CACHE/host-bin/$(cat "$ZCNIC_TOP/tests/tools/zcnic-traffic.c" "$ZCNIC_TOP/tests/lib/pattern.h" | key_of)
if [ ! -x "$hb/zcnic-traffic" ]; then
	mkdir -p "$hb"
	gcc -O2 -Wall -Wextra -o "$hb/zcnic-traffic.new" "$ZCNIC_TOP/tests/tools/zcnic-traffic.c" -lpthread ||
		die "host traffic tool failed to build"
	mv "$hb/zcnic-traffic.new" "$hb/zcnic-traffic"
fi
echo "$dst/bin"
