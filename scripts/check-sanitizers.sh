#!/usr/bin/env bash
# The COLO runtime checks under AddressSanitizer and UndefinedBehaviorSanitizer:
# a second build of build/qemu in build/obj-san (ccache shared) and the COLO
# qtests and colo-compare qtests on it.  Any sanitizer report fails the run:
# the sanitizers abort QEMU at the first report, and their reports land in
# build/check-logs-sanitizers/sanitizer.* (the qtests hide QEMU's stderr).
# Leaks are not checked: QEMU frees little at exit.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
export QEMU_OBJ=${QEMU_OBJ:-$top/build/obj-san} CHECK_SUITE=sanitizers
reports=$top/build/check-logs-sanitizers/sanitizer

CONFIGURE_EXTRA="--enable-asan --enable-ubsan" "$top/scripts/build.sh"
# check.sh starts with a fresh log directory; the reports go in after that.
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=0:log_path=$reports"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_path=$reports"
rc=0
"$top/scripts/check.sh" || rc=$?
if compgen -G "$reports.*" > /dev/null; then
    echo "check-sanitizers: sanitizer reports:" >&2
    head -n 40 "$reports".* >&2
    rc=1
fi
exit $rc
