#!/usr/bin/env bash
# Fetch Debian's linux-source-<series> (trixie-backports) and unpack it.
# Used for the kernel's selftests, checkpatch.pl and the debug kernel.
# Prints the source tree's path. KERNEL_SRC=/path uses a tree of your own.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$ZCNIC_TOP/scripts/apt-private.sh"

if [ -n "${KERNEL_SRC:-}" ]; then
	[ -f "$KERNEL_SRC/Makefile" ] && [ -d "$KERNEL_SRC/tools/testing/selftests" ] ||
		die "KERNEL_SRC=$KERNEL_SRC is not a kernel source tree"
	echo "$KERNEL_SRC"; exit 0
fi
KSERIES=${KSERIES:-7.3}
cache_lock linux-source
papt_update
ver=$(papt_cache policy "linux-source-$KSERIES" 2>/dev/null | awk '/Candidate:/ {print $2}')
[ -n "$ver" ] && [ "$ver" != "(none)" ] ||
	die "linux-source-$KSERIES is not in trixie-backports/sid any more; set KSERIES=<series> or KERNEL_SRC=/path"
dir=$ZCNIC_CACHE/src/linux-source-$ver
if [ -f "$dir/.zcnic-unpacked" ]; then echo "$dir/linux"; exit 0; fi
dl=$ZCNIC_CACHE/src/dl-linux-source-$ver
mkdir -p "$dl"
say "downloading linux-source-$KSERIES $ver (about 150 MB)"
(cd "$dl" && bounded 1200 "downloading linux-source-$KSERIES $ver" \
	papt download "linux-source-$KSERIES=$ver" >"$dl/log" 2>&1) ||
	die "could not download linux-source-$KSERIES=$ver (log: $dl/log); set KERNEL_SRC=/path"
remove_tree "$dir"; mkdir -p "$dir"
dpkg-deb --fsys-tarfile "$dl"/linux-source-*.deb | tar -x -C "$dir" --wildcards '*/linux-source-*.tar.xz'
tarball=$(find "$dir" -name 'linux-source-*.tar.xz' | head -n1)
say "unpacking $(basename "$tarball")"
mkdir -p "$dir/linux"
tar -xJf "$tarball" -C "$dir/linux" --strip-components=1
remove_tree "$dl" "$dir/usr"
touch "$dir/.zcnic-unpacked"
echo "$dir/linux"
