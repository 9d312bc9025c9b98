# Shared helpers for the zcnic scripts. Sourced, not run.
# shellcheck shell=bash

ZCNIC_TOP=${ZCNIC_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
ZCNIC_CACHE=${ZCNIC_CACHE:-$HOME/.cache/zcnic}
ZCNIC_V=${ZCNIC_V:-0}
export ZCNIC_TOP ZCNIC_CACHE ZCNIC_V

say() { printf '[zcnic] %s\n' "$*" >&2; }
die() { printf '[zcnic] error: %s\n' "$*" >&2; exit 1; }
need_root() {
	[ "$(id -u)" -eq 0 ] || die "must run as root (it installs packages, builds a root filesystem with chroot and creates network namespaces); run: sudo make ${MAKE_TARGET:-test}"
}

# run CMD... quietly unless ZCNIC_V=1; on failure show the log tail.
run_logged() {
	local log=$1; shift
	if [ "$ZCNIC_V" = 1 ]; then
		"$@" 2>&1 | tee "$log"
		return "${PIPESTATUS[0]}"
	fi
	if ! "$@" >"$log" 2>&1; then
		tail -n 40 "$log" >&2
		say "failed: $* (full log: $log)"
		return 1
	fi
}

# hash of files/strings given on stdin, for cache keys
key_of() { sha256sum | cut -c1-16; }

# in_root ROOT CMD...: run CMD chrooted in ROOT with /proc mounted, in a
# private mount namespace so that nothing stays mounted afterwards (objtool
# and friends read /proc/self).
in_root() {
	local root=$1
	shift
	unshare --mount --propagation private sh -c \
		'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"' "$root" "$@"
}
