# shellcheck shell=bash
# Helpers shared by make-tree.sh, export-series.sh and clean.sh (sourced).
. "$(dirname "${BASH_SOURCE[0]}")/../base.conf"

# git with a fixed identity and date, so that every clone builds the same
# commits from the same base and patches.
git_fixed() {
    local tree=$1; shift
    GIT_AUTHOR_NAME=${GIT_AUTHOR_NAME:-colo-series} \
    GIT_AUTHOR_EMAIL=${GIT_AUTHOR_EMAIL:-colo-series@localhost} \
    GIT_COMMITTER_NAME=colo-series GIT_COMMITTER_EMAIL=colo-series@localhost \
    GIT_AUTHOR_DATE=${GIT_AUTHOR_DATE:-2026-01-01T00:00:00Z} \
    GIT_COMMITTER_DATE=2026-01-01T00:00:00Z \
        git -C "$tree" -c core.autocrlf=false -c commit.gpgsign=false "$@"
}

# One checksum over the series file and every patch it names.
series_checksum() {
    local dir=$1
    local p
    {
        if [ -f "$dir/series" ]; then
            cat "$dir/series"
            for p in $(sed -e 's/#.*//' "$dir/series"); do
                cat "$dir/$p"
            done
        fi
    } | sha256sum | cut -d' ' -f1
}

# True if work tree $1 has commits or edits that were never exported to
# patches/: its HEAD is not the one in the stamp that make-tree and
# export-series write, or it has uncommitted edits.  A tree without a stamp
# was never finished (make-tree recreates it): false.
tree_unexported() {
    local tree=$1 head
    [ -d "$tree/.git" ] && [ -f "$tree/.git/colo-series-state" ] || return 1
    read -r _ head < "$tree/.git/colo-series-state"
    [ "$(git -C "$tree" rev-parse HEAD)" != "$head" ] ||
        [ -n "$(git -C "$tree" status --porcelain --untracked-files=no)" ]
}
