#!/usr/bin/env bash
# Bisectability: build the tree at every patch of the series, in a separate
# work tree and build dir (build/bisect-*), so build/qemu is left alone.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tree=$top/build/qemu
bsrc=$top/build/bisect-src
bobj=$top/build/bisect-obj
. "$top/scripts/progress-lib.sh"

commits=$(git -C "$tree" rev-list --reverse base..HEAD)
[ -n "$commits" ] || { echo "check-series: no patches"; exit 0; }
git -C "$tree" worktree prune
[ -e "$bsrc/.git" ] || git -C "$tree" worktree add -q --detach "$bsrc" base
n=0 total=$(echo "$commits" | wc -l)
for c in $commits; do
    n=$((n + 1))
    git -C "$bsrc" checkout -q --detach "$c"
    echo "check-series: [$n/$total] $(git -C "$bsrc" log -1 --format='%h %s')"
    # build.sh's own progress lines are the status.
    watch_run "check-series [$n/$total]" "$bobj.log" \
        env QEMU_SRC="$bsrc" QEMU_OBJ="$bobj" "$top/scripts/build.sh" || {
        tail -40 "$bobj.log" >&2
        echo "check-series: build fails at $(git -C "$bsrc" log -1 --format='%h %s')" >&2
        exit 1
    }
    echo "check-series: [$n/$total] built in $(fmt_time "$STEP_SECONDS")"
done
echo "check-series: all $total patches build"
