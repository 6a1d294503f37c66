#!/usr/bin/env bash
# Give the work tree's commits since "base" that carry a placeholder
# identity (see identity_is_placeholder) to you: their author and any
# placeholder Signed-off-by become your git identity.  Other authors and
# sign-offs are kept; author dates are kept.  Run it only for commits you
# wrote or may certify under the DCO; then "make series".
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tree=$top/build/qemu
. "$top/scripts/series-lib.sh"

name=$(git -C "$top" config user.name || true)
email=$(git -C "$top" config user.email || true)
if identity_is_placeholder "$name" "$email"; then
    echo "claim-commits: your git identity '$name <$email>' is itself a" \
         "placeholder; set user.name and user.email first." >&2
    exit 1
fi
if [ -n "$(git -C "$tree" status --porcelain --untracked-files=no)" ]; then
    echo "claim-commits: $tree has uncommitted changes; commit them first" >&2
    exit 1
fi
export CLAIM_NAME=$name CLAIM_EMAIL=$email
export CLAIM_LIB=$top/scripts/series-lib.sh
# The filters run in git's sh: they call bash for the check.
FILTER_BRANCH_SQUELCH_WARNING=1 git -C "$tree" filter-branch -f \
    --env-filter '
        if bash -c ". \"\$CLAIM_LIB\"; identity_is_placeholder \"\$1\" \"\$2\"" \
                _ "$GIT_AUTHOR_NAME" "$GIT_AUTHOR_EMAIL"; then
            GIT_AUTHOR_NAME=$CLAIM_NAME GIT_AUTHOR_EMAIL=$CLAIM_EMAIL
            export GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL
        fi' \
    --msg-filter '
        while IFS= read -r line || [ -n "$line" ]; do
            case $line in
            "Signed-off-by: "*"<"*">")
                id=${line#Signed-off-by: }
                n=${id% <*} e=${id##*<} e=${e%>}
                if bash -c ". \"\$CLAIM_LIB\"; identity_is_placeholder \"\$1\" \"\$2\"" \
                        _ "$n" "$e"; then
                    line="Signed-off-by: $CLAIM_NAME <$CLAIM_EMAIL>"
                fi ;;
            esac
            printf "%s\n" "$line"
        done' base..HEAD >/dev/null
echo "claim-commits: $(git -C "$tree" rev-list --count base..HEAD) commits;" \
     "placeholder identities now '$name <$email>'"
