#!/usr/bin/env bash
# Build the zcnic driver against the guest kernel's headers inside the guest
# root (the stock kernel was built with gcc-14, which the host lacks).
# Prints the path of zcnic.ko. KERNEL_BUILD=/path builds against another
# prepared kernel tree instead (it must be visible inside the guest root).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_root

root=$("$ZCNIC_TOP/scripts/build-rootfs.sh")
kver=$(cat "$root/etc/zcnic-kernel")
kbuild=${KERNEL_BUILD:-/usr/src/linux-headers-$kver}
dst=$root/build/zcnic
mkdir -p "$dst"
# -u keeps unchanged files' timestamps so kbuild rebuilds only what changed.
cp -a -u "$ZCNIC_TOP/driver" "$ZCNIC_TOP/include" "$dst/"
# drop files deleted from the checkout
(cd "$dst/driver" && for f in *.c *.h; do
	[ -e "$f" ] && [ ! -e "$ZCNIC_TOP/driver/$f" ] && rm -f "$f" "${f%.c}.o"
done) || true
flags=(W=1)
[ "${ZCNIC_SPARSE:-0}" = 1 ] && flags+=(C=2)
run_logged "$dst/build.log" in_root "$root" make -C "$kbuild" M=/build/zcnic/driver "${flags[@]}" modules ||
	die "driver build failed (log: $dst/build.log)"
if grep -q 'warning:' "$dst/build.log"; then
	grep 'warning:' "$dst/build.log" >&2
	[ "${ZCNIC_WERROR:-1}" = 1 ] && die "driver build has warnings (ZCNIC_WERROR=0 to allow)"
fi
echo "$dst/driver/zcnic.ko"
