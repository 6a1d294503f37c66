#!/usr/bin/env bash
# Create the work tree build/qemu: a git repo whose first commit (tag "base")
# is the unpacked base, with patches/ applied in series order by git am.
# Idempotent; refuses to discard commits or edits that were never exported
# (set FORCE=1 to discard them).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tree=$top/build/qemu
stamp=$tree/.git/colo-series-state
logs=${COLO_LOGS:-$top/build/logs}
. "$top/scripts/series-lib.sh"
. "$top/scripts/progress-lib.sh"

want=$(series_checksum "$top/patches")

if [ -d "$tree/.git" ] && [ -f "$stamp" ]; then
    read -r have_sum _ < "$stamp"
    if [ "$have_sum" = "$want" ]; then
        if tree_unexported "$tree"; then
            echo "make-tree: $tree has work not yet exported ('make series')"
        else
            echo "make-tree: $tree is up to date with patches/"
        fi
        exit 0
    fi
    if tree_unexported "$tree" && [ "${FORCE:-0}" != 1 ]; then
        fail make-tree "patches/ changed, but $tree has commits or edits" \
             "that were never exported; run 'make series' first, or" \
             "FORCE=1 make tree to discard them."
    fi
    git -C "$tree" am --abort >/dev/null 2>&1 || true
    # Unfinished until the series is applied: a failure leaves no stamp
    rm -f "$stamp"
    git -C "$tree" reset -q --hard base
else
    rm -rf "$tree"
    mkdir -p "$top/build"
    "$top/scripts/fetch-base.sh" "$tree"
    rm -rf "$tree/.pc"
    import_base() {
        git -C "$tree" init -q -b colo &&
        git_fixed "$tree" add -A -f . &&
        git_fixed "$tree" commit -q -m "QEMU ${BASE_VERSION} (Debian source package)" &&
        git -C "$tree" tag base
    }
    step "import base into git" "$logs/import-base.log" import_base ||
        fail make-tree "git could not import the base (see above); fix the" \
             "error it reports and run 'make tree' again."
fi

# Each folder of patches/ is a group of the series; its last patch gets the
# branch group/<folder>, which export-series reads the groups from.
# rebase.updateRefs makes "git rebase" move these branches with the commits.
git -C "$tree" config rebase.updateRefs true
git -C "$tree" for-each-ref --format='%(refname)' refs/heads/group/ |
    xargs -r -n1 git -C "$tree" update-ref -d
apply_series() {
    local p
    sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$top/patches/series" |
    while read -r p; do
        echo "applying $p"
        git_fixed "$tree" am -q --committer-date-is-author-date \
            "$top/patches/$p" || { echo "make-tree: $p does not apply"; exit 1; }
        git -C "$tree" branch -f "group/${p%%/*}" HEAD || exit 1
    done
}
if [ -s "$top/patches/series" ]; then
    step "apply series" "$logs/apply-series.log" apply_series ||
        fail make-tree "a patch does not apply (see above); fix it in" \
             "patches/ or rebase the series, then run 'make tree' again."
fi
write_series_stamp "$top" "$tree"
echo "make-tree: $tree at $(git -C "$tree" log -1 --format='%h %s')"
