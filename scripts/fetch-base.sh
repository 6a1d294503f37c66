#!/usr/bin/env bash
# Download the pinned QEMU source package with apt's source tools, check its
# sha256s and unpack it.  Usage: fetch-base.sh DEST
# Downloads are cached in $COLO_CACHE (default ~/.cache/colo-qemu-base), logs
# go to $COLO_LOGS (default build/logs).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/base.conf"
. "$here/scripts/progress-lib.sh"
dest=${1:?usage: fetch-base.sh DEST}
cache=${COLO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/colo-qemu-base}
logs=${COLO_LOGS:-$here/build/logs}
mkdir -p "$cache" "$logs"

# "FILE: OK" / "FILE: FAILED" / "FILE: FAILED open or read" per file.
sums() {
    (cd "$cache" && printf '%s\n' "$BASE_SHA256" | sed '/^$/d' |
        sha256sum -c - 2>/dev/null) || true
}

dsc="$cache/${BASE_PACKAGE}_${BASE_VERSION#*:}.dsc"

# The unpacked base and its git repo take about 1 GiB.
need_disk fetch-base "$dest" "${TREE_NEED_GIB:-2}" "the base in $dest"
if sums | grep -q FAILED || [ ! -f "$dsc" ]; then
    for f in $(sums | sed -n 's/: FAILED$//p'); do
        echo "fetch-base: $cache/$f does not match its sha256 in base.conf" \
             "(a partial or corrupt download?): downloading it again"
        rm -f "$cache/$f"
    done
    # (Not "apt-cache | grep -q": grep's early exit fails the pipe.)
    versions=$(apt-cache showsrc "$BASE_PACKAGE" 2>/dev/null) || true
    if ! grep -qx "Version: $BASE_VERSION" <<< "$versions"; then
        fail fetch-base "$BASE_PACKAGE $BASE_VERSION is not in any deb-src" \
             "list; run scripts/install-deps.sh as root (it adds $BASE_SUITES)."
    fi
    log=$logs/download-base.log
    (cd "$cache" && STEP_STATUS="du -sh '$cache' | cut -f1" \
        step "download base" "$log" \
        apt-get source --download-only "$BASE_PACKAGE=$BASE_VERSION") || {
        if grep -qiE 'resolv|connect|unreachable|timed out' "$log"; then
            fail fetch-base "cannot reach the package mirror; check the" \
                 "network (and any proxy) and run again."
        fi
        fail fetch-base "apt-get source failed (see above); fix the apt" \
             "error it reports and run again."
    }
    if sums | grep -q FAILED; then
        sums | sed 's/^/    /' >&2
        fail fetch-base "the downloaded $BASE_PACKAGE $BASE_VERSION does" \
             "not match the sha256s in base.conf; if base.conf was changed" \
             "on purpose fix its sums, otherwise delete $cache and run again" \
             "(or use another mirror)."
    fi
fi

rm -rf "$dest"
mkdir -p "$(dirname "$dest")"
step "unpack base" "$logs/unpack-base.log" \
    dpkg-source --no-check -x "$dsc" "$dest" ||
    fail fetch-base "dpkg-source could not unpack $dsc (see above); delete" \
         "$cache and run again."
# dpkg-source leaves a copy of the upstream tarball beside DEST.
parent=$(cd "$(dirname "$dest")" && pwd)
if [ "$parent" != "$(cd "$cache" && pwd)" ]; then
    for f in $(printf '%s\n' "$BASE_SHA256" | awk '{ print $2 }'); do
        rm -f "$parent/$f"
    done
fi
echo "fetch-base: unpacked $BASE_PACKAGE $BASE_VERSION into $dest"
