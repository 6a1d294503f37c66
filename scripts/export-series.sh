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
# patches/cover-letter.txt (subject line, blank line, body) becomes the
# branch description, which format-patch turns into 0000-cover-letter.patch.
cover=()
branch=$(git -C "$tree" symbolic-ref -q --short HEAD || true)
if [ -f "$top/patches/cover-letter.txt" ] && [ -n "$branch" ]; then
    git -C "$tree" config "branch.$branch.description" \
        "$(cat "$top/patches/cover-letter.txt")"
    cover=(--cover-letter --cover-from-description=subject)
fi
git -C "$tree" format-patch -q --zero-commit --no-signature --no-stat \
    "${cover[@]}" -o "$top/patches" base..HEAD
# The series applies the patches, not the cover letter.
(cd "$top/patches" && ls -1 -- *.patch 2>/dev/null | grep -v '^0000-') \
    > "$top/patches/series" || true
echo "$(series_checksum "$top/patches") $(git -C "$tree" rev-parse HEAD)" \
    > "$tree/.git/colo-series-state"
echo "export-series: $(wc -l < "$top/patches/series") patches in patches/"
