#!/usr/bin/env bash
# build-kernel.sh [debug|inject]: build a guest kernel from source --
# linux-source-7.3, or KERNEL_SRC=/path, a tree of your own -- configured as
# x86_64 defconfig + kvm_guest.config + kernel/base.config (everything the
# bed needs built in, so it boots without an initramfs; function error
# injection) and, for the debug flavour (the default), kernel/debug.config
# (KASAN, lockdep, kmemleak, DMA-API debug, reference trackers). The inject
# flavour has no sanitizers: fast enough under TCG for selftests that want
# fault injection and traffic, such as pp_alloc_fail.py.
# Built out of tree with the host's gcc into $ZCNIC_CACHE/kernel-<flavour>-<key>,
# keyed by the source, the fragments, the recipe below and the compiler. Prints
# the build directory (bzImage is arch/x86/boot/bzImage; build modules with
# make -C <dir> M=...). Linux-source builds are done once; a KERNEL_SRC tree
# is rebuilt incrementally on every call, so your edits are picked up.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_root

flavour=${1:-debug}
case $flavour in
debug)	frags=("$ZCNIC_TOP/kernel/base.config" "$ZCNIC_TOP/kernel/debug.config");;
inject)	frags=("$ZCNIC_TOP/kernel/base.config");;
*)	die "unknown kernel flavour '$flavour' (debug, inject)";;
esac
# The commands that configure and build the kernel (bash -c scripts: $1 the
# source, $2 the build directory, then the fragments) are part of its cache
# key; editing anything else here (messages, locking) costs no rebuild.
recipe_config='make -s -C "$1" O="$2" x86_64_defconfig &&
	"$1/scripts/kconfig/merge_config.sh" -m -O "$2" "$2/.config" \
		"$1/kernel/configs/kvm_guest.config" "${@:3}" &&
	make -s -C "$1" O="$2" olddefconfig'
recipe_build='make -C "$1" O="$2" -j"$(nproc)" bzImage modules'
src=$("$ZCNIC_TOP/scripts/fetch-kernel-source.sh")
src=$(cd "$src" && pwd -P)
cc_ver=$(gcc --version | head -n1)
key=$( { echo "$src"; cat "${frags[@]}"; echo "$recipe_config $recipe_build $cc_ver"; } | key_of)
out=$ZCNIC_CACHE/kernel-$flavour-$key
cache_lock "kernel-$flavour"

if [ -z "${KERNEL_SRC:-}" ] && [ -f "$out/.zcnic-built" ]; then
	echo "$out"; exit 0
fi
[ -e "$src/.config" ] && die "$src has a .config (run make mrproper there): the build is out of tree"

mkdir -p "$out"
echo "$src" > "$out/.zcnic-src"
if [ ! -f "$out/.zcnic-configured" ]; then
	say "configuring the $flavour kernel from $src"
	run_logged "$out/config.log" bash -c "$recipe_config" config "$src" "$out" "${frags[@]}" ||
		die "configuring the $flavour kernel failed (log: $out/config.log)"
	# every line of the fragments must have taken effect
	bad=()
	while IFS= read -r l; do
		case $l in
		CONFIG_*=*)
			grep -qxF "$l" "$out/.config" || bad+=("$l (got: $(grep -E "^(# )?${l%%=*}[= ]" "$out/.config" || echo unknown))");;
		"# CONFIG_"*" is not set")
			sym=${l#\# }; sym=${sym%% *}
			grep -q "^$sym=" "$out/.config" && bad+=("$l (got: $(grep "^$sym=" "$out/.config"))");;
		esac
	done < <(cat "${frags[@]}")
	[ ${#bad[@]} -eq 0 ] || die "kernel config fragments did not take effect: ${bad[*]}"
	touch "$out/.zcnic-configured"
fi

say "building the $flavour kernel in $out (15-20 min on 2 cores the first time)"
run_logged "$out/build.log" bash -c "$recipe_build" build "$src" "$out" ||
	die "$flavour kernel build failed (log: $out/build.log)"
touch "$out/.zcnic-built"
# an older build of the same source and flavour is stale now
for d in "$ZCNIC_CACHE"/kernel-"$flavour"-*; do
	[ "$d" != "$out" ] && [ "$(cat "$d/.zcnic-src" 2>/dev/null)" = "$src" ] && remove_tree "$d"
done
echo "$out"
