#!/usr/bin/env bash
# Create the work tree build/qemu: a git repo whose first commit (tag "base")
# is the unpacked base, with patches/ applied in series order by git am.
# Idempotent; refuses to discard commits or edits that were never exported
# (set FORCE=1 to discard them).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tree=$top/build/qemu
stamp=$tree/.git/colo-series-state
. "$top/scripts/series-lib.sh"

want=$(series_checksum "$top/patches")

if [ -d "$tree/.git" ] && [ -f "$stamp" ]; then
    read -r have_sum have_head < "$stamp"
    head=$(git -C "$tree" rev-parse HEAD)
    dirty=$(git -C "$tree" status --porcelain --untracked-files=no)
    if [ "$have_sum" = "$want" ]; then
        if [ "$head" != "$have_head" ] || [ -n "$dirty" ]; then
            echo "make-tree: $tree has work not yet exported ('make series')"
        else
            echo "make-tree: $tree is up to date with patches/"
        fi
        exit 0
    fi
    if { [ "$head" != "$have_head" ] || [ -n "$dirty" ]; } &&
       [ "${FORCE:-0}" != 1 ]; then
        echo "make-tree: patches/ changed, but $tree has commits or edits" \
             "that were never exported; run 'make series' first, or" \
             "FORCE=1 make tree to discard them" >&2
        exit 1
    fi
    git -C "$tree" am --abort >/dev/null 2>&1 || true
    git -C "$tree" reset -q --hard base
else
    rm -rf "$tree"
    mkdir -p "$top/build"
    "$top/scripts/fetch-base.sh" "$tree"
    rm -rf "$tree/.pc"
    git -C "$tree" init -q -b colo
    git_fixed "$tree" add -A -f .
    git_fixed "$tree" commit -q -m "QEMU ${BASE_VERSION} (Debian source package)"
    git -C "$tree" tag base
fi

if [ -s "$top/patches/series" ]; then
    sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$top/patches/series" |
    while read -r p; do
        git_fixed "$tree" am -q --committer-date-is-author-date \
            "$top/patches/$p" || {
            echo "make-tree: $p does not apply" >&2
            exit 1
        }
    done
fi
echo "$want $(git -C "$tree" rev-parse HEAD)" > "$stamp"
echo "make-tree: $tree at $(git -C "$tree" log -1 --format='%h %s')"
