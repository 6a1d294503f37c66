#!/usr/bin/env bash
# The project's tests: checkpatch over the series, the QAPI schema tests and
# the qtests of our areas.  Each check shows its progress while it runs and
# its time when done.  Ends with "N passed, M failed, K skipped".
# CHECK_SUITE=sanitizers runs only the COLO runtime checks, on the build in
# QEMU_OBJ (see check-sanitizers.sh).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/progress-lib.sh"
src=$top/build/qemu
obj=${QEMU_OBJ:-$top/build/obj}
suite=${CHECK_SUITE:-full}
logs=$top/build/check-logs${CHECK_SUITE:+-$CHECK_SUITE}
rm -rf "$logs"; mkdir -p "$logs"
passed=0 failed=0 skipped=0 start=$SECONDS
echo "check: logs in $logs"

# Count the TAP results in log $1 (a crash with no "not ok" is one failure).
count_tap() {
    local log=$1 rc=$2 ok nok skip
    ok=$(grep -c '^ok ' "$log" || true)
    skip=$(grep -c '^ok .*# SKIP' "$log" || true)
    nok=$(grep -c '^not ok ' "$log" || true)
    if [ "$rc" != 0 ] && [ "$nok" = 0 ]; then
        nok=1
    fi
    passed=$((passed + ok - skip)); failed=$((failed + nok))
    skipped=$((skipped + skip))
    printf '%-5s %s (%d ok, %d skipped, %d failed, %s)\n' \
        "$([ "$nok" = 0 ] && echo ok || echo FAIL)" "$3" \
        "$((ok - skip))" "$skip" "$nok" "$(fmt_time "$STEP_SECONDS")"
    if [ "$nok" != 0 ]; then
        # The failed cases, then the log's end: a crash prints no "not ok"
        grep -aE '^(not ok|Bail|\*\*)' "$log" | head -5 | sed 's/^/      /'
        echo "      ... last lines of $log:"
        tail -n 12 "$log" | cut -c1-300 | sed 's/^/      /'
    fi
}

