#!/usr/bin/env bash
# Build qemu-system-x86_64 with the zcnic device (and, with --qtest, the
# device's qtest; with --sanitize, in a second build under AddressSanitizer
# and UBSan). The device sources are copied into the pinned QEMU tree
# and hooked into its Kconfig, meson.build and trace-events; the build
# directory lives in $ZCNIC_CACHE, keyed by the QEMU version and the
# configure line, so later runs only recompile what changed.
# Prints the path of the build directory.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

want_qtest=0 sanitize=0 fuzz=0
for arg in "$@"; do
	case $arg in
	--qtest) want_qtest=1;;
	# a second build with AddressSanitizer and UBSan, in a build dir of
	# its own (the configure line is part of the key)
	--sanitize) sanitize=1;;
	# a third: clang, libFuzzer and the sanitizers; builds qemu-fuzz-x86_64
	--fuzz) fuzz=1;;
	*) die "build-qemu.sh: unknown option '$arg' (--qtest, --sanitize, --fuzz)";;
	esac
done

src=$("$ZCNIC_TOP/scripts/fetch-qemu.sh")
src=$(cd "$src" && pwd -P)
dev=$ZCNIC_TOP/qemu-device
# the device goes into the tree and the tree into the build: one run at a
# time per QEMU tree
cache_lock "qemu-$(echo "$src" | key_of)"

# --- hook the device into the tree (idempotent) ---------------------------
install -C -m 644 "$ZCNIC_TOP/include/zcnic_hw.h" "$src/hw/net/zcnic_hw.h"
for f in "$dev"/*.c "$dev"/*.h; do
	[ -e "$f" ] && install -C -m 644 "$f" "$src/hw/net/$(basename "$f")"
done
for f in "$ZCNIC_TOP"/tests/qtest/*.c; do
	[ -e "$f" ] && install -C -m 644 "$f" "$src/tests/qtest/$(basename "$f")"
done
install -C -m 644 "$dev/zcnic.mak" "$src/configs/devices/x86_64-softmmu/zcnic.mak"

# Replace (or append) the block between our markers in FILE with TEXT,
# writing only when the content changes so that ninja stays quiet.  With
# ANCHOR (a regex), the block goes right before the first matching line
# instead of at the end.
splice() {
	local file=$1 text=$2 anchor=${3:-} tmp
	tmp=$(mktemp)
	awk -v text="$text" -v anchor="$anchor" '
		function block() { printf "# zcnic-begin\n%s\n# zcnic-end\n", text; done = 1 }
		/^# zcnic-begin/ { skip = 1; next }
		/^# zcnic-end/ { skip = 0; next }
		skip { next }
		anchor != "" && !done && $0 ~ anchor { block() }
		{ print }
		END { if (!done) block() }
	' "$file" > "$tmp"
	if cmp -s "$tmp" "$file"; then rm -f "$tmp"; else mv "$tmp" "$file"; fi
}
splice "$src/hw/net/Kconfig" "$(cat "$dev/Kconfig")"
splice "$src/hw/net/meson.build" "$(cat "$dev/meson.build")"
splice "$src/hw/net/trace-events" "$(cat "$dev/trace-events")"
# (before the loop that turns the qtests_<arch> lists into executables)
splice "$src/tests/qtest/meson.build" \
	"qtests_x86_64 += config_all_devices.has_key('CONFIG_ZCNIC_PCI') ? ['zcnic-test'] : []" \
	'^qtest_executables = '

# --- configure once per (version, options) ---------------------------------
conf=(--python=/usr/bin/python3 --target-list=x86_64-softmmu
	--disable-download --disable-install-blobs --disable-docs
	--without-default-features --without-default-devices
	--with-devices-x86_64=zcnic --enable-tcg --enable-kvm --enable-slirp
	--disable-werror
	--firmwarepath=/usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu)
[ $sanitize = 1 ] && conf+=(--enable-asan --enable-ubsan)
if [ $fuzz = 1 ]; then
	command -v clang >/dev/null ||
		die "the fuzzing build needs clang with libFuzzer (make deps installs clang and libclang-rt-dev)"
	conf+=(--cc=clang --cxx=clang++ --objcc=clang --enable-fuzzing
		--enable-asan --enable-ubsan)
fi
key=$( { echo "$src"; cat "$src/VERSION"; echo "${conf[*]}"; cat "$dev/zcnic.mak"; } | key_of)
bld=$ZCNIC_CACHE/qemu-build-$key
mkdir -p "$bld"
if [ ! -f "$bld/.zcnic-configured" ]; then
	say "configuring QEMU $(cat "$src/VERSION") (build dir $bld)"
	(cd "$bld" && run_logged "$bld/configure.log" "$src/configure" "${conf[@]}") ||
		die "QEMU configure failed (log: $bld/configure.log)"
	touch "$bld/.zcnic-configured"
fi

targets=(qemu-system-x86_64)
[ $want_qtest = 1 ] && targets+=(tests/qtest/zcnic-test)
[ $fuzz = 1 ] && targets=(qemu-fuzz-x86_64)
if [ -x "$bld/${targets[0]}" ]; then
	[ "$ZCNIC_V" = 1 ] && say "updating ${targets[*]}"
else
	say "building ${targets[*]} (a cold build takes 2 to 6 minutes)"
fi
run_logged "$bld/build.log" ninja -C "$bld" "${targets[@]}" ||
	die "QEMU build failed (log: $bld/build.log)"
# meson leaves qemu-bundle/ next to the binary, which makes QEMU look for
# its firmware under it instead of the configured firmware path.
remove_tree "$bld/qemu-bundle"
echo "$bld"
