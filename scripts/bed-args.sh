#!/usr/bin/env bash
# Build everything a guest boot needs and print the zcnic-bed options that
# point at it (shell-quoted, one line).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_root

bld=$("$ZCNIC_TOP/scripts/build-qemu.sh")
root=$("$ZCNIC_TOP/scripts/build-rootfs.sh")
ko=$("$ZCNIC_TOP/scripts/build-driver.sh")
bin=$("$ZCNIC_TOP/scripts/build-guest-bins.sh")
printf '%q ' --qemu "$bld/qemu-system-x86_64" --kernel "$root.vmlinuz" --initrd "$root.initrd" \
	--root "$root.img" --module "$ko" --guest-bin "$bin" \
	--host-traffic "$ZCNIC_CACHE/host-bin/zcnic-traffic"
echo
