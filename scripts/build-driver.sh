#!/usr/bin/env bash
# Build the zcnic driver and print the path of zcnic.ko.
# GUEST_KERNEL=stock (default): against the stock guest kernel's headers,
# inside the guest root (that kernel was built with gcc-14, which the host
# lacks). GUEST_KERNEL=debug or inject: against that kernel build
# (scripts/build-kernel.sh), on the host with the compiler that built it.
# KERNEL_BUILD=/path builds against another prepared kernel tree inside the
# guest root (it must be visible there).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_root

flags=(W=1)
[ "${ZCNIC_SPARSE:-0}" = 1 ] && flags+=(C=2)

# sync_src DST: copy driver/ and include/ to DST, keeping unchanged files'
# timestamps (kbuild then rebuilds only what changed) and dropping files
# deleted from the checkout
sync_src() {
	mkdir -p "$1"
	cp -a -u "$ZCNIC_TOP/driver" "$ZCNIC_TOP/include" "$1/"
	(cd "$1/driver" && for f in *.c *.h; do
		[ -e "$f" ] && [ ! -e "$ZCNIC_TOP/driver/$f" ] && rm -f "$f" "${f%.c}.o"
	done) || true
}

case ${GUEST_KERNEL:-stock} in
stock)
	root=$("$ZCNIC_TOP/scripts/build-rootfs.sh")
	kver=$(cat "$root/etc/zcnic-kernel")
	kbuild=${KERNEL_BUILD:-/usr/src/linux-headers-$kver}
	# per checkout: two checkouts' runs never build into each other's tree
	sub=build/zcnic-$(checkout_key)
	dst=$root/$sub
	cache_lock "driver-stock-$(checkout_key)"
	sync_src "$dst"
	run_logged "$dst/build.log" in_root "$root" make -C "$kbuild" M="/$sub/driver" "${flags[@]}" modules ||
		die "driver build failed (log: $dst/build.log)"
	;;
debug|inject)
	kbuild=$("$ZCNIC_TOP/scripts/build-kernel.sh" "$GUEST_KERNEL")
	dst=$kbuild/zcnic-$(checkout_key)
	cache_lock "driver-$GUEST_KERNEL-$(checkout_key)"
	sync_src "$dst"
	run_logged "$dst/build.log" make -C "$kbuild" M="$dst/driver" "${flags[@]}" modules ||
		die "driver build failed (log: $dst/build.log)"
	;;
*)
	die "GUEST_KERNEL=${GUEST_KERNEL}: expected stock, debug or inject"
	;;
esac
if grep -q 'warning:' "$dst/build.log"; then
	grep 'warning:' "$dst/build.log" >&2
	[ "${ZCNIC_WERROR:-1}" = 1 ] && die "driver build has warnings (ZCNIC_WERROR=0 to allow)"
fi
echo "$dst/driver/zcnic.ko"
