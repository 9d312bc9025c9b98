#!/usr/bin/env bash
# Install the host packages the build needs, from bookworm and
# bookworm-backports only. Idempotent: does nothing when all are present.
# --fuzz adds what the fuzzing build needs, --bench what make bench needs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

need_root

BASE_PKGS=(build-essential ninja-build pkgconf libglib2.0-dev zlib1g-dev
	flex bison python3-venv libslirp-dev seabios qemu-system-data
	debootstrap e2fsprogs iproute2 socat kmod python3-yaml
	debian-archive-keyring dpkg-dev xz-utils ca-certificates iputils-ping ethtool
	bc libelf-dev libssl-dev cpio shellcheck python3-pyflakes)
BPO_PKGS=(meson python3-pycotap)
# make fuzz: clang with libFuzzer and the sanitizer runtimes
[ "${1:-}" = --fuzz ] && BASE_PKGS+=(clang libclang-rt-14-dev)
# make bench: its chart
[ "${1:-}" = --bench ] && BASE_PKGS+=(gnuplot-nox)

missing=()
for p in "${BASE_PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
meson_ok=0
if command -v meson >/dev/null && dpkg --compare-versions "$(meson --version)" ge 1.5; then
	meson_ok=1
fi
dpkg-query -W -f='${Status}' python3-pycotap 2>/dev/null | grep -q 'ok installed' || meson_ok=0

if [ ${#missing[@]} -eq 0 ] && [ $meson_ok -eq 1 ]; then
	exit 0
fi

[ $meson_ok -eq 1 ] || missing_bpo="${BPO_PKGS[*]} (bookworm-backports)"
say "installing host packages: ${missing[*]} ${missing_bpo:-}"
bpo=/etc/apt/sources.list.d/zcnic-bookworm-backports.sources
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	cat > "$bpo" <<SRC
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi
export DEBIAN_FRONTEND=noninteractive
bounded 900 "apt-get update" apt-get update -qq || die "apt-get update failed; check the Debian mirror in /etc/apt/sources.list"
if [ ${#missing[@]} -gt 0 ]; then
	bounded 1800 "installing ${missing[*]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
		die "could not install: ${missing[*]}"
fi
if [ $meson_ok -eq 0 ]; then
	bounded 900 "installing ${BPO_PKGS[*]}" apt-get install -y -qq --no-install-recommends -t bookworm-backports "${BPO_PKGS[@]}" >/dev/null ||
		die "could not install ${BPO_PKGS[*]} from bookworm-backports (QEMU needs meson >= 1.5)"
fi
say "host packages ready"
