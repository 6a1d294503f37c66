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
# patches/: its HEAD or its group branches are not those in the stamp that
# make-tree and export-series write, or it has uncommitted edits.  A tree without a stamp
# was never finished (make-tree recreates it): false.
tree_unexported() {
    local tree=$1 head groups
    [ -d "$tree/.git" ] && [ -f "$tree/.git/colo-series-state" ] || return 1
    read -r _ head groups < "$tree/.git/colo-series-state"
    [ "$(git -C "$tree" rev-parse HEAD)" != "$head" ] ||
        [ "$(series_group_refs "$tree")" != "${groups:-}" ] ||
        [ -n "$(git -C "$tree" status --porcelain --untracked-files=no)" ]
}

# The stamp's record of work tree $1's groups: one checksum over its
# group/* branches and the commits they point at.
series_group_refs() {
    git -C "$1" for-each-ref --format='%(refname) %(objectname)' \
        'refs/heads/group/' | sha256sum | cut -c1-16
}

# The stamp make-tree and export-series write: the series' checksum, the
# work tree's HEAD and its groups.
write_series_stamp() {
    local top=$1 tree=$2
    echo "$(series_checksum "$top/patches") $(git -C "$tree" rev-parse HEAD)" \
         "$(series_group_refs "$tree")" > "$tree/.git/colo-series-state"
}

# True if "NAME <EMAIL>" cannot sign a patch (the Signed-off-by certifies
# the Developer's Certificate of Origin, so it names a person who can be
# mailed): a missing name or address, an address without a dotted domain,
# a local or reserved domain (RFC 2606/6761, git's "you@example.com"), or
# a name git or this repository uses as a stand-in.
identity_is_placeholder() {
    local name=${1,,} email=${2,,}
    [ -n "$name" ] && [ -n "$email" ] || return 0
    case $email in *@*.*) ;; *) return 0 ;; esac
    case ${email##*@} in
    localhost | *.localhost | localdomain | *.localdomain | *.local | \
    *.invalid | *.test | example.com | *.example.com | example.net | \
    *.example.net | example.org | *.example.org) return 0 ;;
    esac
    case $name in
    "your name" | root | colo-series | "colo series developer") return 0 ;;
    esac
    return 1
}

# Every identity of the commits in $1 (a work tree) since "base": authors
# and Signed-off-by trailers, one "Name <email>" per line, and the commit.
series_identities() {
    local tree=$1 c
    for c in $(git -C "$tree" rev-list --reverse base..HEAD); do
        git -C "$tree" log -1 --format='%an <%ae>' "$c" | sed "s/\$/	$c/"
        git -C "$tree" log -1 \
            --format='%(trailers:key=Signed-off-by,valueonly,separator=%x0a)' \
            "$c" | sed -e '/^$/d' -e "s/\$/	$c/"
    done
}

# The groups of work tree $1, in order: the folder names of its group/*
# branches (patches/<folder>/), which start with their number.
series_groups() {
    git -C "$1" for-each-ref --format='%(refname:lstrip=3)' 'refs/heads/group/' |
        sort -V
}
