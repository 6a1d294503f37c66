#!/usr/bin/env bash
# The COLO runtime checks under AddressSanitizer and UndefinedBehaviorSanitizer:
# a second build of build/qemu in build/obj-san (ccache shared) and the COLO
# qtests and colo-compare qtests on it.  Any sanitizer report fails the run:
# the sanitizers abort QEMU at the first report, and their reports land in
# build/check-logs-sanitizers/sanitizer.* (the qtests hide QEMU's stderr).
# Leaks are not checked: QEMU frees little at exit.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# Absolute, as build.sh's firmware links and the stack's QEMUs need them
QEMU_OBJ=$(realpath -m "${QEMU_OBJ:-$top/build/obj-san}")
export QEMU_OBJ CHECK_SUITE=sanitizers
[ -z "${QEMU_SRC:-}" ] || export QEMU_SRC=$(realpath -m "$QEMU_SRC")
reports=$top/build/check-logs-sanitizers/sanitizer

CONFIGURE_EXTRA="--enable-asan --enable-ubsan" "$top/scripts/build.sh"
# check.sh starts with a fresh log directory; the reports go in after that.
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=0:log_path=$reports"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_path=$reports"
rc=0
"$top/scripts/check.sh" || rc=$?
# ASan also logs a warning about coroutines' swapcontext(): not a report.
found=$(grep -lE 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
        "$reports".* 2>/dev/null || true)
if [ -n "$found" ]; then
    echo "check-sanitizers: sanitizer reports in:" $found >&2
    grep -hE -A20 'ERROR: AddressSanitizer|runtime error:' $found | head -n 60 >&2
    rc=1
fi
exit $rc
