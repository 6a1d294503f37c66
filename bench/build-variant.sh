#!/usr/bin/env bash
# Build a variant of the series for a side-by-side benchmark: the work
# tree's HEAD with bench/variants/NAME.diff applied, in
# build/variant-NAME/qemu and build/variant-NAME/obj.  That is the layout
# of build/qemu and build/obj, so ccache hits for every file the variant
# leaves alone.  Prints the build directory on its last line.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
name=${1:?usage: bench/build-variant.sh NAME (a bench/variants/NAME.diff)}
diff=$top/bench/variants/$name.diff
tree=$top/build/qemu
dir=$top/build/variant-$name
[ -f "$diff" ] || { echo "build-variant: no $diff" >&2; exit 1; }

git -C "$tree" worktree prune
if [ ! -e "$dir/qemu/.git" ]; then
    mkdir -p "$dir"
    git -C "$tree" worktree add -q --detach "$dir/qemu" HEAD
fi
# Start again from the work tree's HEAD each time, then commit the variant
# on top (detached), so that its tree has no uncommitted edits
git -C "$dir/qemu" checkout -q -f --detach "$(git -C "$tree" rev-parse HEAD)"
git -C "$dir/qemu" apply --index "$diff"
git -C "$dir/qemu" -c user.name=bench -c user.email=bench@localhost \
    commit -q -m "bench variant: $name"
QEMU_SRC=$dir/qemu QEMU_OBJ=$dir/obj "$top/scripts/build.sh" >&2
echo "$dir/obj"
