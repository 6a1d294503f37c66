#!/usr/bin/env bash
# Download the pinned QEMU source package with apt's source tools, check its
# sha256s and unpack it.  Usage: fetch-base.sh DEST
# Downloads are cached in $COLO_CACHE (default ~/.cache/colo-qemu-base).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/base.conf"
dest=${1:?usage: fetch-base.sh DEST}
cache=${COLO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/colo-qemu-base}
mkdir -p "$cache"

check_sums() {
    (cd "$cache" && printf '%s\n' "$BASE_SHA256" | sed '/^$/d' |
        sha256sum --quiet -c -) >/dev/null 2>&1
}

if ! check_sums; then
    if ! apt-cache showsrc "$BASE_PACKAGE" 2>/dev/null |
            grep -qx "Version: $BASE_VERSION"; then
        echo "fetch-base: $BASE_PACKAGE $BASE_VERSION is not in any deb-src" \
             "list; run scripts/install-deps.sh (it adds $BASE_SUITES)" >&2
        exit 1
    fi
    echo "fetch-base: downloading $BASE_PACKAGE=$BASE_VERSION into $cache"
    (cd "$cache" && apt-get source -qq --download-only \
        "$BASE_PACKAGE=$BASE_VERSION")
    if ! check_sums; then
        echo "fetch-base: sha256 mismatch for $BASE_PACKAGE $BASE_VERSION" \
             "in $cache:" >&2
        (cd "$cache" && printf '%s\n' "$BASE_SHA256" | sed '/^$/d' |
            sha256sum -c - >&2) || true
        exit 1
    fi
fi

dsc="$cache/${BASE_PACKAGE}_${BASE_VERSION#*:}.dsc"
rm -rf "$dest"
dpkg-source --no-check -x "$dsc" "$dest" >/dev/null
echo "fetch-base: unpacked $BASE_PACKAGE $BASE_VERSION into $dest"
