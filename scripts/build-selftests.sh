#!/usr/bin/env bash
# Build the kernel's drivers/net and drivers/net/hw selftests (with YNL and
# the iou-zcrx program) from linux-source-7.3 inside the guest root, and
# install them into $root/build/ksft. Prints that directory.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_root

root=$("$ZCNIC_TOP/scripts/build-rootfs.sh")
src=$("$ZCNIC_TOP/scripts/fetch-kernel-source.sh")
out=$root/build/ksft
key=$( { echo "$src"; cat "$0"; } | key_of)
cache_lock selftests
if [ -f "$out/.zcnic-$key" ]; then echo "$out"; exit 0; fi

# the source is seen at /build/linux only inside the build's own mount
# namespace (in_root --bind)
remove_tree "$out" "$root/build/ksft-out" "$root/build/ksft-hdr" "$root/build/ksft-kobj"
say "building the kernel's drivers/net selftests"
# headers_install goes out of tree: the kernels built from this source need
# it clean. The hw Makefile probes liburing with "echo -e" and "-luring"
# before the source: that needs bash as the shell and no --as-needed.
run_logged "$root/build/ksft.log" in_root --bind "$src" build/linux "$root" sh -c '
	set -e
	cd /build/linux
	make -s O=/build/ksft-kobj headers_install INSTALL_HDR_PATH=/build/ksft-hdr
	make -C tools/testing/selftests SHELL=/bin/bash CC="gcc -Wl,--no-as-needed" \
		TARGETS="drivers/net drivers/net/hw" KHDR_INCLUDES="-isystem /build/ksft-hdr/include" \
		O=/build/ksft-out install INSTALL_PATH=/build/ksft -j2
' || die "selftests build failed (log: $root/build/ksft.log)"
[ -x "$out/drivers/net/hw/iou-zcrx" ] || die "iou-zcrx was not built (liburing probe failed; log: $root/build/ksft.log)"
touch "$out/.zcnic-$key"
echo "$out"
