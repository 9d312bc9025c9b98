# Shared helpers for the zcnic scripts. Sourced, not run.
# shellcheck shell=bash

ZCNIC_TOP=${ZCNIC_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
ZCNIC_CACHE=${ZCNIC_CACHE:-$HOME/.cache/zcnic}
ZCNIC_V=${ZCNIC_V:-0}
export ZCNIC_TOP ZCNIC_CACHE ZCNIC_V
# zcnic-bed's verbose flag, for "${ZCNIC_VFLAG[@]}" in the scripts
# shellcheck disable=SC2034
if [ "$ZCNIC_V" = 1 ]; then ZCNIC_VFLAG=(-v); else ZCNIC_VFLAG=(); fi

say() { printf '[zcnic] %s\n' "$*" >&2; }
die() { printf '[zcnic] error: %s\n' "$*" >&2; exit 1; }
need_root() {
	[ "$(id -u)" -eq 0 ] || die "must run as root (it installs packages, builds a root filesystem with chroot and creates network namespaces); run it as root, e.g. sudo make ${MAKE_TARGET:-test} where sudo is installed"
}

# How long one build or download step may take before it counts as stalled
# (seconds); a step that hits it is killed and named.
ZCNIC_STEP_TIMEOUT=${ZCNIC_STEP_TIMEOUT:-3600}

# bounded SECS WHAT CMD...: run CMD, killed after SECS seconds with a
# message that names WHAT stalled
bounded() {
	local secs=$1 what=$2 rc
	shift 2
	if [ "$(type -t "$1")" = function ]; then
		# one of the scripts' helpers (in_root, papt): timeout runs
		# programs only, so a shell that has them runs it
		timeout -k 30 "$secs" bash -c '. "$ZCNIC_TOP/scripts/lib.sh"
			. "$ZCNIC_TOP/scripts/apt-private.sh"; "$@"' bounded "$@"
	else
		timeout -k 30 "$secs" "$@"
	fi
	rc=$?
	[ $rc -eq 124 ] && say "stalled: $what did not finish within ${secs}s (killed)"
	return $rc
}

# run_logged LOG CMD...: run CMD quietly unless ZCNIC_V=1, bounded by
# ZCNIC_STEP_TIMEOUT; on failure show the log tail.
run_logged() {
	local log=$1; shift
	if [ "$ZCNIC_V" = 1 ]; then
		bounded "$ZCNIC_STEP_TIMEOUT" "$*" "$@" 2>&1 | tee "$log"
		return "${PIPESTATUS[0]}"
	fi
	# a line a minute, so a long build shows it is alive
	local start ticker rc
	start=$(date +%s)
	# (its sleep may outlive it by a minute: it holds no lock and no output
	# that a caller's $(...) would wait on)
	(
		for fd in "${ZC_LOCK_FDS[@]}"; do exec {fd}>&-; done
		exec </dev/null
		while sleep 60 >/dev/null 2>&1; do
			say "... $(basename "$log" .log): $(( ($(date +%s) - start) / 60 )) min so far"
		done
	) &
	ticker=$!
	bounded "$ZCNIC_STEP_TIMEOUT" "$*" "$@" >"$log" 2>&1
	rc=$?
	kill "$ticker" 2>/dev/null
	wait "$ticker" 2>/dev/null
	if [ $rc -ne 0 ]; then
		tail -n 40 "$log" >&2
		say "failed: $* (full log: $log)"
		return 1
	fi
}

# hash of files/strings given on stdin, for cache keys
key_of() { sha256sum | cut -c1-16; }

# cache_lock NAME: hold an exclusive lock on one cached artifact until this
# script exits, so two runs on one machine never build it at once
ZC_LOCK_FDS=()
cache_lock() {
	local fd
	mkdir -p "$ZCNIC_CACHE/locks"
	exec {fd}>"$ZCNIC_CACHE/locks/$1.lock"
	ZC_LOCK_FDS+=("$fd")
	if ! flock -n "$fd"; then
		say "waiting for another run that is building $1"
		flock -w "$ZCNIC_STEP_TIMEOUT" "$fd" || die "$1 stayed locked for ${ZCNIC_STEP_TIMEOUT}s ($ZCNIC_CACHE/locks/$1.lock)"
	fi
}

# checkout_key: tells this checkout's build outputs from another's in the
# shared cache (the driver and guest programs are built per checkout)
checkout_key() { echo "$ZCNIC_TOP" | key_of; }

# in_root [--bind SRC DST]... ROOT CMD...: run CMD chrooted in ROOT with
# /proc, /sys, /dev and /dev/pts (and each SRC at ROOT/DST) mounted in a
# private mount namespace: the mounts vanish with CMD, however it ends, so
# no later rm -rf of ROOT can follow one into the host's /dev or a kernel
# tree.
in_root() {
	local binds=()
	while [ "${1:-}" = --bind ]; do
		binds+=("$2" "$3")
		shift 3
	done
	local root=$1
	shift
	unshare --mount --propagation private sh -c '
		root=$1; n=$2; shift 2
		mount -t proc proc "$root/proc" &&
		mount -t sysfs sys "$root/sys" &&
		mount --bind /dev "$root/dev" &&
		mount --bind /dev/pts "$root/dev/pts" || exit 1
		while [ "$n" -gt 0 ]; do
			mkdir -p "$root/$2" && mount --bind "$1" "$root/$2" || exit 1
			shift 2; n=$((n - 1))
		done
		exec chroot "$root" "$@"' sh "$root" $((${#binds[@]} / 2)) "${binds[@]}" "$@"
}

# remove_tree DIR...: rm -rf that stays on DIR's own file system
remove_tree() { rm -rf --one-file-system "$@"; }
