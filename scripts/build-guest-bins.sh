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

# liburing's own examples/zcrx.c, unmodified, as an outside receiver: from
# the liburing source the guest root was built from
tarball=$(ls "$ZCNIC_CACHE"/src/dl-liburing-*/liburing_*.orig.tar.gz 2>/dev/null | sort -V | tail -n1)
[ -n "$tarball" ] || die "no liburing source in $ZCNIC_CACHE/src (scripts/build-rootfs.sh downloads it)"
remove_tree "$dst/liburing-examples"; mkdir -p "$dst/liburing-examples"
tar -xzf "$tarball" -C "$dst/liburing-examples" --strip-components=2 --wildcards \
	'*/examples/zcrx.c' '*/examples/helpers.c' '*/examples/helpers.h' ||
	die "liburing's examples/zcrx.c is not in $tarball"
run_logged "$dst/liburing-examples.log" in_root "$root" sh -c \
	"cd /$sub/liburing-examples && gcc -O2 -g -D_GNU_SOURCE -o /$sub/bin/liburing-zcrx zcrx.c helpers.c -luring" ||
	die "liburing's examples/zcrx.c failed to build (log: $dst/liburing-examples.log)"

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
