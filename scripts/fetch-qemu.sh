#!/usr/bin/env bash
# Fetch and unpack Debian trixie's QEMU 10.0 source with Debian's patches
# applied. Prints the unpacked tree's path. QEMU_SRC=/path skips all of this.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$ZCNIC_TOP/scripts/apt-private.sh"

if [ -n "${QEMU_SRC:-}" ]; then
	[ -f "$QEMU_SRC/VERSION" ] || die "QEMU_SRC=$QEMU_SRC does not look like a QEMU tree (no VERSION)"
	echo "$QEMU_SRC"; exit 0
fi

QEMU_SERIES=${QEMU_SERIES:-10.0}
cache_lock qemu-source
papt_update
# Candidate versions of the series, newest first, from every suite we list.
mapfile -t versions < <(papt_cache showsrc qemu 2>/dev/null |
	awk '/^Version:/ {print $2}' | grep -E "^(1:)?${QEMU_SERIES//./\\.}\." | sort -Vru)
[ ${#versions[@]} -gt 0 ] || die "no qemu ${QEMU_SERIES}.x source in trixie/trixie-backports/sid; set QEMU_SERIES or QEMU_SRC=/path/to/qemu"

srcroot=$ZCNIC_CACHE/src
mkdir -p "$srcroot"
for v in "${versions[@]}"; do
	up=${v#*:}; up=${up%-*}; up=${up%+ds}
	dir=$srcroot/qemu-$up
	if [ -f "$dir/.zcnic-unpacked" ]; then echo "$dir"; exit 0; fi
	dl=$srcroot/dl-qemu-$up
	remove_tree "$dl"; mkdir -p "$dl"
	say "downloading qemu $v source"
	if ! (cd "$dl" && bounded 1200 "downloading qemu $v source" \
		papt source --download-only "qemu=$v" >"$dl/log" 2>&1); then
		say "qemu $v source not downloadable (see $dl/log), trying the next version"
		continue
	fi
	remove_tree "$dir"
	say "unpacking qemu $v with Debian's patches"
	(cd "$dl" && dpkg-source --no-check -x ./*.dsc "$dir" >"$dl/unpack.log" 2>&1) ||
		die "dpkg-source failed, see $dl/unpack.log"
	rm -f "$dl"/*.orig.tar.* "$dl"/*.debian.tar.*
	touch "$dir/.zcnic-unpacked"
	[ "$up" = "${versions[0]%-*}" ] || true
	echo "$dir"; exit 0
done
die "could not download any of: ${versions[*]}; set QEMU_SRC=/path/to/qemu"
