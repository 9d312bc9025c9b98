#!/usr/bin/env bash
# Build the guest root filesystem: Debian trixie with the stock 7.3 kernel
# from trixie-backports, its headers, gcc-14 and a liburing new enough for
# zcrx. The tree doubles as the chroot where every guest-side binary and the
# driver are compiled. Cached under $ZCNIC_CACHE keyed by its inputs.
# Prints the tree's path; also leaves vmlinuz, initrd.img and root.img
# next to it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$ZCNIC_TOP/scripts/apt-private.sh"
need_root

KSERIES=${KSERIES:-7.3}
cache_lock rootfs
papt_update
# The newest point release of the series in trixie-backports.
kver=${GUEST_KVER:-$(papt_cache search --names-only "^linux-image-${KSERIES//./\\.}\.[0-9]+\+deb13-amd64\$" 2>/dev/null |
	awk '{print $1}' | sed 's/^linux-image-//' | sort -V | tail -n1)}
[ -n "$kver" ] || die "no linux-image-${KSERIES}.* in trixie-backports; set KSERIES=<series> or GUEST_KVER=<version>-amd64"
liburing_ver=$(papt_cache showsrc liburing 2>/dev/null | awk '/^Version:/ {print $2}' | sort -V | tail -n1)
dpkg --compare-versions "${liburing_ver:-0}" ge 2.10 ||
	die "no liburing >= 2.10 source in sid (found '${liburing_ver:-none}'); zcrx needs io_uring_register_ifq"

sid_pkgs=$(grep -v '^#' "$ZCNIC_TOP/guest-rootfs/packages-sid" | xargs)
sid_vers=$(for p in $sid_pkgs; do papt_cache policy "$p" 2>/dev/null |
	awk -v p="$p" '/^ +[0-9]/ && !v {v=$1} /sid\/main/ && !s {s=prev} {prev=$1} END {print p "=" s}'; done | xargs)
key=$( { cat "$0" "$ZCNIC_TOP/guest-rootfs/packages" "$ZCNIC_TOP/guest-rootfs/packages-sid" \
	"$ZCNIC_TOP/guest-rootfs/zcnic-init-stub"; echo "$kver $liburing_ver $sid_vers"; } | key_of)
root=$ZCNIC_CACHE/rootfs-$key
if [ -f "$root.done" ]; then echo "$root"; exit 0; fi

# (chroot work below runs through in_root: its mounts live in a private
# mount namespace, so nothing of the host's is ever mounted inside $root)
remove_tree "$root" "$root.img"
mkdir -p "$root"

pkgs=$(grep -v '^#' "$ZCNIC_TOP/guest-rootfs/packages" | xargs)
say "debootstrap trixie into $root (about a minute)"
run_logged "$root.debootstrap.log" debootstrap --variant=minbase trixie "$root" "$PAPT_MIRROR" ||
	die "debootstrap failed (log: $root.debootstrap.log)"

printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"; chmod +x "$root/usr/sbin/policy-rc.d"
cat > "$root/etc/apt/sources.list.d/zcnic.sources" <<SRC
Types: deb
URIs: $PAPT_MIRROR
Suites: trixie-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
say "installing linux-image-$kver, its headers and the test tools in the guest root"
run_logged "$root.kernel.log" in_root "$root" sh -c "
	set -e
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends -t trixie-backports \
		linux-image-$kver linux-headers-$kver linux-libc-dev initramfs-tools $pkgs
	apt-get clean
" || die "package install in the guest root failed (log: $root.kernel.log); GUEST_KVER overrides the kernel version"

if [ -n "$sid_pkgs" ]; then
	say "adding from sid: $sid_vers"
	debs=$ZCNIC_CACHE/src/dl-sid-debs
	mkdir -p "$debs" "$root/build/sid-debs"
	# shellcheck disable=SC2086 # one word per package
	(cd "$debs" && bounded 900 "downloading $sid_vers" papt download $sid_vers >"$debs/log" 2>&1) ||
		die "could not download $sid_vers from sid (log: $debs/log)"
	for v in $sid_vers; do
		p=${v%%=*}; ver=${v#*=}
		cp "$debs/${p}_${ver//:/%3a}_amd64.deb" "$root/build/sid-debs/"
	done
	run_logged "$root.sid.log" in_root "$root" sh -c 'dpkg -i /build/sid-debs/*.deb' ||
		die "installing $sid_vers in the guest root failed (log: $root.sid.log)"
	remove_tree "$root/build/sid-debs"
fi

say "building liburing $liburing_ver in the guest root"
dl=$ZCNIC_CACHE/src/dl-liburing-$liburing_ver
mkdir -p "$dl"
if ! ls "$dl"/*.dsc >/dev/null 2>&1; then
	(cd "$dl" && bounded 900 "downloading liburing $liburing_ver" \
		papt source --download-only "liburing=$liburing_ver" >"$dl/log" 2>&1) ||
		die "could not download liburing $liburing_ver source (log: $dl/log)"
fi
remove_tree "$root/build/liburing"; mkdir -p "$root/build"
dpkg-source --no-check -x "$dl"/*.dsc "$root/build/liburing" >/dev/null
run_logged "$root.liburing.log" in_root "$root" sh -c "
	set -e
	cd /build/liburing
	./configure --prefix=/usr --libdir=/usr/lib/x86_64-linux-gnu --libdevdir=/usr/lib/x86_64-linux-gnu
	make -C src -j2
	make -C src install
" || die "liburing build failed (log: $root.liburing.log)"
remove_tree "$root/build/liburing"

install -m 755 "$ZCNIC_TOP/guest-rootfs/zcnic-init-stub" "$root/usr/local/sbin/zcnic-init"
echo zcnic > "$root/etc/hostname"
echo "$kver" > "$root/etc/zcnic-kernel"

cp "$root/boot/vmlinuz-$kver" "$root.vmlinuz"
cp "$root/boot/initrd.img-$kver" "$root.initrd"
say "making the root disk image"
mb=$(( $(du -sm --exclude=./usr/src "$root" | cut -f1) * 13 / 10 + 256 ))
run_logged "$root.mkfs.log" mkfs.ext4 -q -F -L zcnic-root -E root_owner=0:0 \
	-d "$root" "$root.img" "${mb}M" || die "mkfs.ext4 failed (log: $root.mkfs.log)"
touch "$root.done"
# keep the two newest roots, drop older ones (several GB each)
ls -1dt "$ZCNIC_CACHE"/rootfs-*.done 2>/dev/null | tail -n +3 | while read -r old; do
	remove_tree "${old%.done}" "${old%.done}".*
done
echo "$root"
