#!/usr/bin/env bash
# Write the work tree's commits since "base" back into patches/ with stable
# numbered names, and rewrite patches/series.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tree=$top/build/qemu
. "$top/scripts/series-lib.sh"

[ -d "$tree/.git" ] || { echo "export-series: no work tree; run make tree" >&2; exit 1; }
if [ -n "$(git -C "$tree" status --porcelain --untracked-files=no)" ]; then
    echo "export-series: $tree has uncommitted changes; commit them first" >&2
    exit 1
fi
rm -f "$top"/patches/*.patch
git -C "$tree" format-patch -q --zero-commit --no-signature --no-stat \
    -o "$top/patches" base..HEAD
(cd "$top/patches" && ls -1 -- *.patch 2>/dev/null) > "$top/patches/series" || true
echo "$(series_checksum "$top/patches") $(git -C "$tree" rev-parse HEAD)" \
    > "$tree/.git/colo-series-state"
echo "export-series: $(wc -l < "$top/patches/series") patches in patches/"
