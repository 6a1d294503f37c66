#!/usr/bin/env bash
# Bisectability: build the tree at every patch of the series, in a separate
# work tree and build dir (build/bisect-*), so build/qemu is left alone.
# At the tip of each group of the series but the last (whose tip is the
# tree make check tests), also run the tests the group adds: the COLO
# tests it registers (with the smoke test) and the other qtests and unit
# tests it adds or changes, so that each group stands on its own.
# With --tests (make check-series-full), also run, at each patch that adds
# or changes tests, the tests it touches.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tree=$top/build/qemu
bsrc=$top/build/bisect-src
bobj=$top/build/bisect-obj
tests=0
[ "${1:-}" != --tests ] || tests=1
# CHECK_SERIES_TESTS_FROM=N: with --tests, only run the tests of patch N on
# (after a change that left patches 1..N-1 as they were)
tests_from=${CHECK_SERIES_TESTS_FROM:-1}
. "$top/scripts/progress-lib.sh"
. "$top/scripts/series-lib.sh"

# The qtest paths that commit $1 adds or changes in colo-tests.c: the
# entries of colo_tests[] and the tests registered by name, or, if it
# only edits test code, every COLO test; always the smoke test.  A
# ColoTest that is not an entry of colo_tests[] (a local one) names no test.
colo_paths() {
    local diff
    diff=$(git -C "$tree" show "$1" -- tests/qtest/migration/colo-tests.c)
    [ -n "$diff" ] || return 0
    {
        echo /x86_64/migration/colo/checkpoints/plain
        grep -oP '^\+\s*\{ \.name = "\K[^"]+' <<< "$diff" |
            sed 's|^|/x86_64/migration/colo/|' || true
        grep -oP '^\+.*(migration_test_add|qtest_add_func)\("\K[^"]+' \
            <<< "$diff" | sed 's|^|/x86_64|' || true
    } | sort -u
}

# Run the tests of commit $1 on the build in $bobj.
run_tests() {
    local c=$1 paths all args=() p log
    paths=$(colo_paths "$c")
    if [ "$(wc -l <<< "$paths")" = 1 ] && [ -n "$paths" ]; then
        # Edits only: all of them.  -p takes whole test paths (a suite's
        # path runs none of its nested tests), so list them.
        paths=$(QTEST_QEMU_BINARY="$bobj/qemu-system-x86_64" \
                "$bobj/tests/qtest/migration-test" --full -l |
                grep '^/x86_64/migration/colo/' || true)
    fi
    if [ -n "$paths" ]; then
        # Only paths the binary has: -p with any other path fails the run
        all=$(QTEST_QEMU_BINARY="$bobj/qemu-system-x86_64" \
              "$bobj/tests/qtest/migration-test" --full -l)
        for p in $paths; do
            if grep -qxF -- "$p" <<< "$all"; then
                args+=(-p "$p")
            else
                echo "check-series: $p is not a test of $c" >&2
                exit 1
            fi
        done
        log=$bobj-tests-$c.log
        watch_run "check-series tests $c" "$log" env \
            QTEST_QEMU_BINARY="$bobj/qemu-system-x86_64" \
            QTEST_QEMU_IMG="$bobj/qemu-img" \
            QTEST_QEMU_STORAGE_DAEMON_BINARY=/nonexistent \
            timeout 3600 "$bobj/tests/qtest/migration-test" --full --tap \
            "${args[@]}" || {
            # Nothing may match (a crash, a dirty tmpfs): not this script's end
            grep -aE '^(not ok|\*\*)' "$log" | head -5 >&2 || true
            tail -12 "$log" >&2
            echo "check-series: tests fail at $(git -C "$tree" log -1 --format='%h %s' "$c")" >&2
            exit 1
        }
        echo "check-series: $(grep -ac '^ok ' "$log") COLO tests pass" \
             "($(fmt_time "$STEP_SECONDS"))"
    fi
    if git -C "$tree" show --stat "$c" -- tests/qtest/test-colo-compare.c |
            grep -q test-colo-compare; then
        QTEST_QEMU_BINARY="$bobj/qemu-system-x86_64" \
            "$bobj/tests/qtest/test-colo-compare" --tap \
            > "$bobj-tests-$c.log" 2>&1 || {
            tail -12 "$bobj-tests-$c.log" >&2
            echo "check-series: test-colo-compare fails at $c" >&2
            exit 1
        }
        echo "check-series: test-colo-compare passes"
    fi
}