# A failed step's QEMU logs and serial consoles, from the folder its
# output names, into folder $2 (under build/check-logs).
keep_qemu_logs() {
    local dir
    dir=$(grep -aoE '(logs kept in|run directory) /[^ ;]+' "$1" | tail -n 1 |
          awk '{ print $NF }')
    [ -n "$dir" ] && [ -d "$dir" ] || return 0
    mkdir -p "$2"
    cp "$dir"/*.log "$dir"/*.serial "$dir"/*.cmdline "$2"/ 2>/dev/null
    echo "      QEMU logs of $dir copied to $2"
}

# One pass/fail check: name, command...
run_one() {
    local name=$1; shift
    local log="$logs/${name//\//_}.log"
    if watch_run "$name" "$log" "$@"; then
        passed=$((passed + 1)); echo "ok    $name ($(fmt_time $STEP_SECONDS))"
    else
        failed=$((failed + 1))
        echo "FAIL  $name ($(fmt_time $STEP_SECONDS), log: $log)"
        tail -5 "$log" | sed 's/^/      /'
        keep_qemu_logs "$log" "${log%.log}-qemu"
    fi
}

# While a qtest runs: how many test cases are done, and the last one.
tap_status() {
    local last
    last=$(grep -Ea '^(not )?ok ' "$1" | tail -n 1)
    echo "$(grep -Eac '^(not )?ok ' "$1") done${last:+, last: $last}"
}

# A qtest binary with -p filters: name, binary, paths...
run_qtest() {
    local name=$1 bin=$2; shift 2
    local log="$logs/$name.log" args=() p rc=0
    for p in "$@"; do args+=(-p "$p"); done
    # The COLO tests beyond the smoke test are in migration-test's full set
    [ "$bin" != migration-test ] || args+=(--full)
    STEP_STATUS="tap_status '$log'" watch_run "$name" "$log" env \
        QTEST_QEMU_BINARY="$obj/qemu-system-x86_64" QTEST_QEMU_IMG="$obj/qemu-img" \
        QTEST_QEMU_STORAGE_DAEMON_BINARY=/nonexistent \
        timeout "${QTEST_TIMEOUT:-1200}" "$obj/tests/qtest/$bin" --tap \
        "${args[@]}" || rc=$?
    count_tap "$log" "$rc" "$name"
}

# What runs where, and why: libqtest takes KVM when /dev/kvm opens (its
# real-mode guest runs even on nested hypervisors that fail other guests);
# the memory demo tries its guest on KVM first; Linux guests run on TCG.
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
    echo "check: qtests: KVM (/dev/kvm opens), TCG where a test asks for it"
else
    echo "check: qtests: TCG (no usable /dev/kvm)"
fi
echo "check: memory demo: $(python3 "$top/scripts/colo_pair.py" 2>&1)"
echo "check: full-stack runs: TCG (Linux guest)"

if [ "$suite" = full ]; then
    # 1. checkpatch over every patch of the series (errors fail).
    for p in $(sed -e 's/#.*//' "$top/patches/series" 2>/dev/null); do
        run_one "checkpatch/$p" "$src/scripts/checkpatch.pl" "$top/patches/$p"
    done
    # Authors and sign-offs are real identities; Fixes: come with Cc: stable.
    run_one trailers "$top/scripts/check-trailers.sh"

    # 2. QAPI schema tests.
    run_one qapi-schema meson test -C "$obj" --suite qapi-schema
    # vmstate's wire format (the series saves integer arrays in one piece)
    run_one test-vmstate "$obj/tests/unit/test-vmstate"

    # 3. qtests.
    run_qtest migration-precopy migration-test \
        /x86_64/migration/precopy/tcp/plain
    run_qtest qmp-cmd-test qmp-cmd-test
    run_qtest test-hmp test-hmp
fi
# Without --full, migration-test registers one COLO test: the smoke test.
colo_default_set() {
    local list
    list=$(QTEST_QEMU_BINARY="$obj/qemu-system-x86_64" \
           "$obj/tests/qtest/migration-test" -l | grep /migration/colo/) || true
    echo "COLO tests in the default set: ${list:-none}"
    [ "$list" = /x86_64/migration/colo/checkpoints/plain ]
}
if [ "$suite" = full ]; then
    run_one migration-colo-default-set colo_default_set
fi
# colo-compare fed hostile packets through its sockets.
run_qtest test-colo-compare test-colo-compare
# filter-mirror hands packets to a new peer once the old one is gone
# (a COLO primary resuming replication with a new secondary).
run_qtest test-filter-mirror test-filter-mirror
# COLO pairs: checkpoints (KVM bitmap, dirty ring, TCG, return-path), failover.
run_qtest migration-colo-checkpoints migration-test \
    /x86_64/migration/colo/checkpoints
run_qtest migration-colo-failover migration-test \
    /x86_64/migration/colo/failover
run_qtest migration-colo-recorder migration-test \
    /x86_64/migration/colo/recorder
run_qtest migration-colo-migrate-ram migration-test \
    /x86_64/migration/colo/migrate-ram

# The full stack of docs/COLO-FT.txt on a Linux guest, failing over
# from each side: the client's connection and the disk must survive,
# no guest Oops, nothing left behind.  Each run switches the migrate-ram
# threshold live half-way; colo-compare's checkpoints must send no rounds.
# run_stack NAME VICTIM [colo_stack.py options...]
run_stack() {
    local name=$1 victim=$2; shift 2
    # Until the first failover, the client must not retransmit a segment
    run_one "colo-stack-$name" "$top/scripts/colo-stack-check.sh" "$victim" \
        --no-retransmissions "$@"
}

finish() {
    echo
    echo "logs in $logs; $(fmt_time $((SECONDS - start))) in all"
    echo "$passed passed, $failed failed, $skipped skipped"
    [ "$failed" = 0 ]
    exit
}
if [ "$suite" = sanitizers ]; then
    run_stack failover-primary primary
    finish
fi
# Each failover is followed by a new secondary, replication resumed
# without stopping the guest (a live resume: no client retransmission
# allowed there either), and a failover of the new pair; one run starts
# COLO as the doc does (VM stopped), the other protects the running VM
# live.  A third run resumes with the doc's procedure, which stops the
# guest for the whole RAM copy.
run_stack start-running-failover-primary-resume-failover-secondary primary \
    --start running --resume --failover-again secondary
run_stack failover-secondary-resume-failover-primary secondary \
    --resume --failover-again primary
run_stack failover-primary-resume-stop primary --resume --resume-mode stop

# The main job end to end: a short demo must show checkpoints, both
# tables, and leave no QEMU behind.
demo_ok() {
    local out=$logs/demo-output.log
    "$top/scripts/demo.py" --duration 3 --working-set 32 --rate 2560 \
        --threshold 1M 2>&1 | tee "$out" &&
    [ "$(grep -c '^checkpoint ' "$out")" -ge 3 ] &&
    grep -q 'role primary, state colo' "$out" &&
    grep -q 'role secondary, state colo' "$out" &&
    ! pgrep -f "colo-pair-.*qemu|qemu-system-x86_64 .*colo-pair-" > /dev/null
}
run_one demo demo_ok
finish
