#!/usr/bin/env bash
# Write the work tree's commits since "base" back into patches/, one folder
# per group of the series, and rewrite patches/series.  A group ends at its
# branch group/<folder> in the work tree (make-tree creates them; "git
# rebase" moves them, as make-tree sets rebase.updateRefs): group N is
# group/<N-1>..group/<N>, the last group ends at HEAD.  Each folder gets its
# patches numbered from 1 and a cover letter from its cover-letter.txt, so
# that it can be posted alone.  The exporter's git identity (user.name,
# user.email) signs every patch, after the sign-offs it already has, and
# sends the cover letters; a missing or placeholder identity, in the
# exporter or in a commit, is refused.  A cover letter keeps its date unless
# its content changes.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tree=$top/build/qemu
. "$top/scripts/series-lib.sh"

[ -d "$tree/.git" ] || { echo "export-series: no work tree; run make tree" >&2; exit 1; }
if [ -n "$(git -C "$tree" status --porcelain --untracked-files=no)" ]; then
    echo "export-series: $tree has uncommitted changes; commit them first" >&2
    exit 1
fi
name=$(git -C "$top" config user.name || true)
email=$(git -C "$top" config user.email || true)
if identity_is_placeholder "$name" "$email"; then
    cat >&2 <<MSG
export-series: the patches are signed with your git identity, and
'${name:-(no user.name)} <${email:-(no user.email)}>' cannot sign them: a
Signed-off-by certifies the Developer's Certificate of Origin, so it names
a person at an address that reaches them.  Set yours, then run again:
    git config --global user.name 'Your Full Name'
    git config --global user.email you@your.domain
MSG
    exit 1
fi
bad=$(series_identities "$tree" | while IFS=$'\t' read -r id c; do
    n=${id% <*} e=${id##*<} e=${e%>}
    if identity_is_placeholder "$n" "$e"; then
        echo "  $(git -C "$tree" log -1 --format='%h %s' "$c"): $id"
    fi
done | awk '!seen[$0]++')
if [ -n "$bad" ]; then
    cat >&2 <<MSG
export-series: these commits are authored or signed by a placeholder:
$bad
If you wrote them (or may certify them), scripts/claim-commits.sh makes
them yours ('$name <$email>'); then run again.
MSG
    exit 1
fi
groups=$(series_groups "$tree")
# Every group of patches/ (its series, its cover letters) needs its branch
for g in $(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' -e 's|/.*||' \
               "$top/patches/series" 2>/dev/null | sort -u) \
         $(cd "$top/patches" && ls -d -- */ 2>/dev/null | tr -d /); do
    grep -qxF -- "$g" <<< "$groups" || {
        cat >&2 <<MSG
export-series: patches/$g has no branch group/$g in $tree, which
marks the group's last commit.  Create it (git -C $tree branch
group/$g <commit>), or remove patches/$g if the group is gone.
MSG
        exit 1
    }
done
[ -n "$groups" ] || {
    echo "export-series: $tree has no group/* branches (git -C $tree branch group/1-name <commit>, and patches/1-name/cover-letter.txt)" >&2
    exit 1
}
last=$(tail -1 <<< "$groups")
if [ "$(git -C "$tree" rev-parse "group/$last")" != "$(git -C "$tree" rev-parse HEAD)" ]; then
    cat >&2 <<MSG
export-series: HEAD is not the tip of the last group, group/$last.  Put
the new commits into their group with 'git rebase -i base' (the
update-ref lines mark where each group ends), or, if they belong to the
last group: git branch -f group/$last HEAD
MSG
    exit 1
fi
prev=base
for g in $groups; do
    git -C "$tree" merge-base --is-ancestor "$prev" "group/$g" &&
        [ "$(git -C "$tree" rev-parse "$prev")" != "$(git -C "$tree" rev-parse "group/$g")" ] || {
        echo "export-series: group/$g does not come after $prev with a commit of its own" >&2
        exit 1
    }
    [ -f "$top/patches/$g/cover-letter.txt" ] || {
        echo "export-series: patches/$g/cover-letter.txt is missing (subject line, blank line, text)" >&2
        exit 1
    }
    prev=group/$g
done

stage=$(mktemp -d "$top/.patches-new.XXXXXX")
trap 'rm -rf "$stage" "$top/.patches-old"' EXIT
prev=base
for g in $groups; do
    mkdir -p "$stage/$g"
    # format-patch turns the group branch's description into the cover
    # letter
    git -C "$tree" config "branch.group/$g.description" \
        "$(cat "$top/patches/$g/cover-letter.txt")"
    GIT_COMMITTER_NAME=$name GIT_COMMITTER_EMAIL=$email \
        git -C "$tree" -c user.name="$name" -c user.email="$email" \
        format-patch -q --signoff --zero-commit --no-signature --no-stat \
        --cover-letter --cover-from-description=subject \
        -o "$stage/$g" "$prev..group/$g"
    # format-patch dates the cover letter now: keep the old one if that is
    # all that changed.
    old=$top/patches/$g/0000-cover-letter.patch new=$stage/$g/0000-cover-letter.patch
    if [ -f "$old" ] &&
       cmp -s <(grep -v '^Date: ' "$old") <(grep -v '^Date: ' "$new"); then
        cp "$old" "$new"
    fi
    cp "$top/patches/$g/cover-letter.txt" "$stage/$g/"
    (cd "$stage" && ls -1 -- "$g"/*.patch | grep -v '/0000-') >> "$stage/series"
    prev=group/$g
done
# Replace patches/ only now that every group is written
chmod 755 "$stage"
rm -rf "$top/.patches-old"
mv "$top/patches" "$top/.patches-old"
mv "$stage" "$top/patches"
write_series_stamp "$top" "$tree"
for g in $groups; do
    echo "export-series: patches/$g: $(grep -c "^$g/" "$top/patches/series") patches"
done
echo "export-series: $(wc -l < "$top/patches/series") patches in patches/"
