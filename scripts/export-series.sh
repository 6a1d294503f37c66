#!/usr/bin/env bash
# Write the work tree's commits since "base" back into patches/ with stable
# numbered names, and rewrite patches/series.  The exporter's git identity
# (user.name, user.email) signs every patch, after the sign-offs it already
# has, and sends the cover letter; a missing or placeholder identity, in the
# exporter or in a commit, is refused.  The cover letter keeps its date
# unless its content changes.
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
old_cover=$(mktemp)
trap 'rm -f "$old_cover"' EXIT
cp "$top/patches/0000-cover-letter.patch" "$old_cover" 2>/dev/null || true
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
GIT_COMMITTER_NAME=$name GIT_COMMITTER_EMAIL=$email \
    git -C "$tree" -c user.name="$name" -c user.email="$email" \
    format-patch -q --signoff --zero-commit --no-signature --no-stat \
    "${cover[@]}" -o "$top/patches" base..HEAD
# format-patch dates the cover letter now: keep the old one if that is all
# that changed.
new_cover=$top/patches/0000-cover-letter.patch
if [ -s "$old_cover" ] && [ -f "$new_cover" ] &&
   cmp -s <(grep -v '^Date: ' "$old_cover") <(grep -v '^Date: ' "$new_cover"); then
    cp "$old_cover" "$new_cover"
fi
# The series applies the patches, not the cover letter.
(cd "$top/patches" && ls -1 -- *.patch 2>/dev/null | grep -v '^0000-') \
    > "$top/patches/series" || true
echo "$(series_checksum "$top/patches") $(git -C "$tree" rev-parse HEAD)" \
    > "$tree/.git/colo-series-state"
echo "export-series: $(wc -l < "$top/patches/series") patches in patches/"
