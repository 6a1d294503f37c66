#!/usr/bin/env bash
# The series' identities and stable tags, as a maintainer takes them: every
# patch in patches/series has an author and a Signed-off-by, none of them a
# placeholder (identity_is_placeholder); every Fixes: names a commit as
# 'Fixes: <12+ hex digits> ("subject")' and comes with Cc: qemu-stable;
# every group (folder) has a cover letter.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/series-lib.sh"
bad=0
complain() { echo "check-trailers: $1: $2" >&2; bad=1; }
for p in $(sed -e 's/#.*//' "$top/patches/series"); do
    f=$top/patches/$p
    # Headers unfolded (format-patch folds long From: lines)
    from=$(sed -e '/^$/q' "$f" | sed -e ':a' -e '$!N' -e 's/\n[ \t]\+/ /' \
           -e 'ta' -e 'P' -e 'D' | sed -n 's/^From: //p')
    ids=$(printf '%s\n' "$from"; sed -n 's/^Signed-off-by: //p' "$f")
    grep -q '^Signed-off-by: ' "$f" || complain "$p" "no Signed-off-by"
    while IFS= read -r id; do
        n=${id% <*} e=${id##*<} e=${e%>}
        if [ "$id" = "$n" ] || identity_is_placeholder "$n" "$e"; then
            complain "$p" "placeholder or malformed identity '$id'"
        fi
    done <<< "$ids"
    if grep -q '^Fixes: ' "$f"; then
        grep -q '^Cc: qemu-stable@nongnu.org$' "$f" ||
            complain "$p" "Fixes: without Cc: qemu-stable@nongnu.org"
        grep '^Fixes: ' "$f" | grep -qvE '^Fixes: [0-9a-f]{12,40} \(".+"\)$' &&
            complain "$p" "Fixes: not as 'Fixes: <hash> (\"subject\")'"
    fi
done
# Each group can be posted alone: it has its cover letter
for g in $(sed -e 's/#.*//' -e 's|/.*||' "$top/patches/series" | sort -u); do
    grep -qE '^Subject: \[[^]]*\b0+/[0-9]+\]' "$top/patches/$g/0000-cover-letter.patch" \
        2>/dev/null || complain "$g" "no cover letter (patches/$g/cover-letter.txt, make series)"
done
[ "$bad" = 0 ] && echo "check-trailers: $(grep -c . "$top/patches/series") patches signed, Fixes: with Cc: qemu-stable, every group with a cover letter"
exit "$bad"
