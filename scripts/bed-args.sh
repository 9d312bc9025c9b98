#!/usr/bin/env bash
# Build everything a guest boot needs and print the zcnic-bed options that
# point at it (shell-quoted, one line). GUEST_KERNEL=debug or inject boots
# that kernel (scripts/build-kernel.sh) instead of the stock one; KERNEL_ARGS is
# added to the guest kernel's command line. The accelerator is KVM only where
# a probe boot of that kernel passed (scripts/accel.sh; ZCNIC_ACCEL forces
# one), TCG otherwise.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_root

bld=$("$ZCNIC_TOP/scripts/build-qemu.sh")
root=$("$ZCNIC_TOP/scripts/build-rootfs.sh")
ko=$("$ZCNIC_TOP/scripts/build-driver.sh")
bin=$("$ZCNIC_TOP/scripts/build-guest-bins.sh")
case ${GUEST_KERNEL:-stock} in
stock)	kargs=(--kernel "$root.vmlinuz" --initrd "$root.initrd");;
debug|inject)
	kargs=(--kernel "$("$ZCNIC_TOP/scripts/build-kernel.sh" "$GUEST_KERNEL")/arch/x86/boot/bzImage");;
*)	die "GUEST_KERNEL=${GUEST_KERNEL}: expected stock, debug or inject";;
esac
[ -n "${KERNEL_ARGS:-}" ] && kargs+=(--append "$KERNEL_ARGS")
accel=$("$ZCNIC_TOP/scripts/accel.sh" "$bld/qemu-system-x86_64" "${kargs[1]}")
printf '%q ' --qemu "$bld/qemu-system-x86_64" --accel "$accel" "${kargs[@]}" \
	--root "$root.img" --module "$ko" --guest-bin "$bin" \
	--host-traffic "$ZCNIC_CACHE/host-bin/$(cat "$ZCNIC_TOP/tests/tools/zcnic-traffic.c" \
		"$ZCNIC_TOP/tests/lib/pattern.h" | key_of)/zcnic-traffic"
echo
