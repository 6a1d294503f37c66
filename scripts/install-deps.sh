#!/usr/bin/env bash
# Install everything the build, the tests, the demo and the benchmark need.
# Debian 12 (bookworm): meson >= 1.5 and python3-pycotap come from
# bookworm-backports; a deb-src entry for the suite carrying the pinned qemu
# source package is added so that apt-get source can fetch it.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/base.conf"

packages=(ninja-build pkgconf libglib2.0-dev libpixman-1-dev libslirp-dev
          libfdt-dev libcap-ng-dev libaio-dev zlib1g-dev flex bison
          python3-venv dpkg-dev ccache seabios ipxe-qemu gcc-multilib
          xz-utils git make python3 gnuplot-nox iproute2)
backports=(meson python3-pycotap)

src_list=/etc/apt/sources.list.d/colo-base.sources
if [ ! -f "$src_list" ] && [ "$(id -u)" = 0 ]; then
    cat > "$src_list" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $BASE_SUITES
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    need_update=1
fi

missing=()
for p in "${packages[@]}" "${backports[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
        missing+=("$p")
done
meson_ok=0
if command -v meson >/dev/null &&
   dpkg --compare-versions "$(meson --version)" ge 1.5; then
    meson_ok=1
fi
if [ ${#missing[@]} -eq 0 ] && [ $meson_ok = 1 ] && [ -z "${need_update:-}" ]; then
    echo "install-deps: everything is installed"
    exit 0
fi

if [ "$(id -u)" != 0 ]; then
    echo "install-deps: missing packages (${missing[*]:-meson>=1.5});" \
         "run as root: sudo $0" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}"
apt-get install -y -qq --no-install-recommends -t bookworm-backports \
    "${backports[@]}"
meson_version=$(meson --version)
if ! dpkg --compare-versions "$meson_version" ge 1.5; then
    echo "install-deps: meson $meson_version is older than 1.5" >&2
    exit 1
fi
echo "install-deps: done (meson $meson_version)"
