#!/usr/bin/env bash
# clean.sh: remove the build outputs (everything in build/ but the work tree
# build/qemu); the downloaded base and ccache stay.
# clean.sh --dist: remove build/ entirely and the downloaded base, refusing
# while build/qemu has commits or edits never exported to patches/ (FORCE=1
# removes them anyway).  Installed packages, the apt source entry and ccache
# stay.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build
cache=${COLO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/colo-qemu-base}  # as fetch-base.sh
. "$top/scripts/series-lib.sh"
. "$top/scripts/progress-lib.sh"

if [ "${1:-}" = --dist ]; then
    if tree_unexported "$build/qemu" && [ "${FORCE:-0}" != 1 ]; then
        fail distclean "$build/qemu has commits or edits that were never" \
             "exported to patches/; run 'make series' first, or" \
             "FORCE=1 make distclean to discard them."
    fi
    rm -rf "$build" "$cache"
    echo "distclean: removed $build and $cache"
else
    shopt -s nullglob dotglob
    gone=()
    for f in "$build"/*; do
        [ "$f" = "$build/qemu" ] || gone+=("$f")
    done
    rm -rf "${gone[@]}"
    echo "clean: removed ${gone[*]:-nothing}; kept $build/qemu and $cache"
fi
