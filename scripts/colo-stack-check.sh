#!/usr/bin/env bash
# A short run of the full COLO stack with a failover (scripts/colo_stack.py),
# then check that this run left no QEMU and no lab namespace behind (its
# run directory and its namespaces carry the driver's PID).
# Usage: scripts/colo-stack-check.sh [primary|secondary [options...]]
# (the side killed; more colo_stack.py options, e.g. --resume)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
victim=${1:-primary}
shift || true
"$top/scripts/colo_stack.py" --duration 20 --failover "$victim" \
    --after 15 "$@" &
pid=$!
wait "$pid" || exit 1
if pgrep -f "qemu-system-x86_64 .*build/colo-stack/run-[0-9-]*-$pid/" \
        > /dev/null; then
    echo "colo-stack-check: a QEMU of the run is still running" >&2
    exit 1
fi
if ip netns list | grep -Eq "^colo-(lab|client)-$pid( |$)"; then
    echo "colo-stack-check: a lab namespace is left" >&2
    exit 1
fi
echo "colo-stack-check: OK, nothing left behind"
