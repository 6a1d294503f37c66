#!/usr/bin/env bash
# Install everything the build, the tests, the demo and the benchmark need.
# Debian 12 (bookworm): meson >= 1.5 and python3-pycotap come from
# bookworm-backports; a deb-src entry for the suites carrying the pinned qemu
# source package is added so that apt-get source can fetch it.  Both entries
# use the mirror the machine's own bookworm entry uses (COLO_MIRROR=URI
# overrides it); they live in sources.list.d/colo-base.sources.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/base.conf"
. "$here/scripts/progress-lib.sh"
logs=${COLO_LOGS:-$here/build/logs}
etc=${COLO_APT_ETC:-/etc/apt}
apt_opts=()
[ "$etc" = /etc/apt ] || apt_opts=(-o "Dir::Etc=$etc")
codename=bookworm
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

packages=(ninja-build pkgconf libglib2.0-dev libpixman-1-dev libslirp-dev
          libfdt-dev libcap-ng-dev libaio-dev zlib1g-dev flex bison
          python3-venv dpkg-dev ccache seabios ipxe-qemu gcc-multilib
          xz-utils git make python3 gnuplot-nox iproute2 procps)
backports=(meson python3-pycotap)
src_list=$etc/sources.list.d/colo-base.sources

# The URIs of the machine's entries of type $1 for suite $2, in one-line
# (sources.list, *.list) and deb822 (*.sources) files, ours excepted.
apt_uris() {
    local type=$1 suite=$2 f
    for f in "$etc/sources.list" "$etc"/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        awk -v t="$type" -v s="$suite" '$1 == t {
            i = 2                      # skip "[ options ]"
            if ($2 ~ /^\[/) { while (i < NF && $i !~ /\]$/) i++; i++ }
            if ($(i + 1) == s) print $i }' "$f"
    done
    for f in "$etc"/sources.list.d/*.sources; do
        if [ ! -f "$f" ] || [ "$f" = "$src_list" ]; then continue; fi
        awk -v t="$type" -v s="$suite" '
        function has(list, w,   a, n, i) {
            n = split(list, a, " ")
            for (i = 1; i <= n; i++) if (a[i] == w) return 1
            return 0 }
        function flush(   a, n, i) {
            if (has(v["types"], t) && has(v["suites"], s) &&
                tolower(v["enabled"]) !~ /no/) {
                n = split(v["uris"], a, " ")
                for (i = 1; i <= n; i++) print a[i] }
            delete v; k = "" }
        /^#/ { next }
        /^[ \t]*$/ { flush(); next }
        /^[ \t]/ { v[k] = v[k] " " $0; next }   # continuation line
        { k = tolower(substr($0, 1, index($0, ":") - 1))
          v[k] = substr($0, index($0, ":") + 1) }
        END { flush() }' "$f"
    done | awk '!seen[$0]++'
}

uris=${COLO_MIRROR:-$(apt_uris deb "$codename" | tr '\n' ' ' | sed 's/ $//')}
[ -n "$uris" ] ||
    fail install-deps "found no 'deb <mirror> $codename' entry in" \
         "$etc/sources.list or $etc/sources.list.d; add your Debian mirror" \
         "there (or set COLO_MIRROR=http://your.mirror/debian) and run again."
want="# Written by scripts/install-deps.sh from this machine's $codename mirror.
Types: deb-src
URIs: $uris
Suites: $BASE_SUITES
Components: main
Signed-By: $keyring"
if [ -z "$(apt_uris deb "$codename-backports")" ]; then
    want="$want

Types: deb
URIs: $uris
Suites: $codename-backports
Components: main
Signed-By: $keyring"
fi

as_root() {
    [ "$(id -u)" = 0 ] ||
        fail install-deps "$1 needs root; run: sudo $here/scripts/install-deps.sh"
}

need_update=
if [ "$(cat "$src_list" 2>/dev/null)" != "$want" ]; then
    if [ -f "$src_list" ] && [ "$(id -u)" != 0 ]; then
        echo "install-deps: $src_list is not what this script writes now;" \
             "sudo $here/scripts/install-deps.sh would rewrite it"
    else
        as_root "writing $src_list"
        printf '%s\n' "$want" > "$src_list"
        echo "install-deps: wrote $src_list (mirror $uris)"
        need_update=1
    fi
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
if [ ${#missing[@]} -eq 0 ] && [ $meson_ok = 1 ] && [ -z "$need_update" ]; then
    echo "install-deps: everything is installed"
    exit 0
fi

as_root "installing ${missing[*]:-meson>=1.5}"
need_disk install-deps /var/cache/apt "${DEPS_NEED_GIB:-1}" "downloading the packages"
export DEBIAN_FRONTEND=noninteractive
# apt-get update only warns when a mirror cannot be reached.
unreachable() {
    local u
    for u in $uris; do
        grep -F "Failed to fetch $u" "$1" && return 0
    done
    grep -E "^E: .*(resolv|connect|unreachable|timed out)" "$1"
}
log=$logs/apt-get-update.log
update() { apt-get "${apt_opts[@]}" update && ! unreachable "$log" >/dev/null; }
step "apt-get update" "$log" update || {
    unreachable "$log" >/dev/null &&
        fail install-deps "cannot reach the package mirror ($uris);" \
             "check the network (and any proxy) and run again."
    fail install-deps "apt-get update failed (see above); fix the apt error" \
         "it reports and run again."
}
install() {
    apt-get "${apt_opts[@]}" install -y -q --no-install-recommends \
        "${packages[@]}" &&
    apt-get "${apt_opts[@]}" install -y -q --no-install-recommends \
        -t "$codename-backports" "${backports[@]}"
}
log=$logs/install-packages.log
step "install packages" "$log" install || {
    unreachable "$log" >/dev/null &&
        fail install-deps "cannot reach the package mirror ($uris);" \
             "check the network (and any proxy) and run again."
    fail install-deps "apt-get install failed (see above); fix the apt" \
         "error it reports and run again."
}
meson_version=$(meson --version)
dpkg --compare-versions "$meson_version" ge 1.5 ||
    fail install-deps "meson $meson_version is older than 1.5; check that" \
         "$codename-backports is reachable and run again."
echo "install-deps: done (meson $meson_version)"
