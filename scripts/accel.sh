#!/usr/bin/env bash
# accel.sh QEMU KERNEL: print the accelerator the bed boots KERNEL with,
# "kvm" or "tcg", and say why on stderr.
#
# A /dev/kvm that opens is not enough: some machines have one that creates
# VMs and runs real-mode code, yet the guest kernel dies in its decompressor
# with a KVM emulation failure (docs in DESIGN.md). So KVM is used only after
# a probe boot of this very kernel reached the point where it looks for its
# root file system, within PROBE_SECS. The verdict is cached per machine
# (host kernel, CPU), QEMU version and guest kernel image.
#
# ZCNIC_ACCEL=kvm or tcg forces one without a probe (and says so);
# ZCNIC_ACCEL=auto, the default, probes.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 2 ] || die "usage: accel.sh QEMU KERNEL"
qemu=$1 kernel=$2
PROBE_SECS=${ZCNIC_ACCEL_PROBE_SECS:-20}

case ${ZCNIC_ACCEL:-auto} in
kvm)	say "ZCNIC_ACCEL=kvm: booting with KVM without a probe"; echo kvm; exit 0;;
tcg)	say "ZCNIC_ACCEL=tcg: booting with TCG"; echo tcg; exit 0;;
auto)	;;
*)	die "ZCNIC_ACCEL=${ZCNIC_ACCEL}: expected kvm, tcg or auto";;
esac

kvm=${ZCNIC_KVM_DEV:-/dev/kvm}	# (the unit test points it elsewhere)
if ! { exec 3<"$kvm"; } 2>/dev/null; then
	say "TCG: $kvm cannot be opened"
	echo tcg
	exit 0
fi
exec 3>&-

qver=$("$qemu" --version | head -1)
key=$( { uname -r; grep -m1 '^model name' /proc/cpuinfo || true
	grep -m1 '^flags' /proc/cpuinfo || true; echo "$qver"; sha256sum < "$kernel"; } | key_of)
verdict=$ZCNIC_CACHE/accel-probe-$key
if [ -f "$verdict" ]; then
	read -r accel why < "$verdict"
	say "${accel^^}: $why (probe cached in $verdict)"
	echo "$accel"
	exit 0
fi

# The probe: no root disk, so a kernel that boots all the way panics with
# "VFS: Unable to mount root fs"; that line is the proof. A KVM that cannot
# run the kernel stops the VM with "KVM internal error" or kills QEMU.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# (the subshell's own stderr is dropped: bash reports a QEMU that aborts)
(cd "$tmp" && ulimit -c 0 && "$qemu" -M q35 -accel kvm -cpu host -m 256 -smp 1 \
	-display none -nodefaults -no-reboot -kernel "$kernel" -pidfile "$tmp/pid" \
	-append "console=ttyS0 panic=-1 loglevel=4" -serial "file:$tmp/console" \
	>"$tmp/stderr" 2>&1 </dev/null) 2>/dev/null &
pid=$!
deadline=$((SECONDS + PROBE_SECS))
why=""
while :; do
	if grep -qs -e 'VFS: Unable to mount root' -e 'VFS: Cannot open root device' "$tmp/console"; then
		accel=kvm why="a probe boot of $(basename "$kernel") under KVM reached its root mount"
		break
	fi
	if grep -qs -e 'KVM internal error' -e 'emulation failure' "$tmp/stderr"; then
		accel=tcg why="KVM cannot run the guest kernel ($(grep -m1 -e 'KVM internal error' \
			-e 'emulation failure' "$tmp/stderr"))"
		break
	fi
	if ! kill -0 "$pid" 2>/dev/null; then
		accel=tcg why="QEMU with KVM stopped during the probe boot: $(grep -m1 -v '^$' "$tmp/stderr" || echo "no message")"
		break
	fi
	if [ $SECONDS -ge $deadline ]; then
		accel=tcg why="a probe boot under KVM did not reach its root mount in ${PROBE_SECS} s"
		break
	fi
	sleep 0.2
done
[ -s "$tmp/pid" ] && kill "$(cat "$tmp/pid")" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
cp "$tmp/console" "$verdict.console" 2>/dev/null || true
cp "$tmp/stderr" "$verdict.stderr"
echo "$accel $why" > "$verdict"
say "${accel^^}: $why (verdict cached in $verdict)"
echo "$accel"