# Run, on the build in $bobj, the tests group range $1..$2 adds: the COLO
# tests it registers in colo-tests.c (and the smoke test), and the qtest
# and unit test programs whose sources it adds or changes.
run_group_tests() {
    local from=$1 tip=$2 diff paths all args=() p log t
    diff=$(git -C "$tree" diff "$from" "$tip" -- tests/qtest/migration/colo-tests.c)
    paths=$( {
        [ -z "$diff" ] || echo /x86_64/migration/colo/checkpoints/plain
        grep -oP '^\+\s*\{ \.name = "\K[^"]+' <<< "$diff" |
            sed 's|^|/x86_64/migration/colo/|' || true
        grep -oP '^\+.*(migration_test_add|qtest_add_func)\("\K[^"]+' \
            <<< "$diff" | sed 's|^|/x86_64|' || true
    } | sort -u)
    # Only the paths the binary has (dirty-ring ones need KVM's ring):
    # -p with any other path fails the run
    all=$(QTEST_QEMU_BINARY="$bobj/qemu-system-x86_64" \
          "$bobj/tests/qtest/migration-test" --full -l)
    for p in $paths; do
        if grep -qxF -- "$p" <<< "$all"; then
            args+=(-p "$p")
        else
            echo "check-series: $p is not registered here (skipped)"
        fi
    done
    if [ ${#args[@]} != 0 ]; then
        log=$bobj-group-$tip.log
        watch_run "check-series group tests $tip" "$log" env \
            QTEST_QEMU_BINARY="$bobj/qemu-system-x86_64" \
            QTEST_QEMU_IMG="$bobj/qemu-img" \
            QTEST_QEMU_STORAGE_DAEMON_BINARY=/nonexistent \
            timeout 3600 "$bobj/tests/qtest/migration-test" --full --tap \
            "${args[@]}" || {
            grep -aE '^(not ok|\*\*)' "$log" | head -5 >&2 || true
            tail -12 "$log" >&2
            echo "check-series: the group's tests fail at its tip $tip" >&2
            exit 1
        }
        echo "check-series: $(grep -ac '^ok ' "$log") COLO tests of the group" \
             "pass ($(fmt_time "$STEP_SECONDS"))"
    fi
    for t in tests/qtest/test-colo-compare tests/qtest/test-filter-mirror \
             tests/unit/test-vmstate; do
        git -C "$tree" diff --quiet "$from" "$tip" -- "$t.c" && continue
        log=$bobj-group-$tip-${t##*/}.log
        QTEST_QEMU_BINARY="$bobj/qemu-system-x86_64" "$bobj/$t" --tap \
            > "$log" 2>&1 || {
            tail -12 "$log" >&2
            echo "check-series: ${t##*/} fails at the group's tip $tip" >&2
            exit 1
        }
        echo "check-series: ${t##*/} passes ($(grep -ac '^ok ' "$log") ok)"
    done
}

commits=$(git -C "$tree" rev-list --reverse base..HEAD)
[ -n "$commits" ] || { echo "check-series: no patches"; exit 0; }
git -C "$tree" worktree prune
[ -e "$bsrc/.git" ] || git -C "$tree" worktree add -q --detach "$bsrc" base
# The tips of the groups but the last (see export-series.sh)
declare -A group_of=()
groups=$(series_groups "$tree")
for g in $(head -n -1 <<< "$groups"); do
    group_of[$(git -C "$tree" rev-parse "group/$g")]=$g
done
group_from=$(git -C "$tree" rev-parse base)
n=0 total=$(echo "$commits" | wc -l)
for c in $commits; do
    n=$((n + 1))
    git -C "$bsrc" checkout -q --detach "$c"
    echo "check-series: [$n/$total] $(git -C "$bsrc" log -1 --format='%h %s')"
    # Going back in the series can remove a target: let meson regenerate
    # build.ninja first, so that build.sh asks ninja about this patch's.
    if [ -f "$bobj/build.ninja" ]; then
        ninja -C "$bobj" build.ninja > /dev/null 2>&1 || true
    fi
    # build.sh's own progress lines are the status.
    watch_run "check-series [$n/$total]" "$bobj.log" \
        env QEMU_SRC="$bsrc" QEMU_OBJ="$bobj" "$top/scripts/build.sh" || {
        tail -40 "$bobj.log" >&2
        echo "check-series: build fails at $(git -C "$bsrc" log -1 --format='%h %s')" >&2
        exit 1
    }
    echo "check-series: [$n/$total] built in $(fmt_time "$STEP_SECONDS")"
    [ $tests = 0 ] || [ "$n" -lt "$tests_from" ] ||
        run_tests "$(git -C "$bsrc" rev-parse --short HEAD)"
    if [ -n "${group_of[$c]:-}" ]; then
        echo "check-series: tip of group ${group_of[$c]}"
        run_group_tests "$group_from" "$c"
        group_from=$c
    fi
done
# The benchmarks' variants (bench/variants) patch the series' tip
for v in "$top"/bench/variants/*.diff; do
    git -C "$bsrc" apply --check "$v" || {
        echo "check-series: bench/variants/${v##*/} no longer applies to" \
             "the series; regenerate it from build/qemu" >&2
        exit 1
    }
done
if [ $tests = 1 ]; then
    echo "check-series: all $total patches build and pass the tests they add or change"
else
    tips=""
    [ ${#group_of[@]} = 0 ] || tips="; the groups' tips pass their tests"
    echo "check-series: all $total patches build$tips"
fi
